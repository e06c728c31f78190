#include "tenderlab/engine/parameters.hpp"

#include <cmath>
#include <cstdint>
#include <sstream>

#include "tenderlab/engine/agent_kinds.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/scenario.hpp"

namespace tenderlab {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();
constexpr double int64_max = 9223372036854775807.0;

// Builders, so each row of a table reads as one line of data.
struct Row {
  ParamSpec spec;
  Row& assumed(double low, double high, std::string basis) {
    spec.provenance = Provenance::assumed;
    spec.plausible_min = low;
    spec.plausible_max = high;
    spec.basis = std::move(basis);
    return *this;
  }
  Row& sourced(std::string basis) {
    spec.provenance = Provenance::sourced;
    spec.basis = std::move(basis);
    return *this;
  }
  Row& setting(std::string basis = "") {
    spec.provenance = Provenance::setting;
    spec.basis = std::move(basis);
    return *this;
  }
  Row& required() {
    spec.required = true;
    return *this;
  }
  Row& matching(std::string pattern) {
    spec.pattern = std::move(pattern);
    return *this;
  }
  Row& shown(std::string text) {
    spec.default_text = std::move(text);
    return *this;
  }
  operator ParamSpec() const { return spec; }  // NOLINT: rows convert into table entries
};

Row make(std::string key, ParamType type, std::string unit, double def, double min, double max,
         std::string member, std::string description) {
  Row row;
  row.spec.key = std::move(key);
  row.spec.type = type;
  row.spec.unit = std::move(unit);
  row.spec.default_value = def;
  row.spec.min = min;
  row.spec.max = max;
  row.spec.member = std::move(member);
  row.spec.description = std::move(description);
  return row;
}
Row number(std::string key, std::string unit, double def, double min, double max,
           std::string member, std::string description) {
  return make(std::move(key), ParamType::number, std::move(unit), def, min, max, std::move(member),
              std::move(description));
}
Row integer(std::string key, std::string unit, double def, double min, double max,
            std::string member, std::string description) {
  return make(std::move(key), ParamType::integer, std::move(unit), def, min, max, std::move(member),
              std::move(description));
}
Row boolean(std::string key, bool def, std::string member, std::string description) {
  return make(std::move(key), ParamType::boolean, "", def ? 1 : 0, 0, 1, std::move(member),
              std::move(description));
}
Row typed(std::string key, ParamType type, std::string member, std::string description,
          std::string default_text = "") {
  Row row = make(std::move(key), type, "", 0, -inf, inf, std::move(member), std::move(description));
  row.spec.default_text = std::move(default_text);
  return row;
}
Row choice(std::string key, std::vector<std::string> choices, std::string member,
           std::string description, std::string default_text = "") {
  Row row = typed(std::move(key), ParamType::choice, std::move(member), std::move(description),
                  std::move(default_text));
  row.spec.choices = std::move(choices);
  return row;
}
Row nested(std::string key, ParamType type, std::string ref, std::string member,
           std::string description, std::string default_text = "") {
  Row row = typed(std::move(key), type, std::move(member), std::move(description),
                  std::move(default_text));
  row.spec.ref = std::move(ref);
  return row;
}

/// The names of an enum, in enum order, as a row's choices: the loader maps a choice's index
/// back to the enum.
template <std::size_t N>
std::vector<std::string> names(const std::array<std::string_view, N>& array) {
  return {array.begin(), array.end()};
}

ParamTable scenario_table() {
  ParamTable t;
  t.name = "scenario";
  t.title = "Scenario (top level)";
  t.at = {""};
  t.description =
      "A tenderlab scenario: the agents, their ties, the calls for tender and the exogenous "
      "events of one simulated market.";
  t.params = {
      typed("$schema", ParamType::any, "",
            "Where editors find this schema, relative to the scenario file: "
            "\"schema/scenario.schema.json\" for files in scenarios/. Any value is accepted by "
            "the loader"),
      typed("format", ParamType::format, "",
            "Format and version of the file; no other value is accepted",
            "\"tenderlab-scenario/1\""),
      typed("name", ParamType::text, "Scenario::name",
            "Name of the scenario, 1 to 100 of a-z, 0-9, '.', '_' and '-', starting with a "
            "letter or a digit: it names the default output folder runs/<name> and is shown in "
            "reports")
          .matching("^[a-z0-9][a-z0-9._-]{0,99}$")
          .required(),
      typed("description", ParamType::text, "Scenario::description",
            "What the scenario represents and where its parameters come from", "\"\""),
      typed("start_date", ParamType::date, "Scenario::start",
            "First simulated day; simulated time 0 is 00:00 of this date")
          .required(),
      typed("horizon", ParamType::date, "Scenario::horizon",
            "Last simulated day; after start_date (checked by the loader)")
          .required(),
      integer("seed", "", 1, 0, int64_max, "Scenario::seed",
              "Master seed of every random stream; `tenderlab run --seed` overrides it")
          .setting(),
      nested("market", ParamType::object, "beliefs", "Scenario::market",
             "The market outlook every agent starts from (agents may override it with their own "
             "beliefs)",
             "all defaults"),
      nested("valuation", ParamType::object, "valuation", "Scenario::valuation",
             "Settings of the agents' Monte Carlo valuations", "all defaults"),
      nested("assumptions", ParamType::object, "assumptions", "Scenario::assumptions",
             "Economic constants of the project model and the coefficients of the agents' "
             "decision rules that are not levers of a call",
             "all defaults"),
      nested("agents", ParamType::array, "agent", "Scenario::agents",
             "The actors: government, policy banks and the private firms and institutions whose "
             "decisions are modelled. Ids are unique (checked by the loader)")
          .required(),
      nested("relationships", ParamType::array, "relationship", "Scenario::relationships",
             "Ties between agents that make them likelier consortium partners", "[]"),
      nested("calls", ParamType::array, "call", "Scenario::calls",
             "The calls for tender. Ids are unique and issuers are government agents (checked by "
             "the loader)",
             "[]"),
      nested("events", ParamType::array, "event", "Scenario::events",
             "Exogenous, timestamped events; sorted by date on load (stable). Dates lie in "
             "[start_date, horizon] (checked by the loader)",
             "[]"),
      nested("history", ParamType::array, "historical_round", "Scenario::history",
             "What really happened in the calls' rounds: calibration targets that each run "
             "reports whether it reproduces",
             "[]"),
      nested("grid", ParamType::object, "grid", "Scenario::grid",
             "The power grid: substations, lines and planned upgrades, and its operator's rules "
             "for connection requests. Without it power never limits a delivery",
             "no grid"),
      nested("vendors", ParamType::array, "vendor", "Scenario::vendors",
             "GPU vendors and the generations they sell (docs/model/gpu-supply.md). Without "
             "vendors a contract's GPUs arrive after assumptions.gpu_lead_time_days and private "
             "fleets do not expand",
             "[]"),
      nested("programme", ParamType::object, "programme", "Scenario::programme",
             "The national programme: its targets and the instruments that reach private fleets",
             "no targets, no instruments"),
      nested("sites", ParamType::array, "site", "Scenario::sites",
             "Data-centre sites on the grid's nodes. Ids are unique (checked by the loader); "
             "needs /grid",
             "[]"),
      nested("compute", ParamType::object, "compute", "Scenario::compute",
             "Compute use: the GPUs online run users' jobs on simulated hosts, allocation calls "
             "award public GPUs (docs/model/compute-use.md). Needs /vendors",
             "GPUs are counted, not used"),
  };
  return t;
}

ParamTable valuation_table() {
  ParamTable t;
  t.name = "valuation";
  t.title = "Valuation settings";
  t.at = {"/valuation"};
  t.description = "Settings of the agents' Monte Carlo valuations.";
  t.params = {
      integer("paths", "paths", 400, 1, 1'000'000, "ValuationSettings::paths",
              "Monte Carlo paths per valuation")
          .setting("precision against run time; attributions use common random numbers"),
      boolean("antithetic_paths", false, "ValuationSettings::antithetic_paths",
              "Draw the paths in antithetic pairs: the second path of each pair mirrors every "
              "random draw of the first (-z for each normal, 1 - u for the delay's uniform), which "
              "cancels much of the sampling error of values that move monotonically with the "
              "draws; an odd last path is drawn alone")
          .setting("precision per path; bench/path_error.py measures the error with and without"),
      integer("shapley_exact_clauses", "clauses", 10, 0, 20,
              "ValuationSettings::shapley_exact_clauses",
              "Clause attribution (Shapley values) is exact when at most this many clauses of a "
              "call are away from their neutral level: every subset of them is valued, 2^n term "
              "sheets; beyond it the values are estimated from random orders of the clauses")
          .setting(
              "exactness against run time; there are 10 clauses, so the default is always exact"),
      integer("shapley_permutations", "orders", 200, 1, 100'000,
              "ValuationSettings::shapley_permutations",
              "Random orders of the clauses sampled when attribution is not exact; each effect "
              "is logged with its standard error")
          .setting("precision of sampled attributions against run time"),
  };
  return t;
}

ParamTable assumptions_table() {
  ParamTable t;
  t.name = "assumptions";
  t.title = "Project assumptions and decision coefficients";
  t.at = {"/assumptions"};
  t.description =
      "Economic constants of the project model and the coefficients of the agents' decision "
      "rules that are not levers of a call. The same for every agent and call.";
  const std::string m = "ProjectAssumptions::";
  t.params = {
      number("om_share_of_capex", "1/yr", 0.04, 0, 1, m + "om_share_of_capex",
             "Yearly maintenance, staff and site costs as a share of the capex")
          .assumed(0.03, 0.06, "typical data-centre O&M"),
      number("idle_power_share", "1", 0.3, 0, 1, m + "idle_power_share",
             "Power drawn by an idle GPU, as a share of full load")
          .assumed(0.2, 0.4, "idle draw of accelerator servers"),
      number("market_debt_rate", "1/yr", 0.055, 0, 1, m + "market_debt_rate",
             "Lender's rate on market debt before the default spread it adds from the expected "
             "loss on the valuation's paths")
          .assumed(0.045, 0.07, "corporate project-finance rates"),
      integer("debt_years", "years", 10, 1, 50, m + "debt_years",
              "Amortisation of the project's debt (and of a policy loan without its own term); "
              "no loan runs beyond the asset's operating life")
          .assumed(7, 15, "project-finance tenors"),
      number("risk_free_rate", "1/yr", 0.028, 0, 1, m + "risk_free_rate",
             "Private valuations discount every path's cash flows at this rate and price risk "
             "through a certainty equivalent (risk_aversion)")
          .sourced("10-year Korea Treasury Bond yield, about 2.6-3.0 % in 2025 (Bank of Korea "
                   "ECOS)"),
      number("corporate_tax_rate", "1", 0.264, 0, 1, m + "corporate_tax_rate",
             "Corporate income tax on EBITDA - depreciation - interest - losses carried forward, "
             "local income tax included")
          .sourced("Corporate Tax Act art. 55: 24 % top bracket 2023-2025 plus local income tax "
                   "of 10 % of it; 25 % (27.5 %) from 2026"),
      integer("loss_carry_forward_years", "years", 15, 0, 100, m + "loss_carry_forward_years",
              "A tax loss offsets the income of this many later years")
          .sourced("Corporate Tax Act art. 13: 15 years for losses from 2020"),
      number("loss_offset_cap", "1", 0.8, 0, 1, m + "loss_offset_cap",
             "Losses carried forward offset at most this share of a year's taxable income")
          .sourced("Corporate Tax Act art. 13: 80 % for companies other than SMEs"),
      integer("credit_carry_forward_years", "years", 10, 0, 100, m + "credit_carry_forward_years",
              "An investment tax credit the SPC cannot use against tax due stays usable this "
              "many years, then lapses")
          .sourced("Restriction of Special Taxation Act art. 144: 10 years"),
      number("minimum_tax_rate", "1", 0, 0, 1, m + "minimum_tax_rate",
             "The investment tax credit lowers the SPC's tax due only down to this share of its "
             "taxable income (a minimum tax; 0: the credit may cancel all tax)")
          .assumed(0, 0.17,
                   "Restriction of Special Taxation Act art. 132: tax after credits at least 10 "
                   "%, 12 % or 17 % of the tax base by bracket for a large company, 7 % for an "
                   "SME; 0 where the credit is exempt"),
      integer("gpu_depreciation_years", "years", 5, 1, 50, m + "gpu_depreciation_years",
              "Tax depreciation of GPUs and their integration, straight line from the first "
              "operating year")
          .assumed(4, 6, "useful-life band for equipment in the Corporate Tax Act's rules"),
      integer("building_depreciation_years", "years", 20, 1, 100, m + "building_depreciation_years",
              "Tax depreciation of the building and its power and cooling plant, straight line")
          .assumed(15, 40, "mix of structure (40 years) and mechanical and electrical plant"),
      number("dscr_covenant", "1", 1.3, 1, 10, m + "dscr_covenant",
             "The lender sizes market debt so that base-case cash flow covers every year's "
             "debt service at least this many times")
          .assumed(1.2, 1.5, "project-finance cover ratios for merchant-risk infrastructure"),
      number("max_leverage", "1", 0.8, 0, 1, m + "max_leverage",
             "The lender lends at most this share of the capex (policy loan included)")
          .assumed(0.6, 0.85, "project-finance gearing"),
      number("debt_service_reserve_years", "years", 0.5, 0, 5, m + "debt_service_reserve_years",
             "Cash the SPC keeps back before paying dividends, in years of scheduled debt "
             "service (a debt-service reserve account)")
          .assumed(0, 1, "six-month reserve accounts are usual"),
      number("sponsor_support_share", "1", 0.25, 0, 10, m + "sponsor_support_share",
             "Shortfalls the shareholders fund in proportion to their shares, as a share of the "
             "paid-in equity, before the SPC defaults (without loss-bearing)")
          .assumed(0, 0.5, "contingent equity and cost-overrun facilities"),
      number("lender_npu_penalty", "1", 0.3, 0, 1, m + "lender_npu_penalty",
             "Lender's base case: revenue lost per unit of compute on mandated domestic chips")
          .assumed(0.2, 0.5, "the agents' npu_penalty range"),
      number("lender_remote_demand_discount", "1", 0.15, 0, 1, m + "lender_remote_demand_discount",
             "Lender's base case: demand lost at a site outside the capital region")
          .assumed(0.05, 0.3, "the agents' remote_demand_discount range"),
      integer("lender_pricing_iterations", "passes", 2, 0, 20, m + "lender_pricing_iterations",
              "Times the lender reprices the market debt's default spread on the valuation's "
              "paths (0: no default spread)")
          .setting("precision of the spread against run time; the spread moves little after "
                   "the second pass"),
      number("contingent_liability_quantile", "1", 0.95, 0.5, 1,
             m + "contingent_liability_quantile",
             "The buy-back payout counted against a member's capital limit: this quantile of "
             "the payout over the valuation's paths (its expected cost is in the value)")
          .assumed(0.9, 0.99, "the worst plausible payout a board would provision for"),
      number("building_residual_share", "1", 0.5, 0, 1, m + "building_residual_share",
             "Building value left at the end of the contract, as a share of its cost")
          .assumed(0.3, 0.7, "a data-centre shell outlives its IT"),
      number("gpu_residual_share", "1", 0.05, 0, 1, m + "gpu_residual_share",
             "Hardware value left at the end of the contract, as a share of its cost")
          .assumed(0, 0.15, "GPUs are obsolete after their economic life"),
      number("price_noise", "1/sqrt(yr)", 0.08, 0, 5, m + "price_noise",
             "Yearly standard deviation of the log GPU-hour price around its trend")
          .assumed(0.04, 0.15, "cloud GPU price dispersion"),
      number("price_decline_before_operations", "1", 0, 0, 1, m + "price_decline_before_operations",
             "Share of the build years over which the valuation lets the GPU-hour price fall at "
             "the market's price_decline before the first operating year: 0 sells that year's "
             "hours at the bid date's price (a new GPU then earns what a new GPU earns now), 1 at "
             "the trend's price build_years later. SPC partner calls only: a fleet values its "
             "new GPUs from the decision")
          .assumed(0, 1,
                   "a GPU's hour loses value with its age (0) or with the calendar, whatever its "
                   "generation (1)"),
      number("delay_probability", "1", 0.25, 0, 1, m + "delay_probability",
             "Chance of a one-year delay (grid connection, construction) of a project")
          .assumed(0.1, 0.4, "transmission projects run 5 to 10 years late"),
      number("capital_site_delay_factor", "1", 1.8, 0, 10, m + "capital_site_delay_factor",
             "Capital-region grid congestion multiplies the delay risk by this")
          .assumed(1.3, 2.5,
                   "63.8 % of capital-region data-centre grid applications refused in the 2025 "
                   "trial (single source)"),
      number("delay_damages_share", "1", 0.5, 0, 1, m + "delay_damages_share",
             "Part of a delay's lost margin the public side would owe without a damages waiver")
          .assumed(0.25, 0.75, "damages recoverable under the contract"),
      number("npu_integration_cost_bn_krw", "bn KRW/GPU", 0.01, 0, inf,
             m + "npu_integration_cost_bn_krw",
             "One-off cost of porting to domestic chips, per mandated GPU-equivalent")
          .assumed(0.005, 0.02, "software stack and porting effort"),
      number("non_capital_power_discount", "1", 0.05, 0, 1, m + "non_capital_power_discount",
             "Power and land are cheaper by this share outside the capital region")
          .assumed(0, 0.1, "regional tariffs and land prices"),
      number("score_temperature", "points", 5, 0, 100, m + "score_temperature",
             "Evaluation noise in score points, for the win probabilities teams expect")
          .assumed(2, 10, "spread of evaluators' scores"),
      number("capital_shadow_price", "1", 0.3, 0, 10, m + "capital_shadow_price",
             "Cost of each bn KRW a member must commit beyond its limit (outside equity, rating)")
          .assumed(0.1, 0.5, "cost of outside equity"),
      number("construction_build_saving", "1", 0.15, 0, 1, m + "construction_build_saving",
             "Building cost falls by this times the team's construction capability")
          .assumed(0.05, 0.25, "an in-house builder's margin"),
      number("local_government_build_saving", "1", 0.10, 0, 1, m + "local_government_build_saving",
             "At a non-capital site, building cost falls by this times the team's "
             "local_government capability (land, permits)")
          .assumed(0, 0.2, "regional land and permit support"),
      number("secured_power_delay_relief", "1", 0.5, 0, 1, m + "secured_power_delay_relief",
             "The delay probability falls by this times the team's sites_power capability (in "
             "valuations and deliveries)")
          .assumed(0.3, 0.7, "secured grid power removes most connection delays"),
      number("chip_capability_npu_relief", "1", 0.5, 0, 1, m + "chip_capability_npu_relief",
             "An agent's npu_penalty falls by this times the team's chips capability")
          .assumed(0.3, 0.7, "a chip maker in the team supports its own software stack"),
      number("operations_utilization_base", "1", 0.8, 0, 2, m + "operations_utilization_base",
             "Utilisation factor of a team without cloud operations (multiplies utilization_base)")
          .assumed(0.7, 0.9, "operators without customers fill capacity more slowly"),
      number("operations_utilization_slope", "1", 0.4, 0, 2, m + "operations_utilization_slope",
             "Added to the utilisation factor per unit of the team's cloud_operations capability")
          .assumed(0.2, 0.6, "established clouds bring their customers"),
      number("control_threshold", "1", 0.5, 0, 1, m + "control_threshold",
             "Public equity share above which the state controls the SPC and members pay their "
             "control_aversion")
          .sourced("majority control; the 51 % share of round 1 was reported as control"),
      number("cloud_provider_threshold", "1", 0.5, 0, 1, m + "cloud_provider_threshold",
             "cloud_operations capability from which a member counts as a cloud provider (for "
             "multi-CSP bonuses)")
          .setting("the middle of the capability scale"),
      number("lead_equity_weight", "1", 2, 0, 100, m + "lead_equity_weight",
             "The lead's weight in the equity split is multiplied by this")
          .assumed(1, 3, "leads take the largest stake"),
      number("supply_integration_cost", "1", 0.08, 0, 1, m + "supply_integration_cost",
             "Procurement: integration cost of a lot, as a share of its hardware price, per unit "
             "of (supply_integration_base - cloud_operations)")
          .assumed(0.04, 0.12, "system-integration margins"),
      number("supply_integration_base", "1", 1.2, 0, 2, m + "supply_integration_base",
             "Procurement: the cloud_operations level at which integration would cost nothing")
          .assumed(1, 1.5, "even an experienced operator integrates at some cost"),
      number("supply_price_noise", "1", 0.03, 0.001, 1, m + "supply_price_noise",
             "Procurement: standard deviation of a supplier's private cost of the lot, as a share "
             "of its expected cost; suppliers bid against rivals whose costs spread this much")
          .assumed(0.01, 0.1, "dispersion of hardware quotes"),
      number("supply_cost_truncation", "sd", 3, 0.5, 10, m + "supply_cost_truncation",
             "Procurement: suppliers' private costs are normal draws truncated at this many "
             "standard deviations around the expected cost (the auction's cost range)")
          .setting("keeps costs positive and the cost range bounded; 3 keeps 99.7 % of the "
                   "normal"),
      integer("gpu_lead_time_days", "days", 84, 0, 3650, m + "gpu_lead_time_days",
              "Shortest time from contract to GPUs online (hardware lead time)")
          .sourced("vendor lead times of 8 to 12 weeks (domain notes)"),
      integer("delay_days", "days", 365, 0, 3650, m + "delay_days",
              "How long a delayed delivery is late")
          .assumed(180, 730, "a delay is modelled as one year"),
      integer("max_formation_rounds", "rounds", 50, 1, 10000, m + "max_formation_rounds",
              "SPC partner rounds: at most this many rounds of proposals settle the teams; "
              "formation that has not settled by then keeps the teams it has")
          .setting("a bound on run time; the calibrated scenario settles in a few rounds"),
      integer("max_enumerated_teams", "teams", 16, 0, 20, m + "max_enumerated_teams",
              "SPC partner rounds: entry games with at most this many teams are solved by "
              "checking every entry profile; larger ones by best responses in lead id order")
          .setting("2^teams profiles are checked: a bound on run time"),
  };
  return t;
}

ParamTable beliefs_table() {
  ParamTable t;
  t.name = "beliefs";
  t.title = "Market and beliefs";
  t.at = {"/market", "/agents/*/beliefs"};
  t.description =
      "A view of the market: the inputs of an agent's Monte Carlo valuation. In an agent's "
      "beliefs, keys left out take these defaults, not the scenario's /market values.";
  const std::string m = "Beliefs::";
  t.params = {
      number("demand_growth", "1/yr", 0.15, -1, 5, m + "demand_growth",
             "Expected yearly growth of demand for GPU time")
          .assumed(0, 0.4, "calibration notes: 0 to 40 %/yr"),
      number("demand_volatility", "1/sqrt(yr)", 0.25, 0, 5, m + "demand_volatility",
             "Yearly volatility of log demand")
          .assumed(0.2, 0.5, "calibration notes"),
      number("utilization_base", "1", 0.65, 0, 1, m + "utilization_base",
             "Utilisation in the first operating year at zero growth")
          .assumed(0.4, 0.8, "calibration notes"),
      number("utilization_cap", "1", 0.90, 0, 1, m + "utilization_cap",
             "Highest sustainable utilisation")
          .assumed(0.85, 0.95, "calibration notes"),
      number("gpu_hour_price_krw", "KRW/GPU-hour", 3000, 0, inf, m + "gpu_hour_price_krw",
             "Price of one GPU-hour in the first operating year (won, not bn KRW)")
          .assumed(2000, 8000, "cloud prices of $2 to $5 per GPU-hour by generation"),
      number("price_decline", "1/yr", 0.18, 0, 1, m + "price_decline",
             "Yearly fall of the GPU-hour price through obsolescence")
          .assumed(0.1, 0.3, "a newer generation halves an older one's value in a few years"),
      number("power_price_krw_per_kwh", "KRW/kWh", 182.7, 0, inf, m + "power_price_krw_per_kwh",
             "Industrial electricity tariff (won)")
          .sourced("KEPCO industrial tariff since 2024-10-24"),
      number("power_price_volatility", "1/sqrt(yr)", 0.10, 0, 5, m + "power_price_volatility",
             "Yearly volatility of the log power price")
          .assumed(0.05, 0.2, "regulated tariff changes"),
      number("belief_noise", "1/yr", 0, 0, 5, m + "belief_noise",
             "Standard deviation of a per-replication private signal added to demand_growth")
          .assumed(0, 0.15, "calibration notes: outcomes unchanged up to 0.15"),
  };
  return t;
}

ParamTable capabilities_table() {
  ParamTable t;
  t.name = "capabilities";
  t.title = "Agent capabilities";
  t.at = {"/agents/*/capabilities"};
  t.description = "What an agent brings to a consortium, each on a 0 to 1 scale.";
  const std::string m = "Capabilities::";
  const std::string basis = "scored per agent in each scenario from public facts";
  t.params = {
      number("cloud_operations", "1", 0, 0, 1, m + "cloud_operations",
             "Runs GPU clouds and has customers")
          .assumed(0, 1, basis),
      number("sites_power", "1", 0, 0, 1, m + "sites_power",
             "Owns data-centre sites and secured grid power")
          .assumed(0, 1, basis),
      number("construction", "1", 0, 0, 1, m + "construction", "Builds data centres")
          .assumed(0, 1, basis),
      number("academia", "1", 0, 0, 1, m + "academia", "Research users and talent")
          .assumed(0, 1, basis),
      number("local_government", "1", 0, 0, 1, m + "local_government",
             "Land, permits and support at a non-capital site")
          .assumed(0, 1, basis),
      number("chips", "1", 0, 0, 1, m + "chips", "Supplies domestic AI chips (NPUs)")
          .assumed(0, 1, basis),
  };
  return t;
}

ParamTable agent_table() {
  ParamTable t;
  t.name = "agent";
  t.title = "Agents";
  t.at = {"/agents/*"};
  t.description =
      "One actor. Every key but id and kind is optional and every kind accepts every key; money "
      "and preference keys matter for the private kinds, budget_bn_krw_by_year for the agents "
      "that issue calls.";
  const std::string m = "AgentSpec::";
  t.params = {
      typed("id", ParamType::id, m + "id", "Unique agent id, also the key of its random stream")
          .required(),
      typed("kind", ParamType::agent_kind, m + "kind",
            "What the agent is: a registered agent kind, whose roles say in which calls it may "
            "issue, lead, join, apply or serve (`tenderlab kinds`, docs/scenario-format.md)")
          .required(),
      typed("name", ParamType::text, m + "name", "Display name", "the id"),
      number("capital_bn_krw", "bn KRW", 0, 0, inf, m + "capital_bn_krw",
             "Equity the agent can commit to new projects")
          .assumed(0, inf, "what a firm would put into one project, per agent"),
      number("risk_aversion", "1", 1.0, 0, 100, m + "risk_aversion",
             "Risk aversion relative to the equity the agent commits to the project: its "
             "certainty equivalent uses absolute risk aversion risk_aversion / commitment, so "
             "a loss of the whole commitment weighs as much for a small firm as for a large one")
          .assumed(0.5, 3, "relative risk aversion of firms facing costly external finance"),
      number("bid_cost_bn_krw", "bn KRW", 2.0, 0, inf, m + "bid_cost_bn_krw",
             "Cost of preparing one bid, sunk whether it wins or not")
          .assumed(1, 10, "design, site and power plan, financing"),
      number("strategic_value_bn_krw", "bn KRW", 0, -inf, inf, m + "strategic_value_bn_krw",
             "Value it puts on taking part in a national project (may be negative)")
          .assumed(0, 100, "half to twice the calibrated values"),
      number("max_commitment", "1", 0.5, 0, 1, m + "max_commitment",
             "Largest share of its capital it puts into one project")
          .assumed(0.01, 0.5, "calibration notes"),
      number("control_aversion", "1", 0, 0, 1, m + "control_aversion",
             "Share of its equity value lost when the state holds the majority")
          .assumed(0.2, 0.35, "management control, designation as a public institution"),
      number("npu_penalty", "1", 0.35, 0, 1, m + "npu_penalty",
             "Revenue lost per unit of compute on mandated domestic chips")
          .assumed(0.2, 0.5, "users want domestic chips less (software ecosystem)"),
      number("remote_demand_discount", "1", 0.15, 0, 1, m + "remote_demand_discount",
             "Demand lost at a site outside the capital region; for a fleet, the share of its "
             "customers that only GPUs in the capital region serve")
          .assumed(0.05, 0.25, "distance from capital-region users"),
      integer("gpus", "GPUs", 0, 0, 100'000'000, m + "gpus",
              "GPUs the agent already runs: counted towards national targets; a fleet's "
              "starting size, in the oldest generation on sale"),
      nested("capabilities", ParamType::object, "capabilities", m + "capabilities",
             "What the agent brings to a consortium", "all 0"),
      nested("fleet", ParamType::object, "fleet", m + "fleet",
             "The agent's own GPU fleet, which it decides each quarter whether to expand "
             "(docs/model/fleet-expansion.md); its GPUs now are `gpus`. Only for kinds that lead "
             "procurement calls (cloud providers, telcos)",
             "no fleet decisions"),
      nested("beliefs", ParamType::object, "beliefs", m + "beliefs",
             "The agent's own market outlook; keys left out take the defaults of the market "
             "table, not the scenario's /market values",
             "the scenario's market"),
      make("budget_bn_krw_by_year", ParamType::year_map, "bn KRW", 0, 0, inf,
           m + "budget_bn_krw_by_year",
           "Budget by fiscal year of the calls the agent issues: keys are four-digit years, "
           "values amounts. A contract charges its public money to these years as "
           "budget_basis says; a round's winner whose charge exceeds what is left of a year's "
           "budget is passed over, and the adaptive revision rule stays within it. Without "
           "entries the issuer is unconstrained; with entries, a year not listed has a budget "
           "of 0")
          .shown("{}"),
      choice("budget_basis", names(budget_basis_names), m + "budget_basis",
             "How budget_bn_krw_by_year counts a contract's public money: commitment charges "
             "all of it (public equity plus tax credit for SPC calls, the price otherwise) to "
             "the fiscal year of the signing; cash charges each fiscal year what is paid out in "
             "it (the price in the signing year, the public equity in equal parts over the "
             "terms' paid_in_years from the signing year, no tax credit: revenue forgone is not "
             "an appropriation)",
             "\"commitment\""),
      boolean("budget_disclosed", false, m + "budget_disclosed",
              "Whether the suppliers of the agent's procurement calls know what is left of its "
              "budget in the year the contract would be signed: they then take the smaller of "
              "that and the ceiling price as the most the buyer pays, bid below it (so no bid "
              "is passed over for the budget) or stay out when it does not cover their cost. "
              "false: they bid against the ceiling price alone, and a bid the budget cannot "
              "pay is passed over at the opening"),
  };
  return t;
}

ParamTable relationship_table() {
  ParamTable t;
  t.name = "relationship";
  t.title = "Relationships";
  t.at = {"/relationships/*"};
  t.description = "A tie between two different agents (past partnerships, group membership).";
  t.params = {
      typed("from", ParamType::agent_ref, "Relationship::from", "One end: an agent id").required(),
      typed("to", ParamType::agent_ref, "Relationship::to",
            "The other end: an agent id other "
            "than from")
          .required(),
      number("strength", "1", 1.0, 0, 1, "Relationship::strength",
             "How strong the tie is, 0 none to 1 same group")
          .assumed(0.2, 1, "group ties 1, past consortia 0.6, weak ties 0.2 to 0.5"),
  };
  return t;
}

ParamTable call_table() {
  ParamTable t;
  t.name = "call";
  t.title = "Calls";
  t.at = {"/calls/*"};
  t.description = "One call for tender.";
  const std::string m = "CallSpec::";
  t.params = {
      typed("id", ParamType::id, m + "id", "Unique call id").required(),
      choice("kind", names(call_kind_names), m + "kind",
             "spc_partner: the state seeks a private partner for a public-private special-purpose "
             "company (SPC), consortia led by cloud providers or telcos bid; procurement: the "
             "state buys capacity, cloud providers and telcos offer it; allocation: the state "
             "hands out GPU time to universities and no capacity is built")
          .required(),
      typed("title", ParamType::text, m + "title", "Display title", "the id"),
      typed("issuer", ParamType::agent_ref, m + "issuer",
            "The id of the government agent issuing the call")
          .required(),
      integer("winners", "bids", 1, 1, 1000, m + "winners",
              "Bids that can win, best score first. Several winners split the call's gpus into "
              "equal lots, each with its own contract, paid its bid's price divided by their "
              "number"),
      nested("schedule", ParamType::object, "schedule", m + "schedule", "Dates of the first round")
          .required(),
      nested("object", ParamType::object, "call_object", m + "object",
             "What the call buys or builds")
          .required(),
      nested("terms", ParamType::object, "terms", m + "terms",
             "Terms of the first round; keys left out take their defaults", "all defaults"),
      nested("eligibility", ParamType::object, "eligibility", m + "eligibility",
             "Minimum capabilities of a bidding consortium", "none required"),
      nested("evaluation", ParamType::object, "evaluation", m + "evaluation", "How bids are scored",
             "all defaults"),
      nested("procedure", ParamType::object, "procedure", m + "procedure",
             "Success rule and scripted later rounds", "all defaults"),
      nested("adaptive_revision", ParamType::object, "adaptive_revision", m + "adaptive",
             "Rule-based revision of the terms after failures; exclusive with scripted rounds",
             "not used"),
  };
  t.schema_extra = R"({
    "if": {
      "$comment": "Scripted rounds present...",
      "properties": { "procedure": { "properties": { "rounds": { "minItems": 1 } }, "required": ["rounds"] } },
      "required": ["procedure"]
    },
    "then": {
      "$comment": "...then an adaptive_revision, if present, must say enabled: false.",
      "properties": { "adaptive_revision": { "properties": { "enabled": { "const": false } }, "required": ["enabled"] } }
    }
  })";
  return t;
}

