//! `--stub-imports MODULE`: a module's function imports from MODULE turned into functions
//! of its own that do nothing and return zeros. Sightglass modules import `bench.start` and
//! `bench.end`, timing markers a host provides; stubbed, they compile (and run) like any
//! other module, which is how `czisk bench` measures compiling them.
//!
//! The stubs are appended after the module's own functions, so every function index is
//! remapped: imports kept move down past the removed ones, defined functions move down by
//! the number removed. Custom sections (names, producers) are dropped.

use crate::Error;
use wasm_encoder::reencode::{Error as ReencodeError, Reencode};
use wasm_encoder::{CodeSection, Function, FunctionSection, ImportSection, Instruction};
use wasmparser_reencode as wp;

struct Stubber<'a> {
    modules: &'a [String],
    /// New index of each old function index.
    map: Vec<u32>,
    /// The stubs' type indices and result types, in the order they are appended.
    stubs: Vec<(u32, Vec<wp::ValType>)>,
}

impl Reencode for Stubber<'_> {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, ReencodeError> {
        Ok(self.map[func as usize])
    }

    fn parse_imports(
        &mut self,
        section: &mut ImportSection,
        imports: wp::Imports<'_>,
    ) -> Result<(), ReencodeError> {
        // Every form of the section (compact or not) is read as single imports.
        for import in imports.into_iter() {
            let (_, import) = import?;
            let stubbed = matches!(import.ty, wp::TypeRef::Func(_))
                && self.modules.iter().any(|m| m == import.module);
            if !stubbed {
                section.import(import.module, import.name, self.entity_type(import.ty)?);
            }
        }
        Ok(())
    }

    fn parse_function_section(
        &mut self,
        functions: &mut FunctionSection,
        section: wp::FunctionSectionReader<'_>,
    ) -> Result<(), ReencodeError> {
        for ty in section {
            functions.function(ty?);
        }
        for (ty, _) in &self.stubs {
            functions.function(*ty);
        }
        Ok(())
    }

    fn parse_code_section(
        &mut self,
        code: &mut CodeSection,
        section: wp::CodeSectionReader<'_>,
    ) -> Result<(), ReencodeError> {
        for body in section {
            self.parse_function_body(code, body?)?;
        }
        for (_, results) in &self.stubs {
            let mut f = Function::new([]);
            for ty in results {
                f.instruction(&match ty {
                    wp::ValType::I32 => Instruction::I32Const(0),
                    wp::ValType::I64 => Instruction::I64Const(0),
                    wp::ValType::F32 => Instruction::F32Const(0.0.into()),
                    wp::ValType::F64 => Instruction::F64Const(0.0.into()),
                    _ => Instruction::Unreachable,
                });
            }
            f.instruction(&Instruction::End);
            code.function(&f);
        }
        Ok(())
    }

    fn parse_custom_section(
        &mut self,
        _module: &mut wasm_encoder::Module,
        _section: wp::CustomSectionReader<'_>,
    ) -> Result<(), ReencodeError> {
        Ok(())
    }
}

/// `wasm` with its function imports from `modules` defined as stubs; `wasm` itself when it
/// has none.
pub(crate) fn stub_imports(wasm: &[u8], modules: &[String]) -> Result<Vec<u8>, Error> {
    stub(wasm, modules).map_err(|e| Error::BadWasm(format!("--stub-imports: {e}")))
}

fn stub(wasm: &[u8], modules: &[String]) -> Result<Vec<u8>, String> {
    if modules.is_empty() {
        return Ok(wasm.to_vec());
    }
    let mut types: Vec<Vec<wp::ValType>> = Vec::new();
    let mut imports: Vec<(bool, u32)> = Vec::new();
    let mut defined = 0u32;
    let mut has_code = false;
    for payload in wp::Parser::new(0).parse_all(wasm) {
        match payload.map_err(|e| e.to_string())? {
            wp::Payload::TypeSection(r) => {
                for ty in r.into_iter_err_on_gc_types() {
                    types.push(ty.map_err(|e| e.to_string())?.results().to_vec());
                }
            }
            wp::Payload::ImportSection(r) => {
                for import in r.into_imports() {
                    let import = import.map_err(|e| e.to_string())?;
                    if let wp::TypeRef::Func(ty) = import.ty {
                        imports.push((modules.iter().any(|m| m == import.module), ty));
                    }
                }
            }
            wp::Payload::FunctionSection(r) => defined = r.count(),
            wp::Payload::CodeSectionStart { .. } => has_code = true,
            _ => {}
        }
    }
    let removed = imports.iter().filter(|(s, _)| *s).count() as u32;
    if removed == 0 {
        return Ok(wasm.to_vec());
    }
    if !has_code {
        return Err("a module without a code section".into());
    }
    let kept = imports.len() as u32 - removed;
    let mut map = Vec::new();
    let mut stubs = Vec::new();
    let (mut next_kept, mut next_stub) = (0u32, kept + defined);
    for &(stubbed, ty) in &imports {
        if stubbed {
            map.push(next_stub);
            next_stub += 1;
            let results = types.get(ty as usize).cloned().unwrap_or_default();
            stubs.push((ty, results));
        } else {
            map.push(next_kept);
            next_kept += 1;
        }
    }
    map.extend((0..defined).map(|i| kept + i));
    let mut stubber = Stubber {
        modules,
        map,
        stubs,
    };
    let mut module = wasm_encoder::Module::new();
    stubber
        .parse_core_module(&mut module, wp::Parser::new(0), wasm)
        .map_err(|e| format!("{e:?}"))?;
    Ok(module.finish())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The stubs replace the imports, calls follow the remapped indices, and the module
    /// validates and computes what it did with the imports doing nothing.
    #[test]
    fn bench_imports_become_functions_that_do_nothing() {
        let wasm = wat::parse_str(
            r#"(module
  (import "bench" "start" (func $start))
  (import "env" "f" (func $f (param i32) (result i32)))
  (import "bench" "end" (func $end (result i64)))
  (table 2 funcref) (elem (i32.const 0) func $g $end)
  (func $g (export "g") (result i32)
    call $start
    (drop (call $end))
    (call $f (i32.const 5))))"#,
        )
        .unwrap();
        let out = stub_imports(&wasm, &["bench".into()]).unwrap();
        wp::Validator::new().validate_all(&out).unwrap();
        let text = wasmprinter_like(&out);
        assert_eq!(text.imports, vec![("env".to_string(), "f".to_string())]);
        assert_eq!(text.defined, 3);
    }

    struct Summary {
        imports: Vec<(String, String)>,
        defined: u32,
    }

    fn wasmprinter_like(wasm: &[u8]) -> Summary {
        let mut s = Summary {
            imports: vec![],
            defined: 0,
        };
        for payload in wp::Parser::new(0).parse_all(wasm) {
            match payload.unwrap() {
                wp::Payload::ImportSection(r) => {
                    for i in r.into_imports() {
                        let i = i.unwrap();
                        s.imports.push((i.module.into(), i.name.into()));
                    }
                }
                wp::Payload::FunctionSection(r) => s.defined = r.count(),
                _ => {}
            }
        }
        s
    }
}
