//! Read-only files: the pre-opened directories of the WASI image (`image.rs`), the guest's
//! file descriptors, path resolution, and the functions that read them.
//!
//! File descriptors 0..2 are the standard streams. Descriptor `3 + i` is pre-opened
//! directory `i` until closed; `path_open` hands out the lowest free descriptor above the
//! standard streams. The table lives in the runtime state, [`FD_SLOT_BYTES`] per descriptor:
//! the node (plus one; 0 = the start state, [`CLOSED`] = closed) and the read position.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{self, types, InstBuilder, Value};

use super::image::{self, FILETYPE_DIRECTORY};
use super::streams::{image_present, image_word, read_into_iovecs, require_iovecs};
use super::*;
use crate::emit::Emitter;
use crate::zisk_map;

/// Where the descriptor table starts in the runtime state.
pub(super) const FD_TABLE: u64 = 128;
pub(super) const FD_SLOT_BYTES: u64 = 16;
/// Descriptors 0..MAX_FDS exist.
pub(super) const MAX_FDS: u64 = 64;
/// 24 bytes of scratch for a directory entry being written.
pub(super) const DIRENT_SCRATCH: u64 = FD_TABLE + MAX_FDS * FD_SLOT_BYTES;
/// The runtime state this module needs, from offset 0.
pub(super) const STATE_BYTES: u64 = DIRENT_SCRATCH + 24;

const CLOSED: u64 = u64::MAX;
const NO_NODE: u64 = u64::MAX;

const OFLAGS_CREAT: i64 = 1;
const OFLAGS_DIRECTORY: i64 = 2;
const OFLAGS_EXCL: i64 = 4;
const OFLAGS_TRUNC: i64 = 8;
/// The right only a writer asks for: fd_write (wasi-libc, Rust std and Go leave it out of a
/// read-only open; Go's read-only rights still hold fd_filestat_set_size, so that one
/// cannot tell).
const WRITE_RIGHTS: i64 = 1 << 6;
/// What a descriptor of ours allows: every right but writing and creating.
const READ_RIGHTS: i64 = (1 << 1)
    | (1 << 2)
    | (1 << 3)
    | (1 << 5)
    | (1 << 7)
    | (1 << 13)
    | (1 << 14)
    | (1 << 15)
    | (1 << 18)
    | (1 << 21)
    | (1 << 27);

/// The image's node table, read once per function.
pub(super) struct Nodes {
    /// Absolute address of node 0.
    table: Value,
    pub preopens: Value,
    pub count: Value,
}

impl Nodes {
    pub fn load(e: &mut Emitter) -> Nodes {
        let present = image_present(e);
        let preopens = image_word(e, present, image::W_PREOPENS);
        let count = image_word(e, present, image::W_NODES);
        let table = image_word(e, present, image::W_NODE_TABLE);
        let table =
            e.b.ins()
                .iadd_imm_s(table, zisk_map::INPUT_DATA_ADDR as i64);
        Nodes {
            table,
            preopens,
            count,
        }
    }

    /// Field `f` (an `image::N_*`) of `node`.
    pub fn field(&self, e: &mut Emitter, node: Value, f: u64) -> Value {
        let at = e.b.ins().imul_imm_u(node, (image::NODE_WORDS * 8) as i64);
        let at = e.b.ins().iadd(self.table, at);
        e.load_at(I64, at, (f * 8) as i32)
    }

    /// An image offset field as an absolute address.
    pub fn addr_field(&self, e: &mut Emitter, node: Value, f: u64) -> Value {
        let off = self.field(e, node, f);
        e.b.ins().iadd_imm_s(off, zisk_map::INPUT_DATA_ADDR as i64)
    }

    pub fn is_dir(&self, e: &mut Emitter, node: Value) -> Value {
        let t = self.field(e, node, image::N_FILETYPE);
        e.b.ins()
            .icmp_imm_u(IntCC::Equal, t, FILETYPE_DIRECTORY as i64)
    }

