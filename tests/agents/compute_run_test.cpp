// Whole runs with compute use: a fleet's pod driven as an M/M/c queue matches Erlang C, idle pods
// draw exactly their idle power (SimGrid's host-energy plugin), utilisation is busy over capacity
// GPU-hours, a fleet's customers fill its pool, and nothing depends on the order of the file.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "run_in_child.hpp"
#include "tenderlab/agents/gpu_pool.hpp"
#include "tenderlab/engine/calendar.hpp"
#include "tenderlab/engine/event_dispatcher.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/scenario_loader.hpp"

using namespace tenderlab;
using tenderlab::test::all_of;
using tenderlab::test::parse;
using tenderlab::test::run_in_child;

namespace {

/// One fleet of 8 H100-class GPUs in one pod that never expands (no capital), and a research
/// group whose 1-GPU jobs arrive as a Poisson process with exponential durations of 1 day on
/// average: an M/M/8 queue at 6 jobs a day (load 0.75).
nlohmann::json queue_scenario() {
  return nlohmann::json::parse(R"({
    "format": "tenderlab-scenario/1",
    "name": "compute-queue",
    "start_date": "2025-01-01",
    "horizon": "2034-12-31",
    "seed": 11,
    "valuation": {"paths": 20},
    "agents": [
      {"id": "nvidia", "kind": "gpu_vendor"},
      {"id": "cloud", "kind": "cloud_provider", "capital_bn_krw": 0, "gpus": 8,
       "fleet": {"demand_gpu_hours_per_year": 0}}
    ],
    "vendors": [{"agent": "nvidia", "lead_time_days": 90, "quarterly_capacity": 1000,
                 "buyer_cap_per_quarter": 1000, "generations": [
                   {"id": "h100", "available": "2023-03-01", "launch_price_bn_krw": 0.06,
                    "price_decline": 0.1, "performance": 1, "kw_per_gpu": 1.25}]}],
    "compute": {
      "pod_gpus": 8, "max_gpus_per_pool": 8, "customer_job_gpus": 1,
      "user_groups": [
        {"id": "lab", "kind": "research_institute", "jobs_per_month": 182.625, "job_gpus": 1, "max_wait_days": 3650,
         "job_days": 1}]
    }
  })");
}

/// Years from the scenarios' start (2025-01-01) to the middle of the month starting on `from`:
/// where a month's commercial price is taken when checking what a pool sold.
double mid_month_years(const std::string& from) {
  const auto date = Date::parse(from);
  if (!date) throw std::invalid_argument("not a date: " + from);
  return (static_cast<double>(date->days - Date::from_ymd(2025, 1, 1).days) + 15.2) / 365.25;
}

/// One SPC call for 2,000 GPUs, 30 % for public users (at half price), a startup group's
/// commercial jobs and no fleet.
nlohmann::json spc_scenario() {
  return nlohmann::json::parse(R"({
    "format": "tenderlab-scenario/1",
    "name": "compute-spc",
    "start_date": "2025-01-01",
    "horizon": "2028-12-31",
    "seed": 3,
    "valuation": {"paths": 40},
    "market": {"gpu_hour_price_krw": 5000, "price_decline": 0.2},
    "agents": [
      {"id": "nvidia", "kind": "gpu_vendor"},
      {"id": "gov", "kind": "government"},
      {"id": "cloud-a", "kind": "cloud_provider", "capital_bn_krw": 5000,
       "strategic_value_bn_krw": 500,
       "capabilities": {"cloud_operations": 0.9, "sites_power": 0.8, "construction": 0.5}}
    ],
    "calls": [{
      "id": "centre", "kind": "spc_partner", "issuer": "gov",
      "schedule": {"announce": "2025-02-03", "bid_deadline": "2025-03-31"},
      "object": {"gpus": 2000, "public_use_share": 0.3, "public_use_discount": 0.5},
      "terms": {"public_equity_share": 0.3, "paid_in_capital_bn_krw": 100},
      "procedure": {"min_valid_bids": 1}
    }],
    "vendors": [{"agent": "nvidia", "lead_time_days": 90, "quarterly_capacity": 100000,
                 "buyer_cap_per_quarter": 100000, "generations": [
                   {"id": "h100", "available": "2023-03-01", "launch_price_bn_krw": 0.06,
                    "price_decline": 0.1, "performance": 1, "kw_per_gpu": 1.25}]}],
    "compute": {
      "pod_gpus": 100, "max_gpus_per_pool": 2000, "customer_job_gpus": 1,
      "user_groups": [
        {"id": "lab", "kind": "startup", "jobs_per_month": 60, "job_gpus": 50,
         "job_days": 10, "max_wait_days": 3650}]
    }
  })");
}

