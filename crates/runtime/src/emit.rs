//! A thin layer over `FunctionBuilder` for the shapes runtime functions are made of:
//! absolute loads and stores, checked guest ranges, counted loops, early returns.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, Block, InstBuilder, MemFlagsData, Value};
use cranelift_codegen::isa::TargetFrontendConfig;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext, Variable};
use target_lexicon::PointerWidth;

use czisk_frontend::precompiles::EmitSite;
use czisk_frontend::WasmTrap;

use crate::RuntimeEnv;

pub(crate) struct Emitter<'a> {
    pub b: FunctionBuilder<'a>,
    pub env: &'a RuntimeEnv,
    params: Vec<Value>,
}

/// Builds a function with `signature`: `body` receives the emitter positioned in the entry
/// block and must end every path with a return.
pub(crate) fn build(
    name: ir::UserExternalName,
    signature: ir::Signature,
    env: &RuntimeEnv,
    body: impl FnOnce(&mut Emitter),
) -> ir::Function {
    let mut func = ir::Function::with_name_signature(ir::UserFuncName::User(name), signature);
    let mut ctx = FunctionBuilderContext::new();
    {
        let mut b = FunctionBuilder::new(&mut func, &mut ctx);
        let entry = b.create_block();
        b.append_block_params_for_function_params(entry);
        b.switch_to_block(entry);
        let params = b.block_params(entry).to_vec();
        let mut e = Emitter { b, env, params };
        body(&mut e);
        e.b.seal_all_blocks();
        e.b.finalize(TargetFrontendConfig {
            default_call_conv: env.call_conv,
            pointer_width: PointerWidth::U64,
            page_size_align_log2: 12,
        });
    }
    func
}

/// A precompile's function checks its pointers as the other runtime functions do.
impl<'a> EmitSite<'a> for Emitter<'a> {
    fn builder(&mut self) -> &mut FunctionBuilder<'a> {
        &mut self.b
    }
    fn checked_pointer(&mut self, ptr: Value, bytes: u64) -> Value {
        let len = self.iconst(types::I64, bytes);
        self.checked_guest_range(ptr, len)
    }
    fn runtime_state_addr(&self) -> u64 {
        self.env.state_addr
    }
}

