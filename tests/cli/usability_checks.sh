#!/usr/bin/env bash
# End-to-end checks of what a new user meets first: diff of two variants, compare's KPI table,
# the wrong kind of file given to a command, typos and percentages in scenario and study files,
# progress without a terminal, and the schema's identity and completions.
# Usage: usability_checks.sh CHECK BIN_DIR SOURCE_DIR
set -euo pipefail
check=$1
bin=$2
source_dir=$3
tenderlab="$bin/tenderlab"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "FAILED: $*" >&2; exit 1; }
golden="$source_dir/tests/golden"

# Runs a command; prints its exit status (stdout in out.txt, stderr in err.txt).
status_of() {
  set +e
  timeout 120 "$@" > out.txt 2> err.txt
  local status=$?
  set -e
  echo "$status"
}

# A copy of the golden scenario with its name and the given changes (JSON Pointer = JSON value).
variant() {
  local out=$1 name=$2
  shift 2
  python3 - "$golden/small.json" "$out" "$name" "$@" <<'EOF'
import json, sys
source, out, name, *changes = sys.argv[1:]
scenario = json.load(open(source))
scenario["name"] = name
for change in changes:
    pointer, value = change.split("=", 1)
    target = scenario
    *parents, last = pointer.strip("/").split("/")
    for key in parents:
        target = target[int(key)] if isinstance(target, list) else target[key]
    target[last] = json.loads(value)
json.dump(scenario, open(out, "w"), indent=1)
EOF
}

