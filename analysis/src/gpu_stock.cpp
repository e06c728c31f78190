#include "report_text.hpp"
#include "tenderlab/analysis/report_observers.hpp"

namespace tenderlab::analysis {

GpuStock::GpuStock(EventDispatcher& events, const std::vector<StartingGpus>& start) {
  for (const StartingGpus& s : start)
    if (s.gpus > 0) add({s.owner, "start", s.generation, "", ""}, s.gpus, 0.0);
  events.on<events::CapacityOnline>([this](const Event& e, const events::CapacityOnline& c) {
    add({e.agent, c.call, c.generation.value_or(""), c.grid_region.value_or(""), c.site}, c.gpus,
        c.mw);
  });
  events.on<events::FleetOnline>([this](const Event& e, const events::FleetOnline& f) {
    add({e.agent, "fleet", f.generation.value_or(""), f.grid_region.value_or(""), f.region}, f.gpus,
        f.mw);
  });
  // The same boundaries as timeseries.csv: the state as each month begins.
  events.on<events::MonthStart>(
      [this](const Event& e, const events::MonthStart&) { snapshot(e.date); });
  events.on<events::YearStart>(
      [this](const Event& e, const events::YearStart&) { snapshot(e.date); });
}

void GpuStock::add(const Key& key, std::int64_t gpus, double mw) {
  Stock& stock = stock_[key];
  stock.gpus += gpus;
  stock.mw += mw;
}

void GpuStock::snapshot(const std::string& date) {
  for (const auto& [key, stock] : stock_) {
    if (stock.gpus <= 0) continue;
    rows_ += date + "," + detail::csv_field(key.owner) + "," + detail::csv_field(key.source) + "," +
             detail::csv_field(key.generation) + "," + detail::csv_field(key.region) + "," +
             key.region_class + "," + std::to_string(stock.gpus) + "," +
             (key.source == "start" ? std::string() : detail::fixed(stock.mw, 3)) + "\r\n";
  }
}

std::string GpuStock::csv() const {
  return "date,owner,source,generation,region,region_class,gpus_online,mw_online\r\n" + rows_;
}

nlohmann::ordered_json GpuStock::by_dimension() const {
  std::map<std::string, std::int64_t> owner, generation, region, region_class;
  for (const auto& [key, stock] : stock_) {
    owner[key.owner] += stock.gpus;
    generation[key.generation] += stock.gpus;
    region[key.region] += stock.gpus;
    region_class[key.region_class] += stock.gpus;
  }
  auto object = [](const std::map<std::string, std::int64_t>& totals) {
    nlohmann::ordered_json o = nlohmann::ordered_json::object();
    for (const auto& [id, gpus] : totals)
      o[id] = gpus;
    return o;
  };
  nlohmann::ordered_json by;
  by["owner"] = object(owner);
  by["generation"] = object(generation);
  by["region"] = object(region);
  by["region_class"] = object(region_class);
  return by;
}

}  // namespace tenderlab::analysis
