//! WebAssembly to CLIF, against the ZisK machine environment.
//!
//! [`translate_module`] validates a module (WebAssembly 2.0 without SIMD; anything else is
//! refused with an error naming the feature and the function), lays its state out in ZisK's
//! RAM ([`layout`]) and translates every function to CLIF for a Cranelift backend.
//!
//! The contract with the backends:
//! - Functions are named `ExternalName::User` in namespace [`NS_WASM_FUNC`], index = wasm
//!   function index (imports first, as in wasm). Imported functions are called like any
//!   other; their bodies come from the runtime crate, with exactly the wasm signature.
//! - One calling convention, [`CALL_CONV`], for every function.
//! - No context pointer: memory, globals and tables live at absolute addresses
//!   ([`layout::MachineLayout`]), written as constants in the code.
//! - Values: i32/i64/f32/f64 map to I32/I64/F32/F64; a reference is an I64, 0 being null;
//!   a funcref is `(canonical signature id << 32) | function address` (ZisK code addresses
//!   fit in 32 bits), which is also the format of table entries. Signature ids start at 1,
//!   so the high half of an entry is zero exactly when it is null (the zisk backend tests
//!   for null in the signature check's trap stub). An externref is an opaque
//!   non-zero I64 chosen by whoever passes it in.
//! - Traps are CLIF traps with the codes of [`WasmTrap`]; every instruction carries its
//!   wasm bytecode offset (from the start of the module) as source location.
//! - The call stack is checked at every function entry against the layout's stack limit
//!   (`get_stack_pointer`), trapping with stack overflow.
//! - Namespace [`NS_ENTRY`] holds the guest's entry ([`ENTRY_MAIN`]) and instantiation
//!   ([`ENTRY_INSTANTIATE`]); namespace [`NS_INTRINSIC`] the backend intrinsics
//!   ([`INTRINSIC_EXIT`]: `exit(code: i32)`, which ends the run and does not return;
//!   [`INTRINSIC_PUTC`]: `putc(byte: i32)`, one byte to the console, never optimized away).

mod calls;
pub mod error;
pub mod layout;
pub mod module;
pub mod optimizations;
pub mod precompiles;
mod translate;
pub mod traps;

use cranelift_codegen::ir;
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use rustc_hash::FxHashMap;
use target_lexicon::PointerWidth;
use wasmparser::{FuncType, Parser, Payload};

pub use calls::FunctionCalls;

pub use error::CompileError;
pub use layout::{LayoutConfig, MachineLayout};
pub use optimizations::Optimizations;
pub use translate::{bounds_compare_index, LimitShape, GLOBALS_REGION_ID};

/// The shapes the translator gives bounds checks and the barriers no check may cross, for
/// the passes that move, widen and drop checks after Cranelift's mid-end (`czisk-midend`).
pub mod checks {
    pub use crate::translate::{
        as_bounds_check, is_barrier, AccessLimits, Check, CheckedIndex, HEAP_REGION_ID,
        MEMORY_SIZE_REGION_ID,
    };
}
pub use traps::WasmTrap;

