// What a study file expands to, as the runners need it: the runs, built one at a time, what the
// results database records about the study, the payload a study run carries and how a run keeps
// its event log. `tenderlab study`, `tenderlab worker` and `tenderlab-mpi` all use these, so a
// study run on one machine and one run across a cluster write the same database content.
//
// Declared here and implemented with the study layer (analysis/src/study_tasks.cpp); tenderlab-mpi
// accepts a study file only when that source is part of the build.
#pragma once

#include <cstddef>
#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <ostream>
#include <stdexcept>
#include <streambuf>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/run_pool.hpp"
#include "tenderlab/analysis/study.hpp"

namespace tenderlab::analysis {

/// The runs of a study: points x replications, in a fixed order (points, then replications), each
/// with a stable run id ("p00003-r001"), the study's seed and a payload (below) that carries the
/// point's changes to the base scenario, not the scenario: the base is parsed once, by whoever
/// runs the tasks. A task is built when it is asked for, from the design's compact form, so the
/// memory held does not grow with the number of replications and stays small per design point.
class StudyTaskSource final : public TaskSource {
 public:
  /// `with_scenario`: every payload also carries the base scenario, for workers that have not
  /// read the study (tenderlab-mpi's).
  explicit StudyTaskSource(std::shared_ptr<const Study> study, bool with_scenario = false);

  std::size_t size() const override { return size_; }
  RunTask task(std::size_t index) const override;
  std::string run_id(std::size_t index) const override;
  std::optional<std::size_t> index_of(const std::string& run_id) const override;

  const Study& study() const { return *study_; }
  const StudyDesign& design() const { return design_; }

 private:
  std::shared_ptr<const Study> study_;
  StudyDesign design_;
  bool with_scenario_;
  std::size_t size_ = 0;
};

/// The study file's runs. `database`, when given, replaces the study's own; kept event logs then
/// go beside it. Throws InputError on an invalid study file.
std::unique_ptr<StudyTaskSource> load_study_tasks(const std::string& study_file,
                                                  const std::string& database = "",
                                                  bool with_scenario = false);

/// What the results database records about a study besides its runs.
struct StudySetup {
  /// Where the study's results go unless the user names another file.
  std::string database_path;
  /// Rows of the `study` table: name, SHA-256 of the study file, ... (not `created_at`, which the
  /// store writes itself).
  std::map<std::string, std::string> meta;
  /// The study, for record_study_points.
  std::shared_ptr<const Study> study;
};

StudySetup load_study_setup(const std::string& study_file);

/// Records every design point of the study (the rows of the `points` table, each point's factor
/// values), a few thousand per transaction so that a large design never sits in memory as JSON.
void record_study_points(ResultsStore& store, const Study& study);

/// One recorded study run as it was simulated, rebuilt from its results database alone: the base
/// scenario the study recorded (`base_scenario_json`) with the run's design point's factor values
/// set at the factors' JSON Pointers (from the recorded study file, `study_json`).
struct RecordedRun {
  RunRecord run;           ///< its row: seed, replication, event-log hash
  std::string study_name;  ///< the study's name
  nlohmann::json scenario;
};

/// Rebuilds `run_id` of `store`. Throws InputError naming the database: no run with that id
/// (the message names a recorded one), a run not recorded "ok" (it has no event-log hash to
/// reproduce), a database that records no study or was written before base scenarios were
/// recorded, a point or factor missing.
RecordedRun recorded_run(ResultsStore& store, const std::string& run_id);

/// The payload of a study run (RunTask::payload), as `tenderlab study` builds it and a worker
/// receives it; every key optional but `scenario` where no base scenario is at hand:
///   scenario     the scenario (object) the changes apply to
///   patch        [{"path": JSON Pointer, "value": any}, ...]: the design point's factor values,
///                applied in order
///   origin       names the run in error messages
///   kpis         [KPI name, ...]: the KPIs to report; empty: all
///   events_file  where to keep the run's event log, or null: not kept
struct StudyRunPayload {
  const nlohmann::json* scenario = nullptr;  ///< into the payload read; null when absent
  std::vector<std::pair<std::string, const nlohmann::json*>> patch;  ///< pointer, value
  std::string origin;
  std::vector<std::string> kpis;
  std::string events_file;  ///< empty: the event log is not kept
};

/// Reads a study run's payload. It points into `payload`, which must outlive it. Throws
/// WorkerTaskError naming `origin` and "/payload/..." for every problem.
StudyRunPayload parse_study_payload(const nlohmann::json& payload, const std::string& origin);

/// The run's scenario: the payload's own, or `base` when it has none, with the patch applied.
/// Throws WorkerTaskError when there is no scenario or a change addresses nothing settable.
nlohmann::json study_run_scenario(const StudyRunPayload& payload, const nlohmann::json* base,
                                  const std::string& origin);

/// Where the event log of a run may be kept: `events_file` must name a file directly inside
/// `events_dir`, the folder of kept logs beside the results database, once both are resolved
/// (symbolic links of folders that exist followed, `.` and `..` removed). Returns the resolved
/// path; throws WorkerTaskError naming `origin` and /payload/events_file otherwise, or when
/// `events_dir` is empty (nowhere to keep logs).
std::filesystem::path confine_events_file(const std::string& events_file,
                                          const std::string& events_dir, const std::string& origin);

/// A kept event log that could not be written whole.
class KeptEventLogError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

/// A stream buffer over a file descriptor that checks every write. After the first failed write
/// (a full disk, a file size limit, an I/O error) it refuses every later one, so the stream
/// using it goes bad, and error() says what happened.
class CheckedFileBuffer : public std::streambuf {
 public:
  /// Writes to `fd`, which it does not own.
  explicit CheckedFileBuffer(int fd);
  CheckedFileBuffer(const CheckedFileBuffer&) = delete;
  CheckedFileBuffer& operator=(const CheckedFileBuffer&) = delete;
  ~CheckedFileBuffer() override = default;

  /// The errno of the first failed write, 0 if none failed.
  int error() const { return error_; }

 protected:
  int_type overflow(int_type c) override;
  int sync() override;
  std::streamsize xsputn(const char* data, std::streamsize count) override;

 private:
  bool write_out(const char* data, std::size_t size);
  bool flush_buffer();

  int fd_;
  int error_ = 0;
  std::vector<char> buffer_;
};

/// Writes the event log of a run to `target` through a staging file beside it, then puts it in
/// place only when it is whole: every write checked, the file flushed to disk, read back and its
/// SHA-256 compared with the run's event-log hash. Whatever goes wrong, no partial log is left at
/// `target`; the staging file is removed.
class KeptEventLog {
 public:
  /// Creates the folder of `target` if needed and the staging file (never through an existing
  /// file or link). Throws KeptEventLogError.
  explicit KeptEventLog(std::filesystem::path target);
  KeptEventLog(const KeptEventLog&) = delete;
  KeptEventLog& operator=(const KeptEventLog&) = delete;
  ~KeptEventLog();

  std::ostream& stream() { return stream_; }
  /// Checks that everything written reached the disk and hashes to `expected_sha256`, then renames
  /// the staging file to the target. Throws KeptEventLogError with the reason otherwise.
  void commit(const std::string& expected_sha256);

 private:
  [[noreturn]] void fail(const std::string& what);

  std::filesystem::path target_;
  std::filesystem::path staging_;
  int fd_ = -1;
  std::unique_ptr<CheckedFileBuffer> buffer_;
  std::ostream stream_;
  bool committed_ = false;
};

}  // namespace tenderlab::analysis
