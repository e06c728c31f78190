#pragma once
// What a run's event log says, condensed: the tender table (tenders.csv), the monthly series
// (timeseries.csv), the KPIs (summary.json) and a human-readable timeline. Built from events
// only, by the observers of report_observers.hpp, so the same report comes out of a live run and
// of an events.jsonl read back from disk.
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/analysis/report_observers.hpp"
#include "tenderlab/engine/event_log.hpp"
#include "tenderlab/engine/scenario.hpp"

namespace tenderlab::analysis {

class RunReport {
 public:
  using Printer = Timeline::Printer;
  /// `timeline` (may be empty) receives the human-readable timeline, a line at a time.
  /// `history` (may be empty) are the scenario's calibration targets: kpis() then reports, per
  /// target, whether the run reproduced it. `start`: the GPUs the agents run at the start
  /// (counted towards national targets).
  explicit RunReport(Printer timeline = {}, std::vector<HistoricalRound> history = {},
                     std::vector<ProgrammeTarget> targets = {},
                     const std::vector<StartingGpus>& start = {});
  ~RunReport();
  RunReport(RunReport&&) noexcept;
  RunReport& operator=(RunReport&&) noexcept;

  /// Hands one event to the observers (its fields are read into its struct).
  void observe(const Event& event);

  const std::vector<TenderRow>& tenders() const;
  /// tenders.csv, RFC 4180, header first; documented in docs/outputs.md.
  std::string tenders_csv() const;
  /// summary.json: KPIs of the run; documented in docs/outputs.md.
  /// The programme's verdict lines (ProgrammeProgress::verdict).
  std::vector<std::string> programme_verdict() const;
  nlohmann::ordered_json summary() const;
  /// timeseries.csv: one row per month (GPUs online, public money committed).
  std::string timeseries_csv() const;
  /// gpus_online.csv: the GPUs online by owner, source, generation and region, month by month.
  std::string gpus_online_csv() const;
  /// compute.csv: what the pools measured, month by month (header only without compute use).
  std::string compute_csv() const;
  bool has_compute_use() const;
  /// What `tenderlab run` prints about compute use (ComputeUse::verdict).
  std::vector<std::string> compute_verdict() const;
  /// The allocation calls' rounds, in event order.
  const std::vector<ComputeUse::AllocationRound>& allocation_rounds() const;
  /// The numeric KPIs a study keeps, by name.
  std::map<std::string, double> kpis() const;
  /// Who stayed away from each failed round and why, one row per clause, as a run's HTML report
  /// shows it (StayAwayReasons).
  std::vector<StayAwayEffect> stay_away_effects() const;

 private:
  // The observers keep pointers to each other and subscribe with `this`: they stay in place
  // while the report moves.
  struct Observers;
  std::unique_ptr<Observers> observers_;
};

/// Reads events.jsonl back into events (for replay, diff and reports), reading every event of a
/// known type into its struct on the way (events.hpp); events of other types are kept as they
/// are. Throws InputError naming the file, the line and the JSON Pointer of a bad field.
std::vector<Event> read_event_log(const std::string& path);

}  // namespace tenderlab::analysis
