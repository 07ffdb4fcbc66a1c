;; expect: ok
(module
  ;; A check widens to the least reach the arms after it check: at x = 65528 the taken arm
  ;; reads 8 bytes at offset 0 (reach 8, fits exactly), the other one 4 at offset 5
  ;; (reach 9, past the end). Widening the first access's check (reach 1) to the larger
  ;; reach would trap.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $c i32) (local $s i64)
    (local.set $x (call $i (i32.const 65528)))
    (local.set $c (call $i (i32.const 1)))
    (i32.store8 (local.get $x) (i32.const 0x99))
    (if (local.get $c)
      (then (local.set $s (i64.load (local.get $x))))
      (else (local.set $s (i64.load32_u offset=5 (local.get $x)))))
    (if (i64.ne (local.get $s) (i64.const 0x99)) (then unreachable))))
