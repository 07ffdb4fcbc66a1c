;; expect: ok
(module
  ;; Bounds checks compare the sign-extended index with an access limit (the number of
  ;; indices that start an access of that reach): a word beside the memory size for
  ;; reaches up to 512, computed from the size beyond. Every access here fits exactly at
  ;; the end of memory, before and after memory.grow, through each kind of limit, and
  ;; through checks merged in a block (the first widened from a limit word to a computed
  ;; limit).
  (memory 1)
  (func $i (param i32) (result i32) (local.get 0))
  (func $eq (param i32 i32) (if (i32.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func $ends (param $size i32)
    ;; reach 512 (the last limit word), then 4 and 600 (computed), then 1 and 513, each
    ;; write read back at the very end of memory.
    (i64.store offset=504 (call $i (i32.sub (local.get $size) (i32.const 512))) (i64.const -2))
    (call $eq (i32.wrap_i64 (i64.load offset=504 (call $i (i32.sub (local.get $size) (i32.const 512)))))
              (i32.const -2))
    (i32.store (call $i (i32.sub (local.get $size) (i32.const 4))) (i32.const 0x01020304))
    (call $eq (i32.load offset=596 (call $i (i32.sub (local.get $size) (i32.const 600))))
              (i32.const 0x01020304))
    (i32.store8 (call $i (i32.sub (local.get $size) (i32.const 1))) (i32.const 0x5a))
    (call $eq (i32.load8_u offset=512 (call $i (i32.sub (local.get $size) (i32.const 513))))
              (i32.const 0x5a))
    (call $eq (i32.load (call $i (i32.sub (local.get $size) (i32.const 4)))) (i32.const 0x5a020304)))
  (func $merged (param $x i32) (result i32)
    ;; One block: a check of reach 4 widened to reach 600 (offset 596 + 4).
    (i32.store (local.get $x) (i32.const 0x10))
    (i32.add (i32.load (local.get $x)) (i32.load offset=596 (local.get $x))))
  (func (export "_start")
    (call $ends (i32.const 65536))
    (call $eq (call $merged (call $i (i32.const 64936))) (i32.const 0x5a020314))
    ;; The whole first page as one access of reach 65536: within the initial size.
    (call $eq (i32.load8_u offset=65535 (call $i (i32.const 0))) (i32.const 0x5a))
    (call $eq (memory.grow (i32.const 2)) (i32.const 1))
    (call $ends (i32.const 196608))
    (call $eq (call $merged (call $i (i32.const 196008))) (i32.const 0x5a020314))
    ;; Reach 131072 + 4: past the initial size, a limit computed with its floor at zero.
    (call $eq (i32.load offset=131072 (call $i (i32.const 65532))) (i32.const 0x5a020304))))
