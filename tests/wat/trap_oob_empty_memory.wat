;; expect: trap out of bounds memory access
(module
  ;; A growable memory with no pages: every limit is zero.
  (memory 0)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (drop (i32.load8_u (call $i (i32.const 0))))))
