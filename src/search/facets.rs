//! Facets in a query, found by meaning: each clause of the query is embedded and compared with
//! the phrasings of every facet of [`FacetTable`] (hours, conditions, publics, structures,
//! status, entry level, the "undecided" intent) and with neutral statements (`none` rows), so
//! a clause about animals or drawing finds no facet. A negated clause ("pas le week-end",
//! "can't stand blood") is embedded without its negation words and rules its facet out.
//!
//! The thresholds ([`DetectParams`]) were set on the development part of the blind sets only.

use std::collections::HashMap;
use std::sync::Arc;

use serde::Serialize;
use utoipa::ToSchema;

use super::understand::Clause;
use crate::catalog::{Catalogue, EducationLevel, FacetIdx, FacetKind, FacetSet, FacetTable, LangText, OccupationIdx};
use crate::embed::{EmbedError, Embedder, TextRole};
use crate::vector::dot;

/// When a clause is read as naming a facet.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct DetectParams {
    /// Lowest cosine between the clause and the facet's closest phrasing.
    pub min_cos: f32,
    /// How much closer the facet must be than the closest neutral statement.
    pub margin: f32,
}

impl Default for DetectParams {
    /// The facet-detection calibration of `boussole eval` allows 5% false alarms from 0.5 on
    /// (leave-one-out over the table, neutral texts); `--blind-only --tune` chose 0.55 on the
    /// development lines.
    fn default() -> Self {
        DetectParams { min_cos: 0.55, margin: 0.05 }
    }
}

impl DetectParams {
    fn bits(self) -> u64 {
        u64::from(self.min_cos.to_bits()) << 32 | u64::from(self.margin.to_bits())
    }

    fn from_bits(b: u64) -> DetectParams {
        DetectParams { min_cos: f32::from_bits((b >> 32) as u32), margin: f32::from_bits(b as u32) }
    }
}

/// A facet found in one clause.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct FacetHit {
    /// The facet.
    pub facet: FacetIdx,
    /// Cosine of the clause to the facet's closest phrasing.
    pub score: f32,
    /// The clause it was found in.
    pub clause: String,
}

/// What a query asks of a métier beyond its topic.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct QueryFacets {
    /// Facets the person wants (outdoors, with children, civil servant).
    pub wanted: Vec<FacetHit>,
    /// Facets the person rules out (weekends, nights).
    pub avoided: Vec<FacetHit>,
    /// The highest entry level the person has or accepts.
    pub max_level: Option<EducationLevel>,
    /// The person says they don't know what to do.
    pub undecided: bool,
    /// Clauses that say the person is undecided: they carry no topic.
    pub undecided_clauses: Vec<usize>,
    /// The query names no field at all, only conditions, a level or indecision ("je veux pas
    /// bosser le week-end", "no idea what to do"): broad ideas that fit them are ranked, not
    /// whatever matches the words.
    pub topicless: bool,
}

impl QueryFacets {
    /// Whether anything was found.
    pub fn is_empty(&self) -> bool {
        self.wanted.is_empty() && self.avoided.is_empty() && self.max_level.is_none() && !self.undecided
    }
}

/// What the engine understood of a query beyond its topic.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = QueryIntent)]
pub struct QueryIntent {
    /// Facets the query asks for (ids of `GET /v1/facets`), surest first.
    pub wanted: Vec<String>,
    /// Facets the query rules out ("pas le week-end").
    pub avoided: Vec<String>,
    /// The highest entry level the query gives or accepts ("sans diplôme", "j'ai un CAP",
    /// "pas de longues études").
    pub max_level: Option<EducationLevel>,
    /// The person says they don't know what to do: the page offers the questionnaire and
    /// broad ideas.
    pub undecided: bool,
}

/// A facet of `GET /v1/facets`.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = FacetItem)]
pub struct FacetInfo {
    /// Id to use in `require` and `exclude` (`ctx-300803`, `level-cap`).
    #[schema(example = "ctx-300783")]
    pub id: String,
    /// `context` (a ROME contexte de travail) or `level` (an entry level).
    pub kind: FacetKind,
    /// Short label in French and English.
    pub label: LangText,
    /// Whether the page offers it as a refinement chip.
    pub chip: bool,
    /// Occupations of the index that carry it.
    pub occupations: usize,
}

/// Embedded phrasings of every detectable facet.
pub struct FacetDetector {
    table: &'static FacetTable,
    /// Mean of the phrasings' vectors, taken off every vector compared.
    mean: Vec<f32>,
    /// Unit vectors of the phrasings, centred, one after the other.
    vectors: Vec<f32>,
    /// The same as embedded (calibration feeds them back as queries).
    raw: Vec<f32>,
    /// The facet of each phrasing.
    owner: Vec<FacetIdx>,
    dim: usize,
    /// [`DetectParams`] as two `f32` bit patterns: the evaluation tries others on a shared
    /// engine.
    params: std::sync::atomic::AtomicU64,
    /// The facets of each occupation (contexts and entry level; ESCO through the crosswalk).
    occupation_facets: Vec<Vec<FacetIdx>>,
}

