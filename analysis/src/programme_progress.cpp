#include <algorithm>
#include <cmath>
#include <numeric>
#include <set>

#include "report_text.hpp"
#include "tenderlab/analysis/report_observers.hpp"

namespace tenderlab::analysis {

ProgrammeProgress::ProgrammeProgress(EventDispatcher& events, std::vector<ProgrammeTarget> targets,
                                     std::int64_t gpus_at_start)
    : targets_(std::move(targets)), gpus_at_start_(gpus_at_start) {
  events.on<events::CapacityOnline>([this](const Event& e, const events::CapacityOnline& c) {
    public_gpus_ += c.gpus;
    public_mw_ += c.mw;
    if (c.site == "non_capital") non_capital_gpus_ += c.gpus;
    gpus_by_owner_[e.agent] += c.gpus;
    peak_mw_ = std::max(peak_mw_, public_mw_ + fleet_mw_);
    check_targets(e.date);
  });
  events.on<events::FleetOnline>([this](const Event& e, const events::FleetOnline& f) {
    fleet_gpus_ += f.gpus;
    fleet_mw_ += f.mw;
    if (f.region == "non_capital") non_capital_gpus_ += f.gpus;
    gpus_by_owner_[e.agent] += f.gpus;
    peak_mw_ = std::max(peak_mw_, public_mw_ + fleet_mw_);
    check_targets(e.date);
  });
  events.on<events::FleetDecision>([this](const Event& e, const events::FleetDecision& d) {
    const int year = std::stoi(e.date.substr(0, 4));
    ++bindings_by_year_[year][d.binding];
    fleet_orders_by_year_[year] += d.gpus;
    fleet_capex_ += d.capex_bn_krw;
    fleet_tax_credit_ += d.tax_credit_bn_krw;
  });
  events.on<events::InstrumentCost>([this](const Event& e, const events::InstrumentCost& c) {
    anchor_gpu_hours_ += c.anchor_gpu_hours;
    anchor_cost_ += c.anchor_bn_krw;
    tariff_discount_ += c.tariff_discount_bn_krw;
    instruments_on_[e.date] += c.anchor_bn_krw;
    instruments_on_[e.date] += c.tariff_discount_bn_krw;
  });
  events.on<events::ContractSigned>([this](const Event&, const events::ContractSigned& c) {
    contract_public_cost_ += c.public_cost_bn_krw;
    contract_private_equity_ += c.private_equity_bn_krw;
  });
  events.on<events::ConnectionRequested>(
      [this](const Event&, const events::ConnectionRequested& r) { mw_requested_ += r.mw; });
  events.on<events::ConnectionDecided>([this](const Event&, const events::ConnectionDecided& d) {
    mw_granted_ += d.granted_mw;
    if (d.decision == "granted") waits_.push_back(d.waited_days);
  });
  events.on<events::OtherApplicationsDecided>(
      [this](const Event&, const events::OtherApplicationsDecided& d) {
        OtherApplications& into = d.capital_region ? others_capital_ : others_non_capital_;
        into.requested_mw += d.requested_mw;
        into.granted_mw += d.granted_mw;
      });
  events.on<events::DeliveryPipeline>([this](const Event& e, const events::DeliveryPipeline& p) {
    pipeline_by_year_[detail::year_ended_by(e.date)] = p;
  });
  events.on<events::GpusAllocated>([this](const Event&, const events::GpusAllocated& a) {
    outstanding_by_order_[a.order] = a.outstanding;
  });
}

void ProgrammeProgress::check_targets(const std::string& date) {
  for (const ProgrammeTarget& target : targets_) {
    if (reached_.count(target.id)) continue;
    const std::int64_t online = target.scope == TargetScope::public_gpus
                                    ? public_gpus_
                                    : gpus_at_start_ + public_gpus_ + fleet_gpus_;
    if (online >= target.gpus) reached_[target.id] = date;
  }
}

double ProgrammeProgress::public_cost() const {
  return (contract_public_cost_ + fleet_tax_credit_ + anchor_cost_ + tariff_discount_).value();
}

double ProgrammeProgress::instruments_by(const std::string& date) const {
  LoggedSum sum;
  for (auto it = instruments_on_.begin(); it != instruments_on_.end() && !(date < it->first); ++it)
    sum += it->second;
  return sum;
}

void ProgrammeProgress::add_kpis(std::map<std::string, double>& kpis) const {
  kpis["fleet_gpus_online"] = static_cast<double>(fleet_gpus_);
  kpis["gpus_online_all"] = static_cast<double>(public_gpus_ + fleet_gpus_);
  kpis["fleet_capex_bn_krw"] = fleet_capex_;
  kpis["fleet_tax_credit_bn_krw"] = fleet_tax_credit_;
  kpis["anchor_purchases_bn_krw"] = anchor_cost_;
  kpis["tariff_discount_bn_krw"] = tariff_discount_;
  kpis["programme_public_cost_bn_krw"] = public_cost();
  kpis["connection_wait_days_mean"] =
      waits_.empty()
          ? 0.0
          : static_cast<double>(std::accumulate(waits_.begin(), waits_.end(), std::int64_t{0})) /
                static_cast<double>(waits_.size());
  kpis["peak_mw"] = peak_mw_;
  // What the programme costs the state per GPU it brought online (calls and fleets), and the
  // private money it drew in per won: SPC equity and fleet capex net of the fleets' tax credit,
  // over the public cost. 0 when the denominator is.
  const double public_cost = this->public_cost();
  const double new_gpus = static_cast<double>(public_gpus_ + fleet_gpus_);
  kpis["public_cost_per_gpu_bn_krw"] = new_gpus > 0 ? public_cost / new_gpus : 0.0;
  kpis["private_per_public_won"] =
      public_cost > 0 ? (contract_private_equity_ + fleet_capex_ - fleet_tax_credit_) / public_cost
                      : 0.0;
  // Ownership concentration: the Herfindahl-Hirschman index of the GPUs online by owner (a
  // contract's lead, a fleet's owner), in [0, 1]; 0 with none online.
  const double total = static_cast<double>(public_gpus_ + fleet_gpus_);
  double hhi = 0;
  for (const auto& [owner, gpus] : gpus_by_owner_)
    if (total > 0) hhi += std::pow(static_cast<double>(gpus) / total, 2);
  kpis["gpus_hhi"] = hhi;
  for (const ProgrammeTarget& target : targets_) {
    const auto it = reached_.find(target.id);
    const bool in_time = it != reached_.end() && !(target.by.iso() < it->second);
    kpis["target_" + target.id + "_reached"] = in_time ? 1.0 : 0.0;
  }
}

nlohmann::ordered_json ProgrammeProgress::summary() const {
  nlohmann::ordered_json p;
  std::map<std::string, double> kpis;
  add_kpis(kpis);
  nlohmann::ordered_json targets = nlohmann::ordered_json::array();
  for (const ProgrammeTarget& target : targets_) {
    const auto it = reached_.find(target.id);
    nlohmann::ordered_json t;
    t["id"] = target.id;
    t["gpus"] = target.gpus;
    t["scope"] = target_scope_names[static_cast<std::size_t>(target.scope)];
    t["by"] = target.by.iso();
    t["reached"] =
        it == reached_.end() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(it->second);
    t["met"] = kpis.at("target_" + target.id + "_reached") > 0;
    t["online_at_end"] = target.scope == TargetScope::public_gpus
                             ? public_gpus_
                             : gpus_at_start_ + public_gpus_ + fleet_gpus_;
    targets.push_back(t);
  }
  p["targets"] = targets;
  p["gpus_online_calls"] = public_gpus_;
  p["gpus_online_fleets"] = fleet_gpus_;
  p["gpus_online_all"] = public_gpus_ + fleet_gpus_;
  p["gpus_at_start"] = gpus_at_start_;
  const double all = static_cast<double>(public_gpus_ + fleet_gpus_);
  p["share_outside_capital"] = all > 0 ? static_cast<double>(non_capital_gpus_) / all : 0.0;
  p["peak_mw"] = peak_mw_;
  p["fleet_capex_bn_krw"] = fleet_capex_;
  p["fleet_tax_credit_bn_krw"] = fleet_tax_credit_;
  p["gpus_hhi"] = kpis.at("gpus_hhi");
  p["anchor_gpu_hours"] = anchor_gpu_hours_;
  p["anchor_purchases_bn_krw"] = anchor_cost_;
  p["tariff_discount_bn_krw"] = tariff_discount_;
  p["public_cost_bn_krw"] = public_cost();
  p["public_cost_by_item"] = {{"contracts", contract_public_cost_},
                              {"fleet_tax_credit", fleet_tax_credit_},
                              {"anchor_purchases", anchor_cost_},
                              {"tariff_discount", tariff_discount_}};
  p["public_cost_per_gpu_bn_krw"] = kpis.at("public_cost_per_gpu_bn_krw");
  p["private_per_public_won"] = kpis.at("private_per_public_won");
  p["connection_wait_days_mean"] = kpis.at("connection_wait_days_mean");
  p["connection_wait_days_max"] =
      waits_.empty() ? 0 : *std::max_element(waits_.begin(), waits_.end());
  p["mw_requested"] = mw_requested_;
  p["mw_granted"] = mw_granted_;
  nlohmann::ordered_json others;
  for (const auto& [name, sums] :
       {std::pair{"capital", &others_capital_}, std::pair{"non_capital", &others_non_capital_}}) {
    nlohmann::ordered_json o;
    o["requested_mw"] = sums->requested_mw;
    o["granted_mw"] = sums->granted_mw;
    others[name] = o;
  }
  p["other_applications"] = others;
  std::int64_t waiting = 0;
  for (const auto& [order, gpus] : outstanding_by_order_)
    waiting += gpus;
  p["gpus_waiting_for_vendors"] = waiting;
  // Why fleets stopped, year by year: how many quarterly decisions each bound stopped, and the
  // GPUs ordered.
  nlohmann::ordered_json years = nlohmann::ordered_json::object();
  for (const auto& [year, counts] : bindings_by_year_) {
    nlohmann::ordered_json y;
    for (const char* bound : {"value", "capital", "vendor", "grid"}) {
      const auto it = counts.find(bound);
      y[bound] = it == counts.end() ? 0 : it->second;
    }
    const auto ordered = fleet_orders_by_year_.find(year);
    y["gpus_ordered"] = ordered == fleet_orders_by_year_.end() ? 0 : ordered->second;
    years[std::to_string(year)] = y;
  }
  p["fleet_limits_by_year"] = years;
  // What the GPUs ordered and not running at each year's end waited for.
  nlohmann::ordered_json pipeline = nlohmann::ordered_json::object();
  for (const auto& [year, state] : pipeline_by_year_) {
    auto by_cause = [](const events::WaitingGpus& w) {
      nlohmann::ordered_json o;
      o["for_vendor"] = w.for_vendor;
      o["for_building"] = w.for_building;
      o["for_power"] = w.for_power;
      return o;
    };
    nlohmann::ordered_json y;
    y["calls"] = by_cause(state.calls);
    y["fleets"] = by_cause(state.fleets);
    nlohmann::ordered_json mw = nlohmann::ordered_json::object();
    for (const events::RegionMw& r : state.mw_waiting)
      mw[r.region] = r.mw;
    y["mw_waiting"] = mw;
    pipeline[std::to_string(year)] = y;
  }
  p["pipeline_by_year"] = pipeline;
  return p;
}

namespace {

std::string waiting_text(const events::WaitingGpus& w) {
  const std::int64_t all = w.for_vendor + w.for_building + w.for_power;
  if (all == 0) return "none";
  std::string text = std::to_string(all) + " (";
  const char* separator = "";
  for (const auto& [count, cause] :
       {std::pair{w.for_vendor, "vendor"}, std::pair{w.for_building, "building"},
        std::pair{w.for_power, "grid power"}}) {
    if (count == 0) continue;
    text += separator + std::to_string(count) + " " + cause;
    separator = ", ";
  }
  return text + ")";
}

}  // namespace

std::string ProgrammeProgress::pipeline_line(const events::DeliveryPipeline& p) {
  std::string line = "       at year end, GPUs ordered not running: calls " +
                     waiting_text(p.calls) + ", fleets " + waiting_text(p.fleets) +
                     "; MW waiting for the grid: ";
  double mw = 0;
  std::string regions;
  for (const events::RegionMw& r : p.mw_waiting) {
    mw += r.mw;
    regions += (regions.empty() ? "" : ", ") + (r.region.empty() ? "no region" : r.region) + " " +
               detail::fixed(r.mw, 1);
  }
  return line + (p.mw_waiting.empty() ? "none" : detail::fixed(mw, 1) + " (" + regions + ")");
}

std::vector<std::string> ProgrammeProgress::verdict() const {
  std::vector<std::string> lines;
  if (targets_.empty() && bindings_by_year_.empty() && pipeline_by_year_.empty()) return lines;
  const nlohmann::ordered_json p = summary();
  for (const auto& t : p["targets"]) {
    std::string line = "target " + t["id"].get<std::string>() + ": " +
                       std::to_string(t["gpus"].get<std::int64_t>()) + " GPUs (" +
                       t["scope"].get<std::string>() + ") by " + t["by"].get<std::string>() + ": ";
    if (t["reached"].is_null())
      line += "NOT reached; " + std::to_string(t["online_at_end"].get<std::int64_t>()) +
              " online at the end";
    else
      line += std::string(t["met"].get<bool>() ? "reached " : "reached late, ") +
              t["reached"].get<std::string>();
    lines.push_back(line);
  }
  lines.push_back("GPUs online: " + std::to_string(gpus_at_start_) + " at the start, " +
                  std::to_string(public_gpus_) + " more through calls, " +
                  std::to_string(fleet_gpus_) + " more in private fleets (" +
                  detail::fixed(fleet_capex_, 1) + " bn KRW private capex)");
  lines.push_back("public cost " + detail::fixed(public_cost(), 1) + " bn KRW (contracts " +
                  detail::fixed(contract_public_cost_, 1) + ", fleets' tax credits " +
                  detail::fixed(fleet_tax_credit_, 1) + ", anchor purchases " +
                  detail::fixed(anchor_cost_, 1) + ", tariff discount " +
                  detail::fixed(tariff_discount_, 1) + "), " +
                  detail::fixed(1000 * p["public_cost_per_gpu_bn_krw"].get<double>(), 1) +
                  " million KRW per GPU brought online; " +
                  detail::fixed(p["private_per_public_won"].get<double>(), 2) +
                  " won of private money per public won");
  std::set<int> years;
  for (const auto& [year, counts] : bindings_by_year_)
    years.insert(year);
  for (const auto& [year, state] : pipeline_by_year_)
    years.insert(year);
  for (const int year : years) {
    const std::string name = std::to_string(year);
    if (p["fleet_limits_by_year"].contains(name)) {
      const auto& limits = p["fleet_limits_by_year"][name];
      std::string line = "  " + name + " fleets ordered " +
                         std::to_string(limits["gpus_ordered"].get<std::int64_t>()) +
                         " GPUs; decisions stopped by";
      for (const char* bound : {"value", "capital", "vendor", "grid"})
        line += std::string(" ") + bound + " " + std::to_string(limits[bound].get<int>());
      lines.push_back(line);
    } else {
      lines.push_back("  " + name);
    }
    if (const auto it = pipeline_by_year_.find(year); it != pipeline_by_year_.end())
      lines.push_back(pipeline_line(it->second));
  }
  if (!waits_.empty())
    lines.push_back(
        "grid connections: " + std::to_string(waits_.size()) + " granted in full, mean wait " +
        detail::fixed(p["connection_wait_days_mean"].get<double>(), 0) + " days (longest " +
        std::to_string(p["connection_wait_days_max"].get<std::int64_t>()) + ")");
  // What data centres outside the model took of the headroom, where they applied.
  if (others_capital_.requested_mw > 0 || others_non_capital_.requested_mw > 0) {
    std::string line = "other data centres' applications:";
    const char* separator = " ";
    for (const auto& [where, sums] : {std::pair{"capital region", &others_capital_},
                                      std::pair{"elsewhere", &others_non_capital_}}) {
      if (sums->requested_mw <= 0) continue;
      line += separator + detail::fixed(sums->granted_mw, 0) + " of " +
              detail::fixed(sums->requested_mw, 0) + " MW granted (" + where + ")";
      separator = ", ";
    }
    lines.push_back(line);
  }
  return lines;
}

}  // namespace tenderlab::analysis
