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
    let options = czisk_backend_riscv::RiscvOptions { zba_zbb: true };
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

#[test]
fn many_locals_functions_and_deep_nesting_compile_or_fail_cleanly() {
    let locals = format!(
        "(module (func (export \"f\") (result i64) (local {}) (local.get 49999)))",
        "i64 ".repeat(50_000)
    );
    compile_without_panic(&wat::parse_str(&locals).unwrap()).unwrap();
    let functions = format!(
        "(module {})",
        "(func (result i32) (i32.const 1))".repeat(20_000)
    );
    compile_without_panic(&wat::parse_str(&functions).unwrap()).unwrap();
    let nested = format!(
        "(module (func {} {}))",
        "(block ".repeat(5_000),
        ")".repeat(5_000)
    );
    compile_without_panic(&wat::parse_str(&nested).unwrap()).unwrap();
}
