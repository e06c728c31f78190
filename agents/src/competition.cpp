#include "tenderlab/agents/competition.hpp"

#include <algorithm>

#include "tenderlab/engine/calendar.hpp"

namespace tenderlab {

double lead_preparation_time(double announced, double due, std::size_t leads, std::size_t rank) {
  constexpr double hour = 3600.0;
  const double first = announced + seconds_per_day;
  const auto count = static_cast<double>(std::max<std::size_t>(leads, 1));
  if (first + hour * (count - 1) < due) return first + hour * static_cast<double>(rank);
  const double start = first < due ? first : announced;
  return start + (due - start) / count * static_cast<double>(rank);
}

}  // namespace tenderlab
