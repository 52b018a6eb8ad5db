//! The JSON contract's own types: query parameters, request bodies and response envelopes,
//! documented for OpenAPI.
//!
//! What the engine returns (ranked occupations, details, skills) is serialised as it is: its
//! types carry their wire shape and schema, so there is one JSON form of a ranked occupation
//! for the API and the command line. Only what exists on the wire alone lives here.

use std::collections::BTreeMap;
use std::time::Instant;

use serde::Serialize;
use utoipa::{IntoParams, ToSchema};

use crate::catalog::{EducationLevel, Lang, Taxonomy};
use crate::index::IndexManifest;
use crate::search::facets::{FacetInfo, QueryIntent};
use crate::search::{Grouping, InterestRef, LiveStatus, RankedOccupation, SkillHit};

/// Query parameters of `GET /v1/search` (documentation: the handler reads them one by one).
#[derive(Debug, Clone, IntoParams)]
#[allow(dead_code)] // Only its parameters are documented.
#[into_params(parameter_in = Query)]
pub struct SearchParams {
    /// What the person typed (1 to `max-query-chars` characters).
    #[param(example = "boulanger")]
    pub q: String,
    /// Display language (`fr` by default).
    #[param(value_type = Option<Lang>)]
    pub lang: Lang,
    /// Restrict to one taxonomy (both by default).
    #[param(value_type = Option<Taxonomy>)]
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
    #[param(value_type = Option<Grouping>)]
    pub group: Grouping,
    /// Facets every result must have: ids of `GET /v1/facets`, comma-separated or repeated
    /// (`require=ctx-300783,level-cap`).
    #[param(value_type = Option<String>, example = "ctx-300783")]
    pub require: Option<String>,
    /// Facets no result may have (`exclude=ctx-23376`), comma-separated or repeated.
    #[param(value_type = Option<String>, example = "ctx-23376")]
    pub exclude: Option<String>,
    /// Highest entry level of a result: `none`, `cap`, `bac`, `bac2`, `bac3`, `bac5` or
    /// `doctorate` (occupations whose level is unknown are kept).
    #[param(value_type = Option<EducationLevel>)]
    pub max_level: Option<EducationLevel>,
}

/// Query parameters of `GET /v1/occupations/{taxonomy}/{code}`, once validated.
#[derive(Debug, Clone, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OccupationParams {
    /// Display language (`fr` by default).
    #[param(value_type = Option<Lang>)]
    pub lang: Lang,
    /// A skill of the person's profile, repeated once per skill (`skill=a&skill=b`; labels as
    /// suggested by `/v1/skills/search`; at most 50, each at most 256 characters and 40
    /// words). With `skill` or `text`, the answer carries `skills_covered` and
    /// `skills_to_learn`.
    #[param(style = Form, explode, value_type = Option<Vec<String>>, example = json!(["Pétrir manuellement ou mécaniquement des pâtes"]))]
    pub skill: Vec<String>,
    /// Free text of the person's profile; skills named in it count as the profile's
    /// (at most `max-query-chars` characters).
    pub text: Option<String>,
}

/// Query parameters of `GET /v1/skills/search` (documentation: the handler reads them one by one).
#[derive(Debug, Clone, IntoParams)]
#[allow(dead_code)] // Only its parameters are documented.
#[into_params(parameter_in = Query)]
pub struct SkillSearchParams {
    /// Typed text (prefix or words of a skill label).
    #[param(example = "pâte")]
    pub q: String,
    /// Display language (`fr` by default).
    #[param(value_type = Option<Lang>)]
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
    #[param(value_type = Option<Lang>)]
    pub lang: Lang,
}

/// Body of `POST /v1/match`: a person's profile (free text, skills, centres d'intérêt, RIASEC
/// scores) and which results to give. Every field is optional.
// The rule "the profile must say something" is stated in words by `openapi::MATCH_RULE`:
// client generators cannot read it from a schema.
// Documentation only: the handler reads the body field by field, so errors name the field.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
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
    /// Which results, and in what form.
    #[serde(flatten)]
    pub options: ResultOptions,
}

/// What a ranking request body says about its results, as `/v1/search` reads the same query
/// parameters: shared by `POST /v1/match` and the items of `POST /v1/search/batch`.
#[derive(Debug, ToSchema)]
#[allow(dead_code)] // Only its schema is documented.
pub struct ResultOptions {
    /// Display language (`fr` by default).
    pub lang: Option<Lang>,
    /// Restrict to one taxonomy (both by default).
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
    pub group: Option<Grouping>,
    /// Facets every result must have (ids of `GET /v1/facets`).
    #[schema(example = json!(["ctx-300783"]))]
    pub require: Option<Vec<String>>,
    /// Facets no result may have (ids of `GET /v1/facets`).
    #[schema(example = json!(["ctx-23376"]))]
    pub exclude: Option<Vec<String>>,
    /// Highest entry level of a result (occupations whose level is unknown are kept).
    pub max_level: Option<EducationLevel>,
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
    pub lang: Lang,
    /// Results skipped before these (`offset` of the request; 0 for the first page).
    pub offset: usize,
    /// Occupations, best first.
    pub results: Vec<RankedOccupation>,
    /// What the query asks beyond its topic (`/v1/search` only): facets wanted and ruled
    /// out, entry level, and whether the person is undecided.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub intent: Option<QueryIntent>,
    /// Server-side time spent, in milliseconds.
    pub took_ms: u64,
}

impl SearchResponse {
    /// The page of `ranked` that starts at `offset`, timed from `started`.
    pub fn page(query: String, lang: Lang, ranked: Vec<RankedOccupation>, offset: usize, started: Instant) -> Self {
        let results = ranked.into_iter().skip(offset).collect();
        SearchResponse { query, lang, offset, results, intent: None, took_ms: millis_since(started) }
    }

    /// The same answer with the query's intent.
    pub fn with_intent(self, intent: Option<QueryIntent>) -> Self {
        SearchResponse { intent, ..self }
    }
}

/// The facets a result may carry and a filter may name.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FacetsResponse {
    /// Contextes de travail first (ROME order), then entry levels, lowest first.
    pub results: Vec<FacetInfo>,
}

/// Milliseconds since `started`, as every answer's `took_ms` reports them.
pub(crate) fn millis_since(started: Instant) -> u64 {
    u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX)
}

/// Skills matching a typed text.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SkillSearchResponse {
    /// Best first.
    pub results: Vec<SkillHit>,
}

/// The centres d'intérêt a profile may list.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct InterestsResponse {
    /// Alphabetical.
    pub results: Vec<InterestRef>,
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
