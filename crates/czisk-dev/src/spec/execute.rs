//! Running a script on one backend: batches of invocations per driver run, a run of its
//! own for each expected trap, and the compile-only refusals.

use std::panic::{catch_unwind, AssertUnwindSafe};

use czisk_frontend::WasmTrap;
use czisk_runtime::TRAP_EXIT_BASE;
use czisk_zisk::{run_rom, Failure, RunOptions};
use serde::{Deserialize, Serialize};

use super::driver::{Call, TestModule, Unsupported, MISMATCH_EXIT_BASE};
use super::script::{Check, Instance, Refusal, Script, Step};
use crate::backend::{compile, Backend};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Verdict {
    Pass,
    Fail,
    Skip,
}

/// The result of one command of a script on one backend.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Outcome {
    pub line: u32,
    pub command: String,
    pub verdict: Verdict,
    /// Why it failed or was skipped.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub detail: String,
}

impl Outcome {
    fn new(line: u32, command: &str, verdict: Verdict, detail: impl Into<String>) -> Outcome {
        Outcome {
            line,
            command: command.to_string(),
            verdict,
            detail: detail.into(),
        }
    }
}

/// How a driver run ended.
#[derive(Debug, Clone, PartialEq)]
enum RunEnd {
    Completed,
    /// Call `k` returned a wrong result; `None` when the backend cannot say which.
    Mismatch(Option<u32>),
    /// A trap; the message is `None` when the backend does not say which trap.
    Trap(Option<&'static str>),
    /// Anything else (step limit, memory fault, compile error): a description.
    Broken(String),
}

pub fn run_script(script: &Script, backend: Backend, max_steps: u64) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    for skipped in &script.skipped {
        outcomes.push(Outcome::new(
            skipped.line,
            skipped.command,
            Verdict::Skip,
            skipped.reason.clone(),
        ));
    }
    for refusal in &script.refusals {
        outcomes.push(check_refusal(refusal, backend));
    }
    for instance in &script.instances {
        outcomes.extend(run_instance(instance, backend, max_steps));
    }
    outcomes.sort_by_key(|o| o.line);
    outcomes
}

fn check_refusal(refusal: &Refusal, backend: Backend) -> Outcome {
    match catch_unwind(AssertUnwindSafe(|| compile(backend, &refusal.wasm))) {
        Err(_) => Outcome::new(
            refusal.line,
            refusal.command,
            Verdict::Fail,
            "the compiler panicked",
        ),
        Ok(Err(_)) => Outcome::new(refusal.line, refusal.command, Verdict::Pass, ""),
        Ok(Ok(_)) => Outcome::new(
            refusal.line,
            refusal.command,
            Verdict::Fail,
            format!(
                "compiled a module the spec says is {} ({})",
                refusal.command.trim_start_matches("assert_"),
                refusal.message
            ),
        ),
    }
}

