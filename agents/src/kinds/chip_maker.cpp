// A chip maker: supplies domestic AI chips (NPUs) and joins SPC consortia as a partner.
#include "world.hpp"

namespace tenderlab::detail {
namespace {

const AgentKindRegistration registration{{
    .name = "chip_maker",
    .meaning = "supplies domestic AI chips; joins SPC consortia",
    .roles = RoleTable{}.allow(Role::join, {CallKind::spc_partner}),
    .parameters = bidder_parameters(),
    .start = start_bidder,
}};

}  // namespace
}  // namespace tenderlab::detail
