;; expect: trap uninitialized element
;; A null entry called as the module's first type (signature id 1), after calls through
;; good entries of that type in the same loop: the null trap, not a mismatch, and not a
;; call through address 0.
(module
  (type $v (func (result i32)))
  (type $w (func))
  (table 4 funcref)
  (elem (i32.const 0) $one $one $one)
  (func $one (type $v) (i32.const 1))
  (func (export "_start")
    (local $i i32)
    (loop $l
      (drop (call_indirect (type $v) (local.get $i)))
      (local.set $i (i32.add (local.get $i) (i32.const 1)))
      (br $l))))
