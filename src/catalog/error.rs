//! Errors that stop a catalogue load (bad rows are not errors: they become
//! [`IngestIssue`](super::IngestIssue)s).

use std::path::PathBuf;

/// Why a catalogue could not be built.
#[derive(Debug, thiserror::Error)]
pub enum CatalogError {
    /// A file the selected sources need does not exist.
    #[error("missing dataset file {}", path.display())]
    MissingFile {
        /// Full path that was looked for.
        path: PathBuf,
    },
    /// A file lacks a column the loader needs.
    #[error("{file}: missing required column `{column}`")]
    MissingColumn {
        /// File name relative to the data directory.
        file: String,
        /// Name of the missing column.
        column: String,
    },
    /// A file exists but could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// Full path of the file.
        path: PathBuf,
        /// Underlying I/O error.
        #[source]
        source: std::io::Error,
    },
    /// An Excel workbook could not be opened or has no worksheet.
    #[error("{file}: not a readable workbook: {message}")]
    Workbook {
        /// File name relative to the data directory.
        file: String,
        /// What the reader reported.
        message: String,
    },
    /// Polars rejected a file after the pre-pass cleaned it, or a frame operation failed.
    #[error("{file}: {source}")]
    Polars {
        /// File (or step) the error is about.
        file: String,
        /// Underlying polars error.
        #[source]
        source: polars::prelude::PolarsError,
    },
}

impl CatalogError {
    /// Wraps a polars error with the file or step it happened in.
    pub(crate) fn polars(file: impl Into<String>) -> impl FnOnce(polars::prelude::PolarsError) -> Self {
        let file = file.into();
        move |source| CatalogError::Polars { file, source }
    }
}
