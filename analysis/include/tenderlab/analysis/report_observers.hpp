#pragma once
// The observers of a run's event log that make its reports: each subscribes, through an
// EventDispatcher, to the event types it needs and never sees the others. RunReport
// (run_report.hpp) puts them together.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include "tenderlab/engine/event_dispatcher.hpp"
#include "tenderlab/engine/events.hpp"
#include "tenderlab/engine/scenario.hpp"

namespace tenderlab::analysis {

/// One row of tenders.csv: one round of one call.
struct TenderRow {
  std::string call_id;
  int round = 0;
  std::string round_kind;
  std::string announce_date;
  std::string close_date;
  int min_valid_bids = 0;
  int received_bids = 0;
  int valid_bids = 0;
  std::vector<std::string> bidders;  ///< leads of the bids received
  std::string outcome = "open";      ///< awarded, failed, negotiated, cancelled (or open)
  std::string reason;
  std::string winner;
  std::vector<std::string> winner_kinds;
  std::vector<std::string> winning_members;
  events::TermsInForce terms;
  std::string revision;
  /// An agent that stayed away: the terms that weighed most ("term delta, ...") and its
  /// strongest clause interaction ("term x term delta", empty without one).
  struct StayedAway {
    std::string agent;
    std::string reasons;
    std::string interaction;
  };
  std::vector<StayedAway> stayed_away;
};

/// The rounds of every call (tenders.csv): announcements, openings, outcomes, contracts.
class TendersTable {
 public:
  explicit TendersTable(EventDispatcher& events);
  TendersTable(const TendersTable&) = delete;
  TendersTable& operator=(const TendersTable&) = delete;

  const std::vector<TenderRow>& rows() const { return rows_; }
  /// tenders.csv, RFC 4180, header first; documented in docs/outputs.md.
  std::string csv() const;

 private:
  TenderRow* row(const std::string& call, int round);
  std::vector<TenderRow> rows_;
};

class ProgrammeProgress;

/// The programme's state at each month boundary (timeseries.csv); the fleets' and the grid's
/// columns from `programme`, which must subscribe to the events before it.
class TimeSeries {
 public:
  TimeSeries(EventDispatcher& events, const ProgrammeProgress& programme);
  TimeSeries(const TimeSeries&) = delete;
  TimeSeries& operator=(const TimeSeries&) = delete;

  /// timeseries.csv, header first; documented in docs/outputs.md.
  std::string csv() const;

 private:
  std::vector<std::string> rows_;
};

/// The national programme (summary.json "programme", KPIs, timeseries.csv's fleet and grid
/// columns): GPUs online in calls and in private fleets, the date each target is reached, what
/// bound the fleets' expansion year by year, connection waits and ownership concentration.
class ProgrammeProgress {
 public:
  /// `gpus_at_start`: what the agents run at the start (their `gpus`), counted in "all" targets.
  ProgrammeProgress(EventDispatcher& events, std::vector<ProgrammeTarget> targets,
                    std::int64_t gpus_at_start = 0);
  ProgrammeProgress(const ProgrammeProgress&) = delete;
  ProgrammeProgress& operator=(const ProgrammeProgress&) = delete;

  std::int64_t public_gpus() const { return public_gpus_; }
  std::int64_t fleet_gpus() const { return fleet_gpus_; }
  double fleet_mw() const { return fleet_mw_; }
  double mw_requested() const { return mw_requested_; }
  double mw_granted() const { return mw_granted_; }
  double fleet_capex() const { return fleet_capex_; }
  /// The KPIs it adds (docs/outputs.md).
  void add_kpis(std::map<std::string, double>& kpis) const;
  /// summary.json's "programme" object.
  nlohmann::ordered_json summary() const;
  /// What `tenderlab run` prints at the end: whether and when each target was reached, and
  /// what held the fleets back year by year. Empty for a scenario without targets or fleets.
  std::vector<std::string> verdict() const;

