//! CLIF-to-CLIF passes czisk runs on each function after Cranelift's mid-end and before
//! the zisk backend lowers it. They know the shapes the translator (`czisk-frontend`)
//! gives bounds checks (`czisk_frontend::checks`):
//! - [`loop_invariants`]: checks and computations fixed before a loop moved into its
//!   preheader;
//! - [`redundant_checks`]: checks widened to what every later path checks anyway, then
//!   checks dominated by one of the same index and at least their reach dropped;
//! - [`sibling_checks`]: a block's checks of `x + k1`, `x + k2`, ... made one check;
//! - [`pure`]: which instructions have no effect but their results, and dead-code removal.

pub mod loop_invariants;
pub mod pure;
pub mod redundant_checks;
pub mod sibling_checks;
