;; expect: ok
;; call_indirect through entries of several types, the first type among them (signature id
;; 1: ids start at 1 so that only a null entry has a zero high half), structurally equal
;; types (one id), entries written at run time by table.set, table.grow and table.fill, and
;; ref.is_null on what table.get reads back.
(module
  (type $v (func (result i32)))
  (type $un (func (param i32) (result i32)))
  (type $v2 (func (result i32)))
  (table $t 6 16 funcref)
  (func $one (type $v) (i32.const 1))
  (func $two (type $v2) (i32.const 2))
  (func $inc (type $un) (i32.add (local.get 0) (i32.const 1)))
  (elem (i32.const 0) $one $two $inc)
  (elem declare func $one $inc)
  (func $eq (param i32 i32) (if (i32.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func (export "_start")
    (local $i i32) (local $sum i32)
    ;; $v and $v2 are one type: both entries answer either.
    (call $eq (call_indirect (type $v) (i32.const 0)) (i32.const 1))
    (call $eq (call_indirect (type $v) (i32.const 1)) (i32.const 2))
    (call $eq (call_indirect (type $v2) (i32.const 0)) (i32.const 1))
    (call $eq (call_indirect (type $un) (i32.const 41) (i32.const 2)) (i32.const 42))
    ;; Entries written at run time.
    (table.set $t (i32.const 3) (ref.func $one))
    (call $eq (call_indirect (type $v) (i32.const 3)) (i32.const 1))
    (call $eq (table.grow $t (ref.func $inc) (i32.const 2)) (i32.const 6))
    (call $eq (call_indirect (type $un) (i32.const 7) (i32.const 7)) (i32.const 8))
    (table.fill $t (i32.const 4) (ref.func $one) (i32.const 2))
    (call $eq (call_indirect (type $v) (i32.const 5)) (i32.const 1))
    (call $eq (ref.is_null (table.get $t (i32.const 5))) (i32.const 0))
    (table.set $t (i32.const 5) (ref.null func))
    (call $eq (ref.is_null (table.get $t (i32.const 5))) (i32.const 1))
    ;; A loop of indirect calls, the hot shape of an interpreter's dispatch.
    (loop $l
      (local.set $sum (i32.add (local.get $sum)
        (call_indirect (type $v) (i32.and (local.get $i) (i32.const 1)))))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br_if $l (i32.lt_u (local.get $i) (i32.const 10))))
    (call $eq (local.get $sum) (i32.const 15))))
