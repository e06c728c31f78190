#pragma once
// The tender board's rules as pure functions: validity, scoring, ranking and the round's outcome.
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "tenderlab/agents/call_round.hpp"
#include "tenderlab/engine/scenario.hpp"

namespace tenderlab {

/// A bid as submitted: by a lead on behalf of its consortium.
struct Bid {
  std::string lead;
  std::vector<std::string> members;  ///< lead first
  std::vector<double> shares;        ///< equity shares of the private side, same order
  Capabilities capabilities;         ///< the team's combined capabilities
  int cloud_providers = 0;           ///< members counted for a multi-CSP bonus
  double price_bn_krw = 0;           ///< public money asked (procurement: price of the lot)
  /// The last tie-break: a draw from the round's seeded stream for this lead, so that neither the
  /// order of arrival nor the lead's name decides between equal bids.
  std::uint64_t lottery = 0;
  bool non_capital_site = true;  ///< where the team proposes to build
  /// The most MW the team can draw now at one of its sites where the call allows the GPUs to go
  /// (connectable_mw()); infinite without a grid.
  double grid_mw = std::numeric_limits<double>::infinity();
};

struct ScoredBid {
  Bid bid;
  double technical_score = 0;  ///< 0..100
  double price_score = 0;      ///< 0..100
  double total_score = 0;      ///< weighted, plus bonuses
  bool valid = false;
  std::string invalid_reason;  ///< empty when valid
};

/// The technical score of a team (0..100): a documented weighting of its capabilities.
double technical_score(const Capabilities& capabilities, const TechnicalCriteria& criteria = {});

/// The score a team expects from the evaluators: technical score times the technical weight,
/// a full price score, and the multi-CSP bonus when it has two cloud providers or more.
double expected_score(const CallRound& round, const Capabilities& capabilities,
                      int cloud_providers);

/// Chance that a team with `own_score` wins against the teams already registered with
/// `rival_scores`: a logit choice with `temperature` score points of evaluation noise.
double win_probability(double own_score, const std::vector<double>& rival_scores,
                       double temperature);

/// Scores every bid and marks the invalid ones (eligibility, ceiling price, pass mark).
std::vector<ScoredBid> score_bids(const CallRound& round, const std::vector<Bid>& bids);

enum class RoundOutcome { awarded, failed, negotiated, cancelled };
const char* to_string(RoundOutcome outcome);

struct RoundResult {
  RoundOutcome outcome = RoundOutcome::failed;
  std::string reason;
  std::vector<ScoredBid> ranked;     ///< valid bids best first, then the invalid ones
  std::vector<std::size_t> winners;  ///< indices into ranked
  int valid_bids = 0;
};

/// Applies the minimum-valid-bids rule and ranks the valid bids: higher total score first, then
/// the lower price, then the lower lottery draw. Up to call.winners bids win.
RoundResult decide_round(const CallRound& round, const std::vector<Bid>& bids);

}  // namespace tenderlab
