#include "tenderlab/agents/gpu_supply.hpp"

#include <algorithm>
#include <cmath>
#include <cstddef>
#include <limits>
#include <numeric>
#include <utility>

#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

namespace {

// The proportional split multiplies two GPU counts exactly in 64-bit integers; bounding what one
// buyer may ask for keeps that product below 2^62. Real orders are many orders of magnitude
// smaller, so the bound only ever catches a corrupted number.
constexpr std::int64_t max_gpus_per_buyer = std::int64_t{1} << 31;

[[noreturn]] void fail(const std::string& vendor, const std::string& what) {
  throw ModelError("gpu supply (" + vendor + "): " + what);
}

void check_positive(const std::string& vendor, double value, const std::string& what) {
  if (!std::isfinite(value) || value <= 0)
    fail(vendor, what + " must be positive and finite, found " + std::to_string(value));
}

// A generation available on 29 February has its anniversary on the 28th in common years, so that
// every year after it has one, and the price of 28 February is a whole number of years' decline.
Date anniversary(Date from, int years_later) {
  const int year = from.year() + years_later;
  unsigned day = from.day();
  const bool common_year = Date::from_ymd(year, 3, 1).days - Date::from_ymd(year, 2, 1).days == 28;
  if (from.month() == 2 && day == 29 && common_year) day = 28;
  return Date::from_ymd(year, from.month(), day);
}

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

}  // namespace

double years_between(Date from, Date to) {
  if (to <= from) return 0;
  int whole = to.year() - from.year();
  if (anniversary(from, whole) > to) --whole;
  const Date start = anniversary(from, whole);
  const Date next = anniversary(from, whole + 1);
  // Counting in calendar years makes "one year after" the anniversary itself, leap year or not,
  // and the share of the current year keeps the price falling day by day, not in yearly steps.
  return whole +
         static_cast<double>(to.days - start.days) / static_cast<double>(next.days - start.days);
}

double list_price_bn_krw(const GpuGeneration& generation, Date date) {
  const double years = years_between(generation.available, date);
  const double declined =
      generation.launch_price_bn_krw * std::pow(1 - generation.price_decline, years);
  return std::max(declined, generation.price_floor_share * generation.launch_price_bn_krw);
}

double price_per_performance_bn_krw(const GpuGeneration& generation, Date date) {
  return list_price_bn_krw(generation, date) / generation.performance;
}

bool orderable(const GpuGeneration& generation, Date date) {
  return date >= generation.available &&
         (!generation.blocked_from || date < *generation.blocked_from);
}

std::int64_t quarter_of(Date date) {
  return std::int64_t{date.year()} * 4 + static_cast<std::int64_t>((date.month() - 1) / 3);
}

Date quarter_start(std::int64_t quarter) {
  const std::int64_t year = floor_div(quarter, 4);
  const auto first_month = static_cast<unsigned>((quarter - year * 4) * 3 + 1);
  return Date::from_ymd(static_cast<int>(year), first_month, 1);
}

GpuVendor::GpuVendor(VendorTerms terms) : terms_(std::move(terms)) {
  const std::string& vendor = terms_.vendor;
  if (vendor.empty()) throw ModelError("gpu supply: vendor terms without a vendor id");
  for (std::size_t i = 0; i < terms_.generations.size(); ++i) {
    const GpuGeneration& g = terms_.generations[i];
    if (g.id.empty()) fail(vendor, "a generation without an id");
    if (!index_.emplace(g.id, i).second) fail(vendor, "generation \"" + g.id + "\" appears twice");
    const std::string of = " of generation \"" + g.id + "\"";
    check_positive(vendor, g.launch_price_bn_krw, "the launch price" + of);
    if (!(g.price_decline >= 0 && g.price_decline < 1))
      fail(vendor, "the price decline" + of + " must be in [0, 1), found " +
                       std::to_string(g.price_decline));
    if (!(g.price_floor_share >= 0 && g.price_floor_share <= 1))
      fail(vendor, "the price floor share" + of + " must be in [0, 1], found " +
                       std::to_string(g.price_floor_share));
    check_positive(vendor, g.performance, "the performance" + of);
    check_positive(vendor, g.kw_per_gpu, "the power per GPU" + of);
  }
  if (terms_.lead_time_days < 0)
    fail(vendor, "negative lead time " + std::to_string(terms_.lead_time_days) + " days");
  if (terms_.quarterly_capacity < 0)
    fail(vendor, "negative quarterly capacity " + std::to_string(terms_.quarterly_capacity));
  if (terms_.buyer_cap_per_quarter < 0)
    fail(vendor, "negative buyer cap " + std::to_string(terms_.buyer_cap_per_quarter));
}

