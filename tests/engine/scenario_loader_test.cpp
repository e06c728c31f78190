// The scenario loader against every kind of bad input: each test breaks one thing in a small valid
// scenario and checks the problem's JSON Pointer, what was expected and what was found.
#include <stdlib.h>    // mkdtemp
#include <sys/stat.h>  // mkfifo
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"
#include "tenderlab/engine/rng.hpp"
#include "tenderlab/engine/scenario_loader.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using tenderlab::AgentKindRegistration;
using tenderlab::CallKind;
using tenderlab::FailureAction;
using tenderlab::InputError;
using tenderlab::InputProblem;
using tenderlab::load_scenario;
using tenderlab::RoleTable;
using tenderlab::Scenario;
using tenderlab::scenario_from_json;
using tenderlab::ScenarioError;
using tenderlab::SiteRule;

namespace {

const fs::path source_dir = TENDERLAB_SOURCE_DIR;

// A small valid scenario; each test breaks one thing in it.
nlohmann::json valid_scenario() {
  return nlohmann::json::parse(R"({
    "$schema": "schema/scenario.schema.json",
    "format": "tenderlab-scenario/1",
    "name": "small",
    "start_date": "2025-01-01",
    "horizon": "2030-12-31",
    "agents": [
      {"id": "msit", "kind": "government"},
      {"id": "kdb", "kind": "policy_bank"},
      {"id": "kt", "kind": "telco", "capital_bn_krw": 3000},
      {"id": "naver-cloud", "kind": "cloud_provider", "capital_bn_krw": 2800}
    ],
    "relationships": [{"from": "kt", "to": "naver-cloud", "strength": 0.5}],
    "calls": [{
      "id": "naicc-spc",
      "kind": "spc_partner",
      "issuer": "msit",
      "schedule": {"announce": "2025-01-23", "loi_deadline": "2025-02-28",
                   "bid_deadline": "2025-05-30"},
      "object": {"gpus": 15000, "gpu_price_bn_krw": 0.1},
      "terms": {"public_equity_share": 0.51, "paid_in_years": 6, "site": "non_capital",
                "buy_back": {"enabled": true, "return_rate": 0.045}},
      "evaluation": {"technical_weight": 0.8, "price_weight": 0.2},
      "procedure": {"rounds": [
        {"kind": "reannounce",
         "schedule": {"announce": "2025-06-02", "bid_deadline": "2025-06-13"}},
        {"kind": "new_call",
         "schedule": {"announce": "2025-09-08", "bid_deadline": "2025-10-21"},
         "terms": {"public_equity_share": 0.3, "buy_back": {"enabled": false}}}
      ]}
    }],
    "events": [{"date": "2025-06-03", "kind": "note", "description": "election"}]
  })");
}

// The problems of a document the loader must reject.
std::vector<InputProblem> problems_of(const nlohmann::json& document) {
  try {
    scenario_from_json(document, "test.json");
  } catch (const ScenarioError& error) {
    return error.problems();
  }
  FAIL("the scenario was accepted");
  return {};
}

std::string listing(const std::vector<InputProblem>& problems) {
  std::string text;
  for (const auto& problem : problems)
    text += problem.to_string() + "\n";
  return text;
}

