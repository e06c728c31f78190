#pragma once
// GPU supply from a vendor into one national market, pure: the generations it sells (when they
// can be ordered, what they cost, how fast and how power-hungry they are), and how the GPUs it
// ships in a quarter are shared among the buyers who ordered them. Shared max-min fair, so that
// a buyer's place in a list never matters; the model is docs/model/gpu-supply.md.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "tenderlab/engine/calendar.hpp"
#include "tenderlab/engine/scenario.hpp"

namespace tenderlab {

/// One generation of GPU a vendor sells (an H100, an H200, ...). Money in bn KRW per GPU.
struct GpuGeneration {
  std::string id;                    ///< "h100"; unique within a vendor
  Date available;                    ///< the first day it can be ordered
  double launch_price_bn_krw = 0;    ///< list price per GPU on `available`
  double price_decline = 0;          ///< yearly fall of the list price after `available`, in [0, 1)
  double price_floor_share = 0;      ///< the list price never falls below this share of launch
  double performance = 1;            ///< throughput relative to the reference generation (H100 = 1)
  double kw_per_gpu = 0;             ///< all-in IT power per GPU, kW
  std::optional<Date> blocked_from;  ///< export control: no orders from this day on
};

/// What a vendor offers one national market.
struct VendorTerms {
  std::string vendor;  ///< the vendor's id, named in error messages
  std::vector<GpuGeneration> generations;
  int lead_time_days = 0;                  ///< from the confirmation of an order to its delivery
  std::int64_t quarterly_capacity = 0;     ///< GPUs shipped into this market per quarter, in all
  std::int64_t buyer_cap_per_quarter = 0;  ///< the most one buyer is confirmed in a quarter
};

/// The years from `from` to `to`, counted on the calendar: whole years up to the last
/// anniversary of `from`, plus the share of the days to the next one that have passed. An
/// anniversary of 29 February falls on the 28th in common years. 0 when `to` is not after `from`.
double years_between(Date from, Date to);

/// The list price per GPU on `date`: launch × (1 − decline)^(years since available), never below
/// floor share × launch. The launch price before the generation is available.
double list_price_bn_krw(const GpuGeneration& generation, Date date);
/// The list price per unit of performance: what buyers compare generations by.
double price_per_performance_bn_krw(const GpuGeneration& generation, Date date);
/// Whether the generation can be ordered on `date`: available, and not yet blocked.
bool orderable(const GpuGeneration& generation, Date date);

/// Quarters are numbered year × 4 + (month − 1) / 3: 2025-01-01 .. 2025-03-31 is 8100.
std::int64_t quarter_of(Date date);
/// The first day of a quarter.
Date quarter_start(std::int64_t quarter);

/// An order placed in a quarter: `gpus` of one generation for one buyer.
struct GpuOrder {
  std::string buyer;
  std::string generation;
  std::int64_t gpus = 0;
};

/// What the vendor confirms of a buyer's orders for one generation, between 0 and `requested`.
struct OrderConfirmation {
  std::string buyer;
  std::string generation;
  std::int64_t requested = 0;
  std::int64_t confirmed = 0;
  bool operator==(const OrderConfirmation&) const = default;
};

class GpuVendor {
 public:
  /// Throws ModelError on a missing vendor or generation id, a generation listed twice, a launch
  /// price that is not positive and finite, a decline outside [0, 1), a floor share outside
  /// [0, 1], a performance or power per GPU that is not positive and finite, or a negative lead
  /// time, capacity or buyer cap.
  explicit GpuVendor(VendorTerms terms);

  const VendorTerms& terms() const { return terms_; }
  /// Throws ModelError for a generation this vendor does not sell.
  const GpuGeneration& generation(std::string_view id) const;

  /// The generation a buyer orders on `date`: the lowest list price per unit of performance among
  /// those orderable then; on a tie the newer (the later `available`), then the smaller id.
  /// nullptr when none can be ordered.
  const GpuGeneration* preferred_generation(Date date) const;

  /// The GPUs shipped in a quarter with its capacity multiplied by `capacity_multiplier` (a supply
  /// shock below 1, extra supply above), to the nearest whole GPU, halves up. Throws ModelError
  /// for a negative or non-finite multiplier.
  std::int64_t capacity(double capacity_multiplier) const;

  /// Decides all orders placed in one quarter together, on `decided` (whose quarter they are in).
  /// The result depends on the orders as a set, never on their order: one confirmation per
  /// (buyer, generation), sorted by buyer then generation; orders for the same pair are merged.
  /// An order for a generation not orderable on `decided` is confirmed 0 and takes no capacity.
  /// Each buyer's total is capped at `buyer_cap_per_quarter`; when the capped totals exceed
  /// capacity(capacity_multiplier), the GPUs are shared max-min fair among buyers in whole GPUs:
  /// every buyer gets the same number, or all it asked for if that is less; the GPUs left below
  /// the next whole level go one each to the buyers still short, in the order of their ids
  /// rotated by the quarter (see the model). A buyer's GPUs are split among its generations in
  /// proportion to what it asked for, remainders to the largest fractions (ties: the smaller
  /// generation id). Throws ModelError for an unknown generation, a negative number of GPUs, an
  /// order without a buyer, a buyer asking for more than 2^31 GPUs in all, or a bad multiplier.
  std::vector<OrderConfirmation> confirm_orders(const std::vector<GpuOrder>& orders, Date decided,
                                                double capacity_multiplier) const;

  /// When GPUs confirmed on `confirmed` are delivered: after the lead time.
  Date delivery_date(Date confirmed) const { return confirmed.plus_days(terms_.lead_time_days); }

 private:
  VendorTerms terms_;
  std::map<std::string, std::size_t, std::less<>> index_;
};

/// The vendor a scenario describes (/vendors), with the export controls of its events: a
/// generation named by an export_control event of this vendor (or of every vendor) cannot be
/// ordered from the event's date on.
GpuVendor make_gpu_vendor(const VendorSpec& spec, const std::vector<ExogenousEvent>& events);

/// The product of the multipliers of the supply events up to `date` (inclusive) that concern
/// `vendor` (naming it, or no vendor): what its quarterly capacity is multiplied by then.
double supply_multiplier(const std::vector<ExogenousEvent>& events, const std::string& vendor,
                         Date date);

/// Shares `capacity` whole units among claims max-min fair: claims no larger than the common level
/// are met in full, the others get the level; the units left below the next level go one each to
/// the claims still short, taken in index order starting at position `rotation` (mod their count)
/// among them and wrapping around. Claims must be non-negative; the result never exceeds a claim
/// and sums to min(capacity, sum of claims).
std::vector<std::int64_t> share_max_min_fair(const std::vector<std::int64_t>& claims,
                                             std::int64_t capacity, std::int64_t rotation);

/// Splits `total` whole units in proportion to `weights` (largest remainders; ties go to the
/// smaller index). `total` must not exceed the sum of the weights, which must not exceed 2^31.
std::vector<std::int64_t> split_proportionally(std::int64_t total,
                                               const std::vector<std::int64_t>& weights);

/// The generation of a fleet's GPUs at the start: the oldest on sale (the earliest available;
/// ties by vendor and generation id); null without vendors.
const GpuGenerationSpec* oldest_generation(const Scenario& scenario);

}  // namespace tenderlab
