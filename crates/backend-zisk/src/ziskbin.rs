//! One ZisK instruction straight to its ziskbin encoding: the bytes zisk-core's
//! `ZiskInstBuilder` and then `ziskbin::encode_rom` give for it, without building either
//! (the builder's instruction is some 250 bytes, its operands named by strings, and each
//! goes through a `BTreeMap`). The link streams the program's instructions this way; the
//! BIOS, and the `ZiskRom` outputs, still go through zisk-core, and a test compares the two
//! encodings on real programs (`crates/czisk/tests/ziskbin_encoding.rs`).
//!
//! What the builder does with an operand, reproduced here: register 0 reads as the
//! immediate 0 and a register outside the main trace's (1..=39) as its memory word; an
//! immediate splits into its low and high 32 bits; a store to register 0 stores nothing.

use zisk_core::{
    REGS_IN_MAIN_FROM, REGS_IN_MAIN_TO, REG_FIRST, SRC_IMM, SRC_IND, SRC_MEM, SRC_REG, STORE_IND,
    STORE_MEM, STORE_REG,
};

use crate::varint;

/// An operand as the link resolved it.
#[derive(Clone, Copy, Debug)]
pub enum Source {
    Imm(u64),
    Reg(u64),
    Mem(u64),
    Ind(u64),
}

#[derive(Clone, Copy, Debug)]
pub enum Store {
    None,
    Reg(i64),
    Mem(i64),
    Ind(i64),
}

/// An instruction with its jumps resolved: what the builder is given.
#[derive(Clone, Copy, Debug)]
pub struct Resolved {
    /// zisk-core's opcode.
    pub op: u8,
    pub a: Source,
    pub b: Source,
    pub store: Store,
    /// Width of an `ind` access (b or store).
    pub width: u64,
    pub store_ra: bool,
    pub set_pc: bool,
    pub j1: i64,
    pub j2: i64,
}

/// Bytes between consecutive instructions: a jump offset of this much is left out.
const INST_SIZE: i64 = 4;

/// The builder's view of a register operand: register 0 reads as 0, one outside the main
/// trace as its memory word.
fn register(r: u64) -> Source {
    if r == 0 {
        Source::Imm(0)
    } else if r < REGS_IN_MAIN_FROM as u64 || r > REGS_IN_MAIN_TO as u64 {
        Source::Mem(REG_FIRST + r * 8)
    } else {
        Source::Reg(r)
    }
}

/// (src, offset_imm0, use_sp_imm1) of an operand.
fn source_fields(s: Source) -> (u64, u64, u64) {
    match s {
        Source::Reg(r) => match register(r) {
            Source::Reg(r) => (SRC_REG, r, 0),
            other => source_fields(other),
        },
        Source::Mem(a) => (SRC_MEM, a, 0),
        Source::Imm(v) => (SRC_IMM, v & 0xffff_ffff, v >> 32),
        Source::Ind(o) => (SRC_IND, o, 0),
    }
}

/// The flag bits of the fields present, and their values in bit order.
#[derive(Default)]
struct Fields {
    flags: u32,
    payload: Vec<u8>,
}

impl Fields {
    /// Field `bit`, present unless `value` is 0.
    fn unsigned(&mut self, bit: u32, value: u64) {
        if value != 0 {
            self.flags |= 1 << bit;
            varint::put(&mut self.payload, value);
        }
    }

    /// Field `bit`, signed (zig-zag), present when `present`.
    fn signed(&mut self, bit: u32, value: i64, present: bool) {
        if present {
            self.flags |= 1 << bit;
            varint::put(&mut self.payload, ((value << 1) ^ (value >> 63)) as u64);
        }
    }

    /// Flag `bit` alone.
    fn flag(&mut self, bit: u32, set: bool) {
        if set {
            self.flags |= 1 << bit;
        }
    }
}

/// Encodes instructions one after another, its field buffer reused from one to the next.
#[derive(Default)]
pub struct Encoder {
    fields: Fields,
}

impl Encoder {
    /// Appends the encoding of `inst`, the `index`-th instruction the ROM's builder counted.
    pub fn encode(&mut self, inst: &Resolved, index: u64, out: &mut Vec<u8>) {
        self.fields.flags = 0;
        self.fields.payload.clear();
        encode_fields(inst, index, &mut self.fields);
        out.push(inst.op);
        // The flags, then the fields: the flags are a varint too.
        varint::put(out, self.fields.flags as u64);
        out.extend_from_slice(&self.fields.payload);
    }
}

fn encode_fields(inst: &Resolved, index: u64, f: &mut Fields) {
    let (a_src, a0, a1) = source_fields(inst.a);
    f.unsigned(0, a_src);
    f.unsigned(1, a0);
    f.unsigned(2, a1);
    let (b_src, b0, b1) = source_fields(inst.b);
    f.unsigned(3, b_src);
    f.unsigned(4, b0);
    f.unsigned(5, b1);
    let store = match inst.store {
        Store::Reg(r) => match register(r as u64) {
            Source::Imm(_) => None,
            Source::Mem(a) => Some((STORE_MEM, a as i64)),
            _ => Some((STORE_REG, r)),
        },
        Store::Mem(a) => Some((STORE_MEM, a)),
        Store::Ind(o) => Some((STORE_IND, o)),
        Store::None => None,
    };
    if let Some((kind, offset)) = store {
        f.unsigned(6, kind);
        f.signed(7, offset, offset != 0);
    }
    // A store to register 0 is no store, and does not store the return address either.
    f.flag(8, store.is_some() && inst.store_ra);
    f.flag(10, inst.set_pc);
    if matches!(inst.b, Source::Ind(_)) || matches!(inst.store, Store::Ind(_)) {
        assert!(
            matches!(inst.width, 1 | 2 | 4 | 8),
            "an ind access of {} bytes",
            inst.width
        );
        f.unsigned(12, inst.width);
    }
    f.signed(13, inst.j1, inst.j1 != INST_SIZE);
    f.signed(14, inst.j2, inst.j2 != INST_SIZE);
    f.unsigned(17, index);
}
