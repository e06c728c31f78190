#include "tenderlab/engine/scenario_loader.hpp"

#include <algorithm>
#include <cmath>
#include <functional>
#include <limits>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <tuple>
#include <type_traits>
#include <variant>

#include "tenderlab/engine/json_reader.hpp"
#include "tenderlab/engine/parameters.hpp"

namespace tenderlab {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

// Each object is read through its parameter table (engine/src/parameters.cpp): the table gives
// every key's type, range and default; a binding says which member stores a numeric or boolean
// key. Keys outside the table are unknown keys.
template <class Owner>
using Member = std::variant<double Owner::*, int Owner::*, std::int64_t Owner::*, bool Owner::*>;

template <class Owner>
struct Binding {
  const char* key;
  Member<Owner> member;
};

std::int64_t integer_bound(double bound) {
  if (bound >= 9.2e18) return std::numeric_limits<std::int64_t>::max();
  if (bound <= -9.2e18) return std::numeric_limits<std::int64_t>::min();
  return static_cast<std::int64_t>(bound);
}

/// Marks every key of `table` as known to `reader`, so that finish() reports exactly the keys
/// outside the table.
void know_keys(ObjectReader& reader, const ParamTable& table) {
  for (const auto& spec : table.params)
    reader.has(spec.key);
}

/// Reads the bound keys of `table` into `owner`. A fresh object starts from the table's
/// defaults; a patch (a new_call round's terms) from the values it already holds.
template <class Owner>
void read_bound(ObjectReader& reader, const ParamTable& table, Owner& owner,
                const std::vector<Binding<Owner>>& bindings, bool fresh) {
  know_keys(reader, table);
  for (const auto& spec : table.params) {
    const bool bound = std::any_of(bindings.begin(), bindings.end(),
                                   [&](const auto& b) { return spec.key == b.key; });
    // A key with a plain default must be stored somewhere: a table row without a binding is a
    // bug, caught on the first load.
    if (spec.scalar() && spec.default_text.empty() && !bound)
      throw ModelError("parameter " + table.name + "/" + spec.key + " has no binding");
  }
  for (const auto& binding : bindings) {
    const ParamSpec& spec = table.at_key(binding.key);
    std::visit(
        [&](auto member) {
          auto& value = owner.*member;
          using Value = std::decay_t<decltype(value)>;
          if constexpr (std::is_same_v<Value, bool>) {
            if (fresh) value = spec.default_value != 0;
            value = reader.boolean(spec.key, value);
          } else if constexpr (std::is_same_v<Value, double>) {
            if (fresh) value = spec.default_value;
            value = reader.number(spec.key, value, spec.min, spec.max, spec.required);
          } else {
            if (fresh) value = static_cast<Value>(spec.default_value);
            value = static_cast<Value>(reader.integer(spec.key, value, integer_bound(spec.min),
                                                      integer_bound(spec.max), spec.required));
          }
        },
        binding.member);
  }
}

template <class Owner>
void read_table(const nlohmann::json& value, const std::string& pointer, ProblemSink& sink,
                const char* table, Owner& owner, const std::vector<Binding<Owner>>& bindings,
                bool fresh = true) {
  ObjectReader reader(value, pointer, sink);
  read_bound(reader, parameter_table(table), owner, bindings, fresh);
  reader.finish();
}

std::optional<std::size_t> read_choice(ObjectReader& reader, const ParamSpec& spec) {
  return reader.choice(spec.key, spec.choices, spec.required);
}

/// An agent kind is accepted because it is registered (agent_kinds.hpp).
std::optional<AgentKind> read_agent_kind(ObjectReader& reader, const ParamSpec& spec) {
  const std::vector<AgentKind> kinds = agent_kinds().kinds();
  std::vector<std::string> names;
  for (const auto& kind : kinds)
    names.push_back(kind.name());
  if (auto index = reader.choice(spec.key, names, spec.required)) return kinds[*index];
  return std::nullopt;
}

const std::vector<Binding<Beliefs>> belief_bindings = {
    {"demand_growth", &Beliefs::demand_growth},
    {"demand_volatility", &Beliefs::demand_volatility},
    {"utilization_base", &Beliefs::utilization_base},
    {"utilization_cap", &Beliefs::utilization_cap},
    {"gpu_hour_price_krw", &Beliefs::gpu_hour_price_krw},
    {"price_decline", &Beliefs::price_decline},
    {"power_price_krw_per_kwh", &Beliefs::power_price_krw_per_kwh},
    {"power_price_volatility", &Beliefs::power_price_volatility},
    {"belief_noise", &Beliefs::belief_noise},
};

const std::vector<Binding<Capabilities>> capability_bindings = {
    {"cloud_operations", &Capabilities::cloud_operations},
    {"sites_power", &Capabilities::sites_power},
    {"construction", &Capabilities::construction},
    {"academia", &Capabilities::academia},
    {"local_government", &Capabilities::local_government},
    {"chips", &Capabilities::chips},
};

const std::vector<Binding<AgentSpec>> agent_bindings = {
    {"capital_bn_krw", &AgentSpec::capital_bn_krw},
    {"risk_aversion", &AgentSpec::risk_aversion},
    {"bid_cost_bn_krw", &AgentSpec::bid_cost_bn_krw},
    {"strategic_value_bn_krw", &AgentSpec::strategic_value_bn_krw},
    {"max_commitment", &AgentSpec::max_commitment},
    {"control_aversion", &AgentSpec::control_aversion},
    {"npu_penalty", &AgentSpec::npu_penalty},
    {"remote_demand_discount", &AgentSpec::remote_demand_discount},
    {"gpus", &AgentSpec::gpus},
    {"budget_disclosed", &AgentSpec::budget_disclosed},
};

const std::vector<Binding<ProjectAssumptions>> assumption_bindings = {
    {"om_share_of_capex", &ProjectAssumptions::om_share_of_capex},
    {"idle_power_share", &ProjectAssumptions::idle_power_share},
    {"market_debt_rate", &ProjectAssumptions::market_debt_rate},
    {"debt_years", &ProjectAssumptions::debt_years},
    {"risk_free_rate", &ProjectAssumptions::risk_free_rate},
    {"corporate_tax_rate", &ProjectAssumptions::corporate_tax_rate},
    {"loss_carry_forward_years", &ProjectAssumptions::loss_carry_forward_years},
    {"loss_offset_cap", &ProjectAssumptions::loss_offset_cap},
    {"credit_carry_forward_years", &ProjectAssumptions::credit_carry_forward_years},
    {"minimum_tax_rate", &ProjectAssumptions::minimum_tax_rate},
    {"gpu_depreciation_years", &ProjectAssumptions::gpu_depreciation_years},
    {"building_depreciation_years", &ProjectAssumptions::building_depreciation_years},
    {"dscr_covenant", &ProjectAssumptions::dscr_covenant},
    {"max_leverage", &ProjectAssumptions::max_leverage},
    {"debt_service_reserve_years", &ProjectAssumptions::debt_service_reserve_years},
    {"sponsor_support_share", &ProjectAssumptions::sponsor_support_share},
    {"lender_npu_penalty", &ProjectAssumptions::lender_npu_penalty},
    {"lender_remote_demand_discount", &ProjectAssumptions::lender_remote_demand_discount},
    {"lender_pricing_iterations", &ProjectAssumptions::lender_pricing_iterations},
    {"contingent_liability_quantile", &ProjectAssumptions::contingent_liability_quantile},
    {"building_residual_share", &ProjectAssumptions::building_residual_share},
    {"gpu_residual_share", &ProjectAssumptions::gpu_residual_share},
    {"price_noise", &ProjectAssumptions::price_noise},
    {"price_decline_before_operations", &ProjectAssumptions::price_decline_before_operations},
    {"delay_probability", &ProjectAssumptions::delay_probability},
    {"capital_site_delay_factor", &ProjectAssumptions::capital_site_delay_factor},
    {"delay_damages_share", &ProjectAssumptions::delay_damages_share},
    {"npu_integration_cost_bn_krw", &ProjectAssumptions::npu_integration_cost_bn_krw},
    {"non_capital_power_discount", &ProjectAssumptions::non_capital_power_discount},
    {"score_temperature", &ProjectAssumptions::score_temperature},
    {"capital_shadow_price", &ProjectAssumptions::capital_shadow_price},
    {"construction_build_saving", &ProjectAssumptions::construction_build_saving},
    {"local_government_build_saving", &ProjectAssumptions::local_government_build_saving},
    {"secured_power_delay_relief", &ProjectAssumptions::secured_power_delay_relief},
    {"chip_capability_npu_relief", &ProjectAssumptions::chip_capability_npu_relief},
    {"operations_utilization_base", &ProjectAssumptions::operations_utilization_base},
    {"operations_utilization_slope", &ProjectAssumptions::operations_utilization_slope},
    {"control_threshold", &ProjectAssumptions::control_threshold},
    {"cloud_provider_threshold", &ProjectAssumptions::cloud_provider_threshold},
    {"lead_equity_weight", &ProjectAssumptions::lead_equity_weight},
    {"supply_integration_cost", &ProjectAssumptions::supply_integration_cost},
    {"supply_integration_base", &ProjectAssumptions::supply_integration_base},
    {"supply_price_noise", &ProjectAssumptions::supply_price_noise},
    {"supply_cost_truncation", &ProjectAssumptions::supply_cost_truncation},
    {"gpu_lead_time_days", &ProjectAssumptions::gpu_lead_time_days},
    {"delay_days", &ProjectAssumptions::delay_days},
    {"max_formation_rounds", &ProjectAssumptions::max_formation_rounds},
    {"max_enumerated_teams", &ProjectAssumptions::max_enumerated_teams},
};

const std::vector<Binding<CallObject>> object_bindings = {
    {"gpus", &CallObject::gpus},
    {"gpu_price_bn_krw", &CallObject::gpu_price_bn_krw},
    {"kw_per_gpu", &CallObject::kw_per_gpu},
    {"pue", &CallObject::pue},
    {"build_cost_bn_krw_per_mw", &CallObject::build_cost_bn_krw_per_mw},
    {"public_use_share", &CallObject::public_use_share},
    {"public_use_discount", &CallObject::public_use_discount},
    {"years", &CallObject::years},
    {"build_years", &CallObject::build_years},
};

const std::vector<Binding<Terms>> terms_bindings = {
    {"public_equity_share", &Terms::public_equity_share},
    {"paid_in_capital_bn_krw", &Terms::paid_in_capital_bn_krw},
    {"paid_in_years", &Terms::paid_in_years},
    {"public_preferred", &Terms::public_preferred},
    {"loss_bearing", &Terms::loss_bearing},
    {"damages_waiver", &Terms::damages_waiver},
    {"domestic_chip_share", &Terms::domestic_chip_share},
    {"tax_credit", &Terms::tax_credit},
    {"multi_csp_bonus", &Terms::multi_csp_bonus},
};
const std::vector<Binding<BuyBack>> buy_back_bindings = {
    {"enabled", &BuyBack::enabled},
    {"return_rate", &BuyBack::return_rate},
};
const std::vector<Binding<PolicyLoan>> policy_loan_bindings = {
    {"share_of_capex", &PolicyLoan::share_of_capex},
    {"rate", &PolicyLoan::rate},
    {"years", &PolicyLoan::years},
};
const std::vector<Binding<Eligibility>> eligibility_bindings = {
    {"min_sites_power", &Eligibility::min_sites_power},
    {"min_cloud_operations", &Eligibility::min_cloud_operations},
    {"min_grid_mw", &Eligibility::min_grid_mw},
};
const std::vector<Binding<Evaluation>> evaluation_bindings = {
    {"technical_weight", &Evaluation::technical_weight},
    {"price_weight", &Evaluation::price_weight},
    {"pass_mark", &Evaluation::pass_mark},
};
const std::vector<Binding<TechnicalCriteria>> criteria_bindings = {
    {"cloud_operations", &TechnicalCriteria::cloud_operations},
    {"sites_power", &TechnicalCriteria::sites_power},
    {"construction", &TechnicalCriteria::construction},
    {"academia", &TechnicalCriteria::academia},
    {"local_government", &TechnicalCriteria::local_government},
    {"chips", &TechnicalCriteria::chips},
};
const std::vector<Binding<Procedure>> procedure_bindings = {
    {"min_valid_bids", &Procedure::min_valid_bids},
    {"negotiate_after_failed_reannouncement", &Procedure::negotiate_after_failed_reannouncement},
    {"contract_days", &Procedure::contract_days},
};
const std::vector<Binding<RoundSpec>> round_bindings = {
    {"min_valid_bids", &RoundSpec::min_valid_bids},
};
const std::vector<Binding<AdaptiveRevision>> adaptive_bindings = {
    {"enabled", &AdaptiveRevision::enabled},
    {"max_rounds", &AdaptiveRevision::max_rounds},
    {"gap_days", &AdaptiveRevision::gap_days},
    {"bid_window_days", &AdaptiveRevision::bid_window_days},
    {"max_public_money_bn_krw", &AdaptiveRevision::max_public_money_bn_krw},
    {"equity_step", &AdaptiveRevision::equity_step},
    {"chip_share_step", &AdaptiveRevision::chip_share_step},
    {"ceiling_price_factor", &AdaptiveRevision::ceiling_price_factor},
    {"tax_credit_step", &AdaptiveRevision::tax_credit_step},
    {"max_tax_credit", &AdaptiveRevision::max_tax_credit},
};
const std::vector<Binding<Schedule>> schedule_bindings = {
    {"evaluation_days", &Schedule::evaluation_days},
};
const std::vector<Binding<Relationship>> relationship_bindings = {
    {"strength", &Relationship::strength},
};
const std::vector<Binding<ExogenousEvent>> event_bindings = {
    {"multiplier", &ExogenousEvent::multiplier},
};
const std::vector<Binding<HistoricalRound>> history_bindings = {
    {"round", &HistoricalRound::round},
};
const std::vector<Binding<Scenario>> scenario_bindings = {};
const std::vector<Binding<GridSpec>> grid_bindings = {
    {"review_days", &GridSpec::review_days},
    {"reinforce", &GridSpec::reinforce},
    {"reinforcement_days", &GridSpec::reinforcement_days},
};
const std::vector<Binding<GridNodeSpec>> grid_node_bindings = {
    {"capital_region", &GridNodeSpec::capital_region},
    {"supply_mw", &GridNodeSpec::supply_mw},
    {"load_mw", &GridNodeSpec::load_mw},
    {"other_applications_mw_per_year", &GridNodeSpec::other_applications_mw_per_year},
};
const std::vector<Binding<GridLineSpec>> grid_line_bindings = {
    {"capacity_mw", &GridLineSpec::capacity_mw},
};
const std::vector<Binding<GridUpgradeSpec>> grid_upgrade_bindings = {
    {"mw", &GridUpgradeSpec::mw},
};
const std::vector<Binding<FleetSpec>> fleet_bindings = {
    {"demand_gpu_hours_per_year", &FleetSpec::demand_gpu_hours_per_year},
    {"max_capital_share_per_quarter", &FleetSpec::max_capital_share_per_quarter},
    {"hurdle_rate", &FleetSpec::hurdle_rate},
    {"risk_aversion", &FleetSpec::risk_aversion},
    {"step_gpus", &FleetSpec::step_gpus},
    {"pue", &FleetSpec::pue},
    {"build_cost_bn_krw_per_mw", &FleetSpec::build_cost_bn_krw_per_mw},
};
const std::vector<Binding<VendorSpec>> vendor_bindings = {
    {"lead_time_days", &VendorSpec::lead_time_days},
    {"quarterly_capacity", &VendorSpec::quarterly_capacity},
    {"buyer_cap_per_quarter", &VendorSpec::buyer_cap_per_quarter},
};
const std::vector<Binding<GpuGenerationSpec>> generation_bindings = {
    {"launch_price_bn_krw", &GpuGenerationSpec::launch_price_bn_krw},
    {"price_decline", &GpuGenerationSpec::price_decline},
    {"price_floor_share", &GpuGenerationSpec::price_floor_share},
    {"performance", &GpuGenerationSpec::performance},
    {"kw_per_gpu", &GpuGenerationSpec::kw_per_gpu},
};
const std::vector<Binding<ProgrammeTarget>> target_bindings = {
    {"gpus", &ProgrammeTarget::gpus},
};
const std::vector<Binding<FleetInstruments>> instrument_bindings = {
    {"investment_tax_credit", &FleetInstruments::investment_tax_credit},
    {"non_capital_tariff_discount", &FleetInstruments::non_capital_tariff_discount},
    {"anchor_gpu_hours_per_year", &FleetInstruments::anchor_gpu_hours_per_year},
    {"anchor_price_krw", &FleetInstruments::anchor_price_krw},
    {"anchor_years", &FleetInstruments::anchor_years},
};
const std::vector<Binding<ComputeSpec>> compute_bindings = {
    {"pod_gpus", &ComputeSpec::pod_gpus},
    {"max_gpus_per_pool", &ComputeSpec::max_gpus_per_pool},
    {"demand_learning_weight", &ComputeSpec::demand_learning_weight},
    {"customer_job_gpus", &ComputeSpec::customer_job_gpus},
    {"customer_job_days", &ComputeSpec::customer_job_days},
    {"customer_max_wait_days", &ComputeSpec::customer_max_wait_days},
    {"customer_queue_patience_days", &ComputeSpec::customer_queue_patience_days},
    {"backfill_depth", &ComputeSpec::backfill_depth},
    {"walltime_factor", &ComputeSpec::walltime_factor},
    {"walltime_spread", &ComputeSpec::walltime_spread},
};
const std::vector<Binding<UserGroupSpec>> user_group_bindings = {
    {"jobs_per_month", &UserGroupSpec::jobs_per_month},
    {"growth_per_year", &UserGroupSpec::growth_per_year},
    {"job_gpus", &UserGroupSpec::job_gpus},
    {"job_days", &UserGroupSpec::job_days},
    {"allocation_share", &UserGroupSpec::allocation_share},
    {"application_gpus", &UserGroupSpec::application_gpus},
    {"application_days", &UserGroupSpec::application_days},
    {"price_elasticity", &UserGroupSpec::price_elasticity},
    {"max_wait_days", &UserGroupSpec::max_wait_days},
    {"queue_patience_days", &UserGroupSpec::queue_patience_days},
    {"unawarded_to_commercial", &UserGroupSpec::unawarded_to_commercial},
    {"unawarded_reapply", &UserGroupSpec::unawarded_reapply},
};
const std::vector<Binding<AllocationCallSpec>> allocation_call_bindings = {
    {"every_months", &AllocationCallSpec::every_months},
    {"rounds", &AllocationCallSpec::rounds},
    {"capacity_share", &AllocationCallSpec::capacity_share},
    {"max_days", &AllocationCallSpec::max_days},
    {"price_krw_per_gpu_hour", &AllocationCallSpec::price_krw_per_gpu_hour},
    {"redistribute_unused", &AllocationCallSpec::redistribute_unused},
    {"awards_hold_gpus", &AllocationCallSpec::awards_hold_gpus},
};
const std::vector<Binding<AllocationShareSpec>> allocation_share_bindings = {
    {"share", &AllocationShareSpec::share},
};
const std::vector<Binding<SiteSpec>> site_bindings = {
    {"max_mw", &SiteSpec::max_mw},
    {"build_days", &SiteSpec::build_days},
};
const std::vector<Binding<ValuationSettings>> valuation_bindings = {
    {"paths", &ValuationSettings::paths},
    {"antithetic_paths", &ValuationSettings::antithetic_paths},
    {"shapley_exact_clauses", &ValuationSettings::shapley_exact_clauses},
    {"shapley_permutations", &ValuationSettings::shapley_permutations},
};

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

/// An identifier under `key` (an id, or a reference to one that the cross-checks resolve).
std::string read_identifier(ObjectReader& reader, ProblemSink& sink, const std::string& key,
                            bool required = true) {
  std::string id = reader.string(key, "", required);
  if (reader.has(key) && reader.get(key)->is_string() && !valid_id(id))
    sink.add(reader.pointer_of(key), "an id of 1 to 64 characters from a-z, 0-9, '-', '_' and '.'",
             describe_json(*reader.get(key)));
  return id;
}

std::string read_id(ObjectReader& reader, ProblemSink& sink) {
  return read_identifier(reader, sink, "id");
}

/// /grid, with its nodes, lines and upgrades; `dates_ok` is cleared when an upgrade's date is
/// missing or malformed (the range check then skips the upgrades).
GridSpec read_grid(const nlohmann::json& value, ProblemSink& sink, bool& dates_ok) {
  GridSpec grid;
  ObjectReader reader(value, "/grid", sink);
  grid.operator_id = reader.string("operator", "", true);
  read_bound(reader, parameter_table("grid"), grid, grid_bindings, true);
  reader.array(
      "nodes",
      [&](const nlohmann::json& item, const std::string& pointer) {
        GridNodeSpec node;
        ObjectReader r(item, pointer, sink);
        node.id = read_id(r, sink);
        node.region = read_identifier(r, sink, "region");
        read_bound(r, parameter_table("grid_node"), node, grid_node_bindings, true);
        r.finish();
        grid.nodes.push_back(node);
      },
      true);
  reader.array("lines", [&](const nlohmann::json& item, const std::string& pointer) {
    GridLineSpec line;
    ObjectReader r(item, pointer, sink);
    line.from = read_identifier(r, sink, "from");
    line.to = read_identifier(r, sink, "to");
    read_bound(r, parameter_table("grid_line"), line, grid_line_bindings, true);
    r.finish();
    grid.lines.push_back(line);
  });
  reader.array("upgrades", [&](const nlohmann::json& item, const std::string& pointer) {
    GridUpgradeSpec upgrade;
    ObjectReader r(item, pointer, sink);
    if (auto d = r.date("date", true))
      upgrade.date = *d;
    else
      dates_ok = false;
    upgrade.node = read_identifier(r, sink, "node");
    upgrade.to = read_identifier(r, sink, "to", false);
    read_bound(r, parameter_table("grid_upgrade"), upgrade, grid_upgrade_bindings, true);
    r.finish();
    grid.upgrades.push_back(upgrade);
  });
  reader.finish();
  return grid;
}

VendorSpec read_vendor(const nlohmann::json& value, const std::string& pointer, ProblemSink& sink) {
  VendorSpec vendor;
  ObjectReader reader(value, pointer, sink);
  vendor.agent = reader.string("agent", "", true);
  read_bound(reader, parameter_table("vendor"), vendor, vendor_bindings, true);
  reader.array(
      "generations",
      [&](const nlohmann::json& item, const std::string& item_pointer) {
        GpuGenerationSpec generation;
        ObjectReader r(item, item_pointer, sink);
        generation.id = read_id(r, sink);
        if (auto d = r.date("available", true)) generation.available = *d;
        read_bound(r, parameter_table("gpu_generation"), generation, generation_bindings, true);
        r.finish();
        vendor.generations.push_back(generation);
      },
      true);
  reader.finish();
  return vendor;
}

ProgrammeSpec read_programme(const nlohmann::json& value, ProblemSink& sink) {
  ProgrammeSpec programme;
  ObjectReader reader(value, "/programme", sink);
  know_keys(reader, parameter_table("programme"));
  const ParamTable& target_table = parameter_table("programme_target");
  reader.array("targets", [&](const nlohmann::json& item, const std::string& pointer) {
    ProgrammeTarget target;
    ObjectReader r(item, pointer, sink);
    target.id = read_id(r, sink);
    read_bound(r, target_table, target, target_bindings, true);
    if (auto scope = r.choice("scope", target_table.at_key("scope").choices, false))
      target.scope = static_cast<TargetScope>(*scope);
    if (auto d = r.date("by", true)) target.by = *d;
    r.finish();
    programme.targets.push_back(target);
  });
  if (const auto* instruments = reader.get("fleet_instruments"))
    read_table(*instruments, "/programme/fleet_instruments", sink, "fleet_instruments",
               programme.fleet_instruments, instrument_bindings);
  reader.finish();
  return programme;
}

/// The vendors', fleets', events' and targets' cross references: vendors are agents of kind
/// gpu_vendor listed once, generation ids unique within a vendor, fleets only for kinds that
/// supply capacity, events naming vendors and generations that exist.
void check_supply(
    const Scenario& scenario,
    const std::function<const AgentSpec*(const std::string&, const std::string&)>& agent_ref,
    ProblemSink& sink) {
  std::map<std::string, std::size_t> vendors;
  for (std::size_t v = 0; v < scenario.vendors.size(); ++v) {
    const VendorSpec& vendor = scenario.vendors[v];
    const std::string base = pointer_append("/vendors", v);
    if (const AgentSpec* agent = agent_ref(base + "/agent", vendor.agent);
        agent && agent->kind.valid() && std::string(agent->kind.name()) != "gpu_vendor")
      sink.add(base + "/agent", "the id of an agent of kind gpu_vendor",
               describe_json(vendor.agent) + " (a " + to_string(agent->kind) + ")");
    if (!vendor.agent.empty() && !vendors.emplace(vendor.agent, v).second)
      sink.add(base + "/agent", "a vendor not listed before in /vendors",
               describe_json(vendor.agent));
    std::set<std::string> ids;
    for (std::size_t g = 0; g < vendor.generations.size(); ++g)
      if (!ids.insert(vendor.generations[g].id).second)
        sink.add(pointer_append(base + "/generations", g) + "/id",
                 "a generation id not used before by this vendor",
                 describe_json(vendor.generations[g].id));
  }
  for (std::size_t e = 0; e < scenario.events.size(); ++e) {
    const ExogenousEvent& event = scenario.events[e];
    const std::string base = pointer_append("/events", e);
    if (!event.vendor.empty() && !vendors.count(event.vendor))
      sink.add(base + "/vendor", "the agent id of a vendor in /vendors",
               describe_json(event.vendor));
    if (event.generation.empty()) continue;
    if (event.kind != ShockKind::export_control)
      sink.add(base + "/generation", "no generation (only export_control names one)",
               describe_json(event.generation));
    const bool sold = std::any_of(
        scenario.vendors.begin(), scenario.vendors.end(), [&](const VendorSpec& vendor) {
          return (event.vendor.empty() || vendor.agent == event.vendor) &&
                 std::any_of(vendor.generations.begin(), vendor.generations.end(),
                             [&](const GpuGenerationSpec& g) { return g.id == event.generation; });
        });
    if (!sold)
      sink.add(base + "/generation", "the id of a generation a vendor in /vendors sells",
               describe_json(event.generation));
  }
  for (std::size_t a = 0; a < scenario.agents.size(); ++a) {
    const AgentSpec& agent = scenario.agents[a];
    if (agent.fleet && agent.kind.valid() && !agent.kind.may(Role::lead, CallKind::procurement))
      sink.add(pointer_append("/agents", a) + "/fleet",
               "no fleet for a " + std::string(to_string(agent.kind)) +
                   " (only kinds that supply capacity in procurement calls run fleets)",
               "a fleet");
  }
  std::set<std::string> targets;
  for (std::size_t t = 0; t < scenario.programme.targets.size(); ++t) {
    const std::string& id = scenario.programme.targets[t].id;
    if (!id.empty() && !targets.insert(id).second)
      sink.add(pointer_append("/programme/targets", t) + "/id", "an id not used by another target",
               describe_json(id));
  }
}

/// /compute, with its user groups and allocation calls; `dates_ok` is cleared when a call's first
/// date could not be read.
ComputeSpec read_compute(const nlohmann::json& value, ProblemSink& sink, bool& dates_ok) {
  ComputeSpec compute;
  ObjectReader reader(value, "/compute", sink);
  read_bound(reader, parameter_table("compute"), compute, compute_bindings, true);
  const ParamTable& group_table = parameter_table("user_group");
  reader.array("user_groups", [&](const nlohmann::json& item, const std::string& pointer) {
    UserGroupSpec group;
    ObjectReader r(item, pointer, sink);
    group.id = read_id(r, sink);
    if (auto kind = read_choice(r, group_table.at_key("kind")))
      group.kind = static_cast<UserGroupKind>(*kind);
    read_bound(r, group_table, group, user_group_bindings, true);
    r.finish();
    compute.user_groups.push_back(group);
  });
  reader.array("allocation_calls", [&](const nlohmann::json& item, const std::string& pointer) {
    AllocationCallSpec call;
    ObjectReader r(item, pointer, sink);
    call.id = read_id(r, sink);
    call.issuer = r.string("issuer", "", true);
    if (auto first = r.date("first", true))
      call.first = *first;
    else
      dates_ok = false;
    read_bound(r, parameter_table("allocation_call"), call, allocation_call_bindings, true);
    r.array(
        "shares",
        [&](const nlohmann::json& share_item, const std::string& share_pointer) {
          AllocationShareSpec share;
          ObjectReader sr(share_item, share_pointer, sink);
          share.group = read_identifier(sr, sink, "group");
          read_bound(sr, parameter_table("allocation_share"), share, allocation_share_bindings,
                     true);
          sr.finish();
          call.shares.push_back(share);
        },
        true);
    r.finish();
    compute.allocation_calls.push_back(call);
  });
  reader.finish();
  return compute;
}

/// Compute use's cross references: unique ids, jobs that fit a pod, issuers that issue calls,
/// shares of groups that exist, listed once and summing to at most 1, dates in the span, and
/// vendors whose generations the pods can run.
void check_compute(
    const Scenario& scenario, bool dates_ok,
    const std::function<const AgentSpec*(const std::string&, const std::string&)>& agent_ref,
    ProblemSink& sink) {
  if (!scenario.compute) return;
  const ComputeSpec& compute = *scenario.compute;
  if (scenario.vendors.empty())
    sink.add("/compute", "a scenario with /vendors (the pods run the vendors' generations)",
             "no vendors");
  if (compute.customer_job_gpus > compute.pod_gpus)
    sink.add("/compute/customer_job_gpus",
             "at most /compute/pod_gpus (" + std::to_string(compute.pod_gpus) + ")",
             std::to_string(compute.customer_job_gpus));
  std::map<std::string, std::size_t> groups;
  for (std::size_t g = 0; g < compute.user_groups.size(); ++g) {
    const UserGroupSpec& group = compute.user_groups[g];
    const std::string base = pointer_append("/compute/user_groups", g);
    if (!group.id.empty() && !groups.emplace(group.id, g).second)
      sink.add(base + "/id", "an id not used by another user group", describe_json(group.id));
    if (group.job_gpus > compute.pod_gpus)
      sink.add(base + "/job_gpus",
               "at most /compute/pod_gpus (" + std::to_string(compute.pod_gpus) + ")",
               std::to_string(group.job_gpus));
    if (group.application_gpus > compute.pod_gpus)
      sink.add(base + "/application_gpus",
               "at most /compute/pod_gpus (" + std::to_string(compute.pod_gpus) + ")",
               std::to_string(group.application_gpus));
    if (group.unawarded_to_commercial + group.unawarded_reapply > 1 + 1e-9)
      sink.add(base + "/unawarded_reapply", "at most 1 - unawarded_to_commercial",
               std::to_string(group.unawarded_reapply));
  }
  std::set<std::string> call_ids;
  for (std::size_t c = 0; c < compute.allocation_calls.size(); ++c) {
    const AllocationCallSpec& call = compute.allocation_calls[c];
    const std::string base = pointer_append("/compute/allocation_calls", c);
    if (!call.id.empty() && !call_ids.insert(call.id).second)
      sink.add(base + "/id", "an id not used by another allocation call", describe_json(call.id));
    if (const AgentSpec* issuer = agent_ref(base + "/issuer", call.issuer);
        issuer && issuer->kind.valid()) {
      bool issues = false;
      for (std::size_t kind = 0; kind < call_kind_names.size(); ++kind)
        issues = issues || issuer->kind.may(Role::issue, static_cast<CallKind>(kind));
      if (!issues)
        sink.add(base + "/issuer", "the id of an agent whose kind issues calls",
                 describe_json(call.issuer) + " (a " + to_string(issuer->kind) + ")");
    }
    if (dates_ok && (call.first < scenario.start || scenario.horizon < call.first))
      sink.add(base + "/first",
               "a date between start_date " + scenario.start.iso() + " and horizon " +
                   scenario.horizon.iso(),
               call.first.iso());
    std::set<std::string> named;
    double total = 0;
    for (std::size_t s = 0; s < call.shares.size(); ++s) {
      const AllocationShareSpec& share = call.shares[s];
      const std::string pointer = pointer_append(base + "/shares", s) + "/group";
      if (!share.group.empty() && !groups.count(share.group))
        sink.add(pointer, "the id of a user group in /compute/user_groups",
                 describe_json(share.group) + " (no such group)");
      if (!share.group.empty() && !named.insert(share.group).second)
        sink.add(pointer, "a group not listed before in this call's shares",
                 describe_json(share.group));
      total += share.share;
    }
    if (total > 1 + 1e-9)
      sink.add(base + "/shares", "shares summing to at most 1", std::to_string(total));
  }
  // An SPC call's commercial GPUs are a pool named after the call, beside `public` and the
  // fleet owners' pools.
  for (std::size_t c = 0; c < scenario.calls.size(); ++c) {
    const CallSpec& call = scenario.calls[c];
    if (call.kind != CallKind::spc_partner || call.id.empty()) continue;
    const AgentSpec* agent = scenario.find_agent(call.id);
    if (call.id == "public" || (agent && agent->fleet))
      sink.add(pointer_append("/calls", c) + "/id",
               "with /compute, an SPC call id that names no other pool (not `public`, not a "
               "fleet owner's id)",
               describe_json(call.id));
  }
}

SiteSpec read_site(const nlohmann::json& value, const std::string& pointer, ProblemSink& sink) {
  SiteSpec site;
  ObjectReader reader(value, pointer, sink);
  site.id = read_id(reader, sink);
  site.node = read_identifier(reader, sink, "node");
  site.owner = reader.string("owner", "");
  const ParamTable& table = parameter_table("site");
  read_bound(reader, table, site, site_bindings, true);
  for (auto [key, member] : {std::pair{"pue", &SiteSpec::pue},
                             std::pair{"power_price_factor", &SiteSpec::power_price_factor}}) {
    const ParamSpec& spec = table.at_key(key);
    if (reader.has(key)) site.*member = reader.optional_number(key, spec.min, spec.max);
  }
  reader.finish();
  return site;
}

/// The grid's and the sites' cross references: unique ids, nodes and agents that exist, the
/// operator's kind, upgrades on existing lines within the simulated span.
void check_grid(
    const Scenario& scenario, const nlohmann::json& document, bool upgrade_dates_ok,
    const std::function<const AgentSpec*(const std::string&, const std::string&)>& agent_ref,
    ProblemSink& sink) {
  if (!scenario.grid) {
    if (!scenario.sites.empty())
      sink.add("/sites", "no sites without a /grid to connect them to",
               std::to_string(scenario.sites.size()) + " sites");
    return;
  }
  const GridSpec& grid = *scenario.grid;
  if (const AgentSpec* op = agent_ref("/grid/operator", grid.operator_id);
      op && op->kind.valid() && std::string(op->kind.name()) != "grid_operator")
    sink.add("/grid/operator", "the id of an agent of kind grid_operator",
             describe_json(grid.operator_id) + " (a " + to_string(op->kind) + ")");
  std::map<std::string, std::size_t> nodes;
  for (std::size_t i = 0; i < grid.nodes.size(); ++i) {
    const std::string& id = grid.nodes[i].id;
    if (id.empty()) continue;
    auto [it, inserted] = nodes.emplace(id, i);
    if (!inserted)
      sink.add(pointer_append("/grid/nodes", i) + "/id",
               "an id not used by another node (already used at /grid/nodes/" +
                   std::to_string(it->second) + ")",
               describe_json(id));
  }
  auto node_ref = [&](const std::string& pointer, const std::string& id) {
    if (id.empty() || !document.contains(nlohmann::json::json_pointer(pointer))) return;
    if (!nodes.count(id))
      sink.add(pointer, "the id of a node in /grid/nodes", describe_json(id) + " (no such node)");
  };
  std::set<std::pair<std::string, std::string>> joined;
  for (std::size_t i = 0; i < grid.lines.size(); ++i) {
    const GridLineSpec& line = grid.lines[i];
    const std::string base = pointer_append("/grid/lines", i);
    node_ref(base + "/from", line.from);
    node_ref(base + "/to", line.to);
    if (!line.from.empty() && line.from == line.to)
      sink.add(base + "/to", "a node other than /from", describe_json(line.to));
    joined.insert(std::minmax(line.from, line.to));
  }
  for (std::size_t i = 0; i < grid.upgrades.size(); ++i) {
    const GridUpgradeSpec& upgrade = grid.upgrades[i];
    const std::string base = pointer_append("/grid/upgrades", i);
    node_ref(base + "/node", upgrade.node);
    node_ref(base + "/to", upgrade.to);
    if (!upgrade.to.empty() && !joined.count(std::minmax(upgrade.node, upgrade.to)))
      sink.add(base + "/to", "a node joined to /node by a line in /grid/lines",
               describe_json(upgrade.to));
    if (upgrade_dates_ok && (upgrade.date < scenario.start || scenario.horizon < upgrade.date))
      sink.add(base + "/date",
               "a date in [" + scenario.start.iso() + ", " + scenario.horizon.iso() + "]",
               upgrade.date.iso());
  }
  std::set<std::string> site_ids;
  for (std::size_t i = 0; i < scenario.sites.size(); ++i) {
    const SiteSpec& site = scenario.sites[i];
    const std::string base = pointer_append("/sites", i);
    if (!site.id.empty() && !site_ids.insert(site.id).second)
      sink.add(base + "/id", "an id not used by another site", describe_json(site.id));
    node_ref(base + "/node", site.node);
    if (document.contains(nlohmann::json::json_pointer(base + "/owner")))
      agent_ref(base + "/owner", site.owner);
  }
}

Beliefs read_beliefs(const nlohmann::json& value, const std::string& pointer, ProblemSink& sink) {
  Beliefs beliefs;
  read_table(value, pointer, sink, "beliefs", beliefs, belief_bindings);
  return beliefs;
}

AgentSpec read_agent(const nlohmann::json& value, const std::string& pointer, ProblemSink& sink) {
  const ParamTable& table = agent_parameter_table();
  AgentSpec agent;
  ObjectReader reader(value, pointer, sink);
  agent.id = read_id(reader, sink);
  if (auto kind = read_agent_kind(reader, table.at_key("kind"))) agent.kind = *kind;
  agent.name = reader.string("name", agent.id);
  read_bound(reader, table, agent, agent_bindings, true);
  if (const auto* caps = reader.get("capabilities"))
    read_table(*caps, reader.pointer_of("capabilities"), sink, "capabilities", agent.capabilities,
               capability_bindings);
  if (const auto* beliefs = reader.get("beliefs"))
    agent.beliefs = read_beliefs(*beliefs, reader.pointer_of("beliefs"), sink);
  if (const auto* fleet = reader.get("fleet")) {
    agent.fleet = FleetSpec{};
    read_table(*fleet, reader.pointer_of("fleet"), sink, "fleet", *agent.fleet, fleet_bindings);
  }
  if (const auto* budget = reader.get("budget_bn_krw_by_year")) {
    const std::string budget_pointer = reader.pointer_of("budget_bn_krw_by_year");
    if (!budget->is_object()) {
      sink.add(budget_pointer, "an object mapping fiscal years to amounts", describe_json(*budget));
    } else {
      for (const auto& [year, amount] : budget->items()) {
        const std::string item_pointer = pointer_append(budget_pointer, year);
        int fiscal_year = 0;
        const bool year_ok = year.size() == 4 && std::all_of(year.begin(), year.end(), [](char c) {
                               return c >= '0' && c <= '9';
                             });
        if (year_ok) fiscal_year = std::stoi(year);
        if (!year_ok)
          sink.add(item_pointer, "a four-digit fiscal year as key", "the key " + year);
        else if (!amount.is_number() || amount.get<double>() < 0)
          sink.add(item_pointer, "a number >= 0", describe_json(amount));
        else
          agent.budget_bn_krw_by_year[fiscal_year] = amount.get<double>();
      }
    }
  }
  if (auto basis = read_choice(reader, table.at_key("budget_basis")))
    agent.budget_basis = static_cast<BudgetBasis>(*basis);
  reader.finish();
  return agent;
}

/// Reads a schedule; `dates_ok` turns false when a date is missing or unreadable, so that later
/// checks do not report problems about dates that were never given.
Schedule read_schedule(const nlohmann::json& value, const std::string& pointer, ProblemSink& sink,
                       bool& dates_ok) {
  Schedule schedule;
  ObjectReader reader(value, pointer, sink);
  know_keys(reader, parameter_table("schedule"));
  const auto announce = reader.date("announce", true);
  const bool loi_given = reader.has("loi_deadline");
  schedule.loi_deadline = reader.date("loi_deadline", false);
  const auto deadline = reader.date("bid_deadline", true);
  if (announce) schedule.announce = *announce;
  if (deadline) schedule.bid_deadline = *deadline;
  read_bound(reader, parameter_table("schedule"), schedule, schedule_bindings, true);
  reader.finish();
  if (!announce || !deadline || (loi_given && !schedule.loi_deadline)) {
    dates_ok = false;
    return schedule;
  }
  if (reader.valid() && schedule.bid_deadline < schedule.announce)
    sink.add(pointer_append(pointer, "bid_deadline"),
             "a date on or after the announcement " + schedule.announce.iso(),
             schedule.bid_deadline.iso());
  if (reader.valid() && schedule.loi_deadline &&
      (*schedule.loi_deadline < schedule.announce ||
       schedule.bid_deadline < *schedule.loi_deadline))
    sink.add(pointer_append(pointer, "loi_deadline"),
             "a date between the announcement and the bid deadline", schedule.loi_deadline->iso());
  return schedule;
}

/// Reads terms: fresh (a call's first terms) from the table's defaults, or as a patch over
/// `terms` (a new_call round's), keys left out keeping their values.
Terms read_terms(const nlohmann::json& value, const std::string& pointer, ProblemSink& sink,
                 Terms terms, bool fresh) {
  const ParamTable& table = parameter_table("terms");
  ObjectReader reader(value, pointer, sink);
  read_bound(reader, table, terms, terms_bindings, fresh);
  if (fresh) {
    terms.site = SiteRule::any;
    terms.ceiling_price_bn_krw.reset();
    terms.buy_back = BuyBack{};
    terms.policy_loan = PolicyLoan{};
  }
  if (const auto* buy_back = reader.get("buy_back"))
    read_table(*buy_back, reader.pointer_of("buy_back"), sink, "buy_back", terms.buy_back,
               buy_back_bindings, fresh);
  if (auto site = read_choice(reader, table.at_key("site")))
    terms.site = static_cast<SiteRule>(*site);
  if (const auto* loan = reader.get("policy_loan"))
    read_table(*loan, reader.pointer_of("policy_loan"), sink, "policy_loan", terms.policy_loan,
               policy_loan_bindings, fresh);
  if (reader.has("ceiling_price_bn_krw")) {
    const ParamSpec& ceiling = table.at_key("ceiling_price_bn_krw");
    terms.ceiling_price_bn_krw =
        reader.optional_number("ceiling_price_bn_krw", ceiling.min, ceiling.max);
  }
  reader.finish();
  return terms;
}

CallSpec read_call(const nlohmann::json& value, const std::string& pointer, ProblemSink& sink,
                   bool& dates_ok) {
  const ParamTable& table = parameter_table("call");
  CallSpec call;
  ObjectReader reader(value, pointer, sink);
  call.id = read_id(reader, sink);
  if (auto kind = read_choice(reader, table.at_key("kind")))
    call.kind = static_cast<CallKind>(*kind);
  call.title = reader.string("title", call.id);
  call.issuer = reader.string("issuer", "", true);
  read_bound(reader, table, call, {{"winners", &CallSpec::winners}}, true);
  if (const auto* schedule = reader.get("schedule"))
    call.schedule = read_schedule(*schedule, reader.pointer_of("schedule"), sink, dates_ok);
  else if (reader.valid())
    sink.add(reader.pointer_of("schedule"), "an object", "nothing (missing)");
  if (!reader.get("schedule")) dates_ok = false;
  if (const auto* object = reader.get("object")) {
    read_table(*object, reader.pointer_of("object"), sink, "call_object", call.object,
               object_bindings);
  } else if (reader.valid()) {
    sink.add(reader.pointer_of("object"), "an object", "nothing (missing)");
  }
  if (const auto* terms = reader.get("terms"))
    call.terms = read_terms(*terms, reader.pointer_of("terms"), sink, Terms{}, true);
  if (const auto* eligibility = reader.get("eligibility"))
    read_table(*eligibility, reader.pointer_of("eligibility"), sink, "eligibility",
               call.eligibility, eligibility_bindings);
  if (const auto* evaluation = reader.get("evaluation")) {
    const std::size_t problems_before = sink.count();
    ObjectReader ev(*evaluation, reader.pointer_of("evaluation"), sink);
    read_bound(ev, parameter_table("evaluation"), call.evaluation, evaluation_bindings, true);
    if (const auto* criteria = ev.get("technical_criteria"))
      read_table(*criteria, ev.pointer_of("technical_criteria"), sink, "technical_criteria",
                 call.evaluation.criteria, criteria_bindings);
    ev.finish();
    const double sum = call.evaluation.technical_weight + call.evaluation.price_weight;
    // Only weights that were both read cleanly are checked together.
    if (ev.valid() && sink.count() == problems_before && (sum < 1 - 1e-9 || sum > 1 + 1e-9))
      sink.add(ev.pointer_of("price_weight"), "weights that add up to 1",
               "technical + price = " + nlohmann::json(sum).dump());
  }
  if (const auto* procedure = reader.get("procedure")) {
    const std::string proc_pointer = reader.pointer_of("procedure");
    ObjectReader pr(*procedure, proc_pointer, sink);
    read_bound(pr, parameter_table("procedure"), call.procedure, procedure_bindings, true);
    Terms previous = call.terms;
    const ParamTable& round_table = parameter_table("round");
    pr.array("rounds", [&](const nlohmann::json& item, const std::string& item_pointer) {
      RoundSpec round;
      ObjectReader rr(item, item_pointer, sink);
      if (auto kind = read_choice(rr, round_table.at_key("kind")))
        round.kind = static_cast<FailureAction>(*kind);
      if (const auto* schedule = rr.get("schedule")) {
        round.schedule = read_schedule(*schedule, rr.pointer_of("schedule"), sink, dates_ok);
      } else if (rr.valid() && round.kind != FailureAction::cancel) {
        sink.add(rr.pointer_of("schedule"), "an object", "nothing (missing)");
        dates_ok = false;
      }
      read_bound(rr, round_table, round, round_bindings, true);
      if (const auto* terms = rr.get("terms")) {
        if (round.kind != FailureAction::new_call)
          sink.add(rr.pointer_of("terms"), "no terms (only a new_call changes the terms)",
                   "an object");
        round.terms = read_terms(*terms, rr.pointer_of("terms"), sink, previous, false);
        previous = *round.terms;
      }
      rr.finish();
      call.procedure.rounds.push_back(round);
    });
    pr.finish();
  }
  if (const auto* adaptive = reader.get("adaptive_revision")) {
    ObjectReader ad(*adaptive, reader.pointer_of("adaptive_revision"), sink);
    read_bound(ad, parameter_table("adaptive_revision"), call.adaptive, adaptive_bindings, true);
    ad.finish();
    if (call.adaptive.enabled && !call.procedure.rounds.empty())
      sink.add(ad.pointer(), "either scripted rounds in /procedure/rounds or an adaptive rule",
               "both");
  }
  reader.finish();
  return call;
}

void check_dates_in_range(const Scenario& scenario, const std::vector<bool>& call_dates_ok,
                          ProblemSink& sink) {
  auto check = [&](const std::string& pointer, Date date) {
    if (date < scenario.start || scenario.horizon < date)
      sink.add(pointer,
               "a date between start_date " + scenario.start.iso() + " and horizon " +
                   scenario.horizon.iso(),
               date.iso());
  };
  for (std::size_t c = 0; c < scenario.calls.size(); ++c) {
    if (!call_dates_ok[c]) continue;
    const auto& call = scenario.calls[c];
    const std::string base = pointer_append("/calls", c);
    check(base + "/schedule/announce", call.schedule.announce);
    check(base + "/schedule/bid_deadline", call.schedule.bid_deadline);
    Date previous = call.schedule.bid_deadline;
    for (std::size_t r = 0; r < call.procedure.rounds.size(); ++r) {
      const auto& round = call.procedure.rounds[r];
      if (round.kind == FailureAction::cancel) continue;
      const std::string round_pointer = base + "/procedure/rounds/" + std::to_string(r);
      check(round_pointer + "/schedule/bid_deadline", round.schedule.bid_deadline);
      if (!(previous < round.schedule.announce))
        sink.add(round_pointer + "/schedule/announce",
                 "a date after the previous round's bid deadline " + previous.iso(),
                 round.schedule.announce.iso());
      previous = round.schedule.bid_deadline;
    }
  }
  for (std::size_t e = 0; e < scenario.events.size(); ++e)
    check(pointer_append("/events", e) + "/date", scenario.events[e].date);
}

}  // namespace

