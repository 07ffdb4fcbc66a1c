;; expect: ok
(module
  ;; A loop whose accesses read an access-limit word more than once keeps those reads in
  ;; the loop when the loop can grow memory, directly or through a call: each iteration
  ;; reaches into the page it just added.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func $grow (drop (memory.grow (i32.const 1))))
  (func (export "_start") (local $n i32) (local $x i32)
    (local.set $n (call $i (i32.const 1)))
    (loop $through_call
      (call $grow)
      (local.set $x (i32.add (i32.mul (local.get $n) (i32.const 65536)) (i32.const 65532)))
      (if (i32.and (local.get $n) (i32.const 1))
        (then (i32.store (local.get $x) (local.get $n)))
        (else (i32.store (local.get $x) (i32.add (local.get $n) (i32.const 100)))))
      (if (i32.ne (i32.load (local.get $x)) (select (local.get $n) (i32.add (local.get $n) (i32.const 100))
                                                  (i32.and (local.get $n) (i32.const 1))))
        (then unreachable))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $through_call (i32.lt_u (local.get $n) (i32.const 4))))
    (loop $inline
      (drop (memory.grow (i32.const 1)))
      (local.set $x (i32.add (i32.mul (local.get $n) (i32.const 65536)) (i32.const 65532)))
      (if (i32.and (local.get $n) (i32.const 1))
        (then (i32.store (local.get $x) (local.get $n)))
        (else (i32.store (local.get $x) (i32.add (local.get $n) (i32.const 100)))))
      (if (i32.ne (i32.load (local.get $x)) (select (local.get $n) (i32.add (local.get $n) (i32.const 100))
                                                  (i32.and (local.get $n) (i32.const 1))))
        (then unreachable))
      (local.set $n (i32.add (local.get $n) (i32.const 1)))
      (br_if $inline (i32.lt_u (local.get $n) (i32.const 7))))))
