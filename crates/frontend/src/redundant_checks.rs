//! Bounds checks that a dominating check already made, removed after Cranelift's mid-end.
//!
//! Linear memory never shrinks: once an index passed the check of an access of `r` bytes,
//! every later check of the same index for at most `r` bytes passes too. So a check is
//! dropped when a check of the same index for at least its reach dominates it: on every
//! path to it, that check ran first, and passed (a failing one ends the run). Within a
//! block the translator already merges checks (`translate/bounds.rs`); this reaches across
//! blocks, and over the checks `loop_invariants` moved into preheaders.

use std::collections::HashMap;

use cranelift_codegen::dominator_tree::DominatorTree;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    Block, Function, Inst, InstructionData, Opcode, TrapCode, Value, ValueDef,
};

use crate::translate::LimitShape;
use crate::{iconst_value, loop_invariants::remove_dead_code};

/// What a check compares: the (sign-extended) wasm index, a value or a constant.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
enum Index {
    Value(Value),
    Const(i64),
}

/// Removes every bounds check dominated by one of the same index and at least its reach;
/// returns how many.
pub fn remove_dominated_checks(func: &mut Function, shape: &LimitShape) -> usize {
    let Some(entry) = func.layout.entry_block() else {
        return 0;
    };
    let cfg = ControlFlowGraph::with_function(func);
    let domtree = DominatorTree::with_function(func, &cfg);
    // A preorder walk of the dominator tree; `checked` holds the farthest reach checked
    // for each index on the way from the entry, `undo` what to restore on leaving a block.
    enum Visit {
        Enter(Block),
        Leave(usize),
    }
    let mut checked: HashMap<Index, u64> = HashMap::new();
    let mut undo: Vec<(Index, Option<u64>)> = Vec::new();
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
            let Some((index, reach)) = as_bounds_check(func, inst, shape) else {
                continue;
            };
            match checked.get(&index) {
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
    if !dropped.is_empty() {
        remove_dead_code(func);
    }
    dropped.len()
}

/// `trapnz (icmp uge (sextend index) limit)` with an out-of-bounds trap, as the translator
/// makes it (or with the operands swapped): the index and the reach of the limit.
fn as_bounds_check(func: &Function, inst: Inst, shape: &LimitShape) -> Option<(Index, u64)> {
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
    let ValueDef::Result(compare, 0) = func.dfg.value_def(func.dfg.resolve_aliases(arg)) else {
        return None;
    };
    let (extended, limit) = match func.dfg.insts[compare] {
        InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            cond: IntCC::UnsignedGreaterThanOrEqual,
            args: [a, b],
        } => (a, b),
        InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            cond: IntCC::UnsignedLessThanOrEqual,
            args: [a, b],
        } => (b, a),
        _ => return None,
    };
    let reach = shape.reach_of(func, limit)?;
    let extended = func.dfg.resolve_aliases(extended);
    let index = if let Some(k) = iconst_value(&func.dfg, extended) {
        Index::Const(k)
    } else {
        let ValueDef::Result(ext, 0) = func.dfg.value_def(extended) else {
            return None;
        };
        let InstructionData::Unary {
            opcode: Opcode::Sextend,
            arg,
        } = func.dfg.insts[ext]
        else {
            return None;
        };
        Index::Value(func.dfg.resolve_aliases(arg))
    };
    Some((index, reach))
}
