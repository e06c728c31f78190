// GPU supply: list prices, the generation buyers prefer, quarters, and the quarterly sharing of
// the vendor's GPUs among buyers, on cases worked by hand and on random cases checked against the
// rules (nothing above capacity or above a request, max-min fair, blind to the order of orders).
#include <catch2/catch.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "tenderlab/agents/gpu_supply.hpp"
#include "tenderlab/engine/input_error.hpp"

using namespace tenderlab;

namespace {

Date ymd(int year, unsigned month, unsigned day) {
  return Date::from_ymd(year, month, day);
}

/// Launch 0.1 bn KRW on 2023-01-01, falling 30 % a year, no floor.
GpuGeneration h100() {
  return {"h100", ymd(2023, 1, 1), 0.1, 0.3, 0.0, 1.0, 1.4, std::nullopt};
}

/// A vendor with two generations, one blocked from 2025-07-01; 10 GPUs a quarter, 8 per buyer.
VendorTerms terms() {
  GpuGeneration h200{"h200", ymd(2024, 1, 1), 0.15, 0.3, 0.0, 1.6, 1.7, std::nullopt};
  GpuGeneration b200{"b200", ymd(2025, 1, 1), 0.2, 0.25, 0.4, 2.5, 2.2, ymd(2025, 7, 1)};
  return {"vendor", {h100(), h200, b200}, 120, 10, 8};
}

std::int64_t confirmed(const std::vector<OrderConfirmation>& confirmations,
                       const std::string& buyer, const std::string& generation = "h100") {
  const auto it = std::find_if(
      confirmations.begin(), confirmations.end(),
      [&](const OrderConfirmation& c) { return c.buyer == buyer && c.generation == generation; });
  REQUIRE(it != confirmations.end());
  return it->confirmed;
}

std::int64_t total_confirmed(const std::vector<OrderConfirmation>& confirmations) {
  std::int64_t total = 0;
  for (const OrderConfirmation& c : confirmations)
    total += c.confirmed;
  return total;
}

}  // namespace

TEST_CASE("years are counted on the calendar, anniversaries exactly") {
  CHECK(years_between(ymd(2023, 1, 1), ymd(2024, 1, 1)) == 1.0);
  CHECK(years_between(ymd(2023, 1, 1), ymd(2025, 1, 1)) == 2.0);
  // 2024 is a leap year: 2 July is day 183 of 366.
  CHECK(years_between(ymd(2024, 1, 1), ymd(2024, 7, 2)) == 0.5);
  // 1 July 2023 to 1 January 2024: 184 days of the 366 to 1 July 2024.
  CHECK(years_between(ymd(2023, 7, 1), ymd(2024, 1, 1)) == Approx(184.0 / 366.0));
  // The anniversary of 29 February is the 28th in a common year.
  CHECK(years_between(ymd(2024, 2, 29), ymd(2025, 2, 28)) == 1.0);
  CHECK(years_between(ymd(2024, 2, 29), ymd(2028, 2, 29)) == 4.0);
  CHECK(years_between(ymd(2024, 5, 1), ymd(2024, 4, 1)) == 0.0);
}

TEST_CASE("the list price falls by the yearly decline, compounding within the year, to a floor") {
  GpuGeneration g = h100();
  CHECK(list_price_bn_krw(g, ymd(2023, 1, 1)) == Approx(0.1));
  CHECK(list_price_bn_krw(g, ymd(2024, 1, 1)) == Approx(0.07));   // 0.1 × 0.7
  CHECK(list_price_bn_krw(g, ymd(2025, 1, 1)) == Approx(0.049));  // 0.1 × 0.7²
  // Halfway through 2024 (a leap year): 0.07 × √0.7.
  CHECK(list_price_bn_krw(g, ymd(2024, 7, 2)) == Approx(0.07 * 0.8366600265));
  // Before it is available the price is the launch price.
  CHECK(list_price_bn_krw(g, ymd(2022, 6, 1)) == Approx(0.1));

  g.price_floor_share = 0.5;
  CHECK(list_price_bn_krw(g, ymd(2024, 1, 1)) == Approx(0.07));  // above the floor
  CHECK(list_price_bn_krw(g, ymd(2025, 1, 1)) == Approx(0.05));  // 0.049 floored at 0.05
  CHECK(list_price_bn_krw(g, ymd(2035, 1, 1)) == Approx(0.05));
  g.price_decline = 0;
  CHECK(list_price_bn_krw(g, ymd(2030, 1, 1)) == Approx(0.1));
}

