//! The search index (issue 6): what `search/index.js` holds for the
//! encyclopedia (fields, heading anchors, synonyms, glossary terms), that the
//! file is JavaScript defining the index, sharding of large indexes, and the
//! `[search]` settings.

mod harness;
mod search_files;

use std::collections::HashMap;
use std::path::Path;

use fascia::config::SearchConfig;
use fascia::output::{Output, OutputFile};
use fascia::pipeline::{self, BuildOptions};
use fascia::search::{self, DocSection, SearchDoc};
use search_files::{data, full_path, manifest};
use serde_json::Value;

fn encyclopedia() -> Output {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("site");
    let linked = pipeline::load_and_link(&BuildOptions {
        root,
        base_url: None,
        drafts: false,
        serving: false,
    })
    .unwrap_or_else(|d| panic!("the encyclopedia does not load: {:#?}", d.items));
    match pipeline::render(linked) {
        Ok((_, output, _)) => output,
        Err(d) => panic!("the encyclopedia does not render: {:#?}", d.items),
    }
}

fn bytes(output: &Output, path: &str) -> Vec<u8> {
    match output.files.get(path) {
        Some(OutputFile::Bytes(b)) => b.to_vec(),
        Some(OutputFile::Copy(p)) => std::fs::read(p).unwrap(),
        None => panic!("no {path} in the output"),
    }
}

fn text(output: &Output, path: &str) -> String {
    match output.files.get(path) {
        Some(OutputFile::Bytes(b)) => String::from_utf8(b.to_vec()).unwrap(),
        Some(OutputFile::Copy(p)) => std::fs::read_to_string(p).unwrap(),
        None => panic!("no {path} in the output"),
    }
}

struct Index {
    meta: Value,
    /// path -> doc number
    docs: HashMap<String, usize>,
}

impl Index {
    fn new(meta: Value) -> Self {
        let docs = meta["docs"]
            .as_array()
            .unwrap()
            .iter()
            .enumerate()
            .map(|(i, d)| (full_path(&meta, d), i))
            .collect();
        Self { meta, docs }
    }

    fn doc(&self, path: &str) -> usize {
        *self
            .docs
            .get(path)
            .unwrap_or_else(|| panic!("{path} is not indexed"))
    }

    fn field(&self, name: &str) -> u64 {
        self.meta["fields"]
            .as_array()
            .unwrap()
            .iter()
            .position(|f| f == name)
            .unwrap_or_else(|| panic!("no field {name}")) as u64
    }

    /// Documents holding in `field` the index term of `words` (as a query
    /// for them looks it up: stemmed, a name of several words as one term):
    /// doc -> term frequency (scaled).
    fn postings(&self, words: &str, field: &str) -> HashMap<usize, u64> {
        let term = search::Analyzer::new("en").phrase_key(words);
        assert!(!term.is_empty(), "{words} makes no term");
        let f = self.field(field);
        let Some(entry) = self.meta["terms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e[0] == term)
        else {
            return HashMap::new();
        };
        let parts = entry.as_array().unwrap();
        let mut out = HashMap::new();
        for pair in parts[1..].chunks(2) {
            if pair[0].as_u64() != Some(f) {
                continue;
            }
            let mut doc = 0;
            for p in pair[1].as_array().unwrap().chunks(2) {
                doc += p[0].as_u64().unwrap() as usize;
                out.insert(doc, p[1].as_u64().unwrap());
            }
        }
        out
    }

    /// `[anchor, heading, text]` sections of a document.
    fn sections(&self, path: &str) -> Vec<(String, String, String)> {
        self.meta["texts"][self.doc(path)][1]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| {
                (
                    s[0].as_str().unwrap().to_string(),
                    s[1].as_str().unwrap().to_string(),
                    s[2].as_str().unwrap().to_string(),
                )
            })
            .collect()
    }
}

