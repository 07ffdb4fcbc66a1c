//! Which i32 values only ever have their low 32 bits read.
//!
//! i32 values are kept sign-extended (see `machine.rs`), which costs: `add_w` is a binary
//! operation where `add` is ZisK's cheaper adder, and an i32 load needs `signextend_w`
//! where a plain load would do. When every user of a value reads only its low 32 bits
//! (32-bit arithmetic, shifts and compares, `add_u_w`, 32-bit and narrower stores,
//! truncations), what lies above them does not matter and the cheaper forms serve. Bitwise
//! operations and selects pass the question on to their own users. The answer is the
//! greatest fixpoint: start from every i32 result, drop values with a user that reads all
//! 64 bits (a call, a return, a block argument, an extension, ...), by a worklist.
//!
//! The table (`reads`) is the one statement of which users read only the low half; the
//! lowering rules must agree with it. The tests check that they do by compiling with every
//! such value's high half poisoned (`lower::with_low32_poisoned`: the corpus and the
//! differential programs), which a rule reading those bits turns into a wrong result.

use cranelift_codegen::entity::EntitySet;
use rustc_hash::FxHashSet;

use cranelift_codegen::ir::{types, Function, Inst, InstructionData, Opcode, Value, ValueDef};

use super::ranges::{i32_const, Ranges};
use super::uses::{Use, Uses};

/// How the `index`-th fixed argument of `user` reads its value.
enum Reads {
    Low32,
    All,
    /// Only what the user's own result needs (bitwise operations, select values).
    LikeResult,
}

fn reads(func: &Function, ranges: Option<&Ranges>, user: Inst, index: usize) -> Reads {
    let op = func.dfg.insts[user].opcode();
    let ctrl = func.dfg.ctrl_typevar(user);
    let arg_ty = |i: usize| func.dfg.value_type(func.dfg.inst_args(user)[i]);
    use Opcode::*;
    match op {
        Iadd | Isub | Imul | Ishl | Ushr | Sshr | Rotl | Rotr | Clz | Ctz | Popcnt | Udiv
        | Urem | Srem | Smin | Smax | Umin | Umax
            if ctrl == types::I32 =>
        {
            Reads::Low32
        }
        Band | Bor | Bxor | Bnot if ctrl == types::I32 => Reads::LikeResult,
        Select if ctrl == types::I32 && index > 0 => Reads::LikeResult,
        Icmp if arg_ty(0) == types::I32 => Reads::Low32,
        Brif | Trapz | Trapnz if index == 0 && arg_ty(0) == types::I32 => Reads::Low32,
        // A non-negative i32 held sign-extended is its own zero extension (no instruction,
        // `non_negative_i32` in isle.rs): worth keeping it so.
        Uextend if ctrl == types::I64 => {
            let arg = func.dfg.inst_args(user)[0];
            if ranges.is_some_and(|r| r.of(arg, user).lo >= 0) {
                Reads::All
            } else {
                Reads::Low32
            }
        }
        Ireduce => Reads::Low32,
        Bitcast if ctrl == types::F32 => Reads::Low32,
        Istore8 | Istore16 | Istore32 if index == 0 => Reads::Low32,
        // An i32 global's slot holds all 64 bits (`is_global_slot_access`).
        Store if index == 0 && arg_ty(0) == types::I32 && !is_global_slot_access(func, user) => {
            Reads::Low32
        }
        _ => Reads::All,
    }
}

