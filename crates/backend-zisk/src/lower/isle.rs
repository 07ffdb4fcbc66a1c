//! The lowering driver and the Rust side of the ISLE rules: what the extern extractors
//! see of CLIF, and what the extern constructors append to the block.

use std::collections::{HashMap, HashSet};

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::immediates::{Ieee16, Ieee32, Ieee64, Offset32, Uimm8};
use cranelift_codegen::ir::{
    self, types, AtomicRmwOp, BlockCall, Constant, DynamicStackSlot, ExceptionTable, FuncRef,
    Function, GlobalValue, Immediate, InstructionData, JumpTable, MemFlags, Opcode, SigRef,
    StackSlot, TrapCode, Type, Value, ValueList,
};
use regalloc2::{PReg, VReg};
use smallvec::SmallVec;

use super::{
    defining_inst, is_pure, removable_if_unused, BlockOrder, LowerError, LoweredBlock, VBlock,
    VCode,
};
use crate::float::Routine;
use crate::inst::{BlockIndex, CallTarget, MInst, Reg, RegUse, Src, TrapSite};
use crate::machine::{preg, ZOp, ARG_REGS};

pub type Unit = ();
pub type ValueSlice = (ValueList, usize);
pub type ValueArray2 = [Value; 2];
pub type ValueArray3 = [Value; 3];
pub type BlockArray2 = [BlockCall; 2];
pub type InstOutput = SmallVec<[Reg; 2]>;
pub type Inst = ir::Inst;

/// The generated ISLE code and the types it names.
#[allow(
    dead_code,
    unreachable_code,
    unreachable_patterns,
    unused_imports,
    unused_variables,
    non_snake_case,
    unused_mut,
    irrefutable_let_patterns,
    clippy::all
)]
pub mod generated {
    use super::*;
    extern crate alloc;
    pub use crate::float::Routine;
    pub use crate::inst::Src;
    pub use crate::machine::ZOp;
    use cranelift_codegen::ir::types::*;
    /// A flag-setting comparison: the condition holds when `op(a, b)` sets the flag
    /// (or clears it, when `negate`).
    #[derive(Clone, Debug)]
    pub enum Cond {
        Test {
            op: ZOp,
            a: Src,
            b: Src,
            negate: bool,
        },
    }
    /// An address: `base + offset`.
    #[derive(Clone, Debug)]
    pub enum AMode {
        At { base: Src, offset: i64 },
    }
    include!(concat!(env!("OUT_DIR"), "/isle_lower.rs"));
}

pub struct Lowerer<'a> {
    func: &'a Function,
    order: &'a BlockOrder,
    next_vreg: u32,
    value_regs: HashMap<Value, Reg>,
    /// Values some emitted instruction reads from a register.
    used: HashSet<Value>,
    use_counts: HashMap<Value, u32>,
    /// i32 values whose users only read their low 32 bits.
    low32: HashSet<Value>,
    /// i32 values that are only address indices, held zero- or sign-extended (`low32::zext_ok_values`).
    zext_ok: HashSet<Value>,
    /// Instructions already lowered on an outgoing edge of their block.
    sunk: HashSet<ir::Inst>,
    /// The function's frame is at a fixed address (see `calls.rs`).
    static_frame: bool,
    /// Instructions of the CLIF instruction being lowered, in order.
    current: Vec<MInst>,
    current_inst: Option<ir::Inst>,
    current_block: Option<ir::Block>,
    /// Lowered code per lowered block, in order.
    block_code: Vec<Vec<MInst>>,
    block_params: Vec<Vec<VReg>>,
    branch_args: Vec<Vec<Vec<VReg>>>,
    outgoing_bytes: u32,
    makes_calls: bool,
    /// Values that are another value's register unchanged (an i32 truncation of a value
    /// whose low half is all that is read, ...): their register, renamed to the source's
    /// when the function is finished, so that no move copies them.
    same_as: HashMap<Reg, Reg>,
    /// Give every low-half-only i32 garbage high bits where it is defined (tests: see
    /// `lower::with_low32_poisoned`).
    poison_low32: bool,
    /// i32 compares of sign-extended values at 64 bits (`cmp_width`).
    compare64: bool,
}

impl<'a> Lowerer<'a> {
    pub fn new(
        func: &'a Function,
        order: &'a BlockOrder,
        static_frame: bool,
        shape: Option<&czisk_frontend::LimitShape>,
        opts: &czisk_frontend::Optimizations,
    ) -> Self {
        let mut use_counts: HashMap<Value, u32> = HashMap::new();
        for block in func.layout.blocks() {
            for inst in func.layout.block_insts(block) {
                for arg in func.dfg.inst_values(inst) {
                    *use_counts.entry(func.dfg.resolve_aliases(arg)).or_default() += 1;
                }
            }
        }
        let n = order.blocks.len();
        let mut low32 = if opts.low32 {
            super::low32::low32_only_values(func)
        } else {
            HashSet::new()
        };
        let zext_ok = if opts.zext_addresses {
            super::low32::zext_ok_values(func, &mut low32, shape)
        } else {
            HashSet::new()
        };
        Lowerer {
            func,
            order,
            next_vreg: Reg::FIRST_VIRTUAL,
            value_regs: HashMap::new(),
            used: HashSet::new(),
            use_counts,
            low32,
            zext_ok,
            sunk: HashSet::new(),
            static_frame,
            current: Vec::new(),
            current_inst: None,
            current_block: None,
            block_code: vec![Vec::new(); n],
            block_params: vec![Vec::new(); n],
            branch_args: vec![Vec::new(); n],
            outgoing_bytes: 0,
            makes_calls: false,
            same_as: HashMap::new(),
            poison_low32: super::POISON_LOW32.with(std::cell::Cell::get),
            compare64: opts.compare64,
        }
    }

    fn new_reg(&mut self) -> Reg {
        let r = Reg(self.next_vreg);
        self.next_vreg += 1;
        r
    }

