//! The channels beyond titles, for [`Retrieval::Full`](super::Retrieval::Full): passages
//! (ROME définition sentences and ESCO descriptions, dense and lexical), centres d'intérêt,
//! lexicon hints, study-length fit, negated conditions and the young-audience prior.
//!
//! ROME-only signals (centres d'intérêt, lexicon hints, study level) reach ESCO occupations
//! through the ROME↔ESCO crosswalk: an ESCO occupation takes the best signal of its linked
//! fiches (exact/close links in full, broad/narrow at [`LOOSE_LINK`]).

use std::collections::HashMap;

use super::hybrid::{SignalSource, Signals};
use super::lexical::LexicalIndex;
use super::understand::{negation_texts, reveals, HintSource, Understander, Understood};
use crate::catalog::{Catalogue, EducationLevel, FormKind, MatchRelation, OccupationIdx, SurfaceForm, Taxonomy};
use crate::index::PassageVectors;

/// Weight of a broad or narrow crosswalk link when a ROME signal reaches ESCO.
pub const LOOSE_LINK: f32 = 0.7;
/// Weight of a non-principal centre d'intérêt link relative to the principal one.
pub const SECONDARY_INTEREST: f32 = 0.6;
/// Centres d'intérêt whose relevance is below this are ignored.
const MIN_INTEREST: f32 = 0.05;
/// Support of an occupation's second-best passage in its passage score.
const PASSAGE_SUPPORT: f32 = 0.05;
/// Lexical passages kept per query.
const LEXICAL_PASSAGES: usize = 2000;

/// Per-engine data of the channels, built once at load.
pub struct Channels {
    /// Query understanding (vocabulary, lexicons).
    pub understander: Understander,
    passage_forms: Vec<SurfaceForm>,
    passage_lexical: LexicalIndex,
    occupation_interests: Vec<Vec<(u32, bool)>>,
    young: Vec<bool>,
    negation_texts: Vec<(String, String)>,
    rome_codes: HashMap<String, OccupationIdx>,
}

impl Channels {
    /// Indexes `catalogue` for the channels.
    pub fn new(catalogue: &Catalogue, understander: Understander) -> Channels {
        // Passages as pseudo forms so that the title lexical index serves them too.
        let passage_forms: Vec<SurfaceForm> = catalogue
            .passages
            .iter()
            .map(|p| SurfaceForm { text: p.text.clone(), kind: FormKind::Alt, lang: p.lang, occupation: p.occupation })
            .collect();
        // Exact words only: the query was already spelling-corrected, and typo and prefix scans
        // over the ~60k words of the passages would cost more than the channel is worth.
        let config = super::LexicalConfig { typos: false, prefix: false, normalize: true };
        let passage_lexical = LexicalIndex::with_config(&passage_forms, |_| true, config);
        let mut occupation_interests = vec![Vec::new(); catalogue.occupations.len()];
        for (i, interest) in catalogue.interests.iter().enumerate() {
            for link in &interest.occupations {
                occupation_interests[link.occupation as usize].push((i as u32, link.principal));
            }
        }
        let rome_young: Vec<bool> = catalogue.occupations.iter().map(|o| !o.onisep.is_empty()).collect();
        let young = catalogue
            .occupations
            .iter()
            .enumerate()
            .map(|(i, o)| match o.id.taxonomy {
                Taxonomy::Rome => rome_young[i],
                Taxonomy::Esco => o.links.iter().any(|l| {
                    matches!(l.relation, MatchRelation::Exact | MatchRelation::Close) && rome_young[l.target as usize]
                }),
            })
            .collect();
        Channels {
            understander,
            passage_forms,
            passage_lexical,
            occupation_interests,
            young,
            negation_texts: negation_texts(catalogue),
            rome_codes: rome_codes(catalogue),
        }
    }

