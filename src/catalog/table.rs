//! Reading one dataset folder: raw bytes → pre-pass → polars frame, with checksums and issues.

use std::io::Cursor;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressStyle};
use polars::prelude::*;
use sha2::{Digest, Sha256};

use super::error::CatalogError;
use super::model::{DatasetInfo, IngestIssue};
use super::prepass::{clean_csv, issue, CleanCsv};

/// Name of the column holding each row's 1-based starting line in the source file.
pub const LINE_COL: &str = "__line";

/// What to read from one CSV file.
#[derive(Debug, Clone, Copy)]
pub struct TableSpec<'a> {
    /// File name inside the dataset folder.
    pub file: &'a str,
    /// Columns to load; each must exist in the header.
    pub columns: &'a [&'a str],
    /// Columns that must be non-blank for a row to be kept.
    pub non_empty: &'a [&'a str],
    /// Column name that identifies the header record when a metadata block precedes it.
    pub header_marker: Option<&'a str>,
}

impl<'a> TableSpec<'a> {
    /// A plain CSV file whose first record is the header.
    pub const fn new(file: &'a str, columns: &'a [&'a str], non_empty: &'a [&'a str]) -> Self {
        TableSpec { file, columns, non_empty, header_marker: None }
    }
}

/// A loaded table: every requested column as String, plus [`LINE_COL`] (u64).
#[derive(Debug, Clone)]
pub struct Table {
    /// The rows kept.
    pub df: DataFrame,
    /// Records before the header (see [`TableSpec::header_marker`]).
    pub preamble: Vec<Vec<String>>,
    /// File name relative to the data directory, as used in issues.
    pub file: String,
}

/// Reads the files of one dataset folder and remembers their checksums.
#[derive(Debug)]
pub struct DatasetReader<'a> {
    data_dir: &'a Path,
    folder: &'a str,
    hashes: Vec<(String, String)>,
}

impl<'a> DatasetReader<'a> {
    /// A reader for `data_dir/folder`.
    pub fn new(data_dir: &'a Path, folder: &'a str) -> Self {
        DatasetReader { data_dir, folder, hashes: Vec::new() }
    }

    /// Full path of `file` in this dataset folder.
    pub fn path(&self, file: &str) -> PathBuf {
        self.data_dir.join(self.folder).join(file)
    }

    /// `file` as named relative to the data directory (`rome-4.60/unix_texte_v460_utf8.csv`).
    pub fn relative(&self, file: &str) -> String {
        format!("{}/{}", self.folder, file)
    }

    /// Whether `file` exists, plain or gzip-compressed.
    pub fn exists(&self, file: &str) -> bool {
        exists(&self.path(file))
    }

    /// Fails with [`CatalogError::MissingFile`] unless every file exists; called before any
    /// parsing so that a missing file is reported before minutes of work.
    pub fn require(&self, files: &[&str]) -> Result<(), CatalogError> {
        match files.iter().map(|f| self.path(f)).find(|p| !exists(p)) {
            Some(path) => Err(CatalogError::MissingFile { path }),
            None => Ok(()),
        }
    }

    /// Reads one table, appending repaired/skipped rows to `issues`.
    pub fn read(&mut self, spec: &TableSpec<'_>, issues: &mut Vec<IngestIssue>) -> Result<Table, CatalogError> {
        let rel = self.relative(spec.file);
        let spinner = spinner(&rel);
        let path = self.path(spec.file);
        let raw = read_data_file(&path)?;
        self.hashes.push((spec.file.to_owned(), hex::encode(Sha256::digest(&raw))));
        let mut clean = clean_csv(&raw, &rel, spec.header_marker);
        drop(raw);
        check_columns(&clean, &rel, spec.columns)?;
        let df = parse(&mut clean, &rel, spec.columns)?;
        issues.append(&mut clean.issues);
        let df = drop_blank_required(df, &rel, spec.non_empty, issues)?;
        tracing::debug!(file = %rel, rows = df.height(), "table read");
        spinner.finish_and_clear();
        Ok(Table { df, preamble: clean.preamble, file: rel })
    }

