//! `fascia init DIR`: a small working site that builds with the default theme.

use std::fmt::Write as _;
use std::path::Path;

use crate::diagnostics::Diagnostic;

const THEME_NAME: &str = "fibre";

/// The files of a new site: path -> contents.
fn files() -> Vec<(&'static str, String)> {
    vec![
        (
            "config.toml",
            format!(
                "title = \"My knowledge base\"\nbase_url = \"https://example.org\"\ndescription = \"Notes that link to each other.\"\ntheme = \"{THEME_NAME}\"\ntaxonomies = [{{ name = \"tags\" }}]\n\n[knowledge]\nglossary_page = \"@/glossary.md\"\nbibliography_page = \"@/references.md\"\n\n[facts.fields.kind]\nlabel = \"Kind\"\ntype = \"text\"\n\n[extra]\ndisclaimer = \"General information only.\"\n"
            ),
        ),
        ("content/_index.md", "+++\ntitle = \"Welcome\"\nsort_by = \"weight\"\n+++\n\nStart with [the first note](@/notes/first.md), the [[Glossary]] or the [[References]].\n".into()),
        ("content/notes/_index.md", "+++\ntitle = \"Notes\"\nsort_by = \"weight\"\n+++\n\nAll notes.\n".into()),
        (
            "content/notes/first.md",
            "+++\ntitle = \"First note\"\ndescription = \"How notes link.\"\nweight = 10\nlast_reviewed = 2026-11-01\n\n[taxonomies]\ntags = [\"start\"]\n\n[facts]\nkind = \"example\"\n+++\n\nA note links to [the second note](@/notes/second.md#details), cites a work ([Example 2020](ref:example2020)) and uses a wikilink: [[Second note]].\n\n## Details\n\nEvery heading has an anchor.\n".into(),
        ),
        (
            "content/notes/second.md",
            "+++\ntitle = \"Second note\"\ndescription = \"Backlinks appear automatically.\"\nweight = 20\nlast_reviewed = 2026-11-01\n\n[facts]\nkind = \"example\"\n+++\n\nThis page lists [the first note](@/notes/first.md) under \"Pages that link here\".\n\n## Details\n\nA term such as knowledge base is linked to the [glossary](@/glossary.md) on first mention.\n".into(),
        ),
        ("content/about/_index.md", "+++\ntitle = \"About\"\n+++\n\nWho writes these notes and how. Start at [the first note](@/notes/first.md).\n".into()),
        ("content/glossary.md", "+++\ntitle = \"Glossary\"\ntemplate = \"glossary.html\"\n+++\n\nTerms used in these notes. See [the first note](@/notes/first.md).\n".into()),
        ("content/references.md", "+++\ntitle = \"References\"\ntemplate = \"bibliography.html\"\n+++\n\nWorks cited in these notes. See [the first note](@/notes/first.md).\n".into()),
        ("data/glossary.toml", "[[terms]]\nterm = \"Knowledge base\"\naliases = [\"wiki\"]\ndefinition = \"A set of pages that link to each other.\"\n".into()),
        ("data/references.toml", "# Works your pages cite with [Author Year](ref:key). A work's url or doi is\n# an outside address: fascia never takes it for a page of this site.\n[[works]]\nkey = \"example2020\"\ntype = \"book\"\nauthors = [\"Example A\"]\nyear = 2020\ntitle = \"An example work\"\ncontainer = \"Example Press\"\nurl = \"https://www.example.com/an-example-work\"\n".into()),
    ]
}

/// Create the site in `dir`, which must not exist or be empty. The default
/// theme is copied into `dir/themes/` when it is found next to the binary's
/// source tree; otherwise a minimal template set is written.
pub fn create(dir: &Path) -> Result<(), Diagnostic> {
    if dir.exists() && std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_some()) {
        return Err(Diagnostic::error(
            "init",
            format!("{} already exists and is not empty", dir.display()),
        )
        .with_help("choose a new folder name"));
    }
    for (rel, text) in files() {
        write(&dir.join(rel), &text)?;
    }
    let theme_src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("themes")
        .join(THEME_NAME);
    if theme_src.is_dir() {
        copy_dir(&theme_src, &dir.join("themes").join(THEME_NAME))?;
    } else {
        let cfg = dir.join("config.toml");
        let text = std::fs::read_to_string(&cfg)
            .unwrap_or_default()
            .replace(&format!("theme = \"{THEME_NAME}\"\n"), "");
        write(&cfg, &text)?;
        for (name, src) in MINIMAL_TEMPLATES {
            write(&dir.join("templates").join(name), src)?;
        }
    }
    Ok(())
}

