//! `czisk-dev bench --suite sightglass`: the Sightglass benchmarks (`../shared/sightglass`, the
//! suite Cranelift and wasmtime are measured with), unmodified, as their upstream runner
//! sets them up: no arguments, no environment, no stdin, the benchmark's input directory
//! pre-opened as ".". Each run's stdout (and stderr) is checked against the expected files
//! line by line, as upstream compares them; the table gives steps, cost and the
//! `bench.start`..`bench.end` window per path. Writes bench/sightglass.{md,json}.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::backend::Backend;

/// The suite's benchmarks are those under this many wasm instructions (MANIFEST's
/// `fuel_total`); the others take hours inside an emulator.
const MAX_FUEL: u64 = 2_000_000_000;
const PATHS: [Backend; 3] = [Backend::Zisk, Backend::Riscv, Backend::Wasm2zisk];

/// One row of MANIFEST.tsv, the columns used here.
struct Benchmark {
    name: String,
    features: String,
    fuel_total: u64,
}

/// One benchmark on one path.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SuiteRecord {
    pub benchmark: String,
    pub path: String,
    /// "ok", "failed: <why>", "wrong output: <first difference>", "skipped: <why>".
    pub status: String,
    pub steps: Option<u64>,
    pub cost_total: Option<u64>,
    pub window_steps: Option<u64>,
    pub window_cost: Option<u64>,
    /// Whether stderr matched too (stdout is what `status` checks).
    pub stderr_matches: Option<bool>,
    pub compile_ms: Option<f64>,
}

pub struct SuiteArgs<'a> {
    pub dir: &'a Path,
    pub benchmarks: &'a [String],
    pub paths: &'a [String],
    pub out_dir: &'a Path,
    pub max_steps: u64,
}

