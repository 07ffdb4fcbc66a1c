//! The float routines of the zisk backend: `crates/softfloat` compiled to wasm32 by this
//! crate's build script, translated to CLIF by czisk's own frontend, and offered as program
//! functions in namespace [`NS_FLOAT`] (index = the routine's wasm function index). The
//! backend calls a routine by its export name (`f64_add`, `f32_sqrt`, ...) and adds the
//! routines a program calls, and only those, to the program.
//!
//! The routines are pure: the translation is refused (a panic: the build produced a wrong
//! module) if one reads or writes memory, a global or a table, or calls anything but
//! another routine. Their entry check of the call stack is dropped: a routine is a leaf or
//! calls only routines, and the code calling it has checked the stack on its own entry.

use std::collections::HashMap;
use std::sync::OnceLock;

use cranelift_codegen::ir::{self, ExternalName, InstructionData, Opcode, UserExternalName};
use czisk_frontend::{translate_module, LayoutConfig, WasmTrap, NS_WASM_FUNC};

use crate::program::ProgramUnit;

/// Namespace of the float routines.
pub const NS_FLOAT: u32 = 4;

static WASM: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/softfloat.wasm"));

struct Library {
    /// Every function of the module, by wasm function index, with its name.
    functions: Vec<(String, ir::Function)>,
    exports: HashMap<String, u32>,
}

fn library() -> &'static Library {
    static LIBRARY: OnceLock<Library> = OnceLock::new();
    LIBRARY.get_or_init(|| {
        let info = czisk_frontend::module::read_module(WASM).expect("the float routines validate");
        let exports = info
            .exports
            .iter()
            .filter(|(_, kind, _)| *kind == wasmparser::ExternalKind::Func)
            .map(|(name, _, index)| (name.clone(), *index))
            .collect();
        let mut module =
            translate_module(WASM, &LayoutConfig::zisk()).expect("the float routines translate");
        assert!(
            module.imports.is_empty(),
            "the float routines import {:?}",
            module.imports.iter().map(|i| &i.field).collect::<Vec<_>>()
        );
        let functions = std::mem::take(&mut module.functions)
            .into_iter()
            .enumerate()
            .map(|(index, mut func)| {
                let name = module.func_names[index].clone();
                make_routine(&mut func, &name);
                (name, func)
            })
            .collect();
        Library { functions, exports }
    })
}

/// Renames the function and its callees into [`NS_FLOAT`], drops the stack check, and
/// checks purity.
fn make_routine(func: &mut ir::Function, name: &str) {
    if let ir::UserFuncName::User(n) = &func.name {
        func.name = ir::UserFuncName::User(UserExternalName::new(NS_FLOAT, n.index));
    }
    let refs: Vec<_> = func.params.user_named_funcs().keys().collect();
    for r in refs {
        let n = func.params.user_named_funcs()[r].clone();
        assert_eq!(
            n.namespace, NS_WASM_FUNC,
            "float routine {name} calls {n:?}"
        );
        func.params
            .reset_user_func_name(r, UserExternalName::new(NS_FLOAT, n.index));
    }
    let mut stack_checks = Vec::new();
    for block in func.layout.blocks() {
        for inst in func.layout.block_insts(block) {
            let data = &func.dfg.insts[inst];
            match data.opcode() {
                Opcode::Trapnz => {
                    if let InstructionData::CondTrap { code, .. } = data {
                        if *code == WasmTrap::StackOverflow.code() {
                            stack_checks.push(inst);
                        }
                    }
                }
                op if op.can_load() || op.can_store() => {
                    panic!("float routine {name} accesses memory ({op})")
                }
                Opcode::CallIndirect | Opcode::ReturnCallIndirect => {
                    panic!("float routine {name} makes an indirect call")
                }
                _ => {}
            }
        }
    }
    for inst in stack_checks {
        func.layout.remove_inst(inst);
    }
    for (_, ext) in func.dfg.ext_funcs.iter() {
        if let ExternalName::User(r) = ext.name {
            assert_eq!(func.params.user_named_funcs()[r].namespace, NS_FLOAT);
        }
    }
}

/// The key of the routine exported as `name`.
pub fn routine_key(name: &str) -> (u32, u32) {
    match library().exports.get(name) {
        Some(&index) => (NS_FLOAT, index),
        None => panic!("no float routine {name}"),
    }
}

/// The program function for the routine with key `(NS_FLOAT, index)`.
pub fn routine_unit(index: u32) -> ProgramUnit {
    let (name, func) = &library().functions[index as usize];
    let name = library()
        .exports
        .iter()
        .find(|(_, &i)| i == index)
        .map(|(n, _)| format!("__czisk_{n}"))
        .unwrap_or_else(|| format!("__czisk_softfloat_{name}"));
    ProgramUnit {
        key: (NS_FLOAT, index),
        name,
        func: func.clone(),
        trap_func_index: 0xff_ffff,
    }
}
