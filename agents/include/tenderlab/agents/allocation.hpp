#pragma once
// A government allocation call, pure: it offers a number of GPUs, splits them between user groups
// by shares, ranks each group's applications and awards them (docs/model/compute-use.md).
// Nothing depends on the order of the applications or of the shares: groups are handled by id,
// applications by merit (ties by id).
#include <cstdint>
#include <string>
#include <vector>

namespace tenderlab {

/// An application to an allocation call: a GPU quantity for a duration.
struct AllocationApplication {
  std::string id;  ///< unique in the call
  std::string group;
  std::int64_t gpus = 0;  ///< asked, > 0
  double days = 0;        ///< asked duration
  double merit = 0;       ///< the reviewers' score: higher ranks first; ties by id
};

struct GroupShare {
  std::string group;
  double share = 0;  ///< of the call's GPUs; shares sum to at most 1
};

struct AllocationAward {
  std::string application;
  std::string group;
  std::int64_t gpus = 0;  ///< awarded: what was asked, or less for the group's marginal one
  double days = 0;        ///< as asked
};

struct GroupAllocation {
  std::string group;
  double share = 0;
  std::int64_t requested_gpus = 0;
  std::int64_t entitled_gpus = 0;  ///< its share of the capacity, in whole GPUs
  std::int64_t awarded_gpus = 0;
  int applications = 0;
  int awarded_applications = 0;  ///< in full or in part
};

struct AllocationOutcome {
  std::int64_t capacity_gpus = 0;
  std::int64_t requested_gpus = 0;  ///< by every application of a group with a share
  std::int64_t awarded_gpus = 0;
  /// requested / capacity (0 when capacity is 0 and nothing is requested; infinity when
  /// something is requested of no capacity).
  double oversubscription = 0;
  std::vector<AllocationAward> awards;  ///< by group id, then rank
  std::vector<GroupAllocation> groups;  ///< by group id
};

/// Decides a call. Each group is entitled to share x capacity GPUs, rounded to whole GPUs by the
/// largest remainder (ties by group id), so entitlements sum to floor(capacity x sum of shares)
/// or capacity. A group gets the smaller of its entitlement and what it asks for; with
/// `redistribute_unused`, what undersubscribed groups leave is split again between the groups
/// that still ask for more, in proportion to their shares (repeated until nobody asks for more or
/// nothing is left): a weighted max-min fair split. Within a group, applications are awarded in
/// rank order while they fit; the first that does not fit gets what is left of the group's GPUs
/// (so the group's shares hold exactly), and those ranked after it get nothing. Applications of
/// groups without a share get nothing and are not counted as requested.
/// Throws ModelError for a negative capacity, a share outside [0, 1], shares summing above 1
/// (+1e-9), a group named twice, duplicate application ids or an application asking for no GPUs.
AllocationOutcome allocate_by_shares(std::int64_t capacity_gpus,
                                     const std::vector<GroupShare>& shares,
                                     std::vector<AllocationApplication> applications,
                                     bool redistribute_unused);

}  // namespace tenderlab
