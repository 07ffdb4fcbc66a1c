//! Stock WASI programs from three toolchains (guests/wasi, built by
//! scripts/build-guests.sh): Rust std, C with wasi-libc (Zig's clang), Go (GOOS=wasip1).
//! Each reads files from a pre-opened directory, its arguments, environment and stdin,
//! and writes non-ASCII text to both streams; `czisk run` must hand both streams back
//! byte for byte, apart, on the zisk and riscv backends.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const BACKENDS: [&str; 2] = ["zisk", "riscv"];

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn program(name: &str) -> String {
    let path = repo().join("guests/out/wasm").join(format!("{name}.wasm"));
    assert!(
        path.exists(),
        "{} is missing: run scripts/build-guests.sh (scripts/setup.sh installs the toolchains)",
        path.display()
    );
    path.display().to_string()
}

fn fixture_dir() -> String {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/wasi-dir")
        .display()
        .to_string()
}

/// Written once per process: the tests run in parallel, and rewriting the file (truncate,
/// then write) while another test's czisk reads it gave that one an empty stdin.
fn stdin_file() -> String {
    static FILE: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    FILE.get_or_init(|| {
        let path = std::env::temp_dir().join(format!("czisk-wasi-stdin-{}", std::process::id()));
        std::fs::write(&path, "from stdin").unwrap();
        path.display().to_string()
    })
    .clone()
}

/// `czisk run` of `wasm` with the fixture directory pre-opened as `guest_dir`, GREETING=hi,
/// the arguments "one two" and stdin "from stdin".
fn run(wasm: &str, backend: &str, guest_dir: &str, json: bool) -> Output {
    let dir = format!("{}::{guest_dir}", fixture_dir());
    let stdin = stdin_file();
    let mut args = vec!["run", "--backend", backend, wasm, "--dir", &dir];
    args.extend(["--env", "GREETING=hi", "--input", &stdin]);
    if json {
        args.push("--json");
    }
    args.extend(["--", "one", "two"]);
    let output = Command::new(env!("CARGO_BIN_EXE_czisk"))
        .args(&args)
        .output()
        .expect("czisk runs");
    assert!(
        output.status.success(),
        "czisk {args:?}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// Both output modes, both backends: stdout exactly `expected`, stderr starting with the
/// program's own line, czisk's note after it.
fn check(name: &str, guest_dir: &str, expected: &dyn Fn(&str) -> Vec<u8>, note: bool) {
    let wasm = program(name);
    let expected = expected(&wasm);
    let own_stderr = "stderr: ünïcödé ✓\n";
    for backend in BACKENDS {
        let text = run(&wasm, backend, guest_dir, false);
        assert_eq!(
            String::from_utf8_lossy(&text.stdout),
            String::from_utf8_lossy(&expected),
            "{name} on {backend}"
        );
        assert_eq!(text.stdout, expected, "{name} on {backend}: the bytes");
        let err = String::from_utf8_lossy(&text.stderr);
        assert!(err.starts_with(own_stderr), "{name} on {backend}: {err}");
        assert_eq!(
            err.contains("random_get returns a fixed-seed"),
            note,
            "{name} on {backend}: {err}"
        );

        let json = run(&wasm, backend, guest_dir, true);
        let report: serde_json::Value = serde_json::from_slice(&json.stdout).unwrap();
        assert_eq!(report["stderr"], own_stderr, "{name} on {backend}");
        match std::str::from_utf8(&expected) {
            Ok(text) => {
                assert_eq!(report["stdout"], text, "{name} on {backend}");
                assert!(report.get("stdout_base64").is_none());
            }
            Err(_) => {
                use base64::Engine;
                let b64 = report["stdout_base64"]
                    .as_str()
                    .expect("base64 of non-UTF-8");
                let bytes = base64::engine::general_purpose::STANDARD
                    .decode(b64)
                    .unwrap();
                assert_eq!(bytes, expected, "{name} on {backend}: JSON loses nothing");
            }
        }
        assert_eq!(
            report["messages"].as_str().unwrap().contains("random_get"),
            note
        );
    }
}

#[test]
fn rust_std_reads_files_arguments_environment_and_stdin() {
    let expected = |wasm: &str| {
        let mut out = format!(
            "args=[\"{wasm}\", \"one\", \"two\"]\n\
             GREETING=Some(\"hi\")\n\
             hello.txt=hello, world\n\
             size=13\n\
             nested=\"deep\\n\"\n\
             dir=[\"hello.txt\", \"sub\"]\n\
             missing=NotFound\n\
             create=ReadOnlyFilesystem\n\
             escape errno=Some(76)\n\
             from7=\"world\\n\"\n\
             eof=0\n\
             stdin=\"from stdin\"\n\
             hashmap=1\n\
             stdout: été ✓\n"
        )
        .into_bytes();
        // A byte that is not UTF-8, and an escape byte of the console protocol.
        out.extend([0xff, 0x00, b'\n']);
        out
    };
    check("wasi_files_rust", ".", &expected, true);
}

#[test]
fn c_with_wasi_libc_uses_fopen_stat_opendir_and_getenv() {
    let expected = |wasm: &str| {
        format!(
            "argc=3 [{wasm}] [one] [two]\n\
             GREETING=hi\n\
             hello.txt=hello, world\n\
             size=13 regular=1\n\
             nested=deep\n\
             dir=hello.txt,sub\n\
             missing=No such file or directory\n\
             create=Read-only file system\n\
             tell=7\n\
             from7=world\n\
             eof=0\n\
             stdin=from stdin\n\
             stdout: été ✓\n"
        )
        .into_bytes()
    };
    check("wasi_files_c", ".", &expected, false);
}

#[test]
fn go_reads_files_with_os_readfile() {
    // Go resolves a relative path against its working directory "/" and looks for a
    // pre-opened directory prefixing it, so Go programs pre-open "/" (as under wasmtime).
    let expected = |wasm: &str| {
        format!(
            "args=[\"{wasm}\" \"one\" \"two\"]\n\
             GREETING=\"hi\"\n\
             hello.txt=hello, world\n\
             size=13\n\
             nested=\"deep\\n\"\n\
             dir=hello.txt,sub\n\
             missing=true\n\
             create refused=true\n\
             stdin=\"from stdin\"\n\
             stdout: été ✓\n"
        )
        .into_bytes()
    };
    check("wasi_files_go", "/", &expected, true);
}

#[test]
fn assemblyscript_through_the_wasi_shim_gets_arguments_environment_and_both_streams() {
    // The shim reads no files; the fixture directory is pre-opened all the same.
    let wasm = program("wasi_streams_as");
    for backend in BACKENDS {
        let output = run(&wasm, backend, ".", false);
        assert_eq!(
            String::from_utf8_lossy(&output.stdout),
            format!(
                "argc=3\narg={wasm}\narg=one\narg=two\nGREETING=hi\nsum=333833500\nstdout: été ✓\n"
            ),
            "{backend}"
        );
        let err = String::from_utf8_lossy(&output.stderr);
        assert!(err.starts_with("stderr: ünïcödé ✓\n"), "{backend}: {err}");
    }
}
