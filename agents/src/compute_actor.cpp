// Compute use (scenario /compute, docs/model/compute-use.md). The GPUs online run jobs on SimGrid
// hosts: each pool (the calls' GPUs, and each fleet owner's) is a set of pods made before the run,
// switched on as GPUs go online, whose power the host-energy plugin measures. Users arrive as
// Poisson processes; commercial jobs go to the fleets' pools, applications wait for the
// allocation calls, whose awards run on the public pool. What the pools measure (utilisation,
// waits, energy) is logged each month and what the fleets' pools were asked for feeds their
// owners' expansion decisions.
#include <algorithm>
#include <cmath>
#include <deque>
#include <limits>
#include <queue>

#include "tenderlab/agents/fleet_expansion.hpp"
#include "world.hpp"

namespace tenderlab::detail {

namespace {

constexpr double seconds_per_hour = 3600.0;
constexpr double days_per_month = 365.25 / 12.0;

/// The generations the pods can run, one power state each: every vendor's, by vendor id then
/// generation id; a generation id sold by two vendors is the first vendor's.
std::vector<const GpuGenerationSpec*> power_states(const Scenario& scenario) {
  std::vector<const VendorSpec*> vendors;
  for (const VendorSpec& vendor : scenario.vendors)
    vendors.push_back(&vendor);
  std::sort(vendors.begin(), vendors.end(),
            [](const VendorSpec* a, const VendorSpec* b) { return a->agent < b->agent; });
  std::vector<const GpuGenerationSpec*> states;
  for (const VendorSpec* vendor : vendors) {
    std::vector<const GpuGenerationSpec*> own;
    for (const GpuGenerationSpec& g : vendor->generations)
      own.push_back(&g);
    std::sort(own.begin(), own.end(),
              [](const GpuGenerationSpec* a, const GpuGenerationSpec* b) { return a->id < b->id; });
    for (const GpuGenerationSpec* g : own)
      if (std::none_of(states.begin(), states.end(),
                       [&](const GpuGenerationSpec* s) { return s->id == g->id; }))
        states.push_back(g);
  }
  return states;
}

/// The pools: the calls' GPUs (when there are calls), each SPC call's commercial GPUs (named
/// after the call) and each fleet owner's, by name.
std::vector<std::string> pool_names(const Scenario& scenario) {
  std::vector<std::string> pools;
  if (!scenario.calls.empty()) pools.push_back(public_pool);
  for (const CallSpec& call : scenario.calls)
    if (call.kind == CallKind::spc_partner) pools.push_back(call.id);
  for (const AgentSpec& agent : scenario.agents)
    if (agent.fleet) pools.push_back(agent.id);
  std::sort(pools.begin(), pools.end());
  return pools;
}

/// The SPC call whose commercial GPUs the pool `name` holds, if it is one.
const CallSpec* spc_of_pool(const Scenario& scenario, const std::string& name) {
  for (const CallSpec& call : scenario.calls)
    if (call.kind == CallKind::spc_partner && call.id == name) return &call;
  return nullptr;
}

std::size_t pods_per_pool(const ComputeSpec& compute) {
  return static_cast<std::size_t>((compute.max_gpus_per_pool + compute.pod_gpus - 1) /
                                  compute.pod_gpus);
}

/// The commercial price of a GPU-hour at `time` (now by default): the market's first-year price
/// falling at its decline.
double commercial_price(const World& world, double time) {
  const Beliefs& market = world.scenario.market;
  const double years = time / (365.25 * seconds_per_day);
  return market.gpu_hour_price_krw * std::pow(1 - market.price_decline, years);
}
double commercial_price(const World& world) {
  return commercial_price(world, Kernel::now());
}

/// Demand at price `price` relative to demand at the commercial price of the start:
/// ((1 + p / p0) / 2)^-elasticity, 1 at p0 and 2^elasticity when free.
double price_multiplier(double price, double start_price, double elasticity) {
  if (elasticity == 0 || start_price <= 0) return 1;
  return std::pow((1 + price / start_price) / 2, -elasticity);
}

double exponential(Rng& rng, double mean) {
  return -mean * std::log(1 - rng.uniform());
}

/// How long a user of `group` stays in a queue: exponential with the group's mean, drawn only
/// when it has one, from the group's own patience stream: the arrivals, sizes and pools of its
/// jobs are then the same draws whatever the patience (common random numbers).
double patience(World& world, const UserGroupSpec& group) {
  if (group.queue_patience_days <= 0) return std::numeric_limits<double>::infinity();
  auto stream = world.patience_streams.find(group.id);
  if (stream == world.patience_streams.end())
    stream = world.patience_streams.emplace(group.id, world.stream("patience/" + group.id)).first;
  return exponential(stream->second, group.queue_patience_days) * seconds_per_day;
}

/// The month after the one that contains `time`, as simulated seconds, capped at the horizon.
double next_month_time(const World& world, double time) {
  const Calendar& calendar = world.log.calendar();
  const double next = calendar.to_time(Calendar::next_month_start(calendar.to_date(time)));
  return std::min(next, world.kernel.horizon_time());
}

std::string date_of(const World& world, double time) {
  return world.log.calendar().to_date(time).iso();
}

/// Sends a job to the pool of `pool`, counting its GPU-hours as demand on the pool now.
void submit_job(World& world, const std::string& pool, JobSubmitted job) {
  world.compute->pools[pool].submitted_gpu_hours +=
      static_cast<double>(job.gpus) * job.reference_seconds / seconds_per_hour;
  Inbox<PoolNews>(pool_inbox(pool)).send(std::move(job));
}

/// A commercial pool for a commercial job (a fleet's, or an SPC's commercial GPUs): at random in
/// proportion to the GPUs each has on, by pool name; none when no such pool has GPUs on.
std::optional<std::string> commercial_pool(World& world, Rng& rng) {
  std::int64_t total = 0;
  for (const auto& [name, pool] : world.compute->pools)
    if (name != public_pool) total += pool.gpus_on;
  if (total == 0) return std::nullopt;
  auto pick = static_cast<std::int64_t>(rng.below(static_cast<std::uint64_t>(total)));
  for (const auto& [name, pool] : world.compute->pools) {
    if (name == public_pool) continue;
    if (pick < pool.gpus_on) return name;
    pick -= pool.gpus_on;
  }
  return std::nullopt;
}

/// One pool's actor: its pods, its queue, and what it measures each month.
class PoolActor {
 public:
  PoolActor(World& world, std::string name, std::string kind, std::int64_t start_gpus,
            std::string start_generation, PowerSite start_where)
      : world_(world),
        compute_(*world.scenario.compute),
        name_(std::move(name)),
        kind_(std::move(kind)),
        pool_(compute_.pod_gpus, pods_per_pool(compute_),
              {static_cast<std::size_t>(compute_.backfill_depth), compute_.walltime_factor}),
        inbox_(pool_inbox(name_)),
        shared_(world.compute->pools[name_]),
        start_gpus_(start_gpus),
        start_generation_(std::move(start_generation)),
        start_where_(std::move(start_where)),
        by_source_(kind_ == "public"),
        pod_sources_(by_source_ ? pool_.pods() : 0),
        pod_joules_(pool_.pods(), 0.0),
        walltime_stream_(world.stream("walltime/" + name_)) {
    const auto states = power_states(world.scenario);
    for (std::size_t s = 0; s < states.size(); ++s)
      generations_.push_back({states[s]->id, states[s]->performance, static_cast<int>(s)});
  }

