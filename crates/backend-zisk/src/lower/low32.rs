//! Which i32 values only ever have their low 32 bits read.
//!
//! i32 values are kept sign-extended (see `machine.rs`), which costs: `add_w` is a binary
//! operation where `add` is ZisK's cheaper adder, and an i32 load needs `signextend_w`
//! where a plain load would do. When every user of a value reads only its low 32 bits
//! (32-bit arithmetic, shifts and compares, `add_u_w`, 32-bit and narrower stores,
//! truncations), what lies above them does not matter and the cheaper forms serve. Bitwise
//! operations and selects pass the question on to their own users. The answer is the
//! greatest fixpoint: start from every i32 result, drop values with a user that reads all
//! 64 bits (a call, a return, a block argument, an extension, ...), by a worklist.
//!
//! The table (`reads`) is the one statement of which users read only the low half; the
//! lowering rules must agree with it. The tests check that they do by compiling with every
//! such value's high half poisoned (`lower::with_low32_poisoned`: the corpus and the
//! differential programs), which a rule reading those bits turns into a wrong result.

use std::collections::{HashMap, HashSet};

use cranelift_codegen::ir::{types, Function, Inst, Opcode, Value, ValueDef};

/// How the `index`-th fixed argument of `user` reads its value.
enum Reads {
    Low32,
    All,
    /// Only what the user's own result needs (bitwise operations, select values).
    LikeResult,
}

fn reads(func: &Function, user: Inst, index: usize) -> Reads {
    let op = func.dfg.insts[user].opcode();
    let ctrl = func.dfg.ctrl_typevar(user);
    let arg_ty = |i: usize| func.dfg.value_type(func.dfg.inst_args(user)[i]);
    use Opcode::*;
    match op {
        Iadd | Isub | Imul | Ishl | Ushr | Sshr | Rotl | Rotr | Clz | Ctz | Popcnt | Udiv
        | Urem | Srem | Smin | Smax | Umin | Umax
            if ctrl == types::I32 =>
        {
            Reads::Low32
        }
        Band | Bor | Bxor | Bnot if ctrl == types::I32 => Reads::LikeResult,
        Select if ctrl == types::I32 && index > 0 => Reads::LikeResult,
        Icmp if arg_ty(0) == types::I32 => Reads::Low32,
        Brif | Trapz | Trapnz if index == 0 && arg_ty(0) == types::I32 => Reads::Low32,
        Uextend if ctrl == types::I64 => Reads::Low32,
        Ireduce => Reads::Low32,
        Bitcast if ctrl == types::F32 => Reads::Low32,
        Istore8 | Istore16 | Istore32 if index == 0 => Reads::Low32,
        Store if index == 0 && arg_ty(0) == types::I32 => Reads::Low32,
        _ => Reads::All,
    }
}

pub fn low32_only_values(func: &Function) -> HashSet<Value> {
    // Every use: (user, index among its fixed arguments), or None for a block argument.
    let mut uses: HashMap<Value, Vec<(Inst, Option<usize>)>> = HashMap::new();
    let mut candidates = HashSet::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            let fixed = func.dfg.inst_args(inst);
            for (i, &a) in fixed.iter().enumerate() {
                uses.entry(func.dfg.resolve_aliases(a))
                    .or_default()
                    .push((inst, Some(i)));
            }
            let all = func.dfg.inst_values(inst).count();
            if all > fixed.len() {
                for a in func.dfg.inst_values(inst).skip(fixed.len()) {
                    uses.entry(func.dfg.resolve_aliases(a))
                        .or_default()
                        .push((inst, None));
                }
            }
            for &r in func.dfg.inst_results(inst) {
                if func.dfg.value_type(r) == types::I32 {
                    candidates.insert(r);
                }
            }
        }
    }
    // A value drops out when a user reads all of it; dropping a bitwise result can drop
    // its operands in turn, so they go back on the worklist (each value is revisited only
    // when one of its users' results dropped).
    let reads_all = |v: &Value, candidates: &HashSet<Value>| {
        uses.get(v)
            .into_iter()
            .flatten()
            .any(|&(user, index)| match index {
                None => true,
                Some(i) => match reads(func, user, i) {
                    Reads::Low32 => false,
                    Reads::All => true,
                    Reads::LikeResult => !func
                        .dfg
                        .inst_results(user)
                        .first()
                        .is_some_and(|r| candidates.contains(r)),
                },
            })
    };
    let mut work: Vec<Value> = candidates.iter().copied().collect();
    while let Some(v) = work.pop() {
        if !candidates.contains(&v) || !reads_all(&v, &candidates) {
            continue;
        }
        candidates.remove(&v);
        if let ValueDef::Result(inst, _) = func.dfg.value_def(v) {
            work.extend(
                func.dfg
                    .inst_args(inst)
                    .iter()
                    .map(|&a| func.dfg.resolve_aliases(a)),
            );
        }
    }
    candidates
}
