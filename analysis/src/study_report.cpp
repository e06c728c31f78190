#include "tenderlab/analysis/study_report.hpp"

#include <cmath>
#include <cstdio>
#include <map>
#include <sstream>

#include "tenderlab/analysis/prim.hpp"
#include "tenderlab/analysis/statistics.hpp"

namespace tenderlab::analysis {
namespace {

std::string fmt(double value, int digits = 2) {
  if (std::isnan(value)) return "n/a";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::optional<double> kpi_of(const RunRecord& run, const std::string& name) {
  if (!run.kpis.is_object() || !run.kpis.contains(name)) return std::nullopt;
  const auto& value = run.kpis.at(name);
  if (value.is_number()) return value.get<double>();
  if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
  return std::nullopt;
}

nlohmann::ordered_json summary_json(const Summary& s) {
  return {{"n", s.n},
          {"mean", s.mean},
          {"ci95_low",
           std::isnan(s.low) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.low)},
          {"ci95_high",
           std::isnan(s.high) ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s.high)}};
}

std::string value_text(const nlohmann::json& value) {
  if (value.is_number_float()) return fmt(value.get<double>());
  return value.dump();
}

}  // namespace

double numeric_value(const StudyFactor& factor, const nlohmann::json& value) {
  if (value.is_number()) return value.get<double>();
  if (value.is_boolean()) return value.get<bool>() ? 1.0 : 0.0;
  for (std::size_t i = 0; i < factor.values.size(); ++i)
    if (factor.values[i] == value) return static_cast<double>(i);
  return std::nan("");
}

