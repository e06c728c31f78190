#include "tenderlab/agents/budget.hpp"

#include <algorithm>
#include <cstdio>
#include <limits>

#include "tenderlab/engine/input_error.hpp"

namespace tenderlab {
namespace {

constexpr double rounding = 1e-9;  ///< bn KRW of floating-point slack when comparing money

std::string money_text(double bn_krw) {
  char buffer[48];
  std::snprintf(buffer, sizeof buffer, "%.3f", bn_krw);
  return buffer;
}

std::string bids_text(int count) {
  return std::to_string(count) + " valid bid" + (count == 1 ? "" : "s");
}

}  // namespace

int fiscal_year(Date signing) {
  return signing.year();
}

LotContract lot_contract(CallKind kind, const CallObject& object, const Terms& terms,
                         const Bid& bid, std::int64_t lot, std::int64_t lots,
                         const ProjectAssumptions& assumptions, const Beliefs& lender_view) {
  if (lots < 1 || lot < 0 || lot >= lots)
    throw ModelError("lot " + std::to_string(lot) + " of " + std::to_string(lots) +
                     " does not exist");
  CallObject lot_object = object;
  lot_object.gpus = object.gpus / lots + (lot < object.gpus % lots ? 1 : 0);
  Terms lot_terms = terms;
  lot_terms.paid_in_capital_bn_krw /= static_cast<double>(lots);
  TeamProfile team;
  team.capabilities = bid.capabilities;
  team.cloud_providers = bid.cloud_providers;
  LotContract contract;
  contract.gpus = lot_object.gpus;
  contract.object = lot_object;
  contract.terms = lot_terms;
  contract.team = team;
  // The site the winning team proposed (the terms may leave the choice to it).
  contract.non_capital_site =
      terms.site == SiteRule::any ? bid.non_capital_site : terms.site != SiteRule::capital;
  contract.financing = project_financing(lot_object, lot_terms, team, contract.non_capital_site,
                                         lender_view, assumptions);
  // A bid prices the whole quantity; a winner of one lot among several is paid for its lot.
  contract.price_bn_krw = bid.price_bn_krw / static_cast<double>(lots);
  contract.public_money_bn_krw = kind == CallKind::spc_partner ? contract.financing.public_equity +
                                                                     contract.financing.tax_credit
                                                               : contract.price_bn_krw;
  return contract;
}

BudgetLedger::BudgetLedger(const std::vector<AgentSpec>& agents) {
  for (const auto& agent : agents)
    set_budget(agent.id, agent.budget_bn_krw_by_year);
}

void BudgetLedger::set_budget(const std::string& issuer, const std::map<int, double>& by_year) {
  if (by_year.empty())
    budgets_.erase(issuer);
  else
    budgets_[issuer] = by_year;
}

bool BudgetLedger::constrained(const std::string& issuer) const {
  return budgets_.contains(issuer);
}

double BudgetLedger::budget(const std::string& issuer, int year) const {
  const auto it = budgets_.find(issuer);
  if (it == budgets_.end()) return std::numeric_limits<double>::infinity();
  const auto amount = it->second.find(year);
  return amount == it->second.end() ? 0.0 : amount->second;
}

double BudgetLedger::committed(const std::string& issuer, int year) const {
  const auto it = used_.find({issuer, year});
  return it == used_.end() ? 0.0 : it->second.committed;
}

double BudgetLedger::reserved(const std::string& issuer, int year) const {
  const auto it = used_.find({issuer, year});
  return it == used_.end() ? 0.0 : it->second.reserved;
}

double BudgetLedger::remaining(const std::string& issuer, int year) const {
  if (!constrained(issuer)) return std::numeric_limits<double>::infinity();
  return std::max(0.0, budget(issuer, year) - committed(issuer, year) - reserved(issuer, year));
}

bool BudgetLedger::fits(const std::string& issuer, int year, double amount) const {
  return amount <= remaining(issuer, year) + rounding;
}

void BudgetLedger::reserve(const std::string& issuer, int year, double amount) {
  if (!fits(issuer, year, amount))
    throw ModelError(issuer + " cannot reserve " + money_text(amount) + " bn KRW in " +
                     std::to_string(year) + ": " + money_text(remaining(issuer, year)) +
                     " bn KRW left");
  used_[{issuer, year}].reserved += amount;
}

void BudgetLedger::commit(const std::string& issuer, int year, double amount,
                          double reserved_amount) {
  Use& use = used_[{issuer, year}];
  if (reserved_amount > use.reserved + rounding)
    throw ModelError(issuer + " releases " + money_text(reserved_amount) + " bn KRW in " +
                     std::to_string(year) + " but reserved only " + money_text(use.reserved));
  use.reserved = std::max(0.0, use.reserved - reserved_amount);
  if (!fits(issuer, year, amount)) {
    use.reserved += reserved_amount;  // leave the ledger as it was
    throw ModelError(issuer + " cannot commit " + money_text(amount) + " bn KRW in " +
                     std::to_string(year) + ": " + money_text(remaining(issuer, year)) +
                     " bn KRW left");
  }
  use.committed += amount;
}

BudgetedAward award_within_budget(
    const std::vector<ScoredBid>& ranked, std::size_t lots, double remaining_bn_krw,
    const std::function<LotContract(const Bid&, std::int64_t lot)>& contract_of) {
  BudgetedAward award;
  double left = remaining_bn_krw;
  for (std::size_t index = 0; index < ranked.size() && award.winners.size() < lots; ++index) {
    if (!ranked[index].valid) continue;
    const auto lot = static_cast<std::int64_t>(award.winners.size());
    const LotContract contract = contract_of(ranked[index].bid, lot);
    if (contract.public_money_bn_krw > left + rounding) {
      award.passed_over.push_back(index);
      award.passed_over_money.push_back(contract.public_money_bn_krw);
      award.remaining_when_tried.push_back(left);
      continue;
    }
    left -= contract.public_money_bn_krw;
    award.winners.push_back(index);
    award.contracts.push_back(contract);
  }
  return award;
}

void apply_budget(RoundResult& result, const BudgetedAward& award, const std::string& issuer,
                  int year) {
  if (result.outcome != RoundOutcome::awarded) return;
  result.winners = award.winners;
  if (award.passed_over.empty()) return;
  const std::string budget = issuer + "'s " + std::to_string(year) + " budget";
  if (award.winners.empty()) {
    // What the issuer had and the least any valid bid needed.
    const double needed =
        *std::min_element(award.passed_over_money.begin(), award.passed_over_money.end());
    result.outcome = RoundOutcome::failed;
    result.reason = bids_text(result.valid_bids) + ", none within " + budget + ": " +
                    money_text(award.remaining_when_tried.front()) +
                    " bn KRW left, the least public money a valid bid needs is " +
                    money_text(needed) + " bn KRW";
    return;
  }
  for (std::size_t i = 0; i < award.passed_over.size(); ++i)
    result.reason += "; " + result.ranked[award.passed_over[i]].bid.lead +
                     " passed over: " + money_text(award.passed_over_money[i]) +
                     " bn KRW of public money, " + money_text(award.remaining_when_tried[i]) +
                     " bn KRW left of " + budget;
}

}  // namespace tenderlab
