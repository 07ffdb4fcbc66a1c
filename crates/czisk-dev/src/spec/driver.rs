//! Turning a test module into a program ZisK can run: the driver.
//!
//! The module is re-encoded with
//! - its `spectest` imports replaced by definitions of what the spec's `spectest` module
//!   provides (the print functions as empty functions, the globals as constants, the
//!   table and the memory), so the compiler sees a self-contained module;
//! - one import, WASI `proc_exit`, through which the driver reports a wrong result;
//! - an exported `_start`, the driver, that makes the script's invocations in order with
//!   the script's arguments and compares each result with the expectation, calling
//!   `proc_exit(MISMATCH_EXIT_BASE + k)` at the first wrong result of call `k`.
//!
//! Function indices shift by one (the new import comes first); the spectest definitions
//! keep the indices the imports had, as they come first among the definitions.

use std::collections::HashMap;

use wasm_encoder::reencode::{Error as ReencodeError, Reencode};
use wasm_encoder::{
    BlockType, CodeSection, ConstExpr, DataCountSection, DataSection, ElementSection, EntityType,
    ExportKind, ExportSection, Function, FunctionSection, GlobalSection, GlobalType, HeapType,
    Ieee32, Ieee64, ImportSection, Instruction, MemorySection, MemoryType, Module, RefType,
    StartSection, TableSection, TableType, TypeSection, ValType,
};
use wasmparser_spec as wp;

use super::script::{Action, Arg, Expect, FloatExpect};

/// Exit codes at and above this report a wrong result (`+ k` for call `k`); trap exit
/// codes of our runtime are below it.
pub const MISMATCH_EXIT_BASE: u32 = 0x1_0000;

/// Why a module cannot be driven.
#[derive(Debug, Clone)]
pub enum Unsupported {
    /// Imports from a module other than `spectest` (another test module: linking).
    Linking(String),
    /// A `spectest` import this runner does not provide, or with the wrong type.
    Unlinkable(String),
    /// Valid WebAssembly, but only with a feature beyond 2.0 (or with SIMD).
    Feature(String),
}

/// One invocation the driver makes.
pub struct Call<'a> {
    pub action: &'a Action,
    /// Some: compare the results (and report `MISMATCH_EXIT_BASE + code` if wrong).
    pub expect: Option<(&'a [Expect], u32)>,
}

/// What `spectest` provides, in the import's place.
#[derive(Debug, Clone, Copy)]
enum Provided {
    Func { type_index: u32 },
    Global(ConstValue),
    Table,
    Memory,
}

#[derive(Debug, Clone, Copy)]
enum ConstValue {
    I32(i32),
    I64(i64),
    F32(u32),
    F64(u64),
}

impl ConstValue {
    fn instruction(self) -> Instruction<'static> {
        match self {
            ConstValue::I32(v) => Instruction::I32Const(v),
            ConstValue::I64(v) => Instruction::I64Const(v),
            ConstValue::F32(bits) => Instruction::F32Const(Ieee32::new(bits)),
            ConstValue::F64(bits) => Instruction::F64Const(Ieee64::new(bits)),
        }
    }

    fn val_type(self) -> ValType {
        match self {
            ConstValue::I32(_) => ValType::I32,
            ConstValue::I64(_) => ValType::I64,
            ConstValue::F32(_) => ValType::F32,
            ConstValue::F64(_) => ValType::F64,
        }
    }
}

/// A test module, read once, from which drivers are made.
pub struct TestModule {
    wasm: Vec<u8>,
    provided: Vec<Provided>,
    /// Result types of every function (old indices) and types of every global.
    func_results: Vec<Vec<wp::ValType>>,
    func_params: Vec<Vec<wp::ValType>>,
    global_types: Vec<wp::ValType>,
    exports: HashMap<String, (wp::ExternalKind, u32)>,
    type_count: u32,
    func_count: u32,
    has_memory: bool,
}

pub fn in_scope_features() -> wp::WasmFeatures {
    wp::WasmFeatures::WASM2.difference(wp::WasmFeatures::SIMD)
}

