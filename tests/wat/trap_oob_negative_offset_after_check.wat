;; expect: trap out of bounds memory access
(module
  ;; x + (-4) is no offset past x: at x = 0 it wraps to 2^32 - 4, and traps, though x
  ;; passed its check (8 bytes at 0) in the block before.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $s i32)
    (local.set $x (call $i (i32.const 0)))
    (local.set $s (i32.load offset=4 (local.get $x)))
    (if (i32.eqz (call $i (local.get $s)))
      (then (local.set $s (i32.load (i32.add (local.get $x) (i32.const -4))))))
    (if (i32.eq (local.get $s) (i32.const 12345)) (then unreachable))))