/// `fascia init --from-obsidian VAULT DIR`: a site in `dir` that builds
/// the vault as it is: `config.toml` with `obsidian = true` and the default
/// theme, and `content` a symbolic link to the vault (the notes are not
/// touched, copied or moved).
pub fn from_obsidian(vault: &Path, dir: &Path) -> Result<(), Diagnostic> {
    let vault = vault.canonicalize().map_err(|e| {
        Diagnostic::error(
            "init",
            format!("cannot read the vault {}: {e}", vault.display()),
        )
        .with_help("give the vault's folder (the one holding .obsidian/)")
    })?;
    if !vault.is_dir() {
        return Err(Diagnostic::error(
            "init",
            format!("{} is not a folder", vault.display()),
        ));
    }
    if dir.exists() && std::fs::read_dir(dir).map_or(true, |mut d| d.next().is_some()) {
        return Err(Diagnostic::error(
            "init",
            format!("{} already exists and is not empty", dir.display()),
        )
        .with_help("choose a new folder name (the site's folder, beside the vault)"));
    }
    let title = vault
        .file_name()
        .map_or("My vault".into(), |n| n.to_string_lossy().replace('"', "'"));
    let mut config = format!(
        "title = \"{title}\"\nbase_url = \"https://example.org\"\n# Read the vault as Obsidian does: wikilinks by file name, embeds, callouts,\n# block ids, #tags, folders as sections (docs/authoring.md).\nobsidian = true\n"
    );
    let theme_src = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("themes")
        .join(THEME_NAME);
    if theme_src.is_dir() {
        let _ = write!(
            config,
            "theme = \"{THEME_NAME}\"\n\n[extra.fibre]\n# The footer's About link.\nabout_page = \"@/_index.md\"\n"
        );
        copy_dir(&theme_src, &dir.join("themes").join(THEME_NAME))?;
    } else {
        for (name, src) in MINIMAL_TEMPLATES {
            write(&dir.join("templates").join(name), src)?;
        }
    }
    write(&dir.join("config.toml"), &config)?;
    link_dir(&vault, &dir.join("content"))
}

#[cfg(unix)]
fn link_dir(target: &Path, link: &Path) -> Result<(), Diagnostic> {
    std::os::unix::fs::symlink(target, link)
        .map_err(|e| Diagnostic::error("io", format!("cannot create {}: {e}", link.display())))
}

#[cfg(not(unix))]
fn link_dir(target: &Path, link: &Path) -> Result<(), Diagnostic> {
    Err(Diagnostic::error(
        "init",
        format!("cannot link {} to {}", link.display(), target.display()),
    )
    .with_help("copy the vault into the site's content/ folder"))
}

const MINIMAL_TEMPLATES: &[(&str, &str)] = &[
    (
        "base.html",
        "<!doctype html><html lang=\"{{ config.default_language }}\"><head><meta charset=\"utf-8\"><title>{% block title %}{{ config.title }}{% endblock %}</title></head><body><main>{% block content %}{% endblock %}</main><footer>{{ config.extra.disclaimer }}</footer></body></html>\n",
    ),
    (
        "index.html",
        "{% extends \"base.html\" %}{% block content %}<h1>{{ section.title }}</h1>{{ section.content | safe }}{% endblock %}\n",
    ),
    (
        "section.html",
        "{% extends \"base.html\" %}{% block content %}<h1>{{ section.title }}</h1>{{ section.content | safe }}<ul>{% for p in section.pages %}<li><a href=\"{{ p.permalink }}\">{{ p.title }}</a></li>{% endfor %}</ul>{% endblock %}\n",
    ),
    (
        "page.html",
        "{% extends \"base.html\" %}{% block content %}<h1>{{ page.title }}</h1>{{ page.content | safe }}{% if page.references %}<h2>References</h2><ol>{% for r in page.references %}<li id=\"{{ r.id }}\">{{ r.citation }}</li>{% endfor %}</ol>{% endif %}{% if page.backlinks %}<h2>Pages that link here</h2><ul>{% for b in page.backlinks %}<li><a href=\"{{ b.permalink }}\">{{ b.title }}</a>: {{ b.sentence }}</li>{% endfor %}</ul>{% endif %}{% endblock %}\n",
    ),
    ("glossary.html", "{% extends \"page.html\" %}\n"),
    ("bibliography.html", "{% extends \"page.html\" %}\n"),
];

fn write(path: &Path, text: &str) -> Result<(), Diagnostic> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent).map_err(|e| {
            Diagnostic::error("io", format!("cannot create {}: {e}", parent.display()))
        })?;
    }
    std::fs::write(path, text)
        .map_err(|e| Diagnostic::error("io", format!("cannot write {}: {e}", path.display())))
}

fn copy_dir(from: &Path, to: &Path) -> Result<(), Diagnostic> {
    for entry in walkdir::WalkDir::new(from).into_iter().flatten() {
        let rel = entry.path().strip_prefix(from).unwrap_or(entry.path());
        let target = to.join(rel);
        if entry.file_type().is_dir() {
            std::fs::create_dir_all(&target).map_err(|e| {
                Diagnostic::error("io", format!("cannot create {}: {e}", target.display()))
            })?;
        } else {
            std::fs::copy(entry.path(), &target).map_err(|e| {
                Diagnostic::error("io", format!("cannot copy {}: {e}", entry.path().display()))
            })?;
        }
    }
    Ok(())
}
