//! Compiles the float routines (`crates/softfloat`) to WebAssembly with the same rustc that
//! builds this crate; `softfloat.rs` translates the module with czisk's own frontend. The
//! wide-arithmetic feature makes a 64x64-bit product one `i64.mul_wide_u` (without it,
//! LLVM calls `__multi3` through memory).

use std::path::PathBuf;
use std::process::Command;

const TARGET: &str = "wasm32-wasip1";

fn main() {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").unwrap());
    let source = manifest.join("../softfloat/src/lib.rs");
    println!("cargo:rerun-if-changed={}", source.display());
    println!("cargo:rerun-if-changed=build.rs");
    let out = PathBuf::from(std::env::var_os("OUT_DIR").unwrap()).join("softfloat.wasm");
    let rustc = std::env::var_os("RUSTC").unwrap_or_else(|| "rustc".into());
    let result = Command::new(&rustc)
        .arg(&source)
        .args(["--crate-name", "czisk_softfloat", "--crate-type", "cdylib"])
        .args(["--edition", "2021", "--target", TARGET])
        .args([
            "-C",
            "opt-level=3",
            "-C",
            "panic=abort",
            "-C",
            "debuginfo=0",
        ])
        .args(["-C", "target-feature=+wide-arithmetic"])
        .args(["-A", "warnings"])
        .arg("-o")
        .arg(&out)
        .env_remove("CARGO_ENCODED_RUSTFLAGS")
        .output()
        .expect("running rustc for the float routines");
    if !result.status.success() {
        let stderr = String::from_utf8_lossy(&result.stderr);
        let hint = if stderr.contains("target may not be installed")
            || stderr.contains("can't find crate for `core`")
        {
            format!("\nthe {TARGET} target is missing: run `rustup target add {TARGET}` (scripts/setup.sh does)")
        } else {
            String::new()
        };
        panic!("compiling crates/softfloat to {TARGET} failed:\n{stderr}{hint}");
    }
}
