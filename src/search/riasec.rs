//! RIASEC (Holland) interest profiles and how well a métier fits one.
//!
//! Holland's six interest types — **R**éaliste, **I**nvestigateur, **A**rtistique, **S**ocial,
//! **E**ntreprenant, **C**onventionnel — describe both people and occupations. ROME gives
//! every fiche a major type and, for most, a minor one (`Occupation::riasec`, major first);
//! the web questionnaire gives a person six scores in [0, 1].
//!
//! # The fit
//!
//! A fiche is the vector with its major letter at 1 and its minor letter at ½ (a major-only
//! fiche has the major letter alone); a person is the vector of their six scores. The fit is
//! the **cosine** between the two:
//!
//! ```text
//! fit = (p · f) / (‖p‖ ‖f‖)      in [0, 1] (both vectors are non-negative)
//! ```
//!
//! Why this and not a position index: Holland-code congruence indices such as Iachan's *M*
//! or Brown & Gore's *C* compare two three-letter codes position by position. ROME gives at
//! most two letters per fiche, and a questionnaire gives graded scores: reducing the person to
//! the order of their letters would throw away how much more they like Social than Artistique,
//! and would rank a fiche without a minor letter like one whose minor the person dislikes.
//! The cosine keeps the position weighting of those indices (the major letter counts twice the
//! minor, as the first letter of a Holland code outweighs the second), uses all six scores,
//! and only depends on the *shape* of the profile: someone who answers "beaucoup" everywhere
//! and someone who answers "un peu" everywhere, in the same proportions, get the same métiers.
//! For a person S 1, A 0.8, E 0.6 (others 0.1): S–A 0.88 > A–S 0.82 > S alone 0.70 > S–I 0.66.
//!
//! ESCO occupations carry no RIASEC codes. Through the ROME↔ESCO crosswalk an ESCO
//! occupation inherits the codes of its most closely linked fiche (exact > close > narrow >
//! broad); one with no link has no codes and a fit of 0. A RIASEC-only request ranks ROME
//! fiches (both taxonomies, or `rome`) — an ESCO occupation would only repeat the codes of its
//! fiche — and the inherited codes rank ESCO occupations when `taxonomy` is `esco`, or when
//! the profile is combined with text, skills or interests (see [`RIASEC_WEIGHT`]).

use std::collections::HashMap;

use thiserror::Error;

use super::{Engine, MatchKind, MatchedForm, ProfileEvidence, RankedOccupation};
use crate::catalog::{Lang, MatchRelation, OccupationIdx, Taxonomy};

/// The six types in Holland's hexagon order.
pub const RIASEC_LETTERS: [char; 6] = ['R', 'I', 'A', 'S', 'E', 'C'];

/// Weight of the RIASEC fit next to the other evidence of a profile (text 0.6, listed skills
/// 0.3, interests 0.1; the weights of the evidence present are normalised to sum to 1): with
/// a text alone, the questionnaire counts for a third of the score (0.3 / 0.9). Combined with
/// other evidence, the profile only re-orders the occupations that evidence found: it never
/// brings in a métier the words did not.
pub const RIASEC_WEIGHT: f32 = 0.3;
/// Weight of a fiche's minor letter relative to its major one.
const MINOR_WEIGHT: f32 = 0.5;
/// Letters of the person's profile an explanation names at most.
const TOP_LETTERS: usize = 3;

/// Why a RIASEC profile is refused.
#[derive(Debug, Clone, PartialEq, Error)]
pub enum RiasecError {
    /// A key that is not one of the six letters.
    #[error("unknown type `{0}`, expected one of R, I, A, S, E, C (upper case)")]
    UnknownLetter(String),
    /// A score that is not a number in [0, 1].
    #[error("`{letter}` must be a number between 0 and 1, got {value}")]
    OutOfRange {
        /// The letter.
        letter: char,
        /// What was given, as written.
        value: String,
    },
    /// The same letter twice in a code.
    #[error("type `{0}` appears twice")]
    Repeated(char),
    /// No score above zero: nothing to rank by.
    #[error("every score is 0: at least one must be above 0")]
    Empty,
}

