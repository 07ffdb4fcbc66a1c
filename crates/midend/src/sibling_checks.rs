//! Bounds checks of sibling indices `x + k1`, `x + k2`, ... in one block made one check.
//!
//! wasm offsets are unsigned, so code that reaches below a pointer (the slots under a stack
//! top, the fields before a cursor) computes each index as its own i32 `x + k` with a
//! negative `k`, and each gets its own check although none is of `x` itself, which may lie
//! outside memory (one past the end). When a block checks several such siblings before any
//! barrier, the first check becomes one of `q = x + kmin` for the reach that covers them
//! all, `R = max(k + r) - kmin`, and the others go.
//!
//! With every `|k|` below 2^30 and the memory's largest size at most 2^31 (the pass does
//! nothing otherwise) that is exact. If `q` passes, `0 <= q <= size - R`, so each
//! `x + k = q + (k - kmin)` neither wraps nor leaves memory for its `r` bytes. If `q` fails, `q` is negative (then the sibling at `kmin`, whose index is `q`,
//! fails) or `q + R > size` (then the sibling reaching `kmin + R` is past the end, or wraps
//! to a negative index, and fails). Every sibling's check runs before the next barrier on
//! the only path through the block, so the run traps just the same, at the first check
//! instead of a later one, with nothing observable in between (the translator's argument
//! for merging a block's checks, `translate/bounds.rs`).

use rustc_hash::FxHashMap;

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::{
    condcodes::IntCC, types, Block, Function, Inst, InstBuilder, InstructionData, Opcode, TrapCode,
    Value, ValueDef,
};

use czisk_frontend::checks::{as_bounds_check, is_barrier, Check, CheckedIndex, HEAP_REGION_ID};
use czisk_frontend::{iconst_value, LimitShape};

use crate::loop_invariants::region_with_id;
use crate::pure::remove_dead_code;
use crate::redundant_checks::{access_limits, i32_plus_constant};

/// The largest `|k|` taken as a sibling's offset (see the module's docs).
const MAX_OFFSET: i64 = 1 << 30;
/// The widest reach a merged check is given: beyond this, siblings are kept apart.
const MAX_REACH: u64 = 1 << 16;

/// One check of a sibling group: its trap, its index, its offset and its reach.
struct Member {
    trap: Inst,
    index: Value,
    offset: i64,
    reach: u64,
}

/// A block's checks of `x + k` for one `x`, between two barriers, in order.
struct Group {
    x: Value,
    members: Vec<Member>,
}

/// Merges each block's checks of sibling indices (see the module's docs); returns how many
/// checks were removed.
pub fn merge_sibling_checks(func: &mut Function, shape: &LimitShape) -> usize {
    let removed = merge(func, shape);
    if removed > 0 {
        remove_dead_code(func);
    }
    removed
}

/// [`merge_sibling_checks`], leaving the code it makes dead (for one `remove_dead_code`
/// after all the passes).
pub(crate) fn merge(func: &mut Function, shape: &LimitShape) -> usize {
    if shape.max_size > 1 << 31 {
        return 0;
    }
    let Some(limits) = access_limits(func, shape) else {
        return 0;
    };
    let heap = region_with_id(func, HEAP_REGION_ID);
    let blocks: Vec<Block> = func.layout.blocks().collect();
    let mut removed = 0;
    for block in blocks {
        let groups = sibling_groups(func, shape, heap, block);
        let mut merged: Merged = FxHashMap::default();
        for Group { x, members } in groups {
            let low = members.iter().map(|m| m.offset).min().unwrap();
            let end = members
                .iter()
                .map(|m| m.offset + m.reach as i64)
                .max()
                .unwrap();
            let reach = (end - low) as u64;
            if reach > MAX_REACH {
                continue;
            }
            let first = members[0].trap;
            let mut pos = FuncCursor::new(func).at_inst(first);
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
            func.dfg.inst_args_mut(first)[0] = outside;
            for member in &members[1..] {
                func.layout.remove_inst(member.trap);
                removed += 1;
            }
            let places = members.iter().map(|m| (m.index, m.offset - low)).collect();
            merged.insert(first, (extended, places));
        }
        if !merged.is_empty() {
            rebase_addresses(func, block, &merged);
        }
    }
    removed
}

