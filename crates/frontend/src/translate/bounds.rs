//! Bounds checks merged within a block, after translation.
//!
//! Each wasm access checks `sext64(index) <u limit(offset + size)` (see `checked_address`
//! and [`AccessLimits`]), and an access that reaches further from the same index than an earlier one in its block
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

use rustc_hash::FxHashMap;

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::{
    condcodes::IntCC, types, AliasRegion, ExternalName, Function, Inst, InstBuilder,
    InstructionData, MemFlagsData, Opcode, TrapCode, Value, ValueDef,
};

use crate::layout::MEMORY_LIMITS;
use crate::precompiles::precompile_of_intrinsic;
use crate::{iconst_value, INTRINSIC_MEMMOVE, INTRINSIC_MEMSET, NS_INTRINSIC};

/// A bounds check: `trapnz (icmp uge (sextend index) limit)`, the limit of `reach`.
pub struct Check {
    pub index: CheckedIndex,
    /// The compare, and which of its arguments is the limit.
    pub compare: Inst,
    pub limit_at: usize,
    pub reach: u64,
}

/// What a check compares with its limit: the (sign-extended) wasm index, a value or, once
/// the mid-end folded it, a constant.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckedIndex {
    Value(Value),
    Const(i64),
}

/// The shape of a module's access limits (see [`AccessLimits`]): enough to tell which
/// reach a limit value was made for, in any function of the module.
#[derive(Clone, Copy, Debug)]
pub struct LimitShape {
    /// The size, when the memory cannot grow: limits are constants.
    pub constant_size: Option<u64>,
    /// The initial size: memory never shrinks, so a reach up to one past it has a limit of
    /// `size - (reach - 1)` with no need to stop at zero.
    pub initial_size: u64,
    /// The most bytes the memory can ever have: every checked index is below it.
    pub max_size: u64,
    pub size_addr: u64,
    /// The first of the `MEMORY_LIMITS` words (reach 1, 2, ...).
    pub limits_addr: u64,
}

/// Where a bounds check's limit comes from: `max(size + 1 - reach, 0)`, the number of
/// indices that start an access of `reach` bytes inside linear memory (an i64). Made by the
/// translator and recognized (and remade for a wider reach) by the merging here.
#[derive(Clone, Copy)]
pub struct AccessLimits {
    pub shape: LimitShape,
    /// Flags of loads of the size and limit words.
    pub size_flags: MemFlagsData,
}

impl AccessLimits {
    /// Emits the limit of `reach` at `pos`.
    pub fn emit(&self, pos: &mut FuncCursor, reach: u64) -> Value {
        if let Some(size) = self.shape.constant_size {
            return pos
                .ins()
                .iconst(types::I64, (size + 1).saturating_sub(reach) as i64);
        }
        if reach <= MEMORY_LIMITS {
            let addr = pos.ins().iconst(
                types::I64,
                (self.shape.limits_addr + 8 * (reach - 1)) as i64,
            );
            return pos.ins().load(types::I64, self.size_flags, addr, 0);
        }
        let addr = pos.ins().iconst(types::I64, self.shape.size_addr as i64);
        let size = pos.ins().load(types::I64, self.size_flags, addr, 0);
        let below = pos.ins().iconst(types::I64, (reach - 1) as i64);
        if reach - 1 <= self.shape.initial_size {
            return pos.ins().isub(size, below);
        }
        let at_least = pos.ins().umax(size, below);
        pos.ins().isub(at_least, below)
    }
}

impl LimitShape {
    /// The reach whose limit `limit` is, if it is one `AccessLimits::emit` made (also
    /// after Cranelift's mid-end, which may write `x - k` as `x + (-k)` and swap `umax`).
    pub fn reach_of(&self, func: &Function, limit: Value) -> Option<u64> {
        if let Some(size) = self.constant_size {
            let limit = iconst_value(&func.dfg, limit)? as u64;
            // A zero limit (nothing fits) does not say which reach it was made for.
            return (limit > 0 && limit <= size + 1).then(|| size + 1 - limit);
        }
        let (x, below) = match func.dfg.insts[defining(func, limit)?] {
            InstructionData::Load { .. } => {
                let k = fixed_load_address(func, limit)?.checked_sub(self.limits_addr)?;
                return (k % 8 == 0 && k / 8 < MEMORY_LIMITS).then_some(k / 8 + 1);
            }
            InstructionData::Binary {
                opcode: Opcode::Isub,
                args: [x, k],
            } => (x, iconst_value(&func.dfg, k)? as u64),
            InstructionData::Binary {
                opcode: Opcode::Iadd,
                args: [a, b],
            } => match (iconst_value(&func.dfg, a), iconst_value(&func.dfg, b)) {
                (None, Some(k)) => (a, k.wrapping_neg() as u64),
                (Some(k), None) => (b, k.wrapping_neg() as u64),
                _ => return None,
            },
            _ => return None,
        };
        let is_size = |v: Value| fixed_load_address(func, v) == Some(self.size_addr);
        // Within the initial size, `size - (reach - 1)`; beyond, `max(size, reach - 1)`
        // less the same.
        if is_size(x) {
            return (below <= self.initial_size).then_some(below + 1);
        }
        let InstructionData::Binary {
            opcode: Opcode::Umax,
            args: [a, b],
        } = func.dfg.insts[defining(func, x)?]
        else {
            return None;
        };
        let floor_is_below = |v: Value| iconst_value(&func.dfg, v).map(|k| k as u64) == Some(below);
        ((is_size(a) && floor_is_below(b)) || (is_size(b) && floor_is_below(a)))
            .then_some(below + 1)
    }
}

