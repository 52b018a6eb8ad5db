//! One result per métier: a ROME fiche and the ESCO occupations the crosswalk says are the
//! same métier come back as one result, and labels of both taxonomies are displayed alike.
//!
//! **Which links merge.** Only the crosswalk's `exact` and `close` matches make two
//! occupations one métier. A `broad` or `narrow` match links a métier to a wider or a more
//! specific one ("boulanger" and "boulanger industriel"): they stay separate results, and the
//! detail view still lists them under `links`.
//!
//! **Which occupation heads a result.** The one in the display language's own taxonomy: the
//! ROME fiche for French, the ESCO occupation for English (ROME has no English labels). An
//! occupation of the other taxonomy joins the result of its *home*: among its exact/close
//! links, a head already in the results, else the best-ranked one, else the strongest
//! (exact before close), then the first. The result's head need not have been ranked itself
//! (an ESCO occupation ranked, its ROME fiche not): the head is shown, with the evidence of
//! the members that ranked. An occupation with no exact/close link stays its own result.
//!
//! **Score.** A merged result scores its best member's score, and results keep the order of
//! their best members.
//!
//! **Taxonomy filter.** With `taxonomy` set, only that taxonomy's occupations are results,
//! each its own (no ROME fiche is invented for an ESCO-only query); their equivalents in the
//! other taxonomy are still listed.
//!
//! **Equivalents.** A result lists its head's exact/close links
//! (`[{taxonomy, code, label, relation}]`): members that ranked first, then exact before
//! close, then by label; at most [`MAX_EQUIVALENTS`].

use std::collections::HashMap;

use super::facets::QueryIntent;
use super::params::{CANDIDATES_PER_RESULT, MATCHES_PER_RESULT, MAX_EQUIVALENTS, MIN_CANDIDATES};
use super::{
    display_label, Calibration, Engine, LinkRef, MatchedForm, ProfileRequest, RankedOccupation, Scope, SearchError,
    SearchRequest, Understood,
};
use crate::catalog::gender::gendered_parts;
use crate::catalog::{Lang, MatchRelation, Occupation, OccupationIdx, Taxonomy};
use crate::names::named;

/// How results are grouped.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize, utoipa::ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Grouping {
    /// One result per occupation of either taxonomy (the default).
    #[default]
    Occupation,
    /// One result per métier: a ROME fiche (French) or an ESCO occupation (English) with the
    /// occupations of the other taxonomy the crosswalk says are the same métier (exact or close
    /// match) listed as its `equivalents`; broad/narrow matches stay separate results.
    Metier,
}

named!(Grouping, "grouping", { Occupation => "occupation", Metier => "metier" });

/// Whether a crosswalk relation makes two occupations the same métier.
pub fn same_metier(relation: MatchRelation) -> bool {
    matches!(relation, MatchRelation::Exact | MatchRelation::Close)
}

/// Order of relations: exact before close (then the others, which never merge).
fn strength(relation: MatchRelation) -> u8 {
    match relation {
        MatchRelation::Exact => 0,
        MatchRelation::Close => 1,
        MatchRelation::Narrow => 2,
        MatchRelation::Broad => 3,
    }
}

/// The taxonomy whose occupations head merged results in `lang`.
pub fn head_taxonomy(lang: Lang) -> Taxonomy {
    match lang {
        Lang::Fr => Taxonomy::Rome,
        Lang::En => Taxonomy::Esco,
    }
}

/// The display form of an occupation label, one rule for both taxonomies: a gendered label is
/// written `masculin / féminin` with one space each side of the slash and the words both
/// genders share written once ("directeur technique/directrice technique" → "Directeur /
/// Directrice technique"; ROME's "Boulanger / Boulangère" is already so); the first letter is
/// a capital (unless the first word already has one, as in "iOS"), and so is the second
/// alternative's when it starts the title. Other labels are only capitalised.
pub fn display_form(label: &str) -> String {
    let label = label.trim();
    let Some(parts) = gendered_parts(label) else { return capitalise(label) };
    let second = if parts.prefix.is_empty() { capitalise(&parts.second) } else { parts.second };
    let mut out = String::new();
    for (i, piece) in [parts.prefix.as_str(), parts.first.as_str()].into_iter().filter(|p| !p.is_empty()).enumerate() {
        if i > 0 {
            out.push(' ');
        }
        out.push_str(piece);
    }
    out.push_str(" / ");
    out.push_str(&second);
    if !parts.tail.is_empty() {
        out.push(' ');
        out.push_str(&parts.tail);
    }
    capitalise(&out)
}

