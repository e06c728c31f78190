// tenderlab: parses the command line and hands over to the commands in app/. Exit codes:
// 0 ok, 1 model or run error, 2 bad input or usage, 130 interrupted (docs/cli.md).
#include <CLI/CLI.hpp>

#include <charconv>
#include <csignal>
#include <cstdint>
#include <iostream>
#include <limits>

#include "app/commands.hpp"
#include "app/output.hpp"
#include "tenderlab/version.hpp"

namespace {

/// Seeds and replication indices are whole numbers in [0, 2^63 - 1], as study files and manifests
/// take them. CLI11 alone would read "-1" into an unsigned option as 2^64 - 1.
const CLI::Validator seed_range(
    [](std::string& text) -> std::string {
      std::uint64_t value = 0;
      const char* end = text.data() + text.size();
      const auto [stop, error] = std::from_chars(text.data(), end, value);
      if (text.empty() || text.front() == '+' || error != std::errc() || stop != end ||
          value > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return "expected an integer in [0, 2^63 - 1], found \"" + text + "\"";
      return "";
    },
    "INTEGER in [0, 2^63 - 1]");

/// --progress-every and --progress-seconds, the same for every command that runs many runs.
void add_progress_options(CLI::App& command, tenderlab::analysis::ProgressLines& progress) {
  command
      .add_option("--progress-every", progress.every_runs,
                  "Without a terminal: a progress line every N runs (default 100; 0: none)")
      ->check(CLI::NonNegativeNumber);
  command
      .add_option("--progress-seconds", progress.every_seconds,
                  "Without a terminal: a progress line every S seconds (default 60; 0: none)")
      ->check(CLI::NonNegativeNumber);
}

}  // namespace

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

  CLI::App app{
      "tenderlab: discrete-event simulator of compute tenders and the policies behind them"};
  app.require_subcommand(1);
  app.set_version_flag("--version", std::string("tenderlab ") + tenderlab::version);
  app.footer(
      "Exit codes: 0 ok, 1 model or run error, 2 bad input or usage, 130 interrupted.\n"
      "SimGrid options (--cfg=..., --log=...) are passed to the engine.");

  const std::string set_help =
      "Set a scenario value first, e.g. --set /calls/0/terms/tax_credit=0.2 (VALUE as JSON, "
      "else a string; repeatable, applied in order)";
  std::vector<std::string> validate_files;
  bool validate_quiet = false;
  auto* validate = app.add_subcommand("validate", "Check scenario files; list every problem");
  // No CLI::ExistingFile check: the loader names a missing file, and a folder or another kind
  // of file gets a message that says what it is.
  validate->add_option("FILE", validate_files, "Scenario files")->required();
  validate->add_flag("-q,--quiet", validate_quiet, "Print only problems");
  std::vector<std::string> validate_set;
  std::string validate_json;
  validate
      ->add_option("--json", validate_json,
                   "Also write the results as JSON to FILE (- is stdout, which then carries "
                   "the JSON alone)")
      ->type_name("FILE|-");
  validate->add_option("--set", validate_set, set_help)->type_name("POINTER=VALUE");

  RunArguments run_args;
  auto* run = app.add_subcommand("run", "Run one simulation and write its outputs");
  run->add_option("SCENARIO", run_args.scenario, "Scenario file (JSON)");
  run->add_option("--from", run_args.from,
                  "Instead of SCENARIO: re-run the study run RUN_ID recorded in DATABASE (its "
                  "scenario and seed come from the database; exit 1 unless its event-log hash "
                  "is the recorded one)")
      ->expected(2)
      ->type_name("DATABASE RUN_ID");
  run->add_option("--seed", run_args.seed, "Master seed (default: the scenario's)")
      ->check(seed_range);
  run->add_option("--replication", run_args.replication, "Replication index (default 0)")
      ->check(seed_range);
  run->add_option("--out", run_args.out, "Output folder (default: runs/<scenario name>)");
  run->add_flag("--force", run_args.force,
                "Replace the output folder if it is a run folder tenderlab wrote");
  run->add_option("--set", run_args.set, set_help)->type_name("POINTER=VALUE");
  run->add_flag("--verbose", run_args.verbose, "Show the engine's own log on stderr");
  run->add_flag("-q,--quiet", run_args.quiet, "No timeline on stdout");
  run->add_option("--json", run_args.json,
                  "Also write the manifest and summary as JSON to FILE (- is stdout, which then "
                  "carries the JSON alone)")
      ->type_name("FILE|-");

