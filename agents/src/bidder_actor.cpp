// A private agent (cloud provider, telco, university, chip maker, builder, local government):
// answers calls, forms or joins consortia, bids or stays away. Decisions come from the pure
// functions in participation.hpp; this file only moves messages, keeps time and logs.
#include <cmath>
#include <limits>
#include <map>
#include <set>

#include "tenderlab/agents/participation.hpp"
#include "world.hpp"

namespace tenderlab::detail {
namespace {

struct Task {
  double time;
  std::uint64_t seq;
  enum class Kind { form_consortium, submit_bid, offer_supply } kind;
  RoundPtr round;
  bool operator<(const Task& other) const {
    return time != other.time ? time < other.time : seq < other.seq;
  }
};

std::string round_key(const CallRound& round) {
  return round.call->id + "#" + std::to_string(round.round);
}

class Bidder {
 public:
  Bidder(World& world, const AgentSpec& agent)
      : world_(world), agent_(agent), inbox_(inbox_of(agent.id)), rng_(world.stream(agent.id)) {
    Rng signal = rng_.derive("beliefs");
    beliefs_ = beliefs_for(agent, world.scenario.market, signal);
  }

  void run() {
    for (;;) {
      const double next =
          tasks_.empty() ? std::numeric_limits<double>::infinity() : tasks_.begin()->time;
      std::optional<Message> message = inbox_.receive_until(next);
      if (message) {
        if (std::holds_alternative<Stop>(*message)) return;
        handle(*message);
        continue;
      }
      Task task = *tasks_.begin();
      tasks_.erase(tasks_.begin());
      Kernel::sleep_until(task.time);
      perform(task);
    }
  }

 private:
  void schedule(double time, Task::Kind kind, RoundPtr round) {
    tasks_.insert(Task{time, next_task_seq_++, kind, std::move(round)});
  }

  Beliefs current_beliefs() const {
    Beliefs b = beliefs_;
    b.utilization_base *= world_.market.demand;
    b.power_price_krw_per_kwh *= world_.market.power_price;
    return b;
  }

  const MarketPaths& paths_for(const CallSpec& call) {
    auto it = paths_.find(call.id);
    if (it == paths_.end()) {
      // One set of paths per call, from a stream named after the call: the same whatever the
      // order in which calls arrive.
      Rng stream = rng_.derive("paths/" + call.id);
      const int years = call.object.years;
      it = paths_
               .emplace(call.id,
                        draw_market_paths(beliefs_, world_.scenario.valuation.paths, years, stream))
               .first;
    }
    return it->second;
  }

  /// The competition of a round, set up when an agent first looks at it.
  Competition& competition(const CallRound& round) {
    return world_.competition
        .try_emplace(round_key(round), round, world_.scenario, world_.leads_by_priority)
        .first->second;
  }

  MemberAssessment assess(const CallRound& round, const std::vector<std::string>& team_ids,
                          bool with_effects) {
    std::vector<const AgentSpec*> team;
    std::size_t self = 0;
    for (std::size_t i = 0; i < team_ids.size(); ++i) {
      team.push_back(world_.scenario.find_agent(team_ids[i]));
      if (team_ids[i] == agent_.id) self = i;
    }
    CallSpec call = *round.call;
    call.object = world_.current_object(*round.call);
    CallRound adjusted = round;
    adjusted.call = &call;
    return assess_member(adjusted, team, self, current_beliefs(), paths_for(*round.call), 0.0,
                         with_effects, competition(round).rival_scores(team_ids),
                         world_.scenario.assumptions);
  }

  void handle(const Message& message) {
    if (const auto* announced = std::get_if<RoundAnnounced>(&message)) {
      on_announced(announced->round);
    } else if (const auto* invitation = std::get_if<Invitation>(&message)) {
      on_invitation(*invitation);
    } else if (const auto* release = std::get_if<Release>(&message)) {
      committed_.erase(round_key(*release->round));
    }
    // Replies arriving outside a formation (none are expected) are ignored on purpose: a reply
    // only has meaning inside the exchange that asked for it.
  }

