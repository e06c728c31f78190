// A university: brings research users and talent to a consortium and applies for GPU time in
// allocation calls.
#include "world.hpp"

namespace tenderlab::detail {
namespace {

const AgentKindRegistration registration{{
    .name = "university",
    .meaning = "research users and talent; joins SPC consortia, applies for GPU time",
    .roles = RoleTable{}
                 .allow(Role::join, {CallKind::spc_partner})
                 .allow(Role::apply, {CallKind::allocation}),
    .parameters = bidder_parameters(),
    .start = start_bidder,
}};

}  // namespace
}  // namespace tenderlab::detail
