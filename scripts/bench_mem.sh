#!/usr/bin/env bash
# Memory and CPU of a build before and after a change (issue 24): two
# binaries build the same prepared corpus (scripts/bench_search.sh with
# BENCH_PREPARE_ONLY=1) with search and `--offline`, alternately, RUNS times
# each, into new folders; prints each run's wall, user and system seconds and
# peak resident set (/usr/bin/time), the ratios after/before of the medians,
# the load average at the start and end, and whether the two outputs are
# byte-identical (`diff -r`).
# Usage: BEFORE=bin AFTER=bin scripts/bench_mem.sh CORPUS [WORK]
#   RUNS=N (default 3); WORK (default /tmp) receives the outputs, deleted at the end
#   unless KEEP=1. FASCIA_TIMINGS=1 keeps each run's stage timings in WORK/*.timings.
set -euo pipefail
corpus="$1"
work="${2:-/tmp}"
runs="${RUNS:-3}"
before="${BEFORE:?BEFORE=path of the binary before}"
after="${AFTER:?AFTER=path of the binary after}"
name=$(basename "$corpus")
echo "corpus $corpus, $runs runs each, load at start: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-6s %3s %8s %8s %8s %8s\n' bin run wall_s user_s sys_s rss_MB
declare -A user rss
for i in $(seq "$runs"); do
  for which in before after; do
    bin=${!which}
    out="$work/$name.$which"
    rm -rf "$out" "$work/.$name.$which.fascia-"*
    /usr/bin/time -f '%e %U %S %M' -o "$work/$name.time" \
      "$bin" build --root "$corpus" -o "$out" --offline --force >/dev/null 2>"$work/$name.$which.$i.timings"
    read -r w u s m <"$work/$name.time"
    printf '%-6s %3s %8s %8s %8s %8s\n' "$which" "$i" "$w" "$u" "$s" "$((m / 1024))"
    user[$which]+="$u "
    rss[$which]+="$m "
  done
done
median() { tr ' ' '\n' | grep . | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
ub=$(echo "${user[before]}" | median); ua=$(echo "${user[after]}" | median)
rb=$(echo "${rss[before]}" | median); ra=$(echo "${rss[after]}" | median)
echo "median user: before ${ub} s, after ${ua} s, ratio $(awk "BEGIN{printf \"%.3f\", $ua/$ub}")"
echo "median peak: before $((rb / 1024)) MB, after $((ra / 1024)) MB, ratio $(awk "BEGIN{printf \"%.3f\", $ra/$rb}")"
echo "load at end: $(cut -d' ' -f1-3 /proc/loadavg)"
if diff -r -q "$work/$name.before" "$work/$name.after" >/dev/null; then
  echo "outputs: byte-identical"
else
  echo "outputs: DIFFER"; diff -r -q "$work/$name.before" "$work/$name.after" | head
fi
[ -n "${KEEP:-}" ] || rm -rf "$work/$name.before" "$work/$name.after"
[ -n "${FASCIA_TIMINGS:-}" ] || rm -f "$work/$name".*.timings