impl TestModule {
    pub fn new(wasm: &[u8]) -> Result<TestModule, Unsupported> {
        if let Err(e) = wp::Validator::new_with_features(in_scope_features()).validate_all(wasm) {
            return Err(Unsupported::Feature(e.message().to_string()));
        }
        let mut module = TestModule {
            wasm: wasm.to_vec(),
            provided: Vec::new(),
            func_results: Vec::new(),
            func_params: Vec::new(),
            global_types: Vec::new(),
            exports: HashMap::new(),
            type_count: 0,
            func_count: 0,
            has_memory: false,
        };
        let mut types: Vec<wp::FuncType> = Vec::new();
        let type_of = |types: &[wp::FuncType], index: u32| types[index as usize].clone();
        for payload in wp::Parser::new(0).parse_all(wasm) {
            match payload.map_err(|e| Unsupported::Feature(e.to_string()))? {
                wp::Payload::TypeSection(reader) => {
                    for ty in reader.into_iter_err_on_gc_types() {
                        types.push(ty.map_err(|e| Unsupported::Feature(e.to_string()))?);
                    }
                    module.type_count = types.len() as u32;
                }
                wp::Payload::ImportSection(reader) => {
                    for import in reader.into_imports() {
                        let import = import.map_err(|e| Unsupported::Feature(e.to_string()))?;
                        let provided = spectest(&import, &types)?;
                        if let wp::TypeRef::Func(t) = import.ty {
                            module
                                .func_params
                                .push(type_of(&types, t).params().to_vec());
                            module
                                .func_results
                                .push(type_of(&types, t).results().to_vec());
                        }
                        module.has_memory |= matches!(provided, Provided::Memory);
                        if let Provided::Global(c) = provided {
                            module.global_types.push(wp_val_type(c.val_type()));
                        }
                        module.provided.push(provided);
                    }
                }
                wp::Payload::FunctionSection(reader) => {
                    for t in reader {
                        let t = t.map_err(|e| Unsupported::Feature(e.to_string()))?;
                        module
                            .func_params
                            .push(type_of(&types, t).params().to_vec());
                        module
                            .func_results
                            .push(type_of(&types, t).results().to_vec());
                    }
                }
                wp::Payload::MemorySection(reader) => module.has_memory |= reader.count() > 0,
                wp::Payload::GlobalSection(reader) => {
                    for g in reader {
                        let g = g.map_err(|e| Unsupported::Feature(e.to_string()))?;
                        module.global_types.push(g.ty.content_type);
                    }
                }
                wp::Payload::ExportSection(reader) => {
                    for e in reader {
                        let e = e.map_err(|e| Unsupported::Feature(e.to_string()))?;
                        module.exports.insert(e.name.to_string(), (e.kind, e.index));
                    }
                }
                _ => {}
            }
        }
        module.func_count = module.func_params.len() as u32;
        Ok(module)
    }

    /// The driver module making `calls` in order.
    pub fn driver(&self, calls: &[Call]) -> Result<Vec<u8>, String> {
        let body = self.driver_body(calls)?;
        self.encode(body)
            .map_err(|e| format!("re-encoding the module: {e:?}"))
    }

