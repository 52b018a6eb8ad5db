//! Offline evaluation of the ranking (`boussole eval`): occupation-level MRR, MAP, Recall@10 and
//! Accuracy@1/5/10 on three splits, for lexical only, dense only, hybrid and full retrieval
//! ([`Retrieval::Full`]); graded metrics per style on the young-people split ([`young`]); the
//! confidence curves' fit ([`calibrate`], `boussole calibrate`).
//!
//! Splits (files under `datasets/eval/`, generated once with a fixed seed so runs compare):
//! - `heldout.jsonl`: 15% of ROME synonym appellations and of ESCO alt labels (fr and en), per
//!   (taxonomy, language), in shuffled order. Every listed form is removed from both channels
//!   (with the other forms of the same occupation whose folded text is the same, and the gendered
//!   variants of that occupation contained in it, so a split "Boulanger / Boulangère" does not
//!   leak through its halves); the first `--limit-queries` lines are the test queries, the next
//!   `--dev-queries` lines the development queries used to tune the fusion. Gold: the form's
//!   occupation; the search is restricted to its taxonomy.
//! - `typos.jsonl`: the same queries with accents removed and 1–2 character edits (deletion,
//!   insertion, substitution, transposition; 2 edits when the text has 10+ letters).
//! - `natural_queries.jsonl`: hand-written queries with gold sets in both taxonomies, over the
//!   full index, both taxonomies searched.
//!
//! The evaluation's dense channel is exact search over the kept vectors taken from the index
//! (no re-embedding, no graph), so held-out forms are really absent; the service uses the HNSW
//! graph (recall@10 ≥ 0.98 against the same exact search).

pub mod blind;
pub mod calibrate;
pub mod facets;
pub mod graded;
pub mod metrics;
pub mod splits;
pub mod young;

use std::collections::HashSet;
use std::path::{Path, PathBuf};
use std::time::Instant;

use anyhow::{Context, Result};
use rayon::prelude::*;

use crate::catalog::{OccupationId, OccupationIdx};
use crate::index::VectorIndex;
use crate::search::hybrid::{self, Candidate, DenseSource, Fusion, HybridParams, QueryInput, Retrieval};
use crate::search::{Engine, LexicalConfig, LexicalIndex, ProfileRequest, SearchRequest, Understood};
use crate::text::fold;

pub use metrics::{QueryMetrics, Summary};
pub use splits::{EvalQuery, HeldOutForm};

/// Results kept per query (metrics are computed on this depth).
pub const DEPTH: usize = 50;

/// Options of `boussole eval`.
#[derive(Debug, Clone)]
pub struct EvalOptions {
    /// Directory of the split files.
    pub splits_dir: PathBuf,
    /// Dataset directory, read only to generate the O*NET title split when its file is absent.
    pub data_dir: PathBuf,
    /// Seed of the sampling and of the typos.
    pub seed: u64,
    /// Share of the ROME synonyms and ESCO alt labels held out.
    pub heldout_fraction: f64,
    /// Test queries per generated split.
    pub limit_queries: usize,
    /// Development queries (held-out lines after the test ones) used to tune the fusion.
    pub dev_queries: usize,
    /// Rewrite the split files even when present.
    pub regenerate: bool,
    /// Also run the lexical-feature and support ablations (slower).
    pub ablations: bool,
    /// Search the channel weights on the development queries and report the best.
    pub tune: bool,
    /// Only the blind sets and the facet-detection calibration.
    pub blind_only: bool,
}

/// One row of the result table.
#[derive(Debug, Clone)]
pub struct Row {
    /// Split name.
    pub split: String,
    /// System name.
    pub system: String,
    /// Mean metrics.
    pub summary: Summary,
}

/// Everything `boussole eval` prints.
#[derive(Debug, Clone)]
pub struct Report {
    /// Result rows.
    pub rows: Vec<Row>,
    /// Development-set MRR of every fusion tried, in order.
    pub tuning: Vec<(String, f64)>,
    /// Fusion chosen on the development set.
    pub chosen: Fusion,
    /// The young-people split: per-style tables, ablations and tuning.
    pub young: Option<young::YoungReport>,
    /// The blind sets of independent authors, per author and style.
    pub blind: Option<blind::BlindReport>,
    /// Facet detection thresholds measured on the data.
    pub facets: Option<facets::FacetCalibration>,
    /// Facet thresholds and weights tried on development lines (`--blind-only --tune`).
    pub blind_tuning: Vec<blind::TuneRow>,
    /// Seconds spent.
    pub seconds: f64,
}