pub fn low32_only_values(
    func: &Function,
    uses: &Uses,
    ranges: Option<&Ranges>,
) -> EntitySet<Value> {
    let mut candidates = EntitySet::with_capacity(func.dfg.num_values());
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            for &r in func.dfg.inst_results(inst) {
                if func.dfg.value_type(r) == types::I32 {
                    candidates.insert(r);
                }
            }
        }
    }
    // A value drops out when a user reads all of it; dropping a bitwise result can drop
    // its operands in turn, so they go back on the worklist (each value is revisited only
    // when one of its users' results dropped).
    let reads_all = |v: Value, candidates: &EntitySet<Value>| {
        uses.of(v).iter().any(|&Use { user, index }| match index {
            None => true,
            Some(i) => match reads(func, ranges, user, i) {
                Reads::Low32 => false,
                Reads::All => true,
                Reads::LikeResult => !func
                    .dfg
                    .inst_results(user)
                    .first()
                    .is_some_and(|&r| candidates.contains(r)),
            },
        })
    };
    let mut work = work_list(&candidates);
    while let Some(v) = work.pop() {
        if !candidates.contains(v) || !reads_all(v, &candidates) {
            continue;
        }
        candidates.remove(v);
        if let ValueDef::Result(inst, _) = func.dfg.value_def(v) {
            work.extend(
                func.dfg
                    .inst_args(inst)
                    .iter()
                    .map(|&a| func.dfg.resolve_aliases(a)),
            );
        }
    }
    // A value whose definition holds it sign-extended anyway gains nothing from the set,
    // and outside it the lowering knows it is sign-extended: a compare of it may be made
    // at 64 bits, which ZisK proves free for small operands (`cmp_width` in lower/isle.rs).
    // Its users' membership does not depend on it (only bitwise results and selects pass
    // the question on, and those stay).
    for v in work_list(&candidates) {
        if defined_sign_extended(func, v) {
            candidates.remove(v);
        }
    }
    candidates
}

