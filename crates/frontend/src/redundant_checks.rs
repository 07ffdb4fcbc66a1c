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
use cranelift_codegen::ir::{Block, Function, Inst};

use crate::loop_invariants::remove_dead_code;
use crate::translate::{as_bounds_check, Check, CheckedIndex, LimitShape};

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
    let mut checked: HashMap<CheckedIndex, u64> = HashMap::new();
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
