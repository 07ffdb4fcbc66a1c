;; expect: ok
(module
  ;; i32 sums of an index a bounds check passed (below the memory size) and constants up
  ;; to 2^30 either way, or narrow loads, cannot wrap: they are made as 64-bit adds, and
  ;; each must still be the exact i32, sign-extended (the i64 extension sees all 64 bits).
  ;; The sums that can wrap, or whose index no check dominates, must wrap.
  (memory 1)
  (data (i32.const 0) "\f0\ff\ff\7f\08\00\10\00")
  (func $id (param i32) (result i32) (local.get 0))
  (func $is (param i32 i64)
    (if (i64.ne (i64.extend_i32_s (local.get 0)) (local.get 1)) (then unreachable)))
  (func (export "_start") (local $i i32) (local $j i32) (local $n i32)
    (local.set $i (call $id (i32.const 100)))
    (drop (i32.load8_u (local.get $i)))
    (call $is (i32.add (local.get $i) (i32.const 0x40000000)) (i64.const 0x40000064))
    (call $is (i32.add (local.get $i) (i32.const -0x40000000)) (i64.const -0x3fffff9c))
    (call $is (i32.add (local.get $i) (i32.const -200)) (i64.const -100))
    ;; a sign-extended byte (0xf0 = -16) and a 16-bit field (0x0010) shifted by 3
    (call $is (i32.add (i32.add (local.get $i) (i32.load8_s (i32.const 0))) (i32.const -0x40000000))
      (i64.const -0x3fffffac))
    (call $is (i32.add (local.get $i) (i32.shl (i32.load16_u (i32.const 6)) (i32.const 3)))
      (i64.const 228))
    ;; two checked indices
    (local.set $j (call $id (i32.const 0xfff0)))
    (drop (i32.load8_u (local.get $j)))
    (call $is (i32.add (local.get $i) (local.get $j)) (i64.const 0x10054))
    ;; too large a constant: the sum wraps
    (call $is (i32.add (local.get $i) (i32.const 0x7fffffff)) (i64.const -0x7fffff9d))
    ;; a shift that overflows (0x7ffffff0 << 3)
    (call $is (i32.add (local.get $i) (i32.shl (i32.load (i32.const 0)) (i32.const 3)))
      (i64.const -28))
    ;; an index checked only on a path not taken: its sum wraps
    (local.set $j (call $id (i32.const 0x7fffffff)))
    (if (call $id (i32.const 0)) (then (drop (i32.load8_u (local.get $j)))))
    (call $is (i32.add (local.get $j) (i32.const 1)) (i64.const -0x80000000))
    ;; a loop counter checked each iteration, summed after the check
    (local.set $n (i32.const 0))
    (loop $l
      (local.set $n (i32.add (local.get $n) (i32.load8_u (local.get $i))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 200))))
    (call $is (local.get $i) (i64.const 200))
    (call $is (local.get $n) (i64.const 0))))
