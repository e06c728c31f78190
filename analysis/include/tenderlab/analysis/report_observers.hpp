#pragma once
// The observers of a run's event log that make its reports: each subscribes, through an
// EventDispatcher, to the event types it needs and never sees the others. RunReport
// (run_report.hpp) puts them together.
#include <cmath>
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <tuple>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/engine/event_dispatcher.hpp"
#include "tenderlab/engine/events.hpp"
#include "tenderlab/engine/scenario.hpp"

namespace tenderlab::analysis {

/// A running total of values the event log carries to 0.001 (bn KRW, MW, MWh, GPU-hours), kept
/// in whole thousandths: the total is exact, so it is the same in whatever order the events of
/// one instant arrive (a sum of doubles would differ in its last bits).
class LoggedSum {
 public:
  LoggedSum& operator+=(double logged) {
    thousandths_ += std::llround(logged * 1000.0);
    return *this;
  }
  LoggedSum& operator+=(const LoggedSum& other) {
    thousandths_ += other.thousandths_;
    return *this;
  }
  double value() const { return static_cast<double>(thousandths_) / 1000.0; }
  operator double() const { return value(); }  // NOLINT(google-explicit-constructor)
  friend LoggedSum operator+(LoggedSum a, const LoggedSum& b) { return a += b; }
  friend bool operator<(const LoggedSum& a, const LoggedSum& b) {
    return a.thousandths_ < b.thousandths_;
  }

 private:
  std::int64_t thousandths_ = 0;
};
/// Written to JSON as the number it is.
template <class Json>
void to_json(Json& json, const LoggedSum& sum) {
  json = sum.value();
}

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
  /// Allocation calls' rounds (after the tenders in tenders.csv): the date and the decision.
  std::vector<std::pair<std::string, events::AllocationDecided>> allocations_;
};

class ProgrammeProgress;

/// Compute use (compute.csv, summary.json "compute", KPIs, timeseries.csv's use columns): what
/// the pools measured each month, what the user groups asked for and got, and the allocation
/// calls' rounds.
class ComputeUse {
 public:
  explicit ComputeUse(EventDispatcher& events);
  ComputeUse(const ComputeUse&) = delete;
  ComputeUse& operator=(const ComputeUse&) = delete;

  /// Whether the run had compute use (any pool reported).
  bool active() const { return !pool_rows_.empty(); }
  /// The pools' figures for the period that ended on `date` (a month start), summed over pools.
  struct Period {
    LoggedSum public_capacity, public_busy;
    LoggedSum private_capacity, private_busy;
    std::int64_t jobs_waiting = 0;
    LoggedSum facility_mwh;
  };
  const Period* period_ending(const std::string& date) const;
  /// compute.csv: a row per pool and month, then a row per pool, group and month; header first.
  std::string csv() const;
  /// The allocation rounds, in event order, with their dates.
  struct AllocationRound {
    std::string date;
    events::AllocationDecided decided;
  };
  const std::vector<AllocationRound>& allocations() const { return allocations_; }
  /// summary.json's "compute" object (null without compute use).
  nlohmann::ordered_json summary() const;
  /// The KPIs it adds (docs/outputs.md); none without compute use.
  void add_kpis(std::map<std::string, double>& kpis) const;
  /// What `tenderlab run` prints about use.
  std::vector<std::string> verdict() const;

