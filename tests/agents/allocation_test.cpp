// Allocation calls worked by hand: shares that hold exactly, largest-remainder entitlements,
// redistribution of what undersubscribed groups leave, ranking within a group, the
// oversubscription ratio, independence from the input's order, and the inputs refused.
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "tenderlab/agents/allocation.hpp"
#include "tenderlab/engine/input_error.hpp"

using namespace tenderlab;

namespace {

AllocationApplication application(std::string id, std::string group, std::int64_t gpus,
                                  double merit, double days = 30) {
  return {std::move(id), std::move(group), gpus, days, merit};
}

const GroupAllocation& group_of(const AllocationOutcome& outcome, const std::string& group) {
  const auto it = std::find_if(outcome.groups.begin(), outcome.groups.end(),
                               [&](const GroupAllocation& g) { return g.group == group; });
  REQUIRE(it != outcome.groups.end());
  return *it;
}

/// The awards as "application:gpus", in the outcome's order.
std::vector<std::string> awards_of(const AllocationOutcome& outcome) {
  std::vector<std::string> awards;
  for (const AllocationAward& award : outcome.awards)
    awards.push_back(award.application + ":" + std::to_string(award.gpus));
  return awards;
}

std::vector<std::int64_t> awarded_by_group(const AllocationOutcome& outcome) {
  std::vector<std::int64_t> awarded;
  for (const GroupAllocation& g : outcome.groups)
    awarded.push_back(g.awarded_gpus);
  return awarded;
}

std::vector<std::int64_t> entitled_by_group(const AllocationOutcome& outcome) {
  std::vector<std::int64_t> entitled;
  for (const GroupAllocation& g : outcome.groups)
    entitled.push_back(g.entitled_gpus);
  return entitled;
}

/// Every field of an outcome, doubles in hexadecimal so that two descriptions are equal only
/// when the outcomes are bit for bit.
std::string describe(const AllocationOutcome& outcome) {
  std::ostringstream out;
  out << std::hexfloat << outcome.capacity_gpus << ' ' << outcome.requested_gpus << ' '
      << outcome.awarded_gpus << ' ' << outcome.oversubscription << '\n';
  for (const AllocationAward& a : outcome.awards)
    out << "award " << a.application << ' ' << a.group << ' ' << a.gpus << ' ' << a.days << '\n';
  for (const GroupAllocation& g : outcome.groups)
    out << "group " << g.group << ' ' << g.share << ' ' << g.requested_gpus << ' '
        << g.entitled_gpus << ' ' << g.awarded_gpus << ' ' << g.applications << ' '
        << g.awarded_applications << '\n';
  return out.str();
}

}  // namespace

TEST_CASE("shares hold exactly when every group asks for more than its entitlement") {
  // 1000 GPUs at 0.5 / 0.3 / 0.2: 500, 300 and 200. In each group the applications that fit are
  // awarded in full, the first that does not fit gets the rest, and the one after it nothing.
  const std::vector<GroupShare> shares = {{"a", 0.5}, {"b", 0.3}, {"c", 0.2}};
  const std::vector<AllocationApplication> applications = {
      application("a1", "a", 300, 0.9), application("a2", "a", 250, 0.5),
      application("a3", "a", 100, 0.1), application("b1", "b", 200, 0.8),
      application("b2", "b", 200, 0.7), application("c1", "c", 150, 0.6),
      application("c2", "c", 100, 0.4), application("c3", "c", 10, 0.2)};
  for (const bool redistribute : {false, true}) {
    const AllocationOutcome outcome = allocate_by_shares(1000, shares, applications, redistribute);
    CHECK(outcome.capacity_gpus == 1000);
    CHECK(outcome.requested_gpus == 650 + 400 + 260);
    CHECK(outcome.awarded_gpus == 1000);
    CHECK(outcome.oversubscription == Approx(1.31));
    CHECK(entitled_by_group(outcome) == std::vector<std::int64_t>{500, 300, 200});
    CHECK(awarded_by_group(outcome) == std::vector<std::int64_t>{500, 300, 200});
    CHECK(awards_of(outcome) ==
          std::vector<std::string>{"a1:300", "a2:200", "b1:200", "b2:100", "c1:150", "c2:50"});
    const GroupAllocation& a = group_of(outcome, "a");
    CHECK(a.share == 0.5);
    CHECK(a.requested_gpus == 650);
    CHECK(a.applications == 3);
    CHECK(a.awarded_applications == 2);  // a1 in full, a2 in part
    CHECK(group_of(outcome, "c").awarded_applications == 2);
    REQUIRE(outcome.awards.size() == 6);
    CHECK(outcome.awards[1].group == "a");
    CHECK(outcome.awards[1].days == 30);
  }
}

