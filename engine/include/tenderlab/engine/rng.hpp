#pragma once
// Deterministic random streams.
//
// Every stream is derived from (master seed, replication, stream key) and never from creation
// order, the clock or the platform, so the same inputs give the same draws everywhere.
// Distributions are written here instead of using <random>'s, whose output differs between
// standard libraries.
#include <cstdint>
#include <string_view>

#include <pcg_random.hpp>

namespace tenderlab {

/// 64-bit FNV-1a hash of a string: a stable stream key for an agent or call id.
std::uint64_t stable_hash(std::string_view text);

class Rng {
 public:
  /// A stream for `key` (an agent id, a call id, ...) in replication `replication` of `seed`.
  Rng(std::uint64_t seed, std::uint64_t replication, std::string_view key);
  Rng(const Rng&) = delete;
  Rng& operator=(const Rng&) = delete;
  Rng(Rng&&) = default;
  Rng& operator=(Rng&&) = default;

  /// A child stream, independent of this one, for a named sub-purpose (e.g. "valuation").
  Rng derive(std::string_view purpose) const;

  std::uint32_t next_u32() { return engine_(); }
  std::uint64_t next_u64();
  /// Uniform in [0, 1) with 53 random bits.
  double uniform();
  double uniform(double low, double high) { return low + (high - low) * uniform(); }
  /// Uniform integer in [0, bound), without modulo bias. bound must be > 0.
  std::uint64_t below(std::uint64_t bound);
  /// Standard normal, by the Marsaglia polar method (no cached spare, so draws are stateless).
  double normal();
  double normal(double mean, double sd) { return mean + sd * normal(); }
  /// Log-normal whose logarithm has the given mean and standard deviation.
  double lognormal(double log_mean, double log_sd);

 private:
  Rng(std::uint64_t state, std::uint64_t stream, int);
  pcg32 engine_;
  std::uint64_t seed_material_;
};

}  // namespace tenderlab