ParamTable schedule_table() {
  ParamTable t;
  t.name = "schedule";
  t.title = "Schedule";
  t.at = {"/calls/*/schedule", "/calls/*/procedure/rounds/*/schedule"};
  t.description =
      "The dates of one round of a call. The loader checks announce <= loi_deadline <= "
      "bid_deadline.";
  const std::string m = "Schedule::";
  t.params = {
      typed("announce", ParamType::date, m + "announce", "Day the call is published").required(),
      typed("loi_deadline", ParamType::date, m + "loi_deadline",
            "Deadline for letters of intent, between announce and bid_deadline",
            "none (no letter of intent)"),
      typed("bid_deadline", ParamType::date, m + "bid_deadline",
            "Last day to submit bids, on or after announce")
          .required(),
      integer("evaluation_days", "days", 30, 0, 3650, m + "evaluation_days",
              "Days the evaluation takes, from the bid deadline to the result"),
  };
  return t;
}

ParamTable object_table() {
  ParamTable t;
  t.name = "call_object";
  t.title = "Call object";
  t.at = {"/calls/*/object"};
  t.description = "What the call buys or builds.";
  const std::string m = "CallObject::";
  t.params = {
      integer("gpus", "GPUs", 0, 1, 100'000'000, m + "gpus", "GPUs to be installed").required(),
      number("gpu_price_bn_krw", "bn KRW/GPU", 0.1, 0, inf, m + "gpu_price_bn_krw",
             "All-in price of one GPU (1 억원 = 0.1)")
          .sourced("a government official's \"about 1억원\" per Blackwell GPU all-in (single)"),
      number("kw_per_gpu", "kW", 1.9, 0, 100, m + "kw_per_gpu", "All-in IT power per GPU")
          .sourced("260,000 GPUs for about 500 MW (derived)"),
      number("pue", "1", 1.3, 1, 5, m + "pue", "Power usage effectiveness of the site")
          .assumed(1.2, 1.6, "modern AI data centres about 1.2, older 1.4 to 1.6"),
      number("build_cost_bn_krw_per_mw", "bn KRW/MW", 7.1, 0, inf, m + "build_cost_bn_krw_per_mw",
             "Data-centre building and facilities per MW of IT load")
          .sourced("Samsung SDS Gumi: 4,273억 for 60 MW (derived)"),
      number("public_use_share", "1", 0, 0, 1, m + "public_use_share",
             "Share of capacity reserved for public users; with compute use an SPC's reserved "
             "GPUs join the public pool and the rest are sold from its own"),
      number("public_use_discount", "1", 0, 0, 1, m + "public_use_discount",
             "Price discount on the reserved share"),
      integer("years", "years", 10, 1, 50, m + "years", "Contract or operating life")
          .assumed(5, 10, "GPU economic life 5 to 7 years"),
      integer("build_years", "years", 2, 0, 20, m + "build_years",
              "Construction before operation starts")
          .assumed(2, 3, "a data centre takes 2 to 3 years to build"),
  };
  return t;
}

