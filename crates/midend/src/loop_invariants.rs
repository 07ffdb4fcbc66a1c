//! Loop invariants hoisted into the loop's preheader, after Cranelift's optimizer: checks,
//! and the computations of values fixed before the loop.
//!
//! A loop whose body computes addresses from values fixed before the loop (the shadow
//! stack pointer, a buffer's start) checks the same bounds and alignment on every
//! iteration. A check is moved from the loop header to the end of the preheader when:
//! - the preheader is the loop's only entry and ends by jumping to the header, so running
//!   its end means running the header next;
//! - nothing before the check in the header can be observed or end the run (the barriers
//!   of `translate/bounds.rs`, and any check that stays), so trapping at the preheader's
//!   end is indistinguishable from trapping in the header on the first iteration;
//! - its condition is computed from values defined outside the loop and constants, and at
//!   most a word that grows with linear memory in a bounds comparison trapped on when true
//!   (`trapnz(end > size)`, or `trapnz(index >= limit)` with an access limit word): memory
//!   never shrinks, so a check that passed before the loop passes on every iteration.
//!
//! The hoisted trap keeps its code and source location: a program that traps, traps with
//! the same trap, at the same point of its observable behaviour.
//!
//! Pure computations of such values move too (see `Hoister::hoist_values`): Cranelift's
//! mid-end rematerializes an add of a constant in every block that uses it, a step per
//! iteration on ZisK.

use rustc_hash::{FxHashMap, FxHashSet};
use smallvec::SmallVec;

use cranelift_codegen::entity::SecondaryMap;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    AliasRegion, Block, Function, Inst, InstructionData, Opcode, TrapCode, Value, ValueDef,
};
use cranelift_codegen::loop_analysis::{Loop, LoopAnalysis};

use czisk_frontend::checks::{is_barrier, HEAP_REGION_ID, MEMORY_SIZE_REGION_ID};

use crate::pure::{is_pure, remove_dead_code};
use crate::Flow;

/// Hoists the invariant checks and computations of every loop (inner loops first); returns
/// how many moved.
pub fn hoist_loop_invariants(func: &mut Function) -> usize {
    let moved = hoist(func, &Flow::of(func));
    if moved > 0 {
        remove_dead_code(func);
    }
    moved
}

/// [`hoist_loop_invariants`] with the function's `flow`, leaving the code it makes dead
/// (for one `remove_dead_code` after all the passes).
pub(crate) fn hoist(func: &mut Function, flow: &Flow) -> usize {
    let (cfg, domtree) = (&flow.cfg, &flow.domtree);
    let mut loops = LoopAnalysis::new();
    loops.compute(func, cfg, domtree);
    let heap = region_with_id(func, HEAP_REGION_ID);
    let size_region = region_with_id(func, MEMORY_SIZE_REGION_ID);
    // Each loop's blocks in layout order, found once (hoisting adds and moves no block).
    let mut blocks_of: SecondaryMap<Loop, Vec<Block>> = SecondaryMap::new();
    for block in func.layout.blocks() {
        let mut lp = loops.innermost_loop(block);
        while let Some(l) = lp {
            blocks_of[l].push(block);
            lp = loops.loop_parent(l);
        }
    }
    let mut order: Vec<Loop> = loops.loops().collect();
    order.sort_by_key(|&lp| std::cmp::Reverse(loops.loop_level(loops.loop_header(lp)).level()));
    let mut moved = 0;
    for lp in order {
        let header = loops.loop_header(lp);
        let Some(preheader) = only_entry(func, cfg, &loops, lp, header) else {
            continue;
        };
        let mut hoister = Hoister {
            loops: &loops,
            lp,
            size_region,
            blocks: &blocks_of[lp],
            size_words_fixed: !writes_size_words(func, &blocks_of[lp], heap),
            at: func
                .layout
                .last_inst(preheader)
                .expect("a block ends in a jump"),
            cloned: FxHashMap::default(),
            variant: FxHashSet::default(),
        };
        // The next instruction is read before this one moves.
        let mut next = func.layout.first_inst(header);
        while let Some(inst) = next {
            next = func.layout.next_inst(inst);
            if let InstructionData::CondTrap { opcode, arg, code } = func.dfg.insts[inst] {
                let Some(cond) = hoister.condition(func, arg, opcode == Opcode::Trapnz) else {
                    break;
                };
                let trap = func.dfg.make_inst(InstructionData::CondTrap {
                    opcode,
                    arg: cond,
                    code,
                });
                func.layout.insert_inst(trap, hoister.at);
                func.set_srcloc(trap, func.srcloc(inst));
                func.layout.remove_inst(inst);
                moved += 1;
            } else if is_barrier(func, inst, TrapCode::HEAP_OUT_OF_BOUNDS, heap) {
                break;
            }
        }
        moved += hoister.hoist_values(func);
    }
    if moved > 0 {
        func.dfg.resolve_all_aliases();
    }
    moved
}