std::vector<Event> run(const nlohmann::json& document) {
  return parse(run_in_child(scenario_from_json(document, "compute-run.json")));
}

}  // namespace

TEST_CASE("compute run: a pod driven as an M/M/c queue matches Erlang C", "[compute]") {
  const std::vector<Event> log = run(queue_scenario());
  const auto months = all_of<events::ComputeMonth>(log);
  REQUIRE(months.size() == 120);  // ten years of months; the last ends at the horizon
  double capacity = 0, busy = 0, wait_hours = 0;
  std::int64_t started = 0;
  for (const auto& [event, m] : months) {
    REQUIRE(m.pool == "cloud");
    CHECK(m.gpus == 8);
    capacity += m.capacity_gpu_hours;
    busy += m.busy_gpu_hours;
    for (const auto& group : m.groups) {
      REQUIRE(group.group == "lab");
      wait_hours += group.wait_hours;
      started += group.jobs_started;
    }
  }
  // About 21,900 jobs over ten years (6 a day).
  CHECK(started > 20000);
  CHECK(started < 24000);
  CHECK(capacity == Approx(8.0 * 24.0 * 3652).epsilon(1e-6));
  const double lambda = 6.0, mu = 1.0;  // per day
  CHECK(busy / capacity == Approx(lambda / mu / 8).margin(0.02));
  const double expected_wait_hours = 24.0 * erlang_c_mean_wait(8, lambda, mu);
  // Waits of successive jobs are correlated: ten years give the mean to within about 8 % (one
  // standard error 2.5 %, from 40 seeds of the pure queue in gpu_pool_test).
  CHECK(wait_hours / static_cast<double>(started) == Approx(expected_wait_hours).epsilon(0.10));
}

TEST_CASE("compute run: utilisation is busy over capacity GPU-hours in every month", "[compute]") {
  const std::vector<Event> log = run(queue_scenario());
  for (const auto& [event, m] : all_of<events::ComputeMonth>(log)) {
    double group_hours = 0;
    for (const auto& group : m.groups)
      group_hours += group.gpu_hours;
    CHECK(m.busy_gpu_hours == Approx(group_hours).margin(0.05));
    CHECK(m.busy_gpu_hours <= m.capacity_gpu_hours + 1e-6);
    CHECK(m.utilization == Approx(m.busy_gpu_hours / m.capacity_gpu_hours).margin(1e-4));
  }
}

TEST_CASE("compute run: idle pods draw their idle power, by hand", "[compute]") {
  nlohmann::json document = queue_scenario();
  document["compute"]["user_groups"][0]["jobs_per_month"] = 0;
  document["horizon"] = "2025-03-31";
  document["assumptions"] = {{"idle_power_share", 0.3}};
  const std::vector<Event> log = run(document);
  const auto months = all_of<events::ComputeMonth>(log);
  REQUIRE(months.size() == 3);
  // 8 GPUs x 1.25 kW x 0.3 idle = 3 kW; January: 31 days x 24 h = 744 h -> 2.232 MWh. The
  // fleet's PUE (1.3 by default) makes the facility's 2.9016 MWh.
  CHECK(months[0].second.it_mwh == Approx(2.232).margin(1e-6));
  CHECK(months[0].second.facility_mwh == Approx(2.9016).margin(0.0005));  // to 0.001 MWh
  CHECK(months[1].second.it_mwh == Approx(3.0 * 28 * 24 / 1000).margin(1e-6));
  CHECK(months[0].second.busy_gpu_hours == 0);
}

TEST_CASE("compute run: a busy pod draws its full power, by hand", "[compute]") {
  // Jobs of all 8 GPUs that last far longer than the run: the pod is full from the first
  // arrival on. 8 x 1.25 kW = 10 kW busy, 3 kW idle before the first job.
  nlohmann::json document = queue_scenario();
  auto& group = document["compute"]["user_groups"][0];
  group["job_gpus"] = 8;
  group["job_days"] = 3650;
  document["horizon"] = "2025-03-31";
  const std::vector<Event> log = run(document);
  const auto months = all_of<events::ComputeMonth>(log);
  REQUIRE(months.size() == 3);
  const auto& feb = months[1].second;
  REQUIRE(feb.busy_gpu_hours == Approx(feb.capacity_gpu_hours));
  CHECK(feb.it_mwh == Approx(10.0 * 28 * 24 / 1000).margin(1e-6));
  // January: idle until the first job starts, then busy: energy = 3 kW x idle h + 10 kW x busy h.
  const auto& jan = months[0].second;
  const double busy_hours = jan.busy_gpu_hours / 8;
  CHECK(jan.it_mwh == Approx((3.0 * (744 - busy_hours) + 10.0 * busy_hours) / 1000).margin(0.0005));
}