ParamTable terms_table() {
  ParamTable t;
  t.name = "terms";
  t.title = "Terms";
  t.at = {"/calls/*/terms", "/calls/*/procedure/rounds/*/terms"};
  t.description =
      "The levers of a call. In /calls/*/terms a missing key takes its default; in a new_call "
      "round's terms a missing key keeps the previous round's value (a patch).";
  const std::string m = "Terms::";
  t.params = {
      number("public_equity_share", "1", 0, 0, 0.99, m + "public_equity_share",
             "Public side's share of the SPC's equity"),
      number("paid_in_capital_bn_krw", "bn KRW", 0, 0, inf, m + "paid_in_capital_bn_krw",
             "Equity paid in by all shareholders together (0: the whole capex)"),
      integer("paid_in_years", "years", 1, 1, 30, m + "paid_in_years",
              "Years over which the equity is paid in"),
      nested("buy_back", ParamType::object, "buy_back", m + "buy_back",
             "Buy-back obligation: the public side may make the private side buy its stake back "
             "at principal compounded at return_rate",
             "not enabled"),
      boolean("public_preferred", false, m + "public_preferred",
              "Public shares are preferred: repaid before the private side"),
      boolean("loss_bearing", false, m + "loss_bearing",
              "The private side covers operating losses and gives joint guarantees"),
      boolean("damages_waiver", false, m + "damages_waiver",
              "The private side waives damages if the public side delays"),
      number("domestic_chip_share", "1", 0, 0, 1, m + "domestic_chip_share",
             "Share of compute that must run on domestic chips"),
      choice("site", names(site_rule_names), m + "site",
             "Where the centre may be built: anywhere, in the capital region, or outside it",
             "\"any\""),
      number("tax_credit", "1", 0, 0, 1, m + "tax_credit",
             "Share of the GPU and building investment credited against tax"),
      nested("policy_loan", ParamType::object, "policy_loan", m + "policy_loan",
             "A loan from a policy bank on the capex", "none"),
      make("ceiling_price_bn_krw", ParamType::nullable_number, "bn KRW",
           std::numeric_limits<double>::quiet_NaN(), 0, inf, m + "ceiling_price_bn_krw",
           "Bids asking for more public money than this are invalid; null means no ceiling"),
      number("multi_csp_bonus", "points", 0, 0, 100, m + "multi_csp_bonus",
             "Evaluation points given to consortia of several cloud providers"),
  };
  return t;
}

