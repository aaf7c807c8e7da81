#!/usr/bin/env python3
"""One huge page, for measuring the build's time and memory on it.

Writes a copy of tests/fixtures/basic into OUT with one extra page,
content/notes/huge.md, of about MB megabytes: headings (some alike),
paragraphs with every kind of link, lists, code with blank lines, tables and
quotes. With --footnotes, paragraphs refer to footnotes (some twice, some in
another letter case, some from inside another footnote) whose definitions
follow a few blocks later, some with an indented second paragraph, and a few
are never referred to.

Usage: python3 scripts/gen_huge_page.py OUT [--mb 50] [--footnotes]
Then:  /usr/bin/time -v fascia build --root OUT -o OUT/public
(scripts/bench_huge_page.sh does both, with and without footnotes.)
"""
import argparse
import os
import random
import shutil

WORDS = ("fascia tissue release pressure stretch glide collagen layer therapy "
         "tension stiffness friction motion evidence trial muscle").split()
LINKS = ("as [alpha](@/notes/alpha.md) says. ", "see [[notes/alpha]]. ",
         "per [the guide][guide]. ", "at <https://example.com/x>. ",
         "back to [the top](#same). ", "*so* **it** `is`. ")
BLOCKS = ("- one item\n- two [[notes/alpha|alpha]]\n\n  more of two\n\n",
          "```rust\nfn main() {\n\n    run();\n}\n```\n\n",
          "| Tool | Effect |\n|---|---|\n| a | b |\n| c | d |\n\n",
          "> A quote.\n>\n> More.\n\n")


def sentence(rng):
    words = " ".join(rng.choice(WORDS) for _ in range(rng.randint(6, 17)))
    tail = rng.choice(LINKS) if rng.random() < 0.25 else "and so on. "
    return f"{words} {tail}"


def page(target, footnotes, rng):
    out = ["+++\ntitle = \"Huge\"\n+++\n[guide]: https://example.org/guide\n\n"]
    size = len(out[0])
    pending = []  # footnote definitions still to write
    n = 0  # footnotes so far
    part = 0
    while size < target:
        chunk = []
        title = "Same" if rng.random() < 0.3 else f"Part {part}"
        chunk.append(f"{'#' * rng.randint(2, 4)} {title}\n\n")
        for _ in range(rng.randint(1, 3)):
            para = "".join(sentence(rng) for _ in range(rng.randint(3, 6)))
            if footnotes and rng.random() < 0.6:
                n += 1
                label = f"n{n}"
                written = label.upper() if rng.random() < 0.1 else label
                para = para.rstrip() + f"[^{written}] "
                if rng.random() < 0.15 and n > 1:
                    para += f"and again[^n{rng.randint(max(1, n - 5), n)}]. "
                note = sentence(rng)
                if rng.random() < 0.05 and n > 1:
                    note += f"(see also[^n{n - 1}]) "
                if rng.random() < 0.2:
                    note += "\n\n    " + sentence(rng) + "\n    " + sentence(rng)
                pending.append(f"[^{label}]: {note}\n\n")
                if rng.random() < 0.02:
                    pending.append(f"[^unused{n}]: {sentence(rng)}\n\n")
            chunk.append(para.rstrip() + "\n\n")
        if rng.random() < 0.4:
            chunk.append(rng.choice(BLOCKS))
        if pending and rng.random() < 0.3:
            chunk.extend(pending)
            pending = []
        text = "".join(chunk)
        out.append(text)
        size += len(text)
        part += 1
    out.extend(pending)
    return "".join(out)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("out")
    ap.add_argument("--mb", type=float, default=50)
    ap.add_argument("--footnotes", action="store_true")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    here = os.path.dirname(os.path.abspath(__file__))
    fixture = os.path.join(here, "..", "tests", "fixtures", "basic")
    if os.path.exists(args.out):
        shutil.rmtree(args.out)
    shutil.copytree(fixture, args.out)
    text = page(int(args.mb * (1 << 20)), args.footnotes, random.Random(args.seed))
    with open(os.path.join(args.out, "content", "notes", "huge.md"), "w") as f:
        f.write(text)
    print(f"{len(text) / (1 << 20):.1f} MB page, footnotes: {args.footnotes}")


if __name__ == "__main__":
    main()
