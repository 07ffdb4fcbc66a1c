;; expect: trap out of bounds memory access
(module
  ;; p = 65528: p - 8 is in memory, p + 4 reaches 4 bytes past the end. The merged check of
  ;; the siblings traps.
  (memory 1)
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $p i32)
    (local.set $p (call $id (i32.const 65528)))
    (drop (i64.load (i32.add (local.get $p) (i32.const -8))))
    (drop (i64.load (i32.add (local.get $p) (i32.const 4))))))
