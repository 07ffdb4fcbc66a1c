//! The `zisk` import namespace: ZisK's precompiles for wasm guests (documented in
//! `docs/zisk-namespace.md`). Each import checks its pointers like any memory access
//! (out of bounds traps) and the alignment its instruction needs (misaligned traps),
//! then calls the intrinsic the direct backend lowers to the precompile instruction.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::{I32, I64};
use cranelift_codegen::ir::{self, InstBuilder, Type, UserExternalName, Value};
use czisk_frontend::{WasmTrap, INTRINSIC_KECCAKF, INTRINSIC_SHA256F, NS_INTRINSIC};

use crate::emit::{build, Emitter};
use crate::{RuntimeEnv, RuntimeError};

/// Each import: its name, the bytes each pointer parameter covers, and the intrinsic.
const IMPORTS: &[(&str, &[u64], u32)] = &[
    ("keccakf", &[200], INTRINSIC_KECCAKF),
    ("sha256f", &[32, 64], INTRINSIC_SHA256F),
];

pub fn zisk_function(
    field: &str,
    signature: &ir::Signature,
    name: UserExternalName,
    env: &RuntimeEnv,
) -> Result<ir::Function, RuntimeError> {
    let Some(&(_, sizes, intrinsic)) = IMPORTS.iter().find(|(f, _, _)| *f == field) else {
        return Err(RuntimeError::UnknownImport {
            module: "zisk".into(),
            field: field.into(),
            known: IMPORTS
                .iter()
                .map(|(f, _, _)| *f)
                .collect::<Vec<_>>()
                .join(", "),
        });
    };
    let params: Vec<Type> = signature.params.iter().map(|p| p.value_type).collect();
    let results: Vec<Type> = signature.returns.iter().map(|p| p.value_type).collect();
    if params != vec![I32; sizes.len()] || !results.is_empty() {
        return Err(RuntimeError::Signature {
            module: "zisk".into(),
            field: field.into(),
            found: format!("{params:?} -> {results:?}"),
            expected: format!("{:?} -> []", vec![I32; sizes.len()]),
        });
    }
    Ok(build(name, signature.clone(), env, |e| {
        let mut addresses = Vec::new();
        for (i, &size) in sizes.iter().enumerate() {
            let ptr = e.param(i);
            addresses.push(checked_aligned(e, ptr, size));
        }
        let mut sig = ir::Signature::new(env.call_conv);
        sig.params
            .extend(addresses.iter().map(|_| ir::AbiParam::new(I64)));
        let sig = e.b.import_signature(sig);
        let callee =
            e.b.func
                .declare_imported_user_function(UserExternalName::new(NS_INTRINSIC, intrinsic));
        let f = e.b.import_function(ir::ExtFuncData {
            name: ir::ExternalName::User(callee),
            signature: sig,
            colocated: true,
            patchable: false,
        });
        e.b.ins().call(f, &addresses);
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
