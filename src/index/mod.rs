//! Vector index: embeds the catalogue's surface forms, builds the HNSW graph, saves and reloads
//! a versioned, self-describing index directory.
//!
//! Identical texts (a label shared by a ROME appellation and an ESCO label, a gendered variant
//! equal to an alt label) are embedded once: the graph holds one point per distinct text and
//! each point lists the surface forms that carry it.

mod build;
mod graph;
mod manifest;
mod passages;

use std::collections::HashMap;
use std::fs;
use std::path::{Path, PathBuf};

use thiserror::Error;

use crate::catalog::{Catalogue, SurfaceForm};
use crate::embed::{EmbedError, ModelManifest};
use crate::fsutil::{FileEntry, FileMismatch};

pub use build::{build_index, recall_at_k, BuildOptions, BuildSummary, KEPT_VERSIONS};
pub use graph::{dot, exact_search, HnswParams};
pub use manifest::{Counts, IndexManifest, ModelRef, CATALOGUE_FILE, FORMAT_VERSION, FORM_ROWS_FILE, MANIFEST_FILE};
pub use passages::{passage_texts, PassageLayout, PassageVectors, PASSAGES_FILE};

use graph::Graph;

/// Why an index could not be built, written or loaded.
#[derive(Debug, Error)]
pub enum IndexError {
    /// The directory or one of its files is absent.
    #[error("index file {path} is missing (build the index with `boussole build`)")]
    MissingFile {
        /// The missing path.
        path: PathBuf,
    },
    /// A file's size or checksum differs from the manifest.
    #[error("index file {path} is corrupt: {reason}")]
    Corrupt {
        /// The corrupt file.
        path: PathBuf,
        /// What differs.
        reason: String,
    },
    /// The manifest is unreadable or from another layout version.
    #[error("index manifest {path}: {reason}")]
    Manifest {
        /// Manifest path.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The index was built with another embedding model than the one loaded.
    #[error("index was built with model `{index_model}` ({index_fingerprint}) but the loaded model is `{loaded_model}` ({loaded_fingerprint}); rebuild the index or load the matching model")]
    ModelMismatch {
        /// Model named in the index manifest.
        index_model: String,
        /// Its fingerprint.
        index_fingerprint: String,
        /// Model loaded now.
        loaded_model: String,
        /// Its fingerprint.
        loaded_fingerprint: String,
    },
    /// The HNSW graph could not be written, read or trusted.
    #[error("{0}")]
    Graph(String),
    /// Measured recall is below the acceptance threshold.
    #[error("HNSW recall@10 is {recall:.4}, below the required {min:.2}; raise ef_construction or M")]
    LowRecall {
        /// Measured recall.
        recall: f64,
        /// Required recall.
        min: f64,
    },
    /// Nothing to index.
    #[error("the catalogue has no surface form to index")]
    Empty,
    /// Embedding failed.
    #[error(transparent)]
    Embed(#[from] EmbedError),
    /// Filesystem error with the path involved.
    #[error("{path}: {source}")]
    Io {
        /// Path being read or written.
        path: PathBuf,
        /// Underlying error.
        source: std::io::Error,
    },
}

impl IndexError {
    fn io(path: impl Into<PathBuf>) -> impl FnOnce(std::io::Error) -> IndexError {
        let path = path.into();
        move |source| IndexError::Io { path, source }
    }
}

/// A loaded index: manifest, catalogue, vectors and graph.
pub struct VectorIndex {
    manifest: IndexManifest,
    /// [`IndexManifest::id`], computed once.
    id: String,
    catalogue: Catalogue,
    /// Surface forms carried by each row.
    row_forms: Vec<Vec<u32>>,
    /// Rows carrying each occupation's forms.
    occupation_rows: Vec<Vec<u32>>,
    graph: Graph,
    passages: PassageVectors,
}

/// One approximate nearest-neighbour hit: a graph row and its cosine similarity to the query.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RowHit {
    /// Row of the vector matrix.
    pub row: usize,
    /// Cosine similarity.
    pub score: f32,
}

impl VectorIndex {
    /// Opens and validates the index in `dir`: manifest, format version, file sizes and
    /// checksums, catalogue and graph consistency.
    pub fn open(dir: &Path) -> Result<VectorIndex, IndexError> {
        // `dir` is usually a link flipped by each new build: resolved once, every file comes
        // from the same version even if a build publishes another one meanwhile.
        let resolved = fs::canonicalize(dir).map_err(IndexError::io(dir))?;
        let dir = resolved.as_path();
        let manifest = read_manifest(dir)?;
        for entry in &manifest.files {
            verify_file(dir, entry)?;
        }
        let catalogue_path = dir.join(CATALOGUE_FILE);
        // Parsed from a buffered reader, not from the file read whole: the 40 MB of text would
        // sit beside the parsed catalogue and set the server's peak memory.
        let file = fs::File::open(&catalogue_path).map_err(IndexError::io(&catalogue_path))?;
        let catalogue: Catalogue = serde_json::from_reader(std::io::BufReader::with_capacity(1 << 20, file))
            .map_err(|e| IndexError::Corrupt { path: catalogue_path.clone(), reason: e.to_string() })?;
        let rows = manifest.counts.vectors;
        let form_rows = read_form_rows(&dir.join(FORM_ROWS_FILE), catalogue.forms.len(), rows)?;
        let dim = manifest.model.dimension;
        let graph = Graph::load(dir, rows, dim)?;
        let row_forms = group_forms_by_row(&form_rows, rows);
        if let Some(&bad) = manifest.graph_orphans.iter().find(|&&r| r >= rows) {
            return Err(IndexError::Corrupt {
                path: dir.join(MANIFEST_FILE),
                reason: format!("graph orphan row {bad} is outside the {rows} rows"),
            });
        }
        let passages = PassageVectors::read(dir, PassageLayout::of(&catalogue), dim)?;
        let mut occupation_rows = vec![Vec::new(); catalogue.occupations.len()];
        for (form, &row) in catalogue.forms.iter().zip(&form_rows) {
            let rows: &mut Vec<u32> = &mut occupation_rows[form.occupation as usize];
            if !rows.contains(&row) {
                rows.push(row);
            }
        }
        let id = manifest.id();
        Ok(VectorIndex { manifest, id, catalogue, row_forms, occupation_rows, graph, passages })
    }