    /// Returns `errno` unless `node` is a directory.
    pub fn require_dir(&self, e: &mut Emitter, node: Value, errno: u64) {
        let dir = self.is_dir(e, node);
        let not = e.b.ins().icmp_imm_u(IntCC::Equal, dir, 0);
        e.return_errno_if(not, errno);
    }
}

/// Absolute address of descriptor `fd`'s slot (an i64 below MAX_FDS).
fn fd_slot(e: &mut Emitter, fd: Value) -> Value {
    let at = e.b.ins().imul_imm_u(fd, FD_SLOT_BYTES as i64);
    e.b.ins()
        .iadd_imm_s(at, (e.env.state_addr + FD_TABLE) as i64)
}

/// Whether `fd` (i32) is a standard stream.
pub(super) fn is_stdio(e: &mut Emitter, fd: Value) -> Value {
    e.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, fd, 3)
}

/// The node open as descriptor `fd` (i32, not a standard stream); returns EBADF from the
/// function when there is none. Also returns the descriptor's slot.
pub(super) fn node_of_fd(e: &mut Emitter, nodes: &Nodes, fd: Value) -> (Value, Value) {
    let fd = e.b.ins().uextend(I64, fd);
    let outside =
        e.b.ins()
            .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, fd, MAX_FDS as i64);
    let low = e.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, fd, 3);
    let bad = e.b.ins().bor(outside, low);
    e.return_errno_if(bad, ERRNO_BADF);
    let slot = fd_slot(e, fd);
    let word = e.load_at(I64, slot, 0);
    let preopen = e.b.ins().iadd_imm_s(fd, -3);
    let start_state = e.b.ins().icmp_imm_u(IntCC::Equal, word, 0);
    let is_preopen =
        e.b.ins()
            .icmp(IntCC::UnsignedLessThan, preopen, nodes.preopens);
    let not_preopen = e.b.ins().icmp_imm_u(IntCC::Equal, is_preopen, 0);
    let unopened = e.b.ins().band(start_state, not_preopen);
    let closed = e.b.ins().icmp_imm_u(IntCC::Equal, word, CLOSED as i64);
    let bad = e.b.ins().bor(unopened, closed);
    e.return_errno_if(bad, ERRNO_BADF);
    let opened = e.b.ins().iadd_imm_s(word, -1);
    let node = e.b.ins().select(start_state, preopen, opened);
    (node, slot)
}

/// Reads byte `i` of the absolute range at `base`.
fn byte_at(e: &mut Emitter, base: Value, i: Value) -> Value {
    let at = e.b.ins().iadd(base, i);
    e.b.ins()
        .uload8(I64, ir::MemFlagsData::new().with_notrap(), at, 0)
}

/// Whether the `len` bytes at absolute `a` and `b` are equal (an i64 0 or 1).
fn bytes_equal(e: &mut Emitter, a: Value, b: Value, len: Value) -> Value {
    let one = e.iconst(I64, 1);
    let equal = e.var(I64, one);
    e.while_loop(len, |e, k, exit| {
        let x = byte_at(e, a, k);
        let y = byte_at(e, b, k);
        let differ = e.b.ins().icmp(IntCC::NotEqual, x, y);
        let zero = e.iconst(I64, 0);
        let eq = e.b.use_var(equal);
        let eq = e.b.ins().select(differ, zero, eq);
        e.b.def_var(equal, eq);
        e.jump_if(differ, exit);
    });
    e.b.use_var(equal)
}