// The single problem of a document with exactly one mistake.
InputProblem only_problem(const nlohmann::json& document) {
  const auto problems = problems_of(document);
  INFO(listing(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems.front().file == "test.json");
  return problems.front();
}

// The problems of a file that cannot be read as JSON at all.
InputProblem unreadable(const fs::path& path) {
  try {
    load_scenario(path);
  } catch (const ScenarioError& error) {
    FAIL("expected a file-level InputError, got a ScenarioError: " << error.what());
  } catch (const InputError& error) {
    INFO(error.what());
    REQUIRE(error.problems().size() == 1);
    const InputProblem problem = error.problems().front();
    CHECK(problem.file == path.string());
    CHECK(problem.pointer.empty());
    CHECK_THAT(std::string(error.what()), StartsWith(path.string() + ": (document): expected "));
    return problem;
  }
  FAIL("the file was accepted");
  return {};
}

// A fresh directory under the system's temporary folder, removed with everything in it.
class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tenderlab-loader-test-XXXXXX").string();
    if (mkdtemp(pattern.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
    path_ = pattern;
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  ~TempDir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }

  const fs::path& path() const { return path_; }
  fs::path write(const std::string& name, const std::string& bytes) const {
    const fs::path file = path_ / name;
    std::ofstream out(file, std::ios::binary);
    out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    if (!out) throw std::runtime_error("cannot write " + file.string());
    return file;
  }

 private:
  fs::path path_;
};

std::string random_bytes(std::size_t size, const char* key) {
  tenderlab::Rng rng(1, 0, key);
  std::string bytes(size, '\0');
  for (std::size_t i = 0; i + 4 <= size; i += 4) {
    const std::uint32_t word = rng.next_u32();
    for (std::size_t b = 0; b < 4; ++b)
      bytes[i + b] = static_cast<char>((word >> (8 * b)) & 0xFF);
  }
  return bytes;
}

// The JSON Pointer a deliberately broken test file names in its "$comment" ("an error at /x").
std::string expected_pointer(const nlohmann::json& document) {
  const std::string comment = document.value("$comment", std::string());
  const std::string marker = "an error at ";
  const auto at = comment.find(marker);
  if (at == std::string::npos) return "";
  std::string pointer = comment.substr(at + marker.size());
  pointer = pointer.substr(0, pointer.find(' '));
  while (!pointer.empty() && std::string(".,:;").find(pointer.back()) != std::string::npos)
    pointer.pop_back();
  return pointer;
}

std::vector<fs::path> json_files_in(const fs::path& folder) {
  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(folder))
    if (entry.is_regular_file() && entry.path().extension() == ".json") files.push_back(entry);
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Valid input

TEST_CASE("scenario loader: the small test scenario is valid") {
  const auto scenario = scenario_from_json(valid_scenario(), "test.json");
  CHECK(scenario.name == "small");
  CHECK(scenario.agents.size() == 4);
  CHECK(scenario.calls.size() == 1);
}

TEST_CASE("scenario loader: naicc-2025 loads with all its agents, ties, rounds and events") {
  const auto scenario = load_scenario(source_dir / "scenarios" / "naicc-2025.json");
  CHECK(scenario.name == "naicc-2025");
  CHECK(scenario.start.iso() == "2025-01-01");
  CHECK(scenario.horizon.iso() == "2030-12-31");
  CHECK(scenario.seed == 20250123u);
  CHECK(scenario.agents.size() == 17);
  CHECK(scenario.relationships.size() == 17);
  CHECK(scenario.events.size() == 2);
  REQUIRE(scenario.calls.size() == 1);
  const auto& call = scenario.calls.front();
  CHECK(call.id == "naicc-spc");
  CHECK(call.issuer == "msit");
  CHECK(call.object.gpus == 15000);
  CHECK(call.terms.public_equity_share == 0.51);
  REQUIRE(call.procedure.rounds.size() == 2);
  CHECK(call.procedure.rounds[0].kind == FailureAction::reannounce);
  CHECK(call.procedure.rounds[1].kind == FailureAction::new_call);
  REQUIRE(call.procedure.rounds[1].terms);
  CHECK(call.procedure.rounds[1].terms->public_equity_share == 0.3);
  REQUIRE(scenario.find_agent("msit"));
  CHECK(scenario.find_agent("msit")->budget_bn_krw_by_year.at(2026) == 2108.7);
}

TEST_CASE("scenario loader: a new_call's terms patch the previous round's terms") {
  const auto scenario = scenario_from_json(valid_scenario(), "test.json");
  const auto& rounds = scenario.calls.front().procedure.rounds;
  REQUIRE(rounds.size() == 2);
  CHECK_FALSE(rounds[0].terms);  // a re-announcement keeps the terms
  REQUIRE(rounds[1].terms);
  const auto& terms = *rounds[1].terms;
  CHECK(terms.public_equity_share == 0.3);     // changed
  CHECK_FALSE(terms.buy_back.enabled);         // changed
  CHECK(terms.buy_back.return_rate == 0.045);  // kept inside a changed object
  CHECK(terms.paid_in_years == 6);             // kept
  CHECK(terms.site == SiteRule::non_capital);  // kept
}

TEST_CASE("scenario loader: a later new_call patches the terms of the new_call before it") {
  auto doc = valid_scenario();
  doc["calls"][0]["procedure"]["rounds"].push_back(nlohmann::json::parse(R"({
    "kind": "new_call",
    "schedule": {"announce": "2025-12-01", "bid_deadline": "2026-01-15"},
    "terms": {"tax_credit": 0.25}
  })"));
  const auto scenario = scenario_from_json(doc, "test.json");
  const auto& third = scenario.calls.front().procedure.rounds.at(2);
  REQUIRE(third.terms);
  CHECK(third.terms->tax_credit == 0.25);
  CHECK(third.terms->public_equity_share == 0.3);  // from the second round, not the first
  CHECK_FALSE(third.terms->buy_back.enabled);
}

TEST_CASE("scenario loader: comment keys are ignored in every object, the schema hint at the top") {
  auto doc = valid_scenario();
  doc["$comment"] = "top";
  doc["$schema"] = 42;  // any value: it is a hint for editors
  doc["agents"][2]["$comment"] = {{"structured", true}};
  doc["calls"][0]["$comment"] = "call";
  doc["calls"][0]["terms"]["$comment"] = "terms";
  doc["calls"][0]["terms"]["buy_back"]["$comment"] = "buy-back";
  doc["calls"][0]["schedule"]["$comment"] = "schedule";
  doc["calls"][0]["procedure"]["rounds"][1]["$comment"] = "round";
  doc["events"][0]["$comment"] = "event";
  CHECK_NOTHROW(scenario_from_json(doc, "test.json"));
}

TEST_CASE("scenario loader: a cancel round needs no schedule") {
  auto doc = valid_scenario();
  doc["calls"][0]["procedure"]["rounds"].push_back({{"kind", "cancel"}});
  const auto scenario = scenario_from_json(doc, "test.json");
  CHECK(scenario.calls.front().procedure.rounds.back().kind == FailureAction::cancel);
}

TEST_CASE("scenario loader: events are sorted by date, equal dates keeping file order") {
  auto doc = valid_scenario();
  doc["events"] = nlohmann::json::parse(R"([
    {"date": "2026-01-01", "kind": "note", "description": "b"},
    {"date": "2025-03-01", "kind": "demand", "multiplier": 1.2},
    {"date": "2026-01-01", "kind": "note", "description": "c"}
  ])");
  const auto scenario = scenario_from_json(doc, "test.json");
  REQUIRE(scenario.events.size() == 3);
  CHECK(scenario.events[0].date.iso() == "2025-03-01");
  CHECK(scenario.events[1].description == "b");
  CHECK(scenario.events[2].description == "c");
}

