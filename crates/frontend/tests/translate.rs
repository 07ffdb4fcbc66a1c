//! Translation produces well-formed CLIF that Cranelift's riscv64 backend compiles, and
//! out-of-scope modules are refused by name.

use cranelift_codegen::ir::Function;
use cranelift_codegen::isa::{self, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use czisk_frontend::{translate_module, CompileError, LayoutConfig, TranslatedModule};

fn riscv64() -> OwnedTargetIsa {
    let mut flags = settings::builder();
    flags.set("opt_level", "speed").unwrap();
    // Multi-value: results beyond the return registers go through a hidden return area.
    flags.set("enable_multi_ret_implicit_sret", "true").unwrap();
    let isa = isa::lookup_by_name("riscv64").unwrap();
    isa.finish(settings::Flags::new(flags)).unwrap()
}

fn all_functions(m: &TranslatedModule) -> impl Iterator<Item = &Function> {
    m.functions.iter().chain(m.entry_functions.iter())
}

/// Verifies every function and compiles it for riscv64.
fn check(wat: &str) -> TranslatedModule {
    let wasm = wat::parse_str(wat).unwrap();
    let module = translate_module(&wasm, &LayoutConfig::zisk()).unwrap_or_else(|e| panic!("{e}"));
    let isa = riscv64();
    for f in all_functions(&module) {
        cranelift_codegen::verify_function(f, isa.flags())
            .unwrap_or_else(|e| panic!("{e}\n{}", f.display()));
        let mut ctx = cranelift_codegen::Context::for_function(f.clone());
        ctx.compile(&*isa, &mut Default::default())
            .unwrap_or_else(|e| panic!("{e:?}\n{}", f.display()));
    }
    module
}

#[test]
fn integer_arithmetic_and_control_flow() {
    check(
        r#"(module
          (func $fib (export "fib") (param $n i32) (result i64)
            (local $a i64) (local $b i64)
            (local.set $a (i64.const 0)) (local.set $b (i64.const 1))
            (block $done
              (loop $next
                (br_if $done (i32.eqz (local.get $n)))
                (local.set $b (i64.add (local.get $a) (local.tee $a (local.get $b))))
                (local.set $n (i32.sub (local.get $n) (i32.const 1)))
                (br $next)))
            (local.get $a))
          (func (export "ops") (param i32 i32) (result i32)
            (i32.add
              (i32.rotl (local.get 0) (local.get 1))
              (i32.xor (i32.clz (local.get 0)) (i32.popcnt (local.get 1)))))
          (func (export "div") (param i64 i64) (result i64 i64 i64 i64)
            (i64.div_s (local.get 0) (local.get 1)) (i64.div_u (local.get 0) (local.get 1))
            (i64.rem_s (local.get 0) (local.get 1)) (i64.rem_u (local.get 0) (local.get 1)))
          (func (export "switch") (param i32) (result i32)
            (block $c (block $b (block $a
              (br_table $a $b $c (local.get 0)))
              (return (i32.const 10)))
              (return (i32.const 20)))
            (i32.const 30))
          (func (export "sel") (param i32 i64 i64) (result i64)
            (select (local.get 1) (local.get 2) (local.get 0)))
          (func (export "ext") (param i32) (result i64)
            (i64.extend8_s (i64.extend_i32_u (i32.extend16_s (local.get 0)))))
          (func (export "dead") (result i32)
            (return (i32.const 1))
            (block (result i32) (i32.const 2) (br 0)))
        )"#,
    );
}

#[test]
fn multi_value_blocks_if_else_and_calls() {
    check(
        r#"(module
          (func $swap (param i32 i32) (result i32 i32) (local.get 1) (local.get 0))
          (func (export "f") (param i32) (result i32)
            (i32.const 1) (i32.const 2)
            (call $swap)
            (if (param i32 i32) (result i32) (local.get 0)
              (then (i32.sub))
              (else (i32.add))))
          (func (export "g") (param i32) (result i32)
            (local.get 0)
            (if (param i32) (result i32) (i32.const 0) (then (i32.const 5) (i32.add))))
          (func (export "h") (param i32) (result i32 i32)
            (i32.const 3)
            (loop (param i32) (result i32 i32)
              (i32.const 1) (i32.sub)
              (local.get 0)
              (br_if 1 (i32.const 7) (i32.const 8) (i32.const 0))
              (drop)
              (br 0 (i32.const 4)))
            ))"#,
    );
}

