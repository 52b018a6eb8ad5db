//! The young-people split (`young_queries.jsonl`): queries written the way 15–20-year-olds
//! type (job names half remembered, interests, school, situations, SMS, English, traps), with
//! graded ROME gold (2 = what an adviser shows first, 1 = relevant). Metrics per style on the
//! test part; the development part tunes the channel weights ([`tune`]).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::time::Instant;

use anyhow::{bail, Result};
use rayon::prelude::*;
use serde::Deserialize;

use super::graded::{GradedMetrics, GradedSummary};
use super::{embed_texts, read_jsonl, understand_all, EvalOptions, ExactDense, Retriever, SplitRun, DEPTH};
use crate::catalog::{Lang, OccupationIdx, Taxonomy};
use crate::search::hybrid::{self, Candidate, ChannelWeights, HybridParams, Retrieval};
use crate::search::{Engine, UnderstandConfig};

/// File name of the split.
pub const YOUNG_FILE: &str = "young_queries.jsonl";

/// The query styles, in table order.
pub const STYLES: [&str; 7] = ["title", "interest", "school", "situation", "sms", "english", "trap"];

/// One query of the split.
#[derive(Debug, Clone, Deserialize)]
pub struct YoungQuery {
    /// Stable id.
    pub id: String,
    /// One of [`STYLES`].
    pub style: String,
    /// `dev` or `test`.
    pub split: String,
    /// Language of the text.
    pub lang: Lang,
    /// What the young person typed.
    pub query: String,
    /// ROME code → grade (2 = shown first by an adviser, 1 = relevant).
    pub gold: BTreeMap<String, u8>,
}

/// One table row: a system's metrics on one part, overall and per style.
#[derive(Debug, Clone)]
pub struct YoungRow {
    /// System or ablation name.
    pub system: String,
    /// `test` or `dev`.
    pub part: String,
    /// Overall.
    pub all: GradedSummary,
    /// Per style, in [`STYLES`] order.
    pub styles: Vec<GradedSummary>,
}

/// What the young-people split reports.
#[derive(Debug, Clone)]
pub struct YoungReport {
    /// Rows.
    pub rows: Vec<YoungRow>,
    /// Tuning trace: (weights tried, young dev nDCG@10, held-out dev MRR, objective).
    pub tuning: Vec<(String, f64, f64, f64)>,
    /// Best weights found on dev, when tuned.
    pub tuned: Option<ChannelWeights>,
}

/// Candidates of every query, computed once.
pub(crate) struct Run {
    queries: Vec<YoungQuery>,
    styles: &'static [&'static str],
    grades: Vec<HashMap<OccupationIdx, u8>>,
    hybrid: Vec<Vec<Candidate>>,
    full: Vec<Vec<Candidate>>,
}

impl Run {
    pub(crate) fn metrics(&self, retrieval: Retrieval, params: &HybridParams) -> Vec<GradedMetrics> {
        let candidates = if retrieval == Retrieval::Full { &self.full } else { &self.hybrid };
        candidates
            .iter()
            .zip(&self.grades)
            .map(|(c, g)| {
                let ranked: Vec<OccupationIdx> =
                    hybrid::fuse(c, retrieval, params).into_iter().take(DEPTH).map(|(i, _)| c[i].occupation).collect();
                GradedMetrics::of(&ranked, g)
            })
            .collect()
    }

    pub(crate) fn rows(&self, system: &str, metrics: &[GradedMetrics]) -> Vec<YoungRow> {
        ["test", "dev"]
            .iter()
            .map(|part| {
                let of = |style: Option<&str>| {
                    GradedSummary::mean(
                        self.queries
                            .iter()
                            .zip(metrics)
                            .filter(|(q, _)| q.split == *part && style.is_none_or(|s| q.style == s))
                            .map(|(_, m)| m),
                    )
                };
                YoungRow {
                    system: system.to_string(),
                    part: part.to_string(),
                    all: of(None),
                    styles: self.styles.iter().map(|s| of(Some(s))).collect(),
                }
            })
            .collect()
    }

