;; expect: trap out of bounds memory access
(module
  ;; A loop's invariant bounds check, moved before the loop, still traps.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $n i32)
    (local.set $x (call $i (i32.const 65528)))
    (local.set $n (i32.const 3))
    (loop $again
      (i32.store (local.get $x) (local.get $n))
      (drop (i32.load offset=100 (local.get $x)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $again (local.get $n)))))
