//! What I have, what I'd need: the essential skills of an occupation a profile already covers
//! and those it would learn, most central first.
//!
//! **Coverage.** A profile's skills are its listed items, each read as profile matching reads
//! it (the skills it names: exact label, else the best lexical matches, else typo-tolerant
//! ones), plus the skills found in its free text. An essential skill is covered when it is one
//! of those skills, or when a listed item and the skill's label (French or English) match
//! lexically: every word of one starts a word of the other, once folded ("pâtisserie" covers
//! "Réaliser des pâtisseries"; "pétrir la pâte à pain" covers "Pétrir la pâte").
//!
//! **Order.** Most central first: a skill few occupations list says more about this one than
//! a skill every occupation lists ("Pétrir la pâte" before "Respecter les règles d'hygiène");
//! ties keep the catalogue's order.
//!
//! **Cost.** A profile is read once per request (at most `MAX_PROFILE_ITEMS` bounded items,
//! [`TEXT_SKILLS`] skills from the text); each occupation then costs one pass over its
//! essential skills, and at most [`MAX_COVERAGE_SKILLS`] of each list are returned.

use std::collections::HashSet;

use serde::Serialize;

use super::group::Grouping;
use super::params::MAX_PROFILE_ITEMS;
use super::profile::bounded_item;
use super::{Calibration, Engine, ProfileRequest, RankedOccupation, SearchError, SkillRef};
use crate::catalog::{Lang, OccupationIdx, SkillIdx, SkillRelation};
use crate::text::fold;

/// Skills listed per coverage list at most.
pub const MAX_COVERAGE_SKILLS: usize = 8;
/// Skills read from a profile's free text at most (as profile matching reads them).
const TEXT_SKILLS: usize = 10;
/// Folded characters a listed item needs before it may cover a skill lexically ("art" would
/// start a word of too many labels).
const MIN_LEXICAL_CHARS: usize = 4;

/// What I have, what I'd need: an occupation's essential skills split by whether a profile
/// covers them, most central first. Both lists are absent when the request carries no profile.
#[derive(Debug, Clone, Default, PartialEq, Serialize, utoipa::ToSchema)]
pub struct SkillCoverage {
    /// With a profile only (`POST /v1/match`; `skill` or `text` on an occupation's page): the
    /// essential skills the profile already covers (a profile skill is the same skill, or its
    /// label and the skill's match word by word), most central first (listed by the fewest
    /// occupations); at most 8.
    #[serde(rename = "skills_covered", skip_serializing_if = "Option::is_none")]
    pub covered: Option<Vec<SkillRef>>,
    /// With a profile only: the essential skills the profile would need to learn, most central
    /// first; at most 8.
    #[serde(rename = "skills_to_learn", skip_serializing_if = "Option::is_none")]
    pub to_learn: Option<Vec<SkillRef>>,
}

/// A profile's skills, read once for every occupation it is compared with.
#[derive(Debug, Clone, Default)]
pub struct ProfileSkills {
    /// Skills the profile names (listed items resolved, skills found in the text).
    ids: HashSet<SkillIdx>,
    /// Listed items, folded, with their words.
    items: Vec<Vec<String>>,
}

impl ProfileSkills {
    /// Whether the profile names no skill at all.
    pub fn is_empty(&self) -> bool {
        self.ids.is_empty() && self.items.is_empty()
    }
}

/// Whether every word of `needle` starts some word of `hay`.
fn words_start(needle: &[String], hay: &[String]) -> bool {
    !needle.is_empty() && needle.iter().all(|w| hay.iter().any(|h| h.starts_with(w.as_str())))
}

