#include "tenderlab/analysis/child_process.hpp"

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstring>  // sigdescr_np
#include <stdexcept>
#include <string_view>
#include <system_error>
#include <utility>

namespace tenderlab::analysis {
namespace {

[[noreturn]] void throw_errno(int error, const char* what) {
  throw std::system_error(error, std::generic_category(), what);
}

void close_if_open(int& fd) {
  if (fd >= 0) ::close(fd);
  fd = -1;
}

std::array<int, 2> make_pipe() {
  std::array<int, 2> fds{};
  if (::pipe2(fds.data(), O_CLOEXEC) != 0) throw_errno(errno, "pipe");
  return fds;
}

/// SIGINT and SIGTERM stay blocked across fork, so that the child cannot run the parent's handler
/// before it has put its own dispositions back; the mask is restored on both sides.
class SignalsBlockedAcrossFork {
 public:
  SignalsBlockedAcrossFork() {
    sigset_t blocked;
    sigemptyset(&blocked);
    sigaddset(&blocked, SIGINT);
    sigaddset(&blocked, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &blocked, &previous_);
  }
  ~SignalsBlockedAcrossFork() { restore(); }
  SignalsBlockedAcrossFork(const SignalsBlockedAcrossFork&) = delete;
  SignalsBlockedAcrossFork& operator=(const SignalsBlockedAcrossFork&) = delete;
  void restore() { pthread_sigmask(SIG_SETMASK, &previous_, nullptr); }

 private:
  sigset_t previous_{};
};

/// What every child does first: its signal dispositions and mask, and its death with the parent.
void prepare_child(const ChildOptions& options, SignalsBlockedAcrossFork& signals, pid_t parent) {
  for (int fd : options.close_in_child)
    ::close(fd);
  if (options.interrupt_action != nullptr) sigaction(SIGINT, options.interrupt_action, nullptr);
  if (options.terminate_action != nullptr) sigaction(SIGTERM, options.terminate_action, nullptr);
  signals.restore();
#ifdef __linux__
  ::prctl(PR_SET_PDEATHSIG, options.parent_death_signal);
  // The parent may have died between fork and prctl: then nobody would send the signal.
  if (::getppid() != parent) _exit(5);
#else
  (void)parent;
#endif
}

}  // namespace

ChildProcess ChildProcess::fork_call(const std::function<int(int)>& body,
                                     const ChildOptions& options) {
  std::array<int, 2> output = make_pipe();
  SignalsBlockedAcrossFork signals;
  // Whatever sits in stdio buffers would otherwise be written twice, by parent and child.
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    ::close(output[0]);
    prepare_child(options, signals, parent);
    int status = 70;
    try {
      status = body(output[1]);
    } catch (...) {  // the body reports its own errors; anything escaping it is a defect
    }
    _exit(status);
  }
  const int fork_errno = errno;
  signals.restore();
  ::close(output[1]);
  if (pid < 0) {
    ::close(output[0]);
    throw_errno(fork_errno, "fork");
  }
  ChildProcess child;
  child.pid_ = pid;
  child.output_ = output[0];
  return child;
}

