#!/usr/bin/env bash
# Benchmark the image stage: N photo-like JPEGs (1600 x 1067 by default), one per
# page bundle of a new site. For each binary: a first build (empty image cache:
# every WebP copy of `[images] widths` is made) and a rebuild (every copy taken
# from the cache), best of RUNS each. The rebuild is the baseline: the first
# build's extra CPU divided by N is the cost of one image.
#
# Usage: scripts/bench_images.sh [N] [WIDTH] [OTHER_FASCIA...]
#   N      images (default 200); WIDTH their width in pixels (default 1600)
#   OTHER  more fascia binaries measured on the same site (say main's build)
#   RUNS=3 environment: runs per measurement (best kept)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-200}
width=${2:-1600}
shift $(( $# < 2 ? $# : 2 ))
runs=${RUNS:-3}
work=$(mktemp -d /tmp/fascia-bench-images.XXXXXX)
trap 'rm -rf "$work"' EXIT
# One command: the example's dev-dependencies would otherwise make a second fascia build.
cargo build --release --quiet --bin fascia --example gen_photos
bins=(target/release/fascia "$@")
site="$work/site"
"${bins[0]}" init "$site" >/dev/null
target/release/examples/gen_photos "$work/photos" "$n" "$width"
for f in "$work"/photos/*.jpg; do
  name=$(basename "$f" .jpg)
  mkdir -p "$site/content/notes/$name"
  mv "$f" "$site/content/notes/$name/"
  printf '+++\ntitle = "%s"\n+++\n\nA photograph.\n\n![A generated photograph](%s.jpg)\n' \
    "$name" "$name" >"$site/content/notes/$name/index.md"
done
# best of $runs: "wall cpu" of `fascia build`, the cache emptied first when $2 = cold
measure() {
  local bin=$1 mode=$2 best="" wall user sys
  for _ in $(seq "$runs"); do
    [ "$mode" = cold ] && rm -rf "$site/.fascia-cache"
    /usr/bin/time -f '%e %U %S' -o "$work/time" "$bin" build --root "$site" --output-dir "$work/out" >/dev/null 2>&1
    read -r wall user sys <"$work/time"
    local cpu
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u+s}')
    if [ -z "$best" ] || awk -v c="$cpu" -v b="${best#* }" 'BEGIN{exit !(c < b)}'; then best="$wall $cpu"; fi
  done
  echo "$best"
}
printf '%-40s %-8s %-12s %-12s %-12s %-12s %-14s\n' binary images first_wall first_cpu rebuild_wall rebuild_cpu cpu_per_image_ms
for bin in "${bins[@]}"; do
  "$bin" build --root "$site" --output-dir "$work/out" >/dev/null 2>&1 || { echo "$bin: build failed" >&2; exit 1; }
  read -r fw fc <<<"$(measure "$bin" cold)"
  read -r rw rc <<<"$(measure "$bin" warm)"
  awk -v b="$bin" -v n="$n" -v fw="$fw" -v fc="$fc" -v rw="$rw" -v rc="$rc" 'BEGIN{
    printf "%-40s %-8d %-12.2f %-12.2f %-12.2f %-12.2f %-14.1f\n", b, n, fw, fc, rw, rc, (fc-rc)/n*1000 }'
done
echo "(best of $runs runs; cpu = user + sys; cpu per image = (first - rebuild cpu) / images)"
