#!/usr/bin/env python3
"""Synthetic encyclopedia-style corpus for static-site-generator benchmarks.

The same seed gives the same pages, titles, text and link targets in every layout;
only front matter and link syntax differ:
  zola   : config.toml, content/ (+++ TOML +++, [taxonomies] tags, @/ links), templates/
  hugo   : config.toml, content/ (+++ TOML +++, tags, relref or plain links), layouts/_default/
  mdbook : book.toml, src/SUMMARY.md, src/<section>/*.md (relative .md links, title as # heading)
Usage: python3 scripts/gen_corpus.py --pages N --out DIR --layout zola|hugo|mdbook [--seed S]
Prints page count, words and markdown bytes (input size for MB/s figures).
"""
import argparse, datetime, os, random, re

SECTIONS = ("astronomy biology chemistry geology linguistics mathematics medicine music "
            "philosophy physics economics history law architecture agriculture ecology "
            "engineering psychology sociology computing").split()
TAGS = ("classical modern theory experiment instrument measurement archive survey protocol "
        "dynamics structure evolution taxonomy notation statistics cartography manuscript "
        "reform trade climate energy material signal language ritual migration network "
        "policy pedagogy industry biography controversy standard method dataset model "
        "terminology chronology region heritage").split()
NOUNS = ("system process theory structure method region period population element model "
         "pattern network field surface layer cycle function record source series form "
         "boundary sample current mechanism principle variant tradition dialect instrument "
         "compound organism reaction orbit basin treaty archive survey ratio index "
         "algorithm frequency density settlement harvest council manuscript lattice "
         "protein enzyme glacier estuary sediment spectrum catalogue doctrine market "
         "ledger canal fortress colony monastery vessel engine circuit fragment "
         "inscription observatory specimen").split()
ADJS = ("early late central northern southern eastern western ancient modern regional "
        "primary secondary rare common stable dense narrow broad formal informal "
        "experimental theoretical comparative natural artificial coastal inland "
        "seasonal annual local global minor major linear cyclic thermal magnetic "
        "organic mineral urban rural classical standard irregular").split()
VERBS = ("describes influenced produced contains replaced supports measured defines "
         "precedes follows extends limits shaped recorded explains predicts connects "
         "separates surrounds transformed documented reduced increased revealed "
         "established challenged adopted preserved combined divided").split()
PREPS = "within across beyond near during after before between along among under".split()
SYL = "ka ver mo sten al rin dor ela th ur bra nis qua lo fen ter ga ob isa mer".split()
HEADINGS = ("History,Etymology,Classification,Structure,Properties,Distribution,Methods,"
            "Applications,Research,Notable examples,Criticism,Legacy,Terminology,"
            "Measurement,Regional variation,Further development").split(",")
LINK_PHRASES = ("as described in", "see also", "compare", "related to", "discussed under")


def proper(rng):
    return "".join(rng.choice(SYL) for _ in range(rng.randint(2, 3))).capitalize()


def plural(w):
    if w.endswith("y") and w[-2] not in "aeiou":
        return w[:-1] + "ies"
    return w if w.endswith("ies") else w + ("es" if w.endswith(("s", "x", "ch")) else "s")


def art(w):
    return ("an " if w[0] in "aeiou" else "a ") + w


def sentence(rng):
    n, a, v, p = (lambda: rng.choice(NOUNS)), (lambda: rng.choice(ADJS)), \
        (lambda: rng.choice(VERBS)), (lambda: rng.choice(PREPS))
    forms = [
        lambda: f"The {a()} {n()} {v()} the {n()} of {proper(rng)} {p()} the {a()} {n()}",
        lambda: f"{proper(rng)} {v()} that most {plural(n())} {p()} the {n()} were {a()}",
        lambda: f"In {rng.randint(1200, 2020)}, {proper(rng)} {v()} {art(a())} {n()} {p()} the {n()}",
        lambda: f"Each {n()} {v()} {art(a())} {n()}, although several {plural(n())} {v()} the {a()} {n()}",
        lambda: f"{art(a())} {n()} of {rng.randint(3, 900)} units {v()} the {n()} {p()} {proper(rng)}",
        lambda: f"Scholars of the {a()} {n()} {v()} its {n()} and the {a()} {n()} {p()} it",
    ]
    words = rng.choice(forms)().split(" ")
    r = rng.random()
    if r < 0.10:
        i = rng.randrange(1, len(words) - 1)
        words[i] = f"*{words[i]}*"
    elif r < 0.16:
        i = rng.randrange(1, len(words) - 2)
        words[i], words[i + 1] = f"**{words[i]}", f"{words[i + 1]}**"
    elif r < 0.19:
        i = rng.randrange(1, len(words))
        words[i] = f"`{words[i]}`"
    s = " ".join(words)
    return s[0].upper() + s[1:] + "."


