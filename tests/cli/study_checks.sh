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
skip() { echo "skipped: $*"; exit 77; }
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
# A sanitizer build reserves terabytes of address space and cannot run under `ulimit -v`.
# grep reads to the end (no -q): under pipefail, a grep that quits early makes ldd die of
# SIGPIPE now and then, and the pipeline then reports "not sanitized".
sanitized() { ldd "$tenderlab" 2>/dev/null | grep -e libasan -e libubsan >/dev/null; }
# A worker task line for SCENARIO_FILE with the given run id, point, replication and extra payload
# keys (a JSON object's text).
task_line() {
  python3 -c 'import json, sys
scenario = json.load(open(sys.argv[1]))
payload = dict(json.loads(sys.argv[5]), scenario=scenario)
print(json.dumps({"run_id": sys.argv[2], "point": json.loads(sys.argv[3]),
                  "replication": json.loads(sys.argv[4]), "seed": 7, "payload": payload}))' "$@"
}

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
  edited-base|edited-study)
    # A study recorded in part, then its base scenario or its study file edited before the same
    # command runs again: runs on the old and the new inputs must never mix in one database.
    cp "$source_dir/tests/golden/small.json" base.json
    python3 - "$study" <<'EOF'
import json, sys
study = json.load(open(sys.argv[1]))
study.update(base="base.json", replications=2)
study.pop("keep_event_logs", None)
json.dump(study, open("s.json", "w"), indent=1)
EOF
    edit() {  # edit KEY JSON_VALUE: sets a key of s.json
      python3 -c 'import json, sys
study = json.load(open("s.json")); study[sys.argv[1]] = json.loads(sys.argv[2])
json.dump(study, open("s.json", "w"), indent=1)' "$1" "$2"
    }
    "$tenderlab" study s.json -j2 --db s.sqlite -q
    before=$("$tenderlab" report s.json --db s.sqlite --digest)
    if [ "$check" = edited-base ]; then
      old_hash=$(sha256sum base.json | cut -d' ' -f1)
      sed -i 's/"min_valid_bids": 2/"min_valid_bids": 1/' base.json
      new_hash=$(sha256sum base.json | cut -d' ' -f1)
      status=$(status_of "$tenderlab" study s.json -j2 --db s.sqlite -q)
      [ "$status" = 2 ] || fail "a study resumed on an edited base scenario exited $status: $(cat err.txt)"
      grep -qF "the base scenario base.json changed since these runs were recorded (SHA-256 $old_hash → $new_hash)" \
        err.txt || fail "the refusal does not say how the base changed: $(cat err.txt)"
      [ "$(sqlite3 s.sqlite "select value from study where key = 'base_scenario_sha256'")" = "$old_hash" ] ||
        fail "the recorded base scenario hash was overwritten"
      [ "$(sqlite3 s.sqlite 'select count(*) from runs')" = 36 ] || fail "runs were added on the new base"
      # The report of the database is refused too: it would describe runs of another base.
      status=$(status_of "$tenderlab" report s.json --db s.sqlite)
      [ "$status" = 2 ] || fail "report on an edited base exited $status"
    else
      # Changes to what a run simulates or how it is analysed: refused, each changed key named.
      cp s.json kept.json
      edit seed 4
      edit kpis '["awarded", "bids_round_2", "public_money_bn_krw"]'
      status=$(status_of "$tenderlab" study s.json -j2 --db s.sqlite -q)
      [ "$status" = 2 ] || fail "a study resumed with another seed exited $status"
      grep -qF 's.json changed since these runs were recorded: /kpis/1: "bids_round_1" → "bids_round_2"; /seed: 3 → 4' \
        err.txt || fail "the refusal does not name the changed keys: $(cat err.txt)"
      cp kept.json s.json
      edit replications 1
      status=$(status_of "$tenderlab" study s.json -j2 --db s.sqlite -q)
      [ "$status" = 2 ] || fail "a study resumed with fewer replications exited $status"
      grep -qF '/replications: 2 → 1' err.txt || fail "fewer replications not named: $(cat err.txt)"
      [ "$("$tenderlab" report kept.json --db s.sqlite --digest)" = "$before" ] ||
        fail "a refused resume changed the database"
      # A new description and more replications: the runs recorded stay valid; the study goes on
      # and ends with what the edited study gives when run from scratch.
      cp kept.json s.json
      edit description '"The same study, with a third replication."'
      edit replications 3
      "$tenderlab" study s.json -j2 --db s.sqlite -q || fail "a study with more replications did not resume"
      [ "$(sqlite3 s.sqlite 'select count(*) from runs')" = 54 ] || fail "the third replication did not run"
      [ "$(sqlite3 s.sqlite "select value from study where key = 'replications'")" = 3 ] ||
        fail "the recorded replications were not updated"
      "$tenderlab" study s.json -j2 --db fresh.sqlite -q
      [ "$("$tenderlab" report s.json --db s.sqlite --digest)" = \
        "$("$tenderlab" report s.json --db fresh.sqlite --digest)" ] ||
        fail "the resumed study differs from the same study run from scratch"
    fi
    ;;
  misspelt-kpi)
    # A KPI name no run reports is refused before anything runs, with the name that was meant.
    cp "$source_dir/tests/golden/small.json" .
    python3 - "$study" <<'EOF'
