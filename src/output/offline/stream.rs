//! The offline edition made as the site is rendered: each file is rewritten
//! and written (beside the public edition, when both are built) the moment
//! it comes, so neither edition is ever held in memory whole.
//!
//! What needs the whole edition waits for the end, keeping little:
//! - the link check keeps the set of files the pages reference; only when
//!   one of them is missing are the staged pages read back to name every
//!   broken reference with its page;
//! - a page naming an outside address on the site's own host (which stays
//!   absolute unless it names a file of the edition) is held, as rendered,
//!   until every file of the edition is known;
//! - the manifest keeps each file's SHA-256.

use std::borrow::Cow;
use std::cell::{Cell, RefCell};
use std::collections::HashSet;
use std::sync::{Mutex, MutexGuard, PoisonError};

use rayon::prelude::*;

use super::streamed::{Rewritten, rewrite_file, rewrite_written};
use super::{Reference, check_page, judge, rewrite_css, rewrite_html_noting, site_key};
use crate::diagnostics::Diagnostic;
use crate::output::archive::{MANIFEST, digest, manifest};
use crate::output::write::Sink;
use crate::output::{Output, OutputFile};

/// What an existence test of an output key looks like.
type Exists<'e> = &'e (dyn Fn(&str) -> bool + Sync);

/// The offline edition (and the public one, when both are built) written
/// as the files come: a [`crate::render::PageSink`].
pub struct OfflineStream<'a> {
    offline: &'a Sink,
    public: Option<&'a Sink>,
    base_url: String,
    outside: HashSet<String>,
    /// The offline folder as error messages name it.
    shown_dir: String,
    /// Pages waiting for the whole edition (see the module's note).
    held: Mutex<Vec<(String, Vec<u8>)>>,
    /// Every output key a relative reference of a page resolves to.
    targets: Mutex<HashSet<String>>,
    /// References to the public site (errors whatever the edition holds).
    errors: Mutex<Vec<Diagnostic>>,
    digests: Mutex<Vec<(String, [u8; 32])>>,
    /// Pages written in pieces ([`OfflineStream::put_streamed`]), rewritten
    /// once every file is known: (key, where their public bytes are, whether
    /// that is a file of ours to remove after).
    streamed: Mutex<Vec<(String, std::path::PathBuf, bool)>>,
}

impl<'a> OfflineStream<'a> {
    /// A stream into `offline` (and `public`) for `site`'s offline edition,
    /// whose folder `shown_dir` names in messages.
    pub fn new(
        offline: &'a Sink,
        public: Option<&'a Sink>,
        site: &crate::site::Site,
        shown_dir: &std::path::Path,
    ) -> Self {
        Self {
            offline,
            public,
            base_url: site.config.base_url.clone(),
            outside: site.outside_urls(),
            shown_dir: shown_dir.display().to_string(),
            held: Mutex::default(),
            targets: Mutex::default(),
            errors: Mutex::default(),
            digests: Mutex::default(),
            streamed: Mutex::default(),
        }
    }

    /// One file of the site, in both editions.
    pub fn put(&self, rel: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        if let Some(public) = self.public {
            public.put(rel, bytes)?;
        }
        self.put_offline(rel, bytes, None)
    }

    /// Every file of an in-memory [`Output`] (what render did not stream),
    /// in parallel; a generated file wins over a static one at its path.
    pub fn put_output(&self, output: &Output) -> Result<(), Diagnostic> {
        let files: Vec<(&String, &OutputFile)> = output.files.iter().collect();
        files.par_iter().try_for_each(|(rel, file)| match file {
            OutputFile::Bytes(b) => self.put(rel, b),
            OutputFile::Copy(_) if self.offline.has(rel) || self.is_held(rel) => Ok(()),
            OutputFile::Copy(from) => {
                let bytes = std::fs::read(from).map_err(|e| {
                    Diagnostic::error("io", format!("cannot copy {}: {e}", from.display()))
                })?;
                self.put(rel, &bytes)
            }
        })
    }

    fn is_held(&self, rel: &str) -> bool {
        lock(&self.held).iter().any(|(k, _)| k == rel)
            || lock(&self.streamed).iter().any(|(k, _, _)| k == rel)
    }

