#!/usr/bin/env bash
# Build real Zola themes with their demo content and report how fascia does.
# Not part of the test suite: the themes are fetched by hand for measurement
# and never committed.
#
#   scripts/compat_themes.sh DIR [FASCIA]
#
# DIR holds one checkout per theme (a theme repository is usually a site
# itself: config.toml + content/; otherwise its example site is used when
# one is found in example/, exampleSite/ or demo/). FASCIA is the binary
# (default: target/release/fascia).
#
# For each theme: pages and sections built, errors and warnings counted by
# kind (the message with its quoted names and numbers blanked). When a
# `zola` binary is on PATH, it also builds each theme with `zola build` and
# compares the set of HTML pages and each page's visible text; without one
# it says so and skips that comparison.
set -u

dir=${1:?usage: scripts/compat_themes.sh DIR [FASCIA]}
fascia=${2:-target/release/fascia}
[ -x "$fascia" ] || { echo "no fascia binary at $fascia (cargo build --release)" >&2; exit 2; }
fascia=$(cd "$(dirname "$fascia")" && pwd)/$(basename "$fascia")
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

zola_bin=$(command -v zola || true)
if [ -z "$zola_bin" ]; then
  echo "note: no zola binary on PATH: the comparison with zola build is skipped"
fi

# Visible text of every HTML page below $1, one "path<TAB>text" line each.
visible_text() {
  python3 - "$1" <<'PY'
import html.parser, os, re, sys
class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(); self.out = []; self.skip = 0
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style", "template"): self.skip += 1
    def handle_endtag(self, tag):
        if tag in ("script", "style", "template") and self.skip: self.skip -= 1
    def handle_data(self, data):
        if not self.skip: self.out.append(data)
root = sys.argv[1]
for base, _, files in os.walk(root):
    for f in sorted(files):
        if f.endswith(".html"):
            p = os.path.join(base, f)
            t = Text(); t.feed(open(p, encoding="utf-8", errors="replace").read())
            text = re.sub(r"\s+", " ", "".join(t.out)).strip()
            print(os.path.relpath(p, root) + "\t" + text)
PY
}

tried=0; clean=0; matching=0
for theme in "$dir"/*/; do
  theme=${theme%/}
  name=$(basename "$theme")
  site=$theme
  for sub in "" example exampleSite demo; do
    if [ -f "$theme/$sub/config.toml" ] && [ -d "$theme/$sub/content" ]; then
      site="$theme/$sub"; break
    fi
  done
  [ -f "$site/config.toml" ] || { echo "== $name: no config.toml, skipped"; continue; }
  tried=$((tried + 1))
  out="$work/$name-fascia"
  log="$work/$name.log"
  NO_COLOR=1 "$fascia" build --root "$site" -o "$out" --force >"$log" 2>&1
  status=$?
  errors=$(grep -cE '(^|: )error: ' "$log")
  warnings=$(grep -cE '(^|: )warning: ' "$log")
  built=$(grep -oE '^Built [0-9]+ pages, [0-9]+ sections' "$log" | head -1)
  echo "== $name: ${built:-not built} (exit $status), $errors errors, $warnings warnings"
  for level in error warning; do
    grep -E "(^|: )$level: " "$log" \
      | sed -E "s/^.*$level: //; s/\`[^\`]*\`/\`…\`/g; s/\"[^\"]*\"/\"…\"/g; s/[0-9]+/N/g" \
      | sort | uniq -c | sort -rn | sed "s/^/   $level /"
  done
  if [ "$status" -eq 0 ] && [ "$errors" -eq 0 ]; then clean=$((clean + 1)); fi
  if [ -n "$zola_bin" ] && [ "$status" -eq 0 ]; then
    zout="$work/$name-zola"
    if (cd "$site" && "$zola_bin" build --output-dir "$zout" --force >"$work/$name.zola.log" 2>&1); then
      visible_text "$out" | sort >"$work/$name.f.txt"
      visible_text "$zout" | sort >"$work/$name.z.txt"
      cut -f1 "$work/$name.f.txt" >"$work/$name.f.pages"
      cut -f1 "$work/$name.z.txt" >"$work/$name.z.pages"
      only_f=$(comm -23 "$work/$name.f.pages" "$work/$name.z.pages" | wc -l)
      only_z=$(comm -13 "$work/$name.f.pages" "$work/$name.z.pages" | wc -l)
      same=$(comm -12 "$work/$name.f.txt" "$work/$name.z.txt" | wc -l)
      both=$(comm -12 "$work/$name.f.pages" "$work/$name.z.pages" | wc -l)
      echo "   zola: $both pages in both ($same with the same visible text), $only_z only in zola, $only_f only in fascia"
      comm -13 "$work/$name.f.pages" "$work/$name.z.pages" | head -5 | sed 's/^/     only in zola: /'
      if [ "$only_f" -eq 0 ] && [ "$only_z" -eq 0 ] && [ "$same" -eq "$both" ]; then
        matching=$((matching + 1))
      fi
    else
      echo "   zola build failed too: $(tail -1 "$work/$name.zola.log")"
    fi
  fi
done
echo
echo "themes tried: $tried, built with zero errors: $clean$([ -n "$zola_bin" ] && echo ", matching zola: $matching")"
