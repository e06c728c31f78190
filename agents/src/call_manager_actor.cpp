// The government's side of one call: announces each round, waits for the board's result and
// applies the procedure (re-announcement, negotiated award, new call with changed terms, adaptive
// revision, cancellation). After an award it signs the contract and the SPC builds capacity.
#include <algorithm>
#include <cmath>
#include <memory>
#include <optional>
#include <utility>

#include "tenderlab/agents/fleet_expansion.hpp"
#include "tenderlab/agents/revision.hpp"
#include "world.hpp"

namespace tenderlab::detail {
namespace {

class CallManager {
 public:
  CallManager(World& world, const CallSpec& call)
      : world_(world), call_(call), inbox_(manager_inbox(call.id)) {}

  void run() {
    auto round = std::make_shared<CallRound>();
    round->call = &call_;
    round->round = 1;
    round->kind = RoundKind::initial;
    round->terms = call_.terms;
    round->schedule = call_.schedule;
    round->min_valid_bids = call_.procedure.min_valid_bids;
    std::size_t next_scripted = 0;
    for (;;) {
      announce(round);
      RoundClosed closed = wait_for(round);
      if (closed.pending) {
        close_call(
            "the evaluation of round " + std::to_string(round->round) + " ends after the horizon",
            false);
        return;
      }
      if (closed.result.outcome == RoundOutcome::awarded) {
        // Several winners share the call's quantity as lots, best score first; the board priced
        // each lot and reserved its public money.
        std::vector<Bid> winners;
        for (std::size_t index : closed.result.winners)
          winners.push_back(closed.result.ranked[index].bid);
        contract(*round, winners, closed.contracts, closed.fiscal_year);
        return;
      }
      if (round->kind == RoundKind::reannouncement &&
          call_.procedure.negotiate_after_failed_reannouncement && closed.result.valid_bids > 0 &&
          negotiate(*round, closed))
        return;
      RoundPtr next = next_round(*round, closed, next_scripted);
      if (!next) return;
      round = std::const_pointer_cast<CallRound>(next);
    }
  }

 private:
  void announce(const RoundPtr& round) {
    Kernel::sleep_until(world_.time_of(round->schedule.announce));
    events::CallAnnounced announced;
    announced.call = call_.id;
    announced.round = round->round;
    announced.round_kind = to_string(round->kind);
    announced.call_kind = to_string(call_.kind);
    announced.title = call_.title;
    if (round->schedule.loi_deadline) announced.loi_deadline = round->schedule.loi_deadline->iso();
    announced.bid_deadline = round->schedule.bid_deadline.iso();
    announced.min_valid_bids = round->min_valid_bids;
    announced.terms = events::TermsInForce::of(round->terms);
    if (!round->revision_note.empty()) announced.revision = round->revision_note;
    world_.emit(call_.issuer, announced);
    Inbox<Message>(board_inbox).send(RoundAnnounced{round});
    tell_listeners(world_, round);
  }

  RoundClosed wait_for(const RoundPtr& round) {
    for (;;) {
      Message message = inbox_.receive();
      if (auto* closed = std::get_if<RoundClosed>(&message); closed && closed->round == round)
        return std::move(*closed);
      throw ModelError("call manager " + call_.id + " received an unexpected message");
    }
  }

  void close_call(std::string reason, bool awarded) {
    world_.emit(call_.issuer, events::CallClosed{call_.id, std::move(reason), awarded});
  }