    fn dev_ndcg(&self, params: &HybridParams) -> f64 {
        let m = self.metrics(Retrieval::Full, params);
        GradedSummary::mean(self.queries.iter().zip(&m).filter(|(q, _)| q.split == "dev").map(|(_, m)| m)).ndcg10
    }
}

/// Loads and checks the split.
pub fn load(path: &Path) -> Result<Vec<YoungQuery>> {
    load_checked(path, &STYLES)
}

/// Loads graded queries and checks each one's style (one of `styles`), split and gold.
pub fn load_checked(path: &Path, styles: &[&str]) -> Result<Vec<YoungQuery>> {
    let queries: Vec<YoungQuery> = read_jsonl(path)?;
    for q in &queries {
        if !styles.contains(&q.style.as_str()) || !matches!(q.split.as_str(), "dev" | "test") || q.gold.is_empty() {
            bail!("{}: query {} has an unknown style or split, or no gold", path.display(), q.id);
        }
        if let Some((code, g)) = q.gold.iter().find(|(_, g)| !matches!(g, 1 | 2)) {
            bail!("{}: query {} grades {code} {g} (grades are 1 or 2)", path.display(), q.id);
        }
    }
    Ok(queries)
}

fn build_run(engine: &Engine, queries: Vec<YoungQuery>, params: &HybridParams) -> Result<Run> {
    build_run_with(engine, queries, params, &STYLES, |_| Taxonomy::Rome)
}

/// Ranks every query in the taxonomy its gold is written in, and scores them per style.
pub(crate) fn build_run_with(
    engine: &Engine,
    queries: Vec<YoungQuery>,
    params: &HybridParams,
    styles: &'static [&'static str],
    taxonomy_of: impl Fn(&YoungQuery) -> Taxonomy + Sync,
) -> Result<Run> {
    let start = Instant::now();
    let texts: Vec<&str> = queries.iter().map(|q| q.query.as_str()).collect();
    let vectors = embed_texts(engine, &texts)?;
    let (understood, positive) = understand_all(engine, &texts, &vectors)?;
    let all = vec![true; engine.index().catalogue().forms.len()];
    let dense = ExactDense::new(engine.index(), &all);
    let taxonomies: Vec<Taxonomy> = queries.iter().map(&taxonomy_of).collect();
    let retriever = Retriever { engine, lexical: engine.lexical(), dense: &dense, params };
    let hybrid: Vec<Vec<Candidate>> = (0..queries.len())
        .into_par_iter()
        .map(|i| retriever.gather(texts[i], &vectors[i], Some(taxonomies[i]), None))
        .collect();
    let full: Vec<Vec<Candidate>> = (0..queries.len())
        .into_par_iter()
        .map(|i| retriever.gather(texts[i], &vectors[i], Some(taxonomies[i]), Some((&understood[i], &positive[i]))))
        .collect();
    let grades = queries
        .iter()
        .zip(&taxonomies)
        .map(|(q, &t)| q.gold.iter().filter_map(|(code, &g)| Some((engine.find(t, code)?, g))).collect())
        .collect();
    tracing::info!(queries = queries.len(), secs = start.elapsed().as_secs_f64(), "graded queries ranked");
    Ok(Run { queries, styles, grades, hybrid, full })
}

