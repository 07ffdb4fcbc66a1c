;; expect: trap integer divide by zero
(module
  (type $v (func (result i32)))
  (type $w (func))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $zero)
  (func $zero (type $v) (i32.const 0))
  (func $deep (call $deep))
  (func (export "_start") (drop (i32.div_u (i32.const 1) (call $zero)))))
