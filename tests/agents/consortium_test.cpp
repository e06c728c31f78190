// Consortium formation (agents/src/consortium.cpp) and a member's decision to take part
// (agents/src/participation.cpp): the relationship graph, the order in which a lead approaches
// partners, the equity split under capital limits, and why a member refuses.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

#include <algorithm>
#include <numeric>
#include <string>
#include <vector>

#include "tenderlab/agents/consortium.hpp"
#include "tenderlab/agents/participation.hpp"
#include "tenderlab/agents/tender_rules.hpp"
#include "tenderlab/engine/input_error.hpp"

using namespace tenderlab;

namespace {

AgentSpec make_agent(const std::string& id, AgentKind kind, double capital = 1000,
                     double max_commitment = 0.5) {
  AgentSpec agent;
  agent.id = id;
  agent.kind = kind;
  agent.capital_bn_krw = capital;
  agent.max_commitment = max_commitment;
  return agent;
}

Relationship tie(const std::string& from, const std::string& to, double strength) {
  return Relationship{from, to, strength};
}

double sum(const std::vector<double>& values) {
  return std::accumulate(values.begin(), values.end(), 0.0);
}

/// A lead with strong cloud operations and a ring of possible partners.
Scenario partner_market() {
  Scenario s;
  AgentSpec lead = make_agent("lead", AgentKind::named("cloud_provider"));
  lead.capabilities.cloud_operations = 0.9;
  AgentSpec power = make_agent("power", AgentKind::named("telco"));
  power.capabilities.sites_power = 0.8;  // gain 0.25 * 0.8 * 100 = 20, tie 1.0 -> 20
  AgentSpec uni = make_agent("uni", AgentKind::named("university"));
  uni.capabilities.academia = 0.7;  // gain 7, tie 1.0 -> 7
  AgentSpec builder = make_agent("builder", AgentKind::named("builder"));
  builder.capabilities.construction = 0.9;  // gain 13.5, tie 0.5 -> 6.75
  // Three partners that add no capability the lead lacks: ordered by tie, then by id.
  AgentSpec z_peer = make_agent("z-peer", AgentKind::named("cloud_provider"));
  z_peer.capabilities.cloud_operations = 0.5;
  AgentSpec a_peer = z_peer, b_peer = z_peer;
  a_peer.id = "a-peer";
  b_peer.id = "b-peer";
  AgentSpec gov = make_agent("gov", AgentKind::named("government"));
  gov.capabilities.sites_power = 1.0;
  AgentSpec bank = make_agent("bank", AgentKind::named("policy_bank"));
  AgentSpec far = make_agent("far", AgentKind::named("chip_maker"));
  far.capabilities.chips = 1.0;
  s.agents = {lead, power, uni, builder, z_peer, a_peer, b_peer, gov, bank, far};
  s.relationships = {tie("lead", "builder", 0.5), tie("uni", "lead", 1.0),
                     tie("lead", "power", 1.0),   tie("lead", "z-peer", 0.6),
                     tie("b-peer", "lead", 0.3),  tie("lead", "a-peer", 0.3),
                     tie("lead", "gov", 1.0),     tie("bank", "lead", 1.0)};
  return s;
}

CallObject make_object() {
  return test::small_call_object();
}

CallSpec make_call() {
  CallSpec call;
  call.id = "call";
  call.object = make_object();
  call.terms.public_equity_share = 0.3;
  call.terms.site = SiteRule::capital;
  return call;
}

CallRound make_round(const CallSpec& call) {
  CallRound round;
  round.call = &call;
  round.terms = call.terms;
  round.min_valid_bids = 1;
  return round;
}

MarketPaths make_paths(const Beliefs& beliefs, std::uint64_t seed = 3) {
  Rng rng(seed, 0, "consortium-test");
  return draw_market_paths(beliefs, 100, 8, rng);
}

/// A market in which the project pays: GPU hours sell at twice the default price.
Beliefs good_market() {
  Beliefs beliefs;
  beliefs.gpu_hour_price_krw = 6000;
  return beliefs;
}

AgentSpec rich_provider(const std::string& id) {
  AgentSpec agent = make_agent(id, AgentKind::named("cloud_provider"), 2000, 0.5);
  agent.capabilities.cloud_operations = 0.9;
  agent.capabilities.sites_power = 0.6;
  agent.bid_cost_bn_krw = 0.5;
  return agent;
}

}  // namespace

