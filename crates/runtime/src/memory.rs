//! `memmove` and `memset` on absolute addresses, behind the frontend's `memory.copy`,
//! `memory.fill` and `memory.init` (after their bounds checks). Here they are byte loops,
//! what the RISC-V path runs; the direct backend replaces calls to them with ZisK's DMA
//! opcodes where it can (see its `lower_call`).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, InstBuilder, MemFlagsData, UserExternalName};

use crate::emit::build;
use crate::RuntimeEnv;

/// `memmove(dst: i64, src: i64, len: i64)`: correct for overlapping ranges.
pub fn memmove_function(name: UserExternalName, env: &RuntimeEnv) -> ir::Function {
    let mut sig = ir::Signature::new(env.call_conv);
    sig.params.extend([ir::AbiParam::new(types::I64); 3]);
    build(name, sig, env, |e| {
        let (dst, src, len) = (e.param(0), e.param(1), e.param(2));
        let flags = MemFlagsData::trusted();
        // Forwards when the destination is below the source, backwards otherwise.
        let forwards = e.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, dst, src);
        let (fwd, bwd, done) = (e.b.create_block(), e.b.create_block(), e.b.create_block());
        e.b.ins().brif(forwards, fwd, &[], bwd, &[]);
        // Byte `k(i)` for i in 0..len: k(i) = i forwards, len - 1 - i backwards.
        let copy_bytes = |e: &mut crate::emit::Emitter, backwards: bool| {
            let last = e.b.ins().iadd_imm_s(len, -1);
            e.for_range(len, |e, i| {
                let k = if backwards {
                    e.b.ins().isub(last, i)
                } else {
                    i
                };
                let from = e.b.ins().iadd(src, k);
                let byte = e.b.ins().load(types::I8, flags, from, 0);
                let to = e.b.ins().iadd(dst, k);
                e.b.ins().store(flags, byte, to, 0);
            });
            e.b.ins().jump(done, &[]);
        };
        e.b.switch_to_block(fwd);
        copy_bytes(e, false);
        e.b.switch_to_block(bwd);
        copy_bytes(e, true);
        e.b.switch_to_block(done);
        e.b.ins().return_(&[]);
    })
}

/// `memset(dst: i64, byte: i32, len: i64)`.
pub fn memset_function(name: UserExternalName, env: &RuntimeEnv) -> ir::Function {
    let mut sig = ir::Signature::new(env.call_conv);
    sig.params.extend([
        ir::AbiParam::new(types::I64),
        ir::AbiParam::new(types::I32),
        ir::AbiParam::new(types::I64),
    ]);
    build(name, sig, env, |e| {
        let (dst, value, len) = (e.param(0), e.param(1), e.param(2));
        let byte = e.b.ins().ireduce(types::I8, value);
        e.for_range(len, |e, i| {
            let to = e.b.ins().iadd(dst, i);
            e.b.ins().store(MemFlagsData::trusted(), byte, to, 0);
        });
        e.b.ins().return_(&[]);
    })
}