/// Resolves the guest path `[path, path + len)` (checked) from directory node `dir`:
/// components `.` and empty ones are skipped, `..` goes up but never above the pre-opened
/// directory (ENOTCAPABLE), a name is looked up among the directory's children (ENOENT
/// when absent, ENOTDIR when the walk is at a file). Returns the node; errors return from
/// the function.
pub(super) fn resolve(
    e: &mut Emitter,
    nodes: &Nodes,
    dir: Value,
    path: Value,
    len: Value,
) -> Value {
    let len = e.b.ins().uextend(I64, len);
    e.require_guest_range(path, len, ERRNO_FAULT);
    let base = e.guest_addr(path);
    let zero = e.iconst(I64, 0);
    let nonempty = e.b.ins().icmp_imm_u(IntCC::NotEqual, len, 0);
    let first = e.value_if(nonempty, I64, |e| byte_at(e, base, zero), zero);
    let absolute = e.b.ins().icmp_imm_u(IntCC::Equal, first, b'/' as i64);
    e.return_errno_if(absolute, ERRNO_NOTCAPABLE);

    let current = e.var(I64, dir);
    let i = e.var(I64, zero);
    e.forever(|e, done| {
        let start = e.b.use_var(i);
        let finished =
            e.b.ins()
                .icmp(IntCC::UnsignedGreaterThanOrEqual, start, len);
        e.jump_if(finished, done);
        // The component is [start, j).
        let j = e.var(I64, start);
        e.forever(|e, found_end| {
            let at = e.b.use_var(j);
            let end = e.b.ins().icmp(IntCC::UnsignedGreaterThanOrEqual, at, len);
            e.jump_if(end, found_end);
            let c = byte_at(e, base, at);
            let slash = e.b.ins().icmp_imm_u(IntCC::Equal, c, b'/' as i64);
            e.jump_if(slash, found_end);
            let next = e.b.ins().iadd_imm_s(at, 1);
            e.b.def_var(j, next);
        });
        let end = e.b.use_var(j);
        let next = e.b.ins().iadd_imm_s(end, 1);
        e.b.def_var(i, next);
        let clen = e.b.ins().isub(end, start);
        let name = e.b.ins().iadd(base, start);
        let zero = e.iconst(I64, 0);
        let one = e.iconst(I64, 1);
        let has0 = nonempty_at(e, clen, 1);
        let c0 = e.value_if(has0, I64, |e| byte_at(e, name, zero), zero);
        let has1 = nonempty_at(e, clen, 2);
        let c1 = e.value_if(has1, I64, |e| byte_at(e, name, one), zero);
        let dot0 = e.b.ins().icmp_imm_u(IntCC::Equal, c0, b'.' as i64);
        let dot1 = e.b.ins().icmp_imm_u(IntCC::Equal, c1, b'.' as i64);
        let len0 = e.b.ins().icmp_imm_u(IntCC::Equal, clen, 0);
        let len1 = e.b.ins().icmp_imm_u(IntCC::Equal, clen, 1);
        let len2 = e.b.ins().icmp_imm_u(IntCC::Equal, clen, 2);
        let dot = e.b.ins().band(len1, dot0);
        let skip = e.b.ins().bor(len0, dot);
        let dots = e.b.ins().band(dot0, dot1);
        let up = e.b.ins().band(len2, dots);
        let cur = e.b.use_var(current);
        // Every step needs the walk to be at a directory.
        let at_dir = nodes.is_dir(e, cur);
        let at_file = e.b.ins().icmp_imm_u(IntCC::Equal, at_dir, 0);
        let descend = e.b.ins().icmp_imm_u(IntCC::Equal, skip, 0);
        let bad = e.b.ins().band(at_file, descend);
        e.return_errno_if(bad, ERRNO_NOTDIR);
        let next_component = e.b.create_block();
        e.jump_if(skip, next_component);
        e.when(up, |e| {
            let parent = nodes.field(e, cur, image::N_PARENT);
            let root = e.b.ins().icmp(IntCC::Equal, parent, cur);
            e.return_errno_if(root, ERRNO_NOTCAPABLE);
            e.b.def_var(current, parent);
            e.b.ins().jump(next_component, &[]);
        });
        // A name: the first child of `cur` with it.
        let none = e.iconst(I64, NO_NODE);
        let found = e.var(I64, none);
        let children = e.b.ins().isub(nodes.count, nodes.preopens);
        e.while_loop(children, |e, k, exit| {
            let n = e.b.ins().iadd(k, nodes.preopens);
            let parent = nodes.field(e, n, image::N_PARENT);
            let child = e.b.ins().icmp(IntCC::Equal, parent, cur);
            let name_len = nodes.field(e, n, image::N_NAME_LEN);
            let same_len = e.b.ins().icmp(IntCC::Equal, name_len, clen);
            let candidate = e.b.ins().band(child, same_len);
            e.when(candidate, |e| {
                let other = nodes.addr_field(e, n, image::N_NAME_OFF);
                let equal = bytes_equal(e, other, name, clen);
                let equal = e.b.ins().icmp_imm_u(IntCC::NotEqual, equal, 0);
                e.when(equal, |e| {
                    e.b.def_var(found, n);
                    e.b.ins().jump(exit, &[]);
                });
            });
        });
        let n = e.b.use_var(found);
        let missing = e.b.ins().icmp_imm_u(IntCC::Equal, n, NO_NODE as i64);
        e.return_errno_if(missing, ERRNO_NOENT);
        e.b.def_var(current, n);
        e.b.ins().jump(next_component, &[]);
        e.b.switch_to_block(next_component);
    });
    e.b.use_var(current)
}

