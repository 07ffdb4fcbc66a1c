;; expect: trap invalid conversion to integer
(module
  (type $v (func (result i32)))
  (type $w (func))
  (memory 1)
  (table 2 funcref)
  (elem (i32.const 0) $zero)
  (func $zero (type $v) (i32.const 0))
  (func $deep (call $deep))
  (func (export "_start") (drop (i32.trunc_f32_s (f32.add (f32.convert_i32_s (call $zero)) (f32.const nan))))))
