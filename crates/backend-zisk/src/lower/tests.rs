//! Lowering on hand-built CLIF: what edge sinking (`sink_into_edge`) may move past the end
//! of a block. The mid-end does not place values this way today; the lowering must be right
//! whatever the placement.

use cranelift_codegen::cursor::{Cursor, FuncCursor};
use cranelift_codegen::ir::{
    types, AbiParam, BlockArg, Function, InstBuilder, MemFlagsData, Signature, UserFuncName,
};

use super::{lower_function, BlockOrder, LoweredBlock, VCode};

/// A word at a fixed address (8-aligned, in RAM).
const WORD: u64 = 0xa043_0000;

fn function(params: &[types::Type]) -> Function {
    let mut sig = Signature::new(czisk_frontend::CALL_CONV);
    sig.params.extend(params.iter().map(|&t| AbiParam::new(t)));
    Function::with_name_signature(UserFuncName::testcase("f"), sig)
}

/// The lowered code of the function's (only) edge block, as text.
fn edge_code(func: &Function, vcode: &VCode) -> Vec<String> {
    let order = BlockOrder::compute(func);
    let edges: Vec<usize> = (0..order.blocks.len())
        .filter(|&i| matches!(order.blocks[i], LoweredBlock::Edge { .. }))
        .collect();
    assert_eq!(edges.len(), 1, "{}", func.display());
    vcode.insts[vcode.blocks[edges[0]].insts.clone()]
        .iter()
        .map(|i| format!("{i:?}"))
        .collect()
}

/// `v1 = load [WORD]; v2 = v1 + 1; store p -> [WORD]; brif p, loop(v2), exit`: the add
/// moves onto the loop's back edge, after the store, so it may not read the word there (it
/// would read the stored value).
#[test]
fn a_sunk_add_does_not_read_a_word_stored_after_its_position() {
    let mut func = function(&[]);
    let (entry, header, exit) = (
        func.dfg.make_block(),
        func.dfg.make_block(),
        func.dfg.make_block(),
    );
    let p = func.dfg.append_block_param(header, types::I64);
    let mut pos = FuncCursor::new(&mut func);
    pos.insert_block(entry);
    let zero = pos.ins().iconst(types::I64, 0);
    pos.ins().jump(header, &[BlockArg::Value(zero)]);
    pos.insert_block(header);
    let addr = pos.ins().iconst(types::I64, WORD as i64);
    let old = pos.ins().load(types::I64, MemFlagsData::trusted(), addr, 0);
    let next = pos.ins().iadd_imm_s(old, 1);
    pos.ins().store(MemFlagsData::trusted(), p, addr, 0);
    pos.ins()
        .brif(p, header, &[BlockArg::Value(next)], exit, &[]);
    pos.insert_block(exit);
    pos.ins().return_(&[]);

    let vcode = lower_function(&func, false).unwrap();
    let word = format!("Mem {{ addr: {WORD} }}");
    let edge = edge_code(&func, &vcode);
    assert!(
        !edge.iter().any(|i| i.contains(&word)),
        "the edge reads the word after the store: {edge:#?}"
    );
    crate::regalloc::allocate(&vcode).unwrap();
}

/// `a = zext(x) + 8` passed only to the back edge (so computed on it), and a load from
/// `zext(x) + 16` in the block: the load may not take `a` as its base (it is not defined
/// in the block any more).
#[test]
fn an_access_does_not_take_a_base_sunk_into_an_edge() {
    let mut func = function(&[types::I32]);
    let (entry, header, exit) = (
        func.dfg.make_block(),
        func.dfg.make_block(),
        func.dfg.make_block(),
    );
    let x = func.dfg.append_block_param(entry, types::I32);
    let p = func.dfg.append_block_param(header, types::I64);
    let mut pos = FuncCursor::new(&mut func);
    pos.insert_block(entry);
    let zero = pos.ins().iconst(types::I64, 0);
    pos.ins().jump(header, &[BlockArg::Value(zero)]);
    pos.insert_block(header);
    let ext = pos.ins().uextend(types::I64, x);
    let k8 = pos.ins().iconst(types::I64, 8);
    let sibling = pos.ins().iadd(ext, k8);
    let k16 = pos.ins().iconst(types::I64, 16);
    let address = pos.ins().iadd(ext, k16);
    let loaded = pos
        .ins()
        .load(types::I64, MemFlagsData::trusted(), address, 0);
    let sum = pos.ins().iadd(loaded, p);
    pos.ins()
        .brif(sum, header, &[BlockArg::Value(sibling)], exit, &[]);
    pos.insert_block(exit);
    pos.ins().return_(&[]);

    let vcode = lower_function(&func, false).unwrap();
    crate::regalloc::allocate(&vcode).unwrap_or_else(|e| {
        panic!("{e:?}: {:#?}", vcode.insts);
    });
}
