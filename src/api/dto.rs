//! The JSON contract: request and response bodies, documented for OpenAPI.
//!
//! These mirror the engine's types instead of serialising them directly, so the wire format
//! (flat `taxonomy`/`code`, field names) is decided here and survives engine refactors.

use std::collections::BTreeMap;

use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use crate::catalog::{Lang, LangText, SkillKind, Taxonomy};
use crate::index::IndexManifest;
use crate::search::{
    Calibration, InterestRef, LinkRef, LiveStatus, MatchKind, MatchedForm, OccupationDetail, RankedOccupation,
    RelatedRef, Relatedness, SkillHit, SkillRef,
};

/// Schema of a language code (documentation only; the engine's `Lang` is what is serialised).
#[derive(ToSchema)]
#[schema(as = Lang)]
#[allow(dead_code)] // Only its schema is used.
#[serde(rename_all = "lowercase")]
pub(crate) enum LangSchema {
    /// French.
    Fr,
    /// English.
    En,
}

/// Schema of a taxonomy name (documentation only).
#[derive(ToSchema)]
#[schema(as = Taxonomy)]
#[allow(dead_code)] // Only its schema is used.
#[serde(rename_all = "lowercase")]
pub(crate) enum TaxonomySchema {
    /// France Travail ROME fiches métiers.
    Rome,
    /// European ESCO occupations.
    Esco,
}

/// Schema of a skill kind (documentation only).
#[derive(ToSchema)]
#[schema(as = SkillKind)]
#[allow(dead_code)] // Only its schema is used.
#[serde(rename_all = "snake_case")]
pub(crate) enum SkillKindSchema {
    /// Skill / competence / savoir-faire.
    Skill,
    /// Knowledge / savoir.
    Knowledge,
    /// Savoir-être.
    Attitude,
}

/// Query parameters of `GET /v1/search`, once validated.
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What the person typed (1 to `max-query-chars` characters).
    #[param(example = "boulanger")]
    pub q: String,
    /// Display language (`fr` by default).
    #[param(value_type = Option<LangSchema>)]
    pub lang: Lang,
    /// Restrict to one taxonomy (both by default).
    #[param(value_type = Option<TaxonomySchema>)]
    pub taxonomy: Option<Taxonomy>,
    /// Number of results, 1 to `max-results` (10 by default).
    #[param(value_type = Option<usize>, minimum = 1, maximum = 50)]
    pub limit: usize,
    /// Results to skip, for paging (0 by default), at most `max-results` − 1; pages cover the
    /// `max-results` best, so the last one may be shorter than `limit`.
    #[param(value_type = Option<usize>, minimum = 0, maximum = 49)]
    pub offset: usize,
    /// `occupation` (the default): one result per occupation of either taxonomy; `metier`:
    /// one result per métier, with its `equivalents` in the other taxonomy.
    #[param(value_type = Option<GroupSchema>)]
    pub group: crate::search::Grouping,
}

/// Schema of a grouping (documentation only; the engine's `Grouping` is what is read).
#[derive(ToSchema)]
#[schema(as = Grouping)]
#[allow(dead_code)] // Only its schema is used.
#[serde(rename_all = "lowercase")]
pub(crate) enum GroupSchema {
    /// One result per occupation of either taxonomy (the default).
    Occupation,
    /// One result per métier: a ROME fiche (French) or an ESCO occupation (English) with the
    /// occupations of the other taxonomy the crosswalk says are the same métier (exact or close
    /// match) listed as its `equivalents`; broad/narrow matches stay separate results.
    Metier,
}

/// Query parameters of `GET /v1/occupations/{taxonomy}/{code}`, once validated.
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OccupationParams {
    /// Display language (`fr` by default).
    #[param(value_type = Option<LangSchema>)]
    pub lang: Lang,
    /// A skill of the person's profile, repeated once per skill (`skill=a&skill=b`; labels as
    /// suggested by `/v1/skills/search`; at most 50, each at most 256 characters and 40
    /// words). With `skill` or `text`, the answer carries `skills_covered` and
    /// `skills_to_learn`.
    #[param(style = Form, explode, example = json!(["Pétrir manuellement ou mécaniquement des pâtes"]))]
    pub skill: Vec<String>,
    /// Free text of the person's profile; skills named in it count as the profile's
    /// (at most `max-query-chars` characters).
    pub text: Option<String>,
}

