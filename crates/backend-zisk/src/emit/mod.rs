//! From allocated VCode to ZisK instructions with symbolic targets: frames, prologue and
//! epilogue, regalloc's moves, trap stubs, branch tables, and a block layout in which
//! a jump costs nothing when the instruction before it can carry it.

use rustc_hash::FxHashMap;

use cranelift_codegen::ir::Function;
use czisk_frontend::WasmTrap;
use regalloc2::{Allocation, Edit, InstOrEdit, Output};

use crate::inst::{CallTarget, MInst, Reg, Src, TrapSite};
use crate::lower::VCode;
use crate::machine::{is_callee_saved, ZOp, RA, SP};

mod sequence;

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
}

impl ZInst {
    /// `op(a, b)` into `store`, falling through to the next instruction.
    pub(crate) fn op(op: ZOp, a: ZSrc, b: ZSrc, store: ZStore) -> Self {
        ZInst {
            op,
            a,
            b,
            store,
            width: 8,
            set_pc: false,
            store_ra: false,
            j1: Target::Next,
            j2: Target::Next,
        }
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

/// Where a function keeps its spill slots, saved registers and stack slots.
#[derive(Clone, Copy, Debug)]
pub enum FrameBase {
    /// On the stack, below the stack pointer (functions that may be active twice).
    Stack,
    /// At a fixed address (functions that are never active twice: see `lib.rs`), which
    /// ZisK instructions read and write directly.
    Static(u64),
}

pub struct Frame {
    pub base: FrameBase,
    /// Bytes the stack pointer moves down on entry.
    sp_size: i64,
    /// Bytes of the frame proper (at the base).
    pub size: i64,
    ra_offset: Option<i64>,
    saved: Vec<(u8, i64)>,
    spill_base: i64,
    slot_offsets: FxHashMap<cranelift_codegen::ir::StackSlot, i64>,
}

/// Lays out the frame of an allocated function; a static frame is placed at `base` later.
pub fn frame_layout(func: &Function, vcode: &VCode, out: &Output, base: FrameBase) -> Frame {
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
    // A callee-saved register an instruction clobbers would be saved too (none does
    // today: calls and float routines clobber caller-saved registers only): this function's callers keep values in it across their call, whether or not
    // this function's allocation uses it. The clobber sets are regalloc2's own.
    for i in 0..vcode.insts.len() {
        for p in regalloc2::Function::inst_clobbers(vcode, regalloc2::Inst::new(i)) {
            let n = p.hw_enc() as u8;
            if is_callee_saved(n) {
                used_callee_saved.insert(n);
            }
        }
    }
    let outgoing = vcode.outgoing_bytes as i64;
    // On the stack, the outgoing area sits below the rest of the frame.
    let mut offset = if matches!(base, FrameBase::Stack) {
        outgoing
    } else {
        0
    };
    let spill_base = offset;
    offset += 8 * out.num_spillslots as i64;
    let mut slot_offsets = FxHashMap::default();
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
    let sp_size = match base {
        FrameBase::Stack => offset,
        FrameBase::Static(_) => outgoing,
    };
    Frame {
        base,
        sp_size,
        size: offset,
        ra_offset,
        saved,
        spill_base,
        slot_offsets,
    }
}

impl Frame {
    /// The callee-saved registers the prologue saves and the epilogue restores.
    pub fn saved_registers(&self) -> Vec<u8> {
        self.saved.iter().map(|&(n, _)| n).collect()
    }
    /// Reads the frame word at `offset` into `dst`.
    fn load(&self, offset: i64, dst: ZStore) -> ZInst {
        match self.base {
            FrameBase::Stack => ZInst::op(ZOp::CopyB, ZSrc::Reg(SP), ZSrc::Ind(offset), dst),
            FrameBase::Static(base) => ZInst::copy(ZSrc::Mem(base + offset as u64), dst),
        }
    }
    /// Writes `src` to the frame word at `offset`.
    fn store(&self, offset: i64, src: ZSrc) -> ZInst {
        match self.base {
            FrameBase::Stack => ZInst::op(ZOp::CopyB, ZSrc::Reg(SP), src, ZStore::Ind(offset)),
            FrameBase::Static(base) => ZInst::copy(src, ZStore::Mem(base + offset as u64)),
        }
    }
    fn spill_offset(&self, slot: usize) -> i64 {
        self.spill_base + 8 * slot as i64
    }
    /// A spill slot as an operand (static frames only: on the stack, operands are never
    /// allocated to slots).
    fn slot_src(&self, slot: usize) -> ZSrc {
        match self.base {
            FrameBase::Static(base) => ZSrc::Mem(base + self.spill_offset(slot) as u64),
            FrameBase::Stack => unreachable!("memory operands only in static frames"),
        }
    }
    fn slot_store(&self, slot: usize) -> ZStore {
        match self.base {
            FrameBase::Static(base) => ZStore::Mem(base + self.spill_offset(slot) as u64),
            FrameBase::Stack => unreachable!("memory operands only in static frames"),
        }
    }
}

struct Emitter {
    frame: Frame,
    trap_func_index: u32,
    /// Per block: code, and the block it jumps to at its end (if it ends in a jump).
    blocks: Vec<(Vec<ZInst>, Option<u32>)>,
    stubs: Vec<Stub>,
    tables: Vec<Vec<u32>>,
    num_blocks: u32,
}

/// Code after the blocks that a trapping instruction jumps to.
enum Stub {
    /// Reports the trap.
    Report(TrapSite),
    /// A call_indirect's signature test that also makes its null test (`lower/indirect.rs`):
    /// `sig == 0` (a null entry) goes to the first label, anything else to the second.
    NullOrMismatch { sig: ZSrc, null: u32, mismatch: u32 },
}

impl Emitter {
    fn src(&self, s: &Src) -> ZSrc {
        match *s {
            Src::Reg { reg } => self.reg(reg),
            Src::Imm { imm } => ZSrc::Imm(imm),
            Src::Mem { addr } => ZSrc::Mem(addr),
        }
    }
    /// An allocated register operand: a register, or a spill slot in a static frame.
    fn reg(&self, r: Reg) -> ZSrc {
        match r.as_slot() {
            Some(slot) => self.frame.slot_src(slot),
            None => ZSrc::Reg(r.phys()),
        }
    }
    fn dst(&self, r: Reg) -> ZStore {
        match r.as_slot() {
            Some(slot) => self.frame.slot_store(slot),
            None => ZStore::Reg(r.phys()),
        }
    }

    fn stub_label(&mut self, site: TrapSite) -> u32 {
        let i = self
            .stubs
            .iter()
            .position(|s| matches!(s, Stub::Report(known) if *known == site))
            .unwrap_or_else(|| {
                self.stubs.push(Stub::Report(site));
                self.stubs.len() - 1
            });
        self.num_blocks + i as u32
    }

    /// The stub of a trap taken by an instruction whose first operand is `a`.
    fn trap_label(&mut self, site: TrapSite, a: ZSrc) -> u32 {
        let Some(null_at) = site.null_at else {
            return self.stub_label(site);
        };
        let mismatch = self.stub_label(TrapSite {
            null_at: None,
            ..site
        });
        let null = self.stub_label(TrapSite {
            code: WasmTrap::IndirectCallToNull.code(),
            offset: null_at,
            null_at: None,
        });
        self.stubs.push(Stub::NullOrMismatch {
            sig: a,
            null,
            mismatch,
        });
        self.num_blocks + self.stubs.len() as u32 - 1
    }

    fn edit(&self, code: &mut Vec<ZInst>, edit: &Edit) {
        let Edit::Move { from, to } = edit;
        if from == to {
            return;
        }
        match (from.as_reg(), to.as_reg()) {
            (Some(f), Some(t)) => code.push(ZInst::copy(
                ZSrc::Reg(f.hw_enc() as u8),
                ZStore::Reg(t.hw_enc() as u8),
            )),
            (None, Some(t)) => {
                let off = self.frame.spill_offset(from.as_stack().unwrap().index());
                code.push(self.frame.load(off, ZStore::Reg(t.hw_enc() as u8)))
            }
            (Some(f), None) => {
                let off = self.frame.spill_offset(to.as_stack().unwrap().index());
                code.push(self.frame.store(off, ZSrc::Reg(f.hw_enc() as u8)))
            }
            (None, None) => unreachable!("regalloc2 never moves stack to stack"),
        }
    }

    fn prologue(&self, code: &mut Vec<ZInst>) {
        let f = &self.frame;
        if f.sp_size != 0 {
            code.push(ZInst::op(
                ZOp::Add,
                ZSrc::Reg(SP),
                ZSrc::Imm((-f.sp_size) as u64),
                ZStore::Reg(SP),
            ));
        }
        if let Some(off) = f.ra_offset {
            code.push(f.store(off, ZSrc::Reg(RA)));
        }
        for &(n, off) in &f.saved {
            code.push(f.store(off, ZSrc::Reg(n)));
        }
    }

    fn epilogue_and_return(&self, code: &mut Vec<ZInst>) {
        let f = &self.frame;
        for &(n, off) in &f.saved {
            code.push(f.load(off, ZStore::Reg(n)));
        }
        if f.sp_size != 0 {
            code.push(ZInst::op(
                ZOp::Add,
                ZSrc::Reg(SP),
                ZSrc::Imm(f.sp_size as u64),
                ZStore::Reg(SP),
            ));
        }
        // Return: jump to the return address, reloading it from the frame in the same
        // instruction when it was saved (on the stack, from below the restored pointer).
        let mut ret = match (f.ra_offset, f.base) {
            (Some(off), FrameBase::Stack) => ZInst::op(
                ZOp::CopyB,
                ZSrc::Reg(SP),
                ZSrc::Ind(off - f.sp_size),
                ZStore::None,
            ),
            (Some(off), FrameBase::Static(base)) => {
                ZInst::copy(ZSrc::Mem(base + off as u64), ZStore::None)
            }
            (None, _) => ZInst::copy(ZSrc::Reg(RA), ZStore::None),
        };
        ret.set_pc = true;
        ret.j1 = Target::Raw(0);
        code.push(ret);
    }

    fn inst(&mut self, code: &mut Vec<ZInst>, inst: &MInst) -> Option<u32> {
        match inst {
            MInst::Alu { op, dst, a, b } => {
                code.push(ZInst::op(*op, self.src(a), self.src(b), self.dst(*dst)));
            }
            MInst::AluTrap {
                op,
                dst,
                a,
                b,
                trap,
            } => {
                let mut z = ZInst::op(*op, self.src(a), self.src(b), self.dst(*dst));
                z.j1 = Target::Label(self.stub_label(*trap));
                code.push(z);
            }
            MInst::Load {
                op,
                width,
                dst,
                base,
                offset,
            } => {
                let mut z = ZInst::op(*op, self.src(base), ZSrc::Ind(*offset), self.dst(*dst));
                z.width = *width;
                code.push(z);
            }
            MInst::Store {
                width,
                base,
                offset,
                value,
            } => {
                let mut z = ZInst::op(
                    ZOp::CopyB,
                    self.src(base),
                    self.src(value),
                    ZStore::Ind(*offset),
                );
                z.width = *width;
                code.push(z);
            }
            MInst::Move { dst, src } => {
                if dst != src {
                    code.push(ZInst::copy(self.reg(*src), self.dst(*dst)));
                }
            }
            MInst::Args { .. } => {}
            MInst::LoadIncoming { dst, index } => {
                let off = self.frame.sp_size + 8 * *index as i64;
                code.push(ZInst::op(
                    ZOp::CopyB,
                    ZSrc::Reg(SP),
                    ZSrc::Ind(off),
                    self.dst(*dst),
                ));
            }
            MInst::StoreIncoming { src, index } => {
                let off = self.frame.sp_size + 8 * *index as i64;
                code.push(ZInst::op(
                    ZOp::CopyB,
                    ZSrc::Reg(SP),
                    ZSrc::Reg(src.phys()),
                    ZStore::Ind(off),
                ));
            }
            MInst::StackAddr { dst, slot, offset } => {
                let off = self.frame.slot_offsets[slot] + offset;
                code.push(match self.frame.base {
                    FrameBase::Stack => ZInst::op(
                        ZOp::Add,
                        ZSrc::Reg(SP),
                        ZSrc::Imm(off as u64),
                        self.dst(*dst),
                    ),
                    FrameBase::Static(base) => {
                        ZInst::copy(ZSrc::Imm(base.wrapping_add(off as u64)), self.dst(*dst))
                    }
                });
            }
            MInst::FuncAddr { dst, func } => {
                code.push(ZInst::copy(ZSrc::FuncAddr(*func), self.dst(*dst)))
            }
            MInst::Call { target, .. } => {
                let z = match target {
                    CallTarget::Direct(key) => {
                        let mut z =
                            ZInst::op(ZOp::Flag, ZSrc::Imm(0), ZSrc::Imm(0), ZStore::Reg(RA));
                        z.j1 = Target::Func(*key);
                        z
                    }
                    CallTarget::Indirect { op, a, b } => {
                        let mut z = ZInst::op(*op, self.src(a), self.src(b), ZStore::Reg(RA));
                        z.set_pc = true;
                        z.j1 = Target::Raw(0);
                        z
                    }
                };
                code.push(ZInst {
                    store_ra: true,
                    ..z
                });
            }
            MInst::Ret { .. } => self.epilogue_and_return(code),
            MInst::TrapIf {
                op,
                a,
                b,
                negate,
                trap,
            } => {
                let stub = Target::Label(self.trap_label(*trap, self.src(a)));
                let mut z = ZInst::op(*op, self.src(a), self.src(b), ZStore::None);
                if *negate {
                    z.j2 = stub;
                } else {
                    z.j1 = stub;
                }
                code.push(z);
            }
            MInst::Trap { trap } => {
                let stub = Target::Label(self.stub_label(*trap));
                code.push(ZInst {
                    j1: stub,
                    j2: stub,
                    ..ZInst::copy(ZSrc::Imm(0), ZStore::None)
                });
            }
            MInst::CondBr {
                op,
                a,
                b,
                negate,
                targets,
            } => {
                let (t, f) = if *negate {
                    (targets[1], targets[0])
                } else {
                    (targets[0], targets[1])
                };
                code.push(ZInst {
                    j1: Target::Label(t),
                    j2: Target::Label(f),
                    ..ZInst::op(*op, self.src(a), self.src(b), ZStore::None)
                });
            }
            MInst::Promote { src, dst } => {
                let temps = crate::regalloc::PROMOTE_TEMPS;
                sequence::promote(self.reg(*src), self.dst(*dst), temps, code);
            }
            MInst::MemMove { .. } => {
                let call = ZInst {
                    store_ra: true,
                    j1: Target::Func((
                        czisk_frontend::NS_INTRINSIC,
                        czisk_frontend::INTRINSIC_MEMMOVE,
                    )),
                    ..ZInst::op(ZOp::Flag, ZSrc::Imm(0), ZSrc::Imm(0), ZStore::Reg(RA))
                };
                sequence::memmove(call, code);
            }
            MInst::Precompile { op, a, b, arg, dst } => {
                // A precompile's first jump offset is its static argument (0 for most).
                let store = dst.map_or(ZStore::None, |r| self.dst(r));
                code.push(ZInst {
                    j1: Target::Raw(*arg as i64),
                    ..ZInst::op(*op, self.src(a), self.src(b), store)
                });
            }
            MInst::DmaFill { dst, len, byte } => {
                // The fill byte rides in the first jump offset (a DMA operation's third operand).
                code.push(ZInst {
                    j1: Target::Raw(*byte as i64),
                    ..ZInst::op(
                        ZOp::DmaXmemset,
                        ZSrc::Reg(dst.phys()),
                        ZSrc::Reg(len.phys()),
                        ZStore::None,
                    )
                });
            }
            MInst::Jump { target } => return Some(*target),
            MInst::BrTable {
                index,
                default,
                targets,
            } => {
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

/// Emits an allocated function whose frame is `frame`.
pub fn emit_function(
    vcode: &mut VCode,
    out: &Output,
    frame: Frame,
    trap_func_index: u32,
) -> EmittedFunction {
    let num_blocks = vcode.blocks.len() as u32;
    let mut e = Emitter {
        frame,
        trap_func_index,
        blocks: Vec::new(),
        stubs: Vec::new(),
        tables: Vec::new(),
        num_blocks,
    };
    for b in 0..vcode.blocks.len() {
        // Room for about one ZisK instruction per lowered one (regalloc2's moves and the
        // few that expand go beyond it).
        let mut code = Vec::with_capacity(vcode.blocks[b].insts.len() + 1);
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
                            *r = match allocs[k].as_reg() {
                                Some(p) => Reg(p.hw_enc() as u32),
                                None => Reg::slot(
                                    allocs[k].as_stack().expect("a register or a slot").index(),
                                ),
                            };
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
    // The blocks' code, a jump each at most, the branch tables and the stubs' few.
    let jumps_and_tables = n + e.tables.iter().map(Vec::len).sum::<usize>();
    let body: usize = kept.iter().map(|&b| e.blocks[b].0.len()).sum();
    let mut code: Vec<ZInst> = Vec::with_capacity(body + jumps_and_tables + 4 * e.stubs.len());
    let fix = |t: Target| match t {
        Target::Label(l) if (l as usize) < n => Target::Label(resolve(l)),
        other => other,
    };
    for (pos, &b) in kept.iter().enumerate() {
        labels[b] = code.len();
        let (body, jump) = &e.blocks[b];
        for z in body {
            code.push(ZInst {
                j1: fix(z.j1),
                j2: fix(z.j2),
                ..z.clone()
            });
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
                    _ => code.push(ZInst {
                        j1: target,
                        j2: target,
                        ..ZInst::copy(ZSrc::Imm(0), ZStore::None)
                    }),
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
            code.push(ZInst {
                j1: t,
                j2: t,
                ..ZInst::copy(ZSrc::Imm(0), ZStore::None)
            });
        }
    }
    // Trap stubs: r10 = kind << 24 | function, r11 = wasm offset, call the reporter.
    for (i, stub) in e.stubs.iter().enumerate() {
        labels[e.num_blocks as usize + i] = code.len();
        let site = match *stub {
            Stub::Report(site) => site,
            Stub::NullOrMismatch {
                sig,
                null,
                mismatch,
            } => {
                code.push(ZInst {
                    j1: Target::Label(null),
                    j2: Target::Label(mismatch),
                    ..ZInst::op(ZOp::Eq, sig, ZSrc::Imm(0), ZStore::None)
                });
                continue;
            }
        };
        let kind = WasmTrap::ALL
            .iter()
            .position(|t| t.code() == site.code)
            .map_or(0xff, |k| k as u64);
        let packed = (kind & 0xff) << 24 | (e.trap_func_index as u64 & 0xff_ffff);
        code.push(ZInst::copy(ZSrc::Imm(packed), ZStore::Reg(10)));
        code.push(ZInst::copy(
            ZSrc::Imm(site.offset as u64 & 0x7fff_ffff),
            ZStore::Reg(11),
        ));
        code.push(ZInst {
            store_ra: true,
            j1: Target::Func(crate::TRAP_REPORTER_KEY),
            ..ZInst::op(ZOp::Flag, ZSrc::Imm(0), ZSrc::Imm(0), ZStore::Reg(RA))
        });
    }
    EmittedFunction {
        code,
        labels,
        tables,
    }
}
