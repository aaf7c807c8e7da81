//! A file written into the stage in pieces ([`Sink::put_streamed`]): the
//! print edition, the largest file of a site, is never held whole.

use std::io::{BufWriter, Read, Write};
use std::path::Path;
use std::sync::atomic::Ordering;

use super::{Sink, io_err, make_room, staged_name};
use crate::diagnostics::Diagnostic;
use crate::render::WriteWith;

/// The size of the pieces files are written and compared in.
const PIECE: usize = 64 * 1024;

impl Sink {
    /// Write one file whose bytes `write` produces in pieces: into a file
    /// beside its place, then compared in pieces with the previous output's
    /// (an unchanged file is kept, or hard-linked, as [`Sink::put`] does) and
    /// renamed into place.
    pub fn put_streamed(&self, rel: &str, write: WriteWith<'_>) -> Result<(), Diagnostic> {
        self.claim(rel)?;
        let path = self.stage.join(rel);
        if self.reused {
            make_room(&self.stage, rel)?;
        } else {
            self.make_dirs(rel)?;
        }
        let tmp = staged_name(&path);
        if let Err(d) = write_in_pieces(&tmp, write) {
            let _ = std::fs::remove_file(&tmp);
            return Err(d);
        }
        let listed = self.previous_files().files.contains(rel);
        let old = if self.reused {
            path.clone()
        } else {
            self.out.join(rel)
        };
        if listed
            && same_files(&tmp, &old)
            && (self.reused || std::fs::hard_link(&old, &path).is_ok())
        {
            let _ = std::fs::remove_file(&tmp);
            self.unchanged.fetch_add(1, Ordering::Relaxed);
            return Ok(());
        }
        std::fs::rename(&tmp, &path).map_err(|e| io_err("write", &path, &e))?;
        self.written.fetch_add(1, Ordering::Relaxed);
        Ok(())
    }
}

fn write_in_pieces(path: &Path, write: WriteWith<'_>) -> Result<(), Diagnostic> {
    let f = std::fs::File::create(path).map_err(|e| io_err("write", path, &e))?;
    let mut w = BufWriter::with_capacity(PIECE, f);
    write(&mut w)?;
    w.flush().map_err(|e| io_err("write", path, &e))
}

/// Whether two files hold the same bytes, read in pieces.
pub(super) fn same_files(a: &Path, b: &Path) -> bool {
    let (Ok(mut fa), Ok(mut fb)) = (std::fs::File::open(a), std::fs::File::open(b)) else {
        return false;
    };
    match (fa.metadata(), fb.metadata()) {
        (Ok(ma), Ok(mb)) if ma.is_file() && mb.is_file() && ma.len() == mb.len() => {}
        _ => return false,
    }
    let (mut ba, mut bb) = (vec![0u8; PIECE], vec![0u8; PIECE]);
    loop {
        let n = match fa.read(&mut ba) {
            Ok(0) => return true,
            Ok(n) => n,
            Err(_) => return false,
        };
        if fb.read_exact(&mut bb[..n]).is_err() || ba[..n] != bb[..n] {
            return false;
        }
    }
}
