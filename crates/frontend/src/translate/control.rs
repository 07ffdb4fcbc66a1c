//! Structured control flow, branches and calls.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, Block, BlockCall, InstBuilder, JumpTableData, MemFlagsData, Type, Value,
};
use wasmparser::{BlockType, Operator};

use super::{clif_type, FuncTranslator};
use crate::error::CompileError;
use crate::traps::WasmTrap;

pub(crate) enum FrameKind {
    /// The function body: its continuation returns.
    Function,
    Block,
    Loop {
        header: Block,
    },
    /// An `if` whose `else` has not been seen: the false edge still goes to `else_block`.
    If {
        else_block: Block,
        params: Vec<Value>,
        entered_reachably: bool,
    },
    Else,
    /// A construct inside unreachable code: tracked for nesting only.
    Dead,
}

pub(crate) struct Frame {
    kind: FrameKind,
    num_params: usize,
    num_results: usize,
    /// The continuation, with one block parameter per result.
    dest: Block,
    /// Operand-stack height below this frame's parameters.
    stack_base: usize,
    /// Whether anything branches or falls through to `dest`.
    dest_used: bool,
}

impl FuncTranslator<'_, '_> {
    pub(super) fn push_function_frame(&mut self, results: Vec<Type>) {
        let dest = self.b.create_block();
        for ty in &results {
            self.b.append_block_param(dest, *ty);
        }
        self.frames.push(Frame {
            kind: FrameKind::Function,
            num_params: 0,
            num_results: results.len(),
            dest,
            stack_base: 0,
            dest_used: false,
        });
    }

    fn block_types(&self, ty: BlockType) -> (Vec<Type>, Vec<Type>) {
        match ty {
            BlockType::Empty => (vec![], vec![]),
            BlockType::Type(t) => (vec![], vec![clif_type(t)]),
            BlockType::FuncType(index) => {
                let f = &self.env.info.types[index as usize];
                (
                    f.params().iter().map(|&t| clif_type(t)).collect(),
                    f.results().iter().map(|&t| clif_type(t)).collect(),
                )
            }
        }
    }

    fn new_frame(&mut self, kind: FrameKind, params: &[Type], results: &[Type]) -> Frame {
        let dest = self.b.create_block();
        for ty in results {
            self.b.append_block_param(dest, *ty);
        }
        Frame {
            kind,
            num_params: params.len(),
            num_results: results.len(),
            dest,
            stack_base: self.stack.len() - params.len(),
            dest_used: false,
        }
    }

    /// Where a branch to `depth` goes, with how many operands it carries.
    fn branch_target(&mut self, depth: u32) -> (Block, usize) {
        let index = self.frames.len() - 1 - depth as usize;
        let frame = &mut self.frames[index];
        match frame.kind {
            FrameKind::Loop { header } => (header, frame.num_params),
            _ => {
                frame.dest_used = true;
                (frame.dest, frame.num_results)
            }
        }
    }

