#include "tenderlab/analysis/run_report.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>

#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"

namespace tenderlab::analysis {
namespace {

std::string csv_field(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string quoted = "\"";
  for (char c : text) {
    if (c == '"') quoted += '"';
    quoted += c;
  }
  return quoted + "\"";
}

std::string join(const std::vector<std::string>& items, const std::string& separator) {
  std::string out;
  for (const auto& item : items)
    out += (out.empty() ? "" : separator) + item;
  return out;
}

std::string fixed(double value, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, value);
  return buffer;
}

std::string scalar_text(const nlohmann::ordered_json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();
}

std::string obstacles_text(const nlohmann::ordered_json& obstacles) {
  std::vector<std::string> parts;
  for (const auto& o : obstacles)
    parts.push_back(o.at("term").get<std::string>() + " " +
                    fixed(o.at("delta_bn_krw").get<double>(), 1));
  return join(parts, ", ");
}

std::string terms_summary(const nlohmann::ordered_json& t) {
  std::string text = "public equity " + fixed(100 * t.value("public_equity_share", 0.0), 0) + "%";
  text += t.value("buy_back", false) ? ", buy-back" : ", no buy-back";
  if (t.value("public_preferred", false)) text += ", public shares preferred";
  if (t.value("loss_bearing", false)) text += ", private loss-bearing";
  if (t.value("damages_waiver", false)) text += ", damages waiver";
  text += ", domestic chips " + fixed(100 * t.value("domestic_chip_share", 0.0), 0) + "%";
  text += ", site " + t.value("site", std::string("any"));
  text += ", tax credit " + fixed(100 * t.value("tax_credit", 0.0), 0) + "%";
  if (!t.value("ceiling_price_bn_krw", nlohmann::ordered_json()).is_null())
    text += ", ceiling " + fixed(t["ceiling_price_bn_krw"].get<double>(), 1) + " bn KRW";
  return text;
}

}  // namespace

RunReport::RunReport(Printer timeline, std::vector<HistoricalRound> history)
    : timeline_(std::move(timeline)), history_(std::move(history)) {}

void RunReport::print(const std::string& line) const {
  if (timeline_) timeline_(line);
}

TenderRow* RunReport::row(const std::string& call, int round) {
  for (auto& r : rows_)
    if (r.call_id == call && r.round == round) return &r;
  return nullptr;
}