    fn driver_body(&self, calls: &[Call]) -> Result<Function, String> {
        // Result locals: per type, as many as the widest call needs.
        let mut resolved = Vec::new();
        let mut widest: HashMap<ValType, u32> = HashMap::new();
        for call in calls {
            let (target, results) = self.resolve(call.action)?;
            let mut counts: HashMap<ValType, u32> = HashMap::new();
            for t in &results {
                *counts.entry(*t).or_default() += 1;
            }
            for (t, n) in counts {
                let w = widest.entry(t).or_default();
                *w = (*w).max(n);
            }
            resolved.push((target, results));
        }
        let mut local_types: Vec<(ValType, u32)> = widest.into_iter().collect();
        local_types.sort_by_key(|(t, _)| val_type_order(*t));
        let mut first_local = HashMap::new();
        let mut next = 0;
        for &(t, n) in &local_types {
            first_local.insert(t, next);
            next += n;
        }

        // Two scratch locals for the memory checksum loop.
        let (scratch_i32, scratch_i64) = (next, next + 1);
        let mut locals: Vec<(u32, ValType)> = local_types.iter().map(|&(t, n)| (n, t)).collect();
        locals.extend([(1, ValType::I32), (1, ValType::I64)]);
        let mut f = Function::new(locals);
        for (call, (target, results)) in calls.iter().zip(&resolved) {
            match (call.action, target) {
                (Action::Invoke { args, .. }, Target::Func(index)) => {
                    for arg in args {
                        f.instruction(&arg_instruction(arg));
                    }
                    f.instruction(&Instruction::Call(index + 1));
                }
                (Action::Get { .. }, Target::Global(index)) => {
                    f.instruction(&Instruction::GlobalGet(*index));
                }
                (Action::MemoryChecksum, Target::Memory) => {
                    checksum_loop(&mut f, scratch_i32, scratch_i64);
                }
                _ => unreachable!("resolve pairs actions with their targets"),
            }
            // Results come off the stack last first.
            let mut slots = Vec::new();
            let mut used: HashMap<ValType, u32> = HashMap::new();
            for t in results {
                let n = used.entry(*t).or_default();
                slots.push(first_local[t] + *n);
                *n += 1;
            }
            for &slot in slots.iter().rev() {
                f.instruction(&Instruction::LocalSet(slot));
            }
            if let Some((expects, code)) = call.expect {
                if expects.len() != results.len() {
                    return Err(format!(
                        "the export returns {} values, the script expects {}",
                        results.len(),
                        expects.len()
                    ));
                }
                for ((expect, &slot), t) in expects.iter().zip(&slots).zip(results) {
                    f.instruction(&Instruction::LocalGet(slot));
                    mismatch_test(&mut f, expect, *t)?;
                    f.instruction(&Instruction::If(BlockType::Empty));
                    f.instruction(&Instruction::I32Const((MISMATCH_EXIT_BASE + code) as i32));
                    f.instruction(&Instruction::Call(0));
                    f.instruction(&Instruction::Unreachable);
                    f.instruction(&Instruction::End);
                }
            }
        }
        f.instruction(&Instruction::End);
        Ok(f)
    }

    fn resolve(&self, action: &Action) -> Result<(Target, Vec<ValType>), String> {
        let (name, kind) = match action {
            Action::Invoke { export, .. } => (export, wp::ExternalKind::Func),
            Action::Get { export } => (export, wp::ExternalKind::Global),
            Action::MemoryChecksum if self.has_memory => {
                return Ok((Target::Memory, vec![ValType::I64]))
            }
            Action::MemoryChecksum => return Err("the module has no memory".into()),
        };
        let Some(&(found, index)) = self.exports.get(name.as_str()) else {
            return Err(format!("no export named {name:?}"));
        };
        if found != kind {
            return Err(format!("export {name:?} is not a {kind:?}"));
        }
        match action {
            Action::Invoke { args, .. } => {
                let params = &self.func_params[index as usize];
                let fits = params.len() == args.len()
                    && params
                        .iter()
                        .zip(args)
                        .all(|(p, a)| wp_val_type(arg_val_type(a)) == *p);
                if !fits {
                    return Err(format!(
                        "export {name:?} takes {params:?}, the script passes {args:?}"
                    ));
                }
                let results = self.func_results[index as usize]
                    .iter()
                    .map(|t| enc_val_type(*t))
                    .collect::<Result<_, _>>()?;
                Ok((Target::Func(index), results))
            }
            Action::MemoryChecksum => unreachable!("returned above"),
            Action::Get { .. } => Ok((
                Target::Global(index),
                vec![enc_val_type(self.global_types[index as usize])?],
            )),
        }
    }

