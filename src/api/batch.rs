//! `POST /v1/search/batch`: up to [`MAX_BATCH`] searches in one call, each with its own
//! language, taxonomy, limit, offset and confidence threshold, and an optional context text.
//!
//! A bad item answers its own error in place and never fails the others; only a malformed
//! envelope (not an object, no `queries`, too many of them) fails the whole request. A batch
//! queues like any request and runs a few searches per turn (see [`super::queue`]), so it
//! never holds a worker while single searches wait.

use std::time::Instant;

use axum::extract::State;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::dto::{millis_since, ResultOptions};
use super::error::{ApiError, ErrorBody, ErrorDetail};
use super::extract::JsonObject;
use super::queue::{Wait, BATCH_SEARCHES_PER_TURN};
use super::routes::{Answer, AppState, FromIndex};
use crate::catalog::{Lang, Taxonomy};
use crate::search::{Engine, Grouping, QueryLimits, RankedOccupation, SearchError, SearchRequest};

/// Most searches in one batch (France Travail's ROMEO takes 50 too).
pub const MAX_BATCH: usize = 50;
/// Longest context text, in characters.
pub const MAX_CONTEXT_CHARS: usize = 200;

/// Body of `POST /v1/search/batch`.
// Documentation only: the handler reads the body field by field, so errors name the field.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct BatchRequest {
    /// The searches, 1 to 50.
    #[schema(min_items = 1, max_items = 50)]
    pub queries: Vec<BatchQuery>,
    /// Context of every search (a sector, a company's trade: "restauration"), added to each
    /// text to disambiguate short titles; at most 200 characters.
    #[schema(example = "restauration", max_length = 200)]
    pub context: Option<String>,
    /// Default confidence threshold of the items, in [0, 1].
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub min_confidence: Option<f32>,
}

/// One search of a batch.
#[derive(Debug, ToSchema)]
#[allow(dead_code)]
pub struct BatchQuery {
    /// What was typed (1 to `max-query-chars` characters).
    #[schema(example = "commis", min_length = 1)]
    pub q: String,
    /// Which results, and in what form.
    #[serde(flatten)]
    pub options: ResultOptions,
    /// Drop results below this confidence (overrides the batch's).
    #[schema(minimum = 0.0, maximum = 1.0)]
    pub min_confidence: Option<f32>,
}

/// Answer of `POST /v1/search/batch`.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchResponse {
    /// One item per search, in request order.
    pub results: Vec<BatchItem>,
    /// Id of the index that answered every item.
    pub index_id: String,
    /// Server-side time spent, in milliseconds.
    pub took_ms: u64,
}

/// The answer to one search of a batch: `results`, or `error` when this item was invalid.
#[derive(Debug, Serialize, ToSchema)]
pub struct BatchItem {
    /// The item's text as searched (trimmed; context not included); absent when unreadable.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub query: Option<String>,
    /// Occupations, best first (absent on error).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub results: Option<Vec<RankedOccupation>>,
    /// Why this item has no results (absent on success).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<ErrorDetail>,
}

impl BatchItem {
    fn failed(query: Option<String>, e: ApiError) -> BatchItem {
        BatchItem { query, results: None, error: Some(ErrorDetail { code: e.code, message: e.message }) }
    }
}

/// One item once read: the engine request, or the error to answer in its place.
struct Item {
    query: Option<String>,
    parsed: Result<Parsed, ApiError>,
}

/// A valid item: what to rank, which page, and how sure results must be.
struct Parsed {
    request: SearchRequest,
    grouping: Grouping,
    offset: usize,
    min_confidence: f32,
}

