//! The traps WebAssembly defines, as CLIF trap codes.
//!
//! Cranelift's reserved codes are used where they mean the same thing, so that the traps
//! Cranelift itself inserts (integer division, float-to-int conversion) already carry the
//! right meaning; the others are user codes.

use cranelift_codegen::ir::TrapCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WasmTrap {
    Unreachable,
    MemoryOutOfBounds,
    TableOutOfBounds,
    TableAccessOutOfBounds,
    IndirectCallToNull,
    BadSignature,
    IntegerDivideByZero,
    IntegerOverflow,
    InvalidConversionToInteger,
    StackOverflow,
    /// A `zisk` precompile import given a pointer its instruction cannot take.
    UnalignedPrecompileArgument,
    /// `zisk.set_output` beyond the public output's words.
    PublicOutputIndex,
    /// A `zisk` precompile import given a value its instruction cannot take (a round number
    /// out of range).
    PrecompileArgumentOutOfRange,
}

impl WasmTrap {
    /// Every kind, in the order of their exit codes (0x100 + position): new kinds go last.
    pub const ALL: [WasmTrap; 13] = [
        WasmTrap::Unreachable,
        WasmTrap::MemoryOutOfBounds,
        WasmTrap::TableOutOfBounds,
        WasmTrap::TableAccessOutOfBounds,
        WasmTrap::IndirectCallToNull,
        WasmTrap::BadSignature,
        WasmTrap::IntegerDivideByZero,
        WasmTrap::IntegerOverflow,
        WasmTrap::InvalidConversionToInteger,
        WasmTrap::StackOverflow,
        WasmTrap::UnalignedPrecompileArgument,
        WasmTrap::PublicOutputIndex,
        WasmTrap::PrecompileArgumentOutOfRange,
    ];

    pub fn code(self) -> TrapCode {
        match self {
            WasmTrap::Unreachable => TrapCode::unwrap_user(1),
            WasmTrap::TableOutOfBounds => TrapCode::unwrap_user(2),
            WasmTrap::IndirectCallToNull => TrapCode::unwrap_user(3),
            WasmTrap::BadSignature => TrapCode::unwrap_user(4),
            WasmTrap::TableAccessOutOfBounds => TrapCode::unwrap_user(5),
            WasmTrap::MemoryOutOfBounds => TrapCode::HEAP_OUT_OF_BOUNDS,
            WasmTrap::IntegerDivideByZero => TrapCode::INTEGER_DIVISION_BY_ZERO,
            WasmTrap::IntegerOverflow => TrapCode::INTEGER_OVERFLOW,
            WasmTrap::InvalidConversionToInteger => TrapCode::BAD_CONVERSION_TO_INTEGER,
            WasmTrap::StackOverflow => TrapCode::STACK_OVERFLOW,
            WasmTrap::UnalignedPrecompileArgument => TrapCode::unwrap_user(6),
            WasmTrap::PublicOutputIndex => TrapCode::unwrap_user(7),
            WasmTrap::PrecompileArgumentOutOfRange => TrapCode::unwrap_user(8),
        }
    }

    pub fn from_code(code: TrapCode) -> Option<WasmTrap> {
        WasmTrap::ALL.into_iter().find(|t| t.code() == code)
    }

    /// The spec's wording, as the reference interpreter reports it.
    pub fn message(self) -> &'static str {
        match self {
            WasmTrap::Unreachable => "unreachable",
            WasmTrap::MemoryOutOfBounds => "out of bounds memory access",
            WasmTrap::TableOutOfBounds => "undefined element",
            WasmTrap::TableAccessOutOfBounds => "out of bounds table access",
            WasmTrap::IndirectCallToNull => "uninitialized element",
            WasmTrap::BadSignature => "indirect call type mismatch",
            WasmTrap::IntegerDivideByZero => "integer divide by zero",
            WasmTrap::IntegerOverflow => "integer overflow",
            WasmTrap::InvalidConversionToInteger => "invalid conversion to integer",
            WasmTrap::StackOverflow => "call stack exhausted",
            WasmTrap::UnalignedPrecompileArgument => "unaligned precompile argument",
            WasmTrap::PublicOutputIndex => "public output index out of range",
            WasmTrap::PrecompileArgumentOutOfRange => "precompile argument out of range",
        }
    }
}
