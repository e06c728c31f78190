#include "tenderlab/analysis/study_tasks.hpp"

#include "tenderlab/analysis/study.hpp"

namespace tenderlab::analysis {

std::vector<RunTask> load_study_tasks(const std::string& study_file, const std::string& database) {
  Study study = load_study(study_file);
  if (!database.empty()) set_database(study, database);
  return expand_study(study);
}

StudySetup load_study_setup(const std::string& study_file) {
  const Study study = load_study(study_file);
  StudySetup setup;
  setup.database_path = study.database;
  setup.meta = {{"name", study.name},
                {"study_sha256", study.study_sha256},
                {"base_scenario", study.base_reference},
                {"base_scenario_sha256", study.base_sha256},
                {"design", to_string(study.design.kind)},
                {"replications", std::to_string(study.replications)},
                {"seed", std::to_string(study.seed)},
                {"outcome", study.outcome.describe()}};
  const auto points = design_points(study);
  for (std::size_t p = 0; p < points.size(); ++p) {
    nlohmann::json factors = nlohmann::json::object();
    for (std::size_t j = 0; j < study.factors.size(); ++j)
      factors[study.factors[j].name] = points[p].values[j];
    setup.points.push_back(PointRecord{static_cast<int>(p), factors});
  }
  return setup;
}

}  // namespace tenderlab::analysis
