;; expect: trap integer divide by zero
(module
  ;; Bounds checks of one index merge within a block, but not across an instruction that
  ;; traps otherwise: the division traps first, before the access past the end of memory.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32)
    (local.set $x (call $i (i32.const 65528)))
    (drop (i32.load (local.get $x)))
    (drop (i32.div_u (i32.const 1) (call $i (i32.const 0))))
    (drop (i32.load offset=100 (local.get $x)))))
