//! MLflow's validation rules (mlflow/utils/validation.py, 3.17), applied by the store so
//! that every backend enforces them. Messages follow MLflow's wording.

use crate::error::{Error, Result};
use crate::model::{DatasetInput, Metric, Param, Tag};

pub const MAX_PARAMS_TAGS_PER_BATCH: usize = 100;
pub const MAX_METRICS_PER_BATCH: usize = 1000;
pub const MAX_ENTITIES_PER_BATCH: usize = 1000;
pub const MAX_PARAM_VAL_LENGTH: usize = 6000;
pub const MAX_TAG_VAL_LENGTH: usize = 8000;
pub const MAX_EXPERIMENT_NAME_LENGTH: usize = 500;
pub const MAX_EXPERIMENT_TAG_KEY_LENGTH: usize = 250;
pub const MAX_EXPERIMENT_TAG_VAL_LENGTH: usize = 20000;
pub const MAX_ENTITY_KEY_LENGTH: usize = 250;
pub const MAX_DATASET_NAME_SIZE: usize = 500;
pub const MAX_DATASET_DIGEST_SIZE: usize = 36;
pub const MAX_DATASET_SOURCE_SIZE: usize = 65535;
pub const MAX_DATASET_SCHEMA_SIZE: usize = 1_048_575;
pub const MAX_DATASET_PROFILE_SIZE: usize = 16_777_215;
pub const MAX_INPUT_TAG_KEY_SIZE: usize = 255;
pub const MAX_INPUT_TAG_VALUE_SIZE: usize = 500;
/// The largest page a search may ask for.
pub const SEARCH_MAX_RESULTS_THRESHOLD: i64 = 50000;

fn json_str(s: &str) -> String {
    serde_json::to_string(s).unwrap_or_else(|_| format!("\"{s}\""))
}

/// `Invalid value "x" for parameter 'p' supplied: why`.
pub fn invalid_value(path: &str, value: &str, why: &str) -> Error {
    if why.is_empty() {
        Error::invalid(format!(
            "Invalid value {} for parameter '{path}' supplied.",
            json_str(value)
        ))
    } else {
        Error::invalid(format!(
            "Invalid value {} for parameter '{path}' supplied: {why}",
            json_str(value)
        ))
    }
}

pub fn missing_value(path: &str) -> Error {
    Error::invalid(format!(
        "Missing value for required parameter '{path}'. See the API docs for more \
         information about request parameters."
    ))
}

/// A run id: an alphanumeric then up to 255 word characters or dashes.
pub fn run_id(id: &str) -> Result<()> {
    let mut chars = id.chars();
    let ok = match chars.next() {
        Some(c) if c.is_ascii_alphanumeric() => {
            id.chars().count() <= 256 && chars.all(|c| c.is_alphanumeric() || c == '_' || c == '-')
        }
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(invalid_value("run_id", id, ""))
    }
}

/// An experiment id of the SQL stores: an integer.
pub fn experiment_id(id: &str) -> Result<i64> {
    id.trim().parse::<i64>().map_err(|_| {
        Error::invalid(format!(
            "Invalid experiment ID '{id}'. Experiment ID must be a valid integer."
        ))
    })
}

pub fn experiment_name(name: &str) -> Result<()> {
    if name.is_empty() {
        return Err(Error::invalid(format!("Invalid experiment name: '{name}'")));
    }
    if name.chars().count() > MAX_EXPERIMENT_NAME_LENGTH {
        return Err(Error::invalid(format!(
            "Experiment name exceeds the maximum length of {MAX_EXPERIMENT_NAME_LENGTH} characters"
        )));
    }
    Ok(())
}

/// POSIX `normpath` as Python's `posixpath.normpath`.
fn normpath(path: &str) -> String {
    if path.is_empty() {
        return ".".to_string();
    }
    let initial = if path.starts_with("//") && !path.starts_with("///") {
        "//"
    } else if path.starts_with('/') {
        "/"
    } else {
        ""
    };
    let mut parts: Vec<&str> = Vec::new();
    for comp in path.split('/') {
        if comp.is_empty() || comp == "." {
            continue;
        }
        if comp != ".." || (initial.is_empty() && parts.is_empty()) || parts.last() == Some(&"..") {
            parts.push(comp);
        } else if !parts.is_empty() {
            parts.pop();
        }
    }
    let joined = format!("{initial}{}", parts.join("/"));
    if joined.is_empty() {
        ".".to_string()
    } else {
        joined
    }
}