/// The loop's preheader: its only predecessor outside the loop, ending in a jump to it.
fn only_entry(
    func: &Function,
    cfg: &ControlFlowGraph,
    loops: &LoopAnalysis,
    lp: Loop,
    header: Block,
) -> Option<Block> {
    let mut outside = cfg
        .pred_iter(header)
        .map(|p| p.block)
        .filter(|&b| !loops.is_in_loop(b, lp));
    let preheader = outside.next()?;
    if outside.next().is_some() {
        return None;
    }
    let last = func.layout.last_inst(preheader)?;
    matches!(func.dfg.insts[last], InstructionData::Jump { .. }).then_some(preheader)
}

struct Hoister<'a> {
    loops: &'a LoopAnalysis,
    lp: Loop,
    /// The loop's blocks, in layout order.
    blocks: &'a [Block],
    size_region: Option<AliasRegion>,
    /// Whether nothing in the loop can write the memory-size and access-limit words (no
    /// call, no store outside linear memory): then reading them is a pure computation too.
    size_words_fixed: bool,
    /// The preheader's jump: hoisted instructions go before it.
    at: Inst,
    /// Values of the loop already recomputed in the preheader.
    cloned: FxHashMap<Value, Value>,
    /// Values found to change in the loop: what makes them so stays (their computation
    /// stays in the loop), so a chain of computations is not walked again for each link.
    variant: FxHashSet<Value>,
}

