#pragma once
// The GPUs of one owner as pods of equal size, and the queue of jobs waiting for them, pure. The
// actor that owns a pool runs each started job on the pod's SimGrid host (compute_actor.cpp);
// the pool decides what starts where and when it ends (docs/model/compute-use.md).
#include <cstdint>
#include <deque>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

namespace tenderlab {

/// A job: `gpus` GPUs for `reference_seconds` on GPUs of performance 1 (an H100). On a pod of
/// performance p it runs reference_seconds / p, unless it holds its GPUs for a period (an
/// allocation award given as a reservation): then it runs reference_seconds on any pod.
struct PoolJob {
  std::uint64_t id = 0;  ///< unique in the pool, increasing with submission
  std::string group;     ///< the user group that submitted it
  std::int64_t gpus = 0;
  double reference_seconds = 0;
  double submitted = 0;     ///< simulated seconds
  bool holds_gpus = false;  ///< runs reference_seconds whatever the pod's performance
  /// When its user leaves the queue if it has not started (simulated seconds; never by default).
  double leaves_at = std::numeric_limits<double>::infinity();
  /// The wall time its user requests, as a multiple (>= 1) of its run time; 0: the pool's
  /// SchedulingPolicy::walltime_factor.
  double walltime_factor = 0;
  /// How long it runs on a pod of `performance`.
  double seconds_on(double performance) const {
    return holds_gpus ? reference_seconds : reference_seconds / performance;
  }
};

/// A job, or one part of a job spread over several pods, that the pool started now. A part's
/// `job.gpus` are the GPUs it holds on its pod.
struct StartedJob {
  PoolJob job;
  std::size_t pod = 0;
  double end = 0;           ///< simulated seconds
  bool first = true;        ///< the job's first part (or the whole job): count the job once
  std::uint64_t part = 0;   ///< what to give GpuPool::release when the part ends
  bool backfilled = false;  ///< started ahead of a job submitted before it (backfilling)
};

/// How a pool chooses the jobs it starts (docs/model/compute-use.md §2).
struct SchedulingPolicy {
  /// How many jobs behind a head that cannot start the scheduler examines for backfilling:
  /// each may start at once if it does not delay the head's reservation (EASY backfilling).
  /// 0: first come, first served, nothing overtakes the head.
  std::size_t backfill_depth = 0;
  /// Wall time users request, as a multiple (>= 1) of the time their job runs: the scheduler
  /// plans reservations and backfilling with it, and jobs end when they are done.
  double walltime_factor = 1;
};

class GpuPool {
 public:
  /// `pods` pods of `pod_gpus` GPUs each, all off. Throws ModelError for pod_gpus < 1 or a
  /// walltime_factor below 1.
  GpuPool(std::int64_t pod_gpus, std::size_t pods, SchedulingPolicy policy = {});

  std::int64_t pod_gpus() const;
  std::size_t pods() const;
  std::size_t pods_on() const;
  std::int64_t gpus_on() const;    ///< pods_on() x pod_gpus()
  std::int64_t busy_gpus() const;  ///< held by running jobs
  std::size_t waiting() const;     ///< jobs queued, not started
  std::int64_t waiting_gpus() const;
  double performance(std::size_t pod) const;  ///< 0 while off
  bool is_on(std::size_t pod) const;
  std::int64_t free_gpus(std::size_t pod) const;

  /// Switches on the lowest-numbered pod that is off, with GPUs of `performance` (> 0), and
  /// returns its index. Throws ModelError when every pod is on.
  std::size_t switch_on(double performance);

  /// Queues a job. Throws ModelError for gpus outside [1, pod_gpus], reference_seconds <= 0 or a
  /// walltime_factor neither 0 nor at least 1.
  void submit(PoolJob job);

  /// Starts waiting jobs in submission order (first come, first served): while the job at the
  /// head of the queue fits on a pod that is on, it starts on the fitting pod of highest
  /// performance (ties: lowest index) and ends at now + its seconds on that pod. A head job
  /// that fits no single pod but the pool's free GPUs together is spread over the pods with
  /// free GPUs, fastest first (ties: lowest index), one part per pod, each ending by its own
  /// pod's performance. When the head must wait, its reservation is the earliest planned end
  /// of running parts (start + the job's walltime factor x run time) by which enough GPUs are free
  /// for it; of the next backfill_depth jobs in order, each that fits the free GPUs starts now,
  /// placed as the head would be, if its planned end is no later than the reservation or it
  /// needs no more than the GPUs the head leaves free then (which it then takes).
  std::vector<StartedJob> start_jobs(double now);

  /// The started part `part` ended: its GPUs are free again. Throws ModelError for a part that
  /// is not running.
  void release(std::uint64_t part);

  /// The queued jobs whose users leave by `now` (leaves_at <= now), taken out of the queue in
  /// submission order. Call it before start_jobs(now): a job leaves at its time even if GPUs
  /// become free then.
  std::vector<PoolJob> leave(double now);
  /// The earliest leaves_at of the queued jobs; infinity when none will leave.
  double next_leave() const;

 private:
  /// The job's own wall-time factor, or the pool's when it states none.
  double walltime_factor(const PoolJob& job) const {
    return job.walltime_factor > 0 ? job.walltime_factor : policy_.walltime_factor;
  }
  struct Pod {
    double performance = 0;
    std::int64_t busy = 0;
    bool on = false;
  };
  struct RunningPart {
    std::size_t pod = 0;
    std::int64_t gpus = 0;
    double planned_end = 0;
  };
  using Placement = std::vector<std::pair<std::size_t, std::int64_t>>;  // pod, GPUs

  std::int64_t free_total() const { return gpus_on() - busy_; }
  /// Where a job of `gpus` would start now; requires free_total() >= gpus.
  Placement placement(std::int64_t gpus) const;
  /// The latest planned end of `job` placed at `where` now.
  double planned_end(const PoolJob& job, const Placement& where, double now) const;
  void start(const PoolJob& job, const Placement& where, double now, bool backfilled,
             std::vector<StartedJob>& started);
  void backfill(double now, std::vector<StartedJob>& started);

  std::int64_t pod_gpus_;
  SchedulingPolicy policy_;
  std::vector<Pod> pods_;
  std::deque<PoolJob> queue_;
  std::map<std::uint64_t, RunningPart> running_;               // by part
  std::set<std::pair<double, std::uint64_t>> by_planned_end_;  // planned end, part
  std::set<std::pair<double, std::uint64_t>> by_leave_;        // leaves_at, job id (finite only)
  std::uint64_t next_part_ = 0;
  std::size_t pods_on_ = 0;
  std::int64_t busy_ = 0;
  std::int64_t waiting_gpus_ = 0;
};

/// Erlang C for an M/M/c queue with arrival rate `lambda` and service rate `mu` per server:
/// the probability that an arrival waits. Requires lambda < c x mu (throws ModelError
/// otherwise, or for c < 1 or non-positive rates).
double erlang_c_wait_probability(int servers, double lambda, double mu);
/// The mean wait in the queue of an M/M/c queue: C(c, a) / (c mu - lambda).
double erlang_c_mean_wait(int servers, double lambda, double mu);

}  // namespace tenderlab