/// Runs the split: the four systems, then the ablations and the tuning when asked.
pub(crate) fn run(
    engine: &Engine,
    path: &Path,
    params: &HybridParams,
    options: &EvalOptions,
    heldout_dev: Option<&SplitRun>,
) -> Result<YoungReport> {
    let queries = load(path)?;
    let base = build_run(engine, queries.clone(), params)?;
    let mut rows = Vec::new();
    for (name, retrieval) in [
        ("lexical only (titles)", Retrieval::Lexical),
        ("dense only (titles)", Retrieval::Dense),
        ("previous hybrid (titles)", Retrieval::Hybrid),
        ("full (understanding + all channels)", Retrieval::Full),
    ] {
        rows.extend(base.rows(name, &base.metrics(retrieval, params)));
    }
    if options.ablations {
        let w = params.weights;
        let zeroed: [(&str, ChannelWeights); 8] = [
            ("full − passages (dense)", ChannelWeights { passage: 0.0, ..w }),
            ("full − passages (lexical)", ChannelWeights { passage_lexical: 0.0, ..w }),
            ("full − centres d'intérêt", ChannelWeights { interest: 0.0, ..w }),
            ("full − slang hints", ChannelWeights { colloquial: 0.0, ..w }),
            ("full − school hints", ChannelWeights { school: 0.0, ..w }),
            ("full − study level", ChannelWeights { level: 0.0, ..w }),
            ("full − negation penalty", ChannelWeights { negation: 0.0, ..w }),
            ("full − young prior", ChannelWeights { young: 0.0, ..w }),
        ];
        for (name, weights) in zeroed {
            rows.extend(base.rows(name, &base.metrics(Retrieval::Full, &HybridParams { weights, ..*params })));
        }
        let on = UnderstandConfig::default();
        let steps: [(&str, UnderstandConfig); 5] = [
            ("full − SMS expansion", UnderstandConfig { sms: false, ..on }),
            ("full − spelling correction", UnderstandConfig { spelling: false, ..on }),
            ("full − slang rewriting", UnderstandConfig { colloquial: false, ..on }),
            ("full − school rewriting", UnderstandConfig { school: false, ..on }),
            ("full − negation/constraints", UnderstandConfig { negation: false, ..on }),
        ];
        // Understanding ablations need their own engine configuration: re-understand, re-embed.
        for (name, config) in steps {
            let mut variant = EngineConfigGuard::new(engine, config);
            let run = build_run(variant.engine(), queries.clone(), params)?;
            rows.extend(run.rows(name, &run.metrics(Retrieval::Full, params)));
            variant.restore();
        }
    }
    let (tuning, tuned) = match heldout_dev {
        Some(dev) => {
            let (trace, best) = tune(&base, dev, params);
            rows.extend(base.rows(
                "full, dev-tuned weights",
                &base.metrics(Retrieval::Full, &HybridParams { weights: best, ..*params }),
            ));
            (trace, Some(best))
        }
        None => (Vec::new(), None),
    };
    Ok(YoungReport { rows, tuning, tuned })
}

/// Lets an ablation switch understanding steps on a shared engine and put them back.
struct EngineConfigGuard<'a> {
    engine: &'a Engine,
    saved: UnderstandConfig,
}

impl<'a> EngineConfigGuard<'a> {
    fn new(engine: &'a Engine, config: UnderstandConfig) -> Self {
        let saved = engine.understand_config();
        engine.set_understand_config(config);
        EngineConfigGuard { engine, saved }
    }

    fn engine(&mut self) -> &'a Engine {
        self.engine
    }

    fn restore(&mut self) {
        self.engine.set_understand_config(self.saved);
    }
}

impl Drop for EngineConfigGuard<'_> {
    fn drop(&mut self) {
        self.engine.set_understand_config(self.saved);
    }
}

