//! The parse cache `serve` keeps between rebuilds.

use std::sync::Arc;

use crate::content::Document;

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

    /// Whether this cache keeps documents (it then compares sources: the
    /// documents it keeps hold theirs).
    pub(super) fn is_on(&self) -> bool {
        self.enabled
    }

    pub(super) fn get(&self, rel: &str, text: &str, settings: u64) -> Option<Arc<Document>> {
        if !self.enabled {
            return None;
        }
        let docs = self.docs.lock().ok()?;
        let (key, doc) = docs.get(rel)?;
        (*key == settings && doc.file.text == text).then(|| Arc::clone(doc))
    }

    /// Keep exactly `docs` (those parsed without warnings, whose warnings
    /// must be reported again).
    pub(super) fn replace<'a>(&self, docs: impl Iterator<Item = &'a Arc<Document>>, settings: u64) {
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