  void run() {
    inbox_.claim();
    if (start_gpus_ > 0) add_gpus(start_gpus_, start_generation_, name_, start_where_);
    const double horizon = world_.kernel.horizon_time();
    period_start_ = Kernel::now();
    last_ = period_start_;
    double month_end = next_month_time(world_, period_start_);
    for (;;) {
      const double next_end = running_.empty() ? horizon : running_.top().end;
      const double wake = std::min({next_end, month_end, horizon, pool_.next_leave()});
      auto news = inbox_.poll_until(wake);
      advance(Kernel::now());
      leave_queue();
      if (news) {
        if (const auto* online = std::get_if<GpusOnline>(&*news))
          add_gpus(online->gpus, online->generation, online->source, online->where);
        else
          queue(std::get<JobSubmitted>(*news));
        start_jobs();
        continue;
      }
      // Everything due at `wake` happens now, whatever rounding did to the clock.
      while (!running_.empty() && running_.top().end <= wake) {
        Running done = running_.top();
        running_.pop();
        Kernel::finish_job(done.job);
        advance(Kernel::now());
        pool_.release(done.started.part);
        count_on_sources(done.started, -1);
        group_busy_[done.started.job.group] -= done.started.job.gpus;
        busy_work_rate_ -= done.work_rate;
      }
      start_jobs();
      if (wake >= month_end || wake >= horizon) {
        report();
        if (wake >= horizon) break;
        month_end = next_month_time(world_, Kernel::now());
      }
    }
    inbox_.cancel();
    // Jobs still running at the horizon are not observed further.
    while (!running_.empty()) {
      running_.top().job->cancel();
      running_.pop();
    }
  }

 private:
  struct Generation {
    std::string id;
    double performance = 1;
    int state = 0;
  };
  struct Running {
    StartedJob started;
    ComputeJob job;
    double end = 0;
    double work_rate = 0;  ///< H100-equivalent GPUs: its GPUs x its pod's performance
    bool operator<(const Running& other) const {  // the earliest end on top; ties by job, pod
      return std::tie(end, started.job.id, started.pod) >
             std::tie(other.end, other.started.job.id, other.started.pod);
    }
  };
  /// The GPUs one call put in the public pool. A pod's GPUs come from the deliveries that filled
  /// it; its busy GPUs and energy are split among them in proportion.
  struct Source {
    std::string id;
    std::int64_t gpus_on = 0;
    /// Sum over running parts of their GPUs x the source's GPUs in the part's pod.
    std::int64_t busy_units = 0;
    double work_units = 0;  ///< the same x the pod's performance
    double capacity_hours = 0;
    double busy_hours = 0;
    double value_krw = 0;
    double joules = 0;
    double cost_joules = 0;  ///< joules x the PUE x the tariff share of their pods' sites
  };
  /// The GPUs of one site (with its PUE and tariff share): those waiting for a pod there and, on
  /// the public pool, the deliveries they came from, in order.
  struct Placement {
    PowerSite where;
    std::int64_t waiting = 0;
    std::deque<std::pair<std::size_t, std::int64_t>> waiting_sources;  ///< source, GPUs
  };
  /// A site's energy in the month being reported.
  struct SiteMonth {
    std::int64_t gpus = 0;
    double joules = 0;
    double facility_joules = 0;
    double cost_joules = 0;
  };
  struct GroupMonth {
    std::int64_t submitted = 0;
    std::int64_t started = 0;
    std::int64_t lost = 0;
    double gpu_hours = 0;
    double wait_hours = 0;
    std::int64_t reneged = 0;
  };

