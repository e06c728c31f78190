#!/usr/bin/env bash
# End-to-end checks of where tenderlab writes and what it reads: output paths that come from
# input files or the command line, and input paths that are not regular files.
# Usage: path_checks.sh CHECK TENDERLAB_BINARY SOURCE_DIR
set -euo pipefail
check=$1
tenderlab=$2
source_dir=$3
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"

fail() { echo "FAILED: $*" >&2; exit 1; }
golden="$source_dir/tests/golden"

# Runs a command that must fail with exit status 2 within 10 s (a command that blocks on a FIFO
# or reads a device without end is killed and reported).
expect_bad_input() {
  local what=$1
  shift
  set +e
  timeout 10 "$@" > out.txt 2> err.txt
  local status=$?
  set -e
  [ "$status" -ne 124 ] || fail "$what: still running after 10 s"
  [ "$status" -eq 2 ] || fail "$what: exit status $status, expected 2: $(head -3 err.txt)"
}

# A copy of the golden scenario under another name.
scenario_named() {
  sed -e 's#"name": "golden-small"#"name": "'"$1"'"#' "$golden/small.json" > "$2"
  grep -q '"name": "'"$1"'"' "$2" || fail "could not rename the scenario"
}

case "$check" in
  scenario-name-path)
    # A scenario whose name is a path must not reach outside runs/: with --force it once replaced
    # the sibling folder victim/ with run outputs.
    mkdir -p w victim
    echo precious > victim/data.txt
    scenario_named "../../victim" w/evil.json
    (cd w && expect_bad_input "run of a scenario named ../../victim" \
      "$tenderlab" run -q evil.json --force)
    grep -q "evil.json: /name: expected a name of 1 to 100 characters" w/err.txt ||
      fail "no clear message: $(cat w/err.txt)"
    [ "$(cat victim/data.txt)" = precious ] || fail "victim/data.txt was touched"
    [ "$(ls -A victim)" = data.txt ] || fail "victim/ was changed: $(ls -A victim)"
    [ ! -e w/runs ] || fail "a runs/ folder was made for a rejected scenario"
    # Without --force it once wrote into any missing path (runs/../../fresh is the sibling
    # folder fresh/, which does not exist): likewise refused, and nothing is made.
    scenario_named "../../fresh" w/fresh.json
    (cd w && expect_bad_input "run of a scenario named ../../fresh" "$tenderlab" run -q fresh.json)
    grep -q "fresh.json: /name: expected a name of 1 to 100 characters" w/err.txt ||
      fail "no clear message: $(cat w/err.txt)"
    [ ! -e fresh ] || fail "the sibling folder fresh/ was made"
    [ "$(ls -A)" = "$(printf 'victim\nw')" ] || fail "something was written: $(ls -A)"
    [ ! -e w/runs ] || fail "a runs/ folder was made for a rejected scenario"
    expect_bad_input "validate" "$tenderlab" validate w/evil.json
    ;;
  default-out)
    # Without --out the run goes to runs/<name> below the current folder.
    scenario_named "my-run.1" s.json
    "$tenderlab" run -q s.json
    [ -f runs/my-run.1/manifest.json ] || fail "no runs/my-run.1/"
    [ "$(ls -A runs)" = my-run.1 ] || fail "runs/ holds more: $(ls -A runs)"
    ;;
  force-only-run-folders)
    # --force replaces a run folder tenderlab wrote, never another folder.
    mkdir notes
    echo precious > notes/data.txt
    expect_bad_input "--force on a folder of notes" "$tenderlab" run -q "$golden/small.json" \
      --out notes --force
    grep -q "replaces only a run folder that tenderlab wrote" err.txt ||
      fail "no clear message: $(cat err.txt)"
    [ "$(cat notes/data.txt)" = precious ] && [ "$(ls -A notes)" = data.txt ] ||
      fail "notes/ was touched"
    # A run folder with a file added is not only tenderlab's any more.
    "$tenderlab" run -q "$golden/small.json" --out run
    echo mine > run/notes.txt
    expect_bad_input "--force on a run folder with a note" "$tenderlab" run -q \
      "$golden/small.json" --out run --force
    grep -q 'it holds "notes.txt"' err.txt || fail "the extra file is not named: $(cat err.txt)"
    [ -f run/notes.txt ] || fail "the note was deleted"
    # A run folder as tenderlab wrote it is replaced.
    rm run/notes.txt
    "$tenderlab" run -q "$golden/small.json" --out run --force --seed 8
    grep -q '"seed": 8' run/manifest.json || fail "--force did not replace the run folder"
    [ "$(ls -A | tr '\n' ' ')" = "err.txt notes out.txt run " ] ||
      fail "something was left beside the outputs: $(ls -A)"
    ;;
  out-trailing-slash)
    # --out out/ once failed with "cannot replace the folder: Invalid argument" and left an
    # empty folder.
    "$tenderlab" run -q "$golden/small.json" --out out/
    [ -f out/manifest.json ] || fail "no outputs in out/"
    mkdir empty
    "$tenderlab" run "$golden/small.json" --out empty// > timeline.txt
    [ -f empty/manifest.json ] || fail "no outputs in empty/"
    grep -q "^outputs: empty/ (" timeline.txt || fail "the outputs line: $(tail -1 timeline.txt)"
    "$tenderlab" run -q "$golden/small.json" --out out/ --force --seed 8
    grep -q '"seed": 8' out/manifest.json || fail "--force with a trailing slash"
    [ "$(ls -A | tr '\n' ' ')" = "empty out timeline.txt " ] || fail "left behind: $(ls -A)"
    for target in . ./ .. / a/..; do
      expect_bad_input "--out '$target'" "$tenderlab" run -q "$golden/small.json" --out "$target"
      grep -q "expected a path that names an output folder" err.txt ||
        fail "--out '$target': $(cat err.txt)"
    done
    ;;
  out-symlink)
    # A symbolic link at the target is refused, with or without --force, and what it points to
    # is left as it is.
    mkdir elsewhere
    echo precious > elsewhere/data.txt
    ln -s elsewhere link
    for force in "" --force; do
      expect_bad_input "--out link $force" "$tenderlab" run -q "$golden/small.json" --out link $force
      grep -q "found a symbolic link" err.txt || fail "no clear message: $(cat err.txt)"
    done
    "$tenderlab" run -q "$golden/small.json" --out elsewhere-run
    ln -s elsewhere-run run-link
    expect_bad_input "--out run-link --force" "$tenderlab" run -q "$golden/small.json" \
      --out run-link --force
    [ -L link ] && [ -L run-link ] || fail "a link was replaced"
    [ "$(ls -A elsewhere)" = data.txt ] || fail "elsewhere/ was touched"
    # A link inside the path (runs/ itself a link) is the user's choice and is followed.
    mkdir real-runs
    ln -s real-runs runs
    "$tenderlab" run -q "$golden/small.json"
    [ -f real-runs/golden-small/manifest.json ] || fail "runs/ as a link was not followed"
    ;;
  json-target)
    # --json writes a whole file or nothing, never through a link, and never over a device.
    echo precious > elsewhere.json
    ln -s elsewhere.json link.json
    variant="$golden/small.json"
    expect_bad_input "compare --json link" "$tenderlab" compare "$variant" "$variant" -r 2 -q \
      --json link.json
    grep -q "found a symbolic link" err.txt || fail "no clear message: $(cat err.txt)"
    [ "$(cat elsewhere.json)" = precious ] || fail "compare wrote through the link"
    study="$golden/small-study.json"
    expect_bad_input "study --json link" "$tenderlab" study "$study" --db s.sqlite -q \
      --json link.json
    [ ! -e s.sqlite ] || fail "the study ran although its --json cannot be written"
    [ "$(cat elsewhere.json)" = precious ] || fail "study wrote through the link"
    expect_bad_input "compare --json /dev/null" "$tenderlab" compare "$variant" "$variant" \
      -r 2 -q --json /dev/null
    [ -c /dev/null ] || fail "/dev/null is no longer a device"
    mkdir folder.json
    expect_bad_input "compare --json folder" "$tenderlab" compare "$variant" "$variant" -r 2 -q \
      --json folder.json
    "$tenderlab" compare "$variant" "$variant" -r 2 -q --json c.json > /dev/null
    grep -q '"ci95_low"' c.json || fail "no comparison written"
    [ "$(ls -A | tr '\n' ' ')" = "c.json elsewhere.json err.txt folder.json link.json out.txt " ] ||
      fail "left behind: $(ls -A)"
    ;;
  special-inputs)
    # Inputs that are not regular files are refused at once: a FIFO would block, /dev/zero
    # never ends.
    mkfifo fifo.json
    expect_bad_input "validate a FIFO" "$tenderlab" validate fifo.json
    grep -q "fifo.json: (document): expected a regular file, found a named pipe (FIFO)" err.txt ||
      fail "no clear message for the FIFO: $(cat err.txt)"
    expect_bad_input "validate /dev/zero" "$tenderlab" validate /dev/zero
    grep -q "expected a regular file, found a character device" err.txt ||
      fail "no clear message for /dev/zero: $(cat err.txt)"
    expect_bad_input "run a FIFO" "$tenderlab" run fifo.json --out run
    [ ! -e run ] || fail "a run folder was made"
    expect_bad_input "compare a FIFO" "$tenderlab" compare fifo.json "$golden/small.json" -r 2 -q
    expect_bad_input "diff /dev/zero" "$tenderlab" diff /dev/zero /dev/zero
    # A study whose base is a FIFO, and a manifest whose scenario is a device.
    sed -e 's#"base": "small.json"#"base": "'"$work"'/fifo.json"#' "$golden/small-study.json" \
      > fifo-study.json
    grep -q fifo.json fifo-study.json || fail "could not point the study at the FIFO"
    expect_bad_input "study with a FIFO base" "$tenderlab" study fifo-study.json --db f.sqlite -q
    grep -q "fifo.json: (document): expected a regular file" err.txt || fail "$(cat err.txt)"
    "$tenderlab" run -q "$golden/small.json" --out run
    sed -i -E 's#"scenario": "[^"]*"#"scenario": "/dev/zero"#' run/manifest.json
    expect_bad_input "replay of /dev/zero" "$tenderlab" replay run/manifest.json
    # Bytes after a NUL are not silently ignored.
    { cat "$golden/small.json"; printf '\0{"colour": "blue"}'; } > nul.json
    expect_bad_input "validate a file with a NUL byte" "$tenderlab" validate nul.json
    grep -q "nul.json: (document): expected UTF-8 JSON text without NUL bytes, found a NUL byte at line" \
      err.txt || fail "no clear message for the NUL byte: $(cat err.txt)"
    ;;
  study-pointer-limits)
    # A factor path with an index too large for any array, and a Latin hypercube with no
    # factor: bad input at load (exit 2 with the pointer), not "error: stoul" or a failure at run
    # time.
    sed -e 's#"/calls/0/terms/tax_credit"#"/calls/99999999999999999999999"#' \
      "$golden/small-study.json" > big.json
    grep -q 99999999999999999999999 big.json || fail "could not edit the study"
    cp "$golden/small.json" .
    expect_bad_input "a huge array index" "$tenderlab" study big.json --db big.sqlite -q
    grep -q "big.json: /factors/2/path: expected a JSON Pointer whose parent exists" err.txt ||
      fail "no pointer for the huge index: $(cat err.txt)"
    [ ! -e big.sqlite ] || fail "a database was created"
    python3 - "$golden/small-study.json" > lhs.json <<'EOF'
import json, sys
study = json.load(open(sys.argv[1]))
study["factors"] = []
study["design"] = {"type": "lhs", "samples": 5}
json.dump(study, sys.stdout)
EOF
    expect_bad_input "an lhs design without factors" "$tenderlab" study lhs.json --db lhs.sqlite -q
    grep -q "lhs.json: /factors: expected at least one factor for a lhs design" err.txt ||
      fail "no pointer for the empty lhs: $(cat err.txt)"
    ;;
  *) fail "unknown check $check" ;;
esac
echo "ok: $check"
