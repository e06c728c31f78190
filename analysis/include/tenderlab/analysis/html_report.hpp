#pragma once
// A report document as one self-contained HTML page: every chart drawn by Vega-Lite (inlined, no
// network access when the page is viewed) beside its data table, a header saying what produced
// the numbers, and a switch between bn KRW, 억원 and 조원. Format: docs/html-report.md.
#include <string>

#include "tenderlab/analysis/report_document.hpp"

namespace tenderlab::analysis {

/// The page's bytes: the same document gives the same bytes (no dates, no random ids).
std::string render_html(const ReportDocument& document);

}  // namespace tenderlab::analysis
