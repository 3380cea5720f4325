//! Reading an experiment's unit table for `rigor ab`: one row per unit, a variant
//! column, metric columns, and optional unit-id, segment and day columns.
//!
//! Formats by extension: `.csv`, `.tsv` (each also `.gz`, detected by content),
//! `.jsonl` / `.ndjson` (one JSON object per line) and `.parquet` / `.pq`. Chunks of
//! records (row groups for Parquet) are parsed in parallel straight into typed
//! columns; only the requested columns are decoded.
//!
//! Values:
//! - numeric columns: numbers; an empty cell, `NA`, `N/A`, `NaN`, `nan`, `null` (and
//!   JSON `null`) are missing (the unit is left out of that metric only); JSON `true` /
//!   `false` are 1 / 0; anything else is bad input naming file, line and column, and so
//!   is a non-finite number;
//! - categorical columns (variant, segments, day) are text; an empty variant is bad
//!   input;
//! - unit ids must be unique: a repeated id is bad input naming both lines.
//!
//! Errors name the file and the physical line (1 = the CSV header) where the record
//! starts; Parquet has no lines, so its errors name the row (1 = the first data row).
//! Parquet nulls are missing values, like empty CSV cells.

mod parquet;
mod text;

use std::path::Path;

use rayon::prelude::*;
use rustc_hash::FxHashMap;

use crate::error::{Error, Result};
use crate::input::{show, FileDigest};

/// Bytes per parallel chunk.
pub(super) const CHUNK: usize = 4 << 20;

/// Which columns to read and in which role.
#[derive(Debug, Clone, Default)]
pub struct Request {
    pub variant: String,
    pub unit: Option<String>,
    /// Numeric columns that must exist and be numeric (metrics, covariates, ratio parts).
    pub numeric: Vec<String>,
    /// Also read every other column, keeping those that are numeric throughout.
    pub auto_numeric: bool,
    pub segments: Vec<String>,
    pub day: Option<String>,
}

/// A categorical column as codes into labels (labels sorted: numerically when every
/// label is a number, else as text).
#[derive(Debug, Clone, PartialEq)]
pub struct Categorical {
    pub name: String,
    pub labels: Vec<String>,
    pub codes: Vec<u32>,
}

/// The columns of an experiment table.
#[derive(Debug, Clone, PartialEq)]
pub struct ExperimentTable {
    pub rows: u64,
    /// Arm names in order of first appearance, and the line where each first appears.
    pub arms: Vec<String>,
    pub arm_first_line: Vec<u64>,
    /// Arm index per row.
    pub arm: Vec<u16>,
    /// Requested numeric columns (in request order), then auto-detected ones (in file
    /// order).
    pub numeric: Vec<(String, Vec<f64>)>,
    /// Names of the auto-detected numeric columns.
    pub auto: Vec<String>,
    /// Auto candidates left out because some value is not a number.
    pub skipped: Vec<String>,
    pub segments: Vec<Categorical>,
    pub day: Option<Categorical>,
    /// BLAKE3 of the file as stored (for the evidence's provenance).
    pub digest: FileDigest,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Format {
    Delimited(u8),
    JsonLines,
    Parquet,
}

fn format_of(path: &Path) -> Result<Format> {
    let name = path
        .file_name()
        .map(|n| n.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let name = name.strip_suffix(".gz").unwrap_or(&name);
    if name.ends_with(".csv") {
        Ok(Format::Delimited(b','))
    } else if name.ends_with(".tsv") || name.ends_with(".tab") {
        Ok(Format::Delimited(b'\t'))
    } else if name.ends_with(".jsonl") || name.ends_with(".ndjson") {
        Ok(Format::JsonLines)
    } else if name.ends_with(".parquet") || name.ends_with(".pq") {
        Ok(Format::Parquet)
    } else {
        Err(Error::file(
            path,
            "unknown format: expected .csv, .tsv, .jsonl, .ndjson (optionally .gz) or .parquet",
        ))
    }
}

/// What each needed column does.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Role {
    Variant,
    Unit,
    Numeric(usize),
    Auto(usize),
    Segment(usize),
    Day,
}

/// Column positions for a delimited file (or key names for JSON lines).
struct Plan {
    /// (column index or key, role)
    roles: Vec<(usize, Role)>,
    keys: Vec<String>,
    auto_names: Vec<String>,
    /// Auto candidates excluded up front (a Parquet column whose type is not numeric).
    not_numeric: Vec<String>,
}

impl Plan {
    /// Roles for the columns of `header`; `line` is the header's line (none for
    /// Parquet); `numeric_type(i)` says whether column `i` can hold numbers at all.
    fn new(
        header: &[String],
        req: &Request,
        path: &Path,
        line: Option<u64>,
        numeric_type: &dyn Fn(usize) -> bool,
    ) -> Result<Plan> {
        let find = |name: &str| -> Result<usize> {
            header.iter().position(|h| h == name).ok_or_else(|| {
                let mut cols: Vec<&str> = header.iter().map(String::as_str).take(20).collect();
                if header.len() > 20 {
                    cols.push("…");
                }
                let problem = format!("no column '{name}' (columns: {})", cols.join(", "));
                match line {
                    Some(l) => Error::line(path, l, problem),
                    None => Error::file(path, problem),
                }
            })
        };
        let mut roles = vec![(find(&req.variant)?, Role::Variant)];
        if let Some(u) = &req.unit {
            roles.push((find(u)?, Role::Unit));
        }
        for (i, n) in req.numeric.iter().enumerate() {
            roles.push((find(n)?, Role::Numeric(i)));
        }
        for (i, n) in req.segments.iter().enumerate() {
            roles.push((find(n)?, Role::Segment(i)));
        }
        if let Some(d) = &req.day {
            roles.push((find(d)?, Role::Day));
        }
        let mut auto_names = Vec::new();
        let mut not_numeric = Vec::new();
        if req.auto_numeric {
            for (i, h) in header.iter().enumerate() {
                if roles.iter().any(|(c, _)| *c == i) {
                    continue;
                }
                if numeric_type(i) {
                    roles.push((i, Role::Auto(auto_names.len())));
                    auto_names.push(h.clone());
                } else {
                    not_numeric.push(h.clone());
                }
            }
        }
        Ok(Plan {
            roles,
            keys: header.to_vec(),
            auto_names,
            not_numeric,
        })
    }
}

/// Local interning of a categorical column within one chunk.
#[derive(Default)]
struct Interner {
    map: FxHashMap<Vec<u8>, u32>,
    labels: Vec<Vec<u8>>,
    first_line: Vec<u64>,
    codes: Vec<u32>,
}

impl Interner {
    fn push(&mut self, value: &[u8], line: u64) {
        let code = self.code(value, line);
        self.codes.push(code);
    }