def paragraph(rng):
    return [sentence(rng) for _ in range(rng.randint(3, 6))]


def table(rng):
    cols = ["Property", "Value", "Unit", "Source"]
    rows = ["| " + " | ".join(cols) + " |", "|" + "---|" * len(cols)]
    for _ in range(rng.randint(3, 6)):
        rows.append(f"| {rng.choice(ADJS)} {rng.choice(NOUNS)} | {rng.uniform(0, 1000):.2f} "
                    f"| {rng.choice(['m', 'kg', 's', 'K', 'mol', 'Hz', '%'])} | {proper(rng)} |")
    return "\n".join(rows)


def build_pages(n, seed):
    """Page metadata: section, slug, title, date, tags. Deterministic for (n, seed)."""
    rng, pages, seen = random.Random(seed), [], set()
    for i in range(n):
        sec = SECTIONS[i % len(SECTIONS)]
        title = f"{rng.choice(ADJS).capitalize()} {rng.choice(NOUNS)} of {proper(rng)}"
        while title in seen:
            title += f" {rng.choice(['I', 'II', 'III', 'IV', 'V'])}"
        seen.add(title)
        slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
        date = datetime.date(2010, 1, 1) + datetime.timedelta(days=(i * 7919) % 5000)
        tags = sorted(rng.sample(TAGS, rng.randint(1, 4)))
        pages.append(dict(sec=sec, slug=slug, title=title, date=date.isoformat(), tags=tags))
    return pages


def page_body(rng, idx, pages, by_sec):
    """Markdown body (no title) as blocks; link targets are left as \\x00<page index>\\x00."""
    target, blocks, heads = rng.randint(560, 1030), [paragraph(rng), paragraph(rng)], rng.sample(HEADINGS, 6)
    size = lambda: sum(len((" ".join(b) if isinstance(b, list) else b).split()) for b in blocks)
    made_table = False
    for h in range(6):
        if size() >= target:
            break
        blocks += [f"## {heads[h]}", paragraph(rng)]
        kind = rng.random()
        if not made_table and (kind < 0.3 or h == 2):
            blocks.append(table(rng)); made_table = True
        elif kind < 0.6:
            blocks.append("\n".join(f"- {rng.choice(ADJS).capitalize()} {rng.choice(NOUNS)}: "
                                    f"{sentence(rng)}" for _ in range(rng.randint(3, 6))))
        else:
            blocks.append("\n".join(f"{k + 1}. {sentence(rng)}" for k in range(rng.randint(3, 5))))
        for _ in range(rng.randint(1, 2)):
            if size() < target:
                blocks.append(f"### {rng.choice(ADJS).capitalize()} {plural(rng.choice(NOUNS))}")
                blocks += [paragraph(rng) for _ in range(rng.randint(1, 2))]
    if not made_table:
        blocks.append(table(rng))
    same = by_sec[pages[idx]["sec"]]
    links = []
    for _ in range(rng.randint(5, 15)):  # 5-15 internal links, about half in the same section
        pool = same if same and rng.random() < 0.5 else range(len(pages))
        j = rng.choice(pool)
        links.append(j if j != idx else (idx + 1) % len(pages))
    paras = [b for b in blocks if isinstance(b, list)]
    for j in links:
        p = rng.choice(paras)
        k = rng.randrange(len(p))
        p[k] = p[k][:-1] + f", {rng.choice(LINK_PHRASES)} \x00{j}\x00."
    return blocks


def render(blocks, link):
    out = "\n\n".join(" ".join(b) if isinstance(b, list) else b for b in blocks) + "\n"
    return re.sub(r"\x00(\d+)\x00", lambda m: link(int(m.group(1))), out)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)
    return len(text.encode("utf-8"))


