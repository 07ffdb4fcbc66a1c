;; expect: trap out of bounds memory access
(module
  ;; Accesses from one index: the second and third lie inside the first one's checked
  ;; range (their checks may go), the fourth reaches past the end of memory and traps.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32)
    (local.set $x (call $i (i32.const 65528)))
    (i32.store offset=4 (local.get $x) (i32.const 1))
    (i32.store (local.get $x) (i32.const 2))
    (drop (i32.load offset=2 (local.get $x)))
    (drop (i32.load offset=8 (local.get $x)))))
