#!/usr/bin/env bash
# End-to-end checks of the HTML and XLSX reports (docs/html-report.md), run as a user runs them.
# Usage: report_checks.sh CHECK BUILD_CLI_DIR SOURCE_DIR SCREENSHOT_DIR
# The page checks open each report in headless Chromium (check_page.py) and leave a screenshot in
# SCREENSHOT_DIR; they exit 77 (skipped) when Chromium is not installed.
set -euo pipefail
check=$1
bin=$2
source_dir=$3
screenshots=$4
tenderlab="$bin/tenderlab"
here="$source_dir/tests/report"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
mkdir -p "$screenshots"
fail() { echo "FAILED: $*" >&2; exit 1; }
small="$source_dir/tests/golden/small.json"

# A variant of the golden scenario without the buy-back obligation, for comparisons.
variant() {
  sed -e 's/"enabled": true, "return_rate": 0.05/"enabled": false, "return_rate": 0.05/' \
      -e 's/"name": "golden-small"/"name": "no-buy-back"/' "$small" > variant.json
}

case "$check" in
  run-page)
    "$tenderlab" run "$small" --out run -q
    "$tenderlab" report run --html run.html --xlsx run.xlsx
    python3 "$here/check_page.py" run.html "$screenshots/run.png" --min-charts 7
    ;;
  study-page)
    # Both sensitivity designs: Sobol indices and Morris screening, each with bootstrap intervals.
    for design in sobol morris; do
      "$tenderlab" study "$here/$design-study.json" -j2 --db "$design.sqlite" -q
      "$tenderlab" report "$here/$design-study.json" --db "$design.sqlite" --html "$design.html" > /dev/null
      grep -q "id=\"chart-$design\"" "$design.html" || fail "the $design report has no $design chart"
      python3 "$here/check_page.py" "$design.html" "$screenshots/study-$design.png" --min-charts 5
    done
    ;;
  comparison-page)
    variant
    "$tenderlab" compare "$small" variant.json -r 6 -j2 -q --json compare.json --html compare.html \
      --xlsx compare.xlsx > /dev/null
    python3 "$here/check_page.py" compare.html "$screenshots/comparison.png" --min-charts 1
    # The same page from the comparison's JSON.
    "$tenderlab" report compare.json --html again.html
    cmp -s compare.html again.html || fail "report compare.json gives another page than compare --html"
    ;;
  run-without-calls)
    # A scenario without calls: nothing to put on a timeline; the page still draws every chart
    # it has, and none of them empty.
    python3 - "$small" <<'EOF'
