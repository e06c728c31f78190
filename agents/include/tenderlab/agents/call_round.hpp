#pragma once
// One round of a call as the market sees it: the call, its current terms, its schedule and the
// procedure rule in force.
#include <string>

#include "tenderlab/engine/scenario.hpp"

namespace tenderlab {

enum class RoundKind { initial, reannouncement, new_call, adaptive_revision };
const char* to_string(RoundKind kind);

struct CallRound {
  const CallSpec* call = nullptr;
  int round = 1;  ///< 1-based, counting every announcement of this call
  RoundKind kind = RoundKind::initial;
  Terms terms;
  Schedule schedule;
  int min_valid_bids = 2;
  std::string revision_note;  ///< what changed, for revised rounds
};

/// Bids close at 17:00 on the deadline date, as in the calls the model is calibrated on.
inline constexpr double bid_closing_hour = 17.0;

}  // namespace tenderlab
