//! Request extractors that never reject with anything but MLflow's error shape.
//!
//! [`MlJson`] reads a POST body (an empty body is `{}`), [`MlQuery`] a GET query string
//! (repeated keys become lists). Both deserialize leniently where protobuf's JSON
//! mapping is lenient: 64-bit integers and doubles may come as numbers or strings, and
//! doubles as `"NaN"`, `"Infinity"`, `"-Infinity"`.

use axum::body::Bytes;
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use serde::de::DeserializeOwned;
use serde_json::Value;

use crate::error::ApiError;

/// Largest JSON body accepted (dataset profiles may be up to 16 MB in MLflow).
const MAX_JSON_BODY: usize = 32 << 20;

pub struct MlJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for MlJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let body = axum::body::to_bytes(req.into_body(), MAX_JSON_BODY)
            .await
            .map_err(|e| ApiError::invalid(format!("Cannot read the request body: {e}")))?;
        let _ = state;
        parse_json(&body).map(MlJson)
    }
}

fn parse_json<T: DeserializeOwned>(body: &Bytes) -> Result<T, ApiError> {
    let start = body.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return serde_json::from_slice(b"{}")
            .map_err(|e| ApiError::invalid(format!("Invalid request: {e}")));
    };
    if body[start] != b'{' {
        return Err(ApiError::invalid(
            "Malformed request body: expected a JSON object",
        ));
    }
    serde_json::from_slice(body).map_err(|e| {
        if e.is_syntax() || e.is_eof() {
            ApiError::invalid(format!("Malformed JSON request body: {e}"))
        } else {
            ApiError::invalid(format!("Invalid request: {e}"))
        }
    })
}

pub struct MlQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequestParts<S> for MlQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let query = parts.uri.query().unwrap_or("");
        let mut map = serde_json::Map::new();
        for (k, v) in form_urlencoded::parse(query.as_bytes()) {
            let v = Value::String(v.into_owned());
            match map.get_mut(k.as_ref()) {
                Some(Value::Array(list)) => list.push(v),
                Some(old) => {
                    let first = old.take();
                    *old = Value::Array(vec![first, v]);
                }
                None => {
                    map.insert(k.into_owned(), v);
                }
            }
        }
        serde_json::from_value(Value::Object(map))
            .map(MlQuery)
            .map_err(|e| ApiError::invalid(format!("Invalid request: {e}")))
    }
}

/// Lenient deserializers for protobuf-JSON scalars.
pub mod de {
    use serde::{Deserialize, Deserializer};
    use serde_json::Value;

    fn bad<E: serde::de::Error>(v: &Value, what: &str) -> E {
        E::custom(format!("Invalid value {v} supplied: expected {what}"))
    }

    pub fn opt_i64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<i64>, D::Error> {
        let v = Option::<Value>::deserialize(d)?;
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => match (n.as_i64(), n.as_f64()) {
                (Some(i), _) => Ok(Some(i)),
                (None, Some(f)) if f.fract() == 0.0 && f.abs() < 9.2e18 => Ok(Some(f as i64)),
                _ => Err(bad(&Value::Number(n), "an integer")),
            },
            Some(Value::String(s)) => s
                .trim()
                .parse::<i64>()
                .map(Some)
                .map_err(|_| bad(&Value::String(s), "an integer")),
            Some(other) => Err(bad(&other, "an integer")),
        }
    }

    pub fn opt_f64<'de, D: Deserializer<'de>>(d: D) -> Result<Option<f64>, D::Error> {
        let v = Option::<Value>::deserialize(d)?;
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::Number(n)) => n
                .as_f64()
                .map(Some)
                .ok_or_else(|| bad(&Value::Number(n), "a number")),
            Some(Value::String(s)) => match s.trim() {
                "NaN" | "nan" => Ok(Some(f64::NAN)),
                "Infinity" | "inf" => Ok(Some(f64::INFINITY)),
                "-Infinity" | "-inf" => Ok(Some(f64::NEG_INFINITY)),
                t => t
                    .parse::<f64>()
                    .map(Some)
                    .map_err(|_| bad(&Value::String(s.clone()), "a number")),
            },
            Some(other) => Err(bad(&other, "a number")),
        }
    }

    /// A string field that may arrive as a number (ids) or be missing.
    pub fn opt_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
        let v = Option::<Value>::deserialize(d)?;
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s)),
            Some(Value::Number(n)) => Ok(Some(n.to_string())),
            Some(other) => Err(bad(&other, "a string")),
        }
    }

    /// A list of strings; a single string (from a query string) is a list of one.
    pub fn string_list<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<String>, D::Error> {
        let v = Option::<Value>::deserialize(d)?;
        let one = |v: Value| match v {
            Value::String(s) => Ok(s),
            Value::Number(n) => Ok(n.to_string()),
            other => Err(bad(&other, "a string")),
        };
        match v {
            None | Some(Value::Null) => Ok(Vec::new()),
            Some(Value::Array(list)) => list.into_iter().map(one).collect(),
            Some(other) => Ok(vec![one(other)?]),
        }
    }
}
