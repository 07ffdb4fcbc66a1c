;; expect: trap out of bounds memory access
(module
  ;; A check on one arm of an if does not cover an access after the if: the run takes the
  ;; other arm, and the access past the end traps.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $s i32)
    (local.set $x (call $i (i32.const 65534)))
    (if (call $i (i32.const 0))
      (then (local.set $s (i32.load (local.get $x))))
      (else (local.set $s (i32.const 1))))
    (local.set $s (i32.add (local.get $s) (i32.load (local.get $x))))
    (if (i32.eq (local.get $s) (i32.const 12345)) (then unreachable))))