void RunReport::observe(const Event& e) {
  ++events_;
  end_date_ = e.date;
  const auto& f = e.fields;
  const std::string& type = e.type;
  if (type == "simulation_started") {
    start_date_ = e.date;
    print(e.date + "  simulation of " + f.value("scenario", std::string()) + " (seed " +
          std::to_string(f.value("seed", 0ULL)) + ", replication " +
          std::to_string(f.value("replication", 0ULL)) + ")");
  } else if (type == "call_announced") {
    TenderRow r;
    r.call_id = f.at("call");
    r.round = f.at("round");
    r.round_kind = f.at("round_kind");
    r.announce_date = e.date;
    r.close_date = f.at("bid_deadline");
    r.min_valid_bids = f.at("min_valid_bids");
    r.terms = f.at("terms");
    r.revision = f.value("revision", std::string());
    print(e.date + "  " + r.call_id + " round " + std::to_string(r.round) + " announced (" +
          r.round_kind + "): bids close " + r.close_date + ", " + std::to_string(r.min_valid_bids) +
          " valid bid" + (r.min_valid_bids == 1 ? "" : "s") + " needed");
    print("            terms: " + terms_summary(r.terms));
    if (!r.revision.empty()) print("            revision: " + r.revision);
    rows_.push_back(std::move(r));
  } else if (type == "bid_decision") {
    if (f.contains("effects"))
      decision_effects_[f.at("call").get<std::string>() + "#" +
                        std::to_string(f.at("round").get<int>()) + "#" + e.agent] = f.at("effects");
    if (f.contains("value_bn_krw")) {
      const std::string key =
          f.at("call").get<std::string>() + "#" + std::to_string(f.at("round").get<int>());
      const double value = f.at("value_bn_krw").get<double>();
      auto [it, inserted] = best_value_.emplace(key, value);
      if (!inserted) it->second = std::max(it->second, value);
    }
  } else if (type == "consortium_formed") {
    std::vector<std::string> members = f.at("members");
    print(e.date + "  consortium formed by " + e.agent + ": " + join(members, " + "));
  } else if (type == "bids_opened") {
    if (TenderRow* r = row(f.at("call"), f.at("round"))) {
      r->received_bids = f.at("received");
      r->valid_bids = f.at("valid");
      for (const auto& bid : f.at("bids"))
        r->bidders.push_back(bid.at("lead"));
    }
  } else if (type == "round_failed") {
    TenderRow* r = row(f.at("call"), f.at("round"));
    if (!r) return;
    r->outcome = "failed";
    r->reason = f.at("reason");
    print(e.date + "  " + r->call_id + " round " + std::to_string(r->round) +
          " FAILED: " + r->reason);
    for (const auto& away : f.at("stayed_away")) {
      const std::string agent = away.at("agent");
      const std::string reasons = obstacles_text(away.at("obstacles"));
      std::string value;
      if (away.contains("value_bn_krw"))
        value = " (value " + fixed(away.at("value_bn_krw").get<double>(), 1) + " bn KRW)";
      const std::string role = away.value("role", std::string("lead"));
      r->stayed_away.emplace_back(agent, reasons);
      // The clause effects, by clause (a clause named twice keeps its last effect).
      std::map<std::string, double> effects;
      const auto decision =
          decision_effects_.find(r->call_id + "#" + std::to_string(r->round) + "#" + agent);
      const bool lead = away.value("role", std::string()) == "lead";
      for (const auto& effect : lead&& decision != decision_effects_.end()
                                    ? decision->second
                                    : away.value("obstacles", nlohmann::json::array()))
        effects[effect.value("term", std::string())] = effect.value("delta_bn_krw", 0.0);
      for (const auto& [clause, delta] : effects)
        stay_away_.push_back({r->call_id, r->round, agent, role, clause, delta});
      print("            " + agent + (role == "partner" ? " declined to join" : " stayed away") +
            value + ": " +
            (reasons.empty() ? std::string("no clause costs it; the project itself does not pay")
                             : reasons));
    }
  } else if (type == "round_awarded") {
    TenderRow* r = row(f.at("call"), f.at("round"));
    if (!r) return;
    r->outcome = "awarded";
    r->reason = f.at("reason");
    std::vector<std::string> winners = f.at("winners");
    r->winner = join(winners, ";");
    if (f.contains("winner_kinds"))
      r->winner_kinds = f.at("winner_kinds").get<std::vector<std::string>>();
    print(e.date + "  " + r->call_id + " round " + std::to_string(r->round) + " AWARDED to " +
          r->winner + " (" + r->reason + ")");
  } else if (type == "negotiated_award") {
    TenderRow* r = row(f.at("call"), f.at("round"));
    if (!r) return;
    r->outcome = "negotiated";
    r->winner = f.at("lead");
    r->reason = f.at("reason");
    print(e.date + "  " + r->call_id + " round " + std::to_string(r->round) + " NEGOTIATED with " +
          r->winner);
  } else if (type == "call_cancelled") {
    for (auto& r : rows_)
      if (r.call_id == f.at("call") && r.outcome == "open") r.outcome = "cancelled";
    print(e.date + "  " + f.at("call").get<std::string>() +
          " cancelled: " + f.at("reason").get<std::string>());
  } else if (type == "call_closed") {
    print(e.date + "  " + f.at("call").get<std::string>() +
          " closed: " + f.at("reason").get<std::string>());
  } else if (type == "terms_revised") {
    print(e.date + "  " + f.at("call").get<std::string>() +
          " terms revised: " + f.at("term").get<std::string>() + " " +
          f.at("from").get<std::string>() + " -> " + f.at("to").get<std::string>());
  } else if (type == "contract_signed") {
    std::vector<std::string> members = f.at("members");
    for (auto& r : rows_)
      if (r.call_id == f.at("call") && r.round == f.at("round"))
        for (const auto& member : members)  // several winners: every consortium's members
          if (std::find(r.winning_members.begin(), r.winning_members.end(), member) ==
              r.winning_members.end())
            r.winning_members.push_back(member);
    public_money_ += f.at("public_money_bn_krw").get<double>();
    public_equity_ += f.at("public_equity_bn_krw").get<double>();
    private_equity_ += f.at("private_equity_bn_krw").get<double>();
    tax_credit_ += f.at("tax_credit_bn_krw").get<double>();
    if (first_contract_date_.empty()) first_contract_date_ = e.date;
    print(e.date + "  contract signed for " + f.at("call").get<std::string>() + " with " +
          join(members, " + ") + "; public money " +
          fixed(f.at("public_money_bn_krw").get<double>(), 1) + " bn KRW");
  } else if (type == "capacity_online") {
    gpus_online_ += f.at("gpus").get<std::int64_t>();
    if (f.at("site") == "non_capital") gpus_non_capital_ += f.at("gpus").get<std::int64_t>();
    mw_online_ += f.at("mw").get<double>();
    if (first_capacity_date_.empty()) first_capacity_date_ = e.date;
    print(e.date + "  " + std::to_string(f.at("gpus").get<std::int64_t>()) + " GPUs online (" +
          f.at("site").get<std::string>() + " site" +
          (f.at("delayed").get<bool>() ? ", one year late" : "") + ")");
  }
  if (type == "month_start" || type == "year_start") {
    monthly_rows_.push_back(e.date + "," + std::to_string(f.at("gpus_online").get<std::int64_t>()) +
                            "," +
                            std::to_string(f.value("gpus_online_non_capital", std::int64_t{0})) +
                            "," + fixed(f.value("mw_online", 0.0), 3) + "," +
                            fixed(f.at("public_money_committed_bn_krw").get<double>(), 3) + "," +
                            fixed(f.value("private_money_committed_bn_krw", 0.0), 3));
  }
  if (type == "year_start" || type == "simulation_ended") {
    const int year = std::stoi(e.date.substr(0, 4)) - (type == "year_start" ? 1 : 0);
    gpus_online_by_year_end_[year] = f.at("gpus_online").get<std::int64_t>();
  } else if (type == "exogenous_event") {
    print(e.date + "  " + f.at("kind").get<std::string>() + ": " +
          f.at("description").get<std::string>());
  }
}

