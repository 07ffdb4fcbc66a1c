//! Linear memory: bounds-checked loads and stores, size, grow, copy and fill.
//!
//! An access at `index + offset` of `n` bytes is in bounds when
//! `zext64(index) + offset + n <= size`. It is checked on the *sign-extended* index, as
//! `sext64(index) <u limit` with `limit = max(size + 1 - (offset + n), 0)`: linear memory
//! is smaller than 2 GiB, so an index below 2^31 (where both extensions agree) passes
//! exactly when the access fits, and one at or above 2^31 is, sign-extended, above every
//! limit. The passing check leaves the index below 2^31, so the access's address is the
//! sign-extended index plus a constant: no zero extension, which ZisK charges as a step of
//! its own (`add_u_w`). When the memory cannot grow its limits are constants; otherwise
//! they are words beside the size word that `memory.grow` rewrites (see `MEMORY_LIMITS`).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, InstBuilder, MemFlagsData, Type, Value};
use cranelift_frontend::FunctionBuilder;
use wasmparser::{MemArg, Operator};

use super::bounds::{AccessLimits, LimitShape};
use super::FuncTranslator;
use crate::error::CompileError;
use crate::layout::{MEMORY_LIMITS, WASM_PAGE};
use crate::precompiles::{self, EmitSite};
use crate::traps::WasmTrap;
use crate::{iconst_value, INTRINSIC_MEMMOVE, INTRINSIC_MEMSET};

/// The shape of the access limits of a module with this memory and layout.
pub(crate) fn limit_shape(
    info: &crate::module::ModuleInfo,
    layout: &crate::layout::MachineLayout,
) -> LimitShape {
    let initial_size = info.memory.map_or(0, |(initial, _)| initial * WASM_PAGE);
    let cannot_grow = info
        .memory
        .is_some_and(|(initial, _)| initial >= layout.memory_max_pages);
    LimitShape {
        constant_size: cannot_grow.then_some(initial_size),
        initial_size,
        max_size: layout.memory_max_pages * WASM_PAGE,
        size_addr: layout.memory_size_addr,
        limits_addr: layout.memory_limits_addr,
    }
}

impl FuncTranslator<'_, '_> {
    /// How this module's bounds checks get their limits.
    pub(super) fn access_limits(&self) -> AccessLimits {
        let layout = self.env.layout;
        AccessLimits {
            shape: limit_shape(self.env.info, layout),
            size_flags: self.memory_size_flags,
        }
    }

    /// The current memory size in bytes (i64).
    fn memory_size_bytes(&mut self) -> Value {
        let (initial, _) = self.env.info.memory.expect("validated: memory exists");
        if initial >= self.env.layout.memory_max_pages {
            return self.iconst64(initial * WASM_PAGE);
        }
        let addr = self.iconst64(self.env.layout.memory_size_addr);
        self.b
            .ins()
            .load(types::I64, self.memory_size_flags, addr, 0)
    }

    /// Traps unless `[index + offset, index + offset + len)` is in memory; returns the
    /// absolute address of its first byte.
    ///
    /// Memory never shrinks, so once `index + k` has been checked, any later access from the
    /// same index ending at or below `k` is in bounds: within one block (each earlier check
    /// dominates the later accesses) only checks that reach further are emitted.
    fn checked_address(&mut self, index: Value, offset: u64, len: u64) -> Value {
        let block = self.b.current_block();
        if self.checked_block != block {
            self.checked_ends.clear();
            self.checked_block = block;
        }
        let (wasm_index, offset) = match self.past_checked_index(index) {
            Some((x, k)) => (x, offset + k),
            None => (index, offset),
        };
        let index = self.b.ins().sextend(types::I64, wasm_index);
        let reach = offset + len;
        if self
            .checked_ends
            .get(&wasm_index)
            .is_none_or(|&checked| checked < reach)
        {
            let limit = self.access_limit(reach);
            let outside = self
                .b
                .ins()
                .icmp(IntCC::UnsignedGreaterThanOrEqual, index, limit);
            self.trap_if(outside, WasmTrap::MemoryOutOfBounds);
            self.checked_ends.insert(wasm_index, reach);
        }
        self.b
            .ins()
            .iadd_imm_u(index, (self.env.layout.memory_base + offset) as i64)
    }

    /// How many indices start an access of `reach` bytes that fits in memory (an i64):
    /// `max(size + 1 - reach, 0)` (see `AccessLimits`).
    fn access_limit(&mut self, reach: u64) -> Value {
        let limits = self.access_limits();
        limits.emit(&mut self.b.cursor(), reach)
    }

