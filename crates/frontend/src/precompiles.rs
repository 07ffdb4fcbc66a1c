//! The precompile imports of the `zisk` namespace (documented in `docs/zisk-namespace.md`):
//! which exist, the memory each pointer parameter covers, and the instruction sequence that
//! runs one once its pointers are checked.
//!
//! The translator emits that sequence in place of a direct call to such an import, so its
//! bounds checks join the caller's (see `translate/bounds.rs`) and no call is made; the
//! runtime builds the same sequence into the import's function body, for calls through a
//! table.

use cranelift_codegen::ir::{self, types, InstBuilder, MemFlagsData, Value};
use cranelift_frontend::FunctionBuilder;

use crate::traps::WasmTrap;
use crate::{self as f, CALL_CONV, NS_INTRINSIC};

/// How the instruction receives its operands' addresses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operands {
    /// In registers: the intrinsic takes the checked absolute addresses themselves.
    Direct,
    /// In a block of 64-bit words in memory (ZisK's arith instructions): the sequence writes
    /// the addresses at [`PARAMETER_BLOCK`] in the runtime's state and passes the block.
    ParameterBlock,
}

/// One precompile import: `(param i32 × operand_bytes.len())`, no results.
#[derive(Debug)]
pub struct Precompile {
    pub name: &'static str,
    /// Bytes each pointer parameter covers, in parameter order.
    pub operand_bytes: &'static [u64],
    /// The `INTRINSIC_*` the backend lowers to the instruction.
    pub intrinsic: u32,
    pub operands: Operands,
}

/// Offset of the parameter block in the runtime's state (`RUNTIME_STATE_BYTES` holds its
/// five words).
pub const PARAMETER_BLOCK: u64 = 64;

const fn direct(name: &'static str, operand_bytes: &'static [u64], intrinsic: u32) -> Precompile {
    Precompile {
        name,
        operand_bytes,
        intrinsic,
        operands: Operands::Direct,
    }
}

const fn block(name: &'static str, operand_bytes: &'static [u64], intrinsic: u32) -> Precompile {
    Precompile {
        name,
        operand_bytes,
        intrinsic,
        operands: Operands::ParameterBlock,
    }
}

pub const PRECOMPILES: &[Precompile] = &[
    direct("keccakf", &[200], f::INTRINSIC_KECCAKF),
    direct("sha256f", &[32, 64], f::INTRINSIC_SHA256F),
    direct("secp256k1_add", &[64, 64], f::INTRINSIC_SECP256K1_ADD),
    direct("secp256k1_dbl", &[64], f::INTRINSIC_SECP256K1_DBL),
    direct("secp256r1_add", &[64, 64], f::INTRINSIC_SECP256R1_ADD),
    direct("secp256r1_dbl", &[64], f::INTRINSIC_SECP256R1_DBL),
    direct("bn254_curve_add", &[64, 64], f::INTRINSIC_BN254_CURVE_ADD),
    direct("bn254_curve_dbl", &[64], f::INTRINSIC_BN254_CURVE_DBL),
    direct(
        "bn254_complex_add",
        &[64, 64],
        f::INTRINSIC_BN254_COMPLEX_ADD,
    ),
    direct(
        "bn254_complex_sub",
        &[64, 64],
        f::INTRINSIC_BN254_COMPLEX_SUB,
    ),
    direct(
        "bn254_complex_mul",
        &[64, 64],
        f::INTRINSIC_BN254_COMPLEX_MUL,
    ),
    direct(
        "bls12_381_curve_add",
        &[96, 96],
        f::INTRINSIC_BLS12_381_CURVE_ADD,
    ),
    direct(
        "bls12_381_curve_dbl",
        &[96],
        f::INTRINSIC_BLS12_381_CURVE_DBL,
    ),
    direct(
        "bls12_381_complex_add",
        &[96, 96],
        f::INTRINSIC_BLS12_381_COMPLEX_ADD,
    ),
    direct(
        "bls12_381_complex_sub",
        &[96, 96],
        f::INTRINSIC_BLS12_381_COMPLEX_SUB,
    ),
    direct(
        "bls12_381_complex_mul",
        &[96, 96],
        f::INTRINSIC_BLS12_381_COMPLEX_MUL,
    ),
    block("arith256", &[32; 5], f::INTRINSIC_ARITH256),
    block("arith256_mod", &[32; 5], f::INTRINSIC_ARITH256_MOD),
    block("arith384_mod", &[48; 5], f::INTRINSIC_ARITH384_MOD),
];

/// The precompile import named `field` in the `zisk` namespace.
pub fn precompile(field: &str) -> Option<&'static Precompile> {
    PRECOMPILES.iter().find(|p| p.name == field)
}

/// The precompile an intrinsic runs, if it is one.
pub fn precompile_of_intrinsic(intrinsic: u32) -> Option<&'static Precompile> {
    PRECOMPILES.iter().find(|p| p.intrinsic == intrinsic)
}

impl Precompile {
    /// Whether a function of `signature` can be this import.
    pub fn matches(&self, signature: &ir::Signature) -> bool {
        signature.returns.is_empty()
            && signature.params.len() == self.operand_bytes.len()
            && signature.params.iter().all(|p| p.value_type == types::I32)
    }

    /// Traps with "unaligned precompile argument" unless the wasm pointer `ptr` (an i32) is
    /// 8-byte aligned; linear memory starts 64 KiB aligned, so its absolute address then is.
    pub fn trap_unless_aligned(b: &mut FunctionBuilder, ptr: Value) {
        let misaligned = b.ins().band_imm_u(ptr, 7);
        b.ins()
            .trapnz(misaligned, WasmTrap::UnalignedPrecompileArgument.code());
    }

    /// The instruction on the operands' checked absolute `addresses` (parameter block
    /// written first where it needs one); `runtime_state_addr` is the layout's.
    pub fn emit(&self, b: &mut FunctionBuilder, addresses: &[Value], runtime_state_addr: u64) {
        match self.operands {
            Operands::Direct => call_intrinsic(b, self.intrinsic, addresses),
            Operands::ParameterBlock => {
                let block_addr = runtime_state_addr + PARAMETER_BLOCK;
                let block = b.ins().iconst(types::I64, block_addr as i64);
                for (i, &address) in addresses.iter().enumerate() {
                    b.ins()
                        .store(MemFlagsData::trusted(), address, block, 8 * i as i32);
                }
                call_intrinsic(b, self.intrinsic, &[block]);
            }
        }
    }
}

/// Calls intrinsic `index` (namespace [`NS_INTRINSIC`]) with `args`; it returns nothing.
pub fn call_intrinsic(b: &mut FunctionBuilder, index: u32, args: &[Value]) {
    let mut sig = ir::Signature::new(CALL_CONV);
    for &a in args {
        sig.params.push(ir::AbiParam::new(b.func.dfg.value_type(a)));
    }
    let signature = b.import_signature(sig);
    let name = b
        .func
        .declare_imported_user_function(ir::UserExternalName::new(NS_INTRINSIC, index));
    let f = b.import_function(ir::ExtFuncData {
        name: ir::ExternalName::User(name),
        signature,
        colocated: true,
        patchable: false,
    });
    b.ins().call(f, args);
}
