//! Hybrid retrieval: lexical and dense candidates gathered per occupation, then fused.
//!
//! Both channels score surface forms; an occupation's channel score is its best form plus a
//! little support from its second-best distinct form (`support`), so an occupation named by
//! several close labels edges out one matched by a single stray label, and every occupation
//! appears once. Every candidate gets both scores: a dense-only candidate's lexical score is 0
//! (lexical search is exhaustive over matching words) and a lexical-only candidate's dense score
//! is computed exactly from its own vectors.
//!
//! Fusion (see [`Fusion`]): a convex combination `alpha·dense' + (1 − alpha)·lexical` where
//! `dense'` is the dense score min-max normalised over the candidate set (e5 cosines cluster in
//! 0.80–0.95, so raw cosines would drown the lexical signal) and the lexical score is already in
//! [0, 1]; or reciprocal rank fusion. The defaults ([`HybridParams::default`]) were chosen by
//! `boussole eval` on the development part of the held-out split (see datasets/eval/RESULTS.md).

use std::collections::HashMap;

use rayon::prelude::*;

use super::lexical::LexicalIndex;
use super::params::FORMS_PER_CHANNEL;
use crate::catalog::{OccupationIdx, SurfaceForm};

/// Which channels rank occupations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Retrieval {
    /// Lexical index of the titles only.
    Lexical,
    /// Dense (embedding) index of the titles only.
    Dense,
    /// Both title channels, fused (the ranking before query understanding).
    Hybrid,
    /// Titles plus every other channel: passages, centres d'intérêt, lexicon hints, negations
    /// and study-length constraints, young-audience prior (see [`ChannelWeights`]).
    Full,
}

impl Retrieval {
    /// Name used in tables.
    pub fn as_str(self) -> &'static str {
        match self {
            Retrieval::Lexical => "lexical",
            Retrieval::Dense => "dense",
            Retrieval::Hybrid => "hybrid",
            Retrieval::Full => "full",
        }
    }

    /// Whether the title lexical channel runs.
    fn lexical(self) -> bool {
        self != Retrieval::Dense
    }

    /// Whether the title dense channel runs.
    fn dense(self) -> bool {
        self != Retrieval::Lexical
    }
}

/// Weights of the channels beyond titles in [`Retrieval::Full`]; every signal lies in [0, 1]
/// (the passage cosine min-max normalised over the candidates like the title cosine), so a
/// weight reads as "how much a perfect signal adds to a perfect title match (1.0)".
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ChannelWeights {
    /// Fused title score.
    pub title: f32,
    /// Best passage cosine (ROME définition sentences, ESCO descriptions), min-max normalised.
    pub passage: f32,
    /// Best lexical passage score (définition, accès, description words).
    pub passage_lexical: f32,
    /// Centre d'intérêt match × link strength.
    pub interest: f32,
    /// Fiche named by the slang lexicon.
    pub colloquial: f32,
    /// Fiche named by the school lexicon.
    pub school: f32,
    /// Fit to a short-studies request, in [-1, 1].
    pub level: f32,
    /// Penalty when the occupation shows a ruled-out condition.
    pub negation: f32,
    /// Prior for occupations young people are shown (a ROME fiche with an ONISEP métier page).
    pub young: f32,
    /// Share of the facets the query wants (outdoors, with children) that the occupation has.
    pub facet: f32,
    /// Penalty when the occupation has a facet the query rules out (weekends, nights).
    pub avoid: f32,
    /// Prior for métiers reachable without long studies (see [`Signals::access`]).
    pub access: f32,
    /// How much a title-like query (see [`Bounds::titleness`]) mutes the channels other than
    /// titles, negation and study level: 0 never, 1 fully for an exact title.
    pub gate: f32,
    /// Best title cosine at which a query starts to read as a title.
    pub gate_lo: f32,
    /// Best title cosine from which a query reads fully as a title.
    pub gate_hi: f32,
}

