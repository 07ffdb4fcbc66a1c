;; expect: ok
(module
  ;; Accesses at p - 8, p - 16, p - 32 (i32 adds of negative constants, as code reaching
  ;; below a stack top makes) share one check of p - 32 and its base; p itself, one past
  ;; the end of memory, is never accessed and must not be checked. Each access must read
  ;; and write its own bytes.
  (memory 1)
  (data (i32.const 65504) "\01\00\00\00\00\00\00\00\02\00\00\00\00\00\00\00\03\00\00\00\00\00\00\00\04\00\00\00\00\00\00\00")
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $p i32) (local $t i64)
    (local.set $p (call $id (i32.const 65536)))
    ;; swap the words at p - 8 and p - 32, read p - 16 and p - 24
    (local.set $t (i64.load (i32.add (local.get $p) (i32.const -8))))
    (i64.store (i32.add (local.get $p) (i32.const -8)) (i64.load (i32.add (local.get $p) (i32.const -32))))
    (i64.store (i32.add (local.get $p) (i32.const -32)) (local.get $t))
    (if (i64.ne (i64.load (i32.add (local.get $p) (i32.const -16))) (i64.const 3)) (then unreachable))
    (if (i32.ne (i32.load8_u (i32.add (local.get $p) (i32.const -24))) (i32.const 2)) (then unreachable))
    (if (i64.ne (i64.load (i32.const 65504)) (i64.const 4)) (then unreachable))
    (if (i64.ne (i64.load (i32.const 65528)) (i64.const 1)) (then unreachable))
    ;; siblings on both sides of a pointer inside memory
    (local.set $p (call $id (i32.const 65512)))
    (i32.store (i32.add (local.get $p) (i32.const 4)) (i32.const 7))
    (i32.store (i32.add (local.get $p) (i32.const -4)) (i32.const 9))
    (if (i32.ne (i32.load (i32.const 65516)) (i32.const 7)) (then unreachable))
    (if (i32.ne (i32.load (i32.const 65508)) (i32.const 9)) (then unreachable))))
