//! `wasi_snapshot_preview1` as stock wasm32-wasip1 programs use it (see lib.rs): the
//! standard streams (`streams.rs`), read-only files from the pre-opened directories of the
//! run's WASI image (`image.rs`, `fs.rs`), deterministic time and randomness here. Every
//! other function links and answers ENOSYS.

mod fs;
pub mod image;
mod streams;

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, InstBuilder, Type, UserExternalName};

use crate::emit::{build, Emitter};
use crate::{RuntimeEnv, RuntimeError};
use streams::Strings;

pub(crate) use streams::stdin_region;

/// The runtime state this module (and the console) needs, from offset 0.
pub(crate) const STATE_BYTES: u64 = fs::STATE_BYTES;

const ERRNO_SUCCESS: u64 = 0;
const ERRNO_BADF: u64 = 8;
const ERRNO_FAULT: u64 = 21;
const ERRNO_INVAL: u64 = 28;
const ERRNO_ISDIR: u64 = 31;
const ERRNO_MFILE: u64 = 33;
const ERRNO_NAMETOOLONG: u64 = 37;
const ERRNO_NOENT: u64 = 44;
const ERRNO_NOSYS: u64 = 52;
const ERRNO_NOTDIR: u64 = 54;
const ERRNO_ROFS: u64 = 69;
const ERRNO_SPIPE: u64 = 70;
const ERRNO_NOTCAPABLE: u64 = 76;

/// The runtime's state words, at offsets from `RuntimeEnv::state_addr` (zero at start);
/// `streams.rs`, `console.rs` and `fs.rs` own the others.
const CLOCK_NS: u64 = 16;
/// splitmix64 state XOR the seed, so that zeroed RAM starts the stream at the seed.
const RNG_STATE: u64 = 24;
const RNG_WARNED: u64 = 32;

/// ZisK's wasm transpiler's seed, so both give the same bytes.
const RNG_SEED: u64 = 0x1234_5678_9abc_def0;
const RNG_NOTE: &str =
    "czisk: random_get returns a fixed-seed deterministic stream (a proof must be reproducible)\n";
const CLOCK_QUANTUM_NS: u64 = 1_000_000;

const I32: Type = types::I32;
const I64: Type = types::I64;

fn expected_signature(field: &str) -> Option<(&'static [Type], &'static [Type])> {
    const ERRNO: &[Type] = &[I32];
    Some(match field {
        "proc_exit" => (&[I32], &[]),
        "fd_write" | "fd_read" | "poll_oneoff" => (&[I32, I32, I32, I32], ERRNO),
        "args_sizes_get"
        | "args_get"
        | "environ_sizes_get"
        | "environ_get"
        | "random_get"
        | "fd_fdstat_get"
        | "fd_prestat_get"
        | "fd_filestat_get"
        | "fd_tell"
        | "fd_fdstat_set_flags" => (&[I32, I32], ERRNO),
        "clock_time_get" => (&[I32, I64, I32], ERRNO),
        "fd_prestat_dir_name" => (&[I32, I32, I32], ERRNO),
        "fd_seek" => (&[I32, I64, I32, I32], ERRNO),
        "fd_pread" => (&[I32, I32, I32, I64, I32], ERRNO),
        "fd_readdir" => (&[I32, I32, I32, I64, I32], ERRNO),
        "path_open" => (&[I32, I32, I32, I32, I32, I64, I64, I32, I32], ERRNO),
        "path_filestat_get" => (&[I32, I32, I32, I32, I32], ERRNO),
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
        "fd_pread" => build(name, sig, env, fs::fd_pread),
        "proc_exit" => build(name, sig, env, proc_exit),
        "args_sizes_get" => build(name, sig, env, |e| streams::sizes_get(e, Strings::Args)),
        "environ_sizes_get" => build(name, sig, env, |e| streams::sizes_get(e, Strings::Env)),
        "args_get" => build(name, sig, env, |e| streams::strings_get(e, Strings::Args)),
        "environ_get" => build(name, sig, env, |e| streams::strings_get(e, Strings::Env)),
        "sched_yield" => build(name, sig, env, |e| e.return_errno(ERRNO_SUCCESS)),
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
            e.store_at(now, a, 0);
            e.return_errno(ERRNO_SUCCESS);
        }),
        "fd_fdstat_get" => build(name, sig, env, fs::fd_fdstat_get),
        "fd_fdstat_set_flags" => build(name, sig, env, fs::fd_fdstat_set_flags),
        "fd_filestat_get" => build(name, sig, env, fs::fd_filestat_get),
        "path_filestat_get" => build(name, sig, env, fs::path_filestat_get),
        "fd_prestat_get" => build(name, sig, env, fs::fd_prestat_get),
        "fd_prestat_dir_name" => build(name, sig, env, fs::fd_prestat_dir_name),
        "fd_readdir" => build(name, sig, env, fs::fd_readdir),
        "path_open" => build(name, sig, env, fs::path_open),
        "fd_close" => build(name, sig, env, fs::fd_close),
        "fd_seek" => build(name, sig, env, fs::fd_seek),
        "fd_tell" => build(name, sig, env, fs::fd_tell),
        "poll_oneoff" => build(name, sig, env, poll_oneoff),
        _ => build(name, sig, env, |e| e.return_errno(ERRNO_NOSYS)),
    })
}