pub const NS_WASM_FUNC: u32 = 0;
pub const NS_INTRINSIC: u32 = 1;
pub const NS_ENTRY: u32 = 2;
pub const INTRINSIC_EXIT: u32 = 0;
pub const INTRINSIC_PUTC: u32 = 1;
/// `memmove(dst: i64, src: i64, len: i64)` and `memset(dst: i64, byte: i32, len: i64)` on
/// absolute addresses, already bounds-checked (provided by the runtime; the direct backend
/// turns them into DMA).
pub const INTRINSIC_MEMMOVE: u32 = 2;
pub const INTRINSIC_MEMSET: u32 = 3;
/// ZisK's precompiles on absolute, checked addresses: `keccakf(state: i64)`,
/// `sha256f(state: i64, block: i64)` (the `zisk` import namespace is built on them).
pub const INTRINSIC_KECCAKF: u32 = 4;
pub const INTRINSIC_SHA256F: u32 = 5;
/// `secp256k1_add(p1: i64, p2: i64)`, `secp256k1_dbl(p: i64)`: points as 8 little-endian
/// 64-bit words (x then y), the result in place of the first.
pub const INTRINSIC_SECP256K1_ADD: u32 = 6;
pub const INTRINSIC_SECP256K1_DBL: u32 = 7;
/// `arith256(params: i64)`, `arith256_mod(params: i64)`: the address of a block of five
/// operand addresses, as ZisK's instructions take them (see the runtime's `zisk.rs`).
pub const INTRINSIC_ARITH256: u32 = 8;
pub const INTRINSIC_ARITH256_MOD: u32 = 9;
/// The other curve and field precompiles, with the shapes of the secp256k1 ones: an add-like
/// operation `(a: i64, b: i64)` writes its result over `a`, a doubling `(p: i64)` over `p`.
/// secp256r1 and bn254 values are 32-byte coordinates (points 64 bytes, Fp2 elements 64
/// bytes), bls12-381 values 48-byte ones (points and Fp2 elements 96 bytes).
pub const INTRINSIC_SECP256R1_ADD: u32 = 10;
pub const INTRINSIC_SECP256R1_DBL: u32 = 11;
pub const INTRINSIC_BN254_CURVE_ADD: u32 = 12;
pub const INTRINSIC_BN254_CURVE_DBL: u32 = 13;
pub const INTRINSIC_BN254_COMPLEX_ADD: u32 = 14;
pub const INTRINSIC_BN254_COMPLEX_SUB: u32 = 15;
pub const INTRINSIC_BN254_COMPLEX_MUL: u32 = 16;
pub const INTRINSIC_BLS12_381_CURVE_ADD: u32 = 17;
pub const INTRINSIC_BLS12_381_CURVE_DBL: u32 = 18;
pub const INTRINSIC_BLS12_381_COMPLEX_ADD: u32 = 19;
pub const INTRINSIC_BLS12_381_COMPLEX_SUB: u32 = 20;
pub const INTRINSIC_BLS12_381_COMPLEX_MUL: u32 = 21;
/// `arith384_mod(params: i64)`: as `arith256_mod` on 48-byte numbers.
pub const INTRINSIC_ARITH384_MOD: u32 = 22;
/// `add256(params: i64) -> i32`: the block holds the addresses of `a`, `b`, the carry-in
/// (0 or 1, a value) and the address of `c`; writes `c = a + b + cin` (256-bit numbers) and
/// returns the carry-out.
pub const INTRINSIC_ADD256: u32 = 23;
/// `ed25519_add(p1: i64, p2: i64)`, `babyjubjub_add(p1: i64, p2: i64)`: twisted Edwards
/// additions (complete) of affine points of 32-byte coordinates, x then y (64 bytes), the
/// result over `p1`.
pub const INTRINSIC_ED25519_ADD: u32 = 24;
pub const INTRINSIC_BABYJUBJUB_ADD: u32 = 25;
/// `blake2b_round(round: i64, state: i64, input: i64)`: one round of BLAKE2b's compression
/// on the working vector (sixteen 64-bit words, 128 bytes) at `state`, in place, with the
/// message block (128 bytes) at `input`; `round` (0..10, the message schedule's row) must
/// be a constant, which the instruction carries.
pub const INTRINSIC_BLAKE2B_ROUND: u32 = 26;
/// `blake2sf(state: i64, input: i64)`, `blake3f(state: i64, input: i64)`: BLAKE2s's ten
/// rounds, BLAKE3's seven, on the working vector (sixteen 32-bit words, 64 bytes) at
/// `state`, in place, with the message block (64 bytes) at `input`; no feed-forward.
pub const INTRINSIC_BLAKE2SF: u32 = 27;
pub const INTRINSIC_BLAKE3F: u32 = 28;
/// `poseidon2(state: i64)`, `poseidon1(state: i64)`: ZisK's Poseidon2 and Poseidon
/// permutations over Goldilocks, width 16, on sixteen 64-bit elements (128 bytes) in place;
/// `poseidon2_koalabear(state: i64)`: its Poseidon2 over KoalaBear, width 16, on sixteen
/// 32-bit elements in Montgomery form (64 bytes) in place.
pub const INTRINSIC_POSEIDON2: u32 = 29;
pub const INTRINSIC_POSEIDON1: u32 = 30;
pub const INTRINSIC_POSEIDON2_KOALABEAR: u32 = 31;
pub const ENTRY_INSTANTIATE: u32 = 0;
pub const ENTRY_MAIN: u32 = 1;

