// The report of one run, from its output folder. Each section is a function of the run's files,
// and each chart a function of them too: a new series (utilisation, energy, a national
// programme) is one more figure function added to a section.
#include <algorithm>
#include <cmath>
#include <fstream>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <sstream>

#include "report_support.hpp"
#include "tenderlab/analysis/report_builders.hpp"
#include "tenderlab/analysis/report_observers.hpp"
#include "tenderlab/analysis/run_report.hpp"
#include "tenderlab/engine/event_dispatcher.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"
#include "tenderlab/engine/scenario_loader.hpp"
#include "tenderlab/engine/sha256.hpp"
#include "tenderlab/version.hpp"

namespace tenderlab::analysis {
namespace {

namespace fs = std::filesystem;
using report::Json;

/// An event of type E read into its struct, with its date.
template <class E>
struct Dated {
  std::string date;
  E event;
};

/// Everything a run's report reads, loaded once. What it takes from the event log is gathered by
/// observers of the typed events they need (load_run).
struct RunFiles {
  fs::path folder;
  nlohmann::json manifest;
  nlohmann::json summary;
  report::CsvFile tenders;
  report::CsvFile timeseries;
  report::CsvFile gpus_online;  ///< empty for a run folder written before the file existed
  std::string scenario_name;
  /// When the board decided each (call, round): its failure, award or the negotiation.
  std::map<std::pair<std::string, int>, std::string> decided;
  std::vector<Dated<events::ContractSigned>> contracts;
  /// Per (call, lead), its capacity coming online.
  std::map<std::pair<std::string, std::string>, Dated<events::CapacityOnline>> online;
  std::vector<Dated<events::ExogenousEvent>> shocks;
  /// Who stayed away from each failed round, and why.
  std::vector<RoundAbsences> absences;
  /// The scenario file the manifest names, when found unchanged; null otherwise.
  nlohmann::json scenario;

