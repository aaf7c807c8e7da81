//! The emit stage: [`Output`] is an in-memory map from output path to bytes
//! (or to a file to copy). `build` writes it atomically ([`write`]); `serve`
//! serves it from memory.

pub mod archive;
pub mod clean;
pub mod guard;
pub mod offline;
pub mod write;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

/// One output file.
#[derive(Debug, Clone)]
pub enum OutputFile {
    /// Shared with `serve`'s snapshot, so bytes are held once.
    Bytes(Arc<Vec<u8>>),
    /// Copied from disk (static files, page assets).
    Copy(PathBuf),
}

/// Bytes to hold for long (a rendered page grows by doubling while it is
/// written: without its spare capacity it may take half the memory).
pub fn shared(mut bytes: Vec<u8>) -> Arc<Vec<u8>> {
    bytes.shrink_to_fit();
    Arc::new(bytes)
}

/// Every file of the built site, by path relative to the output folder.
#[derive(Debug, Default, Clone)]
pub struct Output {
    pub files: BTreeMap<String, OutputFile>,
    /// Paths written twice, with the later writer (for the duplicate error).
    pub duplicates: Vec<String>,
    /// Files a streamed build handed to its sink before the rest (the search
    /// index, not held while the pages render): their sizes, by path.
    pub handed_over: BTreeMap<String, usize>,
}

impl Output {
    pub fn insert_bytes(&mut self, path: String, bytes: Vec<u8>) {
        self.insert_shared(path, shared(bytes));
    }

    /// [`Output::insert_bytes`] with bytes already shared.
    pub fn insert_shared(&mut self, path: String, bytes: Arc<Vec<u8>>) {
        if self
            .files
            .insert(path.clone(), OutputFile::Bytes(bytes))
            .is_some()
        {
            self.duplicates.push(path);
        }
    }

    /// Copy a file, unless something already generated that path.
    pub fn insert_copy(&mut self, path: String, from: PathBuf) {
        self.files.entry(path).or_insert(OutputFile::Copy(from));
    }

    /// Overwrite (static files of the site override the theme's).
    pub fn put_copy(&mut self, path: String, from: PathBuf) {
        self.files.insert(path, OutputFile::Copy(from));
    }

    pub fn html_count(&self) -> usize {
        self.files.keys().filter(|k| k.ends_with(".html")).count()
    }
}