/// `len >= n` as a truth value.
fn nonempty_at(e: &mut Emitter, len: Value, n: i64) -> Value {
    e.b.ins()
        .icmp_imm_u(IntCC::UnsignedGreaterThanOrEqual, len, n)
}

/// `path_open(dirfd, dirflags, path, path_len, oflags, rights_base, rights_inheriting,
/// fdflags, fd*)`: read-only; a request to create, truncate or write gets EROFS.
pub(super) fn path_open(e: &mut Emitter) {
    let (dirfd, path, path_len, oflags) = (e.param(0), e.param(2), e.param(3), e.param(4));
    let (rights, fd_out) = (e.param(5), e.param(8));
    let four = e.iconst(I64, 4);
    e.require_guest_range(fd_out, four, ERRNO_FAULT);
    let nodes = Nodes::load(e);
    let (dir, _) = node_of_fd(e, &nodes, dirfd);
    nodes.require_dir(e, dir, ERRNO_NOTDIR);
    let create =
        e.b.ins()
            .band_imm_u(oflags, OFLAGS_CREAT | OFLAGS_EXCL | OFLAGS_TRUNC);
    let create = e.b.ins().icmp_imm_u(IntCC::NotEqual, create, 0);
    let write = e.b.ins().band_imm_u(rights, WRITE_RIGHTS);
    let write = e.b.ins().icmp_imm_u(IntCC::NotEqual, write, 0);
    let refused = e.b.ins().bor(create, write);
    e.return_errno_if(refused, ERRNO_ROFS);
    let node = resolve(e, &nodes, dir, path, path_len);
    let want_dir = e.b.ins().band_imm_u(oflags, OFLAGS_DIRECTORY);
    let want_dir = e.b.ins().icmp_imm_u(IntCC::NotEqual, want_dir, 0);
    let is_dir = nodes.is_dir(e, node);
    let not_dir = e.b.ins().icmp_imm_u(IntCC::Equal, is_dir, 0);
    let wrong = e.b.ins().band(want_dir, not_dir);
    e.return_errno_if(wrong, ERRNO_NOTDIR);

    // The lowest free descriptor: closed, or never a pre-opened one.
    let none = e.iconst(I64, MAX_FDS);
    let free = e.var(I64, none);
    let candidates = e.iconst(I64, MAX_FDS - 3);
    e.while_loop(candidates, |e, k, exit| {
        let fd = e.b.ins().iadd_imm_s(k, 3);
        let slot = fd_slot(e, fd);
        let word = e.load_at(I64, slot, 0);
        let closed = e.b.ins().icmp_imm_u(IntCC::Equal, word, CLOSED as i64);
        let start_state = e.b.ins().icmp_imm_u(IntCC::Equal, word, 0);
        let beyond =
            e.b.ins()
                .icmp(IntCC::UnsignedGreaterThanOrEqual, k, nodes.preopens);
        let never = e.b.ins().band(start_state, beyond);
        let is_free = e.b.ins().bor(closed, never);
        e.when(is_free, |e| {
            e.b.def_var(free, fd);
            e.b.ins().jump(exit, &[]);
        });
    });
    let fd = e.b.use_var(free);
    let full = e.b.ins().icmp_imm_u(IntCC::Equal, fd, MAX_FDS as i64);
    e.return_errno_if(full, ERRNO_MFILE);
    let slot = fd_slot(e, fd);
    let word = e.b.ins().iadd_imm_s(node, 1);
    e.store_at(word, slot, 0);
    let zero = e.iconst(I64, 0);
    e.store_at(zero, slot, 8);
    let fd = e.b.ins().ireduce(I32, fd);
    let a = e.guest_addr(fd_out);
    e.store_at(fd, a, 0);
    e.return_errno(ERRNO_SUCCESS);
}

