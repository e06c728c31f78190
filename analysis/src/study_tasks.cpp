#include "tenderlab/analysis/study_tasks.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <system_error>

#include "tenderlab/analysis/calibration.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"
#include "tenderlab/engine/sha256.hpp"

namespace tenderlab::analysis {
namespace fs = std::filesystem;

namespace {

// Design points recorded per transaction by record_study_points.
constexpr std::size_t kPointsPerBatch = 4096;

// The write buffer of a kept event log.
constexpr std::size_t kKeptLogBufferBytes = std::size_t{64} << 10U;

// Reads "<digits>" at `at` of `text`; advances `at`.
std::optional<std::size_t> read_number(const std::string& text, std::size_t& at) {
  std::size_t value = 0;
  const char* first = text.data() + at;
  const char* last = text.data() + text.size();
  const auto [end, error] = std::from_chars(first, last, value);
  if (error != std::errc() || end == first) return std::nullopt;
  at += static_cast<std::size_t>(end - first);
  return value;
}

}  // namespace

StudyTaskSource::StudyTaskSource(std::shared_ptr<const Study> study, bool with_scenario)
    : study_(std::move(study)), design_(*study_), with_scenario_(with_scenario) {
  size_ = design_.size() * static_cast<std::size_t>(study_->replications);
}

std::string StudyTaskSource::run_id(std::size_t index) const {
  const auto replications = static_cast<std::size_t>(study_->replications);
  return analysis::run_id(static_cast<int>(index / replications),
                          static_cast<int>(index % replications));
}

std::optional<std::size_t> StudyTaskSource::index_of(const std::string& id) const {
  // "p<point>-r<replication>", exactly as run_id() writes it.
  if (id.size() < 4 || id.front() != 'p') return std::nullopt;
  std::size_t at = 1;
  const auto point = read_number(id, at);
  if (!point || id.compare(at, 2, "-r") != 0) return std::nullopt;
  at += 2;
  const auto replication = read_number(id, at);
  if (!replication || at != id.size()) return std::nullopt;
  const auto replications = static_cast<std::size_t>(study_->replications);
  if (*point >= design_.size() || *replication >= replications) return std::nullopt;
  const std::size_t index = *point * replications + *replication;
  if (run_id(index) != id) return std::nullopt;  // e.g. other zero padding
  return index;
}

RunTask StudyTaskSource::task(std::size_t index) const {
  if (index >= size_) {
    throw std::out_of_range("study " + study_->name + ": no run " + std::to_string(index) +
                            " among " + std::to_string(size_));
  }
  const Study& study = *study_;
  const auto replications = static_cast<std::size_t>(study.replications);
  const std::size_t p = index / replications;
  RunTask task;
  task.point = static_cast<int>(p);
  task.replication = static_cast<int>(index % replications);
  task.run_id = analysis::run_id(task.point, task.replication);
  // Common random numbers: the same seed and replication index at every point, so points differ
  // only by their factors.
  task.seed = study.seed;

  const DesignPoint point = design_.point(p);
  nlohmann::json patch = nlohmann::json::array();
  std::string origin = study.file + " point " + std::to_string(p);
  if (study.parameter_sets) {
    // The calibrated parameters first: a factor on the same value overrides them.
    const std::size_t set =
        static_cast<std::size_t>(task.replication) % study.parameter_sets->size();
    patch = study.parameter_sets->patch(set);
    origin += " parameter set " + std::to_string(set) + " (draw " +
              std::to_string(study.parameter_sets->draws[set]) + " of " +
              study.parameter_sets_reference + ")";
  }
  for (std::size_t j = 0; j < study.factors.size(); ++j)
    patch.push_back({{"path", study.factors[j].path}, {"value", point.values[j]}});
  const auto& keep = study.keep_event_logs;
  const bool kept = std::find(keep.begin(), keep.end(), "*") != keep.end() ||
                    std::find(keep.begin(), keep.end(), task.run_id) != keep.end();
  task.payload = {
      {"patch", std::move(patch)},
      {"origin", origin},
      {"kpis", study.kpis},
      {"events_file",
       kept
           ? nlohmann::json((fs::path(study.events_dir) / (task.run_id + ".events.jsonl")).string())
           : nlohmann::json(nullptr)}};
  if (with_scenario_) task.payload["scenario"] = study.base;
  return task;
}

std::unique_ptr<StudyTaskSource> load_study_tasks(const std::string& study_file,
                                                  const std::string& database, bool with_scenario) {
  auto study = std::make_shared<Study>(load_study(study_file));
  if (!database.empty()) set_database(*study, database);
  return std::make_unique<StudyTaskSource>(std::move(study), with_scenario);
}

StudySetup load_study_setup(const std::string& study_file) {
  auto study = std::make_shared<const Study>(load_study(study_file));
  StudySetup setup;
  setup.database_path = study->database;
  setup.meta = {{"name", study->name},
                {"study_sha256", study->study_sha256},
                {"study_json", study->study_json},
                {"base_scenario", study->base_reference},
                {"base_scenario_sha256", study->base_sha256},
                // What every run starts from, so that one run can be rebuilt from the database
                // alone (`tenderlab run --from`), wherever the study and scenario files went.
                {"base_scenario_json", study->base.dump()},
                {"design", to_string(study->design.kind)},
                {"replications", std::to_string(study->replications)},
                {"seed", std::to_string(study->seed)},
                {"outcome", study->outcome.describe()}};
  if (study->parameter_sets) {
    setup.meta["parameter_sets"] = study->parameter_sets_reference;
    setup.meta["parameter_sets_sha256"] = study->parameter_sets->sha256;
    // The draws themselves, so that a run can be rebuilt from the database alone.
    setup.meta["parameter_sets_json"] = study->parameter_sets->compact().dump();
  }
  setup.study = std::move(study);
  return setup;
}

void record_study_points(ResultsStore& store, const Study& study) {
  const StudyDesign design(study);
  std::vector<PointRecord> batch;
  for (std::size_t p = 0; p < design.size(); ++p) {
    const DesignPoint point = design.point(p);
    nlohmann::json factors = nlohmann::json::object();
    for (std::size_t j = 0; j < study.factors.size(); ++j)
      factors[study.factors[j].name] = point.values[j];
    batch.push_back(PointRecord{static_cast<int>(p), std::move(factors)});
    if (batch.size() == kPointsPerBatch || p + 1 == design.size()) {
      store.record_points(batch);
      batch.clear();
    }
  }
}

RecordedRun recorded_run(ResultsStore& store, const std::string& run_id) {
  const auto problem = [&store](const std::string& expected, const std::string& found) {
    return InputError({InputProblem{store.path(), "", expected, found}});
  };
  std::optional<RunRecord> run = store.run(run_id);
  if (!run) {
    std::string example;
    store.for_each_finished_run([&example](const std::string& id) {
      if (example.empty() || id < example) example = id;
    });
    throw problem(
        "the id of a run it records" +
            (example.empty() ? std::string(" (it records none)") : " such as \"" + example + "\""),
        "\"" + run_id + "\"");
  }
  if (run->status != "ok") {
    throw problem(
        "a run recorded ok (only those have an event-log hash to reproduce)",
        run_id + " recorded as " + run->status + (run->reason.empty() ? "" : ": " + run->reason));
  }
  const auto study_json = store.get_meta("study_json");
  if (!study_json) {
    throw problem("the results of a study (its study_json)",
                  "a database that records no study file (runs from a task list, or an older "
                  "tenderlab)");
  }
  const auto base = store.get_meta("base_scenario_json");
  if (!base) {
    throw problem(
        "the base scenario of the study (base_scenario_json), which tenderlab study "
        "records; run the same `tenderlab study STUDY --db " +
            store.path() + "` once to add it",
        "a database written by an older tenderlab, without it");
  }
  const std::optional<PointRecord> point = store.point(run->point);
  if (!point) {
    throw problem("design point " + std::to_string(run->point) + " of " + run_id,
                  "no such point in its points table");
  }
  RecordedRun recorded{*run, store.get_meta("name").value_or(""), nlohmann::json::parse(*base)};
  if (const auto sets_json = store.get_meta("parameter_sets_json")) {
    const ParameterSets sets = parameter_sets_from_compact(nlohmann::json::parse(*sets_json));
    const std::size_t set = static_cast<std::size_t>(run->replication) % sets.size();
    for (const auto& change : sets.patch(set))
      if (!set_at_pointer(recorded.scenario, change.at("path").get<std::string>(),
                          change.at("value")))
        throw problem("parameter set " + std::to_string(set) + " settable at " +
                          change.at("path").get<std::string>(),
                      "nothing settable there");
  }
  const nlohmann::json study = nlohmann::json::parse(*study_json);
  if (study.contains("factors") && study.at("factors").is_array()) {
    for (const auto& factor : study.at("factors")) {
      const std::string name = factor.value("name", "");
      const std::string path = factor.value("path", "");
      const auto value = point->factors.find(name);
      if (value == point->factors.end() || !set_at_pointer(recorded.scenario, path, *value)) {
        throw problem(
            "factor \"" + name + "\" of design point " + std::to_string(run->point) +
                " settable at " + path,
            value == point->factors.end() ? "no value recorded for it" : "nothing settable there");
      }
    }
  }
  return recorded;
}

StudyRunPayload parse_study_payload(const nlohmann::json& payload, const std::string& origin) {
  ProblemSink sink(origin);
  StudyRunPayload run;
  {
    ObjectReader reader(payload, "/payload", sink);
    if (const nlohmann::json* scenario = reader.get("scenario")) {
      if (scenario->is_object()) {
        run.scenario = scenario;
      } else {
        sink.add("/payload/scenario", "a scenario (an object)", describe_json(*scenario));
      }
    }
    reader.array("patch", [&](const nlohmann::json& item, const std::string& pointer) {
      ObjectReader change(item, pointer, sink);
      const nlohmann::json* path = change.get("path");
      const nlohmann::json* value = change.get("value");
      change.finish();
      if (!change.valid()) return;
      if (!value) sink.add(change.pointer_of("value"), "a value", "nothing (missing)");
      bool pointer_ok = path != nullptr && path->is_string() && !path->get<std::string>().empty();
      if (pointer_ok) {
        try {
          const nlohmann::json::json_pointer parsed(path->get<std::string>());
        } catch (const nlohmann::json::exception&) {
          pointer_ok = false;
        }
      }
      if (!pointer_ok) {
        sink.add(change.pointer_of("path"), "a JSON Pointer such as \"/calls/0/terms/tax_credit\"",
                 path ? describe_json(*path) : std::string("nothing (missing)"));
      } else if (value) {
        run.patch.emplace_back(path->get<std::string>(), value);
      }
    });
    run.origin = reader.string("origin", origin);
    reader.array("kpis", [&](const nlohmann::json& item, const std::string& pointer) {
      if (item.is_string()) {
        run.kpis.push_back(item.get<std::string>());
      } else {
        sink.add(pointer, "a KPI name (string)", describe_json(item));
      }
    });
    if (const nlohmann::json* events_file = reader.get("events_file")) {
      if (events_file->is_string() && !events_file->get<std::string>().empty()) {
        run.events_file = events_file->get<std::string>();
      } else if (!events_file->is_null()) {
        sink.add("/payload/events_file", "the path of the file to keep the event log in, or null",
                 describe_json(*events_file));
      }
    }
    reader.finish();
  }
  if (!sink.empty()) throw WorkerTaskError(sink.take());
  return run;
}

nlohmann::json study_run_scenario(const StudyRunPayload& payload, const nlohmann::json* base,
                                  const std::string& origin) {
  const nlohmann::json* from = payload.scenario != nullptr ? payload.scenario : base;
  if (from == nullptr) {
    throw WorkerTaskError(
        {InputProblem{origin, "/payload/scenario", "a scenario (an object)", "nothing (missing)"}});
  }
  nlohmann::json scenario = *from;
  for (std::size_t i = 0; i < payload.patch.size(); ++i) {
    const auto& [path, value] = payload.patch[i];
    if (!set_at_pointer(scenario, path, *value)) {
      throw WorkerTaskError({InputProblem{origin, "/payload/patch/" + std::to_string(i) + "/path",
                                          "a JSON Pointer whose parent exists in the scenario",
                                          describe_json(path)}});
    }
  }
  return scenario;
}

fs::path confine_events_file(const std::string& events_file, const std::string& events_dir,
                             const std::string& origin) {
  const auto refuse = [&](const std::string& expected) {
    return WorkerTaskError(
        {InputProblem{origin, "/payload/events_file", expected, describe_json(events_file)}});
  };
  if (events_dir.empty()) {
    throw refuse(
        "null: this runner keeps no event logs (a worker keeps them only in the folder given "
        "with --events-dir)");
  }
  std::error_code error;
  const fs::path absolute_dir = fs::absolute(events_dir, error);
  const fs::path folder = error ? fs::path() : fs::weakly_canonical(absolute_dir, error);
  if (error)
    throw refuse("a file in " + events_dir + ", which cannot be resolved: " + error.message());
  const std::string expected = "a file directly in " + folder.string() +
                               ", the folder of kept event logs (links and '..' resolved)";
  const fs::path file = fs::absolute(events_file, error);
  if (error) throw refuse(expected);
  const fs::path name = file.filename();
  if (name.empty() || name == "." || name == "..") throw refuse(expected);
  const fs::path parent = fs::weakly_canonical(file.parent_path(), error);
  if (error || parent != folder) throw refuse(expected);
  return folder / name;
}

CheckedFileBuffer::CheckedFileBuffer(int fd) : fd_(fd), buffer_(kKeptLogBufferBytes) {
  setp(buffer_.data(), buffer_.data() + buffer_.size());
}

bool CheckedFileBuffer::write_out(const char* data, std::size_t size) {
  while (size > 0) {
    const ssize_t n = ::write(fd_, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      error_ = n < 0 ? errno : EIO;
      return false;
    }
    data += n;
    size -= static_cast<std::size_t>(n);
  }
  return true;
}

bool CheckedFileBuffer::flush_buffer() {
  const auto pending = static_cast<std::size_t>(pptr() - pbase());
  setp(buffer_.data(), buffer_.data() + buffer_.size());
  if (error_ != 0) return false;
  return pending == 0 || write_out(buffer_.data(), pending);
}

CheckedFileBuffer::int_type CheckedFileBuffer::overflow(int_type c) {
  if (!flush_buffer()) return traits_type::eof();
  if (!traits_type::eq_int_type(c, traits_type::eof())) {
    *pptr() = traits_type::to_char_type(c);
    pbump(1);
  }
  return traits_type::not_eof(c);
}

int CheckedFileBuffer::sync() {
  return flush_buffer() ? 0 : -1;
}

std::streamsize CheckedFileBuffer::xsputn(const char* data, std::streamsize count) {
  if (error_ != 0 || count <= 0) return 0;
  const auto size = static_cast<std::size_t>(count);
  if (size <= static_cast<std::size_t>(epptr() - pptr())) {
    std::memcpy(pptr(), data, size);
    pbump(static_cast<int>(size));
    return count;
  }
  if (!flush_buffer()) return 0;
  if (size >= buffer_.size()) return write_out(data, size) ? count : 0;
  std::memcpy(pptr(), data, size);
  pbump(static_cast<int>(size));
  return count;
}

KeptEventLog::KeptEventLog(fs::path target) : target_(std::move(target)), stream_(nullptr) {
  std::error_code error;
  fs::create_directories(target_.parent_path(), error);
  if (error) fail("cannot create its folder: " + error.message());
  staging_ = target_;
  staging_ += ".partial-" + std::to_string(::getpid());
  // O_EXCL and O_NOFOLLOW: the staging file is always a new file, never written through a link
  // someone left in its place. A stale one (from a killed run whose process id came back) goes.
  const int flags = O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW;
  fd_ = ::open(staging_.c_str(), flags, 0644);
  if (fd_ < 0 && errno == EEXIST && ::unlink(staging_.c_str()) == 0)
    fd_ = ::open(staging_.c_str(), flags, 0644);
  if (fd_ < 0)
    fail(std::string("cannot create ") + staging_.string() + ": " + std::strerror(errno));
  buffer_ = std::make_unique<CheckedFileBuffer>(fd_);
  stream_.rdbuf(buffer_.get());
}

KeptEventLog::~KeptEventLog() {
  if (fd_ >= 0) ::close(fd_);
  if (!committed_ && !staging_.empty()) ::unlink(staging_.c_str());
}

void KeptEventLog::fail(const std::string& what) {
  throw KeptEventLogError("cannot keep the event log " + target_.string() + ": " + what);
}

void KeptEventLog::commit(const std::string& expected_sha256) {
  stream_.flush();
  if (buffer_->error() != 0) fail(std::strerror(buffer_->error()));
  if (!stream_) fail("writing it failed");
  // fsync and close report what the page cache kept from write(): delayed allocation failures,
  // quota, network file system errors.
  if (::fsync(fd_) != 0 && errno != EINVAL) fail(std::strerror(errno));
  const int fd = fd_;
  fd_ = -1;
  if (::close(fd) != 0) fail(std::strerror(errno));
  std::string kept_sha256;
  try {
    kept_sha256 = sha256_file(staging_);
  } catch (const std::exception& error) {
    fail(std::string("cannot read it back: ") + error.what());
  }
  if (kept_sha256 != expected_sha256) {
    fail("the file written (SHA-256 " + kept_sha256 + ") is not the run's event log (SHA-256 " +
         expected_sha256 + ")");
  }
  std::error_code error;
  fs::rename(staging_, target_, error);
  if (error) fail("cannot put it in place: " + error.message());
  committed_ = true;
}

}  // namespace tenderlab::analysis
