//! Request extractors that reject bad input with [`ApiError`]s instead of axum's plain-text
//! rejections: query strings (strict UTF-8), JSON bodies (content type, size, syntax, field
//! types) and occupation paths.

use std::collections::HashSet;

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Path, Request};
use axum::http::{header, request::Parts, StatusCode};
use serde::de::DeserializeOwned;
use serde_json::{Map, Value};

use super::error::{echo, ApiError, ErrorCode};
use crate::catalog::{EducationLevel, Lang, Taxonomy};
use crate::names::Named;
use crate::search::facets::read_filter;
use crate::search::FacetFilter;

/// Decoded query-string parameters.
///
/// axum's `Query` decodes percent-escapes lossily (`%FF` becomes U+FFFD) and reports type
/// errors as plain text; this extractor refuses invalid UTF-8 and repeated parameters, and
/// leaves typing to the handler so every message can name its parameter.
#[derive(Debug, Default, Clone)]
pub struct QueryParams(Vec<(String, String)>);

impl<S: Send + Sync> FromRequestParts<S> for QueryParams {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        QueryParams::parse(parts.uri.query().unwrap_or(""))
    }
}

/// Most parameters a query string may carry: every route reads at most a few named ones, plus
/// up to `MAX_PROFILE_ITEMS` (50) repeated `skill` on an occupation page, so this is generous
/// for clients and keeps the cost of a hostile query string bounded.
pub const MAX_QUERY_PARAMS: usize = 64;

/// Parameters that may be repeated (`skill=a&skill=b`); every other one is refused twice.
const REPEATABLE: [&str; 3] = ["skill", "require", "exclude"];

impl QueryParams {
    /// Parses a raw (still percent-encoded) query string.
    ///
    /// More than [`MAX_QUERY_PARAMS`] parameters are refused before any is decoded; repeated
    /// names are found with a hash set, so the cost is linear in the query string's length.
    pub fn parse(raw: &str) -> Result<QueryParams, ApiError> {
        let pairs = || raw.split('&').filter(|p| !p.is_empty());
        if pairs().take(MAX_QUERY_PARAMS + 1).count() > MAX_QUERY_PARAMS {
            return Err(ApiError::invalid_parameter(format!(
                "too many query parameters: at most {MAX_QUERY_PARAMS} are accepted"
            )));
        }
        let mut out: Vec<(String, String)> = Vec::new();
        let mut seen: HashSet<String> = HashSet::new();
        for pair in pairs() {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            let key = percent_decode(k)
                .ok_or_else(|| ApiError::invalid_parameter("a query parameter name is not valid UTF-8"))?;
            let value = percent_decode(v).ok_or_else(|| {
                ApiError::invalid_parameter(format!(
                    "{}: the value is not valid UTF-8 once percent-decoded",
                    echo(&key)
                ))
            })?;
            if !REPEATABLE.contains(&key.as_str()) && !seen.insert(key.clone()) {
                return Err(ApiError::invalid_parameter(format!("{} is given more than once", echo(&key))));
            }
            out.push((key, value));
        }
        Ok(QueryParams(out))
    }

    /// The value of `name`, if present and not empty (clients often send `taxonomy=` for
    /// "any"). A blank value is a value: `lang=%20` is refused, `q=%20` is an empty query.
    pub fn get(&self, name: &str) -> Option<&str> {
        self.0.iter().find(|(k, _)| k == name).map(|(_, v)| v.as_str()).filter(|v| !v.is_empty())
    }

    /// Every value of a repeatable parameter, in order, empty ones left out.
    pub fn get_all(&self, name: &str) -> Vec<&str> {
        self.0.iter().filter(|(k, v)| k == name && !v.is_empty()).map(|(_, v)| v.as_str()).collect()
    }

    /// Parameter `field` as one of `T`'s names ([`parse_name`]), absent when absent or empty.
    pub fn name<T: Named>(&self, field: &str) -> Result<Option<T>, ApiError> {
        self.get(field).map(|v| parse_name(field, v)).transpose()
    }

    /// `lang`, French by default.
    pub fn lang(&self) -> Result<Lang, ApiError> {
        Ok(self.name("lang")?.unwrap_or_default())
    }

    /// `taxonomy`, both when absent.
    pub fn taxonomy(&self) -> Result<Option<Taxonomy>, ApiError> {
        self.name("taxonomy")
    }

