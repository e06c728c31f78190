// The power grid's maximum flows and connection allocation on small grids worked by hand.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "tenderlab/agents/power_grid.hpp"
#include "tenderlab/engine/input_error.hpp"

using namespace tenderlab;

namespace {

/// plant (100 MW) --60-- town (20 MW load) --30-- edge
PowerGrid chain() {
  return PowerGrid({{"plant", "r", 100, 0}, {"town", "r", 0, 20}, {"edge", "r", 0, 0}},
                   {{"plant", "town", 60}, {"town", "edge", 30}});
}

/// A plant (100 MW) feeding a site node `z` over two routes: via x (40 then 30 MW) and via y
/// (50 then 60 MW).
PowerGrid diamond() {
  return PowerGrid({{"g", "r", 100, 0}, {"x", "r", 0, 0}, {"y", "r", 0, 0}, {"z", "r", 0, 0}},
                   {{"g", "x", 40}, {"g", "y", 50}, {"x", "z", 30}, {"y", "z", 60}});
}

double granted(const std::vector<ConnectionGrant>& grants, const std::string& id) {
  const auto it = std::find_if(grants.begin(), grants.end(),
                               [&](const ConnectionGrant& g) { return g.id == id; });
  REQUIRE(it != grants.end());
  return it->granted_mw;
}

}  // namespace

TEST_CASE("headroom is what a maximum flow leaves after the connected loads") {
  const PowerGrid grid = chain();
  CHECK(grid.serves_all_loads());
  CHECK(grid.total_load_mw() == 20);
  CHECK(grid.deliverable_mw() == 20);
  // At the edge: the 30 MW line binds (the 60 MW line still has 40 after the town's 20).
  CHECK(grid.headroom_mw("edge") == 30);
  // In the town: the 60 MW line less the town's own 20.
  CHECK(grid.headroom_mw("town") == 40);
  // At the plant: its 100 MW less the 20 it sends to the town.
  CHECK(grid.headroom_mw("plant") == 80);
}

TEST_CASE("a maximum flow adds up parallel routes, each limited by its weakest line") {
  const PowerGrid grid = diamond();
  // min(40, 30) via x plus min(50, 60) via y.
  CHECK(grid.headroom_mw("z") == 80);
  CHECK(grid.deliverable_mw({{"z", 200}}) == 80);
  // Raising the x-z line to 40 lets the g-x line bind: 40 + 50.
  PowerGrid upgraded = diamond();
  upgraded.upgrade_line("z", "x", 10);
  CHECK(upgraded.headroom_mw("z") == 90);
  // Lines carry power either way: a load at x can be fed through y and z too.
  CHECK(grid.headroom_mw("x") == 40 + 30);
}

TEST_CASE("connected loads and added supply change the headroom") {
  PowerGrid grid = chain();
  grid.connect("edge", 25);
  CHECK(grid.headroom_mw("edge") == 5);
  CHECK(grid.headroom_mw("town") == 15);  // 60 - 20 - 25
  grid.add_supply("edge", 10);            // local generation at the edge
  CHECK(grid.headroom_mw("edge") == 15);
}

TEST_CASE("a grid that cannot serve its connected loads has no headroom and grants nothing") {
  const PowerGrid grid({{"plant", "r", 50, 0}, {"city", "r", 0, 80}}, {{"plant", "city", 100}});
  CHECK_FALSE(grid.serves_all_loads());
  CHECK(grid.deliverable_mw() == 50);
  CHECK(grid.headroom_mw("city") == 0);
  CHECK(granted(grid.allocate({{"dc", "city", 10}}), "dc") == 0);
}

TEST_CASE("requests behind one bottleneck get the same share of what they ask for") {
  // 30 MW reach the edge; 20 + 40 asked: a share of one half each.
  const PowerGrid grid = chain();
  const std::vector<ConnectionRequest> requests = {{"a", "edge", 20}, {"b", "edge", 40}};
  const auto grants = grid.allocate(requests);
  CHECK(granted(grants, "a") == 10);
  CHECK(granted(grants, "b") == 20);
  // The order of the requests changes nothing.
  const auto reversed = grid.allocate({requests[1], requests[0]});
  CHECK(granted(reversed, "a") == 10);
  CHECK(granted(reversed, "b") == 20);
  // The grid itself is not changed until the grants are connected.
  CHECK(grid.total_load_mw() == 20);
}