impl Emitter<'_> {
    /// Whether the current block already ends (in a return, a jump, a trap).
    pub fn is_terminated(&self) -> bool {
        let Some(block) = self.b.current_block() else {
            return true;
        };
        self.b
            .func
            .layout
            .last_inst(block)
            .is_some_and(|inst| self.b.func.dfg.insts[inst].opcode().is_terminator())
            || self.b.is_unreachable()
    }

    pub fn param(&self, i: usize) -> Value {
        self.params[i]
    }

    pub fn iconst(&mut self, ty: ir::Type, v: u64) -> Value {
        self.b.ins().iconst(ty, v as i64)
    }

    /// Calls the program function (an intrinsic or another runtime function) `name` with
    /// `args`, which must match its parameter types; it returns nothing.
    pub fn call_program_function(&mut self, name: ir::UserExternalName, args: &[Value]) {
        let mut sig = ir::Signature::new(self.env.call_conv);
        sig.params.extend(
            args.iter()
                .map(|&a| ir::AbiParam::new(self.b.func.dfg.value_type(a))),
        );
        let sig = self.b.import_signature(sig);
        let name = self.b.func.declare_imported_user_function(name);
        let f = self.b.import_function(ir::ExtFuncData {
            name: ir::ExternalName::User(name),
            signature: sig,
            colocated: true,
            patchable: false,
        });
        self.b.ins().call(f, args);
    }

    /// Loads a `ty` from an absolute address (a runtime-state word, the input region).
    pub fn load_abs(&mut self, ty: ir::Type, addr: u64) -> Value {
        let a = self.iconst(types::I64, addr);
        self.b.ins().load(ty, MemFlagsData::trusted(), a, 0)
    }

    pub fn store_abs(&mut self, value: Value, addr: u64) {
        let a = self.iconst(types::I64, addr);
        self.b.ins().store(MemFlagsData::trusted(), value, a, 0);
    }

    /// The absolute address of guest pointer `ptr` (an i32 offset into linear memory).
    pub fn guest_addr(&mut self, ptr: Value) -> Value {
        let offset = self.b.ins().uextend(types::I64, ptr);
        self.b.ins().iadd_imm_s(offset, self.env.memory_base as i64)
    }

    /// Traps with "out of bounds memory access" unless `[ptr, ptr + len)` lies inside
    /// linear memory (`ptr` i32, `len` i64 below 2^33); returns the range's absolute address.
    pub fn checked_guest_range(&mut self, ptr: Value, len: Value) -> Value {
        let start = self.b.ins().uextend(types::I64, ptr);
        let end = self.b.ins().iadd(start, len);
        let size = self.load_abs(types::I64, self.env.memory_size_addr);
        let outside = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, size);
        self.b
            .ins()
            .trapnz(outside, WasmTrap::MemoryOutOfBounds.code());
        self.b.ins().iadd_imm_s(start, self.env.memory_base as i64)
    }

    /// Returns `errno` from the function unless `[ptr, ptr + len)` lies inside linear memory
    /// (`ptr` i32, `len` i64 below 2^33, so the sum cannot wrap).
    pub fn require_guest_range(&mut self, ptr: Value, len: Value, errno: u64) {
        let start = self.b.ins().uextend(types::I64, ptr);
        let end = self.b.ins().iadd(start, len);
        let size = self.load_abs(types::I64, self.env.memory_size_addr);
        let outside = self.b.ins().icmp(IntCC::UnsignedGreaterThan, end, size);
        self.return_errno_if(outside, errno);
    }

    /// Returns `errno` if `cond` holds; continues otherwise.
    pub fn return_errno_if(&mut self, cond: Value, errno: u64) {
        let fail = self.b.create_block();
        let cont = self.b.create_block();
        self.b.set_cold_block(fail);
        self.b.ins().brif(cond, fail, &[], cont, &[]);
        self.b.switch_to_block(fail);
        self.return_errno(errno);
        self.b.switch_to_block(cont);
    }

    /// Returns `errno` unless `fd` is one of `allowed`.
    pub fn require_fd(&mut self, fd: Value, allowed: &[u64], errno: u64) {
        let mut ok = self.b.ins().iconst(types::I8, 0);
        for &a in allowed {
            let is = self.b.ins().icmp_imm_s(IntCC::Equal, fd, a as i64);
            ok = self.b.ins().bor(ok, is);
        }
        let bad = self.b.ins().icmp_imm_s(IntCC::Equal, ok, 0);
        self.return_errno_if(bad, errno);
    }

    pub fn return_errno(&mut self, errno: u64) {
        let v = self.iconst(types::I32, errno);
        self.b.ins().return_(&[v]);
    }

    /// A mutable local.
    pub fn var(&mut self, ty: ir::Type, init: Value) -> Variable {
        let v = self.b.declare_var(ty);
        self.b.def_var(v, init);
        v
    }

    /// `for i in 0..count { body(i) }` over i64 values.
    pub fn for_range(&mut self, count: Value, body: impl FnOnce(&mut Self, Value)) {
        self.while_loop(count, |e, i, _exit| body(e, i));
    }

    /// Like [`Self::for_range`], but the body gets a block to jump to for leaving the loop.
    pub fn while_loop(&mut self, count: Value, body: impl FnOnce(&mut Self, Value, Block)) {
        let zero = self.iconst(types::I64, 0);
        let i = self.var(types::I64, zero);
        let head = self.b.create_block();
        let inner = self.b.create_block();
        let exit = self.b.create_block();
        self.b.ins().jump(head, &[]);
        self.b.switch_to_block(head);
        let iv = self.b.use_var(i);
        let more = self.b.ins().icmp(IntCC::UnsignedLessThan, iv, count);
        self.b.ins().brif(more, inner, &[], exit, &[]);
        self.b.switch_to_block(inner);
        body(self, iv, exit);
        if !self.is_terminated() {
            let next = self.b.ins().iadd_imm_s(iv, 1);
            self.b.def_var(i, next);
            self.b.ins().jump(head, &[]);
        }
        self.b.switch_to_block(exit);
    }

    /// `loop { body }`: the body gets the block that leaves the loop; falling off its end
    /// repeats it.
    pub fn forever(&mut self, body: impl FnOnce(&mut Self, Block)) {
        let head = self.b.create_block();
        let exit = self.b.create_block();
        self.b.ins().jump(head, &[]);
        self.b.switch_to_block(head);
        body(self, exit);
        if !self.is_terminated() {
            self.b.ins().jump(head, &[]);
        }
        self.b.switch_to_block(exit);
    }

    /// Jumps to `target` (a loop's exit) if `cond` holds; continues otherwise.
    pub fn jump_if(&mut self, cond: Value, target: Block) {
        let cont = self.b.create_block();
        self.b.ins().brif(cond, target, &[], cont, &[]);
        self.b.switch_to_block(cont);
    }

    /// `if cond { then() } else { otherwise }` as a value of type `ty`: `then` runs only when
    /// `cond` holds (for loads that are valid only then).
    pub fn value_if(
        &mut self,
        cond: Value,
        ty: ir::Type,
        then: impl FnOnce(&mut Self) -> Value,
        otherwise: Value,
    ) -> Value {
        let yes = self.b.create_block();
        let done = self.b.create_block();
        let result = self.b.append_block_param(done, ty);
        self.b
            .ins()
            .brif(cond, yes, &[], done, &[ir::BlockArg::Value(otherwise)]);
        self.b.switch_to_block(yes);
        let v = then(self);
        self.b.ins().jump(done, &[ir::BlockArg::Value(v)]);
        self.b.switch_to_block(done);
        result
    }

    /// Loads a `ty` from `addr + offset`, an absolute address the runtime trusts.
    pub fn load_at(&mut self, ty: ir::Type, addr: Value, offset: i32) -> Value {
        self.b
            .ins()
            .load(ty, MemFlagsData::new().with_notrap(), addr, offset)
    }

    pub fn store_at(&mut self, value: Value, addr: Value, offset: i32) {
        self.b
            .ins()
            .store(MemFlagsData::new().with_notrap(), value, addr, offset);
    }

    /// Runs `then` only when `cond` holds.
    pub fn when(&mut self, cond: Value, then: impl FnOnce(&mut Self)) {
        let yes = self.b.create_block();
        let done = self.b.create_block();
        self.b.ins().brif(cond, yes, &[], done, &[]);
        self.b.switch_to_block(yes);
        then(self);
        if !self.is_terminated() {
            self.b.ins().jump(done, &[]);
        }
        self.b.switch_to_block(done);
    }
}
