// libFuzzer's entry points for a target of fuzz_target.hpp.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_target.hpp"

extern "C" int LLVMFuzzerInitialize(int* /*argc*/, char*** /*argv*/) {
  tenderlab::fuzz::initialize();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  // -1 keeps an input the target does not test out of the corpus.
  return tenderlab::fuzz::test_one_input(input) == tenderlab::fuzz::Verdict::skipped ? -1 : 0;
}
