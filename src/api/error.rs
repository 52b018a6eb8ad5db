//! The one error shape of the API, `{"error": {"code", "message"}}`, and every conversion into it.
//!
//! Handlers, extractors, the overload/timeout layers and the fallbacks all answer through
//! [`ApiError`], so a client never has to parse an HTML or plain-text error body.

use std::time::Duration;

use axum::extract::Request;
use axum::http::{header, HeaderValue, Method, StatusCode, Uri};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::{BoxError, Json};
use serde::Serialize;
use utoipa::ToSchema;

use crate::search::SearchError;

/// An error answered to the client: HTTP status, stable machine code and human message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status of the response.
    pub status: StatusCode,
    /// Stable, machine-readable code (`empty_query`, `invalid_parameter`...).
    pub code: &'static str,
    /// Human-readable explanation; safe to show, never leaks internals.
    pub message: String,
}

/// The JSON body of every error response.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorBody {
    /// The error.
    pub error: ErrorDetail,
}

/// Code and message of an error.
#[derive(Debug, Serialize, ToSchema)]
pub struct ErrorDetail {
    /// Stable machine-readable code: `empty_query`, `query_too_long`, `too_many_tokens`,
    /// `invalid_parameter`, `invalid_json`, `invalid_body`, `bad_request`, `not_found`,
    /// `method_not_allowed`, `request_timeout` (408: the body was not received in time),
    /// `payload_too_large`, `uri_too_long`, `unsupported_media_type`, `headers_too_large`,
    /// `overloaded`, `timeout` (504), `internal`.
    #[schema(example = "invalid_parameter")]
    pub code: String,
    /// Human-readable explanation.
    #[schema(example = "limit must be an integer between 1 and 50, got `0`")]
    pub message: String,
}

/// Longest slice of client input echoed back in a message; keeps errors small and logs sane.
const ECHO_CHARS: usize = 40;

/// Client input shortened for echoing in an error message.
pub(crate) fn echo(value: &str) -> String {
    if value.chars().count() <= ECHO_CHARS {
        value.to_string()
    } else {
        let mut s: String = value.chars().take(ECHO_CHARS).collect();
        s.push('…');
        s
    }
}

impl ApiError {
    /// An error with any status and code.
    pub fn new(status: StatusCode, code: &'static str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            code,
            message: message.into(),
        }
    }

    /// 400 `invalid_parameter`; `message` must name the parameter.
    pub fn invalid_parameter(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "invalid_parameter", message)
    }

    /// 400 `empty_query`.
    pub fn empty_query(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "empty_query", message)
    }

    /// 404 `not_found`.
    pub fn not_found(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", message)
    }

    /// 500 `internal`: logs the cause, answers a generic message (the cause may name files,
    /// model internals... that are none of the client's business).
    pub fn internal(cause: &dyn std::fmt::Display) -> ApiError {
        tracing::error!(error = %cause, "internal error while answering a request");
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "internal",
            "internal error, please retry later",
        )
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.code,
            self.message
        )
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = ErrorBody {
            error: ErrorDetail {
                code: self.code.to_string(),
                message: self.message,
            },
        };
        (self.status, Json(body)).into_response()
    }
}

impl From<SearchError> for ApiError {
    fn from(err: SearchError) -> ApiError {
        match err {
            SearchError::EmptyQuery => ApiError::empty_query(err.to_string()),
            SearchError::QueryTooLong { .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, "query_too_long", err.to_string())
            }
            SearchError::TooManyTokens { .. } => {
                ApiError::new(StatusCode::BAD_REQUEST, "too_many_tokens", err.to_string())
            }
            SearchError::InvalidLimit { got, max } => ApiError::invalid_parameter(format!(
                "limit must be an integer between 1 and {max}, got `{got}`"
            )),
            SearchError::TooManyItems { .. } => {
                ApiError::invalid_parameter(format!("skills/interests: {err}"))
            }
            SearchError::Index(_) | SearchError::Embed(_) | SearchError::Internal(_) => {
                ApiError::internal(&err)
            }
        }
    }
}

