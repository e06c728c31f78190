#include "tenderlab/engine/rng.hpp"

#include <cmath>

namespace tenderlab {

std::uint64_t stable_hash(std::string_view text) {
  std::uint64_t hash = 14695981039346656037ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  return hash;
}

namespace {
// SplitMix64 finaliser: spreads (seed, replication, key) over the whole 64-bit space so nearby
// seeds give unrelated streams.
std::uint64_t mix(std::uint64_t z) {
  z += 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
}  // namespace

Rng::Rng(std::uint64_t state, std::uint64_t stream, int)
    : engine_(state, stream), seed_material_(mix(state ^ mix(stream))) {}

Rng::Rng(std::uint64_t seed, std::uint64_t replication, std::string_view key)
    : Rng(mix(mix(seed) ^ mix(replication + 0x5851f42d4c957f2dULL)),
          mix(stable_hash(key) ^ mix(seed)), 0) {}

Rng Rng::derive(std::string_view purpose) const {
  return Rng(mix(seed_material_ ^ stable_hash(purpose)), mix(stable_hash(purpose) + seed_material_),
             0);
}

std::uint64_t Rng::next_u64() {
  const std::uint64_t high = engine_();
  return (high << 32) | engine_();
}

double Rng::uniform() {
  return static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
}

std::uint64_t Rng::below(std::uint64_t bound) {
  // Rejection sampling on the top of the range keeps every value equally likely.
  const std::uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
  std::uint64_t draw = next_u64();
  while (draw >= limit)
    draw = next_u64();
  return draw % bound;
}

double Rng::normal() {
  for (;;) {
    const double u = 2.0 * uniform() - 1.0;
    const double v = 2.0 * uniform() - 1.0;
    const double s = u * u + v * v;
    if (s > 0.0 && s < 1.0) return u * std::sqrt(-2.0 * std::log(s) / s);
  }
}

double Rng::lognormal(double log_mean, double log_sd) {
  return std::exp(log_mean + log_sd * normal());
}

}  // namespace tenderlab
