//! The pipeline, start to end: load -> parse -> link -> render -> emit.
//!
//! `build`, `check` and `serve` share these stages; `check` stops after
//! `link`, `build` writes the output atomically, `serve` keeps it in memory.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use rayon::prelude::*;

use crate::config::Config;
use crate::content::{self, Document, ParseContext};
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::knowledge::glossary::Glossary;
use crate::knowledge::references::Bibliography;
use crate::output::Output;
use crate::render::{Destination, RenderState};
use crate::site::Site;
use crate::templates::TemplateSet;

type ParseResult = Result<(Arc<Document>, Vec<Diagnostic>), Vec<Diagnostic>>;

/// What a build is asked to do.
#[derive(Debug, Clone, Default)]
pub struct BuildOptions {
    pub root: PathBuf,
    pub base_url: Option<String>,
    pub drafts: bool,
    /// Building for `fascia serve` (see [`Site::serving`]).
    pub serving: bool,
}

/// A loaded, parsed and linked site, with its templates.
pub struct Linked {
    pub site: Site,
    pub templates: TemplateSet,
    pub diagnostics: Diagnostics,
}

/// load + parse + link. Errors stop the pipeline; warnings travel along.
pub fn load_and_link(opts: &BuildOptions) -> Result<Linked, Diagnostics> {
    load_and_link_cached(opts, &ParseCache::off())
}

/// load + parse + link, keeping the linked site when only the link stage
/// found errors (they are in [`Linked::diagnostics`]), so a run can report
/// what later checks find beside them. `Err` when the site could not be
/// read whole (config, templates, a file that does not parse).
pub fn load_and_link_all(opts: &BuildOptions) -> Result<Linked, Diagnostics> {
    load_and_link_inner(opts, &ParseCache::off())
}

/// Parsed documents from an earlier run, reused when a file's text and the
/// settings that shape parsing are unchanged (`serve` keeps one; a one-shot
/// build uses [`ParseCache::off`], which keeps nothing). The documents are
/// shared with the site that was built from them, not copied: the cache
/// costs a pointer per file. Each build replaces the whole cache with its
/// own documents, so deleted files and old versions do not linger.
pub struct ParseCache {
    docs: std::sync::Mutex<std::collections::HashMap<String, (u64, Arc<Document>)>>,
    enabled: bool,
}

impl Default for ParseCache {
    fn default() -> Self {
        Self {
            docs: std::sync::Mutex::default(),
            enabled: true,
        }
    }
}

impl ParseCache {
    /// A cache that stores nothing.
    #[must_use]
    pub fn off() -> Self {
        Self {
            docs: std::sync::Mutex::default(),
            enabled: false,
        }
    }

    fn get(&self, rel: &str, text: &str, settings: u64) -> Option<Arc<Document>> {
        if !self.enabled {
            return None;
        }
        let docs = self.docs.lock().ok()?;
        let (key, doc) = docs.get(rel)?;
        (*key == settings && doc.file.text == text).then(|| Arc::clone(doc))
    }

    /// Keep exactly `docs` (those parsed without warnings, whose warnings
    /// must be reported again).
    fn replace<'a>(&self, docs: impl Iterator<Item = &'a Arc<Document>>, settings: u64) {
        if !self.enabled {
            return;
        }
        let fresh = docs
            .map(|d| (d.file.rel.clone(), (settings, Arc::clone(d))))
            .collect();
        if let Ok(mut docs) = self.docs.lock() {
            *docs = fresh;
        }
    }
}

/// [`load_and_link`], re-parsing only files that changed since `cache` saw them.
pub fn load_and_link_cached(
    opts: &BuildOptions,
    cache: &ParseCache,
) -> Result<Linked, Diagnostics> {
    let linked = load_and_link_inner(opts, cache)?;
    if linked.diagnostics.has_errors() {
        return Err(linked.diagnostics);
    }
    Ok(linked)
}

