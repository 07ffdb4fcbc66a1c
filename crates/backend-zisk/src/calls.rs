//! Which functions may be active twice at once (and so need their frame on the stack).
//!
//! The call graph has an edge for every direct call, and from every `call_indirect` to
//! every function whose address is taken and whose signature matches (wasm checks the
//! signature of an indirect call, so no other function can be reached). A function in a
//! cycle of that graph may recurse; every other function is never active twice, and its
//! frame can live at a fixed address.

use std::collections::{HashMap, HashSet};

use cranelift_codegen::ir::{self, InstructionData, Signature};
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
fn shape(sig: &Signature) -> (Vec<ir::Type>, Vec<ir::Type>) {
    (
        sig.params.iter().map(|p| p.value_type).collect(),
        sig.returns.iter().map(|p| p.value_type).collect(),
    )
}

pub fn reentrant_functions(units: &[ProgramUnit]) -> HashSet<(u32, u32)> {
    let index: HashMap<(u32, u32), usize> =
        units.iter().enumerate().map(|(i, u)| (u.key, i)).collect();
    let mut direct: Vec<Vec<usize>> = vec![Vec::new(); units.len()];
    let mut indirect_shapes: Vec<Vec<(Vec<ir::Type>, Vec<ir::Type>)>> =
        vec![Vec::new(); units.len()];
    let mut address_taken = HashSet::new();
    for (i, unit) in units.iter().enumerate() {
        let func = &unit.func;
        for block in func.layout.blocks() {
            for inst in func.layout.block_insts(block) {
                match func.dfg.insts[inst] {
                    InstructionData::Call { func_ref, .. } => {
                        if let Some(&j) = callee_key(func, func_ref).and_then(|k| index.get(&k)) {
                            direct[i].push(j);
                        }
                    }
                    InstructionData::CallIndirect { sig_ref, .. } => {
                        indirect_shapes[i].push(shape(&func.dfg.signatures[sig_ref]));
                    }
                    InstructionData::FuncAddr { func_ref, .. } => {
                        if let Some(&j) = callee_key(func, func_ref).and_then(|k| index.get(&k)) {
                            address_taken.insert(j);
                        }
                    }
                    _ => {}
                }
            }
        }
    }
    let mut by_shape: HashMap<(Vec<ir::Type>, Vec<ir::Type>), Vec<usize>> = HashMap::new();
    for &j in &address_taken {
        by_shape
            .entry(shape(&units[j].func.signature))
            .or_default()
            .push(j);
    }
    let mut edges = direct;
    for (i, shapes) in indirect_shapes.into_iter().enumerate() {
        for s in shapes {
            edges[i].extend(by_shape.get(&s).into_iter().flatten().copied());
        }
    }
    cyclic_nodes(&edges)
        .into_iter()
        .map(|i| units[i].key)
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
    use super::cyclic_nodes;

    #[test]
    fn cycles_and_self_loops_are_found() {
        // 0 -> 1 -> 2 -> 1, 3 -> 3, 4 -> 0
        let edges = vec![vec![1], vec![2], vec![1], vec![3], vec![0]];
        let mut found = cyclic_nodes(&edges);
        found.sort();
        assert_eq!(found, vec![1, 2, 3]);
    }
}
