//! `rigor eval ir`: wiring from files to the trec_eval-exact kernels, the bootstrap,
//! and the renderers.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use indexmap::IndexMap;
use rigor_io::evidence::{Aggregate, Comparison, Input, IrEvidence, IrRun, Provenance};
use rigor_io::input::FileDigest;
use rigor_metrics::ir::{evaluate_ranking, Measure, Qrels};
use rigor_stats::{adjust, compare_paired_columns, Bootstrap, Correction, Interval, PairedTest};

use crate::comparisons;
use crate::output::{csv_field, csv_number, emit, table, Format};
use crate::progress::Reading;
use crate::Failure;

/// Measures used when no `-m` is given.
const DEFAULT_MEASURES: [&str; 5] = ["nDCG@10", "AP", "RR", "P@10", "R@100"];

#[derive(clap::Args, Debug)]
#[command(after_help = "\
Measures (ir_measures names; trec_eval names accepted as aliases):
  P@k R@k AP AP@k RR RR@k nDCG nDCG@k Rprec Bpref Success@k Judged@k
  NumRet NumRel NumRelRet ERR@k
  aliases: P_10 recall_100 map map_cut_10 recip_rank ndcg ndcg_cut_10 bpref
           success_10 num_ret num_rel num_rel_ret
  relevance threshold: P(rel=2)@10 counts grades >= 2 as relevant

Ranking follows trec_eval: score descending (as 32-bit floats), ties broken by
docid descending in byte order; the rank column is ignored.

Examples:
  rigor eval ir --qrels examples/qrels.txt --run examples/bm25.run
  rigor eval ir --qrels q.txt.gz --run a.run --run b.run -m nDCG@10 -m AP --format json")]
pub struct IrArgs {
    /// TREC qrels: `qid iter docid rel` per line (plain or .gz).
    #[arg(long, value_name = "QRELS")]
    qrels: PathBuf,

    /// TREC run: `qid Q0 docid rank score tag` per line (plain or .gz). Repeat to
    /// compare runs: every later run is compared with the first (the baseline).
    #[arg(long = "run", value_name = "RUN", required = true)]
    runs: Vec<PathBuf>,

    /// Measures to compute (repeatable; several may follow one -m).
    /// Default: nDCG@10 AP RR P@10 R@100.
    #[arg(short = 'm', long = "measure", value_name = "MEASURE", num_args = 1..)]
    measures: Vec<String>,

    /// Include every query's values.
    #[arg(long)]
    per_query: bool,

    /// Score judged queries that a run does not answer as 0 (trec_eval -c).
    #[arg(long)]
    complete: bool,

    /// Skip the bootstrap confidence intervals.
    #[arg(long)]
    no_ci: bool,

    /// Two-sided confidence level of the intervals.
    #[arg(long, default_value_t = 0.95, value_name = "LEVEL")]
    confidence: f64,

    /// Bootstrap resamples (over queries).
    #[arg(long, default_value_t = 10_000, value_name = "N")]
    resamples: usize,

    /// Seed of every resampling: the same seed gives the same intervals.
    #[arg(long, default_value_t = 0)]
    seed: u64,

    /// Paired significance test for comparisons: paired-t (scipy ttest_rel),
    /// wilcoxon (scipy wilcoxon defaults), permutation (sign-flip, p = (hits+1)/(R+1)),
    /// bootstrap (paired bootstrap of the mean difference).
    #[arg(long, default_value = "paired-t", value_parser = parse_test)]
    test: PairedTest,

    /// Multiple-comparison correction across every (candidate, measure) pair of the
    /// invocation (statsmodels multipletests: bonferroni, holm, fdr_bh as bh).
    #[arg(long, default_value = "holm", value_parser = parse_correction)]
    correction: Correction,

    /// Significance level after correction.
    #[arg(long, default_value_t = 0.05)]
    alpha: f64,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Table)]
    format: Format,

    /// Write the output to FILE instead of stdout.
    #[arg(long, value_name = "FILE")]
    output: Option<PathBuf>,

    #[command(flatten)]
    track: crate::tracking::TrackArgs,
}

/// One run, evaluated: per-query values in qid byte order.
struct Evaluated {
    name: String,
    path: PathBuf,
    qids: Vec<String>,
    values: Vec<Vec<f64>>,
    missing_from_run: usize,
    missing_from_qrels: usize,
    digest: Option<FileDigest>,
}

