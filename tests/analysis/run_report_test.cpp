// The run report and its observers (analysis/src/tenders_table.cpp, time_series.cpp,
// run_kpis.cpp, timeline.cpp, stay_away_reasons.cpp), fed from an events.jsonl read back from disk:
// no simulation, no SimGrid. The golden log must give the golden tenders.csv byte for byte.
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "runner_test_support.hpp"
#include "tenderlab/analysis/run_report.hpp"
#include "tenderlab/engine/input_error.hpp"

using namespace tenderlab;
using namespace tenderlab::analysis;

namespace {

const std::filesystem::path golden = std::filesystem::path(TENDERLAB_SOURCE_DIR) / "tests/golden";

std::string file_text(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

Event event(std::uint64_t seq, const std::string& date, const auto& record) {
  return Event{seq, 0.0,           date, std::string(std::decay_t<decltype(record)>::type),
               "",  encode(record)};
}

}  // namespace

TEST_CASE("the report of the golden log read from disk is the golden tenders table") {
  RunReport report;
  std::size_t count = 0;
  for (const auto& e : read_event_log((golden / "small.events.jsonl").string())) {
    report.observe(e);
    ++count;
  }
  CHECK(report.tenders_csv() == file_text(golden / "small.tenders.csv"));
  CHECK(report.summary().at("events") == count);
  CHECK(report.kpis().at("gpu-lot.awarded") == 1.0);
}

TEST_CASE("the programme's public cost adds the fleet instruments to the contracts and credits") {
  EventDispatcher events;
  ProgrammeProgress programme(events, {});
  ComputeUse compute(events);
  TimeSeries series(events, programme, compute);
  events::ContractSigned contract;
  contract.public_cost_bn_krw = 100;
  events.dispatch(event(0, "2025-01-10", contract));
  events::FleetDecision decision;
  decision.tax_credit_bn_krw = 20;
  events.dispatch(event(1, "2025-04-01", decision));
  events::InstrumentCost first;
  first.anchor_gpu_hours = 1000;
  first.anchor_bn_krw = 6;
  first.tariff_discount_bn_krw = 0.5;
  events.dispatch(event(2, "2025-04-01", events::MonthStart{}));
  events.dispatch(event(3, "2025-04-01", first));  // after the month's row: still counted by date
  events::InstrumentCost second = first;
  second.anchor_bn_krw = 3;
  second.tariff_discount_bn_krw = 0.25;
  events.dispatch(event(4, "2025-05-01", events::MonthStart{}));
  events.dispatch(event(5, "2025-06-15", second));
  const auto summary = programme.summary();
  CHECK(summary.at("public_cost_bn_krw").get<double>() == Approx(100 + 20 + 9 + 0.75));
  CHECK(summary.at("public_cost_by_item").at("anchor_purchases").get<double>() == Approx(9));
  CHECK(summary.at("public_cost_by_item").at("tariff_discount").get<double>() == Approx(0.75));
  CHECK(summary.at("anchor_gpu_hours").get<double>() == Approx(2000));
  std::map<std::string, double> kpis;
  programme.add_kpis(kpis);
  CHECK(kpis.at("programme_public_cost_bn_krw") == Approx(129.75));
  // The running total at each month's row: the periods that ended by that date.
  const std::string csv = series.csv();
  CHECK(csv.find("2025-04-01,") != std::string::npos);
  CHECK(csv.find(",6.500\r\n2025-05-01,") != std::string::npos);
  CHECK(csv.substr(csv.size() - 8) == ",6.500\r\n");
}

TEST_CASE("an SPC's settled years add up in the summary, the KPIs and the verdict") {
  EventDispatcher events;
  ComputeUse compute(events);
  events::ContractOutlook outlook;
  outlook.call = "spc";
  outlook.lead = "lead";
  outlook.gpus = 10;
  outlook.margin_bn_krw = {5, 5, 5};
  events.dispatch(event(0, "2026-01-10", outlook));
  events::CapacityOnline online;
  online.call = "spc";
  events.dispatch(event(1, "2028-04-08", online));
  events::ComputeMonth month;
  month.pool = "spc";
  month.from = "2028-04-01";
  month.capacity_gpu_hours = 100;
  month.busy_gpu_hours = 50;
  events.dispatch(event(2, "2028-05-01", month));
  // The year a delay lost, funded by the shareholders; a default in year 1 that year 2 keeps.
  events::SpcYearSettled lost;
  lost.call = "spc";
  lost.operating_year = 0;
  lost.shortfall_bn_krw = 2;
  lost.private_support_bn_krw = 1.4;
  lost.public_support_bn_krw = 0.6;
  lost.status = "supported";
  events::SpcYearSettled first = lost;
  first.operating_year = 1;
  first.cover_ratio = 0.8;
  first.shortfall_bn_krw = 3;
  first.private_support_bn_krw = first.public_support_bn_krw = 0;
  first.debt_service_paid_bn_krw = 12;
  first.status = "defaulted";
  events::SpcYearSettled second = first;
  second.operating_year = 2;
  second.cover_ratio = 0.9;
  second.shortfall_bn_krw = 0;
  second.debt_service_paid_bn_krw = 13.5;
  events.dispatch(event(3, "2028-05-01", lost));
  events.dispatch(event(4, "2029-05-01", first));
  events.dispatch(event(5, "2030-05-01", second));

  const auto settlement = compute.summary().at("spc_outturn").at(0).at("settlement");
  CHECK(settlement.at("operating_years") == 3);
  CHECK(settlement.at("debt_service_paid_bn_krw").get<double>() == Approx(25.5));
  CHECK(settlement.at("shortfall_bn_krw").get<double>() == Approx(5));
  CHECK(settlement.at("private_support_bn_krw").get<double>() == Approx(1.4));
  CHECK(settlement.at("public_support_bn_krw").get<double>() == Approx(0.6));
  CHECK(settlement.at("lowest_cover_ratio").get<double>() == Approx(0.8));
  CHECK(settlement.at("defaulted_in_operating_year") == 1);
  CHECK(settlement.at("by_operating_year").size() == 3);
  CHECK_FALSE(settlement.at("by_operating_year").at(0).contains("call"));
  std::map<std::string, double> kpis;
  compute.add_kpis(kpis);
  CHECK(kpis.at("spc_shortfall_bn_krw") == Approx(5));
  CHECK(kpis.at("spc_public_support_bn_krw") == Approx(0.6));
  CHECK(kpis.at("spc_defaults") == 1);
  const std::vector<std::string> verdict = compute.verdict();
  CHECK(std::find(verdict.begin(), verdict.end(),
                  "SPC spc settled on its measured use: the year lost to its delivery's delay, "
                  "no service due, short 2.0 bn KRW, funded by the shareholders; year 1 cover "
                  "0.80, short 3.0 bn KRW, defaulted (beyond the shareholders' support); year 2 "
                  "cover 0.90, in default; shareholders' support 2.0 bn KRW (public 0.6)") !=
        verdict.end());
}

TEST_CASE("each observer takes only the event types it subscribes to") {
  EventDispatcher events;
  ProgrammeProgress programme(events, {});
  ComputeUse compute(events);
  TimeSeries series(events, programme, compute);
  TendersTable tenders(events);
  events::CallAnnounced announced;
  announced.call = "c";
  announced.round = 1;
  announced.terms.site = "any";
  events.dispatch(event(0, "2025-01-10", announced));
  events.dispatch(event(1, "2025-02-01", events::MonthStart{{5, 0, 1.5, 2, 3}}));
  // A type nobody subscribes to (an agent kind's own event) passes by.
  events.dispatch(Event{2, 0.0, "2025-02-01", "toy_tick", "", {{"month", "2025-02"}}});
  REQUIRE(tenders.rows().size() == 1);
  CHECK(tenders.rows().front().call_id == "c");
  CHECK(series.csv() ==
        "date,gpus_online,gpus_online_non_capital,mw_online,public_money_committed_bn_krw,"
        "private_money_committed_bn_krw,fleet_gpus_online,gpus_online_all,fleet_mw_online,"
        "fleet_capex_bn_krw,mw_requested,mw_granted,utilization_public,utilization_private,"
        "jobs_waiting,facility_mwh,fleet_instruments_bn_krw\r\n"
        "2025-02-01,5,0,1.500,2.000,3.000,0,5,0.000,0.000,0.000,0.000,,,,,0.000\r\n");
}

TEST_CASE("the timeline prints what the events say, and nothing without a printer") {
  std::vector<std::string> lines;
  RunReport report([&lines](const std::string& line) { lines.push_back(line); });
  events::ExogenousEvent shock{"note", 1.0, "an election"};
  report.observe(event(0, "2025-06-03", shock));
  CHECK(lines == std::vector<std::string>{"2025-06-03  note: an election"});
  RunReport silent;
  CHECK_NOTHROW(silent.observe(event(0, "2025-06-03", shock)));
}

TEST_CASE("a report keeps working after it moves") {
  RunReport first;
  RunReport moved = std::move(first);
  events::CallAnnounced announced;
  announced.call = "c";
  announced.round = 1;
  moved.observe(event(0, "2025-01-10", announced));
  CHECK(moved.tenders().size() == 1);
}

TEST_CASE("a log line whose fields do not fit its event type is refused with line and pointer") {
  const testing::TempDir dir;
  const std::string path = dir.file("events.jsonl");
  std::ofstream(path)
      << R"({"seq":0,"time":0.0,"date":"2025-01-01","type":"capacity_online","agent":"a","call":"c","gpus":"many","mw":1.0,"site":"capital","delayed":false})"
      << "\n";
  try {
    read_event_log(path);
    FAIL("the log was accepted");
  } catch (const InputError& error) {
    REQUIRE(error.problems().size() == 1);
    CHECK(error.problems().front().file == path + ":1");
    CHECK(error.problems().front().pointer == "/gpus");
    CHECK(error.problems().front().expected == "an integer");
  }
}

TEST_CASE("who stayed away: a lead's every clause of its last decision, else the obstacles") {
  EventDispatcher events;
  StayAwayReasons reasons(events);
  auto decision = [](const std::string& call, int round,
                     std::vector<events::ClauseEffect> effects) {
    events::BidDecision d;
    d.call = call;
    d.round = round;
    d.decision = "no_bid";
    d.effects = std::move(effects);
    return d;
  };
  auto as = [](Event e, const std::string& agent) {
    e.agent = agent;
    return e;
  };
  // The lead decides twice in round 1 (its last decision counts), and once in another round.
  events.dispatch(as(event(0, "2025-02-01", decision("spc", 1, {{"buy_back", -1.0}})), "lead-a"));
  events.dispatch(
      as(event(1, "2025-03-01",
               decision("spc", 1, {{"buy_back", -2.0}, {"site", 0.0}, {"tax_credit", 3.0}})),
         "lead-a"));
  events.dispatch(as(event(2, "2025-03-01", decision("spc", 2, {{"site", -9.0}})), "lead-a"));
  events::RoundFailed failed;
  failed.call = "spc";
  failed.round = 1;
  failed.stayed_away = {{"lead-a", "lead", -5.0, {{"buy_back", -2.0}}},
                        {"partner-b", "partner", -1.5, {{"site", -1.0}, {"site", -0.5}}},
                        {"supplier-c", "lead", 0.0, {}}};
  events.dispatch(event(3, "2025-05-30", failed));
  events::RoundFailed nobody;  // a round no agent stayed away from is not listed
  nobody.call = "gpu-lot";
  nobody.round = 1;
  events.dispatch(event(4, "2025-05-30", nobody));

  REQUIRE(reasons.rounds().size() == 1);
  const auto& agents = reasons.rounds().front().agents;
  REQUIRE(agents.size() == 3);
  CHECK(agents[0].every_clause);
  CHECK(agents[0].effects ==
        std::map<std::string, double>{{"buy_back", -2.0}, {"site", 0.0}, {"tax_credit", 3.0}});
  CHECK(agents[0].value_bn_krw == -5.0);
  CHECK_FALSE(agents[1].every_clause);  // a partner: the obstacles, a clause named twice once
  CHECK(agents[1].effects == std::map<std::string, double>{{"site", -0.5}});
  CHECK_FALSE(agents[2].every_clause);  // a lead without a valuation (procurement): no clauses
  CHECK(agents[2].effects.empty());

  // Through the run report: one row per clause, in event order, then by clause.
  RunReport report;
  report.observe(as(event(0, "2025-03-01", decision("spc", 1, {{"site", 2.0}})), "lead-a"));
  report.observe(event(1, "2025-05-30", failed));
  const auto rows = report.stay_away_effects();
  REQUIRE(rows.size() == 2);
  CHECK(rows[0].agent == "lead-a");
  CHECK(rows[0].clause == "site");
  CHECK(rows[0].effect_bn_krw == 2.0);
  CHECK(rows[1].agent == "partner-b");
  CHECK(rows[1].role == "partner");
  CHECK(rows[1].clause == "site");
  CHECK(rows[1].effect_bn_krw == -0.5);
}

TEST_CASE("the GPU stock breaks GPUs online down by owner, source, generation and region") {
  EventDispatcher events;
  GpuStock stock(events, {{"kt", 2000, "h100"}, {"idle", 0, "h100"}});
  auto from = [](std::uint64_t seq, const std::string& date, const std::string& agent,
                 const auto& record) {
    Event e = event(seq, date, record);
    e.agent = agent;
    return e;
  };
  events::CapacityOnline first{"spc", 600, 1.5, "non_capital", false, "b200", "honam"};
  events::CapacityOnline second = first;
  second.gpus = 400;
  second.mw = 1.0;
  second.generation = "rubin";
  // A fleet order without a grid: no grid region, only the region class.
  const events::FleetOnline fleet{"fleet/kt/2025q2", 256,          0.632,       "",
                                  "non_capital",     std::nullopt, std::nullopt};
  events.dispatch(from(0, "2025-01-01", "", events::YearStart{{0, 0, 0, 0, 0}}));
  events.dispatch(from(1, "2025-01-20", "sds", first));
  events.dispatch(from(2, "2025-01-25", "kt", fleet));
  events.dispatch(from(3, "2025-02-01", "", events::MonthStart{{600, 600, 1.5, 0, 0}}));
  events.dispatch(from(4, "2025-02-10", "sds", second));
  events.dispatch(from(5, "2025-02-11", "sds", second));
  events.dispatch(from(6, "2025-03-01", "", events::MonthStart{{1400, 1400, 3.5, 0, 0}}));
  CHECK(stock.csv() ==
        "date,owner,source,generation,region,region_class,gpus_online,mw_online\r\n"
        "2025-01-01,kt,start,h100,,,2000,\r\n"
        "2025-02-01,kt,fleet,,,non_capital,256,0.632\r\n"
        "2025-02-01,kt,start,h100,,,2000,\r\n"
        "2025-02-01,sds,spc,b200,honam,non_capital,600,1.500\r\n"
        "2025-03-01,kt,fleet,,,non_capital,256,0.632\r\n"
        "2025-03-01,kt,start,h100,,,2000,\r\n"
        "2025-03-01,sds,spc,b200,honam,non_capital,600,1.500\r\n"
        "2025-03-01,sds,spc,rubin,honam,non_capital,800,2.000\r\n");
  const nlohmann::ordered_json by = stock.by_dimension();
  CHECK(by.at("owner") == nlohmann::ordered_json({{"kt", 2256}, {"sds", 1400}}));
  CHECK(by.at("generation") ==
        nlohmann::ordered_json({{"", 256}, {"b200", 600}, {"h100", 2000}, {"rubin", 800}}));
  CHECK(by.at("region") == nlohmann::ordered_json({{"", 2256}, {"honam", 1400}}));
  CHECK(by.at("region_class") == nlohmann::ordered_json({{"", 2000}, {"non_capital", 1656}}));
}

TEST_CASE("an SPC's outturn sets its pools' measured months against its outlook, by hand") {
  // 100 GPUs from 2030-01-01, half for public users (discount 0.2): 50 in the SPC's own pool, 50
  // of the public pool's 200, which the pool measured apart (its source entry: busier than the
  // pool's average). The public pool's December is before the GPUs ran and is not counted;
  // January 2031 is the second operating year.
  EventDispatcher events;
  ComputeUse compute(events);
  events::ContractOutlook outlook;
  outlook.call = "spc";
  outlook.lead = "sds";
  outlook.gpus = 100;
  outlook.public_use_share = 0.5;
  outlook.public_use_discount = 0.2;
  outlook.om_bn_krw_per_year = 12;
  outlook.utilization = {0.5, 0.6};
  outlook.sales_bn_krw = {100, 90};
  outlook.power_bn_krw = {10, 11};
  outlook.margin_bn_krw = {78, 67};
  outlook.lender_base_case_bn_krw = {70, 60};
  auto month = [](const std::string& pool, const std::string& kind, const std::string& from,
                  std::int64_t gpus, double busy_share, double value, double energy) {
    events::ComputeMonth m;
    m.pool = pool;
    m.kind = kind;
    m.from = from;
    m.gpus = gpus;
    m.capacity_gpu_hours = static_cast<double>(gpus) * 744;
    m.busy_gpu_hours = m.capacity_gpu_hours * busy_share;
    m.value_bn_krw = value;
    m.energy_cost_bn_krw = energy;
    return m;
  };
  events.dispatch(event(0, "2029-11-01", outlook));
  events.dispatch(
      event(1, "2029-12-01", events::CapacityOnline{"other", 40, 0, "", false, {}, {}}));
  events::ComputeMonth december = month("public", "public", "2029-12-01", 150, 0.9, 1, 1);
  december.sources = {{"other", 150, 111600, 100440, 1, 10, 1}};
  events.dispatch(event(2, "2030-01-01", december));
  events.dispatch(event(3, "2030-01-01", events::CapacityOnline{"spc", 100, 0, "", false, {}, {}}));
  events::ComputeMonth january = month("public", "public", "2030-01-01", 200, 0.5, 0.372, 0.04);
  january.sources = {{"other", 150, 111600, 48360, 0.242, 3, 0.028},
                     {"spc", 50, 37200, 26040, 0.13, 1.2, 0.012}};
  events.dispatch(event(4, "2030-02-01", january));
  events.dispatch(event(5, "2030-02-01", month("spc", "spc", "2030-01-01", 50, 0.5, 0.093, 0.01)));
  events.dispatch(event(6, "2031-02-01", month("spc", "spc", "2031-01-01", 50, 0.25, 0.04, 0.01)));

  const std::vector<ComputeUse::Outturn> outturns = compute.spc_outturns();
  REQUIRE(outturns.size() == 1);
  const ComputeUse::Outturn& o = outturns[0];
  CHECK(o.first_online == "2030-01-01");
  REQUIRE(o.by_year.size() == 2);
  // Year 1: 37,200 own GPU-hours, half busy, and the 37,200 of its public GPUs, 70 % busy; the
  // public share's value at the 0.2 discount; 74,400 of a year's 876,000 GPU-hours scale the
  // outlook.
  const ComputeUse::Outturn::Figures& y1 = o.by_year[0];
  const double of_year = 74400.0 / 876000.0;
  CHECK(y1.capacity_gpu_hours == Approx(74400));
  CHECK(y1.busy_gpu_hours == Approx(18600 + 26040));
  CHECK(y1.sales == Approx(0.093 + 0.13 * 0.8));
  CHECK(y1.power == Approx(0.01 + 0.012));
  CHECK(y1.om == Approx(12 * of_year));
  CHECK(y1.expected_busy_gpu_hours == Approx(0.5 * 74400));
  CHECK(y1.expected_sales == Approx(100 * of_year));
  CHECK(y1.expected_power == Approx(10 * of_year));
  CHECK(y1.lender_base_case == Approx(70 * of_year));
  CHECK(y1.margin() == Approx(y1.sales - y1.power - 12 * of_year));
  // Year 2: the own pool only, at the second year's outlook.
  const ComputeUse::Outturn::Figures& y2 = o.by_year[1];
  CHECK(y2.capacity_gpu_hours == Approx(37200));
  CHECK(y2.busy_gpu_hours == Approx(9300));
  CHECK(y2.expected_busy_gpu_hours == Approx(0.6 * 37200));
  CHECK(y2.expected_sales == Approx(90 * 37200.0 / 876000.0));
  CHECK(o.total.capacity_gpu_hours == Approx(111600));
  CHECK(o.total.sales == Approx(y1.sales + 0.04));

  const nlohmann::ordered_json summary = compute.summary().at("spc_outturn");
  REQUIRE(summary.size() == 1);
  CHECK(summary[0].at("utilization").at("measured") ==
        Approx((18600 + 26040 + 9300) / 111600.0).margin(1e-4));
  CHECK(summary[0].at("by_operating_year").size() == 2);
  std::map<std::string, double> kpis;
  compute.add_kpis(kpis);
  CHECK(kpis.at("spc_sales_to_outlook") == Approx(o.total.sales / o.total.expected_sales));
  // Both pools count among the public GPUs.
  CHECK(kpis.at("utilization_private") == 0);
}
