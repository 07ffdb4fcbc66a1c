//! Every use of every value of a function, found once per function and shared by the
//! lowering's analyses (`low32.rs`) and the lowering context's folding decisions.

use cranelift_codegen::entity::EntityRef;
use cranelift_codegen::ir::{Function, Inst, Value};
use czisk_midend::pure::for_each_use;

/// One use of a value: by `user`, as its `index`-th fixed argument, or (`None`) as an
/// argument of one of its block calls.
#[derive(Clone, Copy, Debug)]
pub struct Use {
    pub user: Inst,
    pub index: Option<usize>,
}

/// The uses of each value (by its alias-resolved number), in one flat table.
pub struct Uses {
    /// `uses[start[v]..start[v + 1]]` are the uses of value number `v`.
    start: Vec<u32>,
    uses: Vec<Use>,
}

impl Uses {
    pub fn of_function(func: &Function) -> Uses {
        // Every use in program order, then placed by value (a counting sort): a value's
        // uses end where the next value's begin.
        let values = func.dfg.num_values();
        let mut found: Vec<(Value, Use)> = Vec::with_capacity(func.dfg.num_insts() * 2);
        for block in func.layout.blocks() {
            for user in func.layout.block_insts(block) {
                for_each_use(func, user, |a, index| {
                    found.push((func.dfg.resolve_aliases(a), Use { user, index }));
                });
            }
        }
        let mut start = vec![0u32; values + 1];
        for (v, _) in &found {
            start[v.index() + 1] += 1;
        }
        for i in 1..=values {
            start[i] += start[i - 1];
        }
        let mut next = start.clone();
        let placeholder = Use {
            user: Inst::from_u32(0),
            index: None,
        };
        let mut uses = vec![placeholder; found.len()];
        for (v, u) in found {
            let slot = &mut next[v.index()];
            uses[*slot as usize] = u;
            *slot += 1;
        }
        Uses { start, uses }
    }

    /// The uses of `v` (an alias-resolved value).
    pub fn of(&self, v: Value) -> &[Use] {
        let i = v.index();
        &self.uses[self.start[i] as usize..self.start[i + 1] as usize]
    }

    pub fn count(&self, v: Value) -> usize {
        self.of(v).len()
    }
}
