;; expect: trap out of bounds memory access
(module
  ;; 0xfffd + 1 is 0xfffe, held as the 64-bit sum: a 4-byte access there ends past the end
  ;; of memory, so it traps (before that, the loaded 0xfffd with offset 0 fits).
  (memory 1 1)
  (data (i32.const 0) "\00\00\00\80\fc\ff\ff\ff\f0\ff\ff\7f\fd\ff\00\00")
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (i32.store16 (i32.load (i32.const 12)) (i32.const 7))
    (i32.store (i32.add (call $i (i32.load (i32.const 12))) (i32.const 1)) (i32.const 7))))
