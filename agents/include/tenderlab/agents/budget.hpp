#pragma once
// The issuers' budgets, pure: what a contract commits of public money, the ledger of budgets by
// issuer and fiscal year, and which bids of a round the issuer can pay for. The rules are
// documented in docs/model/procedure.md ("Budget").
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "tenderlab/agents/tender_rules.hpp"
#include "tenderlab/agents/valuation.hpp"
#include "tenderlab/engine/calendar.hpp"
#include "tenderlab/engine/scenario.hpp"

namespace tenderlab {

/// The fiscal year a commitment falls in: the calendar year of the date the contract is signed
/// (Korea's fiscal year runs from January to December).
int fiscal_year(Date signing);

/// The fiscal year a round's contracts would be signed in when it is decided on schedule: its
/// bid deadline, then `evaluation_days`, then the procedure's `contract_days`.
int signing_year(const CallRound& round);

/// What a contract charges its issuer's budget, by fiscal year from the signing year (index 0)
/// on, under `basis`: with `commitment`, all its public money (`public_money_bn_krw`) in the
/// signing year; with `cash`, what is paid out in each year: an SPC's public equity in equal parts
/// over the terms' `paid_in_years`, the price of a procurement or allocation lot in the signing
/// year, and no tax credit (revenue forgone, not paid from the budget).
std::vector<double> budget_charge(BudgetBasis basis, CallKind kind, const Financing& financing,
                                  const Terms& terms, double price_bn_krw);

/// What the contract for lot `lot` (0-based) of `lots` commits when `bid` wins it under `terms`:
/// its share of the quantity (the first lots take any remainder) and of the paid-in capital, the
/// project's financing at the site the bid proposes, the price paid for the lot, the public
/// money (public equity plus tax credit for SPC partner calls, the price otherwise) and what it
/// charges the issuer's budget under `basis`.
struct LotContract {
  std::int64_t gpus = 0;
  CallObject object;  ///< the lot: its share of the quantity
  Terms terms;        ///< the lot's terms: its share of the paid-in capital
  TeamProfile team;   ///< the winning team, as its bid describes it
  Financing financing;
  bool non_capital_site = true;
  double price_bn_krw = 0;         ///< the bid's price divided by the number of lots
  double public_money_bn_krw = 0;  ///< public money the contract commits
  /// What the issuer's budget pays, by fiscal year from the signing year on (budget_charge).
  std::vector<double> budget_charge_bn_krw;
};
LotContract lot_contract(CallKind kind, const CallObject& object, const Terms& terms,
                         const Bid& bid, std::int64_t lot, std::int64_t lots,
                         const ProjectAssumptions& assumptions = {},
                         const Beliefs& lender_view = {},
                         BudgetBasis basis = BudgetBasis::commitment);

/// Budgets and commitments by issuer and fiscal year.
///
/// An issuer without budget entries (an empty `budget_bn_krw_by_year`) is unconstrained: its
/// remaining budget is infinite in every year. An issuer with entries has exactly those: a year
/// missing from its map has a budget of 0, so nothing can be committed in it. Money is first
/// reserved (when a round is decided, for the years its contracts will charge) and then
/// committed (when they are signed); both count against the budget. A charge spans the fiscal
/// years from a first year on (budget_charge); it fits only when it fits in every one of them.
class BudgetLedger {
 public:
  BudgetLedger() = default;
  /// The budgets of every agent of the scenario that has entries.
  explicit BudgetLedger(const std::vector<AgentSpec>& agents);

  /// Gives `issuer` these budgets (replacing any it had); an empty map leaves it unconstrained.
  void set_budget(const std::string& issuer, const std::map<int, double>& by_year,
                  BudgetBasis basis = BudgetBasis::commitment);
  bool constrained(const std::string& issuer) const;
  /// How the issuer's budget counts a contract (commitment for an issuer without budgets).
  BudgetBasis basis(const std::string& issuer) const;
  /// The budget of a year: infinity for an unconstrained issuer, 0 for a year not in its map.
  double budget(const std::string& issuer, int year) const;
  double committed(const std::string& issuer, int year) const;
  double reserved(const std::string& issuer, int year) const;
  /// budget - committed - reserved, never below 0; infinity for an unconstrained issuer.
  double remaining(const std::string& issuer, int year) const;
  /// Whether `amount` can still be committed in that year (1e-9 bn KRW of rounding allowed).
  bool fits(const std::string& issuer, int year, double amount) const;

  /// The first fiscal year in which `charge` (by year from `first_year` on) exceeds what is
  /// left; nullopt when it fits in every year.
  std::optional<int> short_year(const std::string& issuer, int first_year,
                                const std::vector<double>& charge) const;

  /// Sets `amount` aside for a contract to be signed in `year`; throws ModelError if it does not
  /// fit (the caller checks first).
  void reserve(const std::string& issuer, int year, double amount);
  /// Sets `charge` aside, by year from `first_year` on; throws ModelError, changing nothing, if
  /// it does not fit in one of them.
  void reserve(const std::string& issuer, int first_year, const std::vector<double>& charge);
  /// Commits `amount`, of which `reserved_amount` had been reserved in the same year (it is
  /// released); throws ModelError if the rest does not fit.
  void commit(const std::string& issuer, int year, double amount, double reserved_amount = 0);
  /// Commits `charge`, by year from `first_year` on, releasing `reserved` (the same years); throws
  /// ModelError, changing nothing, when a year's release exceeds its reservation or a year's
  /// charge does not fit.
  void commit(const std::string& issuer, int first_year, const std::vector<double>& charge,
              const std::vector<double>& reserved);

 private:
  struct Use {
    double committed = 0;
    double reserved = 0;
  };
  std::map<std::string, std::map<int, double>> budgets_;
  std::map<std::string, BudgetBasis> bases_;
  std::map<std::pair<std::string, int>, Use> used_;
};

/// Which bids of a decided round the issuer can pay for.
struct BudgetedAward {
  std::vector<std::size_t> winners;          ///< indices into ranked; lot k goes to winners[k]
  std::vector<LotContract> contracts;        ///< the lot each winner signs, same order
  std::vector<std::size_t> passed_over;      ///< valid bids tried for a lot that did not fit
  std::vector<int> passed_over_year;         ///< the first fiscal year each did not fit in
  std::vector<double> passed_over_money;     ///< what each charges that year (bn KRW)
  std::vector<double> remaining_when_tried;  ///< what was left of that year (bn KRW)
};

/// Gives the `lots` lots of a round in rank order: lot k goes to the next valid bid, in the
/// order of `ranked`, whose contract for lot k (`contract_of`) charges no year more than is left
/// of `issuer`'s budget in `ledger` after the lots already given (contracts signed in `year`); a
/// bid that does not fit is passed over and the next valid bid is tried for the same lot. Lots no
/// valid bid fits stay unawarded. `ledger` is a copy: the caller reserves the contracts given.
BudgetedAward award_within_budget(
    const std::vector<ScoredBid>& ranked, std::size_t lots, BudgetLedger ledger,
    const std::string& issuer, int year,
    const std::function<LotContract(const Bid&, std::int64_t lot)>& contract_of);

/// Applies a budgeted award to a round decide_round awarded: its winners become the award's;
/// when a bid was passed over the reason says which and why, and when no bid fits the round
/// fails with a reason naming the issuer's budget of the year the first bid tried did not fit.
void apply_budget(RoundResult& result, const BudgetedAward& award, const std::string& issuer);

}  // namespace tenderlab
