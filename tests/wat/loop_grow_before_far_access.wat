;; expect: ok
(module
  ;; A check after memory.grow in a loop stays after it: the access past the initial end
  ;; is in bounds once the memory has grown.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $n i32)
    (local.set $x (call $i (i32.const 65528)))
    (local.set $n (i32.const 2))
    (loop $again
      (drop (memory.grow (i32.const 1)))
      (i32.store offset=100 (local.get $x) (i32.const 7))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $again (local.get $n)))))
