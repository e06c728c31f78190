// The child process class (analysis/src/child_process.cpp) shared by the run pool and the MPI
// driver: output and input pipes, exit statuses, exec failures, descriptors that must not leak
// and children that must not outlive their owner.
#include "tenderlab/analysis/child_process.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cerrno>
#include <csignal>
#include <string>
#include <system_error>

using namespace tenderlab::analysis;

namespace {

std::string read_all(int fd) {
  std::string text;
  char buffer[4096];
  for (;;) {
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return text;
    text.append(buffer, static_cast<std::size_t>(n));
  }
}

}  // namespace

TEST_CASE("a forked call writes to its pipe and exits with what it returns") {
  ChildProcess child = ChildProcess::fork_call([](int fd) {
    const std::string text = "hello";
    return ::write(fd, text.data(), text.size()) == 5 ? 7 : 1;
  });
  REQUIRE(child.running());
  CHECK(child.input() == -1);
  CHECK(read_all(child.output()) == "hello");
  const int status = child.wait();
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 7);
  CHECK(describe_exit(status) == "exited with status 7");
  CHECK_FALSE(child.running());
  CHECK(child.output() == -1);
}

TEST_CASE("a child killed by a signal is described by the signal's name") {
  ChildProcess child = ChildProcess::fork_call([](int) {
    ::raise(SIGKILL);
    return 0;
  });
  const int status = child.wait();
  CHECK(WIFSIGNALED(status));
  CHECK(describe_exit(status) == "killed by signal 9 (Killed)");
  CHECK(describe_signal(SIGSEGV) == "killed by signal 11 (Segmentation fault)");
}

TEST_CASE("an exception escaping a forked call ends the child with status 70") {
  ChildProcess child = ChildProcess::fork_call([](int) -> int { throw 1; });
  CHECK(describe_exit(child.wait()) == "exited with status 70");
}

TEST_CASE("descriptors named for the child are closed in it") {
  int sibling[2];
  REQUIRE(::pipe(sibling) == 0);
  ChildOptions options;
  options.close_in_child = {sibling[0]};
  const int open_one = sibling[1];
  ChildProcess child = ChildProcess::fork_call(
      [&](int) {
        const bool closed = ::fcntl(sibling[0], F_GETFD) == -1 && errno == EBADF;
        const bool kept = ::fcntl(open_one, F_GETFD) != -1;
        return closed && kept ? 0 : 1;
      },
      options);
  CHECK(describe_exit(child.wait()) == "exited with status 0");
  ::close(sibling[0]);
  ::close(sibling[1]);
}

TEST_CASE("an executed program reads its input pipe and writes its output pipe") {
  ChildOptions options;
  options.with_input = true;
  ChildProcess child = ChildProcess::exec({"/bin/cat"}, options);
  REQUIRE(child.input() >= 0);
  const std::string line = "one task line\n";
  REQUIRE(::write(child.input(), line.data(), line.size()) == static_cast<ssize_t>(line.size()));
  child.close_input();  // cat ends at the end of its input
  CHECK(read_all(child.output()) == line);
  CHECK(describe_exit(child.wait()) == "exited with status 0");
}

TEST_CASE("an executed program holds no descriptor of its parent but the standard streams") {
  // A descriptor that is not close-on-exec, at a number no shell uses for itself: exec must
  // still not pass it on.
  const int extra = ::fcntl(STDERR_FILENO, F_DUPFD, 200);
  REQUIRE(extra >= 200);
  ChildProcess child = ChildProcess::exec({"/bin/sh", "-c", "ls /proc/$$/fd"});
  const std::string listing = read_all(child.output());
  CHECK(describe_exit(child.wait()) == "exited with status 0");
  CHECK(listing.find("0\n") != std::string::npos);
  CHECK(listing.find(std::to_string(extra) + "\n") == std::string::npos);
  ::close(extra);
}

TEST_CASE("a program that cannot be executed is an error with execv's reason") {
  try {
    ChildProcess::exec({"/nonexistent/worker", "worker"});
    FAIL("exec of a missing program succeeded");
  } catch (const std::system_error& error) {
    CHECK(error.code().value() == ENOENT);
    CHECK(std::string(error.what()).find("/nonexistent/worker") != std::string::npos);
  }
}

TEST_CASE("a child still running when its owner goes is killed and reaped") {
  pid_t pid = -1;
  {
    ChildProcess child = ChildProcess::fork_call([](int) {
      ::pause();
      return 0;
    });
    pid = child.pid();
    REQUIRE(pid > 0);
    ChildProcess moved = std::move(child);  // ownership moves; the child keeps running
    // NOLINTNEXTLINE(bugprone-use-after-move): the moved-from state is what is checked
    CHECK_FALSE(child.running());
    CHECK(moved.pid() == pid);
  }
  // Reaped: the process no longer exists, not even as a zombie.
  CHECK(::kill(pid, 0) == -1);
  CHECK(errno == ESRCH);
}
