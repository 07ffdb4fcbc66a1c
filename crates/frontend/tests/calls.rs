//! `ModuleTranslator::calls` reads from a body the calls its translation makes: none from
//! code the translator leaves out, all from code it keeps.

use std::collections::BTreeSet;

use cranelift_codegen::ir::{self, InstructionData};
use czisk_frontend::{prepare_module, LayoutConfig, NS_WASM_FUNC};

/// The wasm functions the CLIF of `func` calls and takes the address of.
fn clif_calls(func: &ir::Function) -> (BTreeSet<u32>, BTreeSet<u32>) {
    let (mut calls, mut addresses) = (BTreeSet::new(), BTreeSet::new());
    let callee = |f: ir::FuncRef| match &func.dfg.ext_funcs[f].name {
        ir::ExternalName::User(name) => {
            let n = &func.params.user_named_funcs()[*name];
            (n.namespace == NS_WASM_FUNC).then_some(n.index)
        }
        _ => None,
    };
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            match func.dfg.insts[inst] {
                InstructionData::Call { func_ref, .. } => calls.extend(callee(func_ref)),
                InstructionData::FuncAddr { func_ref, .. } => addresses.extend(callee(func_ref)),
                _ => {}
            }
        }
    }
    (calls, addresses)
}

/// For each defined function: the calls the scan finds, checked against its CLIF's.
fn scanned_calls(wat: &str) -> Vec<(Vec<u32>, Vec<u32>, usize)> {
    let wasm = wat::parse_str(wat).unwrap();
    let (_, translator) = prepare_module(&wasm, &LayoutConfig::zisk()).unwrap();
    (0..translator.len())
        .map(|i| {
            let scanned = translator.calls(i).unwrap();
            let func = translator.translate(i).unwrap();
            let direct: BTreeSet<u32> = scanned.direct.iter().copied().collect();
            let referenced: BTreeSet<u32> = scanned.referenced.iter().copied().collect();
            assert_eq!(
                (direct.clone(), referenced.clone()),
                clif_calls(&func),
                "function {i}:\n{}",
                func.display()
            );
            (
                direct.into_iter().collect(),
                referenced.into_iter().collect(),
                scanned.indirect.len(),
            )
        })
        .collect()
}

#[test]
fn calls_in_code_the_translator_leaves_out_are_not_calls() {
    let found = scanned_calls(
        r#"(module
          (type $t (func (param i32) (result i32)))
          (table 2 funcref)
          (elem declare func $leaf 1)
          (func $leaf (param i32) (result i32) (local.get 0))
          ;; 1: after br, return and unreachable, up to the construct's end.
          (func (param i32)
            (block (br 0) (drop (call $leaf (i32.const 1))))
            (if (local.get 0)
              (then (return) (drop (call_indirect (type $t) (i32.const 0) (i32.const 0))))
              (else (nop)))
            (block (unreachable) (drop (ref.func $leaf)))
            (drop (call $leaf (i32.const 3))))
          ;; 2: after a block that nothing leaves by its end, and in the blocks nested there.
          (func (param i32)
            (loop $l (br $l))
            (block (block (drop (call $leaf (i32.const 4)))))
            (drop (ref.func $leaf)))
          ;; 3: a block left by br_if / br_table reaches its end; an if without else does.
          (func (param i32) (result i32)
            (block (br_if 0 (local.get 0)) (unreachable))
            (drop (call $leaf (i32.const 5)))
            (block $a (block $b (br_table $a $b (local.get 0)))
              (drop (ref.func 1)))
            (if (local.get 0) (then (unreachable)))
            (call_indirect (type $t) (i32.const 6) (i32.const 1)))
          ;; 4: an else reached only through the if's false edge.
          (func (param i32) (result i32)
            (if (result i32) (local.get 0) (then (unreachable)) (else (call $leaf (i32.const 7))))))
        "#,
    );
    assert_eq!(
        found,
        vec![
            (vec![], vec![], 0),
            (vec![], vec![], 0),
            (vec![], vec![], 0),
            (vec![0], vec![1], 1),
            (vec![0], vec![], 0),
        ]
    );
}
