// Where outputs may be written: staged run folders and whole-file writes. Output paths come from
// the command line and from scenario files, so each test plants what a careless or hostile input
// could put at the target and checks that nothing outside the outputs is touched.
#include <stdlib.h>  // mkdtemp
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "tenderlab/analysis/output_directory.hpp"

namespace fs = std::filesystem;
using Catch::Matchers::Contains;
using tenderlab::analysis::check_file_target;
using tenderlab::analysis::not_a_run_folder;
using tenderlab::analysis::output_folder_path;
using tenderlab::analysis::OutputExists;
using tenderlab::analysis::run_folder_files;
using tenderlab::analysis::StagedDirectory;
using tenderlab::analysis::StagedFile;
using tenderlab::analysis::write_file_atomically;

namespace {

class TempDir {
 public:
  TempDir() {
    std::string pattern = (fs::temp_directory_path() / "tenderlab-output-test-XXXXXX").string();
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
  fs::path operator/(const std::string& name) const { return path_ / name; }

 private:
  fs::path path_;
};

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

std::set<std::string> names_in(const fs::path& folder) {
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator(folder))
    names.insert(entry.path().filename().string());
  return names;
}

const std::string our_manifest =
    "{\n  \"format\": \"tenderlab-manifest/1\",\n  \"tenderlab_version\": \"0.1.0\"\n}\n";

// A folder as `tenderlab run` leaves it.
void make_run_folder(const fs::path& folder, const std::string& marker) {
  fs::create_directories(folder);
  for (const auto& name : run_folder_files())
    write_text(folder / name, name == "manifest.json" ? our_manifest : marker);
}

// Stages one run's files and commits them.
void stage_run(const fs::path& target, bool force, const std::string& marker) {
  StagedDirectory staged(target, force);
  for (const auto& name : run_folder_files())
    staged.write(name, name == "manifest.json" ? our_manifest : marker);
  staged.commit();
}

}  // namespace

TEST_CASE("output folder: a trailing slash names the folder itself") {
  CHECK(output_folder_path("out/") == fs::path("out"));
  CHECK(output_folder_path("out//") == fs::path("out"));
  CHECK(output_folder_path("./a/b/") == fs::path("a/b"));
  CHECK(output_folder_path("/tmp/x/") == fs::path("/tmp/x"));
  for (const std::string& no_folder :
       std::vector<std::string>{"", ".", "./", "..", "../", "/", "a/..", "a/../.."}) {
    INFO(no_folder);
    CHECK_THROWS_AS(output_folder_path(no_folder), OutputExists);
  }
}

TEST_CASE("output folder: a run into a missing folder creates it whole, with no staging left") {
  TempDir dir;
  stage_run(dir / "runs" / "x", false, "first");
  CHECK(read_text(dir / "runs" / "x" / "events.jsonl") == "first");
  CHECK(names_in(dir / "runs") == std::set<std::string>{"x"});
  // The folder gets the permissions of a plain mkdir, not the private ones of a temporary folder.
  const mode_t mask = ::umask(0);
  ::umask(mask);
  const auto permissions = fs::status(dir / "runs" / "x").permissions();
  CHECK(static_cast<mode_t>(permissions) == (0777 & ~mask));
}

TEST_CASE("output folder: a trailing slash on the target works") {
  TempDir dir;
  fs::create_directory(dir / "out");
  stage_run(output_folder_path((dir / "out").string() + "/"), false, "run");
  CHECK(read_text(dir / "out" / "events.jsonl") == "run");
  CHECK(names_in(dir.path()) == std::set<std::string>{"out"});
}

TEST_CASE("output folder: --force replaces a run folder that tenderlab wrote") {
  TempDir dir;
  stage_run(dir / "run", false, "old");
  CHECK_THROWS_AS(StagedDirectory(dir / "run", false), OutputExists);
  stage_run(dir / "run", true, "new");
  CHECK(read_text(dir / "run" / "events.jsonl") == "new");
  CHECK(names_in(dir.path()) == std::set<std::string>{"run"});
}