import json, sys
study = json.load(open(sys.argv[1]))
study["kpis"] = ["awarded", "bid_round_1", "spc.bids_round_3", "gpu-lot.bids_round_2"]
study["outcome"]["kpi"] = "awardd"
study.pop("keep_event_logs", None)
json.dump(study, open("typo.json", "w"), indent=1)
EOF
    status=$(status_of "$tenderlab" study typo.json -j2 --db typo.sqlite -q)
    [ "$status" = 2 ] || fail "a study with a misspelt KPI exited $status: $(cat err.txt)"
    grep -qF 'typo.json: /kpis/1: expected a KPI that a run of small.json reports (`tenderlab kpis small.json` lists them), found the string "bid_round_1"; did you mean `bids_round_1`?' \
      err.txt || fail "no suggestion for bid_round_1: $(cat err.txt)"
    # gpu-lot has no scripted later round: it has one round only.
    grep -qF 'typo.json: /kpis/3: expected a KPI' err.txt || fail "gpu-lot.bids_round_2 accepted"
    grep -qF 'typo.json: /outcome/kpi: expected a KPI' err.txt || fail "outcome KPI not checked"
    grep -qF 'found the string "awardd"; did you mean `awarded`?' err.txt || fail "no suggestion for awardd"
    if grep -q '/kpis/2' err.txt; then fail "spc.bids_round_3 (a scripted third round) was refused"; fi
    [ ! -e typo.sqlite ] || fail "a database was created for a study with a misspelt KPI"
    # `tenderlab kpis` lists every KPI a run reports: those of real runs are all in its list.
    for scenario in small.json "$source_dir/scenarios/naicc-2025.json" \
      "$source_dir/scenarios/variants/korea-2025-2030-compute.json"; do
      "$tenderlab" kpis "$scenario" --json > kpis.json
      "$tenderlab" kpis "$scenario" > kpis.txt
      grep -q '^bids_round_1 ' kpis.txt || fail "no bids_round_1 row"
      rm -rf run
      "$tenderlab" run "$scenario" --out run -q
      python3 - <<'EOF' || fail "a KPI of a run of $scenario is missing from tenderlab kpis"
import json, sys
listed = json.load(open("kpis.json"))
assert all(set(kpi) == {"name", "unit", "meaning"} for kpi in listed)
reported = set(json.load(open("run/summary.json"))["kpis"])
missing = sorted(reported - {kpi["name"] for kpi in listed})
if missing:
    sys.exit(f"missing: {missing}")
EOF
    done
    "$tenderlab" kpis > patterns.txt
    grep -q '^CALL.bids_round_N ' patterns.txt || fail "no pattern list without a scenario"
    status=$(status_of "$tenderlab" kpis no-such.json)
    [ "$status" = 2 ] || fail "kpis of a missing file exited $status"
    ;;
  export)
    # A small study exported: runs.csv has one row per run with its factors and KPIs, effects.csv
    # one row per clause that kept an agent away from a failed round; both read back with
    # Python's csv module, the same bytes from -j1 and -j2, and from a second export.
    "$tenderlab" study "$study" -j1 --db one.sqlite -q
    "$tenderlab" study "$study" -j2 --db two.sqlite -q
    "$tenderlab" export one.sqlite > out.txt
    grep -q "one-export/runs.csv" out.txt || fail "export does not say where it wrote: $(cat out.txt)"
    "$tenderlab" export two.sqlite --out two
    cmp -s one-export/runs.csv two/runs.csv || fail "runs.csv differs between -j1 and -j2"
    cmp -s one-export/effects.csv two/effects.csv || fail "effects.csv differs between -j1 and -j2"
    cp one-export/runs.csv first-runs.csv
    "$tenderlab" export one.sqlite
    cmp -s one-export/runs.csv first-runs.csv || fail "a second export gave other bytes"
    away_rows=$(sqlite3 one.sqlite 'select count(*) from stay_away')
    python3 - "$away_rows" <<'EOF' || fail "the exported tables are not as expected"