TEST_CASE("scenario loader: the files in tests/scenario/valid load") {
  for (const auto& path : json_files_in(source_dir / "tests" / "scenario" / "valid")) {
    INFO(path.string());
    CHECK_NOTHROW(load_scenario(path));
  }
}

TEST_CASE("scenario loader: each broken file in tests/scenario/invalid is rejected where it says") {
  // The same files the JSON schema must reject (tests/scenario/check_schema.py): the loader
  // reports a problem at the pointer named in the file's $comment or below it (an unknown key is
  // reported at the key, the schema reports it at the object).
  const auto files = json_files_in(source_dir / "tests" / "scenario" / "invalid");
  REQUIRE(files.size() >= 6);
  for (const auto& path : files) {
    INFO(path.string());
    std::ifstream in(path);
    const auto document = nlohmann::json::parse(in);
    const std::string pointer = expected_pointer(document);
    REQUIRE_FALSE(pointer.empty());
    REQUIRE_THROWS_AS(load_scenario(path), ScenarioError);
    const auto problems = problems_of(document);
    INFO(listing(problems));
    CHECK(std::any_of(problems.begin(), problems.end(), [&](const InputProblem& problem) {
      return problem.pointer == pointer || problem.pointer.rfind(pointer + "/", 0) == 0;
    }));
  }
}

// ---------------------------------------------------------------------------------------------
// Unknown keys

TEST_CASE("scenario loader: an unknown top-level key is rejected") {
  auto doc = valid_scenario();
  doc["colour"] = "blue";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/colour");
  CHECK_THAT(problem.expected,
             StartsWith("one of the known keys (") && Contains("horizon") && Contains("agents"));
  CHECK(problem.found == "the unknown key \"colour\"");
}

TEST_CASE("scenario loader: a misspelt key in an agent is rejected and the known keys listed") {
  auto doc = valid_scenario();
  doc["agents"][2].erase("capital_bn_krw");
  doc["agents"][2]["capitol_bn_krw"] = 3000;
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/agents/2/capitol_bn_krw");
  CHECK_THAT(problem.expected,
             StartsWith("one of the known keys (") && Contains("capital_bn_krw, "));
  CHECK(problem.found == "the unknown key \"capitol_bn_krw\" (did you mean \"capital_bn_krw\"?)");
}

TEST_CASE("scenario loader: a retired key names what replaced it") {
  auto doc = valid_scenario();
  doc["agents"][2]["hurdle_rate"] = 0.09;
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/agents/2/hurdle_rate");
  CHECK_THAT(problem.found, StartsWith("the unknown key \"hurdle_rate\" (removed: ") &&
                                Contains("/assumptions/risk_free_rate") &&
                                Contains("risk_aversion"));
}

TEST_CASE("scenario loader: an unknown key in the terms is rejected") {
  auto doc = valid_scenario();
  doc["calls"][0]["terms"]["public_share"] = 0.5;
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/terms/public_share");
  CHECK_THAT(problem.expected, StartsWith("one of the known keys (") &&
                                   Contains("public_equity_share") && Contains("site"));
  CHECK(problem.found == "the unknown key \"public_share\"");
}

TEST_CASE("scenario loader: an unknown key in a new_call round's terms is rejected") {
  auto doc = valid_scenario();
  doc["calls"][0]["procedure"]["rounds"][1]["terms"]["buy_back"]["rate"] = 0.03;
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/procedure/rounds/1/terms/buy_back/rate");
  CHECK(problem.expected == "one of the known keys (enabled, return_rate)");
  CHECK(problem.found == "the unknown key \"rate\"");
}

// ---------------------------------------------------------------------------------------------
// Types, ranges, enums, dates, ids, missing keys

TEST_CASE("scenario loader: a number written as a string is the wrong type") {
  auto doc = valid_scenario();
  doc["agents"][2]["capital_bn_krw"] = "3000";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/agents/2/capital_bn_krw");
  CHECK(problem.expected == "a number >= 0");
  CHECK(problem.found == "the string \"3000\"");
}

TEST_CASE("scenario loader: an object where an array belongs is the wrong type") {
  auto doc = valid_scenario();
  doc["agents"] = {{"id", "msit"}};
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problems = problems_of(doc);
  REQUIRE_FALSE(problems.empty());
  CHECK(problems.front().pointer == "/agents");
  CHECK(problems.front().expected == "an array");
  CHECK(problems.front().found == "an object");
}

TEST_CASE("scenario loader: an integer key rejects a fraction and accepts 15000.0") {
  auto doc = valid_scenario();
  doc["calls"][0]["object"]["gpus"] = 15000.5;
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/object/gpus");
  CHECK(problem.expected == "an integer in [1, 100000000]");
  CHECK(problem.found == "15000.5");

  doc["calls"][0]["object"]["gpus"] = 15000.0;
  CHECK(scenario_from_json(doc, "test.json").calls.front().object.gpus == 15000);
}

TEST_CASE("scenario loader: a negative capital is out of range") {
  auto doc = valid_scenario();
  doc["agents"][3]["capital_bn_krw"] = -5;
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/agents/3/capital_bn_krw");
  CHECK(problem.expected == "a number >= 0");
  CHECK(problem.found == "-5");
}

