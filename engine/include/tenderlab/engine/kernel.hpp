#pragma once
// The simulation kernel on SimGrid S4U. One Kernel per process (SimGrid keeps global state): the
// CLI runs one simulation per process and studies fork a fresh process per run.
//
// Agents are actors exchanging typed messages through Inbox<T>; simulated time advances with
// sleep_until. Failures never pass silently: an exception inside an actor, a deadlock, or actors
// still alive at the horizon all end the run with a RunError.
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include <algorithm>
#include <cmath>
#include <optional>

#include <simgrid/Exception.hpp>
#include <simgrid/s4u/Actor.hpp>
#include <simgrid/s4u/Comm.hpp>
#include <simgrid/s4u/Engine.hpp>
#include <simgrid/s4u/Exec.hpp>
#include <simgrid/s4u/Mailbox.hpp>

#include "tenderlab/engine/calendar.hpp"

namespace tenderlab {

/// The simulation did not complete: a deadlock, an error inside an actor, or a run past the
/// horizon. The message says which, where and when.
class RunError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct KernelOptions {
  bool verbose = false;                   ///< let SimGrid log to stderr
  std::vector<std::string> simgrid_args;  ///< --cfg=... and --log=... passed through
};

/// A pod of GPUs as a SimGrid host that runs jobs: one core per GPU and one power state per GPU
/// generation, whose speed per core is the generation's performance (an H100 does 1 unit of work
/// per second) and whose power is `idle_watts` idle and rises linearly with the share of busy
/// cores to `busy_watts` (SimGrid's host-energy plugin). It starts switched off, drawing nothing.
struct ComputeHostSpec {
  std::string name;
  int cores = 1;
  std::vector<double> speeds;      ///< per core, one per power state
  std::vector<double> idle_watts;  ///< the whole pod idle, per power state
  std::vector<double> busy_watts;  ///< the whole pod with every core busy, per power state
};

/// A job running on a compute host.
using ComputeJob = simgrid::s4u::ExecPtr;

class Kernel {
 public:
  /// Creates the SimGrid engine and a platform with one host per name in `hosts` and the compute
  /// hosts (the energy plugin is loaded only when there are any).
  Kernel(Calendar calendar, double horizon_time, const std::vector<std::string>& hosts,
         const KernelOptions& options, const std::vector<ComputeHostSpec>& compute_hosts = {});
  ~Kernel();
  Kernel(const Kernel&) = delete;
  Kernel& operator=(const Kernel&) = delete;

  /// Starts an actor on `host`. Its body runs inside a guard that turns exceptions into a
  /// RunError for the whole run.
  void spawn(const std::string& name, const std::string& host, std::function<void()> body);
  /// Runs to completion or to the horizon. Throws RunError on failure.
  void run();

  const Calendar& calendar() const { return calendar_; }
  double horizon_time() const { return horizon_time_; }

  static double now();
  /// Sleeps until absolute simulated time `time`, which must be now or later. Asking for a time
  /// already past is a schedule bug, never silently skipped: it throws ModelError naming the
  /// actor, the time asked for and the time it is. Throws RunError for a time past the horizon,
  /// so no actor can run the simulation beyond it.
  static void sleep_until(double time);
  /// Throws RunError when `time` lies past the horizon of the running kernel.
  static void check_before_horizon(double time);

  /// Switches a compute host on in power state `state` (its GPU generation). From an actor.
  static void switch_on(const std::string& host, int state);
  /// Starts a job on `cores` cores of a compute host that is on: each core does `work` units
  /// (seconds on a core of speed 1), so it ends after work / speed of the host's power state.
  static ComputeJob start_job(const std::string& host, int cores, double work);
  /// Waits for a job that should have ended by now (its end may lie a rounding error ahead).
  static void finish_job(const ComputeJob& job);
  /// Energy a compute host has drawn since the start of the run, in joules. From an actor.
  static double consumed_joules(const std::string& host);

  struct State;  // SimGrid's static callbacks reach the running kernel's state through this

 private:
  Calendar calendar_;
  double horizon_time_;
  std::unique_ptr<State> state_;
};

/// A typed, unbounded FIFO addressed by name: sends cost no simulated time.
template <class Message>
class Inbox {
 public:
  explicit Inbox(const std::string& name) : mailbox_(simgrid::s4u::Mailbox::by_name(name)) {}
  /// Makes the calling actor the permanent receiver so sends complete at once and keep FIFO
  /// order. Call it before anybody sends: a send to an inbox nobody claimed waits until its
  /// receiver reads it.
  void claim() { mailbox_->set_receiver(simgrid::s4u::Actor::self()); }
  /// Puts the message in the inbox and returns at the same instant, once the engine has
  /// completed the transfer (so the sender lets the other actors of this instant run first).
  /// Not a detached send: SimGrid keeps every detached send that its receiver has not read yet
  /// in one list for the whole simulation and scans that list whenever one completes, so n
  /// messages outstanding at once (a review answering n requests, n orders reaching a vendor)
  /// would cost O(n^2).
  void send(Message message) const { mailbox_->put(new Message(std::move(message)), 0); }
  Message receive() const {
    std::unique_ptr<Message> payload = mailbox_->get_unique<Message>();
    return std::move(*payload);
  }
  /// The next message, or nothing if none arrives before absolute time `time` (infinity: wait
  /// for as long as it takes). Messages already waiting are returned first, even when `time` is
  /// now.
  std::optional<Message> receive_until(double time) const {
    if (mailbox_->listen() || std::isinf(time)) return receive();
    Kernel::check_before_horizon(time);
    const double timeout = time - simgrid::s4u::Engine::get_clock();
    if (timeout <= 0) return std::nullopt;
    try {
      std::unique_ptr<Message> payload = mailbox_->get_unique<Message>(timeout);
      return std::move(*payload);
    } catch (const simgrid::TimeoutException&) {
      return std::nullopt;
    }
  }
  /// As receive_until, for an actor that wakes up often by its own clock: a wait that ends
  /// without a message costs no exception, because the receive stays posted between calls. Use
  /// one Inbox object for the actor's whole life, and call cancel() before it ends.
  std::optional<Message> poll_until(double time) {
    if (!pending_) pending_ = mailbox_->get_async<Message>(&slot_);
    if (!std::isinf(time)) Kernel::check_before_horizon(time);
    const double timeout =
        std::isinf(time) ? -1.0 : std::max(0.0, time - simgrid::s4u::Engine::get_clock());
    if (simgrid::s4u::Comm::wait_any_for({pending_}, timeout) < 0) return std::nullopt;
    pending_ = nullptr;
    std::unique_ptr<Message> payload(slot_);
    slot_ = nullptr;
    return std::move(*payload);
  }
  /// Withdraws the receive poll_until left posted.
  void cancel() {
    if (pending_) pending_->cancel();
    pending_ = nullptr;
  }
  std::string name() const { return mailbox_->get_cname(); }

 private:
  simgrid::s4u::Mailbox* mailbox_;
  simgrid::s4u::CommPtr pending_;
  Message* slot_ = nullptr;
};

}  // namespace tenderlab
