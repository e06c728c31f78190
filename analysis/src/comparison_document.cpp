// The report of a comparison, from the JSON `tenderlab compare --json` writes: paired
// differences of every KPI from the first input, with their 95 % confidence intervals.
#include <array>
#include <cmath>
#include <map>

#include "report_support.hpp"
#include "tenderlab/analysis/report_builders.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"
#include "tenderlab/version.hpp"

namespace tenderlab::analysis {
namespace {

using report::Json;

struct Reader {
  const std::string& origin;
  [[noreturn]] void fail(const std::string& pointer, const std::string& expected,
                         const nlohmann::json* found) const {
    throw InputError(
        {InputProblem{origin, pointer, expected, found ? describe_json(*found) : "nothing"}});
  }
  const nlohmann::json& get(const nlohmann::json& object, const std::string& pointer,
                            const std::string& key, const std::string& expected,
                            bool (nlohmann::json::*is)() const noexcept) const {
    const std::string where = pointer_append(pointer, key);
    if (!object.contains(key)) fail(where, expected, nullptr);
    const auto& value = object.at(key);
    if (!(value.*is)()) fail(where, expected, &value);
    return value;
  }
  std::vector<std::string> strings(const nlohmann::json& object, const std::string& key,
                                   std::size_t size) const {
    const auto& array = get(object, "", key, "an array of " + std::to_string(size) + " strings",
                            &nlohmann::json::is_array);
    std::vector<std::string> out;
    for (std::size_t i = 0; i < array.size(); ++i) {
      if (!array[i].is_string()) fail(pointer_append("/" + key, i), "a string", &array[i]);
      out.push_back(array[i].get<std::string>());
    }
    if (size != 0 && out.size() != size)
      fail("/" + key, "an array of " + std::to_string(size) + " strings", &array);
    return out;
  }
};

/// "KPI X" and "<call>.X" carry the same numbers for a scenario's first call; the chart shows the
/// short name only (the table keeps both).
bool duplicate_of_unprefixed(const std::string& name,
                             const std::map<std::string, std::string>& rows_by_name) {
  const auto dot = name.find('.');
  if (dot == std::string::npos) return false;
  const auto it = rows_by_name.find(name.substr(dot + 1));
  return it != rows_by_name.end() && it->second == rows_by_name.at(name);
}

}  // namespace

ReportDocument comparison_document(const nlohmann::json& comparison, const std::string& origin) {
  const Reader r{origin};
  if (!comparison.is_object())
    r.fail("", "a JSON object written by tenderlab compare --json", &comparison);
  const auto& format = r.get(comparison, "", "format", std::string("\"") + comparison_format + "\"",
                             &nlohmann::json::is_string);
  if (format != comparison_format)
    r.fail("/format", std::string("\"") + comparison_format + "\"", &format);
  const std::vector<std::string> labels = r.strings(comparison, "labels", 0);
  if (labels.size() < 2) r.fail("/labels", "at least two inputs", &comparison.at("labels"));
  const std::vector<std::string> inputs = r.strings(comparison, "inputs", labels.size());
  const auto& pairs =
      r.get(comparison, "", "pairs", "a number of pairs", &nlohmann::json::is_number_integer);
  const auto& kpis =
      r.get(comparison, "", "kpis", "an array of KPI rows", &nlohmann::json::is_array);

  ReportDocument document;
  document.kind = "comparison";
  document.title = "Comparison of " + std::to_string(labels.size()) + " " +
                   (comparison.value("kind", "") == "databases" ? "studies" : "scenarios");
  for (std::size_t i = 0; i < labels.size(); ++i)
    document.subtitle += (i ? ", " : "") + std::string("[") + std::to_string(i) + "] " + labels[i];
  document.facts.emplace_back("pairs",
                              pairs.dump() + (comparison.value("kind", "") == "databases"
                                                  ? " runs common to every database"
                                                  : " replications (common random numbers)"));
  if (comparison.contains("seed") && !comparison.at("seed").is_null())
    document.facts.emplace_back("seed", comparison.at("seed").dump());
  if (comparison.contains("tenderlab_version") && comparison.at("tenderlab_version").is_string())
    document.facts.emplace_back(
        "compared by", "tenderlab " + comparison.at("tenderlab_version").get<std::string>());
  document.facts.emplace_back("report by", std::string("tenderlab ") + tenderlab::version);
  const std::vector<std::string> input_hashes =
      comparison.contains("input_sha256") ? r.strings(comparison, "input_sha256", labels.size())
                                          : std::vector<std::string>{};
  const std::vector<std::string> log_hashes =
      comparison.contains("event_logs_sha256")
          ? r.strings(comparison, "event_logs_sha256", labels.size())
          : std::vector<std::string>{};
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string tag = "[" + std::to_string(i) + "] ";
    document.facts.emplace_back(tag + labels[i], inputs[i]);
    if (!input_hashes.empty()) document.facts.emplace_back(tag + "input SHA-256", input_hashes[i]);
    if (!log_hashes.empty()) document.facts.emplace_back(tag + "event logs SHA-256", log_hashes[i]);
  }

