;; expect: ok
(module
  ;; Float-to-integer edges: saturation (ZisK's float library saturates f32 overflow to the
  ;; wrong bound, so the ZisK backend clamps on the bits), NaN, the exact range limits,
  ;; and rounding to integral values with their signs.
  (func $eq (param i32 i32) (if (i32.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func $eq64 (param i64 i64) (if (i64.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func $f (param f64) (result f64) (local.get 0))
  (func $g (param f32) (result f32) (local.get 0))
  (func (export "_start")
    (call $eq (i32.trunc_sat_f32_s (call $g (f32.const 3e9))) (i32.const 0x7fffffff))
    (call $eq (i32.trunc_sat_f32_s (call $g (f32.const -3e9))) (i32.const 0x80000000))
    (call $eq (i32.trunc_sat_f32_u (call $g (f32.const 5e9))) (i32.const -1))
    (call $eq (i32.trunc_sat_f32_u (call $g (f32.const -0.5))) (i32.const 0))
    (call $eq (i32.trunc_sat_f32_s (call $g (f32.const nan))) (i32.const 0))
    (call $eq (i32.trunc_sat_f64_u (call $f (f64.const 4294967295.5))) (i32.const -1))
    (call $eq (i32.trunc_f64_u (call $f (f64.const 4294967295.5))) (i32.const -1))
    (call $eq (i32.trunc_f64_s (call $f (f64.const -2147483648.9))) (i32.const 0x80000000))
    (call $eq64 (i64.trunc_sat_f32_s (call $g (f32.const 1e19))) (i64.const 0x7fffffffffffffff))
    (call $eq64 (i64.trunc_sat_f64_u (call $f (f64.const -1))) (i64.const 0))
    (call $eq64 (i64.trunc_sat_f64_s (call $f (f64.const -1e19))) (i64.const 0x8000000000000000))
    (call $eq64 (i64.trunc_f32_s (call $g (f32.const -9.2233720e18))) (i64.const 0x8000000000000000))
    (call $eq64 (i64.reinterpret_f64 (f64.ceil (call $f (f64.const -0.5)))) (i64.const 0x8000000000000000))
    (call $eq64 (i64.reinterpret_f64 (f64.trunc (call $f (f64.const 1e300)))) (i64.reinterpret_f64 (f64.const 1e300)))
    (call $eq (i32.reinterpret_f32 (f32.nearest (call $g (f32.const 3.5)))) (i32.reinterpret_f32 (f32.const 4)))
    (call $eq (i32.reinterpret_f32 (f32.floor (call $g (f32.const -0.25)))) (i32.reinterpret_f32 (f32.const -1)))
    (call $eq (i32.reinterpret_f32 (f32.max (call $g (f32.const nan)) (f32.const 1))) (i32.const 0x7fc00000))
    (call $eq (f32.eq (call $g (f32.const 0.1)) (f32.const 0.1)) (i32.const 1))
    (call $eq (f32.ge (call $g (f32.const -0)) (f32.const 0)) (i32.const 1))))
