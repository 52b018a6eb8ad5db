//! Route handlers: validate input, call the engine off the async runtime, map to DTOs.

use std::sync::Arc;
use std::time::Instant;

use axum::extract::{FromRef, State};
use axum::http::HeaderValue;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};

use super::dto::{
    FacetsResponse, HealthResponse, InterestsResponse, LangParams, MatchRequest, OccupationParams, ReadyResponse,
    SearchParams, SearchResponse, SkillSearchParams, SkillSearchResponse,
};
use super::error::{ApiError, ErrorBody};
use super::extract::{JsonObject, OccupationPath, QueryParams};
use super::metrics::Metrics;
use super::openapi::Docs;
use super::queue::{Wait, WorkQueue};
use crate::catalog::{Lang, Taxonomy};
use crate::search::{
    Engine, Grouping, LiveEngine, OccupationDetail, ProfileRequest, RiasecProfile, SearchError, SearchRequest,
    MAX_ITEM_CHARS, MAX_ITEM_WORDS, MAX_PROFILE_ITEMS, RIASEC_LETTERS,
};

/// What every handler may use.
#[derive(Clone)]
pub(crate) struct AppState {
    /// The served engine; each request takes the current one once and keeps it.
    pub engine: Arc<LiveEngine>,
    /// This router's metrics.
    pub metrics: Metrics,
    /// Pre-rendered OpenAPI document and HTML docs.
    pub docs: Arc<Docs>,
    /// The queue of CPU work (as many workers as cores).
    pub work: Arc<WorkQueue>,
}

impl FromRef<AppState> for Metrics {
    fn from_ref(state: &AppState) -> Metrics {
        state.metrics.clone()
    }
}

impl FromRef<AppState> for Arc<Docs> {
    fn from_ref(state: &AppState) -> Arc<Docs> {
        state.docs.clone()
    }
}

/// The `/v1` routes, which do real work and sit behind the overload and timeout layers.
pub(crate) fn v1() -> Router<AppState> {
    Router::new()
        .route("/v1/search", get(search))
        .route("/v1/search/batch", post(super::batch::search_batch))
        .route("/v1/match", post(match_profile))
        // A wildcard so ESCO URIs work whether the client encoded their slashes or not.
        .route("/v1/occupations/{taxonomy}/{*code}", get(occupation))
        .route("/v1/skills/search", get(search_skills))
        .route("/v1/interests", get(interests))
        .route("/v1/facets", get(facets))
}

/// Operational routes (health, metrics, docs): cheap, and never shed, so probes and scrapes
/// keep answering when the API is saturated.
pub(crate) fn ops() -> Router<AppState> {
    Router::new()
        .route("/healthz", get(healthz))
        .route("/readyz", get(readyz))
        .route("/metrics", get(super::metrics::metrics_handler))
        .route("/openapi.json", get(super::openapi::openapi_json))
        .route("/docs", get(super::openapi::docs_html))
}

impl AppState {
    /// Runs CPU-bound engine work on the blocking pool, in its turn (see [`WorkQueue`]), so it
    /// never stalls the async workers nor shares the cores with more work than they hold.
    ///
    /// A blocking task cannot be cancelled: when the timeout layer gives up on a request, its
    /// work still runs and the concurrency layer has already released its slot. The turn moved
    /// into the task keeps such orphaned work counted, so the queue never runs more work at
    /// once than it has workers.
    async fn blocking<T: Send + 'static>(&self, f: impl FnOnce() -> T + Send + 'static) -> Result<T, ApiError> {
        self.blocking_cancellable(Wait::Bounded, move |_| f()).await
    }

    /// [`AppState::blocking`] for work that can stop early: `f` gets a flag that is raised when
    /// the request is abandoned (timed out, or its client went away), and should check it
    /// between steps. `wait` says how long the turn may be waited for.
    pub(crate) async fn blocking_cancellable<T: Send + 'static>(
        &self,
        wait: Wait,
        f: impl FnOnce(&Abandoned) -> T + Send + 'static,
    ) -> Result<T, ApiError> {
        let asked = Instant::now();
        let turn = self.work.turn(wait).await?;
        super::metrics::record_queue_wait(&self.metrics, asked.elapsed());
        let abandoned = Abandoned::default();
        // Raised when this future is dropped: by the timeout layer or hyper when they give up on
        // the request, or here once the work is done (then nobody reads it any more).
        let _guard = AbandonOnDrop(abandoned.clone());
        let out = tokio::task::spawn_blocking(move || {
            let out = f(&abandoned);
            drop(turn);
            out
        })
        .await
        .map_err(|e| ApiError::internal(&e));
        out
    }
}

