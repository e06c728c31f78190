#!/usr/bin/env bash
# End-to-end checks of the tenderlab program, run the way a user runs it.
# Usage: cli_checks.sh CHECK TENDERLAB_BINARY SOURCE_DIR
set -euo pipefail
check=$1
tenderlab=$2
source_dir=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "FAILED: $*" >&2; exit 1; }
golden="$source_dir/tests/golden"

case "$check" in
  golden)
    # The small scenario's outputs (all but the manifest, which names the version) must match the
    # reviewed references byte for byte.
    # To update the reference after an intended change: scripts/update-golden.sh (and review
    # the diff before committing it).
    "$tenderlab" run "$golden/small.json" --out run -q
    if ! cmp -s run/events.jsonl "$golden/small.events.jsonl"; then
      diff <(head -c 200000 "$golden/small.events.jsonl") <(head -c 200000 run/events.jsonl) | head -20 >&2 || true
      fail "events.jsonl differs from tests/golden/small.events.jsonl"
    fi
    for output in tenders.csv summary.json timeseries.csv; do
      if ! cmp -s "run/$output" "$golden/small.$output"; then
        diff "$golden/small.$output" "run/$output" | head -20 >&2 || true
        fail "$output differs from tests/golden/small.$output"
      fi
    done
    ;;
  instant-delivery)
    # GPUs with no lead time for a call with no build years, and no delay, come online the day
    # the contract is signed: the delivery must not ask the kernel to sleep until that day's
    # midnight, which has passed (sleeping into the past is an error).
    jq '.assumptions.gpu_lead_time_days = 0 | .assumptions.delay_probability = 0' \
      "$golden/small.json" > instant.json
    "$tenderlab" run instant.json --out run -q 2> err.txt || fail "run failed: $(cat err.txt)"
    signed=$(jq -r 'select(.type == "contract_signed" and .call == "gpu-lot") | .date' run/events.jsonl | sort -u)
    online=$(jq -r 'select(.type == "capacity_online" and .call == "gpu-lot") | .date' run/events.jsonl | sort -u)
    [ -n "$signed" ] || fail "no contract signed for gpu-lot"
    [ "$online" = "$signed" ] || fail "gpu-lot online on '$online', signed on '$signed'"
    ;;
  determinism)
    # Same scenario and seed in two separate processes: identical bytes in every output.
    "$tenderlab" run "$source_dir/scenarios/naicc-2025.json" --seed 11 --out a -q
    "$tenderlab" run "$source_dir/scenarios/naicc-2025.json" --seed 11 --out b -q
    for f in events.jsonl tenders.csv timeseries.csv summary.json manifest.json; do
      cmp -s "a/$f" "b/$f" || fail "$f differs between two runs with the same seed"
    done
    hash_a=$(grep event_log_sha256 a/manifest.json)
    [ -n "$hash_a" ] || fail "no event_log_sha256 in the manifest"
    # A different seed gives a different stream (the log records the seed).
    "$tenderlab" run "$source_dir/scenarios/naicc-2025.json" --seed 12 --out c -q
    if cmp -s a/events.jsonl c/events.jsonl; then fail "seeds 11 and 12 gave the same event log"; fi
    ;;
  manifest-hash)
    # The manifest's hashes are those of the files on disk.
    "$tenderlab" run "$golden/small.json" --out run -q
    want=$(sha256sum run/events.jsonl | cut -d' ' -f1)
    grep -q "\"event_log_sha256\": \"$want\"" run/manifest.json || fail "event-log hash mismatch"
    want=$(sha256sum "$golden/small.json" | cut -d' ' -f1)
    grep -q "\"scenario_sha256\": \"$want\"" run/manifest.json || fail "scenario hash mismatch"
    lines=$(wc -l < run/events.jsonl)
    grep -q "\"event_count\": $lines" run/manifest.json || fail "event count mismatch"
    ;;
  bad-scenario)
    # Unknown key, negative capital, dangling reference: all three reported, exit 2, no output.
    sed -e 's/"seed": 7,/"seed": 7, "colour": "blue",/' \
        -e 's/"capital_bn_krw": 3000/"capital_bn_krw": -5/' \
        -e 's/{ "from": "cloud-a", "to": "builder-c"/{ "from": "cloud-a", "to": "nobody"/' \
        "$golden/small.json" > bad.json
    set +e
    "$tenderlab" validate bad.json > validate.out 2> validate.err
    status=$?
    "$tenderlab" run bad.json --out out > run.out 2> run.err
    run_status=$?
    set -e
    [ "$status" -eq 2 ] || fail "validate exited $status, expected 2"
    [ "$run_status" -eq 2 ] || fail "run exited $run_status, expected 2"
    [ ! -e out ] || fail "run created an output folder for a bad scenario"
    for pointer in "/colour" "/agents/1/capital_bn_krw" "/relationships/0/to"; do
      grep -q "bad.json: $pointer: expected" validate.err || fail "validate did not report $pointer"
      grep -q "bad.json: $pointer: expected" run.err || fail "run did not report $pointer"
    done
    grep -q "3 problems" validate.err || fail "validate did not count 3 problems"
    ;;
  malformed)
    printf '{"name": "x", "agents": [' > truncated.json
    head -c 1000000 /dev/urandom > garbage.json
    printf '\xff\xfe{\x00}\x00' > utf16.json
    for f in truncated.json garbage.json utf16.json; do
      set +e
      "$tenderlab" validate "$f" 2> err.txt
      status=$?
      set -e
      [ "$status" -eq 2 ] || fail "validate $f exited $status, expected 2"
      grep -q "^  $f: (document): expected" err.txt || fail "no clear message for $f: $(cat err.txt)"
    done
    ;;
  refuse-non-empty)
    mkdir out && touch out/keep
    set +e
    "$tenderlab" run "$golden/small.json" --out out -q 2> err.txt
    status=$?
    set -e
    [ "$status" -eq 2 ] || fail "run into a non-empty folder exited $status, expected 2"
    grep -q -- "--force" err.txt || fail "the message does not mention --force"
    [ -e out/keep ] || fail "the existing folder was touched"
    # --force replaces only a run folder that tenderlab wrote: out/ is not one.
    set +e
    "$tenderlab" run "$golden/small.json" --out out --force -q 2> err.txt
    status=$?
    set -e
    [ "$status" -eq 2 ] || fail "--force on a folder tenderlab did not write exited $status"
    [ -e out/keep ] || fail "--force replaced a folder tenderlab did not write"
    rm out/keep
    "$tenderlab" run "$golden/small.json" --out out -q
    "$tenderlab" run "$golden/small.json" --out out --force -q --seed 8
    grep -q '"seed": 8' out/manifest.json || fail "--force did not replace the run folder"
    [ -z "$(ls -A . | grep -e staging -e previous || true)" ] || fail "a staging folder was left behind"
    ;;
  quiet-engine)
    # The engine's own logging stays silent; --help and --version are tenderlab's.
    "$tenderlab" run "$golden/small.json" --out out -q 2> err.txt
    [ ! -s err.txt ] || fail "stderr is not empty: $(head -3 err.txt)"
    "$tenderlab" --version | grep "^tenderlab " >/dev/null || fail "--version is not tenderlab's"
    "$tenderlab" run --help | grep -- "--seed" >/dev/null || fail "run --help does not list --seed"
    "$tenderlab" --help | grep "validate" >/dev/null || fail "--help does not list the commands"
    set +e
    "$tenderlab" run > /dev/null 2>&1
    status=$?
    set -e
    [ "$status" -eq 2 ] || fail "a usage error exited $status, expected 2"
    ;;
  naicc-history)
    # The flagship scenario reproduces the 2025 rounds from the agents' decisions: two rounds
    # without a bid, then one bid, from the consortium Samsung SDS leads, awarded
    # (docs/calibration/naicc-2025.md); tests/cli/entry_checks.py measures it over 50 replications.
    "$tenderlab" run "$source_dir/scenarios/naicc-2025.json" --out run -q
    for round in 1 2 3; do
      grep -q "\"history_naicc-spc_round_$round\": 1.0" run/summary.json || fail "round $round differs"
    done
    awk -F, 'NR > 1 { print $2, $7, $10, $12 }' run/tenders.csv > rounds.txt
    printf '1 0 failed \n2 0 failed \n3 1 awarded samsung-sds\n' | cmp -s - rounds.txt ||
      fail "tenders.csv rounds: $(cat rounds.txt)"
    "$tenderlab" run "$source_dir/scenarios/naicc-2025.json" --out run2 > timeline.txt
    grep -q "samsung-sds stayed away (value" timeline.txt || fail "the timeline does not say who stayed away"
    ;;
  adaptive)
    # Without scripted rounds the adaptive rule relaxes one clause per failed round until a bid
    # comes, within its limits.
    "$tenderlab" run "$source_dir/scenarios/variants/naicc-2025-adaptive.json" --out run -q
    grep -q '"type":"terms_revised"' run/events.jsonl || fail "no revision"
    grep -q '"awarded": 1.0' run/summary.json || fail "the adaptive procedure ended without award"
    ;;
  validate-all)
    # Every scenario the project ships is valid, as the loader sees it.
    "$tenderlab" validate -q "$source_dir"/scenarios/*.json "$source_dir"/scenarios/variants/*.json \
      "$golden/small.json" || fail "a shipped scenario does not validate"
    ;;
  *) fail "unknown check $check" ;;
esac
echo "ok: $check"