    fn encode(&self, driver: Function) -> Result<Vec<u8>, ReencodeError> {
        let mut sections = Sections::default();
        for payload in wp::Parser::new(0).parse_all(&self.wasm) {
            match payload? {
                wp::Payload::TypeSection(r) => sections.types = Some(r),
                wp::Payload::FunctionSection(r) => sections.functions = Some(r),
                wp::Payload::TableSection(r) => sections.tables = Some(r),
                wp::Payload::MemorySection(r) => sections.memories = Some(r),
                wp::Payload::GlobalSection(r) => sections.globals = Some(r),
                wp::Payload::ExportSection(r) => sections.exports = Some(r),
                wp::Payload::StartSection { func, .. } => sections.start = Some(func),
                wp::Payload::ElementSection(r) => sections.elements = Some(r),
                wp::Payload::DataCountSection { count, .. } => sections.data_count = Some(count),
                wp::Payload::CodeSectionEntry(body) => sections.code.push(body),
                wp::Payload::DataSection(r) => sections.data = Some(r),
                _ => {}
            }
        }
        let constants: Vec<Option<ConstValue>> = self
            .provided
            .iter()
            .filter_map(|p| match p {
                Provided::Global(c) => Some(Some(*c)),
                _ => None,
            })
            .collect();
        let mut re = Remap {
            spectest_globals: constants,
        };
        let mut module = Module::new();

        let mut types = TypeSection::new();
        if let Some(r) = sections.types {
            re.parse_type_section(&mut types, r)?;
        }
        let driver_type = self.type_count;
        let exit_type = self.type_count + 1;
        types.ty().function([], []);
        types.ty().function([ValType::I32], []);
        module.section(&types);

        let mut imports = ImportSection::new();
        imports.import(
            "wasi_snapshot_preview1",
            "proc_exit",
            EntityType::Function(exit_type),
        );
        module.section(&imports);

        let mut functions = FunctionSection::new();
        let mut tables = TableSection::new();
        let mut memories = MemorySection::new();
        let mut globals = GlobalSection::new();
        let mut spectest_bodies = 0;
        for p in &self.provided {
            match *p {
                Provided::Func { type_index } => {
                    functions.function(type_index);
                    spectest_bodies += 1;
                }
                Provided::Global(c) => {
                    globals.global(
                        GlobalType {
                            val_type: c.val_type(),
                            mutable: false,
                            shared: false,
                        },
                        &ConstExpr::extended([c.instruction()]),
                    );
                }
                Provided::Table => {
                    tables.table(TableType {
                        element_type: RefType::FUNCREF,
                        minimum: 10,
                        maximum: Some(20),
                        table64: false,
                        shared: false,
                    });
                }
                Provided::Memory => {
                    memories.memory(MemoryType {
                        minimum: 1,
                        maximum: Some(2),
                        memory64: false,
                        shared: false,
                        page_size_log2: None,
                    });
                }
            }
        }
        if let Some(r) = sections.functions {
            re.parse_function_section(&mut functions, r)?;
        }
        functions.function(driver_type);
        module.section(&functions);
        if let Some(r) = sections.tables {
            re.parse_table_section(&mut tables, r)?;
        }
        if !tables.is_empty() {
            module.section(&tables);
        }
        if let Some(r) = sections.memories {
            re.parse_memory_section(&mut memories, r)?;
        }
        if !memories.is_empty() {
            module.section(&memories);
        }
        if let Some(r) = sections.globals {
            re.parse_global_section(&mut globals, r)?;
        }
        if !globals.is_empty() {
            module.section(&globals);
        }

        let mut exports = ExportSection::new();
        if let Some(r) = sections.exports {
            for e in r {
                let e = e?;
                // The driver is the `_start`; a test export of that name keeps another.
                let name = if e.name == "_start" {
                    "_start (test module)"
                } else {
                    e.name
                };
                let index = match e.kind {
                    wp::ExternalKind::Func => re.function_index(e.index)?,
                    _ => e.index,
                };
                exports.export(name, re.export_kind(e.kind)?, index);
            }
        }
        exports.export("_start", ExportKind::Func, self.func_count + 1);
        module.section(&exports);
        if let Some(func) = sections.start {
            module.section(&StartSection {
                function_index: re.function_index(func)?,
            });
        }
        if let Some(r) = sections.elements {
            let mut elements = ElementSection::new();
            re.parse_element_section(&mut elements, r)?;
            module.section(&elements);
        }
        if let Some(count) = sections.data_count {
            module.section(&DataCountSection { count });
        }
        let mut code = CodeSection::new();
        for _ in 0..spectest_bodies {
            let mut f = Function::new([]);
            f.instruction(&Instruction::End);
            code.function(&f);
        }
        for body in sections.code {
            re.parse_function_body(&mut code, body)?;
        }
        code.function(&driver);
        module.section(&code);
        if let Some(r) = sections.data {
            let mut data = DataSection::new();
            re.parse_data_section(&mut data, r)?;
            module.section(&data);
        }
        Ok(module.finish())
    }
}

