//! `sitemap.xml` (a sitemap index beyond 50,000 URLs), the Atom feed and
//! `robots.txt`, built from the site without templates.

use std::fmt::Write as _;

use jiff::civil::DateTime;

use crate::content::Document;
use crate::content::date::SiteDate;
use crate::output::Output;
use crate::render::RenderState;
use crate::site::DocId;

const SITEMAP_LIMIT: usize = 50_000;

fn xml_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A document's newest date: updated, reviewed or published.
fn latest(doc: &Document) -> Option<SiteDate> {
    let fm = &doc.fm;
    [fm.updated, fm.last_reviewed, fm.date]
        .into_iter()
        .flatten()
        .max()
}

fn lastmod(doc: &Document) -> Option<String> {
    latest(doc).map(|d| d.date().to_string())
}

/// Add the sitemap and the feeds (robots.txt is a template: [`super::special`]).
pub fn add(st: &RenderState, output: &mut Output) {
    sitemap(st, output);
    add_feeds(st, output, None);
}

/// The sitemap: made from front matter and the site's shape, which a body
/// edit leaves as they were.
fn sitemap(st: &RenderState, output: &mut Output) {
    let site = &st.site;
    let cfg = &site.config;
    let mut urls: Vec<SitemapUrl> = Vec::new();
    for id in site.doc_ids() {
        if let DocId::Section(i) = id
            && site.sections[i].doc.fm.render == Some(false)
        {
            continue;
        }
        let alternates = site
            .translations_of(id)
            .into_iter()
            .map(|t| (site.lang_of(t).to_string(), site.permalink_of(t)))
            .collect();
        urls.push(SitemapUrl {
            loc: site.permalink_of(id),
            lastmod: lastmod(site.doc(id)),
            alternates,
        });
    }
    for t in st.taxonomies.iter().filter(|t| !t.terms.is_empty()) {
        urls.push(SitemapUrl::plain(cfg.permalink(&t.path)));
        for term in &t.terms {
            urls.push(SitemapUrl::plain(cfg.permalink(&term.path)));
        }
    }
    urls.sort_by(|a, b| a.loc.cmp(&b.loc));
    urls.dedup_by(|a, b| a.loc == b.loc);
    if cfg.generate_sitemap {
        write_sitemaps(output, &urls, &cfg.base_url);
    }
}

/// The Atom feeds, or with `showing`, those of them that list one of
/// those pages: after a body edit, only a feed listing an edited page can
/// read differently (which pages a feed lists depends on their dates).
pub fn add_feeds(st: &RenderState, output: &mut Output, showing: Option<&[usize]>) {
    let site = &st.site;
    let cfg = &site.config;
    let mut add = |path: String, lang: &str, section: Option<usize>| {
        let entries = entries(st, lang, section);
        if showing.is_none_or(|pages| entries.iter().any(|(_, i)| pages.contains(i))) {
            output.insert_bytes(path, atom(st, lang, section, entries).into_bytes());
        }
    };
    for lang in cfg.language_codes() {
        if cfg.feed_of(lang) {
            let prefix = cfg.lang_prefix(lang);
            let path = if prefix.is_empty() {
                cfg.feed.filename.clone()
            } else {
                format!("{}/{}", prefix.trim_start_matches('/'), cfg.feed.filename)
            };
            add(path, lang, None);
        }
    }
    // Zola's `generate_feeds = true` in a section's front matter: a feed of
    // that section's pages beside its index.
    for (i, s) in site.sections.iter().enumerate() {
        if s.doc.fm.generate_feeds && s.doc.fm.render != Some(false) {
            let lang = site.lang_of(DocId::Section(i));
            let path = format!(
                "{}{}",
                site.path_of(DocId::Section(i)).trim_start_matches('/'),
                cfg.feed.filename
            );
            add(path, lang, Some(i));
        }
    }
}

/// One URL of the sitemap, with its versions in every language (the
/// page itself among them) for a multilingual site.
#[derive(Debug, Clone)]
pub struct SitemapUrl {
    pub loc: String,
    pub lastmod: Option<String>,
    /// (language code, permalink).
    pub alternates: Vec<(String, String)>,
}

impl SitemapUrl {
    fn plain(loc: String) -> Self {
        Self {
            loc,
            lastmod: None,
            alternates: Vec::new(),
        }
    }
}

