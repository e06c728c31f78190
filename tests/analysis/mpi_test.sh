#!/bin/sh
# A study run by tenderlab-mpi over 2 ranks must leave the same database content as a one-machine
# run with one job, and a second MPI run over the same database must find nothing left to do.
# usage: mpi_test.sh TENDERLAB_MPI FAKE_WORKER WORK_DIR
set -eu

mpi_driver=$1
fake_worker=$2
work=$3

if ! command -v mpirun >/dev/null 2>&1; then
  echo "mpirun not found: skipped"
  exit 77
fi

rm -rf "$work"
mkdir -p "$work"
"$fake_worker" tasks 40 >"$work/tasks.jsonl"

# The exit status of an MPI run, which fails (1) while failed or crashed runs are recorded.
mpi_status() {
  if mpirun --allow-run-as-root --oversubscribe "$@"; then echo 0; else echo $?; fi
}

"$fake_worker" pool "$work/tasks.jsonl" "$work/local.db" 1
# CI runs as root and has fewer cores than some machines have ranks. The task list holds runs
# that fail and crash: the job records them and exits 1.
status=$(mpi_status -np 2 \
  "$mpi_driver" --tasks "$work/tasks.jsonl" --db "$work/mpi.db" --worker "$fake_worker")
test "$status" = 1

local_digest=$("$fake_worker" digest "$work/local.db")
mpi_digest=$("$fake_worker" digest "$work/mpi.db")
echo "one machine, -j1: $local_digest"
echo "mpirun -np 2:     $mpi_digest"
test "$local_digest" = "$mpi_digest"

# Both ranks must have run something.
test "$("$fake_worker" workers "$work/mpi.db")" = 2

# Resume: a partial database is completed and ends equal. Its crashed run is run again (and
# crashes again: its crash is part of the task), its failed runs are kept.
head -n 15 "$work/tasks.jsonl" >"$work/first.jsonl"
status=$(mpi_status -np 2 \
  "$mpi_driver" --tasks "$work/first.jsonl" --db "$work/resumed.db" --worker "$fake_worker")
test "$status" = 1
status=$(mpi_status -np 3 \
  "$mpi_driver" --tasks "$work/tasks.jsonl" --db "$work/resumed.db" --worker "$fake_worker" \
  2>"$work/resume.log")
cat "$work/resume.log"
test "$status" = 1
grep -q "40 runs, 14 already recorded, 1 crashed retried; 25 ok, 0 failed, 1 crashed" "$work/resume.log"
grep -q "error: 2 failed and 1 crashed runs in $work/resumed.db" "$work/resume.log"
test "$("$fake_worker" digest "$work/resumed.db")" = "$local_digest"

# A run that crashed from outside (here: the same task without its crash) is run again when the
# job is resumed, which then ends with the content of a job in which it never crashed.
sed -e 's/"mode":"segv",//' "$work/tasks.jsonl" >"$work/no-crash.jsonl"
test "$(grep -c segv "$work/no-crash.jsonl")" = 0
"$fake_worker" pool "$work/no-crash.jsonl" "$work/no-crash.db" 1
status=$(mpi_status -np 2 \
  "$mpi_driver" --tasks "$work/no-crash.jsonl" --db "$work/mpi.db" --worker "$fake_worker" \
  2>"$work/retry.log")
cat "$work/retry.log"
grep -q "40 runs, 39 already recorded, 1 crashed retried; 1 ok, 0 failed, 0 crashed" "$work/retry.log"
test "$("$fake_worker" digest "$work/mpi.db")" = "$("$fake_worker" digest "$work/no-crash.db")"
# Failed runs remain: still exit 1, until --retry-failed runs them again (and they fail again).
test "$status" = 1
status=$(mpi_status -np 2 "$mpi_driver" --tasks "$work/no-crash.jsonl" --db "$work/mpi.db" \
  --worker "$fake_worker" --retry-failed 2>"$work/retry-failed.log")
cat "$work/retry-failed.log"
test "$status" = 1
grep -q "40 runs, 38 already recorded, 2 failed retried; 0 ok, 2 failed, 0 crashed" "$work/retry-failed.log"

# A worker that cannot be started is an error, not a hang.
if mpirun --allow-run-as-root --oversubscribe -np 2 \
  "$mpi_driver" --tasks "$work/tasks.jsonl" --db "$work/broken.db" --worker /nonexistent \
  2>"$work/broken.log"; then
  echo "expected tenderlab-mpi to fail with a missing worker"
  exit 1
fi
grep -q "cannot start worker /nonexistent" "$work/broken.log"
echo "ok"