impl Hoister<'_> {
    /// A trap condition recomputed in the preheader, if it is invariant, or an invariant
    /// end compared against the memory size (for `trapnz` only: `trapz(end > size)` traps
    /// when the comparison is false, which growing memory can make it).
    fn condition(&mut self, func: &mut Function, cond: Value, trapnz: bool) -> Option<Value> {
        if let Some(v) = self.invariant(func, cond) {
            return Some(v);
        }
        if !trapnz {
            return None;
        }
        let cond = func.dfg.resolve_aliases(cond);
        let ValueDef::Result(inst, _) = func.dfg.value_def(cond) else {
            return None;
        };
        let InstructionData::IntCompare {
            opcode: Opcode::Icmp,
            cond: cc,
            args: [a, b],
        } = func.dfg.insts[inst]
        else {
            return None;
        };
        // True when an invariant end lies beyond the size: false stays false as it grows.
        let end_first = match cc {
            IntCC::UnsignedGreaterThan | IntCC::UnsignedGreaterThanOrEqual => true,
            IntCC::UnsignedLessThan | IntCC::UnsignedLessThanOrEqual => false,
            _ => return None,
        };
        let (end, size) = if end_first { (a, b) } else { (b, a) };
        let end = self.invariant(func, end)?;
        let size = self.memory_size(func, size)?;
        let args = if end_first { [end, size] } else { [size, end] };
        Some(self.insert_clone(func, inst, &args))
    }

    /// `v` as a value available at the end of the preheader, if it does not change in the
    /// loop: defined outside it, or a pure computation of such values.
    fn invariant(&mut self, func: &mut Function, v: Value) -> Option<Value> {
        let v = func.dfg.resolve_aliases(v);
        if let Some(&c) = self.cloned.get(&v) {
            return Some(c);
        }
        if self.variant.contains(&v) {
            return None;
        }
        let found = self.invariant_uncached(func, v);
        if found.is_none() {
            self.variant.insert(v);
        }
        found
    }

    fn invariant_uncached(&mut self, func: &mut Function, v: Value) -> Option<Value> {
        let inst = match func.dfg.value_def(v) {
            ValueDef::Result(inst, 0) => inst,
            ValueDef::Param(block, _) if !self.loops.is_in_loop(block, self.lp) => return Some(v),
            _ => return None,
        };
        let block = func.layout.inst_block(inst)?;
        if !self.loops.is_in_loop(block, self.lp) {
            return Some(v);
        }
        if !self.is_hoistable(func, inst) {
            return None;
        }
        let mut hoisted: SmallVec<[Value; 4]> = SmallVec::new();
        for i in 0..func.dfg.inst_args(inst).len() {
            let a = func.dfg.inst_args(inst)[i];
            hoisted.push(self.invariant(func, a)?);
        }
        let c = self.insert_clone(func, inst, &hoisted);
        self.cloned.insert(v, c);
        Some(c)
    }

    /// Moves the loop's pure computations of values fixed before it (other than constants,
    /// which instructions take as operands) to the preheader: Cranelift's mid-end puts an
    /// add of a constant back into every block that uses it, which on ZisK costs a step on
    /// every iteration, where a value kept in a register or a static frame's slot costs none.
    fn hoist_values(&mut self, func: &mut Function) -> usize {
        let mut moved = 0;
        for &block in self.blocks {
            // The next instruction is read before this one moves.
            let mut next = func.layout.first_inst(block);
            while let Some(inst) = next {
                next = func.layout.next_inst(inst);
                let opcode = func.dfg.insts[inst].opcode();
                if opcode == Opcode::Iconst || !self.is_hoistable(func, inst) {
                    continue;
                }
                // A size word read once is an operand of its user (no step of its own);
                // read more than once, it is an instruction each iteration, which a register
                // kept from the preheader saves.
                if self.reads_size_words(func, inst)
                    && uses_in_loop(func, self.blocks, func.dfg.first_result(inst)) < 2
                {
                    continue;
                }
                let value = func.dfg.first_result(inst);
                if let Some(hoisted) = self.invariant(func, value) {
                    // Its uses become uses of the hoisted value (aliases, resolved once
                    // every loop is done).
                    func.layout.remove_inst(inst);
                    func.dfg.detach_inst_results(inst);
                    func.dfg.change_to_alias(value, hoisted);
                    moved += 1;
                }
            }
        }
        moved
    }

    /// A pure computation, or a read of the size words in a loop that cannot change them.
    fn is_hoistable(&self, func: &Function, inst: Inst) -> bool {
        (func.dfg.inst_results(inst).len() == 1 && is_pure(func, inst))
            || self.size_words_fixed && self.reads_size_words(func, inst)
    }

    fn reads_size_words(&self, func: &Function, inst: Inst) -> bool {
        let InstructionData::Load {
            opcode: Opcode::Load,
            flags,
            ..
        } = func.dfg.insts[inst]
        else {
            return false;
        };
        let flags = &func.dfg.mem_flags[flags];
        self.size_region.is_some()
            && flags.alias_region() == self.size_region
            && flags.trap_code().is_none()
    }

    /// The linear-memory size (or an access limit, which grows with it) read in the loop,
    /// read again in the preheader; or such a word less a constant, or its maximum with one:
    /// the access limits computed from the size, which never decrease as memory grows (the
    /// translator subtracts no more than the size can be, see `AccessLimits`).
    fn memory_size(&mut self, func: &mut Function, v: Value) -> Option<Value> {
        let v = func.dfg.resolve_aliases(v);
        let ValueDef::Result(inst, 0) = func.dfg.value_def(v) else {
            return None;
        };
        if let InstructionData::Binary {
            opcode: Opcode::Isub | Opcode::Umax,
            args: [x, k],
        } = func.dfg.insts[inst]
        {
            czisk_frontend::iconst_value(&func.dfg, k)?;
            let x = self.memory_size(func, x)?;
            let k = self.invariant(func, k)?;
            return Some(self.insert_clone(func, inst, &[x, k]));
        }
        let InstructionData::Load {
            opcode: Opcode::Load,
            arg,
            flags,
            ..
        } = func.dfg.insts[inst]
        else {
            return None;
        };
        let flags = &func.dfg.mem_flags[flags];
        if self.size_region.is_none()
            || flags.alias_region() != self.size_region
            || flags.trap_code().is_some()
        {
            return None;
        }
        let address = self.invariant(func, arg)?;
        Some(self.insert_clone(func, inst, &[address]))
    }

    /// A copy of `inst` on `args`, before the preheader's jump; its (single) result.
    fn insert_clone(&mut self, func: &mut Function, inst: Inst, args: &[Value]) -> Value {
        let copy = func.dfg.clone_inst(inst);
        func.dfg.inst_args_mut(copy).copy_from_slice(args);
        func.layout.insert_inst(copy, self.at);
        func.dfg.first_result(copy)
    }
}

/// How many arguments of the instructions of the loop's `blocks` are `v`.
fn uses_in_loop(func: &Function, blocks: &[Block], v: Value) -> usize {
    blocks
        .iter()
        .flat_map(|&b| func.layout.block_insts(b))
        .flat_map(|inst| func.dfg.inst_values(inst))
        .filter(|&a| func.dfg.resolve_aliases(a) == v)
        .count()
}

/// Whether an instruction of the loop's `blocks` could write the memory-size or
/// access-limit words: a call (a wasm callee may grow memory), a store outside linear
/// memory (memory.grow's own), or another side effect.
fn writes_size_words(func: &Function, blocks: &[Block], heap: Option<AliasRegion>) -> bool {
    blocks
        .iter()
        .flat_map(|&b| func.layout.block_insts(b))
        .any(|inst| {
            let data = &func.dfg.insts[inst];
            let op = data.opcode();
            op.is_call()
                || op.other_side_effects()
                || op.can_store()
                    && data
                        .memflags()
                        .is_none_or(|f| func.dfg.mem_flags[f].alias_region() != heap)
        })
}

/// No memory access, call, trap or other effect: computed anywhere, it gives the same.
pub(crate) fn region_with_id(func: &Function, user_id: u32) -> Option<AliasRegion> {
    func.dfg
        .alias_regions
        .iter()
        .find(|(_, data)| data.user_id == user_id)
        .map(|(region, _)| region)
}
