// The report builders and writers: reading run outputs back, the run, study and comparison
// documents, the HTML page and the XLSX workbook. The browser checks of the pages themselves are
// in tests/report/.
#include <unistd.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>

#include "../../analysis/src/report_support.hpp"
#include "tenderlab/analysis/html_report.hpp"
#include "tenderlab/analysis/report_builders.hpp"
#include "tenderlab/analysis/xlsx_export.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/sha256.hpp"

using namespace tenderlab;
using namespace tenderlab::analysis;
namespace fs = std::filesystem;
using Json = nlohmann::ordered_json;

namespace {

const fs::path source_dir = TENDERLAB_SOURCE_DIR;

struct Folder {
  fs::path path;
  Folder() {
    char pattern[] = "/tmp/tenderlab-report-test-XXXXXX";
    REQUIRE(::mkdtemp(pattern) != nullptr);
    path = pattern;
  }
  ~Folder() {
    std::error_code code;
    fs::remove_all(path, code);
  }
};

void write(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

std::string read(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1))
    ++n;
  return n;
}

/// A run folder from the golden test scenario's committed event log and tenders table, with a
/// manifest that names that log, a summary and a two-month time series.
void golden_run_folder(const fs::path& folder) {
  fs::copy_file(source_dir / "tests/golden/small.events.jsonl", folder / "events.jsonl");
  fs::copy_file(source_dir / "tests/golden/small.tenders.csv", folder / "tenders.csv");
  write(folder / "timeseries.csv",
        "date,gpus_online,gpus_online_non_capital,mw_online,public_money_committed_bn_krw,"
        "private_money_committed_bn_krw\r\n2025-02-01,0,0,0.000,0.000,0.000\r\n"
        "2025-03-01,500,500,1.235,112.297,0.000\r\n");
  write(folder / "summary.json",
        R"({"format": "tenderlab-summary/1", "start_date": "2025-01-01", "end_date": "2027-12-31",
            "events": 93, "calls": [], "kpis": {"awarded": 1.0, "gpus_online": 6000.0}})");
  const Json manifest = {{"format", "tenderlab-manifest/1"},
                         {"tenderlab_version", "0.1.0"},
                         {"event_log_schema", 1},
                         {"scenario", "no/such/scenario.json"},
                         {"scenario_sha256", std::string(64, '0')},
                         {"seed", 7},
                         {"replication", 0},
                         {"event_count", 93},
                         {"event_log_sha256", sha256_file(folder / "events.jsonl")}};
  write(folder / "manifest.json", manifest.dump(2));
}

const Figure* find_figure(const ReportDocument& document, const std::string& id) {
  for (const auto& section : document.sections)
    for (const auto& figure : section.figures)
      if (figure.id == id) return &figure;
  return nullptr;
}

ReportDocument small_document() {
  ReportDocument document;
  document.kind = "run";
  document.title = "Run of <b>a & b</b>";
  document.facts = {{"scenario SHA-256", "abc"}};
  Figure figure;
  figure.id = "f";
  figure.title = "money";
  Table table;
  table.name = "Money";
  table.title = "Money";
  table.columns = {report::text_column("who", "who"), report::money_column("amount", "amount")};
  table.add_row({"</script><script>alert(1)</script>", 12.5});
  figure.tables.push_back(table);
  figure.chart = {{"data", {{"values", {{{"who", "</script><script>alert(1)</script>"}}}}}},
                  {"mark", "bar"}};
  document.sections.push_back({"s", "Section", "", {figure}});
  return document;
}

}  // namespace

TEST_CASE("a CSV file with quoted fields, doubled quotes and CRLF reads back field by field") {
  Folder folder;
  write(folder.path / "t.csv", "a,b,c\r\n1,\"x, \"\"y\"\"\",\r\n2,\"two\r\nlines\",z\r\n");
  const auto csv = report::read_csv(folder.path / "t.csv");
  REQUIRE(csv.header == std::vector<std::string>{"a", "b", "c"});
  REQUIRE(csv.rows.size() == 2);
  CHECK(csv.rows[0] == std::vector<std::string>{"1", "x, \"y\"", ""});
  CHECK(csv.rows[1] == std::vector<std::string>{"2", "two\r\nlines", "z"});
  CHECK(csv.column("c") == 2);
  CHECK_THROWS_AS(csv.column("d"), InputError);
}

