#include "tenderlab/analysis/html_report.hpp"

#include <set>
#include <stdexcept>

#include "report_support.hpp"
#include "tenderlab/version.hpp"
#include "web_assets.hpp"

namespace tenderlab::analysis {
namespace {

using report::Json;

std::string escape(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (const char c : text) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

void replace_all(std::string& text, const std::string& from, const std::string& to) {
  for (std::size_t at = text.find(from); at != std::string::npos;
       at = text.find(from, at + to.size()))
    text.replace(at, from.size(), to);
}

/// A script for a <script> element: without its source-map comment (the map is not shipped) and
/// with any "</script" or "<!--" escaped so the HTML parser cannot end the element early.
std::string inline_script(std::string_view source) {
  std::string script(source);
  const std::size_t map = script.rfind("\n//# sourceMappingURL=");
  if (map != std::string::npos) script.resize(map + 1);
  replace_all(script, "</script", "<\\/script");
  replace_all(script, "<!--", "<\\!--");
  return script;
}

/// JSON inside a <script type="application/json">: every "<" (only ever inside a string) becomes
/// "\u003c", which JSON reads the same, so no text can close the element or open a comment in it.
std::string inline_json(const Json& value) {
  std::string text = value.dump();
  replace_all(text, "<", "\\u003c");
  return text;
}

bool numeric(const TableColumn& column) {
  return column.format == CellFormat::integer || column.format == CellFormat::number ||
         column.format == CellFormat::money || column.format == CellFormat::probability;
}

void render_table(std::string& out, const Table& table, bool open) {
  // Short texts (ids, dates, numbers) stay on one line; long ones (reasons, consortia) wrap.
  std::vector<bool> wraps(table.columns.size(), false);
  for (const auto& row : table.rows)
    for (std::size_t c = 0; c < row.size(); ++c)
      if (row[c].is_string() && row[c].get<std::string>().size() > 32) wraps[c] = true;
  out += "<details";
  out += open ? " open" : "";
  out += "><summary>Data: " + escape(table.title) + " (" + std::to_string(table.rows.size()) +
         (table.rows.size() == 1 ? " row" : " rows") +
         ")</summary>\n<div class=\"table-wrap\"><table>\n<thead><tr>";
  for (const auto& column : table.columns) {
    out += numeric(column) ? "<th class=\"num\">" : "<th>";
    if (column.format == CellFormat::money)
      out += escape(column.title) + " (<span data-money-unit>bn KRW</span>)";
    else
      out += escape(report::column_heading(column));
    out += "</th>";
  }
  out += "</tr></thead>\n<tbody>\n";
  for (const auto& row : table.rows) {
    out += "<tr>";
    for (std::size_t c = 0; c < row.size(); ++c) {
      const auto& column = table.columns[c];
      const auto& value = row[c];
      if (column.format == CellFormat::money && value.is_number()) {
        out += "<td class=\"num\" data-bn=\"" + value.dump() + "\" data-decimals=\"" +
               std::to_string(column.decimals) + "\">";
      } else {
        out += numeric(column) ? "<td class=\"num\">" : wraps[c] ? "<td class=\"wrap\">" : "<td>";
      }
      out += escape(report::cell_text(value, column)) + "</td>";
    }
    out += "</tr>\n";
  }
  out += "</tbody></table></div></details>\n";
}

bool has_money(const ReportDocument& document) {
  for (const auto& section : document.sections)
    for (const auto& figure : section.figures) {
      if (!figure.chart.is_null() && figure.chart.dump().find("@money_") != std::string::npos)
        return true;
      for (const auto& table : figure.tables)
        for (const auto& column : table.columns)
          if (column.format == CellFormat::money) return true;
    }
  return false;
}

}  // namespace

std::string render_html(const ReportDocument& document) {
  std::string out;
  out.reserve(1 << 21);
  out +=
      "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
      "<meta name=\"generator\" content=\"tenderlab ";
  out += tenderlab::version;
  out += "\">\n<title>" + escape(document.title) + " \u2014 tenderlab</title>\n<style>\n";
  out += std::string(web_assets::report_css());
  out +=
      "</style>\n</head>\n<body>\n<header class=\"report-header\">\n<p class=\"kind\">tenderlab " +
      escape(document.kind) + " report</p>\n<h1>" + escape(document.title) + "</h1>\n";
  if (!document.subtitle.empty())
    out += "<p class=\"subtitle\">" + escape(document.subtitle) + "</p>\n";
  out += "<dl class=\"facts\">\n";
  for (const auto& [label, value] : document.facts) {
    const bool hash = label.find("SHA-256") != std::string::npos;
    out += "<dt>" + escape(label) + "</dt><dd" + (hash ? " class=\"hash\"" : "") + ">" +
           escape(value) + "</dd>\n";
  }
  out += "</dl>\n";
  if (has_money(document))
    out +=
        "<fieldset class=\"units\"><legend>Money in</legend>"
        "<label><input type=\"radio\" name=\"tl-money-unit\" value=\"bn\" checked> bn KRW</label>"
        "<label><input type=\"radio\" name=\"tl-money-unit\" value=\"eok\"> 억원 (0.1 bn "
        "KRW)</label>"
        "<label><input type=\"radio\" name=\"tl-money-unit\" value=\"jo\"> 조원 (1000 bn "
        "KRW)</label>"
        "</fieldset>\n";
  out += "</header>\n<nav class=\"contents\">";
  for (const auto& section : document.sections)
    out += "<a href=\"#" + escape(section.id) + "\">" + escape(section.title) + "</a>";
  out += "</nav>\n<main>\n";

  Json specs = Json::object();
  std::set<std::string> ids;
  for (const auto& section : document.sections) {
    out += "<section id=\"" + escape(section.id) + "\">\n<h2>" + escape(section.title) + "</h2>\n";
    if (!section.intro.empty()) out += "<p class=\"intro\">" + escape(section.intro) + "</p>\n";
    for (const auto& figure : section.figures) {
      if (!ids.insert(figure.id).second)
        throw std::logic_error("report: two figures with the id " + figure.id);
      out +=
          "<figure id=\"fig-" + escape(figure.id) + "\">\n<h3>" + escape(figure.title) + "</h3>\n";
      if (!figure.chart.is_null()) {
        out += "<div class=\"chart\" id=\"chart-" + escape(figure.id) +
               "\" role=\"img\" aria-label=\"" + escape(figure.title) + "\"></div>\n";
        specs[figure.id] = figure.chart;
      }
      if (!figure.caption.empty())
        out += "<figcaption>" + escape(figure.caption) + "</figcaption>\n";
      for (const auto& table : figure.tables)
        render_table(out, table, figure.chart.is_null() && table.rows.size() <= 30);
      out += "</figure>\n";
    }
    out += "</section>\n";
  }
  out += "</main>\n<footer>\n<p>Made by tenderlab ";
  out += tenderlab::version;
  out +=
      ". Charts drawn with " + escape(std::string(web_assets::library_versions())) +
      " (BSD-3-Clause, University of Washington Interactive Data Lab), included in this page: it "
      "needs no network access.</p>\n<details><summary>Licences</summary>\n<pre>Vega and "
      "Vega-Lite:\n" +
      escape(std::string(web_assets::vega_lite_license())) + "\nvega-embed:\n" +
      escape(std::string(web_assets::vega_embed_license())) + "</pre></details>\n</footer>\n";
  out += "<output id=\"tl-status\" hidden data-state=\"pending\"></output>\n";
  out += "<script type=\"application/json\" id=\"tl-specs\">" + inline_json(specs) + "</script>\n";
  for (const std::string_view script : {web_assets::vega_js(), web_assets::vega_lite_js(),
                                        web_assets::vega_embed_js(), web_assets::report_js()})
    out += "<script>\n" + inline_script(script) + "</script>\n";
  out += "</body>\n</html>\n";
  return out;
}

}  // namespace tenderlab::analysis
