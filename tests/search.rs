//! The search index (issue 6): what `search/index.js` holds for the
//! encyclopedia (fields, heading anchors, synonyms, glossary terms), that the
//! file is JavaScript defining the index, sharding of large indexes, and the
//! `[search]` settings.

mod harness;

use std::collections::HashMap;
use std::path::Path;

use fascia::config::SearchConfig;
use fascia::output::{Output, OutputFile};
use fascia::pipeline::{self, BuildOptions};
use fascia::search::{self, DocSection, SearchDoc};
use serde_json::Value;

const PREFIX: &str = "(self.fasciaSearchData=self.fasciaSearchData||{})[";

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

fn text(output: &Output, path: &str) -> String {
    match output.files.get(path) {
        Some(OutputFile::Bytes(b)) => String::from_utf8(b.to_vec()).unwrap(),
        Some(OutputFile::Copy(p)) => std::fs::read_to_string(p).unwrap(),
        None => panic!("no {path} in the output"),
    }
}

/// The key and JSON value a data file registers:
/// `(self.fasciaSearchData=…)["key"]=JSON.parse('…');`.
fn data(src: &str) -> (String, Value) {
    let start = src
        .find(PREFIX)
        .expect("registers in self.fasciaSearchData")
        + PREFIX.len();
    let rest = &src[start..];
    let close = rest.find("]=JSON.parse('").unwrap();
    let key: String = serde_json::from_str(&rest[..close]).unwrap();
    let body = rest[close + "]=JSON.parse('".len()..]
        .trim_end()
        .strip_suffix("');")
        .expect("one statement");
    // Undo the single-quoted string's escapes.
    let mut json = String::with_capacity(body.len());
    let mut chars = body.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            assert_ne!(c, '\'', "unescaped quote");
            json.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => json.push('\\'),
            Some('\'') => json.push('\''),
            Some('n') => json.push('\n'),
            Some('r') => json.push('\r'),
            Some('u') => {
                let hex: String = chars.by_ref().take(4).collect();
                json.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
            }
            other => panic!("unexpected escape {other:?}"),
        }
    }
    (key, serde_json::from_str(&json).expect("the value is JSON"))
}

/// A document's path as the client rebuilds it (see `docPath` in search.js).
fn full_path(meta: &Value, d: &Value) -> String {
    let Ok(sec) = usize::try_from(d[2].as_i64().unwrap()) else {
        return d[0].as_str().unwrap().to_string();
    };
    let base = meta["sections"][sec][1].as_str().unwrap();
    match d[0].as_str() {
        Some(p) if p.starts_with('/') => p.to_string(),
        Some(p) => format!("{base}{p}"),
        None => {
            let title = d[1].as_str().unwrap().to_lowercase();
            let slug: Vec<&str> = title
                .split(|c: char| !c.is_ascii_alphanumeric())
                .filter(|w| !w.is_empty())
                .collect();
            format!("{base}{}/", slug.join("-"))
        }
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

    /// Documents holding `term` in `field`: doc -> term frequency.
    fn postings(&self, term: &str, field: &str) -> HashMap<usize, u64> {
        let f = self.field(field);
        let entry = self.meta["terms"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e[0] == term)
            .unwrap_or_else(|| panic!("term {term} is not indexed"));
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
    assert_eq!(meta["format"], 1);
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
    let total: usize = sections.iter().map(|s| s.2.chars().count()).sum();
    let facts: usize = 3000;
    assert!(
        total <= SearchConfig::default().truncate_content_length + facts,
        "body truncated: {total}"
    );

    // Synonyms: page [extra] synonyms and glossary terms and aliases.
    assert!(idx.postings("scraping", "synonyms").contains_key(&iastm));
    let astym = idx.doc("/techniques/astym/");
    assert!(idx.postings("astym", "synonyms").contains_key(&astym));
    let ims = idx.doc("/techniques/ims/");
    assert!(idx.postings("gunn", "synonyms").contains_key(&ims));
    let phrases = &idx.meta["phrases"];
    assert!(
        phrases["scraping"]
            .as_array()
            .unwrap()
            .contains(&iastm.into())
    );
    assert!(
        phrases["dry needling"]
            .as_array()
            .unwrap()
            .contains(&idx.doc("/techniques/dry-needling/").into())
    );
    assert!(phrases["cao gio"].is_array(), "accents are folded: cạo gió");

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
    let search = text(&output, search::PAGE_FILE);
    assert!(search.contains("id=\"search-page\""));
    assert!(search.contains("class=\"search-status\" role=\"status\""));
    assert!(search.contains("name=\"q\""));
    assert!(!search.contains("<script>") && !search.contains("style=\""));
    for f in [
        "search/search.js",
        "search/search-ui.js",
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

#[test]
fn a_large_index_is_split_into_term_and_text_shards() {
    let docs = synthetic(400);
    let cfg = SearchConfig {
        split_index_above: 20_000,
        shard_size: 4_000,
        max_pages_per_term: 50,
        ..SearchConfig::default()
    };
    let files = search::build(&docs, &cfg);
    let by_path: HashMap<&str, String> = files
        .iter()
        .map(|(p, b)| (p.as_str(), String::from_utf8(b.clone()).unwrap()))
        .collect();
    let (_, meta) = data(&by_path[search::INDEX_FILE]);
    assert!(meta.get("terms").is_none() && meta.get("texts").is_none());
    let firsts: Vec<&str> = meta["termShards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    let starts: Vec<u64> = meta["textShards"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_u64().unwrap())
        .collect();
    assert!(firsts.len() > 3 && starts.len() > 3, "{meta}");
    assert!(
        firsts.windows(2).all(|w| w[0] < w[1]),
        "shards in term order"
    );
    assert_eq!(starts[0], 0);
    assert!(starts.windows(2).all(|w| w[0] < w[1]));
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
    // Text shards cover every document in order.
    let mut count = 0;
    for (n, _) in starts.iter().enumerate() {
        let (_, texts) = data(&by_path[format!("{}x-{n}.js", search::SHARD_DIR).as_str()]);
        count += texts.as_array().unwrap().len();
    }
    assert_eq!(count, docs.len());
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
