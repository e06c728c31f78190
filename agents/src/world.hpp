#pragma once
// State and helpers shared by the actors of one simulation. Private to the agents library.
#include <deque>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "tenderlab/agents/allocation.hpp"
#include "tenderlab/agents/budget.hpp"
#include "tenderlab/agents/call_round.hpp"
#include "tenderlab/agents/competition.hpp"
#include "tenderlab/agents/connection_queue.hpp"
#include "tenderlab/agents/consortium.hpp"
#include "tenderlab/agents/entry.hpp"
#include "tenderlab/agents/gpu_pool.hpp"
#include "tenderlab/agents/gpu_supply.hpp"
#include "tenderlab/agents/participation.hpp"
#include "tenderlab/agents/simulation.hpp"
#include "tenderlab/agents/simulation_context.hpp"
#include "tenderlab/agents/spc_settlement.hpp"
#include "tenderlab/agents/tender_rules.hpp"
#include "tenderlab/agents/valuation.hpp"
#include "tenderlab/engine/event_log.hpp"
#include "tenderlab/engine/events.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/kernel.hpp"
#include "tenderlab/engine/rng.hpp"

namespace tenderlab::detail {

using RoundPtr = std::shared_ptr<const CallRound>;

// Messages. Every actor has one inbox of Message; sends are free and never block.
struct RoundAnnounced {
  RoundPtr round;
};
struct Invitation {
  std::string lead;
  RoundPtr round;
  std::vector<std::string> team;  ///< the proposed team, lead first, invitee included
  bool confirmation = false;      ///< a final check of a member already in the team
};
struct InvitationReply {
  std::string member;
  bool accept = false;
};
struct BidSubmission {
  RoundPtr round;
  Bid bid;
};
/// An agent that stays away from a round (a lead that does not bid, or a partner that declines
/// an invitation on value), with what the clauses cost it.
struct NoBidNotice {
  RoundPtr round;
  std::string agent;
  std::vector<TermEffect> effects;
  double value = 0;           ///< bn KRW, its value of taking part
  std::string role = "lead";  ///< "lead" or "partner"
  std::optional<ClauseInteraction> interaction{};
};
struct RoundClosed {
  RoundPtr round;
  RoundResult result;
  std::vector<NoBidNotice> notices;
  bool pending = false;  ///< the evaluation would end after the horizon: no outcome is observed
  /// An awarded round: the lot each winner signs (same order as result.winners), priced at the
  /// opening and reserved in the issuer's budget for `fiscal_year`, the year of the signing.
  std::vector<LotContract> contracts{};
  int fiscal_year = 0;
};
struct Stop {};
using Message = std::variant<RoundAnnounced, Invitation, InvitationReply, BidSubmission,
                             NoBidNotice, RoundClosed, Stop>;

/// A request for power sent to the grid operator, and its answers (one per review that grants
/// something, until all is granted), sent to `reply_to`.
struct ConnectionAsk {
  QueuedConnection request;
  std::string reply_to;
};
struct ConnectionAnswer {
  double granted_mw = 0;
  double outstanding_mw = 0;
};
inline const std::string grid_inbox = "grid-operator";

/// An order of GPUs sent to a vendor; the vendor ships to `reply_to` as it delivers.
struct GpuOrderAsk {
  std::string order;  ///< unique in the run: "<call>/<lead>" or "fleet/<agent>/<quarter>"
  std::string buyer;  ///< whose allocation cap it counts against
  std::int64_t gpus = 0;
  std::string reply_to;
};
struct GpuShipment {
  std::int64_t gpus = 0;
  std::string generation;
};
/// What a delivery waits for: its site's MW and its GPUs.
using DeliveryNews = std::variant<ConnectionAnswer, GpuShipment>;
inline std::string vendor_inbox(const std::string& vendor) {
  return "vendor/" + vendor;
}

/// A delivery of GPUs to a site: the order to the vendor (if any), the site's MW (if a grid and a
/// site), and from `built_at` on the GPUs run, as far as both allow.
struct DeliveryPlan {
  std::string order;    ///< names the actor, its inbox, the vendor's order and the grid request
  std::string owner;    ///< the agent whose host runs it: a contract's lead or a fleet's owner
  std::string purpose;  ///< the call, or "fleet"
  std::int64_t gpus = 0;
  double mw = 0;
  double built_at = 0;                 ///< simulated seconds
  const SiteSpec* site = nullptr;      ///< no grid request without one
  const VendorSpec* vendor = nullptr;  ///< the GPUs are at hand at built_at without one
  /// The generation the GPUs are of until the vendor ships (without a vendor: for ever).
  std::string generation;
  /// Called as GPUs go online: how many more, the MW they draw and their generation (that of the
  /// vendor's latest shipment).
  std::function<void(std::int64_t gpus, double mw, const std::string& generation)> online;
};

/// Where GPUs run and what their power costs: the site (empty: none, as a fleet's GPUs at the
/// start or any GPUs without a grid), the facility's PUE and the share of the market's power
/// tariff the site pays.
struct PowerSite {
  std::string site;
  double pue = 1;
  double tariff_share = 1;
  bool non_capital = true;  ///< outside the capital region
  bool operator==(const PowerSite&) const = default;
};

/// News for a pool of GPUs (compute_actor.cpp): GPUs that went online, or a job.
struct GpusOnline {
  std::int64_t gpus = 0;
  std::string generation;
  std::string source;  ///< whose GPUs: the call that bought them, or the fleet's owner
  PowerSite where;
};
struct JobSubmitted {
  std::string group;
  std::int64_t gpus = 0;
  double reference_seconds = 0;
  double max_wait_seconds = std::numeric_limits<double>::infinity();  ///< it leaves if longer
  bool holds_gpus = false;  ///< an award held for reference_seconds whatever the GPUs' speed
  /// How long its user stays in the queue before leaving it (infinity: until it starts).
  double patience_seconds = std::numeric_limits<double>::infinity();
};
using PoolNews = std::variant<GpusOnline, JobSubmitted>;
inline std::string pool_inbox(const std::string& pool) {
  return "pool/" + pool;
}
/// The pool of the calls' GPUs; the fleets' pools are named after their owners.
inline const std::string public_pool = "public";

inline std::string inbox_of(const std::string& id) {
  return "agent/" + id;
}
inline const std::string board_inbox = "tender-board";
inline std::string manager_inbox(const std::string& call_id) {
  return "call/" + call_id;
}

/// Market conditions that exogenous events change during the run.
struct MarketConditions {
  double demand = 1.0;       ///< multiplies first-year utilisation
  double power_price = 1.0;  ///< multiplies the power tariff
  double gpu_price = 1.0;    ///< multiplies GPU prices in calls
};

/// Who bids in an SPC partner round, settled once for every agent at the moment leads prepare
/// (entry.hpp): the teams, which of them enter, and what each faces.
struct SettledTeam {
  std::vector<std::string> members;  ///< lead first
  double score = 0;                  ///< expected score from the evaluators
  bool enters = false;
  double win_probability = 0;        ///< if it bids, against the other entrants
  std::vector<double> rival_scores;  ///< the other entrants' scores, by lead id
};
struct RoundSettlement {
  std::vector<SettledTeam> teams;                    ///< by lead id
  std::map<std::string, std::size_t> team_of;        ///< agent -> index into teams
  std::map<std::string, DeclinedProposal> declined;  ///< partner -> first proposal it declined
};

struct World {
  const Scenario& scenario;
  const SimulationOptions& options;
  EventLog& log;
  Kernel& kernel;
  RelationshipGraph graph;
  std::vector<std::string> spc_leads;  ///< agents whose kind may lead an SPC partner bid, by id
  /// Agents whose actor reads its inbox (inbox_of(id)), in the order their actors started: they
  /// are told of the rounds of the call kinds their kind takes part in, and stopped at the end.
  std::vector<const AgentSpec*> listeners;
  MarketConditions market;
  /// Per round (call#round): who bids, settled for everybody at once (round_settlement.cpp).
  std::map<std::string, RoundSettlement> settlements;
  /// Per agent: its beliefs in this replication (the market's or its own, plus its private
  /// signal), and per agent and call its Monte Carlo paths; drawn from the agent's own streams.
  std::map<std::string, Beliefs> beliefs;
  std::map<std::pair<std::string, std::string>, MarketPaths> paths;
  int open_calls = 0;
  /// The state of the programme, reported at every month boundary (timeseries.csv).
  struct Programme {
    std::int64_t gpus_online = 0;
    std::int64_t gpus_online_non_capital = 0;  ///< outside the capital region
    double mw_online = 0;
    double public_money_committed = 0;   ///< public equity, tax credits and procurement prices
    double private_money_committed = 0;  ///< private equity paid into SPCs
  } programme;
  /// The power grid as it is now (scenario /grid); its operator's actor connects granted loads.
  std::optional<PowerGrid> grid;
  /// The vendors (scenario /vendors, with their export controls), by agent id.
  std::map<std::string, GpuVendor> vendors;
  /// Per fleet owner: GPUs run or on order, with their performance and power (what its next
  /// decision starts from; what runs is in the fleet_online events).
  struct Fleet {
    std::int64_t gpus = 0;   ///< run at the start, plus ordered since
    double performance = 0;  ///< sum over those GPUs (H100 = 1)
    double kw = 0;           ///< sum of their IT kW
    /// The GPUs online now, and what they could deliver and draw since the instruments' costs were
    /// last taken (fleet_actor.cpp): rates per hour, and their sums since then.
    struct Operation {
      double since = 0;               ///< simulated seconds
      double performance = 0;         ///< reference GPUs online
      double outside_kw = 0;          ///< their facility kW outside the capital region
      double outside_tariff_kw = 0;   ///< the same times each site's tariff share
      double capacity_gpu_hours = 0;  ///< since `since`
      double outside_full_load_kwh = 0;
      double outside_tariff_kwh = 0;
    } operation;
  };
  std::map<std::string, Fleet> fleets;
  /// Every delivery still under way (delivery_actor.cpp), by order: what its GPUs wait for, as
  /// the delivery_pipeline events report it. A delivery leaves when all its GPUs run.
  struct Delivery {
    bool fleet = false;
    std::int64_t gpus = 0;
    std::int64_t delivered = 0;  ///< by the vendor (all of them at once without one)
    std::int64_t online = 0;
    double built_at = 0;        ///< simulated seconds
    double outstanding_mw = 0;  ///< requested of the grid operator, not granted yet
    std::string region;         ///< grid region of the site; empty without one
  };
  std::map<std::string, Delivery> deliveries;
  /// MW granted at each site so far (contracts and fleets), changed only at the grid operator's
  /// reviews, so fleets deciding at the same moment see the same sites.
  std::map<std::string, double> site_mw;
  /// Compute use (scenario /compute): what the pools' actors share with the users and the fleets.
  struct Pool {
    std::int64_t gpus_on = 0;
    std::int64_t busy_gpus = 0;
    std::int64_t waiting_gpus = 0;
    double submitted_gpu_hours = 0;  ///< H100-equivalent GPU-hours of every job submitted so far
    double capacity_gpu_hours = 0;   ///< GPU-hours its GPUs on could run, so far
    double busy_gpu_hours = 0;       ///< GPU-hours they ran jobs, so far
  };
  struct Compute {
    std::map<std::string, Pool> pools;  ///< "public" and each fleet owner
    /// Applications waiting for an allocation round, by group.
    std::map<std::string, std::vector<AllocationApplication>> applications;
  };
  std::optional<Compute> compute;
  /// Per SPC call, with compute use: the contract as signed and what its GPUs measured, from which
  /// spc_settlement_actor.cpp settles each operating year.
  struct SpcBooks {
    CallObject object;
    Terms terms;
    TeamProfile team;
    MemberView lead;    ///< the lead's view of operations, as the issuer's ledger took it
    MarketPaths paths;  ///< the issuer's ledger paths, on which the market loan was priced
    bool non_capital = true;
    bool delayed = false;                      ///< the delivery lost a year
    events::ContractOutlook outlook;           ///< as logged: expected margins and O&M
    std::optional<Date> first_month;           ///< first day of the month of the first GPUs online
    std::map<int, MeasuredOperations> months;  ///< by Date::month_index()
  };
  std::map<std::string, SpcBooks> spc_books;
  /// Per user group, the stream its users' queue patience is drawn from (compute_actor.cpp).
  std::map<std::string, Rng> patience_streams;
  /// Per fleet pool, the running totals of demand at its owner's last five quarterly decisions.
  std::map<std::string, std::deque<double>> observed_totals;
  /// The issuers' budgets by fiscal year: what is reserved when a round is decided and committed
  /// when its contracts are signed.
  BudgetLedger budgets;

