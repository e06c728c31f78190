#pragma once
// Shared pieces of the report builders: reading CSV outputs back, number formatting and the
// Vega-Lite building blocks every chart uses (money in the reader's unit, UTC dates).
#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/analysis/report_document.hpp"

namespace tenderlab::analysis::report {

using Json = nlohmann::ordered_json;

/// A CSV file as written by tenderlab (RFC 4180): the header and the rows, every row as long as
/// the header.
struct CsvFile {
  std::string path;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
  /// Index of a column; throws InputError naming the file when it has no such column.
  std::size_t column(const std::string& name) const;
};

/// Reads a CSV file; throws InputError naming the file and line for a missing file, an
/// unterminated quote or a row with another number of fields than the header.
CsvFile read_csv(const std::filesystem::path& path);

/// A JSON object file; throws InputError (missing file, syntax, not an object).
nlohmann::json read_json_object(const std::filesystem::path& path);

/// `value` with `decimals` decimals and thousands separators: 15000 -> "15,000".
std::string format_number(double value, int decimals);

/// The text of a cell as the HTML table shows it (money in bn KRW).
std::string cell_text(const Json& value, const TableColumn& column);

/// A column heading with its unit: "public money (bn KRW)".
std::string column_heading(const TableColumn& column);

/// Table column shorthands.
TableColumn text_column(std::string key, std::string title);
TableColumn integer_column(std::string key, std::string title, std::string unit = "");
TableColumn number_column(std::string key, std::string title, std::string unit, int decimals);
TableColumn money_column(std::string key, std::string title, int decimals = 1);
TableColumn probability_column(std::string key, std::string title, int decimals = 2);
TableColumn date_column(std::string key, std::string title);

/// A number cell, null when not finite (JSON has no NaN).
Json number_cell(double value);

/// A Vega-Lite `calculate` transform that converts a bn KRW field into the reader's unit.
Json money_transform(const std::string& field, const std::string& as);
/// "title (@money_unit@)": a money axis or legend title in the reader's unit.
std::string money_title(const std::string& title);
/// d3 format of money values in tooltips, in the reader's unit.
inline constexpr const char* money_format = "@money_format@";

/// A date parse for Vega-Lite data: "YYYY-MM-DD" read as UTC midnight, so the axis shows the same
/// days in every time zone.
Json utc_date_parse(const std::vector<std::string>& fields);

/// A temporal x encoding on a UTC scale with year-month labels.
Json date_axis_encoding(const std::string& field, const std::string& title);

/// The clauses of a term sheet in the order the event log lists their effects.
const std::vector<std::string>& clause_order();

/// A sheet or element id from free text: lower case, letters and digits, '-' elsewhere.
std::string slug(const std::string& text);

}  // namespace tenderlab::analysis::report