ParamTable buy_back_table() {
  ParamTable t;
  t.name = "buy_back";
  t.title = "Buy-back obligation";
  t.at = {"/calls/*/terms/buy_back", "/calls/*/procedure/rounds/*/terms/buy_back"};
  t.description =
      "Buy-back obligation: the public side may make the private side buy its stake back at "
      "principal compounded at return_rate. In a round patch, keys left out keep their values.";
  t.params = {
      boolean("enabled", false, "BuyBack::enabled", "Whether the obligation exists"),
      number("return_rate", "1/yr", 0, 0, 1, "BuyBack::return_rate",
             "Yearly return owed to the public side on its principal"),
  };
  return t;
}

ParamTable policy_loan_table() {
  ParamTable t;
  t.name = "policy_loan";
  t.title = "Policy loan";
  t.at = {"/calls/*/terms/policy_loan", "/calls/*/procedure/rounds/*/terms/policy_loan"};
  t.description = "A loan from a policy bank on the capex.";
  t.params = {
      number("share_of_capex", "1", 0, 0, 1, "PolicyLoan::share_of_capex",
             "Part of the capex the loan covers"),
      number("rate", "1/yr", 0, 0, 1, "PolicyLoan::rate", "Interest rate"),
      integer("years", "years", 0, 0, 50, "PolicyLoan::years",
              "Term of the loan (0: the assumptions' debt_years)"),
  };
  return t;
}

