#include "tenderlab/analysis/calibration.hpp"

#include <unistd.h>

#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <string>

#include "tenderlab/analysis/study_tasks.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"
#include "tenderlab/engine/scenario_loader.hpp"
#include "tenderlab/engine/sha256.hpp"

using namespace tenderlab;
using namespace tenderlab::analysis;
namespace fs = std::filesystem;

namespace {

const std::string kSourceDir = TENDERLAB_SOURCE_DIR;
const std::string kNaicc = kSourceDir + "/scenarios/naicc-2025.json";

class TempFolder {
 public:
  TempFolder() {
    std::string pattern = (fs::temp_directory_path() / "tenderlab-calibration-XXXXXX").string();
    REQUIRE(::mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
  }
  ~TempFolder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  TempFolder(const TempFolder&) = delete;
  TempFolder& operator=(const TempFolder&) = delete;
  const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

void write(const fs::path& path, const std::string& text) {
  std::ofstream out(path);
  out << text;
}

bool has_name(const std::vector<CalibratedParameter>& parameters, const std::string& name) {
  for (const auto& p : parameters)
    if (p.name == name) return true;
  return false;
}

/// A calibration file for `scenario_file` with the given accepted flags over two parameters.
nlohmann::json fake_calibration(const std::string& scenario_file, std::vector<bool> accepted) {
  nlohmann::json cal = {
      {"format", calibration_format},
      {"scenario",
       {{"file", scenario_file}, {"name", "x"}, {"sha256", sha256_file(scenario_file)}}},
      {"parameters",
       {{{"name", "assumptions/score_temperature"}, {"path", "/assumptions/score_temperature"}},
        {{"name", "market/gpu_hour_price_krw"}, {"path", "/market/gpu_hour_price_krw"}}}},
      {"draws", nlohmann::json::array()}};
  for (std::size_t i = 0; i < accepted.size(); ++i)
    cal["draws"].push_back({{"draw", i},
                            {"values",
                             {{"assumptions/score_temperature", 3.0 + static_cast<double>(i)},
                              {"market/gpu_hour_price_krw", 5000 + 100 * static_cast<double>(i)}}},
                            {"accepted", static_cast<bool>(accepted[i])}});
  return cal;
}

}  // namespace

TEST_CASE("the flagship's drawn parameters are its assumed scenario-level ones") {
  const nlohmann::json scenario = read_scenario_document(kNaicc);
  const ScenarioParameters all = scenario_parameters(scenario);
  CHECK(has_name(all.drawn, "assumptions/score_temperature"));
  CHECK(has_name(all.drawn, "market/gpu_hour_price_krw"));
  // Sourced rows and settings are listed, not drawn.
  CHECK(has_name(all.fixed, "assumptions/control_threshold"));
  CHECK(has_name(all.fixed, "market/power_price_krw_per_kwh"));
  CHECK_FALSE(has_name(all.drawn, "market/power_price_krw_per_kwh"));
  // The procurement-only rows do not count: the scenario has no procurement call.
  CHECK_FALSE(has_name(all.drawn, "assumptions/supply_price_noise"));
  CHECK_FALSE(has_name(all.fixed, "assumptions/supply_price_noise"));
  for (const auto& p : all.drawn) {
    CHECK(p.provenance == "assumed");
    CHECK(p.min < p.max);
  }
  // The scenario's own value where it gives one, else the table's default.
  for (const auto& p : all.drawn) {
    if (p.name == "market/gpu_hour_price_krw") CHECK(p.scenario_value == 6000);
    if (p.name == "assumptions/score_temperature") CHECK(p.scenario_value == 5);
  }
}

TEST_CASE(
    "the parameters to draw are picked by name or key or as an agent's key and others refused") {
  const nlohmann::json scenario = read_scenario_document(kNaicc);
  const auto chosen = calibration_parameters(
      scenario, {"score_temperature", "market/demand_growth", "agents/kt/bid_cost_bn_krw"},
      "--only");
  REQUIRE(chosen.size() == 3);
  CHECK(chosen[0].path == "/assumptions/score_temperature");
  CHECK(chosen[1].path == "/market/demand_growth");
  CHECK(chosen[2].path == "/agents/8/bid_cost_bn_krw");
  CHECK(chosen[2].scenario_value == 5);
  CHECK_THROWS_AS(calibration_parameters(scenario, {"assumptions/no_such_key"}, "--only"),
                  InputError);
  CHECK_THROWS_AS(calibration_parameters(scenario, {"agents/kt/capital_bn_krw"}, "--only"),
                  InputError);  // no finite range
  CHECK_THROWS_AS(
      calibration_parameters(scenario, {"score_temperature", "score_temperature"}, "--only"),
      InputError);
}

TEST_CASE("Latin hypercube draws of a calibration stay within the assumed ranges") {
  TempFolder folder;
  const nlohmann::json scenario = read_scenario_document(kNaicc);
  const auto parameters = calibration_parameters(scenario, {}, "--only");
  CalibrationSettings settings;
  settings.draws = 40;
  settings.replications = 1;
  settings.seed = 11;
  const fs::path study_file = folder.path() / "calibration-study.json";
  write(study_file, calibration_study_document(scenario, kNaicc, parameters, settings).dump(2));
  const Study study = load_study(study_file.string());
  REQUIRE(study.factors.size() == parameters.size());
  const StudyDesign design(study);
  REQUIRE(design.size() == 40);
  for (std::size_t p = 0; p < design.size(); ++p) {
    const DesignPoint point = design.point(p);
    for (std::size_t j = 0; j < parameters.size(); ++j) {
      const double value = point.values[j].get<double>();
      CHECK(value >= parameters[j].min);
      CHECK(value <= parameters[j].max);
      if (parameters[j].integer) CHECK(value == std::round(value));
    }
  }
  // The scenario leaves /assumptions out: the study creates it empty, so the factors can be set.
  CHECK(study.base.at("assumptions").is_object());
}

TEST_CASE("a draw is accepted when its match rate reaches the threshold") {
  // draw: runs, matches -> accepted at min_match 0.9 with 10 replications
  CHECK(accept_draw(DrawRuns{10, 10, 10, 0}, 10, 0.9));
  CHECK(accept_draw(DrawRuns{10, 9, 9, 0}, 10, 0.9));
  CHECK_FALSE(accept_draw(DrawRuns{10, 8, 10, 0}, 10, 0.9));
  // A failed run counts as a replication that did not match.
  CHECK_FALSE(accept_draw(DrawRuns{10, 8, 8, 2}, 10, 0.9));
  // No runs: nothing to accept.
  CHECK_FALSE(accept_draw(DrawRuns{0, 0, 0, 0}, 10, 0.0));
  // Threshold 0: every draw with runs; threshold 1: only perfect ones.
  CHECK(accept_draw(DrawRuns{4, 0, 0, 0}, 4, 0.0));
  CHECK_FALSE(accept_draw(DrawRuns{4, 3, 3, 0}, 4, 1.0));
  CHECK(accept_draw(DrawRuns{4, 4, 4, 0}, 4, 1.0));
  // 0.7 of 10 is 7, whatever the rounding of 0.7 * 10.
  CHECK(accept_draw(DrawRuns{10, 7, 7, 0}, 10, 0.7));
}

TEST_CASE("marginals, KS distance and identification by hand") {
  const Marginal m = marginal_of({5, 1, 3, 2, 4});
  CHECK(m.q50 == Approx(3));
  CHECK(m.q25 == Approx(2));
  CHECK(m.q75 == Approx(4));
  CHECK(m.q05 == Approx(1.2));
  CHECK(m.q95 == Approx(4.8));
  CHECK(m.mean == Approx(3));
  const Marginal prior = uniform_marginal(0, 10);
  CHECK(prior.q25 == Approx(2.5));
  CHECK(prior.q95 == Approx(9.5));
  // Values evenly spread over the prior: small distance; all in one corner: large.
  CHECK(ks_distance_uniform({0.5, 1.5, 2.5, 3.5, 4.5, 5.5, 6.5, 7.5, 8.5, 9.5}, 0, 10) ==
        Approx(0.05));
  CHECK(ks_distance_uniform({0.1, 0.2, 0.3, 0.4}, 0, 10) == Approx(0.96));
  CHECK(identification(0.9, 0.1, 20) == "identified");
  CHECK(identification(0.9, 0.9, 20) == "constrained");
  CHECK(identification(0.1, 0.1, 20) == "not identified");  // 0.1 < 1.36 / sqrt(20)
  CHECK(identification(0.9, 0.1, 4) == "not identified");   // too few accepted draws
}

TEST_CASE("missing objects on the way to a parameter are created, arrays are not grown") {
  nlohmann::json doc = {{"agents", {{{"id", "a"}}}}};
  CHECK(ensure_parent_objects(doc, "/assumptions/score_temperature"));
  CHECK(doc.at("assumptions").is_object());
  CHECK(ensure_parent_objects(doc, "/agents/0/beliefs/demand_growth"));
  CHECK(doc.at("agents").at(0).at("beliefs").is_object());
  CHECK_FALSE(ensure_parent_objects(doc, "/agents/3/bid_cost_bn_krw"));
  CHECK_FALSE(ensure_parent_objects(doc, "not a pointer"));
}

TEST_CASE("parameter sets are the accepted draws and a file without one is refused") {
  TempFolder folder;
  const fs::path file = folder.path() / "calibration.json";
  write(file, fake_calibration(kNaicc, {true, false, true}).dump());
  const ParameterSets sets = load_parameter_sets(file.string());
  REQUIRE(sets.size() == 2);
  CHECK(sets.draws == std::vector<int>{0, 2});
  CHECK(sets.values[1][0] == 5.0);
  CHECK(sets.patch(1)[1]["path"] == "/market/gpu_hour_price_krw");
  CHECK(sets.patch(1)[1]["value"] == 5200.0);
  write(file, fake_calibration(kNaicc, {false, false}).dump());
  try {
    load_parameter_sets(file.string());
    FAIL("a calibration without an accepted draw was read");
  } catch (const InputError& error) {
    CHECK(error.problems().front().pointer == "/draws");
  }
}

TEST_CASE("a study over parameter sets runs points x sets x replications, each at its draw") {
  TempFolder folder;
  write(folder.path() / "calibration.json",
        fake_calibration(kNaicc, {true, false, true, true}).dump());
  write(folder.path() / "study.json", R"({
    "format": "tenderlab-study/1", "name": "over-sets", "base": ")" +
                                          kNaicc + R"(",
    "replications": 2, "parameter_sets": "calibration.json",
    "factors": [{"name": "pe", "path": "/calls/0/terms/public_equity_share", "values": [0.3, 0.5]}],
    "design": {"type": "grid"}})");
  const auto tasks = load_study_tasks((folder.path() / "study.json").string());
  CHECK(tasks->study().replications == 6);  // 3 sets x 2
  REQUIRE(tasks->size() == 12);             // 2 points x 3 sets x 2
  // Replication r runs set r mod 3: replication 4 is set 1, draw 2.
  const RunTask task = tasks->task(4);
  CHECK(task.point == 0);
  CHECK(task.replication == 4);
  const auto& patch = task.payload.at("patch");
  REQUIRE(patch.size() == 3);
  CHECK(patch[0]["path"] == "/assumptions/score_temperature");
  CHECK(patch[0]["value"] == 5.0);
  CHECK(patch[2]["path"] == "/calls/0/terms/public_equity_share");
  // The run's scenario has the draw and the factor, and is valid.
  const StudyRunPayload payload = parse_study_payload(task.payload, "task");
  const nlohmann::json scenario = study_run_scenario(payload, &tasks->study().base, "task");
  CHECK(scenario.at("assumptions").at("score_temperature") == 5.0);
  CHECK(scenario.at("market").at("gpu_hour_price_krw") == 5200.0);
  CHECK_NOTHROW(scenario_from_json(scenario, "task"));
}

TEST_CASE("a study refuses the parameter sets of another scenario file") {
  TempFolder folder;
  const fs::path edited = folder.path() / "edited.json";
  nlohmann::json scenario = read_json_file(kNaicc);
  scenario["description"] = "edited";
  write(edited, scenario.dump(2));
  write(folder.path() / "calibration.json", fake_calibration(kNaicc, {true}).dump());
  write(folder.path() / "study.json", R"({
    "format": "tenderlab-study/1", "name": "over-sets", "base": "edited.json",
    "parameter_sets": "calibration.json", "design": {"type": "grid"}})");
  try {
    load_study((folder.path() / "study.json").string());
    FAIL("a calibration of another file was accepted");
  } catch (const InputError& error) {
    CHECK(error.problems().front().pointer == "/parameter_sets");
    CHECK(error.problems().front().expected.find("SHA-256") != std::string::npos);
  }
}
