// `tenderlab diff`: what differs between two runs, in the order a reader asks: which inputs
// (scenario values at leaf level, seed, replication), which outcomes (per call and KPIs), and
// the first event where the logs diverge. A different scenario name is a header line, never a
// difference: two variants of one scenario always carry different names.
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "app/commands.hpp"
#include "app/output.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"
#include "tenderlab/engine/sha256.hpp"

namespace tenderlab::app {
namespace fs = std::filesystem;
namespace {

constexpr std::size_t longest_event_line = 64u * 1024u * 1024u;

/// Why `path` cannot be read as an event log ("" when it can): only a regular file is opened, so
/// a FIFO or a device never blocks or streams forever.
std::string unreadable_event_log(const fs::path& path) {
  std::error_code code;
  const auto status = fs::status(path, code);
  if (code || !fs::exists(status)) return "no such file";
  if (fs::is_directory(status)) return "a folder without events.jsonl";
  if (!fs::is_regular_file(status)) return "something that is not a regular file";
  return "";
}

/// std::getline with a bound: a line longer than any event is bad input, not a reason to fill
/// the memory.
bool read_event_line(std::istream& in, std::string& line, const fs::path& path) {
  line.clear();
  std::streambuf& buffer = *in.rdbuf();
  for (;;) {
    const auto next = buffer.sbumpc();
    if (next == std::char_traits<char>::eof()) {
      in.setstate(std::ios::eofbit);
      return !line.empty();
    }
    if (next == '\n') return true;
    line += static_cast<char>(next);
    if (line.size() > longest_event_line)
      throw InputError({InputProblem{path.string(), "", "one event per line (at most 64 MiB)",
                                     "a longer line"}});
  }
}

/// A value as it reads in a difference line: JSON, with a missing value said in words.
std::string shown(const nlohmann::ordered_json* value) {
  return value ? value->dump() : "(absent)";
}

/// Every leaf where `a` and `b` differ, as "POINTER: OLD → NEW". Objects are compared key by
/// key and arrays element by element, so a changed term shows as the term, not as its object.
void leaf_differences(const nlohmann::ordered_json* a, const nlohmann::ordered_json* b,
                      const std::string& pointer, std::vector<std::string>& into) {
  if (a && b && a->is_object() && b->is_object()) {
    for (const auto& [key, value] : a->items()) {
      const auto other = b->find(key);
      leaf_differences(&value, other == b->end() ? nullptr : &*other, pointer_append(pointer, key),
                       into);
    }
    for (const auto& [key, value] : b->items())
      if (!a->contains(key)) leaf_differences(nullptr, &value, pointer_append(pointer, key), into);
    return;
  }
  if (a && b && a->is_array() && b->is_array()) {
    for (std::size_t i = 0; i < std::max(a->size(), b->size()); ++i)
      leaf_differences(i < a->size() ? &(*a)[i] : nullptr, i < b->size() ? &(*b)[i] : nullptr,
                       pointer_append(pointer, i), into);
    return;
  }
  if (a && b && *a == *b) return;
  into.push_back((pointer.empty() ? "/" : pointer) + ": " + shown(a) + " → " + shown(b));
}

/// What a run folder holds besides its event log; each part is absent when the log was given
/// alone or the folder lacks the file.
struct RunSide {
  fs::path events;
  std::optional<nlohmann::ordered_json> manifest;
  std::optional<nlohmann::ordered_json> summary;
  std::optional<nlohmann::ordered_json> scenario;  ///< the scenario file the manifest names
  std::string scenario_path;
  std::string scenario_note;  ///< why the scenario could not be compared, when it cannot
};

std::optional<nlohmann::ordered_json> read_optional(const fs::path& path) {
  std::error_code code;
  if (!fs::exists(path, code)) return std::nullopt;
  return nlohmann::ordered_json::parse(read_json_file(path).dump());
}

RunSide read_side(const std::string& argument) {
  RunSide side;
  fs::path folder = argument;
  if (fs::is_directory(folder)) {
    side.events = folder / "events.jsonl";
  } else {
    side.events = folder;
    folder = folder.parent_path().empty() ? fs::path(".") : folder.parent_path();
  }
  if (const std::string found = unreadable_event_log(side.events); !found.empty())
    throw InputError(
        {InputProblem{side.events.string(), "", "a run folder or an events.jsonl", found}});
  // Only the log's own run folder speaks for it: a manifest beside an events.jsonl of another
  // name is someone else's.
  if (side.events.filename() != "events.jsonl") return side;
  side.manifest = read_optional(folder / "manifest.json");
  side.summary = read_optional(folder / "summary.json");
  if (!side.manifest || !side.manifest->is_object()) return side;
  const auto path = side.manifest->find("scenario");
  const auto hash = side.manifest->find("scenario_sha256");
  if (path == side.manifest->end() || !path->is_string() || hash == side.manifest->end() ||
      !hash->is_string())
    return side;
  // As `replay`: the path as recorded, then from the folder that holds the run folder.
  fs::path scenario = path->get<std::string>();
  if (!fs::exists(scenario) && scenario.is_relative() &&
      fs::exists(fs::absolute(folder).parent_path() / scenario))
    scenario = fs::absolute(folder).parent_path() / scenario;
  side.scenario_path = scenario.string();
  try {
    const std::string bytes = read_input_file(scenario);
    if (sha256_hex(bytes) != hash->get<std::string>()) {
      side.scenario_note = scenario.string() + " has changed since the run";
      return side;
    }
    side.scenario = nlohmann::ordered_json::parse(bytes);
  } catch (const std::exception&) {
    side.scenario_note = scenario.string() + " cannot be read";
  }
  return side;
}

std::string string_at(const std::optional<nlohmann::ordered_json>& document, const char* key) {
  if (!document || !document->is_object()) return "";
  const auto it = document->find(key);
  return it != document->end() && it->is_string() ? it->get<std::string>() : "";
}

/// The calls of a summary.json by id.
std::map<std::string, nlohmann::ordered_json> calls_of(const nlohmann::ordered_json& summary) {
  std::map<std::string, nlohmann::ordered_json> calls;
  if (const auto it = summary.find("calls"); it != summary.end() && it->is_array())
    for (const auto& call : *it)
      if (call.is_object() && call.contains("call") && call["call"].is_string())
        calls[call["call"].get<std::string>()] = call;
  return calls;
}

/// The outcome lines that differ: per call (bids per round, outcome, winner, members), then each
/// KPI once, named as `compare` names it (unique_kpi_names); `note` says when the only call's
/// KPIs are shown without their prefix.
std::vector<std::string> outcome_differences(const nlohmann::ordered_json& a,
                                             const nlohmann::ordered_json& b, std::string& note) {
  std::vector<std::string> lines;
  const auto calls_a = calls_of(a), calls_b = calls_of(b);
  std::set<std::string> ids;
  for (const auto& [id, call] : calls_a)
    ids.insert(id);
  for (const auto& [id, call] : calls_b)
    ids.insert(id);
  for (const auto& id : ids) {
    const auto in_a = calls_a.find(id), in_b = calls_b.find(id);
    if (in_a == calls_a.end() || in_b == calls_b.end()) {
      lines.push_back("call " + id + ": " +
                      (in_a == calls_a.end() ? "(absent) → announced" : "announced → (absent)"));
      continue;
    }
    for (const char* key : {"bids_per_round", "outcome", "award_round", "winner", "members"}) {
      const auto va = in_a->second.find(key), vb = in_b->second.find(key);
      const nlohmann::ordered_json* pa = va == in_a->second.end() ? nullptr : &*va;
      const nlohmann::ordered_json* pb = vb == in_b->second.end() ? nullptr : &*vb;
      if (pa && pb && *pa == *pb) continue;
      if (!pa && !pb) continue;
      lines.push_back("call " + id + " " + key + ": " + shown(pa) + " → " + shown(pb));
    }
  }
  const auto kpis_a = a.find("kpis"), kpis_b = b.find("kpis");
  if (kpis_a == a.end() || kpis_b == b.end() || !kpis_a->is_object() || !kpis_b->is_object())
    return lines;
  std::set<std::string> names;
  for (const auto* kpis : {&*kpis_a, &*kpis_b})
    for (const auto& [name, value] : kpis->items())
      names.insert(name);
  std::string kpi_note;
  bool kpi_differs = false;
  for (const auto& name : unique_kpi_names(names, kpi_note)) {
    const auto va = kpis_a->find(name), vb = kpis_b->find(name);
    const nlohmann::ordered_json* pa = va == kpis_a->end() ? nullptr : &*va;
    const nlohmann::ordered_json* pb = vb == kpis_b->end() ? nullptr : &*vb;
    if (pa && pb && *pa == *pb) continue;
    lines.push_back(name + ": " + shown(pa) + " → " + shown(pb));
    kpi_differs = true;
  }
  if (kpi_differs) note = kpi_note;
  return lines;
}

/// An event with the scenario's name taken out: runs of two variants differ by name in their
/// first event, which says nothing about what the model did.
nlohmann::ordered_json without_name(nlohmann::ordered_json event) {
  if (event.is_object() && event.value("type", "") == "simulation_started") event.erase("scenario");
  return event;
}

struct EventDivergence {
  std::uint64_t events = 0;  ///< events compared (all of them when the logs agree)
  bool diverged = false;
};

/// Prints the first event where the logs differ (apart from the scenario name), if any.
EventDivergence first_divergence(const fs::path& a, std::istream& in_a, const fs::path& b,
                                 std::istream& in_b) {
  std::string line_a, line_b;
  EventDivergence result;
  for (;;) {
    const bool more_a = read_event_line(in_a, line_a, a);
    const bool more_b = read_event_line(in_b, line_b, b);
    if (!more_a && !more_b) return result;
    ++result.events;
    if (more_a && more_b && line_a == line_b) continue;
    std::optional<nlohmann::ordered_json> ja, jb;
    if (more_a && more_b) {
      try {
        ja = without_name(nlohmann::ordered_json::parse(line_a));
        jb = without_name(nlohmann::ordered_json::parse(line_b));
      } catch (const nlohmann::json::exception&) {
        ja.reset();
        jb.reset();
      }
      if (ja && jb && *ja == *jb) continue;
    }
    result.diverged = true;
    std::cout << "first diverging event: " << result.events - 1 << " (line " << result.events
              << "):\n";
    std::cout << "  " << a.string() << ": " << (more_a ? line_a : "(end of log)") << "\n";
    std::cout << "  " << b.string() << ": " << (more_b ? line_b : "(end of log)") << "\n";
    if (ja && jb) {
      std::vector<std::string> fields;
      leaf_differences(&*ja, &*jb, "", fields);
      std::cout << "  differing fields:\n";
      for (const auto& field : fields)
        std::cout << "    " << field << "\n";
    }
    return result;
  }
}

}  // namespace

int diff_command(const std::string& run_a, const std::string& run_b) {
  return report_errors(bad_input, [&]() -> int {
    const RunSide a = read_side(run_a), b = read_side(run_b);
    std::ifstream in_a(a.events, std::ios::binary), in_b(b.events, std::ios::binary);
    if (!in_a || !in_b)
      throw InputError(
          {InputProblem{(!in_a ? a.events : b.events).string(), "",
                        "a run folder or an events.jsonl", "a file that cannot be opened"}});
    bool differ = false;
    // The header: which runs, and their scenarios' names when they differ.
    const auto name_of = [](const RunSide& side) {
      return side.scenario ? string_at(side.scenario, "name") : "";
    };
    if (name_of(a) != name_of(b))
      std::cout << "scenarios: " << name_of(a) << " → " << name_of(b) << "\n";

    // Inputs: the scenario files at leaf level (the name is the header's), seed and replication.
    if (a.manifest && b.manifest) {
      std::vector<std::string> inputs;
      if (a.scenario && b.scenario) {
        nlohmann::ordered_json sa = *a.scenario, sb = *b.scenario;
        if (sa.is_object()) sa.erase("name");
        if (sb.is_object()) sb.erase("name");
        leaf_differences(&sa, &sb, "", inputs);
      }
      for (const char* key : {"seed", "replication"}) {
        const auto va = a.manifest->find(key), vb = b.manifest->find(key);
        if (va != a.manifest->end() && vb != b.manifest->end() && *va != *vb)
          inputs.push_back(std::string(key) + ": " + va->dump() + " → " + vb->dump());
      }
      if (!a.scenario || !b.scenario) {
        std::cout << "inputs: the scenario files cannot be compared ("
                  << (!a.scenario_note.empty()   ? a.scenario_note
                      : !b.scenario_note.empty() ? b.scenario_note
                                                 : std::string("a manifest names no scenario file"))
                  << ")\n";
      } else if (inputs.empty()) {
        std::cout << "inputs: the same (" << a.scenario_path << ", " << b.scenario_path << ")\n";
      } else {
        std::cout << "inputs that differ (" << a.scenario_path << " → " << b.scenario_path
                  << "):\n";
      }
      for (const auto& line : inputs)
        std::cout << "  " << line << "\n";
      differ = differ || !inputs.empty();
    }
    if (a.summary && b.summary) {
      std::string note;
      const auto outcomes = outcome_differences(*a.summary, *b.summary, note);
      if (outcomes.empty()) {
        std::cout << "outcomes: the same\n";
      } else {
        std::cout << "outcomes that differ" << (note.empty() ? "" : " (" + note + ")") << ":\n";
        for (const auto& line : outcomes)
          std::cout << "  " << line << "\n";
      }
    }
    const EventDivergence events = first_divergence(a.events, in_a, b.events, in_b);
    if (!events.diverged) {
      std::cout << "events: identical" << (name_of(a) != name_of(b) ? " apart from the name" : "")
                << " (" << events.events << " events)\n";
    }
    return differ || events.diverged ? run_failed : ok;
  });
}

}  // namespace tenderlab::app
