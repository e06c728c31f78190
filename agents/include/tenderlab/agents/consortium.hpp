#pragma once
// Consortium formation, pure: the relationship graph (Boost.Graph), the order in which a lead
// approaches partners, and how equity is split by contribution.
#include <map>
#include <string>
#include <vector>

#include <boost/graph/adjacency_list.hpp>

#include "tenderlab/engine/scenario.hpp"

namespace tenderlab {

/// Agents as vertices, relationships (past partnerships, group ties) as weighted undirected edges.
class RelationshipGraph {
 public:
  explicit RelationshipGraph(const Scenario& scenario);
  /// Strength of the tie between two agents, 0 when none.
  double strength(const std::string& a, const std::string& b) const;
  /// Neighbours of an agent, ordered by id so iteration never depends on insertion order.
  std::vector<std::pair<std::string, double>> neighbours(const std::string& id) const;

 private:
  struct VertexData {
    std::string id;
  };
  struct EdgeData {
    double strength = 0;
  };
  using Graph =
      boost::adjacency_list<boost::setS, boost::vecS, boost::undirectedS, VertexData, EdgeData>;
  Graph graph_;
  std::map<std::string, Graph::vertex_descriptor> index_;
};

/// How much a candidate adds to a team: capabilities it has beyond the team's best, weighted by
/// the technical score's weights and by the strength of its tie to the lead.
double complementarity(const Capabilities& team, const Capabilities& candidate, double tie,
                       const TechnicalCriteria& criteria = {});

/// The order in which `lead` approaches partners: its private neighbours not in `unavailable`,
/// most complementary first, then the strongest ties, then by id.
std::vector<std::string> candidate_order(const Scenario& scenario, const RelationshipGraph& graph,
                                         const std::string& lead, const Capabilities& team,
                                         const std::vector<std::string>& unavailable,
                                         const TechnicalCriteria& criteria = {});

/// Equity split of the private side by contribution: each member's weight is 1 + the sum of its
/// capabilities, the lead counts lead_equity_weight times (double by default). No member is given
/// more than it can commit (max_commitment x capital out of `commitment`, the private side's equity
/// plus contingent liabilities); what it cannot take goes to the others by weight. Only when the
/// team as a whole cannot cover `commitment` do members get more than their limit. Shares add up
/// to 1.
std::vector<double> equity_split(const std::vector<const AgentSpec*>& members, double commitment,
                                 const ProjectAssumptions& assumptions = {});

}  // namespace tenderlab
