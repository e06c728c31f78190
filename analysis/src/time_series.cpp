#include "report_text.hpp"
#include "tenderlab/analysis/report_observers.hpp"

namespace tenderlab::analysis {

namespace {

std::string series_row(const Event& e, const events::ProgrammeState& state,
                       const ProgrammeProgress& programme) {
  return e.date + "," + std::to_string(state.gpus_online) + "," +
         std::to_string(state.gpus_online_non_capital) + "," + detail::fixed(state.mw_online, 3) +
         "," + detail::fixed(state.public_money_committed_bn_krw, 3) + "," +
         detail::fixed(state.private_money_committed_bn_krw, 3) + "," +
         std::to_string(programme.fleet_gpus()) + "," +
         std::to_string(state.gpus_online + programme.fleet_gpus()) + "," +
         detail::fixed(programme.fleet_mw(), 3) + "," + detail::fixed(programme.fleet_capex(), 3) +
         "," + detail::fixed(programme.mw_requested(), 3) + "," +
         detail::fixed(programme.mw_granted(), 3);
}

}  // namespace

TimeSeries::TimeSeries(EventDispatcher& events, const ProgrammeProgress& programme,
                       const ComputeUse& compute)
    : programme_(programme), compute_(compute) {
  events.on<events::MonthStart>([this, &programme](const Event& e, const events::MonthStart& m) {
    rows_.push_back({e.date, series_row(e, m, programme)});
  });
  events.on<events::YearStart>([this, &programme](const Event& e, const events::YearStart& y) {
    rows_.push_back({e.date, series_row(e, y, programme)});
  });
}

std::string TimeSeries::csv() const {
  std::string out =
      "date,gpus_online,gpus_online_non_capital,mw_online,public_money_committed_bn_krw,"
      "private_money_committed_bn_krw,fleet_gpus_online,gpus_online_all,fleet_mw_online,"
      "fleet_capex_bn_krw,mw_requested,mw_granted,utilization_public,utilization_private,"
      "jobs_waiting,facility_mwh,fleet_instruments_bn_krw\r\n";
  auto share = [](double busy, double capacity) {
    return capacity > 0 ? detail::fixed(busy / capacity, 4) : std::string();
  };
  for (const auto& row : rows_) {
    out += row.programme;
    // The month that ended at this boundary, when compute use measured it.
    if (const ComputeUse::Period* period = compute_.period_ending(row.date))
      out += "," + share(period->public_busy, period->public_capacity) + "," +
             share(period->private_busy, period->private_capacity) + "," +
             std::to_string(period->jobs_waiting) + "," + detail::fixed(period->facility_mwh, 3);
    else
      out += ",,,,";
    // Anchor purchases and tariff discount paid for the quarters ended by this boundary.
    out += "," + detail::fixed(programme_.instruments_by(row.date), 3);
    out += "\r\n";
  }
  return out;
}

}  // namespace tenderlab::analysis