TEST_CASE("output folder: --force never replaces a folder tenderlab did not write") {
  TempDir dir;
  SECTION("a folder of someone else's files") {
    fs::create_directory(dir / "victim");
    write_text(dir / "victim" / "data.txt", "precious");
  }
  SECTION("a run folder with a file added") {
    make_run_folder(dir / "victim", "run");
    write_text(dir / "victim" / "data.txt", "precious");
  }
  SECTION("a manifest of another program") {
    make_run_folder(dir / "victim", "run");
    write_text(dir / "victim" / "manifest.json", "{\"format\": \"other/1\"}\n");
  }
  SECTION("a manifest that is not JSON") {
    make_run_folder(dir / "victim", "run");
    write_text(dir / "victim" / "manifest.json", "tenderlab-manifest/1");
  }
  SECTION("no manifest") {
    make_run_folder(dir / "victim", "run");
    fs::remove(dir / "victim" / "manifest.json");
  }
  SECTION("a sub-folder") {
    make_run_folder(dir / "victim", "run");
    fs::create_directory(dir / "victim" / "events.jsonl.d");
  }
  SECTION("an output file that is a link to elsewhere") {
    make_run_folder(dir / "victim", "run");
    fs::remove(dir / "victim" / "tenders.csv");
    write_text(dir / "elsewhere.csv", "precious");
    fs::create_symlink(dir / "elsewhere.csv", dir / "victim" / "tenders.csv");
  }
  const auto before = names_in(dir / "victim");
  CHECK_FALSE(not_a_run_folder(dir / "victim").empty());
  try {
    StagedDirectory staged(dir / "victim", true);
    FAIL("the folder was accepted");
  } catch (const OutputExists& error) {
    CHECK_THAT(std::string(error.what()),
               Contains("--force replaces only a run folder that tenderlab wrote"));
  }
  CHECK(names_in(dir / "victim") == before);
  if (fs::exists(dir / "victim" / "data.txt"))
    CHECK(read_text(dir / "victim" / "data.txt") == "precious");
  // Nothing was left beside it either.
  for (const auto& name : names_in(dir.path()))
    CHECK((name == "victim" || name == "elsewhere.csv"));
}

TEST_CASE("output folder: a folder filled while the run ran is not replaced") {
  TempDir dir;
  StagedDirectory staged(dir / "out", true);
  staged.write("events.jsonl", "new");
  fs::create_directory(dir / "out");
  write_text(dir / "out" / "data.txt", "precious");
  CHECK_THROWS_AS(staged.commit(), OutputExists);
  CHECK(read_text(dir / "out" / "data.txt") == "precious");
  CHECK(names_in(dir / "out") == std::set<std::string>{"data.txt"});
}

TEST_CASE("output folder: a symbolic link at the target is refused, not followed or replaced") {
  TempDir dir;
  fs::create_directory(dir / "elsewhere");
  SECTION("a link to an empty folder") {}
  SECTION("a link to a run folder") {
    make_run_folder(dir / "elsewhere", "theirs");
  }
  fs::create_directory_symlink(dir / "elsewhere", dir / "out");
  const auto before = names_in(dir / "elsewhere");
  for (const bool force : {false, true}) {
    try {
      StagedDirectory staged(dir / "out", force);
      FAIL("the link was accepted");
    } catch (const OutputExists& error) {
      CHECK_THAT(std::string(error.what()), Contains("found a symbolic link"));
    }
  }
  CHECK(fs::is_symlink(dir / "out"));
  CHECK(names_in(dir / "elsewhere") == before);
}

TEST_CASE("output folder: a link planted at the target during the run is not replaced") {
  TempDir dir;
  fs::create_directory(dir / "elsewhere");
  StagedDirectory staged(dir / "out", false);
  staged.write("events.jsonl", "new");
  fs::create_directory_symlink(dir / "elsewhere", dir / "out");
  CHECK_THROWS_AS(staged.commit(), OutputExists);
  CHECK(fs::is_symlink(dir / "out"));
  CHECK(fs::is_empty(dir / "elsewhere"));
}

