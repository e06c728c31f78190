#include "tenderlab/analysis/xlsx_export.hpp"

#include <xlsxwriter.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <set>
#include <stdexcept>

#include "report_support.hpp"
#include "tenderlab/version.hpp"

namespace tenderlab::analysis {
namespace {

using report::Json;

/// A sheet name Excel accepts: at most 31 characters, none of []:*?/\, unique ignoring case.
std::string sheet_name(const std::string& wanted, std::set<std::string>& taken) {
  std::string base;
  for (const char c : wanted)
    base += std::string("[]:*?/\\").find(c) == std::string::npos ? c : '-';
  while (!base.empty() && base.front() == '\'')
    base.erase(base.begin());
  if (base.empty()) base = "Sheet";
  auto lower = [](std::string s) {
    std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
    return s;
  };
  for (int n = 1;; ++n) {
    const std::string suffix = n == 1 ? "" : " " + std::to_string(n);
    // Cut on a character boundary of UTF-8 text.
    std::string name = base;
    std::size_t limit = 31 - suffix.size();
    if (name.size() > limit) {
      while (limit > 0 && (static_cast<unsigned char>(name[limit]) & 0xC0) == 0x80)
        --limit;
      name.resize(limit);
    }
    name += suffix;
    if (lower(name) != "history" && taken.insert(lower(name)).second) return name;
  }
}

/// The Excel number format of a column.
std::string number_format(const TableColumn& column, int decimals) {
  if (column.format == CellFormat::integer || decimals <= 0) return "#,##0";
  if (column.format == CellFormat::probability)
    return "0." + std::string(static_cast<std::size_t>(decimals), '0');
  return "#,##0." + std::string(static_cast<std::size_t>(decimals), '0');
}

class Workbook {
 public:
  explicit Workbook(const std::string& path) : path_(path) {
    lxw_workbook_options options{};
    options.constant_memory = LXW_FALSE;
    options.tmpdir = nullptr;
    options.use_zip64 = LXW_FALSE;
    workbook_ = workbook_new_opt(path.c_str(), &options);
    if (!workbook_) throw std::runtime_error(path + ": cannot create the workbook");
    bold_ = workbook_add_format(workbook_);
    format_set_bold(bold_);
    header_ = workbook_add_format(workbook_);
    format_set_bold(header_);
    format_set_bottom(header_, LXW_BORDER_THIN);
    format_set_text_wrap(header_);
    format_set_align(header_, LXW_ALIGN_VERTICAL_TOP);
    title_ = workbook_add_format(workbook_);
    format_set_bold(title_);
    format_set_font_size(title_, 14);
    date_ = workbook_add_format(workbook_);
    format_set_num_format(date_, "yyyy-mm-dd");
  }
  ~Workbook() {
    // An exception before close(): free the workbook; the caller removes the partial file.
    if (workbook_) workbook_close(workbook_);
  }
  Workbook(const Workbook&) = delete;
  Workbook& operator=(const Workbook&) = delete;

  lxw_workbook* get() { return workbook_; }
  lxw_format* bold() { return bold_; }
  lxw_format* header() { return header_; }
  lxw_format* title() { return title_; }
  lxw_format* date() { return date_; }
  lxw_format* number(const std::string& format) {
    auto& slot = numbers_[format];
    if (!slot) {
      slot = workbook_add_format(workbook_);
      format_set_num_format(slot, format.c_str());
    }
    return slot;
  }
  void close() {
    const lxw_error error = workbook_close(workbook_);
    workbook_ = nullptr;
    if (error != LXW_NO_ERROR)
      throw std::runtime_error(path_ + ": cannot write the workbook (" + lxw_strerror(error) + ")");
  }

