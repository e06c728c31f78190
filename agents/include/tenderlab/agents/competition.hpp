#pragma once
// The competition of one round as the leads see it, pure: the teams that registered (letters of
// intent) with their expected scores, and every other lead that has neither registered, joined a
// team nor stayed away, at the score it would have alone.
//
// Every lead judges its chances against every rival, so a team's rival list is as long as the
// number of leads: that part of the model is quadratic in the number of agents. What this class
// removes is the work around it: the leads' solo scores are computed once per round, and who is
// accounted for is kept up to date as teams register and leads withdraw, so a rival list costs
// one pass over a vector of scores, without lookups, sets or string comparisons per lead.
#include <cstddef>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tenderlab/agents/call_round.hpp"

namespace tenderlab {

/// When the lead of rank `rank` among `leads` prepares its bid for a round announced at
/// `announced` whose bids are due at `due` (seconds). Leads prepare from one day after the
/// announcement, one hour apart, in rank order, so that each sees the teams formed before it.
/// When they would not all have prepared before `due`, they share the time left evenly instead
/// (from the announcement itself if one day is already too late), so that every lead has
/// prepared, and can bid, before bids are due; the order is kept.
double lead_preparation_time(double announced, double due, std::size_t leads, std::size_t rank);

class Competition {
 public:
  /// `leads` are the agents that may lead a bid, in the order they prepare; every id must be an
  /// agent of `scenario`.
  Competition(const CallRound& round, const Scenario& scenario,
              const std::vector<std::string>& leads);

  /// Position of `id` in the leads' order, or nothing when it does not lead.
  std::optional<std::size_t> lead_rank(const std::string& id) const;

  /// A team registers: its score becomes a rival of every other team, and its members are no
  /// longer rivals on their own.
  void register_team(const std::string& lead, const std::vector<std::string>& members,
                     double score);
  /// A lead stays away from the round or has joined another team.
  void withdraw(const std::string& id);

  /// The scores `team` (lead first) competes against: the registered teams other than its own, in
  /// the order they registered, then the leads neither accounted for nor in the team, in the
  /// leads' order. The order is part of the result: win probabilities sum over it.
  std::vector<double> rival_scores(const std::vector<std::string>& team) const;

 private:
  struct Registered {
    std::string lead;
    double score = 0;
  };
  std::vector<std::pair<std::string, std::size_t>> rank_by_id_;  ///< (lead id, rank), by id
  std::vector<double> solo_scores_;                              ///< by rank
  std::vector<bool> accounted_;  ///< by rank: in a registered team, or withdrawn
  std::vector<Registered> registered_;
};

}  // namespace tenderlab
