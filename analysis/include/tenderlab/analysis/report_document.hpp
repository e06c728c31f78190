#pragma once
// A report of a run, a study or a comparison as figures and tables, independent of how it is
// shown: the HTML page (html_report.hpp) draws each figure's chart with its table beside it, the
// XLSX workbook (xlsx_export.hpp) writes every table as a sheet. Builders: report_builders.hpp.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace tenderlab::analysis {

/// How a column's values are written. `money` columns hold bn KRW; the HTML page can show them in
/// 억원 or 조원 as well, and the workbook adds a 억원 column beside each.
enum class CellFormat { text, integer, number, money, probability, date };

struct TableColumn {
  std::string key;    ///< field name (chart data, JSON); unique within its table
  std::string title;  ///< heading, without the unit
  std::string unit;   ///< "GPUs", "MW", "bn KRW" (money), "" for none
  CellFormat format = CellFormat::text;
  int decimals = 0;  ///< for number, money and probability
};

/// One table: a sheet of the workbook and the data table beside a chart. Cells are JSON scalars:
/// strings, numbers, booleans or null (an empty cell).
struct Table {
  std::string name;  ///< sheet name: at most 31 characters, unique within the document
  std::string title;
  std::vector<TableColumn> columns;
  std::vector<std::vector<nlohmann::ordered_json>> rows;

  /// Appends a row; throws std::logic_error if it has not one cell per column.
  void add_row(std::vector<nlohmann::ordered_json> cells);
};

/// A chart and the tables that hold its numbers. A figure without a chart is a table on its own.
struct Figure {
  std::string id;  ///< unique within the document; letters, digits and '-'
  std::string title;
  std::string caption;  ///< how to read the chart (plain text)
  /// A Vega-Lite specification with its data inline, or null. Money in charts is written with two
  /// placeholders the page replaces when the reader picks a unit: "@money_factor@" inside
  /// expressions (1 for bn KRW) and "@money_unit@" inside titles.
  nlohmann::ordered_json chart;
  std::vector<Table> tables;
};

struct Section {
  std::string id;
  std::string title;
  std::string intro;
  std::vector<Figure> figures;
};

struct ReportDocument {
  std::string kind;   ///< "run", "study" or "comparison"
  std::string title;  ///< e.g. "Run of naicc-2025"
  std::string subtitle;
  /// The header: what produced the report (name, seed, version, hashes), label -> value.
  std::vector<std::pair<std::string, std::string>> facts;
  std::vector<Section> sections;
};

}  // namespace tenderlab::analysis
