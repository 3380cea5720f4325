//! `--evidence [LABEL=]FILE` for gate, report and card: reading evidence documents,
//! and re-hashing the inputs they name for `verify_inputs`.

use std::io::Read;
use std::path::Path;

use rigor_gate::{Evidence, InputFiles};

use crate::Failure;

/// Reads every `--evidence` argument. `LABEL=FILE` names the document (when the whole
/// argument is not itself a file); otherwise its label is the file stem. `-` reads
/// standard input (label `stdin`).
pub fn read(args: &[String]) -> Result<Vec<Evidence>, Failure> {
    args.iter().map(|a| read_one(a)).collect()
}

fn read_one(arg: &str) -> Result<Evidence, Failure> {
    let (label, path) = match arg.split_once('=') {
        Some((label, path)) if !label.is_empty() && !Path::new(arg).exists() => {
            (label.to_string(), path.to_string())
        }
        _ => (stem(arg), arg.to_string()),
    };
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
        let p = Path::new(path);
        let (mut reader, slot) =
            rigor_io::input::open_digested(p, None).map_err(|e| e.to_string())?;
        rigor_io::input::drain(&mut reader, p).map_err(|e| e.to_string())?;
        slot.get()
            .map(|d| (d.blake3.clone(), d.bytes))
            .ok_or_else(|| "was not read to its end".to_string())
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
