//! Everything shown about one occupation, including its nearest neighbours in the index.

use std::collections::HashMap;

use serde::Serialize;
use utoipa::ToSchema;

use super::{display_label, Engine};
use crate::catalog::{Kinship, Lang, LangText, MatchRelation, OccupationIdx, SkillKind, SkillRelation, Taxonomy};
use crate::index::dot;

/// A skill as listed on an occupation.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = SkillItem)]
pub struct SkillRef {
    /// ESCO skill URI or ROME code_ogr.
    pub code: String,
    /// Label in the requested language (or the other one).
    pub label: String,
    /// Skill, knowledge or attitude.
    pub kind: SkillKind,
}

/// Skills of an occupation split by relation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, ToSchema)]
#[schema(as = SkillGroups)]
pub struct SkillsByRelation {
    /// Essential skills.
    pub essential: Vec<SkillRef>,
    /// Optional skills.
    pub optional: Vec<SkillRef>,
}

/// A crosswalk link to the other taxonomy.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = LinkItem)]
pub struct LinkRef {
    /// Taxonomy of the linked occupation.
    pub taxonomy: Taxonomy,
    /// Its code.
    pub code: String,
    /// Its label.
    pub label: String,
    /// SKOS relation: `exact`, `close`, `broad` or `narrow`.
    pub relation: MatchRelation,
}

/// An ONISEP métier page about an occupation (a link to onisep.fr).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, ToSchema)]
#[schema(as = OnisepItem)]
pub struct OnisepRef {
    /// The ONISEP métier title, in the display form of labels ("Boulanger / Boulangère"),
    /// when the index knows it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The page on onisep.fr.
    #[schema(example = "http://www.onisep.fr/http/redirection/metier/slug/MET.88")]
    pub url: String,
}

/// Why an occupation is listed as related.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Relatedness {
    /// The broader ESCO occupation.
    Broader,
    /// A narrower ESCO occupation.
    Narrower,
    /// A ROME mobilité (a fiche people commonly move to).
    Mobility,
    /// Nearest in the embedding index.
    Similar,
}

impl From<Kinship> for Relatedness {
    fn from(k: Kinship) -> Self {
        match k {
            Kinship::Broader => Relatedness::Broader,
            Kinship::Narrower => Relatedness::Narrower,
            Kinship::Mobility => Relatedness::Mobility,
        }
    }
}

/// A related occupation: from the classification (broader, narrower, mobilité) or nearest in
/// the index.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = RelatedItem)]
pub struct RelatedRef {
    /// Taxonomy.
    pub taxonomy: Taxonomy,
    /// Code.
    pub code: String,
    /// Label.
    pub label: String,
    /// Similarity to the occupation shown: the cosine between the two occupations' label
    /// centroids.
    pub score: f32,
    /// Why it is related: `broader`, `narrower` (ESCO), `mobility` (ROME mobilité) or
    /// `similar` (nearest in the index).
    pub relation: Relatedness,
}

/// The detail view of one occupation: everything shown about it.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
#[schema(as = OccupationBody)]
pub struct OccupationDetail {
    /// Taxonomy.
    pub taxonomy: Taxonomy,
    /// ROME code or ESCO URI.
    pub code: String,
    /// Label in the requested language.
    pub label: String,
    /// Labels in every language available.
    pub labels: LangText,
    /// Description (ROME définition, ESCO description).
    pub description: Option<String>,
    /// ROME "accès à l'emploi".
    pub access: Option<String>,
    /// ISCO-08 group (ESCO).
    pub isco_group: Option<String>,
    /// RIASEC codes, major first.
    pub riasec: Vec<String>,
    /// ROME centres d'intérêt.
    pub interests: Vec<String>,
    /// Skills by relation.
    pub skills: SkillsByRelation,
    /// Crosswalk links to the other taxonomy.
    pub links: Vec<LinkRef>,
    /// Related occupations: the classification's (broader, narrower, mobilité), then the
    /// nearest in the index.
    pub related: Vec<RelatedRef>,
    /// ONISEP métier pages about this fiche (onisep.fr, the site French pupils and teachers
    /// use), in the listing's order; empty for ESCO occupations and fiches ONISEP does not map.
    pub onisep: Vec<OnisepRef>,
    /// The métier's facets (contextes de travail, entry level) with their label in the
    /// requested language; an ESCO occupation has those its crosswalked ROME fiches share.
    pub facets: Vec<FacetRef>,
    /// The lowest diploma level the métier is reachable with, when known.
    pub entry_level: Option<crate::catalog::EducationLevel>,
    /// With a profile (`skill` or `text`) only: the skills it covers and those it would learn.
    #[serde(flatten)]
    pub coverage: super::SkillCoverage,
}

/// A facet of a métier, labelled.
#[derive(Debug, Clone, PartialEq, Serialize, ToSchema)]
pub struct FacetRef {
    /// Id of `GET /v1/facets`.
    pub id: String,
    /// `context` or `level`.
    pub kind: crate::catalog::FacetKind,
    /// Label in the requested language.
    pub label: String,
}

/// Related occupations listed in a detail view, per source (classification, embeddings).
const RELATED: usize = 8;

