;; expect: ok
(module
  ;; An access past the first page, after memory.grow made it valid: a bounds check before
  ;; the growth must not be widened to cover it.
  (memory 1 2)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32)
    (local.set $x (call $i (i32.const 65528)))
    (i32.store (local.get $x) (i32.const 7))
    (drop (memory.grow (i32.const 1)))
    (i32.store offset=100 (local.get $x) (i32.const 8))
    (if (i32.ne (i32.load offset=100 (local.get $x)) (i32.const 8)) (then unreachable))))