case "$check" in
  diff-variants)
    # Two variants of a scenario differ by name: diff once stopped at event 0 on "scenario" and
    # named the changed object ("terms") instead of the term.
    cp "$golden/small.json" base.json
    variant equity30.json golden-equity30 "/calls/0/terms/public_equity_share=0.3"
    variant renamed.json golden-renamed
    "$tenderlab" run -q base.json --out a
    "$tenderlab" run -q equity30.json --out b
    "$tenderlab" run -q renamed.json --out c
    [ "$(status_of "$tenderlab" diff a b)" = 1 ] || fail "diff of two variants: $(cat err.txt)"
    grep -qxF 'scenarios: golden-small → golden-equity30' out.txt || fail "no name header: $(cat out.txt)"
    grep -qxF '  /calls/0/terms/public_equity_share: 0.51 → 0.3' out.txt ||
      fail "the changed input is not shown at leaf level: $(cat out.txt)"
    ! grep -q '/name' out.txt || fail "the name is listed as a changed input: $(cat out.txt)"
    grep -qE '^first diverging event: [1-9][0-9]* ' out.txt ||
      fail "the divergence is not past the start event: $(cat out.txt)"
    grep -qxF '    /terms/public_equity_share: 0.51 → 0.3' out.txt ||
      fail "the event's differing field is not the term: $(cat out.txt)"
    grep -qE '^(outcomes: the same|outcomes that differ( \(.*\))?:)$' out.txt ||
      fail "no outcomes: $(cat out.txt)"
    # The outcome lines name each KPI once: the first call's without prefix repeat spc.* ones.
    if grep -q '^outcomes that differ:' out.txt; then
      ! grep -qE '^  (awarded|rounds|bids_round_[0-9]+): ' out.txt ||
        fail "a KPI is listed twice, with and without its call prefix: $(cat out.txt)"
    fi
    # Only the name differs: nothing to report, exit 0.
    [ "$(status_of "$tenderlab" diff a c)" = 0 ] || fail "a renamed copy differs: $(cat out.txt)"
    grep -qxF 'inputs: the same (base.json, renamed.json)' out.txt || fail "inputs: $(cat out.txt)"
    grep -qxF 'outcomes: the same' out.txt || fail "outcomes: $(cat out.txt)"
    grep -q '^events: identical apart from the name' out.txt || fail "events: $(cat out.txt)"
    # The outcomes that differ: a variant where round 1 draws a bid (as the golden study shows).
    variant open.json golden-open "/calls/0/terms/public_equity_share=0.2" \
      "/calls/0/terms/buy_back/enabled=false" "/calls/0/terms/tax_credit=0.25" \
      "/calls/0/terms/domestic_chip_share=0"
    "$tenderlab" run -q open.json --out d --seed 5
    [ "$(status_of "$tenderlab" diff a d)" = 1 ] || fail "diff a d: $(cat err.txt)"
    grep -qxF '  seed: 7 → 5' out.txt || fail "the seed is not an input that differs: $(cat out.txt)"
    grep -qE '^  call spc bids_per_round: \[.*\] → \[.*\]$' out.txt ||
      fail "the bids per round are not compared: $(cat out.txt)"
    # A scenario of one call: its KPIs are named without the call's prefix, as compare names
    # them, and the header says so.
    "$tenderlab" run -q "$source_dir/scenarios/variants/r1-historical.json" --out h
    "$tenderlab" run -q "$source_dir/scenarios/variants/r1-round3-terms.json" --out r3
    [ "$(status_of "$tenderlab" diff h r3)" = 1 ] || fail "diff h r3: $(cat err.txt)"
    grep -qxF 'outcomes that differ (the KPIs of call naicc-spc, the only call, are shown without its prefix):' out.txt ||
      fail "no note on the KPI names of the only call: $(cat out.txt)"
    grep -qE '^  bids_round_1: 0(\.0)? → [1-9]' out.txt || fail "bids_round_1 is not compared: $(cat out.txt)"
    ! grep -q '^  naicc-spc\.' out.txt || fail "a KPI is named with its call's prefix: $(cat out.txt)"
    ;;
  compare-kpis)
    cp "$golden/small.json" base.json
    variant equity30.json golden-equity30 "/calls/0/terms/public_equity_share=0.3"
    variant equity20.json golden-equity20 "/calls/0/terms/public_equity_share=0.2"
    # Three inputs work, and the help says so.
    "$tenderlab" compare --help > help.txt
    ! grep -q 'INPUT(2x)' help.txt || fail "the help says two inputs: $(grep INPUT help.txt)"
    grep -q 'two or more' help.txt || fail "the help does not say how many inputs: $(cat help.txt)"
    [ "$(status_of "$tenderlab" compare base.json equity30.json equity20.json -r 2 -q)" = 0 ] ||
      fail "compare of three: $(cat err.txt)"
    grep -q '^KPI  *unit  ' out.txt || fail "no unit column: $(cat out.txt)"
    # Each KPI once: the golden scenario has two calls, so the prefixed names stay.
    for kpi in awarded rounds bids_round_1 award_round; do
      ! grep -q "^$kpi " out.txt || fail "$kpi is shown with and without its call prefix"
      grep -q "^spc\\.$kpi " out.txt || fail "spc.$kpi is missing: $(cat out.txt)"
    done
    grep -qE '^public_money_bn_krw +bn KRW ' out.txt || fail "no unit for money: $(cat out.txt)"
    grep -qE '^spc\.awarded +0/1 ' out.txt || fail "no unit for awarded: $(cat out.txt)"
    # --kpis: those rows, in that order.
    [ "$(status_of "$tenderlab" compare base.json equity30.json -r 2 -q \
          --kpis public_money_bn_krw,awarded)" = 0 ] || fail "--kpis: $(cat err.txt)"
    [ "$(sed -n '/^KPI/,$p' out.txt | tail -n +2 | cut -d' ' -f1 | tr '\n' ' ')" = \
      "public_money_bn_krw awarded " ] || fail "--kpis rows: $(cat out.txt)"
    # A misspelt KPI: exit 2 before anything runs, with the closest name.
    [ "$(status_of "$tenderlab" compare base.json equity30.json -r 2 -q --kpis awardd)" = 2 ] ||
      fail "--kpis awardd: $(cat err.txt)"
    grep -q 'did you mean `awarded`' err.txt || fail "no suggestion: $(cat err.txt)"
    [ ! -s out.txt ] || fail "something ran: $(cat out.txt)"
    ;;
  wrong-kind)
    cp "$golden/small.json" "$golden/small-study.json" .
    "$tenderlab" run -q small.json --out r
    expect_kind() {
      local expected=$1
      shift
      [ "$(status_of "$@")" = 2 ] || fail "$*: exit status, expected 2: $(cat err.txt)"
      [ "$(wc -l < err.txt)" -le 2 ] || fail "$*: more than the kind is listed: $(cat err.txt)"
      grep -qF "$expected" err.txt || fail "$*: expected '$expected' in: $(cat err.txt)"
    }
    expect_kind 'found a study file; run it with `tenderlab study small-study.json`' \
      "$tenderlab" validate small-study.json
    expect_kind 'found a study file; run it with `tenderlab study small-study.json`' \
      "$tenderlab" run small-study.json
    expect_kind "found a run's summary.json" "$tenderlab" run r/summary.json
    expect_kind "found a run's manifest.json; re-run it with \`tenderlab replay r/manifest.json\`" \
      "$tenderlab" validate r/manifest.json
    expect_kind 'found a run folder; `tenderlab replay r/manifest.json` re-runs it' \
      "$tenderlab" run r
    expect_kind "found a run's event log" "$tenderlab" validate r/events.jsonl
    expect_kind 'found a scenario file; run it with `tenderlab run small.json`' \
      "$tenderlab" replay small.json
    expect_kind 'found a scenario file; run it with `tenderlab run small.json`' \
      "$tenderlab" study small.json
    # --dry-run checks the study and says what would run, without running or creating anything.
    [ "$(status_of "$tenderlab" study small-study.json --dry-run)" = 0 ] ||
      fail "--dry-run: $(cat err.txt)"
    grep -qF 'design: grid, 18 points x 4 replications = 72 runs' out.txt || fail "$(cat out.txt)"
    grep -qF 'nothing was run (--dry-run)' out.txt || fail "$(cat out.txt)"
    [ ! -e small-study.sqlite ] || fail "--dry-run created the database"
    sed -e 's/"bids_round_1"/"bid_round_1"/' small-study.json > typo.json
    [ "$(status_of "$tenderlab" study typo.json --dry-run)" = 2 ] || fail "--dry-run of a typo"
    grep -q 'did you mean `bids_round_1`' err.txt || fail "$(cat err.txt)"
    ;;
  typo-hints)
    cp "$golden/small.json" "$golden/small-study.json" .
    python3 - <<'EOF'