    fn value_reg(&mut self, v: Value) -> Reg {
        let v = self.func.dfg.resolve_aliases(v);
        if let Some(r) = self.value_regs.get(&v) {
            return *r;
        }
        let r = self.new_reg();
        self.value_regs.insert(v, r);
        r
    }

    pub fn lower_all(&mut self) -> Result<(), LowerError> {
        let entry = self.func.layout.entry_block().unwrap();
        // Block parameters get their registers first (entry parameters are defined by
        // the Args pseudo-instruction instead).
        for (i, lb) in self.order.blocks.iter().enumerate() {
            if let LoweredBlock::Clif(b) = *lb {
                if b != entry {
                    let params: Vec<Value> = self.func.dfg.block_params(b).to_vec();
                    self.block_params[i] =
                        params.iter().map(|&p| self.value_reg(p).vreg()).collect();
                }
            }
        }
        for i in (0..self.order.blocks.len()).rev() {
            match self.order.blocks[i] {
                LoweredBlock::Clif(b) => self.lower_block(i, b)?,
                LoweredBlock::Edge { from, succ, to } => {
                    self.current_block = Some(from);
                    self.sink_into_edge(from, succ)?;
                    let args = self.branch_call_args(from, succ);
                    let target = self.order.index_of[&to];
                    // Constant arguments are materialized here, before the jump.
                    let mut code = std::mem::take(&mut self.current);
                    code.push(MInst::Jump { target });
                    self.block_code[i] = code;
                    self.branch_args[i] = vec![args];
                }
            }
        }
        Ok(())
    }

    /// Computes, on the edge itself, the arguments only this edge uses: a loop's
    /// `i + 1` moves past the loop's exit test, so the new value can take the old one's
    /// register (no move) and the edge's jump rides on it.
    fn sink_into_edge(&mut self, from: ir::Block, succ: usize) -> Result<(), LowerError> {
        let term = self.func.layout.last_inst(from).unwrap();
        let call = self.func.dfg.insts[term]
            .branch_destination(&self.func.dfg.jump_tables, &self.func.dfg.exception_tables)[succ];
        let args: Vec<Value> = call
            .args(&self.func.dfg.value_lists)
            .filter_map(|a| a.as_value())
            .map(|v| self.func.dfg.resolve_aliases(v))
            .collect();
        for v in args {
            let Some(inst) = defining_inst(self.func, v) else {
                continue;
            };
            if !is_pure(self.func, inst)
                || self.func.layout.inst_block(inst) != Some(from)
                || self.use_counts.get(&v) != Some(&1)
                || self.func.dfg.inst_results(inst).len() != 1
                || self.constant(v).is_some()
            {
                continue;
            }
            self.current_inst = Some(inst);
            // Marked first: what its lowering folds in sees it computed at the block's end.
            self.sunk.insert(inst);
            let Some(outputs) = generated::constructor_lower(self, inst) else {
                return Err(self.unsupported(inst));
            };
            let target = self.value_reg(v);
            self.define_value(v, outputs[0], target);
        }
        Ok(())
    }

    /// The registers of the arguments the `succ`-th edge of `from` passes.
    fn branch_call_args(&mut self, from: ir::Block, succ: usize) -> Vec<VReg> {
        let term = self.func.layout.last_inst(from).unwrap();
        let calls: Vec<BlockCall> = self.func.dfg.insts[term]
            .branch_destination(&self.func.dfg.jump_tables, &self.func.dfg.exception_tables)
            .to_vec();
        let args: Vec<Value> = calls[succ]
            .args(&self.func.dfg.value_lists)
            .map(|a| a.as_value().expect("plain block arguments"))
            .collect();
        let mut regs = Vec::new();
        for a in args {
            regs.push(self.put_value(a).vreg());
        }
        regs
    }

    fn lower_block(&mut self, index: usize, block: ir::Block) -> Result<(), LowerError> {
        self.current_block = Some(block);
        let insts: Vec<ir::Inst> = self.func.layout.block_insts(block).collect();
        let mut code: Vec<Vec<MInst>> = Vec::new();
        for &inst in insts.iter().rev() {
            self.current_inst = Some(inst);
            let data = &self.func.dfg.insts[inst];
            let results = self.func.dfg.inst_results(inst);
            if self.sunk.contains(&inst)
                || removable_if_unused(self.func, inst)
                    && !results.iter().any(|r| self.used.contains(r))
                || self.is_redundant_stack_check(inst)
            {
                continue;
            }
            if data.opcode().is_branch() {
                // Arguments for successors reached directly (not through an edge block).
                let targets = self.order.edge_targets[&block].clone();
                let mut args = Vec::new();
                for (succ, &t) in targets.iter().enumerate() {
                    let direct = matches!(self.order.blocks[t as usize], LoweredBlock::Clif(_));
                    args.push(if direct {
                        self.branch_call_args(block, succ)
                    } else {
                        Vec::new()
                    });
                }
                self.branch_args[index] = args;
                if generated::constructor_lower_branch(self, inst).is_none() {
                    return Err(self.unsupported(inst));
                }
            } else {
                match generated::constructor_lower(self, inst) {
                    Some(outputs) => {
                        let results: Vec<Value> = self.func.dfg.inst_results(inst).to_vec();
                        for (value, reg) in results.into_iter().zip(outputs) {
                            let target = self.value_reg(value);
                            self.define_value(value, reg, target);
                        }
                    }
                    None => return Err(self.unsupported(inst)),
                }
            }
            code.push(std::mem::take(&mut self.current));
        }
        if block == self.func.layout.entry_block().unwrap() {
            code.push(self.entry_args());
        }
        code.reverse();
        self.block_code[index] = code.into_iter().flatten().collect();
        Ok(())
    }