TEST_CASE("compute run: a pod of a faster generation is busy, and draws, while its jobs run",
          "[compute]") {
  // GPUs of performance 4: a job of 60 H100-days runs 15 days. Jobs of all 8 GPUs arrive far
  // faster than they end, so from the first arrival on the pod is never idle, and the host draws
  // its full 10 kW for as long as the pool counts it busy.
  nlohmann::json document = queue_scenario();
  document["vendors"][0]["generations"][0]["performance"] = 4;
  auto& group = document["compute"]["user_groups"][0];
  group["job_gpus"] = 8;
  group["job_days"] = 60;
  document["horizon"] = "2025-04-30";
  const std::vector<Event> log = run(document);
  const auto months = all_of<events::ComputeMonth>(log);
  REQUIRE(months.size() == 4);
  for (std::size_t m = 1; m < months.size(); ++m) {
    const auto& month = months[m].second;
    INFO(month.from);
    REQUIRE(month.busy_gpu_hours == Approx(month.capacity_gpu_hours));
    CHECK(month.it_mwh == Approx(10.0 * month.capacity_gpu_hours / 8 / 1000).margin(1e-6));
    // What it sold: 4 H100-equivalent GPU-hours per GPU-hour, at the market's price of an
    // H100-hour in the middle of the month (within a month it moves by well under 2 %).
    const Beliefs market;
    const double price =
        market.gpu_hour_price_krw * std::pow(1 - market.price_decline, mid_month_years(month.from));
    CHECK(month.value_bn_krw ==
          Approx(4 * month.busy_gpu_hours * price / 1e9).epsilon(0.02).margin(0.0005));
  }
}

TEST_CASE("compute run: pods stand at their sites, each site's energy at its PUE and tariff",
          "[compute]") {
  // The fleet's 8 GPUs of the start have no site (its own PUE 1.3; its tariff outside the
  // capital region, where its only site is: 1 - 0.05 market discount, then 10 % policy
  // discount). Its customers' demand makes it expand at its site naju-park (PUE 1.5, tariff
  // share 0.8 before the policy discount), whose GPUs come online in pods of 8 there.
  nlohmann::json document = queue_scenario();
  document["horizon"] = "2026-06-30";
  document["agents"][1]["capital_bn_krw"] = 5000;
  document["agents"][1]["fleet"] = {{"demand_gpu_hours_per_year", 400000}, {"step_gpus", 8}};
  document["agents"].push_back({{"id", "kepco"}, {"kind", "grid_operator"}});
  document["compute"]["max_gpus_per_pool"] = 800;
  document["compute"]["user_groups"][0]["jobs_per_month"] = 0;
  document["programme"] = {{"fleet_instruments", {{"non_capital_tariff_discount", 0.1}}}};
  document["grid"] = nlohmann::json::parse(R"({
    "operator": "kepco", "review_days": 30,
    "nodes": [{"id": "naju", "region": "jeonnam", "supply_mw": 100}],
    "lines": []})");
  document["sites"] = nlohmann::json::parse(R"([
    {"id": "naju-park", "node": "naju", "owner": "cloud", "pue": 1.5,
     "power_price_factor": 0.8}])");
  const std::vector<Event> log = run(document);
  const double price = Beliefs{}.power_price_krw_per_kwh;
  const std::map<std::string, std::pair<double, double>> site_terms = {
      {"", {1.3, 0.95 * 0.9}}, {"naju-park", {1.5, 0.8 * 0.9}}};
  int months_at_both = 0;
  for (const auto& [date, m] : all_of<events::ComputeMonth>(log)) {
    INFO(m.from);
    double it = 0, facility = 0, cost = 0;
    std::int64_t gpus = 0;
    for (const events::SiteEnergy& site : m.sites) {
      const auto terms = site_terms.find(site.site);
      REQUIRE(terms != site_terms.end());
      const auto [pue, share] = terms->second;
      CHECK(site.facility_mwh == Approx(site.it_mwh * pue).margin(0.002));
      CHECK(site.energy_cost_bn_krw ==
            Approx(site.it_mwh * pue * 1000 * price * share / 1e9).margin(0.001));
      CHECK(site.gpus % 8 == 0);
      CHECK(site.region == "non_capital");
      it += site.it_mwh;
      facility += site.facility_mwh;
      cost += site.energy_cost_bn_krw;
      gpus += site.gpus;
    }
    CHECK(gpus == m.gpus);
    CHECK(it == Approx(m.it_mwh).margin(0.003));
    CHECK(facility == Approx(m.facility_mwh).margin(0.003));
    CHECK(cost == Approx(m.energy_cost_bn_krw).margin(0.002));
    if (m.sites.size() == 2) ++months_at_both;
  }
  CHECK(months_at_both > 0);
}

