// Who bids in an SPC partner round (agents/src/entry.cpp): team formation by deferred acceptance
// and the entry game, on small made-up games, and their independence of the order of the input.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "tenderlab/agents/entry.hpp"
#include "tenderlab/engine/rng.hpp"

using namespace tenderlab;

namespace {

EntryCandidate team(const std::string& lead, double score, double if_won, double bid_cost) {
  return EntryCandidate{lead, score, {if_won}, {bid_cost}};
}

/// Shuffles a copy of `items` with a seeded stream (Fisher-Yates on Rng::below).
template <class T>
std::vector<T> shuffled(std::vector<T> items, Rng& rng) {
  for (std::size_t i = items.size(); i > 1; --i)
    std::swap(items[i - 1], items[rng.below(i)]);
  return items;
}

}  // namespace

TEST_CASE("two symmetric teams of which only one can profitably enter: two equilibria, logged") {
  // Alone a team wins for sure (value 10 - 6 > 0); against the other it wins half the time
  // (0.5 x 10 - 6 < 0). So {a} and {b} are equilibria; neither nobody nor both.
  EntryGame game;
  game.teams = {team("a", 80, 10, 6), team("b", 80, 10, 6)};
  Rng rng(7, 0, "entry-test");
  const EntryOutcome outcome = solve_entry_game(game, rng);
  REQUIRE(outcome.equilibria.size() == 2);
  CHECK(outcome.equilibria[0] == std::vector<std::string>{"a"});
  CHECK(outcome.equilibria[1] == std::vector<std::string>{"b"});
  CHECK(outcome.selection == EntrySelection::seeded_draw);
  REQUIRE(outcome.entrants.size() == 1);
  CHECK(outcome.entrants.front() == outcome.equilibria.at(outcome.chosen).front());

  FormedTeams formed;
  formed.teams = {{"a"}, {"b"}};
  const events::EntrySettled logged = entry_settled_event("call", 1, formed, game, outcome);
  CHECK(logged.equilibria.size() == 2);
  CHECK(logged.selection == "seeded_draw");
  CHECK(logged.chosen == static_cast<int>(outcome.chosen));
  CHECK(logged.entrants == outcome.entrants);
  CHECK(logged.teams.size() == 2);
  CHECK(logged.teams[outcome.chosen].enters);
  CHECK_FALSE(logged.teams[1 - outcome.chosen].enters);
  CHECK(logged.teams[outcome.chosen].win_probability == 1.0);
}

TEST_CASE("the draw between several equilibria follows the seed and reaches each of them") {
  EntryGame game;
  game.teams = {team("a", 80, 10, 6), team("b", 80, 10, 6)};
  std::map<std::string, int> chosen;
  for (std::uint64_t seed = 0; seed < 40; ++seed) {
    Rng first(seed, 0, "entry"), second(seed, 0, "entry");
    const EntryOutcome one = solve_entry_game(game, first);
    const EntryOutcome again = solve_entry_game(game, second);
    CHECK(one.entrants == again.entrants);
    ++chosen[one.entrants.front()];
  }
  CHECK(chosen["a"] > 0);
  CHECK(chosen["b"] > 0);
}

TEST_CASE("a dominant entrant enters whatever the others do, and keeps the weak team out") {
  // "strong" outscores "weak" by 30 points: with a temperature of 5 it wins almost surely
  // against it and profits either way; "weak" would profit only alone.
  EntryGame game;
  game.teams = {team("weak", 50, 10, 4), team("strong", 80, 100, 5)};
  Rng rng(1, 0, "entry-test");
  const EntryOutcome outcome = solve_entry_game(game, rng);
  REQUIRE(outcome.equilibria.size() == 1);
  CHECK(outcome.selection == EntrySelection::unique);
  CHECK(outcome.entrants == std::vector<std::string>{"strong"});
  CHECK(outcome.leads == std::vector<std::string>{"strong", "weak"});
  CHECK(outcome.win_probability[0] == 1.0);
  CHECK(outcome.win_probability[1] < 0.01);
}

TEST_CASE("a team enters only when every member gains") {
  EntryCandidate pair{"lead", 80, {10, 10}, {1, 12}};
  CHECK_FALSE(entry_pays(pair, 1.0));  // the partner's bid cost exceeds what it gains
  pair.bid_cost = {1, 2};
  CHECK(entry_pays(pair, 1.0));
  CHECK_FALSE(entry_pays(pair, 0.1));
  CHECK_FALSE(entry_pays(EntryCandidate{"empty", 0, {}, {}}, 1.0));
}

