;; expect: ok
(module
  ;; Checks dominated by a check of the same index for at least their reach are dropped:
  ;; the accesses still read and write what wasm says, across blocks and around a loop,
  ;; including after memory.grow (memory never shrinks).
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func $eq (param i32 i32) (if (i32.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func (export "_start") (local $x i32) (local $n i32) (local $s i32)
    (local.set $x (call $i (i32.const 65528)))
    (i64.store (local.get $x) (i64.const 0x0807060504030201))
    (if (call $i (i32.const 1))
      (then (call $eq (i32.load offset=4 (local.get $x)) (i32.const 0x08070605)))
      (else unreachable))
    (drop (memory.grow (i32.const 1)))
    (call $eq (i32.load8_u offset=7 (local.get $x)) (i32.const 8))
    (local.set $n (i32.const 3))
    (loop $l
      (local.set $s (i32.add (local.get $s) (i32.load16_u offset=2 (local.get $x))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $l (local.get $n)))
    (call $eq (local.get $s) (i32.mul (i32.const 3) (i32.const 0x0403)))
    ;; The grown page: a fresh index, checked on its own.
    (i32.store offset=65536 (local.get $x) (i32.const 9))
    (call $eq (i32.load offset=65536 (local.get $x)) (i32.const 9))))