  /// An SPC's operations as measured, set against what it expected when it signed
  /// (docs/model/compute-use.md, "The SPC's outturn"): per operating year and in total.
  struct Outturn {
    struct Figures {
      double capacity_gpu_hours = 0;  ///< the SPC's GPUs online: own pool and public share
      double busy_gpu_hours = 0;
      double sales = 0;  ///< measured: commercial sales, the public share at its discount
      double power = 0;  ///< measured energy cost
      double om = 0;     ///< operations and maintenance for the GPU-hours online
      double expected_busy_gpu_hours = 0;  ///< the outlook's utilisation x capacity
      double expected_sales = 0;           ///< the outlook, for the GPU-hours online
      double expected_power = 0;
      double lender_base_case = 0;  ///< the lender's base case, for the GPU-hours online
      double margin() const { return sales - power - om; }
      double expected_margin() const { return expected_sales - expected_power - om; }
    };
    std::string call;
    std::string lead;
    std::int64_t gpus = 0;
    std::string first_online;      ///< empty when none of its GPUs ran before the horizon
    std::vector<Figures> by_year;  ///< per operating year (from the first GPUs online)
    Figures total;
    std::vector<events::SpcYearSettled> settled;  ///< the contract settled on them, per year
  };
  std::vector<Outturn> spc_outturns() const;
  /// summary.json compute.spc_outturn.
  nlohmann::ordered_json spc_outturn_json() const;

 private:
  struct PoolRow {
    std::string date;
    events::ComputeMonth month;
  };
  struct SpcContract {
    events::ContractOutlook outlook;
    std::string first_online;  ///< date of its first capacity_online; empty before
    std::vector<events::SpcYearSettled> settled;  ///< its operating years settled, in order
  };
  struct GroupTotals {
    std::string kind;
    LoggedSum gpu_hours;
    std::int64_t jobs_started = 0;
    std::int64_t jobs_lost = 0;
    std::int64_t jobs_reneged = 0;
    LoggedSum wait_hours;
    std::int64_t commercial_jobs = 0;
    std::int64_t applications = 0;
    std::int64_t unserved_jobs = 0;
    std::int64_t awarded_gpus = 0;
    std::int64_t requested_gpus = 0;
  };
  /// Busy and capacity GPU-hours of public and private pools by year.
  struct YearUse {
    LoggedSum public_capacity, public_busy, private_capacity, private_busy;
  };
  /// The totals over the groups of `kind` (every group when empty).
  GroupTotals sum_of_groups(const std::string& kind) const;
  std::vector<PoolRow> pool_rows_;
  std::map<std::string, Period> periods_;  ///< by the date the period ended
  std::map<std::string, GroupTotals> groups_;
  std::map<int, YearUse> years_;
  std::vector<AllocationRound> allocations_;
  std::map<std::string, SpcContract> spc_;  ///< by call
};

/// The programme's state at each month boundary (timeseries.csv); the fleets' and the grid's
/// columns from `programme`, which must subscribe to the events before it.
class TimeSeries {
 public:
  TimeSeries(EventDispatcher& events, const ProgrammeProgress& programme,
             const ComputeUse& compute);
  TimeSeries(const TimeSeries&) = delete;
  TimeSeries& operator=(const TimeSeries&) = delete;

  /// timeseries.csv, header first; documented in docs/outputs.md.
  std::string csv() const;

 private:
  struct Row {
    std::string date;
    std::string programme;  ///< the columns known at the month boundary
  };
  std::vector<Row> rows_;
  const ProgrammeProgress& programme_;
  const ComputeUse& compute_;  ///< its figures for a month come with or after the boundary
};

/// GPUs an agent runs at the start of a run (its `gpus`), in the generation fleets start with.
struct StartingGpus {
  std::string owner;
  std::int64_t gpus = 0;
  std::string generation;  ///< empty without vendors
};

/// The GPUs online broken down by owner, source (a call, `fleet`, or `start`), generation and
/// region, month by month (gpus_online.csv) and at the end (summary.json "programme"
/// "gpus_online_by").
class GpuStock {
 public:
  GpuStock(EventDispatcher& events, const std::vector<StartingGpus>& start);
  GpuStock(const GpuStock&) = delete;
  GpuStock& operator=(const GpuStock&) = delete;

  /// gpus_online.csv, header first; documented in docs/outputs.md.
  std::string csv() const;
  /// The GPUs online at the end by owner, generation, region and region class (objects keyed by
  /// id, sorted; the starting GPUs under generation and region "" when unknown).
  nlohmann::ordered_json by_dimension() const;

