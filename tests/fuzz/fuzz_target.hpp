#pragma once
// The contract between a fuzz target and its two drivers: libFuzzer (libfuzzer_main.cpp, built
// with TENDERLAB_FUZZ) and the replay program of the normal build (replay_main.cpp), which runs
// committed inputs as CTest cases.
//
// A target feeds one input to the code under test and says how it ended. Rejecting the input
// with the library's documented error type is the expected outcome for bad input; anything else
// (another exception type, a crash, a sanitizer report, a hang, unbounded memory) is a finding.
// report_finding() aborts, which libFuzzer and CTest both record as a failure.
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <string_view>
#include <typeinfo>

namespace tenderlab::fuzz {

enum class Verdict {
  accepted,  ///< the input is valid
  rejected,  ///< the input is invalid and was refused with the documented error type
  skipped,   ///< the target does not test this input (it would leave the fuzzing sandbox)
};

/// Implemented by each target: set-up once per process, before the first input.
void initialize();
/// Implemented by each target: feeds one input to the code under test.
Verdict test_one_input(std::string_view input);

/// The name of the target, for messages.
extern const char* const target_name;

/// An exception the code under test must not throw on any input.
[[noreturn]] inline void report_finding(const std::exception& error) {
  std::fprintf(stderr, "%s: FINDING: unexpected exception %s: %s\n", target_name,
               typeid(error).name(), error.what());
  std::abort();
}

/// A broken invariant found by the target itself.
[[noreturn]] inline void report_finding(const char* what) {
  std::fprintf(stderr, "%s: FINDING: %s\n", target_name, what);
  std::abort();
}

}  // namespace tenderlab::fuzz