/// Dense retrieval by exact search over the rows of `index` that keep at least one form.
pub struct ExactDense<'a> {
    index: &'a VectorIndex,
    kept_form: &'a [bool],
    rows: Vec<u32>,
}

impl<'a> ExactDense<'a> {
    /// Keeps the rows carrying at least one kept form.
    pub fn new(index: &'a VectorIndex, kept_form: &'a [bool]) -> ExactDense<'a> {
        let rows = (0..index.len() as u32)
            .filter(|&r| index.forms_of_row(r as usize).iter().any(|&f| kept_form[f as usize]))
            .collect();
        ExactDense { index, kept_form, rows }
    }
}

impl DenseSource for ExactDense<'_> {
    fn nearest_forms(&self, query: &[f32], k: usize, keep: &dyn Fn(u32) -> bool) -> Vec<(u32, f32)> {
        let mut scored: Vec<(u32, f32)> =
            self.rows.iter().map(|&r| (r, self.index.row_score(query, r as usize))).collect();
        scored.sort_unstable_by(|a, b| b.1.total_cmp(&a.1));
        let mut out = Vec::new();
        let mut taken = 0;
        for (row, score) in scored {
            let before = out.len();
            out.extend(
                self.index
                    .forms_of_row(row as usize)
                    .iter()
                    .filter(|&&f| self.kept_form[f as usize] && keep(f))
                    .map(|&f| (f, score)),
            );
            if out.len() > before {
                taken += 1;
                if taken == k {
                    break;
                }
            }
        }
        out
    }

    fn occupation_forms(&self, query: &[f32], occupation: OccupationIdx) -> Vec<(u32, f32)> {
        let forms = &self.index.catalogue().forms;
        let mut out = Vec::new();
        for &row in self.index.rows_of_occupation(occupation) {
            let mine: Vec<u32> = self
                .index
                .forms_of_row(row as usize)
                .iter()
                .copied()
                .filter(|&f| self.kept_form[f as usize] && forms[f as usize].occupation == occupation)
                .collect();
            if !mine.is_empty() {
                let score = self.index.row_score(query, row as usize);
                out.extend(mine.into_iter().map(|f| (f, score)));
            }
        }
        out
    }
}

/// Which forms stay in the index when `heldout` is removed.
pub fn kept_forms(engine: &Engine, heldout: &[HeldOutForm]) -> Vec<bool> {
    let catalogue = engine.index().catalogue();
    let mut keep = vec![true; catalogue.forms.len()];
    let mut by_occupation: std::collections::HashMap<OccupationIdx, Vec<String>> = std::collections::HashMap::new();
    for h in heldout {
        if let Some(o) = engine.find(h.taxonomy, &h.code) {
            by_occupation.entry(o).or_default().push(fold(&h.text));
        }
    }
    for (i, form) in catalogue.forms.iter().enumerate() {
        if let Some(texts) = by_occupation.get(&form.occupation) {
            let folded = fold(&form.text);
            let gendered = form.kind == crate::catalog::FormKind::Gendered;
            if texts.iter().any(|t| *t == folded || (gendered && contains_words(t, &folded))) {
                keep[i] = false;
            }
        }
    }
    keep
}

/// Whether `needle`'s words appear contiguously in `haystack` (both folded).
fn contains_words(haystack: &str, needle: &str) -> bool {
    format!(" {haystack} ").contains(&format!(" {needle} "))
}

/// Candidates for every query of a split (computed once; fusions are then cheap).
pub(crate) struct SplitRun {
    name: String,
    candidates: Vec<Vec<Candidate>>,
    /// Candidates of [`Retrieval::Full`] (understood query, every channel).
    full: Vec<Vec<Candidate>>,
    gold: Vec<HashSet<OccupationIdx>>,
}