TEST_CASE("a generation can be ordered from its availability until it is blocked") {
  GpuGeneration g = h100();
  CHECK_FALSE(orderable(g, ymd(2022, 12, 31)));
  CHECK(orderable(g, ymd(2023, 1, 1)));
  CHECK(orderable(g, ymd(2030, 1, 1)));
  g.blocked_from = ymd(2025, 7, 1);
  CHECK(orderable(g, ymd(2025, 6, 30)));
  CHECK_FALSE(orderable(g, ymd(2025, 7, 1)));
  CHECK_FALSE(orderable(g, ymd(2026, 1, 1)));
  // Blocked before it was ever available: never orderable.
  g.blocked_from = ymd(2022, 1, 1);
  CHECK_FALSE(orderable(g, ymd(2023, 6, 1)));
}

TEST_CASE("buyers prefer the lowest list price per unit of performance") {
  const GpuVendor vendor(terms());
  CHECK(vendor.preferred_generation(ymd(2022, 12, 31)) == nullptr);
  CHECK(vendor.preferred_generation(ymd(2023, 6, 1))->id == "h100");
  // On 2025-01-01: h100 0.049 / 1 = 0.049; h200 0.105 / 1.6 = 0.065625; b200 0.2 / 2.5 = 0.08.
  // The oldest wins.
  CHECK(price_per_performance_bn_krw(vendor.generation("h200"), ymd(2025, 1, 1)) ==
        Approx(0.065625));
  CHECK(vendor.preferred_generation(ymd(2025, 1, 1))->id == "h100");

  // A b200 launched at 0.12 for 2.5 × the throughput: 0.048 per unit, below the h100's 0.049.
  VendorTerms cheaper = terms();
  cheaper.generations[2].launch_price_bn_krw = 0.12;
  const GpuVendor newer_wins(cheaper);
  CHECK(price_per_performance_bn_krw(newer_wins.generation("b200"), ymd(2025, 1, 1)) ==
        Approx(0.048));
  CHECK(newer_wins.preferred_generation(ymd(2025, 1, 1))->id == "b200");
  // Once the b200 is blocked, the h100 again (0.1 × 0.7^2.5 = 0.041 on 2025-07-01).
  CHECK(newer_wins.preferred_generation(ymd(2025, 7, 1))->id == "h100");
}

TEST_CASE("a tie in price per performance goes to the newer generation, then the smaller id") {
  GpuGeneration old_one{"zeta", ymd(2023, 1, 1), 0.1, 0.0, 0.0, 1.0, 1.0, std::nullopt};
  GpuGeneration new_one{"omega", ymd(2024, 1, 1), 0.2, 0.0, 0.0, 2.0, 1.0, std::nullopt};
  GpuGeneration twin{"alpha", ymd(2024, 1, 1), 0.3, 0.0, 0.0, 3.0, 1.0, std::nullopt};
  const GpuVendor two({"v", {old_one, new_one}, 0, 1, 1});
  CHECK(two.preferred_generation(ymd(2024, 6, 1))->id == "omega");
  const GpuVendor reversed({"v", {new_one, old_one}, 0, 1, 1});
  CHECK(reversed.preferred_generation(ymd(2024, 6, 1))->id == "omega");
  const GpuVendor three({"v", {old_one, new_one, twin}, 0, 1, 1});
  CHECK(three.preferred_generation(ymd(2024, 6, 1))->id == "alpha");
}

