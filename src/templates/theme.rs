//! A theme's `theme.toml`: its `[extra]` table gives defaults for the
//! site's `config.extra` (the site's values win, tables merge key by key,
//! as in Zola).

use std::path::Path;

use crate::config::Config;
use crate::diagnostics::Diagnostic;

/// Merge the `[extra]` of `theme_dir/theme.toml` (if any) under `extra`.
pub fn merge_extra(extra: &mut toml::Table, theme_dir: &Path) -> Result<(), Diagnostic> {
    let file = theme_dir.join("theme.toml");
    if !file.is_file() {
        return Ok(());
    }
    let text = std::fs::read_to_string(&file).map_err(|e| {
        Diagnostic::error("io", format!("cannot read {}: {e}", file.display())).in_file(&file)
    })?;
    let theme: toml::Table = toml::from_str(&text).map_err(|e| {
        Diagnostic::error("theme-toml", format!("{}: {e}", file.display())).in_file(&file)
    })?;
    if let Some(toml::Value::Table(defaults)) = theme.get("extra") {
        merge(extra, defaults);
    }
    Ok(())
}

/// The `[on_demand]` table of `theme_dir/theme.toml`: static files (paths
/// below the theme's `static/`) to copy only when some page's body contains
/// the text given, such as a 3.5 MB diagram library that only pages with a
/// diagram load. Empty when the theme has none or the file does not parse
/// (the `[extra]` merge reports that).
pub fn on_demand(theme_dir: &Path) -> Vec<(String, String)> {
    let Ok(text) = std::fs::read_to_string(theme_dir.join("theme.toml")) else {
        return Vec::new();
    };
    let Ok(theme) = toml::from_str::<toml::Table>(&text) else {
        return Vec::new();
    };
    let Some(toml::Value::Table(files)) = theme.get("on_demand") else {
        return Vec::new();
    };
    files
        .iter()
        .filter_map(|(path, marker)| Some((path.clone(), marker.as_str()?.to_string())))
        .collect()
}

/// The `[markdown]` defaults a theme asks for in its `theme.toml`
/// (`smart_punctuation`, `image_figures`, `github_alerts`,
/// `insert_anchor_links`), applied where the site's `config.toml` does not
/// set them (fascia's fibre asks for all; Zola's defaults, off and `none`,
/// hold otherwise).
pub fn merge_markdown(
    markdown: &mut crate::config::MarkdownConfig,
    theme_dir: &Path,
) -> Result<(), Diagnostic> {
    let file = theme_dir.join("theme.toml");
    let Ok(text) = std::fs::read_to_string(&file) else {
        return Ok(());
    };
    let theme: toml::Table = toml::from_str(&text).map_err(|e| {
        Diagnostic::error("theme-toml", format!("{}: {e}", file.display())).in_file(&file)
    })?;
    let Some(toml::Value::Table(md)) = theme.get("markdown") else {
        return Ok(());
    };
    let bad = |key: &str| {
        Diagnostic::error(
            "theme-toml",
            format!(
                "{}: [markdown] {key} has a value fascia does not know",
                file.display()
            ),
        )
        .in_file(&file)
    };
    if markdown.smart_punctuation.is_none()
        && let Some(v) = md.get("smart_punctuation")
    {
        markdown.smart_punctuation = Some(v.as_bool().ok_or_else(|| bad("smart_punctuation"))?);
    }
    if markdown.image_figures.is_none()
        && let Some(v) = md.get("image_figures")
    {
        markdown.image_figures = Some(v.as_bool().ok_or_else(|| bad("image_figures"))?);
    }
    if markdown.github_alerts.is_none()
        && let Some(v) = md.get("github_alerts")
    {
        markdown.github_alerts = Some(v.as_bool().ok_or_else(|| bad("github_alerts"))?);
    }
    if markdown.insert_anchor_links.is_none()
        && let Some(v) = md.get("insert_anchor_links")
    {
        let mode = v
            .clone()
            .try_into()
            .map_err(|_| bad("insert_anchor_links"))?;
        markdown.insert_anchor_links = Some(mode);
    }
    Ok(())
}

/// Merge the theme's interface strings, `theme_dir/translations/<code>.toml`
/// (`key = "text"` lines), under each language's `translations` (the
/// site's own `[translations]` and `[languages.xx.translations]` win).
/// A language the theme has no file for takes the file of its primary
/// subtag (`fr.toml` for `fr-CA`), else the default language's, else
/// `en.toml`, so the interface shows in another language rather than
/// failing the build.
pub fn merge_translations(config: &mut Config, theme_dir: &Path) -> Result<(), Diagnostic> {
    let default = config.default_language.clone();
    let Config {
        languages,
        translations,
        ..
    } = config;
    let config_translations = translations;
    let dir = theme_dir.join("translations");
    for (code, lang) in languages.iter_mut() {
        let primary = code.split(['-', '_']).next().unwrap_or(code);
        let Some(file) = [code.as_str(), primary, default.as_str(), "en"]
            .iter()
            .map(|c| dir.join(format!("{c}.toml")))
            .find(|f| f.is_file())
        else {
            continue;
        };
        // Shown from the site root (`themes/fibre/translations/fr.toml`).
        let base = theme_dir
            .parent()
            .and_then(Path::parent)
            .unwrap_or(theme_dir);
        let shown = file.strip_prefix(base).unwrap_or(&file).to_path_buf();
        let text = crate::diagnostics::read_utf8(&file, &shown)?;
        let table: indexmap::IndexMap<String, String> = toml::from_str(&text).map_err(|e| {
            let d = Diagnostic::error(
                "theme-translations",
                format!("{}: {}", shown.display(), e.message()),
            )
            .with_help("each line is `key = \"text\"`");
            match e.span() {
                Some(span) => d.at_offset(&shown, &text, span.start),
                None => d.in_file(&shown),
            }
        })?;
        for (k, v) in table {
            if *code == default {
                config_translations.entry(k.clone()).or_insert(v.clone());
            }
            lang.translations.entry(k).or_insert(v);
        }
    }
    Ok(())
}

/// Keys of `defaults` missing from `into` are added; tables on both sides merge.
fn merge(into: &mut toml::Table, defaults: &toml::Table) {
    for (key, value) in defaults {
        match (into.get_mut(key), value) {
            (None, _) => {
                into.insert(key.clone(), value.clone());
            }
            (Some(toml::Value::Table(mine)), toml::Value::Table(theirs)) => merge(mine, theirs),
            (Some(_), _) => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::merge;

    #[test]
    fn site_values_win_and_tables_merge() {
        let mut site: toml::Table =
            toml::from_str("menu = \"site\"\n[social]\ngithub = \"me\"\n").unwrap();
        let theme: toml::Table = toml::from_str(
            "menu = \"theme\"\nfooter = true\n[social]\ngithub = \"x\"\nmastodon = \"y\"\n",
        )
        .unwrap();
        merge(&mut site, &theme);
        assert_eq!(site["menu"].as_str(), Some("site"));
        assert_eq!(site["footer"].as_bool(), Some(true));
        assert_eq!(site["social"]["github"].as_str(), Some("me"));
        assert_eq!(site["social"]["mastodon"].as_str(), Some("y"));
    }
}
