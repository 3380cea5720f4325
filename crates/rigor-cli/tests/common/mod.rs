//! Shared helpers for the CLI integration tests: a temp dir, files in it, and the
//! `rigor` binary run with captured output.

#![allow(dead_code)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::Value;

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\nstderr:\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Asserts exit 2 with exactly one stderr line containing every `parts`.
    pub fn bad_input(&self, parts: &[&str]) {
        assert_eq!(
            self.code, 2,
            "stdout:\n{}\nstderr:\n{}",
            self.stdout, self.stderr
        );
        let lines: Vec<&str> = self.stderr.lines().collect();
        assert_eq!(lines.len(), 1, "one line on stderr, got:\n{}", self.stderr);
        for p in parts {
            assert!(lines[0].contains(p), "stderr {:?} lacks {p:?}", lines[0]);
        }
    }
}

/// The repository root (for examples/ and tools/goldens/).
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Runs `rigor` in `dir` with `args`.
pub fn rigor(dir: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_rigor"))
        .args(args)
        .current_dir(dir)
        .output()
        .expect("run rigor");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A temporary directory holding the given files.
pub fn dir_with(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().expect("temp dir");
    for (name, text) in files {
        std::fs::write(dir.path().join(name), text).expect("write file");
    }
    dir
}

/// One HTTP/1.1 request on a fresh connection.
pub fn http(
    addr: &str,
    method: &str,
    path: &str,
    body: Option<&Value>,
) -> std::io::Result<(u16, String)> {
    let mut s = TcpStream::connect(addr)?;
    s.set_read_timeout(Some(Duration::from_secs(60)))?;
    let payload = body.map(|b| b.to_string()).unwrap_or_default();
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\r\n{payload}",
        payload.len()
    )?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw)?;
    let text = String::from_utf8_lossy(&raw).into_owned();
    let (head, rest) = text
        .split_once("\r\n\r\n")
        .ok_or_else(|| std::io::Error::other("no HTTP head"))?;
    let status: u16 = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| std::io::Error::other("no status"))?;
    let chunked = head
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked");
    let body = if chunked {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Ok((status, body))
}

fn dechunk(mut s: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = s.split_once("\r\n") {
        let n = usize::from_str_radix(size.trim(), 16).unwrap_or(0);
        if n == 0 || rest.len() < n {
            break;
        }
        out.push_str(&rest[..n]);
        s = rest[n..].trim_start_matches("\r\n");
    }
    out
}

/// Starts `rigor server --port 0 ARGS` in `dir` with `env` added, and waits for the
/// address it announces: the child, `HOST:PORT`, and its stderr as it is written.
pub fn spawn_server(
    dir: &Path,
    args: &[&str],
    env: &[(&str, &str)],
) -> (std::process::Child, String, Arc<Mutex<String>>) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_rigor"))
        .args(["server", "--port", "0"])
        .args(args)
        .envs(env.iter().copied())
        .env("RUST_LOG", "warn")
        .current_dir(dir)
        .stderr(Stdio::piped())
        .stdout(Stdio::null())
        .spawn()
        .expect("spawn rigor server");
    let stderr = child.stderr.take().expect("stderr");
    let (tx, rx) = std::sync::mpsc::channel();
    let log = Arc::new(Mutex::new(String::new()));
    let log2 = log.clone();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if let Some(addr) = line.strip_prefix("rigor server: listening on http://") {
                let _ = tx.send(addr.to_string());
            }
            if let Ok(mut l) = log2.lock() {
                l.push_str(&line);
                l.push('\n');
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(30))
        .unwrap_or_else(|_| {
            panic!(
                "server did not start: {}",
                log.lock().map(|l| l.clone()).unwrap_or_default()
            )
        });
    (child, addr, log)
}

/// The python of the venv `tools/venv.sh NAME tools/DIR/requirements.txt` makes;
/// `None` (the caller skips, saying so) only when python3 cannot make venvs at all.
pub fn venv_python(test: &str, name: &str, requirements: &str) -> Option<String> {
    let root = root();
    let python_ok = Command::new("python3")
        .args(["-c", "import venv, ensurepip"])
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !python_ok {
        eprintln!("SKIPPED {test}: python3 with venv/ensurepip is not available, so no venv can be created for {name}");
        return None;
    }
    let venv = Command::new("bash")
        .arg(root.join("tools/venv.sh"))
        .args([name, requirements])
        .current_dir(&root)
        .output()
        .expect("run tools/venv.sh");
    assert!(
        venv.status.success(),
        "tools/venv.sh could not install {requirements} (needs PyPI):\n{}",
        String::from_utf8_lossy(&venv.stderr)
    );
    Some(String::from_utf8_lossy(&venv.stdout).trim().to_string())
}
