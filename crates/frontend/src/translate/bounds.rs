//! Bounds checks merged within a block, after translation.
//!
//! Each wasm access checks `index + offset + size <= memory size` (see `checked_address`),
//! and an access that reaches further from the same index than an earlier one in its block
//! needs its own check. Here the first check of an index in a block is widened to the
//! farthest reach of the later ones, which are then dropped: one compare instead of
//! several for the fields of a struct or the lanes of an array.
//!
//! It is exact for every run that does not trap, and a run that traps still traps with
//! "out of bounds memory access": only earlier, at the first check instead of a later one.
//! What happens in between cannot be observed, because a trap ends the run: stores to
//! linear memory and other bounds checks may lie in between. Anything that could be
//! observed, or end the run first, stops the merging: a call (output, exit; not the
//! intrinsics that only write linear memory: memset, memmove, precompiles), any other
//! trap or instruction that can trap, and a store outside linear memory (memory.grow
//! writing the size).

use std::collections::HashMap;

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::{
    condcodes::IntCC, types, AliasRegion, ExternalName, Function, Inst, InstBuilder,
    InstructionData, Opcode, TrapCode, Value, ValueDef,
};

use crate::precompiles::precompile_of_intrinsic;
use crate::{iconst_value, INTRINSIC_MEMMOVE, INTRINSIC_MEMSET, NS_INTRINSIC};

/// A bounds check: `trapnz (icmp ugt (iadd (uextend index) (iconst reach)) size)`.
struct Check {
    index: Value,
    end: Inst,
    reach: i64,
}

pub(crate) fn merge_bounds_checks(func: &mut Function, heap: Option<AliasRegion>) {
    let out_of_bounds = TrapCode::HEAP_OUT_OF_BOUNDS;
    let mut dropped = Vec::new();
    let blocks: Vec<_> = func.layout.blocks().collect();
    for block in blocks {
        // Per wasm index: the block's first check still open, and its reach so far.
        let mut open: HashMap<Value, (Inst, i64)> = HashMap::new();
        let insts: Vec<Inst> = func.layout.block_insts(block).collect();
        for inst in insts {
            if let Some(check) = as_bounds_check(func, inst, out_of_bounds) {
                match open.get_mut(&check.index) {
                    Some((first, reach)) => {
                        if check.reach > *reach {
                            *reach = check.reach;
                            widen(func, *first, check.reach);
                        }
                        dropped.push(inst);
                    }
                    None => {
                        open.insert(check.index, (check.end, check.reach));
                    }
                }
            } else if is_barrier(func, inst, out_of_bounds, heap) {
                open.clear();
            }
        }
    }
    // The dropped checks' compares and sums are left to dead-code elimination.
    for inst in dropped {
        func.layout.remove_inst(inst);
    }
}

fn as_bounds_check(func: &Function, inst: Inst, out_of_bounds: TrapCode) -> Option<Check> {
    let InstructionData::CondTrap {
        opcode: Opcode::Trapnz,
        arg,
        code,
    } = func.dfg.insts[inst]
    else {
        return None;
    };
    if code != out_of_bounds {
        return None;
    }
    let InstructionData::IntCompare {
        opcode: Opcode::Icmp,
        cond: IntCC::UnsignedGreaterThan,
        args,
    } = func.dfg.insts[defining(func, arg)?]
    else {
        return None;
    };
    let end = defining(func, args[0])?;
    let InstructionData::Binary {
        opcode: Opcode::Iadd,
        args: [extended, reach],
    } = func.dfg.insts[end]
    else {
        return None;
    };
    let reach = iconst_value(&func.dfg, reach)?;
    let InstructionData::Unary {
        opcode: Opcode::Uextend,
        arg: index,
    } = func.dfg.insts[defining(func, extended)?]
    else {
        return None;
    };
    Some(Check {
        index: func.dfg.resolve_aliases(index),
        end,
        reach,
    })
}

/// Makes the sum `end` of a check add `reach` instead (a new constant: the old one may
/// have other users).
fn widen(func: &mut Function, end: Inst, reach: i64) {
    let mut pos = FuncCursor::new(func).at_inst(end);
    let constant = pos.ins().iconst(types::I64, reach);
    if let InstructionData::Binary { args, .. } = &mut func.dfg.insts[end] {
        args[1] = constant;
    }
}

/// Whether `inst` could be observed or end the run (so no check may move across it).
pub(crate) fn is_barrier(
    func: &Function,
    inst: Inst,
    out_of_bounds: TrapCode,
    heap: Option<AliasRegion>,
) -> bool {
    let data = &func.dfg.insts[inst];
    let opcode = data.opcode();
    if opcode.is_call() {
        return !writes_only_linear_memory(func, inst);
    }
    if opcode.other_side_effects() {
        return true;
    }
    // Loads and stores: only a trapping access, or a store outside linear memory.
    if let Some(flags) = data.memflags() {
        let flags = &func.dfg.mem_flags[flags];
        return flags.trap_code().is_some() || opcode.can_store() && flags.alias_region() != heap;
    }
    if opcode.can_trap() {
        return !matches!(data, InstructionData::CondTrap { code, .. } if *code == out_of_bounds);
    }
    false
}

/// A call of an intrinsic that only writes linear memory, on ranges already checked (the
/// memset and memmove of bulk memory, a precompile instruction): nothing observes that
/// once a merged check has trapped.
fn writes_only_linear_memory(func: &Function, inst: Inst) -> bool {
    let InstructionData::Call { func_ref, .. } = func.dfg.insts[inst] else {
        return false;
    };
    let ExternalName::User(name) = func.dfg.ext_funcs[func_ref].name else {
        return false;
    };
    let name = &func.params.user_named_funcs()[name];
    name.namespace == NS_INTRINSIC
        && (matches!(name.index, INTRINSIC_MEMSET | INTRINSIC_MEMMOVE)
            || precompile_of_intrinsic(name.index).is_some())
}

fn defining(func: &Function, value: Value) -> Option<Inst> {
    match func.dfg.value_def(func.dfg.resolve_aliases(value)) {
        ValueDef::Result(inst, _) => Some(inst),
        _ => None,
    }
}
