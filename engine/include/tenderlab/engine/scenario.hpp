#pragma once
// The scenario: an immutable value parsed once from JSON before any engine exists.
// Nothing downstream reads JSON. Units are in the field names' comments and in
// docs/scenario-format.md; money is in billions of KRW (bn KRW; 1 억원 = 0.1, 1 조원 = 1000).
#include <array>
#include <cstdint>
#include <limits>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tenderlab/engine/agent_kinds.hpp"
#include "tenderlab/engine/calendar.hpp"

namespace tenderlab {

/// What an agent brings to a consortium, each in [0, 1].
struct Capabilities {
  double cloud_operations = 0;  ///< runs GPU clouds and has customers
  double sites_power = 0;       ///< owns data-centre sites and secured grid power
  double construction = 0;      ///< builds data centres
  double academia = 0;          ///< research users and talent
  double local_government = 0;  ///< land, permits and local support at a non-capital site
  double chips = 0;             ///< supplies domestic AI chips (NPUs)
  bool operator==(const Capabilities&) const = default;
};

/// An agent's view of the market, the inputs of its Monte Carlo valuation.
struct Beliefs {
  double demand_growth = 0.15;             ///< expected yearly growth of demand for GPU time (1/yr)
  double demand_volatility = 0.25;         ///< yearly volatility of log demand
  double utilization_base = 0.65;          ///< utilisation in the first operating year, at 0 growth
  double utilization_cap = 0.90;           ///< highest sustainable utilisation
  double gpu_hour_price_krw = 3000;        ///< price of one GPU-hour in the first year (KRW)
  double price_decline = 0.18;             ///< yearly fall of the GPU-hour price from obsolescence
  double power_price_krw_per_kwh = 182.7;  ///< industrial tariff (KRW/kWh)
  double power_price_volatility = 0.10;    ///< yearly volatility of the log power price
  double belief_noise = 0.0;  ///< sd of a per-replication shock to demand_growth (private signal)
  bool operator==(const Beliefs&) const = default;
};

/// A private GPU fleet (agent key `fleet`): what its owner sells and how it decides to expand,
/// once a quarter (docs/model/fleet-expansion.md). The GPUs it runs now are the agent's `gpus`.
struct FleetSpec {
  double demand_gpu_hours_per_year = 0;        ///< H100-equivalent GPU-hours its customers buy now
  double max_capital_share_per_quarter = 0.1;  ///< of the agent's capital, per quarter
  double hurdle_rate = 0.028;                  ///< discount rate of the expansion's cash flows
  double risk_aversion = 1.0;                  ///< relative to the quarter's budget for fleet GPUs
  std::int64_t step_gpus = 256;                ///< the decision's granularity
  double pue = 1.3;
  double build_cost_bn_krw_per_mw = 7.1;  ///< building and facilities for new MW (0: space exists)
  bool operator==(const FleetSpec&) const = default;
};

/// How an issuer's budget counts a contract's public money (docs/model/procedure.md, "Budget"):
/// `commitment` charges all of it (public equity plus tax credit for SPC calls, the price
/// otherwise) to the fiscal year of the signing; `cash` charges each fiscal year what the budget
/// pays out in it: the price in the signing year, the public equity in the years it is paid in,
/// and no tax credit (revenue forgone, not an appropriation).
enum class BudgetBasis { commitment, cash };
inline constexpr std::array<std::string_view, 2> budget_basis_names = {"commitment", "cash"};
const char* to_string(BudgetBasis basis);

struct AgentSpec {
  std::string id;
  AgentKind kind;  ///< a registered kind (agent_kinds.hpp)
  std::string name;
  // Money and preferences (private kinds).
  double capital_bn_krw = 0;  ///< equity the agent can commit to new projects
  /// Relative to the equity it commits to a project: absolute risk aversion = this / commitment.
  double risk_aversion = 1.0;
  double bid_cost_bn_krw = 2.0;       ///< cost of preparing one bid, sunk whether it wins or not
  double strategic_value_bn_krw = 0;  ///< value it puts on taking part in a national project
  double max_commitment = 0.5;        ///< largest share of its capital it puts into one project
  double control_aversion = 0.0;      ///< value lost per unit of equity when the state controls
  double npu_penalty = 0.35;  ///< revenue lost per unit of compute on mandated domestic chips
  /// Demand lost at a non-capital site; for a fleet, the share of its customers that only GPUs in
  /// the capital region serve.
  double remote_demand_discount = 0.15;
  Capabilities capabilities;
  std::optional<Beliefs> beliefs;  ///< missing: the scenario's market outlook
  std::optional<FleetSpec> fleet;  ///< cloud providers and telcos: its own GPU fleet decisions
  std::int64_t gpus = 0;           ///< GPUs it already runs
  // Government and policy banks.
  std::map<int, double> budget_bn_krw_by_year;  ///< fiscal year -> budget
  BudgetBasis budget_basis = BudgetBasis::commitment;
  /// Whether suppliers see what is left of the budget when they bid (participation.hpp).
  bool budget_disclosed = false;
};

/// A buy-back obligation: the public side may make the private side buy its stake back at
/// principal compounded at `return_rate`.
struct BuyBack {
  bool enabled = false;
  double return_rate = 0.0;  ///< 1/yr
  bool operator==(const BuyBack&) const = default;
};

struct PolicyLoan {
  double share_of_capex = 0.0;  ///< part of the capex the loan covers
  double rate = 0.0;            ///< 1/yr
  int years = 0;
  bool operator==(const PolicyLoan&) const = default;
};

enum class SiteRule { any, capital, non_capital };
inline constexpr std::array<std::string_view, 3> site_rule_names = {"any", "capital",
                                                                    "non_capital"};
const char* to_string(SiteRule rule);

/// The levers of a call. Each has a neutral level (see neutral_terms()) used for attribution.
struct Terms {
  double public_equity_share = 0.0;     ///< public share of the SPC's equity, in [0, 1)
  double paid_in_capital_bn_krw = 0.0;  ///< equity paid in by all shareholders together
  int paid_in_years = 1;                ///< years over which the equity is paid in
  BuyBack buy_back;
  bool public_preferred = false;  ///< public shares are preferred: repaid before the private side
  bool loss_bearing = false;      ///< private side covers operating losses and joint guarantees
  bool damages_waiver = false;  ///< no damages claim by the private side if the public side delays
  double domestic_chip_share = 0.0;  ///< share of compute that must run on domestic chips
  SiteRule site = SiteRule::any;
  double tax_credit = 0.0;  ///< share of the GPU and building investment credited against tax
  PolicyLoan policy_loan;
  std::optional<double> ceiling_price_bn_krw;  ///< bids asking more public money are invalid
  double multi_csp_bonus = 0.0;                ///< evaluation points for consortia of several CSPs
  bool operator==(const Terms&) const = default;
};

/// The term names in the order they are reported, and helpers for attribution.
const std::vector<std::string>& term_names();
/// A copy of `terms` with the named term at its neutral level (as if the clause were absent).
Terms neutralise(const Terms& terms, const std::string& term_name);

/// What the call buys or builds.
struct CallObject {
  std::int64_t gpus = 0;
  double gpu_price_bn_krw = 0.1;          ///< all-in price of one GPU (1 억원 = 0.1)
  double kw_per_gpu = 1.9;                ///< all-in IT power per GPU (kW)
  double pue = 1.3;                       ///< power usage effectiveness
  double build_cost_bn_krw_per_mw = 7.1;  ///< data-centre building and facilities per MW
  int years = 10;                         ///< contract or operating life
  int build_years = 2;                    ///< construction before operation starts
  double public_use_share = 0.0;     ///< share of capacity reserved for public users at a discount
  double public_use_discount = 0.0;  ///< price discount on the reserved share
  bool operator==(const CallObject&) const = default;
};

struct Eligibility {
  double min_sites_power = 0;       ///< minimum capability sites_power of the consortium (0..1)
  double min_cloud_operations = 0;  ///< minimum capability cloud_operations of the consortium
  /// Grid connection the bidder must be able to draw now (MW) at one of its own sites (or an
  /// ownerless one) where the call allows the GPUs to go.
  double min_grid_mw = 0;
  bool operator==(const Eligibility&) const = default;
};

/// Weights of the capabilities in the technical score (0..100 = 100 x the weighted sum).
struct TechnicalCriteria {
  double cloud_operations = 0.30;
  double sites_power = 0.25;
  double construction = 0.15;
  double academia = 0.10;
  double local_government = 0.10;
  double chips = 0.10;
  bool operator==(const TechnicalCriteria&) const = default;
};

struct Evaluation {
  double technical_weight = 0.8;
  double price_weight = 0.2;
  double pass_mark = 0.0;  ///< minimum total score (0..100) for a bid to be valid
  TechnicalCriteria criteria;
  bool operator==(const Evaluation&) const = default;
};

enum class FailureAction { reannounce, negotiate, new_call, cancel };
inline constexpr std::array<std::string_view, 4> failure_action_names = {"reannounce", "negotiate",
                                                                         "new_call", "cancel"};
const char* to_string(FailureAction action);

struct Schedule {
  Date announce;
  std::optional<Date> loi_deadline;
  Date bid_deadline;
  int evaluation_days = 30;
};

/// A later round after a failure: a re-announcement (same terms) or a new call (changed terms).
struct RoundSpec {
  FailureAction kind = FailureAction::reannounce;
  Schedule schedule;
  int min_valid_bids = 1;
  std::optional<Terms> terms;  ///< new_call only: the revised terms (missing: unchanged)
};

struct Procedure {
  int min_valid_bids = 2;
  bool negotiate_after_failed_reannouncement = true;
  int contract_days = 30;         ///< from the award to the signed contract
  std::vector<RoundSpec> rounds;  ///< scripted later rounds, tried in order after each failure
};

struct AdaptiveRevision {
  bool enabled = false;
  int max_rounds = 3;        ///< rounds in all, the first included
  int gap_days = 90;         ///< from a failure to the next call's announcement
  int bid_window_days = 45;  ///< from announcement to bid deadline
  /// Public equity plus tax credit may not exceed this (no limit unless set).
  double max_public_money_bn_krw = std::numeric_limits<double>::infinity();
  double equity_step = 0.1;           ///< one revision lowers public_equity_share by this
  double chip_share_step = 0.25;      ///< ... and domestic_chip_share by this
  double ceiling_price_factor = 1.1;  ///< ... or multiplies the ceiling price by this
  double tax_credit_step = 0.05;      ///< raise of the tax credit when nothing is left to relax
  double max_tax_credit = 0.25;       ///< the tax credit is raised up to this
  bool operator==(const AdaptiveRevision&) const = default;
};

struct CallSpec {
  std::string id;
  CallKind kind = CallKind::spc_partner;
  std::string title;
  std::string issuer;  ///< agent id of the government issuing it
  Schedule schedule;
  CallObject object;
  Terms terms;
  Eligibility eligibility;
  Evaluation evaluation;
  Procedure procedure;
  AdaptiveRevision adaptive;
  int winners = 1;
};

struct Relationship {
  std::string from;
  std::string to;
  double strength = 1.0;  ///< 0..1: past partnerships and ties
};

enum class ShockKind { demand, power_price, gpu_price, export_control, note, supply };
inline constexpr std::array<std::string_view, 6> shock_kind_names = {
    "demand", "power_price", "gpu_price", "export_control", "note", "supply"};
const char* to_string(ShockKind kind);

/// An exogenous, timestamped event.
struct ExogenousEvent {
  Date date;
  ShockKind kind = ShockKind::note;
  double multiplier = 1.0;
  std::string description;
  std::string vendor;      ///< supply, export_control: the vendor it concerns (empty: all)
  std::string generation;  ///< export_control: the generation no longer sold (empty: none)
};

inline constexpr std::array<std::string_view, 4> historical_outcome_names = {
    "awarded", "failed", "negotiated", "cancelled"};

/// What really happened in a round, for calibration: runs report whether they reproduce it.
struct HistoricalRound {
  std::string call;
  int round = 1;
  std::string outcome;                   ///< one of historical_outcome_names
  std::optional<int> bids;               ///< bids received
  std::optional<AgentKind> winner_kind;  ///< kind of the winning lead
  std::string source;                    ///< where the fact comes from
};

/// A substation (or a bus standing for a region's backbone) of the power grid.
struct GridNodeSpec {
  std::string id;
  std::string region;           ///< for reporting by region
  bool capital_region = false;  ///< in the capital region (Seoul, Gyeonggi, Incheon)
  double supply_mw = 0;         ///< generation or import that can be fed in here
  double load_mw = 0;           ///< load already connected here
  /// MW a year of connection applications from data centres outside the model at this node; each
  /// review decides those made since the last one with the other requests, and what it does not
  /// grant lapses.
  double other_applications_mw_per_year = 0;
};

/// A line or transformer between two nodes, usable either way up to its capacity.
struct GridLineSpec {
  std::string from;
  std::string to;
  double capacity_mw = 0;
};

/// A planned reinforcement: from its date, `mw` more supply at `node`, or, with `to`, `mw` more
/// capacity on the line between `node` and `to`.
struct GridUpgradeSpec {
  Date date;
  std::string node;
  std::string to;  ///< empty: a supply upgrade at node
  double mw = 0;
};

/// The power grid (scenario key /grid) and the rules its operator decides connections by.
struct GridSpec {
  std::string operator_id;        ///< the agent of kind grid_operator that decides connections
  int review_days = 90;           ///< requests are decided together at reviews this far apart
  bool reinforce = true;          ///< the operator reinforces a node for MW it could not grant
  int reinforcement_days = 1095;  ///< from the decision to the reinforcement's completion
  std::vector<GridNodeSpec> nodes;
  std::vector<GridLineSpec> lines;
  std::vector<GridUpgradeSpec> upgrades;  ///< sorted by date, node and to on load
};

/// A data-centre site: where a contract's or a fleet's GPUs draw their power.
struct SiteSpec {
  std::string id;
  std::string node;   ///< the grid node it connects to
  std::string owner;  ///< the agent that owns it; empty: offered to any bidder
  double max_mw = std::numeric_limits<double>::infinity();  ///< most the site can host
  /// Power usage effectiveness of new load here; empty: the fleet's own `pue`.
  std::optional<double> pue{};
  /// The site's power tariff as a share of the market's, before any policy discount; empty: the
  /// market's own (1 in the capital region, 1 - non_capital_power_discount outside it).
  std::optional<double> power_price_factor{};
  int build_days = 0;  ///< from a fleet's order until new load here can run (0: room built)
};

/// A GPU generation as a vendor sells it (docs/model/gpu-supply.md).
struct GpuGenerationSpec {
  std::string id;
  Date available;                  ///< first day it can be ordered
  double launch_price_bn_krw = 0;  ///< all-in price per GPU on `available`
  double price_decline = 0.2;      ///< yearly fall of the list price
  double price_floor_share = 0.3;  ///< the price never falls below this share of launch
  double performance = 1;          ///< relative to an H100
  double kw_per_gpu = 1.9;         ///< all-in IT power per GPU
};

/// A GPU vendor's offer to the market (scenario key /vendors).
struct VendorSpec {
  std::string agent;  ///< the agent of kind gpu_vendor that sells
  int lead_time_days = 84;
  std::int64_t quarterly_capacity = 0;
  std::int64_t buyer_cap_per_quarter = 0;
  std::vector<GpuGenerationSpec> generations;
};

enum class TargetScope { public_gpus, all_gpus };
inline constexpr std::array<std::string_view, 2> target_scope_names = {"public", "all"};

/// A programme target: `gpus` online by `by` (public: through public calls; all: in the country).
struct ProgrammeTarget {
  std::string id;
  std::int64_t gpus = 0;
  TargetScope scope = TargetScope::all_gpus;
  Date by;
};

/// The public instruments that reach private fleets' decisions.
struct FleetInstruments {
  double investment_tax_credit = 0;        ///< share of the GPU and building capex credited
  double non_capital_tariff_discount = 0;  ///< off the power tariff outside the capital region
  double anchor_gpu_hours_per_year = 0;    ///< GPU-hours the state buys per year, all fleets
  double anchor_price_krw = 0;             ///< per anchor GPU-hour
  int anchor_years = 0;                    ///< from the start of the run
};

/// The national programme (scenario key /programme): its targets and fleet instruments.
struct ProgrammeSpec {
  std::vector<ProgrammeTarget> targets;
  FleetInstruments fleet_instruments;
};

/// What a user group is, for reports (universities' GPU-hours and waits are summarised).
enum class UserGroupKind { university, research_institute, startup, industry, national_project };
inline constexpr std::array<std::string_view, 5> user_group_kind_names = {
    "university", "research_institute", "startup", "industry", "national_project"};

/// A population of compute users (scenario /compute/user_groups): the jobs it submits, how they
/// grow and react to prices, and where they go (docs/model/compute-use.md).
struct UserGroupSpec {
  std::string id;
  UserGroupKind kind = UserGroupKind::university;
  double jobs_per_month = 0;  ///< at start_date, at the commercial price of start_date
  double growth_per_year = 0;
  std::int64_t job_gpus = 8;          ///< GPUs of one job (an aggregate of users' work)
  double job_days = 1;                ///< mean duration on H100-class GPUs (exponential)
  double allocation_share = 0;        ///< share of its jobs that apply to allocation calls instead
  std::int64_t application_gpus = 0;  ///< GPUs an application asks for (0: job_gpus)
  double application_days = 0;        ///< the term it asks for (0: a job's duration)
  double price_elasticity = 0;        ///< of its demand to the price it pays
  double max_wait_days = 30;  ///< a commercial job facing a longer expected wait goes elsewhere
  /// Mean time a commercial job's user stays in a queue before leaving it (exponential); 0: stays
  /// until the job starts.
  double queue_patience_days = 0;
  double unawarded_to_commercial = 0;  ///< share of unawarded applications bought commercially
  double unawarded_reapply = 0;        ///< share that applies again to the next call
  bool operator==(const UserGroupSpec&) const = default;
};

/// A user group's share of an allocation call's GPUs.
struct AllocationShareSpec {
  std::string group;
  double share = 0;
  bool operator==(const AllocationShareSpec&) const = default;
};

/// A government allocation programme (scenario /compute/allocation_calls): every every_months
/// from `first`, `rounds` times, it offers a share of the public GPUs online, splits them by
/// groups' shares, ranks and awards applications.
struct AllocationCallSpec {
  std::string id;
  std::string issuer;
  Date first;
  int every_months = 6;
  int rounds = 1;
  double capacity_share = 1.0;        ///< of the public GPUs online and not held by earlier awards
  double max_days = 180;              ///< longest award
  double price_krw_per_gpu_hour = 0;  ///< what awarded users pay
  bool redistribute_unused = true;
  bool awards_hold_gpus = false;  ///< an award holds its GPUs for its days whatever their speed
  std::vector<AllocationShareSpec> shares;
  bool operator==(const AllocationCallSpec&) const = default;
};

/// Compute use (scenario /compute): GPUs online become SimGrid hosts that run users' jobs.
struct ComputeSpec {
  std::int64_t pod_gpus = 1000;             ///< GPUs per host; GPUs online run in whole pods
  std::int64_t max_gpus_per_pool = 200000;  ///< hosts are made before the run for this many
  double demand_learning_weight = 0.5;      ///< weight fleets give observed demand over their prior
  std::int64_t customer_job_gpus = 64;      ///< jobs of the fleets' own customers
  double customer_job_days = 7;
  double customer_max_wait_days = 30;
  double customer_queue_patience_days = 0;  ///< mean; 0: customers stay until their job starts
  std::int64_t backfill_depth = 0;          ///< jobs behind a waiting head examined for backfilling
  double walltime_factor = 1;               ///< requested wall time / run time, for reservations
  double walltime_spread = 0;  ///< log-sd of each job's factor around it (0: all alike)
  std::vector<UserGroupSpec> user_groups;
  std::vector<AllocationCallSpec> allocation_calls;
  bool operator==(const ComputeSpec&) const = default;
};

/// Economic constants of the project model and coefficients of the agents' decision rules that
/// are not levers of a call (scenario key /assumptions). Meanings, units, ranges and provenance:
/// the "assumptions" table in engine/src/parameters.cpp (docs/parameters.md).
struct ProjectAssumptions {
  double om_share_of_capex = 0.04;    ///< yearly maintenance, staff and site costs
  double idle_power_share = 0.3;      ///< power drawn by an idle GPU, as a share of full load
  double market_debt_rate = 0.055;    ///< lender's rate on market debt before default risk (1/yr)
  int debt_years = 10;                ///< amortisation of the project's debt, within the asset life
  double risk_free_rate = 0.028;      ///< private valuations discount at this (1/yr)
  double corporate_tax_rate = 0.264;  ///< on EBITDA - depreciation - interest - losses
  int loss_carry_forward_years = 15;  ///< tax losses offset later income this long
  double loss_offset_cap = 0.8;       ///< ... up to this share of a year's taxable income
  int credit_carry_forward_years = 10;  ///< an unused tax credit stays usable this long
  double minimum_tax_rate = 0;     ///< tax credits lower tax due to at least this x taxable income
  int gpu_depreciation_years = 5;  ///< tax depreciation of hardware, straight line
  int building_depreciation_years = 20;     ///< tax depreciation of the building, straight line
  double dscr_covenant = 1.3;               ///< lender's minimum base-case debt-service cover
  double max_leverage = 0.8;                ///< lender's cap on debt / capex
  double debt_service_reserve_years = 0.5;  ///< cash the SPC keeps back, in years of service
  double sponsor_support_share = 0.25;  ///< shortfalls shareholders fund, x equity, before default
  double lender_npu_penalty = 0.3;      ///< lender's base case: revenue lost per mandated chip
  double lender_remote_demand_discount = 0.15;  ///< lender's base case: demand lost off-capital
  int lender_pricing_iterations = 2;            ///< repricings of the default spread
  double contingent_liability_quantile = 0.95;  ///< buy-back payout counted against capital
  double building_residual_share = 0.5;         ///< building value left at the end of the contract
  double gpu_residual_share = 0.05;             ///< hardware value left at the end of the contract
  double price_noise = 0.08;  ///< yearly sd of the log GPU-hour price around its trend
  /// Share of the build years over which the GPU-hour price falls before the first operating
  /// year (0: that year sells at the bid date's price)
  double price_decline_before_operations = 0;
  double delay_probability = 0.25;         ///< chance of a one-year delay (grid, construction)
  double capital_site_delay_factor = 1.8;  ///< capital-region congestion multiplies the delay risk
  double delay_damages_share = 0.5;  ///< part of a delay's lost margin the public side would owe
  double npu_integration_cost_bn_krw = 0.01;  ///< per mandated GPU-equivalent, one-off
  double non_capital_power_discount = 0.05;   ///< cheaper power and land outside the capital region
  double score_temperature = 5.0;  ///< evaluation noise in score points, for win probabilities
  /// Cost of each bn KRW a member must commit beyond its limit (outside equity, rating impact).
  double capital_shadow_price = 0.3;
  double construction_build_saving = 0.15;      ///< x construction capability, off the build cost
  double local_government_build_saving = 0.10;  ///< x local_government, off it at remote sites
  double secured_power_delay_relief = 0.5;      ///< x sites_power, off the delay probability
  double chip_capability_npu_relief = 0.5;      ///< x chips, off the NPU penalty
  double operations_utilization_base = 0.8;     ///< utilisation factor without cloud operations
  double operations_utilization_slope = 0.4;    ///< ... plus this x cloud_operations
  double control_threshold = 0.5;         ///< public equity share above which the state controls
  double cloud_provider_threshold = 0.5;  ///< cloud_operations from which a member is a CSP
  double lead_equity_weight = 2.0;        ///< the lead's weight in the equity split, multiplied
  double supply_integration_cost = 0.08;  ///< procurement: integration share of the lot price
  double supply_integration_base = 1.2;   ///< ... per unit of (this - cloud_operations)
  double supply_price_noise = 0.03;       ///< procurement: sd of a supplier's cost
  double supply_cost_truncation = 3;      ///< ... truncated at this many sd
  int gpu_lead_time_days = 84;            ///< shortest time from contract to GPUs online
  int delay_days = 365;                   ///< how late a delayed delivery is
  int max_formation_rounds = 50;  ///< SPC rounds: bound on the proposal rounds of team formation
  int max_enumerated_teams = 16;  ///< SPC rounds: entry games up to this size are enumerated
  bool operator==(const ProjectAssumptions&) const = default;
};

struct ValuationSettings {
  int paths = 400;                ///< Monte Carlo paths per valuation
  bool antithetic_paths = false;  ///< paths in mirrored pairs (variance reduction)
  /// Shapley attribution is exact (2^n term sheets valued) up to this many active clauses...
  int shapley_exact_clauses = 10;
  int shapley_permutations = 200;  ///< ... and sampled from this many orders beyond
  bool operator==(const ValuationSettings&) const = default;
};

struct Scenario {
  std::string name;
  std::string description;
  Date start;
  Date horizon;
  std::uint64_t seed = 1;
  Beliefs market;  ///< the market outlook every agent starts from
  ValuationSettings valuation;
  ProjectAssumptions assumptions;
  std::vector<AgentSpec> agents;  ///< in file order; ids unique
  std::vector<Relationship> relationships;
  std::vector<CallSpec> calls;
  std::vector<ExogenousEvent> events;    ///< sorted by date, stable
  std::vector<HistoricalRound> history;  ///< calibration targets (optional)
  std::optional<GridSpec> grid;          ///< missing: power is never a constraint
  std::vector<SiteSpec> sites;           ///< ids unique; nodes in /grid
  std::vector<VendorSpec> vendors;       ///< missing: GPUs arrive after a fixed lead time
  ProgrammeSpec programme;
  std::optional<ComputeSpec> compute;  ///< missing: GPUs are counted, not used

  /// The agent with this id, or nullptr. The first agent with that id in `agents`, found by a
  /// binary search of the id index when index_agents() has run (the loader runs it); an id that
  /// is not in the index, or an entry that no longer matches `agents`, falls back to a scan.
  const AgentSpec* find_agent(const std::string& id) const;
  /// The position of the agent with this id in `agents`, if any (as find_agent).
  std::optional<std::size_t> agent_position(const std::string& id) const;
  /// Builds the id index find_agent uses, so that large scenarios look agents up in O(log n).
  /// Code that fills or edits `agents` itself calls it again afterwards to keep lookups fast;
  /// lookups stay correct either way.
  void index_agents();

 private:
  std::vector<std::pair<std::string, std::size_t>> agent_index_;  ///< (id, position), by id
};

}  // namespace tenderlab