const GpuGeneration& GpuVendor::generation(std::string_view id) const {
  const auto it = index_.find(id);
  if (it == index_.end()) fail(terms_.vendor, "no generation \"" + std::string(id) + "\"");
  return terms_.generations[it->second];
}

const GpuGeneration* GpuVendor::preferred_generation(Date date) const {
  const GpuGeneration* best = nullptr;
  double best_cost = 0;
  for (const GpuGeneration& g : terms_.generations) {
    if (!orderable(g, date)) continue;
    const double cost = price_per_performance_bn_krw(g, date);
    // Ties are decided by the generations' own data, never by where they are listed.
    const bool better =
        best == nullptr || cost < best_cost ||
        (cost == best_cost &&
         (g.available > best->available || (g.available == best->available && g.id < best->id)));
    if (better) {
      best = &g;
      best_cost = cost;
    }
  }
  return best;
}

std::int64_t GpuVendor::capacity(double capacity_multiplier) const {
  if (!std::isfinite(capacity_multiplier) || capacity_multiplier < 0)
    fail(terms_.vendor, "the capacity multiplier must be finite and non-negative, found " +
                            std::to_string(capacity_multiplier));
  // To the nearest GPU rather than down: a product such as 100 × 0.29 comes out a hair below 29
  // in floating point, and rounding down would lose a GPU to the representation.
  const double scaled =
      std::round(static_cast<double>(terms_.quarterly_capacity) * capacity_multiplier);
  if (scaled >= static_cast<double>(std::numeric_limits<std::int64_t>::max()))
    fail(terms_.vendor, "the capacity multiplier " + std::to_string(capacity_multiplier) +
                            " takes the capacity beyond what can be counted");
  return static_cast<std::int64_t>(scaled);
}

