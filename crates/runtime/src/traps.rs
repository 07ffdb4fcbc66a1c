//! The trap reporter: what a guest does when a wasm trap happens. It prints which trap, in
//! which function, at which bytecode offset, on the console's message stream, then ends the run with exit
//! code `TRAP_EXIT_BASE + kind`.

use cranelift_codegen::ir::condcodes::IntCC;
use cranelift_codegen::ir::{
    self, types, BlockCall, InstBuilder, JumpTableData, UserExternalName, Value,
};

use crate::emit::{build, Emitter};
use crate::{put_str, RuntimeEnv};

/// Exit codes of trapped runs: this plus the trap kind's index.
pub const TRAP_EXIT_BASE: u64 = 0x100;

/// `trap(kind_and_func: i32, offset: i32)`: `kind_and_func` is `kind << 24 | function index`,
/// `messages[kind]` the trap's wording.
pub fn trap_reporter(name: UserExternalName, env: &RuntimeEnv, messages: &[&str]) -> ir::Function {
    let mut sig = ir::Signature::new(env.call_conv);
    sig.params.push(ir::AbiParam::new(types::I32));
    sig.params.push(ir::AbiParam::new(types::I32));
    build(name, sig, env, |e| {
        let (packed, offset) = (e.param(0), e.param(1));
        let kind = e.b.ins().ushr_imm_u(packed, 24);
        let func = e.b.ins().band_imm_u(packed, 0x00ff_ffff);
        crate::console::put_message(e, "wasm trap: ");
        let tail = e.b.create_block();
        let unknown = e.b.create_block();
        let blocks: Vec<ir::Block> = messages.iter().map(|_| e.b.create_block()).collect();
        let pool = &mut e.b.func.dfg.value_lists;
        let default = BlockCall::new(unknown, [], pool);
        let calls: Vec<BlockCall> = blocks
            .iter()
            .map(|&b| BlockCall::new(b, [], pool))
            .collect();
        let table = e.b.create_jump_table(JumpTableData::new(default, &calls));
        e.b.ins().br_table(kind, table);
        for (block, message) in blocks.iter().zip(messages) {
            e.b.switch_to_block(*block);
            put_str(e, message);
            e.b.ins().jump(tail, &[]);
        }
        e.b.switch_to_block(unknown);
        put_str(e, "unknown trap");
        e.b.ins().jump(tail, &[]);
        e.b.switch_to_block(tail);
        put_str(e, " in function 0x");
        put_hex(e, func);
        put_str(e, " at offset 0x");
        put_hex(e, offset);
        put_str(e, "\n");
        let code = e.b.ins().iadd_imm_u(kind, TRAP_EXIT_BASE as i64);
        crate::call_exit(e, code);
    })
}

/// Eight hex digits of an i32.
fn put_hex(e: &mut Emitter, value: Value) {
    for shift in (0..8).rev().map(|n| n * 4) {
        let nibble = e.b.ins().ushr_imm_u(value, shift);
        let nibble = e.b.ins().band_imm_u(nibble, 0xf);
        let is_digit = e.b.ins().icmp_imm_u(IntCC::UnsignedLessThan, nibble, 10);
        let digit = e.b.ins().iadd_imm_u(nibble, b'0' as i64);
        let letter = e.b.ins().iadd_imm_u(nibble, (b'a' - 10) as i64);
        let ch = e.b.ins().select(is_digit, digit, letter);
        crate::call_intrinsic(e, e.env.putc.clone(), ch);
    }
}