pub fn run_instance(instance: &Instance, backend: Backend, max_steps: u64) -> Vec<Outcome> {
    let module = match TestModule::new(&instance.wasm) {
        Ok(module) => module,
        Err(unsupported) => {
            let reason = match unsupported {
                Unsupported::Linking(what) => format!("cross-module linking ({what})"),
                Unsupported::Unlinkable(what) => format!("spectest does not provide {what}"),
                Unsupported::Feature(what) => {
                    format!("uses a feature beyond WebAssembly 2.0 without SIMD ({what})")
                }
            };
            let mut outcomes = vec![Outcome::new(
                instance.line,
                "module",
                Verdict::Skip,
                reason.clone(),
            )];
            for step in &instance.steps {
                outcomes.push(Outcome::new(
                    step.line,
                    step.command,
                    Verdict::Skip,
                    format!("{reason}, for its module"),
                ));
            }
            return outcomes;
        }
    };
    let runner = Runner {
        module: &module,
        backend,
        max_steps,
    };

    if let Some(expected) = &instance.expect_instantiation_trap {
        let end = runner.run(&[], &[]);
        return vec![trap_outcome(instance.line, "assert_trap", expected, end)];
    }

    let mut outcomes = Vec::new();
    // The module itself: it must compile and instantiate.
    match runner.run(&[], &[]) {
        RunEnd::Completed => {
            outcomes.push(Outcome::new(instance.line, "module", Verdict::Pass, ""))
        }
        end => {
            let detail = describe(&end);
            outcomes.push(Outcome::new(
                instance.line,
                "module",
                Verdict::Fail,
                detail.clone(),
            ));
            for step in &instance.steps {
                outcomes.push(Outcome::new(
                    step.line,
                    step.command,
                    Verdict::Fail,
                    format!("module failed: {detail}"),
                ));
            }
            return outcomes;
        }
    }

    // Steps expected to return (or just complete) run in batches: each run replays the
    // earlier steps unchecked (their effects on the instance's state matter) and checks
    // the rest, stopping at the first wrong one.
    let returning: Vec<&Step> = instance
        .steps
        .iter()
        .filter(|s| !matches!(s.check, Check::Trap(_)))
        .collect();
    let mut failed = vec![false; returning.len()];
    let mut start = 0;
    while start < returning.len() {
        let replay: Vec<&Step> = (0..start)
            .filter(|&i| !failed[i])
            .map(|i| returning[i])
            .collect();
        let checked = &returning[start..];
        let end = runner.run(&replay, checked);
        let (bad, end) = match end {
            RunEnd::Completed => {
                outcomes.extend(
                    checked
                        .iter()
                        .map(|s| Outcome::new(s.line, s.command, Verdict::Pass, "")),
                );
                break;
            }
            RunEnd::Mismatch(Some(k)) if (k as usize) < checked.len() => {
                (k as usize, RunEnd::Mismatch(Some(k)))
            }
            end => {
                // The run failed without saying where: find the first prefix that fails.
                let (mut good, mut bad) = (0, checked.len());
                let mut bad_end = end;
                while bad - good > 1 {
                    let mid = (good + bad) / 2;
                    match runner.run(&replay, &checked[..mid]) {
                        RunEnd::Completed => good = mid,
                        end => {
                            bad = mid;
                            bad_end = end;
                        }
                    }
                }
                (bad - 1, bad_end)
            }
        };
        outcomes.extend(
            checked[..bad]
                .iter()
                .map(|s| Outcome::new(s.line, s.command, Verdict::Pass, "")),
        );
        let step = checked[bad];
        outcomes.push(Outcome::new(
            step.line,
            step.command,
            Verdict::Fail,
            describe_step_failure(step, &end),
        ));
        failed[start + bad] = true;
        start += bad + 1;
    }

    // Each expected trap: a run of its own after the steps before it.
    for (i, step) in instance.steps.iter().enumerate() {
        let Check::Trap(expected) = &step.check else {
            continue;
        };
        let replay: Vec<&Step> = instance.steps[..i]
            .iter()
            .filter(|s| !matches!(s.check, Check::Trap(_)))
            .filter(|s| {
                let index = returning
                    .iter()
                    .position(|r| std::ptr::eq(*r, *s))
                    .expect("a returning step");
                !failed[index]
            })
            .collect();
        let end = runner.run(&replay, &[step]);
        outcomes.push(trap_outcome(step.line, step.command, expected, end));
    }
    outcomes
}

struct Runner<'a> {
    module: &'a TestModule,
    backend: Backend,
    max_steps: u64,
}

