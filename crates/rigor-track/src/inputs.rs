//! Input files and directories as MLflow dataset inputs, and back. A dataset's
//! `digest` holds the first 32 hex digits of the BLAKE3 digest (MLflow allows 36
//! characters); the full digest, the size and the file count are in its `profile` and
//! its `rigor.blake3` tag, the path as given in `rigor.path`, and the absolute path in
//! the `source` (`{"uri": …}`, as MLflow's local dataset sources write it).

use std::path::{Path, PathBuf};

use rigor_io::input::{digest_path, PathDigest};
use rigor_store::{Dataset, DatasetInput, Tag};
use serde_json::json;

use crate::error::{Error, Result};

/// Length of the digest kept in the dataset's `digest` field.
const SHORT_DIGEST: usize = 32;

/// An input as recorded: where it was and what it held.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordedInput {
    /// The path as the user gave it (relative to the working directory, or absolute).
    pub path: String,
    pub absolute: Option<PathBuf>,
    /// Full BLAKE3 when recorded by rigor, else the dataset's digest as stored.
    pub blake3: String,
    /// True when `blake3` is the full digest (rigor recorded it).
    pub full: bool,
}

/// Hashes `path` (relative to `cwd` unless absolute) and describes it as a dataset
/// input with context `role`. A missing path is bad input naming it.
pub fn dataset_input(cwd: &Path, path: &str, role: &str) -> Result<(DatasetInput, PathDigest)> {
    let full = cwd.join(path);
    if !full.exists() {
        return Err(Error::Input(format!(
            "--input {path}: no such file or directory"
        )));
    }
    let digest = digest_path(&full)?;
    let absolute = std::fs::canonicalize(&full).unwrap_or(full);
    let profile = json!({
        "blake3": digest.blake3,
        "bytes": digest.bytes,
        "files": digest.files,
        "kind": if digest.is_dir { "directory" } else { "file" },
    });
    let name: String = path.chars().take(500).collect();
    let input = DatasetInput {
        tags: vec![
            Tag::new("mlflow.data.context", role),
            Tag::new("rigor.path", path),
            Tag::new("rigor.blake3", &digest.blake3),
        ],
        dataset: Dataset {
            name,
            digest: digest.blake3[..SHORT_DIGEST].to_string(),
            source_type: "local".to_string(),
            source: json!({"uri": absolute.display().to_string()}).to_string(),
            schema: None,
            profile: Some(profile.to_string()),
        },
    };
    Ok((input, digest))
}

/// What a logged dataset input says about its file, for checking it again.
pub fn recorded(d: &DatasetInput) -> RecordedInput {
    let tag = |k: &str| d.tags.iter().find(|t| t.key == k).map(|t| t.value.clone());
    let profile: serde_json::Value = d
        .dataset
        .profile
        .as_deref()
        .and_then(|p| serde_json::from_str(p).ok())
        .unwrap_or_default();
    let full = tag("rigor.blake3").or_else(|| profile["blake3"].as_str().map(str::to_string));
    let absolute = serde_json::from_str::<serde_json::Value>(&d.dataset.source)
        .ok()
        .and_then(|v| v["uri"].as_str().map(PathBuf::from));
    RecordedInput {
        path: tag("rigor.path").unwrap_or_else(|| d.dataset.name.clone()),
        absolute,
        full: full.is_some(),
        blake3: full.unwrap_or_else(|| d.dataset.digest.clone()),
    }
}

/// True when a dataset input carries a content digest.
pub fn has_digest(d: &DatasetInput) -> bool {
    !d.dataset.digest.trim().is_empty()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_file_round_trips_through_a_dataset_input() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("q.txt"), "q1 0 d1 1\n").unwrap();
        let (input, digest) = dataset_input(dir.path(), "q.txt", "input").unwrap();
        rigor_store::validate::dataset_input(&input).unwrap();
        assert_eq!(input.dataset.digest.len(), 32);
        let back = recorded(&input);
        assert_eq!(back.path, "q.txt");
        assert_eq!(back.blake3, digest.blake3);
        assert!(back.full);
        assert_eq!(
            back.absolute.unwrap(),
            std::fs::canonicalize(dir.path().join("q.txt")).unwrap()
        );
        let e = dataset_input(dir.path(), "missing.txt", "input").unwrap_err();
        assert!(e.is_bad_input());
        assert!(e.to_string().contains("missing.txt"));
    }
}
