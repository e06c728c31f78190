// The grid operator's connection queue worked by hand: reviews that decide waiting requests
// together, partial grants, reinforcements for what could not be granted, and the choice of a
// contract's site.
#include <catch2/catch.hpp>

#include <algorithm>
#include <string>
#include <vector>

#include "tenderlab/agents/connection_queue.hpp"
#include "tenderlab/engine/input_error.hpp"

using namespace tenderlab;

namespace {

/// backbone (100 MW supply) --50 MW-- city (20 MW load) ; backbone --40 MW-- town
PowerGrid two_branches() {
  return PowerGrid({{"backbone", "b", 100, 0}, {"city", "c", 0, 20}, {"town", "t", 0, 0}},
                   {{"backbone", "city", 50}, {"backbone", "town", 40}});
}

QueuedConnection request(const std::string& id, std::string node, double mw, double at = 0) {
  return {id, "site-" + id, std::move(node), "call", "lead", mw, mw, at};
}

/// two_branches() as a scenario's grid, the city in the capital region; no sites yet.
Scenario two_branch_scenario() {
  Scenario scenario;
  GridSpec spec;
  spec.nodes = {
      {"backbone", "b", false, 100, 0}, {"city", "c", true, 0, 20}, {"town", "t", false, 0, 0}};
  spec.lines = {{"backbone", "city", 50}, {"backbone", "town", 40}};
  scenario.grid = spec;
  return scenario;
}

const ConnectionDecision& decision_of(const ReviewOutcome& outcome, const std::string& id) {
  const auto it = std::find_if(outcome.decisions.begin(), outcome.decisions.end(),
                               [&](const ConnectionDecision& d) { return d.request.id == id; });
  REQUIRE(it != outcome.decisions.end());
  return *it;
}

}  // namespace

TEST_CASE("a review shares a bottleneck equally and commits the grants to the grid") {
  PowerGrid grid = two_branches();
  ConnectionQueue queue;
  // The city line has 50 - 20 = 30 MW left: two city requests of 10 and 40 MW reach the same
  // share s with 10 s + 40 s = 30, s = 0.6: 6 and 24 MW. The town request (25 of 40 MW) is
  // served in full: the supply (100) is not the bottleneck (20 + 30 + 25 = 75).
  queue.add(request("a", "city", 10));
  queue.add(request("b", "city", 40));
  queue.add(request("c", "town", 25));
  const ReviewOutcome outcome = queue.review(grid, false);
  REQUIRE(outcome.decisions.size() == 3);
  CHECK(decision_of(outcome, "a").granted_mw == Approx(6).margin(0.002));
  CHECK(decision_of(outcome, "b").granted_mw == Approx(24).margin(0.002));
  CHECK(decision_of(outcome, "c").granted_mw == Approx(25));
  CHECK(std::string(decision_of(outcome, "a").decision()) == "partial");
  CHECK(std::string(decision_of(outcome, "c").decision()) == "granted");
  CHECK(decision_of(outcome, "b").request.outstanding_mw == Approx(16).margin(0.002));
  CHECK(decision_of(outcome, "a").headroom_mw == Approx(0).margin(0.002));
  CHECK(decision_of(outcome, "c").headroom_mw == Approx(15).margin(0.002));
  // The grants are connected: the grid now carries 20 + 30 + 25 MW of load.
  CHECK(grid.total_load_mw() == Approx(75).margin(0.004));
  CHECK(outcome.reinforcements.empty());  // not asked for
  // The town request left the queue; the city requests wait, and the next review refuses them.
  CHECK(queue.size() == 2);
  const ReviewOutcome again = queue.review(grid, false);
  CHECK(std::string(decision_of(again, "a").decision()) == "refused");
  CHECK(decision_of(again, "b").granted_mw == Approx(0).margin(0.002));
}