  RoundPtr next_round(const CallRound& failed, const RoundClosed& closed,
                      std::size_t& next_scripted) {
    const double after = Kernel::now();
    if (next_scripted < call_.procedure.rounds.size()) {
      const RoundSpec& spec = call_.procedure.rounds[next_scripted++];
      if (spec.kind == FailureAction::cancel) {
        world_.emit(call_.issuer,
                    events::CallCancelled{call_.id, "the procedure cancels the call after round " +
                                                        std::to_string(failed.round)});
        return nullptr;
      }
      if (spec.kind == FailureAction::negotiate) {
        if (closed.result.valid_bids > 0 && negotiate(failed, closed)) return nullptr;
        // Nobody to negotiate with, or nobody the budget can pay.
        return next_round(failed, closed, next_scripted);
      }
      auto round = std::make_shared<CallRound>();
      round->call = &call_;
      round->round = failed.round + 1;
      round->schedule = spec.schedule;
      round->min_valid_bids = spec.min_valid_bids;
      if (spec.kind == FailureAction::reannounce) {
        round->kind = RoundKind::reannouncement;
        round->terms = failed.terms;
      } else {
        round->kind = RoundKind::new_call;
        round->terms = spec.terms ? *spec.terms : failed.terms;
        round->revision_note = "new call with changed terms";
      }
      if (world_.time_of(round->schedule.announce) < after)
        throw ModelError("round " + std::to_string(round->round) + " of " + call_.id +
                         " would be announced before the previous round closed");
      return round;
    }
    if (call_.adaptive.enabled && failed.round < call_.adaptive.max_rounds) {
      std::vector<std::vector<TermEffect>> effects;
      for (const auto& notice : closed.notices)
        effects.push_back(notice.effects);
      auto round = std::make_shared<CallRound>();
      round->call = &call_;
      round->round = failed.round + 1;
      round->kind = RoundKind::adaptive_revision;
      round->min_valid_bids = 1;
      const Date today = world_.log.calendar().to_date(after);
      round->schedule.announce = today.plus_days(call_.adaptive.gap_days);
      round->schedule.bid_deadline =
          round->schedule.announce.plus_days(call_.adaptive.bid_window_days);
      round->schedule.evaluation_days = call_.schedule.evaluation_days;
      // The revised terms must also fit what is left of the issuer's budget in the years their
      // contract would charge, from the year the revised round's contract would be signed (its
      // evaluation, then contract_days, after the deadline).
      std::optional<BudgetLimit> budget;
      if (world_.budgets.constrained(call_.issuer)) {
        const int year = signing_year(*round);
        budget = BudgetLimit{call_.issuer, year, {}, world_.budgets.basis(call_.issuer)};
        // A revision relaxes no term that spreads the payments, so the failed terms' years do.
        const int years =
            budget->basis == BudgetBasis::cash ? std::max(1, failed.terms.paid_in_years) : 1;
        for (int i = 0; i < years; ++i)
          budget->remaining_bn_krw.push_back(world_.budgets.remaining(call_.issuer, year + i));
      }
      const CallObject object = world_.current_object(call_);
      const Revision revision =
          revise_terms(object, failed.terms, effects, call_.adaptive, world_.scenario.assumptions,
                       budget, world_.scenario.market);
      if (!revision.revised) {
        close_call(revision.reason, false);
        return nullptr;
      }
      round->terms = revision.terms;
      round->revision_note = revision.term + ": " + revision.before + " -> " + revision.after;
      if (world_.scenario.horizon < round->schedule.bid_deadline) {
        close_call("the next revised round would close after the horizon", false);
        return nullptr;
      }
      world_.emit(call_.issuer,
                  events::TermsRevised{call_.id, round->round, revision.term, revision.before,
                                       revision.after, round_money(revision.public_money_bn_krw),
                                       revision.reason});
      return round;
    }
    close_call("no further round in the procedure", false);
    return nullptr;
  }

  /// Negotiates with the best valid bid whose public money fits what is left of the issuer's
  /// budget in the year the contract would be signed; false when no valid bid fits.
  bool negotiate(const CallRound& round, const RoundClosed& closed) {
    const double signed_at = Kernel::now() + call_.procedure.contract_days * seconds_per_day;
    const int year = fiscal_year(world_.log.calendar().to_date(signed_at));
    const BudgetedAward award =
        award_within_budget(closed.result.ranked, 1, world_.budgets, call_.issuer, year,
                            [&](const Bid& bid, std::int64_t lot) {
                              return lot_contract_now(world_, round, bid, lot, 1);
                            });
    if (award.winners.empty()) return false;
    const Bid& bid = closed.result.ranked[award.winners.front()].bid;
    world_.budgets.reserve(call_.issuer, year, award.contracts.front().budget_charge_bn_krw);
    std::string reason = "failed re-announcement with a valid bid: negotiated contract";
    if (!award.passed_over.empty())
      reason += " (better-ranked bids need more public money than is left of " + call_.issuer +
                "'s " + std::to_string(award.passed_over_year.front()) + " budget)";
    world_.emit(call_.issuer, events::NegotiatedAward{call_.id, round.round, bid.lead, bid.members,
                                                      std::move(reason)});
    contract(round, {bid}, award.contracts, year);
    return true;
  }

