#pragma once
// The event types of the event log: one struct per type, its fields in the order they are
// written. The actors write these structs (EventLog::emit), the run report reads them back
// (decode_event, EventDispatcher), and docs/event-log.md's tables are generated from them
// (tenderlab-docgen), so the three cannot drift apart. Each type also says who its `agent` is and
// when it happens, for the docs' overview. Money is in bn KRW, rounded to 0.001 by the writer.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "tenderlab/engine/record.hpp"

namespace tenderlab {
struct Terms;
}

namespace tenderlab::events {

// ---- Objects inside events ----

/// One clause's effect on an agent's value of taking part.
struct ClauseEffect {
  std::string term;
  double delta_bn_krw = 0;
  std::optional<double> standard_error_bn_krw{};
  static constexpr auto fields() {
    return std::tuple{
        field("term", &ClauseEffect::term, "", "the clause, a term name"),
        field("delta_bn_krw", &ClauseEffect::delta_bn_krw, "bn KRW",
              "the clause's Shapley value: its marginal effect on the agent's value, averaged "
              "over every order in which the call's clauses could be added to neutral terms "
              "(negative: it costs the agent). The effects add up to `value_bn_krw − "
              "neutral_value_bn_krw`"),
        optional_field("standard_error_bn_krw", &ClauseEffect::standard_error_bn_krw, "bn KRW",
                       "sampled attributions only: the standard error of `delta_bn_krw`")};
  }
};

/// The two clauses whose effects depend most on each other.
struct ClauseInteraction {
  std::vector<std::string> terms;
  double delta_bn_krw = 0;
  std::optional<double> standard_error_bn_krw;
  static constexpr auto fields() {
    using T = ClauseInteraction;
    return std::tuple{
        field("terms", &T::terms, "", "the two clauses, in the order of the term names"),
        field("delta_bn_krw", &T::delta_bn_krw, "bn KRW",
              "their Shapley interaction index: `v(both) − v(first) − v(second) + v(neither)` "
              "averaged over the other clauses as Shapley values average; positive when together "
              "they are worth more (or cost less) than the sum of each alone. The pair with the "
              "largest magnitude is logged"),
        optional_field("standard_error_bn_krw", &T::standard_error_bn_krw, "bn KRW",
                       "sampled attributions only: its standard error")};
  }
};

/// The terms in force for a round, its keys always in this order.
struct TermsInForce {
  double public_equity_share = 0;
  double paid_in_capital_bn_krw = 0;
  int paid_in_years = 0;
  bool buy_back = false;
  double buy_back_return_rate = 0;
  bool public_preferred = false;
  bool loss_bearing = false;
  bool damages_waiver = false;
  double domestic_chip_share = 0;
  std::string site;
  double tax_credit = 0;
  double policy_loan_share = 0;
  double policy_loan_rate = 0;
  int policy_loan_years = 0;
  std::optional<double> ceiling_price_bn_krw;
  double multi_csp_bonus = 0;

  /// The terms as the scenario gives them (values copied, not rounded).
  static TermsInForce of(const Terms& terms);