/// Each merged check's index sign-extended, and each sibling's place above it, by the trap
/// that starts the group.
type Merged = FxHashMap<Inst, (Value, Vec<(Value, i64)>)>;

/// The groups of sibling checks in `block` that have more than one member.
fn sibling_groups(
    func: &Function,
    shape: &LimitShape,
    heap: Option<cranelift_codegen::ir::AliasRegion>,
    block: Block,
) -> Vec<Group> {
    let mut groups = Vec::new();
    // In the order of their first checks, so that the output does not depend on hashing.
    let mut open: Vec<Group> = Vec::new();
    let mut group_of: FxHashMap<Value, usize> = FxHashMap::default();
    let mut close = |open: &mut Vec<Group>, group_of: &mut FxHashMap<Value, usize>| {
        groups.extend(open.drain(..).filter(|g| g.members.len() > 1));
        group_of.clear();
    };
    for inst in func.layout.block_insts(block) {
        if let Some(Check { index, reach, .. }) = as_bounds_check(func, inst, shape) {
            let CheckedIndex::Value(index) = index else {
                continue;
            };
            let (x, offset) = i32_plus_constant(func, index)
                .filter(|&(_, k)| k.abs() < MAX_OFFSET)
                .unwrap_or((index, 0));
            let at = *group_of.entry(x).or_insert_with(|| {
                open.push(Group {
                    x,
                    members: Vec::new(),
                });
                open.len() - 1
            });
            open[at].members.push(Member {
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
    groups
}

/// Every access in `block` after a merged check at `sext(x + k) + c`, one of its siblings'
/// indices, made at `sext(q) + (c + k - low)`: the same address once `q = x + low` passed
/// its check (the sum does not wrap, see the module's docs), and one the backend folds into
/// the access, so the sibling's own add is left without users. One pass over the block; an
/// index in two groups (either side of a barrier) is taken from the first.
fn rebase_addresses(func: &mut Function, block: Block, merged: &Merged) {
    // For each sibling index met so far: the merged index, sign-extended, and its place.
    let mut place: FxHashMap<Value, (Value, i64)> = FxHashMap::default();
    // The next instruction is read before anything goes in before this one.
    let mut next = func.layout.first_inst(block);
    while let Some(inst) = next {
        next = func.layout.next_inst(inst);
        if let Some((extended, places)) = merged.get(&inst) {
            for &(index, d) in places {
                place
                    .entry(func.dfg.resolve_aliases(index))
                    .or_insert((*extended, d));
            }
            continue;
        }
        let at = match func.dfg.insts[inst] {
            InstructionData::Load { .. } => 0,
            InstructionData::Store { .. } => 1,
            _ => continue,
        };
        let addr = func.dfg.inst_args(inst)[at];
        let Some((extended, c)) = sibling_address(func, addr, &place) else {
            continue;
        };
        let mut pos = FuncCursor::new(func).at_inst(inst);
        let c = pos.ins().iconst(types::I64, c);
        let rebased = pos.ins().iadd(extended, c);
        func.dfg.inst_args_mut(inst)[at] = rebased;
    }
}

/// For an address `sext(v) + c` with `v` a sibling index in `place`: the merged index and
/// the constant to add to it.
fn sibling_address(
    func: &Function,
    addr: Value,
    place: &FxHashMap<Value, (Value, i64)>,
) -> Option<(Value, i64)> {
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
    let ValueDef::Result(ext, 0) = func.dfg.value_def(func.dfg.resolve_aliases(extended)) else {
        return None;
    };
    let InstructionData::Unary {
        opcode: Opcode::Sextend,
        arg,
    } = func.dfg.insts[ext]
    else {
        return None;
    };
    let &(merged, d) = place.get(&func.dfg.resolve_aliases(arg))?;
    Some((merged, c.checked_add(d)?))
}
