//! What an Obsidian vault (`obsidian = true`) adds to the content tree:
//! every folder is a section, `_index.md` or not, so a vault's folders get
//! index pages; and a note's tags (its `tags` property and its inline
//! `#tags`) are its terms of the `tags` taxonomy.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::sync::Arc;

use super::{Document, FrontMatter, SourceFile, parent_dir};
use crate::markdown::Body;

/// Add a section (titled with the folder's name) for every folder holding
/// documents, and every folder above it, that has no `_index.md`. A folder
/// with an `index.md` (a page bundle) is left as it is.
pub fn add_folder_sections(docs: &mut Vec<Arc<Document>>) {
    let have: BTreeSet<String> = docs
        .iter()
        .map(|d| d.file.rel.as_str())
        .filter(|r| {
            *r == "_index.md"
                || r.ends_with("/_index.md")
                || *r == "index.md"
                || r.ends_with("/index.md")
        })
        .map(|r| parent_dir(r).to_string())
        .collect();
    let mut wanted = BTreeSet::new();
    for d in docs.iter() {
        let mut dir = parent_dir(&d.file.rel);
        while !dir.is_empty() {
            wanted.insert(dir.to_string());
            dir = parent_dir(dir);
        }
    }
    for dir in wanted.difference(&have) {
        let name = dir.rsplit('/').next().unwrap_or(dir);
        let rel = format!("{dir}/_index.md");
        docs.push(Arc::new(Document {
            file: SourceFile {
                display: PathBuf::from("content").join(&rel),
                rel,
                text: String::new(),
            },
            fm: FrontMatter {
                title: Some(name.to_string()),
                ..FrontMatter::default()
            },
            body: Body::default(),
            body_line_offset: 0,
            is_section: true,
            lang: None,
        }));
    }
}

/// Put the note's `tags` property (a list or one tag, `#` optional) and its
/// inline `#tags` into its `tags` taxonomy.
pub fn tags_as_taxonomy(fm: &mut FrontMatter, body: &Body) {
    let mut tags: Vec<String> = Vec::new();
    let mut add = |t: &str| {
        let t = t.trim().trim_start_matches('#');
        if !t.is_empty() && !tags.iter().any(|x| x == t) {
            tags.push(t.to_string());
        }
    };
    match fm.extra.get("tags") {
        Some(toml::Value::Array(list)) => list
            .iter()
            .filter_map(toml::Value::as_str)
            .for_each(&mut add),
        Some(toml::Value::String(s)) => s.split([',', ' ']).for_each(&mut add),
        _ => {}
    }
    body.tags.iter().for_each(|t| add(t));
    if tags.is_empty() {
        return;
    }
    let terms = fm.taxonomies.entry("tags".to_string()).or_default();
    for t in tags {
        if !terms.contains(&t) {
            terms.push(t);
        }
    }
}