TEST_CASE("relationship strength is symmetric and zero without a tie") {
  Scenario s;
  s.agents = {make_agent("a", AgentKind::named("telco")),
              make_agent("b", AgentKind::named("builder")),
              make_agent("c", AgentKind::named("university"))};
  s.relationships = {tie("a", "b", 0.4)};
  const RelationshipGraph graph(s);
  CHECK(graph.strength("a", "b") == 0.4);
  CHECK(graph.strength("b", "a") == 0.4);
  CHECK(graph.strength("a", "c") == 0.0);
  CHECK(graph.strength("a", "nobody") == 0.0);
  CHECK(graph.neighbours("nobody").empty());
  CHECK(graph.neighbours("c").empty());
}

TEST_CASE("a relationship listed twice keeps its strongest strength, in either direction") {
  Scenario s;
  s.agents = {make_agent("a", AgentKind::named("telco")),
              make_agent("b", AgentKind::named("builder")),
              make_agent("c", AgentKind::named("university"))};
  s.relationships = {tie("b", "a", 0.3), tie("a", "b", 0.7), tie("a", "b", 0.5), tie("a", "c", 0.9),
                     tie("c", "a", 0.2)};
  const RelationshipGraph graph(s);
  CHECK(graph.strength("a", "b") == 0.7);
  CHECK(graph.strength("b", "a") == 0.7);
  CHECK(graph.strength("c", "a") == 0.9);
  CHECK(graph.neighbours("a").size() == 2);  // no duplicate edges
}

TEST_CASE("neighbours are ordered by id, not by the order relationships were listed") {
  Scenario s;
  s.agents = {make_agent("hub", AgentKind::named("telco")),
              make_agent("d", AgentKind::named("builder")),
              make_agent("b", AgentKind::named("university")),
              make_agent("c", AgentKind::named("chip_maker"))};
  s.relationships = {tie("hub", "d", 0.1), tie("c", "hub", 0.2), tie("hub", "b", 0.3)};
  const RelationshipGraph graph(s);
  const auto n = graph.neighbours("hub");
  REQUIRE(n.size() == 3);
  CHECK(n[0] == std::pair<std::string, double>{"b", 0.3});
  CHECK(n[1] == std::pair<std::string, double>{"c", 0.2});
  CHECK(n[2] == std::pair<std::string, double>{"d", 0.1});
}

TEST_CASE("complementarity counts only capabilities beyond the team's, times the tie") {
  Capabilities team, candidate;
  team.cloud_operations = 0.9;
  candidate.cloud_operations = 1.0;  // gain 0.1 -> 3 points
  candidate.sites_power = 0.4;       // gain 0.4 -> 10 points
  CHECK(complementarity(team, candidate, 1.0) == Approx(13.0));
  CHECK(complementarity(team, candidate, 0.5) == Approx(6.5));
  CHECK(complementarity(candidate, team, 1.0) == 0.0);
}

TEST_CASE("candidate_order puts the most complementary partner first") {
  const Scenario s = partner_market();
  const RelationshipGraph graph(s);
  const AgentSpec& lead = *s.find_agent("lead");
  const auto order = candidate_order(s, graph, "lead", lead.capabilities, {});
  CHECK(order == std::vector<std::string>{"power", "uni", "builder", "z-peer", "a-peer", "b-peer"});
}

TEST_CASE("candidate_order excludes unavailable agents, non-private agents and strangers") {
  const Scenario s = partner_market();
  const RelationshipGraph graph(s);
  const AgentSpec& lead = *s.find_agent("lead");
  const auto order = candidate_order(s, graph, "lead", lead.capabilities, {"uni", "z-peer"});
  CHECK(order == std::vector<std::string>{"power", "builder", "a-peer", "b-peer"});
  for (const auto& id : order) {
    CHECK(id != "gov");   // government
    CHECK(id != "bank");  // policy bank
    CHECK(id != "far");   // no relationship with the lead
  }
}

TEST_CASE("candidate_order reflects what the team already has") {
  const Scenario s = partner_market();
  const RelationshipGraph graph(s);
  Capabilities team = s.find_agent("lead")->capabilities;
  team.sites_power = 0.8;  // the team already has power: the telco adds nothing now
  const auto order = candidate_order(s, graph, "lead", team, {});
  CHECK(order == std::vector<std::string>{"uni", "builder", "power", "z-peer", "a-peer", "b-peer"});
}

