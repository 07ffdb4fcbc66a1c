;; expect: ok
(module
  ;; Accesses at x + k in other blocks than x's own, ending exactly at the end of memory:
  ;; covered by x's check (12 bytes at 65524, then 4 at x + 8), or widening x's check to
  ;; them (4 at 65528, then 4 at x + 4 on every path), they must not trap.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $s i32)
    (local.set $x (call $i (i32.const 65524)))
    (i32.store offset=8 (local.get $x) (i32.const 7))
    (if (call $i (i32.const 1))
      (then (local.set $s (i32.load (i32.add (local.get $x) (i32.const 8))))))
    (if (i32.ne (local.get $s) (i32.const 7)) (then unreachable))
    (local.set $x (call $i (i32.const 65528)))
    (i32.store (local.get $x) (i32.const 9))
    (if (local.get $s)
      (then (local.set $s (i32.add (local.get $s) (i32.const 1))))
      (else (local.set $s (i32.sub (local.get $s) (i32.const 1)))))
    (i32.store (i32.add (local.get $x) (i32.const 4)) (local.get $s))
    (if (i32.ne (i32.load (i32.const 65532)) (i32.const 8)) (then unreachable))
    (if (i32.ne (i32.load (i32.const 65528)) (i32.const 9)) (then unreachable))))
