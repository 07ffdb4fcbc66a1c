;; expect: trap out of bounds memory access
(module
  ;; A block's first check widened to its farthest access (reach 600): one byte too far.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32)
    (local.set $x (call $i (i32.const 64937)))
    (drop (i32.add (i32.load (local.get $x)) (i32.load offset=596 (local.get $x))))))
