// A policy bank: named in scenarios for their ties and history. Its lending is a clause of the
// terms (policy_loan), so it takes part in no call and has no actor.
#include "world.hpp"

namespace tenderlab::detail {
namespace {

const AgentKindRegistration registration{{
    .name = "policy_bank",
    .meaning = "lends on policy terms; its loans are a clause of the terms, not modelled decisions",
    .roles = RoleTable{},
    .parameters = {},
    .start = {},
}};

}  // namespace
}  // namespace tenderlab::detail
