//! `remove_dominated_checks` on hand-built functions: a check goes only when a check of the
//! same index for at least its reach dominates it, whatever order the dominator tree lists
//! a block's children in.

use cranelift_codegen::ir::{
    condcodes::IntCC, types, AbiParam, Function, InstBuilder, Signature, TrapCode, Value,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use czisk_frontend::LimitShape;
use czisk_midend::redundant_checks::{remove_dominated_checks, widen_to_anticipated_checks};

const SIZE: u64 = 65536;

fn shape() -> LimitShape {
    LimitShape {
        constant_size: Some(SIZE),
        initial_size: SIZE,
        max_size: SIZE,
        size_addr: 0xa043_0000,
        limits_addr: 0xa043_0008,
    }
}

/// A bounds check of `index` for an access of `reach` bytes, as the translator makes it.
fn check(b: &mut FunctionBuilder, index: Value, reach: u64) {
    let extended = b.ins().sextend(types::I64, index);
    let limit = b.ins().iconst(types::I64, (SIZE + 1 - reach) as i64);
    let outside = b
        .ins()
        .icmp(IntCC::UnsignedGreaterThanOrEqual, extended, limit);
    b.ins().trapnz(outside, TrapCode::HEAP_OUT_OF_BOUNDS);
}

/// `f(index, c)`: if c then { check(index, arm_reach) } else { } (or the arms the other
/// way round); then at the join, check(index, join_reach). Returns the checks removed.
fn if_then_join(
    arm_reach: u64,
    join_reach: u64,
    check_in_else: bool,
    check_before: Option<u64>,
) -> usize {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params.push(AbiParam::new(types::I32));
    sig.params.push(AbiParam::new(types::I32));
    let mut func = Function::with_name_signature(Default::default(), sig);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let entry = b.create_block();
    let (then_block, else_block, join) = (b.create_block(), b.create_block(), b.create_block());
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let index = b.block_params(entry)[0];
    let c = b.block_params(entry)[1];
    if let Some(reach) = check_before {
        check(&mut b, index, reach);
    }
    b.ins().brif(c, then_block, &[], else_block, &[]);
    for (block, checked) in [(then_block, !check_in_else), (else_block, check_in_else)] {
        b.switch_to_block(block);
        if checked {
            check(&mut b, index, arm_reach);
        }
        b.ins().jump(join, &[]);
    }
    b.switch_to_block(join);
    check(&mut b, index, join_reach);
    b.ins().return_(&[]);
    b.seal_all_blocks();
    b.finalize(czisk_frontend::frontend_config());
    remove_dominated_checks(&mut func, &shape(), true)
}

#[test]
fn a_check_on_one_arm_does_not_cover_the_join() {
    for in_else in [false, true] {
        assert_eq!(
            if_then_join(8, 4, in_else, None),
            0,
            "check in the else arm: {in_else}"
        );
    }
}

#[test]
fn a_dominating_check_covers_its_reach_and_no_further() {
    for in_else in [false, true] {
        // Entry checks 8 bytes: the arm's 8 and the join's 4 go.
        assert_eq!(if_then_join(8, 4, in_else, Some(8)), 2);
        // Entry checks 4 bytes: the arm's 8 and the join's 12 stay.
        assert_eq!(if_then_join(8, 12, in_else, Some(4)), 0);
        // Entry checks 12: both go.
        assert_eq!(if_then_join(8, 12, in_else, Some(12)), 2);
    }
}

/// `f(index, c)`: check(index, entry_reach); if c then { arm_then } else { arm_else }, each
/// arm a call (when `call_first`) and then check(index, reach) for each of its reaches;
/// returns (checks widened, checks then removed as dominated).
fn widen_if_else(entry_reach: u64, arms: [(bool, &[u64]); 2]) -> (usize, usize) {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params.push(AbiParam::new(types::I32));
    sig.params.push(AbiParam::new(types::I32));
    let mut func = Function::with_name_signature(Default::default(), sig);
    let signature = func.import_signature(Signature::new(CallConv::SystemV));
    let callee = func.import_function(cranelift_codegen::ir::ExtFuncData {
        name: cranelift_codegen::ir::ExternalName::testcase("effect"),
        signature,
        colocated: true,
        patchable: false,
    });
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let entry = b.create_block();
    let arm_blocks = [b.create_block(), b.create_block()];
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let index = b.block_params(entry)[0];
    let c = b.block_params(entry)[1];
    check(&mut b, index, entry_reach);
    b.ins().brif(c, arm_blocks[0], &[], arm_blocks[1], &[]);
    for (block, (call_first, reaches)) in arm_blocks.into_iter().zip(arms) {
        b.switch_to_block(block);
        if call_first {
            b.ins().call(callee, &[]);
        }
        for &reach in reaches {
            check(&mut b, index, reach);
        }
        b.ins().return_(&[]);
    }
    b.seal_all_blocks();
    b.finalize(czisk_frontend::frontend_config());
    let widened = widen_to_anticipated_checks(&mut func, &shape(), true);
    cranelift_codegen::verify_function(
        &func,
        &cranelift_codegen::settings::Flags::new(cranelift_codegen::settings::builder()),
    )
    .unwrap_or_else(|e| panic!("{e}\n{}", func.display()));
    (widened, remove_dominated_checks(&mut func, &shape(), true))
}

#[test]
fn a_check_widens_to_the_least_reach_both_arms_check() {
    // Both arms check 8 or more: the entry's 4 becomes 8, and the 8 goes; the 12 stays.
    assert_eq!(widen_if_else(4, [(false, &[8]), (false, &[12])]), (1, 1));
    // The farthest check of an arm counts: 16 and 12 make 12 (and the arm's 8 widens to
    // its 16, which then goes).
    assert_eq!(
        widen_if_else(4, [(false, &[8, 16]), (false, &[12])]),
        (2, 2)
    );
    // Already as wide: nothing to do.
    assert_eq!(widen_if_else(8, [(false, &[8]), (false, &[4])]), (0, 2));
}

#[test]
fn a_check_does_not_widen_past_an_arm_without_one_or_past_a_call() {
    assert_eq!(widen_if_else(4, [(false, &[8]), (false, &[])]), (0, 0));
    // The call could end the run (exit, output) before the arm's check would trap.
    assert_eq!(widen_if_else(4, [(true, &[8]), (false, &[8])]), (0, 0));
    assert_eq!(widen_if_else(4, [(false, &[8]), (true, &[8])]), (0, 0));
}

/// `f(index, c)`: check(index, 4); loop { [check(index, header_reach)]; if c break; check(index, 8) }.
fn widen_before_loop(header_reach: Option<u64>) -> usize {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params.push(AbiParam::new(types::I32));
    sig.params.push(AbiParam::new(types::I32));
    let mut func = Function::with_name_signature(Default::default(), sig);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let (entry, header, body, exit) = (
        b.create_block(),
        b.create_block(),
        b.create_block(),
        b.create_block(),
    );
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let index = b.block_params(entry)[0];
    let c = b.block_params(entry)[1];
    check(&mut b, index, 4);
    b.ins().jump(header, &[]);
    b.switch_to_block(header);
    if let Some(reach) = header_reach {
        check(&mut b, index, reach);
    }
    b.ins().brif(c, exit, &[], body, &[]);
    b.switch_to_block(body);
    check(&mut b, index, 8);
    b.ins().jump(header, &[]);
    b.switch_to_block(exit);
    b.ins().return_(&[]);
    b.seal_all_blocks();
    b.finalize(czisk_frontend::frontend_config());
    widen_to_anticipated_checks(&mut func, &shape(), true)
}

#[test]
fn a_check_widens_into_a_loop_only_to_what_its_header_checks_first() {
    // The body's check may never run (the loop may exit first, or never end).
    assert_eq!(widen_before_loop(None), 0);
    // The header's runs right after the entry's: the entry's widens to it (the header's
    // own stays at 6, the body's 8 being behind the exit test).
    assert_eq!(widen_before_loop(Some(6)), 1);
}

#[test]
fn a_check_does_not_widen_past_a_loop_that_may_not_end() {
    // check(index, 4); spin: if c goto spin; check(index, 8): with c set the run never
    // reaches the second check, so the first may not trap on its behalf.
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params.push(AbiParam::new(types::I32));
    sig.params.push(AbiParam::new(types::I32));
    let mut func = Function::with_name_signature(Default::default(), sig);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let (entry, spin, after) = (b.create_block(), b.create_block(), b.create_block());
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let index = b.block_params(entry)[0];
    let c = b.block_params(entry)[1];
    check(&mut b, index, 4);
    b.ins().jump(spin, &[]);
    b.switch_to_block(spin);
    b.ins().brif(c, spin, &[], after, &[]);
    b.switch_to_block(after);
    check(&mut b, index, 8);
    b.ins().return_(&[]);
    b.seal_all_blocks();
    b.finalize(czisk_frontend::frontend_config());
    assert_eq!(widen_to_anticipated_checks(&mut func, &shape(), true), 0);
}

/// `f(x, c)`: check(x, entry_reach); if c then { check(x + k, arm_reach) }; then at the
/// join check(x + k, join_reach) when given. `k` is the i32 immediate added (its bits).
/// Returns (checks widened, then removed as dominated), with `offsets` as given.
fn offset_checks(
    entry_reach: u64,
    k: i64,
    arm_reach: u64,
    join_reach: Option<u64>,
    offsets: bool,
) -> (usize, usize) {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params.push(AbiParam::new(types::I32));
    sig.params.push(AbiParam::new(types::I32));
    let mut func = Function::with_name_signature(Default::default(), sig);
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let (entry, then_block, join) = (b.create_block(), b.create_block(), b.create_block());
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let x = b.block_params(entry)[0];
    let c = b.block_params(entry)[1];
    check(&mut b, x, entry_reach);
    let kv = b.ins().iconst(types::I32, k);
    let shifted = b.ins().iadd(x, kv);
    b.ins().brif(c, then_block, &[], join, &[]);
    b.switch_to_block(then_block);
    check(&mut b, shifted, arm_reach);
    b.ins().jump(join, &[]);
    b.switch_to_block(join);
    if let Some(reach) = join_reach {
        check(&mut b, shifted, reach);
    }
    b.ins().return_(&[]);
    b.seal_all_blocks();
    b.finalize(czisk_frontend::frontend_config());
    let widened = widen_to_anticipated_checks(&mut func, &shape(), offsets);
    (
        widened,
        remove_dominated_checks(&mut func, &shape(), offsets),
    )
}

#[test]
fn a_check_of_x_covers_x_plus_k_up_to_its_reach_less_k() {
    // x checked for 12: x + 8 for 4 is inside, for 5 is not.
    assert_eq!(offset_checks(12, 8, 4, None, true), (0, 1));
    assert_eq!(offset_checks(12, 8, 5, None, true), (0, 0));
    // x + 0 is x.
    assert_eq!(offset_checks(4, 0, 4, None, true), (0, 1));
    // Without the switch, only the same index counts.
    assert_eq!(offset_checks(12, 8, 4, None, false), (0, 0));
}

#[test]
fn a_negative_or_huge_offset_is_no_offset() {
    // x + (-4) wraps below x (to 2^32 - 4 at x = 0): x's check says nothing of it.
    assert_eq!(offset_checks(1 << 20, -4, 4, None, true), (0, 0));
    assert_eq!(offset_checks(1 << 20, 0xffff_fffc, 4, None, true), (0, 0));
    // 2^31 and more, as an i32, is negative.
    assert_eq!(offset_checks(1 << 20, 1 << 31, 4, None, true), (0, 0));
}

#[test]
fn a_check_of_x_widens_to_x_plus_k_checked_on_every_path() {
    // Every path checks x + 8 for 4 at the join: the entry's check of x widens to 12, and
    // both checks of x + 8 (the arm's and the join's) then go.
    assert_eq!(offset_checks(4, 8, 4, Some(4), true), (1, 2));
    // Only the arm checks it: the path around the arm does not, so no widening.
    assert_eq!(offset_checks(4, 8, 4, None, true), (0, 0));
    // A negative offset widens nothing (and the arm's check does not dominate the join).
    assert_eq!(offset_checks(4, -8, 4, Some(4), true), (0, 0));
    // Nor does anything without the switch.
    assert_eq!(offset_checks(4, 8, 4, Some(4), false), (0, 0));
}
