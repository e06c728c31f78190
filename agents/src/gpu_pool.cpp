#include "tenderlab/agents/gpu_pool.hpp"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <limits>
#include <optional>
#include <string>
#include <utility>

#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

namespace {

void check_rates(int servers, double lambda, double mu) {
  if (servers < 1)
    throw ModelError("Erlang C: the number of servers must be >= 1, found " +
                     std::to_string(servers));
  if (!std::isfinite(lambda) || lambda <= 0)
    throw ModelError("Erlang C: the arrival rate must be finite and > 0, found " +
                     std::to_string(lambda));
  if (!std::isfinite(mu) || mu <= 0)
    throw ModelError("Erlang C: the service rate must be finite and > 0, found " +
                     std::to_string(mu));
  if (!(lambda < servers * mu))
    throw ModelError("Erlang C: the queue is unstable: arrival rate " + std::to_string(lambda) +
                     " >= servers x service rate " + std::to_string(servers * mu));
}

void check_pod(std::size_t pod, std::size_t pods) {
  if (pod >= pods)
    throw ModelError("GPU pool: no pod " + std::to_string(pod) + " (the pool has " +
                     std::to_string(pods) + ")");
}

}  // namespace

GpuPool::GpuPool(std::int64_t pod_gpus, std::size_t pods, SchedulingPolicy policy)
    : pod_gpus_(pod_gpus), policy_(policy), pods_(pods) {
  if (pod_gpus < 1)
    throw ModelError("GPU pool: a pod must have at least 1 GPU, found " + std::to_string(pod_gpus));
  if (!std::isfinite(policy.walltime_factor) || policy.walltime_factor < 1)
    throw ModelError("GPU pool: the wall-time factor must be finite and >= 1, found " +
                     std::to_string(policy.walltime_factor));
}

std::int64_t GpuPool::pod_gpus() const {
  return pod_gpus_;
}
std::size_t GpuPool::pods() const {
  return pods_.size();
}
std::size_t GpuPool::pods_on() const {
  return pods_on_;
}
std::int64_t GpuPool::gpus_on() const {
  return static_cast<std::int64_t>(pods_on_) * pod_gpus_;
}
std::int64_t GpuPool::busy_gpus() const {
  return busy_;
}
std::size_t GpuPool::waiting() const {
  return queue_.size();
}
std::int64_t GpuPool::waiting_gpus() const {
  return waiting_gpus_;
}

double GpuPool::performance(std::size_t pod) const {
  check_pod(pod, pods_.size());
  const Pod& p = pods_[pod];
  return p.on ? p.performance : 0;
}

bool GpuPool::is_on(std::size_t pod) const {
  check_pod(pod, pods_.size());
  return pods_[pod].on;
}

std::int64_t GpuPool::free_gpus(std::size_t pod) const {
  check_pod(pod, pods_.size());
  const Pod& p = pods_[pod];
  return p.on ? pod_gpus_ - p.busy : 0;
}

std::size_t GpuPool::switch_on(double performance) {
  if (!std::isfinite(performance) || performance <= 0)
    throw ModelError("GPU pool: a pod's performance must be finite and > 0, found " +
                     std::to_string(performance));
  for (std::size_t i = 0; i < pods_.size(); ++i) {
    Pod& p = pods_[i];
    if (p.on) continue;
    p.on = true;
    p.performance = performance;
    ++pods_on_;
    return i;
  }
  throw ModelError("GPU pool: all " + std::to_string(pods_.size()) + " pods are already on");
}

void GpuPool::submit(PoolJob job) {
  if (job.gpus < 1 || job.gpus > pod_gpus_)
    throw ModelError("GPU pool: job " + std::to_string(job.id) + " asks for " +
                     std::to_string(job.gpus) + " GPUs, outside [1, " + std::to_string(pod_gpus_) +
                     "]");
  if (!std::isfinite(job.reference_seconds) || job.reference_seconds <= 0)
    throw ModelError("GPU pool: job " + std::to_string(job.id) +
                     ": reference seconds must be finite and > 0, found " +
                     std::to_string(job.reference_seconds));
  if (std::isnan(job.leaves_at) || job.leaves_at < job.submitted)
    throw ModelError("GPU pool: job " + std::to_string(job.id) +
                     " would leave the queue before it was submitted");
  if (job.walltime_factor != 0 && !(std::isfinite(job.walltime_factor) && job.walltime_factor >= 1))
    throw ModelError("GPU pool: job " + std::to_string(job.id) +
                     ": walltime_factor must be 0 (the pool's) or at least 1, found " +
                     std::to_string(job.walltime_factor));
  waiting_gpus_ += job.gpus;
  if (std::isfinite(job.leaves_at)) by_leave_.emplace(job.leaves_at, job.id);
  queue_.push_back(std::move(job));
}

std::vector<PoolJob> GpuPool::leave(double now) {
  std::vector<PoolJob> left;
  if (by_leave_.empty() || by_leave_.begin()->first > now) return left;
  std::set<std::uint64_t> leaving;
  while (!by_leave_.empty() && by_leave_.begin()->first <= now) {
    leaving.insert(by_leave_.begin()->second);
    by_leave_.erase(by_leave_.begin());
  }
  // One pass keeps the others in their order.
  std::deque<PoolJob> staying;
  for (PoolJob& job : queue_) {
    if (leaving.count(job.id)) {
      waiting_gpus_ -= job.gpus;
      left.push_back(std::move(job));
    } else {
      staying.push_back(std::move(job));
    }
  }
  queue_ = std::move(staying);
  return left;
}

