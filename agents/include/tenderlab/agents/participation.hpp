#pragma once
// Participation decisions, pure: what a member of a prospective team gets from a call round, and
// whether it bids, joins, declines or stays away, with the terms that weighed most.
#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "tenderlab/agents/call_round.hpp"
#include "tenderlab/agents/procurement_bid.hpp"
#include "tenderlab/agents/valuation.hpp"

namespace tenderlab {

/// What one member sees of a team proposal.
struct MemberAssessment {
  Valuation valuation;
  /// Filled when asked for: Shapley attribution values up to 2^n term sheets for n active
  /// clauses.
  TermAttribution attribution;
  double share = 0;
  std::vector<double> shares;  ///< the whole team's split, lead first
  /// Why the member would not take part ("" when it would): value or capital.
  std::string refusal;
  bool accepts() const { return refusal.empty(); }
};

/// Assesses `team[member]` in a proposal made of `team` (lead first), with equity split by
/// contribution, on the member's own paths. `outside_option` is what it gets by staying out.
/// `rival_scores` are the expected scores of the teams already registered for the round.
/// `settings` and `sampling` are attribute_terms' (used only `with_effects`).
MemberAssessment assess_member(const CallRound& round, const std::vector<const AgentSpec*>& team,
                               std::size_t member, const Beliefs& beliefs, const MarketPaths& paths,
                               double outside_option, bool with_effects,
                               const std::vector<double>& rival_scores,
                               const ProjectAssumptions& assumptions = {},
                               const ValuationSettings& settings = {}, Rng* sampling = nullptr);

/// Whether a lead gains from adding a partner: its value rises (through capabilities, shared risk
/// or less over-committed capital).
bool partner_improves(const Valuation& without, const Valuation& with);

/// The beliefs an agent holds in one replication: its own (or the market's) plus a private
/// signal on demand growth drawn from its stream.
Beliefs beliefs_for(const AgentSpec& agent, const Beliefs& market, Rng& rng);

/// Procurement: the lot's cost a supplier expects before its private draw (bn KRW): the hardware
/// at the market price plus integration, which costs less the more cloud operations it has.
double expected_supply_cost(const CallObject& object, const AgentSpec& agent,
                            const ProjectAssumptions& assumptions = {});

/// Whether an agent may offer the lot of a procurement round: its kind leads procurement calls and
/// it meets the call's eligibility, `grid_mw` being the most it can draw now at one of its sites
/// the call allows (connectable_mw(); infinite without a grid).
bool eligible_supplier(const CallRound& round, const AgentSpec& agent,
                       double grid_mw = std::numeric_limits<double>::infinity());

/// The auction the eligible suppliers of a round play (procurement_bid.hpp): rivals' costs spread
/// around the suppliers' mean expected cost, the ceiling price as reserve (without one, the top of
/// the cost range: the buyer pays no more than the dearest plausible supplier's cost), and the
/// suppliers' mean bid cost. `suppliers` are the eligible suppliers, never empty. With
/// `disclosed_budget_bn_krw` (what is left of a disclosed budget in the signing year) the reserve
/// is the smaller of it and the ceiling: every bid below it fits, since each of the `lots` lots is
/// paid a bid divided by their number.
ProcurementAuction procurement_auction(
    const CallRound& round, const std::vector<const AgentSpec*>& suppliers,
    const ProjectAssumptions& assumptions = {},
    std::optional<double> disclosed_budget_bn_krw = std::nullopt);

/// Procurement: the price a supplier asks for the lot (bn KRW) and whether it bids at all.
struct SupplyOffer {
  bool bids = false;
  double price_bn_krw = 0;
  double cost_bn_krw = 0;             ///< its private cost of the lot
  double expected_profit_bn_krw = 0;  ///< before its bid cost, at the equilibrium bid
  double entry_threshold_bn_krw = 0;  ///< the cost above which suppliers stay out
  std::size_t suppliers = 0;          ///< eligible suppliers, itself included
  std::string reason;
};

/// Draws the supplier's private cost of the lot from its stream (its expected cost times
/// 1 + supply_price_noise x Z, Z a standard normal truncated at supply_cost_truncation), then
/// enters iff its expected profit in `auction` covers its own bid cost and bids the equilibrium
/// price. The draw happens whether or not it is eligible, so eligibility never shifts a stream.
/// `grid_mw` as for eligible_supplier().
SupplyOffer offer_supply(const CallRound& round, const AgentSpec& agent,
                         const ProcurementAuction& auction, Rng& rng,
                         const ProjectAssumptions& assumptions = {},
                         double grid_mw = std::numeric_limits<double>::infinity());

}  // namespace tenderlab
