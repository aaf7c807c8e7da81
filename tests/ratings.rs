//! `ratings` facts on the fixture `tests/fixtures/ratings`: the built-in
//! `fact_matrix` shortcode and `get_fact_strips` render what the pages
//! state; mistakes in ratings are errors at `file:line:col`; `fascia check`
//! warns where a page states a figure its figures file contradicts.

mod harness;

use harness::Site;

/// The `<td>`s of the table with `data-field="field"`, row by row, as
/// (data-rule or "empty", the cell's text).
fn cells(html: &str, field: &str) -> Vec<Vec<(String, String)>> {
    let start = html
        .find(&format!("data-field=\"{field}\""))
        .unwrap_or_else(|| panic!("no table for {field}"));
    let table = &html[start..start + html[start..].find("</table>").unwrap()];
    let body = &table[table.find("<tbody>").unwrap()..];
    body.split("<tr>")
        .skip(1)
        .map(|row| {
            row.split("<td ")
                .skip(1)
                .map(|td| {
                    let rule = td
                        .split_once("data-rule=\"")
                        .map_or("empty".to_string(), |(_, r)| {
                            r[..r.find('"').unwrap()].to_string()
                        });
                    let inner = &td[td.find('>').unwrap() + 1..td.find("</td>").unwrap()];
                    (rule, strip_tags(inner))
                })
                .collect()
        })
        .collect()
}