    /// A count (`limit`, `offset`): decimal digits only, absent when absent or empty; its
    /// range is the engine's to check ([`crate::search::QueryLimits::page`]).
    pub fn count(&self, name: &str) -> Result<Option<i64>, ApiError> {
        let Some(v) = self.get(name) else { return Ok(None) };
        // Digits only: `i64::from_str` would also take a sign (`+5`, sent as `%2B5`).
        if !v.bytes().all(|b| b.is_ascii_digit()) {
            return Err(ApiError::invalid_parameter(format!("{name} must be an integer, got `{}`", echo(v))));
        }
        v.parse()
            .map(Some)
            .map_err(|_| ApiError::invalid_parameter(format!("{name} is out of range, got `{}`", echo(v))))
    }
}

/// Reads `max_level`: one of the entry levels' names.
fn parse_level(v: &str) -> Result<EducationLevel, ApiError> {
    EducationLevel::parse(v).ok_or_else(|| {
        let names: Vec<&str> = EducationLevel::ALL.iter().map(|l| l.as_str()).collect();
        ApiError::invalid_parameter(format!("max_level must be one of {}, got `{}`", names.join(", "), echo(v)))
    })
}

impl QueryParams {
    /// The facet filter of a query string: `require` and `exclude` (facet ids, comma-separated
    /// or repeated) and `max_level`.
    pub fn facet_filter(&self) -> Result<FacetFilter, ApiError> {
        let ids = |name: &str| -> Vec<String> {
            self.get_all(name)
                .iter()
                .flat_map(|v| v.split(','))
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect()
        };
        let max_level = self.get("max_level").map(parse_level).transpose()?;
        Ok(read_filter(&ids("require"), &ids("exclude"), max_level)?)
    }
}

impl JsonObject {
    /// The facet filter of a body: `require` and `exclude` (arrays of facet ids) and
    /// `max_level`.
    pub fn facet_filter(&mut self) -> Result<FacetFilter, ApiError> {
        let require: Vec<String> = self.field("require")?.unwrap_or_default();
        let exclude: Vec<String> = self.field("exclude")?.unwrap_or_default();
        let max_level = self.field::<String>("max_level")?.filter(|v| !v.trim().is_empty());
        let max_level = max_level.as_deref().map(parse_level).transpose()?;
        Ok(read_filter(&require, &exclude, max_level)?)
    }
}

/// Reads the value of `field` as one of `T`'s names, exactly (no other case, no padding), as
/// the OpenAPI document's enums say; the command line's flags are more forgiving.
pub(crate) fn parse_name<T: Named>(field: &str, v: &str) -> Result<T, ApiError> {
    T::from_name(v)
        .ok_or_else(|| ApiError::invalid_parameter(format!("{field} must be {}, got `{}`", T::expected(), echo(v))))
}

/// `application/x-www-form-urlencoded` decoding (`+` is a space), `None` unless valid UTF-8.
fn percent_decode(s: &str) -> Option<String> {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => {
                let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
                match hex.and_then(|h| u8::from_str_radix(h, 16).ok()) {
                    Some(b) => {
                        out.push(b);
                        i += 2;
                    }
                    // A lone `%` is kept literally, as browsers and `form_urlencoded` do.
                    None => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8(out).ok()
}

/// A JSON object request body.
///
/// Checks the content type (415), size (413, from `DefaultBodyLimit`) and syntax (400), then
/// lets the handler take typed fields one by one with [`JsonObject::field`], so a type error
/// (422) names its field.
#[derive(Debug)]
pub struct JsonObject(Map<String, Value>);

impl<S: Send + Sync> FromRequest<S> for JsonObject {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let content_type = req.headers().get(header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).unwrap_or("");
        if !is_json(content_type) {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                ErrorCode::UnsupportedMediaType,
                format!("expected `Content-Type: application/json`, got `{}`", echo(content_type)),
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|rejection| {
            if rejection.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    ErrorCode::PayloadTooLarge,
                    "the request body is too large",
                )
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidBody, "the request body could not be read")
            }
        })?;
        let value: Value = serde_json::from_slice(&bytes).map_err(|e| {
            ApiError::new(StatusCode::BAD_REQUEST, ErrorCode::InvalidJson, format!("malformed JSON: {e}"))
        })?;
        match value {
            Value::Object(map) => Ok(JsonObject(map)),
            other => Err(ApiError::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                ErrorCode::InvalidJson,
                format!("wrong type: the body must be a JSON object, got {}", json_kind(&other)),
            )),
        }
    }
}

