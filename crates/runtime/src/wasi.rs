//! `wasi_snapshot_preview1`: the subset stock wasm32-wasip1 programs need (see lib.rs).

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, InstBuilder, MemFlagsData, Type, UserExternalName};

use crate::emit::{build, Emitter};
use crate::{zisk_map, RuntimeEnv, RuntimeError, PUBLIC_OUTPUT_BYTES};

const ERRNO_SUCCESS: u64 = 0;
const ERRNO_BADF: u64 = 8;
const ERRNO_FAULT: u64 = 21;
const ERRNO_SPIPE: u64 = 29;
const ERRNO_NOSYS: u64 = 52;

/// The runtime's state words, at offsets from `RuntimeEnv::state_addr` (zero at start).
const STDIN_CURSOR: u64 = 0;
const STDOUT_PUBLISHED: u64 = 8;
const CLOCK_NS: u64 = 16;
/// splitmix64 state XOR the seed, so that zeroed RAM starts the stream at the seed.
const RNG_STATE: u64 = 24;
const RNG_WARNED: u64 = 32;

/// ZisK's wasm transpiler's seed and warning, so both give the same bytes.
const RNG_SEED: u64 = 0x1234_5678_9abc_def0;
const RNG_WARNING: &str = "WARNING: Using insecure random number generator.\n";
const CLOCK_QUANTUM_NS: u64 = 1_000_000;

const I32: Type = types::I32;
const I64: Type = types::I64;

fn expected_signature(field: &str) -> Option<(&'static [Type], &'static [Type])> {
    const ERRNO: &[Type] = &[I32];
    Some(match field {
        "proc_exit" => (&[I32], &[]),
        "fd_write" | "fd_read" | "poll_oneoff" => (&[I32, I32, I32, I32], ERRNO),
        "args_sizes_get" | "args_get" | "environ_sizes_get" | "environ_get" | "random_get"
        | "fd_fdstat_get" | "fd_prestat_get" | "fd_filestat_get" => (&[I32, I32], ERRNO),
        "clock_time_get" => (&[I32, I64, I32], ERRNO),
        "fd_prestat_dir_name" => (&[I32, I32, I32], ERRNO),
        "fd_seek" => (&[I32, I64, I32, I32], ERRNO),
        "fd_close" => (&[I32], ERRNO),
        "sched_yield" => (&[], ERRNO),
        _ => return None,
    })
}

fn types_of(params: &[ir::AbiParam]) -> Vec<Type> {
    params.iter().map(|p| p.value_type).collect()
}

