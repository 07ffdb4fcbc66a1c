//! The lowering driver: one function's blocks in order, each block's instructions
//! bottom-up through the ISLE rules (`isle.rs`), values into virtual registers, block
//! parameters and branch arguments, and the VCode it all ends in.

use rustc_hash::{FxHashMap, FxHashSet};

use cranelift_codegen::dominator_tree::DominatorTree;
use cranelift_codegen::entity::{EntitySet, SecondaryMap};
use cranelift_codegen::ir::{
    self, types, BlockCall, FuncRef, Function, InstructionData, Opcode, TrapCode, Value,
};
use regalloc2::VReg;

use super::uses::Uses;
use super::{
    defining_inst, is_pure, removable_if_unused, BlockOrder, LowerError, LoweredBlock, VBlock,
    VCode,
};
use crate::inst::{BlockIndex, MInst, Reg, RegUse, Src, TrapSite};
use crate::machine::ZOp;

use super::isle::generated;

pub struct Lowerer<'a> {
    pub(super) func: &'a Function,
    pub(super) order: &'a BlockOrder,
    pub(super) next_vreg: u32,
    pub(super) value_regs: SecondaryMap<Value, Option<Reg>>,
    /// Values some emitted instruction reads from a register.
    pub(super) used: EntitySet<Value>,
    /// Every use of every value.
    pub(super) uses: Uses,
    /// i32 values whose users only read their low 32 bits.
    pub(super) low32: EntitySet<Value>,
    /// i32 values that are only address indices, held zero- or sign-extended (`low32::zext_ok_values`).
    pub(super) zext_ok: FxHashSet<Value>,
    /// i32 adds that cannot wrap, of sign-extended operands (`ranges::no_wrap_adds`).
    pub(super) no_wrap: FxHashSet<Value>,
    /// What i32 values can be (None with the `value-ranges` optimization off).
    pub(super) ranges: Option<super::ranges::Ranges<'a>>,
    /// Instructions already lowered on an outgoing edge of their block.
    pub(super) sunk: FxHashSet<ir::Inst>,
    /// The function's frame is at a fixed address (see `calls.rs`).
    pub(super) static_frame: bool,
    /// Instructions of the CLIF instruction being lowered, in order.
    pub(super) current: Vec<MInst>,
    pub(super) current_inst: Option<ir::Inst>,
    pub(super) current_block: Option<ir::Block>,
    /// Lowered code per lowered block, in order.
    pub(super) block_code: Vec<Vec<MInst>>,
    pub(super) block_params: Vec<Vec<VReg>>,
    pub(super) branch_args: Vec<Vec<Vec<VReg>>>,
    pub(super) outgoing_bytes: u32,
    pub(super) makes_calls: bool,
    /// Values that are another value's register unchanged (an i32 truncation of a value
    /// whose low half is all that is read, ...): their register, renamed to the source's
    /// when the function is finished, so that no move copies them.
    pub(super) same_as: FxHashMap<Reg, Reg>,
    /// Give every low-half-only i32 garbage high bits where it is defined (tests: see
    /// `lower::with_low32_poisoned`).
    pub(super) poison_low32: bool,
    /// i32 compares of sign-extended values at 64 bits (`cmp_width`).
    pub(super) compare64: bool,
    /// call_indirect's signature tests that make its null test too, by their trap
    /// (`indirect.rs`); their null tests are left out.
    pub(super) signature_tests: FxHashMap<ir::Inst, super::indirect::SignatureTest>,
    pub(super) folded_null_tests: FxHashSet<ir::Inst>,
}