import csv, sys
with open("one-export/runs.csv", newline="") as f:
    runs = list(csv.DictReader(f))
expected = ["run_id", "point", "replication", "seed", "status", "buy_back",
            "public_equity_share", "tax_credit", "awarded", "bids_round_1", "public_money_bn_krw"]
header = list(runs[0].keys())
assert header == expected, header
assert len(runs) == 72, len(runs)
assert len({row["run_id"] for row in runs}) == 72
assert {row["status"] for row in runs} == {"ok"}
assert {row["buy_back"] for row in runs} == {"false", "true"}, {row["buy_back"] for row in runs}
assert all(float(row["awarded"]) in (0.0, 1.0) for row in runs)
with open("one-export/effects.csv", newline="") as f:
    effects = list(csv.DictReader(f))
assert list(effects[0].keys()) == ["run_id", "call", "round", "agent", "role", "clause",
                                   "effect_bn_krw"], list(effects[0].keys())
assert len(effects) == int(sys.argv[1]) > 0, (len(effects), sys.argv[1])
run_ids = {row["run_id"] for row in runs}
assert all(row["run_id"] in run_ids and int(row["round"]) >= 1 and row["role"] in ("lead", "partner")
           for row in effects)
float(effects[0]["effect_bn_krw"])
EOF
    # The kept event log of p00000-r000 gives the same clause effects as the database.
    python3 - <<'EOF' || fail "effects.csv disagrees with the run's event log"
import csv, json
decisions, expected = {}, set()
for line in open("one-events/p00000-r000.events.jsonl"):
    event = json.loads(line)
    if event["type"] == "bid_decision" and "effects" in event:
        decisions[(event["call"], event["round"], event["agent"])] = event["effects"]
    if event["type"] == "round_failed":
        for away in event["stayed_away"]:
            key = (event["call"], event["round"], away["agent"])
            lead = away.get("role") == "lead" and key in decisions
            for effect in (decisions[key] if lead else away.get("obstacles", [])):
                expected.add(key + (effect["term"],))
with open("one-export/effects.csv", newline="") as f:
    exported = {(row["call"], int(row["round"]), row["agent"], row["clause"])
                for row in csv.DictReader(f) if row["run_id"] == "p00000-r000"}
