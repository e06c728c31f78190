// A cloud provider: invests in and runs GPU clouds. It leads a consortium for an SPC partner call
// or stays away, prices procurement calls alone, and may join another lead's consortium.
#include "world.hpp"

namespace tenderlab::detail {
namespace {

const AgentKindRegistration registration{{
    .name = "cloud_provider",
    .meaning = "runs GPU clouds; leads SPC consortia and procurement offers, joins other consortia",
    .roles = RoleTable{}
                 .allow(Role::lead, {CallKind::spc_partner, CallKind::procurement})
                 .allow(Role::join, {CallKind::spc_partner}),
    .parameters = bidder_parameters(),
    .start = start_bidder,
}};

}  // namespace
}  // namespace tenderlab::detail