impl<'a> Lowerer<'a> {
    pub fn new(
        func: &'a Function,
        domtree: &'a DominatorTree,
        order: &'a BlockOrder,
        static_frame: bool,
        shape: Option<&czisk_frontend::LimitShape>,
        opts: &czisk_frontend::Optimizations,
    ) -> Self {
        let uses = Uses::of_function(func);
        let n = order.blocks.len();
        let ranges = opts
            .value_ranges
            .then(|| super::ranges::Ranges::new(func, domtree, shape));
        let mut low32 = if opts.low32 {
            super::low32::low32_only_values(func, &uses, ranges.as_ref())
        } else {
            EntitySet::new()
        };
        let signature_tests = if opts.null_test_in_signature_stub {
            super::indirect::signature_tests_with_null(func)
        } else {
            FxHashMap::default()
        };
        let folded_null_tests = signature_tests.values().map(|t| t.null_test).collect();
        let zext_ok = if opts.zext_addresses {
            super::low32::zext_ok_values(func, &uses, &low32, shape, ranges.as_ref())
        } else {
            FxHashSet::default()
        };
        let no_wrap = match &ranges {
            Some(ranges) => super::ranges::no_wrap_adds(func, ranges, &mut low32, &zext_ok),
            None => FxHashSet::default(),
        };
        Lowerer {
            func,
            order,
            next_vreg: Reg::FIRST_VIRTUAL,
            value_regs: SecondaryMap::with_capacity(func.dfg.num_values()),
            used: EntitySet::with_capacity(func.dfg.num_values()),
            uses,
            low32,
            zext_ok,
            no_wrap,
            ranges,
            sunk: FxHashSet::default(),
            static_frame,
            current: Vec::new(),
            current_inst: None,
            current_block: None,
            block_code: vec![Vec::new(); n],
            block_params: vec![Vec::new(); n],
            branch_args: vec![Vec::new(); n],
            outgoing_bytes: 0,
            makes_calls: false,
            same_as: FxHashMap::default(),
            poison_low32: super::POISON_LOW32.with(std::cell::Cell::get),
            compare64: opts.compare64,
            signature_tests,
            folded_null_tests,
        }
    }

    pub(super) fn new_reg(&mut self) -> Reg {
        let r = Reg(self.next_vreg);
        self.next_vreg += 1;
        r
    }

