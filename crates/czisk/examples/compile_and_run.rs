//! Compiles the WebAssembly module given on the command line, runs it on ZisK's emulator
//! and prints the guest's output, then its steps and cost:
//!
//! ```sh
//! cargo run --release -p czisk --example compile_and_run -- guests/out/wasm/fibonacci.wasm
//! ```
//!
//! A second argument names a file to give the guest as its stdin.

use std::io::Write;
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut args = std::env::args_os().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: compile_and_run GUEST.wasm [INPUT]");
        return ExitCode::from(2);
    };
    match compile_and_run(path.as_ref(), args.next().as_deref().map(AsRef::as_ref)) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::from(1)
        }
    }
}

fn compile_and_run(
    path: &std::path::Path,
    input: Option<&std::path::Path>,
) -> Result<ExitCode, czisk::Error> {
    let wasm = std::fs::read(path).map_err(|source| czisk::Error::Io {
        action: "read",
        path: path.to_path_buf(),
        source,
    })?;
    let program = czisk::compile(&wasm, &czisk::Options::default())?;
    let stdin = match input {
        Some(file) => czisk::read_input(file)?,
        None => Vec::new(),
    };
    let report = czisk::run(&program, &czisk::Input::stdin(stdin))?;
    // The guest's own streams, byte for byte.
    std::io::stdout().write_all(&report.streams.stdout).ok();
    std::io::stderr().write_all(&report.streams.stderr).ok();
    eprintln!(
        "{} ROM instructions; {} steps, cost {}",
        program.rom_size(),
        report.steps,
        report.cost.total
    );
    match report.check() {
        Ok(_) => Ok(ExitCode::SUCCESS),
        Err(failure) => {
            eprintln!("error: {failure}");
            Ok(ExitCode::from(3))
        }
    }
}