impl Default for ChannelWeights {
    /// Tuned with `boussole eval` on the development part of the young-people split, under the
    /// constraint that the held-out development MRR does not drop (datasets/eval/RESULTS.md).
    fn default() -> Self {
        ChannelWeights {
            title: 1.0,
            passage: 0.5,
            passage_lexical: 0.05,
            interest: 0.15,
            colloquial: 0.2,
            school: 0.8,
            level: 0.2,
            negation: 0.3,
            young: 0.1,
            facet: 0.1,
            avoid: 0.1,
            access: 0.05,
            gate: 0.5,
            gate_lo: 0.92,
            gate_hi: 0.96,
        }
    }
}

/// How the two channel scores are fused.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Fusion {
    /// `alpha · minmax(dense) + (1 − alpha) · lexical`.
    Convex {
        /// Weight of the dense channel.
        alpha: f32,
    },
    /// `alpha · clamp((dense − floor) / (1 − floor)) + (1 − alpha) · lexical`: a fixed
    /// rescaling of the cosine instead of the per-query min-max.
    ConvexFixed {
        /// Weight of the dense channel.
        alpha: f32,
        /// Cosine mapped to 0.
        floor: f32,
    },
    /// Reciprocal rank fusion `Σ 1 / (k + rank)`, rescaled to [0, 1].
    Rrf {
        /// RRF constant.
        k: f32,
    },
}

/// Parameters of hybrid ranking.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct HybridParams {
    /// Fusion of the two channels.
    pub fusion: Fusion,
    /// Weight of an occupation's second-best distinct form in its channel score.
    pub support: f32,
    /// Dense forms (graph rows) fetched per query.
    pub dense_forms: usize,
    /// Lexical forms kept per query.
    pub lexical_forms: usize,
    /// Occupations kept per channel before fusion.
    pub per_channel: usize,
    /// Channel weights of [`Retrieval::Full`].
    pub weights: ChannelWeights,
}

impl Default for HybridParams {
    /// Tuned with `boussole eval` (development part of the held-out split).
    fn default() -> Self {
        HybridParams {
            fusion: Fusion::Convex { alpha: 0.5 },
            support: 0.05,
            dense_forms: 256,
            lexical_forms: 2000,
            per_channel: 100,
            weights: ChannelWeights::default(),
        }
    }
}

/// Dense retrieval over some set of vectors: the engine's HNSW index, or exact search over
/// part of it in the evaluation.
pub trait DenseSource: Sync {
    /// Nearest forms to a unit query vector (`keep` filters forms), best first, each with the
    /// cosine of its text; at most `k` distinct texts.
    fn nearest_forms(&self, query: &[f32], k: usize, keep: &dyn Fn(u32) -> bool) -> Vec<(u32, f32)>;
    /// Cosines of an occupation's own kept forms to the query.
    fn occupation_forms(&self, query: &[f32], occupation: OccupationIdx) -> Vec<(u32, f32)>;
}

/// One occupation with both channel scores and its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The occupation.
    pub occupation: OccupationIdx,
    /// Lexical channel score in [0, 1] (0 when no word matched).
    pub lexical: f32,
    /// Dense channel score (cosine-based).
    pub dense: f32,
    /// 1-based rank in the lexical channel.
    pub lexical_rank: Option<usize>,
    /// 1-based rank in the dense channel.
    pub dense_rank: Option<usize>,
    /// Matching forms: (form, score, from the lexical channel), best first per channel.
    pub forms: Vec<(u32, f32, bool)>,
    /// Signals of the other channels ([`Retrieval::Full`] only).
    pub signals: Signals,
}

