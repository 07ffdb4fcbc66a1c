//! `czisk-dev spec`: the WebAssembly spec test suite, run inside ZisK on each backend.
//!
//! Each `.wast` file is read into a script ([`script`]); each module instance becomes a
//! driver program ([`driver`]) that makes the script's invocations and checks their results
//! inside the guest; [`execute`] batches them into as few runs as it can. Files run in
//! worker processes (the emulator's console capture is process-wide), `--jobs` at a time.

mod driver;
mod execute;
mod report;
mod scope;
mod script;

use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

use crate::backend::Backend;
pub use driver::memory_checksum;
pub use execute::{run_instance, Outcome, Verdict};
pub use script::{Action, Arg, Check, Expect, FloatExpect, Instance, Step};

#[derive(clap::Args)]
pub struct SpecArgs {
    /// Only the files whose names (without .wast) are listed; default: every file.
    pub files: Vec<String>,
    /// The backends to run (repeatable); default: zisk, riscv and wasm2zisk.
    #[arg(long, value_enum)]
    pub backend: Vec<Backend>,
    /// The test suite's directory.
    #[arg(long, default_value = default_suite())]
    pub suite: PathBuf,
    /// Write the results table here (markdown).
    #[arg(long)]
    pub results: Option<PathBuf>,
    /// Worker processes to run at once (default: the number of CPUs).
    #[arg(long)]
    pub jobs: Option<usize>,
    /// Exit with status 3 when an in-scope assertion fails on a backend other than wasm2zisk.
    #[arg(long)]
    pub check: bool,
    /// Fail a driver run after this many steps.
    #[arg(long, default_value_t = 200_000_000)]
    pub max_steps: u64,
    /// Print every failing assertion.
    #[arg(long, short)]
    pub verbose: bool,
    /// Internal: run one file and write its report (JSON) to --worker-output.
    #[arg(long, hide = true)]
    pub worker: Option<PathBuf>,
    #[arg(long, hide = true)]
    pub worker_output: Option<PathBuf>,
}

fn default_suite() -> &'static str {
    concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/wasm-testsuite"
    )
}

/// One file's outcomes on each backend.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct FileReport {
    pub file: String,
    /// None: in scope. Some(reason): not run.
    pub out_of_scope: Option<String>,
    pub backends: Vec<(String, Vec<Outcome>)>,
    /// The script could not be read (a runner problem, reported as a failure).
    #[serde(default)]
    pub error: Option<String>,
}