    /// The frontend checks the stack pointer at every function entry, so that deep
    /// recursion traps before it leaves the stack. A function with a static frame that
    /// passes nothing on the stack never moves the stack pointer and is never active
    /// twice: its check can only repeat its caller's. (The entry block is lowered last, so
    /// every call is known by then.)
    fn is_redundant_stack_check(&self, inst: ir::Inst) -> bool {
        self.static_frame
            && self.outgoing_bytes == 0
            && matches!(self.func.dfg.insts[inst], InstructionData::CondTrap { opcode: Opcode::Trapnz, code, .. }
                if code == TrapCode::STACK_OVERFLOW)
    }

    /// Defines the entry block's parameters: the first eight from registers, the rest
    /// from the caller's outgoing area.
    fn entry_args(&mut self) -> Vec<MInst> {
        let entry = self.func.layout.entry_block().unwrap();
        let params: Vec<Value> = self.func.dfg.block_params(entry).to_vec();
        let mut args = Vec::new();
        let mut loads = Vec::new();
        for (i, p) in params.into_iter().enumerate() {
            let reg = self.value_reg(p);
            if i < ARG_REGS.len() {
                args.push((reg, preg(ARG_REGS[i])));
            } else {
                let index = (i - ARG_REGS.len()) as u32;
                loads.push(MInst::LoadIncoming { dst: reg, index });
            }
        }
        let mut code = vec![MInst::Args { args }];
        code.extend(loads);
        code
    }

    /// [`Self::define_as`] for `value`'s register `target`; with `poison_low32`, a value
    /// whose users read only its low half gets its high half flipped on the way.
    fn define_value(&mut self, value: Value, reg: Reg, target: Reg) {
        if self.poison_low32 && self.low32.contains(&value) {
            self.current.push(MInst::Alu {
                op: ZOp::Xor,
                dst: target,
                a: Src::Reg { reg },
                b: Src::Imm {
                    imm: super::LOW32_POISON,
                },
            });
        } else {
            self.define_as(reg, target);
        }
    }

    /// Makes `target` (a value's register) hold what the lowering computed in `reg`: the
    /// instruction that defined `reg` defines `target` instead (regalloc2 does not coalesce
    /// moves), or, when `reg` was not defined here (an operand passed through), a move.
    fn define_as(&mut self, reg: Reg, target: Reg) {
        let mut defined_here = false;
        for inst in &mut self.current {
            inst.visit_regs(&mut |r, kind| {
                if *r == reg && matches!(kind, RegUse::DefAny | RegUse::FixedDef(_)) {
                    defined_here = true;
                }
            });
        }
        if !defined_here && reg.is_virtual() && target.is_virtual() {
            // A value the lowering passes through: the same virtual register (regalloc2
            // would keep a move between two).
            self.same_as.insert(target, reg);
            return;
        }
        if !defined_here || !reg.is_virtual() {
            self.current.push(MInst::Move {
                dst: target,
                src: reg,
            });
            return;
        }
        for inst in &mut self.current {
            inst.visit_regs(&mut |r, _| {
                if *r == reg {
                    *r = target;
                }
            });
        }
    }

    fn unsupported(&self, inst: ir::Inst) -> LowerError {
        LowerError::Unsupported(self.func.dfg.display_inst(inst).to_string())
    }

    pub fn finish(mut self) -> VCode {
        self.rename_pass_throughs();
        let memory_operands = self.static_frame;
        let mut insts = Vec::new();
        let mut blocks = Vec::new();
        for (i, code) in std::mem::take(&mut self.block_code).into_iter().enumerate() {
            let start = insts.len();
            let succs: Vec<regalloc2::Block> = code
                .last()
                .map(|t| {
                    t.successors()
                        .into_iter()
                        .map(|s| regalloc2::Block::new(s as usize))
                        .collect()
                })
                .unwrap_or_default();
            insts.extend(code);
            let mut branch_args = std::mem::take(&mut self.branch_args[i]);
            branch_args.resize(succs.len(), Vec::new());
            blocks.push(VBlock {
                insts: start..insts.len(),
                succs,
                preds: Vec::new(),
                params: std::mem::take(&mut self.block_params[i]),
                branch_args,
            });
        }
        for b in 0..blocks.len() {
            for s in blocks[b].succs.clone() {
                blocks[s.index()].preds.push(regalloc2::Block::new(b));
            }
        }
        let operands = insts
            .iter_mut()
            .map(|i: &mut MInst| i.operands(memory_operands))
            .collect();
        VCode {
            insts,
            operands,
            blocks,
            num_vregs: self.next_vreg as usize,
            outgoing_bytes: self.outgoing_bytes,
            makes_calls: self.makes_calls,
        }
    }

    /// Replaces every register in `same_as` by the one it is the same as (following
    /// chains), in instructions, block parameters and branch arguments.
    fn rename_pass_throughs(&mut self) {
        if self.same_as.is_empty() {
            return;
        }
        let same_as = std::mem::take(&mut self.same_as);
        let resolve = |mut r: Reg| {
            while let Some(&s) = same_as.get(&r) {
                r = s;
            }
            r
        };
        for code in &mut self.block_code {
            for inst in code.iter_mut() {
                inst.visit_regs(&mut |r, _| *r = resolve(*r));
            }
        }
        let resolve_vreg = |v: &mut VReg| *v = resolve(Reg(v.vreg() as u32)).vreg();
        for params in &mut self.block_params {
            params.iter_mut().for_each(resolve_vreg);
        }
        for args in &mut self.branch_args {
            args.iter_mut().flatten().for_each(resolve_vreg);
        }
    }

    // ---- helpers for the constructors ----

    fn emit(&mut self, inst: MInst) {
        self.current.push(inst);
    }

