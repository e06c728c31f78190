// Properties of the term-sheet valuation (agents/src/valuation.cpp): certainty equivalents,
// the direction in which each clause moves the private side's value, attribution and common
// random numbers. Every random input comes from a fixed seed.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <numeric>
#include <string>
#include <vector>

#include "tenderlab/agents/spc_settlement.hpp"
#include "tenderlab/agents/valuation.hpp"
#include "tenderlab/agents/valuation_shortcuts.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/scenario_loader.hpp"

using namespace tenderlab;

namespace {

/// A mid-sized cloud provider: enough capital for risk aversion to matter but not dominate.
AgentSpec make_provider() {
  AgentSpec agent;
  agent.id = "cloud-a";
  agent.kind = AgentKind::named("cloud_provider");
  agent.capital_bn_krw = 300;
  agent.risk_aversion = 1.0;
  agent.bid_cost_bn_krw = 1.0;
  agent.max_commitment = 0.5;
  agent.npu_penalty = 0.35;
  agent.remote_demand_discount = 0.15;
  agent.capabilities.cloud_operations = 0.8;
  agent.capabilities.sites_power = 0.5;
  agent.capabilities.construction = 0.2;
  return agent;
}

CallObject make_object() {
  return test::small_call_object();
}

/// A sheet with a public stake and partial debt financing: every clause below has something to
/// act on.
Terms base_terms() {
  Terms terms;
  terms.public_equity_share = 0.3;
  terms.paid_in_capital_bn_krw = 40;
  terms.paid_in_years = 2;
  terms.site = SiteRule::capital;
  return terms;
}

Beliefs certain_beliefs() {
  Beliefs beliefs;
  beliefs.demand_volatility = 0;
  beliefs.power_price_volatility = 0;
  return beliefs;
}

ProjectAssumptions certain_assumptions() {
  ProjectAssumptions assumptions;
  assumptions.price_noise = 0;
  assumptions.delay_probability = 0;
  return assumptions;
}

MarketPaths paths_for(const Beliefs& beliefs, std::uint64_t seed, int paths = 200) {
  Rng rng(seed, 0, "valuation-test");
  return draw_market_paths(beliefs, paths, 8, rng);
}

Valuation value_of(const Terms& terms, const AgentSpec& agent, const MarketPaths& paths,
                   const ProjectAssumptions& assumptions = {}, const Beliefs& beliefs = {},
                   double share = 1.0) {
  const TeamProfile team = make_team_profile({&agent});
  const MemberView view{&agent, beliefs, share, 1.0};
  return value_terms(make_object(), terms, team, view, paths, assumptions);
}

/// Term sheets with clauses that interact with each other, for the property checks.
std::vector<Terms> varied_sheets() {
  std::vector<Terms> sheets;
  Terms plain = base_terms();
  sheets.push_back(plain);

  Terms majority = base_terms();
  majority.public_equity_share = 0.6;
  majority.public_preferred = true;
  sheets.push_back(majority);

  Terms sweetened = base_terms();
  sweetened.public_equity_share = 0.45;
  sweetened.tax_credit = 0.1;
  sweetened.policy_loan = PolicyLoan{0.3, 0.02, 10};
  sweetened.site = SiteRule::non_capital;
  sheets.push_back(sweetened);

  Terms harsh = base_terms();
  harsh.public_equity_share = 0.5;
  harsh.damages_waiver = true;
  harsh.domestic_chip_share = 0.3;
  harsh.paid_in_capital_bn_krw = 0;  // all equity
  sheets.push_back(harsh);
  return sheets;
}

/// Beliefs pessimistic enough that some years run at a loss, so loss-sharing clauses bite.
Beliefs pessimistic_beliefs() {
  Beliefs beliefs;
  beliefs.gpu_hour_price_krw = 1500;
  beliefs.demand_growth = 0.0;
  beliefs.demand_volatility = 0.4;
  return beliefs;
}

}  // namespace

TEST_CASE("with no uncertainty the certainty equivalent equals the expected NPV") {
  const Beliefs beliefs = certain_beliefs();
  const ProjectAssumptions assumptions = certain_assumptions();
  const MarketPaths paths = paths_for(beliefs, 11, 50);
  AgentSpec agent = make_provider();
  for (double risk_aversion : {0.0, 0.5, 1.0, 5.0, 50.0}) {
    agent.risk_aversion = risk_aversion;
    for (const Terms& terms : varied_sheets()) {
      Terms with_buy_back = terms;
      with_buy_back.buy_back = BuyBack{true, 0.03};
      for (const Terms& sheet : {terms, with_buy_back}) {
        const Valuation v = value_of(sheet, agent, paths, assumptions, beliefs);
        INFO("risk aversion " << risk_aversion);
        CHECK(v.npv_sd == Approx(0).margin(1e-9));
        CHECK(v.certainty_equivalent == Approx(v.expected_npv).epsilon(1e-12).margin(1e-9));
      }
    }
  }
}

TEST_CASE("a buy-back obligation never raises the private side's value") {
  const AgentSpec agent = make_provider();
  const Beliefs beliefs = pessimistic_beliefs();
  bool some_path_exercised = false;
  for (std::uint64_t seed : {1u, 2u, 3u, 4u, 5u}) {
    const MarketPaths paths = paths_for(beliefs, seed);
    for (const Terms& terms : varied_sheets()) {
      for (double rate : {0.0, 0.03, 0.08}) {
        Terms with = terms;
        with.buy_back = BuyBack{true, rate};
        INFO("seed " << seed << ", public share " << terms.public_equity_share << ", rate "
                     << rate);
        const Valuation a = value_of(terms, agent, paths, {}, beliefs);
        const Valuation b = value_of(with, agent, paths, {}, beliefs);
        CHECK(b.certainty_equivalent <= a.certainty_equivalent + 1e-9);
        CHECK(b.expected_npv <= a.expected_npv + 1e-9);
        CHECK(b.value() <= a.value() + 1e-9);
        CHECK(b.contingent_liability > 0);
        if (b.expected_npv < a.expected_npv - 1e-6) some_path_exercised = true;
      }
    }
  }
  // Not vacuous: on pessimistic beliefs the public side is bought out on some paths.
  CHECK(some_path_exercised);
}

TEST_CASE("more risk aversion never raises the value of a risky sheet") {
  const MarketPaths paths = paths_for(Beliefs{}, 21, 300);
  AgentSpec agent = make_provider();
  for (const Terms& terms : varied_sheets()) {
    double previous_ce = std::numeric_limits<double>::infinity();
    double previous_value = std::numeric_limits<double>::infinity();
    double mean = 0;
    for (double risk_aversion : {0.0, 0.25, 0.5, 1.0, 2.0, 5.0, 10.0, 30.0}) {
      agent.risk_aversion = risk_aversion;
      const Valuation v = value_of(terms, agent, paths);
      INFO("risk aversion " << risk_aversion);
      if (risk_aversion == 0.0) {
        mean = v.expected_npv;
        CHECK(v.certainty_equivalent == Approx(mean).epsilon(1e-12));
      } else {
        REQUIRE(v.npv_sd > 0);
        CHECK(v.certainty_equivalent < mean);  // a risky sheet is worth less than its mean
      }
      CHECK(v.certainty_equivalent <= previous_ce + 1e-9);
      CHECK(v.value() <= previous_value + 1e-9);
      previous_ce = v.certainty_equivalent;
      previous_value = v.value();
    }
  }
}

TEST_CASE("certainty_equivalent of a fair two-point lottery has the closed form") {
  // Outcomes 0 and 10 with equal chance: CE = -ln((1 + e^(-10 a)) / 2) / a.
  const std::vector<double> outcomes{0.0, 10.0};
  for (double a : {0.01, 0.1, 0.5, 2.0}) {
    const double expected = -std::log((1 + std::exp(-10 * a)) / 2) / a;
    CHECK(certainty_equivalent(outcomes, a) == Approx(expected).epsilon(1e-12));
  }
  // Very risk-averse agents value a lottery close to its worst outcome, and never below it.
  CHECK(certainty_equivalent(outcomes, 100.0) == Approx(std::log(2.0) / 100.0).epsilon(1e-9));
  CHECK(certainty_equivalent(outcomes, 100.0) >= 0.0);
}

TEST_CASE("certainty_equivalent of a sure outcome is that outcome for any risk aversion") {
  for (double a : {0.0, 1e-6, 1.0, 1e3})
    CHECK(certainty_equivalent({7.5, 7.5, 7.5}, a) == Approx(7.5).epsilon(1e-15));
}

TEST_CASE("certainty_equivalent with zero risk aversion is the mean") {
  const std::vector<double> outcomes{-3.0, 1.0, 4.0, 10.0};
  CHECK(certainty_equivalent(outcomes, 0.0) == Approx(3.0));
}

