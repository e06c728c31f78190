// A government: issues calls of every kind. It has no actor of its own: each call it issues is
// run by a call manager on its host, which follows the call's procedure.
#include "world.hpp"

namespace tenderlab::detail {
namespace {

const AgentKindRegistration registration{{
    .name = "government",
    .meaning = "issues calls; its decisions follow each call's procedure",
    .roles = RoleTable{}.allow(
        Role::issue, {CallKind::spc_partner, CallKind::procurement, CallKind::allocation}),
    .parameters = {},
    .start = {},
}};

}  // namespace
}  // namespace tenderlab::detail