  Table differences;
  differences.name = "Differences";
  differences.title = "Paired differences from [0] with 95% confidence intervals";
  differences.columns = {report::text_column("kpi", "KPI"), report::text_column("versus", "input")};
  differences.columns.push_back(report::number_column("baseline", "mean of [0]", "", 3));
  differences.columns.push_back(report::number_column("mean", "mean of the input", "", 3));
  differences.columns.push_back(report::number_column("difference", "difference", "", 3));
  differences.columns.push_back(report::number_column("low", "95% CI low", "", 3));
  differences.columns.push_back(report::number_column("high", "95% CI high", "", 3));
  Table means;
  means.name = "Means";
  means.title = "Mean of every KPI per input";
  means.columns = {report::text_column("kpi", "KPI")};
  for (std::size_t i = 0; i < labels.size(); ++i)
    means.columns.push_back(report::number_column(
        "m" + std::to_string(i), "[" + std::to_string(i) + "] " + labels[i], "", 3));

  // Rows first, then which of them the chart shows.
  struct Row {
    std::string kpi;
    std::vector<double> means;
    std::vector<std::array<double, 3>> differences;  // mean, low, high
  };
  std::vector<Row> rows;
  std::map<std::string, std::string> fingerprint;
  for (std::size_t k = 0; k < kpis.size(); ++k) {
    const std::string pointer = "/kpis/" + std::to_string(k);
    const auto& row = kpis[k];
    if (!row.is_object()) r.fail(pointer, "a KPI row (kpi, means, differences)", &row);
    Row out;
    out.kpi =
        r.get(row, pointer, "kpi", "a KPI name", &nlohmann::json::is_string).get<std::string>();
    const auto& m = r.get(row, pointer, "means", "an array of numbers, one per input",
                          &nlohmann::json::is_array);
    const auto& d =
        r.get(row, pointer, "differences", "an array of differences, one per input after the first",
              &nlohmann::json::is_array);
    if (m.size() != labels.size())
      r.fail(pointer + "/means", std::to_string(labels.size()) + " means", &m);
    if (d.size() + 1 != labels.size())
      r.fail(pointer + "/differences", std::to_string(labels.size() - 1) + " differences", &d);
    for (std::size_t i = 0; i < m.size(); ++i) {
      if (!m[i].is_number()) r.fail(pointer + "/means/" + std::to_string(i), "a number", &m[i]);
      out.means.push_back(m[i].get<double>());
    }
    for (std::size_t i = 0; i < d.size(); ++i) {
      const std::string where = pointer + "/differences/" + std::to_string(i);
      if (!d[i].is_object()) r.fail(where, "an object with mean, ci95_low and ci95_high", &d[i]);
      auto number = [&](const char* key) {
        if (!d[i].contains(key)) r.fail(where + "/" + key, "a number or null", nullptr);
        const auto& v = d[i].at(key);
        if (v.is_null()) return std::nan("");
        if (!v.is_number()) r.fail(where + "/" + key, "a number or null", &v);
        return v.get<double>();
      };
      out.differences.push_back({number("mean"), number("ci95_low"), number("ci95_high")});
    }
    fingerprint[out.kpi] = row.at("means").dump() + row.at("differences").dump();
    rows.push_back(std::move(out));
  }

