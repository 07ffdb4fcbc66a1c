;; expect: ok
(module
  ;; The WASI functions besides fd_read/fd_write/proc_exit/random_get/clock_time_get: what
  ;; each returns and writes (crates/runtime/src/wasi/), bad descriptors and pointers too.
  (import "wasi_snapshot_preview1" "poll_oneoff" (func $poll_oneoff (param i32 i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "args_get" (func $args_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "environ_get" (func $environ_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_fdstat_get" (func $fd_fdstat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_filestat_get" (func $fd_filestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_get" (func $fd_prestat_get (param i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_prestat_dir_name" (func $fd_prestat_dir_name (param i32 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_seek" (func $fd_seek (param i32 i64 i32 i32) (result i32)))
  (import "wasi_snapshot_preview1" "fd_close" (func $fd_close (param i32) (result i32)))
  (import "wasi_snapshot_preview1" "sched_yield" (func $sched_yield (result i32)))
  (memory 1)
  ;; two subscriptions (48 bytes each): userdata, then the tag (0: clock; 7: unknown)
  (data (i32.const 1024) "\11\22\33\44\55\66\77\88\00")
  (data (i32.const 1072) "\01\02\03\04\05\06\07\08\07")
  (func $eq (param i32 i32) (if (i32.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func $eq64 (param i64 i64) (if (i64.ne (local.get 0) (local.get 1)) (then unreachable)))
  ;; The i64 words of [at, at + 8 * n) are all `v`.
  (func $all (param $at i32) (param $n i32) (param $v i64)
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (call $eq64 (i64.load (local.get $at)) (local.get $v))
      (local.set $at (i32.add (local.get $at) (i32.const 8)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next))))
  (func (export "_start")
    (local $ff i64)
    (local.set $ff (i64.const -1))
    (memory.fill (i32.const 2048) (i32.const 0xff) (i32.const 4096))

    ;; poll_oneoff: one event per subscription, its userdata, error (EINVAL for the unknown
    ;; tag) and type; the count of events.
    (call $eq (call $poll_oneoff (i32.const 1024) (i32.const 2048) (i32.const 2) (i32.const 3000)) (i32.const 0))
    (call $eq64 (i64.load (i32.const 2048)) (i64.const 0x8877665544332211))
    (call $all (i32.const 2056) (i32.const 3) (i64.const 0))
    (call $eq64 (i64.load (i32.const 2080)) (i64.const 0x0807060504030201))
    (call $eq64 (i64.load (i32.const 2088)) (i64.const 0x7001c))
    (call $all (i32.const 2096) (i32.const 2) (i64.const 0))
    (call $eq (i32.load (i32.const 3000)) (i32.const 2))
    (call $all (i32.const 2112) (i32.const 4) (local.get $ff))
    ;; events beyond memory: EFAULT (21)
    (call $eq (call $poll_oneoff (i32.const 1024) (i32.const 65500) (i32.const 2) (i32.const 3000)) (i32.const 21))

    ;; args_get, environ_get: nothing to write
    (call $eq (call $args_get (i32.const 3200) (i32.const 3300)) (i32.const 0))
    (call $eq (call $environ_get (i32.const 3200) (i32.const 3300)) (i32.const 0))
    (call $all (i32.const 3200) (i32.const 16) (local.get $ff))

    ;; fd_fdstat_get: a character device (2), no flags or rights; EBADF (8) beyond fd 2,
    ;; EFAULT for a pointer outside memory
    (call $eq (call $fd_fdstat_get (i32.const 1) (i32.const 3400)) (i32.const 0))
    (call $eq64 (i64.load (i32.const 3400)) (i64.const 2))
    (call $all (i32.const 3408) (i32.const 2) (i64.const 0))
    (call $eq64 (i64.load (i32.const 3424)) (local.get $ff))
    (call $eq (call $fd_fdstat_get (i32.const 3) (i32.const 3432)) (i32.const 8))
    (call $eq64 (i64.load (i32.const 3432)) (local.get $ff))
    (call $eq (call $fd_fdstat_get (i32.const 0) (i32.const 65520)) (i32.const 21))

    ;; fd_filestat_get: 64 bytes, all zero but the file type (2) at offset 16
    (call $eq (call $fd_filestat_get (i32.const 2) (i32.const 3600)) (i32.const 0))
    (call $all (i32.const 3600) (i32.const 2) (i64.const 0))
    (call $eq64 (i64.load (i32.const 3616)) (i64.const 2))
    (call $all (i32.const 3624) (i32.const 5) (i64.const 0))
    (call $eq64 (i64.load (i32.const 3664)) (local.get $ff))
    (call $eq (call $fd_filestat_get (i32.const 5) (i32.const 3600)) (i32.const 8))
    (call $eq (call $fd_filestat_get (i32.const 2) (i32.const 65500)) (i32.const 21))

    ;; no preopened directories: EBADF, nothing written
    (call $eq (call $fd_prestat_get (i32.const 3) (i32.const 3800)) (i32.const 8))
    (call $eq (call $fd_prestat_dir_name (i32.const 3) (i32.const 3800) (i32.const 16)) (i32.const 8))
    (call $all (i32.const 3800) (i32.const 3) (local.get $ff))

    ;; fd_seek: ESPIPE (70: WASI's number, not Linux's 29) on the standard streams, EBADF
    ;; beyond; nothing written
    (call $eq (call $fd_seek (i32.const 1) (i64.const 0) (i32.const 0) (i32.const 3900)) (i32.const 70))
    (call $eq (call $fd_seek (i32.const 9) (i64.const 0) (i32.const 0) (i32.const 3900)) (i32.const 8))
    (call $eq64 (i64.load (i32.const 3900)) (local.get $ff))

    ;; fd_close: the standard streams close, others are EBADF
    (call $eq (call $fd_close (i32.const 0)) (i32.const 0))
    (call $eq (call $fd_close (i32.const 3)) (i32.const 8))

    (call $eq (call $sched_yield) (i32.const 0))))
