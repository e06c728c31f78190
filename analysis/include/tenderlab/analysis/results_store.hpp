// The results database of a study: one SQLite file that records every run (ok, failed or crashed)
// as it finishes, so an interrupted study resumes without redoing or losing runs. The schema is
// documented in docs/results-database.md.
#pragma once

#include <cstdint>
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
  // Machine-dependent: stored in run_timing, outside content comparisons.
  double wall_seconds = 0.0;
  std::string worker;
};

/// One design point of the study: factor name -> value.
struct PointRecord {
  int point = 0;
  nlohmann::json factors = nlohmann::json::object();
};

class ResultsStore {
 public:
  enum class OpenMode { create_if_missing, existing_only };

  /// Opens the database at `path`, creating the file and schema if allowed. Throws
  /// ResultsStoreError if the file is not a tenderlab results database or has another schema
  /// version.
  explicit ResultsStore(const std::string& path, OpenMode mode = OpenMode::create_if_missing);
  ~ResultsStore();
  ResultsStore(const ResultsStore&) = delete;
  ResultsStore& operator=(const ResultsStore&) = delete;

  const std::string& path() const { return path_; }

  bool has_run(const std::string& run_id);
  /// Every recorded run_id whatever its status: a resumed study skips all of them.
  std::set<std::string> finished_runs();

  /// Records one run in a single transaction (runs, kpis and run_timing rows together). Throws
  /// ResultsStoreError if the run_id is already recorded or the status is not a known one.
  void record(const RunRecord& run);

  /// Records design points. A point already present must have the same factors: a mismatch means
  /// the study changed under its database, which would mix two experiments, so it throws.
  void record_points(const std::vector<PointRecord>& points);
  std::vector<PointRecord> points();

  /// Study-level facts (name, study file SHA-256, ...). `created_at` is written once when the file
  /// is created and, being a wall-clock time, is left out of content comparisons.
  void set_meta(const std::string& key, const std::string& value);
  std::optional<std::string> get_meta(const std::string& key);

  /// All runs ordered by run_id, with their timing.
  std::vector<RunRecord> runs();

  /// A canonical text dump of study (except created_at), points, runs and kpis ordered by primary
  /// key, without run_timing: two databases hold the same results iff their dumps are equal,
  /// whatever the order in which runs finished or how many workers ran them.
  std::string content_dump();
  /// Lower-case hex SHA-256 of content_dump().
  std::string content_digest();

 private:
  void execute(const char* sql);
  void create_schema();
  void check_schema();

  std::string path_;
  sqlite3* db_ = nullptr;
};

}  // namespace tenderlab::analysis
