//! Emitted code kept compactly until the link: every function's instructions wait for the
//! addresses of the functions after it, and as [`ZInst`]s (88 bytes each) a big module's
//! would be most of the compiler's memory (a 4.5 MB Go module: 1.3 M instructions). Packed,
//! an instruction is its opcode and a few bytes: the kinds of its operands, store and
//! jumps in three bytes, then their values as LEB128 varints (signed ones zig-zagged).

use crate::emit::{Target, ZInst, ZSrc, ZStore};
use crate::machine::ZOp;
use crate::varint::put;

/// A function's instructions, packed.
#[derive(Default)]
pub struct PackedCode {
    ops: Vec<ZOp>,
    bytes: Vec<u8>,
}

fn put_signed(out: &mut Vec<u8>, v: i64) {
    put(out, ((v << 1) ^ (v >> 63)) as u64);
}

fn get(bytes: &[u8], pos: &mut usize) -> u64 {
    crate::varint::read(bytes, pos).expect("packed code is written by `pack`")
}

fn get_signed(bytes: &[u8], pos: &mut usize) -> i64 {
    let v = get(bytes, pos);
    ((v >> 1) as i64) ^ -((v & 1) as i64)
}

fn src_kind(s: &ZSrc) -> u8 {
    match s {
        ZSrc::Imm(_) => 0,
        ZSrc::Reg(_) => 1,
        ZSrc::Mem(_) => 2,
        ZSrc::Ind(_) => 3,
        ZSrc::FuncAddr(_) => 4,
    }
}

fn put_src(out: &mut Vec<u8>, s: &ZSrc) {
    match *s {
        ZSrc::Imm(v) | ZSrc::Mem(v) => put(out, v),
        ZSrc::Reg(r) => out.push(r),
        ZSrc::Ind(o) => put_signed(out, o),
        ZSrc::FuncAddr((ns, i)) => {
            put(out, ns.into());
            put(out, i.into());
        }
    }
}

fn get_src(kind: u8, bytes: &[u8], pos: &mut usize) -> ZSrc {
    match kind {
        0 => ZSrc::Imm(get(bytes, pos)),
        1 => {
            *pos += 1;
            ZSrc::Reg(bytes[*pos - 1])
        }
        2 => ZSrc::Mem(get(bytes, pos)),
        3 => ZSrc::Ind(get_signed(bytes, pos)),
        _ => ZSrc::FuncAddr((get(bytes, pos) as u32, get(bytes, pos) as u32)),
    }
}

fn store_kind(s: &ZStore) -> u8 {
    match s {
        ZStore::None => 0,
        ZStore::Reg(_) => 1,
        ZStore::Mem(_) => 2,
        ZStore::Ind(_) => 3,
    }
}

fn put_store(out: &mut Vec<u8>, s: &ZStore) {
    match *s {
        ZStore::None => {}
        ZStore::Reg(r) => out.push(r),
        ZStore::Mem(a) => put(out, a),
        ZStore::Ind(o) => put_signed(out, o),
    }
}

fn get_store(kind: u8, bytes: &[u8], pos: &mut usize) -> ZStore {
    match kind {
        0 => ZStore::None,
        1 => {
            *pos += 1;
            ZStore::Reg(bytes[*pos - 1])
        }
        2 => ZStore::Mem(get(bytes, pos)),
        _ => ZStore::Ind(get_signed(bytes, pos)),
    }
}

fn target_kind(t: &Target) -> u8 {
    match t {
        Target::Next => 0,
        Target::Label(_) => 1,
        Target::TableAbs(_) => 2,
        Target::Func(_) => 3,
        Target::Raw(_) => 4,
    }
}

fn put_target(out: &mut Vec<u8>, t: &Target) {
    match *t {
        Target::Next => {}
        Target::Label(l) | Target::TableAbs(l) => put(out, l.into()),
        Target::Func((ns, i)) => {
            put(out, ns.into());
            put(out, i.into());
        }
        Target::Raw(o) => put_signed(out, o),
    }
}