/// A person's interest profile: one score in [0, 1] per RIASEC type, at least one above 0.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct RiasecProfile {
    scores: [f32; 6],
}

impl RiasecProfile {
    /// A profile from six scores in [`RIASEC_LETTERS`] order.
    pub fn new(scores: [f32; 6]) -> Result<RiasecProfile, RiasecError> {
        for (letter, &s) in RIASEC_LETTERS.iter().zip(&scores) {
            if !s.is_finite() || !(0.0..=1.0).contains(&s) {
                return Err(RiasecError::OutOfRange { letter: *letter, value: s.to_string() });
            }
        }
        if scores.iter().all(|&s| s == 0.0) {
            return Err(RiasecError::Empty);
        }
        Ok(RiasecProfile { scores })
    }

    /// A profile from `(letter, score)` pairs; absent letters score 0. Letters are upper case.
    pub fn from_scores<'a>(pairs: impl IntoIterator<Item = (&'a str, f64)>) -> Result<RiasecProfile, RiasecError> {
        let mut values = [0.0f64; 6];
        for (key, value) in pairs {
            let i = letter_index(key).ok_or_else(|| RiasecError::UnknownLetter(key.to_string()))?;
            if !value.is_finite() || !(0.0..=1.0).contains(&value) {
                return Err(RiasecError::OutOfRange { letter: RIASEC_LETTERS[i], value: value.to_string() });
            }
            values[i] = value;
        }
        // Only the profile's shape matters (the fit is a cosine): scores too small for an f32
        // (1e-30, 5e-324) are scaled up by the largest one first, keeping their proportions.
        let max = values.iter().copied().fold(0.0, f64::max);
        if max == 0.0 {
            return Err(RiasecError::Empty);
        }
        let tiny = max < 1e-6;
        #[allow(clippy::cast_possible_truncation)] // In [0, 1].
        let scores = values.map(|v| (if tiny { v / max } else { v }) as f32);
        RiasecProfile::new(scores)
    }

    /// A profile from an ordered Holland code ("SAE"): the first letter scores 1 and each
    /// next one a step less (1, ⅔, ⅓ for three letters).
    pub fn from_code(code: &str) -> Result<RiasecProfile, RiasecError> {
        let letters: Vec<char> = code.trim().chars().collect();
        let mut scores = [0.0f32; 6];
        let n = letters.len() as f32;
        for (pos, c) in letters.iter().enumerate() {
            let i = letter_index(&c.to_string()).ok_or_else(|| RiasecError::UnknownLetter(c.to_string()))?;
            if scores[i] > 0.0 {
                return Err(RiasecError::Repeated(*c));
            }
            scores[i] = (n - pos as f32) / n;
        }
        RiasecProfile::new(scores)
    }

    /// The six scores in [`RIASEC_LETTERS`] order.
    pub fn scores(&self) -> [f32; 6] {
        self.scores
    }

    /// Up to `n` letters scoring above 0, highest first (ties in hexagon order).
    pub fn top(&self, n: usize) -> Vec<char> {
        let mut order: Vec<usize> = (0..6).filter(|&i| self.scores[i] > 0.0).collect();
        order.sort_by(|&a, &b| self.scores[b].total_cmp(&self.scores[a]).then(a.cmp(&b)));
        order.into_iter().take(n).map(|i| RIASEC_LETTERS[i]).collect()
    }

    /// The person's Holland code: their three strongest letters ("SAE").
    pub fn code(&self) -> String {
        self.top(TOP_LETTERS).into_iter().collect()
    }

    /// How well an occupation with these codes (major first) fits the profile, in [0, 1];
    /// `None` when the codes hold no RIASEC letter. See the module documentation.
    pub fn fit(&self, codes: &[String]) -> Option<f32> {
        let mut f = [0.0f32; 6];
        let mut weight = 1.0;
        for code in codes.iter().take(2) {
            let Some(i) = letter_index(code.trim()) else { continue };
            if f[i] == 0.0 {
                f[i] = weight;
                weight = MINOR_WEIGHT;
            }
        }
        let norm_f = f.iter().map(|x| x * x).sum::<f32>().sqrt();
        if norm_f == 0.0 {
            return None;
        }
        // Scaled by the largest score, so tiny scores cannot underflow to a 0/0.
        let max = self.scores.iter().copied().fold(0.0f32, f32::max);
        let p = self.scores.map(|x| x / max);
        let norm_p = p.iter().map(|x| x * x).sum::<f32>().sqrt();
        let dot: f32 = p.iter().zip(&f).map(|(p, f)| p * f).sum();
        Some((dot / (norm_p * norm_f)).clamp(0.0, 1.0))
    }

    /// The occupation's letters (major first) that are among the person's three strongest.
    pub fn shared(&self, codes: &[String]) -> Vec<char> {
        let top = self.top(TOP_LETTERS);
        let mut out = Vec::new();
        for code in codes {
            if let Some(i) = letter_index(code.trim()) {
                let c = RIASEC_LETTERS[i];
                if top.contains(&c) && !out.contains(&c) {
                    out.push(c);
                }
            }
        }
        out
    }
}

