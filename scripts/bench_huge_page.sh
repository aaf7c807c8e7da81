#!/usr/bin/env bash
# Time and peak memory of building one huge page (issue 17's target: a 50 MB
# page in under 5 s and under 10 times its size in memory), without and with
# footnotes, against the same site without the page (the baseline, measured
# in the same run).
#
# Usage: scripts/bench_huge_page.sh [MB] [FASCIA]   (default 50, target/release/fascia)
set -euo pipefail
mb=${1:-50}
bin=${2:-target/release/fascia}
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

measure() { # site -> "seconds peak_MB"
  /usr/bin/time -f '%e %M' -o "$work/time" "$bin" -q build --root "$1" -o "$1/public" >/dev/null
  awk '{ printf "%s %d\n", $1, $2 / 1024 }' "$work/time"
}

python3 "$here/gen_huge_page.py" "$work/base" --mb 0 >/dev/null
read -r bs bm < <(measure "$work/base")
echo "baseline (no huge page): ${bs} s, ${bm} MB"
for kind in plain footnotes; do
  flag=""; [ "$kind" = footnotes ] && flag="--footnotes"
  python3 "$here/gen_huge_page.py" "$work/$kind" --mb "$mb" $flag >/dev/null
  size=$(stat -c %s "$work/$kind/content/notes/huge.md")
  read -r s m < <(measure "$work/$kind")
  awk -v k="$kind" -v s="$s" -v m="$m" -v bm="$bm" -v size="$size" 'BEGIN {
    printf "%-9s %.0f MB page: %s s, peak %d MB (%.1fx the page; %.1fx over the baseline)\n",
      k, size / 1048576, s, m, m * 1048576 / size, (m - bm) * 1048576 / size }'
  rm -rf "${work:?}/$kind"
done
