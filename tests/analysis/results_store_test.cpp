#include "tenderlab/analysis/results_store.hpp"

#include <sqlite3.h>
#include <sys/stat.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <string>

#include "runner_test_support.hpp"
#include "tenderlab/engine/sha256.hpp"

using tenderlab::analysis::kResultsApplicationId;
using tenderlab::analysis::kResultsSchemaVersion;
using tenderlab::analysis::PointRecord;
using tenderlab::analysis::ResultsStore;
using tenderlab::analysis::ResultsStoreError;
using tenderlab::analysis::RunRecord;
using tenderlab::analysis::testing::TempDir;

namespace {

// Raw access to the file, to look at what the store wrote or to tamper with it.
std::int64_t query_integer(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
  std::int64_t value = -1;
  if (sqlite3_step(statement) == SQLITE_ROW) value = sqlite3_column_int64(statement, 0);
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

std::string query_text(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* statement = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, sql.c_str(), -1, &statement, nullptr) == SQLITE_OK);
  std::string value;
  if (sqlite3_step(statement) == SQLITE_ROW) {
    value = reinterpret_cast<const char*>(sqlite3_column_text(statement, 0));
  }
  sqlite3_finalize(statement);
  sqlite3_close(db);
  return value;
}

void execute(const std::string& path, const std::string& sql) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  REQUIRE(sqlite3_exec(db, sql.c_str(), nullptr, nullptr, nullptr) == SQLITE_OK);
  sqlite3_close(db);
}

RunRecord sample_run(const std::string& id, double wall = 1.5, const std::string& worker = "a") {
  RunRecord run;
  run.run_id = id;
  run.point = 2;
  run.replication = 1;
  run.seed = 42;
  run.status = "ok";
  run.kpis = {{"public_cost", 1.25e9}, {"bidders", 2}, {"awarded", true}, {"note", "x"}};
  run.event_log_sha256 = std::string(64, 'a');
  run.wall_seconds = wall;
  run.worker = worker;
  return run;
}

}  // namespace

TEST_CASE("a new results database carries the schema version and application id") {
  TempDir dir;
  const auto path = dir.file("results.db");
  { ResultsStore store(path); }
  CHECK(query_integer(path, "PRAGMA user_version") == kResultsSchemaVersion);
  CHECK(query_integer(path, "PRAGMA application_id") == kResultsApplicationId);
  CHECK(query_text(path, "PRAGMA journal_mode") == "wal");
  ResultsStore reopened(path);
  CHECK(reopened.get_meta("created_at").has_value());
}

TEST_CASE("a results database of another schema version is refused with both versions named") {
  TempDir dir;
  const auto path = dir.file("results.db");
  { ResultsStore store(path); }
  execute(path, "PRAGMA user_version = 99");
  REQUIRE_THROWS_AS(ResultsStore(path), ResultsStoreError);
  REQUIRE_THROWS_WITH(ResultsStore(path),
                      Catch::Contains("schema version 99") && Catch::Contains("version 1"));
}

TEST_CASE("a SQLite file of another application is refused and left untouched") {
  TempDir dir;
  const auto path = dir.file("other.db");
  execute(path, "CREATE TABLE t (x); INSERT INTO t VALUES (1)");
  REQUIRE_THROWS_WITH(ResultsStore(path), Catch::Contains("not a tenderlab results database"));
  CHECK(query_integer(path, "SELECT count(*) FROM sqlite_schema") == 1);
  CHECK(query_integer(path, "PRAGMA user_version") == 0);
}

TEST_CASE("a file that is not SQLite is refused") {
  TempDir dir;
  const auto path = dir.file("notes.txt");
  std::ofstream(path) << "this is not a database, just some text long enough to have a header\n";
  REQUIRE_THROWS_AS(ResultsStore(path), ResultsStoreError);
}

namespace {

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// Nothing beside the file either: no journal, WAL, shared memory or lock file.
void check_nothing_beside(const std::string& path) {
  for (const char* suffix : {"-journal", "-wal", "-shm", ".lock"})
    CHECK_FALSE(std::filesystem::exists(path + suffix));
}

}  // namespace

