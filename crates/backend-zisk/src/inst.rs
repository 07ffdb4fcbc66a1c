//! Machine instructions on virtual registers (what instruction selection produces and
//! register allocation rewrites), one ZisK instruction each unless noted.

use cranelift_codegen::ir::{StackSlot, TrapCode};
use regalloc2::{Operand, PReg, RegClass, VReg};

use crate::machine::{preg, ZOp, SP};

/// A register: physical below [`Reg::FIRST_VIRTUAL`], virtual (regalloc2 vreg) from there;
/// after allocation, an operand that may live in memory can also be a spill slot.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Reg(pub u32);

impl Reg {
    pub const FIRST_VIRTUAL: u32 = 64;
    const SLOT: u32 = 1 << 30;
    pub fn slot(index: usize) -> Reg {
        Reg(Self::SLOT | index as u32)
    }
    /// The spill slot this operand was allocated to, if any.
    pub fn as_slot(self) -> Option<usize> {
        (self.0 & Self::SLOT != 0).then_some((self.0 & !Self::SLOT) as usize)
    }
    pub const SP: Reg = Reg(SP as u32);
    pub fn is_virtual(self) -> bool {
        self.0 >= Self::FIRST_VIRTUAL && self.0 & Self::SLOT == 0
    }
    pub fn vreg(self) -> VReg {
        VReg::new(self.0 as usize, RegClass::Int)
    }
    /// The physical register number, once allocated.
    pub fn phys(self) -> u8 {
        assert!(
            self.0 < Self::FIRST_VIRTUAL,
            "register {self:?} is not a physical register"
        );
        self.0 as u8
    }
}

/// An operand: a register, a 64-bit immediate, or the 8-byte word at a fixed address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Src {
    Reg { reg: Reg },
    Imm { imm: u64 },
    Mem { addr: u64 },
}

/// Where a trap jumps: the stub that reports `code` at wasm offset `offset`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct TrapSite {
    pub code: TrapCode,
    pub offset: u32,
}

/// What a call calls.
#[derive(Clone, Debug)]
pub enum CallTarget {
    /// A function of the program, by (namespace, index).
    Direct((u32, u32)),
    /// The address `op(a, b)`, computed by the call instruction itself (a table entry's
    /// low half, say).
    Indirect { op: ZOp, a: Src, b: Src },
}

/// A block of the lowered function (an index into `VCode::blocks`).
pub type BlockIndex = u32;

#[derive(Clone, Debug)]
pub enum MInst {
    /// `dst = op(a, b)`.
    Alu {
        op: ZOp,
        dst: Reg,
        a: Src,
        b: Src,
    },
    /// `dst = op(a, b)`, jumping to the trap stub when the op raises its flag.
    AluTrap {
        op: ZOp,
        dst: Reg,
        a: Src,
        b: Src,
        trap: TrapSite,
    },
    /// `dst = op(base, ind_width[base + offset])`.
    Load {
        op: ZOp,
        width: u8,
        dst: Reg,
        base: Src,
        offset: i64,
    },
    /// `ind_width[base + offset] = value`.
    Store {
        width: u8,
        base: Src,
        offset: i64,
        value: Src,
    },
    /// `dst = src`.
    Move {
        dst: Reg,
        src: Reg,
    },
    /// Function entry: defines the register arguments in their registers (no code).
    Args {
        args: Vec<(Reg, PReg)>,
    },
    /// `dst` = the `index`-th stack-passed argument.
    LoadIncoming {
        dst: Reg,
        index: u32,
    },
    /// Writes the `index`-th stack-passed result of this function.
    StoreIncoming {
        src: Reg,
        index: u32,
    },
    /// `dst` = the address of a program function (linked later).
    FuncAddr {
        dst: Reg,
        func: (u32, u32),
    },
    /// f32 to f64 on the bits, exactly, inline (9 steps for a normal number, less than a
    /// routine's call): a short branchy sequence using r32..r35 (`emit/sequence.rs`).
    Promote {
        src: Reg,
        dst: Reg,
    },
    /// `memmove(r10 = dst, r11 = src, r12 = len)`: ZisK's DMA copy when the ranges do not
    /// overlap, else a call to the runtime's `memmove`. Clobbers like a call.
    MemMove {
        dst: Reg,
        src: Reg,
        len: Reg,
    },
    /// A precompile (`keccak`, `sha256`, ...) on the addresses in `a` and `b`, with `arg` as
    /// its static argument (the first jump offset); `dst`, if any, gets its result (`c`).
    Precompile {
        op: ZOp,
        a: Src,
        b: Src,
        arg: u64,
        dst: Option<Reg>,
    },
    /// `memset(dst, byte, len)` with a constant byte: ZisK's DMA fill, one instruction.
    DmaFill {
        dst: Reg,
        len: Reg,
        byte: u8,
    },
    /// `dst = sp + offset of (slot) + offset`.
    StackAddr {
        dst: Reg,
        slot: StackSlot,
        offset: i64,
    },
    /// A call: arguments and results in fixed registers; the caller-saved r3..r37 clobbered
    /// (a float routine: only the registers its code writes, `regalloc.rs`).
    Call {
        target: CallTarget,
        uses: Vec<(Reg, PReg)>,
        defs: Vec<(Reg, PReg)>,
    },
    /// Return: results in fixed registers; the epilogue is emitted with it.
    Ret {
        uses: Vec<(Reg, PReg)>,
    },
    /// Jumps to the trap stub when `op(a, b)` sets the flag (or does not, if `negate`).
    TrapIf {
        op: ZOp,
        a: Src,
        b: Src,
        negate: bool,
        trap: TrapSite,
    },
    /// Unconditional trap; ends its block.
    Trap {
        trap: TrapSite,
    },
    /// Two-way branch on the flag of `op(a, b)`: `targets[0]` when set (clear if `negate`).
    CondBr {
        op: ZOp,
        a: Src,
        b: Src,
        negate: bool,
        targets: [BlockIndex; 2],
    },
    Jump {
        target: BlockIndex,
    },
    /// `index < targets.len() ? targets[index] : default` (index unsigned).
    BrTable {
        index: Reg,
        default: BlockIndex,
        targets: Vec<BlockIndex>,
    },
}