TEST_CASE("certainty_equivalent does not overflow on large magnitudes") {
  // exp(-a x) alone would overflow (x = -1e6, a = 1) or underflow to 0 (x = 1e6).
  const double low = certainty_equivalent({-1e6, 0.0}, 1.0);
  REQUIRE(std::isfinite(low));
  CHECK(low == Approx(-1e6 + std::log(2.0)).epsilon(1e-12));

  const double high = certainty_equivalent({1e6, 1e6 + 10}, 1.0);
  REQUIRE(std::isfinite(high));
  CHECK(high == Approx(1e6 + std::log(2.0) - std::log1p(std::exp(-10.0))).epsilon(1e-12));

  const double wide = certainty_equivalent({-1e300, 1e300}, 1e-3);
  CHECK(std::isfinite(wide));
  CHECK(wide >= -1e300);
}

TEST_CASE("certainty_equivalent of no outcomes is a model error") {
  CHECK_THROWS_AS(certainty_equivalent({}, 1.0), ModelError);
}

TEST_CASE("loss bearing never raises the private side's value") {
  // Paying the public side's share of a shortfall, and every shortfall beyond the support limit,
  // can only cost the private side here: the sheets leave no market debt whose price
  // loss-bearing could lower, and the pessimistic paths rarely recover after a default.
  const AgentSpec agent = make_provider();
  const Beliefs beliefs = pessimistic_beliefs();
  bool strictly_lower_somewhere = false;
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const MarketPaths paths = paths_for(beliefs, seed);
    for (const Terms& terms : varied_sheets()) {
      for (bool buy_back : {false, true}) {
        Terms without = terms;
        without.buy_back = BuyBack{buy_back, 0.03};
        Terms with = without;
        with.loss_bearing = true;
        INFO("seed " << seed << ", public share " << terms.public_equity_share << ", buy-back "
                     << buy_back);
        const Valuation a = value_of(without, agent, paths, {}, beliefs);
        const Valuation b = value_of(with, agent, paths, {}, beliefs);
        CHECK(b.certainty_equivalent <= a.certainty_equivalent + 1e-9);
        CHECK(b.value() <= a.value() + 1e-9);
        if (b.value() < a.value() - 1e-6) strictly_lower_somewhere = true;
      }
    }
  }
  CHECK(strictly_lower_somewhere);
}

TEST_CASE(
    "a domestic-chip mandate lowers the value and a chip maker's capability halves the loss") {
  // No uncertainty and no loss-sharing clauses: the private cash flows are linear in revenue, so
  // the revenue loss is exactly proportional to the NPU penalty, which chips = 1 halves. The
  // one-off integration cost does not depend on the team, so it is set to zero here.
  const Beliefs beliefs = certain_beliefs();
  ProjectAssumptions assumptions = certain_assumptions();
  assumptions.npu_integration_cost_bn_krw = 0;
  assumptions.corporate_tax_rate = 0;  // tax on losses carried forward is not linear in revenue
  const MarketPaths paths = paths_for(beliefs, 5, 10);
  const AgentSpec agent = make_provider();
  Terms free_choice;
  free_choice.site = SiteRule::capital;
  Terms mandate = free_choice;
  mandate.domestic_chip_share = 0.5;

  auto npv = [&](const Terms& terms, double chips) {
    TeamProfile team = make_team_profile({&agent});
    team.capabilities.chips = chips;
    const MemberView view{&agent, beliefs, 1.0, 1.0};
    return value_terms(make_object(), terms, team, view, paths, assumptions).expected_npv;
  };
  const double loss_without_chips = npv(free_choice, 0.0) - npv(mandate, 0.0);
  const double loss_with_chips = npv(free_choice, 1.0) - npv(mandate, 1.0);
  CHECK(loss_without_chips > 0);
  CHECK(loss_with_chips > 0);
  CHECK(loss_with_chips < loss_without_chips);
  CHECK(loss_with_chips == Approx(0.5 * loss_without_chips).epsilon(1e-9));

  // On risky paths too, the mandate lowers the value and chips soften it.
  const MarketPaths risky = paths_for(Beliefs{}, 6);
  auto value = [&](const Terms& terms, double chips) {
    TeamProfile team = make_team_profile({&agent});
    team.capabilities.chips = chips;
    const MemberView view{&agent, Beliefs{}, 1.0, 1.0};
    return value_terms(make_object(), terms, team, view, risky).value();
  };
  CHECK(value(mandate, 0.0) < value(free_choice, 0.0));
  CHECK(value(mandate, 0.0) < value(mandate, 1.0));
}

TEST_CASE("a larger NPU integration cost lowers the value under a domestic-chip mandate") {
  // ProjectAssumptions::npu_integration_cost_bn_krw is documented as a one-off cost per
  // mandated GPU-equivalent, but valuation.cpp never reads it.
  const AgentSpec agent = make_provider();
  const MarketPaths paths = paths_for(Beliefs{}, 8);
  Terms mandate = base_terms();
  mandate.domestic_chip_share = 0.5;
  ProjectAssumptions cheap, dear;
  cheap.npu_integration_cost_bn_krw = 0.0;
  dear.npu_integration_cost_bn_krw = 0.05;
  CHECK(value_of(mandate, agent, paths, dear).value() <
        value_of(mandate, agent, paths, cheap).value());
}

TEST_CASE("a tax credit never lowers and a policy loan raises the private side's value") {
  const AgentSpec agent = make_provider();
  for (std::uint64_t seed : {1u, 2u, 3u}) {
    const MarketPaths paths = paths_for(Beliefs{}, seed);
    for (const Terms& terms : varied_sheets()) {
      INFO("seed " << seed << ", public share " << terms.public_equity_share);
      const Valuation base = value_of(terms, agent, paths);

      Terms credit = terms;
      credit.tax_credit = terms.tax_credit + 0.1;
      const Valuation with_credit = value_of(credit, agent, paths);
      // Worth something only on paths that pay tax (hand-checked below), never negative.
      CHECK(with_credit.certainty_equivalent >= base.certainty_equivalent);
      CHECK(with_credit.value() >= base.value());

      Terms loan = terms;
      loan.paid_in_capital_bn_krw = 30;  // leaves debt for the loan to replace
      loan.policy_loan = PolicyLoan{};
      const Valuation without_loan = value_of(loan, agent, paths);
      loan.policy_loan = PolicyLoan{0.3, 0.02, 10};
      const Valuation with_loan = value_of(loan, agent, paths);
      CHECK(with_loan.certainty_equivalent > without_loan.certainty_equivalent);
      CHECK(with_loan.value() > without_loan.value());
    }
  }
}

namespace {

/// Every clause away from its neutral level, so that attribution has ten players.
Terms every_clause_terms() {
  Terms terms = base_terms();
  terms.public_equity_share = 0.6;
  terms.buy_back = BuyBack{true, 0.04};
  terms.public_preferred = true;
  terms.loss_bearing = true;
  terms.damages_waiver = true;
  terms.domestic_chip_share = 0.3;
  terms.site = SiteRule::non_capital;
  terms.tax_credit = 0.1;
  terms.policy_loan = PolicyLoan{0.2, 0.02, 10};
  terms.ceiling_price_bn_krw = 100.0;
  return terms;
}

TermAttribution attribute(const Terms& terms, const AgentSpec& agent, const MarketPaths& paths,
                          const ValuationSettings& settings = {}, Rng* sampling = nullptr) {
  const TeamProfile team = make_team_profile({&agent});
  const MemberView view{&agent, Beliefs{}, 0.7, 0.6};
  return attribute_terms(make_object(), terms, team, view, paths, {}, settings, sampling);
}

double value_with(const Terms& terms, const AgentSpec& agent, const MarketPaths& paths) {
  const TeamProfile team = make_team_profile({&agent});
  const MemberView view{&agent, Beliefs{}, 0.7, 0.6};
  return value_terms(make_object(), terms, team, view, paths).value();
}

double effect_of(const TermAttribution& attribution, const std::string& name) {
  for (const auto& e : attribution.effects)
    if (e.term == name) return e.delta;
  FAIL("no effect for " << name);
  return 0.0;
}

}  // namespace

TEST_CASE("clause effects are Shapley values: they add up to value less neutral value") {
  const AgentSpec agent = make_provider();
  const MarketPaths paths = paths_for(Beliefs{}, 31);
  const Terms terms = every_clause_terms();
  const TermAttribution a = attribute(terms, agent, paths);
  REQUIRE(a.effects.size() == term_names().size());
  for (std::size_t i = 0; i < a.effects.size(); ++i)
    CHECK(a.effects[i].term == term_names()[i]);
  CHECK(a.exact);
  CHECK(a.clauses == 10);
  CHECK(a.evaluations == 1024);
  CHECK(a.value == value_with(terms, agent, paths));
  Terms neutral = terms;
  for (const auto& name : term_names())
    neutral = neutralise(neutral, name);
  CHECK(a.neutral_value == value_with(neutral, agent, paths));
  double total = 0;
  for (const auto& e : a.effects)
    total += e.delta;
  CHECK(total == Approx(a.value - a.neutral_value).margin(1e-9));
  // The directions each clause should have for a provider.
  CHECK(effect_of(a, "buy_back") < 0);
  CHECK(effect_of(a, "loss_bearing") < 0);
  CHECK(effect_of(a, "domestic_chip_share") < 0);
  CHECK(effect_of(a, "tax_credit") > 0);
  CHECK(effect_of(a, "policy_loan") > 0);
  CHECK(effect_of(a, "ceiling_price") == 0.0);  // a null player: the ceiling is not valued
  REQUIRE(a.interaction);
  CHECK(a.interaction->first != a.interaction->second);
}