  std::string start_date() const { return summary.value("start_date", ""); }
  std::string end_date() const { return summary.value("end_date", ""); }
};

InputError problem(const fs::path& file, const std::string& where, const std::string& expected,
                   const std::string& found) {
  return InputError({InputProblem{file.string(), where, expected, found}});
}

/// A string field of a manifest or summary, or an InputError naming its pointer.
std::string required_string(const nlohmann::json& object, const std::string& key,
                            const fs::path& file) {
  if (!object.contains(key) || !object.at(key).is_string())
    throw problem(file, "/" + key, "a string",
                  object.contains(key) ? describe_json(object.at(key)) : "nothing");
  return object.at(key).get<std::string>();
}

/// Reads the event log into `run` through observers of the event types the report shows.
void read_events(const fs::path& path, RunFiles& run) {
  EventDispatcher events;
  events.on<events::SimulationStarted>(
      [&run](const Event&, const events::SimulationStarted& started) {
        run.scenario_name = started.scenario;
      });
  events.on<events::RoundFailed>([&run](const Event& e, const events::RoundFailed& failed) {
    run.decided[{failed.call, failed.round}] = e.date;
  });
  events.on<events::RoundAwarded>([&run](const Event& e, const events::RoundAwarded& awarded) {
    run.decided[{awarded.call, awarded.round}] = e.date;
  });
  events.on<events::NegotiatedAward>(
      [&run](const Event& e, const events::NegotiatedAward& negotiated) {
        run.decided[{negotiated.call, negotiated.round}] = e.date;
      });
  events.on<events::ContractSigned>([&run](const Event& e, const events::ContractSigned& contract) {
    run.contracts.push_back({e.date, contract});
  });
  events.on<events::CapacityOnline>([&run](const Event& e, const events::CapacityOnline& capacity) {
    run.online.insert_or_assign({capacity.call, e.agent},
                                Dated<events::CapacityOnline>{e.date, capacity});
  });
  events.on<events::ExogenousEvent>([&run](const Event& e, const events::ExogenousEvent& shock) {
    run.shocks.push_back({e.date, shock});
  });
  StayAwayReasons stay_away(events);
  for (const Event& event : read_event_log(path.string()))
    events.dispatch(event);
  run.absences = stay_away.rounds();
}

RunFiles load_run(const fs::path& given) {
  RunFiles run;
  run.folder = fs::is_directory(given) ? given : given.parent_path();
  if (!fs::is_directory(given) && given.filename() != "manifest.json")
    throw problem(given, "", "a run's output folder or its manifest.json", "another file");
  if (run.folder.empty()) run.folder = ".";
  const fs::path manifest_path = run.folder / "manifest.json";
  run.manifest = report::read_json_object(manifest_path);
  run.summary = report::read_json_object(run.folder / "summary.json");
  run.tenders = report::read_csv(run.folder / "tenders.csv");
  run.timeseries = report::read_csv(run.folder / "timeseries.csv");
  if (fs::exists(run.folder / "gpus_online.csv"))
    run.gpus_online = report::read_csv(run.folder / "gpus_online.csv");
  const fs::path events_path = run.folder / "events.jsonl";
  const std::string expected_hash =
      required_string(run.manifest, "event_log_sha256", manifest_path);
  const std::string actual_hash = sha256_file(events_path);
  if (actual_hash != expected_hash)
    throw problem(
        events_path, "", "the event log manifest.json describes (SHA-256 " + expected_hash + ")",
        "a file with SHA-256 " + actual_hash + "; the folder mixes two runs or was edited");
  read_events(events_path, run);
  if (run.scenario_name.empty())
    throw problem(events_path, "line 1", "a simulation_started event naming the scenario", "none");

  // The scenario gives what the calls asked for; use it only if it is the file that was run.
  // Looked for where `replay` looks (from the run folder first), and read as the run read it: a
  // variant resolved, the run's --set overrides applied.
  const std::string scenario_path = run.manifest.value("scenario", "");
  const std::string from_run = run.manifest.value("scenario_from_run", "");
  std::vector<fs::path> candidates;
  if (!from_run.empty()) candidates.push_back(run.folder / from_run);
  if (!scenario_path.empty()) candidates.push_back(scenario_path);
  for (const fs::path& candidate : candidates) {
    std::error_code code;
    if (!fs::is_regular_file(candidate, code)) continue;
    try {
      if (sha256_file(candidate) != run.manifest.value("scenario_sha256", "")) continue;
      nlohmann::json scenario = read_scenario_document(candidate);
      std::vector<ScenarioChange> changes;
      if (const auto set = run.manifest.find("set"); set != run.manifest.end() && set->is_array())
        for (const auto& change : *set)
          changes.push_back({change.value("path", ""), change.value("value", nlohmann::json())});
      apply_scenario_changes(scenario, changes, manifest_path.string(), candidate.string());
      run.scenario = std::move(scenario);
    } catch (const std::exception&) {
      run.scenario = nullptr;  // the targets are then left out of the chart
    }
    break;
  }
  return run;
}

/// A CSV cell as a number, or an InputError naming the file, row and column.
double csv_number(const report::CsvFile& file, std::size_t row, std::size_t column) {
  const std::string& text = file.rows[row][column];
  try {
    std::size_t used = 0;
    const double value = std::stod(text, &used);
    if (used == text.size()) return value;
  } catch (const std::exception&) {
  }
  throw InputError(
      {InputProblem{file.path, "row " + std::to_string(row + 2) + ", column " + file.header[column],
                    "a number", "\"" + text + "\""}});
}

std::string round_label(const std::string& call, int round) {
  return call + " \u00b7 round " + std::to_string(round);
}

// ---------------------------------------------------------------------------------------------
// Section: outcome (tables of the calls and the KPIs)

Figure calls_figure(const RunFiles& run) {
  Figure figure;
  figure.id = "calls";
  figure.title = "Calls";
  figure.caption = "Each call's last outcome, its winner and the bids every round received.";
  Table table;
  table.name = "Calls";
  table.title = "Calls";
  table.columns = {report::text_column("call", "call"),
                   report::integer_column("rounds", "rounds"),
                   report::text_column("outcome", "outcome"),
                   report::integer_column("award_round", "round awarded"),
                   report::text_column("winner", "winner"),
                   report::text_column("bids_per_round", "bids per round"),
                   report::text_column("members", "consortium")};
  if (run.summary.contains("calls") && run.summary.at("calls").is_array()) {
    for (const auto& call : run.summary.at("calls")) {
      std::string bids, members;
      for (const auto& b : call.value("bids_per_round", nlohmann::json::array()))
        bids += (bids.empty() ? "" : ", ") + b.dump();
      for (const auto& m : call.value("members", nlohmann::json::array()))
        members += (members.empty() ? "" : ", ") + m.get<std::string>();
      table.add_row({call.value("call", ""), call.value("rounds", 0), call.value("outcome", ""),
                     call.contains("award_round") ? Json(call.at("award_round")) : Json(nullptr),
                     call.value("winner", nlohmann::json(nullptr)).is_string()
                         ? Json(call.at("winner").get<std::string>())
                         : Json(nullptr),
                     bids, members});
    }
  }
  figure.tables.push_back(std::move(table));
  return figure;
}

Figure kpi_figure(const RunFiles& run) {
  Figure figure;
  figure.id = "kpis";
  figure.title = "Key performance indicators";
  figure.caption =
      "Every KPI of summary.json (docs/outputs.md): flags are 1 or 0, money in bn KRW.";
  Table table;
  table.name = "KPIs";
  table.title = "KPIs";
  table.columns = {report::text_column("kpi", "KPI"),
                   report::number_column("value", "value", "", 3)};
  if (run.summary.contains("kpis") && run.summary.at("kpis").is_object())
    for (const auto& [name, value] : run.summary.at("kpis").items())
      table.add_row({name, value.is_number() ? Json(value.get<double>()) : Json(nullptr)});
  figure.tables.push_back(std::move(table));
  return figure;
}

// ---------------------------------------------------------------------------------------------
// Section: rounds (the timeline)

Figure timeline_figure(const RunFiles& run) {
  const auto& t = run.tenders;
  const std::size_t c_call = t.column("call_id"), c_round = t.column("round"),
                    c_kind = t.column("round_kind"), c_announce = t.column("announce_date"),
                    c_close = t.column("close_date"), c_min = t.column("min_valid_bids"),
                    c_received = t.column("received_bids"), c_valid = t.column("valid_bids"),
                    c_outcome = t.column("outcome"), c_reason = t.column("reason"),
                    c_winner = t.column("winner"), c_bidders = t.column("bidders");
  Table table;
  table.name = "Rounds";
  table.title = "Rounds of every call";
  table.columns = {report::text_column("call", "call"),
                   report::integer_column("round", "round"),
                   report::text_column("kind", "kind"),
                   report::date_column("announced", "announced"),
                   report::date_column("closes", "bids close"),
                   report::date_column("decided", "decided"),
                   report::integer_column("needed", "valid bids needed"),
                   report::integer_column("received", "bids received"),
                   report::integer_column("valid", "valid bids"),
                   report::text_column("outcome", "outcome"),
                   report::text_column("bidders", "bidders"),
                   report::text_column("winner", "winner"),
                   report::text_column("reason", "reason")};
  Json rows = Json::array();
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    const int round = static_cast<int>(csv_number(t, r, c_round));
    const auto it = run.decided.find({row[c_call], round});
    const std::string decided_date = it == run.decided.end() ? "" : it->second;
    const int received = static_cast<int>(csv_number(t, r, c_received));
    const int needed = static_cast<int>(csv_number(t, r, c_min));
    table.add_row({row[c_call], round, row[c_kind], row[c_announce], row[c_close],
                   decided_date.empty() ? Json(nullptr) : Json(decided_date), needed, received,
                   static_cast<int>(csv_number(t, r, c_valid)), row[c_outcome], row[c_bidders],
                   row[c_winner], row[c_reason]});
    std::string label = std::to_string(received) + (received == 1 ? " bid" : " bids") + ", " +
                        std::to_string(needed) + " needed";
    if (!row[c_winner].empty()) label += ": " + row[c_winner];
    rows.push_back({{"row", round_label(row[c_call], round)},
                    {"phase", row[c_outcome]},
                    {"start", row[c_announce]},
                    {"end", row[c_close]},
                    {"decided", decided_date.empty() ? row[c_close] : decided_date},
                    {"label", label},
                    {"detail", row[c_kind] + "; " + row[c_reason]}});
  }

