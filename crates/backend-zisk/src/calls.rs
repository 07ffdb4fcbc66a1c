//! Which functions may be active twice at once (and so need their frame on the stack).
//!
//! The call graph has an edge for every direct call, and from every `call_indirect` to
//! every function whose address is taken and whose signature matches (wasm checks the
//! signature of an indirect call, so no other function can be reached). A function in a
//! cycle of that graph may recurse; every other function is never active twice, and its
//! frame can live at a fixed address.

use rustc_hash::{FxHashMap, FxHashSet};

use cranelift_codegen::ir::{self, InstructionData, Signature};
use czisk_frontend::{NS_ENTRY, NS_WASM_FUNC};
use czisk_runtime::program::ProgramUnit;

fn callee_key(func: &ir::Function, f: ir::FuncRef) -> Option<(u32, u32)> {
    match &func.dfg.ext_funcs[f].name {
        ir::ExternalName::User(name) => {
            let n = &func.params.user_named_funcs()[*name];
            Some((n.namespace, n.index))
        }
        _ => None,
    }
}

/// The parameter and result types: what a `call_indirect` signature check compares.
type Shape = (Vec<ir::Type>, Vec<ir::Type>);

fn shape(sig: &Signature) -> Shape {
    (
        sig.params.iter().map(|p| p.value_type).collect(),
        sig.returns.iter().map(|p| p.value_type).collect(),
    )
}

/// What the call graph needs of one function, so that its CLIF need not be kept.
#[derive(Clone)]
pub struct CallSummary {
    pub key: (u32, u32),
    /// Its signature's shape.
    shape: Shape,
    /// The functions it calls directly.
    direct: Vec<(u32, u32)>,
    /// The signatures of its indirect calls (each once).
    indirect: Vec<Shape>,
    /// The functions whose address it takes.
    address_taken: Vec<(u32, u32)>,
}

/// The calls, indirect calls and address-takings of `func`.
pub fn summarize(key: (u32, u32), func: &ir::Function) -> CallSummary {
    let mut summary = CallSummary {
        key,
        shape: shape(&func.signature),
        direct: Vec::new(),
        indirect: Vec::new(),
        address_taken: Vec::new(),
    };
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            match func.dfg.insts[inst] {
                InstructionData::Call { func_ref, .. } => {
                    summary.direct.extend(callee_key(func, func_ref));
                }
                InstructionData::CallIndirect { sig_ref, .. } => {
                    let s = shape(&func.dfg.signatures[sig_ref]);
                    if !summary.indirect.contains(&s) {
                        summary.indirect.push(s);
                    }
                }
                InstructionData::FuncAddr { func_ref, .. } => {
                    summary.address_taken.extend(callee_key(func, func_ref));
                }
                _ => {}
            }
        }
    }
    summary
}

/// The summary of defined wasm function `key` from its body's calls, before it is
/// translated.
pub fn from_wasm(key: (u32, u32), calls: czisk_frontend::FunctionCalls) -> CallSummary {
    let wasm_func = |index| (NS_WASM_FUNC, index);
    CallSummary {
        key,
        shape: shape(&calls.signature),
        direct: calls.direct.into_iter().map(wasm_func).collect(),
        indirect: calls.indirect.iter().map(shape).collect(),
        address_taken: calls.referenced.into_iter().map(wasm_func).collect(),
    }
}

impl CallSummary {
    /// Panics unless `translated` (the summary of the function's CLIF) has no edge this
    /// one lacks: the call graph was built from this one, and a call it missed could give
    /// a recursive function a static frame. Calls outside the program's wasm functions and
    /// entries (runtime intrinsics, the trap reporter, float routines) never lead back
    /// into them, and are not edges that matter. The tests' builds (feature validate-ssa)
    /// also check the converse: an edge the CLIF lacks costs static frames.
    pub fn assert_covers(&self, translated: &CallSummary) {
        let matters = |k: &&(u32, u32)| k.0 == NS_WASM_FUNC || k.0 == NS_ENTRY;
        let calls: FxHashSet<_> = translated.direct.iter().filter(matters).collect();
        let expected_calls: FxHashSet<_> = self.direct.iter().collect();
        let shapes: FxHashSet<_> = translated.indirect.iter().collect();
        let expected_shapes: FxHashSet<_> = self.indirect.iter().collect();
        let addresses: FxHashSet<_> = translated.address_taken.iter().collect();
        let expected_addresses: FxHashSet<_> = self.address_taken.iter().collect();
        let covered = calls.is_subset(&expected_calls)
            && shapes.is_subset(&expected_shapes)
            && addresses.is_subset(&expected_addresses);
        assert!(
            covered && self.shape == translated.shape,
            "function {:?}: its CLIF makes calls its wasm body's summary lacks",
            self.key
        );
        if cfg!(feature = "validate-ssa") {
            assert!(
                calls == expected_calls
                    && shapes == expected_shapes
                    && addresses == expected_addresses,
                "function {:?}: its wasm body's summary has calls its CLIF lacks",
                self.key
            );
        }
    }
}

pub fn reentrant_functions(units: &[ProgramUnit]) -> FxHashSet<(u32, u32)> {
    let summaries: Vec<CallSummary> = units.iter().map(|u| summarize(u.key, &u.func)).collect();
    reentrant(&summaries)
}