/// What the channels beyond titles say about one occupation, with the evidence behind each.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Signals {
    /// Best passage cosine and that passage.
    pub passage: Option<(f32, u32)>,
    /// Best lexical passage score and that passage.
    pub passage_lexical: Option<(f32, u32)>,
    /// Centre d'intérêt score and that interest.
    pub interest: Option<(f32, u32)>,
    /// Slang-lexicon hint weight and the hint's position in the query's hints.
    pub colloquial: Option<(f32, u32)>,
    /// School-lexicon hint weight and the hint's position.
    pub school: Option<(f32, u32)>,
    /// Fit to the study length asked for, in [-1, 1] (0 when not asked).
    pub level: f32,
    /// How plainly the occupation shows a ruled-out concept (1 in its title, [`WEAK_NEGATION`]
    /// in its contexts or définition only) and that concept's index.
    pub negated: Option<(f32, u32)>,
    /// Whether the occupation is one young people are shown (ONISEP).
    pub young: bool,
    /// Share of the wanted facets the occupation has, and the best one it has (its position in
    /// the query's wanted facets).
    pub facet: Option<(f32, u32)>,
    /// A ruled-out facet the occupation has (1.0 and its position in the query's avoided
    /// facets).
    pub avoided: Option<(f32, u32)>,
    /// The query names no field (only conditions, a level or indecision): the topical
    /// channels are muted and broad métiers rise.
    pub topicless: bool,
    /// How broad a métier is, in [0, 1]: how many fiches name it as a mobilité (a door to
    /// others); it only counts for a query without a field.
    pub breadth: f32,
    /// How reachable the métier is without long studies, in [-1, 1] (young people's sets
    /// prefer realistic entry routes).
    pub access: f32,
}

/// Source of the non-title signals of [`Retrieval::Full`] for one query.
pub trait SignalSource {
    /// Occupations the other channels put forward (they join the candidates), best first.
    fn proposals(&self, keep_occupation: &dyn Fn(OccupationIdx) -> bool, limit: usize) -> Vec<OccupationIdx>;
    /// Every signal for one occupation.
    fn signals(&self, occupation: OccupationIdx) -> Signals;
}

/// One query as the channels see it.
pub struct QueryInput<'a> {
    /// Text for the lexical title channel.
    pub text: &'a str,
    /// Unit query vector (absent for lexical retrieval).
    pub vector: Option<&'a [f32]>,
    /// Channels to run.
    pub retrieval: Retrieval,
    /// Forms that may match (taxonomy filter, held-out forms).
    pub keep: &'a (dyn Fn(u32) -> bool + Sync),
    /// Occupations that may be proposed by the other channels.
    pub keep_occupation: &'a dyn Fn(OccupationIdx) -> bool,
    /// Signals of the other channels (required by [`Retrieval::Full`]).
    pub signals: Option<&'a dyn SignalSource>,
}

/// Best plus `support` × second best distinct-text score.
fn channel_score(forms: &[SurfaceForm], scored: &mut [(u32, f32)], support: f32) -> f32 {
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
    let Some(&(best_form, best)) = scored.first() else { return 0.0 };
    let second =
        scored.iter().find(|(f, _)| forms[*f as usize].text != forms[best_form as usize].text).map_or(0.0, |s| s.1);
    best + support * second
}

