#include <algorithm>
#include <cmath>
#include <tuple>

#include "report_text.hpp"
#include "tenderlab/analysis/report_observers.hpp"
#include "tenderlab/engine/spc_measure.hpp"

namespace tenderlab::analysis {

namespace {

const std::string public_pool = "public";

double ratio(double numerator, double denominator) {
  return denominator > 0 ? numerator / denominator : 0.0;
}

double rounded(double value, double step) {
  // Divided by the whole number of steps per unit: the double nearest the decimal.
  const double per_unit = std::round(1 / step);
  const double r = std::round(value * per_unit) / per_unit;
  return r == 0.0 ? 0.0 : r;
}

/// null when nothing was measured, so that no reader takes 0 % for a measured idle pool.
nlohmann::ordered_json share_or_null(double busy, double capacity) {
  if (capacity <= 0) return nullptr;
  return rounded(busy / capacity, 1e-4);
}

std::string percent(double share) {
  return detail::fixed(100.0 * share, 0) + " %";
}

/// Months since year 0 of an ISO date's month.
int month_index(const std::string& date) {
  return std::stoi(date.substr(0, 4)) * 12 + std::stoi(date.substr(5, 2)) - 1;
}

/// The outlook's figure for an operating year, 0 beyond the contract's years.
double in_year(const std::vector<double>& per_year, std::size_t year) {
  return year < per_year.size() ? per_year[year] : 0.0;
}

void add_figures(ComputeUse::Outturn::Figures& into, const ComputeUse::Outturn::Figures& part) {
  into.capacity_gpu_hours += part.capacity_gpu_hours;
  into.busy_gpu_hours += part.busy_gpu_hours;
  into.sales += part.sales;
  into.power += part.power;
  into.om += part.om;
  into.expected_busy_gpu_hours += part.expected_busy_gpu_hours;
  into.expected_sales += part.expected_sales;
  into.expected_power += part.expected_power;
  into.lender_base_case += part.lender_base_case;
}

nlohmann::ordered_json measured_and_expected(double measured, double expected, double step) {
  return {{"measured", rounded(measured, step)}, {"expected", rounded(expected, step)}};
}

nlohmann::ordered_json outturn_json(const ComputeUse::Outturn::Figures& f) {
  nlohmann::ordered_json margin = measured_and_expected(f.margin(), f.expected_margin(), 0.001);
  margin["lender_base_case"] = rounded(f.lender_base_case, 0.001);
  return {{"capacity_gpu_hours", rounded(f.capacity_gpu_hours, 0.01)},
          {"utilization",
           {{"measured", share_or_null(f.busy_gpu_hours, f.capacity_gpu_hours)},
            {"expected", share_or_null(f.expected_busy_gpu_hours, f.capacity_gpu_hours)}}},
          {"sales_bn_krw", measured_and_expected(f.sales, f.expected_sales, 0.001)},
          {"power_bn_krw", measured_and_expected(f.power, f.expected_power, 0.001)},
          {"om_bn_krw", rounded(f.om, 0.001)},
          {"margin_bn_krw", margin}};
}

/// The contract settled on the measured years: totals, the first default, and each year's line.
nlohmann::ordered_json settlement_json(const std::vector<events::SpcYearSettled>& settled) {
  double shortfall = 0, private_support = 0, public_support = 0, paid = 0;
  std::optional<std::int64_t> defaulted;
  std::optional<double> lowest_cover;
  nlohmann::ordered_json years = nlohmann::ordered_json::array();
  for (const events::SpcYearSettled& year : settled) {
    shortfall += year.shortfall_bn_krw;
    private_support += year.private_support_bn_krw;
    public_support += year.public_support_bn_krw;
    paid += year.debt_service_paid_bn_krw;
    if (year.status == "defaulted" && !defaulted) defaulted = year.operating_year;
    if (year.cover_ratio && (!lowest_cover || *year.cover_ratio < *lowest_cover))
      lowest_cover = year.cover_ratio;
    nlohmann::ordered_json line = encode(year);
    line.erase("call");
    years.push_back(std::move(line));
  }
  const auto or_null = [](const auto& value) {
    return value ? nlohmann::ordered_json(*value) : nlohmann::ordered_json(nullptr);
  };
  return {{"operating_years", settled.size()},
          {"debt_service_paid_bn_krw", rounded(paid, 0.001)},
          {"shortfall_bn_krw", rounded(shortfall, 0.001)},
          {"private_support_bn_krw", rounded(private_support, 0.001)},
          {"public_support_bn_krw", rounded(public_support, 0.001)},
          {"lowest_cover_ratio", or_null(lowest_cover)},
          {"defaulted_in_operating_year", or_null(defaulted)},
          {"by_operating_year", std::move(years)}};
}

/// One line of the verdict: each settled year's debt-service cover and what became of it.
std::string settlement_summary(const ComputeUse::Outturn& outturn) {
  std::string line = "SPC " + outturn.call + " settled on its measured use:";
  double public_support = 0, private_support = 0;
  bool defaulted = false;
  for (const events::SpcYearSettled& year : outturn.settled) {
    line += &year == &outturn.settled.front() ? " " : "; ";
    line += year.operating_year == 0 ? std::string("the year lost to its delivery's delay")
                                     : "year " + std::to_string(year.operating_year);
    line += year.cover_ratio ? " cover " + detail::fixed(*year.cover_ratio, 2) : ", no service due";
    if (year.shortfall_bn_krw > 0)
      line += ", short " + detail::fixed(year.shortfall_bn_krw, 1) + " bn KRW";
    if (year.status == "defaulted")
      line += defaulted ? ", in default" : ", defaulted (beyond the shareholders' support)";
    else if (year.status == "supported")
      line += ", funded by the shareholders";
    defaulted = defaulted || year.status == "defaulted";
    public_support += year.public_support_bn_krw;
    private_support += year.private_support_bn_krw;
  }
  line += "; shareholders' support " + detail::fixed(private_support + public_support, 1) +
          " bn KRW (public " + detail::fixed(public_support, 1) + ")";
  return line;
}

}  // namespace

ComputeUse::ComputeUse(EventDispatcher& events) {
  events.on<events::ComputeMonth>([this](const Event& e, const events::ComputeMonth& m) {
    // Rows by date, then pool: the pools report at the same instant in whatever order the
    // engine runs them, and the file and the sums over it should not depend on that.
    const auto at = std::upper_bound(pool_rows_.begin(), pool_rows_.end(), std::tie(e.date, m.pool),
                                     [](const auto& key, const PoolRow& row) {
                                       return key < std::tie(row.date, row.month.pool);
                                     });
    pool_rows_.insert(at, {e.date, m});
    Period& period = periods_[e.date];
    // An SPC's GPUs are among the public ones whether they serve public users or are sold.
    const bool is_public = m.kind != "fleet";
    (is_public ? period.public_capacity : period.private_capacity) += m.capacity_gpu_hours;
    (is_public ? period.public_busy : period.private_busy) += m.busy_gpu_hours;
    period.jobs_waiting += m.jobs_waiting;
    period.facility_mwh += m.facility_mwh;
    // A period belongs to the year it started in.
    YearUse& year = years_[std::stoi(m.from.substr(0, 4))];
    (is_public ? year.public_capacity : year.private_capacity) += m.capacity_gpu_hours;
    (is_public ? year.public_busy : year.private_busy) += m.busy_gpu_hours;
    for (const events::GroupUse& use : m.groups) {
      GroupTotals& group = groups_[use.group];
      group.gpu_hours += use.gpu_hours;
      group.jobs_started += use.jobs_started;
      group.jobs_lost += use.jobs_lost;
      group.jobs_reneged += use.jobs_reneged;
      group.wait_hours += use.wait_hours;
    }
  });
  events.on<events::ContractOutlook>(
      [this](const Event&, const events::ContractOutlook& o) { spc_[o.call].outlook = o; });
  events.on<events::SpcYearSettled>([this](const Event&, const events::SpcYearSettled& settled) {
    spc_[settled.call].settled.push_back(settled);
  });
  events.on<events::CapacityOnline>([this](const Event& e, const events::CapacityOnline& c) {
    if (auto found = spc_.find(c.call); found != spc_.end() && found->second.first_online.empty())
      found->second.first_online = e.date;
  });
  events.on<events::DemandMonth>([this](const Event&, const events::DemandMonth& d) {
    GroupTotals& group = groups_[d.group];
    group.kind = d.kind;
    group.commercial_jobs += d.commercial_jobs;
    group.applications += d.applications;
    group.unserved_jobs += d.unserved_jobs;
  });
  events.on<events::AllocationDecided>([this](const Event& e, const events::AllocationDecided& a) {
    allocations_.push_back({e.date, a});
    for (const events::GroupAward& award : a.groups) {
      GroupTotals& group = groups_[award.group];
      group.awarded_gpus += award.awarded_gpus;
      group.requested_gpus += award.requested_gpus;
    }
  });
}

ComputeUse::GroupTotals ComputeUse::sum_of_groups(const std::string& kind) const {
  GroupTotals sum;
  sum.kind = kind;
  for (const auto& [id, g] : groups_) {
    if (!kind.empty() && g.kind != kind) continue;
    sum.gpu_hours += g.gpu_hours;
    sum.jobs_started += g.jobs_started;
    sum.jobs_lost += g.jobs_lost;
    sum.jobs_reneged += g.jobs_reneged;
    sum.wait_hours += g.wait_hours;
    sum.unserved_jobs += g.unserved_jobs;
  }
  return sum;
}

const ComputeUse::Period* ComputeUse::period_ending(const std::string& date) const {
  const auto found = periods_.find(date);
  return found == periods_.end() ? nullptr : &found->second;
}

std::string ComputeUse::csv() const {
  std::string out =
      "date,from,pool,kind,group,gpus,capacity_gpu_hours,busy_gpu_hours,utilization,"
      "jobs_submitted,jobs_started,jobs_lost,jobs_waiting,gpus_waiting,mean_wait_hours,it_mwh,"
      "facility_mwh,energy_cost_bn_krw,value_bn_krw,jobs_backfilled,jobs_reneged\r\n";
  for (const PoolRow& row : pool_rows_) {
    const events::ComputeMonth& m = row.month;
    out += row.date + "," + m.from + "," + detail::csv_field(m.pool) + "," +
           detail::csv_field(m.kind) + ",," + std::to_string(m.gpus) + "," +
           detail::fixed(m.capacity_gpu_hours, 2) + "," + detail::fixed(m.busy_gpu_hours, 2) + "," +
           detail::fixed(m.utilization, 4) + "," + std::to_string(m.jobs_submitted) + "," +
           std::to_string(m.jobs_started) + "," + std::to_string(m.jobs_lost) + "," +
           std::to_string(m.jobs_waiting) + "," + std::to_string(m.gpus_waiting) + "," +
           detail::fixed(m.mean_wait_hours, 2) + "," + detail::fixed(m.it_mwh, 3) + "," +
           detail::fixed(m.facility_mwh, 3) + "," + detail::fixed(m.energy_cost_bn_krw, 3) + "," +
           detail::fixed(m.value_bn_krw, 3) + "," + std::to_string(m.jobs_backfilled) + "," +
           std::to_string(m.jobs_reneged) + "\r\n";
  }
  // A group's rows: its GPU-hours as busy hours, its share of the pool's capacity as utilisation.
  for (const PoolRow& row : pool_rows_) {
    const events::ComputeMonth& m = row.month;
    for (const events::GroupUse& use : m.groups) {
      const double wait =
          use.jobs_started > 0 ? use.wait_hours / static_cast<double>(use.jobs_started) : 0;
      out += row.date + "," + m.from + "," + detail::csv_field(m.pool) + "," +
             detail::csv_field(m.kind) + "," + detail::csv_field(use.group) + ",," +
             detail::fixed(m.capacity_gpu_hours, 2) + "," + detail::fixed(use.gpu_hours, 2) + "," +
             detail::fixed(ratio(use.gpu_hours, m.capacity_gpu_hours), 4) + "," +
             std::to_string(use.jobs_submitted) + "," + std::to_string(use.jobs_started) + "," +
             std::to_string(use.jobs_lost) + ",,," + detail::fixed(wait, 2) + ",,,,,," +
             std::to_string(use.jobs_reneged) + "\r\n";
    }
  }
  return out;
}

nlohmann::ordered_json ComputeUse::summary() const {
  if (!active()) return nullptr;
  nlohmann::ordered_json s;
  // Per pool: its GPUs at the end, use over the run and in its last twelve reported months.
  std::map<std::string, std::vector<const events::ComputeMonth*>> by_pool;
  for (const PoolRow& row : pool_rows_)
    by_pool[row.month.pool].push_back(&row.month);
  nlohmann::ordered_json pools = nlohmann::ordered_json::object();
  double it_mwh = 0, facility_mwh = 0, cost = 0, busy = 0;
  for (const auto& [pool, months] : by_pool) {
    double capacity = 0, pool_busy = 0, last_capacity = 0, last_busy = 0, waits = 0, mwh = 0;
    std::int64_t started = 0, lost = 0, backfilled = 0, reneged = 0;
    for (std::size_t i = 0; i < months.size(); ++i) {
      const events::ComputeMonth& m = *months[i];
      capacity += m.capacity_gpu_hours;
      pool_busy += m.busy_gpu_hours;
      if (i + 12 >= months.size()) {
        last_capacity += m.capacity_gpu_hours;
        last_busy += m.busy_gpu_hours;
      }
      waits += m.mean_wait_hours * static_cast<double>(m.jobs_started);
      started += m.jobs_started;
      lost += m.jobs_lost;
      backfilled += m.jobs_backfilled;
      reneged += m.jobs_reneged;
      mwh += m.facility_mwh;
      it_mwh += m.it_mwh;
      facility_mwh += m.facility_mwh;
      cost += m.energy_cost_bn_krw;
    }
    busy += pool_busy;
    pools[pool] = {{"gpus", months.back()->gpus},
                   {"utilization", share_or_null(pool_busy, capacity)},
                   {"utilization_last_12_months", share_or_null(last_busy, last_capacity)},
                   {"busy_gpu_hours", rounded(pool_busy, 0.01)},
                   {"mean_wait_hours",
                    started > 0 ? rounded(waits / static_cast<double>(started), 0.01) : 0.0},
                   {"jobs_started", started},
                   {"jobs_lost", lost},
                   {"jobs_backfilled", backfilled},
                   {"jobs_reneged", reneged},
                   {"facility_mwh", rounded(mwh, 0.001)}};
  }
  s["pools"] = pools;
  nlohmann::ordered_json by_year = nlohmann::ordered_json::object();
  for (const auto& [year, use] : years_)
    by_year[std::to_string(year)] = {
        {"public", share_or_null(use.public_busy, use.public_capacity)},
        {"private", share_or_null(use.private_busy, use.private_capacity)}};
  s["utilization_by_year"] = by_year;
  nlohmann::ordered_json groups = nlohmann::ordered_json::object();
  for (const auto& [id, g] : groups_) {
    groups[id] = {
        {"kind", g.kind.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(g.kind)},
        {"gpu_hours", rounded(g.gpu_hours, 0.01)},
        {"jobs_started", g.jobs_started},
        {"jobs_lost", g.jobs_lost},
        {"jobs_reneged", g.jobs_reneged},
        {"mean_wait_hours", g.jobs_started > 0
                                ? rounded(g.wait_hours / static_cast<double>(g.jobs_started), 0.01)
                                : 0.0},
        {"commercial_jobs", g.commercial_jobs},
        {"applications", g.applications},
        {"unserved_jobs", g.unserved_jobs},
        {"requested_gpus", g.requested_gpus},
        {"awarded_gpus", g.awarded_gpus}};
  }
  const GroupTotals universities = sum_of_groups("university");
  s["groups"] = groups;
  s["universities"] = {
      {"gpu_hours", rounded(universities.gpu_hours, 0.01)},
      {"mean_wait_hours",
       universities.jobs_started > 0
           ? nlohmann::ordered_json(rounded(
                 universities.wait_hours / static_cast<double>(universities.jobs_started), 0.01))
           : nlohmann::ordered_json(nullptr)}};
  nlohmann::ordered_json rounds = nlohmann::ordered_json::array();
  for (const AllocationRound& round : allocations_) {
    const events::AllocationDecided& a = round.decided;
    nlohmann::ordered_json shares = nlohmann::ordered_json::object();
    for (const events::GroupAward& g : a.groups)
      shares[g.group] = {
          {"share", g.share},
          {"requested_gpus", g.requested_gpus},
          {"awarded_gpus", g.awarded_gpus},
          {"awarded_share", a.awarded_gpus > 0 ? nlohmann::ordered_json(rounded(
                                                     ratio(static_cast<double>(g.awarded_gpus),
                                                           static_cast<double>(a.awarded_gpus)),
                                                     1e-4))
                                               : nlohmann::ordered_json(nullptr)}};
    rounds.push_back({{"call", a.call},
                      {"round", a.round},
                      {"date", round.date},
                      {"capacity_gpus", a.capacity_gpus},
                      {"requested_gpus", a.requested_gpus},
                      {"awarded_gpus", a.awarded_gpus},
                      {"oversubscription",
                       a.oversubscription ? nlohmann::ordered_json(*a.oversubscription) : nullptr},
                      {"groups", shares}});
  }
  s["allocation_rounds"] = rounds;
  // Where the energy was drawn: per site (and region class) over the run, the GPUs there at the
  // end (each pool's last month), and per region class.
  struct SiteTotal {
    std::int64_t gpus = 0;
    double it_mwh = 0, facility_mwh = 0, cost = 0;
  };
  std::map<std::pair<std::string, std::string>, SiteTotal> sites;
  std::map<std::string, SiteTotal> regions;
  for (const auto& [pool, months] : by_pool)
    for (std::size_t i = 0; i < months.size(); ++i)
      for (const events::SiteEnergy& e : months[i]->sites) {
        for (SiteTotal* total : {&sites[{e.site, e.region}], &regions[e.region]}) {
          if (i + 1 == months.size()) total->gpus += e.gpus;
          total->it_mwh += e.it_mwh;
          total->facility_mwh += e.facility_mwh;
          total->cost += e.energy_cost_bn_krw;
        }
      }
  const auto energy_json = [](const SiteTotal& t) {
    return nlohmann::ordered_json{{"gpus", t.gpus},
                                  {"it_mwh", rounded(t.it_mwh, 0.001)},
                                  {"facility_mwh", rounded(t.facility_mwh, 0.001)},
                                  {"energy_cost_bn_krw", rounded(t.cost, 0.001)}};
  };
  nlohmann::ordered_json by_site = nlohmann::ordered_json::array();
  for (const auto& [key, total] : sites) {
    nlohmann::ordered_json site = {{"site", key.first}, {"region", key.second}};
    site.update(energy_json(total));
    by_site.push_back(site);
  }
  nlohmann::ordered_json by_region = nlohmann::ordered_json::object();
  for (const auto& [region, total] : regions)
    by_region[region] = energy_json(total);
  s["energy_by_site"] = by_site;
  s["energy_by_region"] = by_region;
  s["it_mwh"] = rounded(it_mwh, 0.001);
  s["facility_mwh"] = rounded(facility_mwh, 0.001);
  s["energy_cost_bn_krw"] = rounded(cost, 0.001);
  s["energy_cost_krw_per_gpu_hour"] =
      busy > 0 ? nlohmann::ordered_json(rounded(cost * 1e9 / busy, 0.01)) : nullptr;
  s["spc_outturn"] = spc_outturn_json();
  return s;
}

std::vector<ComputeUse::Outturn> ComputeUse::spc_outturns() const {
  std::vector<Outturn> outturns;
  for (const auto& [call, contract] : spc_) {
    const events::ContractOutlook& outlook = contract.outlook;
    Outturn outturn{call, outlook.lead, outlook.gpus, "", {}, {}, contract.settled};
    if (!contract.first_online.empty()) {
      outturn.first_online = contract.first_online;
      const int first = month_index(outturn.first_online);
      // A full year of the contract's GPUs: what the outlook's yearly figures are for.
      const double year_hours = static_cast<double>(outlook.gpus) * 8760.0;
      for (const PoolRow& row : pool_rows_) {
        const events::ComputeMonth& m = row.month;
        // Its own pool, and on the public pool what was measured on the GPUs it put there.
        const std::optional<MeasuredOperations> share =
            spc_share_of_month(m, call, public_pool, outlook.public_use_discount);
        if (!share) continue;
        const int months = month_index(m.from) - first;
        if (months < 0) continue;
        Outturn::Figures f;
        f.capacity_gpu_hours = share->capacity_gpu_hours;
        f.busy_gpu_hours = share->busy_gpu_hours;
        f.sales = share->sales;
        f.power = share->power;
        const auto year = static_cast<std::size_t>(months / 12);
        if (outturn.by_year.size() <= year) outturn.by_year.resize(year + 1);
        const double of_year = year_hours > 0 ? f.capacity_gpu_hours / year_hours : 0.0;
        f.om = outlook.om_bn_krw_per_year * of_year;
        f.expected_busy_gpu_hours = f.capacity_gpu_hours * in_year(outlook.utilization, year);
        f.expected_sales = in_year(outlook.sales_bn_krw, year) * of_year;
        f.expected_power = in_year(outlook.power_bn_krw, year) * of_year;
        f.lender_base_case = in_year(outlook.lender_base_case_bn_krw, year) * of_year;
        add_figures(outturn.by_year[year], f);
        add_figures(outturn.total, f);
      }
    }
    outturns.push_back(std::move(outturn));
  }
  return outturns;
}

nlohmann::ordered_json ComputeUse::spc_outturn_json() const {
  nlohmann::ordered_json all = nlohmann::ordered_json::array();
  for (const Outturn& outturn : spc_outturns()) {
    nlohmann::ordered_json years = nlohmann::ordered_json::array();
    for (std::size_t y = 0; y < outturn.by_year.size(); ++y) {
      nlohmann::ordered_json year = {{"operating_year", y + 1}};
      year.update(outturn_json(outturn.by_year[y]));
      years.push_back(std::move(year));
    }
    nlohmann::ordered_json entry = {
        {"call", outturn.call},
        {"lead", outturn.lead},
        {"gpus", outturn.gpus},
        {"first_online", outturn.first_online.empty()
                             ? nlohmann::ordered_json(nullptr)
                             : nlohmann::ordered_json(outturn.first_online)}};
    entry.update(outturn_json(outturn.total));
    entry["by_operating_year"] = std::move(years);
    entry["settlement"] = settlement_json(outturn.settled);
    all.push_back(std::move(entry));
  }
  return all;
}

void ComputeUse::add_kpis(std::map<std::string, double>& kpis) const {
  if (!active()) return;
  double public_capacity = 0, public_busy = 0, private_capacity = 0, private_busy = 0;
  for (const auto& [year, use] : years_) {
    public_capacity += use.public_capacity;
    public_busy += use.public_busy;
    private_capacity += use.private_capacity;
    private_busy += use.private_busy;
    kpis["utilization_private_" + std::to_string(year)] =
        ratio(use.private_busy, use.private_capacity);
    kpis["utilization_public_" + std::to_string(year)] =
        ratio(use.public_busy, use.public_capacity);
  }
  kpis["utilization_public"] = ratio(public_busy, public_capacity);
  kpis["utilization_private"] = ratio(private_busy, private_capacity);
  const GroupTotals all = sum_of_groups("");
  const GroupTotals universities = sum_of_groups("university");
  double facility = 0, cost = 0;
  kpis["jobs_lost"] = static_cast<double>(all.jobs_lost);
  kpis["jobs_reneged"] = static_cast<double>(all.jobs_reneged);
  for (const PoolRow& row : pool_rows_) {
    facility += row.month.facility_mwh;
    cost += row.month.energy_cost_bn_krw;
  }
  kpis["university_gpu_hours"] = universities.gpu_hours;
  kpis["university_mean_wait_hours"] =
      ratio(universities.wait_hours, static_cast<double>(universities.jobs_started));
  kpis["unserved_jobs"] = static_cast<double>(all.unserved_jobs);
  kpis["facility_mwh"] = facility;
  kpis["energy_cost_bn_krw"] = cost;
  double oversubscription = 0;
  int offered = 0;
  for (const AllocationRound& round : allocations_)
    if (round.decided.oversubscription) {
      oversubscription += *round.decided.oversubscription;
      ++offered;
    }
  // The SPCs' measured operations against their outlook, together.
  Outturn::Figures spc;
  for (const Outturn& outturn : spc_outturns())
    add_figures(spc, outturn.total);
  kpis["spc_utilization"] = ratio(spc.busy_gpu_hours, spc.capacity_gpu_hours);
  kpis["spc_sales_bn_krw"] = spc.sales;
  kpis["spc_sales_to_outlook"] = ratio(spc.sales, spc.expected_sales);
  kpis["spc_margin_bn_krw"] = spc.margin();
  double public_support = 0, shortfall = 0, defaults = 0;
  for (const Outturn& outturn : spc_outturns()) {
    bool defaulted = false;
    for (const events::SpcYearSettled& year : outturn.settled) {
      public_support += year.public_support_bn_krw;
      shortfall += year.shortfall_bn_krw;
      defaulted = defaulted || year.status == "defaulted";
    }
    if (defaulted) ++defaults;
  }
  kpis["spc_shortfall_bn_krw"] = shortfall;
  kpis["spc_public_support_bn_krw"] = public_support;
  kpis["spc_defaults"] = defaults;
  kpis["allocation_rounds"] = static_cast<double>(allocations_.size());
  kpis["allocation_oversubscription_mean"] =
      offered > 0 ? oversubscription / static_cast<double>(offered) : 0;
}

std::vector<std::string> ComputeUse::verdict() const {
  std::vector<std::string> lines;
  if (!active()) return lines;
  std::string by_year;
  for (const auto& [year, use] : years_) {
    if (use.private_capacity <= 0 && use.public_capacity <= 0) continue;
    by_year += (by_year.empty() ? "" : ", ") + std::to_string(year) + " ";
    by_year += use.private_capacity > 0 ? percent(ratio(use.private_busy, use.private_capacity))
                                        : std::string("-");
    by_year += " / ";
    by_year += use.public_capacity > 0 ? percent(ratio(use.public_busy, use.public_capacity))
                                       : std::string("-");
  }
  lines.push_back("Use (private fleets / public GPUs): " + by_year);
  const GroupTotals all = sum_of_groups("");
  const GroupTotals universities = sum_of_groups("university");
  if (universities.jobs_started > 0)
    lines.push_back(
        "Universities: " + detail::fixed(universities.gpu_hours / 1e6, 2) +
        " M GPU-hours, mean wait " +
        detail::fixed(universities.wait_hours / static_cast<double>(universities.jobs_started), 1) +
        " h");
  if (all.jobs_lost > 0)
    lines.push_back("Jobs lost to long queues: " + std::to_string(all.jobs_lost) + " (" +
                    percent(ratio(static_cast<double>(all.jobs_lost),
                                  static_cast<double>(all.jobs_lost + all.jobs_started))) +
                    " of those placed or lost)");
  if (all.jobs_reneged > 0)
    lines.push_back("Jobs whose users left the queue before they started: " +
                    std::to_string(all.jobs_reneged));
  if (all.unserved_jobs > 0)
    lines.push_back("Commercial jobs that found no fleet GPUs: " +
                    std::to_string(all.unserved_jobs));
  std::map<std::string, std::pair<double, int>> by_call;
  for (const AllocationRound& round : allocations_)
    if (round.decided.oversubscription) {
      by_call[round.decided.call].first += *round.decided.oversubscription;
      ++by_call[round.decided.call].second;
    }
  for (const Outturn& outturn : spc_outturns()) {
    const Outturn::Figures& f = outturn.total;
    if (f.capacity_gpu_hours <= 0) {
      lines.push_back("SPC " + outturn.call + " (" + outturn.lead +
                      "): none of its GPUs ran before the horizon");
      continue;
    }
    lines.push_back("SPC " + outturn.call + " (" + outturn.lead + ") from " + outturn.first_online +
                    ": used " + percent(ratio(f.busy_gpu_hours, f.capacity_gpu_hours)) +
                    " (outlook " + percent(ratio(f.expected_busy_gpu_hours, f.capacity_gpu_hours)) +
                    "); sales " + detail::fixed(f.sales, 1) + " of " +
                    detail::fixed(f.expected_sales, 1) + " bn KRW expected; margin " +
                    detail::fixed(f.margin(), 1) + " bn KRW (outlook " +
                    detail::fixed(f.expected_margin(), 1) + ", lender's base case " +
                    detail::fixed(f.lender_base_case, 1) + ")");
    if (!outturn.settled.empty()) lines.push_back(settlement_summary(outturn));
  }
  for (const auto& [call, sum] : by_call)
    lines.push_back("Allocation call " + call + ": oversubscribed " +
                    detail::fixed(sum.first / sum.second, 2) + "x on average over " +
                    std::to_string(sum.second) + " rounds with GPUs to offer");
  return lines;
}

}  // namespace tenderlab::analysis