fn get_target(kind: u8, bytes: &[u8], pos: &mut usize) -> Target {
    match kind {
        0 => Target::Next,
        1 => Target::Label(get(bytes, pos) as u32),
        2 => Target::TableAbs(get(bytes, pos) as u32),
        3 => Target::Func((get(bytes, pos) as u32, get(bytes, pos) as u32)),
        _ => Target::Raw(get_signed(bytes, pos)),
    }
}

impl PackedCode {
    pub fn pack(code: &[ZInst]) -> PackedCode {
        let mut bytes = Vec::with_capacity(code.len() * 12);
        for z in code {
            bytes.push(src_kind(&z.a) | src_kind(&z.b) << 3 | store_kind(&z.store) << 6);
            bytes.push(target_kind(&z.j1) | target_kind(&z.j2) << 3);
            bytes.push(z.width);
            bytes.push(u8::from(z.set_pc) | u8::from(z.store_ra) << 1);
            put_src(&mut bytes, &z.a);
            put_src(&mut bytes, &z.b);
            put_store(&mut bytes, &z.store);
            put_target(&mut bytes, &z.j1);
            put_target(&mut bytes, &z.j2);
        }
        bytes.shrink_to_fit();
        PackedCode {
            ops: code.iter().map(|z| z.op).collect(),
            bytes,
        }
    }

    pub fn len(&self) -> usize {
        self.ops.len()
    }

    pub fn is_empty(&self) -> bool {
        self.ops.is_empty()
    }

    /// The instructions, in order.
    pub fn iter(&self) -> impl Iterator<Item = ZInst> + '_ {
        let mut pos = 0;
        self.ops.iter().map(move |&op| {
            let bytes = &self.bytes[..];
            let (kinds, jumps, width, flags) =
                (bytes[pos], bytes[pos + 1], bytes[pos + 2], bytes[pos + 3]);
            pos += 4;
            let a = get_src(kinds & 7, bytes, &mut pos);
            let b = get_src(kinds >> 3 & 7, bytes, &mut pos);
            let store = get_store(kinds >> 6, bytes, &mut pos);
            let j1 = get_target(jumps & 7, bytes, &mut pos);
            let j2 = get_target(jumps >> 3 & 7, bytes, &mut pos);
            ZInst {
                op,
                a,
                b,
                store,
                width,
                set_pc: flags & 1 != 0,
                store_ra: flags & 2 != 0,
                j1,
                j2,
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every kind of operand, store and jump, at the edges of their values, unpacks to
    /// what was packed.
    #[test]
    fn instructions_unpack_to_what_was_packed() {
        let srcs = [
            ZSrc::Imm(0),
            ZSrc::Imm(u64::MAX),
            ZSrc::Reg(39),
            ZSrc::Mem(0xa040_0000),
            ZSrc::Ind(-8),
            ZSrc::Ind(i64::MIN),
            ZSrc::Ind(i64::MAX),
            ZSrc::FuncAddr((3, u32::MAX)),
        ];
        let stores = [
            ZStore::None,
            ZStore::Reg(1),
            ZStore::Mem(u64::MAX),
            ZStore::Ind(-1),
        ];
        let targets = [
            Target::Next,
            Target::Label(7),
            Target::TableAbs(u32::MAX),
            Target::Func((0, 12345)),
            Target::Raw(-4),
            Target::Raw(i64::MIN),
        ];
        let mut code = Vec::new();
        for (i, a) in srcs.iter().enumerate() {
            for b in &srcs {
                for (k, store) in stores.iter().enumerate() {
                    for (m, j1) in targets.iter().enumerate() {
                        let mut z = ZInst::op(ZOp::Add, *a, *b, *store);
                        z.j1 = *j1;
                        z.j2 = targets[(i + k + m) % targets.len()];
                        z.width = [1, 2, 4, 8][(i + m) % 4];
                        z.set_pc = m % 2 == 0;
                        z.store_ra = k % 3 == 0;
                        z.op = [ZOp::Add, ZOp::CopyB, ZOp::Flag][(i + k) % 3];
                        code.push(z);
                    }
                }
            }
        }
        let packed = PackedCode::pack(&code);
        assert_eq!(packed.len(), code.len());
        assert_eq!(packed.iter().collect::<Vec<_>>(), code);
    }
}
