#!/usr/bin/env bash
# Kill campaign: a study is killed with SIGKILL at POINTS random moments, each time either the
# study process itself or one of its forked run processes, and resumed after each kill with the
# same command. It must end, after a last resume, with exactly the content of an uninterrupted
# run (the same `tenderlab report --digest`), and no resume may be refused or fail.
#
# usage: kill_campaign.sh BUILD_CLI_DIR SOURCE_DIR [POINTS [SEED [STUDY [JOBS]]]]
#   POINTS  kills (default 20); SEED: seeds the random moments and targets (default: new one,
#   printed); STUDY: study file (default scenarios/studies/spc-round1-terms.json, 360 runs);
#   JOBS: runs at a time (default 2). Every choice is printed; the same SEED makes the same
#   choices again (the moments are the same; where a kill lands also depends on the machine).
set -uo pipefail
# Absolute paths: the campaign works in a temporary folder.
bin=$(cd "$1" && pwd)
source_dir=$(cd "$2" && pwd)
points=${3:-20}
seed=${4:-$(($(date +%s%N) % 1000000))}
study=${5:-$source_dir/scenarios/studies/spc-round1-terms.json}
study=$(cd "$(dirname "$study")" && pwd)/$(basename "$study")
jobs=${6:-2}
tenderlab="$bin/tenderlab"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work" || exit 1
fail() {
  echo "FAILED: $*" >&2
  echo "reproduce: $0 $bin $source_dir $points $seed $study $jobs" >&2
  exit 1
}
now_ms() { echo $(($(date +%s%N) / 1000000)); }
digest() { "$tenderlab" report "$study" --db "$1" --digest; }
recorded() {
  [ -e "$1" ] || { echo "no database yet"; return; }
  sqlite3 "$1" "select count(*) || ' runs recorded (' || sum(status = 'crashed') || ' crashed)' from runs" 2>/dev/null ||
    echo "database unreadable by sqlite3"
}
# The processes a process has forked (its run processes), from /proc.
children_of() { cat /proc/"$1"/task/*/children 2>/dev/null; }

echo "kill campaign: $points points, seed $seed, study $study, -j$jobs"
RANDOM=$seed

start=$(now_ms)
"$tenderlab" study "$study" -j"$jobs" --db clean.sqlite -q || fail "the uninterrupted study failed"
clean_ms=$(($(now_ms) - start))
clean=$(digest clean.sqlite) || fail "no digest of the uninterrupted study"
echo "uninterrupted: $clean_ms ms, digest $clean"

# Spread the kills over about half an uninterrupted run's worth of work, so that most land while
# runs are left to do.
span=$((clean_ms / points + 1))
for point in $(seq 1 "$points"); do
  delay=$((RANDOM % span))
  target=$((RANDOM % 2))
  extra=$((RANDOM % (span / 4 + 1)))
  pick=$RANDOM
  "$tenderlab" study "$study" -j"$jobs" --db killed.sqlite -q 2>"stderr.$point" &
  pid=$!
  sleep "$(printf '%d.%03d' $((delay / 1000)) $((delay % 1000)))"
  what="the study ($pid)"
  if [ "$target" = 1 ]; then
    read -r -a children <<<"$(children_of "$pid")"
    if [ "${#children[@]}" -gt 0 ]; then
      child=${children[$((pick % ${#children[@]}))]}
      kill -9 "$child" 2>/dev/null && what="run process $child, then after $extra ms the study ($pid)"
      sleep "$(printf '%d.%03d' $((extra / 1000)) $((extra % 1000)))"
    else
      what="the study ($pid; no run process at that moment)"
    fi
  fi
  kill -9 "$pid" 2>/dev/null || what="nothing: the study had ended"
  wait "$pid" 2>/dev/null
  status=$?
  echo "point $point/$points: after $delay ms, SIGKILL to $what; exit $status; $(recorded killed.sqlite)"
  # 137: killed. 0 or 1: it ended first (1 while crashed runs remain). Anything else, and a
  # refusal (2) above all, means the previous kill left the database unusable.
  case "$status" in
    0 | 1 | 137) ;;
    *) cat "stderr.$point" >&2; fail "the resumed study exited $status" ;;
  esac
  if [ -e killed.sqlite ]; then
    digest killed.sqlite >/dev/null || fail "the database does not open after point $point"
  fi
done

"$tenderlab" study "$study" -j"$jobs" --db killed.sqlite -q 2>final.err || {
  cat final.err >&2
  fail "the last resume did not complete the study"
}
final=$(digest killed.sqlite)
echo "resumed to the end: $(recorded killed.sqlite), digest $final"
[ "$final" = "$clean" ] || fail "the resumed study differs from the uninterrupted one"
leftovers=$(ls -A | grep -v -E '^(clean|killed)(\.sqlite(-wal|-shm)?|-events)$|^stderr\.[0-9]+$|^final\.err$' || true)
[ -z "$leftovers" ] || fail "files left behind: $leftovers"
echo "ok: $points kills, same content as the uninterrupted run"
