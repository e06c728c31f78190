#include "tenderlab/engine/scenario.hpp"

#include <algorithm>

#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {

const char* to_string(BudgetBasis basis) {
  return budget_basis_names.at(static_cast<std::size_t>(basis)).data();
}

const char* to_string(SiteRule rule) {
  return site_rule_names.at(static_cast<std::size_t>(rule)).data();
}

const char* to_string(FailureAction action) {
  return failure_action_names.at(static_cast<std::size_t>(action)).data();
}

const char* to_string(ShockKind kind) {
  return shock_kind_names.at(static_cast<std::size_t>(kind)).data();
}

const std::vector<std::string>& term_names() {
  static const std::vector<std::string> names = {
      "buy_back",      "public_equity_share", "public_preferred",
      "loss_bearing",  "damages_waiver",      "domestic_chip_share",
      "site",          "tax_credit",          "policy_loan",
      "ceiling_price",
  };
  return names;
}

Terms neutralise(const Terms& terms, const std::string& term_name) {
  Terms neutral = terms;
  if (term_name == "buy_back") {
    neutral.buy_back = BuyBack{};
  } else if (term_name == "public_equity_share") {
    neutral.public_equity_share = std::min(terms.public_equity_share, 0.5);
  } else if (term_name == "public_preferred") {
    neutral.public_preferred = false;
  } else if (term_name == "loss_bearing") {
    neutral.loss_bearing = false;
  } else if (term_name == "damages_waiver") {
    neutral.damages_waiver = false;
  } else if (term_name == "domestic_chip_share") {
    neutral.domestic_chip_share = 0.0;
  } else if (term_name == "site") {
    neutral.site = SiteRule::any;
  } else if (term_name == "tax_credit") {
    neutral.tax_credit = 0.0;
  } else if (term_name == "policy_loan") {
    neutral.policy_loan = PolicyLoan{};
  } else if (term_name == "ceiling_price") {
    neutral.ceiling_price_bn_krw.reset();
  } else {
    throw ModelError("neutralise: unknown term '" + term_name + "'");
  }
  return neutral;
}

void Scenario::index_agents() {
  agent_index_.clear();
  agent_index_.reserve(agents.size());
  for (std::size_t i = 0; i < agents.size(); ++i)
    agent_index_.emplace_back(agents[i].id, i);
  // Stable, so that with duplicate ids (which the loader rejects) the first one is found, as a
  // scan would find it.
  std::stable_sort(agent_index_.begin(), agent_index_.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
}

std::optional<std::size_t> Scenario::agent_position(const std::string& id) const {
  // `agents` is a public member that code may edit after indexing, so the index is trusted only
  // for what it can vouch for: an entry whose position holds an agent with that id. A miss, or an
  // entry that no longer matches, is settled by a scan. Every lookup a simulation makes is for an
  // agent that exists, so the scan is only paid for ids that are not there.
  const auto it = std::lower_bound(agent_index_.begin(), agent_index_.end(), id,
                                   [](const std::pair<std::string, std::size_t>& entry,
                                      const std::string& key) { return entry.first < key; });
  if (it != agent_index_.end() && it->first == id && it->second < agents.size() &&
      agents[it->second].id == id)
    return it->second;
  for (std::size_t i = 0; i < agents.size(); ++i)
    if (agents[i].id == id) return i;
  return std::nullopt;
}

const AgentSpec* Scenario::find_agent(const std::string& id) const {
  const auto position = agent_position(id);
  return position ? &agents[*position] : nullptr;
}

}  // namespace tenderlab
