;; expect: trap integer divide by zero
(module
  ;; A loop's invariant bounds check stays behind a trap it cannot move: the division by
  ;; the loop's counter (zero on the first iteration) traps first.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $n i32)
    (local.set $x (call $i (i32.const 65528)))
    (loop $again
      (drop (i32.div_u (i32.const 1) (local.get $n)))
      (drop (i32.load offset=100 (local.get $x)))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $again (i32.lt_u (local.get $n) (i32.const 3))))))