    /// Computes every signal of one query. `vector` is the embedding of `understood.positive`.
    pub fn signals<'a>(
        &'a self,
        catalogue: &'a Catalogue,
        passages: &'a PassageVectors,
        understood: &'a Understood,
        vector: &[f32],
    ) -> QuerySignals<'a> {
        let n = catalogue.occupations.len();
        // Passages: best cosine per occupation plus a little support from the second best.
        let mut best: Vec<(f32, u32, f32)> = vec![(f32::MIN, u32::MAX, f32::MIN); n];
        for (p, score) in passages.passage_scores(vector) {
            let o = catalogue.passages[p as usize].occupation as usize;
            let b = &mut best[o];
            if score > b.0 {
                b.2 = b.0;
                b.0 = score;
                b.1 = p;
            } else if score > b.2 {
                b.2 = score;
            }
        }
        let passage: Vec<Option<(f32, u32)>> = best
            .into_iter()
            .map(|(s, p, second)| (p != u32::MAX).then(|| (s + PASSAGE_SUPPORT * second.max(0.0), p)))
            .collect();

        let mut passage_lexical: HashMap<OccupationIdx, (f32, u32)> = HashMap::new();
        for hit in self.passage_lexical.search(&understood.lexical, LEXICAL_PASSAGES, &|_| true) {
            let o = self.passage_forms[hit.form as usize].occupation;
            let e = passage_lexical.entry(o).or_insert((0.0, hit.form));
            if hit.score > e.0 {
                *e = (hit.score, hit.form);
            }
        }

        // Centres d'intérêt: relevance in [0, 1], the best-matching interest at 1.
        let cos = passages.interest_scores(vector);
        let relevance = interest_relevance(&cos);
        let mut interest: Vec<Option<(f32, u32)>> = vec![None; n];
        for (o, links) in self.occupation_interests.iter().enumerate() {
            for &(i, principal) in links {
                let r = relevance[i as usize] * if principal { 1.0 } else { SECONDARY_INTEREST };
                if r >= MIN_INTEREST && interest[o].is_none_or(|(s, _)| r > s) {
                    interest[o] = Some((r, i));
                }
            }
        }
        propagate(catalogue, &mut interest);

        let mut colloquial: Vec<Option<(f32, u32)>> = vec![None; n];
        let mut school: Vec<Option<(f32, u32)>> = vec![None; n];
        for (h, hint) in understood.hints.iter().enumerate() {
            let Some(&o) = self.rome_codes.get(&hint.code) else { continue };
            let slot = match hint.source {
                HintSource::Colloquial => &mut colloquial[o as usize],
                HintSource::School => &mut school[o as usize],
            };
            if slot.is_none_or(|(w, _)| hint.weight > w) {
                *slot = Some((hint.weight, h as u32));
            }
        }
        propagate(catalogue, &mut colloquial);
        propagate(catalogue, &mut school);

        let level = if understood.short_studies {
            let mut level: Vec<Option<(f32, u32)>> =
                catalogue.occupations.iter().map(|o| o.entry_level.map(|l| (short_studies_fit(l), 0))).collect();
            propagate_signed(catalogue, &mut level);
            level.into_iter().map(|l| l.map_or(0.0, |(s, _)| s)).collect()
        } else {
            Vec::new()
        };
        QuerySignals { channels: self, understood, passage, passage_lexical, interest, colloquial, school, level }
    }
}

/// Occupations of `catalogue` indexed for lookups by ROME code (lexicon hints name fiches).
fn rome_codes(catalogue: &Catalogue) -> HashMap<String, OccupationIdx> {
    catalogue
        .occupations
        .iter()
        .enumerate()
        .filter(|(_, o)| o.id.taxonomy == Taxonomy::Rome)
        .map(|(i, o)| (o.id.code.clone(), i as OccupationIdx))
        .collect()
}

/// How well a fiche reached at `level` fits "short studies", in [-1, 1].
pub fn short_studies_fit(level: EducationLevel) -> f32 {
    match level {
        EducationLevel::None | EducationLevel::Cap => 1.0,
        EducationLevel::Bac => 0.7,
        EducationLevel::Bac2 => 0.1,
        EducationLevel::Bac3 => -0.4,
        EducationLevel::Bac5 | EducationLevel::Doctorate => -1.0,
    }
}

/// Relevance of each centre d'intérêt from its cosine to the query: how far above the mean of
/// all interests it stands, relative to the best one, squared so the best few dominate.
pub fn interest_relevance(cos: &[f32]) -> Vec<f32> {
    if cos.is_empty() {
        return Vec::new();
    }
    let mean = cos.iter().sum::<f32>() / cos.len() as f32;
    let max = cos.iter().copied().fold(f32::MIN, f32::max);
    cos.iter().map(|&c| if max > mean { ((c - mean) / (max - mean)).clamp(0.0, 1.0).powi(2) } else { 0.0 }).collect()
}

fn link_weight(relation: MatchRelation) -> f32 {
    match relation {
        MatchRelation::Exact | MatchRelation::Close => 1.0,
        MatchRelation::Broad | MatchRelation::Narrow => LOOSE_LINK,
    }
}