  bool params_markdown = false, params_schema = false;
  std::string params_json;
  auto* params = app.add_subcommand(
      "params", "List every scenario parameter: type, unit, default, range, basis, meaning");
  auto* markdown_flag =
      params->add_flag("--markdown", params_markdown, "As the Markdown page docs/parameters.md");
  auto* schema_flag = params->add_flag("--schema", params_schema,
                                       "As the scenario JSON Schema (scenario.schema.json)");
  auto* json_flag = params
                        ->add_option("--json", params_json,
                                     "As JSON, one object per table: on stdout, or into FILE "
                                     "(- is stdout)")
                        ->expected(0, 1)
                        ->type_name("[FILE|-]");
  markdown_flag->excludes(schema_flag)->excludes(json_flag);
  schema_flag->excludes(json_flag);

  bool kinds_json = false;
  auto* kinds =
      app.add_subcommand("kinds", "List the agent kinds this program knows, with their roles");
  kinds->add_flag("--json", kinds_json, "As JSON (what tenderlab-mpi reads from its worker)");

  std::string kpis_scenario;
  bool kpis_json = false;
  auto* kpis = app.add_subcommand(
      "kpis", "List the KPI names a run reports (of a scenario, or their patterns), with units");
  kpis->add_option("SCENARIO", kpis_scenario,
                   "Scenario file (JSON): its calls, horizon and calibration targets name KPIs");
  kpis->add_flag("--json", kpis_json, "As a JSON array of {name, unit, meaning}");

  std::string export_database, export_out;
  auto* export_tables = app.add_subcommand(
      "export", "Write a study's results as tidy CSV tables: runs.csv and effects.csv");
  export_tables->add_option("DATABASE", export_database, "Results database (.sqlite)")->required();
  export_tables->add_option("--out", export_out,
                            "Folder for the tables (default: <database without extension>-export)");

  StudyArguments study_args;
  auto* study = app.add_subcommand(
      "study", "Run every run of a study file (resumes an interrupted study) and analyse it");
  study->add_option("STUDY", study_args.study, "Study file (JSON)")->required();
  study->add_option("-j,--jobs", study_args.jobs, "Runs at the same time (default 1)")
      ->check(CLI::Range(1, 1024));
  study->add_option("--db", study_args.database, "Results database (default: the study's)");
  study->add_option("--json", study_args.json,
                    "Also write the analysis as JSON to this file (- is stdout, which then "
                    "carries the JSON alone)");
  study->add_flag("-q,--quiet", study_args.quiet, "No progress bar and no report on stdout");
  study->add_flag("--retry-failed", study_args.retry_failed,
                  "Run the runs that failed again (crashed runs are always run again)");
  add_progress_options(*study, study_args.progress);
  study->add_flag("--dry-run", study_args.dry_run,
                  "Check the study (factors, design size, KPI names, outcome) and run nothing");

