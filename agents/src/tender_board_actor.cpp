// The tender board: receives bids until the deadline, opens them, applies the call's procedure
// rule (decide_round) and reports the outcome to the call's manager.
#include <algorithm>
#include <limits>
#include <map>
#include <set>

#include "world.hpp"

namespace tenderlab::detail {
namespace {

struct OpenRound {
  RoundPtr round;
  std::vector<Bid> bids;
  std::vector<NoBidNotice> notices;
};

std::vector<events::StayedAwayEntry> obstacles_by_agent(std::vector<NoBidNotice> notices) {
  // By id: notices sent at the same moment arrive in the order the actors ran, which follows the
  // scenario's file order; the report must not.
  std::stable_sort(notices.begin(), notices.end(),
                   [](const NoBidNotice& a, const NoBidNotice& b) { return a.agent < b.agent; });
  std::vector<events::StayedAwayEntry> out;
  for (const auto& notice : notices)
    out.push_back({notice.agent, notice.role, round_money(notice.value),
                   clause_effects(main_obstacles(notice.effects, reported_obstacles)),
                   clause_interaction(notice.interaction)});
  return out;
}

class TenderBoard {
 public:
  explicit TenderBoard(World& world) : world_(world), inbox_(board_inbox) {}

  void run() {
    for (;;) {
      const double next =
          closings_.empty() ? std::numeric_limits<double>::infinity() : closings_.begin()->first;
      std::optional<Message> message = inbox_.receive_until(next);
      if (message) {
        if (std::holds_alternative<Stop>(*message)) return;
        handle(std::move(*message));
        continue;
      }
      auto closing = closings_.begin();
      const std::string key = closing->second;
      Kernel::sleep_until(closing->first);
      closings_.erase(closing);
      if (auto award = awards_.find(key); award != awards_.end()) {
        announce_award(std::move(award->second));
        awards_.erase(award);
      } else {
        close(key);
      }
    }
  }

 private:
  static std::string key_of(const CallRound& round) {
    return round.call->id + "#" + std::to_string(round.round);
  }

  void handle(Message message) {
    if (auto* announced = std::get_if<RoundAnnounced>(&message)) {
      const std::string key = key_of(*announced->round);
      open_[key] = OpenRound{announced->round, {}, {}};
      const double close_at =
          world_.time_of(announced->round->schedule.bid_deadline, bid_closing_hour);
      closings_.emplace(close_at, key);
    } else if (auto* submission = std::get_if<BidSubmission>(&message)) {
      auto it = open_.find(key_of(*submission->round));
      if (it == open_.end())
        throw ModelError("bid by " + submission->bid.lead + " for " + key_of(*submission->round) +
                         ", which is not open");
      it->second.bids.push_back(std::move(submission->bid));
    } else if (auto* notice = std::get_if<NoBidNotice>(&message)) {
      auto it = open_.find(key_of(*notice->round));
      if (it != open_.end()) it->second.notices.push_back(std::move(*notice));
    }
  }

  void close(const std::string& key) {
    OpenRound open = std::move(open_.at(key));
    open_.erase(key);
    const CallRound& round = *open.round;
    // Bids that arrive at the same moment arrive in the actors' (file) order, and equal bids
    // must not be told apart by it: the last tie-break is a seeded lottery per lead, and the bids
    // are listed by lead id.
    std::sort(open.bids.begin(), open.bids.end(),
              [](const Bid& a, const Bid& b) { return a.lead < b.lead; });
    for (Bid& bid : open.bids)
      bid.lottery = world_.stream("tie-break/" + key).derive(bid.lead).next_u64();
    RoundResult result = decide_round(round, open.bids);
    // The issuer pays only what is left of its budget in the years the contracts would charge,
    // from the year they would be signed in (evaluation_days, then contract_days, after the
    // opening): a winner it cannot pay for is passed over for the next valid bid, and the lots
    // given are reserved (budget.hpp).
    const std::string& issuer = round.call->issuer;
    const double award_at = Kernel::now() + round.schedule.evaluation_days * seconds_per_day;
    const double signed_at = award_at + round.call->procedure.contract_days * seconds_per_day;
    const int year = fiscal_year(world_.log.calendar().to_date(signed_at));
    std::vector<LotContract> contracts;
    if (result.outcome == RoundOutcome::awarded) {
      const auto lots = static_cast<std::int64_t>(result.winners.size());
      BudgetedAward award =
          award_within_budget(result.ranked, result.winners.size(), world_.budgets, issuer, year,
                              [&](const Bid& bid, std::int64_t lot) {
                                return lot_contract_now(world_, round, bid, lot, lots);
                              });
      apply_budget(result, award, issuer);
      for (const auto& contract : award.contracts)
        world_.budgets.reserve(issuer, year, contract.budget_charge_bn_krw);
      contracts = std::move(award.contracts);
    }

    events::BidsOpened opened{round.call->id, round.round, open.bids.size(), result.valid_bids, {}};
    for (const auto& scored : result.ranked) {
      opened.bids.push_back({scored.bid.lead, scored.bid.members,
                             round_money(scored.technical_score), round_money(scored.price_score),
                             round_money(scored.total_score), scored.valid,
                             scored.valid ? std::nullopt : std::optional(scored.invalid_reason)});
    }
    world_.emit("tender-board", opened);

    if (result.outcome == RoundOutcome::failed) {
      world_.emit(
          "tender-board",
          events::RoundFailed{round.call->id, round.round, result.valid_bids, round.min_valid_bids,
                              result.reason, obstacles_by_agent(open.notices)});
      Inbox<Message>(manager_inbox(round.call->id))
          .send(RoundClosed{open.round, std::move(result), std::move(open.notices)});
      return;
    }
    // Evaluation takes time: the award is announced after the evaluation period, while other
    // rounds keep closing on their own dates.
    RoundClosed closed{open.round, std::move(result), std::move(open.notices)};
    closed.contracts = std::move(contracts);
    closed.fiscal_year = year;
    if (award_at > world_.kernel.horizon_time()) {
      world_.emit("tender-board",
                  events::RoundPending{round.call->id, round.round, closed.result.valid_bids,
                                       world_.log.calendar().iso(award_at)});
      closed.pending = true;
      Inbox<Message>(manager_inbox(round.call->id)).send(std::move(closed));
      return;
    }
    closings_.emplace(award_at, key);
    awards_.emplace(key, std::move(closed));
  }

  void announce_award(RoundClosed closed) {
    const CallRound& round = *closed.round;
    const RoundResult& result = closed.result;
    {
      events::RoundAwarded awarded{round.call->id,    round.round,  {}, {},
                                   result.valid_bids, result.reason};
      for (std::size_t index : result.winners) {
        const std::string& lead = result.ranked[index].bid.lead;
        awarded.winners.push_back(lead);
        awarded.winner_kinds.push_back(to_string(world_.scenario.find_agent(lead)->kind));
      }
      world_.emit("tender-board", awarded);
    }
    Inbox<Message>(manager_inbox(round.call->id)).send(std::move(closed));
  }

  World& world_;
  Inbox<Message> inbox_;
  std::map<std::string, OpenRound> open_;
  std::multimap<double, std::string> closings_;  ///< closings and awards due, by time
  std::map<std::string, RoundClosed> awards_;    ///< evaluated rounds waiting to be announced
};

}  // namespace

void run_tender_board(World& world) {
  TenderBoard(world).run();
}

}  // namespace tenderlab::detail