Scenario scenario_from_json(const nlohmann::json& document, const std::string& origin) {
  ProblemSink sink(origin);
  Scenario scenario;
  ObjectReader root(document, "", sink);
  const ParamTable& root_table = parameter_table("scenario");
  know_keys(root, root_table);
  {
    const std::string format = root.string("format", scenario_format);
    if (format != scenario_format)
      sink.add("/format", std::string("\"") + scenario_format + "\"", describe_json(format));
  }
  scenario.name = root.string("name", "", true);
  // The name becomes the output folder runs/<name>: it must stay one plain folder name there.
  if (const auto* name = root.get("name");
      name && name->is_string() && !is_safe_name(scenario.name))
    sink.add("/name", std::string(safe_name_expected) + " (it names the output folder runs/<name>)",
             describe_json(*name));
  scenario.description = root.string("description", "");
  const auto start = root.date("start_date", true);
  const auto horizon = root.date("horizon", true);
  if (start) scenario.start = *start;
  if (horizon) scenario.horizon = *horizon;
  const bool span_ok = start && horizon;
  if (span_ok && !(scenario.start < scenario.horizon))
    sink.add("/horizon", "a date after start_date " + scenario.start.iso(), scenario.horizon.iso());
  {
    const ParamSpec& seed = root_table.at_key("seed");
    scenario.seed =
        static_cast<std::uint64_t>(root.integer("seed", integer_bound(seed.default_value),
                                                integer_bound(seed.min), integer_bound(seed.max)));
  }
  if (const auto* market = root.get("market"))
    scenario.market = read_beliefs(*market, "/market", sink);
  if (const auto* valuation = root.get("valuation"))
    read_table(*valuation, "/valuation", sink, "valuation", scenario.valuation, valuation_bindings);
  if (const auto* assumptions = root.get("assumptions"))
    read_table(*assumptions, "/assumptions", sink, "assumptions", scenario.assumptions,
               assumption_bindings);
  root.array(
      "agents",
      [&](const nlohmann::json& item, const std::string& pointer) {
        scenario.agents.push_back(read_agent(item, pointer, sink));
      },
      true);
  root.array("relationships", [&](const nlohmann::json& item, const std::string& pointer) {
    Relationship relationship;
    ObjectReader reader(item, pointer, sink);
    relationship.from = reader.string("from", "", true);
    relationship.to = reader.string("to", "", true);
    read_bound(reader, parameter_table("relationship"), relationship, relationship_bindings, true);
    reader.finish();
    scenario.relationships.push_back(relationship);
  });
  std::vector<bool> call_dates_ok;
  root.array("calls", [&](const nlohmann::json& item, const std::string& pointer) {
    bool dates_ok = true;
    scenario.calls.push_back(read_call(item, pointer, sink, dates_ok));
    call_dates_ok.push_back(dates_ok);
  });
  bool event_dates_ok = true;
  const ParamTable& event_table = parameter_table("event");
  root.array("events", [&](const nlohmann::json& item, const std::string& pointer) {
    ExogenousEvent event;
    ObjectReader reader(item, pointer, sink);
    if (auto d = reader.date("date", true))
      event.date = *d;
    else
      event_dates_ok = false;
    if (auto kind = read_choice(reader, event_table.at_key("kind")))
      event.kind = static_cast<ShockKind>(*kind);
    read_bound(reader, event_table, event, event_bindings, true);
    event.description = reader.string("description", "");
    event.vendor = reader.string("vendor", "");
    event.generation = read_identifier(reader, sink, "generation", false);
    reader.finish();
    scenario.events.push_back(event);
  });
  const ParamTable& history_table = parameter_table("historical_round");
  root.array("history", [&](const nlohmann::json& item, const std::string& pointer) {
    HistoricalRound target;
    ObjectReader reader(item, pointer, sink);
    target.call = reader.string("call", "", true);
    read_bound(reader, history_table, target, history_bindings, true);
    const ParamSpec& outcome_spec = history_table.at_key("outcome");
    if (auto outcome = read_choice(reader, outcome_spec))
      target.outcome = outcome_spec.choices[*outcome];
    if (reader.has("bids")) {
      const ParamSpec& bids = history_table.at_key("bids");
      target.bids = static_cast<int>(
          reader.integer("bids", 0, integer_bound(bids.min), integer_bound(bids.max)));
    }
    target.winner_kind = read_agent_kind(reader, history_table.at_key("winner_kind"));
    target.source = reader.string("source", "");
    reader.finish();
    scenario.history.push_back(target);
  });
  bool upgrade_dates_ok = true;
  if (const auto* grid = root.get("grid")) scenario.grid = read_grid(*grid, sink, upgrade_dates_ok);
  root.array("sites", [&](const nlohmann::json& item, const std::string& pointer) {
    scenario.sites.push_back(read_site(item, pointer, sink));
  });
  root.array("vendors", [&](const nlohmann::json& item, const std::string& pointer) {
    scenario.vendors.push_back(read_vendor(item, pointer, sink));
  });
  if (const auto* programme = root.get("programme"))
    scenario.programme = read_programme(*programme, sink);
  bool compute_dates_ok = true;
  if (const auto* compute = root.get("compute"))
    scenario.compute = read_compute(*compute, sink, compute_dates_ok);
  root.finish();

  // Cross references: unique ids, references that resolve.
  std::map<std::string, std::size_t> agent_index;
  for (std::size_t i = 0; i < scenario.agents.size(); ++i) {
    const auto& id = scenario.agents[i].id;
    if (id.empty()) continue;
    auto [it, inserted] = agent_index.emplace(id, i);
    if (!inserted)
      sink.add(pointer_append("/agents", i) + "/id",
               "an id not used by another agent (already used at /agents/" +
                   std::to_string(it->second) + ")",
               describe_json(id));
  }
  auto agent_ref = [&](const std::string& pointer, const std::string& id) -> const AgentSpec* {
    // A missing key was reported where it was read; an empty string given on purpose is not.
    if (id.empty()) {
      if (document.contains(nlohmann::json::json_pointer(pointer)))
        sink.add(pointer, "the id of an agent in /agents", "an empty string");
      return nullptr;
    }
    auto it = agent_index.find(id);
    if (it == agent_index.end()) {
      sink.add(pointer, "the id of an agent in /agents", describe_json(id) + " (no such agent)");
      return nullptr;
    }
    return &scenario.agents[it->second];
  };
  for (std::size_t i = 0; i < scenario.relationships.size(); ++i) {
    const auto& rel = scenario.relationships[i];
    const std::string base = pointer_append("/relationships", i);
    agent_ref(base + "/from", rel.from);
    agent_ref(base + "/to", rel.to);
    if (!rel.from.empty() && rel.from == rel.to)
      sink.add(base + "/to", "an agent other than /from", describe_json(rel.to));
  }
  std::set<std::string> call_ids;
  for (std::size_t c = 0; c < scenario.calls.size(); ++c) {
    const auto& call = scenario.calls[c];
    const std::string base = pointer_append("/calls", c);
    if (!call.id.empty() && !call_ids.insert(call.id).second)
      sink.add(base + "/id", "an id not used by another call", describe_json(call.id));
    if (const auto* issuer = agent_ref(base + "/issuer", call.issuer);
        issuer && issuer->kind.valid() && !issuer->kind.may(Role::issue, call.kind)) {
      std::string issuers;
      for (const auto& name : agent_kinds().names_with(Role::issue, call.kind))
        issuers += (issuers.empty() ? "" : ", ") + name;
      sink.add(base + "/issuer",
               std::string("the id of an agent whose kind issues ") + to_string(call.kind) +
                   " calls (" + (issuers.empty() ? "none is registered" : issuers) + ")",
               describe_json(call.issuer) + " (a " + to_string(issuer->kind) + ")");
    }
  }
  for (std::size_t h = 0; h < scenario.history.size(); ++h)
    if (!call_ids.count(scenario.history[h].call) &&
        document.contains(nlohmann::json::json_pointer(pointer_append("/history", h) + "/call")))
      sink.add(pointer_append("/history", h) + "/call", "the id of a call in /calls",
               describe_json(scenario.history[h].call) + " (no such call)");
  if (root.valid() && span_ok && event_dates_ok)
    check_dates_in_range(scenario, call_dates_ok, sink);
  check_grid(scenario, document, root.valid() && span_ok && upgrade_dates_ok, agent_ref, sink);
  check_supply(scenario, agent_ref, sink);
  check_compute(scenario, root.valid() && span_ok && compute_dates_ok, agent_ref, sink);
  if (!sink.empty()) throw ScenarioError(sink.take());
  std::stable_sort(scenario.events.begin(), scenario.events.end(),
                   [](const auto& a, const auto& b) { return a.date < b.date; });
  if (scenario.grid)
    // Upgrades of one day go into service in the order of their nodes, not of the file.
    std::sort(scenario.grid->upgrades.begin(), scenario.grid->upgrades.end(),
              [](const auto& a, const auto& b) {
                return std::tie(a.date, a.node, a.to, a.mw) < std::tie(b.date, b.node, b.to, b.mw);
              });
  scenario.index_agents();
  return scenario;
}

