//! The precompile imports of the `zisk` namespace (documented in `docs/zisk-namespace.md`):
//! which exist, what each parameter is (a pointer and the memory it covers, or a value), and
//! the instruction sequence that runs one once its pointers are checked.
//!
//! The translator emits that sequence in place of a direct call to such an import, so its
//! bounds checks join the caller's (see `translate/bounds.rs`) and no call is made; the
//! runtime builds the same sequence into the import's function body, for calls through a
//! table.

use cranelift_codegen::ir::{
    self, types, BlockCall, InstBuilder, JumpTableData, MemFlagsData, Type, Value,
};
use cranelift_frontend::FunctionBuilder;

use crate::traps::WasmTrap;
use crate::{self as f, iconst_value, CALL_CONV, NS_INTRINSIC};

/// How the instruction receives its operands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operands {
    /// In registers: the intrinsic takes the checked absolute addresses themselves (after a
    /// [`Param::Round`], as a constant).
    Direct,
    /// In a block of 64-bit words in memory (ZisK's arith and add256 instructions): the
    /// sequence writes the operands, in parameter order, at [`PARAMETER_BLOCK`] in the
    /// runtime's state and passes the block.
    ParameterBlock,
}

/// One parameter of a precompile import; each is an i32 in wasm.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    /// A pointer to this many bytes of linear memory, 8-byte aligned.
    Pointer(u64),
    /// A pointer like [`Param::Pointer`] to this many bytes of little-endian 32-bit field
    /// elements, each of which must be below the modulus (the second field): the
    /// instruction cannot take one that is not (ZisK's emulator stops the run), so the call
    /// traps with "precompile argument out of range" first.
    Elements32(u64, u32),
    /// A carry bit (`add256`'s carry-in): any non-zero value counts as 1.
    Carry,
    /// A round number below this bound (`blake2b_round`'s), which the instruction carries as
    /// an immediate; out of range, the call traps with "precompile argument out of range".
    Round(u32),
}

/// One precompile import: `(param i32 × params.len())`, with `result` if any.
#[derive(Debug)]
pub struct Precompile {
    pub name: &'static str,
    pub params: &'static [Param],
    /// The result (`add256`'s carry-out, an i32), which the intrinsic returns too.
    pub result: Option<Type>,
    /// The `INTRINSIC_*` the backend lowers to the instruction.
    pub intrinsic: u32,
    pub operands: Operands,
}

/// Where a precompile's sequence is emitted: a function being built, which checks a guest
/// pointer's range its own way.
pub trait EmitSite<'f> {
    fn builder(&mut self) -> &mut FunctionBuilder<'f>;
    /// Traps with "out of bounds memory access" unless `[ptr, ptr + bytes)` lies in linear
    /// memory (`ptr` an i32); returns the range's absolute address.
    fn checked_pointer(&mut self, ptr: Value, bytes: u64) -> Value;
    /// The layout's runtime state, where a parameter block goes.
    fn runtime_state_addr(&self) -> u64;
}

/// Offset of the parameter block in the runtime's state (`RUNTIME_STATE_BYTES` holds its
/// five words).
pub const PARAMETER_BLOCK: u64 = 64;

use Param::{Carry, Elements32, Pointer, Round};

const fn direct(name: &'static str, params: &'static [Param], intrinsic: u32) -> Precompile {
    Precompile {
        name,
        params,
        result: None,
        intrinsic,
        operands: Operands::Direct,
    }
}

const fn block(name: &'static str, params: &'static [Param], intrinsic: u32) -> Precompile {
    Precompile {
        name,
        params,
        result: None,
        intrinsic,
        operands: Operands::ParameterBlock,
    }
}

/// KoalaBear's modulus, 2^31 - 2^24 + 1.
pub const KOALABEAR_P: u32 = 0x7f00_0001;