    /// The 64-bit register pattern of a constant value (see `machine.rs`).
    fn constant(&self, v: Value) -> Option<u64> {
        let inst = defining_inst(self.func, v)?;
        match self.func.dfg.insts[inst] {
            InstructionData::UnaryImm {
                opcode: Opcode::Iconst,
                imm,
            } => {
                let ty = self.func.dfg.value_type(v);
                let bits = imm.bits() as u64;
                Some(match ty.bits() {
                    32 => bits as u32 as i32 as i64 as u64,
                    _ => bits,
                })
            }
            InstructionData::UnaryIeee32 { imm, .. } => Some(imm.bits() as u64),
            InstructionData::UnaryIeee64 { imm, .. } => Some(imm.bits()),
            _ => None,
        }
    }

    /// Whether the i32 `v` is, as an operand, its value sign-extended to 64 bits.
    fn held_sign_extended(&self, v: Value) -> bool {
        let v = self.func.dfg.resolve_aliases(v);
        self.func.dfg.value_type(v) == types::I32
            && (self.constant(v).is_some()
                || (!self.low32.contains(&v) && !self.zext_ok.contains(&v)))
    }

    /// `v = zext64(x) + k` (x an i32): (x, k).
    fn zext_plus_const(&self, v: Value) -> Option<(Value, u64)> {
        let inst = defining_inst(self.func, v)?;
        let InstructionData::Binary {
            opcode: Opcode::Iadd,
            args,
        } = self.func.dfg.insts[inst]
        else {
            return None;
        };
        let [a, b] = args.map(|a| self.func.dfg.resolve_aliases(a));
        let (ext, k) = match (self.constant(a), self.constant(b)) {
            (None, Some(k)) => (a, k),
            (Some(k), None) => (b, k),
            _ => return None,
        };
        let ext_inst = defining_inst(self.func, ext)?;
        match self.func.dfg.insts[ext_inst] {
            InstructionData::Unary {
                opcode: Opcode::Uextend,
                arg,
            } if self.func.dfg.value_type(arg) == types::I32
                && self.func.dfg.value_type(v) == types::I64 =>
            {
                Some((self.func.dfg.resolve_aliases(arg), k))
            }
            _ => None,
        }
    }

    fn put_value(&mut self, v: Value) -> Reg {
        let v = self.func.dfg.resolve_aliases(v);
        if let Some(k) = self.constant(v) {
            let dst = self.new_reg();
            self.emit(MInst::Alu {
                op: ZOp::CopyB,
                dst,
                a: Src::Imm { imm: 0 },
                b: Src::Imm { imm: k },
            });
            return dst;
        }
        if let Some(inst) = defining_inst(self.func, v) {
            if self.func.dfg.insts[inst].opcode() == Opcode::GetStackPointer {
                // The stack pointer does not move inside a function body.
                return Reg::SP;
            }
        }
        self.used.insert(v);
        self.value_reg(v)
    }

    /// A call to the float routine `routine` of `ty`: arguments in r10, r11, the result
    /// in r10, clobbering like any call.
    fn emit_soft_call(&mut self, routine: Routine, ty: Type, args: &[Reg]) -> Reg {
        let key = czisk_runtime::softfloat::routine_key(&crate::float::routine_name(routine, ty));
        self.makes_calls = true;
        let uses = args
            .iter()
            .zip(ARG_REGS)
            .map(|(&r, p)| (r, preg(p)))
            .collect();
        let dst = self.new_reg();
        self.emit(MInst::Call {
            target: CallTarget::Direct(key),
            uses,
            defs: vec![(dst, preg(ARG_REGS[0]))],
        });
        dst
    }

    fn trap_site(&self, code: TrapCode) -> TrapSite {
        let loc = self
            .current_inst
            .map(|i| self.func.srcloc(i))
            .unwrap_or_default();
        TrapSite {
            code,
            offset: if loc.is_default() { 0 } else { loc.bits() },
        }
    }

    fn current_targets(&self) -> Vec<BlockIndex> {
        self.order.edge_targets[&self.current_block.unwrap()].clone()
    }

    fn call_args(&mut self, args: &[Value]) -> Vec<(Reg, PReg)> {
        let mut uses = Vec::new();
        for (i, &a) in args.iter().enumerate() {
            if i < ARG_REGS.len() {
                let r = self.put_value(a);
                uses.push((r, preg(ARG_REGS[i])));
            } else {
                let value = generated::constructor_src(self, a);
                let offset = 8 * (i - ARG_REGS.len()) as i64;
                self.emit(MInst::Store {
                    width: 8,
                    base: crate::inst::sp_src(),
                    offset,
                    value,
                });
            }
        }
        uses
    }
}

/// The namespace and index of a user function name.
fn callee_key(func: &Function, f: FuncRef) -> (u32, u32) {
    let ext = &func.dfg.ext_funcs[f];
    match &ext.name {
        ir::ExternalName::User(name) => {
            let n = &func.params.user_named_funcs()[*name];
            (n.namespace, n.index)
        }
        other => panic!("call to a non-user function {other:?}"),
    }
}

