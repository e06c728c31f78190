// Runs a fuzz target on files, without libFuzzer: the normal (gcc) build uses it to replay the
// seed inputs and the committed reproducers of past findings as CTest cases.
//
//   fuzz_<target>_replay [--expect-rejected | --expect-accepted] FILE_OR_FOLDER...
//
// Every file is fed to the target once (folders: every file in them, in name order). A finding
// aborts. With --expect-rejected, an input that is not refused with the expected error fails the
// replay too (the reproducer of a bad input that must be refused cleanly); with
// --expect-accepted, an input that is not accepted (a valid input that once broke the code).
#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <optional>
#include <string>
#include <vector>

#include "fuzz_target.hpp"

namespace fs = std::filesystem;

namespace {

const char* verdict_name(tenderlab::fuzz::Verdict verdict) {
  switch (verdict) {
    case tenderlab::fuzz::Verdict::accepted:
      return "accepted";
    case tenderlab::fuzz::Verdict::rejected:
      return "rejected";
    case tenderlab::fuzz::Verdict::skipped:
      return "skipped";
  }
  return "?";
}

}  // namespace

int main(int argc, char** argv) {
  std::optional<tenderlab::fuzz::Verdict> expected;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const std::string argument = argv[i];
    if (argument == "--expect-rejected") {
      expected = tenderlab::fuzz::Verdict::rejected;
    } else if (argument == "--expect-accepted") {
      expected = tenderlab::fuzz::Verdict::accepted;
    } else if (fs::is_directory(argument)) {
      std::vector<fs::path> inside;
      for (const auto& entry : fs::directory_iterator(argument))
        if (entry.is_regular_file()) inside.push_back(entry.path());
      std::sort(inside.begin(), inside.end());
      files.insert(files.end(), inside.begin(), inside.end());
    } else if (fs::is_regular_file(argument)) {
      files.emplace_back(argument);
    } else {
      std::fprintf(stderr, "%s: no such file or folder: %s\n", argv[0], argument.c_str());
      return 2;
    }
  }
  if (files.empty()) {
    std::fprintf(stderr, "usage: %s [--expect-rejected | --expect-accepted] FILE_OR_FOLDER...\n",
                 argv[0]);
    return 2;
  }
  tenderlab::fuzz::initialize();
  int wrong = 0;
  for (const auto& file : files) {
    std::ifstream in(file, std::ios::binary);
    const std::string input{std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
    const auto verdict = tenderlab::fuzz::test_one_input(input);
    const bool ok = !expected || verdict == *expected;
    std::printf("%s: %s%s%s%s\n", file.string().c_str(), verdict_name(verdict),
                ok ? "" : " (expected: ", ok ? "" : verdict_name(*expected), ok ? "" : ")");
    if (!ok) ++wrong;
  }
  std::printf("%s: %zu inputs, %d not as expected\n", tenderlab::fuzz::target_name, files.size(),
              wrong);
  return wrong == 0 ? 0 : 1;
}