TEST_CASE("two active clauses, attributed by hand") {
  // Only the buy-back and loss-bearing are away from neutral: with v(S) the value with the
  // clauses in S, phi_bb = 1/2 [v(bb) - v()] + 1/2 [v(bb, lb) - v(lb)], and the interaction is
  // v(bb, lb) - v(bb) - v(lb) + v().
  const AgentSpec agent = make_provider();
  const MarketPaths paths = paths_for(Beliefs{}, 33);
  Terms none = base_terms();
  none.site = SiteRule::any;  // neutral, so that only the two clauses below are active
  Terms bb = none, lb = none, both = none;
  bb.buy_back = BuyBack{true, 0.05};
  lb.loss_bearing = true;
  both.buy_back = bb.buy_back;
  both.loss_bearing = true;
  const double v0 = value_with(none, agent, paths), v_bb = value_with(bb, agent, paths),
               v_lb = value_with(lb, agent, paths), v_both = value_with(both, agent, paths);
  const TermAttribution a = attribute(both, agent, paths);
  CHECK(a.clauses == 2);
  CHECK(a.evaluations == 4);
  CHECK(effect_of(a, "buy_back") == Approx(0.5 * (v_bb - v0) + 0.5 * (v_both - v_lb)));
  CHECK(effect_of(a, "loss_bearing") == Approx(0.5 * (v_lb - v0) + 0.5 * (v_both - v_bb)));
  REQUIRE(a.interaction);
  CHECK(a.interaction->first == "buy_back");
  CHECK(a.interaction->second == "loss_bearing");
  CHECK(a.interaction->delta == Approx(v_both - v_bb - v_lb + v0));
  // With one clause, the Shapley value is the one-at-a-time delta, and there is no pair.
  const TermAttribution single = attribute(bb, agent, paths);
  CHECK(effect_of(single, "buy_back") == Approx(v_bb - v0));
  CHECK_FALSE(single.interaction);
}

TEST_CASE("beyond shapley_exact_clauses the effects are sampled, with standard errors") {
  const AgentSpec agent = make_provider();
  const MarketPaths paths = paths_for(Beliefs{}, 34, 64);
  const Terms terms = every_clause_terms();
  const TermAttribution exact = attribute(terms, agent, paths);
  ValuationSettings settings;
  settings.shapley_exact_clauses = 4;
  settings.shapley_permutations = 300;
  CHECK_THROWS_AS(attribute(terms, agent, paths, settings), ModelError);  // needs a stream
  Rng stream(5, 0, "attribution-test");
  const TermAttribution sampled = attribute(terms, agent, paths, settings, &stream);
  CHECK_FALSE(sampled.exact);
  CHECK(sampled.permutations == 300);
  double total = 0;
  for (std::size_t i = 0; i < sampled.effects.size(); ++i) {
    const TermEffect& e = sampled.effects[i];
    INFO("term " << e.term);
    total += e.delta;
    if (e.term == "ceiling_price") {
      CHECK(e.delta == 0.0);  // a null player: every marginal contribution is 0
      continue;
    }
    CHECK(e.standard_error > 0);
    CHECK(std::abs(e.delta - exact.effects[i].delta) < 4.5 * e.standard_error + 1e-9);
  }
  CHECK(total == Approx(sampled.value - sampled.neutral_value).margin(1e-9));
  CHECK(sampled.value == exact.value);
  CHECK(sampled.neutral_value == exact.neutral_value);
}

TEST_CASE("neutral terms have zero effects") {
  const AgentSpec agent = make_provider();
  const MarketPaths paths = paths_for(Beliefs{}, 32);
  Terms neutral;
  neutral.paid_in_capital_bn_krw = 40;  // not a lever of attribution
  const TermAttribution a = attribute(neutral, agent, paths);
  CHECK(a.clauses == 0);
  CHECK(a.value == a.neutral_value);
  CHECK_FALSE(a.interaction);
  for (const auto& effect : a.effects) {
    INFO("term " << effect.term);
    CHECK(effect.delta == 0.0);
  }
  // A public minority is the neutral level of public_equity_share: it has no effect either.
  Terms minority = neutral;
  minority.public_equity_share = 0.4;
  for (const auto& effect : attribute(minority, agent, paths).effects) {
    INFO("term " << effect.term);
    CHECK(effect.delta == 0.0);
  }
}

TEST_CASE("main_obstacles keeps the costly terms, most costly first, at most count") {
  const std::vector<TermEffect> effects{{"buy_back", -3.0},      {"tax_credit", 2.0},
                                        {"site", -5.0},          {"loss_bearing", -1.0},
                                        {"damages_waiver", 0.0}, {"policy_loan", -1e-12}};
  const auto top = main_obstacles(effects, 2);
  REQUIRE(top.size() == 2);
  CHECK(top[0].term == "site");
  CHECK(top[1].term == "buy_back");
  const auto all = main_obstacles(effects, 10);
  REQUIRE(all.size() == 3);  // only clearly negative effects
  CHECK(all[2].term == "loss_bearing");
  CHECK(main_obstacles({{"tax_credit", 1.0}}, 3).empty());
}

TEST_CASE("the same paths give the same valuation twice") {
  const AgentSpec agent = make_provider();
  Terms terms = varied_sheets()[1];
  terms.buy_back = BuyBack{true, 0.03};
  terms.site = SiteRule::any;
  const MarketPaths paths = paths_for(Beliefs{}, 41);
  const Valuation a = value_of(terms, agent, paths);
  const Valuation b = value_of(terms, agent, paths);
  CHECK(a.certainty_equivalent == b.certainty_equivalent);
  CHECK(a.expected_npv == b.expected_npv);
  CHECK(a.npv_sd == b.npv_sd);
  CHECK(a.value() == b.value());

  // Paths drawn again from the same stream are the same paths, so the value is the same too.
  const MarketPaths again = paths_for(Beliefs{}, 41);
  CHECK(value_of(terms, agent, again).value() == a.value());
  // A different stream gives different paths.
  CHECK(value_of(terms, agent, paths_for(Beliefs{}, 42)).value() != a.value());
}

TEST_CASE("draw_market_paths depends only on the random stream") {
  const Beliefs beliefs;
  Rng first(2025, 3, "valuation-test"), second(2025, 3, "valuation-test");
  const MarketPaths a = draw_market_paths(beliefs, 4, 5, first);
  const MarketPaths b = draw_market_paths(beliefs, 4, 5, second);
  CHECK(a.demand == b.demand);
  CHECK(a.power == b.power);
  CHECK(a.price == b.price);
  CHECK(a.delay_uniform == b.delay_uniform);
  REQUIRE(a.demand.size() == 20);
  REQUIRE(a.delay_uniform.size() == 4);
  CHECK(a.at(a.demand, 0, 0) == 1.0);  // demand is relative to the first operating year
  CHECK(a.at(a.power, 2, 0) == 1.0);

  // Pinned draws: a change here changes every published result. Investigate before updating.
  CHECK(a.at(a.demand, 0, 1) == Approx(1.2133453714238926).epsilon(1e-14));
  CHECK(a.at(a.power, 0, 1) == Approx(1.0455368264850542).epsilon(1e-14));
  CHECK(a.at(a.price, 0, 0) == Approx(-0.61405499626149218).epsilon(1e-14));
  CHECK(a.at(a.demand, 3, 4) == Approx(2.6259871474741083).epsilon(1e-14));
  CHECK(a.delay_uniform[0] == Approx(0.91673168704122698).epsilon(1e-14));
  CHECK(a.delay_uniform[3] == Approx(0.019082894623646984).epsilon(1e-14));
}

TEST_CASE("a path's draws do not depend on how many paths are drawn after it") {
  const Beliefs beliefs;
  Rng few_rng(9, 0, "prefix"), many_rng(9, 0, "prefix");
  const MarketPaths few = draw_market_paths(beliefs, 3, 6, few_rng);
  const MarketPaths many = draw_market_paths(beliefs, 10, 6, many_rng);
  for (int p = 0; p < 3; ++p) {
    for (int y = 0; y < 6; ++y) {
      CHECK(few.at(few.demand, p, y) == many.at(many.demand, p, y));
      CHECK(few.at(few.power, p, y) == many.at(many.power, p, y));
      CHECK(few.at(few.price, p, y) == many.at(many.price, p, y));
    }
    CHECK(few.delay_uniform[static_cast<std::size_t>(p)] ==
          many.delay_uniform[static_cast<std::size_t>(p)]);
  }
}

