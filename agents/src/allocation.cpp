#include "tenderlab/agents/allocation.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <utility>

#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

namespace {

// Shares may sum to 1 plus the rounding of their decimal values.
constexpr double share_tolerance = 1e-9;

/// A group of the call while it is decided.
struct GroupState {
  std::string group;
  double share = 0;
  std::int64_t requested = 0;
  std::int64_t entitled = 0;
  std::int64_t granted = 0;
  std::vector<const AllocationApplication*> ranked;
};

/// Remainders compared on a 1e-9 grid: quotas equal on paper may differ in a double's last bits,
/// and such a tie must go by group id, not by the rounding.
std::int64_t remainder_key(double remainder) {
  return std::llround(remainder * 1e9);
}

/// Hamilton's method: `total` whole GPUs split in proportion to `quotas` (one per group, in group
/// id order, summing to `total` on paper). Each quota gets its whole part, and the GPUs left go
/// one each to the largest remainders, ties by group id. A quota of 0 never gets a GPU.
std::vector<std::int64_t> largest_remainder(std::int64_t total, const std::vector<double>& quotas) {
  std::vector<std::int64_t> whole(quotas.size(), 0);
  std::vector<std::size_t> order;
  std::int64_t given = 0;
  for (std::size_t i = 0; i < quotas.size(); ++i) {
    if (quotas[i] <= 0) continue;
    whole[i] = static_cast<std::int64_t>(std::floor(quotas[i]));
    given += whole[i];
    order.push_back(i);
  }
  // Stable, so equal remainders stay in group id order.
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return remainder_key(quotas[a] - std::floor(quotas[a])) >
           remainder_key(quotas[b] - std::floor(quotas[b]));
  });
  for (std::size_t k = 0; given < total && k < order.size(); ++k, ++given)
    ++whole[order[k]];
  // The quotas are doubles: their whole parts may overshoot the total by a GPU. Taking it back
  // from the smallest remainders keeps the split from ever giving more than there is.
  for (std::size_t k = order.size(); given > total && k > 0; --k) {
    if (whole[order[k - 1]] == 0) continue;
    --whole[order[k - 1]];
    --given;
  }
  return whole;
}

/// Rank order within a group: the higher merit first, ties by id. A NaN merit ranks last, so the
/// order stays a strict weak one whatever the reviewers wrote.
bool ranks_before(const AllocationApplication& a, const AllocationApplication& b) {
  const bool a_scored = !std::isnan(a.merit);
  const bool b_scored = !std::isnan(b.merit);
  if (a_scored != b_scored) return a_scored;
  if (a_scored && a.merit != b.merit) return a.merit > b.merit;
  return a.id < b.id;
}

/// The groups sorted by id, checked: each share in [0, 1], each group named once.
std::vector<GroupState> groups_of(const std::vector<GroupShare>& shares) {
  std::vector<GroupState> groups;
  groups.reserve(shares.size());
  for (const GroupShare& share : shares) {
    if (!(share.share >= 0 && share.share <= 1))
      throw ModelError("allocation: group \"" + share.group + "\" has a share of " +
                       std::to_string(share.share) + ", outside [0, 1]");
    groups.push_back({share.group, share.share, 0, 0, 0, {}});
  }
  std::sort(groups.begin(), groups.end(),
            [](const GroupState& a, const GroupState& b) { return a.group < b.group; });
  const auto twice =
      std::adjacent_find(groups.begin(), groups.end(),
                         [](const auto& a, const auto& b) { return a.group == b.group; });
  if (twice != groups.end())
    throw ModelError("allocation: group \"" + twice->group + "\" is given a share twice");
  return groups;
}

/// The shares' sum, added in group id order so that it does not depend on the input's order.
double total_share(const std::vector<GroupState>& groups) {
  double total = 0;
  for (const GroupState& g : groups)
    total += g.share;
  return total;
}

/// Checks the applications, then sorts them in rank order.
void rank(std::vector<AllocationApplication>& applications) {
  for (const AllocationApplication& application : applications)
    if (application.gpus <= 0)
      throw ModelError("allocation: application \"" + application.id + "\" asks for " +
                       std::to_string(application.gpus) + " GPUs");
  std::sort(applications.begin(), applications.end(),
            [](const auto& a, const auto& b) { return a.id < b.id; });
  const auto twice = std::adjacent_find(applications.begin(), applications.end(),
                                        [](const auto& a, const auto& b) { return a.id == b.id; });
  if (twice != applications.end())
    throw ModelError("allocation: application \"" + twice->id + "\" appears twice");
  std::sort(applications.begin(), applications.end(), ranks_before);
}

