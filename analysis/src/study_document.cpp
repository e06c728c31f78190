// The report of a study, from its results database: where the outcome holds (heatmap over two
// factors, PRIM box and its peeling trajectory), which factors matter (Morris or Sobol indices
// with bootstrap intervals) and how the KPIs are distributed over the runs.
#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <set>

#include "report_support.hpp"
#include "tenderlab/analysis/prim.hpp"
#include "tenderlab/analysis/report_builders.hpp"
#include "tenderlab/analysis/statistics.hpp"
#include "tenderlab/analysis/study_report.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/version.hpp"

namespace tenderlab::analysis {
namespace {

/// True when every value is the same (or there are none): an output with nothing to apportion.
bool all_equal(const std::vector<double>& values) {
  return std::adjacent_find(values.begin(), values.end(), std::not_equal_to<>()) == values.end();
}

using report::Json;
constexpr double nan = std::numeric_limits<double>::quiet_NaN();

bool is_money_kpi(const std::string& name) {
  return name.size() > 7 && name.compare(name.size() - 7, 7, "_bn_krw") == 0;
}

std::optional<double> kpi_value(const RunRecord& run, const std::string& name) {
  if (!run.kpis.is_object() || !run.kpis.contains(name)) return std::nullopt;
  const auto& value = run.kpis.at(name);
  if (value.is_number()) return value.get<double>();
  if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
  return std::nullopt;
}

std::string value_text(const nlohmann::json& value) {
  if (value.is_number_float()) return report::format_number(value.get<double>(), 2);
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

/// Everything the figures share, computed once.
struct StudyData {
  const Study& study;
  std::vector<RunRecord> runs;  ///< status ok only
  std::vector<DesignPoint> points;
  nlohmann::ordered_json report;  ///< report_study's data
  std::vector<std::string> kpis;
  std::vector<PrimFactor> prim_factors;
  std::optional<PrimResult> prim;
  std::string outcome_text;
};

/// The factor values of a run's point, as numbers (numeric_value).
std::vector<double> factor_numbers(const StudyData& data, const RunRecord& run) {
  std::vector<double> row;
  const auto& point = data.points.at(static_cast<std::size_t>(run.point));
  for (std::size_t j = 0; j < data.study.factors.size(); ++j)
    row.push_back(numeric_value(data.study.factors[j], point.values[j]));
  return row;
}

bool valid_point(const StudyData& data, const RunRecord& run) {
  return run.point >= 0 && static_cast<std::size_t>(run.point) < data.points.size();
}

// ---------------------------------------------------------------------------------------------
// Heatmap of P(outcome) over two factors

/// Bins of one factor's values: a discrete factor's values, the distinct values of a numeric
/// factor when there are few (grid designs), else equal-width intervals over its range.
struct Bins {
  bool intervals = false;
  std::vector<double> values;  ///< discrete bins: the numbers (numeric_value) of each bin
  std::vector<std::string> labels;
  double min = 0, max = 0;
  int count = 0;

  int of(double v) const {
    if (!intervals) {
      for (std::size_t i = 0; i < values.size(); ++i)
        if (values[i] == v) return static_cast<int>(i);
      return -1;
    }
    if (max <= min) return 0;
    const int i = static_cast<int>(std::floor((v - min) / (max - min) * count));
    return std::clamp(i, 0, count - 1);
  }
  double low(int i) const {
    return intervals ? min + (max - min) * i / count : values[static_cast<std::size_t>(i)];
  }
  double high(int i) const {
    return intervals ? min + (max - min) * (i + 1) / count : values[static_cast<std::size_t>(i)];
  }
};

Bins bins_for(const StudyData& data, std::size_t factor) {
  const StudyFactor& f = data.study.factors[factor];
  Bins bins;
  if (f.discrete()) {
    for (const auto& v : f.values) {
      bins.values.push_back(numeric_value(f, v));
      bins.labels.push_back(value_text(v));
    }
    return bins;
  }
  std::set<double> distinct;
  for (const auto& p : data.points)
    distinct.insert(numeric_value(f, p.values[factor]));
  if (distinct.size() <= 8) {
    for (const double v : distinct) {
      bins.values.push_back(v);
      bins.labels.push_back(report::format_number(v, f.integer ? 0 : 2));
    }
    return bins;
  }
  bins.intervals = true;
  bins.min = f.min;
  bins.max = f.max;
  bins.count = 6;
  const int decimals = f.integer ? 0 : 2;
  for (int i = 0; i < bins.count; ++i)
    bins.labels.push_back(report::format_number(bins.low(i), decimals) + "\u2013" +
                          report::format_number(bins.high(i), decimals));
  return bins;
}

std::vector<std::size_t> heatmap_factors(const StudyData& data,
                                         const StudyDocumentOptions& options) {
  const auto& factors = data.study.factors;
  std::vector<std::size_t> chosen;
  if (!options.heatmap_factors.empty()) {
    std::string names;
    for (const auto& f : factors)
      names += (names.empty() ? "" : ", ") + f.name;
    std::string given;
    for (const auto& n : options.heatmap_factors)
      given += (given.empty() ? "" : ",") + n;
    for (const auto& name : options.heatmap_factors) {
      std::size_t j = 0;
      while (j < factors.size() && factors[j].name != name)
        ++j;
      if (j == factors.size() || std::find(chosen.begin(), chosen.end(), j) != chosen.end()) {
        chosen.clear();
        break;
      }
      chosen.push_back(j);
    }
    if (chosen.size() != 2 || options.heatmap_factors.size() != 2)
      throw InputError({InputProblem{"--heatmap", "",
                                     "two different factors of study " + data.study.name +
                                         " separated by a comma (" + names + ")",
                                     "\"" + given + "\""}});
    return chosen;
  }
  // The factors PRIM restricts say most about the outcome; the others follow in file order.
  if (data.prim)
    for (const auto& r : data.prim->trajectory[data.prim->chosen].restrictions)
      chosen.push_back(static_cast<std::size_t>(r.factor));
  for (std::size_t j = 0; j < factors.size(); ++j)
    if (std::find(chosen.begin(), chosen.end(), j) == chosen.end()) chosen.push_back(j);
  chosen.resize(std::min<std::size_t>(chosen.size(), 2));
  return chosen;
}

Figure outcome_map_figure(const StudyData& data, const StudyDocumentOptions& options) {
  const auto chosen = heatmap_factors(data, options);
  Figure figure;
  figure.id = "outcome-map";
  if (chosen.empty()) return figure;
  const std::size_t fx = chosen[0];
  const bool two = chosen.size() == 2;
  const std::size_t fy = two ? chosen[1] : chosen[0];
  const Bins bx = bins_for(data, fx);
  const Bins by = bins_for(data, fy);
  std::map<std::pair<int, int>, std::pair<std::size_t, std::size_t>> cells;  // -> (holds, runs)
  for (const auto& run : data.runs) {
    if (!valid_point(data, run)) continue;
    const auto v = kpi_value(run, data.study.outcome.kpi);
    if (!v) continue;
    const auto x = factor_numbers(data, run);
    const int ix = bx.of(x[fx]);
    const int iy = two ? by.of(x[fy]) : 0;
    if (ix < 0 || iy < 0) continue;
    auto& cell = cells[{ix, iy}];
    cell.first += data.study.outcome.holds(*v) ? 1 : 0;
    ++cell.second;
  }
  const std::string xname = data.study.factors[fx].name;
  const std::string yname = two ? data.study.factors[fy].name : "";
  const std::string p_title = "P(" + data.outcome_text + ")";
  Table table;
  table.name = "Outcome map";
  table.title = p_title + " by " + xname + (two ? " and " + yname : "");
  table.columns = {report::text_column("x", xname)};
  if (two) table.columns.push_back(report::text_column("y", yname));
  table.columns.push_back(report::integer_column("runs", "runs"));
  table.columns.push_back(report::integer_column("holds", "runs where it holds"));
  table.columns.push_back(report::probability_column("p", p_title));
  table.columns.push_back(report::probability_column("low", "95% CI low"));
  table.columns.push_back(report::probability_column("high", "95% CI high"));
  // Whether a bin lies inside the PRIM box's condition on that factor (its middle, for ranges).
  const auto restriction_on = [&](std::size_t factor) -> const PrimRestriction* {
    if (!data.prim) return nullptr;
    for (const auto& r : data.prim->trajectory[data.prim->chosen].restrictions)
      if (static_cast<std::size_t>(r.factor) == factor) return &r;
    return nullptr;
  };
  const auto inside = [](const PrimRestriction* r, const Bins& bins, int i) {
    if (!r) return true;
    const double v = bins.intervals ? (bins.low(i) + bins.high(i)) / 2 : bins.low(i);
    if (!r->allowed.empty())
      return std::find(r->allowed.begin(), r->allowed.end(), v) != r->allowed.end();
    return v >= r->low && v <= r->high;
  };
  const PrimRestriction* rx = restriction_on(fx);
  const PrimRestriction* ry = two ? restriction_on(fy) : nullptr;
  const bool outline = rx || ry;
  Json values = Json::array();
  for (const auto& [key, cell] : cells) {
    const Proportion p = proportion(cell.first, cell.second);
    std::vector<Json> row = {bx.labels[static_cast<std::size_t>(key.first)]};
    if (two) row.push_back(by.labels[static_cast<std::size_t>(key.second)]);
    row.insert(row.end(), {cell.second, cell.first, p.p, p.low, p.high});
    table.add_row(std::move(row));
    values.push_back(
        {{"x", bx.labels[static_cast<std::size_t>(key.first)]},
         {"xi", key.first},
         {"y", two ? by.labels[static_cast<std::size_t>(key.second)] : ""},
         {"yi", key.second},
         {"runs", cell.second},
         {"p", p.p},
         {"low", p.low},
         {"high", p.high},
         {"label", report::format_number(p.p, 2)},
         {"in_box", outline && inside(rx, bx, key.first) && (!two || inside(ry, by, key.second))}});
  }
  const Json x_axis = {{"field", "x"},
                       {"type", "ordinal"},
                       {"sort", {{"field", "xi"}}},
                       {"title", xname},
                       {"axis", {{"labelAngle", 0}, {"labelOverlap", "greedy"}}}};
  const Json tooltip = {{{"field", "x"}, {"title", xname}},
                        {{"field", "y"}, {"title", two ? yname : "-"}},
                        {{"field", "runs"}},
                        {{"field", "p"}, {"title", p_title}, {"format", ".2f"}},
                        {{"field", "low"}, {"title", "95% CI low"}, {"format", ".2f"}},
                        {{"field", "high"}, {"title", "95% CI high"}, {"format", ".2f"}}};
  if (cells.empty()) {  // no run recorded the outcome's KPI yet: the table says so, empty
    figure.title = p_title + " by " + xname + (two ? " and " + yname : "");
    figure.caption = "No run has recorded " + data.study.outcome.kpi + " yet.";
  } else if (two) {
    figure.title = p_title + " over " + xname + " and " + yname;
    figure.caption =
        "Share of runs in which the study's outcome holds, for each combination of the two "
        "factors (numeric factors in bins of their range), over every value of the other "
        "factors. The number in each cell is that share; the table gives the runs and Wilson 95 % "
        "intervals. Pick other factors with --heatmap.";
    const Json y_axis = {{"field", "y"},
                         {"type", "ordinal"},
                         {"sort", {{"field", "yi"}, {"order", "descending"}}},
                         {"title", yname}};
    figure.chart = {
        {"width",
         {{"step", std::max(40, 480 / std::max<int>(1, static_cast<int>(bx.labels.size())))}}},
        {"height", {{"step", 36}}},
        {"data", {{"values", values}}},
        {"encoding", {{"x", x_axis}, {"y", y_axis}}},
        {"layer",
         {{{"mark", {{"type", "rect"}, {"stroke", "white"}, {"strokeWidth", 1}}},
           {"encoding",
            {{"color",
              {{"field", "p"},
               {"type", "quantitative"},
               {"title", p_title},
               {"scale", {{"domain", {0, 1}}, {"scheme", "blues"}}},
               {"legend", {{"orient", "right"}, {"format", ".1f"}, {"gradientLength", 160}}}}},
             {"tooltip", tooltip}}}},
          {{"mark", {{"type", "text"}, {"fontSize", 12}}},
           {"encoding",
            {{"text", {{"field", "label"}}},
             {"color",
              {{"condition", {{"test", "datum.p > 0.55"}, {"value", "white"}}},
               {"value", "#111"}}}}}}}}};
    if (outline) {
      figure.chart["layer"].push_back(
          {{"transform", {{{"filter", "datum.in_box"}}}},
           {"mark",
            {{"type", "rect"}, {"fillOpacity", 0}, {"stroke", "#d84315"}, {"strokeWidth", 2.5}}}});
      figure.caption +=
          " Cells outlined in orange lie inside the PRIM box's conditions on these "
          "two factors (its conditions on other factors, if any, apply as well).";
    }
  } else {
    figure.title = p_title + " by " + xname;
    figure.caption =
        "Share of runs in which the study's outcome holds for each value (or bin) of the factor, "
        "with Wilson 95 % intervals.";
    figure.chart = {
        {"width", {{"step", 60}}},
        {"height", 240},
        {"data", {{"values", values}}},
        {"encoding", {{"x", x_axis}}},
        {"layer",
         {{{"mark", {{"type", "bar"}, {"color", "#6baed6"}, {"width", {{"band", 0.7}}}}},
           {"encoding",
            {{"y",
              {{"field", "p"},
               {"type", "quantitative"},
               {"title", p_title},
               {"scale", {{"domain", {0, 1}}}}}},
             {"tooltip", tooltip}}}},
          {{"mark", {{"type", "rule"}, {"color", "#222"}}},
           {"encoding",
            {{"y", {{"field", "low"}, {"type", "quantitative"}}}, {"y2", {{"field", "high"}}}}}}}}};
  }
  figure.tables.push_back(std::move(table));
  return figure;
}

Figure points_figure(const StudyData& data) {
  Figure figure;
  figure.id = "points";
  figure.title = "Every design point";
  figure.caption =
      "Per design point: its factor values, the runs recorded, the probability of the outcome "
      "(Wilson 95 % interval) and the mean of each KPI (t 95 % intervals are in the JSON report).";
  Table table;
  table.name = "Design points";
  table.title = "Design points";
  table.columns = {report::integer_column("point", "point")};
  for (const auto& f : data.study.factors)
    table.columns.push_back(
        f.discrete() ? report::text_column("f:" + f.name, f.name)
                     : report::number_column("f:" + f.name, f.name, "", f.integer ? 0 : 3));
  table.columns.push_back(report::integer_column("n", "runs"));
  table.columns.push_back(report::probability_column("p", "P(" + data.outcome_text + ")"));
  table.columns.push_back(report::probability_column("low", "95% CI low"));
  table.columns.push_back(report::probability_column("high", "95% CI high"));
  for (const auto& k : data.kpis)
    table.columns.push_back(is_money_kpi(k) ? report::money_column("k:" + k, "mean " + k, 3)
                                            : report::number_column("k:" + k, "mean " + k, "", 3));
  for (const auto& row : data.report.value("per_point", Json::array())) {
    std::vector<Json> cells = {row.value("point", 0)};
    for (const auto& f : data.study.factors) {
      const auto& v = row.at("factors").value(f.name, Json(nullptr));
      cells.push_back(f.discrete() ? Json(value_text(v)) : v);
    }
    const auto& op = row.at("outcome_probability");
    const bool counted = op.value("n", 0) > 0;
    cells.push_back(op.value("n", 0));
    cells.push_back(counted ? op.at("p") : Json(nullptr));
    cells.push_back(counted ? op.at("ci95_low") : Json(nullptr));
    cells.push_back(counted ? op.at("ci95_high") : Json(nullptr));
    for (const auto& k : data.kpis) {
      const auto& kpis = row.value("kpis", Json::object());
      cells.push_back(kpis.contains(k) ? kpis.at(k).at("mean") : Json(nullptr));
    }
    table.add_row(std::move(cells));
  }
  figure.tables.push_back(std::move(table));
  return figure;
}

// ---------------------------------------------------------------------------------------------
// PRIM

std::vector<Figure> prim_figures(const StudyData& data) {
  if (!data.prim) return {};
  const PrimResult& result = *data.prim;
  const PrimBox& box = result.trajectory[result.chosen];
  const auto& factors = data.study.factors;

  Figure box_figure;
  box_figure.id = "prim-box";
  box_figure.title = "The box: where " + data.outcome_text + " holds";
  box_figure.caption =
      "The conditions of the chosen PRIM box (" + describe(box, data.prim_factors) +
      "). Coverage: share of the runs where the outcome holds that fall in the box; "
      "density: share of the runs in the box where it holds; the whole study's "
      "density is " +
      report::format_number(result.base_density, 2) + ".";
  Table conditions;
  conditions.name = "PRIM box";
  conditions.title = "Conditions of the PRIM box";
  conditions.columns = {
      report::text_column("factor", "factor"), report::text_column("condition", "condition"),
      report::number_column("low", "at least", "", 3),
      report::number_column("high", "at most", "", 3), report::text_column("values", "one of")};
  for (const auto& r : box.restrictions) {
    const StudyFactor& f = factors[static_cast<std::size_t>(r.factor)];
    std::string allowed;
    for (const double a : r.allowed) {
      std::string text = report::format_number(a, 2);
      for (const auto& v : f.values)
        if (numeric_value(f, v) == a) text = value_text(v);
      allowed += (allowed.empty() ? "" : ", ") + text;
    }
    PrimBox single;
    single.restrictions = {r};
    std::string condition = describe(single, data.prim_factors);
    condition = condition.substr(0, condition.find(": coverage"));
    conditions.add_row({f.name, condition, report::number_cell(std::isfinite(r.low) ? r.low : nan),
                        report::number_cell(std::isfinite(r.high) ? r.high : nan),
                        allowed.empty() ? Json(nullptr) : Json(allowed)});
  }
  box_figure.tables.push_back(std::move(conditions));

  Figure trajectory;
  trajectory.id = "prim-trajectory";
  trajectory.title = "PRIM peeling trajectory: coverage against density";
  trajectory.caption =
      "Each point is a box along PRIM's peeling, from the whole study (coverage 1, lower right) "
      "to ever smaller boxes (higher density, lower coverage). The larger point is the box chosen: "
      "the densest with coverage of at least 0.5, after pasting.";
  Table steps;
  steps.name = "PRIM trajectory";
  steps.title = "PRIM peeling trajectory";
  steps.columns = {report::integer_column("step", "step"),
                   report::probability_column("coverage", "coverage"),
                   report::probability_column("density", "density"),
                   report::probability_column("support", "support"),
                   report::integer_column("points", "runs in the box"),
                   report::text_column("chosen", "chosen"),
                   report::text_column("rule", "box")};
  Json values = Json::array();
  for (std::size_t i = 0; i < result.trajectory.size(); ++i) {
    const PrimBox& b = result.trajectory[i];
    std::string rule = describe(b, data.prim_factors);
    rule = rule.substr(0, rule.find(": coverage"));
    steps.add_row(
        {i, b.coverage, b.density, b.support, b.points, i == result.chosen ? "yes" : "", rule});
    values.push_back({{"step", i},
                      {"coverage", b.coverage},
                      {"density", b.density},
                      {"chosen", i == result.chosen ? "chosen box" : "peeled box"},
                      {"rule", rule}});
  }
  trajectory.chart = {
      {"width", 460},
      {"height", 320},
      {"data", {{"values", values}}},
      {"layer",
       {{{"mark", {{"type", "line"}, {"color", "#9e9e9e"}}},
         {"encoding",
          {{"x",
            {{"field", "coverage"},
             {"type", "quantitative"},
             {"title", "coverage (share of the outcome's runs in the box)"},
             {"scale", {{"domain", {0, 1}}}}}},
           {"y",
            {{"field", "density"},
             {"type", "quantitative"},
             {"title", "density (share of the box's runs with the outcome)"},
             {"scale", {{"domain", {0, 1}}}}}},
           {"order", {{"field", "step"}}}}}},
        {{"mark", {{"type", "point"}, {"filled", true}}},
         {"encoding",
          {{"x", {{"field", "coverage"}, {"type", "quantitative"}}},
           {"y", {{"field", "density"}, {"type", "quantitative"}}},
           {"size",
            {{"field", "chosen"},
             {"type", "ordinal"},
             {"sort", {"peeled box", "chosen box"}},
             {"scale", {{"domain", {"peeled box", "chosen box"}}, {"range", {40, 220}}}},
             {"title", nullptr}}},
           {"color",
            {{"field", "chosen"},
             {"type", "ordinal"},
             {"sort", {"peeled box", "chosen box"}},
             {"scale",
              {{"domain", {"peeled box", "chosen box"}}, {"range", {"#1565c0", "#c62828"}}}},
             {"title", nullptr},
             {"legend", {{"orient", "bottom"}}}}},
           {"tooltip",
            {{{"field", "step"}},
             {{"field", "coverage"}, {"format", ".2f"}},
             {{"field", "density"}, {"format", ".2f"}},
             {{"field", "rule"}, {"title", "box"}}}}}}}}}};
  trajectory.tables.push_back(std::move(steps));
  return {box_figure, trajectory};
}

// ---------------------------------------------------------------------------------------------
// Sensitivity indices with bootstrap intervals

/// Per output (the outcome's probability, then each KPI), its value at every design point; empty
/// when a point has no successful run.
std::vector<std::pair<std::string, std::vector<double>>> outputs_by_point(const StudyData& data) {
  std::vector<std::pair<std::string, std::vector<double>>> outputs;
  const auto& rows = data.report.value("per_point", Json::array());
  std::vector<double> outcome;
  for (const auto& row : rows) {
    const auto& op = row.at("outcome_probability");
    outcome.push_back(op.value("n", 0) > 0 ? op.at("p").get<double>() : nan);
  }
  outputs.emplace_back("P(" + data.outcome_text + ")", outcome);
  for (const auto& k : data.kpis) {
    std::vector<double> values;
    for (const auto& row : rows) {
      const auto& kpis = row.value("kpis", Json::object());
      values.push_back(kpis.contains(k) ? kpis.at(k).at("mean").get<double>() : nan);
    }
    outputs.emplace_back(k, values);
  }
  // Indices need every point; outputs with gaps are left out.
  std::erase_if(outputs, [&](const auto& o) {
    return o.second.size() != data.points.size() ||
           std::any_of(o.second.begin(), o.second.end(), [](double v) { return std::isnan(v); });
  });
  return outputs;
}

Json facet_header() {
  return {{"labelAngle", 0},           {"labelOrient", "top"}, {"labelAnchor", "start"},
          {"labelFontWeight", "bold"}, {"labelFontSize", 13},  {"labelLimit", 600}};
}

std::vector<Figure> sensitivity_figures(const StudyData& data,
                                        const StudyDocumentOptions& options) {
  const auto kind = data.study.design.kind;
  if (kind != DesignKind::morris && kind != DesignKind::sobol) return {};
  const auto outputs = outputs_by_point(data);
  if (outputs.empty()) return {};
  const auto& factors = data.study.factors;
  Figure figure;
  Table table;
  Json values = Json::array();
  std::vector<std::string> constant;  // outputs equal at every design point: nothing to show
  if (kind == DesignKind::morris) {
    figure.id = "morris";
    figure.title = "Morris screening: mean absolute elementary effect (\u03bc*) of each factor";
    figure.caption =
        "\u03bc* is the mean absolute change of the output when one factor alone moves, scaled to "
        "a move over the factor's whole range (factors in unit coordinates), averaged over the "
        "trajectories; the lines are 95 % bootstrap intervals "
        "(trajectories resampled " +
        std::to_string(options.bootstrap_resamples) +
        " times). \u03c3 in the table is large when the factor interacts with others. Each "
        "output has its own scale.";
    table.name = "Morris";
    table.title = "Morris indices with 95% bootstrap intervals";
    table.columns = {report::text_column("output", "output"),
                     report::text_column("factor", "factor"),
                     report::number_column("mu", "\u03bc", "", 4),
                     report::number_column("mu_star", "\u03bc*", "", 4),
                     report::number_column("mu_star_low", "\u03bc* 95% low", "", 4),
                     report::number_column("mu_star_high", "\u03bc* 95% high", "", 4),
                     report::number_column("sigma", "\u03c3", "", 4)};
    const MorrisDesign design = morris_structure(data.study);
    for (const auto& [name, v] : outputs) {
      if (all_equal(v)) {
        constant.push_back(name);
        continue;
      }
      Rng rng(data.study.seed, 0, "bootstrap/" + name);
      const auto intervals = morris_bootstrap(design, v, options.bootstrap_resamples, rng);
      for (std::size_t j = 0; j < intervals.size(); ++j) {
        const auto& m = intervals[j];
        table.add_row({name, factors[j].name, report::number_cell(m.estimate.mu),
                       report::number_cell(m.estimate.mu_star), report::number_cell(m.mu_star_low),
                       report::number_cell(m.mu_star_high), report::number_cell(m.estimate.sigma)});
        values.push_back({{"output", name},
                          {"factor", factors[j].name},
                          {"estimate", report::number_cell(m.estimate.mu_star)},
                          {"low", report::number_cell(m.mu_star_low)},
                          {"high", report::number_cell(m.mu_star_high)}});
      }
    }
    figure.chart = {
        {"data", {{"values", values}}},
        {"facet",
         {{"row",
           {{"field", "output"},
            {"type", "nominal"},
            {"sort", nullptr},
            {"title", nullptr},
            {"header", facet_header()}}}}},
        {"spacing", 18},
        {"resolve", {{"scale", {{"x", "independent"}}}}},
        {"spec",
         {{"width", 520},
          {"height", {{"step", 24}}},
          {"layer",
           {{{"mark", {{"type", "bar"}, {"color", "#4c78a8"}, {"height", 14}}},
             {"encoding",
              {{"y",
                {{"field", "factor"}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}}},
               {"x", {{"field", "estimate"}, {"type", "quantitative"}, {"title", "\u03bc*"}}},
               {"tooltip",
                {{{"field", "factor"}},
                 {{"field", "estimate"}, {"title", "\u03bc*"}, {"format", ".4g"}},
                 {{"field", "low"}, {"format", ".4g"}},
                 {{"field", "high"}, {"format", ".4g"}}}}}}},
            {{"mark", {{"type", "rule"}, {"color", "#222"}, {"strokeWidth", 1.5}}},
             {"encoding",
              {{"y", {{"field", "factor"}, {"type", "nominal"}, {"sort", nullptr}}},
               {"x", {{"field", "low"}, {"type", "quantitative"}}},
               {"x2", {{"field", "high"}}}}}}}}}}};
  } else {
    figure.id = "sobol";
    figure.title = "Sobol indices: share of the output's variance due to each factor";
    figure.caption =
        "First order: the share of the variance a factor explains alone; total: with all its "
        "interactions. Lines are 95 % bootstrap intervals (base samples resampled " +
        std::to_string(options.bootstrap_resamples) +
        " times); estimates can stray below 0 or above 1 with few samples.";
    table.name = "Sobol";
    table.title = "Sobol indices with 95% bootstrap intervals";
    table.columns = {report::text_column("output", "output"),
                     report::text_column("factor", "factor"),
                     report::number_column("first", "first order", "", 3),
                     report::number_column("first_low", "first 95% low", "", 3),
                     report::number_column("first_high", "first 95% high", "", 3),
                     report::number_column("total", "total", "", 3),
                     report::number_column("total_low", "total 95% low", "", 3),
                     report::number_column("total_high", "total 95% high", "", 3)};
    const SaltelliDesign design = saltelli_structure(data.study);
    for (const auto& [name, v] : outputs) {
      if (all_equal(v)) {
        constant.push_back(name);  // no variance to apportion
        continue;
      }
      Rng rng(data.study.seed, 0, "bootstrap/" + name);
      const auto intervals = sobol_bootstrap(design, v, options.bootstrap_resamples, rng);
      for (std::size_t j = 0; j < intervals.size(); ++j) {
        const auto& s = intervals[j];
        if (std::isnan(s.estimate.first)) continue;
        table.add_row({name, factors[j].name, report::number_cell(s.estimate.first),
                       report::number_cell(s.first_low), report::number_cell(s.first_high),
                       report::number_cell(s.estimate.total), report::number_cell(s.total_low),
                       report::number_cell(s.total_high)});
        values.push_back({{"output", name},
                          {"factor", factors[j].name},
                          {"index", "first order"},
                          {"estimate", s.estimate.first},
                          {"low", report::number_cell(s.first_low)},
                          {"high", report::number_cell(s.first_high)}});
        values.push_back({{"output", name},
                          {"factor", factors[j].name},
                          {"index", "total"},
                          {"estimate", s.estimate.total},
                          {"low", report::number_cell(s.total_low)},
                          {"high", report::number_cell(s.total_high)}});
      }
    }
    if (values.empty()) return {};
    const Json y = {
        {"field", "factor"}, {"type", "nominal"}, {"sort", nullptr}, {"title", nullptr}};
    const Json offset = {
        {"field", "index"}, {"type", "nominal"}, {"sort", {"first order", "total"}}};
    figure.chart = {
        {"data", {{"values", values}}},
        {"facet",
         {{"row",
           {{"field", "output"},
            {"type", "nominal"},
            {"sort", nullptr},
            {"title", nullptr},
            {"header", facet_header()}}}}},
        {"spacing", 18},
        {"spec",
         {{"width", 520},
          {"height", {{"step", 34}}},
          {"layer",
           {{{"mark", {{"type", "bar"}, {"height", 12}}},
             {"encoding",
              {{"y", y},
               {"yOffset", offset},
               {"x",
                {{"field", "estimate"},
                 {"type", "quantitative"},
                 {"title", "Sobol index (share of variance)"}}},
               {"color",
                {{"field", "index"},
                 {"type", "nominal"},
                 {"title", nullptr},
                 {"scale",
                  {{"domain", {"first order", "total"}}, {"range", {"#4c78a8", "#f58518"}}}},
                 {"legend", {{"orient", "top"}}}}},
               {"tooltip",
                {{{"field", "factor"}},
                 {{"field", "index"}},
                 {{"field", "estimate"}, {"format", ".3f"}},
                 {{"field", "low"}, {"format", ".3f"}},
                 {{"field", "high"}, {"format", ".3f"}}}}}}},
            {{"mark", {{"type", "rule"}, {"color", "#222"}, {"strokeWidth", 1.5}}},
             {"encoding",
              {{"y", y},
               {"yOffset", offset},
               {"x", {{"field", "low"}, {"type", "quantitative"}}},
               {"x2", {{"field", "high"}}}}}}}}}}};
  }
  if (values.empty()) return {};
  if (!constant.empty()) {
    std::string names;
    for (const auto& name : constant)
      names += (names.empty() ? "" : ", ") + name;
    figure.caption +=
        " Left out, as they take the same value at every design point: " + names + ".";
  }
  figure.tables.push_back(std::move(table));
  return {figure};
}

// ---------------------------------------------------------------------------------------------
// KPI distributions and bidders

Figure distributions_figure(const StudyData& data) {
  Figure figure;
  figure.id = "kpi-distributions";
  figure.title = "How the KPIs are distributed over the runs";
  figure.caption =
      "Each KPI over every successful run of the study (all design points and replications): a "
      "bar per value when it takes at most 12 values, else a histogram of 12 equal bins. Money "
      "is in bn KRW.";
  Table table;
  table.name = "KPI distributions";
  table.title = "KPI histograms";
  table.columns = {report::text_column("kpi", "KPI"), report::number_column("from", "from", "", 3),
                   report::number_column("to", "to", "", 3),
                   report::integer_column("runs", "runs")};
  Json charts = Json::array();
  for (const auto& k : data.kpis) {
    std::vector<double> v;
    for (const auto& run : data.runs)
      if (auto x = kpi_value(run, k)) v.push_back(*x);
    if (v.empty()) continue;
    std::sort(v.begin(), v.end());
    std::map<double, std::size_t> distinct;
    for (const double x : v)
      ++distinct[x];
    Json values = Json::array();
    Json chart = {{"title", {{"text", k}, {"anchor", "start"}, {"fontSize", 13}}},
                  {"width", 300},
                  {"height", 150}};
    const Json y = {{"field", "runs"}, {"type", "quantitative"}, {"title", "runs"}};
    if (distinct.size() <= 12) {
      // Few values (flags, bid counts, a KPI the design does not move): one bar each.
      const bool whole =
          std::all_of(v.begin(), v.end(), [](double x) { return x == std::round(x); });
      int order = 0;
      for (const auto& [x, n] : distinct) {
        table.add_row({k, x, x, n});
        values.push_back(
            {{"value", report::format_number(x, whole ? 0 : 3)}, {"order", order++}, {"runs", n}});
      }
      chart["mark"] = {{"type", "bar"}, {"color", "#4c78a8"}, {"width", {{"band", 0.8}}}};
      chart["encoding"] = {{"x",
                            {{"field", "value"},
                             {"type", "ordinal"},
                             {"sort", {{"field", "order"}}},
                             {"title", "value"},
                             {"axis", {{"labelAngle", 0}}}}},
                           {"y", y},
                           {"tooltip", {{{"field", "value"}}, {{"field", "runs"}}}}};
    } else {
      const int count = 12;
      const double lo = v.front(), hi = v.back();
      std::vector<std::size_t> n(count, 0);
      for (const double x : v)
        ++n[static_cast<std::size_t>(
            std::clamp(static_cast<int>((x - lo) / (hi - lo) * count), 0, count - 1))];
      for (int i = 0; i < count; ++i) {
        const double from = lo + (hi - lo) * i / count, to = lo + (hi - lo) * (i + 1) / count;
        const std::size_t runs = n[static_cast<std::size_t>(i)];
        table.add_row({k, from, to, runs});
        values.push_back({{"from", from}, {"to", to}, {"runs", runs}});
      }
      chart["mark"] = {{"type", "bar"}, {"color", "#4c78a8"}};
      chart["encoding"] = {{"x",
                            {{"field", "from"},
                             {"type", "quantitative"},
                             {"bin", {{"binned", true}}},
                             {"title", "value"},
                             {"axis", {{"labelOverlap", "greedy"}}}}},
                           {"x2", {{"field", "to"}}},
                           {"y", y},
                           {"tooltip",
                            {{{"field", "from"}, {"format", ".4g"}},
                             {{"field", "to"}, {"format", ".4g"}},
                             {{"field", "runs"}}}}};
    }
    chart["data"] = {{"values", values}};
    charts.push_back(std::move(chart));
  }
  if (charts.empty()) return figure;
  figure.chart = {{"concat", charts}, {"columns", 2}, {"spacing", 36}};
  figure.tables.push_back(std::move(table));
  return figure;
}

Figure bidders_figure(const StudyData& data) {
  Figure figure;
  figure.id = "bidders";
  figure.title = "Bids received per round";
  figure.caption = "For each round, how many runs received 0, 1, 2, ... bids.";
  Table table;
  table.name = "Bidders per round";
  table.title = "Runs by bids received per round";
  table.columns = {report::text_column("round", "round"), report::integer_column("bids", "bids"),
                   report::integer_column("runs", "runs")};
  Json values = Json::array();
  const auto& bidders = data.report.value("bidders_per_round", Json::object());
  if (!bidders.is_object()) return figure;
  for (const auto& [round, histogram] : bidders.items())
    for (const auto& [count, runs] : histogram.items()) {
      table.add_row({round, std::stoi(count), runs});
      values.push_back({{"round", round},
                        {"bids", std::stoi(count) >= 3 ? "3 or more" : count},
                        {"order", std::stoi(count)},
                        {"runs", runs}});
    }
  if (values.empty()) return figure;
  figure.chart = {
      {"width", 560},
      {"height", {{"step", 26}}},
      {"data", {{"values", values}}},
      {"mark", {{"type", "bar"}, {"height", 18}}},
      {"encoding",
       {{"y",
         {{"field", "round"},
          {"type", "nominal"},
          {"title", nullptr},
          {"axis", {{"labelLimit", 260}}}}},
        {"x",
         {{"field", "runs"},
          {"type", "quantitative"},
          {"aggregate", "sum"},
          {"stack", "zero"},
          {"title", "runs"}}},
        {"color",
         {{"field", "bids"},
          {"type", "ordinal"},
          {"title", "bids received"},
          {"scale",
           {{"domain", {"0", "1", "2", "3 or more"}},
            {"range", {"#c62828", "#90caf9", "#42a5f5", "#0d47a1"}}}},
          {"legend", {{"orient", "top"}}}}},
        {"order", {{"field", "order"}}},
        {"tooltip",
         {{{"field", "round"}}, {{"field", "bids"}}, {{"field", "runs"}, {"aggregate", "sum"}}}}}}};
  figure.tables.push_back(std::move(table));
  return figure;
}

}  // namespace

ReportDocument study_document(const Study& study, ResultsStore& store,
                              const StudyDocumentOptions& options) {
  if (options.bootstrap_resamples < 2)
    throw InputError({InputProblem{"bootstrap", "", "at least 2 resamples",
                                   std::to_string(options.bootstrap_resamples)}});
  const StudyReport report = report_study(study, store);
  StudyData data{study, {}, design_points(study), report.data,
                 {},    {}, std::nullopt,         study.outcome.describe()};
  for (auto& run : store.runs())
    if (run.status == "ok") data.runs.push_back(std::move(run));
  for (const auto& row : data.report.value("per_point", Json::array())) {
    const Json kpis = row.value("kpis", Json::object());
    for (const auto& [k, v] : kpis.items())
      if (std::find(data.kpis.begin(), data.kpis.end(), k) == data.kpis.end())
        data.kpis.push_back(k);
  }
  // PRIM as the study report runs it (same inputs, same parameters), for the whole trajectory.
  std::vector<std::vector<double>> x;
  std::vector<int> y;
  for (const auto& run : data.runs) {
    const auto v = kpi_value(run, study.outcome.kpi);
    if (!v || !valid_point(data, run)) continue;
    x.push_back(factor_numbers(data, run));
    y.push_back(study.outcome.holds(*v) ? 1 : 0);
  }
  const auto positives = static_cast<std::size_t>(std::count(y.begin(), y.end(), 1));
  for (const auto& f : study.factors)
    data.prim_factors.push_back({f.name, f.discrete()});
  if (!study.factors.empty() && positives > 0 && positives < y.size())
    data.prim = prim(x, y, data.prim_factors);

  ReportDocument document;
  document.kind = "study";
  document.title = "Study " + study.name;
  document.subtitle = study.description;
  const auto& runs = data.report.at("runs");
  document.facts = {{"study", study.name},
                    {"study file", study.file},
                    {"design", std::string(to_string(study.design.kind)) + ", " +
                                   std::to_string(data.points.size()) + " points \u00d7 " +
                                   std::to_string(study.replications) + " replications"},
                    {"runs", runs.at("ok").dump() + " ok, " + runs.at("failed").dump() +
                                 " failed, " + runs.at("crashed").dump() + " crashed, of " +
                                 runs.at("expected").dump() + " expected"},
                    {"outcome", data.outcome_text},
                    {"seed", std::to_string(study.seed)},
                    {"base scenario", study.base_reference},
                    {"report by", std::string("tenderlab ") + tenderlab::version},
                    {"study SHA-256", study.study_sha256},
                    {"base scenario SHA-256", study.base_sha256},
                    {"results SHA-256", store.content_digest()}};

  Section outcome{"outcome",
                  "Where the outcome holds",
                  "The study's outcome is " + data.outcome_text + "; it holds in " +
                      std::to_string(positives) + " of " + std::to_string(y.size()) + " runs.",
                  {}};
  if (Figure map = outcome_map_figure(data, options); !map.tables.empty())
    outcome.figures.push_back(std::move(map));
  for (auto& f : prim_figures(data))
    outcome.figures.push_back(std::move(f));
  if (!data.prim) outcome.intro += " Nothing for PRIM to separate.";
  outcome.figures.push_back(points_figure(data));
  document.sections.push_back(std::move(outcome));

  if (study.design.kind == DesignKind::morris || study.design.kind == DesignKind::sobol) {
    Section sensitivity{"sensitivity", "Which factors matter",
                        "Sensitivity indices of the outcome's probability and of each KPI's mean "
                        "per design point.",
                        sensitivity_figures(data, options)};
    if (sensitivity.figures.empty())
      sensitivity.intro +=
          " Not computed: some design points have no successful run, or every output is constant.";
    document.sections.push_back(std::move(sensitivity));
  }
  Section kpis{"kpis", "KPIs over the runs", "", {}};
  if (Figure d = distributions_figure(data); !d.tables.empty())
    kpis.figures.push_back(std::move(d));
  if (Figure b = bidders_figure(data); !b.tables.empty()) kpis.figures.push_back(std::move(b));
  document.sections.push_back(std::move(kpis));
  return document;
}

}  // namespace tenderlab::analysis
