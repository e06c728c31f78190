#include "report_text.hpp"
#include "tenderlab/analysis/report_observers.hpp"

namespace tenderlab::analysis {

using namespace detail;

namespace {

std::string terms_summary(const events::TermsInForce& t) {
  std::string text = "public equity " + fixed(100 * t.public_equity_share, 0) + "%";
  text += t.buy_back ? ", buy-back" : ", no buy-back";
  if (t.public_preferred) text += ", public shares preferred";
  if (t.loss_bearing) text += ", private loss-bearing";
  if (t.damages_waiver) text += ", damages waiver";
  text += ", domestic chips " + fixed(100 * t.domestic_chip_share, 0) + "%";
  text += ", site " + t.site;
  text += ", tax credit " + fixed(100 * t.tax_credit, 0) + "%";
  if (t.ceiling_price_bn_krw) text += ", ceiling " + fixed(*t.ceiling_price_bn_krw, 1) + " bn KRW";
  return text;
}

std::string round_of(const std::string& call, int round) {
  return call + " round " + std::to_string(round);
}

}  // namespace

Timeline::Timeline(EventDispatcher& events, Printer print) : print_(std::move(print)) {
  if (!print_) return;  // nobody reads it: no need to subscribe
  events.on<events::SimulationStarted>([this](const Event& e, const events::SimulationStarted& s) {
    print_(e.date + "  simulation of " + s.scenario + " (seed " + std::to_string(s.seed) +
           ", replication " + std::to_string(s.replication) + ")");
  });
  events.on<events::CallAnnounced>([this](const Event& e, const events::CallAnnounced& a) {
    print_(e.date + "  " + round_of(a.call, a.round) + " announced (" + a.round_kind +
           "): bids close " + a.bid_deadline + ", " + std::to_string(a.min_valid_bids) +
           " valid bid" + (a.min_valid_bids == 1 ? "" : "s") + " needed");
    print_("            terms: " + terms_summary(a.terms));
    if (a.revision && !a.revision->empty()) print_("            revision: " + *a.revision);
  });
  events.on<events::ConsortiumFormed>([this](const Event& e, const events::ConsortiumFormed& c) {
    print_(e.date + "  consortium formed by " + e.agent + ": " + join(c.members, " + "));
  });
  events.on<events::RoundFailed>([this](const Event& e, const events::RoundFailed& failed) {
    print_(e.date + "  " + round_of(failed.call, failed.round) + " FAILED: " + failed.reason);
    for (const auto& away : failed.stayed_away) {
      const std::string reasons = obstacles_text(away.obstacles);
      print_("            " + away.agent +
             (away.role == "partner" ? " declined to join" : " stayed away") + " (value " +
             fixed(away.value_bn_krw, 1) + " bn KRW): " +
             (reasons.empty() ? std::string("no clause costs it; the project itself does not pay")
                              : reasons));
      if (const std::string pair = interaction_text(away.interaction); !pair.empty())
        print_("              strongest interaction: " + pair);
    }
  });
  events.on<events::RoundAwarded>([this](const Event& e, const events::RoundAwarded& awarded) {
    print_(e.date + "  " + round_of(awarded.call, awarded.round) + " AWARDED to " +
           join(awarded.winners, ";") + " (" + awarded.reason + ")");
  });
  events.on<events::NegotiatedAward>([this](const Event& e, const events::NegotiatedAward& n) {
    print_(e.date + "  " + round_of(n.call, n.round) + " NEGOTIATED with " + n.lead);
  });
  events.on<events::CallCancelled>([this](const Event& e, const events::CallCancelled& c) {
    print_(e.date + "  " + c.call + " cancelled: " + c.reason);
  });
  events.on<events::CallClosed>([this](const Event& e, const events::CallClosed& c) {
    print_(e.date + "  " + c.call + " closed: " + c.reason);
  });
  events.on<events::TermsRevised>([this](const Event& e, const events::TermsRevised& t) {
    print_(e.date + "  " + t.call + " terms revised: " + t.term + " " + t.from + " -> " + t.to);
  });
  events.on<events::ContractSigned>([this](const Event& e, const events::ContractSigned& c) {
    print_(e.date + "  contract signed for " + c.call + " with " + join(c.members, " + ") +
           "; public money " + fixed(c.public_money_bn_krw, 1) + " bn KRW");
  });
  events.on<events::CapacityOnline>([this](const Event& e, const events::CapacityOnline& c) {
    print_(e.date + "  " + std::to_string(c.gpus) + " GPUs online (" + c.site + " site" +
           (c.delayed ? ", one year late" : "") + ")");
  });
  events.on<events::ExogenousEvent>([this](const Event& e, const events::ExogenousEvent& x) {
    print_(e.date + "  " + x.kind + ": " + x.description);
  });
}

}  // namespace tenderlab::analysis
