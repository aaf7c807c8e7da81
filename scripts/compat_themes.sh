#!/usr/bin/env bash
# Build real Zola themes with their demo content and report how fascia does.
# Not part of the test suite: the themes are fetched by hand for measurement
# and never committed.
#
#   scripts/compat_themes.sh [--keep OUT] [--only NAME] DIR [FASCIA]
#   scripts/compat_themes.sh --diff OUT NAME PAGE
#
# DIR holds one checkout per theme (a theme repository is usually a site
# itself: config.toml + content/; otherwise its example site is
# used when one is found in example/, exampleSite/ or demo/). FASCIA is the
# binary (default: target/release/fascia).
#
# For each theme: pages and sections built, errors and warnings counted by
# kind (the message with its quoted names and numbers blanked). When a
# `zola` binary is on PATH, it also builds each theme with `zola build` and
# compares the set of HTML pages and each page's visible text: pages in both,
# how many of them match, pages only one of the two wrote, and the first
# pages that differ.
#
# --keep OUT keeps both outputs and the visible text in OUT (else a temporary
# folder is removed at the end); --only NAME builds that theme alone.
# --diff OUT NAME PAGE then prints a word diff of PAGE's visible text
# ([-zola's words-] {+fascia's words+}), e.g.
#   scripts/compat_themes.sh --diff /tmp/cmp tabi blog/index.html
#
# Normalised before comparing (not user-visible): runs of whitespace, the
# edges of block elements and table cells (a word break either way),
# text inside <script>, <style> and <template>, and the order of a menu's
# language links (`role="menuitem"` links with a `lang` inside a
# `role="menu"` element, e.g. tabi's language switcher: Zola lists
# `config.languages` in a random order, different from one run to the next).
set -u
here=$(cd "$(dirname "$0")" && pwd)

if [ "${1:-}" = "--diff" ]; then
  out=${2:?--diff OUT NAME PAGE}; name=${3:?--diff OUT NAME PAGE}; page=${4:?--diff OUT NAME PAGE}
  exec python3 "$here/compat_text.py" diff "$out/$name.z.txt" "$out/$name.f.txt" "$page"
fi

keep=""; only=""
while [ $# -gt 0 ]; do
  case $1 in
    --keep) keep=$2; shift 2 ;;
    --only) only=$2; shift 2 ;;
    *) break ;;
  esac
done
dir=${1:?usage: scripts/compat_themes.sh [--keep OUT] [--only NAME] DIR [FASCIA]}
fascia=${2:-target/release/fascia}
[ -x "$fascia" ] || { echo "no fascia binary at $fascia (cargo build --release)" >&2; exit 2; }
fascia=$(cd "$(dirname "$fascia")" && pwd)/$(basename "$fascia")
if [ -n "$keep" ]; then
  mkdir -p "$keep"; work=$(cd "$keep" && pwd)
else
  work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
fi

zola_bin=$(command -v zola || true)
if [ -z "$zola_bin" ]; then
  echo "note: no zola binary on PATH: the comparison with zola build is skipped"
fi

tried=0; clean=0; matching=0
summary=""
for theme in "$dir"/*/; do
  theme=${theme%/}
  name=$(basename "$theme")
  [ -n "$only" ] && [ "$name" != "$only" ] && continue
  site=""
  for sub in "" example exampleSite demo; do
    if [ -z "$site" ] && [ -f "$theme/$sub/config.toml" ] && [ -d "$theme/$sub/content" ]; then
      site="$theme/$sub"
    fi
  done
  [ -n "$site" ] || { echo "== $name: no config.toml with content/, skipped"; continue; }
  tried=$((tried + 1))
  out="$work/$name-fascia"
  log="$work/$name.log"
  rm -rf "$out"
  NO_COLOR=1 "$fascia" build --root "$site" -o "$out" --force >"$log" 2>&1
  status=$?
  errors=$(grep -cE '(^|: )error: ' "$log")
  warnings=$(grep -cE '(^|: )warning: ' "$log")
  built=$(grep -oE '^Built [0-9]+ pages, [0-9]+ sections' "$log" | head -1)
  echo "== $name: ${built:-not built} (exit $status), $errors errors, $warnings warnings"
  for level in error warning; do
    grep -E "(^|: )$level: " "$log" \
      | sed -E "s/^.*$level: //; s/\`[^\`]*\`/\`…\`/g; s/\"[^\"]*\"/\"…\"/g; s/[0-9]+/N/g" \
      | sort | uniq -c | sort -rn | head -8 | sed "s/^/   $level /"
  done
  if [ "$status" -eq 0 ] && [ "$errors" -eq 0 ]; then clean=$((clean + 1)); fi
  row="$name: built=$([ "$status" -eq 0 ] && echo yes || echo no) errors=$errors"
  if [ -n "$zola_bin" ] && [ "$status" -eq 0 ]; then
    zout="$work/$name-zola"
    rm -rf "$zout"
    if (cd "$site" && "$zola_bin" build --output-dir "$zout" --force >"$work/$name.zola.log" 2>&1); then
      python3 "$here/compat_text.py" text "$out" >"$work/$name.f.txt"
      python3 "$here/compat_text.py" text "$zout" >"$work/$name.z.txt"
      report=$(python3 "$here/compat_text.py" compare "$work/$name.z.txt" "$work/$name.f.txt")
      echo "$report" | sed 's/^/   /'
      counts=$(echo "$report" | head -1)
      row="$row $counts"
      if echo "$counts" | grep -q ' ALL-MATCH'; then matching=$((matching + 1)); fi
    else
      echo "   zola build failed too: $(tail -1 "$work/$name.zola.log")"
      row="$row zola-failed"
    fi
  fi
  summary="$summary$row"$'\n'
done
echo
printf '%s' "$summary"
echo "themes tried: $tried, built with zero errors: $clean$([ -n "$zola_bin" ] && echo ", matching zola: $matching")"
[ -n "$keep" ] && echo "outputs kept in $work; word diff: $0 --diff $work NAME PAGE"
exit 0
