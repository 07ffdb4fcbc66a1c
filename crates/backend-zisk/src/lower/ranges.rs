//! What i32 values can be, and the i32 adds that therefore cannot wrap.
//!
//! i32 values are held sign-extended (see `machine.rs`), so an i32 `x + y` is `add_w`, a
//! binary operation (55 in ZisK's cost model), where the 64-bit `add` costs 21. The two
//! agree whenever both operands are held sign-extended and the 32-bit sum does not wrap.
//! [`Ranges`] bounds an i32 value from its definition (constants, narrow loads, masks,
//! shifts, sums) and from the bounds checks it has passed: a checked index is below the
//! limit it was compared with, so below the most memory the module can have
//! (`LimitShape::max_size`). A check says so at every point it dominates.
//!
//! [`no_wrap_adds`] picks the adds whose operands' ranges keep the sum inside i32 and whose
//! operands are held sign-extended; `zext_ok_values` (low32.rs) asks [`Ranges`] for the
//! non-negative addends of address sums.

use cranelift_codegen::entity::EntitySet;
use rustc_hash::{FxHashMap, FxHashSet};

use cranelift_codegen::dominator_tree::DominatorTree;
use cranelift_codegen::ir::{types, Function, Inst, InstructionData, Opcode, Value, ValueDef};
use czisk_frontend::checks::{as_bounds_check, CheckedIndex};
use czisk_frontend::LimitShape;

/// How deep a range is looked for through the definitions of values.
const MAX_DEPTH: u32 = 6;

/// A closed interval of i32 values (as i64, both ends included).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub lo: i64,
    pub hi: i64,
}

impl Range {
    const I32: Range = Range {
        lo: i32::MIN as i64,
        hi: i32::MAX as i64,
    };

    fn new(lo: i64, hi: i64) -> Range {
        Range { lo, hi }
    }

    fn fits_i32(self) -> bool {
        self.lo >= Range::I32.lo && self.hi <= Range::I32.hi
    }

    fn intersect(self, other: Range) -> Range {
        Range::new(self.lo.max(other.lo), self.hi.min(other.hi))
    }

    /// `Some` only when the result is an exact bound that did not wrap.
    fn add(self, other: Range) -> Option<Range> {
        Some(Range::new(self.lo + other.lo, self.hi + other.hi)).filter(|r| r.fits_i32())
    }

    fn sub(self, other: Range) -> Option<Range> {
        Some(Range::new(self.lo - other.hi, self.hi - other.lo)).filter(|r| r.fits_i32())
    }
}

/// The ranges of one function's i32 values, at the points where they are used.
pub struct Ranges<'a> {
    func: &'a Function,
    /// The bounds checks of each (i32) index.
    checks: FxHashMap<Value, Vec<Inst>>,
    /// The largest index a passing check allows: below every limit, so below the memory's
    /// largest size.
    checked_max: i64,
    domtree: &'a DominatorTree,
}