/// Query parameters of `GET /v1/skills/search`, once validated.
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct SkillSearchParams {
    /// Typed text (prefix or words of a skill label).
    #[param(example = "pâte")]
    pub q: String,
    /// Display language (`fr` by default).
    #[param(value_type = Option<LangSchema>)]
    pub lang: Lang,
    /// Number of results, 1 to `max-results` (10 by default).
    #[param(value_type = Option<usize>, minimum = 1, maximum = 50)]
    pub limit: usize,
}

/// Query parameter `lang` alone (`GET /v1/interests` documents it; labels are French only).
#[derive(Debug, Clone, IntoParams)]
#[allow(dead_code)] // Only its parameters are documented.
#[into_params(parameter_in = Query)]
pub struct LangParams {
    /// Display language (`fr` by default).
    #[param(value_type = Option<LangSchema>)]
    pub lang: Lang,
}

/// Body of `POST /v1/match`; at least one of `text`, `skills`, `interests`, `riasec` must be
/// non-empty.
#[derive(Debug, Clone, Default, ToSchema)]
pub struct MatchRequest {
    /// Free text about the person ("j'aime les animaux et le plein air").
    #[schema(example = "j'aime les animaux")]
    pub text: Option<String>,
    /// Skill labels, as suggested by `/v1/skills/search`.
    #[serde(default)]
    pub skills: Vec<String>,
    /// Centre d'intérêt labels, as listed by `/v1/interests`.
    #[serde(default)]
    pub interests: Vec<String>,
    /// RIASEC interest profile (e.g. from the web questionnaire): a score in [0, 1] per Holland
    /// type, at least one above 0; absent letters score 0. Alone, it ranks ROME fiches (ESCO
    /// occupations through the crosswalk when `taxonomy` is `esco`) by fit with their RIASEC
    /// codes; with text, skills or interests, it re-orders what they found (weight 0.3).
    #[schema(value_type = Option<RiasecScores>)]
    pub riasec: Option<crate::search::RiasecProfile>,
    /// Display language (`fr` by default).
    #[schema(value_type = Option<LangSchema>)]
    pub lang: Option<Lang>,
    /// Restrict to one taxonomy (both by default).
    #[schema(value_type = Option<TaxonomySchema>)]
    pub taxonomy: Option<Taxonomy>,
    /// Number of results, 1 to `max-results` (10 by default).
    #[schema(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
    /// Results to skip, for paging (0 by default), at most `max-results` − 1; pages cover the
    /// `max-results` best, so the last one may be shorter than `limit`.
    #[schema(minimum = 0, maximum = 49)]
    pub offset: Option<usize>,
    /// `occupation` (the default): one result per occupation of either taxonomy; `metier`:
    /// one result per métier, with its `equivalents` in the other taxonomy.
    #[schema(value_type = Option<GroupSchema>)]
    pub group: Option<crate::search::Grouping>,
}

/// Schema of a RIASEC profile (documentation only; `/v1/match` validates it field by field).
#[derive(ToSchema)]
#[allow(dead_code, non_snake_case)] // Only its schema is used; the keys are the letters.
#[serde(deny_unknown_fields)]
#[schema(example = json!({"R": 0.2, "I": 0.1, "A": 0.9, "S": 0.8, "E": 0.3, "C": 0.1}))]
pub(crate) struct RiasecScores {
    /// Réaliste: making, repairing, working outdoors, with tools and machines.
    #[schema(minimum = 0.0, maximum = 1.0)]
    R: Option<f32>,
    /// Investigateur: understanding, observing, researching.
    #[schema(minimum = 0.0, maximum = 1.0)]
    I: Option<f32>,
    /// Artistique: creating, imagining, expressing.
    #[schema(minimum = 0.0, maximum = 1.0)]
    A: Option<f32>,
    /// Social: helping, teaching, caring for people.
    #[schema(minimum = 0.0, maximum = 1.0)]
    S: Option<f32>,
    /// Entreprenant: leading, convincing, selling, organising projects.
    #[schema(minimum = 0.0, maximum = 1.0)]
    E: Option<f32>,
    /// Conventionnel: organising, following procedures, handling data.
    #[schema(minimum = 0.0, maximum = 1.0)]
    C: Option<f32>,
}