  Json values = Json::array();
  std::size_t charted = 0;
  for (const auto& row : rows) {
    std::vector<Json> mean_cells = {row.kpi};
    for (const double v : row.means)
      mean_cells.push_back(report::number_cell(v));
    means.add_row(std::move(mean_cells));
    bool moves = false;
    for (std::size_t i = 0; i < row.differences.size(); ++i) {
      const auto& [mean, low, high] = row.differences[i];
      differences.add_row({row.kpi, "[" + std::to_string(i + 1) + "] " + labels[i + 1],
                           report::number_cell(row.means[0]), report::number_cell(row.means[i + 1]),
                           report::number_cell(mean), report::number_cell(low),
                           report::number_cell(high)});
      moves = moves || mean != 0.0 || (std::isfinite(low) && low != high);
    }
    // The chart shows the KPIs that differ; the table lists them all.
    if (!moves || duplicate_of_unprefixed(row.kpi, fingerprint)) continue;
    ++charted;
    for (std::size_t i = 0; i < row.differences.size(); ++i) {
      const auto& [mean, low, high] = row.differences[i];
      values.push_back({{"kpi", row.kpi},
                        {"versus", "[" + std::to_string(i + 1) + "] " + labels[i + 1]},
                        {"difference", mean},
                        {"low", report::number_cell(low)},
                        {"high", report::number_cell(high)},
                        {"baseline", report::number_cell(row.means[0])}});
    }
  }

  Figure forest;
  forest.id = "differences";
  forest.title = "Paired differences from [0] " + labels[0] + ", with 95 % confidence intervals";
  forest.caption =
      "For each KPI that differs between the inputs (" + std::to_string(charted) + " of " +
      std::to_string(rows.size()) +
      "), the mean paired difference of each input from the first (a dot) and its 95 % "
      "confidence interval (the line; Student t on the paired differences). Each KPI has its own "
      "scale; the vertical line is zero, no difference. KPIs equal in every pair are only in the "
      "table, and a call's prefixed KPIs only when they differ from the unprefixed ones.";
  const Json y = {{"field", "versus"},
                  {"type", "nominal"},
                  {"title", nullptr},
                  {"axis", {{"labelLimit", 260}}}};
  if (!values.empty())
    forest.chart = {
        {"data", {{"values", values}}},
        {"facet",
         {{"row",
           {{"field", "kpi"},
            {"type", "nominal"},
            {"sort", nullptr},
            {"title", nullptr},
            {"header",
             {{"labelAngle", 0},
              {"labelOrient", "top"},
              {"labelAnchor", "start"},
              {"labelFontWeight", "bold"},
              {"labelFontSize", 13},
              {"labelLimit", 600}}}}}}},
        {"spacing", 14},
        {"resolve", {{"scale", {{"x", "independent"}}}}},
        {"spec",
         {{"width", 520},
          {"height", {{"step", 22}}},
          {"layer",
           {{{"mark", {{"type", "rule"}, {"color", "#999"}, {"strokeDash", {4, 3}}}},
             {"encoding", {{"x", {{"datum", 0}, {"type", "quantitative"}}}}}},
            {{"mark", {{"type", "rule"}, {"strokeWidth", 2}, {"color", "#1565c0"}}},
             {"encoding",
              {{"y", y},
               {"x", {{"field", "low"}, {"type", "quantitative"}}},
               {"x2", {{"field", "high"}}}}}},
            {{"mark", {{"type", "point"}, {"filled", true}, {"size", 70}, {"color", "#0d47a1"}}},
             {"encoding",
              {{"y", y},
               {"x",
                {{"field", "difference"},
                 {"type", "quantitative"},
                 {"title", "difference from [0]"},
                 {"scale", {{"padding", 8}}}}},
               {"tooltip",
                {{{"field", "kpi"}},
                 {{"field", "versus"}, {"title", "input"}},
                 {{"field", "baseline"}, {"title", "mean of [0]"}, {"format", ",.4~f"}},
                 {{"field", "difference"}, {"format", ",.4~f"}},
                 {{"field", "low"}, {"title", "95% CI low"}, {"format", ",.4~f"}},
                 {{"field", "high"}, {"title", "95% CI high"}, {"format", ",.4~f"}}}}}}}}}}}};
  forest.tables.push_back(std::move(differences));
  Figure mean_figure;
  mean_figure.id = "means";
  mean_figure.title = "Means per input";
  mean_figure.caption = "The mean of every KPI over the paired runs of each input.";
  mean_figure.tables.push_back(std::move(means));
  document.sections.push_back({"differences",
                               "Differences",
                               "What changes from the first input to each of the others.",
                               {std::move(forest)}});
  document.sections.push_back({"means", "Means", "", {std::move(mean_figure)}});
  return document;
}

}  // namespace tenderlab::analysis