impl Runner<'_> {
    /// Runs `replay` (results ignored) then `checked` (results compared, call `k` reporting
    /// as mismatch `k`).
    fn run(&self, replay: &[&Step], checked: &[&Step]) -> RunEnd {
        let mut calls: Vec<Call> = replay
            .iter()
            .map(|s| Call {
                action: &s.action,
                expect: None,
            })
            .collect();
        for (k, step) in checked.iter().enumerate() {
            let expect = match &step.check {
                Check::Return(expects) => Some((expects.as_slice(), k as u32)),
                Check::Completes | Check::Trap(_) => None,
            };
            calls.push(Call {
                action: &step.action,
                expect,
            });
        }
        let wasm = match self.module.driver(&calls) {
            Ok(wasm) => wasm,
            Err(e) => return RunEnd::Broken(format!("cannot build the driver: {e}")),
        };
        // For debugging the runner: CZISK_SPEC_DUMP=DIR keeps every driver module.
        if let Some(dir) = std::env::var_os("CZISK_SPEC_DUMP") {
            let n = std::fs::read_dir(&dir).map_or(0, |d| d.count());
            let _ = std::fs::write(
                std::path::Path::new(&dir).join(format!("driver{n}.wasm")),
                &wasm,
            );
        }
        let compiled = match catch_unwind(AssertUnwindSafe(|| compile(self.backend, &wasm))) {
            Ok(Ok(compiled)) => compiled,
            Ok(Err(e)) => return RunEnd::Broken(format!("{e:#}")),
            Err(_) => return RunEnd::Broken("the compiler panicked".into()),
        };
        let options = RunOptions {
            max_steps: self.max_steps,
            capture_console: true,
            profile_top: 0,
            window: None,
        };
        let execution = match run_rom(&compiled.rom, &[], &options) {
            Ok(execution) => execution,
            Err(e) => return RunEnd::Broken(format!("cannot run: {e}")),
        };
        match execution.failure {
            None => RunEnd::Completed,
            Some(Failure::ExitCode { code, .. }) if code >= MISMATCH_EXIT_BASE as i64 => {
                RunEnd::Mismatch(Some((code - MISMATCH_EXIT_BASE as i64) as u32))
            }
            Some(Failure::ExitCode { code, .. })
                if (TRAP_EXIT_BASE as i64..TRAP_EXIT_BASE as i64 + WasmTrap::ALL.len() as i64)
                    .contains(&code) =>
            {
                RunEnd::Trap(Some(
                    WasmTrap::ALL[(code - TRAP_EXIT_BASE as i64) as usize].message(),
                ))
            }
            // ZisK's wasm transpiler halts on both a trap and proc_exit(n != 0), printing a
            // message only for the latter.
            Some(Failure::Trap { .. })
                if String::from_utf8_lossy(&execution.console).contains("non-zero status") =>
            {
                RunEnd::Mismatch(None)
            }
            Some(Failure::Trap { .. }) => RunEnd::Trap(None),
            Some(other) => RunEnd::Broken(other.to_string()),
        }
    }
}

/// Whether the trap we saw is the one the spec names. The spec's messages sometimes say
/// more than the trap's name ("uninitialized element 2"), so a prefix match in either
/// direction counts.
/// `expected` may list alternatives separated by `|`.
fn same_trap(expected: &str, actual: &str) -> bool {
    expected
        .split('|')
        .any(|e| e.starts_with(actual) || actual.starts_with(e))
}

fn trap_outcome(line: u32, command: &str, expected: &str, end: RunEnd) -> Outcome {
    match end {
        RunEnd::Trap(Some(actual)) if same_trap(expected, actual) => {
            Outcome::new(line, command, Verdict::Pass, "")
        }
        // The backend does not say which trap (wasm2zisk): any trap counts.
        RunEnd::Trap(None) => Outcome::new(line, command, Verdict::Pass, ""),
        RunEnd::Trap(Some(actual)) => Outcome::new(
            line,
            command,
            Verdict::Fail,
            format!("trapped with \"{actual}\", expected \"{expected}\""),
        ),
        RunEnd::Completed | RunEnd::Mismatch(_) => Outcome::new(
            line,
            command,
            Verdict::Fail,
            format!("did not trap, expected \"{expected}\""),
        ),
        RunEnd::Broken(detail) => Outcome::new(line, command, Verdict::Fail, detail),
    }
}

fn describe(end: &RunEnd) -> String {
    match end {
        RunEnd::Completed => "completed".into(),
        RunEnd::Mismatch(_) => "wrong result".into(),
        RunEnd::Trap(Some(message)) => format!("trapped: {message}"),
        RunEnd::Trap(None) => "trapped".into(),
        RunEnd::Broken(detail) => detail.clone(),
    }
}

fn describe_step_failure(step: &Step, end: &RunEnd) -> String {
    match end {
        RunEnd::Mismatch(_) => format!(
            "wrong result for {:?}, expected {:?}",
            step.action, step.check
        ),
        end => format!("{} in {:?}", describe(end), step.action),
    }
}