/// Gathers candidates from the channels that `query.retrieval` uses.
pub fn gather(
    forms: &[SurfaceForm],
    lexical: &LexicalIndex,
    dense: &dyn DenseSource,
    query: &QueryInput<'_>,
    params: &HybridParams,
) -> Vec<Candidate> {
    let (retrieval, vector, keep) = (query.retrieval, query.vector, query.keep);
    // The two title channels are independent: on an idle pool they run side by side.
    let (mut lex_by_occ, mut dense_by_occ) = rayon::join(
        || {
            let mut by_occ: HashMap<OccupationIdx, Vec<(u32, f32)>> = HashMap::new();
            if retrieval.lexical() {
                for hit in lexical.search(query.text, params.lexical_forms, keep) {
                    by_occ.entry(forms[hit.form as usize].occupation).or_default().push((hit.form, hit.score));
                }
            }
            by_occ
        },
        || {
            let mut by_occ: HashMap<OccupationIdx, Vec<(u32, f32)>> = HashMap::new();
            if let (Some(v), true) = (vector, retrieval.dense()) {
                for (f, s) in dense.nearest_forms(v, params.dense_forms, keep) {
                    by_occ.entry(forms[f as usize].occupation).or_default().push((f, s));
                }
            }
            by_occ
        },
    );
    let rank = |by: &mut HashMap<OccupationIdx, Vec<(u32, f32)>>| -> Vec<(OccupationIdx, f32)> {
        let mut out: Vec<(OccupationIdx, f32)> =
            by.iter_mut().map(|(&o, scored)| (o, channel_score(forms, scored, params.support))).collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.truncate(params.per_channel);
        out
    };
    let lex_ranked = rank(&mut lex_by_occ);
    let dense_ranked = rank(&mut dense_by_occ);

    let mut out: Vec<Candidate> = Vec::new();
    let mut position: HashMap<OccupationIdx, usize> = HashMap::new();
    let empty = |o: OccupationIdx| Candidate {
        occupation: o,
        lexical: 0.0,
        dense: 0.0,
        lexical_rank: None,
        dense_rank: None,
        forms: Vec::new(),
        signals: Signals::default(),
    };
    for (i, &(o, s)) in lex_ranked.iter().enumerate() {
        position.insert(o, out.len());
        let forms_of = lex_by_occ[&o].iter().take(FORMS_PER_CHANNEL).map(|&(f, s)| (f, s, true)).collect();
        out.push(Candidate { lexical: s, lexical_rank: Some(i + 1), forms: forms_of, ..empty(o) });
    }
    for (i, &(o, s)) in dense_ranked.iter().enumerate() {
        let dense_forms: Vec<(u32, f32, bool)> =
            dense_by_occ[&o].iter().take(FORMS_PER_CHANNEL).map(|&(f, s)| (f, s, false)).collect();
        match position.get(&o) {
            Some(&p) => {
                out[p].dense = s;
                out[p].dense_rank = Some(i + 1);
                out[p].forms.extend(dense_forms);
            }
            None => {
                position.insert(o, out.len());
                out.push(Candidate { dense: s, dense_rank: Some(i + 1), forms: dense_forms, ..empty(o) });
            }
        }
    }
    if let (Retrieval::Full, Some(signals)) = (retrieval, query.signals) {
        for o in signals.proposals(query.keep_occupation, params.per_channel) {
            position.entry(o).or_insert_with(|| {
                out.push(empty(o));
                out.len() - 1
            });
        }
        for c in out.iter_mut() {
            c.signals = signals.signals(c.occupation);
        }
    }
    // Candidates the dense title channel did not reach get their exact dense score.
    if let (Some(v), Retrieval::Hybrid | Retrieval::Full) = (vector, retrieval) {
        out.par_iter_mut().filter(|c| c.dense_rank.is_none()).for_each(|c| {
            let mut scored: Vec<(u32, f32)> =
                dense.occupation_forms(v, c.occupation).into_iter().filter(|(f, _)| keep(*f)).collect();
            c.dense = channel_score(forms, &mut scored, params.support);
        });
    }
    out
}

/// Orders candidates by the fused score of `retrieval`; returns (candidate index, score).
pub fn fuse(candidates: &[Candidate], retrieval: Retrieval, params: &HybridParams) -> Vec<(usize, f32)> {
    let mut scored: Vec<(usize, f32)> = match retrieval {
        Retrieval::Lexical => candidates
            .iter()
            .enumerate()
            .filter(|(_, c)| c.lexical_rank.is_some())
            .map(|(i, c)| (i, c.lexical))
            .collect(),
        Retrieval::Dense => {
            candidates.iter().enumerate().filter(|(_, c)| c.dense_rank.is_some()).map(|(i, c)| (i, c.dense)).collect()
        }
        Retrieval::Hybrid => title_scores(candidates, params.fusion).into_iter().enumerate().collect(),
        Retrieval::Full => {
            let title = title_scores(candidates, params.fusion);
            let bounds = Bounds::of(candidates, &params.weights);
            candidates
                .iter()
                .zip(title)
                .enumerate()
                .map(|(i, (c, t))| (i, full_score(&params.weights, t, &c.signals, &bounds)))
                .collect()
        }
    };
    scored.sort_by(|a, b| b.1.total_cmp(&a.1).then(candidates[a.0].occupation.cmp(&candidates[b.0].occupation)));
    scored
}

