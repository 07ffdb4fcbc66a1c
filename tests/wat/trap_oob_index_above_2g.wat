;; expect: trap out of bounds memory access
(module
  ;; An index of 2^31 or more is negative once sign-extended: above every access limit.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (drop (i32.load (call $i (i32.const 0x80000000))))))
