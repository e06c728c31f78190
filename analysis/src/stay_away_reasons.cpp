#include "tenderlab/analysis/report_observers.hpp"

namespace tenderlab::analysis {

StayAwayReasons::StayAwayReasons(EventDispatcher& events) {
  events.on<events::BidDecision>([this](const Event& e, const events::BidDecision& decision) {
    if (decision.effects)
      decision_effects_[{decision.call, decision.round, e.agent}] = *decision.effects;
  });
  events.on<events::RoundFailed>([this](const Event&, const events::RoundFailed& failed) {
    RoundAbsences round{failed.call, failed.round, {}};
    for (const auto& away : failed.stayed_away) {
      StayedAwayAgent agent{away.agent, away.role, away.value_bn_krw, {}, false};
      const auto decision = decision_effects_.find({failed.call, failed.round, away.agent});
      agent.every_clause = away.role == "lead" && decision != decision_effects_.end();
      for (const auto& effect : agent.every_clause ? decision->second : away.obstacles)
        agent.effects[effect.term] = effect.delta_bn_krw;
      round.agents.push_back(std::move(agent));
    }
    if (!round.agents.empty()) rounds_.push_back(std::move(round));
  });
}

std::vector<StayAwayEffect> StayAwayReasons::effects() const {
  std::vector<StayAwayEffect> rows;
  for (const auto& round : rounds_)
    for (const auto& agent : round.agents)
      for (const auto& [clause, delta] : agent.effects)
        rows.push_back({round.call, round.round, agent.agent, agent.role, clause, delta});
  return rows;
}

}  // namespace tenderlab::analysis
