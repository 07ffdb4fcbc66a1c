;; expect: trap out of bounds memory access
(module
  ;; A memory that starts empty and grew one page; an offset past both (a computed limit
  ;; that must stop at zero rather than wrap).
  (memory 0)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start")
    (if (i32.ne (memory.grow (i32.const 1)) (i32.const 0)) (then unreachable))
    (i32.store8 (call $i (i32.const 65535)) (i32.const 1))
    (drop (i32.load8_u offset=70000 (call $i (i32.const 0))))))
