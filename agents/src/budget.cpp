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

std::vector<double> budget_charge(BudgetBasis basis, CallKind kind, const Financing& financing,
                                  const Terms& terms, double price_bn_krw) {
  const bool spc = kind == CallKind::spc_partner;
  if (basis == BudgetBasis::commitment)
    return {spc ? financing.public_equity + financing.tax_credit : price_bn_krw};
  if (!spc) return {price_bn_krw};
  // Paid in as the valuation has it: equal parts, the first in the signing year.
  const int years = std::max(1, terms.paid_in_years);
  return std::vector<double>(static_cast<std::size_t>(years),
                             financing.public_equity / static_cast<double>(years));
}

int signing_year(const CallRound& round) {
  return fiscal_year(round.schedule.bid_deadline.plus_days(round.schedule.evaluation_days +
                                                           round.call->procedure.contract_days));
}

LotContract lot_contract(CallKind kind, const CallObject& object, const Terms& terms,
                         const Bid& bid, std::int64_t lot, std::int64_t lots,
                         const ProjectAssumptions& assumptions, const Beliefs& lender_view,
                         BudgetBasis basis) {
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
  contract.budget_charge_bn_krw =
      budget_charge(basis, kind, contract.financing, lot_terms, contract.price_bn_krw);
  return contract;
}

BudgetLedger::BudgetLedger(const std::vector<AgentSpec>& agents) {
  for (const auto& agent : agents)
    set_budget(agent.id, agent.budget_bn_krw_by_year, agent.budget_basis);
}

void BudgetLedger::set_budget(const std::string& issuer, const std::map<int, double>& by_year,
                              BudgetBasis basis) {
  if (by_year.empty()) {
    budgets_.erase(issuer);
    bases_.erase(issuer);
  } else {
    budgets_[issuer] = by_year;
    bases_[issuer] = basis;
  }
}

BudgetBasis BudgetLedger::basis(const std::string& issuer) const {
  const auto it = bases_.find(issuer);
  return it == bases_.end() ? BudgetBasis::commitment : it->second;
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

std::optional<int> BudgetLedger::short_year(const std::string& issuer, int first_year,
                                            const std::vector<double>& charge) const {
  for (std::size_t i = 0; i < charge.size(); ++i) {
    const int year = first_year + static_cast<int>(i);
    if (!fits(issuer, year, charge[i])) return year;
  }
  return std::nullopt;
}

void BudgetLedger::reserve(const std::string& issuer, int year, double amount) {
  reserve(issuer, year, std::vector<double>{amount});
}

void BudgetLedger::reserve(const std::string& issuer, int first_year,
                           const std::vector<double>& charge) {
  if (const auto year = short_year(issuer, first_year, charge))
    throw ModelError(issuer + " cannot reserve " +
                     money_text(charge[static_cast<std::size_t>(*year - first_year)]) +
                     " bn KRW in " + std::to_string(*year) + ": " +
                     money_text(remaining(issuer, *year)) + " bn KRW left");
  for (std::size_t i = 0; i < charge.size(); ++i)
    used_[{issuer, first_year + static_cast<int>(i)}].reserved += charge[i];
}

void BudgetLedger::commit(const std::string& issuer, int year, double amount,
                          double reserved_amount) {
  commit(issuer, year, std::vector<double>{amount}, std::vector<double>{reserved_amount});
}

void BudgetLedger::commit(const std::string& issuer, int first_year,
                          const std::vector<double>& charge, const std::vector<double>& reserved) {
  // Every year is checked before any changes, so that a refusal leaves the ledger as it was.
  const std::size_t years = std::max(charge.size(), reserved.size());
  auto at = [](const std::vector<double>& amounts, std::size_t i) {
    return i < amounts.size() ? amounts[i] : 0.0;
  };
  for (std::size_t i = 0; i < years; ++i) {
    const int year = first_year + static_cast<int>(i);
    const double held = this->reserved(issuer, year);
    if (at(reserved, i) > held + rounding)
      throw ModelError(issuer + " releases " + money_text(at(reserved, i)) + " bn KRW in " +
                       std::to_string(year) + " but reserved only " + money_text(held));
    if (constrained(issuer)) {
      const double left = std::max(0.0, budget(issuer, year) - committed(issuer, year) -
                                            std::max(0.0, held - at(reserved, i)));
      if (at(charge, i) > left + rounding)
        throw ModelError(issuer + " cannot commit " + money_text(at(charge, i)) + " bn KRW in " +
                         std::to_string(year) + ": " + money_text(left) + " bn KRW left");
    }
  }
  for (std::size_t i = 0; i < years; ++i) {
    Use& use = used_[{issuer, first_year + static_cast<int>(i)}];
    use.reserved = std::max(0.0, use.reserved - at(reserved, i));
    use.committed += at(charge, i);
  }
}

BudgetedAward award_within_budget(
    const std::vector<ScoredBid>& ranked, std::size_t lots, BudgetLedger ledger,
    const std::string& issuer, int year,
    const std::function<LotContract(const Bid&, std::int64_t lot)>& contract_of) {
  BudgetedAward award;
  for (std::size_t index = 0; index < ranked.size() && award.winners.size() < lots; ++index) {
    if (!ranked[index].valid) continue;
    const auto lot = static_cast<std::int64_t>(award.winners.size());
    const LotContract contract = contract_of(ranked[index].bid, lot);
    const std::vector<double>& charge = contract.budget_charge_bn_krw;
    if (const auto short_year = ledger.short_year(issuer, year, charge)) {
      award.passed_over.push_back(index);
      award.passed_over_year.push_back(*short_year);
      award.passed_over_money.push_back(charge[static_cast<std::size_t>(*short_year - year)]);
      award.remaining_when_tried.push_back(ledger.remaining(issuer, *short_year));
      continue;
    }
    ledger.reserve(issuer, year, charge);
    award.winners.push_back(index);
    award.contracts.push_back(contract);
  }
  return award;
}

void apply_budget(RoundResult& result, const BudgetedAward& award, const std::string& issuer) {
  if (result.outcome != RoundOutcome::awarded) return;
  result.winners = award.winners;
  if (award.passed_over.empty()) return;
  auto budget = [&](int year) { return issuer + "'s " + std::to_string(year) + " budget"; };
  if (award.winners.empty()) {
    // What the issuer had in the first year a bid did not fit, and the least any valid bid
    // needed in that year.
    const int year = award.passed_over_year.front();
    double needed = std::numeric_limits<double>::infinity();
    for (std::size_t i = 0; i < award.passed_over.size(); ++i)
      if (award.passed_over_year[i] == year) needed = std::min(needed, award.passed_over_money[i]);
    result.outcome = RoundOutcome::failed;
    result.reason = bids_text(result.valid_bids) + ", none within " + budget(year) + ": " +
                    money_text(award.remaining_when_tried.front()) +
                    " bn KRW left, the least public money a valid bid needs is " +
                    money_text(needed) + " bn KRW";
    return;
  }
  for (std::size_t i = 0; i < award.passed_over.size(); ++i)
    result.reason += "; " + result.ranked[award.passed_over[i]].bid.lead +
                     " passed over: " + money_text(award.passed_over_money[i]) +
                     " bn KRW of public money, " + money_text(award.remaining_when_tried[i]) +
                     " bn KRW left of " + budget(award.passed_over_year[i]);
}

}  // namespace tenderlab
