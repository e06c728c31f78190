#include "tenderlab/analysis/results_store.hpp"

#include <openssl/evp.h>
#include <sqlite3.h>

#include <array>
#include <cmath>
#include <cstdio>
#include <ctime>
#include <utility>

namespace tenderlab::analysis {
namespace {

// The keys of the study table that differ between two databases holding the same results.
constexpr const char* kCreatedAtKey = "created_at";

constexpr const char* kSchemaSql = R"sql(
CREATE TABLE study (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
CREATE TABLE points (
  point   INTEGER PRIMARY KEY,
  factors TEXT NOT NULL
);
CREATE TABLE runs (
  run_id           TEXT PRIMARY KEY,
  point            INTEGER NOT NULL,
  replication      INTEGER NOT NULL,
  seed             INTEGER NOT NULL,
  status           TEXT NOT NULL CHECK (status IN ('ok', 'failed', 'crashed')),
  reason           TEXT NOT NULL,
  kpis             TEXT NOT NULL,
  event_log_sha256 TEXT NOT NULL
);
CREATE INDEX runs_by_point ON runs (point, replication);
CREATE TABLE kpis (
  run_id TEXT NOT NULL REFERENCES runs (run_id),
  name   TEXT NOT NULL,
  value  REAL,
  PRIMARY KEY (run_id, name)
) WITHOUT ROWID;
CREATE INDEX kpis_by_name ON kpis (name);
CREATE TABLE run_timing (
  run_id       TEXT PRIMARY KEY REFERENCES runs (run_id),
  wall_seconds REAL NOT NULL,
  worker       TEXT NOT NULL
);
)sql";

// A prepared statement that finalizes itself; errors name the database file.
class Statement {
 public:
  Statement(sqlite3* db, const std::string& path, const char* sql) : db_(db), path_(path) {
    if (sqlite3_prepare_v2(db, sql, -1, &stmt_, nullptr) != SQLITE_OK) fail("prepare");
  }
  ~Statement() { sqlite3_finalize(stmt_); }
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& bind(int index, const std::string& text) {
    check(sqlite3_bind_text(stmt_, index, text.data(), static_cast<int>(text.size()),
                            SQLITE_TRANSIENT),
          "bind");
    return *this;
  }
  Statement& bind(int index, std::int64_t value) {
    check(sqlite3_bind_int64(stmt_, index, value), "bind");
    return *this;
  }
  Statement& bind(int index, double value) {
    check(sqlite3_bind_double(stmt_, index, value), "bind");
    return *this;
  }
  Statement& bind_null(int index) {
    check(sqlite3_bind_null(stmt_, index), "bind");
    return *this;
  }

  /// Steps once; true while a row is available.
  bool step() {
    const int rc = sqlite3_step(stmt_);
    if (rc == SQLITE_ROW) return true;
    if (rc == SQLITE_DONE) return false;
    fail("step");
  }
  void run() {
    while (step()) {
    }
    sqlite3_reset(stmt_);
    sqlite3_clear_bindings(stmt_);
  }

  std::string text(int column) const {
    const auto* data = sqlite3_column_text(stmt_, column);
    if (data == nullptr) return {};
    return {reinterpret_cast<const char*>(data),
            static_cast<std::size_t>(sqlite3_column_bytes(stmt_, column))};
  }
  std::int64_t integer(int column) const { return sqlite3_column_int64(stmt_, column); }
  double real(int column) const { return sqlite3_column_double(stmt_, column); }
  bool is_null(int column) const { return sqlite3_column_type(stmt_, column) == SQLITE_NULL; }

 private:
  void check(int rc, const char* what) {
    if (rc != SQLITE_OK) fail(what);
  }
  [[noreturn]] void fail(const char* what) {
    throw ResultsStoreError(path_ + ": SQLite " + what + " failed: " + sqlite3_errmsg(db_));
  }

  sqlite3* db_;
  const std::string& path_;
  sqlite3_stmt* stmt_ = nullptr;
};

// Rolls back unless committed, so an exception never leaves a transaction open (and a killed
// process never leaves half a run: SQLite discards uncommitted transactions on the next open).
class Transaction {
 public:
  Transaction(sqlite3* db, const std::string& path) : db_(db), path_(path) {
    exec("BEGIN IMMEDIATE");
  }
  ~Transaction() {
    if (open_) sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
  }
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  void commit() {
    exec("COMMIT");
    open_ = false;
  }