  /// Signs a contract with every winner the procedure's contract_days after the award (several
  /// winners share the quantity as lots; `contracts` are their lots, reserved in the issuer's
  /// budget for `year`) and starts each delivery.
  void contract(const CallRound& round, const std::vector<Bid>& winners,
                const std::vector<LotContract>& contracts, int year) {
    if (contracts.size() != winners.size())
      throw ModelError("call manager " + call_.id + ": " + std::to_string(winners.size()) +
                       " winners but " + std::to_string(contracts.size()) + " lots");
    const double signed_at = Kernel::now() + call_.procedure.contract_days * seconds_per_day;
    if (signed_at > world_.kernel.horizon_time()) {
      close_call("awarded, but the contract would be signed after the horizon", true);
      return;
    }
    Kernel::sleep_until(signed_at);
    // One delivery stream per call, drawn in the winners' order.
    Rng delivery = world_.stream("delivery/" + call_.id);
    for (std::size_t i = 0; i < winners.size(); ++i)
      sign(round, winners[i], contracts[i], year, delivery);
  }

  /// The public-cost ledger of an SPC lot and what it expects of its operations, on paths the
  /// issuer draws from the market outlook (its own stream per call) with the lead's view of the
  /// operations; the paths are kept to settle the contract on its measured operations.
  struct Books {
    PublicCost cost;
    OperatingOutlook outlook;
    MemberView view;  ///< the lead's view of operations
    MarketPaths paths;
  };
  Books ledger(const LotContract& lot, const Bid& bid) {
    const AgentSpec* lead = world_.scenario.find_agent(bid.lead);
    if (!lead) throw ModelError("contract for " + call_.id + ": unknown lead " + bid.lead);
    Rng stream = world_.stream(call_.issuer).derive("ledger/" + call_.id);
    Books books;
    books.paths =
        draw_market_paths(world_.scenario.market, world_.scenario.valuation.paths, lot.object.years,
                          stream, world_.scenario.valuation.antithetic_paths);
    books.view = MemberView{lead, world_.scenario.market, 1.0, 1.0};
    books.cost = public_ledger(lot.object, lot.terms, lot.team, books.view, books.paths,
                               lot.non_capital_site, world_.scenario.assumptions);
    books.outlook = operating_outlook(lot.object, lot.terms, lot.team, books.view, books.paths,
                                      lot.non_capital_site, world_.scenario.assumptions);
    return books;
  }

  /// The outlook as logged: what the run's measured use is set against.
  events::ContractOutlook outlook_event(const Bid& bid, const LotContract& lot,
                                        const OperatingOutlook& outlook) const {
    events::ContractOutlook event;
    event.call = call_.id;
    event.lead = bid.lead;
    event.gpus = lot.gpus;
    event.public_use_share = lot.object.public_use_share;
    event.public_use_discount = lot.object.public_use_discount;
    event.om_bn_krw_per_year = round_money(outlook.om_per_year);
    for (const OperatingOutlook::Year& year : outlook.years) {
      event.utilization.push_back(std::round(year.utilization * 1e4) / 1e4);
      event.sales_bn_krw.push_back(round_money(year.sales));
      event.power_bn_krw.push_back(round_money(year.power));
      event.margin_bn_krw.push_back(round_money(year.margin));
    }
    for (double cover : outlook.lender_base_case)
      event.lender_base_case_bn_krw.push_back(round_money(cover));
    return event;
  }

