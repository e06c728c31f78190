// The registry of agent kinds (engine/include/tenderlab/engine/agent_kinds.hpp) and the built-in
// kinds the agents library registers (agents/src/kinds/): names, roles, the JSON a program
// without the agents learns them from, and the rule that a kind with roles must start an actor
// that answers.
#include <catch2/catch.hpp>

#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

#include "tenderlab/agents/simulation.hpp"
#include "tenderlab/engine/agent_kinds.hpp"
#include "tenderlab/engine/input_error.hpp"
#include "tenderlab/engine/scenario_loader.hpp"

using namespace tenderlab;

TEST_CASE("the built-in kinds are registered, listed by name, with their roles") {
  // This test program registers kinds of its own too (the toy and the silent partner).
  const std::vector<std::string> names = agent_kinds().names();
  CHECK(std::is_sorted(names.begin(), names.end()));
  const std::vector<std::string> built_in = {"builder",    "chip_maker",       "cloud_provider",
                                             "government", "local_government", "policy_bank",
                                             "telco",      "university"};
  for (const auto& name : built_in)
    CHECK(std::count(names.begin(), names.end(), name) == 1);
  const AgentKind government = AgentKind::named("government");
  for (CallKind call : {CallKind::spc_partner, CallKind::procurement, CallKind::allocation}) {
    CHECK(government.may(Role::issue, call));
    CHECK_FALSE(government.takes_part_in(call));
    CHECK(agent_kinds().names_with(Role::issue, call) == std::vector<std::string>{"government"});
  }
  CHECK(agent_kinds().names_with(Role::lead, CallKind::spc_partner) ==
        std::vector<std::string>{"cloud_provider", "telco"});
  CHECK(agent_kinds().names_with(Role::apply, CallKind::allocation) ==
        std::vector<std::string>{"university"});
  CHECK(AgentKind::named("university").may(Role::join, CallKind::spc_partner));
  CHECK_FALSE(AgentKind::named("university").takes_part_in(CallKind::procurement));
  // Every built-in kind with roles in calls decides through its own actor.
  for (const auto& name : built_in)
    CHECK(static_cast<bool>(AgentKind::named(name).definition().start) ==
          (name != "government" && name != "policy_bank"));
  CHECK_THROWS_AS(AgentKind::named("cloud"), ModelError);
}

TEST_CASE("a kind name is registered once, and only a well-formed one") {
  auto named = [](std::string name) {
    AgentKindDefinition definition;
    definition.name = std::move(name);
    return definition;
  };
  CHECK_THROWS_AS(agent_kinds().add(named("telco")), ModelError);
  CHECK_THROWS_AS(agent_kinds().add(named("Grid Operator")), ModelError);
  CHECK_THROWS_AS(agent_kinds().add(named("")), ModelError);
  CHECK_FALSE(agent_kinds().find("Grid Operator"));
}

TEST_CASE("a program without the agents learns the kinds from their JSON") {
  nlohmann::json document = agent_kinds_json();
  CHECK(document.at("format") == "tenderlab-kinds/1");
  // A kind this program does not have, with roles, as a worker program would list it.
  nlohmann::json learned = document.at("kinds").at(0);
  learned["name"] = "learned_kind";
  learned["roles"]["procurement"] = {"lead", "serve"};
  document["kinds"].push_back(learned);
  register_agent_kinds_json(document, "kinds.json");
  const AgentKind kind = AgentKind::named("learned_kind");
  CHECK(kind.may(Role::lead, CallKind::procurement));
  CHECK(kind.may(Role::serve, CallKind::procurement));
  CHECK(kind.may(Role::join, CallKind::spc_partner));
  CHECK_FALSE(kind.definition().start);  // the actors stay with the program that has them
  // Parameter tables travel by name and resolve to this program's tables.
  CHECK(kind.definition().parameters == AgentKind::named("builder").definition().parameters);
  CHECK(learned.at("parameters") == nlohmann::json({"agent", "capabilities", "beliefs"}));

  document["kinds"][0]["roles"]["allocation"] = {"bid"};
  try {
    register_agent_kinds_json(document, "kinds.json");
    FAIL("a role that does not exist was accepted");
  } catch (const InputError& error) {
    REQUIRE(error.problems().size() == 1);
    CHECK(error.problems().front().pointer == "/kinds/0/roles/allocation/0");
    CHECK(error.problems().front().file == "kinds.json");
  }

  document["kinds"][0]["roles"]["allocation"] = nlohmann::json::array();
  document["kinds"][0]["parameters"] = {"agent", "no_such_table"};
  try {
    register_agent_kinds_json(document, "kinds.json");
    FAIL("a parameter table that does not exist was accepted");
  } catch (const InputError& error) {
    REQUIRE(error.problems().size() == 1);
    CHECK(error.problems().front().pointer == "/kinds/0/parameters/1");
    CHECK(error.problems().front().expected == "the name of a parameter table");
  }
}

namespace {

const AgentKindRegistration silent_partner{{
    .name = "silent_partner",
    .meaning = "may join consortia but starts no actor: a mistake the simulation reports",
    .roles = RoleTable{}.allow(Role::join, {CallKind::spc_partner}),
    .parameters = {},
    .start = {},
}};

}  // namespace

TEST_CASE("a kind with roles in calls but no actor to answer stops the run with its name") {
  const Scenario scenario = scenario_from_json(nlohmann::json::parse(R"({
    "format": "tenderlab-scenario/1", "name": "silent", "start_date": "2025-01-01",
    "horizon": "2025-06-30",
    "agents": [{"id": "gov", "kind": "government"}, {"id": "quiet", "kind": "silent_partner"}]
  })"),
                                               "silent.json");
  int fds[2];
  REQUIRE(::pipe(fds) == 0);
  std::fflush(nullptr);
  const pid_t pid = ::fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    ::close(fds[0]);
    std::string message = "no error";
    try {
      SimulationOptions options;
#if defined(__SANITIZE_ADDRESS__)
      options.simgrid_args.push_back("--cfg=contexts/factory:thread");
#endif
      simulate(scenario, options, nullptr, {});
    } catch (const ModelError& error) {
      message = error.what();
    } catch (const std::exception& error) {
      message = std::string("another error: ") + error.what();
    }
    [[maybe_unused]] const ssize_t n = ::write(fds[1], message.data(), message.size());
    _exit(0);
  }
  ::close(fds[1]);
  std::string message;
  char buffer[1024];
  for (ssize_t n; (n = ::read(fds[0], buffer, sizeof buffer)) > 0;)
    message.append(buffer, static_cast<std::size_t>(n));
  ::close(fds[0]);
  int status = 0;
  ::waitpid(pid, &status, 0);
  REQUIRE(WIFEXITED(status));
  CHECK(message ==
        "agent kind 'silent_partner' has roles in calls but its start function starts no actor "
        "that reads the agent's inbox (agent quiet)");
}
