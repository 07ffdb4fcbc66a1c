//! A function's calls read from its wasm body, without translating it: what a backend's
//! call graph needs before it compiles anything.
//!
//! The translator leaves out code wasm validates but never runs (after `br`, `br_table`,
//! `return` or `unreachable`, up to the end of the construct, or after a construct nothing
//! branches or falls through to the end of), so calls there are not in its CLIF. The scan
//! follows the same rules (`translate/control.rs`) and records the calls the CLIF makes:
//! exactly its calls of wasm functions, its indirect calls' signatures and its `func_addr`s.

use cranelift_codegen::ir;
use wasmparser::{FunctionBody, Operator};

use crate::error::CompileError;
use crate::module::ModuleInfo;
use crate::precompiles::inlined_precompile;
use crate::wasm_signature;

/// A defined function's calls, as [`crate::ModuleTranslator::calls`] reads them.
#[derive(Debug, Clone)]
pub struct FunctionCalls {
    /// The function's own signature.
    pub signature: ir::Signature,
    /// The wasm functions its translation calls (a call of a precompile translated in
    /// place is not one).
    pub direct: Vec<u32>,
    /// The signatures of its indirect calls, each once.
    pub indirect: Vec<ir::Signature>,
    /// The functions whose reference it takes (`ref.func`).
    pub referenced: Vec<u32>,
}

/// A construct open at a point of the scan, as the translator tracks it for reachability.
struct Construct {
    /// Opened in unreachable code: nesting only.
    dead: bool,
    /// Branches to a loop go to its header, not its end.
    is_loop: bool,
    /// An `if` without an `else` yet: its false edge reaches the end.
    open_if: bool,
    /// Something branches or falls through to the end.
    end_reached: bool,
}

/// A branch `depth` constructs out reaches that one's end, unless it is a loop.
fn branch_to(open: &mut [Construct], depth: u32) {
    let c = open.len() - 1 - depth as usize;
    if !open[c].is_loop {
        open[c].end_reached = true;
    }
}

pub(crate) fn function_calls(
    info: &ModuleInfo,
    func_index: u32,
    body: &FunctionBody,
) -> Result<FunctionCalls, CompileError> {
    let mut calls = FunctionCalls {
        signature: wasm_signature(info.func_type(func_index)),
        direct: Vec::new(),
        indirect: Vec::new(),
        referenced: Vec::new(),
    };
    let mut indirect_types: Vec<u32> = Vec::new();
    let function = Construct {
        dead: false,
        is_loop: false,
        open_if: false,
        end_reached: false,
    };
    let mut open = vec![function];
    let mut reachable = true;
    let mut reader = body.get_operators_reader()?;
    while !reader.eof() {
        let op = reader.read()?;
        match op {
            Operator::Block { .. } | Operator::Loop { .. } | Operator::If { .. } => {
                open.push(Construct {
                    dead: !reachable,
                    is_loop: matches!(op, Operator::Loop { .. }),
                    open_if: matches!(op, Operator::If { .. }),
                    end_reached: false,
                });
            }
            Operator::Else => {
                let c = open.last_mut().expect("validated");
                if !c.dead {
                    c.end_reached |= reachable;
                    c.open_if = false;
                    reachable = true;
                }
            }
            Operator::End => {
                let c = open.pop().expect("validated");
                if !c.dead {
                    reachable = c.end_reached || reachable || c.open_if;
                }
            }
            _ if !reachable => {}
            Operator::Br { relative_depth } => {
                branch_to(&mut open, relative_depth);
                reachable = false;
            }
            Operator::BrIf { relative_depth } => branch_to(&mut open, relative_depth),
            Operator::BrTable { ref targets } => {
                for depth in targets.targets() {
                    branch_to(&mut open, depth?);
                }
                branch_to(&mut open, targets.default());
                reachable = false;
            }
            Operator::Return | Operator::Unreachable => reachable = false,
            Operator::Call { function_index }
                if inlined_precompile(info, function_index).is_none() =>
            {
                calls.direct.push(function_index)
            }
            Operator::CallIndirect { type_index, .. } if !indirect_types.contains(&type_index) => {
                indirect_types.push(type_index)
            }
            Operator::RefFunc { function_index } => calls.referenced.push(function_index),
            _ => {}
        }
    }
    calls.indirect = indirect_types
        .into_iter()
        .map(|t| wasm_signature(&info.types[t as usize]))
        .collect();
    Ok(calls)
}
