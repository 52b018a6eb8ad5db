//! The self-describing manifest at the root of every index directory.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::graph::HnswParams;
use crate::catalog::{DatasetInfo, Sources};
use crate::fsutil::FileEntry;

/// Version of the on-disk layout; bumped whenever a reader of the old layout would misread it.
pub const FORMAT_VERSION: u32 = 4;

/// File name of the manifest inside an index directory.
pub const MANIFEST_FILE: &str = "manifest.json";
/// File name of the catalogue records inside an index directory.
pub const CATALOGUE_FILE: &str = "catalogue.json";
/// File name of the graph row of each surface form (little-endian u32, catalogue order).
pub const FORM_ROWS_FILE: &str = "form_rows.u32";

/// The embedding model an index was built with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ModelRef {
    /// Model name from its manifest.
    pub name: String,
    /// Fingerprint of the weights and tokenizer; queries must be embedded by the same model.
    pub fingerprint: String,
    /// Vector dimension.
    pub dimension: usize,
}

/// Record counts, for humans and for load-time consistency checks.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Counts {
    /// Occupations per taxonomy.
    pub occupations: BTreeMap<String, usize>,
    /// Skills in the catalogue.
    pub skills: usize,
    /// Surface forms per `taxonomy/lang`.
    pub forms: BTreeMap<String, usize>,
    /// Distinct texts embedded (= points in the graph).
    pub vectors: usize,
    /// Passage and centre d'intérêt vectors (searched exhaustively, not in the graph).
    #[serde(default)]
    pub passage_vectors: usize,
    /// Rows repaired or skipped while reading the datasets.
    pub ingest_issues: usize,
}

/// Everything needed to trust and interpret an index directory.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IndexManifest {
    /// Layout version ([`FORMAT_VERSION`] when written by this build).
    pub format_version: u32,
    /// boussole version that wrote it.
    pub boussole_version: String,
    /// Build time, RFC 3339 UTC.
    pub created_at: String,
    /// Embedding model.
    pub model: ModelRef,
    /// Datasets selected.
    pub sources: Sources,
    /// Dataset versions and checksums.
    pub datasets: Vec<DatasetInfo>,
    /// Record counts.
    pub counts: Counts,
    /// HNSW parameters.
    pub hnsw: HnswParams,
    /// Recall@10 of the graph against exact search, measured at build time.
    pub recall_at_10: f64,
    /// Points a search for their own vector found in the graph at build time.
    #[serde(default)]
    pub reachable_points: usize,
    /// Rows no graph search reached at build time: searched exhaustively next to the graph.
    #[serde(default)]
    pub graph_orphans: Vec<usize>,
    /// Every other file of the directory with its size and checksum.
    pub files: Vec<FileEntry>,
}

impl IndexManifest {
    /// Short content id of the index (12 hex digits of the sha256 of its build time and file
    /// checksums): two directories with the same id hold the same index, so replicas and
    /// reloads can be compared by it.
    pub fn id(&self) -> String {
        use sha2::{Digest, Sha256};
        let mut hasher = Sha256::new();
        hasher.update(self.created_at.as_bytes());
        for file in &self.files {
            hasher.update(b"\0");
            hasher.update(file.name.as_bytes());
            hasher.update(b"=");
            hasher.update(file.sha256.as_bytes());
        }
        hex::encode(&hasher.finalize()[..6])
    }

    /// Name of the versioned directory this index is published under: build time, then id,
    /// so versions list in build order.
    pub fn version_name(&self) -> String {
        let stamp: String = self.created_at.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
        format!("{stamp}-{}", self.id())
    }
}