  /// Busy and capacity GPU-hours from the last change to `time`.
  void advance(double time) {
    const double hours = (time - last_) / seconds_per_hour;
    if (hours > 0) {
      capacity_hours_ += static_cast<double>(pool_.gpus_on()) * hours;
      busy_hours_ += static_cast<double>(pool_.busy_gpus()) * hours;
      shared_.capacity_gpu_hours += static_cast<double>(pool_.gpus_on()) * hours;
      shared_.busy_gpu_hours += static_cast<double>(pool_.busy_gpus()) * hours;
      for (const auto& [group, busy] : group_busy_)
        if (busy > 0) groups_[group].gpu_hours += static_cast<double>(busy) * hours;
      // The work done, in H100-equivalent GPU-hours, at the commercial price of an H100-hour at
      // the moment (taken at the middle of the interval; it falls slowly and smoothly): what a
      // commercial pool sells.
      const double price = commercial_price(world_, (last_ + time) / 2);
      value_krw_ += busy_work_rate_ * hours * price;
      const auto pod_gpus = static_cast<double>(pool_.pod_gpus());
      for (Source& source : sources_) {
        source.capacity_hours += static_cast<double>(source.gpus_on) * hours;
        source.busy_hours += static_cast<double>(source.busy_units) / pod_gpus * hours;
        source.value_krw += source.work_units / pod_gpus * hours * price;
      }
    }
    last_ = time;
  }

  /// Adds (sign 1) or removes (-1) a running part's GPUs from the sources of its pod.
  void count_on_sources(const StartedJob& part, int sign) {
    if (!by_source_) return;
    const double performance = pool_.performance(part.pod);
    for (const auto& [index, gpus] : pod_sources_[part.pod]) {
      const std::int64_t units = sign * part.job.gpus * gpus;
      sources_[index].busy_units += units;
      sources_[index].work_units += static_cast<double>(units) * performance;
    }
  }

  std::size_t source_index(const std::string& id) {
    for (std::size_t i = 0; i < sources_.size(); ++i)
      if (sources_[i].id == id) return i;
    sources_.push_back({id});
    return sources_.size() - 1;
  }

  std::size_t placement_index(const PowerSite& where) {
    for (std::size_t i = 0; i < placements_.size(); ++i)
      if (placements_[i].where == where) return i;
    placements_.push_back({where, 0, {}});
    return placements_.size() - 1;
  }

  void add_gpus(std::int64_t gpus, const std::string& generation_id, const std::string& source,
                const PowerSite& where) {
    const auto generation =
        std::find_if(generations_.begin(), generations_.end(),
                     [&](const Generation& g) { return g.id == generation_id; });
    if (generation == generations_.end())
      throw ModelError("pool " + name_ + ": GPUs of generation '" + generation_id +
                       "', which no vendor sells");
    const std::size_t source_at = by_source_ ? source_index(source) : 0;
    const std::size_t index = placement_index(where);
    Placement& at = placements_[index];
    at.waiting += gpus;
    if (by_source_) at.waiting_sources.emplace_back(source_at, gpus);
    // GPUs run in whole pods at their site, each pod of the generation that completed it.
    while (at.waiting >= pool_.pod_gpus()) {
      if (pool_.pods_on() == pool_.pods())
        throw ModelError("pool " + name_ + " has more than /compute/max_gpus_per_pool (" +
                         std::to_string(compute_.max_gpus_per_pool) +
                         ") GPUs online: raise it so that enough hosts are made");
      const std::size_t pod = pool_.switch_on(generation->performance);
      performance_on_ += generation->performance * static_cast<double>(pool_.pod_gpus());
      Kernel::switch_on(pod_host(name_, pod), generation->state);
      pod_placement_.push_back(index);
      at.waiting -= pool_.pod_gpus();
      fill_from_sources(pod, at);
    }
    share();
  }

  /// The pod's GPUs are the first pod_gpus of the site's deliveries still waiting, in order.
  void fill_from_sources(std::size_t pod, Placement& at) {
    if (!by_source_) return;
    std::int64_t left = pool_.pod_gpus();
    while (left > 0) {
      auto& [index, gpus] = at.waiting_sources.front();
      const std::int64_t taken = std::min(left, gpus);
      pod_sources_[pod].emplace_back(index, taken);
      sources_[index].gpus_on += taken;
      left -= taken;
      gpus -= taken;
      if (gpus == 0) at.waiting_sources.pop_front();
    }
  }

