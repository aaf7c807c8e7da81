#!/usr/bin/env bash
# The write floor (issue 24): how close `fascia build` comes to writing its own
# output the plainest way. In the same run, runs alternating:
#   floor:    examples/write_floor.rs writes the files of a fascia output (same
#             paths, same bytes, read into memory first, not timed) into a new
#             folder, each folder made once and each file written with one call,
#             with 1, 2 and 4 threads; the fastest thread count is the floor;
#   fresh:    `fascia build` into a folder that does not exist;
#   existing: `fascia build` again into that folder, unchanged content (the
#             first rebuild, which hard-links unchanged files into a new stage),
#             and once more (the steady state: the standby tree updated in place).
# Prints medians of wall time, user and system CPU, peak memory and the file
# system's 512-byte output blocks (/usr/bin/time %O), and ratios to the floor.
# Usage: scripts/bench_write_floor.sh [PAGES] [RUNS]   (default 10000 5)
#   BENCH_SEARCH=1 gives the corpus fascia's search (as scripts/bench_search.sh does);
#   BENCH_WORK=DIR keeps the corpus and outputs there (default: a temporary folder);
#   FASCIA_BIN=path measures another fascia binary;
#   each timed run writes into a new ext4 file system of its own when it can
#   (root and a loop device: see scripts/fresh_fs.sh; BENCH_FRESH_FS=0 not).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/fresh_fs.sh
pages="${1:-10000}"
runs="${2:-5}"
if [ -n "${BENCH_WORK:-}" ]; then
  work="$BENCH_WORK"
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/fascia-floor.XXXXXX)
fi
fresh_fs_on "$work"
trap 'fresh_fs_off; [ -n "${BENCH_WORK:-}" ] || rm -rf "$work"' EXIT
dest="${FS:-$work}"   # where the timed runs write
target="${CARGO_TARGET_DIR:-target}"
if [ -z "${BENCH_NO_BUILD:-}" ]; then   # BENCH_NO_BUILD=1: use the binaries as built
  cargo build --release --quiet --example write_floor
  cargo build --release --quiet
fi
bin="${FASCIA_BIN:-$target/release/fascia}"
floor="$target/release/examples/write_floor"
site="$work/corpus-$pages"
if [ -n "${BENCH_SEARCH:-}" ]; then
  BENCH_PREPARE_ONLY=1 BENCH_WORK="$work" bash scripts/bench_search.sh "$pages" >/dev/null
elif [ ! -f "$site/config.toml" ]; then
  python3 scripts/gen_corpus.py --pages "$pages" --out "$site" --layout zola >/dev/null
fi
rm -rf "$work/ref" "$work/.ref.fascia-"*
"$bin" build --root "$site" -o "$work/ref" >/dev/null 2>&1   # the files to write; warms the page cache
rm -rf "$work/.ref.fascia-"*
log="$work/runs.txt"
: >"$log"
t() { # NAME CMD...: one timed run appended to the log
  local name=$1
  shift
  /usr/bin/time -f '%e %U %S %M %O' -o "$work/t" "$@" >"$work/o" 2>&1
  echo "$name $(cat "$work/t") $(sed -n 's/.*seconds=\([0-9.]*\).*/\1/p' "$work/o")" >>"$log"
}
for _ in $(seq "$runs"); do
  for th in 1 2 4; do
    if [ -n "$FS" ]; then fresh_fs; else rm -rf "$dest/floor"; fi
    sync
    t "floor-$th" "$floor" "$work/ref" "$dest/floor" "$th"
  done
  if [ -n "$FS" ]; then fresh_fs; else rm -rf "$dest/out" "$dest/.out.fascia-"*; fi
  sync
  t fresh "$bin" build --root "$site" -o "$dest/out"
  sync
  t existing-first "$bin" build --root "$site" -o "$dest/out"
  sync
  t existing-standby "$bin" build --root "$site" -o "$dest/out"
done
rm -rf "$dest/floor" "$dest/out" "$dest/.out.fascia-"*
python3 - "$log" "$pages" "$runs" "$(du -sb "$work/ref" | cut -f1)" "$(find "$work/ref" -type f | wc -l)" <<'PY'
import statistics, sys
log, pages, runs, size, nfiles = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
rows = {}
for line in open(log):
    name, *vals = line.split()
    rows.setdefault(name, []).append([float(v) for v in vals])
med = lambda name, i: statistics.median(r[i] for r in rows[name])
# The floor: the thread count whose own timing (writing only) is fastest.
floors = {n: med(n, 5) for n in rows if n.startswith("floor-")}
best = min(floors, key=floors.get)
floor = floors[best]
print(f"pages={pages} runs={runs} output={size / 1048576:.1f} MB in {nfiles} files (medians)")
print(f"{'':18} {'wall_s':>7} {'user_s':>7} {'sys_s':>7} {'rss_MB':>7} {'blocks':>8} {'x_floor':>8}")
for n in sorted(floors):
    print(f"{n:18} {floors[n]:7.2f} {'':7} {'':7} {'':7} {med(n, 4):8.0f} {floors[n] / floor:8.2f}"
          f"{'   <- floor (writing only; process ' + format(med(n, 0), '.2f') + ' s)' if n == best else ''}")
for n in ("fresh", "existing-first", "existing-standby"):
    print(f"{n:18} {med(n, 0):7.2f} {med(n, 1):7.2f} {med(n, 2):7.2f} {med(n, 3) / 1024:7.0f} "
          f"{med(n, 4):8.0f} {med(n, 0) / floor:8.2f}")
print("blocks: 512-byte file system outputs (/usr/bin/time %O); x_floor = wall / floor's writing time")
PY
[ -n "$FS" ] && echo "(each timed run into a new ext4 file system on a loop device)" || true
