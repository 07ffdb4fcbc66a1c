//! Translation of one function body from wasm operators to CLIF.
//!
//! The wasm operand stack becomes a stack of CLIF values, locals become `Variable`s, and
//! each structured control construct becomes a frame with its continuation block. Code
//! after an unconditional branch is unreachable: it is validated but not translated.
//! Each instruction carries its wasm bytecode offset as its source location, which is how a
//! backend reports where a trap happened.

mod bounds;
mod control;
mod entry;
mod memory;
mod numeric;
mod reference;

use rustc_hash::FxHashMap;

use cranelift_codegen::ir::{
    self, types, BlockArg, FuncRef, InstBuilder, SigRef, SourceLoc, Type, Value,
};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use wasmparser::{FunctionBody, Operator, ValType};

use crate::error::CompileError;
use crate::layout::MachineLayout;
use crate::module::ModuleInfo;
use crate::traps::WasmTrap;
use crate::{frontend_config, wasm_signature, NS_WASM_FUNC};
use control::Frame;

pub use bounds::{as_bounds_check, is_barrier, AccessLimits, Check, CheckedIndex};
pub use bounds::{bounds_compare_index, LimitShape};
pub(crate) use memory::limit_shape;

/// User ids of the alias regions of linear memory and of its size word.
pub const HEAP_REGION_ID: u32 = 1;
pub const MEMORY_SIZE_REGION_ID: u32 = 2;
/// User id of the globals' region. Each global has an 8-byte slot, and an i32 global is
/// kept there sign-extended to 64 bits (the backend reads and writes the whole word, an
/// aligned access ZisK charges a tenth of a 4-byte one): every access to a slot goes
/// through this region, the instantiation's initial stores included.
pub const GLOBALS_REGION_ID: u32 = 3;
pub(crate) use entry::{instantiate_function, main_function};

/// What every function translation shares.
pub(crate) struct ModuleEnv<'a> {
    pub info: &'a ModuleInfo,
    pub layout: &'a MachineLayout,
    /// Canonical signature id of each type index (equal types share an id).
    pub sig_ids: &'a [u32],
    pub optimizations: crate::Optimizations,
}

pub(crate) fn clif_type(ty: ValType) -> Type {
    match ty {
        ValType::I32 => types::I32,
        ValType::I64 => types::I64,
        ValType::F32 => types::F32,
        ValType::F64 => types::F64,
        // References are 64-bit words (see lib.rs); V128 is refused by validation.
        ValType::Ref(_) | ValType::V128 => types::I64,
    }
}

pub(crate) struct FuncTranslator<'a, 'b> {
    pub b: FunctionBuilder<'b>,
    pub env: &'a ModuleEnv<'a>,
    pub func_index: u32,
    locals: Vec<Variable>,
    pub stack: Vec<Value>,
    frames: Vec<Frame>,
    pub reachable: bool,
    func_refs: FxHashMap<u32, FuncRef>,
    sig_refs: FxHashMap<u32, SigRef>,
    /// Flags of linear-memory accesses: bounds-checked, so they never trap, in their own
    /// alias region, so that Cranelift's alias analysis knows they leave the memory-size
    /// word (and everything else) alone and can reuse one load of it across them.
    pub heap: ir::MemFlagsData,
    /// Flags of loads of the memory-size word (its own region).
    pub memory_size_flags: ir::MemFlagsData,
    /// Flags of every access to a global's slot (see [`GLOBALS_REGION_ID`]).
    pub globals_flags: ir::MemFlagsData,
    /// In `checked_block`, how far past each wasm index linear memory is already known to
    /// reach (see `checked_address`).
    pub checked_ends: FxHashMap<Value, u64>,
    pub checked_block: Option<ir::Block>,
}

pub(crate) fn translate_function(
    env: &ModuleEnv,
    func_index: u32,
    body: &FunctionBody,
) -> Result<ir::Function, CompileError> {
    let wasm_type = env.info.func_type(func_index);
    let signature = wasm_signature(wasm_type);
    let mut func = ir::Function::with_name_signature(
        ir::UserFuncName::User(ir::UserExternalName::new(NS_WASM_FUNC, func_index)),
        signature,
    );
    let mut ctx = FunctionBuilderContext::new();
    let mut t = FuncTranslator::new(FunctionBuilder::new(&mut func, &mut ctx), env, func_index);
    t.prologue(body)?;
    let mut reader = body.get_operators_reader()?;
    while !reader.eof() {
        let (op, offset) = reader.read_with_offset()?;
        t.b.set_srcloc(SourceLoc::new(offset as u32));
        t.translate(&op).map_err(|e| match e {
            CompileError::NotYetSupported { what, .. } => CompileError::NotYetSupported {
                location: env.info.describe_offset(offset),
                what,
            },
            other => other,
        })?;
    }
    t.b.seal_all_blocks();
    let heap_region = t.heap.alias_region();
    let limits = t.access_limits();
    t.b.finalize(frontend_config());
    if env.optimizations.bounds_merging {
        bounds::merge_bounds_checks(&mut func, heap_region, &limits);
    }
    Ok(func)
}