/// The functions that may be active twice, from every function's summary. An indirect
/// call goes through a node of its signature's shape, with an edge to every function of
/// that shape whose address is taken: the same cycles as an edge from each call to each
/// such function, in edges linear in the calls rather than their product.
pub fn reentrant(summaries: &[CallSummary]) -> FxHashSet<(u32, u32)> {
    let n = summaries.len();
    let index: FxHashMap<(u32, u32), usize> = summaries
        .iter()
        .enumerate()
        .map(|(i, u)| (u.key, i))
        .collect();
    let mut edges: Vec<Vec<usize>> = vec![Vec::new(); n];
    let mut shape_nodes: FxHashMap<Shape, usize> = FxHashMap::default();
    let mut shape_node = |edges: &mut Vec<Vec<usize>>, s: &Shape| -> usize {
        if let Some(&node) = shape_nodes.get(s) {
            return node;
        }
        edges.push(Vec::new());
        shape_nodes.insert(s.clone(), edges.len() - 1);
        edges.len() - 1
    };
    let mut address_taken = FxHashSet::default();
    for (i, summary) in summaries.iter().enumerate() {
        edges[i].extend(summary.direct.iter().filter_map(|k| index.get(k)).copied());
        address_taken.extend(
            summary
                .address_taken
                .iter()
                .filter_map(|k| index.get(k))
                .copied(),
        );
    }
    for (i, summary) in summaries.iter().enumerate() {
        for s in &summary.indirect {
            let node = shape_node(&mut edges, s);
            edges[i].push(node);
        }
    }
    for &j in &address_taken {
        let node = shape_node(&mut edges, &summaries[j].shape);
        edges[node].push(j);
    }
    cyclic_nodes(&edges)
        .into_iter()
        .filter(|&i| i < n)
        .map(|i| summaries[i].key)
        .collect()
}

/// Nodes on a cycle: members of a strongly connected component with more than one node,
/// or with an edge to itself (Tarjan's algorithm, iterative).
fn cyclic_nodes(edges: &[Vec<usize>]) -> Vec<usize> {
    let n = edges.len();
    let (mut index, mut low, mut on_stack) = (vec![usize::MAX; n], vec![0; n], vec![false; n]);
    let (mut stack, mut result, mut next) = (Vec::new(), Vec::new(), 0);
    for root in 0..n {
        if index[root] != usize::MAX {
            continue;
        }
        let mut work = vec![(root, 0usize)];
        index[root] = next;
        low[root] = next;
        next += 1;
        stack.push(root);
        on_stack[root] = true;
        while let Some(&mut (v, ref mut i)) = work.last_mut() {
            if *i < edges[v].len() {
                let w = edges[v][*i];
                *i += 1;
                if index[w] == usize::MAX {
                    index[w] = next;
                    low[w] = next;
                    next += 1;
                    stack.push(w);
                    on_stack[w] = true;
                    work.push((w, 0));
                } else if on_stack[w] {
                    low[v] = low[v].min(index[w]);
                }
            } else {
                work.pop();
                if let Some(&(parent, _)) = work.last() {
                    low[parent] = low[parent].min(low[v]);
                }
                if low[v] == index[v] {
                    let mut component = Vec::new();
                    loop {
                        let w = stack.pop().unwrap();
                        on_stack[w] = false;
                        component.push(w);
                        if w == v {
                            break;
                        }
                    }
                    if component.len() > 1 || edges[v].contains(&v) {
                        result.extend(component);
                    }
                }
            }
        }
    }
    result
}

#[cfg(test)]
mod tests {
    use super::{cyclic_nodes, reentrant, CallSummary};
    use cranelift_codegen::ir::types::{I32, I64};

    /// Indirect calls reach the address-taken functions of their shape only: f calls
    /// through (i32)->() and is such a function itself; g calls f directly and h, of
    /// another shape, indirectly; h's address is taken but nothing reaches it from h.
    #[test]
    fn indirect_calls_reach_the_address_taken_functions_of_their_shape() {
        let summary = |index, params: Vec<_>, direct, indirect, taken| CallSummary {
            key: (0, index),
            shape: (params, vec![]),
            direct,
            indirect,
            address_taken: taken,
        };
        let s32 = (vec![I32], vec![]);
        let s64 = (vec![I64], vec![]);
        let found = reentrant(&[
            summary(0, vec![I32], vec![], vec![s32.clone()], vec![]),
            summary(
                1,
                vec![],
                vec![(0, 0)],
                vec![s64.clone()],
                vec![(0, 0), (0, 2)],
            ),
            summary(2, vec![I64], vec![], vec![s32], vec![]),
        ]);
        let mut found: Vec<_> = found.into_iter().collect();
        found.sort();
        // f reaches itself; h reaches f, which does not reach h.
        assert_eq!(found, vec![(0, 0)]);
    }

    #[test]
    fn cycles_and_self_loops_are_found() {
        // 0 -> 1 -> 2 -> 1, 3 -> 3, 4 -> 0
        let edges = vec![vec![1], vec![2], vec![1], vec![3], vec![0]];
        let mut found = cyclic_nodes(&edges);
        found.sort();
        assert_eq!(found, vec![1, 2, 3]);
    }
}