assert expected and exported == expected, (sorted(expected), sorted(exported))
EOF
    # A link at the output folder is refused, and the tables are never written through it.
    mkdir elsewhere
    ln -s elsewhere linked
    status=$(status_of "$tenderlab" export one.sqlite --out linked)
    [ "$status" = 2 ] || fail "export into a symbolic link exited $status"
    [ -z "$(ls elsewhere)" ] || fail "export wrote through a symbolic link"
    status=$(status_of "$tenderlab" export no-such.sqlite)
    [ "$status" = 2 ] || fail "export of a missing database exited $status"
    ls -a one-export two | grep partial >/dev/null && fail "a partial file was left behind"
    ;;
  compare)
    sed -e 's/"enabled": true, "return_rate": 0.05/"enabled": false, "return_rate": 0.05/' \
        -e 's/"name": "golden-small"/"name": "no-buy-back"/' \
      "$source_dir/tests/golden/small.json" > variant.json
    "$tenderlab" compare "$source_dir/tests/golden/small.json" variant.json -r 6 -j2 -q \
      --json compare.json > compare.txt
    grep -q "paired comparison over 6 replications" compare.txt || fail "no paired comparison"
    # Two calls: each KPI once, with its call's prefix (the first call's short names repeat it).
    grep -q "^spc\.awarded " compare.txt || fail "no spc.awarded row"
    ! grep -q "^awarded " compare.txt || fail "awarded is shown twice, with and without prefix"
    grep -q '"ci95_low"' compare.json || fail "no confidence interval in the JSON"
    ;;
  replay)
    "$tenderlab" run "$source_dir/tests/golden/small.json" --out run -q
    "$tenderlab" replay run/manifest.json --verify | grep "^verified" >/dev/null || fail "replay did not verify"
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
    "$tenderlab" diff a a | grep "^events: identical" >/dev/null || fail "a run differs from itself"
    set +e
    "$tenderlab" diff a b > diff.txt
    status=$?
    set -e
    [ "$status" -eq 1 ] || fail "diff of different runs exited $status"
    grep -q "^first diverging event: 0" diff.txt || fail "the first divergence is the start event: $(cat diff.txt)"
    grep -q "^  seed: 7 → 8" diff.txt || fail "the seeds are not shown as the inputs that differ: $(cat diff.txt)"
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
      grep -qF 'hB.json changed since these runs were recorded: /seed: 3 → 4' err.txt ||
        fail "tenderlab-mpi: $(cat err.txt)"
    fi
    [ "$(status_of "$tenderlab" study hB.json --db own.sqlite -q)" = 2 ] || fail "study of hB adopted hA's database"
    grep -qF 'own.sqlite: hB.json changed since these runs were recorded: /seed: 3 → 4 (only a new description or more replications can be resumed)' err.txt ||
      fail "the refusal does not say what differs: $(cat err.txt)"
    [ "$(status_of "$tenderlab" report hB.json --db own.sqlite)" = 2 ] || fail "report of hB read hA's database"
    grep -qF 'hB.json changed since these runs were recorded: /seed: 3 → 4' err.txt || fail "report: $(cat err.txt)"
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
    if ls -A | grep -E -- '-journal$|-wal$|\.lock$' >/dev/null; then
      fail "files left beside refused databases: $(ls -A)"
    fi
    ;;
  kept-logs-full-disk)
    # Kept event logs on a file system that fills up (100 KB, as small as a full disk gets): the
    # runs whose log does not fit fail with the reason, the study exits 1, and every log that is
    # kept is whole (its hash is the run's). Needs a mount namespace (root); skipped otherwise.
    command -v unshare > /dev/null || skip "no unshare"
    unshare -m true 2> /dev/null || skip "cannot create a mount namespace here"
    sed -e 's#"base": "small.json"#"base": "'"$source_dir"'/tests/golden/small.json"#' \
        -e 's#"keep_event_logs": \["p00000-r000"\]#"keep_event_logs": ["*"]#' "$study" > keep-all.json
    grep -q '"keep_event_logs": \["\*"\]' keep-all.json || fail "could not write the study"
    mkdir full-events
    cat > inside.sh <<'INSIDE'