pub fn run(args: IrArgs) -> Result<ExitCode, Failure> {
    check_settings(&args)?;
    let measures = parse_measures(&args.measures)?;
    let tracker = crate::tracking::Tracker::prepare(&args.track)?;
    let (qrels, qrels_digest) = rigor_io::trec::read_qrels(&args.qrels)?;
    let mut runs = Vec::with_capacity(args.runs.len());
    for path in &args.runs {
        let run = evaluate_run(path, &qrels, &measures, args.complete)?;
        report_missing(&run, args.complete);
        runs.push(run);
    }
    disambiguate_names(&mut runs);

    let bootstrap = (!args.no_ci).then_some(Bootstrap {
        resamples: args.resamples,
        confidence: args.confidence,
        seed: args.seed,
    });
    let names: Vec<String> = measures.iter().map(Measure::to_string).collect();
    let intervals = match &bootstrap {
        Some(b) => run_intervals(&runs, b),
        None => vec![None; runs.len()],
    };
    let evidence = IrEvidence {
        kind: "ir".to_string(),
        measures: names.clone(),
        runs: runs
            .iter()
            .zip(intervals)
            .map(|(r, ci)| run_evidence(r, &names, ci, args.per_query))
            .collect(),
        comparisons: compare(&runs, &names, &args),
        qrels: args.qrels.display().to_string(),
        complete: args.complete,
        confidence: args.confidence,
        resamples: args.resamples,
        provenance: Provenance::of_this_process(
            inputs(&args.qrels, &qrels_digest, &runs),
            args.seed,
        ),
    };
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&evidence)
                .map_err(|e| Failure::Internal(format!("serialising JSON: {e}")))?;
            s.push('\n');
            s
        }
        Format::Csv => render_csv(&evidence),
        Format::Table => render_table(&evidence, qrels.len(), bootstrap.as_ref(), args.alpha),
    };
    emit(&text, args.output.as_deref())?;
    if let Some(t) = &tracker {
        t.log(&evidence)?;
    }
    // The process ends next: the qrels', runs' and evidence's memory (a few allocations
    // per query, tens of thousands on a large qrels) is left to the OS to reclaim at
    // once rather than freed one by one (10 ms on the bench's 10,000 queries).
    std::mem::forget((qrels, runs, evidence));
    Ok(ExitCode::SUCCESS)
}

fn parse_test(s: &str) -> Result<PairedTest, String> {
    s.parse()
        .map_err(|e: rigor_stats::StatsError| e.to_string())
}

fn parse_correction(s: &str) -> Result<Correction, String> {
    s.parse()
        .map_err(|e: rigor_stats::StatsError| e.to_string())
}

