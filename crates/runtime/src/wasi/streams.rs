//! The standard streams and the strings: `fd_write` to stdout/stderr (through the console
//! protocol), reads from stdin, `args_*` and `environ_*`.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, InstBuilder};
use cranelift_frontend::Variable;

use super::image::{self, header_addr};
use super::{ERRNO_FAULT, ERRNO_SUCCESS, I32, I64};
use crate::console::{switch_stream, ESCAPE};
use crate::emit::Emitter;
use crate::{zisk_map, PUBLIC_OUTPUT_BYTES};

/// Runtime-state words (offsets from `RuntimeEnv::state_addr`, zero at start).
pub(super) const STDIN_CURSOR: u64 = 0;
const STDOUT_PUBLISHED: u64 = 8;

/// Whether the input region holds a WASI image (an i8 truth value).
pub(crate) fn image_present(e: &mut Emitter) -> ir::Value {
    let len = e.load_abs(I64, zisk_map::INPUT_LEN_ADDR);
    let big_enough = e.b.ins().icmp_imm_u(
        IntCC::UnsignedGreaterThanOrEqual,
        len,
        (image::HEADER_WORDS * 8) as i64,
    );
    let no = e.b.ins().iconst(types::I8, 0);
    e.value_if(
        big_enough,
        types::I8,
        |e| {
            let magic = e.load_abs(I64, header_addr(image::W_MAGIC));
            e.b.ins()
                .icmp_imm_u(IntCC::Equal, magic, image::MAGIC as i64)
        },
        no,
    )
}

/// Header word `w` of the image, 0 when there is none.
pub(crate) fn image_word(e: &mut Emitter, present: ir::Value, w: u64) -> ir::Value {
    let zero = e.iconst(I64, 0);
    e.value_if(present, I64, |e| e.load_abs(I64, header_addr(w)), zero)
}

/// Where stdin's bytes are: (absolute start, length). Without an image the whole input is
/// stdin (its length clamped to what the region can hold).
pub(crate) fn stdin_region(e: &mut Emitter) -> (ir::Value, ir::Value) {
    let present = image_present(e);
    let len = e.load_abs(I64, zisk_map::INPUT_LEN_ADDR);
    let max = e.iconst(I64, zisk_map::MAX_INPUT_DATA);
    let raw_len = e.b.ins().umin(len, max);
    let stdin_len = e.value_if(
        present,
        I64,
        |e| e.load_abs(I64, header_addr(image::W_STDIN_LEN)),
        raw_len,
    );
    let off = image_word(e, present, image::W_STDIN_OFF);
    let start = e.b.ins().iadd_imm_s(off, zisk_map::INPUT_DATA_ADDR as i64);
    (start, stdin_len)
}

/// Checks every iovec `{u32 buf, u32 len}` of the array at guest `iovs` lies in memory.
pub(super) fn require_iovecs(e: &mut Emitter, iovs: ir::Value, count: ir::Value) {
    let bytes = e.b.ins().imul_imm_s(count, 8);
    e.require_guest_range(iovs, bytes, ERRNO_FAULT);
    let base = e.guest_addr(iovs);
    e.for_range(count, |e, j| {
        let at = e.b.ins().imul_imm_s(j, 8);
        let at = e.b.ins().iadd(base, at);
        let buf = e.load_at(I32, at, 0);
        let len =
            e.b.ins()
                .uload32(ir::MemFlagsData::new().with_notrap(), at, 4);
        e.require_guest_range(buf, len, ERRNO_FAULT);
    });
}

/// Loads iovec `j` of the array at absolute `base`: (absolute buffer address, length).
fn iovec(e: &mut Emitter, base: ir::Value, j: ir::Value) -> (ir::Value, ir::Value) {
    let at = e.b.ins().imul_imm_s(j, 8);
    let at = e.b.ins().iadd(base, at);
    let buf = e.load_at(I32, at, 0);
    let buf = e.guest_addr(buf);
    let len =
        e.b.ins()
            .uload32(ir::MemFlagsData::new().with_notrap(), at, 4);
    (buf, len)
}

/// Copies bytes `[pos, size)` of the absolute range at `data` into the (checked) iovecs at
/// guest `iovs`, advancing `pos`; returns how many bytes moved. Each buffer takes what is
/// left, up to its length, in one copy (a DMA copy on the zisk backend); a buffer left short
/// ends the read, and a position at or past the end reads nothing.
pub(super) fn read_into_iovecs(
    e: &mut Emitter,
    iovs: ir::Value,
    count: ir::Value,
    data: ir::Value,
    size: ir::Value,
    pos: Variable,
) -> ir::Value {
    let start = e.b.use_var(pos);
    let base = e.guest_addr(iovs);
    e.while_loop(count, |e, j, eof| {
        let (buf, len) = iovec(e, base, j);
        let p = e.b.use_var(pos);
        let p = e.b.ins().umin(p, size);
        let left = e.b.ins().isub(size, p);
        let n = e.b.ins().umin(len, left);
        let from = e.b.ins().iadd(data, p);
        crate::call_memmove(e, buf, from, n);
        let p = e.b.ins().iadd(p, n);
        e.b.def_var(pos, p);
        let short = e.b.ins().icmp(IntCC::UnsignedLessThan, n, len);
        e.jump_if(short, eof);
    });
    let end = e.b.use_var(pos);
    let start = e.b.ins().umin(start, end);
    e.b.ins().isub(end, start)
}

