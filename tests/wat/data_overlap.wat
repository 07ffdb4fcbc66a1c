;; expect: ok
(module
  ;; Active segments are written in order: where they overlap, the later one's bytes win,
  ;; zero bytes included (ZisK's own section layout would keep the non-zero byte).
  (memory 1)
  ;; a later all-zero segment over an earlier one
  (data (i32.const 16) "abc")
  (data (i32.const 16) "\00\00\00")
  ;; a zero inside a later segment, partly over an earlier one, across a 32-byte block
  (data (i32.const 60) "\11\22\33\44\55\66\77\88")
  (data (i32.const 62) "\00\99\00")
  ;; a chain: the middle one wins over the first, the last over both
  (data (i32.const 200) "\01\01\01\01\01\01\01\01")
  (data (i32.const 202) "\02\02\02\02\02\02\02\02")
  (data (i32.const 204) "\00\00")
  ;; an earlier segment inside a later one's range
  (data (i32.const 300) "\aa\bb")
  (data (i32.const 298) "\00\00\00\00\00\00")
  ;; a later non-zero segment inside an earlier one, zeros around
  (data (i32.const 400) "\00\00\00\00\00\00\00\00")
  (data (i32.const 403) "\7f")
  (func $eq (param i32 i32) (if (i32.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func (export "_start")
    (call $eq (i32.load (i32.const 16)) (i32.const 0))
    (call $eq (i32.load (i32.const 60)) (i32.const 0x99002211))
    (call $eq (i32.load (i32.const 64)) (i32.const 0x88776600))
    (call $eq (i32.load (i32.const 200)) (i32.const 0x02020101))
    (call $eq (i32.load (i32.const 204)) (i32.const 0x02020000))
    (call $eq (i32.load (i32.const 208)) (i32.const 0x00000202))
    (call $eq (i32.load (i32.const 212)) (i32.const 0))
    (call $eq (i32.load (i32.const 296)) (i32.const 0))
    (call $eq (i32.load (i32.const 300)) (i32.const 0))
    (call $eq (i32.load (i32.const 400)) (i32.const 0x7f000000))
    (call $eq (i32.load (i32.const 404)) (i32.const 0))))