/// Every later run against the first, measure by measure, on the queries both have;
/// p-values corrected across all (candidate, measure) pairs of the invocation.
///
/// Candidates sharing the same number of queries with the baseline are compared in one
/// batch: rigor-stats' resamples depend only on that number and the seed, so batching
/// changes no value and draws the random numbers once instead of once per candidate.
fn compare(runs: &[Evaluated], names: &[String], args: &IrArgs) -> Vec<Comparison> {
    let Some((baseline, candidates)) = runs.split_first() else {
        return Vec::new();
    };
    let row_of: HashMap<&str, usize> = baseline
        .qids
        .iter()
        .enumerate()
        .map(|(i, q)| (q.as_str(), i))
        .collect();
    // (candidate, [(baseline row, candidate row)]) for candidates sharing queries.
    let mut pairings: Vec<(&Evaluated, Vec<(usize, usize)>)> = Vec::new();
    for cand in candidates {
        let pairs: Vec<(usize, usize)> = cand
            .qids
            .iter()
            .enumerate()
            .filter_map(|(j, q)| row_of.get(q.as_str()).map(|&i| (i, j)))
            .collect();
        if pairs.is_empty() {
            eprintln!(
                "warning: {} and {} share no evaluated query: no comparison",
                baseline.name, cand.name
            );
        } else {
            pairings.push((cand, pairs));
        }
    }
    let bootstrap = Bootstrap {
        resamples: args.resamples,
        confidence: args.confidence,
        seed: args.seed,
    };
    let mut by_n: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (k, (_, pairs)) in pairings.iter().enumerate() {
        by_n.entry(pairs.len()).or_default().push(k);
    }
    let mut results = vec![Vec::new(); pairings.len()];
    for members in by_n.values() {
        let mut base_cols: Vec<Vec<f64>> = Vec::new();
        let mut cand_cols: Vec<Vec<f64>> = Vec::new();
        for &k in members {
            let (cand, pairs) = &pairings[k];
            for m in 0..names.len() {
                base_cols.push(pairs.iter().map(|&(i, _)| baseline.values[i][m]).collect());
                cand_cols.push(pairs.iter().map(|&(_, j)| cand.values[j][m]).collect());
            }
        }
        let base_refs: Vec<&[f64]> = base_cols.iter().map(Vec::as_slice).collect();
        let cand_refs: Vec<&[f64]> = cand_cols.iter().map(Vec::as_slice).collect();
        // Measure values are always finite and the columns non-empty and aligned.
        let Ok(batch) =
            compare_paired_columns(&base_refs, &cand_refs, args.test, &bootstrap, !args.no_ci)
        else {
            continue;
        };
        for (&k, chunk) in members.iter().zip(batch.chunks(names.len())) {
            results[k] = chunk.to_vec();
        }
    }
    let mut comparisons = Vec::new();
    for ((cand, _), result) in pairings.iter().zip(results) {
        for (name, r) in names.iter().zip(result) {
            comparisons.push(Comparison {
                baseline: baseline.name.clone(),
                candidate: cand.name.clone(),
                measure: name.clone(),
                n: r.n,
                baseline_mean: r.baseline_mean,
                candidate_mean: r.candidate_mean,
                delta: r.delta,
                relative_lift: r.relative_lift,
                ci_low: r.ci_low,
                ci_high: r.ci_high,
                effect_size: r.effect_size,
                test: args.test.to_string(),
                p_value: r.p_value,
                p_adjusted: None,
                correction: args.correction.as_str().to_string(),
                significant: false,
            });
        }
    }
    let p_values: Vec<Option<f64>> = comparisons.iter().map(|c| c.p_value).collect();
    let adjusted = adjust(&p_values, args.correction, args.alpha);
    for ((c, p), rejected) in comparisons
        .iter_mut()
        .zip(adjusted.p_adjusted)
        .zip(adjusted.rejected)
    {
        c.p_adjusted = p;
        c.significant = rejected;
    }
    let undefined = comparisons.iter().filter(|c| c.p_value.is_none()).count();
    if undefined > 0 {
        eprintln!(
            "warning: {undefined} comparisons have no p-value (identical or constant differences): reported as null, never significant"
        );
    }
    comparisons
}

/// Percentile intervals of every run's means. Runs with the same number of queries
/// are resampled in one batch (the draws depend only on that number and the seed, so
/// the intervals are those of separate runs).
fn run_intervals(runs: &[Evaluated], bootstrap: &Bootstrap) -> Vec<Option<Vec<Interval>>> {
    let mut by_n: BTreeMap<usize, Vec<usize>> = BTreeMap::new();
    for (k, run) in runs.iter().enumerate() {
        by_n.entry(run.values.len()).or_default().push(k);
    }
    let mut out = vec![None; runs.len()];
    for (n, members) in by_n {
        let rows: Vec<Vec<f64>> = (0..n)
            .map(|i| {
                members
                    .iter()
                    .flat_map(|&k| runs[k].values[i].iter().copied())
                    .collect()
            })
            .collect();
        let Some(intervals) = bootstrap.mean_intervals(&rows) else {
            continue;
        };
        let width = intervals.len() / members.len();
        for (&k, chunk) in members.iter().zip(intervals.chunks(width)) {
            out[k] = Some(chunk.to_vec());
        }
    }
    out
}

fn check_settings(args: &IrArgs) -> Result<(), Failure> {
    let open_unit = |v: f64| v > 0.0 && v < 1.0;
    if !open_unit(args.confidence) {
        return Err(Failure::Input(format!(
            "--confidence must be between 0 and 1 (exclusive), got {}",
            args.confidence
        )));
    }
    if !open_unit(args.alpha) {
        return Err(Failure::Input(format!(
            "--alpha must be between 0 and 1 (exclusive), got {}",
            args.alpha
        )));
    }
    if args.resamples == 0 {
        return Err(Failure::Input(
            "--resamples must be at least 1 (use --no-ci to skip intervals)".to_string(),
        ));
    }
    Ok(())
}