TEST_CASE("quarters are numbered from the year and cross year boundaries") {
  CHECK(quarter_of(ymd(2025, 1, 1)) == 8100);
  CHECK(quarter_of(ymd(2025, 3, 31)) == 8100);
  CHECK(quarter_of(ymd(2025, 4, 1)) == 8101);
  CHECK(quarter_of(ymd(2025, 12, 31)) == 8103);
  CHECK(quarter_of(ymd(2024, 12, 31)) == 8099);
  CHECK(quarter_start(8100) == ymd(2025, 1, 1));
  CHECK(quarter_start(8099) == ymd(2024, 10, 1));
  CHECK(quarter_start(8103) == ymd(2025, 10, 1));
  CHECK(quarter_start(8104) == ymd(2026, 1, 1));
  CHECK(quarter_start(quarter_of(ymd(2024, 8, 15)) + 1) == ymd(2024, 10, 1));
}

TEST_CASE("a supply shock multiplies the quarterly capacity, to the nearest GPU") {
  const GpuVendor vendor(terms());
  CHECK(vendor.capacity(1) == 10);
  CHECK(vendor.capacity(0.5) == 5);
  CHECK(vendor.capacity(0.25) == 3);  // 2.5, halves up
  CHECK(vendor.capacity(1.5) == 15);
  CHECK(vendor.capacity(0) == 0);
  VendorTerms hundred = terms();
  hundred.quarterly_capacity = 100;
  CHECK(GpuVendor(hundred).capacity(0.29) == 29);  // 28.999... in floating point
  CHECK_THROWS_WITH(vendor.capacity(-0.1), Catch::Contains("capacity multiplier"));
  CHECK_THROWS_AS(vendor.capacity(std::nan("")), ModelError);
}

TEST_CASE("undersubscribed, every buyer gets what it asked for, up to the buyer cap") {
  VendorTerms ample = terms();
  ample.quarterly_capacity = 100;
  const GpuVendor vendor(ample);
  const auto result = vendor.confirm_orders(
      {{"c", "h100", 9}, {"a", "h100", 2}, {"b", "h100", 5}, {"d", "h100", 0}}, ymd(2025, 2, 1), 1);
  REQUIRE(result.size() == 4);
  CHECK(result[0].buyer == "a");  // sorted by buyer
  CHECK(confirmed(result, "a") == 2);
  CHECK(confirmed(result, "b") == 5);
  CHECK(confirmed(result, "c") == 8);  // the buyer cap
  CHECK(result[2].requested == 9);
  CHECK(confirmed(result, "d") == 0);
}

TEST_CASE("oversubscribed, capacity is shared max-min fair among buyers") {
  const GpuVendor vendor(terms());
  // Capacity 10; claims 2, 5 and min(9, 8): 2 is below a third of 10 and is met; 5 and 8 share
  // the 8 left at 4 each.
  const std::vector<GpuOrder> orders = {{"a", "h100", 2}, {"b", "h100", 5}, {"c", "h100", 9}};
  const auto result = vendor.confirm_orders(orders, ymd(2025, 2, 1), 1);
  CHECK(confirmed(result, "a") == 2);
  CHECK(confirmed(result, "b") == 4);
  CHECK(confirmed(result, "c") == 4);
  CHECK(total_confirmed(result) == 10);

  // A supply shock halves the capacity to 5: level 5 / 3 = 1, met for none; 2 GPUs are left
  // over, in quarter 8100 (8100 mod 3 = 0) to the first two ids.
  const auto shocked = vendor.confirm_orders(orders, ymd(2025, 2, 1), 0.5);
  CHECK(confirmed(shocked, "a") == 2);
  CHECK(confirmed(shocked, "b") == 2);
  CHECK(confirmed(shocked, "c") == 1);
  CHECK(total_confirmed(shocked) == 5);

  // No capacity at all: nothing for anyone.
  CHECK(total_confirmed(vendor.confirm_orders(orders, ymd(2025, 2, 1), 0)) == 0);
}

