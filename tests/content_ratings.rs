//! The encyclopedia's generated tables against the facts they come from
//! (kept beside `tests/content.rs`, which is at its size limit): the
//! contraindications matrix and the evidence map in the built HTML equal
//! the technique pages' `ratings` facts, every evidence rating is the word
//! its condition page uses in the section it links to, and the strips on
//! technique and condition pages list the same ratings.

use std::collections::HashMap;
use std::path::Path;

use fascia::site::{DocId, Site};

mod harness;

fn site() -> Site {
    harness::encyclopedia()
}

fn built() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    harness::build_encyclopedia(&out, &[]);
    (dir, out)
}

/// The table with `data-field="field"` of a built page, parsed as XML.
fn table(html: &str, field: &str) -> String {
    let start = html
        .find(&format!("data-field=\"{field}\""))
        .unwrap_or_else(|| panic!("no {field} table"));
    let open = html[..start].rfind("<table").unwrap();
    let end = start + html[start..].find("</table>").unwrap() + "</table>".len();
    html[open..end].to_string()
}

fn text(n: roxmltree::Node) -> String {
    n.descendants()
        .filter(roxmltree::Node::is_text)
        .map(|t| t.text().unwrap_or(""))
        .collect::<String>()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
}

/// A cell: its data-rule (none when empty), the rule link, its whole text.
type Cell = (Option<String>, Option<String>, String);

/// A parsed matrix: column heads (text, href), then rows of (head, cells),
/// each cell (data-rule or none, the rule link's href, its whole text).
struct Matrix {
    cols: Vec<(String, Option<String>)>,
    rows: Vec<(String, Vec<Cell>)>,
}

fn parse(xml: &str) -> Matrix {
    let doc = roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}: {xml}"));
    let head = |n: roxmltree::Node| {
        let href = n
            .descendants()
            .find(|a| a.has_tag_name("a"))
            .and_then(|a| a.attribute("href").map(str::to_string));
        (text(n), href)
    };
    let thead = doc.descendants().find(|n| n.has_tag_name("thead")).unwrap();
    let cols = thead
        .descendants()
        .filter(|n| n.has_tag_name("th"))
        .skip(1)
        .map(head)
        .collect();
    let tbody = doc.descendants().find(|n| n.has_tag_name("tbody")).unwrap();
    let rows = tbody
        .children()
        .filter(|n| n.has_tag_name("tr"))
        .map(|tr| {
            let th = tr.children().find(|n| n.has_tag_name("th")).unwrap();
            assert_eq!(th.attribute("scope"), Some("row"));
            let cells = tr
                .children()
                .filter(|n| n.has_tag_name("td"))
                .map(|td| {
                    let link = td
                        .descendants()
                        .find(|a| a.attribute("class") == Some("rating-rule"))
                        .and_then(|a| a.attribute("href").map(str::to_string));
                    (
                        td.attribute("data-rule").map(str::to_string),
                        link,
                        text(td),
                    )
                })
                .collect();
            (text(th), cells)
        })
        .collect();
    Matrix { cols, rows }
}

fn page_of(s: &Site, permalink: &str) -> DocId {
    s.doc_ids()
        .find(|&d| s.permalink_of(d) == permalink)
        .unwrap_or_else(|| panic!("no page at {permalink}"))
}

fn rating<'a>(
    s: &'a Site,
    id: DocId,
    field: &str,
    key: &str,
) -> Option<&'a fascia::knowledge::ratings::Rating> {
    s.graph.ratings[s.slot(id)]
        .iter()
        .find(|set| set.field == field)?
        .ratings
        .iter()
        .find(|r| r.key == key)
}

fn built_page(out: &Path, permalink: &str) -> String {
    let path = permalink
        .trim_start_matches("https://encyclopedia.example.org/")
        .split('#')
        .next()
        .unwrap();
    std::fs::read_to_string(out.join(path).join("index.html"))
        .unwrap_or_else(|e| panic!("{permalink}: {e}"))
}

