#include "tenderlab/agents/participation.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "tenderlab/agents/consortium.hpp"
#include "tenderlab/agents/tender_rules.hpp"
#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

namespace {
std::string money(double bn) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.1f bn KRW", bn);
  return buffer;
}
std::string megawatts(double mw) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.1f MW", mw);
  return buffer;
}
/// The mean of `values` summed in ascending order, so that the order of the agents in the file
/// cannot change its last bit.
double order_free_mean(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  double sum = 0;
  for (double value : values)
    sum += value;
  return sum / static_cast<double>(values.size());
}

}  // namespace

MemberAssessment assess_member(const CallRound& round, const std::vector<const AgentSpec*>& team,
                               std::size_t member, const Beliefs& beliefs, const MarketPaths& paths,
                               double outside_option, bool with_effects,
                               const std::vector<double>& rival_scores,
                               const ProjectAssumptions& assumptions,
                               const ValuationSettings& settings, Rng* sampling) {
  MemberAssessment assessment;
  const TeamProfile profile = make_team_profile(team, assumptions);
  const Financing financing =
      project_financing(round.call->object, round.terms, profile,
                        round.terms.site != SiteRule::capital, beliefs, assumptions);
  assessment.shares = equity_split(team, financing.private_commitment(), assumptions);
  assessment.share = assessment.shares.at(member);
  if (!(assessment.share > 0)) {
    // The rest of the team covers the commitment and this member can commit nothing.
    assessment.refusal = "no capital to commit to this project";
    return assessment;
  }
  const double own_score = expected_score(round, profile.capabilities, profile.cloud_providers);
  const MemberView view{team[member], beliefs, assessment.share,
                        win_probability(own_score, rival_scores, assumptions.score_temperature)};
  assessment.valuation =
      value_terms(round.call->object, round.terms, profile, view, paths, assumptions);
  if (with_effects)
    assessment.attribution = attribute_terms(round.call->object, round.terms, profile, view, paths,
                                             assumptions, settings, sampling);
  if (assessment.valuation.value() <= outside_option) {
    assessment.refusal = "value " + money(assessment.valuation.value()) +
                         (outside_option > 0 ? " below its outside option " + money(outside_option)
                                             : std::string(" not positive"));
    if (!assessment.valuation.affordable())
      assessment.refusal += "; commitment " +
                            money(assessment.valuation.equity_commitment +
                                  assessment.valuation.contingent_liability) +
                            " (equity and contingent liabilities) exceeds its limit " +
                            money(assessment.valuation.capital_limit);
  }
  return assessment;
}

bool partner_improves(const Valuation& without, const Valuation& with) {
  return with.value() > without.value();
}

Beliefs beliefs_for(const AgentSpec& agent, const Beliefs& market, Rng& rng) {
  Beliefs beliefs = agent.beliefs ? *agent.beliefs : market;
  // The private signal is always drawn, so adding noise to one agent never shifts another's.
  const double signal = rng.normal();
  beliefs.demand_growth += beliefs.belief_noise * signal;
  return beliefs;
}

double expected_supply_cost(const CallObject& object, const AgentSpec& agent,
                            const ProjectAssumptions& assumptions) {
  const double integration =
      assumptions.supply_integration_cost *
      (assumptions.supply_integration_base - agent.capabilities.cloud_operations);
  return static_cast<double>(object.gpus) * object.gpu_price_bn_krw * (1 + integration);
}

bool eligible_supplier(const CallRound& round, const AgentSpec& agent, double grid_mw) {
  return agent.kind.may(Role::lead, CallKind::procurement) &&
         agent.capabilities.cloud_operations >= round.call->eligibility.min_cloud_operations &&
         grid_mw >= round.call->eligibility.min_grid_mw;
}

ProcurementAuction procurement_auction(const CallRound& round,
                                       const std::vector<const AgentSpec*>& suppliers,
                                       const ProjectAssumptions& assumptions,
                                       std::optional<double> disclosed_budget_bn_krw) {
  if (suppliers.empty()) throw ModelError("a procurement auction needs a supplier");
  ProcurementAuction auction;
  std::vector<double> costs;
  std::vector<double> bid_costs;
  for (const AgentSpec* supplier : suppliers) {
    costs.push_back(expected_supply_cost(round.call->object, *supplier, assumptions));
    bid_costs.push_back(supplier->bid_cost_bn_krw);
  }
  auction.costs = SupplyCostDistribution{order_free_mean(costs), assumptions.supply_price_noise,
                                         assumptions.supply_cost_truncation};
  auction.suppliers = suppliers.size();
  auction.lots = static_cast<std::size_t>(std::max(1, round.call->winners));
  auction.reserve_bn_krw = round.terms.ceiling_price_bn_krw.value_or(auction.costs.high());
  if (disclosed_budget_bn_krw && *disclosed_budget_bn_krw < auction.reserve_bn_krw) {
    auction.reserve_bn_krw = *disclosed_budget_bn_krw;
    auction.reserve_is_budget = true;
  }
  auction.bid_cost_bn_krw = order_free_mean(bid_costs);
  return auction;
}

SupplyOffer offer_supply(const CallRound& round, const AgentSpec& agent,
                         const ProcurementAuction& auction, Rng& rng,
                         const ProjectAssumptions& assumptions, double grid_mw) {
  SupplyOffer offer;
  // The private cost: a truncated normal draw, redrawn outside the range every supplier assumes.
  double z = rng.normal();
  while (std::abs(z) > assumptions.supply_cost_truncation)
    z = rng.normal();
  offer.cost_bn_krw = expected_supply_cost(round.call->object, agent, assumptions) *
                      (1 + assumptions.supply_price_noise * z);
  offer.suppliers = auction.suppliers;
  offer.entry_threshold_bn_krw = auction.entry_threshold();
  offer.expected_profit_bn_krw = auction.expected_profit(offer.cost_bn_krw);
  if (!eligible_supplier(round, agent)) {
    offer.reason = "not eligible: operating experience below the minimum";
  } else if (grid_mw < round.call->eligibility.min_grid_mw) {
    offer.reason = "not eligible: it can connect " + megawatts(grid_mw) + " at its sites, " +
                   megawatts(round.call->eligibility.min_grid_mw) + " required";
  } else if (offer.cost_bn_krw + agent.bid_cost_bn_krw >= auction.reserve_bn_krw) {
    offer.reason = std::string(auction.reserve_is_budget ? "what is left of the issuer's budget "
                               : round.terms.ceiling_price_bn_krw ? "ceiling price "
                                                                  : "the most the buyer pays ") +
                   money(auction.reserve_bn_krw) + " does not cover its cost " +
                   money(offer.cost_bn_krw) + " and bid cost";
  } else if (offer.expected_profit_bn_krw < agent.bid_cost_bn_krw) {
    const std::size_t rivals = auction.suppliers - 1;
    offer.reason = "expected profit " + money(offer.expected_profit_bn_krw) + " against " +
                   std::to_string(rivals) + (rivals == 1 ? " rival" : " rivals") +
                   " below its bid cost " + money(agent.bid_cost_bn_krw);
  } else {
    offer.bids = true;
    offer.price_bn_krw = auction.bid(offer.cost_bn_krw);
  }
  return offer;
}

}  // namespace tenderlab
