// When leads prepare their bids (agents/src/competition.cpp): from one day after the
// announcement, and always before bids are due.
#include <catch2/catch.hpp>

#include "tenderlab/agents/competition.hpp"

using namespace tenderlab;

TEST_CASE("lead preparation: one hour apart from the day after the announcement when all fit") {
  const double announced = 1000 * 86400.0;
  const double due = announced + 30 * 86400.0 + 16 * 3600.0;  // 30 days later at 16:00
  CHECK(lead_preparation_time(announced, due, 9, 0) == announced + 86400.0);
  CHECK(lead_preparation_time(announced, due, 9, 8) == announced + 86400.0 + 8 * 3600.0);
  // From the first slot, 29 days and 16 hours (712 hours) leave room for 712 leads an hour apart;
  // a 713th makes them share the time.
  CHECK(lead_preparation_time(announced, due, 712, 711) == announced + 86400.0 + 711 * 3600.0);
  CHECK(lead_preparation_time(announced, due, 713, 712) < announced + 86400.0 + 712 * 3600.0);
}

TEST_CASE("lead preparation: more leads than hours before the deadline share the time left") {
  const double announced = 1000 * 86400.0;
  const double due = announced + 2 * 86400.0 + 16 * 3600.0;  // 40 hours after the first slot
  const std::size_t leads = 6000;
  double previous = -1;
  for (std::size_t rank = 0; rank < leads; ++rank) {
    const double slot = lead_preparation_time(announced, due, leads, rank);
    REQUIRE(slot > previous);  // the order of preparation is kept
    REQUIRE(slot < due);       // every lead prepares before bids are due
    previous = slot;
  }
  CHECK(lead_preparation_time(announced, due, leads, 0) == announced + 86400.0);
  CHECK(lead_preparation_time(announced, due, leads, 3000) ==
        Approx(announced + 86400.0 + 20 * 3600.0));
}

TEST_CASE("lead preparation: bids due on the announcement day leave the hours until then") {
  const double announced = 1000 * 86400.0;
  const double due = announced + 16 * 3600.0;
  CHECK(lead_preparation_time(announced, due, 1, 0) == announced);
  CHECK(lead_preparation_time(announced, due, 4, 3) == announced + 12 * 3600.0);
  CHECK(lead_preparation_time(announced, due, 4, 3) < due);
}