fn strip_tags(html: &str) -> String {
    let mut out = String::new();
    let mut in_tag = false;
    for c in html.chars() {
        match c {
            '<' => in_tag = true,
            '>' => in_tag = false,
            c if !in_tag => out.push(c),
            _ => {}
        }
    }
    out.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn the_matrix_shows_each_pages_ratings_both_ways_round() {
    let site = Site::fixture("ratings");
    site.build().success();
    let html = site.read("map/index.html");
    // The evidence map: a row per rating page (by title), a column per page
    // of the `cond` section, empty cells saying so.
    let map = cells(&html, "evidence");
    assert_eq!(
        map,
        vec![
            vec![
                ("moderate".into(), "moderate (Jones 2019)".into()),
                ("empty".into(), "not studied in the sources".into()),
                ("very low".into(), "very low".into()),
            ],
            vec![
                ("low".into(), "low (Smith 2020)".into()),
                ("empty".into(), "not studied in the sources".into()),
                ("empty".into(), "not studied in the sources".into()),
            ],
        ]
    );
    assert!(html.contains(
        "<th scope=\"col\"><a href=\"https://example.org/cond/hip-pain/\">Hip pain</a></th>"
    ));
    assert!(
        html.contains("class=\"rating rule-2 shade-4\""),
        "the top rule gets the top shade"
    );
    assert!(html.contains("href=\"https://example.org/cond/back-pain/#needling\">moderate</a>"));
    // The rules: a row per declared situation, a column per page; the note
    // when it says more than the rule; an organisation's undated work by its
    // abbreviation and title.
    let rules = cells(&html, "rules");
    assert_eq!(
        rules[0][0],
        ("precaution".into(), "precaution (NHS: Clots)".into())
    );
    assert_eq!(
        rules[0][1],
        (
            "contraindicated".into(),
            "contraindicated Avoid the limb (Smith 2020)".into()
        )
    );
    assert_eq!(
        rules[1][1],
        (
            "no specific rule found".into(),
            "no specific rule found".into()
        )
    );
    assert!(html.contains("<th scope=\"row\">Known clot</th>"));
    assert!(html.contains("href=\"https://example.org/tech/rubbing/#safety\">contraindicated</a>"));
}

#[test]
fn strips_list_what_a_page_rates_and_who_rates_it() {
    let site = Site::fixture("ratings");
    site.build().success();
    let needling = site.read("tech/needling/index.html");
    assert!(needling.contains("<h2>Evidence by condition</h2><ul><li data-rule=\"moderate\"><a href=\"https://example.org/cond/back-pain/#needling\">Back pain</a></li><li data-rule=\"very low\"><a href=\"https://example.org/cond/neck-pain/\">Neck pain</a></li></ul><a class=\"map\" href=\"https://example.org/map/\">Map</a>"));
    let back = site.read("cond/back-pain/index.html");
    assert!(back.contains("<h2>Techniques studied</h2><ul><li data-rule=\"moderate\"><a href=\"https://example.org/cond/back-pain/#needling\">Needling</a></li><li data-rule=\"low\"><a href=\"https://example.org/cond/back-pain/#rubbing\">Rubbing</a></li></ul>"));
    assert!(
        !site
            .read("cond/hip-pain/index.html")
            .contains("class=\"strip\"")
    );
}

#[test]
fn a_wrong_rating_is_an_error_at_its_line() {
    let site = Site::fixture("ratings");
    site.edit("content/tech/rubbing.md", "rule = \"low\"", "rule = \"lo\"")
        .edit(
            "content/tech/rubbing.md",
            "[facts.rules.infection]",
            "[facts.rules.infektion]",
        )
        .edit(
            "content/tech/rubbing.md",
            "see = \"#safety\"",
            "see = \"#saftey\"",
        )
        .edit(
            "content/tech/needling.md",
            "[facts.evidence.neck-pain]",
            "[facts.evidence.nek-pain]",
        );
    let run = site.check(&[]);
    run.failure()
        .stderr_has("content/tech/rubbing.md:17:1: error: `lo` is not an allowed rule of facts field `evidence`")
        .stderr_has("did you mean `low`?")
        .stderr_has("content/tech/rubbing.md:13:14: error: `infektion` is not a row of facts field `rules`")
        .stderr_has("did you mean `infection`?")
        .stderr_has("content/tech/needling.md:21:17: error: rated page `cond/nek-pain.md` does not exist");
    // Rows and links are checked once the rest is valid.
    let site = Site::fixture("ratings");
    site.edit(
        "content/tech/rubbing.md",
        "see = \"#safety\"",
        "see = \"#saftey\"",
    )
    .edit(
        "content/tech/needling.md",
        "[facts.evidence.neck-pain]",
        "[facts.evidence.nek-pain]",
    )
    .edit(
        "content/tech/needling.md",
        "cite = [\"nhs\"]",
        "cite = [\"nhss\"]",
    );
    site.check(&[])
        .failure()
        .stderr_has("content/tech/rubbing.md:11:1: error: `see` of rating `rules.clot`: `tech/rubbing.md` has no heading with id `saftey`")
        .stderr_has("content/tech/needling.md:21:17: error: rated page `cond/nek-pain.md` does not exist")
        .stderr_has("did you mean `neck-pain`?")
        .stderr_has("content/tech/needling.md:9:1: error: rating cites `nhss`, which is not in the bibliography");
}

#[test]
fn check_warns_where_a_stated_figure_contradicts_its_source() {
    let site = Site::fixture("ratings");
    site.edit(
        "content/tech/rubbing.md",
        "A review pooled 13 randomized trials ([Smith 2020](ref:smith2020)).",
        "A review pooled 13 randomized trials ([Smith 2020](ref:smith2020)).\nAnother page said 12 randomized trials\n([Smith 2020](ref:smith2020)). It found moderate-certainty evidence ([Smith 2020](ref:smith2020)).",
    );
    let run = site.check(&[]);
    run.success()
        .stderr_has("content/tech/rubbing.md:22:19: warning: states 12 randomized trials for `smith2020`, but its figures say \"13 randomized trials, 12 of them pooled\"")
        .stderr_has("review_figure(key=\"smith2020\", fact=\"trials\")")
        .stderr_has("content/tech/rubbing.md:23:41: warning: calls the evidence of `smith2020` \"moderate\", but its figures rate it \"low\"")
        .stderr_has("review_figure(key=\"smith2020\", fact=\"certainty\")")
        .stderr_lacks("states 13");
    site.check(&["--strict"]).failure();
}