/// Raised when the request a piece of blocking work serves has been abandoned.
#[derive(Clone, Default)]
pub(crate) struct Abandoned(Arc<std::sync::atomic::AtomicBool>);

impl Abandoned {
    /// Whether nobody waits for the result any more.
    pub(crate) fn is_raised(&self) -> bool {
        self.0.load(std::sync::atomic::Ordering::Relaxed)
    }
}

struct AbandonOnDrop(Abandoned);

impl Drop for AbandonOnDrop {
    fn drop(&mut self) {
        (self.0).0.store(true, std::sync::atomic::Ordering::Relaxed);
    }
}

/// Refuses a profile list with too many items, or an item longer than any catalogue label
/// (characters or words), naming the item: each item costs a lexical lookup, so this is what
/// bounds a request's work.
fn check_items(field: &str, items: &[String]) -> Result<(), ApiError> {
    if items.len() > MAX_PROFILE_ITEMS {
        return Err(ApiError::invalid_parameter(format!(
            "{field}: {} items, at most {MAX_PROFILE_ITEMS}",
            items.len()
        )));
    }
    for (i, item) in items.iter().enumerate() {
        let (chars, words) = (item.chars().count(), item.split_whitespace().count());
        if chars > MAX_ITEM_CHARS || words > MAX_ITEM_WORDS {
            return Err(ApiError::invalid_parameter(format!(
                "{field}[{i}] has {chars} characters and {words} words, at most {MAX_ITEM_CHARS} and {MAX_ITEM_WORDS}"
            )));
        }
    }
    Ok(())
}

/// Reads `riasec`: an object of scores in [0, 1] keyed by the letters R, I, A, S, E, C (absent
/// or `null` letters score 0, at least one above 0). Anything else is a 400 naming `riasec` and the
/// letter; a `riasec` that is not an object is a 422 like any field of the wrong type.
fn parse_riasec(value: Option<serde_json::Map<String, serde_json::Value>>) -> Result<Option<RiasecProfile>, ApiError> {
    let Some(map) = value else { return Ok(None) };
    let mut pairs = Vec::with_capacity(map.len());
    for (key, v) in &map {
        let letter = super::error::echo(key);
        if v.is_null() && RIASEC_LETTERS.iter().any(|l| key.len() == 1 && key.starts_with(*l)) {
            continue; // `null` is an absent score, as for every optional field.
        }
        if !RIASEC_LETTERS.iter().any(|l| key.len() == 1 && key.starts_with(*l)) {
            return Err(ApiError::invalid_parameter(format!(
                "riasec: unknown key `{letter}`, expected the letters R, I, A, S, E, C (upper case)"
            )));
        }
        let score = v.as_f64().filter(|s| (0.0..=1.0).contains(s)).ok_or_else(|| {
            ApiError::invalid_parameter(format!(
                "riasec.{letter} must be a number between 0 and 1, got {}",
                super::error::echo(&v.to_string())
            ))
        })?;
        pairs.push((key.as_str(), score));
    }
    RiasecProfile::from_scores(pairs).map(Some).map_err(|e| ApiError::invalid_parameter(format!("riasec: {e}")))
}

/// Header naming the index that answered a `/v1` request ([`crate::index::IndexManifest::id`]):
/// around a reload, clients (and tests) can tell which index each answer came from.
pub const INDEX_ID_HEADER: &str = "x-index-id";

/// What a `/v1` handler answers: a body computed by one index, or an error.
pub(crate) type Answer<T> = Result<FromIndex<T>, ApiError>;

/// A JSON answer and the id of the index that computed it.
pub(crate) struct FromIndex<T> {
    index_id: String,
    body: Json<T>,
}

impl<T> FromIndex<T> {
    pub(crate) fn new(engine: &Engine, body: T) -> FromIndex<T> {
        FromIndex { index_id: engine.index().id().to_string(), body: Json(body) }
    }
}

