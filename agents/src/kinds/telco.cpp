// A telco: runs networks and data centres with secured power. Its roles are a cloud provider's:
// it leads a consortium or an offer, or joins another lead's consortium.
#include "world.hpp"

namespace tenderlab::detail {
namespace {

const AgentKindRegistration registration{{
    .name = "telco",
    .meaning = "runs networks and data centres; leads SPC consortia and procurement offers, joins "
               "other consortia",
    .roles = RoleTable{}
                 .allow(Role::lead, {CallKind::spc_partner, CallKind::procurement})
                 .allow(Role::join, {CallKind::spc_partner}),
    .parameters = bidder_parameters(),
    .start = start_bidder,
}};

}  // namespace
}  // namespace tenderlab::detail