import json
scenario = json.load(open("small.json"))
terms = scenario["calls"][0]["terms"]
terms["publc_equity_share"] = terms.pop("public_equity_share")
json.dump(scenario, open("typo.json", "w"), indent=1)
terms["public_equity_share"] = 51
del terms["publc_equity_share"]
json.dump(scenario, open("percent.json", "w"), indent=1)
study = json.load(open("small-study.json"))
study["replicatons"] = study.pop("replications")
json.dump(study, open("typo-study.json", "w"), indent=1)
EOF
    [ "$(status_of "$tenderlab" validate typo.json)" = 2 ] || fail "typo.json is valid"
    grep -qF '/calls/0/terms/publc_equity_share: expected one of the known keys' err.txt ||
      fail "$(cat err.txt)"
    grep -qF 'did you mean "public_equity_share"?' err.txt || fail "no suggestion: $(cat err.txt)"
    [ "$(status_of "$tenderlab" validate percent.json)" = 2 ] || fail "a share of 51 is valid"
    grep -qF '/calls/0/terms/public_equity_share: expected a number in [0, 0.99], found 51; shares are fractions: 51 % is 0.51' \
      err.txt || fail "no hint for a percentage: $(cat err.txt)"
    [ "$(status_of "$tenderlab" study typo-study.json --dry-run)" = 2 ] || fail "typo-study is valid"
    grep -qF 'did you mean "replications"?' err.txt || fail "no suggestion: $(cat err.txt)"
    ;;
  progress-lines)
    # Without a terminal (stderr is a file here), a study prints plain progress lines.
    "$tenderlab" study "$golden/small-study.json" --db p.sqlite -j2 --progress-every 24 \
      --progress-seconds 0 > out.txt 2> err.txt
    [ "$(grep -c '^progress: ' err.txt)" = 3 ] || fail "expected 3 progress lines: $(cat err.txt)"
    grep -qE '^progress: 72/72  ok 72  failed 0  crashed 0  elapsed [0-9hms]+  ETA 0s$' err.txt ||
      fail "no final line: $(cat err.txt)"
    ! grep -q $'\r' err.txt || fail "a carriage return in a log file"
    rm -f p.sqlite
    "$tenderlab" study "$golden/small-study.json" --db p.sqlite -j2 --progress-every 0 \
      --progress-seconds 0 > out.txt 2> err.txt
    [ ! -s err.txt ] || fail "progress lines although both are 0: $(cat err.txt)"
    rm -f p.sqlite
    "$tenderlab" study "$golden/small-study.json" --db p.sqlite -j2 -q --progress-every 1 2> err.txt
    [ ! -s err.txt ] || fail "progress lines with -q: $(cat err.txt)"
    rm -f p.sqlite
    # The defaults (100 runs or 60 s): a short study prints its last state only.
    "$tenderlab" study "$golden/small-study.json" --db p.sqlite -j2 > out.txt 2> err.txt
    [ "$(grep -c '^progress: ' err.txt)" = 1 ] || fail "default progress lines: $(cat err.txt)"
    # compare takes the same options: two inputs x 6 replications, a line every 4 runs.
    "$tenderlab" compare "$golden/small.json" "$golden/small.json" -r 6 -j2 --progress-every 4 \
      --progress-seconds 0 > out.txt 2> err.txt || fail "compare: $(cat err.txt)"
    [ "$(grep -c '^progress: ' err.txt)" = 3 ] || fail "compare: expected 3 progress lines: $(cat err.txt)"
    grep -qE '^progress: 12/12  ok 12  ' err.txt || fail "compare: no final line: $(cat err.txt)"
    ;;
  mpi-progress)
    [ -x "$bin/tenderlab-mpi" ] && command -v mpirun > /dev/null ||
      { echo "tenderlab-mpi not built: skipped"; exit 0; }
    "$bin/tenderlab-mpi" --version > version.txt
    [ "$(cat version.txt)" = "$("$tenderlab" --version | sed 's/^tenderlab /tenderlab-mpi /')" ] ||
      fail "tenderlab-mpi --version: $(cat version.txt)"
    OMPI_MCA_plm_rsh_agent= mpirun --allow-run-as-root --oversubscribe -np 2 \
      "$bin/tenderlab-mpi" "$golden/small-study.json" --db m.sqlite --progress-every 24 \
      --progress-seconds 0 > out.txt 2> err.txt || fail "tenderlab-mpi: $(cat err.txt)"
    [ "$(grep -c '^progress: ' err.txt)" = 3 ] || fail "expected 3 progress lines: $(cat err.txt)"
    # Bad usage: 2, as `tenderlab study`.
    [ "$(status_of "$bin/tenderlab-mpi" --no-such-option)" = 2 ] || fail "an unknown option"
    ;;
  schema-id)
    python3 - "$source_dir" <<'EOF'
