//! The channels beyond titles, for [`Retrieval::Full`](super::Retrieval::Full): passages
//! (ROME définition sentences and ESCO descriptions, dense and lexical), centres d'intérêt,
//! lexicon hints, study-length fit, negated conditions and the young-audience prior.
//!
//! ROME-only signals (centres d'intérêt, lexicon hints, study level) reach ESCO occupations
//! through the ROME↔ESCO crosswalk: an ESCO occupation takes the best signal of its linked
//! fiches (exact/close links in full, broad/narrow at [`LOOSE_LINK`]).

use std::collections::HashMap;

use super::facets::{level_fit, FacetDetector};
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
/// How much lower a description counts for the crosswalk twin of the occupation it describes
/// (cosine units: e5 cosines between related sentences differ by hundredths).
pub const CROSS_PASSAGE: f32 = 0.01;
/// Support of an occupation's second-best passage in its passage score.
const PASSAGE_SUPPORT: f32 = 0.05;
/// Lexical passages kept per query.
const LEXICAL_PASSAGES: usize = 2000;

/// Per-engine data of the channels, built once at load.
pub struct Channels {
    /// Query understanding (vocabulary, lexicons).
    pub understander: Understander,
    /// Facets found in queries by meaning, and those of every occupation.
    pub facets: FacetDetector,
    passage_forms: Vec<SurfaceForm>,
    passage_lexical: LexicalIndex,
    occupation_interests: Vec<Vec<(u32, bool)>>,
    young: Vec<bool>,
    negation_texts: Vec<(String, String)>,
    rome_codes: HashMap<String, OccupationIdx>,
    /// How broad each métier is (see [`Signals::breadth`]).
    breadth: Vec<f32>,
    /// How reachable each métier is without long studies (see [`Signals::access`]).
    access: Vec<f32>,
}

impl Channels {
    /// Indexes `catalogue` for the channels.
    pub fn new(catalogue: &Catalogue, understander: Understander, facets: FacetDetector) -> Channels {
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
            facets,
            passage_forms,
            passage_lexical,
            occupation_interests,
            young,
            negation_texts: negation_texts(catalogue),
            rome_codes: rome_codes(catalogue),
            breadth: breadth(catalogue),
            access: access(catalogue),
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
        let mut passage: Vec<Option<(f32, u32)>> = best
            .into_iter()
            .map(|(s, p, second)| (p != u32::MAX).then(|| (s + PASSAGE_SUPPORT * second.max(0.0), p)))
            .collect();
        share_across_crosswalk(catalogue, &mut passage);

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

        let max_level = understood.facets.max_level;
        let level = if understood.short_studies || max_level.is_some() {
            let fit = |l: EducationLevel| max_level.map_or_else(|| short_studies_fit(l), |m| level_fit(l, m));
            let mut level: Vec<Option<(f32, u32)>> =
                catalogue.occupations.iter().map(|o| o.entry_level.map(|l| (fit(l), 0))).collect();
            propagate_signed(catalogue, &mut level);
            level.into_iter().map(|l| l.map_or(0.0, |(s, _)| s)).collect()
        } else {
            Vec::new()
        };
        QuerySignals { channels: self, understood, passage, passage_lexical, interest, colloquial, school, level }
    }
}

/// How broad each métier is, in [0, 1]: the fiches that name it as a mobilité, on a log
/// scale relative to the most named one; an ESCO occupation takes its exact/close fiches' best.
fn breadth(catalogue: &Catalogue) -> Vec<f32> {
    let n = catalogue.occupations.len();
    let mut named = vec![0u32; n];
    for o in &catalogue.occupations {
        for k in o.kin.iter().filter(|k| k.kinship == crate::catalog::Kinship::Mobility) {
            named[k.target as usize] += 1;
        }
    }
    let max = named.iter().copied().max().unwrap_or(0).max(1) as f32;
    let mut out: Vec<Option<(f32, u32)>> =
        named.iter().map(|&c| (c > 0).then(|| ((1.0 + c as f32).ln() / (1.0 + max).ln(), 0))).collect();
    propagate(catalogue, &mut out);
    out.into_iter().map(|b| b.map_or(0.0, |(s, _)| s)).collect()
}