 private:
  std::string path_;
  lxw_workbook* workbook_ = nullptr;
  lxw_format* bold_ = nullptr;
  lxw_format* header_ = nullptr;
  lxw_format* title_ = nullptr;
  lxw_format* date_ = nullptr;
  std::map<std::string, lxw_format*> numbers_;
};

void check(lxw_error error, const std::string& what) {
  if (error != LXW_NO_ERROR) throw std::runtime_error(what + ": " + lxw_strerror(error));
}

/// A "YYYY-MM-DD" text as a date cell, or false when it is not one.
bool write_date(lxw_worksheet* sheet, lxw_row_t row, lxw_col_t col, const std::string& text,
                lxw_format* format) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  for (const std::size_t i : {0, 1, 2, 3, 5, 6, 8, 9})
    if (!std::isdigit(static_cast<unsigned char>(text[i]))) return false;
  lxw_datetime date{};
  date.year = std::stoi(text.substr(0, 4));
  date.month = std::stoi(text.substr(5, 2));
  date.day = std::stoi(text.substr(8, 2));
  check(worksheet_write_datetime(sheet, row, col, &date, format), "date cell");
  return true;
}

void write_about(Workbook& book, const ReportDocument& document,
                 const std::vector<std::pair<std::string, const Table*>>& sheets) {
  lxw_worksheet* sheet = workbook_add_worksheet(book.get(), "About");
  lxw_row_t row = 0;
  worksheet_write_string(sheet, row++, 0, document.title.c_str(), book.title());
  if (!document.subtitle.empty())
    worksheet_write_string(sheet, row++, 0, document.subtitle.c_str(), nullptr);
  ++row;
  for (const auto& [label, value] : document.facts) {
    worksheet_write_string(sheet, row, 0, label.c_str(), book.bold());
    worksheet_write_string(sheet, row++, 1, value.c_str(), nullptr);
  }
  const std::string made = std::string("tenderlab ") + tenderlab::version;
  worksheet_write_string(sheet, row, 0, "workbook by", book.bold());
  worksheet_write_string(sheet, row++, 1, made.c_str(), nullptr);
  worksheet_write_string(sheet, row, 0, "money", book.bold());
  worksheet_write_string(sheet, row++, 1,
                         "bn KRW (billions of won); each bn KRW column has a 억원 column beside it "
                         "(1 bn KRW = 10 억원; 1 조원 = 1000 bn KRW)",
                         nullptr);
  ++row;
  worksheet_write_string(sheet, row, 0, "sheet", book.header());
  worksheet_write_string(sheet, row++, 1, "what it holds", book.header());
  for (const auto& [name, table] : sheets) {
    worksheet_write_string(sheet, row, 0, name.c_str(), nullptr);
    worksheet_write_string(sheet, row++, 1, table->title.c_str(), nullptr);
  }
  worksheet_set_column(sheet, 0, 0, 24, nullptr);
  worksheet_set_column(sheet, 1, 1, 90, nullptr);
}

void write_table(Workbook& book, const std::string& name, const Table& table) {
  lxw_worksheet* sheet = workbook_add_worksheet(book.get(), name.c_str());
  if (!sheet) throw std::runtime_error("cannot add the sheet " + name);
  // Each money column is followed by the same amounts in 억원.
  struct OutColumn {
    std::size_t source;
    std::string heading;
    double factor;
    int decimals;
  };
  std::vector<OutColumn> out;
  for (std::size_t c = 0; c < table.columns.size(); ++c) {
    const auto& column = table.columns[c];
    out.push_back({c, report::column_heading(column), 1.0, column.decimals});
    if (column.format == CellFormat::money)
      out.push_back({c, column.title + " (억원)", 10.0, std::max(0, column.decimals - 1)});
  }
  std::vector<double> widths(out.size(), 8.0);
  for (std::size_t o = 0; o < out.size(); ++o) {
    check(worksheet_write_string(sheet, 0, static_cast<lxw_col_t>(o), out[o].heading.c_str(),
                                 book.header()),
          name);
    widths[o] =
        std::max(widths[o], std::min(30.0, static_cast<double>(out[o].heading.size()) * 0.9));
  }
  for (std::size_t r = 0; r < table.rows.size(); ++r) {
    const auto row = static_cast<lxw_row_t>(r + 1);
    for (std::size_t o = 0; o < out.size(); ++o) {
      const auto col = static_cast<lxw_col_t>(o);
      const auto& column = table.columns[out[o].source];
      const Json& value = table.rows[r][out[o].source];
      double width = 0;
      if (value.is_null()) continue;
      if (value.is_boolean()) {
        check(worksheet_write_boolean(sheet, row, col, value.get<bool>(), nullptr), name);
        width = 6;
      } else if (value.is_number()) {
        const double number = value.get<double>() * out[o].factor;
        check(worksheet_write_number(sheet, row, col, number,
                                     book.number(number_format(column, out[o].decimals))),
              name);
        width = static_cast<double>(report::format_number(number, out[o].decimals).size()) + 2;
      } else {
        const std::string text = value.is_string() ? value.get<std::string>() : value.dump();
        if (column.format == CellFormat::date && write_date(sheet, row, col, text, book.date())) {
          width = 11;
        } else {
          check(worksheet_write_string(sheet, row, col, text.c_str(), nullptr), name);
          width = static_cast<double>(text.size()) + 1;
        }
      }
      widths[o] = std::max(widths[o], std::min(60.0, width));
    }
  }
  for (std::size_t o = 0; o < out.size(); ++o)
    worksheet_set_column(sheet, static_cast<lxw_col_t>(o), static_cast<lxw_col_t>(o), widths[o],
                         nullptr);
  worksheet_freeze_panes(sheet, 1, 0);
  if (!table.rows.empty())
    worksheet_autofilter(sheet, 0, 0, static_cast<lxw_row_t>(table.rows.size()),
                         static_cast<lxw_col_t>(out.size() - 1));
}

}  // namespace

void write_xlsx(const ReportDocument& document, const std::string& path) {
  std::set<std::string> taken = {"about"};
  std::vector<std::pair<std::string, const Table*>> sheets;
  for (const auto& section : document.sections)
    for (const auto& figure : section.figures)
      for (const auto& table : figure.tables)
        sheets.emplace_back(sheet_name(table.name, taken), &table);

  Workbook book(path);
  const std::string title = document.title;
  const std::string author = std::string("tenderlab ") + tenderlab::version;
  lxw_doc_properties properties{};
  properties.title = const_cast<char*>(title.c_str());
  properties.author = const_cast<char*>(author.c_str());
  properties.created = static_cast<time_t>(workbook_date);
  check(workbook_set_properties(book.get(), &properties), path);
  write_about(book, document, sheets);
  for (const auto& [name, table] : sheets)
    write_table(book, name, *table);
  book.close();
}

}  // namespace tenderlab::analysis