TEST_CASE("a review's grants do not depend on the order requests arrived in") {
  const std::vector<QueuedConnection> requests = {
      request("a", "city", 10), request("b", "city", 40), request("c", "town", 55),
      request("d", "town", 5)};
  std::vector<std::size_t> order = {0, 1, 2, 3};
  std::vector<double> first;
  do {
    PowerGrid grid = two_branches();
    ConnectionQueue queue;
    for (std::size_t i : order)
      queue.add(requests[i]);
    const ReviewOutcome outcome = queue.review(grid, true);
    std::vector<double> granted;
    for (const ConnectionDecision& d : outcome.decisions)
      granted.push_back(d.granted_mw);
    for (const ReinforcementOrder& r : outcome.reinforcements)
      granted.push_back(r.mw);
    if (first.empty()) first = granted;
    CHECK(granted == first);
  } while (std::next_permutation(order.begin(), order.end()));
  // Four decisions and four reinforcements: the city line (30 MW left) gives a and b 60 % of
  // what they ask, the town line (40 MW) gives c and d two thirds; all four wait for the rest.
  CHECK(first.size() == 8);
}

TEST_CASE("the operator is asked to reinforce once for what waits, again for what others took") {
  PowerGrid grid = two_branches();
  ConnectionQueue queue;
  queue.add(request("a", "city", 50));
  ReviewOutcome outcome = queue.review(grid, true);
  CHECK(decision_of(outcome, "a").granted_mw == Approx(30).margin(0.002));
  REQUIRE(outcome.reinforcements.size() == 1);
  CHECK(outcome.reinforcements[0].node == "city");
  CHECK(outcome.reinforcements[0].mw == Approx(20).margin(0.002));
  // While the reinforcement is under way, later reviews order nothing more for it.
  outcome = queue.review(grid, true);
  CHECK(outcome.reinforcements.empty());
  // It goes into service, but a newcomer at the node shares the new supply: a waits for 10 of
  // its 20 MW again and a new reinforcement is ordered for them.
  grid.add_supply("city", 20);
  queue.reinforcement_done("a", 20);
  queue.add(request("n", "city", 20));
  outcome = queue.review(grid, true);
  CHECK(decision_of(outcome, "a").granted_mw == Approx(10).margin(0.002));
  CHECK(decision_of(outcome, "n").granted_mw == Approx(10).margin(0.002));
  REQUIRE(outcome.reinforcements.size() == 2);
  CHECK(outcome.reinforcements[0].id == "a");
  CHECK(outcome.reinforcements[0].mw == Approx(10).margin(0.002));
}

TEST_CASE("others' applications share a review's headroom, then lapse without reinforcement") {
  PowerGrid grid = two_branches();
  ConnectionQueue queue;
  // The city line has 30 MW left: the contract's 20 MW and others' 40 MW reach the same share s
  // with 20 s + 40 s = 30, s = 0.5: 10 and 20 MW.
  queue.add(request("a", "city", 20));
  QueuedConnection others = request("others", "city", 40);
  others.lapses = true;
  queue.add(others);
  ReviewOutcome outcome = queue.review(grid, true);
  CHECK(decision_of(outcome, "a").granted_mw == Approx(10).margin(0.002));
  CHECK(decision_of(outcome, "others").granted_mw == Approx(20).margin(0.002));
  CHECK(std::string(decision_of(outcome, "others").decision()) == "partial");
  // The grid carries both grants; only the contract waits on, and only it gets a reinforcement.
  CHECK(grid.total_load_mw() == Approx(50).margin(0.004));
  CHECK(queue.size() == 1);
  REQUIRE(outcome.reinforcements.size() == 1);
  CHECK(outcome.reinforcements[0].id == "a");
  CHECK(outcome.reinforcements[0].mw == Approx(10).margin(0.002));
  // Applications under the same id may come again at the next review.
  queue.add(others);
  outcome = queue.review(grid, true);
  CHECK(decision_of(outcome, "others").granted_mw == Approx(0).margin(0.002));
  CHECK(queue.size() == 1);
}

