//! regalloc2's view of a lowered function.

use regalloc2::{Block, Function, Inst, InstRange, Operand, PRegSet, RegClass, VReg};

use crate::inst::{CallTarget, MInst};
use crate::lower::VCode;
use crate::machine::{caller_saved, machine_env};

impl Function for VCode {
    fn num_insts(&self) -> usize {
        self.insts.len()
    }
    fn num_blocks(&self) -> usize {
        self.blocks.len()
    }
    fn entry_block(&self) -> Block {
        Block::new(0)
    }
    fn block_insns(&self, block: Block) -> InstRange {
        let r = &self.blocks[block.index()].insts;
        InstRange::new(Inst::new(r.start), Inst::new(r.end))
    }
    fn block_succs(&self, block: Block) -> &[Block] {
        &self.blocks[block.index()].succs
    }
    fn block_preds(&self, block: Block) -> &[Block] {
        &self.blocks[block.index()].preds
    }
    fn block_params(&self, block: Block) -> &[VReg] {
        &self.blocks[block.index()].params
    }
    fn is_ret(&self, insn: Inst) -> bool {
        self.insts[insn.index()].is_ret()
    }
    fn is_branch(&self, insn: Inst) -> bool {
        self.insts[insn.index()].is_branch()
    }
    fn branch_blockparams(&self, block: Block, _insn: Inst, succ_idx: usize) -> &[VReg] {
        &self.blocks[block.index()].branch_args[succ_idx]
    }
    fn inst_operands(&self, insn: Inst) -> &[Operand] {
        let i = insn.index();
        &self.operands[self.operand_start[i] as usize..self.operand_start[i + 1] as usize]
    }
    fn inst_clobbers(&self, insn: Inst) -> PRegSet {
        match &self.insts[insn.index()] {
            MInst::MemMove { .. } => caller_saved(),
            MInst::Call { target, defs, .. } => {
                // A float routine clobbers only the registers its code writes.
                let mut set = match target {
                    CallTarget::Direct((ns, index))
                        if *ns == czisk_runtime::softfloat::NS_FLOAT =>
                    {
                        crate::routine_clobbers(*index)
                    }
                    _ => caller_saved(),
                };
                for (_, p) in defs {
                    set.remove(*p);
                }
                set
            }
            MInst::Promote { .. } => {
                let mut set = PRegSet::empty();
                for n in PROMOTE_TEMPS {
                    set.add(crate::machine::preg(n));
                }
                set
            }
            _ => PRegSet::empty(),
        }
    }
    fn num_vregs(&self) -> usize {
        self.num_vregs
    }
    fn spillslot_size(&self, _regclass: RegClass) -> usize {
        1
    }
}

/// The scratch registers of [`MInst::Promote`].
pub const PROMOTE_TEMPS: [u8; 4] = [32, 33, 34, 35];

/// Allocates registers for a float routine in r3..=`last` only, so that a call to it
/// leaves the registers above `last` to its caller (see `crate::routine_clobbers`).
pub fn allocate_low(
    vcode: &VCode,
    last: u8,
) -> Result<regalloc2::Output, regalloc2::RegAllocError> {
    let mut env = machine_env();
    let mut low = PRegSet::empty();
    for n in 3..=last {
        low.add(crate::machine::preg(n));
    }
    env.preferred_regs_by_class = [low, PRegSet::empty(), PRegSet::empty()];
    env.non_preferred_regs_by_class = [PRegSet::empty(), PRegSet::empty(), PRegSet::empty()];
    let options = regalloc2::RegallocOptions {
        verbose_log: false,
        validate_ssa: cfg!(debug_assertions),
        algorithm: regalloc2::Algorithm::Ion,
    };
    run(vcode, &env, &options)
}

/// Allocates registers for a lowered function.
pub fn allocate(vcode: &VCode) -> Result<regalloc2::Output, regalloc2::RegAllocError> {
    let options = regalloc2::RegallocOptions {
        verbose_log: false,
        // Also in the tests' builds (release, for running guests): the feature is on for
        // czisk's tests, and in this crate's own.
        validate_ssa: cfg!(any(debug_assertions, test, feature = "validate-ssa")),
        algorithm: regalloc2::Algorithm::Ion,
    };
    run(vcode, &machine_env(), &options)
}

/// regalloc2 with one context per thread, reused from function to function (as Cranelift
/// does): its working memory is allocated once rather than once a function.
fn run(
    vcode: &VCode,
    env: &regalloc2::MachineEnv,
    options: &regalloc2::RegallocOptions,
) -> Result<regalloc2::Output, regalloc2::RegAllocError> {
    thread_local! {
        static CTX: std::cell::RefCell<regalloc2::Ctx> = Default::default();
    }
    CTX.with(|cell| {
        // An allocation may start another (a call's clobbers are a float routine's
        // allocation, `crate::routine_clobbers`): that one gets a context of its own.
        let mut fresh = regalloc2::Ctx::default();
        let mut borrowed = cell.try_borrow_mut();
        let ctx = match &mut borrowed {
            Ok(ctx) => &mut **ctx,
            Err(_) => &mut fresh,
        };
        regalloc2::run_with_ctx(vcode, env, options, ctx)?;
        Ok(std::mem::take(&mut ctx.output))
    })
}