    /// Refuses an index built with another model than `model`.
    pub fn check_model(&self, model: &ModelManifest) -> Result<(), IndexError> {
        let fingerprint = model.fingerprint();
        if fingerprint != self.manifest.model.fingerprint || model.dimension != self.manifest.model.dimension {
            return Err(IndexError::ModelMismatch {
                index_model: self.manifest.model.name.clone(),
                index_fingerprint: self.manifest.model.fingerprint.clone(),
                loaded_model: model.name.clone(),
                loaded_fingerprint: fingerprint,
            });
        }
        Ok(())
    }

    /// The manifest.
    pub fn manifest(&self) -> &IndexManifest {
        &self.manifest
    }

    /// Content id of this index ([`IndexManifest::id`]).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// The catalogue records.
    pub fn catalogue(&self) -> &Catalogue {
        &self.catalogue
    }

    /// Vectors of the occupation passages and centres d'intérêt.
    pub fn passages(&self) -> &PassageVectors {
        &self.passages
    }

    /// Vector dimension.
    pub fn dimension(&self) -> usize {
        self.manifest.model.dimension
    }

    /// Number of rows (distinct embedded texts).
    pub fn len(&self) -> usize {
        self.row_forms.len()
    }

    /// Whether the index holds no vector.
    pub fn is_empty(&self) -> bool {
        self.row_forms.is_empty()
    }

    /// Surface forms (indices into the catalogue's forms) that carry `row`.
    pub fn forms_of_row(&self, row: usize) -> &[u32] {
        self.row_forms.get(row).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Rows carrying the surface forms of occupation `occupation`.
    pub fn rows_of_occupation(&self, occupation: u32) -> &[u32] {
        self.occupation_rows.get(occupation as usize).map(Vec::as_slice).unwrap_or(&[])
    }

    /// The unit vector of `row`.
    /// The stored (f16) vector of `row`.
    pub fn vector(&self, row: usize) -> &[half::f16] {
        self.graph.vector(row)
    }

    /// Cosine of a unit `query` to row `row`.
    pub fn row_score(&self, query: &[f32], row: usize) -> f32 {
        crate::vector::dot_f16(query, self.graph.vector(row))
    }

    /// Approximate nearest rows to a unit `query`, best first; `keep` restricts the rows to
    /// those carrying at least one accepted surface form.
    pub fn search(&self, query: &[f32], k: usize, keep: Option<&dyn Fn(&SurfaceForm) -> bool>) -> Vec<RowHit> {
        let ef = self.manifest.hnsw.ef_search;
        let hits = match keep {
            None => self.graph.search(query, k, ef, None),
            Some(keep) => {
                let forms = &self.catalogue.forms;
                let row_ok = |row: usize| self.forms_of_row(row).iter().any(|&f| keep(&forms[f as usize]));
                self.graph.search(query, k, ef, Some(&row_ok))
            }
        };
        let mut hits: Vec<RowHit> = hits.into_iter().map(|(row, score)| RowHit { row, score }).collect();
        // Orphans (points the graph cannot reach) are scored exactly and merged in.
        let forms = &self.catalogue.forms;
        let mut merged = false;
        for &row in &self.manifest.graph_orphans {
            let kept = keep.is_none_or(|keep| self.forms_of_row(row).iter().any(|&f| keep(&forms[f as usize])));
            if kept && !hits.iter().any(|h| h.row == row) {
                hits.push(RowHit { row, score: self.row_score(query, row) });
                merged = true;
            }
        }
        if merged {
            hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.row.cmp(&b.row)));
            hits.truncate(k);
        }
        hits
    }

