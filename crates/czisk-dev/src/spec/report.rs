//! The suite's results: totals, the per-file table and `tests/spec/results.md`.

use std::collections::BTreeMap;
use std::fmt::Write;

use super::execute::{Outcome, Verdict};
use super::{FileReport, Totals};
use crate::backend::Backend;

pub fn summarize(reports: &[FileReport], backends: &[Backend]) -> Vec<Totals> {
    backends
        .iter()
        .map(|b| {
            let mut totals = Totals {
                backend: b.name().to_string(),
                ..Totals::default()
            };
            for report in reports.iter().filter(|r| r.out_of_scope.is_none()) {
                if report.error.is_some() {
                    totals.failed += 1;
                }
                for outcome in outcomes_of(report, b.name()) {
                    totals.add(outcome);
                }
            }
            totals
        })
        .collect()
}

fn outcomes_of<'a>(report: &'a FileReport, backend: &str) -> &'a [Outcome] {
    report
        .backends
        .iter()
        .find(|(b, _)| b == backend)
        .map_or(&[], |(_, o)| o.as_slice())
}

fn file_totals(report: &FileReport, backend: &str) -> Totals {
    let mut totals = Totals::default();
    for outcome in outcomes_of(report, backend) {
        totals.add(outcome);
    }
    totals
}

/// Each backend with failed outcomes in `report`, and those outcomes.
fn failing(report: &FileReport) -> Vec<(&str, Vec<&Outcome>)> {
    report
        .backends
        .iter()
        .map(|(backend, outcomes)| {
            (
                backend.as_str(),
                outcomes
                    .iter()
                    .filter(|o| o.verdict == Verdict::Fail)
                    .collect::<Vec<_>>(),
            )
        })
        .filter(|(_, failures)| !failures.is_empty())
        .collect()
}

pub fn console_summary(summary: &[Totals], reports: &[FileReport], verbose: bool) -> String {
    let mut out = String::new();
    for report in reports.iter().filter(|r| r.out_of_scope.is_none()) {
        if let Some(error) = &report.error {
            let _ = writeln!(out, "{}: error: {error}", report.file);
        }
        for (backend, failures) in failing(report) {
            let _ = writeln!(
                out,
                "{}.wast on {backend}: {} failed",
                report.file,
                failures.len()
            );
            let shown = if verbose {
                failures.len()
            } else {
                failures.len().min(3)
            };
            for f in &failures[..shown] {
                let _ = writeln!(out, "  line {} {}: {}", f.line, f.command, f.detail);
            }
        }
    }
    for t in summary {
        let total = t.passed + t.failed;
        let _ = writeln!(
            out,
            "{}: {} of {} in-scope assertions passed, {} failed, {} skipped",
            t.backend, t.passed, total, t.failed, t.skipped
        );
    }
    out
}

pub fn markdown(
    summary: &[Totals],
    reports: &[FileReport],
    backends: &[Backend],
    revision: &str,
) -> String {
    let mut md = String::new();
    let _ = writeln!(md, "# WebAssembly spec suite results\n");
    let _ = writeln!(
        md,
        "Written by `czisk-dev spec --results tests/spec/results.md` (see the README). Suite: {revision}\n\n\
         Every command of an in-scope file counts: `module` (compiles and instantiates), \
         `assert_return`, `assert_trap`, `assert_exhaustion`, `invoke`, `assert_invalid` and \
         `assert_malformed` on binary modules (the compiler must refuse them, without \
         panicking). Invocations run inside ZisK, batched into driver programs; each expected \
         trap gets a run of its own. wasm2zisk halts on every trap without saying which, so \
         there any trap satisfies `assert_trap`.\n"
    );
    let _ = writeln!(md, "## Totals (in-scope files)\n");
    let _ = writeln!(
        md,
        "| backend | passed | failed | pass rate | skipped |\n|---|---:|---:|---:|---:|"
    );
    for t in summary {
        let total = t.passed + t.failed;
        let rate = if total == 0 {
            0.0
        } else {
            100.0 * t.passed as f64 / total as f64
        };
        let _ = writeln!(
            md,
            "| {} | {} | {} | {:.2}% | {} |",
            t.backend, t.passed, t.failed, rate, t.skipped
        );
    }

    let _ = writeln!(md, "\n## Per file (passed / run, skipped)\n");
    let _ = write!(md, "| file |");
    for b in backends {
        let _ = write!(md, " {} |", b.name());
    }
    let _ = write!(md, "\n|---|");
    for _ in backends {
        let _ = write!(md, "---|");
    }
    let _ = writeln!(md);
    for report in reports.iter().filter(|r| r.out_of_scope.is_none()) {
        let _ = write!(md, "| {} |", report.file);
        for b in backends {
            let t = file_totals(report, b.name());
            let mark = if t.failed > 0 || report.error.is_some() {
                " ✗"
            } else {
                ""
            };
            let _ = write!(
                md,
                " {}/{}, {}{mark} |",
                t.passed,
                t.passed + t.failed,
                t.skipped
            );
        }
        let _ = writeln!(md);
    }

    let _ = writeln!(md, "\n## Why assertions were skipped\n");
    let mut reasons: BTreeMap<String, usize> = BTreeMap::new();
    if let Some(first) = backends.first() {
        for report in reports.iter().filter(|r| r.out_of_scope.is_none()) {
            for o in outcomes_of(report, first.name())
                .iter()
                .filter(|o| o.verdict == Verdict::Skip)
            {
                // Group by the reason's wording before any parenthesized detail.
                let key = o.detail.split(" (").next().unwrap_or(&o.detail);
                let key = key.trim_end_matches(", for its module").to_string();
                *reasons.entry(key).or_default() += 1;
            }
        }
    }
    let _ = writeln!(md, "| reason | assertions |\n|---|---:|");
    for (reason, count) in &reasons {
        let _ = writeln!(md, "| {reason} | {count} |");
    }

    let _ = writeln!(
        md,
        "\n## Files out of scope\n\n| file | reason |\n|---|---|"
    );
    for report in reports.iter().filter(|r| r.out_of_scope.is_some()) {
        let _ = writeln!(
            md,
            "| {} | {} |",
            report.file,
            report.out_of_scope.as_deref().unwrap_or_default()
        );
    }

    let _ = writeln!(md, "\n## Failures\n");
    let mut any = false;
    for report in reports.iter().filter(|r| r.out_of_scope.is_none()) {
        if let Some(error) = &report.error {
            let _ = writeln!(md, "- {}: {error}", report.file);
            any = true;
        }
        for (backend, failures) in failing(report) {
            any = true;
            let _ = writeln!(
                md,
                "- {}.wast on {backend}: {} failed",
                report.file,
                failures.len()
            );
            for f in failures.iter().take(5) {
                let detail: String = f.detail.chars().take(200).collect();
                let _ = writeln!(
                    md,
                    "  - line {} `{}`: {}",
                    f.line,
                    f.command,
                    detail.replace('|', "\\|")
                );
            }
        }
    }
    if !any {
        let _ = writeln!(md, "None.");
    }
    md
}
