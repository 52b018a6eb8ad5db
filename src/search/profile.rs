//! Profile matching: free text, listed skills and centres d'intérêt combined into one ranking.

use std::collections::{HashMap, HashSet};

use super::params::{
    ESSENTIAL_WEIGHT, INTEREST_WEIGHT, LOOKUP_WORDS, MAX_ITEM_CHARS, MAX_ITEM_WORDS, MAX_PROFILE_EVIDENCE,
    MAX_PROFILE_ITEMS, OPTIONAL_WEIGHT, SKILL_FUZZY_MIN, SKILL_LOOKUP_MIN, SKILL_MATCHES, SKILL_WEIGHT,
    TEXT_CANDIDATES, TEXT_ONLY_SKILL_WEIGHT, TEXT_SKILLS, TEXT_SKILL_WEIGHT, TEXT_WEIGHT,
};
use super::riasec::{RiasecProfile, RIASEC_WEIGHT};
use super::{Engine, MatchKind, MatchedForm, ProfileEvidence, RankedOccupation, Scope, SearchError};
use crate::catalog::{Lang, OccupationIdx, SkillIdx, SkillRelation, Taxonomy};

/// A profile: what a person likes, can do and is interested in.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct ProfileRequest {
    /// Free text ("j'aime dessiner et les ordinateurs").
    pub text: Option<String>,
    /// Skill labels (as suggested by the skills autocomplete).
    pub skills: Vec<String>,
    /// Centre d'intérêt labels.
    pub interests: Vec<String>,
    /// RIASEC interest profile (the questionnaire's answer): alone, it ranks ROME fiches by
    /// fit; with other evidence, it re-orders what that evidence found ([`RIASEC_WEIGHT`]).
    pub riasec: Option<RiasecProfile>,
    /// Display language.
    pub lang: Lang,
    /// Restrict to one taxonomy.
    pub taxonomy: Option<Taxonomy>,
    /// Number of results.
    pub limit: usize,
    /// Facets results must have or lack, and the highest entry level.
    pub filter: super::FacetFilter,
}

impl ProfileRequest {
    /// The request's language, taxonomy filter and number of results.
    pub fn scope(&self) -> Scope {
        Scope { lang: self.lang, taxonomy: self.taxonomy, limit: self.limit, filter: self.filter }
    }

    /// Whether the profile is RIASEC scores alone: no text, skill or interest that is not blank.
    pub fn is_riasec_only(&self) -> bool {
        let blank = |items: &[String]| items.iter().all(|i| i.trim().is_empty());
        self.text.as_deref().is_none_or(|t| t.trim().is_empty()) && blank(&self.skills) && blank(&self.interests)
    }
}

/// The part of a profile item the engine reads: trimmed, at most [`MAX_ITEM_WORDS`] words
/// and [`MAX_ITEM_CHARS`] characters. The API refuses longer items with a clear error; the
/// engine bounds them anyway, so no caller can make one item cost more than a long label.
pub fn bounded_item(item: &str) -> String {
    let mut out = String::new();
    for word in item.split_whitespace().take(MAX_ITEM_WORDS) {
        let sep = usize::from(!out.is_empty());
        if out.chars().count() + sep + word.chars().count() > MAX_ITEM_CHARS {
            break;
        }
        if sep == 1 {
            out.push(' ');
        }
        out.push_str(word);
    }
    out
}

impl Engine {
    /// Ranks occupations for a whole profile.
    pub fn match_profile(&self, req: &ProfileRequest) -> Result<Vec<RankedOccupation>, SearchError> {
        self.limits.check_limit(req.limit)?;
        self.rank_profile(req)
    }