std::string RunReport::tenders_csv() const {
  std::ostringstream out;
  out << "call_id,round,round_kind,announce_date,close_date,min_valid_bids,received_bids,"
         "valid_bids,bidders,outcome,reason,winner,winning_members,public_equity_share,"
         "buy_back,public_preferred,loss_bearing,damages_waiver,domestic_chip_share,site,"
         "tax_credit,ceiling_price_bn_krw,revision,stayed_away,top_reasons\r\n";
  for (const auto& r : rows_) {
    std::vector<std::string> away, reasons;
    for (const auto& [agent, text] : r.stayed_away) {
      away.push_back(agent);
      reasons.push_back(agent + ": " + text);
    }
    auto term = [&](const char* name) {
      return r.terms.contains(name) ? scalar_text(r.terms.at(name)) : std::string();
    };
    std::vector<std::string> fields = {r.call_id,
                                       std::to_string(r.round),
                                       r.round_kind,
                                       r.announce_date,
                                       r.close_date,
                                       std::to_string(r.min_valid_bids),
                                       std::to_string(r.received_bids),
                                       std::to_string(r.valid_bids),
                                       join(r.bidders, ";"),
                                       r.outcome,
                                       r.reason,
                                       r.winner,
                                       join(r.winning_members, ";"),
                                       term("public_equity_share"),
                                       term("buy_back"),
                                       term("public_preferred"),
                                       term("loss_bearing"),
                                       term("damages_waiver"),
                                       term("domestic_chip_share"),
                                       term("site"),
                                       term("tax_credit"),
                                       term("ceiling_price_bn_krw"),
                                       r.revision,
                                       join(away, ";"),
                                       join(reasons, " | ")};
    for (std::size_t i = 0; i < fields.size(); ++i)
      out << (i ? "," : "") << csv_field(fields[i]);
    out << "\r\n";
  }
  return out.str();
}

std::string RunReport::timeseries_csv() const {
  std::string out =
      "date,gpus_online,gpus_online_non_capital,mw_online,public_money_committed_bn_krw,"
      "private_money_committed_bn_krw\r\n";
  for (const auto& row : monthly_rows_)
    out += row + "\r\n";
  return out;
}

