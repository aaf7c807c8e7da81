//! What the server serves: one complete build ([`Snapshot`]), replaced
//! whole, so that a response is always of one build's version.

use std::collections::HashMap;
use std::sync::Arc;

use super::request_path::url_of_key;
use crate::output::{Output, OutputFile};

/// One file of the served site.
#[derive(Debug, Clone)]
pub struct ServedFile {
    pub bytes: Arc<Vec<u8>>,
    /// XXH3 of `bytes`: what changed between builds, and the `ETag`.
    pub hash: u64,
}

impl ServedFile {
    fn new(bytes: Arc<Vec<u8>>) -> Self {
        let hash = crate::hash::xxh3(&bytes);
        Self { bytes, hash }
    }
}

/// The files of a snapshot by output key (`a/index.html`): those of the
/// last full build, shared by every snapshot since, under the files
/// incremental rebuilds changed since. An edit then copies only the
/// changed files' entries, not a map of every file (at 100,000 pages,
/// copying the whole map and comparing every file took a third of an
/// edit).
#[derive(Debug, Default, Clone)]
pub struct Files {
    base: Arc<HashMap<Arc<str>, ServedFile>>,
    top: HashMap<Arc<str>, ServedFile>,
}

impl Files {
    pub fn get(&self, key: &str) -> Option<&ServedFile> {
        self.get_key_value(key).map(|(_, f)| f)
    }

    pub fn get_key_value(&self, key: &str) -> Option<(&Arc<str>, &ServedFile)> {
        self.top
            .get_key_value(key)
            .or_else(|| self.base.get_key_value(key))
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.top.contains_key(key) || self.base.contains_key(key)
    }

    /// Every file once, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (&Arc<str>, &ServedFile)> {
        self.top.iter().chain(
            self.base
                .iter()
                .filter(|(k, _)| !self.top.contains_key(k.as_ref())),
        )
    }

    /// These files with `changes` over them. The changes are folded into
    /// a new base once they outgrow an eighth of it, so lookups stay two
    /// probes and the copying stays proportional to what changed.
    fn with(&self, changes: Vec<(Arc<str>, ServedFile)>) -> Self {
        let mut top = self.top.clone();
        top.extend(changes);
        if top.len() > 64 + self.base.len() / 8 {
            let mut all = HashMap::clone(&self.base);
            all.extend(top);
            return Self {
                base: Arc::new(all),
                top: HashMap::new(),
            };
        }
        Self {
            base: Arc::clone(&self.base),
            top,
        }
    }
}

/// One complete build, served as a whole.
#[derive(Debug, Default)]
pub struct Snapshot {
    /// Incremented on every successful build.
    pub generation: u64,
    /// The bytes are shared with the build that made them, and keys and
    /// bytes with the previous snapshot after an incremental rebuild:
    /// nothing is copied per build or per request.
    pub files: Files,
}

impl Snapshot {
    /// Take an [`Output`] into memory (files to copy are read), as the
    /// build after `previous`: files whose bytes it shares (see
    /// [`crate::pipeline::live::Live::build_reusing`]) keep their key and hash.
    pub fn from_output(output: &Output, previous: &Snapshot) -> Self {
        let mut files = HashMap::with_capacity(output.files.len());
        for (key, file) in &output.files {
            let old = previous.files.get_key_value(key.as_str());
            let served = match file {
                OutputFile::Bytes(b) => match old {
                    Some((_, f)) if Arc::ptr_eq(&f.bytes, b) => f.clone(),
                    _ => ServedFile::new(Arc::clone(b)),
                },
                OutputFile::Copy(path) => match std::fs::read(path) {
                    Ok(b) => match old {
                        Some((_, f)) if *f.bytes == b => f.clone(),
                        _ => ServedFile::new(Arc::new(b)),
                    },
                    Err(_) => continue,
                },
            };
            let key = old.map_or_else(|| Arc::from(key.as_str()), |(k, _)| Arc::clone(k));
            files.insert(key, served);
        }
        Self {
            generation: previous.generation + 1,
            files: Files {
                base: Arc::new(files),
                top: HashMap::new(),
            },
        }
    }

    /// Keep `previous`'s files that this one lacks and `keep` names (the
    /// search index and print edition of a large site, until they are made
    /// again: see [`crate::pipeline::live::Live::made_later`]).
    pub fn carry(&mut self, previous: &Snapshot, keep: impl Fn(&str) -> bool) {
        let carried: Vec<(Arc<str>, ServedFile)> = previous
            .files
            .iter()
            .filter(|(k, _)| keep(k) && !self.files.contains_key(k))
            .map(|(k, f)| (Arc::clone(k), f.clone()))
            .collect();
        if !carried.is_empty() {
            Arc::make_mut(&mut self.files.base).extend(carried);
        }
    }

