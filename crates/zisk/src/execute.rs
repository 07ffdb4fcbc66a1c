//! Running a ROM on the real ZisK emulator.
//!
//! We drive `ziskemu::Emu` directly rather than `ZiskEmulator::process_rom`, because we need
//! what `process_rom` throws away: the statistics (cost model) and a precise account of how a
//! failed run ended. Every run collects statistics, so steps and costs are always available.

use thiserror::Error;
use zisk_core::ZiskRom;
use ziskemu::{Emu, EmuOptions, FailureReason};

use crate::console::{with_emulator_streams, with_live_console, LiveConsole};
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
    /// The entry addresses of the two functions bounding a measurement window (Sightglass's
    /// `bench.start` and `bench.end`): the run then steps the emulator itself, and
    /// [`Execution::window`] has the steps and cost from the first entry of the first to
    /// the next entry of the second.
    pub window: Option<(u64, u64)>,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            max_steps: 10_000_000_000,
            capture_console: true,
            profile_top: 0,
            window: None,
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
    /// The measurement window, when one was asked for and both of its ends were reached.
    pub window: Option<Window>,
}

/// Steps and cost between the two ends of a measurement window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Window {
    /// Steps in the window.
    pub steps: u64,
    /// Their total cost, and its parts as in [`CostReport`].
    pub total: u64,
    /// Main state machine.
    pub main: u64,
    /// Non-precompile opcodes.
    pub opcodes: u64,
    /// Precompiles.
    pub precompiles: u64,
    /// Memory accesses.
    pub memory: u64,
}

impl Window {
    fn between(start: &CostReport, end: &CostReport) -> Window {
        Window {
            steps: end.steps - start.steps,
            total: end.total - start.total,
            main: end.main - start.main,
            opcodes: end.opcodes - start.opcodes,
            precompiles: end.precompiles - start.precompiles,
            memory: end.memory - start.memory,
        }
    }
}

/// How a guest run ended abnormally. Each names the step and the pc where it happened.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum Failure {
    /// The emulator stopped on a trap of its own.
    #[error("guest trapped at step {step}, pc {pc:#x}")]
    Trap { step: u64, pc: u64 },
    /// The guest exited with a non-zero code (czisk's traps exit with
    /// `TRAP_EXIT_BASE` plus the trap's kind, after reporting it on the console).
    #[error("guest exited with code {code} at step {step}, pc {pc:#x}")]
    ExitCode { code: i64, step: u64, pc: u64 },
    /// The run reached its step limit.
    #[error("step limit of {max_steps} reached at pc {pc:#x}")]
    StepLimit { max_steps: u64, pc: u64 },
    /// An access to unmapped memory.
    #[error("memory fault at step {step}, pc {pc:#x}: {message}")]
    MemoryFault { step: u64, pc: u64, message: String },
    /// Any other failure of the emulator.
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

/// [`run_rom`] with the console handed to `sink` live, as the guest writes it (and in
/// [`Execution::console`] at the end); `options.capture_console` is not consulted.
pub fn run_rom_live(
    rom: &ZiskRom,
    framed_input: &[u8],
    options: &RunOptions,
    sink: &mut (dyn FnMut(&[u8], &mut LiveConsole) + Send),
) -> Result<Execution, RunError> {
    if framed_input.len() % 8 != 0 {
        return Err(RunError::Input(format!(
            "length {} is not a multiple of 8",
            framed_input.len()
        )));
    }
    let (execution, console) =
        with_live_console(sink, || run_emulator(rom, framed_input, options))?;
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
    let mut marks = WindowMarks::default();
    let panic_message = contain_panics(|| match options.window {
        None => emu.run(framed_input.to_vec(), &emu_options, None::<fn(_)>),
        Some(window) => run_stepwise(
            &mut emu,
            rom,
            framed_input,
            &emu_options,
            window,
            &mut marks,
        ),
    })
    .err();
    let window = match (marks.start, marks.end) {
        (Some(start), Some(end)) => Some(Window::between(
            &CostReport::from_stats_csv(&start).map_err(RunError::Stats)?,
            &CostReport::from_stats_csv(&end).map_err(RunError::Stats)?,
        )),
        _ => None,
    };

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
        window,
    })
}

/// ziskemu's statistics at the two ends of a window, as its CSV.
#[derive(Default)]
struct WindowMarks {
    start: Option<String>,
    end: Option<String>,
}

/// What `Emu::run` does for our options (statistics on, no fast path), with our own loop
/// so that the statistics can be read when the pc reaches either end of the window. The
/// step and cost figures are the same as `Emu::run`'s (a test compares them).
fn run_stepwise(
    emu: &mut Emu,
    rom: &ZiskRom,
    framed_input: &[u8],
    options: &EmuOptions,
    (start_pc, end_pc): (u64, u64),
    marks: &mut WindowMarks,
) {
    emu.ctx = emu.create_emu_context(framed_input.to_vec(), options);
    let stats = &mut emu.ctx.stats;
    stats.load_rom_data(rom);
    stats.set_top_histogram(options.top_histogram);
    stats.set_coverage(options.coverage);
    stats.set_legacy_stats(options.legacy_stats);
    stats.set_trace_steps(options.trace_steps);
    stats.set_trace_changes(options.trace_from, options.trace_to);
    stats.set_sdk(options.sdk);
    stats.set_sdk_opcodes(options.opcodes);
    stats.set_sdk_profile_tags(options.profile_tags);
    stats.set_sdk_top_functions(options.top_functions);
    stats.set_mem_stats(options.mem_stats);
    stats.set_mem_full_stats(options.mem_full_stats);
    stats.set_collect_offsets(options.mem_full_stats);
    stats.set_log_costly_unaligned(options.log_costly_unaligned);
    stats.set_callstack_strict(options.callstack_mode == "strict");
    stats.set_opcode_breakdown(options.opcode_breakdown);
    stats.set_sdk_width(options.sdk_width);
    emu.ctx.trace_from = options.trace_from;
    emu.ctx.trace_to = options.trace_to;
    emu.ctx.do_stats = true;
    while !emu.ctx.inst_ctx.end && emu.ctx.inst_ctx.step < options.max_steps {
        let pc = emu.ctx.inst_ctx.pc;
        if pc == start_pc && marks.start.is_none() {
            marks.start = Some(emu.ctx.stats.stats_csv(';'));
        } else if pc == end_pc && marks.start.is_some() && marks.end.is_none() {
            marks.end = Some(emu.ctx.stats.stats_csv(';'));
        }
        emu.step(options, &None::<fn(_)>);
    }
}
