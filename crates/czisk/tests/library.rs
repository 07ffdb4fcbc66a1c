//! The library as another program embeds it: `examples/compile_and_run.rs` on a real guest,
//! the API's errors by kind, a program's ELF and listing, and the user's `czisk` free of
//! the development tools' crates.

use std::path::{Path, PathBuf};
use std::process::Command;

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn fibonacci() -> PathBuf {
    let guest = repo().join("guests/out/wasm/fibonacci.wasm");
    assert!(
        guest.exists(),
        "{} (scripts/build-guests.sh builds it)",
        guest.display()
    );
    guest
}

/// The example as `cargo test` builds it (beside the test binaries' directory), or built
/// here when the tests were selected by name.
fn example() -> PathBuf {
    let profile_dir = std::env::current_exe()
        .unwrap()
        .parent()
        .and_then(Path::parent)
        .unwrap()
        .to_path_buf();
    let example = profile_dir.join("examples/compile_and_run");
    if !example.exists() {
        let profile = match profile_dir.file_name().and_then(|n| n.to_str()) {
            Some("debug") => "dev",
            Some(other) => other,
            None => "release",
        };
        let status = Command::new(env!("CARGO"))
            .current_dir(repo())
            .args([
                "build",
                "-p",
                "czisk",
                "--example",
                "compile_and_run",
                "--profile",
                profile,
            ])
            .status()
            .unwrap();
        assert!(status.success());
    }
    example
}

#[test]
fn the_example_compiles_and_runs_a_guest_and_prints_its_output() {
    let example = example();
    let output = Command::new(&example).arg(fibonacci()).output().unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(output.status.success(), "{stderr}");
    assert_eq!(
        String::from_utf8_lossy(&output.stdout),
        "n:1000000 2756670985995446685\n"
    );
    assert!(stderr.contains("steps, cost "), "{stderr}");

    // A trapping guest: exit code 3, the failure on stderr.
    let trap = repo().join("tests/wat/trap_unreachable.wat");
    let wasm = wat::parse_file(&trap).unwrap();
    let file = std::env::temp_dir().join(format!("czisk-example-{}.wasm", std::process::id()));
    std::fs::write(&file, wasm).unwrap();
    let output = Command::new(&example).arg(&file).output().unwrap();
    let _ = std::fs::remove_file(&file);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("error: guest exited with code"), "{stderr}");
}

#[test]
fn compile_run_write_and_list_through_the_api() {
    let wasm = std::fs::read(fibonacci()).unwrap();
    let program = czisk::compile(&wasm, &czisk::Options::default()).unwrap();
    assert!(program.rom_size() > 1000, "{}", program.rom_size());
    assert_eq!(program.path(), "zisk");
    let report = czisk::run(&program, &czisk::Input::default())
        .unwrap()
        .check()
        .unwrap();
    assert_eq!(report.status, czisk::Status::Ok);
    assert!(report.steps > 1_000_000 && report.cost.total > report.cost.main);

    // The ELF loads as ZisK loads it and runs the same; the listing names the functions.
    let elf = program.elf();
    let loaded = czisk::Program::from_elf(&elf, czisk::Limits::default()).unwrap();
    assert_eq!(loaded.rom_size(), program.rom_size());
    assert_eq!(
        czisk::run(&loaded, &czisk::Input::default()).unwrap().steps,
        report.steps
    );
    let listing = program.listing("fibonacci").unwrap();
    assert!(
        listing.lines().count() > program.rom_size(),
        "one line an instruction"
    );

    // Compiled to the ELF alone: the same bytes, the same size, not runnable.
    let options = czisk::Options {
        output: czisk::Output::ElfOnly,
        ..czisk::Options::default()
    };
    let elf_only = czisk::compile(&wasm, &options).unwrap();
    assert!(!elf_only.is_runnable());
    assert_eq!(elf_only.rom_size(), program.rom_size());
    assert!(elf_only.elf() == elf);
    assert!(matches!(
        czisk::run(&elf_only, &czisk::Input::default()),
        Err(czisk::Error::NotRunnable(_))
    ));

    // A step limit is a failed run with its report, and an error from `check`.
    let options = czisk::Options {
        limits: czisk::Limits { max_steps: 1000 },
        ..czisk::Options::default()
    };
    let limited = czisk::compile(&wasm, &options).unwrap();
    let report = czisk::run(&limited, &czisk::Input::default()).unwrap();
    assert!(matches!(
        report.failure(),
        Some(czisk::Failure::StepLimit { .. })
    ));
    assert!(matches!(
        report.check(),
        Err(czisk::Error::GuestFailed { .. })
    ));
}