    /// Reads one file whole (a workbook, or any non-CSV file), remembering its checksum.
    pub fn read_bytes(&mut self, file: &str) -> Result<Vec<u8>, CatalogError> {
        let raw = read_data_file(&self.path(file))?;
        self.hashes.push((file.to_owned(), hex::encode(Sha256::digest(&raw))));
        Ok(raw)
    }

    /// Checksum of the files read so far: sha256 over the sorted `name:sha256` lines.
    pub fn info(&self, name: &str, version: &str) -> DatasetInfo {
        DatasetInfo { name: name.to_owned(), version: version.to_owned(), sha256: combined_sha256(&self.hashes) }
    }

    /// `(file name, sha256)` of every file read so far.
    pub fn hashes(&self) -> &[(String, String)] {
        &self.hashes
    }
}

/// Whether a data file exists as `path` or as `path.gz`.
pub fn exists(path: &Path) -> bool {
    path.is_file() || gz_path(path).is_file()
}

fn gz_path(path: &Path) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(".gz");
    PathBuf::from(name)
}

/// Reads a data file, decompressing `path.gz` when only the compressed copy is present (the
/// extracts committed under `datasets/official/` are gzipped). Checksums are taken on the
/// decompressed bytes, so a compressed copy and the published file hash alike.
pub fn read_data_file(path: &Path) -> Result<Vec<u8>, CatalogError> {
    let io = |source: std::io::Error| match source.kind() {
        std::io::ErrorKind::NotFound => CatalogError::MissingFile { path: path.to_path_buf() },
        _ => CatalogError::Io { path: path.to_path_buf(), source },
    };
    if path.is_file() {
        return std::fs::read(path).map_err(io);
    }
    let gz = gz_path(path);
    let file = std::fs::File::open(&gz).map_err(io)?;
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut flate2::read::GzDecoder::new(file), &mut out)
        .map_err(|source| CatalogError::Io { path: gz.clone(), source })?;
    Ok(out)
}

/// sha256 over the sorted `name:sha256` lines (one per file, `\n`-terminated).
pub fn combined_sha256(hashes: &[(String, String)]) -> String {
    let mut lines: Vec<String> = hashes.iter().map(|(name, sha)| format!("{name}:{sha}\n")).collect();
    lines.sort();
    lines.dedup();
    let mut hasher = Sha256::new();
    lines.iter().for_each(|l| hasher.update(l.as_bytes()));
    hex::encode(hasher.finalize())
}

fn spinner(rel: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner().with_message(format!("reading {rel}"));
    if let Ok(style) = ProgressStyle::with_template("{spinner} {msg} ({elapsed})") {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(120));
    bar
}

fn check_columns(clean: &CleanCsv, rel: &str, columns: &[&str]) -> Result<(), CatalogError> {
    match columns.iter().find(|c| !clean.header.iter().any(|h| h == *c)) {
        Some(column) => Err(CatalogError::MissingColumn { file: rel.to_owned(), column: (*column).to_owned() }),
        None => Ok(()),
    }
}

