;; expect: trap indirect call type mismatch
;; A non-null entry of another type called as the first type (signature id 1): the
;; mismatch, not the null trap.
(module
  (type $v (func (result i32)))
  (type $w (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $one $id)
  (func $one (type $v) (i32.const 1))
  (func $id (type $w) (local.get 0))
  (func (export "_start")
    (drop (call_indirect (type $v) (i32.const 1)))))
