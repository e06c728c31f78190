#include "tenderlab/engine/calendar.hpp"

#include <cmath>
#include <cstdio>

namespace tenderlab {
namespace {
// Days from civil and back: the classic era-based algorithm, exact over the whole int range.
std::int64_t days_from_civil(std::int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const std::int64_t era = (y >= 0 ? y : y - 399) / 400;
  const auto yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<std::int64_t>(doe) - 719468;
}

struct Ymd {
  std::int64_t y;
  unsigned m, d;
};

Ymd civil_from_days(std::int64_t z) {
  z += 719468;
  const std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const auto doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const std::int64_t y = static_cast<std::int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return {y + (m <= 2), m, d};
}

bool is_leap(std::int64_t y) {
  return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

unsigned days_in_month(std::int64_t y, unsigned m) {
  static constexpr unsigned lengths[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : lengths[m - 1];
}
}  // namespace

Date Date::from_ymd(int year, unsigned month, unsigned day) {
  return Date{days_from_civil(year, month, day)};
}

std::optional<Date> Date::parse(std::string_view iso) {
  if (iso.size() != 10 || iso[4] != '-' || iso[7] != '-') return std::nullopt;
  auto digits = [&](std::size_t from, std::size_t count) -> std::optional<int> {
    int value = 0;
    for (std::size_t i = from; i < from + count; ++i) {
      if (iso[i] < '0' || iso[i] > '9') return std::nullopt;
      value = value * 10 + (iso[i] - '0');
    }
    return value;
  };
  const auto y = digits(0, 4), m = digits(5, 2), d = digits(8, 2);
  if (!y || !m || !d || *m < 1 || *m > 12 || *d < 1) return std::nullopt;
  if (static_cast<unsigned>(*d) > days_in_month(*y, static_cast<unsigned>(*m))) return std::nullopt;
  return from_ymd(*y, static_cast<unsigned>(*m), static_cast<unsigned>(*d));
}

std::string Date::iso() const {
  const Ymd c = civil_from_days(days);
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%04lld-%02u-%02u", static_cast<long long>(c.y), c.m, c.d);
  return buffer;
}

int Date::year() const {
  return static_cast<int>(civil_from_days(days).y);
}
unsigned Date::month() const {
  return civil_from_days(days).m;
}
unsigned Date::day() const {
  return civil_from_days(days).d;
}

Date Calendar::to_date(double time) const {
  return Date{start_.days + static_cast<std::int64_t>(std::floor(time / seconds_per_day))};
}

Date Date::plus_months(int n) const {
  const int months = month_index() + n;
  const int y = months / 12;
  const auto m = static_cast<unsigned>(months % 12 + 1);
  const Date first = from_ymd(y, m, 1);
  const Date last = Calendar::next_month_start(first).plus_days(-1);
  return std::min(from_ymd(y, m, 1).plus_days(static_cast<std::int64_t>(day()) - 1), last);
}

Date Calendar::next_month_start(Date date) {
  const Ymd c = civil_from_days(date.days);
  return c.m == 12 ? Date::from_ymd(static_cast<int>(c.y) + 1, 1, 1)
                   : Date::from_ymd(static_cast<int>(c.y), c.m + 1, 1);
}

}  // namespace tenderlab