  // Deliveries: from each contract to its capacity online (or the horizon).
  Table deliveries;
  deliveries.name = "Deliveries";
  deliveries.title = "Contracts and capacity online";
  deliveries.columns = {report::text_column("call", "call"),
                        report::text_column("lead", "contractor"),
                        report::date_column("signed", "contract signed"),
                        report::date_column("online", "capacity online"),
                        report::integer_column("gpus", "GPUs", "GPUs"),
                        report::text_column("site", "site"),
                        report::text_column("delayed", "delayed")};
  for (const auto& [signed_date, contract] : run.contracts) {
    const std::string& call = contract.call;
    const std::string& lead = contract.lead;
    const auto it = run.online.find({call, lead});
    const Dated<events::CapacityOnline>* capacity = it == run.online.end() ? nullptr : &it->second;
    deliveries.add_row({call, lead, signed_date, capacity ? Json(capacity->date) : Json(nullptr),
                        contract.gpus, capacity ? Json(capacity->event.site) : Json(nullptr),
                        capacity ? Json(capacity->event.delayed) : Json(nullptr)});
    rows.push_back(
        {{"row", call + " \u00b7 " + lead + " builds"},
         {"phase", capacity ? "building" : "building past the horizon"},
         {"start", signed_date},
         {"end", capacity ? capacity->date : run.end_date()},
         {"decided", capacity ? capacity->date : run.end_date()},
         {"label",
          capacity ? report::format_number(static_cast<double>(contract.gpus), 0) + " GPUs online"
                   : "not online by the horizon"},
         {"detail", "contract signed " + signed_date}});
  }

  // Shocks and notes of the scenario: marks without labels (their text is in the table).
  Table shocks;
  shocks.name = "Exogenous events";
  shocks.title = "Exogenous events";
  shocks.columns = {report::date_column("date", "date"), report::text_column("kind", "kind"),
                    report::number_column("multiplier", "multiplier", "", 2),
                    report::text_column("description", "description")};
  Json shock_rows = Json::array();
  for (const auto& [date, shock] : run.shocks) {
    shocks.add_row({date, shock.kind, shock.multiplier, shock.description});
    shock_rows.push_back({{"row", "exogenous events"},
                          {"date", date},
                          {"kind", shock.kind},
                          {"description", shock.description}});
  }

