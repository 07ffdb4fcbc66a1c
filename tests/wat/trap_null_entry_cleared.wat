;; expect: trap uninitialized element
;; An entry that held a function, set to null at run time, then called with its old type.
(module
  (type $v (func (result i32)))
  (table 2 funcref)
  (elem (i32.const 0) $one)
  (func $one (type $v) (i32.const 1))
  (func (export "_start")
    (if (i32.ne (call_indirect (type $v) (i32.const 0)) (i32.const 1)) (then unreachable))
    (table.set (i32.const 0) (ref.null func))
    (drop (call_indirect (type $v) (i32.const 0)))))
