#pragma once
// The power grid as a flow network, pure: substations (nodes) with the generation or import they
// can feed in and the load already connected to them, lines between them with MW capacities.
// What a data-centre site can draw comes from a maximum flow (Boost.Graph) that serves every other
// load first, so congestion follows from the network's numbers, never from a special case.
#include <cstddef>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace tenderlab {

struct GridNode {
  std::string id;
  std::string region;
  double supply_mw = 0;  ///< generation or import that can be fed in at this node
  double load_mw = 0;    ///< load already connected here, served before any new connection
};

/// A line (or transformer) between two nodes; power flows either way up to its capacity.
struct GridLine {
  std::string from;
  std::string to;
  double capacity_mw = 0;
};

/// A connection asked for at a node.
struct ConnectionRequest {
  std::string id;  ///< the site, unique among the requests decided together
  std::string node;
  double mw = 0;
};

/// What a request gets: between 0 (refused) and the MW asked for (a partial grant in between).
struct ConnectionGrant {
  std::string id;
  std::string node;
  double requested_mw = 0;
  double granted_mw = 0;
};

class PowerGrid {
 public:
  /// Throws ModelError on duplicate or unknown node ids, a line from a node to itself, or a
  /// negative or non-finite MW figure.
  PowerGrid(std::vector<GridNode> nodes, std::vector<GridLine> lines);

  /// The most power that can reach the loads: a maximum flow from the nodes' supplies to their
  /// loads over the lines. With `extra` MW of additional load per node id.
  double deliverable_mw(const std::map<std::string, double>& extra = {}) const;
  /// The load connected at all nodes.
  double total_load_mw() const;
  /// Whether every connected load can be served at once.
  bool serves_all_loads() const;
  /// The MW a new load at `node` can draw while every connected load stays served: 0 when the
  /// connected loads already cannot all be served.
  double headroom_mw(const std::string& node) const;
  /// Adds `mw` of connected load at `node` (a granted connection).
  void connect(const std::string& node, double mw);
  /// Adds `mw` of supply at `node`, or of capacity to the line between `a` and `b` (upgrades).
  void add_supply(const std::string& node, double mw);
  void upgrade_line(const std::string& a, const std::string& b, double mw);

  /// Decides requests together, so that none is favoured by its place in the list: every request
  /// gets the same share of what it asks for, raised until the network allows no more
  /// (max-min fair in shares). Requests that a bottleneck stops keep the share they reached; the
  /// others go on rising, up to everything they asked for. The grid is not changed: connect() the
  /// grants to commit them. Request ids must be unique.
  std::vector<ConnectionGrant> allocate(const std::vector<ConnectionRequest>& requests) const;

  const std::vector<GridNode>& nodes() const { return nodes_; }
  const std::vector<GridLine>& lines() const { return lines_; }

 private:
  std::size_t index_of(const std::string& node) const;
  /// Max flow with `extra_load[i]` MW added at node i.
  double max_flow(const std::vector<double>& extra_load) const;

  std::vector<GridNode> nodes_;
  std::vector<GridLine> lines_;
  std::map<std::string, std::size_t> index_;
  /// Per line, the indices of its two nodes (max_flow runs many times per decision).
  std::vector<std::pair<std::size_t, std::size_t>> line_ends_;
};

}  // namespace tenderlab
