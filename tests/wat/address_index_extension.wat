;; expect: ok
(module
  ;; An i32 that is only an address index may be held zero-extended (an i32 load) or as the
  ;; 64-bit sum `sext(x) + k` (an i32 add of 0 <= k < 2^31 to a sign-extended x): the
  ;; addresses must still be the wrapped 32-bit ones. growable memory.
  (memory 1)
  ;; 0: 16, 4: 0xfffffff0 (16 - 32), 8: 0xfffffffc, 12: 0x7ffffff0
  (data (i32.const 0) "\10\00\00\00\f0\ff\ff\ff\fc\ff\ff\ff\f0\ff\ff\7f")
  (data (i32.const 16) "\11\22\33\44\55\66\77\88\99\aa\bb\cc\dd\ee\ff\00")
  (data (i32.const 0xfff0) "\a1\a2\a3\a4\a5\a6\a7\a8\a9\aa\ab\ac\ad\ae\af\b0")
  (func $i (param i32) (result i32) (local.get 0))
  (func $eq (param i32 i32) (if (i32.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func $eq64 (param i64 i64) (if (i64.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func (export "_start") (local $x i32) (local $p i32)
    ;; A loaded index, only an address: the access at 16.
    (call $eq (i32.load (i32.load (i32.const 0))) (i32.const 0x44332211))
    (call $eq (i32.load8_u offset=5 (i32.load (i32.const 0))) (i32.const 0x66))
    ;; Loaded 0xfffffff0 plus 32 wraps to 16: the sum of a zero-extended load is not a
    ;; 64-bit add.
    (call $eq (i32.load (i32.add (i32.load (i32.const 4)) (i32.const 32))) (i32.const 0x44332211))
    ;; Loaded 0xfffffffc plus 4 wraps to 0: the word at 0 is 16.
    (call $eq (i32.load (i32.add (i32.load (i32.const 8)) (i32.const 4))) (i32.const 16))
    ;; A loaded index that is also stored and added to (low-half readers) and an address.
    (local.set $p (i32.load (i32.const 0)))
    (i32.store offset=32 (i32.const 0) (i32.add (local.get $p) (i32.const 1)))
    (call $eq (i32.load offset=32 (i32.const 0)) (i32.const 17))
    (call $eq (i32.load16_u offset=2 (local.get $p)) (i32.const 0x4433))
    ;; A loaded index whose sign extension is also an i64 value: -16 there.
    (local.set $p (i32.load (i32.const 4)))
    (call $eq64 (i64.extend_i32_s (local.get $p)) (i64.const -16))
    (call $eq (i32.load8_u (i32.add (local.get $p) (i32.const 0x21))) (i32.const 0x22))
    ;; A sign-extended x plus k: -16 + 32 is 16, -1 + 1 is 0, 0xffee + 2 is 0xfff0.
    (local.set $x (call $i (i32.const -16)))
    (call $eq (i32.load (i32.add (local.get $x) (i32.const 32))) (i32.const 0x44332211))
    (call $eq (i32.load8_u (i32.add (call $i (i32.const -1)) (i32.const 1))) (i32.const 16))
    (call $eq (i32.load8_u offset=1 (i32.add (call $i (i32.const 0xffee)) (i32.const 2))) (i32.const 0xa2))
    ;; The largest k, from -0x7fffffff: 0x7fffffff + (-0x7fffffff) wraps to 0.
    (call $eq (i32.load (i32.add (call $i (i32.const -0x7fffffff)) (i32.const 0x7fffffff))) (i32.const 16))
    ;; 0x80000020 + 0x7fffffe0 wraps to 0; 0x80000010 + 0x80000000 (k = -2^31, no 64-bit add)
    ;; wraps to 16.
    (call $eq (i32.load (i32.add (call $i (i32.const 0x80000020)) (i32.const 0x7fffffe0))) (i32.const 16))
    (call $eq (i32.load8_u (i32.add (call $i (i32.const 0x80000010)) (i32.const 0x80000000))) (i32.const 0x11))
    (call $eq (i32.load8_u (i32.add (call $i (i32.const 20)) (i32.const -4))) (i32.const 0x11))
    ;; A store through a sum and a loaded index, read back through plain addresses.
    (i32.store16 (i32.add (call $i (i32.const -8)) (i32.const 0x28)) (i32.const 0xbeef))
    (call $eq (i32.load16_u (i32.const 32)) (i32.const 0xbeef))
    (i32.store8 offset=3 (i32.load (i32.const 0)) (i32.const 0x5a))
    (call $eq (i32.load8_u (i32.const 19)) (i32.const 0x5a))
    ;; The last bytes of memory, from a sum.
    (call $eq (i32.load offset=12 (i32.add (call $i (i32.const 0xffe0)) (i32.const 0x10))) (i32.const 0xb0afaead))))
