;; expect: trap out of bounds memory access
(module
  ;; An access at `x + k` joins the check of `x`: past the end of memory it still traps.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32)
    (local.set $x (call $i (i32.const 65528)))
    (drop (i32.load (local.get $x)))
    (drop (i32.load (i32.add (local.get $x) (i32.const 8))))))