    /// Stores the access limits of a memory of `bytes` bytes (see `MEMORY_LIMITS`).
    pub(super) fn store_access_limits(&mut self, bytes: Value) {
        let limits = self.env.layout.memory_limits_addr;
        let count = self.iconst64(MEMORY_LIMITS);
        self.counted_loop(count, |t, i| {
            // The limit of reach i + 1: max(bytes - i, 0).
            let at_least = t.b.ins().umax(bytes, i);
            let limit = t.b.ins().isub(at_least, i);
            let offset = t.b.ins().ishl_imm_u(i, 3);
            let addr = t.b.ins().iadd_imm_u(offset, limits as i64);
            t.b.ins().store(MemFlagsData::trusted(), limit, addr, 0);
        });
    }

    /// `index` as `x + k` (an i32 add of a constant), where `x` was already checked in this
    /// block: that check passing puts `x` below the memory size, so `x + k` cannot wrap
    /// when `k` is below 2^32 minus the largest memory, and the access is `x`'s at offset
    /// `k` (its check joins `x`'s, its address reuses `x`'s base).
    fn past_checked_index(&mut self, index: Value) -> Option<(Value, u64)> {
        if !self.env.optimizations.checked_offsets {
            return None;
        }
        let dfg = &self.b.func.dfg;
        let inst = match dfg.value_def(dfg.resolve_aliases(index)) {
            ir::ValueDef::Result(inst, 0) => inst,
            _ => return None,
        };
        let ir::InstructionData::Binary {
            opcode: ir::Opcode::Iadd,
            args,
        } = dfg.insts[inst]
        else {
            return None;
        };
        let constant = |v: Value| iconst_value(dfg, v).map(|k| k as u32 as u64);
        let (x, k) = match (constant(args[0]), constant(args[1])) {
            (None, Some(k)) => (args[0], k),
            (Some(k), None) => (args[1], k),
            _ => return None,
        };
        let largest_memory = self.env.layout.memory_max_pages * WASM_PAGE;
        let no_wrap = k > 0 && largest_memory + k < 1 << 32;
        (no_wrap && self.checked_ends.contains_key(&x)).then_some((x, k))
    }

    fn load(&mut self, memarg: &MemArg, len: u64, emit: impl FnOnce(&mut Self, Value) -> Value) {
        let index = self.pop();
        let addr = self.checked_address(index, memarg.offset, len);
        let v = emit(self, addr);
        self.push(v);
    }

    fn store(&mut self, memarg: &MemArg, len: u64, narrow: Option<Type>) {
        let value = self.pop();
        let index = self.pop();
        let addr = self.checked_address(index, memarg.offset, len);
        let value = match narrow {
            Some(ty) if self.b.func.dfg.value_type(value) != ty => self.b.ins().ireduce(ty, value),
            _ => value,
        };
        self.b.ins().store(self.heap, value, addr, 0);
    }