ParamTable eligibility_table() {
  ParamTable t;
  t.name = "eligibility";
  t.title = "Eligibility";
  t.at = {"/calls/*/eligibility"};
  t.description = "Minimum capabilities of a consortium for its bid to be eligible.";
  t.params = {
      number("min_sites_power", "1", 0, 0, 1, "Eligibility::min_sites_power",
             "Minimum sites_power capability of the consortium (capability scale)"),
      number("min_cloud_operations", "1", 0, 0, 1, "Eligibility::min_cloud_operations",
             "Minimum cloud_operations capability of the consortium (capability scale)"),
      number("min_grid_mw", "MW", 0, 0, 100'000, "Eligibility::min_grid_mw",
             "Grid connection the bidder must be able to draw when it bids, at one of its own "
             "sites (or an ownerless one) in the region the call allows: the grid's headroom at "
             "the site's node within what is left of its max_mw. No effect without a grid"),
  };
  return t;
}

ParamTable evaluation_table() {
  ParamTable t;
  t.name = "evaluation";
  t.title = "Evaluation";
  t.at = {"/calls/*/evaluation"};
  t.description =
      "How bids are scored. technical_weight + price_weight must equal 1 (checked by the "
      "loader, within 1e-9).";
  const std::string m = "Evaluation::";
  t.params = {
      number("technical_weight", "1", 0.8, 0, 1, m + "technical_weight",
             "Weight of the technical score"),
      number("price_weight", "1", 0.2, 0, 1, m + "price_weight", "Weight of the price score"),
      number("pass_mark", "points", 0, 0, 100, m + "pass_mark",
             "Minimum total score for a bid to be valid"),
      nested("technical_criteria", ParamType::object, "technical_criteria", m + "criteria",
             "Weights of the capabilities in the technical score", "all defaults"),
  };
  return t;
}

ParamTable technical_criteria_table() {
  ParamTable t;
  t.name = "technical_criteria";
  t.title = "Technical criteria";
  t.at = {"/calls/*/evaluation/technical_criteria"};
  t.description =
      "The technical score (0 to 100) is 100 times the weighted sum of a team's capabilities; "
      "leads also rank partners by what they add to it.";
  const std::string m = "TechnicalCriteria::";
  const std::string basis = "operations and power weigh most: they decide whether the centre runs";
  t.params = {
      number("cloud_operations", "1", 0.30, 0, 1, m + "cloud_operations",
             "Weight of the team's cloud_operations")
          .assumed(0.2, 0.4, basis),
      number("sites_power", "1", 0.25, 0, 1, m + "sites_power", "Weight of the team's sites_power")
          .assumed(0.15, 0.35, basis),
      number("construction", "1", 0.15, 0, 1, m + "construction",
             "Weight of the team's construction")
          .assumed(0.05, 0.25, basis),
      number("academia", "1", 0.10, 0, 1, m + "academia", "Weight of the team's academia")
          .assumed(0, 0.2, basis),
      number("local_government", "1", 0.10, 0, 1, m + "local_government",
             "Weight of the team's local_government")
          .assumed(0, 0.2, basis),
      number("chips", "1", 0.10, 0, 1, m + "chips", "Weight of the team's chips")
          .assumed(0, 0.2, basis),
  };
  return t;
}

ParamTable procedure_table() {
  ParamTable t;
  t.name = "procedure";
  t.title = "Procedure";
  t.at = {"/calls/*/procedure"};
  t.description = "What makes a round succeed and what happens after a failure.";
  const std::string m = "Procedure::";
  t.params = {
      integer("min_valid_bids", "bids", 2, 1, 100, m + "min_valid_bids",
              "Valid bids needed for the first round to succeed")
          .sourced("National Contract Act, Art. 11 (competitive bidding needs two bids)"),
      boolean("negotiate_after_failed_reannouncement", true,
              m + "negotiate_after_failed_reannouncement",
              "When a re-announced round fails but received at least one valid bid, the issuer "
              "negotiates a contract with the best of them instead of going on")
          .sourced("National Contract Act: negotiated contract after a failed re-announcement"),
      integer("contract_days", "days", 30, 0, 3650, m + "contract_days",
              "From the award to the signed contract")
          .assumed(14, 90, "negotiation of the contract's details"),
      nested("rounds", ParamType::array, "round", m + "rounds",
             "Scripted later rounds, tried in order after each failure", "[]"),
  };
  return t;
}

ParamTable round_table() {
  ParamTable t;
  t.name = "round";
  t.title = "Scripted rounds";
  t.at = {"/calls/*/procedure/rounds/*"};
  t.description =
      "A scripted later round, tried after the previous round failed. reannounce repeats the "
      "call with the same terms; new_call may change them (terms is a patch over the previous "
      "round's terms); negotiate awards a negotiated contract to the best valid bid of the failed "
      "round, or is skipped when there was none; cancel ends the call and needs no schedule.";
  t.params = {
      choice("kind", names(failure_action_names), "RoundSpec::kind",
             "What happens after the previous round failed")
          .required(),
      nested("schedule", ParamType::object, "schedule", "RoundSpec::schedule",
             "Dates of this round; announce after the previous round's bid deadline (checked by "
             "the loader). Required unless kind is cancel"),
      integer("min_valid_bids", "bids", 1, 1, 100, "RoundSpec::min_valid_bids",
              "Valid bids needed for this round to succeed")
          .sourced("a re-announced call may be awarded on a single bid"),
      nested("terms", ParamType::object, "terms", "RoundSpec::terms",
             "new_call only: the changed terms, a patch over the previous round's terms",
             "unchanged"),
  };
  t.schema_extra = R"({
    "allOf": [
      {
        "$comment": "Only a cancel round may leave out its schedule.",
        "if": { "properties": { "kind": { "const": "cancel" } }, "required": ["kind"] },
        "else": { "required": ["schedule"] }
      },
      {
        "$comment": "Only a new_call round changes the terms.",
        "if": { "not": { "properties": { "kind": { "const": "new_call" } }, "required": ["kind"] } },
        "then": { "properties": { "terms": { "not": {}, "$comment": "not {} rejects any value" } } }
      }
    ]
  })";
  return t;
}

ParamTable adaptive_table() {
  ParamTable t;
  t.name = "adaptive_revision";
  t.title = "Adaptive revision";
  t.at = {"/calls/*/adaptive_revision"};
  t.description =
      "Instead of scripted rounds, after each failed round the issuer relaxes the term that cost "
      "the absent bidders most, by one step, and calls again. Present and enabled: "
      "/procedure/rounds must be empty.";
  const std::string m = "AdaptiveRevision::";
  const std::string basis = "one step of the revision rule";
  t.params = {
      boolean("enabled", true, m + "enabled",
              "Whether the rule is used (writing the object switches it on)"),
      integer("max_rounds", "rounds", 3, 1, 50, m + "max_rounds",
              "Rounds in all, the first included"),
      integer("gap_days", "days", 90, 1, 3650, m + "gap_days",
              "From a failure to the next call's announcement"),
      integer("bid_window_days", "days", 45, 1, 3650, m + "bid_window_days",
              "From announcement to bid deadline in revised rounds"),
      number("max_public_money_bn_krw", "bn KRW", inf, 0, inf, m + "max_public_money_bn_krw",
             "The rule never revises the terms so far that the public money they commit (public "
             "equity plus tax credit) exceeds this, nor what is left of the issuer's "
             "budget_bn_krw_by_year in the year the revised round's contract would be signed")
          .shown("no limit"),
      number("equity_step", "1", 0.1, 0, 1, m + "equity_step",
             "How much one revision lowers public_equity_share")
          .assumed(0.05, 0.2, basis),
      number("chip_share_step", "1", 0.25, 0, 1, m + "chip_share_step",
             "How much one revision lowers domestic_chip_share")
          .assumed(0.1, 0.5, basis),
      number("ceiling_price_factor", "1", 1.1, 1, 10, m + "ceiling_price_factor",
             "One revision multiplies the ceiling price by this")
          .assumed(1.05, 1.25, basis),
      number("tax_credit_step", "1", 0.05, 0, 1, m + "tax_credit_step",
             "How much one revision raises the tax credit when no clause is left to relax")
          .assumed(0.025, 0.1, basis),
      number("max_tax_credit", "1", 0.25, 0, 1, m + "max_tax_credit",
             "The rule raises the tax credit up to this")
          .sourced("the tax credit was raised to at most 25 % (round 3 of the 2025 call)"),
  };
  return t;
}

