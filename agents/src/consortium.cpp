#include "tenderlab/agents/consortium.hpp"

#include <algorithm>

#include "tenderlab/agents/tender_rules.hpp"

namespace tenderlab {

RelationshipGraph::RelationshipGraph(const Scenario& scenario) {
  for (const auto& agent : scenario.agents) {
    const auto vertex = boost::add_vertex(VertexData{agent.id}, graph_);
    index_.emplace(agent.id, vertex);
  }
  for (const auto& rel : scenario.relationships) {
    const auto from = index_.at(rel.from), to = index_.at(rel.to);
    auto [edge, exists] = boost::edge(from, to, graph_);
    if (exists) {
      graph_[edge].strength = std::max(graph_[edge].strength, rel.strength);
    } else {
      boost::add_edge(from, to, EdgeData{rel.strength}, graph_);
    }
  }
}

double RelationshipGraph::strength(const std::string& a, const std::string& b) const {
  auto ia = index_.find(a), ib = index_.find(b);
  if (ia == index_.end() || ib == index_.end()) return 0;
  auto [edge, exists] = boost::edge(ia->second, ib->second, graph_);
  return exists ? graph_[edge].strength : 0.0;
}

std::vector<std::pair<std::string, double>> RelationshipGraph::neighbours(
    const std::string& id) const {
  std::vector<std::pair<std::string, double>> result;
  auto it = index_.find(id);
  if (it == index_.end()) return result;
  for (auto [e, end] = boost::out_edges(it->second, graph_); e != end; ++e)
    result.emplace_back(graph_[boost::target(*e, graph_)].id, graph_[*e].strength);
  std::sort(result.begin(), result.end());
  return result;
}

double complementarity(const Capabilities& team, const Capabilities& candidate, double tie,
                       const TechnicalCriteria& criteria) {
  Capabilities gain;
  gain.cloud_operations = std::max(0.0, candidate.cloud_operations - team.cloud_operations);
  gain.sites_power = std::max(0.0, candidate.sites_power - team.sites_power);
  gain.construction = std::max(0.0, candidate.construction - team.construction);
  gain.academia = std::max(0.0, candidate.academia - team.academia);
  gain.local_government = std::max(0.0, candidate.local_government - team.local_government);
  gain.chips = std::max(0.0, candidate.chips - team.chips);
  return tie * technical_score(gain, criteria);
}

std::vector<std::string> candidate_order(const Scenario& scenario, const RelationshipGraph& graph,
                                         const std::string& lead, const Capabilities& team,
                                         const std::vector<std::string>& unavailable,
                                         const TechnicalCriteria& criteria) {
  struct Ranked {
    double gain;
    double tie;
    std::string id;
    bool operator<(const Ranked& o) const {
      return gain != o.gain ? gain < o.gain : tie != o.tie ? tie < o.tie : id < o.id;
    }
  };
  std::vector<Ranked> ranked;
  for (const auto& [id, tie] : graph.neighbours(lead)) {
    if (std::find(unavailable.begin(), unavailable.end(), id) != unavailable.end()) continue;
    const AgentSpec* agent = scenario.find_agent(id);
    // Consortia form for SPC partner calls only: candidates are the kinds that may join one.
    if (!agent || !agent->kind.may(Role::join, CallKind::spc_partner)) continue;
    // Partners that add no capability still share risk and capital, so they stay candidates,
    // after the complementary ones and the closest ties first.
    ranked.push_back({-complementarity(team, agent->capabilities, tie, criteria), -tie, id});
  }
  std::sort(ranked.begin(), ranked.end());
  std::vector<std::string> order;
  for (auto& candidate : ranked)
    order.push_back(candidate.id);
  return order;
}

std::vector<double> equity_split(const std::vector<const AgentSpec*>& members, double commitment,
                                 const ProjectAssumptions& assumptions) {
  const std::size_t n = members.size();
  std::vector<double> weight(n), cap(n), share(n, 0.0);
  for (std::size_t i = 0; i < n; ++i) {
    const Capabilities& c = members[i]->capabilities;
    weight[i] = 1 + c.cloud_operations + c.sites_power + c.construction + c.academia +
                c.local_government + c.chips;
    if (i == 0) weight[i] *= assumptions.lead_equity_weight;
    const double limit = members[i]->max_commitment * members[i]->capital_bn_krw;
    cap[i] = commitment > 0 ? limit / commitment : 1.0;
  }
  // Water-filling: share the remainder by weight among members still under their cap, fixing
  // those that reach it, until nothing is left or everybody is full.
  std::vector<bool> full(n, false);
  double remaining = 1.0;
  for (std::size_t round = 0; round < n && remaining > 1e-12; ++round) {
    double open_weight = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (!full[i]) open_weight += weight[i];
    if (open_weight <= 0) break;
    bool capped = false;
    for (std::size_t i = 0; i < n; ++i) {
      if (full[i]) continue;
      if (share[i] + remaining * weight[i] / open_weight > cap[i]) {
        remaining -= cap[i] - share[i];
        share[i] = cap[i];
        full[i] = true;
        capped = true;
      }
    }
    if (capped) continue;
    for (std::size_t i = 0; i < n; ++i)
      if (!full[i]) share[i] += remaining * weight[i] / open_weight;
    remaining = 0;
  }
  if (remaining > 1e-12) {  // the team cannot cover it: everybody over-commits by weight
    double total_weight = 0;
    for (double w : weight)
      total_weight += w;
    for (std::size_t i = 0; i < n; ++i)
      share[i] += remaining * weight[i] / total_weight;
  }
  // Rounding must not push a share past 1 or the sum off 1.
  double sum = 0;
  for (double s : share)
    sum += s;
  for (double& s : share)
    s = std::min(1.0, s / sum);
  return share;
}
}  // namespace tenderlab