/// Answers unknown routes.
pub(crate) async fn not_found(method: Method, uri: Uri) -> ApiError {
    ApiError::not_found(format!("no route for {method} {}", echo(uri.path())))
}

/// Answers known routes called with the wrong method.
pub(crate) async fn method_not_allowed(method: Method, uri: Uri) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "method_not_allowed",
        format!("{method} is not allowed on {}", echo(uri.path())),
    )
}

/// 408 `request_timeout`: the client did not send its body in time.
pub(crate) fn request_timeout(limit: Duration) -> ApiError {
    ApiError::new(
        StatusCode::REQUEST_TIMEOUT,
        "request_timeout",
        format!(
            "the request body was not received within {} ms",
            limit.as_millis()
        ),
    )
}

/// 413 `payload_too_large`.
pub(crate) fn payload_too_large(max: usize) -> ApiError {
    ApiError::new(
        StatusCode::PAYLOAD_TOO_LARGE,
        "payload_too_large",
        format!("the request body is too large (at most {max} bytes)"),
    )
}

/// 503 `overloaded`.
pub(crate) fn overloaded() -> ApiError {
    ApiError::new(
        StatusCode::SERVICE_UNAVAILABLE,
        "overloaded",
        "too many requests in flight, retry shortly",
    )
}

/// Turns the errors of the overload and timeout layers into API errors.
pub(crate) async fn layer_error(err: BoxError) -> ApiError {
    if err.is::<tower::load_shed::error::Overloaded>() {
        overloaded()
    } else if err.is::<tower::timeout::error::Elapsed>() {
        ApiError::new(
            StatusCode::GATEWAY_TIMEOUT,
            "timeout",
            "the request took too long",
        )
    } else {
        ApiError::internal(&err)
    }
}

/// Retry hint sent with `overloaded` answers.
const RETRY_AFTER: Duration = Duration::from_secs(1);

/// Safety net: rewrites any error response that is not already JSON (a layer's or axum's
/// plain-text rejection) into the API's error shape, and adds `Retry-After` to 503s.
pub(crate) async fn json_errors(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    let status = response.status();
    if !(status.is_client_error() || status.is_server_error()) {
        return response;
    }
    let is_json = response
        .headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    let mut response = if is_json {
        response
    } else {
        let (code, message) = match status {
            StatusCode::NOT_FOUND => ("not_found", "not found"),
            StatusCode::METHOD_NOT_ALLOWED => ("method_not_allowed", "method not allowed"),
            StatusCode::PAYLOAD_TOO_LARGE => ("payload_too_large", "request body too large"),
            StatusCode::URI_TOO_LONG => ("uri_too_long", "request URI too long"),
            StatusCode::UNSUPPORTED_MEDIA_TYPE => {
                ("unsupported_media_type", "unsupported content type")
            }
            StatusCode::REQUEST_HEADER_FIELDS_TOO_LARGE => {
                ("headers_too_large", "request headers too large")
            }
            StatusCode::REQUEST_TIMEOUT => {
                ("request_timeout", "the request was not received in time")
            }
            StatusCode::GATEWAY_TIMEOUT => ("timeout", "the request took too long"),
            StatusCode::SERVICE_UNAVAILABLE => ("overloaded", "service unavailable, retry shortly"),
            s if s.is_server_error() => ("internal", "internal error, please retry later"),
            _ => ("bad_request", "bad request"),
        };
        let (mut parts, _) = response.into_parts();
        let fresh = ApiError::new(status, code, message).into_response();
        // Keep headers such as `Allow` on 405, but take the new body's content type and length.
        parts.headers.remove(header::CONTENT_LENGTH);
        parts.headers.insert(
            header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        let (_, body) = fresh.into_parts();
        Response::from_parts(parts, body)
    };
    if status == StatusCode::SERVICE_UNAVAILABLE {
        response.headers_mut().insert(
            header::RETRY_AFTER,
            HeaderValue::from(RETRY_AFTER.as_secs()),
        );
    }
    response
}
