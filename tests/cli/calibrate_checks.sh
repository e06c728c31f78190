#!/usr/bin/env bash
# End-to-end checks of `tenderlab calibrate` and of studies and comparisons over its accepted
# draws, run as a user runs them, on the flagship scenario with few draws.
# Usage: calibrate_checks.sh CHECK BUILD_CLI_DIR SOURCE_DIR
set -euo pipefail
check=$1
bin=$2
source_dir=$3
tenderlab="$bin/tenderlab"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
fail() { echo "FAILED: $*" >&2; exit 1; }
status_of() {
  set +e
  "$@" > out.txt 2> err.txt
  echo $?
  set -e
}
cp "$source_dir/scenarios/naicc-2025.json" naicc.json
# Two parameters that move round 3, wide enough that some draws fail the history.
only=assumptions/score_temperature,market/gpu_hour_price_krw
calibrate() { "$tenderlab" calibrate naicc.json --only "$only" --draws 6 -r 2 --min-match 0.5 -q "$@"; }
# A study of the scenario over parameter sets: 2 points (tax credit) x sets x 2 replications.
write_study() {
  cat > "$1" <<JSON
{
  "format": "tenderlab-study/1",
  "name": "over-sets",
  "base": "$2",
  "seed": 3,
  "replications": 2,
  "parameter_sets": "$3",
  "factors": [{"name": "tax_credit", "path": "/calls/0/procedure/rounds/1/terms/tax_credit",
               "values": [0.2, 0.25]}],
  "design": {"type": "grid"},
  "kpis": ["history_match", "bids_round_3"],
  "outcome": {"kpi": "bids_round_3", "op": ">=", "value": 1}
}
JSON
}

case "$check" in
  jobs)
    # The same inputs and seed give the same bytes at -j1 and -j2.
    calibrate -j1 --out one
    calibrate -j2 --out two
    cmp one/calibration.json two/calibration.json || fail "calibration.json differs between -j1 and -j2"
    cmp one/draws.csv two/draws.csv || fail "draws.csv differs between -j1 and -j2"
    python3 - one/calibration.json "$source_dir/scenarios/schema/calibration.schema.json" <<'PY'
import json, sys
cal = json.load(open(sys.argv[1]))
try:
    from jsonschema import Draft202012Validator
    Draft202012Validator(json.load(open(sys.argv[2]))).validate(cal)
except ImportError:
    pass
assert cal["format"] == "tenderlab-calibration/1"
assert [p["name"] for p in cal["parameters"]] == ["assumptions/score_temperature",
                                                   "market/gpu_hour_price_krw"]
assert len(cal["draws"]) == 6 and all(d["runs"] == 2 for d in cal["draws"])
for d in cal["draws"]:
    assert 2 <= d["values"]["assumptions/score_temperature"] <= 10, d
    assert 2000 <= d["values"]["market/gpu_hour_price_krw"] <= 8000, d
    assert d["accepted"] == (d["matches"] >= 1), d
