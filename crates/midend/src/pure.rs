//! Which instructions have no effect but their results: the one statement of it for the
//! passes here and for the zisk backend's lowering (which folds pure instructions into
//! their users and leaves out unused ones).

use cranelift_codegen::entity::SecondaryMap;
use cranelift_codegen::ir::{Function, Inst, InstructionData, Value, ValueDef};

/// Whether `inst` has no effect but its results: no memory access, call, control flow,
/// trap or other side effect. Such an instruction may move, fold into its user, or go.
pub fn is_pure(func: &Function, inst: Inst) -> bool {
    let op = func.dfg.insts[inst].opcode();
    !(op.can_load()
        || op.can_store()
        || op.is_call()
        || op.is_branch()
        || op.is_terminator()
        || op.can_trap()
        || op.other_side_effects())
}

/// Whether `inst` may be left out when none of its results is needed: a pure instruction,
/// or a load that cannot trap (czisk's linear-memory loads are bounds-checked before them).
pub fn removable_if_unused(func: &Function, inst: Inst) -> bool {
    is_pure(func, inst)
        || matches!(func.dfg.insts[inst], InstructionData::Load { opcode, flags, .. }
            if !opcode.can_store() && func.dfg.mem_flags[flags].trap_code().is_none())
}

/// Calls `f` on each value `inst` uses (as `DataFlowGraph::inst_values` gives them): its
/// fixed arguments with their index, then its block calls' and exception table's arguments
/// with `None`. Only a terminator has the latter, so the others skip their iterator.
#[inline]
pub fn for_each_use(func: &Function, inst: Inst, mut f: impl FnMut(Value, Option<usize>)) {
    let fixed = func.dfg.inst_args(inst);
    for (i, &a) in fixed.iter().enumerate() {
        f(a, Some(i));
    }
    if func.dfg.insts[inst].opcode().is_terminator() {
        for a in func.dfg.inst_values(inst).skip(fixed.len()) {
            f(a, None);
        }
    }
}

/// Removes the instructions nobody needs (those [`removable_if_unused`] whose results have
/// no use), as the computations only moved or dropped checks used become: a worklist, each
/// use counted once, so a chain of dead computations goes in one pass rather than one pass a
/// link.
pub fn remove_dead_code(func: &mut Function) {
    fn unused(func: &Function, uses: &SecondaryMap<Value, u32>, inst: Inst) -> bool {
        func.dfg.inst_results(inst).iter().all(|&r| uses[r] == 0)
    }
    let mut uses: SecondaryMap<Value, u32> = SecondaryMap::with_capacity(func.dfg.num_values());
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            for_each_use(func, inst, |arg, _| {
                uses[func.dfg.resolve_aliases(arg)] += 1
            });
        }
    }
    let mut work = Vec::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            if unused(func, &uses, inst) && removable_if_unused(func, inst) {
                work.push(inst);
            }
        }
    }
    let mut args = Vec::new();
    while let Some(inst) = work.pop() {
        if func.layout.inst_block(inst).is_none() {
            continue;
        }
        args.clear();
        for_each_use(func, inst, |v, _| args.push(func.dfg.resolve_aliases(v)));
        func.layout.remove_inst(inst);
        for &arg in &args {
            uses[arg] -= 1;
            if uses[arg] == 0 {
                if let ValueDef::Result(def, _) = func.dfg.value_def(arg) {
                    if func.layout.inst_block(def).is_some()
                        && removable_if_unused(func, def)
                        && unused(func, &uses, def)
                    {
                        work.push(def);
                    }
                }
            }
        }
    }
}