#[test]
fn the_encyclopedia_index_has_every_field_anchors_and_synonyms() {
    let output = encyclopedia();
    let (key, meta) = data(&text(&output, search::INDEX_FILE));
    assert_eq!(key, "index");
    assert_eq!(meta["format"], 4);
    // English: stemmed, with English stop words.
    assert_eq!(meta["stemmer"], "english");
    assert!(meta["stop"].as_array().unwrap().iter().any(|w| w == "the"));
    let idx = Index::new(meta);
    for f in [
        "title",
        "synonyms",
        "headings",
        "description",
        "tags",
        "body",
        "links",
    ] {
        idx.field(f);
    }
    assert_eq!(
        idx.meta["fields"].as_array().unwrap().len(),
        idx.meta["boosts"].as_array().unwrap().len()
    );
    // Small enough for one file: terms and texts are inline.
    assert!(idx.meta["terms"].is_array() && idx.meta["texts"].is_array());
    assert!(
        !output
            .files
            .keys()
            .any(|k| k.starts_with(search::SHARD_DIR))
    );

    // Documents: site-root-relative paths, titles, sections.
    let iastm = idx.doc("/techniques/iastm/");
    let d = &idx.meta["docs"][iastm];
    assert_eq!(
        d[1], "Instrument-Assisted Soft Tissue Mobilization (IASTM)",
        "title"
    );
    let sec = usize::try_from(d[2].as_i64().unwrap()).unwrap();
    assert_eq!(
        idx.meta["sections"][sec],
        serde_json::json!(["Techniques", "/techniques/"])
    );
    assert_eq!(
        d[0], "iastm/",
        "a path is shortened relative to its section"
    );
    let gua_sha = &idx.meta["docs"][idx.doc("/techniques/gua-sha/")];
    assert_eq!(gua_sha[0], 0, "or to 0 when it is the title as a slug");
    assert!(
        idx.docs
            .keys()
            .all(|p| p.starts_with('/') && !p.contains("://")),
        "paths are relative to the site root"
    );
    assert!(
        !idx.docs.contains_key("/search/"),
        "the search page is not indexed"
    );

    // Title, description, tags, body.
    assert!(idx.postings("iastm", "title").contains_key(&iastm));
    assert!(
        idx.postings("clinicians", "description")
            .contains_key(&iastm)
    );
    let graston = idx.doc("/techniques/graston-technique/");
    assert!(idx.postings("graston", "title").contains_key(&graston));
    assert!(idx.postings("graston", "body").contains_key(&iastm));
    assert!(!idx.postings("instrument", "tags").is_empty());

    // Headings with their anchors; body text split under them.
    let sections = idx.sections("/techniques/graston-technique/");
    assert_eq!(
        sections[0].0, "",
        "the intro comes first, without an anchor"
    );
    let evidence = sections
        .iter()
        .find(|s| s.0 == "evidence")
        .expect("the Evidence section");
    assert_eq!(evidence.1, "Evidence");
    assert!(
        sections.iter().all(|s| !s.1.contains('#')),
        "heading anchor links are left out"
    );
    assert!(idx.postings("evidence", "headings").contains_key(&graston));
    // Forms of a word are one term: the stem, as a query makes it.
    assert_eq!(
        idx.postings("needles", "body"),
        idx.postings("needling", "body")
    );
    assert!(idx.postings("needles", "body").len() > 3);
    let terms = |pred: &dyn Fn(&str) -> bool| {
        idx.meta["terms"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| pred(e[0].as_str().unwrap()))
            .count()
    };
    assert_eq!(
        terms(&|t| t == "needling" || t == "needles"),
        0,
        "words are stemmed"
    );
    assert_eq!(terms(&|t| t == "needl"), 1);
    // Snippet texts are excerpts (the whole body is indexed).
    let total: usize = sections.iter().map(|s| s.2.chars().count()).sum();
    assert!(total <= 4000, "snippet text cut: {total}");

    // Synonyms: page [extra] synonyms and glossary terms and aliases, each
    // one term: a name of several words is its words joined by spaces, which
    // a query matches as a phrase (its words alone are not names).
    assert!(idx.postings("scraping", "synonyms").contains_key(&iastm));
    let astym = idx.doc("/techniques/astym/");
    assert!(idx.postings("astym", "synonyms").contains_key(&astym));
    let ims = idx.doc("/techniques/ims/");
    let dry = idx.doc("/techniques/dry-needling/");
    assert!(idx.postings("gunn ims", "synonyms").contains_key(&ims));
    assert!(
        idx.postings("intramuscular stimulation", "synonyms")
            .contains_key(&ims)
    );
    assert!(
        !idx.postings("gunn", "synonyms").contains_key(&ims),
        "words of a name of several words are not names"
    );
    let needling = idx.postings("dry needling", "synonyms");
    assert!(
        needling.contains_key(&dry) && needling.contains_key(&ims),
        "dry needling names the dry needling page (glossary) and IMS ([extra] synonyms)"
    );
    assert!(
        !idx.postings("cao gio", "synonyms").is_empty(),
        "accents are folded: cạo gió"
    );
    assert!(
        !idx.postings("trigger point pressure release", "synonyms")
            .is_empty()
    );
    // Frequencies are normalised for the field's length and scaled.
    assert_eq!(idx.meta["tf_scale"], 8.0);
    assert!(idx.meta.get("lengths").is_none());

    // The glossary page carries every term under its anchor.
    let glossary = idx.sections("/glossary/");
    let adhesion = glossary
        .iter()
        .find(|s| s.0 == "adhesion")
        .expect("glossary term anchor");
    assert_eq!(adhesion.1, "Adhesion");
    assert!(adhesion.2.contains("adhesions"));

    // The sentences linking here.
    assert!(idx.postings("nerve", "links").contains_key(&ims));
}

