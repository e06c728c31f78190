// The study loader against bad study files: each problem is reported with its JSON Pointer as
// bad input (InputError), never as another exception, and before anything runs.
#include <stdlib.h>  // mkdtemp
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tenderlab/analysis/study.hpp"
#include "tenderlab/engine/input_error.hpp"

namespace fs = std::filesystem;
using tenderlab::InputError;
using tenderlab::InputProblem;
using tenderlab::analysis::load_study;

namespace {

const fs::path source_dir = TENDERLAB_SOURCE_DIR;
const fs::path golden_scenario = source_dir / "tests" / "golden" / "small.json";

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tenderlab-study-test-XXXXXX").string();
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
  fs::path write(const std::string& name, const nlohmann::json& document) const {
    const fs::path file = path_ / name;
    std::ofstream(file) << document.dump(2);
    return file;
  }

 private:
  fs::path path_;
};

// A small valid study of the golden scenario; each test breaks one thing in it.
nlohmann::json valid_study() {
  return {{"format", "tenderlab-study/1"},
          {"name", "small"},
          {"base", golden_scenario.string()},
          {"replications", 1},
          {"factors",
           {{{"name", "tax_credit"}, {"path", "/calls/0/terms/tax_credit"}, {"values", {0.1}}}}},
          {"design", {{"type", "grid"}}}};
}

std::vector<InputProblem> problems_of(const fs::path& study) {
  try {
    load_study(study.string());
  } catch (const InputError& error) {
    return error.problems();
  }
  FAIL("the study was accepted");
  return {};
}

bool reported_at(const std::vector<InputProblem>& problems, const std::string& pointer) {
  return std::any_of(problems.begin(), problems.end(),
                     [&](const InputProblem& problem) { return problem.pointer == pointer; });
}

std::string listing(const std::vector<InputProblem>& problems) {
  std::string text;
  for (const auto& problem : problems)
    text += problem.to_string() + "\n";
  return text;
}

}  // namespace

TEST_CASE(
    "study loader: each broken file in tests/scenario/invalid-study is rejected where it says") {
  // The files the study schema must reject too (tests/scenario/check_schema.py).
  std::vector<fs::path> files;
  for (const auto& entry :
       fs::directory_iterator(source_dir / "tests" / "scenario" / "invalid-study"))
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  std::sort(files.begin(), files.end());
  REQUIRE(files.size() >= 7);
  for (const auto& path : files) {
    INFO(path.string());
    std::ifstream in(path);
    const auto document = nlohmann::json::parse(in);
    const std::string comment = document.value("$comment", "");
    const auto at = comment.find("an error at ");
    REQUIRE(at != std::string::npos);
    std::string pointer = comment.substr(at + 12);
    pointer = pointer.substr(0, pointer.find_first_of(" ,.:;"));
    const auto problems = problems_of(path);
    INFO(listing(problems));
    CHECK(std::any_of(problems.begin(), problems.end(), [&](const InputProblem& problem) {
      return problem.pointer == pointer || problem.pointer.rfind(pointer + "/", 0) == 0;
    }));
  }
}

TEST_CASE("study loader: a Latin hypercube without factors is refused at /factors") {
  TempDir dir;
  auto study = valid_study();
  study["factors"] = nlohmann::json::array();
  study["design"] = {{"type", "lhs"}, {"samples", 5}};
  const auto problems = problems_of(dir.write("lhs.json", study));
  INFO(listing(problems));
  REQUIRE(problems.size() == 1);
  CHECK(problems.front().pointer == "/factors");
  CHECK(problems.front().expected == "at least one factor for a lhs design");
}

TEST_CASE("study loader: a grid without factors is one point, the base scenario") {
  TempDir dir;
  auto study = valid_study();
  study["factors"] = nlohmann::json::array();
  CHECK_NOTHROW(load_study(dir.write("grid.json", study).string()));
}

TEST_CASE("study loader: an array index too large for any array is bad input at the factor") {
  TempDir dir;
  // As the last token, and inside the path: both once escaped the loader as std::out_of_range
  // ("error: stoul") or as an exception of the JSON library.
  for (const std::string& path : std::vector<std::string>{
           "/calls/99999999999999999999999", "/calls/99999999999999999999999/terms/tax_credit",
           "/calls/18446744073709551616", "/calls/4294967296/terms/tax_credit", "/calls/01",
           "/calls/0/terms/tax_credit/0", "/calls/-", "/calls/-1"}) {
    INFO(path);
    auto study = valid_study();
    study["factors"][0]["path"] = path;
    const auto problems = problems_of(dir.write("index.json", study));
    INFO(listing(problems));
    CHECK(reported_at(problems, "/factors/0/path"));
  }
}

TEST_CASE("study loader: a fixed change at an index too large for any array is bad input") {
  TempDir dir;
  auto study = valid_study();
  study["fixed"] = {{{"path", "/agents/99999999999999999999999/capital_bn_krw"}, {"value", 1}}};
  const auto problems = problems_of(dir.write("fixed.json", study));
  INFO(listing(problems));
  CHECK(reported_at(problems, "/fixed/0/path"));
}

TEST_CASE("study loader: a base that is a named pipe is refused at once") {
  TempDir dir;
  const fs::path fifo = dir.path() / "base.json";
  REQUIRE(mkfifo(fifo.c_str(), 0600) == 0);
  auto study = valid_study();
  study["base"] = fifo.string();
  const fs::path file = dir.write("fifo.json", study);
  const pid_t child = fork();
  REQUIRE(child >= 0);
  if (child == 0) {
    alarm(2);  // a load that blocks on the FIFO dies of SIGALRM instead of hanging the suite
    try {
      load_study(file.string());
    } catch (const InputError& error) {
      _exit(error.problems().front().found == "a named pipe (FIFO)" ? 0 : 3);
    }
    _exit(4);
  }
  int status = 0;
  REQUIRE(waitpid(child, &status, 0) == child);
  INFO("wait status " << status);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}

TEST_CASE("study loader: a study name must be a plain file name") {
  TempDir dir;
  for (const std::string& bad :
       std::vector<std::string>{"..", ".", ".hidden", "a/b", "Small Study", ""}) {
    INFO(bad);
    auto study = valid_study();
    study["name"] = bad;
    const auto problems = problems_of(dir.write("name.json", study));
    INFO(listing(problems));
    CHECK(reported_at(problems, "/name"));
  }
}