TEST_CASE("a CSV row with a field too few is refused, naming the file and the row") {
  Folder folder;
  write(folder.path / "t.csv", "a,b\r\n1,2\r\n3\r\n");
  try {
    report::read_csv(folder.path / "t.csv");
    FAIL("no error");
  } catch (const InputError& error) {
    CHECK(std::string(error.what())
              .find("t.csv: row 3: expected 2 fields as the header, found 1 fields") !=
          std::string::npos);
  }
  write(folder.path / "open.csv", "a\r\n\"never closed\r\n");
  CHECK_THROWS_AS(report::read_csv(folder.path / "open.csv"), InputError);
  CHECK_THROWS_AS(report::read_csv(folder.path / "missing.csv"), InputError);
}

TEST_CASE("numbers in tables have thousands separators and no negative zero") {
  CHECK(report::format_number(15000, 0) == "15,000");
  CHECK(report::format_number(1234567.891, 2) == "1,234,567.89");
  CHECK(report::format_number(-1234.5, 1) == "-1,234.5");
  CHECK(report::format_number(-0.0001, 2) == "0.00");
  CHECK(report::format_number(999, 0) == "999");
}

TEST_CASE("the HTML page escapes text and keeps chart data inside its script element") {
  const std::string page = render_html(small_document());
  CHECK(page.find("Run of &lt;b&gt;a &amp; b&lt;/b&gt;") != std::string::npos);
  CHECK(page.find("<script>alert(1)") == std::string::npos);
  // The data's "</script>" is written "\u003c/script>" in the JSON and escaped in the table, so
  // the only closing tags are those of the page's five script elements.
  CHECK(count(page, "</script>") == 5);
  CHECK(page.find("\\u003c/script>\\u003cscript>alert(1)") != std::string::npos);
  CHECK(page.find("&lt;/script&gt;&lt;script&gt;alert(1)") != std::string::npos);
  // Money cells carry their value in bn KRW for the unit switch.
  CHECK(page.find("data-bn=\"12.5\" data-decimals=\"1\">12.5</td>") != std::string::npos);
  CHECK(page.find("name=\"tl-money-unit\" value=\"eok\"") != std::string::npos);
}

TEST_CASE("the HTML page carries its chart libraries and asks the network for nothing") {
  const std::string page = render_html(small_document());
  CHECK(page.find("vega-lite 5.") != std::string::npos);
  CHECK(page.find("vegaEmbed") != std::string::npos);
  CHECK(page.find("src=\"http") == std::string::npos);
  CHECK(page.find("href=\"http") == std::string::npos);
  CHECK(page.find("sourceMappingURL") == std::string::npos);
}

TEST_CASE("the same document gives the same page and the same workbook, byte for byte") {
  Folder folder;
  const ReportDocument document = small_document();
  CHECK(render_html(document) == render_html(document));
  write_xlsx(document, (folder.path / "a.xlsx").string());
  sleep(1);  // a clock in the workbook would now show
  write_xlsx(document, (folder.path / "b.xlsx").string());
  const std::string a = read(folder.path / "a.xlsx");
  CHECK(a.substr(0, 2) == "PK");
  CHECK(a == read(folder.path / "b.xlsx"));
  CHECK_THROWS_AS(write_xlsx(document, (folder.path / "no/such/folder/c.xlsx").string()),
                  std::runtime_error);
}

TEST_CASE(
    "a run's report has the timeline, one who-stayed-away chart per failed round, and the series") {
  Folder folder;
  golden_run_folder(folder.path);
  const ReportDocument document = run_document(folder.path);
  CHECK(document.title == "Run of golden-small");
  const Figure* timeline = find_figure(document, "timeline");
  REQUIRE(timeline);
  CHECK(timeline->tables.front().rows.size() == 4);  // the rounds of tenders.csv
  // Both failed rounds of the SPC call, each with the agents that stayed away.
  const Figure* away = find_figure(document, "stayed-away-spc-1");
  REQUIRE(away);
  REQUIRE(find_figure(document, "stayed-away-spc-2"));
  // The agents that valued the round (the leads and the partners proposed to), closest to
  // bidding first.
  const auto& rows = away->tables.front().rows;
  REQUIRE(rows.size() == 4);
  CHECK(rows[0][0] == "cloud-a");
  CHECK(rows[1][0] == "uni-d");
  CHECK(rows[2][0] == "builder-c");
  CHECK(rows[3][0] == "telco-b");
  for (std::size_t i = 1; i < rows.size(); ++i)
    CHECK(rows[i - 1][2].get<double>() >= rows[i][2].get<double>());
  CHECK(away->tables.front().name == "Away spc r1");
  // cloud-a shows every clause of its valuation as its bid_decision gave them: in telco-b's
  // team, the tax credit helps it by +0.884 bn KRW (the SPC pays little tax to set it against).
  const auto& columns = away->tables.front().columns;
  const auto tax = std::find_if(columns.begin(), columns.end(),
                                [](const TableColumn& c) { return c.key == "tax_credit"; });
  REQUIRE(tax != columns.end());
  bool found = false;
  for (const auto& row : away->tables.front().rows)
    if (row[0] == "cloud-a") {
      CHECK(row[static_cast<std::size_t>(tax - columns.begin())].get<double>() == Approx(0.884));
      found = true;
    }
  CHECK(found);
  const Figure* gpus = find_figure(document, "gpus-online");
  REQUIRE(gpus);
  CHECK(gpus->tables.front().rows.size() == 2);
  CHECK(gpus->chart.dump().find("contracted: 6,000") != std::string::npos);
}