TEST_CASE("antithetic paths mirror every draw of their pair's first path") {
  const Beliefs beliefs;
  Rng plain_rng(2025, 3, "valuation-test"), mirrored_rng(2025, 3, "valuation-test");
  const MarketPaths plain = draw_market_paths(beliefs, 3, 5, plain_rng);
  const MarketPaths mirrored = draw_market_paths(beliefs, 5, 5, mirrored_rng, true);
  const double drift = std::log1p(beliefs.demand_growth) -
                       0.5 * beliefs.demand_volatility * beliefs.demand_volatility;
  const double power_drift = -0.5 * beliefs.power_price_volatility * beliefs.power_price_volatility;
  for (int pair = 0; pair < 2; ++pair) {
    const int first = 2 * pair, second = first + 1;
    for (int y = 0; y < 5; ++y) {
      // The first path of pair k is the k-th path drawn without mirroring: it takes the draws.
      CHECK(mirrored.at(mirrored.demand, first, y) == plain.at(plain.demand, pair, y));
      CHECK(mirrored.at(mirrored.price, first, y) == plain.at(plain.price, pair, y));
      // The second mirrors them: -z for each normal, so the log paths straddle their drift.
      CHECK(mirrored.at(mirrored.price, second, y) == -mirrored.at(mirrored.price, first, y));
      CHECK(std::log(mirrored.at(mirrored.demand, first, y)) +
                std::log(mirrored.at(mirrored.demand, second, y)) ==
            Approx(2 * y * drift).margin(1e-12));
      CHECK(std::log(mirrored.at(mirrored.power, first, y)) +
                std::log(mirrored.at(mirrored.power, second, y)) ==
            Approx(2 * y * power_drift).margin(1e-12));
    }
    CHECK(mirrored.delay_uniform[static_cast<std::size_t>(second)] ==
          1 - mirrored.delay_uniform[static_cast<std::size_t>(first)]);
  }
  // An odd last path is drawn alone, from the next draws of the stream.
  for (int y = 0; y < 5; ++y)
    CHECK(mirrored.at(mirrored.demand, 4, y) == plain.at(plain.demand, 2, y));
  CHECK(mirrored.delay_uniform[4] == plain.delay_uniform[2]);
}

TEST_CASE("antithetic paths estimate a value with less sampling error than as many independent") {
  // The spread of the expected NPV over 30 streams is the estimator's sampling error.
  const AgentSpec agent = make_provider();
  const Terms terms = base_terms();
  auto spread = [&](bool antithetic) {
    std::vector<double> values;
    for (std::uint64_t seed = 1; seed <= 30; ++seed) {
      Rng rng(seed, 0, "antithetic-test");
      const MarketPaths paths = draw_market_paths(Beliefs{}, 60, 8, rng, antithetic);
      values.push_back(value_of(terms, agent, paths).expected_npv);
    }
    const double mean = std::accumulate(values.begin(), values.end(), 0.0) / 30.0;
    double ss = 0;
    for (double v : values)
      ss += (v - mean) * (v - mean);
    return std::sqrt(ss / 29.0);
  };
  const double independent = spread(false), antithetic = spread(true);
  INFO("independent " << independent << ", antithetic " << antithetic);
  CHECK(independent > 0);
  CHECK(antithetic < 0.8 * independent);
}

TEST_CASE("draw_market_paths rejects an empty path set") {
  Rng rng(1, 0, "empty");
  CHECK_THROWS_AS(draw_market_paths(Beliefs{}, 0, 5, rng), ModelError);
  CHECK_THROWS_AS(draw_market_paths(Beliefs{}, 5, 0, rng), ModelError);
}

TEST_CASE("value_terms rejects a member without an agent or with a share above one") {
  const AgentSpec agent = make_provider();
  const MarketPaths paths = paths_for(Beliefs{}, 1, 5);
  const TeamProfile team = make_team_profile({&agent});
  const Terms terms = base_terms();
  CHECK_THROWS_AS(value_terms(make_object(), terms, team, MemberView{nullptr, {}, 1.0, 1.0}, paths),
                  ModelError);
  CHECK_THROWS_AS(value_terms(make_object(), terms, team, MemberView{&agent, {}, 1.5, 1.0}, paths),
                  ModelError);
}

TEST_CASE("a project assumption set in the scenario file moves the valuation") {
  // The operating cost share used to be a constant in the code; now a scenario (and so a study
  // factor, /assumptions/om_share_of_capex) sets it. Dearer operations lower every member's value.
  auto scenario_with = [](const char* assumptions) {
    nlohmann::json document = nlohmann::json::parse(R"({
      "name": "assumptions", "start_date": "2025-01-01", "horizon": "2030-12-31",
      "agents": [{"id": "gov", "kind": "government"}]})");
    document["assumptions"] = nlohmann::json::parse(assumptions);
    return scenario_from_json(document, "assumptions.json");
  };
  const Scenario defaults = scenario_with("{}");
  const Scenario dear = scenario_with(R"({"om_share_of_capex": 0.08})");
  REQUIRE(defaults.assumptions.om_share_of_capex == 0.04);
  REQUIRE(dear.assumptions.om_share_of_capex == 0.08);
  const AgentSpec agent = make_provider();
  const MarketPaths paths = paths_for(Beliefs{}, 11);
  const double base = value_of(base_terms(), agent, paths, defaults.assumptions).expected_npv;
  const double lower = value_of(base_terms(), agent, paths, dear.assumptions).expected_npv;
  CHECK(lower < base - 1.0);
  // The scenario's defaults are the code's defaults: the same value to the last bit.
  CHECK(base == value_of(base_terms(), agent, paths, ProjectAssumptions{}).expected_npv);
}

namespace {

// A project small enough to follow by hand: 1,000 GPUs at 0.1 bn KRW (capex 100, no building),
// three operating years from the signing, no power or O&M cost, utilisation pinned at 0.5 and a
// flat price set so that the operating margin is exactly `margin` a year, on every path alike.
CallObject hand_object() {
  CallObject object;
  object.gpus = 1000;
  object.gpu_price_bn_krw = 0.1;
  object.build_cost_bn_krw_per_mw = 0;
  object.years = 3;
  object.build_years = 0;
  return object;
}

Beliefs hand_beliefs(double margin) {
  Beliefs beliefs;
  beliefs.demand_growth = 0;
  beliefs.demand_volatility = 0;
  beliefs.utilization_base = 0.5;
  beliefs.utilization_cap = 0.5;
  beliefs.price_decline = 0;
  beliefs.power_price_krw_per_kwh = 0;
  beliefs.power_price_volatility = 0;
  beliefs.gpu_hour_price_krw = margin * 1e9 / (1000 * 8760.0 * 0.5);
  return beliefs;
}

ProjectAssumptions hand_assumptions() {
  ProjectAssumptions a;
  a.om_share_of_capex = 0;
  a.price_noise = 0;
  a.delay_probability = 0;
  a.operations_utilization_base = 1;
  a.operations_utilization_slope = 0;
  a.gpu_residual_share = 0.05;   // 5 at the end
  a.gpu_depreciation_years = 5;  // 20 a year; book value 40 at the end
  a.lender_pricing_iterations = 0;
  return a;
}

CashFlowStatement hand_statement(const Terms& terms, const ProjectAssumptions& assumptions,
                                 double margin = 50) {
  static const AgentSpec agent = make_provider();
  const Beliefs beliefs = hand_beliefs(margin);
  Rng rng(1, 0, "hand");
  const MarketPaths paths = draw_market_paths(beliefs, 4, 3, rng);
  const MemberView view{&agent, beliefs, 1.0, 1.0};
  return cash_flow_statement(hand_object(), terms, TeamProfile{}, view, paths, false, 2,
                             assumptions);
}

}  // namespace