TEST_CASE("entitlements are whole GPUs by the largest remainder, ties by group id") {
  const auto everyone_asks = [](const std::vector<GroupShare>& shares) {
    std::vector<AllocationApplication> applications;
    for (const GroupShare& share : shares)
      applications.push_back(application(share.group + "1", share.group, 1000, 0.5));
    return applications;
  };
  SECTION("three equal thirds of 10: 3.33 each, the GPU left goes to the first id") {
    const std::vector<GroupShare> shares = {{"c", 1.0 / 3}, {"a", 1.0 / 3}, {"b", 1.0 / 3}};
    const AllocationOutcome outcome = allocate_by_shares(10, shares, everyone_asks(shares), false);
    CHECK(entitled_by_group(outcome) == std::vector<std::int64_t>{4, 3, 3});
    CHECK(awarded_by_group(outcome) == std::vector<std::int64_t>{4, 3, 3});
    CHECK(outcome.groups[0].group == "a");
  }
  SECTION("remainders equal on paper tie by id, whatever the doubles' last bits say") {
    // 4 x (0.15, 0.4) = 0.6, 1.6: floor(2.2) = 2 GPUs, whole parts 0 and 1, remainders .6 each
    // (1.6 - 1 is 0.6000000000000001 in doubles), so the GPU left goes to a.
    const std::vector<GroupShare> shares = {{"a", 0.15}, {"b", 0.4}};
    const AllocationOutcome outcome = allocate_by_shares(4, shares, everyone_asks(shares), false);
    CHECK(entitled_by_group(outcome) == std::vector<std::int64_t>{1, 1});
  }
  SECTION("the largest remainder wins over the id") {
    // 7 x (0.2, 0.3, 0.5) = 1.4, 2.1, 3.5: whole parts 1, 2, 3, and the GPU left to c (.5).
    const std::vector<GroupShare> shares = {{"a", 0.2}, {"b", 0.3}, {"c", 0.5}};
    const AllocationOutcome outcome = allocate_by_shares(7, shares, everyone_asks(shares), false);
    CHECK(entitled_by_group(outcome) == std::vector<std::int64_t>{1, 2, 4});
  }
  SECTION("shares below 1 entitle floor(capacity x their sum), from unscaled quotas") {
    // 10 x (0.45, 0.45, 0.05) = 4.5, 4.5, 0.5: floor(9.5) = 9 GPUs, whole parts 4, 4, 0, and the
    // GPU left goes to a, the first of three equal remainders. (Scaling the quotas to sum to 9
    // would give 4.26, 4.26, 0.47 and the GPU to c instead.)
    const std::vector<GroupShare> shares = {{"a", 0.45}, {"b", 0.45}, {"c", 0.05}};
    const AllocationOutcome outcome = allocate_by_shares(10, shares, everyone_asks(shares), true);
    CHECK(entitled_by_group(outcome) == std::vector<std::int64_t>{5, 4, 0});
    CHECK(outcome.awarded_gpus == 9);  // the tenth GPU is nobody's share, not even redistributed
  }
  SECTION("shares summing to 1 in decimal entitle the whole capacity") {
    // 0.1 + 0.2 + 0.7 is 1.0000000000000002 in doubles, and 0.7 x 10 is 7.000000000000001.
    const std::vector<GroupShare> shares = {{"a", 0.1}, {"b", 0.2}, {"c", 0.7}};
    const AllocationOutcome outcome = allocate_by_shares(10, shares, everyone_asks(shares), false);
    CHECK(entitled_by_group(outcome) == std::vector<std::int64_t>{1, 2, 7});
    // 0.06 + 0.57 + 0.37 is 0.9999999999999999: still 10 GPUs. 0.6, 5.7, 3.7 give 0, 5, 3 and
    // the two GPUs left go to the remainders of .7.
    const std::vector<GroupShare> below = {{"a", 0.06}, {"b", 0.57}, {"c", 0.37}};
    const AllocationOutcome rounded = allocate_by_shares(10, below, everyone_asks(below), false);
    CHECK(entitled_by_group(rounded) == std::vector<std::int64_t>{0, 6, 4});
  }
}

