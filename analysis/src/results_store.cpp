#include "tenderlab/analysis/results_store.hpp"

#include <fcntl.h>
#include <sqlite3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <optional>
#include <set>
#include <utility>

#include "tenderlab/engine/sha256.hpp"

namespace tenderlab::analysis {
namespace {

// The keys of the study table that differ between two databases holding the same results.
constexpr const char* kCreatedAtKey = "created_at";
// The study file's canonical JSON: what a resumed study is compared with to say which keys
// changed. It says no more than study_sha256, so content comparisons leave it out.
constexpr const char* kStudyJsonKey = "study_json";
// The base scenario the runs start from (with the study's fixed changes): for rebuilding one
// run; it says no more than the base's and the study file's hashes, so content comparisons leave
// it out too.
constexpr const char* kBaseScenarioJsonKey = "base_scenario_json";
// The accepted draws a study over parameter sets runs at (its calibration file's, whose SHA-256
// `parameter_sets_sha256` beside it says the same in a line).
constexpr const char* kParameterSetsJsonKey = "parameter_sets_json";

// Who stayed away from failed rounds and why. Added to schema 1 without changing its version:
// a writer adds the table to an older database, a reader of one without it sees no rows, and an
// older tenderlab ignores it.
constexpr const char* kStayAwaySql = R"sql(
CREATE TABLE IF NOT EXISTS stay_away (
  run_id        TEXT NOT NULL REFERENCES runs (run_id),
  call          TEXT NOT NULL,
  round         INTEGER NOT NULL,
  agent         TEXT NOT NULL,
  role          TEXT NOT NULL,
  clause        TEXT NOT NULL,
  effect_bn_krw REAL,
  PRIMARY KEY (run_id, call, round, agent, role, clause)
) WITHOUT ROWID;
)sql";

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

void execute_sql(sqlite3* db, const std::string& path, const char* sql) {
  char* error = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &error) != SQLITE_OK) {
    std::string message = error != nullptr ? error : sqlite3_errmsg(db);
    sqlite3_free(error);
    throw ResultsStoreError(path + ": " + message);
  }
}

const char* file_kind(mode_t mode) {
  if (S_ISDIR(mode)) return "a directory";
  if (S_ISCHR(mode)) return "a character device";
  if (S_ISBLK(mode)) return "a block device";
  if (S_ISFIFO(mode)) return "a named pipe";
  if (S_ISSOCK(mode)) return "a socket";
  return "not a regular file";
}

// True if `path` exists. A database is a regular file (or a symbolic link to one): SQLite would
// otherwise write its journal beside a device (/dev/null-journal) or block on a named pipe.
bool check_database_path(const std::string& path) {
  struct stat status {};
  if (::stat(path.c_str(), &status) != 0) {
    if (errno == ENOENT) return false;
    throw ResultsStoreError(path +
                            ": cannot look at the results database: " + std::strerror(errno));
  }
  if (!S_ISREG(status.st_mode)) {
    throw DatabaseRefusedError(path + ": is " + file_kind(status.st_mode) +
                               ", not a results database (a regular file); it was left as it is");
  }
  return true;
}

// Refuses, before SQLite reads it, a file that cannot be a tenderlab results database: an empty
// one (tenderlab creates its databases whole, so an empty file is someone else's) or one without
// the SQLite header.
void check_database_header(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ResultsStoreError(path + ": cannot read the results database");
  std::array<char, 16> header{};
  in.read(header.data(), header.size());
  const auto length = static_cast<std::size_t>(in.gcount());
  if (length == 0) {
    throw DatabaseRefusedError(path +
                               ": is an empty file, not a tenderlab results database; it was left "
                               "as it is");
  }
  static constexpr char kSqliteHeader[] = "SQLite format 3";  // and a NUL: 16 bytes
  if (length < header.size() || std::memcmp(header.data(), kSqliteHeader, header.size()) != 0) {
    throw DatabaseRefusedError(path +
                               ": is not a tenderlab results database (not a SQLite file); it was "
                               "left as it is");
  }
}

