;; expect: ok
(module
  ;; Addresses that are sums made as one 64-bit add or shNadd. -4 + (1 << 2) wraps to the
  ;; address 0, which must be read; the same sum used as a number too is the exact i32.
  ;; A shift that overflows, (0x20000001 << 3) + 16, wraps to the address 24; and
  ;; -2^31 + (-2^31 + 100), two operands of unknown range, wraps to the address 100.
  ;; 0x40000001 << 2 wraps to 4, which a check passes as an index: 0 + (that << 2) is the
  ;; address 4, not the 64-bit shift's 0x100000004.
  (memory 1)
  (data (i32.const 0) "\2a\00\00\00\01\00\00\00")
  (data (i32.const 24) "\18")
  (data (i32.const 100) "\64")
  (func $id (param i32) (result i32) (local.get 0))
  (func $is (param i32 i64)
    (if (i64.ne (i64.extend_i32_s (local.get 0)) (local.get 1)) (then unreachable)))
  (func (export "_start") (local $s i32) (local $y i32) (local $z i32)
    (call $is
      (i32.load (i32.add (call $id (i32.const -4)) (i32.shl (i32.load8_u (i32.const 4)) (i32.const 2))))
      (i64.const 42))
    (local.set $s (i32.add (call $id (i32.const 0x7ffffffc)) (i32.shl (i32.load8_u (i32.const 4)) (i32.const 2))))
    (call $is (local.get $s) (i64.const -0x80000000))
    (local.set $y (call $id (i32.const 0x20000001)))
    (call $is (local.get $y) (i64.const 0x20000001))
    (call $is (i32.load8_u (i32.add (i32.shl (local.get $y) (i32.const 3)) (i32.const 16))) (i64.const 24))
    (local.set $z (call $id (i32.const -0x7fffff9c)))
    (call $is (local.get $z) (i64.const -0x7fffff9c))
    (call $is (i32.load8_u (i32.add (call $id (i32.const -0x80000000)) (local.get $z))) (i64.const 100))
    (local.set $y (call $id (i32.const 0x40000001)))
    (call $is (local.get $y) (i64.const 0x40000001))
    (local.set $z (i32.shl (local.get $y) (i32.const 2)))
    (call $is (i32.load8_u (local.get $z)) (i64.const 1))
    (call $is (i32.load8_u (i32.add (call $id (i32.const 0)) (local.get $z))) (i64.const 1))))
