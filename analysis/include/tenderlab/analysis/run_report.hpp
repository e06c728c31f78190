#pragma once
// What a run's event log says, condensed: the tender table (tenders.csv), the KPIs
// (summary.json) and a human-readable timeline. Built from events only, so the same report comes
// out of a live run and of an events.jsonl read back from disk.
#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/engine/event_log.hpp"
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
  nlohmann::ordered_json terms;
  std::string revision;
  /// Agents that stayed away and the terms that weighed most: "agent: term delta; ..."
  std::vector<std::pair<std::string, std::string>> stayed_away;
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

class RunReport {
 public:
  using Printer = std::function<void(const std::string&)>;
  /// `timeline` (may be empty) receives the human-readable timeline, a line at a time.
  /// `history` (may be empty) are the scenario's calibration targets: kpis() then reports, per
  /// target, whether the run reproduced it.
  explicit RunReport(Printer timeline = {}, std::vector<HistoricalRound> history = {});
  void observe(const Event& event);

  const std::vector<TenderRow>& tenders() const { return rows_; }
  /// tenders.csv, RFC 4180, header first; documented in docs/outputs.md.
  std::string tenders_csv() const;
  /// summary.json: KPIs of the run; documented in docs/outputs.md.
  nlohmann::ordered_json summary() const;
  /// timeseries.csv: one row per month (GPUs online, public money committed).
  std::string timeseries_csv() const;
  /// The numeric KPIs a study keeps, by name.
  std::map<std::string, double> kpis() const;
  /// Who stayed away from each failed round and why, as the run's HTML report shows it: for a
  /// lead, every clause of its last bid decision in that round; otherwise the obstacles the
  /// round_failed event names. In event order, then by clause.
  const std::vector<StayAwayEffect>& stay_away_effects() const { return stay_away_; }

 private:
  TenderRow* row(const std::string& call, int round);
  void print(const std::string& line) const;

  Printer timeline_;
  std::vector<HistoricalRound> history_;
  std::vector<TenderRow> rows_;
  std::int64_t gpus_online_ = 0;
  std::int64_t gpus_non_capital_ = 0;
  double mw_online_ = 0;
  std::string first_capacity_date_;
  std::map<int, std::int64_t> gpus_online_by_year_end_;
  double public_money_ = 0;
  double public_equity_ = 0;
  double private_equity_ = 0;
  double tax_credit_ = 0;
  std::string first_contract_date_;
  std::vector<std::string> monthly_rows_;
  /// Per call#round, the highest value a lead put on bidding: how far the round was from a bid.
  std::map<std::string, double> best_value_;
  /// Per call#round#agent, the clause effects of the agent's last bid decision.
  std::map<std::string, nlohmann::json> decision_effects_;
  std::vector<StayAwayEffect> stay_away_;
  std::uint64_t events_ = 0;
  std::string start_date_;
  std::string end_date_;
};

/// Reads events.jsonl back into events (for replay, diff and reports). Throws InputError.
std::vector<Event> read_event_log(const std::string& path);

}  // namespace tenderlab::analysis