/// `fd_read` (with `offset: None`) or `fd_pread` on a descriptor that is not a standard
/// stream; the caller has checked the iovecs and `nread`.
pub(super) fn read_file(
    e: &mut Emitter,
    fd: Value,
    iovs: Value,
    count: Value,
    offset: Option<Value>,
    nread: Value,
) {
    let nodes = Nodes::load(e);
    let (node, slot) = node_of_fd(e, &nodes, fd);
    let dir = nodes.is_dir(e, node);
    e.return_errno_if(dir, ERRNO_ISDIR);
    let data = nodes.addr_field(e, node, image::N_DATA_OFF);
    let size = nodes.field(e, node, image::N_SIZE);
    let start = match offset {
        Some(offset) => offset,
        None => e.load_at(I64, slot, 8),
    };
    let pos = e.var(I64, start);
    let n = read_into_iovecs(e, iovs, count, data, size, pos);
    if offset.is_none() {
        let end = e.b.use_var(pos);
        e.store_at(end, slot, 8);
    }
    let n = e.b.ins().ireduce(I32, n);
    let a = e.guest_addr(nread);
    e.store_at(n, a, 0);
    e.return_errno(ERRNO_SUCCESS);
}

/// `fd_pread(fd, iovs, iovs_len, offset, nread*)`.
pub(super) fn fd_pread(e: &mut Emitter) {
    let (fd, iovs, count, offset, nread) =
        (e.param(0), e.param(1), e.param(2), e.param(3), e.param(4));
    let stdio = is_stdio(e, fd);
    e.return_errno_if(stdio, ERRNO_SPIPE);
    let count = e.b.ins().uextend(I64, count);
    let four = e.iconst(I64, 4);
    e.require_guest_range(nread, four, ERRNO_FAULT);
    require_iovecs(e, iovs, count);
    read_file(e, fd, iovs, count, Some(offset), nread);
}

/// Writes a 64-byte filestat for `node` at guest `ptr` (checked).
fn write_filestat(e: &mut Emitter, nodes: &Nodes, node: Value, ptr: Value) {
    let a = e.guest_addr(ptr);
    let zero = e.iconst(I64, 0);
    let one = e.iconst(I64, 1);
    let ino = e.b.ins().iadd_imm_s(node, 1);
    let filetype = nodes.field(e, node, image::N_FILETYPE);
    let size = nodes.field(e, node, image::N_SIZE);
    // dev, ino, filetype, nlink, size, atim, mtim, ctim.
    for (i, v) in [zero, ino, filetype, one, size, zero, zero, zero]
        .into_iter()
        .enumerate()
    {
        e.store_at(v, a, 8 * i as i32);
    }
}

/// The filestat and fdstat of a standard stream: a character device.
fn write_stdio_stat(e: &mut Emitter, ptr: Value, words: usize, filetype_at: i32) {
    let a = e.guest_addr(ptr);
    let zero = e.iconst(I64, 0);
    for i in 0..words {
        e.store_at(zero, a, 8 * i as i32);
    }
    let chardev = e.iconst(types::I8, image::FILETYPE_CHARACTER_DEVICE);
    e.store_at(chardev, a, filetype_at);
}