enum Target {
    Func(u32),
    Global(u32),
    Memory,
}

const CHECKSUM_SEED: u64 = 0xcbf2_9ce4_8422_2325;
const CHECKSUM_PRIME: u64 = 0x0000_0100_0000_01b3;

/// The checksum the driver computes over memory 0: FNV-style over its little-endian
/// 64-bit words.
pub fn memory_checksum(memory: &[u8]) -> u64 {
    memory.chunks(8).fold(CHECKSUM_SEED, |h, word| {
        let mut bytes = [0u8; 8];
        bytes[..word.len()].copy_from_slice(word);
        (h ^ u64::from_le_bytes(bytes)).wrapping_mul(CHECKSUM_PRIME)
    })
}

/// Leaves [`memory_checksum`] of memory 0 on the stack; `i` and `h` are scratch locals.
fn checksum_loop(f: &mut Function, i: u32, h: u32) {
    use Instruction as I;
    let word = wasm_encoder::MemArg {
        offset: 0,
        align: 3,
        target: wasm_encoder::MemArgTarget::Memory(0),
        ordering: None,
    };
    f.instruction(&I::I64Const(CHECKSUM_SEED as i64))
        .instruction(&I::LocalSet(h));
    f.instruction(&I::I32Const(0)).instruction(&I::LocalSet(i));
    f.instruction(&I::Block(BlockType::Empty))
        .instruction(&I::Loop(BlockType::Empty));
    // Memory sizes here are whole pages, far below 4 GiB.
    f.instruction(&I::LocalGet(i))
        .instruction(&I::MemorySize(0))
        .instruction(&I::I32Const(16));
    f.instruction(&I::I32Shl)
        .instruction(&I::I32GeU)
        .instruction(&I::BrIf(1));
    f.instruction(&I::LocalGet(h))
        .instruction(&I::LocalGet(i))
        .instruction(&I::I64Load(word));
    f.instruction(&I::I64Xor)
        .instruction(&I::I64Const(CHECKSUM_PRIME as i64))
        .instruction(&I::I64Mul);
    f.instruction(&I::LocalSet(h));
    f.instruction(&I::LocalGet(i))
        .instruction(&I::I32Const(8))
        .instruction(&I::I32Add)
        .instruction(&I::LocalSet(i));
    f.instruction(&I::Br(0))
        .instruction(&I::End)
        .instruction(&I::End);
    f.instruction(&I::LocalGet(h));
}

#[derive(Default)]
struct Sections<'a> {
    types: Option<wp::TypeSectionReader<'a>>,
    functions: Option<wp::FunctionSectionReader<'a>>,
    tables: Option<wp::TableSectionReader<'a>>,
    memories: Option<wp::MemorySectionReader<'a>>,
    globals: Option<wp::GlobalSectionReader<'a>>,
    exports: Option<wp::ExportSectionReader<'a>>,
    start: Option<u32>,
    elements: Option<wp::ElementSectionReader<'a>>,
    data_count: Option<u32>,
    code: Vec<wp::FunctionBody<'a>>,
    data: Option<wp::DataSectionReader<'a>>,
}

/// The index shift, and spectest globals read in constant expressions replaced by their
/// values (WebAssembly 2.0 only lets constant expressions read imported globals, and these
/// are no longer imported).
struct Remap {
    spectest_globals: Vec<Option<ConstValue>>,
}

impl Reencode for Remap {
    type Error = std::convert::Infallible;

    fn function_index(&mut self, func: u32) -> Result<u32, ReencodeError> {
        Ok(func + 1)
    }