pub fn run_suite(args: &SuiteArgs) -> Result<ExitCode> {
    let manifest = read_manifest(args.dir)?;
    for name in args.benchmarks {
        if !manifest.iter().any(|b| &b.name == name) {
            bail!("unknown Sightglass benchmark '{name}'");
        }
    }
    let selected: Vec<&Benchmark> = manifest
        .iter()
        .filter(|b| {
            if args.benchmarks.is_empty() {
                b.fuel_total < MAX_FUEL
            } else {
                args.benchmarks.contains(&b.name)
            }
        })
        .collect();
    let paths: Vec<Backend> = if args.paths.is_empty() {
        PATHS.to_vec()
    } else {
        args.paths
            .iter()
            .map(|p| {
                PATHS
                    .iter()
                    .copied()
                    .find(|b| b.name() == p)
                    .with_context(|| {
                        format!("the suite runs on zisk, riscv and wasm2zisk, not '{p}'")
                    })
            })
            .collect::<Result<_>>()?
    };
    let total = selected.len() * paths.len();
    let mut records = Vec::new();
    for benchmark in &selected {
        for &path in &paths {
            eprint!(
                "[{}/{total}] {} on {} ... ",
                records.len() + 1,
                benchmark.name,
                path.name()
            );
            std::io::stderr().flush().ok();
            let started = Instant::now();
            let record = run_one(args, benchmark, path);
            eprintln!(
                "{}{} ({:.1} s)",
                record.status,
                record
                    .window_steps
                    .or(record.steps)
                    .map(|s| format!(", {:.3} M steps", s as f64 / 1e6))
                    .unwrap_or_default(),
                started.elapsed().as_secs_f64()
            );
            records.push(record);
        }
    }
    let records = merge_with_previous(args.out_dir, records, &manifest);
    let paths: Vec<Backend> = PATHS
        .iter()
        .copied()
        .filter(|p| records.iter().any(|r| r.path == p.name()))
        .collect();
    std::fs::create_dir_all(args.out_dir)?;
    let json = args.out_dir.join("sightglass.json");
    std::fs::write(&json, serde_json::to_string_pretty(&records)? + "\n")?;
    let md = args.out_dir.join("sightglass.md");
    std::fs::write(&md, render(&records, &paths))?;
    eprintln!("wrote {} and {}", md.display(), json.display());
    let zisk_failures: Vec<&str> = records
        .iter()
        .filter(|r| r.path == "zisk" && r.status != "ok" && !r.status.starts_with("skipped"))
        .map(|r| r.benchmark.as_str())
        .collect();
    if !zisk_failures.is_empty() {
        eprintln!("error: not ok on zisk: {}", zisk_failures.join(", "));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// Keeps the earlier records of (benchmark, path) pairs this run did not measure, so that
/// one path can be rerun alone; in the manifest's order, then the paths'.
fn merge_with_previous(
    out_dir: &Path,
    fresh: Vec<SuiteRecord>,
    manifest: &[Benchmark],
) -> Vec<SuiteRecord> {
    let previous: Vec<SuiteRecord> = std::fs::read_to_string(out_dir.join("sightglass.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let mut records: Vec<SuiteRecord> = previous
        .into_iter()
        .filter(|old| {
            !fresh
                .iter()
                .any(|new| new.benchmark == old.benchmark && new.path == old.path)
        })
        .collect();
    records.extend(fresh);
    let rank = |r: &SuiteRecord| {
        (
            manifest.iter().position(|b| b.name == r.benchmark),
            PATHS.iter().position(|p| p.name() == r.path),
        )
    };
    records.sort_by_key(rank);
    records
}

fn read_manifest(dir: &Path) -> Result<Vec<Benchmark>> {
    let path = dir.join("MANIFEST.tsv");
    let text = std::fs::read_to_string(&path)
        .with_context(|| format!("cannot read the Sightglass manifest '{}'", path.display()))?;
    let mut lines = text.lines();
    let header: Vec<&str> = lines.next().unwrap_or_default().split('\t').collect();
    let column = |name: &str| {
        header
            .iter()
            .position(|h| *h == name)
            .with_context(|| format!("{} has no column '{name}'", path.display()))
    };
    let (name, features, fuel) = (column("name")?, column("features")?, column("fuel_total")?);
    lines
        .filter(|l| !l.is_empty())
        .map(|line| {
            let cells: Vec<&str> = line.split('\t').collect();
            Ok(Benchmark {
                name: cells[name].to_string(),
                features: cells.get(features).unwrap_or(&"").to_string(),
                fuel_total: cells
                    .get(fuel)
                    .and_then(|f| f.parse().ok())
                    .unwrap_or(u64::MAX),
            })
        })
        .collect()
}

fn run_one(args: &SuiteArgs, benchmark: &Benchmark, path: Backend) -> SuiteRecord {
    let mut record = SuiteRecord {
        benchmark: benchmark.name.clone(),
        path: path.name().into(),
        status: String::new(),
        steps: None,
        cost_total: None,
        window_steps: None,
        window_cost: None,
        stderr_matches: None,
        compile_ms: None,
    };
    if benchmark.features.split(',').any(|f| f == "gc") {
        record.status = "skipped: needs wasm GC".into();
        return record;
    }
    let inputs = args.dir.join("inputs").join(&benchmark.name);
    if path == Backend::Wasm2zisk && inputs.is_dir() {
        record.status = "skipped: reads files (ZisK's transpiler has no file system)".into();
        return record;
    }
    let result = (|| -> Result<(String, Vec<u8>, Vec<u8>)> {
        let wasm_path = args.dir.join(format!("{}.wasm", benchmark.name));
        let wasm = std::fs::read(&wasm_path)
            .with_context(|| format!("cannot read '{}'", wasm_path.display()))?;
        let mut options = czisk::Options::for_backend(path);
        options.limits.max_steps = args.max_steps;
        let program = czisk::compile(&wasm, &options)?;
        record.compile_ms = Some(program.compile_ms());
        let mut input = czisk::Input::default();
        if path.has_czisk_runtime() {
            // A benchmark without inputs gets an empty directory, as upstream's runner
            // does; no arguments.
            let dir = if inputs.is_dir() {
                inputs.clone()
            } else {
                empty_dir()?
            };
            input.dirs.push(czisk::Dir {
                host: dir,
                guest: ".".into(),
            });
        }
        let report = czisk::run(&program, &input)?;
        record.steps = Some(report.steps);
        record.cost_total = Some(report.cost.total);
        record.window_steps = report.window.as_ref().map(|w| w.steps);
        record.window_cost = report.window.as_ref().map(|w| w.total);
        if let Some(failure) = report.failure() {
            bail!("{failure}");
        }
        Ok((
            benchmark.name.clone(),
            report.streams.stdout,
            report.streams.stderr,
        ))
    })();
    match result {
        Err(error) => record.status = format!("failed: {error:#}"),
        Ok((name, stdout, stderr)) => {
            let expected = |stream: &str| {
                std::fs::read(
                    args.dir
                        .join("expected")
                        .join(format!("{name}.{stream}.expected")),
                )
                .unwrap_or_default()
            };
            record.stderr_matches = Some(first_difference(&expected("stderr"), &stderr).is_none());
            record.status = match first_difference(&expected("stdout"), &stdout) {
                None => "ok".into(),
                Some(difference) => format!("wrong output: {difference}"),
            };
        }
    }
    record
}

fn empty_dir() -> Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("czisk-sightglass-empty-{}", std::process::id()));
    std::fs::create_dir_all(&dir)?;
    Ok(dir)
}

/// Upstream's comparison: line by line (so `\n` against `\r\n` and a missing final newline
/// do not count). One line differs by nature: hashset's timing, `That took N seconds.`,
/// whatever N is (our clock is deterministic, the expected file's is wall time).
fn first_difference(expected: &[u8], actual: &[u8]) -> Option<String> {
    let expected = String::from_utf8_lossy(expected);
    let actual = String::from_utf8_lossy(actual);
    let (mut e, mut a) = (expected.lines(), actual.lines());
    for number in 1.. {
        match (e.next(), a.next()) {
            (None, None) => return None,
            (Some(x), Some(y)) if x == y || (is_timing(x) && is_timing(y)) => continue,
            (x, y) => {
                return Some(format!(
                    "line {number}: expected {:?}, got {:?}",
                    x.unwrap_or("<end>"),
                    y.unwrap_or("<end>")
                ))
            }
        }
    }
    None
}

fn is_timing(line: &str) -> bool {
    line.strip_prefix("That took ")
        .and_then(|rest| rest.strip_suffix(" seconds."))
        .is_some_and(|n| n.parse::<f64>().is_ok())
}

fn render(records: &[SuiteRecord], paths: &[Backend]) -> String {
    let mut md = String::from(
        "# Sightglass on ZisK\n\nWritten by `czisk-dev bench --suite sightglass`: each benchmark of \
         `../shared/sightglass` under 2e9 wasm instructions, unmodified, its input directory \
         pre-opened as `.`, no arguments or environment; stdout checked line by line against \
         the expected file (hashset's timing line excepted). `window` is `bench.start` to \
         `bench.end`, what upstream measures. Millions of steps, billions of cost.\n\n| benchmark |",
    );
    for p in paths {
        md += &format!(
            " {0} steps | {0} cost | {0} window steps | {0} window cost |",
            p.name()
        );
    }
    md += "\n|---|";
    md += &"---:|".repeat(4 * paths.len());
    md += "\n";
    let mut names: Vec<&str> = Vec::new();
    for r in records {
        if !names.contains(&r.benchmark.as_str()) {
            names.push(&r.benchmark);
        }
    }
    let mut notes = Vec::new();
    let million = |v: Option<u64>| {
        v.map(|s| format!("{:.3}", s as f64 / 1e6))
            .unwrap_or_default()
    };
    let billion = |v: Option<u64>| {
        v.map(|s| format!("{:.3}", s as f64 / 1e9))
            .unwrap_or_default()
    };
    for name in &names {
        md += &format!("| {name} |");
        for p in paths {
            match records
                .iter()
                .find(|r| &r.benchmark == name && r.path == p.name())
            {
                Some(r) if r.status == "ok" => {
                    md += &format!(
                        " {} | {} | {} | {} |",
                        million(r.steps),
                        billion(r.cost_total),
                        million(r.window_steps),
                        billion(r.window_cost)
                    );
                }
                Some(r) => {
                    notes.push(format!("- {name} on {}: {}", p.name(), r.status));
                    let word = r.status.split(':').next().unwrap_or("");
                    md += &format!(" {word} | | | |");
                }
                None => md += " | | | |",
            }
        }
        md += "\n";
    }
    let count = |p: &Backend, f: &dyn Fn(&SuiteRecord) -> bool| {
        records
            .iter()
            .filter(|r| r.path == p.name() && f(r))
            .count()
    };
    md += "\n";
    for p in paths {
        let skipped = count(p, &|r| r.status.starts_with("skipped"));
        md += &format!(
            "- {}: {} of the {} benchmarks it ran print their expected stdout ({} not run)\n",
            p.name(),
            count(p, &|r| r.status == "ok"),
            count(p, &|_| true) - skipped,
            skipped
        );
    }
    if !notes.is_empty() {
        md += "\n## Not ok, or not run\n\n";
        md += &notes.join("\n");
        md += "\n";
    }
    md
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compares_lines_as_upstream_does_with_the_timing_line_excepted() {
        assert_eq!(first_difference(b"a\nb\n", b"a\r\nb"), None);
        assert_eq!(
            first_difference(
                b"That took 0.060291 seconds.\n",
                b"That took 0.001000 seconds.\n"
            ),
            None
        );
        assert!(first_difference(b"a\nb\n", b"a\nc\n")
            .unwrap()
            .contains("line 2"));
        assert!(first_difference(b"a\n", b"a\nmore\n")
            .unwrap()
            .contains("<end>"));
        assert!(first_difference(b"That took x seconds.", b"That took 1 seconds.").is_some());
    }
}
