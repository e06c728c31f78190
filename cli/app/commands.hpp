#pragma once
// The commands of the tenderlab program. Each returns its exit code (docs/cli.md):
//   0 success, 1 a model or run error (the simulation failed), 2 bad input or usage,
//   130 interrupted.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace tenderlab::app {

enum ExitCode : int { ok = 0, run_failed = 1, bad_input = 2, interrupted = 130 };

struct RunArguments {
  std::string scenario;
  std::optional<std::uint64_t> seed;  ///< default: the scenario's seed
  std::uint64_t replication = 0;
  std::string out;  ///< default: runs/<scenario name>
  bool force = false;
  bool verbose = false;
  bool quiet = false;  ///< no timeline on stdout
  std::vector<std::string> simgrid_args;
};

int validate_command(const std::vector<std::string>& files, bool quiet);
int run_command(const RunArguments& arguments);
int params_command(bool markdown);

}  // namespace tenderlab::app