  /// The queued jobs whose users' patience ran out leave, unstarted.
  void leave_queue() {
    for (const PoolJob& job : pool_.leave(Kernel::now())) {
      queued_work_ -= static_cast<double>(job.gpus) * job.reference_seconds;
      ++jobs_reneged_;
      ++groups_[job.group].reneged;
    }
  }

  void queue(const JobSubmitted& job) {
    ++jobs_submitted_;
    GroupMonth& group = groups_[job.group];
    ++group.submitted;
    // The wait a user expects: the queue's work spread over every GPU of the pool. Longer than
    // the user waits, and the job leaves at once (demand lost; without GPUs on it always waits,
    // as GPUs are on their way).
    if (std::isfinite(job.max_wait_seconds) && pool_.gpus_on() > 0 &&
        queued_work_ / performance_on_ > job.max_wait_seconds) {
      ++jobs_lost_;
      ++group.lost;
      return;
    }
    pool_.submit({next_job_++, job.group, job.gpus, job.reference_seconds, Kernel::now(),
                  job.holds_gpus, Kernel::now() + job.patience_seconds, requested_walltime()});
    queued_work_ += static_cast<double>(job.gpus) * job.reference_seconds;
    share();
  }

  /// The wall time this job's user asks for, as a factor of its run time: the pool's own
  /// (0) when requests do not scatter, else drawn from the pool's wall-time stream, so that the
  /// jobs themselves are the same draws whatever the scatter.
  double requested_walltime() {
    if (compute_.walltime_spread <= 0) return 0;
    const double sigma = compute_.walltime_spread;
    return std::max(1.0, compute_.walltime_factor *
                             std::exp(sigma * walltime_stream_.normal() - 0.5 * sigma * sigma));
  }

  void start_jobs() {
    for (StartedJob& started : pool_.start_jobs(Kernel::now())) {
      // The host's cores do `performance` units of work a second in the generation's power
      // state, so the execution's work is what keeps them busy for as long as the job runs:
      // its H100-seconds, or, for GPUs held for a period, that period at the pod's speed.
      const double performance = pool_.performance(started.pod);
      const double work = started.job.holds_gpus ? started.job.reference_seconds * performance
                                                 : started.job.reference_seconds;
      ComputeJob job =
          Kernel::start_job(pod_host(name_, started.pod), static_cast<int>(started.job.gpus), work);
      queued_work_ -= static_cast<double>(started.job.gpus) * started.job.reference_seconds;
      group_busy_[started.job.group] += started.job.gpus;
      if (started.first) {  // a job spread over pods starts and waits once
        const double wait = (Kernel::now() - started.job.submitted) / seconds_per_hour;
        GroupMonth& group = groups_[started.job.group];
        ++group.started;
        group.wait_hours += wait;
        ++jobs_started_;
        if (started.backfilled) ++jobs_backfilled_;
        wait_hours_ += wait;
      }
      count_on_sources(started, 1);
      const double end = started.end;
      const double work_rate = static_cast<double>(started.job.gpus) * performance;
      busy_work_rate_ += work_rate;
      running_.push({std::move(started), std::move(job), end, work_rate});
    }
    share();
  }

  /// What users and fleets may read of the pool.
  void share() {
    shared_.gpus_on = pool_.gpus_on();
    shared_.busy_gpus = pool_.busy_gpus();
    shared_.waiting_gpus = pool_.waiting_gpus();
  }