#[rustfmt::skip]
pub const PRECOMPILES: &[Precompile] = &[
    direct("keccakf", &[Pointer(200)], f::INTRINSIC_KECCAKF),
    direct("sha256f", &[Pointer(32), Pointer(64)], f::INTRINSIC_SHA256F),
    direct("secp256k1_add", &[Pointer(64); 2], f::INTRINSIC_SECP256K1_ADD),
    direct("secp256k1_dbl", &[Pointer(64)], f::INTRINSIC_SECP256K1_DBL),
    direct("secp256r1_add", &[Pointer(64); 2], f::INTRINSIC_SECP256R1_ADD),
    direct("secp256r1_dbl", &[Pointer(64)], f::INTRINSIC_SECP256R1_DBL),
    direct("bn254_curve_add", &[Pointer(64); 2], f::INTRINSIC_BN254_CURVE_ADD),
    direct("bn254_curve_dbl", &[Pointer(64)], f::INTRINSIC_BN254_CURVE_DBL),
    direct("bn254_complex_add", &[Pointer(64); 2], f::INTRINSIC_BN254_COMPLEX_ADD),
    direct("bn254_complex_sub", &[Pointer(64); 2], f::INTRINSIC_BN254_COMPLEX_SUB),
    direct("bn254_complex_mul", &[Pointer(64); 2], f::INTRINSIC_BN254_COMPLEX_MUL),
    direct("bls12_381_curve_add", &[Pointer(96); 2], f::INTRINSIC_BLS12_381_CURVE_ADD),
    direct("bls12_381_curve_dbl", &[Pointer(96)], f::INTRINSIC_BLS12_381_CURVE_DBL),
    direct("bls12_381_complex_add", &[Pointer(96); 2], f::INTRINSIC_BLS12_381_COMPLEX_ADD),
    direct("bls12_381_complex_sub", &[Pointer(96); 2], f::INTRINSIC_BLS12_381_COMPLEX_SUB),
    direct("bls12_381_complex_mul", &[Pointer(96); 2], f::INTRINSIC_BLS12_381_COMPLEX_MUL),
    direct("ed25519_add", &[Pointer(64); 2], f::INTRINSIC_ED25519_ADD),
    direct("babyjubjub_add", &[Pointer(64); 2], f::INTRINSIC_BABYJUBJUB_ADD),
    direct("blake2b_round", &[Round(10), Pointer(128), Pointer(128)], f::INTRINSIC_BLAKE2B_ROUND),
    direct("blake2sf", &[Pointer(64); 2], f::INTRINSIC_BLAKE2SF),
    direct("blake3f", &[Pointer(64); 2], f::INTRINSIC_BLAKE3F),
    direct("poseidon2", &[Pointer(128)], f::INTRINSIC_POSEIDON2),
    direct("poseidon1", &[Pointer(128)], f::INTRINSIC_POSEIDON1),
    direct("poseidon2_koalabear", &[Elements32(64, KOALABEAR_P)], f::INTRINSIC_POSEIDON2_KOALABEAR),
    block("arith256", &[Pointer(32); 5], f::INTRINSIC_ARITH256),
    block("arith256_mod", &[Pointer(32); 5], f::INTRINSIC_ARITH256_MOD),
    block("arith384_mod", &[Pointer(48); 5], f::INTRINSIC_ARITH384_MOD),
    Precompile {
        name: "add256",
        // a, b, the carry in, c; the carry out is the result.
        params: &[Pointer(32), Pointer(32), Carry, Pointer(32)],
        result: Some(types::I32),
        intrinsic: f::INTRINSIC_ADD256,
        operands: Operands::ParameterBlock,
    },
];

/// The precompile import named `field` in the `zisk` namespace.
pub fn precompile(field: &str) -> Option<&'static Precompile> {
    PRECOMPILES.iter().find(|p| p.name == field)
}

/// The precompile a call to wasm function `function_index` is translated to in place: an
/// import from module `zisk` that names a precompile, with its signature.
pub(crate) fn inlined_precompile(
    info: &crate::module::ModuleInfo,
    function_index: u32,
) -> Option<&'static Precompile> {
    let (module, field) = info.imports.get(function_index as usize)?;
    let p = precompile(field).filter(|_| module == "zisk")?;
    p.matches(&crate::wasm_signature(info.func_type(function_index)))
        .then_some(p)
}

/// The precompile an intrinsic runs, if it is one.
pub fn precompile_of_intrinsic(intrinsic: u32) -> Option<&'static Precompile> {
    PRECOMPILES.iter().find(|p| p.intrinsic == intrinsic)
}

impl Precompile {
    /// The import's wasm parameter types (all i32).
    pub fn param_types(&self) -> Vec<Type> {
        vec![types::I32; self.params.len()]
    }

    /// The import's wasm result types.
    pub fn result_types(&self) -> Vec<Type> {
        self.result.into_iter().collect()
    }

    /// Whether a function of `signature` can be this import.
    pub fn matches(&self, signature: &ir::Signature) -> bool {
        let types =
            |params: &[ir::AbiParam]| params.iter().map(|p| p.value_type).collect::<Vec<_>>();
        types(&signature.params) == self.param_types()
            && types(&signature.returns) == self.result_types()
    }

