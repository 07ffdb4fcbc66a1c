;; expect: trap out of bounds memory access
(module
  ;; A loop's invariant access with a computed limit, one byte past the end: it traps
  ;; (before the loop, which nothing in it could tell apart).
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $n i32)
    (local.set $x (call $i (i32.const 64537)))
    (local.set $n (i32.const 3))
    (loop $again
      (drop (i32.load offset=996 (local.get $x)))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $again (local.get $n)))))