TEST_CASE("output folder: a folder planted under the old staging name is left alone") {
  TempDir dir;
  // The staging folder used to be .<name>.staging-<pid> and was emptied first: a folder planted
  // under that predictable name was deleted.
  const fs::path planted = dir / (".out.staging-" + std::to_string(::getpid()));
  fs::create_directory(planted);
  write_text(planted / "data.txt", "precious");
  stage_run(dir / "out", false, "run");
  CHECK(read_text(planted / "data.txt") == "precious");
  CHECK(read_text(dir / "out" / "events.jsonl") == "run");
}

TEST_CASE("output folder: an uncommitted staging folder is removed") {
  TempDir dir;
  {
    StagedDirectory staged(dir / "out", false);
    staged.write("events.jsonl", "half");
    CHECK(fs::is_directory(staged.staging()));
    CHECK(staged.staging().parent_path() == dir.path());
  }
  CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("output file: written whole, replacing a regular file") {
  TempDir dir;
  write_file_atomically(dir / "a.json", "one\n");
  CHECK(read_text(dir / "a.json") == "one\n");
  write_file_atomically(dir / "a.json", "two\n");
  CHECK(read_text(dir / "a.json") == "two\n");
  CHECK(names_in(dir.path()) == std::set<std::string>{"a.json"});
}

TEST_CASE("output file: a link, a folder or a device at the target is refused") {
  TempDir dir;
  write_text(dir / "elsewhere.txt", "precious");
  fs::create_symlink(dir / "elsewhere.txt", dir / "link.json");
  fs::create_directory(dir / "folder.json");
  for (const fs::path& target : {dir / "link.json", dir / "folder.json", fs::path("/dev/null"),
                                 dir / "folder.json" / "", dir.path() / "."}) {
    INFO(target.string());
    CHECK_THROWS_AS(check_file_target(target), OutputExists);
    CHECK_THROWS_AS(write_file_atomically(target, "x"), OutputExists);
  }
  CHECK(read_text(dir / "elsewhere.txt") == "precious");
  CHECK(fs::is_symlink(dir / "link.json"));
  CHECK(fs::is_empty(dir / "folder.json"));
  CHECK(fs::is_character_file("/dev/null"));
  CHECK(names_in(dir.path()) == std::set<std::string>{"elsewhere.txt", "link.json", "folder.json"});
}

TEST_CASE("output file: a missing folder is an error, and nothing is left behind") {
  TempDir dir;
  CHECK_THROWS(write_file_atomically(dir / "no-such-folder" / "a.json", "x"));
  CHECK(fs::is_empty(dir.path()));
}

TEST_CASE("staged file: the target appears only on commit, and an abandoned one leaves nothing") {
  TempDir dir;
  write_text(dir / "report.html", "old");
  {
    StagedFile file(dir / "report.html");
    file.write("new");
    CHECK(read_text(dir / "report.html") == "old");
    CHECK(file.path().parent_path() == dir.path());
    CHECK(read_text(file.path()) == "new");
  }  // not committed: the target keeps its content, the temporary file is gone
  CHECK(read_text(dir / "report.html") == "old");
  CHECK(names_in(dir.path()) == std::set<std::string>{"report.html"});
  StagedFile file(dir / "report.html");
  std::ofstream(file.path(), std::ios::binary) << "written by a library";
  file.commit();
  CHECK(read_text(dir / "report.html") == "written by a library");
  CHECK(names_in(dir.path()) == std::set<std::string>{"report.html"});
}

TEST_CASE("staged file: a link planted at the target before commit is not replaced") {
  TempDir dir;
  write_text(dir / "elsewhere.txt", "precious");
  StagedFile file(dir / "report.xlsx");
  file.write("workbook");
  fs::create_symlink(dir / "elsewhere.txt", dir / "report.xlsx");
  CHECK_THROWS_AS(file.commit(), OutputExists);
  CHECK(fs::is_symlink(dir / "report.xlsx"));
  CHECK(read_text(dir / "elsewhere.txt") == "precious");
}