/// Coordinate ascent over the channel weights on the development queries. Objective: young dev
/// nDCG@10 + held-out dev MRR (both in [0, 1]), so a gain for young people's phrasing may not
/// be bought with job-title accuracy.
pub(crate) fn tune(
    young: &Run,
    heldout_dev: &SplitRun,
    params: &HybridParams,
) -> (Vec<(String, f64, f64, f64)>, ChannelWeights) {
    // Falling below the title-only ranking on job titles costs five times the drop.
    let baseline = heldout_dev.evaluate(Retrieval::Hybrid, params).mrr;
    let score = |w: ChannelWeights| {
        let p = HybridParams { weights: w, ..*params };
        let y = young.dev_ndcg(&p);
        let h = heldout_dev.evaluate(Retrieval::Full, &p).mrr;
        (y, h, y + h - 5.0 * (baseline - h).max(0.0))
    };
    let mut best = params.weights;
    let (y, h, mut best_obj) = score(best);
    let mut trace = vec![(weights_name(&best), y, h, best_obj)];
    type Field = fn(&mut ChannelWeights) -> &mut f32;
    let fields: [(&str, Field, &[f32]); 11] = [
        ("gate", |w| &mut w.gate, &[0.0, 0.25, 0.5, 0.75, 0.9, 1.0]),
        ("gate_lo", |w| &mut w.gate_lo, &[0.84, 0.86, 0.87, 0.88, 0.89, 0.9, 0.92]),
        ("gate_hi", |w| &mut w.gate_hi, &[0.9, 0.92, 0.93, 0.94, 0.95, 0.96, 0.98]),
        ("passage", |w| &mut w.passage, &[0.0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.7, 1.0]),
        ("interest", |w| &mut w.interest, &[0.0, 0.05, 0.1, 0.15, 0.2, 0.3, 0.4, 0.6]),
        ("passage_lexical", |w| &mut w.passage_lexical, &[0.0, 0.05, 0.1, 0.2, 0.3]),
        ("colloquial", |w| &mut w.colloquial, &[0.0, 0.1, 0.2, 0.3, 0.5, 0.8]),
        ("school", |w| &mut w.school, &[0.0, 0.1, 0.2, 0.3, 0.5, 0.8]),
        ("level", |w| &mut w.level, &[0.0, 0.05, 0.1, 0.2, 0.3]),
        ("negation", |w| &mut w.negation, &[0.0, 0.1, 0.2, 0.3, 0.4, 0.6]),
        ("young", |w| &mut w.young, &[0.0, 0.02, 0.05, 0.1, 0.15]),
    ];
    for _pass in 0..3 {
        for (_, field, grid) in &fields {
            for &v in grid.iter() {
                let mut w = best;
                *field(&mut w) = v;
                if w == best {
                    continue;
                }
                let (y, h, obj) = score(w);
                trace.push((weights_name(&w), y, h, obj));
                if obj > best_obj + 1e-6 {
                    best_obj = obj;
                    best = w;
                }
            }
        }
    }
    (trace, best)
}

/// Compact name of a weight set.
pub fn weights_name(w: &ChannelWeights) -> String {
    format!(
        "passage {:.2}, passage-lex {:.2}, interest {:.2}, slang {:.2}, school {:.2}, level {:.2}, negation {:.2}, young {:.2}, gate {:.2} over cosine {:.2}–{:.2}",
        w.passage, w.passage_lexical, w.interest, w.colloquial, w.school, w.level, w.negation, w.young, w.gate, w.gate_lo, w.gate_hi
    )
}

/// The report as Markdown tables.
pub fn format_report(report: &YoungReport) -> String {
    let mut out = String::new();
    for part in ["test", "dev"] {
        out.push_str(&format!("\n### Young people's queries, {part} part: nDCG@10 per style\n\n| system | all | "));
        out.push_str(&STYLES.join(" | "));
        out.push_str(" | MRR (grade 2) | success@5 |\n|---|---:|");
        out.push_str(&"---:|".repeat(STYLES.len() + 2));
        out.push('\n');
        for r in report.rows.iter().filter(|r| r.part == part) {
            out.push_str(&format!("| {} | {:.3} ({}) |", r.system, r.all.ndcg10, r.all.queries));
            for s in &r.styles {
                out.push_str(&format!(" {:.3} |", s.ndcg10));
            }
            out.push_str(&format!(" {:.3} | {:.3} |\n", r.all.mrr2, r.all.success5));
        }
    }
    if let Some(best) = &report.tuned {
        let start = report.tuning.first();
        let top = report.tuning.iter().max_by(|a, b| a.3.total_cmp(&b.3));
        out.push_str(&format!("\nChannel weights tuned on dev ({} settings tried):\n", report.tuning.len()));
        if let (Some(s), Some(t)) = (start, top) {
            out.push_str(&format!("- start: {} → young dev nDCG@10 {:.3}, held-out dev MRR {:.3}\n", s.0, s.1, s.2));
            out.push_str(&format!(
                "- best:  {} → young dev nDCG@10 {:.3}, held-out dev MRR {:.3}\n",
                weights_name(best),
                t.1,
                t.2
            ));
        }
    }
    out
}