std::vector<OrderConfirmation> GpuVendor::confirm_orders(const std::vector<GpuOrder>& orders,
                                                         Date decided,
                                                         double capacity_multiplier) const {
  const std::int64_t shipped = capacity(capacity_multiplier);
  // Merged and sorted by (buyer, generation): from here on nothing can see the input order.
  std::map<std::pair<std::string, std::string>, std::int64_t> requested;
  for (const GpuOrder& order : orders) {
    if (order.buyer.empty()) fail(terms_.vendor, "an order without a buyer");
    generation(order.generation);
    if (order.gpus < 0 || order.gpus > max_gpus_per_buyer)
      fail(terms_.vendor, "buyer \"" + order.buyer + "\" orders " + std::to_string(order.gpus) +
                              " GPUs of \"" + order.generation + "\"; an order is between 0 and " +
                              std::to_string(max_gpus_per_buyer));
    requested[{order.buyer, order.generation}] += order.gpus;
  }

  std::vector<OrderConfirmation> confirmations;
  std::vector<bool> shippable;
  for (const auto& [key, gpus] : requested) {
    confirmations.push_back({key.first, key.second, gpus, 0});
    shippable.push_back(orderable(generation(key.second), decided));
  }

  // Buyers in id order, each with the range of its confirmations and what it may claim.
  struct Buyer {
    std::size_t first = 0, end = 0;
    std::int64_t claim = 0;
  };
  std::vector<Buyer> buyers;
  for (std::size_t i = 0; i < confirmations.size(); ++i) {
    if (buyers.empty() || confirmations[i].buyer != confirmations[buyers.back().first].buyer)
      buyers.push_back({i, i, 0});
    buyers.back().end = i + 1;
  }
  std::vector<std::int64_t> claims;
  for (Buyer& buyer : buyers) {
    std::int64_t asked = 0;
    for (std::size_t i = buyer.first; i < buyer.end; ++i)
      if (shippable[i]) asked += confirmations[i].requested;
    if (asked > max_gpus_per_buyer)
      fail(terms_.vendor, "buyer \"" + confirmations[buyer.first].buyer + "\" orders " +
                              std::to_string(asked) + " GPUs in all, more than " +
                              std::to_string(max_gpus_per_buyer));
    buyer.claim = std::min(asked, terms_.buyer_cap_per_quarter);
    claims.push_back(buyer.claim);
  }

  const std::vector<std::int64_t> granted =
      share_max_min_fair(claims, shipped, quarter_of(decided));
  for (std::size_t b = 0; b < buyers.size(); ++b) {
    std::vector<std::int64_t> weights;
    for (std::size_t i = buyers[b].first; i < buyers[b].end; ++i)
      weights.push_back(shippable[i] ? confirmations[i].requested : 0);
    const std::vector<std::int64_t> split = split_proportionally(granted[b], weights);
    for (std::size_t i = buyers[b].first; i < buyers[b].end; ++i)
      confirmations[i].confirmed = split[i - buyers[b].first];
  }
  return confirmations;
}

std::vector<std::int64_t> share_max_min_fair(const std::vector<std::int64_t>& claims,
                                             std::int64_t capacity, std::int64_t rotation) {
  if (capacity < 0) throw ModelError("max-min fair share: negative capacity");
  for (std::int64_t claim : claims)
    if (claim < 0) throw ModelError("max-min fair share: negative claim");
  const std::size_t count = claims.size();
  std::vector<std::int64_t> shares(count, 0);
  std::vector<std::size_t> by_claim(count);
  std::iota(by_claim.begin(), by_claim.end(), std::size_t{0});
  std::stable_sort(by_claim.begin(), by_claim.end(),
                   [&](std::size_t a, std::size_t b) { return claims[a] < claims[b]; });
  // Smallest claims first: a claim no larger than an equal share of what is left is met in full,
  // and meeting it leaves the others at least as much each, so it stays met. The first claim
  // above the equal share stops the loop; it and every larger claim get the level.
  std::int64_t left = capacity;
  std::size_t served = 0;
  for (; served < count; ++served) {
    const std::size_t i = by_claim[served];
    const auto still_open = static_cast<std::int64_t>(count - served);
    if (claims[i] > left / still_open) break;
    shares[i] = claims[i];
    left -= claims[i];
  }
  if (served == count) return shares;
  const auto short_count = static_cast<std::int64_t>(count - served);
  const std::int64_t level = left / short_count;
  std::int64_t extra = left % short_count;
  // Every claim still short is above the level, so each can take one GPU more. The extras go in
  // index order, starting at a position that moves with `rotation` (the quarter), so that over
  // consecutive quarters each short claimant gets as many as the others.
  std::vector<std::size_t> short_claims(by_claim.begin() + static_cast<std::ptrdiff_t>(served),
                                        by_claim.end());
  std::sort(short_claims.begin(), short_claims.end());
  const std::int64_t start = ((rotation % short_count) + short_count) % short_count;
  for (std::int64_t k = 0; k < short_count; ++k) {
    const std::size_t i = short_claims[static_cast<std::size_t>((start + k) % short_count)];
    shares[i] = level;
    if (extra > 0) {
      ++shares[i];
      --extra;
    }
  }
  return shares;
}