/// `fd_filestat_get(fd, filestat*)`.
pub(super) fn fd_filestat_get(e: &mut Emitter) {
    let (fd, ptr) = (e.param(0), e.param(1));
    let len = e.iconst(I64, 64);
    e.require_guest_range(ptr, len, ERRNO_FAULT);
    let stdio = is_stdio(e, fd);
    e.when(stdio, |e| {
        write_stdio_stat(e, ptr, 8, 16);
        e.return_errno(ERRNO_SUCCESS);
    });
    let nodes = Nodes::load(e);
    let (node, _) = node_of_fd(e, &nodes, fd);
    write_filestat(e, &nodes, node, ptr);
    e.return_errno(ERRNO_SUCCESS);
}

/// `path_filestat_get(fd, lookupflags, path, path_len, filestat*)`.
pub(super) fn path_filestat_get(e: &mut Emitter) {
    let (fd, path, path_len, ptr) = (e.param(0), e.param(2), e.param(3), e.param(4));
    let len = e.iconst(I64, 64);
    e.require_guest_range(ptr, len, ERRNO_FAULT);
    let nodes = Nodes::load(e);
    let (dir, _) = node_of_fd(e, &nodes, fd);
    nodes.require_dir(e, dir, ERRNO_NOTDIR);
    let node = resolve(e, &nodes, dir, path, path_len);
    write_filestat(e, &nodes, node, ptr);
    e.return_errno(ERRNO_SUCCESS);
}

/// `fd_fdstat_get(fd, fdstat*)`: the standard streams are character devices with no rights
/// (enough for Rust's std to accept writes); a file or directory is read-only.
pub(super) fn fd_fdstat_get(e: &mut Emitter) {
    let (fd, ptr) = (e.param(0), e.param(1));
    let len = e.iconst(I64, 24);
    e.require_guest_range(ptr, len, ERRNO_FAULT);
    let stdio = is_stdio(e, fd);
    e.when(stdio, |e| {
        write_stdio_stat(e, ptr, 3, 0);
        e.return_errno(ERRNO_SUCCESS);
    });
    let nodes = Nodes::load(e);
    let (node, _) = node_of_fd(e, &nodes, fd);
    let filetype = nodes.field(e, node, image::N_FILETYPE);
    let rights = e.iconst(I64, READ_RIGHTS as u64);
    let a = e.guest_addr(ptr);
    for (i, v) in [filetype, rights, rights].into_iter().enumerate() {
        e.store_at(v, a, 8 * i as i32);
    }
    e.return_errno(ERRNO_SUCCESS);
}

/// `fd_fdstat_set_flags(fd, flags)`: accepted (and ignored) on any open descriptor.
pub(super) fn fd_fdstat_set_flags(e: &mut Emitter) {
    let fd = e.param(0);
    let stdio = is_stdio(e, fd);
    e.when(stdio, |e| e.return_errno(ERRNO_SUCCESS));
    let nodes = Nodes::load(e);
    node_of_fd(e, &nodes, fd);
    e.return_errno(ERRNO_SUCCESS);
}

/// The pre-opened directory open as `fd`, or EBADF.
fn preopen_of_fd(e: &mut Emitter, nodes: &Nodes, fd: Value) -> Value {
    let stdio = is_stdio(e, fd);
    e.return_errno_if(stdio, ERRNO_BADF);
    let (node, _) = node_of_fd(e, nodes, fd);
    let opened =
        e.b.ins()
            .icmp(IntCC::UnsignedGreaterThanOrEqual, node, nodes.preopens);
    e.return_errno_if(opened, ERRNO_BADF);
    node
}