TEST_CASE("nobody enters when bidding never pays, and that is the unique equilibrium") {
  EntryGame game;
  game.teams = {team("a", 80, -50, 5), team("b", 70, 3, 5)};
  Rng rng(1, 0, "entry-test");
  const EntryOutcome outcome = solve_entry_game(game, rng);
  REQUIRE(outcome.equilibria.size() == 1);
  CHECK(outcome.equilibria.front().empty());
  CHECK(outcome.entrants.empty());
}

TEST_CASE("several teams can enter together when the prize is large enough") {
  EntryGame game;
  game.teams = {team("a", 80, 100, 5), team("b", 80, 100, 5), team("c", 80, 100, 5)};
  Rng rng(1, 0, "entry-test");
  const EntryOutcome outcome = solve_entry_game(game, rng);
  REQUIRE(outcome.equilibria.size() == 1);
  CHECK(outcome.entrants == std::vector<std::string>{"a", "b", "c"});
  CHECK(outcome.win_probability[0] == Approx(1.0 / 3));
}

TEST_CASE("games too large to enumerate are played by best responses, and logged so") {
  EntryGame game;
  game.teams = {team("a", 80, 10, 6), team("b", 80, 10, 6), team("c", 60, 10, 6)};
  game.max_enumerated_teams = 2;
  Rng rng(1, 0, "entry-test");
  const EntryOutcome outcome = solve_entry_game(game, rng);
  CHECK(outcome.selection == EntrySelection::best_response);
  // From nobody, "a" (first by id) enters alone, then nobody else gains: an equilibrium.
  CHECK(outcome.entrants == std::vector<std::string>{"a"});
  REQUIRE(outcome.equilibria.size() == 1);
}

TEST_CASE("two teams led by the same agent are a defect") {
  EntryGame game;
  game.teams = {team("a", 80, 10, 4), team("a", 70, 10, 4)};
  Rng rng(1, 0, "entry-test");
  CHECK_THROWS(solve_entry_game(game, rng));
}

namespace {

/// A small formation problem: two leads, three partners. A member gets its own worth, half the
/// others' and pays 1 per partner for coordination; p1 has a closer tie to L2 (+2 there). Both
/// leads want p1 first, so they compete for it.
struct ToyMarket {
  std::map<std::string, double> worth{{"L1", 10}, {"L2", 8}, {"p1", 6}, {"p2", 3}, {"p3", -2}};
  std::map<std::string, std::vector<std::string>> neighbours{{"L1", {"p1", "p2", "p3"}},
                                                             {"L2", {"p1", "p2"}}};
  FormationProblem problem() const {
    FormationProblem p;
    p.leads = {"L1", "L2"};
    p.candidates = [this](const std::string& lead, const std::vector<std::string>&) {
      return neighbours.at(lead);
    };
    p.value = [this](const std::vector<std::string>& team, std::size_t member) {
      double others = 0;
      for (std::size_t j = 0; j < team.size(); ++j)
        if (j != member) others += worth.at(team[j]);
      const double tie = team[member] == "p1" && team.front() == "L2" ? 2.0 : 0.0;
      return worth.at(team[member]) + 0.5 * others - static_cast<double>(team.size() - 1) + tie;
    };
    return p;
  }
};

}  // namespace

TEST_CASE("team formation gives stable, individually rational teams") {
  const ToyMarket market;
  const FormedTeams formed = form_teams(market.problem());
  CHECK(formed.converged);
  REQUIRE(formed.teams.size() == 2);
  CHECK(formed.teams[0].front() == "L1");
  CHECK(formed.teams[1].front() == "L2");
  // p1 holds out for L2, which it values more; p2 then prefers L2's larger team too; p3 brings
  // nothing and joins nobody.
  CHECK(formed.teams[0] == std::vector<std::string>{"L1"});
  CHECK(formed.teams[1] == std::vector<std::string>{"L2", "p1", "p2"});
  for (const auto& team : formed.teams)
    CHECK(std::count(team.begin(), team.end(), "p3") == 0);
  const FormationProblem problem = market.problem();
  for (const auto& team : formed.teams)
    for (std::size_t m = 1; m < team.size(); ++m)
      CHECK(problem.value(team, m) > 0);
}

