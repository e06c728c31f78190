#pragma once
// When leads prepare their bids in a round, pure. Who bids and with whom is settled in entry.hpp.
#include <cstddef>

#include "tenderlab/agents/call_round.hpp"

namespace tenderlab {

/// When the lead of rank `rank` among `leads` prepares its bid for a round announced at
/// `announced` whose bids are due at `due` (seconds). Leads prepare from one day after the
/// announcement, one hour apart, in rank order.
/// When they would not all have prepared before `due`, they share the time left evenly instead
/// (from the announcement itself if one day is already too late), so that every lead has
/// prepared, and can bid, before bids are due; the order is kept.
double lead_preparation_time(double announced, double due, std::size_t leads, std::size_t rank);

}  // namespace tenderlab