  void on_announced(const RoundPtr& round) {
    const CallSpec& call = *round->call;
    const double opened = world_.time_of(round->schedule.announce);
    const double due = world_.time_of(round->schedule.bid_deadline, bid_closing_hour - 1);
    switch (call.kind) {
      case CallKind::spc_partner: {
        const auto rank = competition(*round).lead_rank(agent_.id);
        if (!rank) return;
        // Leads prepare in a fixed order (largest capital first), one after the other, so that
        // partners committed to an earlier lead are known to be taken; all before bids are due.
        const double slot =
            lead_preparation_time(opened, due, world_.leads_by_priority.size(), *rank);
        schedule(slot, Task::Kind::form_consortium, round);
        return;
      }
      case CallKind::procurement:
        if (agent_.kind.may(Role::lead, CallKind::procurement))
          schedule(lead_preparation_time(opened, due, 1, 0), Task::Kind::offer_supply, round);
        return;
      case CallKind::allocation:
        if (agent_.kind.may(Role::apply, CallKind::allocation))
          schedule(world_.time_of(round->schedule.bid_deadline, bid_closing_hour - 1),
                   Task::Kind::submit_bid, round);
        return;
    }
  }

  void perform(const Task& task) {
    switch (task.kind) {
      case Task::Kind::form_consortium:
        form_consortium(task.round);
        break;
      case Task::Kind::submit_bid:
        submit_bid(task.round);
        break;
      case Task::Kind::offer_supply:
        offer(task.round);
        break;
    }
  }

  void on_invitation(const Invitation& invitation) {
    const CallRound& round = *invitation.round;
    const std::string key = round_key(round);
    auto committed = committed_.find(key);
    const bool busy = committed != committed_.end() && committed->second != invitation.lead;
    const bool forming = forming_ == key;
    events::InvitationAnswered answer;
    answer.call = round.call->id;
    answer.round = round.round;
    answer.lead = invitation.lead;
    answer.confirmation = invitation.confirmation;
    answer.team = invitation.team;
    if (busy || forming) {
      answer.accepted = false;
      answer.reason = !busy ? std::string("forming its own consortium")
                      : committed->second == agent_.id
                          ? std::string("leads its own consortium")
                          : "already in the consortium led by " + committed->second;
      world_.emit(agent_.id, answer);
      Inbox<Message>(inbox_of(invitation.lead)).send(InvitationReply{agent_.id, false});
      return;
    }
    const MemberAssessment assessment = assess(round, invitation.team, true);
    answer.accepted = assessment.accepts();
    answer.share = round_money(assessment.share);
    answer.value_bn_krw = round_money(assessment.valuation.value());
    answer.reason = assessment.accepts() ? std::string("better off inside") : assessment.refusal;
    answer.obstacles = clause_effects(main_obstacles(assessment.effects, reported_obstacles));
    world_.emit(agent_.id, answer);
    if (assessment.accepts()) {
      committed_[key] = invitation.lead;
    } else {
      if (invitation.confirmation) committed_.erase(key);
      // A partner that turns a team down on value stays away from the round too; the board
      // reports it once, with the clauses that weighed most.
      if (!agent_.kind.may(Role::lead, round.call->kind) && declined_.insert(key).second)
        Inbox<Message>(board_inbox)
            .send(NoBidNotice{invitation.round, agent_.id, assessment.effects,
                              assessment.valuation.value(), "partner"});
    }
    Inbox<Message>(inbox_of(invitation.lead))
        .send(InvitationReply{agent_.id, assessment.accepts()});
  }

  /// Sends an invitation and waits for its reply, answering other invitations meanwhile.
  bool invite(const RoundPtr& round, const std::vector<std::string>& team, const std::string& to,
              bool confirmation) {
    if (!confirmation)
      world_.emit(agent_.id, events::InvitationSent{round->call->id, round->round, to, team});
    Inbox<Message>(inbox_of(to)).send(Invitation{agent_.id, round, team, confirmation});
    for (;;) {
      Message message = inbox_.receive();
      if (const auto* reply = std::get_if<InvitationReply>(&message); reply && reply->member == to)
        return reply->accept;
      if (std::holds_alternative<Stop>(message))
        throw ModelError("stopped while waiting for a reply from " + to);
      handle(message);
    }
  }