impl Engine {
    /// Reads a profile's skills: listed items (at most `MAX_PROFILE_ITEMS`, each bounded as
    /// profile matching bounds it) and the skills found in its free text.
    pub fn profile_skills(&self, skills: &[String], text: Option<&str>) -> ProfileSkills {
        let mut out = ProfileSkills::default();
        for item in skills.iter().take(MAX_PROFILE_ITEMS) {
            let item = bounded_item(item);
            if item.is_empty() {
                continue;
            }
            out.ids.extend(self.resolve_skill(&item));
            let folded = fold(&item);
            if folded.chars().count() >= MIN_LEXICAL_CHARS {
                out.items.push(folded.split(' ').map(str::to_string).collect());
            }
        }
        if let Some(text) = text.map(str::trim).filter(|t| !t.is_empty()) {
            let text: String = text.chars().take(self.limits.max_chars).collect();
            out.ids.extend(self.skill_index.in_text(&text, TEXT_SKILLS).into_iter().map(|(idx, _)| idx));
        }
        out
    }

    /// The essential skills of occupation `idx` that `profile` covers and those it would
    /// learn, most central first, labels in `lang`.
    pub fn coverage(&self, idx: OccupationIdx, profile: &ProfileSkills, lang: Lang) -> SkillCoverage {
        let catalogue = self.index.catalogue();
        let (mut covered, mut to_learn) = (Vec::new(), Vec::new());
        let links = catalogue.occupations.get(idx as usize).map_or(&[][..], |o| &o.skills);
        let mut essential: Vec<(u32, usize, SkillIdx)> = links
            .iter()
            .enumerate()
            .filter(|(_, l)| l.relation == SkillRelation::Essential)
            .map(|(i, l)| (self.skill_index.spread(l.skill), i, l.skill))
            .collect();
        essential.sort_unstable();
        for (_, _, skill_idx) in essential {
            let Some(skill) = catalogue.skills.get(skill_idx as usize) else { continue };
            let is_covered = profile.ids.contains(&skill_idx)
                || (!profile.items.is_empty()
                    && Lang::ALL.iter().filter_map(|&l| skill.label.get(l)).any(|label| {
                        let words: Vec<String> = fold(label).split(' ').map(str::to_string).collect();
                        profile.items.iter().any(|item| words_start(item, &words) || words_start(&words, item))
                    }));
            let list = if is_covered { &mut covered } else { &mut to_learn };
            if list.len() < MAX_COVERAGE_SKILLS {
                list.push(SkillRef {
                    code: skill.id.code.clone(),
                    label: skill.label.get_or_any(lang).unwrap_or(&skill.id.code).to_string(),
                    kind: skill.kind,
                });
            }
            if covered.len() == MAX_COVERAGE_SKILLS && to_learn.len() == MAX_COVERAGE_SKILLS {
                break;
            }
        }
        SkillCoverage { covered: Some(covered), to_learn: Some(to_learn) }
    }

    /// Profile matching as the API serves it: one result per occupation or per métier, each
    /// with the coverage of its essential skills by the profile and its confidence (none for a
    /// profile made of RIASEC scores alone: the match curve was fitted on text profiles, and no
    /// judged data exists for a RIASEC fit alone).
    pub fn match_results(
        &self,
        req: &ProfileRequest,
        grouping: Grouping,
    ) -> Result<Vec<RankedOccupation>, SearchError> {
        let mut results = match grouping {
            Grouping::Occupation => self.match_profile(req)?,
            Grouping::Metier => self.match_metiers(req)?,
        };
        let profile = self.profile_skills(&req.skills, if self.text_skills { req.text.as_deref() } else { None });
        for r in &mut results {
            let coverage = self.coverage(r.index, &profile, req.lang);
            r.coverage = coverage;
            r.calibrate((!req.is_riasec_only()).then_some(&Calibration::MATCH));
        }
        Ok(results)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(s: &str) -> Vec<String> {
        fold(s).split(' ').map(str::to_string).collect()
    }

    #[test]
    fn items_cover_labels_word_by_word_either_way() {
        let label = words("Pétrir la pâte");
        assert!(words_start(&words("pétrir"), &label));
        assert!(words_start(&words("petr pate"), &label), "prefixes, accents folded");
        assert!(words_start(&label, &words("pétrir la pâte à pain")), "the item holds the whole label");
        assert!(!words_start(&words("cuire le pain"), &label));
        assert!(!words_start(&[], &label));
    }
}
