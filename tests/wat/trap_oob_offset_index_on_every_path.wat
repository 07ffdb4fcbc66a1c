;; expect: trap out of bounds memory access
(module
  ;; Every path after x's check (4 bytes at 65532) reaches x + 4, past the end: x's check
  ;; may take that reach and trap first, but the trap must come.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $s i32)
    (local.set $x (call $i (i32.const 65532)))
    (local.set $s (i32.load (local.get $x)))
    (if (local.get $s)
      (then (local.set $s (i32.add (local.get $s) (i32.const 1))))
      (else (local.set $s (i32.sub (local.get $s) (i32.const 1)))))
    (i32.store (i32.add (local.get $x) (i32.const 4)) (local.get $s))))