TEST_CASE("what an undersubscribed group leaves is redistributed by shares, or stays unawarded") {
  // 100 GPUs at a 0.5, b 0.3, c 0.2: entitlements 50, 30, 20. a asks for 20 and leaves 30.
  const std::vector<GroupShare> shares = {{"a", 0.5}, {"b", 0.3}, {"c", 0.2}};
  std::vector<AllocationApplication> applications = {application("a1", "a", 20, 0.5),
                                                     application("b1", "b", 100, 0.5),
                                                     application("c1", "c", 100, 0.5)};
  SECTION("without redistribution the 30 GPUs are not awarded") {
    const AllocationOutcome outcome = allocate_by_shares(100, shares, applications, false);
    CHECK(awarded_by_group(outcome) == std::vector<std::int64_t>{20, 30, 20});
    CHECK(outcome.awarded_gpus == 70);
  }
  SECTION("with redistribution b and c split them 0.3 : 0.2, 18 and 12") {
    const AllocationOutcome outcome = allocate_by_shares(100, shares, applications, true);
    CHECK(entitled_by_group(outcome) == std::vector<std::int64_t>{50, 30, 20});
    CHECK(awarded_by_group(outcome) == std::vector<std::int64_t>{20, 48, 32});
    CHECK(outcome.awarded_gpus == 100);
    CHECK(awards_of(outcome) == std::vector<std::string>{"a1:20", "b1:48", "c1:32"});
  }
  SECTION("what a group cannot use of its extra goes round again") {
    // c asks for 25: 20 + 12 would exceed it, so it takes 5 and the 7 left go to b, the only
    // group still asking: b 30 + 18 + 7 = 55.
    applications[2].gpus = 25;
    const AllocationOutcome outcome = allocate_by_shares(100, shares, applications, true);
    CHECK(awarded_by_group(outcome) == std::vector<std::int64_t>{20, 55, 25});
    CHECK(outcome.awarded_gpus == 100);
  }
  SECTION("when every group has what it asked for, the rest stays unawarded") {
    applications[1].gpus = 35;
    applications[2].gpus = 25;
    const AllocationOutcome outcome = allocate_by_shares(100, shares, applications, true);
    CHECK(awarded_by_group(outcome) == std::vector<std::int64_t>{20, 35, 25});
    CHECK(outcome.awarded_gpus == 80);
  }
  SECTION("the extra GPUs are whole, by the largest remainder, ties by group id") {
    // 10 GPUs at a 0.5, b 0.25, c 0.25: 5, 2.5, 2.5, so 5, 3, 2 (the tie to b). a asks for 2 and
    // leaves 3: 1.5 each for b and c, so 2 to b (the tie again) and 1 to c: 5 and 3.
    const std::vector<GroupShare> quarters = {{"a", 0.5}, {"b", 0.25}, {"c", 0.25}};
    applications[0].gpus = 2;
    const AllocationOutcome outcome = allocate_by_shares(10, quarters, applications, true);
    CHECK(entitled_by_group(outcome) == std::vector<std::int64_t>{5, 3, 2});
    CHECK(awarded_by_group(outcome) == std::vector<std::int64_t>{2, 5, 3});
  }
}

