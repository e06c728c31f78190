#include "report_text.hpp"
#include "tenderlab/analysis/report_observers.hpp"

namespace tenderlab::analysis {

namespace {

std::string series_row(const Event& e, const events::ProgrammeState& state) {
  return e.date + "," + std::to_string(state.gpus_online) + "," +
         std::to_string(state.gpus_online_non_capital) + "," + detail::fixed(state.mw_online, 3) +
         "," + detail::fixed(state.public_money_committed_bn_krw, 3) + "," +
         detail::fixed(state.private_money_committed_bn_krw, 3);
}

}  // namespace

TimeSeries::TimeSeries(EventDispatcher& events) {
  events.on<events::MonthStart>(
      [this](const Event& e, const events::MonthStart& m) { rows_.push_back(series_row(e, m)); });
  events.on<events::YearStart>(
      [this](const Event& e, const events::YearStart& y) { rows_.push_back(series_row(e, y)); });
}

std::string TimeSeries::csv() const {
  std::string out =
      "date,gpus_online,gpus_online_non_capital,mw_online,public_money_committed_bn_krw,"
      "private_money_committed_bn_krw\r\n";
  for (const auto& row : rows_)
    out += row + "\r\n";
  return out;
}

}  // namespace tenderlab::analysis