Scenario load_scenario(const std::filesystem::path& path) {
  const nlohmann::json document = read_scenario_document(path);
  return scenario_from_json(document, path.string());
}

namespace {

/// An RFC 6901 array index token: digits without a leading zero (and not absurdly long).
std::optional<std::size_t> array_index(const std::string& token) {
  constexpr std::size_t most_digits = 9;
  if (token.empty() || token.size() > most_digits ||
      token.find_first_not_of("0123456789") != std::string::npos ||
      (token.size() > 1 && token.front() == '0'))
    return std::nullopt;
  std::size_t index = 0;
  for (const char digit : token)
    index = index * 10 + static_cast<std::size_t>(digit - '0');
  return index;
}

/// The tokens of a pointer, first to last; empty for "" and nullopt for a malformed pointer.
std::optional<std::vector<std::string>> pointer_tokens(const std::string& pointer) {
  try {
    std::vector<std::string> tokens;
    for (nlohmann::json::json_pointer p(pointer); !p.empty(); p = p.parent_pointer())
      tokens.insert(tokens.begin(), p.back());
    return tokens;
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
}

/// The element `token` of `container`, or null when there is none.
nlohmann::json* child_of(nlohmann::json& container, const std::string& token) {
  if (container.is_object()) {
    const auto it = container.find(token);
    return it == container.end() ? nullptr : &*it;
  }
  if (container.is_array()) {
    const auto index = array_index(token);
    return index && *index < container.size() ? &container[*index] : nullptr;
  }
  return nullptr;
}

/// Why `pointer` addresses nothing settable in `document`: the longest prefix that exists and
/// what is there.
std::string unsettable(const nlohmann::json& document, const std::string& pointer) {
  const auto tokens = pointer_tokens(pointer);
  if (!tokens || tokens->empty()) return "a malformed JSON Pointer";
  const nlohmann::json* at = &document;
  std::string reached;
  const auto where = [&reached] { return reached.empty() ? std::string("the document") : reached; };
  for (std::size_t i = 0; i < tokens->size(); ++i) {
    const std::string& token = (*tokens)[i];
    const bool last = i + 1 == tokens->size();
    if (at->is_array()) {
      const auto index = array_index(token);
      if (!index || *index >= at->size())
        return "no element " + token + " in " + where() + " (an array of " +
               std::to_string(at->size()) + ")";
      if (last) break;
      at = &(*at)[*index];
    } else if (at->is_object()) {
      if (last) break;
      const auto it = at->find(token);
      if (it == at->end()) return "nothing at " + pointer_append(reached, token);
      at = &*it;
    } else {
      return where() + " is " + describe_json(*at) + ", which holds nothing";
    }
    reached = pointer_append(reached, token);
  }
  return "a pointer that cannot be set";
}

nlohmann::json resolve_variant(const nlohmann::json& document, const std::filesystem::path& path,
                               std::vector<std::filesystem::path>& chain);

nlohmann::json read_variant(const std::filesystem::path& path,
                            std::vector<std::filesystem::path>& chain) {
  return resolve_variant(read_json_file(path), path, chain);
}

nlohmann::json resolve_variant(const nlohmann::json& document, const std::filesystem::path& path,
                               std::vector<std::filesystem::path>& chain) {
  if (!document.is_object() || !document.contains("extends")) {
    if (document.is_object() && document.contains("set"))
      throw InputError(
          {InputProblem{path.string(), "/set", "\"set\" only in a variant, beside \"extends\"",
                        "\"set\" without \"extends\""}});
    return document;
  }
  const nlohmann::json& extends = document.at("extends");
  if (!extends.is_string() || extends.get<std::string>().empty())
    throw InputError({InputProblem{path.string(), "/extends",
                                   "the path of the scenario this variant starts from (a string, "
                                   "relative to the variant's folder)",
                                   describe_json(extends)}});
  std::filesystem::path parent = extends.get<std::string>();
  if (parent.is_relative()) parent = path.parent_path() / parent;
  parent = parent.lexically_normal();
  std::error_code code;
  const std::filesystem::path identity = std::filesystem::weakly_canonical(parent, code);
  for (const auto& seen : chain)
    if (seen == (code ? parent : identity)) {
      std::string cycle;
      for (const auto& file : chain)
        cycle += file.string() + " -> ";
      throw InputError(
          {InputProblem{path.string(), "/extends", "a chain of extends that ends in a scenario",
                        "a cycle: " + cycle + parent.string()}});
    }
  chain.push_back(code ? parent : identity);
  nlohmann::json resolved;
  try {
    resolved = read_variant(parent, chain);
  } catch (const InputError& error) {
    // Named from the variant, so a missing parent reads as the variant's problem.
    std::vector<InputProblem> problems = error.problems();
    const auto& first = problems.front();
    if (first.pointer.empty() && first.file == parent.string())
      problems.insert(problems.begin(),
                      InputProblem{path.string(), "/extends", "a scenario file it extends",
                                   describe_json(extends) + ", which cannot be read"});
    throw InputError(std::move(problems));
  }
  chain.pop_back();
  if (!resolved.is_object())
    throw InputError(
        {InputProblem{parent.string(), "", "a scenario (an object)", describe_json(resolved)}});
  for (const auto& [key, value] : document.items())
    if (key != "extends" && key != "set") resolved[key] = value;
  if (const auto set = document.find("set"); set != document.end()) {
    if (!set->is_object())
      throw InputError(
          {InputProblem{path.string(), "/set", "an object: JSON Pointer -> the value to set there",
                        describe_json(*set)}});
    std::vector<ScenarioChange> changes;
    for (const auto& [pointer, value] : set->items())
      changes.push_back({pointer, value});
    apply_scenario_changes(resolved, changes, path.string() + ": /set", parent.string());
  }
  return resolved;
}

}  // namespace

bool set_json_pointer(nlohmann::json& document, const std::string& pointer,
                      const nlohmann::json& value) {
  const auto tokens = pointer_tokens(pointer);
  if (!tokens || tokens->empty()) return false;
  nlohmann::json* container = &document;
  for (std::size_t i = 0; i + 1 < tokens->size(); ++i) {
    container = child_of(*container, (*tokens)[i]);
    if (!container) return false;
  }
  const std::string& last = tokens->back();
  if (container->is_array()) {
    const auto index = array_index(last);
    if (!index || *index >= container->size()) return false;
    (*container)[*index] = value;
  } else if (container->is_object()) {
    (*container)[last] = value;
  } else {
    return false;
  }
  return true;
}

void apply_scenario_changes(nlohmann::json& document, const std::vector<ScenarioChange>& changes,
                            const std::string& origin, const std::string& scenario) {
  for (const auto& change : changes) {
    if (set_json_pointer(document, change.pointer, change.value)) continue;
    throw InputError({InputProblem{origin, change.pointer,
                                   "a JSON Pointer whose parent exists in " + scenario +
                                       " (an array index must name an "
                                       "existing element)",
                                   unsettable(document, change.pointer)}});
  }
}

ScenarioChange parse_scenario_change(const std::string& text, const std::string& origin) {
  const auto equals = text.find('=');
  if (equals == std::string::npos || text.empty() || text.front() != '/')
    throw InputError({InputProblem{
        origin, "", "POINTER=VALUE, such as /calls/0/terms/tax_credit=0.2", describe_json(text)}});
  ScenarioChange change{text.substr(0, equals), nullptr};
  if (!pointer_tokens(change.pointer))
    throw InputError({InputProblem{origin, "", "a JSON Pointer before '=' (RFC 6901)",
                                   describe_json(change.pointer)}});
  const std::string value = text.substr(equals + 1);
  // JSON when it reads as JSON (0.3, true, null, "x", [1, 2], {...}); anything else is a string,
  // so --set /name=my-variant needs no quotes.
  change.value = nlohmann::json::parse(value, nullptr, false);
  if (change.value.is_discarded()) change.value = value;
  return change;
}

nlohmann::json read_scenario_document(const std::filesystem::path& path) {
  return resolve_scenario_document(read_json_file(path), path);
}

nlohmann::json resolve_scenario_document(const nlohmann::json& document,
                                         const std::filesystem::path& path) {
  std::error_code code;
  const std::filesystem::path identity = std::filesystem::weakly_canonical(path, code);
  std::vector<std::filesystem::path> chain{code ? path.lexically_normal() : identity};
  return resolve_variant(document, path, chain);
}

}  // namespace tenderlab
