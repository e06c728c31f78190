#include "tenderlab/agents/competition.hpp"

#include <algorithm>

#include "tenderlab/agents/tender_rules.hpp"
#include "tenderlab/agents/valuation.hpp"
#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

double lead_preparation_time(double announced, double due, std::size_t leads, std::size_t rank) {
  constexpr double hour = 3600.0;
  const double first = announced + seconds_per_day;
  const auto count = static_cast<double>(std::max<std::size_t>(leads, 1));
  if (first + hour * (count - 1) < due) return first + hour * static_cast<double>(rank);
  const double start = first < due ? first : announced;
  return start + (due - start) / count * static_cast<double>(rank);
}

Competition::Competition(const CallRound& round, const Scenario& scenario,
                         const std::vector<std::string>& leads)
    : accounted_(leads.size(), false) {
  solo_scores_.reserve(leads.size());
  rank_by_id_.reserve(leads.size());
  for (std::size_t rank = 0; rank < leads.size(); ++rank) {
    const AgentSpec* agent = scenario.find_agent(leads[rank]);
    if (!agent) throw ModelError("competition: lead '" + leads[rank] + "' is not an agent");
    const TeamProfile solo = make_team_profile({agent}, scenario.assumptions);
    solo_scores_.push_back(expected_score(round, solo.capabilities, solo.cloud_providers));
    rank_by_id_.emplace_back(leads[rank], rank);
  }
  std::sort(rank_by_id_.begin(), rank_by_id_.end());
}

std::optional<std::size_t> Competition::lead_rank(const std::string& id) const {
  const auto it = std::lower_bound(rank_by_id_.begin(), rank_by_id_.end(), id,
                                   [](const std::pair<std::string, std::size_t>& entry,
                                      const std::string& key) { return entry.first < key; });
  if (it == rank_by_id_.end() || it->first != id) return std::nullopt;
  return it->second;
}

void Competition::register_team(const std::string& lead, const std::vector<std::string>& members,
                                double score) {
  registered_.push_back({lead, score});
  for (const auto& member : members)
    withdraw(member);
}

void Competition::withdraw(const std::string& id) {
  if (const auto rank = lead_rank(id)) accounted_[*rank] = true;
}

std::vector<double> Competition::rival_scores(const std::vector<std::string>& team) const {
  std::vector<double> scores;
  scores.reserve(registered_.size() + solo_scores_.size());
  for (const auto& registered : registered_)
    if (team.empty() || registered.lead != team.front()) scores.push_back(registered.score);
  // The team's own leads, in rank order, are skipped as the pass reaches them.
  std::vector<std::size_t> own;
  for (const auto& member : team)
    if (const auto rank = lead_rank(member)) own.push_back(*rank);
  std::sort(own.begin(), own.end());
  auto next_own = own.begin();
  for (std::size_t rank = 0; rank < solo_scores_.size(); ++rank) {
    while (next_own != own.end() && *next_own < rank)
      ++next_own;
    if (accounted_[rank] || (next_own != own.end() && *next_own == rank)) continue;
    scores.push_back(solo_scores_[rank]);
  }
  return scores;
}

}  // namespace tenderlab
