;; expect: trap out of bounds memory access
(module
  ;; 0x7ffffffc + (1 << 2) is 0x80000000, an index of 2 GiB (held as the 64-bit sum): it
  ;; traps.
  (memory 1)
  (data (i32.const 4) "\01")
  (func $id (param i32) (result i32) (local.get 0))
  (func (export "_start")
    (drop (i32.load (i32.add (call $id (i32.const 0x7ffffffc)) (i32.shl (i32.load8_u (i32.const 4)) (i32.const 2)))))))
