;; expect: ok
(module
  ;; A loaded i32 used both as a table index (on a path not taken, for one at or above 2^31)
  ;; and, sign-extended, in i64 arithmetic that is no table access: the arithmetic sees the
  ;; sign extension.
  (type $v (func (result i32)))
  (memory 1)
  (data (i32.const 0) "\01\00\00\00\fe\ff\ff\ff")
  (table 2 funcref)
  (elem (i32.const 0) $zero $one)
  (func $zero (type $v) (i32.const 0))
  (func $one (type $v) (i32.const 1))
  (func (export "_start") (local $x i32) (local $y i32)
    (local.set $x (i32.load (i32.const 0)))
    (if (i32.ne (call_indirect (type $v) (local.get $x)) (i32.const 1)) (then unreachable))
    (if (i64.ne (i64.shl (i64.extend_i32_s (local.get $x)) (i64.const 3)) (i64.const 8))
      (then unreachable))
    (local.set $y (i32.load (i32.const 4)))
    (if (i32.eqz (local.get $x))
      (then (drop (call_indirect (type $v) (local.get $y)))))
    (if (i64.ne (i64.shl (i64.extend_i32_s (local.get $y)) (i64.const 3)) (i64.const -16))
      (then unreachable))
    ;; An unsigned compare like a table check's, but with a bound above 2^31 and no trap:
    ;; zero and sign extension differ there.
    (call $is_one
      (i64.ge_u (i64.extend_i32_s (i32.load (i32.const 4))) (i64.const 0xffffffff00000000))))
  (func $is_one (param i32) (if (i32.ne (local.get 0) (i32.const 1)) (then unreachable))))