TEST_CASE("a run's report stacks the GPUs online by region, owner and generation when it can") {
  Folder folder;
  golden_run_folder(folder.path);
  // Without gpus_online.csv (a folder written before it existed): no such charts.
  CHECK(!find_figure(run_document(folder.path), "gpus-by-owner"));
  write(folder.path / "gpus_online.csv",
        "date,owner,source,generation,region,region_class,gpus_online,mw_online\r\n"
        "2025-02-01,kt,start,h100,,,2000,\r\n"
        "2025-03-01,kt,start,h100,,,2000,\r\n"
        "2025-03-01,sds,spc,h100,honam,non_capital,600,1.500\r\n"
        "2025-03-01,sds,spc,h100,seoul,capital,400,1.000\r\n");
  const ReportDocument document = run_document(folder.path);
  const Figure* region = find_figure(document, "gpus-by-region");
  REQUIRE(region);
  // Every month has every region (0 where none), the GPUs at the start "not stated".
  const Table& table = region->tables.front();
  REQUIRE(table.columns.size() == 4);
  CHECK(table.columns[1].key == "honam");
  CHECK(table.columns[2].key == "not stated");
  CHECK(table.columns[3].key == "seoul");
  REQUIRE(table.rows.size() == 2);
  CHECK(table.rows[0][1] == 0);
  CHECK(table.rows[0][2] == 2000);
  CHECK(table.rows[1][1] == 600);
  CHECK(table.rows[1][3] == 400);
  REQUIRE(find_figure(document, "gpus-by-owner"));
  // One generation only: nothing to stack.
  CHECK(!find_figure(document, "gpus-by-generation"));
}

TEST_CASE("a run's report with compute use tables each SPC's settled operating years") {
  Folder folder;
  golden_run_folder(folder.path);
  write(folder.path / "timeseries.csv",
        "date,gpus_online,gpus_online_non_capital,mw_online,public_money_committed_bn_krw,"
        "private_money_committed_bn_krw,utilization_public,utilization_private\r\n"
        "2028-04-01,15000,15000,29.25,526.6,0.0,,\r\n"
        "2028-05-01,15000,15000,29.25,526.6,0.0,0.1132,0.6\r\n");
  // A summary without a settlement (as before it existed): no table.
  write(folder.path / "summary.json",
        R"({"format": "tenderlab-summary/1", "start_date": "2025-01-01", "end_date": "2030-12-31",
            "events": 93, "calls": [], "kpis": {}, "compute": {"spc_outturn": [{"call": "spc"}]}})");
  CHECK(!find_figure(run_document(folder.path), "spc-debt-service"));
  REQUIRE(find_figure(run_document(folder.path), "utilization"));
  write(folder.path / "summary.json",
        R"({"format": "tenderlab-summary/1", "start_date": "2025-01-01", "end_date": "2030-12-31",
            "events": 93, "calls": [], "kpis": {}, "compute": {"spc_outturn": [{"call": "spc",
            "settlement": {"by_operating_year": [
              {"operating_year": 0, "from": "2027-04-01", "utilization": 0.0,
               "margin_bn_krw": -66.5, "expected_margin_bn_krw": 379.1,
               "debt_service_due_bn_krw": 0.0, "cover_ratio": null, "shortfall_bn_krw": 66.5,
               "private_support_bn_krw": 46.55, "public_support_bn_krw": 19.95,
               "status": "supported"},
              {"operating_year": 1, "from": "2028-04-01", "utilization": 0.1132,
               "margin_bn_krw": 140.7, "expected_margin_bn_krw": 364.4,
               "debt_service_due_bn_krw": 293.7, "cover_ratio": 0.48, "shortfall_bn_krw": 153.0,
               "private_support_bn_krw": 0.0, "public_support_bn_krw": 0.0,
               "status": "defaulted"}]}}]}})");
  const ReportDocument document = run_document(folder.path);
  const Figure* settled = find_figure(document, "spc-debt-service");
  REQUIRE(settled);
  const Table& table = settled->tables.front();
  REQUIRE(table.rows.size() == 2);
  CHECK(table.rows[0][0] == "spc");
  CHECK(table.rows[0][1] == 0);
  CHECK(table.rows[0][7].is_null());  // no service due in the year the delay lost
  CHECK(table.rows[0][10] == 19.95);
  CHECK(table.rows[1][7] == 0.48);
  CHECK(table.rows[1][11] == "defaulted");
}