void write_schema(sqlite3* db, const std::string& path) {
  Transaction transaction(db, path);
  execute_sql(db, path, kSchemaSql);
  execute_sql(db, path, kStayAwaySql);
  execute_sql(db, path,
              ("PRAGMA application_id = " + std::to_string(kResultsApplicationId)).c_str());
  execute_sql(db, path, ("PRAGMA user_version = " + std::to_string(kResultsSchemaVersion)).c_str());
  Statement(db, path, "INSERT INTO study (key, value) VALUES (?1, ?2)")
      .bind(1, std::string(kCreatedAtKey))
      .bind(2, utc_now())
      .run();
  transaction.commit();
}

constexpr const char* kCreatingInfix = ".creating-";

// Removes what a creation killed half-way left (see create_database); called under the writer
// lock, so no other writer is creating this database at the same moment.
void remove_abandoned_creations(const std::string& path) {
  namespace fs = std::filesystem;
  const fs::path database(path);
  const std::string prefix = database.filename().string() + kCreatingInfix;
  const fs::path folder = database.has_parent_path() ? database.parent_path() : fs::path(".");
  std::error_code error;
  for (fs::directory_iterator it(folder, error), end; !error && it != end; it.increment(error)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    std::string rest = name.substr(prefix.size());
    if (rest.size() > 8 && rest.compare(rest.size() - 8, 8, "-journal") == 0)
      rest.resize(rest.size() - 8);
    if (!rest.empty() && rest.find_first_not_of("0123456789") == std::string::npos) {
      std::error_code ignored;
      fs::remove(it->path(), ignored);
    }
  }
}

// Creates the database whole: the schema goes into "<path>.creating-<pid>", which is then linked
// to `path` (never replacing a file that appeared meanwhile). A kill at any moment leaves either
// no database, or a complete one; never an empty or half-made file that a later open would have
// to guess about.
void create_database(const std::string& path) {
  const std::string temporary = path + kCreatingInfix + std::to_string(::getpid());
  const auto remove_temporary = [&] {
    ::unlink(temporary.c_str());
    ::unlink((temporary + "-journal").c_str());
  };
  remove_temporary();
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(temporary.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE,
                      nullptr) != SQLITE_OK) {
    std::string message = db != nullptr ? sqlite3_errmsg(db) : "out of memory";
    sqlite3_close(db);
    remove_temporary();
    throw ResultsStoreError(path + ": cannot create the results database: " + message);
  }
  try {
    write_schema(db, path);
  } catch (...) {
    sqlite3_close(db);
    remove_temporary();
    throw;
  }
  sqlite3_close(db);
  int error = 0;
  if (::link(temporary.c_str(), path.c_str()) != 0 && errno != EEXIST) {
    // Filesystems without hard links: a rename that refuses to replace does the same.
    if (::renameat2(AT_FDCWD, temporary.c_str(), AT_FDCWD, path.c_str(), RENAME_NOREPLACE) != 0 &&
        errno != EEXIST) {
      error = errno;
    }
  }
  remove_temporary();
  if (error != 0) {
    throw ResultsStoreError(path + ": cannot create the results database: " + std::strerror(error));
  }
}

// The lock files this process holds, by (device, inode): POSIX record locks never conflict within
// one process, and closing any descriptor of a locked file would drop them, so a second lock of
// the same database in this process is refused here before the file is opened again.
std::mutex g_writer_locks_mutex;
std::set<std::pair<dev_t, ino_t>> g_writer_locks;

}  // namespace

std::string how_to_retry(const StatusCounts& counts) {
  if (counts.crashed > 0 && counts.failed > 0) {
    return "run the same command again to retry the crashed runs, with --retry-failed to run the "
           "failed ones again too";
  }
  if (counts.crashed > 0) return "run the same command again to retry the crashed runs";
  if (counts.failed > 0) return "add --retry-failed to run the failed runs again";
  return {};
}

std::string WriterLock::lock_path(const std::string& database_path) {
  std::error_code error;
  // Two spellings of one database (a relative path, a symbolic link) share one lock.
  const auto canonical = std::filesystem::weakly_canonical(database_path, error);
  return (error ? database_path : canonical.string()) + ".lock";
}

