#include "tenderlab/analysis/kpi_catalog.hpp"

#include <algorithm>
#include <numeric>

namespace tenderlab::analysis {
namespace {

/// The most rounds `call` can have: the first, then each scripted re-announcement or new call
/// (a negotiation or a cancellation ends the call), or the adaptive rule's limit.
int most_rounds(const CallSpec& call) {
  int rounds = 1;
  for (const auto& round : call.procedure.rounds)
    if (round.kind == FailureAction::reannounce || round.kind == FailureAction::new_call) ++rounds;
  if (call.adaptive.enabled) rounds = std::max(rounds, call.adaptive.max_rounds);
  return rounds;
}

/// The names RunReport::kpis gives each call, `round` standing for the round number.
void add_call_kpis(std::vector<KpiInfo>& into, const std::string& prefix, const std::string& of,
                   int rounds) {
  for (int r = 1; r <= rounds; ++r) {
    const std::string n = std::to_string(r);
    into.push_back({prefix + "any_bid_round_" + n, "0/1",
                    "1 when round " + n + " of " + of + " received a bid"});
    into.push_back({prefix + "best_value_round_" + n, "value",
                    "the highest value a lead put on bidding in round " + n + " of " + of +
                        " (how far the round was from a bid)"});
    into.push_back(
        {prefix + "bids_round_" + n, "count", "bids received in round " + n + " of " + of});
  }
  into.push_back(
      {prefix + "award_round", "round", "the round " + of + " was awarded in (0: none)"});
  into.push_back({prefix + "awarded", "0/1", "1 when " + of + " was awarded or negotiated"});
  into.push_back({prefix + "failed_rounds", "count", "rounds of " + of + " that failed"});
  into.push_back({prefix + "rounds", "count", "rounds of " + of + " announced"});
}

void add_programme_kpis(std::vector<KpiInfo>& into) {
  into.push_back({"gpus_online", "GPUs", "GPUs online at the horizon"});
  into.push_back({"mw_online", "MW", "power of the capacity online at the horizon"});
  into.push_back({"share_outside_capital", "share",
                  "share of the GPUs online that are outside the capital region (0 with none)"});
  into.push_back({"public_money_bn_krw", "bn KRW", "public money committed by contracts"});
  into.push_back({"public_equity_bn_krw", "bn KRW", "public equity committed by contracts"});
  into.push_back({"private_equity_bn_krw", "bn KRW", "private equity committed by contracts"});
  into.push_back({"tax_credit_bn_krw", "bn KRW", "tax credits granted by contracts"});
  into.push_back({"loan_subsidy_bn_krw", "bn KRW",
                  "grant equivalent of the policy loans of contracts (at the market debt rate)"});
  into.push_back({"market_debt_bn_krw", "bn KRW",
                  "debt from market lenders of contracts, as they size it on their base case"});
  into.push_back({"tax_expenditure_bn_krw", "bn KRW",
                  "tax credit the SPCs of contracts are expected to use against tax due (present "
                  "value at each signing); the credits' face value is tax_credit_bn_krw"});
  into.push_back({"expected_loan_loss_bn_krw", "bn KRW",
                  "expected default loss on the policy loans of contracts"});
  into.push_back({"shortfall_support_bn_krw", "bn KRW",
                  "expected shortfalls the public shareholder funds in SPCs of contracts"});
  into.push_back({"fleet_gpus_online", "GPUs",
                  "GPUs private fleets brought online during the run (fleet_online)"});
  into.push_back({"gpus_online_all", "GPUs", "GPUs online in calls and in private fleets"});
  into.push_back({"fleet_capex_bn_krw", "bn KRW", "what private fleets committed to new GPUs"});
  into.push_back({"fleet_tax_credit_bn_krw", "bn KRW",
                  "investment tax credit private fleets earned, at face value"});
  into.push_back({"anchor_purchases_bn_krw", "bn KRW",
                  "what the state paid fleets for anchor GPU-hours (instrument_cost)"});
  into.push_back({"tariff_discount_bn_krw", "bn KRW",
                  "the non-capital tariff discount on the fleets' power (instrument_cost)"});
  into.push_back({"programme_public_cost_bn_krw", "bn KRW",
                  "the programme's public cost: contracts' ledgers, fleets' tax credits, anchor "
                  "purchases and tariff discount"});
  into.push_back({"connection_wait_days_mean", "days",
                  "mean days from a connection request to its full grant (0 with none)"});
  into.push_back({"peak_mw", "MW", "highest power drawn by the capacity online"});
  into.push_back({"public_cost_per_gpu_bn_krw", "bn KRW",
                  "the programme's public cost per GPU brought online"});
  into.push_back({"private_per_public_won", "ratio",
                  "private money (SPC equity, fleet capex net of credits) per won of public cost"});
  into.push_back(
      {"gpus_hhi", "share",
       "concentration of the GPUs online by owner (Herfindahl-Hirschman index, 0 to 1)"});
  into.push_back({"public_cost_bn_krw", "bn KRW",
                  "public-cost ledger of contracts: public equity, expected tax expenditure, loan "
                  "subsidy, expected loan loss, shortfall support and prices paid"});
}

/// The KPIs of compute use (ComputeUse::add_kpis); `years` the per-year ones, YEAR standing for
/// the year when empty.
void add_compute_kpis(std::vector<KpiInfo>& into, const std::vector<std::string>& years) {
  into.push_back({"utilization_public", "share",
                  "busy over capacity GPU-hours of the public pool and the SPCs' pools over the "
                  "run (0 without)"});
  into.push_back({"utilization_private", "share", "the same for the fleets' pools together"});
  for (const std::string& year : years) {
    into.push_back({"utilization_public_" + year, "share",
                    "busy over capacity GPU-hours of the public and the SPCs' pools in " + year});
    into.push_back({"utilization_private_" + year, "share",
                    "busy over capacity GPU-hours of the fleets' pools in " + year});
  }
  into.push_back({"jobs_lost", "jobs",
                  "jobs that left at once because the expected wait was longer than they wait"});
  into.push_back({"jobs_reneged", "jobs",
                  "jobs whose users left the queue before they started (queue_patience_days)"});
  into.push_back(
      {"university_gpu_hours", "GPU-hours", "GPU-hours the university groups' jobs ran"});
  into.push_back({"university_mean_wait_hours", "hours",
                  "mean wait of the university groups' jobs that started (0 with none)"});
  into.push_back({"unserved_jobs", "jobs",
                  "jobs of unawarded applications that neither went commercial nor reapplied"});
  into.push_back({"facility_mwh", "MWh", "energy the pods drew, times their PUE"});
  into.push_back({"energy_cost_bn_krw", "bn KRW", "that energy at the power price"});
  into.push_back({"spc_utilization", "share",
                  "busy over capacity GPU-hours of the SPCs' GPUs (their own pools and their "
                  "public share), from their first GPUs online (0 without)"});
  into.push_back({"spc_sales_bn_krw", "bn KRW",
                  "what the SPCs' GPU-hours earned: commercial sales, the public share at its "
                  "discount"});
  into.push_back({"spc_sales_to_outlook", "ratio",
                  "those sales over what the SPCs' outlooks at signing expected for the same "
                  "GPU-hours online (0 without)"});
  into.push_back({"spc_margin_bn_krw", "bn KRW",
                  "the SPCs' sales less measured power and operations and maintenance"});
  into.push_back({"spc_shortfall_bn_krw", "bn KRW",
                  "debt service the SPCs' measured margins could not pay, over their settled "
                  "operating years (spc_year_settled)"});
  into.push_back({"spc_public_support_bn_krw", "bn KRW",
                  "of those shortfalls, what the public shareholder funded"});
  into.push_back({"spc_defaults", "count",
                  "SPCs that defaulted on their lenders in a settled operating year"});
  into.push_back({"allocation_rounds", "count", "rounds the allocation calls decided"});
  into.push_back({"allocation_oversubscription_mean", "ratio",
                  "mean over the allocation rounds with GPUs to offer of GPUs asked / offered"});
}

}  // namespace

std::vector<KpiInfo> kpi_catalog(const Scenario& scenario) {
  std::vector<KpiInfo> kpis;
  // The first call announced also reports its KPIs without prefix (RunReport::kpis).
  std::vector<std::size_t> order(scenario.calls.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return scenario.calls[a].schedule.announce < scenario.calls[b].schedule.announce;
  });
  if (order.empty()) {
    kpis.push_back({"award_round", "round", "0: the scenario has no call"});
    kpis.push_back({"awarded", "0/1", "0: the scenario has no call"});
    kpis.push_back({"failed_rounds", "count", "0: the scenario has no call"});
    kpis.push_back({"rounds", "count", "0: the scenario has no call"});
  } else {
    const CallSpec& first = scenario.calls[order.front()];
    add_call_kpis(kpis, "", "the first call announced (" + first.id + ")", most_rounds(first));
  }
  for (std::size_t index : order) {
    const CallSpec& call = scenario.calls[index];
    add_call_kpis(kpis, call.id + ".", "call " + call.id, most_rounds(call));
  }
  add_programme_kpis(kpis);
  for (int year = scenario.start.year(); year <= scenario.horizon.year(); ++year)
    kpis.push_back({"gpus_online_end_" + std::to_string(year), "GPUs",
                    "GPUs online at the end of " + std::to_string(year) +
                        (year == scenario.horizon.year() ? " (the horizon)" : "")});
  if (scenario.compute) {
    std::vector<std::string> years;
    for (int year = scenario.start.year(); year <= scenario.horizon.year(); ++year)
      years.push_back(std::to_string(year));
    add_compute_kpis(kpis, years);
  }
  for (const auto& target : scenario.history)
    kpis.push_back({"history_" + target.call + "_round_" + std::to_string(target.round), "0/1",
                    "1 when round " + std::to_string(target.round) + " of " + target.call +
                        " reproduces what happened (" + target.outcome + ")"});
  if (!scenario.history.empty())
    kpis.push_back({"history_match", "0/1", "1 when the run reproduces every calibration target"});
  for (const auto& target : scenario.programme.targets)
    kpis.push_back({"target_" + target.id + "_reached", "0/1",
                    "1 when " + std::to_string(target.gpus) + " GPUs (" +
                        std::string(target_scope_names[static_cast<std::size_t>(target.scope)]) +
                        ") are online by " + target.by.iso()});
  return kpis;
}

