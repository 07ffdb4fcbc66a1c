;; expect: trap out of bounds memory access
(module
  ;; After memory.grow the limits move with the size, and no further: an access of reach
  ;; 4 three bytes before the new end traps.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start")
    (if (i32.ne (memory.grow (i32.const 1)) (i32.const 1)) (then unreachable))
    (i32.store (call $i (i32.const 131068)) (i32.const 1))
    (drop (i32.load (call $i (i32.const 131069))))))
