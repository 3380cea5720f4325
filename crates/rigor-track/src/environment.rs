//! The environment a command ran in: operating system, CPU, rigor's version, the
//! digests of the dependency lock files in the working directory, and `pip freeze`
//! when a Python with pip is on `PATH` — what a reproduction needs to know before it
//! trusts a difference to the code.

use std::path::Path;
use std::process::Command;

use rigor_io::input::digest_file;

/// Lock files whose digests are recorded when present in the working directory
/// (`requirements*.txt` are matched by pattern).
const LOCK_FILES: [&str; 4] = ["Cargo.lock", "uv.lock", "poetry.lock", "Pipfile.lock"];

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Environment {
    /// `linux x86_64`, …
    pub os: String,
    /// The CPU model, when the system says.
    pub cpu: Option<String>,
    pub cpus: usize,
    pub rigor_version: String,
    pub hostname: Option<String>,
    /// `(file name, blake3)` of each lock file found, sorted by name.
    pub lock_files: Vec<(String, String)>,
    /// The output of `pip freeze`, when a Python with pip is on `PATH`.
    pub pip_freeze: Option<String>,
}

/// Captures the environment of `cwd`, with the environment variables the command will
/// see (`PATH` picks the Python whose packages are frozen).
pub fn capture(cwd: &Path) -> Environment {
    Environment {
        os: format!("{} {}", std::env::consts::OS, std::env::consts::ARCH),
        cpu: cpu_model(),
        cpus: std::thread::available_parallelism().map_or(1, |n| n.get()),
        rigor_version: env!("CARGO_PKG_VERSION").to_string(),
        hostname: std::fs::read_to_string("/proc/sys/kernel/hostname")
            .ok()
            .map(|s| s.trim().to_string())
            .filter(|s| !s.is_empty()),
        lock_files: lock_files(cwd),
        pip_freeze: pip_freeze(cwd),
    }
}

fn cpu_model() -> Option<String> {
    let info = std::fs::read_to_string("/proc/cpuinfo").ok()?;
    info.lines()
        .find(|l| l.starts_with("model name"))
        .and_then(|l| l.split_once(':'))
        .map(|(_, v)| v.trim().to_string())
}

fn lock_files(cwd: &Path) -> Vec<(String, String)> {
    let mut names: Vec<String> = std::fs::read_dir(cwd)
        .into_iter()
        .flatten()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_ok_and(|t| t.is_file()))
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| {
            LOCK_FILES.contains(&n.as_str())
                || (n.starts_with("requirements") && n.ends_with(".txt"))
        })
        .collect();
    names.sort();
    names
        .into_iter()
        .filter_map(|n| {
            let d = digest_file(&cwd.join(&n)).ok()?;
            Some((n, d.blake3))
        })
        .collect()
}

fn pip_freeze(cwd: &Path) -> Option<String> {
    let out = Command::new("python3")
        .args(["-m", "pip", "freeze", "--disable-pip-version-check"])
        .current_dir(cwd)
        .env("PIP_NO_INPUT", "1")
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lock_files_in_the_directory_are_hashed() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("Cargo.lock"), "x").unwrap();
        std::fs::write(dir.path().join("requirements-dev.txt"), "y").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "z").unwrap();
        let env = capture(dir.path());
        assert_eq!(
            env.lock_files,
            vec![
                ("Cargo.lock".to_string(), blake3_hex(b"x")),
                ("requirements-dev.txt".to_string(), blake3_hex(b"y")),
            ]
        );
        assert!(env.os.contains(std::env::consts::OS));
        assert!(env.cpus >= 1);
    }

    fn blake3_hex(b: &[u8]) -> String {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("f");
        std::fs::write(&p, b).unwrap();
        digest_file(&p).unwrap().blake3
    }
}