impl JsonObject {
    /// Field `name` as a `T`; `None` when absent or `null`; 422 `invalid_json` naming the field
    /// when it has the wrong type.
    ///
    /// A number with no fractional part is an integer whichever way it is written (`28.0`,
    /// `2.8e1`), as JSON Schema's `integer` says.
    pub fn field<T: DeserializeOwned>(&mut self, name: &str) -> Result<Option<T>, ApiError> {
        match self.0.remove(name).map(integral) {
            None | Some(Value::Null) => Ok(None),
            Some(v) => {
                let kind = json_kind(&v);
                serde_json::from_value(v).map(Some).map_err(|e| {
                    ApiError::new(
                        StatusCode::UNPROCESSABLE_ENTITY,
                        ErrorCode::InvalidJson,
                        format!("wrong type for field `{name}` ({kind}): {e}"),
                    )
                })
            }
        }
    }

    /// An optional field holding one of `T`'s names ([`parse_name`]); `null`, an empty or a
    /// blank string mean absent (the default), as in query strings.
    pub fn name<T: Named>(&mut self, field: &str) -> Result<Option<T>, ApiError> {
        self.field::<String>(field)?.filter(|v| !v.trim().is_empty()).map(|v| parse_name(field, &v)).transpose()
    }
}

impl From<Map<String, Value>> for JsonObject {
    fn from(map: Map<String, Value>) -> Self {
        JsonObject(map)
    }
}

/// A floating-point number with no fractional part, in `i64` range, as an integer; any other
/// value as it is.
fn integral(v: Value) -> Value {
    const LIMIT: f64 = 9_223_372_036_854_775_808.0; // 2^63: `i64::MAX as f64` rounds up to it.
    match v.as_f64() {
        Some(f) if v.is_f64() && f.fract() == 0.0 && (-LIMIT..LIMIT).contains(&f) => {
            #[allow(clippy::cast_possible_truncation)] // Integral and in range: exact.
            let n = f as i64;
            Value::from(n)
        }
        _ => v,
    }
}

/// `application/json`, with parameters, or any `application/*+json`.
fn is_json(content_type: &str) -> bool {
    let essence = content_type.split(';').next().unwrap_or("").trim().to_ascii_lowercase();
    essence == "application/json" || (essence.starts_with("application/") && essence.ends_with("+json"))
}

/// A JSON value's type, for messages.
fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Prefix of ESCO occupation URIs; clients may send the bare UUID.
pub const ESCO_OCCUPATION_PREFIX: &str = "http://data.europa.eu/esco/occupation/";

/// `/{taxonomy}/{*code}` of an occupation, with the code normalised.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OccupationPath {
    /// The taxonomy.
    pub taxonomy: Taxonomy,
    /// ROME code (upper case) or full ESCO URI.
    pub code: String,
}

impl<S: Send + Sync> FromRequestParts<S> for OccupationPath {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let Path((taxonomy, code)) = Path::<(String, String)>::from_request_parts(parts, state)
            .await
            .map_err(|e| ApiError::invalid_parameter(format!("occupation path: {}", e.body_text())))?;
        let taxonomy = parse_name::<Taxonomy>("taxonomy", &taxonomy)?;
        Ok(OccupationPath { taxonomy, code: normalise_code(taxonomy, &code) })
    }
}

