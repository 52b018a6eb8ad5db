//! The HNSW graph over unit vectors: build, dump, guarded reload and search.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

use std::sync::Arc;

use half::f16;
use hnsw_rs::hnsw::Point;
use hnsw_rs::prelude::{AnnT, Distance, FilterT, Hnsw, HnswIo};
use serde::{Deserialize, Serialize};

use super::IndexError;

/// Base name of the graph files inside an index directory (`graph.hnsw.graph`, `graph.hnsw.data`).
pub const GRAPH_BASENAME: &str = "graph";

/// Cosine distance for L2-normalised vectors: `1 - dot`, clamped at 0.
///
/// hnsw_rs's `DistCosine` and `DistDot` assert on a dot product that rounds past 1.0 for
/// (near-)identical unit vectors, which panics on duplicate labels; clamping is exact enough.
#[derive(Debug, Default, Clone, Copy)]
pub struct UnitDot;

impl Distance<f16> for UnitDot {
    fn eval(&self, va: &[f16], vb: &[f16]) -> f32 {
        (1.0 - dot_halves(va, vb)).max(0.0)
    }
}

pub use crate::vector::dot;
use crate::vector::{dot_f16, dot_halves, to_f16};

/// HNSW construction and search parameters, recorded in the index manifest.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HnswParams {
    /// Neighbours kept per node and layer (M).
    pub max_nb_connection: usize,
    /// Candidate list size while inserting.
    pub ef_construction: usize,
    /// Maximum number of layers.
    pub max_layer: usize,
    /// Default candidate list size while searching (raised to k when k is larger).
    pub ef_search: usize,
}

impl Default for HnswParams {
    fn default() -> Self {
        HnswParams { max_nb_connection: 24, ef_construction: 150, max_layer: 16, ef_search: 96 }
    }
}

/// The navigable graph; point ids are rows of the index's vector matrix.
///
/// Rows are stored as f16: half the memory (~63 MB on the full index) and half the bytes a
/// search streams; cosines move by ~1e-4, below what separates two labels.
pub struct Graph {
    hnsw: Hnsw<'static, f16, UnitDot>,
    /// The graph's points by row, so that a row's vector is read where hnsw_rs keeps it
    /// instead of from a second copy (~126 MB on the full index).
    points: Vec<Arc<Point<'static, f16>>>,
}

impl Graph {
    /// Builds a graph over `rows` (each of length `dim`), inserting in parallel.
    pub fn build(vectors: &[f32], dim: usize, params: &HnswParams, on_progress: &(dyn Fn(u64) + Sync)) -> Graph {
        let n = vectors.len() / dim.max(1);
        let hnsw = Hnsw::new(params.max_nb_connection, n.max(1), params.max_layer, params.ef_construction, UnitDot);
        // Chunks keep rayon busy while letting the progress bar move.
        let halves: Vec<Vec<f16>> = vectors.chunks_exact(dim).map(to_f16).collect();
        let rows: Vec<(&[f16], usize)> = halves.iter().enumerate().map(|(i, v)| (v.as_slice(), i)).collect();
        for chunk in rows.chunks(2048) {
            hnsw.parallel_insert_slice(&chunk.to_vec());
            on_progress(chunk.len() as u64);
        }
        let mut hnsw = hnsw;
        hnsw.set_searching_mode(true);
        let points = points_by_row(&hnsw, n, dim).expect("a freshly built graph holds every row once");
        Graph { hnsw, points }
    }

    /// Number of points in the graph.
    pub fn len(&self) -> usize {
        self.hnsw.get_nb_point()
    }

    /// Whether the graph is empty.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Writes `graph.hnsw.graph` and `graph.hnsw.data` into `dir`.
    pub fn dump(&self, dir: &Path) -> Result<(), IndexError> {
        let written = self
            .hnsw
            .file_dump(dir, GRAPH_BASENAME)
            .map_err(|e| IndexError::Graph(format!("cannot write HNSW graph: {e}")))?;
        if written != GRAPH_BASENAME {
            return Err(IndexError::Graph(format!("HNSW graph written under unexpected name `{written}`")));
        }
        Ok(())
    }