  void form_consortium(const RoundPtr& round) {
    const std::string key = round_key(*round);
    auto committed = committed_.find(key);
    if (committed != committed_.end()) {
      events::BidDecision decision;
      decision.call = round->call->id;
      decision.round = round->round;
      decision.decision = "in_consortium";
      decision.reason = "member of the consortium led by " + committed->second;
      world_.emit(agent_.id, decision);
      competition(*round).withdraw(agent_.id);
      return;
    }
    forming_ = key;
    std::vector<std::string> team{agent_.id};
    MemberAssessment current = assess(*round, team, false);
    std::set<std::string> tried;
    for (bool grew = true; grew;) {
      grew = false;
      std::vector<const AgentSpec*> members;
      for (const auto& id : team)
        members.push_back(world_.scenario.find_agent(id));
      const TeamProfile profile = make_team_profile(members, world_.scenario.assumptions);
      for (const auto& candidate :
           candidate_order(world_.scenario, world_.graph, agent_.id, profile.capabilities, team,
                           round->call->evaluation.criteria)) {
        if (tried.count(candidate)) continue;
        std::vector<std::string> proposal = team;
        proposal.push_back(candidate);
        const MemberAssessment with = assess(*round, proposal, false);
        // Invite only partners that make the lead better off, or bring a bid it cannot afford
        // alone closer to what it can commit.
        const bool improves = partner_improves(current.valuation, with.valuation);
        if (!improves) continue;
        tried.insert(candidate);
        if (invite(round, proposal, candidate, false)) {
          team = std::move(proposal);
          current = with;
          grew = true;
          break;  // capabilities changed: recompute who adds most
        }
      }
    }
    // Every member must still be better off with the final shares; those who are not withdraw,
    // and the rest are asked again.
    for (bool changed = team.size() > 1; changed;) {
      changed = false;
      for (std::size_t i = 1; i < team.size(); ++i) {
        if (!invite(round, team, team[i], true)) {
          world_.emit(team[i], events::MemberWithdrew{round->call->id, round->round, agent_.id});
          team.erase(team.begin() + static_cast<std::ptrdiff_t>(i));
          changed = team.size() > 1;
          break;
        }
      }
    }
    forming_.clear();
    const MemberAssessment final_view = assess(*round, team, true);
    std::vector<const AgentSpec*> members;
    for (const auto& id : team)
      members.push_back(world_.scenario.find_agent(id));
    const std::vector<double>& shares = final_view.shares;
    const TeamProfile profile = make_team_profile(members, world_.scenario.assumptions);

    const auto& v = final_view.valuation;
    events::BidDecision decision;
    decision.call = round->call->id;
    decision.round = round->round;
    decision.decision = final_view.accepts() ? "bid" : "no_bid";
    decision.team = team;
    decision.valuation =
        events::BidValuation{round_money(v.value()),           round_money(v.certainty_equivalent),
                             round_money(v.expected_npv),      round_money(v.npv_sd),
                             round_money(v.control_cost),      round_money(v.capital_cost),
                             round_money(v.bid_cost),          round_money(v.strategic_value),
                             round_money(v.equity_commitment), round_money(v.contingent_liability),
                             round_money(v.win_probability),   round_money(v.capital_limit)};
    decision.reason =
        final_view.accepts() ? std::string("value positive for every member") : final_view.refusal;
    decision.effects = clause_effects(final_view.effects);
    world_.emit(agent_.id, decision);

    if (!final_view.accepts()) {
      competition(*round).withdraw(agent_.id);
      for (std::size_t i = 1; i < team.size(); ++i)
        Inbox<Message>(inbox_of(team[i])).send(Release{agent_.id, round});
      if (team.size() > 1)
        world_.emit(agent_.id, events::ConsortiumDissolved{round->call->id, round->round, team});
      Inbox<Message>(board_inbox)
          .send(NoBidNotice{round, agent_.id, final_view.effects, final_view.valuation.value(),
                            "lead"});
      return;
    }
    std::vector<double> logged_shares;
    for (double s : shares)
      logged_shares.push_back(round_money(s));
    const double score = expected_score(*round, profile.capabilities, profile.cloud_providers);
    world_.emit(agent_.id,
                events::ConsortiumFormed{round->call->id, round->round, team, logged_shares,
                                         profile.cloud_providers, round_money(score),
                                         round_money(final_view.valuation.win_probability)});
    competition(*round).register_team(agent_.id, team, score);
    committed_[key] = agent_.id;
    pending_bids_[key] = Bid{agent_.id,
                             team,
                             shares,
                             profile.capabilities,
                             profile.cloud_providers,
                             0.0,
                             0,
                             final_view.valuation.non_capital_site};
    schedule(world_.time_of(round->schedule.bid_deadline, bid_closing_hour - 1),
             Task::Kind::submit_bid, round);
  }