ZOLA_TEMPLATES = {
    "base.html": '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{% block title %}'
                 '{{ config.title }}{% endblock %}</title></head>\n<body><nav><a href="{{ config.base_url }}">'
                 '{{ config.title }}</a></nav>\n<main>{% block content %}{% endblock %}</main></body></html>\n',
    "index.html": '{% extends "base.html" %}{% block content %}<h1>{{ section.title }}</h1>{{ section.content | safe }}\n'
                  '<ul>{% for s in section.subsections %}{% set sub = get_section(path=s, metadata_only=true) %}'
                  '<li><a href="{{ sub.permalink }}">{{ sub.title }}</a></li>{% endfor %}</ul>{% endblock %}\n',
    "section.html": '{% extends "base.html" %}{% block title %}{{ section.title }}{% endblock %}{% block content %}'
                    '<h1>{{ section.title }}</h1>{{ section.content | safe }}\n<ul>{% for p in section.pages %}'
                    '<li><a href="{{ p.permalink }}">{{ p.title }}</a> <time>{{ p.date }}</time></li>{% endfor %}'
                    '</ul>{% endblock %}\n',
    "page.html": '{% extends "base.html" %}{% block title %}{{ page.title }}{% endblock %}{% block content %}'
                 '<article><h1>{{ page.title }}</h1><p><time>{{ page.date }}</time></p>\n{{ page.content | safe }}\n'
                 '<ul class="tags">{% for t in page.taxonomies.tags %}<li><a href="{{ get_taxonomy_url(kind="tags", '
                 'name=t) }}">{{ t }}</a></li>{% endfor %}</ul></article>{% endblock %}\n',
    "taxonomy_list.html": '{% extends "base.html" %}{% block content %}<h1>{{ taxonomy.name }}</h1><ul>'
                          '{% for t in terms %}<li><a href="{{ t.permalink }}">{{ t.name }}</a> ({{ t.pages | length }})'
                          '</li>{% endfor %}</ul>{% endblock %}\n',
    "taxonomy_single.html": '{% extends "base.html" %}{% block title %}{{ term.name }}{% endblock %}{% block content %}'
                            '<h1>{{ term.name }}</h1><ul>{% for p in term.pages %}<li><a href="{{ p.permalink }}">'
                            '{{ p.title }}</a></li>{% endfor %}</ul>{% endblock %}\n',
}
HUGO_LAYOUTS = {
    "baseof.html": '<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ block "title" . }}'
                   '{{ site.Title }}{{ end }}</title></head>\n<body><nav><a href="{{ "/" | relURL }}">{{ site.Title }}'
                   '</a></nav>\n<main>{{ block "main" . }}{{ end }}</main></body></html>\n',
    "single.html": '{{ define "title" }}{{ .Title }}{{ end }}{{ define "main" }}<article><h1>{{ .Title }}</h1>'
                   '<p><time>{{ .Date.Format "2006-01-02" }}</time></p>\n{{ .Content }}\n<ul class="tags">'
                   '{{ range .GetTerms "tags" }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a></li>{{ end }}'
                   '</ul></article>{{ end }}\n',
    "list.html": '{{ define "title" }}{{ .Title }}{{ end }}{{ define "main" }}<h1>{{ .Title }}</h1>{{ .Content }}\n'
                 '<ul>{{ range .Pages }}<li><a href="{{ .RelPermalink }}">{{ .LinkTitle }}</a>{{ if .IsPage }} '
                 '<time>{{ .Date.Format "2006-01-02" }}</time>{{ end }}</li>{{ end }}</ul>{{ end }}\n',
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pages", type=int, required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--layout", choices=["zola", "hugo", "mdbook"], required=True)
    ap.add_argument("--seed", type=int, default=42)
    ap.add_argument("--hugo-links", choices=["relref", "plain"], default="relref",
                    help="hugo: relref shortcode (checked, like zola's @/) or plain /section/slug/ URLs")
    a = ap.parse_args()
    if os.path.exists(a.out) and os.listdir(a.out):
        ap.error(f"{a.out} exists and is not empty")
    pages, lay, out = build_pages(a.pages, a.seed), a.layout, a.out
    src = os.path.join(out, "src" if lay == "mdbook" else "content")
    fmt = {
        "zola": lambda p: f'[{p["title"]}](@/{p["sec"]}/{p["slug"]}.md)',
        "hugo": (lambda p: f'[{p["title"]}]({{{{< relref "/{p["sec"]}/{p["slug"]}.md" >}}}})')
        if a.hugo_links == "relref" else (lambda p: f'[{p["title"]}](/{p["sec"]}/{p["slug"]}/)'),
        "mdbook": lambda p: f'[{p["title"]}](../{p["sec"]}/{p["slug"]}.md)',
    }[lay]
    md_bytes = words = 0
    by_sec = {}
    for i, p in enumerate(pages):
        by_sec.setdefault(p["sec"], []).append(i)
    for i, p in enumerate(pages):
        rng = random.Random(f"{a.seed}-page-{i}")
        body = render(page_body(rng, i, pages, by_sec), lambda j: fmt(pages[j]))
        words += len(re.sub(r"\]\([^)]*\)", "]", body).split())  # words, link targets not counted
        tags = ", ".join(f'"{t}"' for t in p["tags"])
        if lay == "zola":
            head = f'+++\ntitle = "{p["title"]}"\ndate = {p["date"]}\n\n[taxonomies]\ntags = [{tags}]\n+++\n\n'
        elif lay == "hugo":
            head = f'+++\ntitle = "{p["title"]}"\ndate = {p["date"]}\ntags = [{tags}]\n+++\n\n'
        else:
            head = f'# {p["title"]}\n\n'
        md_bytes += write(os.path.join(src, p["sec"], p["slug"] + ".md"), head + body)
    rng = random.Random(f"{a.seed}-sections")
    intro = lambda: " ".join(paragraph(rng)) + "\n"
    secs = [s for s in SECTIONS if any(p["sec"] == s for p in pages)]
    if lay == "mdbook":
        summary = ["# Summary\n", "[Introduction](README.md)\n"]
        md_bytes += write(os.path.join(src, "README.md"), "# Synthetic knowledge base\n\n" + intro())
        for s in secs:
            mine = [p for p in pages if p["sec"] == s]
            listing = "".join(f'- [{p["title"]}]({p["slug"]}.md)\n' for p in mine)
            md_bytes += write(os.path.join(src, s, "README.md"), f"# {s.capitalize()}\n\n{intro()}\n{listing}")
            summary.append(f"- [{s.capitalize()}]({s}/README.md)")
            summary += [f'  - [{p["title"]}]({s}/{p["slug"]}.md)' for p in mine]
        md_bytes += write(os.path.join(src, "SUMMARY.md"), "\n".join(summary) + "\n")
        write(os.path.join(out, "book.toml"), '[book]\ntitle = "Synthetic knowledge base"\nlanguage = "en"\n\n'
              '[output.html]\n\n[output.html.search]\nenable = false\n')
    else:
        extra = '\nsort_by = "date"' if lay == "zola" else ""
        md_bytes += write(os.path.join(src, "_index.md"), f'+++\ntitle = "Synthetic knowledge base"\n+++\n\n{intro()}')
        for s in secs:
            md_bytes += write(os.path.join(src, s, "_index.md"),
                              f'+++\ntitle = "{s.capitalize()}"{extra}\n+++\n\n{intro()}')
    if lay == "zola":
        write(os.path.join(out, "config.toml"), 'base_url = "https://example.org"\ntitle = "Synthetic knowledge base"\n'
              'compile_sass = false\nbuild_search_index = false\ngenerate_feeds = false\n'
              'taxonomies = [{ name = "tags" }]\n')
        for name, text in ZOLA_TEMPLATES.items():
            write(os.path.join(out, "templates", name), text)
    elif lay == "hugo":
        write(os.path.join(out, "config.toml"), 'baseURL = "https://example.org/"\ntitle = "Synthetic knowledge base"\n'
              'languageCode = "en"\ndisableKinds = ["RSS"]\n\n[taxonomies]\ntag = "tags"\n')
        for name, text in HUGO_LAYOUTS.items():
            write(os.path.join(out, "layouts", "_default", name), text)
    print(f"layout={lay} pages={len(pages)} sections={len(secs)} words={words} markdown_bytes={md_bytes}")


if __name__ == "__main__":
    main()