/// ROME codes are upper case; ESCO codes are URIs (the bare UUID, or an `https` URI, is
/// completed to the canonical `http` URI the catalogue stores).
pub fn normalise_code(taxonomy: Taxonomy, code: &str) -> String {
    let code = code.trim().trim_start_matches('/');
    match taxonomy {
        Taxonomy::Rome => code.to_ascii_uppercase(),
        Taxonomy::Esco => {
            if let Some(rest) = code.strip_prefix("https://") {
                format!("http://{rest}")
            } else if code.contains("://") {
                code.to_string()
            } else {
                format!("{ESCO_OCCUPATION_PREFIX}{code}")
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decodes_and_refuses_invalid_utf8() {
        let p = QueryParams::parse("q=p%C3%A2te+feuillet%C3%A9e&lang=fr&taxonomy=").expect("valid");
        assert_eq!(p.get("q"), Some("pâte feuilletée"));
        assert_eq!(p.get("taxonomy"), None);
        assert_eq!(QueryParams::parse("q=100%").expect("lone %").get("q"), Some("100%"));
        let err = QueryParams::parse("q=%FF").expect_err("invalid UTF-8");
        assert_eq!(err.code, ErrorCode::InvalidParameter);
        assert!(err.message.starts_with("q:"), "{}", err.message);
        assert!(QueryParams::parse("q=a&q=b").is_err());
    }

    #[test]
    fn caps_the_number_of_parameters() {
        let at_cap: Vec<String> = (0..MAX_QUERY_PARAMS).map(|i| format!("p{i}=1")).collect();
        assert!(QueryParams::parse(&at_cap.join("&")).is_ok());
        // Empty pairs (`a&&b`) are not parameters and do not count.
        assert!(QueryParams::parse(&format!("{}&&&", at_cap.join("&"))).is_ok());
        let over = format!("{}&x=1", at_cap.join("&"));
        let err = QueryParams::parse(&over).expect_err("one too many");
        assert_eq!(err.code, ErrorCode::InvalidParameter);
        assert!(err.message.contains(&MAX_QUERY_PARAMS.to_string()), "{}", err.message);
        // Refused before decoding: an invalid escape past the cap is not what is reported.
        let err = QueryParams::parse(&"a=1&".repeat(20_000)).expect_err("hostile");
        assert!(err.message.contains("too many"), "{}", err.message);
        // Duplicates are still found, after percent-decoding the names.
        assert!(QueryParams::parse("q=a&%71=b").is_err());
    }

    #[test]
    fn counts_and_enums() {
        let count = |q: &str| QueryParams::parse(q).expect("parse").count("limit");
        assert_eq!(count("limit=0"), Ok(Some(0)), "the range is the engine's to check");
        assert_eq!(count("limit=50"), Ok(Some(50)));
        assert!(count("limit=abc").is_err());
        assert_eq!(QueryParams::default().count("limit"), Ok(None));
        assert!(QueryParams::parse("lang=de").expect("parse").lang().is_err());
        assert_eq!(QueryParams::parse("taxonomy=esco").expect("parse").taxonomy(), Ok(Some(Taxonomy::Esco)));
        // Exactly the OpenAPI enums: no other case, no padding; only an empty value is absent.
        for bad in ["taxonomy=ESCO", "taxonomy=%20esco", "taxonomy=%20"] {
            let p = QueryParams::parse(bad).expect("parse");
            assert!(p.taxonomy().is_err(), "{bad}");
        }
        for bad in ["lang=FR", "lang=fr%20", "lang=+"] {
            assert!(QueryParams::parse(bad).expect("parse").lang().is_err(), "{bad}");
        }
        assert_eq!(QueryParams::parse("lang=&taxonomy=").expect("parse").lang(), Ok(Lang::Fr));
        for bad in ["limit=%2B5", "limit=+5", "limit=%205", "limit=5.0", "limit=-1"] {
            assert!(count(bad).is_err(), "{bad}");
        }
        let err = count("limit=99999999999999999999999").expect_err("out of any range");
        assert!(err.message.contains("out of range"), "{}", err.message);
        assert_eq!(count("limit="), Ok(None));
        assert_eq!(count("limit=07"), Ok(Some(7)));
    }

    #[test]
    fn integral_numbers_are_integers() {
        let mut body = JsonObject(
            serde_json::from_str(r#"{"a": 28.0, "b": 2.8e1, "c": 28.5, "d": 1e300, "e": -0.0, "f": "x"}"#)
                .expect("json"),
        );
        assert_eq!(body.field::<i64>("a"), Ok(Some(28)));
        assert_eq!(body.field::<i64>("b"), Ok(Some(28)));
        assert!(body.field::<i64>("c").is_err());
        assert!(body.field::<i64>("d").is_err());
        assert_eq!(body.field::<i64>("e"), Ok(Some(0)));
        assert!(body.field::<i64>("f").is_err());
    }

    #[test]
    fn normalises_codes() {
        assert_eq!(normalise_code(Taxonomy::Rome, "d1102"), "D1102");
        let uri = "http://data.europa.eu/esco/occupation/abc";
        assert_eq!(normalise_code(Taxonomy::Esco, "abc"), uri);
        assert_eq!(normalise_code(Taxonomy::Esco, uri), uri);
        assert_eq!(normalise_code(Taxonomy::Esco, "https://data.europa.eu/esco/occupation/abc"), uri);
    }

    #[test]
    fn json_content_types() {
        assert!(is_json("application/json"));
        assert!(is_json("application/json; charset=utf-8"));
        assert!(is_json("application/problem+json"));
        assert!(!is_json("text/plain"));
        assert!(!is_json(""));
    }
}