/// Gives each ESCO occupation the best ROME signal of its crosswalk links.
fn propagate(catalogue: &Catalogue, signal: &mut [Option<(f32, u32)>]) {
    for (o, occupation) in catalogue.occupations.iter().enumerate() {
        if occupation.id.taxonomy != Taxonomy::Esco {
            continue;
        }
        let best = occupation
            .links
            .iter()
            .filter_map(|l| signal[l.target as usize].map(|(s, e)| (s * link_weight(l.relation), e)))
            .max_by(|a, b| a.0.total_cmp(&b.0));
        if let Some(b) = best {
            if signal[o].is_none_or(|(s, _)| b.0 > s) {
                signal[o] = Some(b);
            }
        }
    }
}

/// [`propagate`] for a signal that may be negative: ESCO takes its exact/close links' best.
fn propagate_signed(catalogue: &Catalogue, signal: &mut [Option<(f32, u32)>]) {
    for (o, occupation) in catalogue.occupations.iter().enumerate() {
        if occupation.id.taxonomy != Taxonomy::Esco || signal[o].is_some() {
            continue;
        }
        signal[o] = occupation
            .links
            .iter()
            .filter(|l| matches!(l.relation, MatchRelation::Exact | MatchRelation::Close))
            .filter_map(|l| signal[l.target as usize])
            .max_by(|a, b| a.0.total_cmp(&b.0));
    }
}

/// The signals of one query.
pub struct QuerySignals<'a> {
    channels: &'a Channels,
    understood: &'a Understood,
    passage: Vec<Option<(f32, u32)>>,
    passage_lexical: HashMap<OccupationIdx, (f32, u32)>,
    interest: Vec<Option<(f32, u32)>>,
    colloquial: Vec<Option<(f32, u32)>>,
    school: Vec<Option<(f32, u32)>>,
    level: Vec<f32>,
}

impl SignalSource for QuerySignals<'_> {
    fn proposals(&self, keep: &dyn Fn(OccupationIdx) -> bool, limit: usize) -> Vec<OccupationIdx> {
        let top = |score: &dyn Fn(usize) -> Option<f32>, n: usize| -> Vec<OccupationIdx> {
            let mut v: Vec<(OccupationIdx, f32)> = (0..self.passage.len())
                .filter(|&o| keep(o as OccupationIdx))
                .filter_map(|o| Some((o as OccupationIdx, score(o)?)))
                .collect();
            v.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
            v.truncate(n);
            v.into_iter().map(|(o, _)| o).collect()
        };
        let passage = |o: usize| self.passage[o].map(|p| p.0);
        let mut out = top(&passage, limit);
        // Interest proposals: the interest's fiches, the closest by passages first.
        let interest = |o: usize| self.interest[o].map(|(s, _)| s + 0.5 * self.passage[o].map_or(0.0, |p| p.0));
        out.extend(top(&interest, limit));
        let lexical = |o: usize| self.passage_lexical.get(&(o as OccupationIdx)).map(|p| p.0);
        out.extend(top(&lexical, limit / 2));
        let hinted = |o: usize| self.colloquial[o].or(self.school[o]).map(|p| p.0);
        out.extend(top(&hinted, limit));
        out
    }

    fn signals(&self, o: OccupationIdx) -> Signals {
        let i = o as usize;
        Signals {
            passage: self.passage[i],
            passage_lexical: self.passage_lexical.get(&o).copied(),
            interest: self.interest[i],
            colloquial: self.colloquial[i],
            school: self.school[i],
            level: self.level.get(i).copied().unwrap_or(0.0),
            negated: self.understood.negated.iter().enumerate().find_map(|(k, c)| {
                let (title, other) = &self.channels.negation_texts[i];
                if reveals(title, c) {
                    Some((1.0, k as u32))
                } else {
                    reveals(other, c).then_some((super::hybrid::WEAK_NEGATION, k as u32))
                }
            }),
            young: self.channels.young[i],
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn interest_relevance_puts_the_best_at_one_and_the_average_at_zero() {
        let r = interest_relevance(&[0.80, 0.86, 0.90, 0.80]);
        assert_eq!(r[2], 1.0);
        assert_eq!(r[0], 0.0);
        // (0.86 − 0.84) / (0.90 − 0.84) = 1/3, squared.
        assert!((r[1] - 1.0 / 9.0).abs() < 1e-4, "{}", r[1]);
        assert!(interest_relevance(&[0.5, 0.5]).iter().all(|&x| x == 0.0));
    }

    #[test]
    fn short_studies_prefer_cap_over_master() {
        assert!(short_studies_fit(EducationLevel::Cap) > short_studies_fit(EducationLevel::Bac));
        assert!(short_studies_fit(EducationLevel::Bac2) > short_studies_fit(EducationLevel::Bac5));
        assert!(short_studies_fit(EducationLevel::Doctorate) < 0.0);
    }
}