#[test]
fn memory_globals_tables_and_references() {
    let module = check(
        r#"(module
          (memory 1 4)
          (global $sp (mut i32) (i32.const 1024))
          (global $k i64 (i64.const 7))
          (table 4 funcref)
          (type $t (func (param i32) (result i32)))
          (func $inc (type $t) (i32.add (local.get 0) (i32.const 1)))
          (func $dbl (type $t) (i32.mul (local.get 0) (i32.const 2)))
          (elem (i32.const 1) $inc $dbl)
          (data (i32.const 16) "hello")
          (func (export "mem") (param i32) (result i64)
            (i32.store offset=4 (local.get 0) (i32.const 42))
            (i64.store16 (local.get 0) (i64.const -1))
            (drop (memory.grow (i32.const 1)))
            (global.set $sp (i32.add (global.get $sp) (memory.size)))
            (memory.fill (i32.const 0) (i32.const 1) (i32.const 8))
            (memory.copy (i32.const 8) (i32.const 0) (i32.const 8))
            (i64.add (i64.load8_s offset=3 (local.get 0)) (global.get $k)))
          (func (export "indirect") (param i32 i32) (result i32)
            (call_indirect (type $t) (local.get 1) (local.get 0)))
          (func (export "refs") (param i32) (result i32)
            (table.set (local.get 0) (ref.func $dbl))
            (i32.add (ref.is_null (table.get (local.get 0))) (table.size)))
          (func (export "floats") (param f64 f32) (result i32)
            (i32.trunc_f64_s (f64.add (f64.nearest (local.get 0)) (f64.promote_f32 (local.get 1))))
            (i32.trunc_sat_f32_u (f32.min (local.get 1) (f32.const 3.5)))
            (i32.add))
        )"#,
    );
    // The active segment in linear memory (a growable memory's access limits are
    // preloaded too, below it).
    let in_memory: Vec<_> = module
        .data
        .iter()
        .filter(|d| d.addr >= module.layout.memory_base)
        .collect();
    assert_eq!(in_memory.len(), 1, "{:?}", module.data);
    assert_eq!(in_memory[0].addr, module.layout.memory_base + 16);
    assert_eq!(in_memory[0].bytes, b"hello");
    assert!(module
        .data
        .iter()
        .any(|d| d.addr == module.layout.memory_limits_addr));
    assert_eq!(module.layout.memory_max_pages, 4);
    assert_eq!(module.layout.memory_base % 0x1_0000, 0);
}

#[test]
fn the_benchmark_guests_translate() {
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests/out/wasm");
    let isa = riscv64();
    for guest in ["fibonacci", "iter_sha", "iter_keccak"] {
        let path = dir.join(format!("{guest}.wasm"));
        let wasm = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (run scripts/build-guests.sh)", path.display()));
        let module = translate_module(&wasm, &LayoutConfig::zisk())
            .unwrap_or_else(|e| panic!("{guest}: {e}"));
        assert!(module
            .imports
            .iter()
            .any(|i| i.module == "wasi_snapshot_preview1" && i.field == "fd_write"));
        for f in all_functions(&module) {
            cranelift_codegen::verify_function(f, isa.flags())
                .unwrap_or_else(|e| panic!("{guest}: {e}"));
            let mut ctx = cranelift_codegen::Context::for_function(f.clone());
            ctx.compile(&*isa, &mut Default::default())
                .unwrap_or_else(|e| panic!("{guest}: {e:?}"));
        }
    }
}

fn error_of(wat: &str) -> CompileError {
    match translate_module(&wat::parse_str(wat).unwrap(), &LayoutConfig::zisk()) {
        Ok(_) => panic!("expected an error"),
        Err(e) => e,
    }
}

#[test]
fn out_of_scope_features_are_named_with_their_function() {
    let err = error_of(r#"(module (func $vec (drop (i32x4.splat (i32.const 1)))))"#).to_string();
    assert!(
        err.contains("SIMD") && err.contains("function 0 (vec)"),
        "{err}"
    );
    let err = error_of(r#"(module (memory i64 1))"#).to_string();
    assert!(
        err.contains("unsupported feature") && err.contains("memory64"),
        "{err}"
    );
}

#[test]
fn imports_other_than_functions_are_refused_by_name() {
    let err = error_of(r#"(module (import "env" "memory" (memory 1)))"#).to_string();
    assert!(
        err.contains("env::memory") && err.contains("a memory"),
        "{err}"
    );
}

#[test]
fn invalid_and_truncated_modules_are_errors() {
    let wasm = wat::parse_str(r#"(module (func (result i32) (i32.const 1)))"#).unwrap();
    // Every prefix is either a valid (smaller) module or an error, never a panic.
    for cut in 1..wasm.len() {
        let valid = wasmparser::Validator::new()
            .validate_all(&wasm[..cut])
            .is_ok();
        assert_eq!(
            translate_module(&wasm[..cut], &LayoutConfig::zisk()).is_ok(),
            valid,
            "cut at {cut}"
        );
    }
    assert!(matches!(
        translate_module(b"\0asm\x01\0\0\0\x0a", &LayoutConfig::zisk()),
        Err(CompileError::Invalid(_))
    ));
}

#[test]
fn a_memory_larger_than_zisk_ram_is_refused() {
    let err = error_of(r#"(module (memory 20000))"#).to_string();
    assert!(err.contains("does not fit"), "{err}");
}
