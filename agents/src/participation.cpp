#include "tenderlab/agents/participation.hpp"

#include <algorithm>
#include <cstdio>

#include "tenderlab/agents/consortium.hpp"
#include "tenderlab/agents/tender_rules.hpp"

namespace tenderlab {

namespace {
std::string money(double bn) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.1f bn KRW", bn);
  return buffer;
}
}  // namespace

MemberAssessment assess_member(const CallRound& round, const std::vector<const AgentSpec*>& team,
                               std::size_t member, const Beliefs& beliefs, const MarketPaths& paths,
                               double outside_option, bool with_effects,
                               const std::vector<double>& rival_scores,
                               const ProjectAssumptions& assumptions) {
  MemberAssessment assessment;
  const TeamProfile profile = make_team_profile(team, assumptions);
  const Financing financing = project_financing(round.call->object, round.terms, profile,
                                                round.terms.site != SiteRule::capital, assumptions);
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
    assessment.effects =
        attribute_terms(round.call->object, round.terms, profile, view, paths, assumptions);
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

SupplyOffer offer_supply(const CallRound& round, const AgentSpec& agent, Rng& rng,
                         const ProjectAssumptions& assumptions) {
  SupplyOffer offer;
  const CallObject& object = round.call->object;
  const double gpus = static_cast<double>(object.gpus);
  // Cost of the lot: hardware at market price, integration by the supplier's operations, and a
  // margin for the supplier's capital cost over the contract.
  const double integration =
      assumptions.supply_integration_cost *
      (assumptions.supply_integration_base - agent.capabilities.cloud_operations);
  const double noise = 1 + assumptions.supply_price_noise * rng.normal();
  offer.cost_bn_krw = gpus * object.gpu_price_bn_krw * (1 + integration) * noise;
  offer.price_bn_krw = offer.cost_bn_krw * (1 + agent.hurdle_rate);
  if (agent.capabilities.cloud_operations < round.call->eligibility.min_cloud_operations) {
    offer.reason = "not eligible: operating experience below the minimum";
  } else if (round.terms.ceiling_price_bn_krw &&
             *round.terms.ceiling_price_bn_krw < offer.cost_bn_krw + agent.bid_cost_bn_krw) {
    offer.reason = "ceiling price " + money(*round.terms.ceiling_price_bn_krw) +
                   " below its cost " + money(offer.cost_bn_krw);
  } else {
    offer.bids = true;
    if (round.terms.ceiling_price_bn_krw)
      offer.price_bn_krw = std::min(offer.price_bn_krw, *round.terms.ceiling_price_bn_krw);
  }
  return offer;
}

}  // namespace tenderlab
