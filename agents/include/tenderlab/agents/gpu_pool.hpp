#pragma once
// The GPUs of one owner as pods of equal size, and the queue of jobs waiting for them, pure. The
// actor that owns a pool runs each started job on the pod's SimGrid host (compute_actor.cpp);
// the pool decides what starts where and when it ends (docs/model/compute-use.md).
#include <cstdint>
#include <deque>
#include <string>
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
  /// How long it runs on a pod of `performance`.
  double seconds_on(double performance) const {
    return holds_gpus ? reference_seconds : reference_seconds / performance;
  }
};

/// A job the pool started now.
/// A job, or one part of a job spread over several pods, that the pool started now. A part's
/// `job.gpus` are the GPUs it holds on its pod.
struct StartedJob {
  PoolJob job;
  std::size_t pod = 0;
  double end = 0;     ///< simulated seconds
  bool first = true;  ///< the job's first part (or the whole job): count the job once
};

class GpuPool {
 public:
  /// `pods` pods of `pod_gpus` GPUs each, all off. Throws ModelError for pod_gpus < 1.
  GpuPool(std::int64_t pod_gpus, std::size_t pods);

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

  /// Queues a job. Throws ModelError for gpus outside [1, pod_gpus] or reference_seconds <= 0.
  void submit(PoolJob job);

  /// Starts waiting jobs in submission order (first come, first served, no overtaking): while
  /// the job at the head of the queue fits on a pod that is on, it starts on the fitting pod of
  /// highest performance (ties: lowest index) and ends at now + reference_seconds / performance.
  /// A head job that fits no single pod but the pool's free GPUs together is spread over the
  /// pods with free GPUs, fastest first (ties: lowest index), one part per pod, each ending by
  /// its own pod's performance.
  std::vector<StartedJob> start_jobs(double now);

  /// A job that ran on `pod` with `gpus` GPUs ended: its GPUs are free again. Throws ModelError
  /// when the pod does not hold that many busy GPUs.
  void release(std::size_t pod, std::int64_t gpus);

 private:
  struct Pod {
    double performance = 0;
    std::int64_t busy = 0;
    bool on = false;
  };
  std::int64_t pod_gpus_;
  std::vector<Pod> pods_;
  std::deque<PoolJob> queue_;
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
