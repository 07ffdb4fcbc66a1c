//! CLIF-to-CLIF passes czisk runs on each function after Cranelift's mid-end and before
//! the zisk backend lowers it. They know the shapes the translator (`czisk-frontend`)
//! gives bounds checks (`czisk_frontend::checks`):
//! - [`loop_invariants`]: checks and computations fixed before a loop moved into its
//!   preheader;
//! - [`redundant_checks`]: checks widened to what every later path checks anyway, then
//!   checks dominated by one of the same index and at least their reach dropped;
//! - [`sibling_checks`]: a block's checks of `x + k1`, `x + k2`, ... made one check;
//! - [`pure`]: which instructions have no effect but their results, and dead-code removal.
//!
//! [`run_passes`] runs them in that order, on one [`Flow`] (CFG and dominator tree).

pub mod loop_invariants;
pub mod pure;
pub mod redundant_checks;
pub mod sibling_checks;

use cranelift_codegen::dominator_tree::DominatorTree;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::Function;
use czisk_frontend::{LimitShape, Optimizations};

/// A function's control-flow graph and dominator tree, which the passes share: none of them
/// adds or removes a block or an edge (they add, move and drop instructions within blocks),
/// so one computation serves them all, and the lowering after them.
pub struct Flow {
    pub cfg: ControlFlowGraph,
    pub domtree: DominatorTree,
}

impl Flow {
    pub fn of(func: &Function) -> Flow {
        let cfg = ControlFlowGraph::with_function(func);
        let domtree = DominatorTree::with_function(func, &cfg);
        Flow { cfg, domtree }
    }
}

/// The passes `opts` turns on, in order: loop invariants hoisted; with the module's access
/// limits' `shape`, checks widened, siblings merged and dominated checks dropped. The code
/// they make dead goes once, at the end. `flow` is the function's (Cranelift's `Context`
/// holds it after `optimize`); it is returned, still true.
pub fn run_passes(
    func: &mut Function,
    flow: Flow,
    shape: Option<&LimitShape>,
    opts: &Optimizations,
) -> Flow {
    debug_assert!(flow.domtree.is_valid() && flow.cfg.is_valid());
    let mut changed = 0;
    if opts.loop_invariants {
        changed += loop_invariants::hoist(func, &flow);
    }
    if let Some(shape) = shape {
        // The translator merges a block's checks; this is the same across blocks.
        if opts.bounds_merging {
            changed += redundant_checks::widen(func, &flow, shape, opts.checked_offsets);
        }
        if opts.sibling_checks {
            changed += sibling_checks::merge(func, shape);
        }
        if opts.redundant_checks {
            changed += redundant_checks::remove_dominated(func, &flow, shape, opts.checked_offsets);
        }
    }
    if changed > 0 {
        pure::remove_dead_code(func);
    }
    flow
}
