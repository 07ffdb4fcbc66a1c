//! The whole program as CLIF, ready for either Cranelift backend: the guest's functions,
//! the runtime's implementation of each import, the two entries and the trap reporter.

use cranelift_codegen::ir::{self, UserExternalName};
use czisk_frontend::{
    TranslatedModule, WasmTrap, CALL_CONV, ENTRY_INSTANTIATE, ENTRY_MAIN, INTRINSIC_EXIT,
    INTRINSIC_MEMMOVE, INTRINSIC_MEMSET, INTRINSIC_PUTC, NS_ENTRY, NS_INTRINSIC, NS_WASM_FUNC,
};

use crate::{
    import_function, memmove_function, memset_function, trap_reporter, RuntimeEnv, RuntimeError,
};

/// Namespace of the backends' own functions (the trap reporter).
pub const NS_BACKEND: u32 = 3;
pub const TRAP_REPORTER: u32 = 0;

/// A function to compile, with its name for symbols and messages.
pub struct ProgramUnit {
    /// (namespace, index): how calls name it.
    pub key: (u32, u32),
    pub name: String,
    pub func: ir::Function,
    /// The wasm function index reported by traps in this function.
    pub trap_func_index: u32,
}

/// The environment the runtime functions see, from the module's layout.
pub fn runtime_env(module: &TranslatedModule) -> RuntimeEnv {
    RuntimeEnv {
        call_conv: CALL_CONV,
        memory_base: module.layout.memory_base,
        memory_size_addr: module.layout.memory_size_addr,
        state_addr: module.layout.runtime_state_addr,
        exit: UserExternalName::new(NS_INTRINSIC, INTRINSIC_EXIT),
        putc: UserExternalName::new(NS_INTRINSIC, INTRINSIC_PUTC),
    }
}

/// Every function of the program: imports (as runtime functions), the guest's own, the
/// entries `instantiate` and `main`, the trap reporter, and `memmove`/`memset`.
pub fn program_units(module: &mut TranslatedModule) -> Result<Vec<ProgramUnit>, RuntimeError> {
    let env = runtime_env(module);
    let mut units = Vec::new();
    for import in &module.imports {
        let name = UserExternalName::new(NS_WASM_FUNC, import.func_index);
        let func = import_function(&import.module, &import.field, &import.signature, name, &env)?;
        units.push(ProgramUnit {
            key: (NS_WASM_FUNC, import.func_index),
            name: format!("{}::{}", import.module, import.field),
            func,
            trap_func_index: import.func_index,
        });
    }
    let first_defined = module.imports.len() as u32;
    for (i, func) in std::mem::take(&mut module.functions)
        .into_iter()
        .enumerate()
    {
        let index = first_defined + i as u32;
        units.push(ProgramUnit {
            key: (NS_WASM_FUNC, index),
            name: module.func_names[index as usize].clone(),
            func,
            trap_func_index: index,
        });
    }
    for (func, (index, name)) in std::mem::take(&mut module.entry_functions)
        .into_iter()
        .zip([
            (ENTRY_INSTANTIATE, "__czisk_instantiate"),
            (ENTRY_MAIN, "__czisk_main"),
        ])
    {
        units.push(ProgramUnit {
            key: (NS_ENTRY, index),
            name: name.into(),
            func,
            trap_func_index: 0xff_ffff,
        });
    }
    let messages: Vec<&str> = WasmTrap::ALL.iter().map(|t| t.message()).collect();
    units.push(ProgramUnit {
        key: (NS_BACKEND, TRAP_REPORTER),
        name: "__czisk_trap".into(),
        func: trap_reporter(
            UserExternalName::new(NS_BACKEND, TRAP_REPORTER),
            &env,
            &messages,
        ),
        trap_func_index: 0xff_ffff,
    });
    for (index, name) in [
        (INTRINSIC_MEMMOVE, "__czisk_memmove"),
        (INTRINSIC_MEMSET, "__czisk_memset"),
    ] {
        let key = UserExternalName::new(NS_INTRINSIC, index);
        let func = if index == INTRINSIC_MEMMOVE {
            memmove_function(key, &env)
        } else {
            memset_function(key, &env)
        };
        units.push(ProgramUnit {
            key: (NS_INTRINSIC, index),
            name: name.into(),
            func,
            trap_func_index: 0xff_ffff,
        });
    }
    Ok(units)
}
