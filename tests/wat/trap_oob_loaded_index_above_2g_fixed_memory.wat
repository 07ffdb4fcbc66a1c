;; expect: trap out of bounds memory access
(module
  ;; A loaded index of 0x80000000, held zero-extended, is above every limit: it traps.
  (memory 1 1)
  (data (i32.const 0) "\00\00\00\80\fc\ff\ff\ff\f0\ff\ff\7f\fd\ff\00\00")
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (drop (i32.load (i32.load (i32.const 0))))))
