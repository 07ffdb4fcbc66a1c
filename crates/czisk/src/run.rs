//! Running a program on ZisK's emulator: its status, steps, cost, streams and output.

use std::io::Write;

use czisk_runtime::console;
use czisk_zisk::Execution;

use crate::backend::Console;
use crate::{CostReport, Error, Failure, Input, Program, Window};

/// How to run, beyond the program's limits.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RunOptions {
    /// Write the guest's stdout and stderr to this process's stdout and stderr as the
    /// guest writes them (as well as into [`Report::streams`]); for a command-line tool.
    /// The runtime's messages are never forwarded: they are in [`Streams::messages`].
    pub forward_streams: bool,
    /// List the this-many most executed instructions in [`Report::profile`] (0: none).
    pub profile: usize,
}

/// How a run ended.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Status {
    /// The guest ran to its end (exit code 0).
    Ok,
    /// It trapped, exited non-zero, reached the step limit or touched unmapped memory.
    Failed(Failure),
}

/// What the guest wrote.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Streams {
    /// Its stdout (fd 1), byte for byte.
    pub stdout: Vec<u8>,
    /// Its stderr (fd 2), byte for byte.
    pub stderr: Vec<u8>,
    /// czisk's runtime's own messages (a trap's report, the note that `random_get` is
    /// deterministic), never part of a guest stream.
    pub messages: Vec<u8>,
    /// stdout and stderr interleaved as the guest wrote them.
    pub console: Vec<u8>,
}

/// The outcome of a run, successful or not.
#[derive(Debug, Clone)]
pub struct Report {
    /// How it ended.
    pub status: Status,
    /// ZisK steps executed.
    pub steps: u64,
    /// ziskemu's cost figures: total, main, opcodes, precompiles, memory, base, per
    /// opcode and by memory region and width.
    pub cost: CostReport,
    /// Steps and cost between Sightglass's `bench.start` and `bench.end`, for a program
    /// importing both that reached both.
    pub window: Option<Window>,
    /// The public output (what a proof commits to), trailing zero bytes trimmed.
    pub output: Vec<u8>,
    /// The guest's streams and the runtime's messages.
    pub streams: Streams,
    /// ziskemu's histogram of the most executed instructions, each address followed by
    /// its function's name, when [`RunOptions::profile`] asked for it.
    pub profile: Option<String>,
}

impl Report {
    /// The failure, if the guest did not run to its end.
    pub fn failure(&self) -> Option<&Failure> {
        match &self.status {
            Status::Ok => None,
            Status::Failed(failure) => Some(failure),
        }
    }

    /// The report if the guest ran to its end, else [`Error::GuestFailed`].
    pub fn check(self) -> Result<Report, Error> {
        match self.status {
            Status::Ok => Ok(self),
            Status::Failed(failure) => Err(Error::GuestFailed {
                failure,
                steps: self.steps,
            }),
        }
    }
}

/// Runs `program` on ZisK's emulator with `input`, capturing its streams.
pub fn run(program: &Program, input: &Input) -> Result<Report, Error> {
    run_with(program, input, &RunOptions::default())
}

/// [`run`] with `options`.
///
/// Runs are serialized within the process: the emulator prints the guest's console on
/// this process's stdout, which czisk redirects while it runs.
pub fn run_with(program: &Program, input: &Input, options: &RunOptions) -> Result<Report, Error> {
    if !program.is_runnable() {
        return Err(Error::NotRunnable("run"));
    }
    let framed = input.framed(program.console != Console::Raw)?;
    let run_options = czisk_zisk::RunOptions {
        max_steps: program.limits.max_steps,
        capture_console: !options.forward_streams,
        profile_top: options.profile,
        window: window_addresses(program),
    };
    let run_error = |e: czisk_zisk::RunError| Error::Run(e.to_string());
    let execution = if options.forward_streams {
        let mut live = LiveStreams {
            framing: match program.console {
                Console::Framed => Framing::Framed(console::Decoder::default()),
                Console::Raw => Framing::Raw,
                Console::Detect => Framing::Undecided(Vec::new()),
            },
        };
        let execution =
            czisk_zisk::run_rom_live(&program.rom, &framed, &run_options, &mut |bytes, out| {
                live.feed(bytes, out)
            })
            .map_err(run_error)?;
        live.finish();
        execution
    } else {
        czisk_zisk::run_rom(&program.rom, &framed, &run_options).map_err(run_error)?
    };
    Ok(report(program, execution))
}

