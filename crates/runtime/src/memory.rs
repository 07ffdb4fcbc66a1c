//! `memmove` and `memset` on absolute addresses, behind the frontend's `memory.copy`,
//! `memory.fill` and `memory.init` (after their bounds checks). Here they are byte loops
//! (an overlapping move in disjoint chunks), what the RISC-V path runs; the direct backend
//! replaces calls to them with ZisK's DMA opcodes where it can (see its `lower_call`).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, InstBuilder, MemFlagsData, UserExternalName};

use crate::emit::build;
use crate::RuntimeEnv;

/// Overlapping moves at least this far apart go in disjoint chunks of the distance.
const CHUNKED_DISTANCE: i64 = 8;

/// `memmove(dst: i64, src: i64, len: i64)`: correct for overlapping ranges.
///
/// The direct backend only calls it for overlapping ranges (disjoint ones are one DMA
/// copy). Ranges `d >= CHUNKED_DISTANCE` bytes apart are moved as disjoint chunks of `d`
/// bytes, each a call of the memmove intrinsic on disjoint ranges, so one DMA copy each on
/// the direct backend: forwards from the start when the destination is below the source,
/// backwards from the end otherwise, so no chunk reads bytes an earlier one wrote. Closer
/// ranges, and the RISC-V path's chunks, are byte loops.
pub fn memmove_function(name: UserExternalName, env: &RuntimeEnv) -> ir::Function {
    let mut sig = ir::Signature::new(env.call_conv);
    sig.params.extend([ir::AbiParam::new(types::I64); 3]);
    build(name, sig, env, |e| {
        let (dst, src, len) = (e.param(0), e.param(1), e.param(2));
        let flags = MemFlagsData::trusted();
        let same = e.b.ins().icmp(IntCC::Equal, dst, src);
        e.when(same, |e| {
            e.b.ins().return_(&[]);
        });
        // Forwards when the destination is below the source, backwards otherwise.
        let forwards = e.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, dst, src);
        let (fwd, bwd, done) = (e.b.create_block(), e.b.create_block(), e.b.create_block());
        e.b.ins().brif(forwards, fwd, &[], bwd, &[]);
        // In disjoint chunks of the distance `d`, when the ranges overlap and are far enough
        // apart; the last, shorter piece is disjoint from its destination too.
        let in_chunks = |e: &mut crate::emit::Emitter, d: ir::Value, backwards: bool| {
            if !env.memmove_chunks {
                return;
            }
            let overlap = e.b.ins().icmp(IntCC::UnsignedGreaterThan, len, d);
            let far = e
                .b
                .ins()
                .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, d, CHUNKED_DISTANCE);
            let chunked = e.b.ins().band(overlap, far);
            e.when(chunked, |e| {
                let left = e.var(types::I64, len);
                let (to, from) = (e.var(types::I64, dst), e.var(types::I64, src));
                e.forever(|e, exit| {
                    let n = e.b.use_var(left);
                    let last = e.b.ins().icmp(IntCC::UnsignedLessThanOrEqual, n, d);
                    e.jump_if(last, exit);
                    let n = e.b.ins().isub(n, d);
                    e.b.def_var(left, n);
                    let (t, f) = if backwards {
                        // The top chunk of what is left.
                        (e.b.ins().iadd(dst, n), e.b.ins().iadd(src, n))
                    } else {
                        let (t, f) = (e.b.use_var(to), e.b.use_var(from));
                        let (t2, f2) = (e.b.ins().iadd(t, d), e.b.ins().iadd(f, d));
                        e.b.def_var(to, t2);
                        e.b.def_var(from, f2);
                        (t, f)
                    };
                    crate::call_memmove(e, t, f, d);
                });
                let n = e.b.use_var(left);
                let (t, f) = if backwards {
                    (dst, src)
                } else {
                    (e.b.use_var(to), e.b.use_var(from))
                };
                crate::call_memmove(e, t, f, n);
                e.b.ins().return_(&[]);
            });
        };
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
        let d = e.b.ins().isub(src, dst);
        in_chunks(e, d, false);
        copy_bytes(e, false);
        e.b.switch_to_block(bwd);
        let d = e.b.ins().isub(dst, src);
        in_chunks(e, d, true);
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