TEST_CASE("the queue refuses a request id twice and negative MW") {
  ConnectionQueue queue;
  queue.add(request("a", "city", 10));
  CHECK_THROWS_AS(queue.add(request("a", "town", 5)), ModelError);
  CHECK_THROWS_AS(queue.add(request("b", "town", -1)), ModelError);
}

TEST_CASE("a contract's site: the team's or an ownerless one in its region class, most room") {
  Scenario scenario = two_branch_scenario();
  scenario.sites = {{"z-city", "city", "", 1000},
                    {"rival-town", "town", "rival", 1000},
                    {"ours-town", "town", "ours", 10},
                    {"free-town", "town", "", 1000}};
  const PowerGrid grid = make_power_grid(*scenario.grid);
  // Capital: only the city site. Non-capital: the team's own site has room for 10 MW only, the
  // ownerless one for 40 (the town line): the ownerless one wins on room; the rival's is not
  // considered while the team has a choice.
  CHECK(choose_site(scenario, grid, {"ours"}, false, 30)->id == "z-city");
  CHECK(choose_site(scenario, grid, {"ours"}, true, 30)->id == "free-town");
  CHECK(choose_site(scenario, grid, {"ours"}, true, 5)->id == "free-town");  // tie on room: by id
  // MW already granted at a site count against its max_mw: with 995 of free-town's 1,000 MW
  // taken it has room for 5, the team's own site for 10.
  CHECK(choose_site(scenario, grid, {"ours"}, true, 30, {{"free-town", 995.0}})->id == "ours-town");
  scenario.sites.erase(scenario.sites.begin() + 3);
  CHECK(choose_site(scenario, grid, {"ours"}, true, 30)->id == "ours-town");
  // Reordering the sites changes nothing.
  std::reverse(scenario.sites.begin(), scenario.sites.end());
  CHECK(choose_site(scenario, grid, {"ours"}, true, 30)->id == "ours-town");
  // No site in the capital region: none.
  scenario.sites.pop_back();
  CHECK(choose_site(scenario, grid, {"ours"}, false, 30) == nullptr);
}

TEST_CASE("the MW a team can connect: the most at one of its sites the call allows, by hand") {
  Scenario scenario = two_branch_scenario();
  scenario.sites = {{"ours-city", "city", "ours", 1000},
                    {"ours-town", "town", "ours", 10},
                    {"free-town", "town", "", 25},
                    {"rival-backbone", "backbone", "rival", 1000}};
  const PowerGrid grid = make_power_grid(*scenario.grid);
  // The city line carries 50 MW and the city draws 20: 30 MW of headroom at ours-city. In the
  // town, 40 MW of headroom, capped by the sites' max_mw: 10 at ours-town, 25 at free-town. The
  // rival's site at the backbone is not the team's.
  CHECK(connectable_mw(scenario, grid, {"ours"}, SiteRule::any) == 30);
  CHECK(connectable_mw(scenario, grid, {"ours"}, SiteRule::capital) == 30);
  CHECK(connectable_mw(scenario, grid, {"ours"}, SiteRule::non_capital) == 25);
  // MW granted at a site so far count against its max_mw: 20 of free-town's 25 taken.
  CHECK(connectable_mw(scenario, grid, {"ours"}, SiteRule::non_capital, {{"free-town", 20.0}}) ==
        10);
  // A team that includes the rival can use its site: the backbone's 100 MW of supply less the
  // city's 20 MW it feeds.
  CHECK(connectable_mw(scenario, grid, {"ours", "rival"}, SiteRule::non_capital) == 80);
  // A team with no site in the region the call allows, and only full ownerless ones: nothing.
  CHECK(connectable_mw(scenario, grid, {"other"}, SiteRule::capital) == 0);
  CHECK(connectable_mw(scenario, grid, {"other"}, SiteRule::non_capital, {{"free-town", 25.0}}) ==
        0);
  // Reordering the sites changes nothing.
  std::reverse(scenario.sites.begin(), scenario.sites.end());
  CHECK(connectable_mw(scenario, grid, {"ours"}, SiteRule::non_capital) == 25);
}