/// The calling convention of every function: Cranelift's `Tail` convention takes any
/// number of results in registers and on the stack, as multi-value needs.
pub const CALL_CONV: CallConv = CallConv::Tail;

/// What `FunctionBuilder::finalize` needs to know of the target czisk translates for.
pub fn frontend_config() -> TargetFrontendConfig {
    TargetFrontendConfig {
        default_call_conv: CALL_CONV,
        pointer_width: PointerWidth::U64,
        page_size_align_log2: 12,
    }
}

/// The constant `value` is, if an `iconst` defines it.
pub fn iconst_value(dfg: &ir::DataFlowGraph, value: ir::Value) -> Option<i64> {
    match dfg.value_def(dfg.resolve_aliases(value)) {
        ir::ValueDef::Result(inst, 0) => match dfg.insts[inst] {
            ir::InstructionData::UnaryImm {
                opcode: ir::Opcode::Iconst,
                imm,
            } => Some(imm.bits()),
            _ => None,
        },
        _ => None,
    }
}

/// The CLIF signature of a wasm function type.
pub fn wasm_signature(ty: &FuncType) -> ir::Signature {
    let mut sig = ir::Signature::new(CALL_CONV);
    sig.params.extend(
        ty.params()
            .iter()
            .map(|&t| ir::AbiParam::new(translate::clif_type(t))),
    );
    sig.returns.extend(
        ty.results()
            .iter()
            .map(|&t| ir::AbiParam::new(translate::clif_type(t))),
    );
    sig
}

/// An imported function, to be provided by the runtime.
#[derive(Debug, Clone)]
pub struct ImportedFunction {
    pub module: String,
    pub field: String,
    pub func_index: u32,
    pub signature: ir::Signature,
}

/// Bytes to place in RAM before the guest starts. A module's pieces never overlap (see
/// `resolve_overlaps`), so a backend may lay them out in any order and leave out zero bytes.
#[derive(Debug, Clone)]
pub struct DataInit {
    pub addr: u64,
    pub bytes: Vec<u8>,
}

pub struct TranslatedModule {
    /// One CLIF function per defined wasm function, in index order.
    pub functions: Vec<ir::Function>,
    pub imports: Vec<ImportedFunction>,
    pub layout: MachineLayout,
    /// Bytes to preload in RAM: active data segments in linear memory, passive ones where
    /// `memory.init` reads them; non-overlapping, in address order.
    pub data: Vec<DataInit>,
    /// `instantiate` and `main` (see the crate docs); a backend starts the guest at `main`.
    pub entry_functions: Vec<ir::Function>,
    /// Function names from the name section (or `func{index}`), for listings and traps.
    pub func_names: Vec<String>,
    /// How the bounds checks' limits are made (for passes that recognize the checks).
    pub limit_shape: LimitShape,
    /// The optimizations this module is compiled with (the runtime and the backends read
    /// theirs here).
    pub optimizations: Optimizations,
}

/// Validates and translates `wasm`.
pub fn translate_module(
    wasm: &[u8],
    config: &LayoutConfig,
) -> Result<TranslatedModule, CompileError> {
    translate_module_with(wasm, config, Optimizations::ALL)
}

/// [`translate_module`] with only the `optimizations` given.
pub fn translate_module_with(
    wasm: &[u8],
    config: &LayoutConfig,
    optimizations: Optimizations,
) -> Result<TranslatedModule, CompileError> {
    let (mut module, translator) = prepare_module_with(wasm, config, optimizations)?;
    module.functions = (0..translator.len())
        .map(|i| translator.translate(i))
        .collect::<Result<_, _>>()?;
    Ok(module)
}

