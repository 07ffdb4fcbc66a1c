//! Floating point on the zisk backend: the float routines the lowering calls ([`Routine`]),
//! the limits of float-to-integer conversions; and the protocol of ZisK's float library,
//! which the backend no longer calls (`MInst::FloatCall` is kept for comparison work):
//! the RISC-V F/D instruction word the library executes for each operation, and the
//! registers it reads and writes.
//!
//! Protocol (zisk-core `rom_layout`, the BIOS float handler): the instruction goes to
//! `FREG_INST`, the return address to `FREG_RA`; the handler saves r1..r31 in memory, runs
//! the library, which reads and writes the float registers f0..f31 in memory at `FREG_F0`
//! and the saved integer registers, restores r1..r31 and returns. We put float operands in
//! f1 and f2, an integer operand in x10, and take the result from f0 or x10.
//!
//! An f32 operand goes in zero-extended, not NaN-boxed as RISC-V would have it: the
//! library's special-case tests (infinities, signs, zeros) read the sign of an f32 with the
//! mask 0xffffffff_80000000, so a boxed operand looks negative to them. (Its results come
//! back boxed or not; only their low half is used.) The library's `fcvt.d.s` returns NaN
//! for zeros and subnormals, so promotion does not use it (see the runtime's promote).

use cranelift_codegen::ir::{types, Type};

/// The float routines the lowering calls (`crates/softfloat`, see
/// `czisk_runtime::softfloat`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Routine {
    Add,
    Sub,
    Mul,
    Div,
    Sqrt,
    Min,
    Max,
    Nearest,
    Floor,
    Ceil,
    Trunc,
    FromI64,
    FromU64,
    ToInt,
    Demote,
}

/// The export name of `routine` for the float type `ty` (`f64_add`, `f32_demote`, ...).
pub fn routine_name(routine: Routine, ty: Type) -> String {
    let prefix = if ty == types::F64 { "f64" } else { "f32" };
    let op = match routine {
        Routine::Add => "add",
        Routine::Sub => "sub",
        Routine::Mul => "mul",
        Routine::Div => "div",
        Routine::Sqrt => "sqrt",
        Routine::Min => "min",
        Routine::Max => "max",
        Routine::Nearest => "nearest",
        Routine::Floor => "floor",
        Routine::Ceil => "ceil",
        Routine::Trunc => "trunc",
        Routine::FromI64 => "from_i64",
        Routine::FromU64 => "from_u64",
        Routine::ToInt => "to_int",
        Routine::Demote => "demote",
    };
    format!("{prefix}_{op}")
}

/// Float operations the library performs for us.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum FOp {
    Add,
    Sub,
    Mul,
    Div,
    Sqrt,
    Min,
    Max,
    Feq,
    Flt,
    Fle,
    Demote,
    ToI32,
    ToU32,
    ToI64,
    ToU64,
    FromI32,
    FromU32,
    FromI64,
    FromU64,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RoundingMode {
    Rne,
    Rtz,
    Rdn,
    Rup,
}

/// The integer register that carries an integer operand or result (x10).
pub const INT_REG: u8 = 10;
const F0: u32 = 0;
const F1: u32 = 1;
const F2: u32 = 2;

/// Whether the operation returns an integer (in x10) rather than a float (in f0).
pub fn returns_int(op: FOp) -> bool {
    matches!(
        op,
        FOp::Feq | FOp::Flt | FOp::Fle | FOp::ToI32 | FOp::ToU32 | FOp::ToI64 | FOp::ToU64
    )
}

/// The RISC-V instruction word: `ty` is the float type the instruction works in (the
/// source for compares and float-to-integer, the result otherwise).
pub fn instruction_word(op: FOp, ty: Type, rm: RoundingMode) -> u32 {
    let fmt = u32::from(ty == types::F64);
    let rm = match rm {
        RoundingMode::Rne => 0,
        RoundingMode::Rtz => 1,
        RoundingMode::Rdn => 2,
        RoundingMode::Rup => 3,
    };
    let x10 = INT_REG as u32;
    let (funct7, rs2, rs1, funct3, rd) = match op {
        FOp::Add => (fmt, F2, F1, rm, F0),
        FOp::Sub => (0x04 | fmt, F2, F1, rm, F0),
        FOp::Mul => (0x08 | fmt, F2, F1, rm, F0),
        FOp::Div => (0x0c | fmt, F2, F1, rm, F0),
        FOp::Sqrt => (0x2c | fmt, 0, F1, rm, F0),
        FOp::Min => (0x14 | fmt, F2, F1, 0, F0),
        FOp::Max => (0x14 | fmt, F2, F1, 1, F0),
        FOp::Fle => (0x50 | fmt, F2, F1, 0, x10),
        FOp::Flt => (0x50 | fmt, F2, F1, 1, x10),
        FOp::Feq => (0x50 | fmt, F2, F1, 2, x10),
        FOp::Demote => (0x20, 1, F1, rm, F0),
        FOp::ToI32 => (0x60 | fmt, 0, F1, rm, x10),
        FOp::ToU32 => (0x60 | fmt, 1, F1, rm, x10),
        FOp::ToI64 => (0x60 | fmt, 2, F1, rm, x10),
        FOp::ToU64 => (0x60 | fmt, 3, F1, rm, x10),
        FOp::FromI32 => (0x68 | fmt, 0, x10, rm, F0),
        FOp::FromU32 => (0x68 | fmt, 1, x10, rm, F0),
        FOp::FromI64 => (0x68 | fmt, 2, x10, rm, F0),
        FOp::FromU64 => (0x68 | fmt, 3, x10, rm, F0),
    };
    funct7 << 25 | rs2 << 20 | rs1 << 15 | funct3 << 12 | rd << 7 | 0x53
}

/// Bit patterns of the limits of truncating a float of type `fty` into an integer of type
/// `ity`: the smallest magnitude that does not fit, for positive and for negative inputs.
pub fn conversion_limits(fty: Type, ity: Type, signed: bool) -> (u64, u64) {
    let bits = |x: f64| {
        if fty == types::F64 {
            x.to_bits()
        } else {
            (x as f32).to_bits() as u64
        }
    };
    let width = ity.bits() as i32;
    if signed {
        let top = 2f64.powi(width - 1);
        // Negative inputs may reach -2^(w-1) - 1 exclusive; in f32 the next magnitude above
        // 2^(w-1) is already out of range (its spacing is larger than 1).
        let neg = if fty == types::F64 && width == 32 {
            bits(top + 1.0)
        } else {
            bits(top) + 1
        };
        (bits(top), neg)
    } else {
        (bits(2f64.powi(width)), bits(1.0))
    }
}