TEST_CASE("a path that is not a regular file is refused before anything is written beside it") {
  TempDir dir;
  const bool journal_existed = std::filesystem::exists("/dev/null-journal");
  REQUIRE_THROWS_WITH(ResultsStore("/dev/null"),
                      Catch::Contains("/dev/null: is a character device, not a results database"));
  if (!journal_existed) CHECK_FALSE(std::filesystem::exists("/dev/null-journal"));

  const auto folder = dir.file("folder.db");
  std::filesystem::create_directory(folder);
  REQUIRE_THROWS_WITH(ResultsStore(folder), Catch::Contains("is a directory"));
  check_nothing_beside(folder);

  // SQLite would block opening a named pipe; it must be refused without being opened.
  const auto pipe = dir.file("pipe.db");
  REQUIRE(::mkfifo(pipe.c_str(), 0600) == 0);
  REQUIRE_THROWS_WITH(ResultsStore(pipe), Catch::Contains("is a named pipe"));
  check_nothing_beside(pipe);
}

TEST_CASE("an existing empty file is refused and stays empty") {
  TempDir dir;
  const auto path = dir.file("empty.db");
  std::ofstream{path};
  REQUIRE_THROWS_WITH(ResultsStore(path), Catch::Contains("is an empty file, not a tenderlab"));
  CHECK(std::filesystem::file_size(path) == 0);
  check_nothing_beside(path);
}

TEST_CASE("a SQLite file without tables, of another program, is refused and left byte for byte") {
  TempDir dir;
  const auto path = dir.file("blank.db");
  // A valid SQLite header and no table: nothing but the missing application_id says it is not
  // ours, and it must not be turned into a results database.
  execute(path, "CREATE TABLE t (x); DROP TABLE t");
  const std::string before = file_bytes(path);
  REQUIRE_FALSE(before.empty());
  REQUIRE_THROWS_WITH(ResultsStore(path), Catch::Contains("not a tenderlab results database"));
  CHECK(file_bytes(path) == before);
  check_nothing_beside(path);
}

TEST_CASE("a file of random bytes is refused and left byte for byte") {
  TempDir dir;
  const auto path = dir.file("noise.db");
  std::string noise(4096, '\0');
  std::uint64_t state = 11;
  for (auto& byte : noise)
    byte = static_cast<char>(tenderlab::analysis::testing::splitmix64(state) & 0xffU);
  std::ofstream(path, std::ios::binary) << noise;
  REQUIRE_THROWS_WITH(ResultsStore(path), Catch::Contains("not a tenderlab results database"));
  CHECK(file_bytes(path) == noise);
  check_nothing_beside(path);
}

TEST_CASE("opening an existing-only store does not create a missing file") {
  TempDir dir;
  const auto path = dir.file("missing.db");
  REQUIRE_THROWS_AS(ResultsStore(path, ResultsStore::OpenMode::existing_only), ResultsStoreError);
  CHECK_FALSE(std::filesystem::exists(path));
}

TEST_CASE("a recorded run reads back field by field, and seeds above 2^63 survive") {
  TempDir dir;
  ResultsStore store(dir.file("results.db"));
  auto run = sample_run("r1");
  run.seed = 0xfedcba9876543210ULL;
  store.record(run);
  CHECK(store.has_run("r1"));
  CHECK_FALSE(store.has_run("r2"));
  CHECK(store.finished_runs() == std::set<std::string>{"r1"});
  const auto runs = store.runs();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].run_id == "r1");
  CHECK(runs[0].point == 2);
  CHECK(runs[0].replication == 1);
  CHECK(runs[0].seed == 0xfedcba9876543210ULL);
  CHECK(runs[0].status == "ok");
  CHECK(runs[0].reason.empty());
  CHECK(runs[0].kpis == run.kpis);
  CHECK(runs[0].event_log_sha256 == run.event_log_sha256);
  CHECK(runs[0].wall_seconds == 1.5);
  CHECK(runs[0].worker == "a");
}

