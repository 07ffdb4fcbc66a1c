//! The `zisk` import namespace: ZisK's precompiles for wasm guests (documented in
//! `docs/zisk-namespace.md`). Each import checks its pointers like any memory access
//! (out of bounds traps) and the alignment its instruction needs (misaligned traps),
//! then calls the intrinsic the direct backend lowers to the precompile instruction.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::{I32, I64};
use cranelift_codegen::ir::{self, InstBuilder, MemFlagsData, Type, UserExternalName, Value};
use czisk_frontend::{self as f, WasmTrap, NS_INTRINSIC};

use crate::emit::{build, Emitter};
use crate::{zisk_map, RuntimeEnv, RuntimeError, PUBLIC_OUTPUT_BYTES};

/// Each precompile import: its name, the bytes each pointer parameter covers, and the
/// intrinsic. The intrinsic takes the checked absolute addresses themselves, except for
/// those in [`PARAMETER_BLOCK_IMPORTS`].
const IMPORTS: &[(&str, &[u64], u32)] = &[
    ("keccakf", &[200], f::INTRINSIC_KECCAKF),
    ("sha256f", &[32, 64], f::INTRINSIC_SHA256F),
    ("secp256k1_add", &[64, 64], f::INTRINSIC_SECP256K1_ADD),
    ("secp256k1_dbl", &[64], f::INTRINSIC_SECP256K1_DBL),
    ("secp256r1_add", &[64, 64], f::INTRINSIC_SECP256R1_ADD),
    ("secp256r1_dbl", &[64], f::INTRINSIC_SECP256R1_DBL),
    ("bn254_curve_add", &[64, 64], f::INTRINSIC_BN254_CURVE_ADD),
    ("bn254_curve_dbl", &[64], f::INTRINSIC_BN254_CURVE_DBL),
    (
        "bn254_complex_add",
        &[64, 64],
        f::INTRINSIC_BN254_COMPLEX_ADD,
    ),
    (
        "bn254_complex_sub",
        &[64, 64],
        f::INTRINSIC_BN254_COMPLEX_SUB,
    ),
    (
        "bn254_complex_mul",
        &[64, 64],
        f::INTRINSIC_BN254_COMPLEX_MUL,
    ),
    (
        "bls12_381_curve_add",
        &[96, 96],
        f::INTRINSIC_BLS12_381_CURVE_ADD,
    ),
    (
        "bls12_381_curve_dbl",
        &[96],
        f::INTRINSIC_BLS12_381_CURVE_DBL,
    ),
    (
        "bls12_381_complex_add",
        &[96, 96],
        f::INTRINSIC_BLS12_381_COMPLEX_ADD,
    ),
    (
        "bls12_381_complex_sub",
        &[96, 96],
        f::INTRINSIC_BLS12_381_COMPLEX_SUB,
    ),
    (
        "bls12_381_complex_mul",
        &[96, 96],
        f::INTRINSIC_BLS12_381_COMPLEX_MUL,
    ),
    ("arith256", &[32; 5], f::INTRINSIC_ARITH256),
    ("arith256_mod", &[32; 5], f::INTRINSIC_ARITH256_MOD),
    ("arith384_mod", &[48; 5], f::INTRINSIC_ARITH384_MOD),
];

/// Imports whose instruction reads its operands' addresses from a parameter block in memory;
/// the runtime writes the block (at [`PARAMETER_BLOCK`] in its state) and passes its address.
const PARAMETER_BLOCK_IMPORTS: &[&str] = &["arith256", "arith256_mod", "arith384_mod"];

/// Offset of the parameter block in the runtime's state (`RUNTIME_STATE_BYTES` holds it).
const PARAMETER_BLOCK: u64 = 64;

/// The input and public-output imports: name, parameter and result types.
const IO_IMPORTS: &[(&str, &[Type], &[Type])] = &[
    ("input_len", &[], &[I64]),
    ("read_input", &[I32, I64, I32], &[I32]),
    ("set_output", &[I32, I32], &[]),
];