    /// The import on its wasm arguments `values`, in `site`: each pointer checked for bounds
    /// (by the site: a function's own check, or the translator's, which joins the block's
    /// others) and then for alignment, in parameter order, then the instruction (its
    /// parameter block written first where it needs one). Returns the import's result, if
    /// it has one.
    pub fn emit<'f>(&self, site: &mut impl EmitSite<'f>, values: &[Value]) -> Option<Value> {
        let mut args = Vec::with_capacity(values.len());
        for (&value, &param) in values.iter().zip(self.params) {
            args.push(match param {
                Pointer(bytes) | Elements32(bytes, _) => {
                    let address = site.checked_pointer(value, bytes);
                    let b = site.builder();
                    let misaligned = b.ins().band_imm_u(value, 7);
                    b.ins()
                        .trapnz(misaligned, WasmTrap::UnalignedPrecompileArgument.code());
                    address
                }
                Carry | Round(_) => value,
            });
        }
        let runtime_state_addr = site.runtime_state_addr();
        self.emit_checked(site.builder(), &args, runtime_state_addr)
    }

    /// The instruction on `args`, one per parameter: the checked absolute address of a
    /// pointer, the wasm value of any other.
    fn emit_checked(
        &self,
        b: &mut FunctionBuilder,
        args: &[Value],
        runtime_state_addr: u64,
    ) -> Option<Value> {
        let mut operands = Vec::with_capacity(args.len());
        let mut round = None;
        for (&param, &arg) in self.params.iter().zip(args) {
            match param {
                Pointer(_) => operands.push(arg),
                Elements32(bytes, modulus) => {
                    for offset in (0..bytes).step_by(4) {
                        let flags = MemFlagsData::trusted();
                        let lane = b.ins().load(types::I32, flags, arg, offset as i32);
                        let out = b.ins().icmp_imm_u(
                            ir::condcodes::IntCC::UnsignedGreaterThanOrEqual,
                            lane,
                            i64::from(modulus),
                        );
                        b.ins()
                            .trapnz(out, WasmTrap::PrecompileArgumentOutOfRange.code());
                    }
                    operands.push(arg);
                }
                Carry => {
                    // min(cin, 1) as u32: 0 stays 0, anything else is 1.
                    let one = b.ins().iconst(types::I32, 1);
                    let bit = b.ins().umin(arg, one);
                    operands.push(b.ins().uextend(types::I64, bit));
                }
                Round(bound) => round = Some((arg, bound)),
            }
        }
        let returns = self.result_types();
        match self.operands {
            Operands::Direct => match round {
                None => call_intrinsic(b, self.intrinsic, &operands, &returns),
                Some((index, bound)) => {
                    round_dispatch(b, self.intrinsic, index, bound, &operands);
                    None
                }
            },
            Operands::ParameterBlock => {
                let block_addr = runtime_state_addr + PARAMETER_BLOCK;
                let block = b.ins().iconst(types::I64, block_addr as i64);
                for (i, &operand) in operands.iter().enumerate() {
                    b.ins()
                        .store(MemFlagsData::trusted(), operand, block, 8 * i as i32);
                }
                call_intrinsic(b, self.intrinsic, &[block], &returns)
            }
        }
    }
}

/// Intrinsic `intrinsic(round, operands...)` with the round as a constant, the instruction's
/// immediate: directly for a constant `index` below `bound`, else through a branch table with
/// one call per round (a trap beyond them).
fn round_dispatch(
    b: &mut FunctionBuilder,
    intrinsic: u32,
    index: Value,
    bound: u32,
    operands: &[Value],
) {
    let call = |b: &mut FunctionBuilder, round: u32| {
        let round = b.ins().iconst(types::I64, round as i64);
        let args: Vec<Value> = std::iter::once(round)
            .chain(operands.iter().copied())
            .collect();
        call_intrinsic(b, intrinsic, &args, &[]);
    };
    if let Some(k) = iconst_value(&b.func.dfg, index).filter(|&k| (0..bound as i64).contains(&k)) {
        call(b, k as u32);
        return;
    }
    let out_of_range = b.create_block();
    let done = b.create_block();
    let arms: Vec<ir::Block> = (0..bound).map(|_| b.create_block()).collect();
    let pool = &mut b.func.dfg.value_lists;
    let default = BlockCall::new(out_of_range, [], pool);
    let calls: Vec<BlockCall> = arms.iter().map(|&a| BlockCall::new(a, [], pool)).collect();
    let table = b.create_jump_table(JumpTableData::new(default, &calls));
    b.ins().br_table(index, table);
    b.set_cold_block(out_of_range);
    b.switch_to_block(out_of_range);
    b.seal_block(out_of_range);
    b.ins().trap(WasmTrap::PrecompileArgumentOutOfRange.code());
    for (round, &arm) in arms.iter().enumerate() {
        b.switch_to_block(arm);
        b.seal_block(arm);
        call(b, round as u32);
        b.ins().jump(done, &[]);
    }
    b.switch_to_block(done);
    b.seal_block(done);
}

/// Calls intrinsic `index` (namespace [`NS_INTRINSIC`]) with `args`; it returns `returns`
/// (nothing, or one value, returned here).
pub fn call_intrinsic(
    b: &mut FunctionBuilder,
    index: u32,
    args: &[Value],
    returns: &[Type],
) -> Option<Value> {
    let mut sig = ir::Signature::new(CALL_CONV);
    for &a in args {
        sig.params.push(ir::AbiParam::new(b.func.dfg.value_type(a)));
    }
    sig.returns
        .extend(returns.iter().map(|&t| ir::AbiParam::new(t)));
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
    let call = b.ins().call(f, args);
    b.inst_results(call).first().copied()
}