StudyReport report_study(const Study& study, ResultsStore& store) {
  StudyReport report;
  std::ostringstream text;
  const std::vector<RunRecord> runs = store.runs();
  const std::vector<DesignPoint> points = design_points(study);
  std::vector<std::string> kpis = study.kpis;
  if (kpis.empty())
    kpis = {"awarded", "award_round", "bids_round_1", "gpus_online", "public_money_bn_krw"};

  std::size_t ok = 0, failed = 0, crashed = 0;
  std::map<int, std::vector<const RunRecord*>> by_point;
  for (const auto& run : runs) {
    if (run.status == "ok") {
      ++ok;
      by_point[run.point].push_back(&run);
    } else if (run.status == "failed") {
      ++failed;
    } else {
      ++crashed;
    }
  }
  auto& data = report.data;
  data["study"] = study.name;
  data["design"] = to_string(study.design.kind);
  data["points"] = points.size();
  data["replications"] = study.replications;
  data["runs"] = {{"expected", points.size() * static_cast<std::size_t>(study.replications)},
                  {"recorded", runs.size()},
                  {"ok", ok},
                  {"failed", failed},
                  {"crashed", crashed}};
  data["outcome"] = study.outcome.describe();
  text << "study " << study.name << ": " << to_string(study.design.kind) << " design, "
       << points.size() << " points x " << study.replications << " replications; " << ok
       << " runs ok, " << failed << " failed, " << crashed << " crashed\n";
  text << "outcome: " << study.outcome.describe() << "\n";

  // Per point: outcome probability with a Wilson interval, KPI means with t intervals.
  nlohmann::ordered_json point_rows = nlohmann::ordered_json::array();
  std::vector<double> outcome_by_point(points.size(), std::nan(""));
  std::map<std::string, std::vector<double>> kpi_by_point;
  for (const auto& k : kpis)
    kpi_by_point[k].assign(points.size(), std::nan(""));
  text << "\nper design point (mean [95% CI]):\n";
  const std::size_t shown = 20;
  for (std::size_t p = 0; p < points.size(); ++p) {
    nlohmann::ordered_json row;
    row["point"] = p;
    nlohmann::ordered_json factors;
    std::string factor_text;
    for (std::size_t j = 0; j < study.factors.size(); ++j) {
      factors[study.factors[j].name] = points[p].values[j];
      factor_text +=
          (j ? ", " : "") + study.factors[j].name + "=" + value_text(points[p].values[j]);
    }
    row["factors"] = factors;
    const auto& point_runs = by_point[static_cast<int>(p)];
    std::size_t holds = 0, counted = 0;
    for (const RunRecord* run : point_runs)
      if (auto v = kpi_of(*run, study.outcome.kpi)) {
        ++counted;
        holds += study.outcome.holds(*v) ? 1 : 0;
      }
    const Proportion outcome = proportion(holds, counted);
    row["outcome_probability"] = {{"n", counted},
                                  {"p", counted ? outcome.p : 0.0},
                                  {"ci95_low", outcome.low},
                                  {"ci95_high", outcome.high}};
    if (counted) outcome_by_point[p] = outcome.p;
    std::vector<std::string> kpi_items;
    nlohmann::ordered_json kpi_rows;
    for (const auto& k : kpis) {
      std::vector<double> values;
      for (const RunRecord* run : point_runs)
        if (auto v = kpi_of(*run, k)) values.push_back(*v);
      if (values.empty()) continue;
      const Summary s = summarize(values);
      kpi_rows[k] = summary_json(s);
      kpi_by_point[k][p] = s.mean;
      kpi_items.push_back(k + " " + fmt(s.mean) +
                          (std::isnan(s.low) ? "" : " [" + fmt(s.low) + ", " + fmt(s.high) + "]"));
    }
    row["kpis"] = kpi_rows;
    point_rows.push_back(row);
    if (p < shown) {
      text << "  #" << p << (factor_text.empty() ? "" : " " + factor_text) << ": P("
           << study.outcome.describe() << ") " << fmt(outcome.p) << " [" << fmt(outcome.low) << ", "
           << fmt(outcome.high) << "]\n";
      // KPIs wrapped under the point, a few to a line.
      std::string line = "     ";
      for (const auto& item : kpi_items) {
        if (line.size() + item.size() > 100 && line.size() > 5) {
          text << line << "\n";
          line = "     ";
        }
        line += " " + item + ";";
      }
      if (line.size() > 5) text << line << "\n";
    }
  }
  if (points.size() > shown)
    text << "  ... " << points.size() - shown << " more points (all of them in --json)\n";
  data["per_point"] = point_rows;

  // Bidders per round, over every run.
  std::map<std::string, std::map<int, std::size_t>> bidders;
  for (const auto& run : runs) {
    if (run.status != "ok" || !run.kpis.is_object()) continue;
    for (const auto& [name, value] : run.kpis.items())
      if (name.rfind("bids_round_", 0) == 0 && value.is_number())
        ++bidders[name][static_cast<int>(value.get<double>())];
  }
  nlohmann::ordered_json bidder_json;
  if (!bidders.empty()) text << "\nbidders per round (runs with 0, 1, 2, ... bids):\n";
  for (const auto& [round, histogram] : bidders) {
    nlohmann::ordered_json h;
    std::string line;
    for (const auto& [count, runs_with] : histogram) {
      h[std::to_string(count)] = runs_with;
      line += (line.empty() ? "" : ", ") + std::to_string(count) +
              " bids: " + std::to_string(runs_with);
    }
    bidder_json[round] = h;
    text << "  " << round << ": " << line << "\n";
  }
  data["bidders_per_round"] = bidder_json;

  // Sensitivity indices need every point.
  const bool complete = std::none_of(outcome_by_point.begin(), outcome_by_point.end(),
                                     [](double v) { return std::isnan(v); });
  auto outputs_for = [&](const std::string& name) -> const std::vector<double>& {
    return name == "outcome" ? outcome_by_point : kpi_by_point[name];
  };
  std::vector<std::string> sensitivity_outputs = {"outcome"};
  for (const auto& k : kpis)
    sensitivity_outputs.push_back(k);
  if (study.design.kind == DesignKind::morris || study.design.kind == DesignKind::sobol) {
    nlohmann::ordered_json sensitivity;
    if (!complete) {
      text << "\nsensitivity: not computed, some design points have no successful run\n";
    } else {
      text << "\nsensitivity ("
           << (study.design.kind == DesignKind::morris ? "Morris mu*, sigma" : "Sobol first, total")
           << "):\n";
      for (const auto& output : sensitivity_outputs) {
        const auto& values = outputs_for(output);
        if (std::any_of(values.begin(), values.end(), [](double v) { return std::isnan(v); }))
          continue;
        nlohmann::ordered_json per_factor;
        std::string line;
        if (study.design.kind == DesignKind::morris) {
          const auto indices = morris_indices(morris_structure(study), values);
          for (std::size_t j = 0; j < indices.size(); ++j) {
            per_factor[study.factors[j].name] = {{"mu", indices[j].mu},
                                                 {"mu_star", indices[j].mu_star},
                                                 {"sigma", indices[j].sigma}};
            line += (j ? ", " : "") + study.factors[j].name + " " + fmt(indices[j].mu_star, 3) +
                    "/" + fmt(indices[j].sigma, 3);
          }
        } else {
          const auto indices = sobol_indices(saltelli_structure(study), values);
          for (std::size_t j = 0; j < indices.size(); ++j) {
            per_factor[study.factors[j].name] = {{"first", indices[j].first},
                                                 {"total", indices[j].total}};
            line += (j ? ", " : "") + study.factors[j].name + " " + fmt(indices[j].first, 3) + "/" +
                    fmt(indices[j].total, 3);
          }
        }
        sensitivity[output] = per_factor;
        text << "  " << (output == "outcome" ? "P(" + study.outcome.describe() + ")" : output)
             << ": " << line << "\n";
      }
    }
    data["sensitivity"] = sensitivity;
  }

  // Scenario discovery: where does the outcome hold?
  std::vector<std::vector<double>> x;
  std::vector<int> y;
  for (const auto& run : runs) {
    if (run.status != "ok") continue;
    auto v = kpi_of(run, study.outcome.kpi);
    if (!v || run.point < 0 || static_cast<std::size_t>(run.point) >= points.size()) continue;
    std::vector<double> row;
    for (std::size_t j = 0; j < study.factors.size(); ++j)
      row.push_back(
          numeric_value(study.factors[j], points[static_cast<std::size_t>(run.point)].values[j]));
    x.push_back(std::move(row));
    y.push_back(study.outcome.holds(*v) ? 1 : 0);
  }
  std::size_t positives = 0;
  for (int v : y)
    positives += static_cast<std::size_t>(v);
  nlohmann::ordered_json discovery;
  discovery["runs"] = y.size();
  discovery["outcome_share"] =
      y.empty() ? 0.0 : static_cast<double>(positives) / static_cast<double>(y.size());
  if (!study.factors.empty() && positives > 0 && positives < y.size()) {
    std::vector<PrimFactor> prim_factors;
    for (const auto& f : study.factors)
      prim_factors.push_back({f.name, f.discrete()});
    const PrimResult result = prim(x, y, prim_factors);
    const PrimBox& box = result.trajectory[result.chosen];
    const std::string rule = describe(box, prim_factors);
    discovery["rule"] = rule;
    discovery["coverage"] = box.coverage;
    discovery["density"] = box.density;
    discovery["support"] = box.support;
    text << "\nscenario discovery (PRIM) for " << study.outcome.describe() << ", which holds in "
         << positives << " of " << y.size() << " runs:\n  " << rule << "\n";
  } else if (!y.empty()) {
    text << "\nscenario discovery: " << study.outcome.describe() << " holds in " << positives
         << " of " << y.size() << " runs, nothing to separate\n";
  }
  data["discovery"] = discovery;
  // Whether any successful run recorded the outcome's KPI (a misspelt KPI records nothing).
  data["outcome_recorded"] = !y.empty() || ok == 0;
  report.text = text.str();
  return report;
}

}  // namespace tenderlab::analysis