    /// Handles control operators (also in unreachable code, for nesting). Returns false for
    /// any other operator.
    pub(super) fn control(&mut self, op: &Operator) -> Result<bool, CompileError> {
        match *op {
            Operator::Block { blockty } | Operator::Loop { blockty } | Operator::If { blockty } => {
                if !self.reachable {
                    let dest = self.b.create_block();
                    self.frames.push(Frame {
                        kind: FrameKind::Dead,
                        num_params: 0,
                        num_results: 0,
                        dest,
                        stack_base: self.stack.len(),
                        dest_used: false,
                    });
                    return Ok(true);
                }
                let (params, results) = self.block_types(blockty);
                match op {
                    Operator::Block { .. } => {
                        let frame = self.new_frame(FrameKind::Block, &params, &results);
                        self.frames.push(frame);
                    }
                    Operator::Loop { .. } => {
                        let header = self.b.create_block();
                        for ty in &params {
                            self.b.append_block_param(header, *ty);
                        }
                        let args = self.pop_n(params.len());
                        self.b.ins().jump(header, &Self::block_args(&args));
                        self.b.switch_to_block(header);
                        let header_params = self.b.block_params(header).to_vec();
                        self.stack.extend(header_params);
                        let frame = self.new_frame(FrameKind::Loop { header }, &params, &results);
                        self.frames.push(frame);
                    }
                    _ => {
                        let cond = self.pop();
                        let then_block = self.b.create_block();
                        let else_block = self.b.create_block();
                        // Both arms use the parameters where they were defined: this block
                        // dominates both.
                        self.b.ins().brif(cond, then_block, &[], else_block, &[]);
                        self.b.seal_block(then_block);
                        self.b.seal_block(else_block);
                        self.b.switch_to_block(then_block);
                        let param_values = self.stack[self.stack.len() - params.len()..].to_vec();
                        let frame = self.new_frame(
                            FrameKind::If {
                                else_block,
                                params: param_values,
                                entered_reachably: true,
                            },
                            &params,
                            &results,
                        );
                        self.frames.push(frame);
                    }
                }
            }
            Operator::Else => {
                let frame = self.frames.last_mut().expect("validated");
                if let FrameKind::Dead = frame.kind {
                    return Ok(true);
                }
                let FrameKind::If {
                    else_block, params, ..
                } = std::mem::replace(&mut frame.kind, FrameKind::Else)
                else {
                    unreachable!("validated: else without if")
                };
                let (dest, num_results, stack_base) =
                    (frame.dest, frame.num_results, frame.stack_base);
                if self.reachable {
                    let results = self.pop_n(num_results);
                    self.b.ins().jump(dest, &Self::block_args(&results));
                    self.frames.last_mut().unwrap().dest_used = true;
                }
                self.stack.truncate(stack_base);
                self.stack.extend(params);
                self.b.switch_to_block(else_block);
                self.reachable = true;
            }
            Operator::End => self.end(),
            Operator::Br { relative_depth } => {
                if self.reachable {
                    let (target, n) = self.branch_target(relative_depth);
                    let args = self.pop_n(n);
                    self.b.ins().jump(target, &Self::block_args(&args));
                    self.reachable = false;
                }
            }
            Operator::BrIf { relative_depth } => {
                if self.reachable {
                    let cond = self.pop();
                    let (target, n) = self.branch_target(relative_depth);
                    let args = self.stack[self.stack.len() - n..].to_vec();
                    let next = self.b.create_block();
                    self.b
                        .ins()
                        .brif(cond, target, &Self::block_args(&args), next, &[]);
                    self.b.seal_block(next);
                    self.b.switch_to_block(next);
                }
            }
            Operator::BrTable { ref targets } => {
                if self.reachable {
                    self.br_table(targets)?;
                }
            }
            Operator::Return => {
                if self.reachable {
                    let n = self.frames[0].num_results;
                    let values = self.pop_n(n);
                    self.b.ins().return_(&values);
                    self.reachable = false;
                }
            }
            Operator::Unreachable => {
                if self.reachable {
                    self.trap(WasmTrap::Unreachable);
                    self.reachable = false;
                }
            }
            Operator::Nop => {}
            Operator::Call { function_index } => {
                if self.reachable {
                    self.call(function_index);
                }
            }
            Operator::CallIndirect {
                type_index,
                table_index,
            } => {
                if self.reachable {
                    self.call_indirect(type_index, table_index);
                }
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    fn end(&mut self) {
        let frame = self.frames.pop().expect("validated");
        if let FrameKind::Dead = frame.kind {
            return;
        }
        if self.reachable {
            let results = self.pop_n(frame.num_results);
            self.b.ins().jump(frame.dest, &Self::block_args(&results));
        }
        let mut dest_reached = frame.dest_used || self.reachable;
        let is_function = matches!(frame.kind, FrameKind::Function);
        match frame.kind {
            FrameKind::Loop { header } => self.b.seal_block(header),
            FrameKind::If {
                else_block,
                params,
                entered_reachably,
            } => {
                // No else: the false edge passes the parameters through as results.
                self.b.switch_to_block(else_block);
                self.b.ins().jump(frame.dest, &Self::block_args(&params));
                dest_reached |= entered_reachably;
            }
            _ => {}
        }
        self.stack.truncate(frame.stack_base);
        self.b.switch_to_block(frame.dest);
        self.b.seal_block(frame.dest);
        let results = self.b.block_params(frame.dest).to_vec();
        if is_function {
            if dest_reached {
                self.b.ins().return_(&results);
            } else {
                // Nothing reaches the end of the body; the block still needs a terminator.
                self.trap(WasmTrap::Unreachable);
            }
            self.reachable = false;
            return;
        }
        self.stack.extend(results);
        self.reachable = dest_reached;
    }

    fn br_table(&mut self, targets: &wasmparser::BrTable) -> Result<(), CompileError> {
        let index = self.pop();
        let depths: Vec<u32> = targets.targets().collect::<Result<_, _>>()?;
        let default_depth = targets.default();
        let (_, n) = self.branch_target(default_depth);
        let args = self.pop_n(n);
        // One edge block per distinct depth carries the operands to its target (jump-table
        // entries carry no arguments).
        let mut edges: Vec<(u32, Block)> = Vec::new();
        let mut edge_for = |t: &mut Self, depth: u32| -> Block {
            if n == 0 {
                return t.branch_target(depth).0;
            }
            if let Some(&(_, b)) = edges.iter().find(|(d, _)| *d == depth) {
                return b;
            }
            let b = t.b.create_block();
            edges.push((depth, b));
            b
        };
        let default = edge_for(self, default_depth);
        let entries: Vec<Block> = depths.iter().map(|&d| edge_for(self, d)).collect();
        let pool = &mut self.b.func.dfg.value_lists;
        let default_call = BlockCall::new(default, [], pool);
        let entry_calls: Vec<BlockCall> = entries
            .iter()
            .map(|&b| BlockCall::new(b, [], pool))
            .collect();
        let table = self
            .b
            .create_jump_table(JumpTableData::new(default_call, &entry_calls));
        self.b.ins().br_table(index, table);
        for (depth, edge) in edges {
            self.b.switch_to_block(edge);
            self.b.seal_block(edge);
            let (target, _) = self.branch_target(depth);
            self.b.ins().jump(target, &Self::block_args(&args));
        }
        self.reachable = false;
        Ok(())
    }

    fn call(&mut self, function_index: u32) {
        if self.inline_precompile(function_index) {
            return;
        }
        let f = self.func_ref(function_index);
        let n = self.env.info.func_type(function_index).params().len();
        let args = self.pop_n(n);
        let call = self.b.ins().call(f, &args);
        let results = self.b.inst_results(call).to_vec();
        self.stack.extend(results);
    }

    /// call_indirect: bounds, null and signature checks on the table entry, then a call
    /// through the entry's address (see lib.rs for the funcref encoding).
    fn call_indirect(&mut self, type_index: u32, table_index: u32) {
        let index = self.pop();
        let n = self.env.info.types[type_index as usize].params().len();
        let args = self.pop_n(n);
        let entry_addr = self.table_entry(table_index, index, WasmTrap::TableOutOfBounds);
        let entry = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), entry_addr, 0);
        let null = self.b.ins().icmp_imm_u(IntCC::Equal, entry, 0);
        self.trap_if(null, WasmTrap::IndirectCallToNull);
        let sig_id = self.b.ins().ushr_imm_u(entry, 32);
        let expected = self.env.sig_ids[type_index as usize] as i64;
        let mismatch = self.b.ins().icmp_imm_u(IntCC::NotEqual, sig_id, expected);
        self.trap_if(mismatch, WasmTrap::BadSignature);
        let callee = self.b.ins().band_imm_u(entry, 0xffff_ffff);
        let sig = self.sig_ref(type_index);
        let call = self.b.ins().call_indirect(sig, callee, &args);
        let results = self.b.inst_results(call).to_vec();
        self.stack.extend(results);
    }
}