impl FacetDetector {
    /// Embeds the phrasings of `table`'s detectable rows with `embedder`.
    pub fn new(table: &'static FacetTable, catalogue: &Catalogue, embedder: &dyn Embedder) -> Result<Self, EmbedError> {
        let mut texts: Vec<&str> = Vec::new();
        let mut owner = Vec::new();
        for (i, f) in table.facets.iter().enumerate() {
            if f.detect {
                for p in &f.phrases {
                    texts.push(p);
                    owner.push(i as FacetIdx);
                }
            }
        }
        let dim = embedder.dimension();
        let mut vectors = Vec::with_capacity(texts.len() * dim);
        for chunk in texts.chunks(64) {
            for v in embedder.embed(chunk, TextRole::Query)? {
                vectors.extend(v);
            }
        }
        // e5 puts every short French or English sentence in one narrow cone (cosines 0.8–0.95):
        // measured from the phrasings' mean, differences of meaning stand out.
        let mut mean = vec![0.0f32; dim];
        for row in vectors.chunks_exact(dim) {
            mean.iter_mut().zip(row).for_each(|(m, x)| *m += x / owner.len().max(1) as f32);
        }
        let raw = vectors.clone();
        for row in vectors.chunks_exact_mut(dim) {
            center(row, &mean);
        }
        Ok(FacetDetector {
            table,
            mean,
            raw,
            vectors,
            owner,
            dim: embedder.dimension(),
            params: std::sync::atomic::AtomicU64::new(DetectParams::default().bits()),
            occupation_facets: table.of_occupations(catalogue),
        })
    }

    /// The facet table.
    pub fn table(&self) -> &'static FacetTable {
        self.table
    }

    /// The facets of occupation `o`.
    pub fn of(&self, o: OccupationIdx) -> &[FacetIdx] {
        self.occupation_facets.get(o as usize).map_or(&[], Vec::as_slice)
    }

    /// Replaces the detection thresholds (evaluation).
    pub fn set_params(&self, params: DetectParams) {
        self.params.store(params.bits(), std::sync::atomic::Ordering::Relaxed);
    }

    /// The detection thresholds in force.
    pub fn params(&self) -> DetectParams {
        DetectParams::from_bits(self.params.load(std::sync::atomic::Ordering::Relaxed))
    }

    /// Each facet's best cosine to `v`, best first, leaving phrasing `skip` out (calibration
    /// by leave-one-out).
    fn scores(&self, v: &[f32], skip: Option<usize>) -> Vec<(FacetIdx, f32)> {
        let mut v = v.to_vec();
        center(&mut v, &self.mean);
        let v = v.as_slice();
        let mut best: HashMap<FacetIdx, f32> = HashMap::new();
        for (r, (row, &f)) in self.vectors.chunks_exact(self.dim).zip(&self.owner).enumerate() {
            if Some(r) == skip {
                continue;
            }
            let s = dot(row, v);
            let e = best.entry(f).or_insert(f32::MIN);
            *e = e.max(s);
        }
        let mut out: Vec<(FacetIdx, f32)> = best.into_iter().collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out
    }

    /// The facets of `kinds` that a clause vector names, by the thresholds: at most two, the
    /// second only when nearly as close as the first ("le samedi et le dimanche"). A facet
    /// must beat every neutral statement (`none` rows) by the margin.
    pub fn found(&self, v: &[f32], kinds: &[FacetKind], skip: Option<usize>) -> Vec<(FacetIdx, f32)> {
        self.found_with(v, kinds, skip, self.params())
    }

    /// [`FacetDetector::found`] under other thresholds (calibration).
    pub fn found_with(
        &self,
        v: &[f32],
        kinds: &[FacetKind],
        skip: Option<usize>,
        params: DetectParams,
    ) -> Vec<(FacetIdx, f32)> {
        let scores = self.scores(v, skip);
        let none = scores.iter().find(|(f, _)| self.table.get(*f).kind == FacetKind::None).map_or(f32::MIN, |s| s.1);
        let mut out: Vec<(FacetIdx, f32)> = Vec::new();
        for &(f, s) in scores.iter().filter(|(f, _)| kinds.contains(&self.table.get(*f).kind)) {
            if s < params.min_cos || s - none < params.margin {
                break;
            }
            if out.first().is_some_and(|first| first.1 - s > SECOND_FACET) || out.len() == 2 {
                break;
            }
            out.push((f, s));
        }
        out
    }

    /// The phrasings' vectors, as embedded, and their facets (calibration).
    pub fn phrasings(&self) -> impl Iterator<Item = (&[f32], FacetIdx)> {
        self.raw.chunks_exact(self.dim).zip(self.owner.iter().copied())
    }

    /// Reads the facets of a query's clauses: `texts[i]` embeds clause `i` as written (for
    /// the person's level and intent, which negation words are part of: "j'ai pas de
    /// diplôme", "aucune idée"), `topics[i]` its topic (for the conditions it wants or rules
    /// out).
    pub fn detect(&self, clauses: &[Clause], texts: &[Arc<[f32]>], topics: &[Arc<[f32]>]) -> QueryFacets {
        let mut q = QueryFacets::default();
        for (i, ((clause, text), topic)) in clauses.iter().zip(texts).zip(topics).enumerate() {
            let undecided = self.found(text, &[FacetKind::Intent], None);
            if undecided.iter().any(|&(f, _)| self.table.get(f).id == "undecided") {
                q.undecided = true;
                q.undecided_clauses.push(i);
            }
            // "Je sais pas quoi faire après le bac" still says the person's level.
            for (f, _) in self.found(text, &[FacetKind::Level], None) {
                let Some(level) = self.table.get(f).level else { continue };
                // "pas de longues études" caps the level; "j'ai un CAP" states it.
                let long = level >= EducationLevel::Bac3;
                let cap = match (clause.negated, long) {
                    (true, true) => Some(EducationLevel::Bac2),
                    (false, false) => Some(level),
                    _ => None,
                };
                if let Some(cap) = cap {
                    q.max_level = Some(q.max_level.map_or(cap, |m| m.max(cap)));
                }
            }
            if q.undecided_clauses.last() == Some(&i) {
                continue;
            }
            for (f, score) in self.found(topic, &[FacetKind::Context], None) {
                let hit = FacetHit { facet: f, score, clause: clause.text.clone() };
                if clause.negated {
                    q.avoided.push(hit);
                } else {
                    q.wanted.push(hit);
                }
            }
        }
        q
    }
}

