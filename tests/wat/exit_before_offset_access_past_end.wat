;; expect: ok
(module
  ;; After x's check (4 bytes at 65532), one path exits and the other reads x + 4, past the
  ;; end: x's check must not take that reach, and the run (which exits) ends normally.
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32)
    (local.set $x (call $i (i32.const 65532)))
    (i32.store (local.get $x) (i32.const 7))
    (if (call $i (i32.const 1)) (then (call $exit (i32.const 0))))
    (drop (i32.load (i32.add (local.get $x) (i32.const 4))))))
