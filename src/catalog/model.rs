//! Typed records of the occupation/skill catalogue, shared by every later stage.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::names::named;

/// A language the catalogue carries labels in.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    /// French (the default: the product is French first).
    #[default]
    Fr,
    /// English.
    En,
}

// ISO 639-1 codes, French first.
named!(Lang, "language", { Fr => "fr", En => "en" });

/// An occupation classification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum Taxonomy {
    /// France Travail's Répertoire Opérationnel des Métiers et des Emplois (fiches métiers).
    Rome,
    /// European Skills, Competences, Qualifications and Occupations.
    Esco,
}

named!(Taxonomy, "taxonomy", { Rome => "rome", Esco => "esco" });

/// Identifier of an occupation inside its taxonomy: a 5-character ROME code (`D1102`) or an
/// ESCO concept URI.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, ToSchema)]
pub struct OccupationId {
    /// Which classification the code belongs to.
    pub taxonomy: Taxonomy,
    /// The code as published (ROME code or ESCO URI).
    pub code: String,
}

impl fmt::Display for OccupationId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.taxonomy, self.code)
    }
}

/// Identifier of a skill: an ESCO skill URI or a ROME compétence `code_ogr`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct SkillId {
    /// Which classification the skill belongs to.
    pub taxonomy: Taxonomy,
    /// The code as published.
    pub code: String,
}

/// Position of a record in [`Catalogue::occupations`].
pub type OccupationIdx = u32;
/// Position of a record in [`Catalogue::skills`].
pub type SkillIdx = u32;

/// Text in each language it exists in (French and/or English).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[schema(as = Labels)]
pub struct LangText {
    /// French text, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fr: Option<String>,
    /// English text, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl LangText {
    /// Text in `lang` only.
    pub fn get(&self, lang: Lang) -> Option<&str> {
        match lang {
            Lang::Fr => self.fr.as_deref(),
            Lang::En => self.en.as_deref(),
        }
    }

    /// Text in `lang`, falling back to the other language.
    pub fn get_or_any(&self, lang: Lang) -> Option<&str> {
        self.get(lang).or(self.fr.as_deref()).or(self.en.as_deref())
    }

    /// Sets the text for `lang`.
    pub fn set(&mut self, lang: Lang, text: String) {
        match lang {
            Lang::Fr => self.fr = Some(text),
            Lang::En => self.en = Some(text),
        }
    }
}

/// What kind of label a surface form comes from; ranks evidence and explains matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FormKind {
    /// ESCO preferred label or ROME fiche libellé.
    Preferred,
    /// ESCO alternative label.
    Alt,
    /// ESCO hidden label (misspellings, obsolete terms).
    Hidden,
    /// ROME principal appellation.
    Appellation,
    /// ROME synonym appellation.
    Synonym,
    /// One gender of a gendered label ("Boulangère" from "Boulanger / Boulangère").
    Gendered,
    /// ONISEP métier title (the site young people and teachers use), mapped to its ROME fiche.
    Onisep,
    /// O*NET alternate title (US), attached through the ESCO ↔ O*NET crosswalk.
    OnetAlternate,
    /// Job title reported by US workers in O*NET's surveys, attached likewise.
    OnetReported,
}

/// One searchable string pointing to its occupation.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SurfaceForm {
    /// The text that is embedded and matched.
    pub text: String,
    /// Where the text comes from.
    pub kind: FormKind,
    /// Language of the text.
    pub lang: Lang,
    /// The occupation it names.
    pub occupation: OccupationIdx,
}

/// Whether a skill is required by an occupation or only useful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SkillRelation {
    /// Essential skill (ESCO essential; ROME core compétence).
    Essential,
    /// Optional skill.
    Optional,
}

/// A skill attached to an occupation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SkillLink {
    /// The skill.
    pub skill: SkillIdx,
    /// Essential or optional.
    pub relation: SkillRelation,
}

/// SKOS mapping relation of a crosswalk link.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum MatchRelation {
    /// skos:exactMatch.
    Exact,
    /// skos:closeMatch.
    Close,
    /// skos:broadMatch.
    Broad,
    /// skos:narrowMatch.
    Narrow,
}

/// Link from an occupation to one in the other taxonomy (ROME↔ESCO crosswalk).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrossLink {
    /// The linked occupation.
    pub target: OccupationIdx,
    /// How close the mapping is.
    pub relation: MatchRelation,
}

/// How the classification itself relates two of its occupations.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Kinship {
    /// The target is the broader ESCO occupation.
    Broader,
    /// The target is a narrower (more specific) ESCO occupation.
    Narrower,
    /// The target is a ROME mobilité: a fiche people commonly move to.
    Mobility,
}

/// A link to a related occupation of the same taxonomy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Kin {
    /// The related occupation.
    pub target: OccupationIdx,
    /// How it is related.
    pub kinship: Kinship,
}