    pub(super) fn memory(&mut self, op: &Operator) -> Result<bool, CompileError> {
        use types::{F32, F64, I16, I32, I64, I8};
        match op {
            Operator::I32Load { memarg } => {
                self.load(memarg, 4, |t, a| t.b.ins().load(I32, t.heap, a, 0))
            }
            Operator::I64Load { memarg } => {
                self.load(memarg, 8, |t, a| t.b.ins().load(I64, t.heap, a, 0))
            }
            Operator::F32Load { memarg } => {
                self.load(memarg, 4, |t, a| t.b.ins().load(F32, t.heap, a, 0))
            }
            Operator::F64Load { memarg } => {
                self.load(memarg, 8, |t, a| t.b.ins().load(F64, t.heap, a, 0))
            }
            Operator::I32Load8S { memarg } => {
                self.load(memarg, 1, |t, a| t.b.ins().sload8(I32, t.heap, a, 0))
            }
            Operator::I32Load8U { memarg } => {
                self.load(memarg, 1, |t, a| t.b.ins().uload8(I32, t.heap, a, 0))
            }
            Operator::I32Load16S { memarg } => {
                self.load(memarg, 2, |t, a| t.b.ins().sload16(I32, t.heap, a, 0))
            }
            Operator::I32Load16U { memarg } => {
                self.load(memarg, 2, |t, a| t.b.ins().uload16(I32, t.heap, a, 0))
            }
            Operator::I64Load8S { memarg } => {
                self.load(memarg, 1, |t, a| t.b.ins().sload8(I64, t.heap, a, 0))
            }
            Operator::I64Load8U { memarg } => {
                self.load(memarg, 1, |t, a| t.b.ins().uload8(I64, t.heap, a, 0))
            }
            Operator::I64Load16S { memarg } => {
                self.load(memarg, 2, |t, a| t.b.ins().sload16(I64, t.heap, a, 0))
            }
            Operator::I64Load16U { memarg } => {
                self.load(memarg, 2, |t, a| t.b.ins().uload16(I64, t.heap, a, 0))
            }
            Operator::I64Load32S { memarg } => {
                self.load(memarg, 4, |t, a| t.b.ins().sload32(t.heap, a, 0))
            }
            Operator::I64Load32U { memarg } => {
                self.load(memarg, 4, |t, a| t.b.ins().uload32(t.heap, a, 0))
            }
            Operator::I32Store { memarg } | Operator::F32Store { memarg } => {
                self.store(memarg, 4, None)
            }
            Operator::I64Store { memarg } | Operator::F64Store { memarg } => {
                self.store(memarg, 8, None)
            }
            Operator::I32Store8 { memarg } | Operator::I64Store8 { memarg } => {
                self.store(memarg, 1, Some(I8))
            }
            Operator::I32Store16 { memarg } | Operator::I64Store16 { memarg } => {
                self.store(memarg, 2, Some(I16))
            }
            Operator::I64Store32 { memarg } => self.store(memarg, 4, Some(I32)),
            Operator::MemorySize { .. } => {
                let bytes = self.memory_size_bytes();
                let pages = self.b.ins().ushr_imm_u(bytes, 16);
                let pages = self.b.ins().ireduce(I32, pages);
                self.push(pages);
            }
            Operator::MemoryGrow { .. } => self.memory_grow(),
            Operator::MemoryFill { .. } => self.memory_fill(),
            Operator::MemoryCopy { .. } => self.memory_copy(),
            Operator::MemoryInit { data_index, .. } => self.memory_init(*data_index),
            Operator::DataDrop { data_index } => {
                let zero = self.iconst64(0);
                let at =
                    self.iconst64(self.env.layout.data_segments[*data_index as usize].len_addr);
                self.b.ins().store(MemFlagsData::trusted(), zero, at, 0);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// memory.grow: the old size in pages, or -1 when the new size would pass the maximum.
    /// RAM starts zeroed and memory never shrinks, so new pages are already zero.
    fn memory_grow(&mut self) {
        let delta = self.pop();
        let delta = self.b.ins().uextend(types::I64, delta);
        let old_bytes = self.memory_size_bytes();
        let old_pages = self.b.ins().ushr_imm_u(old_bytes, 16);
        let new_pages = self.b.ins().iadd(old_pages, delta);
        let too_big = self.b.ins().icmp_imm_u(
            IntCC::UnsignedGreaterThan,
            new_pages,
            self.env.layout.memory_max_pages as i64,
        );
        let result = self.grow_or_minus_one(too_big, |t| {
            let new_bytes = t.b.ins().ishl_imm_u(new_pages, 16);
            let size_addr = t.iconst64(t.env.layout.memory_size_addr);
            t.b.ins()
                .store(MemFlagsData::trusted(), new_bytes, size_addr, 0);
            t.store_access_limits(new_bytes);
            t.b.ins().ireduce(types::I32, old_pages)
        });
        self.push(result);
    }

    /// Traps unless `[index, index + len)` is in memory (both i32); returns the absolute
    /// address of `index` and `len` as i64.
    fn checked_range(&mut self, index: Value, len: Value) -> (Value, Value) {
        let index = self.b.ins().uextend(types::I64, index);
        let len = self.b.ins().uextend(types::I64, len);
        let end = self.b.ins().iadd(index, len);
        let size = self.memory_size_bytes();
        let outside = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, size);
        self.trap_if(outside, WasmTrap::MemoryOutOfBounds);
        let addr = self
            .b
            .ins()
            .iadd_imm_u(index, self.env.layout.memory_base as i64);
        (addr, len)
    }

    /// A counted loop: `body(i)` for i in 0..len (len an i64).
    pub(super) fn counted_loop(&mut self, len: Value, body: impl Fn(&mut Self, Value)) {
        let head = self.b.create_block();
        let i = self.b.append_block_param(head, types::I64);
        let work = self.b.create_block();
        let done = self.b.create_block();
        let zero = self.iconst64(0);
        self.b.ins().jump(head, &Self::block_args(&[zero]));
        self.b.switch_to_block(head);
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, i, len);
        self.b.ins().brif(more, work, &[], done, &[]);
        self.b.seal_block(work);
        self.b.switch_to_block(work);
        body(self, i);
        let next = self.b.ins().iadd_imm_u(i, 1);
        self.b.ins().jump(head, &Self::block_args(&[next]));
        self.b.seal_block(head);
        self.b.seal_block(done);
        self.b.switch_to_block(done);
    }

    fn memory_fill(&mut self) {
        let len = self.pop();
        let value = self.pop();
        let dst = self.pop();
        let (dst, len) = self.checked_range(dst, len);
        self.call_intrinsic(INTRINSIC_MEMSET, &[dst, value, len]);
    }

    /// memory.copy, correct for overlapping ranges.
    fn memory_copy(&mut self) {
        let len = self.pop();
        let src = self.pop();
        let dst = self.pop();
        let (src, _) = self.checked_range(src, len);
        let (dst, len) = self.checked_range(dst, len);
        self.call_intrinsic(INTRINSIC_MEMMOVE, &[dst, src, len]);
    }

    /// Calls a runtime intrinsic taking `args` (see `INTRINSIC_MEMMOVE`).
    fn call_intrinsic(&mut self, index: u32, args: &[Value]) {
        precompiles::call_intrinsic(&mut self.b, index, args, &[]);
    }

    /// A direct call to a `zisk` precompile import, emitted in place: each pointer checked
    /// like an access of its size (so the check can join the block's others), then for
    /// alignment, then the instruction. Anything else (or a signature that is not the
    /// import's, which the runtime reports) is left to an ordinary call.
    pub(super) fn inline_precompile(&mut self, function_index: u32) -> bool {
        let Some(p) = precompiles::inlined_precompile(self.env.info, function_index) else {
            return false;
        };
        let values = self.pop_n(p.params.len());
        let result = p.emit(self, &values);
        self.stack.extend(result);
        true
    }
}

/// A precompile emitted in place checks its pointers as the translator checks accesses.
impl<'b> EmitSite<'b> for FuncTranslator<'_, 'b> {
    fn builder(&mut self) -> &mut FunctionBuilder<'b> {
        &mut self.b
    }
    fn checked_pointer(&mut self, ptr: Value, bytes: u64) -> Value {
        self.checked_address(ptr, 0, bytes)
    }
    fn runtime_state_addr(&self) -> u64 {
        self.env.layout.runtime_state_addr
    }
}

