//! The stages of the first half of a build, each a function: [`load`] (config,
//! theme, templates, data files, content), [`parse`] (every file, in
//! parallel, through the cache), [`assemble`] (pages and sections with URLs).

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use super::{BuildOptions, ParseCache, load_data, theme_dirs};
use crate::config::Config;
use crate::content::{self, ContentTree, Document, FoundFile, ParseContext};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::knowledge::glossary::Glossary;
use crate::knowledge::references::Bibliography;
use crate::site::Site;
use crate::templates::TemplateSet;

type ParseResult = Result<(Arc<Document>, Vec<Diagnostic>), Vec<Diagnostic>>;

/// Everything loaded before parsing (content files are only found: each is
/// read as it is parsed).
pub struct Sources {
    pub config: Config,
    pub templates: TemplateSet,
    pub template_dirs: Vec<PathBuf>,
    pub static_dirs: Vec<PathBuf>,
    pub glossary: Glossary,
    /// The glossaries of the other languages (`data/glossary.xx.toml`).
    pub glossaries: Vec<(String, Glossary)>,
    pub bibliography: Bibliography,
    pub tree: ContentTree,
}

/// `diags` with `more` added, sorted: what a stage that stops returns.
pub fn fail(mut diags: Diagnostics, more: Vec<Diagnostic>) -> Diagnostics {
    diags.extend(more);
    diags.sort();
    diags
}

/// Read config.toml, the theme's and the site's templates, the data files and
/// every content file. Config warnings go to `diags`.
pub fn load(opts: &BuildOptions, diags: &mut Diagnostics) -> Result<Sources, Diagnostics> {
    let root = &opts.root;
    let config_path = root.join("config.toml");
    let src =
        crate::diagnostics::read_utf8(&config_path, Path::new("config.toml")).map_err(|d| {
            let d = if d.code == "io" {
                d.with_help(
                    "run fascia in a site folder (one with config.toml), or pass --root DIR",
                )
            } else {
                d
            };
            fail(Diagnostics::default(), vec![d])
        })?;
    let loaded = Config::parse(&src, Path::new("config.toml"))
        .map_err(|e| fail(Diagnostics::default(), e))?;
    diags.extend(loaded.warnings);
    let mut config = loaded.config;
    if let Some(b) = &opts.base_url {
        config.base_url = b.trim_end_matches('/').to_string();
        config.base_url_written.clone_from(b);
    }
    let (template_dirs, static_dirs) =
        theme_dirs(root, &config, &src).map_err(|d| fail(diags.clone(), vec![d]))?;
    if let Some(theme_dir) = template_dirs.get(1).and_then(|t| t.parent()) {
        crate::templates::theme::merge_extra(&mut config.extra, theme_dir)
            .map_err(|d| fail(diags.clone(), vec![d]))?;
        crate::templates::theme::merge_translations(&mut config, theme_dir)
            .map_err(|d| fail(diags.clone(), vec![d]))?;
        crate::templates::theme::merge_markdown(&mut config.markdown, theme_dir)
            .map_err(|d| fail(diags.clone(), vec![d]))?;
    }
    let templates = TemplateSet::load(&template_dirs).map_err(|d| fail(diags.clone(), vec![d]))?;
    config.markdown.anchor_link_html =
        crate::templates::anchor_link_html(&templates, root, &config.default_language)
            .map_err(|d| fail(diags.clone(), vec![d]))?
            .map(std::sync::Arc::new);
    let glossary =
        load_data(root, "glossary.toml", Glossary::parse).map_err(|e| fail(diags.clone(), e))?;
    let mut glossaries = Vec::new();
    for code in config.language_codes().skip(1) {
        let name = format!("glossary.{code}.toml");
        let g = load_data(root, &name, Glossary::parse).map_err(|e| fail(diags.clone(), e))?;
        glossaries.push((code.to_string(), g));
    }
    let bibliography = load_data(root, "references.toml", Bibliography::parse)
        .map_err(|e| fail(diags.clone(), e))?;
    let ignored = crate::config::ignore_globs(&config.ignored_content);
    let tree =
        content::load(&root.join("content"), &ignored).map_err(|d| fail(diags.clone(), d))?;
    Ok(Sources {
        config,
        templates,
        template_dirs,
        static_dirs,
        glossary,
        glossaries,
        bibliography,
        tree,
    })
}

