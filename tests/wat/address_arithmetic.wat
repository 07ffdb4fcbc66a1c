;; expect: ok
(module
  ;; An access at `x + k` after `x` was checked in the block is addressed from `x`, k bytes
  ;; further: only while `x + k` cannot wrap. Wrapping sums (an i32 add is modulo 2^32) and
  ;; subtractions (`x + (-k)`) must still reach the address wasm says.
  (memory 1)
  (data (i32.const 0) "\11\22\33\44\55\66\77\88")
  (func $i (param i32) (result i32) (local.get 0))
  (func $eq (param i32 i32) (if (i32.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func (export "_start") (local $x i32) (local $top i32)
    ;; x + k after x: the same bytes as the plain addresses.
    (local.set $x (call $i (i32.const 2)))
    (call $eq (i32.load8_u (local.get $x)) (i32.const 0x33))
    (call $eq (i32.load8_u (i32.add (local.get $x) (i32.const 1))) (i32.const 0x44))
    (call $eq (i32.load16_u offset=1 (i32.add (local.get $x) (i32.const 2))) (i32.const 0x7766))
    ;; x + (-2) after x: address 0, not 2^32.
    (call $eq (i32.load8_u (i32.add (local.get $x) (i32.const -2))) (i32.const 0x11))
    ;; 0xffffffff + 1 wraps to address 0: no check of x came first, and none may be made up.
    (local.set $top (call $i (i32.const -1)))
    (call $eq (i32.load8_u (i32.add (local.get $top) (i32.const 1))) (i32.const 0x11))
    (call $eq (i32.load8_u (i32.add (local.get $top) (i32.const 3))) (i32.const 0x33))))
