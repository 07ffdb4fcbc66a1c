//! From allocated VCode to ZisK instructions with symbolic targets: frames, prologue and
//! epilogue, regalloc's moves, trap stubs, branch tables, and a block layout in which
//! a jump costs nothing when the instruction before it can carry it.

use std::collections::HashMap;

use cranelift_codegen::ir::Function;
use czisk_frontend::WasmTrap;
use regalloc2::{Allocation, Edit, InstOrEdit, Output};

use crate::inst::{CallTarget, MInst, Reg, Src, TrapSite};
use crate::lower::VCode;
use crate::machine::{is_callee_saved, ZOp, RA, SP};
use zisk_core::rom_layout::FLOAT_HANDLER_ADDR;
use zisk_core::{FREG_F0, FREG_INST, FREG_RA};

/// A ZisK instruction whose addresses are still symbolic.
#[derive(Clone, Debug, PartialEq)]
pub struct ZInst {
    pub op: ZOp,
    pub a: ZSrc,
    pub b: ZSrc,
    pub store: ZStore,
    /// Width of the `ind` access (b or store), 8 otherwise.
    pub width: u8,
    pub set_pc: bool,
    /// Store the return address (pc + j2) instead of c.
    pub store_ra: bool,
    /// Taken when the flag is set (or the set_pc offset).
    pub j1: Target,
    pub j2: Target,
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ZSrc {
    Imm(u64),
    Reg(u8),
    Mem(u64),
    /// `ind[a + offset]` (b only).
    Ind(i64),
    /// The address of a program function, as an immediate.
    FuncAddr((u32, u32)),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum ZStore {
    None,
    Reg(u8),
    Mem(u64),
    Ind(i64),
}

#[derive(Clone, Copy, Debug, PartialEq)]
pub enum Target {
    Next,
    /// A label of this function (blocks first, then stubs and tables).
    Label(u32),
    /// The absolute address of branch table `i` (a `set_pc` base).
    TableAbs(u32),
    Func((u32, u32)),
    /// A raw offset (0 for `set_pc` through a register).
    Raw(i64),
    /// An absolute ROM address (the BIOS float handler).
    Abs(u64),
}

impl ZInst {
    fn op(op: ZOp, a: ZSrc, b: ZSrc, store: ZStore) -> Self {
        ZInst { op, a, b, store, width: 8, set_pc: false, store_ra: false, j1: Target::Next, j2: Target::Next }
    }
    fn copy(b: ZSrc, store: ZStore) -> Self {
        Self::op(ZOp::CopyB, ZSrc::Imm(0), b, store)
    }
    /// An instruction that only continues to the next one, so a jump can ride on it.
    fn can_carry_jump(&self) -> bool {
        !self.set_pc && !self.store_ra && self.j1 == Target::Next && self.j2 == Target::Next
    }
}

/// A function's code: instructions and where its labels point (instruction indices).
pub struct EmittedFunction {
    pub code: Vec<ZInst>,
    pub labels: Vec<usize>,
    pub tables: Vec<usize>,
}

struct Frame {
    size: i64,
    ra_offset: Option<i64>,
    saved: Vec<(u8, i64)>,
    spill_base: i64,
    slot_offsets: HashMap<cranelift_codegen::ir::StackSlot, i64>,
}

fn frame_layout(func: &Function, vcode: &VCode, out: &Output) -> Frame {
    let mut used_callee_saved = std::collections::BTreeSet::new();
    let mut note = |a: &Allocation| {
        if let Some(p) = a.as_reg() {
            let n = p.hw_enc() as u8;
            if is_callee_saved(n) {
                used_callee_saved.insert(n);
            }
        }
    };
    out.allocs.iter().for_each(&mut note);
    for (_, edit) in &out.edits {
        let Edit::Move { from, to } = edit;
        note(from);
        note(to);
    }
    let mut offset = vcode.outgoing_bytes as i64;
    let spill_base = offset;
    offset += 8 * out.num_spillslots as i64;
    let mut slot_offsets = HashMap::new();
    for (slot, data) in func.sized_stack_slots.iter() {
        let align = 1i64 << data.align_shift.max(3);
        offset = (offset + align - 1) & !(align - 1);
        slot_offsets.insert(slot, offset);
        offset += data.size as i64;
    }
    offset = (offset + 7) & !7;
    let mut saved = Vec::new();
    for n in used_callee_saved {
        saved.push((n, offset));
        offset += 8;
    }
    let ra_offset = if vcode.makes_calls {
        offset += 8;
        Some(offset - 8)
    } else {
        None
    };
    Frame { size: offset, ra_offset, saved, spill_base, slot_offsets }
}

struct Emitter {
    frame: Frame,
    trap_func_index: u32,
    /// Per block: code, and the block it jumps to at its end (if it ends in a jump).
    blocks: Vec<(Vec<ZInst>, Option<u32>)>,
    stubs: Vec<TrapSite>,
    tables: Vec<Vec<u32>>,
    num_blocks: u32,
}

impl Emitter {
    fn src(s: &Src) -> ZSrc {
        match *s {
            Src::Reg { reg } => ZSrc::Reg(reg.phys()),
            Src::Imm { imm } => ZSrc::Imm(imm),
            Src::Mem { addr } => ZSrc::Mem(addr),
        }
    }

    fn stub_label(&mut self, site: TrapSite) -> u32 {
        let i = self.stubs.iter().position(|s| *s == site).unwrap_or_else(|| {
            self.stubs.push(site);
            self.stubs.len() - 1
        });
        self.num_blocks + i as u32
    }

    fn alloc_src(&self, a: Allocation) -> ZSrc {
        match a.as_reg() {
            Some(p) => ZSrc::Reg(p.hw_enc() as u8),
            None => ZSrc::Ind(self.frame.spill_base + 8 * a.as_stack().unwrap().index() as i64),
        }
    }

    fn edit(&self, code: &mut Vec<ZInst>, edit: &Edit) {
        let Edit::Move { from, to } = edit;
        if from == to {
            return;
        }
        let from = self.alloc_src(*from);
        match (from, to.as_reg()) {
            (ZSrc::Reg(f), Some(t)) => code.push(ZInst::copy(ZSrc::Reg(f), ZStore::Reg(t.hw_enc() as u8))),
            (ZSrc::Ind(off), Some(t)) => {
                code.push(ZInst::op(ZOp::CopyB, ZSrc::Reg(SP), ZSrc::Ind(off), ZStore::Reg(t.hw_enc() as u8)))
            }
            (ZSrc::Reg(f), None) => {
                let off = self.frame.spill_base + 8 * to.as_stack().unwrap().index() as i64;
                code.push(ZInst::op(ZOp::CopyB, ZSrc::Reg(SP), ZSrc::Reg(f), ZStore::Ind(off)))
            }
            _ => unreachable!("regalloc2 never moves stack to stack"),
        }
    }

    fn prologue(&self, code: &mut Vec<ZInst>) {
        if self.frame.size == 0 {
            return;
        }
        code.push(ZInst::op(ZOp::Add, ZSrc::Reg(SP), ZSrc::Imm((-self.frame.size) as u64), ZStore::Reg(SP)));
        if let Some(off) = self.frame.ra_offset {
            code.push(ZInst::op(ZOp::CopyB, ZSrc::Reg(SP), ZSrc::Reg(RA), ZStore::Ind(off)));
        }
        for &(n, off) in &self.frame.saved {
            code.push(ZInst::op(ZOp::CopyB, ZSrc::Reg(SP), ZSrc::Reg(n), ZStore::Ind(off)));
        }
    }

    fn epilogue_and_return(&self, code: &mut Vec<ZInst>) {
        for &(n, off) in &self.frame.saved {
            code.push(ZInst::op(ZOp::CopyB, ZSrc::Reg(SP), ZSrc::Ind(off), ZStore::Reg(n)));
        }
        if self.frame.size != 0 {
            code.push(ZInst::op(ZOp::Add, ZSrc::Reg(SP), ZSrc::Imm(self.frame.size as u64), ZStore::Reg(SP)));
        }
        // Return: jump to the return address, reloading it from the frame in the same
        // instruction when it was saved.
        let mut ret = match self.frame.ra_offset {
            Some(off) => ZInst::op(ZOp::CopyB, ZSrc::Reg(SP), ZSrc::Ind(off - self.frame.size), ZStore::None),
            None => ZInst::copy(ZSrc::Reg(RA), ZStore::None),
        };
        ret.set_pc = true;
        ret.j1 = Target::Raw(0);
        code.push(ret);
    }

    fn inst(&mut self, code: &mut Vec<ZInst>, inst: &MInst) -> Option<u32> {
        match inst {
            MInst::Alu { op, dst, a, b } => {
                code.push(ZInst::op(*op, Self::src(a), Self::src(b), ZStore::Reg(dst.phys())));
            }
            MInst::AluTrap { op, dst, a, b, trap } => {
                let mut z = ZInst::op(*op, Self::src(a), Self::src(b), ZStore::Reg(dst.phys()));
                z.j1 = Target::Label(self.stub_label(*trap));
                code.push(z);
            }
            MInst::Load { op, width, dst, base, offset } => {
                let mut z = ZInst::op(*op, Self::src(base), ZSrc::Ind(*offset), ZStore::Reg(dst.phys()));
                z.width = *width;
                code.push(z);
            }
            MInst::Store { width, base, offset, value } => {
                let mut z = ZInst::op(ZOp::CopyB, Self::src(base), Self::src(value), ZStore::Ind(*offset));
                z.width = *width;
                code.push(z);
            }
            MInst::Move { dst, src } => {
                if dst.phys() != src.phys() {
                    code.push(ZInst::copy(ZSrc::Reg(src.phys()), ZStore::Reg(dst.phys())));
                }
            }
            MInst::Args { .. } => {}
            MInst::LoadIncoming { dst, index } => {
                let off = self.frame.size + 8 * *index as i64;
                code.push(ZInst::op(ZOp::CopyB, ZSrc::Reg(SP), ZSrc::Ind(off), ZStore::Reg(dst.phys())));
            }
            MInst::StoreIncoming { src, index } => {
                let off = self.frame.size + 8 * *index as i64;
                code.push(ZInst::op(ZOp::CopyB, ZSrc::Reg(SP), ZSrc::Reg(src.phys()), ZStore::Ind(off)));
            }
            MInst::StackAddr { dst, slot, offset } => {
                let off = self.frame.slot_offsets[slot] + offset;
                code.push(ZInst::op(ZOp::Add, ZSrc::Reg(SP), ZSrc::Imm(off as u64), ZStore::Reg(dst.phys())));
            }
            MInst::FuncAddr { dst, func } => code.push(ZInst::copy(ZSrc::FuncAddr(*func), ZStore::Reg(dst.phys()))),
            MInst::Call { target, .. } => {
                let z = match target {
                    CallTarget::Direct(key) => {
                        let mut z = ZInst::op(ZOp::Flag, ZSrc::Imm(0), ZSrc::Imm(0), ZStore::Reg(RA));
                        z.j1 = Target::Func(*key);
                        z
                    }
                    CallTarget::Indirect(r) => {
                        let mut z = ZInst::copy(ZSrc::Reg(r.phys()), ZStore::Reg(RA));
                        z.set_pc = true;
                        z.j1 = Target::Raw(0);
                        z
                    }
                };
                code.push(ZInst { store_ra: true, ..z });
            }
            MInst::Ret { .. } => self.epilogue_and_return(code),
            MInst::TrapIf { op, a, b, negate, trap } => {
                let stub = Target::Label(self.stub_label(*trap));
                let mut z = ZInst::op(*op, Self::src(a), Self::src(b), ZStore::None);
                if *negate {
                    z.j2 = stub;
                } else {
                    z.j1 = stub;
                }
                code.push(z);
            }
            MInst::Trap { trap } => {
                let stub = Target::Label(self.stub_label(*trap));
                code.push(ZInst { j1: stub, j2: stub, ..ZInst::copy(ZSrc::Imm(0), ZStore::None) });
            }
            MInst::CondBr { op, a, b, negate, targets } => {
                let (t, f) = if *negate { (targets[1], targets[0]) } else { (targets[0], targets[1]) };
                code.push(ZInst {
                    j1: Target::Label(t),
                    j2: Target::Label(f),
                    ..ZInst::op(*op, Self::src(a), Self::src(b), ZStore::None)
                });
            }
            MInst::FloatCall { word, args, dst, int_result, .. } => {
                for (i, (r, boxed)) in args.iter().enumerate() {
                    let slot = ZStore::Mem(FREG_F0 + 8 * (i as u64 + 1));
                    code.push(if *boxed {
                        ZInst::op(ZOp::Or, ZSrc::Reg(r.phys()), ZSrc::Imm(0xffff_ffff_0000_0000), slot)
                    } else {
                        ZInst::copy(ZSrc::Reg(r.phys()), slot)
                    });
                }
                code.push(ZInst::copy(ZSrc::Imm(*word as u64), ZStore::Mem(FREG_INST)));
                code.push(ZInst {
                    store_ra: true,
                    j1: Target::Abs(FLOAT_HANDLER_ADDR),
                    ..ZInst::op(ZOp::Flag, ZSrc::Imm(0), ZSrc::Imm(0), ZStore::Mem(FREG_RA))
                });
                if !*int_result {
                    code.push(ZInst::copy(ZSrc::Mem(FREG_F0), ZStore::Reg(dst.phys())));
                }
            }
            MInst::Jump { target } => return Some(*target),
            MInst::BrTable { index, default, targets } => {
                let idx = ZSrc::Reg(index.phys());
                code.push(ZInst {
                    j1: Target::Label(*default),
                    ..ZInst::op(ZOp::Leu, ZSrc::Imm(targets.len() as u64), idx, ZStore::None)
                });
                let table = self.tables.len() as u32;
                self.tables.push(targets.clone());
                code.push(ZInst {
                    set_pc: true,
                    j1: Target::TableAbs(table),
                    ..ZInst::op(ZOp::Sll, idx, ZSrc::Imm(2), ZStore::None)
                });
            }
        }
        None
    }
}

/// Emits an allocated function.
pub fn emit_function(func: &Function, vcode: &mut VCode, out: &Output, trap_func_index: u32) -> EmittedFunction {
    let frame = frame_layout(func, vcode, out);
    let num_blocks = vcode.blocks.len() as u32;
    let mut e = Emitter { frame, trap_func_index, blocks: Vec::new(), stubs: Vec::new(), tables: Vec::new(), num_blocks };
    for b in 0..vcode.blocks.len() {
        let mut code = Vec::new();
        if b == 0 {
            e.prologue(&mut code);
        }
        let mut jump = None;
        for item in out.block_insts_and_edits(&*vcode, regalloc2::Block::new(b)) {
            match item {
                InstOrEdit::Edit(edit) => e.edit(&mut code, edit),
                InstOrEdit::Inst(i) => {
                    let allocs = out.inst_allocs(i);
                    let mut inst = vcode.insts[i.index()].clone();
                    let mut k = 0;
                    inst.visit_regs(&mut |r: &mut Reg, _| {
                        if r.is_virtual() {
                            *r = Reg(allocs[k].as_reg().expect("operands are in registers").hw_enc() as u32);
                            k += 1;
                        }
                    });
                    jump = e.inst(&mut code, &inst);
                }
            }
        }
        e.blocks.push((code, jump));
    }
    layout(e)
}

/// Lays the blocks out in order: an empty block that only jumps is skipped (its label
/// becomes its target's), a jump to the next block vanishes, and any other jump rides on
/// the instruction before it when that one only continues.
fn layout(e: Emitter) -> EmittedFunction {
    let n = e.blocks.len();
    let mut alias: Vec<u32> = (0..n as u32).collect();
    for (b, (code, jump)) in e.blocks.iter().enumerate() {
        if code.is_empty() && b != 0 {
            if let Some(t) = jump {
                alias[b] = *t;
            }
        }
    }
    // Follow chains of skipped blocks (a cycle of empty jumps keeps its first block).
    let resolve = |b: u32| {
        let mut r = b;
        for _ in 0..n {
            if alias[r as usize] == r {
                return r;
            }
            r = alias[r as usize];
        }
        b
    };
    let kept: Vec<usize> = (0..n).filter(|&b| resolve(b as u32) == b as u32).collect();
    let mut labels = vec![0usize; e.num_blocks as usize + e.stubs.len()];
    let mut code: Vec<ZInst> = Vec::new();
    let fix = |t: Target| match t {
        Target::Label(l) if (l as usize) < n => Target::Label(resolve(l)),
        other => other,
    };
    for (pos, &b) in kept.iter().enumerate() {
        labels[b] = code.len();
        let (body, jump) = &e.blocks[b];
        for z in body {
            code.push(ZInst { j1: fix(z.j1), j2: fix(z.j2), ..z.clone() });
        }
        if let Some(t) = jump {
            let t = resolve(*t);
            if kept.get(pos + 1).map(|&nb| nb as u32) != Some(t) {
                let target = Target::Label(t);
                match code.last_mut() {
                    Some(last) if !body.is_empty() && last.can_carry_jump() => {
                        last.j1 = target;
                        last.j2 = target;
                    }
                    _ => code.push(ZInst { j1: target, j2: target, ..ZInst::copy(ZSrc::Imm(0), ZStore::None) }),
                }
            }
        }
    }
    for b in 0..n {
        labels[b] = labels[resolve(b as u32) as usize];
    }
    // Branch tables: one jump per entry.
    let mut tables = Vec::new();
    for targets in &e.tables {
        tables.push(code.len());
        for &t in targets {
            let t = Target::Label(resolve(t));
            code.push(ZInst { j1: t, j2: t, ..ZInst::copy(ZSrc::Imm(0), ZStore::None) });
        }
    }
    // Trap stubs: r10 = kind << 24 | function, r11 = wasm offset, call the reporter.
    for (i, site) in e.stubs.iter().enumerate() {
        labels[e.num_blocks as usize + i] = code.len();
        let kind = WasmTrap::ALL.iter().position(|t| t.code() == site.code).map_or(0xff, |k| k as u64);
        let packed = (kind & 0xff) << 24 | (e.trap_func_index as u64 & 0xff_ffff);
        code.push(ZInst::copy(ZSrc::Imm(packed), ZStore::Reg(10)));
        code.push(ZInst::copy(ZSrc::Imm(site.offset as u64 & 0x7fff_ffff), ZStore::Reg(11)));
        code.push(ZInst {
            store_ra: true,
            j1: Target::Func(crate::TRAP_REPORTER_KEY),
            ..ZInst::op(ZOp::Flag, ZSrc::Imm(0), ZSrc::Imm(0), ZStore::Reg(RA))
        });
    }
    EmittedFunction { code, labels, tables }
}
