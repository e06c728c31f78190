// The scenario's agent index (Scenario::find_agent): lookups by id that stay correct whether the
// scenario came from the loader, was built by hand, or was edited after indexing, and that stay
// fast in large markets.
#include <algorithm>
#include <ctime>
#include <string>
#include <vector>

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include "tenderlab/engine/scenario_loader.hpp"

using tenderlab::AgentKind;
using tenderlab::AgentSpec;
using tenderlab::Scenario;

namespace {

AgentSpec agent(const std::string& id, AgentKind kind = AgentKind::named("telco")) {
  AgentSpec spec;
  spec.id = id;
  spec.kind = kind;
  return spec;
}

std::string numbered(const std::string& prefix, std::size_t i) {
  std::string digits = std::to_string(i);
  return prefix + std::string(6 - std::min<std::size_t>(6, digits.size()), '0') + digits;
}

/// A scenario file with `count` telcos (ids agent-000000, ...), each tied to the one before it.
nlohmann::json market_of(std::size_t count) {
  nlohmann::json doc = {{"format", "tenderlab-scenario/1"},
                        {"name", "large"},
                        {"start_date", "2025-01-01"},
                        {"horizon", "2026-12-31"}};
  doc["agents"] = nlohmann::json::array();
  doc["agents"].push_back({{"id", "gov"}, {"kind", "government"}});
  doc["relationships"] = nlohmann::json::array();
  for (std::size_t i = 0; i < count; ++i) {
    doc["agents"].push_back({{"id", numbered("agent-", i)},
                             {"kind", "telco"},
                             {"capital_bn_krw", 100 + static_cast<double>(i % 97)}});
    if (i > 0)
      doc["relationships"].push_back(
          {{"from", numbered("agent-", i)}, {"to", numbered("agent-", i - 1)}, {"strength", 0.5}});
  }
  return doc;
}

}  // namespace

TEST_CASE("scenario index: a loaded scenario finds every agent by id, and nothing else") {
  const Scenario s = tenderlab::scenario_from_json(market_of(50), "large.json");
  REQUIRE(s.agents.size() == 51);
  for (std::size_t i = 0; i < s.agents.size(); ++i) {
    CHECK(s.find_agent(s.agents[i].id) == &s.agents[i]);
    CHECK(s.agent_position(s.agents[i].id) == i);
  }
  CHECK(s.find_agent("agent-") == nullptr);
  CHECK(s.find_agent("agent-000050") == nullptr);
  CHECK(s.find_agent("") == nullptr);
  CHECK_FALSE(s.agent_position("zzz"));
}

TEST_CASE("scenario index: a scenario built by hand is searched without an index") {
  Scenario s;
  CHECK(s.find_agent("a") == nullptr);
  s.agents = {agent("c"), agent("a"), agent("b")};
  CHECK(s.find_agent("a") == &s.agents[1]);
  CHECK(s.find_agent("c") == &s.agents[0]);
  CHECK(s.find_agent("d") == nullptr);
  s.index_agents();
  CHECK(s.find_agent("b") == &s.agents[2]);
  CHECK(s.find_agent("d") == nullptr);
}

TEST_CASE("scenario index: agents added, removed or reordered after indexing are still found") {
  Scenario s;
  s.agents = {agent("c"), agent("a"), agent("b")};
  s.index_agents();
  s.agents.push_back(agent("d"));  // the index is now one agent short
  CHECK(s.find_agent("d") == &s.agents[3]);
  CHECK(s.find_agent("a") == &s.agents[1]);
  s.agents.erase(s.agents.begin());  // a, b, d: the index is stale again
  CHECK(s.find_agent("c") == nullptr);
  CHECK(s.find_agent("d") == &s.agents[2]);
  s.index_agents();
  std::reverse(s.agents.begin(), s.agents.end());  // d, b, a: same size, other positions
  CHECK(s.find_agent("a") == &s.agents[2]);
  CHECK(s.find_agent("d") == &s.agents[0]);
  const Scenario copy = s;  // the index holds positions, so a copy's lookups point into the copy
  CHECK(copy.find_agent("b") == &copy.agents[1]);
}

TEST_CASE("scenario index: with a duplicate id, the first agent is found, as a scan finds it") {
  Scenario s;
  s.agents = {agent("x"), agent("dup", AgentKind::named("builder")),
              agent("dup", AgentKind::named("university"))};
  s.index_agents();
  REQUIRE(s.find_agent("dup") != nullptr);
  CHECK(s.find_agent("dup")->kind == AgentKind::named("builder"));
}

TEST_CASE("scenario index: 100,000 lookups among 100,000 agents take well under a second") {
  // A scan costs n/2 string comparisons a lookup: 5e9 here, tens of seconds; the index costs
  // about 17 comparisons a lookup.
  Scenario s;
  const std::size_t count = 100'000;
  s.agents.reserve(count);
  for (std::size_t i = 0; i < count; ++i)
    s.agents.push_back(agent(numbered("agent-", (i * 7919) % count)));
  s.index_agents();
  // Processor time, so that a loaded machine does not fail the check; the index needs well under
  // a second even in a sanitizer build.
  const std::clock_t started = std::clock();
  std::size_t found = 0;
  for (std::size_t i = 0; i < count; ++i)
    found += s.find_agent(numbered("agent-", i)) != nullptr ? 1 : 0;
  const double took = static_cast<double>(std::clock() - started) / CLOCKS_PER_SEC;
  CHECK(found == count);
  CHECK(took < 5.0);
}

TEST_CASE("scenario loader: a 10,000-agent scenario with 10,000 ties loads in seconds") {
  // Unique ids and references are checked through ordered indexes, so loading stays
  // O(n log n); a quadratic check would take minutes here.
  // Processor time, not wall-clock time: other processes on a loaded machine do not count. It
  // takes about 2.5 s in a sanitizer build; a quadratic check would take minutes.
  const nlohmann::json doc = market_of(10'000);
  const std::clock_t started = std::clock();
  const Scenario s = tenderlab::scenario_from_json(doc, "large.json");
  const double took = static_cast<double>(std::clock() - started) / CLOCKS_PER_SEC;
  CHECK(s.agents.size() == 10'001);
  CHECK(s.relationships.size() == 9'999);
  CHECK(s.find_agent("agent-009999") == &s.agents.back());
  CHECK(took < 30.0);
}
