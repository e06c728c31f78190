// A private agent (cloud provider, telco, university, chip maker, builder, local government):
// answers calls, forms or joins consortia, bids or stays away. Decisions come from the pure
// functions in participation.hpp and entry.hpp (through round_settlement.cpp); this file only
// moves messages, keeps time and logs.
#include <algorithm>
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

class Bidder {
 public:
  Bidder(World& world, const AgentSpec& agent)
      : world_(world), agent_(agent), inbox_(inbox_of(agent.id)), rng_(world.stream(agent.id)) {}

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

  void handle(const Message& message) {
    if (const auto* announced = std::get_if<RoundAnnounced>(&message)) {
      on_announced(announced->round);
    } else if (const auto* invitation = std::get_if<Invitation>(&message)) {
      on_invitation(*invitation);
    }
    // Replies arriving outside a formation (none are expected) are ignored on purpose: a reply
    // only has meaning inside the exchange that asked for it.
  }

  void on_announced(const RoundPtr& round) {
    const CallSpec& call = *round->call;
    const double opened = world_.time_of(round->schedule.announce);
    const double due = world_.time_of(round->schedule.bid_deadline, bid_closing_hour - 1);
    switch (call.kind) {
      case CallKind::spc_partner:
        // Every lead and partner acts on the same settlement at the same moment: who bids is an
        // equilibrium computed once for all (round_settlement.cpp), not a queue.
        if (agent_.kind.may(Role::lead, CallKind::spc_partner) ||
            agent_.kind.may(Role::join, CallKind::spc_partner))
          schedule(lead_preparation_time(opened, due, 1, 0), Task::Kind::form_consortium, round);
        return;
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
        act_on_settlement(task.round);
        break;
      case Task::Kind::submit_bid:
        submit_bid(task.round);
        break;
      case Task::Kind::offer_supply:
        offer(task.round);
        break;
    }
  }

  /// The settled team this agent belongs to in a round, if any.
  const SettledTeam* settled_team(const CallRound& round) {
    const RoundSettlement& settlement = settle_round(world_, round);
    const auto it = settlement.team_of.find(agent_.id);
    return it == settlement.team_of.end() ? nullptr : &settlement.teams.at(it->second);
  }

  std::size_t position(const std::vector<std::string>& team) const {
    return static_cast<std::size_t>(std::find(team.begin(), team.end(), agent_.id) - team.begin());
  }

