#pragma once
// Participation decisions, pure: what a member of a prospective team gets from a call round, and
// whether it bids, joins, declines or stays away, with the terms that weighed most.
#include <string>
#include <vector>

#include "tenderlab/agents/call_round.hpp"
#include "tenderlab/agents/valuation.hpp"

namespace tenderlab {

/// What one member sees of a team proposal.
struct MemberAssessment {
  Valuation valuation;
  std::vector<TermEffect>
      effects;  ///< filled when asked for (attribution costs one valuation a term)
  double share = 0;
  std::vector<double> shares;  ///< the whole team's split, lead first
  /// Why the member would not take part ("" when it would): value or capital.
  std::string refusal;
  bool accepts() const { return refusal.empty(); }
};

/// Assesses `team[member]` in a proposal made of `team` (lead first), with equity split by
/// contribution, on the member's own paths. `outside_option` is what it gets by staying out.
/// `rival_scores` are the expected scores of the teams already registered for the round.
MemberAssessment assess_member(const CallRound& round, const std::vector<const AgentSpec*>& team,
                               std::size_t member, const Beliefs& beliefs, const MarketPaths& paths,
                               double outside_option, bool with_effects,
                               const std::vector<double>& rival_scores,
                               const ProjectAssumptions& assumptions = {});

/// Whether a lead gains from adding a partner: its value rises (through capabilities, shared risk
/// or less over-committed capital).
bool partner_improves(const Valuation& without, const Valuation& with);

/// The beliefs an agent holds in one replication: its own (or the market's) plus a private
/// signal on demand growth drawn from its stream.
Beliefs beliefs_for(const AgentSpec& agent, const Beliefs& market, Rng& rng);

/// Procurement: the price a supplier asks for the lot (bn KRW) and whether it bids at all.
struct SupplyOffer {
  bool bids = false;
  double price_bn_krw = 0;
  double cost_bn_krw = 0;
  std::string reason;
};
SupplyOffer offer_supply(const CallRound& round, const AgentSpec& agent, Rng& rng,
                         const ProjectAssumptions& assumptions = {});

}  // namespace tenderlab