#[test]
fn the_contraindications_matrix_equals_the_technique_facts() {
    let s = site();
    let (_dir, out) = built();
    let html = std::fs::read_to_string(out.join("safety/contraindications/index.html")).unwrap();
    let m = parse(&table(&html, "safety_rules"));
    let field = &s.config.facts.fields["safety_rules"];
    // Every technique page with rules is a column, every situation a row.
    let rated: Vec<DocId> = s
        .doc_ids()
        .filter(|&d| {
            s.graph.ratings[s.slot(d)]
                .iter()
                .any(|r| r.field == "safety_rules")
        })
        .collect();
    assert_eq!(m.cols.len(), rated.len());
    assert!(m.cols.len() >= 4, "massage, instruments and needling");
    let labels: Vec<&String> = field.rows.values().collect();
    let heads: Vec<&String> = m.rows.iter().map(|(h, _)| h).collect();
    assert_eq!(heads, labels);
    for (c, (_, href)) in m.cols.iter().enumerate() {
        let page = page_of(&s, href.as_deref().unwrap());
        for (r, key) in field.rows.keys().enumerate() {
            let (rule, _, cell_text) = &m.rows[r].1[c];
            let want = rating(&s, page, "safety_rules", key)
                .unwrap_or_else(|| panic!("{} states no rule for {key}", s.path_of(page)));
            assert_eq!(
                rule.as_deref(),
                Some(want.rule.as_str()),
                "{key} x {}",
                s.path_of(page)
            );
            assert!(
                cell_text.contains(&want.note),
                "{cell_text:?} lacks {:?}",
                want.note
            );
            for key in &want.cite {
                let w = &s.bibliography.works[s.bibliography.by_key[key]];
                assert!(
                    cell_text.contains(&w.short_label()),
                    "{cell_text:?} lacks {key}"
                );
            }
        }
    }
    // The corrections of issue 21 are in the facts, and so in the table.
    let col = |name: &str| m.cols.iter().position(|(t, _)| t.contains(name)).unwrap();
    let row = |label: &str| m.rows.iter().position(|(h, _)| h == label).unwrap();
    let rule = |r: usize, c: usize| m.rows[r].1[c].0.clone().unwrap();
    let infection = row("Infected or inflamed skin");
    assert_eq!(rule(infection, col("Dry Needling")), "contraindicated");
    assert_eq!(rule(infection, col("Acupuncture")), "contraindicated");
    assert_eq!(
        rule(infection, col("Soft-Tissue Massage")),
        "contraindicated"
    );
    assert_eq!(rule(row("Pregnancy"), col("Dry Needling")), "precaution");
    assert_eq!(
        rule(row("Known or suspected DVT"), col("IASTM")),
        "contraindicated"
    );
    assert_eq!(
        rule(row("Known or suspected DVT"), col("Dry Needling")),
        "precaution"
    );
}

#[test]
fn the_evidence_map_equals_the_facts_and_its_links_resolve() {
    let s = site();
    let (_dir, out) = built();
    let html = std::fs::read_to_string(out.join("evidence/evidence-map/index.html")).unwrap();
    let m = parse(&table(&html, "evidence"));
    let conditions: Vec<DocId> = m
        .cols
        .iter()
        .map(|(_, h)| page_of(&s, h.as_deref().unwrap()))
        .collect();
    let condition_pages = s
        .pages
        .iter()
        .filter(|p| p.doc.file.rel.starts_with("conditions/"))
        .count();
    assert_eq!(
        conditions.len(),
        condition_pages,
        "a column per condition page"
    );
    assert!(m.rows.len() >= 10, "only {} techniques", m.rows.len());
    let mut anchors: HashMap<String, String> = HashMap::new();
    let mut rated = 0;
    for (head, cells) in &m.rows {
        let technique = s
            .doc_ids()
            .find(|&d| s.title_of(d) == head)
            .unwrap_or_else(|| panic!("no technique {head}"));
        for (c, &condition) in conditions.iter().enumerate() {
            let name = s
                .doc(condition)
                .file
                .rel
                .trim_start_matches("conditions/")
                .trim_end_matches(".md");
            let (rule, link, cell) = &cells[c];
            match rating(&s, technique, "evidence", name) {
                None => {
                    assert_eq!(rule, &None);
                    assert_eq!(cell, "not studied in the sources");
                }
                Some(r) => {
                    rated += 1;
                    assert_eq!(rule.as_deref(), Some(r.rule.as_str()), "{head} x {name}");
                    assert!(cell.starts_with(&r.rule), "the word is written: {cell:?}");
                    let link = link.as_deref().unwrap();
                    let (page, anchor) = link.split_once('#').unwrap();
                    let target = anchors
                        .entry(page.to_string())
                        .or_insert_with(|| built_page(&out, page));
                    assert!(
                        target.contains(&format!("id=\"{anchor}\"")),
                        "{link} does not resolve"
                    );
                }
            }
        }
    }
    assert!(rated >= 40, "only {rated} rated cells");
}

