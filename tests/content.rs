//! Quality bars of the encyclopedia in `site/`, checked on every run.

use std::collections::HashSet;
use std::path::Path;

use fascia::site::{DocId, Site};

mod harness;

fn site() -> Site {
    harness::encyclopedia()
}

fn section_of(rel: &str) -> &str {
    rel.split('/').next().unwrap_or("")
}

fn pages_in<'a>(
    site: &'a Site,
    section: &'a str,
) -> impl Iterator<Item = (usize, &'a fascia::content::Page)> + 'a {
    site.pages.iter().enumerate().filter(move |(_, p)| {
        section_of(&p.doc.file.rel) == section && p.doc.file.rel.contains('/')
    })
}

#[test]
fn has_the_required_pages() {
    let s = site();
    let rels: HashSet<&str> = s.pages.iter().map(|p| p.doc.file.rel.as_str()).collect();
    let techniques = [
        "iastm",
        "graston-technique",
        "astym",
        "gua-sha",
        "ims",
        "dry-needling",
        "acupuncture",
        "soft-tissue-massage",
        "spa-massage",
        "clinical-massage",
        "swedish-massage",
        "effleurage",
        "petrissage",
        "friction",
        "tapotement",
        "stretching",
        "myofascial-release",
        "trigger-point-therapy",
        "deep-tissue-massage",
        "neuromuscular-therapy",
    ];
    let conditions = [
        "tendinopathy",
        "strains-and-sprains",
        "fibromyalgia",
        "low-back-pain",
        "neck-pain",
        "tension-type-headache",
        "osteoarthritis",
        "post-surgical-scar-tissue",
        "myofascial-pain-syndrome",
        "sports-injuries",
    ];
    for t in techniques {
        assert!(
            rels.contains(format!("techniques/{t}.md").as_str()),
            "missing technique {t}"
        );
    }
    for c in conditions {
        assert!(
            rels.contains(format!("conditions/{c}.md").as_str()),
            "missing condition {c}"
        );
    }
    for section in [
        "techniques",
        "comparisons",
        "conditions",
        "safety",
        "evidence",
        "about",
    ] {
        assert!(
            s.by_rel(&format!("{section}/_index.md")).is_some(),
            "missing section {section}"
        );
    }
    assert!(rels.contains("glossary.md") && rels.contains("references.md"));
    assert!(
        s.glossary.terms.len() >= 40,
        "glossary has {} terms",
        s.glossary.terms.len()
    );
}

#[test]
fn technique_pages_fill_every_fact() {
    let s = site();
    // `ratings` fields (rules by situation, evidence by condition) are rated
    // where the sources say something; tests/content_ratings.rs checks them.
    let fields: Vec<&String> = s
        .config
        .facts
        .fields
        .iter()
        .filter(|(_, f)| f.kind != fascia::config::FactKind::Ratings)
        .map(|(k, _)| k)
        .collect();
    for (i, p) in pages_in(&s, "techniques") {
        let facts = &s.graph.facts[s.slot(DocId::Page(i))];
        let have: HashSet<&str> = facts.iter().map(|f| f.key.as_str()).collect();
        let missing: Vec<&&String> = fields
            .iter()
            .filter(|f| !have.contains(f.as_str()))
            .collect();
        assert!(
            missing.is_empty(),
            "{} lacks facts {missing:?}",
            p.doc.file.rel
        );
    }
}

#[test]
fn comparisons_compare_exactly_the_intended_pages() {
    let s = site();
    let expect = [
        (
            "comparisons/iastm-graston-astym.md",
            vec![
                "techniques/iastm.md",
                "techniques/graston-technique.md",
                "techniques/astym.md",
            ],
        ),
        (
            "comparisons/dry-needling-vs-acupuncture.md",
            vec![
                "techniques/ims.md",
                "techniques/dry-needling.md",
                "techniques/acupuncture.md",
            ],
        ),
        (
            "comparisons/spa-vs-clinical-massage.md",
            vec![
                "techniques/spa-massage.md",
                "techniques/clinical-massage.md",
            ],
        ),
    ];
    for (page, targets) in expect {
        let id = s.by_rel(page).unwrap_or_else(|| panic!("missing {page}"));
        let doc = s.doc(id);
        let compared: Vec<&str> = doc
            .fm
            .compare
            .iter()
            .map(|c| c.trim_start_matches("@/"))
            .collect();
        assert_eq!(compared, targets, "{page}");
        let table = s.graph.comparisons[s.slot(id)]
            .as_ref()
            .expect("comparison table built");
        assert_eq!(table.columns.len(), targets.len());
        assert!(
            table.rows.len() >= 15,
            "{page}: only {} rows",
            table.rows.len()
        );
        assert!(
            doc.body.shortcodes.iter().any(|c| c.name == "comparison"),
            "{page} does not place the table"
        );
    }
}

#[test]
fn pages_are_long_enough() {
    let s = site();
    for (section, min) in [
        ("techniques", 500),
        ("conditions", 500),
        ("comparisons", 900),
    ] {
        for (_, p) in pages_in(&s, section) {
            if p.doc.file.rel.ends_with("_index.md") {
                continue;
            }
            let words = p.doc.body.word_count;
            assert!(
                words >= min,
                "{} has {words} words, needs {min}",
                p.doc.file.rel
            );
        }
    }
}

#[test]
fn every_page_is_reviewed_described_cited_and_linked() {
    let s = site();
    let mut problems = Vec::new();
    for id in s.doc_ids() {
        let doc = s.doc(id);
        let rel = doc.file.rel.as_str();
        let slot = s.slot(id);
        // A language's home page made up by the engine has no file. (A
        // one-shot build drops sources once parsed: read them again.)
        let text = s.source(doc);
        if text.is_empty() {
            continue;
        }
        if doc.fm.last_reviewed.is_none() {
            problems.push(format!("{rel}: no last_reviewed"));
        }
        match &doc.fm.description {
            Some(d) if d.chars().count() < 160 => {}
            Some(d) => problems.push(format!(
                "{rel}: description has {} characters",
                d.chars().count()
            )),
            None => problems.push(format!("{rel}: no description")),
        }
        if matches!(id, DocId::Section(_)) {
            continue;
        }
        // The index of where each work is cited lists citations; it makes
        // none of its own.
        let is_about = section_of(rel) == "about" || rel == "citations.md";
        if !is_about && s.graph.references[slot].len() < 2 {
            problems.push(format!(
                "{rel}: cites {} works",
                s.graph.references[slot].len()
            ));
        }
        if s.graph.outgoing[slot].len() < 3 {
            problems.push(format!(
                "{rel}: {} outbound links",
                s.graph.outgoing[slot].len()
            ));
        }
        let inbound: HashSet<DocId> = s.graph.backlinks[slot].iter().map(|b| b.source).collect();
        // A translation is linked from the pages of its language only, and
        // a partial translation has fewer of them: one is the bar there.
        let needed = if doc.lang.is_some() { 1 } else { 2 };
        if inbound.len() < needed {
            problems.push(format!("{rel}: {} inbound links", inbound.len()));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Words as `scripts/source_shingles.py` reads them: lower-cased, the typographic
/// apostrophe as `'`, split at every character that is not an ASCII letter or digit.
fn shingle_words(t: &str) -> Vec<String> {
    t.to_lowercase()
        .replace('\u{2019}', "'")
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// The length of the runs of words compared (`WINDOW` in the script).
const SHINGLE: usize = 10;

fn fnv1a64(s: &str) -> u64 {
    s.bytes().fold(0xcbf2_9ce4_8422_2325, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

fn read_shingles(text: &str) -> HashSet<u64> {
    text.lines()
        .filter(|l| !l.starts_with('#') && !l.is_empty())
        .map(|l| u64::from_str_radix(l, 16).unwrap_or_else(|e| panic!("bad hash {l:?}: {e}")))
        .collect()
}

/// Every run of [`SHINGLE`] words of `text` whose hash is in `shingles`.
fn copied_runs(text: &str, shingles: &HashSet<u64>) -> Vec<String> {
    shingle_words(text)
        .windows(SHINGLE)
        .map(|w| w.join(" "))
        .filter(|run| shingles.contains(&fnv1a64(run)))
        .collect()
}

#[test]
fn the_shingle_script_and_this_test_read_words_alike() {
    // A made-up source text through the real script: a page that copies ten of
    // its words in a row (with other case, punctuation and apostrophes) is caught,
    // one that copies nine is not.
    let dir = tempfile::tempdir().unwrap();
    let sources = dir.path().join("sources");
    std::fs::create_dir(&sources).unwrap();
    std::fs::write(
        sources.join("a.txt"),
        "The instrument\u{2019}s edge glides over the fascia while the clinician watches the skin redden slowly.",
    )
    .unwrap();
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/source_shingles.py");
    let out = std::process::Command::new("python3")
        .arg(&script)
        .arg(&sources)
        .output()
        .expect("python3 runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let shingles = read_shingles(&String::from_utf8(out.stdout).unwrap());
    assert_eq!(shingles.len(), 16 - SHINGLE + 1);
    let copied =
        "As noted, THE INSTRUMENT'S EDGE glides -- over the fascia, while the clinician: watches.";
    assert_eq!(copied_runs(copied, &shingles).len(), 3, "{copied}");
    let nine = "the instrument's edge glides over the fascia while";
    assert!(copied_runs(nine, &shingles).is_empty());
}

#[test]
fn no_run_of_words_is_copied_from_a_source_text() {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/source-shingles.txt");
    let shingles = read_shingles(&std::fs::read_to_string(&path).unwrap());
    assert!(
        shingles.len() > 2000,
        "{} holds too few runs",
        path.display()
    );
    let s = site();
    let mut copied = Vec::new();
    for id in s.doc_ids() {
        let doc = s.doc(id);
        for run in copied_runs(&s.source(doc), &shingles) {
            copied.push(format!("{}: {run}", doc.file.rel));
        }
    }
    assert!(
        copied.is_empty(),
        "{SHINGLE} words in a row copied from a source text (quote them, or say it anew):\n{}",
        copied.join("\n")
    );
}

#[test]
fn every_citation_is_in_the_fact_sheet_bibliography() {
    let s = site();
    assert!(s.bibliography.works.len() >= 100);
    for w in &s.bibliography.works {
        assert!(
            w.doi.is_some() || w.url.is_some() || w.archived.is_some(),
            "{} has no DOI, URL or archive note",
            w.key
        );
    }
}

// ---------------------------------------------------------------------------
// Internal words on public pages

/// The text a reader sees in an HTML page: scripts, styles, comments and tags
/// removed, the common entities decoded, the typographic apostrophe as `'`.
fn visible_text(html: &str) -> String {
    let lower = html.to_ascii_lowercase();
    let mut out = String::with_capacity(html.len() / 2);
    let mut i = 0;
    while i < html.len() {
        let rest = &lower[i..];
        let skip_to = |open: &str, close: &str| -> Option<usize> {
            if rest.starts_with(open) {
                Some(rest.find(close).map_or(html.len(), |e| i + e + close.len()))
            } else {
                None
            }
        };
        if let Some(end) = skip_to("<!--", "-->")
            .or_else(|| skip_to("<script", "</script>"))
            .or_else(|| skip_to("<style", "</style>"))
        {
            out.push(' ');
            i = end;
        } else if rest.starts_with('<') {
            i = rest.find('>').map_or(html.len(), |e| i + e + 1);
            out.push(' ');
        } else {
            let ch = html[i..].chars().next().unwrap();
            out.push(ch);
            i += ch.len_utf8();
        }
    }
    out.replace("&amp;", "&")
        .replace("&#39;", "'")
        .replace("&#x27;", "'")
        .replace("&quot;", "\"")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&nbsp;", " ")
        .replace('\u{2019}', "'")
}

/// Whether `text` holds a source-file name of the form `000_0123456789abcdef`.
fn has_source_file_name(text: &str) -> bool {
    let b = text.as_bytes();
    (0..b.len().saturating_sub(19)).any(|i| {
        b[i..i + 3].iter().all(u8::is_ascii_digit)
            && b[i + 3] == b'_'
            && b[i + 4..i + 20]
                .iter()
                .all(|c| c.is_ascii_digit() || (b'a'..=b'f').contains(c))
            && (i == 0 || !b[i - 1].is_ascii_alphanumeric())
            && b.get(i + 20).is_none_or(|c| !c.is_ascii_alphanumeric())
    })
}

/// The internal words found in a reader's text, each with a little context.
fn internal_words(text: &str) -> Vec<String> {
    let lower = text.to_lowercase();
    let mut found = Vec::new();
    let context = |at: usize| {
        let start = lower[..at]
            .char_indices()
            .rev()
            .nth(40)
            .map_or(0, |(i, _)| i);
        let end = lower[at..]
            .char_indices()
            .nth(60)
            .map_or(lower.len(), |(i, _)| at + i);
        lower[start..end]
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
    };
    let mut at = 0;
    for word in lower.split(|c: char| !c.is_alphanumeric()) {
        if word == "seed" || word == "seeds" {
            found.push(format!("the word {word:?}: …{}…", context(at)));
        }
        at += word.len()
            + lower[at + word.len()..]
                .chars()
                .next()
                .map_or(0, char::len_utf8);
    }
    for phrase in ["archive file", ".txt", "editors' archive", "fact sheet"] {
        if let Some(i) = lower.find(phrase) {
            found.push(format!("{phrase:?}: …{}…", context(i)));
        }
    }
    if has_source_file_name(&lower) {
        found.push("a source-file name (ddd_ + 16 hex digits)".into());
    }
    found
}

#[test]
fn the_internal_word_check_finds_what_it_should() {
    let page = "<html><head><style>.seed{}</style><script>var seed = 1;</script></head>\
        <body><p title=\"seed\">Clean text about massage.</p><!-- seed --></body></html>";
    assert!(internal_words(&visible_text(page)).is_empty());
    for bad in [
        "<p>The clinical massage Seed warns</p>",
        "<li>Seed text 000_dc353c1557f78d9a.txt in the editors&#39; archive</li>",
        "<p>see the archive file</p>",
        "<p>stored as notes.TXT</p>",
        "<p>copy 004_da5f50ac3d6887cd</p>",
        "<p>read for the editors\u{2019} fact sheet</p>",
    ] {
        assert!(!internal_words(&visible_text(bad)).is_empty(), "{bad}");
    }
    assert!(internal_words(&visible_text("<p>seedling 123_abc</p>")).is_empty());
}

#[test]
fn no_public_page_shows_internal_words() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let files = harness::encyclopedia_html(&out);
    let mut problems = Vec::new();
    for file in &files {
        let html = std::fs::read_to_string(file).unwrap();
        for word in internal_words(&visible_text(&html)) {
            problems.push(format!(
                "{}: {word}",
                file.strip_prefix(&out).unwrap().display()
            ));
        }
    }
    assert!(
        problems.is_empty(),
        "internal words on public pages:\n{}",
        problems.join("\n")
    );
}

/// The pages added for issue 21: two techniques, three regional conditions and
/// two safety topics.
const ISSUE_21_PAGES: [&str; 7] = [
    "techniques/cupping.md",
    "techniques/foam-rolling.md",
    "conditions/plantar-heel-pain.md",
    "conditions/shoulder-pain.md",
    "conditions/lateral-elbow-pain.md",
    "safety/massage-in-pregnancy.md",
    "safety/massage-and-cancer.md",
];

#[test]
fn the_issue_21_pages_exist_and_meet_the_bars() {
    let s = site();
    let ids: Vec<DocId> = ISSUE_21_PAGES
        .iter()
        .map(|rel| s.by_rel(rel).unwrap_or_else(|| panic!("missing {rel}")))
        .collect();
    let new: HashSet<DocId> = ids.iter().copied().collect();
    let mut problems = Vec::new();
    for (rel, id) in ISSUE_21_PAGES.iter().zip(&ids) {
        let doc = s.doc(*id);
        let slot = s.slot(*id);
        if doc.fm.last_reviewed.is_none() {
            problems.push(format!("{rel}: no last_reviewed"));
        }
        if doc
            .fm
            .description
            .as_deref()
            .is_none_or(|d| d.chars().count() >= 160)
        {
            problems.push(format!("{rel}: no description under 160 characters"));
        }
        if doc.body.word_count < 500 {
            problems.push(format!("{rel}: {} words", doc.body.word_count));
        }
        let cited = &s.graph.references[slot];
        if cited.len() < 2 {
            problems.push(format!("{rel}: cites {} works", cited.len()));
        }
        // Evidence, not only vendor or practitioner pages: at least one review,
        // trial or guideline.
        if !cited.iter().any(|&w| {
            matches!(
                s.bibliography.works[w].kind.as_str(),
                "review" | "trial" | "guideline"
            )
        }) {
            problems.push(format!("{rel}: cites no review, trial or guideline"));
        }
        if s.graph.outgoing[slot].len() < 3 {
            problems.push(format!(
                "{rel}: {} outbound links",
                s.graph.outgoing[slot].len()
            ));
        }
        // Readers reach each new page from the existing encyclopedia, not only
        // from the other new pages.
        let from_existing: HashSet<DocId> = s.graph.backlinks[slot]
            .iter()
            .map(|b| b.source)
            .filter(|src| !new.contains(src))
            .collect();
        if from_existing.len() < 2 {
            problems.push(format!(
                "{rel}: linked from {} existing pages",
                from_existing.len()
            ));
        }
        if rel.starts_with("techniques/") && s.graph.facts[slot].is_empty() {
            problems.push(format!("{rel}: no facts box"));
        }
        let lower = s.source(doc).to_lowercase();
        for word in ["seed", "archive", ".txt"] {
            if lower.contains(word) {
                problems.push(format!("{rel}: says {word:?}"));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Every condition page says what guidelines recommend first (usually exercise
/// and education), under a `{#first-line-care}` heading, citing a guideline,
/// so that massage, instruments or needles are not read as the main treatment.
#[test]
fn every_condition_page_states_first_line_care_from_a_guideline() {
    let s = site();
    let mut problems = Vec::new();
    for (i, p) in pages_in(&s, "conditions") {
        let rel = p.doc.file.rel.as_str();
        if rel.ends_with("_index.md") {
            continue;
        }
        if !p
            .doc
            .body
            .headings
            .iter()
            .any(|h| h.id == "first-line-care")
        {
            problems.push(format!("{rel}: no {{#first-line-care}} section"));
        }
        let cited = &s.graph.references[s.slot(DocId::Page(i))];
        if !cited
            .iter()
            .any(|&w| s.bibliography.works[w].kind == "guideline")
        {
            problems.push(format!("{rel}: cites no guideline"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    // Loading exercise for tendon pain is graded, with its evidence cited.
    let t = s.doc(s.by_rel("conditions/tendinopathy.md").unwrap());
    assert!(
        !s.source(t).contains("does not grade it"),
        "tendinopathy still declines to grade loading exercise"
    );
    let slot = s.slot(s.by_rel("conditions/tendinopathy.md").unwrap());
    assert!(
        s.graph.references[slot]
            .iter()
            .any(|&w| s.bibliography.works[w].key == "karanasios2021"),
        "tendinopathy does not cite the exercise meta-analysis"
    );
}
