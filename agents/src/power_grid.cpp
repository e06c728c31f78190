#include "tenderlab/agents/power_grid.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <set>

#include <boost/graph/adjacency_list.hpp>
#include <boost/graph/push_relabel_max_flow.hpp>

#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

namespace {

// Flows are computed in whole kW: integer arithmetic gives the same answer on every machine and
// lets the allocation test "can this request get one more kW" exactly.
using Kw = std::int64_t;
constexpr double kw_per_mw = 1000.0;

Kw to_kw(double mw) {
  return static_cast<Kw>(std::llround(mw * kw_per_mw));
}

void check_mw(double mw, const std::string& what) {
  if (!std::isfinite(mw) || mw < 0)
    throw ModelError("power grid: " + what + " must be a finite, non-negative MW figure, found " +
                     std::to_string(mw));
}

using Traits = boost::adjacency_list_traits<boost::vecS, boost::vecS, boost::directedS>;
using FlowGraph = boost::adjacency_list<
    boost::vecS, boost::vecS, boost::directedS, boost::no_property,
    boost::property<
        boost::edge_capacity_t, Kw,
        boost::property<boost::edge_residual_capacity_t, Kw,
                        boost::property<boost::edge_reverse_t, Traits::edge_descriptor>>>>;

/// Adds the arc u -> v with `capacity` and its reverse arc with none, as the max-flow algorithms
/// of Boost.Graph expect.
void add_arc(FlowGraph& graph, std::size_t u, std::size_t v, Kw capacity) {
  auto capacities = boost::get(boost::edge_capacity, graph);
  auto reverses = boost::get(boost::edge_reverse, graph);
  const auto forward = boost::add_edge(u, v, graph).first;
  const auto backward = boost::add_edge(v, u, graph).first;
  capacities[forward] = capacity;
  capacities[backward] = 0;
  reverses[forward] = backward;
  reverses[backward] = forward;
}

}  // namespace

PowerGrid::PowerGrid(std::vector<GridNode> nodes, std::vector<GridLine> lines)
    : nodes_(std::move(nodes)), lines_(std::move(lines)) {
  for (std::size_t i = 0; i < nodes_.size(); ++i) {
    const GridNode& node = nodes_[i];
    if (node.id.empty()) throw ModelError("power grid: a node without an id");
    if (!index_.emplace(node.id, i).second)
      throw ModelError("power grid: node \"" + node.id + "\" appears twice");
    check_mw(node.supply_mw, "the supply of node \"" + node.id + "\"");
    check_mw(node.load_mw, "the load of node \"" + node.id + "\"");
  }
  for (const GridLine& line : lines_) {
    line_ends_.emplace_back(index_of(line.from), index_of(line.to));
    if (line.from == line.to)
      throw ModelError("power grid: a line from node \"" + line.from + "\" to itself");
    check_mw(line.capacity_mw, "the capacity of line " + line.from + "-" + line.to);
  }
}

std::size_t PowerGrid::index_of(const std::string& node) const {
  const auto it = index_.find(node);
  if (it == index_.end()) throw ModelError("power grid: no node \"" + node + "\"");
  return it->second;
}

double PowerGrid::max_flow(const std::vector<double>& extra_load) const {
  // Vertices: the nodes, then a source feeding every node's supply and a sink taking every
  // node's load. A line is an arc each way with its full capacity: flows in opposite directions
  // would cancel, so a maximum flow never uses both.
  const std::size_t n = nodes_.size();
  const std::size_t source = n, sink = n + 1;
  FlowGraph graph(n + 2);
  for (std::size_t i = 0; i < n; ++i) {
    if (const Kw supply = to_kw(nodes_[i].supply_mw); supply > 0) add_arc(graph, source, i, supply);
    if (const Kw load = to_kw(nodes_[i].load_mw) + to_kw(extra_load[i]); load > 0)
      add_arc(graph, i, sink, load);
  }
  for (std::size_t l = 0; l < lines_.size(); ++l) {
    const Kw capacity = to_kw(lines_[l].capacity_mw);
    if (capacity <= 0) continue;
    const auto [from, to] = line_ends_[l];
    add_arc(graph, from, to, capacity);
    add_arc(graph, to, from, capacity);
  }
  const Kw flow = boost::push_relabel_max_flow(graph, source, sink);
  return static_cast<double>(flow) / kw_per_mw;
}

double PowerGrid::deliverable_mw(const std::map<std::string, double>& extra) const {
  std::vector<double> extra_load(nodes_.size(), 0.0);
  for (const auto& [node, mw] : extra) {
    check_mw(mw, "extra load at node \"" + node + "\"");
    extra_load[index_of(node)] += mw;
  }
  return max_flow(extra_load);
}

double PowerGrid::total_load_mw() const {
  Kw total = 0;
  for (const GridNode& node : nodes_)
    total += to_kw(node.load_mw);
  return static_cast<double>(total) / kw_per_mw;
}

bool PowerGrid::serves_all_loads() const {
  return to_kw(deliverable_mw()) == to_kw(total_load_mw());
}

