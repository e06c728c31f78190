#pragma once
// Who bids in an SPC partner round, pure and independent of the order agents are listed in:
// teams settled by deferred acceptance on the relationship graph, then entry as a pure Nash
// equilibrium of the teams' entry game (docs/model.md, "Consortia and entry").
//
// Both steps see their inputs through callbacks (who a lead approaches, what a member gets from a
// team), so they can be tested on small made-up games; the simulation binds them to the Monte
// Carlo valuations of the members. Every loop runs over ids in sorted order and every tie is broken
// by id, so shuffling the inputs never changes the result.
#include <cstddef>
#include <functional>
#include <string>
#include <vector>

#include "tenderlab/engine/events.hpp"
#include "tenderlab/engine/rng.hpp"

namespace tenderlab {

/// Team formation: leads propose to partners, partners hold the best offer by their own value.
struct FormationProblem {
  std::vector<std::string> leads;  ///< agents that may lead a bid, any order
  /// The partners `lead` would approach next, given its current team (lead first), in the order
  /// it approaches them.
  std::function<std::vector<std::string>(const std::string& lead,
                                         const std::vector<std::string>& team)>
      candidates;
  /// What `team[member]` gets from taking part in `team` (bn KRW), against the reference
  /// competition (every other lead bidding alone).
  std::function<double(const std::vector<std::string>& team, std::size_t member)> value;
  int max_rounds = 50;  ///< bound on proposal rounds
};

/// A partner that turned a proposal down (or was never better off in it).
struct DeclinedProposal {
  std::string partner;
  std::vector<std::string> team;  ///< the proposed team, lead first, partner last
  double value = 0;               ///< the partner's value in it
};

struct FormedTeams {
  std::vector<std::vector<std::string>> teams;  ///< lead first, sorted by lead
  std::vector<DeclinedProposal> declined;       ///< in the order the rounds met them, by id
  bool converged = true;                        ///< false when max_rounds ended the proposals
  int rounds = 0;
};

/// The best team `lead` could lead itself, as if no other lead competed for its partners: starting
/// alone, it adds, one at a time, the first of its candidates that raises its own value and that
/// gains from joining (more than staying out, or, for a candidate that may lead, more than leading
/// alone), at most `max_rounds` times. It depends only on the lead, its candidates and the values,
/// never on the other leads or the order they are listed in. Lead first.
std::vector<std::string> best_own_team(const FormationProblem& problem, const std::string& lead);

/// Many-to-one deferred acceptance, proposals made simultaneously in each round: every lead
/// proposes to the first candidate that raises its own value; every partner keeps, among the
/// offers of the round and the team it is in, the one it values most (ties: smallest lead id),
/// if that beats staying out and, for a lead that is in no other team, its outside option: the
/// larger of its current team's value and that of best_own_team. A lead that joins another
/// team gives up its own; its partners are free again. A proposal whose lead itself accepts a
/// place this round lapses and is made again later. Finally members that value their team at
/// or below zero leave it (individual rationality).
FormedTeams form_teams(const FormationProblem& problem);

/// One team in the entry game.
struct EntryCandidate {
  std::string lead;
  double score = 0;                  ///< expected score from the evaluators
  std::vector<double> value_if_won;  ///< per member (bn KRW): value of the project if the bid wins
  std::vector<double> bid_cost;      ///< per member (bn KRW): paid whether or not it wins
};

struct EntryGame {
  std::vector<EntryCandidate> teams;  ///< any order
  double score_temperature = 5;       ///< logit noise of the win probabilities (points)
  int max_enumerated_teams = 16;      ///< above this, best responses instead of all 2^k profiles
};

/// How the played profile was chosen.
enum class EntrySelection {
  unique,         ///< the only pure equilibrium
  seeded_draw,    ///< several: one drawn uniformly from the run's stream
  best_response,  ///< none (or too many teams to enumerate): bounded best responses by lead id
};
const char* to_string(EntrySelection selection);

struct EntryOutcome {
  /// Every pure Nash equilibrium (entrants by lead id), in the order of the bit masks over the
  /// teams sorted by lead id; empty when not enumerated.
  std::vector<std::vector<std::string>> equilibria;
  std::size_t chosen = 0;  ///< index into equilibria (when not best_response)
  EntrySelection selection = EntrySelection::unique;
  std::vector<std::string> entrants;  ///< sorted
  /// Per team of EntryGame::teams sorted by lead: whether it enters and the win probability it
  /// has (if it enters) against the other entrants.
  std::vector<std::string> leads;
  std::vector<bool> enters;
  std::vector<double> win_probability;
};

/// Whether every member of `team` gains from bidding with win probability `p`.
bool entry_pays(const EntryCandidate& team, double p);

/// Solves the entry game: team i's member m gets p_i(S)·value_if_won[m] − bid_cost[m] when i is in
/// the set S of entrants, where p_i(S) is the logit of the scores of S; a team enters when every
/// member gains. With at most max_enumerated_teams teams, all 2^k profiles are checked; one pure
/// equilibrium is played as is, several are drawn from uniformly with `rng` (one draw, only then),
/// and when none exists the profile reached by best responses (teams in lead id order, starting
/// from nobody, at most 4k sweeps) is played.
EntryOutcome solve_entry_game(const EntryGame& game, Rng& rng);

/// The entry_settled event of a round: the formed teams (`formed.teams`, sorted by lead, the
/// order of `game.teams` and of `outcome`), every equilibrium and the one played.
events::EntrySettled entry_settled_event(const std::string& call, int round,
                                         const FormedTeams& formed, const EntryGame& game,
                                         const EntryOutcome& outcome);

}  // namespace tenderlab
