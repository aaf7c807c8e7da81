//! A page of the offline edition rewritten in pieces: the print edition
//! (the whole site on one page) is read back from where it was streamed,
//! rewritten, checked and digested as it goes, never held whole.

use std::cell::RefCell;
use std::io::{Read, Write};
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{Reference, html_rewriter, reference_reader};
use crate::diagnostics::Diagnostic;

/// What a rewrite in pieces gives besides the bytes it wrote: their SHA-256
/// and the references of the rewritten page.
pub struct Rewritten {
    pub digest: [u8; 32],
    pub found: Vec<Reference>,
}

/// Rewrite the HTML page at `source` (the output key `rel`) for the offline
/// edition into `w`, 64 KB at a time.
pub fn rewrite_file(
    source: &Path,
    rel: &str,
    base_url: &str,
    stays: &dyn Fn(&str) -> bool,
    w: &mut dyn Write,
) -> Result<Rewritten, Diagnostic> {
    let failed =
        |what: String| Diagnostic::error("offline", format!("cannot rewrite {rel}: {what}"));
    let mut file = std::fs::File::open(source).map_err(|e| failed(e.to_string()))?;
    let mut hasher = Sha256::new();
    let found = RefCell::new(Vec::new());
    let mut reader = reference_reader(&found);
    let mut write_error: Option<std::io::Error> = None;
    let sink = |chunk: &[u8]| {
        hasher.update(chunk);
        if write_error.is_none()
            && let Err(e) = w.write_all(chunk)
        {
            write_error = Some(e);
        }
        // Reading only: it cannot fail on what the rewriter wrote.
        let _ = reader.write(chunk);
    };
    let mut rewriter = html_rewriter(rel, base_url, stays, sink);
    let mut buf = vec![0u8; 64 * 1024];
    loop {
        let n = file.read(&mut buf).map_err(|e| failed(e.to_string()))?;
        if n == 0 {
            break;
        }
        rewriter
            .write(&buf[..n])
            .map_err(|e| failed(e.to_string()))?;
    }
    rewriter.end().map_err(|e| failed(e.to_string()))?;
    let _ = reader.end();
    if let Some(e) = write_error {
        return Err(failed(e.to_string()));
    }
    Ok(Rewritten {
        digest: hasher.finalize().into(),
        found: found.into_inner(),
    })
}
