//! The store's entities as MLflow's JSON (the protobuf JSON mapping): one rendering for
//! the server's responses and the tracking client's requests, so both speak the same
//! dialect.

use serde_json::{json, Value};

use crate::model::{Dataset, Metric, Tag};

/// A metric value: NaN and the infinities are the strings `"NaN"`, `"Infinity"`,
/// `"-Infinity"`.
pub fn number(v: f64) -> Value {
    if v.is_nan() {
        json!("NaN")
    } else if v.is_infinite() {
        json!(if v > 0.0 { "Infinity" } else { "-Infinity" })
    } else {
        json!(v)
    }
}

/// A metric point: key, value, timestamp and step.
pub fn metric(m: &Metric) -> Value {
    json!({"key": m.key, "value": number(m.value), "timestamp": m.timestamp, "step": m.step})
}

/// Tags (and params) as a list of `{"key", "value"}`.
pub fn tags(list: &[Tag]) -> Value {
    Value::Array(
        list.iter()
            .map(|t| json!({"key": t.key, "value": t.value}))
            .collect(),
    )
}

/// A dataset; the optional schema and profile only when set.
pub fn dataset(d: &Dataset) -> Value {
    let mut ds = json!({
        "name": d.name,
        "digest": d.digest,
        "source_type": d.source_type,
        "source": d.source,
    });
    if let Some(s) = &d.schema {
        ds["schema"] = json!(s);
    }
    if let Some(p) = &d.profile {
        ds["profile"] = json!(p);
    }
    ds
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn non_finite_numbers_are_strings() {
        assert_eq!(number(f64::NAN), json!("NaN"));
        assert_eq!(number(f64::INFINITY), json!("Infinity"));
        assert_eq!(number(f64::NEG_INFINITY), json!("-Infinity"));
        assert_eq!(number(0.25), json!(0.25));
    }
}
