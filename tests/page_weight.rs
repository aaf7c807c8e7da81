//! Page weight of the encyclopedia (issue 24): every page a reader opens is
//! under 100 KB of HTML. The print editions hold the whole site on purpose
//! and are left out. The bibliography, whose "Cited by" lists made it 196 KB,
//! links each work to its place on the page of where each work is cited.

use std::collections::BTreeSet;

use fascia::site::DocId;

mod harness;

const LIMIT: usize = 100 * 1024;

/// The `href`s of the `<a>` elements in `html` (attribute order as the
/// theme writes them: `href` first).
fn hrefs(html: &str) -> Vec<&str> {
    html.split("<a href=\"")
        .skip(1)
        .filter_map(|s| s.split('"').next())
        .collect()
}

/// The `<li id="ref-KEY">…</li>` element of `html`.
fn entry<'a>(html: &'a str, key: &str) -> Option<&'a str> {
    let start = html.find(&format!("<li id=\"ref-{key}\">"))?;
    let len = html[start..].find("</li>")?;
    Some(&html[start..start + len])
}

#[test]
fn every_page_but_the_print_editions_is_under_100_kb_and_citations_are_complete() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let files = harness::encyclopedia_html(&out);
    let mut heavy = Vec::new();
    for file in &files {
        let rel = file
            .strip_prefix(&out)
            .unwrap()
            .to_string_lossy()
            .into_owned();
        let len = std::fs::metadata(file).unwrap().len() as usize;
        if len > LIMIT && !rel.ends_with("print/index.html") {
            heavy.push(format!("{rel}: {} KB", len / 1024));
        }
    }
    assert!(heavy.is_empty(), "pages over 100 KB:\n{}", heavy.join("\n"));

    // Every citing page of every work, as the site's graph knows them, is
    // linked from the work's entry on the citations page; the bibliography
    // entry links there with the right count.
    let site = harness::encyclopedia();
    let bibliography = std::fs::read_to_string(out.join("references/index.html")).unwrap();
    let citations = std::fs::read_to_string(out.join("citations/index.html")).unwrap();
    let mut checked = 0;
    let mut folded_seen = 0;
    for (w, work) in site.bibliography.works.iter().enumerate() {
        let cited_by = &site.graph.cited_by[w];
        // A translation whose original cites the work too is left out.
        let folded = |d: DocId| {
            site.lang_of(d) != "en"
                && site
                    .in_language(d, "en")
                    .is_some_and(|o| cited_by.contains(&o))
        };
        let citing: BTreeSet<String> = cited_by
            .iter()
            .filter(|&&d| !folded(d))
            .map(|&d| format!("..{}", site.path_of(d)))
            .collect();
        folded_seen += cited_by.iter().filter(|&&d| folded(d)).count();
        let count = cited_by.len();
        let in_bibliography = entry(&bibliography, &work.key)
            .unwrap_or_else(|| panic!("no entry for {} in the bibliography", work.key));
        if count == 0 {
            assert!(entry(&citations, &work.key).is_none(), "{}", work.key);
            assert!(in_bibliography.contains("Not cited on any page yet."));
            continue;
        }
        let count = if count == 1 {
            "Cited on 1 page".to_string()
        } else {
            format!("Cited on {count} pages")
        };
        assert!(
            in_bibliography.contains(&format!(
                "<a href=\"../citations/#ref-{}\">{count}</a>",
                work.key
            )),
            "{}: {in_bibliography}",
            work.key
        );
        let listed = entry(&citations, &work.key)
            .unwrap_or_else(|| panic!("{} is cited but not on the citations page", work.key));
        let label = format!("../references/#ref-{}", work.key);
        let links: BTreeSet<String> = hrefs(listed)
            .into_iter()
            .filter(|h| *h != label)
            .map(str::to_string)
            .collect();
        assert_eq!(links, citing, "the pages citing {}", work.key);
        assert!(listed.contains(&label), "{listed}");
        checked += 1;
    }
    assert!(checked > 100, "only {checked} cited works checked");
    assert!(folded_seen > 50, "only {folded_seen} translations folded");
    // Relative links resolve to built pages.
    for h in hrefs(&citations)
        .into_iter()
        .filter(|h| h.starts_with("../"))
    {
        let path = h.split('#').next().unwrap();
        let file = out.join("citations").join(path).join("index.html");
        assert!(file.exists(), "{h} from /citations/ leads nowhere");
    }
}
