// The SPC's contract settled on its measured operations, one operating year at a time: the
// pools' monthly reports feed its books (record_spc_month), and an actor per SPC runs the
// contract's waterfall on them when a year is complete (docs/model/compute-use.md).
#include <algorithm>
#include <cmath>

#include "world.hpp"

namespace tenderlab::detail {

void record_spc_month(World& world, int month, const events::ComputeMonth& report) {
  for (auto& [call, books] : world.spc_books)
    if (const auto share =
            spc_share_of_month(report, call, public_pool, books.outlook.public_use_discount))
      books.months[month] += *share;
}

namespace {

/// Settles measured operating year `year` (0-based; -1: the year a delayed delivery lost, before
/// its first GPUs ran) of the SPC of `call`; false when the contract has no such operating year.
bool settle_year(World& world, const std::string& call, const World::SpcBooks& books, int year) {
  const int first = books.first_month->month_index();
  const int measured_years = std::max(0, year + 1);
  std::vector<MeasuredOperations> measured(static_cast<std::size_t>(measured_years));
  for (const auto& [month, operations] : books.months) {
    const int of_year = (month - first) / 12;
    if (month >= first && of_year < measured_years)
      measured[static_cast<std::size_t>(of_year)] += operations;
  }
  const events::ContractOutlook& outlook = books.outlook;
  const std::size_t line_at = settlement_line(books.object.build_years, year, books.delayed);
  const std::size_t op = line_at - static_cast<std::size_t>(std::max(0, books.object.build_years));
  if (op >= outlook.margin_bn_krw.size()) return false;
  const std::vector<double> margins = settlement_margins(
      outlook.margin_bn_krw, measured, outlook.om_bn_krw_per_year, outlook.gpus, books.delayed);
  const CashFlowStatement statement =
      statement_on_margins(books.object, books.terms, books.team, books.lead, books.paths,
                           books.non_capital, margins, books.delayed, world.scenario.assumptions);
  const CashFlowYear& line = statement.years.at(line_at);
  const MeasuredOperations m = measured.empty() ? MeasuredOperations{} : measured.back();
  events::SpcYearSettled settled;
  settled.call = call;
  settled.operating_year = year + 1;
  // The lost year (-1) began twelve months before the first GPUs ran.
  settled.from =
      (year < 0 ? Date::from_ymd(books.first_month->year() - 1, books.first_month->month(), 1)
                : books.first_month->plus_months(12 * year))
          .iso();
  settled.utilization =
      m.capacity_gpu_hours > 0 ? round_to(m.busy_gpu_hours / m.capacity_gpu_hours, 1e-4) : 0.0;
  const double year_hours = static_cast<double>(outlook.gpus) * 8760.0;
  if (year < 0) {
    // The lost year: the site's upkeep with nothing running, and any damages the public side owes.
    settled.margin_bn_krw = round_money(line.ebitda);
    settled.expected_margin_bn_krw = round_money(outlook.margin_bn_krw[op]);
  } else {
    settled.margin_bn_krw = round_money(m.margin(outlook.om_bn_krw_per_year, outlook.gpus));
    settled.expected_margin_bn_krw = round_money(
        year_hours > 0 ? outlook.margin_bn_krw[op] * m.capacity_gpu_hours / year_hours : 0.0);
  }
  settled.tax_bn_krw = round_money(line.tax);
  settled.debt_service_due_bn_krw = round_money(line.debt_service_due);
  if (line.debt_service_due > 0)
    settled.cover_ratio = round_to((line.ebitda - line.tax) / line.debt_service_due, 1e-4);
  settled.debt_service_paid_bn_krw = round_money(line.policy_service + line.market_service);
  settled.shortfall_bn_krw = round_money(line.shortfall);
  settled.private_support_bn_krw = round_money(line.private_support);
  settled.public_support_bn_krw = round_money(line.public_support);
  if (std::isfinite(line.support_left))
    settled.support_left_bn_krw = round_money(std::max(0.0, line.support_left));
  settled.dividends_bn_krw = round_money(line.private_dividends + line.public_dividends);
  settled.debt_left_bn_krw = round_money(line.debt_left);
  settled.status = line.defaulted ? "defaulted" : line.shortfall > 0 ? "supported" : "covered";
  world.emit(books.lead.agent->id, settled);
  return true;
}

}  // namespace

void run_spc_settlement(World& world, const std::string& call) {
  const Calendar& calendar = world.log.calendar();
  const double horizon = world.kernel.horizon_time();
  int settled = 0;
  bool lost_year_settled = false;
  // Noon of each month's first day: after the pools reported the month before (at midnight).
  for (Date month = Calendar::next_month_start(calendar.to_date(Kernel::now()));;
       month = Calendar::next_month_start(month)) {
    const double at = world.time_of(month, 12);
    if (at > horizon) return;
    Kernel::sleep_until(at);
    const World::SpcBooks& books = world.spc_books.at(call);
    if (!books.first_month) continue;
    // A delivery the run delayed lost the contract's first operating year: settled once its first
    // GPUs run, as operating year 0.
    if (books.delayed && !lost_year_settled) {
      lost_year_settled = true;
      if (!settle_year(world, call, books, -1)) return;
    }
    while (books.first_month->month_index() + 12 * (settled + 1) <= month.month_index()) {
      if (!settle_year(world, call, books, settled)) return;
      ++settled;
    }
  }
}

}  // namespace tenderlab::detail