  Figure figure;
  figure.id = "timeline";
  figure.title = "Timeline of the calls";
  figure.caption =
      "Each round as a bar from its announcement to its bid deadline, coloured by outcome, with a "
      "dotted line to the board's decision and the bids it received; then each contract from its "
      "signature to the day its GPUs come online. Diamonds are the scenario's exogenous events "
      "(hover for their text, or see the table).";
  // Colours fixed per phase; the legend lists the phases this run has.
  const std::vector<std::pair<std::string, std::string>> phase_colours = {
      {"awarded", "#2e7d32"},
      {"negotiated", "#7cb342"},
      {"failed", "#c62828"},
      {"cancelled", "#757575"},
      {"open", "#bdbdbd"},
      {"building", "#1565c0"},
      {"building past the horizon", "#90caf9"}};
  std::set<std::string> phases;
  for (const auto& row : rows)
    phases.insert(row["phase"].get<std::string>());
  Json domain = Json::array(), range = Json::array();
  for (const auto& [phase, colour] : phase_colours)
    if (phases.erase(phase)) {
      domain.push_back(phase);
      range.push_back(colour);
    }
  for (const auto& phase : phases) {  // an outcome this report does not know yet
    domain.push_back(phase);
    range.push_back("#000000");
  }
  const Json outcome_scale = {{"domain", domain}, {"range", range}};
  Json y = {{"field", "row"},
            {"type", "nominal"},
            {"sort", nullptr},
            {"title", nullptr},
            {"axis", {{"labelLimit", 260}}}};
  Json layers = Json::array();
  layers.push_back(
      {{"data",
        {{"values", rows},
         {"format", {{"parse", report::utc_date_parse({"start", "end", "decided"})}}}}},
       {"layer",
        {{{"mark", {{"type", "bar"}, {"height", 14}, {"cornerRadius", 2}}},
          {"encoding",
           {{"y", y},
            {"x", report::date_axis_encoding("start", "date")},
            {"x2", {{"field", "end"}}},
            {"color",
             {{"field", "phase"},
              {"type", "nominal"},
              {"title", nullptr},
              {"scale", outcome_scale},
              {"legend", {{"orient", "top"}, {"direction", "horizontal"}}}}},
            {"tooltip",
             {{{"field", "row"}, {"title", "round"}},
              {{"field", "phase"}, {"title", "outcome"}},
              {{"field", "start"},
               {"type", "temporal"},
               {"format", "%Y-%m-%d"},
               {"scale", {{"type", "utc"}}},
               {"title", "from"}},
              {{"field", "end"}, {"type", "temporal"}, {"format", "%Y-%m-%d"}, {"title", "to"}},
              {{"field", "label"}, {"title", "bids"}},
              {{"field", "detail"}, {"title", "detail"}}}}}}},
         {{"mark", {{"type", "rule"}, {"strokeDash", {2, 2}}, {"color", "#555"}}},
          {"encoding",
           {{"y", y},
            {"x", {{"field", "end"}, {"type", "temporal"}}},
            {"x2", {{"field", "decided"}}}}}},
         {{"mark",
           {{"type", "text"}, {"align", "left"}, {"dx", 5}, {"fontSize", 11}, {"color", "#333"}}},
          {"encoding",
           {{"y", y},
            {"x", {{"field", "decided"}, {"type", "temporal"}}},
            {"text", {{"field", "label"}}}}}}}}});
  if (!shock_rows.empty())
    layers.push_back(
        {{"data",
          {{"values", shock_rows}, {"format", {{"parse", report::utc_date_parse({"date"})}}}}},
         {"mark",
          {{"type", "point"},
           {"shape", "diamond"},
           {"filled", true},
           {"size", 90},
           {"color", "#6a1b9a"}}},
         {"encoding",
          {{"y", y},
           {"x", {{"field", "date"}, {"type", "temporal"}}},
           {"tooltip",
            {{{"field", "date"}, {"type", "temporal"}, {"format", "%Y-%m-%d"}},
             {{"field", "kind"}},
             {{"field", "description"}}}}}}});
  // A run whose calls announced nothing and signed nothing has no timeline to draw.
  if (!rows.empty()) figure.chart = {{"width", 620}, {"height", {{"step", 30}}}, {"layer", layers}};
  figure.tables.push_back(std::move(table));
  if (!deliveries.rows.empty()) figure.tables.push_back(std::move(deliveries));
  if (!shocks.rows.empty()) figure.tables.push_back(std::move(shocks));
  return figure;
}

// ---------------------------------------------------------------------------------------------
// Section: who stayed away and why (one figure per failed round)

/// Colours of the clauses: fixed per clause (Vega's tableau10 in the event log's order), so a
/// clause has the same colour in every chart; the legend lists the clauses given.
Json clause_scale(const std::vector<std::string>& clauses) {
  static const std::vector<std::string> colours = {"#4c78a8", "#f58518", "#e45756", "#72b7b2",
                                                   "#54a24b", "#eeca3b", "#b279a2", "#ff9da6",
                                                   "#9d755d", "#bab0ac"};
  Json domain = Json::array(), range = Json::array();
  const auto& order = report::clause_order();
  for (const auto& clause : clauses) {
    const auto at =
        static_cast<std::size_t>(std::find(order.begin(), order.end(), clause) - order.begin());
    domain.push_back(clause);
    range.push_back(at < colours.size() ? colours[at] : "#000000");
  }
  return {{"domain", domain}, {"range", range}};
}

/// Sheet name for a failed round: "Away <call> r<N>", cut to Excel's 31 characters.
std::string away_sheet_name(const std::string& call, int round) {
  const std::string suffix = " r" + std::to_string(round);
  std::string name = "Away " + call;
  if (name.size() + suffix.size() > 31) name.resize(31 - suffix.size());
  return name + suffix;
}

std::vector<Figure> stayed_away_figures(const RunFiles& run) {
  std::vector<Figure> figures;
  for (const auto& absences : run.absences) {
    const std::string& call = absences.call;
    const int round = absences.round;
    std::vector<StayedAwayAgent> agents = absences.agents;
    // Closest to bidding first.
    std::stable_sort(agents.begin(), agents.end(),
                     [](const StayedAwayAgent& a, const StayedAwayAgent& b) {
                       return a.value_bn_krw > b.value_bn_krw;
                     });

    Table table;
    table.name = away_sheet_name(call, round);
    table.title = "Who stayed away from " + round_label(call, round);
    table.columns = {report::text_column("agent", "agent"), report::text_column("role", "role"),
                     report::money_column("value_bn_krw", "value of taking part")};
    // The clauses with an effect, in the event log's order; a term this report does not know
    // yet comes last.
    std::set<std::string> present;
    for (const auto& a : agents)
      for (const auto& [clause, delta] : a.effects)
        if (delta != 0.0) present.insert(clause);
    std::vector<std::string> clauses;
    for (const auto& clause : report::clause_order())
      if (present.erase(clause)) clauses.push_back(clause);
    clauses.insert(clauses.end(), present.begin(), present.end());
    for (const auto& clause : clauses)
      table.columns.push_back(report::money_column(clause, clause));
    table.columns.push_back(report::text_column("clauses", "clauses listed"));

    Json bars = Json::array();
    Json values = Json::array();
    int rank = 0;
    for (const auto& a : agents) {
      const std::string label = a.agent + " (" + a.role + ")";
      std::vector<Json> cells = {a.agent, a.role, a.value_bn_krw};
      for (const auto& clause : clauses) {
        const auto it = a.effects.find(clause);
        cells.push_back(it == a.effects.end() ? Json(nullptr) : Json(it->second));
        if (it != a.effects.end() && it->second != 0.0)
          bars.push_back(
              {{"agent", label}, {"rank", rank}, {"clause", clause}, {"delta_bn_krw", it->second}});
      }
      cells.push_back(a.every_clause ? "every clause" : "costliest clauses (at most four)");
      table.add_row(std::move(cells));
      values.push_back({{"agent", label}, {"rank", rank}, {"value_bn_krw", a.value_bn_krw}});
      ++rank;
    }

    Figure figure;
    figure.id = "stayed-away-" + report::slug(call) + "-" + std::to_string(round);
    figure.title = "Who stayed away from " + round_label(call, round) + ", and why";
    figure.caption =
        "For every agent that stayed away (leads that did not bid, partners that turned a team "
        "down), the effect of each clause on what taking part was worth to it: bars left of zero "
        "are clauses that cost it, right of zero clauses that helped. The black tick is its "
        "value of taking part; below zero it stays away. Leads show every clause of their "
        "valuation, partners their costliest four (docs/event-log.md, \"Which clause kept whom "
        "away\").";
    const Json y = {{"field", "agent"},
                    {"type", "nominal"},
                    {"sort", {{"field", "rank"}, {"op", "min"}}},
                    {"title", nullptr},
                    {"axis", {{"labelLimit", 220}}}};
    figure.chart = {
        {"width", 680},
        {"height", {{"step", 24}}},
        {"layer",
         {{{"data", {{"values", bars}}},
           {"transform", {report::money_transform("delta_bn_krw", "delta")}},
           {"mark", {{"type", "bar"}, {"height", 16}}},
           {"encoding",
            {{"y", y},
             {"x",
              {{"field", "delta"},
               {"type", "quantitative"},
               {"stack", "zero"},
               {"title", report::money_title("effect on the agent's value")}}},
             {"color",
              {{"field", "clause"},
               {"type", "nominal"},
               {"title", "clause"},
               {"scale", clause_scale(clauses)},
               {"legend", {{"orient", "bottom"}, {"columns", 4}, {"labelLimit", 180}}}}},
             {"tooltip",
              {{{"field", "agent"}},
               {{"field", "clause"}},
               {{"field", "delta"},
                {"title", report::money_title("effect")},
                {"format", report::money_format}}}}}}},
          {{"data", {{"values", values}}},
           {"transform", {report::money_transform("value_bn_krw", "value")}},
           {"mark", {{"type", "tick"}, {"color", "black"}, {"thickness", 3}, {"size", 20}}},
           {"encoding",
            {{"y", y},
             {"x", {{"field", "value"}, {"type", "quantitative"}}},
             {"tooltip",
              {{{"field", "agent"}},
               {{"field", "value"},
                {"title", report::money_title("value of taking part")},
                {"format", report::money_format}}}}}}},
          {{"data", {{"values", Json::array({Json{{"zero", 0}}})}}},
           {"mark", {{"type", "rule"}, {"color", "#444"}}},
           {"encoding", {{"x", {{"field", "zero"}, {"type", "quantitative"}}}}}}}}};
    figure.tables.push_back(std::move(table));
    figures.push_back(std::move(figure));
  }
  return figures;
}

// ---------------------------------------------------------------------------------------------
// Monthly series from timeseries.csv

/// One line per column of timeseries.csv, over the run's months. `money` series are in bn KRW and
/// shown in the reader's unit. Adding a series to the report is one call of this function.
Figure monthly_series_figure(const RunFiles& run, const std::string& id, const std::string& title,
                             const std::string& caption,
                             const std::vector<std::pair<std::string, std::string>>& series,
                             const std::string& unit, bool money, int decimals,
                             const Json& extra_layers = Json::array()) {
  const auto& ts = run.timeseries;
  const std::size_t c_date = ts.column("date");
  Table table;
  table.name = title.substr(0, 31);
  table.title = title + " by month";
  table.columns = {report::date_column("date", "month")};
  std::vector<std::size_t> columns;
  for (const auto& [column, label] : series) {
    columns.push_back(ts.column(column));
    table.columns.push_back(money ? report::money_column(column, label, decimals)
                                  : report::number_column(column, label, unit, decimals));
  }
  Json values = Json::array();
  for (std::size_t r = 0; r < ts.rows.size(); ++r) {
    std::vector<Json> cells = {ts.rows[r][c_date]};
    for (std::size_t s = 0; s < series.size(); ++s) {
      // An empty cell is a month without a measurement (no GPUs on to use): no point.
      if (ts.rows[r][columns[s]].empty()) {
        cells.emplace_back(nullptr);
        continue;
      }
      const double v = csv_number(ts, r, columns[s]);
      cells.push_back(v);
      values.push_back(
          {{"date", ts.rows[r][c_date]}, {"series", series[s].second}, {"value_raw", v}});
    }
    table.add_row(std::move(cells));
  }
  std::vector<std::string> domain;
  for (const auto& s : series)
    domain.push_back(s.second);
  const std::string y_title = money ? report::money_title(title) : title + " (" + unit + ")";
  Json transform = Json::array();
  transform.push_back(money ? report::money_transform("value_raw", "value")
                            : Json{{"calculate", "datum.value_raw"}, {"as", "value"}});
  Json layers = Json::array();
  layers.push_back(
      {{"data", {{"values", values}, {"format", {{"parse", report::utc_date_parse({"date"})}}}}},
       {"transform", transform},
       {"mark", {{"type", "line"}, {"interpolate", "step-after"}, {"strokeWidth", 2.5}}},
       {"encoding",
        {{"x", report::date_axis_encoding("date", "month")},
         {"y", {{"field", "value"}, {"type", "quantitative"}, {"title", y_title}}},
         {"color",
          {{"field", "series"},
           {"type", "nominal"},
           {"title", nullptr},
           {"scale", {{"domain", domain}}},
           {"legend", {{"orient", "top"}, {"labelLimit", 320}}}}},
         {"strokeDash", {{"field", "series"}, {"type", "nominal"}, {"legend", nullptr}}},
         {"tooltip",
          {{{"field", "date"},
            {"type", "temporal"},
            {"format", "%Y-%m"},
            {"scale", {{"type", "utc"}}}},
           {{"field", "series"}},
           {{"field", "value"},
            {"format", money ? std::string(report::money_format)
                             : ",." + std::to_string(decimals) + "f"}}}}}}});
  for (const auto& layer : extra_layers)
    layers.push_back(layer);
  Figure figure;
  figure.id = id;
  figure.title = title;
  figure.caption = caption;
  if (!ts.rows.empty())  // a horizon within the first month has no month to show
    figure.chart = {{"width", 640}, {"height", 260}, {"layer", layers}};
  figure.tables.push_back(std::move(table));
  return figure;
}

Figure gpus_figure(const RunFiles& run) {
  // Targets: what the calls asked for (from the scenario, when found) and what was contracted.
  double called_for = 0;
  if (run.scenario.is_object() && run.scenario.contains("calls"))
    for (const auto& call : run.scenario.at("calls")) {
      const auto& object = call.value("object", nlohmann::json::object());
      if (object.contains("gpus") && object.at("gpus").is_number())
        called_for += object.at("gpus").get<double>();
    }
  double contracted = 0;
  for (const auto& contract : run.contracts)
    contracted += static_cast<double>(contract.event.gpus);
  Json targets = Json::array();
  if (called_for > 0 && called_for == contracted) {
    targets.push_back(
        {{"gpus", called_for},
         {"label", "called for and contracted: " + report::format_number(called_for, 0)},
         {"align", "left"}});
  } else {
    if (called_for > 0)
      targets.push_back({{"gpus", called_for},
                         {"label", "called for: " + report::format_number(called_for, 0)},
                         {"align", "left"}});
    if (contracted > 0)
      targets.push_back({{"gpus", contracted},
                         {"label", "contracted: " + report::format_number(contracted, 0)},
                         {"align", called_for > 0 ? "right" : "left"}});
  }
  Json extra = Json::array();
  if (!targets.empty()) {
    extra.push_back({{"data", {{"values", targets}}},
                     {"mark", {{"type", "rule"}, {"strokeDash", {6, 4}}, {"color", "#555"}}},
                     {"encoding", {{"y", {{"field", "gpus"}, {"type", "quantitative"}}}}}});
    for (const std::string align : {"left", "right"}) {
      Json subset = Json::array();
      for (const auto& t : targets)
        if (t["align"] == align) subset.push_back(t);
      if (subset.empty()) continue;
      extra.push_back({{"data", {{"values", subset}}},
                       {"mark",
                        {{"type", "text"},
                         {"align", align},
                         {"baseline", "bottom"},
                         {"dy", -3},
                         {"x", align == "left" ? 2 : 638},
                         {"fontSize", 11},
                         {"color", "#333"}}},
                       {"encoding",
                        {{"y", {{"field", "gpus"}, {"type", "quantitative"}}},
                         {"text", {{"field", "label"}}}}}});
    }
  }
  std::string caption =
      "GPUs the calls' contracts brought online, at the start of each month, in total and outside "
      "the capital region (all GPUs, fleets included: the charts by region, owner and generation).";
  if (called_for > 0)
    caption += " Dashed: the GPUs the scenario's calls asked for (" +
               report::format_number(called_for, 0) + ") and those contracted.";
  else if (contracted > 0)
    caption += " Dashed: the GPUs contracted (the scenario file " +
               run.manifest.value("scenario", std::string("?")) +
               " was not found unchanged, so what the calls asked for is not shown).";
  return monthly_series_figure(
      run, "gpus-online", "GPUs online", caption,
      {{"gpus_online", "GPUs online"}, {"gpus_online_non_capital", "outside the capital region"}},
      "GPUs", false, 0, extra);
}

/// GPUs online by month stacked by one column of gpus_online.csv (`region`, `owner`, ...):
/// a stacked area chart and its table. None when the file is absent or names one value only.
std::vector<Figure> stock_figure(const RunFiles& run, const std::string& dimension,
                                 const std::string& title, const std::string& caption) {
  const auto& csv = run.gpus_online;
  if (csv.rows.empty()) return {};
  const std::size_t c_date = csv.column("date"), c_key = csv.column(dimension),
                    c_gpus = csv.column("gpus_online");
  // Dates in file order, keys sorted; every date gets every key (0 where none online), so the
  // areas stack without gaps.
  std::vector<std::string> dates;
  std::map<std::string, std::map<std::string, double>> gpus;  // key -> date -> GPUs
  for (std::size_t r = 0; r < csv.rows.size(); ++r) {
    const std::string& date = csv.rows[r][c_date];
    if (dates.empty() || dates.back() != date) dates.push_back(date);
    const std::string key = csv.rows[r][c_key].empty() ? "not stated" : csv.rows[r][c_key];
    gpus[key][date] += csv_number(csv, r, c_gpus);
  }
  if (gpus.size() < 2) return {};
  Table table;
  table.name = title.substr(0, 31);
  table.title = title + " by month";
  table.columns = {report::date_column("date", "month")};
  for (const auto& [key, by_date] : gpus)
    table.columns.push_back(report::integer_column(key, key, "GPUs"));
  Json values = Json::array();
  for (const std::string& date : dates) {
    std::vector<Json> cells = {date};
    for (const auto& [key, by_date] : gpus) {
      const auto it = by_date.find(date);
      const double v = it == by_date.end() ? 0.0 : it->second;
      cells.emplace_back(static_cast<std::int64_t>(v));
      values.push_back({{"date", date}, {"key", key}, {"gpus", v}});
    }
    table.add_row(std::move(cells));
  }
  Figure figure;
  figure.id = "gpus-by-" + dimension;
  figure.title = title;
  figure.caption = caption;
  figure.chart = {
      {"width", 640},
      {"height", 260},
      {"data", {{"values", values}, {"format", {{"parse", report::utc_date_parse({"date"})}}}}},
      {"mark", {{"type", "area"}, {"interpolate", "step-after"}}},
      {"encoding",
       {{"x", report::date_axis_encoding("date", "month")},
        {"y",
         {{"field", "gpus"},
          {"type", "quantitative"},
          {"stack", "zero"},
          {"title", "GPUs online"}}},
        {"color",
         {{"field", "key"},
          {"type", "nominal"},
          {"title", nullptr},
          {"legend", {{"orient", "top"}, {"labelLimit", 320}}}}},
        {"order", {{"field", "key"}}},
        {"tooltip",
         {{{"field", "date"},
           {"type", "temporal"},
           {"format", "%Y-%m"},
           {"scale", {{"type", "utc"}}}},
          {{"field", "key"}, {"title", dimension}},
          {{"field", "gpus"}, {"format", ",.0f"}}}}}}};
  figure.tables.push_back(std::move(table));
  std::vector<Figure> figures;
  figures.push_back(std::move(figure));
  return figures;
}

std::vector<Figure> stock_figures(const RunFiles& run) {
  std::vector<Figure> figures;
  for (auto&& figure : stock_figure(
           run, "region", "GPUs online by region",
           "All GPUs online (the agents' GPUs at the start included) at the start of each month, "
           "by the region of the grid node hosting them (gpus_online.csv); \"not stated\": GPUs "
           "at the start, or without a grid."))
    figures.push_back(std::move(figure));
  for (auto&& figure : stock_figure(run, "owner", "GPUs online by owner",
                                    "All GPUs online at the start of each month by owner: a "
                                    "contract's lead, a fleet's owner (gpus_online.csv)."))
    figures.push_back(std::move(figure));
  for (auto&& figure : stock_figure(run, "generation", "GPUs online by generation",
                                    "All GPUs online at the start of each month by GPU generation "
                                    "(gpus_online.csv); \"not stated\": without vendors."))
    figures.push_back(std::move(figure));
  return figures;
}

Figure mw_figure(const RunFiles& run) {
  return monthly_series_figure(run, "mw-online", "Power drawn",
                               "Site power (IT load times PUE) of the capacity online, by month.",
                               {{"mw_online", "MW online"}}, "MW", false, 3);
}

Figure money_figure(const RunFiles& run) {
  std::vector<std::pair<std::string, std::string>> series = {
      {"public_money_committed_bn_krw", "public money"},
      {"private_money_committed_bn_krw", "private equity"}};
  std::string caption =
      "Public money (public equity and tax credits of SPC contracts, the price of procurements) "
      "and private equity committed by the contracts signed so far, by month.";
  // The fleet instruments' payments, when the run has them (timeseries.csv of older runs lacks
  // the column; a run without anchor or tariff discount pays nothing).
  const auto& header = run.timeseries.header;
  if (std::find(header.begin(), header.end(), "fleet_instruments_bn_krw") != header.end()) {
    const std::size_t c = run.timeseries.column("fleet_instruments_bn_krw");
    if (std::any_of(run.timeseries.rows.begin(), run.timeseries.rows.end(),
                    [c](const auto& row) { return !row[c].empty() && row[c] != "0.000"; })) {
      series.push_back({"fleet_instruments_bn_krw", "anchor purchases and tariff discount"});
      caption +=
          " Anchor purchases of GPU-hours and the non-capital tariff discount the state paid "
          "the fleets so far, by quarter.";
    }
  }
  return monthly_series_figure(run, "money-committed", "Money committed", caption, series, "bn KRW",
                               true, 3);
}

/// With compute use: each SPC's operating years settled on its measured use (summary.json
/// compute.spc_outturn[].settlement); none for a run without, or one written before it existed.
std::optional<Figure> settlement_figure(const RunFiles& run) {
  const Json compute = run.summary.value("compute", Json(nullptr));
  if (!compute.is_object() || !compute.contains("spc_outturn")) return std::nullopt;
  Table table;
  table.name = "SPC debt service";
  table.title = "The SPCs' debt service on their measured use";
  table.columns = {report::text_column("call", "call"),
                   report::integer_column("year", "operating year"),
                   report::date_column("from", "from"),
                   report::number_column("utilization", "used", "share", 4),
                   report::money_column("margin", "margin"),
                   report::money_column("expected", "outlook's margin"),
                   report::money_column("due", "debt service due"),
                   report::number_column("cover", "cover", "x", 2),
                   report::money_column("shortfall", "shortfall"),
                   report::money_column("private", "private support"),
                   report::money_column("public", "public support"),
                   report::text_column("status", "status")};
  const auto number = [](const Json& year, const char* key) {
    const Json& value = year.value(key, Json(nullptr));
    return value.is_number() ? Json(value.get<double>()) : Json(nullptr);
  };
  for (const Json& spc : compute.at("spc_outturn")) {
    if (!spc.contains("settlement")) continue;
    for (const Json& year : spc.at("settlement").value("by_operating_year", Json::array()))
      table.add_row({spc.value("call", ""), year.value("operating_year", 0), year.value("from", ""),
                     number(year, "utilization"), number(year, "margin_bn_krw"),
                     number(year, "expected_margin_bn_krw"),
                     number(year, "debt_service_due_bn_krw"), number(year, "cover_ratio"),
                     number(year, "shortfall_bn_krw"), number(year, "private_support_bn_krw"),
                     number(year, "public_support_bn_krw"), year.value("status", "")});
  }
  if (table.rows.empty()) return std::nullopt;
  Figure figure;
  figure.id = "spc-debt-service";
  figure.title = "The SPCs' debt service on their measured use";
  figure.caption =
      "Each operating year of an SPC that ended before the horizon, settled by its contract's "
      "waterfall on the margin its GPUs measured: the debt service due, its cover (margin less "
      "tax over service due), a shortfall the shareholders funded within their support, or a "
      "default beyond it. Year 0 is a year a delayed delivery lost.";
  figure.tables.push_back(std::move(table));
  return figure;
}

/// With compute use: utilisation of the public and the fleets' GPUs by month, and each
/// allocation round with its oversubscription and each group's share. Nothing for a run without
/// compute use (or one written before timeseries.csv had the columns).
std::vector<Figure> use_figures(const RunFiles& run) {
  std::vector<Figure> figures;
  const auto& header = run.timeseries.header;
  if (std::find(header.begin(), header.end(), "utilization_private") == header.end())
    return figures;
  const auto measured =
      std::any_of(run.timeseries.rows.begin(), run.timeseries.rows.end(), [&](const auto& row) {
        return !row[run.timeseries.column("utilization_private")].empty() ||
               !row[run.timeseries.column("utilization_public")].empty();
      });
  if (!measured) return figures;
  figures.push_back(monthly_series_figure(
      run, "utilization", "Utilisation",
      "Busy over capacity GPU-hours of the public GPUs (allocation awards) and of the fleets' GPUs "
      "(their customers' and the user groups' jobs) in the month before each date.",
      {{"utilization_public", "public GPUs"}, {"utilization_private", "private fleets"}}, "share",
      false, 4));
  if (auto settled = settlement_figure(run)) figures.push_back(std::move(*settled));
  const auto& t = run.tenders;
  if (std::find(t.header.begin(), t.header.end(), "oversubscription") == t.header.end())
    return figures;
  const std::size_t c_call = t.column("call_id"), c_round = t.column("round"),
                    c_kind = t.column("round_kind"), c_date = t.column("close_date"),
                    c_reason = t.column("reason"), c_over = t.column("oversubscription"),
                    c_shares = t.column("allocation_shares");
  Table table;
  table.name = "Allocation rounds";
  table.title = "Allocation rounds";
  table.columns = {report::text_column("call", "call"),
                   report::integer_column("round", "round"),
                   report::date_column("date", "decided"),
                   report::text_column("offer", "offered and asked"),
                   report::number_column("oversubscription", "oversubscription", "x", 2),
                   report::text_column("shares", "awarded / asked by group")};
  for (std::size_t r = 0; r < t.rows.size(); ++r) {
    const auto& row = t.rows[r];
    if (row[c_kind] != "allocation") continue;
    table.add_row(
        {row[c_call], static_cast<int>(csv_number(t, r, c_round)), row[c_date], row[c_reason],
         row[c_over].empty() ? Json(nullptr) : Json(csv_number(t, r, c_over)), row[c_shares]});
  }
  if (!table.rows.empty()) {
    Figure figure;
    figure.id = "allocation-rounds";
    figure.title = "Allocation rounds";
    figure.caption =
        "Each round of the allocation calls: GPUs offered, asked and awarded, the "
        "oversubscription (asked / offered) and what each user group asked for and got.";
    figure.tables.push_back(std::move(table));
    figures.push_back(std::move(figure));
  }
  return figures;
}

Figure contracts_figure(const RunFiles& run) {
  Table table;
  table.name = "Contracts";
  table.title = "Contracts signed";
  table.columns = {report::text_column("call", "call"),
                   report::text_column("lead", "contractor"),
                   report::date_column("signed", "signed"),
                   report::integer_column("gpus", "GPUs", "GPUs"),
                   report::money_column("public_equity_bn_krw", "public equity", 3),
                   report::money_column("tax_credit_bn_krw", "tax credit", 3),
                   report::money_column("price_bn_krw", "price", 3),
                   report::money_column("private_equity_bn_krw", "private equity", 3),
                   report::money_column("policy_loan_bn_krw", "policy loan", 3),
                   report::money_column("public_money_bn_krw", "public money", 3),
                   report::text_column("members", "consortium")};
  struct Part {
    std::string name;
    double events::ContractSigned::*amount;
    bool public_money;
  };
  const std::vector<Part> parts = {
      {"public equity", &events::ContractSigned::public_equity_bn_krw, true},
      {"tax credit", &events::ContractSigned::tax_credit_bn_krw, true},
      {"price paid", &events::ContractSigned::price_bn_krw, true},
      {"private equity", &events::ContractSigned::private_equity_bn_krw, false},
      {"policy loan", &events::ContractSigned::policy_loan_bn_krw, false}};
  Json bars = Json::array();
  for (const auto& [date, c] : run.contracts) {
    std::string members;
    for (const auto& m : c.members)
      members += (members.empty() ? "" : ", ") + m;
    const std::string label = c.call + " \u00b7 " + c.lead;
    table.add_row({c.call, c.lead, date, c.gpus, c.public_equity_bn_krw, c.tax_credit_bn_krw,
                   c.price_bn_krw, c.private_equity_bn_krw, c.policy_loan_bn_krw,
                   c.public_money_bn_krw, members});
    for (std::size_t p = 0; p < parts.size(); ++p) {
      const double amount = c.*parts[p].amount;
      if (amount != 0.0)
        bars.push_back({{"contract", label},
                        {"part", parts[p].name},
                        {"order", p},
                        {"side", parts[p].public_money ? "public" : "private or lent"},
                        {"amount_bn_krw", amount}});
    }
  }
  Figure figure;
  figure.id = "contracts";
  figure.title = "Where each contract's money comes from";
  figure.caption =
      "Per contract: public equity, tax credit and the price paid (public money), private equity "
      "and the policy loan.";
  std::vector<std::string> domain;
  for (const auto& p : parts)
    domain.push_back(p.name);
  if (!bars.empty())
    figure.chart = {{"width", 600},
                    {"height", {{"step", 34}}},
                    {"data", {{"values", bars}}},
                    {"transform", {report::money_transform("amount_bn_krw", "amount")}},
                    {"mark", {{"type", "bar"}, {"height", 20}}},
                    {"encoding",
                     {{"y",
                       {{"field", "contract"},
                        {"type", "nominal"},
                        {"title", nullptr},
                        {"axis", {{"labelLimit", 240}}}}},
                      {"x",
                       {{"field", "amount"},
                        {"type", "quantitative"},
                        {"stack", "zero"},
                        {"title", report::money_title("money committed")}}},
                      {"color",
                       {{"field", "part"},
                        {"type", "nominal"},
                        {"title", nullptr},
                        {"scale",
                         {{"domain", domain},
                          {"range", {"#1565c0", "#64b5f6", "#0d47a1", "#ef6c00", "#ffb74d"}}}},
                        {"legend", {{"orient", "top"}}}}},
                      {"order", {{"field", "order"}, {"sort", "ascending"}}},
                      {"tooltip",
                       {{{"field", "contract"}},
                        {{"field", "part"}},
                        {{"field", "amount"},
                         {"title", report::money_title("amount")},
                         {"format", report::money_format}}}}}}};
  figure.tables.push_back(std::move(table));
  return figure;
}

// ---------------------------------------------------------------------------------------------

using FigureList = std::function<std::vector<Figure>(const RunFiles&)>;
template <Figure (*F)(const RunFiles&)>
std::vector<Figure> one(const RunFiles& run) {
  return {F(run)};
}

struct SectionSpec {
  std::string id;
  std::string title;
  std::string intro;
  std::vector<FigureList> figures;
};

}  // namespace

