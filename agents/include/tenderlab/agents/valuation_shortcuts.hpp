#pragma once

namespace tenderlab::detail {

/// Shortcuts the valuation takes that change no bit of its results, only its speed: the SPC's
/// waterfall run for four paths at once, and a sheet's first pricing pass copied to the sheets of
/// an attribution that differ from it in a clause that does not act on those paths (the damages
/// waiver on a path without delay, loss-bearing on a path without default). Tests turn them off
/// to check that the results are the same bits; nothing else should.
struct ValuationShortcuts {
  bool four_path_waterfall = true;
  bool shared_first_passes = true;
};

/// The shortcuts in force on this thread.
ValuationShortcuts& valuation_shortcuts();

}  // namespace tenderlab::detail
