//! `POST /v1/search/batch`: up to [`MAX_BATCH`] searches in one call, each with its own
//! language, taxonomy, limit, offset and confidence threshold, and an optional context text.
//!
//! A bad item answers its own error in place and never fails the others; only a malformed
//! envelope (not an object, no `queries`, too many of them) fails the whole request. A batch
//! weighs as many concurrency slots as it has items, so it is shed like that many requests.

use std::time::Instant;

use axum::extract::State;
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

use super::dto::{LangSchema, OccupationHit, TaxonomySchema};
use super::error::{ApiError, ErrorBody, ErrorCode, ErrorDetail};
use super::extract::{limit_error, parse_lang, parse_taxonomy, JsonObject};
use super::routes::{parse_group, AppState, FromIndex, DEFAULT_LIMIT};
use crate::catalog::{Lang, Taxonomy};
use crate::search::{Calibration, Grouping, SearchRequest};

/// Most searches in one batch (France Travail's ROMEO takes 50 too).
pub const MAX_BATCH: usize = 50;
/// Longest context text, in characters.
pub const MAX_CONTEXT_CHARS: usize = 200;

/// Body of `POST /v1/search/batch` (documentation: the handler reads it field by field).
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
    /// Display language (`fr` by default).
    #[schema(value_type = Option<LangSchema>)]
    pub lang: Option<Lang>,
    /// Restrict to one taxonomy (both by default).
    #[schema(value_type = Option<TaxonomySchema>)]
    pub taxonomy: Option<Taxonomy>,
    /// Number of results, 1 to `max-results` (10 by default).
    #[schema(minimum = 1, maximum = 50)]
    pub limit: Option<usize>,
    /// Results to skip (paging), 0 to `max-results` − 1; pages cover the `max-results` best.
    #[schema(minimum = 0, maximum = 49)]
    pub offset: Option<usize>,
    /// `occupation` (the default) or `metier`: as `group` of `/v1/search`.
    #[schema(value_type = Option<super::dto::GroupSchema>)]
    pub group: Option<Grouping>,
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
    pub results: Option<Vec<OccupationHit>>,
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
#[utoipa::path(
    post,
    path = "/v1/search/batch",
    tag = "search",
    request_body = BatchRequest,
    responses(
        (status = 200, description = "One item per search, in order; an invalid item carries its own `error`", body = BatchResponse, headers(("x-index-id" = String, description = "Id of the index that answered"))),
        (status = 400, description = "`invalid_parameter` (no `queries`, more than 50, a bad `context` or `min_confidence`) or `invalid_json` (malformed)", body = ErrorBody),
    )
)]
pub(crate) async fn search_batch(
    State(app): State<AppState>,
    mut body: JsonObject,
) -> Result<FromIndex<BatchResponse>, ApiError> {
    let started = Instant::now();
    let engine = app.engine.current();
    let max = engine.limits().max_results;
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
        .map(|(i, v)| read_item(i, v, context.as_deref(), default_threshold, max))
        .collect();

    let answered_by = engine.clone();
    let weight = items.len();
    let results = app
        .blocking_cancellable(weight, move |abandoned| {
            items
                .into_iter()
                // An abandoned batch stops between searches: nobody would read the rest.
                .take_while(|_| !abandoned.is_raised())
                .map(|item| match item.parsed {
                    Err(e) => BatchItem::failed(item.query, e),
                    Ok(Parsed { request, grouping, offset, min_confidence }) => {
                        match engine.search_results(&request, grouping) {
                            Err(e) => BatchItem::failed(item.query, e.into()),
                            Ok(ranked) => BatchItem {
                                query: item.query,
                                results: Some(
                                    ranked
                                        .into_iter()
                                        .skip(offset)
                                        .map(|r| OccupationHit::calibrated(r, Some(&Calibration::SEARCH)))
                                        .filter(|h| h.confidence.unwrap_or(0.0) >= min_confidence)
                                        .collect(),
                                ),
                                error: None,
                            },
                        }
                    }
                })
                .collect::<Vec<_>>()
        })
        .await?;
    let index_id = answered_by.index().id().to_string();
    Ok(FromIndex::new(
        &answered_by,
        BatchResponse { results, index_id, took_ms: u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX) },
    ))
}

