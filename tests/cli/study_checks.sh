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

case "$check" in
  assumption-factor)
    # A former code constant, the hardware lead time of deliveries, is a scenario parameter a
    # study varies: with 84 days the procurement lot is online by the end of 2025, with 400 not.
    "$tenderlab" study "$source_dir/tests/golden/assumption-study.json" -j2 --db a.sqlite \
      --json a.json -q
    python3 - a.json <<'PY' || fail "the lead time did not move gpus_online_end_2025"
import json, sys
points = json.load(open(sys.argv[1]))["per_point"]
means = [p["kpis"]["gpus_online_end_2025"]["mean"] for p in points]
print("gpus_online_end_2025 by lead time:", means)
sys.exit(0 if len(means) == 2 and means[0] > 0 and means[1] == 0 else 1)
PY
    ;;
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
      count=$(sqlite3 killed.sqlite "select count(*) from runs" 2>/dev/null || echo 0)
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
  *) fail "unknown check $check" ;;
esac
echo "ok: $check"
