//! Bounds checks that a dominating check already made, removed after Cranelift's mid-end.
//!
//! Linear memory never shrinks: once an index passed the check of an access of `r` bytes,
//! every later check of the same index for at most `r` bytes passes too. So a check is
//! dropped when a check of the same index for at least its reach dominates it: on every
//! path to it, that check ran first, and passed (a failing one ends the run). Within a
//! block the translator already merges checks (`translate/bounds.rs`); this reaches across
//! blocks, and over the checks `loop_invariants` moved into preheaders.
//!
//! With `offsets`, a check of `x + k` (an i32 add of a constant k below 2^31) for `r` bytes
//! counts as one of `x` for `k + r` bytes wherever `x` itself is checked (the translator's
//! `checked_offsets` within a block, here across blocks). Once a check of `x` for `R` bytes
//! passed, `0 <= x <= size - R` with the size below 2^31; so when `k + r <= R`, `x + k`
//! neither wraps nor reaches 2^31, and `x + k <= size - r`: its check passes too. And a check
//! of `x` widened to `k + r` fails only when the original would (x at or above 2^31) or when
//! `x + k + r > size`: then `x + k`, which cannot wrap (both below 2^31), is either at or
//! above 2^31 (negative once sign-extended) or past `size - r`, and its check fails as well.

use rustc_hash::FxHashMap;

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::{
    types, Block, Function, Inst, InstBuilder, InstructionData, MemFlagsData, Opcode, TrapCode,
    Value, ValueDef,
};

use czisk_frontend::checks::{
    as_bounds_check, is_barrier, AccessLimits, Check, CheckedIndex, HEAP_REGION_ID,
    MEMORY_SIZE_REGION_ID,
};
use czisk_frontend::{iconst_value, LimitShape};

use crate::loop_invariants::region_with_id;
use crate::pure::remove_dead_code;
use crate::Flow;

/// `(x, k)` when `v` is the i32 `x + k` of a constant `k` (its low 32 bits, sign-extended).
pub(crate) fn i32_plus_constant(func: &Function, v: Value) -> Option<(Value, i64)> {
    let v = func.dfg.resolve_aliases(v);
    let ValueDef::Result(inst, 0) = func.dfg.value_def(v) else {
        return None;
    };
    let InstructionData::Binary {
        opcode: Opcode::Iadd,
        args: [a, b],
    } = func.dfg.insts[inst]
    else {
        return None;
    };
    if func.dfg.value_type(v) != types::I32 {
        return None;
    }
    let constant = |v| iconst_value(&func.dfg, v).map(|k| k as i32 as i64);
    let (x, k) = match (constant(a), constant(b)) {
        (None, Some(k)) => (a, k),
        (Some(k), None) => (b, k),
        _ => return None,
    };
    Some((func.dfg.resolve_aliases(x), k))
}

/// The limits a pass emits for new checks in `func`: `None` when the memory can grow and
/// the function has no memory-size region (it makes no check whose limit it could copy).
pub(crate) fn access_limits(func: &Function, shape: &LimitShape) -> Option<AccessLimits> {
    let limits = AccessLimits {
        shape: *shape,
        size_flags: MemFlagsData::trusted()
            .with_alias_region(region_with_id(func, MEMORY_SIZE_REGION_ID)),
    };
    (shape.constant_size.is_some() || limits.size_flags.alias_region().is_some()).then_some(limits)
}

/// `(x, k)` when `index` is `x + k`, an i32 add of a constant `k` below 2^31: a check of it
/// for `r` bytes is one of `x` for `k + r` where `x` is checked (see the module's docs).
fn as_offset(func: &Function, index: CheckedIndex) -> Option<(CheckedIndex, u64)> {
    let CheckedIndex::Value(v) = index else {
        return None;
    };
    let (x, k) = i32_plus_constant(func, v)?;
    (0..1 << 31)
        .contains(&k)
        .then_some((CheckedIndex::Value(x), k as u64))
}

/// Removes every bounds check dominated by one of the same index and at least its reach
/// (with `offsets`, also one of `x + k` dominated by one of `x` for at least `k` more);
/// returns how many.
pub fn remove_dominated_checks(func: &mut Function, shape: &LimitShape, offsets: bool) -> usize {
    let removed = remove_dominated(func, &Flow::of(func), shape, offsets);
    if removed > 0 {
        remove_dead_code(func);
    }
    removed
}

