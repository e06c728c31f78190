#include "tenderlab/agents/tender_rules.hpp"

#include <algorithm>
#include <cmath>
#include <limits>

namespace tenderlab {

const char* to_string(RoundKind kind) {
  switch (kind) {
    case RoundKind::initial:
      return "initial";
    case RoundKind::reannouncement:
      return "reannouncement";
    case RoundKind::new_call:
      return "new_call";
    case RoundKind::adaptive_revision:
      return "adaptive_revision";
  }
  return "?";
}

const char* to_string(RoundOutcome outcome) {
  switch (outcome) {
    case RoundOutcome::awarded:
      return "awarded";
    case RoundOutcome::failed:
      return "failed";
    case RoundOutcome::negotiated:
      return "negotiated";
    case RoundOutcome::cancelled:
      return "cancelled";
  }
  return "?";
}

double technical_score(const Capabilities& c, const TechnicalCriteria& w) {
  return 100.0 * (w.cloud_operations * c.cloud_operations + w.sites_power * c.sites_power +
                  w.construction * c.construction + w.academia * c.academia +
                  w.local_government * c.local_government + w.chips * c.chips);
}

double expected_score(const CallRound& round, const Capabilities& capabilities,
                      int cloud_providers) {
  const Evaluation& evaluation = round.call->evaluation;
  double score = evaluation.technical_weight * technical_score(capabilities, evaluation.criteria) +
                 evaluation.price_weight * 100.0;
  if (cloud_providers >= 2) score += round.terms.multi_csp_bonus;
  return score;
}

double win_probability(double own_score, const std::vector<double>& rival_scores,
                       double temperature) {
  if (rival_scores.empty()) return 1.0;
  if (temperature <= 0) {
    double best = *std::max_element(rival_scores.begin(), rival_scores.end());
    return own_score > best ? 1.0 : 0.0;
  }
  double denominator = 1.0;  // exp(0) for the team itself, scores taken relative to it
  for (double rival : rival_scores)
    denominator += std::exp((rival - own_score) / temperature);
  return 1.0 / denominator;
}

std::vector<ScoredBid> score_bids(const CallRound& round, const std::vector<Bid>& bids) {
  const CallSpec& call = *round.call;
  std::vector<ScoredBid> scored;
  // The price scale is set by bids that can win: under the ceiling and eligible.
  auto admissible = [&](const Bid& bid) {
    return !(round.terms.ceiling_price_bn_krw &&
             bid.price_bn_krw > *round.terms.ceiling_price_bn_krw) &&
           bid.capabilities.sites_power >= call.eligibility.min_sites_power &&
           bid.capabilities.cloud_operations >= call.eligibility.min_cloud_operations &&
           bid.grid_mw >= call.eligibility.min_grid_mw;
  };
  double lowest_price = std::numeric_limits<double>::infinity();
  for (const auto& bid : bids)
    if (bid.price_bn_krw > 0 && admissible(bid))
      lowest_price = std::min(lowest_price, bid.price_bn_krw);
  for (const auto& bid : bids) {
    ScoredBid s;
    s.bid = bid;
    s.technical_score = technical_score(bid.capabilities, call.evaluation.criteria);
    s.price_score = bid.price_bn_krw > 0 && std::isfinite(lowest_price)
                        ? std::min(100.0, 100.0 * lowest_price / bid.price_bn_krw)
                        : 100.0;
    s.total_score = call.evaluation.technical_weight * s.technical_score +
                    call.evaluation.price_weight * s.price_score;
    if (bid.cloud_providers >= 2) s.total_score += round.terms.multi_csp_bonus;
    s.valid = true;
    if (round.terms.ceiling_price_bn_krw && bid.price_bn_krw > *round.terms.ceiling_price_bn_krw) {
      s.valid = false;
      s.invalid_reason = "price above the ceiling";
    } else if (bid.capabilities.sites_power < call.eligibility.min_sites_power) {
      s.valid = false;
      s.invalid_reason = "not eligible: sites and power below the minimum";
    } else if (bid.capabilities.cloud_operations < call.eligibility.min_cloud_operations) {
      s.valid = false;
      s.invalid_reason = "not eligible: operating experience below the minimum";
    } else if (bid.grid_mw < call.eligibility.min_grid_mw) {
      s.valid = false;
      s.invalid_reason = "not eligible: grid connection below the minimum";
    } else if (s.total_score < call.evaluation.pass_mark) {
      s.valid = false;
      s.invalid_reason = "score below the pass mark";
    }
    scored.push_back(std::move(s));
  }
  return scored;
}

RoundResult decide_round(const CallRound& round, const std::vector<Bid>& bids) {
  RoundResult result;
  result.ranked = score_bids(round, bids);
  std::stable_sort(result.ranked.begin(), result.ranked.end(),
                   [](const ScoredBid& a, const ScoredBid& b) {
                     if (a.valid != b.valid) return a.valid;
                     if (a.total_score != b.total_score) return a.total_score > b.total_score;
                     if (a.bid.price_bn_krw != b.bid.price_bn_krw)
                       return a.bid.price_bn_krw < b.bid.price_bn_krw;
                     return a.bid.lottery < b.bid.lottery;
                   });
  for (const auto& s : result.ranked)
    result.valid_bids += s.valid ? 1 : 0;
  const int received = static_cast<int>(bids.size());
  if (result.valid_bids < round.min_valid_bids) {
    result.outcome = RoundOutcome::failed;
    result.reason = std::to_string(result.valid_bids) + " valid bid" +
                    (result.valid_bids == 1 ? "" : "s") + " of " + std::to_string(received) +
                    " received; " + std::to_string(round.min_valid_bids) + " required";
    return result;
  }
  const auto winners = std::min<std::size_t>(static_cast<std::size_t>(round.call->winners),
                                             static_cast<std::size_t>(result.valid_bids));
  for (std::size_t i = 0; i < winners; ++i)
    result.winners.push_back(i);
  result.outcome = RoundOutcome::awarded;
  result.reason = std::to_string(result.valid_bids) + " valid bid" +
                  (result.valid_bids == 1 ? "" : "s") + "; best score " +
                  std::to_string(static_cast<int>(result.ranked.front().total_score + 0.5));
  return result;
}

}  // namespace tenderlab
