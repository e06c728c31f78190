#include <algorithm>

#include "report_text.hpp"
#include "tenderlab/analysis/report_observers.hpp"

namespace tenderlab::analysis {

RunKpis::RunKpis(EventDispatcher& events, const TendersTable& tenders,
                 std::vector<HistoricalRound> history)
    : tenders_(tenders), history_(std::move(history)) {
  events.on<events::BidDecision>([this](const Event&, const events::BidDecision& decision) {
    if (!decision.valuation) return;  // only a lead's valuation says how far it was from bidding
    const std::string key = decision.call + "#" + std::to_string(decision.round);
    const double value = decision.valuation->value_bn_krw;
    auto [it, inserted] = best_value_.emplace(key, value);
    if (!inserted) it->second = std::max(it->second, value);
  });
  events.on<events::ContractSigned>([this](const Event& e, const events::ContractSigned& c) {
    public_money_ += c.public_money_bn_krw;
    public_equity_ += c.public_equity_bn_krw;
    private_equity_ += c.private_equity_bn_krw;
    tax_credit_ += c.tax_credit_bn_krw;
    loan_subsidy_ += c.loan_subsidy_bn_krw;
    market_debt_ += c.market_debt_bn_krw;
    tax_expenditure_ += c.tax_expenditure_bn_krw;
    expected_loan_loss_ += c.expected_loan_loss_bn_krw;
    shortfall_support_ += c.shortfall_support_bn_krw;
    public_cost_ += c.public_cost_bn_krw;
    if (first_contract_date_.empty()) first_contract_date_ = e.date;
  });
  events.on<events::CapacityOnline>([this](const Event& e, const events::CapacityOnline& c) {
    gpus_online_ += c.gpus;
    if (c.site == "non_capital") gpus_non_capital_ += c.gpus;
    mw_online_ += c.mw;
    if (first_capacity_date_.empty()) first_capacity_date_ = e.date;
  });
  // GPUs online at the end of each year: seen on 1 January, and at the end of the run.
  events.on<events::YearStart>([this](const Event& e, const events::YearStart& y) {
    gpus_online_by_year_end_[detail::year_ended_by(e.date)] = y.gpus_online;
  });
  events.on<events::SimulationEnded>([this](const Event& e, const events::SimulationEnded& end) {
    gpus_online_by_year_end_[detail::year_ended_by(e.date)] = end.gpus_online;
  });
}

std::map<std::string, double> RunKpis::kpis() const {
  const std::vector<TenderRow>& rows = tenders_.rows();
  std::map<std::string, double> k;
  // Per call, prefixed with its id; the first call announced (the scenario's main call) also
  // without prefix, so single-call studies keep short names.
  std::vector<std::string> calls;
  for (const auto& r : rows)
    if (std::find(calls.begin(), calls.end(), r.call_id) == calls.end()) calls.push_back(r.call_id);
  for (const auto& call : calls) {
    std::map<std::string, double> per_call;
    int rounds = 0, award_round = 0, failed = 0;
    for (const auto& r : rows) {
      if (r.call_id != call) continue;
      ++rounds;
      if (r.outcome == "failed") ++failed;
      if ((r.outcome == "awarded" || r.outcome == "negotiated") && award_round == 0)
        award_round = r.round;
      const std::string n = std::to_string(r.round);
      per_call["bids_round_" + n] = r.received_bids;
      per_call["any_bid_round_" + n] = r.received_bids > 0 ? 1 : 0;
      if (auto it = best_value_.find(r.call_id + "#" + n); it != best_value_.end())
        per_call["best_value_round_" + n] = it->second;
    }
    per_call["rounds"] = rounds;
    per_call["failed_rounds"] = failed;
    per_call["awarded"] = award_round > 0 ? 1 : 0;
    per_call["award_round"] = award_round;
    for (const auto& [name, value] : per_call) {
      k[call + "." + name] = value;
      if (call == calls.front()) k[name] = value;
    }
  }
  if (calls.empty())
    for (const char* name : {"rounds", "failed_rounds", "awarded", "award_round"})
      k[name] = 0;
  k["gpus_online"] = static_cast<double>(gpus_online_);
  k["mw_online"] = mw_online_;
  // Share of the capacity online outside the capital region (0 when nothing is online).
  k["share_outside_capital"] =
      gpus_online_ > 0 ? static_cast<double>(gpus_non_capital_) / static_cast<double>(gpus_online_)
                       : 0.0;
  for (const auto& [year, gpus] : gpus_online_by_year_end_)
    k["gpus_online_end_" + std::to_string(year)] = static_cast<double>(gpus);
  k["public_money_bn_krw"] = public_money_;
  k["public_equity_bn_krw"] = public_equity_;
  k["private_equity_bn_krw"] = private_equity_;
  k["tax_credit_bn_krw"] = tax_credit_;
  k["loan_subsidy_bn_krw"] = loan_subsidy_;
  k["market_debt_bn_krw"] = market_debt_;
  k["tax_expenditure_bn_krw"] = tax_expenditure_;
  k["expected_loan_loss_bn_krw"] = expected_loan_loss_;
  k["shortfall_support_bn_krw"] = shortfall_support_;
  k["public_cost_bn_krw"] = public_cost_;
  // Calibration targets: 1 when the run reproduces what happened, 0 otherwise.
  if (!history_.empty()) {
    double all = 1;
    for (const auto& target : history_) {
      double match = 0;
      for (const auto& r : rows) {
        if (r.call_id != target.call || r.round != target.round) continue;
        bool same = r.outcome == target.outcome;
        if (target.bids) same = same && r.received_bids == *target.bids;
        if (target.winner_kind)
          same = same && r.winner_kinds.size() == 1 &&
                 r.winner_kinds.front() == target.winner_kind->name();
        match = same ? 1 : 0;
      }
      k["history_" + target.call + "_round_" + std::to_string(target.round)] = match;
      all = std::min(all, match);
    }
    k["history_match"] = all;
  }
  return k;
}

}  // namespace tenderlab::analysis