set -u
mount -t tmpfs -o size=100k tenderlab-full full-events || exit 77
"$1" study keep-all.json -j2 --db full.sqlite -q 2> study.err
echo $? > study.status
# The folder disappears with the namespace: check it from inside.
for log in full-events/*; do
  [ -e "$log" ] || continue
  run=$(basename "$log" .events.jsonl)
  echo "$run $(sha256sum < "$log" | cut -c1-64)"
done > kept.txt
INSIDE
    set +e
    unshare -m bash inside.sh "$tenderlab"
    [ $? -eq 77 ] && skip "cannot mount a tmpfs here"
    set -e
    status=$(cat study.status)
    [ "$status" -eq 1 ] || fail "a study whose event logs did not fit exited $status, expected 1"
    grep -q "error: [0-9]* failed and 0 crashed runs in full.sqlite" study.err || fail "no error on stderr: $(cat study.err)"
    failed=$(sqlite3 full.sqlite "select count(*) from runs where status = 'failed' and reason like 'cannot keep the event log %No space left on device%'")
    [ "$failed" -gt 0 ] || fail "no run failed for lack of space: $(sqlite3 full.sqlite 'select status, reason from runs limit 3')"
    ok=$(sqlite3 full.sqlite "select count(*) from runs where status = 'ok'")
    total=$(sqlite3 full.sqlite "select count(*) from runs")
    [ "$total" -eq 72 ] || fail "expected 72 runs recorded, found $total"
    ! grep -q partial kept.txt || fail "a partial log was left behind: $(grep partial kept.txt)"
    [ "$(wc -l < kept.txt)" -eq "$ok" ] || fail "$ok runs ok but $(wc -l < kept.txt) logs kept"
    while read -r run hash; do
      recorded=$(sqlite3 full.sqlite "select event_log_sha256 from runs where run_id = '$run' and status = 'ok'")
      [ "$recorded" = "$hash" ] || fail "kept log of $run hashes to $hash, the database says '$recorded'"
    done < kept.txt
    echo "$ok runs kept their logs, $failed failed for lack of space"
    ;;
  worker-full-disk)
    # The same through a worker, with a file size limit instead of a small file system: writes of
    # the log past 16 KiB fail (EFBIG), which must fail the run and leave no file.
    mkdir events
    task_line "$source_dir/scenarios/naicc-2025.json" p00000-r000 0 0 \
      '{"events_file": "events/p00000-r000.events.jsonl"}' > task.jsonl
    (trap '' XFSZ; ulimit -f 16; exec "$tenderlab" worker --events-dir events < task.jsonl > result.jsonl)
    python3 - result.jsonl <<'PY' || fail "$(cat result.jsonl)"
import json, sys
result = json.loads(open(sys.argv[1]).read())
assert result["status"] == "failed", result
assert result["reason"].startswith("cannot keep the event log "), result
assert result["reason"].endswith("File too large"), result
PY
    [ -z "$(ls events)" ] || fail "a partial event log was left: $(ls events)"
    # Without the limit the same task keeps its log, whose hash is the run's.
    "$tenderlab" worker --events-dir events < task.jsonl > result.jsonl
    kept=$(sha256sum < events/p00000-r000.events.jsonl | cut -c1-64)
    grep -q "\"event_log_sha256\":\"$kept\"" result.jsonl || fail "kept log differs: $(cat result.jsonl)"
    grep -q '"status":"ok"' result.jsonl || fail "$(cat result.jsonl)"
    ;;
  worker-tasks)
    # Every field of a worker task is checked: numbers in range, a plain run id, and kept event
    # logs inside the folder the worker was given, links and '..' resolved.
    small="$source_dir/tests/golden/small.json"
    refused() {  # LINE EXPECTED-MESSAGE
      set +e
      printf '%s\n' "$1" | "$tenderlab" worker --events-dir events > out.jsonl 2> err.txt
      local status=$?
      set -e
      [ "$status" -eq 2 ] || fail "worker exited $status for $2"
      grep -qF "$2" err.txt || fail "expected '$2', got: $(cat err.txt)"
      [ ! -s out.jsonl ] || fail "a refused task was answered: $(cat out.jsonl)"
    }
    refused "$(task_line "$small" p1 1e300 0 '{}')" \
      "input line 1: /point: expected an integer in [0, 2147483647], found 1e+300"
    refused "$(task_line "$small" p1 0 4294967296 '{}')" \
      "input line 1: /replication: expected an integer in [0, 2147483647], found 4294967296"
    refused "$(task_line "$small" p1 0 -1 '{}')" "/replication: expected an integer in [0, 2147483647], found -1"
    refused "$(task_line "$small" ../p1 0 0 '{}')" "/run_id: expected a run id of 1 to 128 characters"
    mkdir -p events outside
    ln -s ../outside events/link
    for escape in "outside/x.events.jsonl" "events/../outside/x.events.jsonl" \
                  "events/link/x.events.jsonl" "$work/outside/x.events.jsonl"; do
      task_line "$small" p1 0 0 '{"events_file": "'"$escape"'"}' > task.jsonl
      "$tenderlab" worker --events-dir events < task.jsonl > out.jsonl
      grep -q '"status":"failed"' out.jsonl || fail "$escape was accepted: $(cat out.jsonl)"
      grep -qF '/payload/events_file: expected a file directly in' out.jsonl || fail "$(cat out.jsonl)"
      [ -z "$(ls outside)" ] || fail "$escape was written outside the folder"
    done
    # Without --events-dir no log is kept at all.
    task_line "$small" p1 0 0 '{"events_file": "events/p1.events.jsonl"}' > task.jsonl
    "$tenderlab" worker < task.jsonl > out.jsonl
    grep -q '"status":"failed"' out.jsonl || fail "a worker without --events-dir kept a log"
    [ ! -e events/p1.events.jsonl ] || fail "a worker without --events-dir wrote a log"
    # Inside the folder it is kept.
    "$tenderlab" worker --events-dir events < task.jsonl > out.jsonl
    grep -q '"status":"ok"' out.jsonl || fail "$(cat out.jsonl)"
    [ -s events/p1.events.jsonl ] || fail "the log was not kept"
    # tenderlab-mpi --tasks refuses what is not a regular file before reading (a FIFO used to
    # block for ever, /dev/zero to fill memory) and a bad line as bad input.
    if [ -x "$bin/tenderlab-mpi" ] && command -v mpirun > /dev/null; then
      mkfifo tasks.fifo
      for special in tasks.fifo /dev/zero; do
        [ "$(status_of timeout 60 "$bin/tenderlab-mpi" --tasks "$special" --db t.sqlite)" = 2 ] ||
          fail "tenderlab-mpi --tasks $special: $(cat err.txt)"
        grep -qF "$special: (document): expected a regular file" err.txt || fail "$(cat err.txt)"
      done
      task_line "$small" p1 0 -1 '{}' > bad-tasks.jsonl
      [ "$(status_of timeout 60 "$bin/tenderlab-mpi" --tasks bad-tasks.jsonl --db t.sqlite)" = 2 ] ||
        fail "tenderlab-mpi --tasks with a bad line: $(cat err.txt)"
      grep -qF "bad-tasks.jsonl: line 1: /replication: expected an integer" err.txt || fail "$(cat err.txt)"
    fi
    ;;
  design-limits)
    # A design of more runs than a study may have stops at once with the pointer and the count
    # (it used to try to hold every run in memory). The memory limit keeps a regression from
    # swamping the machine; sanitizer builds cannot run under one.
    sed -e 's#"base": "small.json"#"base": "'"$source_dir"'/tests/golden/small.json"#' \
        -e 's#"levels": 3#"levels": 1000#' "$study" > huge.json
    set +e
    (sanitized || ulimit -v 4000000; exec "$tenderlab" study huge.json --db huge.sqlite -q) 2> err.txt
    status=$?
    set -e
    [ "$status" -eq 2 ] || fail "a design of 8000000 runs exited $status, expected 2: $(cat err.txt)"
    grep -qF "huge.json: /design/levels: expected a design of at most 1000000 runs (design points x replications), found 2000000 design points (1000 x 2 x 1000 levels)" err.txt \
      || fail "unexpected message: $(cat err.txt)"
    [ ! -e huge.sqlite ] || fail "a database was created for a refused study"
    ;;
  many-runs)
    # 100000 replications of the calibrated scenario: the study starts running at once and its
    # memory does not grow with the number of runs (each used to hold its own copy of the
    # scenario, about 50 KB, 5 GB in all). Interrupted after a few runs.
    sed -e 's#"base": "../naicc-2025.json"#"base": "'"$source_dir"'/scenarios/naicc-2025.json"#' \
        -e 's#"replications": 100,#"replications": 100000,#' \
        "$source_dir/scenarios/studies/naicc-2025-history.json" > many.json
    grep -q '"replications": 100000' many.json || fail "could not write the study"
    (sanitized || ulimit -v 4000000; exec "$tenderlab" study many.json -j1 --db many.sqlite -q) \
      2> err.txt &
    pid=$!
    count=0
    for _ in $(seq 1 1200); do
      kill -0 "$pid" 2> /dev/null || break
      # -readonly: never create the file before the study does (an empty file is refused).
      count=$(sqlite3 -readonly many.sqlite "select count(*) from runs" 2> /dev/null || echo 0)
      [ "${count:-0}" -ge 3 ] && break
      sleep 0.1
    done
    peak_kib=$(awk '/^VmHWM/ { print $2 }' "/proc/$pid/status" 2> /dev/null || echo gone)
    kill -INT "$pid" 2> /dev/null || true
    set +e
    wait "$pid"
    status=$?
    set -e
    [ "${count:-0}" -ge 3 ] || fail "no runs after 2 minutes (exit $status): $(cat err.txt)"
    [ "$status" -eq 130 ] || fail "an interrupted study exited $status, expected 130: $(cat err.txt)"
    echo "runs recorded before the interrupt: $count; peak resident memory of the study: $peak_kib KiB"
    # A few dozen MB: the program, the scenario and one bit per run.
    sanitized || [ "$peak_kib" -lt 200000 ] || fail "the study's peak memory is $peak_kib KiB"
    ;;
  *) fail "unknown check $check" ;;
esac
echo "ok: $check"