TEST_CASE("applications are ranked by merit, ties by id, and none jumps the marginal one") {
  // 25 GPUs for group g: c3 (0.9) first, then a1 and b2 (0.5, by id), then d4 (0.1). c3 gets 10,
  // a1 its 10, b2 the 5 left of its 10; d4 gets nothing although its 1 GPU would fit alone.
  const std::vector<GroupShare> shares = {{"g", 1}};
  const std::vector<AllocationApplication> applications = {
      application("b2", "g", 10, 0.5), application("d4", "g", 1, 0.1),
      application("a1", "g", 10, 0.5), application("c3", "g", 10, 0.9)};
  const AllocationOutcome outcome = allocate_by_shares(25, shares, applications, true);
  CHECK(awards_of(outcome) == std::vector<std::string>{"c3:10", "a1:10", "b2:5"});
  CHECK(outcome.groups[0].applications == 4);
  CHECK(outcome.groups[0].awarded_applications == 3);
  CHECK(outcome.awarded_gpus == 25);

  // With exactly enough for the first three, the marginal one is awarded in full.
  const AllocationOutcome exact = allocate_by_shares(30, shares, applications, true);
  CHECK(awards_of(exact) == std::vector<std::string>{"c3:10", "a1:10", "b2:10"});
}

TEST_CASE("groups without a share get nothing, even from what others leave") {
  // z is given a share of 0, x is not named at all. a asks for 10 of its 50.
  const std::vector<GroupShare> shares = {{"z", 0}, {"a", 0.5}};
  const std::vector<AllocationApplication> applications = {application("a1", "a", 10, 0.1),
                                                           application("z1", "z", 10, 0.9),
                                                           application("x1", "x", 40, 0.9)};
  for (const bool redistribute : {false, true}) {
    const AllocationOutcome outcome = allocate_by_shares(100, shares, applications, redistribute);
    CHECK(awards_of(outcome) == std::vector<std::string>{"a1:10"});
    REQUIRE(outcome.groups.size() == 2);  // x is no group of the call
    const GroupAllocation& z = group_of(outcome, "z");
    CHECK(z.entitled_gpus == 0);
    CHECK(z.awarded_gpus == 0);
    CHECK(z.requested_gpus == 10);
    CHECK(z.applications == 1);
    CHECK(z.awarded_applications == 0);
    // x's 40 GPUs are not counted as requested; z's 10 are (z is named, with a share of 0).
    CHECK(outcome.requested_gpus == 20);
    CHECK(outcome.oversubscription == Approx(0.2));
  }
}

TEST_CASE("oversubscription is GPUs asked over GPUs offered, 0 for 0 of 0, infinite for x of 0") {
  const std::vector<GroupShare> shares = {{"a", 1}};
  const std::vector<AllocationApplication> asks = {application("a1", "a", 60, 0.5),
                                                   application("a2", "a", 40, 0.5)};
  CHECK(allocate_by_shares(40, shares, asks, false).oversubscription == Approx(2.5));
  CHECK(allocate_by_shares(200, shares, asks, false).oversubscription == Approx(0.5));
  CHECK(allocate_by_shares(0, shares, {}, false).oversubscription == 0);
  CHECK(allocate_by_shares(0, {}, {}, true).oversubscription == 0);
  const AllocationOutcome nothing_offered = allocate_by_shares(0, shares, asks, true);
  CHECK(std::isinf(nothing_offered.oversubscription));
  CHECK(nothing_offered.oversubscription > 0);
  CHECK(nothing_offered.awards.empty());
  CHECK(nothing_offered.groups[0].entitled_gpus == 0);
  CHECK(nothing_offered.requested_gpus == 100);
}