  void report() {
    // Each pod's energy since the last report, at its site's PUE and tariff share.
    double joules = 0;
    double facility_joules = 0;
    double cost_joules = 0;
    std::map<std::pair<std::string, bool>, SiteMonth> sites;  ///< by site and region class
    const auto pod_gpus = static_cast<double>(pool_.pod_gpus());
    for (std::size_t pod = 0; pod < pool_.pods_on(); ++pod) {
      const double consumed = Kernel::consumed_joules(pod_host(name_, pod));
      const double delta = consumed - pod_joules_[pod];
      pod_joules_[pod] = consumed;
      const PowerSite& where = placements_[pod_placement_[pod]].where;
      const double facility = delta * where.pue;
      const double cost = facility * where.tariff_share;
      joules += delta;
      facility_joules += facility;
      cost_joules += cost;
      SiteMonth& site = sites[{where.site, where.non_capital}];
      site.gpus += pool_.pod_gpus();
      site.joules += delta;
      site.facility_joules += facility;
      site.cost_joules += cost;
      if (by_source_)
        for (const auto& [index, gpus] : pod_sources_[pod]) {
          const double share = static_cast<double>(gpus) / pod_gpus;
          sources_[index].joules += delta * share;
          sources_[index].cost_joules += cost * share;
        }
    }
    const double price_krw_per_kwh =
        world_.scenario.market.power_price_krw_per_kwh * world_.market.power_price;
    // Joules at a tariff share to bn KRW at the day's price.
    const auto cost_bn_krw = [price_krw_per_kwh](double weighted_joules) {
      return round_money(weighted_joules / 3.6e6 * price_krw_per_kwh / 1e9);
    };
    events::ComputeMonth month;
    month.pool = name_;
    month.kind = kind_;
    month.from = date_of(world_, period_start_);
    month.gpus = pool_.gpus_on();
    month.capacity_gpu_hours = round_to(capacity_hours_, 0.01);
    month.busy_gpu_hours = round_to(busy_hours_, 0.01);
    month.utilization = capacity_hours_ > 0 ? round_to(busy_hours_ / capacity_hours_, 1e-4) : 0;
    month.jobs_submitted = jobs_submitted_;
    month.jobs_started = jobs_started_;
    month.jobs_lost = jobs_lost_;
    month.jobs_backfilled = jobs_backfilled_;
    month.jobs_reneged = jobs_reneged_;
    month.jobs_waiting = static_cast<std::int64_t>(pool_.waiting());
    month.gpus_waiting = pool_.waiting_gpus();
    month.mean_wait_hours =
        jobs_started_ > 0 ? round_to(wait_hours_ / static_cast<double>(jobs_started_), 0.01) : 0;
    month.it_mwh = round_to(joules / 3.6e9, 0.001);
    month.facility_mwh = round_to(facility_joules / 3.6e9, 0.001);
    month.energy_cost_bn_krw = cost_bn_krw(cost_joules);
    month.value_bn_krw = round_money(value_krw_ / 1e9);
    std::vector<const Source*> by_id;
    for (const Source& source : sources_)
      by_id.push_back(&source);
    std::sort(by_id.begin(), by_id.end(),
              [](const Source* a, const Source* b) { return a->id < b->id; });
    for (const Source* source : by_id) {
      const double mwh = source->joules / 3.6e9;
      month.sources.push_back({source->id, source->gpus_on, round_to(source->capacity_hours, 0.01),
                               round_to(source->busy_hours, 0.01),
                               round_money(source->value_krw / 1e9), round_to(mwh, 0.001),
                               cost_bn_krw(source->cost_joules)});
    }
    for (Source& source : sources_)
      source.capacity_hours = source.busy_hours = source.value_krw = source.joules =
          source.cost_joules = 0;
    for (const auto& [group, use] : groups_)
      month.groups.push_back({group, use.submitted, use.started, use.lost,
                              round_to(use.gpu_hours, 0.01), round_to(use.wait_hours, 0.01),
                              use.reneged});
    for (const auto& [key, site] : sites)
      month.sites.push_back({key.first, key.second ? "non_capital" : "capital", site.gpus,
                             round_to(site.joules / 3.6e9, 0.001),
                             round_to(site.facility_joules / 3.6e9, 0.001),
                             cost_bn_krw(site.cost_joules)});
    world_.emit(name_, month);
    record_spc_month(world_, world_.log.calendar().to_date(period_start_).month_index(), month);
    period_start_ = Kernel::now();
    capacity_hours_ = busy_hours_ = wait_hours_ = value_krw_ = 0;
    jobs_submitted_ = jobs_started_ = jobs_lost_ = jobs_backfilled_ = jobs_reneged_ = 0;
    groups_.clear();
  }