impl<'a, 'b> FuncTranslator<'a, 'b> {
    pub(crate) fn new(b: FunctionBuilder<'b>, env: &'a ModuleEnv<'a>, func_index: u32) -> Self {
        let mut region = |user_id: u32, description: &'static str| {
            b.func.dfg.alias_regions.insert(ir::AliasRegionData {
                user_id,
                description: description.into(),
            })
        };
        let (heap_region, size_region, globals_region) = (
            region(HEAP_REGION_ID, "linear memory"),
            region(MEMORY_SIZE_REGION_ID, "memory size"),
            region(GLOBALS_REGION_ID, "globals"),
        );
        FuncTranslator {
            heap: ir::MemFlagsData::new()
                .with_notrap()
                .with_alias_region(Some(heap_region)),
            memory_size_flags: ir::MemFlagsData::trusted().with_alias_region(Some(size_region)),
            globals_flags: ir::MemFlagsData::trusted().with_alias_region(Some(globals_region)),
            checked_ends: FxHashMap::default(),
            checked_block: None,
            b,
            env,
            func_index,
            locals: Vec::new(),
            stack: Vec::new(),
            frames: Vec::new(),
            reachable: true,
            func_refs: FxHashMap::default(),
            sig_refs: FxHashMap::default(),
        }
    }
}

impl FuncTranslator<'_, '_> {
    /// Returns -1 (i32) when `too_big` holds; otherwise runs `grow`, which returns the old
    /// size (i32). The shape of memory.grow and table.grow.
    pub(crate) fn grow_or_minus_one(
        &mut self,
        too_big: Value,
        grow: impl FnOnce(&mut Self) -> Value,
    ) -> Value {
        let grow_block = self.b.create_block();
        let done = self.b.create_block();
        let result = self.b.append_block_param(done, types::I32);
        let minus_one = self.b.ins().iconst(types::I32, -1);
        self.b.ins().brif(
            too_big,
            done,
            &Self::block_args(&[minus_one]),
            grow_block,
            &[],
        );
        self.b.seal_block(grow_block);
        self.b.switch_to_block(grow_block);
        let old = grow(self);
        self.b.ins().jump(done, &Self::block_args(&[old]));
        self.b.seal_block(done);
        self.b.switch_to_block(done);
        result
    }

    fn prologue(&mut self, body: &FunctionBody) -> Result<(), CompileError> {
        let entry = self.b.create_block();
        self.b.append_block_params_for_function_params(entry);
        self.b.switch_to_block(entry);
        self.b.seal_block(entry);

        // Call-stack exhaustion: a trap before the stack reaches unmapped memory.
        let sp = self.b.ins().get_stack_pointer(types::I64);
        let low = self.b.ins().icmp_imm_u(
            ir::condcodes::IntCC::UnsignedLessThan,
            sp,
            self.env.layout.stack_limit as i64,
        );
        self.b.ins().trapnz(low, WasmTrap::StackOverflow.code());

        let params = self.b.block_params(entry).to_vec();
        for (value, ty) in params
            .into_iter()
            .zip(self.env.info.func_type(self.func_index).params().to_vec())
        {
            let var = self.b.declare_var(clif_type(ty));
            self.b.def_var(var, value);
            self.locals.push(var);
        }
        let mut locals = body.get_locals_reader()?;
        for _ in 0..locals.get_count() {
            let (count, ty) = locals.read()?;
            for _ in 0..count {
                let var = self.b.declare_var(clif_type(ty));
                let zero = self.zero(clif_type(ty));
                self.b.def_var(var, zero);
                self.locals.push(var);
            }
        }
        let results: Vec<Type> = self
            .env
            .info
            .func_type(self.func_index)
            .results()
            .iter()
            .map(|&t| clif_type(t))
            .collect();
        self.push_function_frame(results);
        Ok(())
    }

    pub fn zero(&mut self, ty: Type) -> Value {
        match ty {
            types::F32 => self.b.ins().f32const(0.0),
            types::F64 => self.b.ins().f64const(0.0),
            _ => self.b.ins().iconst(ty, 0),
        }
    }

    pub fn pop(&mut self) -> Value {
        self.stack
            .pop()
            .expect("validated: operand stack underflow")
    }

    pub fn pop2(&mut self) -> (Value, Value) {
        let b = self.pop();
        let a = self.pop();
        (a, b)
    }

    pub fn pop_n(&mut self, n: usize) -> Vec<Value> {
        let at = self.stack.len() - n;
        self.stack.split_off(at)
    }

