// The competition of a round (agents/src/competition.cpp): which scores a team expects to compete
// against as teams register and leads withdraw. Checked against the definition, computed the
// direct way, over a long random sequence of registrations and withdrawals.
#include <catch2/catch.hpp>

#include "fixtures.hpp"

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "tenderlab/agents/competition.hpp"
#include "tenderlab/agents/tender_rules.hpp"
#include "tenderlab/agents/valuation.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/rng.hpp"

using namespace tenderlab;

namespace {

struct Market {
  Scenario scenario;
  CallSpec call;
  CallRound round;
  std::vector<std::string> leads;  ///< in the order they prepare
};

/// `leads` cloud providers with distinct operations levels and `partners` builders; the leads
/// prepare in reverse id order, so that rank and id order differ.
Market make_market(std::size_t leads, std::size_t partners) {
  Market m;
  m.call.id = "call";
  m.call.object = test::small_call_object();
  m.call.evaluation.technical_weight = 0.7;
  m.call.evaluation.price_weight = 0.3;
  m.round.call = &m.call;
  m.round.terms.multi_csp_bonus = 5;
  for (std::size_t i = 0; i < leads; ++i) {
    AgentSpec agent;
    agent.id = "lead-" + std::to_string(100 + i);
    agent.kind = AgentKind::named(i % 2 ? "telco" : "cloud_provider");
    agent.capabilities.cloud_operations = 0.3 + 0.6 * static_cast<double>(i) / leads;
    agent.capabilities.sites_power = static_cast<double>(i % 5) / 5;
    m.scenario.agents.push_back(agent);
    m.leads.insert(m.leads.begin(), agent.id);
  }
  for (std::size_t i = 0; i < partners; ++i) {
    AgentSpec agent;
    agent.id = "partner-" + std::to_string(100 + i);
    agent.kind = AgentKind::named("builder");
    agent.capabilities.construction = 0.8;
    m.scenario.agents.push_back(agent);
  }
  m.scenario.index_agents();
  return m;
}

double solo_score(const Market& m, const std::string& id) {
  const TeamProfile solo = make_team_profile({m.scenario.find_agent(id)});
  return expected_score(m.round, solo.capabilities, solo.cloud_providers);
}

/// The rivals of `team` by their definition: every registered team but its own, then every lead
/// in order that is neither in a registered team, withdrawn, nor in `team`.
struct Reference {
  struct Team {
    std::string lead;
    std::vector<std::string> members;
    double score;
  };
  std::vector<Team> registered;
  std::set<std::string> withdrawn;

  std::vector<double> rivals(const Market& m, const std::vector<std::string>& team) const {
    std::set<std::string> accounted(team.begin(), team.end());
    std::vector<double> scores;
    for (const auto& t : registered) {
      accounted.insert(t.members.begin(), t.members.end());
      if (t.lead != team.front()) scores.push_back(t.score);
    }
    accounted.insert(withdrawn.begin(), withdrawn.end());
    for (const auto& lead : m.leads)
      if (!accounted.count(lead)) scores.push_back(solo_score(m, lead));
    return scores;
  }
};

}  // namespace

TEST_CASE("competition: before anybody registers, a lead's rivals are the other leads in order") {
  const Market m = make_market(4, 2);
  const Competition c(m.round, m.scenario, m.leads);
  // Leads prepare lead-103, lead-102, lead-101, lead-100.
  CHECK(c.lead_rank("lead-103") == 0u);
  CHECK(c.lead_rank("lead-100") == 3u);
  CHECK_FALSE(c.lead_rank("partner-100"));
  CHECK_FALSE(c.lead_rank("nobody"));
  const std::vector<double> rivals = c.rival_scores({"lead-102", "partner-100"});
  CHECK(rivals == std::vector<double>{solo_score(m, "lead-103"), solo_score(m, "lead-101"),
                                      solo_score(m, "lead-100")});
}

