#!/usr/bin/env python3
"""Hashed word shingles of the encyclopedia's source texts, for the copy check.

The encyclopedia's prose must be original: facts carry over from its source texts,
sentences do not. The test `no_run_of_words_is_copied_from_a_source_text`
(tests/content.rs) looks for any run of WINDOW consecutive words of a page that also
occurs in a source text. The source texts are not part of the repository, so the test
reads their runs as 64-bit FNV-1a hashes from tests/data/source-shingles.txt, written
by this script. Run it again when the source texts change:

    python3 scripts/source_shingles.py DIR_OF_SOURCE_TEXTS > tests/data/source-shingles.txt

Words: lower-cased, the typographic apostrophe read as ', split at every character
that is not an ASCII letter or digit (the same rule as the test).
"""
import os, re, sys

WINDOW = 10


def words(text):
    text = text.lower().replace("\u2019", "'")
    return [w for w in re.split(r"[^a-z0-9]+", text) if w]


def fnv1a64(s):
    h = 0xcbf29ce484222325
    for b in s.encode("utf-8"):
        h ^= b
        h = (h * 0x100000001b3) & 0xFFFFFFFFFFFFFFFF
    return h


def main():
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    hashes = set()
    for name in sorted(os.listdir(sys.argv[1])):
        with open(os.path.join(sys.argv[1], name), encoding="utf-8") as f:
            w = words(f.read())
        for i in range(len(w) - WINDOW + 1):
            hashes.add(fnv1a64(" ".join(w[i:i + WINDOW])))
    print(f"# {WINDOW}-word runs of the source texts, FNV-1a 64 hashes (scripts/source_shingles.py)")
    for h in sorted(hashes):
        print(f"{h:016x}")


if __name__ == "__main__":
    main()
