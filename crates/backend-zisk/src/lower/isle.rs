//! The Rust side of the ISLE rules: the generated code, and what its extern extractors
//! see of CLIF and its extern constructors do (`impl generated::Context`).

use cranelift_codegen::ir::condcodes::{FloatCC, IntCC};
use cranelift_codegen::ir::immediates::{Ieee16, Ieee32, Ieee64, Offset32, Uimm8};
use cranelift_codegen::ir::{
    self, types, AtomicRmwOp, BlockCall, Constant, DynamicStackSlot, ExceptionTable, FuncRef,
    GlobalValue, Immediate, InstructionData, JumpTable, MemFlags, Opcode, SigRef, StackSlot,
    TrapCode, Type, Value, ValueList,
};
use smallvec::SmallVec;

use super::{defining_inst, is_pure};
use crate::float::Routine;
use crate::inst::{
    BlockIndex, BlockIndices, BlockPair, CallTarget, FuncKey, MInst, OptionReg, Reg, RegPRegs,
    TrapSite,
};
use crate::machine::ZOp;
use generated::Intrinsic;

pub type Unit = ();
pub type ValueSlice = (ValueList, usize);
pub type ValueArray2 = [Value; 2];
pub type ValueArray3 = [Value; 3];
pub type BlockArray2 = [BlockCall; 2];
pub type InstOutput = SmallVec<[Reg; 2]>;
pub type Inst = ir::Inst;

/// The generated ISLE code and the types it names.
#[allow(
    dead_code,
    unreachable_code,
    unreachable_patterns,
    unused_imports,
    unused_variables,
    non_snake_case,
    unused_mut,
    irrefutable_let_patterns,
    clippy::all
)]
pub mod generated {
    use super::*;
    extern crate alloc;
    pub use crate::float::Routine;
    pub use crate::inst::Src;
    pub use crate::machine::ZOp;
    use cranelift_codegen::ir::types::*;
    include!(concat!(env!("OUT_DIR"), "/isle_lower.rs"));
}
use super::driver::{callee_key, Lowerer};

