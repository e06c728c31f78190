#pragma once
// One simulation of a scenario: builds the kernel, starts the actors (a manager per call on the
// government's side, the tender board, one actor per private agent, the calendar), runs to the
// horizon, and reports what the event log observers saw. One call per process.
#include <cstdint>
#include <functional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/agents/valuation.hpp"
#include "tenderlab/engine/event_log.hpp"
#include "tenderlab/engine/scenario.hpp"

namespace tenderlab {

struct SimulationOptions {
  std::uint64_t seed = 0;         ///< master seed (the CLI defaults it to the scenario's)
  std::uint64_t replication = 0;  ///< replication index: a stream family per replication
  bool verbose = false;
  std::vector<std::string> simgrid_args;
};

/// Runs the scenario. Events go to `events_out` (may be null) and to `observers`.
/// Throws RunError when the run does not complete.
void simulate(const Scenario& scenario, const SimulationOptions& options, std::ostream* events_out,
              const std::vector<EventLog::Observer>& observers,
              std::uint64_t* event_count = nullptr, std::string* event_log_sha256 = nullptr);

}  // namespace tenderlab
