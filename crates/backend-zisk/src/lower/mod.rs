//! Lowering a CLIF function to [`VCode`]: blocks of machine instructions on virtual
//! registers, in the shape regalloc2 wants.
//!
//! Blocks are laid out in reverse post-order, each CLIF block followed by the blocks that
//! split its critical edges. Instructions are lowered backwards within a block and blocks
//! backwards in that order, so every use of a value is seen before its definition: a pure
//! instruction whose results nobody asked for in a register (all its users folded it, see
//! `def_inst` in the ISLE prelude) is never emitted.

mod calls;
mod driver;
mod indirect;
mod isle;
pub(crate) use isle::generated;
mod low32;
mod ranges;
#[cfg(test)]
mod tests;
mod uses;

use cranelift_codegen::dominator_tree::DominatorTree;
use cranelift_codegen::entity::{EntitySet, SecondaryMap};
use cranelift_codegen::ir::{self, Block, Function, Value, ValueDef};
use regalloc2::{Operand, VReg};

use crate::inst::{BlockIndex, MInst};

/// One block of lowered code.
#[derive(Debug, Default)]
pub struct VBlock {
    pub insts: std::ops::Range<usize>,
    pub succs: Vec<regalloc2::Block>,
    pub preds: Vec<regalloc2::Block>,
    pub params: Vec<VReg>,
    /// Arguments passed to each successor, in `succs` order.
    pub branch_args: Vec<Vec<VReg>>,
}

/// A lowered function, ready for register allocation.
#[derive(Debug)]
pub struct VCode {
    pub insts: Vec<MInst>,
    /// Every instruction's regalloc2 operands, one after another: instruction `i`'s are
    /// `operands[operand_start[i]..operand_start[i + 1]]`.
    pub operands: Vec<Operand>,
    pub operand_start: Vec<u32>,
    pub blocks: Vec<VBlock>,
    pub num_vregs: usize,
    /// Bytes of outgoing stack arguments/results the calls need at the bottom of the frame.
    pub outgoing_bytes: u32,
    /// Whether the function calls anything (then it saves its return address).
    pub makes_calls: bool,
}

#[derive(Debug, thiserror::Error)]
pub enum LowerError {
    #[error("the ZisK backend cannot lower `{0}` yet")]
    Unsupported(String),
}

thread_local! {
    static POISON_LOW32: std::cell::Cell<bool> = const { std::cell::Cell::new(false) };
}

/// What [`with_low32_poisoned`] flips: the high half.
const LOW32_POISON: u64 = 0xa5c3_5a3c_0000_0000;

/// Runs `f` (a compilation, on this thread) with every i32 value that the low-half
/// analysis (`low32.rs`) lets skip its sign extension given garbage in its high half where
/// it is defined: the table of which users read only the low half, and the rules that
/// produce and consume such values, must then still give the same results. For tests: the
/// code is slower, never wrong, unless a rule reads bits the table says it does not.
pub fn with_low32_poisoned<R>(f: impl FnOnce() -> R) -> R {
    let old = POISON_LOW32.with(|p| p.replace(true));
    let result = f();
    POISON_LOW32.with(|p| p.set(old));
    result
}

/// Lowers `func` (already optimized by Cranelift's mid-end). With a `static_frame`,
/// values may stay in spill slots that ZisK instructions read and write directly.
pub fn lower_function(func: &Function, static_frame: bool) -> Result<VCode, LowerError> {
    lower_function_in(func, static_frame, None)
}

/// [`lower_function`] for a function of a module whose bounds checks have this `shape`
/// (which lets address-only i32 loads skip their sign extension, `low32::zext_ok_values`).
pub fn lower_function_in(
    func: &Function,
    static_frame: bool,
    shape: Option<&czisk_frontend::LimitShape>,
) -> Result<VCode, LowerError> {
    let cfg = cranelift_codegen::flowgraph::ControlFlowGraph::with_function(func);
    let domtree = cranelift_codegen::dominator_tree::DominatorTree::with_function(func, &cfg);
    lower_function_with(
        func,
        &domtree,
        static_frame,
        shape,
        &czisk_frontend::Optimizations::ALL,
    )
}

/// [`lower_function_in`] with only the lowering optimizations `opts` turns on (`low32`,
/// `zext_addresses`, `compare64`), given the function's dominator tree.
pub fn lower_function_with(
    func: &Function,
    domtree: &DominatorTree,
    static_frame: bool,
    shape: Option<&czisk_frontend::LimitShape>,
    opts: &czisk_frontend::Optimizations,
) -> Result<VCode, LowerError> {
    let order = BlockOrder::compute(func);
    let mut lowerer = driver::Lowerer::new(func, domtree, &order, static_frame, shape, opts);
    lowerer.lower_all()?;
    Ok(lowerer.finish())
}