/// `fd_prestat_get(fd, prestat*)`: `{u8 tag = directory, u32 name length}`.
pub(super) fn fd_prestat_get(e: &mut Emitter) {
    let (fd, ptr) = (e.param(0), e.param(1));
    let nodes = Nodes::load(e);
    let node = preopen_of_fd(e, &nodes, fd);
    let eight = e.iconst(I64, 8);
    e.require_guest_range(ptr, eight, ERRNO_FAULT);
    let len = nodes.field(e, node, image::N_NAME_LEN);
    let word = e.b.ins().ishl_imm_u(len, 32);
    let a = e.guest_addr(ptr);
    e.store_at(word, a, 0);
    e.return_errno(ERRNO_SUCCESS);
}

/// `fd_prestat_dir_name(fd, path*, path_len)`.
pub(super) fn fd_prestat_dir_name(e: &mut Emitter) {
    let (fd, ptr, room) = (e.param(0), e.param(1), e.param(2));
    let nodes = Nodes::load(e);
    let node = preopen_of_fd(e, &nodes, fd);
    let len = nodes.field(e, node, image::N_NAME_LEN);
    let room = e.b.ins().uextend(I64, room);
    let short = e.b.ins().icmp(IntCC::UnsignedLessThan, room, len);
    e.return_errno_if(short, ERRNO_NAMETOOLONG);
    e.require_guest_range(ptr, len, ERRNO_FAULT);
    let name = nodes.addr_field(e, node, image::N_NAME_OFF);
    let to = e.guest_addr(ptr);
    crate::call_memmove(e, to, name, len);
    e.return_errno(ERRNO_SUCCESS);
}

/// `fd_readdir(fd, buf, buf_len, cookie, bufused*)`: the directory's entries in name order
/// (no `.` and `..`), entry `n` having cookie `n + 1`; the last one written may be cut off,
/// as the call's contract allows.
pub(super) fn fd_readdir(e: &mut Emitter) {
    let (fd, buf, buf_len, cookie, used_out) =
        (e.param(0), e.param(1), e.param(2), e.param(3), e.param(4));
    let stdio = is_stdio(e, fd);
    e.return_errno_if(stdio, ERRNO_NOTDIR);
    let nodes = Nodes::load(e);
    let (dir, _) = node_of_fd(e, &nodes, fd);
    nodes.require_dir(e, dir, ERRNO_NOTDIR);
    let buf_len = e.b.ins().uextend(I64, buf_len);
    e.require_guest_range(buf, buf_len, ERRNO_FAULT);
    let four = e.iconst(I64, 4);
    e.require_guest_range(used_out, four, ERRNO_FAULT);
    let buf = e.guest_addr(buf);
    let scratch = e.iconst(I64, e.env.state_addr + DIRENT_SCRATCH);
    let zero = e.iconst(I64, 0);
    let used = e.var(I64, zero);
    let entry = e.var(I64, zero);
    let children = e.b.ins().isub(nodes.count, nodes.preopens);
    e.while_loop(children, |e, k, exit| {
        let n = e.b.ins().iadd(k, nodes.preopens);
        let parent = nodes.field(e, n, image::N_PARENT);
        let child = e.b.ins().icmp(IntCC::Equal, parent, dir);
        e.when(child, |e| {
            let number = e.b.use_var(entry);
            let next = e.b.ins().iadd_imm_s(number, 1);
            e.b.def_var(entry, next);
            let wanted =
                e.b.ins()
                    .icmp(IntCC::UnsignedGreaterThanOrEqual, number, cookie);
            e.when(wanted, |e| {
                let u = e.b.use_var(used);
                let full = e.b.ins().icmp(IntCC::Equal, u, buf_len);
                e.jump_if(full, exit);
                // d_next, d_ino, d_namlen (u32) and d_type (u8).
                let ino = e.b.ins().iadd_imm_s(n, 1);
                let name_len = nodes.field(e, n, image::N_NAME_LEN);
                let filetype = nodes.field(e, n, image::N_FILETYPE);
                let t = e.b.ins().ishl_imm_u(filetype, 32);
                let third = e.b.ins().bor(name_len, t);
                for (i, v) in [next, ino, third].into_iter().enumerate() {
                    e.store_at(v, scratch, 8 * i as i32);
                }
                let name = nodes.addr_field(e, n, image::N_NAME_OFF);
                for (from, len) in [(scratch, None), (name, Some(name_len))] {
                    let u = e.b.use_var(used);
                    let room = e.b.ins().isub(buf_len, u);
                    let len = len.unwrap_or_else(|| e.iconst(I64, 24));
                    let m = e.b.ins().umin(len, room);
                    let to = e.b.ins().iadd(buf, u);
                    crate::call_memmove(e, to, from, m);
                    let u = e.b.ins().iadd(u, m);
                    e.b.def_var(used, u);
                }
            });
        });
    });
    let u = e.b.use_var(used);
    let u = e.b.ins().ireduce(I32, u);
    let a = e.guest_addr(used_out);
    e.store_at(u, a, 0);
    e.return_errno(ERRNO_SUCCESS);
}

