;; expect: trap out of bounds memory access
(module
  ;; Both arms after the first access read past the end of memory (reach 9 and 10 from
  ;; x = 65528): the first access's check may take the least of them, and the run traps.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $c i32) (local $s i32)
    (local.set $x (call $i (i32.const 65528)))
    (local.set $c (call $i (i32.const 1)))
    (i32.store8 (local.get $x) (i32.const 1))
    (if (local.get $c)
      (then (local.set $s (i32.load8_u offset=8 (local.get $x))))
      (else (local.set $s (i32.load16_u offset=8 (local.get $x)))))
    (if (i32.eq (local.get $s) (i32.const 12345)) (then unreachable))))