/// A metric, param or tag name: word characters, `/ . - :` and spaces, and not a
/// path that normalizes to another name (`a/../b`, `./a`, `/a`, `..`).
pub fn entity_name(path: &str, name: &str) -> Result<()> {
    let chars_ok = name
        .chars()
        .all(|c| c.is_alphanumeric() || matches!(c, '_' | '/' | '.' | '-' | ' ' | ':'));
    if !chars_ok {
        return Err(invalid_value(
            path,
            name,
            "Names may only contain alphanumerics, underscores (_), dashes (-), periods (.), \
             spaces ( ), colon(:) and slashes (/).",
        ));
    }
    let norm = normpath(name);
    if norm != name || norm == "." || norm.starts_with("..") || norm.starts_with('/') {
        return Err(invalid_value(
            path,
            name,
            &format!(
                "Names may be treated as files in certain cases, and must not resolve to other \
                 names when treated as such. This name would resolve to '{norm}'"
            ),
        ));
    }
    if name.chars().count() > MAX_ENTITY_KEY_LENGTH {
        return Err(length_error(path, name, MAX_ENTITY_KEY_LENGTH));
    }
    Ok(())
}

fn length_error(what: &str, value: &str, limit: usize) -> Error {
    let head: String = value.chars().take(250).collect();
    Error::invalid(format!(
        "{what} '{head}' had length {}, which exceeded length limit of {limit}",
        value.chars().count()
    ))
}

fn truncate(value: &str, limit: usize) -> String {
    match value.char_indices().nth(limit) {
        Some((i, _)) => value[..i].to_string(),
        None => value.to_string(),
    }
}

fn limit(what: &str, value: &str, max: usize) -> Result<()> {
    if value.chars().count() > max {
        Err(length_error(what, value, max))
    } else {
        Ok(())
    }
}

/// A param: the key is checked, the value truncated to 6000 characters (MLflow's default
/// `MLFLOW_TRUNCATE_LONG_VALUES`).
pub fn param(p: &Param) -> Result<Param> {
    entity_name("key", &p.key)?;
    Ok(Tag::new(
        p.key.clone(),
        truncate(&p.value, MAX_PARAM_VAL_LENGTH),
    ))
}

/// A run tag: the key is checked, the value truncated to 8000 characters.
pub fn tag(t: &Tag) -> Result<Tag> {
    entity_name("key", &t.key)?;
    Ok(Tag::new(
        t.key.clone(),
        truncate(&t.value, MAX_TAG_VAL_LENGTH),
    ))
}

pub fn experiment_tag(t: &Tag) -> Result<()> {
    if t.key.is_empty() {
        return Err(missing_value("key"));
    }
    limit("key", &t.key, MAX_EXPERIMENT_TAG_KEY_LENGTH)?;
    limit("value", &t.value, MAX_EXPERIMENT_TAG_VAL_LENGTH)
}

/// A metric: a valid name. ±∞ become ±`f64::MAX` (MLflow's SQL stores do the same).
pub fn metric(path: &str, m: &Metric) -> Result<Metric> {
    entity_name(path, &m.key)?;
    let value = if m.value == f64::INFINITY {
        f64::MAX
    } else if m.value == f64::NEG_INFINITY {
        f64::MIN
    } else {
        m.value
    };
    Ok(Metric { value, ..m.clone() })
}

/// log-batch limits: 1000 metrics, 100 params, 100 tags, 1000 entities in all.
pub fn batch_limits(metrics: usize, params: usize, tags: usize) -> Result<()> {
    let over = |n: usize, max: usize, what: &str| {
        Error::invalid(format!(
            "A batch logging request can contain at most {max} {what}. Got {n} {what}. \
             Please split up {what} across multiple requests and try again."
        ))
    };
    if metrics > MAX_METRICS_PER_BATCH {
        return Err(over(metrics, MAX_METRICS_PER_BATCH, "metrics"));
    }
    if params > MAX_PARAMS_TAGS_PER_BATCH {
        return Err(over(params, MAX_PARAMS_TAGS_PER_BATCH, "params"));
    }
    if tags > MAX_PARAMS_TAGS_PER_BATCH {
        return Err(over(tags, MAX_PARAMS_TAGS_PER_BATCH, "tags"));
    }
    let total = metrics + params + tags;
    if total > MAX_ENTITIES_PER_BATCH {
        return Err(Error::invalid(format!(
            "A batch logging request can contain at most {MAX_ENTITIES_PER_BATCH} metrics, \
             params, and tags in total. Got {total} entities in total."
        )));
    }
    Ok(())
}