TEST_CASE("candidate_order is the same whatever the order of agents and relationships") {
  Scenario s = partner_market();
  const RelationshipGraph graph(s);
  const Capabilities team = s.find_agent("lead")->capabilities;
  const auto order = candidate_order(s, graph, "lead", team, {});
  Scenario shuffled = s;
  std::reverse(shuffled.agents.begin(), shuffled.agents.end());
  std::reverse(shuffled.relationships.begin(), shuffled.relationships.end());
  const RelationshipGraph shuffled_graph(shuffled);
  CHECK(candidate_order(shuffled, shuffled_graph, "lead", team, {}) == order);
}

TEST_CASE("equity shares add up to one") {
  const Scenario s = partner_market();
  std::vector<const AgentSpec*> team;
  for (const auto& agent : s.agents) {
    if (!agent.kind.may(Role::join, CallKind::spc_partner)) continue;
    team.push_back(&agent);
    for (double commitment : {0.0, 10.0, 500.0, 1e6})
      CHECK(sum(equity_split(team, commitment)) == Approx(1.0).epsilon(1e-12));
  }
}

TEST_CASE("the lead's weight counts double in the equity split") {
  const AgentSpec lead = make_agent("lead", AgentKind::named("cloud_provider"));
  const AgentSpec partner = make_agent("partner", AgentKind::named("telco"));
  const auto shares = equity_split({&lead, &partner}, 100);
  REQUIRE(shares.size() == 2);
  CHECK(shares[0] == Approx(2.0 / 3.0));
  CHECK(shares[1] == Approx(1.0 / 3.0));

  // Weight is 1 + the sum of capabilities: a partner with capabilities summing to 1 weighs 2.
  AgentSpec able = partner;
  able.capabilities.construction = 0.6;
  able.capabilities.academia = 0.4;
  const auto weighted = equity_split({&lead, &able}, 100);
  CHECK(weighted[0] == Approx(0.5));
  CHECK(weighted[1] == Approx(0.5));
}

TEST_CASE("no member is given more than it can commit when the team can cover the commitment") {
  // Limits: lead 0.5 x 100 = 50, partner 0.5 x 400 = 200, third 0.5 x 1000 = 500.
  const AgentSpec lead = make_agent("lead", AgentKind::named("cloud_provider"), 100);
  const AgentSpec partner = make_agent("partner", AgentKind::named("telco"), 400);
  const AgentSpec third = make_agent("third", AgentKind::named("builder"), 1000);
  const std::vector<const AgentSpec*> team{&lead, &partner, &third};
  for (double commitment : {100.0, 200.0, 400.0, 600.0, 750.0}) {
    INFO("commitment " << commitment);
    const auto shares = equity_split(team, commitment);
    CHECK(sum(shares) == Approx(1.0).epsilon(1e-12));
    for (std::size_t i = 0; i < team.size(); ++i) {
      const double limit = team[i]->max_commitment * team[i]->capital_bn_krw;
      CHECK(shares[i] * commitment <= limit + 1e-9);
      CHECK(shares[i] >= 0.0);
    }
  }
  // At 400: weights 2:1:1 would give the lead 200 > 50, so it is capped at 50/400 and the rest
  // is split 1:1.
  const auto shares = equity_split(team, 400);
  CHECK(shares[0] == Approx(0.125));
  CHECK(shares[1] == Approx(0.4375));
  CHECK(shares[2] == Approx(0.4375));
  // At 600, the partner's cap binds next (200/600), and the third takes the rest.
  const auto tight = equity_split(team, 600);
  CHECK(tight[0] == Approx(50.0 / 600));
  CHECK(tight[1] == Approx(200.0 / 600));
  CHECK(tight[2] == Approx(350.0 / 600));
}

TEST_CASE("a commitment the team cannot cover is spread over the limits by weight") {
  // Limits 10 and 20 out of 100: 70 % is left over and goes 2:1 to the lead and the partner.
  const AgentSpec lead = make_agent("lead", AgentKind::named("cloud_provider"), 20);
  const AgentSpec partner = make_agent("partner", AgentKind::named("telco"), 40);
  const auto shares = equity_split({&lead, &partner}, 100);
  CHECK(shares[0] == Approx(0.1 + 0.7 * 2.0 / 3.0));
  CHECK(shares[1] == Approx(0.2 + 0.7 / 3.0));
  CHECK(sum(shares) == Approx(1.0));
  CHECK(shares[0] > 0.1);  // both over-commit
  CHECK(shares[1] > 0.2);
}

