//! Calibration of facet detection: how often a clause is read as naming the right facet, and
//! how often a clause that names none is read as naming one, for every pair of thresholds.
//!
//! Built from the data only, never from evaluation queries:
//! - *positives*: each phrasing of the facet table, left out of the detector in turn, must
//!   find its own facet (contexts among contexts; levels and the undecided intent among
//!   themselves);
//! - *negatives*: the table's neutral statements (left out in turn), every ROME fiche's
//!   label and every centre d'intérêt ("J'aime m'occuper des animaux") must find no
//!   condition, level or intent. A few fiche labels do name one ("Soigneur animalier" and
//!   "Travail avec des animaux"), so the false-alarm rate is an upper bound.

use anyhow::Result;

use super::embed_texts;
use crate::catalog::{FacetKind, Lang, Taxonomy};
use crate::search::facets::DetectParams;
use crate::search::Engine;

/// Thresholds tried.
pub fn grid() -> Vec<DetectParams> {
    let mut out = Vec::new();
    for min in [0.3f32, 0.35, 0.4, 0.45, 0.5, 0.55, 0.6, 0.65, 0.7, 0.75] {
        for margin in [0.0f32, 0.02, 0.05, 0.1] {
            out.push(DetectParams { min_cos: min, margin });
        }
    }
    out
}

/// Highest false-alarm rate a setting may have to be chosen.
pub const MAX_FALSE_ALARMS: f64 = 0.05;

/// One setting's rates.
#[derive(Debug, Clone, Copy)]
pub struct Rates {
    /// The thresholds.
    pub params: DetectParams,
    /// Share of phrasings that find their own facet.
    pub recall: f64,
    /// Share of phrasings that find a facet, right or wrong.
    pub detected: f64,
    /// Share of neutral texts that find a facet.
    pub false_alarms: f64,
}

/// Every setting's rates, and the one with the best recall within [`MAX_FALSE_ALARMS`].
#[derive(Debug, Clone)]
pub struct FacetCalibration {
    /// In [`grid`] order.
    pub rows: Vec<Rates>,
    /// The chosen setting.
    pub chosen: Rates,
    /// Positives and negatives counted.
    pub counts: (usize, usize),
}

/// Measures every setting of [`grid`].
pub fn calibrate(engine: &Engine) -> Result<FacetCalibration> {
    let detector = engine.facets();
    let table = detector.table();
    let catalogue = engine.index().catalogue();
    let mut neutral: Vec<String> = catalogue
        .occupations
        .iter()
        .filter(|o| o.id.taxonomy == Taxonomy::Rome)
        .filter_map(|o| o.label.get(Lang::Fr).map(str::to_string))
        .collect();
    neutral.extend(catalogue.interests.iter().map(|i| i.label.clone()));
    let texts: Vec<&str> = neutral.iter().map(String::as_str).collect();
    let neutral_vectors = embed_texts(engine, &texts)?;
    let kinds_of = |k: FacetKind| -> &'static [FacetKind] {
        match k {
            FacetKind::Context => &[FacetKind::Context],
            _ => &[FacetKind::Intent, FacetKind::Level],
        }
    };
    const ALL: [FacetKind; 3] = [FacetKind::Context, FacetKind::Intent, FacetKind::Level];
    let phrasings: Vec<(&[f32], crate::catalog::FacetIdx)> = detector.phrasings().collect();
    let mut rows = Vec::new();
    let (mut positives, mut negatives) = (0, 0);
    for params in grid() {
        let (mut hit, mut detected, mut pos, mut alarms, mut neg) = (0usize, 0usize, 0usize, 0usize, 0usize);
        for (r, &(v, owner)) in phrasings.iter().enumerate() {
            let kind = table.get(owner).kind;
            if kind == FacetKind::None {
                neg += 1;
                alarms += usize::from(!detector.found_with(v, &ALL, Some(r), params).is_empty());
                continue;
            }
            pos += 1;
            let found = detector.found_with(v, kinds_of(kind), Some(r), params);
            detected += usize::from(!found.is_empty());
            hit += usize::from(found.first().is_some_and(|f| f.0 == owner));
        }
        for v in &neutral_vectors {
            neg += 1;
            alarms += usize::from(!detector.found_with(v, &ALL, None, params).is_empty());
        }
        positives = pos;
        negatives = neg;
        rows.push(Rates {
            params,
            recall: hit as f64 / pos.max(1) as f64,
            detected: detected as f64 / pos.max(1) as f64,
            false_alarms: alarms as f64 / neg.max(1) as f64,
        });
    }
    let chosen = rows
        .iter()
        .filter(|r| r.false_alarms <= MAX_FALSE_ALARMS)
        .max_by(|a, b| a.recall.total_cmp(&b.recall))
        .or_else(|| rows.iter().min_by(|a, b| a.false_alarms.total_cmp(&b.false_alarms)))
        .copied()
        .ok_or_else(|| anyhow::anyhow!("no facet detection setting"))?;
    Ok(FacetCalibration { rows, chosen, counts: (positives, negatives) })
}

/// The calibration as Markdown.
pub fn format(c: &FacetCalibration) -> String {
    let mut out = format!(
        "\n### Facet detection: leave-one-out over the facet table ({} phrasings) and {} neutral texts\n\n\
         | min cosine | margin over neutral | right facet | any facet | false alarms |\n|---:|---:|---:|---:|---:|\n",
        c.counts.0, c.counts.1
    );
    for r in &c.rows {
        out.push_str(&format!(
            "| {:.3} | {:.3} | {:.3} | {:.3} | {:.3} |\n",
            r.params.min_cos, r.params.margin, r.recall, r.detected, r.false_alarms
        ));
    }
    out.push_str(&format!(
        "\nChosen (best recall with at most {:.0}% false alarms): min cosine {:.3}, margin {:.3} (in force: {:?}).\n",
        100.0 * MAX_FALSE_ALARMS,
        c.chosen.params.min_cos,
        c.chosen.params.margin,
        DetectParams::default()
    ));
    out
}