impl SplitRun {
    pub(crate) fn evaluate(&self, retrieval: Retrieval, params: &HybridParams) -> Summary {
        let candidates = if retrieval == Retrieval::Full { &self.full } else { &self.candidates };
        let per_query: Vec<QueryMetrics> = candidates
            .iter()
            .zip(&self.gold)
            .map(|(c, gold)| {
                let ranked: Vec<OccupationIdx> =
                    hybrid::fuse(c, retrieval, params).into_iter().take(DEPTH).map(|(i, _)| c[i].occupation).collect();
                QueryMetrics::of(&ranked, gold)
            })
            .collect();
        Summary::mean(&per_query)
    }
}

/// A split's queries with their embeddings (computed once, reused by every variant): the
/// text as typed (title channels) and the understood query with its positive text's vector.
pub(crate) struct Embedded {
    name: String,
    queries: Vec<EvalQuery>,
    vectors: Vec<Vec<f32>>,
    understood: Vec<Understood>,
    positive_vectors: Vec<Vec<f32>>,
}

/// Embeds texts in batches.
pub(crate) fn embed_texts(engine: &Engine, texts: &[&str]) -> Result<Vec<Vec<f32>>> {
    let mut vectors = Vec::with_capacity(texts.len());
    for chunk in texts.chunks(64) {
        vectors.extend(engine.embed_queries(chunk)?);
    }
    Ok(vectors)
}

/// Understands every query and embeds the positive texts that differ from the typed ones.
pub(crate) fn understand_all(
    engine: &Engine,
    texts: &[&str],
    vectors: &[Vec<f32>],
) -> Result<(Vec<Understood>, Vec<Vec<f32>>)> {
    let understood: Vec<Understood> = texts.iter().map(|t| engine.understand_query(t)).collect::<Result<_, _>>()?;
    let changed: Vec<usize> = (0..texts.len()).filter(|&i| understood[i].positive != texts[i]).collect();
    let changed_texts: Vec<&str> = changed.iter().map(|&i| understood[i].positive.as_str()).collect();
    let mut positive = vectors.to_vec();
    for (i, v) in changed.into_iter().zip(embed_texts(engine, &changed_texts)?) {
        positive[i] = v;
    }
    Ok((understood, positive))
}

fn embed_split(engine: &Engine, name: &str, queries: Vec<EvalQuery>) -> Result<Embedded> {
    let start = Instant::now();
    let texts: Vec<&str> = queries.iter().map(|q| q.query.as_str()).collect();
    let vectors = embed_texts(engine, &texts)?;
    let (understood, positive_vectors) = understand_all(engine, &texts, &vectors)?;
    tracing::info!(split = name, queries = queries.len(), secs = start.elapsed().as_secs_f64(), "split embedded");
    Ok(Embedded { name: name.to_string(), queries, vectors, understood, positive_vectors })
}

/// What the evaluation gathers candidates with: the engine (catalogue, query signals), a
/// lexical index and a dense source (both possibly without the held-out forms), and the hybrid
/// parameters.
pub(crate) struct Retriever<'a> {
    pub(crate) engine: &'a Engine,
    pub(crate) lexical: &'a LexicalIndex,
    pub(crate) dense: &'a dyn DenseSource,
    pub(crate) params: &'a HybridParams,
}

impl Retriever<'_> {
    /// Candidates of one query for the title channels (`understood` absent) or every channel.
    pub(crate) fn gather(
        &self,
        text: &str,
        vector: &[f32],
        taxonomy: Option<crate::catalog::Taxonomy>,
        understood: Option<(&Understood, &[f32])>,
    ) -> Vec<Candidate> {
        let Retriever { engine, lexical, dense, params } = *self;
        let catalogue = engine.index().catalogue();
        let (forms, occupations) = (&catalogue.forms, &catalogue.occupations);
        let keep =
            |f: u32| taxonomy.is_none_or(|t| occupations[forms[f as usize].occupation as usize].id.taxonomy == t);
        let keep_occupation = |o: OccupationIdx| taxonomy.is_none_or(|t| occupations[o as usize].id.taxonomy == t);
        match understood {
            None => {
                let input = QueryInput {
                    text,
                    vector: Some(vector),
                    retrieval: Retrieval::Hybrid,
                    keep: &keep,
                    keep_occupation: &keep_occupation,
                    signals: None,
                };
                hybrid::gather(forms, lexical, dense, &input, params)
            }
            Some((u, positive)) => {
                let signals = engine.query_signals(u, positive);
                let input = QueryInput {
                    text: &u.lexical,
                    vector: Some(positive),
                    retrieval: Retrieval::Full,
                    keep: &keep,
                    keep_occupation: &keep_occupation,
                    signals: Some(&signals),
                };
                hybrid::gather(forms, lexical, dense, &input, params)
            }
        }
    }
}

