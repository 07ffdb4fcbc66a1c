//! Module-level information: validation against the supported feature set, and the
//! sections the translator and the backends need.

use rustc_hash::FxHashMap;

use wasmparser::{
    CompositeInnerType, ConstExpr, DataKind, ElementItems, ElementKind, ExternalKind, FuncType,
    Name, Operator, Parser, Payload, RefType, TypeRef, ValType, Validator, WasmFeatures,
};

use crate::error::CompileError;

/// WebAssembly 2.0 without SIMD, plus wide arithmetic (128-bit add, subtract and the
/// 64x64 -> 128-bit products): the scope of this compiler.
pub fn supported_features() -> WasmFeatures {
    WasmFeatures::WASM2
        .difference(WasmFeatures::SIMD)
        .union(WasmFeatures::WIDE_ARITHMETIC)
}

/// A constant initializer: the value of a global, or an offset.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum ConstValue {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
    /// A null reference.
    RefNull,
    /// A reference to this function.
    RefFunc(u32),
}

#[derive(Debug, Clone)]
pub struct GlobalInfo {
    pub ty: ValType,
    pub mutable: bool,
    pub init: ConstValue,
}

/// An element segment. Active and declarative segments count as dropped once the module
/// is instantiated; only passive ones keep their items for `table.init`.
#[derive(Debug, Clone)]
pub struct ElementSegment {
    /// (table, offset) of an active segment.
    pub active: Option<(u32, u32)>,
    pub passive: bool,
    /// Function indices; `None` is a null entry.
    pub items: Vec<Option<u32>>,
}

/// A data segment; as for elements, only passive ones survive instantiation.
#[derive(Debug, Clone)]
pub struct DataSegment {
    pub active_offset: Option<u32>,
    pub bytes: Vec<u8>,
}

/// What the translator knows about a module.
#[derive(Debug, Default)]
pub struct ModuleInfo {
    pub types: Vec<FuncType>,
    /// Type index of every function, imports first.
    pub func_types: Vec<u32>,
    /// (module, field) of each imported function, in index order.
    pub imports: Vec<(String, String)>,
    pub globals: Vec<GlobalInfo>,
    /// (initial, maximum, element type) per table.
    pub tables: Vec<(u64, Option<u64>, RefType)>,
    pub memory: Option<(u64, Option<u64>)>,
    pub exports: Vec<(String, ExternalKind, u32)>,
    pub start: Option<u32>,
    pub elements: Vec<ElementSegment>,
    pub data: Vec<DataSegment>,
    pub func_names: FxHashMap<u32, String>,
    /// (body offset range, function index), to name functions in errors.
    pub bodies: Vec<(std::ops::Range<usize>, u32)>,
}

impl ModuleInfo {
    pub fn num_imported_funcs(&self) -> u32 {
        self.imports.len() as u32
    }

    pub fn func_type(&self, func: u32) -> &FuncType {
        &self.types[self.func_types[func as usize] as usize]
    }

    /// "function 12 (name)" for messages.
    pub fn describe_func(&self, func: u32) -> String {
        match self.func_names.get(&func) {
            Some(name) => format!("function {func} ({name})"),
            None => format!("function {func}"),
        }
    }

    /// Where a byte offset of the module lies, for messages.
    pub fn describe_offset(&self, offset: usize) -> String {
        match self
            .bodies
            .iter()
            .find(|(range, _)| range.contains(&offset))
        {
            Some((_, func)) => format!("{} at offset {offset:#x}", self.describe_func(*func)),
            None => format!("the module at offset {offset:#x}"),
        }
    }
}

/// Validates `wasm` and reads its module-level information.
pub fn read_module(wasm: &[u8]) -> Result<ModuleInfo, CompileError> {
    // Against the supported set; only a module that fails it is validated again against
    // everything wasmparser knows, to tell "valid but out of scope" from "invalid" (a
    // valid module is validated once).
    let in_scope = Validator::new_with_features(supported_features()).validate_all(wasm);
    if let Err(e) = in_scope {
        Validator::new_with_features(WasmFeatures::all()).validate_all(wasm)?;
        let info = parse(wasm)?;
        return Err(CompileError::UnsupportedFeature {
            location: info.describe_offset(e.offset()),
            message: e.message().to_string(),
        });
    }
    parse(wasm)
}

