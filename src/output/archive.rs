//! `MANIFEST.txt` and the deterministic zip of the offline edition.
//!
//! The same content gives the same zip bytes: entries in path order, one
//! fixed timestamp (the build date), fixed permissions, no extra fields.
//! Every entry sits below one folder named after the site, so unpacking the
//! zip makes one folder, not two dozen files in the current one.

use std::fmt::Write as _;
use std::io::Write as _;
use std::path::Path;

use sha2::{Digest, Sha256};

use super::{Output, OutputFile};
use crate::diagnostics::Diagnostic;

pub const MANIFEST: &str = "MANIFEST.txt";

/// The build date: `SOURCE_DATE_EPOCH` when set, else the newest content date,
/// so a rebuild of unchanged content gives identical bytes.
pub fn build_date(site: &crate::site::Site) -> jiff::civil::Date {
    if let Some(secs) = std::env::var("SOURCE_DATE_EPOCH")
        .ok()
        .and_then(|s| s.parse::<i64>().ok())
        && let Ok(ts) = jiff::Timestamp::from_second(secs)
    {
        return ts.to_zoned(jiff::tz::TimeZone::UTC).date();
    }
    site.doc_ids()
        .flat_map(|id| {
            let fm = &site.doc(id).fm;
            [fm.updated, fm.last_reviewed, fm.date]
        })
        .flatten()
        .map(|d| d.date())
        .max()
        .unwrap_or_else(|| jiff::civil::date(1980, 1, 1))
}

fn bytes_of(file: &OutputFile) -> Result<Vec<u8>, Diagnostic> {
    match file {
        OutputFile::Bytes(b) => Ok(b.as_ref().clone()),
        OutputFile::Copy(p) => std::fs::read(p)
            .map_err(|e| Diagnostic::error("io", format!("cannot read {}: {e}", p.display()))),
    }
}

/// Add `MANIFEST.txt`: version, date, page count and the SHA-256 of every file.
pub fn add_manifest(
    output: &mut Output,
    date: jiff::civil::Date,
    pages: usize,
) -> Result<(), Diagnostic> {
    let mut digests = Vec::with_capacity(output.files.len());
    for (key, file) in &output.files {
        digests.push((key.clone(), digest(&bytes_of(file)?)));
    }
    let text = manifest(&digests, date, pages);
    output.insert_bytes(MANIFEST.into(), text.into_bytes());
    Ok(())
}

/// The SHA-256 of a file's bytes, as the manifest lists it.
pub fn digest(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// The text of `MANIFEST.txt` for the files `digests` (path, SHA-256),
/// sorted by path.
pub fn manifest(digests: &[(String, [u8; 32])], date: jiff::civil::Date, pages: usize) -> String {
    let mut text = format!(
        "fascia offline edition\nfascia-version: {}\nbuild-date: {date}\npages: {pages}\nfiles: {}\n\n",
        env!("CARGO_PKG_VERSION"),
        digests.len()
    );
    for (key, digest) in digests {
        for b in digest {
            let _ = write!(text, "{b:02x}");
        }
        let _ = writeln!(text, "  {key}");
    }
    text
}

/// The folder every entry of the zip sits under: a slug of the site's title,
/// else the output folder's name, else `site`.
pub fn top_folder(title: &str, out_dir: &Path) -> String {
    let from_title = slug::slugify(title);
    if !from_title.is_empty() {
        return from_title;
    }
    out_dir
        .file_name()
        .map(|n| slug::slugify(n.to_string_lossy()))
        .filter(|n| !n.is_empty())
        .unwrap_or_else(|| "site".to_string())
}

/// Write the whole output as a zip at `path`, every entry below the folder
/// `top` (so it unpacks into one folder), atomically: temporary file, then
/// rename.
pub fn write_zip(
    output: &Output,
    path: &Path,
    date: jiff::civil::Date,
    top: &str,
) -> Result<(), Diagnostic> {
    let err = |what: &str, e: &dyn std::fmt::Display| {
        Diagnostic::error("io", format!("cannot {what} {}: {e}", path.display()))
    };
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| err("create the folder of", &e))?;
    }
    let tmp = path.with_extension("zip.fascia-tmp");
    let file = std::fs::File::create(&tmp).map_err(|e| err("write", &e))?;
    let stamp = zip::DateTime::from_date_and_time(
        u16::try_from(date.year()).unwrap_or(1980).max(1980),
        date.month().unsigned_abs(),
        date.day().unsigned_abs(),
        0,
        0,
        0,
    )
    .unwrap_or_default();
    let options = zip::write::SimpleFileOptions::default()
        .compression_method(zip::CompressionMethod::Deflated)
        .last_modified_time(stamp)
        .unix_permissions(0o644);
    let mut zip = zip::ZipWriter::new(file);
    for (key, f) in &output.files {
        zip.start_file(format!("{top}/{key}"), options)
            .map_err(|e| err("write", &e))?;
        zip.write_all(&bytes_of(f)?).map_err(|e| err("write", &e))?;
    }
    zip.finish().map_err(|e| err("write", &e))?;
    std::fs::rename(&tmp, path).map_err(|e| err("move into place", &e))
}