#[test]
fn errors_say_what_kind_of_problem_it_is() {
    use czisk::{compile, Backend, Error, Options};
    assert!(matches!(
        compile(b"\0asm\x01", &Options::default()),
        Err(Error::BadWasm(_))
    ));
    // SIMD is out of scope.
    let simd = wat::parse_str("(module (func (result v128) (v128.const i64x2 0 0)))").unwrap();
    assert!(matches!(
        compile(&simd, &Options::default()),
        Err(Error::Unsupported {
            backend: "zisk",
            ..
        })
    ));
    // The RISC-V path has no precompiles.
    let keccak = wat::parse_str(
        r#"(module (import "zisk" "keccakf" (func (param i32))) (memory 1)
             (func (export "_start") (call 0 (i32.const 0))))"#,
    )
    .unwrap();
    assert!(matches!(
        compile(&keccak, &Options::for_backend(Backend::Riscv)),
        Err(Error::Unsupported {
            backend: "riscv",
            ..
        })
    ));
    // A memory ZisK's RAM cannot hold.
    let huge = wat::parse_str("(module (memory 60000))").unwrap();
    assert!(matches!(
        compile(&huge, &Options::default()),
        Err(Error::LimitExceeded(_))
    ));
    // An unknown optimization names the known ones.
    let mut options = Options::default();
    match options.disable_optimizations("low32,no-such-pass") {
        Err(Error::UnknownOptimization { name, known }) => {
            assert_eq!(name, "no-such-pass");
            assert!(known.contains(&"loop-invariants") && known.contains(&"all"));
        }
        other => panic!("{other:?}"),
    }
    // WASI needs czisk's runtime.
    let program = compile(
        &wat::parse_str(r#"(module (func (export "_start")))"#).unwrap(),
        &Options::for_backend(Backend::Wasm2zisk),
    )
    .unwrap();
    let input = czisk::Input {
        env: vec![("K".into(), "V".into())],
        ..czisk::Input::default()
    };
    assert!(matches!(czisk::run(&program, &input), Err(Error::Input(_))));
    let missing = czisk::compile_file(Path::new("/nonexistent/guest.wasm"), &Options::default());
    assert!(matches!(missing, Err(Error::Io { .. })));
}

/// The user's `czisk` (the library and its command) links none of the development tools'
/// crates; `czisk-dev`, which does, shows the check sees them.
#[test]
fn the_user_binary_links_no_development_tool_crates() {
    let packages = |package: &str| -> Vec<String> {
        let output = Command::new(env!("CARGO"))
            .current_dir(repo())
            .args([
                "tree",
                "--offline",
                "-e",
                "normal",
                "--prefix",
                "none",
                "--format",
                "{p}",
                "-p",
            ])
            .arg(package)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        String::from_utf8_lossy(&output.stdout)
            .lines()
            .filter_map(|l| l.split_whitespace().next())
            .map(str::to_string)
            .collect()
    };
    // (`arbitrary` is not among them: Cranelift's own cranelift-control depends on it.)
    let dev_tools = ["wasm-smith", "wasmi", "wast"];
    let user = packages("czisk");
    assert!(user.iter().any(|p| p == "czisk-backend-zisk"), "{user:?}");
    for crate_name in dev_tools {
        assert!(
            !user.iter().any(|p| p == crate_name),
            "czisk depends on {crate_name}"
        );
    }
    let dev = packages("czisk-dev");
    for crate_name in dev_tools {
        assert!(
            dev.iter().any(|p| p == crate_name),
            "czisk-dev lacks {crate_name}"
        );
    }
}