TEST_CASE("a run's report is refused when its event log is not the one its manifest names") {
  Folder folder;
  golden_run_folder(folder.path);
  std::string events = read(folder.path / "events.jsonl");
  events.replace(events.find("\"seed\":7"), 8, "\"seed\":8");
  write(folder.path / "events.jsonl", events);
  try {
    run_document(folder.path);
    FAIL("no error");
  } catch (const InputError& error) {
    CHECK(error.problems().front().file == (folder.path / "events.jsonl").string());
    CHECK(error.problems().front().expected.find("the event log manifest.json describes") == 0);
  }
  fs::remove(folder.path / "timeseries.csv");
  CHECK_THROWS_AS(run_document(folder.path), InputError);
  CHECK_THROWS_AS(run_document(folder.path / "summary.json"), InputError);
}

TEST_CASE("a run's report reads its events by type: a field that does not fit is named") {
  Folder folder;
  golden_run_folder(folder.path);
  // An edited log, with a manifest that names it: the hash matches, the field's type does not.
  std::string events = read(folder.path / "events.jsonl");
  const auto at = events.find("\"type\":\"capacity_online\"");
  REQUIRE(at != std::string::npos);
  const auto line = std::count(events.begin(), events.begin() + static_cast<long>(at), '\n') + 1;
  const auto gpus = events.find("\"gpus\":500", at);
  REQUIRE(gpus != std::string::npos);
  events.replace(gpus, 10, "\"gpus\":\"many\"");
  write(folder.path / "events.jsonl", events);
  Json manifest = Json::parse(read(folder.path / "manifest.json"));
  manifest["event_log_sha256"] = sha256_file(folder.path / "events.jsonl");
  write(folder.path / "manifest.json", manifest.dump(2));
  try {
    run_document(folder.path);
    FAIL("no error");
  } catch (const InputError& error) {
    REQUIRE(error.problems().size() == 1);
    CHECK(error.problems().front().file ==
          (folder.path / "events.jsonl").string() + ":" + std::to_string(line));
    CHECK(error.problems().front().pointer == "/gpus");
    CHECK(error.problems().front().expected == "an integer");
  }
}

TEST_CASE("a comparison's chart shows the KPIs that differ, the tables every KPI") {
  const nlohmann::json comparison = {
      {"format", "tenderlab-compare/1"},
      {"inputs", {"a.json", "b.json"}},
      {"labels", {"a", "b"}},
      {"pairs", 3},
      {"kpis",
       {{{"kpi", "awarded"},
         {"means", {1.0, 1.0}},
         {"differences", {{{"mean", 0.0}, {"ci95_low", 0.0}, {"ci95_high", 0.0}}}}},
        {{"kpi", "bids_round_1"},
         {"means", {0.0, 1.0}},
         {"differences", {{{"mean", 1.0}, {"ci95_low", 0.5}, {"ci95_high", 1.5}}}}},
        {{"kpi", "spc.bids_round_1"},
         {"means", {0.0, 1.0}},
         {"differences", {{{"mean", 1.0}, {"ci95_low", 0.5}, {"ci95_high", 1.5}}}}},
        {{"kpi", "gpus_online"},
         {"means", {5.0, 7.0}},
         {"differences", {{{"mean", 2.0}, {"ci95_low", nullptr}, {"ci95_high", nullptr}}}}}}}};
  const ReportDocument document = comparison_document(comparison, "c.json");
  const Figure* forest = find_figure(document, "differences");
  REQUIRE(forest);
  const auto values = forest->chart.at("data").at("values");
  REQUIRE(values.size() == 2);
  CHECK(values[0].at("kpi") == "bids_round_1");
  CHECK(values[1].at("kpi") == "gpus_online");
  CHECK(values[1].at("low").is_null());
  CHECK(forest->tables.front().rows.size() == 4);
  REQUIRE(find_figure(document, "means"));
  CHECK(find_figure(document, "means")->tables.front().rows.size() == 4);
}