WriterLock::WriterLock(const std::string& database_path) : path_(lock_path(database_path)) {
  const std::lock_guard<std::mutex> guard(g_writer_locks_mutex);
  const auto in_use = [&](pid_t holder, const std::string& who) {
    return DatabaseInUseError(database_path + ": in use by " + who +
                                  ", which is recording runs into it (lock " + path_ +
                                  "); wait until it ends, or use another database",
                              holder);
  };
  // A holder removes the lock file when it lets go, so a file opened just before that may be
  // unlinked by the time it is locked: try again with the new file (a few times at most).
  for (int attempt = 0; attempt < 100; ++attempt) {
    struct stat named {};
    if (::stat(path_.c_str(), &named) == 0 &&
        g_writer_locks.count({named.st_dev, named.st_ino}) != 0) {
      throw in_use(::getpid(), "this process (" + std::to_string(::getpid()) + ")");
    }
    const int fd = ::open(path_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    if (fd < 0) {
      throw ResultsStoreError(database_path + ": cannot create the lock file " + path_ + ": " +
                              std::strerror(errno));
    }
    struct flock whole {};
    whole.l_type = F_WRLCK;
    whole.l_whence = SEEK_SET;
    if (::fcntl(fd, F_SETLK, &whole) != 0) {
      const int error = errno;
      if (error != EACCES && error != EAGAIN) {
        ::close(fd);
        throw ResultsStoreError(database_path + ": cannot lock " + path_ + ": " +
                                std::strerror(error));
      }
      struct flock holder {};
      holder.l_type = F_WRLCK;
      holder.l_whence = SEEK_SET;
      const bool known = ::fcntl(fd, F_GETLK, &holder) == 0 && holder.l_type != F_UNLCK;
      ::close(fd);
      if (!known) continue;  // let go in between: try again
      throw in_use(holder.l_pid, "process " + std::to_string(holder.l_pid));
    }
    struct stat locked {};
    if (::fstat(fd, &locked) != 0 || ::stat(path_.c_str(), &named) != 0 ||
        locked.st_dev != named.st_dev || locked.st_ino != named.st_ino) {
      ::close(fd);
      continue;
    }
    fd_ = fd;
    device_ = locked.st_dev;
    inode_ = locked.st_ino;
    g_writer_locks.insert({device_, inode_});
    const std::string owner = std::to_string(::getpid()) + "\n";
    if (::ftruncate(fd_, 0) == 0) {
      [[maybe_unused]] const ssize_t written = ::pwrite(fd_, owner.data(), owner.size(), 0);
    }
    return;
  }
  throw ResultsStoreError(database_path + ": cannot take the lock " + path_ +
                          ": it keeps being replaced");
}

WriterLock::~WriterLock() {
  const std::lock_guard<std::mutex> guard(g_writer_locks_mutex);
  // Unlinked while still locked, so that whoever opened the old file sees it is gone (above).
  ::unlink(path_.c_str());
  g_writer_locks.erase({device_, inode_});
  ::close(fd_);
}

ResultsStore::ResultsStore(const std::string& path, OpenMode mode, Access access) : path_(path) {
  // Nothing is created, locked or opened before the path is known to be a plain file (or none).
  bool exists = check_database_path(path);
  if (!exists && mode == OpenMode::existing_only) {
    throw ResultsStoreError(path + ": cannot open results database: no such file");
  }
  if (access == Access::exclusive_writer) {
    lock_ = std::make_unique<WriterLock>(path);
    remove_abandoned_creations(path);
    exists = check_database_path(path);
  }
  if (!exists) create_database(path);
  check_database_header(path);
  // Never SQLITE_OPEN_CREATE: the file exists, whole, by now; a file removed in between is an
  // error, not a new empty database.
  if (sqlite3_open_v2(path.c_str(), &db_, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK) {
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
    if (access == Access::exclusive_writer) execute(kStayAwaySql);
  } catch (...) {
    sqlite3_close(db_);
    db_ = nullptr;
    throw;
  }
}

ResultsStore::~ResultsStore() {
  // The connection closes before lock_ (declared before db_) lets the file go.
  sqlite3_close(db_);
}

void ResultsStore::execute(const char* sql) {
  execute_sql(db_, path_, sql);
}

void ResultsStore::check_schema() {
  // Reading the header is the first access: a file that SQLite cannot read fails here. Nothing is
  // written before the file is known to be ours: tenderlab creates its databases whole, so an
  // existing file without our application_id belongs to someone else.
  const std::int64_t application = pragma_integer(db_, path_, "PRAGMA application_id");
  const std::int64_t version = pragma_integer(db_, path_, "PRAGMA user_version");
  if (application != kResultsApplicationId) {
    throw DatabaseRefusedError(path_ + ": is not a tenderlab results database (a SQLite database " +
                               "with application_id " + std::to_string(application) +
                               "); it was left as it is");
  }
  if (version != kResultsSchemaVersion) {
    throw DatabaseRefusedError(path_ + ": results database has schema version " +
                               std::to_string(version) + ", this tenderlab reads version " +
                               std::to_string(kResultsSchemaVersion));
  }
}

bool ResultsStore::has_run(const std::string& run_id) {
  Statement statement(db_, path_, "SELECT 1 FROM runs WHERE run_id = ?1");
  statement.bind(1, run_id);
  return statement.step();
}

std::set<std::string> ResultsStore::finished_runs() {
  std::set<std::string> ids;
  for_each_finished_run([&ids](const std::string& run_id) { ids.insert(run_id); });
  return ids;
}

void ResultsStore::for_each_finished_run(const std::function<void(const std::string&)>& each) {
  Statement statement(db_, path_, "SELECT run_id FROM runs");
  while (statement.step())
    each(statement.text(0));
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

  if (!run.stay_away.is_null() && !run.stay_away.empty()) {
    Statement insert_away(db_, path_,
                          "INSERT OR REPLACE INTO stay_away (run_id, call, round, agent, role, "
                          "clause, effect_bn_krw) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)");
    for (const auto& row : run.stay_away) {
      if (!row.is_array() || row.size() != 6 || !row[1].is_number_integer() ||
          !row[5].is_number()) {
        throw ResultsStoreError(path_ + ": run " + run.run_id +
                                ": a stay_away row must be [call, round, agent, role, clause, "
                                "effect], got " +
                                row.dump());
      }
      insert_away.bind(1, run.run_id)
          .bind(2, row[0].get<std::string>())
          .bind(3, row[1].get<std::int64_t>())
          .bind(4, row[2].get<std::string>())
          .bind(5, row[3].get<std::string>())
          .bind(6, row[4].get<std::string>());
      const double effect = row[5].get<double>();
      if (std::isfinite(effect)) {
        insert_away.bind(7, effect);
      } else {
        insert_away.bind_null(7);
      }
      insert_away.run();
    }
  }

  Statement(db_, path_, "INSERT INTO run_timing (run_id, wall_seconds, worker) VALUES (?1, ?2, ?3)")
      .bind(1, run.run_id)
      .bind(2, run.wall_seconds)
      .bind(3, run.worker)
      .run();
  transaction.commit();
}

namespace {

// Inserts the points not recorded yet, inside the caller's transaction; a point recorded with
// other factors means the study changed under its database.
void insert_points(sqlite3* db, const std::string& path, const std::vector<PointRecord>& points) {
  Statement select(db, path, "SELECT factors FROM points WHERE point = ?1");
  Statement insert(db, path, "INSERT INTO points (point, factors) VALUES (?1, ?2)");
  for (const auto& point : points) {
    if (!point.factors.is_object()) {
      throw ResultsStoreError(path + ": point " + std::to_string(point.point) +
                              ": factors must be a JSON object");
    }
    const std::string factors = canonical_json(point.factors);
    select.bind(1, std::int64_t{point.point});
    if (select.step()) {
      const std::string existing = select.text(0);
      if (existing != factors) {
        throw DatabaseRefusedError(path + ": point " + std::to_string(point.point) +
                                   " is recorded with factors " + existing + ", not " + factors +
                                   ": the study changed since this database was written");
      }
    } else {
      insert.bind(1, std::int64_t{point.point}).bind(2, factors).run();
    }
    select.run();
  }
}

}  // namespace

void ResultsStore::record_points(const std::vector<PointRecord>& points) {
  Transaction transaction(db_, path_);
  insert_points(db_, path_, points);
  transaction.commit();
}

StatusCounts ResultsStore::status_counts() {
  StatusCounts counts;
  Statement statement(db_, path_, "SELECT status, count(*) FROM runs GROUP BY status");
  while (statement.step()) {
    const std::string status = statement.text(0);
    const auto count = static_cast<std::size_t>(statement.integer(1));
    if (status == "ok") {
      counts.ok = count;
    } else if (status == "failed") {
      counts.failed = count;
    } else if (status == "crashed") {
      counts.crashed = count;
    }
  }
  return counts;
}

std::size_t ResultsStore::forget_runs(const std::set<std::string>& statuses) {
  Transaction transaction(db_, path_);
  std::size_t forgotten = 0;
  Statement kpis(db_, path_,
                 "DELETE FROM kpis WHERE run_id IN (SELECT run_id FROM runs WHERE status = ?1)");
  Statement timing(
      db_, path_,
      "DELETE FROM run_timing WHERE run_id IN (SELECT run_id FROM runs WHERE status = ?1)");
  Statement away(
      db_, path_,
      "DELETE FROM stay_away WHERE run_id IN (SELECT run_id FROM runs WHERE status = ?1)");
  Statement runs(db_, path_, "DELETE FROM runs WHERE status = ?1");
  for (const auto& status : statuses) {
    kpis.bind(1, status).run();
    timing.bind(1, status).run();
    away.bind(1, status).run();
    runs.bind(1, status).run();
    forgotten += static_cast<std::size_t>(sqlite3_changes(db_));
  }
  transaction.commit();
  return forgotten;
}

namespace {

/// A JSON value in a message: short values whole, long ones cut.
std::string shown(const nlohmann::json& value) {
  std::string text = value.is_discarded() ? std::string("(missing)") : value.dump();
  if (text.size() > 60) text = text.substr(0, 57) + "...";
  return text;
}

struct Change {
  std::string pointer;
  nlohmann::json before;  ///< discarded: the key was not there
  nlohmann::json after;
};

/// Where two study files differ, as JSON Pointers to the smallest differing values (an array
/// that changed length is one change).
void json_changes(const nlohmann::json& before, const nlohmann::json& after,
                  const std::string& pointer, std::vector<Change>& changes) {
  if (before == after) return;
  const auto escaped = [](std::string key) {
    for (std::size_t at = 0; (at = key.find_first_of("~/", at)) != std::string::npos; at += 2)
      key.replace(at, 1, key[at] == '~' ? "~0" : "~1");
    return key;
  };
  if (before.is_object() && after.is_object()) {
    std::set<std::string> keys;
    for (const auto& [key, value] : before.items())
      keys.insert(key);
    for (const auto& [key, value] : after.items())
      keys.insert(key);
    const nlohmann::json missing(nlohmann::json::value_t::discarded);
    for (const auto& key : keys)
      json_changes(before.contains(key) ? before.at(key) : missing,
                   after.contains(key) ? after.at(key) : missing, pointer + "/" + escaped(key),
                   changes);
    return;
  }
  if (before.is_array() && after.is_array() && before.size() == after.size()) {
    for (std::size_t i = 0; i < before.size(); ++i)
      json_changes(before[i], after[i], pointer + "/" + std::to_string(i), changes);
    return;
  }
  changes.push_back({pointer, before, after});
}

/// Changes to a study file that leave every recorded run valid: its description, and more
/// replications (the runs recorded are the first replications of the larger study).
bool harmless(const Change& change) {
  if (change.pointer == "/description") return true;
  if (change.pointer == "/replications") {
    const auto count = [](const nlohmann::json& value) {
      return value.is_number_integer() ? value.get<std::int64_t>()
             : value.is_discarded()    ? 1
                                       : -1;  // the default is 1
    };
    return count(change.after) >= count(change.before) && count(change.before) >= 1;
  }
  return false;
}

}  // namespace

std::string ResultsStore::study_mismatch(const std::string& study_file,
                                         const std::map<std::string, std::string>& meta,
                                         std::map<std::string, std::string>* updates) {
  std::map<std::string, std::string> recorded;
  {
    Statement statement(db_, path_, "SELECT key, value FROM study WHERE key != ?1");
    statement.bind(1, std::string(kCreatedAtKey));
    while (statement.step())
      recorded[statement.text(0)] = statement.text(1);
  }
  const auto value_of = [](const std::map<std::string, std::string>& facts, const char* key) {
    const auto it = facts.find(key);
    return it == facts.end() ? std::optional<std::string>() : std::optional(it->second);
  };
  std::vector<std::string> reasons;
  // The base scenario: any edit changes what a run simulates, so runs on the old and the new base
  // would be mixed in one analysis.
  const auto base_before = value_of(recorded, "base_scenario_sha256");
  const auto base_after = value_of(meta, "base_scenario_sha256");
  if (base_before && base_after && *base_before != *base_after) {
    reasons.push_back("the base scenario " + value_of(meta, "base_scenario").value_or("") +
                      " changed since these runs were recorded (SHA-256 " + *base_before + " → " +
                      *base_after + ")");
  }
  // The base as the runs start from it: differs with the same file when a file it extends
  // changed. Only said when the file's own hash did not say it already.
  const auto start_before = value_of(recorded, kBaseScenarioJsonKey);
  const auto start_after = value_of(meta, kBaseScenarioJsonKey);
  if (reasons.empty() && start_before && start_after && *start_before != *start_after) {
    reasons.push_back("the base scenario " + value_of(meta, "base_scenario").value_or("") +
                      " (or a file it extends) changed since these runs were recorded");
  }
  // The study file: compared key by key when the database recorded its JSON.
  const auto json_before = value_of(recorded, kStudyJsonKey);
  const auto json_after = value_of(meta, kStudyJsonKey);
  const bool by_key = json_before && json_after;
  std::map<std::string, std::string> accepted;
  if (by_key && value_of(recorded, "study_sha256") != value_of(meta, "study_sha256")) {
    std::vector<Change> changes;
    json_changes(nlohmann::json::parse(*json_before), nlohmann::json::parse(*json_after), "",
                 changes);
    std::string listed;
    for (const auto& change : changes)
      if (!harmless(change))
        listed += (listed.empty() ? "" : "; ") + change.pointer + ": " + shown(change.before) +
                  " → " + shown(change.after);
    if (!listed.empty()) {
      reasons.push_back(study_file + " changed since these runs were recorded: " + listed +
                        " (only a new description or more replications can be resumed)");
    } else {
      // Only harmless changes: the database follows the study file from now on.
      for (const char* key : {"study_sha256", kStudyJsonKey, "replications"})
        if (const auto after = value_of(meta, key)) accepted[key] = *after;
    }
  }
  // The other facts. With the study's JSON on both sides, the facts taken from the study file
  // were compared above.
  static const std::set<std::string> from_study_file = {
      "name",   "study_sha256", kStudyJsonKey, "base_scenario",
      "design", "replications", "seed",        "outcome"};
  std::string differences;
  for (const auto& [key, value] : meta) {
    if (key == "base_scenario_sha256" || key == kBaseScenarioJsonKey ||
        key == kParameterSetsJsonKey || (by_key && from_study_file.count(key)))
      continue;
    const auto it = recorded.find(key);
    if (it == recorded.end() || it->second == value) continue;
    const std::string& found = it->second;
    differences += (differences.empty() ? "" : "; ") + key + " is " + quoted(found) +
                   " in the database, " + quoted(value) + " in " + study_file;
  }
  if (!differences.empty()) {
    reasons.insert(reasons.begin(),
                   "holds the results of another study, or of another version of " + study_file +
                       ": " + differences);
  }
  if (!reasons.empty()) {
    std::string message;
    for (const auto& reason : reasons)
      message += (message.empty() ? "" : "; ") + reason;
    return message;
  }
  if (recorded.count("study_sha256") == 0) {
    // Runs recorded from a bare task list (tenderlab-mpi --tasks): no study can vouch for them.
    const auto runs = pragma_integer(db_, path_, "SELECT count(*) FROM runs");
    if (runs > 0) {
      return "holds " + std::to_string(runs) + " runs that no study file claims (recorded from a " +
             "task list), not the results of " + study_file;
    }
  }
  if (updates) *updates = std::move(accepted);
  return {};
}

void ResultsStore::claim_for_study(const std::string& study_file,
                                   const std::map<std::string, std::string>& meta,
                                   const std::vector<PointRecord>& points) {
  Transaction transaction(db_, path_);
  std::map<std::string, std::string> updates;
  const std::string mismatch = study_mismatch(study_file, meta, &updates);
  if (!mismatch.empty()) {
    throw DatabaseRefusedError(path_ + ": " + mismatch +
                               ". It was left as it is: use another database, or delete this one "
                               "to start the study again");
  }
  // Facts already recorded are equal (checked above) or harmlessly changed (a new description,
  // more replications: `updates`); the rest are only written when missing.
  Statement replace(db_, path_, "INSERT OR REPLACE INTO study (key, value) VALUES (?1, ?2)");
  for (const auto& [key, value] : updates)
    replace.bind(1, key).bind(2, value).run();
  Statement insert(db_, path_, "INSERT OR IGNORE INTO study (key, value) VALUES (?1, ?2)");
  for (const auto& [key, value] : meta)
    insert.bind(1, key).bind(2, value).run();
  insert_points(db_, path_, points);
  transaction.commit();
}

void ResultsStore::check_study(const std::string& study_file,
                               const std::map<std::string, std::string>& meta) {
  const std::string mismatch = study_mismatch(study_file, meta, nullptr);
  if (!mismatch.empty()) {
    throw DatabaseRefusedError(path_ + ": " + mismatch +
                               ". Give the study file that wrote it, or another database");
  }
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

namespace {

constexpr const char* kSelectRuns =
    "SELECT r.run_id, r.point, r.replication, r.seed, r.status, r.reason, r.kpis, "
    "r.event_log_sha256, t.wall_seconds, t.worker FROM runs AS r LEFT JOIN run_timing AS t "
    "USING (run_id)";

RunRecord run_from_row(Statement& statement) {
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
  return run;
}

}  // namespace

std::vector<RunRecord> ResultsStore::runs() {
  std::vector<RunRecord> result;
  Statement statement(db_, path_, (std::string(kSelectRuns) + " ORDER BY r.run_id").c_str());
  while (statement.step())
    result.push_back(run_from_row(statement));
  return result;
}

std::optional<RunRecord> ResultsStore::run(const std::string& run_id) {
  Statement statement(db_, path_, (std::string(kSelectRuns) + " WHERE r.run_id = ?1").c_str());
  statement.bind(1, run_id);
  if (!statement.step()) return std::nullopt;
  return run_from_row(statement);
}

std::optional<PointRecord> ResultsStore::point(int index) {
  Statement statement(db_, path_, "SELECT point, factors FROM points WHERE point = ?1");
  statement.bind(1, static_cast<std::int64_t>(index));
  if (!statement.step()) return std::nullopt;
  return PointRecord{static_cast<int>(statement.integer(0)),
                     nlohmann::json::parse(statement.text(1))};
}

bool ResultsStore::has_stay_away_table() {
  Statement statement(db_, path_,
                      "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'stay_away'");
  return statement.step();
}

std::vector<StayAwayRecord> ResultsStore::stay_away() {
  std::vector<StayAwayRecord> rows;
  if (!has_stay_away_table()) return rows;
  Statement statement(db_, path_,
                      "SELECT run_id, call, round, agent, role, clause, effect_bn_krw FROM "
                      "stay_away ORDER BY run_id, call, round, agent, role, clause");
  while (statement.step()) {
    StayAwayRecord row;
    row.run_id = statement.text(0);
    row.call = statement.text(1);
    row.round = static_cast<int>(statement.integer(2));
    row.agent = statement.text(3);
    row.role = statement.text(4);
    row.clause = statement.text(5);
    if (!statement.is_null(6)) row.effect_bn_krw = statement.real(6);
    rows.push_back(std::move(row));
  }
  return rows;
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
        if (statement.text(0) == kCreatedAtKey || statement.text(0) == kStudyJsonKey ||
            statement.text(0) == kBaseScenarioJsonKey || statement.text(0) == kParameterSetsJsonKey)
          continue;
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
    if (has_stay_away_table()) {
      dump += "[stay_away]\n";
      for (const auto& row : stay_away())
        dump += quoted(row.run_id) + "\t" + quoted(row.call) + "\t" + std::to_string(row.round) +
                "\t" + quoted(row.agent) + "\t" + quoted(row.role) + "\t" + quoted(row.clause) +
                "\t" + (row.effect_bn_krw ? format_real(*row.effect_bn_krw) : "null") + "\n";
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
