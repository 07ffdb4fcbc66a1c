//! Running a ROM on the real ZisK emulator.
//!
//! We drive `ziskemu::Emu` directly rather than `ZiskEmulator::process_rom`, because we need
//! what `process_rom` throws away: the statistics (cost model) and a precise account of how a
//! failed run ended. Every run collects statistics, so steps and costs are always available.

use thiserror::Error;
use zisk_core::ZiskRom;
use ziskemu::{Emu, EmuOptions, FailureReason};

use crate::console::with_emulator_streams;
use crate::cost::CostReport;
use crate::panics::contain_panics;

/// How to run a ROM.
#[derive(Debug, Clone)]
pub struct RunOptions {
    /// The run fails with [`Failure::StepLimit`] after this many steps.
    pub max_steps: u64,
    /// Capture the console into [`Execution::console`] instead of letting it stream to
    /// this process's stdout (see `console.rs` for the mechanism and its limits).
    pub capture_console: bool,
    /// When non-zero, collect ziskemu's histogram of the this-many most executed
    /// instructions into [`Execution::profile`].
    pub profile_top: usize,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            max_steps: 10_000_000_000,
            capture_console: true,
            profile_top: 0,
        }
    }
}

/// The result of running a ROM to its end, successful or not.
#[derive(Debug, Clone)]
pub struct Execution {
    pub steps: u64,
    /// The public output (what a proof commits to), with trailing zero bytes trimmed.
    pub output: Vec<u8>,
    /// Bytes the guest wrote to the UART console (empty unless captured).
    pub console: Vec<u8>,
    /// ziskemu's cost figures for the steps executed.
    pub cost: CostReport,
    /// `None` when the guest ran to its normal end.
    pub failure: Option<Failure>,
    /// ziskemu's "top PC histogram" report section, when asked for.
    pub profile: Option<String>,
}

/// How a guest run ended abnormally. Each names the step and the pc where it happened.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Failure {
    #[error("guest trapped at step {step}, pc {pc:#x}")]
    Trap { step: u64, pc: u64 },
    #[error("guest exited with code {code} at step {step}, pc {pc:#x}")]
    ExitCode { code: i64, step: u64, pc: u64 },
    #[error("step limit of {max_steps} reached at pc {pc:#x}")]
    StepLimit { max_steps: u64, pc: u64 },
    #[error("memory fault at step {step}, pc {pc:#x}: {message}")]
    MemoryFault { step: u64, pc: u64, message: String },
    #[error("the emulator failed at step {step}, pc {pc:#x}: {message}")]
    Emulator { step: u64, pc: u64, message: String },
}

/// Errors that prevent a run from starting at all.
#[derive(Debug, Error)]
pub enum RunError {
    #[error("could not capture the guest console: {0}")]
    Console(#[from] std::io::Error),
    #[error("invalid framed input: {0}")]
    Input(String),
    #[error("reading ziskemu's statistics: {0}")]
    Stats(String),
}

impl Execution {
    /// The failure as an error, for callers that only care about success.
    pub fn check(&self) -> Result<(), Failure> {
        match &self.failure {
            None => Ok(()),
            Some(failure) => Err(failure.clone()),
        }
    }
}

/// Runs `rom` with `framed_input` (see [`crate::frame_input`]) in the ZisK input region.
pub fn run_rom(
    rom: &ZiskRom,
    framed_input: &[u8],
    options: &RunOptions,
) -> Result<Execution, RunError> {
    if framed_input.len() % 8 != 0 {
        return Err(RunError::Input(format!(
            "length {} is not a multiple of 8",
            framed_input.len()
        )));
    }
    let (execution, console) = with_emulator_streams(options.capture_console, || {
        run_emulator(rom, framed_input, options)
    })?;
    let mut execution = execution?;
    execution.console = console;
    Ok(execution)
}

fn run_emulator(
    rom: &ZiskRom,
    framed_input: &[u8],
    options: &RunOptions,
) -> Result<Execution, RunError> {
    let emu_options = EmuOptions {
        max_steps: options.max_steps,
        // Statistics are collected whenever a change-trace window is set; a window that
        // starts at u64::MAX is never entered, so this turns on ziskemu's cost accounting
        // without its report printing (`stats = true` would print it to stdout).
        trace_from: Some(u64::MAX),
        ..EmuOptions::default()
    };
    let mut emu = Emu::new(rom);
    let panic_message = contain_panics(|| {
        emu.run(framed_input.to_vec(), &emu_options, None::<fn(_)>);
    })
    .err();

    let (step, pc) = (emu.ctx.inst_ctx.step, emu.ctx.inst_ctx.pc);
    let failure = if let Some(message) = panic_message {
        // The interpreted emulator panics inside `Mem` on an access to unmapped memory.
        if message.contains("Mem::") {
            Some(Failure::MemoryFault { step, pc, message })
        } else {
            Some(Failure::Emulator { step, pc, message })
        }
    } else if let Some((reason, step, pc)) = emu.failure() {
        Some(match reason {
            FailureReason::Trap => Failure::Trap { step, pc },
            FailureReason::ExitCode(code) => Failure::ExitCode {
                code: code as i64,
                step,
                pc,
            },
        })
    } else if !emu.terminated() {
        Some(Failure::StepLimit {
            max_steps: options.max_steps,
            pc,
        })
    } else {
        None
    };

    emu.ctx.stats.on_finish(&emu.ctx.inst_ctx);
    let cost =
        CostReport::from_stats_csv(&emu.ctx.stats.stats_csv(';')).map_err(RunError::Stats)?;
    let profile = (options.profile_top > 0).then(|| {
        emu.ctx.stats.set_top_histogram(options.profile_top);
        let report = emu.ctx.stats.report(rom);
        let start = report
            .find("TOP PC HISTOGRAM")
            .map_or(0, |i| report[..i].rfind('\n').map_or(0, |n| n + 1));
        report[start..].to_string()
    });
    let mut output = emu.get_output_8();
    while output.last() == Some(&0) {
        output.pop();
    }
    Ok(Execution {
        steps: emu.number_of_steps(),
        output,
        console: Vec::new(),
        cost,
        failure,
        profile,
    })
}