/// Whether `field` is one of the precompile imports (which need the zisk backend).
pub fn is_precompile(field: &str) -> bool {
    IMPORTS.iter().any(|(f, _, _)| *f == field)
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
    let Some(&(_, sizes, intrinsic)) = IMPORTS.iter().find(|(f, _, _)| *f == field) else {
        return Err(RuntimeError::UnknownImport {
            module: "zisk".into(),
            field: field.into(),
            known: IMPORTS
                .iter()
                .map(|(f, _, _)| *f)
                .chain(IO_IMPORTS.iter().map(|(f, _, _)| *f))
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    check(&vec![I32; sizes.len()], &[])?;
    Ok(build(name, signature.clone(), env, |e| {
        let mut addresses = Vec::new();
        for (i, &size) in sizes.iter().enumerate() {
            let ptr = e.param(i);
            addresses.push(checked_aligned(e, ptr, size));
        }
        if PARAMETER_BLOCK_IMPORTS.contains(&field) {
            let block = e.env.state_addr + PARAMETER_BLOCK;
            for (i, &address) in addresses.iter().enumerate() {
                e.store_abs(address, block + 8 * i as u64);
            }
            addresses = vec![e.iconst(I64, block)];
        }
        e.call_program_function(UserExternalName::new(NS_INTRINSIC, intrinsic), &addresses);
        e.b.ins().return_(&[]);
    }))
}

/// The absolute address of `[ptr, ptr + size)`, trapping unless it lies in linear memory
/// and `ptr` is 8-byte aligned (linear memory starts 64 KiB aligned, so the address is).
fn checked_aligned(e: &mut Emitter, ptr: Value, size: u64) -> Value {
    let start = e.b.ins().uextend(I64, ptr);
    let end = e.b.ins().iadd_imm_s(start, size as i64);
    let memory_size = e.load_abs(I64, e.env.memory_size_addr);
    let outside = e.b.ins().icmp(IntCC::UnsignedGreaterThan, end, memory_size);
    e.b.ins()
        .trapnz(outside, WasmTrap::MemoryOutOfBounds.code());
    let misaligned = e.b.ins().band_imm_u(start, 7);
    e.b.ins()
        .trapnz(misaligned, WasmTrap::UnalignedPrecompileArgument.code());
    e.b.ins().iadd_imm_s(start, e.env.memory_base as i64)
}

/// The input's length in bytes (as the host wrote it, clamped to the region's size).
fn clamped_input_len(e: &mut Emitter) -> Value {
    let len = e.load_abs(I64, zisk_map::INPUT_LEN_ADDR);
    let max = e.iconst(I64, zisk_map::MAX_INPUT_DATA);
    e.b.ins().umin(len, max)
}

/// `input_len() -> i64`
fn input_len(e: &mut Emitter) {
    let len = clamped_input_len(e);
    e.b.ins().return_(&[len]);
}

/// `read_input(dst: i32, offset: i64, len: i32) -> i32`: copies input bytes
/// `[offset, offset + len)` to linear memory at `dst`, fewer if the input ends first;
/// returns how many. The destination range must lie in linear memory, or it traps.
fn read_input(e: &mut Emitter) {
    let (dst, offset, len) = (e.param(0), e.param(1), e.param(2));
    let len = e.b.ins().uextend(I64, len);
    let start = e.b.ins().uextend(I64, dst);
    let end = e.b.ins().iadd(start, len);
    let memory_size = e.load_abs(I64, e.env.memory_size_addr);
    let outside = e.b.ins().icmp(IntCC::UnsignedGreaterThan, end, memory_size);
    e.b.ins()
        .trapnz(outside, WasmTrap::MemoryOutOfBounds.code());
    let input_len = clamped_input_len(e);
    let from = e.b.ins().umin(offset, input_len);
    let available = e.b.ins().isub(input_len, from);
    let n = e.b.ins().umin(len, available);
    let to = e.b.ins().iadd_imm_s(start, e.env.memory_base as i64);
    let from = e.b.ins().iadd_imm_s(from, zisk_map::INPUT_DATA_ADDR as i64);
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
