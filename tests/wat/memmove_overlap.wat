;; expect: ok
(module
  ;; memory.copy between overlapping ranges at every distance from 1 to 40 bytes, both
  ;; directions, lengths 0 to 120 and offsets 0 to 7 from 8-byte alignment: what the
  ;; runtime's memmove does in disjoint chunks of the distance (8 bytes or more apart) or
  ;; byte by byte (closer). Each case fills [0, 512) with a pattern of the address, copies,
  ;; and checks every byte of [0, 512): the destination holds the source's old bytes, the
  ;; rest is untouched.
  (memory 1)
  (func $pat (param $a i32) (result i32)
    (i32.and (i32.add (i32.mul (local.get $a) (i32.const 7)) (i32.const 3)) (i32.const 255)))
  (func $fill (local $a i32)
    (loop $next
      (i32.store8 (local.get $a) (call $pat (local.get $a)))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $a) (i32.const 512)))))
  (func $check (param $dst i32) (param $src i32) (param $len i32) (local $a i32) (local $want i32)
    (loop $next
      (local.set $want (call $pat (local.get $a)))
      (if (i32.and (i32.ge_u (local.get $a) (local.get $dst))
                   (i32.lt_u (local.get $a) (i32.add (local.get $dst) (local.get $len))))
        (then (local.set $want (call $pat (i32.add (local.get $src) (i32.sub (local.get $a) (local.get $dst)))))))
      (if (i32.ne (i32.load8_u (local.get $a)) (local.get $want)) (then unreachable))
      (local.set $a (i32.add (local.get $a) (i32.const 1)))
      (br_if $next (i32.lt_u (local.get $a) (i32.const 512)))))
  (func $case (param $dst i32) (param $src i32) (param $len i32)
    (call $fill)
    (memory.copy (local.get $dst) (local.get $src) (local.get $len))
    (call $check (local.get $dst) (local.get $src) (local.get $len)))
  (func (export "_start") (local $d i32) (local $len i32) (local $off i32) (local $base i32)
    (local.set $d (i32.const 1))
    (loop $dist
      (local.set $len (i32.const 0))
      (loop $lens
        (local.set $base (i32.add (i32.const 160) (local.get $off)))
        ;; destination below the source, then above it
        (call $case (local.get $base) (i32.add (local.get $base) (local.get $d)) (local.get $len))
        (call $case (i32.add (local.get $base) (local.get $d)) (local.get $base) (local.get $len))
        (local.set $off (i32.and (i32.add (local.get $off) (i32.const 3)) (i32.const 7)))
        (local.set $len (i32.add (local.get $len) (i32.const 13)))
        (br_if $lens (i32.le_u (local.get $len) (i32.const 120))))
      (local.set $d (i32.add (local.get $d) (i32.const 1)))
      (br_if $dist (i32.le_u (local.get $d) (i32.const 40))))))