  static constexpr auto fields() {
    using T = TermsInForce;
    return std::tuple{
        field("public_equity_share", &T::public_equity_share, "1",
              "public share of the SPC's equity"),
        field("paid_in_capital_bn_krw", &T::paid_in_capital_bn_krw, "bn KRW",
              "equity paid in by all shareholders together"),
        field("paid_in_years", &T::paid_in_years, "years",
              "years over which the equity is paid in"),
        field("buy_back", &T::buy_back, "", "buy-back obligation in force (`buy_back.enabled`)"),
        field("buy_back_return_rate", &T::buy_back_return_rate, "1/yr",
              "return the buy-back price compounds at"),
        field("public_preferred", &T::public_preferred, "", "public shares preferred"),
        field("loss_bearing", &T::loss_bearing, "",
              "private side covers losses and gives joint guarantees"),
        field("damages_waiver", &T::damages_waiver, "",
              "private side waives damages for public delays"),
        field("domestic_chip_share", &T::domestic_chip_share, "1",
              "share of compute on domestic chips"),
        field("site", &T::site, "", "`any`, `capital` or `non_capital`"),
        field("tax_credit", &T::tax_credit, "1", "share of the investment credited against tax"),
        field("policy_loan_share", &T::policy_loan_share, "1",
              "share of the capex a policy loan covers (`policy_loan.share_of_capex`)"),
        field("policy_loan_rate", &T::policy_loan_rate, "1/yr", "its rate"),
        field("policy_loan_years", &T::policy_loan_years, "years",
              "its term (`policy_loan.years`); 0: the valuation repays it over the market "
              "debt's 10 years"),
        nullable_field("ceiling_price_bn_krw", &T::ceiling_price_bn_krw, "bn KRW",
                       "ceiling on the public money a bid may ask; null: none"),
        field("multi_csp_bonus", &T::multi_csp_bonus, "points",
              "bonus for consortia with two or more cloud providers")};
  }
};

/// One bid as the tender board scored it.
struct ScoredBidEntry {
  std::string lead;
  std::vector<std::string> members;
  double technical_score = 0;
  double price_score = 0;
  double total_score = 0;
  bool valid = false;
  std::optional<std::string> invalid_reason;
  static constexpr auto fields() {
    using T = ScoredBidEntry;
    return std::tuple{
        field("lead", &T::lead, "id", "the bid's lead"),
        field("members", &T::members, "ids", "its team, lead first"),
        field("technical_score", &T::technical_score, "points",
              "weighted capabilities of the team, 0 to 100"),
        field("price_score", &T::price_score, "points",
              "100 × lowest admissible price / this price (100 for bids without a price)"),
        field("total_score", &T::total_score, "points",
              "`technical_weight × technical_score + price_weight × price_score`, plus "
              "`multi_csp_bonus` for two or more cloud providers"),
        field("valid", &T::valid, "", "the bid is valid"),
        optional_field("invalid_reason", &T::invalid_reason, "",
                       "invalid bids only: `\"price above the ceiling\"`, `\"not eligible: sites "
                       "and power below the minimum\"`, `\"not eligible: operating experience "
                       "below the minimum\"` or `\"score below the pass mark\"`")};
  }
};

/// An agent that stayed away from a failed round.
struct StayedAwayEntry {
  std::string agent;
  std::string role;
  double value_bn_krw = 0;
  std::vector<ClauseEffect> obstacles;
  std::optional<ClauseInteraction> interaction{};
  static constexpr auto fields() {
    using T = StayedAwayEntry;
    return std::tuple{
        field("agent", &T::agent, "id", "the agent"),
        field("role", &T::role, "",
              "`lead`: an agent whose kind may lead a bid in this call kind and that decided "
              "`no_bid`; `partner`: an agent whose kind may not lead here and that turned down an "
              "invitation to a team after valuing it (listed once per round, with the first team "
              "it turned down)"),
        field("value_bn_krw", &T::value_bn_krw, "bn KRW",
              "what taking part was worth to it (the `value_bn_krw` of its `bid_decision` or "
              "`invitation_answered`); 0 for a procurement no-bid"),
        field("obstacles", &T::obstacles, "",
              "its costliest clauses, at most four, most costly first, negative deltas only: "
              "`{\"term\": string, \"delta_bn_krw\": number}`; empty for a procurement no-bid, "
              "which has no attribution"),
        optional_field("interaction", &T::interaction, "",
                       "SPC partner calls, with two or more clauses away from their neutral "
                       "level: the strongest pairwise interaction of its clauses, as in "
                       "`bid_decision`")};
  }
};

/// A lead's valuation of the terms (SPC partner calls).
struct BidValuation {
  double value_bn_krw = 0;
  double certainty_equivalent_bn_krw = 0;
  double expected_npv_bn_krw = 0;
  double npv_sd_bn_krw = 0;
  double control_cost_bn_krw = 0;
  double capital_cost_bn_krw = 0;
  double bid_cost_bn_krw = 0;
  double strategic_value_bn_krw = 0;
  double equity_commitment_bn_krw = 0;
  double contingent_liability_bn_krw = 0;
  double win_probability = 0;
  double capital_limit_bn_krw = 0;
  static constexpr auto fields() {
    using T = BidValuation;
    return std::tuple{
        field("value_bn_krw", &T::value_bn_krw, "bn KRW",
              "what bidding is worth to the lead: `win_probability × (certainty_equivalent − "
              "control_cost − capital_cost + strategic_value) − bid_cost`; it bids when this is "
              "positive. Under the site rule `any`, the team values both regions and this is the "
              "better one"),
        field("certainty_equivalent_bn_krw", &T::certainty_equivalent_bn_krw, "bn KRW",
              "certainty equivalent of its share of the private cash flows (Monte Carlo over its "
              "beliefs, exponential utility)"),
        field("expected_npv_bn_krw", &T::expected_npv_bn_krw, "bn KRW",
              "mean NPV of its share over the paths, at the risk-free rate"),
        field("npv_sd_bn_krw", &T::npv_sd_bn_krw, "bn KRW", "standard deviation of that NPV"),
        field("control_cost_bn_krw", &T::control_cost_bn_krw, "bn KRW",
              "cost of state control: `control_aversion × equity_commitment` when the public "
              "share exceeds 0.5, else 0"),
        field("capital_cost_bn_krw", &T::capital_cost_bn_krw, "bn KRW",
              "cost of committing more than it is willing to: a shadow price (0.3 per bn KRW by "
              "default) on `equity_commitment + contingent_liability` beyond `capital_limit`; 0 "
              "within the limit"),
        field("bid_cost_bn_krw", &T::bid_cost_bn_krw, "bn KRW",
              "its part of the bid-preparation cost (`bid_cost_bn_krw × share`)"),
        field("strategic_value_bn_krw", &T::strategic_value_bn_krw, "bn KRW",
              "value it puts on taking part in a national project"),
        field("equity_commitment_bn_krw", &T::equity_commitment_bn_krw, "bn KRW",
              "equity it would pay in"),
        field("contingent_liability_bn_krw", &T::contingent_liability_bn_krw, "bn KRW",
              "its part of the buy-back strike it must be able to pay on demand (0 without "
              "buy-back)"),
        field("win_probability", &T::win_probability, "1",
              "chance the team's bid wins, as the lead sees it"),
        field("capital_limit_bn_krw", &T::capital_limit_bn_krw, "bn KRW",
              "what it is willing to commit to one project (`max_commitment × "
              "capital_bn_krw`)")};
  }
};

/// A supplier's price for a procurement call's whole quantity, from the first-price auction's
/// equilibrium (docs/model/procurement.md).
struct SupplyQuote {
  double price_bn_krw = 0;
  double cost_bn_krw = 0;
  double expected_profit_bn_krw = 0;
  double entry_threshold_bn_krw = 0;
  int suppliers = 0;
  static constexpr auto fields() {
    using T = SupplyQuote;
    return std::tuple{
        field("price_bn_krw", &T::price_bn_krw, "bn KRW",
              "the price it bids: its cost plus the margin the equilibrium leaves it against "
              "its rivals, never above the ceiling price; 0 when it stays out"),
        field("cost_bn_krw", &T::cost_bn_krw, "bn KRW",
              "its private cost of the whole quantity (hardware at the market price, "
              "integration, a truncated normal draw from its stream)"),
        field("expected_profit_bn_krw", &T::expected_profit_bn_krw, "bn KRW",
              "what it expects to earn at that price, before its bid cost: the margin on its "
              "lot times the chance that it wins one (fewer rivals than lots are cheaper)"),
        field("entry_threshold_bn_krw", &T::entry_threshold_bn_krw, "bn KRW",
              "the cost above which suppliers stay out: the marginal entrant's expected profit "
              "equals the suppliers' mean bid cost"),
        field("suppliers", &T::suppliers, "",
              "suppliers eligible for the call, itself included: the competition it expects")};
  }
};

/// The programme's state: GPUs, power and money so far.
struct ProgrammeState {
  std::int64_t gpus_online = 0;
  std::int64_t gpus_online_non_capital = 0;
  double mw_online = 0;
  double public_money_committed_bn_krw = 0;
  double private_money_committed_bn_krw = 0;
  static constexpr auto fields() {
    using T = ProgrammeState;
    return std::tuple{
        field("gpus_online", &T::gpus_online, "GPUs", "GPUs online at that moment"),
        field("gpus_online_non_capital", &T::gpus_online_non_capital, "GPUs",
              "of which outside the capital region"),
        field("mw_online", &T::mw_online, "MW",
              "site power (IT load × PUE) of the capacity online"),
        field("public_money_committed_bn_krw", &T::public_money_committed_bn_krw, "bn KRW",
              "public money committed by contracts signed so far"),
        field("private_money_committed_bn_krw", &T::private_money_committed_bn_krw, "bn KRW",
              "private equity committed to SPCs by contracts signed so far")};
  }
};

// ---- Run ----

struct SimulationStarted {
  static constexpr std::string_view type = "simulation_started";
  static constexpr std::string_view about = "`\"\"`";
  static constexpr std::string_view when = "time 0, first line";
  int schema = 0;
  std::string scenario;
  std::uint64_t seed = 0;
  std::uint64_t replication = 0;
  std::uint64_t agents = 0;
  std::uint64_t calls = 0;
  std::string horizon;
  static constexpr auto fields() {
    using T = SimulationStarted;
    return std::tuple{
        field("schema", &T::schema, "",
              "version of this format, 1 (the manifest's `event_log_schema`)"),
        field("scenario", &T::scenario, "", "the scenario's `name`"),
        field("seed", &T::seed, "", "master seed of the run (`--seed`, else the scenario's)"),
        field("replication", &T::replication, "", "replication index (`--replication`, default 0)"),
        field("agents", &T::agents, "agents", "number of agents in the scenario"),
        field("calls", &T::calls, "calls", "number of calls in the scenario"),
        field("horizon", &T::horizon, "date", "last simulated day")};
  }
};

struct SimulationEnded : ProgrammeState {
  static constexpr std::string_view type = "simulation_ended";
  static constexpr std::string_view about = "`\"\"`";
  static constexpr std::string_view when = "last line";
  static constexpr auto fields() {
    using T = ProgrammeState;
    return std::tuple{
        field("gpus_online", &T::gpus_online, "GPUs",
              "GPUs brought online during the run (sum of `capacity_online.gpus`)"),
        field("gpus_online_non_capital", &T::gpus_online_non_capital, "GPUs",
              "of which outside the capital region"),
        field("mw_online", &T::mw_online, "MW", "site power of the capacity online"),
        field("public_money_committed_bn_krw", &T::public_money_committed_bn_krw, "bn KRW",
              "public money of every contract signed (sum of "
              "`contract_signed.public_money_bn_krw` before rounding)"),
        field("private_money_committed_bn_krw", &T::private_money_committed_bn_krw, "bn KRW",
              "private equity of every SPC contract signed")};
  }
};

// ---- Calendar ----

struct MonthStart : ProgrammeState {
  static constexpr std::string_view type = "month_start";
  static constexpr std::string_view about = "`\"\"`";
  static constexpr std::string_view when = "00:00 on the first day of each month but January";
};

struct YearStart : ProgrammeState {
  static constexpr std::string_view type = "year_start";
  static constexpr std::string_view about = "`\"\"`";
  static constexpr std::string_view when = "00:00 on 1 January";
};

struct ExogenousEvent {
  static constexpr std::string_view type = "exogenous_event";
  static constexpr std::string_view about = "`\"\"`";
  static constexpr std::string_view when = "00:00 on a shock's date";
  std::string kind;
  double multiplier = 1;
  std::string description;
  static constexpr auto fields() {
    using T = ExogenousEvent;
    return std::tuple{
        field("kind", &T::kind, "",
              "`demand`, `power_price`, `gpu_price`, `export_control` or `note`"),
        field("multiplier", &T::multiplier, "1",
              "factor applied from now on: demand multiplies agents' first-year utilisation, "
              "power_price the power tariff, gpu_price and export_control the GPU price of "
              "calls; 1 for a note"),
        field("description", &T::description, "", "the scenario's text")};
  }
};

// ---- Calls ----

struct CallAnnounced {
  static constexpr std::string_view type = "call_announced";
  static constexpr std::string_view about = "issuer";
  static constexpr std::string_view when = "00:00 on a round's announcement date";
  std::string call;
  int round = 0;
  std::string round_kind;
  std::string call_kind;
  std::string title;
  std::optional<std::string> loi_deadline;
  std::string bid_deadline;
  int min_valid_bids = 0;
  TermsInForce terms;
  std::optional<std::string> revision;
  static constexpr auto fields() {
    using T = CallAnnounced;
    return std::tuple{
        field("call", &T::call, "id", "the call"),
        field("round", &T::round, "",
              "1-based number of this announcement of the call (every round counts)"),
        field("round_kind", &T::round_kind, "",
              "`initial`, `reannouncement` (same terms), `new_call` (scripted changed terms) or "
              "`adaptive_revision` (terms changed by the revision rule)"),
        field("call_kind", &T::call_kind, "", "`spc_partner`, `procurement` or `allocation`"),
        field("title", &T::title, "", "the call's title"),
        nullable_field("loi_deadline", &T::loi_deadline, "date",
                       "letter-of-intent deadline; null if the round has none"),
        field("bid_deadline", &T::bid_deadline, "date", "bids close at 17:00 on this day"),
        field("min_valid_bids", &T::min_valid_bids, "bids",
              "valid bids this round needs to succeed"),
        field("terms", &T::terms, "", "the terms in force for this round, see below"),
        optional_field("revision", &T::revision, "",
                       "what changed, on revised rounds: `\"new call with changed terms\"` for a "
                       "scripted `new_call`; `\"<term>: <before> -> <after>\"` for an adaptive "
                       "revision")};
  }
};

struct TermsRevised {
  static constexpr std::string_view type = "terms_revised";
  static constexpr std::string_view about = "issuer";
  static constexpr std::string_view when =
      "when a failed round is answered by the adaptive revision rule";
  std::string call;
  int next_round = 0;
  std::string term;
  std::string from;
  std::string to;
  double public_money_bn_krw = 0;
  std::string reason;
  static constexpr auto fields() {
    using T = TermsRevised;
    return std::tuple{
        field("call", &T::call, "id", "the call"),
        field("next_round", &T::next_round, "", "the round that will carry the revised terms"),
        field("term", &T::term, "",
              "the clause relaxed (a term name as in `effects`, or `tax_credit` when it is "
              "raised)"),
        field("from", &T::from, "",
              "its level before, as text (`\"true\"`, `\"0.51\"`, `\"non_capital\"`)"),
        field("to", &T::to, "", "its level after"),
        field("public_money_bn_krw", &T::public_money_bn_krw, "bn KRW",
              "public equity plus tax credit under the revised terms"),
        field("reason", &T::reason, "",
              "why this clause, with the total it cost the agents that stayed away")};
  }
};

struct NegotiatedAward {
  static constexpr std::string_view type = "negotiated_award";
  static constexpr std::string_view about = "issuer";
  static constexpr std::string_view when = "when a failed round leads to a negotiated contract";
  std::string call;
  int round = 0;
  std::string lead;
  std::vector<std::string> members;
  std::string reason;
  static constexpr auto fields() {
    using T = NegotiatedAward;
    return std::tuple{field("call", &T::call, "id", "the call"),
                      field("round", &T::round, "",
                            "the failed round whose best valid bid the issuer's budget can pay "
                            "is taken"),
                      field("lead", &T::lead, "id", "lead of that bid"),
                      field("members", &T::members, "ids", "its consortium, lead first"),
                      field("reason", &T::reason, "",
                            "`\"failed re-announcement with a valid bid: negotiated contract\"`, "
                            "followed by `\" (better-ranked bids need more public money than is "
                            "left of ISSUER's YEAR budget)\"` when the best bid was passed over")};
  }
};

struct CallCancelled {
  static constexpr std::string_view type = "call_cancelled";
  static constexpr std::string_view about = "issuer";
  static constexpr std::string_view when = "the procedure cancels the call";
  std::string call;
  std::string reason;
  static constexpr auto fields() {
    using T = CallCancelled;
    return std::tuple{
        field("call", &T::call, "id", "the call"),
        field("reason", &T::reason, "", "`\"the procedure cancels the call after round N\"`")};
  }
};

struct CallClosed {
  static constexpr std::string_view type = "call_closed";
  static constexpr std::string_view about = "issuer";
  static constexpr std::string_view when = "the call ends without a contract";
  std::string call;
  std::string reason;
  bool awarded = false;
  static constexpr auto fields() {
    using T = CallClosed;
    return std::tuple{
        field("call", &T::call, "id", "the call"),
        field("reason", &T::reason, "",
              "why: `\"no further round in the procedure\"`; `\"the evaluation of round N ends "
              "after the horizon\"`; `\"the next revised round would close after the "
              "horizon\"`; the revision rule's refusal (`\"no revision possible within the "
              "public-money limit\"`, or `\"no revision possible within ISSUER's remaining YEAR "
              "budget (X bn KRW)\"` when the issuer's budget is what stops it); `\"awarded, but "
              "the contract would be signed after the horizon\"`"),
        field("awarded", &T::awarded, "",
              "true only in the last case: a round was awarded but the contract falls after the "
              "horizon")};
  }
};

/// What a contract charges its issuer's budget in one fiscal year.
struct BudgetYear {
  int year = 0;
  double bn_krw = 0;
  static constexpr auto fields() {
    using T = BudgetYear;
    return std::tuple{field("year", &T::year, "", "the fiscal year"),
                      field("bn_krw", &T::bn_krw, "bn KRW", "what the budget pays out in it")};
  }
};

struct ContractSigned {
  static constexpr std::string_view type = "contract_signed";
  static constexpr std::string_view about = "issuer";
  static constexpr std::string_view when = "30 days after the award, one per winner";
  std::string call;
  int round = 0;
  std::string lead;
  std::vector<std::string> members;
  std::int64_t gpus = 0;
  double public_equity_bn_krw = 0;
  double private_equity_bn_krw = 0;
  double tax_credit_bn_krw = 0;
  double policy_loan_bn_krw = 0;
  double price_bn_krw = 0;
  double public_money_bn_krw = 0;
  double loan_subsidy_bn_krw = 0;
  double market_debt_bn_krw = 0;
  double tax_expenditure_bn_krw = 0;
  double expected_loan_loss_bn_krw = 0;
  double shortfall_support_bn_krw = 0;
  double public_cost_bn_krw = 0;
  std::optional<std::vector<BudgetYear>> budget_charge;
  static constexpr auto fields() {
    using T = ContractSigned;
    return std::tuple{
        field("call", &T::call, "id", "the call"),
        field("round", &T::round, "", "the round awarded"),
        field("lead", &T::lead, "id", "the contractor, or the SPC's lead partner"),
        field("members", &T::members, "ids", "its consortium, lead first"),
        field("gpus", &T::gpus, "GPUs",
              "GPUs the contract covers: the call's `gpus`, or its lot when there are several "
              "winners"),
        field("public_equity_bn_krw", &T::public_equity_bn_krw, "bn KRW",
              "SPC calls: equity paid in by the public side; 0 otherwise"),
        field("private_equity_bn_krw", &T::private_equity_bn_krw, "bn KRW",
              "SPC calls: equity paid in by the private partners; 0 otherwise"),
        field("tax_credit_bn_krw", &T::tax_credit_bn_krw, "bn KRW",
              "SPC calls: tax credit on the GPU and building investment; 0 otherwise"),
        field("policy_loan_bn_krw", &T::policy_loan_bn_krw, "bn KRW",
              "SPC calls: policy loan; 0 otherwise"),
        field("price_bn_krw", &T::price_bn_krw, "bn KRW",
              "price paid: the winning bid's price divided by the number of winners (a bid "
              "prices the whole quantity); 0 for SPC bids and allocation applications"),
        field("public_money_bn_krw", &T::public_money_bn_krw, "bn KRW",
              "public money committed: public equity plus tax credit for SPC calls, the price "
              "otherwise; with the issuer's `budget_basis` `commitment` (the default), what "
              "counts against its budget of the signing date's year"),
        field("loan_subsidy_bn_krw", &T::loan_subsidy_bn_krw, "bn KRW",
              "SPC calls: the policy loan's grant equivalent, its principal less its base-case "
              "payments discounted at `market_debt_rate`, at the signing; 0 otherwise"),
        field("market_debt_bn_krw", &T::market_debt_bn_krw, "bn KRW",
              "SPC calls: debt from the market lender, as it sizes it on its base case (cover "
              "ratio, leverage cap); 0 otherwise"),
        field("tax_expenditure_bn_krw", &T::tax_expenditure_bn_krw, "bn KRW",
              "SPC calls: the tax credit the SPC is expected to use against tax due (present "
              "value at the signing, over the ledger's paths); 0 otherwise"),
        field("expected_loan_loss_bn_krw", &T::expected_loan_loss_bn_krw, "bn KRW",
              "SPC calls: the policy loan's expected default loss; 0 otherwise"),
        field("shortfall_support_bn_krw", &T::shortfall_support_bn_krw, "bn KRW",
              "SPC calls: expected shortfalls the public shareholder funds by its share; 0 "
              "otherwise"),
        field("public_cost_bn_krw", &T::public_cost_bn_krw, "bn KRW",
              "the contract's public-cost ledger in one number: public equity, expected tax "
              "expenditure, loan subsidy, expected loan loss and shortfall support for SPC "
              "calls, the price otherwise"),
        optional_field("budget_charge", &T::budget_charge, "",
                       "present when the issuer's `budget_basis` is `cash`: what the contract "
                       "charges its budget, by fiscal year (the price in the signing year; an "
                       "SPC's public equity over its `paid_in_years`)")};
  }
};

/// What the SPC expected of its operations when it signed, so that the run can set its measured
/// use against it (docs/model/compute-use.md, "The SPC's outturn").
struct ContractOutlook {
  static constexpr std::string_view type = "contract_outlook";
  static constexpr std::string_view about = "issuer";
  static constexpr std::string_view when = "with `contract_signed`, for SPC calls only";
  std::string call;
  std::string lead;
  std::int64_t gpus = 0;
  double public_use_share = 0;
  double public_use_discount = 0;
  double om_bn_krw_per_year = 0;
  std::vector<double> utilization;
  std::vector<double> sales_bn_krw;
  std::vector<double> power_bn_krw;
  std::vector<double> margin_bn_krw;
  std::vector<double> lender_base_case_bn_krw;
  static constexpr auto fields() {
    using T = ContractOutlook;
    return std::tuple{
        field("call", &T::call, "id", "the call"),
        field("lead", &T::lead, "id", "the SPC's lead partner, whose view of operations it is"),
        field("gpus", &T::gpus, "GPUs", "GPUs the contract covers"),
        field("public_use_share", &T::public_use_share, "1",
              "the object's share of the GPUs for public users: they join the public pool, the "
              "rest is sold commercially from the SPC's own pool"),
        field("public_use_discount", &T::public_use_discount, "1",
              "the object's discount on the commercial price for the public share"),
        field("om_bn_krw_per_year", &T::om_bn_krw_per_year, "bn KRW",
              "operations and maintenance per operating year: `om_share_of_capex` × capex"),
        field("utilization", &T::utilization, "1",
              "per operating year: expected share of GPU-hours sold, mean over the ledger's "
              "paths (0.0001)"),
        field("sales_bn_krw", &T::sales_bn_krw, "bn KRW",
              "per operating year: expected revenue from GPU-hours, the public share at its "
              "discount"),
        field("power_bn_krw", &T::power_bn_krw, "bn KRW",
              "per operating year: expected cost of the facility's power"),
        field("margin_bn_krw", &T::margin_bn_krw, "bn KRW",
              "per operating year: sales − power − operations and maintenance"),
        field("lender_base_case_bn_krw", &T::lender_base_case_bn_krw, "bn KRW",
              "per operating year: the cash flow the market lender sized its debt on (its own "
              "haircuts, no delay; at least 0)")};
  }
};

/// One operating year of an SPC settled on its measured operations: the contract's waterfall run
/// on what its GPUs earned (docs/model/compute-use.md, "Settling the contract on the outturn").
struct SpcYearSettled {
  static constexpr std::string_view type = "spc_year_settled";
  static constexpr std::string_view about = "the SPC's lead";
  static constexpr std::string_view when =
      "12:00 on the first day of the month after each operating year (twelve months from the "
      "month of its first GPUs online) that ends before the horizon, and for a delayed delivery "
      "after the month its first GPUs run for the year the delay lost; SPC calls with compute "
      "use only";
  std::string call;
  std::int64_t operating_year = 0;
  std::string from;
  double utilization = 0;
  double margin_bn_krw = 0;
  double expected_margin_bn_krw = 0;
  double tax_bn_krw = 0;
  double debt_service_due_bn_krw = 0;
  std::optional<double> cover_ratio;
  double debt_service_paid_bn_krw = 0;
  double shortfall_bn_krw = 0;
  double private_support_bn_krw = 0;
  double public_support_bn_krw = 0;
  std::optional<double> support_left_bn_krw;
  double dividends_bn_krw = 0;
  double debt_left_bn_krw = 0;
  std::string status;
  static constexpr auto fields() {
    using T = SpcYearSettled;
    return std::tuple{
        field("call", &T::call, "id", "the call whose contract created the SPC"),
        field("operating_year", &T::operating_year, "",
              "1 for the first twelve months online; 0 for the year a delayed delivery lost "
              "(nothing ran: its margin is the site's upkeep and any damages owed for the delay)"),
        field("from", &T::from, "date", "first day of the operating year"),
        field("utilization", &T::utilization, "1",
              "measured: busy GPU-hours over capacity on the SPC's own pool and its GPUs in the "
              "public pool (0.0001)"),
        field("margin_bn_krw", &T::margin_bn_krw, "bn KRW",
              "measured: sales (the public share at its discount) − power − operations and "
              "maintenance for the GPU-hours online"),
        field("expected_margin_bn_krw", &T::expected_margin_bn_krw, "bn KRW",
              "the outlook's margin for the same GPU-hours online"),
        field("tax_bn_krw", &T::tax_bn_krw, "bn KRW",
              "corporate tax due after losses carried forward and the tax credit"),
        field("debt_service_due_bn_krw", &T::debt_service_due_bn_krw, "bn KRW",
              "the loans' scheduled service (sculpted on the lender's base case)"),
        nullable_field("cover_ratio", &T::cover_ratio, "1",
                       "debt-service cover: (margin − tax) over the service due; `null` when "
                       "none is due (0.0001)"),
        field("debt_service_paid_bn_krw", &T::debt_service_paid_bn_krw, "bn KRW",
              "paid to the lenders: the service due, or after a default what the cash allows"),
        field("shortfall_bn_krw", &T::shortfall_bn_krw, "bn KRW",
              "service the year's cash and the reserve could not pay"),
        field("private_support_bn_krw", &T::private_support_bn_krw, "bn KRW",
              "of the shortfall, funded by the private shareholders (all of it under "
              "loss-bearing)"),
        field("public_support_bn_krw", &T::public_support_bn_krw, "bn KRW",
              "of the shortfall, funded by the public shareholder (its equity share); a cost "
              "the state pays"),
        nullable_field("support_left_bn_krw", &T::support_left_bn_krw, "bn KRW",
                       "what the shareholders would still fund before the SPC defaults "
                       "(`sponsor_support_share` × equity, less what they funded); `null` under "
                       "loss-bearing (no limit)"),
        field("dividends_bn_krw", &T::dividends_bn_krw, "bn KRW", "paid to the shareholders"),
        field("debt_left_bn_krw", &T::debt_left_bn_krw, "bn KRW", "both loans, after the year"),
        field("status", &T::status, "",
              "`covered` (the cash paid the service), `supported` (the shareholders funded a "
              "shortfall) or `defaulted` (beyond their support: the lenders take the cash, this "
              "year and after)")};
  }
};

// ---- Consortia and bids ----

/// One team of an SPC partner round's entry game.
struct EntryTeam {
  std::vector<std::string> members;
  double expected_score = 0;
  bool enters = false;
  double win_probability = 0;
  static constexpr auto fields() {
    using T = EntryTeam;
    return std::tuple{
        field("members", &T::members, "ids", "the team, lead first"),
        field("expected_score", &T::expected_score, "points",
              "score the team expects from the evaluators"),
        field("enters", &T::enters, "", "whether it bids in the profile played"),
        field("win_probability", &T::win_probability, "1",
              "its chance of winning if it bids, against the other teams that bid in the profile "
              "played (0.001)")};
  }
};

/// One pure Nash equilibrium of an entry game.
struct EntryProfile {
  std::vector<std::string> entrants;
  static constexpr auto fields() {
    return std::tuple{field("entrants", &EntryProfile::entrants, "ids",
                            "the leads of the teams that bid, by id")};
  }
};

struct EntrySettled {
  static constexpr std::string_view type = "entry_settled";
  static constexpr std::string_view about = "`tender-board`";
  static constexpr std::string_view when =
      "once per SPC partner round, when leads prepare (one day after the announcement)";
  std::string call;
  int round = 0;
  std::vector<EntryTeam> teams;
  std::vector<EntryProfile> equilibria;
  std::string selection;
  int chosen = 0;
  std::vector<std::string> entrants;
  bool formation_converged = true;
  static constexpr auto fields() {
    using T = EntrySettled;
    return std::tuple{
        field("call", &T::call, "id", "the call"),
        field("round", &T::round, "", "the round"),
        field("teams", &T::teams, "",
              "every team that could bid, settled by deferred acceptance, by lead id"),
        field("equilibria", &T::equilibria, "",
              "every pure Nash equilibrium of the entry game, in a fixed order; empty when none "
              "exists or the teams were too many to enumerate (`max_enumerated_teams`)"),
        field("selection", &T::selection, "",
              "how the profile played was chosen: `unique` (the only equilibrium), "
              "`seeded_draw` (several: drawn uniformly from the stream `entry/<call>#<round>`), "
              "`best_response` (none, or too many teams: best responses by lead id from nobody "
              "entering)"),
        field("chosen", &T::chosen, "",
              "index of the profile played in `equilibria` (0 unless `seeded_draw`)"),
        field("entrants", &T::entrants, "ids", "the leads of the teams that bid, by id"),
        field("formation_converged", &T::formation_converged, "",
              "false when team formation stopped at `max_formation_rounds` proposal rounds")};
  }
};

struct InvitationSent {
  static constexpr std::string_view type = "invitation_sent";
  static constexpr std::string_view about = "lead";
  static constexpr std::string_view when = "a lead invites a partner";
  std::string call;
  int round = 0;
  std::string to;
  std::vector<std::string> team;
  static constexpr auto fields() {
    using T = InvitationSent;
    return std::tuple{
        field("call", &T::call, "id", "the call"), field("round", &T::round, "", "the round"),
        field("to", &T::to, "id", "the agent invited"),
        field("team", &T::team, "ids", "the team proposed: lead first, invitee last")};
  }
};

struct InvitationAnswered {
  static constexpr std::string_view type = "invitation_answered";
  static constexpr std::string_view about = "invitee";
  static constexpr std::string_view when = "the partner answers";
  std::string call;
  int round = 0;
  std::string lead;
  bool confirmation = false;
  std::vector<std::string> team;
  bool accepted = false;
  std::optional<double> share;
  std::optional<double> value_bn_krw;
  std::string reason;
  std::optional<std::vector<ClauseEffect>> obstacles;
  static constexpr auto fields() {
    using T = InvitationAnswered;
    return std::tuple{
        field("call", &T::call, "id", "the call"),
        field("round", &T::round, "", "the round"),
        field("lead", &T::lead, "id", "who invited"),
        field("confirmation", &T::confirmation, "",
              "true for the final check of a member that had already accepted"),
        field("team", &T::team, "ids", "the team proposed"),
        field("accepted", &T::accepted, "", "true when it joins"),
        optional_field("share", &T::share, "1",
                       "assessed answers only: its share of the private side's equity in that "
                       "team (0.001)"),
        optional_field("value_bn_krw", &T::value_bn_krw, "bn KRW",
                       "assessed answers only: what taking part is worth to it (same definition "
                       "as in `bid_decision`)"),
        field("reason", &T::reason, "",
              "`\"better off inside\"`: SPC partner rounds invite only the members of a settled "
              "team that bids (`entry_settled`); the other answers are no longer given: "
              "busy (`\"already in the consortium led by <id>\"`) or the refusal: `\"value X bn "
              "KRW not positive\"`, possibly followed by `\"; "
              "commitment Y bn KRW (equity and contingent liabilities) exceeds its limit Z bn "
              "KRW\"`, or `\"no capital to commit to this project\"` (then `share`, "
              "`value_bn_krw` are 0 and `obstacles` is empty)"),
        optional_field("obstacles", &T::obstacles, "",
                       "assessed answers only: its costliest clauses, at most four, most costly "
                       "first, negative deltas only: `{\"term\": string, \"delta_bn_krw\": "
                       "number}` (see [above](#which-clause-kept-whom-away))")};
  }
};

struct MemberWithdrew {
  static constexpr std::string_view type = "member_withdrew";
  static constexpr std::string_view about = "member";
  static constexpr std::string_view when =
      "a member refuses the final check (not emitted since teams are settled by `entry_settled`)";
  std::string call;
  int round = 0;
  std::string lead;
  static constexpr auto fields() {
    using T = MemberWithdrew;
    return std::tuple{field("call", &T::call, "id", "the call"),
                      field("round", &T::round, "", "the round"),
                      field("lead", &T::lead, "id", "the lead of the team it leaves")};
  }
};

struct BidDecision {
  static constexpr std::string_view type = "bid_decision";
  static constexpr std::string_view about = "lead";
  static constexpr std::string_view when = "a lead decides whether to bid";
  std::string call;
  int round = 0;
  std::string decision;
  std::optional<std::vector<std::string>> team;
  std::optional<BidValuation> valuation;
  std::optional<SupplyQuote> supply;
  std::string reason;
  std::optional<std::vector<ClauseEffect>> effects;
  std::optional<double> neutral_value_bn_krw;
  std::optional<std::string> attribution;
  std::optional<ClauseInteraction> interaction;
  static constexpr auto fields() {
    using T = BidDecision;
    return std::tuple{
        field("call", &T::call, "id", "the call"),
        field("round", &T::round, "", "the round"),
        field("decision", &T::decision, "", "`bid`, `no_bid` or `in_consortium`"),
        optional_field("team", &T::team, "ids",
                       "`bid` and `no_bid`: the final team, lead first (just the lead if nobody "
                       "joined; the supplier alone in procurement calls)"),
        inline_fields(&T::valuation, "SPC partner calls"),
        inline_fields(&T::supply, "procurement calls"),
        field("reason", &T::reason, "",
              "SPC: `\"value positive for every member\"`, or the refusal text (as in "
              "`invitation_answered`); procurement: `\"expected profit covers its bid "
              "cost\"`, `\"not eligible: operating experience below the minimum\"`, `\"ceiling "
              "price X bn KRW does not cover its cost Y bn KRW and bid cost\"` (without a "
              "ceiling: `\"the most the buyer pays X bn KRW ...\"`) or `\"expected profit X bn KRW "
              "against N rivals below its bid cost Y bn KRW\"`; in_consortium: `\"member of the "
              "consortium led by <id>\"`"),
        optional_field("effects", &T::effects, "",
                       "SPC partner calls: every clause's effect on `value_bn_krw` (its "
                       "Shapley value): `{\"term\": string, \"delta_bn_krw\": number}`, in "
                       "the fixed order given [above](#which-clause-kept-whom-away); 0 for a "
                       "clause at its neutral level"),
        optional_field("neutral_value_bn_krw", &T::neutral_value_bn_krw, "bn KRW",
                       "SPC partner calls: `value_bn_krw` with every clause at its neutral level; "
                       "the effects add up to `value_bn_krw − neutral_value_bn_krw` (within the "
                       "rounding of the logged amounts)"),
        optional_field("attribution", &T::attribution, "",
                       "SPC partner calls: `exact` (every subset of the active clauses valued) "
                       "or `sampled` (random orders of the clauses, when more than "
                       "`valuation.shapley_exact_clauses` are active; the effects then carry "
                       "standard errors)"),
        optional_field("interaction", &T::interaction, "",
                       "SPC partner calls with two or more active clauses: the strongest pairwise "
                       "interaction: `{\"terms\": [string, string], \"delta_bn_krw\": "
                       "number}`")};
  }
};

struct ConsortiumFormed {
  static constexpr std::string_view type = "consortium_formed";
  static constexpr std::string_view about = "lead";
  static constexpr std::string_view when = "a lead will bid with its team";
  std::string call;
  int round = 0;
  std::vector<std::string> members;
  std::vector<double> shares;
  int cloud_providers = 0;
  double expected_score = 0;
  double win_probability = 0;
  static constexpr auto fields() {
    using T = ConsortiumFormed;
    return std::tuple{
        field("call", &T::call, "id", "the call"),
        field("round", &T::round, "", "the round"),
        field("members", &T::members, "ids", "the team, lead first"),
        field("shares", &T::shares, "1",
              "each member's share of the private equity, same order (0.001)"),
        field("cloud_providers", &T::cloud_providers, "members",
              "members counted for the multi-CSP bonus (`cloud_operations` ≥ 0.5)"),
        field("expected_score", &T::expected_score, "points",
              "score the team expects from the evaluators"),
        field("win_probability", &T::win_probability, "1",
              "chance the lead gives the bid, against the other teams that bid in the entry "
              "equilibrium played (`entry_settled`)")};
  }
};

struct ConsortiumDissolved {
  static constexpr std::string_view type = "consortium_dissolved";
  static constexpr std::string_view about = "lead";
  static constexpr std::string_view when =
      "a lead gives up with a team of two or more (not emitted since teams are settled by "
      "`entry_settled`)";
  std::string call;
  int round = 0;
  std::vector<std::string> members;
  static constexpr auto fields() {
    using T = ConsortiumDissolved;
    return std::tuple{field("call", &T::call, "id", "the call"),
                      field("round", &T::round, "", "the round"),
                      field("members", &T::members, "ids", "the team, lead first")};
  }
};

struct BidSubmitted {
  static constexpr std::string_view type = "bid_submitted";
  static constexpr std::string_view about = "lead or applicant";
  static constexpr std::string_view when = "16:00 on the bid deadline";
  std::string call;
  int round = 0;
  std::vector<std::string> members;
  double price_bn_krw = 0;
  static constexpr auto fields() {
    using T = BidSubmitted;
    return std::tuple{
        field("call", &T::call, "id", "the call"), field("round", &T::round, "", "the round"),
        field("members", &T::members, "ids", "the bidding team, lead first"),
        field("price_bn_krw", &T::price_bn_krw, "bn KRW",
              "public money asked: the price of the whole quantity for procurement, 0 for SPC "
              "bids and allocation applications")};
  }
};

// ---- Tender board ----

struct BidsOpened {
  static constexpr std::string_view type = "bids_opened";
  static constexpr std::string_view about = "`tender-board`";
  static constexpr std::string_view when = "17:00 on the bid deadline";
  std::string call;
  int round = 0;
  std::uint64_t received = 0;
  int valid = 0;
  std::vector<ScoredBidEntry> bids;
  static constexpr auto fields() {
    using T = BidsOpened;
    return std::tuple{
        field("call", &T::call, "id", "the call"), field("round", &T::round, "", "the round"),
        field("received", &T::received, "bids", "bids received"),
        field("valid", &T::valid, "bids", "valid bids among them"),
        field("bids", &T::bids, "",
              "every bid, ranked: valid bids first by total score (higher first), then lower "
              "price, then the lower seeded lottery draw; then the invalid ones")};
  }
};

struct RoundFailed {
  static constexpr std::string_view type = "round_failed";
  static constexpr std::string_view about = "`tender-board`";
  static constexpr std::string_view when =
      "right after `bids_opened`: too few valid bids, or none the issuer's budget can pay";
  std::string call;
  int round = 0;
  int valid_bids = 0;
  int required = 0;
  std::string reason;
  std::vector<StayedAwayEntry> stayed_away;
  static constexpr auto fields() {
    using T = RoundFailed;
    return std::tuple{
        field("call", &T::call, "id", "the call"),
        field("round", &T::round, "", "the round"),
        field("valid_bids", &T::valid_bids, "bids", "valid bids"),
        field("required", &T::required, "bids", "the round's `min_valid_bids`"),
        field("reason", &T::reason, "",
              "`\"N valid bids of M received; K required\"`, or `\"N valid bids, none within "
              "ISSUER's YEAR budget: X bn KRW left, the least public money a valid bid needs is "
              "Y bn KRW\"` when every valid bid needs more public money than is left of the "
              "issuer's budget in the year its contract would be signed"),
        field("stayed_away", &T::stayed_away, "",
              "every agent that stayed away from this round, by agent id (see below)")};
  }
};

struct RoundPending {
  static constexpr std::string_view type = "round_pending";
  static constexpr std::string_view about = "`tender-board`";
  static constexpr std::string_view when =
      "right after `bids_opened`, evaluation ends after the horizon";
  std::string call;
  int round = 0;
  int valid_bids = 0;
  std::string award_due;
  static constexpr auto fields() {
    using T = RoundPending;
    return std::tuple{
        field("call", &T::call, "id", "the call"), field("round", &T::round, "", "the round"),
        field("valid_bids", &T::valid_bids, "bids", "valid bids"),
        field("award_due", &T::award_due, "date", "when the award would have been announced")};
  }
};

struct RoundAwarded {
  static constexpr std::string_view type = "round_awarded";
  static constexpr std::string_view about = "`tender-board`";
  static constexpr std::string_view when = "`evaluation_days` after the opening, 17:00";
  std::string call;
  int round = 0;
  std::vector<std::string> winners;
  std::vector<std::string> winner_kinds;
  int valid_bids = 0;
  std::string reason;
  static constexpr auto fields() {
    using T = RoundAwarded;
    return std::tuple{field("call", &T::call, "id", "the call"),
                      field("round", &T::round, "", "the round"),
                      field("winners", &T::winners, "ids",
                            "leads of the winning bids, best first (at most the call's `winners`; "
                            "bids the issuer's budget cannot pay are passed over)"),
                      field("winner_kinds", &T::winner_kinds, "", "their agent kinds, same order"),
                      field("valid_bids", &T::valid_bids, "bids", "valid bids"),
                      field("reason", &T::reason, "",
                            "`\"N valid bids; best score S\"`, S rounded to a whole point, then "
                            "for each bid passed over for the budget `\"; LEAD passed over: X bn "
                            "KRW of public money, Y bn KRW left of ISSUER's YEAR budget\"`")};
  }
};

// ---- Delivery ----

struct GpusOrdered {
  static constexpr std::string_view type = "gpus_ordered";
  static constexpr std::string_view about = "lead";
  static constexpr std::string_view when = "with each `contract_signed` (not for allocation calls)";
  std::string call;
  std::int64_t gpus = 0;
  double capex_bn_krw = 0;
  static constexpr auto fields() {
    using T = GpusOrdered;
    return std::tuple{
        field("call", &T::call, "id", "the call"),
        field("gpus", &T::gpus, "GPUs", "GPUs ordered (the contract's `gpus`)"),
        field("capex_bn_krw", &T::capex_bn_krw, "bn KRW", "GPU and building investment for them")};
  }
};

struct CapacityOnline {
  static constexpr std::string_view type = "capacity_online";
  static constexpr std::string_view about = "lead";
  static constexpr std::string_view when = "00:00 on the day a contract's GPUs run";
  std::string call;
  std::int64_t gpus = 0;
  double mw = 0;
  std::string site;
  bool delayed = false;
  std::optional<std::string> generation;
  std::optional<std::string> grid_region;
  static constexpr auto fields() {
    using T = CapacityOnline;
    return std::tuple{
        field("call", &T::call, "id", "the call"),
        field("gpus", &T::gpus, "GPUs", "GPUs now online"),
        field("mw", &T::mw, "MW",
              "power the site draws for them: GPUs × `kw_per_gpu` × `pue` / 1000"),
        field("site", &T::site, "",
              "where the GPUs run, `capital` or `non_capital`: the region the terms require, or, "
              "under the site rule `any`, the site the winning team proposed (for an SPC team, "
              "the better of the two in its lead's valuation; procurement and allocation bids "
              "propose `non_capital`)"),
        field("delayed", &T::delayed, "",
              "a one-year delay (grid connection, construction) happened; drawn from the stream "
              "`delivery/<call>`, one draw per contract in the winners' order"),
        optional_field("generation", &T::generation, "id",
                       "the GPUs' generation (that of the vendor's latest shipment); only with "
                       "vendors"),
        optional_field("grid_region", &T::grid_region, "",
                       "`region` of the grid node the hosting site connects to; only at a site "
                       "of the grid")};
  }
};

/// Every event type tenderlab writes, in the order docs/event-log.md lists them.
// ---- Power grid ----

struct ConnectionRequested {
  static constexpr std::string_view type = "connection_requested";
  static constexpr std::string_view about = "the site's user (a contract's lead)";
  static constexpr std::string_view when = "when a contract is signed, for the site hosting it";
  std::string site;
  std::string node;
  std::string call;
  double mw = 0;
  static constexpr auto fields() {
    using T = ConnectionRequested;
    return std::tuple{
        field("site", &T::site, "id", "the site asking for power"),
        field("node", &T::node, "id", "the grid node it connects to"),
        field("call", &T::call, "id", "the call whose contract needs the power"),
        field("mw", &T::mw, "MW", "power asked for: GPUs × `kw_per_gpu` × `pue` / 1000")};
  }
};

struct ConnectionDecided {
  static constexpr std::string_view type = "connection_decided";
  static constexpr std::string_view about = "the site's user (a contract's lead)";
  static constexpr std::string_view when =
      "at each review of the grid operator while the request waits, until all its MW are granted";
  std::string site;
  std::string node;
  std::string call;
  std::string decision;
  double requested_mw = 0;
  double granted_mw = 0;
  double outstanding_mw = 0;
  double headroom_mw = 0;
  std::int64_t waited_days = 0;
  static constexpr auto fields() {
    using T = ConnectionDecided;
    return std::tuple{
        field("site", &T::site, "id", "the site"),
        field("node", &T::node, "id", "its grid node"),
        field("call", &T::call, "id", "the call whose contract needs the power"),
        field("decision", &T::decision, "",
              "`granted` (all that was outstanding), `partial` (some of it) or `refused` "
              "(nothing at this review)"),
        field("requested_mw", &T::requested_mw, "MW", "what the request asked for in all"),
        field("granted_mw", &T::granted_mw, "MW", "granted at this review"),
        field("outstanding_mw", &T::outstanding_mw, "MW", "still waiting after this review"),
        field("headroom_mw", &T::headroom_mw, "MW",
              "what a new load at the node could still draw after the review's grants"),
        field("waited_days", &T::waited_days, "days", "since the request")};
  }
};

struct GridReinforced {
  static constexpr std::string_view type = "grid_reinforced";
  static constexpr std::string_view about = "the grid operator";
  static constexpr std::string_view when =
      "00:00 on the day a planned upgrade or a reinforcement goes into service";
  std::string node;
  std::string to;
  double mw = 0;
  std::string cause;
  static constexpr auto fields() {
    using T = GridReinforced;
    return std::tuple{
        field("node", &T::node, "id", "the node (one end of the line for a line upgrade)"),
        field("to", &T::to, "id", "the line's other end; `\"\"` for more supply at the node"),
        field("mw", &T::mw, "MW", "supply or line capacity added"),
        field("cause", &T::cause, "",
              "`planned` (in /grid/upgrades) or `reinforcement` (started by the operator for MW "
              "it could not grant)")};
  }
};

struct OtherApplicationsDecided {
  static constexpr std::string_view type = "other_applications_decided";
  static constexpr std::string_view about = "the grid operator";
  static constexpr std::string_view when =
      "at each review, for each node with `other_applications_mw_per_year` above 0";
  std::string node;
  std::string region;
  bool capital_region = false;
  double requested_mw = 0;
  double granted_mw = 0;
  double headroom_mw = 0;
  static constexpr auto fields() {
    using T = OtherApplicationsDecided;
    return std::tuple{
        field("node", &T::node, "id", "the grid node"),
        field("region", &T::region, "id", "its `region`"),
        field("capital_region", &T::capital_region, "", "whether it lies in the capital region"),
        field("requested_mw", &T::requested_mw, "MW",
              "what data centres outside the model applied for there since the last review"),
        field("granted_mw", &T::granted_mw, "MW",
              "granted and connected at this review; the rest lapses"),
        field("headroom_mw", &T::headroom_mw, "MW",
              "what a new load at the node could still draw after the review's grants")};
  }
};

// ---- GPU supply and private fleets ----

struct GpusAllocated {
  static constexpr std::string_view type = "gpus_allocated";
  static constexpr std::string_view about = "the buyer";
  static constexpr std::string_view when =
      "00:00 on the first day of each quarter an order waits through, until it is confirmed in "
      "full";
  std::string vendor;
  std::string order;
  std::string generation;
  std::int64_t requested = 0;
  std::int64_t confirmed = 0;
  std::int64_t outstanding = 0;
  std::string delivery;
  static constexpr auto fields() {
    using T = GpusAllocated;
    return std::tuple{
        field("vendor", &T::vendor, "id", "the vendor (an agent in `/vendors`)"),
        field("order", &T::order, "id",
              "the order: `<call>/<lead>` for a contract, `fleet/<agent>/<quarter>` for a fleet"),
        field("generation", &T::generation, "id",
              "the generation confirmed: the vendor's preferred one on the day"),
        field("requested", &T::requested, "GPUs", "waiting before this decision"),
        field("confirmed", &T::confirmed, "GPUs", "confirmed now, delivered on `delivery`"),
        field("outstanding", &T::outstanding, "GPUs", "still waiting for a later quarter"),
        field("delivery", &T::delivery, "date",
              "when the confirmed GPUs arrive: the decision plus the vendor's lead time")};
  }
};

struct GpusDelivered {
  static constexpr std::string_view type = "gpus_delivered";
  static constexpr std::string_view about = "the buyer";
  static constexpr std::string_view when = "00:00 on a confirmation's delivery date";
  std::string vendor;
  std::string order;
  std::string generation;
  std::int64_t gpus = 0;
  static constexpr auto fields() {
    using T = GpusDelivered;
    return std::tuple{field("vendor", &T::vendor, "id", "the vendor"),
                      field("order", &T::order, "id", "the order"),
                      field("generation", &T::generation, "id", "the generation delivered"),
                      field("gpus", &T::gpus, "GPUs", "GPUs delivered")};
  }
};

struct FleetDecision {
  static constexpr std::string_view type = "fleet_decision";
  static constexpr std::string_view about = "the fleet's owner";
  static constexpr std::string_view when = "00:00 on the first day of each quarter";
  std::int64_t gpus = 0;
  std::string vendor;
  std::string generation;
  std::string site;
  double price_bn_krw = 0;
  double capex_bn_krw = 0;
  double tax_credit_bn_krw = 0;
  double certainty_equivalent_bn_krw = 0;
  double expected_utilization = 0;
  std::optional<double> break_even_utilization;
  std::string binding;
  double next_step_value_bn_krw = 0;
  std::int64_t fleet_gpus = 0;
  double demand_gpu_hours_per_year = 0;
  std::optional<std::string> next_best_site;
  std::optional<double> next_best_value_bn_krw;
  static constexpr auto fields() {
    using T = FleetDecision;
    return std::tuple{
        field("gpus", &T::gpus, "GPUs", "GPUs the owner orders now (0: it does not expand)"),
        field("vendor", &T::vendor, "id", "the vendor it would order from; `\"\"` when none sells"),
        field("generation", &T::generation, "id", "the generation it valued"),
        field("site", &T::site, "id",
              "the site they would run at, of the owner's and the ownerless ones the one where "
              "the order is worth most; `\"\"` without sites (no grid in the scenario)"),
        field("price_bn_krw", &T::price_bn_krw, "bn KRW",
              "list price per GPU on the day, GPU price shocks applied"),
        field("capex_bn_krw", &T::capex_bn_krw, "bn KRW", "GPUs and building of the order"),
        field("tax_credit_bn_krw", &T::tax_credit_bn_krw, "bn KRW",
              "investment tax credit earned by the order, at face value"),
        field("certainty_equivalent_bn_krw", &T::certainty_equivalent_bn_krw, "bn KRW",
              "what the order is worth to the owner"),
        field("expected_utilization", &T::expected_utilization, "1",
              "of the whole fleet with the order, mean over paths and years"),
        nullable_field(
            "break_even_utilization", &T::break_even_utilization, "1",
            "the constant utilisation at which one new GPU just pays; `null` when none does"),
        field("binding", &T::binding, "",
              "what stopped the order: `value` (one more step adds no value), `capital`, "
              "`vendor` (its allocation cap) or `grid` (spare MW at its sites)"),
        field("next_step_value_bn_krw", &T::next_step_value_bn_krw, "bn KRW",
              "what one more step would have added: > 0 when a bound binds (what it costs)"),
        field("fleet_gpus", &T::fleet_gpus, "GPUs",
              "GPUs the owner runs or has on order, before this order"),
        field("demand_gpu_hours_per_year", &T::demand_gpu_hours_per_year, "GPU-hours/yr",
              "its customers' demand now, H100-equivalent"),
        nullable_field("next_best_site", &T::next_best_site, "id",
                       "the best of the other sites it valued; `null` when it valued one"),
        nullable_field("next_best_value_bn_krw", &T::next_best_value_bn_krw, "bn KRW",
                       "what the best plan there was worth; `null` when it valued one site")};
  }
};

struct FleetOnline {
  static constexpr std::string_view type = "fleet_online";
  static constexpr std::string_view about = "the fleet's owner";
  static constexpr std::string_view when =
      "00:00 on the day an order's GPUs run: delivered and their power granted";
  std::string order;
  std::int64_t gpus = 0;
  double mw = 0;
  std::string site;
  std::string region;
  std::optional<std::string> generation;
  std::optional<std::string> grid_region;
  static constexpr auto fields() {
    using T = FleetOnline;
    return std::tuple{
        field("order", &T::order, "id", "the fleet's order"),
        field("gpus", &T::gpus, "GPUs", "GPUs now online"),
        field("mw", &T::mw, "MW", "power they draw: GPUs × kW × PUE / 1000"),
        field("site", &T::site, "id", "the site; `\"\"` without sites"),
        field("region", &T::region, "", "`capital` or `non_capital`; `non_capital` without sites"),
        optional_field("generation", &T::generation, "id",
                       "the GPUs' generation (that of the vendor's latest shipment)"),
        optional_field("grid_region", &T::grid_region, "",
                       "`region` of the site's grid node; only at a site of the grid")};
  }
};

/// What the fleet instruments cost the state for one fleet over a quarter
/// (docs/model/fleet-expansion.md, "What the instruments cost").
struct InstrumentCost {
  static constexpr std::string_view type = "instrument_cost";
  static constexpr std::string_view about = "the fleet's owner";
  static constexpr std::string_view when =
      "00:00 on the first day of each quarter, for the quarter before, and at the horizon for "
      "the last part quarter; only when the anchor bought hours or the tariff discount applied";
  std::string from;
  double anchor_gpu_hours = 0;
  double anchor_bn_krw = 0;
  double utilization = 0;
  double mwh_outside_capital = 0;
  double tariff_discount_bn_krw = 0;
  static constexpr auto fields() {
    using T = InstrumentCost;
    return std::tuple{
        field("from", &T::from, "date", "first day of the period"),
        field("anchor_gpu_hours", &T::anchor_gpu_hours, "GPU-hours",
              "reference-GPU-hours the state bought of the fleet under the anchor: its share of "
              "the anchor, up to the share of its capacity it can sell (0.01)"),
        field("anchor_bn_krw", &T::anchor_bn_krw, "bn KRW", "paid for them at the anchor price"),
        field("utilization", &T::utilization, "1",
              "of the fleet's GPUs online: the anchor's hours and its customers' (measured on its "
              "pool with compute use, else its customers' demand) (0.0001)"),
        field("mwh_outside_capital", &T::mwh_outside_capital, "MWh",
              "facility energy its GPUs outside the capital region drew at that utilisation "
              "(0.001)"),
        field("tariff_discount_bn_krw", &T::tariff_discount_bn_krw, "bn KRW",
              "the non-capital tariff discount on that energy, at the tariff of the day")};
  }
};

/// Power still to be granted in one region of the grid.
struct RegionMw {
  std::string region;
  double mw = 0;
  static constexpr auto fields() {
    using T = RegionMw;
    return std::tuple{field("region", &T::region, "id", "`region` of the sites' grid nodes"),
                      field("mw", &T::mw, "MW", "MW requested there and not granted yet")};
  }
};

/// GPUs ordered (a contract's or a fleet's) that do not run yet, by what they wait for.
struct WaitingGpus {
  std::int64_t for_vendor = 0;
  std::int64_t for_building = 0;
  std::int64_t for_power = 0;
  static constexpr auto fields() {
    using T = WaitingGpus;
    return std::tuple{
        field("for_vendor", &T::for_vendor, "GPUs", "ordered and not yet delivered by the vendor"),
        field("for_building", &T::for_building, "GPUs",
              "delivered (or at hand without a vendor) while the site is still being built"),
        field("for_power", &T::for_power, "GPUs",
              "delivered at a built site whose MW the grid operator has not granted yet")};
  }
};

struct DeliveryPipeline {
  static constexpr std::string_view type = "delivery_pipeline";
  static constexpr std::string_view about = "`\"\"`";
  static constexpr std::string_view when =
      "00:00 on 1 January (after `year_start`, for the year that ended) and at the end of the "
      "run, in a scenario with vendors or a grid";
  WaitingGpus calls;
  WaitingGpus fleets;
  std::vector<RegionMw> mw_waiting;
  static constexpr auto fields() {
    using T = DeliveryPipeline;
    return std::tuple{
        field("calls", &T::calls, "", "contracts' GPUs that do not run yet, by what they wait for"),
        field("fleets", &T::fleets, "", "the same for the fleets' orders"),
        field("mw_waiting", &T::mw_waiting, "",
              "MW requested of the grid operator and not granted yet, by region (sorted; regions "
              "with none left out)")};
  }
};

// ---- Compute use ----

/// One user group's jobs on one pool in one month.
struct GroupUse {
  std::string group;
  std::int64_t jobs_submitted = 0;
  std::int64_t jobs_started = 0;
  std::int64_t jobs_lost = 0;
  double gpu_hours = 0;
  double wait_hours = 0;
  std::int64_t jobs_reneged = 0;
  static constexpr auto fields() {
    using T = GroupUse;
    return std::tuple{
        field("group", &T::group, "id",
              "the user group (on the public pool: its allocation awards); `customers` for the "
              "fleet's own customers"),
        field("jobs_submitted", &T::jobs_submitted, "jobs", "jobs it submitted to the pool"),
        field("jobs_started", &T::jobs_started, "jobs", "its jobs that started"),
        field("jobs_lost", &T::jobs_lost, "jobs",
              "its jobs that found the expected wait longer than they would wait, and left"),
        field("gpu_hours", &T::gpu_hours, "GPU-hours", "GPU-hours its jobs ran"),
        field("wait_hours", &T::wait_hours, "hours",
              "sum over its jobs that started of the hours each waited"),
        field("jobs_reneged", &T::jobs_reneged, "jobs",
              "its jobs whose users left the queue before they started (queue_patience_days)")};
  }
};

/// The GPUs one source (a call that bought them) put in the public pool, and their month.
struct SourceUse {
  std::string source;
  std::int64_t gpus = 0;
  double capacity_gpu_hours = 0;
  double busy_gpu_hours = 0;
  double value_bn_krw = 0;
  double it_mwh = 0;
  double energy_cost_bn_krw = 0;
  static constexpr auto fields() {
    using T = SourceUse;
    return std::tuple{
        field("source", &T::source, "id", "the call whose contract put the GPUs in the pool"),
        field("gpus", &T::gpus, "GPUs",
              "its GPUs on at the end of the period (a pod's GPUs are split among the sources "
              "whose deliveries filled it)"),
        field("capacity_gpu_hours", &T::capacity_gpu_hours, "GPU-hours",
              "GPU-hours its GPUs could run"),
        field("busy_gpu_hours", &T::busy_gpu_hours, "GPU-hours",
              "GPU-hours jobs ran on them: each pod's busy GPUs split by its sources' GPUs"),
        field("value_bn_krw", &T::value_bn_krw, "bn KRW",
              "the work done on them, priced as the pool's `value_bn_krw` (0.001)"),
        field("it_mwh", &T::it_mwh, "MWh", "their pods' energy split the same way (0.001)"),
        field("energy_cost_bn_krw", &T::energy_cost_bn_krw, "bn KRW",
              "their pods' facility energy (each at its site's PUE) at the site's share of the "
              "power price of the period's end")};
  }
};

/// A pool's energy at one site (ComputeMonth::sites).
struct SiteEnergy {
  std::string site;
  std::string region;
  std::int64_t gpus = 0;
  double it_mwh = 0;
  double facility_mwh = 0;
  double energy_cost_bn_krw = 0;
  static constexpr auto fields() {
    using T = SiteEnergy;
    return std::tuple{
        field("site", &T::site, "id",
              "the site its pods stand at; `\"\"` for GPUs without a site (a fleet's GPUs at the "
              "start, any GPUs in a scenario without a grid)"),
        field("region", &T::region, "",
              "`capital` or `non_capital`: the site's region class (without a site: where most "
              "of a fleet's own sites are, the call's for a call's GPUs)"),
        field("gpus", &T::gpus, "GPUs", "GPUs on there at the end of the period"),
        field("it_mwh", &T::it_mwh, "MWh", "energy its pods drew (0.001)"),
        field("facility_mwh", &T::facility_mwh, "MWh", "it_mwh x the site's PUE (0.001)"),
        field("energy_cost_bn_krw", &T::energy_cost_bn_krw, "bn KRW",
              "facility_mwh at the site's share of the power price of the period's end")};
  }
};

struct ComputeMonth {
  static constexpr std::string_view type = "compute_month";
  static constexpr std::string_view about =
      "the pool: `public` for the calls' GPUs, the owner's id for a fleet's, the call's id for an "
      "SPC's commercial GPUs";
  static constexpr std::string_view when =
      "00:00 on the first day of each month, for the month before, and at the horizon for the "
      "last part month";
  std::string pool;
  std::string kind;
  std::string from;
  std::int64_t gpus = 0;
  double capacity_gpu_hours = 0;
  double busy_gpu_hours = 0;
  double utilization = 0;
  std::int64_t jobs_submitted = 0;
  std::int64_t jobs_started = 0;
  std::int64_t jobs_lost = 0;
  std::int64_t jobs_backfilled = 0;
  std::int64_t jobs_reneged = 0;
  std::int64_t jobs_waiting = 0;
  std::int64_t gpus_waiting = 0;
  double mean_wait_hours = 0;
  double it_mwh = 0;
  double facility_mwh = 0;
  double energy_cost_bn_krw = 0;
  double value_bn_krw = 0;
  std::vector<SourceUse> sources;
  std::vector<GroupUse> groups;
  std::vector<SiteEnergy> sites;
  static constexpr auto fields() {
    using T = ComputeMonth;
    return std::tuple{
        field("pool", &T::pool, "id",
              "`public`, the fleet owner's id, or an SPC call's id for the SPC's commercial "
              "GPUs"),
        field("kind", &T::kind, "",
              "`public` (the calls' GPUs for public users), `spc` (an SPC's GPUs sold "
              "commercially) or `fleet`"),
        field("from", &T::from, "date", "first day of the period reported"),
        field("gpus", &T::gpus, "GPUs", "GPUs on (in whole pods) at the end of the period"),
        field("capacity_gpu_hours", &T::capacity_gpu_hours, "GPU-hours",
              "GPU-hours the pods that were on could run"),
        field("busy_gpu_hours", &T::busy_gpu_hours, "GPU-hours", "GPU-hours jobs ran"),
        field("utilization", &T::utilization, "1",
              "busy / capacity GPU-hours (0 without capacity; 0.0001)"),
        field("jobs_submitted", &T::jobs_submitted, "jobs", "jobs submitted in the period"),
        field("jobs_started", &T::jobs_started, "jobs", "jobs started in the period"),
        field("jobs_lost", &T::jobs_lost, "jobs",
              "jobs submitted in the period that left at once: the expected wait (queued "
              "H100-equivalent GPU-hours over the pool's H100-equivalent GPUs) was longer than "
              "they wait"),
        field("jobs_backfilled", &T::jobs_backfilled, "jobs",
              "of the jobs started, those that started ahead of a job submitted before them "
              "(backfilling, /compute/backfill_depth)"),
        field("jobs_reneged", &T::jobs_reneged, "jobs",
              "jobs whose users left the queue in the period before they started (their group's "
              "queue_patience_days)"),
        field("jobs_waiting", &T::jobs_waiting, "jobs", "jobs queued at the end of the period"),
        field("gpus_waiting", &T::gpus_waiting, "GPUs", "GPUs those queued jobs ask for"),
        field("mean_wait_hours", &T::mean_wait_hours, "hours",
              "mean wait of the jobs started in the period (0.01)"),
        field("it_mwh", &T::it_mwh, "MWh",
              "energy the pods drew (SimGrid's host-energy plugin; 0.001)"),
        field("facility_mwh", &T::facility_mwh, "MWh",
              "each pod's it_mwh x the PUE of its site (0.001)"),
        field("energy_cost_bn_krw", &T::energy_cost_bn_krw, "bn KRW",
              "each pod's facility energy at its site's share of the power price of the period's "
              "end"),
        field("value_bn_krw", &T::value_bn_krw, "bn KRW",
              "the work its jobs did (H100-equivalent GPU-hours: GPU-hours x the pods' "
              "performance) at the commercial price of an H100-hour at the moment: what a "
              "commercial pool sold; on the public pool, what its awards would cost "
              "commercially (0.001)"),
        field("sources", &T::sources, "",
              "on the public pool, by source id: the GPUs each call's contract put in it and "
              "their share of the month (what an SPC's public share earned); empty on other "
              "pools"),
        field("groups", &T::groups, "", "by group id, the groups with jobs in the pool"),
        field("sites", &T::sites, "",
              "by site id, the sites with pods on: where the pool's energy was drawn")};
  }
};

/// What one group asked for and got in an allocation round.
struct GroupAward {
  std::string group;
  double share = 0;
  std::int64_t requested_gpus = 0;
  std::int64_t entitled_gpus = 0;
  std::int64_t awarded_gpus = 0;
  int applications = 0;
  int awarded_applications = 0;
  static constexpr auto fields() {
    using T = GroupAward;
    return std::tuple{
        field("group", &T::group, "id", "the user group"),
        field("share", &T::share, "1", "its share of the round's GPUs"),
        field("requested_gpus", &T::requested_gpus, "GPUs", "asked by its applications"),
        field("entitled_gpus", &T::entitled_gpus, "GPUs", "its share in whole GPUs"),
        field("awarded_gpus", &T::awarded_gpus, "GPUs", "awarded"),
        field("applications", &T::applications, "", "its applications"),
        field("awarded_applications", &T::awarded_applications, "", "awarded in full or in part")};
  }
};

struct AllocationDecided {
  static constexpr std::string_view type = "allocation_decided";
  static constexpr std::string_view about = "the issuer";
  static constexpr std::string_view when = "12:00 on each round's date";
  std::string call;
  int round = 0;
  std::int64_t capacity_gpus = 0;
  std::int64_t requested_gpus = 0;
  std::int64_t awarded_gpus = 0;
  std::optional<double> oversubscription;
  double price_krw_per_gpu_hour = 0;
  std::int64_t to_commercial = 0;
  std::int64_t reapplying = 0;
  std::int64_t given_up = 0;
  std::vector<GroupAward> groups;
  static constexpr auto fields() {
    using T = AllocationDecided;
    return std::tuple{
        field("call", &T::call, "id", "the allocation call"),
        field("round", &T::round, "", "the round, from 1"),
        field("capacity_gpus", &T::capacity_gpus, "GPUs",
              "offered: capacity_share of the public GPUs on and not held by earlier awards"),
        field("requested_gpus", &T::requested_gpus, "GPUs", "asked by every application"),
        field("awarded_gpus", &T::awarded_gpus, "GPUs", "awarded"),
        nullable_field("oversubscription", &T::oversubscription, "1",
                       "requested / capacity (0.0001); null when nothing was offered"),
        field("price_krw_per_gpu_hour", &T::price_krw_per_gpu_hour, "KRW",
              "what awarded users pay"),
        field("to_commercial", &T::to_commercial, "",
              "unawarded applications that buy commercial GPU-hours instead"),
        field("reapplying", &T::reapplying, "", "unawarded applications kept for the next round"),
        field("given_up", &T::given_up, "", "unawarded applications dropped"),
        field("groups", &T::groups, "", "by group id")};
  }
};

/// One month of a user group's demand.
struct DemandMonth {
  static constexpr std::string_view type = "demand_month";
  static constexpr std::string_view about = "the user group";
  static constexpr std::string_view when =
      "00:00 on the first day of each month, for the month before, and at the horizon";
  std::string group;
  std::string kind;
  std::string from;
  std::int64_t commercial_jobs = 0;
  std::int64_t applications = 0;
  std::int64_t unserved_jobs = 0;
  double commercial_price_krw = 0;
  double rate_multiplier = 0;
  static constexpr auto fields() {
    using T = DemandMonth;
    return std::tuple{
        field("group", &T::group, "id", "the user group"),
        field("kind", &T::kind, "", "its kind"),
        field("from", &T::from, "date", "first day of the period reported"),
        field("commercial_jobs", &T::commercial_jobs, "jobs",
              "jobs sent to the fleets' pools (at random, in proportion to their GPUs on)"),
        field("applications", &T::applications, "", "applications to allocation calls"),
        field("unserved_jobs", &T::unserved_jobs, "jobs",
              "commercial jobs that found no fleet with GPUs on (those that found the wait too "
              "long are the pools' `jobs_lost`)"),
        field("commercial_price_krw", &T::commercial_price_krw, "KRW",
              "commercial price of a GPU-hour in the period"),
        field("rate_multiplier", &T::rate_multiplier, "1",
              "its job rate over jobs_per_month in the period: growth, demand shocks and price "
              "(0.0001)")};
  }
};

using EventTypes =
    std::tuple<SimulationStarted, MonthStart, YearStart, ExogenousEvent, CallAnnounced,
               EntrySettled, InvitationSent, InvitationAnswered, MemberWithdrew, BidDecision,
               ConsortiumFormed, ConsortiumDissolved, BidSubmitted, BidsOpened, RoundFailed,
               RoundPending, RoundAwarded, TermsRevised, NegotiatedAward, CallCancelled, CallClosed,
               ContractSigned, ContractOutlook, SpcYearSettled, GpusOrdered, CapacityOnline,
               ConnectionRequested, ConnectionDecided, GridReinforced, OtherApplicationsDecided,
               GpusAllocated, GpusDelivered, FleetDecision, FleetOnline, InstrumentCost,
               DeliveryPipeline, ComputeMonth, AllocationDecided, DemandMonth, SimulationEnded>;

/// Calls `fn(E{})` for each event type E, in the order of EventTypes.
template <class Fn>
void for_each_event_type(Fn&& fn) {
  std::apply([&](auto... tag) { (fn(tag), ...); }, EventTypes{});
}

}  // namespace tenderlab::events
