// tenderlab-docgen: writes (or checks) the parts of the docs that come from the code, so they
// cannot drift from it:
//   event-log    docs/event-log.md: the overview of event types and every field table, from the
//                event structs (engine/include/tenderlab/engine/events.hpp)
//   agent-kinds  docs/scenario-format.md: the table of agent kinds and their roles, from the
//                registry of kinds (agents/src/kinds/)
// The scenario JSON Schema and docs/parameters.md have their own generator, the parameter tables
// (`tenderlab params --schema | --markdown`, scripts/update-params.sh); the agent kinds in the
// schema come from the same registry.
// Generated parts of a Markdown page sit between "<!-- generated: NAME -->" and
// "<!-- end generated -->". Usage: tenderlab-docgen (--check | --write) SOURCE_DIR [PART...]
// (every part by default). --check exits 1 and names each part that differs.
#include <array>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tenderlab/engine/agent_kinds.hpp"
#include "tenderlab/engine/events.hpp"

namespace fs = std::filesystem;
using namespace tenderlab;

namespace {

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error(path.string() + ": cannot read");
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void write_file(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error(path.string() + ": cannot write");
}

std::string table(const std::vector<FieldDoc>& rows) {
  std::string out = "| Field | JSON type | Unit | Meaning |\n|---|---|---|---|\n";
  for (const auto& row : rows)
    out += "| `" + row.name + "` | " + row.json_type + " |" +
           (row.unit.empty() ? " " : " " + row.unit + " ") + "| " + row.meaning + " |\n";
  return out;
}

/// The generated blocks of docs/event-log.md, by name.
std::map<std::string, std::string> event_log_blocks() {
  std::map<std::string, std::string> blocks;
  std::string overview = "| Type | `agent` | When |\n|---|---|---|\n";
  events::for_each_event_type([&](auto tag) {
    using E = decltype(tag);
    const std::string type(E::type);
    overview += "| [`" + type + "`](#" + type + ") | " + std::string(E::about) + " | " +
                std::string(E::when) + " |\n";
    blocks["fields " + type] = table(describe_fields<E>());
  });
  blocks["event-types"] = overview;
  blocks["record terms"] = table(describe_fields<events::TermsInForce>());
  blocks["record bids"] = table(describe_fields<events::ScoredBidEntry>());
  blocks["record stayed_away"] = table(describe_fields<events::StayedAwayEntry>());
  blocks["record effects"] = table(describe_fields<events::ClauseEffect>());
  blocks["record entry_teams"] = table(describe_fields<events::EntryTeam>());
  blocks["record entry_equilibria"] = table(describe_fields<events::EntryProfile>());
  blocks["record source_use"] = table(describe_fields<events::SourceUse>());
  blocks["record site_energy"] = table(describe_fields<events::SiteEnergy>());
  blocks["record group_use"] = table(describe_fields<events::GroupUse>());
  blocks["record group_award"] = table(describe_fields<events::GroupAward>());
  blocks["record waiting_gpus"] = table(describe_fields<events::WaitingGpus>());
  blocks["record region_mw"] = table(describe_fields<events::RegionMw>());
  return blocks;
}

std::string roles_text(const AgentKind& kind) {
  std::string text;
  for (std::size_t r = 0; r < role_names.size(); ++r) {
    std::string calls;
    for (std::size_t c = 0; c < call_kind_names.size(); ++c)
      if (kind.may(static_cast<Role>(r), static_cast<CallKind>(c)))
        calls += (calls.empty() ? "" : ", ") + std::string(call_kind_names[c]);
    if (!calls.empty())
      text += (text.empty() ? "" : "; ") + std::string(role_names[r]) + " " + calls;
  }
  return text.empty() ? "none" : text;
}

std::map<std::string, std::string> agent_kind_blocks() {
  std::string out = "| `kind` | Roles | What it is |\n|---|---|---|\n";
  for (const auto& kind : agent_kinds().kinds())
    out += "| `" + kind.name() + "` | " + roles_text(kind) + " | " + kind.definition().meaning +
           " |\n";
  return {{"agent-kinds", out}};
}

/// Replaces every generated block of `text`; `problems` gets the blocks that differ, and the
/// blocks the code has but the page lacks.
std::string regenerate(const std::string& text, const std::map<std::string, std::string>& blocks,
                       const std::string& page, std::vector<std::string>& problems) {
  static const std::string begin = "<!-- generated: ";
  static const std::string end = "<!-- end generated -->";
  std::string out;
  std::map<std::string, bool> used;
  std::size_t at = 0;
  for (;;) {
    const std::size_t open = text.find(begin, at);
    if (open == std::string::npos) break;
    const std::size_t name_end = text.find(" -->\n", open);
    const std::size_t close = text.find(end, name_end);
    if (name_end == std::string::npos || close == std::string::npos)
      throw std::runtime_error(page + ": a generated block without its end marker");
    const std::string name = text.substr(open + begin.size(), name_end - open - begin.size());
    const std::size_t body = name_end + 5;
    out += text.substr(at, body - at);
    const auto it = blocks.find(name);
    if (it == blocks.end()) {
      problems.push_back(page + ": block '" + name + "' is not generated by anything");
      out += text.substr(body, close - body);
    } else {
      if (text.compare(body, close - body, it->second) != 0)
        problems.push_back(page + ": block '" + name + "' differs from what the code generates");
      out += it->second;
      used[name] = true;
    }
    at = close;
  }
  out += text.substr(at);
  for (const auto& [name, content] : blocks)
    if (!used[name])
      problems.push_back(page + ": no block '" + name + "' (add \"<!-- generated: " + name +
                         " -->\" and \"" + end + "\" where it belongs)");
  return out;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() < 2 || (args[0] != "--check" && args[0] != "--write")) {
    std::cerr << "usage: tenderlab-docgen (--check | --write) SOURCE_DIR [event-log | "
                 "agent-kinds]...\n";
    return 2;
  }
  const bool write = args[0] == "--write";
  const fs::path source = args[1];
  std::vector<std::string> parts(args.begin() + 2, args.end());
  if (parts.empty()) parts = {"event-log", "agent-kinds"};
  std::vector<std::string> problems;
  try {
    for (const auto& part : parts) {
      fs::path path;
      std::string text, generated;
      if (part == "event-log" || part == "agent-kinds") {
        path = source / "docs" / (part == "event-log" ? "event-log.md" : "scenario-format.md");
        text = read_file(path);
        generated = regenerate(text, part == "event-log" ? event_log_blocks() : agent_kind_blocks(),
                               path.string(), problems);
      } else {
        std::cerr << "tenderlab-docgen: unknown part '" << part << "'\n";
        return 2;
      }
      if (write && generated != text) {
        write_file(path, generated);
        std::cout << "wrote " << path.string() << "\n";
      }
    }
  } catch (const std::exception& error) {
    std::cerr << "tenderlab-docgen: " << error.what() << "\n";
    return 1;
  }
  if (write || problems.empty()) return 0;
  for (const auto& problem : problems)
    std::cerr << problem << "\n";
  std::cerr << "the generated parts are out of date: run scripts/update-docs.sh and review the "
               "diff\n";
  return 1;
}
