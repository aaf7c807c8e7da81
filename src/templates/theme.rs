//! A theme's `theme.toml`: its `[extra]` table gives defaults for the
//! site's `config.extra` (the site's values win, tables merge key by key,
//! as in Zola).

use std::path::Path;

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