TEST_CASE("a request stopped by its own bottleneck leaves the rest to the others") {
  // A hub fed with 100 MW; a 100 MW line to a, a 15 MW line to b. a asks 100, b asks 30.
  // The common share stops b at one half (15 MW, its line); a goes on to the 85 MW left.
  const PowerGrid grid(
      {{"feed", "r", 100, 0}, {"hub", "r", 0, 0}, {"a", "r", 0, 0}, {"b", "r", 0, 0}},
      {{"feed", "hub", 1000}, {"hub", "a", 100}, {"hub", "b", 15}});
  const auto grants = grid.allocate({{"site-a", "a", 100}, {"site-b", "b", 30}});
  CHECK(granted(grants, "site-b") == 15);
  CHECK(granted(grants, "site-a") == 85);

  // With 60 MW of feed the supply binds first, for both: 60 / 130 of what each asks.
  const PowerGrid tight(
      {{"feed", "r", 60, 0}, {"hub", "r", 0, 0}, {"a", "r", 0, 0}, {"b", "r", 0, 0}},
      {{"feed", "hub", 1000}, {"hub", "a", 100}, {"hub", "b", 15}});
  const auto shared = tight.allocate({{"site-a", "a", 100}, {"site-b", "b", 30}});
  CHECK(granted(shared, "site-a") == Approx(100.0 * 60 / 130).margin(0.002));
  CHECK(granted(shared, "site-b") == Approx(30.0 * 60 / 130).margin(0.002));
  CHECK(granted(shared, "site-a") + granted(shared, "site-b") == Approx(60).margin(0.002));
}

TEST_CASE("requests the grid can carry are granted in full, on separate or shared routes") {
  const PowerGrid grid = diamond();
  const auto grants = grid.allocate({{"one", "z", 50}, {"two", "x", 20}, {"none", "y", 0}});
  CHECK(granted(grants, "one") == 50);
  CHECK(granted(grants, "two") == 20);
  CHECK(granted(grants, "none") == 0);
  // Together they fit: 70 of the 100 MW, within every line.
  CHECK(grid.deliverable_mw({{"z", 50}, {"x", 20}}) == 70);
}

TEST_CASE("the grid rejects ill-formed networks and requests by name") {
  CHECK_THROWS_WITH(PowerGrid({{"a", "r", 1, 0}, {"a", "r", 1, 0}}, {}),
                    Catch::Contains("node \"a\" appears twice"));
  CHECK_THROWS_WITH(PowerGrid({{"a", "r", 1, 0}}, {{"a", "b", 5}}),
                    Catch::Contains("no node \"b\""));
  CHECK_THROWS_WITH(PowerGrid({{"a", "r", 1, 0}}, {{"a", "a", 5}}), Catch::Contains("to itself"));
  CHECK_THROWS_WITH(PowerGrid({{"a", "r", -1, 0}}, {}), Catch::Contains("non-negative"));
  const PowerGrid grid = chain();
  CHECK_THROWS_AS(grid.headroom_mw("nowhere"), ModelError);
  CHECK_THROWS_WITH(grid.allocate({{"x", "edge", 1}, {"x", "town", 1}}),
                    Catch::Contains("\"x\" appears twice"));
  PowerGrid copy = chain();
  CHECK_THROWS_WITH(copy.upgrade_line("plant", "edge", 5), Catch::Contains("no line between"));
}

TEST_CASE("allocation is feasible, max-min fair and the same under any order of the requests") {
  // A ring of five nodes, supply at two of them, loads at all, lines of different sizes.
  const PowerGrid grid(
      {{"n0", "r", 120, 10},
       {"n1", "r", 0, 15},
       {"n2", "r", 80, 5},
       {"n3", "r", 0, 20},
       {"n4", "r", 0, 0}},
      {{"n0", "n1", 40}, {"n1", "n2", 25}, {"n2", "n3", 35}, {"n3", "n4", 20}, {"n4", "n0", 30}});
  REQUIRE(grid.serves_all_loads());
  std::vector<ConnectionRequest> requests = {
      {"a", "n1", 50}, {"b", "n3", 30}, {"c", "n4", 45}, {"d", "n4", 10}, {"e", "n1", 5}};
  const auto reference = grid.allocate(requests);
  std::map<std::string, double> extra;
  double total = 0;
  for (const ConnectionGrant& g : reference) {
    CHECK(g.granted_mw >= 0);
    CHECK(g.granted_mw <= g.requested_mw);
    extra[g.node] += g.granted_mw;
    total += g.granted_mw;
  }
  // Everything granted can be served together with the connected loads.
  CHECK(grid.deliverable_mw(extra) == Approx(grid.total_load_mw() + total).margin(1e-9));
  // Nobody short of its request could have had 2 kW more with the others as granted.
  for (const ConnectionGrant& g : reference) {
    if (g.granted_mw >= g.requested_mw) continue;
    std::map<std::string, double> more = extra;
    more[g.node] += 0.002;
    CHECK(grid.deliverable_mw(more) < grid.total_load_mw() + total + 0.002 - 1e-9);
  }
  // Two requests at the same node share its bottleneck by the same share of what they asked.
  CHECK(granted(reference, "c") / 45 == Approx(granted(reference, "d") / 10).margin(1e-4));

  std::vector<std::size_t> order(requests.size());
  for (std::size_t i = 0; i < order.size(); ++i)
    order[i] = i;
  for (int permutation = 0; permutation < 10; ++permutation) {
    std::next_permutation(order.begin(), order.end());
    std::vector<ConnectionRequest> shuffled;
    for (std::size_t i : order)
      shuffled.push_back(requests[i]);
    const auto grants = grid.allocate(shuffled);
    for (const ConnectionGrant& g : reference)
      CHECK(granted(grants, g.id) == g.granted_mw);
  }
}