/// Parses `-m` values (defaults when none), dropping repeats of the same measure.
fn parse_measures(raw: &[String]) -> Result<Vec<Measure>, Failure> {
    let raw: Vec<&str> = if raw.is_empty() {
        DEFAULT_MEASURES.to_vec()
    } else {
        raw.iter().map(String::as_str).collect()
    };
    let mut seen = HashSet::new();
    let mut measures = Vec::new();
    for name in raw {
        let m: Measure = name
            .parse()
            .map_err(|e: rigor_metrics::ir::MeasureError| Failure::Input(e.to_string()))?;
        if seen.insert(m) {
            measures.push(m);
        }
    }
    Ok(measures)
}

fn evaluate_run(
    path: &Path,
    qrels: &Qrels,
    measures: &[Measure],
    complete: bool,
) -> Result<Evaluated, Failure> {
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    let reading = Reading::new(&path.display().to_string(), size);
    let update = |bytes| reading.update(bytes);
    let max_grade = qrels.max_grade();
    let (results, info) = rigor_io::trec::map_run(path, Some(&update), |qid, docs| {
        qrels
            .query(qid)
            .map(|j| evaluate_ranking(measures, j, docs, max_grade))
    })?;
    reading.finish();

    let missing_from_qrels = results.iter().filter(|(_, v)| v.is_none()).count();
    let mut per_query: Vec<(Box<[u8]>, Vec<f64>)> = results
        .into_iter()
        .filter_map(|(q, v)| v.map(|v| (q, v)))
        .collect();
    let answered: HashSet<&[u8]> = per_query.iter().map(|(q, _)| &**q).collect();
    let unanswered: Vec<&[u8]> = qrels
        .qids()
        .into_iter()
        .filter(|q| !answered.contains(q))
        .collect();
    let missing_from_run = unanswered.len();
    if complete {
        let filled: Vec<(Box<[u8]>, Vec<f64>)> = unanswered
            .into_iter()
            .filter_map(|q| {
                let j = qrels.query(q)?;
                Some((
                    Box::from(q),
                    evaluate_ranking(measures, j, &mut [], max_grade),
                ))
            })
            .collect();
        per_query.extend(filled);
    }
    per_query.sort_unstable_by(|a, b| a.0.cmp(&b.0));

    let stem = path
        .file_name()
        .map(|f| f.to_string_lossy().trim_end_matches(".gz").to_string())
        .map(|f| match f.rsplit_once('.') {
            Some((stem, _)) if !stem.is_empty() => stem.to_string(),
            _ => f,
        })
        .unwrap_or_else(|| path.display().to_string());
    Ok(Evaluated {
        name: info.tag.unwrap_or(stem),
        path: path.to_path_buf(),
        qids: per_query
            .iter()
            .map(|(q, _)| String::from_utf8_lossy(q).into_owned())
            .collect(),
        values: per_query.into_iter().map(|(_, v)| v).collect(),
        missing_from_run,
        missing_from_qrels,
        digest: info.digest,
    })
}

/// The qrels and every run, with their digests.
fn inputs(qrels: &Path, qrels_digest: &FileDigest, runs: &[Evaluated]) -> Vec<Input> {
    std::iter::once(Input::new("qrels", qrels, qrels_digest))
        .chain(
            runs.iter()
                .filter_map(|r| Some(Input::new("run", &r.path, r.digest.as_ref()?))),
        )
        .collect()
}

fn report_missing(run: &Evaluated, complete: bool) {
    let path = run.path.display();
    if run.missing_from_run > 0 {
        let fate = if complete {
            "scored 0 (--complete)"
        } else {
            "ignored; --complete scores them 0"
        };
        eprintln!(
            "note: {path}: {} judged queries are not in the run: {fate}",
            run.missing_from_run
        );
    }
    if run.missing_from_qrels > 0 {
        eprintln!(
            "note: {path}: {} queries of the run have no judgments: ignored",
            run.missing_from_qrels
        );
    }
    if run.values.is_empty() {
        eprintln!(
            "warning: {path}: no query of the run is judged in the qrels: nothing was evaluated"
        );
    }
}

/// Runs are named by their tag; when two runs share a name, file names are used.
fn disambiguate_names(runs: &mut [Evaluated]) {
    let mut seen = HashSet::new();
    if runs.iter().all(|r| seen.insert(r.name.clone())) {
        return;
    }
    for (i, run) in runs.iter_mut().enumerate() {
        run.name = format!("{} ({})", run.name, run.path.display());
        if i > 0 && run.name.is_empty() {
            run.name = format!("run{}", i + 1);
        }
    }
}

