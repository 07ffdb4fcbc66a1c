;; expect: ok
(module
  ;; Loops whose accesses reach past the 512 limit words (a limit computed from the size):
  ;; the invariant check moves before the loop and still passes on every iteration, and a
  ;; check after memory.grow in the loop stays after it.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $n i32) (local $s i32)
    (local.set $x (call $i (i32.const 64536)))
    (local.set $n (i32.const 5))
    (loop $sum
      (i32.store offset=996 (local.get $x) (local.get $n))
      (local.set $s (i32.add (local.get $s) (i32.load offset=996 (local.get $x))))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $sum (local.get $n)))
    (if (i32.ne (local.get $s) (i32.const 15)) (then unreachable))
    (local.set $x (call $i (i32.const 65000)))
    (local.set $n (i32.const 2))
    (loop $grow
      (drop (memory.grow (i32.const 1)))
      (i32.store offset=1000 (local.get $x) (i32.const 7))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br_if $grow (local.get $n)))))
