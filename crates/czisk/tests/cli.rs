//! End-to-end tests of the `czisk` command, run as a user runs it.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn czisk(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_czisk"))
        .args(args)
        .output()
        .expect("czisk runs")
}

/// A fixture's path; a `.wat` one as the binary module it defines (the command reads text
/// only with the `wat` feature).
fn fixture(name: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures")
        .join(name);
    match name.strip_suffix(".wat") {
        Some(stem) => {
            // One file a call: tests run on several threads.
            static NEXT: std::sync::atomic::AtomicUsize = std::sync::atomic::AtomicUsize::new(0);
            let n = NEXT.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
            let wasm = temp_dir("fixtures").join(format!("{stem}-{n}.wasm"));
            std::fs::write(&wasm, wat::parse_file(&path).unwrap()).unwrap();
            wasm.display().to_string()
        }
        None => path.display().to_string(),
    }
}

fn temp_dir(test: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("czisk-test-{}-{test}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

/// `czisk run --json`, checked to succeed, parsed.
fn run_json(args: &[&str]) -> serde_json::Value {
    let mut all = vec!["run", "--json"];
    all.extend_from_slice(args);
    let output = czisk(&all);
    assert!(
        output.status.success(),
        "czisk {all:?} failed: {}",
        stderr(&output)
    );
    serde_json::from_slice(&output.stdout).expect("one JSON object")
}

const BACKENDS: [&str; 4] = ["zisk", "riscv", "riscv-ima", "wasm2zisk"];

#[test]
fn run_reports_console_output_steps_and_cost() {
    for backend in BACKENDS {
        run_reports_console_output_steps_and_cost_on(backend);
    }
}

fn run_reports_console_output_steps_and_cost_on(backend: &str) {
    let dir = temp_dir("echo");
    let input = dir.join("input.txt");
    std::fs::write(&input, "zisk\n").unwrap();
    let report = run_json(&[
        "--backend",
        backend,
        &fixture("echo.wat"),
        "--input",
        input.to_str().unwrap(),
    ]);
    assert_eq!(report["backend"], backend);
    assert_eq!(report["console"], "echo: zisk\n");
    // stdout is mirrored into the public output.
    assert_eq!(report["output_hex"], hex_of("echo: zisk\n"));
    let steps = report["steps"].as_u64().unwrap();
    assert!(steps > 0);
    let cost = &report["cost"];
    let total = cost["total"].as_u64().unwrap();
    let parts: u64 = ["main", "opcodes", "precompiles", "memory", "base"]
        .iter()
        .map(|k| cost[k].as_u64().unwrap())
        .sum();
    assert_eq!(total, parts, "the breakdown adds up to the total");
    assert_eq!(
        cost["main"].as_u64().unwrap(),
        steps * 62,
        "MAIN costs 62 per step (cost model 1)"
    );
    assert!(report["rom_instructions"].as_u64().unwrap() > 0);
}

fn hex_of(text: &str) -> String {
    text.bytes().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn text_mode_streams_the_console_and_reports_figures_on_stderr() {
    let output = czisk(&["run", &fixture("echo.wat"), "--stats"]);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(String::from_utf8_lossy(&output.stdout), "echo: ");
    let err = stderr(&output);
    assert!(err.contains("steps: "), "{err}");
    assert!(err.contains("cost: "), "{err}");
    assert!(
        err.contains("opcodes:"),
        "--stats prints the breakdown: {err}"
    );
}

/// The byte offset, in the module, of the first `i32.load` of the code section of
/// `wasm`.
fn first_i32_load_offset(wasm: &[u8]) -> usize {
    for payload in wasmparser::Parser::new(0).parse_all(wasm) {
        if let wasmparser::Payload::CodeSectionEntry(body) = payload.unwrap() {
            let mut reader = body.get_operators_reader().unwrap();
            while !reader.eof() {
                let (op, offset) = reader.read_with_offset().unwrap();
                if matches!(op, wasmparser::Operator::I32Load { .. }) {
                    return offset;
                }
            }
        }
    }
    panic!("no i32.load");
}

#[test]
fn a_trapping_guest_fails_with_step_and_pc() {
    // The trap names the trapping instruction's offset in the module: the load.
    let wasm = wat::parse_file(fixture("trap.wat")).unwrap();
    let trap_line = format!(
        "wasm trap: out of bounds memory access in function 0x00000001 at offset {:#010x}\n",
        first_i32_load_offset(&wasm)
    );
    for backend in BACKENDS {
        let output = czisk(&["run", "--backend", backend, &fixture("trap.wat")]);
        assert_eq!(
            output.status.code(),
            Some(3),
            "guest failure exit code; stderr: {}",
            stderr(&output)
        );
        let console = String::from_utf8_lossy(&output.stdout);
        let err = stderr(&output);
        if backend != "wasm2zisk" {
            // The guest's stdout is its own; our runtime names the trap, the function and
            // the wasm offset on stderr.
            assert_eq!(console, "before trap\n", "{backend}");
            assert!(
                err.starts_with(&trap_line),
                "{backend}: {trap_line} first in {err}"
            );
        } else {
            assert!(console.starts_with("before trap\n"), "{backend}: {console}");
        }
        assert!(
            err.contains("error: ") && err.contains("step") && err.contains("pc 0x"),
            "{err}"
        );
    }
}

#[test]
fn a_wasi_program_gives_the_same_console_on_every_backend() {
    let dir = temp_dir("wasi");
    let input = dir.join("input.txt");
    std::fs::write(&input, "abc").unwrap();
    let mut consoles = Vec::new();
    for backend in BACKENDS {
        let output = czisk(&[
            "run",
            "--backend",
            backend,
            &fixture("wasi.wat"),
            "--input",
            input.to_str().unwrap(),
        ]);
        // proc_exit(3): three bytes of stdin were read.
        assert_eq!(
            output.status.code(),
            Some(3),
            "{backend}: {}",
            stderr(&output)
        );
        let console = String::from_utf8_lossy(&output.stdout).into_owned();
        assert!(
            console.contains("n=0000000000000003\n"),
            "{backend}: {console}"
        );
        // Without pre-opened directories there is no fd 3 (ZisK's transpiler has no
        // path_open at all).
        let path_open = if backend == "wasm2zisk" { "34" } else { "08" };
        if backend != "wasm2zisk" {
            assert!(!console.contains("random"), "{backend}: {console}");
            assert!(
                stderr(&output).contains("random_get returns a fixed-seed deterministic stream"),
                "{backend}: {}",
                stderr(&output)
            );
        }
        assert!(
            console.contains(&format!("p=00000000000000{path_open}\n")),
            "path_open(3, ...) answers EBADF, or ENOSYS: {console}"
        );
        assert!(
            console.contains("F=0000000000000015\n"),
            "a range outside memory is EFAULT: {console}"
        );
        consoles.push(
            console
                .lines()
                .take_while(|l| !l.starts_with("wasm:"))
                .filter(|l| !l.starts_with("p="))
                // ZisK's transpiler writes its random-number warning into the guest's
                // stdout; our runtime's note goes to czisk's stderr.
                .filter(|l| !l.starts_with("WARNING: Using insecure random"))
                .collect::<Vec<_>>()
                .join("\n"),
        );
    }
    assert!(consoles.windows(2).all(|w| w[0] == w[1]), "{consoles:#?}");
}

#[test]
fn build_writes_a_ziskbin_elf_that_zisks_loader_runs_the_same() {
    for backend in BACKENDS {
        build_round_trip(backend);
    }
}

fn build_round_trip(backend: &str) {
    let dir = temp_dir(&format!("build-{backend}"));
    let elf = dir.join("echo.elf");
    let output = czisk(&[
        "build",
        "--backend",
        backend,
        &fixture("echo.wat"),
        "-o",
        elf.to_str().unwrap(),
    ]);
    assert!(output.status.success(), "{}", stderr(&output));

    // ZisK's own loader (program2rom, the path of `ziskemu -e` and cargo-zisk) takes it ...
    let bytes = std::fs::read(&elf).unwrap();
    let (rom, _) = czisk_zisk::load_program(&bytes).expect("program2rom loads the ziskbin ELF");
    let input = czisk_zisk::frame_input(b"proof\n").unwrap();
    let options = czisk_zisk::RunOptions {
        capture_console: false,
        ..Default::default()
    };
    let loaded = czisk_zisk::run_rom(&rom, &input, &options).unwrap();
    loaded.check().unwrap();

    // ... and it runs exactly as the directly compiled ROM does.
    let input_file = dir.join("input.txt");
    std::fs::write(&input_file, "proof\n").unwrap();
    let direct = run_json(&[
        "--backend",
        backend,
        &fixture("echo.wat"),
        "--input",
        input_file.to_str().unwrap(),
    ]);
    assert_eq!(loaded.steps, direct["steps"].as_u64().unwrap());
    assert_eq!(loaded.cost.total, direct["cost"]["total"].as_u64().unwrap());
    assert_eq!(hex_of_bytes(&loaded.output), direct["output_hex"]);

    // `czisk run` also runs the ELF itself.
    let rerun = run_json(&[
        elf.to_str().unwrap(),
        "--input",
        input_file.to_str().unwrap(),
    ]);
    assert_eq!(rerun["backend"], "elf");
    assert_eq!(rerun["steps"], direct["steps"]);
}

fn hex_of_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn asm_writes_the_rom_as_zisk_assembly() {
    let dir = temp_dir("asm");
    let out = dir.join("echo.zisk");
    let output = czisk(&["asm", &fixture("echo.wat"), "-o", out.to_str().unwrap()]);
    assert!(output.status.success(), "{}", stderr(&output));
    let text = std::fs::read_to_string(&out).unwrap();
    assert!(
        text.contains("; program (from ROM_ADDR)"),
        "{}",
        &text[..text.len().min(500)]
    );
    // One line per instruction, in the assembly syntax, with its address.
    let lines = text.lines().filter(|l| l.starts_with('\t')).count();
    let report = run_json(&[&fixture("echo.wat")]);
    assert_eq!(lines as u64, report["rom_instructions"].as_u64().unwrap());
    assert!(
        text.lines()
            .any(|l| l.contains("copyb(") && l.contains("; 0x9")),
        "program instructions listed"
    );
}

/// Each kind of bad input: one `error:` line, exit code 1, no panic.
fn assert_clean_error(args: &[&str], expected: &str) {
    let output = czisk(args);
    let err = stderr(&output);
    assert_eq!(output.status.code(), Some(1), "czisk {args:?}: {err}");
    assert!(err.starts_with("error: "), "czisk {args:?}: {err}");
    assert_eq!(err.trim_end().lines().count(), 1, "one line: {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains(expected),
        "czisk {args:?}: expected '{expected}' in: {err}"
    );
}

#[test]
fn bad_inputs_get_one_clear_error() {
    let dir = temp_dir("bad");
    assert_clean_error(
        &["run", dir.join("missing.wasm").to_str().unwrap()],
        "cannot read",
    );

    // Text needs the `wat` feature, and says so.
    if !cfg!(feature = "wat") {
        let text = dir.join("guest.wat");
        std::fs::write(&text, "(module)").unwrap();
        assert_clean_error(&["run", text.to_str().unwrap()], "--features wat");
    }

    let not_wasm = dir.join("notes.txt");
    std::fs::write(&not_wasm, "hello").unwrap();
    assert_clean_error(
        &["run", not_wasm.to_str().unwrap()],
        "not a WebAssembly module",
    );

    let wasm = wat::parse_file(fixture("echo.wat")).unwrap();
    let truncated = dir.join("truncated.wasm");
    std::fs::write(&truncated, &wasm[..wasm.len() / 2]).unwrap();
    assert_clean_error(
        &["run", truncated.to_str().unwrap()],
        "not a valid WebAssembly module",
    );

    assert_clean_error(
        &["run", "--backend", "wasm2zisk", &fixture("simd.wat")],
        "wasm2zisk backend cannot compile",
    );
    assert_clean_error(
        &["run", &fixture("simd.wat")],
        "SIMD support is not enabled",
    );

    let huge = dir.join("huge.bin");
    let file = std::fs::File::create(&huge).unwrap();
    file.set_len(czisk_zisk::program::MAX_GUEST_INPUT as u64 + 1)
        .unwrap(); // sparse
    assert_clean_error(
        &[
            "run",
            &fixture("echo.wat"),
            "--input",
            huge.to_str().unwrap(),
        ],
        "input region holds at most",
    );
    std::fs::remove_file(&huge).unwrap();

    assert_clean_error(
        &[
            "run",
            &fixture("echo.wat"),
            "--input",
            dir.join("none").to_str().unwrap(),
        ],
        "cannot read input",
    );
}

#[test]
fn profile_names_the_hottest_instructions_functions() {
    let output = czisk(&[
        "run",
        "--profile",
        "100",
        &fixture("echo.wat"),
        "--input",
        "/dev/null",
    ]);
    assert!(output.status.success(), "{}", stderr(&output));
    let err = stderr(&output);
    assert!(err.contains("TOP PC HISTOGRAM"), "{err}");
    // Every listed program address carries the name of its function.
    let program_lines: Vec<&str> = err
        .lines()
        .filter(|l| {
            l.split_whitespace()
                .nth(2)
                .is_some_and(|pc| pc.starts_with("0x9"))
        })
        .collect();
    assert!(!program_lines.is_empty(), "{err}");
    assert!(
        program_lines
            .iter()
            .all(|l| l.contains('[') && l.ends_with(']')),
        "{err}"
    );
}

#[test]
fn wasi_files_behave_at_their_edges_and_streams_keep_every_byte() {
    // fixtures/wasi_fs.wat checks itself: seeks past the end, short reads, pread, dot
    // segments, escapes, write requests, readdir cut-offs and cookies, closing, running out
    // of descriptors. Its stdout is 00 ff 00 0a.
    let dir = format!("{}::.", fixture("wasi-dir"));
    for backend in ["zisk", "riscv"] {
        let report = run_json(&["--backend", backend, &fixture("wasi_fs.wat"), "--dir", &dir]);
        assert_eq!(report["status"], "ok", "{backend}: {report}");
        assert_eq!(report["stdout_base64"], "AP8ACg==", "{backend}: {report}");
        assert_eq!(report["stderr"], "", "{backend}");
        assert!(report.get("stderr_base64").is_none());
    }
    // Bad input is refused before the run.
    let missing = czisk(&[
        "run",
        &fixture("wasi_fs.wat"),
        "--dir",
        "/nonexistent-czisk-dir",
    ]);
    assert_eq!(missing.status.code(), Some(1));
    assert!(
        stderr(&missing).contains("cannot open '/nonexistent-czisk-dir'"),
        "{}",
        stderr(&missing)
    );
    let not_dir = czisk(&[
        "run",
        &fixture("wasi_fs.wat"),
        "--dir",
        &fixture("echo.wat"),
    ]);
    assert!(
        stderr(&not_dir).contains("is not a directory"),
        "{}",
        stderr(&not_dir)
    );
    // More files than the input region holds (a sparse file): refused before it is read.
    let big = temp_dir("wasi-big");
    std::fs::File::create(big.join("huge.bin"))
        .unwrap()
        .set_len(2_200_000_000)
        .unwrap();
    let too_big = czisk(&[
        "run",
        &fixture("wasi_fs.wat"),
        "--dir",
        big.to_str().unwrap(),
    ]);
    assert_eq!(too_big.status.code(), Some(1));
    assert!(
        stderr(&too_big).contains("more than the ZisK input region holds"),
        "{}",
        stderr(&too_big)
    );
    let _ = std::fs::remove_dir_all(&big);
    let bad_env = czisk(&["run", &fixture("wasi_fs.wat"), "--env", "NOEQUALS"]);
    assert!(
        stderr(&bad_env).contains("expected KEY=VALUE"),
        "{}",
        stderr(&bad_env)
    );
    let wasm2zisk = czisk(&[
        "run",
        "--backend",
        "wasm2zisk",
        &fixture("echo.wat"),
        "--",
        "x",
    ]);
    assert_eq!(wasm2zisk.status.code(), Some(1));
    assert!(stderr(&wasm2zisk).contains("wasm2zisk backend reads only stdin"));
}