TEST_CASE("when a member withdraws the rest split the equity again within their limits") {
  const AgentSpec lead = make_agent("lead", AgentKind::named("cloud_provider"), 100);
  const AgentSpec partner = make_agent("partner", AgentKind::named("telco"), 400);
  const AgentSpec third = make_agent("third", AgentKind::named("builder"), 1000);
  const double commitment = 400;
  const auto before = equity_split({&lead, &partner, &third}, commitment);
  const auto after = equity_split({&lead, &third}, commitment);  // the partner withdraws
  REQUIRE(after.size() == 2);
  CHECK(sum(after) == Approx(1.0));
  CHECK(after[0] == Approx(50.0 / 400));  // the lead stays at its cap
  CHECK(after[1] == Approx(350.0 / 400));
  CHECK(after[0] >= before[0] - 1e-12);  // nobody left gets less
  CHECK(after[1] >= before[2] - 1e-12);
  CHECK(after[1] * commitment <= third.max_commitment * third.capital_bn_krw + 1e-9);
}

TEST_CASE("a lone lead takes the whole private side") {
  const AgentSpec lead = make_agent("lead", AgentKind::named("cloud_provider"), 10);
  CHECK(equity_split({&lead}, 100) == std::vector<double>{1.0});
}

TEST_CASE("partner_improves when the lead's value rises") {
  Valuation without, with;
  without.certainty_equivalent = 10;
  with.certainty_equivalent = 10;
  CHECK_FALSE(partner_improves(without, with));  // equal is no improvement
  with.capital_cost = 1;
  CHECK_FALSE(partner_improves(without, with));
  without.capital_cost = 3;  // a partner that relieves over-committed capital
  CHECK(partner_improves(without, with));
  with.win_probability = 0.2;  // but not if the bid becomes much less likely to win
  CHECK_FALSE(partner_improves(without, with));
}

TEST_CASE("a member of a profitable project accepts, with its share of the split") {
  const AgentSpec lead = rich_provider("lead");
  AgentSpec partner = make_agent("partner", AgentKind::named("builder"), 1500, 0.5);
  partner.capabilities.construction = 0.8;
  partner.bid_cost_bn_krw = 0.2;
  const CallSpec call = make_call();
  const CallRound round = make_round(call);
  const MarketPaths paths = make_paths(good_market());
  const std::vector<const AgentSpec*> team{&lead, &partner};
  const auto lead_view = assess_member(round, team, 0, good_market(), paths, 0.0, true, {});
  const auto partner_view = assess_member(round, team, 1, good_market(), paths, 0.0, false, {});
  INFO("lead: " << lead_view.refusal << " partner: " << partner_view.refusal);
  CHECK(lead_view.accepts());
  CHECK(partner_view.accepts());
  CHECK(lead_view.shares == partner_view.shares);
  CHECK(lead_view.share == lead_view.shares[0]);
  CHECK(partner_view.share == partner_view.shares[1]);
  CHECK(lead_view.attribution.effects.size() == term_names().size());  // asked for
  CHECK(partner_view.attribution.effects.empty());                     // not asked for
  CHECK(lead_view.valuation.win_probability == 1.0);                   // no rivals
}

TEST_CASE("a member's win probability comes from the team's expected score against rivals") {
  const AgentSpec lead = rich_provider("lead");
  const CallSpec call = make_call();
  const CallRound round = make_round(call);
  const MarketPaths paths = make_paths(Beliefs{});
  const TeamProfile profile = make_team_profile({&lead});
  const double own = expected_score(round, profile.capabilities, profile.cloud_providers);
  const std::vector<double> rivals{own, own + 3};
  const auto view = assess_member(round, {&lead}, 0, Beliefs{}, paths, 0.0, false, rivals);
  CHECK(view.valuation.win_probability ==
        Approx(win_probability(own, rivals, ProjectAssumptions{}.score_temperature)));
  CHECK(view.valuation.win_probability < 0.5);
}

