//! `sitemap.xml` (a sitemap index beyond 50,000 URLs), the Atom feed and
//! `robots.txt`, built from the site without templates.

use std::fmt::Write as _;

use crate::content::Document;
use crate::output::Output;
use crate::render::RenderState;

const SITEMAP_LIMIT: usize = 50_000;

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

fn lastmod(doc: &Document) -> Option<String> {
    let fm = &doc.fm;
    [fm.updated, fm.last_reviewed, fm.date]
        .into_iter()
        .flatten()
        .max()
        .map(|d| d.date().to_string())
}

/// Add sitemap, feed and robots.txt.
pub fn add(st: &RenderState, output: &mut Output) {
    let site = &st.site;
    let cfg = &site.config;
    let mut urls: Vec<(String, Option<String>)> = Vec::new();
    for s in &site.sections {
        if s.doc.fm.render != Some(false) {
            urls.push((cfg.permalink(&s.path), lastmod(&s.doc)));
        }
    }
    for p in &site.pages {
        urls.push((cfg.permalink(&p.path), lastmod(&p.doc)));
    }
    for t in &st.taxonomies {
        urls.push((cfg.permalink(&format!("/{}/", t.slug)), None));
        for term in &t.terms {
            urls.push((cfg.permalink(&term.path), None));
        }
    }
    urls.sort();
    urls.dedup();
    write_sitemaps(output, &urls, &cfg.base_url);
    if !output.files.contains_key("robots.txt") {
        let robots = format!(
            "User-agent: *\nAllow: /\nSitemap: {}/sitemap.xml\n",
            cfg.base_url
        );
        output.insert_bytes("robots.txt".into(), robots.into_bytes());
    }
    if cfg.feed.enabled {
        let feed = atom(st);
        output.insert_bytes(cfg.feed.filename.clone(), feed.into_bytes());
    }
}

/// One `sitemap.xml`, or an index of `sitemap1.xml`... beyond the limit.
pub fn write_sitemaps(output: &mut Output, urls: &[(String, Option<String>)], base_url: &str) {
    let chunk_xml = |chunk: &[(String, Option<String>)]| {
        let mut x = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
        );
        for (loc, lm) in chunk {
            let _ = write!(x, "  <url>\n    <loc>{}</loc>\n", xml_escape(loc));
            if let Some(lm) = lm {
                let _ = writeln!(x, "    <lastmod>{lm}</lastmod>");
            }
            x.push_str("  </url>\n");
        }
        x.push_str("</urlset>\n");
        x
    };
    if urls.len() <= SITEMAP_LIMIT {
        output.insert_bytes("sitemap.xml".into(), chunk_xml(urls).into_bytes());
        return;
    }
    let mut index = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<sitemapindex xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\">\n",
    );
    for (i, chunk) in urls.chunks(SITEMAP_LIMIT).enumerate() {
        let name = format!("sitemap{}.xml", i + 1);
        let _ = write!(
            index,
            "  <sitemap>\n    <loc>{}/{name}</loc>\n  </sitemap>\n",
            xml_escape(base_url)
        );
        output.insert_bytes(name, chunk_xml(chunk).into_bytes());
    }
    index.push_str("</sitemapindex>\n");
    output.insert_bytes("sitemap.xml".into(), index.into_bytes());
}

/// The Atom feed: the most recently updated or reviewed pages.
fn atom(st: &RenderState) -> String {
    let site = &st.site;
    let cfg = &site.config;
    let mut dated: Vec<(jiff::civil::DateTime, usize)> = site
        .pages
        .iter()
        .enumerate()
        .filter_map(|(i, p)| {
            let fm = &p.doc.fm;
            [fm.updated, fm.last_reviewed, fm.date]
                .into_iter()
                .flatten()
                .max()
                .map(|d| (d.datetime, i))
        })
        .collect();
    dated.sort_by(|a, b| {
        b.0.cmp(&a.0)
            .then_with(|| site.pages[a.1].path.cmp(&site.pages[b.1].path))
    });
    dated.truncate(cfg.feed.limit);
    let updated = dated.first().map_or_else(
        || "1970-01-01T00:00:00Z".to_string(),
        |(d, _)| format!("{}Z", d.strftime("%Y-%m-%dT%H:%M:%S")),
    );
    let feed_url = format!("{}/{}", cfg.base_url, cfg.feed.filename);
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"",
    );
    let _ = writeln!(x, " xml:lang=\"{}\">", xml_escape(&cfg.default_language));
    let _ = writeln!(x, "  <title>{}</title>", xml_escape(&cfg.title));
    if !cfg.description.is_empty() {
        let _ = writeln!(x, "  <subtitle>{}</subtitle>", xml_escape(&cfg.description));
    }
    let _ = writeln!(
        x,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        xml_escape(&feed_url)
    );
    let _ = writeln!(
        x,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}/\"/>",
        xml_escape(&cfg.base_url)
    );
    let _ = writeln!(
        x,
        "  <generator uri=\"https://github.com/fascia-ssg/fascia\">fascia</generator>"
    );
    let _ = writeln!(
        x,
        "  <updated>{updated}</updated>\n  <id>{}</id>",
        xml_escape(&feed_url)
    );
    for (date, i) in dated {
        let p = &site.pages[i];
        let url = cfg.permalink(&p.path);
        let _ = writeln!(x, "  <entry>\n    <title>{}</title>", xml_escape(p.title()));
        if let Some(d) = p.doc.fm.date {
            let _ = writeln!(x, "    <published>{}</published>", d.rfc3339());
        }
        let _ = writeln!(
            x,
            "    <updated>{}Z</updated>",
            date.strftime("%Y-%m-%dT%H:%M:%S")
        );
        let _ = writeln!(
            x,
            "    <link rel=\"alternate\" type=\"text/html\" href=\"{}\"/>\n    <id>{}</id>",
            xml_escape(&url),
            xml_escape(&url)
        );
        let summary = p
            .doc
            .fm
            .description
            .clone()
            .unwrap_or_else(|| p.doc.body.text_start.clone());
        let _ = writeln!(
            x,
            "    <summary>{}</summary>\n  </entry>",
            xml_escape(summary.trim())
        );
    }
    x.push_str("</feed>\n");
    x
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sitemap_splits_into_an_index_beyond_fifty_thousand_urls() {
        let urls: Vec<(String, Option<String>)> = (0..120_001)
            .map(|i| {
                (
                    format!("https://ex.org/p{i:06}/"),
                    Some("2026-11-01".into()),
                )
            })
            .collect();
        let mut out = Output::default();
        write_sitemaps(&mut out, &urls, "https://ex.org");
        let index = match &out.files["sitemap.xml"] {
            crate::output::OutputFile::Bytes(b) => String::from_utf8(b.to_vec()).unwrap(),
            crate::output::OutputFile::Copy(_) => unreachable!(),
        };
        assert!(index.contains("<sitemapindex"));
        assert_eq!(index.matches("<sitemap>").count(), 3);
        for n in 1..=3 {
            let key = format!("sitemap{n}.xml");
            let crate::output::OutputFile::Bytes(b) = &out.files[&key] else {
                unreachable!()
            };
            let count = String::from_utf8_lossy(b).matches("<url>").count();
            assert_eq!(count, if n < 3 { 50_000 } else { 20_001 }, "{key}");
        }
        let mut small = Output::default();
        write_sitemaps(&mut small, &urls[..10], "https://ex.org");
        assert_eq!(small.files.len(), 1);
    }
}
