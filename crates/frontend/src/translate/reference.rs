//! Reference types and table access. A reference is an i64: 0 is null, a funcref is
//! `(canonical signature id << 32) | function address` (see lib.rs).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{types, InstBuilder, MemFlagsData, Value};
use wasmparser::Operator;

use super::FuncTranslator;
use crate::error::CompileError;
use crate::traps::WasmTrap;

impl FuncTranslator<'_, '_> {
    /// The funcref value of wasm function `index`.
    pub(crate) fn func_ref_value(&mut self, index: u32) -> Value {
        let f = self.func_ref(index);
        let addr = self.b.ins().func_addr(types::I64, f);
        let type_index = self.env.info.func_types[index as usize];
        let sig_id = self.env.sig_ids[type_index as usize] as u64;
        self.b.ins().bor_imm_u(addr, (sig_id << 32) as i64)
    }

    /// Traps with `trap` unless `index` (i32) is below the table's size; returns the
    /// entry's address.
    ///
    /// The index is compared sign-extended, as linear-memory indices are: a table holds
    /// fewer than 2^31 entries, so an index at or above 2^31 (negative once extended) is
    /// out of range, and one that passes reads the same either way (no zero extension).
    pub(super) fn table_entry(&mut self, table: u32, index: Value, trap: WasmTrap) -> Value {
        let layout = self.env.layout.tables[table as usize].clone();
        debug_assert!(layout.capacity < 1 << 31);
        let index = self.b.ins().sextend(types::I64, index);
        let (initial, maximum, _) = self.env.info.tables[table as usize];
        let size = if maximum == Some(initial) {
            // A table that cannot grow: its size is a constant.
            self.iconst64(initial)
        } else {
            let size_addr = self.iconst64(layout.size_addr);
            self.b
                .ins()
                .load(types::I64, MemFlagsData::trusted(), size_addr, 0)
        };
        let outside = self
            .b
            .ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, index, size);
        self.trap_if(outside, trap);
        let offset = self.b.ins().ishl_imm_u(index, 3);
        self.b.ins().iadd_imm_u(offset, layout.entries_addr as i64)
    }

    pub(super) fn reference(&mut self, op: &Operator) -> Result<bool, CompileError> {
        match *op {
            Operator::RefNull { .. } => {
                let v = self.iconst64(0);
                self.push(v);
            }
            Operator::RefIsNull => {
                let r = self.pop();
                let c = self.b.ins().icmp_imm_u(IntCC::Equal, r, 0);
                self.push_bool(c);
            }
            Operator::RefFunc { function_index } => {
                let v = self.func_ref_value(function_index);
                self.push(v);
            }
            Operator::TableGet { table } => {
                let index = self.pop();
                let at = self.table_entry(table, index, WasmTrap::TableAccessOutOfBounds);
                let v = self
                    .b
                    .ins()
                    .load(types::I64, MemFlagsData::trusted(), at, 0);
                self.push(v);
            }
            Operator::TableSet { table } => {
                let value = self.pop();
                let index = self.pop();
                let at = self.table_entry(table, index, WasmTrap::TableAccessOutOfBounds);
                self.b.ins().store(MemFlagsData::trusted(), value, at, 0);
            }
            Operator::TableSize { table } => {
                let size_addr = self.iconst64(self.env.layout.tables[table as usize].size_addr);
                let size = self
                    .b
                    .ins()
                    .load(types::I64, MemFlagsData::trusted(), size_addr, 0);
                let v = self.b.ins().ireduce(types::I32, size);
                self.push(v);
            }
            Operator::TableGrow { table } => self.table_grow(table),
            Operator::TableFill { table } => {
                let n = self.pop();
                let value = self.pop();
                let start = self.pop();
                let (at, n) = self.checked_table_range(table, start, n);
                self.counted_loop(n, |t, i| {
                    let offset = t.b.ins().ishl_imm_u(i, 3);
                    let entry = t.b.ins().iadd(at, offset);
                    t.b.ins().store(MemFlagsData::trusted(), value, entry, 0);
                });
            }
            Operator::TableCopy {
                dst_table,
                src_table,
            } => {
                let n = self.pop();
                let src = self.pop();
                let dst = self.pop();
                let (src, n64) = self.checked_table_range(src_table, src, n);
                let (dst, _) = self.checked_table_range(dst_table, dst, n);
                self.copy_overlapping(dst, src, n64, 8);
            }
            Operator::TableInit { elem_index, table } => {
                let n = self.pop();
                let src = self.pop();
                let dst = self.pop();
                let segment = self.env.layout.elem_segments[elem_index as usize].clone();
                let src = self.checked_segment_range(
                    segment.len_addr,
                    src,
                    n,
                    WasmTrap::TableAccessOutOfBounds,
                );
                let (dst, n64) = self.checked_table_range(table, dst, n);
                let offset = self.b.ins().ishl_imm_u(src, 3);
                let src = self
                    .b
                    .ins()
                    .iadd_imm_u(offset, segment.contents_addr as i64);
                self.copy_overlapping(dst, src, n64, 8);
            }
            Operator::ElemDrop { elem_index } => {
                let zero = self.iconst64(0);
                let at = self.iconst64(self.env.layout.elem_segments[elem_index as usize].len_addr);
                self.b.ins().store(MemFlagsData::trusted(), zero, at, 0);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }

    /// Traps unless entries `[start, start + n)` exist; returns the first one's address and
    /// `n` as i64.
    fn checked_table_range(&mut self, table: u32, start: Value, n: Value) -> (Value, Value) {
        let layout = self.env.layout.tables[table as usize].clone();
        let start = self.b.ins().uextend(types::I64, start);
        let n = self.b.ins().uextend(types::I64, n);
        let end = self.b.ins().iadd(start, n);
        let size_addr = self.iconst64(layout.size_addr);
        let size = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), size_addr, 0);
        let outside = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, size);
        self.trap_if(outside, WasmTrap::TableAccessOutOfBounds);
        let offset = self.b.ins().ishl_imm_u(start, 3);
        (
            self.b.ins().iadd_imm_u(offset, layout.entries_addr as i64),
            n,
        )
    }

    /// table.grow: the old size, or -1 past the table's capacity; new entries get `init`.
    fn table_grow(&mut self, table: u32) {
        let layout = self.env.layout.tables[table as usize].clone();
        let delta = self.pop();
        let init = self.pop();
        let delta = self.b.ins().uextend(types::I64, delta);
        let size_addr = self.iconst64(layout.size_addr);
        let old = self
            .b
            .ins()
            .load(types::I64, MemFlagsData::trusted(), size_addr, 0);
        let new = self.b.ins().iadd(old, delta);
        let too_big =
            self.b
                .ins()
                .icmp_imm_u(IntCC::UnsignedGreaterThan, new, layout.capacity as i64);
        let result = self.grow_or_minus_one(too_big, |t| {
            let offset = t.b.ins().ishl_imm_u(old, 3);
            let first = t.b.ins().iadd_imm_u(offset, layout.entries_addr as i64);
            t.counted_loop(delta, |t, i| {
                let offset = t.b.ins().ishl_imm_u(i, 3);
                let entry = t.b.ins().iadd(first, offset);
                t.b.ins().store(MemFlagsData::trusted(), init, entry, 0);
            });
            t.b.ins().store(MemFlagsData::trusted(), new, size_addr, 0);
            t.b.ins().ireduce(types::I32, old)
        });
        self.push(result);
    }
}