/// One occupation (ESCO occupation or ROME fiche) with what the service shows about it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Occupation {
    /// Taxonomy and code.
    pub id: OccupationId,
    /// Display label per language (gendered forms kept as published).
    pub label: LangText,
    /// Description (ESCO description; ROME définition).
    pub description: LangText,
    /// ROME "accès à l'emploi" text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub access: Option<String>,
    /// ISCO-08 unit group code (ESCO).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub isco_group: Option<String>,
    /// RIASEC codes, major first (ROME), e.g. `["R", "I"]`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub riasec: Vec<String>,
    /// ROME centres d'intérêt labels.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub interests: Vec<String>,
    /// Essential and optional skills.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub skills: Vec<SkillLink>,
    /// Crosswalk links to the other taxonomy.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub links: Vec<CrossLink>,
    /// ESCO broader/narrower occupations and ROME mobilités, in published order.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kin: Vec<Kin>,
    /// ROME contextes de travail ("Travail de nuit", "En extérieur"...).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub contexts: Vec<String>,
    /// Lowest diploma level the ROME accès text names for this fiche.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub entry_level: Option<EducationLevel>,
    /// ONISEP métier pages about this fiche (ONISEP Idéo-Métiers links).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub onisep: Vec<OnisepLink>,
}

/// An ONISEP métier page about a ROME fiche.
///
/// Indexes built before titles were kept hold bare URLs; they still load (without a title).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(from = "OnisepLinkRepr")]
pub struct OnisepLink {
    /// The ONISEP métier title as published ("boulanger / boulangère"), when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The page on onisep.fr.
    pub url: String,
}

/// What an [`OnisepLink`] may be read from: a bare URL (older indexes) or the full record.
#[derive(Deserialize)]
#[serde(untagged)]
enum OnisepLinkRepr {
    Url(String),
    Link {
        #[serde(default)]
        title: Option<String>,
        url: String,
    },
}

impl From<OnisepLinkRepr> for OnisepLink {
    fn from(r: OnisepLinkRepr) -> Self {
        match r {
            OnisepLinkRepr::Url(url) => OnisepLink { title: None, url },
            OnisepLinkRepr::Link { title, url } => OnisepLink { title, url },
        }
    }
}

/// Diploma levels of the French national nomenclature (niveaux 3 to 8), plus none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EducationLevel {
    /// Accessible without any diploma.
    None,
    /// CAP, BEP, CAPA, CQP, titre professionnel (niveau 3).
    Cap,
    /// Bac, bac pro, brevet professionnel (niveau 4).
    Bac,
    /// Bac+2: BTS, DUT, DEUST (niveau 5).
    Bac2,
    /// Bac+3: licence, BUT, diplômes d'État paramédicaux (niveau 6).
    Bac3,
    /// Bac+5: master, diplôme d'ingénieur (niveau 7).
    Bac5,
    /// Doctorate and diplômes d'État of medicine, pharmacy (niveau 8).
    Doctorate,
}

impl EducationLevel {
    /// Name used in JSON and in the CLI.
    pub fn as_str(self) -> &'static str {
        match self {
            EducationLevel::None => "none",
            EducationLevel::Cap => "cap",
            EducationLevel::Bac => "bac",
            EducationLevel::Bac2 => "bac2",
            EducationLevel::Bac3 => "bac3",
            EducationLevel::Bac5 => "bac5",
            EducationLevel::Doctorate => "doctorate",
        }
    }

    /// Every level, lowest first.
    pub const ALL: [EducationLevel; 7] = [
        EducationLevel::None,
        EducationLevel::Cap,
        EducationLevel::Bac,
        EducationLevel::Bac2,
        EducationLevel::Bac3,
        EducationLevel::Bac5,
        EducationLevel::Doctorate,
    ];

    /// The level named `name` ([`EducationLevel::as_str`]).
    pub fn parse(name: &str) -> Option<EducationLevel> {
        EducationLevel::ALL.into_iter().find(|l| l.as_str() == name)
    }
}

/// A ROME centre d'intérêt ("J'aime m'occuper des animaux") and the fiches linked to it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Interest {
    /// ROME code of the centre d'intérêt.
    pub code: String,
    /// Label, phrased as a young person would say it.
    pub label: String,
    /// ROME's definition text, when the definitions file is present.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub definition: Option<String>,
    /// Linked fiches; `principal` marks the fiche's main centre d'intérêt.
    pub occupations: Vec<InterestLink>,
}

/// A fiche linked to a centre d'intérêt.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct InterestLink {
    /// The fiche.
    pub occupation: OccupationIdx,
    /// Whether this is the fiche's principal centre d'intérêt.
    pub principal: bool,
}

/// What a descriptive passage of an occupation is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PassageKind {
    /// A sentence of the ROME définition.
    Definition,
    /// A sentence of the ROME accès (diplomas, experience).
    Access,
    /// The first sentence of the ESCO description.
    Description,
}