std::vector<KpiInfo> kpi_patterns() {
  std::vector<KpiInfo> kpis;
  add_call_kpis(kpis, "", "the first call announced", 1);
  add_call_kpis(kpis, "CALL.", "call CALL", 1);
  for (auto& kpi : kpis)
    if (const auto at = kpi.name.rfind("_round_1");
        at != std::string::npos && at + 8 == kpi.name.size()) {
      kpi.name.replace(at + 7, 1, "N");
      const auto in = kpi.meaning.find("round 1 ");
      if (in != std::string::npos) kpi.meaning.replace(in, 8, "round N ");
    }
  add_programme_kpis(kpis);
  kpis.push_back({"gpus_online_end_YEAR", "GPUs",
                  "GPUs online at the end of YEAR, for each year from the start to the horizon"});
  const std::size_t first_compute = kpis.size();
  add_compute_kpis(kpis, {"YEAR"});
  for (std::size_t i = first_compute; i < kpis.size(); ++i)
    kpis[i].meaning += " (with /compute)";
  kpis.push_back({"history_CALL_round_N", "0/1",
                  "1 when round N of CALL reproduces the scenario's calibration target"});
  kpis.push_back({"history_match", "0/1", "1 when the run reproduces every calibration target"});
  kpis.push_back({"target_ID_reached", "0/1",
                  "1 when the programme target ID (/programme/targets) is met by its date"});
  return kpis;
}