double PowerGrid::headroom_mw(const std::string& node) const {
  if (!serves_all_loads()) return 0;
  // With every connected load servable, a maximum flow can serve all of them and push the rest
  // to the new load: augmenting paths end at the sink and never take flow back from a load. So
  // the new load gets the maximum flow less the connected loads. Its own demand is bounded by all
  // the supply there is.
  double supply = 0;
  for (const GridNode& n : nodes_)
    supply += n.supply_mw;
  std::vector<double> extra(nodes_.size(), 0.0);
  extra[index_of(node)] = supply;
  return std::max(0.0, max_flow(extra) - total_load_mw());
}

void PowerGrid::connect(const std::string& node, double mw) {
  check_mw(mw, "a connection at node \"" + node + "\"");
  nodes_[index_of(node)].load_mw += mw;
}

void PowerGrid::add_supply(const std::string& node, double mw) {
  check_mw(mw, "added supply at node \"" + node + "\"");
  nodes_[index_of(node)].supply_mw += mw;
}

void PowerGrid::upgrade_line(const std::string& a, const std::string& b, double mw) {
  check_mw(mw, "a line upgrade " + a + "-" + b);
  for (GridLine& line : lines_) {
    if ((line.from == a && line.to == b) || (line.from == b && line.to == a)) {
      line.capacity_mw += mw;
      return;
    }
  }
  throw ModelError("power grid: no line between \"" + a + "\" and \"" + b + "\"");
}

std::vector<ConnectionGrant> PowerGrid::allocate(
    const std::vector<ConnectionRequest>& requests) const {
  std::set<std::string> ids;
  std::vector<ConnectionGrant> grants;
  // Each request's node, looked up once: the feasibility checks below run many times per request.
  std::vector<std::size_t> node_of;
  node_of.reserve(requests.size());
  for (const ConnectionRequest& request : requests) {
    if (!ids.insert(request.id).second)
      throw ModelError("power grid: connection request \"" + request.id + "\" appears twice");
    check_mw(request.mw, "the request of \"" + request.id + "\"");
    node_of.push_back(index_of(request.node));
    grants.push_back({request.id, request.node, request.mw, 0.0});
  }
  if (!serves_all_loads()) return grants;  // a congested grid grants nothing more

  // Levels in whole kW per request, so that every comparison below is exact.
  const std::size_t count = requests.size();
  std::vector<Kw> wanted(count), granted(count, 0);
  for (std::size_t i = 0; i < count; ++i)
    wanted[i] = to_kw(requests[i].mw);
  const Kw base = to_kw(total_load_mw());
  auto feasible = [&](const std::vector<Kw>& levels) {
    std::vector<Kw> at_node(nodes_.size(), 0);
    Kw asked = 0;
    for (std::size_t i = 0; i < count; ++i) {
      at_node[node_of[i]] += levels[i];
      asked += levels[i];
    }
    std::vector<double> extra(nodes_.size());
    for (std::size_t n = 0; n < extra.size(); ++n)
      extra[n] = static_cast<double>(at_node[n]) / kw_per_mw;
    return to_kw(max_flow(extra)) == base + asked;
  };
  // The level of request i at share s of what it wants, to the nearest whole kW (rises with s).
  auto at_share = [&](std::size_t i, double share) {
    return std::min(wanted[i],
                    static_cast<Kw>(std::llround(share * static_cast<double>(wanted[i]))));
  };
  std::vector<bool> rising(count);
  for (std::size_t i = 0; i < count; ++i)
    rising[i] = wanted[i] > 0;
  double share = 0;
  while (std::find(rising.begin(), rising.end(), true) != rising.end()) {
    // The highest common share the rising requests can all reach, the others held where they
    // stopped (bisection; the levels are whole kW, so 60 halvings are more than enough).
    auto levels_at = [&](double s) {
      std::vector<Kw> levels = granted;
      for (std::size_t i = 0; i < count; ++i)
        if (rising[i]) levels[i] = at_share(i, s);
      return levels;
    };
    double low = share, high = 1;
    if (feasible(levels_at(1))) {
      low = 1;
    } else {
      for (int step = 0; step < 60 && high - low > 1e-12; ++step) {
        const double mid = 0.5 * (low + high);
        (feasible(levels_at(mid)) ? low : high) = mid;
      }
    }
    share = low;
    granted = levels_at(share);
    // A request that cannot take one more kW, the others where they are, has met its bottleneck
    // (or has all it asked for) and stops; if none is stopped the share was at a rounding edge,
    // and all stop.
    // Whether one more kW fits depends only on the load per node, so it is the same answer for
    // every request at a node and asked once per node (unknown: -1): the decision then costs a
    // number of max flows that grows with the grid's nodes, not with the waiting requests.
    std::vector<std::size_t> stopped;
    std::vector<int> one_more_fits(nodes_.size(), -1);
    for (std::size_t i = 0; i < count; ++i) {
      if (!rising[i]) continue;
      if (granted[i] >= wanted[i]) {
        stopped.push_back(i);
        continue;
      }
      int& fits = one_more_fits[node_of[i]];
      if (fits < 0) {
        std::vector<Kw> more = granted;
        ++more[i];
        fits = feasible(more) ? 1 : 0;
      }
      if (fits == 0) stopped.push_back(i);
    }
    if (stopped.empty() || share >= 1) {
      std::fill(rising.begin(), rising.end(), false);
    } else {
      for (std::size_t i : stopped)
        rising[i] = false;
    }
  }
  for (std::size_t i = 0; i < count; ++i)
    grants[i].granted_mw = static_cast<double>(granted[i]) / kw_per_mw;
  return grants;
}

}  // namespace tenderlab
