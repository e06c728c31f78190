#pragma once
// Runs one simulation and condenses it with the analysis layer's report: shared by `run`,
// `replay` and the study runner's child processes.
#include <cstdint>
#include <ostream>
#include <string>
#include <vector>

#include "tenderlab/agents/simulation.hpp"
#include "tenderlab/analysis/run_report.hpp"

namespace tenderlab::app {

struct SimulationRecord {
  analysis::RunReport report;
  std::uint64_t events = 0;
  std::string event_log_sha256;
};

/// Throws RunError when the simulation fails.
SimulationRecord simulate_with_report(const Scenario& scenario, const SimulationOptions& options,
                                      std::ostream* events_out,
                                      analysis::RunReport::Printer timeline);

}  // namespace tenderlab::app
