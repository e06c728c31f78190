#pragma once
// One child process and the pipes to it: the run pool's forked runs and the MPI driver's
// `tenderlab worker` processes are both started, read, stopped and described through this class,
// so the care fork and exec need (signals blocked across fork, stdio flushed, descriptors that
// must not leak, a child that dies with its parent, EINTR) is written once.
#include <sys/types.h>

#include <csignal>
#include <functional>
#include <string>
#include <vector>

namespace tenderlab::analysis {

struct ChildOptions {
  /// Descriptors the child closes at once (pipes of sibling children, a self-pipe).
  std::vector<int> close_in_child;
  /// Dispositions of SIGINT and SIGTERM to put back in the child before it runs (the parent may
  /// have installed its own handlers); nullptr keeps the parent's.
  const struct sigaction* interrupt_action = nullptr;
  const struct sigaction* terminate_action = nullptr;
  /// On Linux, the signal the kernel sends the child when the parent dies, so that no orphan
  /// keeps computing what nobody will read.
  int parent_death_signal = SIGKILL;
  /// exec only: a pipe to the child's standard input as well as one from its standard output.
  bool with_input = false;
};

class ChildProcess {
 public:
  /// Forks a child that calls `body` with the write end of a pipe and leaves with `_exit` of what
  /// it returns, without running the parent's destructors or atexit handlers (the parent owns
  /// the database connection and the stdio buffers). The parent reads the pipe (output()).
  static ChildProcess fork_call(const std::function<int(int output_fd)>& body,
                                const ChildOptions& options = {});
  /// Forks and executes `argv[0]` with `argv`, its standard output on a pipe (output()) and,
  /// with options.with_input, its standard input on another (input()). Every other descriptor
  /// is closed in the child (the MPI library's sockets among them). Throws std::system_error
  /// with execv's errno when the program cannot be executed: the child reports it through a
  /// close-on-exec pipe, so a successful exec is known before this returns.
  static ChildProcess exec(const std::vector<std::string>& argv, const ChildOptions& options = {});

  ChildProcess() = default;
  ChildProcess(ChildProcess&& other) noexcept;
  ChildProcess& operator=(ChildProcess&& other) noexcept;
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;
  /// A child still running is killed (SIGKILL) and reaped; so is one replaced by assignment.
  ~ChildProcess();

  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }
  int output() const { return output_; }  ///< read end of the child's output; -1 once closed
  int input() const { return input_; }    ///< write end of the child's input; -1 without one

  /// Sends `signal` to the child, if it is running.
  void kill(int signal) const;
  /// Closes the pipe to the child's input (a worker reading its input then ends).
  void close_input();
  /// Closes both pipes, waits for the child (retrying on EINTR) and returns its wait status.
  int wait();

 private:
  pid_t pid_ = -1;
  int output_ = -1;
  int input_ = -1;
  void close_pipes() noexcept;
  void kill_and_reap() noexcept;
};

/// How a child ended, from a wait status: "exited with status N" or "killed by signal N
/// (description)".
std::string describe_exit(int wait_status);

/// "killed by signal 11 (Segmentation fault)": glibc's untranslated description (sigdescr_np),
/// the same in every locale, since the reason is part of the recorded content.
std::string describe_signal(int signal_number);

}  // namespace tenderlab::analysis