fn run_split(
    engine: &Engine,
    lexical: &LexicalIndex,
    dense: &ExactDense<'_>,
    split: &Embedded,
    params: &HybridParams,
) -> SplitRun {
    let start = Instant::now();
    let retriever = Retriever { engine, lexical, dense, params };
    let candidates: Vec<Vec<Candidate>> = split
        .queries
        .par_iter()
        .zip(split.vectors.par_iter())
        .map(|(q, v)| retriever.gather(&q.query, v, q.taxonomy, None))
        .collect();
    let full: Vec<Vec<Candidate>> = (0..split.queries.len())
        .into_par_iter()
        .map(|i| {
            let q = &split.queries[i];
            retriever.gather(
                &q.query,
                &split.vectors[i],
                q.taxonomy,
                Some((&split.understood[i], &split.positive_vectors[i])),
            )
        })
        .collect();
    let gold = split
        .queries
        .iter()
        .map(|q| q.gold.iter().filter_map(|id| engine.find(id.taxonomy, &id.code)).collect())
        .collect();
    tracing::info!(split = split.name.as_str(), secs = start.elapsed().as_secs_f64(), "split ranked");
    SplitRun { name: split.name.clone(), candidates, full, gold }
}

/// The fusions tried on the development queries.
pub fn fusion_grid() -> Vec<Fusion> {
    let mut grid: Vec<Fusion> = (1..=9).map(|i| Fusion::Convex { alpha: i as f32 / 10.0 }).collect();
    for floor in [0.7, 0.8] {
        grid.extend((3..=8).map(|i| Fusion::ConvexFixed { alpha: i as f32 / 10.0, floor }));
    }
    grid.extend([Fusion::Rrf { k: 10.0 }, Fusion::Rrf { k: 60.0 }]);
    grid
}

/// Name of a fusion in tables.
pub fn fusion_name(f: Fusion) -> String {
    match f {
        Fusion::Convex { alpha } => format!("convex α={alpha:.1}"),
        Fusion::ConvexFixed { alpha, floor } => format!("convex α={alpha:.1}, cosine floor {floor:.1}"),
        Fusion::Rrf { k } => format!("rrf k={k:.0}"),
    }
}

