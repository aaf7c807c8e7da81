#!/usr/bin/env bash
# Search benchmark (issue 6): index size, time to first results and time per
# keystroke in headless Chromium, on the generated benchmark corpus.
# Usage: scripts/bench_search.sh [PAGES]   (default 10000; needs python3,
#        Debian's chromium and tests/browser's node modules: cd tests/browser && npm ci)
# Writes target/bench-search/out-PAGES.result-{http,file,bytes}.json. BENCH_PAGEFIND=path/to/pagefind
# adds Pagefind to the bytes comparison (scripts/bench_search_bytes.js).
set -euo pipefail
cd "$(dirname "$0")/.."
pages="${1:-10000}"
work="${BENCH_WORK:-target/bench-search}"
corpus="$work/corpus-$pages"
out="${BENCH_OUT:-$work/out-$pages}"
mkdir -p "$work"
if [ ! -f "$corpus/config.toml" ]; then
  python3 scripts/gen_corpus.py --pages "$pages" --out "$corpus" --layout zola
fi
# Give the corpus fascia's search: the fibre theme's static files and search
# page, and a search box plus the search script in the corpus's own light
# templates (the theme's full layout lists every page in its sidebar, which is
# not what this benchmark measures).
python3 - "$corpus" themes <<'PY'
import pathlib, sys

corpus, themes = pathlib.Path(sys.argv[1]), pathlib.Path(sys.argv[2]).resolve()
config = corpus / "config.toml"
text = config.read_text(encoding="utf-8")
if "theme = " not in text:
    # Top-level keys first (the generated config has no tables), then ours.
    text += f'theme = "fibre"\nthemes_dir = "{themes}"\n\n[extra.fibre]\nabout_page = "@/_index.md"\n'
if "[search]" not in text:
    # The corpus says `build_search_index = false` (Zola's key), which fascia
    # honours when there is no [search] table: ask for search explicitly.
    text += "\n[search]\nenabled = true\n"
config.write_text(text, encoding="utf-8")
base = corpus / "templates" / "base.html"
html = base.read_text(encoding="utf-8")
if "search.js" not in html:
    form = (
        '<form class="search-form" role="search" action="{{ config.base_url }}/search/" method="get">'
        '<label for="q">Search</label> <input id="q" name="q" type="search" autocomplete="off">'
        '<button type="submit">Go</button></form>'
    )
    script = "<script src=\"{{ get_url(path='search/search.js', cachebust=true) }}\" defer></script>"
    html = html.replace("</title>", "</title>" + script, 1).replace("</nav>", "</nav>" + form, 1)
    base.write_text(html, encoding="utf-8")
print(f"prepared {corpus} for the search benchmark")
PY
if [ -n "${BENCH_PREPARE_ONLY:-}" ]; then exit 0; fi
# FASCIA_BIN: a binary to measure instead of this tree's release build
# (e.g. a copy of the previous build, for before/after comparisons).
if [ -z "${FASCIA_BIN:-}" ]; then
  cargo build --release --locked --quiet
  FASCIA_BIN="${CARGO_TARGET_DIR:-target}/release/fascia"
fi
start=$(date +%s%N)
"$FASCIA_BIN" build --root "$corpus" --output-dir "$out" --offline --force 2>&1 | grep -E "^(Built|Search index)"
echo "build: $(( ($(date +%s%N) - start) / 1000000 )) ms"
node scripts/bench_search.js "$out" --json "$out.result-http.json"
node scripts/bench_search.js "$out" --file --json "$out.result-file.json"
# Bytes a first query fetches and time to first results, against Pagefind
# when BENCH_PAGEFIND names its binary (e.g. node_modules/.bin/pagefind from
# `npm i pagefind` in a scratch folder): it indexes the same built pages.
if [ -n "${BENCH_PAGEFIND:-}" ]; then
  start=$(date +%s%N)
  "$BENCH_PAGEFIND" --site "$out" >/dev/null
  echo "pagefind index: $(( ($(date +%s%N) - start) / 1000000 )) ms, $(du -sh "$out/pagefind" | cut -f1)"
fi
node scripts/bench_search_bytes.js "$out" --json "$out.result-bytes.json"
