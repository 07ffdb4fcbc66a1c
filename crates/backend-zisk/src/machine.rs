//! The ZisK machine as this backend sees it: registers, the calling convention's register
//! roles, and the opcodes instruction selection chooses from.
//!
//! Registers r1..r39 live in ZisK's main trace (an access costs nothing beyond the step);
//! r0 reads as zero. The convention:
//! - r1 holds the return address (ZisK's BIOS calls the program the same way);
//! - r2 is the stack pointer (stack grows down from the top of ZisK's stack region);
//! - r10..r17 carry the first eight arguments and the first eight results;
//! - r3..r37 are clobbered by calls (a call to a float routine only the registers the
//!   routine writes, within r3..r17); r38 and r39 are preserved by the callee. Most
//!   functions are non-reentrant and keep spills at fixed addresses (`calls.rs`), where a
//!   caller's spill around a call costs what a callee's save would, and is paid only where
//!   a value is live across a call: with r20..r39 callee-saved, eth_block took 5% more
//!   steps (every function using many registers saved and restored them on each call).
//!
//! Values in registers: i64 and f64 fill the register; an i32 is kept sign-extended to
//! 64 bits (ZisK's `_w` ops produce exactly that), so 64-bit compares, `and`/`or`/`xor`
//! and `min`/`max` serve i32 unchanged and `sextend` from i32 is free, except an i32 whose
//! users all read only its low half (the table in `lower/low32.rs`, the one source of that
//! rule), which may carry anything above it; i8, i16 and f32 keep their low bits valid and
//! anything above. The tests compile with such high halves poisoned
//! (`lower::with_low32_poisoned`), so a rule reading bits the table says it does not fails
//! them.

use regalloc2::{PReg, PRegSet, RegClass};

pub const RA: u8 = 1;
pub const SP: u8 = 2;
pub const ARG_REGS: [u8; 8] = [10, 11, 12, 13, 14, 15, 16, 17];
pub const FIRST_CALLEE_SAVED: u8 = 38;
pub const LAST_REG: u8 = 39;

pub fn preg(n: u8) -> PReg {
    PReg::new(n as usize, RegClass::Int)
}

pub fn is_callee_saved(n: u8) -> bool {
    (FIRST_CALLEE_SAVED..=LAST_REG).contains(&n)
}

/// Registers a call may overwrite.
pub fn caller_saved() -> PRegSet {
    let mut set = PRegSet::empty();
    for n in 3..FIRST_CALLEE_SAVED {
        set.add(preg(n));
    }
    set
}

pub fn machine_env() -> regalloc2::MachineEnv {
    let mut preferred = PRegSet::empty();
    for n in 3..FIRST_CALLEE_SAVED {
        preferred.add(preg(n));
    }
    let mut non_preferred = PRegSet::empty();
    for n in FIRST_CALLEE_SAVED..=LAST_REG {
        non_preferred.add(preg(n));
    }
    regalloc2::MachineEnv {
        preferred_regs_by_class: [preferred, PRegSet::empty(), PRegSet::empty()],
        non_preferred_regs_by_class: [non_preferred, PRegSet::empty(), PRegSet::empty()],
        scratch_by_class: [None, None, None],
        fixed_stack_slots: vec![],
    }
}

/// The ZisK opcodes instruction selection uses (zisk-core `zisk_ops.rs` has them all).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ZOp {
    Flag,
    CopyB,
    Add,
    AddW,
    Sub,
    SubW,
    Mul,
    MulW,
    Mulh,
    Muluh,
    Mulsuh,
    Div,
    DivW,
    Divu,
    DivuW,
    Rem,
    RemW,
    Remu,
    RemuW,
    And,
    Or,
    Xor,
    Andn,
    Orn,
    Xnor,
    Sll,
    SllW,
    Srl,
    SrlW,
    Sra,
    SraW,
    Rol,
    RolW,
    Ror,
    RorW,
    Clz,
    ClzW,
    Ctz,
    CtzW,
    Cpop,
    CpopW,
    Rev8,
    Min,
    MinW,
    Minu,
    MinuW,
    Max,
    MaxW,
    Maxu,
    MaxuW,
    Eq,
    EqW,
    Lt,
    LtW,
    Ltu,
    LtuW,
    Le,
    LeW,
    Leu,
    LeuW,
    SignExtendB,
    SignExtendH,
    SignExtendW,
    AddUW,
    Sh1add,
    Sh2add,
    Sh3add,
    Sh1addUW,
    Sh2addUW,
    Sh3addUW,
    SllUW,
    CzeroEqz,
    CzeroNez,
    DmaMemcpy,
    DmaXmemset,
    Keccak,
    Sha256,
    Secp256k1Add,
    Secp256k1Dbl,
    Arith256,
    Arith256Mod,
    Secp256r1Add,
    Secp256r1Dbl,
    Bn254CurveAdd,
    Bn254CurveDbl,
    Bn254ComplexAdd,
    Bn254ComplexSub,
    Bn254ComplexMul,
    Bls12_381CurveAdd,
    Bls12_381CurveDbl,
    Bls12_381ComplexAdd,
    Bls12_381ComplexSub,
    Bls12_381ComplexMul,
    Arith384Mod,
    Add256,
    Ed25519Add,
    BabyJubJubAdd,
    Blake2b,
    Blake2s,
    Blake3,
    Poseidon2,
    Poseidon1,
    Poseidon2KoalaBear,
}