  CalibrateArguments calibrate_args;
  auto* calibrate = app.add_subcommand(
      "calibrate",
      "Draw the scenario's assumed parameters from their ranges, keep the draws that reproduce "
      "its /history (approximate Bayesian computation) and write them with their posteriors");
  calibrate->add_option("SCENARIO", calibrate_args.scenario, "Scenario file (JSON) with a /history")
      ->required();
  calibrate->add_option("--draws", calibrate_args.draws, "Latin hypercube draws (default 80)")
      ->check(CLI::Range(1, 100000));
  calibrate
      ->add_option("-r,--replications", calibrate_args.replications, "Seeds per draw (default 8)")
      ->check(CLI::Range(1, 10000));
  calibrate
      ->add_option("--min-match,--tolerance", calibrate_args.min_match,
                   "Accept a draw when at least this share of its runs reproduce /history "
                   "(default 0.9)")
      ->check(CLI::Range(0.0, 1.0));
  calibrate->add_option("-j,--jobs", calibrate_args.jobs, "Runs at the same time (default 1)")
      ->check(CLI::Range(1, 1024));
  calibrate->add_option("--out", calibrate_args.out,
                        "Output folder (default: runs/<scenario name>-calibration); the same "
                        "command resumes an interrupted calibration there");
  calibrate->add_option("--seed", calibrate_args.seed, "Master seed (default: the scenario's)")
      ->check(seed_range);
  calibrate
      ->add_option("--only", calibrate_args.only,
                   "Draw only these parameters, e.g. assumptions/score_temperature,"
                   "market/gpu_hour_price_krw or agents/kt/bid_cost_bn_krw")
      ->delimiter(',');
  calibrate->add_flag("-q,--quiet", calibrate_args.quiet, "No progress and no summary");
  calibrate->add_flag("--dry-run", calibrate_args.dry_run,
                      "List the parameters drawn and kept, and run nothing");
  add_progress_options(*calibrate, calibrate_args.progress);

  ReportArguments report_args;
  auto* report = app.add_subcommand(
      "report", "Analyse a study's results; write a run, a study or a comparison as HTML or XLSX");
  report
      ->add_option("INPUT", report_args.input,
                   "Study file (JSON), a run's output folder, or a comparison's --json file")
      ->required();
  report->add_option("--db", report_args.database, "Results database (default: the study's)");
  report->add_option("--json", report_args.json,
                     "Also write the analysis as JSON to this file (- is stdout, which then "
                     "carries the JSON alone)");
  report->add_option("--outcome", report_args.outcome,
                     "Analyse this outcome instead of the study's, e.g. \"bids_round_1 >= 1\"");
  report->add_flag("--digest", report_args.digest,
                   "Print only the SHA-256 of the database content (timings excluded), to check "
                   "that two databases hold the same results");
  report->add_option("--html", report_args.html,
                     "Write a self-contained HTML report with charts to this file");
  report->add_option("--xlsx", report_args.xlsx, "Write the report's tables as an XLSX workbook");
  report
      ->add_option("--heatmap", report_args.heatmap,
                   "Study: the two factors of the outcome heatmap, e.g. buy_back,tax_credit")
      ->delimiter(',')
      ->expected(2);

  CompareArguments compare_args;
  auto* compare = app.add_subcommand(
      "compare",
      "Compare two or more scenarios (or study databases): KPIs with paired differences");
  compare
      ->add_option("INPUT", compare_args.inputs,
                   "Two or more (up to 64) scenario files, or results databases; the first is "
                   "the reference")
      ->required()
      // Two or more: CLI11 shows a fixed maximum as "INPUT(2x)"; compare_command keeps it to 64.
      ->expected(2, CLI::detail::expected_max_vector_size);
  compare
      ->add_option("-r,--replications", compare_args.replications,
                   "Replications per scenario (default 30)")
      ->check(CLI::Range(2, 100000));
  compare->add_option("--seed", compare_args.seed, "Master seed (default: the first scenario's)")
      ->check(seed_range);
  compare->add_option("-j,--jobs", compare_args.jobs, "Runs at the same time (default 1)")
      ->check(CLI::Range(1, 1024));
  compare->add_option("--json", compare_args.json,
                      "Also write the comparison as JSON here (- is stdout, which then carries "
                      "the JSON alone)");
  compare->add_option("--html", compare_args.html, "Also write an HTML report with charts here");
  compare->add_option("--xlsx", compare_args.xlsx,
                      "Also write the tables as an XLSX workbook here");
  compare->add_option("--set", compare_args.set, set_help)->type_name("POINTER=VALUE");
  compare
      ->add_option("--kpis", compare_args.kpis,
                   "Only these KPIs, in this order, e.g. awarded,public_money_bn_krw")
      ->delimiter(',');
  compare
      ->add_option("--parameter-sets", compare_args.parameter_sets,
                   "A calibration.json of one of the scenarios: run every scenario at each of its "
                   "accepted draws, REPLICATIONS times (KPIs over draws x seeds)")
      ->type_name("FILE");
  compare->add_flag("-q,--quiet", compare_args.quiet, "No progress bar");
  add_progress_options(*compare, compare_args.progress);

