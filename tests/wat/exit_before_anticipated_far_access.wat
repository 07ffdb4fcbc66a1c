;; expect: ok
(module
  ;; Both arms of the if read past the end of memory, but the taken one exits first: the
  ;; first access's check must not take their reach, and the run ends normally.
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32) (local $c i32)
    (local.set $x (call $i (i32.const 65528)))
    (local.set $c (call $i (i32.const 1)))
    (i32.store (local.get $x) (i32.const 7))
    (if (local.get $c)
      (then (call $exit (i32.const 0)) (drop (i32.load offset=100 (local.get $x))))
      (else (drop (i32.load offset=100 (local.get $x)))))
    (drop (i32.load offset=200 (local.get $x)))))