fn parse(wasm: &[u8]) -> Result<ModuleInfo, CompileError> {
    let mut info = ModuleInfo::default();
    let mut next_body = 0u32;
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    for sub in group?.into_types() {
                        match &sub.composite_type.inner {
                            CompositeInnerType::Func(f) => info.types.push(f.clone()),
                            _ => info.types.push(FuncType::new([], [])), // refused by validation
                        }
                    }
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    let import = import?;
                    match import.ty {
                        TypeRef::Func(ty) => {
                            info.func_types.push(ty);
                            info.imports
                                .push((import.module.to_string(), import.name.to_string()));
                        }
                        other => {
                            let kind = match other {
                                TypeRef::Table(_) => "a table",
                                TypeRef::Memory(_) => "a memory",
                                TypeRef::Global(_) => "a global",
                                _ => "a non-function item",
                            };
                            return Err(CompileError::UnsupportedImport {
                                module: import.module.into(),
                                field: import.name.into(),
                                why: format!("{kind} cannot be imported: a ZisK guest runs alone"),
                            });
                        }
                    }
                }
            }
            Payload::FunctionSection(reader) => {
                for ty in reader {
                    info.func_types.push(ty?);
                }
                next_body = info.num_imported_funcs();
            }
            Payload::TableSection(reader) => {
                for table in reader {
                    let ty = table?.ty;
                    info.tables.push((ty.initial, ty.maximum, ty.element_type));
                }
            }
            Payload::MemorySection(reader) => {
                for memory in reader {
                    let memory = memory?;
                    info.memory = Some((memory.initial, memory.maximum));
                }
            }
            Payload::GlobalSection(reader) => {
                for global in reader {
                    let global = global?;
                    info.globals.push(GlobalInfo {
                        ty: global.ty.content_type,
                        mutable: global.ty.mutable,
                        init: const_value(&global.init_expr)?,
                    });
                }
            }
            Payload::ExportSection(reader) => {
                for export in reader {
                    let export = export?;
                    info.exports
                        .push((export.name.to_string(), export.kind, export.index));
                }
            }
            Payload::StartSection { func, .. } => info.start = Some(func),
            Payload::ElementSection(reader) => {
                for element in reader {
                    let element = element?;
                    let items: Vec<Option<u32>> = match element.items {
                        ElementItems::Functions(funcs) => funcs
                            .into_iter()
                            .map(|f| f.map(Some))
                            .collect::<Result<_, _>>()?,
                        ElementItems::Expressions(_, exprs) => exprs
                            .into_iter()
                            .map(|e| match const_value(&e?)? {
                                ConstValue::RefFunc(f) => Ok(Some(f)),
                                _ => Ok(None),
                            })
                            .collect::<Result<_, CompileError>>()?,
                    };
                    let (active, passive) = match element.kind {
                        ElementKind::Active {
                            table_index,
                            offset_expr,
                        } => (
                            Some((table_index.unwrap_or(0), const_offset(&offset_expr)?)),
                            false,
                        ),
                        ElementKind::Passive => (None, true),
                        ElementKind::Declared => (None, false),
                    };
                    info.elements.push(ElementSegment {
                        active,
                        passive,
                        items,
                    });
                }
            }
            Payload::DataSection(reader) => {
                for data in reader {
                    let data = data?;
                    let active_offset = match data.kind {
                        DataKind::Active { offset_expr, .. } => Some(const_offset(&offset_expr)?),
                        DataKind::Passive => None,
                    };
                    info.data.push(DataSegment {
                        active_offset,
                        bytes: data.data.to_vec(),
                    });
                }
            }
            Payload::CodeSectionEntry(body) => {
                info.bodies.push((body.range(), next_body));
                next_body += 1;
            }
            Payload::CustomSection(section) => {
                // Names are only for messages: a malformed name section is ignored.
                let wasmparser::KnownCustom::Name(reader) = section.as_known() else {
                    continue;
                };
                for name in reader.into_iter().flatten() {
                    if let Name::Function(map) = name {
                        for naming in map.into_iter().flatten() {
                            info.func_names
                                .insert(naming.index, naming.name.to_string());
                        }
                    }
                }
            }
            _ => {}
        }
    }
    Ok(info)
}

fn not_yet(location: &str, what: &str) -> CompileError {
    CompileError::NotYetSupported {
        location: location.into(),
        what: what.into(),
    }
}

fn const_offset(expr: &ConstExpr) -> Result<u32, CompileError> {
    match const_value(expr)? {
        ConstValue::I32(v) => Ok(v as u32),
        _ => Err(not_yet("a segment offset", "offsets other than i32.const")),
    }
}

/// Evaluates a constant expression. Imported globals do not exist here, so the only
/// constant expressions are single constants.
fn const_value(expr: &ConstExpr) -> Result<ConstValue, CompileError> {
    let mut reader = expr.get_operators_reader();
    let value = match reader.read()? {
        Operator::I32Const { value } => ConstValue::I32(value),
        Operator::I64Const { value } => ConstValue::I64(value),
        Operator::F32Const { value } => ConstValue::F32(value.bits()),
        Operator::F64Const { value } => ConstValue::F64(value.bits()),
        Operator::RefNull { .. } => ConstValue::RefNull,
        Operator::RefFunc { function_index } => ConstValue::RefFunc(function_index),
        other => {
            return Err(not_yet("a constant expression", &format!("{other:?}")));
        }
    };
    match reader.read()? {
        Operator::End => Ok(value),
        other => Err(not_yet(
            "a constant expression",
            &format!("extended constant {other:?}"),
        )),
    }
}