/// Reads item `i`; its errors name `queries[i].field`.
fn read_item(i: usize, value: Value, context: Option<&str>, default_threshold: f32, max: usize) -> Item {
    let Value::Object(mut fields) = value else {
        return Item {
            query: None,
            parsed: Err(ApiError::invalid_parameter(format!("queries[{i}]: an object is expected"))),
        };
    };
    let query = fields.get("q").and_then(Value::as_str).map(|q| q.trim().to_string());
    let parsed = (|| {
        let name = |f: &str| format!("queries[{i}].{f}");
        let text = match fields.remove("q") {
            Some(Value::String(q)) if !q.trim().is_empty() => q.trim().to_string(),
            Some(Value::String(_)) | None | Some(Value::Null) => {
                return Err(ApiError::empty_query(format!("{}: required, a non-blank text", name("q"))))
            }
            Some(_) => return Err(ApiError::invalid_parameter(format!("{}: a string is expected", name("q")))),
        };
        let string = |fields: &mut serde_json::Map<String, Value>, f: &str| -> Result<Option<String>, ApiError> {
            match fields.remove(f) {
                None | Some(Value::Null) => Ok(None),
                Some(Value::String(s)) if s.trim().is_empty() => Ok(None),
                Some(Value::String(s)) => Ok(Some(s)),
                Some(_) => Err(ApiError::invalid_parameter(format!("{}: a string is expected", name(f)))),
            }
        };
        let count = |fields: &mut serde_json::Map<String, Value>, f: &str| -> Result<Option<i64>, ApiError> {
            match fields.remove(f) {
                None | Some(Value::Null) => Ok(None),
                Some(v) => v
                    .as_i64()
                    .or_else(|| v.as_f64().filter(|x| x.fract() == 0.0 && x.abs() < 1e15).map(|x| x as i64))
                    .map(Some)
                    .ok_or_else(|| ApiError::invalid_parameter(format!("{}: an integer is expected", name(f)))),
            }
        };
        let lang = string(&mut fields, "lang")?
            .as_deref()
            .map(parse_lang)
            .transpose()
            .map_err(|e| prefixed(e, &name("lang")))?;
        let taxonomy = string(&mut fields, "taxonomy")?
            .as_deref()
            .map(parse_taxonomy)
            .transpose()
            .map_err(|e| prefixed(e, &name("taxonomy")))?;
        let limit = match count(&mut fields, "limit")? {
            None => DEFAULT_LIMIT.min(max),
            Some(n) => usize::try_from(n)
                .ok()
                .filter(|n| (1..=max).contains(n))
                .ok_or_else(|| prefixed(limit_error(&n.to_string(), max), &name("limit")))?,
        };
        let offset = offset_of(count(&mut fields, "offset")?, max).map_err(|e| prefixed(e, &name("offset")))?;
        let min_confidence = match fields.remove("min_confidence") {
            None | Some(Value::Null) => default_threshold,
            Some(v) => threshold(
                v.as_f64().map(Some).ok_or_else(|| {
                    ApiError::invalid_parameter(format!("{}: a number is expected", name("min_confidence")))
                })?,
                &name("min_confidence"),
            )?
            .unwrap_or(default_threshold),
        };
        let grouping = string(&mut fields, "group")?
            .as_deref()
            .map(parse_group)
            .transpose()
            .map_err(|e| prefixed(e, &name("group")))?
            .unwrap_or_default();
        let text = match context {
            Some(c) => format!("{text} ({c})"),
            None => text,
        };
        let request =
            SearchRequest { text, lang: lang.unwrap_or_default(), taxonomy, limit: depth(offset, limit, max) };
        Ok(Parsed { request, grouping, offset, min_confidence })
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

/// Validates a paging offset, 0 to `max − 1`: pages cover the `max` best results, so the
/// last page is shorter (see [`depth`]).
pub(crate) fn offset_of(offset: Option<i64>, max: usize) -> Result<usize, ApiError> {
    match offset {
        None => Ok(0),
        Some(n) => usize::try_from(n).ok().filter(|&n| n < max).ok_or_else(|| {
            ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorCode::InvalidParameter,
                format!("offset must be an integer between 0 and {}, got {n}", max.saturating_sub(1)),
            )
        }),
    }
}

/// Results to rank for a page: `offset + limit`, at most `max`.
pub(crate) fn depth(offset: usize, limit: usize, max: usize) -> usize {
    (offset + limit).min(max)
}
