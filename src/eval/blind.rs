//! The blind sets (`datasets/eval/blind/<author>.jsonl`): young people's queries written by
//! independent authors who never saw boussole, its outputs, its lexicons or each other's sets,
//! graded from the dataset files alone (ROME gold for French authors, ESCO gold for English
//! ones). They were frozen before any tuning (`FROZEN.sha256`); only the `dev` lines of one
//! author may guide choices, every other line is a test, reported per author and per style.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};

use super::graded::GradedSummary;
use super::young::{build_run_with, load_checked, YoungQuery, YoungRow};
use crate::catalog::Taxonomy;
use crate::search::facets::DetectParams;
use crate::search::hybrid::{ChannelWeights, HybridParams, Retrieval};
use crate::search::Engine;

/// Folder of the blind sets, inside the splits directory.
pub const BLIND_DIR: &str = "blind";

/// The styles every blind set covers, in table order.
pub const BLIND_STYLES: [&str; 8] = ["value", "constraint", "situation", "school", "passion", "trap", "sms", "title"];

/// The systems every set is reported for, in table order.
pub const SYSTEMS: [(&str, Retrieval); 4] = [
    ("BM25-like lexical (titles)", Retrieval::Lexical),
    ("plain e5 (titles)", Retrieval::Dense),
    ("previous hybrid (titles)", Retrieval::Hybrid),
    ("full (understanding + all channels)", Retrieval::Full),
];

/// One author's set.
#[derive(Debug, Clone)]
pub struct BlindSet {
    /// Author id (the file stem).
    pub author: String,
    /// Its queries.
    pub queries: Vec<YoungQuery>,
}

impl BlindSet {
    /// The taxonomy the set's gold is written in: ESCO URIs or ROME codes, never both.
    pub fn taxonomy(&self) -> Taxonomy {
        taxonomy_of(&self.queries[0])
    }
}

fn taxonomy_of(q: &YoungQuery) -> Taxonomy {
    if q.gold.keys().next().is_some_and(|c| c.starts_with("http")) {
        Taxonomy::Esco
    } else {
        Taxonomy::Rome
    }
}

/// What the blind sets report: per author, every system's rows (test and dev parts).
#[derive(Debug, Clone)]
pub struct BlindReport {
    /// (author, language(s), rows).
    pub sets: Vec<(String, String, Vec<YoungRow>)>,
}

/// The `.jsonl` files of `dir`, sorted by name.
fn set_files(dir: &Path) -> Result<Vec<PathBuf>> {
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .with_context(|| format!("reading {}", dir.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "jsonl"))
        .collect();
    files.sort();
    Ok(files)
}

/// Loads and checks every set of `dir`.
pub fn load_dir(dir: &Path) -> Result<Vec<BlindSet>> {
    let mut sets = Vec::new();
    for path in set_files(dir)? {
        let queries = load_checked(&path, &BLIND_STYLES)?;
        if queries.is_empty() {
            bail!("{}: no query", path.display());
        }
        let author = path.file_stem().and_then(|s| s.to_str()).unwrap_or_default().to_string();
        let set = BlindSet { author, queries };
        let taxonomy = set.taxonomy();
        if let Some(q) =
            set.queries.iter().find(|q| q.gold.keys().any(|c| c.starts_with("http") != (taxonomy == Taxonomy::Esco)))
        {
            bail!("{}: query {} mixes ROME and ESCO gold", path.display(), q.id);
        }
        sets.push(set);
    }
    Ok(sets)
}

