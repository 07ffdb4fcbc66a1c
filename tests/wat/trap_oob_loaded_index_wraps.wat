;; expect: trap out of bounds memory access
(module
  ;; A loaded index 0xfffffffc with offset 4 reaches 2^32, not 0: it traps.
  (memory 1)
  (data (i32.const 0) "\00\00\00\80\fc\ff\ff\ff\f0\ff\ff\7f\fd\ff\00\00")
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (drop (i32.load offset=4 (i32.load (i32.const 4))))))