double GpuPool::next_leave() const {
  return by_leave_.empty() ? std::numeric_limits<double>::infinity() : by_leave_.begin()->first;
}

GpuPool::Placement GpuPool::placement(std::int64_t gpus) const {
  std::optional<std::size_t> best;
  for (std::size_t i = 0; i < pods_.size(); ++i) {
    const Pod& p = pods_[i];
    if (!p.on || pod_gpus_ - p.busy < gpus) continue;
    if (!best || p.performance > pods_[*best].performance) best = i;
  }
  if (best) return {{*best, gpus}};
  // No pod has room for the whole job, but the pool's free GPUs together do: the job is spread
  // over pods, fastest first (ties: lowest index), so that free GPUs scattered over pods do not
  // stay idle behind it. Each part runs its GPUs for the job's duration on its pod.
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i < pods_.size(); ++i)
    if (pods_[i].on && pods_[i].busy < pod_gpus_) order.push_back(i);
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return pods_[a].performance > pods_[b].performance;
  });
  Placement where;
  std::int64_t left = gpus;
  for (std::size_t i : order) {
    if (left == 0) break;
    const std::int64_t part = std::min(left, pod_gpus_ - pods_[i].busy);
    where.emplace_back(i, part);
    left -= part;
  }
  return where;
}

double GpuPool::planned_end(const PoolJob& job, const Placement& where, double now) const {
  double longest = 0;
  for (const auto& [pod, gpus] : where)
    longest = std::max(longest, job.seconds_on(pods_[pod].performance));
  return now + walltime_factor(job) * longest;
}

void GpuPool::start(const PoolJob& job, const Placement& where, double now, bool backfilled,
                    std::vector<StartedJob>& started) {
  bool first = true;
  for (const auto& [pod_index, gpus] : where) {
    Pod& pod = pods_[pod_index];
    pod.busy += gpus;
    const double seconds = job.seconds_on(pod.performance);
    const std::uint64_t part = next_part_++;
    const double planned = now + walltime_factor(job) * seconds;
    running_.emplace_hint(running_.end(), part, RunningPart{pod_index, gpus, planned});
    by_planned_end_.emplace(planned, part);
    PoolJob piece = job;
    piece.gpus = gpus;
    started.push_back({std::move(piece), pod_index, now + seconds, first, part, backfilled});
    first = false;
  }
  busy_ += job.gpus;
  waiting_gpus_ -= job.gpus;
  if (std::isfinite(job.leaves_at)) by_leave_.erase({job.leaves_at, job.id});
}

std::vector<StartedJob> GpuPool::start_jobs(double now) {
  std::vector<StartedJob> started;
  while (!queue_.empty() && free_total() >= queue_.front().gpus) {
    PoolJob job = std::move(queue_.front());
    queue_.pop_front();
    const Placement where = placement(job.gpus);
    start(job, where, now, false, started);
  }
  if (!queue_.empty() && policy_.backfill_depth > 0) backfill(now, started);
  return started;
}

void GpuPool::backfill(double now, std::vector<StartedJob>& started) {
  // The head's reservation: walking the running parts by planned end, the first moment enough
  // GPUs are free for it, and how many it leaves free then. GPUs switched on later only bring
  // it forward. A head larger than the pool has no reservation yet (shadow at infinity).
  const std::int64_t head = queue_.front().gpus;
  double shadow = std::numeric_limits<double>::infinity();
  std::int64_t extra = 0;
  std::int64_t free_then = free_total();
  for (const auto& [planned, part] : by_planned_end_) {
    free_then += running_.at(part).gpus;
    if (free_then >= head) {
      shadow = planned;
      extra = free_then - head;
      break;
    }
  }
  std::size_t examined = 0;
  for (auto it = std::next(queue_.begin());
       it != queue_.end() && examined < policy_.backfill_depth && free_total() > 0;) {
    ++examined;
    if (it->gpus > free_total()) {
      ++it;
      continue;
    }
    const Placement where = placement(it->gpus);
    const bool done_in_time = planned_end(*it, where, now) <= shadow;
    if (!done_in_time && it->gpus > extra) {
      ++it;
      continue;
    }
    if (!done_in_time) extra -= it->gpus;  // it still runs when the head starts
    PoolJob job = std::move(*it);
    it = queue_.erase(it);
    start(job, where, now, true, started);
  }
}

void GpuPool::release(std::uint64_t part) {
  const auto found = running_.find(part);
  if (found == running_.end())
    throw ModelError("GPU pool: part " + std::to_string(part) + " is not running");
  const RunningPart& running = found->second;
  pods_[running.pod].busy -= running.gpus;
  busy_ -= running.gpus;
  by_planned_end_.erase({running.planned_end, part});
  running_.erase(found);
}

double erlang_c_wait_probability(int servers, double lambda, double mu) {
  check_rates(servers, lambda, mu);
  const double a = lambda / mu;  // offered load in Erlangs
  // Erlang B by its recursion, which stays in [0, 1] and so never overflows, even for thousands
  // of servers (the textbook sum of a^k / k! does).
  double b = 1;
  for (int k = 1; k <= servers; ++k)
    b = a * b / (k + a * b);
  const double c = servers;
  return c * b / (c - a * (1 - b));
}

double erlang_c_mean_wait(int servers, double lambda, double mu) {
  const double wait_probability = erlang_c_wait_probability(servers, lambda, mu);
  return wait_probability / (servers * mu - lambda);
}

}  // namespace tenderlab