    /// The local code of `value` (first seen on `line`), without recording it.
    fn code(&mut self, value: &[u8], line: u64) -> u32 {
        // Arms, segments and days have few values: a scan beats hashing.
        let found = if self.labels.len() <= 16 {
            self.labels
                .iter()
                .position(|l| l.as_slice() == value)
                .map(|i| i as u32)
        } else {
            self.map.get(value).copied()
        };
        match found {
            Some(c) => c,
            None => {
                let c = self.labels.len() as u32;
                self.map.insert(value.to_vec(), c);
                self.labels.push(value.to_vec());
                self.first_line.push(line);
                c
            }
        }
    }

    fn clear(&mut self) {
        self.map.clear();
        self.labels.clear();
        self.first_line.clear();
        self.codes.clear();
    }
}

/// One parsed chunk.
#[derive(Default)]
struct Part {
    rows: usize,
    variant: Interner,
    numeric: Vec<Vec<f64>>,
    auto: Vec<Vec<f64>>,
    /// First line where each auto column held something else than a number.
    auto_failed: Vec<Option<u64>>,
    segments: Vec<Interner>,
    day: Interner,
    unit_hashes: Vec<u64>,
    error: Option<Error>,
}

impl Part {
    /// Empties the part for the next chunk, keeping its buffers' capacity.
    fn reset(&mut self) {
        self.rows = 0;
        self.variant.clear();
        self.numeric.iter_mut().for_each(Vec::clear);
        self.auto.iter_mut().for_each(Vec::clear);
        self.auto_failed.iter_mut().for_each(|f| *f = None);
        self.segments.iter_mut().for_each(Interner::clear);
        self.day.clear();
        self.unit_hashes.clear();
        self.error = None;
    }

    fn new(req: &Request, plan: &Plan) -> Part {
        Part {
            numeric: vec![Vec::new(); req.numeric.len()],
            auto: vec![Vec::new(); plan.auto_names.len()],
            auto_failed: vec![None; plan.auto_names.len()],
            segments: (0..req.segments.len())
                .map(|_| Interner::default())
                .collect(),
            ..Part::default()
        }
    }
}

/// Global interning of a categorical column across chunks.
#[derive(Default)]
struct Global {
    map: FxHashMap<Vec<u8>, u32>,
    labels: Vec<Vec<u8>>,
    first_line: Vec<u64>,
    codes: Vec<u32>,
}

impl Global {
    fn absorb(&mut self, local: &mut Interner) {
        let remap = self.merge_labels(local);
        self.codes
            .extend(local.codes.drain(..).map(|c| remap[c as usize]));
    }

