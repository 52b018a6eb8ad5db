//! Index construction: embed distinct texts, build the graph, measure recall, publish atomically.

use std::collections::BTreeMap;
use std::fs;
use std::path::Path;
use std::time::{Duration, Instant};

use rand::seq::index::sample;
use rand::SeedableRng;

use super::graph::{exact_search, Graph, HnswParams, GRAPH_BASENAME};
use super::manifest::{Counts, IndexManifest, ModelRef, CATALOGUE_FILE, FORMAT_VERSION, FORM_ROWS_FILE, MANIFEST_FILE};
use super::passages::{passage_texts, PassageLayout, PassageVectors, PASSAGES_FILE};
use super::{distinct_texts, IndexError};
use crate::catalog::{Catalogue, Sources};
use crate::embed::{Embedder, TextRole};
use crate::fsutil::{publish_version, version_staging_dir, FileEntry};
use crate::progress::progress_bar;

/// How to build an index.
#[derive(Debug, Clone)]
pub struct BuildOptions {
    /// HNSW parameters.
    pub hnsw: HnswParams,
    /// Sources recorded in the manifest.
    pub sources: Sources,
    /// Texts per embedding call (one progress step).
    pub embed_chunk: usize,
    /// Forms sampled to measure recall.
    pub recall_samples: usize,
    /// The build fails below this recall@10.
    pub min_recall: f64,
    /// Seed of the recall sample.
    pub seed: u64,
    /// Show progress bars.
    pub progress: bool,
}

impl Default for BuildOptions {
    fn default() -> Self {
        BuildOptions {
            hnsw: HnswParams::default(),
            sources: Sources::default(),
            embed_chunk: 256,
            recall_samples: 1000,
            min_recall: 0.98,
            seed: 42,
            progress: true,
        }
    }
}

/// What a build produced and how long each stage took.
#[derive(Debug, Clone)]
pub struct BuildSummary {
    /// The written manifest.
    pub manifest: IndexManifest,
    /// Wall time spent embedding the surface forms.
    pub embed_time: Duration,
    /// Wall time spent embedding passages and centres d'intérêt.
    pub passage_time: Duration,
    /// Wall time spent building the graph.
    pub graph_time: Duration,
    /// Total wall time of [`build_index`].
    pub total_time: Duration,
    /// Bytes written in the index directory.
    pub bytes_on_disk: u64,
}

impl BuildSummary {
    /// Embedding throughput in texts per second.
    pub fn texts_per_second(&self) -> f64 {
        self.manifest.counts.vectors as f64 / self.embed_time.as_secs_f64().max(1e-9)
    }
}

/// Published index versions kept next to the current one's link (the current one included):
/// the previous one stays for a rollback (`ln -sfn` back to it, then reload).
pub const KEPT_VERSIONS: usize = 2;