TEST_CASE("compute run: impatient users leave the queue, and every job is accounted for",
          "[compute]") {
  // The M/M/8 pod at 12 jobs a day instead of 6 (load 1.5): without users who leave, its queue
  // would grow without bound. With a mean patience of one day, jobs leave the queue; every
  // job submitted has started, left at once, left the queue or is still waiting at the end.
  nlohmann::json document = queue_scenario();
  document["horizon"] = "2025-12-31";
  auto& group = document["compute"]["user_groups"][0];
  group["jobs_per_month"] = 365.25;
  group["queue_patience_days"] = 1;
  const std::vector<Event> log = run(document);
  std::int64_t submitted = 0, started = 0, lost = 0, reneged = 0, waiting = 0;
  for (const auto& [date, m] : all_of<events::ComputeMonth>(log)) {
    submitted += m.jobs_submitted;
    started += m.jobs_started;
    lost += m.jobs_lost;
    reneged += m.jobs_reneged;
    waiting = m.jobs_waiting;
    std::int64_t group_reneged = 0;
    for (const events::GroupUse& use : m.groups)
      group_reneged += use.jobs_reneged;
    CHECK(group_reneged == m.jobs_reneged);
  }
  INFO(submitted << " submitted, " << started << " started, " << lost << " lost, " << reneged
                 << " reneged, " << waiting << " waiting");
  CHECK(reneged > 0);
  CHECK(submitted == started + lost + reneged + waiting);
  // 8 GPUs serve at most 8 of the 12 jobs a day: a third of them cannot start in the long run.
  CHECK(static_cast<double>(started) < 0.75 * static_cast<double>(submitted));
}

TEST_CASE("compute run: a fleet's impatient customers leave its queue too", "[compute]") {
  // The fleet's own customers alone at 12 one-GPU jobs of a day each a day on 8 GPUs (load 1.5),
  // without research users. Patient customers stay: none leaves the queue. With a mean patience
  // of one day they leave it, counted in the customers' group, and every job is accounted for.
  nlohmann::json document = queue_scenario();
  document["horizon"] = "2025-12-31";
  document["compute"]["user_groups"][0]["jobs_per_month"] = 0;
  document["agents"][1]["fleet"]["demand_gpu_hours_per_year"] = 12 * 24 * 365.25;
  document["compute"]["customer_job_days"] = 1;
  document["compute"]["customer_max_wait_days"] = 3650;
  const auto totals = [](const std::vector<Event>& log) {
    std::int64_t submitted = 0, started = 0, reneged = 0, customers_reneged = 0, waiting = 0;
    for (const auto& [date, m] : all_of<events::ComputeMonth>(log)) {
      submitted += m.jobs_submitted;
      started += m.jobs_started;
      reneged += m.jobs_reneged;
      waiting = m.jobs_waiting;
      for (const events::GroupUse& use : m.groups)
        if (use.group == "customers") customers_reneged += use.jobs_reneged;
    }
    return std::array<std::int64_t, 5>{submitted, started, reneged, customers_reneged, waiting};
  };
  const auto patient = totals(run(document));
  CHECK(patient[0] > 3000);
  CHECK(patient[2] == 0);
  document["compute"]["customer_queue_patience_days"] = 1;
  const auto [submitted, started, reneged, customers_reneged, waiting] = totals(run(document));
  INFO(submitted << " submitted, " << started << " started, " << reneged << " reneged, " << waiting
                 << " waiting");
  CHECK(reneged > 0);
  CHECK(customers_reneged == reneged);
  CHECK(submitted == started + reneged + waiting);
  CHECK(waiting < patient[4]);
}