/// Runs every set with the four systems, and with `ablations` the full ranking without each
/// part the intent work added.
pub(crate) fn run(engine: &Engine, dir: &Path, params: &HybridParams, ablations: bool) -> Result<BlindReport> {
    let mut sets = Vec::new();
    for set in load_dir(dir)? {
        let mut langs: Vec<String> = set.queries.iter().map(|q| q.lang.to_string()).collect();
        langs.sort();
        langs.dedup();
        let run = build_run_with(engine, set.queries.clone(), params, &BLIND_STYLES, taxonomy_of)?;
        let mut rows = Vec::new();
        for (name, retrieval) in SYSTEMS {
            rows.extend(run.rows(name, &run.metrics(retrieval, params)));
        }
        if ablations {
            let w = params.weights;
            for (name, weights) in [
                ("full − wanted facets", ChannelWeights { facet: 0.0, ..w }),
                ("full − ruled-out facets", ChannelWeights { avoid: 0.0, ..w }),
                ("full − reachable-entry prior", ChannelWeights { access: 0.0, ..w }),
            ] {
                rows.extend(run.rows(name, &run.metrics(Retrieval::Full, &HybridParams { weights, ..*params })));
            }
            // No facet, level or intent found at all (detection off).
            let saved = engine.facets().params();
            engine.set_facet_params(DetectParams { min_cos: 2.0, ..saved });
            let off = build_run_with(engine, set.queries.clone(), params, &BLIND_STYLES, taxonomy_of);
            engine.set_facet_params(saved);
            let off = off?;
            rows.extend(off.rows("full − facet detection", &off.metrics(Retrieval::Full, params)));
        }
        sets.push((set.author, langs.join("+"), rows));
    }
    Ok(BlindReport { sets })
}

/// The report as Markdown: a summary per author, then each author's table per style.
pub fn format_report(report: &BlindReport) -> String {
    let mut out = String::from("\n### Blind sets, test part: nDCG@10 per author\n\n| author | lang | queries |");
    for (name, _) in SYSTEMS {
        out.push_str(&format!(" {name} |"));
    }
    out.push_str("\n|---|---|---:|");
    out.push_str(&"---:|".repeat(SYSTEMS.len()));
    out.push('\n');
    let mut full = Vec::new();
    for (author, lang, rows) in &report.sets {
        let test: Vec<&YoungRow> =
            rows.iter().filter(|r| r.part == "test" && SYSTEMS.iter().any(|(name, _)| *name == r.system)).collect();
        out.push_str(&format!("| {author} | {lang} | {} |", test.first().map_or(0, |r| r.all.queries)));
        for r in &test {
            out.push_str(&format!(" {:.3} |", r.all.ndcg10));
        }
        out.push('\n');
        full.extend(test.last().map(|r| r.all.ndcg10));
    }
    if let (Some(lo), Some(hi)) = (full.iter().copied().reduce(f64::min), full.iter().copied().reduce(f64::max)) {
        out.push_str(&format!("\nSpread of the full ranking between authors: {:.3}.\n", hi - lo));
    }
    for (author, lang, rows) in &report.sets {
        for part in ["test", "dev"] {
            let part_rows: Vec<&YoungRow> = rows.iter().filter(|r| r.part == part && r.all.queries > 0).collect();
            if part_rows.is_empty() {
                continue;
            }
            out.push_str(&format!(
                "\n#### Blind set `{author}` ({lang}), {part} part: nDCG@10 per style\n\n| system | all | "
            ));
            out.push_str(&BLIND_STYLES.join(" | "));
            out.push_str(" | MRR (grade 2) | success@5 |\n|---|---:|");
            out.push_str(&"---:|".repeat(BLIND_STYLES.len() + 2));
            out.push('\n');
            for r in part_rows {
                out.push_str(&format!("| {} | {:.3} ({}) |", r.system, r.all.ndcg10, r.all.queries));
                for s in &r.styles {
                    out.push_str(&format!(" {:.3} |", s.ndcg10));
                }
                out.push_str(&format!(" {:.3} | {:.3} |\n", r.all.mrr2, r.all.success5));
            }
        }
    }
    out
}