TEST_CASE("a malformed comparison file is refused at the JSON Pointer of the problem") {
  auto problem = [](const nlohmann::json& comparison) {
    try {
      comparison_document(comparison, "c.json");
    } catch (const InputError& error) {
      return error.problems().front().pointer + ": expected " + error.problems().front().expected;
    }
    return std::string("accepted");
  };
  nlohmann::json good = {{"format", "tenderlab-compare/1"},
                         {"inputs", {"a", "b"}},
                         {"labels", {"a", "b"}},
                         {"pairs", 2},
                         {"kpis",
                          {{{"kpi", "x"},
                            {"means", {1, 2}},
                            {"differences", {{{"mean", 1}, {"ci95_low", 0}, {"ci95_high", 2}}}}}}}};
  CHECK(problem(good) == "accepted");
  auto bad = good;
  bad["format"] = "tenderlab-compare/9";
  CHECK(problem(bad) == "/format: expected \"tenderlab-compare/1\"");
  bad = good;
  bad["kpis"][0]["means"] = {1};
  CHECK(problem(bad) == "/kpis/0/means: expected 2 means");
  bad = good;
  bad["kpis"][0]["differences"][0]["ci95_low"] = "low";
  CHECK(problem(bad) == "/kpis/0/differences/0/ci95_low: expected a number or null");
  bad = good;
  bad["inputs"] = {"a"};
  CHECK(problem(bad) == "/inputs: expected an array of 2 strings");
}

TEST_CASE("a study's report: heatmap over chosen factors, Morris intervals and PRIM trajectory") {
  Folder folder;
  const Study study = load_study((source_dir / "tests/report/morris-study.json").string());
  ResultsStore store((folder.path / "r.sqlite").string());
  // A made-up model: round 1 draws no bid when the chip mandate is high or buy-back is on.
  const auto points = design_points(study);
  for (std::size_t p = 0; p < points.size(); ++p) {
    const double chips = points[p].values[2].get<double>();
    const bool buy_back = points[p].values[1].get<bool>();
    for (int r = 0; r < study.replications; ++r) {
      RunRecord run;
      run.run_id = run_id(static_cast<int>(p), r);
      run.point = static_cast<int>(p);
      run.replication = r;
      run.status = "ok";
      const int bids = chips > 0.25 || (buy_back && r == 0) ? 0 : 1;
      run.kpis = {{"awarded", 0},
                  {"bids_round_1", bids},
                  {"public_money_bn_krw", 100.0 + 10 * chips},
                  {"gpus_online", 0}};
      store.record(run);
    }
  }
  StudyDocumentOptions options;
  options.bootstrap_resamples = 200;
  const ReportDocument document = study_document(study, store, options);
  // By default the heatmap takes the factor PRIM restricts first.
  const Figure* map = find_figure(document, "outcome-map");
  REQUIRE(map);
  CHECK(map->tables.front().columns[0].title == "domestic_chip_share");
  const Figure* morris = find_figure(document, "morris");
  REQUIRE(morris);
  // P(outcome), bids_round_1 and public_money_bn_krw move; awarded and gpus_online are constant.
  // One row per moving output and factor (loss_bearing, which this model ignores, included).
  const auto& rows = morris->tables.front().rows;
  CHECK(rows.size() == 3 * 4);
  for (const auto& row : rows) {
    CHECK(row[4].get<double>() <= row[3].get<double>() + 1e-12);  // low <= mu*
    CHECK(row[3].get<double>() <= row[5].get<double>() + 1e-12);  // mu* <= high
  }
  CHECK(morris->caption.find("awarded, gpus_online") != std::string::npos);
  const Figure* trajectory = find_figure(document, "prim-trajectory");
  REQUIRE(trajectory);
  CHECK(trajectory->tables.front().rows.front()[1].get<double>() == Approx(1.0));  // coverage
  // The same inputs give the same page.
  CHECK(render_html(document) == render_html(study_document(study, store, options)));

  options.heatmap_factors = {"tax_credit", "buy_back"};
  CHECK_THROWS_AS(study_document(study, store, options), InputError);
  options.heatmap_factors = {"buy_back", "public_equity_share"};
  const ReportDocument chosen = study_document(study, store, options);
  CHECK(find_figure(chosen, "outcome-map")->tables.front().columns[0].title == "buy_back");
  CHECK(find_figure(chosen, "outcome-map")->tables.front().columns[1].title ==
        "public_equity_share");
}