/// The lowered block order: CLIF blocks in reverse post-order, each followed by the
/// blocks splitting its critical edges.
pub struct BlockOrder {
    /// Lowered blocks: Some(clif block) or an edge block (None).
    pub blocks: Vec<LoweredBlock>,
    /// For each CLIF block (reached from the entry), its lowered index.
    pub index_of: SecondaryMap<Block, BlockIndex>,
    /// For each CLIF block, the lowered targets of its terminator's edges, in the order of
    /// `branch_destinations` (for br_table: default first).
    pub edge_targets: SecondaryMap<Block, Vec<BlockIndex>>,
}

#[derive(Debug, Clone, Copy)]
pub enum LoweredBlock {
    Clif(Block),
    /// Splits the `succ`-th edge of `from`, jumping on to `to`.
    Edge {
        from: Block,
        succ: usize,
        to: Block,
    },
}

impl BlockOrder {
    fn compute(func: &Function) -> Self {
        let entry = func
            .layout
            .entry_block()
            .expect("function has an entry block");
        // Each block's successors (its terminator's destinations, in order), found once: a
        // branch table's are many, and the walk below comes back to a block once per edge.
        let mut succ_range: SecondaryMap<Block, (u32, u32)> = SecondaryMap::new();
        let mut succ_list: Vec<Block> = Vec::new();
        for b in func.layout.blocks() {
            let term = func.layout.last_inst(b).expect("block has a terminator");
            let start = succ_list.len() as u32;
            succ_list.extend(
                func.dfg.insts[term]
                    .branch_destination(&func.dfg.jump_tables, &func.dfg.exception_tables)
                    .iter()
                    .map(|call| call.block(&func.dfg.value_lists)),
            );
            succ_range[b] = (start, succ_list.len() as u32);
        }
        let succs_of = |b: Block| -> &[Block] {
            let (start, end) = succ_range[b];
            &succ_list[start as usize..end as usize]
        };
        // Reverse post-order by iterative DFS.
        let mut visited: EntitySet<Block> = EntitySet::new();
        let mut post = Vec::new();
        let mut stack = vec![(entry, 0usize)];
        visited.insert(entry);
        while let Some((b, i)) = stack.pop() {
            let succs = succs_of(b);
            if i < succs.len() {
                stack.push((b, i + 1));
                let s = succs[i];
                if visited.insert(s) {
                    stack.push((s, 0));
                }
            } else {
                post.push(b);
            }
        }
        post.reverse();
        let mut pred_count: SecondaryMap<Block, u32> = SecondaryMap::new();
        for &b in &post {
            for &s in succs_of(b) {
                pred_count[s] += 1;
            }
        }
        let mut blocks = Vec::new();
        let mut index_of = SecondaryMap::new();
        // The edge block of each successor edge that has one, by its place in `succ_list`.
        let mut edge_at: Vec<Option<BlockIndex>> = vec![None; succ_list.len()];
        for &b in &post {
            index_of[b] = blocks.len() as BlockIndex;
            blocks.push(LoweredBlock::Clif(b));
            let succs = succs_of(b);
            if succs.len() > 1 {
                let start = succ_range[b].0 as usize;
                for (i, &s) in succs.iter().enumerate() {
                    if pred_count[s] > 1 {
                        edge_at[start + i] = Some(blocks.len() as BlockIndex);
                        blocks.push(LoweredBlock::Edge {
                            from: b,
                            succ: i,
                            to: s,
                        });
                    }
                }
            }
        }
        let mut edge_targets: SecondaryMap<Block, Vec<BlockIndex>> = SecondaryMap::new();
        for &b in &post {
            let (start, end) = succ_range[b];
            edge_targets[b] = (start as usize..end as usize)
                .map(|at| edge_at[at].unwrap_or(index_of[succ_list[at]]))
                .collect();
        }
        BlockOrder {
            blocks,
            index_of,
            edge_targets,
        }
    }
}

pub(crate) use czisk_midend::pure::{is_pure, removable_if_unused};

pub(crate) fn defining_inst(func: &Function, v: Value) -> Option<ir::Inst> {
    match func.dfg.value_def(v) {
        ValueDef::Result(inst, _) => Some(inst),
        _ => None,
    }
}