TEST_CASE("corporate tax, losses carried forward and the tax credit, by hand") {
  // All equity (no paid-in capital set), a margin of 50 a year, depreciation 20 a year. The
  // first year is lost to a delay (no O&M, damages waived): a tax loss of 20. Year 1: taxable
  // 30, of which 80 % (24) may be offset, so the whole loss of 20 is used: tax 0.264 x 10 =
  // 2.64. Year 2: 0.264 x 30 = 7.92. At the end the assets fetch 5 against a book value of 40:
  // a loss, no tax. A credit of 10 % of the capex (10) pays the 2.64 of year 1 and 7.36 of
  // year 2's tax.
  Terms terms;
  terms.site = SiteRule::capital;
  terms.damages_waiver = true;
  ProjectAssumptions a = hand_assumptions();
  a.delay_probability = 1;
  a.capital_site_delay_factor = 1;
  const CashFlowStatement without = hand_statement(terms, a);
  REQUIRE(without.years.size() == 4);
  CHECK(without.financing.equity == Approx(100));
  CHECK(without.financing.market_debt == 0);
  CHECK(without.years[0].ebitda == Approx(0).margin(1e-12));
  CHECK(without.years[0].tax == 0);
  CHECK(without.years[1].taxable_income == Approx(10));
  CHECK(without.years[1].tax == Approx(2.64));
  CHECK(without.years[2].tax == Approx(7.92));
  CHECK(without.years[3].ebitda == Approx(5));
  CHECK(without.years[3].tax == 0);
  CHECK(without.years[0].private_flow == Approx(-100));
  CHECK(without.years[1].private_flow == Approx(50 - 2.64));
  CHECK(without.years[2].private_flow == Approx(50 - 7.92));
  CHECK(without.years[3].private_flow == Approx(5));
  // At the risk-free rate.
  const double r = a.risk_free_rate;
  CHECK(without.private_value ==
        Approx(-100 + 47.36 / (1 + r) + 42.08 / std::pow(1 + r, 2) + 5 / std::pow(1 + r, 3)));

  terms.tax_credit = 0.1;
  const CashFlowStatement with = hand_statement(terms, a);
  CHECK(with.years[1].credit_used == Approx(2.64));
  CHECK(with.years[1].tax == Approx(0).margin(1e-12));
  CHECK(with.years[2].credit_used == Approx(7.36));
  CHECK(with.years[2].tax == Approx(0.56));
  // A credit that lapses after a year pays only year 1's tax.
  a.credit_carry_forward_years = 1;
  const CashFlowStatement lapsing = hand_statement(terms, a);
  CHECK(lapsing.years[1].credit_used == Approx(2.64));
  CHECK(lapsing.years[2].credit_used == 0);
  CHECK(lapsing.years[2].tax == Approx(7.92));
  // A loss kept for no year is lost: year 1 pays tax on all of its 30.
  a.loss_carry_forward_years = 0;
  terms.tax_credit = 0;
  CHECK(hand_statement(terms, a).years[1].tax == Approx(0.264 * 30));
}

TEST_CASE("a minimum tax keeps part of the tax due however large the credit, by hand") {
  // The project of the test above with a credit of 10 and a minimum tax of 10 % of taxable
  // income. Year 1: taxable 10, tax 2.64, of which the credit may cancel 2.64 - 1 = 1.64.
  // Year 2: taxable 30, tax 7.92, the credit cancels 7.92 - 3 = 4.92 of it (8.36 are left).
  Terms terms;
  terms.site = SiteRule::capital;
  terms.damages_waiver = true;
  terms.tax_credit = 0.1;
  ProjectAssumptions a = hand_assumptions();
  a.delay_probability = 1;
  a.capital_site_delay_factor = 1;
  a.minimum_tax_rate = 0.1;
  const CashFlowStatement with = hand_statement(terms, a);
  CHECK(with.years[1].credit_used == Approx(1.64));
  CHECK(with.years[1].tax == Approx(1.0));
  CHECK(with.years[2].credit_used == Approx(4.92));
  CHECK(with.years[2].tax == Approx(3.0));
  // A minimum tax at the full rate leaves the credit unused: the tax of a project without one.
  a.minimum_tax_rate = a.corporate_tax_rate;
  const CashFlowStatement unused = hand_statement(terms, a);
  terms.tax_credit = 0;
  const CashFlowStatement none = hand_statement(terms, a);
  for (std::size_t y = 0; y < unused.years.size(); ++y) {
    CHECK(unused.years[y].credit_used == 0);
    CHECK(unused.years[y].tax == none.years[y].tax);
  }
}

TEST_CASE("the price may fall over the build years before the first operating year") {
  // Letting the price fall over the build years is pricing the first operating year at the
  // trend's price build_years on: the same statement, bit for bit, on every path.
  AgentSpec agent = make_provider();
  agent.risk_aversion = 0;
  CallObject object = make_object();
  object.build_years = 2;
  const Terms terms = every_clause_terms();
  const TeamProfile team = make_team_profile({&agent});
  Beliefs today;
  ProjectAssumptions falling;
  falling.price_decline_before_operations = 1;
  Beliefs later = today;
  later.gpu_hour_price_krw =
      today.gpu_hour_price_krw * std::pow(1 - today.price_decline, 1.0 * object.build_years);
  const MarketPaths paths = paths_for(today, 79, 8);
  const MemberView today_view{&agent, today, 1.0, 1.0};
  const MemberView later_view{&agent, later, 1.0, 1.0};
  for (int p = 0; p < paths.paths; ++p) {
    const CashFlowStatement a =
        cash_flow_statement(object, terms, team, today_view, paths, true, p, falling);
    const CashFlowStatement b =
        cash_flow_statement(object, terms, team, later_view, paths, true, p, ProjectAssumptions{});
    INFO("path " << p);
    CHECK(a.financing.market_debt == b.financing.market_debt);
    CHECK(a.private_value == b.private_value);
    for (std::size_t y = 0; y < a.years.size(); ++y)
      CHECK(a.years[y].ebitda == b.years[y].ebitda);
  }
  // And it lowers the value of the project.
  CHECK(value_terms(object, terms, team, today_view, paths, falling).expected_npv <
        value_terms(object, terms, team, today_view, paths, ProjectAssumptions{}).expected_npv -
            1.0);
  // Half the build years: the price of one year on.
  falling.price_decline_before_operations = 0.5;
  later.gpu_hour_price_krw = today.gpu_hour_price_krw * std::pow(1 - today.price_decline, 1.0);
  const MemberView year_view{&agent, later, 1.0, 1.0};
  CHECK(cash_flow_statement(object, terms, team, today_view, paths, true, 0, falling)
            .years[2]
            .ebitda ==
        cash_flow_statement(object, terms, team, year_view, paths, true, 0, ProjectAssumptions{})
            .years[2]
            .ebitda);
}

TEST_CASE("with a minimum tax and a falling price the valuation is still its statements' mean") {
  // Both new rules live in the one-path statement and in the four-path valuation alike.
  AgentSpec agent = make_provider();
  agent.risk_aversion = 0;
  const MarketPaths paths = paths_for(Beliefs{}, 83, 20);
  const TeamProfile team = make_team_profile({&agent});
  const MemberView view{&agent, Beliefs{}, 1.0, 1.0};
  ProjectAssumptions assumptions;
  assumptions.minimum_tax_rate = 0.12;
  assumptions.price_decline_before_operations = 0.7;
  Terms terms = every_clause_terms();
  terms.public_preferred = false;
  terms.tax_credit = 0.25;
  const Valuation v = value_terms(make_object(), terms, team, view, paths, assumptions);
  double mean = 0, credit = 0;
  for (int p = 0; p < paths.paths; ++p) {
    const CashFlowStatement s =
        cash_flow_statement(make_object(), terms, team, view, paths, true, p, assumptions);
    mean += s.private_value / paths.paths;
    for (const CashFlowYear& year : s.years) {
      credit += year.credit_used;
      CHECK(year.tax >= assumptions.minimum_tax_rate * year.taxable_income - 1e-9);
    }
  }
  CHECK(credit > 0);
  CHECK(v.expected_npv == Approx(mean).epsilon(1e-12));
}

TEST_CASE("without preferred shares the valuation's per-path sums give the statement's value") {
  // The valuation splits the SPC's cash from sums per path; the statement splits it year by
  // year. With a buy-back, with and without loss-bearing, they must agree.
  AgentSpec agent = make_provider();
  agent.risk_aversion = 0;
  const MarketPaths paths = paths_for(Beliefs{}, 73, 20);
  const TeamProfile team = make_team_profile({&agent});
  const MemberView view{&agent, Beliefs{}, 1.0, 1.0};
  const ProjectAssumptions assumptions;
  for (const bool loss_bearing : {false, true}) {
    Terms terms = every_clause_terms();
    terms.public_preferred = false;
    terms.loss_bearing = loss_bearing;
    const Valuation v = value_terms(make_object(), terms, team, view, paths, assumptions);
    double mean = 0;
    for (int p = 0; p < paths.paths; ++p)
      mean += cash_flow_statement(make_object(), terms, team, view, paths, true, p, assumptions)
                  .private_value /
              paths.paths;
    INFO("loss-bearing " << loss_bearing);
    CHECK(v.expected_npv == Approx(mean).epsilon(1e-12));
  }
}

TEST_CASE("the cash-flow statement is the valuation's own path, line by line") {
  // A risk-neutral sole member on paths of one kind: the valuation's expected NPV is the mean of
  // the statements' private values, and each statement's lines add up to its private flows.
  AgentSpec agent = make_provider();
  agent.risk_aversion = 0;
  const MarketPaths paths = paths_for(Beliefs{}, 71, 20);
  Terms terms = every_clause_terms();
  terms.loss_bearing = false;
  terms.paid_in_capital_bn_krw = 20;
  const TeamProfile team = make_team_profile({&agent});
  const MemberView view{&agent, Beliefs{}, 1.0, 1.0};
  const ProjectAssumptions assumptions;
  const Valuation v = value_terms(make_object(), terms, team, view, paths, assumptions);
  double mean = 0;
  for (int p = 0; p < paths.paths; ++p) {
    const CashFlowStatement s =
        cash_flow_statement(make_object(), terms, team, view, paths, true, p, assumptions);
    mean += s.private_value / paths.paths;
    for (const CashFlowYear& year : s.years) {
      INFO("path " << p << ", year " << year.year);
      CHECK(year.private_flow == Approx(-year.equity_paid_in - year.private_support +
                                        year.private_dividends - year.buy_back)
                                     .margin(1e-9));
      CHECK(year.private_support >= 0);
      CHECK(year.tax >= 0);
    }
  }
  REQUIRE(v.non_capital_site);
  CHECK(v.expected_npv == Approx(mean).epsilon(1e-12));
  CHECK_THROWS_AS(
      cash_flow_statement(make_object(), terms, team, view, paths, true, 20, assumptions),
      ModelError);
}