#[test]
fn the_index_file_is_javascript_that_defines_the_index() {
    let output = encyclopedia();
    let src = text(&output, search::INDEX_FILE);
    assert!(src.starts_with("/*"), "starts with its comment");
    // Structural check: one statement registering one JSON value.
    let (_, value) = data(&src);
    assert!(value["docs"].as_array().unwrap().len() > 40);
    // With node, run it: it must define the index without a DOM.
    let Ok(probe) = std::process::Command::new("node").arg("--version").output() else {
        eprintln!("node not found: checked the file structurally only");
        return;
    };
    assert!(probe.status.success());
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("index.js");
    std::fs::write(&file, &src).unwrap();
    let script = r#"
        const vm = require("vm"), fs = require("fs");
        const self = {};
        vm.runInNewContext(fs.readFileSync(process.argv[1], "utf8"), { self }, { filename: "index.js" });
        const d = self.fasciaSearchData && self.fasciaSearchData.index;
        if (!d || !Array.isArray(d.docs) || !Array.isArray(d.terms) || !d.docs.length) process.exit(3);
        console.log(d.docs.length, d.terms.length);
    "#;
    let run = std::process::Command::new("node")
        .args(["-e", script])
        .arg(&file)
        .output()
        .unwrap();
    assert!(
        run.status.success(),
        "node could not run the index: {}{}",
        String::from_utf8_lossy(&run.stdout),
        String::from_utf8_lossy(&run.stderr)
    );
}

#[test]
fn the_theme_loads_search_lazily_and_writes_the_search_page() {
    let output = encyclopedia();
    let page = text(&output, "techniques/iastm/index.html");
    assert!(
        page.contains("/search/search.js?h="),
        "the loader, cache-busted"
    );
    assert!(page.contains("defer></script>"), "the loader is deferred");
    assert!(
        !page.contains("search/index.js"),
        "the index is not loaded by the page itself"
    );
    // Cache busting: the page names the generated loader by its content
    // hash; the loader's manifest gives the hash of every other script and
    // stylesheet below search/ that it and search-ui.js load.
    let loader = bytes(&output, "search/search.js");
    assert!(
        page.contains(&format!(
            "/search/search.js?h={}\"",
            search::short_hash(&loader)
        )),
        "the page links the loader with the generated file's hash"
    );
    let manifest = manifest(&loader);
    let files = manifest["files"].as_object().unwrap();
    for (path, _) in output
        .files
        .range("search/".to_string()..)
        .take_while(|(k, _)| k.starts_with("search/"))
    {
        let rel = &path["search/".len()..];
        if rel == "search.js" || !(rel.ends_with(".js") || rel.ends_with(".css")) {
            continue;
        }
        let want = if rel == "index.js" {
            search::short_hash(&bytes(&output, path))
        } else {
            format!("{:016x}", fascia::hash::fnv1a(&bytes(&output, path)))
        };
        assert_eq!(
            files.get(rel).and_then(Value::as_str),
            Some(want.as_str()),
            "{rel}: its hash in the manifest"
        );
    }
    assert!(files.contains_key("search-ui.js") && files.contains_key("index.js"));
    assert_eq!(
        manifest["terms"],
        serde_json::json!([]),
        "one file: no shards"
    );
    let search = text(&output, search::PAGE_FILE);
    assert!(search.contains("id=\"search-page\""));
    assert!(search.contains("class=\"search-status\" role=\"status\""));
    assert!(search.contains("name=\"q\""));
    assert!(!search.contains("<script>") && !search.contains("style=\""));
    for f in [
        "search/search.js",
        "search/search-ui.js",
        "search/search-engine.js",
        "search/search.css",
        "search/vendor/minisearch-7.2.0.min.js",
        "search/vendor/LICENSE-minisearch.txt",
    ] {
        assert!(output.files.contains_key(f), "{f} is published");
    }
}