/// Ranked occupations for a search or a profile.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SearchResponse {
    /// The query text as understood (trimmed); `""` for a profile without text.
    pub query: String,
    /// Display language of the results.
    #[schema(value_type = LangSchema)]
    pub lang: Lang,
    /// Results skipped before these (`offset` of the request; 0 for the first page).
    pub offset: usize,
    /// Occupations, best first.
    pub results: Vec<OccupationHit>,
    /// Server-side time spent, in milliseconds.
    pub took_ms: u64,
}

/// One ranked occupation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OccupationHit {
    /// Taxonomy of the occupation.
    #[schema(value_type = TaxonomySchema)]
    pub taxonomy: Taxonomy,
    /// ROME code (`D1102`) or ESCO URI.
    pub code: String,
    /// Label in the requested language (or the other one).
    pub label: String,
    /// First sentence of the description, when known.
    pub description: Option<String>,
    /// Ranking score (higher is better; comparable within one answer only).
    pub score: f32,
    /// Calibrated probability, in [0, 1], that an adviser would call this result relevant:
    /// among results shown with confidence 0.8, about 8 in 10 are (fitted on the evaluation
    /// sets; comparable across queries). Never increases down a ranking. `null` for a
    /// `/v1/match` profile made of `riasec` alone: no evaluation set judges such profiles, so
    /// there is nothing to calibrate against.
    #[schema(minimum = 0.0, maximum = 1.0, example = 0.82)]
    pub confidence: Option<f32>,
    /// Evidence that made it match, best first.
    pub matched: Vec<MatchedItem>,
    /// A few essential skills.
    pub skills: Vec<String>,
    /// With `group=metier` only: the occupations of the other taxonomy that are the same
    /// métier (crosswalk `exact` or `close` match), those that ranked first, then exact before
    /// close; at most 6. The result's `score` is its best member's.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub equivalents: Option<Vec<LinkItem>>,
    /// `POST /v1/match` only: the occupation's essential skills the profile already covers
    /// (a profile skill is the same skill, or its label and the skill's match word by word),
    /// most central first (listed by the fewest occupations); at most 8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skills_covered: Option<Vec<SkillItem>>,
    /// `POST /v1/match` only: the occupation's essential skills the profile would need to
    /// learn, most central first; at most 8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skills_to_learn: Option<Vec<SkillItem>>,
}

/// A piece of evidence behind a match.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct MatchedItem {
    /// Matched text: a label, an appellation, a sentence describing the occupation, a centre
    /// d'intérêt, a profile skill, or the phrase of the query found in a lexicon.
    pub text: String,
    /// Labels: `preferred`, `alt`, `hidden`, `appellation`, `synonym`, `gendered`, `onisep`;
    /// sentences: `definition`, `access`, `description`; `interest` (centre d'intérêt), `skill`;
    /// `riasec` (the occupation's RIASEC types the profile shares, "Social – Artistique"; score:
    /// the fit in [0, 1]);
    /// lexicon phrases: `colloquial` (slang job name), `school` (diploma, subject).
    #[schema(value_type = String, example = "appellation")]
    pub kind: MatchKind,
    /// Language of the text.
    #[schema(value_type = LangSchema)]
    pub lang: Lang,
    /// Similarity to the query.
    pub score: f32,
}

impl From<MatchedForm> for MatchedItem {
    fn from(m: MatchedForm) -> Self {
        MatchedItem { text: m.text, kind: m.kind, lang: m.lang, score: m.score }
    }
}

impl OccupationHit {
    /// A ranked occupation with its confidence read on `calibration`'s curve (none: no
    /// confidence).
    pub fn calibrated(r: RankedOccupation, calibration: Option<&Calibration>) -> OccupationHit {
        let confidence = calibration.map(|c| c.confidence(r.score));
        OccupationHit { confidence, ..OccupationHit::from(r) }
    }
}