TEST_CASE("the SPC's outlook is the mean of its statements' operating years") {
  // Without delays every path operates from build_years on: the outlook's margin for an
  // operating year is the mean over the paths of that year's EBITDA in the statements, its
  // lender's base case is the statements' base-case cover, and its lines add up.
  AgentSpec agent = make_provider();
  const MarketPaths paths = paths_for(Beliefs{}, 75, 20);
  ProjectAssumptions assumptions;
  assumptions.delay_probability = 0;
  const Terms terms = base_terms();
  CallObject object = make_object();
  object.public_use_share = 0.5;
  object.public_use_discount = 0.4;
  const TeamProfile team = make_team_profile({&agent});
  const MemberView view{&agent, Beliefs{}, 1.0, 1.0};
  const OperatingOutlook outlook =
      operating_outlook(object, terms, team, view, paths, true, assumptions);
  REQUIRE(outlook.years.size() == static_cast<std::size_t>(object.years));
  std::vector<double> mean_ebitda(outlook.years.size());
  std::vector<double> cover;
  for (int p = 0; p < paths.paths; ++p) {
    const CashFlowStatement s =
        cash_flow_statement(object, terms, team, view, paths, true, p, assumptions);
    for (std::size_t y = 0; y < mean_ebitda.size(); ++y)
      mean_ebitda[y] +=
          s.years[static_cast<std::size_t>(object.build_years) + y].ebitda / paths.paths;
    cover = s.base_case_cover;
  }
  CHECK(outlook.lender_base_case == cover);
  CHECK(outlook.om_per_year > 0);
  for (std::size_t y = 0; y < outlook.years.size(); ++y) {
    const OperatingOutlook::Year& year = outlook.years[y];
    INFO("operating year " << y);
    CHECK(year.margin == Approx(mean_ebitda[y]).epsilon(1e-12));
    CHECK(year.margin == Approx(year.sales - year.power - outlook.om_per_year));
    CHECK(year.utilization > 0);
    CHECK(year.utilization <= Beliefs{}.utilization_cap);
    CHECK(year.sales > 0);
    CHECK(year.power > 0);
  }
  // The public share's discount is in the sales: without it they are 1 / (1 - 0.5 x 0.4) higher.
  object.public_use_discount = 0;
  const OperatingOutlook full =
      operating_outlook(object, terms, team, view, paths, true, assumptions);
  CHECK(full.years[0].sales == Approx(outlook.years[0].sales / 0.8));
  CHECK(full.years[0].utilization == outlook.years[0].utilization);
}

TEST_CASE("a credit is worth nothing to an SPC that never pays tax") {
  // A margin of 15 a year against depreciation of 20: taxable income is never positive.
  Terms terms;
  terms.site = SiteRule::capital;
  const ProjectAssumptions a = hand_assumptions();
  const CashFlowStatement plain = hand_statement(terms, a, 15);
  terms.tax_credit = 0.25;
  const CashFlowStatement credit = hand_statement(terms, a, 15);
  for (const CashFlowYear& year : credit.years) {
    CHECK(year.tax == 0);
    CHECK(year.credit_used == 0);
  }
  CHECK(credit.private_value == plain.private_value);
}

TEST_CASE("the lender sculpts debt to the cover ratio and the leverage cap, by hand") {
  // Paid-in capital 20 leaves 80 to debt. Base-case cash flow is 50 in each of years 0, 1 and 2
  // (the loan is drawn at the signing, interest accrues from year 1); at a cover ratio of 2 the
  // lender takes 25 a year, worth 25 x (1 + 1/1.05 + 1/1.05^2) = 71.49 at 5 %: it lends that,
  // and the other 28.51 is equity.
  Terms terms;
  terms.site = SiteRule::capital;
  terms.paid_in_capital_bn_krw = 20;
  ProjectAssumptions a = hand_assumptions();
  a.market_debt_rate = 0.05;
  a.dscr_covenant = 2;
  a.corporate_tax_rate = 0;
  const double annuity = 1 + 1 / 1.05 + 1 / (1.05 * 1.05);
  const CashFlowStatement sized = hand_statement(terms, a);
  CHECK(sized.financing.market_debt == Approx(25 * annuity));
  CHECK(sized.financing.equity == Approx(100 - 25 * annuity));
  for (int year = 0; year < 3; ++year) {
    INFO("year " << year);
    CHECK(sized.years[static_cast<std::size_t>(year)].market_service == Approx(25));
    CHECK(sized.years[static_cast<std::size_t>(year)].market_service * a.dscr_covenant <=
          sized.base_case_cover[static_cast<std::size_t>(year)] + 1e-9);
  }
  CHECK(sized.years[2].debt_left == Approx(0).margin(1e-9));  // repaid within the asset life
  // A looser covenant lends all 80 the terms leave to debt; a leverage cap of 60 % lends 60.
  a.dscr_covenant = 1.2;
  CHECK(hand_statement(terms, a).financing.market_debt == Approx(80));
  a.max_leverage = 0.6;
  CHECK(hand_statement(terms, a).financing.market_debt == Approx(60));
  // Nothing to cover, nothing lent.
  CHECK(hand_statement(terms, a, -5).financing.market_debt == 0);
}

TEST_CASE("limited liability: shareholders fund shortfalls up to their support, then default") {
  // Debt sized at a cover ratio of 1 takes all 50 of each year's base case; a one-year delay
  // with an idle-site cost of 10 (O&M 10 % of the capex) leaves year 0 short by 10.
  Terms terms;
  terms.site = SiteRule::capital;
  terms.paid_in_capital_bn_krw = 40;
  terms.public_equity_share = 0.5;
  terms.damages_waiver = true;
  ProjectAssumptions a = hand_assumptions();
  a.corporate_tax_rate = 0;
  a.dscr_covenant = 1;
  a.delay_probability = 1;
  a.capital_site_delay_factor = 1;
  a.om_share_of_capex = 0.1;
  a.debt_service_reserve_years = 0;
  // Margins net of O&M are 40; the shortfall in the delayed first year is the idle cost.
  // The delay also pushes the last payment past the asset's life: the residual value (5) falls
  // short of it at the end, a second shortfall. Support of 40 covers both, half and half.
  a.sponsor_support_share = 1;
  const CashFlowStatement supported = hand_statement(terms, a, 50);
  CHECK(supported.years[0].shortfall == Approx(10));
  CHECK(supported.years[0].private_support == Approx(5));
  CHECK(supported.years[3].shortfall > 0);
  CHECK(supported.years[3].private_support == Approx(supported.years[3].shortfall / 2));
  CHECK_FALSE(supported.defaulted);

  a.sponsor_support_share = 0.1;  // 4 of support: not enough, the SPC defaults
  const CashFlowStatement defaulted = hand_statement(terms, a, 50);
  CHECK(defaulted.defaulted);
  CHECK(defaulted.years[0].private_support == 0);
  for (std::size_t y = 1; y < defaulted.years.size(); ++y) {
    INFO("year " << y);
    CHECK(defaulted.years[y].private_flow >= 0);  // owes nothing after a default
  }

  terms.loss_bearing = true;  // the private side funds every shortfall, whatever its support
  const CashFlowStatement bearing = hand_statement(terms, a, 50);
  CHECK_FALSE(bearing.defaulted);
  CHECK(bearing.years[0].private_support == Approx(10));
}

namespace {

/// The hand project of hand_statement settled on `margins` (one per operating year).
CashFlowStatement hand_settlement(const Terms& terms, const ProjectAssumptions& assumptions,
                                  const std::vector<double>& margins, bool delayed = false) {
  static const AgentSpec agent = make_provider();
  const Beliefs beliefs = hand_beliefs(50);
  Rng rng(1, 0, "hand");
  const MarketPaths paths = draw_market_paths(beliefs, 4, 3, rng);
  const MemberView view{&agent, beliefs, 1.0, 1.0};
  return statement_on_margins(hand_object(), terms, TeamProfile{}, view, paths, false, margins,
                              delayed, assumptions);
}

void check_same_line(const CashFlowYear& a, const CashFlowYear& b) {
  CHECK(a.ebitda == b.ebitda);
  CHECK(a.tax == b.tax);
  CHECK(a.debt_service_due == b.debt_service_due);
  CHECK(a.shortfall == b.shortfall);
  CHECK(a.private_support == b.private_support);
  CHECK(a.public_support == b.public_support);
  CHECK(a.policy_service == b.policy_service);
  CHECK(a.market_service == b.market_service);
  CHECK(a.debt_left == b.debt_left);
  CHECK(a.private_dividends == b.private_dividends);
  CHECK(a.defaulted == b.defaulted);
}

}  // namespace