TEST_CASE("scenario loader: a share above 1 is out of range") {
  auto doc = valid_scenario();
  doc["calls"][0]["terms"]["domestic_chip_share"] = 1.5;
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/terms/domestic_chip_share");
  CHECK(problem.expected == "a number in [0, 1]");
  CHECK(problem.found == "1.5");
}

TEST_CASE("scenario loader: a public equity share of 1 or more is out of range") {
  auto doc = valid_scenario();
  doc["calls"][0]["terms"]["public_equity_share"] = 1;
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/terms/public_equity_share");
  CHECK(problem.expected == "a number in [0, 0.99]");
  CHECK(problem.found == "1");
}

TEST_CASE("scenario loader: an agent kind that is not registered is rejected with the list") {
  auto doc = valid_scenario();
  doc["agents"][3]["kind"] = "cloud";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/agents/3/kind");
  // Every registered kind, by name.
  CHECK(problem.expected ==
        "one of \"builder\", \"chip_maker\", \"cloud_provider\", \"government\", "
        "\"gpu_vendor\", \"grid_operator\", \"local_government\", \"policy_bank\", \"telco\", "
        "\"university\"");
  CHECK(problem.found == "the string \"cloud\"");
}

TEST_CASE("scenario loader: a kind is accepted because it is registered") {
  auto doc = valid_scenario();
  doc["agents"][3]["kind"] = "loader_test_kind";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  static const AgentKindRegistration registration{{.name = "loader_test_kind",
                                                   .meaning = "a kind only this test knows",
                                                   .roles = RoleTable{},
                                                   .parameters = {},
                                                   .start = {}}};
  const Scenario scenario = scenario_from_json(doc, "test.json");
  CHECK(scenario.agents[3].kind == registration.kind());
  CHECK(scenario.agents[3].kind.name() == "loader_test_kind");
  CHECK_FALSE(scenario.agents[3].kind.takes_part_in(CallKind::spc_partner));
}

TEST_CASE("scenario loader: a site rule outside the list is rejected") {
  auto doc = valid_scenario();
  doc["calls"][0]["terms"]["site"] = "Seoul";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/terms/site");
  CHECK(problem.expected == "one of \"any\", \"capital\", \"non_capital\"");
  CHECK(problem.found == "the string \"Seoul\"");
}

TEST_CASE("scenario loader: 30 February is not a date") {
  auto doc = valid_scenario();
  doc["start_date"] = "2025-02-30";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/start_date");
  CHECK(problem.expected == "a date \"YYYY-MM-DD\"");
  CHECK(problem.found == "the string \"2025-02-30\"");
}

TEST_CASE("scenario loader: the word tomorrow is not a date") {
  auto doc = valid_scenario();
  doc["calls"][0]["schedule"]["loi_deadline"] = "tomorrow";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/schedule/loi_deadline");
  CHECK(problem.expected == "a date \"YYYY-MM-DD\"");
  CHECK(problem.found == "the string \"tomorrow\"");
}

TEST_CASE("scenario loader: an unreadable date is reported once, without follow-on problems") {
  // The ordering and range checks skip a date the loader could not read, so they do not add
  // problems about a placeholder date that is not in the file.
  auto doc = valid_scenario();
  doc["calls"][0]["schedule"]["bid_deadline"] = "30/05/2025";
  const auto problems = problems_of(doc);
  INFO(listing(problems));
  CHECK(problems.size() == 1);
}

TEST_CASE("scenario loader: an id with capitals and spaces is rejected") {
  auto doc = valid_scenario();
  doc["agents"][3]["id"] = "Naver Cloud";
  doc["relationships"][0]["to"] = "Naver Cloud";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/agents/3/id");
  CHECK(problem.expected == "an id of 1 to 64 characters from a-z, 0-9, '-', '_' and '.'");
  CHECK(problem.found == "the string \"Naver Cloud\"");
}

TEST_CASE("scenario loader: a missing required key is reported as missing") {
  auto doc = valid_scenario();
  doc.erase("name");
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  auto problem = only_problem(doc);
  CHECK(problem.pointer == "/name");
  CHECK(problem.expected == "a string");
  CHECK(problem.found == "nothing (missing)");

  doc = valid_scenario();
  doc["calls"][0].erase("object");
  problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/object");
  CHECK(problem.expected == "an object");
  CHECK(problem.found == "nothing (missing)");
}

TEST_CASE("scenario loader: a document that is not an object is rejected") {
  REQUIRE_THROWS_AS(scenario_from_json(nlohmann::json::array(), "test.json"), ScenarioError);
  const auto problems = problems_of(nlohmann::json::array());
  REQUIRE_FALSE(problems.empty());
  CHECK(problems.front().pointer.empty());
  CHECK(problems.front().expected == "an object");
  CHECK(problems.front().found == "an array");
}

TEST_CASE("scenario loader: only a new_call round may change the terms") {
  auto doc = valid_scenario();
  doc["calls"][0]["procedure"]["rounds"][0]["terms"] = {{"tax_credit", 0.2}};
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/procedure/rounds/0/terms");
  CHECK(problem.expected == "no terms (only a new_call changes the terms)");
  CHECK(problem.found == "an object");
}

TEST_CASE("scenario loader: an enabled adaptive rule cannot sit next to scripted rounds") {
  auto doc = valid_scenario();
  doc["calls"][0]["adaptive_revision"] = {{"max_rounds", 3}};
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/adaptive_revision");
  CHECK(problem.expected == "either scripted rounds in /procedure/rounds or an adaptive rule");
  CHECK(problem.found == "both");

  doc["calls"][0]["adaptive_revision"]["enabled"] = false;
  CHECK_NOTHROW(scenario_from_json(doc, "test.json"));
}

