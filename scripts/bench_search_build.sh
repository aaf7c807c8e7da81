#!/usr/bin/env bash
# Build-time cost of search: builds the benchmark corpus (prepared as
# scripts/bench_search.sh does) with search on and with `[search] enabled =
# false`, alternately, RUNS times each, and prints the stage timings
# (FASCIA_TIMINGS), the wall and CPU time of the whole build and its peak
# memory (/usr/bin/time -v). Each build writes a fresh folder, so removing the
# previous output is not measured.
# Usage: scripts/bench_search_build.sh [PAGES] [RUNS]   (default 10000, 3)
set -euo pipefail
cd "$(dirname "$0")/.."
pages="${1:-10000}"
runs="${2:-3}"
work="${BENCH_WORK:-target/bench-search}"
BENCH_PREPARE_ONLY=1 BENCH_WORK="$work" bash scripts/bench_search.sh "$pages" >/dev/null
if [ -z "${FASCIA_BIN:-}" ]; then
  cargo build --release --locked --quiet
  FASCIA_BIN="${CARGO_TARGET_DIR:-target}/release/fascia"
fi
on="$work/corpus-$pages"
off="$work/corpus-$pages-nosearch"
if [ ! -f "$off/config.toml" ] || [ "$on/config.toml" -nt "$off/config.toml" ]; then
  rm -rf "$off"
  cp -rL "$on" "$off"
  sed -i 's/^enabled = true$/enabled = false/' "$off/config.toml"
fi
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
for run in $(seq 1 "$runs"); do
  for mode in on off; do
    root="$on"
    [ "$mode" = off ] && root="$off"
    out="$tmp/out-$mode-$run"
    FASCIA_TIMINGS=1 /usr/bin/time -v "$FASCIA_BIN" build --root "$root" --output-dir "$out" 2>"$tmp/log" >/dev/null
    rm -rf "$out"
    python3 - "$mode" "$run" "$tmp/log" <<'PY'
import re, sys
mode, run, log = sys.argv[1], sys.argv[2], open(sys.argv[3]).read()
def num(pattern, default="-"):
    m = re.search(pattern, log)
    return m.group(1) if m else default
wall = num(r"Elapsed \(wall clock\) time \(h:mm:ss or m:ss\): (\S+)")
m, s = wall.split(":")[-2:]
cpu = float(num(r"User time \(seconds\): (\S+)")) + float(num(r"System time \(seconds\): (\S+)"))
rss = int(num(r"Maximum resident set size \(kbytes\): (\d+)")) / 1024
stage = num(r"timing: search index (\S+) s")
render = num(r"timing: render (\S+) s")
write = num(r"timing: write new tree (\S+) s")
print(f"search {mode:3} run {run}: build {float(m) * 60 + float(s):6.2f} s wall, {cpu:6.2f} s CPU, "
      f"peak RSS {rss:6.0f} MB; search stage {stage} s, render {render} s (cumulative), write {write} s")
PY
  done
done