TEST_CASE("the kpis table holds numeric and boolean KPIs, other values stay in the JSON only") {
  TempDir dir;
  const auto path = dir.file("results.db");
  {
    ResultsStore store(path);
    store.record(sample_run("r1"));
  }
  CHECK(query_integer(path, "SELECT count(*) FROM kpis WHERE run_id = 'r1'") == 3);
  CHECK(query_integer(path, "SELECT value FROM kpis WHERE name = 'bidders'") == 2);
  CHECK(query_integer(path, "SELECT value FROM kpis WHERE name = 'awarded'") == 1);
  CHECK(query_integer(path, "SELECT count(*) FROM kpis WHERE name = 'note'") == 0);
  CHECK(query_integer(path, "SELECT json_extract(kpis, '$.note') = 'x' FROM runs") == 1);
}

TEST_CASE("recording a run twice is refused and keeps the first record") {
  TempDir dir;
  ResultsStore store(dir.file("results.db"));
  store.record(sample_run("r1", 1.0, "first"));
  auto again = sample_run("r1", 2.0, "second");
  again.status = "failed";
  REQUIRE_THROWS_WITH(store.record(again), Catch::Contains("already recorded"));
  const auto runs = store.runs();
  REQUIRE(runs.size() == 1);
  CHECK(runs[0].status == "ok");
  CHECK(runs[0].worker == "first");
}

TEST_CASE("the store refuses an unknown status and kpis that are not an object") {
  TempDir dir;
  ResultsStore store(dir.file("results.db"));
  auto run = sample_run("r1");
  run.status = "maybe";
  REQUIRE_THROWS_AS(store.record(run), ResultsStoreError);
  run = sample_run("r2");
  run.kpis = nlohmann::json::array({1, 2});
  REQUIRE_THROWS_AS(store.record(run), ResultsStoreError);
  CHECK(store.runs().empty());
}

TEST_CASE("content does not depend on recording order, timings, workers or creation time") {
  TempDir dir;
  ResultsStore first(dir.file("first.db"));
  ResultsStore second(dir.file("second.db"));
  first.set_meta("name", "naicc");
  first.record_points({{0, {{"equity", 0.51}}}, {1, {{"equity", 0.3}}}});
  first.record(sample_run("a", 1.0, "host1"));
  first.record(sample_run("b", 2.0, "host1"));
  auto failed = sample_run("c");
  failed.status = "failed";
  failed.reason = "tab\there, newline\nthere";
  failed.kpis = nlohmann::json::object();
  first.record(failed);

  second.set_meta("created_at", "1999-01-01T00:00:00Z");
  failed.wall_seconds = 99.0;
  second.record(failed);
  second.record(sample_run("b", 7.0, "host2"));
  second.record_points({{1, {{"equity", 0.3}}}});
  second.record(sample_run("a", 8.0, "host2"));
  second.record_points({{0, {{"equity", 0.51}}}});
  second.set_meta("name", "naicc");

  CHECK(first.content_dump() == second.content_dump());
  CHECK(first.content_digest() == second.content_digest());
  CHECK(first.content_digest().size() == 64);
  // The digest is the project's one SHA-256 (sha256_hex) of the dump, as `sha256sum` prints it.
  CHECK(first.content_digest() == tenderlab::sha256_hex(first.content_dump()));

  second.set_meta("name", "other");
  CHECK(first.content_digest() != second.content_digest());
}

TEST_CASE("recording a point again with other factors is refused") {
  TempDir dir;
  ResultsStore store(dir.file("results.db"));
  store.record_points({{0, {{"equity", 0.51}, {"buyback", true}}}});
  // Same factors in another key order: the same point.
  CHECK_NOTHROW(store.record_points({{0, {{"buyback", true}, {"equity", 0.51}}}}));
  REQUIRE_THROWS_WITH(store.record_points({{0, {{"equity", 0.3}, {"buyback", true}}}}),
                      Catch::Contains("study changed"));
  const auto points = store.points();
  REQUIRE(points.size() == 1);
  CHECK(points[0].factors.at("equity") == 0.51);
}

TEST_CASE("study metadata is set, replaced and read back") {
  TempDir dir;
  ResultsStore store(dir.file("results.db"));
  CHECK_FALSE(store.get_meta("name").has_value());
  store.set_meta("name", "first");
  store.set_meta("name", "second");
  CHECK(store.get_meta("name") == std::optional<std::string>("second"));
}
