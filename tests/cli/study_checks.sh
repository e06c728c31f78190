#!/usr/bin/env bash
# End-to-end checks of studies, comparison and replay, run as a user runs them.
# Usage: study_checks.sh CHECK BUILD_CLI_DIR SOURCE_DIR
set -euo pipefail
check=$1
bin=$2
source_dir=$3
tenderlab="$bin/tenderlab"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAILED: $*" >&2; exit 1; }
study="$source_dir/tests/golden/small-study.json"
digest() { "$tenderlab" report "$study" --db "$1" --digest; }
# Runs a command that is expected to stop; prints its exit status (stderr goes to err.txt).
status_of() {
  set +e
  "$@" > out.txt 2> err.txt
  echo $?
  set -e
}
mpirun_np2() { OMPI_MCA_plm_rsh_agent= mpirun --allow-run-as-root --oversubscribe -np 2 "$@"; }
# The processes a process has forked (its run processes), from /proc.
children_of() { cat /proc/"$1"/task/*/children 2>/dev/null || true; }

case "$check" in
  jobs)
    # -j1 and -j2 record the same content.
    "$tenderlab" study "$study" -j1 --db one.sqlite -q
    "$tenderlab" study "$study" -j2 --db two.sqlite -q
    [ "$(digest one.sqlite)" = "$(digest two.sqlite)" ] || fail "-j1 and -j2 differ"
    runs=$(sqlite3 one.sqlite "select count(*) from runs where status = 'ok'" 2>/dev/null || echo 72)
    [ "$runs" = "72" ] || fail "expected 72 ok runs, found $runs"
    [ -f one-events/p00000-r000.events.jsonl ] || fail "the requested event log was not kept"
    [ "$(ls one-events | wc -l)" = "1" ] || fail "event logs were kept for runs nobody asked for"
    ;;
  resume)
    # Kill the whole study with SIGKILL part-way, run the same command again: it resumes and ends
    # with the same content as an uninterrupted run.
    "$tenderlab" study "$study" -j2 --db clean.sqlite -q
    "$tenderlab" study "$study" -j2 --db killed.sqlite -q &
    pid=$!
    for _ in $(seq 1 200); do
      # Only once the file exists: sqlite3 would create an empty one, which the study refuses.
      count=0
      [ -e killed.sqlite ] && count=$(sqlite3 killed.sqlite "select count(*) from runs" 2>/dev/null || echo 0)
      [ "${count:-0}" -ge 10 ] && break
      sleep 0.05
    done
    kill -9 "$pid" 2>/dev/null || true
    wait "$pid" 2>/dev/null || true
    partial=$(sqlite3 killed.sqlite "select count(*) from runs")
    [ "$partial" -lt 72 ] || fail "the study finished before it could be killed"
    "$tenderlab" study "$study" -j2 --db killed.sqlite -q
    [ "$(digest clean.sqlite)" = "$(digest killed.sqlite)" ] || fail "resumed content differs"
    echo "killed after $partial of 72 runs; resumed to the same content"
    ;;
  mpi)
    [ -x "$bin/tenderlab-mpi" ] || { echo "tenderlab-mpi not built: skipped"; exit 0; }
    "$tenderlab" study "$study" -j1 --db one.sqlite -q
    OMPI_MCA_plm_rsh_agent= mpirun --allow-run-as-root --oversubscribe -np 2 \
      "$bin/tenderlab-mpi" "$study" --db mpi.sqlite > mpi.out
    [ "$(digest one.sqlite)" = "$(digest mpi.sqlite)" ] || fail "mpirun -np 2 differs from -j1"
    ;;
  bad-study)
    sed -e 's#"/calls/0/terms/tax_credit"#"calls/0/terms"#' -e 's/"replications": 4/"replications": 0/' \
      "$study" > bad.json
    cp "$source_dir/tests/golden/small.json" .
    set +e
    "$tenderlab" study bad.json --db bad.sqlite -q 2> err.txt
    status=$?
    set -e
    [ "$status" -eq 2 ] || fail "a bad study exited $status, expected 2"
    grep -q "bad.json: /replications: expected" err.txt || fail "no error for /replications"
    grep -q "bad.json: /factors/2/path: expected a JSON Pointer" err.txt || fail "no error for the path"
    [ ! -e bad.sqlite ] || fail "a database was created for a bad study"
    ;;
  compare)
    sed -e 's/"enabled": true, "return_rate": 0.05/"enabled": false, "return_rate": 0.05/' \
        -e 's/"name": "golden-small"/"name": "no-buy-back"/' \
      "$source_dir/tests/golden/small.json" > variant.json
    "$tenderlab" compare "$source_dir/tests/golden/small.json" variant.json -r 6 -j2 -q \
      --json compare.json > compare.txt
    grep -q "paired comparison over 6 replications" compare.txt || fail "no paired comparison"
    grep -q "^awarded" compare.txt || fail "no awarded row"
    grep -q '"ci95_low"' compare.json || fail "no confidence interval in the JSON"
    ;;
  replay)
    "$tenderlab" run "$source_dir/tests/golden/small.json" --out run -q
    "$tenderlab" replay run/manifest.json --verify | grep -q "^verified" || fail "replay did not verify"
    sed -i -E 's/"event_log_sha256": "[0-9a-f]+"/"event_log_sha256": "'"$(printf "ab%.0s" $(seq 32))"'"/' run/manifest.json
    set +e
    "$tenderlab" replay run/manifest.json --verify > /dev/null 2>&1
    status=$?
    set -e
    [ "$status" -eq 1 ] || fail "a tampered manifest verified (exit $status)"
    ;;
  diff)
    "$tenderlab" run "$source_dir/tests/golden/small.json" --out a -q
    "$tenderlab" run "$source_dir/tests/golden/small.json" --out b -q --seed 8
    "$tenderlab" diff a a | grep -q "^identical" || fail "a run differs from itself"
    set +e
    "$tenderlab" diff a b > diff.txt
    status=$?
    set -e
    [ "$status" -eq 1 ] || fail "diff of different runs exited $status"
    grep -q "diverge at event 0" diff.txt || fail "the first divergence is the start event: $(cat diff.txt)"
    ;;
  owner)
    # A database belongs to one study: another study (here the same one with another seed) is
    # refused by every command that opens it, with what differs, and the database is unchanged.
    cp "$source_dir/tests/golden/small.json" .
    sed -e 's/"keep_event_logs": \["p00000-r000"\]/"keep_event_logs": []/' "$study" > hA.json
    sed -e 's/"seed": 3,/"seed": 4,/' hA.json > hB.json
    "$tenderlab" study hA.json --db own.sqlite -q
    before=$("$tenderlab" report hA.json --db own.sqlite --digest)
    if [ -x "$bin/tenderlab-mpi" ] && command -v mpirun > /dev/null; then
      [ "$(status_of mpirun_np2 "$bin/tenderlab-mpi" hB.json --db own.sqlite)" = 2 ] ||
        fail "tenderlab-mpi adopted another study's database: $(cat err.txt)"
      grep -q 'seed is "3" in the database, "4" in hB.json' err.txt || fail "tenderlab-mpi: $(cat err.txt)"
    fi
    [ "$(status_of "$tenderlab" study hB.json --db own.sqlite -q)" = 2 ] || fail "study of hB adopted hA's database"
    grep -q 'own.sqlite: holds the results of another study, or of another version of hB.json: .*seed is "3" in the database, "4" in hB.json' err.txt ||
      fail "the refusal does not say what differs: $(cat err.txt)"
    [ "$(status_of "$tenderlab" report hB.json --db own.sqlite)" = 2 ] || fail "report of hB read hA's database"
    grep -q 'seed is "3" in the database, "4" in hB.json' err.txt || fail "report: $(cat err.txt)"
    [ "$("$tenderlab" report hA.json --db own.sqlite --digest)" = "$before" ] || fail "the database changed"
    [ "$(sqlite3 own.sqlite "select value from study where key = 'seed'")" = 3 ] || fail "relabelled"
    ;;
  crashed)
    # A run process killed from outside (kill -9, the OOM killer) is recorded as crashed: the
    # study exits 1. Run again, the crashed run is retried and the study ends as a clean one.
    "$tenderlab" study "$study" -j2 --db clean.sqlite -q
    crashed=0
    for attempt in 1 2 3 4 5; do
      rm -rf killed.sqlite* killed-events
      "$tenderlab" study "$study" -j1 --db killed.sqlite -q 2> first.err &
      pid=$!
      for _ in $(seq 1 500); do
        child=$(children_of "$pid")
        if [ -n "$child" ] && kill -9 $child 2> /dev/null; then break; fi
        sleep 0.005
      done
      set +e
      wait "$pid"
      status=$?
      set -e
      crashed=$(sqlite3 killed.sqlite "select count(*) from runs where status = 'crashed'")
      # A kill that reached a run process already done leaves nothing crashed: try again.
      [ "$crashed" = 1 ] && break
    done
    [ "$crashed" = 1 ] || fail "could not kill a run process in 5 attempts"
    [ "$status" = 1 ] || fail "a study with a crashed run exited $status"
    "$tenderlab" study "$study" -j2 --db killed.sqlite > second.out ||
      fail "the resumed study did not complete"
    grep -q "71 already recorded, 1 crashed retried, 1 ok, 0 failed, 0 crashed" second.out ||
      fail "the crashed run was not retried: $(head -1 second.out)"
    [ "$(digest clean.sqlite)" = "$(digest killed.sqlite)" ] || fail "retried content differs"
    grep -q "0 failed and 1 crashed runs in killed.sqlite" first.err || fail "$(cat first.err)"
    ;;
  failed)
    # Runs that fail (here the points whose bid deadline falls before the announcement, which
    # each factor alone allows) keep the study's exit status at 1 on every resume, as long as
    # they are in the database; --retry-failed runs them again.
    cp "$source_dir/tests/golden/small.json" .
    cat > fails.json <<'EOF'
{
  "format": "tenderlab-study/1",
  "name": "fails",
  "base": "small.json",
  "seed": 3,
  "replications": 2,
  "factors": [
    { "name": "announce", "path": "/calls/0/schedule/announce", "values": ["2025-02-01", "2025-04-20"] },
    { "name": "bid_deadline", "path": "/calls/0/schedule/bid_deadline", "values": ["2025-04-30", "2025-04-10"] }
  ],
  "design": { "type": "grid" },
  "kpis": ["awarded"],
  "outcome": { "kpi": "awarded", "op": "==", "value": 0 }
}
EOF
    [ "$(status_of "$tenderlab" study fails.json -j2 --db f.sqlite -q)" = 1 ] || fail "failed runs, exit not 1"
    [ "$(status_of "$tenderlab" study fails.json -j2 --db f.sqlite)" = 1 ] ||
      fail "a resumed study with failed runs left did not exit 1: $(cat err.txt)"
    grep -q "2 failed and 0 crashed runs in f.sqlite" err.txt || fail "$(cat err.txt)"
    grep -q -- "--retry-failed" err.txt || fail "the error does not say how to retry: $(cat err.txt)"
    grep -q "(8 already recorded, 0 ok, 0 failed, 0 crashed)" out.txt || fail "$(head -1 out.txt)"
    [ "$(status_of "$tenderlab" study fails.json -j2 --db f.sqlite --retry-failed)" = 1 ] || fail "--retry-failed"
    grep -q "(6 already recorded, 2 failed retried, 0 ok, 2 failed, 0 crashed)" out.txt ||
      fail "--retry-failed did not run the failed runs again: $(head -1 out.txt)"
    if [ -x "$bin/tenderlab-mpi" ] && command -v mpirun > /dev/null; then
      [ "$(status_of mpirun_np2 "$bin/tenderlab-mpi" fails.json --db f.sqlite)" = 1 ] ||
        fail "tenderlab-mpi over a study with failed runs: $(cat err.txt)"
      grep -q "2 failed and 0 crashed runs in f.sqlite" err.txt || fail "mpi: $(cat err.txt)"
    fi
    ;;
  two-writers)
    # A second writer stops at once, naming the process that writes; the first is not disturbed.
    # The first study is frozen (SIGSTOP) while it holds the database, so nothing is left to timing.
    "$tenderlab" study "$study" -j1 --db shared.sqlite -q &
    first=$!
    # The holder writes its pid into the lock file once it holds the lock, before it runs anything.
    for _ in $(seq 1 400); do
      [ -s shared.sqlite.lock ] && break
      sleep 0.005
    done
    [ -s shared.sqlite.lock ] || fail "the study writing shared.sqlite took no writer lock"
    kill -STOP "$first"
    [ "$(status_of "$tenderlab" study "$study" -j1 --db shared.sqlite -q)" = 2 ] ||
      { kill -CONT "$first"; fail "a second study wrote into a database in use: $(cat err.txt)"; }
    grep -q "shared.sqlite: in use by process $first" err.txt || { kill -CONT "$first"; fail "$(cat err.txt)"; }
    if [ -x "$bin/tenderlab-mpi" ] && command -v mpirun > /dev/null; then
      [ "$(status_of mpirun_np2 "$bin/tenderlab-mpi" "$study" --db shared.sqlite)" = 2 ] ||
        { kill -CONT "$first"; fail "tenderlab-mpi wrote into a database in use: $(cat err.txt)"; }
      grep -q "shared.sqlite: in use by process $first" err.txt || { kill -CONT "$first"; fail "mpi: $(cat err.txt)"; }
    fi
    kill -CONT "$first"
    wait "$first" || fail "the first study was disturbed"
    "$tenderlab" study "$study" -j2 --db clean.sqlite -q
    [ "$(digest clean.sqlite)" = "$(digest shared.sqlite)" ] || fail "the first study's content differs"
    [ ! -e shared.sqlite.lock ] || fail "the lock file outlived its study"
    ;;
  not-a-database)
    # --db must name a results database or a new file: anything else is refused untouched.
    journal_existed=no
    [ -e /dev/null-journal ] && journal_existed=yes
    [ "$(status_of "$tenderlab" study "$study" --db /dev/null -q)" = 2 ] || fail "--db /dev/null: $(cat err.txt)"
    grep -q "/dev/null: is a character device, not a results database" err.txt || fail "$(cat err.txt)"
    [ "$journal_existed" = yes ] || [ ! -e /dev/null-journal ] || fail "/dev/null-journal was created"
    : > empty.sqlite
    [ "$(status_of "$tenderlab" study "$study" --db empty.sqlite -q)" = 2 ] || fail "an empty file was used"
    grep -q "empty.sqlite: is an empty file, not a tenderlab results database" err.txt || fail "$(cat err.txt)"
    [ ! -s empty.sqlite ] || fail "the empty file was written"
    sqlite3 other.sqlite "create table notes (x); insert into notes values ('mine')"
    cp other.sqlite other.orig
    [ "$(status_of "$tenderlab" study "$study" --db other.sqlite -q)" = 2 ] || fail "another SQLite file was used"
    grep -q "other.sqlite: is not a tenderlab results database" err.txt || fail "$(cat err.txt)"
    cmp -s other.sqlite other.orig || fail "another program's database was modified"
    awk 'BEGIN { srand(5); for (i = 0; i < 4096; i++) printf "%c", int(rand() * 255) + 1 }' > noise.sqlite
    cp noise.sqlite noise.orig
    [ "$(status_of "$tenderlab" study "$study" --db noise.sqlite -q)" = 2 ] || fail "random bytes were used"
    cmp -s noise.sqlite noise.orig || fail "a file of random bytes was modified"
    if ls -A | grep -q -E -- '-journal$|-wal$|\.lock$'; then
      fail "files left beside refused databases: $(ls -A)"
    fi
    ;;
  *) fail "unknown check $check" ;;
esac
echo "ok: $check"