/// Translates a module's functions one at a time, in any order, from any thread: a
/// backend that compiles each function as it comes holds one function's CLIF at a time.
pub struct ModuleTranslator<'a> {
    info: module::ModuleInfo,
    layout: MachineLayout,
    sig_ids: Vec<u32>,
    bodies: Vec<wasmparser::FunctionBody<'a>>,
    optimizations: Optimizations,
}

impl ModuleTranslator<'_> {
    /// The module's defined functions.
    pub fn len(&self) -> usize {
        self.bodies.len()
    }

    pub fn is_empty(&self) -> bool {
        self.bodies.is_empty()
    }

    /// The CLIF of defined function `i` (wasm function index: imports first).
    pub fn translate(&self, i: usize) -> Result<ir::Function, CompileError> {
        let env = translate::ModuleEnv {
            info: &self.info,
            layout: &self.layout,
            sig_ids: &self.sig_ids,
            optimizations: self.optimizations,
        };
        let index = self.info.num_imported_funcs() + i as u32;
        translate::translate_function(&env, index, &self.bodies[i])
    }

    /// What defined function `i` calls, read from its body without translating it (a call
    /// graph of the module costs a pass over its operators, not a translation).
    pub fn calls(&self, i: usize) -> Result<FunctionCalls, CompileError> {
        let index = self.info.num_imported_funcs() + i as u32;
        calls::function_calls(&self.info, index, &self.bodies[i])
    }
}

/// Validates `wasm` and translates everything but its functions' bodies: the module
/// (with no `functions`), and what translates them.
pub fn prepare_module<'a>(
    wasm: &'a [u8],
    config: &LayoutConfig,
) -> Result<(TranslatedModule, ModuleTranslator<'a>), CompileError> {
    prepare_module_with(wasm, config, Optimizations::ALL)
}

