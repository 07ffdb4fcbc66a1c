//! call_indirect's null test folded into its signature test.
//!
//! The translator checks a table entry `e` twice before calling through it: `trapnz (e ==
//! 0)` ("uninitialized element"), then `trapnz ((e >> 32) != k)` ("indirect call type
//! mismatch"), k the callee type's signature id. Signature ids start at 1 (see the
//! frontend's funcref encoding), so `e >> 32` is zero exactly when `e` is null, and a null
//! entry always fails the second test, which k != 0 makes it fail too. Hence the first test
//! can go: the second one's trap stub tests `e >> 32` for zero and reports the null trap
//! (at the null test's wasm offset) when it is, the mismatch otherwise. One compare and
//! step less on every indirect call, and no change to the blocks.
//!
//! Only pure instructions may lie between the two tests: then nothing that could be seen
//! or trap happens between where the null trap was and where it now is.

use rustc_hash::FxHashMap;

use cranelift_codegen::ir::{
    condcodes::IntCC, types, Function, Inst, InstructionData, Opcode, Value,
};
use czisk_frontend::{iconst_value, WasmTrap};

use super::{defining_inst, is_pure};

/// A signature test that also stands for the null test before it.
#[derive(Clone, Copy, Debug)]
pub(super) struct SignatureTest {
    /// `e >> 32`, the value compared.
    pub sig: Value,
    /// The expected signature id (never 0).
    pub expected: u64,
    /// The null test it replaces.
    pub null_test: Inst,
}

/// The signature tests (by their trap) that take over the null test before them.
pub(super) fn signature_tests_with_null(func: &Function) -> FxHashMap<Inst, SignatureTest> {
    let mut found = FxHashMap::default();
    for block in func.layout.blocks() {
        // The last null test of the block with only pure instructions after it: (trap, e).
        let mut pending: Option<(Inst, Value)> = None;
        for inst in func.layout.block_insts(block) {
            if let Some(entry) = null_test(func, inst) {
                pending = Some((inst, entry));
            } else if let Some((entry, sig, expected)) = signature_test(func, inst) {
                if let Some((null_test, tested)) = pending.take() {
                    if tested == entry && expected != 0 {
                        found.insert(
                            inst,
                            SignatureTest {
                                sig,
                                expected,
                                null_test,
                            },
                        );
                    }
                }
            } else if !is_pure(func, inst) {
                pending = None;
            }
        }
    }
    found
}

/// `e` if `inst` is `trapnz (icmp eq e 0)` (either order) or `trapz e`, with the null trap.
fn null_test(func: &Function, inst: Inst) -> Option<Value> {
    let (opcode, arg) = trap_with(func, inst, WasmTrap::IndirectCallToNull)?;
    if opcode == Opcode::Trapz {
        return (func.dfg.value_type(arg) == types::I64).then_some(arg);
    }
    let (cond, [a, b]) = compare(func, arg)?;
    if cond != IntCC::Equal {
        return None;
    }
    let entry = match (iconst_value(&func.dfg, a), iconst_value(&func.dfg, b)) {
        (None, Some(0)) => a,
        (Some(0), None) => b,
        _ => return None,
    };
    (func.dfg.value_type(entry) == types::I64).then_some(entry)
}

/// `(e, e >> 32, k)` if `inst` is `trapnz (icmp ne (ushr e 32) k)` (either order) with the
/// mismatch trap.
fn signature_test(func: &Function, inst: Inst) -> Option<(Value, Value, u64)> {
    let (Opcode::Trapnz, arg) = trap_with(func, inst, WasmTrap::BadSignature)? else {
        return None;
    };
    let (cond, [a, b]) = compare(func, arg)?;
    if cond != IntCC::NotEqual {
        return None;
    }
    let (sig, expected) = match (iconst_value(&func.dfg, a), iconst_value(&func.dfg, b)) {
        (None, Some(k)) => (a, k),
        (Some(k), None) => (b, k),
        _ => return None,
    };
    let sig = func.dfg.resolve_aliases(sig);
    let InstructionData::Binary {
        opcode: Opcode::Ushr,
        args: [entry, shift],
    } = func.dfg.insts[defining_inst(func, sig)?]
    else {
        return None;
    };
    (iconst_value(&func.dfg, shift) == Some(32) && func.dfg.value_type(entry) == types::I64)
        .then_some((func.dfg.resolve_aliases(entry), sig, expected as u64))
}

fn trap_with(func: &Function, inst: Inst, trap: WasmTrap) -> Option<(Opcode, Value)> {
    match func.dfg.insts[inst] {
        InstructionData::CondTrap { opcode, arg, code } if code == trap.code() => {
            Some((opcode, func.dfg.resolve_aliases(arg)))
        }
        _ => None,
    }
}

fn compare(func: &Function, v: Value) -> Option<(IntCC, [Value; 2])> {
    match func.dfg.insts[defining_inst(func, v)?] {
        InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            cond,
            args,
        } => Some((cond, args)),
        _ => None,
    }
}
