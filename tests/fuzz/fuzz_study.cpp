// Fuzz target: study files. The input is a study file; load_study reads it from disk and then the
// base scenario it names, relative to the study file's folder. Every input is written to the same
// place in a sandbox folder made once per process, which holds copies of the base scenarios the
// shipped studies name (so seeds from scenarios/studies and tests/ resolve):
//
//   <sandbox>/scenarios/naicc-2025.json      "../naicc-2025.json" from a study in scenarios/studies
//   <sandbox>/scenarios/studies/study.json   the input
//   <sandbox>/scenarios/studies/small.json   "small.json" (tests/golden/small-study.json)
//   <sandbox>/golden/small.json              "../../golden/small.json"
//   (tests/scenario/invalid-study)
//
// A base that resolves outside the sandbox is not tested (it could name a device or a FIFO that
// never ends). Bad input must end in InputError. A study that loads and has few runs is also
// expanded into its runs, as `tenderlab study` does next, which must not fail.
#include <stdlib.h>  // mkdtemp

#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fuzz_target.hpp"
#include "tenderlab/analysis/study.hpp"
#include "tenderlab/analysis/study_tasks.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"

namespace tenderlab::fuzz {

const char* const target_name = "fuzz_study";

namespace {

namespace fs = std::filesystem;

fs::path sandbox;
fs::path study_file;

void remove_sandbox() {
  std::error_code ignored;
  if (!sandbox.empty()) fs::remove_all(sandbox, ignored);
}

void copy_into_sandbox(const fs::path& from, const fs::path& to) {
  fs::create_directories(to.parent_path());
  fs::copy_file(from, to, fs::copy_options::overwrite_existing);
}

// True when `base`, resolved as load_study resolves it, stays inside the sandbox. The text up to
// a NUL byte is checked as well, since the operating system stops reading a path there.
bool base_inside_sandbox(const std::string& base) {
  auto inside = [](const std::string& reference) {
    const fs::path path(reference);
    if (!path.is_relative()) return false;
    const fs::path resolved = (study_file.parent_path() / path).lexically_normal();
    const fs::path relative = resolved.lexically_relative(sandbox);
    return !relative.empty() && *relative.begin() != "..";
  };
  return inside(base) && inside(base.substr(0, base.find('\0')));
}

// An upper bound of the number of design points, without building the design.
double design_size(const analysis::Study& study) {
  const double k = static_cast<double>(study.factors.size());
  switch (study.design.kind) {
    case analysis::DesignKind::grid:
    case analysis::DesignKind::oat: {
      double product = 1, sum = 1;
      for (const auto& factor : study.factors) {
        const double levels =
            factor.discrete() ? static_cast<double>(factor.values.size()) : study.design.levels;
        product *= levels;
        sum += levels;
      }
      return study.design.kind == analysis::DesignKind::grid ? product : sum;
    }
    case analysis::DesignKind::lhs:
      return study.design.samples;
    case analysis::DesignKind::morris:
      return study.design.trajectories * (k + 1);
    case analysis::DesignKind::sobol:
      return study.design.samples * (k + 2);
  }
  return 0;
}

void expand(const analysis::Study& study) {
  constexpr double max_runs = 256;
  const double points = design_size(study);
  if (points * study.replications > max_runs) return;
  const analysis::StudyTaskSource tasks(std::make_shared<const analysis::Study>(study));
  std::set<std::string> run_ids;
  for (std::size_t i = 0; i < tasks.size(); ++i) {
    const analysis::RunTask task = tasks.task(i);
    if (!run_ids.insert(task.run_id).second) report_finding("two runs of a study share a run id");
    if (tasks.index_of(task.run_id) != i) report_finding("a run id does not lead back to its run");
    // What a run's process does with its task: read the payload, apply it to the base scenario.
    // The loader accepted the study, so a task it cannot read or apply is a finding.
    try {
      const auto payload = analysis::parse_study_payload(task.payload, "fuzz");
      analysis::study_run_scenario(payload, &study.base, "fuzz");
    } catch (const analysis::WorkerTaskError& error) {
      report_finding(error);
    }
  }
  if (tasks.size() % static_cast<std::size_t>(study.replications) != 0)
    report_finding("a study's runs are not whole sets of replications");
  // docs/study-format.md: a study without factors has one point, the base scenario.
  if (study.factors.empty() && tasks.size() != static_cast<std::size_t>(study.replications))
    report_finding("a study without factors does not have exactly one point");
}

}  // namespace

void initialize() {
  const fs::path source = TENDERLAB_SOURCE_DIR;
  std::string pattern = (fs::temp_directory_path() / "tenderlab-fuzz-study-XXXXXX").string();
  if (!mkdtemp(pattern.data())) {
    std::perror("fuzz_study: cannot make the sandbox folder");
    std::abort();
  }
  sandbox = fs::path(pattern);
  std::atexit(remove_sandbox);
  copy_into_sandbox(source / "scenarios/naicc-2025.json", sandbox / "scenarios/naicc-2025.json");
  copy_into_sandbox(source / "tests/golden/small.json", sandbox / "scenarios/studies/small.json");
  copy_into_sandbox(source / "tests/golden/small.json", sandbox / "golden/small.json");
  study_file = sandbox / "scenarios/studies/study.json";
}

Verdict test_one_input(std::string_view input) {
  {
    std::ofstream out(study_file, std::ios::binary | std::ios::trunc);
    out.write(input.data(), static_cast<std::streamsize>(input.size()));
    if (!out) report_finding("cannot write the study file into the sandbox");
  }
  // Reading the base is the only file access a study makes: check where it leads first. A file
  // the strict reader refuses is refused before its base is read.
  try {
    const nlohmann::json document = parse_json_text(std::string(input), "fuzz");
    if (document.is_object() && document.contains("base") && document["base"].is_string() &&
        !base_inside_sandbox(document["base"].get<std::string>()))
      return Verdict::skipped;
  } catch (const InputError&) {
  }
  try {
    const analysis::Study study = analysis::load_study(study_file.string());
    expand(study);
    return Verdict::accepted;
  } catch (const InputError&) {
    return Verdict::rejected;
  } catch (const std::exception& error) {
    report_finding(error);
  }
}

}  // namespace tenderlab::fuzz