    /// [`Engine::match_profile`] for a limit already checked.
    pub(super) fn rank_profile(&self, req: &ProfileRequest) -> Result<Vec<RankedOccupation>, SearchError> {
        if req.skills.len() > MAX_PROFILE_ITEMS || req.interests.len() > MAX_PROFILE_ITEMS {
            return Err(SearchError::TooManyItems { max: MAX_PROFILE_ITEMS });
        }
        let text = req.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        if text.is_none()
            && req.skills.iter().all(|s| s.trim().is_empty())
            && req.interests.iter().all(|s| s.trim().is_empty())
        {
            return match &req.riasec {
                Some(profile) => {
                    let depth = if req.filter.is_empty() { req.limit } else { catalogue_len(self) };
                    let mut ranked = self.match_riasec(profile, req.lang, req.taxonomy, depth);
                    ranked.retain(|r| self.passes(r.index, &req.filter));
                    ranked.truncate(req.limit);
                    Ok(ranked)
                }
                None => Err(SearchError::EmptyQuery),
            };
        }
        let catalogue = self.index.catalogue();

        let mut title: HashMap<OccupationIdx, (f32, Vec<MatchedForm>)> = HashMap::new();
        if let Some(text) = text {
            let text = self.validate_text(text)?;
            let understood = self.understand_query(text)?;
            let query = self.query_vector(&understood)?;
            for r in self.rank_full(&understood, &query, req.scope().with_limit(TEXT_CANDIDATES)) {
                title.insert(r.index, (r.score, r.matched));
            }
        }

        // Listed skills weigh 1; skills read from the free text weigh TEXT_SKILL_WEIGHT.
        let mut skills: Vec<(String, HashSet<SkillIdx>, f32)> = req
            .skills
            .iter()
            .map(|s| bounded_item(s))
            .filter(|s| !s.is_empty())
            .map(|s| {
                let ids = self.resolve_skill(&s);
                (s, ids, 1.0)
            })
            .collect();
        let listed_skills = !skills.is_empty();
        if let (Some(text), true) = (text, self.text_skills) {
            for (idx, _) in self.skill_index.in_text(text, TEXT_SKILLS) {
                let label = catalogue.skills[idx as usize].label.get_or_any(req.lang).unwrap_or_default().to_string();
                skills.push((label, [idx].into_iter().collect(), TEXT_SKILL_WEIGHT));
            }
        }
        let skill_total: f32 = skills.iter().map(|s| s.2).sum();
        let interests: Vec<&str> =
            req.interests.iter().filter_map(|i| self.skill_index.interest(&bounded_item(i))).collect();

        let mut evidence: HashMap<OccupationIdx, (f32, f32, Vec<MatchedForm>)> = HashMap::new();
        for (idx, occupation) in catalogue.occupations.iter().enumerate() {
            if req.taxonomy.is_some_and(|t| occupation.id.taxonomy != t)
                || !(req.filter.is_empty() || self.passes(idx as OccupationIdx, &req.filter))
            {
                continue;
            }
            let mut skill_score = 0.0;
            let mut matched = Vec::new();
            for (label, ids, weight) in &skills {
                let best = occupation
                    .skills
                    .iter()
                    .filter(|l| ids.contains(&l.skill))
                    .map(|l| if l.relation == SkillRelation::Essential { ESSENTIAL_WEIGHT } else { OPTIONAL_WEIGHT })
                    .fold(0.0f32, f32::max);
                if best > 0.0 {
                    skill_score += best * weight;
                    matched.push(MatchedForm {
                        text: label.clone(),
                        kind: MatchKind::Profile(ProfileEvidence::Skill),
                        lang: req.lang,
                        score: best,
                    });
                }
            }
            let mut interest_score = 0.0;
            for interest in &interests {
                if occupation.interests.iter().any(|i| i == interest) {
                    interest_score += 1.0;
                    matched.push(MatchedForm {
                        text: interest.to_string(),
                        kind: MatchKind::Profile(ProfileEvidence::Interest),
                        lang: Lang::Fr,
                        score: 1.0,
                    });
                }
            }
            if !matched.is_empty() {
                // The best evidence first, and a bounded amount of it per result.
                matched.sort_by(|a, b| b.score.total_cmp(&a.score));
                matched.truncate(MAX_PROFILE_EVIDENCE);
                let s = if skills.is_empty() { 0.0 } else { skill_score / skill_total };
                let i = if interests.is_empty() { 0.0 } else { interest_score / interests.len() as f32 };
                evidence.insert(idx as OccupationIdx, (s, i, matched));
            }
        }

        // Weights of absent evidence are spread over the present ones so scores stay comparable.
        let w_text = if text.is_some() { TEXT_WEIGHT } else { 0.0 };
        let w_skill = if listed_skills {
            SKILL_WEIGHT
        } else if skills.is_empty() {
            0.0
        } else {
            TEXT_ONLY_SKILL_WEIGHT
        };
        let w_interest = if interests.is_empty() { 0.0 } else { INTEREST_WEIGHT };
        let w_riasec = if req.riasec.is_some() { RIASEC_WEIGHT } else { 0.0 };
        let total = (w_text + w_skill + w_interest + w_riasec).max(f32::EPSILON);

        let candidates: HashSet<OccupationIdx> = title.keys().chain(evidence.keys()).copied().collect();
        let mut ranked: Vec<RankedOccupation> = candidates
            .into_iter()
            .map(|idx| {
                let (t, mut matched) = title.get(&idx).cloned().unwrap_or((0.0, Vec::new()));
                let (s, i, profile) = evidence.get(&idx).cloned().unwrap_or((0.0, 0.0, Vec::new()));
                // An occupation without RIASEC codes (own or through the crosswalk) fits 0.
                let (r, riasec) = match &req.riasec {
                    Some(p) => self.riasec_evidence(p, idx, req.lang, false),
                    None => (0.0, None),
                };
                let score = (w_text * t + w_skill * s + w_interest * i + w_riasec * r) / total;
                let mut all = profile;
                all.append(&mut matched);
                all.extend(riasec);
                self.ranked(idx, req.lang, score, all)
            })
            .collect();
        ranked.sort_by(|a, b| b.score.total_cmp(&a.score).then_with(|| a.id.cmp(&b.id)));
        ranked.truncate(req.limit);
        Ok(ranked)
    }