TEST_CASE("a member whose value inside the team is not positive refuses") {
  const AgentSpec lead = rich_provider("lead");
  AgentSpec reluctant = make_agent("reluctant", AgentKind::named("telco"), 1500, 0.5);
  reluctant.strategic_value_bn_krw = -1000;  // taking part costs it more than anything it gains
  const CallSpec call = make_call();
  const CallRound round = make_round(call);
  const MarketPaths paths = make_paths(good_market());
  const std::vector<const AgentSpec*> team{&lead, &reluctant};
  const auto view = assess_member(round, team, 1, good_market(), paths, 0.0, false, {});
  CHECK_FALSE(view.accepts());
  CHECK(view.valuation.value() <= 0);
  CHECK(view.refusal.rfind("value ", 0) == 0);
  CHECK(view.refusal.find(" not positive") != std::string::npos);
  CHECK(view.refusal.find("exceeds its limit") == std::string::npos);  // it can afford it
  // The lead, with the same split, still takes part.
  CHECK(assess_member(round, team, 0, good_market(), paths, 0.0, false, {}).accepts());
}

TEST_CASE("a member refuses when its outside option is worth more") {
  const AgentSpec lead = rich_provider("lead");
  const CallSpec call = make_call();
  const CallRound round = make_round(call);
  const MarketPaths paths = make_paths(good_market());
  const auto inside = assess_member(round, {&lead}, 0, good_market(), paths, 0.0, false, {});
  REQUIRE(inside.accepts());
  const double outside = inside.valuation.value() + 1.0;
  const auto view = assess_member(round, {&lead}, 0, good_market(), paths, outside, false, {});
  CHECK_FALSE(view.accepts());
  CHECK(view.refusal.find("below its outside option") != std::string::npos);
}

TEST_CASE("a member that cannot afford its commitment refuses and says so") {
  AgentSpec poor =
      make_agent("poor", AgentKind::named("cloud_provider"), 2, 0.5);  // limit 1 bn KRW
  poor.capabilities.cloud_operations = 0.9;
  const CallSpec call = make_call();
  const CallRound round = make_round(call);
  const MarketPaths paths = make_paths(Beliefs{});
  const auto view = assess_member(round, {&poor}, 0, Beliefs{}, paths, 0.0, false, {});
  CHECK_FALSE(view.accepts());
  CHECK_FALSE(view.valuation.affordable());
  CHECK(view.valuation.capital_cost > 0);
  CHECK(view.refusal.find("not positive") != std::string::npos);
  CHECK(view.refusal.find("(equity and contingent liabilities) exceeds its limit 1.0 bn KRW") !=
        std::string::npos);
}

TEST_CASE("a partner with no capital to commit is assessed without a model error") {
  // equity_split gives a member whose limit is 0 (capital_bn_krw defaults to 0) a share of 0
  // when the others can cover the commitment; value_terms then rejects the share of 0 with a
  // ModelError, which inside an actor ends the whole run.
  const AgentSpec lead = rich_provider("lead");
  AgentSpec uni = make_agent("uni", AgentKind::named("university"), 0, 0.5);
  uni.capabilities.academia = 0.8;
  const CallSpec call = make_call();
  const CallRound round = make_round(call);
  const MarketPaths paths = make_paths(good_market());
  const std::vector<const AgentSpec*> team{&lead, &uni};
  const auto private_commitment =
      project_financing(call.object, call.terms, make_team_profile(team), false, good_market())
          .private_commitment();
  REQUIRE(equity_split(team, private_commitment)[1] == 0.0);
  CHECK_NOTHROW(assess_member(round, team, 1, good_market(), paths, 0.0, false, {}));
}

TEST_CASE("beliefs_for starts from the agent's own beliefs and adds its private signal") {
  AgentSpec agent = make_agent("a", AgentKind::named("telco"));
  Beliefs market;
  market.demand_growth = 0.1;
  market.belief_noise = 0.0;
  Rng quiet_rng(1, 0, "a");
  CHECK(beliefs_for(agent, market, quiet_rng).demand_growth == 0.1);

  Beliefs own = market;
  own.demand_growth = 0.3;
  own.belief_noise = 0.05;
  agent.beliefs = own;
  Rng first(1, 0, "a"), second(1, 0, "a");
  const double growth = beliefs_for(agent, market, first).demand_growth;
  CHECK(growth != 0.3);
  CHECK(growth == Approx(0.3).margin(0.5));
  CHECK(beliefs_for(agent, market, second).demand_growth == growth);  // same stream, same signal
  // The signal is drawn even without noise, so both streams advanced by the same amount.
  Rng third(1, 0, "a"), fourth(1, 0, "a");
  agent.beliefs.reset();
  (void)beliefs_for(agent, market, third);
  agent.beliefs = own;
  (void)beliefs_for(agent, market, fourth);
  CHECK(third.next_u64() == fourth.next_u64());
}