TEST_CASE("GPUs left below the next whole level rotate among the short buyers by quarter") {
  VendorTerms eleven = terms();
  eleven.quarterly_capacity = 11;
  const GpuVendor vendor(eleven);
  const std::vector<GpuOrder> orders = {{"a", "h100", 2}, {"b", "h100", 5}, {"c", "h100", 9}};
  // 2 to a, then 9 for b and c: 4 each and one left, to b in even quarters and c in odd ones.
  const auto q8100 = vendor.confirm_orders(orders, ymd(2025, 2, 1), 1);
  CHECK(confirmed(q8100, "b") == 5);
  CHECK(confirmed(q8100, "c") == 4);
  const auto q8101 = vendor.confirm_orders(orders, ymd(2025, 5, 1), 1);
  CHECK(confirmed(q8101, "b") == 4);
  CHECK(confirmed(q8101, "c") == 5);
  CHECK(confirmed(q8101, "a") == 2);

  // Three buyers asking 8 each from 5: level 1 and 2 left over, to two of them starting at
  // position quarter mod 3; over three quarters each gets 2 + 2 + 1.
  const GpuVendor five({"v", {h100()}, 0, 5, 8});
  const std::vector<GpuOrder> equal = {{"x", "h100", 8}, {"y", "h100", 8}, {"z", "h100", 8}};
  const auto first = five.confirm_orders(equal, quarter_start(8100), 1);  // 8100 mod 3 = 0
  CHECK(confirmed(first, "x") == 2);
  CHECK(confirmed(first, "y") == 2);
  CHECK(confirmed(first, "z") == 1);
  const auto second = five.confirm_orders(equal, quarter_start(8101), 1);
  CHECK(confirmed(second, "x") == 1);
  CHECK(confirmed(second, "y") == 2);
  CHECK(confirmed(second, "z") == 2);
  const auto third = five.confirm_orders(equal, quarter_start(8102), 1);
  CHECK(confirmed(third, "x") == 2);
  CHECK(confirmed(third, "y") == 1);
  CHECK(confirmed(third, "z") == 2);
}

TEST_CASE("a buyer's GPUs are split among its generations in proportion to its orders") {
  VendorTerms ample = terms();
  ample.quarterly_capacity = 100;
  // x asks 6 h100 and 3 h200, capped at 8: quotas 5.33 and 2.67, the spare GPU to the h200.
  const std::vector<GpuOrder> orders = {{"x", "h100", 6}, {"x", "h200", 3}};
  const auto capped = GpuVendor(ample).confirm_orders(orders, ymd(2025, 2, 1), 1);
  CHECK(confirmed(capped, "x", "h100") == 5);
  CHECK(confirmed(capped, "x", "h200") == 3);
  // With 4 for x (y claims 8 too, 8 GPUs in all): quotas 2.67 and 1.33, the spare to the h100.
  ample.quarterly_capacity = 8;
  const auto shared = GpuVendor(ample).confirm_orders(
      {{"x", "h100", 6}, {"x", "h200", 3}, {"y", "h200", 8}}, ymd(2025, 2, 1), 1);
  CHECK(confirmed(shared, "x", "h100") == 3);
  CHECK(confirmed(shared, "x", "h200") == 1);
  CHECK(confirmed(shared, "y", "h200") == 4);
}

TEST_CASE("orders for a generation that cannot be ordered are confirmed 0 and take no capacity") {
  VendorTerms twelve = terms();
  twelve.quarterly_capacity = 12;
  twelve.buyer_cap_per_quarter = 10;
  const GpuVendor vendor(twelve);
  const std::vector<GpuOrder> orders = {{"a", "h100", 5}, {"a", "b200", 5}, {"b", "h100", 10}};
  // Before the export control a claims 10 and b 10: 6 each.
  const auto open = vendor.confirm_orders(orders, ymd(2025, 5, 1), 1);
  CHECK(confirmed(open, "a", "h100") + confirmed(open, "a", "b200") == 6);
  CHECK(confirmed(open, "b") == 6);
  // After it a claims only its 5 h100 and gets them; b takes the other 7.
  const auto blocked = vendor.confirm_orders(orders, ymd(2025, 8, 1), 1);
  CHECK(confirmed(blocked, "a", "b200") == 0);
  CHECK(confirmed(blocked, "a", "h100") == 5);
  CHECK(confirmed(blocked, "b") == 7);
  // Before the b200 is available it cannot be ordered either.
  CHECK(confirmed(vendor.confirm_orders(orders, ymd(2024, 11, 1), 1), "a", "b200") == 0);
}

