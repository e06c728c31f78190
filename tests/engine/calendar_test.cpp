#include <catch2/catch.hpp>

#include "tenderlab/engine/calendar.hpp"

using tenderlab::Calendar;
using tenderlab::Date;
using tenderlab::seconds_per_day;

TEST_CASE("calendar: every day from 1899 to 2101 survives a round trip through ISO text") {
  // Covers three century years (1900 not leap, 2000 leap, 2100 not leap) and every month end.
  const Date first = Date::from_ymd(1899, 12, 1);
  const Date last = Date::from_ymd(2101, 3, 1);
  Date previous = first.plus_days(-1);
  for (Date day = first; day <= last; day = day.plus_days(1)) {
    const auto parsed = Date::parse(day.iso());
    REQUIRE(parsed);
    REQUIRE(*parsed == day);
    REQUIRE(previous < day);
    previous = day;
  }
}

TEST_CASE("calendar: dates print as zero-padded YYYY-MM-DD and split into their fields") {
  const Date date = Date::from_ymd(2025, 1, 23);
  CHECK(date.iso() == "2025-01-23");
  CHECK(date.year() == 2025);
  CHECK(date.month() == 1u);
  CHECK(date.day() == 23u);
  CHECK(Date::from_ymd(1970, 1, 1).days == 0);
  CHECK(Date::from_ymd(1969, 12, 31).days == -1);
  CHECK(Date::from_ymd(33, 2, 3).iso() == "0033-02-03");
}

TEST_CASE("calendar: 29 February exists in leap years only") {
  CHECK(Date::parse("2024-02-29"));
  CHECK_FALSE(Date::parse("2025-02-29"));
  CHECK(Date::parse("2000-02-29"));
  CHECK_FALSE(Date::parse("1900-02-29"));
  CHECK_FALSE(Date::parse("2100-02-29"));
  CHECK(Date::parse("2024-02-29")->plus_days(1) == *Date::parse("2024-03-01"));
  CHECK(Date::parse("2025-02-28")->plus_days(1) == *Date::parse("2025-03-01"));
}

TEST_CASE("calendar: parsing rejects impossible dates and anything but YYYY-MM-DD") {
  for (const char* text :
       {"2025-02-30", "2025-04-31", "2025-13-01", "2025-00-10", "2025-01-00", "2025-01-32",
        "2025-1-01", "2025-01-1", "20250101", "2025/01/01", " 2025-01-01", "2025-01-01 ",
        "2025-01-01T00:00", "tomorrow", "", "+025-01-01", "2025-0a-01"}) {
    INFO(text);
    CHECK_FALSE(Date::parse(text));
  }
}

TEST_CASE("calendar: time zero is midnight of the start date and each day is 86400 s") {
  const Calendar calendar(Date::from_ymd(2025, 1, 1));
  const Date start = calendar.start();
  CHECK(calendar.to_time(start) == 0.0);
  CHECK(calendar.to_time(start.plus_days(1)) == seconds_per_day);
  CHECK(calendar.to_time(Date::from_ymd(2026, 1, 1)) == 365 * seconds_per_day);
  CHECK(calendar.to_date(0.0) == start);
  // The last instant before midnight still belongs to the day; midnight starts the next one.
  CHECK(calendar.to_date(seconds_per_day - 0.001) == start);
  CHECK(calendar.to_date(seconds_per_day) == start.plus_days(1));
  CHECK(calendar.iso(seconds_per_day + 12 * 3600.0) == "2025-01-02");
  for (int day = 0; day < 800; ++day)
    REQUIRE(calendar.to_date(calendar.to_time(start.plus_days(day))) == start.plus_days(day));
}

TEST_CASE("calendar: times before the start fall on earlier dates") {
  const Calendar calendar(Date::from_ymd(2025, 1, 1));
  CHECK(calendar.to_date(-0.001) == Date::from_ymd(2024, 12, 31));
  CHECK(calendar.to_date(-seconds_per_day) == Date::from_ymd(2024, 12, 31));
  CHECK(calendar.to_date(-seconds_per_day - 1) == Date::from_ymd(2024, 12, 30));
  CHECK(calendar.to_time(Date::from_ymd(2024, 12, 31)) == -seconds_per_day);
  CHECK(calendar.iso(-366 * seconds_per_day) == "2024-01-01");
}

TEST_CASE("calendar: the next month start rolls over December into January") {
  CHECK(Calendar::next_month_start(Date::from_ymd(2025, 12, 15)) == Date::from_ymd(2026, 1, 1));
  CHECK(Calendar::next_month_start(Date::from_ymd(2025, 12, 1)) == Date::from_ymd(2026, 1, 1));
  CHECK(Calendar::next_month_start(Date::from_ymd(2025, 12, 31)) == Date::from_ymd(2026, 1, 1));
  CHECK(Calendar::next_month_start(Date::from_ymd(2025, 1, 31)) == Date::from_ymd(2025, 2, 1));
  CHECK(Calendar::next_month_start(Date::from_ymd(2024, 2, 29)) == Date::from_ymd(2024, 3, 1));
  // The first of a month moves to the first of the next, never stays put.
  CHECK(Calendar::next_month_start(Date::from_ymd(2025, 6, 1)) == Date::from_ymd(2025, 7, 1));
}