std::map<std::string, double> RunReport::kpis() const {
  std::map<std::string, double> k;
  // Per call, prefixed with its id; the first call announced (the scenario's main call) also
  // without prefix, so single-call studies keep short names.
  std::vector<std::string> calls;
  for (const auto& r : rows_)
    if (std::find(calls.begin(), calls.end(), r.call_id) == calls.end()) calls.push_back(r.call_id);
  for (const auto& call : calls) {
    std::map<std::string, double> per_call;
    int rounds = 0, award_round = 0, failed = 0;
    for (const auto& r : rows_) {
      if (r.call_id != call) continue;
      ++rounds;
      if (r.outcome == "failed") ++failed;
      if ((r.outcome == "awarded" || r.outcome == "negotiated") && award_round == 0)
        award_round = r.round;
      const std::string n = std::to_string(r.round);
      per_call["bids_round_" + n] = r.received_bids;
      per_call["any_bid_round_" + n] = r.received_bids > 0 ? 1 : 0;
      if (auto it = best_value_.find(r.call_id + "#" + n); it != best_value_.end())
        per_call["best_value_round_" + n] = it->second;
    }
    per_call["rounds"] = rounds;
    per_call["failed_rounds"] = failed;
    per_call["awarded"] = award_round > 0 ? 1 : 0;
    per_call["award_round"] = award_round;
    for (const auto& [name, value] : per_call) {
      k[call + "." + name] = value;
      if (call == calls.front()) k[name] = value;
    }
  }
  if (calls.empty())
    for (const char* name : {"rounds", "failed_rounds", "awarded", "award_round"})
      k[name] = 0;
  k["gpus_online"] = static_cast<double>(gpus_online_);
  k["mw_online"] = mw_online_;
  // Share of the capacity online outside the capital region (0 when nothing is online).
  k["share_outside_capital"] =
      gpus_online_ > 0 ? static_cast<double>(gpus_non_capital_) / static_cast<double>(gpus_online_)
                       : 0.0;
  for (const auto& [year, gpus] : gpus_online_by_year_end_)
    k["gpus_online_end_" + std::to_string(year)] = static_cast<double>(gpus);
  k["public_money_bn_krw"] = public_money_;
  k["public_equity_bn_krw"] = public_equity_;
  k["private_equity_bn_krw"] = private_equity_;
  k["tax_credit_bn_krw"] = tax_credit_;
  // Calibration targets: 1 when the run reproduces what happened, 0 otherwise.
  if (!history_.empty()) {
    double all = 1;
    for (const auto& target : history_) {
      double match = 0;
      for (const auto& r : rows_) {
        if (r.call_id != target.call || r.round != target.round) continue;
        bool same = r.outcome == target.outcome;
        if (target.bids) same = same && r.received_bids == *target.bids;
        if (target.winner_kind)
          same = same && r.winner_kinds.size() == 1 &&
                 r.winner_kinds.front() == to_string(*target.winner_kind);
        match = same ? 1 : 0;
      }
      k["history_" + target.call + "_round_" + std::to_string(target.round)] = match;
      all = std::min(all, match);
    }
    k["history_match"] = all;
  }
  return k;
}

nlohmann::ordered_json RunReport::summary() const {
  nlohmann::ordered_json s;
  s["format"] = "tenderlab-summary/1";
  s["start_date"] = start_date_;
  s["end_date"] = end_date_;
  s["events"] = events_;
  nlohmann::ordered_json calls = nlohmann::ordered_json::array();
  std::map<std::string, nlohmann::ordered_json> by_call;
  std::vector<std::string> order;
  for (const auto& r : rows_) {
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
  s["first_contract_date"] = first_contract_date_.empty()
                                 ? nlohmann::ordered_json(nullptr)
                                 : nlohmann::ordered_json(first_contract_date_);
  s["first_capacity_date"] = first_capacity_date_.empty()
                                 ? nlohmann::ordered_json(nullptr)
                                 : nlohmann::ordered_json(first_capacity_date_);
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
    if (!j.is_object() || !j.contains("seq") || !j.contains("type"))
      throw InputError({InputProblem{where, "", "an event with seq, time, date, type and agent",
                                     describe_json(nlohmann::json::parse(j.dump()))}});
    Event e;
    e.seq = j.at("seq").get<std::uint64_t>();
    e.time = j.at("time").get<double>();
    e.date = j.at("date").get<std::string>();
    e.type = j.at("type").get<std::string>();
    e.agent = j.at("agent").get<std::string>();
    for (auto& [key, value] : j.items())
      if (key != "seq" && key != "time" && key != "date" && key != "type" && key != "agent")
        e.fields[key] = value;
    events.push_back(std::move(e));
  }
  return events;
}

}  // namespace tenderlab::analysis