    /// One file written in pieces by `write`, never held whole. Without a
    /// public edition, an HTML page is rewritten as it is written, unless
    /// the site has outside addresses on its own host (whether one stays
    /// depends on every file of the edition): then, as with a public
    /// edition, it is written first (into the public edition, or a file of
    /// its own in the offline stage) and rewritten from there in pieces at
    /// [`Self::finish`].
    pub fn put_streamed(
        &self,
        rel: &str,
        write: crate::render::WriteWith<'_>,
    ) -> Result<(), Diagnostic> {
        let own_host = || {
            self.outside
                .iter()
                .any(|u| site_key(u, &self.base_url).is_some())
        };
        if self.public.is_none() && rel.ends_with(".html") && !own_host() {
            let stays = |url: &str| self.stays(url, None, &Cell::new(false));
            let mut done = None;
            self.offline.put_streamed(rel, &mut |w| {
                done = Some(rewrite_written(rel, &self.base_url, &stays, w, write)?);
                Ok(())
            })?;
            if let Some(Rewritten { digest, found }) = done {
                self.note(rel, found);
                lock(&self.digests).push((rel.to_string(), digest));
            }
            return Ok(());
        }
        let (source, ours) = if let Some(public) = self.public {
            public.put_streamed(rel, write)?;
            (public.staged(rel), false)
        } else {
            let tmp = self
                .offline
                .staged(&format!(".{}.fascia-streamed", rel.replace('/', "_")));
            let io = |e: std::io::Error| {
                Diagnostic::error("io", format!("cannot write {}: {e}", tmp.display()))
            };
            let mut w = std::io::BufWriter::new(std::fs::File::create(&tmp).map_err(io)?);
            write(&mut w)?;
            std::io::Write::flush(&mut w).map_err(io)?;
            (tmp, true)
        };
        lock(&self.streamed).push((rel.to_string(), source, ours));
        Ok(())
    }

    /// A page written in pieces, rewritten in pieces into the offline
    /// edition now that `known` tells which files it has.
    fn finish_streamed(
        &self,
        rel: &str,
        source: &std::path::Path,
        known: Exists<'_>,
    ) -> Result<(), Diagnostic> {
        if !rel.ends_with(".html") {
            let bytes = std::fs::read(source).map_err(|e| {
                Diagnostic::error("io", format!("cannot read {}: {e}", source.display()))
            })?;
            return self.put_offline(rel, &bytes, Some(known));
        }
        let stays = |url: &str| self.stays(url, Some(known), &Cell::new(false));
        let mut done = None;
        self.offline.put_streamed(rel, &mut |w| {
            done = Some(rewrite_file(source, rel, &self.base_url, &stays, w)?);
            Ok(())
        })?;
        if let Some(Rewritten { digest, found }) = done {
            self.note(rel, found);
            lock(&self.digests).push((rel.to_string(), digest));
        }
        Ok(())
    }

    /// Whether the address `url` of a page stays as written (an outside
    /// address that names no file of the edition); `undecided` is set when
    /// that cannot be told before every file is `known`.
    fn stays(&self, url: &str, known: Option<Exists<'_>>, undecided: &Cell<bool>) -> bool {
        if !self.outside.contains(url) {
            return false;
        }
        match (site_key(url, &self.base_url), known) {
            (None, _) => true,
            (Some((key, _)), Some(exists)) => !exists(&key),
            (Some(_), None) => {
                undecided.set(true);
                false
            }
        }
    }

    /// Rewrite one file for the offline edition, check its references and
    /// write it. `known` tells which files the edition has, once all are in
    /// (before that, a page that needs to know is held).
    fn put_offline(
        &self,
        rel: &str,
        bytes: &[u8],
        known: Option<Exists<'_>>,
    ) -> Result<(), Diagnostic> {
        let out: Cow<[u8]> = if rel.ends_with(".html") {
            let undecided = Cell::new(false);
            let stays = |url: &str| self.stays(url, known, &undecided);
            let text = String::from_utf8_lossy(bytes);
            let (html, found) = rewrite_html_noting(&text, rel, &self.base_url, &stays)
                .map_err(|e| Diagnostic::error("offline", format!("cannot rewrite {rel}: {e}")))?;
            if undecided.get() {
                lock(&self.held).push((rel.to_string(), bytes.to_vec()));
                return Ok(());
            }
            self.note(rel, found);
            Cow::Owned(html.into_bytes())
        } else if rel.ends_with(".css") {
            let css = rewrite_css(&String::from_utf8_lossy(bytes), rel, &self.base_url);
            Cow::Owned(css.into_bytes())
        } else {
            Cow::Borrowed(bytes)
        };
        self.offline.put(rel, &out)?;
        lock(&self.digests).push((rel.to_string(), digest(&out)));
        Ok(())
    }