/// One `sitemap.xml`, or an index of `sitemap1.xml`... beyond the limit.
/// Translations are listed as `xhtml:link rel="alternate" hreflang`, as
/// search engines read them.
pub fn write_sitemaps(output: &mut Output, urls: &[SitemapUrl], base_url: &str) {
    let alternates = urls.iter().any(|u| u.alternates.len() > 1);
    let chunk_xml = |chunk: &[SitemapUrl]| {
        let mut x = String::from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<urlset xmlns=\"http://www.sitemaps.org/schemas/sitemap/0.9\"",
        );
        if alternates {
            x.push_str(" xmlns:xhtml=\"http://www.w3.org/1999/xhtml\"");
        }
        x.push_str(">\n");
        for u in chunk {
            let _ = write!(x, "  <url>\n    <loc>{}</loc>\n", xml_escape(&u.loc));
            if let Some(lm) = &u.lastmod {
                let _ = writeln!(x, "    <lastmod>{lm}</lastmod>");
            }
            if u.alternates.len() > 1 {
                for (lang, href) in &u.alternates {
                    let _ = writeln!(
                        x,
                        "    <xhtml:link rel=\"alternate\" hreflang=\"{}\" href=\"{}\"/>",
                        xml_escape(lang),
                        xml_escape(href)
                    );
                }
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

/// The pages of `lang`'s feed (or of `section`'s): the most recently
/// updated or reviewed, newest first, with that date.
fn entries(st: &RenderState, lang: &str, section: Option<usize>) -> Vec<(DateTime, usize)> {
    let site = &st.site;
    let dated = |i: usize| latest(&site.pages[i].doc).map(|d| (d.datetime, i));
    let in_lang = |i: &usize| site.lang_of(DocId::Page(*i)) == lang;
    let mut dated: Vec<(DateTime, usize)> = match section {
        Some(s) => site.sections[s]
            .pages
            .iter()
            .copied()
            .filter(in_lang)
            .filter_map(dated)
            .collect(),
        None => (0..site.pages.len())
            .filter(in_lang)
            .filter_map(dated)
            .collect(),
    };
    // A total order: the newest `limit` picked first, then sorted, are the
    // first `limit` of the whole list sorted (linear, not n log n, on a
    // large site).
    let order = |a: &(DateTime, usize), b: &(DateTime, usize)| {
        b.0.cmp(&a.0)
            .then_with(|| site.pages[a.1].path.cmp(&site.pages[b.1].path))
            .then_with(|| a.1.cmp(&b.1))
    };
    crate::sorting::keep_first(&mut dated, site.config.feed.limit, order);
    dated
}

/// The Atom feed of `lang` (or of `section`'s pages) listing `dated`.
fn atom(
    st: &RenderState,
    lang: &str,
    section: Option<usize>,
    dated: Vec<(DateTime, usize)>,
) -> String {
    let site = &st.site;
    let cfg = &site.config;
    let language = cfg.language(lang);
    let site_title = language
        .and_then(|l| l.title.as_deref())
        .unwrap_or(&cfg.title);
    let (title, home) = match section {
        Some(s) => (
            format!("{site_title} - {}", site.title_of(DocId::Section(s))),
            site.path_of(DocId::Section(s)).to_string(),
        ),
        None => (
            site_title.to_string(),
            format!("{}/", cfg.lang_prefix(lang)),
        ),
    };
    let description = language
        .and_then(|l| l.description.as_deref())
        .unwrap_or(&cfg.description);
    let updated = dated.first().map_or_else(
        || "1970-01-01T00:00:00Z".to_string(),
        |(d, _)| format!("{}Z", d.strftime("%Y-%m-%dT%H:%M:%S")),
    );
    let feed_url = format!("{}{home}{}", cfg.base_url, cfg.feed.filename);
    let mut x = String::from(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"",
    );
    let _ = writeln!(x, " xml:lang=\"{}\">", xml_escape(lang));
    let _ = writeln!(x, "  <title>{}</title>", xml_escape(&title));
    if !description.is_empty() {
        let _ = writeln!(x, "  <subtitle>{}</subtitle>", xml_escape(description));
    }
    let _ = writeln!(
        x,
        "  <link rel=\"self\" type=\"application/atom+xml\" href=\"{}\"/>",
        xml_escape(&feed_url)
    );
    let _ = writeln!(
        x,
        "  <link rel=\"alternate\" type=\"text/html\" href=\"{}{home}\"/>",
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
        let urls: Vec<SitemapUrl> = (0..120_001)
            .map(|i| SitemapUrl {
                loc: format!("https://ex.org/p{i:06}/"),
                lastmod: Some("2026-11-01".into()),
                alternates: Vec::new(),
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
