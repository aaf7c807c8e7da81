#!/usr/bin/env python3
"""Check that every translation in site/content keeps its original's references.

Usage: scripts/translation_parity.py LANG [--content DIR]

For every `NAME.LANG.md` under the content folder (default: site/content next
to this script), compares it with `NAME.md` beside it:

- the multiset of citation keys, `(ref:KEY)`;
- the multiset of internal targets, `@/path.md` and `@/path.md#anchor`
  (links and front matter such as `compare = [...]`);
- the markup a translation must keep: the number of headings of each level,
  table rows, callouts (`> [!NOTE]`), images, footnote references and
  shortcode calls (`{{ name(...) }}`, `{% name %}`).

Prints one line per mismatch (`file:line: what differs`) and exits 1 when
there is any, 2 on a usage error, 0 when every translation matches.
"""

import argparse
import re
import sys
from collections import Counter
from pathlib import Path

REF = re.compile(r"\(ref:([^)\s]+)\)")
TARGET = re.compile(r"@/[^\s)\"'\]>]+")
HEADING = re.compile(r"^(#{1,6})\s+\S")
FENCE = re.compile(r"^\s*(```|~~~)")
CALLOUT = re.compile(r"^\s*>\s*\[!([A-Za-z]+)\]")
IMAGE = re.compile(r"!\[")
FOOTNOTE = re.compile(r"\[\^([^\]\s]+)\](?!:)")
SHORTCODE = re.compile(r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\(|\{%\s*([A-Za-z_][A-Za-z0-9_]*)")


def items(path: Path):
    """(kind, value, line) for everything the parity check compares."""
    out = []
    in_code = False
    in_front = False
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if n == 1 and line.strip() in ("+++", "---"):
            in_front = True
            fence = line.strip()
        elif in_front and line.strip() == fence:
            in_front = False
            continue
        for m in TARGET.finditer(line):
            out.append(("internal link target", m.group(0), n))
        if in_front:
            continue
        if FENCE.match(line):
            in_code = not in_code
            continue
        if in_code:
            continue
        for m in REF.finditer(line):
            out.append(("citation key", m.group(1), n))
        h = HEADING.match(line)
        if h:
            out.append(("heading of level", str(len(h.group(1))), n))
        if line.lstrip().startswith("|"):
            out.append(("table row", "|", n))
        c = CALLOUT.match(line)
        if c:
            out.append(("callout", c.group(1).upper(), n))
        for _ in IMAGE.finditer(line):
            out.append(("image", "![", n))
        for m in FOOTNOTE.finditer(line):
            out.append(("footnote reference", m.group(1), n))
        for m in SHORTCODE.finditer(line):
            out.append(("shortcode", m.group(1) or m.group(2), n))
    return out


def compare(original: Path, translation: Path, shown: Path):
    """Messages for every difference between the two files' item multisets."""
    a, b = items(original), items(translation)
    count_a = Counter((k, v) for k, v, _ in a)
    count_b = Counter((k, v) for k, v, _ in b)
    messages = []
    for key in sorted(set(count_a) | set(count_b)):
        na, nb = count_a[key], count_b[key]
        if na == nb:
            continue
        kind, value = key
        label = kind if kind in ("table row", "image") else f"{kind} `{value}`"
        counts = f"{nb} time(s) in the translation but {na} in the original"
        if nb > na:
            line = [ln for k, v, ln in b if (k, v) == key][na]
            messages.append(f"{shown}:{line}: {label} appears {counts} ({original.name})")
        else:
            line = [ln for k, v, ln in a if (k, v) == key][nb]
            messages.append(f"{shown}: {label} appears {counts} ({original.name}:{line})")
    return messages


def main(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("lang", help="language code of the translations, e.g. fr")
    default = Path(__file__).resolve().parent.parent / "site" / "content"
    parser.add_argument("--content", type=Path, default=default, help="content folder")
    args = parser.parse_args(argv)
    if not re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]+)?", args.lang):
        print(f"error: `{args.lang}` is not a language code such as fr or pt-BR", file=sys.stderr)
        return 2
    if not args.content.is_dir():
        print(f"error: no content folder at {args.content}; pass --content DIR", file=sys.stderr)
        return 2
    suffix = f".{args.lang}.md"
    translations = sorted(p for p in args.content.rglob(f"*{suffix}") if p.is_file())
    problems = []
    for t in translations:
        shown = t.relative_to(args.content.parent.parent) if args.content.parent.parent in t.parents else t
        original = t.with_name(t.name[: -len(suffix)] + ".md")
        if not original.is_file():
            problems.append(f"{shown}: no original {original.name} beside it")
            continue
        problems.extend(compare(original, t, shown))
    for p in problems:
        print(p)
    if problems:
        print(f"{len(problems)} mismatch(es) in {len(translations)} {args.lang} translation(s)", file=sys.stderr)
        return 1
    print(f"{len(translations)} {args.lang} translation(s) keep their originals' citations, links and markup")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