    /// Exact nearest rows by brute force (reference for recall, and small-index fallback).
    pub fn exact_search(&self, query: &[f32], k: usize) -> Vec<RowHit> {
        let mut hits: Vec<RowHit> =
            (0..self.len()).map(|row| RowHit { row, score: self.row_score(query, row) }).collect();
        let k = k.min(hits.len());
        if k == 0 {
            return Vec::new();
        }
        hits.select_nth_unstable_by(k - 1, |a, b| b.score.total_cmp(&a.score));
        hits.truncate(k);
        hits.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.row.cmp(&b.row)));
        hits
    }
}

/// Reads and checks the manifest of the index in `dir`.
pub fn read_manifest(dir: &Path) -> Result<IndexManifest, IndexError> {
    let path = dir.join(MANIFEST_FILE);
    if !path.exists() {
        return Err(IndexError::MissingFile { path });
    }
    let bytes = fs::read(&path).map_err(IndexError::io(&path))?;
    let value: serde_json::Value = serde_json::from_slice(&bytes)
        .map_err(|e| IndexError::Manifest { path: path.clone(), reason: format!("not valid JSON: {e}") })?;
    let version = value.get("format_version").and_then(|v| v.as_u64());
    if version != Some(u64::from(FORMAT_VERSION)) {
        return Err(IndexError::Manifest {
            path,
            reason: format!(
                "format version {} is not supported by this boussole (expects {FORMAT_VERSION}); rebuild the index",
                version.map_or_else(|| "missing".to_string(), |v| v.to_string())
            ),
        });
    }
    serde_json::from_value(value).map_err(|e| IndexError::Manifest { path, reason: e.to_string() })
}

fn verify_file(dir: &Path, entry: &FileEntry) -> Result<(), IndexError> {
    let path = dir.join(&entry.name);
    entry.verify(dir).map_err(|mismatch| match mismatch {
        FileMismatch::Missing => IndexError::MissingFile { path },
        FileMismatch::Unreadable(e) => IndexError::io(&path)(e),
        FileMismatch::Corrupt(reason) => IndexError::Corrupt { path, reason },
    })
}

/// Distinct form texts in first-appearance order, and the row of each form.
///
/// Deterministic, so the reader recomputes the same rows the builder embedded.
pub(crate) fn distinct_texts(forms: &[SurfaceForm]) -> (Vec<&str>, Vec<u32>) {
    let mut rows: HashMap<&str, u32> = HashMap::with_capacity(forms.len());
    let mut texts = Vec::new();
    let form_rows = forms
        .iter()
        .map(|f| {
            *rows.entry(f.text.as_str()).or_insert_with(|| {
                texts.push(f.text.as_str());
                (texts.len() - 1) as u32
            })
        })
        .collect();
    (texts, form_rows)
}

/// Reads the graph row of each of `forms` surface forms, checking that every row is one of
/// the `rows` graph rows and carries at least one form.
fn read_form_rows(path: &Path, forms: usize, rows: usize) -> Result<Vec<u32>, IndexError> {
    let bytes = fs::read(path).map_err(IndexError::io(path))?;
    let corrupt = |reason: String| IndexError::Corrupt { path: path.to_path_buf(), reason };
    if bytes.len() != forms * 4 {
        return Err(corrupt(format!("{} bytes, {forms} forms need {}", bytes.len(), forms * 4)));
    }
    let form_rows: Vec<u32> = bytes.chunks_exact(4).map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
    let mut carried = vec![false; rows];
    for (form, &row) in form_rows.iter().enumerate() {
        let slot = carried
            .get_mut(row as usize)
            .ok_or_else(|| corrupt(format!("form {form} is on row {row}, outside the {rows} rows")))?;
        *slot = true;
    }
    if let Some(empty) = carried.iter().position(|c| !c) {
        return Err(corrupt(format!("graph row {empty} carries no surface form")));
    }
    Ok(form_rows)
}

fn group_forms_by_row(form_rows: &[u32], rows: usize) -> Vec<Vec<u32>> {
    let mut out = vec![Vec::new(); rows];
    for (form, &row) in form_rows.iter().enumerate() {
        out[row as usize].push(form as u32);
    }
    out
}