/// Takes `mean` off `v` and scales it back to unit length.
fn center(v: &mut [f32], mean: &[f32]) {
    v.iter_mut().zip(mean).for_each(|(x, m)| *x -= m);
    let norm = dot(v, v).sqrt();
    if norm > 0.0 {
        v.iter_mut().for_each(|x| *x /= norm);
    }
}

/// How much closer than a second facet the first may be for both to count.
const SECOND_FACET: f32 = 0.01;

/// Reads facet ids (`GET /v1/facets`) into a filter; an unknown id is an error naming its
/// field. Only contexts and entry levels filter.
pub fn read_filter(
    require: &[String],
    exclude: &[String],
    max_level: Option<EducationLevel>,
) -> Result<super::FacetFilter, super::SearchError> {
    let table = FacetTable::builtin();
    let read = |field: &'static str, ids: &[String]| -> Result<FacetSet, super::SearchError> {
        // A blank id means nothing, as a blank field means the default.
        ids.iter()
            .filter(|id| !id.trim().is_empty())
            .map(|id| {
                table
                    .find(id.trim())
                    .filter(|&f| matches!(table.get(f).kind, FacetKind::Context | FacetKind::Level))
                    .ok_or_else(|| super::SearchError::UnknownFacet { field, id: id.clone() })
            })
            .collect()
    };
    Ok(super::FacetFilter { require: read("require", require)?, exclude: read("exclude", exclude)?, max_level })
}

/// How well an occupation reached at `level` suits someone capped at `max`, in [-1, 1]: full
/// below the cap, a little one step above it (a BTS after a bac), against it further up.
pub fn level_fit(level: EducationLevel, max: EducationLevel) -> f32 {
    let step = |l: EducationLevel| EducationLevel::ALL.iter().position(|&x| x == l).unwrap_or(0) as i32;
    match step(level) - step(max.max(EducationLevel::Cap)) {
        i32::MIN..=0 => 1.0,
        1 => 0.3,
        2 => -0.4,
        _ => -1.0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn level_fit_prefers_what_is_reachable() {
        use EducationLevel as L;
        assert_eq!(level_fit(L::Cap, L::Cap), 1.0);
        assert_eq!(level_fit(L::None, L::Cap), 1.0);
        assert!(level_fit(L::Bac, L::Cap) > level_fit(L::Bac2, L::Cap));
        assert!(level_fit(L::Bac5, L::Cap) < 0.0);
        assert_eq!(level_fit(L::Bac2, L::Bac2), 1.0);
        // Having no diploma still opens CAP-level training.
        assert_eq!(level_fit(L::Cap, L::None), 1.0);
    }
}
