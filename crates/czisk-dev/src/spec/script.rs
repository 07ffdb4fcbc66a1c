//! A `.wast` script as the runner sees it: the module instances with the invocations made
//! on each, and the checks that only compile a module.

use wast::core::{NanPattern, WastArgCore, WastRetCore};
use wast::parser::{self, ParseBuffer};
use wast::token::Span;
use wast::{
    QuoteWat, QuoteWatTest, Wast, WastArg, WastDirective, WastExecute, WastInvoke, WastRet,
};

/// A value passed to an export.
#[derive(Debug, Clone, PartialEq)]
pub enum Arg {
    I32(u32),
    I64(u64),
    F32(u32),
    F64(u64),
    NullFuncRef,
    NullExternRef,
}

/// What one result must be.
#[derive(Debug, Clone, PartialEq)]
pub enum Expect {
    I32(u32),
    I64(u64),
    F32(FloatExpect),
    F64(FloatExpect),
    /// `ref.null` of either kind.
    Null,
    /// Any non-null function reference.
    NonNullFunc,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum FloatExpect {
    Bits(u64),
    /// A NaN with only the top mantissa bit set (either sign).
    CanonicalNan,
    /// A NaN with the top mantissa bit set.
    ArithmeticNan,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Action {
    Invoke {
        export: String,
        args: Vec<Arg>,
    },
    Get {
        export: String,
    },
    /// A checksum of all of memory 0 (see `driver::memory_checksum`); for differential runs.
    MemoryChecksum,
}

/// What a step asserts.
#[derive(Debug, Clone, PartialEq)]
pub enum Check {
    /// A plain action: it must not trap.
    Completes,
    Return(Vec<Expect>),
    /// The step must trap with this message (assert_trap, or "call stack exhausted" for
    /// assert_exhaustion).
    Trap(String),
}

#[derive(Debug, Clone)]
pub struct Step {
    pub line: u32,
    pub command: &'static str,
    pub action: Action,
    pub check: Check,
}

/// A module command and everything later invoked on its instance.
#[derive(Debug, Clone)]
pub struct Instance {
    pub line: u32,
    pub wasm: Vec<u8>,
    pub steps: Vec<Step>,
    /// Some(message): instantiating the module must trap (assert_uninstantiable, or
    /// assert_trap on a module).
    pub expect_instantiation_trap: Option<String>,
    /// Set once something the runner cannot reproduce may have changed the instance's state
    /// (a skipped step, or a module linked to it that the runner cannot instantiate): the
    /// steps that follow are skipped with this reason.
    pub tainted: Option<String>,
}

/// A module that must be refused by the compiler.
#[derive(Debug, Clone)]
pub struct Refusal {
    pub line: u32,
    pub command: &'static str,
    pub wasm: Vec<u8>,
    pub message: String,
}

/// A command the runner does not run, with the reason.
#[derive(Debug, Clone)]
pub struct Skipped {
    pub line: u32,
    pub command: &'static str,
    pub reason: String,
}

#[derive(Debug, Default)]
pub struct Script {
    pub instances: Vec<Instance>,
    pub refusals: Vec<Refusal>,
    pub skipped: Vec<Skipped>,
}

pub fn parse_script(text: &str) -> Result<Script, String> {
    // The suite's `names.wast` tests export names made of confusable characters on purpose.
    let mut lexer = wast::lexer::Lexer::new(text);
    lexer.allow_confusing_unicode(true);
    let buffer = ParseBuffer::new_with_lexer(lexer).map_err(|e| e.to_string())?;
    let wast: Wast = parser::parse(&buffer).map_err(|e| e.to_string())?;
    let line_of = |span: Span| span.linecol_in(text).0 as u32 + 1;
    let mut script = Script::default();
    // Instance index of each named module, and the most recent one.
    let mut named: Vec<(String, usize)> = Vec::new();
    let mut current: Option<usize> = None;
    // Instances registered for importing, by the name other modules import them under.
    let mut registered: Vec<(String, usize)> = Vec::new();

    for directive in wast.directives {
        let line = line_of(directive.span());
        let skip = |script: &mut Script, command: &'static str, reason: &str| {
            script.skipped.push(Skipped {
                line,
                command,
                reason: reason.to_string(),
            })
        };
        match directive {
            WastDirective::Module(mut module) => {
                let name = module.name().map(|id| id.name().to_string());
                match module.encode() {
                    Ok(wasm) => {
                        taint_linked(&mut script, &wasm, &registered, line);
                        script.instances.push(Instance { line, wasm, steps: Vec::new(), expect_instantiation_trap: None, tainted: None });
                        let index = script.instances.len() - 1;
                        if let Some(name) = name {
                            named.push((name, index));
                        }
                        current = Some(index);
                    }
                    Err(e) => return Err(format!("line {line}: cannot encode the module: {e}")),
                }
            }
            WastDirective::Register { name, module, .. } => {
                if let Some(index) = instance_of(&named, current, module.map(|m| m.name())) {
                    registered.push((name.to_string(), index));
                }
            }
            WastDirective::Invoke(invoke) => {
                add_step(&mut script, &named, current, line, "invoke", &invoke, Check::Completes);
            }
            WastDirective::AssertReturn { exec, results, .. } => match exec {
                WastExecute::Invoke(invoke) => match expectations(&results) {
                    Ok(expects) => {
                        add_step(&mut script, &named, current, line, "assert_return", &invoke, Check::Return(expects))
                    }
                    Err(reason) => skip(&mut script, "assert_return", &reason),
                },
                WastExecute::Get { module, global, .. } => match (expectations(&results), instance_of(&named, current, module.map(|m| m.name()))) {
                    (Ok(expects), Some(index)) => push_step(
                        &mut script,
                        index,
                        Step {
                            line,
                            command: "assert_return",
                            action: Action::Get { export: global.to_string() },
                            check: Check::Return(expects),
                        },
                    ),
                    (Err(reason), _) => skip(&mut script, "assert_return", &reason),
                    (_, None) => skip(&mut script, "assert_return", "no module instance to read from"),
                },
                WastExecute::Wat(_) => skip(&mut script, "assert_return", "assert_return on a module"),
            },
            WastDirective::AssertTrap { exec, message, .. } => match exec {
                WastExecute::Invoke(invoke) => {
                    add_step(&mut script, &named, current, line, "assert_trap", &invoke, Check::Trap(message.to_string()))
                }
                WastExecute::Wat(mut wat) => match wat.encode() {
                    Ok(wasm) => {
                        taint_linked(&mut script, &wasm, &registered, line);
                        script.instances.push(Instance {
                        line,
                        wasm,
                        steps: Vec::new(),
                        expect_instantiation_trap: Some(message.to_string()),
                        tainted: None,
                    });
                    }
                    Err(e) => return Err(format!("line {line}: cannot encode the module: {e}")),
                },
                WastExecute::Get { .. } => skip(&mut script, "assert_trap", "assert_trap on a global read"),
            },
            WastDirective::AssertExhaustion { call, message, .. } => {
                add_step(&mut script, &named, current, line, "assert_exhaustion", &call, Check::Trap(message.to_string()))
            }
            WastDirective::AssertInvalid { module, message, .. } => {
                refusal(&mut script, line, "assert_invalid", module, message)
            }
            WastDirective::AssertMalformed { module, message, .. } => {
                refusal(&mut script, line, "assert_malformed", module, message)
            }
            WastDirective::AssertUnlinkable { .. } => skip(
                &mut script,
                "assert_unlinkable",
                "linking is done by the test runner (imports are resolved before compiling), not by the compiler",
            ),
            WastDirective::ModuleDefinition(_) | WastDirective::ModuleInstance { .. } => {
                skip(&mut script, "module definition", "module definitions and instances (a WebAssembly 3.0 script feature)")
            }
            WastDirective::AssertException { .. } | WastDirective::AssertSuspension { .. } => {
                skip(&mut script, "assert_exception", "exceptions and stack switching (beyond WebAssembly 2.0)")
            }
            WastDirective::AssertInvalidCustom { .. } | WastDirective::AssertMalformedCustom { .. } => {
                skip(&mut script, "assert_custom", "custom-section checks (annotations, beyond WebAssembly 2.0)")
            }
            WastDirective::Thread(_) | WastDirective::Wait { .. } => {
                skip(&mut script, "thread", "threads (beyond WebAssembly 2.0)")
            }
        }
    }
    Ok(script)
}

fn instance_of(
    named: &[(String, usize)],
    current: Option<usize>,
    module: Option<&str>,
) -> Option<usize> {
    match module {
        Some(name) => named.iter().rev().find(|(n, _)| n == name).map(|&(_, i)| i),
        None => current,
    }
}

fn add_step(
    script: &mut Script,
    named: &[(String, usize)],
    current: Option<usize>,
    line: u32,
    command: &'static str,
    invoke: &WastInvoke,
    check: Check,
) {
    let Some(index) = instance_of(named, current, invoke.module.map(|m| m.name())) else {
        script.skipped.push(Skipped {
            line,
            command,
            reason: "no module instance to invoke".into(),
        });
        return;
    };
    match invoke
        .args
        .iter()
        .map(argument)
        .collect::<Result<Vec<_>, _>>()
    {
        Ok(args) => push_step(
            script,
            index,
            Step {
                line,
                command,
                action: Action::Invoke {
                    export: invoke.name.to_string(),
                    args,
                },
                check,
            },
        ),
        Err(reason) => {
            // Whatever the skipped invocation would have done to the instance is missing.
            let taint = format!("follows a skipped invocation (line {line})");
            script.instances[index].tainted.get_or_insert(taint);
            script.skipped.push(Skipped {
                line,
                command,
                reason,
            });
        }
    }
}

fn push_step(script: &mut Script, index: usize, step: Step) {
    match &script.instances[index].tainted {
        Some(reason) => script.skipped.push(Skipped {
            line: step.line,
            command: step.command,
            reason: reason.clone(),
        }),
        None => script.instances[index].steps.push(step),
    }
}

/// Marks the registered instances whose state instantiating `wasm` (at `line`) may change.
fn taint_linked(script: &mut Script, wasm: &[u8], registered: &[(String, usize)], line: u32) {
    for exporter in linked_instances(wasm, registered) {
        let reason =
            format!("its state may have been changed by a module linked to it (line {line})");
        script.instances[exporter].tainted.get_or_insert(reason);
    }
}

/// The registered instances whose state instantiating `wasm` may change: those it imports
/// a table, memory or global from, or any function when it has a start function.
fn linked_instances(wasm: &[u8], registered: &[(String, usize)]) -> Vec<usize> {
    use wasmparser_spec::{Parser, Payload, TypeRef};
    let mut imports = Vec::new();
    let mut has_start = false;
    for payload in Parser::new(0).parse_all(wasm).flatten() {
        match payload {
            Payload::ImportSection(reader) => {
                for import in reader.into_imports().flatten() {
                    imports.push((
                        import.module.to_string(),
                        !matches!(import.ty, TypeRef::Func(_)),
                    ));
                }
            }
            Payload::StartSection { .. } => has_start = true,
            _ => {}
        }
    }
    let mut linked: Vec<usize> = imports
        .iter()
        .filter(|(_, stateful)| *stateful || has_start)
        .filter_map(|(module, _)| {
            registered
                .iter()
                .rev()
                .find(|(n, _)| n == module)
                .map(|&(_, i)| i)
        })
        .collect();
    linked.dedup();
    linked
}

fn refusal(
    script: &mut Script,
    line: u32,
    command: &'static str,
    mut module: QuoteWat,
    message: &str,
) {
    let mut skip = |reason: &str| {
        script.skipped.push(Skipped {
            line,
            command,
            reason: reason.into(),
        })
    };
    let wasm = match module.to_test() {
        Ok(QuoteWatTest::Binary(bytes)) => bytes,
        // A malformed text module is the text parser's business: no binary reaches a compiler.
        Ok(QuoteWatTest::Text(_)) if command == "assert_malformed" => {
            return skip("malformed text: a text-format check, no binary reaches a compiler")
        }
        // An invalid text module: its binary is what a compiler must refuse.
        Ok(QuoteWatTest::Text(text)) => {
            let text = String::from_utf8_lossy(&text).into_owned();
            match ParseBuffer::new(&text)
                .and_then(|b| parser::parse::<wast::Wat>(&b).and_then(|mut w| w.encode()))
            {
                Ok(bytes) => bytes,
                Err(_) => {
                    return skip("refused by the text parser already, no binary reaches a compiler")
                }
            }
        }
        Err(_) => return skip("refused by the text parser already, no binary reaches a compiler"),
    };
    script.refusals.push(Refusal {
        line,
        command,
        wasm,
        message: message.to_string(),
    });
}

fn argument(arg: &WastArg) -> Result<Arg, String> {
    let WastArg::Core(core) = arg else {
        return Err("component-model value".into());
    };
    Ok(match core {
        WastArgCore::I32(v) => Arg::I32(*v as u32),
        WastArgCore::I64(v) => Arg::I64(*v as u64),
        WastArgCore::F32(v) => Arg::F32(v.bits),
        WastArgCore::F64(v) => Arg::F64(v.bits),
        WastArgCore::RefNull(ty) => match heap_type_kind(ty) {
            Some(true) => Arg::NullFuncRef,
            Some(false) => Arg::NullExternRef,
            None => return Err("a null reference of a type beyond WebAssembly 2.0".into()),
        },
        WastArgCore::V128(_) => return Err("v128 argument (SIMD is out of scope)".into()),
        WastArgCore::RefExtern(_) | WastArgCore::RefHost(_) => {
            return Err("a host reference argument (a ZisK guest has no host to make one)".into())
        }
    })
}

/// Some(true) for func, Some(false) for extern, None otherwise.
fn heap_type_kind(ty: &wast::core::HeapType) -> Option<bool> {
    use wast::core::{AbstractHeapType, HeapType};
    match ty {
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Func,
        } => Some(true),
        HeapType::Abstract {
            shared: false,
            ty: AbstractHeapType::Extern,
        } => Some(false),
        _ => None,
    }
}