pub fn spec(args: &SpecArgs) -> Result<ExitCode> {
    let backends = if args.backend.is_empty() {
        vec![Backend::Zisk, Backend::Riscv, Backend::Wasm2zisk]
    } else {
        args.backend.clone()
    };
    if let Some(file) = &args.worker {
        let report = run_file(file, &backends, args.max_steps);
        let output = args
            .worker_output
            .as_ref()
            .context("--worker needs --worker-output")?;
        std::fs::write(output, serde_json::to_string(&report)?)?;
        return Ok(ExitCode::SUCCESS);
    }

    let mut files: Vec<PathBuf> = std::fs::read_dir(&args.suite)
        .with_context(|| format!("cannot read the spec suite at '{}'", args.suite.display()))?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wast"))
        .filter(|p| args.files.is_empty() || args.files.iter().any(|f| Some(f.as_str()) == stem(p)))
        .collect();
    files.sort();
    if files.is_empty() {
        bail!("no .wast file in '{}' matches", args.suite.display());
    }

    let mut reports = Vec::new();
    let mut pending = Vec::new();
    for file in &files {
        let name = stem(file).unwrap_or_default().to_string();
        match scope::out_of_scope(&name) {
            Some(reason) => reports.push(FileReport {
                file: name,
                out_of_scope: Some(reason.into()),
                backends: vec![],
                error: None,
            }),
            None => pending.push(file.clone()),
        }
    }
    let jobs = args
        .jobs
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
        .max(1);
    reports.extend(run_workers(&pending, &backends, jobs, args.max_steps)?);
    reports.sort_by(|a, b| a.file.cmp(&b.file));

    let summary = report::summarize(&reports, &backends);
    print!(
        "{}",
        report::console_summary(&summary, &reports, args.verbose)
    );
    if let Some(path) = &args.results {
        let revision = std::fs::read_to_string(args.suite.join("SOURCE.txt")).unwrap_or_default();
        std::fs::write(
            path,
            report::markdown(&summary, &reports, &backends, revision.trim()),
        )
        .with_context(|| format!("cannot write '{}'", path.display()))?;
    }
    let failing = summary
        .iter()
        .any(|t| t.backend != Backend::Wasm2zisk.name() && t.failed > 0);
    Ok(if args.check && failing {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

fn stem(path: &Path) -> Option<&str> {
    path.file_stem().and_then(|s| s.to_str())
}

fn run_file(path: &Path, backends: &[Backend], max_steps: u64) -> FileReport {
    let file = stem(path).unwrap_or_default().to_string();
    let script = std::fs::read_to_string(path)
        .map_err(|e| e.to_string())
        .and_then(|text| script::parse_script(&text));
    match script {
        Ok(script) => FileReport {
            file,
            out_of_scope: None,
            backends: backends
                .iter()
                .map(|&b| {
                    (
                        b.name().to_string(),
                        execute::run_script(&script, b, max_steps),
                    )
                })
                .collect(),
            error: None,
        },
        Err(e) => FileReport {
            file,
            out_of_scope: None,
            backends: vec![],
            error: Some(e),
        },
    }
}

/// Runs each file on each backend in a `czisk-dev spec --worker` process, `jobs` at a time,
/// the largest files first (they take longest), and merges the reports per file.
fn run_workers(
    files: &[PathBuf],
    backends: &[Backend],
    jobs: usize,
    max_steps: u64,
) -> Result<Vec<FileReport>> {
    let exe = std::env::current_exe()?;
    let scratch = std::env::temp_dir().join(format!("czisk-spec-{}", std::process::id()));
    std::fs::create_dir_all(&scratch)?;
    let mut tasks: Vec<(u64, &PathBuf, Backend)> = files
        .iter()
        .flat_map(|f| {
            let size = std::fs::metadata(f).map_or(0, |m| m.len());
            backends.iter().map(move |&b| (size, f, b))
        })
        .collect();
    tasks.sort_by_key(|&(size, f, _)| (std::cmp::Reverse(size), f.clone()));
    let mut queue = tasks.into_iter();
    let mut merged: Vec<FileReport> = Vec::new();
    let mut running: Vec<(String, Backend, PathBuf, std::process::Child)> = Vec::new();
    loop {
        while running.len() < jobs {
            let Some((_, file, backend)) = queue.next() else {
                break;
            };
            let name = stem(file).unwrap_or_default().to_string();
            let output = scratch.join(format!("{name}.{}.json", backend.name()));
            let child = Command::new(&exe)
                .args([
                    "spec",
                    "--backend",
                    backend.name(),
                    "--max-steps",
                    &max_steps.to_string(),
                    "--worker",
                ])
                .arg(file)
                .arg("--worker-output")
                .arg(&output)
                .stdout(std::process::Stdio::null())
                .spawn()
                .with_context(|| format!("cannot start a worker for {name}"))?;
            running.push((name, backend, output, child));
        }
        if running.is_empty() {
            break;
        }
        // Reap whichever worker has finished.
        let Some(done) = running
            .iter_mut()
            .position(|(.., child)| matches!(child.try_wait(), Ok(Some(_))))
        else {
            std::thread::sleep(std::time::Duration::from_millis(20));
            continue;
        };
        let (name, backend, output, mut child) = running.remove(done);
        let status = child.wait()?;
        let report = std::fs::read_to_string(&output)
            .ok()
            .and_then(|text| serde_json::from_str::<FileReport>(&text).ok())
            .unwrap_or_else(|| FileReport {
                file: name.clone(),
                out_of_scope: None,
                backends: vec![],
                error: Some(format!(
                    "the worker for {name} on {} ended with {status} and no report",
                    backend.name()
                )),
            });
        eprintln!("spec: {name} on {} done", backend.name());
        match merged.iter_mut().find(|r| r.file == name) {
            Some(existing) => {
                existing.backends.extend(report.backends);
                existing.error = existing.error.take().or(report.error);
            }
            None => merged.push(report),
        }
    }
    for report in &mut merged {
        report
            .backends
            .sort_by_key(|(b, _)| backends.iter().position(|x| x.name() == b));
    }
    let _ = std::fs::remove_dir_all(&scratch);
    Ok(merged)
}

/// Per-backend totals over the in-scope files.
#[derive(Debug, Clone, Default)]
pub struct Totals {
    pub backend: String,
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Totals {
    fn add(&mut self, outcome: &Outcome) {
        match outcome.verdict {
            Verdict::Pass => self.passed += 1,
            Verdict::Fail => self.failed += 1,
            Verdict::Skip => self.skipped += 1,
        }
    }
}
