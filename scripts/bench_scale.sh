#!/usr/bin/env bash
# Scale figures (issue 24): `fascia build` with search and the offline edition
# (`--offline`) on the generated corpus (scripts/gen_corpus.py, prepared by
# scripts/bench_search.sh) at 1,000, 10,000 and 100,000 pages, against two
# baselines measured in the same run on the same corpus:
#   floor:  examples/write_floor.rs writing the build's own output (same paths,
#           same bytes, read into memory first, not timed) into a new folder
#           with 1, 2 and 4 threads, the fastest;
#   comrak: examples/comrak_baseline.rs rendering the same Markdown with comrak
#           alone on one thread (a CPU figure: compare it with user_s).
# Prints per size: wall, user and system CPU, peak memory (RSS) and output size
# of a fresh build (best wall of RUNS runs, each into a folder that does not
# exist), the floor and comrak times and the ratios the issue's aims are
# stated in (x_floor = wall / floor, x_comrak = user / comrak), and the load
# average when the size started (the machine may be shared).
# Usage: scripts/bench_scale.sh [PAGES...]   (default 1000 10000 100000)
#   RUNS=N      runs per size below 100,000 pages (default 3; 1 from 100,000 up)
#   BENCH_WORK=DIR keeps corpora and outputs there (default: a temporary folder;
#               a 100,000-page corpus is 800 MB and takes minutes to generate)
#   FASCIA_BIN=path measures another binary; BENCH_NO_BUILD=1 builds nothing;
#   each timed run (builds and floors) writes into a new ext4 file system of
#   its own when it can (root and a loop device: scripts/fresh_fs.sh;
#   BENCH_FRESH_FS=0 not).
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/fresh_fs.sh
sizes=("$@")
[ $# -eq 0 ] && sizes=(1000 10000 100000)
if [ -n "${BENCH_WORK:-}" ]; then
  work="$BENCH_WORK"
  mkdir -p "$work"
else
  work=$(mktemp -d /tmp/fascia-scale.XXXXXX)
fi
fresh_fs_on "$work"
trap 'fresh_fs_off; [ -n "${BENCH_WORK:-}" ] || rm -rf "$work"' EXIT
dest="${FS:-$work}"   # where the timed runs write
target="${CARGO_TARGET_DIR:-target}"
if [ -z "${BENCH_NO_BUILD:-}" ]; then
  cargo build --release --quiet --example comrak_baseline --example write_floor
  cargo build --release --quiet
fi
bin="${FASCIA_BIN:-$target/release/fascia}"
floor="$target/release/examples/write_floor"
base="$target/release/examples/comrak_baseline"
secs() { sed -n 's/.*seconds=\([0-9.]*\).*/\1/p'; }
printf '%-7s %7s %7s %6s %7s %7s %7s %7s %8s %8s %5s\n' \
  pages wall_s user_s sys_s rss_MB out_MB floor_s x_floor comrak_s x_comrak load
for n in "${sizes[@]}"; do
  BENCH_PREPARE_ONLY=1 BENCH_WORK="$work" bash scripts/bench_search.sh "$n" >/dev/null
  site="$work/corpus-$n"
  out="$dest/out-$n"
  load=$(cut -d' ' -f1 /proc/loadavg)
  runs=${RUNS:-3}
  [ "$n" -ge 100000 ] && runs=1
  best=""
  for _ in $(seq "$runs"); do
    if [ -n "$FS" ]; then fresh_fs; else rm -rf "$out" "$dest/.out-$n.fascia-"*; fi
    sync
    /usr/bin/time -f '%e %U %S %M' -o "$work/t" "$bin" build --root "$site" -o "$out" --offline --force >/dev/null 2>&1
    read -r wall user sys rss <"$work/t"
    if [ -z "$best" ] || awk "BEGIN{exit !($wall < ${best%% *})}"; then best="$wall $user $sys $rss"; fi
  done
  read -r wall user sys rss <<<"$best"
  out_bytes=$(du -sb "$out" | cut -f1)
  # The floor writes the last build's output: keep it outside the file
  # system the floor's runs remake.
  ref="$out"
  if [ -n "$FS" ]; then ref="$work/ref-$n"; rm -rf "$ref"; mv "$out" "$ref"; fi
  fl=""
  for th in 1 2 4; do
    if [ -n "$FS" ]; then fresh_fs; else rm -rf "$dest/floor"; fi
    sync
    s=$("$floor" "$ref" "$dest/floor" "$th" | secs)
    if [ -z "$fl" ] || awk "BEGIN{exit !($s < $fl)}"; then fl=$s; fi
  done
  rm -rf "$dest/floor"
  if [ -n "$FS" ]; then rm -rf "$ref"; fi
  cm=$("$base" "$site" | secs)
  awk -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v o="$out_bytes" \
    -v f="$fl" -v c="$cm" -v l="$load" 'BEGIN{
    printf "%-7d %7.2f %7.2f %6.2f %7.0f %7.0f %7.2f %7.2f %8.2f %8.2f %5.1f\n",
      n, w, u, s, r/1024, o/1048576, f, w/f, c, u/c, l }'
done
[ -n "$FS" ] && echo "(each timed run into a new ext4 file system on a loop device)"
echo "(fresh builds with search and --offline; best wall of the runs; aims at 100,000 pages: x_floor <= 1.25, x_comrak <= 2, rss under 2 GB)"
