//! `loop_invariants` on hand-built CLIF: a loop header's check of an invariant end against
//! the memory size moves to the preheader only as `trapnz(end > size)`, the form whose
//! passing stays passing as memory grows.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    types, AbiParam, AliasRegionData, Block, ExtFuncData, ExternalName, Function, InstBuilder,
    InstructionData, MemFlagsData, Opcode, Signature, TrapCode, UserExternalName, UserFuncName,
};
use cranelift_codegen::isa::{CallConv, TargetFrontendConfig};
use cranelift_frontend::{FunctionBuilder, FunctionBuilderContext};
use czisk_midend::loop_invariants::hoist_loop_invariants;
use target_lexicon::PointerWidth;

/// The frontend's alias region of the memory-size word (`MEMORY_SIZE_REGION_ID`; the
/// `trapnz` case checks that the pass recognizes it).
const MEMORY_SIZE_REGION_ID: u32 = 2;

/// `f(end)`: a loop whose header reads the memory size, checks `end > size` with `opcode`,
/// calls a function that may grow memory, and repeats while the size is non-zero. Returns
/// the function and its header.
fn loop_with_check(opcode: Opcode) -> (Function, Block) {
    let mut sig = Signature::new(CallConv::SystemV);
    sig.params.push(AbiParam::new(types::I64));
    let mut func = Function::with_name_signature(UserFuncName::testcase("f"), sig);
    let region = func.dfg.alias_regions.insert(AliasRegionData {
        user_id: MEMORY_SIZE_REGION_ID,
        description: "memory size".into(),
    });
    let mut ctx = FunctionBuilderContext::new();
    let mut b = FunctionBuilder::new(&mut func, &mut ctx);
    let (entry, header, exit) = (b.create_block(), b.create_block(), b.create_block());
    b.append_block_params_for_function_params(entry);
    b.switch_to_block(entry);
    let end = b.block_params(entry)[0];
    b.ins().jump(header, &[]);
    b.switch_to_block(header);
    let addr = b.ins().iconst(types::I64, 0xa040_1000);
    let flags = MemFlagsData::trusted().with_alias_region(Some(region));
    let size = b.ins().load(types::I64, flags, addr, 0);
    let beyond = b.ins().icmp(IntCC::UnsignedGreaterThan, end, size);
    let code = TrapCode::HEAP_OUT_OF_BOUNDS;
    match opcode {
        Opcode::Trapnz => b.ins().trapnz(beyond, code),
        Opcode::Trapz => b.ins().trapz(beyond, code),
        _ => unreachable!(),
    };
    // A call in the loop (memory.grow is one): the size may change from one iteration to
    // the next.
    let signature = b.import_signature(Signature::new(CallConv::SystemV));
    let name = b
        .func
        .declare_imported_user_function(UserExternalName::new(0, 0));
    let grow = b.import_function(ExtFuncData {
        name: ExternalName::User(name),
        signature,
        colocated: true,
        patchable: false,
    });
    b.ins().call(grow, &[]);
    b.ins().brif(size, header, &[], exit, &[]);
    b.switch_to_block(exit);
    b.ins().return_(&[]);
    b.seal_all_blocks();
    b.finalize(TargetFrontendConfig {
        default_call_conv: CallConv::SystemV,
        pointer_width: PointerWidth::U64,
        page_size_align_log2: 12,
    });
    (func, header)
}

fn traps_in(func: &Function, block: Block) -> Vec<Opcode> {
    func.layout
        .block_insts(block)
        .filter(|&i| matches!(func.dfg.insts[i], InstructionData::CondTrap { .. }))
        .map(|i| func.dfg.insts[i].opcode())
        .collect()
}

#[test]
fn a_size_check_moves_out_of_the_loop_only_as_trapnz() {
    // trapnz(end > size): passing before the loop, it passes on every iteration.
    let (mut func, header) = loop_with_check(Opcode::Trapnz);
    let entry = func.layout.entry_block().unwrap();
    assert!(hoist_loop_invariants(&mut func) > 0, "{}", func.display());
    assert_eq!(
        traps_in(&func, entry),
        [Opcode::Trapnz],
        "{}",
        func.display()
    );
    assert!(traps_in(&func, header).is_empty(), "{}", func.display());

    // trapz(end > size) traps once the size reaches the end: memory.grow in the loop can
    // make a check that passed before the loop fail on a later iteration. It stays.
    let (mut func, header) = loop_with_check(Opcode::Trapz);
    let entry = func.layout.entry_block().unwrap();
    hoist_loop_invariants(&mut func);
    assert!(traps_in(&func, entry).is_empty(), "{}", func.display());
    assert_eq!(
        traps_in(&func, header),
        [Opcode::Trapz],
        "{}",
        func.display()
    );
}