    /// Reloads a dumped graph; hnsw_rs asserts on inconsistent files, so its panics become errors.
    pub fn load(dir: &Path, expected_points: usize, dim: usize) -> Result<Graph, IndexError> {
        // The loader borrows its `HnswIo` for the graph's lifetime; leaking this small struct
        // (paths and options, no data since mmap is off) gives the 'static graph the index owns.
        let loaded = catch_unwind(AssertUnwindSafe(|| {
            let io: &'static mut HnswIo = Box::leak(Box::new(HnswIo::new(dir, GRAPH_BASENAME)));
            io.load_hnsw::<f16, UnitDot>()
        }));
        let mut hnsw = match loaded {
            Ok(Ok(h)) => h,
            Ok(Err(e)) => return Err(IndexError::Graph(format!("cannot read HNSW graph in {}: {e}", dir.display()))),
            Err(_) => {
                return Err(IndexError::Graph(format!(
                    "HNSW graph files in {} are inconsistent (the loader rejected them)",
                    dir.display()
                )))
            }
        };
        if hnsw.get_nb_point() != expected_points {
            return Err(IndexError::Graph(format!(
                "HNSW graph holds {} points, the manifest expects {expected_points}",
                hnsw.get_nb_point()
            )));
        }
        let graph_dim = hnsw.get_point_indexation().get_data_dimension();
        if expected_points > 0 && graph_dim != dim {
            return Err(IndexError::Graph(format!("HNSW graph dimension {graph_dim}, the manifest says {dim}")));
        }
        hnsw.set_searching_mode(true);
        let points = points_by_row(&hnsw, expected_points, dim)?;
        Ok(Graph { hnsw, points })
    }

    /// Rows that a search for their own vector (top `k`, list size `ef`) does not return.
    ///
    /// hnsw_rs has had points left unreachable by parallel inserts; a point no search reaches
    /// is a silent hole in the index, so the build checks every one.
    pub fn unreachable(&self, k: usize, ef: usize) -> Vec<usize> {
        use rayon::prelude::*;
        let mut missing: Vec<usize> = (0..self.points.len())
            .into_par_iter()
            .filter(|&row| {
                let query: Vec<f32> = self.vector(row).iter().map(|h| h.to_f32()).collect();
                !self.search(&query, k, ef, None).iter().any(|&(hit, _)| hit == row)
            })
            .collect();
        missing.sort_unstable();
        missing
    }

    /// The stored (f16) vector of `row` (panics if `row` is out of range, like slice indexing).
    pub fn vector(&self, row: usize) -> &[f16] {
        self.points[row].get_v()
    }

    /// Approximate `k` nearest rows to `query`, best first, as (row, cosine similarity).
    pub fn search(
        &self,
        query: &[f32],
        k: usize,
        ef: usize,
        filter: Option<&dyn Fn(usize) -> bool>,
    ) -> Vec<(usize, f32)> {
        let ef = ef.max(k);
        let half = to_f16(query);
        let hits = match filter {
            None => self.hnsw.search(&half, k, ef),
            Some(f) => {
                let adapter = RowFilter(f);
                self.hnsw.search_filter(&half, k, ef, Some(&adapter))
            }
        };
        // Re-score with the f32 query: only the stored rows carry f16 rounding.
        let mut out: Vec<(usize, f32)> =
            hits.into_iter().map(|n| (n.d_id, dot_f16(query, self.vector(n.d_id)))).collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }
}

/// Every point of `hnsw`, indexed by its row (origin id), each row exactly once.
fn points_by_row(
    hnsw: &Hnsw<'static, f16, UnitDot>,
    n: usize,
    dim: usize,
) -> Result<Vec<Arc<Point<'static, f16>>>, IndexError> {
    let mut points: Vec<Option<Arc<Point<'static, f16>>>> = vec![None; n];
    for point in hnsw.get_point_indexation() {
        let id = point.get_origin_id();
        if id >= n || point.get_v().len() != dim || points[id].is_some() {
            return Err(IndexError::Graph(format!("HNSW graph has an invalid or repeated point id {id}")));
        }
        points[id] = Some(point);
    }
    points
        .into_iter()
        .enumerate()
        .map(|(row, p)| p.ok_or_else(|| IndexError::Graph(format!("HNSW graph lost point {row}"))))
        .collect()
}

struct RowFilter<'a>(&'a dyn Fn(usize) -> bool);

impl FilterT for RowFilter<'_> {
    fn hnsw_filter(&self, id: &usize) -> bool {
        (self.0)(*id)
    }
}

