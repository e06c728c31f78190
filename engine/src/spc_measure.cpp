#include "tenderlab/engine/spc_measure.hpp"

namespace tenderlab {

MeasuredOperations& MeasuredOperations::operator+=(const MeasuredOperations& other) {
  capacity_gpu_hours += other.capacity_gpu_hours;
  busy_gpu_hours += other.busy_gpu_hours;
  sales += other.sales;
  power += other.power;
  return *this;
}

double MeasuredOperations::om(double om_per_year, std::int64_t gpus) const {
  const double year_hours = static_cast<double>(gpus) * 8760.0;
  return year_hours > 0 ? om_per_year * capacity_gpu_hours / year_hours : 0.0;
}

std::optional<MeasuredOperations> spc_share_of_month(const events::ComputeMonth& month,
                                                     const std::string& call,
                                                     const std::string& public_pool,
                                                     double public_use_discount) {
  if (month.pool == call)
    return MeasuredOperations{month.capacity_gpu_hours, month.busy_gpu_hours, month.value_bn_krw,
                              month.energy_cost_bn_krw};
  if (month.pool != public_pool) return std::nullopt;
  for (const events::SourceUse& source : month.sources)
    if (source.source == call && source.capacity_gpu_hours > 0)
      return MeasuredOperations{source.capacity_gpu_hours, source.busy_gpu_hours,
                                source.value_bn_krw * (1 - public_use_discount),
                                source.energy_cost_bn_krw};
  return std::nullopt;
}

}  // namespace tenderlab