/// The fused title score of every candidate, in candidate order.
fn title_scores(candidates: &[Candidate], fusion: Fusion) -> Vec<f32> {
    match fusion {
        Fusion::Convex { alpha } => {
            // Bounds from the title channels' own candidates: occupations proposed by the other
            // channels must not stretch the title scale.
            let (lo, hi) = candidates
                .iter()
                .filter(|c| c.lexical_rank.is_some() || c.dense_rank.is_some())
                .fold((f32::MAX, f32::MIN), |(lo, hi), c| (lo.min(c.dense), hi.max(c.dense)));
            candidates.iter().map(|c| convex(alpha, c.lexical, c.dense, lo, hi)).collect()
        }
        Fusion::ConvexFixed { alpha, floor } => {
            candidates.iter().map(|c| convex(alpha, c.lexical, c.dense, floor, 1.0)).collect()
        }
        Fusion::Rrf { k } => candidates
            .iter()
            .map(|c| {
                let r = |rank: Option<usize>| rank.map_or(0.0, |r| 1.0 / (k + r as f32));
                (r(c.lexical_rank) + r(c.dense_rank)) * (k + 1.0) / 2.0
            })
            .collect(),
    }
}

/// Strength of a negation revealed by an occupation's contexts or définition rather than by its
/// title: "pas vétérinaire" rules the vet out; "pas de nuit" only weighs against night work.
pub const WEAK_NEGATION: f32 = 0.3;

/// Per-query normalisation of [`Retrieval::Full`] scores, from the whole candidate set.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Bounds {
    /// Lowest and highest passage cosine among the candidates (min-max normalisation).
    pub passage: (f32, f32),
    /// How much the query reads as a job title, in [0, 1]: its best title cosine between
    /// `gate_lo` and `gate_hi`. Titles ("boulanger") reach 0.93–0.98, sentences and interests
    /// stay near 0.85–0.88.
    pub titleness: f32,
}

impl Bounds {
    /// The bounds of `candidates` under weights `w`.
    pub fn of(candidates: &[Candidate], w: &ChannelWeights) -> Bounds {
        let passage = candidates
            .iter()
            .filter_map(|c| c.signals.passage.map(|p| p.0))
            .fold((f32::MAX, f32::MIN), |(lo, hi), s| (lo.min(s), hi.max(s)));
        let best = candidates.iter().map(|c| c.dense).fold(f32::MIN, f32::max);
        let titleness =
            if w.gate_hi > w.gate_lo { ((best - w.gate_lo) / (w.gate_hi - w.gate_lo)).clamp(0.0, 1.0) } else { 0.0 };
        Bounds { passage, titleness }
    }
}

/// The weighted contributions of every channel to a [`Retrieval::Full`] score, in the order of
/// [`Contribution`].
pub fn contributions(w: &ChannelWeights, title: f32, s: &Signals, b: &Bounds) -> [f32; 11] {
    let (lo, hi) = b.passage;
    let passage = s.passage.map_or(0.0, |(p, _)| if hi > lo { ((p - lo) / (hi - lo)).clamp(0.0, 1.0) } else { 1.0 });
    // Descriptive channels step back when the query is a title; topical ones are silent when
    // it names no field.
    let soft = 1.0 - w.gate * b.titleness;
    let topical = if s.topicless { 0.0 } else { 1.0 };
    let young = f32::from(u8::from(s.young)) + if s.topicless { s.breadth } else { 0.0 };
    [
        topical * w.title * title,
        topical * soft * w.passage * passage,
        topical * soft * w.passage_lexical * s.passage_lexical.map_or(0.0, |p| p.0),
        topical * soft * w.interest * s.interest.map_or(0.0, |p| p.0),
        soft * w.colloquial * s.colloquial.map_or(0.0, |p| p.0),
        soft * w.school * s.school.map_or(0.0, |p| p.0),
        w.level * s.level,
        -w.negation * s.negated.map_or(0.0, |(strength, _)| strength),
        soft * (w.young * young + w.access * s.access),
        soft * w.facet * s.facet.map_or(0.0, |f| f.0),
        -w.avoid * s.avoided.map_or(0.0, |a| a.0),
    ]
}

/// What each entry of [`contributions`] is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Contribution {
    /// Title channels.
    Title,
    /// Passage cosine.
    Passage,
    /// Passage words.
    PassageLexical,
    /// Centre d'intérêt.
    Interest,
    /// Slang lexicon.
    Colloquial,
    /// School lexicon.
    School,
    /// Study length.
    Level,
    /// Negation.
    Negation,
    /// Young-audience prior.
    Young,
    /// Wanted facets.
    Facet,
    /// Ruled-out facets.
    Avoided,
}

