#!/usr/bin/env bash
# Benchmark the image stage on two sites, each built three ways:
#   baseline  `[images] formats = []` and no link cards: sizes and lazy loading
#             only, no copy made (the cost of the site without image work);
#   first     an empty image cache: every WebP copy (and link card) is made;
#   rebuild   the same build again, every copy taken from the cache.
# Ratios are against the baseline, measured in the same run.
#
#   encyclopedia  site/ (copied): its link cards are its images;
#   corpus        N synthetic pages (scripts/gen_corpus.py) with one photo-like
#                 JPEG each (examples/gen_photos.rs), WIDTH pixels wide: at the
#                 default 800, each image gets two WebP copies (480 and 800 wide).
#
# Usage: scripts/bench_images.sh [N] [WIDTH] [RUNS]
#   N      pages and images of the corpus (default 1000)
#   WIDTH  the images' width in pixels (default 800; 1600 makes four copies
#          each and takes about four times as long)
#   RUNS   runs per measurement, best kept (default 1: a first build of 1,000
#          images takes minutes on two shared cores)
set -euo pipefail
cd "$(dirname "$0")/.."
n=${1:-1000}
width=${2:-800}
runs=${3:-1}
work=$(mktemp -d /tmp/fascia-bench-images.XXXXXX)
trap 'rm -rf "$work"' EXIT
# One command: the example's dev-dependencies would otherwise make a second fascia build.
cargo build --release --quiet --bin fascia --example gen_photos
bin=target/release/fascia

# --- the sites -------------------------------------------------------------
# Beside a link to themes/, where it finds its theme, as in the repository.
mkdir -p "$work/repo"
ln -s "$PWD/themes" "$work/repo/themes"
ency="$work/repo/site"
cp -r site "$ency"
rm -rf "$ency/.fascia-cache" "$ency/public"

corpus="$work/corpus"
python3 scripts/gen_corpus.py --pages "$n" --out "$corpus" --layout zola >/dev/null
target/release/examples/gen_photos "$corpus/static/img" "$n" "$width"
# One image per page, in a page's own words (alt text), after its first paragraph.
python3 - "$corpus" <<'EOF'
import os, sys
root = sys.argv[1]
photos = sorted(os.listdir(os.path.join(root, "static/img")))
pages = []
for d, _, files in sorted(os.walk(os.path.join(root, "content"))):
    pages += [os.path.join(d, f) for f in sorted(files) if f.endswith(".md") and not f.startswith("_")]
for page, photo in zip(pages, photos * (len(pages) // max(len(photos), 1) + 1)):
    text = open(page, encoding="utf-8").read()
    head, sep, body = text.partition("\n+++\n")
    parts = body.split("\n\n", 2)
    parts.insert(min(2, len(parts)), f"![A generated photograph]({'/img/' + photo})")
    open(page, "w", encoding="utf-8").write(head + sep + "\n\n".join(parts))
print(f"{min(len(pages), len(photos))} of {len(pages)} pages show an image", file=sys.stderr)
EOF

# `[images]` of a site set to $2 (TOML lines), replacing its own table if any.
set_images() {
  python3 - "$1/config.toml" "$2" <<'EOF'
import re, sys
path, table = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
text = re.sub(r"(?ms)^\[images\]\n.*?(?=^\[|\Z)", "", text)
# A table at the end: nothing after it may belong to another table.
open(path, "w", encoding="utf-8").write(text.rstrip() + "\n\n[images]\n" + table + "\n")
EOF
}

# best of $runs: "wall cpu" of `fascia build`, the cache emptied first when $3 = cold
measure() {
  local site=$1 out=$2 mode=$3 best="" wall user sys cpu
  for _ in $(seq "$runs"); do
    [ "$mode" = cold ] && rm -rf "$site/.fascia-cache"
    /usr/bin/time -f '%e %U %S' -o "$work/time" "$bin" build --root "$site" --output-dir "$out" >/dev/null 2>"$work/err" \
      || { echo "build of $site failed:" >&2; cat "$work/err" >&2; exit 1; }
    read -r wall user sys <"$work/time"
    cpu=$(awk -v u="$user" -v s="$sys" 'BEGIN{printf "%.2f", u+s}')
    if [ -z "$best" ] || awk -v c="$cpu" -v b="${best#* }" 'BEGIN{exit !(c < b)}'; then best="$wall $cpu"; fi
  done
  echo "$best"
}

printf '%-13s %-8s %-9s %-9s %-9s %-9s %-9s %-9s %-7s %-7s\n' \
  site images base_wall base_cpu first_wall first_cpu rebuild_w rebuild_c first/b rebuild/b
bench() {
  local name=$1 site=$2 images=$3 on=$4 out="$work/out-$1"
  cp "$site/config.toml" "$work/config.toml.$name"
  set_images "$site" 'formats = []
link_cards = false'
  read -r bw bc <<<"$(measure "$site" "$out" cold)"
  cp "$work/config.toml.$name" "$site/config.toml"
  set_images "$site" "$on"
  read -r fw fc <<<"$(measure "$site" "$out" cold)"
  read -r rw rc <<<"$(measure "$site" "$out" warm)"
  local made
  made=$(find "$out/processed_images" -type f 2>/dev/null | wc -l)
  awk -v s="$name" -v n="$images" -v bw="$bw" -v bc="$bc" -v fw="$fw" -v fc="$fc" -v rw="$rw" -v rc="$rc" 'BEGIN{
    printf "%-13s %-8s %-9.2f %-9.2f %-9.2f %-9.2f %-9.2f %-9.2f %-7.2f %-7.2f\n", s, n, bw, bc, fw, fc, rw, rc, fw/bw, rw/bw }'
  echo "  ($made files in processed_images/)"
}
cards=$(grep -c '' <(find "$ency/content" -name '*.md') || true)
bench encyclopedia "$ency" "$cards" 'link_cards = true'
bench corpus "$corpus" "$n" 'formats = ["webp"]'
echo "(best of $runs run(s); wall and cpu (user + sys) in seconds; first/b and rebuild/b: wall time over the baseline's)"