/// A sentence describing an occupation: evidence for sentence-like queries.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Passage {
    /// The occupation described.
    pub occupation: OccupationIdx,
    /// Where the sentence comes from.
    pub kind: PassageKind,
    /// Its language.
    pub lang: Lang,
    /// The sentence.
    pub text: String,
}

impl PassageKind {
    /// Whether passages of this kind get a vector (accès sentences are matched lexically only:
    /// diplomas are words, not meanings).
    pub fn embedded(self) -> bool {
        !matches!(self, PassageKind::Access)
    }
}

/// What a skill is (ESCO `skillType`, or the ROME referential it comes from).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum SkillKind {
    /// ESCO "skill/competence" or ROME savoir-faire / compétence.
    Skill,
    /// ESCO "knowledge" or ROME savoir.
    Knowledge,
    /// ROME savoir-être professionnel.
    Attitude,
}

/// One skill (ESCO skill or ROME compétence/savoir).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Skill {
    /// Taxonomy and code.
    pub id: SkillId,
    /// Label per language.
    pub label: LangText,
    /// Kind of skill.
    pub kind: SkillKind,
    /// ESCO reuse level (`transversal`, `cross-sector`, `sector-specific`, `occupation-specific`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reuse_level: Option<String>,
}

/// Version and checksum of one dataset that went into a catalogue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DatasetInfo {
    /// Dataset name (`esco`, `rome`, `rome-esco-crosswalk`).
    pub name: String,
    /// Published version (`1.1.1`, `4.60`, `1.4`).
    pub version: String,
    /// sha256 over the files read, in name order (`file:sha256` lines hashed).
    pub sha256: String,
}

/// A problem found in an input file that was repaired or skipped, with where it is.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IngestIssue {
    /// File name relative to the data directory.
    pub file: String,
    /// 1-based line number in the file.
    pub line: usize,
    /// What was wrong and what was done.
    pub message: String,
}

/// Which datasets go into a catalogue.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sources {
    /// Include ESCO occupations and skills.
    pub esco: bool,
    /// Include ROME fiches, appellations and compétences.
    pub rome: bool,
    /// Attach O*NET's English titles to the ESCO occupations (needs `esco`). Off by default:
    /// it doubles the forms, and the server's memory and throughput then miss their targets.
    #[serde(default)]
    pub onet: bool,
}

impl Default for Sources {
    fn default() -> Self {
        Sources { esco: true, rome: true, onet: false }
    }
}

impl FromStr for Sources {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let mut out = Sources { esco: false, rome: false, onet: false };
        for part in s.split(',').map(str::trim).filter(|p| !p.is_empty()) {
            match part.to_ascii_lowercase().as_str() {
                "esco" => out.esco = true,
                "rome" => out.rome = true,
                "onet" => out.onet = true,
                "all" => out = Sources { onet: true, ..Sources::default() },
                other => return Err(format!("unknown source `{other}` (expected `esco`, `rome` or `onet`)")),
            }
        }
        if !out.esco && !out.rome {
            return Err("no source selected".into());
        }
        if out.onet && !out.esco {
            return Err("`onet` attaches O*NET's titles to ESCO occupations: select `esco` too".into());
        }
        Ok(out)
    }
}

impl fmt::Display for Sources {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let parts: Vec<&str> = [(self.esco, "esco"), (self.rome, "rome"), (self.onet, "onet")]
            .into_iter()
            .filter_map(|(on, name)| on.then_some(name))
            .collect();
        f.write_str(&parts.join(","))
    }
}

/// Everything the later stages need from the datasets.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Catalogue {
    /// Occupations of every selected taxonomy.
    pub occupations: Vec<Occupation>,
    /// Skills of every selected taxonomy.
    pub skills: Vec<Skill>,
    /// Searchable surface forms (labels, appellations, gendered variants), deduplicated per
    /// (occupation, language, text).
    pub forms: Vec<SurfaceForm>,
    /// Sentences describing occupations (ROME définitions and accès, ESCO descriptions).
    #[serde(default)]
    pub passages: Vec<Passage>,
    /// ROME centres d'intérêt with their fiches.
    #[serde(default)]
    pub interests: Vec<Interest>,
    /// Datasets read, with versions and checksums.
    pub datasets: Vec<DatasetInfo>,
    /// Rows repaired or skipped while reading.
    pub issues: Vec<IngestIssue>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn onisep_links_read_bare_urls_of_older_indexes() {
        let links: Vec<OnisepLink> = serde_json::from_str(
            r#"["http://a", {"title": "boulanger / boulangère", "url": "http://b"}, {"url": "http://c"}]"#,
        )
        .expect("links");
        assert_eq!(links[0], OnisepLink { title: None, url: "http://a".into() });
        assert_eq!(links[1].title.as_deref(), Some("boulanger / boulangère"));
        assert_eq!(links[2], OnisepLink { title: None, url: "http://c".into() });
        let json = serde_json::to_string(&links[1]).expect("json");
        assert_eq!(serde_json::from_str::<OnisepLink>(&json).expect("round trip"), links[1]);
    }
}