TEST_CASE("orders of one buyer for one generation are merged") {
  const GpuVendor vendor(terms());
  const auto result = vendor.confirm_orders({{"a", "h100", 3}, {"b", "h100", 1}, {"a", "h100", 4}},
                                            ymd(2025, 2, 1), 1);
  REQUIRE(result.size() == 2);
  CHECK(result[0].requested == 7);
  CHECK(result[0].confirmed == 7);
  CHECK(result[1].confirmed == 1);
}

TEST_CASE("the confirmations do not depend on the order of the orders") {
  const GpuVendor vendor(terms());
  std::vector<GpuOrder> orders = {
      {"telco", "h100", 6}, {"cloud", "h200", 7}, {"state", "h100", 3}, {"cloud", "h100", 4}};
  auto by_fields = [](const GpuOrder& a, const GpuOrder& b) {
    return std::tie(a.buyer, a.generation, a.gpus) < std::tie(b.buyer, b.generation, b.gpus);
  };
  std::sort(orders.begin(), orders.end(), by_fields);
  for (double multiplier : {1.0, 0.5, 0.7}) {
    const auto reference = vendor.confirm_orders(orders, ymd(2025, 2, 1), multiplier);
    int permutations = 0;
    std::vector<GpuOrder> permuted = orders;
    do {
      CHECK(vendor.confirm_orders(permuted, ymd(2025, 2, 1), multiplier) == reference);
      ++permutations;
    } while (std::next_permutation(permuted.begin(), permuted.end(), by_fields));
    CHECK(permutations == 24);
  }

  // Larger sets, with repeated (buyer, generation) pairs, under random shuffles.
  VendorTerms big = terms();
  big.quarterly_capacity = 97;
  big.buyer_cap_per_quarter = 30;
  const GpuVendor market(big);
  std::mt19937 random(20250101);
  const std::vector<std::string> buyers = {"a", "b", "c", "d", "e", "f"};
  const std::vector<std::string> generations = {"h100", "h200", "b200"};
  std::uniform_int_distribution<std::size_t> pick_buyer(0, buyers.size() - 1);
  std::uniform_int_distribution<std::size_t> pick_generation(0, generations.size() - 1);
  std::uniform_int_distribution<std::int64_t> pick_gpus(0, 25);
  std::vector<GpuOrder> many;
  for (int i = 0; i < 14; ++i)
    many.push_back(
        {buyers[pick_buyer(random)], generations[pick_generation(random)], pick_gpus(random)});
  const auto reference = market.confirm_orders(many, ymd(2025, 3, 1), 1);
  for (int shuffle = 0; shuffle < 200; ++shuffle) {
    std::shuffle(many.begin(), many.end(), random);
    CHECK(market.confirm_orders(many, ymd(2025, 3, 1), 1) == reference);
  }
}