/// Params of one batch: the same key twice with different values is refused; exact
/// duplicates collapse to one.
pub fn unique_params(params: Vec<Param>) -> Result<Vec<Param>> {
    let mut out: Vec<Param> = Vec::with_capacity(params.len());
    let mut dup = Vec::new();
    for p in params {
        match out.iter().find(|q| q.key == p.key) {
            Some(q) if q.value == p.value => {}
            Some(_) => dup.push(p.key),
            None => out.push(p),
        }
    }
    if dup.is_empty() {
        Ok(out)
    } else {
        Err(Error::invalid(format!(
            "Duplicate parameter keys have been submitted: {dup:?}. Please ensure the request \
             contains only one param value per param key."
        )))
    }
}

pub fn dataset_input(d: &DatasetInput) -> Result<()> {
    let ds = &d.dataset;
    if ds.name.is_empty() {
        return Err(missing_value("dataset.name"));
    }
    if ds.digest.is_empty() {
        return Err(missing_value("dataset.digest"));
    }
    if ds.source_type.is_empty() {
        return Err(missing_value("dataset.source_type"));
    }
    if ds.source.is_empty() {
        return Err(missing_value("dataset.source"));
    }
    limit("Dataset name", &ds.name, MAX_DATASET_NAME_SIZE)?;
    limit("Dataset digest", &ds.digest, MAX_DATASET_DIGEST_SIZE)?;
    limit("Dataset source", &ds.source, MAX_DATASET_SOURCE_SIZE)?;
    if let Some(s) = &ds.schema {
        limit("Dataset schema", s, MAX_DATASET_SCHEMA_SIZE)?;
    }
    if let Some(p) = &ds.profile {
        limit("Dataset profile", p, MAX_DATASET_PROFILE_SIZE)?;
    }
    for t in &d.tags {
        if t.key.is_empty() {
            return Err(missing_value("key"));
        }
        limit("Input tag key", &t.key, MAX_INPUT_TAG_KEY_SIZE)?;
        limit("Input tag value", &t.value, MAX_INPUT_TAG_VALUE_SIZE)?;
    }
    Ok(())
}

pub fn max_results(n: Option<i64>) -> Result<()> {
    match n {
        Some(n) if n < 1 => Err(Error::invalid(format!(
            "Invalid value {n} for parameter 'max_results' supplied. It must be a positive \
             integer"
        ))),
        Some(n) if n > SEARCH_MAX_RESULTS_THRESHOLD => Err(Error::invalid(format!(
            "Invalid value {n} for parameter 'max_results' supplied. It must be at most \
             {SEARCH_MAX_RESULTS_THRESHOLD}"
        ))),
        _ => Ok(()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normpath_matches_python() {
        for (i, o) in [
            ("a/b", "a/b"),
            ("a/../b", "b"),
            ("./a", "a"),
            ("/a", "/a"),
            ("..", ".."),
            ("a/", "a"),
            ("a//b", "a/b"),
            ("", "."),
            ("../a/..", ".."),
        ] {
            assert_eq!(normpath(i), o, "{i}");
        }
    }

    #[test]
    fn names() {
        assert!(entity_name("key", "loss/train:1 a.b-c").is_ok());
        assert!(entity_name("key", "a/../b").is_err());
        assert!(entity_name("key", "a/").is_err());
        assert!(entity_name("key", "/a").is_err());
        assert!(entity_name("key", "a$").is_err());
        assert!(entity_name("key", "").is_err());
        assert!(entity_name("key", &"k".repeat(251)).is_err());
        assert!(entity_name("key", "δ").is_ok());
    }

    #[test]
    fn run_ids() {
        assert!(run_id("a61f819e4a1a45bdb779b05ec4f356fb").is_ok());
        assert!(run_id("").is_err());
        assert!(run_id("-x").is_err());
        assert!(run_id("a/b").is_err());
    }

    #[test]
    fn truncation_counts_characters() {
        let long = "é".repeat(MAX_PARAM_VAL_LENGTH + 5);
        let p = param(&Tag::new("k", long)).expect("valid");
        assert_eq!(p.value.chars().count(), MAX_PARAM_VAL_LENGTH);
    }
}
