;; expect: trap out of bounds memory access
(module
  ;; The same wrap with a memory that cannot grow (constant limits).
  (memory 1 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (drop (i32.load8_u offset=1 (call $i (i32.const -1))))))
