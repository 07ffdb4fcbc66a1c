//! Where a compile's time and memory go: `czisk build --timings` (and `--json`).
//!
//! A compile is a sequence of stages (read and translate the module, the call graph,
//! compile the functions, link, encode); each is timed on the wall clock, and its peak
//! resident memory is the process's high-water mark (Linux's `VmHWM`, reset at the stage's
//! start through `/proc/self/clear_refs`). Inside the function stage, each function's own
//! phases (mid-end, czisk's passes, lowering, register allocation, emission) are timed
//! and summed over the functions: with several threads these sums are thread time, which
//! can exceed the stage's wall time.

use std::time::{Duration, Instant};

/// One stage or phase.
#[derive(Clone, Debug)]
pub struct Phase {
    pub name: &'static str,
    /// Wall time of a stage, or the summed time of a per-function phase.
    pub seconds: f64,
    /// The process's peak resident bytes during the stage (none for per-function phases,
    /// or where the kernel does not say).
    pub peak_rss: Option<u64>,
    /// A per-function phase (a sum over the functions, inside the function stage).
    pub per_function: bool,
}

/// Every stage and phase of one compile, in order.
#[derive(Clone, Debug, Default)]
pub struct Timings {
    pub phases: Vec<Phase>,
    /// Functions compiled, and the threads that compiled them.
    pub functions: usize,
    pub threads: usize,
}

impl Timings {
    /// Runs one stage, recording its wall time and peak memory.
    pub fn stage<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        reset_peak_rss();
        let start = Instant::now();
        let value = f();
        self.phases.push(Phase {
            name,
            seconds: start.elapsed().as_secs_f64(),
            peak_rss: peak_rss(),
            per_function: false,
        });
        value
    }

    /// The process's peak resident bytes over the stages.
    pub fn peak_rss(&self) -> Option<u64> {
        self.phases.iter().filter_map(|p| p.peak_rss).max()
    }

    /// The stages' wall time, added up.
    pub fn total_seconds(&self) -> f64 {
        self.phases
            .iter()
            .filter(|p| !p.per_function)
            .map(|p| p.seconds)
            .sum()
    }

    /// A table for people (stages with their per-function phases indented under them).
    pub fn report(&self) -> String {
        let mut out = format!("{:<26} {:>10} {:>12}\n", "phase", "seconds", "peak RSS MB");
        for p in &self.phases {
            let name = if p.per_function {
                format!("  {}", p.name)
            } else {
                p.name.to_string()
            };
            let rss = p
                .peak_rss
                .map(|b| format!("{:.1}", b as f64 / 1e6))
                .unwrap_or_default();
            out += &format!("{name:<28} {:>10.3} {rss:>12}\n", p.seconds);
        }
        out += &format!(
            "{:<26} {:>10.3} {:>12}\n",
            "total",
            self.total_seconds(),
            self.peak_rss()
                .map(|b| format!("{:.1}", b as f64 / 1e6))
                .unwrap_or_default()
        );
        out += &format!(
            "({} functions on {} thread{}; indented phases are time summed over functions)\n",
            self.functions,
            self.threads,
            if self.threads == 1 { "" } else { "s" }
        );
        out
    }
}

/// Records stages as a compile goes; does nothing (no system calls) when disabled.
pub(crate) struct Recorder {
    enabled: bool,
    pub(crate) timings: Timings,
}

impl Recorder {
    pub(crate) fn new(enabled: bool) -> Recorder {
        Recorder {
            enabled,
            timings: Timings::default(),
        }
    }

    /// Runs one stage, recording its wall time and peak memory.
    pub(crate) fn stage<T>(&mut self, name: &'static str, f: impl FnOnce() -> T) -> T {
        if !self.enabled {
            return f();
        }
        self.timings.stage(name, f)
    }

    /// Adds the per-function phases (after the stage they belong to).
    pub(crate) fn add_function_phases(&mut self, times: &FunctionTimes) {
        if !self.enabled {
            return;
        }
        for (name, d) in times.named() {
            self.timings.phases.push(Phase {
                name,
                seconds: d.as_secs_f64(),
                peak_rss: None,
                per_function: true,
            });
        }
    }
}

/// The time one function (or many, added up) spent in each phase.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct FunctionTimes {
    /// Translating again a function whose first CLIF was not kept.
    pub translate: Duration,
    pub optimize: Duration,
    pub passes: Duration,
    pub lower: Duration,
    pub regalloc: Duration,
    pub frame_and_emit: Duration,
}

impl FunctionTimes {
    pub(crate) fn add(&mut self, other: &FunctionTimes) {
        self.translate += other.translate;
        self.optimize += other.optimize;
        self.passes += other.passes;
        self.lower += other.lower;
        self.regalloc += other.regalloc;
        self.frame_and_emit += other.frame_and_emit;
    }

    fn named(&self) -> [(&'static str, Duration); 6] {
        [
            ("translate (wasm to CLIF)", self.translate),
            ("mid-end (optimize)", self.optimize),
            ("czisk passes", self.passes),
            ("lower (ISLE)", self.lower),
            ("regalloc2", self.regalloc),
            ("frame and emit", self.frame_and_emit),
        ]
    }
}

/// Times `f`, adding its duration to `slot`.
pub(crate) fn timed<T>(slot: &mut Duration, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let value = f();
    *slot += start.elapsed();
    value
}

/// Resets the process's resident-memory high-water mark to its current size (Linux).
fn reset_peak_rss() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

/// The process's resident-memory high-water mark, in bytes (Linux's `VmHWM`).
pub fn peak_rss() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line
        .trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()?;
    Some(kb * 1024)
}