  /// A lot's charge to the issuer's budget as contract_signed logs it: only on a cash basis,
  /// where it differs from the public money of the signing year.
  std::optional<std::vector<events::BudgetYear>> budget_charge_event(const LotContract& lot,
                                                                     int year) const {
    if (world_.budgets.basis(call_.issuer) != BudgetBasis::cash) return std::nullopt;
    std::vector<events::BudgetYear> charge;
    for (std::size_t i = 0; i < lot.budget_charge_bn_krw.size(); ++i)
      charge.push_back({year + static_cast<int>(i), round_money(lot.budget_charge_bn_krw[i])});
    return charge;
  }

  /// Signs one lot and commits its public money (reserved when the round was decided) in the
  /// issuer's budget for `year`.
  void sign(const CallRound& round, const Bid& bid, const LotContract& lot, int year,
            Rng& delivery) {
    const Financing& financing = lot.financing;
    const bool non_capital = lot.non_capital_site;
    const bool spc = call_.kind == CallKind::spc_partner;
    const double public_money = lot.public_money_bn_krw;
    world_.budgets.commit(call_.issuer, year, lot.budget_charge_bn_krw, lot.budget_charge_bn_krw);
    std::optional<Books> books;
    if (spc) books = ledger(lot, bid);
    const PublicCost cost = books ? books->cost : PublicCost{.price = lot.price_bn_krw};
    world_.emit(
        call_.issuer,
        events::ContractSigned{
            call_.id, round.round, bid.lead, bid.members, lot.gpus,
            round_money(spc ? financing.public_equity : 0.0),
            round_money(spc ? financing.private_equity : 0.0),
            round_money(spc ? financing.tax_credit : 0.0),
            round_money(spc ? financing.policy_loan : 0.0), round_money(lot.price_bn_krw),
            round_money(public_money), round_money(cost.loan_subsidy),
            round_money(spc ? financing.market_debt : 0.0), round_money(cost.tax_expenditure),
            round_money(cost.expected_loan_loss), round_money(cost.shortfall_support),
            round_money(cost.total()), budget_charge_event(lot, year)});
    std::optional<events::ContractOutlook> outlook;
    if (books) {
      outlook = outlook_event(bid, lot, books->outlook);
      world_.emit(call_.issuer, *outlook);
    }
    world_.programme.public_money_committed += public_money;
    world_.programme.private_money_committed += spc ? financing.private_equity : 0.0;

    if (call_.kind == CallKind::allocation) return;  // GPU time, no new capacity
    // Delivery: GPUs and building take build_years; a delay (grid connection, construction)
    // adds a year with the probability the bidders priced in.
    const ProjectAssumptions& assumptions = world_.scenario.assumptions;
    double delay_probability =
        assumptions.delay_probability *
        (1 - assumptions.secured_power_delay_relief * bid.capabilities.sites_power);
    if (!non_capital) delay_probability *= assumptions.capital_site_delay_factor;
    const bool delayed = delivery.uniform() < delay_probability;
    // With compute use, the SPC's contract is settled on what its GPUs measure, year by year.
    if (outlook && world_.compute && !world_.spc_books.contains(call_.id)) {
      world_.spc_books[call_.id] =
          World::SpcBooks{lot.object,  lot.terms, lot.team, books->view,  std::move(books->paths),
                          non_capital, delayed,   *outlook, std::nullopt, {}};
      world_.kernel.spawn("spc/" + call_.id, bid.lead,
                          [&world = world_, call = call_.id] { run_spc_settlement(world, call); });
    }
    world_.emit(bid.lead,
                events::GpusOrdered{call_.id, lot.gpus,
                                    round_money(financing.gpu_capex + financing.building_capex)});
    // Hardware alone arrives after the vendor's lead time (8 to 12 weeks); a site takes its
    // build years. A delay adds a year.
    const int build_days =
        std::max(assumptions.gpu_lead_time_days, 365 * call_.object.build_years) +
        (delayed ? assumptions.delay_days : 0);
    const events::CapacityOnline capacity{call_.id,
                                          lot.gpus,
                                          round_money(financing.site_mw),
                                          non_capital ? "non_capital" : "capital",
                                          delayed,
                                          std::nullopt,
                                          std::nullopt};
    // With vendors, the GPUs are ordered at the signing and arrive as the vendor ships them (its
    // lead time replaces the assumed one); with a grid, the site's power must be granted first.
    // Both requests are made at the signing and compete for GPUs and MW even when the GPUs would
    // run after the horizon. Without either, the GPUs run when the building is ready. Each
    // contract is delivered on its own clock, so several deliveries proceed side by side.
    const Date today = world_.log.calendar().to_date(Kernel::now());
    const VendorSpec* vendor = preferred_vendor(world_, today);
    const SiteSpec* site = world_.grid && capacity.mw > 0
                               ? choose_site(world_.scenario, *world_.grid, bid.members,
                                             non_capital, capacity.mw, world_.site_mw)
                               : nullptr;
    const int building_days =
        vendor ? 365 * call_.object.build_years + (delayed ? assumptions.delay_days : 0)
               : build_days;
    DeliveryPlan plan;
    plan.order = call_.id + "/" + bid.lead;
    plan.owner = bid.lead;
    plan.purpose = call_.id;
    plan.gpus = lot.gpus;
    plan.mw = capacity.mw;
    // A delivery of zero days (no lead time, no build years) comes online at once: its date is
    // today, whose midnight is already past.
    plan.built_at = std::max(world_.time_of(today.plus_days(building_days)), Kernel::now());
    plan.site = site;
    plan.vendor = vendor;
    if (vendor)
      if (const GpuGeneration* g = world_.vendors.at(vendor->agent).preferred_generation(today))
        plan.generation = g->id;
    events::CapacityOnline capacity_at_site = capacity;
    if (site) capacity_at_site.grid_region = node_region(*world_.scenario.grid, site->node);
    // An SPC's GPUs serve public users for the object's public_use_share (the public pool, with
    // the state's GPUs) and are sold commercially otherwise (the pool named after the call); the
    // split is kept exact over the contract's deliveries.
    const double public_share = spc ? lot.object.public_use_share : 1.0;
    auto split = std::make_shared<std::pair<std::int64_t, std::int64_t>>(0, 0);  // online, public
    // Its pods run at the site, at the object's PUE, paying the site's tariff share (the market's
    // regional one when the site states none; the fleets' tariff discount is not the calls').
    const PowerSite where{
        site ? site->id : "", call_.object.pue,
        site_power_factor(site ? site->power_price_factor : std::nullopt, non_capital,
                          FleetInstruments{}, world_.scenario.assumptions),
        non_capital};
    plan.online = [&world = world_, lead = bid.lead, capacity = capacity_at_site, non_capital,
                   public_share, split, where,
                   pool = call_.id](std::int64_t gpus, double mw, const std::string& generation) {
      events::CapacityOnline part = capacity;
      part.gpus = gpus;
      part.mw = mw;
      if (!generation.empty()) part.generation = generation;
      world.emit(lead, part);
      if (auto kept = world.spc_books.find(pool);
          kept != world.spc_books.end() && !kept->second.first_month) {
        const Date online_day = world.log.calendar().to_date(Kernel::now());
        kept->second.first_month = Date::from_ymd(online_day.year(), online_day.month(), 1);
      }
      world.programme.gpus_online += gpus;
      if (non_capital) world.programme.gpus_online_non_capital += gpus;
      world.programme.mw_online += mw;
      split->first += gpus;
      const auto public_total =
          static_cast<std::int64_t>(std::llround(static_cast<double>(split->first) * public_share));
      const std::int64_t to_public = public_total - split->second;
      split->second = public_total;
      gpus_online(world, public_pool, to_public, generation, pool, where);
      gpus_online(world, pool, gpus - to_public, generation, pool, where);
    };
    deliver(world_, std::move(plan));
  }

  World& world_;
  const CallSpec& call_;
  Inbox<Message> inbox_;
};

}  // namespace

void run_call_manager(World& world, const CallSpec& call) {
  CallManager(world, call).run();
  // The last call to finish lets everybody else go home.
  if (--world.open_calls == 0) {
    Inbox<Message>(board_inbox).send(Stop{});
    stop_listeners(world);
  }
}

}  // namespace tenderlab::detail
