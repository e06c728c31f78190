#!/usr/bin/env bash
# End-to-end checks of what `tenderlab run` (and its neighbours) take as input and how they hand
# back output: re-running a recorded study run, overrides, scenario variants, seeds, replays from
# elsewhere, pipes and JSON on stdout. Run as a user runs them.
# Usage: run_input_checks.sh CHECK TENDERLAB_BINARY SOURCE_DIR
set -euo pipefail
check=$1
tenderlab=$2
source_dir=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "FAILED: $*" >&2; exit 1; }
golden="$source_dir/tests/golden"
# Runs a command that is expected to stop; prints its exit status (stdout in out.txt, stderr in
# err.txt).
status_of() {
  set +e
  "$@" > out.txt 2> err.txt
  echo $?
  set -e
}
sql() { python3 -c 'import sqlite3, sys
db = sqlite3.connect(sys.argv[1])
for row in db.execute(sys.argv[2]):
    print("|".join(str(v) for v in row))
db.commit()' "$@"; }

case "$check" in
  run-from-database)
    # A study run, rebuilt from the results database alone (the study and its base scenario
    # moved away), into a full run folder whose event log hashes to the recorded hash.
    mkdir study
    cp "$golden/small-study.json" "$golden/small.json" study/
    "$tenderlab" study study/small-study.json -j2 --db results.sqlite -q
    rm -r study
    run=p00005-r002
    recorded=$(sql results.sqlite "select event_log_sha256 from runs where run_id = '$run'")
    [ -n "$recorded" ] || fail "no recorded hash for $run"
    "$tenderlab" run --from results.sqlite "$run" --out again -q 2> err.txt ||
      fail "run --from failed: $(cat err.txt)"
    for f in events.jsonl tenders.csv timeseries.csv summary.json manifest.json scenario.json; do
      [ -s "again/$f" ] || fail "run --from wrote no $f"
    done
    [ "$(sha256sum again/events.jsonl | cut -d' ' -f1)" = "$recorded" ] ||
      fail "the rebuilt run's event log does not hash to the recorded $recorded"
    [ "$(jq -r .from.run_id again/manifest.json)" = "$run" ] || fail "manifest names no run id"
    [ "$(jq -r .seed again/manifest.json)" = 3 ] || fail "manifest seed is not the study's"
    [ "$(jq -r .replication again/manifest.json)" = 2 ] || fail "manifest replication is not 2"
    # The point's factor values are in the scenario it ran.
    factors=$(sql results.sqlite "select factors from points where point = 5")
    want=$(jq -c .tax_credit <<< "$factors")
    [ "$(jq -c '.calls[0].terms.tax_credit' again/scenario.json)" = "$want" ] ||
      fail "scenario.json does not carry the point's tax_credit $want"
    # The folder replays from anywhere.
    mkdir elsewhere
    (cd elsewhere && "$tenderlab" replay ../again/manifest.json --verify > ../replay.txt) ||
      fail "the rebuilt run does not replay"
    # The default folder is runs/<study>-<run id>.
    "$tenderlab" run --from results.sqlite p00000-r000 -q 2> err.txt ||
      fail "run --from without --out failed: $(cat err.txt)"
    [ -s runs/small-study-p00000-r000/events.jsonl ] || fail "no runs/small-study-p00000-r000/"
    # A recorded hash the run does not reproduce: exit 1, nothing written.
    sql results.sqlite "update runs set event_log_sha256 = 'ab$recorded' where run_id = '$run'"
    status=$(status_of "$tenderlab" run --from results.sqlite "$run" --out differs -q)
    [ "$status" = 1 ] || fail "a run that does not reproduce exited $status, expected 1"
    grep -q "did not reproduce" err.txt || fail "no clear message: $(cat err.txt)"
    [ ! -e differs ] || fail "outputs were left for a run that did not reproduce"
    # An unknown run id: exit 2, the message names it and a recorded one.
    status=$(status_of "$tenderlab" run --from results.sqlite p99999-r000 --out unknown -q)
    [ "$status" = 2 ] || fail "an unknown run id exited $status, expected 2"
    grep -q 'p99999-r000' err.txt && grep -q 'p00000-r000' err.txt ||
      fail "the unknown-run message names neither id: $(cat err.txt)"
    [ ! -e unknown ] || fail "outputs were written for an unknown run"
    # A file that is not a results database: exit 2.
    status=$(status_of "$tenderlab" run --from "$golden/small.json" p00000-r000 --out notdb -q)
    [ "$status" = 2 ] || fail "a scenario file as database exited $status, expected 2"
    grep -q "small.json" err.txt || fail "the message does not name the file: $(cat err.txt)"
    sqlite3_empty=other.sqlite
    sql "$sqlite3_empty" "create table t (x)"
    status=$(status_of "$tenderlab" run --from "$sqlite3_empty" p00000-r000 --out notdb -q)
    [ "$status" = 2 ] || fail "another program's database exited $status, expected 2"
    status=$(status_of "$tenderlab" run --from missing.sqlite p00000-r000 --out notdb -q)
    [ "$status" = 2 ] || fail "a missing database exited $status, expected 2"
    [ ! -e missing.sqlite ] || fail "run --from created a database"
    # A crafted database whose study name is a path: without --out the folder would be
    # runs/../outside-p00000-r000, outside runs/. Refused, nothing written.
    cp results.sqlite crafted.sqlite
    sql crafted.sqlite "update study set value = '../outside' where key = 'name'"
    status=$(status_of "$tenderlab" run --from crafted.sqlite p00000-r000 -q)
    [ "$status" = 2 ] || fail "a study named ../outside exited $status, expected 2"
    grep -q "/name: expected" err.txt || fail "no clear message: $(cat err.txt)"
    [ ! -e outside-p00000-r000 ] || fail "run --from wrote outside runs/"
    # A database without the recorded base scenario (an older tenderlab's): exit 2, says how
    # to add it.
    sql results.sqlite "delete from study where key = 'base_scenario_json'"
    status=$(status_of "$tenderlab" run --from results.sqlite p00000-r000 --out old -q)
    [ "$status" = 2 ] || fail "a database without its base scenario exited $status, expected 2"
    grep -q "tenderlab study" err.txt || fail "the message does not say how to fix it: $(cat err.txt)"
    # A scenario and --from together, or neither: usage error.
    status=$(status_of "$tenderlab" run "$golden/small.json" --from results.sqlite p00000-r000 -q)
    [ "$status" = 2 ] || fail "SCENARIO with --from exited $status, expected 2"
    status=$(status_of "$tenderlab" run -q)
    [ "$status" = 2 ] || fail "run without SCENARIO or --from exited $status, expected 2"
    ;;
  set-overrides)
    # --set on run: the value lands in the scenario that ran, the manifest records it, and the
    # replay (from another folder) reproduces the run.
    "$tenderlab" run "$golden/small.json" --out base -q
    "$tenderlab" run "$golden/small.json" --set /calls/0/terms/tax_credit=0.25 \
      --set '/calls/0/terms/buy_back/enabled=false' --set /name=small-set --out set -q 2> err.txt ||
      fail "run --set failed: $(cat err.txt)"
    [ "$(jq -c .set set/manifest.json)" = \
      '[{"path":"/calls/0/terms/tax_credit","value":0.25},{"path":"/calls/0/terms/buy_back/enabled","value":false},{"path":"/name","value":"small-set"}]' ] ||
      fail "the manifest does not record the overrides: $(jq -c .set set/manifest.json)"
    if cmp -s base/events.jsonl set/events.jsonl; then fail "--set changed nothing"; fi
    grep -q '"scenario":"small-set"' set/events.jsonl || fail "--set /name=small-set (a string) was not applied"
    mkdir elsewhere
    (cd elsewhere && "$tenderlab" replay ../set/manifest.json --verify > ../replay.txt 2> ../err.txt) ||
      fail "the run with --set does not replay: $(cat err.txt)"
    # The same values through a variant file give the same event log.
    printf '{ "extends": "%s", "name": "small-set",\n  "set": { "/calls/0/terms/tax_credit": 0.25, "/calls/0/terms/buy_back/enabled": false } }\n' \
      "$golden/small.json" > variant.json
    "$tenderlab" run variant.json --out variant -q
    cmp -s set/events.jsonl variant/events.jsonl || fail "--set and the variant file differ"
    # A pointer whose parent does not exist: exit 2, the pointer named, nothing run.
    status=$(status_of "$tenderlab" run "$golden/small.json" --set /calls/7/terms/tax_credit=0.2 --out bad -q)
    [ "$status" = 2 ] || fail "--set into a missing parent exited $status, expected 2"
    grep -q -- '--set: /calls/7/terms/tax_credit: expected a JSON Pointer whose parent exists' err.txt ||
      fail "the message does not name the pointer: $(cat err.txt)"
    grep -q 'no element 7' err.txt || fail "the message does not say what is missing: $(cat err.txt)"
    [ ! -e bad ] || fail "outputs were written for a bad --set"
    status=$(status_of "$tenderlab" run "$golden/small.json" --set tax_credit=0.2 --out bad -q)
    [ "$status" = 2 ] || fail "--set without a pointer exited $status, expected 2"
    # A value out of range is the loader's error, at its pointer.
    status=$(status_of "$tenderlab" run "$golden/small.json" --set /calls/0/terms/public_equity_share=1.3 --out bad -q)
    [ "$status" = 2 ] || fail "an out-of-range --set exited $status, expected 2"
    grep -q '/calls/0/terms/public_equity_share: expected a number in' err.txt ||
      fail "the range error is not at the pointer: $(cat err.txt)"
    # validate and compare take it too.
    "$tenderlab" validate "$golden/small.json" --set /name=checked > out.txt
    grep -q "valid scenario 'checked'" out.txt || fail "validate --set was not applied: $(cat out.txt)"
    status=$(status_of "$tenderlab" validate "$golden/small.json" --set /calls/0/terms/tax_credit=2)
    [ "$status" = 2 ] || fail "validate with an out-of-range --set exited $status, expected 2"
    "$tenderlab" compare "$golden/small.json" variant.json -r 2 -q \
      --set /calls/0/terms/buy_back/enabled=false > out.txt
    grep -q -- "--set /calls/0/terms/buy_back/enabled=false" out.txt || fail "compare does not show --set"
    ;;
  variants)
    # The example variant loads.
    "$tenderlab" validate "$source_dir/scenarios/variants/naicc-2025-equity-30.json" > out.txt ||
      fail "the example variant does not validate"
    grep -q "valid scenario 'naicc-2025-equity-30'" out.txt || fail "unexpected: $(cat out.txt)"
    # Chains of variants, a relative path from the variant's folder, top-level keys replaced.
    mkdir -p a/b
    cp "$golden/small.json" a/base.json
    echo '{ "extends": "../base.json", "name": "middle", "set": { "/calls/0/terms/tax_credit": 0.2 } }' > a/b/middle.json
    echo '{ "extends": "b/middle.json", "name": "leaf", "seed": 9, "set": { "/calls/0/terms/tax_credit": 0.25 } }' > a/leaf.json
    "$tenderlab" run a/leaf.json --out leaf -q 2> err.txt || fail "a chain of variants failed: $(cat err.txt)"
    jq '.name = "leaf" | .seed = 9 | .calls[0].terms.tax_credit = 0.25' a/base.json > flat.json
    "$tenderlab" run flat.json --out flat -q
    cmp -s leaf/events.jsonl flat/events.jsonl || fail "the chain does not run as the flat file"
    (cd a/b && "$tenderlab" replay ../../leaf/manifest.json --verify > /dev/null) ||
      fail "the variant does not replay"
    # The manifest also hashes what the variant resolves to, and a plain scenario has no such
    # hash. A parent edited since the run: the variant file's own hash still matches, the
    # resolved one does not, so replay refuses (exit 2) instead of simulating something else.
    [ "$(jq -r '.resolved_scenario_sha256 | length' leaf/manifest.json)" = 64 ] ||
      fail "no resolved_scenario_sha256 in the variant's manifest"
    [ "$(jq 'has("resolved_scenario_sha256")' flat/manifest.json)" = false ] ||
      fail "a plain scenario's manifest has a resolved hash"
    cp a/b/middle.json middle.saved
    echo '{ "extends": "../base.json", "name": "middle", "set": { "/calls/0/terms/tax_credit": 0.2, "/calls/0/terms/public_equity_share": 0.3 } }' > a/b/middle.json
    status=$(status_of "$tenderlab" replay leaf/manifest.json --verify)
    [ "$status" = 2 ] || fail "replay after a parent changed exited $status, expected 2"
    grep -q "resolved_scenario_sha256: expected .*leaf.json to resolve to the scenario that ran" err.txt ||
      fail "no clear message: $(cat err.txt)"
    cp middle.saved a/b/middle.json
    "$tenderlab" replay leaf/manifest.json --verify > /dev/null || fail "the restored parent does not replay"
    # Cycles, missing parents, a bad extends and set without extends: exit 2, clear messages.
    echo '{ "extends": "two.json", "name": "one" }' > one.json
    echo '{ "extends": "one.json", "name": "two" }' > two.json
    status=$(status_of "$tenderlab" validate one.json)
    [ "$status" = 2 ] || fail "a cycle exited $status, expected 2"
    grep -q "cycle" err.txt || fail "the cycle is not named: $(cat err.txt)"
    echo '{ "extends": "self.json", "name": "self" }' > self.json
    status=$(status_of "$tenderlab" run self.json --out self -q)
    [ "$status" = 2 ] || fail "a file extending itself exited $status, expected 2"
    echo '{ "extends": "nowhere.json", "name": "lost" }' > lost.json
    status=$(status_of "$tenderlab" validate lost.json)
    [ "$status" = 2 ] || fail "a missing parent exited $status, expected 2"
    grep -q 'lost.json: /extends' err.txt && grep -q 'nowhere.json' err.txt ||
      fail "the missing parent is not named: $(cat err.txt)"
    echo '{ "extends": "a/base.json", "name": "x", "set": { "/calls/0/nothing/here": 1 } }' > deep.json
    status=$(status_of "$tenderlab" validate deep.json)
    [ "$status" = 2 ] || fail "a set into a missing parent exited $status, expected 2"
    grep -q 'deep.json: /set: /calls/0/nothing/here' err.txt || fail "unclear: $(cat err.txt)"
    echo '{ "extends": 3, "name": "x" }' > number.json
    status=$(status_of "$tenderlab" validate number.json)
    [ "$status" = 2 ] || fail "a numeric extends exited $status, expected 2"
    jq '.set = {"/seed": 1}' "$golden/small.json" > setonly.json
    status=$(status_of "$tenderlab" validate setonly.json)
    [ "$status" = 2 ] || fail "set without extends exited $status, expected 2"
    # A study whose base is a variant runs it resolved.
    printf '{ "format": "tenderlab-study/1", "name": "variant-study", "base": "a/leaf.json", "seed": 9,\n  "replications": 1, "factors": [], "design": { "type": "grid" } }\n' > study.json
    "$tenderlab" study study.json --db study.sqlite -q 2> err.txt || fail "a study of a variant failed: $(cat err.txt)"
    want=$(sha256sum flat/events.jsonl | cut -d' ' -f1)
    [ "$(sql study.sqlite "select event_log_sha256 from runs")" = "$want" ] ||
      fail "the study's run of the variant is not the flat file's run"
    ;;
  negative-seed)
    # A negative or non-integer seed is refused, not wrapped to 2^64 - 1.
    for seed in -1 -5 1.5 abc 9223372036854775808; do
      status=$(status_of "$tenderlab" run "$golden/small.json" --seed "$seed" --out out -q)
      [ "$status" = 2 ] || fail "run --seed $seed exited $status, expected 2"
      grep -q -- "--seed" err.txt || fail "run --seed $seed: the message does not name --seed: $(cat err.txt)"
      [ ! -e out ] || fail "run --seed $seed wrote outputs"
    done
    status=$(status_of "$tenderlab" run "$golden/small.json" --replication -1 --out out -q)
    [ "$status" = 2 ] || fail "run --replication -1 exited $status, expected 2"
    status=$(status_of "$tenderlab" compare "$golden/small.json" "$golden/small.json" --seed -1 -r 2 -q)
    [ "$status" = 2 ] || fail "compare --seed -1 exited $status, expected 2"
    "$tenderlab" run "$golden/small.json" --seed 9223372036854775807 --out big -q ||
      fail "the largest seed, 2^63 - 1, is refused"
    grep -q '"seed": 9223372036854775807,' big/manifest.json || fail "the largest seed was changed"
    ;;
  replay-elsewhere)
    # A run made with a relative scenario path replays from any folder, and after the run folder
    # moved together with its scenario.
    mkdir -p project/scenarios other
    cp "$golden/small.json" project/scenarios/small.json
    (cd project && "$tenderlab" run scenarios/small.json --out runs/small -q)
    [ "$(jq -r .scenario project/runs/small/manifest.json)" = scenarios/small.json ] ||
      fail "the manifest does not keep the path as given"
    (cd other && "$tenderlab" replay ../project/runs/small/manifest.json --verify > ../out.txt 2> ../err.txt) ||
      fail "replay from another folder failed: $(cat err.txt)"
    [ "$(jq -r .scenario_from_run project/runs/small/manifest.json)" = ../../scenarios/small.json ] ||
      fail "the manifest does not record the scenario from the run folder"
    (cd / && "$tenderlab" replay "$work/project/runs/small/manifest.json" --verify > /dev/null) ||
      fail "replay from / failed"
    mv project moved
    (cd other && "$tenderlab" replay ../moved/runs/small/manifest.json --verify > /dev/null) ||
      fail "replay after the project moved failed"
    # A scenario edited since: refused, naming the file and the hash.
    echo ' ' >> moved/scenarios/small.json
    status=$(status_of "$tenderlab" replay moved/runs/small/manifest.json --verify)
    [ "$status" = 2 ] || fail "an edited scenario exited $status, expected 2"
    grep -q 'a different file' err.txt || fail "unclear: $(cat err.txt)"
    rm moved/scenarios/small.json
    status=$(status_of "$tenderlab" replay moved/runs/small/manifest.json --verify)
    [ "$status" = 2 ] || fail "a missing scenario exited $status, expected 2"
    grep -q 'looked at' err.txt || fail "unclear: $(cat err.txt)"
    ;;
  closed-stdout)
    # A reader that goes away (`tenderlab run X | head`) stops the printing, not the run: the
    # outputs are written and the status is 0. The pipe's read end is closed before the run
    # starts, so the first write meets it closed.
    python3 - "$tenderlab" "$golden/small.json" <<'PY' || fail "run into a closed pipe did not finish"
