#pragma once
// What a pool's monthly report (compute_month) says about the GPUs of one SPC: read alike by the
// run, which settles the SPC's contract on it, and by the reports, which set it against the
// contract's outlook (docs/model/compute-use.md, "The SPC's outturn").
#include <cstdint>
#include <optional>
#include <string>

#include "tenderlab/engine/events.hpp"

namespace tenderlab {

/// What compute use measured on the GPUs of one SPC over a period (GPU-hours, bn KRW).
struct MeasuredOperations {
  double capacity_gpu_hours = 0;
  double busy_gpu_hours = 0;
  double sales = 0;  ///< commercial sales, the public share at its discount
  double power = 0;  ///< the energy's cost
  MeasuredOperations& operator+=(const MeasuredOperations& other);
  /// Operations and maintenance for these GPU-hours: a year of all `gpus` costs `om_per_year`.
  double om(double om_per_year, std::int64_t gpus) const;
  /// Sales − power − operations and maintenance.
  double margin(double om_per_year, std::int64_t gpus) const {
    return sales - power - om(om_per_year, gpus);
  }
};

/// The part of one pool's month that belongs to the SPC of `call`: all of its own pool (named
/// after the call); on `public_pool`, what was measured on the GPUs the call put there, its sales
/// at (1 − `public_use_discount`); nothing for any other pool, or when the call has no GPUs on the
/// public pool that month.
std::optional<MeasuredOperations> spc_share_of_month(const events::ComputeMonth& month,
                                                     const std::string& call,
                                                     const std::string& public_pool,
                                                     double public_use_discount);

}  // namespace tenderlab
