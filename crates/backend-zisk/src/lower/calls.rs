//! The calling convention in the lowering: calls (direct, indirect, the float routines),
//! returns and the entry's arguments, in the argument registers r10.. and, beyond them, the
//! stack's outgoing and incoming areas.

use cranelift_codegen::ir::{InstructionData, Opcode, Type, Value};
use regalloc2::PReg;
use smallvec::SmallVec;

use crate::float::Routine;
use crate::inst::{CallTarget, MInst, Reg, Src};
use crate::machine::{preg, ZOp, ARG_REGS};
use generated::Intrinsic;

use super::driver::{callee_key, Lowerer};
use super::isle::{generated, Inst, InstOutput, ValueSlice};

impl Lowerer<'_> {
    /// Defines the entry block's parameters: the first eight from registers, the rest
    /// from the caller's outgoing area.
    pub(super) fn entry_args(&mut self) -> Vec<MInst> {
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
    pub(super) fn call_args(&mut self, args: &[Value]) -> Vec<(Reg, PReg)> {
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
    /// A call to the float routine `routine` of `ty`: arguments in r10, r11, the result
    /// in r10, clobbering like any call.
    pub(super) fn emit_soft_call(&mut self, routine: Routine, ty: Type, args: &[Reg]) -> Reg {
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
    /// A call: its arguments in the argument registers and the outgoing area, its results
    /// likewise.
    pub(super) fn call(&mut self, inst: Inst) -> InstOutput {
        let func = self.func;
        let (target, args): (CallTarget, Vec<Value>) = match func.dfg.insts[inst] {
            InstructionData::Call { func_ref, args, .. } => {
                let key = callee_key(func, func_ref);
                let args = args.as_slice(&func.dfg.value_lists).to_vec();
                // The intrinsics that are instructions matched their rules (lower.isle);
                // memset with a variable byte is the runtime's function.
                assert!(
                    matches!(
                        generated::Context::intrinsic(self, func_ref),
                        None | Some(Intrinsic::MemSet)
                    ),
                    "intrinsic {key:?} with an argument list its rule does not take"
                );
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
    /// A return: the results in the argument registers and the incoming area.
    pub(super) fn ret(&mut self, slice: ValueSlice) -> InstOutput {
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
}