/// One setting tried by [`tune`]: thresholds, weights, and the dev nDCG@10 it gets.
#[derive(Debug, Clone)]
pub struct TuneRow {
    /// Facet detection thresholds.
    pub detect: DetectParams,
    /// Weight of wanted facets.
    pub facet: f32,
    /// Penalty of ruled-out facets.
    pub avoid: f32,
    /// Weight of the reachable-without-long-studies prior.
    pub access: f32,
    /// nDCG@10 on the blind sets' dev lines.
    pub blind_dev: f64,
    /// nDCG@10 on the young-people split's dev part.
    pub young_dev: f64,
}

/// Thresholds of facet detection tried by [`tune`] (the last finds nothing: facets off).
const DETECT_GRID: [f32; 7] = [0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 2.0];
const FACET_GRID: [f32; 4] = [0.0, 0.1, 0.2, 0.3];
const AVOID_GRID: [f32; 4] = [0.0, 0.1, 0.4, 0.8];
/// Weight of the prior for métiers reachable without long studies tried.
const ACCESS_GRID: [f32; 4] = [0.0, 0.05, 0.1, 0.2];

/// Searches the facet thresholds and weights on development lines only: the blind sets' `dev`
/// lines and the young-people split's dev part, summed. Leaves the engine's thresholds as
/// they were.
pub(crate) fn tune(engine: &Engine, splits_dir: &Path, params: &HybridParams) -> Result<Vec<TuneRow>> {
    let dev: Vec<YoungQuery> = load_dir(&splits_dir.join(BLIND_DIR))?
        .into_iter()
        .flat_map(|s| s.queries)
        .filter(|q| q.split == "dev")
        .collect();
    let young: Vec<YoungQuery> = super::young::load(&splits_dir.join(super::young::YOUNG_FILE))?
        .into_iter()
        .filter(|q| q.split == "dev")
        .collect();
    let saved = engine.facets().params();
    let mut rows = Vec::new();
    for min_cos in DETECT_GRID {
        let detect = DetectParams { min_cos, ..saved };
        engine.set_facet_params(detect);
        let blind_run = build_run_with(engine, dev.clone(), params, &BLIND_STYLES, taxonomy_of);
        let young_run = build_run_with(engine, young.clone(), params, &super::young::STYLES, |_| Taxonomy::Rome);
        let (blind_run, young_run) = match (blind_run, young_run) {
            (Ok(b), Ok(y)) => (b, y),
            (Err(e), _) | (_, Err(e)) => {
                engine.set_facet_params(saved);
                return Err(e);
            }
        };
        for facet in FACET_GRID {
            for avoid in AVOID_GRID {
                for access in ACCESS_GRID {
                    let weights = ChannelWeights { facet, avoid, access, ..params.weights };
                    let p = HybridParams { weights, ..*params };
                    let mean =
                        |run: &super::young::Run| GradedSummary::mean(run.metrics(Retrieval::Full, &p).iter()).ndcg10;
                    rows.push(TuneRow {
                        detect,
                        facet,
                        avoid,
                        access,
                        blind_dev: mean(&blind_run),
                        young_dev: mean(&young_run),
                    });
                }
            }
        }
    }
    engine.set_facet_params(saved);
    Ok(rows)
}

/// The tuning trace as Markdown, best first.
pub fn format_tuning(rows: &[TuneRow]) -> String {
    let mut sorted: Vec<&TuneRow> = rows.iter().collect();
    sorted.sort_by(|a, b| (b.blind_dev + b.young_dev).total_cmp(&(a.blind_dev + a.young_dev)));
    let mut out = String::from(
        "\n### Facet thresholds and weights, development lines only (blind `dev` + young-people dev)\n\n\
         | min cosine | facet weight | avoid penalty | access prior | blind dev nDCG@10 | young dev nDCG@10 | sum |\n|---:|---:|---:|---:|---:|---:|---:|\n",
    );
    for r in sorted {
        out.push_str(&format!(
            "| {:.2} | {:.2} | {:.2} | {:.2} | {:.3} | {:.3} | {:.3} |\n",
            r.detect.min_cos,
            r.facet,
            r.avoid,
            r.access,
            r.blind_dev,
            r.young_dev,
            r.blind_dev + r.young_dev
        ));
    }
    out
}