accepted = sum(d["accepted"] for d in cal["draws"])
assert cal["acceptance"]["accepted"] == accepted
print("accepted", accepted, "of 6")
PY
    # Resuming: the same command again runs nothing new and writes the same bytes.
    calibrate -j2 --out two
    cmp one/calibration.json two/calibration.json || fail "a resumed calibration differs"
    # Other settings in the same folder are refused.
    [ "$(status_of "$tenderlab" calibrate naicc.json --only "$only" --draws 7 -r 2 -q --out one)" = 2 ] ||
      fail "other settings were not refused"
    grep -q "other settings" err.txt || fail "no reason given: $(cat err.txt)"
    ;;
  refusals)
    # Bad input: an unknown parameter, a scenario without history, a calibration of another file.
    [ "$(status_of "$tenderlab" calibrate naicc.json --only assumptions/no_such_key)" = 2 ] ||
      fail "an unknown --only name was accepted"
    grep -q "assumptions/no_such_key" err.txt || fail "the name is not in the message: $(cat err.txt)"
    python3 -c 'import json; d = json.load(open("naicc.json")); d.pop("history"); json.dump(d, open("nohist.json", "w"))'
    [ "$(status_of "$tenderlab" calibrate nohist.json --draws 2)" = 2 ] ||
      fail "a scenario without history was accepted"
    grep -q "/history" err.txt || fail "no pointer to /history: $(cat err.txt)"
    calibrate --out cal
    # The same scenario with one value changed is another file: its SHA-256 differs.
    python3 -c 'import json; d = json.load(open("naicc.json")); d["description"] += " (edited)"; json.dump(d, open("edited.json", "w"), indent=2)'
    write_study study.json edited.json cal/calibration.json
    [ "$(status_of "$tenderlab" study study.json --db s.sqlite -q)" = 2 ] ||
      fail "a study over another scenario's calibration was accepted"
    grep -q "/parameter_sets" err.txt || fail "no pointer to /parameter_sets: $(cat err.txt)"
    grep -q "SHA-256" err.txt || fail "the hash is not named: $(cat err.txt)"
    [ -e s.sqlite ] && fail "the refused study created its database"
    [ "$(status_of "$tenderlab" compare edited.json edited.json -r 2 -q --parameter-sets cal/calibration.json)" = 2 ] ||
      fail "a comparison over another scenario's calibration was accepted"
    grep -q "parameter-sets" err.txt || fail "no reason given: $(cat err.txt)"
    # A file that is not a calibration: its pointer is named.
    echo '{"format": "tenderlab-calibration/1", "scenario": {"file": "x"}, "parameters": [], "draws": []}' > bad.json
    write_study bad-study.json naicc.json bad.json
    [ "$(status_of "$tenderlab" study bad-study.json --db b.sqlite -q)" = 2 ] ||
      fail "a broken calibration file was accepted"
    grep -q "/scenario/sha256" err.txt || fail "no pointer to /scenario/sha256: $(cat err.txt)"
    ;;
  study-sets)
    # A study over the accepted draws runs points x draws x replications runs, each at its draw.
    calibrate --out cal
    sets=$(python3 -c 'import json; print(sum(d["accepted"] for d in json.load(open("cal/calibration.json"))["draws"]))')
    [ "$sets" -ge 1 ] || fail "no draw accepted"
    write_study study.json naicc.json cal/calibration.json
    "$tenderlab" study study.json --dry-run > dry.txt
    grep -q "parameter sets: $sets accepted draws" dry.txt || fail "dry run: $(cat dry.txt)"
    "$tenderlab" study study.json -j2 --db s.sqlite -q
    runs=$(python3 -c 'import sqlite3; print(sqlite3.connect("s.sqlite").execute("select count(*) from runs where status = '"'ok'"'").fetchone()[0])')
    [ "$runs" = $((2 * sets * 2)) ] || fail "expected $((2 * sets * 2)) runs, found $runs"
    # One run rebuilt from the database alone reproduces its hash (its draw is recorded).
    last=$(python3 -c 'import sqlite3; print(sqlite3.connect("s.sqlite").execute("select max(run_id) from runs").fetchone()[0])')
    "$tenderlab" run --from s.sqlite "$last" --out rerun -q || fail "run --from $last did not reproduce"
    # A changed calibration file under the same database is refused, not mixed in.
    python3 -c 'import json; c = json.load(open("cal/calibration.json")); d = next(d for d in c["draws"] if d["accepted"]); d["values"]["market/gpu_hour_price_krw"] += 1; json.dump(c, open("cal/calibration.json", "w"))'
    [ "$(status_of "$tenderlab" study study.json -j2 --db s.sqlite -q)" = 2 ] ||
      fail "a changed calibration file was accepted on resume"
    grep -q "parameter_sets_sha256" err.txt || fail "the calibration's hash is not named: $(cat err.txt)"
    ;;
  compare-sets)
    # compare over the draws: D x r pairs per scenario, recorded in the JSON.
    calibrate --out cal
    sets=$(python3 -c 'import json; print(sum(d["accepted"] for d in json.load(open("cal/calibration.json"))["draws"]))')
    python3 -c 'import json; d = json.load(open("naicc.json")); d["name"] = "no-bonus"; d["calls"][0]["procedure"]["rounds"][1]["terms"]["multi_csp_bonus"] = 0; json.dump(d, open("variant.json", "w"), indent=2)'
    "$tenderlab" compare naicc.json variant.json -r 2 -j2 -q --parameter-sets cal/calibration.json \
      --kpis history_match --json c.json > c.txt
    grep -q "accepted parameter sets" c.txt || fail "the sets are not listed: $(cat c.txt)"
    python3 - c.json "$sets" <<'PY'
import json, sys
c = json.load(open(sys.argv[1]))
sets = int(sys.argv[2])
assert c["pairs"] == 2 * sets, c["pairs"]
assert c["parameter_sets"]["sets"] == sets, c["parameter_sets"]
PY
    ;;
  *)
    fail "unknown check $check"
    ;;
esac
echo "ok: $check"