impl generated::Context for Lowerer<'_> {
    fn pack_value_array_2(&mut self, a: Value, b: Value) -> ValueArray2 {
        [a, b]
    }
    fn unpack_value_array_2(&mut self, arr: &ValueArray2) -> (Value, Value) {
        (arr[0], arr[1])
    }
    fn pack_value_array_3(&mut self, a: Value, b: Value, c: Value) -> ValueArray3 {
        [a, b, c]
    }
    fn unpack_value_array_3(&mut self, arr: &ValueArray3) -> (Value, Value, Value) {
        (arr[0], arr[1], arr[2])
    }
    fn pack_block_array_2(&mut self, a: BlockCall, b: BlockCall) -> BlockArray2 {
        [a, b]
    }
    fn unpack_block_array_2(&mut self, arr: &BlockArray2) -> (BlockCall, BlockCall) {
        (arr[0], arr[1])
    }
    fn inst_data_value(&mut self, inst: Inst) -> (Type, InstructionData) {
        (self.func.dfg.ctrl_typevar(inst), self.func.dfg.insts[inst])
    }
    fn value_list_slice(&mut self, list: ValueList) -> ValueSlice {
        (list, 0)
    }
    fn value_slice_unwrap(&mut self, slice: ValueSlice) -> Option<(Value, ValueSlice)> {
        let (list, off) = slice;
        list.as_slice(&self.func.dfg.value_lists)
            .get(off)
            .map(|&v| (v, (list, off + 1)))
    }
    fn def_inst(&mut self, v: Value) -> Option<Inst> {
        let v = self.func.dfg.resolve_aliases(v);
        let inst = defining_inst(self.func, v)?;
        (is_pure(self.func, inst)
            && self.func.layout.inst_block(inst) == self.current_block
            && self.use_counts.get(&v).copied() == Some(1))
        .then_some(inst)
    }
    fn def_inst_any(&mut self, v: Value) -> Option<Inst> {
        let v = self.func.dfg.resolve_aliases(v);
        let inst = defining_inst(self.func, v)?;
        is_pure(self.func, inst).then_some(inst)
    }
    fn const_value(&mut self, v: Value) -> Option<u64> {
        self.constant(self.func.dfg.resolve_aliases(v))
    }
    fn value_type(&mut self, v: Value) -> Type {
        self.func.dfg.value_type(v)
    }
    fn offset32_i64(&mut self, o: Offset32) -> i64 {
        i64::from(o)
    }
    fn sinkable_fixed_load(&mut self, v: Value) -> Option<u64> {
        let v = self.func.dfg.resolve_aliases(v);
        let load = defining_inst(self.func, v)?;
        let InstructionData::Load {
            opcode: Opcode::Load,
            arg,
            offset,
            flags,
        } = self.func.dfg.insts[load]
        else {
            return None;
        };
        // An 8-byte word; or an i32 (a global) whose users read only its low half, which
        // the word's first four bytes are.
        let ty = self.func.dfg.value_type(v);
        let whole_word = ty.bytes() == 8 || (ty == types::I32 && self.low32.contains(&v));
        if !whole_word || self.func.dfg.mem_flags[flags].trap_code().is_some() {
            return None;
        }
        let user = self.current_inst?;
        if self.func.layout.inst_block(load) != self.current_block
            || self.use_counts.get(&v) != Some(&1)
        {
            return None;
        }
        let addr = self.constant(arg)?.wrapping_add(i64::from(offset) as u64);
        if addr % 8 != 0 {
            return None;
        }
        // Nothing between the load and its user may write memory: for a user computed on an
        // edge (`sink_into_edge`), nothing up to the block's terminator.
        let user = if self.sunk.contains(&user) {
            self.func
                .layout
                .last_inst(self.func.layout.inst_block(load)?)?
        } else {
            user
        };
        let mut cursor = self.func.layout.next_inst(load);
        while let Some(i) = cursor {
            if i == user {
                return Some(addr);
            }
            let op = self.func.dfg.insts[i].opcode();
            if op.can_store() || op.is_call() || op.other_side_effects() {
                return None;
            }
            cursor = self.func.layout.next_inst(i);
        }
        None
    }
    fn address_sibling(&mut self, v: Value) -> Option<(Value, u64)> {
        let v = self.func.dfg.resolve_aliases(v);
        let (x, k2) = self.zext_plus_const(v)?;
        // The earliest sibling in the window, so that every access from one index shares
        // one base register (a nearer sibling would itself need computing). The window
        // ends at a call: a base kept across it would need a callee-saved register or a
        // spill, where computing a new one after the call costs one step.
        let mut earliest = None;
        let mut cursor = self.func.layout.prev_inst(self.current_inst?);
        for _ in 0..SIBLING_WINDOW {
            let Some(i) = cursor else { break };
            if self.func.dfg.insts[i].opcode().is_call() {
                break;
            }
            // A value computed on an edge (`sink_into_edge`) is not there in the block.
            let sunk = self.sunk.contains(&i);
            for &r in self.func.dfg.inst_results(i) {
                if r != v && !sunk {
                    if let Some((x1, k1)) = self.zext_plus_const(r) {
                        if x1 == x {
                            earliest = Some((r, k2.wrapping_sub(k1)));
                        }
                    }
                }
            }
            cursor = self.func.layout.prev_inst(i);
        }
        earliest
    }
    fn zext_ok_result(&mut self, inst: Inst) -> Option<()> {
        let result = *self.func.dfg.inst_results(inst).first()?;
        self.zext_ok.contains(&result).then_some(())
    }
    fn low32_result(&mut self, inst: Inst) -> Option<()> {
        let result = *self.func.dfg.inst_results(inst).first()?;
        self.low32.contains(&result).then_some(())
    }
    /// The width at which an i32 compare, min or max of `x` and `y` may be made: the full 64
    /// bits when both are held sign-extended (a constant, which becomes a sign-extended
    /// immediate, or a value neither in the low-half set nor held zero-extended). Sign
    /// extension is one-to-one and keeps both the signed and the unsigned order, so the
    /// 64-bit `eq`, `lt`, `ltu`, `le`, `leu`, `min(u)`, `max(u)` give the 32-bit answers (and
    /// a sign-extended min or max); they cost what the `_w` forms cost, but ZisK proves
    /// those with small operands (FROPS, `zisk_core::frops`) as table lookups at no
    /// operation cost, which it does not for the `_w` forms of compares.
    fn cmp_width(&mut self, ty: Type, x: Value, y: Value) -> Type {
        if ty != types::I32 || !self.compare64 {
            return ty;
        }
        if self.held_sign_extended(x) && self.held_sign_extended(y) {
            types::I64
        } else {
            ty
        }
    }
    fn cmp_for(&mut self, ty: Type, op: &ZOp) -> ZOp {
        if ty != types::I32 {
            return *op;
        }
        match op {
            ZOp::Eq => ZOp::EqW,
            ZOp::Lt => ZOp::LtW,
            ZOp::Ltu => ZOp::LtuW,
            ZOp::Le => ZOp::LeW,
            ZOp::Leu => ZOp::LeuW,
            ZOp::Min => ZOp::MinW,
            ZOp::Max => ZOp::MaxW,
            ZOp::Minu => ZOp::MinuW,
            ZOp::Maxu => ZOp::MaxuW,
            other => *other,
        }
    }
    fn is_64_or_32(&mut self, ty: Type) -> Option<Type> {
        (ty == types::I64 || ty == types::I32).then_some(ty)
    }
    fn is_narrow(&mut self, ty: Type) -> Option<Type> {
        (ty == types::I8 || ty == types::I16).then_some(ty)
    }
    fn cc_is_signed(&mut self, cc: &IntCC) -> bool {
        matches!(
            cc,
            IntCC::SignedLessThan
                | IntCC::SignedLessThanOrEqual
                | IntCC::SignedGreaterThan
                | IntCC::SignedGreaterThanOrEqual
        )
    }
    fn not_minus_one(&mut self, k: u64) -> Option<u64> {
        (k as i64 != -1 && k as i32 != -1 && k != 0).then_some(k)
    }
    fn ty_bytes(&mut self, ty: Type) -> Option<u8> {
        (ty.is_int() || ty.is_float()).then_some(ty.bytes() as u8)
    }
    fn offset_plus(&mut self, off: i64, k: u64) -> i64 {
        off.wrapping_add(k as i64)
    }
    fn ty_bits(&mut self, ty: Type) -> u64 {
        ty.bits() as u64
    }
    fn u64_and(&mut self, a: u64, b: u64) -> u64 {
        a & b
    }
    fn u64_low32(&mut self, k: u64) -> u64 {
        k & 0xffff_ffff
    }
    fn bool_xor(&mut self, a: bool, b: bool) -> bool {
        a ^ b
    }
    fn trap_int_divz(&mut self) -> TrapCode {
        TrapCode::INTEGER_DIVISION_BY_ZERO
    }
    fn trap_int_ovf(&mut self) -> TrapCode {
        TrapCode::INTEGER_OVERFLOW
    }

    fn emit_alu(&mut self, op: &ZOp, a: &Src, b: &Src) -> Reg {
        let dst = self.new_reg();
        self.emit(MInst::Alu {
            op: *op,
            dst,
            a: *a,
            b: *b,
        });
        dst
    }
    fn emit_alu_trap_on_flag(&mut self, op: &ZOp, a: &Src, b: &Src, code: &TrapCode) -> Reg {
        let dst = self.new_reg();
        let trap = self.trap_site(*code);
        self.emit(MInst::AluTrap {
            op: *op,
            dst,
            a: *a,
            b: *b,
            trap,
        });
        dst
    }
    fn emit_load(&mut self, op: &ZOp, width: u8, base: &Src, offset: i64) -> Reg {
        let dst = self.new_reg();
        self.emit(MInst::Load {
            op: *op,
            width,
            dst,
            base: *base,
            offset,
        });
        dst
    }
    fn emit_store(&mut self, width: u8, base: &Src, offset: i64, value: &Src) -> Unit {
        self.emit(MInst::Store {
            width,
            base: *base,
            offset,
            value: *value,
        });
    }
    fn emit_cond_br(&mut self, op: &ZOp, a: &Src, b: &Src, negate: bool) -> Unit {
        let t = self.current_targets();
        self.emit(MInst::CondBr {
            op: *op,
            a: *a,
            b: *b,
            negate,
            targets: [t[0], t[1]],
        });
    }
    fn emit_trap_if(&mut self, op: &ZOp, a: &Src, b: &Src, negate: bool, code: &TrapCode) -> Unit {
        let trap = self.trap_site(*code);
        self.emit(MInst::TrapIf {
            op: *op,
            a: *a,
            b: *b,
            negate,
            trap,
        });
    }
    fn lower_call(&mut self, inst: Inst) -> InstOutput {
        let func = self.func;
        let (target, args): (CallTarget, Vec<Value>) = match func.dfg.insts[inst] {
            InstructionData::Call { func_ref, args, .. } => {
                let key = callee_key(func, func_ref);
                let args = args.as_slice(&func.dfg.value_lists).to_vec();
                if key
                    == (
                        czisk_frontend::NS_INTRINSIC,
                        czisk_frontend::INTRINSIC_MEMMOVE,
                    )
                {
                    self.makes_calls = true;
                    let [dst, src, len] = [args[0], args[1], args[2]].map(|a| self.put_value(a));
                    self.emit(MInst::MemMove { dst, src, len });
                    return SmallVec::new();
                }
                if key
                    == (
                        czisk_frontend::NS_INTRINSIC,
                        czisk_frontend::INTRINSIC_MEMSET,
                    )
                {
                    if let Some(byte) = self.constant(self.func.dfg.resolve_aliases(args[1])) {
                        let [dst, len] = [args[0], args[2]].map(|a| self.put_value(a));
                        self.emit(MInst::DmaFill {
                            dst,
                            len,
                            byte: byte as u8,
                        });
                        return SmallVec::new();
                    }
                }
                if let Some(op) = precompile_op(key) {
                    // blake2b's round is the instruction's static argument: the
                    // intrinsic's first argument, a constant.
                    let (arg, addresses) = match op {
                        ZOp::Blake2b => {
                            let round = self.constant(func.dfg.resolve_aliases(args[0]));
                            (round.expect("blake2b's round is a constant"), &args[1..])
                        }
                        _ => (0, &args[..]),
                    };
                    // One operand: its address in b (a unused). Two: the first in a, the
                    // second in b (secp256k1_add, sha256). A result: the instruction's c.
                    let regs: Vec<Reg> = addresses.iter().map(|&v| self.put_value(v)).collect();
                    let (a, b) = match regs[..] {
                        [b] => (Src::Imm { imm: 0 }, Src::Reg { reg: b }),
                        [a, b] => (Src::Reg { reg: a }, Src::Reg { reg: b }),
                        _ => unreachable!("precompile intrinsics take one or two addresses"),
                    };
                    let dst = (!func.dfg.inst_results(inst).is_empty()).then(|| self.new_reg());
                    self.emit(MInst::Precompile { op, a, b, arg, dst });
                    return dst.into_iter().collect();
                }
                if key.0 == czisk_frontend::NS_INTRINSIC && key.1 == czisk_frontend::INTRINSIC_PUTC
                {
                    // One byte to the UART: a store, not a call.
                    let value = generated::constructor_src(self, args[0]);
                    self.emit(MInst::Store {
                        width: 1,
                        base: Src::Imm { imm: 0 },
                        offset: czisk_runtime::zisk_map::UART_ADDR as i64,
                        value,
                    });
                    return SmallVec::new();
                }
                (CallTarget::Direct(key), args)
            }
            InstructionData::CallIndirect { args, .. } => {
                let all = args.as_slice(&func.dfg.value_lists).to_vec();
                // The call computes `x & mask` (a funcref's address half) itself.
                let masked = generated::Context::def_inst(self, all[0]).and_then(|i| {
                    match func.dfg.insts[i] {
                        InstructionData::Binary {
                            opcode: Opcode::Band,
                            args: [x, k],
                        } => self.constant(func.dfg.resolve_aliases(k)).map(|k| (x, k)),
                        _ => None,
                    }
                });
                let target = match masked {
                    Some((x, k)) => CallTarget::Indirect {
                        op: ZOp::And,
                        a: Src::Reg {
                            reg: self.put_value(x),
                        },
                        b: Src::Imm { imm: k },
                    },
                    None => CallTarget::Indirect {
                        op: ZOp::CopyB,
                        a: Src::Imm { imm: 0 },
                        b: Src::Reg {
                            reg: self.put_value(all[0]),
                        },
                    },
                };
                (target, all[1..].to_vec())
            }
            _ => unreachable!("lower_call on a non-call"),
        };
        self.makes_calls = true;
        let uses = self.call_args(&args);
        let results: Vec<Value> = func.dfg.inst_results(inst).to_vec();
        let stack_words = args
            .len()
            .saturating_sub(ARG_REGS.len())
            .max(results.len().saturating_sub(ARG_REGS.len()));
        self.outgoing_bytes = self.outgoing_bytes.max(8 * stack_words as u32);
        let mut defs = Vec::new();
        let mut outputs = SmallVec::new();
        let mut loads = Vec::new();
        for i in 0..results.len() {
            let r = self.new_reg();
            if i < ARG_REGS.len() {
                defs.push((r, preg(ARG_REGS[i])));
            } else {
                let offset = 8 * (i - ARG_REGS.len()) as i64;
                loads.push(MInst::Load {
                    op: ZOp::CopyB,
                    width: 8,
                    dst: r,
                    base: crate::inst::sp_src(),
                    offset,
                });
            }
            outputs.push(r);
        }
        self.emit(MInst::Call { target, uses, defs });
        for l in loads {
            self.emit(l);
        }
        outputs
    }
    fn lower_return(&mut self, slice: ValueSlice) -> InstOutput {
        let (list, off) = slice;
        let values: Vec<Value> = list.as_slice(&self.func.dfg.value_lists)[off..].to_vec();
        let mut uses = Vec::new();
        for (i, v) in values.into_iter().enumerate() {
            let r = self.put_value(v);
            if i < ARG_REGS.len() {
                uses.push((r, preg(ARG_REGS[i])));
            } else {
                let index = (i - ARG_REGS.len()) as u32;
                self.emit(MInst::StoreIncoming { src: r, index });
            }
        }
        self.emit(MInst::Ret { uses });
        SmallVec::new()
    }
    fn lower_jump(&mut self) -> Unit {
        let t = self.current_targets();
        self.emit(MInst::Jump { target: t[0] });
    }
    fn lower_br_table(&mut self, index: Value) -> Unit {
        let t = self.current_targets();
        let index = self.put_value(index);
        self.emit(MInst::BrTable {
            index,
            default: t[0],
            targets: t[1..].to_vec(),
        });
    }
    fn lower_trap(&mut self, code: &TrapCode) -> InstOutput {
        let trap = self.trap_site(*code);
        self.emit(MInst::Trap { trap });
        SmallVec::new()
    }
    fn lower_stack_addr(&mut self, slot: StackSlot, offset: i64) -> Reg {
        let dst = self.new_reg();
        self.emit(MInst::StackAddr { dst, slot, offset });
        dst
    }
    fn soft1(&mut self, routine: &Routine, ty: Type, x: Reg) -> Reg {
        self.emit_soft_call(*routine, ty, &[x])
    }
    fn soft2(&mut self, routine: &Routine, ty: Type, x: Reg, y: Reg) -> Reg {
        self.emit_soft_call(*routine, ty, &[x, y])
    }
    fn promote(&mut self, src: Reg) -> Reg {
        let dst = self.new_reg();
        self.emit(MInst::Promote { src, dst });
        dst
    }
    fn abs_mask(&mut self, ty: Type) -> u64 {
        if ty == types::F64 {
            0x7fff_ffff_ffff_ffff
        } else {
            0x7fff_ffff
        }
    }
    fn sign_mask(&mut self, ty: Type) -> u64 {
        if ty == types::F64 {
            0x8000_0000_0000_0000
        } else {
            0x8000_0000
        }
    }
    fn inf_bits(&mut self, ty: Type) -> u64 {
        if ty == types::F64 {
            0x7ff0_0000_0000_0000
        } else {
            0x7f80_0000
        }
    }
    fn canonical_nan(&mut self, ty: Type) -> u64 {
        if ty == types::F64 {
            0x7ff8_0000_0000_0000
        } else {
            0x7fc0_0000
        }
    }
    fn quiet_bit(&mut self, ty: Type) -> u64 {
        if ty == types::F64 {
            0x0008_0000_0000_0000
        } else {
            0x0040_0000
        }
    }
    fn integral_bits(&mut self, ty: Type) -> u64 {
        if ty == types::F64 {
            2f64.powi(52).to_bits()
        } else {
            2f32.powi(23).to_bits() as u64
        }
    }
    fn conv_pos_limit(&mut self, fty: Type, ity: Type, signed: bool) -> u64 {
        crate::float::conversion_limits(fty, ity, signed).0
    }
    fn conv_neg_limit(&mut self, fty: Type, ity: Type, signed: bool) -> u64 {
        crate::float::conversion_limits(fty, ity, signed).1
    }
    fn int_min(&mut self, ity: Type, signed: bool) -> u64 {
        match (signed, ity == types::I64) {
            (true, false) => i32::MIN as i64 as u64,
            (true, true) => i64::MIN as u64,
            (false, _) => 0,
        }
    }
    fn int_max(&mut self, ity: Type, signed: bool) -> u64 {
        // i32 registers hold sign-extended values: u32::MAX is all ones.
        match (signed, ity == types::I64) {
            (true, false) => i32::MAX as u64,
            (true, true) => i64::MAX as u64,
            (false, _) => u64::MAX,
        }
    }
    fn u64_sub(&mut self, a: u64, b: u64) -> u64 {
        a.wrapping_sub(b)
    }
    fn trap_bad_conversion(&mut self) -> TrapCode {
        TrapCode::BAD_CONVERSION_TO_INTEGER
    }
    fn lower_func_addr(&mut self, f: FuncRef) -> Reg {
        let dst = self.new_reg();
        let func = callee_key(self.func, f);
        self.emit(MInst::FuncAddr { dst, func });
        dst
    }
    fn stack_pointer(&mut self) -> Reg {
        let dst = self.new_reg();
        self.emit(MInst::Move { dst, src: Reg::SP });
        dst
    }
    fn put_in_reg(&mut self, v: Value) -> Reg {
        self.put_value(v)
    }
    fn output_reg(&mut self, r: Reg) -> InstOutput {
        smallvec::smallvec![r]
    }
    fn output_none(&mut self) -> InstOutput {
        SmallVec::new()
    }
}