/// Exact `k` nearest rows by brute force, best first; the reference for recall.
pub fn exact_search(vectors: &[f32], dim: usize, query: &[f32], k: usize) -> Vec<(usize, f32)> {
    let mut scored: Vec<(usize, f32)> =
        vectors.chunks_exact(dim).enumerate().map(|(i, v)| (i, dot(v, query))).collect();
    let k = k.min(scored.len());
    if k == 0 {
        return Vec::new();
    }
    scored.select_nth_unstable_by(k - 1, |a, b| b.1.total_cmp(&a.1));
    scored.truncate(k);
    scored.sort_by(|a, b| b.1.total_cmp(&a.1));
    scored
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::{Rng, SeedableRng};

    fn random_unit_vectors(n: usize, dim: usize, seed: u64) -> Vec<f32> {
        let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
        let mut out = Vec::with_capacity(n * dim);
        for _ in 0..n {
            let v: Vec<f32> = (0..dim).map(|_| rng.random::<f32>() - 0.5).collect();
            let norm = dot(&v, &v).sqrt();
            out.extend(v.iter().map(|x| x / norm));
        }
        out
    }

    #[test]
    fn unit_dot_never_negative_on_identical_vectors() {
        let v = random_unit_vectors(50, 64, 1);
        for row in v.chunks_exact(64) {
            let row = to_f16(row);
            assert!(UnitDot.eval(&row, &row) >= 0.0);
            assert!(UnitDot.eval(&row, &row) < 1e-3);
        }
    }

    #[test]
    fn graph_finds_every_point_and_survives_dump_and_load() {
        let dim = 32;
        let n = 3000;
        let vectors = random_unit_vectors(n, dim, 7);
        let graph = Graph::build(&vectors, dim, &HnswParams::default(), &|_| {});
        assert_eq!(graph.len(), n, "parallel insert must not lose points");

        let dir = tempfile::tempdir().unwrap();
        graph.dump(dir.path()).unwrap();
        let loaded = Graph::load(dir.path(), n, dim).unwrap();
        for (row, v) in vectors.chunks_exact(dim).enumerate() {
            assert_eq!(loaded.vector(row), to_f16(v).as_slice());
        }

        let mut self_hits = 0;
        for (i, q) in vectors.chunks_exact(dim).enumerate().take(300) {
            let hits = loaded.search(q, 1, 64, None);
            if hits.first().map(|h| h.0) == Some(i) {
                self_hits += 1;
            }
        }
        assert!(self_hits >= 297, "self-retrieval too low: {self_hits}/300");
        assert!(loaded.unreachable(10, 64).is_empty(), "every point is found by its own vector");
    }

    #[test]
    fn filter_restricts_results() {
        let dim = 16;
        let vectors = random_unit_vectors(500, dim, 3);
        let graph = Graph::build(&vectors, dim, &HnswParams::default(), &|_| {});
        let even = |row: usize| row.is_multiple_of(2);
        let hits = graph.search(&vectors[..dim], 10, 64, Some(&even));
        assert_eq!(hits.len(), 10);
        assert!(hits.iter().all(|(row, _)| row % 2 == 0));
    }

    #[test]
    fn load_rejects_garbage_and_count_mismatch() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("graph.hnsw.graph"), b"not a graph").unwrap();
        std::fs::write(dir.path().join("graph.hnsw.data"), b"nope").unwrap();
        assert!(matches!(Graph::load(dir.path(), 10, 8), Err(IndexError::Graph(_))));

        let vectors = random_unit_vectors(100, 8, 5);
        let graph = Graph::build(&vectors, 8, &HnswParams::default(), &|_| {});
        let good = tempfile::tempdir().unwrap();
        graph.dump(good.path()).unwrap();
        let err = Graph::load(good.path(), 99, 8).err().expect("count mismatch must fail");
        assert!(err.to_string().contains("99"), "{err}");
    }

    #[test]
    fn exact_search_orders_by_similarity() {
        let dim = 8;
        let vectors = random_unit_vectors(50, dim, 11);
        let q = &vectors[5 * dim..6 * dim];
        let hits = exact_search(&vectors, dim, q, 5);
        assert_eq!(hits[0].0, 5);
        assert!(hits.windows(2).all(|w| w[0].1 >= w[1].1));
    }
}
