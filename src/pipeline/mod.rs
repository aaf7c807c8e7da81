//! The pipeline, start to end: load -> parse -> link -> render -> emit.
//!
//! `build`, `check` and `serve` share these stages; `check` stops after
//! `link`, `build` writes the output atomically, `serve` keeps it in memory.

mod cache;
pub mod images;
pub mod live;
mod stages;

pub use cache::ParseCache;
use stages::{Sources, assemble, fail, load, parse};

use std::path::{Path, PathBuf};
use std::sync::Arc;

use minijinja::Environment;

use crate::config::Config;
use crate::content;
use crate::diagnostics::{Diagnostic, Diagnostics};
use crate::output::Output;
use crate::render::{Destination, RenderState};
use crate::site::Site;
use crate::templates::TemplateSet;

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

/// The conductor of the first half: load, parse, assemble, link. Each stage
/// is a function of its own below; warnings gathered so far travel with an
/// error that stops the run.
fn load_and_link_inner(opts: &BuildOptions, cache: &ParseCache) -> Result<Linked, Diagnostics> {
    let mut diags = Diagnostics::default();
    let clock = crate::timing::Clock::new();
    let mut sources = load(opts, &mut diags)?;
    clock.lap("load");
    let files = std::mem::take(&mut sources.tree.files);
    let docs = parse(
        &sources,
        files,
        (cache, opts.serving || cache.is_on()),
        &mut diags,
    )?;
    clock.lap("parse");
    let Sources {
        config,
        templates,
        template_dirs,
        static_dirs,
        glossary,
        glossaries,
        bibliography,
        tree,
    } = sources;
    let mut site = assemble(
        opts,
        docs,
        &tree.assets,
        config,
        (glossary, glossaries, bibliography),
        (template_dirs, static_dirs),
    );
    // Side by side: three passes over every document, each on one thread.
    let (paths, (collisions, (taxonomy_diags, left_out))) = rayon::join(
        || crate::site_paths::SitePaths::build(&site, &|t| templates.has(t)),
        || {
            let (prints, left_out) = if templates.has("print.html") {
                let prints = site.print_languages();
                let left_out = prints_left_out(&site, &prints);
                (prints, left_out)
            } else {
                (Vec::new(), Vec::new())
            };
            (
                check_paths(&site, &prints),
                (taxonomy_collisions(&site), left_out),
            )
        },
    );
    if !collisions.is_empty() {
        return Err(fail(diags, collisions));
    }
    diags.extend(taxonomy_diags);
    diags.extend(left_out);
    site.graph.paths = paths;
    clock.lap("assemble");
    diags.extend(crate::graph::link(&mut site));
    clock.lap("link");
    let (site_images, image_diags) = images::survey(&site, images::builtin_figure(&templates));
    site.images = site_images;
    diags.extend(image_diags);
    clock.lap("images");
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
    render_keeping(linked, to, false).map(|(state, output, diags, _)| (state, output, diags))
}

/// [`render_into`], also handing back the compiled templates (`serve`
/// renders its edits with them until the next full build); with
/// `site_wide_later`, without the search index and the print edition (see
/// [`RenderState::site_wide_later`]).
pub fn render_keeping(
    linked: Linked,
    to: Destination<'_>,
    site_wide_later: bool,
) -> Result<(Arc<RenderState>, Output, Diagnostics, Environment<'static>), Diagnostics> {
    let Linked {
        site,
        templates,
        diagnostics,
    } = linked;
    let (compiled, diagnostics) = compile(&templates, &site.root, diagnostics)?;
    let mut state = RenderState::new(site);
    state.site_wide_later = site_wide_later;
    let state = Arc::new(state);
    render_state_compiled(&state, &templates, &compiled, diagnostics, to)
        .map(|(o, d)| (state, o, d, compiled))
}

/// The templates compiled, or their errors added to `diagnostics`.
fn compile(
    templates: &TemplateSet,
    root: &std::path::Path,
    mut diagnostics: Diagnostics,
) -> Result<(Environment<'static>, Diagnostics), Diagnostics> {
    match crate::templates::compile(templates, root) {
        Ok(env) => Ok((env, diagnostics)),
        Err(e) => {
            diagnostics.extend(e);
            diagnostics.sort();
            Err(diagnostics)
        }
    }
}

/// render, with the search index as a stage of its own between its two
/// halves (pages link the index's loader by its content hash), then the
/// static files: the whole site into `to`.
pub fn render_state(
    state: &Arc<RenderState>,
    templates: &TemplateSet,
    diagnostics: Diagnostics,
    to: Destination<'_>,
) -> Result<(Output, Diagnostics), Diagnostics> {
    let (compiled, diagnostics) = compile(templates, &state.site.root, diagnostics)?;
    render_state_compiled(state, templates, &compiled, diagnostics, to)
}

