// tenderlab: parses the command line and hands over to the commands in app/. Exit codes:
// 0 ok, 1 model or run error, 2 bad input or usage, 130 interrupted (docs/cli.md).
#include <CLI/CLI.hpp>

#include <iostream>

#include "app/commands.hpp"
#include "tenderlab/version.hpp"

int main(int argc, char** argv) {
  using namespace tenderlab::app;
  // SimGrid's own options (--cfg=..., --log=...) pass through to the engine untouched; SimGrid
  // never sees the rest, so --help and --version stay ours.
  std::vector<std::string> simgrid_args;
  std::vector<char*> own_args;
  for (int i = 0; i < argc; ++i) {
    const std::string arg = argv[i];
    if (i > 0 && (arg.rfind("--cfg=", 0) == 0 || arg.rfind("--log=", 0) == 0))
      simgrid_args.push_back(arg);
    else
      own_args.push_back(argv[i]);
  }

  CLI::App app{"tenderlab: discrete-event simulator of compute tenders and the policies behind them"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("tenderlab ") + tenderlab::version);
  app.footer("Exit codes: 0 ok, 1 model or run error, 2 bad input or usage, 130 interrupted.\n"
             "SimGrid options (--cfg=..., --log=...) are passed to the engine.");

  std::vector<std::string> validate_files;
  bool validate_quiet = false;
  auto* validate = app.add_subcommand("validate", "Check scenario files; list every problem");
  validate->add_option("FILE", validate_files, "Scenario files")->required()->check(CLI::ExistingFile);
  validate->add_flag("-q,--quiet", validate_quiet, "Print only problems");

  RunArguments run_args;
  auto* run = app.add_subcommand("run", "Run one simulation and write its outputs");
  run->add_option("SCENARIO", run_args.scenario, "Scenario file (JSON)")->required();
  run->add_option("--seed", run_args.seed, "Master seed (default: the scenario's)");
  run->add_option("--replication", run_args.replication, "Replication index (default 0)");
  run->add_option("--out", run_args.out, "Output folder (default: runs/<scenario name>)");
  run->add_flag("--force", run_args.force, "Replace a non-empty output folder");
  run->add_flag("--verbose", run_args.verbose, "Show the engine's own log on stderr");
  run->add_flag("-q,--quiet", run_args.quiet, "No timeline on stdout");

  bool params_markdown = false;
  auto* params = app.add_subcommand("params", "List every scenario parameter with unit and range");
  params->add_flag("--markdown", params_markdown, "As a Markdown table");

  try {
    app.parse(static_cast<int>(own_args.size()), own_args.data());
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? ok : bad_input;
  }
  run_args.simgrid_args = simgrid_args;
  try {
    if (*validate) return validate_command(validate_files, validate_quiet);
    if (*run) return run_command(run_args);
    if (*params) return params_command(params_markdown);
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return run_failed;
  }
  return bad_input;
}