ParamTable event_table() {
  ParamTable t;
  t.name = "event";
  t.title = "Events";
  t.at = {"/events/*"};
  t.description = "An exogenous, timestamped event.";
  t.params = {
      typed("date", ParamType::date, "ExogenousEvent::date",
            "When it happens, in [start_date, horizon] (checked by the loader)")
          .required(),
      choice("kind", names(shock_kind_names), "ExogenousEvent::kind",
             "What it changes from its date on: demand, power_price and gpu_price multiply the "
             "market's demand, power price and GPU price by multiplier; export_control multiplies "
             "the GPU price too (a supply restriction seen as a price rise), or, naming a "
             "generation, stops its sale; supply multiplies the vendors' quarterly capacity; note "
             "changes nothing and only marks the timeline")
          .required(),
      number("multiplier", "1", 1.0, 0, 1000, "ExogenousEvent::multiplier",
             "Factor applied to the quantity the kind names"),
      typed("description", ParamType::text, "ExogenousEvent::description",
            "What happened, for the timeline", "\"\""),
      typed("vendor", ParamType::agent_ref, "ExogenousEvent::vendor",
            "supply and export_control: the vendor (an agent in /vendors) it concerns",
            "every vendor"),
      typed("generation", ParamType::id, "ExogenousEvent::generation",
            "export_control: the generation that can no longer be ordered from the date on "
            "(the multiplier is then not used); without it export_control raises GPU prices",
            "none"),
  };
  return t;
}

ParamTable grid_table() {
  ParamTable t;
  t.name = "grid";
  t.title = "Power grid";
  t.at = {"/grid"};
  t.description =
      "The power grid as a flow network and the rules by which its operator connects new loads. "
      "What a site can draw is a maximum flow from the nodes' supplies to their loads that serves "
      "every connected load first (docs/model/power-grid.md).";
  const std::string m = "GridSpec::";
  t.params = {
      typed("operator", ParamType::agent_ref, m + "operator_id",
            "The agent of kind grid_operator that decides connection requests")
          .required(),
      integer("review_days", "days", 90, 1, 3650, m + "review_days",
              "Connection requests wait for the next review; a review decides every waiting "
              "request together, so that none is favoured by the order it arrived in. Reviews "
              "fall every review_days from start_date")
          .assumed(30, 180, "connection reviews are batched quarterly to half-yearly"),
      boolean("reinforce", true, m + "reinforce",
              "MW a review could not grant are brought to the node by a reinforcement (a new "
              "line from the backbone) that the operator starts at once; false: they wait for "
              "the planned upgrades only"),
      integer("reinforcement_days", "days", 1095, 0, 7300, m + "reinforcement_days",
              "From the decision to start a reinforcement to the extra MW at the node")
          .assumed(730, 2555,
                   "substation and line projects in Korea take about 2 to 7 years; transmission "
                   "lines into the capital region the longest"),
      nested("nodes", ParamType::array, "grid_node", m + "nodes",
             "Substations, or buses that stand for a region's backbone; ids unique")
          .required(),
      nested("lines", ParamType::array, "grid_line", m + "lines",
             "Lines and transformers between nodes", "[]"),
      nested("upgrades", ParamType::array, "grid_upgrade", m + "upgrades",
             "Planned reinforcements with their completion dates; those of one day go into "
             "service in the order of their node ids, whatever their order in the file",
             "[]"),
  };
  return t;
}

ParamTable grid_node_table() {
  ParamTable t;
  t.name = "grid_node";
  t.title = "Grid nodes";
  t.at = {"/grid/nodes/*"};
  t.description = "A substation or a region's bus.";
  const std::string m = "GridNodeSpec::";
  t.params = {
      typed("id", ParamType::id, m + "id", "Unique node id").required(),
      typed("region", ParamType::id, m + "region", "Region, for reports by region").required(),
      boolean("capital_region", false, m + "capital_region",
              "In the capital region (Seoul, Gyeonggi, Incheon): sites here are capital sites "
              "for a call's site rule"),
      number("supply_mw", "MW", 0, 0, inf, m + "supply_mw",
             "Generation or import that can be fed in at the node"),
      number("load_mw", "MW", 0, 0, inf, m + "load_mw",
             "Load already connected at the node, served before any new connection"),
      number("other_applications_mw_per_year", "MW/year", 0, 0, inf,
             m + "other_applications_mw_per_year",
             "Connection applications a year from data centres outside the model at the node: "
             "each review decides those made since the last one together with the other "
             "requests (the same share for all); what it does not grant lapses and starts no "
             "reinforcement"),
  };
  return t;
}

ParamTable grid_line_table() {
  ParamTable t;
  t.name = "grid_line";
  t.title = "Grid lines";
  t.at = {"/grid/lines/*"};
  t.description = "A line or transformer between two different nodes, usable either way.";
  const std::string m = "GridLineSpec::";
  t.params = {
      typed("from", ParamType::id, m + "from", "One end: a node id").required(),
      typed("to", ParamType::id, m + "to", "The other end: a node id other than from").required(),
      number("capacity_mw", "MW", 0, 0, inf, m + "capacity_mw",
             "Most power the line carries, either way")
          .required(),
  };
  return t;
}

ParamTable grid_upgrade_table() {
  ParamTable t;
  t.name = "grid_upgrade";
  t.title = "Grid upgrades";
  t.at = {"/grid/upgrades/*"};
  t.description =
      "A planned reinforcement: more supply at a node, or, with to, more capacity on a line.";
  const std::string m = "GridUpgradeSpec::";
  t.params = {
      typed("date", ParamType::date, m + "date",
            "When it is in service, in [start_date, horizon] (checked by the loader)")
          .required(),
      typed("node", ParamType::id, m + "node", "The node (or one end of the line)").required(),
      typed("to", ParamType::id, m + "to",
            "The other end of the line (a line must join node and to)", "a supply upgrade"),
      number("mw", "MW", 0, 0, inf, m + "mw", "Supply or line capacity added").required(),
  };
  return t;
}

ParamTable site_table() {
  ParamTable t;
  t.name = "site";
  t.title = "Sites";
  t.at = {"/sites/*"};
  t.description =
      "A data-centre site on a grid node. A contract's GPUs are hosted at a site of a member of "
      "the winning team, or at a site without an owner, in the region class the contract's site "
      "rule names; its MW must be granted by the grid operator before the GPUs run.";
  const std::string m = "SiteSpec::";
  t.params = {
      typed("id", ParamType::id, m + "id", "Unique site id").required(),
      typed("node", ParamType::id, m + "node", "The grid node it connects to").required(),
      typed("owner", ParamType::agent_ref, m + "owner", "The agent that owns it",
            "offered to any bidder"),
      number("max_mw", "MW", inf, 0, inf, m + "max_mw",
             "Most power the site can host (land, building permits)")
          .shown("no limit"),
      make("pue", ParamType::nullable_number, "1", std::numeric_limits<double>::quiet_NaN(), 1, 3,
           m + "pue",
           "Power usage effectiveness of a fleet's new GPUs here (a contract's centre has its "
           "call's object.pue)")
          .shown("the fleet's pue"),
      make("power_price_factor", ParamType::nullable_number, "1",
           std::numeric_limits<double>::quiet_NaN(), 0, 5, m + "power_price_factor",
           "The site's power tariff as a share of the market's, before the policy's "
           "non-capital discount; fleets value their GPUs' power here at it")
          .shown("1 in the capital region, 1 - non_capital_power_discount outside"),
      integer("build_days", "days", 0, 0, 3650, m + "build_days",
              "From a fleet's order until new load at the site can run (the building); 0: "
              "built, with room"),
  };
  return t;
}

ParamTable fleet_table() {
  ParamTable t;
  t.name = "fleet";
  t.title = "Private fleets";
  t.at = {"/agents/*/fleet"};
  t.description =
      "A cloud provider's or telco's own GPU fleet, outside tenders. Each quarter its owner "
      "values buying more GPUs of the vendors' preferred generation on its beliefs, and buys the "
      "most that still add value within its capital, the vendor's allocation and its sites' "
      "grid connections (docs/model/fleet-expansion.md).";
  const std::string m = "FleetSpec::";
  t.params = {
      number("demand_gpu_hours_per_year", "GPU-hours/yr", 0, 0, inf,
             m + "demand_gpu_hours_per_year",
             "H100-equivalent GPU-hours its customers buy per year at the start, at full price; "
             "grows with the owner's expected demand growth and the market's demand shocks")
          .required(),
      number("max_capital_share_per_quarter", "1", 0.1, 0, 1, m + "max_capital_share_per_quarter",
             "Most of its capital_bn_krw it commits to fleet GPUs in one quarter")
          .assumed(0.02, 0.25,
                   "capex budgets of Korean CSPs and telcos: a few % of capital a quarter"),
      number("hurdle_rate", "1/yr", 0.028, 0, 1, m + "hurdle_rate",
             "Discount rate of the expansion's cash flows; with risk_aversion above 0 the "
             "risk-free rate, so that risk is not counted twice")
          .assumed(0.028, 0.12, "risk-free rate; a company WACC only with risk_aversion 0"),
      number("risk_aversion", "1", 1.0, 0, 100, m + "risk_aversion",
             "Absolute risk aversion times the quarter's budget for fleet GPUs")
          .assumed(0, 3, "as the agents' risk_aversion for projects"),
      integer("step_gpus", "GPUs", 256, 1, 1'000'000, m + "step_gpus",
              "Granularity of the decision: GPUs are bought in multiples of this")
          .setting("a pod of 32 servers of 8 GPUs"),
      number("pue", "1", 1.3, 1, 3, m + "pue", "Power usage effectiveness of its sites")
          .assumed(1.2, 1.6, "modern AI data centres about 1.2, older sites 1.4 to 1.6"),
      number("build_cost_bn_krw_per_mw", "bn KRW/MW", 7.1, 0, 100, m + "build_cost_bn_krw_per_mw",
             "Building and facilities for each new MW of IT load x PUE; 0 when it has space")
          .sourced("Samsung SDS Gumi AI data centre: 427.3 bn KRW for 60 MW, about 7.1 per MW"),
  };
  return t;
}

