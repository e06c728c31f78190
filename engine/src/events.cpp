#include "tenderlab/engine/events.hpp"

#include "tenderlab/engine/event_dispatcher.hpp"
#include "tenderlab/engine/scenario.hpp"

namespace tenderlab {

namespace events {

TermsInForce TermsInForce::of(const Terms& t) {
  TermsInForce terms;
  terms.public_equity_share = t.public_equity_share;
  terms.paid_in_capital_bn_krw = t.paid_in_capital_bn_krw;
  terms.paid_in_years = t.paid_in_years;
  terms.buy_back = t.buy_back.enabled;
  terms.buy_back_return_rate = t.buy_back.return_rate;
  terms.public_preferred = t.public_preferred;
  terms.loss_bearing = t.loss_bearing;
  terms.damages_waiver = t.damages_waiver;
  terms.domestic_chip_share = t.domestic_chip_share;
  terms.site = to_string(t.site);
  terms.tax_credit = t.tax_credit;
  terms.policy_loan_share = t.policy_loan.share_of_capex;
  terms.policy_loan_rate = t.policy_loan.rate;
  terms.policy_loan_years = t.policy_loan.years;
  terms.ceiling_price_bn_krw = t.ceiling_price_bn_krw;
  terms.multi_csp_bonus = t.multi_csp_bonus;
  return terms;
}

}  // namespace events

bool is_known_event_type(std::string_view type) {
  bool known = false;
  events::for_each_event_type([&](auto tag) { known = known || decltype(tag)::type == type; });
  return known;
}

void check_known_event(const Event& event) {
  events::for_each_event_type([&](auto tag) {
    using E = decltype(tag);
    if (E::type == event.type) decode_event<E>(event);
  });
}

void EventDispatcher::dispatch(const Event& event) const {
  std::any decoded;
  bool read = false;
  for (const auto& subscription : subscriptions_) {
    if (!subscription.type.empty()) {
      if (subscription.type != event.type) continue;
      if (!read) {
        decoded = decoders_.find(event.type)->second(event);
        read = true;
      }
    }
    subscription.call(event, decoded);
  }
}

}  // namespace tenderlab
