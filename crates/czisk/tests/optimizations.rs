//! Every optimization switch (`--no-opt NAME`, `Options::disable_optimizations`) changes
//! the compiled ROM of some module it applies to, and never what a program does: the .wat
//! corpus (tests/wat, self-checking: each module ends normally or with the trap it names)
//! keeps its outcomes with each optimization off alone and with all of them off, on the
//! direct backend and on the riscv path; a guest that prints keeps its output.

use std::path::{Path, PathBuf};
use std::process::Command;

use czisk::{Backend, Failure, Options, OPTIMIZATIONS};
use czisk_frontend::WasmTrap;

struct Module {
    name: String,
    wasm: Vec<u8>,
    /// The trap it must end with (None: it must end normally).
    trap: Option<WasmTrap>,
}

fn corpus() -> Vec<Module> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/wat");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "wat"))
        .collect();
    files.sort();
    assert!(files.len() >= 15, "the corpus is in {}", dir.display());
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).unwrap();
            let spec = text
                .lines()
                .next()
                .and_then(|l| l.strip_prefix(";; expect: "))
                .unwrap_or_else(|| panic!("{}: no expect line", path.display()));
            let trap = spec.strip_prefix("trap ").map(|message| {
                WasmTrap::ALL
                    .into_iter()
                    .find(|t| t.message() == message)
                    .unwrap_or_else(|| panic!("unknown trap {message}"))
            });
            Module {
                name: path.file_name().unwrap().to_string_lossy().into_owned(),
                wasm: wat::parse_str(&text).unwrap(),
                trap,
            }
        })
        .collect()
}

fn options(backend: Backend, off: &str) -> Options {
    let mut options = Options::for_backend(backend);
    options.threads = 1;
    options.limits.max_steps = 50_000_000;
    options.disable_optimizations(off).unwrap();
    options
}

/// Compiles and runs `module`; its ELF, or why it did not end as it must.
fn compile_and_check(module: &Module, options: &Options) -> Result<Vec<u8>, String> {
    let program = czisk::compile(&module.wasm, options).map_err(|e| e.to_string())?;
    let report = czisk::run(&program, &czisk::Input::default()).map_err(|e| e.to_string())?;
    let ended_as_expected = match (module.trap, report.failure()) {
        (None, None) => true,
        (Some(trap), Some(Failure::ExitCode { code, .. })) => {
            let kind = WasmTrap::ALL.iter().position(|t| *t == trap).unwrap() as i64;
            *code == czisk_runtime::TRAP_EXIT_BASE as i64 + kind
        }
        _ => false,
    };
    if !ended_as_expected {
        return Err(format!("ended with {:?}", report.failure()));
    }
    Ok(program.elf())
}

/// For `backend`: every switch that applies to it, one at a time, then all at once.
fn each_switch_changes_code_not_behaviour(backend: Backend) {
    let modules = corpus();
    let reference: Vec<Vec<u8>> = modules
        .iter()
        .map(|m| {
            compile_and_check(m, &options(backend, ""))
                .unwrap_or_else(|e| panic!("{}: {e}", m.name))
        })
        .collect();
    let names = OPTIMIZATIONS
        .iter()
        .filter(|o| o.backends.contains(&backend))
        .map(|o| o.name)
        .chain(["all"]);
    let mut failures = Vec::new();
    for name in names {
        let mut changed = Vec::new();
        for (module, reference) in modules.iter().zip(&reference) {
            match compile_and_check(module, &options(backend, name)) {
                Ok(elf) if elf != *reference => changed.push(module.name.as_str()),
                Ok(_) => {}
                Err(e) => failures.push(format!("--no-opt {name}: {}: {e}", module.name)),
            }
        }
        eprintln!(
            "{backend} --no-opt {name}: {} of {} ROMs change ({})",
            changed.len(),
            modules.len(),
            changed.join(", ")
        );
        if changed.is_empty() {
            failures.push(format!(
                "--no-opt {name} changes no ROM of the corpus on {backend}"
            ));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn each_switch_changes_code_not_behaviour_zisk() {
    each_switch_changes_code_not_behaviour(Backend::Zisk);
}

#[test]
fn each_switch_changes_code_not_behaviour_riscv() {
    each_switch_changes_code_not_behaviour(Backend::Riscv);
}

/// Through the command: a real guest (fibonacci, which prints its result) keeps its stdout
/// and public output with each optimization off, and an unknown name is a usage error
/// naming the known ones (exit code 2).
#[test]
fn the_command_bisects_with_no_opt_and_refuses_unknown_names() {
    let guest = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests/out/wasm/fibonacci.wasm");
    assert!(
        guest.exists(),
        "{} (scripts/build-guests.sh builds it)",
        guest.display()
    );
    let run = |backend: &str, off: &str| {
        let mut command = Command::new(env!("CARGO_BIN_EXE_czisk"));
        command
            .args(["run", "--json", "--backend", backend])
            .arg(&guest);
        if !off.is_empty() {
            command.args(["--no-opt", off]);
        }
        let output = command.output().unwrap();
        assert!(
            output.status.success(),
            "--no-opt {off}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        report
    };
    for backend in ["zisk", "riscv"] {
        let reference = run(backend, "");
        assert!(
            reference["stdout"]
                .as_str()
                .unwrap()
                .starts_with("n:1000000 "),
            "{reference}"
        );
        let names: Vec<&str> = OPTIMIZATIONS
            .iter()
            .filter(|o| o.backends.iter().any(|b| b.name() == backend))
            .map(|o| o.name)
            .chain(["all", "loop-invariants,low32"])
            .collect();
        for name in names {
            let report = run(backend, name);
            for field in ["status", "stdout", "stderr", "output_hex"] {
                assert_eq!(
                    report[field], reference[field],
                    "{backend} --no-opt {name}: {field}"
                );
            }
        }
        // Everything off is other code (on riscv fibonacci even takes fewer steps at
        // Cranelift's opt level none).
        assert_ne!(
            run(backend, "all")["rom_instructions"],
            reference["rom_instructions"]
        );
    }
    let output = Command::new(env!("CARGO_BIN_EXE_czisk"))
        .arg("run")
        .arg(&guest)
        .args(["--no-opt", "loop-invariants,licm"])
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("unknown optimization 'licm'"), "{stderr}");
    for o in OPTIMIZATIONS {
        assert!(stderr.contains(o.name), "{stderr}");
    }
}
