;; expect: trap out of bounds memory access
(module
  ;; -32 + 16 is 0xfffffff0, held as the 64-bit sum -16: it traps.
  (memory 1 1)
  (data (i32.const 0) "\00\00\00\80\fc\ff\ff\ff\f0\ff\ff\7f\fd\ff\00\00")
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (drop (i32.load8_u (i32.add (call $i (i32.const -32)) (i32.const 16))))))
