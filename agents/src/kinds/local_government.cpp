// A local government: offers land, permits and support at a site outside the capital region and
// joins SPC consortia as a partner.
#include "world.hpp"

namespace tenderlab::detail {
namespace {

const AgentKindRegistration registration{{
    .name = "local_government",
    .meaning = "offers land, permits and support at a non-capital site; joins SPC consortia",
    .roles = RoleTable{}.allow(Role::join, {CallKind::spc_partner}),
    .parameters = bidder_parameters(),
    .start = start_bidder,
}};

}  // namespace
}  // namespace tenderlab::detail