 private:
  void exec(const char* sql) {
    char* error = nullptr;
    if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
      std::string message = error != nullptr ? error : sqlite3_errmsg(db_);
      sqlite3_free(error);
      throw ResultsStoreError(path_ + ": " + sql + " failed: " + message);
    }
  }

  sqlite3* db_;
  const std::string& path_;
  bool open_ = true;
};

std::int64_t pragma_integer(sqlite3* db, const std::string& path, const char* sql) {
  Statement statement(db, path, sql);
  return statement.step() ? statement.integer(0) : 0;
}

// Seeds are unsigned 64-bit; SQLite integers are signed, so seeds >= 2^63 are stored as their
// two's-complement value and read back unchanged.
std::int64_t seed_to_sql(std::uint64_t seed) {
  return static_cast<std::int64_t>(seed);
}
std::uint64_t seed_from_sql(std::int64_t value) {
  return static_cast<std::uint64_t>(value);
}

std::string canonical_json(const nlohmann::json& value) {
  // std::map-backed objects dump with sorted keys; `replace` keeps invalid UTF-8 from throwing.
  return value.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

// Text fields are written as JSON strings so that tabs and newlines inside them cannot make two
// different contents dump alike.
std::string quoted(const std::string& text) {
  return canonical_json(nlohmann::json(text));
}

std::string format_real(double value) {
  std::array<char, 40> buffer{};
  std::snprintf(buffer.data(), buffer.size(), "%.17g", value);
  return buffer.data();
}

std::string utc_now() {
  const std::time_t now = std::time(nullptr);
  std::tm parts{};
  gmtime_r(&now, &parts);
  std::array<char, 32> buffer{};
  std::strftime(buffer.data(), buffer.size(), "%Y-%m-%dT%H:%M:%SZ", &parts);
  return buffer.data();
}

std::string sha256_hex(const std::string& data) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> digest{};
  unsigned int length = 0;
  if (EVP_Digest(data.data(), data.size(), digest.data(), &length, EVP_sha256(), nullptr) != 1) {
    throw ResultsStoreError("SHA-256 computation failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * length);
  for (unsigned int i = 0; i < length; ++i) {
    hex.push_back(kHex[digest[i] >> 4U]);
    hex.push_back(kHex[digest[i] & 0x0fU]);
  }
  return hex;
}

}  // namespace

ResultsStore::ResultsStore(const std::string& path, OpenMode mode) : path_(path) {
  int flags = SQLITE_OPEN_READWRITE;
  if (mode == OpenMode::create_if_missing) flags |= SQLITE_OPEN_CREATE;
  if (sqlite3_open_v2(path.c_str(), &db_, flags, nullptr) != SQLITE_OK) {
    std::string message = db_ != nullptr ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    throw ResultsStoreError(path + ": cannot open results database: " + message);
  }
  try {
    // A report reading the file while a study writes it waits instead of failing at once.
    sqlite3_busy_timeout(db_, 10000);
    sqlite3_extended_result_codes(db_, 1);
    check_schema();
    // WAL: readers never block the writer. synchronous=NORMAL keeps every commit atomic across a
    // crash of the process; after a power cut the last few commits may be lost, which a resumed
    // study simply runs again.
    execute("PRAGMA journal_mode = WAL");
    execute("PRAGMA synchronous = NORMAL");
    execute("PRAGMA foreign_keys = ON");
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

ResultsStore::~ResultsStore() {
  sqlite3_close(db_);
}

void ResultsStore::execute(const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errmsg(db_);
    sqlite3_free(error);
    throw ResultsStoreError(path_ + ": " + message);
  }
}

void ResultsStore::check_schema() {
  // Reading the header is the first access: a file that is not SQLite fails here.
  std::int64_t version = pragma_integer(db_, path_, "PRAGMA user_version");
  std::int64_t application = pragma_integer(db_, path_, "PRAGMA application_id");
  if (version == 0 && application == 0) {
    create_schema();
    version = pragma_integer(db_, path_, "PRAGMA user_version");
    application = pragma_integer(db_, path_, "PRAGMA application_id");
  }
  if (application != kResultsApplicationId) {
    throw ResultsStoreError(path_ + ": not a tenderlab results database (application_id " +
                            std::to_string(application) + ")");
  }
  if (version != kResultsSchemaVersion) {
    throw ResultsStoreError(path_ + ": results database has schema version " +
                            std::to_string(version) + ", this tenderlab reads version " +
                            std::to_string(kResultsSchemaVersion));
  }
}

void ResultsStore::create_schema() {
  Transaction transaction(db_, path_);
  // Another process may have created the schema while this one waited for the write lock.
  if (pragma_integer(db_, path_, "PRAGMA user_version") != 0 ||
      pragma_integer(db_, path_, "PRAGMA application_id") != 0) {
    return;
  }
  if (pragma_integer(db_, path_, "SELECT count(*) FROM sqlite_schema") != 0) {
    throw ResultsStoreError(path_ + ": not a tenderlab results database (it holds other tables)");
  }
  execute(kSchemaSql);
  execute(("PRAGMA application_id = " + std::to_string(kResultsApplicationId)).c_str());
  execute(("PRAGMA user_version = " + std::to_string(kResultsSchemaVersion)).c_str());
  Statement(db_, path_, "INSERT INTO study (key, value) VALUES (?1, ?2)")
      .bind(1, std::string(kCreatedAtKey))
      .bind(2, utc_now())
      .run();
  transaction.commit();
}

bool ResultsStore::has_run(const std::string& run_id) {
  Statement statement(db_, path_, "SELECT 1 FROM runs WHERE run_id = ?1");
  statement.bind(1, run_id);
  return statement.step();
}

std::set<std::string> ResultsStore::finished_runs() {
  std::set<std::string> ids;
  Statement statement(db_, path_, "SELECT run_id FROM runs");
  while (statement.step())
    ids.insert(statement.text(0));
  return ids;
}

void ResultsStore::record(const RunRecord& run) {
  if (run.status != "ok" && run.status != "failed" && run.status != "crashed") {
    throw ResultsStoreError(path_ + ": run " + run.run_id + ": status must be ok, failed or " +
                            "crashed, got '" + run.status + "'");
  }
  const nlohmann::json kpis = run.kpis.is_null() ? nlohmann::json::object() : run.kpis;
  if (!kpis.is_object()) {
    throw ResultsStoreError(path_ + ": run " + run.run_id + ": kpis must be a JSON object");
  }
  Transaction transaction(db_, path_);
  Statement insert_run(db_, path_,
                       "INSERT INTO runs (run_id, point, replication, seed, status, reason, kpis, "
                       "event_log_sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)");
  try {
    insert_run.bind(1, run.run_id)
        .bind(2, std::int64_t{run.point})
        .bind(3, std::int64_t{run.replication})
        .bind(4, seed_to_sql(run.seed))
        .bind(5, run.status)
        .bind(6, run.reason)
        .bind(7, canonical_json(kpis))
        .bind(8, run.event_log_sha256)
        .run();
  } catch (const ResultsStoreError&) {
    if (has_run(run.run_id)) {
      throw ResultsStoreError(path_ + ": run " + run.run_id + " is already recorded");
    }
    throw;
  }

  // Only numbers (and booleans as 0/1) go to the kpis table; a KPI that is not finite was written
  // as JSON null and stays NULL here. Strings, arrays and objects live in runs.kpis only.
  Statement insert_kpi(db_, path_, "INSERT INTO kpis (run_id, name, value) VALUES (?1, ?2, ?3)");
  for (const auto& [name, value] : kpis.items()) {
    if (value.is_number() || value.is_boolean()) {
      const double number =
          value.is_boolean() ? (value.get<bool>() ? 1.0 : 0.0) : value.get<double>();
      insert_kpi.bind(1, run.run_id).bind(2, name);
      if (std::isfinite(number)) {
        insert_kpi.bind(3, number);
      } else {
        insert_kpi.bind_null(3);
      }
      insert_kpi.run();
    } else if (value.is_null()) {
      insert_kpi.bind(1, run.run_id).bind(2, name).bind_null(3).run();
    }
  }

  Statement(db_, path_, "INSERT INTO run_timing (run_id, wall_seconds, worker) VALUES (?1, ?2, ?3)")
      .bind(1, run.run_id)
      .bind(2, run.wall_seconds)
      .bind(3, run.worker)
      .run();
  transaction.commit();
}

void ResultsStore::record_points(const std::vector<PointRecord>& points) {
  Transaction transaction(db_, path_);
  Statement select(db_, path_, "SELECT factors FROM points WHERE point = ?1");
  Statement insert(db_, path_, "INSERT INTO points (point, factors) VALUES (?1, ?2)");
  for (const auto& point : points) {
    if (!point.factors.is_object()) {
      throw ResultsStoreError(path_ + ": point " + std::to_string(point.point) +
                              ": factors must be a JSON object");
    }
    const std::string factors = canonical_json(point.factors);
    select.bind(1, std::int64_t{point.point});
    if (select.step()) {
      const std::string existing = select.text(0);
      if (existing != factors) {
        throw ResultsStoreError(path_ + ": point " + std::to_string(point.point) +
                                " is recorded with factors " + existing + ", not " + factors +
                                ": the study changed since this database was written");
      }
    } else {
      insert.bind(1, std::int64_t{point.point}).bind(2, factors).run();
    }
    select.run();
  }
  transaction.commit();
}

std::vector<PointRecord> ResultsStore::points() {
  std::vector<PointRecord> result;
  Statement statement(db_, path_, "SELECT point, factors FROM points ORDER BY point");
  while (statement.step()) {
    result.push_back(
        {static_cast<int>(statement.integer(0)), nlohmann::json::parse(statement.text(1))});
  }
  return result;
}

void ResultsStore::set_meta(const std::string& key, const std::string& value) {
  Statement(db_, path_, "INSERT OR REPLACE INTO study (key, value) VALUES (?1, ?2)")
      .bind(1, key)
      .bind(2, value)
      .run();
}

std::optional<std::string> ResultsStore::get_meta(const std::string& key) {
  Statement statement(db_, path_, "SELECT value FROM study WHERE key = ?1");
  statement.bind(1, key);
  if (!statement.step()) return std::nullopt;
  return statement.text(0);
}

std::vector<RunRecord> ResultsStore::runs() {
  std::vector<RunRecord> result;
  Statement statement(db_, path_,
                      "SELECT r.run_id, r.point, r.replication, r.seed, r.status, r.reason, "
                      "r.kpis, r.event_log_sha256, t.wall_seconds, t.worker FROM runs AS r "
                      "LEFT JOIN run_timing AS t USING (run_id) ORDER BY r.run_id");
  while (statement.step()) {
    RunRecord run;
    run.run_id = statement.text(0);
    run.point = static_cast<int>(statement.integer(1));
    run.replication = static_cast<int>(statement.integer(2));
    run.seed = seed_from_sql(statement.integer(3));
    run.status = statement.text(4);
    run.reason = statement.text(5);
    run.kpis = nlohmann::json::parse(statement.text(6));
    run.event_log_sha256 = statement.text(7);
    run.wall_seconds = statement.real(8);
    run.worker = statement.text(9);
    result.push_back(std::move(run));
  }
  return result;
}

std::string ResultsStore::content_dump() {
  // A read transaction gives one consistent snapshot even while another process records runs.
  execute("BEGIN");
  std::string dump;
  try {
    dump = "tenderlab results content, schema " + std::to_string(kResultsSchemaVersion) + "\n";
    dump += "[study]\n";
    {
      Statement statement(db_, path_, "SELECT key, value FROM study ORDER BY key");
      while (statement.step()) {
        if (statement.text(0) == kCreatedAtKey) continue;
        dump += quoted(statement.text(0)) + "\t" + quoted(statement.text(1)) + "\n";
      }
    }
    dump += "[points]\n";
    {
      Statement statement(db_, path_, "SELECT point, factors FROM points ORDER BY point");
      while (statement.step()) {
        dump += std::to_string(statement.integer(0)) + "\t" + statement.text(1) + "\n";
      }
    }
    dump += "[runs]\n";
    {
      Statement statement(db_, path_,
                          "SELECT run_id, point, replication, seed, status, reason, kpis, "
                          "event_log_sha256 FROM runs ORDER BY run_id");
      while (statement.step()) {
        dump += quoted(statement.text(0)) + "\t" + std::to_string(statement.integer(1)) + "\t" +
                std::to_string(statement.integer(2)) + "\t" +
                std::to_string(seed_from_sql(statement.integer(3))) + "\t" +
                quoted(statement.text(4)) + "\t" + quoted(statement.text(5)) + "\t" +
                statement.text(6) + "\t" + quoted(statement.text(7)) + "\n";
      }
    }
    dump += "[kpis]\n";
    {
      Statement statement(db_, path_, "SELECT run_id, name, value FROM kpis ORDER BY run_id, name");
      while (statement.step()) {
        dump += quoted(statement.text(0)) + "\t" + quoted(statement.text(1)) + "\t" +
                (statement.is_null(2) ? std::string("null") : format_real(statement.real(2))) +
                "\n";
      }
    }
  } catch (...) {
    sqlite3_exec(db_, "ROLLBACK", nullptr, nullptr, nullptr);
    throw;
  }
  execute("COMMIT");
  return dump;
}

std::string ResultsStore::content_digest() {
  return sha256_hex(content_dump());
}

}  // namespace tenderlab::analysis
