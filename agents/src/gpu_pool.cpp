#include "tenderlab/agents/gpu_pool.hpp"

#include <algorithm>
#include <cmath>
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

GpuPool::GpuPool(std::int64_t pod_gpus, std::size_t pods) : pod_gpus_(pod_gpus), pods_(pods) {
  if (pod_gpus < 1)
    throw ModelError("GPU pool: a pod must have at least 1 GPU, found " + std::to_string(pod_gpus));
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
  waiting_gpus_ += job.gpus;
  queue_.push_back(std::move(job));
}

std::vector<StartedJob> GpuPool::start_jobs(double now) {
  std::vector<StartedJob> started;
  while (!queue_.empty()) {
    const std::int64_t gpus = queue_.front().gpus;
    std::optional<std::size_t> best;
    for (std::size_t i = 0; i < pods_.size(); ++i) {
      const Pod& p = pods_[i];
      if (!p.on || pod_gpus_ - p.busy < gpus) continue;
      if (!best || p.performance > pods_[*best].performance) best = i;
    }
    if (best) {
      Pod& pod = pods_[*best];
      pod.busy += gpus;
      busy_ += gpus;
      waiting_gpus_ -= gpus;
      StartedJob job{std::move(queue_.front()), *best, 0, true};
      queue_.pop_front();
      job.end = now + job.job.seconds_on(pod.performance);
      started.push_back(std::move(job));
      continue;
    }
    // No pod has room for the whole job, but the pool's free GPUs together do: the job is
    // spread over pods, fastest first (ties: lowest index), so that free GPUs scattered over
    // pods do not stay idle behind it. Each part runs its GPUs for the job's duration on its pod.
    if (gpus_on() - busy_ < gpus) break;  // first come, first served: nothing may overtake it
    std::vector<std::size_t> order;
    for (std::size_t i = 0; i < pods_.size(); ++i)
      if (pods_[i].on && pods_[i].busy < pod_gpus_) order.push_back(i);
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return pods_[a].performance > pods_[b].performance;
    });
    PoolJob job = std::move(queue_.front());
    queue_.pop_front();
    std::int64_t left = gpus;
    bool first = true;
    for (std::size_t i : order) {
      if (left == 0) break;
      Pod& pod = pods_[i];
      const std::int64_t part = std::min(left, pod_gpus_ - pod.busy);
      pod.busy += part;
      left -= part;
      PoolJob piece = job;
      piece.gpus = part;
      started.push_back({std::move(piece), i, now + job.seconds_on(pod.performance), first});
      first = false;
    }
    busy_ += gpus;
    waiting_gpus_ -= gpus;
  }
  return started;
}

void GpuPool::release(std::size_t pod, std::int64_t gpus) {
  check_pod(pod, pods_.size());
  Pod& p = pods_[pod];
  if (gpus < 1 || gpus > p.busy)
    throw ModelError("GPU pool: cannot release " + std::to_string(gpus) + " GPUs on pod " +
                     std::to_string(pod) + ", which has " + std::to_string(p.busy) + " busy");
  p.busy -= gpus;
  busy_ -= gpus;
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