// ---------------------------------------------------------------------------------------------
// Cross references: what the JSON schema cannot check

TEST_CASE("scenario loader: a duplicate agent id is rejected at the second agent") {
  auto doc = valid_scenario();
  doc["agents"][3]["id"] = "kt";
  doc["relationships"] = nlohmann::json::array();
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/agents/3/id");
  CHECK(problem.expected == "an id not used by another agent (already used at /agents/2)");
  CHECK(problem.found == "the string \"kt\"");
}

TEST_CASE("scenario loader: a duplicate call id is rejected at the second call") {
  auto doc = valid_scenario();
  doc["calls"].push_back(doc["calls"][0]);
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/1/id");
  CHECK(problem.expected == "an id not used by another call");
  CHECK(problem.found == "the string \"naicc-spc\"");
}

TEST_CASE("scenario loader: a relationship to an agent that does not exist is rejected") {
  auto doc = valid_scenario();
  doc["relationships"][0]["to"] = "samsung";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/relationships/0/to");
  CHECK(problem.expected == "the id of an agent in /agents");
  CHECK(problem.found == "the string \"samsung\" (no such agent)");
}

TEST_CASE("scenario loader: a relationship of an agent with itself is rejected") {
  auto doc = valid_scenario();
  doc["relationships"][0]["to"] = "kt";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/relationships/0/to");
  CHECK(problem.expected == "an agent other than /from");
  CHECK(problem.found == "the string \"kt\"");
}

TEST_CASE("scenario loader: a call issued by an agent that does not exist is rejected") {
  auto doc = valid_scenario();
  doc["calls"][0]["issuer"] = "moef";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/issuer");
  CHECK(problem.expected == "the id of an agent in /agents");
  CHECK(problem.found == "the string \"moef\" (no such agent)");
}

TEST_CASE("scenario loader: a call issued by an agent whose kind may not issue it is rejected") {
  auto doc = valid_scenario();
  doc["calls"][0]["issuer"] = "kdb";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/issuer");
  CHECK(problem.expected == "the id of an agent whose kind issues spc_partner calls (government)");
  CHECK(problem.found == "the string \"kdb\" (a policy_bank)");
}

TEST_CASE("scenario loader: a bid deadline before the announcement is rejected") {
  auto doc = valid_scenario();
  doc["calls"][0]["schedule"].erase("loi_deadline");
  doc["calls"][0]["schedule"]["bid_deadline"] = "2025-01-10";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/schedule/bid_deadline");
  CHECK(problem.expected == "a date on or after the announcement 2025-01-23");
  CHECK(problem.found == "2025-01-10");
}

TEST_CASE("scenario loader: a letter-of-intent deadline after the bid deadline is rejected") {
  auto doc = valid_scenario();
  doc["calls"][0]["schedule"]["loi_deadline"] = "2025-06-01";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/schedule/loi_deadline");
  CHECK(problem.expected == "a date between the announcement and the bid deadline");
  CHECK(problem.found == "2025-06-01");
}

TEST_CASE("scenario loader: a round announced before the previous bid deadline is rejected") {
  auto doc = valid_scenario();
  doc["calls"][0]["procedure"]["rounds"][0]["schedule"]["announce"] = "2025-05-30";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/procedure/rounds/0/schedule/announce");
  CHECK(problem.expected == "a date after the previous round's bid deadline 2025-05-30");
  CHECK(problem.found == "2025-05-30");
}

TEST_CASE("scenario loader: dates before start_date or after the horizon are rejected") {
  auto doc = valid_scenario();
  doc["calls"][0]["schedule"]["announce"] = "2024-12-31";
  doc["calls"][0]["schedule"].erase("loi_deadline");
  doc["events"][0]["date"] = "2031-01-01";
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problems = problems_of(doc);
  INFO(listing(problems));
  REQUIRE(problems.size() == 2);
  CHECK(problems[0].pointer == "/calls/0/schedule/announce");
  CHECK(problems[0].expected == "a date between start_date 2025-01-01 and horizon 2030-12-31");
  CHECK(problems[0].found == "2024-12-31");
  CHECK(problems[1].pointer == "/events/0/date");
  CHECK(problems[1].expected == "a date between start_date 2025-01-01 and horizon 2030-12-31");
  CHECK(problems[1].found == "2031-01-01");

  // Both ends are inside.
  doc = valid_scenario();
  doc["events"][0]["date"] = "2030-12-31";
  doc["events"].push_back({{"date", "2025-01-01"}, {"kind", "note"}});
  CHECK_NOTHROW(scenario_from_json(doc, "test.json"));
}

TEST_CASE("scenario loader: a horizon on or before the start date is rejected") {
  auto doc = valid_scenario();
  doc["horizon"] = "2025-01-01";
  doc["calls"] = nlohmann::json::array();
  doc["events"] = nlohmann::json::array();
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/horizon");
  CHECK(problem.expected == "a date after start_date 2025-01-01");
  CHECK(problem.found == "2025-01-01");
}