/// `fd_seek(fd, offset, whence, newoffset*)`: the standard streams are pipes (ESPIPE).
pub(super) fn fd_seek(e: &mut Emitter) {
    let (fd, offset, whence, out) = (e.param(0), e.param(1), e.param(2), e.param(3));
    let stdio = is_stdio(e, fd);
    e.return_errno_if(stdio, ERRNO_SPIPE);
    let nodes = Nodes::load(e);
    let (node, slot) = node_of_fd(e, &nodes, fd);
    let dir = nodes.is_dir(e, node);
    e.return_errno_if(dir, ERRNO_ISDIR);
    let eight = e.iconst(I64, 8);
    e.require_guest_range(out, eight, ERRNO_FAULT);
    let bad_whence = e.b.ins().icmp_imm_u(IntCC::UnsignedGreaterThan, whence, 2);
    e.return_errno_if(bad_whence, ERRNO_INVAL);
    // whence: 0 from the start, 1 from the position, 2 from the end.
    let zero = e.iconst(I64, 0);
    let pos = e.load_at(I64, slot, 8);
    let size = nodes.field(e, node, image::N_SIZE);
    let from_cur = e.b.ins().icmp_imm_u(IntCC::Equal, whence, 1);
    let from_end = e.b.ins().icmp_imm_u(IntCC::Equal, whence, 2);
    let base = e.b.ins().select(from_cur, pos, zero);
    let base = e.b.ins().select(from_end, size, base);
    let new = e.b.ins().iadd(base, offset);
    let negative = e.b.ins().icmp_imm_s(IntCC::SignedLessThan, new, 0);
    e.return_errno_if(negative, ERRNO_INVAL);
    e.store_at(new, slot, 8);
    let a = e.guest_addr(out);
    e.store_at(new, a, 0);
    e.return_errno(ERRNO_SUCCESS);
}

/// `fd_tell(fd, offset*)`.
pub(super) fn fd_tell(e: &mut Emitter) {
    let (fd, out) = (e.param(0), e.param(1));
    let stdio = is_stdio(e, fd);
    e.return_errno_if(stdio, ERRNO_SPIPE);
    let nodes = Nodes::load(e);
    let (_, slot) = node_of_fd(e, &nodes, fd);
    let eight = e.iconst(I64, 8);
    e.require_guest_range(out, eight, ERRNO_FAULT);
    let pos = e.load_at(I64, slot, 8);
    let a = e.guest_addr(out);
    e.store_at(pos, a, 0);
    e.return_errno(ERRNO_SUCCESS);
}

/// `fd_close(fd)`: the standard streams stay open.
pub(super) fn fd_close(e: &mut Emitter) {
    let fd = e.param(0);
    let stdio = is_stdio(e, fd);
    e.when(stdio, |e| e.return_errno(ERRNO_SUCCESS));
    let nodes = Nodes::load(e);
    let (_, slot) = node_of_fd(e, &nodes, fd);
    let closed = e.iconst(I64, CLOSED);
    e.store_at(closed, slot, 0);
    e.return_errno(ERRNO_SUCCESS);
}