fn run_evidence(
    run: &Evaluated,
    names: &[String],
    intervals: Option<Vec<Interval>>,
    per_query: bool,
) -> IrRun {
    let n = run.values.len();
    let aggregate = names
        .iter()
        .enumerate()
        .map(|(m, name)| {
            let mean = if n == 0 {
                0.0
            } else {
                run.values.iter().map(|v| v[m]).sum::<f64>() / n as f64
            };
            let ci = intervals.as_ref().map(|cis| cis[m]);
            (
                name.clone(),
                Aggregate {
                    mean,
                    ci_low: ci.map(|c| c.low),
                    ci_high: ci.map(|c| c.high),
                },
            )
        })
        .collect();
    IrRun {
        name: run.name.clone(),
        path: run.path.display().to_string(),
        queries: n,
        queries_missing_from_run: run.missing_from_run,
        queries_missing_from_qrels: run.missing_from_qrels,
        aggregate,
        per_query: per_query.then(|| {
            run.qids
                .iter()
                .zip(&run.values)
                .map(|(q, v)| {
                    (
                        q.clone(),
                        names
                            .iter()
                            .cloned()
                            .zip(v.iter().copied())
                            .collect::<IndexMap<_, _>>(),
                    )
                })
                .collect()
        }),
    }
}

fn render_csv(e: &IrEvidence) -> String {
    let mut out = String::from(
        "run,query,measure,value,ci_low,ci_high,baseline,delta,delta_ci_low,delta_ci_high,\
         effect_size,test,p_value,p_adjusted,correction,significant\n",
    );
    for run in &e.runs {
        let name = csv_field(&run.name);
        for (m, agg) in &run.aggregate {
            let versus = comparisons::csv_columns(&e.comparisons, &run.name, m);
            out.push_str(&format!(
                "{name},all,{},{},{},{},{versus}\n",
                csv_field(m),
                agg.mean,
                csv_number(agg.ci_low),
                csv_number(agg.ci_high)
            ));
        }
        for (qid, values) in run.per_query.iter().flatten() {
            for (m, v) in values {
                out.push_str(&format!(
                    "{name},{},{},{v},,,,,,,,,,,,\n",
                    csv_field(qid),
                    csv_field(m)
                ));
            }
        }
    }
    out
}

fn render_table(
    e: &IrEvidence,
    judged_queries: usize,
    bootstrap: Option<&Bootstrap>,
    alpha: f64,
) -> String {
    let mut out = String::new();
    let ci = match bootstrap {
        Some(b) => format!(
            "mean [{:.0}% percentile-bootstrap CI over queries, {} resamples, seed {}]",
            b.confidence * 100.0,
            b.resamples,
            b.seed
        ),
        None => "mean over queries".to_string(),
    };
    out.push_str(&format!(
        "qrels: {} ({judged_queries} judged queries){}\nvalues: {ci}\n\n",
        e.qrels,
        if e.complete { ", --complete" } else { "" }
    ));
    let mut header = vec!["run".to_string(), "queries".to_string()];
    header.extend(e.measures.iter().cloned());
    let rows: Vec<Vec<String>> = e
        .runs
        .iter()
        .map(|run| {
            let mut row = vec![run.name.clone(), run.queries.to_string()];
            row.extend(run.aggregate.iter().map(|(m, a)| {
                let marker = comparisons::marker(&e.comparisons, &run.name, m);
                comparisons::score_cell(a.mean, a.ci_low, a.ci_high, marker)
            }));
            row
        })
        .collect();
    out.push_str(&table(&header, &rows));
    if let (false, Some(baseline)) = (e.comparisons.is_empty(), e.runs.first()) {
        out.push_str(&comparisons::legend(
            &baseline.name,
            &e.comparisons,
            "queries",
            alpha,
        ));
        out.push('\n');
        out.push_str(&comparisons::comparisons_table(&e.comparisons, "queries"));
    }
    for run in &e.runs {
        let Some(per_query) = &run.per_query else {
            continue;
        };
        out.push_str(&format!("\nper query: {}\n", run.name));
        let mut header = vec!["query".to_string()];
        header.extend(e.measures.iter().cloned());
        let rows: Vec<Vec<String>> = per_query
            .iter()
            .map(|(q, values)| {
                std::iter::once(q.clone())
                    .chain(values.values().map(|v| format!("{v:.4}")))
                    .collect()
            })
            .collect();
        out.push_str(&table(&header, &rows));
    }
    out
}