/// Position of a RIASEC letter (upper case, alone) in [`RIASEC_LETTERS`].
fn letter_index(key: &str) -> Option<usize> {
    let mut chars = key.chars();
    let (Some(c), None) = (chars.next(), chars.next()) else { return None };
    RIASEC_LETTERS.iter().position(|&l| l == c)
}

/// The name of a RIASEC type in plain words.
pub fn riasec_name(letter: char, lang: Lang) -> &'static str {
    match (letter, lang) {
        ('R', Lang::Fr) => "Réaliste",
        ('I', Lang::Fr) => "Investigateur",
        ('A', Lang::Fr) => "Artistique",
        ('S', Lang::Fr) => "Social",
        ('E', Lang::Fr) => "Entreprenant",
        ('C', Lang::Fr) => "Conventionnel",
        ('R', Lang::En) => "Realistic",
        ('I', Lang::En) => "Investigative",
        ('A', Lang::En) => "Artistic",
        ('S', Lang::En) => "Social",
        ('E', Lang::En) => "Enterprising",
        ('C', Lang::En) => "Conventional",
        _ => "",
    }
}

/// "Social – Artistique": the names of some letters, joined.
fn describe(letters: &[char], lang: Lang) -> String {
    letters.iter().map(|&c| riasec_name(c, lang)).collect::<Vec<_>>().join(" – ")
}

/// Rank of a crosswalk relation, closest first.
fn closeness(relation: MatchRelation) -> u8 {
    match relation {
        MatchRelation::Exact => 0,
        MatchRelation::Close => 1,
        MatchRelation::Narrow => 2,
        MatchRelation::Broad => 3,
    }
}

impl Engine {
    /// The RIASEC codes of an occupation and the fiche they come from: a ROME fiche's own, or
    /// those of the fiche an ESCO occupation is most closely linked to (first listed among
    /// equals); `None` without any.
    pub(crate) fn riasec_codes(&self, idx: OccupationIdx) -> Option<(&[String], OccupationIdx)> {
        let occupations = &self.index.catalogue().occupations;
        let occupation = occupations.get(idx as usize)?;
        if !occupation.riasec.is_empty() {
            return Some((&occupation.riasec, idx));
        }
        occupation
            .links
            .iter()
            .filter(|l| occupations.get(l.target as usize).is_some_and(|t| !t.riasec.is_empty()))
            .min_by_key(|l| closeness(l.relation))
            .map(|l| (occupations[l.target as usize].riasec.as_slice(), l.target))
    }

    /// The fit of occupation `idx` with `profile` and its evidence: the occupation's letters
    /// the person shares, or all its letters when `always` and it shares none.
    pub(crate) fn riasec_evidence(
        &self,
        profile: &RiasecProfile,
        idx: OccupationIdx,
        lang: Lang,
        always: bool,
    ) -> (f32, Option<MatchedForm>) {
        let Some((codes, _)) = self.riasec_codes(idx) else { return (0.0, None) };
        let fit = profile.fit(codes).unwrap_or(0.0);
        let mut letters = profile.shared(codes);
        if letters.is_empty() && always {
            letters = codes.iter().filter_map(|c| letter_index(c.trim())).map(|i| RIASEC_LETTERS[i]).collect();
        }
        let evidence = (!letters.is_empty()).then(|| MatchedForm {
            text: describe(&letters, lang),
            kind: MatchKind::Profile(ProfileEvidence::Riasec),
            lang,
            score: fit,
        });
        (fit, evidence)
    }

