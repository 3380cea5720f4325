//! The HTML readout in a real browser: Debian's headless Chromium, driven through
//! ChromeDriver (WebDriver over plain HTTP on loopback), both started by this test.
//! Loads the readout, checks the console has no errors and that every chart rendered
//! (a non-empty box and marks inside), and saves a full-page screenshot under the
//! target directory (`target/tmp/readout-screenshot.png`).
//!
//! Skipped, with a message, only when /usr/bin/chromium is absent; install it with
//! `tools/install-test-deps.sh`.

// Test helpers outside #[test] functions unwrap too (clippy.toml allows it in tests).
#![allow(clippy::unwrap_used)]

mod common;

use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use common::{dir_with, rigor, root};
use serde_json::{json, Value};

const CHROMIUM: &str = "/usr/bin/chromium";
const CHROMEDRIVER: &str = "/usr/bin/chromedriver";

#[test]
fn readout_renders_in_headless_chromium() {
    if !Path::new(CHROMIUM).exists() {
        eprintln!(
            "SKIPPED readout_renders_in_headless_chromium: {CHROMIUM} is absent \
             (install it with tools/install-test-deps.sh)"
        );
        return;
    }
    assert!(
        Path::new(CHROMEDRIVER).exists(),
        "{CHROMIUM} is installed but {CHROMEDRIVER} is not: run tools/install-test-deps.sh"
    );

    // A readout with every kind of chart: forest plots, per-query histograms,
    // reliability diagram, ROC and PR curves, and a NO-GO decision with a failing slice;
    // slices, groups, segments and drift columns in tables.
    let d = dir_with(&[(
        "policy.toml",
        "[gate]\nname = \"browser check\"\n\n[[lift]]\nmeasure = \"nDCG@10\"\nmin_delta = 0.1\n\
             \n[[threshold]]\nmeasure = \"accuracy\"\nmin = 0.8\nslices = \"all\"\n\
             \n[[guardrail]]\nmeasure = \"latency\"\ntolerance = 5\nslices = \"all\"\n",
    )]);
    let ex = root().join("examples");
    // Real classifier evidence (binary, scores, slices): reliability bins, ROC and PR.
    let spam = root().join("tools/goldens/classify/cases/fairness/data.jsonl");
    let r = rigor(
        d.path(),
        &[
            "eval",
            "classify",
            "--data",
            &spam.display().to_string(),
            "--score",
            "score",
            "--positive",
            "spam",
            "--by",
            "region",
            "--resamples",
            "200",
            "--format",
            "json",
            "--output",
            "clf.json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = rigor(
        d.path(),
        &[
            "eval",
            "ir",
            "--qrels",
            &ex.join("qrels.txt").display().to_string(),
            "--run",
            &ex.join("bm25.run").display().to_string(),
            "--run",
            &ex.join("dense.run").display().to_string(),
            "--per-query",
            "--resamples",
            "1000",
            "--format",
            "json",
            "--output",
            "ir.json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    // Real experiment and drift evidence from the bundled examples too.
    let r = rigor(
        d.path(),
        &[
            "ab",
            "--data",
            &ex.join("ab/experiment.csv").display().to_string(),
            "--unit-col",
            "user_id",
            "--metric",
            "converted",
            "--metric",
            "revenue",
            "--guardrail",
            "latency:lower:10",
            "--segment",
            "country",
            "--format",
            "json",
            "--output",
            "ab.json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let r = rigor(
        d.path(),
        &[
            "drift",
            "--reference",
            &ex.join("drift/reference.csv").display().to_string(),
            "--current",
            &ex.join("drift/current.csv").display().to_string(),
            "--format",
            "json",
            "--output",
            "drift.json",
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let out_dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR"));
    std::fs::create_dir_all(&out_dir).unwrap();
    let html_path = out_dir.join("readout.html");
    let r = rigor(
        d.path(),
        &[
            "report",
            "--evidence",
            "ir.json",
            "--evidence",
            "clf.json",
            "--evidence",
            "ab.json",
            "--evidence",
            "drift.json",
            "--policy",
            "policy.toml",
            "--out",
            &html_path.display().to_string(),
        ],
    );
    assert_eq!(r.code, 0, "{}", r.stderr);
    let html = std::fs::read_to_string(&html_path).unwrap();
    let charts_in_file = html.matches("<svg class=\"chart\"").count();
    // 2 forest plots (ir, ab), 5 histograms (one per ir measure), reliability, ROC, PR.
    assert_eq!(charts_in_file, 10);

    let browser = Browser::start(d.path());
    browser.post(
        "url",
        json!({"url": format!("file://{}", html_path.display())}),
    );
    let charts = browser.script(
        "return Array.from(document.querySelectorAll('svg.chart')).map(s => { \
           const r = s.getBoundingClientRect(); \
           return {kind: s.dataset.chart, width: r.width, height: r.height, \
                   marks: s.querySelectorAll('circle, rect, path, line.ci').length, \
                   title: (s.querySelector('title') || {}).textContent || ''}; });",
    );
    let charts = charts.as_array().expect("chart list");
    assert_eq!(
        charts.len(),
        charts_in_file,
        "every chart in the file is in the DOM"
    );
    let mut kinds: Vec<&str> = charts.iter().map(|c| c["kind"].as_str().unwrap()).collect();
    kinds.sort();
    kinds.dedup();
    assert_eq!(kinds, ["forest", "histogram", "pr", "reliability", "roc"]);
    for c in charts {
        assert!(
            c["width"].as_f64().unwrap() > 100.0 && c["height"].as_f64().unwrap() > 100.0,
            "chart not laid out: {c}"
        );
        assert!(c["marks"].as_u64().unwrap() > 0, "chart without marks: {c}");
        assert!(
            !c["title"].as_str().unwrap().is_empty(),
            "chart without title: {c}"
        );
    }
    let banner = browser.script("return document.querySelector('.banner .verdict').textContent;");
    assert_eq!(banner, "NO-GO");
    let sections =
        browser.script("return Array.from(document.querySelectorAll('section')).map(s => s.id);");
    assert_eq!(
        sections,
        json!([
            "decision",
            "comparisons",
            "distribution",
            "estimates",
            "slices",
            "diagnostics",
            "reproducibility"
        ])
    );
    let failing_rows = browser.script("return document.querySelectorAll('tr.fail').length;");
    assert!(failing_rows.as_u64().unwrap() >= 2, "{failing_rows}");

    // No console errors while loading.
    let errors = browser.severe_logs();
    assert!(errors.is_empty(), "console errors: {errors:#?}");
    // The console check is live: an error logged now is seen.
    browser.script("console.error('rigor probe'); return null;");
    let probe = browser.severe_logs();
    assert!(
        probe.iter().any(|m| m.contains("rigor probe")),
        "console capture does not work: {probe:?}"
    );

    // Full-page screenshot.
    let height = browser
        .script("return document.documentElement.scrollHeight;")
        .as_f64()
        .unwrap();
    browser.post(
        "window/rect",
        json!({"width": 1280, "height": height.clamp(800.0, 16000.0) as u64 + 40}),
    );
    let png = base64(browser.get("screenshot").as_str().unwrap());
    assert_eq!(&png[..8], b"\x89PNG\r\n\x1a\n");
    let shot = out_dir.join("readout-screenshot.png");
    std::fs::write(&shot, png).unwrap();
    eprintln!(
        "readout: {}\nscreenshot: {}",
        html_path.display(),
        shot.display()
    );
}

/// ChromeDriver with one headless Chromium session; both end when this is dropped.
struct Browser {
    driver: Child,
    port: u16,
    session: String,
}

impl Browser {
    fn start(profile_parent: &Path) -> Browser {
        let port = TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let driver = Command::new(CHROMEDRIVER)
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start chromedriver");
        let mut b = Browser {
            driver,
            port,
            session: String::new(),
        };
        let deadline = Instant::now() + Duration::from_secs(30);
        loop {
            if let Ok(status) = http(port, "GET", "/status", None) {
                if status["value"]["ready"] == true {
                    break;
                }
            }
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = profile_parent.join("chromium-profile");
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic",
                         "--no-first-run", "--disable-background-networking",
                         "--disable-component-update", "--disable-sync",
                         "--disable-dev-shm-usage", "--window-size=1280,1000",
                         format!("--user-data-dir={}", profile.display())]
            },
            "goog:loggingPrefs": {"browser": "ALL"}
        }}});
        let created = http(port, "POST", "/session", Some(&caps)).expect("new session");
        b.session = created["value"]["sessionId"]
            .as_str()
            .unwrap_or_else(|| panic!("no session: {created}"))
            .to_string();
        b
    }

    fn call(&self, method: &str, path: &str, body: Option<&Value>) -> Value {
        let v = http(
            self.port,
            method,
            &format!("/session/{}/{path}", self.session),
            body,
        )
        .unwrap_or_else(|e| panic!("{method} {path}: {e}"));
        if v["value"].get("error").is_some() {
            panic!("{method} {path}: {}", v["value"]);
        }
        v["value"].clone()
    }

    fn post(&self, path: &str, body: Value) -> Value {
        self.call("POST", path, Some(&body))
    }

    fn get(&self, path: &str) -> Value {
        self.call("GET", path, None)
    }

    fn script(&self, source: &str) -> Value {
        self.post("execute/sync", json!({"script": source, "args": []}))
    }

    /// Console messages at error level since the last call.
    fn severe_logs(&self) -> Vec<String> {
        self.post("se/log", json!({"type": "browser"}))
            .as_array()
            .cloned()
            .unwrap_or_default()
            .into_iter()
            .filter(|m| m["level"] == "SEVERE")
            .map(|m| m["message"].as_str().unwrap_or_default().to_string())
            .collect()
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        if !self.session.is_empty() {
            let _ = http(
                self.port,
                "DELETE",
                &format!("/session/{}", self.session),
                None,
            );
        }
        let _ = self.driver.kill();
        let _ = self.driver.wait();
    }
}

/// One HTTP/1.1 request with a JSON body; the JSON response.
fn http(port: u16, method: &str, path: &str, body: Option<&Value>) -> Result<Value, String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).map_err(|e| e.to_string())?;
    s.set_read_timeout(Some(Duration::from_secs(60)))
        .map_err(|e| e.to_string())?;
    let body = body.map(Value::to_string).unwrap_or_default();
    let request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    s.write_all(request.as_bytes()).map_err(|e| e.to_string())?;
    // ChromeDriver keeps the connection open: read the header, then exactly the body.
    let mut raw = Vec::new();
    let mut buf = [0u8; 65536];
    let split = loop {
        if let Some(p) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            break p;
        }
        let n = s.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            return Err("connection closed before the header ended".into());
        }
        raw.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let mut payload = raw[split + 4..].to_vec();
    let length = head.lines().find_map(|l| {
        l.strip_prefix("content-length:")
            .and_then(|v| v.trim().parse::<usize>().ok())
    });
    let chunked = head.contains("transfer-encoding: chunked");
    loop {
        let done = match length {
            Some(len) => payload.len() >= len,
            None if chunked => payload.ends_with(b"0\r\n\r\n"),
            None => false,
        };
        if done {
            break;
        }
        let n = s.read(&mut buf).map_err(|e| e.to_string())?;
        if n == 0 {
            break;
        }
        payload.extend_from_slice(&buf[..n]);
    }
    if chunked {
        payload = dechunk(&payload)?;
    }
    serde_json::from_slice(&payload)
        .map_err(|e| format!("{e}: {}", String::from_utf8_lossy(&payload)))
}