    fn const_expr(&mut self, expr: wp::ConstExpr) -> Result<ConstExpr, ReencodeError> {
        let mut ops = expr.get_operators_reader();
        let mut instructions = Vec::new();
        while !ops.is_end_then_eof() {
            let op = ops.read()?;
            if let wp::Operator::GlobalGet { global_index } = op {
                if let Some(Some(value)) = self.spectest_globals.get(global_index as usize) {
                    instructions.push(value.instruction());
                    continue;
                }
            }
            instructions.push(self.instruction(op)?);
        }
        Ok(ConstExpr::extended(instructions))
    }
}

/// What `spectest` provides for `import`, checking the import's type against it.
fn spectest(import: &wp::Import, types: &[wp::FuncType]) -> Result<Provided, Unsupported> {
    if import.module != "spectest" {
        return Err(Unsupported::Linking(format!(
            "imports {}::{}",
            import.module, import.name
        )));
    }
    let unlinkable = || {
        Unsupported::Unlinkable(format!(
            "spectest::{} with type {:?}",
            import.name, import.ty
        ))
    };
    use wp::ValType::*;
    match (import.name, import.ty) {
        (name, wp::TypeRef::Func(t)) => {
            let ty = &types[t as usize];
            let params: &[wp::ValType] = match name {
                "print" => &[],
                "print_i32" => &[I32],
                "print_i64" => &[I64],
                "print_f32" => &[F32],
                "print_f64" => &[F64],
                "print_i32_f32" => &[I32, F32],
                "print_f64_f64" => &[F64, F64],
                _ => return Err(unlinkable()),
            };
            if ty.params() != params || !ty.results().is_empty() {
                return Err(unlinkable());
            }
            Ok(Provided::Func { type_index: t })
        }
        (name, wp::TypeRef::Global(g)) => {
            let value = match name {
                "global_i32" => ConstValue::I32(666),
                "global_i64" => ConstValue::I64(666),
                "global_f32" => ConstValue::F32(666.6f32.to_bits()),
                "global_f64" => ConstValue::F64(666.6f64.to_bits()),
                _ => return Err(unlinkable()),
            };
            if g.mutable || g.content_type != wp_val_type(value.val_type()) {
                return Err(unlinkable());
            }
            Ok(Provided::Global(value))
        }
        ("table", wp::TypeRef::Table(t)) => {
            let fits = t.element_type == wp::RefType::FUNCREF
                && !t.table64
                && limits_fit(t.initial, t.maximum, 10, 20);
            if fits {
                Ok(Provided::Table)
            } else {
                Err(unlinkable())
            }
        }
        ("memory", wp::TypeRef::Memory(m)) => {
            let fits = !m.memory64 && !m.shared && limits_fit(m.initial, m.maximum, 1, 2);
            if fits {
                Ok(Provided::Memory)
            } else {
                Err(unlinkable())
            }
        }
        _ => Err(unlinkable()),
    }
}

/// Whether limits `initial..=maximum` accept the provided `min..=max`.
fn limits_fit(initial: u64, maximum: Option<u64>, min: u64, max: u64) -> bool {
    initial <= min && maximum.is_none_or(|m| max <= m)
}

fn arg_val_type(arg: &Arg) -> ValType {
    match arg {
        Arg::I32(_) => ValType::I32,
        Arg::I64(_) => ValType::I64,
        Arg::F32(_) => ValType::F32,
        Arg::F64(_) => ValType::F64,
        Arg::NullFuncRef => ValType::Ref(RefType::FUNCREF),
        Arg::NullExternRef => ValType::Ref(RefType::EXTERNREF),
    }
}

fn arg_instruction(arg: &Arg) -> Instruction<'static> {
    match *arg {
        Arg::I32(v) => Instruction::I32Const(v as i32),
        Arg::I64(v) => Instruction::I64Const(v as i64),
        Arg::F32(bits) => Instruction::F32Const(Ieee32::new(bits)),
        Arg::F64(bits) => Instruction::F64Const(Ieee64::new(bits)),
        Arg::NullFuncRef => Instruction::RefNull(HeapType::FUNC),
        Arg::NullExternRef => Instruction::RefNull(HeapType::EXTERN),
    }
}