TEST_CASE("scenario loader: evaluation weights that do not add up to 1 are rejected") {
  auto doc = valid_scenario();
  doc["calls"][0]["evaluation"]["technical_weight"] = 0.7;
  REQUIRE_THROWS_AS(scenario_from_json(doc, "test.json"), ScenarioError);
  const auto problem = only_problem(doc);
  CHECK(problem.pointer == "/calls/0/evaluation/price_weight");
  CHECK(problem.expected == "weights that add up to 1");
  CHECK_THAT(problem.found, StartsWith("technical + price = 0.8999"));
}

// ---------------------------------------------------------------------------------------------
// Several problems at once, and the message

TEST_CASE(
    "scenario loader: an unknown key, a negative capital and a missing agent are all "
    "reported in one error") {
  auto doc = valid_scenario();
  doc["agents"][2]["colour"] = "red";
  doc["agents"][3]["capital_bn_krw"] = -100;
  doc["relationships"][0]["to"] = "ghost";
  std::vector<InputProblem> problems;
  try {
    scenario_from_json(doc, "test.json");
    FAIL("the scenario was accepted");
  } catch (const ScenarioError& error) {
    problems = error.problems();
    const std::string what = error.what();
    for (const auto& problem : problems)
      CHECK_THAT(what, Contains(problem.to_string()));
  }
  std::set<std::string> pointers;
  for (const auto& problem : problems)
    pointers.insert(problem.pointer);
  INFO(listing(problems));
  CHECK(problems.size() == 3);
  CHECK(pointers == std::set<std::string>{"/agents/2/colour", "/agents/3/capital_bn_krw",
                                          "/relationships/0/to"});
}

TEST_CASE("scenario loader: every line of the message starts with the file name") {
  TempDir dir;
  auto doc = valid_scenario();
  doc["colour"] = "red";
  doc["agents"][3]["capital_bn_krw"] = -100;
  doc["calls"][0]["issuer"] = "kdb";
  const fs::path path = dir.write("three-problems.json", doc.dump(2));
  try {
    load_scenario(path);
    FAIL("the scenario was accepted");
  } catch (const ScenarioError& error) {
    std::istringstream lines(error.what());
    std::string line;
    int count = 0;
    while (std::getline(lines, line)) {
      CHECK_THAT(line, StartsWith(path.string() + ": /"));
      ++count;
    }
    CHECK(count == 3);
    for (const auto& problem : error.problems())
      CHECK(problem.file == path.string());
  }
}

TEST_CASE("scenario loader: what() lists every problem, one a line, in the order found") {
  auto doc = valid_scenario();
  doc["seed"] = -1;
  doc["agents"][0]["kind"] = "state";
  doc["calls"][0]["winners"] = 0;
  doc["events"][0]["multiplier"] = "x";
  try {
    scenario_from_json(doc, "test.json");
    FAIL("the scenario was accepted");
  } catch (const ScenarioError& error) {
    std::string expected;
    for (const auto& problem : error.problems())
      expected += (expected.empty() ? "" : "\n") + problem.to_string();
    CHECK(error.problems().size() >= 4);
    CHECK(std::string(error.what()) == expected);
    CHECK_THAT(std::string(error.what()),
               Contains("test.json: /seed: expected an integer in [0, 9223372036854775807], "
                        "found -1"));
  }
}

// ---------------------------------------------------------------------------------------------
// Files that are not JSON scenarios at all

TEST_CASE("scenario loader: a truncated file is reported as truncated") {
  TempDir dir;
  const auto problem = unreadable(dir.write("truncated.json", "{\"name\": "));
  CHECK(problem.expected == "a valid UTF-8 JSON document");
  CHECK(problem.found == "the end of the file (truncated?)");
}

TEST_CASE("scenario loader: an empty file is reported as empty") {
  TempDir dir;
  auto problem = unreadable(dir.write("empty.json", ""));
  CHECK(problem.expected == "a valid UTF-8 JSON document");
  CHECK(problem.found == "an empty file");
  problem = unreadable(dir.write("blank.json", " \n\t\r\n"));
  CHECK(problem.found == "an empty file");
}

TEST_CASE("scenario loader: a UTF-16 file is recognised by its byte-order mark") {
  TempDir dir;
  // {"name": "x"} as Windows editors save it: UTF-16 little-endian with a byte-order mark.
  std::string bytes = "\xFF\xFE";
  for (const char c : std::string("{\"name\": \"x\"}"))
    bytes += std::string{c, '\0'};
  const auto problem = unreadable(dir.write("utf16.json", bytes));
  CHECK(problem.expected == "UTF-8 text");
  CHECK(problem.found == "a UTF-16 byte-order mark");

  // Big-endian too; without a byte-order mark, UTF-16 is refused by its NUL bytes.
  std::string big_endian = "\xFE\xFF";
  for (const char c : std::string("{\"name\": \"x\"}"))
    big_endian += std::string{'\0', c};
  const auto be = unreadable(dir.write("utf16be.json", big_endian));
  CHECK(be.expected == "UTF-8 text");
  CHECK(be.found == "a UTF-16 byte-order mark");
  const auto no_mark = unreadable(dir.write("utf16-no-mark.json", big_endian.substr(2)));
  CHECK(no_mark.expected == "UTF-8 JSON text without NUL bytes");
  CHECK(no_mark.found == "a NUL byte at line 1, column 1 (byte offset 0)");
}

TEST_CASE("scenario loader: invalid UTF-8 inside a string is reported with its position") {
  TempDir dir;
  const auto problem = unreadable(dir.write("latin1.json", "{\n  \"name\": \"caf\xE9\"\n}\n"));
  CHECK(problem.expected == "a valid UTF-8 JSON document");
  CHECK_THAT(problem.found, StartsWith("invalid text at line 2, column "));
}