ReportDocument run_document(const std::filesystem::path& folder) {
  const RunFiles run = load_run(folder);
  ReportDocument document;
  document.kind = "run";
  document.title = "Run of " + run.scenario_name;
  document.subtitle = "seed " + run.manifest.value("seed", nlohmann::json(0)).dump() +
                      ", replication " +
                      run.manifest.value("replication", nlohmann::json(0)).dump() + ", simulated " +
                      run.start_date() + " to " + run.end_date();
  const fs::path manifest_path = run.folder / "manifest.json";
  document.facts = {
      {"scenario", run.scenario_name},
      {"scenario file", run.manifest.value("scenario", "")},
      {"seed", run.manifest.value("seed", nlohmann::json(nullptr)).dump()},
      {"replication", run.manifest.value("replication", nlohmann::json(nullptr)).dump()},
      {"simulated", run.start_date() + " to " + run.end_date()},
      {"events", run.manifest.value("event_count", nlohmann::json(nullptr)).dump()},
      {"run by", "tenderlab " + required_string(run.manifest, "tenderlab_version", manifest_path)},
      {"report by", std::string("tenderlab ") + tenderlab::version},
      {"scenario SHA-256", required_string(run.manifest, "scenario_sha256", manifest_path)},
      {"event log SHA-256", required_string(run.manifest, "event_log_sha256", manifest_path)}};

  const std::vector<SectionSpec> sections = {
      {"outcome",
       "Outcome",
       "What the calls came to and the run's KPIs.",
       {one<calls_figure>, one<kpi_figure>}},
      {"rounds",
       "Rounds",
       "When each round ran, what it drew, and the contracts that followed.",
       {one<timeline_figure>}},
      {"stayed-away",
       "Who stayed away and why",
       "Each failed round: the clauses that made taking part worth less than nothing to the "
       "agents that stayed away.",
       {stayed_away_figures}},
      {"capacity",
       "Capacity",
       "GPUs online against what the calls asked for, and the power they draw.",
       {one<gpus_figure>, stock_figures, one<mw_figure>}},
      {"money",
       "Money",
       "Public and private money committed by the contracts.",
       {one<money_figure>, one<contracts_figure>}},
      {"use",
       "Use",
       "With compute use: how much of the GPUs online ran jobs, whether the SPCs could service "
       "their debt on it, and the allocation calls.",
       {use_figures}},
  };
  for (const auto& spec : sections) {
    Section section{spec.id, spec.title, spec.intro, {}};
    for (const auto& make : spec.figures)
      for (auto& figure : make(run))
        section.figures.push_back(std::move(figure));
    if (section.figures.empty()) section.intro += " Nothing to show in this run.";
    document.sections.push_back(std::move(section));
  }
  return document;
}

}  // namespace tenderlab::analysis
