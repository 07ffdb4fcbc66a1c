//! `remove_dominated_checks` on hand-built functions: a check goes only when a check of the
//! same index for at least its reach dominates it, whatever order the dominator tree lists
//! a block's children in.

use cranelift_codegen::ir::{
    condcodes::IntCC, types, AbiParam, Function, InstBuilder, Signature, TrapCode, Value,
};
use cranelift_codegen::isa::CallConv;
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use czisk_frontend::redundant_checks::remove_dominated_checks;
use czisk_frontend::LimitShape;

const SIZE: u64 = 65536;

fn shape() -> LimitShape {
    LimitShape {
        constant_size: Some(SIZE),
        initial_size: SIZE,
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
    remove_dominated_checks(&mut func, &shape())
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