impl<T: serde::Serialize> IntoResponse for FromIndex<T> {
    fn into_response(self) -> Response {
        let mut response = self.body.into_response();
        if let Ok(value) = HeaderValue::from_str(&self.index_id) {
            response.headers_mut().insert(INDEX_ID_HEADER, value);
        }
        response
    }
}

/// Search occupations by free text.
#[utoipa::path(get, path = "/v1/search", tag = "search", params(SearchParams), responses(
    (status = 200, description = "Occupations, best first", body = SearchResponse),
    (status = 400, description = "`empty_query`, `query_too_long`, `too_many_tokens` or `invalid_parameter`", body = ErrorBody),
))]
pub(crate) async fn search(State(app): State<AppState>, query: QueryParams) -> Answer<SearchResponse> {
    let started = Instant::now();
    let engine = app.engine.current();
    let page = engine.limits().page(query.count("limit")?, query.count("offset")?)?;
    let grouping = query.name::<Grouping>("group")?.unwrap_or_default();
    let req = SearchRequest {
        text: query.get("q").unwrap_or_default().trim().to_string(),
        lang: query.lang()?,
        taxonomy: query.taxonomy()?,
        limit: page.depth(),
        filter: query.facet_filter()?,
    };
    let (text, lang) = (req.text.clone(), req.lang);
    let answered_by = engine.clone();
    let (results, intent) = app.blocking(move || engine.search_results_with_intent(&req, grouping)).await??;
    let page = SearchResponse::page(text, lang, results, page.offset, started);
    Ok(FromIndex::new(&answered_by, page.with_intent(Some(intent))))
}

/// Match occupations to a profile (free text, skills, centres d'intérêt).
#[utoipa::path(post, path = "/v1/match", tag = "search", request_body = MatchRequest, responses(
    (status = 200, description = "Occupations, best first", body = SearchResponse),
    (status = 400, description = "`empty_query`, `query_too_long`, `too_many_tokens`, `invalid_parameter`, or `invalid_json` (malformed)", body = ErrorBody),
))]
pub(crate) async fn match_profile(State(app): State<AppState>, mut body: JsonObject) -> Answer<SearchResponse> {
    let started = Instant::now();
    let engine = app.engine.current();
    let text: Option<String> = body.field("text")?;
    let skills: Vec<String> = body.field("skills")?.unwrap_or_default();
    let interests: Vec<String> = body.field("interests")?.unwrap_or_default();
    for (field, items) in [("skills", &skills), ("interests", &interests)] {
        check_items(field, items)?;
    }
    let riasec = parse_riasec(body.field("riasec")?)?;
    let grouping = body.name::<Grouping>("group")?.unwrap_or_default();
    let lang = body.name::<Lang>("lang")?.unwrap_or_default();
    let taxonomy = body.name::<Taxonomy>("taxonomy")?;
    let page = engine.limits().page(body.field("limit")?, body.field("offset")?)?;
    let filter = body.facet_filter()?;
    let query = text.as_deref().map(str::trim).unwrap_or_default().to_string();
    let profile = ProfileRequest { text, skills, interests, riasec, lang, taxonomy, limit: page.depth(), filter };
    let answered_by = engine.clone();
    let results = app.blocking(move || engine.match_results(&profile, grouping)).await?.map_err(|e| match e {
        SearchError::EmptyQuery => ApiError::empty_query(
            "give at least one of `text`, `skills`, `interests` or `riasec`; blank texts and items do not count",
        ),
        other => other.into(),
    })?;
    Ok(FromIndex::new(&answered_by, SearchResponse::page(query, lang, results, page.offset, started)))
}

