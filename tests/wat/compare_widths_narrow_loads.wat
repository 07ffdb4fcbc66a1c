;; expect: ok
(module
  ;; An i32 read only in its low half whose definition sign-extends it anyway (a narrow
  ;; load, a parameter, a call result) is compared at 64 bits, a plain i32 load at 32; each compare here gives a
  ;; wrong answer if such a value were held otherwise: bytes and halves on either side of
  ;; their sign bit, unsigned compares of negative values, and the sums they feed.
  (memory 1)
  (data (i32.const 0) "\90\7f\00\80\ff\7f\5b")
  (func $i (param i32) (result i32) (local.get 0))
  (func $eq (param i32 i32) (if (i32.ne (local.get 0) (local.get 1)) (then unreachable)))
  ;; Compares of `v` against constants as bits, and `v + 1`'s compare with 0 (so `v`'s only
  ;; users read its low half).
  (func $compares (param $v i32) (result i32)
    (local $r i32)
    (if (i32.lt_u (local.get $v) (i32.const 100)) (then (local.set $r (i32.or (local.get $r) (i32.const 1)))))
    (if (i32.lt_s (local.get $v) (i32.const 0)) (then (local.set $r (i32.or (local.get $r) (i32.const 2)))))
    (if (i32.eq (local.get $v) (i32.const -112)) (then (local.set $r (i32.or (local.get $r) (i32.const 4)))))
    (if (i32.gt_u (local.get $v) (i32.const 0x7fff)) (then (local.set $r (i32.or (local.get $r) (i32.const 8)))))
    (if (i32.eq (local.get $v) (i32.const 0x5b)) (then (local.set $r (i32.or (local.get $r) (i32.const 16)))))
    (if (i32.le_s (i32.add (local.get $v) (i32.const 1)) (i32.const 0)) (then (local.set $r (i32.or (local.get $r) (i32.const 32)))))
    (local.get $r))
  (func $loaded (param $at i32) (result i32)
    (local $s8 i32) (local $u8 i32) (local $s16 i32) (local $u16 i32) (local $w i32) (local $r i32)
    (local.set $s8 (i32.load8_s (local.get $at)))
    (local.set $u8 (i32.load8_u (local.get $at)))
    (local.set $s16 (i32.load16_s offset=2 (local.get $at)))
    (local.set $u16 (i32.load16_u offset=2 (local.get $at)))
    ;; A plain i32 load read only in its low half may be held zero-extended: compared at
    ;; 32 bits.
    (local.set $w (i32.load (local.get $at)))
    (if (i32.lt_s (local.get $w) (i32.const 0)) (then (local.set $r (i32.or (local.get $r) (i32.const 256)))))
    (if (i32.eq (local.get $w) (i32.const 0x80007f90)) (then (local.set $r (i32.or (local.get $r) (i32.const 512)))))
    (if (i32.lt_u (local.get $s8) (i32.const 200)) (then (local.set $r (i32.or (local.get $r) (i32.const 1)))))
    (if (i32.lt_u (local.get $u8) (i32.const 200)) (then (local.set $r (i32.or (local.get $r) (i32.const 2)))))
    (if (i32.lt_s (local.get $s16) (i32.const 0)) (then (local.set $r (i32.or (local.get $r) (i32.const 4)))))
    (if (i32.lt_s (local.get $u16) (i32.const 0)) (then (local.set $r (i32.or (local.get $r) (i32.const 8)))))
    (if (i32.eq (local.get $s8) (i32.const 0x90)) (then (local.set $r (i32.or (local.get $r) (i32.const 16)))))
    (if (i32.eq (local.get $u8) (i32.const 0x90)) (then (local.set $r (i32.or (local.get $r) (i32.const 32)))))
    (if (i32.gt_u (local.get $s16) (local.get $u16)) (then (local.set $r (i32.or (local.get $r) (i32.const 64)))))
    (if (i32.lt_s (local.get $s8) (local.get $u8)) (then (local.set $r (i32.or (local.get $r) (i32.const 128)))))
    (i32.add (local.get $r) (i32.shl (i32.add (local.get $s8) (local.get $u16)) (i32.const 8))))
  ;; A bitwise result of values read only in their low half stays low-half-only (its
  ;; operands may carry anything above it: a 64-bit sum here): compared at 32 bits.
  (func $and_of_sum (param $a i32) (param $b i32) (param $m i32) (result i32)
    (i32.lt_s (i32.and (i32.add (local.get $a) (local.get $b)) (local.get $m)) (i32.const 0)))
  (func (export "_start")
    (call $eq (call $and_of_sum (i32.const 0x7fffffff) (i32.const 1) (i32.const -1)) (i32.const 1))
    ;; 0x90 as a signed byte is -112: not below 200 unsigned, equal to -112 only signed.
    (call $eq (call $loaded (i32.const 0)) (i32.add (i32.const 0x3e6) (i32.shl (i32.const 0x7f90) (i32.const 8))))
    ;; 0x7f: positive either way.
    (call $eq (call $loaded (i32.const 1)) (i32.add (i32.const 0x147) (i32.shl (i32.const 0xffff) (i32.const 8))))
    (call $eq (call $compares (i32.load8_s (i32.const 0))) (i32.const 46))
    (call $eq (call $compares (i32.load8_u (i32.const 0))) (i32.const 0))
    (call $eq (call $compares (i32.load8_u (i32.const 6))) (i32.const 17))
    (call $eq (call $compares (i32.load16_s (i32.const 2))) (i32.const 42))
    (call $eq (call $compares (i32.load16_u (i32.const 2))) (i32.const 8))
    (call $eq (call $compares (call $i (i32.const -1))) (i32.const 42))
    (call $eq (call $compares (i32.const -112)) (i32.const 46))))
