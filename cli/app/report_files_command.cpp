// `tenderlab report INPUT [--html FILE] [--xlsx FILE]`: the text analysis of a study (as before)
// and the HTML page and XLSX workbook of a run folder, a study or a comparison's JSON.
#include <filesystem>
#include <fstream>
#include <iostream>

#include "app/commands.hpp"
#include "app/output.hpp"
#include "app/report_files.hpp"
#include "tenderlab/analysis/html_report.hpp"
#include "tenderlab/analysis/output_directory.hpp"
#include "tenderlab/analysis/report_builders.hpp"
#include "tenderlab/analysis/results_store.hpp"
#include "tenderlab/analysis/study.hpp"
#include "tenderlab/analysis/xlsx_export.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"

namespace tenderlab::app {
namespace {
namespace fs = std::filesystem;

enum class InputKind { run, comparison, study };

/// What `report` was given: a run folder or manifest, a comparison's JSON, else a study file.
InputKind classify(const std::string& input) {
  std::error_code code;
  if (fs::is_directory(input, code)) return InputKind::run;
  if (!fs::is_regular_file(input, code)) return InputKind::study;  // the study path reports it
  try {
    const nlohmann::json document = read_json_file(input);
    const std::string format = document.is_object() ? document.value("format", "") : "";
    if (format == "tenderlab-manifest/1") return InputKind::run;
    if (format == analysis::comparison_format) return InputKind::comparison;
  } catch (const InputError&) {
  }
  return InputKind::study;
}

}  // namespace

void check_output_path(const std::string& path, const std::string& option) {
  if (path.empty()) return;
  const fs::path target(path);
  const fs::path folder = target.parent_path().empty() ? fs::path(".") : target.parent_path();
  std::error_code code;
  if (!fs::is_directory(folder, code))
    throw InputError({InputProblem{option, "", "a file in an existing folder",
                                   "\"" + path + "\", whose folder does not exist"}});
  // The same refusal as --json: a link, a folder or a device is never written through.
  analysis::check_file_target(target);
}

void write_report_files(const analysis::ReportDocument& document, const std::string& html,
                        const std::string& xlsx) {
  check_output_path(html, "--html");
  check_output_path(xlsx, "--xlsx");
  // Both files are complete under temporary names before either replaces its target.
  std::optional<analysis::StagedFile> html_file, xlsx_file;
  if (!html.empty()) {
    html_file.emplace(html);
    html_file->write(analysis::render_html(document));
  }
  if (!xlsx.empty()) {
    xlsx_file.emplace(xlsx);
    analysis::write_xlsx(document, xlsx_file->path().string());
  }
  if (html_file) html_file->commit();
  if (xlsx_file) xlsx_file->commit();
}

int report_files_command(const ReportArguments& arguments) {
  const bool files = !arguments.html.empty() || !arguments.xlsx.empty();
  const InputKind kind = classify(arguments.input);
  if (kind == InputKind::study) {
    if (arguments.digest && files) {
      std::cerr << "error: --digest prints only the database's digest; run report again for "
                   "--html or --xlsx\n";
      return bad_input;
    }
    if (!arguments.heatmap.empty() && !files) {
      std::cerr << "error: --heatmap chooses the factors of the HTML report's heatmap: give "
                   "--html FILE too\n";
      return bad_input;
    }
    const int code = report_errors(bad_input, [&] {
      check_output_path(arguments.html, "--html");
      check_output_path(arguments.xlsx, "--xlsx");
      return report_command(arguments.input, arguments.database, arguments.json, arguments.digest,
                            arguments.outcome);
    });
    if (code != ok || !files) return code;
    return report_errors(bad_input, [&] {
      analysis::Study study = analysis::load_study(arguments.input);
      if (!arguments.outcome.empty())
        study.outcome = analysis::parse_outcome(arguments.outcome, "--outcome");
      analysis::ResultsStore store(arguments.database.empty() ? study.database : arguments.database,
                                   analysis::ResultsStore::OpenMode::existing_only);
      analysis::StudyDocumentOptions options;
      options.heatmap_factors = arguments.heatmap;
      write_report_files(analysis::study_document(study, store, options), arguments.html,
                         arguments.xlsx);
      return ok;
    });
  }

  const char* what = kind == InputKind::run ? "a run" : "a comparison";
  for (const auto& [given, option] :
       {std::pair{!arguments.database.empty(), "--db"},
        std::pair{!arguments.json.empty(), "--json"},
        std::pair{!arguments.outcome.empty(), "--outcome"}, std::pair{arguments.digest, "--digest"},
        std::pair{!arguments.heatmap.empty(), "--heatmap"}})
    if (given) {
      std::cerr << "error: " << option << " applies to a study; " << arguments.input << " is "
                << what << "\n";
      return bad_input;
    }
  if (!files) {
    std::cerr << "error: " << arguments.input << " is " << what
              << ": give --html FILE and/or --xlsx FILE\n";
    return bad_input;
  }
  return report_errors(bad_input, [&] {
    const analysis::ReportDocument document =
        kind == InputKind::run
            ? analysis::run_document(arguments.input)
            : analysis::comparison_document(read_json_file(arguments.input), arguments.input);
    write_report_files(document, arguments.html, arguments.xlsx);
    return ok;
  });
}

}  // namespace tenderlab::app