ParamTable vendor_table() {
  ParamTable t;
  t.name = "vendor";
  t.title = "GPU vendors";
  t.at = {"/vendors/*"};
  t.description =
      "A GPU vendor's offer to the market: the generations it sells, how many GPUs it ships into "
      "the market each quarter, the most one buyer gets, and its lead time. Orders of a quarter "
      "are decided together on its first day, shared max-min fair among buyers "
      "(docs/model/gpu-supply.md).";
  const std::string m = "VendorSpec::";
  t.params = {
      typed("agent", ParamType::agent_ref, m + "agent", "The agent of kind gpu_vendor that sells")
          .required(),
      integer("lead_time_days", "days", 84, 0, 3650, m + "lead_time_days",
              "From an order's confirmation to its delivery")
          .assumed(56, 365, "H100: 40 to 52 weeks in late 2023, 8 to 12 weeks in April 2024"),
      integer("quarterly_capacity", "GPUs", 0, 0, 100'000'000, m + "quarterly_capacity",
              "GPUs shipped into the market each quarter, all buyers together")
          .required(),
      integer("buyer_cap_per_quarter", "GPUs", 0, 0, 100'000'000, m + "buyer_cap_per_quarter",
              "The most one buyer is confirmed in a quarter")
          .required(),
      nested("generations", ParamType::array, "gpu_generation", m + "generations",
             "The generations it sells; ids unique within the vendor")
          .required(),
  };
  return t;
}

ParamTable gpu_generation_table() {
  ParamTable t;
  t.name = "gpu_generation";
  t.title = "GPU generations";
  t.at = {"/vendors/*/generations/*"};
  t.description =
      "One generation of GPU. Buyers order the generation with the lowest list price per unit "
      "of performance that can be ordered that day.";
  const std::string m = "GpuGenerationSpec::";
  t.params = {
      typed("id", ParamType::id, m + "id", "Generation id, unique within the vendor").required(),
      typed("available", ParamType::date, m + "available", "First day it can be ordered")
          .required(),
      number("launch_price_bn_krw", "bn KRW", 0, 0, 100, m + "launch_price_bn_krw",
             "All-in price per GPU on its first day (server share, network)")
          .required(),
      number("price_decline", "1/yr", 0.2, 0, 0.99, m + "price_decline",
             "Yearly fall of the list price after availability")
          .assumed(0.1, 0.35, "street prices of a generation fall as the next one ships"),
      number("price_floor_share", "1", 0.3, 0, 1, m + "price_floor_share",
             "The list price never falls below this share of the launch price")
          .assumed(0.2, 0.6, "older generations keep a resale value"),
      number("performance", "1", 1, 0.01, 1000, m + "performance", "Throughput relative to an H100")
          .required(),
      number("kw_per_gpu", "kW", 1.9, 0.01, 100, m + "kw_per_gpu",
             "All-in IT power per GPU (server, network, storage)")
          .sourced("H100/H200 700 W, B200 1,000 W TDP; DGX H100 10.2 kW, DGX B200 14.3 kW; "
                   "260,000 GPUs about 500 MW all-in"),
  };
  return t;
}

ParamTable programme_table() {
  ParamTable t;
  t.name = "programme";
  t.title = "National programme";
  t.at = {"/programme"};
  t.description = "The programme's targets and the public instruments that reach private fleets.";
  const std::string m = "ProgrammeSpec::";
  t.params = {
      nested("targets", ParamType::array, "programme_target", m + "targets",
             "GPUs online to reach by a date; the run reports the date each is reached", "[]"),
      nested("fleet_instruments", ParamType::object, "fleet_instruments", m + "fleet_instruments",
             "Instruments that change private fleets' expansion decisions", "all 0"),
  };
  return t;
}

ParamTable programme_target_table() {
  ParamTable t;
  t.name = "programme_target";
  t.title = "Programme targets";
  t.at = {"/programme/targets/*"};
  t.description = "A number of GPUs online by a date.";
  const std::string m = "ProgrammeTarget::";
  t.params = {
      typed("id", ParamType::id, m + "id", "Unique target id").required(),
      integer("gpus", "GPUs", 0, 1, 100'000'000, m + "gpus", "GPUs online").required(),
      choice("scope", names(target_scope_names), m + "scope",
             "public: GPUs of contracts signed in the calls (SPC, procurement); all: those and "
             "the private fleets' GPUs",
             "\"all\""),
      typed("by", ParamType::date, m + "by", "The date the target is set for").required(),
  };
  return t;
}

ParamTable fleet_instruments_table() {
  ParamTable t;
  t.name = "fleet_instruments";
  t.title = "Fleet instruments";
  t.at = {"/programme/fleet_instruments"};
  t.description = "Public instruments that reach private fleets' expansion decisions.";
  const std::string m = "FleetInstruments::";
  t.params = {
      number("investment_tax_credit", "1", 0, 0, 1, m + "investment_tax_credit",
             "Share of the GPU and building capex credited against the owner's corporate tax"),
      number("non_capital_tariff_discount", "1", 0, 0, 1, m + "non_capital_tariff_discount",
             "Share off the power tariff at sites outside the capital region"),
      number("anchor_gpu_hours_per_year", "GPU-hours/yr", 0, 0, inf,
             m + "anchor_gpu_hours_per_year",
             "GPU-hours the state commits to buy per year from the fleets, shared among them in "
             "proportion to their demand"),
      number("anchor_price_krw", "KRW", 0, 0, inf, m + "anchor_price_krw",
             "Price per anchor GPU-hour"),
      integer("anchor_years", "years", 0, 0, 100, m + "anchor_years",
              "Years from the start of the run during which the state buys them"),
  };
  return t;
}

ParamTable compute_table() {
  ParamTable t;
  t.name = "compute";
  t.title = "Compute use";
  t.at = {"/compute"};
  t.description =
      "GPUs online become SimGrid hosts (pods) that run the jobs of user groups and of the "
      "fleets' own customers; allocation calls award the public GPUs (docs/model/compute-use.md).";
  const std::string m = "ComputeSpec::";
  t.params = {
      integer("pod_gpus", "GPUs", 1000, 1, 1'000'000, m + "pod_gpus",
              "GPUs per simulated host. GPUs online run in whole pods: a pool's GPUs beyond its "
              "last full pod wait for the next delivery")
          .setting("fewer, larger hosts run faster; jobs must fit in one pod"),
      integer("max_gpus_per_pool", "GPUs", 200'000, 1, 100'000'000, m + "max_gpus_per_pool",
              "Hosts are made before the run (SimGrid's platform is fixed once it runs) for this "
              "many GPUs per owner; a run whose pool grows beyond it stops with an error")
          .setting("raise it when a run says so"),
      number("demand_learning_weight", "1", 0.5, 0, 1, m + "demand_learning_weight",
             "Weight a fleet gives the demand it observed in the last four quarters (its "
             "customers' and the user groups' jobs, annualised) against its own forecast when it "
             "decides to expand")
          .assumed(0.25, 0.75, "adaptive expectations; no Korean estimate"),
      integer("customer_job_gpus", "GPUs", 64, 1, 1'000'000, m + "customer_job_gpus",
              "GPUs per job of a fleet's own customers (its fleet.demand_gpu_hours_per_year)")
          .setting("aggregation: a job stands for many customers' work"),
      number("customer_job_days", "days", 7, 0.001, 3650, m + "customer_job_days",
             "Mean duration of those jobs on H100-class GPUs (exponential)")
          .setting("aggregation"),
      number("customer_max_wait_days", "days", 30, 0, 3650, m + "customer_max_wait_days",
             "A customer's job that would wait longer than this (the queue's GPU-hours over the "
             "pool's GPUs) is not placed: lost demand, still counted as demand the fleet saw")
          .assumed(7, 90, "customers move to other providers or abroad when capacity is short"),
      number("customer_queue_patience_days", "days", 0, 0, 3650, m + "customer_queue_patience_days",
             "Mean patience of a fleet's customer once its job is queued: each draws an "
             "exponential patience and leaves the queue unserved when it runs out (as "
             "user_groups' queue_patience_days). 0: customers stay until their job starts")
          .assumed(0, 60, "customers move to other providers or abroad when capacity is short"),
      integer("backfill_depth", "jobs", 0, 0, 100'000, m + "backfill_depth",
              "Backfilling: when the job at the head of a pool's queue cannot start, the next this "
              "many jobs may start at once if they do not delay its reservation (EASY "
              "backfilling, as batch schedulers do). 0: first come, first served")
          .setting("a scheduler's setting; 0 keeps strict order"),
      number("walltime_factor", "1", 1, 1, 100, m + "walltime_factor",
             "Wall time users request as a multiple of the time their job runs; reservations and "
             "backfilling plan with it, jobs end when done. 1: exact estimates")
          .assumed(1, 3, "users ask for more time than their jobs take; no Korean estimate"),
      number("walltime_spread", "1", 0, 0, 5, m + "walltime_spread",
             "How users' wall-time requests scatter: each job's factor is walltime_factor times "
             "a lognormal of mean 1 and this log standard deviation, at least 1 (a request "
             "below the run time would have the job killed). 0: every job asks for "
             "walltime_factor")
          .assumed(0, 1, "requests scatter widely around users' typical overestimate"),
      nested("user_groups", ParamType::array, "user_group", m + "user_groups",
             "Populations of users who submit jobs; ids unique", "[]"),
      nested("allocation_calls", ParamType::array, "allocation_call", m + "allocation_calls",
             "Government calls that award public GPUs to user groups by shares; ids unique", "[]"),
  };
  return t;
}

