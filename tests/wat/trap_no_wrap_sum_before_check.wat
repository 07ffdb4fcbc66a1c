;; expect: trap out of bounds memory access
(module
  ;; 0x7fffffff + 1 wraps to -2^31; a check of the index comes only after the sum was
  ;; used, and traps: the sum must not count on it.
  (memory 1)
  (func $id (param i32) (result i32) (local.get 0))
  (func $is (param i32 i64)
    (if (i64.ne (i64.extend_i32_s (local.get 0)) (local.get 1)) (then unreachable)))
  (func (export "_start") (local $i i32)
    (local.set $i (call $id (i32.const 0x7fffffff)))
    (call $is (i32.add (local.get $i) (i32.const 1)) (i64.const -0x80000000))
    (drop (i32.load8_u (local.get $i)))))
