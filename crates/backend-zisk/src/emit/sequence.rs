//! Multi-instruction sequences with jumps inside them (f32 promotion, memmove's overlap
//! test), written with labels of their own; the jumps become relative offsets when the
//! sequence is done, so nobody counts instructions by hand.

use super::{Target, ZInst, ZOp, ZSrc, ZStore};

/// A label inside one [`Sequence`].
#[derive(Clone, Copy)]
pub(super) struct Local(usize);

/// Straight-line code whose jumps go to its own labels (a label may sit just past the
/// last instruction: the code after the sequence).
#[derive(Default)]
pub(super) struct Sequence {
    code: Vec<ZInst>,
    bound: Vec<Option<usize>>,
    /// (instruction, whether both jumps or only j1, label)
    jumps: Vec<(usize, bool, Local)>,
}

impl Sequence {
    pub fn label(&mut self) -> Local {
        self.bound.push(None);
        Local(self.bound.len() - 1)
    }

    /// `label` is the next instruction pushed.
    pub fn bind(&mut self, label: Local) {
        assert!(self.bound[label.0].is_none(), "a label bound twice");
        self.bound[label.0] = Some(self.code.len());
    }

    pub fn push(&mut self, z: ZInst) {
        self.code.push(z);
    }

    /// `z`, continuing at `to` when its flag is set.
    pub fn branch(&mut self, z: ZInst, to: Local) {
        self.jumps.push((self.code.len(), false, to));
        self.code.push(z);
    }

    /// `z`, then `to` whatever its flag.
    pub fn jump(&mut self, z: ZInst, to: Local) {
        self.jumps.push((self.code.len(), true, to));
        self.code.push(z);
    }

    /// The code, each jump a relative offset to its label.
    pub fn finish(mut self, out: &mut Vec<ZInst>) {
        for &(at, both, label) in &self.jumps {
            let target = self.bound[label.0].expect("a label used but never bound");
            let offset = Target::Raw(4 * (target as i64 - at as i64));
            let z = &mut self.code[at];
            z.j1 = offset;
            if both {
                z.j2 = offset;
            }
        }
        out.extend(self.code);
    }
}

/// f32 bits in `src` -> f64 bits in `dst`, exactly, using the four temporaries `t`.
/// Normal numbers rebias the exponent (9 steps); infinities and NaNs keep the payload,
/// quieted; subnormals normalize with clz; zeros keep only the sign.
pub(super) fn promote(src: ZSrc, dst: ZStore, t: [u8; 4], out: &mut Vec<ZInst>) {
    let (r0, r1, r2, r3) = (
        ZSrc::Reg(t[0]),
        ZSrc::Reg(t[1]),
        ZSrc::Reg(t[2]),
        ZSrc::Reg(t[3]),
    );
    let (s0, s1, s2, s3) = (
        ZStore::Reg(t[0]),
        ZStore::Reg(t[1]),
        ZStore::Reg(t[2]),
        ZStore::Reg(t[3]),
    );
    let imm = ZSrc::Imm;
    let op = ZInst::op;
    let mut s = Sequence::default();
    let (normal, tiny, end) = (s.label(), s.label(), s.label());
    // r0 = |x| (32 bits), r1 = the sign bit.
    s.push(op(ZOp::And, src, imm(0xffff_ffff), s0));
    s.push(op(ZOp::And, r0, imm(0x8000_0000), s1));
    s.push(op(ZOp::Xor, r0, r1, s0));
    s.push(op(ZOp::Sub, r0, imm(0x80_0000), s2));
    s.branch(op(ZOp::Ltu, r2, imm(0x7f00_0000), ZStore::None), normal);
    s.branch(op(ZOp::Ltu, r0, imm(0x80_0000), ZStore::None), tiny);
    // Infinity or NaN: the quiet bit is set for a NaN.
    s.push(op(ZOp::Ltu, imm(0x7f80_0000), r0, s2));
    s.push(op(ZOp::Sll, r2, imm(51), s2));
    s.push(op(ZOp::Sll, r0, imm(29), s0));
    s.push(op(ZOp::Or, r0, imm(0x7ff0_0000_0000_0000), s0));
    s.jump(op(ZOp::Or, r0, r2, s0), end);
    // Zero or subnormal: the leading one moves to bit 52.
    s.bind(tiny);
    s.branch(op(ZOp::Eq, r0, imm(0), ZStore::None), end);
    s.push(op(ZOp::Clz, imm(0), r0, s2));
    s.push(op(ZOp::Sub, r2, imm(11), s3));
    s.push(op(ZOp::Sll, r0, r3, s0));
    s.push(op(ZOp::Sub, imm(936), r2, s2));
    s.push(op(ZOp::Sll, r2, imm(52), s2));
    s.jump(op(ZOp::Add, r0, r2, s0), end);
    // Normal: rebias the exponent.
    s.bind(normal);
    s.push(op(ZOp::Sll, r0, imm(29), s0));
    s.push(op(ZOp::Add, r0, imm(896 << 52), s0));
    // The sign.
    s.bind(end);
    s.push(op(ZOp::Sll, r1, imm(32), s1));
    s.push(op(ZOp::Or, r0, r1, dst));
    s.finish(out);
}

/// `memmove(r10 = dst, r11 = src, r12 = len)`: one DMA copy when the ranges do not overlap,
/// the runtime's memmove (`call`, returning to the end) when they do. r13 is free (the
/// instruction clobbers it like a call).
pub(super) fn memmove(call: ZInst, out: &mut Vec<ZInst>) {
    let (dst, src, len, tmp) = (ZSrc::Reg(10), ZSrc::Reg(11), ZSrc::Reg(12), 13);
    let mut s = Sequence::default();
    let (disjoint, end) = (s.label(), s.label());
    s.push(ZInst::op(ZOp::Add, dst, len, ZStore::Reg(tmp)));
    s.branch(
        ZInst::op(ZOp::Leu, ZSrc::Reg(tmp), src, ZStore::None),
        disjoint,
    );
    s.push(ZInst::op(ZOp::Add, src, len, ZStore::Reg(tmp)));
    s.branch(
        ZInst::op(ZOp::Leu, ZSrc::Reg(tmp), dst, ZStore::None),
        disjoint,
    );
    s.push(call);
    s.jump(ZInst::copy(ZSrc::Imm(0), ZStore::None), end);
    s.bind(disjoint);
    // The DMA copy's count is its extra parameter.
    s.push(ZInst::copy(len, ZStore::Mem(zisk_core::EXTRA_PARAMS_ADDR)));
    s.push(ZInst {
        j1: Target::Raw(0),
        ..ZInst::op(ZOp::DmaMemcpy, dst, src, ZStore::None)
    });
    s.bind(end);
    s.finish(out);
}
