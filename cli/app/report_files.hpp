#pragma once
// Writing a report document as an HTML page and/or an XLSX workbook, all or nothing.
#include <string>

#include "tenderlab/analysis/report_document.hpp"

namespace tenderlab::app {

/// Throws InputError (pointer `option`) when `path` is given and its folder does not exist, so a
/// long command can refuse a path it could never write before it starts.
void check_output_path(const std::string& path, const std::string& option);

/// Writes the HTML page to `html` and the workbook to `xlsx` (either may be empty: not written).
/// Both are written beside their targets first and renamed into place only when both are
/// complete; on an error neither target is touched and no partial file is left.
void write_report_files(const analysis::ReportDocument& document, const std::string& html,
                        const std::string& xlsx);

}  // namespace tenderlab::app