/// The body of WASI function `field`, checked against the signature the guest declared.
pub fn wasi_function(
    field: &str,
    signature: &ir::Signature,
    name: UserExternalName,
    env: &RuntimeEnv,
) -> Result<ir::Function, RuntimeError> {
    let (params, results) = (types_of(&signature.params), types_of(&signature.returns));
    let expected = expected_signature(field);
    let (want_params, want_results): (&[Type], &[Type]) = match expected {
        Some((p, r)) => (p, r),
        // Unknown functions only answer ENOSYS, so any parameters will do.
        None => (&params, &[I32]),
    };
    if params != want_params || results != want_results {
        return Err(RuntimeError::Signature {
            module: "wasi_snapshot_preview1".into(),
            field: field.into(),
            found: format!("{params:?} -> {results:?}"),
            expected: format!("{want_params:?} -> {want_results:?}"),
        });
    }
    let sig = signature.clone();
    Ok(match field {
        "fd_write" => build(name, sig, env, fd_write),
        "fd_read" => build(name, sig, env, fd_read),
        "proc_exit" => build(name, sig, env, proc_exit),
        "args_sizes_get" | "environ_sizes_get" => build(name, sig, env, |e| {
            // argc/environc = 0, buffer size = 0.
            let (p0, p1) = (e.param(0), e.param(1));
            let four = e.iconst(I64, 4);
            e.require_guest_range(p0, four, ERRNO_FAULT);
            e.require_guest_range(p1, four, ERRNO_FAULT);
            let zero = e.iconst(I32, 0);
            for p in [p0, p1] {
                let a = e.guest_addr(p);
                e.b.ins()
                    .store(MemFlagsData::new().with_notrap(), zero, a, 0);
            }
            e.return_errno(ERRNO_SUCCESS);
        }),
        "args_get" | "environ_get" | "sched_yield" => {
            build(name, sig, env, |e| e.return_errno(ERRNO_SUCCESS))
        }
        "random_get" => build(name, sig, env, random_get),
        "clock_time_get" => build(name, sig, env, |e| {
            let ptr = e.param(2);
            let eight = e.iconst(I64, 8);
            e.require_guest_range(ptr, eight, ERRNO_FAULT);
            let clock_addr = e.env.state_addr + CLOCK_NS;
            let now = e.load_abs(I64, clock_addr);
            let now = e.b.ins().iadd_imm_s(now, CLOCK_QUANTUM_NS as i64);
            e.store_abs(now, clock_addr);
            let a = e.guest_addr(ptr);
            e.b.ins()
                .store(MemFlagsData::new().with_notrap(), now, a, 0);
            e.return_errno(ERRNO_SUCCESS);
        }),
        "fd_fdstat_get" => build(name, sig, env, |e| {
            // A character device with no rights: enough for std to accept writes.
            let (fd, ptr) = (e.param(0), e.param(1));
            e.require_fd(fd, &[0, 1, 2], ERRNO_BADF);
            let len = e.iconst(I64, 24);
            e.require_guest_range(ptr, len, ERRNO_FAULT);
            let a = e.guest_addr(ptr);
            let zero = e.iconst(I64, 0);
            for off in [0, 8, 16] {
                e.b.ins()
                    .store(MemFlagsData::new().with_notrap(), zero, a, off);
            }
            let chardev = e.iconst(types::I8, 2);
            e.b.ins()
                .store(MemFlagsData::new().with_notrap(), chardev, a, 0);
            e.return_errno(ERRNO_SUCCESS);
        }),
        "fd_filestat_get" => build(name, sig, env, |e| {
            let (fd, ptr) = (e.param(0), e.param(1));
            e.require_fd(fd, &[0, 1, 2], ERRNO_BADF);
            let len = e.iconst(I64, 64);
            e.require_guest_range(ptr, len, ERRNO_FAULT);
            let a = e.guest_addr(ptr);
            let zero = e.iconst(I64, 0);
            for off in (0..64).step_by(8) {
                e.b.ins()
                    .store(MemFlagsData::new().with_notrap(), zero, a, off);
            }
            let chardev = e.iconst(types::I8, 2);
            e.b.ins()
                .store(MemFlagsData::new().with_notrap(), chardev, a, 16);
            e.return_errno(ERRNO_SUCCESS);
        }),
        // No preopened directories: EBADF ends std's enumeration of them.
        "fd_prestat_get" | "fd_prestat_dir_name" => {
            build(name, sig, env, |e| e.return_errno(ERRNO_BADF))
        }
        "fd_close" => build(name, sig, env, |e| {
            let fd = e.param(0);
            e.require_fd(fd, &[0, 1, 2], ERRNO_BADF);
            e.return_errno(ERRNO_SUCCESS);
        }),
        "fd_seek" => build(name, sig, env, |e| {
            let fd = e.param(0);
            e.require_fd(fd, &[0, 1, 2], ERRNO_BADF);
            e.return_errno(ERRNO_SPIPE);
        }),
        "poll_oneoff" => build(name, sig, env, poll_oneoff),
        _ => build(name, sig, env, |e| e.return_errno(ERRNO_NOSYS)),
    })
}

/// Checks every iovec `{u32 buf, u32 len}` of the array at guest `iovs` lies in memory.
fn require_iovecs(e: &mut Emitter, iovs: ir::Value, count: ir::Value) {
    let bytes = e.b.ins().imul_imm_s(count, 8);
    e.require_guest_range(iovs, bytes, ERRNO_FAULT);
    let base = e.guest_addr(iovs);
    e.for_range(count, |e, j| {
        let at = e.b.ins().imul_imm_s(j, 8);
        let at = e.b.ins().iadd(base, at);
        let buf =
            e.b.ins()
                .load(I32, MemFlagsData::new().with_notrap(), at, 0);
        let len = e.b.ins().uload32(MemFlagsData::new().with_notrap(), at, 4);
        e.require_guest_range(buf, len, ERRNO_FAULT);
    });
}

/// Loads iovec `j` of the array at absolute `base`: (absolute buffer address, length).
fn iovec(e: &mut Emitter, base: ir::Value, j: ir::Value) -> (ir::Value, ir::Value) {
    let at = e.b.ins().imul_imm_s(j, 8);
    let at = e.b.ins().iadd(base, at);
    let buf =
        e.b.ins()
            .load(I32, MemFlagsData::new().with_notrap(), at, 0);
    let buf = e.guest_addr(buf);
    let len = e.b.ins().uload32(MemFlagsData::new().with_notrap(), at, 4);
    (buf, len)
}

