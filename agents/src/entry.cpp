#include "tenderlab/agents/entry.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <set>

#include "tenderlab/agents/tender_rules.hpp"
#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

namespace {

double rounded(double x) {  // to 0.001, as the log writes numbers; never "-0.0"
  const double r = std::round(x * 1000.0) / 1000.0;
  return r == 0.0 ? 0.0 : r;
}

bool contains(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

struct Proposal {
  std::string lead;
  std::vector<std::string> team;  ///< lead's team with the partner appended
};

}  // namespace

std::vector<std::string> best_own_team(const FormationProblem& problem, const std::string& lead) {
  const std::set<std::string> may_lead(problem.leads.begin(), problem.leads.end());
  std::vector<std::string> team{lead};
  for (int step = 0; step < problem.max_rounds; ++step) {
    const double current = problem.value(team, 0);
    bool grown = false;
    for (const auto& candidate : problem.candidates(lead, team)) {
      if (candidate == lead || contains(team, candidate)) continue;
      std::vector<std::string> proposal = team;
      proposal.push_back(candidate);
      if (!(problem.value(proposal, 0) > current)) continue;
      // What the candidate would give up: nothing, or for a lead its own team alone (not its own
      // best team, which would make the outside options depend on each other).
      const double forgone =
          may_lead.count(candidate) ? std::max(0.0, problem.value({candidate}, 0)) : 0.0;
      if (!(problem.value(proposal, proposal.size() - 1) > forgone)) continue;
      team = std::move(proposal);
      grown = true;
      break;
    }
    if (!grown) break;
  }
  return team;
}

FormedTeams form_teams(const FormationProblem& problem) {
  std::vector<std::string> leads = problem.leads;
  std::sort(leads.begin(), leads.end());
  leads.erase(std::unique(leads.begin(), leads.end()), leads.end());
  const std::set<std::string> may_lead(leads.begin(), leads.end());
  // A lead's outside option when another lead offers it a place: leading the best team it could
  // build itself. Without it a lead would compare an offer with its team as it stands, alone in
  // the first round, and join a stronger lead before it could approach its own partners.
  std::map<std::string, double> outside_option;
  for (const auto& lead : leads)
    outside_option[lead] = problem.value(best_own_team(problem, lead), 0);

  std::map<std::string, std::vector<std::string>> team_of;  ///< active lead -> team, lead first
  std::map<std::string, std::string> joined;                ///< partner -> lead of its team
  std::set<std::pair<std::string, std::string>> rejected;   ///< (lead, partner)
  for (const auto& lead : leads)
    team_of[lead] = {lead};

  FormedTeams result;
  auto leave = [&](const std::string& id) {
    auto it = joined.find(id);
    if (it == joined.end()) return;
    auto& team = team_of.at(it->second);
    team.erase(std::find(team.begin(), team.end(), id));
    joined.erase(it);
  };
  // A lead that joins another team gives its own up: its partners are free, and leads among them
  // lead their own teams again.
  auto dissolve = [&](const std::string& lead) {
    std::vector<std::string> team = team_of.at(lead);
    team_of.erase(lead);
    for (std::size_t i = 1; i < team.size(); ++i) {
      joined.erase(team[i]);
      for (auto it = rejected.begin(); it != rejected.end();)
        it = it->second == team[i] ? rejected.erase(it) : std::next(it);
      if (may_lead.count(team[i])) team_of[team[i]] = {team[i]};
    }
  };

  for (;;) {
    if (result.rounds >= problem.max_rounds) {
      result.converged = false;
      break;
    }
    // Every active lead proposes to its first candidate that raises its own value.
    std::map<std::string, std::vector<Proposal>> offers;  ///< partner -> offers, by lead id
    for (const auto& [lead, team] : team_of) {
      const double current = problem.value(team, 0);
      for (const auto& candidate : problem.candidates(lead, team)) {
        if (candidate == lead || contains(team, candidate) || rejected.count({lead, candidate}))
          continue;
        std::vector<std::string> proposal = team;
        proposal.push_back(candidate);
        if (!(problem.value(proposal, 0) > current)) continue;
        offers[candidate].push_back({lead, std::move(proposal)});
        break;
      }
    }
    if (offers.empty()) break;
    ++result.rounds;

    // Every partner keeps the best offer if it beats where it stands.
    std::map<std::string, Proposal> accepted;  ///< partner -> accepted proposal
    for (const auto& [partner, proposals] : offers) {
      double standing = 0;  // staying out
      if (auto it = joined.find(partner); it != joined.end()) {
        const auto& team = team_of.at(it->second);
        const auto at =
            static_cast<std::size_t>(std::find(team.begin(), team.end(), partner) - team.begin());
        standing = std::max(standing, problem.value(team, at));
      } else if (auto own = team_of.find(partner); own != team_of.end()) {
        standing = std::max({standing, problem.value(own->second, 0), outside_option.at(partner)});
      }
      std::optional<std::size_t> best;
      double best_value = standing;
      std::vector<double> values;
      for (std::size_t i = 0; i < proposals.size(); ++i) {
        values.push_back(problem.value(proposals[i].team, proposals[i].team.size() - 1));
        if (values[i] > best_value) {  // strict: the smaller lead id wins ties
          best_value = values[i];
          best = i;
        }
      }
      for (std::size_t i = 0; i < proposals.size(); ++i) {
        if (best && *best == i) continue;
        rejected.insert({proposals[i].lead, partner});
        result.declined.push_back({partner, proposals[i].team, values[i]});
      }
      if (best) accepted.emplace(partner, proposals[*best]);
    }
    // A lead that takes a place in another team this round has no team to bring a partner into.
    for (const auto& [partner, proposal] : accepted) {
      if (accepted.count(proposal.lead)) continue;
      if (!team_of.count(proposal.lead)) continue;
      leave(partner);
      if (team_of.count(partner)) dissolve(partner);
      team_of.at(proposal.lead).push_back(partner);
      joined[partner] = proposal.lead;
    }
  }

  // Individual rationality: members that value their final team at or below zero leave it, one
  // at a time (the first by position), and the rest are checked again with the new shares.
  for (auto& [lead, team] : team_of) {
    for (bool changed = true; changed;) {
      changed = false;
      for (std::size_t i = 1; i < team.size(); ++i) {
        if (problem.value(team, i) > 0) continue;
        result.declined.push_back({team[i], team, problem.value(team, i)});
        joined.erase(team[i]);
        team.erase(team.begin() + static_cast<std::ptrdiff_t>(i));
        changed = true;
        break;
      }
    }
  }
  // Leads that left a team on value lead their own again (alone).
  for (const auto& lead : leads) {
    bool placed = team_of.count(lead) > 0 || joined.count(lead) > 0;
    if (!placed) team_of[lead] = {lead};
  }
  for (auto& [lead, team] : team_of)
    result.teams.push_back(team);
  return result;
}

const char* to_string(EntrySelection selection) {
  switch (selection) {
    case EntrySelection::unique:
      return "unique";
    case EntrySelection::seeded_draw:
      return "seeded_draw";
    case EntrySelection::best_response:
      return "best_response";
  }
  return "unique";
}

bool entry_pays(const EntryCandidate& team, double p) {
  if (team.value_if_won.empty()) return false;
  for (std::size_t m = 0; m < team.value_if_won.size(); ++m)
    if (!(p * team.value_if_won[m] - team.bid_cost.at(m) > 0)) return false;
  return true;
}

EntryOutcome solve_entry_game(const EntryGame& game, Rng& rng) {
  std::vector<const EntryCandidate*> teams;
  for (const auto& team : game.teams)
    teams.push_back(&team);
  std::sort(teams.begin(), teams.end(),
            [](const EntryCandidate* a, const EntryCandidate* b) { return a->lead < b->lead; });
  for (std::size_t i = 1; i < teams.size(); ++i)
    if (teams[i]->lead == teams[i - 1]->lead)
      throw ModelError("entry game: two teams led by '" + teams[i]->lead + "'");
  const std::size_t k = teams.size();

  // Win probability of team i if it enters, given the others in `in`.
  auto win = [&](std::size_t i, const std::vector<bool>& in) {
    std::vector<double> rivals;
    for (std::size_t j = 0; j < k; ++j)
      if (j != i && in[j]) rivals.push_back(teams[j]->score);
    return win_probability(teams[i]->score, rivals, game.score_temperature);
  };
  auto best_reply = [&](std::size_t i, const std::vector<bool>& in) {
    return entry_pays(*teams[i], win(i, in));
  };
  auto is_equilibrium = [&](const std::vector<bool>& in) {
    for (std::size_t i = 0; i < k; ++i)
      if (best_reply(i, in) != in[i]) return false;
    return true;
  };

  EntryOutcome outcome;
  std::vector<bool> played(k, false);
  bool enumerated = false;
  if (k <= static_cast<std::size_t>(std::max(0, game.max_enumerated_teams)) && k < 63) {
    enumerated = true;
    std::vector<std::vector<bool>> profiles;
    for (std::uint64_t mask = 0; mask < (std::uint64_t{1} << k); ++mask) {
      std::vector<bool> in(k);
      for (std::size_t i = 0; i < k; ++i)
        in[i] = (mask >> i) & 1U;
      if (!is_equilibrium(in)) continue;
      std::vector<std::string> entrants;
      for (std::size_t i = 0; i < k; ++i)
        if (in[i]) entrants.push_back(teams[i]->lead);
      outcome.equilibria.push_back(std::move(entrants));
      profiles.push_back(std::move(in));
    }
    if (profiles.size() == 1) {
      outcome.selection = EntrySelection::unique;
      played = profiles.front();
    } else if (profiles.size() > 1) {
      outcome.selection = EntrySelection::seeded_draw;
      outcome.chosen = static_cast<std::size_t>(rng.below(profiles.size()));
      played = profiles[outcome.chosen];
    }
  }
  if (!enumerated || outcome.equilibria.empty()) {
    outcome.selection = EntrySelection::best_response;
    // Sequential best responses in lead id order from nobody entering; bounded, since a game
    // without a pure equilibrium cycles.
    for (std::size_t sweep = 0; sweep < 4 * std::max<std::size_t>(k, 1); ++sweep) {
      bool changed = false;
      for (std::size_t i = 0; i < k; ++i) {
        const bool reply = best_reply(i, played);
        if (reply != played[i]) {
          played[i] = reply;
          changed = true;
        }
      }
      if (!changed) break;
    }
    if (!enumerated && is_equilibrium(played)) {
      std::vector<std::string> entrants;
      for (std::size_t i = 0; i < k; ++i)
        if (played[i]) entrants.push_back(teams[i]->lead);
      outcome.equilibria.push_back(std::move(entrants));
    }
  }
  for (std::size_t i = 0; i < k; ++i) {
    outcome.leads.push_back(teams[i]->lead);
    outcome.enters.push_back(played[i]);
    outcome.win_probability.push_back(win(i, played));
    if (played[i]) outcome.entrants.push_back(teams[i]->lead);
  }
  return outcome;
}

events::EntrySettled entry_settled_event(const std::string& call, int round,
                                         const FormedTeams& formed, const EntryGame& game,
                                         const EntryOutcome& outcome) {
  if (formed.teams.size() != outcome.leads.size() || game.teams.size() != outcome.leads.size())
    throw ModelError("entry_settled_event: teams, game and outcome differ in size");
  events::EntrySettled logged;
  logged.call = call;
  logged.round = round;
  for (std::size_t i = 0; i < formed.teams.size(); ++i)
    logged.teams.push_back(events::EntryTeam{formed.teams[i], rounded(game.teams[i].score),
                                             outcome.enters[i],
                                             rounded(outcome.win_probability[i])});
  for (const auto& equilibrium : outcome.equilibria)
    logged.equilibria.push_back(events::EntryProfile{equilibrium});
  logged.selection = to_string(outcome.selection);
  logged.chosen = static_cast<int>(outcome.chosen);
  logged.entrants = outcome.entrants;
  logged.formation_converged = formed.converged;
  return logged;
}

}  // namespace tenderlab
