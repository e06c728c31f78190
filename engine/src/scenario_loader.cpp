#include "tenderlab/engine/scenario_loader.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <set>
#include <sstream>

#include "tenderlab/engine/json_reader.hpp"

namespace tenderlab {
namespace {

constexpr double inf = std::numeric_limits<double>::infinity();

template <class Owner>
struct NumberField {
  const char* name;
  double Owner::*field;
  double min;
  double max;
  const char* unit;
  const char* meaning;
};

const std::vector<NumberField<AgentSpec>>& agent_fields() {
  static const std::vector<NumberField<AgentSpec>> fields = {
      {"capital_bn_krw", &AgentSpec::capital_bn_krw, 0, inf, "bn KRW",
       "equity the agent can commit to new projects"},
      {"hurdle_rate", &AgentSpec::hurdle_rate, 0, 1, "1/yr", "discount rate of its valuations"},
      {"risk_aversion", &AgentSpec::risk_aversion, 0, 100, "1",
       "relative risk aversion; absolute = risk_aversion / capital"},
      {"bid_cost_bn_krw", &AgentSpec::bid_cost_bn_krw, 0, inf, "bn KRW",
       "cost of preparing one bid, sunk whether it wins or not"},
      {"strategic_value_bn_krw", &AgentSpec::strategic_value_bn_krw, -inf, inf, "bn KRW",
       "value it puts on taking part in a national project"},
      {"max_commitment", &AgentSpec::max_commitment, 0, 1, "1",
       "largest share of its capital it puts into one project"},
      {"control_aversion", &AgentSpec::control_aversion, 0, 1, "1",
       "share of its equity value lost when the state holds the majority"},
      {"npu_penalty", &AgentSpec::npu_penalty, 0, 1, "1",
       "revenue lost per unit of compute on mandated domestic chips"},
      {"remote_demand_discount", &AgentSpec::remote_demand_discount, 0, 1, "1",
       "demand lost at a site outside the capital region"},
  };
  return fields;
}

const std::vector<NumberField<Capabilities>>& capability_fields() {
  static const std::vector<NumberField<Capabilities>> fields = {
      {"cloud_operations", &Capabilities::cloud_operations, 0, 1, "1",
       "runs GPU clouds and has customers"},
      {"sites_power", &Capabilities::sites_power, 0, 1, "1",
       "owns data-centre sites and secured grid power"},
      {"construction", &Capabilities::construction, 0, 1, "1", "builds data centres"},
      {"academia", &Capabilities::academia, 0, 1, "1", "research users and talent"},
      {"local_government", &Capabilities::local_government, 0, 1, "1",
       "land, permits and support at a non-capital site"},
      {"chips", &Capabilities::chips, 0, 1, "1", "supplies domestic AI chips (NPUs)"},
  };
  return fields;
}

const std::vector<NumberField<Beliefs>>& belief_fields() {
  static const std::vector<NumberField<Beliefs>> fields = {
      {"demand_growth", &Beliefs::demand_growth, -1, 5, "1/yr",
       "expected yearly growth of demand for GPU time"},
      {"demand_volatility", &Beliefs::demand_volatility, 0, 5, "1/sqrt(yr)",
       "yearly volatility of log demand"},
      {"utilization_base", &Beliefs::utilization_base, 0, 1, "1",
       "utilisation in the first operating year at zero growth"},
      {"utilization_cap", &Beliefs::utilization_cap, 0, 1, "1", "highest sustainable utilisation"},
      {"gpu_hour_price_krw", &Beliefs::gpu_hour_price_krw, 0, inf, "KRW/GPU-hour",
       "price of one GPU-hour in the first operating year"},
      {"price_decline", &Beliefs::price_decline, 0, 1, "1/yr",
       "yearly fall of the GPU-hour price through obsolescence"},
      {"power_price_krw_per_kwh", &Beliefs::power_price_krw_per_kwh, 0, inf, "KRW/kWh",
       "industrial electricity tariff"},
      {"power_price_volatility", &Beliefs::power_price_volatility, 0, 5, "1/sqrt(yr)",
       "yearly volatility of the log power price"},
      {"belief_noise", &Beliefs::belief_noise, 0, 5, "1/yr",
       "sd of a per-replication private signal added to demand_growth"},
  };
  return fields;
}

const std::vector<NumberField<CallObject>>& object_fields() {
  static const std::vector<NumberField<CallObject>> fields = {
      {"gpu_price_bn_krw", &CallObject::gpu_price_bn_krw, 0, inf, "bn KRW/GPU",
       "all-in price of one GPU (1 억원 = 0.1)"},
      {"kw_per_gpu", &CallObject::kw_per_gpu, 0, 100, "kW", "all-in IT power per GPU"},
      {"pue", &CallObject::pue, 1, 5, "1", "power usage effectiveness of the site"},
      {"build_cost_bn_krw_per_mw", &CallObject::build_cost_bn_krw_per_mw, 0, inf, "bn KRW/MW",
       "data-centre building and facilities per MW of IT load"},
      {"public_use_share", &CallObject::public_use_share, 0, 1, "1",
       "share of capacity reserved for public users"},
      {"public_use_discount", &CallObject::public_use_discount, 0, 1, "1",
       "price discount on the reserved share"},
  };
  return fields;
}

template <class Owner>
void read_numbers(ObjectReader& reader, Owner& owner,
                  const std::vector<NumberField<Owner>>& fields) {
  for (const auto& f : fields)
    owner.*(f.field) = reader.number(f.name, owner.*(f.field), f.min, f.max);
}

/// The names of an enum, as the reader's list of choices.
template <std::size_t N>
std::vector<std::string> choices(const std::array<std::string_view, N>& names) {
  return {names.begin(), names.end()};
}

const std::vector<std::string> site_names = choices(site_rule_names);
const std::vector<std::string> round_kind_names = choices(failure_action_names);

/// An agent kind is accepted because it is registered (agent_kinds.hpp).
std::optional<AgentKind> read_agent_kind(ObjectReader& reader, const std::string& key,
                                         bool required) {
  const std::vector<AgentKind> kinds = agent_kinds().kinds();
  std::vector<std::string> names;
  for (const auto& kind : kinds)
    names.push_back(kind.name());
  if (auto index = reader.choice(key, names, required)) return kinds[*index];
  return std::nullopt;
}

bool valid_id(const std::string& id) {
  if (id.empty() || id.size() > 64) return false;
  return std::all_of(id.begin(), id.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.';
  });
}

std::string read_id(ObjectReader& reader, ProblemSink& sink) {
  std::string id = reader.string("id", "", true);
  if (reader.has("id") && reader.get("id")->is_string() && !valid_id(id))
    sink.add(reader.pointer_of("id"), "an id of 1 to 64 characters from a-z, 0-9, '-', '_' and '.'",
             describe_json(*reader.get("id")));
  return id;
}

Beliefs read_beliefs(const nlohmann::json& value, const std::string& pointer, ProblemSink& sink,
                     Beliefs base) {
  ObjectReader reader(value, pointer, sink);
  read_numbers(reader, base, belief_fields());
  reader.finish();
  return base;
}

AgentSpec read_agent(const nlohmann::json& value, const std::string& pointer, ProblemSink& sink) {
  AgentSpec agent;
  ObjectReader reader(value, pointer, sink);
  agent.id = read_id(reader, sink);
  if (auto kind = read_agent_kind(reader, "kind", true)) agent.kind = *kind;
  agent.name = reader.string("name", agent.id);
  read_numbers(reader, agent, agent_fields());
  agent.gpus = reader.integer("gpus", 0, 0, 100'000'000);
  if (const auto* caps = reader.get("capabilities")) {
    ObjectReader caps_reader(*caps, reader.pointer_of("capabilities"), sink);
    read_numbers(caps_reader, agent.capabilities, capability_fields());
    caps_reader.finish();
  }
  if (const auto* beliefs = reader.get("beliefs"))
    agent.beliefs = read_beliefs(*beliefs, reader.pointer_of("beliefs"), sink, Beliefs{});
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
  reader.finish();
  return agent;
}

/// Reads a schedule; `dates_ok` turns false when a date is missing or unreadable, so that later
/// checks do not report problems about dates that were never given.
Schedule read_schedule(const nlohmann::json& value, const std::string& pointer, ProblemSink& sink,
                       bool& dates_ok) {
  Schedule schedule;
  ObjectReader reader(value, pointer, sink);
  const auto announce = reader.date("announce", true);
  const bool loi_given = reader.has("loi_deadline");
  schedule.loi_deadline = reader.date("loi_deadline", false);
  const auto deadline = reader.date("bid_deadline", true);
  if (announce) schedule.announce = *announce;
  if (deadline) schedule.bid_deadline = *deadline;
  if (!announce || !deadline || (loi_given && !schedule.loi_deadline)) {
    dates_ok = false;
    reader.integer("evaluation_days", 30, 0, 3650);
    reader.finish();
    return schedule;
  }
  schedule.evaluation_days = static_cast<int>(reader.integer("evaluation_days", 30, 0, 3650));
  reader.finish();
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

Terms read_terms(const nlohmann::json& value, const std::string& pointer, ProblemSink& sink,
                 Terms terms) {
  ObjectReader reader(value, pointer, sink);
  terms.public_equity_share =
      reader.number("public_equity_share", terms.public_equity_share, 0, 0.99);
  terms.paid_in_capital_bn_krw =
      reader.number("paid_in_capital_bn_krw", terms.paid_in_capital_bn_krw, 0, inf);
  terms.paid_in_years =
      static_cast<int>(reader.integer("paid_in_years", terms.paid_in_years, 1, 30));
  if (const auto* buy_back = reader.get("buy_back")) {
    ObjectReader bb(*buy_back, reader.pointer_of("buy_back"), sink);
    terms.buy_back.enabled = bb.boolean("enabled", terms.buy_back.enabled);
    terms.buy_back.return_rate = bb.number("return_rate", terms.buy_back.return_rate, 0, 1);
    bb.finish();
  }
  terms.public_preferred = reader.boolean("public_preferred", terms.public_preferred);
  terms.loss_bearing = reader.boolean("loss_bearing", terms.loss_bearing);
  terms.damages_waiver = reader.boolean("damages_waiver", terms.damages_waiver);
  terms.domestic_chip_share = reader.number("domestic_chip_share", terms.domestic_chip_share, 0, 1);
  if (auto site = reader.choice("site", site_names, false))
    terms.site = static_cast<SiteRule>(*site);
  terms.tax_credit = reader.number("tax_credit", terms.tax_credit, 0, 1);
  if (const auto* loan = reader.get("policy_loan")) {
    ObjectReader pl(*loan, reader.pointer_of("policy_loan"), sink);
    terms.policy_loan.share_of_capex =
        pl.number("share_of_capex", terms.policy_loan.share_of_capex, 0, 1);
    terms.policy_loan.rate = pl.number("rate", terms.policy_loan.rate, 0, 1);
    terms.policy_loan.years = static_cast<int>(pl.integer("years", terms.policy_loan.years, 0, 50));
    pl.finish();
  }
  if (reader.has("ceiling_price_bn_krw"))
    terms.ceiling_price_bn_krw = reader.optional_number("ceiling_price_bn_krw", 0, inf);
  terms.multi_csp_bonus = reader.number("multi_csp_bonus", terms.multi_csp_bonus, 0, 100);
  reader.finish();
  return terms;
}

CallSpec read_call(const nlohmann::json& value, const std::string& pointer, ProblemSink& sink,
                   bool& dates_ok) {
  CallSpec call;
  ObjectReader reader(value, pointer, sink);
  call.id = read_id(reader, sink);
  if (auto kind = reader.choice("kind", choices(call_kind_names), true))
    call.kind = static_cast<CallKind>(*kind);
  call.title = reader.string("title", call.id);
  call.issuer = reader.string("issuer", "", true);
  call.winners = static_cast<int>(reader.integer("winners", 1, 1, 1000));
  if (const auto* schedule = reader.get("schedule"))
    call.schedule = read_schedule(*schedule, reader.pointer_of("schedule"), sink, dates_ok);
  else if (reader.valid())
    sink.add(reader.pointer_of("schedule"), "an object", "nothing (missing)");
  if (!reader.get("schedule")) dates_ok = false;
  if (const auto* object = reader.get("object")) {
    ObjectReader obj(*object, reader.pointer_of("object"), sink);
    call.object.gpus = obj.integer("gpus", 0, 1, 100'000'000, true);
    read_numbers(obj, call.object, object_fields());
    call.object.years = static_cast<int>(obj.integer("years", call.object.years, 1, 50));
    call.object.build_years =
        static_cast<int>(obj.integer("build_years", call.object.build_years, 0, 20));
    obj.finish();
  } else if (reader.valid()) {
    sink.add(reader.pointer_of("object"), "an object", "nothing (missing)");
  }
  if (const auto* terms = reader.get("terms"))
    call.terms = read_terms(*terms, reader.pointer_of("terms"), sink, Terms{});
  if (const auto* eligibility = reader.get("eligibility")) {
    ObjectReader el(*eligibility, reader.pointer_of("eligibility"), sink);
    call.eligibility.min_mw_secured = el.number("min_sites_power", 0, 0, 1);
    call.eligibility.min_cloud_operations = el.number("min_cloud_operations", 0, 0, 1);
    el.finish();
  }
  if (const auto* evaluation = reader.get("evaluation")) {
    const std::size_t problems_before = sink.count();
    ObjectReader ev(*evaluation, reader.pointer_of("evaluation"), sink);
    call.evaluation.technical_weight = ev.number("technical_weight", 0.8, 0, 1);
    call.evaluation.price_weight = ev.number("price_weight", 0.2, 0, 1);
    call.evaluation.pass_mark = ev.number("pass_mark", 0, 0, 100);
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
    call.procedure.min_valid_bids = static_cast<int>(pr.integer("min_valid_bids", 2, 1, 100));
    call.procedure.negotiate_after_failed_reannouncement =
        pr.boolean("negotiate_after_failed_reannouncement", true);
    Terms previous = call.terms;
    pr.array("rounds", [&](const nlohmann::json& item, const std::string& item_pointer) {
      RoundSpec round;
      ObjectReader rr(item, item_pointer, sink);
      if (auto kind = rr.choice("kind", round_kind_names, true))
        round.kind = static_cast<FailureAction>(*kind);
      if (const auto* schedule = rr.get("schedule")) {
        round.schedule = read_schedule(*schedule, rr.pointer_of("schedule"), sink, dates_ok);
      } else if (rr.valid() && round.kind != FailureAction::cancel) {
        sink.add(rr.pointer_of("schedule"), "an object", "nothing (missing)");
        dates_ok = false;
      }
      round.min_valid_bids = static_cast<int>(rr.integer("min_valid_bids", 1, 1, 100));
      if (const auto* terms = rr.get("terms")) {
        if (round.kind != FailureAction::new_call)
          sink.add(rr.pointer_of("terms"), "no terms (only a new_call changes the terms)",
                   "an object");
        round.terms = read_terms(*terms, rr.pointer_of("terms"), sink, previous);
        previous = *round.terms;
      }
      rr.finish();
      call.procedure.rounds.push_back(std::move(round));
    });
    pr.finish();
  }
  if (const auto* adaptive = reader.get("adaptive_revision")) {
    ObjectReader ad(*adaptive, reader.pointer_of("adaptive_revision"), sink);
    call.adaptive.enabled = ad.boolean("enabled", true);
    call.adaptive.max_rounds = static_cast<int>(ad.integer("max_rounds", 3, 1, 50));
    call.adaptive.gap_days = static_cast<int>(ad.integer("gap_days", 90, 1, 3650));
    call.adaptive.bid_window_days = static_cast<int>(ad.integer("bid_window_days", 45, 1, 3650));
    call.adaptive.max_public_money_bn_krw = ad.number("max_public_money_bn_krw", inf, 0, inf);
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
  root.get("$schema");  // editors' hint; any value is accepted
  {
    const std::string format = root.string("format", scenario_format);
    if (format != scenario_format)
      sink.add("/format", std::string("\"") + scenario_format + "\"", describe_json(format));
  }
  scenario.name = root.string("name", "", true);
  scenario.description = root.string("description", "");
  const auto start = root.date("start_date", true);
  const auto horizon = root.date("horizon", true);
  if (start) scenario.start = *start;
  if (horizon) scenario.horizon = *horizon;
  const bool span_ok = start && horizon;
  if (span_ok && !(scenario.start < scenario.horizon))
    sink.add("/horizon", "a date after start_date " + scenario.start.iso(), scenario.horizon.iso());
  scenario.seed = static_cast<std::uint64_t>(
      root.integer("seed", 1, 0, std::numeric_limits<std::int64_t>::max()));
  if (const auto* market = root.get("market"))
    scenario.market = read_beliefs(*market, "/market", sink, Beliefs{});
  if (const auto* valuation = root.get("valuation")) {
    ObjectReader val(*valuation, "/valuation", sink);
    scenario.valuation.paths = static_cast<int>(val.integer("paths", 400, 1, 1'000'000));
    val.finish();
  }
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
    relationship.strength = reader.number("strength", 1.0, 0, 1);
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
  root.array("events", [&](const nlohmann::json& item, const std::string& pointer) {
    ExogenousEvent event;
    ObjectReader reader(item, pointer, sink);
    if (auto d = reader.date("date", true))
      event.date = *d;
    else
      event_dates_ok = false;
    if (auto kind = reader.choice("kind", choices(shock_kind_names), true))
      event.kind = static_cast<ShockKind>(*kind);
    event.multiplier = reader.number("multiplier", 1.0, 0, 1000);
    event.description = reader.string("description", "");
    reader.finish();
    scenario.events.push_back(event);
  });
  root.array("history", [&](const nlohmann::json& item, const std::string& pointer) {
    HistoricalRound target;
    ObjectReader reader(item, pointer, sink);
    target.call = reader.string("call", "", true);
    target.round = static_cast<int>(reader.integer("round", 1, 1, 1000, true));
    if (auto outcome = reader.choice("outcome", choices(historical_outcome_names), true))
      target.outcome = historical_outcome_names[*outcome];
    if (reader.has("bids")) target.bids = static_cast<int>(reader.integer("bids", 0, 0, 10000));
    target.winner_kind = read_agent_kind(reader, "winner_kind", false);
    target.source = reader.string("source", "");
    reader.finish();
    scenario.history.push_back(target);
  });
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
  if (!sink.empty()) throw ScenarioError(sink.take());
  std::stable_sort(scenario.events.begin(), scenario.events.end(),
                   [](const auto& a, const auto& b) { return a.date < b.date; });
  return scenario;
}

Scenario load_scenario(const std::filesystem::path& path) {
  const nlohmann::json document = read_json_file(path);
  return scenario_from_json(document, path.string());
}

const std::vector<ParameterInfo>& parameter_table() {
  static const std::vector<ParameterInfo> table = [] {
    std::vector<ParameterInfo> rows;
    auto fmt = [](double v) {
      std::ostringstream out;
      out << v;
      return out.str();
    };
    auto range = [&](double min, double max) {
      return (std::isinf(min) ? std::string("(-inf") : "[" + fmt(min)) + ", " +
             (std::isinf(max) ? std::string("inf)") : fmt(max) + "]");
    };
    const AgentSpec agent;
    for (const auto& f : agent_fields())
      rows.push_back({"agent", f.name, "number", f.unit, fmt(agent.*(f.field)), range(f.min, f.max),
                      f.meaning});
    const Capabilities caps;
    for (const auto& f : capability_fields())
      rows.push_back({"agent.capabilities", f.name, "number", f.unit, fmt(caps.*(f.field)),
                      range(f.min, f.max), f.meaning});
    const Beliefs beliefs;
    for (const auto& f : belief_fields())
      rows.push_back({"market / agent.beliefs", f.name, "number", f.unit, fmt(beliefs.*(f.field)),
                      range(f.min, f.max), f.meaning});
    const CallObject object;
    for (const auto& f : object_fields())
      rows.push_back({"call.object", f.name, "number", f.unit, fmt(object.*(f.field)),
                      range(f.min, f.max), f.meaning});
    return rows;
  }();
  return table;
}

}  // namespace tenderlab