/// The i32 values that may be held in another extension than the sign extension: every
/// user reads only the low half (as in [`low32_only_values`]), or is the value's sign
/// extension to i64 used only as an address index, that is, only
/// - as the index of a bounds-check compare (`bounds_compare_index`: against an access
///   limit, which is below 2^31), and
/// - plus a constant, as the address of loads and stores;
/// - or as a table index: compared with the table's size for its trap
///   (`table_compare_index`), and times 8 plus a constant as the address of an entry;
///
/// and the value is an i32 load (held zero-extended: a plain 4-byte load instead of
/// `signextend_w`) or `x + k` for a sign-extended `x` and `0 <= k < 2^31` (a 64-bit `add`,
/// ZisK's cheaper adder, instead of `add_w`; the sum is then the zero or the sign extension
/// of the wrapped 32-bit sum, see below).
///
/// An index below 2^31 is the same number zero- or sign-extended. One at or above 2^31 is,
/// either way, above every access limit, so its check fails just the same; and every
/// access is made only after a passing check of its index (the translator's invariant,
/// kept by the passes that merge, hoist and drop checks, which all reason on the same
/// 64-bit index value), so no access is made from it.
pub fn zext_ok_values(
    func: &Function,
    uses: &Uses,
    low32: &EntitySet<Value>,
    shape: Option<&czisk_frontend::LimitShape>,
    ranges: Option<&Ranges>,
) -> FxHashSet<Value> {
    let mut found = FxHashSet::default();
    let Some(shape) = shape else {
        return found;
    };
    let uses_of = |v: Value| uses.of(v);
    // `r` (the index plus a constant) is only ever the address of a load or store.
    let only_address = |r: Value| {
        uses_of(r).iter().all(|&Use { user, index }| {
            let data = &func.dfg.insts[user];
            matches!(
                (data, index),
                (InstructionData::Load { .. }, Some(0)) | (InstructionData::Store { .. }, Some(1))
            )
        })
    };
    // `o` (a table index times 8) is only ever offset into the address of a load or store.
    let only_entry_address = |o: Value| {
        uses_of(o).iter().all(|&Use { user, index }| {
            func.dfg.insts[user].opcode() == Opcode::Iadd
                && index.is_some_and(|i| is_iconst(func, func.dfg.inst_args(user)[1 - i]))
                && only_address(func.dfg.first_result(user))
        })
    };
    // `s` (the sign-extended index) is only compared with a limit or offset into an address.
    let only_index = |s: Value| {
        uses_of(s).iter().all(|&Use { user, index }| {
            let Some(i) = index else { return false };
            match func.dfg.insts[user].opcode() {
                Opcode::Icmp => {
                    czisk_frontend::bounds_compare_index(func, user, shape) == Some(i)
                        || table_compare_index(func, uses, user) == Some(i)
                }
                Opcode::Iadd if func.dfg.ctrl_typevar(user) == types::I64 => {
                    let args = func.dfg.inst_args(user);
                    let other = args[1 - i];
                    is_iconst(func, other) && only_address(func.dfg.first_result(user))
                }
                // A table entry's offset (`table_entry` in the translator's reference.rs).
                Opcode::Ishl if func.dfg.ctrl_typevar(user) == types::I64 && i == 0 => {
                    i32_or_i64_const(func, func.dfg.inst_args(user)[1]) == Some(3)
                        && only_entry_address(func.dfg.first_result(user))
                }
                _ => false,
            }
        })
    };
    // Every user reads only the low half or takes the value as an address index.
    let index_or_low32 = |x: Value| {
        uses_of(x).iter().all(|&Use { user, index }| {
            let Some(i) = index else { return false };
            match reads(func, ranges, user, i) {
                Reads::Low32 => true,
                Reads::LikeResult => func
                    .dfg
                    .inst_results(user)
                    .first()
                    .is_some_and(|&r| low32.contains(r)),
                Reads::All => {
                    func.dfg.insts[user].opcode() == Opcode::Sextend
                        && func.dfg.ctrl_typevar(user) == types::I64
                        && only_index(func.dfg.first_result(user))
                }
            }
        })
    };
    // i32 `x + k` with `0 <= k < 2^31`: the candidates for a 64-bit add, (sum, x). `k` is
    // a constant, or a value whose range (`ranges.rs`) is in `[0, 2^31)` where the add
    // runs and which is held as itself (not in the low-half set): its zero and sign
    // extensions are then the same number, as for a constant.
    let non_negative = |k: Value, at: Inst| match i32_const(func, k) {
        Some(k) => (0..=i32::MAX as i64).contains(&k),
        None => ranges
            .is_some_and(|r| !low32.contains(func.dfg.resolve_aliases(k)) && r.of(k, at).lo >= 0),
    };
    let mut sums = Vec::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            let x = match func.dfg.inst_results(inst).first() {
                Some(&x) if func.dfg.value_type(x) == types::I32 && !low32.contains(x) => x,
                _ => continue,
            };
            match func.dfg.insts[inst].opcode() {
                Opcode::Load if index_or_low32(x) => {
                    found.insert(x);
                }
                Opcode::Iadd => {
                    let args = func.dfg.inst_args(inst);
                    let k_at = (0..2).find(|&j| non_negative(args[j], inst));
                    if let Some(j) = k_at {
                        if index_or_low32(x) {
                            sums.push((x, func.dfg.resolve_aliases(args[1 - j])));
                        }
                    }
                }
                _ => {}
            }
        }
    }
    // The 64-bit `sext(x) + k` is, for the wrapped 32-bit sum, its zero extension when the
    // 32-bit sum wrapped or was below 2^31 from below 2^31, and its sign extension
    // otherwise: an address index either way. That needs `x` held sign-extended: not one of
    // the values here (held otherwise), and not a value with garbage in its high half (the
    // low-half set holds only values whose definition may make garbage).
    let relaxed: FxHashSet<Value> = sums.iter().map(|&(sum, _)| sum).collect();
    for (sum, x) in sums {
        if found.contains(&x) || relaxed.contains(&x) || low32.contains(x) {
            continue;
        }
        found.insert(sum);
    }
    found
}

