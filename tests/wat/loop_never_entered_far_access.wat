;; expect: ok
(module
  ;; A loop that is never entered checks nothing: its access past the end of memory is
  ;; not checked before the branch that skips the loop.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $n i32)
    (local.set $x (call $i (i32.const 65528)))
    (local.set $n (call $i (i32.const 0)))
    (block $skip
      (br_if $skip (i32.eqz (local.get $n)))
      (loop $again
        (drop (i32.load offset=100 (local.get $x)))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br_if $again (local.get $n))))))
