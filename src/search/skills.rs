//! Lexical lookup of skills (autocomplete) and of centres d'intérêt.

use std::collections::{BTreeMap, HashMap};

use serde::Serialize;

use super::lexical::LexicalIndex;
use super::params::{SKILL_FUZZY_HITS_PER_SKILL, TEXT_SKILL_COVERAGE, TEXT_SKILL_HITS};
use super::{Engine, SearchError};
use crate::catalog::{Catalogue, FormKind, Lang, SkillIdx, SkillKind, SurfaceForm, Taxonomy};
use crate::text::fold;

/// A skill suggested for a typed prefix.
#[derive(Debug, Clone, PartialEq, Serialize, utoipa::ToSchema)]
#[schema(as = SkillSuggestion)]
pub struct SkillHit {
    /// Taxonomy of the skill.
    pub taxonomy: Taxonomy,
    /// ESCO skill URI or ROME code_ogr.
    pub code: String,
    /// Label in the requested language (or the other one).
    pub label: String,
    /// Skill, knowledge or attitude.
    pub kind: SkillKind,
    /// Lexical score in [0, 1].
    pub score: f32,
}

/// A ROME centre d'intérêt.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema)]
#[schema(as = Interest)]
pub struct InterestRef {
    /// Stable code (the folded label).
    pub code: String,
    /// Label (French; ROME has no English one).
    pub label: String,
}

/// Folded skill labels in both languages, for prefix and word lookups.
pub(crate) struct SkillIndex {
    /// (folded label, skill) for every label of every skill.
    labels: Vec<(String, SkillIdx)>,
    /// `word_start_bit` union of each label's words (same order as `labels`).
    word_starts: Vec<u64>,
    /// Skills per exact folded label.
    exact: HashMap<String, Vec<SkillIdx>>,
    /// Distinct centres d'intérêt, by folded label.
    interests: BTreeMap<String, String>,
    /// Skill labels as pseudo surface forms (`occupation` holds the skill index).
    label_forms: Vec<SurfaceForm>,
    /// Lexical index over `label_forms` (folded, stemmed, typo-tolerant).
    lexical: LexicalIndex,
    /// Occupations listing each skill (essential or optional), by skill index.
    spread: Vec<u32>,
}

impl SkillIndex {
    pub(crate) fn new(catalogue: &Catalogue) -> SkillIndex {
        let mut labels = Vec::new();
        let mut exact: HashMap<String, Vec<SkillIdx>> = HashMap::new();
        for (i, skill) in catalogue.skills.iter().enumerate() {
            for lang in Lang::ALL {
                if let Some(label) = skill.label.get(lang) {
                    let folded = fold(label);
                    if folded.is_empty() {
                        continue;
                    }
                    let ids = exact.entry(folded.clone()).or_default();
                    if !ids.contains(&(i as SkillIdx)) {
                        ids.push(i as SkillIdx);
                        labels.push((folded, i as SkillIdx));
                    }
                }
            }
        }
        let interests = catalogue
            .occupations
            .iter()
            .flat_map(|o| o.interests.iter())
            .map(|label| (fold(label), label.clone()))
            .collect();
        let label_forms: Vec<SurfaceForm> = catalogue
            .skills
            .iter()
            .enumerate()
            .flat_map(|(i, skill)| {
                Lang::ALL.into_iter().filter_map(move |lang| {
                    skill.label.get(lang).map(|t| SurfaceForm {
                        text: t.to_string(),
                        kind: FormKind::Preferred,
                        lang,
                        occupation: i as u32,
                    })
                })
            })
            .collect();
        let lexical = LexicalIndex::new(&label_forms);
        let word_starts = labels.iter().map(|(l, _)| l.split(' ').fold(0u64, |m, w| m | word_start_bit(w))).collect();
        let mut spread = vec![0u32; catalogue.skills.len()];
        for link in catalogue.occupations.iter().flat_map(|o| &o.skills) {
            if let Some(n) = spread.get_mut(link.skill as usize) {
                *n += 1;
            }
        }
        SkillIndex { labels, word_starts, exact, interests, label_forms, lexical, spread }
    }

    /// How many occupations list skill `idx`: the fewer, the more central it is to each.
    pub(crate) fn spread(&self, idx: SkillIdx) -> u32 {
        self.spread.get(idx as usize).copied().unwrap_or(u32::MAX)
    }

    /// Skills whose every label word occurs (possibly with a typo or inflected) in a free
    /// text: "j'aime dessiner et la cuisine" → "dessiner", "cuisine"... Best first.
    pub(crate) fn in_text(&self, text: &str, limit: usize) -> Vec<(SkillIdx, f32)> {
        let mut out: Vec<(SkillIdx, f32)> = Vec::new();
        for hit in self.lexical.search(text, TEXT_SKILL_HITS, &|_| true) {
            if hit.coverage < TEXT_SKILL_COVERAGE {
                continue;
            }
            let skill = self.label_forms[hit.form as usize].occupation;
            if !out.iter().any(|(s, _)| *s == skill) {
                out.push((skill, hit.score));
            }
            if out.len() == limit {
                break;
            }
        }
        out
    }

