//! The `zisk` import namespace: ZisK's precompiles for wasm guests (documented in
//! `docs/zisk-namespace.md`). Each import checks its pointers like any memory access
//! (out of bounds traps) and the alignment its instruction needs (misaligned traps),
//! then calls the intrinsic the direct backend lowers to the precompile instruction.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::{I32, I64};
use cranelift_codegen::ir::{self, InstBuilder, MemFlagsData, Type, UserExternalName, Value};
use czisk_frontend::precompiles::{precompile, PRECOMPILES};
use czisk_frontend::WasmTrap;

use crate::emit::{build, Emitter};
use crate::{zisk_map, RuntimeEnv, RuntimeError, PUBLIC_OUTPUT_BYTES};

/// The input and public-output imports: name, parameter and result types.
const IO_IMPORTS: &[(&str, &[Type], &[Type])] = &[
    ("input_len", &[], &[I64]),
    ("read_input", &[I32, I64, I32], &[I32]),
    ("set_output", &[I32, I32], &[]),
];

/// Whether `field` is one of the precompile imports (which need the zisk backend).
pub fn is_precompile(field: &str) -> bool {
    precompile(field).is_some()
}

pub fn zisk_function(
    field: &str,
    signature: &ir::Signature,
    name: UserExternalName,
    env: &RuntimeEnv,
) -> Result<ir::Function, RuntimeError> {
    let params: Vec<Type> = signature.params.iter().map(|p| p.value_type).collect();
    let results: Vec<Type> = signature.returns.iter().map(|p| p.value_type).collect();
    let check = |expected_params: &[Type], expected_results: &[Type]| {
        if params != expected_params || results != expected_results {
            return Err(RuntimeError::Signature {
                module: "zisk".into(),
                field: field.into(),
                found: format!("{params:?} -> {results:?}"),
                expected: format!("{expected_params:?} -> {expected_results:?}"),
            });
        }
        Ok(())
    };
    if let Some(&(_, p, r)) = IO_IMPORTS.iter().find(|(f, _, _)| *f == field) {
        check(p, r)?;
        return Ok(build(name, signature.clone(), env, |e| match field {
            "input_len" => input_len(e),
            "read_input" => read_input(e),
            _ => set_output(e),
        }));
    }
    let Some(p) = precompile(field) else {
        return Err(RuntimeError::UnknownImport {
            module: "zisk".into(),
            field: field.into(),
            known: PRECOMPILES
                .iter()
                .map(|p| p.name)
                .chain(IO_IMPORTS.iter().map(|(f, _, _)| *f))
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    check(&p.param_types(), &p.result_types())?;
    // The sequence a direct call is translated to (czisk-frontend's `precompiles`), as a
    // function for calls through a table.
    Ok(build(name, signature.clone(), env, |e| {
        let params: Vec<Value> = (0..p.params.len()).map(|i| e.param(i)).collect();
        let result = p.emit(e, &params);
        e.b.ins().return_(result.as_slice());
    }))
}

/// `input_len() -> i64`: the length of stdin (the whole input, or stdin of a WASI image).
fn input_len(e: &mut Emitter) {
    let (_, len) = crate::wasi::stdin_region(e);
    e.b.ins().return_(&[len]);
}

/// `read_input(dst: i32, offset: i64, len: i32) -> i32`: copies input bytes
/// `[offset, offset + len)` to linear memory at `dst`, fewer if the input ends first;
/// returns how many. The destination range must lie in linear memory, or it traps.
fn read_input(e: &mut Emitter) {
    let (dst, offset, len) = (e.param(0), e.param(1), e.param(2));
    let len = e.b.ins().uextend(I64, len);
    let to = e.checked_guest_range(dst, len);
    let (data, input_len) = crate::wasi::stdin_region(e);
    let from = e.b.ins().umin(offset, input_len);
    let available = e.b.ins().isub(input_len, from);
    let n = e.b.ins().umin(len, available);
    let from = e.b.ins().iadd(data, from);
    crate::call_memmove(e, to, from, n);
    let n = e.b.ins().ireduce(I32, n);
    e.b.ins().return_(&[n]);
}

/// `set_output(index: i32, value: i32)`: word `index` (little-endian, at byte 4 * index) of
/// the public output; the output holds `PUBLIC_OUTPUT_BYTES / 4` words.
fn set_output(e: &mut Emitter) {
    let (index, value) = (e.param(0), e.param(1));
    let index = e.b.ins().uextend(I64, index);
    let beyond = e.b.ins().icmp_imm_u(
        IntCC::UnsignedGreaterThanOrEqual,
        index,
        (PUBLIC_OUTPUT_BYTES / 4) as i64,
    );
    e.b.ins().trapnz(beyond, WasmTrap::PublicOutputIndex.code());
    let offset = e.b.ins().ishl_imm_u(index, 2);
    let at = e.b.ins().iadd_imm_s(offset, zisk_map::OUTPUT_ADDR as i64);
    e.b.ins().store(MemFlagsData::trusted(), value, at, 0);
    e.b.ins().return_(&[]);
}
