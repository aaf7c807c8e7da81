#!/usr/bin/env bash
# Compatibility figures over real public corpora (not part of the test suite).
#
#   scripts/compat.sh [OBSIDIAN_VAULT_DIR] [ZOLA_DOCS_DIR]
#
# or set OBSIDIAN_VAULT (the obsidian-help repository's `en/` folder) and
# ZOLA_DOCS (the Zola repository's `docs/` folder). A corpus not given or
# not present is skipped. Copies are obtained for measurement only and never
# committed. FASCIA_BIN picks the binary (default: target/release/fascia).
#
# For each corpus: `fascia check --format json` and `fascia build`, then
# pages built, errors and warnings by kind, and the unsupported constructs
# shown raw to readers (searched in the text of the built HTML, outside
# <code>/<pre> and tags).
set -u
here=$(cd "$(dirname "$0")/.." && pwd)
bin=${FASCIA_BIN:-$here/target/release/fascia}
vault=${1:-${OBSIDIAN_VAULT:-}}
zola=${2:-${ZOLA_DOCS:-}}
work=$(mktemp -d "${TMPDIR:-/tmp}/fascia-compat.XXXXXX")
trap 'rm -rf "$work"' EXIT

if [ ! -x "$bin" ]; then
  echo "compat: no fascia binary at $bin (cargo build --release, or set FASCIA_BIN)" >&2
  exit 2
fi

# Figures of one site root: check, build, raw constructs.
measure() {
  local name=$1 root=$2 out=$work/$1-out
  echo "== $name ($root)"
  "$bin" check --root "$root" --format json >"$work/$name-check.json" 2>/dev/null
  python3 - "$work/$name-check.json" <<'PY'
import json, sys, collections
try:
    doc = json.load(open(sys.argv[1]))
except Exception as e:
    print(f"check: no JSON report ({e})"); sys.exit(0)
s = doc.get("summary", {})
print(f"check: {s.get('errors')} errors, {s.get('warnings')} warnings; checked {s.get('checked')}")
kinds = collections.Counter((d.get("severity") or d.get("level") or "?", d.get("code") or d.get("kind") or "?")
                            for d in doc.get("diagnostics", []))
for (sev, code), n in sorted(kinds.items(), key=lambda kv: (kv[0][0], -kv[1])):
    print(f"  {sev:8} {code:32} {n}")
PY
  "$bin" build --root "$root" --output-dir "$out" --force >"$work/$name-build.log" 2>&1
  local rc=$?
  if [ $rc -ne 0 ] && ! grep -q '^\[link_checker\]' "$root/config.toml"; then
    # Broken links in the corpus's own text stop the build: measure what a
    # reader would see with them as warnings.
    printf '\n[link_checker]\ninternal_level = "warn"\n' >>"$root/config.toml"
    echo "build: exit $rc, $(grep -c ': error: ' "$work/$name-build.log") errors; again with [link_checker] internal_level = \"warn\":"
    "$bin" build --root "$root" --output-dir "$out" --force >"$work/$name-build.log" 2>&1
    rc=$?
  fi
  echo "build: exit $rc, $(grep -c ': error: ' "$work/$name-build.log") errors, $(grep -c ': warning: ' "$work/$name-build.log") warnings"
  # Build errors by message (the text output has no codes).
  grep -E ': error: ' "$work/$name-build.log" | sed -E 's/^[^:]*:[0-9]+:[0-9]+: error: //; s/`[^`]*`/`_`/g' | cut -c1-70 | sort | uniq -c | sort -rn | sed 's/^/  error /' | head -20
  [ -d "$out" ] || return 0
  python3 - "$out" <<'PY'
import html, os, re, sys, collections
out = sys.argv[1]
pages = 0
counts = collections.Counter()
examples = {}
drop = re.compile(r"<(script|style|pre|code|textarea|svg|math)\b.*?</\1>", re.S | re.I)
tags = re.compile(r"<[^>]+>")
backlinks = re.compile(r'<section class="after backlinks".*?</section>', re.S)
patterns = {
    "![[": re.compile(r"!\[\["),
    "[[": re.compile(r"(?<!!)\[\["),
    "[!": re.compile(r"\[![A-Za-z]+\]"),
    "%%": re.compile(r"%%"),
    "==": re.compile(r"==\S[^=\n]*\S=="),
    "$$": re.compile(r"\$\$"),
    "```mermaid": re.compile(r"```mermaid"),
    "^blockid": re.compile(r"(?:^|\s)\^[A-Za-z0-9-]+\s*$", re.M),
    "{{": re.compile(r"\{\{"),
    "{%": re.compile(r"\{%"),
}
for dirpath, _, files in os.walk(out):
    for f in files:
        if not f.endswith(".html"):
            continue
        path = os.path.join(dirpath, f)
        text = open(path, encoding="utf-8", errors="replace").read()
        if os.path.relpath(path, out).startswith("print/"):
            continue  # the print edition repeats every page
        if 'http-equiv="refresh"' in text[:2000]:
            continue  # an alias or redirect page
        pages += 1
        body = drop.sub(" ", text)
        # Backlink excerpts quote the linking sentence as plain text (inline
        # code there reads as written): counted apart.
        quoted = " ".join(backlinks.findall(body))
        body = backlinks.sub(" ", body)
        for where, part in (("", body), (" (backlink excerpts)", quoted)):
            part = html.unescape(tags.sub("\n", part))
            for name, rx in patterns.items():
                for m in rx.finditer(part):
                    counts[name + where] += 1
                    examples.setdefault(name + where, (os.path.relpath(path, out), part[max(0, m.start()-40):m.end()+40].replace("\n", " ")))
print(f"pages built: {pages} HTML pages (redirects left out)")
total = sum(counts.values())
print(f"raw constructs shown to readers: {total}")
for name in sorted(counts):
    where, ctx = examples[name]
    print(f"  {name:32} {counts[name]:5}   e.g. {where}: ...{ctx.strip()[:110]}...")
PY
}

if [ -n "$vault" ] && [ -d "$vault" ]; then
  root=$work/vault
  mkdir -p "$root"
  cp -r "$vault" "$root/content"
  # As `fascia init --from-obsidian` would write it, with the default theme.
  printf 'base_url = "https://help.example"\ntitle = "Obsidian Help"\nobsidian = true\ntheme = "fibre"\nthemes_dir = "%s/themes"\n\n[extra.fibre]\nabout_page = "@/_index.md"\n' "$here" >"$root/config.toml"
  measure obsidian "$root"
else
  echo "== obsidian: skipped (give the obsidian-help en/ folder as \$1 or OBSIDIAN_VAULT)"
fi

if [ -n "$zola" ] && [ -d "$zola" ]; then
  root=$work/zola
  cp -r "$zola" "$root"
  measure zola "$root"
else
  echo "== zola: skipped (give Zola's docs/ folder as \$2 or ZOLA_DOCS)"
fi
