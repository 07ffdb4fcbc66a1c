//! scripts/build-guests.sh's decisions, with `rustup` and `cargo` stubbed: a native variant
//! is skipped (a SKIPPED line) only when its toolchain is absent; when the toolchain is there
//! and the build fails, the script fails, so a broken native build cannot pass CI as a skip.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// A copy of the script in `dir/scripts` with an empty `dir/guests` (and its `patched`
/// workspace), and stubs in `dir/bin`: `rustup` reports a nightly toolchain with the native
/// target and rust-src when `nightly`; `cargo` succeeds, except a nightly build when
/// `nightly_fails`.
fn stubbed_run(name: &str, nightly: bool, nightly_fails: bool) -> (Output, String) {
    let dir =
        std::env::temp_dir().join(format!("czisk-build-guests-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    for sub in ["scripts", "guests/patched", "bin"] {
        std::fs::create_dir_all(dir.join(sub)).unwrap();
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../scripts/build-guests.sh");
    std::fs::copy(&script, dir.join("scripts/build-guests.sh")).unwrap();
    let rustup = format!(
        r#"#!/bin/sh
case "$*" in
  "target list --installed") echo wasm32-wasip1 ;;
  "toolchain list") {} ;;
  "+nightly target list --installed") echo riscv64imac-unknown-none-elf ;;
  "+nightly component list --installed") echo "rust-src (installed)" ;;
  *) exit 1 ;;
esac
"#,
        if nightly {
            "echo nightly-x86_64-unknown-linux-gnu"
        } else {
            "true"
        }
    );
    let cargo = format!(
        "#!/bin/sh\ncase \"$1\" in +nightly) exit {} ;; esac\nexit 0\n",
        u8::from(nightly_fails)
    );
    for (stub, text) in [("rustup", rustup), ("cargo", cargo)] {
        let path = dir.join("bin").join(stub);
        std::fs::write(&path, text).unwrap();
        Command::new("chmod").arg("+x").arg(&path).status().unwrap();
    }
    let path = format!(
        "{}:{}",
        dir.join("bin").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let output = Command::new("bash")
        .arg(dir.join("scripts/build-guests.sh"))
        .env("PATH", path)
        .output()
        .unwrap();
    let skipped: PathBuf = dir.join("guests/out/SKIPPED");
    let skipped = std::fs::read_to_string(skipped).unwrap_or_default();
    let _ = std::fs::remove_dir_all(&dir);
    (output, skipped)
}

fn stderr(output: &Output) -> String {
    String::from_utf8_lossy(&output.stderr).into_owned()
}

#[test]
fn a_failed_native_build_with_its_toolchain_present_fails_the_script() {
    let (output, skipped) = stubbed_run("fails", true, true);
    assert_eq!(output.status.code(), Some(1), "{}", stderr(&output));
    assert!(
        stderr(&output).contains("error: the native-rv64ima build failed"),
        "{}",
        stderr(&output)
    );
    assert!(!skipped.contains("native"), "SKIPPED: {skipped}");
}

#[test]
fn an_absent_nightly_toolchain_skips_the_native_variants() {
    let (output, skipped) = stubbed_run("absent", false, false);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(
        skipped,
        "native-rv64ima: no nightly toolchain\nnative-rv64ima-zba-zbb: no nightly toolchain\n",
        "{}",
        stderr(&output)
    );
}

#[test]
fn native_builds_that_succeed_skip_nothing() {
    let (output, skipped) = stubbed_run("succeeds", true, false);
    assert!(output.status.success(), "{}", stderr(&output));
    assert_eq!(skipped, "", "{}", stderr(&output));
}
