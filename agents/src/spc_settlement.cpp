#include "tenderlab/agents/spc_settlement.hpp"

#include <algorithm>

namespace tenderlab {

std::vector<double> settlement_margins(const std::vector<double>& expected,
                                       const std::vector<MeasuredOperations>& measured,
                                       double om_per_year, std::int64_t gpus, bool delayed) {
  std::vector<double> margins = expected;
  const std::size_t offset = delayed ? 1 : 0;
  for (std::size_t j = 0; j < measured.size() && j + offset < margins.size(); ++j)
    margins[j + offset] = measured[j].margin(om_per_year, gpus);
  return margins;
}

std::size_t settlement_line(int build_years, int measured_year, bool delayed) {
  return static_cast<std::size_t>(std::max(0, build_years) + measured_year + (delayed ? 1 : 0));
}

}  // namespace tenderlab