impl<'a> Ranges<'a> {
    pub fn new(
        func: &'a Function,
        domtree: &'a DominatorTree,
        shape: Option<&LimitShape>,
    ) -> Ranges<'a> {
        let mut checks: FxHashMap<Value, Vec<Inst>> = FxHashMap::default();
        if let Some(shape) = shape {
            for block in func.layout.blocks() {
                for inst in func.layout.block_insts(block) {
                    if let Some(check) = as_bounds_check(func, inst, shape) {
                        if let CheckedIndex::Value(index) = check.index {
                            checks.entry(index).or_default().push(inst);
                        }
                    }
                }
            }
        }
        Ranges {
            func,
            checks,
            checked_max: shape.map_or(0, |s| s.max_size.saturating_sub(1) as i64),
            domtree,
        }
    }

    /// What the i32 `v` can be when `at` runs (every i32, when nothing is known).
    pub fn of(&self, v: Value, at: Inst) -> Range {
        self.range(v, at, 0)
    }

    fn range(&self, v: Value, at: Inst, depth: u32) -> Range {
        let func = self.func;
        let v = func.dfg.resolve_aliases(v);
        let from_definition = if depth < MAX_DEPTH {
            self.defined_range(v, at, depth + 1)
        } else {
            None
        };
        let mut range = from_definition.unwrap_or(Range::I32);
        if self.checked_before(v, at) {
            range = range.intersect(Range::new(0, self.checked_max));
        }
        range
    }

    /// Whether a bounds check of `v` has passed whenever `at` runs.
    fn checked_before(&self, v: Value, at: Inst) -> bool {
        let Some(checks) = self.checks.get(&v) else {
            return false;
        };
        checks
            .iter()
            .any(|&check| check != at && self.domtree.dominates(check, at, &self.func.layout))
    }

    fn defined_range(&self, v: Value, at: Inst, depth: u32) -> Option<Range> {
        let func = self.func;
        if func.dfg.value_type(v) != types::I32 {
            return None;
        }
        let ValueDef::Result(inst, _) = func.dfg.value_def(v) else {
            return None;
        };
        let range = |x: Value| self.range(x, at, depth);
        let shift_amount = |x: Value| i32_const(func, x).map(|c| (c & 31) as u32);
        Some(match func.dfg.insts[inst] {
            InstructionData::UnaryImm {
                opcode: Opcode::Iconst,
                imm,
            } => {
                let k = imm.bits() as i32 as i64;
                Range::new(k, k)
            }
            InstructionData::Load { opcode, .. } => match opcode {
                Opcode::Uload8 => Range::new(0, u8::MAX as i64),
                Opcode::Sload8 => Range::new(i8::MIN as i64, i8::MAX as i64),
                Opcode::Uload16 => Range::new(0, u16::MAX as i64),
                Opcode::Sload16 => Range::new(i16::MIN as i64, i16::MAX as i64),
                _ => return None,
            },
            InstructionData::Unary {
                opcode: Opcode::Uextend,
                arg,
            } => match func.dfg.value_type(arg) {
                types::I8 => Range::new(0, u8::MAX as i64),
                types::I16 => Range::new(0, u16::MAX as i64),
                _ => return None,
            },
            InstructionData::Binary {
                opcode,
                args: [x, y],
            } => match opcode {
                Opcode::Iadd => range(x).add(range(y))?,
                Opcode::Isub => range(x).sub(range(y))?,
                // Both non-negative: at most the smaller; one non-negative: at most it.
                Opcode::Band => {
                    let (rx, ry) = (range(x), range(y));
                    match (rx.lo >= 0, ry.lo >= 0) {
                        (true, true) => Range::new(0, rx.hi.min(ry.hi)),
                        (true, false) => Range::new(0, rx.hi),
                        (false, true) => Range::new(0, ry.hi),
                        (false, false) => return None,
                    }
                }
                // Both non-negative: below the next power of two above either.
                Opcode::Bor | Opcode::Bxor => {
                    let (rx, ry) = (range(x), range(y));
                    if rx.lo < 0 || ry.lo < 0 {
                        return None;
                    }
                    let top = rx.hi.max(ry.hi) as u64;
                    let lo = if opcode == Opcode::Bor {
                        rx.lo.max(ry.lo)
                    } else {
                        0
                    };
                    Range::new(lo, ((top + 1).next_power_of_two() - 1) as i64)
                }
                Opcode::Ushr => {
                    let c = shift_amount(y)?;
                    let rx = range(x);
                    if rx.lo >= 0 {
                        Range::new(rx.lo >> c, rx.hi >> c)
                    } else if c > 0 {
                        Range::new(0, (u32::MAX >> c) as i64)
                    } else {
                        return None;
                    }
                }
                Opcode::Ishl => {
                    let c = shift_amount(y)?;
                    let rx = range(x);
                    let r = Range::new(rx.lo << c, rx.hi << c);
                    (rx.lo >= 0 && r.fits_i32()).then_some(r)?
                }
                _ => return None,
            },
            InstructionData::Ternary {
                opcode: Opcode::Select,
                args: [_, a, b],
            } => {
                let (ra, rb) = (range(a), range(b));
                Range::new(ra.lo.min(rb.lo), ra.hi.max(rb.hi))
            }
            _ => return None,
        })
    }
}

/// The i32 adds that may be made with the 64-bit `add`: the sum of their operands' ranges
/// does not wrap, and both operands are held sign-extended: constants, or values neither in
/// the low-half set (whose high halves may be anything) nor among the values held
/// zero-extended (`zext_ok`), unless they are such adds themselves. Those adds leave the low-half set: their 64-bit sum is
/// their sign extension, which their users may then rely on.
pub fn no_wrap_adds(
    func: &Function,
    ranges: &Ranges,
    low32: &mut EntitySet<Value>,
    zext_ok: &FxHashSet<Value>,
) -> FxHashSet<Value> {
    let mut candidates = Vec::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            if let InstructionData::Binary {
                opcode: Opcode::Iadd,
                args: [x, y],
            } = func.dfg.insts[inst]
            {
                let sum = func.dfg.first_result(inst);
                if func.dfg.value_type(sum) == types::I32
                    && ranges.of(x, inst).add(ranges.of(y, inst)).is_some()
                {
                    candidates.push((sum, [x, y].map(|a| func.dfg.resolve_aliases(a))));
                }
            }
        }
    }
    // An add's operands may be adds found here: repeat until nothing more is found.
    let mut found: FxHashSet<Value> = FxHashSet::default();
    loop {
        // Constants are sign-extended immediates (or registers loaded with one).
        let held_sign_extended = |a: &Value| {
            i32_const(func, *a).is_some()
                || found.contains(a)
                || (!low32.contains(*a) && !zext_ok.contains(a))
        };
        let new: Vec<Value> = candidates
            .iter()
            .filter(|(sum, operands)| {
                !found.contains(sum) && operands.iter().all(held_sign_extended)
            })
            .map(|&(sum, _)| sum)
            .collect();
        if new.is_empty() {
            break;
        }
        found.extend(new);
    }
    for &v in &found {
        low32.remove(v);
    }
    found
}

/// The value of the i32 constant `v`, sign-extended.
pub(super) fn i32_const(func: &Function, v: Value) -> Option<i64> {
    let ValueDef::Result(inst, _) = func.dfg.value_def(func.dfg.resolve_aliases(v)) else {
        return None;
    };
    match func.dfg.insts[inst] {
        InstructionData::UnaryImm {
            opcode: Opcode::Iconst,
            imm,
        } if func.dfg.value_type(v) == types::I32 => Some(imm.bits() as i32 as i64),
        _ => None,
    }
}