    pub fn push(&mut self, v: Value) {
        self.stack.push(v);
    }

    /// Pushes an i8 condition as a wasm i32 boolean.
    pub fn push_bool(&mut self, cond: Value) {
        let v = self.b.ins().uextend(types::I32, cond);
        self.push(v);
    }

    pub fn trap(&mut self, trap: WasmTrap) {
        self.b.ins().trap(trap.code());
    }

    pub fn trap_if(&mut self, cond: Value, trap: WasmTrap) {
        self.b.ins().trapnz(cond, trap.code());
    }

    /// The `FuncRef` for calling wasm function `index`.
    pub fn func_ref(&mut self, index: u32) -> FuncRef {
        if let Some(&f) = self.func_refs.get(&index) {
            return f;
        }
        let sig = wasm_signature(self.env.info.func_type(index));
        let f = self.import_program_function(ir::UserExternalName::new(NS_WASM_FUNC, index), sig);
        self.func_refs.insert(index, f);
        f
    }

    /// A `FuncRef` for a function of the program (guest, entry or runtime intrinsic).
    pub fn import_program_function(
        &mut self,
        name: ir::UserExternalName,
        sig: ir::Signature,
    ) -> FuncRef {
        let signature = self.b.import_signature(sig);
        let name = self.b.func.declare_imported_user_function(name);
        self.b.import_function(ir::ExtFuncData {
            name: ir::ExternalName::User(name),
            signature,
            colocated: true,
            patchable: false,
        })
    }

    pub fn sig_ref(&mut self, type_index: u32) -> SigRef {
        if let Some(&s) = self.sig_refs.get(&type_index) {
            return s;
        }
        let s = self
            .b
            .import_signature(wasm_signature(&self.env.info.types[type_index as usize]));
        self.sig_refs.insert(type_index, s);
        s
    }

    pub fn iconst64(&mut self, v: u64) -> Value {
        self.b.ins().iconst(types::I64, v as i64)
    }

    fn translate(&mut self, op: &Operator) -> Result<(), CompileError> {
        if self.control(op)? {
            return Ok(());
        }
        if !self.reachable {
            return Ok(());
        }
        if self.variables(op) || self.memory(op)? || self.numeric(op) || self.reference(op)? {
            return Ok(());
        }
        Err(CompileError::NotYetSupported {
            location: String::new(),
            what: format!("the operator {op:?}"),
        })
    }

    /// Locals, globals, drop and select.
    fn variables(&mut self, op: &Operator) -> bool {
        match *op {
            Operator::LocalGet { local_index } => {
                let v = self.b.use_var(self.locals[local_index as usize]);
                self.push(v);
            }
            Operator::LocalSet { local_index } => {
                let v = self.pop();
                self.b.def_var(self.locals[local_index as usize], v);
            }
            Operator::LocalTee { local_index } => {
                let v = *self.stack.last().expect("validated");
                self.b.def_var(self.locals[local_index as usize], v);
            }
            Operator::GlobalGet { global_index } => {
                let v = self.global_get(global_index);
                self.push(v);
            }
            Operator::GlobalSet { global_index } => {
                let v = self.pop();
                let addr = self.iconst64(self.env.layout.global_addr(global_index));
                self.b.ins().store(self.globals_flags, v, addr, 0);
            }
            Operator::Drop => {
                self.pop();
            }
            Operator::Select | Operator::TypedSelect { .. } => {
                let cond = self.pop();
                let (a, b) = self.pop2();
                let v = self.b.ins().select(cond, a, b);
                self.push(v);
            }
            _ => return false,
        }
        true
    }

    fn global_get(&mut self, index: u32) -> Value {
        let global = &self.env.info.globals[index as usize];
        let ty = clif_type(global.ty);
        // An immutable global is its initializer: a constant, no memory access.
        if !global.mutable {
            use crate::module::ConstValue;
            match global.init {
                ConstValue::I32(v) => return self.b.ins().iconst(types::I32, v as i64),
                ConstValue::I64(v) => return self.b.ins().iconst(types::I64, v),
                ConstValue::F32(bits) => {
                    return self
                        .b
                        .ins()
                        .f32const(ir::immediates::Ieee32::with_bits(bits))
                }
                ConstValue::F64(bits) => {
                    return self
                        .b
                        .ins()
                        .f64const(ir::immediates::Ieee64::with_bits(bits))
                }
                ConstValue::RefNull => return self.b.ins().iconst(types::I64, 0),
                ConstValue::RefFunc(_) => {}
            }
        }
        let addr = self.iconst64(self.env.layout.global_addr(index));
        self.b.ins().load(ty, self.globals_flags, addr, 0)
    }

    pub fn block_args(values: &[Value]) -> Vec<BlockArg> {
        values.iter().map(|&v| BlockArg::Value(v)).collect()
    }
}
