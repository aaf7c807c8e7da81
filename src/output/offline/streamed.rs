//! A page of the offline edition rewritten in pieces: the print edition
//! (the whole site on one page) is rewritten, checked and digested as it
//! comes, never held whole: straight from its render, or read back from
//! where it was written when its rewrite must wait for every file.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{Reference, html_rewriter};
use crate::diagnostics::Diagnostic;

/// What a rewrite in pieces gives besides the bytes it wrote: their SHA-256
/// and the references of the rewritten page.
pub struct Rewritten {
    pub digest: [u8; 32],
    pub found: Vec<Reference>,
}

/// Hands the pieces of a page to a rewriter.
type Push<'p> = &'p mut dyn FnMut(&[u8]) -> Result<(), String>;

/// Rewrite the HTML page at `source` (the output key `rel`) for the offline
/// edition into `w`, 64 KB at a time.
pub fn rewrite_file(
    source: &Path,
    rel: &str,
    base_url: &str,
    stays: &dyn Fn(&str) -> bool,
    w: &mut dyn Write,
) -> Result<Rewritten, Diagnostic> {
    let failed = |what: String| failed(rel, &what);
    let mut file = std::fs::File::open(source).map_err(|e| failed(e.to_string()))?;
    rewrite_stream(rel, base_url, stays, w, &mut |push| {
        let mut buf = vec![0u8; 64 * 1024];
        loop {
            let n = file.read(&mut buf).map_err(|e| failed(e.to_string()))?;
            if n == 0 {
                return Ok(());
            }
            push(&buf[..n]).map_err(failed)?;
        }
    })
}

/// Rewrite the HTML page `write` writes (the output key `rel`) for the
/// offline edition into `w`, as it is written.
pub fn rewrite_written(
    rel: &str,
    base_url: &str,
    stays: &dyn Fn(&str) -> bool,
    w: &mut dyn Write,
    write: crate::render::WriteWith<'_>,
) -> Result<Rewritten, Diagnostic> {
    rewrite_stream(rel, base_url, stays, w, &mut |push| {
        write(&mut Pushing(push))
    })
}

/// An [`std::io::Write`] handing what is written to a rewriter.
struct Pushing<'p>(Push<'p>);

impl Write for Pushing<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        (self.0)(buf).map_err(std::io::Error::other)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The rewrite itself: `feed` hands the page's pieces to the push it is
/// given; the rewritten pieces go to `w` and the digest as they come, and
/// the references of the rewritten page are noted in the same pass.
fn rewrite_stream(
    rel: &str,
    base_url: &str,
    stays: &dyn Fn(&str) -> bool,
    w: &mut dyn Write,
    feed: &mut dyn FnMut(Push<'_>) -> Result<(), Diagnostic>,
) -> Result<Rewritten, Diagnostic> {
    let mut hasher = Sha256::new();
    let found = RefCell::new(Vec::new());
    let mut write_error: Option<std::io::Error> = None;
    let sink = |chunk: &[u8]| {
        hasher.update(chunk);
        if write_error.is_none()
            && let Err(e) = w.write_all(chunk)
        {
            write_error = Some(e);
        }
    };
    let mut rewriter = html_rewriter(rel, base_url, stays, Some(&found), sink);
    feed(&mut |piece: &[u8]| rewriter.write(piece).map_err(|e| e.to_string()))?;
    rewriter.end().map_err(|e| failed(rel, &e.to_string()))?;
    if let Some(e) = write_error {
        return Err(failed(rel, &e.to_string()));
    }
    Ok(Rewritten {
        digest: hasher.finalize().into(),
        found: found.into_inner(),
    })
}

fn failed(rel: &str, what: &str) -> Diagnostic {
    Diagnostic::error("offline", format!("cannot rewrite {rel}: {what}"))
}