/// How reachable each métier is without long studies, in [-1, 1]: the ROME accès text's
/// lowest level ([`short_studies_fit`]); an ESCO occupation takes its exact/close fiches', or,
/// unlinked, the skill level ISCO-08 gives its major group (1: elementary … 4: tertiary).
fn access(catalogue: &Catalogue) -> Vec<f32> {
    let mut level: Vec<Option<(f32, u32)>> =
        catalogue.occupations.iter().map(|o| o.entry_level.map(|l| (short_studies_fit(l), 0))).collect();
    propagate_signed(catalogue, &mut level);
    catalogue
        .occupations
        .iter()
        .zip(level)
        .map(|(o, l)| match l {
            Some((s, _)) => s,
            None => match o.isco_group.as_deref().and_then(|g| g.chars().next()) {
                Some('9') => 1.0,
                Some('4'..='8') => 0.7,
                Some('0') => 0.5,
                Some('3') => 0.1,
                Some('1' | '2') => -0.5,
                _ => 0.0,
            },
        })
        .collect()
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

/// Lets each side of an exact or close crosswalk link use the other's description: an English
/// query reaches a ROME fiche through its ESCO twin's English sentence, a French one reaches an
/// ESCO occupation through the fiche's définition. A linked sentence counts a little less
/// ([`CROSS_PASSAGE`]) than the occupation's own.
fn share_across_crosswalk(catalogue: &Catalogue, signal: &mut [Option<(f32, u32)>]) {
    let own: Vec<Option<(f32, u32)>> = signal.to_vec();
    for (o, occupation) in catalogue.occupations.iter().enumerate() {
        for l in occupation.links.iter().filter(|l| matches!(l.relation, MatchRelation::Exact | MatchRelation::Close)) {
            if let Some((s, p)) = own[l.target as usize] {
                let shared = own[o].map_or(f32::MIN, |x| x.0).max(s - CROSS_PASSAGE);
                if signal[o].is_none_or(|(cur, _)| shared > cur) {
                    signal[o] = Some((shared, p));
                }
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

impl QuerySignals<'_> {
    /// Share of the wanted facets occupation `o` has (each weighted by how surely it was
    /// found), and the surest one it has.
    fn facet(&self, o: OccupationIdx) -> Option<(f32, u32)> {
        let wanted = &self.understood.facets.wanted;
        let has = self.channels.facets.of(o);
        let total: f32 = wanted.iter().map(|h| h.score).sum();
        let mut share = 0.0;
        let mut best: Option<(f32, u32)> = None;
        for (k, hit) in wanted.iter().enumerate() {
            if has.contains(&hit.facet) {
                share += hit.score;
                if best.is_none_or(|b| hit.score > b.0) {
                    best = Some((hit.score, k as u32));
                }
            }
        }
        best.map(|(_, k)| (share / total, k))
    }
}

impl QuerySignals<'_> {
    /// The first ruled-out facet occupation `o` has.
    fn avoided(&self, o: OccupationIdx) -> Option<(f32, u32)> {
        let has = self.channels.facets.of(o);
        self.understood.facets.avoided.iter().position(|hit| has.contains(&hit.facet)).map(|k| (1.0, k as u32))
    }

    /// What ranks a métier for a query that names no field: fit to its conditions and level,
    /// then young people's métiers and broad ones.
    fn broad(&self, o: usize) -> f32 {
        let facet = self.facet(o as OccupationIdx).map_or(0.0, |f| f.0);
        let avoided = self.avoided(o as OccupationIdx).map_or(0.0, |a| a.0);
        let level = self.level.get(o).copied().unwrap_or(0.0);
        facet - avoided + level + 0.5 * f32::from(u8::from(self.channels.young[o])) + 0.5 * self.channels.breadth[o]
    }
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
        if self.understood.facets.topicless {
            let broad = |o: usize| Some(self.broad(o));
            return top(&broad, limit * 2);
        }
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
            facet: self.facet(o),
            avoided: self.avoided(o),
            topicless: self.understood.facets.topicless,
            breadth: self.channels.breadth[i],
            access: self.channels.access[i],
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