  void on_invitation(const Invitation& invitation) {
    const CallRound& round = *invitation.round;
    const SettledTeam* team = settled_team(round);
    events::InvitationAnswered answer;
    answer.call = round.call->id;
    answer.round = round.round;
    answer.lead = invitation.lead;
    answer.confirmation = invitation.confirmation;
    answer.team = invitation.team;
    // Leads only invite the members of their settled team, so this holds unless the settlement
    // and the invitation disagree, which would be a defect.
    if (!team || team->members != invitation.team || !team->enters)
      throw ModelError(agent_.id + " invited by " + invitation.lead +
                       " into a team the settlement does not have bid");
    const MemberAssessment assessment = assess_in_round(
        world_, round, invitation.team, position(invitation.team), false, team->rival_scores);
    answer.accepted = true;
    answer.share = round_money(assessment.share);
    answer.value_bn_krw = round_money(assessment.valuation.value());
    answer.reason = "better off inside";
    world_.emit(agent_.id, answer);
    Inbox<Message>(inbox_of(invitation.lead)).send(InvitationReply{agent_.id, true});
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

  static events::BidValuation logged_valuation(const Valuation& v) {
    return events::BidValuation{
        round_money(v.value()),           round_money(v.certainty_equivalent),
        round_money(v.expected_npv),      round_money(v.npv_sd),
        round_money(v.control_cost),      round_money(v.capital_cost),
        round_money(v.bid_cost),          round_money(v.strategic_value),
        round_money(v.equity_commitment), round_money(v.contingent_liability),
        round_money(v.win_probability),   round_money(v.capital_limit)};
  }

  /// The clause attribution of a decision: the effects, the value under neutral terms, how they
  /// were computed and the strongest interaction.
  static void log_attribution(events::BidDecision& decision, const TermAttribution& attribution) {
    decision.effects = clause_effects(attribution.effects);
    decision.neutral_value_bn_krw = round_money(attribution.neutral_value);
    decision.attribution = attribution.exact ? "exact" : "sampled";
    decision.interaction = clause_interaction(attribution.interaction);
  }

  /// A decision of this agent in `round`, of the form `decision`; the caller fills the rest.
  static events::BidDecision decision_for(const CallRound& round, std::string decision) {
    events::BidDecision event;
    event.call = round.call->id;
    event.round = round.round;
    event.decision = std::move(decision);
    return event;
  }

  void act_on_settlement(const RoundPtr& round) {
    const SettledTeam* team = settled_team(*round);
    const bool may_lead = agent_.kind.may(Role::lead, round->call->kind);
    if (!team) {
      // A partner in no team: it reports the first proposal it turned down, if any.
      const RoundSettlement& settlement = settle_round(world_, *round);
      const auto declined = settlement.declined.find(agent_.id);
      if (declined == settlement.declined.end()) return;
      const std::vector<std::string>& proposal = declined->second.team;
      std::vector<double> rivals;
      for (const auto& other : settlement.teams)
        if (other.enters && other.members.front() != proposal.front())
          rivals.push_back(other.score);
      const MemberAssessment assessment =
          assess_in_round(world_, *round, proposal, position(proposal), true, rivals);
      Inbox<Message>(board_inbox)
          .send(NoBidNotice{round, agent_.id, assessment.attribution.effects,
                            assessment.valuation.value(), "partner",
                            assessment.attribution.interaction});
      return;
    }
    const std::vector<std::string>& members = team->members;
    const bool leads = members.front() == agent_.id;
    if (team->enters && !leads) {
      if (may_lead) {
        events::BidDecision decision = decision_for(*round, "in_consortium");
        decision.reason = "member of the consortium led by " + members.front();
        world_.emit(agent_.id, decision);
      }
      return;  // it answers the lead's invitation
    }
    const MemberAssessment view =
        assess_in_round(world_, *round, members, position(members), true, team->rival_scores);
    if (!team->enters) {
      if (leads || may_lead) {
        events::BidDecision decision = decision_for(*round, "no_bid");
        decision.team = members;
        decision.valuation = logged_valuation(view.valuation);
        decision.reason = !view.accepts() ? view.refusal
                          : leads         ? std::string("a member's value is not positive")
                                          : "the team led by " + members.front() + " does not bid";
        log_attribution(decision, view.attribution);
        world_.emit(agent_.id, decision);
      }
      Inbox<Message>(board_inbox)
          .send(NoBidNotice{round, agent_.id, view.attribution.effects, view.valuation.value(),
                            may_lead ? "lead" : "partner", view.attribution.interaction});
      return;
    }
    // The lead of a team that bids: it brings its members in, then bids.
    for (std::size_t i = 1; i < members.size(); ++i)
      if (!invite(round, members, members[i], false))
        throw ModelError(members[i] + " turned down its settled team led by " + agent_.id);
    std::vector<const AgentSpec*> specs;
    for (const auto& id : members)
      specs.push_back(world_.scenario.find_agent(id));
    const TeamProfile profile = make_team_profile(specs, world_.scenario.assumptions);
    events::BidDecision decision = decision_for(*round, "bid");
    decision.team = members;
    decision.valuation = logged_valuation(view.valuation);
    decision.reason = "value positive for every member";
    log_attribution(decision, view.attribution);
    world_.emit(agent_.id, decision);
    std::vector<double> logged_shares;
    for (double share : view.shares)
      logged_shares.push_back(round_money(share));
    world_.emit(agent_.id,
                events::ConsortiumFormed{round->call->id, round->round, members, logged_shares,
                                         profile.cloud_providers, round_money(team->score),
                                         round_money(team->win_probability)});
    pending_bids_[round_key(*round)] = Bid{agent_.id,
                                           members,
                                           view.shares,
                                           profile.capabilities,
                                           profile.cloud_providers,
                                           0.0,
                                           0,
                                           view.valuation.non_capital_site};
    schedule(world_.time_of(round->schedule.bid_deadline, bid_closing_hour - 1),
             Task::Kind::submit_bid, round);
  }

  /// What is left of the issuer's budget in the year the round's contracts would be signed (its
  /// deadline, evaluation_days, then contract_days), when the issuer discloses its budget.
  std::optional<double> disclosed_budget(const CallRound& round) const {
    const std::string& issuer = round.call->issuer;
    const AgentSpec* spec = world_.scenario.find_agent(issuer);
    if (!spec || !spec->budget_disclosed || !world_.budgets.constrained(issuer))
      return std::nullopt;
    return world_.budgets.remaining(issuer, signing_year(round));
  }

  void offer(const RoundPtr& round) {
    CallSpec call = *round->call;
    call.object = world_.current_object(*round->call);
    CallRound adjusted = *round;
    adjusted.call = &call;
    // Every supplier knows who may compete: the agents eligible for the call, the grid
    // connection each can draw now included.
    std::vector<const AgentSpec*> suppliers;
    for (const AgentSpec& other : world_.scenario.agents)
      if (eligible_supplier(adjusted, other, grid_mw({other.id}, round->terms.site)))
        suppliers.push_back(&other);
    if (suppliers.empty()) suppliers.push_back(&agent_);  // it learns it is not eligible below
    const ProjectAssumptions& assumptions = world_.scenario.assumptions;
    const ProcurementAuction auction =
        procurement_auction(adjusted, suppliers, assumptions, disclosed_budget(*round));
    Rng stream = rng_.derive("offer/" + round_key(*round));
    const SupplyOffer supply = offer_supply(adjusted, agent_, auction, stream, assumptions,
                                            grid_mw({agent_.id}, round->terms.site));
    events::BidDecision decision = decision_for(*round, supply.bids ? "bid" : "no_bid");
    decision.team = std::vector<std::string>{agent_.id};
    decision.supply = events::SupplyQuote{
        round_money(supply.price_bn_krw), round_money(supply.cost_bn_krw),
        round_money(supply.expected_profit_bn_krw), round_money(supply.entry_threshold_bn_krw),
        static_cast<int>(supply.suppliers)};
    decision.reason =
        supply.bids ? std::string("expected profit covers its bid cost") : supply.reason;
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
    // The grid connection the team can draw when it bids, where its GPUs may go: a procurement
    // lot wherever the call allows, a consortium's centre in the region class it proposes.
    if (round->call->kind == CallKind::procurement)
      bid.grid_mw = grid_mw(bid.members, round->terms.site);
    else if (round->call->kind == CallKind::spc_partner)
      bid.grid_mw =
          grid_mw(bid.members, bid.non_capital_site ? SiteRule::non_capital : SiteRule::capital);
    world_.emit(agent_.id, events::BidSubmitted{round->call->id, round->round, bid.members,
                                                round_money(bid.price_bn_krw)});
    Inbox<Message>(board_inbox).send(BidSubmission{round, bid});
  }

  /// The most MW `team` can draw now at one of its sites that `rule` allows (infinite without a
  /// grid).
  double grid_mw(const std::vector<std::string>& team, SiteRule rule) const {
    if (!world_.grid) return std::numeric_limits<double>::infinity();
    return connectable_mw(world_.scenario, *world_.grid, team, rule, world_.site_mw);
  }

  World& world_;
  const AgentSpec& agent_;
  Inbox<Message> inbox_;
  Rng rng_;
  std::set<Task> tasks_;
  std::uint64_t next_task_seq_ = 0;
  std::map<std::string, Bid> pending_bids_;
};

}  // namespace

void run_bidder(World& world, const AgentSpec& agent) {
  Bidder(world, agent).run();
}

}  // namespace tenderlab::detail