  void offer(const RoundPtr& round) {
    CallSpec call = *round->call;
    call.object = world_.current_object(*round->call);
    CallRound adjusted = *round;
    adjusted.call = &call;
    Rng stream = rng_.derive("offer/" + round_key(*round));
    const SupplyOffer supply = offer_supply(adjusted, agent_, stream, world_.scenario.assumptions);
    events::BidDecision decision;
    decision.call = round->call->id;
    decision.round = round->round;
    decision.decision = supply.bids ? "bid" : "no_bid";
    decision.team = std::vector<std::string>{agent_.id};
    decision.supply =
        events::SupplyQuote{round_money(supply.price_bn_krw), round_money(supply.cost_bn_krw)};
    decision.reason = supply.bids ? std::string("price covers cost") : supply.reason;
    world_.emit(agent_.id, decision);
    if (!supply.bids) {
      Inbox<Message>(board_inbox).send(NoBidNotice{round, agent_.id, {}, 0.0, "lead"});
      return;
    }
    pending_bids_[round_key(*round)] = Bid{
        agent_.id,
        {agent_.id},
        {1.0},
        agent_.capabilities,
        agent_.capabilities.cloud_operations >= world_.scenario.assumptions.cloud_provider_threshold
            ? 1
            : 0,
        supply.price_bn_krw,
        0};
    schedule(world_.time_of(round->schedule.bid_deadline, bid_closing_hour - 1),
             Task::Kind::submit_bid, round);
  }

  void submit_bid(const RoundPtr& round) {
    const std::string key = round_key(*round);
    Bid bid;
    auto pending = pending_bids_.find(key);
    if (pending != pending_bids_.end()) {
      bid = pending->second;
      pending_bids_.erase(pending);
    } else {  // an application for GPU time (allocation calls)
      bid = Bid{agent_.id, {agent_.id}, {1.0}, agent_.capabilities, 0, 0.0, 0};
    }
    world_.emit(agent_.id, events::BidSubmitted{round->call->id, round->round, bid.members,
                                                round_money(bid.price_bn_krw)});
    Inbox<Message>(board_inbox).send(BidSubmission{round, bid});
  }

  World& world_;
  const AgentSpec& agent_;
  Inbox<Message> inbox_;
  Rng rng_;
  Beliefs beliefs_;
  std::set<Task> tasks_;
  std::uint64_t next_task_seq_ = 0;
  std::map<std::string, MarketPaths> paths_;
  std::map<std::string, std::string> committed_;  ///< round key -> lead of the team joined
  std::map<std::string, Bid> pending_bids_;
  std::string forming_;             ///< round key of the consortium this agent is forming as lead
  std::set<std::string> declined_;  ///< rounds in which it turned an invitation down
};

}  // namespace

void run_bidder(World& world, const AgentSpec& agent) {
  Bidder(world, agent).run();
}

}  // namespace tenderlab::detail