std::string kpi_unit(const std::string& name) {
  // A call's KPIs carry its id as prefix; numbers (rounds, years) stand for the patterns' N and
  // YEAR. The calibration targets' names hold the call id inside, so they are matched first.
  if (name.rfind("history_", 0) == 0) return "0/1";
  if (name.rfind("target_", 0) == 0 && name.size() > 15 &&
      name.compare(name.size() - 8, 8, "_reached") == 0)
    return "0/1";
  std::string base = name;
  if (const auto dot = base.rfind('.'); dot != std::string::npos) base = base.substr(dot + 1);
  const auto digits = base.find_last_not_of("0123456789");
  if (digits != std::string::npos && digits + 1 < base.size()) {
    const std::string stem = base.substr(0, digits + 1);
    const bool by_year = stem == "gpus_online_end_" || stem == "utilization_public_" ||
                         stem == "utilization_private_";
    base = stem + (by_year ? "YEAR" : "N");
  }
  for (const auto& kpi : kpi_patterns())
    if (kpi.name == base) return kpi.unit;
  return "";
}

std::string closest_name(const std::string& name, const std::vector<std::string>& names) {
  std::string best;
  std::size_t best_distance = std::max<std::size_t>(2, name.size() / 3) + 1;
  std::vector<std::size_t> previous, current;
  for (const auto& candidate : names) {
    // Levenshtein distance, one row at a time.
    previous.resize(candidate.size() + 1);
    current.resize(candidate.size() + 1);
    std::iota(previous.begin(), previous.end(), std::size_t{0});
    for (std::size_t i = 1; i <= name.size(); ++i) {
      current[0] = i;
      for (std::size_t j = 1; j <= candidate.size(); ++j)
        current[j] = std::min({previous[j] + 1, current[j - 1] + 1,
                               previous[j - 1] + (name[i - 1] == candidate[j - 1] ? 0 : 1)});
      std::swap(previous, current);
    }
    if (previous[candidate.size()] < best_distance) {
      best_distance = previous[candidate.size()];
      best = candidate;
    }
  }
  return best;
}

}  // namespace tenderlab::analysis