TEST_CASE("compute run: the order of agents and groups in the file changes nothing", "[compute]") {
  nlohmann::json document = queue_scenario();
  document["horizon"] = "2026-12-31";
  document["agents"].push_back({{"id", "telco"},
                                {"kind", "telco"},
                                {"capital_bn_krw", 0},
                                {"gpus", 16},
                                {"fleet", {{"demand_gpu_hours_per_year", 50000}}}});
  document["compute"]["max_gpus_per_pool"] = 16;
  document["compute"]["customer_job_gpus"] = 4;
  document["compute"]["user_groups"].push_back({{"id", "campus"},
                                                {"kind", "university"},
                                                {"jobs_per_month", 60},
                                                {"job_gpus", 2},
                                                {"job_days", 0.5}});
  auto by_pool = [](const std::vector<Event>& log) {
    std::map<std::string, std::vector<std::string>> out;
    for (const Event& e : log)
      if (e.type == "compute_month" || e.type == "demand_month")
        out[e.agent].push_back(e.date + " " + e.fields.dump());
    return out;
  };
  const auto base = by_pool(run(document));
  REQUIRE(base.count("telco"));
  REQUIRE(base.count("campus"));
  nlohmann::json shuffled = document;
  std::reverse(shuffled["agents"].begin(), shuffled["agents"].end());
  std::reverse(shuffled["compute"]["user_groups"].begin(),
               shuffled["compute"]["user_groups"].end());
  CHECK(by_pool(run(shuffled)) == base);
}

TEST_CASE("compute run: an SPC's GPUs split between public users and its own commercial pool",
          "[compute]") {
  // One SPC call for 2,000 GPUs, 30 % for public users: 600 join the public pool, 1,400 the pool
  // named after the call, the only commercial pool, where every commercial job goes.
  const std::vector<Event> log = run(spc_scenario());
  const auto outlooks = all_of<events::ContractOutlook>(log);
  REQUIRE(outlooks.size() == 1);
  CHECK(outlooks[0].second.public_use_share == 0.3);
  CHECK(outlooks[0].second.utilization.size() == 10);  // the object's years
  std::map<std::string, events::ComputeMonth> last;
  double centre_busy = 0, public_busy = 0;
  for (const auto& [event, month] : all_of<events::ComputeMonth>(log)) {
    last[month.pool] = month;
    (month.pool == "centre" ? centre_busy : public_busy) += month.busy_gpu_hours;
    if (month.pool != "centre" || month.busy_gpu_hours <= 0) continue;
    // Its value: the busy GPU-hours at the commercial price, which falls 20 % a year; within a
    // month the price moves less than 2 %; the event rounds to 0.001 bn KRW.
    INFO(month.from);
    CHECK(month.value_bn_krw ==
          Approx(month.busy_gpu_hours * 5000 * std::pow(0.8, mid_month_years(month.from)) / 1e9)
              .epsilon(0.02)
              .margin(0.0005));
  }
  REQUIRE(last.count("centre"));
  REQUIRE(last.count("public"));
  CHECK(last["centre"].kind == "spc");
  CHECK(last["public"].kind == "public");
  CHECK(last["centre"].gpus == 1400);
  CHECK(last["public"].gpus == 600);
  // The public pool names whose GPUs it runs: all 600 are the centre's, for all its capacity.
  REQUIRE(last["public"].sources.size() == 1);
  CHECK(last["public"].sources[0].source == "centre");
  CHECK(last["public"].sources[0].gpus == 600);
  CHECK(last["public"].sources[0].capacity_gpu_hours == last["public"].capacity_gpu_hours);
  CHECK(last["centre"].sources.empty());
  CHECK(centre_busy > 0);
  CHECK(public_busy == 0);  // no allocation call: nobody uses the public share
}

TEST_CASE("compute run: an SPC call may not take the name of another pool", "[compute]") {
  // Its commercial GPUs are a pool named after the call: `public` or a fleet owner's id would
  // give two pools one name, so the loader refuses it at the call's id.
  for (const std::string id : {"public", "cloud-a"}) {
    nlohmann::json document = spc_scenario();
    document["agents"][2]["fleet"] = {{"demand_gpu_hours_per_year", 0}};
    document["calls"][0]["id"] = id;
    INFO(id);
    try {
      scenario_from_json(document, "spc.json");
      FAIL("an SPC call named after another pool was accepted");
    } catch (const InputError& error) {
      REQUIRE(error.problems().size() == 1);
      CHECK(error.problems().front().pointer == "/calls/0/id");
      CHECK(error.problems().front().file == "spc.json");
    }
  }
  // Without compute use there are no pools, and the name is free.
  nlohmann::json document = spc_scenario();
  document.erase("compute");
  document["agents"][2]["fleet"] = {{"demand_gpu_hours_per_year", 0}};
  document["calls"][0]["id"] = "cloud-a";
  CHECK_NOTHROW(scenario_from_json(document, "spc.json"));
}

TEST_CASE("compute run: a scenario without compute use draws no hosts and no compute events",
          "[compute]") {
  nlohmann::json document = queue_scenario();
  document.erase("compute");
  document["horizon"] = "2025-06-30";
  const std::vector<Event> log = run(document);
  CHECK(all_of<events::ComputeMonth>(log).empty());
  CHECK(all_of<events::DemandMonth>(log).empty());
}