std::vector<std::int64_t> split_proportionally(std::int64_t total,
                                               const std::vector<std::int64_t>& weights) {
  std::int64_t weight_sum = 0;
  for (std::int64_t w : weights) {
    if (w < 0) throw ModelError("proportional split: negative weight");
    weight_sum += w;
    if (weight_sum > max_gpus_per_buyer)
      throw ModelError("proportional split: weights above " + std::to_string(max_gpus_per_buyer));
  }
  if (total < 0 || total > weight_sum)
    throw ModelError("proportional split: " + std::to_string(total) +
                     " units do not fit weights summing to " + std::to_string(weight_sum));
  std::vector<std::int64_t> parts(weights.size(), 0);
  if (total == 0) return parts;
  // Exact quotas total × w / sum as integer quotient and remainder: both are below 2^62.
  std::vector<std::int64_t> remainders(weights.size(), 0);
  std::int64_t given = 0;
  for (std::size_t i = 0; i < weights.size(); ++i) {
    parts[i] = total * weights[i] / weight_sum;
    remainders[i] = total * weights[i] % weight_sum;
    given += parts[i];
  }
  std::vector<std::size_t> by_remainder(weights.size());
  std::iota(by_remainder.begin(), by_remainder.end(), std::size_t{0});
  std::stable_sort(by_remainder.begin(), by_remainder.end(),
                   [&](std::size_t a, std::size_t b) { return remainders[a] > remainders[b]; });
  // Fewer units are left than there are weights with a remainder, so none gets more than its
  // quota rounded up and none more than its weight.
  for (std::size_t k = 0; given < total; ++k, ++given)
    ++parts[by_remainder[k]];
  return parts;
}

GpuVendor make_gpu_vendor(const VendorSpec& spec, const std::vector<ExogenousEvent>& events) {
  VendorTerms terms;
  terms.vendor = spec.agent;
  terms.lead_time_days = spec.lead_time_days;
  terms.quarterly_capacity = spec.quarterly_capacity;
  terms.buyer_cap_per_quarter = spec.buyer_cap_per_quarter;
  for (const GpuGenerationSpec& g : spec.generations) {
    GpuGeneration generation{
        g.id,          g.available,  g.launch_price_bn_krw, g.price_decline, g.price_floor_share,
        g.performance, g.kw_per_gpu, std::nullopt};
    for (const ExogenousEvent& e : events)
      if (e.kind == ShockKind::export_control && e.generation == g.id &&
          (e.vendor.empty() || e.vendor == spec.agent) &&
          (!generation.blocked_from || e.date < *generation.blocked_from))
        generation.blocked_from = e.date;
    terms.generations.push_back(generation);
  }
  return GpuVendor(std::move(terms));
}

double supply_multiplier(const std::vector<ExogenousEvent>& events, const std::string& vendor,
                         Date date) {
  double multiplier = 1.0;
  for (const ExogenousEvent& e : events)
    if (e.kind == ShockKind::supply && !(date < e.date) && (e.vendor.empty() || e.vendor == vendor))
      multiplier *= e.multiplier;
  return multiplier;
}

const GpuGenerationSpec* oldest_generation(const Scenario& scenario) {
  std::vector<const VendorSpec*> by_id;
  for (const VendorSpec& vendor : scenario.vendors)
    by_id.push_back(&vendor);
  std::sort(by_id.begin(), by_id.end(),
            [](const VendorSpec* a, const VendorSpec* b) { return a->agent < b->agent; });
  const GpuGenerationSpec* oldest = nullptr;
  for (const VendorSpec* vendor : by_id)
    for (const GpuGenerationSpec& g : vendor->generations)
      if (!oldest || g.available < oldest->available ||
          (g.available == oldest->available && g.id < oldest->id))
        oldest = &g;
  return oldest;
}

}  // namespace tenderlab