fn report(program: &Program, execution: Execution) -> Report {
    let framed = match program.console {
        Console::Framed => true,
        Console::Raw => false,
        // A ziskbin from czisk, or a program from elsewhere.
        Console::Detect => console::is_framed(&execution.console),
    };
    let streams = if framed {
        console::decode(&execution.console)
    } else {
        console::unframed(&execution.console)
    };
    Report {
        status: match execution.failure {
            None => Status::Ok,
            Some(failure) => Status::Failed(failure),
        },
        steps: execution.steps,
        cost: execution.cost,
        window: execution.window,
        output: execution.output,
        streams: Streams {
            stdout: streams.stdout,
            stderr: streams.stderr,
            messages: streams.messages,
            console: streams.interleaved,
        },
        profile: execution
            .profile
            .map(|profile| annotate_profile(&profile, program)),
    }
}

/// How a live console is split.
enum Framing {
    Framed(console::Decoder),
    Raw,
    /// An ELF's console: framed if it starts as czisk's runtime starts every console.
    Undecided(Vec<u8>),
}

/// The guest's streams written to this process's as they arrive (the runtime's messages
/// are left for the report).
struct LiveStreams {
    framing: Framing,
}

impl LiveStreams {
    fn feed(&mut self, bytes: &[u8], out: &mut czisk_zisk::LiveConsole) {
        if let Framing::Undecided(seen) = &mut self.framing {
            seen.extend_from_slice(bytes);
            if seen.len() < 2 {
                return;
            }
            let seen = std::mem::take(seen);
            self.framing = if console::is_framed(&seen) {
                Framing::Framed(console::Decoder::default())
            } else {
                Framing::Raw
            };
            return self.feed(&seen, out);
        }
        // A closed stream (a pipe to `head`) must not stop the run: errors are dropped.
        match &mut self.framing {
            Framing::Raw => {
                let _ = out.stdout.write_all(bytes);
            }
            Framing::Framed(decoder) => decoder.feed(bytes, |stream, run| match stream {
                console::STREAM_STDOUT => {
                    let _ = out.stdout.write_all(run);
                }
                console::STREAM_STDERR => {
                    let _ = out.stderr.write_all(run);
                }
                _ => {}
            }),
            Framing::Undecided(_) => unreachable!(),
        }
    }

    /// A console shorter than a stream switch is raw.
    fn finish(&mut self) {
        if let Framing::Undecided(seen) = &self.framing {
            let _ = std::io::stdout().write_all(seen);
        }
    }
}

/// The entry addresses of `bench.start` and `bench.end`, when the program has both.
fn window_addresses(program: &Program) -> Option<(u64, u64)> {
    let find = |name: &str| {
        program
            .symbols
            .iter()
            .find(|(_, n)| n.as_str() == name)
            .map(|(&pc, _)| pc)
    };
    Some((
        find(czisk_runtime::BENCH_START_SYMBOL)?,
        find(czisk_runtime::BENCH_END_SYMBOL)?,
    ))
}

/// Names the function of every program address in ziskemu's profile.
fn annotate_profile(profile: &str, program: &Program) -> String {
    let mut out = String::new();
    for line in profile.lines() {
        out += line;
        let pc = line
            .split_whitespace()
            .find_map(|w| {
                w.strip_prefix("0x")?
                    .trim_end_matches(':')
                    .parse::<String>()
                    .ok()
            })
            .and_then(|h| u64::from_str_radix(&h, 16).ok());
        if let Some(name) = pc.and_then(|pc| program.function_at(pc)) {
            out += &format!("   [{name}]");
        }
        out += "\n";
    }
    out
}
