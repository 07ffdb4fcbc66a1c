;; expect: trap out of bounds memory access
(module
  ;; x's check (4 bytes at 65528) covers x + k for k + reach up to 4 only: x + 8, in the
  ;; next block, is past the end and still traps.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $s i32)
    (local.set $x (call $i (i32.const 65528)))
    (local.set $s (i32.load (local.get $x)))
    (if (i32.eqz (call $i (local.get $s)))
      (then (local.set $s (i32.load (i32.add (local.get $x) (i32.const 8))))))
    (if (i32.eq (local.get $s) (i32.const 12345)) (then unreachable))))