/// [`remove_dominated_checks`] with the function's `flow`, leaving the code it makes dead
/// (for one `remove_dead_code` after all the passes).
pub(crate) fn remove_dominated(
    func: &mut Function,
    flow: &Flow,
    shape: &LimitShape,
    offsets: bool,
) -> usize {
    let Some(entry) = func.layout.entry_block() else {
        return 0;
    };
    let domtree = &flow.domtree;
    // A preorder walk of the dominator tree; `checked` holds the farthest reach checked
    // for each index on the way from the entry, `undo` what to restore on leaving a block.
    enum Visit {
        Enter(Block),
        Leave(usize),
    }
    let mut checked: FxHashMap<CheckedIndex, u64> = FxHashMap::default();
    let mut undo: Vec<(CheckedIndex, Option<u64>)> = Vec::new();
    let mut dropped: Vec<Inst> = Vec::new();
    let mut work = vec![Visit::Enter(entry)];
    while let Some(visit) = work.pop() {
        let block = match visit {
            Visit::Leave(mark) => {
                for (index, before) in undo.drain(mark..).rev() {
                    match before {
                        Some(reach) => checked.insert(index, reach),
                        None => checked.remove(&index),
                    };
                }
                continue;
            }
            Visit::Enter(block) => block,
        };
        work.push(Visit::Leave(undo.len()));
        work.extend(domtree.children(block).map(Visit::Enter));
        for inst in func.layout.block_insts(block) {
            let Some(Check { index, reach, .. }) = as_bounds_check(func, inst, shape) else {
                continue;
            };
            let implied = offsets
                && as_offset(func, index)
                    .is_some_and(|(x, k)| checked.get(&x).is_some_and(|&known| known >= k + reach));
            match checked.get(&index) {
                _ if implied => dropped.push(inst),
                Some(&known) if known >= reach => dropped.push(inst),
                before => {
                    undo.push((index, before.copied()));
                    checked.insert(index, reach);
                }
            }
        }
    }
    for &inst in &dropped {
        func.layout.remove_inst(inst);
    }
    dropped.len()
}

/// Widens each bounds check to the farthest reach of the same index that every path from it
/// checks anyway before anything could be observed or end the run (the barriers of
/// `translate/bounds.rs`); returns how many were widened. The checks it then dominates are
/// left for [`remove_dominated_checks`].
///
/// The widened check traps only when the program would: if the wider access does not fit,
/// every path reaches a check of that index that fails, with the same trap, and nothing in
/// between can be seen (the argument of the translator's merging within a block, here across
/// blocks). Only paths that do not go round a loop count: a successor reached by a back edge
/// anticipates nothing, so a check never moves ahead of a loop that might not end.
///
/// With `offsets`, a later check of `x + k` for `r` bytes counts as one of `x` for `k + r`
/// (see the module's docs): only checks of `x` itself are widened by it.
pub fn widen_to_anticipated_checks(
    func: &mut Function,
    shape: &LimitShape,
    offsets: bool,
) -> usize {
    let widened = widen(func, &Flow::of(func), shape, offsets);
    if widened > 0 {
        remove_dead_code(func);
    }
    widened
}

/// [`widen_to_anticipated_checks`] with the function's `flow`, leaving the code it makes
/// dead (for one `remove_dead_code` after all the passes).
pub(crate) fn widen(func: &mut Function, flow: &Flow, shape: &LimitShape, offsets: bool) -> usize {
    let heap = region_with_id(func, HEAP_REGION_ID);
    let Some(limits) = access_limits(func, shape) else {
        return 0;
    };
    let (cfg, domtree) = (&flow.cfg, &flow.domtree);
    // Per block, the reach checked of each index on every path from its start.
    let mut anticipated: FxHashMap<Block, FxHashMap<CheckedIndex, u64>> = FxHashMap::default();
    // (trap, compare, limit_at, reach): the checks to widen.
    let mut widen = Vec::new();
    for &block in domtree.cfg_postorder() {
        // Successors come before their predecessors in post-order, except across back
        // edges; a block without successors (a return, a trap) anticipates nothing.
        let mut ant: Option<FxHashMap<CheckedIndex, u64>> = None;
        for succ in cfg.succ_iter(block) {
            let Some(theirs) = anticipated.get(&succ) else {
                ant = Some(FxHashMap::default());
                break;
            };
            ant = Some(match ant {
                None => theirs.clone(),
                Some(mine) => mine
                    .into_iter()
                    .filter_map(|(index, reach)| {
                        theirs.get(&index).map(|&other| (index, reach.min(other)))
                    })
                    .collect(),
            });
        }
        let mut ant = ant.unwrap_or_default();
        for inst in func.layout.block_insts(block).rev() {
            if let Some(Check {
                index,
                compare,
                limit_at,
                reach,
            }) = as_bounds_check(func, inst, shape)
            {
                let later = ant.entry(index).or_insert(0);
                if *later > reach {
                    widen.push((inst, compare, limit_at, *later));
                } else {
                    *later = reach;
                }
                if let Some((x, k)) = as_offset(func, index).filter(|_| offsets) {
                    let of_x = ant.entry(x).or_insert(0);
                    *of_x = (*of_x).max(k + reach);
                }
            } else if is_barrier(func, inst, TrapCode::HEAP_OUT_OF_BOUNDS, heap) {
                ant.clear();
            }
        }
        anticipated.insert(block, ant);
    }
    for &(trap, compare, limit_at, reach) in &widen {
        // A compare of its own: after the mid-end, one compare may serve several checks.
        let InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            cond,
            args,
        } = func.dfg.insts[compare]
        else {
            unreachable!("a bounds check tests a compare");
        };
        let mut pos = FuncCursor::new(func).at_inst(trap);
        let mut args = args;
        args[limit_at] = limits.emit(&mut pos, reach);
        let outside = pos.ins().icmp(cond, args[0], args[1]);
        func.dfg.inst_args_mut(trap)[0] = outside;
    }
    widen.len()
}
