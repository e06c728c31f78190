#!/usr/bin/env bash
# Regenerates the screenshots of the HTML reports in docs/img/ (README.md, docs/html-report.md)
# with the current build: the NAICC run, the round-1 terms study and a comparison, each opened in
# headless Chromium by tests/report/check_page.py, which also checks that every chart drew.
# Usage: scripts/update-report-images.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
tenderlab="$build/cli/tenderlab"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
shot() { python3 tests/report/check_page.py "$1" "docs/img/$2" --width 1100 "${@:3}"; }

"$tenderlab" run scenarios/naicc-2025.json --out "$work/naicc" -q
"$tenderlab" report "$work/naicc" --html "$work/run.html"
shot "$work/run.html" report-run.png --clip-top 0 --element '#fig-timeline'
shot "$work/run.html" report-run-stayed-away.png --element '#fig-stayed-away-naicc-spc-1'

"$tenderlab" study scenarios/studies/spc-round1-terms.json -j2 --db "$work/spc.sqlite" -q
"$tenderlab" report scenarios/studies/spc-round1-terms.json --db "$work/spc.sqlite" \
  --html "$work/study.html" > /dev/null
shot "$work/study.html" report-study.png --element '#fig-outcome-map'

"$tenderlab" compare scenarios/naicc-2025.json scenarios/variants/r3-capital-site-allowed.json \
  -r 20 -j2 -q --html "$work/compare.html" > /dev/null
shot "$work/compare.html" report-comparison.png --element '#fig-differences'
rm -f docs/img/*.chromium.log
ls -l docs/img/report-*.png
