//! Floating point on the zisk backend: the float routines the lowering calls ([`Routine`])
//! and the limits of float-to-integer conversions. Every float operation is our own integer
//! code (inline, or a routine of `crates/softfloat`); nothing calls ZisK's float library,
//! which is left out of the ROM (`link::base_rom`).

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
