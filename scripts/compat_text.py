#!/usr/bin/env python3
"""Visible text of built sites, compared page by page (for compat_themes.sh).

  compat_text.py text DIR            one "path<TAB>text" line per HTML page
  compat_text.py compare ZOLA FASCIA counts, then the pages that differ
  compat_text.py diff ZOLA FASCIA PAGE   word diff of one page's text
"""
import difflib
import html.parser
import os
import re
import sys

HIDDEN = ("script", "style", "template")
# Elements a browser lays out as their own box or line: their edges separate
# words even where the HTML has no whitespace there (`<td>a</td><td>b</td>`).
BLOCKS = set("""address article aside blockquote br dd details div dl dt fieldset
figcaption figure footer form h1 h2 h3 h4 h5 h6 header hr li main nav ol p pre
section summary table tbody td tfoot th thead title tr ul option""".split())


class Text(html.parser.HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = []
        self.skip = 0
        # Inside a role="menu" element: its tag, nesting depth, and the
        # menu items with a lang attribute, (lang, text) (see `menu_items`).
        self.menu = None
        self.items = []
        self.item = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if self.menu is None and a.get("role") == "menu":
            self.menu = [tag, 0]
        if self.menu is not None and tag == self.menu[0]:
            self.menu[1] += 1
        if self.menu is not None and tag == "a" and a.get("role") == "menuitem" and "lang" in a:
            self.item = (a["lang"], len(self.out))
        if tag in HIDDEN:
            self.skip += 1
        elif tag in BLOCKS:
            self.out.append(" ")

    def handle_endtag(self, tag):
        if tag == "a" and self.item is not None:
            lang, at = self.item
            self.items.append((lang, "".join(self.out[at:])))
            del self.out[at:]
            self.item = None
        if self.menu is not None and tag == self.menu[0]:
            self.menu[1] -= 1
            if self.menu[1] == 0:
                self.out.extend(text for _, text in sorted(self.items))
                self.menu, self.items = None, []
        if tag in HIDDEN and self.skip:
            self.skip -= 1
        elif tag in BLOCKS:
            self.out.append(" ")

    def handle_data(self, data):
        if not self.skip:
            self.out.append(data)


def visible(path):
    t = Text()
    with open(path, encoding="utf-8", errors="replace") as f:
        t.feed(f.read())
    return re.sub(r"\s+", " ", "".join(t.out)).strip()


def text(root):
    rows = []
    for base, _, files in os.walk(root):
        for f in files:
            if f.endswith(".html"):
                p = os.path.join(base, f)
                rows.append((os.path.relpath(p, root), visible(p)))
    for rel, t in sorted(rows):
        print(rel + "\t" + t)


def load(path):
    pages = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            rel, _, t = line.rstrip("\n").partition("\t")
            pages[rel] = t
    return pages


def compare(zola, fascia):
    z, f = load(zola), load(fascia)
    both = sorted(set(z) & set(f))
    same = [p for p in both if z[p] == f[p]]
    differ = [p for p in both if z[p] != f[p]]
    only_z = sorted(set(z) - set(f))
    only_f = sorted(set(f) - set(z))
    # Zola's minify_html (which fascia does not do) drops the spaces between
    # inline elements: counted apart, as the words are the same.
    squeeze = lambda t: re.sub(r"\s+", "", t)
    nows = [p for p in both if squeeze(z[p]) == squeeze(f[p])]
    flag = " ALL-MATCH" if not differ and not only_z and not only_f else ""
    print(f"both={len(both)} match={len(same)} match_but_spaces={len(nows) - len(same)} "
          f"only_zola={len(only_z)} only_fascia={len(only_f)}{flag}")
    for p in differ[:12]:
        a, b = z[p].split(), f[p].split()
        ratio = difflib.SequenceMatcher(None, a, b, autojunk=False).ratio()
        print(f"differs ({ratio:.2f}): {p}")
    if len(differ) > 12:
        print(f"differs: ... {len(differ) - 12} more")
    for p in only_z[:8]:
        print(f"only in zola: {p}")
    for p in only_f[:8]:
        print(f"only in fascia: {p}")


def diff(zola, fascia, page):
    z, f = load(zola), load(fascia)
    if page not in z or page not in f:
        sys.exit(f"{page} is not in both outputs")
    a, b = z[page].split(), f[page].split()
    out = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            words = a[i1:i2]
            out.append(" ".join(words) if len(words) <= 12 else
                       " ".join(words[:5]) + " … " + " ".join(words[-5:]))
        else:
            if i2 > i1:
                out.append("\033[31m[-" + " ".join(a[i1:i2]) + "-]\033[0m")
            if j2 > j1:
                out.append("\033[32m{+" + " ".join(b[j1:j2]) + "+}\033[0m")
    text = " ".join(out)
    if os.environ.get("NO_COLOR") or not sys.stdout.isatty():
        text = re.sub(r"\033\[\d+m", "", text)
    print(text)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "text":
        text(sys.argv[2])
    elif cmd == "compare":
        compare(sys.argv[2], sys.argv[3])
    elif cmd == "diff":
        diff(sys.argv[2], sys.argv[3], sys.argv[4])
