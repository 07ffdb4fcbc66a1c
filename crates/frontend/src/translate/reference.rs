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

    /// Traps unless `index` (i32) is below the table's size; returns the entry's address.
    fn table_entry(&mut self, table: u32, index: Value) -> Value {
        let layout = self.env.layout.tables[table as usize].clone();
        let index = self.b.ins().uextend(types::I64, index);
        let size_addr = self.iconst64(layout.size_addr);
        let size = self.b.ins().load(types::I64, MemFlagsData::trusted(), size_addr, 0);
        let outside = self.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, index, size);
        self.trap_if(outside, WasmTrap::TableOutOfBounds);
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
                let at = self.table_entry(table, index);
                let v = self.b.ins().load(types::I64, MemFlagsData::trusted(), at, 0);
                self.push(v);
            }
            Operator::TableSet { table } => {
                let value = self.pop();
                let index = self.pop();
                let at = self.table_entry(table, index);
                self.b.ins().store(MemFlagsData::trusted(), value, at, 0);
            }
            Operator::TableSize { table } => {
                let size_addr = self.iconst64(self.env.layout.tables[table as usize].size_addr);
                let size = self.b.ins().load(types::I64, MemFlagsData::trusted(), size_addr, 0);
                let v = self.b.ins().ireduce(types::I32, size);
                self.push(v);
            }
            _ => return Ok(false),
        }
        Ok(true)
    }
}