/// The text of the section of `body` whose heading has id `anchor`, down to
/// the next heading of the same or a higher level (`{#id}` or a slug).
fn section<'a>(body: &'a str, anchor: &str) -> &'a str {
    let mut start = None;
    let mut level = 0;
    let mut offset = 0;
    for line in body.split_inclusive('\n') {
        let hashes = line.bytes().take_while(|&b| b == b'#').count();
        if hashes > 0 && line.as_bytes().get(hashes) == Some(&b' ') {
            let title = line[hashes..].trim();
            let id = title.split_once("{#").map_or_else(
                || {
                    title
                        .to_lowercase()
                        .chars()
                        .filter_map(|c| match c {
                            'a'..='z' | '0'..='9' => Some(c),
                            ' ' | '-' => Some('-'),
                            _ => None,
                        })
                        .collect::<String>()
                },
                |(_, id)| id.trim_end_matches('}').to_string(),
            );
            match start {
                Some(s) if hashes <= level => return &body[s..offset],
                None if id == anchor => {
                    start = Some(offset);
                    level = hashes;
                }
                _ => {}
            }
        }
        offset += line.len();
    }
    start.map_or("", |s| &body[s..])
}

/// `text` with each `{{ review_figure(key="k", fact="f") }}` replaced by the
/// figure it prints.
fn expand_figures(text: &str, figures: &toml::Table) -> String {
    let mut out = text.to_string();
    while let Some(i) = out.find("{{ review_figure(key=\"") {
        let end = i + out[i..].find("}}").unwrap() + 2;
        let call = &out[i..end];
        let arg = |name: &str| {
            let a = &call[call.find(&format!("{name}=\"")).unwrap() + name.len() + 2..];
            a[..a.find('"').unwrap()].to_string()
        };
        let value = figures["reviews"][&arg("key")][&arg("fact")]
            .as_str()
            .unwrap()
            .to_string();
        out.replace_range(i..end, &value);
    }
    out
}

#[test]
fn every_evidence_rating_is_what_its_condition_page_says() {
    let s = site();
    let figures: toml::Table =
        toml::from_str(&std::fs::read_to_string(s.root.join("data/review_figures.toml")).unwrap())
            .unwrap();
    let mut problems = Vec::new();
    let mut checked = 0;
    for id in s.doc_ids() {
        for set in s.graph.ratings[s.slot(id)]
            .iter()
            .filter(|r| r.field == "evidence")
        {
            for r in &set.ratings {
                let see = r.see.as_deref().unwrap_or_default();
                let (page, anchor) = see
                    .trim_start_matches("@/")
                    .split_once('#')
                    .unwrap_or((see, ""));
                let doc = s.doc(s.by_rel(page).unwrap());
                assert!(
                    page == format!("conditions/{}.md", r.key),
                    "{see} is not on the rated page"
                );
                let text = expand_figures(section(&s.source(doc), anchor), &figures)
                    .to_lowercase()
                    .replace(['-', '*'], " ");
                if text.is_empty() {
                    problems.push(format!("{}: no section #{anchor} on {page}", s.path_of(id)));
                } else if !text.contains(&r.rule) {
                    problems.push(format!(
                        "{} x {}: `{}` not in #{anchor}",
                        s.path_of(id),
                        r.key,
                        r.rule
                    ));
                }
                if r.rule != "insufficient" && r.cite.is_empty() {
                    problems.push(format!(
                        "{} x {}: a rating with no citation",
                        s.path_of(id),
                        r.key
                    ));
                }
                for key in &r.cite {
                    if !text.contains(&format!("ref:{key}")) {
                        problems.push(format!(
                            "{} x {}: {key} not cited in #{anchor}",
                            s.path_of(id),
                            r.key
                        ));
                    }
                }
                checked += 1;
            }
        }
    }
    assert!(checked >= 40);
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn strips_on_technique_and_condition_pages_list_the_same_ratings() {
    let s = site();
    let (_dir, out) = built();
    let dn = std::fs::read_to_string(out.join("techniques/dry-needling/index.html")).unwrap();
    let lbp = std::fs::read_to_string(out.join("conditions/low-back-pain/index.html")).unwrap();
    let technique = s.by_rel("techniques/dry-needling.md").unwrap();
    let r = rating(&s, technique, "evidence", "low-back-pain").unwrap();
    let item = format!(
        "<li class=\"rating shade-3\" data-rule=\"{}\"><a href=\"https://encyclopedia.example.org/conditions/low-back-pain/#dry-needling\">",
        r.rule
    );
    assert!(dn.contains(&item), "the technique strip lacks {item}");
    assert!(lbp.contains(&item), "the condition strip lacks {item}");
    assert!(dn.contains("<h2 id=\"strip-evidence-rates\">Certainty of evidence by condition</h2>"));
    assert!(
        lbp.contains(
            "<h2 id=\"strip-evidence-rated_by\">Techniques studied for this condition</h2>"
        )
    );
    let strip = &lbp[lbp.find("strip-evidence-rated_by").unwrap()..];
    let strip = &strip[..strip.find("</section>").unwrap()];
    let raters = s
        .doc_ids()
        .filter(|&d| rating(&s, d, "evidence", "low-back-pain").is_some())
        .count();
    assert_eq!(strip.matches("<li ").count(), raters);
}
