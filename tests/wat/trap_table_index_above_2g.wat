;; expect: trap undefined element
(module
  ;; A table index of 2^31 or more is negative once sign-extended: out of range of a table
  ;; that cannot grow (its size a constant).
  (type $v (func))
  (table 2 2 funcref)
  (elem (i32.const 0) $f $f)
  (func $f)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (call_indirect (type $v) (call $i (i32.const 0x80000000)))))