  World& world_;
  const ComputeSpec& compute_;
  std::string name_;
  std::string kind_;  ///< "public", "spc" or "fleet", as compute_month reports it
  GpuPool pool_;
  Inbox<PoolNews> inbox_;
  World::Pool& shared_;  ///< what users and fleets may read of the pool
  std::int64_t start_gpus_;
  std::string start_generation_;
  PowerSite start_where_;  ///< where the GPUs of the start run
  bool by_source_;         ///< the public pool counts each call's GPUs apart
  std::vector<Source> sources_;
  std::vector<Placement> placements_;
  std::vector<std::size_t> pod_placement_;  ///< per pod switched on, its site's placement
  std::vector<std::vector<std::pair<std::size_t, std::int64_t>>> pod_sources_;  ///< source, GPUs
  std::vector<double> pod_joules_;  ///< energy reported so far, per pod
  Rng walltime_stream_;             ///< the users' wall-time requests (walltime_spread > 0)
  std::vector<Generation> generations_;
  std::priority_queue<Running> running_;
  std::map<std::string, std::int64_t> group_busy_;
  double queued_work_ = 0;     ///< GPU-seconds on H100-class GPUs of the jobs queued
  double performance_on_ = 0;  ///< H100-equivalent GPUs in pods that are on
  std::uint64_t next_job_ = 0;
  // The period being measured.
  double period_start_ = 0;
  double last_ = 0;
  double capacity_hours_ = 0;
  double busy_hours_ = 0;
  double wait_hours_ = 0;
  double value_krw_ = 0;       ///< the work done at the commercial price
  double busy_work_rate_ = 0;  ///< H100-equivalent GPUs of the jobs running
  std::int64_t jobs_submitted_ = 0;
  std::int64_t jobs_started_ = 0;
  std::int64_t jobs_lost_ = 0;
  std::int64_t jobs_backfilled_ = 0;
  std::int64_t jobs_reneged_ = 0;
  std::map<std::string, GroupMonth> groups_;
};

/// Whether an allocation call that gives `group` a share has a round open to applications now:
/// one that lies ahead by at most the call's every_months (its window). Before the first window
/// opens and after the last round, the programme draws no applications.
bool allocation_open(const World& world, const std::string& group) {
  const Calendar& calendar = world.log.calendar();
  const Date today = calendar.to_date(Kernel::now());
  for (const AllocationCallSpec& call : world.scenario.compute->allocation_calls) {
    const bool shared = std::any_of(call.shares.begin(), call.shares.end(),
                                    [&](const auto& s) { return s.group == group && s.share > 0; });
    if (!shared) continue;
    for (int round = 0; round < call.rounds; ++round) {
      const Date date = call.first.plus_months(call.every_months * round);
      if (world.scenario.horizon < date) break;
      if (world.time_of(date, 12) <= Kernel::now()) continue;
      if (!(today.plus_months(call.every_months) < date)) return true;
      break;
    }
  }
  return false;
}

/// The lowest price any allocation call giving `group` a share charges (the commercial price at
/// the start when none does: the group then applies nowhere).
double allocation_price(const World& world, const std::string& group, double fallback) {
  double price = std::numeric_limits<double>::infinity();
  for (const AllocationCallSpec& call : world.scenario.compute->allocation_calls)
    for (const AllocationShareSpec& share : call.shares)
      if (share.group == group && share.share > 0)
        price = std::min(price, call.price_krw_per_gpu_hour);
  return std::isfinite(price) ? price : fallback;
}

/// A user group's actor: its jobs and applications as a Poisson process whose rate is set at each
/// month's start (growth, demand shocks, prices), until the horizon.
void run_user_group(World& world, const UserGroupSpec& group) {
  Rng rng = world.stream("users/" + group.id);
  const double horizon = world.kernel.horizon_time();
  const double start_price = world.scenario.market.gpu_hour_price_krw;
  const double allocation_paid = allocation_price(world, group.id, start_price);
  std::uint64_t applications_made = 0;
  double month_start = Kernel::now();
  while (month_start < horizon) {
    const double month_end = next_month_time(world, month_start);
    const double years = month_start / (365.25 * seconds_per_day);
    const double growth = std::pow(1 + group.growth_per_year, years) * world.market.demand;
    const double price = commercial_price(world);
    const double commercial_rate = group.jobs_per_month * (1 - group.allocation_share) * growth *
                                   price_multiplier(price, start_price, group.price_elasticity);
    const double allocation_rate =
        group.jobs_per_month * group.allocation_share * growth *
        price_multiplier(allocation_paid, start_price, group.price_elasticity);
    const double rate = (commercial_rate + allocation_rate) / (days_per_month * seconds_per_day);
    events::DemandMonth month;
    month.group = group.id;
    month.kind = std::string(user_group_kind_names[static_cast<std::size_t>(group.kind)]);
    month.from = date_of(world, month_start);
    month.commercial_price_krw = round_to(price, 0.01);
    month.rate_multiplier =
        group.jobs_per_month > 0
            ? round_to((commercial_rate + allocation_rate) / group.jobs_per_month, 1e-4)
            : 0;
    // Arrivals within the month at a constant rate; the gap that crosses the month's end is
    // drawn again from there at the next month's rate (exponential gaps have no memory).
    double time = month_start;
    while (rate > 0) {
      time += exponential(rng, 1 / rate);
      if (time >= month_end) break;
      Kernel::sleep_until(time);
      const bool applies = rng.uniform() * (commercial_rate + allocation_rate) < allocation_rate;
      const double days = exponential(rng, group.job_days);
      if (applies) {
        if (!allocation_open(world, group.id)) continue;  // no programme to apply to yet
        const double merit = rng.uniform();
        world.compute->applications[group.id].push_back(
            {group.id + "/" + std::to_string(++applications_made), group.id,
             group.application_gpus > 0 ? group.application_gpus : group.job_gpus,
             group.application_days > 0 ? group.application_days : days, merit});
        ++month.applications;
        continue;
      }
      if (auto pool = commercial_pool(world, rng)) {
        submit_job(world, *pool,
                   {.group = group.id,
                    .gpus = group.job_gpus,
                    .reference_seconds = days * seconds_per_day,
                    .max_wait_seconds = group.max_wait_days * seconds_per_day,
                    .patience_seconds = patience(world, group)});
        ++month.commercial_jobs;
      } else {
        ++month.unserved_jobs;
      }
    }
    Kernel::sleep_until(month_end);
    world.emit(group.id, month);
    month_start = month_end;
  }
}

/// A fleet's own customers: jobs at the rate that buys its demand_gpu_hours_per_year, growing at
/// the market's demand growth and following demand shocks, sent to its pool.
void run_customers(World& world, const AgentSpec& agent) {
  const ComputeSpec& compute = *world.scenario.compute;
  Rng rng = world.stream("customers/" + agent.id);
  // Patience from a stream of its own: the arrivals are the same draws whatever it is.
  Rng patience_stream = world.stream("patience/customers/" + agent.id);
  const double horizon = world.kernel.horizon_time();
  const double job_hours =
      static_cast<double>(compute.customer_job_gpus) * compute.customer_job_days * 24.0;
  double month_start = Kernel::now();
  while (month_start < horizon) {
    const double month_end = next_month_time(world, month_start);
    const double years = month_start / (365.25 * seconds_per_day);
    const double gpu_hours_per_year = agent.fleet->demand_gpu_hours_per_year *
                                      std::pow(1 + world.scenario.market.demand_growth, years) *
                                      world.market.demand;
    const double rate = gpu_hours_per_year / job_hours / (365.25 * seconds_per_day);
    double time = month_start;
    while (rate > 0) {
      time += exponential(rng, 1 / rate);
      if (time >= month_end) break;
      Kernel::sleep_until(time);
      const double days = exponential(rng, compute.customer_job_days);
      JobSubmitted job{"customers", compute.customer_job_gpus, days * seconds_per_day,
                       compute.customer_max_wait_days * seconds_per_day};
      if (compute.customer_queue_patience_days > 0)
        job.patience_seconds =
            exponential(patience_stream, compute.customer_queue_patience_days) * seconds_per_day;
      submit_job(world, agent.id, job);
    }
    Kernel::sleep_until(month_end);
    month_start = month_end;
  }
}

/// An allocation call's rounds: at noon on each round's date it offers its share of the public
/// GPUs not held by earlier awards, decides the waiting applications of the groups it serves
/// (allocate_by_shares), runs the awards on the public pool and sends the unawarded where their
/// groups send them.
void run_allocation_call(World& world, const AllocationCallSpec& call) {
  const Scenario& scenario = world.scenario;
  std::map<std::string, const UserGroupSpec*> groups;
  for (const UserGroupSpec& group : scenario.compute->user_groups)
    groups[group.id] = &group;
  std::vector<GroupShare> shares;
  for (const AllocationShareSpec& share : call.shares)
    shares.push_back({share.group, share.share});
  for (int round = 1; round <= call.rounds; ++round) {
    const Date date = call.first.plus_months(call.every_months * (round - 1));
    if (scenario.horizon < date) break;
    Kernel::sleep_until(world.time_of(date, 12));
    const World::Pool& pool = world.compute->pools[public_pool];
    const std::int64_t free_gpus =
        std::max<std::int64_t>(0, pool.gpus_on - pool.busy_gpus - pool.waiting_gpus);
    const auto capacity =
        static_cast<std::int64_t>(std::floor(call.capacity_share * static_cast<double>(free_gpus)));
    std::vector<AllocationApplication> applications;
    for (const AllocationShareSpec& share : call.shares) {
      auto& waiting = world.compute->applications[share.group];
      applications.insert(applications.end(), waiting.begin(), waiting.end());
      waiting.clear();
    }
    AllocationOutcome outcome =
        allocate_by_shares(capacity, shares, applications, call.redistribute_unused);
    events::AllocationDecided decided;
    decided.call = call.id;
    decided.round = round;
    decided.capacity_gpus = outcome.capacity_gpus;
    decided.requested_gpus = outcome.requested_gpus;
    decided.awarded_gpus = outcome.awarded_gpus;
    if (capacity > 0) decided.oversubscription = round_to(outcome.oversubscription, 1e-4);
    decided.price_krw_per_gpu_hour = call.price_krw_per_gpu_hour;
    for (const GroupAllocation& g : outcome.groups)
      decided.groups.push_back({g.group, g.share, g.requested_gpus, g.entitled_gpus, g.awarded_gpus,
                                g.applications, g.awarded_applications});
    std::map<std::string, std::int64_t> awarded;
    for (const AllocationAward& award : outcome.awards) {
      awarded[award.application] = award.gpus;
      if (award.gpus > 0)
        submit_job(world, public_pool,
                   {.group = award.group,
                    .gpus = award.gpus,
                    .reference_seconds = std::min(award.days, call.max_days) * seconds_per_day,
                    .holds_gpus = call.awards_hold_gpus});
    }
    // What was not awarded, application by application in rank order: to commercial clouds, to
    // the next round, or given up, drawn from the round's own stream.
    Rng rng = world.stream("allocation/" + call.id + "/" + std::to_string(round));
    std::sort(applications.begin(), applications.end(),
              [](const auto& a, const auto& b) { return a.id < b.id; });
    for (AllocationApplication& application : applications) {
      const auto got = awarded.find(application.id);
      const std::int64_t left = application.gpus - (got == awarded.end() ? 0 : got->second);
      if (left <= 0) continue;
      const UserGroupSpec& group = *groups.at(application.group);
      const double draw = rng.uniform();
      application.gpus = left;
      if (draw < group.unawarded_to_commercial) {
        ++decided.to_commercial;
        if (auto target = commercial_pool(world, rng))
          submit_job(world, *target,
                     {.group = application.group,
                      .gpus = left,
                      .reference_seconds = application.days * seconds_per_day,
                      .max_wait_seconds = group.max_wait_days * seconds_per_day,
                      .patience_seconds = patience(world, group)});
      } else if (draw < group.unawarded_to_commercial + group.unawarded_reapply) {
        ++decided.reapplying;
        world.compute->applications[application.group].push_back(application);
      } else {
        ++decided.given_up;
      }
    }
    world.emit(call.issuer, decided);
  }
}

}  // namespace

std::string pod_host(const std::string& pool, std::size_t pod) {
  return "pod/" + pool + "/" + std::to_string(pod);
}

std::vector<ComputeHostSpec> compute_hosts(const Scenario& scenario) {
  std::vector<ComputeHostSpec> hosts;
  if (!scenario.compute) return hosts;
  const ComputeSpec& compute = *scenario.compute;
  const auto states = power_states(scenario);
  const auto gpus = static_cast<double>(compute.pod_gpus);
  ComputeHostSpec pod;
  pod.cores = static_cast<int>(compute.pod_gpus);
  for (const GpuGenerationSpec* g : states) {
    pod.speeds.push_back(g->performance);
    const double busy = gpus * g->kw_per_gpu * 1000.0;
    pod.busy_watts.push_back(busy);
    pod.idle_watts.push_back(busy * scenario.assumptions.idle_power_share);
  }
  for (const std::string& pool : pool_names(scenario))
    for (std::size_t i = 0; i < pods_per_pool(compute); ++i) {
      pod.name = pod_host(pool, i);
      hosts.push_back(pod);
    }
  return hosts;
}

void gpus_online(World& world, const std::string& pool, std::int64_t gpus,
                 const std::string& generation, const std::string& source, const PowerSite& where) {
  if (world.compute && gpus > 0)
    Inbox<PoolNews>(pool_inbox(pool)).send(GpusOnline{gpus, generation, source, where});
}

std::optional<double> observed_demand(World& world, const std::string& pool) {
  if (!world.compute) return std::nullopt;
  const auto found = world.compute->pools.find(pool);
  if (found == world.compute->pools.end()) return std::nullopt;
  const double elapsed_years = Kernel::now() / (365.25 * seconds_per_day);
  if (elapsed_years <= 0) return std::nullopt;
  // The fleets decide at quarter starts: the demand of the last four of them, from the running
  // total each decision leaves behind.
  auto& history = world.observed_totals[pool];
  history.push_back(found->second.submitted_gpu_hours);
  if (history.size() > 5) history.pop_front();
  if (history.size() == 5) return history.back() - history.front();
  return found->second.submitted_gpu_hours / elapsed_years;
}

void start_compute(World& world) {
  const Scenario& scenario = world.scenario;
  if (!scenario.compute) return;
  world.compute.emplace();
  const ComputeSpec& compute = *scenario.compute;
  const GpuGenerationSpec* oldest = oldest_generation(scenario);
  for (const std::string& name : pool_names(scenario)) {
    world.compute->pools[name];
    const CallSpec* spc = name == public_pool ? nullptr : spc_of_pool(scenario, name);
    const AgentSpec* owner = name == public_pool || spc ? nullptr : scenario.find_agent(name);
    // A fleet's GPUs of the start have no site: its own PUE, and its tariff where most of its
    // sites are, as its expansion decisions value them.
    PowerSite start_where;
    if (owner) {
      const bool outside = fleet_outside_capital(world, name);
      start_where = {"", owner->fleet->pue,
                     site_power_factor(std::nullopt, outside, scenario.programme.fleet_instruments,
                                       scenario.assumptions),
                     outside};
    }
    const std::int64_t start_gpus = owner && oldest ? owner->gpus : 0;
    std::string generation = oldest ? oldest->id : "";
    std::string kind = owner ? "fleet" : spc ? "spc" : "public";
    world.kernel.spawn("pool/" + name, owner ? name : "tender-board",
                       [&world, name, kind, start_gpus, generation, start_where] {
                         PoolActor(world, name, kind, start_gpus, generation, start_where).run();
                       });
  }
  for (const AgentSpec& agent : scenario.agents)
    if (agent.fleet && agent.fleet->demand_gpu_hours_per_year > 0)
      world.kernel.spawn("customers/" + agent.id, agent.id,
                         [&world, &agent] { run_customers(world, agent); });
  std::vector<const UserGroupSpec*> groups;
  for (const UserGroupSpec& group : compute.user_groups)
    groups.push_back(&group);
  std::sort(groups.begin(), groups.end(),
            [](const auto* a, const auto* b) { return a->id < b->id; });
  for (const UserGroupSpec* group : groups)
    world.kernel.spawn("users/" + group->id, "tender-board",
                       [&world, group] { run_user_group(world, *group); });
  std::vector<const AllocationCallSpec*> calls;
  for (const AllocationCallSpec& call : compute.allocation_calls)
    calls.push_back(&call);
  std::sort(calls.begin(), calls.end(), [](const auto* a, const auto* b) { return a->id < b->id; });
  for (const AllocationCallSpec* call : calls)
    world.kernel.spawn("allocation/" + call->id, call->issuer,
                       [&world, call] { run_allocation_call(world, *call); });
}

}  // namespace tenderlab::detail
