//! The model manifest (`boussole-model.json`): identity, usage contract and
//! checksums of an embedding model directory.

use std::path::Path;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use super::error::EmbedError;
use super::TextRole;
use crate::fsutil::{FileEntry, FileMismatch};

/// File name of the manifest inside a model directory.
pub const MANIFEST_FILE: &str = "boussole-model.json";

/// How token vectors are pooled into one text vector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Pooling {
    /// Average of the last hidden states over non-padding tokens.
    Mean,
}

/// Identity and usage contract of an embedding model.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ModelManifest {
    /// Short model name, e.g. `multilingual-e5-small`.
    pub name: String,
    /// Where the weights came from (free text, for humans).
    pub source: String,
    /// Embedding dimension.
    pub dimension: usize,
    /// Maximum input length in tokens, special tokens included.
    pub max_tokens: usize,
    /// Prepended to query texts (`"query: "` for E5).
    pub query_prefix: String,
    /// Prepended to indexed texts (`"passage: "` for E5).
    pub passage_prefix: String,
    /// Pooling of token vectors.
    pub pooling: Pooling,
    /// Whether output vectors are L2-normalised.
    pub normalize: bool,
    /// Checksummed files of the model directory.
    pub files: Vec<FileEntry>,
}

impl ModelManifest {
    /// A stable identifier of everything that determines the vectors: the
    /// name, the checksum of every file, prefixes, pooling and truncation.
    ///
    /// An index stores it and refuses to be queried with a model whose
    /// fingerprint differs, since vectors from two models are not comparable.
    /// Format: `<name>@<16 hex digits>`.
    pub fn fingerprint(&self) -> String {
        let mut files: Vec<&FileEntry> = self.files.iter().collect();
        files.sort_by(|a, b| a.name.cmp(&b.name));
        let mut h = Sha256::new();
        for part in [&self.name, &self.query_prefix, &self.passage_prefix] {
            h.update((part.len() as u64).to_le_bytes());
            h.update(part.as_bytes());
        }
        h.update(format!("{:?}|{}|{}|{}", self.pooling, self.normalize, self.max_tokens, self.dimension));
        for f in files {
            h.update(f.name.as_bytes());
            h.update([0]);
            h.update(f.sha256.as_bytes());
        }
        let digest = hex::encode(h.finalize());
        format!("{}@{}", self.name, &digest[..16])
    }

    /// The prefix to prepend for a text of the given role.
    pub fn prefix(&self, role: TextRole) -> &str {
        match role {
            TextRole::Query => &self.query_prefix,
            TextRole::Passage => &self.passage_prefix,
        }
    }

    /// Reads `boussole-model.json` from `dir`; `Ok(None)` when it does not exist.
    pub fn read(dir: &Path) -> Result<Option<Self>, EmbedError> {
        let path = dir.join(MANIFEST_FILE);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(EmbedError::io("reading", &path)(e)),
        };
        serde_json::from_str(&text).map(Some).map_err(|source| EmbedError::Json { path, source })
    }

    /// Writes the manifest as pretty JSON into `dir`.
    pub fn write(&self, dir: &Path) -> Result<(), EmbedError> {
        let path = dir.join(MANIFEST_FILE);
        let json =
            serde_json::to_string_pretty(self).map_err(|source| EmbedError::Json { path: path.clone(), source })?;
        std::fs::write(&path, json + "\n").map_err(EmbedError::io("writing", path))
    }

    /// Checks that every listed file exists with the recorded size and sha256.
    pub fn verify_files(&self, dir: &Path) -> Result<(), EmbedError> {
        for file in &self.files {
            verify_file(dir, file, MANIFEST_FILE)?;
        }
        Ok(())
    }
}

/// Checks one file entry of `dir` (size and sha256) listed in the manifest file `listed_in`,
/// as a model error naming the file.
pub(crate) fn verify_file(dir: &Path, file: &FileEntry, listed_in: &str) -> Result<(), EmbedError> {
    let path = dir.join(&file.name);
    file.verify(dir).map_err(|mismatch| match mismatch {
        FileMismatch::Missing => {
            EmbedError::MissingFile { path, hint: format!(" (listed in {listed_in}; re-import the model)") }
        }
        FileMismatch::Unreadable(e) => EmbedError::io("reading", &path)(e),
        FileMismatch::Corrupt(detail) => EmbedError::CorruptFile { path, detail },
    })
}

/// Builds the manifest entry of `dir/name` by hashing it.
pub fn manifest_file(dir: &Path, name: &str) -> Result<FileEntry, EmbedError> {
    FileEntry::of(dir, name).map_err(EmbedError::io("reading", dir.join(name)))
}