 private:
  void check_targets(const std::string& date);
  std::vector<ProgrammeTarget> targets_;
  std::int64_t gpus_at_start_ = 0;
  std::map<std::string, std::string> reached_;  ///< target id -> date first reached
  std::int64_t public_gpus_ = 0;
  std::int64_t fleet_gpus_ = 0;
  std::int64_t non_capital_gpus_ = 0;
  double fleet_mw_ = 0;
  double peak_mw_ = 0;
  double public_mw_ = 0;
  double mw_requested_ = 0;
  double mw_granted_ = 0;
  double fleet_capex_ = 0;
  double fleet_tax_credit_ = 0;
  double contract_public_cost_ = 0;     ///< the contracts' public-cost ledgers
  double contract_private_equity_ = 0;  ///< private equity of SPC contracts
  std::map<std::string, std::int64_t> gpus_by_owner_;
  /// Per year, how many fleet decisions each bound stopped (value, capital, vendor, grid).
  std::map<int, std::map<std::string, int>> bindings_by_year_;
  std::map<int, std::int64_t> fleet_orders_by_year_;
  std::vector<std::int64_t> waits_;                           ///< days from request to full grant
  std::map<std::string, std::int64_t> outstanding_by_order_;  ///< at its last allocation
};

/// The numbers summary.json and studies keep: per call (from the tenders table) and for the
/// programme (contracts, capacity, GPUs at each year's end), and the calibration targets.
class RunKpis {
 public:
  RunKpis(EventDispatcher& events, const TendersTable& tenders,
          std::vector<HistoricalRound> history);
  RunKpis(const RunKpis&) = delete;
  RunKpis& operator=(const RunKpis&) = delete;

  /// The numeric KPIs by name; documented in docs/outputs.md.
  std::map<std::string, double> kpis() const;
  const std::string& first_contract_date() const { return first_contract_date_; }
  const std::string& first_capacity_date() const { return first_capacity_date_; }

 private:
  const TendersTable& tenders_;
  std::vector<HistoricalRound> history_;
  std::int64_t gpus_online_ = 0;
  std::int64_t gpus_non_capital_ = 0;
  double mw_online_ = 0;
  std::string first_capacity_date_;
  std::map<int, std::int64_t> gpus_online_by_year_end_;
  double public_money_ = 0;
  double loan_subsidy_ = 0;
  double market_debt_ = 0;
  double tax_expenditure_ = 0;
  double expected_loan_loss_ = 0;
  double shortfall_support_ = 0;
  double public_cost_ = 0;
  double public_equity_ = 0;
  double private_equity_ = 0;
  double tax_credit_ = 0;
  std::string first_contract_date_;
  /// Per call#round, the highest value a lead put on bidding: how far the round was from a bid.
  std::map<std::string, double> best_value_;
};

/// One agent that stayed away from a failed round, with each clause's effect on its value.
struct StayedAwayAgent {
  std::string agent;
  std::string role;         ///< "lead" or "partner"
  double value_bn_krw = 0;  ///< what taking part was worth to it
  /// Clause -> change of the agent's value the clause causes, bn KRW (a clause named twice keeps
  /// its last effect).
  std::map<std::string, double> effects;
  /// True when `effects` are every clause of a lead's last bid_decision in the round; otherwise
  /// the costliest clauses (at most four) that round_failed names.
  bool every_clause = false;
};

/// Who stayed away from one failed round, in the order round_failed lists them.
struct RoundAbsences {
  std::string call;
  int round = 0;
  std::vector<StayedAwayAgent> agents;
};

/// One clause's effect on the value of an agent that stayed away from a failed round.
struct StayAwayEffect {
  std::string call;
  int round = 0;
  std::string agent;
  std::string role;  ///< "lead" or "partner"
  std::string clause;
  double effect_bn_krw = 0;  ///< change of the agent's value the clause causes, bn KRW
};

/// Who stayed away from each failed round and why: for a lead, every clause of its last bid
/// decision in that round (bid_decision's `effects`); otherwise the obstacles round_failed names.
class StayAwayReasons {
 public:
  explicit StayAwayReasons(EventDispatcher& events);
  StayAwayReasons(const StayAwayReasons&) = delete;
  StayAwayReasons& operator=(const StayAwayReasons&) = delete;

  /// The failed rounds with at least one agent that stayed away, in event order.
  const std::vector<RoundAbsences>& rounds() const { return rounds_; }
  /// The same, one row per clause: in event order, then by clause.
  std::vector<StayAwayEffect> effects() const;

 private:
  /// Per (call, round, agent), the clause effects of the agent's last bid decision.
  std::map<std::tuple<std::string, int, std::string>, std::vector<events::ClauseEffect>>
      decision_effects_;
  std::vector<RoundAbsences> rounds_;
};

/// The human-readable timeline `tenderlab run` prints, a line at a time.
class Timeline {
 public:
  using Printer = std::function<void(const std::string&)>;
  Timeline(EventDispatcher& events, Printer print);
  Timeline(const Timeline&) = delete;
  Timeline& operator=(const Timeline&) = delete;

 private:
  Printer print_;
};

}  // namespace tenderlab::analysis