TEST_CASE("an outcome does not depend on the order of the applications or of the shares") {
  // Equal merits within a group, equal remainders between groups and a redistribution whose
  // split ties: every order must give the same outcome, bit for bit.
  std::vector<GroupShare> shares = {{"a", 0.5}, {"b", 0.25}, {"c", 0.25}};
  std::vector<AllocationApplication> applications = {
      application("a2", "a", 1, 0.5, 10), application("a1", "a", 1, 0.5, 20),
      application("b1", "b", 3, 0.7, 30), application("b2", "b", 4, 0.7, 40),
      application("c1", "c", 2, 0.2, 50), application("c2", "c", 3, 0.2, 60),
      application("x1", "x", 5, 0.9, 70)};
  std::sort(shares.begin(), shares.end(),
            [](const auto& l, const auto& r) { return l.group < r.group; });
  std::sort(applications.begin(), applications.end(),
            [](const auto& l, const auto& r) { return l.id < r.id; });
  for (const bool redistribute : {false, true}) {
    const std::string first = describe(allocate_by_shares(10, shares, applications, redistribute));
    int orders = 0;
    do {
      do {
        REQUIRE(describe(allocate_by_shares(10, shares, applications, redistribute)) == first);
        ++orders;
      } while (std::next_permutation(applications.begin(), applications.end(),
                                     [](const auto& l, const auto& r) { return l.id < r.id; }));
    } while (std::next_permutation(shares.begin(), shares.end(),
                                   [](const auto& l, const auto& r) { return l.group < r.group; }));
    CHECK(orders == 5040 * 6);
  }
  // The outcome itself, worked by hand: entitlements 5, 3, 2 (the tie to b); a asks for 2 and
  // leaves 3, 1.5 each for b and c: 2 to b (the tie again), 1 to c. b's second application and
  // c's second get what is left of their groups' GPUs.
  const AllocationOutcome outcome = allocate_by_shares(10, shares, applications, true);
  CHECK(awarded_by_group(outcome) == std::vector<std::int64_t>{2, 5, 3});
  CHECK(awards_of(outcome) ==
        std::vector<std::string>{"a1:1", "a2:1", "b1:3", "b2:2", "c1:2", "c2:1"});
  CHECK(outcome.awards[1].days == 10);  // a2's own duration
}

TEST_CASE("invalid inputs to an allocation call are refused") {
  const std::vector<GroupShare> shares = {{"a", 0.5}, {"b", 0.5}};
  const std::vector<AllocationApplication> fine = {application("a1", "a", 10, 0.5)};
  CHECK_NOTHROW(allocate_by_shares(10, shares, fine, true));
  CHECK_THROWS_AS(allocate_by_shares(-1, shares, fine, true), ModelError);
  CHECK_THROWS_AS(allocate_by_shares(10, {{"a", -0.1}}, fine, true), ModelError);
  CHECK_THROWS_AS(allocate_by_shares(10, {{"a", 1.1}}, fine, true), ModelError);
  CHECK_THROWS_AS(allocate_by_shares(10, {{"a", std::nan("")}}, fine, true), ModelError);
  CHECK_THROWS_AS(allocate_by_shares(10, {{"a", 0.6}, {"b", 0.6}}, fine, true), ModelError);
  CHECK_THROWS_AS(allocate_by_shares(10, {{"a", 0.3}, {"b", 0.2}, {"a", 0.1}}, fine, true),
                  ModelError);
  CHECK_THROWS_AS(
      allocate_by_shares(10, shares, {application("p", "a", 5, 0.5), application("p", "b", 5, 0.1)},
                         true),
      ModelError);
  CHECK_THROWS_AS(allocate_by_shares(10, shares, {application("a1", "a", 0, 0.5)}, true),
                  ModelError);
  CHECK_THROWS_AS(allocate_by_shares(10, shares, {application("a1", "a", -3, 0.5)}, true),
                  ModelError);
  // Applications of groups without a share are checked too.
  CHECK_THROWS_AS(allocate_by_shares(10, shares, {application("x1", "x", 0, 0.5)}, true),
                  ModelError);
}
