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
        memmove_chunks: module.optimizations.memmove_chunks,
    }
}

/// A function of the program: built, or a defined wasm function still to translate.
pub enum UnitSource {
    Ready(ProgramUnit),
    /// Defined function `defined` (0 the first defined one), to be translated by the
    /// module's translator (`czisk_frontend::ModuleTranslator`).
    Defined {
        key: (u32, u32),
        name: String,
        trap_func_index: u32,
        defined: usize,
    },
}

/// Every function of the program: imports (as runtime functions), the guest's own, the
/// entries `instantiate` and `main`, the trap reporter, and `memmove`/`memset`.
pub fn program_units(module: &mut TranslatedModule) -> Result<Vec<ProgramUnit>, RuntimeError> {
    let defined = module.functions.len();
    let mut functions = std::mem::take(&mut module.functions).into_iter();
    Ok(program_unit_sources(module, defined)?
        .into_iter()
        .map(|source| match source {
            UnitSource::Ready(unit) => unit,
            UnitSource::Defined {
                key,
                name,
                trap_func_index,
                ..
            } => ProgramUnit {
                key,
                name,
                func: functions.next().expect("one function a defined unit"),
                trap_func_index,
            },
        })
        .collect())
}

/// [`program_units`] with the module's `defined` functions left to translate, in the same
/// order.
pub fn program_unit_sources(
    module: &mut TranslatedModule,
    defined: usize,
) -> Result<Vec<UnitSource>, RuntimeError> {
    let env = runtime_env(module);
    let mut units = Vec::new();
    for import in &module.imports {
        let name = UserExternalName::new(NS_WASM_FUNC, import.func_index);
        let func = import_function(&import.module, &import.field, &import.signature, name, &env)?;
        units.push(UnitSource::Ready(ProgramUnit {
            key: (NS_WASM_FUNC, import.func_index),
            name: format!("{}::{}", import.module, import.field),
            func,
            trap_func_index: import.func_index,
        }));
    }
    let first_defined = module.imports.len() as u32;
    for i in 0..defined {
        let index = first_defined + i as u32;
        units.push(UnitSource::Defined {
            key: (NS_WASM_FUNC, index),
            name: module.func_names[index as usize].clone(),
            trap_func_index: index,
            defined: i,
        });
    }
    for (func, (index, name)) in std::mem::take(&mut module.entry_functions)
        .into_iter()
        .zip([
            (ENTRY_INSTANTIATE, "__czisk_instantiate"),
            (ENTRY_MAIN, "__czisk_main"),
        ])
    {
        units.push(UnitSource::Ready(ProgramUnit {
            key: (NS_ENTRY, index),
            name: name.into(),
            func,
            trap_func_index: 0xff_ffff,
        }));
    }
    let messages: Vec<&str> = WasmTrap::ALL.iter().map(|t| t.message()).collect();
    units.push(UnitSource::Ready(ProgramUnit {
        key: (NS_BACKEND, TRAP_REPORTER),
        name: "__czisk_trap".into(),
        func: trap_reporter(
            UserExternalName::new(NS_BACKEND, TRAP_REPORTER),
            &env,
            &messages,
        ),
        trap_func_index: 0xff_ffff,
    }));
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
        units.push(UnitSource::Ready(ProgramUnit {
            key: (NS_INTRINSIC, index),
            name: name.into(),
            func,
            trap_func_index: 0xff_ffff,
        }));
    }
    Ok(units)
}