    /// Skills named by a label: exact folded matches, else the best lexical ones.
    pub(super) fn resolve_skill(&self, label: &str) -> HashSet<SkillIdx> {
        let exact = self.skill_index.exact(label);
        if !exact.is_empty() {
            return exact.iter().copied().collect();
        }
        // Beyond an exact label, the first words carry what a skill is about; reading at most
        // LOOKUP_WORDS of them bounds the cost of a long item (each word is a vocabulary scan).
        let probe: String = label.split_whitespace().take(LOOKUP_WORDS).collect::<Vec<_>>().join(" ");
        let found: HashSet<SkillIdx> = self
            .skill_index
            .lookup(&probe, SKILL_MATCHES)
            .into_iter()
            .filter(|(_, s)| *s >= SKILL_LOOKUP_MIN)
            .map(|(i, _)| i)
            .collect();
        if !found.is_empty() {
            return found;
        }
        // Typos and inflections ("patisserie" for "pâtisseries").
        self.skill_index.fuzzy(&probe, SKILL_MATCHES, SKILL_FUZZY_MIN).into_iter().collect()
    }
}

/// Occupations in the engine's catalogue (a filtered RIASEC ranking looks at all of them).
fn catalogue_len(engine: &Engine) -> usize {
    engine.index().catalogue().occupations.len()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_are_bounded_in_words_and_characters() {
        assert_eq!(bounded_item("  pâtisserie   fine "), "pâtisserie fine");
        let many = "tech ".repeat(61) + "zzzq";
        assert_eq!(bounded_item(&many).split(' ').count(), MAX_ITEM_WORDS);
        let long = "é".repeat(300);
        assert_eq!(bounded_item(&format!("ab {long}")), "ab", "a word past the limit is dropped whole");
        let words: String = (0..100).map(|i| format!("mot{i} ")).collect();
        let b = bounded_item(&words);
        assert!(b.chars().count() <= MAX_ITEM_CHARS && b.split(' ').count() <= MAX_ITEM_WORDS);
        assert_eq!(bounded_item(""), "");
    }
}
