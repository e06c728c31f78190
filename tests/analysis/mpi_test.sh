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

"$fake_worker" pool "$work/tasks.jsonl" "$work/local.db" 1
# CI runs as root and has fewer cores than some machines have ranks.
mpirun --allow-run-as-root --oversubscribe -np 2 \
  "$mpi_driver" --tasks "$work/tasks.jsonl" --db "$work/mpi.db" --worker "$fake_worker"

local_digest=$("$fake_worker" digest "$work/local.db")
mpi_digest=$("$fake_worker" digest "$work/mpi.db")
echo "one machine, -j1: $local_digest"
echo "mpirun -np 2:     $mpi_digest"
test "$local_digest" = "$mpi_digest"

# Both ranks must have run something.
test "$("$fake_worker" workers "$work/mpi.db")" = 2

# Resume: a partial database is completed and ends equal; a complete one is left as it is.
head -n 15 "$work/tasks.jsonl" >"$work/first.jsonl"
mpirun --allow-run-as-root --oversubscribe -np 2 \
  "$mpi_driver" --tasks "$work/first.jsonl" --db "$work/resumed.db" --worker "$fake_worker"
mpirun --allow-run-as-root --oversubscribe -np 3 \
  "$mpi_driver" --tasks "$work/tasks.jsonl" --db "$work/resumed.db" --worker "$fake_worker" \
  2>"$work/resume.log"
cat "$work/resume.log"
grep -q "40 runs, 15 already recorded" "$work/resume.log"
test "$("$fake_worker" digest "$work/resumed.db")" = "$local_digest"

# A worker that cannot be started is an error, not a hang.
if mpirun --allow-run-as-root --oversubscribe -np 2 \
  "$mpi_driver" --tasks "$work/tasks.jsonl" --db "$work/broken.db" --worker /nonexistent \
  2>"$work/broken.log"; then
  echo "expected tenderlab-mpi to fail with a missing worker"
  exit 1
fi
grep -q "cannot start worker /nonexistent" "$work/broken.log"
echo "ok"
