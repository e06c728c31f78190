#pragma once
// The grid operator's queue of connection requests, pure. Requests wait for the next review; a
// review decides every waiting request together on the grid as it is then (PowerGrid::allocate:
// the same share for all, so no request is favoured by when it arrived or where it sits in the
// queue), commits the grants, and names the MW that still wait so the operator can reinforce the
// grid for them. docs/model/power-grid.md describes the rules.
#include <map>
#include <string>
#include <vector>

#include "tenderlab/agents/power_grid.hpp"
#include "tenderlab/engine/scenario.hpp"

namespace tenderlab {

/// A request for power at a site, as the queue keeps it.
struct QueuedConnection {
  std::string id;  ///< unique among the requests of a run (the contract: "<call>/<lead>")
  std::string site;
  std::string node;
  std::string call;  ///< what the power is for
  std::string user;  ///< the agent that will draw it (a contract's lead)
  double requested_mw = 0;
  double outstanding_mw = 0;  ///< not granted yet
  double requested_at = 0;    ///< simulated seconds
  /// Withdrawn after the first review that does not grant it in full, and never reinforced:
  /// applications of data centres outside the model, which look for power elsewhere.
  bool lapses = false;
};

/// What one review decided for one request.
struct ConnectionDecision {
  QueuedConnection request;  ///< after the review (outstanding_mw updated)
  double granted_mw = 0;     ///< at this review
  double headroom_mw = 0;    ///< at the request's node after every grant of the review
  /// "granted" (everything outstanding), "partial" or "refused" (nothing).
  const char* decision() const;
};

/// A reinforcement the operator should start: `mw` more supply at `node` for request `id`.
struct ReinforcementOrder {
  std::string id;
  std::string node;
  double mw = 0;
};

struct ReviewOutcome {
  std::vector<ConnectionDecision> decisions;       ///< by request id
  std::vector<ReinforcementOrder> reinforcements;  ///< by request id
};

class ConnectionQueue {
 public:
  /// Queues a request. Throws ModelError for an id already waiting or a negative request.
  void add(QueuedConnection request);
  bool empty() const { return waiting_.empty(); }
  std::size_t size() const { return waiting_.size(); }

  /// Decides every waiting request on `grid` together and connects the grants to it. Requests
  /// granted in full leave the queue, and so do those that lapse. With `reinforce`, each request
  /// that does not lapse and whose outstanding MW exceed what reinforcements already under way
  /// for it will bring gets an order for the difference.
  ReviewOutcome review(PowerGrid& grid, bool reinforce);

  /// A reinforcement started for request `id` went into service: its MW are no longer under way
  /// (they are now supply at the node, open to every request at the next review).
  void reinforcement_done(const std::string& id, double mw);

 private:
  std::map<std::string, QueuedConnection> waiting_;  ///< by id: reviews never see arrival order
  std::map<std::string, double> under_way_mw_;       ///< reinforcement MW started per request
};

/// The grid of a scenario (/grid) as a flow network.
PowerGrid make_power_grid(const GridSpec& spec);

/// Whether a node lies in the capital region.
bool capital_node(const GridSpec& spec, const std::string& node);
/// The `region` of a node of the grid (for reports by region). Throws ModelError for an
/// unknown node.
const std::string& node_region(const GridSpec& spec, const std::string& node);

/// The MW a new load can draw at `site` now: the grid's headroom at its node, capped by what is
/// left of the site's max_mw after the MW `used_mw` says were granted there (never below 0).
double site_room(const PowerGrid& grid, const SiteSpec& site,
                 const std::map<std::string, double>& used_mw);

/// The site that hosts a contract of `mw` for a team: among the sites in the region class the
/// contract requires (`non_capital`), those of a team member or without an owner first, then
/// any; within them the one where a new load can draw the most of `mw` now (the grid's headroom,
/// capped by what is left of the site's max_mw after the MW `used_mw` says were granted there),
/// ties by id. Null when no site lies in that region class.
const SiteSpec* choose_site(const Scenario& scenario, const PowerGrid& grid,
                            const std::vector<std::string>& team, bool non_capital, double mw,
                            const std::map<std::string, double>& used_mw = {});

/// The most MW a new load can draw now at one site of a team member or without an owner, among
/// the sites `rule` allows: the grid's headroom at its node, capped by what is left of the site's
/// max_mw after `used_mw`. 0 when the team has no such site.
double connectable_mw(const Scenario& scenario, const PowerGrid& grid,
                      const std::vector<std::string>& team, SiteRule rule,
                      const std::map<std::string, double>& used_mw = {});

}  // namespace tenderlab