import json, sys
scenario = json.load(open(sys.argv[1]))
scenario["calls"], scenario["name"] = [], "no-calls"
scenario.pop("history", None)
json.dump(scenario, open("no-calls.json", "w"), indent=1)
EOF
    "$tenderlab" run no-calls.json --out run -q
    "$tenderlab" report run --html run.html
    if grep -q 'id="chart-timeline"' run.html; then fail "a timeline chart without rounds"; fi
    python3 "$here/check_page.py" run.html "$screenshots/run-without-calls.png" --min-charts 3
    ;;
  money-units)
    # The unit switch redraws every money chart in 억원 without an error.
    "$tenderlab" run "$small" --out run -q
    "$tenderlab" report run --html run.html
    python3 "$here/check_page.py" run.html "$screenshots/run-eok.png" --min-charts 7 --unit eok \
      --clip-height 2400
    ;;
  xlsx)
    "$tenderlab" run "$small" --out run -q
    "$tenderlab" report run --xlsx run.xlsx
    python3 "$here/check_xlsx.py" run.xlsx --summary run/summary.json \
      --sheets "About,Calls,KPIs,Rounds,Away spc r1,Away spc r2,GPUs online,Money committed,Contracts" \
      --cell "About!A1=Run of golden-small" --cell "Calls!A2=spc" --cell "Calls!C2=awarded" \
      --cell "Contracts!E1=public equity (bn KRW)" --cell "Contracts!F1=public equity (억원)" \
      --cell "Contracts!A4=spc" --cell "Contracts!E4=55.486" --cell "Contracts!F4=554.86"
    "$tenderlab" study "$here/sobol-study.json" -j2 --db sobol.sqlite -q
    "$tenderlab" report "$here/sobol-study.json" --db sobol.sqlite --json sobol.json \
      --xlsx sobol.xlsx > /dev/null
    python3 "$here/check_xlsx.py" sobol.xlsx --study sobol.json \
      --sheets "About,Outcome map,PRIM box,PRIM trajectory,Design points,Sobol,KPI distributions"
    variant
    "$tenderlab" compare "$small" variant.json -r 4 -j2 -q --json compare.json --xlsx compare.xlsx \
      > /dev/null
    python3 "$here/check_xlsx.py" compare.xlsx --comparison compare.json \
      --sheets "About,Differences,Means" --cell "Differences!A1=KPI"
    ;;
  reproducible)
    # Same inputs, same bytes: HTML and XLSX of a run, written twice a second apart.
    "$tenderlab" run "$small" --out run -q
    "$tenderlab" report run --html a.html --xlsx a.xlsx
    sleep 1
    "$tenderlab" report run/manifest.json --html b.html --xlsx b.xlsx
    cmp -s a.html b.html || fail "two HTML reports of one run differ"
    cmp -s a.xlsx b.xlsx || fail "two XLSX reports of one run differ"
    if grep -q -E '(src|href)="(https?:)?//' a.html; then fail "the page loads something from the network"; fi
    ;;
  bad-input)
    "$tenderlab" run "$small" --out run -q
    expect() {  # expect STATUS PATTERN COMMAND...: exit status and a line of stderr
      local status=$1 pattern=$2
      shift 2
      set +e
      "$@" > out.txt 2> err.txt
      local got=$?
      set -e
      [ "$got" -eq "$status" ] || fail "$* exited $got, expected $status: $(cat err.txt)"
      grep -q -- "$pattern" err.txt || fail "$*: no \"$pattern\" in: $(cat err.txt)"
    }
    # A run folder whose event log is not the one its manifest names.
    cp -r run tampered
    sed -i '2s/"seq":1/"seq":1 /' tampered/events.jsonl
    expect 2 "tampered/events.jsonl: (document): expected the event log manifest.json describes" \
      "$tenderlab" report tampered --html t.html
    [ ! -e t.html ] || fail "a report was written for a tampered run"
    ls -a | grep -q partial && fail "a partial file was left behind"
    expect 2 "is a run: give --html FILE and/or --xlsx FILE" "$tenderlab" report run
    expect 2 "error: --db applies to a study" "$tenderlab" report run --db x.sqlite --html r.html
    expect 2 "error: --html: (document): expected a file in an existing folder" \
      "$tenderlab" report run --html no/such/folder/r.html
    # Targets that --json refuses are refused the same way, and left as they were: a symbolic
    # link (never written through), a folder, a named pipe; no temporary file is left behind.
    echo "kept" > pointed.html
    ln -s pointed.html link.html
    expect 2 "link.html: expected a new file or a regular file to replace, found a symbolic link" \
      "$tenderlab" report run --html link.html
    [ "$(cat pointed.html)" = "kept" ] || fail "a report was written through a symbolic link"
    [ -L link.html ] || fail "the symbolic link was replaced"
    mkdir folder.xlsx
    expect 2 "folder.xlsx: expected a new file or a regular file to replace, found a folder" \
      "$tenderlab" report run --xlsx folder.xlsx
    mkfifo pipe.html
    expect 2 "pipe.html: expected a new file or a regular file to replace, found a named pipe" \
      "$tenderlab" report run --html pipe.html --xlsx fine.xlsx
    [ ! -e fine.xlsx ] || fail "one file was written although the other target was refused"
    ls -a | grep -q partial && fail "a partial file was left behind"
    # A regular file is replaced whole, by rename (a new inode), never rewritten in place.
    echo "old" > old.html
    before=$(stat -c %i old.html)
    "$tenderlab" report run --html old.html --xlsx old.xlsx
    [ "$(stat -c %i old.html)" != "$before" ] || fail "the page was rewritten in place"
    grep -q '<html' old.html || fail "the page was not written"
    ls -a | grep -q partial && fail "a partial file was left behind"
    # A study report with an unknown heatmap factor: refused before anything is written.
    "$tenderlab" study "$here/morris-study.json" -j2 --db morris.sqlite -q
    expect 2 "error: --heatmap: (document): expected two different factors of study report-morris" \
      "$tenderlab" report "$here/morris-study.json" --db morris.sqlite --html m.html \
      --heatmap buy_back,no_such_factor
    [ ! -e m.html ] || fail "a report was written with a bad --heatmap"
    # A comparison file with a KPI row that lost its means.
    python3 - <<'EOF'
import json
json.dump({"format": "tenderlab-compare/1", "inputs": ["a", "b"], "labels": ["a", "b"],
           "pairs": 2, "kpis": [{"kpi": "awarded", "differences": []}]}, open("broken.json", "w"))
EOF
    expect 2 "broken.json: /kpis/0/means: expected an array of numbers, one per input, found nothing" \
      "$tenderlab" report broken.json --html b.html
    ;;
  *)
    fail "unknown check $check"
    ;;
esac
