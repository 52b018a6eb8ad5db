//! Vectors of the descriptive texts: occupation passages (ROME définition sentences, ESCO
//! description sentences) and ROME centres d'intérêt. They are few (~16k) and searched
//! exhaustively, so they live in one flat little-endian f32 file next to the graph.

use std::fs;
use std::path::Path;

use super::IndexError;
use crate::catalog::{Catalogue, Lang};
use crate::vector::QuantMatrix;

/// File name of the passage and interest vectors inside an index directory.
pub const PASSAGES_FILE: &str = "passages.f32";

/// What the rows of [`PASSAGES_FILE`] hold, in order: one row per embedded passage (catalogue
/// order), then one row per centre d'intérêt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PassageLayout {
    /// Passage index → its row, for embedded passages.
    pub passage_row: Vec<Option<u32>>,
    /// Row → passage index, for the passage rows.
    pub row_passage: Vec<u32>,
    /// Number of interest rows after the passage rows.
    pub interests: usize,
}

impl PassageLayout {
    /// The layout of `catalogue`'s passages and interests.
    pub fn of(catalogue: &Catalogue) -> PassageLayout {
        let mut passage_row = Vec::with_capacity(catalogue.passages.len());
        let mut row_passage = Vec::new();
        for (i, p) in catalogue.passages.iter().enumerate() {
            if p.kind.embedded() {
                passage_row.push(Some(row_passage.len() as u32));
                row_passage.push(i as u32);
            } else {
                passage_row.push(None);
            }
        }
        PassageLayout { passage_row, row_passage, interests: catalogue.interests.len() }
    }

    /// Total rows.
    pub fn rows(&self) -> usize {
        self.row_passage.len() + self.interests
    }
}

/// The texts to embed, in row order: a passage is prefixed by its occupation's label in the
/// passage's language ("Boulanger / Boulangère : Prépare le pain...") so that a sentence
/// like "Réalise les travaux..." keeps its subject; an interest is its label and definition.
pub fn passage_texts(catalogue: &Catalogue, layout: &PassageLayout) -> Vec<String> {
    let mut out = Vec::with_capacity(layout.rows());
    for &p in &layout.row_passage {
        let passage = &catalogue.passages[p as usize];
        let occupation = &catalogue.occupations[passage.occupation as usize];
        let label = occupation.label.get(passage.lang).or(occupation.label.get_or_any(Lang::Fr)).unwrap_or_default();
        out.push(format!("{label} : {}", passage.text));
    }
    for interest in &catalogue.interests {
        match &interest.definition {
            Some(d) => out.push(format!("{}. {}", interest.label, first_chars(d, 600))),
            None => out.push(interest.label.clone()),
        }
    }
    out
}

fn first_chars(text: &str, max: usize) -> &str {
    text.char_indices().nth(max).map_or(text, |(i, _)| &text[..i])
}

/// Passage and interest vectors, held as int8 rows with one scale each.
///
/// Every query scores every row, so the scan streams the whole matrix: int8 makes it a
/// quarter of the bytes (6 MB instead of 24 MB on the full index) and runs on the
/// encoder's SIMD kernels; the rounding moves a cosine by at most ~0.002.
pub struct PassageVectors {
    dim: usize,
    matrix: QuantMatrix,
    passage_row: Vec<Option<u32>>,
    row_passage: Vec<u32>,
    interests: usize,
}

impl PassageVectors {
    /// Pairs vectors with their layout (checked by the caller).
    pub fn new(layout: PassageLayout, vectors: Vec<f32>, dim: usize) -> PassageVectors {
        let rows = vectors.len().checked_div(dim).unwrap_or(0);
        let matrix = QuantMatrix::from_out_in(&vectors, rows, dim);
        PassageVectors {
            dim,
            matrix,
            passage_row: layout.passage_row,
            row_passage: layout.row_passage,
            interests: layout.interests,
        }
    }

    /// Writes the vectors to `dir/PASSAGES_FILE`.
    pub fn write(vectors: &[f32], dir: &Path) -> Result<(), IndexError> {
        let path = dir.join(PASSAGES_FILE);
        let bytes: Vec<u8> = vectors.iter().flat_map(|v| v.to_le_bytes()).collect();
        fs::write(&path, bytes).map_err(IndexError::io(&path))
    }

    /// Reads `dir/PASSAGES_FILE` and checks it holds exactly `layout`'s rows.
    pub fn read(dir: &Path, layout: PassageLayout, dim: usize) -> Result<PassageVectors, IndexError> {
        let path = dir.join(PASSAGES_FILE);
        let bytes = fs::read(&path).map_err(|_| IndexError::MissingFile { path: path.clone() })?;
        let expected = layout.rows() * dim * 4;
        if bytes.len() != expected {
            return Err(IndexError::Corrupt {
                path,
                reason: format!(
                    "{} bytes, the catalogue's {} passages and interests need {expected}",
                    bytes.len(),
                    layout.rows()
                ),
            });
        }
        let vectors = bytes.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
        Ok(PassageVectors::new(layout, vectors, dim))
    }

    /// Cosine of every row to `query` (all passages, then all interests).
    fn all_scores(&self, query: &[f32]) -> Vec<f32> {
        if self.dim == 0 || query.len() != self.dim {
            return vec![0.0; self.len()];
        }
        self.matrix.row_times(query)
    }

    /// Cosine of every embedded passage to a unit `query`: (passage index, cosine).
    pub fn passage_scores(&self, query: &[f32]) -> impl Iterator<Item = (u32, f32)> + '_ {
        let scores = self.all_scores(query);
        self.row_passage.iter().zip(scores).map(|(&p, s)| (p, s))
    }

    /// Cosine of one passage to `query`, when it is embedded.
    pub fn passage_score(&self, query: &[f32], passage: u32) -> Option<f32> {
        let row = (*self.passage_row.get(passage as usize)?)?;
        (query.len() == self.dim).then(|| self.matrix.column_dot(query, row as usize))
    }

    /// Cosine of every centre d'intérêt (catalogue order) to `query`.
    pub fn interest_scores(&self, query: &[f32]) -> Vec<f32> {
        let base = self.row_passage.len();
        if query.len() != self.dim {
            return vec![0.0; self.interests];
        }
        (0..self.interests).map(|i| self.matrix.column_dot(query, base + i)).collect()
    }

    /// Number of rows.
    pub fn len(&self) -> usize {
        self.row_passage.len() + self.interests
    }

    /// Whether there is no row.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}