/// Read and parse every content file (in parallel, each read right before
/// it is parsed), reusing what `cache` holds for files whose text and
/// settings are unchanged. Unless `keep_sources` (`serve`, which compares
/// an edit with the text it had), each document's source is dropped as soon
/// as it is parsed: a build never holds every source at once, and what
/// needs one later reads it again ([`Site::source`]). Warnings go to
/// `diags`; any file that cannot be read or does not parse stops the run
/// with every such error.
pub fn parse(
    sources: &Sources,
    files: Vec<FoundFile>,
    (cache, keep_sources): (&ParseCache, bool),
    diags: &mut Diagnostics,
) -> Result<Vec<Arc<Document>>, Diagnostics> {
    let Sources {
        config,
        templates,
        glossary,
        glossaries,
        ..
    } = sources;
    let matcher = glossary_matcher(config, glossary);
    let translations = translation_matchers(config, glossaries);
    let has_shortcode = |name: &str| templates.has_shortcode(name);
    let cx = ParseContext {
        markdown: &config.markdown,
        glossary: matcher.as_ref(),
        shortcodes: &has_shortcode,
        translations: &translations,
    };
    // What shapes parsing besides the file: Markdown settings, glossary, shortcodes.
    let settings = crate::hash::fnv1a(
        format!(
            "{:?}{:?}{:?}{:?}",
            config.markdown,
            glossary.terms,
            glossaries,
            templates.files.keys().collect::<Vec<_>>()
        )
        .as_bytes(),
    );
    let parsed: Vec<ParseResult> = files
        .into_par_iter()
        .map(|found| {
            let f = found.read().map_err(|d| vec![d])?;
            if let Some(doc) = cache.get(&f.rel, &f.text, settings) {
                return Ok((doc, Vec::new()));
            }
            let (mut doc, warnings) = content::parse_file(f, &cx)?;
            if !keep_sources {
                doc.file.text = String::new();
                // Held compressed until its page is written (read a few
                // times: the index, the page, the print edition).
                doc.body.pack();
            }
            Ok((Arc::new(doc), warnings))
        })
        .collect();
    cache.replace(
        parsed
            .iter()
            .filter_map(|r| r.as_ref().ok())
            .filter(|(_, warnings)| warnings.is_empty())
            .map(|(doc, _)| doc),
        settings,
    );
    if crate::timing::Clock::new().on {
        print_sizes(&parsed);
    }
    let mut docs = Vec::with_capacity(parsed.len());
    let mut errors = Vec::new();
    for r in parsed {
        match r {
            Ok((d, w)) => {
                docs.push(d);
                diags.extend(w);
            }
            Err(e) => errors.extend(e),
        }
    }
    if !errors.is_empty() {
        return Err(fail(std::mem::take(diags), errors));
    }
    Ok(docs)
}

/// The matcher linking glossary terms in the default language's pages.
pub fn glossary_matcher(
    config: &Config,
    glossary: &Glossary,
) -> Option<crate::markdown::GlossaryMatcher> {
    (config.knowledge.glossary_links
        && config.knowledge.glossary_page.is_some()
        && !glossary.terms.is_empty())
    .then(|| glossary.matcher())
}

/// Each other language with the matcher of its glossary.
pub fn translation_matchers(
    config: &Config,
    glossaries: &[(String, Glossary)],
) -> Vec<(String, Option<crate::markdown::GlossaryMatcher>)> {
    config
        .language_codes()
        .skip(1)
        .map(|code| {
            let g = glossaries.iter().find(|(c, _)| c == code);
            (
                code.to_string(),
                g.and_then(|(_, g)| glossary_matcher(config, g)),
            )
        })
        .collect()
}

/// Sizes of what parsing produced, for `FASCIA_TIMINGS`.
fn print_sizes(parsed: &[ParseResult]) {
    let mut sizes = [0usize; 5];
    for d in parsed.iter().flatten() {
        let d = &d.0;
        sizes[0] += d.file.text.len();
        sizes[1] += d.body.html_bytes();
        sizes[2] += d.body.text_start.len();
        sizes[3] += d.body.summary.as_ref().map_or(0, String::len);
        sizes[4] += d.body.headings.len() + d.body.links.len();
    }
    eprintln!(
        "sizes: text {} html (as held) {} plain (start) {} summary {} headings+links {}",
        sizes[0] >> 20,
        sizes[1] >> 20,
        sizes[2] >> 20,
        sizes[3] >> 20,
        sizes[4]
    );
}

/// Pages and sections with their URLs, bundle assets given to their pages,
/// the rest of content/'s files kept as assets: the [`Site`] before linking.
pub fn assemble(
    opts: &BuildOptions,
    docs: Vec<Arc<Document>>,
    assets: &[(PathBuf, String)],
    config: Config,
    (glossary, glossaries, bibliography): (Glossary, Vec<(String, Glossary)>, Bibliography),
    (template_dirs, static_dirs): (Vec<PathBuf>, Vec<PathBuf>),
) -> Site {
    let mut docs = docs;
    if config.obsidian {
        content::vault::add_folder_sections(&mut docs);
    }
    let others: Vec<String> = config
        .language_codes()
        .skip(1)
        .map(str::to_string)
        .collect();
    let (sections, pages) = content::assemble(docs, assets, opts.drafts, &others);
    let bundled: std::collections::HashSet<&str> = pages
        .iter()
        .flat_map(|p| &p.assets)
        .map(|(abs, _)| abs.to_str().unwrap_or(""))
        .collect();
    let content_assets = assets
        .iter()
        .filter(|(abs, _)| !bundled.contains(abs.to_str().unwrap_or("")))
        .cloned()
        .collect();
    Site {
        root: opts.root.clone(),
        config,
        sections,
        pages,
        glossary,
        glossaries,
        bibliography,
        template_dirs,
        static_dirs,
        content_assets,
        graph: crate::graph::LinkGraph::default(),
        images: crate::images::SiteImages::default(),
        serving: opts.serving,
    }
}
