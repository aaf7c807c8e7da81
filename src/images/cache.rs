//! The image cache: a folder of made files, named by a hash of the source's
//! content and the settings, so a name that exists is a file that need not
//! be made again. Kept under the site root (`.fascia-cache/images`), which
//! the output guard refuses as an output folder and the watcher ignores.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

/// The cache folder, relative to the site root.
pub const DIR: &str = ".fascia-cache/images";

/// A cache folder and what one build took from it and added to it.
#[derive(Debug)]
pub struct Cache {
    dir: PathBuf,
    reused: AtomicUsize,
    made: AtomicUsize,
}

impl Cache {
    /// The cache of the site at `root`.
    pub fn for_site(root: &Path) -> Self {
        Self::at(root.join(DIR))
    }

    pub fn at(dir: PathBuf) -> Self {
        Self {
            dir,
            reused: AtomicUsize::new(0),
            made: AtomicUsize::new(0),
        }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// Files found in the cache, and files made, so far.
    pub fn counts(&self) -> (usize, usize) {
        (
            self.reused.load(Ordering::Relaxed),
            self.made.load(Ordering::Relaxed),
        )
    }

    /// The cached file `name`, made with `make` if it is not there yet
    /// (written beside and renamed into place, so a reader never sees half).
    pub fn get_or_make(
        &self,
        name: &str,
        make: impl FnOnce() -> Result<Vec<u8>, String>,
    ) -> Result<PathBuf, String> {
        let path = self.dir.join(name);
        if path.is_file() {
            self.reused.fetch_add(1, Ordering::Relaxed);
            return Ok(path);
        }
        let bytes = make()?;
        std::fs::create_dir_all(&self.dir)
            .map_err(|e| format!("cannot create {}: {e}", self.dir.display()))?;
        let tmp = self.dir.join(format!(
            ".{name}.{}.{:?}.tmp",
            std::process::id(),
            std::thread::current().id()
        ));
        std::fs::write(&tmp, &bytes).map_err(|e| format!("cannot write {}: {e}", tmp.display()))?;
        std::fs::rename(&tmp, &path).map_err(|e| {
            let _ = std::fs::remove_file(&tmp);
            format!("cannot write {}: {e}", path.display())
        })?;
        self.made.fetch_add(1, Ordering::Relaxed);
        Ok(path)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn makes_once_then_reuses() {
        let dir = tempfile::tempdir().unwrap();
        let cache = Cache::at(dir.path().join("c"));
        let mut calls = 0;
        let a = cache
            .get_or_make("x.png", || {
                calls += 1;
                Ok(b"one".to_vec())
            })
            .unwrap();
        let b = cache
            .get_or_make("x.png", || {
                calls += 1;
                Ok(b"two".to_vec())
            })
            .unwrap();
        assert_eq!(a, b);
        assert_eq!(calls, 1);
        assert_eq!(std::fs::read(&a).unwrap(), b"one");
        assert_eq!(cache.counts(), (1, 1));
        assert!(cache.get_or_make("y.png", || Err("bad".into())).is_err());
        assert!(!dir.path().join("c/y.png").exists());
    }
}
