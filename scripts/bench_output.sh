#!/usr/bin/env bash
# The cost of atomic output (src/output/write.rs) at N pages, against baselines
# measured in the same run, runs alternating so that machine noise falls on both:
#   fresh:   a build into a new output folder, this binary vs OLD_BIN; and a plain
#            writer (cp -r of the same files from the page cache) as the floor;
#   rebuild: a build over an existing output after a one-page edit, this binary vs
#            OLD_BIN (for example the in-place updater of commit 03cf9ce).
# Usage: OLD_BIN=path/to/old/fascia scripts/bench_output.sh [PAGES] [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
pages="${1:-10000}"
runs="${2:-5}"
new=${NEW_BIN:-target/release/fascia}
old=${OLD_BIN:?set OLD_BIN to the fascia binary to compare with}
work=$(mktemp -d /tmp/fascia-bench-output.XXXXXX)
trap 'rm -rf "$work"' EXIT
python3 scripts/gen_corpus.py --pages "$pages" --out "$work/site" --layout zola >/dev/null
t() { /usr/bin/time -f '%e' -o "$work/t" "$@" >/dev/null 2>&1; cat "$work/t"; }
"$new" build --root "$work/site" -o "$work/warm" >/dev/null 2>&1   # warm the page cache
declare -a fresh_new fresh_old plain re_new re_old
for i in $(seq "$runs"); do
  rm -rf "$work/a" "$work/b" "$work/c"; sync
  fresh_new+=("$(t "$new" build --root "$work/site" -o "$work/a")")
  fresh_old+=("$(t "$old" build --root "$work/site" -o "$work/b")")
  plain+=("$(t cp -r "$work/a" "$work/c")")
done
page=$(find "$work/site/content" -name '*.md' ! -name '_index.md' | sort | awk 'NR==1')
for i in $(seq "$runs"); do
  echo "Edited $i." >> "$page"
  re_new+=("$(t "$new" build --root "$work/site" -o "$work/a")")
  re_old+=("$(t "$old" build --root "$work/site" -o "$work/b")")
done
median() { printf '%s\n' "$@" | sort -n | awk '{a[NR]=$1} END{print a[int((NR+1)/2)]}'; }
fn=$(median "${fresh_new[@]}"); fo=$(median "${fresh_old[@]}"); pl=$(median "${plain[@]}")
rn=$(median "${re_new[@]}"); ro=$(median "${re_old[@]}")
echo "pages=$pages runs=$runs (medians, seconds)"
echo "fresh output:   new $fn  old $fo  (new/old $(awk "BEGIN{printf \"%.2f\", $fn/$fo}"))  plain cp -r of the same files $pl"
echo "one-page edit:  new $rn  old $ro  (new/old $(awk "BEGIN{printf \"%.2f\", $rn/$ro}"))"