/// Several searches at once.
#[utoipa::path(post, path = "/v1/search/batch", tag = "search", request_body = BatchRequest, responses(
    (status = 200, description = "One item per search, in order; an invalid item carries its own `error`", body = BatchResponse),
    (status = 400, description = "`invalid_parameter` (no `queries`, more than 50, a bad `context` or `min_confidence`) or `invalid_json` (malformed)", body = ErrorBody),
))]
pub(crate) async fn search_batch(State(app): State<AppState>, mut body: JsonObject) -> Answer<BatchResponse> {
    let started = Instant::now();
    let engine = app.engine.current();
    let limits = engine.limits();
    let queries: Vec<Value> = body
        .field("queries")?
        .ok_or_else(|| ApiError::invalid_parameter("queries: required, a list of 1 to 50 searches"))?;
    if queries.is_empty() || queries.len() > MAX_BATCH {
        return Err(ApiError::invalid_parameter(format!(
            "queries: {} searches, 1 to {MAX_BATCH} are accepted",
            queries.len()
        )));
    }
    let context: Option<String> = body.field("context")?;
    let context = context.map(|c| c.trim().to_string()).filter(|c| !c.is_empty());
    if let Some(c) = &context {
        let chars = c.chars().count();
        if chars > MAX_CONTEXT_CHARS {
            return Err(ApiError::invalid_parameter(format!(
                "context: {chars} characters, at most {MAX_CONTEXT_CHARS}"
            )));
        }
    }
    let default_threshold = threshold(body.field::<f64>("min_confidence")?, "min_confidence")?.unwrap_or(0.0);
    let items: Vec<Item> = queries
        .into_iter()
        .enumerate()
        .map(|(i, v)| read_item(i, v, context.as_deref(), default_threshold, limits))
        .collect();

    let answered_by = engine.clone();
    let mut results = Vec::with_capacity(items.len());
    let mut items = items.into_iter().peekable();
    while items.peek().is_some() {
        let turn: Vec<Item> = items.by_ref().take(BATCH_SEARCHES_PER_TURN).collect();
        // Only the first turn may be refused: later ones finish work already begun.
        let wait = if results.is_empty() { Wait::Bounded } else { Wait::UntilServed };
        let engine = engine.clone();
        let part = app
            .blocking_cancellable(wait, move |abandoned| {
                turn.into_iter()
                    // An abandoned batch stops between searches: nobody would read the rest.
                    .take_while(|_| !abandoned.is_raised())
                    .map(|item| run_item(&engine, item))
                    .collect::<Vec<_>>()
            })
            .await?;
        results.extend(part);
    }
    let index_id = answered_by.index().id().to_string();
    Ok(FromIndex::new(&answered_by, BatchResponse { results, index_id, took_ms: millis_since(started) }))
}

/// One search of a batch, or the item's own error.
fn run_item(engine: &Engine, item: Item) -> BatchItem {
    match item.parsed {
        Err(e) => BatchItem::failed(item.query, e),
        Ok(Parsed { request, grouping, offset, min_confidence }) => match engine.search_results(&request, grouping) {
            Err(e) => BatchItem::failed(item.query, e.into()),
            Ok(ranked) => BatchItem {
                query: item.query,
                results: Some(
                    ranked.into_iter().skip(offset).filter(|r| r.confidence.unwrap_or(0.0) >= min_confidence).collect(),
                ),
                error: None,
            },
        },
    }
}

/// Reads item `i` as `/v1/match` reads its body; its errors name `queries[i].field`.
fn read_item(i: usize, value: Value, context: Option<&str>, default_threshold: f32, limits: QueryLimits) -> Item {
    let Value::Object(fields) = value else {
        return Item {
            query: None,
            parsed: Err(ApiError::invalid_parameter(format!("queries[{i}]: an object is expected"))),
        };
    };
    let query = fields.get("q").and_then(Value::as_str).map(|q| q.trim().to_string());
    let mut fields = JsonObject::from(fields);
    let at = |field: &str| format!("queries[{i}].{field}");
    let named = |field: &'static str| move |e: ApiError| prefixed(e, &at(field));
    let parsed = (|| {
        let text = fields
            .field::<String>("q")
            .map_err(named("q"))?
            .map(|q| q.trim().to_string())
            .filter(|q| !q.is_empty())
            .ok_or_else(|| named("q")(ApiError::empty_query("required, a non-blank text")))?;
        let lang = fields.name::<Lang>("lang").map_err(named("lang"))?.unwrap_or_default();
        let taxonomy = fields.name::<Taxonomy>("taxonomy").map_err(named("taxonomy"))?;
        let grouping = fields.name::<Grouping>("group").map_err(named("group"))?.unwrap_or_default();
        let limit = fields.field("limit").map_err(named("limit"))?;
        let offset = fields.field("offset").map_err(named("offset"))?;
        let page = limits.page(limit, offset).map_err(|e| {
            let field = if matches!(e, SearchError::InvalidOffset { .. }) { "offset" } else { "limit" };
            named(field)(e.into())
        })?;
        let min_confidence =
            threshold(fields.field("min_confidence").map_err(named("min_confidence"))?, &at("min_confidence"))?
                .unwrap_or(default_threshold);
        let text = match context {
            Some(c) => format!("{text} ({c})"),
            None => text,
        };
        let filter = fields.facet_filter().map_err(|e| prefixed(e, &format!("queries[{i}]")))?;
        let request = SearchRequest { text, lang, taxonomy, limit: page.depth(), filter };
        Ok(Parsed { request, grouping, offset: page.offset, min_confidence })
    })();
    Item { query, parsed }
}

/// `message` prefixed by the field it is about.
fn prefixed(mut e: ApiError, field: &str) -> ApiError {
    e.message = format!("{field}: {}", e.message);
    e
}

/// A confidence threshold in [0, 1].
fn threshold(v: Option<f64>, field: &str) -> Result<Option<f32>, ApiError> {
    match v {
        None => Ok(None),
        Some(x) if (0.0..=1.0).contains(&x) => Ok(Some(x as f32)),
        Some(x) => Err(ApiError::invalid_parameter(format!("{field}: must be between 0 and 1, got {x}"))),
    }
}
