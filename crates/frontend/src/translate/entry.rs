//! The two functions that start a guest: `instantiate` sets up what the module declares
//! (memory size, globals, tables and their elements, the start function) and `main` runs
//! instantiate, then the `_start` export, then ends the run through the exit intrinsic.

use cranelift_codegen::ir::{self, types, InstBuilder, MemFlagsData};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use wasmparser::ExternalKind;

use super::{FuncTranslator, ModuleEnv};
use crate::layout::WASM_PAGE;
use crate::module::ConstValue;
use crate::traps::WasmTrap;
use crate::{
    frontend_config, CALL_CONV, ENTRY_INSTANTIATE, ENTRY_MAIN, INTRINSIC_EXIT, NS_ENTRY,
    NS_INTRINSIC,
};

fn build(env: &ModuleEnv, index: u32, body: impl FnOnce(&mut FuncTranslator)) -> ir::Function {
    let mut func = ir::Function::with_name_signature(
        ir::UserFuncName::User(ir::UserExternalName::new(NS_ENTRY, index)),
        ir::Signature::new(CALL_CONV),
    );
    let mut ctx = FunctionBuilderContext::new();
    let mut t = FuncTranslator::new(FunctionBuilder::new(&mut func, &mut ctx), env, u32::MAX);
    let entry = t.b.create_block();
    t.b.switch_to_block(entry);
    t.b.seal_block(entry);
    body(&mut t);
    t.b.finalize(frontend_config());
    func
}

fn call_entry(t: &mut FuncTranslator, index: u32) {
    let f = t.import_program_function(
        ir::UserExternalName::new(NS_ENTRY, index),
        ir::Signature::new(CALL_CONV),
    );
    t.b.ins().call(f, &[]);
}

pub(crate) fn instantiate_function(env: &ModuleEnv) -> ir::Function {
    build(env, ENTRY_INSTANTIATE, |t| {
        let info = env.info;
        let layout = env.layout;
        let store = |t: &mut FuncTranslator, value: ir::Value, addr: u64| {
            let a = t.iconst64(addr);
            t.b.ins().store(MemFlagsData::trusted(), value, a, 0);
        };
        if let Some((initial, _)) = info.memory {
            let v = t.iconst64(initial * WASM_PAGE);
            store(t, v, layout.memory_size_addr);
        }
        for (i, global) in info.globals.iter().enumerate() {
            let value = match global.init {
                ConstValue::I32(v) => t.b.ins().iconst(types::I32, v as i64),
                ConstValue::I64(v) => t.b.ins().iconst(types::I64, v),
                ConstValue::F32(bits) => t.b.ins().iconst(types::I32, bits as i64),
                ConstValue::F64(bits) => t.b.ins().iconst(types::I64, bits as i64),
                ConstValue::RefNull => t.b.ins().iconst(types::I64, 0),
                ConstValue::RefFunc(f) => t.func_ref_value(f),
            };
            let addr = t.iconst64(layout.global_addr(i as u32));
            t.b.ins().store(t.globals_flags, value, addr, 0);
        }
        for (i, &(initial, _, _)) in info.tables.iter().enumerate() {
            let v = t.iconst64(initial);
            store(t, v, layout.tables[i].size_addr);
        }
        // Passive segments keep their contents for table.init / memory.init.
        for (i, segment) in info.elements.iter().enumerate().filter(|(_, s)| s.passive) {
            let layout = &layout.elem_segments[i];
            for (k, item) in segment.items.iter().enumerate() {
                let value = match item {
                    Some(f) => t.func_ref_value(*f),
                    None => t.iconst64(0),
                };
                store(t, value, layout.contents_addr + 8 * k as u64);
            }
            let len = t.iconst64(segment.items.len() as u64);
            store(t, len, layout.len_addr);
        }
        for (i, segment) in info
            .data
            .iter()
            .enumerate()
            .filter(|(_, s)| s.active_offset.is_none())
        {
            let len = t.iconst64(segment.bytes.len() as u64);
            store(t, len, layout.data_segments[i].len_addr);
        }
        // Active segments are applied in order, elements first; one that does not fit fails
        // instantiation. (Active data is preloaded in RAM by the backend; see lib.rs.)
        for segment in &info.elements {
            let Some((table, offset)) = segment.active else {
                continue;
            };
            let (initial, _, _) = info.tables[table as usize];
            if offset as u64 + segment.items.len() as u64 > initial {
                t.trap(WasmTrap::TableAccessOutOfBounds);
                return;
            }
            let base = layout.tables[table as usize].entries_addr + 8 * offset as u64;
            for (k, item) in segment.items.iter().enumerate() {
                let value = match item {
                    Some(f) => t.func_ref_value(*f),
                    None => t.iconst64(0),
                };
                store(t, value, base + 8 * k as u64);
            }
        }
        let memory_bytes = info.memory.map_or(0, |(initial, _)| initial * WASM_PAGE);
        let data_fits = |d: &crate::module::DataSegment| match d.active_offset {
            Some(offset) => offset as u64 + d.bytes.len() as u64 <= memory_bytes,
            None => true,
        };
        if !info.data.iter().all(data_fits) {
            t.trap(WasmTrap::MemoryOutOfBounds);
            return;
        }
        if let Some(start) = info.start {
            let f = t.func_ref(start);
            t.b.ins().call(f, &[]);
        }
        t.b.ins().return_(&[]);
    })
}

pub(crate) fn main_function(env: &ModuleEnv) -> ir::Function {
    build(env, ENTRY_MAIN, |t| {
        call_entry(t, ENTRY_INSTANTIATE);
        let start = env
            .info
            .exports
            .iter()
            .find(|(name, kind, _)| name == "_start" && *kind == ExternalKind::Func);
        if let Some(&(_, _, index)) = start {
            let f = t.func_ref(index);
            t.b.ins().call(f, &[]);
        }
        let mut sig = ir::Signature::new(CALL_CONV);
        sig.params.push(ir::AbiParam::new(types::I32));
        let exit =
            t.import_program_function(ir::UserExternalName::new(NS_INTRINSIC, INTRINSIC_EXIT), sig);
        let zero = t.b.ins().iconst(types::I32, 0);
        t.b.ins().call(exit, &[zero]);
        t.b.ins().return_(&[]);
    })
}
