// A builder: builds data centres and joins SPC consortia as a partner.
#include "world.hpp"

namespace tenderlab::detail {
namespace {

const AgentKindRegistration registration{{
    .name = "builder",
    .meaning = "builds data centres; joins SPC consortia",
    .roles = RoleTable{}.allow(Role::join, {CallKind::spc_partner}),
    .parameters = bidder_parameters(),
    .start = start_bidder,
}};

}  // namespace
}  // namespace tenderlab::detail