impl Contribution {
    /// In the order of [`contributions`].
    pub const ALL: [Contribution; 11] = [
        Contribution::Title,
        Contribution::Passage,
        Contribution::PassageLexical,
        Contribution::Interest,
        Contribution::Colloquial,
        Contribution::School,
        Contribution::Level,
        Contribution::Negation,
        Contribution::Young,
        Contribution::Facet,
        Contribution::Avoided,
    ];
}

/// The [`Retrieval::Full`] score: the sum of [`contributions`] rescaled from its possible
/// range (every penalty, nothing matched … every signal perfect) to [0, 1]; same order.
pub fn full_score(w: &ChannelWeights, title: f32, s: &Signals, b: &Bounds) -> f32 {
    let least = -(w.negation + w.level + w.avoid + w.access);
    let most = w.title
        + w.passage
        + w.passage_lexical
        + w.interest
        + w.colloquial
        + w.school
        + w.level
        + w.young
        + w.facet
        + w.access;
    let sum: f32 = contributions(w, title, s, b).iter().sum();
    if most > least {
        ((sum - least) / (most - least)).clamp(0.0, 1.0)
    } else {
        0.0
    }
}

/// `alpha · (dense − lo) / (hi − lo) + (1 − alpha) · lexical`; monotone in both scores.
pub fn convex(alpha: f32, lexical: f32, dense: f32, lo: f32, hi: f32) -> f32 {
    let d = if hi > lo { ((dense - lo) / (hi - lo)).clamp(0.0, 1.0) } else { 1.0 };
    alpha * d + (1.0 - alpha) * lexical.clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(o: u32, lexical: f32, dense: f32, lr: Option<usize>, dr: Option<usize>) -> Candidate {
        Candidate {
            occupation: o,
            lexical,
            dense,
            lexical_rank: lr,
            dense_rank: dr,
            forms: Vec::new(),
            signals: Signals::default(),
        }
    }

    #[test]
    fn convex_fusion_is_monotone_in_each_score() {
        for alpha in [0.0, 0.3, 0.5, 0.8, 1.0] {
            let mut prev = -1.0;
            for l in 0..=10 {
                let s = convex(alpha, l as f32 / 10.0, 0.85, 0.8, 0.95);
                assert!(s >= prev, "alpha {alpha}");
                prev = s;
            }
            let mut prev = -1.0;
            for d in 0..=10 {
                let s = convex(alpha, 0.4, 0.8 + d as f32 * 0.015, 0.8, 0.95);
                assert!(s >= prev, "alpha {alpha}");
                prev = s;
            }
        }
    }

    #[test]
    fn fusion_ranks_agreement_first_and_each_channel_alone_by_its_score() {
        let cands = vec![
            cand(0, 0.9, 0.86, Some(1), Some(3)),
            cand(1, 0.0, 0.95, None, Some(1)),
            cand(2, 0.8, 0.90, Some(2), Some(2)),
            cand(3, 0.0, 0.80, None, Some(4)),
        ];
        let p = HybridParams { fusion: Fusion::Convex { alpha: 0.5 }, ..HybridParams::default() };
        let order: Vec<u32> = fuse(&cands, Retrieval::Hybrid, &p).iter().map(|(i, _)| cands[*i].occupation).collect();
        assert_eq!(order, vec![2, 0, 1, 3]);
        let lex: Vec<u32> = fuse(&cands, Retrieval::Lexical, &p).iter().map(|(i, _)| cands[*i].occupation).collect();
        assert_eq!(lex, vec![0, 2]);
        let dense: Vec<u32> = fuse(&cands, Retrieval::Dense, &p).iter().map(|(i, _)| cands[*i].occupation).collect();
        assert_eq!(dense, vec![1, 2, 0, 3]);
        let rrf = HybridParams { fusion: Fusion::Rrf { k: 60.0 }, ..p };
        let fused = fuse(&cands, Retrieval::Hybrid, &rrf);
        // Found by both channels beats found by one.
        assert!(fused[..2].iter().all(|(i, _)| cands[*i].lexical_rank.is_some() && cands[*i].dense_rank.is_some()));
        assert!(fused.iter().all(|(_, s)| (0.0..=1.0).contains(s)));
    }
}