fn synthetic(n: usize) -> Vec<SearchDoc> {
    let words = [
        "glacier", "estuary", "sediment", "spectrum", "protein", "enzyme", "ledger", "canal",
        "fortress", "colony", "vessel", "engine", "circuit", "orbit", "basin", "treaty",
    ];
    (0..n)
        .map(|i| {
            let body: Vec<&str> = (0..60)
                .map(|k| words[(i * 7 + k * 3) % words.len()])
                .collect();
            SearchDoc {
                path: format!("/s{}/page-{i}/", i % 3),
                title: format!("{} of item {i}", words[i % words.len()]),
                section: Some(format!("Section {}", i % 3)),
                section_path: Some(format!("/s{}/", i % 3)),
                description: String::new(),
                synonyms: vec![format!("alias{i}")],
                tags: vec![],
                sections: vec![
                    DocSection {
                        text: body.join(" "),
                        ..Default::default()
                    },
                    DocSection {
                        anchor: "history".into(),
                        heading: "History".into(),
                        text: format!("Founded in {}.", 1800 + i),
                    },
                ],
                links: vec![],
            }
        })
        .collect()
}

/// The vocabulary of a sharded index: (term, postings size).
fn decode_vocab(terms: &str, sizes: &str) -> Vec<(String, f64)> {
    const DIGITS: &str = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
    assert_eq!(terms.split('|').count(), sizes.chars().count());
    terms
        .split('|')
        .zip(sizes.chars())
        .map(|(t, size)| {
            let size = DIGITS.find(size).unwrap();
            (t.to_string(), 2f64.powf(size as f64 / 4.0).round())
        })
        .collect()
}