// Names the generated code refers to.
#[allow(unused_imports)]
use {
    AtomicRmwOp as _, Constant as _, DynamicStackSlot as _, ExceptionTable as _, FloatCC as _,
    GlobalValue as _, Ieee16 as _, Ieee32 as _, Ieee64 as _, Immediate as _, IntCC as _,
    JumpTable as _, MemFlags as _, SigRef as _, Uimm8 as _,
};

/// How many instructions back (within the block, not across a call) an access looks for
/// a sibling address to use as its base.
const SIBLING_WINDOW: usize = 256;

/// The precompile instruction an intrinsic is (see czisk-frontend's `INTRINSIC_*`).
fn precompile_op(key: (u32, u32)) -> Option<ZOp> {
    use czisk_frontend as f;
    if key.0 != f::NS_INTRINSIC {
        return None;
    }
    Some(match key.1 {
        f::INTRINSIC_KECCAKF => ZOp::Keccak,
        f::INTRINSIC_SHA256F => ZOp::Sha256,
        f::INTRINSIC_SECP256K1_ADD => ZOp::Secp256k1Add,
        f::INTRINSIC_SECP256K1_DBL => ZOp::Secp256k1Dbl,
        f::INTRINSIC_ARITH256 => ZOp::Arith256,
        f::INTRINSIC_ARITH256_MOD => ZOp::Arith256Mod,
        f::INTRINSIC_SECP256R1_ADD => ZOp::Secp256r1Add,
        f::INTRINSIC_SECP256R1_DBL => ZOp::Secp256r1Dbl,
        f::INTRINSIC_BN254_CURVE_ADD => ZOp::Bn254CurveAdd,
        f::INTRINSIC_BN254_CURVE_DBL => ZOp::Bn254CurveDbl,
        f::INTRINSIC_BN254_COMPLEX_ADD => ZOp::Bn254ComplexAdd,
        f::INTRINSIC_BN254_COMPLEX_SUB => ZOp::Bn254ComplexSub,
        f::INTRINSIC_BN254_COMPLEX_MUL => ZOp::Bn254ComplexMul,
        f::INTRINSIC_BLS12_381_CURVE_ADD => ZOp::Bls12_381CurveAdd,
        f::INTRINSIC_BLS12_381_CURVE_DBL => ZOp::Bls12_381CurveDbl,
        f::INTRINSIC_BLS12_381_COMPLEX_ADD => ZOp::Bls12_381ComplexAdd,
        f::INTRINSIC_BLS12_381_COMPLEX_SUB => ZOp::Bls12_381ComplexSub,
        f::INTRINSIC_BLS12_381_COMPLEX_MUL => ZOp::Bls12_381ComplexMul,
        f::INTRINSIC_ARITH384_MOD => ZOp::Arith384Mod,
        f::INTRINSIC_ADD256 => ZOp::Add256,
        f::INTRINSIC_ED25519_ADD => ZOp::Ed25519Add,
        f::INTRINSIC_BABYJUBJUB_ADD => ZOp::BabyJubJubAdd,
        f::INTRINSIC_BLAKE2B_ROUND => ZOp::Blake2b,
        f::INTRINSIC_BLAKE2SF => ZOp::Blake2s,
        f::INTRINSIC_BLAKE3F => ZOp::Blake3,
        f::INTRINSIC_POSEIDON2 => ZOp::Poseidon2,
        f::INTRINSIC_POSEIDON1 => ZOp::Poseidon1,
        f::INTRINSIC_POSEIDON2_KOALABEAR => ZOp::Poseidon2KoalaBear,
        _ => return None,
    })
}
