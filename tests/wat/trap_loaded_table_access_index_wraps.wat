;; expect: trap out of bounds table access
(module
  ;; table.get at a loaded index 0xffffffff of a table that can grow: out of range, though
  ;; its low bits plus one would wrap to 0.
  (memory 1)
  (data (i32.const 0) "\01\00\00\00\ff\ff\ff\ff")
  (table 2 funcref)
  (func (export "_start")
    (drop (table.get 0 (i32.load (i32.const 0))))
    (drop (table.get 0 (i32.load (i32.const 4))))))