/// `text` with its first letter upper-case, unless its first word has an upper-case letter.
fn capitalise(text: &str) -> String {
    let first_word = text.split_whitespace().next().unwrap_or("");
    if first_word.chars().any(char::is_uppercase) {
        return text.to_string();
    }
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A métier: its head occupation and the ranked occupations that belong to it.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Group {
    /// The occupation shown.
    pub head: OccupationIdx,
    /// Positions, in the ranked list, of the members that ranked (best first).
    pub members: Vec<usize>,
}

/// Groups a ranked list (best first) of occupation indexes into métiers, in the order of their
/// best members (see the module documentation for the rules).
pub(crate) fn group_ranked(
    occupations: &[Occupation],
    ranked: &[OccupationIdx],
    head: Taxonomy,
    taxonomy: Option<Taxonomy>,
) -> Vec<Group> {
    let mut groups: Vec<Group> = Vec::new();
    let mut by_head: HashMap<OccupationIdx, usize> = HashMap::new();
    let rank_of: HashMap<OccupationIdx, usize> = ranked.iter().enumerate().rev().map(|(i, &o)| (o, i)).collect();
    for (pos, &idx) in ranked.iter().enumerate() {
        let occupation = &occupations[idx as usize];
        let key = if taxonomy.is_some() || occupation.id.taxonomy == head {
            idx
        } else {
            home(occupation, occupations, head, &by_head, &rank_of).unwrap_or(idx)
        };
        match by_head.get(&key) {
            Some(&g) => groups[g].members.push(pos),
            None => {
                by_head.insert(key, groups.len());
                groups.push(Group { head: key, members: vec![pos] });
            }
        }
    }
    groups
}

/// The head-taxonomy occupation a non-head occupation joins, if it has an exact/close link.
fn home(
    occupation: &Occupation,
    occupations: &[Occupation],
    head: Taxonomy,
    by_head: &HashMap<OccupationIdx, usize>,
    rank_of: &HashMap<OccupationIdx, usize>,
) -> Option<OccupationIdx> {
    occupation
        .links
        .iter()
        .filter(|l| same_metier(l.relation))
        .filter(|l| occupations.get(l.target as usize).is_some_and(|o| o.id.taxonomy == head))
        .min_by_key(|l| {
            (
                by_head.get(&l.target).copied().unwrap_or(usize::MAX),
                rank_of.get(&l.target).copied().unwrap_or(usize::MAX),
                strength(l.relation),
                l.target,
            )
        })
        .map(|l| l.target)
}

impl Engine {
    /// Free-text search as the API serves it: one result per occupation ([`Engine::search`])
    /// or per métier ([`Engine::search_metiers`]), each with its confidence.
    pub fn search_results(
        &self,
        req: &SearchRequest,
        grouping: Grouping,
    ) -> Result<Vec<RankedOccupation>, SearchError> {
        Ok(self.search_results_with_intent(req, grouping)?.0)
    }

    /// [`Engine::search_results`] and [`Engine::intent`] of one query, understood once.
    pub fn search_results_with_intent(
        &self,
        req: &SearchRequest,
        grouping: Grouping,
    ) -> Result<(Vec<RankedOccupation>, QueryIntent), SearchError> {
        self.limits.check_limit(req.limit)?;
        let text = self.validate_text(&req.text)?;
        let (mut results, understood) = match grouping {
            Grouping::Occupation => self.search_understood(text, req.scope())?,
            Grouping::Metier => self.search_metiers_understood(text, req)?,
        };
        for r in &mut results {
            r.calibrate(Some(&Calibration::SEARCH));
        }
        Ok((results, self.intent_of(&understood)))
    }

    /// [`Engine::search`], one result per métier ([`Grouping::Metier`]).
    pub fn search_metiers(&self, req: &SearchRequest) -> Result<Vec<RankedOccupation>, SearchError> {
        self.limits.check_limit(req.limit)?;
        let text = self.validate_text(&req.text)?;
        Ok(self.search_metiers_understood(text, req)?.0)
    }

    /// [`Engine::search_metiers`] of a validated text, with what was understood of it.
    fn search_metiers_understood(
        &self,
        text: &str,
        req: &SearchRequest,
    ) -> Result<(Vec<RankedOccupation>, Understood), SearchError> {
        let understood = self.understand_query(text)?;
        let vector = self.query_vector(&understood)?;
        let candidates = (req.limit * CANDIDATES_PER_RESULT).max(MIN_CANDIDATES);
        let ranked = self.rank_full(&understood, &vector, req.scope().with_limit(candidates));
        Ok((self.group(ranked, req.scope()), understood))
    }

    /// [`Engine::match_profile`], one result per métier ([`Grouping::Metier`]).
    pub fn match_metiers(&self, req: &ProfileRequest) -> Result<Vec<RankedOccupation>, SearchError> {
        self.limits.check_limit(req.limit)?;
        let ranked = self.rank_profile(&ProfileRequest { limit: self.limits.max_results, ..req.clone() })?;
        Ok(self.group(ranked, req.scope()))
    }

    /// Merges ranked results (best first) into at most `scope.limit` métiers.
    pub(crate) fn group(&self, ranked: Vec<RankedOccupation>, scope: Scope) -> Vec<RankedOccupation> {
        let Scope { lang, taxonomy, limit, .. } = scope;
        let occupations = &self.index.catalogue().occupations;
        let order: Vec<OccupationIdx> = ranked.iter().map(|r| r.index).collect();
        let groups = group_ranked(occupations, &order, head_taxonomy(lang), taxonomy);
        let mut slots: Vec<Option<RankedOccupation>> = ranked.into_iter().map(Some).collect();
        groups
            .into_iter()
            .take(limit)
            .filter_map(|g| {
                let members: Vec<RankedOccupation> = g.members.iter().filter_map(|&p| slots[p].take()).collect();
                let best = members.first()?;
                let score = best.score;
                // The evidence of the members that ranked, best member first.
                let mut seen = std::collections::HashSet::new();
                let matched: Vec<MatchedForm> = members
                    .iter()
                    .flat_map(|m| m.matched.iter().cloned())
                    .filter(|m| seen.insert(m.text.clone()))
                    .take(MATCHES_PER_RESULT)
                    .collect();
                let ranked_members: Vec<OccupationIdx> = members.iter().map(|m| m.index).collect();
                let mut result = match members.into_iter().find(|m| m.index == g.head) {
                    Some(head) => RankedOccupation { score, matched, ..head },
                    None => self.ranked(g.head, lang, score, matched),
                };
                result.equivalents = Some(self.equivalents(g.head, &ranked_members, lang));
                Some(result)
            })
            .collect()
    }

    /// The occupations of the other taxonomy that are the same métier as `idx`: those in
    /// `ranked` first, then exact before close, then by label.
    pub(crate) fn equivalents(&self, idx: OccupationIdx, ranked: &[OccupationIdx], lang: Lang) -> Vec<LinkRef> {
        let occupations = &self.index.catalogue().occupations;
        let Some(occupation) = occupations.get(idx as usize) else { return Vec::new() };
        let mut out: Vec<(usize, u8, LinkRef)> = occupation
            .links
            .iter()
            .filter(|l| same_metier(l.relation))
            .filter_map(|l| {
                let target = occupations.get(l.target as usize)?;
                let position = ranked.iter().position(|&r| r == l.target).unwrap_or(usize::MAX);
                let link = LinkRef {
                    taxonomy: target.id.taxonomy,
                    code: target.id.code.clone(),
                    label: display_label(target, lang),
                    relation: l.relation,
                };
                Some((position, strength(l.relation), link))
            })
            .collect();
        out.sort_by(|a, b| (a.0, a.1).cmp(&(b.0, b.1)).then_with(|| a.2.label.cmp(&b.2.label)));
        out.into_iter().take(MAX_EQUIVALENTS).map(|(_, _, l)| l).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{CrossLink, LangText, OccupationId};

    fn occupation(taxonomy: Taxonomy, code: &str, links: &[(OccupationIdx, MatchRelation)]) -> Occupation {
        Occupation {
            id: OccupationId { taxonomy, code: code.into() },
            label: LangText { fr: Some(code.into()), en: None },
            description: LangText::default(),
            access: None,
            isco_group: None,
            riasec: Vec::new(),
            interests: Vec::new(),
            skills: Vec::new(),
            links: links.iter().map(|&(target, relation)| CrossLink { target, relation }).collect(),
            kin: Vec::new(),
            contexts: Vec::new(),
            entry_level: None,
            onisep: Vec::new(),
        }
    }

    /// 0: ROME D1102 ↔ 2 (exact), ↔ 3 (narrow); 1: ROME D1104 ↔ 4 (close), ↔ 2 (close);
    /// 2: ESCO baker; 3: ESCO industrial baker; 4: ESCO pastry chef; 5: ESCO bricklayer.
    fn catalogue() -> Vec<Occupation> {
        use MatchRelation::*;
        vec![
            occupation(Taxonomy::Rome, "D1102", &[(2, Exact), (3, Narrow)]),
            occupation(Taxonomy::Rome, "D1104", &[(4, Close), (2, Close)]),
            occupation(Taxonomy::Esco, "baker", &[(0, Exact), (1, Close)]),
            occupation(Taxonomy::Esco, "industrial-baker", &[(0, Broad)]),
            occupation(Taxonomy::Esco, "pastry-chef", &[(1, Close)]),
            occupation(Taxonomy::Esco, "bricklayer", &[]),
        ]
    }

    fn heads(groups: &[Group]) -> Vec<(OccupationIdx, Vec<usize>)> {
        groups.iter().map(|g| (g.head, g.members.clone())).collect()
    }

    #[test]
    fn rome_heads_its_exact_and_close_esco_matches() {
        let occ = catalogue();
        // baker ranks first: it joins D1102 (exact, and ranked), which heads the result at
        // baker's rank; broad/narrow links stay apart; an unlinked occupation stands alone.
        let groups = group_ranked(&occ, &[2, 3, 0, 5, 4], Taxonomy::Rome, None);
        assert_eq!(heads(&groups), vec![(0, vec![0, 2]), (3, vec![1]), (5, vec![3]), (1, vec![4])]);
    }

    #[test]
    fn the_head_need_not_have_ranked() {
        let occ = catalogue();
        let groups = group_ranked(&occ, &[4, 5], Taxonomy::Rome, None);
        assert_eq!(heads(&groups), vec![(1, vec![0]), (5, vec![1])]);
    }

    #[test]
    fn a_head_already_shown_is_preferred() {
        let occ = catalogue();
        // baker links D1102 (exact) and D1104 (close): D1104 already heads a result, so baker
        // joins it rather than open a second card.
        let groups = group_ranked(&occ, &[1, 2], Taxonomy::Rome, None);
        assert_eq!(heads(&groups), vec![(1, vec![0, 1])]);
        // Nothing shown yet: the strongest link (exact) wins.
        let groups = group_ranked(&occ, &[2], Taxonomy::Rome, None);
        assert_eq!(heads(&groups), vec![(0, vec![0])]);
    }

    #[test]
    fn english_is_headed_by_esco_and_a_filter_keeps_every_occupation_apart() {
        let occ = catalogue();
        // D1102 joins baker (exact); D1104 (close to pastry chef and baker) joins baker too,
        // already shown.
        let groups = group_ranked(&occ, &[0, 2, 1], Taxonomy::Esco, None);
        assert_eq!(heads(&groups), vec![(2, vec![0, 1, 2])]);
        let groups = group_ranked(&occ, &[1], Taxonomy::Esco, None);
        assert_eq!(heads(&groups), vec![(2, vec![0])], "exact or close, equal: the first in the catalogue");
        let groups = group_ranked(&occ, &[2, 4], Taxonomy::Rome, Some(Taxonomy::Esco));
        assert_eq!(heads(&groups), vec![(2, vec![0]), (4, vec![1])]);
    }

    #[test]
    fn display_form_is_one_rule_for_both_taxonomies() {
        assert_eq!(display_form("Boulanger / Boulangère"), "Boulanger / Boulangère");
        assert_eq!(display_form("boulanger/boulangère"), "Boulanger / Boulangère");
        assert_eq!(display_form("directeur technique/directrice technique"), "Directeur / Directrice technique");
        assert_eq!(
            display_form("Conducteur / Conductrice d'engins agricoles"),
            "Conducteur / Conductrice d'engins agricoles"
        );
        assert_eq!(
            display_form("massothérapeute animalier/massothérapeute animalière"),
            "Massothérapeute animalier / animalière"
        );
        assert_eq!(display_form("toiletteur/toiletteuse"), display_form("Toiletteur / Toiletteuse"));
        assert_eq!(display_form("baker"), "Baker");
        assert_eq!(display_form("waiter/waitress"), "Waiter / Waitress");
        assert_eq!(display_form("iOS developer"), "iOS developer");
        assert_eq!(display_form("Technicien TV/radio"), "Technicien TV/radio");
        assert_eq!(display_form("  "), "");
        assert_eq!("occupation".parse::<Grouping>(), Ok(Grouping::Occupation));
        assert_eq!("metier".parse::<Grouping>(), Ok(Grouping::Metier));
        assert_eq!(<Grouping as crate::names::Named>::from_name("Metier"), None, "the API reads names exactly");
    }
}