ParamTable user_group_table() {
  ParamTable t;
  t.name = "user_group";
  t.title = "User groups";
  t.at = {"/compute/user_groups/*"};
  t.description =
      "A population of users. Its jobs arrive as a Poisson process whose rate grows, follows "
      "demand shocks and falls with the price paid: multiplier ((1 + p / p0) / 2)^-elasticity, "
      "with p0 the commercial price at start_date (so free use multiplies demand by "
      "2^elasticity).";
  const std::string m = "UserGroupSpec::";
  t.params = {
      typed("id", ParamType::id, m + "id", "Unique group id").required(),
      choice("kind", names(user_group_kind_names), m + "kind",
             "What the users are, for reports (universities are summarised)")
          .required(),
      number("jobs_per_month", "1/month", 0, 0, 1e9, m + "jobs_per_month",
             "Jobs and applications per month at start_date at the commercial price")
          .required(),
      number("growth_per_year", "1/yr", 0, -0.99, 100, m + "growth_per_year",
             "Yearly growth of the job rate")
          .assumed(0.1, 0.6, "AI compute demand growth"),
      integer("job_gpus", "GPUs", 8, 1, 1'000'000, m + "job_gpus",
              "GPUs of one job; at most /compute/pod_gpus")
          .setting("aggregation: a job stands for many users' work"),
      number("job_days", "days", 1, 0.001, 3650, m + "job_days",
             "Mean duration of a job on H100-class GPUs (exponential); faster generations "
             "finish sooner"),
      number("allocation_share", "1", 0, 0, 1, m + "allocation_share",
             "Share of its jobs that apply to allocation calls; the rest buy commercial GPU-hours")
          .assumed(0, 1, "by group: academia relies on allocations, industry buys"),
      integer("application_gpus", "GPUs", 0, 0, 1'000'000, m + "application_gpus",
              "GPUs one application asks for; at most /compute/pod_gpus. 0: job_gpus"),
      number("application_days", "days", 0, 0, 3650, m + "application_days",
             "The term one application asks for (the award is cut to the call's max_days). 0: "
             "a job's duration, drawn as for a job"),
      number("price_elasticity", "1", 0, 0, 10, m + "price_elasticity",
             "Elasticity of its demand to the price it pays")
          .assumed(0.3, 1.5, "price elasticity of cloud compute demand"),
      number("max_wait_days", "days", 30, 0, 3650, m + "max_wait_days",
             "A commercial job whose pool's expected wait (its queue's GPU-hours over its GPUs) "
             "is longer is not placed: unserved demand")
          .assumed(7, 90, "users move to other providers or abroad when capacity is short"),
      number("queue_patience_days", "days", 0, 0, 3650, m + "queue_patience_days",
             "Mean time a commercial job's user waits in the queue before leaving it "
             "(exponential, drawn per job; the job counts as reneged). 0: users stay until their "
             "job starts")
          .assumed(0, 60, "queue abandonment; 0 for users with nowhere else to go"),
      number("unawarded_to_commercial", "1", 0, 0, 1, m + "unawarded_to_commercial",
             "Share of its unawarded applications that buy commercial GPU-hours instead")
          .assumed(0, 0.5, "research budgets rarely stretch to commercial prices"),
      number("unawarded_reapply", "1", 0, 0, 1, m + "unawarded_reapply",
             "Share of its unawarded applications that apply again to the next call (with the "
             "share to commercial at most 1; the rest give up)")
          .assumed(0.2, 0.8, "resubmission of rejected proposals"),
  };
  return t;
}

ParamTable allocation_call_table() {
  ParamTable t;
  t.name = "allocation_call";
  t.title = "Allocation calls";
  t.at = {"/compute/allocation_calls/*"};
  t.description =
      "A government allocation programme on the public GPUs (those of the calls' contracts).";
  const std::string m = "AllocationCallSpec::";
  t.params = {
      typed("id", ParamType::id, m + "id", "Unique id").required(),
      typed("issuer", ParamType::agent_ref, m + "issuer", "The government agent that runs it")
          .required(),
      typed("first", ParamType::date, m + "first",
            "Its first round, in [start_date, horizon] (checked by the loader)")
          .required(),
      integer("every_months", "months", 6, 1, 120, m + "every_months", "Months between rounds"),
      integer("rounds", "rounds", 1, 1, 1000, m + "rounds",
              "Rounds; those after the horizon do not happen"),
      number("capacity_share", "1", 1, 0, 1, m + "capacity_share",
             "Share of the public GPUs online and not held by earlier awards that a round offers"),
      number("max_days", "days", 180, 1, 3650, m + "max_days",
             "Longest award; longer applications are cut to it"),
      number("price_krw_per_gpu_hour", "KRW", 0, 0, inf, m + "price_krw_per_gpu_hour",
             "What awarded users pay per GPU-hour (0: free)"),
      boolean("redistribute_unused", true, m + "redistribute_unused",
              "GPUs an undersubscribed group leaves go to the groups that asked for more, in "
              "proportion to their shares"),
      boolean("awards_hold_gpus", false, m + "awards_hold_gpus",
              "An award holds its GPUs for the days it gives, whatever their speed (a "
              "reservation); false: it is work measured on H100-class GPUs and ends sooner on "
              "faster ones"),
      nested("shares", ParamType::array, "allocation_share", m + "shares",
             "Each group's share of a round's GPUs; groups listed once, shares sum to at most 1")
          .required(),
  };
  return t;
}

ParamTable allocation_share_table() {
  ParamTable t;
  t.name = "allocation_share";
  t.title = "Allocation shares";
  t.at = {"/compute/allocation_calls/*/shares/*"};
  t.description = "A user group's share of an allocation call.";
  const std::string m = "AllocationShareSpec::";
  t.params = {
      typed("group", ParamType::id, m + "group", "A user group in /compute/user_groups").required(),
      number("share", "1", 0, 0, 1, m + "share", "Its share of each round's GPUs").required(),
  };
  return t;
}

ParamTable history_table() {
  ParamTable t;
  t.name = "historical_round";
  t.title = "History";
  t.at = {"/history/*"};
  t.description = "The observed outcome of one round of a call.";
  const std::string m = "HistoricalRound::";
  t.params = {
      typed("call", ParamType::call_ref, m + "call",
            "The id of a call in /calls (checked by the loader)")
          .required(),
      integer("round", "rounds", 1, 1, 1000, m + "round",
              "Which round of the call, the first being 1")
          .required(),
      choice("outcome", names(historical_outcome_names), m + "outcome", "How the round ended")
          .required(),
      make("bids", ParamType::integer, "bids", 0, 0, 10000, m + "bids",
           "Bids received; a run reproduces the round only with exactly as many")
          .shown("not compared"),
      typed("winner_kind", ParamType::agent_kind, m + "winner_kind",
            "Agent kind of the single winning lead; a run reproduces the round only with one "
            "winner of that kind",
            "not compared"),
      typed("source", ParamType::text, m + "source",
            "Where the fact comes from (press articles, official notices)", "\"\""),
  };
  return t;
}

}  // namespace

const ParamTable& agent_parameter_table() {
  static const ParamTable table = agent_table();
  return table;
}

const std::vector<const ParamTable*>& parameter_tables() {
  static const std::vector<ParamTable> owned = {scenario_table(),
                                                valuation_table(),
                                                assumptions_table(),
                                                beliefs_table(),
                                                capabilities_table(),
                                                relationship_table(),
                                                call_table(),
                                                schedule_table(),
                                                object_table(),
                                                terms_table(),
                                                buy_back_table(),
                                                policy_loan_table(),
                                                eligibility_table(),
                                                evaluation_table(),
                                                technical_criteria_table(),
                                                procedure_table(),
                                                round_table(),
                                                adaptive_table(),
                                                event_table(),
                                                history_table(),
                                                grid_table(),
                                                grid_node_table(),
                                                grid_line_table(),
                                                grid_upgrade_table(),
                                                site_table(),
                                                fleet_table(),
                                                vendor_table(),
                                                gpu_generation_table(),
                                                programme_table(),
                                                programme_target_table(),
                                                fleet_instruments_table(),
                                                compute_table(),
                                                user_group_table(),
                                                allocation_call_table(),
                                                allocation_share_table()};
  static const std::vector<const ParamTable*> tables = [] {
    std::vector<const ParamTable*> all;
    for (const auto& table : owned) {
      all.push_back(&table);
      // The agent kinds' table sits after the market's, in documentation order.
      if (table.name == "beliefs") all.push_back(&agent_parameter_table());
    }
    return all;
  }();
  return tables;
}

const ParamTable& parameter_table(std::string_view name) {
  for (const ParamTable* table : parameter_tables())
    if (table->name == name) return *table;
  throw ModelError("no parameter table named " + std::string(name));
}

const ParamSpec* ParamTable::find(std::string_view key) const {
  for (const auto& spec : params)
    if (spec.key == key) return &spec;
  return nullptr;
}

const ParamSpec& ParamTable::at_key(std::string_view key) const {
  if (const ParamSpec* spec = find(key)) return *spec;
  throw ModelError("parameter table " + name + " has no key " + std::string(key));
}

}  // namespace tenderlab
