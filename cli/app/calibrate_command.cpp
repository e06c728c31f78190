// `tenderlab calibrate`: approximate Bayesian computation over a scenario's assumed parameters.
// The draws are a study (a Latin hypercube over the plausible ranges, R seeds each) written into
// the output folder and run by the study machinery, so a calibration runs in parallel, resumes
// after an interruption and records the same results at any -j; calibration.json and draws.csv
// are computed from its results database alone.
#include <filesystem>
#include <iomanip>
#include <iostream>
#include <sstream>

#include "app/commands.hpp"
#include "app/file_kind.hpp"
#include "app/output.hpp"
#include "app/simulation_glue.hpp"
#include "tenderlab/analysis/calibration.hpp"
#include "tenderlab/analysis/output_directory.hpp"
#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/run_pool.hpp"
#include "tenderlab/analysis/study.hpp"
#include "tenderlab/analysis/study_tasks.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/scenario_loader.hpp"
#include "tenderlab/engine/sha256.hpp"

namespace tenderlab::app {
namespace fs = std::filesystem;
namespace {

std::string number(double value) {
  std::ostringstream out;
  out << std::setprecision(4) << value;
  return out.str();
}

void print_plan(const std::string& scenario,
                const std::vector<analysis::CalibratedParameter>& drawn,
                const CalibrateArguments& arguments, std::ostream& out) {
  out << "calibration of " << scenario << ": " << drawn.size() << " assumed parameters, "
      << arguments.draws << " draws (Latin hypercube) x " << arguments.replications << " seeds = "
      << static_cast<std::size_t>(arguments.draws) *
             static_cast<std::size_t>(arguments.replications)
      << " runs; a draw is accepted when at least " << number(arguments.min_match * 100)
      << " % of its runs reproduce /history\n";
}

}  // namespace

int calibrate_command(const CalibrateArguments& arguments) {
  nlohmann::json scenario;
  try {
    scenario = read_scenario_document(arguments.scenario);
    scenario_from_json(scenario, arguments.scenario);  // valid, or nothing runs
  } catch (const InputError& error) {
    print_load_error(error, arguments.scenario, FileKind::scenario);
    return bad_input;
  }
  return report_errors(run_failed, [&]() -> int {
    if (!scenario.contains("history") || !scenario.at("history").is_array() ||
        scenario.at("history").empty())
      throw InputError(
          {InputProblem{arguments.scenario, "/history",
                        "at least one historical round to calibrate against", "none"}});
    analysis::CalibrationSettings settings;
    settings.draws = arguments.draws;
    settings.replications = arguments.replications;
    settings.min_match = arguments.min_match;
    settings.only = arguments.only;
    settings.seed = arguments.seed ? *arguments.seed : scenario.value("seed", std::uint64_t{1});
    const std::vector<analysis::CalibratedParameter> drawn =
        analysis::calibration_parameters(scenario, settings.only, "--only");
    const analysis::ScenarioParameters all = analysis::scenario_parameters(scenario);
    std::vector<analysis::CalibratedParameter> not_drawn = all.fixed;
    for (const auto& p : all.drawn) {
      bool chosen = false;
      for (const auto& d : drawn)
        chosen = chosen || d.name == p.name;
      if (!chosen) not_drawn.push_back(p);
    }
    if (arguments.dry_run) {
      print_plan(arguments.scenario, drawn, arguments, std::cout);
      for (const auto& p : drawn)
        std::cout << "  draw " << p.name << " in [" << number(p.min) << ", " << number(p.max) << "]"
                  << (p.integer ? " (whole numbers)" : "") << ", scenario "
                  << p.scenario_value.dump() << "\n";
      for (const auto& p : not_drawn)
        std::cout << "  keep " << p.name << " = " << p.scenario_value.dump() << " (" << p.provenance
                  << ")\n";
      std::cout << "nothing was run (--dry-run)\n";
      return ok;
    }

    const fs::path out =
        arguments.out.empty()
            ? fs::path("runs") / (scenario.value("name", "scenario") + "-calibration")
            : fs::path(arguments.out);
    analysis::check_file_target(out / "calibration.json");
    analysis::check_file_target(out / "draws.csv");
    fs::create_directories(out);
    // The study that holds the runs, beside its results: its base is the scenario, named
    // relative to the folder, so the folder can be read where it is.
    const fs::path study_file = out / "calibration-study.json";
    const std::string reference =
        fs::proximate(fs::absolute(arguments.scenario), fs::absolute(out)).string();
    analysis::write_file_atomically(
        study_file,
        analysis::calibration_study_document(scenario, reference, drawn, settings).dump(2) + "\n");

    analysis::Study study;
    try {
      study = analysis::load_study(study_file.string());
    } catch (const InputError& error) {
      print_load_error(error, study_file.string(), FileKind::study);
      return bad_input;
    }
    if (!arguments.quiet) print_plan(arguments.scenario, drawn, arguments, std::cerr);
    std::unique_ptr<analysis::ResultsStore> store;
    try {
      store = open_study_store(study_file.string(), study.database);
    } catch (const analysis::DatabaseRefusedError& error) {
      std::cerr << "error: " << error.what() << "\n(the folder " << out.string()
                << " holds a calibration with other settings: choose another --out or remove "
                   "it)\n";
      return bad_input;
    }
    store->forget_runs({"crashed"});
    const analysis::PoolReport pool =
        run_study_runs(study, *store, arguments.jobs, arguments.quiet, arguments.progress);
    if (pool.interrupted) {
      std::cerr << "interrupted: " << pool.ok + pool.failed + pool.crashed << " runs recorded in "
                << study.database << "; run the same command to resume\n";
      return interrupted;
    }
    const analysis::StatusCounts recorded = store->status_counts();
    if (recorded.crashed > 0) {
      std::cerr << "error: " << recorded.crashed << " crashed runs in " << study.database
                << "; run the same command again to retry them\n";
      return run_failed;
    }
    const nlohmann::ordered_json calibration = analysis::calibration_document(
        study, *store, arguments.scenario, sha256_file(arguments.scenario), scenario, drawn,
        not_drawn, settings);
    analysis::write_file_atomically(out / "calibration.json", calibration.dump(2) + "\n");
    analysis::write_file_atomically(out / "draws.csv",
                                    analysis::calibration_draws_csv(calibration));
    if (recorded.failed > 0)
      std::cerr << "warning: " << recorded.failed
                << " runs failed (counted as not reproducing the history; reasons in "
                << study.database << ")\n";
    if (!arguments.quiet) {
      const auto& a = calibration.at("acceptance");
      std::cout << "accepted " << a.at("accepted").dump() << " of " << a.at("draws").dump()
                << " draws (acceptance rate " << a.at("acceptance_rate").dump()
                << "); share of the accepted draws' runs that reproduce /history: "
                << a.at("match_share_accepted_runs").dump() << "\n";
      std::cout << std::left << std::setw(46) << "parameter" << std::setw(22) << "prior"
                << std::setw(30) << "posterior 5-95 % (median)"
                << "identification\n";
      const auto& parameters = calibration.at("parameters");
      const auto& posterior = calibration.at("posterior");
      for (std::size_t j = 0; j < posterior.size(); ++j) {
        const auto& p = posterior[j];
        const auto& prior = parameters[j].at("prior");
        std::string post = "-";
        if (!p.at("posterior").is_null()) {
          const auto& q = p.at("posterior");
          post = "[" + number(q.at("q05").get<double>()) + ", " +
                 number(q.at("q95").get<double>()) + "] (" + number(q.at("q50").get<double>()) +
                 ")";
        }
        std::cout << std::setw(46) << p.at("name").get<std::string>() << std::setw(22)
                  << "[" + number(prior.at("min").get<double>()) + ", " +
                         number(prior.at("max").get<double>()) + "]"
                  << std::setw(30) << post << p.at("identification").get<std::string>() << "\n";
      }
      std::cout << "wrote " << (out / "calibration.json").string() << " and "
                << (out / "draws.csv").string() << "\n";
    }
    return ok;
  });
}

}  // namespace tenderlab::app
