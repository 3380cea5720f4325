//! `--evidence [LABEL=]FILE` for gate, report and card: reading evidence documents,
//! and re-hashing the inputs they name for `verify_inputs`.

use std::io::Read;
use std::path::Path;

use rigor_gate::{Evidence, InputFiles};

use crate::Failure;

/// Reads every `--evidence` argument. `LABEL=FILE` names the document (when the whole
/// argument is not itself a file); otherwise its label is the file stem. `-` reads
/// standard input (label `stdin`). `runs:/RUN_ID[/PATH]` reads the evidence that
/// `--track` logged on a run of the tracking server at `tracking_uri` (else
/// `MLFLOW_TRACKING_URI`, else the default local store), labelled by the run's name.
pub fn read(args: &[String], tracking_uri: Option<&str>) -> Result<Vec<Evidence>, Failure> {
    let mut tracking = None;
    args.iter()
        .map(|a| read_one(a, tracking_uri, &mut tracking))
        .collect()
}

/// What `--track` names the evidence it logs: `rigor/evidence-KIND.json`.
const TRACKED_DIR: &str = "rigor";

fn read_one(
    arg: &str,
    tracking_uri: Option<&str>,
    tracking: &mut Option<crate::tracking::Tracking>,
) -> Result<Evidence, Failure> {
    let (label, path) = match arg.split_once('=') {
        Some((label, path)) if !label.is_empty() && !Path::new(arg).exists() => {
            (Some(label.to_string()), path.to_string())
        }
        _ => (None, arg.to_string()),
    };
    if let Some(spec) = path.strip_prefix("runs:/") {
        if tracking.is_none() {
            *tracking = Some(crate::tracking::connect(tracking_uri)?);
        }
        let Some(t) = tracking.as_ref() else {
            unreachable!("connected above")
        };
        return read_tracked(label, &path, spec, t);
    }
    let label = label.unwrap_or_else(|| stem(arg));
    let text = if path == "-" {
        let mut s = String::new();
        std::io::stdin()
            .read_to_string(&mut s)
            .map_err(|e| Failure::Input(format!("standard input: {e}")))?;
        s
    } else {
        std::fs::read_to_string(&path).map_err(|e| {
            let why = match e.kind() {
                std::io::ErrorKind::NotFound => "no such file".to_string(),
                std::io::ErrorKind::InvalidData => "not UTF-8 text (expected JSON)".to_string(),
                _ => e.to_string(),
            };
            Failure::Input(format!("{path}: {why}"))
        })?
    };
    Evidence::read(&label, &path, &text).map_err(gate_failure)
}

/// `runs:/RUN_ID` (the run's one `rigor/evidence-*.json`) or `runs:/RUN_ID/PATH`.
fn read_tracked(
    label: Option<String>,
    arg: &str,
    spec: &str,
    t: &crate::tracking::Tracking,
) -> Result<Evidence, Failure> {
    use crate::tracking::track_failure;
    let (run_id, rel) = spec.split_once('/').unwrap_or((spec, ""));
    if run_id.is_empty() {
        return Err(Failure::Input(format!(
            "--evidence {arg}: expected runs:/RUN_ID or runs:/RUN_ID/PATH"
        )));
    }
    let run = t.client.get_run(run_id).map_err(track_failure)?;
    let rel = if rel.is_empty() {
        let found: Vec<String> = t
            .client
            .list_artifacts(&run, TRACKED_DIR)
            .map_err(track_failure)?
            .into_iter()
            .map(|name| name.rsplit('/').next().unwrap_or(&name).to_string())
            .filter(|name| name.starts_with("evidence-") && name.ends_with(".json"))
            .collect();
        match found.as_slice() {
            [one] => format!("{TRACKED_DIR}/{one}"),
            [] => {
                return Err(Failure::Input(format!(
                    "--evidence {arg}: run {run_id} at {} holds no rigor evidence \
                     ({TRACKED_DIR}/evidence-*.json; log it with `rigor eval … --track`)",
                    t.describe()
                )))
            }
            several => {
                return Err(Failure::Input(format!(
                    "--evidence {arg}: run {run_id} holds several evidence documents ({}): \
                     name one as runs:/{run_id}/{TRACKED_DIR}/NAME",
                    several.join(", ")
                )))
            }
        }
    } else {
        rel.to_string()
    };
    let bytes = t
        .client
        .download(&run, &rel)
        .map_err(track_failure)?
        .ok_or_else(|| {
            Failure::Input(format!(
                "--evidence {arg}: run {run_id} has no artifact {rel}"
            ))
        })?;
    let text = String::from_utf8(bytes)
        .map_err(|_| Failure::Input(format!("--evidence {arg}: not UTF-8 text (expected JSON)")))?;
    let label = label.unwrap_or_else(|| {
        if run.info.run_name.is_empty() {
            run_id.to_string()
        } else {
            run.info.run_name.clone()
        }
    });
    Evidence::read(&label, &format!("runs:/{run_id}/{rel}"), &text).map_err(gate_failure)
}

fn stem(path: &str) -> String {
    if path == "-" {
        return "stdin".into();
    }
    Path::new(path)
        .file_stem()
        .map_or_else(|| path.to_string(), |s| s.to_string_lossy().into_owned())
}

/// Every gate error is the user's to fix (exit 2).
pub fn gate_failure(e: rigor_gate::Error) -> Failure {
    Failure::Input(e.to_string())
}

/// Input files on disk, relative to the working directory.
pub struct Disk;

impl InputFiles for Disk {
    fn digest(&self, path: &str) -> Result<(String, u64), String> {
        rigor_io::input::digest_file(Path::new(path))
            .map(|d| (d.blake3, d.bytes))
            .map_err(|e| e.to_string())
    }
}

/// Reads and parses a policy file.
pub fn policy(path: &Path) -> Result<rigor_gate::Policy, Failure> {
    let name = path.display().to_string();
    let text = std::fs::read_to_string(path).map_err(|e| {
        Failure::Input(match e.kind() {
            std::io::ErrorKind::NotFound => format!("{name}: no such file"),
            _ => format!("{name}: {e}"),
        })
    })?;
    rigor_gate::policy::parse(&name, &text).map_err(gate_failure)
}