impl From<RankedOccupation> for OccupationHit {
    fn from(r: RankedOccupation) -> Self {
        OccupationHit {
            taxonomy: r.id.taxonomy,
            code: r.id.code,
            label: r.label,
            description: r.description,
            score: r.score,
            confidence: Some(Calibration::SEARCH.confidence(r.score)),
            matched: r.matched.into_iter().map(MatchedItem::from).collect(),
            skills: r.skills,
            equivalents: r.equivalents.map(|e| e.into_iter().map(LinkItem::from).collect()),
            skills_covered: r.coverage.as_ref().map(|c| c.covered.iter().cloned().map(SkillItem::from).collect()),
            skills_to_learn: r.coverage.map(|c| c.to_learn.into_iter().map(SkillItem::from).collect()),
        }
    }
}

/// Labels of an occupation per language.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Labels {
    /// French label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub fr: Option<String>,
    /// English label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub en: Option<String>,
}

impl From<LangText> for Labels {
    fn from(t: LangText) -> Self {
        Labels { fr: t.fr, en: t.en }
    }
}

/// A skill listed on an occupation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkillItem {
    /// ESCO skill URI or ROME code_ogr.
    pub code: String,
    /// Label in the requested language.
    pub label: String,
    /// Kind of skill.
    #[schema(value_type = SkillKindSchema)]
    pub kind: SkillKind,
}

impl From<SkillRef> for SkillItem {
    fn from(s: SkillRef) -> Self {
        SkillItem { code: s.code, label: s.label, kind: s.kind }
    }
}

/// Skills of an occupation by relation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkillGroups {
    /// Essential skills.
    pub essential: Vec<SkillItem>,
    /// Optional skills.
    pub optional: Vec<SkillItem>,
}

/// A crosswalk link to the other taxonomy.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct LinkItem {
    /// Taxonomy of the linked occupation.
    #[schema(value_type = TaxonomySchema)]
    pub taxonomy: Taxonomy,
    /// Its code.
    pub code: String,
    /// Its label.
    pub label: String,
    /// SKOS relation: `exact`, `close`, `broad` or `narrow`.
    #[schema(value_type = String, example = "exact")]
    pub relation: crate::catalog::MatchRelation,
}

impl From<LinkRef> for LinkItem {
    fn from(l: LinkRef) -> Self {
        LinkItem { taxonomy: l.taxonomy, code: l.code, label: l.label, relation: l.relation }
    }
}

/// A related occupation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct RelatedItem {
    /// Taxonomy.
    #[schema(value_type = TaxonomySchema)]
    pub taxonomy: Taxonomy,
    /// Code.
    pub code: String,
    /// Label.
    pub label: String,
    /// Similarity to the occupation shown.
    pub score: f32,
    /// Why it is related: `broader`, `narrower` (ESCO), `mobility` (ROME mobilité) or
    /// `similar` (nearest in the index).
    #[schema(value_type = String)]
    pub relation: Relatedness,
}

impl From<RelatedRef> for RelatedItem {
    fn from(r: RelatedRef) -> Self {
        RelatedItem { taxonomy: r.taxonomy, code: r.code, label: r.label, score: r.score, relation: r.relation }
    }
}

/// Everything shown about one occupation.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OccupationBody {
    /// Taxonomy.
    #[schema(value_type = TaxonomySchema)]
    pub taxonomy: Taxonomy,
    /// ROME code or ESCO URI.
    pub code: String,
    /// Label in the requested language.
    pub label: String,
    /// Labels in every language available.
    pub labels: Labels,
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
    pub skills: SkillGroups,
    /// Crosswalk links to the other taxonomy.
    pub links: Vec<LinkItem>,
    /// Nearest occupations.
    pub related: Vec<RelatedItem>,
    /// ONISEP métier pages about this fiche (onisep.fr, the site French pupils and teachers
    /// use); empty for ESCO occupations and fiches ONISEP does not map.
    pub onisep: Vec<OnisepItem>,
    /// With a profile (`skill` or `text`) only: the essential skills the profile already
    /// covers, most central first; at most 8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skills_covered: Option<Vec<SkillItem>>,
    /// With a profile (`skill` or `text`) only: the essential skills the profile would need to
    /// learn, most central first; at most 8.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub skills_to_learn: Option<Vec<SkillItem>>,
}

/// An ONISEP métier page.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct OnisepItem {
    /// The ONISEP métier title, displayed like labels ("Boulanger / Boulangère"), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    /// The page on onisep.fr.
    #[schema(example = "http://www.onisep.fr/http/redirection/metier/slug/MET.88")]
    pub url: String,
}