    /// Takes the chunk's labels in (emptying `local`); returns the global code of
    /// each local code.
    fn merge_labels(&mut self, local: &mut Interner) -> Vec<u32> {
        let remap: Vec<u32> = local
            .labels
            .drain(..)
            .zip(local.first_line.drain(..))
            .map(|(label, line)| match self.map.get(&label) {
                Some(&c) => c,
                None => {
                    let c = self.labels.len() as u32;
                    self.map.insert(label.clone(), c);
                    self.labels.push(label);
                    self.first_line.push(line);
                    c
                }
            })
            .collect();
        local.map.clear();
        remap
    }

    /// Labels sorted (numerically when all are numbers) with codes renumbered.
    fn sorted(self, name: &str) -> Categorical {
        let labels: Vec<String> = self
            .labels
            .iter()
            .map(|l| String::from_utf8_lossy(l).into_owned())
            .collect();
        let numeric: Option<Vec<f64>> = labels
            .iter()
            .map(|l| l.trim().parse::<f64>().ok().filter(|v| v.is_finite()))
            .collect();
        let mut order: Vec<usize> = (0..labels.len()).collect();
        match &numeric {
            Some(v) => {
                order.sort_by(|&a, &b| v[a].total_cmp(&v[b]).then(labels[a].cmp(&labels[b])))
            }
            None => order.sort_by(|&a, &b| labels[a].cmp(&labels[b])),
        }
        let mut rank = vec![0u32; labels.len()];
        for (r, &i) in order.iter().enumerate() {
            rank[i] = r as u32;
        }
        Categorical {
            name: name.to_string(),
            labels: order.iter().map(|&i| labels[i].clone()).collect(),
            codes: self
                .codes
                .into_par_iter()
                .map(|c| rank[c as usize])
                .collect(),
        }
    }
}

/// Reads the columns `req` names from `path`.
pub fn read_experiment(path: &Path, req: &Request) -> Result<ExperimentTable> {
    let format = format_of(path)?;
    let (plan, collected, digest) = match format {
        Format::Delimited(_) | Format::JsonLines => text::read(path, format, req)?,
        Format::Parquet => parquet::read(path, req)?,
    };
    collected.finish(path, format, req, &plan, digest)
}

/// Parsed parts merged in file order.
struct Collector {
    variant: Global,
    segments: Vec<Global>,
    day: Global,
    numeric: Vec<Vec<f64>>,
    auto: Vec<Vec<f64>>,
    auto_failed: Vec<bool>,
    hashes: Vec<u64>,
    rows: u64,
}

impl Collector {
    fn new(req: &Request, plan: &Plan) -> Collector {
        Collector {
            variant: Global::default(),
            segments: req.segments.iter().map(|_| Global::default()).collect(),
            day: Global::default(),
            numeric: vec![Vec::new(); req.numeric.len()],
            auto: vec![Vec::new(); plan.auto_names.len()],
            auto_failed: vec![false; plan.auto_names.len()],
            hashes: Vec::new(),
            rows: 0,
        }
    }

    /// Appends the next part (emptying it for reuse); its error, if any, is returned.
    fn absorb(&mut self, part: &mut Part) -> Result<()> {
        if let Some(e) = part.error.take() {
            return Err(e);
        }
        self.rows += part.rows as u64;
        self.variant.absorb(&mut part.variant);
        for (g, l) in self.segments.iter_mut().zip(part.segments.iter_mut()) {
            g.absorb(l);
        }
        self.day.absorb(&mut part.day);
        for (n, p) in self.numeric.iter_mut().zip(&part.numeric) {
            n.extend_from_slice(p);
        }
        for i in 0..self.auto.len() {
            if part.auto_failed[i].is_some() {
                self.auto_failed[i] = true;
                self.auto[i] = Vec::new();
            } else if !self.auto_failed[i] {
                self.auto[i].extend_from_slice(&part.auto[i]);
            }
        }
        self.hashes.extend_from_slice(&part.unit_hashes);
        Ok(())
    }

