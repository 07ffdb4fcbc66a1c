;; expect: ok
(module
  ;; i32 compares are made at 64 bits when both operands are held sign-extended (cheaper
  ;; for small operands), and at 32 bits otherwise: a low-half-only value (a 64-bit sum
  ;; whose high half is not the sign) or an i32 load held zero-extended because it is also
  ;; an address index. Each compare here gives a wrong answer if made at the wrong width.
  (memory 1)
  (data (i32.const 0) "\f0\ff\ff\ff\00\00\00\80\10\00\00\00")
  (func $i (param i32) (result i32) (local.get 0))
  (func $eq (param i32 i32) (if (i32.ne (local.get 0) (local.get 1)) (then unreachable)))
  ;; Sign-extended operands across the sign boundary, unsigned and signed.
  (func $sext (param $a i32) (param $b i32) (result i32)
    (i32.or
      (i32.or
        (i32.or (i32.shl (i32.lt_u (local.get $a) (local.get $b)) (i32.const 0))
                (i32.shl (i32.le_u (local.get $a) (local.get $b)) (i32.const 1)))
        (i32.or (i32.shl (i32.gt_u (local.get $a) (local.get $b)) (i32.const 2))
                (i32.shl (i32.ge_u (local.get $a) (local.get $b)) (i32.const 3))))
      (i32.or
        (i32.or (i32.shl (i32.lt_s (local.get $a) (local.get $b)) (i32.const 4))
                (i32.shl (i32.le_s (local.get $a) (local.get $b)) (i32.const 5)))
        (i32.or (i32.shl (i32.eq (local.get $a) (local.get $b)) (i32.const 6))
                (i32.shl (i32.ne (local.get $a) (local.get $b)) (i32.const 7))))))
  ;; The same compares as branches, against constants on either side of the sign.
  (func $branches (param $a i32) (result i32)
    (local $r i32)
    (if (i32.lt_u (local.get $a) (i32.const 100)) (then (local.set $r (i32.or (local.get $r) (i32.const 1)))))
    (if (i32.gt_u (local.get $a) (i32.const -2)) (then (local.set $r (i32.or (local.get $r) (i32.const 2)))))
    (if (i32.lt_s (local.get $a) (i32.const 0)) (then (local.set $r (i32.or (local.get $r) (i32.const 4)))))
    (if (i32.eq (local.get $a) (i32.const -16)) (then (local.set $r (i32.or (local.get $r) (i32.const 8)))))
    (if (local.get $a) (then (local.set $r (i32.or (local.get $r) (i32.const 16)))))
    (local.get $r))
  ;; A sum read only in its low half (a 64-bit add may leave a carry above it).
  (func $sums (param $a i32) (param $b i32) (result i32)
    (local $r i32)
    (if (i32.eq (i32.add (local.get $a) (local.get $b)) (i32.const -2147483648))
      (then (local.set $r (i32.or (local.get $r) (i32.const 1)))))
    (if (i32.lt_s (i32.add (local.get $a) (local.get $b)) (i32.const 0))
      (then (local.set $r (i32.or (local.get $r) (i32.const 2)))))
    (if (i32.lt_u (i32.add (local.get $a) (local.get $b)) (i32.const 5))
      (then (local.set $r (i32.or (local.get $r) (i32.const 4)))))
    (if (i32.add (local.get $a) (i32.const 1))
      (then (local.set $r (i32.or (local.get $r) (i32.const 8)))))
    (i32.or (local.get $r)
      (i32.shl (i32.eq (i32.add (local.get $a) (local.get $b)) (i32.const -2147483648)) (i32.const 4))))
  ;; An i32 load that is also an address index (held zero-extended), compared after the
  ;; access it guards is skipped.
  (func $loaded (param $at i32) (result i32)
    (local $v i32) (local $r i32)
    (local.set $v (i32.load (local.get $at)))
    (if (i32.lt_u (local.get $v) (i32.const 12))
      (then (local.set $r (i32.load8_u (local.get $v)))))
    (if (i32.eq (local.get $v) (i32.const -16)) (then (local.set $r (i32.or (local.get $r) (i32.const 0x100)))))
    (if (i32.lt_s (local.get $v) (i32.const 0)) (then (local.set $r (i32.or (local.get $r) (i32.const 0x200)))))
    (if (i32.gt_u (local.get $v) (i32.const -17)) (then (local.set $r (i32.or (local.get $r) (i32.const 0x400)))))
    (local.get $r))
  (func (export "_start")
    ;; -1 against 1: unsigned greater, signed less.
    (call $eq (call $sext (call $i (i32.const -1)) (call $i (i32.const 1))) (i32.const 0xbc))
    (call $eq (call $sext (call $i (i32.const 1)) (call $i (i32.const -1))) (i32.const 0x83))
    (call $eq (call $sext (call $i (i32.const -2147483648)) (call $i (i32.const 2147483647))) (i32.const 0xbc))
    (call $eq (call $sext (call $i (i32.const 7)) (call $i (i32.const 7))) (i32.const 0x6a))
    (call $eq (call $sext (call $i (i32.const -7)) (call $i (i32.const -7))) (i32.const 0x6a))
    (call $eq (call $branches (call $i (i32.const 3))) (i32.const 17))
    (call $eq (call $branches (call $i (i32.const -1))) (i32.const 22))
    (call $eq (call $branches (call $i (i32.const -16))) (i32.const 28))
    (call $eq (call $branches (call $i (i32.const 0))) (i32.const 1))
    (call $eq (call $branches (call $i (i32.const 2147483647))) (i32.const 16))
    ;; 0x7fffffff + 1 wraps to the most negative i32; -1 + 1 and -1 + 3 wrap to 0 and 2.
    (call $eq (call $sums (call $i (i32.const 2147483647)) (call $i (i32.const 1))) (i32.const 27))
    (call $eq (call $sums (call $i (i32.const -1)) (call $i (i32.const 3))) (i32.const 4))
    (call $eq (call $sums (call $i (i32.const -1)) (call $i (i32.const 1))) (i32.const 4))
    (call $eq (call $sums (call $i (i32.const -2147483648)) (call $i (i32.const 0))) (i32.const 27))
    ;; Loaded 0xfffffff0, 0x80000000 and 16 (which indexes the byte 0 at 16).
    (call $eq (call $loaded (call $i (i32.const 0))) (i32.const 0x700))
    (call $eq (call $loaded (call $i (i32.const 4))) (i32.const 0x200))
    (call $eq (call $loaded (call $i (i32.const 8))) (i32.const 0))))
