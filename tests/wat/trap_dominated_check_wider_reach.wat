;; expect: trap out of bounds memory access
(module
  ;; A check in a dominating block covers later checks of the same index only up to its
  ;; reach: the access 8 bytes further, in the next block, still traps.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $s i32)
    (local.set $x (call $i (i32.const 65528)))
    (local.set $s (i32.load (local.get $x)))
    (if (i32.eqz (call $i (local.get $s)))
      (then (local.set $s (i32.load offset=8 (local.get $x)))))
    (if (i32.eq (local.get $s) (i32.const 12345)) (then unreachable))))
