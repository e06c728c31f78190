// The results database of a study: one SQLite file that records every run (ok, failed or crashed)
// as it finishes, so an interrupted study resumes without redoing or losing runs. The schema is
// documented in docs/results-database.md.
#pragma once

#include <sys/types.h>

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

struct sqlite3;

namespace tenderlab::analysis {

/// Schema version written to `PRAGMA user_version`; bump it with every change of the schema.
inline constexpr int kResultsSchemaVersion = 1;

/// Marks a SQLite file as a tenderlab results database (`PRAGMA application_id`, "TLrs").
inline constexpr std::int32_t kResultsApplicationId = 0x544c7273;

/// A results file that cannot be opened, has the wrong schema, or a write that SQLite refused.
class ResultsStoreError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// The database was left as it was because it cannot serve what was asked: the path is not a
/// regular file, the file is not a tenderlab results database (or has another schema version), it
/// holds the results of another study, or another process is writing to it. Nothing ran; the
/// commands report it as bad input or usage (exit status 2).
class DatabaseRefusedError : public ResultsStoreError {
 public:
  using ResultsStoreError::ResultsStoreError;
};

/// Another process holds the writer lock of the database (see WriterLock).
class DatabaseInUseError : public DatabaseRefusedError {
 public:
  DatabaseInUseError(const std::string& message, pid_t holder)
      : DatabaseRefusedError(message), holder_(holder) {}
  /// The process holding the lock as the kernel reports it; 0 if unknown.
  pid_t holder() const { return holder_; }

 private:
  pid_t holder_;
};

/// The exclusive right to write one results database, so that two studies (or a study and
/// tenderlab-mpi) never record runs into the same file. It is a POSIX record lock on the file
/// "<database>.lock", which the kernel releases when the holding process ends, whatever way it
/// ends (kill -9 included): a lock never outlives its holder. Record locks are not inherited by
/// fork(), so the runner's forked children never hold it and their exit never releases it. The
/// holder writes its pid into the file for the curious and removes the file when it lets go.
class WriterLock {
 public:
  /// Takes the lock at once or throws DatabaseInUseError naming the holder's pid (also when this
  /// process already holds it); ResultsStoreError if the lock file cannot be created.
  explicit WriterLock(const std::string& database_path);
  ~WriterLock();
  WriterLock(const WriterLock&) = delete;
  WriterLock& operator=(const WriterLock&) = delete;

  /// "<database>.lock", beside the database.
  static std::string lock_path(const std::string& database_path);

 private:
  std::string path_;
  int fd_ = -1;
  dev_t device_ = 0;
  ino_t inode_ = 0;
};

/// One finished run. `status` is "ok", "failed" (the run reported an error) or "crashed" (its
/// process died or wrote no outcome); `reason` says why for the last two and is empty for "ok".
struct RunRecord {
  std::string run_id;
  int point = 0;
  int replication = 0;
  std::uint64_t seed = 0;
  std::string status;
  std::string reason;
  nlohmann::json kpis = nlohmann::json::object();
  std::string event_log_sha256;
  /// [call, round, agent, role, clause, effect_bn_krw] per clause of each agent that stayed away
  /// from a failed round (RunOutcome::stay_away); the stay_away table.
  nlohmann::json stay_away = nlohmann::json::array();
  // Machine-dependent: stored in run_timing, outside content comparisons.
  double wall_seconds = 0.0;
  std::string worker;
};

/// One row of the stay_away table: one clause's effect on an agent that stayed away from a
/// failed round of a run.
struct StayAwayRecord {
  std::string run_id;
  std::string call;
  int round = 0;
  std::string agent;
  std::string role;
  std::string clause;
  std::optional<double> effect_bn_krw;  ///< empty when not finite
};

/// One design point of the study: factor name -> value.
struct PointRecord {
  int point = 0;
  nlohmann::json factors = nlohmann::json::object();
};

/// How many recorded runs have each status.
struct StatusCounts {
  std::size_t ok = 0;
  std::size_t failed = 0;
  std::size_t crashed = 0;
};

/// What a user does about the failed and crashed runs `counts` holds, in the words of both study
/// commands (`tenderlab study`, `tenderlab-mpi`): crashed runs are retried by running the same
/// command again, failed ones with --retry-failed.
std::string how_to_retry(const StatusCounts& counts);

class ResultsStore {
 public:
  enum class OpenMode { create_if_missing, existing_only };
  /// `exclusive_writer` holds a WriterLock for the life of the store (taken before the file is
  /// looked at, let go after it is closed): what the commands that record runs use. `shared`
  /// takes no lock: readers, and callers that guarantee a single writer themselves.
  enum class Access { shared, exclusive_writer };

