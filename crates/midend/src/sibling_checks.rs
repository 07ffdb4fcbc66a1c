//! Bounds checks of sibling indices `x + k1`, `x + k2`, ... in one block made one check.
//!
//! wasm offsets are unsigned, so code that reaches below a pointer (the slots under a stack
//! top, the fields before a cursor) computes each index as its own i32 `x + k` with a
//! negative `k`, and each gets its own check although none is of `x` itself, which may lie
//! outside memory (one past the end). When a block checks several such siblings before any
//! barrier, the first check becomes one of `q = x + kmin` for the reach that covers them
//! all, `R = max(k + r) - kmin`, and the others go.
//!
//! With every `|k|` below 2^30 that is exact. If `q` passes, `0 <= q <= size - R` with the
//! size below 2^29, so each `x + k = q + (k - kmin)` neither wraps nor leaves memory for its
//! `r` bytes. If `q` fails, `q` is negative (then the sibling at `kmin`, whose index is `q`,
//! fails) or `q + R > size` (then the sibling reaching `kmin + R` is past the end, or wraps
//! to a negative index, and fails). Every sibling's check runs before the next barrier on
//! the only path through the block, so the run traps just the same, at the first check
//! instead of a later one, with nothing observable in between (the translator's argument
//! for merging a block's checks, `translate/bounds.rs`).

use std::collections::HashMap;

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::{
    condcodes::IntCC, types, Function, Inst, InstBuilder, InstructionData, MemFlagsData, Opcode,
    TrapCode, Value, ValueDef,
};

use czisk_frontend::checks::{
    as_bounds_check, is_barrier, AccessLimits, Check, CheckedIndex, HEAP_REGION_ID,
    MEMORY_SIZE_REGION_ID,
};
use czisk_frontend::{iconst_value, LimitShape};

use crate::loop_invariants::region_with_id;
use crate::pure::remove_dead_code;

/// The largest `|k|` taken as a sibling's offset (see the module's docs).
const MAX_OFFSET: i64 = 1 << 30;
/// The widest reach a merged check is given: beyond this, siblings are kept apart.
const MAX_REACH: u64 = 1 << 16;

/// `(x, k)` when `index` is the i32 `x + k` for a constant `|k| < 2^30`, else `(index, 0)`.
fn split(func: &Function, index: Value) -> (Value, i64) {
    let index = func.dfg.resolve_aliases(index);
    if let ValueDef::Result(inst, 0) = func.dfg.value_def(index) {
        if let InstructionData::Binary {
            opcode: Opcode::Iadd,
            args: [a, b],
        } = func.dfg.insts[inst]
        {
            let constant = |v| iconst_value(&func.dfg, v).map(|k| k as i32 as i64);
            let split = match (constant(a), constant(b)) {
                (None, Some(k)) => Some((a, k)),
                (Some(k), None) => Some((b, k)),
                _ => None,
            };
            if let Some((x, k)) = split.filter(|&(_, k)| k.abs() < MAX_OFFSET) {
                if func.dfg.value_type(index) == types::I32 {
                    return (func.dfg.resolve_aliases(x), k);
                }
            }
        }
    }
    (index, 0)
}

/// One check of a sibling group: its trap, its index, its offset and its reach.
struct Member {
    trap: Inst,
    index: Value,
    offset: i64,
    reach: u64,
}