/// Everything about one occupation.
#[utoipa::path(
    get,
    path = "/v1/occupations/{taxonomy}/{code}",
    tag = "occupations",
    params(
        ("taxonomy" = crate::catalog::Taxonomy, Path, description = "`rome` or `esco`"),
        ("code" = String, Path, description = "ROME code (`D1102`), or ESCO URI (URL-encoded) or bare ESCO UUID"),
        OccupationParams,
    ),
    responses(
        (status = 200, description = "The occupation", body = OccupationDetail),
        (status = 400, description = "`invalid_parameter`", body = ErrorBody),
        (status = 404, description = "`not_found`", body = ErrorBody),
    )
)]
pub(crate) async fn occupation(
    State(app): State<AppState>,
    path: OccupationPath,
    query: QueryParams,
) -> Answer<OccupationDetail> {
    let params = OccupationParams {
        lang: query.lang()?,
        skill: query.get_all("skill").into_iter().map(str::to_string).collect(),
        text: query.get("text").map(str::to_string),
    };
    check_items("skill", &params.skill)?;
    let not_found = || {
        ApiError::not_found(format!("no {} occupation with code `{}`", path.taxonomy, super::error::echo(&path.code)))
    };
    // One engine for both steps: `idx` only means something in the index it came from.
    let engine = app.engine.current();
    let idx = engine.find(path.taxonomy, &path.code).ok_or_else(not_found)?;
    if let Some(text) = &params.text {
        engine.limits().check_chars(text)?;
    }
    let answered_by = engine.clone();
    // `detail` searches the index for related occupations: CPU work, off the async workers.
    let detail = app
        .blocking(move || {
            let mut detail = engine.detail(idx, params.lang)?;
            let has_profile = params.skill.iter().any(|s| !s.trim().is_empty())
                || params.text.as_deref().is_some_and(|t| !t.trim().is_empty());
            if has_profile {
                let profile = engine.profile_skills(&params.skill, params.text.as_deref());
                let coverage = engine.coverage(idx, &profile, params.lang);
                detail.coverage = coverage;
            }
            Some(detail)
        })
        .await?
        .ok_or_else(not_found)?;
    Ok(FromIndex::new(&answered_by, detail))
}

/// Skills whose labels match a typed text (autocomplete).
#[utoipa::path(get, path = "/v1/skills/search", tag = "profile", params(SkillSearchParams), responses(
    (status = 200, description = "Skills, best first", body = SkillSearchResponse),
    (status = 400, description = "`empty_query`, `query_too_long` or `invalid_parameter`", body = ErrorBody),
))]
pub(crate) async fn search_skills(State(app): State<AppState>, query: QueryParams) -> Answer<SkillSearchResponse> {
    let engine = app.engine.current();
    let limit = engine.limits().page(query.count("limit")?, None)?.limit;
    let (q, lang) = (query.get("q").unwrap_or_default().to_string(), query.lang()?);
    let answered_by = engine.clone();
    let results = app.blocking(move || engine.search_skills(&q, lang, limit)).await??;
    Ok(FromIndex::new(&answered_by, SkillSearchResponse { results }))
}

/// The centres d'intérêt a profile may list.
#[utoipa::path(get, path = "/v1/interests", tag = "profile", params(LangParams), responses(
    (status = 200, description = "Centres d'intérêt, alphabetical (French labels only: ROME has no English ones)", body = InterestsResponse),
    (status = 400, description = "`invalid_parameter`", body = ErrorBody),
))]
pub(crate) async fn interests(State(app): State<AppState>, query: QueryParams) -> Answer<InterestsResponse> {
    // Validated so a typo is reported, though labels exist in French only.
    query.lang()?;
    let engine = app.engine.current();
    Ok(FromIndex::new(&engine, InterestsResponse { results: engine.interests() }))
}

/// The facets a result may carry and `require` / `exclude` may name: ROME's contextes de
/// travail (hours, conditions, publics, structures, status) and entry levels, with French and
/// English labels.
#[utoipa::path(get, path = "/v1/facets", tag = "profile", responses(
    (status = 200, description = "Facets: contexts, then entry levels", body = FacetsResponse),
))]
pub(crate) async fn facets(State(app): State<AppState>) -> Answer<FacetsResponse> {
    let engine = app.engine.current();
    Ok(FromIndex::new(&engine, FacetsResponse { results: engine.facet_list() }))
}

/// Liveness: the process answers.
#[utoipa::path(get, path = "/healthz", tag = "ops", responses((status = 200, description = "Alive", body = HealthResponse)))]
pub(crate) async fn healthz() -> Json<HealthResponse> {
    Json(HealthResponse { status: "ok" })
}

/// Readiness: the index is loaded (always true once the router exists), with what it holds
/// and which index it is (its id changes when a reload swaps in a new one).
#[utoipa::path(get, path = "/readyz", tag = "ops", responses((status = 200, description = "Ready", body = ReadyResponse)))]
pub(crate) async fn readyz(State(app): State<AppState>) -> Json<ReadyResponse> {
    let engine = app.engine.current();
    let index = engine.index();
    Json(ReadyResponse::new(index.manifest(), index.len(), app.engine.status()))
}