/// Weighted water-filling: what undersubscribed groups left is split between the groups that
/// still ask for more, by their shares, in whole GPUs; what a group cannot use goes round again.
/// Each pass either hands out everything or satisfies at least one more group, so it ends.
void redistribute(std::vector<GroupState>& groups, std::int64_t unused) {
  while (unused > 0) {
    std::vector<double> weights(groups.size(), 0);
    double hungry_share = 0;
    for (std::size_t i = 0; i < groups.size(); ++i) {
      const GroupState& g = groups[i];
      if (g.share > 0 && g.granted < g.requested) {
        weights[i] = g.share;
        hungry_share += g.share;
      }
    }
    if (hungry_share <= 0) return;
    std::vector<double> quotas(groups.size(), 0);
    for (std::size_t i = 0; i < groups.size(); ++i)
      quotas[i] = static_cast<double>(unused) * weights[i] / hungry_share;
    const std::vector<std::int64_t> extra = largest_remainder(unused, quotas);
    std::int64_t taken = 0;
    for (std::size_t i = 0; i < groups.size(); ++i) {
      GroupState& g = groups[i];
      const std::int64_t gpus = std::min(extra[i], g.requested - g.granted);
      g.granted += gpus;
      taken += gpus;
    }
    if (taken == 0) return;  // never on paper; a guard against the doubles' rounding
    unused -= taken;
  }
}

}  // namespace

AllocationOutcome allocate_by_shares(std::int64_t capacity_gpus,
                                     const std::vector<GroupShare>& shares,
                                     std::vector<AllocationApplication> applications,
                                     bool redistribute_unused) {
  if (capacity_gpus < 0)
    throw ModelError("allocation: a capacity of " + std::to_string(capacity_gpus) + " GPUs");
  std::vector<GroupState> groups = groups_of(shares);
  const double shared = total_share(groups);
  if (shared > 1 + share_tolerance)
    throw ModelError("allocation: the shares sum to " + std::to_string(shared) + ", above 1");
  rank(applications);

  for (const AllocationApplication& application : applications) {
    const auto at = std::lower_bound(
        groups.begin(), groups.end(), application.group,
        [](const GroupState& g, const std::string& group) { return g.group < group; });
    if (at == groups.end() || at->group != application.group) continue;
    at->ranked.push_back(&application);
    at->requested += application.gpus;
  }

  // The tolerance makes shares summing to 1 entitle the whole capacity despite their rounding,
  // and the cap keeps a sum just above 1 from entitling more than there is.
  const std::int64_t entitled_total =
      std::min(capacity_gpus, static_cast<std::int64_t>(std::floor(
                                  static_cast<double>(capacity_gpus) * shared + share_tolerance)));
  std::vector<double> quotas;
  quotas.reserve(groups.size());
  for (const GroupState& g : groups)
    quotas.push_back(static_cast<double>(capacity_gpus) * g.share);
  const std::vector<std::int64_t> entitled = largest_remainder(entitled_total, quotas);
  std::int64_t unused = 0;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    GroupState& g = groups[i];
    g.entitled = entitled[i];
    g.granted = std::min(g.entitled, g.requested);
    unused += g.entitled - g.granted;
  }
  if (redistribute_unused) redistribute(groups, unused);

  AllocationOutcome outcome;
  outcome.capacity_gpus = capacity_gpus;
  for (const GroupState& g : groups) {
    GroupAllocation allocation{
        g.group, g.share, g.requested, g.entitled, 0, static_cast<int>(g.ranked.size()), 0};
    // In rank order while they fit; the first that does not fit takes what is left, which ends
    // the group's GPUs, so those ranked after it get nothing and no later, smaller one jumps in.
    std::int64_t left = g.granted;
    for (const AllocationApplication* application : g.ranked) {
      if (left == 0) break;
      const std::int64_t gpus = std::min(application->gpus, left);
      outcome.awards.push_back({application->id, g.group, gpus, application->days});
      left -= gpus;
      allocation.awarded_gpus += gpus;
      ++allocation.awarded_applications;
    }
    outcome.requested_gpus += allocation.requested_gpus;
    outcome.awarded_gpus += allocation.awarded_gpus;
    outcome.groups.push_back(std::move(allocation));
  }
  if (capacity_gpus > 0)
    outcome.oversubscription =
        static_cast<double>(outcome.requested_gpus) / static_cast<double>(capacity_gpus);
  else if (outcome.requested_gpus > 0)
    outcome.oversubscription = std::numeric_limits<double>::infinity();
  return outcome;
}

}  // namespace tenderlab