fn fd_write(e: &mut Emitter) {
    let (fd, iovs, count, nwritten) = (e.param(0), e.param(1), e.param(2), e.param(3));
    e.require_fd(fd, &[1, 2], ERRNO_BADF);
    let count = e.b.ins().uextend(I64, count);
    let four = e.iconst(I64, 4);
    e.require_guest_range(nwritten, four, ERRNO_FAULT);
    require_iovecs(e, iovs, count);

    let published_addr = e.env.state_addr + STDOUT_PUBLISHED;
    let published = e.load_abs(I64, published_addr);
    let published = e.var(I64, published);
    let zero = e.iconst(I64, 0);
    let total = e.var(I64, zero);
    let base = e.guest_addr(iovs);
    e.for_range(count, |e, j| {
        let (buf, len) = iovec(e, base, j);
        let t = e.b.use_var(total);
        let t = e.b.ins().iadd(t, len);
        e.b.def_var(total, t);
        e.for_range(len, |e, k| {
            let at = e.b.ins().iadd(buf, k);
            let byte =
                e.b.ins()
                    .load(types::I8, MemFlagsData::new().with_notrap(), at, 0);
            // One UART store per loop iteration: nothing merges them.
            e.store_abs(byte, zisk_map::UART_ADDR);
            let p = e.b.use_var(published);
            let room =
                e.b.ins()
                    .icmp_imm_s(IntCC::UnsignedLessThan, p, PUBLIC_OUTPUT_BYTES as i64);
            e.when(room, |e| {
                let p = e.b.use_var(published);
                let out = e.b.ins().iadd_imm_s(p, zisk_map::OUTPUT_ADDR as i64);
                e.b.ins().store(MemFlagsData::trusted(), byte, out, 0);
                let p = e.b.ins().iadd_imm_s(p, 1);
                e.b.def_var(published, p);
            });
        });
    });
    let p = e.b.use_var(published);
    e.store_abs(p, published_addr);
    let t = e.b.use_var(total);
    let t = e.b.ins().ireduce(I32, t);
    let a = e.guest_addr(nwritten);
    e.b.ins().store(MemFlagsData::new().with_notrap(), t, a, 0);
    e.return_errno(ERRNO_SUCCESS);
}

fn fd_read(e: &mut Emitter) {
    let (fd, iovs, count, nread) = (e.param(0), e.param(1), e.param(2), e.param(3));
    e.require_fd(fd, &[0], ERRNO_BADF);
    let count = e.b.ins().uextend(I64, count);
    let four = e.iconst(I64, 4);
    e.require_guest_range(nread, four, ERRNO_FAULT);
    require_iovecs(e, iovs, count);

    // The length word is written by the host; clamp it to what the region can hold.
    let len = e.load_abs(I64, zisk_map::INPUT_LEN_ADDR);
    let max = e.iconst(I64, zisk_map::MAX_INPUT_DATA);
    let input_len = e.b.ins().umin(len, max);
    let cursor_addr = e.env.state_addr + STDIN_CURSOR;
    let cursor = e.load_abs(I64, cursor_addr);
    let cursor = e.var(I64, cursor);
    let start = e.b.use_var(cursor);
    let base = e.guest_addr(iovs);
    // Each buffer takes what is left of the input, up to its length, in one copy (a DMA
    // copy on the zisk backend); a buffer left short ends the read.
    e.while_loop(count, |e, j, eof| {
        let (buf, len) = iovec(e, base, j);
        let c = e.b.use_var(cursor);
        let left = e.b.ins().isub(input_len, c);
        let n = e.b.ins().umin(len, left);
        let from = e.b.ins().iadd_imm_s(c, zisk_map::INPUT_DATA_ADDR as i64);
        crate::call_memmove(e, buf, from, n);
        let c = e.b.ins().iadd(c, n);
        e.b.def_var(cursor, c);
        let short = e.b.ins().icmp(IntCC::UnsignedLessThan, n, len);
        let go_on = e.b.create_block();
        e.b.ins().brif(short, eof, &[], go_on, &[]);
        e.b.switch_to_block(go_on);
    });
    let end = e.b.use_var(cursor);
    e.store_abs(end, cursor_addr);
    let n = e.b.ins().isub(end, start);
    let n = e.b.ins().ireduce(I32, n);
    let a = e.guest_addr(nread);
    e.b.ins().store(MemFlagsData::new().with_notrap(), n, a, 0);
    e.return_errno(ERRNO_SUCCESS);
}

fn proc_exit(e: &mut Emitter) {
    let code = e.param(0);
    crate::call_exit(e, code);
}

fn splitmix64(e: &mut Emitter, state: cranelift_frontend::Variable) -> ir::Value {
    let s = e.b.use_var(state);
    let s = e.b.ins().iadd_imm_s(s, 0x9E37_79B9_7F4A_7C15u64 as i64);
    e.b.def_var(state, s);
    let mut z = s;
    for (shift, mul) in [
        (30, Some(0xBF58_476D_1CE4_E5B9u64)),
        (27, Some(0x94D0_49BB_1331_11EBu64)),
        (31, None),
    ] {
        let t = e.b.ins().ushr_imm_u(z, shift);
        z = e.b.ins().bxor(z, t);
        if let Some(m) = mul {
            z = e.b.ins().imul_imm_s(z, m as i64);
        }
    }
    z
}