TEST_CASE("scenario loader: binary garbage is bad input") {
  TempDir dir;
  const auto problem = unreadable(dir.write("garbage.json", random_bytes(4096, "garbage")));
  CHECK_THAT(problem.expected, Contains("JSON") || Contains("UTF-8"));
}

// Speed is measured by benchmarks, not asserted here: a shared machine makes wall-clock limits
// flaky. What is checked is that the file is refused by its size, before it is parsed.
TEST_CASE("scenario loader: 100 MB of garbage is refused by its size") {
  TempDir dir;
  const std::size_t size = 100u * 1024u * 1024u;
  const fs::path path = dir.write("huge.json", random_bytes(size, "huge"));
  REQUIRE_THROWS_AS(load_scenario(path), InputError);
  const auto problem = unreadable(path);
  CHECK(problem.expected == "a file of at most 64 MiB");
  CHECK(problem.found == std::to_string(size) + " bytes");
}

TEST_CASE("scenario loader: 32 MB of garbage under the size limit is refused") {
  TempDir dir;
  const fs::path path = dir.write("large.json", "{\"a\": " + random_bytes(32u << 20, "large"));
  REQUIRE_THROWS_AS(load_scenario(path), InputError);
}

TEST_CASE("scenario loader: arrays nested 100000 deep are refused before parsing") {
  TempDir dir;
  const auto problem = unreadable(dir.write("deep.json", std::string(100000, '[')));
  CHECK(problem.expected == "arrays and objects nested at most 128 deep");
  CHECK(problem.found == "deeper nesting at line 1, column 129");
  const auto closed = unreadable(
      dir.write("deep-closed.json", std::string(100000, '[') + std::string(100000, ']')));
  CHECK(closed.expected == "arrays and objects nested at most 128 deep");
}

TEST_CASE("scenario loader: brackets inside strings do not count as nesting") {
  auto doc = valid_scenario();
  doc["description"] = std::string(1000, '[');
  CHECK_NOTHROW(tenderlab::parse_json_text(doc.dump(), "test.json"));
}

TEST_CASE("scenario loader: a number too large for a double is bad input") {
  // nlohmann reports 1e400 with out_of_range (406), not parse_error: parse_json_text must turn it
  // into an InputError too, so `tenderlab validate` exits 2 (bad input), not 1.
  REQUIRE_THROWS_AS(tenderlab::parse_json_text("{\"seed\": 1e400}", "test.json"), InputError);
}

TEST_CASE("scenario loader: a directory instead of a file is reported") {
  TempDir dir;
  const auto problem = unreadable(dir.path());
  CHECK(problem.expected == "a regular file");
  CHECK(problem.found == "a directory");
}

TEST_CASE("scenario loader: a named pipe is refused at once, without waiting for a writer") {
  TempDir dir;
  const fs::path fifo = dir.path() / "scenario.json";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  // Opening a FIFO for reading blocks until a writer comes: run the load in a child and give it
  // two seconds, so a regression fails this test instead of hanging the suite.
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    alarm(2);
    try {
      load_scenario(fifo);
    } catch (const InputError& error) {
      const InputProblem& problem = error.problems().front();
      _exit(problem.expected == "a regular file" && problem.found == "a named pipe (FIFO)" ? 0 : 3);
    }
    _exit(4);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  INFO("wait status " << status << " (signal 14: the load blocked on the FIFO)");
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("scenario loader: a device that never ends is refused before reading") {
  // /dev/zero has no size: reading it to the end would fill the memory.
  const auto problem = unreadable("/dev/zero");
  CHECK(problem.expected == "a regular file");
  CHECK(problem.found == "a character device");
  CHECK_THROWS_AS(tenderlab::read_input_file("/dev/null"), InputError);
}

TEST_CASE("scenario loader: a NUL byte is refused with its position") {
  TempDir dir;
  // Everything after the NUL would otherwise be invisible to the reader.
  const auto problem = unreadable(dir.write("nul.json", std::string("{\"name\": \"x\"}\n\0{", 16)));
  CHECK(problem.expected == "UTF-8 JSON text without NUL bytes");
  CHECK(problem.found == "a NUL byte at line 2, column 1 (byte offset 14)");
}

TEST_CASE("scenario loader: a scenario name must be a plain folder name") {
  // The name becomes the output folder runs/<name>.
  for (const std::string& bad :
       std::vector<std::string>{"../../victim", "..", ".", "", "a/b", "/tmp/x", "Naicc", ".hidden",
                                "-flag", "naicc 2025", std::string(101, 'a')}) {
    INFO(bad);
    auto doc = valid_scenario();
    doc["name"] = bad;
    const auto problem = only_problem(doc);
    CHECK(problem.pointer == "/name");
    CHECK_THAT(problem.expected, StartsWith("a name of 1 to 100 characters a-z, 0-9, '.', '_' and "
                                            "'-', starting with a letter or a digit"));
    CHECK_THAT(problem.found, StartsWith("the string "));
  }
  for (const std::string& good : std::vector<std::string>{"a", "naicc-2025", "r1.no_buy-back",
                                                          "2025", std::string(100, 'a')}) {
    INFO(good);
    auto doc = valid_scenario();
    doc["name"] = good;
    CHECK_NOTHROW(scenario_from_json(doc, "test.json"));
  }
}

TEST_CASE("scenario loader: a missing file is reported") {
  TempDir dir;
  const auto problem = unreadable(dir.path() / "no-such-scenario.json");
  CHECK(problem.expected == "an existing file");
  CHECK(problem.found == "no such file");
}

// ---------------------------------------------------------------------------------------------
// The power grid

namespace {

nlohmann::json with_grid() {
  auto doc = valid_scenario();
  doc["agents"].push_back({{"id", "kepco"}, {"kind", "grid_operator"}});
  doc["grid"] = nlohmann::json::parse(R"({
    "operator": "kepco",
    "nodes": [{"id": "backbone", "region": "chungcheong", "supply_mw": 1000},
              {"id": "seoul", "region": "seoul", "capital_region": true, "load_mw": 100}],
    "lines": [{"from": "backbone", "to": "seoul", "capacity_mw": 150}],
    "upgrades": [{"date": "2027-01-01", "node": "seoul", "to": "backbone", "mw": 100},
                 {"date": "2026-01-01", "node": "seoul", "mw": 50}]
  })");
  doc["sites"] = nlohmann::json::parse(R"([{"id": "gasan", "node": "seoul", "owner": "kt"},
                                            {"id": "naju", "node": "backbone", "max_mw": 40}])");
  return doc;
}

