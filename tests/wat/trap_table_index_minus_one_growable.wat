;; expect: trap undefined element
(module
  ;; Index 0xffffffff of a table that can grow (its size read from its word): out of range
  ;; after table.grow too, while the grown entry itself is reachable.
  (type $v (func))
  (table 1 funcref)
  (elem (i32.const 0) $f)
  (func $f)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start")
    (if (i32.ne (table.grow (ref.func $f) (i32.const 1)) (i32.const 1)) (then unreachable))
    (call_indirect (type $v) (call $i (i32.const 1)))
    (call_indirect (type $v) (call $i (i32.const -1)))))