impl FuncTranslator<'_, '_> {
    /// Copies `count` units of `unit` bytes (1 or 8) from `src` to `dst`, absolute addresses:
    /// forwards when the destination is below the source, backwards otherwise, so that
    /// overlapping ranges copy as if through a buffer.
    pub(super) fn copy_overlapping(&mut self, dst: Value, src: Value, count: Value, unit: u8) {
        let ty = if unit == 8 { types::I64 } else { types::I8 };
        let shift = unit.trailing_zeros() as i64;
        let copy_one = move |t: &mut Self, k: Value| {
            let offset = t.b.ins().ishl_imm_u(k, shift);
            let from = t.b.ins().iadd(src, offset);
            let v = t.b.ins().load(ty, MemFlagsData::trusted(), from, 0);
            let to = t.b.ins().iadd(dst, offset);
            t.b.ins().store(MemFlagsData::trusted(), v, to, 0);
        };
        let forwards = self.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, dst, src);
        let fwd = self.b.create_block();
        let bwd = self.b.create_block();
        let done = self.b.create_block();
        self.b.ins().brif(forwards, fwd, &[], bwd, &[]);
        self.b.seal_block(fwd);
        self.b.seal_block(bwd);
        self.b.switch_to_block(fwd);
        self.counted_loop(count, copy_one);
        self.b.ins().jump(done, &[]);
        self.b.switch_to_block(bwd);
        let last = self.b.ins().iadd_imm_s(count, -1);
        self.counted_loop(count, move |t, i| {
            let k = t.b.ins().isub(last, i);
            copy_one(t, k);
        });
        self.b.ins().jump(done, &[]);
        self.b.seal_block(done);
        self.b.switch_to_block(done);
    }

    /// Traps with `trap` unless `[src, src + n)` lies inside the segment whose length word is
    /// at `len_addr` (0 once dropped); returns `src` as i64.
    pub(super) fn checked_segment_range(
        &mut self,
        len_addr: u64,
        src: Value,
        n: Value,
        trap: WasmTrap,
    ) -> Value {
        let src = self.b.ins().uextend(types::I64, src);
        let n = self.b.ins().uextend(types::I64, n);
        let end = self.b.ins().iadd(src, n);
        let at = self.iconst64(len_addr);
        let len = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), at, 0);
        let outside = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, len);
        self.trap_if(outside, trap);
        src
    }

    fn memory_init(&mut self, segment: u32) {
        let n = self.pop();
        let src = self.pop();
        let dst = self.pop();
        let layout = self.env.layout.data_segments[segment as usize].clone();
        let src = self.checked_segment_range(layout.len_addr, src, n, WasmTrap::MemoryOutOfBounds);
        let (dst, n) = self.checked_range(dst, n);
        let src = self.b.ins().iadd_imm_u(src, layout.contents_addr as i64);
        self.call_intrinsic(INTRINSIC_MEMMOVE, &[dst, src, n]);
    }
}
