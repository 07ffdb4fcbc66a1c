;; expect: trap out of bounds memory access
(module
  ;; 0xfffffffc + offset 4 is 2^32, not 0: an index just below 2^32 with a small offset
  ;; must trap, although its sign-extended value plus the reach is a small number.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (drop (i32.load offset=4 (call $i (i32.const -4))))))
