#!/usr/bin/env bash
# Benchmark `fascia build` on synthetic Zola-layout corpora against a baseline
# measured in the same run: comrak alone rendering the same Markdown on one thread.
# Usage: scripts/bench.sh [PAGES...]   (default: 1000 10000)
# Scale figures with search and the offline edition, the write floor and the
# comrak baseline at 1,000 / 10,000 / 100,000 pages: scripts/bench_scale.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
sizes=("${@:-1000 10000}")
[ $# -eq 0 ] && sizes=(1000 10000)
work=$(mktemp -d /tmp/fascia-bench.XXXXXX)
trap 'rm -rf "$work"' EXIT
cargo build --release --quiet --example comrak_baseline
cargo build --release --quiet
bin=target/release/fascia
base=target/release/examples/comrak_baseline
printf '%-7s %-9s %-9s %-9s %-9s %-10s %-9s %-9s %-8s\n' pages wall_s cpu_s rss_MB pages/s MB_md/s base_s ratio md_MB
for n in "${sizes[@]}"; do
  site="$work/corpus-$n"
  info=$(python3 scripts/gen_corpus.py --pages "$n" --out "$site" --layout zola)
  md_bytes=$(sed -n 's/.*markdown_bytes=\([0-9]*\).*/\1/p' <<<"$info")
  "$bin" build --root "$site" >/dev/null 2>&1   # warm the page cache
  best_wall=999; best_line=""
  for _ in 1 2 3; do
    /usr/bin/time -f '%e %U %S %M' -o "$work/time" "$bin" build --root "$site" >/dev/null 2>&1
    read -r wall user sys rss <"$work/time"
    if awk "BEGIN{exit !($wall < $best_wall)}"; then best_wall=$wall; best_line="$wall $user $sys $rss"; fi
  done
  read -r wall user sys rss <<<"$best_line"
  base_best=999
  for _ in 1 2 3; do
    b=$("$base" "$site" | sed -n 's/.*seconds=\([0-9.]*\).*/\1/p')
    if awk "BEGIN{exit !($b < $base_best)}"; then base_best=$b; fi
  done
  awk -v n="$n" -v w="$wall" -v u="$user" -v s="$sys" -v r="$rss" -v b="$base_best" -v m="$md_bytes" 'BEGIN{
    printf "%-7d %-9.2f %-9.2f %-9.0f %-9.0f %-10.1f %-9.3f %-9.2f %-8.1f\n", n, w, u+s, r/1024, n/w, m/1048576/w, b, w/b, m/1048576 }'
done
echo "(best of 3 runs each; ratio = fascia build wall time / comrak-alone single-thread time)"