TEST_CASE("a contract settled on its own path's margins is that path's statement") {
  // Every path of the hand project earns 50 a year: settled on 50, 50, 50 it is the statement of
  // any of them, line by line, with the debt sized and priced as at the signing.
  Terms terms;
  terms.site = SiteRule::capital;
  terms.public_equity_share = 0.4;
  ProjectAssumptions a = hand_assumptions();
  const CashFlowStatement path = hand_statement(terms, a, 50);
  const CashFlowStatement settled = hand_settlement(terms, a, {50, 50, 50});
  REQUIRE(settled.years.size() == path.years.size());
  CHECK(settled.financing.market_debt == path.financing.market_debt);
  CHECK(settled.market_debt_rate == path.market_debt_rate);
  for (std::size_t y = 0; y < path.years.size(); ++y) {
    INFO("year " << y);
    check_same_line(settled.years[y], path.years[y]);
  }
  CHECK(settled.private_value == path.private_value);
  CHECK_THROWS_AS(hand_settlement(terms, a, {50, 50}), ModelError);
}

TEST_CASE("a settled year depends only on the margins up to it") {
  Terms terms;
  terms.site = SiteRule::capital;
  const ProjectAssumptions a = hand_assumptions();
  const CashFlowStatement low_then_high = hand_settlement(terms, a, {50, 10, 90});
  const CashFlowStatement low_then_low = hand_settlement(terms, a, {50, 10, 0});
  for (std::size_t y = 0; y < 2; ++y) {
    INFO("year " << y);
    check_same_line(low_then_high.years[y], low_then_low.years[y]);
  }
  CHECK(low_then_high.years[2].ebitda != low_then_low.years[2].ebitda);
}

TEST_CASE("a measured shortfall is funded by share within the support, then the SPC defaults") {
  // Debt of 60 (capex 100, 40 paid in) is serviced on a schedule sized on the base case (50 a
  // year), due in full whatever the year earned. No tax, no reserve: a year that earns 10 is short
  // by the service due less 10, which the shareholders fund half and half (public share 0.5).
  Terms terms;
  terms.site = SiteRule::capital;
  terms.paid_in_capital_bn_krw = 40;
  terms.public_equity_share = 0.5;
  ProjectAssumptions a = hand_assumptions();
  a.corporate_tax_rate = 0;
  a.dscr_covenant = 1;
  a.debt_service_reserve_years = 0;
  a.sponsor_support_share = 1;
  const CashFlowStatement supported = hand_settlement(terms, a, {50, 10, 50});
  const CashFlowYear& short_year = supported.years[1];
  REQUIRE(short_year.debt_service_due > 10);
  CHECK(short_year.shortfall == Approx(short_year.debt_service_due - 10));
  CHECK(short_year.private_support == Approx(short_year.shortfall / 2));
  CHECK(short_year.public_support == Approx(short_year.shortfall / 2));
  CHECK(short_year.policy_service + short_year.market_service ==
        Approx(short_year.debt_service_due));
  CHECK_FALSE(short_year.defaulted);
  CHECK(supported.years[0].shortfall == 0);
  CHECK(supported.years[0].public_support == 0);
  // The support is the whole equity (share 1): what is left shrinks by what was funded.
  CHECK(supported.years[0].support_left == Approx(supported.financing.equity));
  CHECK(short_year.support_left == Approx(supported.financing.equity - short_year.shortfall));

  a.sponsor_support_share = 0.01;  // less than the shortfall: the SPC defaults, nobody funds it
  const CashFlowStatement defaulted = hand_settlement(terms, a, {50, 10, 50});
  CHECK(defaulted.years[1].defaulted);
  CHECK(defaulted.years[1].private_support == 0);
  CHECK(defaulted.years[1].public_support == 0);
  CHECK(defaulted.years[1].policy_service + defaulted.years[1].market_service == Approx(10));
  CHECK(defaulted.years[2].defaulted);

  terms.loss_bearing = true;  // the private side funds all of it, whatever its support
  const CashFlowStatement bearing = hand_settlement(terms, a, {50, 10, 50});
  CHECK_FALSE(bearing.years[1].defaulted);
  CHECK(bearing.years[1].private_support == Approx(bearing.years[1].shortfall));
  CHECK(bearing.years[1].public_support == 0);
  CHECK(std::isinf(bearing.years[1].support_left));  // no limit under loss-bearing
}

namespace {
void check_margins(const std::vector<double>& got, const std::vector<double>& want) {
  REQUIRE(got.size() == want.size());
  for (std::size_t j = 0; j < got.size(); ++j) {
    INFO("operating year " << j);
    CHECK(got[j] == Approx(want[j]).epsilon(1e-12));
  }
}
}  // namespace

TEST_CASE("settlement margins: measured years where measured, the outlook's elsewhere") {
  const std::vector<double> expected{100, 90, 80, 70};
  // A year of all 10 GPUs costs 8.76 of O&M; a half year of them half of it.
  const MeasuredOperations full{87600, 43800, 50, 5};
  const MeasuredOperations half{43800, 10000, 20, 2};
  CHECK(full.om(8.76, 10) == Approx(8.76));
  CHECK(half.om(8.76, 10) == Approx(4.38));
  CHECK(half.margin(8.76, 10) == Approx(20 - 2 - 4.38));
  CHECK(half.om(8.76, 0) == 0);
  const std::vector<double> on_time = settlement_margins(expected, {full, half}, 8.76, 10, false);
  check_margins(on_time, {50 - 5 - 8.76, 20 - 2 - 4.38, 80, 70});
  // Delayed: the waterfall's first year is the lost one, measured year 0 is its year 1.
  const std::vector<double> late = settlement_margins(expected, {full, half}, 8.76, 10, true);
  check_margins(late, {100, 50 - 5 - 8.76, 20 - 2 - 4.38, 70});
  // Measured years beyond the contract are left out.
  check_margins(settlement_margins({100}, {full, half}, 8.76, 10, false), {50 - 5 - 8.76});
  CHECK(settlement_line(2, 0, false) == 2);
  CHECK(settlement_line(2, 1, true) == 4);
  CHECK(settlement_line(0, 0, false) == 0);
}

TEST_CASE("an SPC's share of a pool's month: its own pool, its GPUs on the public pool") {
  events::ComputeMonth own;
  own.pool = "spc-call";
  own.capacity_gpu_hours = 1000;
  own.busy_gpu_hours = 400;
  own.value_bn_krw = 2;
  own.energy_cost_bn_krw = 0.5;
  const auto mine = spc_share_of_month(own, "spc-call", "public", 0.4);
  REQUIRE(mine);
  CHECK(mine->capacity_gpu_hours == 1000);
  CHECK(mine->busy_gpu_hours == 400);
  CHECK(mine->sales == 2);  // its commercial sales at full price
  CHECK(mine->power == 0.5);

  events::ComputeMonth shared;
  shared.pool = "public";
  shared.capacity_gpu_hours = 5000;
  shared.sources.push_back({"other-call", 10, 3000, 1000, 3, 1, 0.3});
  shared.sources.push_back({"spc-call", 5, 2000, 500, 1.5, 0.5, 0.2});
  const auto public_share = spc_share_of_month(shared, "spc-call", "public", 0.4);
  REQUIRE(public_share);
  CHECK(public_share->capacity_gpu_hours == 2000);
  CHECK(public_share->busy_gpu_hours == 500);
  CHECK(public_share->sales == Approx(1.5 * 0.6));  // the public share at its discount
  CHECK(public_share->power == 0.2);

  CHECK_FALSE(spc_share_of_month(shared, "third-call", "public", 0.4));
  own.pool = "a-fleet";
  CHECK_FALSE(spc_share_of_month(own, "spc-call", "public", 0.4));
  shared.sources[1].capacity_gpu_hours = 0;  // no GPUs of its on the pool that month
  CHECK_FALSE(spc_share_of_month(shared, "spc-call", "public", 0.4));
}

TEST_CASE("the public-cost ledger adds equity, expected tax expenditure, subsidy and losses") {
  const CallObject object = test::small_call_object();
  Terms terms;
  terms.paid_in_capital_bn_krw = 20;
  terms.public_equity_share = 0.3;
  terms.tax_credit = 0.1;
  terms.policy_loan.share_of_capex = 0.4;
  terms.policy_loan.rate = 0.02;
  terms.policy_loan.years = 8;
  const ProjectAssumptions assumptions;
  const AgentSpec agent = make_provider();
  const TeamProfile team = make_team_profile({&agent});
  const MarketPaths paths = paths_for(Beliefs{}, 51);
  const MemberView lead{&agent, Beliefs{}, 1.0, 1.0};
  const Financing financing = project_financing(object, terms, team, true, Beliefs{}, assumptions);
  const PublicCost cost = public_ledger(object, terms, team, lead, paths, true, assumptions);
  CHECK(cost.equity == financing.public_equity);
  CHECK(cost.loan_subsidy == financing.policy_loan_subsidy);
  CHECK(cost.loan_subsidy > 0);
  // The credit used is at most the credit granted, and worth less on paths that pay little tax.
  CHECK(cost.tax_expenditure >= 0);
  CHECK(cost.tax_expenditure <= financing.tax_credit + 1e-9);
  CHECK(cost.expected_loan_loss >= 0);
  CHECK(cost.expected_loan_loss <= financing.policy_loan + 1e-9);
  CHECK(cost.total() == Approx(cost.equity + cost.tax_expenditure + cost.loan_subsidy +
                               cost.expected_loan_loss + cost.shortfall_support));
  // A loan at the market rate is no subsidy.
  terms.policy_loan.rate = assumptions.market_debt_rate;
  CHECK(project_financing(object, terms, team, true, Beliefs{}, assumptions).policy_loan_subsidy ==
        Approx(0).margin(1e-9));
}

