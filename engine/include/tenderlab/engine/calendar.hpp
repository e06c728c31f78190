#pragma once
// Calendar: simulated time is seconds since the scenario's start date (00:00 local time of the
// issuer); every event also carries its ISO date. Dates are proleptic Gregorian.
#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace tenderlab {

inline constexpr double seconds_per_day = 86400.0;

/// A civil date, stored as days since 1970-01-01.
struct Date {
  std::int64_t days = 0;
  // clang-tidy 14 reads the defaulted comparison as a literal 0 that should be nullptr.
  auto operator<=>(const Date&) const = default;  // NOLINT(modernize-use-nullptr)

  static Date from_ymd(int year, unsigned month, unsigned day);
  /// Parses "YYYY-MM-DD"; nullopt for anything else, including impossible dates (2025-02-30).
  static std::optional<Date> parse(std::string_view iso);
  std::string iso() const;
  int year() const;
  unsigned month() const;
  unsigned day() const;
  /// Months since January of year 0: consecutive months differ by one.
  int month_index() const { return year() * 12 + static_cast<int>(month()) - 1; }
  Date plus_days(std::int64_t n) const { return Date{days + n}; }
  /// The same day `n` months later (n >= 0), or the last day of that month when it is shorter.
  Date plus_months(int n) const;
};

class Calendar {
 public:
  explicit Calendar(Date start) : start_(start) {}
  Date start() const { return start_; }
  /// Seconds since the start at 00:00 of `date`.
  double to_time(Date date) const {
    return static_cast<double>(date.days - start_.days) * seconds_per_day;
  }
  /// The date a simulated time falls on.
  Date to_date(double time) const;
  std::string iso(double time) const { return to_date(time).iso(); }
  /// The first day of the month after the one `date` falls in.
  static Date next_month_start(Date date);

 private:
  Date start_;
};

}  // namespace tenderlab
