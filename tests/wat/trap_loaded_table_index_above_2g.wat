;; expect: trap undefined element
(module
  ;; A table index loaded from memory (held zero-extended where it is only a table index)
  ;; of 2^31 or more: out of range all the same, after good loaded indices in a loop.
  (type $v (func))
  (memory 1)
  (data (i32.const 0) "\00\00\00\00\01\00\00\00\00\00\00\80")
  (table 2 2 funcref)
  (elem (i32.const 0) $f $f)
  (func $f)
  (func (export "_start") (local $at i32)
    (loop $l
      (call_indirect (type $v) (i32.load (local.get $at)))
      (local.set $at (i32.add (local.get $at) (i32.const 4)))
      (br $l))))