/// Runs the whole evaluation.
pub fn run(engine: &Engine, options: &EvalOptions) -> Result<Report> {
    let start = Instant::now();
    if options.blind_only {
        let blind_dir = options.splits_dir.join(blind::BLIND_DIR);
        let blind = Some(blind::run(engine, &blind_dir, &engine.hybrid_params(), options.ablations)?);
        let facets = Some(facets::calibrate(engine)?);
        let blind_tuning =
            if options.tune { blind::tune(engine, &options.splits_dir, &engine.hybrid_params())? } else { Vec::new() };
        let chosen = engine.hybrid_params().fusion;
        let seconds = start.elapsed().as_secs_f64();
        return Ok(Report {
            rows: Vec::new(),
            tuning: Vec::new(),
            chosen,
            young: None,
            blind,
            facets,
            blind_tuning,
            seconds,
        });
    }
    let catalogue = engine.index().catalogue();
    let heldout = splits::load_or_generate_heldout(
        engine,
        &options.splits_dir,
        options.seed,
        options.heldout_fraction,
        options.regenerate,
    )?;
    let test: Vec<&HeldOutForm> = heldout.iter().filter(|h| engine.find(h.taxonomy, &h.code).is_some()).collect();
    let n_test = options.limit_queries.min(test.len());
    let n_dev = options.dev_queries.min(test.len() - n_test);
    let test_queries: Vec<EvalQuery> = test[..n_test].iter().map(|h| h.as_query()).collect();
    let dev_queries: Vec<EvalQuery> = test[n_test..n_test + n_dev].iter().map(|h| h.as_query()).collect();
    let typo_queries = splits::load_or_generate_typos(
        &options.splits_dir,
        splits::TYPOS_FILE,
        &test_queries,
        options.seed,
        options.regenerate,
    )?;
    let natural = splits::load_natural(&options.splits_dir.join("natural_queries.jsonl"))?;
    // Every held-out O*NET title is a query (1,637; cheap next to the other splits).
    let onet = match splits::load_or_generate_onet(&options.data_dir, &options.splits_dir, options.regenerate) {
        Ok(queries) => {
            let typos = splits::load_or_generate_typos(
                &options.splits_dir,
                splits::ONET_TYPOS_FILE,
                &queries,
                options.seed,
                options.regenerate,
            )?;
            Some((queries, typos))
        }
        Err(e) => {
            tracing::warn!(error = %e, "no O*NET title split");
            None
        }
    };

    let params = engine.hybrid_params();
    let t = Instant::now();
    let kept = kept_forms(engine, &heldout);
    let lexical_heldout =
        LexicalIndex::with_filter(&catalogue.forms, |i| kept[i]).with_known_words(engine.known_words());
    let dense_heldout = ExactDense::new(engine.index(), &kept);
    tracing::info!(
        removed = kept.iter().filter(|k| !**k).count(),
        secs = t.elapsed().as_secs_f64(),
        "held-out index ready (lexical index + exact dense over kept vectors)"
    );
    let all = vec![true; catalogue.forms.len()];
    let dense_full = ExactDense::new(engine.index(), &all);

    let dev_split = embed_split(engine, "held-out dev", dev_queries)?;
    let dev = run_split(engine, &lexical_heldout, &dense_heldout, &dev_split, &params);
    let mut tuning = Vec::new();
    let mut chosen = params.fusion;
    let mut best = f64::MIN;
    for fusion in fusion_grid() {
        let p = HybridParams { fusion, ..params };
        let mrr = dev.evaluate(Retrieval::Hybrid, &p).mrr;
        tuning.push((fusion_name(fusion), mrr));
        if mrr > best + 1e-9 {
            best = mrr;
            chosen = fusion;
        }
    }
    let mut embedded = vec![
        embed_split(engine, "held-out", test_queries)?,
        embed_split(engine, "typos", typo_queries)?,
        embed_split(engine, "natural", natural.clone())?,
    ];
    if let Some((queries, typos)) = onet {
        embedded.push(embed_split(engine, "onet titles", queries)?);
        embedded.push(embed_split(engine, "onet typos", typos)?);
    }
    // Held-out and typo queries run against the index without the held-out forms; the O*NET
    // titles were never in the catalogue, so they search the full index like the natural ones.
    let run_all = |lexical_heldout: &LexicalIndex, lexical_full: &LexicalIndex, p: &HybridParams| -> Vec<SplitRun> {
        embedded
            .iter()
            .map(|e| {
                if matches!(e.name.as_str(), "held-out" | "typos") {
                    run_split(engine, lexical_heldout, &dense_heldout, e, p)
                } else {
                    run_split(engine, lexical_full, &dense_full, e, p)
                }
            })
            .collect()
    };
    let splits = run_all(&lexical_heldout, engine.lexical(), &params);
    if let Some(path) = std::env::var_os("BOUSSOLE_EVAL_DUMP") {
        dump_ranks(engine, &embedded, &splits, &params, Path::new(&path))?;
    }
    let mut rows = Vec::new();
    for split in &splits {
        let mut push = |system: String, summary: Summary| rows.push(Row { split: split.name.clone(), system, summary });
        push("lexical only".into(), split.evaluate(Retrieval::Lexical, &params));
        push("dense only".into(), split.evaluate(Retrieval::Dense, &params));
        push(format!("hybrid, default ({})", fusion_name(params.fusion)), split.evaluate(Retrieval::Hybrid, &params));
        if chosen != params.fusion {
            let p = HybridParams { fusion: chosen, ..params };
            push(format!("hybrid, dev-tuned ({})", fusion_name(chosen)), split.evaluate(Retrieval::Hybrid, &p));
        }
        let rrf = HybridParams { fusion: Fusion::Rrf { k: 60.0 }, ..params };
        if rrf.fusion != params.fusion && rrf.fusion != chosen {
            push("hybrid, rrf k=60".into(), split.evaluate(Retrieval::Hybrid, &rrf));
        }
        push("full (understanding + all channels)".into(), split.evaluate(Retrieval::Full, &params));
    }
    if options.ablations {
        let off = |f: fn(&mut LexicalConfig)| {
            let mut c = LexicalConfig::default();
            f(&mut c);
            c
        };
        let variants: [(&str, LexicalConfig, HybridParams); 4] = [
            ("hybrid − typo tolerance", off(|c| c.typos = false), params),
            ("hybrid − prefix matching", off(|c| c.prefix = false), params),
            ("hybrid − gender/stemming", off(|c| c.normalize = false), params),
            ("hybrid − support (γ=0)", LexicalConfig::default(), HybridParams { support: 0.0, ..params }),
        ];
        for (name, config, p) in variants {
            let t = Instant::now();
            let heldout_lex = LexicalIndex::with_config(&catalogue.forms, |i| kept[i], config);
            let full_lex = LexicalIndex::with_config(&catalogue.forms, |_| true, config);
            for split in run_all(&heldout_lex, &full_lex, &p) {
                rows.push(Row {
                    split: split.name.clone(),
                    system: name.to_string(),
                    summary: split.evaluate(Retrieval::Hybrid, &p),
                });
            }
            tracing::info!(variant = name, secs = t.elapsed().as_secs_f64(), "ablation done");
        }
        let order = |split: &str| {
            ["held-out", "typos", "natural", "onet titles", "onet typos"].iter().position(|s| *s == split).unwrap_or(5)
        };
        rows.sort_by_key(|r| order(&r.split));
    }
    // The service's own paths on the natural queries: Engine::search (HNSW, default hybrid) and
    // Engine::match_profile with the text alone (hybrid + skills read from the text).
    let mut searched = Vec::new();
    let mut profiled = Vec::new();
    for q in &natural {
        let gold: HashSet<OccupationIdx> = q.gold.iter().filter_map(|id| engine.find(id.taxonomy, &id.code)).collect();
        let req = SearchRequest {
            text: q.query.clone(),
            lang: q.lang,
            taxonomy: q.taxonomy,
            limit: DEPTH,
            filter: Default::default(),
        };
        let ranked: Vec<OccupationIdx> = engine.search(&req)?.into_iter().map(|r| r.index).collect();
        searched.push(QueryMetrics::of(&ranked, &gold));
        let profile = ProfileRequest {
            text: Some(q.query.clone()),
            lang: q.lang,
            taxonomy: q.taxonomy,
            limit: DEPTH,
            ..ProfileRequest::default()
        };
        let ranked: Vec<OccupationIdx> = engine.match_profile(&profile)?.into_iter().map(|r| r.index).collect();
        profiled.push(QueryMetrics::of(&ranked, &gold));
    }
    rows.push(Row {
        split: "natural".into(),
        system: "service: Engine::search (HNSW)".into(),
        summary: Summary::mean(&searched),
    });
    rows.push(Row {
        split: "natural".into(),
        system: "service: hybrid + skills (match_profile, text only)".into(),
        summary: Summary::mean(&profiled),
    });
    let young_path = options.splits_dir.join(young::YOUNG_FILE);
    let young = if young_path.exists() {
        // The held-out development queries (every channel gathered) bound the tuning.
        Some(young::run(engine, &young_path, &params, options, options.tune.then_some(&dev))?)
    } else {
        tracing::warn!(path = %young_path.display(), "no young-people split");
        None
    };
    let blind_dir = options.splits_dir.join(blind::BLIND_DIR);
    let blind =
        if blind_dir.is_dir() { Some(blind::run(engine, &blind_dir, &params, options.ablations)?) } else { None };
    let facets = Some(facets::calibrate(engine)?);
    let blind_tuning =
        if options.tune && blind.is_some() { blind::tune(engine, &options.splits_dir, &params)? } else { Vec::new() };
    Ok(Report { rows, tuning, chosen, young, blind, facets, blind_tuning, seconds: start.elapsed().as_secs_f64() })
}