fn random_get(e: &mut Emitter) {
    let warned_addr = e.env.state_addr + RNG_WARNED;
    let warned = e.load_abs(I64, warned_addr);
    let first = e.b.ins().icmp_imm_s(IntCC::Equal, warned, 0);
    e.when(first, |e| {
        let one = e.iconst(I64, 1);
        e.store_abs(one, warned_addr);
        crate::put_str(e, RNG_WARNING);
    });
    let (buf, len) = (e.param(0), e.param(1));
    let len = e.b.ins().uextend(I64, len);
    e.require_guest_range(buf, len, ERRNO_FAULT);
    let state_addr = e.env.state_addr + RNG_STATE;
    let stored = e.load_abs(I64, state_addr);
    let s = e.b.ins().bxor_imm_s(stored, RNG_SEED as i64);
    let state = e.var(I64, s);
    let base = e.guest_addr(buf);
    // Whole words first, then one output per remaining byte (as ZisK's transpiler does).
    let words = e.b.ins().ushr_imm_u(len, 3);
    e.for_range(words, |e, i| {
        let z = splitmix64(e, state);
        let at = e.b.ins().ishl_imm_u(i, 3);
        let at = e.b.ins().iadd(base, at);
        e.b.ins().store(MemFlagsData::new().with_notrap(), z, at, 0);
    });
    let tail = e.b.ins().band_imm_s(len, 7);
    let tail_base = e.b.ins().band_imm_s(len, !7);
    let tail_base = e.b.ins().iadd(base, tail_base);
    e.for_range(tail, |e, i| {
        let z = splitmix64(e, state);
        let byte = e.b.ins().ireduce(types::I8, z);
        let at = e.b.ins().iadd(tail_base, i);
        e.b.ins()
            .store(MemFlagsData::new().with_notrap(), byte, at, 0);
    });
    let s = e.b.use_var(state);
    let s = e.b.ins().bxor_imm_s(s, RNG_SEED as i64);
    e.store_abs(s, state_addr);
    e.return_errno(ERRNO_SUCCESS);
}

/// Every subscription fires at once: a deterministic machine has nothing to wait for.
fn poll_oneoff(e: &mut Emitter) {
    const SUBSCRIPTION_BYTES: i64 = 48;
    const EVENT_BYTES: i64 = 32;
    const ERRNO_INVAL: i64 = 28;
    const LAST_EVENT_TYPE: i64 = 2;
    let (subs, events, count, nevents) = (e.param(0), e.param(1), e.param(2), e.param(3));
    let n = e.b.ins().uextend(I64, count);
    let sub_bytes = e.b.ins().imul_imm_s(n, SUBSCRIPTION_BYTES);
    e.require_guest_range(subs, sub_bytes, ERRNO_FAULT);
    let ev_bytes = e.b.ins().imul_imm_s(n, EVENT_BYTES);
    e.require_guest_range(events, ev_bytes, ERRNO_FAULT);
    let four = e.iconst(I64, 4);
    e.require_guest_range(nevents, four, ERRNO_FAULT);
    let (subs, events) = (e.guest_addr(subs), e.guest_addr(events));
    e.for_range(n, |e, j| {
        let s = e.b.ins().imul_imm_s(j, SUBSCRIPTION_BYTES);
        let s = e.b.ins().iadd(subs, s);
        let ev = e.b.ins().imul_imm_s(j, EVENT_BYTES);
        let ev = e.b.ins().iadd(events, ev);
        let userdata = e.b.ins().load(I64, MemFlagsData::new().with_notrap(), s, 0);
        e.b.ins()
            .store(MemFlagsData::new().with_notrap(), userdata, ev, 0);
        let tag =
            e.b.ins()
                .uload8(I64, MemFlagsData::new().with_notrap(), s, 8);
        let known =
            e.b.ins()
                .icmp_imm_s(IntCC::UnsignedLessThanOrEqual, tag, LAST_EVENT_TYPE);
        let ok = e.iconst(I64, ERRNO_SUCCESS);
        let inval = e.iconst(I64, ERRNO_INVAL as u64);
        let error = e.b.ins().select(known, ok, inval);
        let tag = e.b.ins().ishl_imm_u(tag, 16);
        let word = e.b.ins().bor(error, tag);
        e.b.ins()
            .store(MemFlagsData::new().with_notrap(), word, ev, 8);
        let zero = e.iconst(I64, 0);
        e.b.ins()
            .store(MemFlagsData::new().with_notrap(), zero, ev, 16);
        e.b.ins()
            .store(MemFlagsData::new().with_notrap(), zero, ev, 24);
    });
    let a = e.guest_addr(nevents);
    e.b.ins()
        .store(MemFlagsData::new().with_notrap(), count, a, 0);
    e.return_errno(ERRNO_SUCCESS);
}