    /// Best typo-tolerant matches of a typed skill label.
    pub(crate) fn fuzzy(&self, label: &str, limit: usize, min_score: f32) -> Vec<SkillIdx> {
        let mut out: Vec<SkillIdx> = Vec::new();
        for hit in self.lexical.search(label, limit * SKILL_FUZZY_HITS_PER_SKILL, &|_| true) {
            if hit.score < min_score {
                break;
            }
            let skill = self.label_forms[hit.form as usize].occupation;
            if !out.contains(&skill) {
                out.push(skill);
            }
            if out.len() == limit {
                break;
            }
        }
        out
    }

    /// Skills whose folded label equals `label` folded.
    pub(crate) fn exact(&self, label: &str) -> &[SkillIdx] {
        self.exact.get(&fold(label)).map(Vec::as_slice).unwrap_or(&[])
    }

    /// Best lexical matches for a typed text, best first.
    pub(crate) fn lookup(&self, query: &str, limit: usize) -> Vec<(SkillIdx, f32)> {
        let q = fold(query);
        if q.is_empty() {
            return Vec::new();
        }
        let mut words: Vec<&str> = q.split(' ').collect();
        words.sort_unstable();
        words.dedup();
        // One substring searcher for the whole scan (building one per label dominated the
        // cost of long items).
        let finder = memchr::memmem::Finder::new(q.as_bytes());
        let need = words.iter().fold(0u64, |m, w| m | word_start_bit(w));
        let mut best: HashMap<SkillIdx, f32> = HashMap::new();
        for ((label, idx), &starts) in self.labels.iter().zip(&self.word_starts) {
            // Every query word must start some label word, or the query be a substring of the
            // label (then its first word starts inside a label word, which the mask cannot
            // see): the mask settles most labels with one AND.
            if starts & need != need && finder.find(label.as_bytes()).is_none() {
                continue;
            }
            if let Some(score) = lexical_score(&q, &words, &finder, label) {
                let e = best.entry(*idx).or_insert(0.0);
                *e = e.max(score);
            }
        }
        let mut out: Vec<_> = best.into_iter().collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.truncate(limit);
        out
    }

    /// Interest label for a folded or displayed label.
    pub(crate) fn interest(&self, label: &str) -> Option<&str> {
        self.interests.get(&fold(label)).map(String::as_str)
    }
}

/// Exact > prefix > every query word prefixes a label word > substring; shorter labels first.
/// A bit for how a word starts (its first byte; its first two bytes when it has them),
/// folded into 64. A label's mask is the union over its words; a query word can only
/// prefix-match a label word whose start sets the same bits.
fn word_start_bit(word: &str) -> u64 {
    let b = word.as_bytes();
    match b {
        [] => 0,
        [a] => 1u64 << (a % 32),
        [a, c, ..] => 1u64 << (a % 32) | 1u64 << (32 + (a.wrapping_mul(31) ^ c) % 32),
    }
}

fn lexical_score(query: &str, words: &[&str], finder: &memchr::memmem::Finder<'_>, label: &str) -> Option<f32> {
    let brevity = 0.1 / (1.0 + label.len() as f32 / 20.0);
    let base = if label == query {
        1.0
    } else if label.starts_with(query) {
        0.8
    } else if words.iter().all(|w| label.split(' ').any(|lw| lw.starts_with(w))) {
        0.6
    } else if finder.find(label.as_bytes()).is_some() {
        0.4
    } else {
        return None;
    };
    Some(base + brevity)
}

impl Engine {
    /// Skills (ESCO skills, ROME compétences) whose labels match what was typed (not empty,
    /// at most [`QueryLimits::max_chars`](super::QueryLimits) characters).
    pub fn search_skills(&self, query: &str, lang: Lang, limit: usize) -> Result<Vec<SkillHit>, SearchError> {
        self.limits.check_limit(limit)?;
        let query = self.checked_chars(query)?;
        let catalogue = self.index.catalogue();
        Ok(self
            .skill_index
            .lookup(query, limit)
            .into_iter()
            .filter_map(|(idx, score)| {
                let skill = catalogue.skills.get(idx as usize)?;
                Some(SkillHit {
                    taxonomy: skill.id.taxonomy,
                    code: skill.id.code.clone(),
                    label: skill.label.get_or_any(lang)?.to_string(),
                    kind: skill.kind,
                    score: score.min(1.0),
                })
            })
            .collect())
    }

    /// Every ROME centre d'intérêt present in the index, alphabetically.
    pub fn interests(&self) -> Vec<InterestRef> {
        self.skill_index
            .interests
            .iter()
            .map(|(code, label)| InterestRef { code: code.replace(' ', "-"), label: label.clone() })
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lexical_score_orders_exact_prefix_words_substring() {
        let score =
            |q: &str, words: &[&str], label: &str| lexical_score(q, words, &memchr::memmem::Finder::new(q), label);
        let q = "soin";
        let w = ["soin"];
        let exact = score(q, &w, "soin").unwrap();
        let prefix = score(q, &w, "soins aux animaux").unwrap();
        let word = score("anim soin", &["anim", "soin"], "soins aux animaux").unwrap();
        let sub = score("oins", &["oins"], "soins aux animaux").unwrap();
        assert!(exact > prefix && prefix > word && word > sub, "{exact} {prefix} {word} {sub}");
        assert!(score("zzz", &["zzz"], "soins").is_none());
    }
}
