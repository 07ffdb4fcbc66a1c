;; expect: ok
(module
  ;; A loop's invariant bounds checks move before the loop, but not across a call: the
  ;; first iteration exits normally before its access past the end of memory.
  (import "wasi_snapshot_preview1" "proc_exit" (func $exit (param i32)))
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start") (local $x i32)
    (local.set $x (call $i (i32.const 65528)))
    (loop $again
      (call $exit (i32.const 0))
      (drop (i32.load offset=100 (local.get $x)))
      (br $again))))