/// Embeds `catalogue`'s surface forms with `embedder`, builds and checks the HNSW graph and
/// publishes the index at `out_dir`: a link to a new versioned directory, flipped only once
/// everything is written (see [`crate::fsutil::publish_version`]).
pub fn build_index(
    catalogue: &Catalogue,
    embedder: &dyn Embedder,
    options: &BuildOptions,
    out_dir: &Path,
) -> Result<BuildSummary, IndexError> {
    let start = Instant::now();
    let (texts, form_rows) = distinct_texts(&catalogue.forms);
    if texts.is_empty() {
        return Err(IndexError::Empty);
    }
    let dim = embedder.dimension();
    // Made first so that an output that cannot be written fails now, not after minutes of
    // embedding; removed on every failure below.
    let staging = Staging(version_staging_dir(out_dir).map_err(IndexError::io(out_dir))?);

    let t = Instant::now();
    let vectors = embed_all(&texts, embedder, options, "embed")?;
    let embed_time = t.elapsed();
    tracing::info!(texts = texts.len(), secs = embed_time.as_secs_f64(), "embedded distinct texts");

    let t = Instant::now();
    let layout = PassageLayout::of(catalogue);
    let passage_strings = passage_texts(catalogue, &layout);
    let passage_refs: Vec<&str> = passage_strings.iter().map(String::as_str).collect();
    let passage_vectors = embed_all(&passage_refs, embedder, options, "passages")?;
    let passage_time = t.elapsed();
    tracing::info!(
        texts = passage_refs.len(),
        secs = passage_time.as_secs_f64(),
        "embedded passages and centres d'intérêt"
    );

    let t = Instant::now();
    let bar = progress_bar(options.progress, texts.len() as u64, "graph");
    let graph = Graph::build(&vectors, dim, &options.hnsw, &|n| bar.inc(n));
    bar.finish_and_clear();
    let graph_time = t.elapsed();
    tracing::info!(points = texts.len(), secs = graph_time.as_secs_f64(), "built the HNSW graph");
    if graph.len() != texts.len() {
        return Err(IndexError::Graph(format!("HNSW insert kept {} of {} points", graph.len(), texts.len())));
    }

    // hnsw_rs can leave a few points that no search reaches (5 of 83,225 on the full index):
    // they are kept as orphans, searched exhaustively next to the graph, so every point is
    // found. Many of them would mean a broken graph: then the build fails.
    let orphans = graph.unreachable(10, options.hnsw.ef_search);
    tracing::info!(orphans = orphans.len(), "searched every point for its own vector");
    if orphans.len() * 100 > texts.len().max(100) {
        let first: Vec<String> = orphans.iter().take(5).map(|r| texts[*r].to_string()).collect();
        return Err(IndexError::Graph(format!(
            "{} of {} points are not found by a search for their own vector (e.g. {first:?}); raise --ef-construction or --hnsw-m",
            orphans.len(),
            texts.len()
        )));
    }

    let recall = recall_at_k(&graph, &vectors, dim, 10, options.recall_samples, options.seed, options.hnsw.ef_search);
    tracing::info!(recall_at_10 = recall, "measured HNSW recall against exact search");
    if recall < options.min_recall {
        return Err(IndexError::LowRecall { recall, min: options.min_recall });
    }

    PassageVectors::write(&passage_vectors, &staging.0)?;
    let stored = Stored { graph: &graph, form_rows: &form_rows, vectors: texts.len(), passage_vectors: layout.rows() };
    let manifest = write_index(&staging.0, catalogue, embedder, options, &stored, recall, orphans)?;
    publish_version(&staging.0, out_dir, &manifest.version_name(), KEPT_VERSIONS).map_err(IndexError::io(out_dir))?;
    let bytes_on_disk = manifest.files.iter().map(|f| f.bytes).sum::<u64>()
        + fs::metadata(out_dir.join(MANIFEST_FILE)).map(|m| m.len()).unwrap_or(0);
    Ok(BuildSummary { manifest, embed_time, passage_time, graph_time, total_time: start.elapsed(), bytes_on_disk })
}

/// A staging directory, removed when dropped unless it was published (renamed away).
struct Staging(std::path::PathBuf);

impl Drop for Staging {
    fn drop(&mut self) {
        if self.0.exists() {
            let _ = fs::remove_dir_all(&self.0);
        }
    }
}

fn embed_all(
    texts: &[&str],
    embedder: &dyn Embedder,
    options: &BuildOptions,
    stage: &str,
) -> Result<Vec<f32>, IndexError> {
    let dim = embedder.dimension();
    let bar = progress_bar(options.progress, texts.len() as u64, stage);
    let mut out = Vec::with_capacity(texts.len() * dim);
    let started = Instant::now();
    let mut next_log = 0.1;
    for chunk in texts.chunks(options.embed_chunk.max(1)) {
        for v in embedder.embed(chunk, TextRole::Passage)? {
            if v.len() != dim {
                return Err(IndexError::Graph(format!("embedder returned {} dimensions, expected {dim}", v.len())));
            }
            out.extend_from_slice(&v);
        }
        bar.inc(chunk.len() as u64);
        // Without a terminal the bar is hidden and each stage logs one line when it ends;
        // finer steps are there for whoever asks (`BOUSSOLE_LOG=debug`).
        let done = out.len() / dim;
        if bar.is_hidden() && done as f64 >= next_log * texts.len() as f64 {
            let rate = done as f64 / started.elapsed().as_secs_f64().max(1e-9);
            tracing::debug!(stage, done, total = texts.len(), texts_per_sec = rate.round(), "embedding");
            next_log += 0.1;
        }
    }
    bar.finish_and_clear();
    Ok(out)
}

/// What the build computed and the index stores beside the catalogue.
struct Stored<'a> {
    graph: &'a Graph,
    /// Graph row of each surface form, in catalogue order.
    form_rows: &'a [u32],
    vectors: usize,
    passage_vectors: usize,
}