/// Reads stdin (fd 0) into the iovecs; its cursor is a runtime-state word.
pub(super) fn read_stdin(e: &mut Emitter, iovs: ir::Value, count: ir::Value, nread: ir::Value) {
    let (data, size) = stdin_region(e);
    let cursor_addr = e.env.state_addr + STDIN_CURSOR;
    let cursor = e.load_abs(I64, cursor_addr);
    let cursor = e.var(I64, cursor);
    let n = read_into_iovecs(e, iovs, count, data, size, cursor);
    let end = e.b.use_var(cursor);
    e.store_abs(end, cursor_addr);
    let n = e.b.ins().ireduce(I32, n);
    let a = e.guest_addr(nread);
    e.store_at(n, a, 0);
    e.return_errno(ERRNO_SUCCESS);
}

/// `fd_write` on stdout or stderr (the caller has checked the fd, the iovecs and `nwritten`):
/// every byte to the console on its stream, the first `PUBLIC_OUTPUT_BYTES` of both mirrored
/// into the public output.
pub(super) fn write_stream(
    e: &mut Emitter,
    fd: ir::Value,
    iovs: ir::Value,
    count: ir::Value,
    nwritten: ir::Value,
) {
    let stream = e.b.ins().uextend(I64, fd);
    switch_stream(e, stream);
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
            let byte = e.load_at(types::I8, at, 0);
            // The console protocol sends an ESCAPE byte twice.
            let escape = e.b.ins().icmp_imm_u(IntCC::Equal, byte, ESCAPE as i64);
            e.when(escape, |e| e.store_abs(byte, zisk_map::UART_ADDR));
            // One UART store per loop iteration: nothing merges them.
            e.store_abs(byte, zisk_map::UART_ADDR);
            let p = e.b.use_var(published);
            let room =
                e.b.ins()
                    .icmp_imm_s(IntCC::UnsignedLessThan, p, PUBLIC_OUTPUT_BYTES as i64);
            e.when(room, |e| {
                let p = e.b.use_var(published);
                let out = e.b.ins().iadd_imm_s(p, zisk_map::OUTPUT_ADDR as i64);
                e.b.ins().store(ir::MemFlagsData::trusted(), byte, out, 0);
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
    e.store_at(t, a, 0);
    e.return_errno(ERRNO_SUCCESS);
}

/// Which strings: the arguments or the environment.
#[derive(Clone, Copy)]
pub(super) enum Strings {
    Args,
    Env,
}

impl Strings {
    /// Header words: (count, buffer length, offset table, buffer).
    fn words(self) -> [u64; 4] {
        match self {
            Strings::Args => [
                image::W_ARGC,
                image::W_ARGS_BUF_LEN,
                image::W_ARGS_TABLE,
                image::W_ARGS_BUF,
            ],
            Strings::Env => [
                image::W_ENVC,
                image::W_ENV_BUF_LEN,
                image::W_ENV_TABLE,
                image::W_ENV_BUF,
            ],
        }
    }
}

/// `args_sizes_get(argc*, buf_size*)` / `environ_sizes_get`.
pub(super) fn sizes_get(e: &mut Emitter, which: Strings) {
    let [count_w, len_w, _, _] = which.words();
    let (p0, p1) = (e.param(0), e.param(1));
    let four = e.iconst(I64, 4);
    e.require_guest_range(p0, four, ERRNO_FAULT);
    e.require_guest_range(p1, four, ERRNO_FAULT);
    let present = image_present(e);
    let count = image_word(e, present, count_w);
    let len = image_word(e, present, len_w);
    for (p, v) in [(p0, count), (p1, len)] {
        let a = e.guest_addr(p);
        let v = e.b.ins().ireduce(I32, v);
        e.store_at(v, a, 0);
    }
    e.return_errno(ERRNO_SUCCESS);
}

/// `args_get(argv*, argv_buf*)` / `environ_get`: the strings into the buffer, a pointer to
/// each into the array.
pub(super) fn strings_get(e: &mut Emitter, which: Strings) {
    let [count_w, len_w, table_w, buf_w] = which.words();
    let (array, buffer) = (e.param(0), e.param(1));
    let present = image_present(e);
    let count = image_word(e, present, count_w);
    let len = image_word(e, present, len_w);
    let array_bytes = e.b.ins().imul_imm_s(count, 4);
    e.require_guest_range(array, array_bytes, ERRNO_FAULT);
    e.require_guest_range(buffer, len, ERRNO_FAULT);
    let none = e.b.ins().icmp_imm_u(IntCC::Equal, count, 0);
    e.when(none, |e| e.return_errno(ERRNO_SUCCESS));
    let table = e.load_abs(I64, header_addr(table_w));
    let table =
        e.b.ins()
            .iadd_imm_s(table, zisk_map::INPUT_DATA_ADDR as i64);
    let from = e.load_abs(I64, header_addr(buf_w));
    let from = e.b.ins().iadd_imm_s(from, zisk_map::INPUT_DATA_ADDR as i64);
    let to = e.guest_addr(buffer);
    crate::call_memmove(e, to, from, len);
    let array = e.guest_addr(array);
    e.for_range(count, |e, i| {
        let at = e.b.ins().ishl_imm_u(i, 3);
        let at = e.b.ins().iadd(table, at);
        let offset = e.load_at(I32, at, 0);
        let pointer = e.b.ins().iadd(buffer, offset);
        let slot = e.b.ins().ishl_imm_u(i, 2);
        let slot = e.b.ins().iadd(array, slot);
        e.store_at(pointer, slot, 0);
    });
    e.return_errno(ERRNO_SUCCESS);
}
