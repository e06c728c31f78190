#include "tenderlab/analysis/run_report.hpp"

#include <fstream>

#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"

namespace tenderlab::analysis {

namespace {
std::int64_t total_gpus(const std::vector<StartingGpus>& start) {
  std::int64_t gpus = 0;
  for (const StartingGpus& s : start)
    gpus += s.gpus;
  return gpus;
}
}  // namespace

struct RunReport::Observers {
  Observers(Printer print, std::vector<HistoricalRound> history,
            std::vector<ProgrammeTarget> targets, const std::vector<StartingGpus>& start)
      : tenders(events),
        programme(events, std::move(targets), total_gpus(start)),
        compute(events),
        stock(events, start),
        series(events, programme, compute),
        kpis(events, tenders, std::move(history)),
        timeline(events, std::move(print)),
        stay_away(events) {
    events.on<events::SimulationStarted>(
        [this](const Event& e, const events::SimulationStarted&) { start_date = e.date; });
    events.on_every([this](const Event& e) {
      ++count;
      end_date = e.date;
    });
  }
  EventDispatcher events;  // first: the observers subscribe to it when they are built
  TendersTable tenders;
  ProgrammeProgress programme;  // before the series, which reads it
  ComputeUse compute;           // likewise
  GpuStock stock;
  TimeSeries series;
  RunKpis kpis;
  Timeline timeline;
  StayAwayReasons stay_away;
  std::uint64_t count = 0;
  std::string start_date;
  std::string end_date;
};

RunReport::RunReport(Printer timeline, std::vector<HistoricalRound> history,
                     std::vector<ProgrammeTarget> targets, const std::vector<StartingGpus>& start)
    : observers_(std::make_unique<Observers>(std::move(timeline), std::move(history),
                                             std::move(targets), start)) {}
RunReport::~RunReport() = default;
RunReport::RunReport(RunReport&&) noexcept = default;
RunReport& RunReport::operator=(RunReport&&) noexcept = default;

void RunReport::observe(const Event& event) {
  observers_->events.dispatch(event);
}

const std::vector<TenderRow>& RunReport::tenders() const {
  return observers_->tenders.rows();
}

std::string RunReport::tenders_csv() const {
  return observers_->tenders.csv();
}

std::string RunReport::timeseries_csv() const {
  return observers_->series.csv();
}

std::string RunReport::gpus_online_csv() const {
  return observers_->stock.csv();
}

std::string RunReport::compute_csv() const {
  return observers_->compute.csv();
}

bool RunReport::has_compute_use() const {
  return observers_->compute.active();
}

std::map<std::string, double> RunReport::kpis() const {
  std::map<std::string, double> kpis = observers_->kpis.kpis();
  observers_->programme.add_kpis(kpis);
  observers_->compute.add_kpis(kpis);
  return kpis;
}

std::vector<std::string> RunReport::compute_verdict() const {
  return observers_->compute.verdict();
}

const std::vector<ComputeUse::AllocationRound>& RunReport::allocation_rounds() const {
  return observers_->compute.allocations();
}

std::vector<StayAwayEffect> RunReport::stay_away_effects() const {
  return observers_->stay_away.effects();
}

std::vector<std::string> RunReport::programme_verdict() const {
  return observers_->programme.verdict();
}

nlohmann::ordered_json RunReport::summary() const {
  nlohmann::ordered_json s;
  s["format"] = "tenderlab-summary/1";
  s["start_date"] = observers_->start_date;
  s["end_date"] = observers_->end_date;
  s["events"] = observers_->count;
  nlohmann::ordered_json calls = nlohmann::ordered_json::array();
  std::map<std::string, nlohmann::ordered_json> by_call;
  std::vector<std::string> order;
  for (const auto& r : tenders()) {
    if (!by_call.count(r.call_id)) {
      order.push_back(r.call_id);
      by_call[r.call_id] = {
          {"call", r.call_id}, {"rounds", 0},
          {"outcome", "open"}, {"award_round", nullptr},
          {"winner", nullptr}, {"bids_per_round", nlohmann::ordered_json::array()}};
    }
    auto& c = by_call[r.call_id];
    c["rounds"] = c["rounds"].get<int>() + 1;
    c["bids_per_round"].push_back(r.received_bids);
    c["outcome"] = r.outcome;
    if (r.outcome == "awarded" || r.outcome == "negotiated") {
      c["award_round"] = r.round;
      c["award_close_date"] = r.close_date;
      c["winner"] = r.winner;
      c["members"] = r.winning_members;
    }
  }
  for (const auto& id : order)
    calls.push_back(by_call[id]);
  s["calls"] = calls;
  const std::string& contract = observers_->kpis.first_contract_date();
  const std::string& capacity = observers_->kpis.first_capacity_date();
  s["first_contract_date"] =
      contract.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(contract);
  s["first_capacity_date"] =
      capacity.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(capacity);
  s["programme"] = observers_->programme.summary();
  s["programme"]["gpus_online_by"] = observers_->stock.by_dimension();
  s["compute"] = observers_->compute.summary();
  nlohmann::ordered_json kpis;
  for (const auto& [name, value] : this->kpis())
    kpis[name] = value;
  s["kpis"] = kpis;
  return s;
}

std::vector<Event> read_event_log(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw InputError({InputProblem{path, "", "a readable events.jsonl", "no such file"}});
  std::vector<Event> events;
  std::string line;
  std::size_t number = 0;
  while (std::getline(in, line)) {
    ++number;
    const std::string where = path + ":" + std::to_string(number);
    nlohmann::ordered_json j;
    try {
      j = nlohmann::ordered_json::parse(line);
    } catch (const nlohmann::json::exception&) {
      throw InputError({InputProblem{where, "", "one JSON object per line", "invalid JSON"}});
    }
    const bool header = j.is_object() && j.contains("seq") && j["seq"].is_number_unsigned() &&
                        j.contains("time") && j["time"].is_number() && j.contains("date") &&
                        j["date"].is_string() && j.contains("type") && j["type"].is_string() &&
                        j.contains("agent") && j["agent"].is_string();
    if (!header)
      throw InputError({InputProblem{where, "", "an event with seq, time, date, type and agent",
                                     describe_json(nlohmann::json::parse(j.dump()))}});
    Event e;
    e.seq = j.at("seq").get<std::uint64_t>();
    e.time = j.at("time").get<double>();
    e.date = j.at("date").get<std::string>();
    e.type = j.at("type").get<std::string>();
    e.agent = j.at("agent").get<std::string>();
    e.fields = nlohmann::ordered_json::object();
    for (auto& [key, value] : j.items())
      if (key != "seq" && key != "time" && key != "date" && key != "type" && key != "agent")
        e.fields[key] = value;
    try {
      check_known_event(e);
    } catch (const InputError& error) {
      std::vector<InputProblem> problems = error.problems();
      for (auto& problem : problems)
        problem.file = where;
      throw InputError(std::move(problems));
    }
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace tenderlab::analysis
