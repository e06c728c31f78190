#include "tenderlab/agents/connection_queue.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

namespace {

// Grants are computed in whole kW (power_grid.cpp); what is left below half a kW is granted.
constexpr double mw_resolution = 0.0005;

}  // namespace

const char* ConnectionDecision::decision() const {
  if (request.outstanding_mw <= mw_resolution) return "granted";
  return granted_mw > mw_resolution ? "partial" : "refused";
}

void ConnectionQueue::add(QueuedConnection request) {
  if (!std::isfinite(request.requested_mw) || request.requested_mw < 0)
    throw ModelError("connection request \"" + request.id + "\": MW must be finite and >= 0");
  request.outstanding_mw = request.requested_mw;
  const std::string id = request.id;
  if (!waiting_.emplace(id, std::move(request)).second)
    throw ModelError("connection request \"" + id + "\" is already waiting");
}

ReviewOutcome ConnectionQueue::review(PowerGrid& grid, bool reinforce) {
  std::vector<ConnectionRequest> asks;
  asks.reserve(waiting_.size());
  for (const auto& [id, request] : waiting_)
    asks.push_back({id, request.node, request.outstanding_mw});
  const std::vector<ConnectionGrant> grants = grid.allocate(asks);
  for (const ConnectionGrant& grant : grants)
    if (grant.granted_mw > 0) grid.connect(grant.node, grant.granted_mw);

  ReviewOutcome outcome;
  std::map<std::string, double> headroom;  // per node, after all grants
  for (const ConnectionGrant& grant : grants) {
    QueuedConnection& request = waiting_.at(grant.id);
    request.outstanding_mw = std::max(0.0, request.outstanding_mw - grant.granted_mw);
    if (request.outstanding_mw <= mw_resolution) request.outstanding_mw = 0;
    auto [at, fresh] = headroom.emplace(request.node, 0.0);
    if (fresh) at->second = grid.headroom_mw(request.node);
    outcome.decisions.push_back({request, grant.granted_mw, at->second});
    if (reinforce && !request.lapses && request.outstanding_mw > 0) {
      const double under_way = under_way_mw_[grant.id];
      if (request.outstanding_mw > under_way + mw_resolution) {
        outcome.reinforcements.push_back(
            {grant.id, request.node, request.outstanding_mw - under_way});
        under_way_mw_[grant.id] = request.outstanding_mw;
      }
    }
  }
  for (auto it = waiting_.begin(); it != waiting_.end();)
    it = it->second.outstanding_mw == 0 || it->second.lapses ? waiting_.erase(it) : std::next(it);
  return outcome;
}

void ConnectionQueue::reinforcement_done(const std::string& id, double mw) {
  const auto it = under_way_mw_.find(id);
  if (it == under_way_mw_.end()) return;
  it->second = std::max(0.0, it->second - mw);
}

PowerGrid make_power_grid(const GridSpec& spec) {
  std::vector<GridNode> nodes;
  nodes.reserve(spec.nodes.size());
  for (const GridNodeSpec& node : spec.nodes)
    nodes.push_back({node.id, node.region, node.supply_mw, node.load_mw});
  std::vector<GridLine> lines;
  lines.reserve(spec.lines.size());
  for (const GridLineSpec& line : spec.lines)
    lines.push_back({line.from, line.to, line.capacity_mw});
  return PowerGrid(std::move(nodes), std::move(lines));
}

namespace {
const GridNodeSpec& node_spec(const GridSpec& spec, const std::string& node) {
  const auto it = std::find_if(spec.nodes.begin(), spec.nodes.end(),
                               [&](const GridNodeSpec& n) { return n.id == node; });
  if (it == spec.nodes.end()) throw ModelError("power grid: unknown node \"" + node + "\"");
  return *it;
}
}  // namespace

bool capital_node(const GridSpec& spec, const std::string& node) {
  return node_spec(spec, node).capital_region;
}

const std::string& node_region(const GridSpec& spec, const std::string& node) {
  return node_spec(spec, node).region;
}

double site_room(const PowerGrid& grid, const SiteSpec& site,
                 const std::map<std::string, double>& used_mw) {
  const auto used = used_mw.find(site.id);
  const double left = site.max_mw - (used == used_mw.end() ? 0.0 : used->second);
  return std::min(std::max(0.0, left), grid.headroom_mw(site.node));
}

const SiteSpec* choose_site(const Scenario& scenario, const PowerGrid& grid,
                            const std::vector<std::string>& team, bool non_capital, double mw,
                            const std::map<std::string, double>& used_mw) {
  if (!scenario.grid) return nullptr;
  const SiteSpec* best = nullptr;
  bool best_preferred = false;
  double best_room = -1;
  for (const SiteSpec& site : scenario.sites) {
    if (capital_node(*scenario.grid, site.node) == non_capital) continue;
    const bool preferred =
        site.owner.empty() || std::find(team.begin(), team.end(), site.owner) != team.end();
    const double room = std::min(mw, site_room(grid, site, used_mw));
    // Preferred sites first, then the most room; ties by id, so the file's order never decides.
    const bool better = !best || preferred > best_preferred ||
                        (preferred == best_preferred &&
                         (room > best_room || (room == best_room && site.id < best->id)));
    if (better) {
      best = &site;
      best_preferred = preferred;
      best_room = room;
    }
  }
  return best;
}

double connectable_mw(const Scenario& scenario, const PowerGrid& grid,
                      const std::vector<std::string>& team, SiteRule rule,
                      const std::map<std::string, double>& used_mw) {
  if (!scenario.grid) return std::numeric_limits<double>::infinity();
  double most = 0;
  for (const SiteSpec& site : scenario.sites) {
    const bool capital = capital_node(*scenario.grid, site.node);
    if ((rule == SiteRule::capital && !capital) || (rule == SiteRule::non_capital && capital))
      continue;
    if (!site.owner.empty() && std::find(team.begin(), team.end(), site.owner) == team.end())
      continue;
    most = std::max(most, site_room(grid, site, used_mw));
  }
  return most;
}

}  // namespace tenderlab