    /// The next snapshot after an incremental rebuild: this one with the
    /// files under `keys` taken from `output`; and the URL paths whose
    /// content changed, sorted (as [`Snapshot::changed_urls`] would find
    /// them, without comparing every file).
    #[must_use]
    pub fn with_changes(&self, output: &Output, keys: &[String]) -> (Self, Vec<String>) {
        let mut changes = Vec::new();
        let mut urls = Vec::new();
        for key in keys {
            if let Some(OutputFile::Bytes(b)) = output.files.get(key) {
                let file = ServedFile::new(Arc::clone(b));
                let old = self.files.get_key_value(key);
                if old.map(|(_, f)| f.hash) != Some(file.hash) {
                    urls.push(url_of_key(key));
                }
                let key = old.map_or_else(|| Arc::from(key.as_str()), |(k, _)| Arc::clone(k));
                changes.push((key, file));
            }
        }
        urls.sort();
        urls.dedup();
        let next = Self {
            generation: self.generation + 1,
            files: self.files.with(changes),
        };
        (next, urls)
    }

    /// URL paths whose content differs between `self` and `newer`.
    pub fn changed_urls(&self, newer: &Snapshot) -> Vec<String> {
        let mut urls: Vec<String> = newer
            .files
            .iter()
            .filter(|(k, f)| self.files.get(k).map(|o| o.hash) != Some(f.hash))
            .map(|(k, _)| url_of_key(k))
            .chain(
                self.files
                    .iter()
                    .filter(|(k, _)| !newer.files.contains_key(k))
                    .map(|(k, _)| url_of_key(k)),
            )
            .collect();
        urls.sort();
        urls
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn output(files: &[(&str, &str)]) -> Output {
        let mut out = Output::default();
        for (k, v) in files {
            out.insert_bytes((*k).to_string(), v.as_bytes().to_vec());
        }
        out
    }

    #[test]
    fn changes_layer_over_the_full_build_and_fold_in_when_many() {
        let full = output(&[("a/index.html", "a"), ("b/index.html", "b")]);
        let first = Snapshot::from_output(&full, &Snapshot::default());
        let mut snap = first;
        // Enough edits to fold the changes into a new base at least once.
        for n in 0..200 {
            let key = format!("p{}/index.html", n % 70);
            let edit = output(&[(key.as_str(), &format!("v{n}")), ("a/index.html", "a")]);
            let (next, urls) = snap.with_changes(&edit, &[key.clone(), "a/index.html".into()]);
            // The unchanged file is not reported; the new text is.
            assert_eq!(urls, vec![url_of_key(&key)], "edit {n}");
            assert_eq!(snap.changed_urls(&next), urls, "edit {n}");
            assert_eq!(
                &**next.files.get(&key).unwrap().bytes,
                format!("v{n}").as_bytes()
            );
            assert_eq!(next.generation, snap.generation + 1);
            snap = next;
        }
        assert_eq!(snap.files.iter().count(), 72);
        // Folded into the base at least once, and the layer on top bounded.
        assert!(snap.files.base.len() > 2);
        assert!(snap.files.top.len() <= 64 + snap.files.base.len() / 8);
        assert_eq!(&**snap.files.get("b/index.html").unwrap().bytes, b"b");
        assert!(snap.files.contains_key("p0/index.html"));
        assert!(!snap.files.contains_key("zz/index.html"));
    }

    #[test]
    fn a_full_build_carries_only_the_named_files_it_lacks() {
        let before = output(&[
            ("a/index.html", "a"),
            ("search/x.js", "x"),
            ("gone/index.html", "g"),
        ]);
        let first = Snapshot::from_output(&before, &Snapshot::default());
        let after = output(&[("a/index.html", "a2")]);
        let mut next = Snapshot::from_output(&after, &first);
        next.carry(&first, |k| k.starts_with("search/"));
        assert_eq!(&**next.files.get("search/x.js").unwrap().bytes, b"x");
        assert_eq!(&**next.files.get("a/index.html").unwrap().bytes, b"a2");
        assert!(!next.files.contains_key("gone/index.html"));
        assert_eq!(
            first.changed_urls(&next),
            vec!["/a/".to_string(), "/gone/".to_string()]
        );
    }
}
