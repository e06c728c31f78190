#include "tenderlab/engine/kernel.hpp"

#include <simgrid/plugins/energy.h>
#include <xbt/log.h>
#include <simgrid/Exception.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Host.hpp>
#include <simgrid/s4u/NetZone.hpp>

#include <cmath>
#include <sstream>

#include "tenderlab/engine/input_error.hpp"

namespace sg4 = simgrid::s4u;

namespace tenderlab {

struct Kernel::State {
  std::unique_ptr<sg4::Engine> engine;
  std::string first_error;  // the first failure inside an actor, if any
  bool deadlock = false;
  std::string deadlock_report;
  double deadlock_time = 0;
  double horizon_time = 0;
  std::string horizon_date;
  const Calendar* calendar = nullptr;
  int live_actors = 0;
};

namespace {
// SimGrid's signals are static: the kernel of this process is the only one they may reach.
Kernel::State* current_state = nullptr;

/// "2025-01-04 (t=302400)": the date for a reader, the seconds for telling apart instants of
/// one day.
std::string describe_time(double time) {
  std::ostringstream out;
  out.precision(15);
  if (current_state && std::isfinite(time)) out << current_state->calendar->iso(time) << " ";
  out << "(t=" << time << ")";
  return out.str();
}
}  // namespace

Kernel::Kernel(Calendar calendar, double horizon_time, const std::vector<std::string>& hosts,
               const KernelOptions& options, const std::vector<ComputeHostSpec>& compute_hosts)
    : calendar_(calendar), horizon_time_(horizon_time), state_(std::make_unique<State>()) {
  if (current_state) throw RunError("only one simulation kernel may exist per process");
  // Silence SimGrid unless asked: its logs go to stderr and even CRITICAL lines pass a
  // threshold, so the appender itself is redirected.
  if (!options.verbose) xbt_log_control_set("root.thresh:critical root.app:file:/dev/null");
  std::vector<std::string> args{"tenderlab"};
#if defined(__SANITIZE_ADDRESS__)
  // AddressSanitizer misreads exceptions unwinding across the default context switches as stack
  // overflows; thread contexts give the same simulation (the schedule does not depend on them).
  // It must be chosen when the engine is created, hence an argument rather than set_config.
  args.emplace_back("--cfg=contexts/factory:thread");
#endif
  for (const auto& arg : options.simgrid_args)
    args.push_back(arg);
  std::vector<char*> argv;
  for (auto& arg : args)
    argv.push_back(arg.data());
  argv.push_back(nullptr);
  int argc = static_cast<int>(args.size());
  state_->engine = std::make_unique<sg4::Engine>(&argc, argv.data());
  state_->horizon_time = horizon_time;
  state_->horizon_date = calendar_.iso(horizon_time);
  state_->calendar = &calendar_;
  // CM02 honours declared latencies exactly; the default model scales them.
  sg4::Engine::set_config("network/model", std::string("CM02"));
  current_state = state_.get();
  // The plugin attaches to hosts as they are created, so it is loaded before any; without
  // compute hosts it would only cost time.
  if (!compute_hosts.empty()) sg_host_energy_plugin_init();

  auto* zone = sg4::create_star_zone("market");
  for (const auto& name : hosts) {
    auto* host = zone->create_host(name, 1e9);
    auto* link = zone->create_split_duplex_link(name + "-link", 1e12)->set_latency(0);
    zone->add_route(
        host->get_netpoint(), nullptr, nullptr, nullptr,
        {{link, sg4::LinkInRoute::Direction::UP}, {link, sg4::LinkInRoute::Direction::DOWN}}, true);
  }
  std::vector<sg4::Host*> pods;
  for (const ComputeHostSpec& spec : compute_hosts) {
    if (spec.speeds.empty() || spec.idle_watts.size() != spec.speeds.size() ||
        spec.busy_watts.size() != spec.speeds.size() || spec.cores < 1)
      throw RunError("compute host '" + spec.name +
                     "' needs at least one core and, per power state, a speed and two wattages");
    auto* host = zone->create_host(spec.name, spec.speeds);
    host->set_core_count(spec.cores);
    // "idle:epsilon:all cores" per power state; a job on k of n cores draws
    // epsilon + (all cores - epsilon) x k / n, with epsilon the idle power here.
    std::ostringstream watts;
    watts.precision(17);
    for (std::size_t state = 0; state < spec.speeds.size(); ++state)
      watts << (state ? ", " : "") << spec.idle_watts[state] << ":" << spec.idle_watts[state] << ":"
            << spec.busy_watts[state];
    host->set_property("wattage_per_state", watts.str());
    host->set_property("wattage_off", "0");
    pods.push_back(host);
  }
  zone->seal();
  for (auto* pod : pods)
    pod->turn_off();

  sg4::Engine::on_deadlock_cb([] {
    if (!current_state) return;
    current_state->deadlock = true;
    current_state->deadlock_time = sg4::Engine::get_clock();
    std::ostringstream report;
    for (const auto& actor : sg4::Engine::get_instance()->get_all_actors())
      report << (report.tellp() > 0 ? ", " : "") << actor->get_name();
    current_state->deadlock_report = report.str();
  });
}

Kernel::~Kernel() {
  current_state = nullptr;
}

void Kernel::spawn(const std::string& name, const std::string& host, std::function<void()> body) {
  State* state = state_.get();
  ++state->live_actors;
  sg4::Actor::create(name, sg4::Host::by_name(host), [state, name, body = std::move(body)] {
    auto record = [&](const std::string& what) {
      if (state->first_error.empty()) {
        std::ostringstream message;
        message << "error in actor '" << name << "' at t=" << sg4::Engine::get_clock() << ": "
                << what;
        state->first_error = message.str();
      }
      // Stop everybody else: the run has failed and must not continue as if nothing happened.
      sg4::Actor::kill_all();
    };
    try {
      body();
    } catch (const simgrid::ForcefulKillException&) {
      --state->live_actors;
      throw;  // being killed is not an error of this actor; never swallow it
    } catch (const std::exception& error) {
      record(error.what());
    } catch (...) {
      record("an exception of unknown type");
    }
    --state->live_actors;
  });
}

void Kernel::run() {
  // Run to completion: sleep_until refuses to go past the horizon, so the run ends by itself,
  // and SimGrid's deadlock detection sees actors that wait for messages nobody will send.
  state_->engine->run();
  if (!state_->first_error.empty()) throw RunError(state_->first_error);
  if (state_->deadlock)
    throw RunError("deadlock at " + calendar_.iso(state_->deadlock_time) +
                   ": every actor is waiting for a message that will never come (blocked: " +
                   state_->deadlock_report + ")");
  if (state_->live_actors > 0) {
    std::ostringstream names;
    for (const auto& actor : state_->engine->get_all_actors())
      names << (names.tellp() > 0 ? ", " : "") << actor->get_name();
    throw RunError("the simulation ran past its horizon " + calendar_.iso(horizon_time_) +
                   " with actors still active: " + names.str());
  }
}

void Kernel::switch_on(const std::string& host, int state) {
  auto* pod = sg4::Host::by_name(host);
  pod->turn_on();
  pod->set_pstate(state);
}

ComputeJob Kernel::start_job(const std::string& host, int cores, double work) {
  ComputeJob job =
      sg4::this_actor::exec_init(work)->set_host(sg4::Host::by_name(host))->set_thread_count(cores);
  job->start();
  return job;
}

void Kernel::finish_job(const ComputeJob& job) {
  if (!job->test()) job->wait();
}

double Kernel::consumed_joules(const std::string& host) {
  return sg_host_get_consumed_energy(sg4::Host::by_name(host));
}

double Kernel::now() {
  return sg4::Engine::get_clock();
}

void Kernel::check_before_horizon(double time) {
  if (current_state && time > current_state->horizon_time)
    throw RunError("it would run past its horizon " + current_state->horizon_date +
                   " (asked to wait until t=" + std::to_string(time) + ")");
}

void Kernel::sleep_until(double time) {
  const double current = now();
  if (!(time >= current)) {  // also catches NaN
    // Waking at `current` instead would reorder this actor's action after others it was meant
    // to precede: the schedule that asked for it is wrong, and the run must say so.
    const sg4::Actor* actor = sg4::Actor::self();
    throw ModelError("actor '" + std::string(actor ? actor->get_cname() : "?") +
                     "' asked to sleep until " + describe_time(time) + ", which is before now, " +
                     describe_time(current));
  }
  check_before_horizon(time);
  if (time > current) sg4::this_actor::sleep_until(time);
}

}  // namespace tenderlab