#[test]
fn a_large_index_is_split_into_term_shards_and_one_text_file_per_page() {
    let docs = synthetic(400);
    let cfg = SearchConfig {
        split_index_above: 20_000,
        shard_size: 4_000,
        max_pages_per_term: 50,
        ..SearchConfig::default()
    };
    let (files, firsts_built) = search::build_with_shards(&docs, &cfg);
    let by_path: HashMap<&str, String> = files
        .iter()
        .map(|(p, b)| (p.as_str(), String::from_utf8(b.clone()).unwrap()))
        .collect();
    let (_, meta) = data(&by_path[search::INDEX_FILE]);
    assert!(meta.get("terms").is_none() && meta.get("texts").is_none());
    // No page table: each page's address and title are in its own file.
    assert!(meta.get("docs").is_none() && meta.get("sections").is_none());
    assert_eq!(meta["count"], docs.len());
    let firsts: Vec<&str> = meta["termShards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert!(firsts.len() > 3, "{meta}");
    assert!(
        firsts.windows(2).all(|w| w[0] < w[1]),
        "shards in term order"
    );
    assert_eq!(firsts, firsts_built);
    // Every shard is listed with its content hash.
    let hashes = |key: &str| -> Vec<String> {
        meta[key]
            .as_str()
            .unwrap()
            .split(' ')
            .map(str::to_string)
            .collect()
    };
    let listed = hashes("termHashes");
    assert_eq!(listed.len(), firsts.len());
    for (k, h) in listed.iter().enumerate() {
        let file = &by_path[format!("{}t-{k}.js", search::SHARD_DIR).as_str()];
        assert_eq!(*h, search::short_hash(file.as_bytes()), "t-{k}");
    }
    // The loader's manifest names the term shards with their first terms.
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/fibre/static");
    let english = search::Analyzer::new("en");
    let built = search::index::manifest_of("en", &files, &firsts_built, &english);
    let (path, loader) =
        search::index::loader(std::slice::from_ref(&theme), Some(&built), &[]).unwrap();
    assert_eq!(path, "search/search.js");
    // ... and the stemmer of the index's language, which the loader fetches with the index.
    let stemmer = manifest(&loader)["stemmer"].as_str().unwrap().to_string();
    assert_eq!(stemmer, "vendor/snowball-english-3.1.1.min.js");
    assert!(theme.join("search").join(&stemmer).is_file());
    assert!(
        manifest(&loader)["files"][&stemmer].is_string(),
        "with its hash"
    );
    assert!(manifest(&loader).get("languages").is_none(), "one language");
    let german =
        search::index::manifest_of("de", &files, &firsts_built, &search::Analyzer::new("de"));
    let (_, unstemmed) = search::index::loader(&[theme], Some(&german), &[]).unwrap();
    assert!(manifest(&unstemmed).get("stemmer").is_none());
    let terms = manifest(&loader)["terms"].clone();
    assert_eq!(terms.as_array().unwrap().len(), firsts.len());
    assert_eq!(terms[1][0], firsts[1]);
    assert_eq!(terms[1][1], hashes("termHashes")[1]);
    // The whole vocabulary, in order, with the size of each term's postings.
    let vocab = decode_vocab(
        meta["vocab"].as_str().unwrap(),
        meta["sizes"].as_str().unwrap(),
    );
    // Shard i holds the terms from its first term up to the next shard's.
    let mut all = Vec::new();
    for (i, first) in firsts.iter().enumerate() {
        let name = format!("t-{i}");
        let src = &by_path[format!("{}{name}.js", search::SHARD_DIR).as_str()];
        let (k, entries) = data(src);
        assert_eq!(k, name);
        let terms: Vec<String> = entries
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e[0].as_str().unwrap().to_string())
            .collect();
        assert_eq!(terms[0], *first);
        if let Some(next) = firsts.get(i + 1) {
            assert!(terms.iter().all(|t| t.as_str() < *next));
        }
        assert!(
            src.len() < cfg.shard_size * 2,
            "shard {i} is {} bytes",
            src.len()
        );
        // Common words keep their best pages only, and say how many had them.
        for e in entries.as_array().unwrap() {
            let parts = e.as_array().unwrap();
            if parts.len() % 2 == 0 {
                assert!(parts.last().unwrap().as_i64().unwrap() < -50, "{e}");
                let pages: std::collections::HashSet<u64> = parts[1..parts.len() - 1]
                    .chunks(2)
                    .flat_map(|p| {
                        let mut d = 0;
                        p[1].as_array()
                            .unwrap()
                            .chunks(2)
                            .map(move |x| {
                                d += x[0].as_u64().unwrap();
                                d
                            })
                            .collect::<Vec<_>>()
                    })
                    .collect();
                assert_eq!(pages.len(), 50, "{e}");
            }
        }
        all.extend(terms);
    }
    assert!(all.len() > 400, "all the aliases and words: {}", all.len());
    assert!(all.windows(2).all(|w| w[0] < w[1]));
    assert_eq!(
        vocab.iter().map(|(t, _)| t.clone()).collect::<Vec<_>>(),
        all,
        "the vocabulary is every term"
    );
    let common = vocab.iter().find(|(t, _)| t == "glacier").unwrap().1;
    let rare = vocab.iter().find(|(t, _)| t == "alias7").unwrap().1;
    assert!(
        common >= 32.0 && rare <= 1.5,
        "postings sizes: {common}, {rare}"
    );
    // One small file per page (by its number in the index): its path,
    // title, section and snippet text, so that showing a result fetches
    // that page's text only.
    for (k, d) in docs.iter().enumerate() {
        let (key, rec) = data(&by_path[format!("{}{k}.js", search::TEXT_DIR).as_str()]);
        assert_eq!(key, format!("p{k}"));
        assert_eq!(rec[0], d.path.as_str());
        assert_eq!(rec[1], d.title.as_str());
        assert_eq!(rec[2], d.section.as_deref().unwrap());
        assert_eq!(rec[3], d.section_path.as_deref().unwrap());
        assert_eq!(rec[4][1][1][0], "history");
        assert_eq!(
            rec[4][1][1][2],
            format!(
                "Founded in {}.",
                1800 + d.path[9..].trim_end_matches('/').parse::<usize>().unwrap()
            )
        );
    }
    assert!(!by_path.contains_key(format!("{}{}.js", search::TEXT_DIR, docs.len()).as_str()));
    assert!(
        by_path.keys().all(|p| !p.contains("/x-")),
        "no text shards of neighbouring pages"
    );
}

