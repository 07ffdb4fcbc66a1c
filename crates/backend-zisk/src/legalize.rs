//! CLIF rewrites between Cranelift's mid-end and instruction selection, for what the
//! mid-end produces but the backend has no registers for.
//!
//! The mid-end turns LLVM's two-word comparison idiom (`select (hi_a == hi_b) (lo_a cc lo_b)
//! (hi_a cc hi_b)`, common in u128 and U256 code) into one `icmp.i128` of `iconcat`ed
//! halves (cranelift-codegen `opts/icmp.isle`), and may then turn an `iconcat` with a zero
//! or sign high half into an extension (`opts/extends.isle`). ZisK registers are 64 bits,
//! so each such comparison is split back into 64-bit ones here.

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::{
    condcodes::IntCC, types, Function, InstBuilder, InstructionData, Opcode, Value, ValueDef,
};

/// Rewrites every `icmp` of two 128-bit values whose halves are visible (`iconcat`,
/// `uextend`, `sextend`); anything else is left for the lowering to report.
pub fn split_i128_compares(func: &mut Function) {
    let mut compares = Vec::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            if let InstructionData::IntCompare {
                opcode: Opcode::Icmp,
                args,
                cond,
            } = func.dfg.insts[inst]
            {
                if func.dfg.value_type(args[0]) == types::I128 {
                    compares.push((inst, cond, args));
                }
            }
        }
    }
    for (inst, cond, [a, b]) in compares {
        let mut pos = FuncCursor::new(func).at_inst(inst);
        let (Some((a_lo, a_hi)), Some((b_lo, b_hi))) = (halves(&mut pos, a), halves(&mut pos, b))
        else {
            continue;
        };
        let result = match cond {
            IntCC::Equal => {
                let lo = pos.ins().icmp(IntCC::Equal, a_lo, b_lo);
                let hi = pos.ins().icmp(IntCC::Equal, a_hi, b_hi);
                pos.ins().band(lo, hi)
            }
            IntCC::NotEqual => {
                let lo = pos.ins().icmp(IntCC::NotEqual, a_lo, b_lo);
                let hi = pos.ins().icmp(IntCC::NotEqual, a_hi, b_hi);
                pos.ins().bor(lo, hi)
            }
            // The high words decide unless they are equal; then the low words, unsigned.
            _ => {
                let hi_equal = pos.ins().icmp(IntCC::Equal, a_hi, b_hi);
                let lo = pos.ins().icmp(cond.unsigned(), a_lo, b_lo);
                let hi = pos.ins().icmp(cond, a_hi, b_hi);
                pos.ins().select(hi_equal, lo, hi)
            }
        };
        let replacement = pos.func.dfg.value_def(result).unwrap_inst();
        pos.func.dfg.replace_with_aliases(inst, replacement);
        pos.func.layout.remove_inst(inst);
    }
}

/// The low and high 64-bit words of a 128-bit value, when its definition shows them;
/// instructions needed to form them go before the cursor.
fn halves(pos: &mut FuncCursor, value: Value) -> Option<(Value, Value)> {
    let ValueDef::Result(def, _) = pos.func.dfg.value_def(value) else {
        return None;
    };
    match pos.func.dfg.insts[def] {
        InstructionData::Binary {
            opcode: Opcode::Iconcat,
            args,
        } => Some((args[0], args[1])),
        InstructionData::Unary {
            opcode: Opcode::Uextend,
            arg,
        } => {
            let lo = widen_to_i64(pos, arg, false);
            Some((lo, pos.ins().iconst(types::I64, 0)))
        }
        InstructionData::Unary {
            opcode: Opcode::Sextend,
            arg,
        } => {
            let lo = widen_to_i64(pos, arg, true);
            Some((lo, pos.ins().sshr_imm_u(lo, 63)))
        }
        _ => None,
    }
}

fn widen_to_i64(pos: &mut FuncCursor, value: Value, signed: bool) -> Value {
    match pos.func.dfg.value_type(value) {
        types::I64 => value,
        _ if signed => pos.ins().sextend(types::I64, value),
        _ => pos.ins().uextend(types::I64, value),
    }
}
