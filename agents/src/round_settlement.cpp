// Settles who bids in an SPC partner round, once, for every agent at the same moment: binds the
// pure team formation and entry game of entry.hpp to the members' own valuations, and logs the
// result. Nothing here depends on the order agents are listed, spawned or scheduled in: agents
// are looked up by id, loops run over sorted ids, and each member values a team on its own
// streams.
#include <algorithm>
#include <functional>
#include <optional>
#include <unordered_map>

#include "world.hpp"

namespace tenderlab::detail {

std::string round_key(const CallRound& round) {
  return round.call->id + "#" + std::to_string(round.round);
}

const Beliefs& beliefs_of(World& world, const AgentSpec& agent) {
  auto it = world.beliefs.find(agent.id);
  if (it == world.beliefs.end()) {
    Rng signal = world.stream(agent.id).derive("beliefs");
    it = world.beliefs.emplace(agent.id, beliefs_for(agent, world.scenario.market, signal)).first;
  }
  return it->second;
}

Beliefs current_beliefs(World& world, const AgentSpec& agent) {
  Beliefs b = beliefs_of(world, agent);
  b.utilization_base *= world.market.demand;
  b.power_price_krw_per_kwh *= world.market.power_price;
  return b;
}

const MarketPaths& paths_of(World& world, const AgentSpec& agent, const CallSpec& call) {
  const auto key = std::make_pair(agent.id, call.id);
  auto it = world.paths.find(key);
  if (it == world.paths.end()) {
    // One set of paths per call, from a stream named after the call: the same whatever the order
    // in which calls arrive.
    Rng stream = world.stream(agent.id).derive("paths/" + call.id);
    it = world.paths
             .emplace(key, draw_market_paths(beliefs_of(world, agent),
                                             world.scenario.valuation.paths, call.object.years,
                                             stream, world.scenario.valuation.antithetic_paths))
             .first;
  }
  return it->second;
}

MemberAssessment assess_in_round(World& world, const CallRound& round,
                                 const std::vector<std::string>& team_ids, std::size_t member,
                                 bool with_effects, const std::vector<double>& rival_scores) {
  std::vector<const AgentSpec*> team;
  for (const auto& id : team_ids) {
    const AgentSpec* agent = world.scenario.find_agent(id);
    if (!agent) throw ModelError("settlement: '" + id + "' is not an agent");
    team.push_back(agent);
  }
  CallSpec call = *round.call;
  call.object = world.current_object(*round.call);
  CallRound adjusted = round;
  adjusted.call = &call;
  const AgentSpec& self = *team.at(member);
  // Sampled attributions draw their orders from a stream of the member's named after the round,
  // so they do not depend on what else the member valued before.
  Rng sampling = world.stream(self.id).derive("attribution/" + round_key(round));
  return assess_member(adjusted, team, member, current_beliefs(world, self),
                       paths_of(world, self, *round.call), 0.0, with_effects, rival_scores,
                       world.scenario.assumptions, world.scenario.valuation, &sampling);
}

namespace {

double team_score(const World& world, const CallRound& round, const std::vector<std::string>& ids) {
  std::vector<const AgentSpec*> members;
  for (const auto& id : ids)
    members.push_back(world.scenario.find_agent(id));
  const TeamProfile profile = make_team_profile(members, world.scenario.assumptions);
  return expected_score(round, profile.capabilities, profile.cloud_providers);
}

/// What a member gets from a team if its bid wins (bn KRW) and what bidding costs it: the
/// valuation at win probability 1, computed once per team and member. A member that can commit
/// nothing gets nothing.
struct Stake {
  double if_won = 0;
  double bid_cost = 0;
  double value(double p) const { return p * if_won - bid_cost; }
};

/// Hashes a team's member list, in order.
struct TeamHash {
  std::size_t operator()(const std::vector<std::string>& team) const {
    std::size_t h = team.size();
    for (const auto& id : team)
      h = h * 1000003u ^ std::hash<std::string>{}(id);
    return h;
  }
};

}  // namespace

const RoundSettlement& settle_round(World& world, const CallRound& round) {
  const std::string key = round_key(round);
  if (auto it = world.settlements.find(key); it != world.settlements.end()) return it->second;

  const Scenario& scenario = world.scenario;
  const ProjectAssumptions& assumptions = scenario.assumptions;
  std::map<std::string, double> solo_score;
  for (const auto& lead : world.spc_leads)
    solo_score[lead] = team_score(world, round, {lead});

  // What formation asks of a team, computed once per team: the members' stakes and the team's
  // win probability against the reference competition. Formation asks about the same teams many
  // times over its rounds; looked up by hash, so a large market does not pay for comparing
  // member lists along a tree.
  struct TeamFacts {
    std::vector<std::optional<Stake>> stakes;
    std::optional<double> reference_probability;
  };
  std::unordered_map<std::vector<std::string>, TeamFacts, TeamHash> facts;
  auto facts_of = [&](const std::vector<std::string>& team) -> TeamFacts& {
    auto it = facts.find(team);
    if (it == facts.end()) {
      TeamFacts fresh;
      fresh.stakes.resize(team.size());
      it = facts.emplace(team, std::move(fresh)).first;
    }
    return it->second;
  };
  auto stake = [&](const std::vector<std::string>& team, std::size_t member) -> const Stake& {
    std::optional<Stake>& cached = facts_of(team).stakes.at(member);
    if (!cached) {
      const MemberAssessment a = assess_in_round(world, round, team, member, false, {});
      Stake s;
      if (a.share > 0) {
        s.bid_cost = a.valuation.bid_cost;
        s.if_won = a.valuation.value() + a.valuation.bid_cost;
      }
      cached = s;
    }
    return *cached;
  };
  // Teams form against a reference competition that does not depend on anybody's choice: every
  // other lead bidding alone (by id, so the logit sums in a fixed order).
  auto reference_probability = [&](const std::vector<std::string>& team) {
    std::optional<double>& cached = facts_of(team).reference_probability;
    if (!cached) {
      std::vector<double> rivals;
      for (const auto& [lead, score] : solo_score)
        if (std::find(team.begin(), team.end(), lead) == team.end()) rivals.push_back(score);
      cached =
          win_probability(team_score(world, round, team), rivals, assumptions.score_temperature);
    }
    return *cached;
  };

  FormationProblem formation;
  formation.leads = world.spc_leads;
  formation.max_rounds = assumptions.max_formation_rounds;
  formation.candidates = [&](const std::string& lead, const std::vector<std::string>& team) {
    std::vector<const AgentSpec*> members;
    for (const auto& id : team)
      members.push_back(scenario.find_agent(id));
    const TeamProfile profile = make_team_profile(members, assumptions);
    return candidate_order(scenario, world.graph, lead, profile.capabilities, team,
                           round.call->evaluation.criteria);
  };
  formation.value = [&](const std::vector<std::string>& team, std::size_t member) {
    return stake(team, member).value(reference_probability(team));
  };
  const FormedTeams formed = form_teams(formation);

  EntryGame game;
  game.score_temperature = assumptions.score_temperature;
  game.max_enumerated_teams = assumptions.max_enumerated_teams;
  for (const auto& team : formed.teams) {
    EntryCandidate candidate;
    candidate.lead = team.front();
    candidate.score = team_score(world, round, team);
    for (std::size_t m = 0; m < team.size(); ++m) {
      candidate.value_if_won.push_back(stake(team, m).if_won);
      candidate.bid_cost.push_back(stake(team, m).bid_cost);
    }
    game.teams.push_back(std::move(candidate));
  }
  // Drawn from only when several equilibria exist, from a stream of its own.
  Rng draw = world.stream("entry/" + key);
  const EntryOutcome outcome = solve_entry_game(game, draw);

  RoundSettlement settlement;
  for (std::size_t i = 0; i < formed.teams.size(); ++i) {
    // formed.teams, game.teams and outcome.leads are all sorted by lead id.
    SettledTeam team;
    team.members = formed.teams[i];
    team.score = game.teams[i].score;
    team.enters = outcome.enters.at(i);
    team.win_probability = outcome.win_probability.at(i);
    for (std::size_t j = 0; j < formed.teams.size(); ++j)
      if (j != i && outcome.enters.at(j)) team.rival_scores.push_back(game.teams[j].score);
    for (const auto& member : team.members)
      settlement.team_of[member] = settlement.teams.size();
    settlement.teams.push_back(std::move(team));
  }
  for (const auto& declined : formed.declined)
    settlement.declined.try_emplace(declined.partner, declined);
  world.emit("tender-board",
             entry_settled_event(round.call->id, round.round, formed, game, outcome));
  return world.settlements.emplace(key, std::move(settlement)).first->second;
}

}  // namespace tenderlab::detail