    /// Note the references `found` in a page (see [`Self::check`]).
    fn note(&self, rel: &str, found: Vec<Reference>) {
        let seen = RefCell::new(Vec::new());
        let record = |target: &str| {
            seen.borrow_mut().push(target.to_string());
            true
        };
        let errors = judge(
            found,
            &record,
            rel,
            &self.base_url,
            &self.shown_dir,
            &self.outside,
        );
        if !errors.is_empty() {
            lock(&self.errors).extend(errors);
        }
        lock(&self.targets).extend(seen.into_inner());
    }

    /// Once every file is in: the held pages, the link check and the
    /// manifest (`date` and `pages` as [`manifest`] prints them).
    pub fn finish(self, date: jiff::civil::Date, pages: usize) -> Result<(), Vec<Diagnostic>> {
        let held = std::mem::take(&mut *lock(&self.held));
        if crate::timing::Clock::new().on {
            eprintln!(
                "timing: offline edition streamed: {} pages held, {} files referenced{}",
                held.len(),
                lock(&self.targets).len(),
                crate::timing::memory_note()
            );
        }
        let streamed = std::mem::take(&mut *lock(&self.streamed));
        let held_keys: HashSet<&str> = held
            .iter()
            .map(|(k, _)| k.as_str())
            .chain(streamed.iter().map(|(k, _, _)| k.as_str()))
            .collect();
        let exists = |key: &str| held_keys.contains(key) || self.offline.has(key);
        for (rel, source, ours) in &streamed {
            let done = self.finish_streamed(rel, source, &exists);
            if *ours {
                let _ = std::fs::remove_file(source);
            }
            done.map_err(|d| vec![d])?;
        }
        held.par_iter()
            .try_for_each(|(rel, bytes)| self.put_offline(rel, bytes, Some(&exists)))
            .map_err(|d| vec![d])?;
        let missing = lock(&self.targets).iter().any(|t| !self.offline.has(t));
        let errors = if missing {
            self.recheck()
        } else {
            std::mem::take(&mut *lock(&self.errors))
        };
        if !errors.is_empty() {
            return Err(errors);
        }
        let mut digests = std::mem::take(&mut *lock(&self.digests));
        digests.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        let text = manifest(&digests, date, pages);
        self.offline
            .put(MANIFEST, text.as_bytes())
            .map_err(|d| vec![d])
    }

    /// Every broken reference, with its page: the staged pages read back.
    fn recheck(&self) -> Vec<Diagnostic> {
        let exists = |key: &str| self.offline.has(key);
        let mut pages: Vec<String> = self
            .offline
            .paths()
            .into_iter()
            .filter(|p| p.ends_with(".html"))
            .collect();
        pages.sort_unstable();
        pages
            .par_iter()
            .flat_map_iter(|rel| match std::fs::read(self.offline.staged(rel)) {
                Ok(bytes) => check_page(
                    &exists,
                    rel,
                    &String::from_utf8_lossy(&bytes),
                    &self.base_url,
                    &self.shown_dir,
                    &self.outside,
                ),
                Err(e) => vec![Diagnostic::error(
                    "io",
                    format!("cannot read back {}/{rel}: {e}", self.shown_dir),
                )],
            })
            .collect()
    }
}

impl crate::render::PageSink for OfflineStream<'_> {
    fn put(&self, path: &str, bytes: &[u8]) -> Result<(), Diagnostic> {
        OfflineStream::put(self, path, bytes)
    }

    fn put_streamed(
        &self,
        path: &str,
        write: crate::render::WriteWith<'_>,
    ) -> Result<(), Diagnostic> {
        OfflineStream::put_streamed(self, path, write)
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(PoisonError::into_inner)
}
