#include "report_support.hpp"

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"

namespace tenderlab::analysis {

void Table::add_row(std::vector<nlohmann::ordered_json> cells) {
  if (cells.size() != columns.size())
    throw std::logic_error("table " + name + ": a row of " + std::to_string(cells.size()) +
                           " cells for " + std::to_string(columns.size()) + " columns");
  rows.push_back(std::move(cells));
}

namespace report {

std::size_t CsvFile::column(const std::string& name) const {
  for (std::size_t i = 0; i < header.size(); ++i)
    if (header[i] == name) return i;
  throw InputError(
      {InputProblem{path, "line 1", "a column named \"" + name + "\"", "a header without it"}});
}

CsvFile read_csv(const std::filesystem::path& path) {
  CsvFile file;
  file.path = path.string();
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({InputProblem{file.path, "", "a readable CSV file", "no such file"}});
  std::ostringstream buffer;
  buffer << in.rdbuf();
  const std::string text = buffer.str();

  std::vector<std::vector<std::string>> records;
  std::vector<std::string> record;
  std::string field;
  bool quoted = false;
  bool field_started = false;
  std::size_t line = 1;
  std::size_t record_line = 1;
  auto end_field = [&] {
    record.push_back(std::move(field));
    field.clear();
    field_started = false;
  };
  auto end_record = [&] {
    end_field();
    records.push_back(std::move(record));
    record.clear();
  };
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"') {
        if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          quoted = false;
        }
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"' && !field_started) {
      quoted = true;
      field_started = true;
    } else if (c == ',') {
      end_field();
    } else if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') {
      continue;
    } else if (c == '\n') {
      end_record();
      ++line;
      record_line = line;
    } else {
      field += c;
      field_started = true;
    }
  }
  if (quoted)
    throw InputError({InputProblem{file.path, "line " + std::to_string(record_line),
                                   "a closing double quote", "the end of the file"}});
  if (!field.empty() || !record.empty()) end_record();
  if (records.empty())
    throw InputError({InputProblem{file.path, "", "a header row", "an empty file"}});
  file.header = std::move(records.front());
  for (std::size_t r = 1; r < records.size(); ++r) {
    if (records[r].size() != file.header.size())
      throw InputError({InputProblem{file.path, "row " + std::to_string(r + 1),
                                     std::to_string(file.header.size()) + " fields as the header",
                                     std::to_string(records[r].size()) + " fields"}});
    file.rows.push_back(std::move(records[r]));
  }
  return file;
}

nlohmann::json read_json_object(const std::filesystem::path& path) {
  nlohmann::json value = read_json_file(path);
  if (!value.is_object())
    throw InputError({InputProblem{path.string(), "", "a JSON object", describe_json(value)}});
  return value;
}

std::string format_number(double value, int decimals) {
  if (!std::isfinite(value)) return "";
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", decimals, value);
  std::string text = buffer;
  if (text == "-0" || text.find_first_not_of("-0.") == std::string::npos) {
    if (text[0] == '-') text.erase(0, 1);  // no "-0.0"
  }
  const bool negative = !text.empty() && text[0] == '-';
  const std::size_t start = negative ? 1 : 0;
  std::size_t point = text.find('.');
  if (point == std::string::npos) point = text.size();
  for (std::size_t pos = point; pos > start + 3; pos -= 3)
    text.insert(pos - 3, ",");
  return text;
}

std::string cell_text(const Json& value, const TableColumn& column) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "yes" : "no";
  if (!value.is_number()) return value.dump();
  const double number = value.get<double>();
  switch (column.format) {
    case CellFormat::integer:
      return format_number(number, 0);
    case CellFormat::number:
    case CellFormat::money:
    case CellFormat::probability:
      return format_number(number, column.decimals);
    case CellFormat::text:
    case CellFormat::date:
      break;
  }
  return value.dump();
}

std::string column_heading(const TableColumn& column) {
  return column.unit.empty() ? column.title : column.title + " (" + column.unit + ")";
}

TableColumn text_column(std::string key, std::string title) {
  return {std::move(key), std::move(title), "", CellFormat::text, 0};
}
TableColumn integer_column(std::string key, std::string title, std::string unit) {
  return {std::move(key), std::move(title), std::move(unit), CellFormat::integer, 0};
}
TableColumn number_column(std::string key, std::string title, std::string unit, int decimals) {
  return {std::move(key), std::move(title), std::move(unit), CellFormat::number, decimals};
}
TableColumn money_column(std::string key, std::string title, int decimals) {
  return {std::move(key), std::move(title), "bn KRW", CellFormat::money, decimals};
}
TableColumn probability_column(std::string key, std::string title, int decimals) {
  return {std::move(key), std::move(title), "", CellFormat::probability, decimals};
}
TableColumn date_column(std::string key, std::string title) {
  return {std::move(key), std::move(title), "", CellFormat::date, 0};
}

Json number_cell(double value) {
  return std::isfinite(value) ? Json(value) : Json(nullptr);
}

Json money_transform(const std::string& field, const std::string& as) {
  return {{"calculate", "datum['" + field + "'] * @money_factor@"}, {"as", as}};
}

std::string money_title(const std::string& title) {
  return title + " (@money_unit@)";
}

Json utc_date_parse(const std::vector<std::string>& fields) {
  Json parse = Json::object();
  for (const auto& field : fields)
    parse[field] = "utc:'%Y-%m-%d'";
  return parse;
}

Json date_axis_encoding(const std::string& field, const std::string& title) {
  return {{"field", field},
          {"type", "temporal"},
          {"scale", {{"type", "utc"}}},
          {"title", title},
          {"axis", {{"format", "%Y-%m"}, {"labelAngle", 0}, {"labelOverlap", "greedy"}}}};
}

const std::vector<std::string>& clause_order() {
  static const std::vector<std::string> order = {
      "buy_back",     "public_equity_share", "public_preferred",
      "loss_bearing", "damages_waiver",      "domestic_chip_share",
      "site",         "tax_credit",          "policy_loan",
      "ceiling_price"};
  return order;
}

std::string slug(const std::string& text) {
  std::string out;
  for (const char c : text) {
    if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
      out += c;
    else if (c >= 'A' && c <= 'Z')
      out += static_cast<char>(c - 'A' + 'a');
    else if (!out.empty() && out.back() != '-')
      out += '-';
  }
  while (!out.empty() && out.back() == '-')
    out.pop_back();
  return out.empty() ? "x" : out;
}

}  // namespace report
}  // namespace tenderlab::analysis