/// [`render_state`] with the templates compiled.
fn render_state_compiled(
    state: &Arc<RenderState>,
    templates: &TemplateSet,
    compiled: &Environment<'static>,
    mut diagnostics: Diagnostics,
    to: Destination<'_>,
) -> Result<(Output, Diagnostics), Diagnostics> {
    let (env, mut diags) = crate::render::prepare(state, templates, compiled);
    // A streamed build writes the index as it is made (the pages' snippet
    // files) and the rest at once, rather than hold it while the pages render.
    let search_index = || match to {
        Destination::Stream(sink) => {
            let (mut index, written) = crate::search::prepare_streamed(state, sink);
            let handed = written.and_then(|mut sizes| {
                sizes.extend(crate::search::hand_over(state, sink, &mut index)?);
                Ok(sizes)
            });
            (index, handed)
        }
        // Made once the pages are served (its settings are checked below).
        _ if state.site_wide_later => (Vec::new(), Ok(crate::search::HandedOver::default())),
        _ => (
            crate::search::prepare(state),
            Ok(crate::search::HandedOver::default()),
        ),
    };
    let (mut output, render_diags, (index, handed_over)) =
        crate::render::render_site_to(state, &env, templates, to, search_index);
    diags.extend(render_diags);
    match handed_over {
        Ok(sizes) => output.handed_over = sizes,
        Err(d) => diags.push(d),
    }
    diags.extend(crate::search::add(state, &mut output, index));
    diags.extend(images::produce(&state.site, &mut output));
    let failed = diags.iter().any(Diagnostic::is_error);
    diagnostics.extend(diags);
    diagnostics.sort();
    if failed {
        return Err(diagnostics);
    }
    add_static(state, &mut output);
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

/// For commands that touch the disk without building (`clean`): the output
/// folder config.toml names (relative to `root`), and the site's folders
/// beyond the standard ones under it that no output may overlap (every
/// place its theme may be in, `themes_dir`).
pub fn output_and_sources(root: &Path) -> Result<(PathBuf, Vec<PathBuf>), Diagnostics> {
    let src = crate::diagnostics::read_utf8(&root.join("config.toml"), Path::new("config.toml"))
        .map_err(|d| {
            fail(
                Diagnostics::default(),
                vec![d.with_help(
                    "run fascia in a site folder (one with config.toml), or pass --root DIR",
                )],
            )
        })?;
    let config = Config::parse(&src, Path::new("config.toml"))
        .map_err(|e| fail(Diagnostics::default(), e))?
        .config;
    let mut sources: Vec<PathBuf> = config.themes_dir.iter().map(|d| root.join(d)).collect();
    if let Some(theme) = &config.theme {
        sources.extend(sources.clone().iter().map(|d| d.join(theme)));
        sources.push(root.join("..").join("themes").join(theme));
    }
    Ok((root.join(&config.output_dir), sources))
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

/// A warning for each language whose print edition is not made because it
/// has more pages than `[print] max_pages` (0, set on purpose, says nothing).
/// `prints` are the languages that get one.
fn prints_left_out(site: &Site, prints: &[&str]) -> Vec<Diagnostic> {
    let max = site.config.print.max_pages;
    if max == 0 {
        return Vec::new();
    }
    let cfg = &site.config;
    cfg.language_codes()
        .filter(|l| !prints.contains(l))
        .map(|lang| {
            let n = site.docs_in(lang, usize::MAX);
            let edition = crate::site_paths::print_path(cfg, lang);
            Diagnostic::warning(
                "print-edition-left-out",
                format!(
                    "the print edition ({edition}) is not made: the site has {} pages and sections in `{lang}`, more than `[print] max_pages` ({})",
                    crate::diagnostics::thousands(n),
                    crate::diagnostics::thousands(max)
                ),
            )
            .in_file(Path::new("config.toml"))
            .with_help(format!(
                "a browser takes minutes to print a page of {} articles; to make it anyway, raise `max_pages` under `[print]` in config.toml, or set it to 0 to make none without this warning",
                crate::diagnostics::thousands(n)
            ))
        })
        .collect()
}

/// Two documents writing the same URL is an error naming both; so is a
/// document at the URL of a print edition (`prints`: the languages that get
/// one), which would meet it only while the pages are written.
fn check_paths(site: &Site, prints: &[&str]) -> Vec<Diagnostic> {
    let mut seen: std::collections::HashMap<&str, crate::site::DocId> =
        std::collections::HashMap::new();
    let print_paths: Vec<String> = (prints.iter())
        .map(|lang| crate::site_paths::print_path(&site.config, lang))
        .collect();
    let mut errors = Vec::new();
    for id in site.doc_ids() {
        if let crate::site::DocId::Section(i) = id
            && site.sections[i].doc.fm.render == Some(false)
        {
            continue;
        }
        let path = site.path_of(id);
        if print_paths.iter().any(|p| p == path) {
            let doc = site.doc(id);
            errors.push(
                Diagnostic::error(
                    "duplicate-output",
                    format!(
                        "{} writes the URL {path}, where the print edition goes (the templates have print.html)",
                        doc.file.display.display()
                    ),
                )
                .in_file(&doc.file.display)
                .with_help("give it a different `slug` or `path`"),
            );
        }
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

/// A document at the URL of a taxonomy's list page (a section `authors/`
/// beside a taxonomy `authors`, as in some Zola themes' demo sites): Zola
/// writes the taxonomy's page over the section's without a word; fascia
/// does the same (see `crate::render::render_site_to`) and says so.
fn taxonomy_collisions(site: &Site) -> Vec<Diagnostic> {
    let cfg = &site.config;
    // URL path -> the taxonomy writing it (its list, or one of its terms).
    let mut taken: std::collections::HashMap<String, String> = std::collections::HashMap::new();
    for lang in cfg.language_codes() {
        let prefix = cfg.lang_prefix(lang);
        for t in cfg.taxonomies_of(lang) {
            let slug = crate::markdown::slugify(&t.name);
            taken.insert(format!("{prefix}/{slug}/"), t.name.clone());
            for (i, p) in site.pages.iter().enumerate() {
                if site.lang_of(crate::site::DocId::Page(i)) != lang {
                    continue;
                }
                for term in p.doc.fm.taxonomies.get(&t.name).into_iter().flatten() {
                    let path = format!("{prefix}{}", crate::site_paths::term_path(&t.name, term));
                    taken.insert(path, t.name.clone());
                }
            }
        }
    }
    let mut out = Vec::new();
    for id in site.doc_ids() {
        let path = site.path_of(id);
        let Some(name) = taken.get(path) else {
            continue;
        };
        let doc = site.doc(id);
        out.push(
            Diagnostic::warning(
                "taxonomy-collision",
                format!(
                    "{} and the taxonomy `{name}` both write the URL {path}; the taxonomy's page is written, as Zola does",
                    doc.file.display.display()
                ),
            )
            .in_file(&doc.file.display)
            .with_help("rename the file or folder, or the taxonomy, or set `render = false` in a section's front matter"),
        );
    }
    out
}

/// The on-demand files (path, marker) whose marker no page's finished body
/// contains.
fn unneeded_files(state: &RenderState, mut files: Vec<(String, String)>) -> Vec<String> {
    let slots = state.site.pages.len() + state.site.sections.len();
    for slot in 0..slots {
        if files.is_empty() {
            break;
        }
        if let Some(body) = state.content(slot) {
            files.retain(|(_, marker)| !body.contains(marker.as_str()));
        }
    }
    files.into_iter().map(|(path, _)| path).collect()
}

/// Static files (theme, then site, overriding) and content assets. A
/// theme's `[on_demand]` files are left out when no page needs them.
fn add_static(state: &RenderState, output: &mut Output) {
    let site = &state.site;
    // Zola's `ignored_static`, matched against the path below `static/`.
    let ignored = crate::config::ignore_globs(&site.config.ignored_static);
    for dir in &site.static_dirs {
        if !dir.is_dir() {
            continue;
        }
        let on_demand = dir
            .parent()
            .map(crate::templates::theme::on_demand)
            .unwrap_or_default();
        let unneeded = unneeded_files(state, on_demand);
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
            if unneeded.contains(&rel) || ignored.is_match(&rel) {
                continue;
            }
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
    // As Zola, a translated section's folder holds the section's files too
    // (`/fr/techniques/chart.png` beside `/techniques/chart.png`).
    for s in site.sections.iter().filter(|s| s.doc.lang.is_some()) {
        let dir = s.path.trim_start_matches('/');
        for (abs, rel) in &site.content_assets {
            if content::parent_dir(rel) == s.dir {
                let name = rel.rsplit('/').next().unwrap_or(rel);
                output.insert_copy(format!("{dir}{name}"), abs.clone());
            }
        }
    }
}