import os, subprocess, sys
read_end, write_end = os.pipe()
os.close(read_end)
result = subprocess.run([sys.argv[1], "run", sys.argv[2], "--out", "piped"], stdout=write_end,
                        stderr=subprocess.PIPE)
print("status", result.returncode, result.stderr.decode(errors="replace"))
sys.exit(0 if result.returncode == 0 else 1)
PY
    for f in events.jsonl tenders.csv timeseries.csv summary.json manifest.json; do
      [ -s "piped/$f" ] || fail "run into a closed pipe left no $f"
    done
    # The same with head, as a user types it.
    "$tenderlab" run "$source_dir/scenarios/naicc-2025.json" --out headed | head -n 1 > /dev/null
    [ -s headed/manifest.json ] || fail "run | head left no outputs"
    ;;
  json-stdout)
    # --json - writes the JSON to standard output, alone, and no file named "-".
    "$tenderlab" run "$golden/small.json" --out run --json - > run.json
    jq -e '.manifest.event_log_sha256 and .summary and .outputs == "run"' run.json > /dev/null ||
      fail "run --json - is not the run's JSON: $(head -c 300 run.json)"
    "$tenderlab" run "$golden/small.json" --out run2 --json run2.json -q
    jq -e '.manifest.seed == 7' run2.json > /dev/null || fail "run --json FILE: $(head -c 300 run2.json)"
    "$tenderlab" validate "$golden/small.json" --json - > validate.json
    jq -e '.[0].valid == true and .[0].name == "golden-small"' validate.json > /dev/null ||
      fail "validate --json -: $(cat validate.json)"
    jq '.calls[0].terms.tax_credit = 7' "$golden/small.json" > bad.json
    status=$(status_of "$tenderlab" validate bad.json --json -)
    [ "$status" = 2 ] || fail "validate of a bad file exited $status"
    jq -e '.[0].valid == false and .[0].problems[0].pointer == "/calls/0/terms/tax_credit"' out.txt > /dev/null ||
      fail "validate --json - of a bad file: $(cat out.txt)"
    "$tenderlab" params --json - | jq -e '.[0].params | length > 0' > /dev/null || fail "params --json -"
    "$tenderlab" params --json | jq -e '.[0].params | length > 0' > /dev/null || fail "params --json"
    "$tenderlab" params --json params.json
    jq -e '.[0].params | length > 0' params.json > /dev/null || fail "params --json FILE"
    "$tenderlab" study "$golden/small-study.json" --db s.sqlite -j2 --json - > study.json
    jq -e '.per_point | length > 0' study.json > /dev/null || fail "study --json -: $(head -c 300 study.json)"
    "$tenderlab" report "$golden/small-study.json" --db s.sqlite --json - > report.json
    jq -e '.per_point | length > 0' report.json > /dev/null || fail "report --json -"
    "$tenderlab" compare "$golden/small.json" "$golden/small.json" -r 2 -q --json - > compare.json
    jq -e '.kpis | length > 0' compare.json > /dev/null || fail "compare --json -: $(head -c 300 compare.json)"
    [ ! -e ./- ] || fail "a file named - was written"
    ;;
  sigterm)
    # SIGTERM sent to the tenderlab process alone (kill, timeout, a batch system), not to its
    # process group as a terminal's Ctrl-C is: the run stops at once, nothing is written, the exit
    # status says it was interrupted. A market of 1,500 agents takes many seconds to simulate.
    python3 "$source_dir/bench/make_scenario.py" 1500 --out big.json > /dev/null
    "$tenderlab" run big.json --out big -q 2> err.txt &
    pid=$!
    # Once its staging folder exists the scenario is loaded and the simulation about to start (a
    # SIGTERM before that ends the process as any program's, with nothing written either).
    for _ in $(seq 1 600); do
      if compgen -G '.big.staging-*' > /dev/null; then break; fi
      sleep 0.1
    done
    sleep 1
    kill -TERM "$pid"
    started=$(date +%s)
    set +e
    wait "$pid"
    status=$?
    set -e
    waited=$(($(date +%s) - started))
    [ "$status" = 130 ] || fail "run stopped by SIGTERM exited $status: $(cat err.txt)"
    [ "$waited" -le 10 ] || fail "run took $waited s to stop after SIGTERM"
    grep -q "interrupted: nothing was written" err.txt || fail "no message: $(cat err.txt)"
    [ ! -e big ] || fail "an interrupted run left its folder"
    if compgen -G '.big.staging-*' > /dev/null; then fail "an interrupted run left its staging folder"; fi
    ;;
  *)
    fail "unknown check $check"
    ;;
esac
