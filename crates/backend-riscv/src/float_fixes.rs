//! Work-arounds, in CLIF before compiling, for two faults of ZisK's float library (which
//! ZisK's RISC-V transpiler runs for the F and D instructions):
//! - `fcvt.d.s` returns NaN for zeros and subnormals: each `fpromote` becomes integer
//!   code on the bits (branch-free: selects);
//! - `fcvt.s.d` returns its f32 NaN-boxed, while the library's f32 operations read an
//!   operand's sign with a 64-bit mask, so a boxed operand looks negative (`sqrt` of a
//!   demoted 9.0 gave NaN): each `fdemote` result gets `+ -0.0`, an exact identity
//!   (NaNs come out canonical, which demotion allows) that the library computes on the
//!   low half and returns unboxed. (Moving it through an integer register would not do:
//!   the library's `fmv.x.w` and `fmv.w.x` copy all 64 bits.)

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::types::{F32, F64, I32, I64};
use cranelift_codegen::ir::{Function, Inst, InstBuilder, InstructionData, MemFlagsData, Opcode};

pub fn work_around_float_library(func: &mut Function) {
    // Found first, rewritten after: the rewrites insert instructions around them.
    let mut found = Vec::new();
    let mut cursor = FuncCursor::new(func);
    while let Some(_block) = cursor.next_block() {
        while let Some(inst) = cursor.next_inst() {
            if let InstructionData::Unary {
                opcode: opcode @ (Opcode::Fdemote | Opcode::Fpromote),
                arg,
            } = cursor.func.dfg.insts[inst]
            {
                found.push((inst, opcode, arg));
            }
        }
    }
    for (inst, opcode, arg) in found {
        if opcode == Opcode::Fdemote {
            unbox_demoted(&mut cursor, inst);
            continue;
        }
        cursor.goto_inst(inst);
        {
            let bits32 = cursor.ins().bitcast(I32, MemFlagsData::new(), arg);
            let bits = cursor.ins().uextend(I64, bits32);
            let sign = cursor.ins().band_imm_u(bits, 0x8000_0000);
            let sign = cursor.ins().ishl_imm_u(sign, 32);
            let a = cursor.ins().band_imm_u(bits, 0x7fff_ffff);
            let shifted = cursor.ins().ishl_imm_u(a, 29);
            // Normal: rebias the exponent from 127 to 1023.
            let normal = cursor.ins().iadd_imm_s(shifted, 896 << 52);
            // Infinity or NaN: all-ones exponent, payload kept, quiet bit set for NaNs.
            let is_nan = cursor
                .ins()
                .icmp_imm_u(IntCC::UnsignedGreaterThan, a, 0x7f80_0000);
            let is_nan = cursor.ins().uextend(I64, is_nan);
            let quiet = cursor.ins().ishl_imm_u(is_nan, 51);
            let special = cursor.ins().bor_imm_u(shifted, 0x7ff0_0000_0000_0000);
            let special = cursor.ins().bor(special, quiet);
            // Subnormal: the leading one moves to bit 52, the exponent follows its position.
            let lz = cursor.ins().clz(a);
            let shift = cursor.ins().iadd_imm_s(lz, -11);
            let mantissa = cursor.ins().ishl(a, shift);
            let bias = cursor.ins().iconst(I64, 936);
            let exponent = cursor.ins().isub(bias, lz);
            let exponent = cursor.ins().ishl_imm_u(exponent, 52);
            let subnormal = cursor.ins().iadd(mantissa, exponent);
            let zero = cursor.ins().iconst(I64, 0);
            let is_zero = cursor.ins().icmp_imm_u(IntCC::Equal, a, 0);
            let small = cursor.ins().select(is_zero, zero, subnormal);
            let is_small = cursor
                .ins()
                .icmp_imm_u(IntCC::UnsignedLessThan, a, 0x80_0000);
            let is_special =
                cursor
                    .ins()
                    .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, a, 0x7f80_0000);
            let big = cursor.ins().select(is_special, special, normal);
            let magnitude = cursor.ins().select(is_small, small, big);
            let result = cursor.ins().bor(magnitude, sign);
            cursor
                .func
                .replace(inst)
                .bitcast(F64, MemFlagsData::new(), result);
        }
    }
}

/// Gives the users of `demote`'s result `demote + -0.0` instead.
fn unbox_demoted(cursor: &mut FuncCursor, demote: Inst) {
    let boxed = cursor.func.dfg.first_result(demote);
    // A fresh result for the demote; the old value becomes the unboxed copy.
    let fresh = cursor.func.dfg.replace_result(boxed, F32);
    cursor.goto_after_inst(demote);
    let negative_zero = cursor.ins().f32const(-0.0);
    let unboxed = cursor.ins().fadd(fresh, negative_zero);
    cursor.func.dfg.change_to_alias(boxed, unboxed);
}