TEST_CASE("the policy loan's subsidy is its principal less its service at the market rate") {
  // All of the capex (100) is a policy loan at 0 % over three years, paid 100/3 in each of years
  // 0, 1 and 2 (the cover ratio allows 150/1.3 of the base case). Its grant equivalent at 5 % is
  // 100 - (100/3) x (1 + 1/1.05 + 1/1.05^2).
  Terms terms;
  terms.site = SiteRule::capital;
  terms.paid_in_capital_bn_krw = 1e-9;
  terms.policy_loan = PolicyLoan{1.0, 0.0, 3};
  ProjectAssumptions a = hand_assumptions();
  a.market_debt_rate = 0.05;
  a.max_leverage = 1;
  const CashFlowStatement s = hand_statement(terms, a);
  const double annuity = 1 + 1 / 1.05 + 1 / (1.05 * 1.05);
  CHECK(s.financing.policy_loan == Approx(100).epsilon(1e-6));
  CHECK(s.financing.policy_loan_subsidy == Approx(100 - 100.0 / 3 * annuity).epsilon(1e-6));
}

TEST_CASE("default risk raises the market lender's rate, and loss-bearing removes it") {
  // The hand project with demand risk: utilisation sits at its cap in the base case, so demand
  // can only take it down. Debt takes all of the base case (cover ratio 1) and nobody supports
  // a shortfall: bad paths default before the debt is repaid, and the lender prices that.
  const AgentSpec agent = make_provider();
  Beliefs beliefs = hand_beliefs(50);
  beliefs.demand_volatility = 0.8;
  Rng rng(7, 0, "default-risk");
  const MarketPaths paths = draw_market_paths(beliefs, 200, 3, rng);
  Terms terms;
  terms.site = SiteRule::capital;
  terms.paid_in_capital_bn_krw = 20;
  ProjectAssumptions a = hand_assumptions();
  a.lender_pricing_iterations = 2;
  a.sponsor_support_share = 0;
  a.dscr_covenant = 1;
  a.corporate_tax_rate = 0;
  const MemberView view{&agent, beliefs, 1.0, 1.0};
  auto statement = [&](const Terms& sheet, const ProjectAssumptions& assumptions) {
    return cash_flow_statement(hand_object(), sheet, TeamProfile{}, view, paths, false, 0,
                               assumptions);
  };
  const CashFlowStatement risky = statement(terms, a);
  REQUIRE(risky.financing.market_debt > 0);
  CHECK(risky.market_debt_rate > a.market_debt_rate + 0.001);
  // The amount lent is as sized; only its price moves.
  CHECK(risky.financing.market_debt == statement(terms, hand_assumptions()).financing.market_debt);
  Terms guaranteed = terms;
  guaranteed.loss_bearing = true;
  CHECK(statement(guaranteed, a).market_debt_rate == a.market_debt_rate);
  a.lender_pricing_iterations = 0;
  CHECK(statement(terms, a).market_debt_rate == a.market_debt_rate);
}

namespace {

/// The bits of a number: two results agree only if these do (0.0 and -0.0 differ).
std::uint64_t bits(double x) {
  return std::bit_cast<std::uint64_t>(x);
}

}  // namespace

TEST_CASE("the valuation's shortcuts change no bit of any result") {
  // Random sheets on harsh markets, so that paths are delayed, carry tax losses, run short of cash
  // and default: each is valued, attributed and costed with the shortcuts (four paths at once,
  // first passes shared between sheets) and without them, and every number must be the same bits.
  // 203 paths: the waterfall of four paths leaves a remainder to the one-path waterfall.
  const AgentSpec agent = make_provider();
  const TeamProfile team = make_team_profile({&agent});
  Rng draw(11, 0, "shortcut-cases");
  int cases_with_defaults = 0;
  int cases_with_shared_passes = 0;
  int cases_with_minimum_tax = 0;
  for (int c = 0; c < 24; ++c) {
    Terms terms = base_terms();
    terms.public_equity_share = draw.uniform(0.0, 0.7);
    terms.buy_back = BuyBack{draw.uniform() < 0.6, 0.04};
    terms.public_preferred = draw.uniform() < 0.3;
    terms.loss_bearing = draw.uniform() < 0.6;
    terms.damages_waiver = draw.uniform() < 0.6;
    terms.domestic_chip_share = draw.uniform() < 0.5 ? 0.3 : 0.0;
    terms.site = draw.uniform() < 0.5 ? SiteRule::any : SiteRule::non_capital;
    terms.tax_credit = draw.uniform() < 0.5 ? 0.15 : 0.0;
    if (draw.uniform() < 0.5) terms.policy_loan = PolicyLoan{0.3, 0.02, 10};
    ProjectAssumptions a;
    a.delay_probability = 0.4;
    a.sponsor_support_share = draw.uniform(0.0, 0.3);
    a.lender_pricing_iterations = 2;
    Beliefs beliefs;
    beliefs.demand_volatility = 0.6;
    beliefs.gpu_hour_price_krw *= draw.uniform(0.6, 1.4);
    // Half the cases with a minimum tax (the four-path waterfall's other instance).
    a.minimum_tax_rate = draw.uniform() < 0.5 ? 0.12 : 0.0;
    if (a.minimum_tax_rate > 0) ++cases_with_minimum_tax;
    a.price_decline_before_operations = draw.uniform(0.0, 1.0);
    const MarketPaths paths = paths_for(beliefs, 100 + static_cast<std::uint64_t>(c), 203);
    const MemberView view{&agent, beliefs, 0.7, 0.6};
    struct Results {
      Valuation valuation;
      TermAttribution attribution;
      PublicCost ledger;
    };
    auto compute = [&](bool shortcuts) {
      detail::valuation_shortcuts() = {shortcuts, shortcuts};
      Results r;
      r.valuation = value_terms(make_object(), terms, team, view, paths, a);
      r.attribution = attribute_terms(make_object(), terms, team, view, paths, a, {}, nullptr);
      r.ledger = public_ledger(make_object(), terms, team, view, paths, true, a);
      detail::valuation_shortcuts() = {};
      return r;
    };
    const Results fast = compute(true);
    const Results plain = compute(false);
    INFO("case " << c);
    CHECK(bits(fast.valuation.value()) == bits(plain.valuation.value()));
    CHECK(bits(fast.valuation.certainty_equivalent) == bits(plain.valuation.certainty_equivalent));
    CHECK(bits(fast.valuation.expected_npv) == bits(plain.valuation.expected_npv));
    CHECK(bits(fast.valuation.npv_sd) == bits(plain.valuation.npv_sd));
    CHECK(bits(fast.valuation.contingent_liability) == bits(plain.valuation.contingent_liability));
    CHECK(bits(fast.attribution.value) == bits(plain.attribution.value));
    CHECK(bits(fast.attribution.neutral_value) == bits(plain.attribution.neutral_value));
    REQUIRE(fast.attribution.effects.size() == plain.attribution.effects.size());
    for (std::size_t k = 0; k < fast.attribution.effects.size(); ++k) {
      INFO(fast.attribution.effects[k].term);
      CHECK(bits(fast.attribution.effects[k].delta) == bits(plain.attribution.effects[k].delta));
    }
    REQUIRE(fast.attribution.interaction.has_value() == plain.attribution.interaction.has_value());
    if (fast.attribution.interaction)
      CHECK(bits(fast.attribution.interaction->delta) ==
            bits(plain.attribution.interaction->delta));
    CHECK(bits(fast.ledger.tax_expenditure) == bits(plain.ledger.tax_expenditure));
    CHECK(bits(fast.ledger.expected_loan_loss) == bits(plain.ledger.expected_loan_loss));
    CHECK(bits(fast.ledger.shortfall_support) == bits(plain.ledger.shortfall_support));
    if (plain.ledger.expected_loan_loss > 0) ++cases_with_defaults;
    if (fast.attribution.exact && (terms.loss_bearing || terms.damages_waiver))
      ++cases_with_shared_passes;
  }
  // The cases exercise what the shortcuts must get right.
  CHECK(cases_with_defaults >= 4);
  CHECK(cases_with_shared_passes >= 8);
  CHECK(cases_with_minimum_tax >= 4);
}