  World(const Scenario& s, const SimulationOptions& o, EventLog& l, Kernel& k);
  /// Logs a typed event (events.hpp) about `agent` now.
  template <Record E>
  const Event& emit(std::string agent, const E& event) {
    return log.emit(Kernel::now(), std::move(agent), event);
  }
  double time_of(Date date, double hour = 0) const {
    return log.calendar().to_time(date) + hour * 3600.0;
  }
  Rng stream(const std::string& key) const { return Rng(options.seed, options.replication, key); }
  /// The object of a call as the market sees it now (GPU price shocks applied).
  CallObject current_object(const CallSpec& call) const {
    CallObject object = call.object;
    object.gpu_price_bn_krw *= market.gpu_price;
    return object;
  }
};

/// An agent's beliefs (drawn once from its stream "beliefs").
const Beliefs& beliefs_of(World& world, const AgentSpec& agent);
/// The beliefs an agent values with now: its own, with the market's shocks applied.
Beliefs current_beliefs(World& world, const AgentSpec& agent);
/// An agent's paths for a call (drawn once from its stream "paths/<call>").
const MarketPaths& paths_of(World& world, const AgentSpec& agent, const CallSpec& call);
/// What `team[member]` gets from a round's terms with the given rivals (their expected scores).
MemberAssessment assess_in_round(World& world, const CallRound& round,
                                 const std::vector<std::string>& team, std::size_t member,
                                 bool with_effects, const std::vector<double>& rival_scores);
/// Settles who bids in an SPC partner round (once; later calls return the same settlement) and
/// logs it (entry_settled).
const RoundSettlement& settle_round(World& world, const CallRound& round);
std::string round_key(const CallRound& round);

double round_money(double bn);  ///< rounded to 0.001 bn KRW (1 million KRW) for the log
/// Rounded to `step` (0.01, 0.0001: a whole number of steps per unit) as the log prints it.
double round_to(double value, double step);
/// Clause effects as the log writes them (deltas rounded).
std::vector<events::ClauseEffect> clause_effects(const std::vector<TermEffect>& effects);
/// The strongest interaction as the event log writes it.
std::optional<events::ClauseInteraction> clause_interaction(
    const std::optional<ClauseInteraction>& interaction);

void run_bidder(World& world, const AgentSpec& agent);
/// The start function of the kinds whose agents decide through a bidder actor: starts the actor
/// and makes the agent a listener.
void start_bidder(SimulationContext& context, const AgentSpec& agent);
/// The parameter tables a bidder reads: agent, capabilities and beliefs.
std::vector<const ParamTable*> bidder_parameters();
/// Tells every listener whose kind takes part in the round's call kind of the round.
void tell_listeners(World& world, const RoundPtr& round);
/// Stops every listener (the run is over).
void stop_listeners(World& world);
void run_tender_board(World& world);
void run_call_manager(World& world, const CallSpec& call);
void run_calendar(World& world);
/// The grid operator (scenario /grid): decides connection requests at its reviews, brings
/// planned upgrades and its reinforcements into service, until the horizon.
void run_grid_operator(World& world);
/// Starts the actor of a delivery (delivery_actor.cpp).
void deliver(World& world, DeliveryPlan plan);
/// A vendor (scenario /vendors): decides each quarter's orders together, ships after its lead
/// time, until the horizon.
void run_vendor(World& world, const VendorSpec& spec);
/// The vendor a buyer orders from on `date`: the one whose preferred generation costs least per
/// unit of performance (ties by vendor id); null without vendors or when none sells.
const VendorSpec* preferred_vendor(const World& world, Date date);
/// A private fleet's quarterly expansion decisions (fleet_actor.cpp), until the horizon.
void run_fleet(World& world, const AgentSpec& agent);
/// The contract for lot `lot` of `lots` of a round's call if `bid` wins it, priced now.
LotContract lot_contract_now(const World& world, const CallRound& round, const Bid& bid,
                             std::int64_t lot, std::int64_t lots);
/// The hosts of compute use: per pool, ceil(max_gpus_per_pool / pod_gpus) pods named
/// pod_host(pool, i), one power state per generation (compute_power_state); none without /compute.
std::vector<ComputeHostSpec> compute_hosts(const Scenario& scenario);
std::string pod_host(const std::string& pool, std::size_t pod);
/// Starts the actors of compute use: a pool per fleet owner and one for the calls' GPUs, a user
/// group's arrivals, a fleet's customers, the allocation calls.
void start_compute(World& world);
/// Tells the pool of `pool` that GPUs of `source` (the call that bought them, or the fleet's
/// owner) went online at `where` (nothing without /compute).
void gpus_online(World& world, const std::string& pool, std::int64_t gpus,
                 const std::string& generation, const std::string& source, const PowerSite& where);
/// Adds a pool's report of month `month` (Date::month_index) to the books of every SPC whose GPUs
/// it measured.
void record_spc_month(World& world, int month, const events::ComputeMonth& report);
/// The SPC of `call` (its books kept in world.spc_books): settles each operating year that ends
/// before the horizon on its measured operations (spc_year_settled).
void run_spc_settlement(World& world, const std::string& call);
/// Whether a fleet owner's GPUs of the start count as outside the capital region (for their
/// tariff): where most of its own sites are, the capital region on a tie; outside it without a
/// grid, as every site is then.
bool fleet_outside_capital(const World& world, const std::string& owner);
/// H100-equivalent GPU-hours a fleet's customers and the user groups sent to its pool in the
/// year before now (annualised while less than a year has passed); nothing before any demand.
std::optional<double> observed_demand(World& world, const std::string& pool);
/// The programme's state as the log writes it (month and year boundaries, the end of the run).
events::ProgrammeState programme_state(const World& world);
/// Whether the log reports the delivery pipeline: with vendors or a grid, where GPUs can wait for
/// something other than a fixed build time.
inline bool reports_pipeline(const Scenario& scenario) {
  return !scenario.vendors.empty() || scenario.grid.has_value();
}
/// What the GPUs ordered and not running yet wait for, and the MW waiting by region.
events::DeliveryPipeline delivery_pipeline(const World& world);

}  // namespace tenderlab::detail