/// A page of `words` words, its last word unique.
fn long_page(words: usize) -> String {
    let pool = [
        "glacier", "estuary", "sediment", "spectrum", "protein", "enzyme",
    ];
    let mut body = String::with_capacity(words * 9);
    for i in 0..words - 1 {
        body.push_str(pool[i % pool.len()]);
        body.push(if i % 12 == 11 { '\n' } else { ' ' });
        if i % 600 == 599 {
            body.push('\n');
        }
    }
    body.push_str("zanzibarite.\n");
    body
}

#[test]
fn every_word_of_a_long_page_is_found_and_its_snippet_text_stays_small() {
    // Through the real build, with the default settings: nothing truncated.
    let site = harness::Site::fixture("basic");
    site.write(
        "content/notes/long.md",
        &format!(
            "+++\ntitle = \"A long note\"\n+++\n\n{}\n## Last words\n\n{}",
            long_page(25_000),
            long_page(25_000)
        ),
    );
    site.build().success();
    let (_, meta) = data(&std::fs::read_to_string(site.out().join("search/index.js")).unwrap());
    let docs = meta["docs"].as_array().unwrap();
    let long = docs
        .iter()
        .position(|d| d[1] == "A long note")
        .expect("the long page is indexed");
    let terms = meta["terms"].as_array().unwrap();
    // The word's index term (its English stem, as a query makes it).
    let word = search::Analyzer::new("en").term("zanzibarite").unwrap();
    let last = terms
        .iter()
        .find(|e| e[0] == word.as_str())
        .expect("the page's last word (50,000 words in) is in the index");
    let body = meta["fields"]
        .as_array()
        .unwrap()
        .iter()
        .position(|f| f == "body")
        .unwrap();
    let parts = last.as_array().unwrap();
    let field = parts.iter().position(|p| p == body).unwrap();
    let pages: Vec<u64> = parts[field + 1]
        .as_array()
        .unwrap()
        .chunks(2)
        .scan(0, |d, x| {
            *d += x[0].as_u64().unwrap();
            Some(*d)
        })
        .collect();
    assert_eq!(pages, [long as u64]);
    // Its snippet text is an excerpt per section, not its 50,000 words.
    let text = serde_json::to_string(&meta["texts"][long]).unwrap();
    assert!(text.contains("Last words"), "sections keep their heading");
    assert!(text.len() < 2_000, "{} bytes of snippet text", text.len());
}

#[test]
fn the_build_reports_the_index_size_and_search_can_be_configured() {
    let site = harness::Site::fixture("basic");
    let run = site.build();
    run.success()
        .stderr_has("Search index: 1 file, ")
        .stderr_has(" KB");
    assert!(site.out().join("search/index.js").is_file());

    site.write(
        "config.toml",
        &std::fs::read_to_string(site.root().join("config.toml"))
            .unwrap()
            .replace(
                "[knowledge]",
                "[search]\nfields = [\"title\", \"bodyy\"]\n\n[knowledge]",
            ),
    );
    site.build()
        .failure()
        .stderr_has("unknown search field `bodyy`")
        .stderr_has("did you mean `body`?");

    site.edit(
        "config.toml",
        "fields = [\"title\", \"bodyy\"]",
        "fields = [\"title\"]\ninclude_content = false",
    );
    site.build().success();
    let (_, meta) = data(&std::fs::read_to_string(site.out().join("search/index.js")).unwrap());
    assert_eq!(meta["fields"], serde_json::json!(["title"]));
    assert!(
        meta["texts"].as_array().unwrap().iter().all(|t| t[1]
            .as_array()
            .unwrap()
            .iter()
            .all(|s| s[2] == "")),
        "no body text when include_content = false"
    );

    site.edit(
        "config.toml",
        "fields = [\"title\"]\ninclude_content = false",
        "enabled = false",
    );
    site.build().success().stderr_lacks("Search index");
    assert!(!site.out().join("search/index.js").exists());
}