ChildProcess ChildProcess::exec(const std::vector<std::string>& argv, const ChildOptions& options) {
  if (argv.empty()) throw std::invalid_argument("exec: no program given");
  std::array<int, 2> output = make_pipe();
  std::array<int, 2> input{-1, -1};
  std::array<int, 2> exec_status{-1, -1};
  try {
    if (options.with_input) input = make_pipe();
    exec_status = make_pipe();
  } catch (...) {
    for (int fd : {output[0], output[1], input[0], input[1]})
      if (fd >= 0) ::close(fd);
    throw;
  }
  // The argument vector is built before fork: the child only calls async-signal-safe functions.
  std::vector<std::string> arguments = argv;
  std::vector<char*> pointers;
  for (std::string& argument : arguments)
    pointers.push_back(argument.data());
  pointers.push_back(nullptr);

  SignalsBlockedAcrossFork signals;
  std::fflush(nullptr);
  const pid_t parent = ::getpid();
  const pid_t pid = ::fork();
  if (pid == 0) {
    if (options.with_input) ::dup2(input[0], STDIN_FILENO);
    ::dup2(output[1], STDOUT_FILENO);
    prepare_child(options, signals, parent);
    std::signal(SIGPIPE, SIG_DFL);
    // Nothing of the parent's but the standard streams and the exec-status pipe, which closes
    // itself on a successful exec.
    const auto keep = static_cast<unsigned int>(exec_status[1]);
    if (keep > 3) ::close_range(3, keep - 1, 0);
    ::close_range(keep + 1, ~0U, 0);
    ::execv(pointers[0], pointers.data());
    const int error = errno;
    [[maybe_unused]] const ssize_t n = ::write(exec_status[1], &error, sizeof error);
    _exit(127);
  }
  const int fork_errno = errno;
  signals.restore();
  ::close(output[1]);
  if (input[0] >= 0) ::close(input[0]);
  ::close(exec_status[1]);
  if (pid < 0) {
    ::close(output[0]);
    if (input[1] >= 0) ::close(input[1]);
    ::close(exec_status[0]);
    throw_errno(fork_errno, "fork");
  }
  ChildProcess child;
  child.pid_ = pid;
  child.output_ = output[0];
  child.input_ = input[1];
  int exec_error = 0;
  ssize_t n = 0;
  do {
    n = ::read(exec_status[0], &exec_error, sizeof exec_error);
  } while (n < 0 && errno == EINTR);
  ::close(exec_status[0]);
  if (n > 0) {
    child.wait();
    throw_errno(exec_error, ("cannot execute " + argv[0]).c_str());
  }
  return child;
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : pid_(std::exchange(other.pid_, -1)),
      output_(std::exchange(other.output_, -1)),
      input_(std::exchange(other.input_, -1)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
  if (this != &other) {
    kill_and_reap();
    pid_ = std::exchange(other.pid_, -1);
    output_ = std::exchange(other.output_, -1);
    input_ = std::exchange(other.input_, -1);
  }
  return *this;
}

ChildProcess::~ChildProcess() {
  kill_and_reap();
}

void ChildProcess::kill_and_reap() noexcept {
  close_pipes();
  if (pid_ <= 0) return;
  ::kill(pid_, SIGKILL);
  int status = 0;
  while (::waitpid(pid_, &status, 0) < 0 && errno == EINTR) {
  }
  pid_ = -1;
}

void ChildProcess::kill(int signal) const {
  if (pid_ > 0) ::kill(pid_, signal);
}

void ChildProcess::close_input() {
  close_if_open(input_);
}

void ChildProcess::close_pipes() noexcept {
  close_if_open(input_);
  close_if_open(output_);
}

int ChildProcess::wait() {
  close_pipes();
  int status = 0;
  if (pid_ <= 0) return status;
  while (::waitpid(pid_, &status, 0) < 0) {
    if (errno != EINTR) {
      const int error = errno;
      pid_ = -1;
      throw_errno(error, "waitpid");
    }
  }
  pid_ = -1;
  return status;
}

std::string describe_signal(int signal_number) {
  // glibc's own English description: strsignal() would translate it by the locale, and the
  // reason must read the same on every machine.
  std::string text = "killed by signal " + std::to_string(signal_number);
  if (const char* description = ::sigdescr_np(signal_number)) {
    text += std::string(" (") + description + ")";
  } else if (signal_number >= SIGRTMIN && signal_number <= SIGRTMAX) {
    text += " (real-time signal SIGRTMIN+" + std::to_string(signal_number - SIGRTMIN) + ")";
  }
  return text;
}

std::string describe_exit(int wait_status) {
  if (WIFSIGNALED(wait_status)) return describe_signal(WTERMSIG(wait_status));
  return "exited with status " + std::to_string(WEXITSTATUS(wait_status));
}

}  // namespace tenderlab::analysis