fn load_and_link_inner(opts: &BuildOptions, cache: &ParseCache) -> Result<Linked, Diagnostics> {
    let mut diags = Diagnostics::default();
    let fail = |mut diags: Diagnostics, more: Vec<Diagnostic>| {
        diags.extend(more);
        diags.sort();
        diags
    };
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
    }
    let (template_dirs, static_dirs) =
        theme_dirs(root, &config, &src).map_err(|d| fail(diags.clone(), vec![d]))?;
    if let Some(theme_dir) = template_dirs.get(1).and_then(|t| t.parent()) {
        crate::templates::theme::merge_extra(&mut config.extra, theme_dir)
            .map_err(|d| fail(diags.clone(), vec![d]))?;
    }
    let templates = TemplateSet::load(&template_dirs).map_err(|d| fail(diags.clone(), vec![d]))?;
    let glossary =
        load_data(root, "glossary.toml", Glossary::parse).map_err(|e| fail(diags.clone(), e))?;
    let bibliography = load_data(root, "references.toml", Bibliography::parse)
        .map_err(|e| fail(diags.clone(), e))?;
    let clock = crate::timing::Clock::new();
    let tree = content::load(&root.join("content")).map_err(|d| fail(diags.clone(), d))?;
    clock.lap("load");

    let matcher = (config.knowledge.glossary_links
        && config.knowledge.glossary_page.is_some()
        && !glossary.terms.is_empty())
    .then(|| glossary.matcher());
    let has_shortcode = |name: &str| templates.has_shortcode(name);
    let cx = ParseContext {
        markdown: &config.markdown,
        glossary: matcher.as_ref(),
        shortcodes: &has_shortcode,
    };
    // What shapes parsing besides the file: Markdown settings, glossary, shortcodes.
    let settings = crate::hash::fnv1a(
        format!(
            "{:?}{:?}{:?}",
            config.markdown,
            glossary.terms,
            templates.files.keys().collect::<Vec<_>>()
        )
        .as_bytes(),
    );
    let parsed: Vec<ParseResult> = tree
        .files
        .into_par_iter()
        .map(|f| {
            if let Some(doc) = cache.get(&f.rel, &f.text, settings) {
                return Ok((doc, Vec::new()));
            }
            content::parse_file(f, &cx).map(|(doc, warnings)| (Arc::new(doc), warnings))
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
    clock.lap("parse");
    if clock.on {
        let mut sizes = [0usize; 5];
        for d in parsed.iter().flatten() {
            let d = &d.0;
            sizes[0] += d.file.text.len();
            sizes[1] += d.body.html.len();
            sizes[2] += d.body.text_start.len();
            sizes[3] += d.body.summary.as_ref().map_or(0, String::len);
            sizes[4] += d.body.headings.len() + d.body.links.len();
        }
        eprintln!(
            "sizes: text {} html {} plain (start) {} summary {} headings+links {}",
            sizes[0] >> 20,
            sizes[1] >> 20,
            sizes[2] >> 20,
            sizes[3] >> 20,
            sizes[4]
        );
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
        return Err(fail(diags, errors));
    }
    let bundle_assets: Vec<(PathBuf, String)> = tree.assets;
    let (sections, pages) = content::assemble(docs, &bundle_assets, opts.drafts);
    let bundled: std::collections::HashSet<&str> = pages
        .iter()
        .flat_map(|p| &p.assets)
        .map(|(abs, _)| abs.to_str().unwrap_or(""))
        .collect();
    let content_assets = bundle_assets
        .iter()
        .filter(|(abs, _)| !bundled.contains(abs.to_str().unwrap_or("")))
        .cloned()
        .collect();
    let mut site = Site {
        root: root.clone(),
        config,
        sections,
        pages,
        glossary,
        bibliography,
        template_dirs,
        static_dirs,
        content_assets,
        graph: crate::graph::LinkGraph::default(),
        serving: opts.serving,
    };
    let collisions = check_paths(&site);
    if !collisions.is_empty() {
        return Err(fail(diags, collisions));
    }
    clock.lap("assemble");
    site.graph.paths = crate::site_paths::SitePaths::build(&site, &|t| templates.has(t));
    diags.extend(crate::graph::link(&mut site));
    clock.lap("link");
    diags.sort();
    Ok(Linked {
        site,
        templates,
        diagnostics: diags,
    })
}

/// render + emit into memory.
pub fn render(linked: Linked) -> Result<(Arc<RenderState>, Output, Diagnostics), Diagnostics> {
    render_into(linked, Destination::Memory)
}

/// render + emit into memory or `to` (see [`Destination`]).
pub fn render_into(
    linked: Linked,
    to: Destination<'_>,
) -> Result<(Arc<RenderState>, Output, Diagnostics), Diagnostics> {
    let Linked {
        site,
        templates,
        diagnostics,
    } = linked;
    let state = Arc::new(RenderState::new(site));
    render_state(&state, &templates, diagnostics, to).map(|(o, d)| (state, o, d))
}

/// render, with the search index as a stage of its own between its two
/// halves (pages link the index's loader by its content hash), then the
/// static files: the whole site into `to`.
pub fn render_state(
    state: &Arc<RenderState>,
    templates: &TemplateSet,
    mut diagnostics: Diagnostics,
    to: Destination<'_>,
) -> Result<(Output, Diagnostics), Diagnostics> {
    let (env, mut diags) = match crate::render::prepare(state, templates) {
        Ok(x) => x,
        Err(e) => {
            diagnostics.extend(e);
            diagnostics.sort();
            return Err(diagnostics);
        }
    };
    let index = crate::search::prepare(state);
    let (mut output, render_diags) = crate::render::render_site_to(state, &env, templates, to);
    diags.extend(render_diags);
    diags.extend(crate::search::add(state, &mut output, index));
    let failed = diags.iter().any(Diagnostic::is_error);
    diagnostics.extend(diags);
    diagnostics.sort();
    if failed {
        return Err(diagnostics);
    }
    add_static(&state.site, &mut output);
    if state.site.config.compile_sass {
        let site = &state.site;
        let sass = crate::sass::dirs(&site.root, &site.template_dirs);
        let errors = crate::sass::compile(&site.root, &sass, &mut output);
        if !errors.is_empty() {
            diagnostics.extend(errors);
            diagnostics.sort();
            return Err(diagnostics);
        }
    }
    Ok((output, diagnostics))
}

/// Template and static folders: the site's first, then the theme's.
fn theme_dirs(
    root: &Path,
    config: &Config,
    config_src: &str,
) -> Result<(Vec<PathBuf>, Vec<PathBuf>), Diagnostic> {
    let mut templates = vec![root.join("templates")];
    let mut statics = Vec::new();
    if let Some(theme) = &config.theme {
        let candidates: Vec<PathBuf> = match &config.themes_dir {
            Some(d) => vec![root.join(d).join(theme)],
            None => vec![
                root.join("themes").join(theme),
                root.join("..").join("themes").join(theme),
            ],
        };
        let Some(dir) = candidates.iter().find(|c| c.is_dir()) else {
            let looked: Vec<String> = candidates.iter().map(|c| c.display().to_string()).collect();
            return Err(Diagnostic::error(
                "missing-theme",
                format!(
                    "theme `{theme}` not found (looked in {})",
                    looked.join(", ")
                ),
            )
            .at_offset("config.toml", config_src, theme_offset(config_src))
            .with_help("install the theme there, set themes_dir, or remove `theme`"));
        };
        templates.push(dir.join("templates"));
        statics.push(dir.join("static"));
    }
    statics.push(root.join("static"));
    Ok((templates, statics))
}

/// Where `theme = ...` is set in config.toml (0 when it is not found).
fn theme_offset(config_src: &str) -> usize {
    let mut offset = 0;
    for line in config_src.split_inclusive('\n') {
        let t = line.trim_start();
        if t.strip_prefix("theme")
            .is_some_and(|r| r.trim_start().starts_with('='))
        {
            return offset + (line.len() - t.len());
        }
        if t.starts_with('[') {
            break; // past the top-level keys
        }
        offset += line.len();
    }
    0
}

fn load_data<T>(
    root: &Path,
    name: &str,
    parse: fn(&str, &Path) -> Result<T, Vec<Diagnostic>>,
) -> Result<T, Vec<Diagnostic>>
where
    T: Default,
{
    let path = root.join("data").join(name);
    if !path.exists() {
        return Ok(T::default());
    }
    let display = Path::new("data").join(name);
    let src = crate::diagnostics::read_utf8(&path, &display).map_err(|d| vec![d])?;
    parse(&src, &display)
}

/// Two documents writing the same URL is an error naming both.
fn check_paths(site: &Site) -> Vec<Diagnostic> {
    let mut seen: std::collections::HashMap<&str, crate::site::DocId> =
        std::collections::HashMap::new();
    let mut errors = Vec::new();
    for id in site.doc_ids() {
        if let crate::site::DocId::Section(i) = id
            && site.sections[i].doc.fm.render == Some(false)
        {
            continue;
        }
        let path = site.path_of(id);
        if let Some(other) = seen.insert(path, id) {
            let doc = site.doc(id);
            errors.push(
                Diagnostic::error(
                    "duplicate-output",
                    format!(
                        "{} and {} both write the URL {path}",
                        site.doc(other).file.display.display(),
                        doc.file.display.display()
                    ),
                )
                .in_file(&doc.file.display)
                .with_help("give one of them a different `slug` or `path`"),
            );
        }
    }
    errors
}

/// Static files (theme, then site, overriding) and content assets.
fn add_static(site: &Site, output: &mut Output) {
    for dir in &site.static_dirs {
        if !dir.is_dir() {
            continue;
        }
        for entry in walkdir::WalkDir::new(dir)
            .sort_by_file_name()
            .into_iter()
            .flatten()
        {
            if !entry.file_type().is_file()
                || content::is_editor_junk(&entry.file_name().to_string_lossy())
            {
                continue;
            }
            let rel = entry.path().strip_prefix(dir).unwrap_or(entry.path());
            let rel = rel
                .components()
                .map(|c| c.as_os_str().to_string_lossy())
                .collect::<Vec<_>>()
                .join("/");
            if !output.files.contains_key(&rel)
                || matches!(
                    output.files.get(&rel),
                    Some(crate::output::OutputFile::Copy(_))
                )
            {
                output.put_copy(rel, entry.path().to_path_buf());
            }
        }
    }
    for p in &site.pages {
        for (abs, out) in &p.assets {
            output.insert_copy(out.clone(), abs.clone());
        }
    }
    for (abs, rel) in &site.content_assets {
        output.insert_copy(rel.clone(), abs.clone());
    }
}