    pub(super) fn value_reg(&mut self, v: Value) -> Reg {
        let v = self.func.dfg.resolve_aliases(v);
        if let Some(r) = self.value_regs[v] {
            return r;
        }
        let r = self.new_reg();
        self.value_regs[v] = Some(r);
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
                    let target = self.order.index_of[to];
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
    pub(super) fn sink_into_edge(
        &mut self,
        from: ir::Block,
        succ: usize,
    ) -> Result<(), LowerError> {
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
                || self.uses.count(v) != 1
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
    pub(super) fn branch_call_args(&mut self, from: ir::Block, succ: usize) -> Vec<VReg> {
        let term = self.func.layout.last_inst(from).unwrap();
        let call: BlockCall = self.func.dfg.insts[term]
            .branch_destination(&self.func.dfg.jump_tables, &self.func.dfg.exception_tables)[succ];
        let args = call.args(&self.func.dfg.value_lists);
        let mut regs = Vec::with_capacity(args.len());
        for a in args {
            let a = a.as_value().expect("plain block arguments");
            regs.push(self.put_value(a).vreg());
        }
        regs
    }

    pub(super) fn lower_block(&mut self, index: usize, block: ir::Block) -> Result<(), LowerError> {
        self.current_block = Some(block);
        // Instructions are lowered last to first; each one's code is appended to `code`
        // as it comes, and the pieces are put back in order at the end.
        let mut code: Vec<MInst> = Vec::new();
        let mut piece_starts: Vec<usize> = Vec::new();
        let mut next = self.func.layout.last_inst(block);
        while let Some(inst) = next {
            next = self.func.layout.prev_inst(inst);
            self.current_inst = Some(inst);
            let data = &self.func.dfg.insts[inst];
            let results = self.func.dfg.inst_results(inst);
            if self.sunk.contains(&inst)
                || removable_if_unused(self.func, inst)
                    && !results.iter().any(|&r| self.used.contains(r))
                || self.is_redundant_stack_check(inst)
                || self.folded_null_tests.contains(&inst)
            {
                continue;
            }
            if let Some(&test) = self.signature_tests.get(&inst) {
                self.lower_signature_test(test);
                piece_starts.push(code.len());
                code.append(&mut self.current);
                continue;
            }
            if data.opcode().is_branch() {
                // Arguments for successors reached directly (not through an edge block).
                let targets = self.order.edge_targets[block].clone();
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
            piece_starts.push(code.len());
            code.append(&mut self.current);
        }
        if block == self.func.layout.entry_block().unwrap() {
            piece_starts.push(code.len());
            code.extend(self.entry_args());
        }
        // Reversed whole, the pieces are in order, each one backwards.
        let n = code.len();
        code.reverse();
        let mut end = n;
        for &start in piece_starts.iter().rev() {
            code[n - end..n - start].reverse();
            end = start;
        }
        self.block_code[index] = code;
        Ok(())
    }

    /// The frontend checks the stack pointer at every function entry, so that deep
    /// recursion traps before it leaves the stack. A function with a static frame that
    /// passes nothing on the stack never moves the stack pointer and is never active
    /// twice: its check can only repeat its caller's. (The entry block is lowered last, so
    /// every call is known by then.)
    pub(super) fn is_redundant_stack_check(&self, inst: ir::Inst) -> bool {
        self.static_frame
            && self.outgoing_bytes == 0
            && matches!(self.func.dfg.insts[inst], InstructionData::CondTrap { opcode: Opcode::Trapnz, code, .. }
                if code == TrapCode::STACK_OVERFLOW)
    }

    /// [`Self::define_as`] for `value`'s register `target`; with `poison_low32`, a value
    /// whose users read only its low half gets its high half flipped on the way.
    pub(super) fn define_value(&mut self, value: Value, reg: Reg, target: Reg) {
        if self.poison_low32 && self.low32.contains(value) {
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
    pub(super) fn define_as(&mut self, reg: Reg, target: Reg) {
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

    pub(super) fn unsupported(&self, inst: ir::Inst) -> LowerError {
        LowerError::Unsupported(self.func.dfg.display_inst(inst).to_string())
    }

    pub fn finish(mut self) -> VCode {
        self.rename_pass_throughs();
        let memory_operands = self.static_frame;
        let mut insts = Vec::with_capacity(self.block_code.iter().map(Vec::len).sum());
        let mut blocks = Vec::with_capacity(self.block_code.len());
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
        let mut operands = Vec::with_capacity(insts.len() * 2);
        let mut operand_start = Vec::with_capacity(insts.len() + 1);
        for inst in &mut insts {
            operand_start.push(operands.len() as u32);
            inst.push_operands(memory_operands, &mut operands);
        }
        operand_start.push(operands.len() as u32);
        VCode {
            insts,
            operands,
            operand_start,
            blocks,
            num_vregs: self.next_vreg as usize,
            outgoing_bytes: self.outgoing_bytes,
            makes_calls: self.makes_calls,
        }
    }

    /// Replaces every register in `same_as` by the one it is the same as (following
    /// chains), in instructions, block parameters and branch arguments.
    pub(super) fn rename_pass_throughs(&mut self) {
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

    pub(super) fn emit(&mut self, inst: MInst) {
        self.current.push(inst);
    }

    /// The 64-bit register pattern of a constant value (see `machine.rs`).
    pub(super) fn constant(&self, v: Value) -> Option<u64> {
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
    pub(super) fn held_sign_extended(&self, v: Value) -> bool {
        let v = self.func.dfg.resolve_aliases(v);
        self.func.dfg.value_type(v) == types::I32
            && (self.constant(v).is_some()
                || self.no_wrap.contains(&v)
                || (!self.low32.contains(v) && !self.zext_ok.contains(&v)))
    }

    pub(super) fn put_value(&mut self, v: Value) -> Reg {
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

    /// A signature test whose stub also makes the null test (`indirect.rs`): trap unless
    /// `sig == expected`.
    fn lower_signature_test(&mut self, test: super::indirect::SignatureTest) {
        let trap = TrapSite {
            null_at: Some(self.wasm_offset(test.null_test)),
            ..self.trap_site(czisk_frontend::WasmTrap::BadSignature.code())
        };
        let sig = self.put_value(test.sig);
        self.emit(MInst::TrapIf {
            op: ZOp::Eq,
            a: Src::Reg { reg: sig },
            b: Src::Imm { imm: test.expected },
            negate: true,
            trap,
        });
    }

    pub(super) fn trap_site(&self, code: TrapCode) -> TrapSite {
        TrapSite {
            code,
            offset: self.current_inst.map_or(0, |i| self.wasm_offset(i)),
            null_at: None,
        }
    }

    /// The wasm offset `inst` came from (0 if none).
    fn wasm_offset(&self, inst: ir::Inst) -> u32 {
        let loc = self.func.srcloc(inst);
        if loc.is_default() {
            0
        } else {
            loc.bits()
        }
    }

    /// The targets of the branch being lowered.
    pub(super) fn current_targets(&self) -> &[BlockIndex] {
        &self.order.edge_targets[self.current_block.unwrap()]
    }
}

/// The namespace and index of a user function name.
pub(super) fn callee_key(func: &Function, f: FuncRef) -> (u32, u32) {
    let ext = &func.dfg.ext_funcs[f];
    match &ext.name {
        ir::ExternalName::User(name) => {
            let n = &func.params.user_named_funcs()[*name];
            (n.namespace, n.index)
        }
        other => panic!("call to a non-user function {other:?}"),
    }
}
