#include <algorithm>
#include <sstream>

#include "report_text.hpp"
#include "tenderlab/analysis/report_observers.hpp"

namespace tenderlab::analysis {

using namespace detail;

TendersTable::TendersTable(EventDispatcher& events) {
  events.on<events::AllocationDecided>([this](const Event& e, const events::AllocationDecided& a) {
    allocations_.push_back({e.date, a});
  });
  events.on<events::CallAnnounced>([this](const Event& e, const events::CallAnnounced& a) {
    TenderRow r;
    r.call_id = a.call;
    r.round = a.round;
    r.round_kind = a.round_kind;
    r.announce_date = e.date;
    r.close_date = a.bid_deadline;
    r.min_valid_bids = a.min_valid_bids;
    r.terms = a.terms;
    r.revision = a.revision.value_or("");
    rows_.push_back(std::move(r));
  });
  events.on<events::BidsOpened>([this](const Event&, const events::BidsOpened& opened) {
    if (TenderRow* r = row(opened.call, opened.round)) {
      r->received_bids = static_cast<int>(opened.received);
      r->valid_bids = opened.valid;
      for (const auto& bid : opened.bids)
        r->bidders.push_back(bid.lead);
    }
  });
  events.on<events::RoundFailed>([this](const Event&, const events::RoundFailed& failed) {
    TenderRow* r = row(failed.call, failed.round);
    if (!r) return;
    r->outcome = "failed";
    r->reason = failed.reason;
    for (const auto& away : failed.stayed_away)
      r->stayed_away.push_back(
          {away.agent, obstacles_text(away.obstacles), interaction_text(away.interaction)});
  });
  events.on<events::RoundAwarded>([this](const Event&, const events::RoundAwarded& awarded) {
    TenderRow* r = row(awarded.call, awarded.round);
    if (!r) return;
    r->outcome = "awarded";
    r->reason = awarded.reason;
    r->winner = join(awarded.winners, ";");
    r->winner_kinds = awarded.winner_kinds;
  });
  events.on<events::NegotiatedAward>(
      [this](const Event&, const events::NegotiatedAward& negotiated) {
        TenderRow* r = row(negotiated.call, negotiated.round);
        if (!r) return;
        r->outcome = "negotiated";
        r->winner = negotiated.lead;
        r->reason = negotiated.reason;
      });
  events.on<events::CallCancelled>([this](const Event&, const events::CallCancelled& cancelled) {
    for (auto& r : rows_)
      if (r.call_id == cancelled.call && r.outcome == "open") r.outcome = "cancelled";
  });
  events.on<events::ContractSigned>([this](const Event&, const events::ContractSigned& contract) {
    for (auto& r : rows_)
      if (r.call_id == contract.call && r.round == contract.round)
        for (const auto& member : contract.members)  // several winners: every consortium's members
          if (std::find(r.winning_members.begin(), r.winning_members.end(), member) ==
              r.winning_members.end())
            r.winning_members.push_back(member);
  });
}

TenderRow* TendersTable::row(const std::string& call, int round) {
  for (auto& r : rows_)
    if (r.call_id == call && r.round == round) return &r;
  return nullptr;
}

namespace {

/// A term's value as the CSV shows it: the event log's JSON text, strings unquoted, null empty.
std::string scalar_text(const nlohmann::ordered_json& value) {
  if (value.is_null()) return "";
  if (value.is_string()) return value.get<std::string>();
  if (value.is_boolean()) return value.get<bool>() ? "true" : "false";
  return value.dump();
}

}  // namespace

std::string TendersTable::csv() const {
  std::ostringstream out;
  out << "call_id,round,round_kind,announce_date,close_date,min_valid_bids,received_bids,"
         "valid_bids,bidders,outcome,reason,winner,winning_members,public_equity_share,"
         "buy_back,public_preferred,loss_bearing,damages_waiver,domestic_chip_share,site,"
         "tax_credit,ceiling_price_bn_krw,revision,stayed_away,top_reasons,interactions,"
         "oversubscription,allocation_shares\r\n";
  for (const auto& r : rows_) {
    std::vector<std::string> away, reasons, interactions;
    for (const auto& entry : r.stayed_away) {
      away.push_back(entry.agent);
      reasons.push_back(entry.agent + ": " + entry.reasons);
      if (!entry.interaction.empty())
        interactions.push_back(entry.agent + ": " + entry.interaction);
    }
    const nlohmann::ordered_json terms = encode(r.terms);
    auto term = [&](const char* name) { return scalar_text(terms.at(name)); };
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
                                       join(reasons, " | "),
                                       join(interactions, " | "),
                                       "",
                                       ""};
    for (std::size_t i = 0; i < fields.size(); ++i)
      out << (i ? "," : "") << csv_field(fields[i]);
    out << "\r\n";
  }
  // Allocation rounds after the tenders: the groups that applied stand where bidders do, the
  // groups awarded where the winning members do; the terms columns stay empty.
  for (const auto& [date, a] : allocations_) {
    std::vector<std::string> applied, awarded, shares;
    int applications = 0;
    for (const events::GroupAward& g : a.groups) {
      applications += g.applications;
      if (g.applications > 0) applied.push_back(g.group);
      if (g.awarded_gpus > 0) awarded.push_back(g.group);
      shares.push_back(g.group + " " + std::to_string(g.awarded_gpus) + "/" +
                       std::to_string(g.requested_gpus) + " GPUs (share " + fixed(g.share, 4) +
                       (a.awarded_gpus > 0
                            ? ", awarded " + fixed(static_cast<double>(g.awarded_gpus) /
                                                       static_cast<double>(a.awarded_gpus),
                                                   4)
                            : std::string()) +
                       ")");
    }
    const std::string outcome = a.awarded_gpus > 0    ? "allocated"
                                : a.capacity_gpus > 0 ? "no_applications"
                                                      : "nothing_offered";
    std::vector<std::string> fields = {a.call,
                                       std::to_string(a.round),
                                       "allocation",
                                       date,
                                       date,
                                       "0",
                                       std::to_string(applications),
                                       std::to_string(applications),
                                       join(applied, ";"),
                                       outcome,
                                       "offered " + std::to_string(a.capacity_gpus) +
                                           " GPUs, asked " + std::to_string(a.requested_gpus) +
                                           ", awarded " + std::to_string(a.awarded_gpus),
                                       "",
                                       join(awarded, ";")};
    fields.resize(fields.size() + 13);  // the terms, revision and stay-away columns
    fields.push_back(a.oversubscription ? fixed(*a.oversubscription, 4) : "");
    fields.push_back(join(shares, "; "));
    for (std::size_t i = 0; i < fields.size(); ++i)
      out << (i ? "," : "") << csv_field(fields[i]);
    out << "\r\n";
  }
  return out.str();
}

}  // namespace tenderlab::analysis
