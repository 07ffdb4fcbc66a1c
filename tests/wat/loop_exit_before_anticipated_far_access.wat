;; expect: ok
(module
  ;; The loop exits on its first test, before its body's access past the end of memory:
  ;; the check before the loop must not take the body's reach.
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $n i32) (local $s i32)
    (local.set $x (call $i (i32.const 65532)))
    (local.set $n (call $i (i32.const 0)))
    (i32.store (local.get $x) (i32.const 7))
    (block $done
      (loop $next
        (br_if $done (i32.eqz (local.get $n)))
        (local.set $s (i32.add (local.get $s) (i32.load offset=8 (local.get $x))))
        (local.set $n (i32.sub (local.get $n) (i32.const 1)))
        (br $next)))
    (if (i32.ne (local.get $s) (i32.const 0)) (then unreachable))))