impl generated::Context for Lowerer<'_> {
    fn pack_value_array_2(&mut self, a: Value, b: Value) -> ValueArray2 {
        [a, b]
    }
    fn unpack_value_array_2(&mut self, arr: &ValueArray2) -> (Value, Value) {
        (arr[0], arr[1])
    }
    fn pack_value_array_3(&mut self, a: Value, b: Value, c: Value) -> ValueArray3 {
        [a, b, c]
    }
    fn unpack_value_array_3(&mut self, arr: &ValueArray3) -> (Value, Value, Value) {
        (arr[0], arr[1], arr[2])
    }
    fn pack_block_array_2(&mut self, a: BlockCall, b: BlockCall) -> BlockArray2 {
        [a, b]
    }
    fn unpack_block_array_2(&mut self, arr: &BlockArray2) -> (BlockCall, BlockCall) {
        (arr[0], arr[1])
    }
    fn inst_data_value(&mut self, inst: Inst) -> (Type, InstructionData) {
        (self.func.dfg.ctrl_typevar(inst), self.func.dfg.insts[inst])
    }
    fn value_list_slice(&mut self, list: ValueList) -> ValueSlice {
        (list, 0)
    }
    fn value_slice_unwrap(&mut self, slice: ValueSlice) -> Option<(Value, ValueSlice)> {
        let (list, off) = slice;
        list.as_slice(&self.func.dfg.value_lists)
            .get(off)
            .map(|&v| (v, (list, off + 1)))
    }
    fn def_inst(&mut self, v: Value) -> Option<Inst> {
        let v = self.func.dfg.resolve_aliases(v);
        let inst = defining_inst(self.func, v)?;
        (is_pure(self.func, inst)
            && self.func.layout.inst_block(inst) == self.current_block
            && self.uses.count(v) == 1)
            .then_some(inst)
    }
    fn def_inst_any(&mut self, v: Value) -> Option<Inst> {
        let v = self.func.dfg.resolve_aliases(v);
        let inst = defining_inst(self.func, v)?;
        is_pure(self.func, inst).then_some(inst)
    }
    fn const_value(&mut self, v: Value) -> Option<u64> {
        self.constant(self.func.dfg.resolve_aliases(v))
    }
    fn value_type(&mut self, v: Value) -> Type {
        self.func.dfg.value_type(v)
    }
    fn offset32_i64(&mut self, o: Offset32) -> i64 {
        i64::from(o)
    }
    fn sinkable_fixed_load(&mut self, v: Value) -> Option<u64> {
        let v = self.func.dfg.resolve_aliases(v);
        let load = defining_inst(self.func, v)?;
        let InstructionData::Load {
            opcode: Opcode::Load,
            arg,
            offset,
            flags,
        } = self.func.dfg.insts[load]
        else {
            return None;
        };
        // An 8-byte word; or an i32 (a global) whose users read only its low half, which
        // the word's first four bytes are.
        let ty = self.func.dfg.value_type(v);
        let whole_word = ty.bytes() == 8
            || (ty == types::I32
                && (self.low32.contains(v)
                    || super::low32::is_global_slot_access(self.func, load)));
        if !whole_word || self.func.dfg.mem_flags[flags].trap_code().is_some() {
            return None;
        }
        let user = self.current_inst?;
        if self.func.layout.inst_block(load) != self.current_block || self.uses.count(v) != 1 {
            return None;
        }
        let addr = self.constant(arg)?.wrapping_add(i64::from(offset) as u64);
        if addr % 8 != 0 {
            return None;
        }
        // Nothing between the load and its user may write memory: for a user computed on an
        // edge (`sink_into_edge`), nothing up to the block's terminator.
        let user = if self.sunk.contains(&user) {
            self.func
                .layout
                .last_inst(self.func.layout.inst_block(load)?)?
        } else {
            user
        };
        let mut cursor = self.func.layout.next_inst(load);
        while let Some(i) = cursor {
            if i == user {
                return Some(addr);
            }
            let op = self.func.dfg.insts[i].opcode();
            if op.can_store() || op.is_call() || op.other_side_effects() {
                return None;
            }
            cursor = self.func.layout.next_inst(i);
        }
        None
    }
    fn zext_ok_result(&mut self, inst: Inst) -> Option<()> {
        let result = *self.func.dfg.inst_results(inst).first()?;
        self.zext_ok.contains(&result).then_some(())
    }
    fn global_slot_access(&mut self, inst: Inst) -> Option<()> {
        super::low32::is_global_slot_access(self.func, inst).then_some(())
    }
    fn no_wrap_result(&mut self, inst: Inst) -> Option<()> {
        let result = *self.func.dfg.inst_results(inst).first()?;
        self.no_wrap.contains(&result).then_some(())
    }
    fn add64_result(&mut self, inst: Inst) -> Option<()> {
        let result = *self.func.dfg.inst_results(inst).first()?;
        (self.no_wrap.contains(&result)
            || self.zext_ok.contains(&result)
            || self.low32.contains(result))
        .then_some(())
    }
    /// `v = y << c` (i32, c from 1 to 3) whose 64-bit shift of `y`'s register is `v` held
    /// sign-extended where the instruction being lowered runs: `y` held sign-extended and
    /// the shift cannot overflow (lower/ranges.rs).
    fn exact_shl(&mut self, v: Value) -> Option<(Value, u8)> {
        let at = self.current_inst?;
        let shift = defining_inst(self.func, v)?;
        let InstructionData::Binary {
            opcode: Opcode::Ishl,
            args: [y, c],
        } = self.func.dfg.insts[shift]
        else {
            return None;
        };
        let c = u8::try_from(self.constant(c)?)
            .ok()
            .filter(|c| (1..=3).contains(c))?;
        // The range of `y`, not of `v`: a check of `v` bounds the wrapped result, and says
        // nothing of whether the 64-bit shift overflowed 32 bits.
        let range = self.ranges.as_ref()?.of(y, at);
        (self.func.dfg.value_type(v) == types::I32
            && range.lo >= 0
            && range.hi << c <= i32::MAX as i64
            && self.held_sign_extended(y))
        .then_some((y, c))
    }
    /// An i32 `x` held sign-extended that is non-negative where the instruction being
    /// lowered runs (lower/ranges.rs): its register is also its zero extension.
    fn non_negative_i32(&mut self, x: Value) -> Option<Value> {
        let at = self.current_inst?;
        let ranges = self.ranges.as_ref()?;
        (self.func.dfg.value_type(x) == types::I32
            && self.held_sign_extended(x)
            && ranges.of(x, at).lo >= 0)
            .then_some(x)
    }
    fn low32_result(&mut self, inst: Inst) -> Option<()> {
        let result = *self.func.dfg.inst_results(inst).first()?;
        self.low32.contains(result).then_some(())
    }
    /// The width at which an i32 compare, min or max of `x` and `y` may be made: the full 64
    /// bits when both are held sign-extended (a constant, which becomes a sign-extended
    /// immediate, or a value neither in the low-half set nor held zero-extended). Sign
    /// extension is one-to-one and keeps both the signed and the unsigned order, so the
    /// 64-bit `eq`, `lt`, `ltu`, `le`, `leu`, `min(u)`, `max(u)` give the 32-bit answers (and
    /// a sign-extended min or max); they cost what the `_w` forms cost, but ZisK proves
    /// those with small operands (FROPS, `zisk_core::frops`) as table lookups at no
    /// operation cost, which it does not for the `_w` forms of compares.
    fn cmp_width(&mut self, ty: Type, x: Value, y: Value) -> Type {
        if ty != types::I32 || !self.compare64 {
            return ty;
        }
        if self.held_sign_extended(x) && self.held_sign_extended(y) {
            types::I64
        } else {
            ty
        }
    }
    fn cmp_for(&mut self, ty: Type, op: &ZOp) -> ZOp {
        if ty != types::I32 {
            return *op;
        }
        match op {
            ZOp::Eq => ZOp::EqW,
            ZOp::Lt => ZOp::LtW,
            ZOp::Ltu => ZOp::LtuW,
            ZOp::Le => ZOp::LeW,
            ZOp::Leu => ZOp::LeuW,
            ZOp::Min => ZOp::MinW,
            ZOp::Max => ZOp::MaxW,
            ZOp::Minu => ZOp::MinuW,
            ZOp::Maxu => ZOp::MaxuW,
            other => *other,
        }
    }
    fn is_64_or_32(&mut self, ty: Type) -> Option<Type> {
        (ty == types::I64 || ty == types::I32).then_some(ty)
    }
    fn is_narrow(&mut self, ty: Type) -> Option<Type> {
        (ty == types::I8 || ty == types::I16).then_some(ty)
    }
    fn cc_is_signed(&mut self, cc: &IntCC) -> bool {
        matches!(
            cc,
            IntCC::SignedLessThan
                | IntCC::SignedLessThanOrEqual
                | IntCC::SignedGreaterThan
                | IntCC::SignedGreaterThanOrEqual
        )
    }
    fn not_minus_one(&mut self, k: u64) -> Option<u64> {
        (k as i64 != -1 && k as i32 != -1 && k != 0).then_some(k)
    }
    fn ty_bytes(&mut self, ty: Type) -> Option<u8> {
        (ty.is_int() || ty.is_float()).then_some(ty.bytes() as u8)
    }
    fn offset_plus(&mut self, off: i64, k: u64) -> i64 {
        off.wrapping_add(k as i64)
    }
    fn ty_bits(&mut self, ty: Type) -> u64 {
        ty.bits() as u64
    }
    fn u64_and(&mut self, a: u64, b: u64) -> u64 {
        a & b
    }
    fn u64_low32(&mut self, k: u64) -> u64 {
        k & 0xffff_ffff
    }
    fn bool_xor(&mut self, a: bool, b: bool) -> bool {
        a ^ b
    }
    fn trap_int_divz(&mut self) -> TrapCode {
        TrapCode::INTEGER_DIVISION_BY_ZERO
    }
    fn trap_int_ovf(&mut self) -> TrapCode {
        TrapCode::INTEGER_OVERFLOW
    }

    fn emit_inst(&mut self, inst: &MInst) -> Unit {
        self.emit(inst.clone());
    }
    fn temp_reg(&mut self) -> Reg {
        self.new_reg()
    }
    fn trap_site_here(&mut self, code: &TrapCode) -> TrapSite {
        self.trap_site(*code)
    }
    fn branch_targets(&mut self) -> BlockPair {
        let t = self.current_targets();
        [t[0], t[1]]
    }
    fn intrinsic(&mut self, f: FuncRef) -> Option<Intrinsic> {
        use czisk_frontend as fe;
        let key = callee_key(self.func, f);
        if key.0 != fe::NS_INTRINSIC {
            return None;
        }
        Some(match key.1 {
            fe::INTRINSIC_MEMMOVE => Intrinsic::MemMove,
            fe::INTRINSIC_MEMSET => Intrinsic::MemSet,
            fe::INTRINSIC_PUTC => Intrinsic::PutC,
            fe::INTRINSIC_BLAKE2B_ROUND => Intrinsic::Blake2bRound,
            _ => Intrinsic::Precompile {
                op: precompile_op(key)?,
            },
        })
    }
    fn value_slice_empty(&mut self, (list, off): ValueSlice) -> Option<()> {
        (list.len(&self.func.dfg.value_lists) == off).then_some(())
    }
    fn has_results(&mut self, inst: Inst) -> Option<()> {
        (!self.func.dfg.inst_results(inst).is_empty()).then_some(())
    }
    fn note_call(&mut self) -> Unit {
        self.makes_calls = true;
    }
    fn reg_some(&mut self, r: Reg) -> OptionReg {
        Some(r)
    }
    fn reg_none(&mut self) -> OptionReg {
        None
    }
    fn u64_as_u8(&mut self, k: u64) -> u8 {
        k as u8
    }
    fn uart_addr(&mut self) -> i64 {
        czisk_runtime::zisk_map::UART_ADDR as i64
    }
    fn lower_call(&mut self, inst: Inst) -> InstOutput {
        self.call(inst)
    }
    fn lower_return(&mut self, slice: ValueSlice) -> InstOutput {
        self.ret(slice)
    }
    fn lower_jump(&mut self) -> Unit {
        let target = self.current_targets()[0];
        self.emit(MInst::Jump { target });
    }
    fn lower_br_table(&mut self, index: Value) -> Unit {
        let (default, targets) = match self.current_targets() {
            [default, targets @ ..] => (*default, targets.to_vec()),
            [] => unreachable!("a branch table has a default target"),
        };
        let index = self.put_value(index);
        self.emit(MInst::BrTable {
            index,
            default,
            targets,
        });
    }
    fn soft1(&mut self, routine: &Routine, ty: Type, x: Reg) -> Reg {
        self.emit_soft_call(*routine, ty, &[x])
    }
    fn soft2(&mut self, routine: &Routine, ty: Type, x: Reg, y: Reg) -> Reg {
        self.emit_soft_call(*routine, ty, &[x, y])
    }
    fn abs_mask(&mut self, ty: Type) -> u64 {
        if ty == types::F64 {
            0x7fff_ffff_ffff_ffff
        } else {
            0x7fff_ffff
        }
    }
    fn sign_mask(&mut self, ty: Type) -> u64 {
        if ty == types::F64 {
            0x8000_0000_0000_0000
        } else {
            0x8000_0000
        }
    }
    fn inf_bits(&mut self, ty: Type) -> u64 {
        if ty == types::F64 {
            0x7ff0_0000_0000_0000
        } else {
            0x7f80_0000
        }
    }
    fn canonical_nan(&mut self, ty: Type) -> u64 {
        if ty == types::F64 {
            0x7ff8_0000_0000_0000
        } else {
            0x7fc0_0000
        }
    }
    fn quiet_bit(&mut self, ty: Type) -> u64 {
        if ty == types::F64 {
            0x0008_0000_0000_0000
        } else {
            0x0040_0000
        }
    }
    fn integral_bits(&mut self, ty: Type) -> u64 {
        if ty == types::F64 {
            2f64.powi(52).to_bits()
        } else {
            2f32.powi(23).to_bits() as u64
        }
    }
    fn conv_pos_limit(&mut self, fty: Type, ity: Type, signed: bool) -> u64 {
        crate::float::conversion_limits(fty, ity, signed).0
    }
    fn conv_neg_limit(&mut self, fty: Type, ity: Type, signed: bool) -> u64 {
        crate::float::conversion_limits(fty, ity, signed).1
    }
    fn int_min(&mut self, ity: Type, signed: bool) -> u64 {
        match (signed, ity == types::I64) {
            (true, false) => i32::MIN as i64 as u64,
            (true, true) => i64::MIN as u64,
            (false, _) => 0,
        }
    }
    fn int_max(&mut self, ity: Type, signed: bool) -> u64 {
        // i32 registers hold sign-extended values: u32::MAX is all ones.
        match (signed, ity == types::I64) {
            (true, false) => i32::MAX as u64,
            (true, true) => i64::MAX as u64,
            (false, _) => u64::MAX,
        }
    }
    fn u64_sub(&mut self, a: u64, b: u64) -> u64 {
        a.wrapping_sub(b)
    }
    fn trap_bad_conversion(&mut self) -> TrapCode {
        TrapCode::BAD_CONVERSION_TO_INTEGER
    }
    fn lower_func_addr(&mut self, f: FuncRef) -> Reg {
        let dst = self.new_reg();
        let func = callee_key(self.func, f);
        self.emit(MInst::FuncAddr { dst, func });
        dst
    }
    fn stack_pointer(&mut self) -> Reg {
        let dst = self.new_reg();
        self.emit(MInst::Move { dst, src: Reg::SP });
        dst
    }
    fn put_in_reg(&mut self, v: Value) -> Reg {
        self.put_value(v)
    }
    fn output_reg(&mut self, r: Reg) -> InstOutput {
        smallvec::smallvec![r]
    }
    fn output_none(&mut self) -> InstOutput {
        SmallVec::new()
    }
}