    fn finish(
        self,
        path: &Path,
        format: Format,
        req: &Request,
        plan: &Plan,
        digest: FileDigest,
    ) -> Result<ExperimentTable> {
        if self.rows == 0 {
            return Err(Error::file(path, "has no data rows"));
        }
        if self.variant.labels.len() > u16::MAX as usize {
            return Err(Error::file(
                path,
                format!("column '{}' has more than {} arms", req.variant, u16::MAX),
            ));
        }
        if let Some(unit) = &req.unit {
            check_unique_ids(path, format, plan, unit, self.hashes)?;
        }
        let mut numeric_out: Vec<(String, Vec<f64>)> =
            req.numeric.iter().cloned().zip(self.numeric).collect();
        let mut auto_names = Vec::new();
        let mut skipped = plan.not_numeric.clone();
        for ((name, values), failed) in plan.auto_names.iter().zip(self.auto).zip(self.auto_failed)
        {
            if failed || values.iter().all(|v| v.is_nan()) {
                skipped.push(name.clone());
            } else {
                auto_names.push(name.clone());
                numeric_out.push((name.clone(), values));
            }
        }
        let variant = self.variant;
        Ok(ExperimentTable {
            rows: self.rows,
            arms: variant
                .labels
                .iter()
                .map(|l| String::from_utf8_lossy(l).into_owned())
                .collect(),
            arm_first_line: variant.first_line.clone(),
            arm: variant.codes.into_par_iter().map(|c| c as u16).collect(),
            numeric: numeric_out,
            auto: auto_names,
            skipped,
            segments: self
                .segments
                .into_iter()
                .zip(&req.segments)
                .map(|(g, n)| g.sorted(n))
                .collect(),
            day: req.day.as_ref().map(|n| self.day.sorted(n)),
            digest,
        })
    }
}

/// Finds a repeated unit id: sorts the ids' 64-bit hashes, and for a repeated hash
/// re-reads the unit column to compare the actual ids (a hash collision is not a
/// duplicate).
fn check_unique_ids(
    path: &Path,
    format: Format,
    plan: &Plan,
    unit: &str,
    mut hashes: Vec<u64>,
) -> Result<()> {
    hashes.par_sort_unstable();
    let repeated: Vec<u64> = hashes
        .windows(2)
        .filter(|w| w[0] == w[1])
        .map(|w| w[0])
        .collect();
    drop(hashes);
    if repeated.is_empty() {
        return Ok(());
    }
    let candidates: rustc_hash::FxHashSet<u64> = repeated.into_iter().collect();
    let col = plan
        .roles
        .iter()
        .find(|(_, r)| *r == Role::Unit)
        .map(|(c, _)| *c)
        .unwrap_or(0);
    let mut seen: FxHashMap<Vec<u8>, u64> = FxHashMap::default();
    let mut found = None;
    // Called with each id and its line (row for Parquet); true stops the scan.
    let mut visit = |id: &[u8], at: u64| -> bool {
        if !candidates.contains(&hash_id(id)) {
            return false;
        }
        match seen.get(id) {
            Some(&first) => {
                found = Some((id.to_vec(), first, at));
                true
            }
            None => {
                seen.insert(id.to_vec(), at);
                false
            }
        }
    };
    match format {
        Format::Parquet => parquet::for_each_id(path, unit, &mut visit)?,
        _ => text::for_each_id(path, format, col, unit, &mut visit)?,
    }
    match found {
        Some((id, first, at)) if format == Format::Parquet => Err(Error::file(
            path,
            format!(
                "row {at}, column '{unit}': duplicate unit id '{}' (first on row {first})",
                show(&id)
            ),
        )),
        Some((id, first, line)) => Err(Error::line(
            path,
            line,
            format!(
                "column '{unit}': duplicate unit id '{}' (first on line {first})",
                show(&id)
            ),
        )),
        None => Ok(()),
    }
}

/// A unit id's 64-bit hash (XXH3: fast on short ids; a collision only costs a re-read).
fn hash_id(id: &[u8]) -> u64 {
    twox_hash::XxHash3_64::oneshot(id)
}

/// A JSON or Parquet number as its shortest text (`3` for 3.0).
fn format_number(v: f64) -> String {
    if v.fract() == 0.0 && v.abs() < 1e15 {
        format!("{}", v as i64)
    } else {
        v.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::text::{parse_number, Number};
    use super::*;

    fn request() -> Request {
        Request {
            variant: "variant".into(),
            unit: Some("id".into()),
            numeric: vec!["revenue".into()],
            auto_numeric: false,
            segments: vec!["country".into()],
            day: Some("day".into()),
        }
    }

    fn write(name: &str, text: &str) -> (tempfile::TempDir, std::path::PathBuf) {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join(name);
        std::fs::write(&p, text).unwrap();
        (dir, p)
    }

    #[test]
    fn the_fast_decimal_path_rounds_like_a_full_parser() {
        let mut state = 0x9e37_79b9_7f4a_7c15u64;
        let mut next = || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for _ in 0..200_000 {
            let digits = 1 + (next() % 15) as usize;
            let mut s: String = (0..digits)
                .map(|_| (b'0' + (next() % 10) as u8) as char)
                .collect();
            let point = (next() % (digits as u64 + 1)) as usize;
            if point < digits {
                s.insert(point, '.');
            }
            if next() % 3 == 0 {
                s.insert(0, '-');
            }
            let want: f64 = s.parse().unwrap();
            match parse_number(s.as_bytes()) {
                Number::Value(v) => assert_eq!(v.to_bits(), want.to_bits(), "{s}"),
                _ => panic!("{s} not parsed"),
            }
        }
        for s in [
            "1e3",
            " 2.5",
            "0x1",
            "1.2.3",
            ".",
            "-",
            "12345678901234567",
            "1_0",
        ] {
            let want = s.trim().parse::<f64>().ok();
            let got = match parse_number(s.as_bytes()) {
                Number::Value(v) => Some(v),
                _ => None,
            };
            assert_eq!(got, want, "{s}");
        }
    }

    #[test]
    fn reads_roles_and_sorts_labels() {
        let (_d, p) = write(
            "x.csv",
            "id,variant,revenue,country,day\n1,a,1.5,DE,10\n2,b,,FR,9\n3,a,NA,DE,10\n",
        );
        let t = read_experiment(&p, &request()).unwrap();
        assert_eq!(t.rows, 3);
        assert_eq!(t.arms, vec!["a", "b"]);
        assert_eq!(t.arm, vec![0, 1, 0]);
        assert_eq!(t.numeric[0].1[0], 1.5);
        assert!(t.numeric[0].1[1].is_nan() && t.numeric[0].1[2].is_nan());
        assert_eq!(t.segments[0].labels, vec!["DE", "FR"]);
        let day = t.day.unwrap();
        assert_eq!(day.labels, vec!["9", "10"]);
        assert_eq!(day.codes, vec![1, 0, 1]);
    }

    #[test]
    fn bad_values_name_line_and_column() {
        let (_d, p) = write(
            "x.csv",
            "id,variant,revenue,country,day\n1,a,1.5,DE,1\n2,b,abc,FR,1\n",
        );
        let e = read_experiment(&p, &request()).unwrap_err().to_string();
        assert!(
            e.contains(":3:") && e.contains("revenue") && e.contains("abc"),
            "{e}"
        );
        let (_d, p) = write(
            "x.csv",
            "id,variant,revenue,country,day\n7,a,1,DE,1\n8,b,2,FR,1\n7,b,3,FR,1\n",
        );
        let e = read_experiment(&p, &request()).unwrap_err().to_string();
        assert!(
            e.contains(":4:") && e.contains("duplicate unit id '7'") && e.contains("line 2"),
            "{e}"
        );
    }

    #[test]
    fn json_lines_with_escaped_quotes_across_chunks() {
        let mut text = String::new();
        for i in 0..20_000 {
            let arm = if i % 2 == 0 { "control" } else { "treatment" };
            text.push_str(&format!(
                "{{\"variant\":\"{arm}\",\"note\":\"5\\\" screen\",\"m\":{i}}}\n"
            ));
        }
        let (_d, p) = write("q.jsonl", &text);
        let req = Request {
            variant: "variant".into(),
            numeric: vec!["m".into()],
            ..Request::default()
        };
        let t = read_experiment(&p, &req).unwrap();
        assert_eq!(t.rows, 20_000);
        assert_eq!(t.numeric[0].1[19_999], 19_999.0);
    }

    #[test]
    fn json_lines_and_auto_columns() {
        let (_d, p) = write(
            "x.jsonl",
            "{\"variant\":\"a\",\"conv\":true,\"rev\":2.5,\"name\":\"x\"}\n{\"variant\":\"b\",\"conv\":false,\"rev\":null,\"name\":\"y\"}\n",
        );
        let req = Request {
            variant: "variant".into(),
            auto_numeric: true,
            ..Request::default()
        };
        let t = read_experiment(&p, &req).unwrap();
        assert_eq!(t.auto, vec!["conv", "rev"]);
        assert_eq!(t.skipped, vec!["name"]);
        assert_eq!(t.numeric[0].1, vec![1.0, 0.0]);
    }
}
