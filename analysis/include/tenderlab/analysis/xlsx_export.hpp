#pragma once
// A report document as an XLSX workbook: a sheet "About" with the report's header, then one
// sheet per table, with units in the headings and a 억원 column beside every bn KRW column.
// Sheets: docs/html-report.md.
#include <string>

#include "tenderlab/analysis/report_document.hpp"

namespace tenderlab::analysis {

/// Writes the workbook to `path` (replacing it). The same document gives the same bytes: the
/// workbook's creation date is fixed (see `workbook_date`). Throws std::runtime_error when the
/// file cannot be written.
void write_xlsx(const ReportDocument& document, const std::string& path);

/// The creation date written into every workbook's properties: 2025-01-01T00:00:00Z. Excel needs
/// one; a fixed date keeps the bytes reproducible.
inline constexpr long long workbook_date = 1735689600;

}  // namespace tenderlab::analysis