  std::string replay_manifest;
  bool replay_verify = false;
  auto* replay = app.add_subcommand("replay", "Re-run the run a manifest.json describes");
  replay->add_option("MANIFEST", replay_manifest, "A run's manifest.json")->required();
  replay->add_flag("--verify", replay_verify,
                   "Check that the event log hash matches the manifest (exit 1 if not)");

  std::string diff_a, diff_b;
  auto* diff = app.add_subcommand("diff", "Show the first event where two runs diverge");
  diff->add_option("RUN_A", diff_a, "Run folder or events.jsonl")->required();
  diff->add_option("RUN_B", diff_b, "Run folder or events.jsonl")->required();

  std::string worker_events_dir;
  auto* worker =
      app.add_subcommand("worker", "Serve study runs over stdin/stdout (used by tenderlab-mpi)");
  worker->add_option("--events-dir", worker_events_dir,
                     "Folder where runs may keep their event logs (tasks naming a file elsewhere "
                     "are refused); without it, no run keeps its log");

  try {
    app.parse(static_cast<int>(own_args.size()), own_args.data());
  } catch (const CLI::ParseError& error) {
    const int code = app.exit(error);
    return code == 0 ? ok : bad_input;
  }
  run_args.simgrid_args = simgrid_args;
  // `--json -`: standard output carries the JSON alone.
  if ((*validate && validate_json == "-") || (*run && run_args.json == "-") ||
      (*study && study_args.json == "-") || (*report && report_args.json == "-") ||
      (*compare && compare_args.json == "-"))
    keep_stdout_for_json();
  // A reader that stops reading (`tenderlab run X | head`) ends the printing, not the command:
  // without this, the first write after it goes would kill the process with SIGPIPE, and a run
  // would die with its outputs unwritten. Writes then fail with EPIPE and are dropped. The
  // worker keeps the default: its stdout is its only link to tenderlab-mpi.
  if (!*worker) std::signal(SIGPIPE, SIG_IGN);
  try {
    if (*validate)
      return validate_command(validate_files, validate_quiet, validate_set, validate_json);
    if (*run) return run_command(run_args);
    if (*params)
      return params_command(params_markdown          ? ParamsOutput::markdown
                            : params_schema          ? ParamsOutput::schema
                            : json_flag->count() > 0 ? ParamsOutput::json
                                                     : ParamsOutput::text,
                            params_json);
    if (*kinds) return kinds_command(kinds_json);
    if (*kpis) return kpis_command(kpis_scenario, kpis_json);
    if (*export_tables) return export_command(export_database, export_out);
    if (*study) return study_command(study_args);
    if (*calibrate) return calibrate_command(calibrate_args);
    if (*report) return report_files_command(report_args);
    if (*compare) return compare_command(compare_args);
    if (*replay) return replay_command(replay_manifest, replay_verify);
    if (*diff) return diff_command(diff_a, diff_b);
    if (*worker) return worker_command(worker_events_dir);
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return run_failed;
  }
  return bad_input;
}