/// `fd_write(fd, iovs, iovs_len, nwritten*)`: stdout and stderr only (files are read-only).
fn fd_write(e: &mut Emitter) {
    let (fd, iovs, count, nwritten) = (e.param(0), e.param(1), e.param(2), e.param(3));
    e.require_fd(fd, &[1, 2], ERRNO_BADF);
    let count = e.b.ins().uextend(I64, count);
    let four = e.iconst(I64, 4);
    e.require_guest_range(nwritten, four, ERRNO_FAULT);
    streams::require_iovecs(e, iovs, count);
    streams::write_stream(e, fd, iovs, count, nwritten);
}

/// `fd_read(fd, iovs, iovs_len, nread*)`: stdin, or a file.
fn fd_read(e: &mut Emitter) {
    let (fd, iovs, count, nread) = (e.param(0), e.param(1), e.param(2), e.param(3));
    let out = e.b.ins().icmp_imm_u(IntCC::Equal, fd, 1);
    let err = e.b.ins().icmp_imm_u(IntCC::Equal, fd, 2);
    let output = e.b.ins().bor(out, err);
    e.return_errno_if(output, ERRNO_BADF);
    let count = e.b.ins().uextend(I64, count);
    let four = e.iconst(I64, 4);
    e.require_guest_range(nread, four, ERRNO_FAULT);
    streams::require_iovecs(e, iovs, count);
    let stdin = e.b.ins().icmp_imm_u(IntCC::Equal, fd, 0);
    e.when(stdin, |e| streams::read_stdin(e, iovs, count, nread));
    fs::read_file(e, fd, iovs, count, None, nread);
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
        crate::console::put_message(e, RNG_NOTE);
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
        e.b.ins()
            .store(ir::MemFlagsData::new().with_notrap(), z, at, 0);
    });
    let tail = e.b.ins().band_imm_s(len, 7);
    let tail_base = e.b.ins().band_imm_s(len, !7);
    let tail_base = e.b.ins().iadd(base, tail_base);
    e.for_range(tail, |e, i| {
        let z = splitmix64(e, state);
        let byte = e.b.ins().ireduce(types::I8, z);
        let at = e.b.ins().iadd(tail_base, i);
        e.b.ins()
            .store(ir::MemFlagsData::new().with_notrap(), byte, at, 0);
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
        let userdata =
            e.b.ins()
                .load(I64, ir::MemFlagsData::new().with_notrap(), s, 0);
        e.b.ins()
            .store(ir::MemFlagsData::new().with_notrap(), userdata, ev, 0);
        let tag =
            e.b.ins()
                .uload8(I64, ir::MemFlagsData::new().with_notrap(), s, 8);
        let known =
            e.b.ins()
                .icmp_imm_s(IntCC::UnsignedLessThanOrEqual, tag, LAST_EVENT_TYPE);
        let ok = e.iconst(I64, ERRNO_SUCCESS);
        let inval = e.iconst(I64, ERRNO_INVAL as u64);
        let error = e.b.ins().select(known, ok, inval);
        let tag = e.b.ins().ishl_imm_u(tag, 16);
        let word = e.b.ins().bor(error, tag);
        e.b.ins()
            .store(ir::MemFlagsData::new().with_notrap(), word, ev, 8);
        let zero = e.iconst(I64, 0);
        e.b.ins()
            .store(ir::MemFlagsData::new().with_notrap(), zero, ev, 16);
        e.b.ins()
            .store(ir::MemFlagsData::new().with_notrap(), zero, ev, 24);
    });
    let a = e.guest_addr(nevents);
    e.b.ins()
        .store(ir::MemFlagsData::new().with_notrap(), count, a, 0);
    e.return_errno(ERRNO_SUCCESS);
}
