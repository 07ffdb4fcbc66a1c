;; expect: trap out of bounds memory access
(module
  ;; p = 16: p - 8 is in memory, p - 24 wraps to an index above 2 GiB. The merged check of
  ;; the siblings traps.
  (memory 1)
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $p i32)
    (local.set $p (call $id (i32.const 16)))
    (drop (i64.load (i32.add (local.get $p) (i32.const -8))))
    (drop (i64.load (i32.add (local.get $p) (i32.const -24))))))