import json, re, sys
root = sys.argv[1]
# An absolute URI naming the format and its version, under a name the project holds (a URN in
# its own namespace, not a web domain it does not own).
for name in ["scenario", "study", "calibration"]:
    schema = json.load(open(f"{root}/scenarios/schema/{name}.schema.json"))
    if not re.fullmatch(rf"urn:tenderlab:schema:{name}:[0-9]+", schema["$id"]):
        sys.exit(f"{name}.schema.json: $id is not the URN of its format: {schema['$id']}")
scenario = json.load(open(f"{root}/scenarios/schema/scenario.schema.json"))
terms = scenario["$defs"]["terms"]["properties"]
share = terms["public_equity_share"]
if "default" not in share or not share.get("examples"):
    sys.exit(f"public_equity_share has no default or examples: {share}")
study = json.load(open(f"{root}/scenarios/schema/study.schema.json"))
for key in ["seed", "replications", "kpis"]:
    if not study["properties"][key].get("examples"):
        sys.exit(f"study.schema.json: /properties/{key} has no examples")
if not study["$defs"]["factor"]["properties"]["values"].get("examples"):
    sys.exit("study.schema.json: a factor's values have no examples")
if terms["buy_back"] and "examples" in terms.get("loss_bearing", {}) and \
        terms["loss_bearing"]["examples"] != [terms["loss_bearing"]["default"], not terms["loss_bearing"]["default"]]:
    sys.exit(f"loss_bearing examples: {terms['loss_bearing']}")
EOF
    ;;
  *)
    fail "unknown check $check"
    ;;
esac