fn write_index(
    dir: &Path,
    catalogue: &Catalogue,
    embedder: &dyn Embedder,
    options: &BuildOptions,
    stored: &Stored<'_>,
    recall: f64,
    orphans: Vec<usize>,
) -> Result<IndexManifest, IndexError> {
    let Stored { graph, form_rows, vectors, passage_vectors } = *stored;
    let catalogue_path = dir.join(CATALOGUE_FILE);
    let json =
        serde_json::to_vec(catalogue).map_err(|e| IndexError::Graph(format!("cannot serialise catalogue: {e}")))?;
    fs::write(&catalogue_path, json).map_err(IndexError::io(&catalogue_path))?;
    // Written, not recomputed at load: the loader never depends on re-running the dedup rule.
    let rows_path = dir.join(FORM_ROWS_FILE);
    let bytes: Vec<u8> = form_rows.iter().flat_map(|r| r.to_le_bytes()).collect();
    fs::write(&rows_path, bytes).map_err(IndexError::io(&rows_path))?;
    graph.dump(dir)?;

    let names = [
        CATALOGUE_FILE.to_string(),
        FORM_ROWS_FILE.to_string(),
        format!("{GRAPH_BASENAME}.hnsw.graph"),
        format!("{GRAPH_BASENAME}.hnsw.data"),
        PASSAGES_FILE.to_string(),
    ];
    let files = names
        .iter()
        .map(|n| FileEntry::of(dir, n).map_err(IndexError::io(dir.join(n))))
        .collect::<Result<Vec<_>, _>>()?;
    let model = embedder.manifest();
    let manifest = IndexManifest {
        format_version: FORMAT_VERSION,
        boussole_version: env!("CARGO_PKG_VERSION").to_string(),
        created_at: now_rfc3339(),
        model: ModelRef { name: model.name.clone(), fingerprint: model.fingerprint(), dimension: embedder.dimension() },
        sources: options.sources,
        datasets: catalogue.datasets.clone(),
        counts: Counts { passage_vectors, ..counts(catalogue, vectors) },
        hnsw: options.hnsw,
        recall_at_10: recall,
        reachable_points: vectors - orphans.len(),
        graph_orphans: orphans,
        files,
    };
    let manifest_path = dir.join(MANIFEST_FILE);
    let json = serde_json::to_vec_pretty(&manifest)
        .map_err(|e| IndexError::Graph(format!("cannot serialise manifest: {e}")))?;
    fs::write(&manifest_path, json).map_err(IndexError::io(&manifest_path))?;
    Ok(manifest)
}

fn counts(catalogue: &Catalogue, vectors: usize) -> Counts {
    let mut occupations = BTreeMap::new();
    for o in &catalogue.occupations {
        *occupations.entry(o.id.taxonomy.to_string()).or_insert(0) += 1;
    }
    let mut forms = BTreeMap::new();
    for f in &catalogue.forms {
        let taxonomy = catalogue.occupations[f.occupation as usize].id.taxonomy;
        *forms.entry(format!("{taxonomy}/{}", f.lang)).or_insert(0) += 1;
    }
    Counts {
        occupations,
        skills: catalogue.skills.len(),
        forms,
        vectors,
        passage_vectors: 0,
        ingest_issues: catalogue.issues.len(),
    }
}

/// Recall@k of the graph against exact search, over `samples` rows used as queries.
///
/// A graph hit counts when it scores at least the exact k-th score (minus rounding), so equal
/// vectors (ties) never count as misses.
pub fn recall_at_k(graph: &Graph, vectors: &[f32], dim: usize, k: usize, samples: usize, seed: u64, ef: usize) -> f64 {
    let n = vectors.len() / dim;
    if n == 0 {
        return 1.0;
    }
    let k = k.min(n);
    let mut rng = rand::rngs::StdRng::seed_from_u64(seed);
    let picks = sample(&mut rng, n, samples.min(n));
    let mut found = 0usize;
    for row in picks.iter() {
        let query = &vectors[row * dim..(row + 1) * dim];
        let exact = exact_search(vectors, dim, query, k);
        // The graph stores f16 rows: its cosines may sit ~1e-3 below the exact f32 ones.
        let threshold = exact.last().map_or(f32::NEG_INFINITY, |h| h.1) - 1e-3;
        found += graph.search(query, k, ef, None).iter().filter(|h| h.1 >= threshold).count().min(k);
    }
    found as f64 / (picks.len() * k) as f64
}

fn now_rfc3339() -> String {
    time::OffsetDateTime::now_utc()
        .format(&time::format_description::well_known::Rfc3339)
        .unwrap_or_else(|_| "unknown".into())
}