fn dechunk(mut data: &[u8]) -> Result<Vec<u8>, String> {
    let mut out = Vec::new();
    loop {
        let end = data
            .windows(2)
            .position(|w| w == b"\r\n")
            .ok_or("bad chunk")?;
        let size_text = String::from_utf8_lossy(&data[..end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("").trim(), 16)
            .map_err(|e| e.to_string())?;
        data = &data[end + 2..];
        if size == 0 {
            return Ok(out);
        }
        out.extend_from_slice(data.get(..size).ok_or("short chunk")?);
        data = data.get(size + 2..).ok_or("short chunk")?;
    }
}

/// Standard base64 (the screenshot).
fn base64(text: &str) -> Vec<u8> {
    let value = |c: u8| -> u32 {
        match c {
            b'A'..=b'Z' => (c - b'A') as u32,
            b'a'..=b'z' => (c - b'a') as u32 + 26,
            b'0'..=b'9' => (c - b'0') as u32 + 52,
            b'+' => 62,
            b'/' => 63,
            _ => panic!("not base64: {c}"),
        }
    };
    let clean: Vec<u8> = text.bytes().filter(|c| !c.is_ascii_whitespace()).collect();
    let mut out = Vec::with_capacity(clean.len() / 4 * 3);
    for chunk in clean.chunks(4) {
        let digits: Vec<u8> = chunk.iter().copied().filter(|&c| c != b'=').collect();
        let mut n = 0u32;
        for (i, &c) in digits.iter().enumerate() {
            n |= value(c) << (18 - 6 * i);
        }
        let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
        out.extend_from_slice(&bytes[..digits.len().saturating_sub(1)]);
    }
    out
}