/// The accesses after `check` in its block at `sext(x + k) + c`, a sibling's index, made at
/// `sext(q) + (c + k - low)`: the same address once `q = x + low` passed its check (the
/// sum does not wrap, see the module's docs), and one the backend folds into the access,
/// so the sibling's own add is left without users.
fn rebase_addresses(func: &mut Function, check: Inst, q: Value, members: &[Member], low: i64) {
    let shift: HashMap<Value, i64> = members
        .iter()
        .map(|m| (func.dfg.resolve_aliases(m.index), m.offset - low))
        .collect();
    let sibling_address = |func: &Function, addr: Value| -> Option<i64> {
        let ValueDef::Result(def, 0) = func.dfg.value_def(func.dfg.resolve_aliases(addr)) else {
            return None;
        };
        let InstructionData::Binary {
            opcode: Opcode::Iadd,
            args: [a, b],
        } = func.dfg.insts[def]
        else {
            return None;
        };
        let (extended, c) = match (iconst_value(&func.dfg, a), iconst_value(&func.dfg, b)) {
            (None, Some(c)) => (a, c),
            (Some(c), None) => (b, c),
            _ => return None,
        };
        let ValueDef::Result(ext, 0) = func.dfg.value_def(func.dfg.resolve_aliases(extended))
        else {
            return None;
        };
        let InstructionData::Unary {
            opcode: Opcode::Sextend,
            arg,
        } = func.dfg.insts[ext]
        else {
            return None;
        };
        let d = *shift.get(&func.dfg.resolve_aliases(arg))?;
        c.checked_add(d)
    };
    let block = func.layout.inst_block(check).expect("a check in the layout");
    let accesses: Vec<Inst> = {
        let mut after = false;
        func.layout
            .block_insts(block)
            .filter(|&inst| {
                after |= inst == check;
                after
            })
            .collect()
    };
    for inst in accesses {
        let at = match func.dfg.insts[inst] {
            InstructionData::Load { .. } => 0,
            InstructionData::Store { .. } => 1,
            _ => continue,
        };
        let addr = func.dfg.inst_args(inst)[at];
        let Some(c) = sibling_address(func, addr) else {
            continue;
        };
        let mut pos = FuncCursor::new(func).at_inst(inst);
        let c = pos.ins().iconst(types::I64, c);
        let rebased = pos.ins().iadd(q, c);
        func.dfg.inst_args_mut(inst)[at] = rebased;
    }
}

/// Merges each block's checks of sibling indices (see the module's docs); returns how many
/// checks were removed.
pub fn merge_sibling_checks(func: &mut Function, shape: &LimitShape) -> usize {
    let heap = region_with_id(func, HEAP_REGION_ID);
    let limits = AccessLimits {
        shape: *shape,
        size_flags: MemFlagsData::trusted()
            .with_alias_region(region_with_id(func, MEMORY_SIZE_REGION_ID)),
    };
    if shape.constant_size.is_none() && limits.size_flags.alias_region().is_none() {
        return 0;
    }
    // Groups of siblings, each run of a block up to a barrier: (x, members in order).
    let mut groups: Vec<(Value, Vec<Member>)> = Vec::new();
    for block in func.layout.blocks() {
        // In the order of their first checks, so that the output does not depend on hashing.
        let mut open: Vec<(Value, Vec<Member>)> = Vec::new();
        let mut group_of: HashMap<Value, usize> = HashMap::new();
        let mut close = |open: &mut Vec<(Value, Vec<Member>)>, group_of: &mut HashMap<Value, usize>| {
            groups.extend(open.drain(..).filter(|(_, members)| members.len() > 1));
            group_of.clear();
        };
        for inst in func.layout.block_insts(block) {
            if let Some(Check { index, reach, .. }) = as_bounds_check(func, inst, shape) {
                let CheckedIndex::Value(index) = index else {
                    continue;
                };
                let (x, offset) = split(func, index);
                let at = *group_of.entry(x).or_insert_with(|| {
                    open.push((x, Vec::new()));
                    open.len() - 1
                });
                open[at].1.push(Member {
                    trap: inst,
                    index,
                    offset,
                    reach,
                });
            } else if is_barrier(func, inst, TrapCode::HEAP_OUT_OF_BOUNDS, heap) {
                close(&mut open, &mut group_of);
            }
        }
        close(&mut open, &mut group_of);
    }
    let mut removed = 0;
    for (x, members) in groups {
        let low = members.iter().map(|m| m.offset).min().unwrap();
        let end = members.iter().map(|m| m.offset + m.reach as i64).max().unwrap();
        let reach = (end - low) as u64;
        if reach > MAX_REACH {
            continue;
        }
        let first = &members[0];
        let mut pos = FuncCursor::new(func).at_inst(first.trap);
        let q = if low == 0 {
            x
        } else {
            let k = pos.ins().iconst(types::I32, low);
            pos.ins().iadd(x, k)
        };
        let extended = pos.ins().sextend(types::I64, q);
        let limit = limits.emit(&mut pos, reach);
        let outside = pos
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, extended, limit);
        func.dfg.inst_args_mut(first.trap)[0] = outside;
        for member in &members[1..] {
            func.layout.remove_inst(member.trap);
            removed += 1;
        }
        rebase_addresses(func, first.trap, extended, &members, low);
    }
    if removed > 0 {
        remove_dead_code(func);
    }
    removed
}