TEST_CASE("random markets: within capacity and requests, work-conserving, max-min fair") {
  std::mt19937 random(7);
  std::uniform_int_distribution<std::int64_t> pick_capacity(0, 120);
  std::uniform_int_distribution<std::int64_t> pick_cap(0, 40);
  std::uniform_int_distribution<std::int64_t> pick_gpus(0, 30);
  std::uniform_int_distribution<int> pick_count(1, 12);
  std::uniform_int_distribution<int> pick_buyer(0, 5);
  std::uniform_int_distribution<int> pick_generation(0, 2);
  std::uniform_int_distribution<int> pick_month(1, 12);
  const std::vector<std::string> generations = {"h100", "h200", "b200"};
  for (int trial = 0; trial < 300; ++trial) {
    VendorTerms t = terms();
    t.quarterly_capacity = pick_capacity(random);
    t.buyer_cap_per_quarter = pick_cap(random);
    const GpuVendor vendor(t);
    const Date decided = ymd(2025, static_cast<unsigned>(pick_month(random)), 10);
    std::vector<GpuOrder> orders;
    const int count = pick_count(random);
    for (int i = 0; i < count; ++i)
      orders.push_back({"buyer" + std::to_string(pick_buyer(random)),
                        generations[static_cast<std::size_t>(pick_generation(random))],
                        pick_gpus(random)});
    const double multiplier = trial % 3 == 0 ? 0.5 : 1.0;
    const auto result = vendor.confirm_orders(orders, decided, multiplier);

    std::map<std::string, std::int64_t> claim, got;
    for (const OrderConfirmation& c : result) {
      CHECK(c.confirmed >= 0);
      CHECK(c.confirmed <= c.requested);
      if (orderable(vendor.generation(c.generation), decided))
        claim[c.buyer] += c.requested;
      else
        CHECK(c.confirmed == 0);
      got[c.buyer] += c.confirmed;
    }
    std::int64_t claimed = 0;
    for (auto& [buyer, gpus] : claim) {
      gpus = std::min(gpus, t.buyer_cap_per_quarter);
      claimed += gpus;
    }
    const std::int64_t capacity = vendor.capacity(multiplier);
    CHECK(total_confirmed(result) == std::min(capacity, claimed));
    for (const auto& [buyer, gpus] : got) {
      CHECK(gpus <= claim[buyer]);
      // A buyer left short has no less than any other buyer's share, less one leftover GPU.
      if (gpus < claim[buyer])
        for (const auto& [other, other_gpus] : got)
          CHECK(other_gpus <= gpus + 1);
    }
  }
}

TEST_CASE("max-min fair shares and proportional splits in whole units") {
  CHECK(share_max_min_fair({}, 10, 0).empty());
  CHECK(share_max_min_fair({2, 5, 8}, 10, 0) == std::vector<std::int64_t>{2, 4, 4});
  CHECK(share_max_min_fair({2, 5, 8}, 100, 3) == std::vector<std::int64_t>{2, 5, 8});
  CHECK(share_max_min_fair({8, 2, 5}, 11, 0) == std::vector<std::int64_t>{5, 2, 4});
  CHECK(share_max_min_fair({8, 2, 5}, 11, 1) == std::vector<std::int64_t>{4, 2, 5});
  CHECK(share_max_min_fair({8, 2, 5}, 11, -1) == std::vector<std::int64_t>{4, 2, 5});
  // Leftovers start at position rotation mod (claims still short) and wrap around.
  CHECK(share_max_min_fair({3, 3, 3, 3}, 6, 2) == std::vector<std::int64_t>{1, 1, 2, 2});
  CHECK(share_max_min_fair({3, 3, 3, 3}, 7, 3) == std::vector<std::int64_t>{2, 2, 1, 2});
  // Only the short claims take part: 1 is met, and the 2 left over after level 2 for the rest
  // start at the second of them (index 2).
  CHECK(share_max_min_fair({6, 1, 6, 6}, 9, 1) == std::vector<std::int64_t>{2, 1, 3, 3});
  CHECK(share_max_min_fair({0, 4}, 0, 0) == std::vector<std::int64_t>{0, 0});
  CHECK_THROWS_AS(share_max_min_fair({-1}, 5, 0), ModelError);

  CHECK(split_proportionally(8, {6, 3}) == std::vector<std::int64_t>{5, 3});
  CHECK(split_proportionally(4, {6, 3}) == std::vector<std::int64_t>{3, 1});
  CHECK(split_proportionally(3, {1, 1, 1, 1}) == std::vector<std::int64_t>{1, 1, 1, 0});
  CHECK(split_proportionally(0, {0, 0}) == std::vector<std::int64_t>{0, 0});
  CHECK(split_proportionally(5, {0, 5}) == std::vector<std::int64_t>{0, 5});
  CHECK_THROWS_AS(split_proportionally(7, {3, 3}), ModelError);
}

TEST_CASE("GPUs are delivered a lead time after confirmation") {
  const GpuVendor vendor(terms());
  CHECK(vendor.delivery_date(ymd(2025, 1, 1)) == ymd(2025, 5, 1));  // 31 + 28 + 31 + 30 days
  VendorTerms immediate = terms();
  immediate.lead_time_days = 0;
  CHECK(GpuVendor(immediate).delivery_date(ymd(2025, 1, 1)) == ymd(2025, 1, 1));
}

