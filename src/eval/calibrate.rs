//! Fits the confidence curves ([`crate::search::Calibration`]) on the evaluation sets and
//! checks them on the held-apart test parts.
//!
//! Every query of the young-people, natural-language and typo sets is searched as the
//! product does (full index, top 10); each result becomes a `(score, relevant)` pair. The
//! young-people set has its own dev/test split; the other two are split by query id.

use std::collections::HashSet;
use std::path::Path;

use anyhow::Result;
use rayon::prelude::*;
use serde::Serialize;

use super::young::{self, YOUNG_FILE};
use super::{read_jsonl, EvalQuery};
use crate::catalog::{MatchRelation, OccupationIdx, Taxonomy};
use crate::search::{Calibration, CalibrationCheck, Engine, ProfileRequest, RankedOccupation, SearchRequest};

/// Results per query that become pairs: what a page shows.
const TOP: usize = 10;

/// One curve: fitted on dev, checked on test (with the fitted and the shipped parameters).
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationPart {
    /// Parameters fitted on the dev pairs.
    pub fitted: Calibration,
    /// The fitted curve on the dev pairs.
    pub dev: CalibrationCheck,
    /// The fitted curve on the test pairs.
    pub test: CalibrationCheck,
    /// The curve the code ships with, on the test pairs.
    pub shipped_on_test: CalibrationCheck,
}

/// Both curves.
#[derive(Debug, Clone, Serialize)]
pub struct CalibrationReport {
    /// Free-text search.
    pub search: CalibrationPart,
    /// Profile matching (the same queries as profile text).
    #[serde(rename = "match")]
    pub profile: CalibrationPart,
}

/// `(score, relevant)` of every shown result.
type Pairs = Vec<(f32, bool)>;

/// A query, what counts as relevant, and whether it is in the dev part.
struct Labelled {
    text: String,
    lang: crate::catalog::Lang,
    taxonomy: Option<Taxonomy>,
    relevant: HashSet<OccupationIdx>,
    dev: bool,
}

/// Fits and checks both curves.
pub fn run(engine: &Engine, splits_dir: &Path) -> Result<CalibrationReport> {
    let queries = labelled(engine, splits_dir)?;
    let search = pairs(&queries, |q| {
        engine.search(&SearchRequest {
            text: q.text.clone(),
            lang: q.lang,
            taxonomy: q.taxonomy,
            limit: TOP,
            filter: Default::default(),
        })
    });
    let profile = pairs(&queries, |q| {
        engine.match_profile(&ProfileRequest {
            text: Some(q.text.clone()),
            lang: q.lang,
            taxonomy: q.taxonomy,
            limit: TOP,
            ..ProfileRequest::default()
        })
    });
    Ok(CalibrationReport { search: part(&search, Calibration::SEARCH)?, profile: part(&profile, Calibration::MATCH)? })
}

fn part(pairs: &(Pairs, Pairs), shipped: Calibration) -> Result<CalibrationPart> {
    let (dev, test) = pairs;
    let fitted =
        Calibration::fit(dev).ok_or_else(|| anyhow::anyhow!("the dev pairs are all relevant or all irrelevant"))?;
    Ok(CalibrationPart {
        fitted,
        dev: CalibrationCheck::of(&fitted, dev),
        test: CalibrationCheck::of(&fitted, test),
        shipped_on_test: CalibrationCheck::of(&shipped, test),
    })
}

/// `(dev, test)` pairs of every query's top results.
fn pairs<E: std::fmt::Display>(
    queries: &[Labelled],
    rank: impl Fn(&Labelled) -> Result<Vec<RankedOccupation>, E> + Sync,
) -> (Pairs, Pairs) {
    let per_query: Vec<(bool, Vec<(f32, bool)>)> = queries
        .par_iter()
        .map(|q| {
            let results = match rank(q) {
                Ok(r) => r,
                Err(e) => {
                    tracing::warn!(query = %q.text, error = %e, "calibration query failed");
                    Vec::new()
                }
            };
            (q.dev, results.iter().map(|r| (r.score, q.relevant.contains(&r.index))).collect())
        })
        .collect();
    let (mut dev, mut test) = (Vec::new(), Vec::new());
    for (is_dev, p) in per_query {
        if is_dev {
            dev.extend(p)
        } else {
            test.extend(p)
        }
    }
    (dev, test)
}

/// The three sets with their relevant occupations.
fn labelled(engine: &Engine, splits_dir: &Path) -> Result<Vec<Labelled>> {
    let catalogue = engine.index().catalogue();
    let mut out = Vec::new();
    for q in young::load(&splits_dir.join(YOUNG_FILE))? {
        let mut relevant: HashSet<OccupationIdx> =
            q.gold.iter().filter(|(_, &g)| g >= 1).filter_map(|(code, _)| engine.find(Taxonomy::Rome, code)).collect();
        // ESCO occupations the crosswalk maps closely to a relevant fiche are relevant too.
        let linked: Vec<OccupationIdx> = relevant
            .iter()
            .flat_map(|&i| catalogue.occupations[i as usize].links.iter())
            .filter(|l| matches!(l.relation, MatchRelation::Exact | MatchRelation::Close))
            .map(|l| l.target)
            .collect();
        relevant.extend(linked);
        out.push(Labelled { text: q.query, lang: q.lang, taxonomy: None, relevant, dev: q.split == "dev" });
    }
    for file in ["natural_queries.jsonl", "typos.jsonl"] {
        let queries: Vec<EvalQuery> = read_jsonl(&splits_dir.join(file))?;
        for q in queries {
            let relevant = q.gold.iter().filter_map(|id| engine.find(id.taxonomy, &id.code)).collect();
            let dev = stable_half(&q.id);
            out.push(Labelled { text: q.query, lang: q.lang, taxonomy: q.taxonomy, relevant, dev });
        }
    }
    Ok(out)
}

/// Whether a query id falls in the dev half (FNV-1a parity: stable across runs and machines).
fn stable_half(id: &str) -> bool {
    let hash = id.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3));
    hash % 2 == 0
}

/// The report as text, with the constants to paste into `search/confidence.rs`.
pub fn format_report(report: &CalibrationReport) -> String {
    let mut out = String::new();
    for (name, part, constant) in [("search", &report.search, "SEARCH"), ("match", &report.profile, "MATCH")] {
        let line = |label: &str, c: &CalibrationCheck| {
            format!(
                "  {label:<16} pairs {:>6}  relevant {:.3}  brier {:.4} (constant guess {:.4})  ECE {:.4}\n",
                c.pairs,
                c.base_rate,
                c.brier,
                c.base_rate * (1.0 - c.base_rate),
                c.ece
            )
        };
        out.push_str(&format!(
            "{name}: fitted slope {:.3}, intercept {:.3}\n",
            part.fitted.slope, part.fitted.intercept
        ));
        out.push_str(&line("dev (fitted)", &part.dev));
        out.push_str(&line("test (fitted)", &part.test));
        out.push_str(&line("test (shipped)", &part.shipped_on_test));
        out.push_str(&format!(
            "  pub const {constant}: Calibration = Calibration {{ slope: {:.3}, intercept: {:.3} }};\n",
            part.fitted.slope, part.fitted.intercept
        ));
    }
    out
}