TEST_CASE("who bids does not depend on the order of the input") {
  Rng order(2025, 0, "shuffle");
  const ToyMarket market;
  const FormedTeams reference = form_teams(market.problem());
  EntryGame game;
  game.teams = {team("a", 80, 10, 4),  team("b", 80, 10, 4), team("c", 65, 30, 2),
                team("d", 40, 200, 9), team("e", 79, 12, 3), team("f", 10, 5, 5)};
  Rng reference_draw(9, 0, "entry");
  const EntryOutcome expected = solve_entry_game(game, reference_draw);
  for (int trial = 0; trial < 20; ++trial) {
    FormationProblem problem = market.problem();
    problem.leads = shuffled(problem.leads, order);
    const FormedTeams formed = form_teams(problem);
    CHECK(formed.teams == reference.teams);

    EntryGame permuted = game;
    permuted.teams = shuffled(game.teams, order);
    Rng draw(9, 0, "entry");
    const EntryOutcome outcome = solve_entry_game(permuted, draw);
    CHECK(outcome.equilibria == expected.equilibria);
    CHECK(outcome.entrants == expected.entrants);
    CHECK(outcome.win_probability == expected.win_probability);
  }
}

TEST_CASE("a lead that joins another team gives up its own, and its proposals lapse") {
  // A wants B; B would rather be in A's team (8) than lead its own (4). B's own proposal to p,
  // made in the same round, lapses: p stays free, and nobody else wants it.
  const std::map<std::string, double> worth{{"A", 10}, {"B", 4}, {"p", 3}};
  const std::map<std::string, std::vector<std::string>> neighbours{{"A", {"B"}}, {"B", {"p"}}};
  FormationProblem problem;
  problem.leads = {"B", "A"};
  problem.candidates = [&](const std::string& lead, const std::vector<std::string>&) {
    return neighbours.at(lead);
  };
  problem.value = [&](const std::vector<std::string>& team, std::size_t member) {
    double others = 0;
    for (std::size_t j = 0; j < team.size(); ++j)
      if (j != member) others += worth.at(team[j]);
    return worth.at(team[member]) + 0.5 * others - static_cast<double>(team.size() - 1);
  };
  const FormedTeams formed = form_teams(problem);
  CHECK(formed.converged);
  CHECK(formed.teams == std::vector<std::vector<std::string>>{{"A", "B"}});
}

namespace {

/// Two leads: "big" wants "own" in its team; "own" could instead lead a team with its affiliate
/// "aff", which only it knows. Values by team (lead first) and member; `own_in_big` is what "own"
/// gets in big's team.
FormationProblem affiliate_market(const double& own_in_big) {
  FormationProblem problem;
  problem.leads = {"own", "big"};
  problem.candidates = [](const std::string& lead, const std::vector<std::string>&) {
    return lead == "big" ? std::vector<std::string>{"own"} : std::vector<std::string>{"aff"};
  };
  problem.value = [&own_in_big](const std::vector<std::string>& team, std::size_t member) {
    using Team = std::vector<std::string>;
    const std::map<std::pair<Team, std::size_t>, double> values{
        {{{"big"}, 0}, 5}, {{{"big", "own"}, 0}, 9}, {{{"big", "own"}, 1}, own_in_big},
        {{{"own"}, 0}, 2}, {{{"own", "aff"}, 0}, 6}, {{{"own", "aff"}, 1}, 3}};
    const auto it = values.find({team, member});
    if (it == values.end()) FAIL("no value for this team and member");
    return it->second;
  };
  return problem;
}

}  // namespace

TEST_CASE("a lead joins another team only if that beats leading the best team it could build") {
  // In the first round "big" proposes to "own" while "own" proposes to "aff". Alone, "own" is
  // worth 2 and big's offer 4; but with its affiliate it would lead a team worth 6 to it, so it
  // turns big down and leads its own.
  double own_in_big = 4;
  CHECK(best_own_team(affiliate_market(own_in_big), "own") ==
        std::vector<std::string>{"own", "aff"});
  CHECK(best_own_team(affiliate_market(own_in_big), "big") ==
        std::vector<std::string>{"big", "own"});
  FormedTeams formed = form_teams(affiliate_market(own_in_big));
  CHECK(formed.converged);
  CHECK(formed.teams == std::vector<std::vector<std::string>>{{"big"}, {"own", "aff"}});
  REQUIRE(formed.declined.size() == 1);
  CHECK(formed.declined.front().partner == "own");
  CHECK(formed.declined.front().team == std::vector<std::string>{"big", "own"});

  // An offer worth more than its own best team is taken, and its own proposal lapses.
  own_in_big = 7;
  formed = form_teams(affiliate_market(own_in_big));
  CHECK(formed.teams == std::vector<std::vector<std::string>>{{"big", "own"}});
}