/// [`prepare_module`] with only the `optimizations` given.
pub fn prepare_module_with<'a>(
    wasm: &'a [u8],
    config: &LayoutConfig,
    optimizations: Optimizations,
) -> Result<(TranslatedModule, ModuleTranslator<'a>), CompileError> {
    let info = module::read_module(wasm)?;
    let passive_data: Vec<Option<u64>> = info
        .data
        .iter()
        .map(|d| d.active_offset.is_none().then_some(d.bytes.len() as u64))
        .collect();
    let passive_elems: Vec<Option<u64>> = info
        .elements
        .iter()
        .map(|e| e.passive.then_some(e.items.len() as u64))
        .collect();
    let layout = MachineLayout::plan(
        config,
        info.globals.len(),
        &info
            .tables
            .iter()
            .map(|&(initial, max, _)| (initial, max))
            .collect::<Vec<_>>(),
        info.memory,
        &passive_data,
        &passive_elems,
    )?;
    if let Some((_, _, index)) = info
        .exports
        .iter()
        .find(|(n, k, _)| n == "_start" && *k == wasmparser::ExternalKind::Func)
    {
        let ty = info.func_type(*index);
        if !ty.params().is_empty() || !ty.results().is_empty() {
            return Err(CompileError::Invalid(format!(
                "the _start export is {ty}; it must take and return nothing"
            )));
        }
    }
    let sig_ids = canonical_signature_ids(&info.types);
    let env = translate::ModuleEnv {
        info: &info,
        layout: &layout,
        sig_ids: &sig_ids,
        optimizations,
    };

    let mut bodies = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        if let Payload::CodeSectionEntry(body) = payload? {
            bodies.push(body);
        }
    }
    let imports = info
        .imports
        .iter()
        .enumerate()
        .map(|(i, (module, field))| ImportedFunction {
            module: module.clone(),
            field: field.clone(),
            func_index: i as u32,
            signature: wasm_signature(info.func_type(i as u32)),
        })
        .collect();
    // Active data goes where it lands in linear memory when instantiation succeeds (if it
    // does not, instantiation traps before the guest runs); passive data to its segment.
    let data = info
        .data
        .iter()
        .zip(&layout.data_segments)
        .filter(|(d, _)| !d.bytes.is_empty())
        .filter(|(d, _)| match (d.active_offset, info.memory) {
            (Some(offset), Some((initial, _))) => {
                offset as u64 + d.bytes.len() as u64 <= initial * layout::WASM_PAGE
            }
            (Some(_), None) => false,
            (None, _) => true,
        })
        .map(|(d, segment)| DataInit {
            addr: match d.active_offset {
                Some(offset) => layout.memory_base + offset as u64,
                None => segment.contents_addr,
            },
            bytes: d.bytes.clone(),
        })
        .collect::<Vec<_>>();
    // A memory that can grow has its access limits in RAM (see `layout::MEMORY_LIMITS`).
    let mut data = data;
    if let Some((initial, _)) = info.memory.filter(|&(i, _)| i < layout.memory_max_pages) {
        data.push(DataInit {
            addr: layout.memory_limits_addr,
            bytes: MachineLayout::memory_limits_bytes(initial * layout::WASM_PAGE),
        });
    }
    let data = resolve_overlaps(data);
    let entry_functions = vec![
        translate::instantiate_function(&env),
        translate::main_function(&env),
    ];
    let func_names = (0..info.func_types.len() as u32)
        .map(|i| {
            info.func_names
                .get(&i)
                .cloned()
                .unwrap_or_else(|| format!("func{i}"))
        })
        .collect();
    let limit_shape = translate::limit_shape(&info, &layout);
    let module = TranslatedModule {
        functions: Vec::new(),
        imports,
        layout: layout.clone(),
        data,
        entry_functions,
        func_names,
        limit_shape,
        optimizations,
    };
    Ok((
        module,
        ModuleTranslator {
            info,
            layout,
            sig_ids,
            bodies,
            optimizations,
        },
    ))
}

/// The RAM contents `data` leaves when written piece by piece in its order (instantiation
/// writes active segments in segment order, so where two overlap the later one's bytes win,
/// zeros included), as non-overlapping pieces in address order. ZisK's preloaded sections
/// cannot express an overlap: its layout keeps the non-zero byte of one.
pub fn resolve_overlaps(mut data: Vec<DataInit>) -> Vec<DataInit> {
    data.retain(|d| !d.bytes.is_empty());
    let mut ranges: Vec<(u64, u64)> = data
        .iter()
        .map(|d| (d.addr, d.addr + d.bytes.len() as u64))
        .collect();
    ranges.sort_unstable();
    let mut pieces: Vec<DataInit> = Vec::new();
    for (start, end) in ranges {
        match pieces.last_mut() {
            Some(last) if start < last.addr + last.bytes.len() as u64 => {
                let len = (end - last.addr).max(last.bytes.len() as u64);
                last.bytes.resize(len as usize, 0);
            }
            _ => pieces.push(DataInit {
                addr: start,
                bytes: vec![0; (end - start) as usize],
            }),
        }
    }
    for d in &data {
        let i = pieces.partition_point(|p| p.addr <= d.addr) - 1;
        let at = (d.addr - pieces[i].addr) as usize;
        pieces[i].bytes[at..at + d.bytes.len()].copy_from_slice(&d.bytes);
    }
    pieces
}

/// Structurally equal function types get the same id, as call_indirect's check requires:
/// one more than the index of the first type equal to each (one hash lookup a type, not a
/// scan of those before it). Never 0: a funcref's high half is zero only for null.
fn canonical_signature_ids(types: &[FuncType]) -> Vec<u32> {
    let mut first: FxHashMap<&FuncType, u32> =
        FxHashMap::with_capacity_and_hasher(types.len(), Default::default());
    types
        .iter()
        .enumerate()
        .map(|(i, ty)| *first.entry(ty).or_insert(i as u32 + 1))
        .collect()
}