/// The address of the 8-byte load at a constant address that defines `v`.
fn fixed_load_address(func: &Function, v: Value) -> Option<u64> {
    let InstructionData::Load {
        opcode: Opcode::Load,
        arg,
        offset,
        ..
    } = func.dfg.insts[defining(func, v)?]
    else {
        return None;
    };
    (func.dfg.value_type(v) == types::I64).then_some(())?;
    (iconst_value(&func.dfg, arg)? as u64).checked_add(i64::from(offset) as u64)
}

pub(crate) fn merge_bounds_checks(
    func: &mut Function,
    heap: Option<AliasRegion>,
    limits: &AccessLimits,
) {
    let out_of_bounds = TrapCode::HEAP_OUT_OF_BOUNDS;
    let mut dropped = Vec::new();
    let blocks: Vec<_> = func.layout.blocks().collect();
    // The block's instructions, as they were before its checks change (one buffer for all).
    let mut insts: Vec<Inst> = Vec::new();
    for block in blocks {
        // Per wasm index: the block's first check still open, and its reach so far.
        let mut open: FxHashMap<CheckedIndex, (Inst, usize, u64)> = FxHashMap::default();
        insts.clear();
        insts.extend(func.layout.block_insts(block));
        for &inst in &insts {
            if let Some(check) = as_bounds_check(func, inst, &limits.shape) {
                match open.get_mut(&check.index) {
                    Some((first, limit_at, reach)) => {
                        if check.reach > *reach {
                            *reach = check.reach;
                            widen(func, *first, *limit_at, check.reach, limits);
                        }
                        dropped.push(inst);
                    }
                    None => {
                        open.insert(check.index, (check.compare, check.limit_at, check.reach));
                    }
                }
            } else if is_barrier(func, inst, out_of_bounds, heap) {
                open.clear();
            }
        }
    }
    // The dropped checks' compares and limits are left to dead-code elimination.
    for inst in dropped {
        func.layout.remove_inst(inst);
    }
}

/// `trapnz (icmp uge (sextend index) limit)` with an out-of-bounds trap, as the translator
/// makes it (or, after the mid-end, with the operands swapped or the index a constant).
/// For an `icmp` that compares an index with an access limit the way a bounds check does
/// (`index >=u limit`, or `limit <=u index`), which of its two arguments is the index.
///
/// Every access limit is at most the memory size plus one, below 2^31, so such a compare
/// gives the same answer for an index held zero-extended as for one held sign-extended:
/// below 2^31 the two are equal, and at or above it both are above every limit (the
/// backend uses this to load an i32 that is only ever an address index without its sign
/// extension).
pub fn bounds_compare_index(func: &Function, compare: Inst, shape: &LimitShape) -> Option<usize> {
    let limit_at = match func.dfg.insts[compare] {
        InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            cond: IntCC::UnsignedGreaterThanOrEqual,
            ..
        } => 1,
        InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            cond: IntCC::UnsignedLessThanOrEqual,
            ..
        } => 0,
        _ => return None,
    };
    let args = func.dfg.inst_args(compare);
    (func.dfg.value_type(args[limit_at]) == types::I64).then_some(())?;
    shape.reach_of(func, args[limit_at])?;
    Some(1 - limit_at)
}

pub fn as_bounds_check(func: &Function, inst: Inst, shape: &LimitShape) -> Option<Check> {
    let InstructionData::CondTrap {
        opcode: Opcode::Trapnz,
        arg,
        code,
    } = func.dfg.insts[inst]
    else {
        return None;
    };
    if code != TrapCode::HEAP_OUT_OF_BOUNDS {
        return None;
    }
    let compare = defining(func, arg)?;
    let (args, limit_at) = match func.dfg.insts[compare] {
        InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            cond: IntCC::UnsignedGreaterThanOrEqual,
            args,
        } => (args, 1),
        InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            cond: IntCC::UnsignedLessThanOrEqual,
            args,
        } => (args, 0),
        _ => return None,
    };
    let reach = shape.reach_of(func, args[limit_at])?;
    let extended = func.dfg.resolve_aliases(args[1 - limit_at]);
    let index = match iconst_value(&func.dfg, extended) {
        Some(k) => CheckedIndex::Const(k),
        None => {
            let InstructionData::Unary {
                opcode: Opcode::Sextend,
                arg: index,
            } = func.dfg.insts[defining(func, extended)?]
            else {
                return None;
            };
            CheckedIndex::Value(func.dfg.resolve_aliases(index))
        }
    };
    Some(Check {
        index,
        compare,
        limit_at,
        reach,
    })
}

/// Makes the check's compare test the limit of `reach` instead (a new limit: the old one
/// may have other users).
fn widen(func: &mut Function, compare: Inst, limit_at: usize, reach: u64, limits: &AccessLimits) {
    let mut pos = FuncCursor::new(func).at_inst(compare);
    let limit = limits.emit(&mut pos, reach);
    if let InstructionData::IntCompare { args, .. } = &mut func.dfg.insts[compare] {
        args[limit_at] = limit;
    }
}

/// Whether `inst` could be observed or end the run (so no check may move across it).
pub fn is_barrier(
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