/// With the result on the stack, leaves 1 if it is not what `expect` says, else 0.
fn mismatch_test(f: &mut Function, expect: &Expect, ty: ValType) -> Result<(), String> {
    use Instruction as I;
    let wrong_type = || {
        Err(format!(
            "the script expects {expect:?} from a {ty:?} result"
        ))
    };
    match (expect, ty) {
        (Expect::I32(v), ValType::I32) => {
            f.instruction(&I::I32Const(*v as i32))
                .instruction(&I::I32Ne);
        }
        (Expect::I64(v), ValType::I64) => {
            f.instruction(&I::I64Const(*v as i64))
                .instruction(&I::I64Ne);
        }
        (Expect::F32(e), ValType::F32) => {
            f.instruction(&I::I32ReinterpretF32);
            let (mask, value) = match *e {
                FloatExpect::Bits(bits) => (u32::MAX, bits as u32),
                FloatExpect::CanonicalNan => (0x7fff_ffff, 0x7fc0_0000),
                FloatExpect::ArithmeticNan => (0x7fc0_0000, 0x7fc0_0000),
            };
            f.instruction(&I::I32Const(mask as i32))
                .instruction(&I::I32And);
            f.instruction(&I::I32Const(value as i32))
                .instruction(&I::I32Ne);
        }
        (Expect::F64(e), ValType::F64) => {
            f.instruction(&I::I64ReinterpretF64);
            let (mask, value) = match *e {
                FloatExpect::Bits(bits) => (u64::MAX, bits),
                FloatExpect::CanonicalNan => (0x7fff_ffff_ffff_ffff, 0x7ff8_0000_0000_0000),
                FloatExpect::ArithmeticNan => (0x7ff8_0000_0000_0000, 0x7ff8_0000_0000_0000),
            };
            f.instruction(&I::I64Const(mask as i64))
                .instruction(&I::I64And);
            f.instruction(&I::I64Const(value as i64))
                .instruction(&I::I64Ne);
        }
        (Expect::Null, ValType::Ref(_)) => {
            f.instruction(&I::RefIsNull).instruction(&I::I32Eqz);
        }
        (Expect::NonNullFunc, ValType::Ref(r)) if r == RefType::FUNCREF => {
            f.instruction(&I::RefIsNull);
        }
        _ => return wrong_type(),
    }
    Ok(())
}

fn enc_val_type(t: wp::ValType) -> Result<ValType, String> {
    Ok(match t {
        wp::ValType::I32 => ValType::I32,
        wp::ValType::I64 => ValType::I64,
        wp::ValType::F32 => ValType::F32,
        wp::ValType::F64 => ValType::F64,
        wp::ValType::Ref(r) if r == wp::RefType::FUNCREF => ValType::Ref(RefType::FUNCREF),
        wp::ValType::Ref(r) if r == wp::RefType::EXTERNREF => ValType::Ref(RefType::EXTERNREF),
        other => return Err(format!("value type {other} is beyond WebAssembly 2.0")),
    })
}

fn wp_val_type(t: ValType) -> wp::ValType {
    match t {
        ValType::I32 => wp::ValType::I32,
        ValType::I64 => wp::ValType::I64,
        ValType::F32 => wp::ValType::F32,
        ValType::F64 => wp::ValType::F64,
        ValType::Ref(r) if r == RefType::FUNCREF => wp::ValType::Ref(wp::RefType::FUNCREF),
        ValType::Ref(_) => wp::ValType::Ref(wp::RefType::EXTERNREF),
        ValType::V128 => wp::ValType::V128,
    }
}

fn val_type_order(t: ValType) -> u8 {
    match t {
        ValType::I32 => 0,
        ValType::I64 => 1,
        ValType::F32 => 2,
        ValType::F64 => 3,
        ValType::V128 => 4,
        ValType::Ref(r) if r == RefType::FUNCREF => 5,
        ValType::Ref(_) => 6,
    }
}
