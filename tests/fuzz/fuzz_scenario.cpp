// Fuzz target: scenario files. The bytes of a file go through the strict JSON reader and the
// scenario loader, as `tenderlab validate` and `tenderlab run` read them. Both report bad input
// with InputError (ScenarioError for a document that does not validate) and nothing else.
#include <string>
#include <string_view>

#include "fuzz_target.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"
#include "tenderlab/engine/scenario_loader.hpp"

namespace tenderlab::fuzz {

const char* const target_name = "fuzz_scenario";

void initialize() {}

Verdict test_one_input(std::string_view input) {
  try {
    const nlohmann::json document = parse_json_text(std::string(input), "fuzz.json");
    scenario_from_json(document, "fuzz.json");
    return Verdict::accepted;
  } catch (const InputError&) {
    return Verdict::rejected;
  } catch (const std::exception& error) {
    report_finding(error);
  }
}

}  // namespace tenderlab::fuzz