impl Engine {
    /// Everything about occupation `idx`, in `lang`.
    pub fn detail(&self, idx: OccupationIdx, lang: Lang) -> Option<OccupationDetail> {
        let catalogue = self.index.catalogue();
        let occupation = catalogue.occupations.get(idx as usize)?;
        let mut skills = SkillsByRelation::default();
        for link in &occupation.skills {
            let Some(skill) = catalogue.skills.get(link.skill as usize) else { continue };
            let entry = SkillRef {
                code: skill.id.code.clone(),
                label: skill.label.get_or_any(lang).unwrap_or(&skill.id.code).to_string(),
                kind: skill.kind,
            };
            match link.relation {
                SkillRelation::Essential => skills.essential.push(entry),
                SkillRelation::Optional => skills.optional.push(entry),
            }
        }
        let links = occupation
            .links
            .iter()
            .filter_map(|l| {
                let target = catalogue.occupations.get(l.target as usize)?;
                Some(LinkRef {
                    taxonomy: target.id.taxonomy,
                    code: target.id.code.clone(),
                    label: display_label(target, lang),
                    relation: l.relation,
                })
            })
            .collect();
        let centroid = self.centroid(idx);
        let similarity = |other: OccupationIdx| match (&centroid, self.centroid(other)) {
            (Some(a), Some(b)) => dot(a, &b),
            _ => 0.0,
        };
        let reference = |other: OccupationIdx, score: f32, relation: Relatedness| {
            let o = &catalogue.occupations[other as usize];
            RelatedRef {
                taxonomy: o.id.taxonomy,
                code: o.id.code.clone(),
                label: display_label(o, lang),
                score,
                relation,
            }
        };
        // The classification's own links come first; embedding neighbours fill in after them.
        let mut related: Vec<RelatedRef> = occupation
            .kin
            .iter()
            .take(RELATED)
            .map(|k| reference(k.target, similarity(k.target), k.kinship.into()))
            .collect();
        let listed: Vec<OccupationIdx> = occupation.kin.iter().take(RELATED).map(|k| k.target).collect();
        let neighbours =
            centroid.as_deref().map(|c| self.neighbours(c, idx, RELATED + listed.len())).unwrap_or_default();
        related.extend(
            neighbours
                .into_iter()
                .filter(|(other, _)| !listed.contains(other))
                .take(RELATED)
                .map(|(other, score)| reference(other, score, Relatedness::Similar)),
        );
        Some(OccupationDetail {
            taxonomy: occupation.id.taxonomy,
            code: occupation.id.code.clone(),
            label: display_label(occupation, lang),
            labels: occupation.label.clone(),
            description: occupation.description.get_or_any(lang).map(str::to_string),
            access: occupation.access.clone(),
            isco_group: occupation.isco_group.clone(),
            riasec: occupation.riasec.clone(),
            interests: occupation.interests.clone(),
            skills,
            links,
            related,
            onisep: occupation
                .onisep
                .iter()
                .map(|l| OnisepRef { title: l.title.as_deref().map(super::display_form), url: l.url.clone() })
                .collect(),
            facets: self
                .facets()
                .of(idx)
                .iter()
                .map(|&f| {
                    let facet = self.facets().table().get(f);
                    FacetRef {
                        id: facet.id.clone(),
                        kind: facet.kind,
                        label: facet.label.get_or_any(lang).unwrap_or_default().to_string(),
                    }
                })
                .collect(),
            entry_level: self.entry_level(idx),
            coverage: super::SkillCoverage::default(),
        })
    }

    /// The `n` occupations nearest to `idx`, by the centroid of their surface-form vectors.
    pub fn related(&self, idx: OccupationIdx, n: usize) -> Vec<(OccupationIdx, f32)> {
        self.centroid(idx).map(|c| self.neighbours(&c, idx, n)).unwrap_or_default()
    }

    /// The `n` occupations other than `idx` nearest to an occupation centroid.
    fn neighbours(&self, centroid: &[f32], idx: OccupationIdx, n: usize) -> Vec<(OccupationIdx, f32)> {
        let catalogue = self.index.catalogue();
        let mut best: HashMap<OccupationIdx, f32> = HashMap::new();
        for hit in self.index.search(centroid, (n * 10).max(50), None) {
            for &f in self.index.forms_of_row(hit.row) {
                let occ = catalogue.forms[f as usize].occupation;
                if occ != idx {
                    let e = best.entry(occ).or_insert(f32::MIN);
                    *e = e.max(hit.score);
                }
            }
        }
        let mut out: Vec<_> = best.into_iter().collect();
        out.sort_by(|a, b| b.1.total_cmp(&a.1).then(a.0.cmp(&b.0)));
        out.truncate(n);
        out
    }

    /// Unit mean of the vectors of an occupation's surface forms.
    fn centroid(&self, idx: OccupationIdx) -> Option<Vec<f32>> {
        let dim = self.index.dimension();
        let mut sum = vec![0f32; dim];
        let mut any = false;
        for &row in self.index.rows_of_occupation(idx) {
            any = true;
            for (s, v) in sum.iter_mut().zip(self.index.vector(row as usize)) {
                *s += v.to_f32();
            }
        }
        let norm = dot(&sum, &sum).sqrt();
        (any && norm > 0.0).then(|| sum.iter().map(|x| x / norm).collect())
    }
}
