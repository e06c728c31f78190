#pragma once
// The registry of agent kinds. One entry per kind gives its name, what it is, its roles (which
// call kinds it may issue, lead, join, apply to or serve), its parameter table and the function
// that starts its actors. The loader accepts an agent's kind because it is registered here, the
// simulation starts an agent's actors and routes calls to it through its entry, and listings,
// the schema check and the docs read the names from here.
//
// The model library holds the registry and never calls `start`: the agents library (SimGrid)
// defines SimulationContext and registers the kinds, one file each (agents/src/kinds/). A process
// that does not link the agents can register entries without `start` (tenderlab-mpi learns them
// from its worker program). See ARCHITECTURE.md, "How to add an agent kind".
#include <array>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "tenderlab/engine/parameters.hpp"

namespace tenderlab {

/// What a call buys or hands out. The names are those of the scenario format and the event log.
enum class CallKind { spc_partner, procurement, allocation };
inline constexpr std::array<std::string_view, 3> call_kind_names = {"spc_partner", "procurement",
                                                                    "allocation"};
const char* to_string(CallKind kind);

/// How an agent of a kind takes part in a call of a kind. A kind without a role in a call kind
/// never takes part in it: it is not told of its rounds, invited into its consortia or counted
/// among those who stayed away.
enum class Role {
  issue,  ///< may be the issuer of the call (its call managers run on the issuer's host)
  lead,   ///< may lead a bid: forms a consortium (SPC partner calls) or offers alone
  join,   ///< may be invited into a lead's consortium
  apply,  ///< applies for what the call hands out (GPU time in allocation calls)
  serve,  ///< is told of the call's rounds without bidding (a supplier to the winners)
};
inline constexpr std::array<std::string_view, 5> role_names = {"issue", "lead", "join", "apply",
                                                               "serve"};
const char* to_string(Role role);

/// The roles of a kind, per call kind.
class RoleTable {
 public:
  /// Allows `role` in every call kind of `calls`.
  RoleTable& allow(Role role, std::initializer_list<CallKind> calls);
  bool allows(Role role, CallKind call) const;
  /// Any role but `issue`: the agent takes part in the call's procedure.
  bool takes_part_in(CallKind call) const;
  bool operator==(const RoleTable&) const = default;

 private:
  std::array<unsigned, call_kind_names.size()> bits_{};
};

struct AgentSpec;
class SimulationContext;  // defined by the agents library

/// Starts the actors of one agent of the kind, before the simulation runs.
using StartActors = std::function<void(SimulationContext&, const AgentSpec&)>;

/// One registered kind.
struct AgentKindDefinition {
  std::string name;     ///< as written in scenarios: lower case, digits and '_'
  std::string meaning;  ///< one line for listings and the docs
  RoleTable roles;
  /// The parameter tables (parameters.hpp) an agent of this kind reads its settings from, as
  /// `tenderlab kinds` lists them; the rows themselves are in `tenderlab params`. Empty for a kind
  /// whose decisions read none of them.
  std::vector<const ParamTable*> parameters;
  /// Starts an agent's actors; empty for kinds whose decisions are not modelled by an actor of
  /// their own (a government acts through the call managers of the calls it issues).
  StartActors start;
};

/// A registered kind: a cheap handle, compared by identity. A default-constructed AgentKind is
/// no kind at all (an agent whose file was never loaded).
class AgentKind {
 public:
  AgentKind() = default;
  /// The registered kind of that name. Throws ModelError when there is none.
  static AgentKind named(std::string_view name);

  bool valid() const { return definition_ != nullptr; }
  /// The definition; throws ModelError for no kind.
  const AgentKindDefinition& definition() const;
  const std::string& name() const { return definition().name; }
  bool may(Role role, CallKind call) const { return definition().roles.allows(role, call); }
  bool takes_part_in(CallKind call) const { return definition().roles.takes_part_in(call); }
  bool operator==(const AgentKind&) const = default;

 private:
  friend class AgentKindRegistry;
  explicit AgentKind(const AgentKindDefinition* definition) : definition_(definition) {}
  const AgentKindDefinition* definition_ = nullptr;
};

inline const char* to_string(AgentKind kind) {
  return kind.name().c_str();
}

/// Every kind of this process. Entries are added at static-initialisation time (the agents
/// library's kind files) or by tests and never removed, so AgentKind handles stay valid.
class AgentKindRegistry {
 public:
  /// Adds a kind. Throws ModelError for a name already registered or not of the form above.
  AgentKind add(AgentKindDefinition definition);
  std::optional<AgentKind> find(std::string_view name) const;
  /// Every kind, sorted by name (registration order depends on the link order: never shown).
  std::vector<AgentKind> kinds() const;
  std::vector<std::string> names() const;
  /// The names of the kinds that may take `role` in `call`, sorted.
  std::vector<std::string> names_with(Role role, CallKind call) const;

 private:
  std::vector<std::unique_ptr<const AgentKindDefinition>> definitions_;
};

/// The process's registry.
AgentKindRegistry& agent_kinds();

/// The registry as JSON ("tenderlab-kinds/1": every kind's name, meaning, roles per call kind,
/// whether it starts actors, and the names of its parameter tables), as `tenderlab kinds --json`
/// prints it.
nlohmann::ordered_json agent_kinds_json();
/// Registers, without start functions, the kinds a document of agent_kinds_json() describes and
/// this process does not know yet: a program without the agents library (tenderlab-mpi) then
/// checks scenarios against the kinds its worker program runs. Throws InputError naming
/// `origin` and the JSON Pointer of anything malformed.
void register_agent_kinds_json(const nlohmann::json& document, const std::string& origin);

/// Registers a kind when the program starts: `const AgentKindRegistration registration{{...}};`
/// at namespace scope in the kind's file. A name registered twice stops the program at start-up.
class AgentKindRegistration {
 public:
  explicit AgentKindRegistration(AgentKindDefinition definition);
  AgentKind kind() const { return kind_; }

 private:
  AgentKind kind_;
};

}  // namespace tenderlab
