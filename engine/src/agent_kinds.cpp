#include "tenderlab/engine/agent_kinds.hpp"

#include <algorithm>

#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/json_reader.hpp"

namespace tenderlab {
namespace {

bool valid_kind_name(std::string_view name) {
  return !name.empty() && name.size() <= 64 && name.front() >= 'a' && name.front() <= 'z' &&
         std::all_of(name.begin(), name.end(), [](char c) {
           return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
         });
}

}  // namespace

const char* to_string(CallKind kind) {
  return call_kind_names.at(static_cast<std::size_t>(kind)).data();
}

const char* to_string(Role role) {
  return role_names.at(static_cast<std::size_t>(role)).data();
}

RoleTable& RoleTable::allow(Role role, std::initializer_list<CallKind> calls) {
  for (CallKind call : calls)
    bits_.at(static_cast<std::size_t>(call)) |= 1u << static_cast<unsigned>(role);
  return *this;
}

bool RoleTable::allows(Role role, CallKind call) const {
  return (bits_.at(static_cast<std::size_t>(call)) >> static_cast<unsigned>(role)) & 1u;
}

bool RoleTable::takes_part_in(CallKind call) const {
  return (bits_.at(static_cast<std::size_t>(call)) & ~(1u << static_cast<unsigned>(Role::issue))) !=
         0;
}

AgentKind AgentKind::named(std::string_view name) {
  if (auto kind = agent_kinds().find(name)) return *kind;
  std::string known;
  for (const auto& registered : agent_kinds().names())
    known += (known.empty() ? "" : ", ") + registered;
  throw ModelError("no agent kind '" + std::string(name) + "' is registered (registered: " + known +
                   ")");
}

const AgentKindDefinition& AgentKind::definition() const {
  if (!definition_) throw ModelError("an agent without a kind");
  return *definition_;
}

AgentKind AgentKindRegistry::add(AgentKindDefinition definition) {
  if (!valid_kind_name(definition.name))
    throw ModelError(
        "agent kind name '" + definition.name +
        "': expected 1 to 64 characters from a-z, 0-9 and '_', starting with a letter");
  if (find(definition.name))
    throw ModelError("agent kind '" + definition.name + "' is registered twice");
  definitions_.push_back(std::make_unique<const AgentKindDefinition>(std::move(definition)));
  return AgentKind(definitions_.back().get());
}

std::optional<AgentKind> AgentKindRegistry::find(std::string_view name) const {
  for (const auto& definition : definitions_)
    if (definition->name == name) return AgentKind(definition.get());
  return std::nullopt;
}

std::vector<AgentKind> AgentKindRegistry::kinds() const {
  std::vector<AgentKind> kinds;
  for (const auto& definition : definitions_)
    kinds.push_back(AgentKind(definition.get()));
  std::sort(kinds.begin(), kinds.end(),
            [](const AgentKind& a, const AgentKind& b) { return a.name() < b.name(); });
  return kinds;
}

std::vector<std::string> AgentKindRegistry::names() const {
  std::vector<std::string> names;
  for (const auto& kind : kinds())
    names.push_back(kind.name());
  return names;
}

std::vector<std::string> AgentKindRegistry::names_with(Role role, CallKind call) const {
  std::vector<std::string> names;
  for (const auto& kind : kinds())
    if (kind.may(role, call)) names.push_back(kind.name());
  return names;
}

AgentKindRegistry& agent_kinds() {
  // Built on first use, so kinds registered by static initialisers of other files find it.
  static AgentKindRegistry registry;
  return registry;
}

nlohmann::ordered_json agent_kinds_json() {
  nlohmann::ordered_json kinds = nlohmann::ordered_json::array();
  for (const auto& kind : agent_kinds().kinds()) {
    const AgentKindDefinition& d = kind.definition();
    nlohmann::ordered_json roles = nlohmann::ordered_json::object();
    for (std::size_t c = 0; c < call_kind_names.size(); ++c) {
      nlohmann::ordered_json names = nlohmann::ordered_json::array();
      for (std::size_t r = 0; r < role_names.size(); ++r)
        if (d.roles.allows(static_cast<Role>(r), static_cast<CallKind>(c)))
          names.push_back(role_names[r]);
      roles[std::string(call_kind_names[c])] = names;
    }
    nlohmann::ordered_json parameters = nlohmann::ordered_json::array();
    for (const ParamTable* table : d.parameters)
      parameters.push_back(table->name);
    kinds.push_back({{"name", d.name},
                     {"meaning", d.meaning},
                     {"roles", roles},
                     {"actors", static_cast<bool>(d.start)},
                     {"parameters", parameters}});
  }
  return {{"format", "tenderlab-kinds/1"}, {"kinds", kinds}};
}

void register_agent_kinds_json(const nlohmann::json& document, const std::string& origin) {
  ProblemSink sink(origin);
  std::vector<AgentKindDefinition> found;
  ObjectReader root(document, "", sink);
  const std::string format = root.string("format", "tenderlab-kinds/1", true);
  if (format != "tenderlab-kinds/1")
    sink.add("/format", "\"tenderlab-kinds/1\"", describe_json(format));
  std::vector<std::string> call_names(call_kind_names.begin(), call_kind_names.end());
  std::vector<std::string> role_list(role_names.begin(), role_names.end());
  root.array(
      "kinds",
      [&](const nlohmann::json& item, const std::string& pointer) {
        AgentKindDefinition d;
        ObjectReader kind(item, pointer, sink);
        d.name = kind.string("name", "", true);
        d.meaning = kind.string("meaning", "");
        kind.boolean("actors", false);  // the start function stays with the program that has it
        if (const auto* roles = kind.get("roles")) {
          ObjectReader by_call(*roles, kind.pointer_of("roles"), sink);
          for (std::size_t c = 0; c < call_names.size(); ++c)
            by_call.array(call_names[c], [&](const nlohmann::json& role, const std::string& at) {
              const auto it = std::find(role_list.begin(), role_list.end(),
                                        role.is_string() ? role.get<std::string>() : "");
              if (it == role_list.end())
                sink.add(at, "a role name", describe_json(role));
              else
                d.roles.allow(static_cast<Role>(it - role_list.begin()),
                              {static_cast<CallKind>(c)});
            });
          by_call.finish();
        }
        kind.array("parameters", [&](const nlohmann::json& name, const std::string& at) {
          // Both programs are built from the same sources, so they know the same tables.
          const ParamTable* table = nullptr;
          for (const ParamTable* known : parameter_tables())
            if (name.is_string() && known->name == name.get<std::string>()) table = known;
          if (table)
            d.parameters.push_back(table);
          else
            sink.add(at, "the name of a parameter table", describe_json(name));
        });
        kind.finish();
        if (!valid_kind_name(d.name))
          sink.add(kind.pointer_of("name"), "a kind name of a-z, 0-9 and '_'",
                   describe_json(d.name));
        found.push_back(std::move(d));
      },
      true);
  root.finish();
  if (!sink.empty()) throw InputError(sink.take());
  for (auto& d : found)
    if (!agent_kinds().find(d.name)) agent_kinds().add(std::move(d));
}

AgentKindRegistration::AgentKindRegistration(AgentKindDefinition definition)
    : kind_(agent_kinds().add(std::move(definition))) {}

}  // namespace tenderlab