// Names the generated code refers to.
#[allow(unused_imports)]
use {
    AtomicRmwOp as _, Constant as _, DynamicStackSlot as _, ExceptionTable as _, FloatCC as _,
    GlobalValue as _, Ieee16 as _, Ieee32 as _, Ieee64 as _, Immediate as _, IntCC as _,
    JumpTable as _, MemFlags as _, SigRef as _, Uimm8 as _,
};

/// The precompile instruction an intrinsic is (see czisk-frontend's `INTRINSIC_*`).
fn precompile_op(key: (u32, u32)) -> Option<ZOp> {
    use czisk_frontend as f;
    if key.0 != f::NS_INTRINSIC {
        return None;
    }
    Some(match key.1 {
        f::INTRINSIC_KECCAKF => ZOp::Keccak,
        f::INTRINSIC_SHA256F => ZOp::Sha256,
        f::INTRINSIC_SECP256K1_ADD => ZOp::Secp256k1Add,
        f::INTRINSIC_SECP256K1_DBL => ZOp::Secp256k1Dbl,
        f::INTRINSIC_ARITH256 => ZOp::Arith256,
        f::INTRINSIC_ARITH256_MOD => ZOp::Arith256Mod,
        f::INTRINSIC_SECP256R1_ADD => ZOp::Secp256r1Add,
        f::INTRINSIC_SECP256R1_DBL => ZOp::Secp256r1Dbl,
        f::INTRINSIC_BN254_CURVE_ADD => ZOp::Bn254CurveAdd,
        f::INTRINSIC_BN254_CURVE_DBL => ZOp::Bn254CurveDbl,
        f::INTRINSIC_BN254_COMPLEX_ADD => ZOp::Bn254ComplexAdd,
        f::INTRINSIC_BN254_COMPLEX_SUB => ZOp::Bn254ComplexSub,
        f::INTRINSIC_BN254_COMPLEX_MUL => ZOp::Bn254ComplexMul,
        f::INTRINSIC_BLS12_381_CURVE_ADD => ZOp::Bls12_381CurveAdd,
        f::INTRINSIC_BLS12_381_CURVE_DBL => ZOp::Bls12_381CurveDbl,
        f::INTRINSIC_BLS12_381_COMPLEX_ADD => ZOp::Bls12_381ComplexAdd,
        f::INTRINSIC_BLS12_381_COMPLEX_SUB => ZOp::Bls12_381ComplexSub,
        f::INTRINSIC_BLS12_381_COMPLEX_MUL => ZOp::Bls12_381ComplexMul,
        f::INTRINSIC_ARITH384_MOD => ZOp::Arith384Mod,
        f::INTRINSIC_ADD256 => ZOp::Add256,
        f::INTRINSIC_ED25519_ADD => ZOp::Ed25519Add,
        f::INTRINSIC_BABYJUBJUB_ADD => ZOp::BabyJubJubAdd,
        f::INTRINSIC_BLAKE2SF => ZOp::Blake2s,
        f::INTRINSIC_BLAKE3F => ZOp::Blake3,
        f::INTRINSIC_POSEIDON2 => ZOp::Poseidon2,
        f::INTRINSIC_POSEIDON1 => ZOp::Poseidon1,
        f::INTRINSIC_POSEIDON2_KOALABEAR => ZOp::Poseidon2KoalaBear,
        _ => return None,
    })
}
