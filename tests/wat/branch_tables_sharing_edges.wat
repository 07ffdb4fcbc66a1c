;; expect: ok
(module
  ;; Branch tables whose entries repeat a target: entries to a block joined from elsewhere,
  ;; to a block only the table reaches, and a table whose every entry goes to one block
  ;; (its edge split all the same: the index is read at the branch). Values live across the
  ;; tables (in registers the edges must move) check that each target is entered with the
  ;; right state.
  (func $id (param i64) (result i64) (local.get 0))
  (func $dispatch (param $i i32) (param $a i64) (param $b i64) (result i64)
    (local $r i64)
    (block $joined
      (block $only_table
        (block $default
          ;; entries 0, 2, 4 go to $joined, which the fallthrough below also reaches;
          ;; 1 and 3 only to $only_table
          (br_table $joined $only_table $joined $only_table $joined $default (local.get $i)))
        ;; default
        (local.set $r (i64.add (local.get $a) (i64.const 1000)))
        (br $joined))
      ;; only from the table
      (local.set $r (i64.mul (local.get $b) (i64.const 3)))
      (return (i64.add (local.get $r) (local.get $a))))
    ;; joined: from entries 0, 2, 4 (r = 0) and from the default (r = a + 1000)
    (i64.add (i64.add (local.get $r) (local.get $b)) (i64.mul (local.get $a) (i64.const 7))))
  (func $single (param $i i32) (param $a i64) (result i64)
    (local $x i64)
    (local.set $x (call $id (local.get $a)))
    (block $out
      (loop $again
        ;; every entry to one block, which the loop's back edge also reaches
        (block $t (br_table $t $t $t (local.get $i)))
        (local.set $x (i64.add (local.get $x) (i64.const 5)))
        (local.set $i (i32.sub (local.get $i) (i32.const 1)))
        (br_if $again (i32.gt_s (local.get $i) (i32.const 0)))))
    (local.get $x))
  (func $check (param i64 i64) (if (i64.ne (local.get 0) (local.get 1)) (then unreachable)))
  (func (export "_start")
    ;; a = 10, b = 20: joined with r = 0 -> 20 + 70 = 90; only_table -> 60 + 10 = 70;
    ;; default -> 1010 + 20 + 70 = 1100
    (call $check (call $dispatch (i32.const 0) (i64.const 10) (i64.const 20)) (i64.const 90))
    (call $check (call $dispatch (i32.const 1) (i64.const 10) (i64.const 20)) (i64.const 70))
    (call $check (call $dispatch (i32.const 2) (i64.const 10) (i64.const 20)) (i64.const 90))
    (call $check (call $dispatch (i32.const 3) (i64.const 10) (i64.const 20)) (i64.const 70))
    (call $check (call $dispatch (i32.const 4) (i64.const 10) (i64.const 20)) (i64.const 90))
    (call $check (call $dispatch (i32.const 5) (i64.const 10) (i64.const 20)) (i64.const 1100))
    (call $check (call $dispatch (i32.const -1) (i64.const 10) (i64.const 20)) (i64.const 1100))
    (call $check (call $single (i32.const 3) (i64.const 1)) (i64.const 16))
    (call $check (call $single (i32.const 0) (i64.const 1)) (i64.const 6))))