fn expectations(results: &[WastRet]) -> Result<Vec<Expect>, String> {
    results
        .iter()
        .map(|r| {
            let WastRet::Core(core) = r else {
                return Err("component-model value".to_string());
            };
            Ok(match core {
                WastRetCore::I32(v) => Expect::I32(*v as u32),
                WastRetCore::I64(v) => Expect::I64(*v as u64),
                WastRetCore::F32(p) => Expect::F32(match p {
                    NanPattern::CanonicalNan => FloatExpect::CanonicalNan,
                    NanPattern::ArithmeticNan => FloatExpect::ArithmeticNan,
                    NanPattern::Value(v) => FloatExpect::Bits(v.bits as u64),
                }),
                WastRetCore::F64(p) => Expect::F64(match p {
                    NanPattern::CanonicalNan => FloatExpect::CanonicalNan,
                    NanPattern::ArithmeticNan => FloatExpect::ArithmeticNan,
                    NanPattern::Value(v) => FloatExpect::Bits(v.bits),
                }),
                WastRetCore::RefNull(ty) => match ty.as_ref().map(heap_type_kind) {
                    None | Some(Some(_)) => Expect::Null,
                    Some(None) => {
                        return Err("a null reference of a type beyond WebAssembly 2.0".into())
                    }
                },
                WastRetCore::RefFunc(None) => Expect::NonNullFunc,
                WastRetCore::RefFunc(Some(_)) => {
                    return Err("a specific function reference result".into())
                }
                WastRetCore::RefExtern(_) | WastRetCore::RefHost(_) => {
                    return Err(
                        "a host reference result (a ZisK guest has no host to make one)".into(),
                    )
                }
                WastRetCore::V128(_) => return Err("v128 result (SIMD is out of scope)".into()),
                _ => return Err("a reference result of a type beyond WebAssembly 2.0".into()),
            })
        })
        .collect()
}