 private:
  struct Key {
    std::string owner, source, generation, region, region_class;
    bool operator<(const Key& other) const {
      return std::tie(owner, source, generation, region, region_class) <
             std::tie(other.owner, other.source, other.generation, other.region,
                      other.region_class);
    }
  };
  struct Stock {
    std::int64_t gpus = 0;
    LoggedSum mw;
  };
  void add(const Key& key, std::int64_t gpus, double mw);
  void snapshot(const std::string& date);
  std::map<Key, Stock> stock_;
  std::string rows_;  ///< the CSV rows written so far, one per key with GPUs at each boundary
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
  /// What the state paid so far for anchor GPU-hours and gave in tariff discounts.
  double anchor_purchases() const { return anchor_cost_; }
  double tariff_discount() const { return tariff_discount_; }
  /// The programme's public cost: the contracts' public-cost ledgers, the fleets' tax credits at
  /// face value, the anchor purchases and the tariff discount.
  double public_cost() const;
  /// Anchor purchases and tariff discount for the periods that ended by `date` (inclusive).
  double instruments_by(const std::string& date) const;
  /// The KPIs it adds (docs/outputs.md).
  void add_kpis(std::map<std::string, double>& kpis) const;
  /// summary.json's "programme" object.
  nlohmann::ordered_json summary() const;
  /// What `tenderlab run` prints at the end: whether and when each target was reached, and
  /// what held the fleets back year by year. Empty for a scenario without targets or fleets.
  std::vector<std::string> verdict() const;

 private:
  void check_targets(const std::string& date);
  /// The verdict's line on what GPUs ordered and not running waited for at a year's end.
  static std::string pipeline_line(const events::DeliveryPipeline& pipeline);
  std::vector<ProgrammeTarget> targets_;
  std::int64_t gpus_at_start_ = 0;
  std::map<std::string, std::string> reached_;  ///< target id -> date first reached
  std::int64_t public_gpus_ = 0;
  std::int64_t fleet_gpus_ = 0;
  std::int64_t non_capital_gpus_ = 0;
  LoggedSum fleet_mw_;
  LoggedSum peak_mw_;
  LoggedSum public_mw_;
  LoggedSum mw_requested_;
  LoggedSum mw_granted_;
  /// Data centres outside the model: MW applied for and granted, capital region and outside it.
  struct OtherApplications {
    LoggedSum requested_mw;
    LoggedSum granted_mw;
  };
  OtherApplications others_capital_;
  OtherApplications others_non_capital_;
  LoggedSum fleet_capex_;
  LoggedSum fleet_tax_credit_;
  LoggedSum anchor_gpu_hours_;  ///< bought by the state (instrument_cost)
  LoggedSum anchor_cost_;
  LoggedSum tariff_discount_;
  std::map<std::string, LoggedSum> instruments_on_;  ///< anchor and discount, by event date
  LoggedSum contract_public_cost_;                   ///< the contracts' public-cost ledgers
  LoggedSum contract_private_equity_;                ///< private equity of SPC contracts
  std::map<std::string, std::int64_t> gpus_by_owner_;
  /// Per year, how many fleet decisions each bound stopped (value, capital, vendor, grid).
  std::map<int, std::map<std::string, int>> bindings_by_year_;
  std::map<int, std::int64_t> fleet_orders_by_year_;
  std::map<int, events::DeliveryPipeline> pipeline_by_year_;  ///< at each year's end
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
  LoggedSum mw_online_;
  std::string first_capacity_date_;
  std::map<int, std::int64_t> gpus_online_by_year_end_;
  LoggedSum public_money_;
  LoggedSum loan_subsidy_;
  LoggedSum market_debt_;
  LoggedSum tax_expenditure_;
  LoggedSum expected_loan_loss_;
  LoggedSum shortfall_support_;
  LoggedSum public_cost_;
  LoggedSum public_equity_;
  LoggedSum private_equity_;
  LoggedSum tax_credit_;
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