    /// Occupations ranked by RIASEC fit alone: ROME fiches, or ESCO occupations through their
    /// crosswalk links when `taxonomy` is ESCO. Equal fits (fiches sharing a code) alternate
    /// between ROME domains (the code's first letter), so a list does not fill up with one
    /// domain that happens to sort first.
    pub(crate) fn match_riasec(
        &self,
        profile: &RiasecProfile,
        lang: Lang,
        taxonomy: Option<Taxonomy>,
        limit: usize,
    ) -> Vec<RankedOccupation> {
        let catalogue = self.index.catalogue();
        let wanted = taxonomy.unwrap_or(Taxonomy::Rome);
        let mut scored: Vec<(f32, char, &str, OccupationIdx)> = Vec::new();
        for (i, occupation) in catalogue.occupations.iter().enumerate() {
            if occupation.id.taxonomy != wanted {
                continue;
            }
            let idx = i as OccupationIdx;
            let Some((codes, source)) = self.riasec_codes(idx) else { continue };
            let Some(fit) = profile.fit(codes) else { continue };
            let domain = catalogue.occupations[source as usize].id.code.chars().next().unwrap_or(' ');
            scored.push((fit, domain, occupation.id.code.as_str(), idx));
        }
        scored.sort_by(|a, b| b.0.total_cmp(&a.0).then_with(|| a.2.cmp(b.2)));
        let mut ordered = Vec::with_capacity(scored.len());
        for run in scored.chunk_by(|a, b| a.0 == b.0) {
            let mut seen: HashMap<char, usize> = HashMap::new();
            let mut keyed: Vec<(usize, &str, OccupationIdx, f32)> = run
                .iter()
                .map(|&(fit, domain, code, idx)| {
                    let n = seen.entry(domain).or_default();
                    *n += 1;
                    (*n, code, idx, fit)
                })
                .collect();
            keyed.sort_by(|a, b| a.0.cmp(&b.0).then_with(|| a.1.cmp(b.1)));
            ordered.extend(keyed.into_iter().map(|(_, _, idx, fit)| (idx, fit)));
            if ordered.len() >= limit {
                break;
            }
        }
        ordered
            .into_iter()
            .take(limit)
            .map(|(idx, fit)| {
                let (_, evidence) = self.riasec_evidence(profile, idx, lang, true);
                self.ranked(idx, lang, fit, evidence.into_iter().collect())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn codes(c: &[&str]) -> Vec<String> {
        c.iter().map(|s| s.to_string()).collect()
    }

    fn person() -> RiasecProfile {
        // S 1, A 0.8, E 0.6, the others 0.1.
        RiasecProfile::new([0.1, 0.1, 0.8, 1.0, 0.6, 0.1]).expect("valid")
    }

    #[test]
    fn fit_follows_congruence() {
        let p = person();
        let fit = |c: &[&str]| p.fit(&codes(c)).expect("has codes");
        // Same letters in the person's order beat them reversed, which beat the major alone,
        // which beats a major with a disliked minor; an opposite code comes last.
        assert!(fit(&["S", "A"]) > fit(&["A", "S"]), "order of the letters counts");
        assert!(fit(&["A", "S"]) > fit(&["S"]));
        assert!(fit(&["S"]) > fit(&["S", "I"]));
        assert!(fit(&["S", "I"]) > fit(&["R", "C"]));
        assert!((fit(&["S", "A"]) - 0.879).abs() < 0.005, "{}", fit(&["S", "A"]));
        assert!((0.0..=1.0).contains(&fit(&["R", "C"])));
        // A profile of one letter fits that letter's major-only fiches perfectly.
        let s = RiasecProfile::from_code("S").expect("valid");
        assert!((s.fit(&codes(&["S"])).expect("codes") - 1.0).abs() < 1e-6);
        assert_eq!(s.fit(&codes(&["R", "C"])), Some(0.0));
        // No letter, no fit; a blank minor is no letter.
        assert_eq!(p.fit(&codes(&[])), None);
        assert_eq!(p.fit(&codes(&["S", ""])), p.fit(&codes(&["S"])));
    }

    #[test]
    fn fit_depends_on_the_shape_not_the_level() {
        let high = RiasecProfile::new([0.2, 0.2, 0.8, 1.0, 0.4, 0.2]).expect("valid");
        let low = RiasecProfile::new([0.1, 0.1, 0.4, 0.5, 0.2, 0.1]).expect("valid");
        for c in [&["S", "A"][..], &["R"], &["E", "C"], &["I", "S"]] {
            let (a, b) = (high.fit(&codes(c)).expect("codes"), low.fit(&codes(c)).expect("codes"));
            assert!((a - b).abs() < 1e-5, "{c:?}: {a} vs {b}");
        }
    }

    #[test]
    fn profiles_are_validated() {
        assert!(RiasecProfile::new([0.0; 6]).is_err_and(|e| e == RiasecError::Empty));
        assert!(matches!(
            RiasecProfile::new([0.0, 0.0, 1.5, 0.0, 0.0, 0.0]),
            Err(RiasecError::OutOfRange { letter: 'A', .. })
        ));
        assert!(matches!(
            RiasecProfile::new([f32::NAN, 0.0, 1.0, 0.0, 0.0, 0.0]),
            Err(RiasecError::OutOfRange { letter: 'R', .. })
        ));
        // Tiny but positive scores are a profile, with a finite fit.
        for tiny in [5e-324, 1e-30, 1e-45] {
            let p = RiasecProfile::from_scores([("A", tiny)]).expect("a positive score");
            let fit = p.fit(&["A".to_string()]).unwrap();
            assert!((fit - 1.0).abs() < 1e-6, "{tiny}: {fit}");
        }
        let p = RiasecProfile::new([0.0, 0.0, 1e-40, 0.0, 0.0, 0.0]).unwrap();
        assert!(p.fit(&["A".to_string(), "S".to_string()]).unwrap().is_finite());
        assert!(matches!(RiasecProfile::from_scores([("S", -0.1)]), Err(RiasecError::OutOfRange { letter: 'S', .. })));
        assert_eq!(RiasecProfile::from_scores([("X", 0.5)]), Err(RiasecError::UnknownLetter("X".into())));
        assert_eq!(RiasecProfile::from_scores([("s", 0.5)]), Err(RiasecError::UnknownLetter("s".into())));
        assert_eq!(RiasecProfile::from_scores([("SA", 0.5)]), Err(RiasecError::UnknownLetter("SA".into())));
        assert_eq!(RiasecProfile::from_code("SAS"), Err(RiasecError::Repeated('S')));
        assert_eq!(RiasecProfile::from_code(""), Err(RiasecError::Empty));
        let p = RiasecProfile::from_scores([("A", 0.9), ("S", 0.8), ("E", 0.3), ("R", 0.0)]).expect("valid");
        assert_eq!(p.scores(), [0.0, 0.0, 0.9, 0.8, 0.3, 0.0]);
        assert_eq!(p.code(), "ASE");
        assert_eq!(p.top(5), vec!['A', 'S', 'E'], "only letters above 0");
        let c = RiasecProfile::from_code("SAE").expect("valid");
        assert_eq!(c.code(), "SAE");
        assert!((c.scores()[3] - 1.0).abs() < 1e-6 && (c.scores()[4] - 1.0 / 3.0).abs() < 1e-6);
    }

    #[test]
    fn shared_letters_explain_a_fit() {
        let p = person();
        assert_eq!(p.shared(&codes(&["S", "A"])), vec!['S', 'A']);
        assert_eq!(p.shared(&codes(&["I", "S"])), vec!['S']);
        assert!(p.shared(&codes(&["R", "C"])).is_empty());
        assert_eq!(describe(&['S', 'A'], Lang::Fr), "Social – Artistique");
        assert_eq!(describe(&['E'], Lang::En), "Enterprising");
    }
}