  /// Opens the database at `path`. A missing file is created, if allowed, whole: the schema is
  /// written to a temporary file beside it, which is then linked into place, so that a kill at any
  /// moment leaves either no database or a complete empty one. Throws DatabaseRefusedError, and
  /// leaves the file untouched, if `path` is not a regular file, or the file is not a tenderlab
  /// results database (empty, another program's SQLite database, not SQLite at all) or has
  /// another schema version; DatabaseInUseError if another process writes to it (exclusive
  /// access only); ResultsStoreError if it cannot be opened or created.
  explicit ResultsStore(const std::string& path, OpenMode mode = OpenMode::create_if_missing,
                        Access access = Access::shared);
  ~ResultsStore();
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;

  const std::string& path() const { return path_; }

  bool has_run(const std::string& run_id);
  /// Every recorded run_id whatever its status: a resumed study skips all of them.
  std::set<std::string> finished_runs();
  /// The same run ids, one at a time in no particular order, without holding them all.
  void for_each_finished_run(const std::function<void(const std::string&)>& each);
  StatusCounts status_counts();

  /// Deletes every run whose status is in `statuses` (its rows in runs, kpis and run_timing, in
  /// one transaction), so that a resumed study runs it again; returns how many were deleted.
  std::size_t forget_runs(const std::set<std::string>& statuses);

  /// Records one run in a single transaction (runs, kpis and run_timing rows together). Throws
  /// ResultsStoreError if the run_id is already recorded or the status is not a known one.
  void record(const RunRecord& run);

  /// Records design points. A point already present must have the same factors: a mismatch means
  /// the study changed under its database, which would mix two experiments, so it throws.
  void record_points(const std::vector<PointRecord>& points);
  std::vector<PointRecord> points();

  /// Binds the database to the study whose facts (`study` rows: name, study_sha256, seed, ...) are
  /// `meta` and whose design points are `points`, in one transaction. A database that belongs to
  /// no study yet and holds no run takes them; one that already belongs to this study gets the
  /// facts it lacks; any other is refused with a DatabaseRefusedError that says what differs (the
  /// base scenario's SHA-256, old -> new; the study file's changed keys as JSON Pointers, old ->
  /// new), so that one file never mixes two experiments. Only a study file with a new description
  /// or more replications resumes, and then its new SHA-256, JSON and replications replace the
  /// recorded ones. Every command that records a study's runs calls this before running anything.
  void claim_for_study(const std::string& study_file,
                       const std::map<std::string, std::string>& meta,
                       const std::vector<PointRecord>& points);
  /// The same check without writing anything, for commands that only read a study's database.
  void check_study(const std::string& study_file, const std::map<std::string, std::string>& meta);

  /// Study-level facts (name, study file SHA-256, ...). `created_at` is written once when the file
  /// is created and, being a wall-clock time, is left out of content comparisons.
  void set_meta(const std::string& key, const std::string& value);
  std::optional<std::string> get_meta(const std::string& key);

  /// All runs ordered by run_id, with their timing.
  std::vector<RunRecord> runs();
  /// One run with its timing; empty when no run has that id.
  std::optional<RunRecord> run(const std::string& run_id);
  /// One design point; empty when the database has no such point.
  std::optional<PointRecord> point(int index);
  /// Every stay_away row, ordered by run_id, call, round, agent, role, clause. Empty for a
  /// database written before the table existed.
  std::vector<StayAwayRecord> stay_away();

  /// A canonical text dump of study (except created_at), points, runs and kpis ordered by primary
  /// key, without run_timing: two databases hold the same results iff their dumps are equal,
  /// whatever the order in which runs finished or how many workers ran them.
  std::string content_dump();
  /// Lower-case hex SHA-256 of content_dump().
  std::string content_digest();

 private:
  bool has_stay_away_table();
  void execute(const char* sql);
  void check_schema();
  /// Why the database may not take the study whose facts are `meta` ("" if it may). A study file
  /// changed only in harmless ways (a new description, more replications) is accepted, and the
  /// facts to replace are put in `updates` (when given).
  std::string study_mismatch(const std::string& study_file,
                             const std::map<std::string, std::string>& meta,
                             std::map<std::string, std::string>* updates);

  std::string path_;
  std::unique_ptr<WriterLock> lock_;
  sqlite3* db_ = nullptr;
};

}  // namespace tenderlab::analysis
