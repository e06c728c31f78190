#include <catch2/catch.hpp>

#include "tenderlab/engine/rng.hpp"

using tenderlab::Rng;

TEST_CASE("rng: the same seed, replication and key give the same stream") {
  Rng a(42, 0, "naver-cloud"), b(42, 0, "naver-cloud");
  for (int i = 0; i < 100; ++i) REQUIRE(a.next_u64() == b.next_u64());
}

TEST_CASE("rng: streams differ by key, replication and seed") {
  Rng base(42, 0, "kt");
  Rng other_key(42, 0, "skt"), other_rep(42, 1, "kt"), other_seed(43, 0, "kt");
  const auto first = base.next_u64();
  CHECK(first != other_key.next_u64());
  CHECK(first != other_rep.next_u64());
  CHECK(first != other_seed.next_u64());
}

TEST_CASE("rng: pinned values guard against silent changes of the generator") {
  // If this test fails after a library or compiler change, every published result changes:
  // investigate before updating the numbers.
  Rng rng(2025, 0, "samsung-sds");
  CHECK(rng.next_u32() == 0u);
}