/// Parses the cleaned bytes with polars, every column as String, and adds [`LINE_COL`].
fn parse(clean: &mut CleanCsv, rel: &str, columns: &[&str]) -> Result<DataFrame, CatalogError> {
    let projection: Arc<[PlSmallStr]> = columns.iter().map(|c| PlSmallStr::from(*c)).collect();
    let bytes = std::mem::take(&mut clean.bytes);
    let mut df = CsvReadOptions::default()
        .with_has_header(true)
        // Schema inference over zero rows makes every column a String: codes such as
        // `01234` or ISCO groups must keep their leading zeros.
        .with_infer_schema_length(Some(0))
        .with_columns(Some(projection))
        .into_reader_with_file_handle(Cursor::new(bytes))
        .finish()
        .map_err(CatalogError::polars(rel))?;
    let lines: Vec<u64> = clean.lines.iter().map(|&l| l as u64).collect();
    if lines.len() != df.height() {
        // Cannot happen with records the pre-pass accepted; keep the rows polars found rather
        // than failing, but say so: line numbers in later issues become unreliable.
        tracing::warn!(file = rel, prepass = lines.len(), polars = df.height(), "row count mismatch");
        let message = format!("row count mismatch: pre-pass kept {}, polars read {}", lines.len(), df.height());
        clean.issues.push(issue(rel, 1, &message));
    }
    let lines: Vec<u64> = (0..df.height()).map(|i| lines.get(i).copied().unwrap_or(0)).collect();
    df.with_column(Column::new(LINE_COL.into(), lines)).map_err(CatalogError::polars(rel))?;
    Ok(df)
}

/// Drops rows where a required column is blank, recording an issue for each.
fn drop_blank_required(
    df: DataFrame,
    rel: &str,
    non_empty: &[&str],
    issues: &mut Vec<IngestIssue>,
) -> Result<DataFrame, CatalogError> {
    if non_empty.is_empty() || df.height() == 0 {
        return Ok(df);
    }
    let lines = u64_col(&df, LINE_COL, rel)?;
    let mut keep = vec![true; df.height()];
    for name in non_empty {
        let values = str_col(&df, name, rel)?;
        for (i, value) in values.iter().enumerate() {
            if keep[i] && non_blank(value).is_none() {
                keep[i] = false;
                let line = lines.get(i).unwrap_or(0) as usize;
                issues.push(issue(rel, line, &format!("empty required field `{name}`; record skipped")));
            }
        }
    }
    if keep.iter().all(|&k| k) {
        return Ok(df);
    }
    let mask = BooleanChunked::from_slice("keep".into(), &keep);
    df.filter(&mask).map_err(CatalogError::polars(rel))
}

/// The trimmed value, or `None` when null or blank.
pub fn non_blank(value: Option<&str>) -> Option<&str> {
    value.map(str::trim).filter(|v| !v.is_empty())
}

/// A String column of `df`.
pub fn str_col<'a>(df: &'a DataFrame, name: &str, rel: &str) -> Result<&'a StringChunked, CatalogError> {
    df.column(name).and_then(Column::str).map_err(CatalogError::polars(rel))
}

/// A u64 column of `df` (such as [`LINE_COL`]).
pub fn u64_col<'a>(df: &'a DataFrame, name: &str, rel: &str) -> Result<&'a UInt64Chunked, CatalogError> {
    df.column(name).and_then(Column::u64).map_err(CatalogError::polars(rel))
}

/// Runs a lazy query, naming `step` in errors.
pub fn collect(lf: LazyFrame, step: &str) -> Result<DataFrame, CatalogError> {
    lf.collect().map_err(CatalogError::polars(step))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    #[test]
    fn gzipped_copies_read_like_the_plain_file() {
        let dir = tempfile::tempdir().unwrap();
        let plain = dir.path().join("a.csv");
        let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        gz.write_all(b"x,y\n1,2\n").unwrap();
        std::fs::write(dir.path().join("a.csv.gz"), gz.finish().unwrap()).unwrap();
        assert!(exists(&plain));
        assert_eq!(read_data_file(&plain).unwrap(), b"x,y\n1,2\n");
        // The plain file wins when both exist.
        std::fs::write(&plain, b"plain").unwrap();
        assert_eq!(read_data_file(&plain).unwrap(), b"plain");
        // Neither: a missing-file error naming the plain path; a broken gzip: an I/O error.
        let missing = dir.path().join("b.csv");
        assert!(matches!(read_data_file(&missing), Err(CatalogError::MissingFile { path }) if path == missing));
        std::fs::write(dir.path().join("c.csv.gz"), b"not gzip").unwrap();
        assert!(matches!(read_data_file(&dir.path().join("c.csv")), Err(CatalogError::Io { .. })));
    }
}