TEST_CASE("ill-formed vendor terms and orders are rejected by name") {
  auto with = [](auto change) {
    VendorTerms t = terms();
    change(t);
    return t;
  };
  CHECK_THROWS_WITH(GpuVendor(with([](VendorTerms& t) { t.vendor.clear(); })),
                    Catch::Contains("without a vendor id"));
  CHECK_THROWS_WITH(GpuVendor(with([](VendorTerms& t) { t.generations[1].id = "h100"; })),
                    Catch::Contains("\"h100\" appears twice"));
  CHECK_THROWS_WITH(GpuVendor(with([](VendorTerms& t) { t.generations[0].id.clear(); })),
                    Catch::Contains("without an id"));
  CHECK_THROWS_WITH(
      GpuVendor(with([](VendorTerms& t) { t.generations[0].launch_price_bn_krw = -0.1; })),
      Catch::Contains("launch price of generation \"h100\""));
  CHECK_THROWS_WITH(
      GpuVendor(with([](VendorTerms& t) { t.generations[0].launch_price_bn_krw = INFINITY; })),
      Catch::Contains("positive and finite"));
  CHECK_THROWS_WITH(GpuVendor(with([](VendorTerms& t) { t.generations[0].price_decline = 1; })),
                    Catch::Contains("price decline"));
  CHECK_THROWS_WITH(GpuVendor(with([](VendorTerms& t) { t.generations[0].price_decline = -0.1; })),
                    Catch::Contains("[0, 1)"));
  CHECK_THROWS_WITH(
      GpuVendor(with([](VendorTerms& t) { t.generations[0].price_floor_share = 1.5; })),
      Catch::Contains("floor share"));
  CHECK_THROWS_WITH(GpuVendor(with([](VendorTerms& t) { t.generations[1].performance = 0; })),
                    Catch::Contains("performance of generation \"h200\""));
  CHECK_THROWS_WITH(GpuVendor(with([](VendorTerms& t) { t.generations[2].kw_per_gpu = -1; })),
                    Catch::Contains("power per GPU of generation \"b200\""));
  CHECK_THROWS_WITH(GpuVendor(with([](VendorTerms& t) { t.lead_time_days = -1; })),
                    Catch::Contains("negative lead time"));
  CHECK_THROWS_WITH(GpuVendor(with([](VendorTerms& t) { t.quarterly_capacity = -5; })),
                    Catch::Contains("negative quarterly capacity"));
  CHECK_THROWS_WITH(GpuVendor(with([](VendorTerms& t) { t.buyer_cap_per_quarter = -1; })),
                    Catch::Contains("negative buyer cap"));
  // A floor share of 1 (no decline at all) and 0 are both allowed.
  CHECK_NOTHROW(GpuVendor(with([](VendorTerms& t) { t.generations[0].price_floor_share = 1; })));

  const GpuVendor vendor(terms());
  CHECK_THROWS_WITH(vendor.generation("a100"), Catch::Contains("no generation \"a100\""));
  CHECK_THROWS_WITH(vendor.confirm_orders({{"a", "a100", 1}}, ymd(2025, 1, 1), 1),
                    Catch::Contains("no generation \"a100\""));
  CHECK_THROWS_WITH(vendor.confirm_orders({{"a", "h100", -1}}, ymd(2025, 1, 1), 1),
                    Catch::Contains("orders -1 GPUs"));
  CHECK_THROWS_WITH(vendor.confirm_orders({{"", "h100", 1}}, ymd(2025, 1, 1), 1),
                    Catch::Contains("without a buyer"));
  const std::int64_t half_limit = std::int64_t{1} << 30;
  CHECK_THROWS_WITH(
      vendor.confirm_orders({{"a", "h100", half_limit}, {"a", "h200", half_limit + 1}},
                            ymd(2025, 1, 1), 1),
      Catch::Contains("in all"));
  CHECK_THROWS_WITH(vendor.confirm_orders({{"a", "h100", 1}}, ymd(2025, 1, 1), -1),
                    Catch::Contains("capacity multiplier"));
}