impl From<OccupationDetail> for OccupationBody {
    fn from(d: OccupationDetail) -> Self {
        OccupationBody {
            taxonomy: d.taxonomy,
            code: d.code,
            label: d.label,
            labels: d.labels.into(),
            description: d.description,
            access: d.access,
            isco_group: d.isco_group,
            riasec: d.riasec,
            interests: d.interests,
            skills: SkillGroups {
                essential: d.skills.essential.into_iter().map(SkillItem::from).collect(),
                optional: d.skills.optional.into_iter().map(SkillItem::from).collect(),
            },
            links: d.links.into_iter().map(LinkItem::from).collect(),
            related: d.related.into_iter().map(RelatedItem::from).collect(),
            onisep: d.onisep.into_iter().map(|o| OnisepItem { title: o.title, url: o.url }).collect(),
            skills_covered: d.coverage.as_ref().map(|c| c.covered.iter().cloned().map(SkillItem::from).collect()),
            skills_to_learn: d.coverage.map(|c| c.to_learn.into_iter().map(SkillItem::from).collect()),
        }
    }
}

/// Skills matching a typed text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkillSearchResponse {
    /// Best first.
    pub results: Vec<SkillSuggestion>,
}

/// A suggested skill.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkillSuggestion {
    /// Taxonomy of the skill.
    #[schema(value_type = TaxonomySchema)]
    pub taxonomy: Taxonomy,
    /// ESCO skill URI or ROME code_ogr.
    pub code: String,
    /// Label in the requested language.
    pub label: String,
    /// Kind of skill.
    #[schema(value_type = SkillKindSchema)]
    pub kind: SkillKind,
    /// Lexical score in [0, 1].
    pub score: f32,
}

impl From<SkillHit> for SkillSuggestion {
    fn from(h: SkillHit) -> Self {
        SkillSuggestion { taxonomy: h.taxonomy, code: h.code, label: h.label, kind: h.kind, score: h.score }
    }
}

/// The centres d'intérêt a profile may list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InterestsResponse {
    /// Alphabetical.
    pub results: Vec<Interest>,
}

/// A ROME centre d'intérêt.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Interest {
    /// Stable code.
    pub code: String,
    /// Label (French; ROME has no English one).
    pub label: String,
}

impl From<InterestRef> for Interest {
    fn from(i: InterestRef) -> Self {
        Interest { code: i.code, label: i.label }
    }
}

/// Liveness answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HealthResponse {
    /// Always `ok`.
    #[schema(example = "ok")]
    pub status: &'static str,
}

/// Readiness answer: what index is loaded.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ReadyResponse {
    /// `ready`.
    #[schema(example = "ready")]
    pub status: &'static str,
    /// Embedding model name.
    pub model: String,
    /// Vector dimension.
    pub dimension: usize,
    /// boussole version that built the index.
    pub index_version: String,
    /// When the index was built (RFC 3339).
    pub index_created_at: String,
    /// Content id of the served index: replicas serving the same index report the same id,
    /// and it changes when a reload swaps in a new index.
    #[schema(example = "3f9a1c0b27de")]
    pub index_id: String,
    /// When this process loaded the served index (RFC 3339).
    pub index_loaded_at: String,
    /// Reloads that swapped in a new index since the process started.
    pub index_reloads: u64,
    /// Vectors in the index (distinct embedded texts).
    pub vectors: usize,
    /// Occupations per taxonomy.
    pub occupations: BTreeMap<String, usize>,
    /// Skills in the catalogue.
    pub skills: usize,
    /// Surface forms per `taxonomy/lang`.
    pub forms: BTreeMap<String, usize>,
}

impl ReadyResponse {
    /// Readiness of a loaded index.
    pub fn new(manifest: &IndexManifest, vectors: usize, live: LiveStatus) -> Self {
        ReadyResponse {
            status: "ready",
            model: manifest.model.name.clone(),
            dimension: manifest.model.dimension,
            index_version: manifest.boussole_version.clone(),
            index_created_at: manifest.created_at.clone(),
            index_id: live.index_id,
            index_loaded_at: live.loaded_at,
            index_reloads: live.reloads,
            vectors,
            occupations: manifest.counts.occupations.clone(),
            skills: manifest.counts.skills,
            forms: manifest.counts.forms.clone(),
        }
    }
}
