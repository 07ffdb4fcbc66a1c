//! Bad input never panics the compiler: truncated modules, random bytes, mutated modules and
//! sizes beyond what ZisK can hold each give an error (or compile), on every backend we own.

use std::panic::{catch_unwind, AssertUnwindSafe};
use std::path::Path;

/// Compiles on the zisk and riscv backends; Err(message) if either panicked.
fn compile_without_panic(wasm: &[u8]) -> Result<(bool, bool), String> {
    let zisk = catch_unwind(AssertUnwindSafe(|| {
        czisk_backend_zisk::compile_wasm(wasm).is_ok()
    }))
    .map_err(|_| "the zisk backend panicked".to_string())?;
    let options = czisk_backend_riscv::RiscvOptions {
        zba_zbb: true,
        ..Default::default()
    };
    let riscv = catch_unwind(AssertUnwindSafe(|| {
        czisk_backend_riscv::compile_wasm(wasm, &options).is_ok()
    }))
    .map_err(|_| "the riscv backend panicked".to_string())?;
    Ok((zisk, riscv))
}

fn corpus_module(name: &str) -> Vec<u8> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../tests/wat")
        .join(name);
    wat::parse_file(path).unwrap()
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

#[test]
fn every_truncation_of_a_module_is_refused_cleanly() {
    let wasm = corpus_module("memory.wat");
    let features = wasmparser::WasmFeatures::WASM2.difference(wasmparser::WasmFeatures::SIMD);
    for len in 0..wasm.len() {
        let prefix = &wasm[..len];
        let compiled =
            compile_without_panic(prefix).unwrap_or_else(|e| panic!("prefix of {len} bytes: {e}"));
        // A prefix ending between sections is a valid (smaller) module; any other must be
        // refused.
        let valid = wasmparser::Validator::new_with_features(features)
            .validate_all(prefix)
            .is_ok();
        assert_eq!(
            compiled,
            (valid, valid),
            "the {len}-byte prefix (valid: {valid})"
        );
    }
    assert_eq!(compile_without_panic(&wasm).unwrap(), (true, true));
}

#[test]
fn random_bytes_and_mutated_modules_never_panic() {
    let mut state = 7;
    for i in 0..300 {
        let len = (splitmix(&mut state) % 200) as usize;
        let mut bytes = b"\0asm\x01\0\0\0".to_vec();
        bytes.extend((0..len).map(|_| splitmix(&mut state) as u8));
        compile_without_panic(&bytes).unwrap_or_else(|e| panic!("random module {i}: {e}"));
    }
    let wasm = corpus_module("control.wat");
    for i in 0..300 {
        let mut mutated = wasm.clone();
        for _ in 0..1 + splitmix(&mut state) % 3 {
            let at = (splitmix(&mut state) % mutated.len() as u64) as usize;
            mutated[at] = splitmix(&mut state) as u8;
        }
        compile_without_panic(&mutated).unwrap_or_else(|e| panic!("mutation {i}: {e}"));
    }
}

fn refused(wat: &str, expected: &str) {
    let wasm = wat::parse_str(wat).unwrap();
    let zisk = catch_unwind(AssertUnwindSafe(|| {
        czisk_backend_zisk::compile_wasm(&wasm)
            .err()
            .map(|e| e.to_string())
    }))
    .expect("no panic");
    let message = zisk.unwrap_or_else(|| panic!("compiled: {wat}"));
    assert!(
        message.contains(expected),
        "expected '{expected}' in: {message}"
    );
    let (_, riscv) = compile_without_panic(&wasm).unwrap();
    assert!(!riscv, "the riscv backend compiled: {wat}");
}

#[test]
fn sizes_beyond_zisk_give_clear_errors() {
    // 4 GiB of linear memory does not fit ZisK's RAM.
    refused("(module (memory 65536))", "memory");
    // A table larger than the RAM set aside for tables.
    refused("(module (table 100000000 funcref))", "table");
}

/// Compiles `wat` on the zisk and riscv backends and runs it: it must compile on both and
/// end normally (its `_start` reaches `unreachable` on a wrong result).
fn compiles_and_runs(what: &str, wat: &str) {
    let wasm = wat::parse_str(wat).unwrap();
    let zisk = catch_unwind(AssertUnwindSafe(|| czisk_backend_zisk::compile_wasm(&wasm)))
        .unwrap_or_else(|_| panic!("{what}: the zisk backend panicked"))
        .unwrap_or_else(|e| panic!("{what} on zisk: {e}"))
        .rom;
    let options = czisk_backend_riscv::RiscvOptions {
        zba_zbb: true,
        ..Default::default()
    };
    let riscv = catch_unwind(AssertUnwindSafe(|| {
        czisk_backend_riscv::compile_wasm(&wasm, &options)
    }))
    .unwrap_or_else(|_| panic!("{what}: the riscv backend panicked"))
    .unwrap_or_else(|e| panic!("{what} on riscv: {e}"))
    .rom;
    let run_options = czisk_zisk::RunOptions {
        max_steps: 10_000_000,
        capture_console: false,
        profile_top: 0,
        window: None,
    };
    let input = czisk_zisk::frame_input(b"").unwrap();
    for (backend, rom) in [("zisk", zisk), ("riscv", riscv)] {
        let execution = czisk_zisk::run_rom(&rom, &input, &run_options).unwrap();
        assert!(
            execution.failure.is_none(),
            "{what} on {backend}: {:?}",
            execution.failure
        );
    }
}

#[test]
fn many_locals_functions_and_deep_nesting_compile_and_run() {
    // 50,000 locals (wasmparser's limit, the parameter included): the last one set and
    // read back, one in the middle still zero.
    compiles_and_runs(
        "50,000 locals",
        &format!(
            r#"(module
  (func $f (param i64) (result i64) (local {})
    (local.set 49999 (local.get 0))
    (i64.add (local.get 49999) (local.get 25000)))
  (func (export "_start")
    (if (i64.ne (call $f (i64.const 7)) (i64.const 7)) (then unreachable))))"#,
            "i64 ".repeat(49_999)
        ),
    );
    // 20,000 functions: the first and the last called.
    compiles_and_runs(
        "20,000 functions",
        &format!(
            r#"(module {}
  (func (export "_start")
    (if (i32.ne (i32.add (call 0) (call 19999)) (i32.const 20001)) (then unreachable))))"#,
            (0..20_000)
                .map(|i| format!("(func (result i32) (i32.const {}))", i + 1))
                .collect::<String>()
        ),
    );
    // 5,000 nested blocks: a branch from the innermost leaves them all.
    compiles_and_runs(
        "5,000 nested blocks",
        &format!(
            r#"(module (func (export "_start") {} (br 4999) ) unreachable {}))"#,
            "(block ".repeat(5_000),
            ")".repeat(4_999)
        ),
    );
}