TEST_CASE("competition: a registered team counts once, at its score, and its members not alone") {
  const Market m = make_market(4, 2);
  Competition c(m.round, m.scenario, m.leads);
  c.register_team("lead-103", {"lead-103", "lead-100", "partner-100"}, 77.5);
  c.withdraw("lead-101");
  CHECK(c.rival_scores({"lead-102"}) == std::vector<double>{77.5});
  // The registered team's own lead does not compete against itself.
  CHECK(c.rival_scores({"lead-103", "lead-100", "partner-100"}) ==
        std::vector<double>{solo_score(m, "lead-102")});
  // Withdrawing a partner (not a lead) changes nothing.
  c.withdraw("partner-101");
  CHECK(c.rival_scores({"lead-102"}) == std::vector<double>{77.5});
}

TEST_CASE("competition: a lead that is not an agent of the scenario is a model error") {
  const Market m = make_market(2, 0);
  std::vector<std::string> leads = m.leads;
  leads.push_back("ghost");
  CHECK_THROWS_AS(Competition(m.round, m.scenario, leads), ModelError);
}

TEST_CASE("competition: rival lists match their definition through 300 registrations and exits") {
  const Market m = make_market(60, 40);
  Competition c(m.round, m.scenario, m.leads);
  Reference reference;
  Rng rng(7, 0, "competition-test");
  auto any_agent = [&] { return m.scenario.agents[rng.below(m.scenario.agents.size())].id; };
  for (int step = 0; step < 300; ++step) {
    // A team: a lead and up to three other agents, possibly already accounted for.
    std::vector<std::string> team{m.leads[rng.below(m.leads.size())]};
    for (std::uint64_t k = rng.below(4); k > 0; --k) {
      const std::string member = any_agent();
      if (std::find(team.begin(), team.end(), member) == team.end()) team.push_back(member);
    }
    REQUIRE(c.rival_scores(team) == reference.rivals(m, team));
    const double choice = rng.uniform();
    if (choice < 0.2) {
      const double score = 40 + 50 * rng.uniform();
      c.register_team(team.front(), team, score);
      reference.registered.push_back({team.front(), team, score});
    } else if (choice < 0.4) {
      const std::string who = any_agent();
      c.withdraw(who);
      reference.withdrawn.insert(who);
    }
  }
}

TEST_CASE("lead preparation: one hour apart from the day after the announcement when all fit") {
  const double announced = 1000 * 86400.0;
  const double due = announced + 30 * 86400.0 + 16 * 3600.0;  // 30 days later at 16:00
  CHECK(lead_preparation_time(announced, due, 9, 0) == announced + 86400.0);
  CHECK(lead_preparation_time(announced, due, 9, 8) == announced + 86400.0 + 8 * 3600.0);
  // From the first slot, 29 days and 16 hours (712 hours) leave room for 712 leads an hour apart;
  // a 713th makes them share the time.
  CHECK(lead_preparation_time(announced, due, 712, 711) == announced + 86400.0 + 711 * 3600.0);
  CHECK(lead_preparation_time(announced, due, 713, 712) < announced + 86400.0 + 712 * 3600.0);
}

TEST_CASE("lead preparation: more leads than hours before the deadline share the time left") {
  const double announced = 1000 * 86400.0;
  const double due = announced + 2 * 86400.0 + 16 * 3600.0;  // 40 hours after the first slot
  const std::size_t leads = 6000;
  double previous = -1;
  for (std::size_t rank = 0; rank < leads; ++rank) {
    const double slot = lead_preparation_time(announced, due, leads, rank);
    REQUIRE(slot > previous);  // the order of preparation is kept
    REQUIRE(slot < due);       // every lead prepares before bids are due
    previous = slot;
  }
  CHECK(lead_preparation_time(announced, due, leads, 0) == announced + 86400.0);
  CHECK(lead_preparation_time(announced, due, leads, 3000) ==
        Approx(announced + 86400.0 + 20 * 3600.0));
}

TEST_CASE("lead preparation: bids due on the announcement day leave the hours until then") {
  const double announced = 1000 * 86400.0;
  const double due = announced + 16 * 3600.0;
  CHECK(lead_preparation_time(announced, due, 1, 0) == announced);
  CHECK(lead_preparation_time(announced, due, 4, 3) == announced + 12 * 3600.0);
  CHECK(lead_preparation_time(announced, due, 4, 3) < due);
}