/// Writes, per query, the gold's rank under the title-only and the full ranking (error analysis;
/// `BOUSSOLE_EVAL_DUMP=file.jsonl boussole eval`).
fn dump_ranks(
    engine: &Engine,
    embedded: &[Embedded],
    splits: &[SplitRun],
    params: &HybridParams,
    path: &Path,
) -> Result<()> {
    let catalogue = engine.index().catalogue();
    let mut out = String::new();
    for (e, run) in embedded.iter().zip(splits) {
        for (i, q) in e.queries.iter().enumerate() {
            let rank = |candidates: &[Candidate], retrieval| {
                let fused = hybrid::fuse(candidates, retrieval, params);
                let gold_rank =
                    fused.iter().position(|(c, _)| run.gold[i].contains(&candidates[*c].occupation)).map(|r| r + 1);
                let top: Vec<String> = fused
                    .iter()
                    .take(3)
                    .map(|(c, _)| {
                        catalogue.occupations[candidates[*c].occupation as usize]
                            .label
                            .get_or_any(q.lang)
                            .unwrap_or_default()
                            .to_string()
                    })
                    .collect();
                (gold_rank, top)
            };
            let (h, _) = rank(&run.candidates[i], Retrieval::Hybrid);
            let (f, top) = rank(&run.full[i], Retrieval::Full);
            let line = serde_json::json!({"split": e.name, "query": q.query, "positive": e.understood[i].positive, "hybrid": h, "full": f, "full_top": top});
            out.push_str(&line.to_string());
            out.push('\n');
        }
    }
    std::fs::write(path, out).with_context(|| format!("writing {}", path.display()))
}

