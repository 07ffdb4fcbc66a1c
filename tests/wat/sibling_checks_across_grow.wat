;; expect: ok
(module
  ;; p - 8 and p + 8 in one block around a call that grows memory: the second sibling is
  ;; only in memory after the call, so the two checks must not be merged across it.
  (memory 1)
  (func $id (param i32) (result i32) (local.get 0))
  (func $grow (drop (memory.grow (i32.const 1))))
  (func (export "_start") (local $p i32)
    (local.set $p (call $id (i32.const 65536)))
    (i64.store (i32.add (local.get $p) (i32.const -8)) (i64.const 5))
    (call $grow)
    (i64.store (i32.add (local.get $p) (i32.const 8)) (i64.const 6))
    (if (i64.ne (i64.load (i32.add (local.get $p) (i32.const -8))) (i64.const 5)) (then unreachable))
    (if (i64.ne (i64.load (i32.const 65544)) (i64.const 6)) (then unreachable))))