bool reported_at(const std::vector<InputProblem>& problems, const std::string& pointer,
                 const std::string& expected_start) {
  return std::any_of(problems.begin(), problems.end(), [&](const InputProblem& p) {
    return p.pointer == pointer && p.expected.rfind(expected_start, 0) == 0;
  });
}

}  // namespace

TEST_CASE("scenario loader: a grid and its sites load, upgrades sorted by date") {
  const Scenario scenario = scenario_from_json(with_grid(), "test.json");
  REQUIRE(scenario.grid);
  CHECK(scenario.grid->operator_id == "kepco");
  CHECK(scenario.grid->review_days == 90);
  CHECK(scenario.grid->nodes.size() == 2);
  CHECK(scenario.grid->nodes[1].capital_region);
  CHECK(scenario.grid->lines[0].capacity_mw == 150);
  REQUIRE(scenario.grid->upgrades.size() == 2);
  CHECK(scenario.grid->upgrades[0].date.iso() == "2026-01-01");
  CHECK(scenario.grid->upgrades[0].to.empty());
  CHECK(scenario.grid->upgrades[1].to == "backbone");
  REQUIRE(scenario.sites.size() == 2);
  CHECK(scenario.sites[0].owner == "kt");
  CHECK(std::isinf(scenario.sites[0].max_mw));
  CHECK(scenario.sites[1].max_mw == 40);
  CHECK_FALSE(scenario_from_json(valid_scenario(), "test.json").grid);
}

TEST_CASE("scenario loader: the grid's references are checked where they are written") {
  auto doc = with_grid();
  doc["grid"]["operator"] = "msit";                                    // not a grid operator
  doc["grid"]["nodes"].push_back({{"id", "seoul"}, {"region", "x"}});  // duplicate id
  doc["grid"]["lines"].push_back({{"from", "seoul"}, {"to", "busan"}, {"capacity_mw", 1}});
  doc["grid"]["lines"].push_back({{"from", "seoul"}, {"to", "seoul"}, {"capacity_mw", 1}});
  doc["grid"]["upgrades"].push_back({{"date", "2031-01-01"}, {"node", "seoul"}, {"mw", 1}});
  doc["grid"]["upgrades"].push_back(
      {{"date", "2026-01-01"}, {"node", "backbone"}, {"to", "backbone"}, {"mw", 1}});
  doc["sites"].push_back({{"id", "gasan"}, {"node", "nowhere"}, {"owner", "nobody"}});
  const auto problems = problems_of(doc);
  INFO(listing(problems));
  CHECK(reported_at(problems, "/grid/operator", "the id of an agent of kind grid_operator"));
  CHECK(reported_at(problems, "/grid/nodes/2/id", "an id not used by another node"));
  CHECK(reported_at(problems, "/grid/lines/1/to", "the id of a node in /grid/nodes"));
  CHECK(reported_at(problems, "/grid/lines/2/to", "a node other than /from"));
  CHECK(reported_at(problems, "/grid/upgrades/2/date", "a date in [2025-01-01, 2030-12-31]"));
  CHECK(reported_at(problems, "/grid/upgrades/3/to", "a node joined to /node by a line"));
  CHECK(reported_at(problems, "/sites/2/id", "an id not used by another site"));
  CHECK(reported_at(problems, "/sites/2/node", "the id of a node in /grid/nodes"));
  CHECK(reported_at(problems, "/sites/2/owner", "the id of an agent in /agents"));
  CHECK(problems.size() == 9);
}

TEST_CASE("scenario loader: sites need a grid, and a grid needs its operator and nodes") {
  auto doc = with_grid();
  doc.erase("grid");
  CHECK(reported_at(problems_of(doc), "/sites", "no sites without a /grid"));
  doc = with_grid();
  doc["grid"].erase("operator");
  doc["grid"].erase("nodes");
  const auto problems = problems_of(doc);
  INFO(listing(problems));
  CHECK(std::any_of(problems.begin(), problems.end(),
                    [](const InputProblem& p) { return p.pointer == "/grid/operator"; }));
  CHECK(std::any_of(problems.begin(), problems.end(),
                    [](const InputProblem& p) { return p.pointer == "/grid/nodes"; }));
}
