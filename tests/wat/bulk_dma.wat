;; expect: ok
(module
  ;; memory.copy and memory.fill through every path of the direct backend: DMA copies of
  ;; disjoint and touching ranges (unaligned, empty, at the end of memory), the memmove
  ;; fallback for overlapping ranges, DMA fills with a constant byte, and the loop for a
  ;; byte known only at run time.
  (memory 1)
  (data (i32.const 0) "0123456789abcdefghijklmnopqrstuvwxyz")
  (func $eq (param i32 i32) (if (i32.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func $eq64 (param i64 i64) (if (i64.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func $i (param i32) (result i32) (local.get 0))
  (func (export "_start")
    ;; disjoint, unaligned: "3456789a" to 101
    (memory.copy (call $i (i32.const 101)) (call $i (i32.const 3)) (call $i (i32.const 8)))
    (call $eq64 (i64.load (i32.const 101)) (i64.const 0x6139383736353433))
    (call $eq (i32.load8_u (i32.const 100)) (i32.const 0))
    (call $eq (i32.load8_u (i32.const 109)) (i32.const 0))
    ;; touching ranges: [200, 204) from [204, 208)
    (i32.store (i32.const 204) (i32.const 0x44332211))
    (memory.copy (call $i (i32.const 200)) (call $i (i32.const 204)) (call $i (i32.const 4)))
    (call $eq (i32.load (i32.const 200)) (i32.const 0x44332211))
    ;; empty copies, one at the very end of memory
    (memory.copy (call $i (i32.const 65536)) (call $i (i32.const 0)) (call $i (i32.const 0)))
    (memory.copy (call $i (i32.const 5)) (call $i (i32.const 5)) (call $i (i32.const 0)))
    ;; overlapping, both directions (the memmove fallback)
    (memory.copy (call $i (i32.const 1)) (call $i (i32.const 0)) (call $i (i32.const 4)))
    (call $eq (i32.load (i32.const 0)) (i32.const 0x32313030))
    (memory.copy (call $i (i32.const 0)) (call $i (i32.const 1)) (call $i (i32.const 4)))
    (call $eq (i32.load (i32.const 0)) (i32.const 0x33323130))
    (memory.copy (call $i (i32.const 10)) (call $i (i32.const 10)) (call $i (i32.const 3)))
    (call $eq (i32.load8_u (i32.const 11)) (i32.const 0x62))
    ;; fills: constant bytes by DMA, unaligned and up to the end of memory
    (memory.fill (call $i (i32.const 301)) (i32.const 0x5a) (call $i (i32.const 13)))
    (call $eq (i32.load8_u (i32.const 300)) (i32.const 0))
    (call $eq64 (i64.load (i32.const 301)) (i64.const 0x5a5a5a5a5a5a5a5a))
    (call $eq (i32.load (i32.const 311)) (i32.const 0x005a5a5a))
    (memory.fill (call $i (i32.const 65530)) (i32.const 0x1ff) (call $i (i32.const 6)))
    (call $eq (i32.load16_u (i32.const 65534)) (i32.const 0xffff))
    ;; a byte known at run time
    (memory.fill (call $i (i32.const 400)) (call $i (i32.const 0x7c)) (call $i (i32.const 3)))
    (call $eq (i32.load (i32.const 400)) (i32.const 0x007c7c7c))))
