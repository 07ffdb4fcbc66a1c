;; expect: trap indirect call type mismatch
;; An entry of the module's first type called as another: the mismatch. (Had signature ids
;; started at 0, this entry's high half would be zero, like a null entry's.)
(module
  (type $v (func (result i32)))
  (type $w (func (param i32) (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $one $id)
  (func $one (type $v) (i32.const 1))
  (func $id (type $w) (local.get 0))
  (func (export "_start")
    (drop (call_indirect (type $w) (i32.const 5) (i32.const 0)))))