/// For a compare that only feeds a table-bounds trap (`index >=u size`, or `size <=u
/// index`, trapping with an out-of-range table index), which argument is the index. A
/// table holds fewer than 2^31 entries (the translator's `table_entry`), so, as for an
/// access limit, the index zero- or sign-extended gives the same answer; and the table's
/// entries are read and written only after that trap passed (`table_entry` checks, then
/// computes the address), so only from an index below 2^31.
fn table_compare_index(func: &Function, uses: &Uses, compare: Inst) -> Option<usize> {
    use cranelift_codegen::ir::condcodes::IntCC;
    use czisk_frontend::WasmTrap;
    let InstructionData::IntCompare {
        opcode: Opcode::Icmp,
        cond,
        ..
    } = func.dfg.insts[compare]
    else {
        return None;
    };
    let index_at = match cond {
        IntCC::UnsignedGreaterThanOrEqual => 0,
        IntCC::UnsignedLessThanOrEqual => 1,
        _ => return None,
    };
    let table_codes = [
        WasmTrap::TableOutOfBounds.code(),
        WasmTrap::TableAccessOutOfBounds.code(),
    ];
    let only_table_trap = uses.of(func.dfg.first_result(compare)).iter().all(|u| {
        matches!(func.dfg.insts[u.user], InstructionData::CondTrap { opcode: Opcode::Trapnz, code, .. }
            if table_codes.contains(&code))
    });
    (only_table_trap && !uses.of(func.dfg.first_result(compare)).is_empty()).then_some(index_at)
}

/// The value of the integer constant `v`.
fn i32_or_i64_const(func: &Function, v: Value) -> Option<i64> {
    match func.dfg.value_def(func.dfg.resolve_aliases(v)) {
        ValueDef::Result(inst, _) => match func.dfg.insts[inst] {
            InstructionData::UnaryImm {
                opcode: Opcode::Iconst,
                imm,
            } => Some(imm.bits()),
            _ => None,
        },
        _ => None,
    }
}

/// Whether `v`'s definition holds it sign-extended whether or not it is in the low-half set:
/// only the lowering of these opcodes (`low32_result` in lower.isle, and the bitwise
/// operations and selects that pass the question on) makes use of that set. (An i32
/// `uload8`/`uload16` is its zero-extended byte or half, which is the sign extension of
/// that i32; `sload8`/`sload16` sign-extend.)
fn defined_sign_extended(func: &Function, v: Value) -> bool {
    match func.dfg.value_def(v) {
        ValueDef::Param(..) => true,
        ValueDef::Result(inst, _) if is_global_slot_access(func, inst) => true,
        ValueDef::Result(inst, _) => {
            let data = &func.dfg.insts[inst];
            !matches!(data, InstructionData::UnaryImm { .. })
                && !matches!(
                    data.opcode(),
                    Opcode::Iadd
                        | Opcode::Load
                        | Opcode::Ireduce
                        | Opcode::Bitcast
                        | Opcode::Band
                        | Opcode::Bor
                        | Opcode::Bxor
                        | Opcode::Bnot
                        | Opcode::Select
                )
        }
        _ => false,
    }
}

/// Whether `inst` loads or stores a global's slot, which holds an i32 global sign-extended
/// to 64 bits (`GLOBALS_REGION_ID` in the translator): its i32 accesses are of the whole
/// aligned word, a tenth of the cost of a 4-byte access on ZisK.
pub(super) fn is_global_slot_access(func: &Function, inst: Inst) -> bool {
    let flags = match func.dfg.insts[inst] {
        InstructionData::Load { flags, .. } | InstructionData::Store { flags, .. } => flags,
        _ => return false,
    };
    func.dfg.mem_flags[flags]
        .alias_region()
        .is_some_and(|region| {
            func.dfg.alias_regions[region].user_id == czisk_frontend::GLOBALS_REGION_ID
        })
}

fn is_iconst(func: &Function, v: Value) -> bool {
    match func.dfg.value_def(func.dfg.resolve_aliases(v)) {
        ValueDef::Result(inst, _) => func.dfg.insts[inst].opcode() == Opcode::Iconst,
        _ => false,
    }
}

/// The members of `set`, to change it while going through them.
fn work_list(set: &EntitySet<Value>) -> Vec<Value> {
    set.keys().filter(|&v| set.contains(v)).collect()
}