impl ZOp {
    /// The name `ZiskInstBuilder::op` takes.
    pub fn name(self) -> &'static str {
        use ZOp::*;
        match self {
            Flag => "flag",
            CopyB => "copyb",
            Add => "add",
            AddW => "add_w",
            Sub => "sub",
            SubW => "sub_w",
            Mul => "mul",
            MulW => "mul_w",
            Mulh => "mulh",
            Muluh => "muluh",
            Mulsuh => "mulsuh",
            Div => "div",
            DivW => "div_w",
            Divu => "divu",
            DivuW => "divu_w",
            Rem => "rem",
            RemW => "rem_w",
            Remu => "remu",
            RemuW => "remu_w",
            And => "and",
            Or => "or",
            Xor => "xor",
            Andn => "andn",
            Orn => "orn",
            Xnor => "xnor",
            Sll => "sll",
            SllW => "sll_w",
            Srl => "srl",
            SrlW => "srl_w",
            Sra => "sra",
            SraW => "sra_w",
            Rol => "rol",
            RolW => "rol_w",
            Ror => "ror",
            RorW => "ror_w",
            Clz => "clz",
            ClzW => "clz_w",
            Ctz => "ctz",
            CtzW => "ctz_w",
            Cpop => "cpop",
            CpopW => "cpop_w",
            Rev8 => "rev8",
            Min => "min",
            MinW => "min_w",
            Minu => "minu",
            MinuW => "minu_w",
            Max => "max",
            MaxW => "max_w",
            Maxu => "maxu",
            MaxuW => "maxu_w",
            Eq => "eq",
            EqW => "eq_w",
            Lt => "lt",
            LtW => "lt_w",
            Ltu => "ltu",
            LtuW => "ltu_w",
            Le => "le",
            LeW => "le_w",
            Leu => "leu",
            LeuW => "leu_w",
            SignExtendB => "signextend_b",
            SignExtendH => "signextend_h",
            SignExtendW => "signextend_w",
            AddUW => "add_u_w",
            Sh1add => "sh1add",
            Sh2add => "sh2add",
            Sh3add => "sh3add",
            Sh1addUW => "sh1add_u_w",
            Sh2addUW => "sh2add_u_w",
            Sh3addUW => "sh3add_u_w",
            SllUW => "sll_u_w",
            CzeroEqz => "czero_eqz",
            CzeroNez => "czero_nez",
            DmaMemcpy => "dma_memcpy",
            DmaXmemset => "dma_xmemset",
            Keccak => "keccak",
            Sha256 => "sha256",
            Secp256k1Add => "secp256k1_add",
            Secp256k1Dbl => "secp256k1_dbl",
            Arith256 => "arith256",
            Arith256Mod => "arith256_mod",
            Secp256r1Add => "secp256r1_add",
            Secp256r1Dbl => "secp256r1_dbl",
            Bn254CurveAdd => "bn254_curve_add",
            Bn254CurveDbl => "bn254_curve_dbl",
            Bn254ComplexAdd => "bn254_complex_add",
            Bn254ComplexSub => "bn254_complex_sub",
            Bn254ComplexMul => "bn254_complex_mul",
            Bls12_381CurveAdd => "bls12_381_curve_add",
            Bls12_381CurveDbl => "bls12_381_curve_dbl",
            Bls12_381ComplexAdd => "bls12_381_complex_add",
            Bls12_381ComplexSub => "bls12_381_complex_sub",
            Bls12_381ComplexMul => "bls12_381_complex_mul",
            Arith384Mod => "arith384_mod",
            Add256 => "add256",
            Ed25519Add => "ed25519_add",
            BabyJubJubAdd => "babyjubjub_add",
            Blake2b => "blake2b",
            Blake2s => "blake2s",
            Blake3 => "blake3",
            Poseidon2 => "poseidon2",
            Poseidon1 => "poseidon1",
            Poseidon2KoalaBear => "poseidon2_koalabear",
        }
    }
}
