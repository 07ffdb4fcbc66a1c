;; expect: ok
(module
  ;; i64.extend_i32_u of an i32 that its range shows non-negative (a byte-swapped 16-bit
  ;; field, a narrow load plus a checked index) needs no instruction; of one that may be
  ;; negative (the same field or-ed with the sign bit, a sum that wraps) it must clear the
  ;; high half, also as an address index.
  (memory 1)
  (data (i32.const 0) "\34\12\00\00\00\00\00\00\ff")
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $h i32) (local $i i32)
    (local.set $h (i32.load16_u (i32.const 0)))
    (if (i64.ne
          (i64.extend_i32_u (i32.or (i32.shl (local.get $h) (i32.const 8)) (i32.shr_u (local.get $h) (i32.const 8))))
          (i64.const 0x123412))
      (then unreachable))
    (if (i64.ne
          (i64.extend_i32_u (i32.or (local.get $h) (i32.const 0x80000000)))
          (i64.const 0x80001234))
      (then unreachable))
    (local.set $i (call $id (i32.const 8)))
    (drop (i32.load8_u (local.get $i)))
    (if (i64.ne (i64.extend_i32_u (i32.add (local.get $i) (i32.load8_u (local.get $i)))) (i64.const 263))
      (then unreachable))
    (if (i64.ne (i64.extend_i32_u (i32.add (local.get $i) (i32.const -16))) (i64.const 0xfffffff8))
      (then unreachable))
    ;; an address: zero-extended sum of a checked index and a byte
    (if (i32.ne (i32.load8_u (i32.add (local.get $i) (i32.load8_u (i32.const 2)))) (i32.const 0xff))
      (then unreachable))))