/// The report as a Markdown table.
pub fn format_report(report: &Report) -> String {
    let mut out = String::new();
    out.push_str("| split | system | queries | MRR | MAP | R@10 | A@1 | A@5 | A@10 |\n");
    out.push_str("|---|---|---:|---:|---:|---:|---:|---:|---:|\n");
    for r in &report.rows {
        let s = &r.summary;
        out.push_str(&format!(
            "| {} | {} | {} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
            r.split, r.system, s.queries, s.mrr, s.map, s.recall_at_10, s.acc_at_1, s.acc_at_5, s.acc_at_10
        ));
    }
    let mrr = |split: &str| {
        report.rows.iter().find(|r| r.split == split && r.system.starts_with("hybrid, default")).map(|r| r.summary.mrr)
    };
    out.push('\n');
    for (clean, typos, what) in [("held-out", "typos", "held-out"), ("onet titles", "onet typos", "O*NET title")] {
        if let (Some(clean), Some(typos)) = (mrr(clean), mrr(typos)) {
            out.push_str(&format!(
                "Typo robustness: hybrid keeps {:.1}% of its {what} MRR on the {what} typo split.\n",
                100.0 * typos / clean
            ));
        }
    }
    out.push_str("\nFusion tuning (MRR on the held-out development queries):\n\n");
    for (name, mrr) in &report.tuning {
        out.push_str(&format!("- {name}: {mrr:.3}\n"));
    }
    out.push_str(&format!("\nChosen on dev: {}.\n", fusion_name(report.chosen)));
    if let Some(y) = &report.young {
        out.push_str(&young::format_report(y));
    }
    if let Some(b) = &report.blind {
        out.push_str(&blind::format_report(b));
    }
    if let Some(f) = &report.facets {
        out.push_str(&facets::format(f));
    }
    if !report.blind_tuning.is_empty() {
        out.push_str(&blind::format_tuning(&report.blind_tuning));
    }
    out.push_str(&format!("\nTook {:.0} s.\n", report.seconds));
    out
}

/// Reads a JSONL file into values.
pub(crate) fn read_jsonl<T: serde::de::DeserializeOwned>(path: &Path) -> Result<Vec<T>> {
    let text = std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).with_context(|| format!("{}:{}", path.display(), i + 1)))
        .collect()
}

/// Writes values as JSON Lines, atomically (a temporary file renamed into place).
pub fn write_jsonl<T: serde::Serialize>(path: &Path, items: &[T]) -> Result<()> {
    let mut out = String::new();
    for item in items {
        out.push_str(&serde_json::to_string(item)?);
        out.push('\n');
    }
    crate::fsutil::write_file_atomic(path, out.as_bytes()).with_context(|| format!("writing {}", path.display()))
}

/// Gold entry of a query.
pub type Gold = OccupationId;