/// How an instruction uses a register (for regalloc2's operand list).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RegUse {
    Use,
    /// An operand ZisK can read from memory or write to memory directly: in a function
    /// with a static frame, regalloc2 may leave it in a spill slot.
    UseAny,
    DefAny,
    FixedUse(PReg),
    FixedDef(PReg),
}

impl MInst {
    pub fn is_branch(&self) -> bool {
        matches!(
            self,
            MInst::CondBr { .. } | MInst::Jump { .. } | MInst::BrTable { .. }
        )
    }
    pub fn is_ret(&self) -> bool {
        matches!(self, MInst::Ret { .. } | MInst::Trap { .. })
    }
    pub fn successors(&self) -> Vec<BlockIndex> {
        match self {
            MInst::CondBr { targets, .. } => targets.to_vec(),
            MInst::Jump { target } => vec![*target],
            MInst::BrTable {
                default, targets, ..
            } => {
                let mut all = vec![*default];
                all.extend(targets);
                all
            }
            _ => vec![],
        }
    }

    /// Visits every register field in a fixed order (uses before defs), so that operand
    /// collection and allocation rewriting agree.
    pub fn visit_regs(&mut self, f: &mut dyn FnMut(&mut Reg, RegUse)) {
        fn src(s: &mut Src, kind: RegUse, f: &mut dyn FnMut(&mut Reg, RegUse)) {
            if let Src::Reg { reg } = s {
                f(reg, kind)
            }
        }
        use RegUse::{DefAny, Use, UseAny};
        match self {
            MInst::Alu { dst, a, b, .. } | MInst::AluTrap { dst, a, b, .. } => {
                src(a, UseAny, f);
                src(b, UseAny, f);
                f(dst, DefAny);
            }
            MInst::Load { dst, base, .. } => {
                src(base, Use, f);
                f(dst, DefAny);
            }
            MInst::Store { base, value, .. } => {
                src(base, Use, f);
                src(value, UseAny, f);
            }
            MInst::Move { dst, src: s } => {
                f(s, UseAny);
                f(dst, DefAny);
            }
            MInst::Args { args } => {
                for (r, p) in args {
                    f(r, RegUse::FixedDef(*p));
                }
            }
            MInst::LoadIncoming { dst, .. }
            | MInst::StackAddr { dst, .. }
            | MInst::FuncAddr { dst, .. } => f(dst, DefAny),
            MInst::StoreIncoming { src: s, .. } => f(s, Use),
            MInst::Call { target, uses, defs } => {
                if let CallTarget::Indirect { a, b, .. } = target {
                    src(a, Use, f);
                    src(b, Use, f);
                }
                for (r, p) in uses {
                    f(r, RegUse::FixedUse(*p));
                }
                for (r, p) in defs {
                    f(r, RegUse::FixedDef(*p));
                }
            }
            MInst::Ret { uses } => {
                for (r, p) in uses {
                    f(r, RegUse::FixedUse(*p));
                }
            }
            MInst::TrapIf { a, b, .. } | MInst::CondBr { a, b, .. } => {
                src(a, UseAny, f);
                src(b, UseAny, f);
            }
            MInst::BrTable { index, .. } => f(index, Use),
            MInst::MemMove { dst, src: s, len } => {
                f(dst, RegUse::FixedUse(preg(10)));
                f(s, RegUse::FixedUse(preg(11)));
                f(len, RegUse::FixedUse(preg(12)));
            }
            MInst::Precompile { a, b, dst, .. } => {
                src(a, Use, f);
                src(b, Use, f);
                if let Some(dst) = dst {
                    f(dst, DefAny);
                }
            }
            MInst::DmaFill { dst, len, .. } => {
                f(dst, Use);
                f(len, Use);
            }
            MInst::Promote { src, dst } => {
                f(src, UseAny);
                f(dst, DefAny);
            }
            MInst::Trap { .. } | MInst::Jump { .. } => {}
        }
    }

    /// regalloc2 operands; physical registers named directly (the stack pointer) are not
    /// allocated and not listed. With `memory_operands`, operands ZisK can take from or
    /// put in memory may be allocated to spill slots.
    pub fn operands(&mut self, memory_operands: bool) -> Vec<Operand> {
        let mut ops = Vec::new();
        self.visit_regs(&mut |r, kind| {
            if !r.is_virtual() {
                return;
            }
            let v = r.vreg();
            ops.push(match kind {
                RegUse::Use => Operand::reg_use(v),
                RegUse::UseAny if memory_operands => Operand::any_use(v),
                RegUse::DefAny if memory_operands => Operand::any_def(v),
                RegUse::UseAny => Operand::reg_use(v),
                RegUse::DefAny => Operand::reg_def(v),
                RegUse::FixedUse(p) => Operand::reg_fixed_use(v, p),
                RegUse::FixedDef(p) => Operand::reg_fixed_def(v, p),
            });
        });
        ops
    }
}

/// The stack pointer as an operand.
pub fn sp_src() -> Src {
    Src::Reg { reg: Reg::SP }
}
