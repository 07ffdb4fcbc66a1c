//! `czisk fuzz`: differential testing. wasm-smith makes random modules within the scope
//! (WebAssembly 2.0 without SIMD); wasmi runs each on the host, calling every exported
//! function with seeded arguments, then reads every exported global and a checksum of
//! memory; that becomes a script the spec runner's drivers check inside ZisK on each
//! backend. Same seed, same module: a mismatch is reproducible with `--seed`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use arbitrary::Unstructured;

use crate::backend::Backend;
use crate::spec::{self, Action, Arg, Check, Expect, FloatExpect, Instance, Step, Verdict};

#[derive(clap::Args)]
pub struct FuzzArgs {
    /// The first seed.
    #[arg(long, default_value_t = 0)]
    pub seed: u64,
    /// How many seeds (modules) to try.
    #[arg(long, default_value_t = 100)]
    pub count: u64,
    /// Stop after this many seconds even if seeds remain (for long runs).
    #[arg(long)]
    pub time_limit: Option<u64>,
    /// The backends to check (repeatable); default: zisk and riscv.
    #[arg(long, value_enum)]
    pub backend: Vec<Backend>,
    /// Write each mismatching module here as `seed-N.wasm`.
    #[arg(long)]
    pub save: Option<PathBuf>,
    /// Check these modules (regressions found earlier) instead of generated ones.
    #[arg(long)]
    pub module: Vec<PathBuf>,
    /// Print every module's outcome.
    #[arg(long, short)]
    pub verbose: bool,
    /// Generate with the configuration aimed at the passes that carry the most risk (see
    /// `aimed_config`): overlapping active data segments with zero bytes, small memories
    /// with accesses at the bound, many functions with tables and indirect calls.
    #[arg(long)]
    pub aimed: bool,
}

/// Fuel for wasm-smith's termination guard: every loop iteration and call costs one, for
/// the whole run of a module.
const FUEL: u32 = 2000;
const MAX_STEPS: u64 = 100_000_000;

pub fn fuzz(args: &FuzzArgs) -> Result<ExitCode> {
    let backends = if args.backend.is_empty() {
        vec![Backend::Zisk, Backend::Riscv]
    } else {
        args.backend.clone()
    };
    let started = Instant::now();
    let (mut tried, mut checked, mut mismatches) = (0u64, 0u64, 0u64);
    let seeds = args.seed..args.seed.saturating_add(args.count);
    let count = if args.module.is_empty() {
        args.count
    } else {
        args.module.len() as u64
    };
    for n in 0..count {
        if args
            .time_limit
            .is_some_and(|limit| started.elapsed() > Duration::from_secs(limit))
        {
            break;
        }
        tried += 1;
        let seed = seeds.start + n;
        let (name, wasm) = match args.module.get(n as usize) {
            Some(path) => {
                let wasm = std::fs::read(path)
                    .with_context(|| format!("cannot read '{}'", path.display()))?;
                (path.display().to_string(), wasm)
            }
            None => match generate(seed, args.aimed) {
                Ok(wasm) => (format!("seed {seed}"), wasm),
                Err(e) => {
                    if args.verbose {
                        println!("seed {seed}: no module ({e})");
                    }
                    continue;
                }
            },
        };
        let instance = match reference_script(&wasm) {
            Ok(instance) => instance,
            Err(e) => {
                if args.verbose {
                    println!("{name}: skipped ({e})");
                }
                continue;
            }
        };
        let commands = instance.steps.len() + 1;
        checked += 1;
        let mut failures = Vec::new();
        for &backend in &backends {
            for outcome in spec::run_instance(&instance, backend, MAX_STEPS) {
                if outcome.verdict == Verdict::Fail {
                    failures.push(format!(
                        "{}: line {} {}: {}",
                        backend.name(),
                        outcome.line,
                        outcome.command,
                        outcome.detail
                    ));
                }
            }
        }
        if failures.is_empty() {
            if args.verbose {
                println!("{name}: {commands} checks agree");
            }
            continue;
        }
        mismatches += 1;
        println!("{name}: MISMATCH");
        for f in failures.iter().take(10) {
            println!("  {f}");
        }
        if let Some(dir) = &args.save {
            std::fs::create_dir_all(dir)?;
            let path = dir.join(format!("seed-{seed}.wasm"));
            std::fs::write(&path, &wasm)
                .with_context(|| format!("cannot write '{}'", path.display()))?;
            println!("  saved {}", path.display());
        }
    }
    println!(
        "fuzz{}: {tried} modules tried, {checked} checked on {}, {mismatches} mismatching, {:.0} s",
        if args.aimed { " (aimed)" } else { "" },
        backends
            .iter()
            .map(|b| b.name())
            .collect::<Vec<_>>()
            .join(" and "),
        started.elapsed().as_secs_f64()
    );
    Ok(if mismatches > 0 {
        ExitCode::from(3)
    } else {
        ExitCode::SUCCESS
    })
}

fn config() -> wasm_smith::Config {
    wasm_smith::Config {
        // WebAssembly 2.0 without SIMD.
        simd_enabled: false,
        relaxed_simd_enabled: false,
        exceptions_enabled: false,
        gc_enabled: false,
        memory64_enabled: false,
        tail_call_enabled: false,
        threads_enabled: false,
        wide_arithmetic_enabled: false,
        extended_const_enabled: false,
        custom_page_sizes_enabled: false,
        max_memories: 1,
        // Tables: several, small.
        max_tables: 3,
        max_table_elements: 100,
        // No imports: a ZisK guest has no host to give them.
        max_imports: 0,
        // At most 4 pages, so the checksum stays cheap.
        max_memory32_bytes: 4 * 65536,
        canonicalize_nans: true,
        export_everything: true,
        allow_start_export: true,
        max_funcs: 20,
        max_instructions: 300,
        ..wasm_smith::Config::default()
    }
}

/// The general configuration narrowed to what the riskiest passes work on: bounds-check
/// merging and loop invariants (one or two pages, memory offsets often at or past the
/// bound, many accesses per function), data layout (more segments, and overlapping ones
/// added by [`add_overlapping_data`]), static frames and calls (many functions, tables,
/// element segments, indirect calls), and state observed after each call (globals).
fn aimed_config() -> wasm_smith::Config {
    wasm_smith::Config {
        min_memories: 1,
        max_memory32_bytes: 2 * 65536,
        memory_offset_choices: wasm_smith::MemoryOffsetChoices(50, 40, 10),
        min_data_segments: 2,
        max_data_segments: 12,
        min_funcs: 6,
        max_funcs: 30,
        max_instructions: 500,
        min_tables: 1,
        min_element_segments: 1,
        min_globals: 2,
        ..config()
    }
}

/// The module for `seed` (with [`aimed_config`] and overlapping data when `aimed`).
pub fn generate(seed: u64, aimed: bool) -> Result<Vec<u8>> {
    let mut state = seed;
    let bytes: Vec<u8> = (0..8192)
        .flat_map(|_| splitmix(&mut state).to_le_bytes())
        .collect();
    let mut u = Unstructured::new(&bytes);
    let config = if aimed { aimed_config() } else { config() };
    let mut module = wasm_smith::Module::new(config, &mut u)?;
    module.ensure_termination(FUEL)?;
    let wasm = module.to_bytes();
    Ok(if aimed {
        add_overlapping_data(&wasm, &mut state)
    } else {
        wasm
    })
}

fn read_leb(bytes: &[u8], at: &mut usize) -> Option<u64> {
    let mut value = 0u64;
    for shift in (0..64).step_by(7) {
        let byte = *bytes.get(*at)?;
        *at += 1;
        value |= u64::from(byte & 0x7f) << shift;
        if byte & 0x80 == 0 {
            return Some(value);
        }
    }
    None
}

fn write_leb(out: &mut Vec<u8>, mut value: u64) {
    loop {
        let byte = (value & 0x7f) as u8;
        value >>= 7;
        if value == 0 {
            out.push(byte);
            return;
        }
        out.push(byte | 0x80);
    }
}

/// `wasm` with two to seven more active data segments for memory 0 after its own (so the
/// data indices of its own stay), all within 72 bytes of one another, so that they overlap
/// each other (and the module's own, at times), their bytes half zeros: instantiation
/// writes them in order, and a later zero byte must win over an earlier non-zero one. A
/// module without memory, or with an empty one, is returned as it is.
pub fn add_overlapping_data(wasm: &[u8], state: &mut u64) -> Vec<u8> {
    let mut sections: Vec<(u8, &[u8])> = Vec::new();
    let mut at = 8;
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let Some(size) = read_leb(wasm, &mut at) else {
            return wasm.to_vec();
        };
        let end = at + size as usize;
        if end > wasm.len() {
            return wasm.to_vec();
        }
        sections.push((id, &wasm[at..end]));
        at = end;
    }
    let min_pages = sections
        .iter()
        .find(|(id, _)| *id == 5)
        .and_then(|(_, payload)| {
            let mut at = 0;
            let count = read_leb(payload, &mut at)?;
            let flags = *payload.get(at)?;
            at += 1;
            (count > 0 && flags & !1 == 0).then(|| read_leb(payload, &mut at))?
        });
    let Some(min_bytes) = min_pages.filter(|&p| p > 0).map(|p| p * 65536) else {
        return wasm.to_vec();
    };
    let added = 2 + splitmix(state) % 6;
    let window = splitmix(state) % (min_bytes - 72);
    let mut segments = Vec::new();
    for _ in 0..added {
        let offset = window + splitmix(state) % 48;
        let len = 1 + splitmix(state) % 24;
        segments.extend([0x00, 0x41]); // active, memory 0; i32.const
        let mut offset_leb = Vec::new();
        // i32.const takes a signed LEB: offsets below 2^31 encode as the unsigned value
        // with a clear sign bit, so encode as signed.
        let mut v = offset as i64;
        loop {
            let byte = (v & 0x7f) as u8;
            v >>= 7;
            let done = (v == 0 && byte & 0x40 == 0) || (v == -1 && byte & 0x40 != 0);
            offset_leb.push(if done { byte } else { byte | 0x80 });
            if done {
                break;
            }
        }
        segments.extend(offset_leb);
        segments.push(0x0b);
        write_leb(&mut segments, len);
        for _ in 0..len {
            let r = splitmix(state);
            segments.push(if r % 2 == 0 { 0 } else { (r >> 8) as u8 });
        }
    }
    let (old_count, old_segments) = match sections.iter().find(|(id, _)| *id == 11) {
        Some((_, payload)) => {
            let mut at = 0;
            let Some(count) = read_leb(payload, &mut at) else {
                return wasm.to_vec();
            };
            (count, &payload[at..])
        }
        None => (0, &[][..]),
    };
    let mut data = Vec::new();
    write_leb(&mut data, old_count + added);
    data.extend_from_slice(old_segments);
    data.extend_from_slice(&segments);
    let mut count = Vec::new();
    write_leb(&mut count, old_count + added);
    // The data section goes last among the known sections (before trailing custom ones).
    let last_known = sections.iter().rposition(|(id, _)| *id != 0);
    let mut out = wasm[..8].to_vec();
    let section = |out: &mut Vec<u8>, id: u8, payload: &[u8]| {
        out.push(id);
        write_leb(out, payload.len() as u64);
        out.extend_from_slice(payload);
    };
    let has_data = sections.iter().any(|(id, _)| *id == 11);
    for (i, &(id, payload)) in sections.iter().enumerate() {
        match id {
            11 => section(&mut out, 11, &data),
            12 => section(&mut out, 12, &count),
            _ => section(&mut out, id, payload),
        }
        if !has_data && Some(i) == last_known {
            section(&mut out, 11, &data);
        }
    }
    out
}

fn splitmix(state: &mut u64) -> u64 {
    *state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
    let mut z = *state;
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Runs `wasm` on wasmi: every exported function once, in export order, with arguments
/// from a generator seeded by the module; then every exported global and the memory
/// checksum. The result is the script the drivers check.
pub fn reference_script(wasm: &[u8]) -> Result<Instance> {
    use wasmi::{Engine, ExternType, Linker, Module, Store, Val};
    let engine = Engine::default();
    let module =
        Module::new(&engine, wasm).map_err(|e| anyhow::anyhow!("wasmi refuses the module: {e}"))?;
    // wasmi grows memories and tables as far as the module allows; ZisK's stop where the
    // layout does (`memory.grow` and `table.grow` give -1 beyond). The same limits here,
    // or a table without maximum grown by a huge delta takes the host's memory (an aimed
    // run reached 24 GB) and the two sides would disagree.
    let memory_pages =
        czisk_frontend::translate_module(wasm, &czisk_frontend::LayoutConfig::zisk())
            .map_err(|e| anyhow::anyhow!("czisk refuses the module: {e}"))?
            .layout
            .memory_max_pages;
    let limits = wasmi::StoreLimitsBuilder::new()
        .memory_size((memory_pages * 65536) as usize)
        .table_elements(czisk_frontend::layout::DEFAULT_TABLE_CAPACITY as usize)
        .build();
    let mut store = Store::new(&engine, limits);
    store.limiter(|limits| limits);
    let linker = Linker::<wasmi::StoreLimits>::new(&engine);
    let mut instance = Instance {
        line: 1,
        wasm: wasm.to_vec(),
        steps: Vec::new(),
        expect_instantiation_trap: None,
        tainted: None,
    };
    let wasmi_instance = match linker.instantiate_and_start(&mut store, &module) {
        Ok(i) => i,
        Err(e) => match e.as_trap_code() {
            Some(wasmi::TrapCode::StackOverflow) => {
                anyhow::bail!("the host's stack overflowed instantiating it")
            }
            Some(code) => {
                instance.expect_instantiation_trap = Some(trap_message(code).to_string());
                return Ok(instance);
            }
            None => anyhow::bail!("wasmi cannot instantiate: {e}"),
        },
    };
    let mut state = wasm.len() as u64;
    let exports: Vec<(String, ExternType)> = module
        .exports()
        .map(|e| (e.name().to_string(), e.ty().clone()))
        .collect();
    // The exported globals (`memory` false) or the memory checksum (true), as checks.
    let snapshot = |store: &Store<wasmi::StoreLimits>, memory: bool| -> Result<Vec<Step>> {
        let mut checks = Vec::new();
        for (name, ty) in &exports {
            let (command, action, expect) = match ty {
                ExternType::Global(_) if !memory => {
                    let value = wasmi_instance
                        .get_global(store, name)
                        .context("exported global")?
                        .get(store);
                    (
                        "global",
                        Action::Get {
                            export: name.clone(),
                        },
                        expectation(&value)?,
                    )
                }
                ExternType::Memory(_) if memory => {
                    let memory = wasmi_instance
                        .get_memory(store, name)
                        .context("exported memory")?;
                    (
                        "memory",
                        Action::MemoryChecksum,
                        Expect::I64(spec::memory_checksum(memory.data(store))),
                    )
                }
                _ => continue,
            };
            checks.push(Step {
                line: 0,
                command,
                action,
                check: Check::Return(vec![expect]),
            });
        }
        Ok(checks)
    };
    // A trap ends a ZisK run, and the runner replays only calls that return; so the state
    // is compared as it was before the first trapping call, which comes last.
    // Globals are compared after every call, memory once at the end (its checksum costs
    // a loop over every word).
    instance.steps.extend(snapshot(&store, false)?);
    let mut memory_checks = snapshot(&store, true)?;
    let mut trapping = None;
    for (name, ty) in &exports {
        let ExternType::Func(func_ty) = ty else {
            continue;
        };
        let Some(func) = wasmi_instance.get_func(&store, name) else {
            continue;
        };
        let mut args = Vec::new();
        let mut values = Vec::new();
        for param in func_ty.params() {
            let (arg, value) = argument(param, &mut state);
            args.push(arg);
            values.push(value);
        }
        let action = Action::Invoke {
            export: name.clone(),
            args,
        };
        let mut results: Vec<Val> = func_ty.results().iter().map(|t| Val::default(*t)).collect();
        match func.call(&mut store, &values, &mut results) {
            Ok(()) => {
                let expects = results.iter().map(expectation).collect::<Result<_>>()?;
                instance.steps.push(Step {
                    line: 0,
                    command: "invoke",
                    action,
                    check: Check::Return(expects),
                });
                instance.steps.extend(snapshot(&store, false)?);
                memory_checks = snapshot(&store, true)?;
            }
            Err(e) => {
                match e.as_trap_code() {
                    // The host's stack limit is not ZisK's: this call cannot be compared.
                    Some(wasmi::TrapCode::StackOverflow) => {}
                    Some(code) => {
                        let check = Check::Trap(trap_message(code).to_string());
                        trapping = Some(Step {
                            line: 0,
                            command: "invoke",
                            action,
                            check,
                        });
                    }
                    None => anyhow::bail!("wasmi failed without a trap: {e}"),
                }
                break;
            }
        }
    }
    instance.steps.extend(memory_checks);
    instance.steps.extend(trapping);
    for (i, step) in instance.steps.iter_mut().enumerate() {
        step.line = i as u32 + 2;
    }
    Ok(instance)
}

/// A seeded argument: mostly small and boundary values, as those reach more paths.
fn argument(ty: &wasmi::ValType, state: &mut u64) -> (Arg, wasmi::Val) {
    use wasmi::ValType as T;
    let r = splitmix(state);
    let pick = |choices: &[u64]| choices[(r % choices.len() as u64) as usize];
    match ty {
        T::I32 => {
            let v = pick(&[
                0,
                1,
                2,
                7,
                0xffff_ffff,
                0x8000_0000,
                0x7fff_ffff,
                r >> 32,
                (r >> 40) & 0xffff,
            ]) as u32;
            (Arg::I32(v), wasmi::Val::I32(v as i32))
        }
        T::I64 => {
            let v = pick(&[0, 1, 3, u64::MAX, 1 << 63, (1 << 63) - 1, r, r >> 40]);
            (Arg::I64(v), wasmi::Val::I64(v as i64))
        }
        T::F32 => {
            let v = pick(&[
                0,
                0x3f80_0000,
                0xbf80_0000,
                0x7f80_0000,
                0x7fc0_0000,
                0x0000_0001,
                (r >> 32) & 0x7fff_ffff,
            ]) as u32;
            (Arg::F32(v), wasmi::Val::F32(wasmi::F32::from_bits(v)))
        }
        T::F64 => {
            let v = pick(&[
                0,
                0x3ff0_0000_0000_0000,
                0xc000_0000_0000_0000,
                0x7ff0_0000_0000_0000,
                1,
                r >> 2,
            ]);
            (Arg::F64(v), wasmi::Val::F64(wasmi::F64::from_bits(v)))
        }
        T::FuncRef => (Arg::NullFuncRef, wasmi::Val::FuncRef(wasmi::Ref::Null)),
        T::ExternRef => (Arg::NullExternRef, wasmi::Val::ExternRef(wasmi::Ref::Null)),
        other => unreachable!("value type {other:?} is out of scope"),
    }
}

fn expectation(value: &wasmi::Val) -> Result<Expect> {
    use wasmi::Val;
    let float = |bits: u64, canonical: u64, exponent: u64, mantissa: u64| {
        let is_nan = bits & exponent == exponent && bits & mantissa != 0;
        // Canonical NaNs may have either sign; other NaNs come from bit operations and
        // must be exact.
        if is_nan && bits & mantissa == canonical & mantissa {
            FloatExpect::CanonicalNan
        } else {
            FloatExpect::Bits(bits)
        }
    };
    Ok(match value {
        Val::I32(v) => Expect::I32(*v as u32),
        Val::I64(v) => Expect::I64(*v as u64),
        Val::F32(v) => Expect::F32(float(
            v.to_bits() as u64,
            0x7fc0_0000,
            0x7f80_0000,
            0x007f_ffff,
        )),
        Val::F64(v) => Expect::F64(float(
            v.to_bits(),
            0x7ff8_0000_0000_0000,
            0x7ff0_0000_0000_0000,
            0x000f_ffff_ffff_ffff,
        )),
        Val::FuncRef(r) if r.is_null() => Expect::Null,
        Val::FuncRef(_) => Expect::NonNullFunc,
        Val::ExternRef(r) if r.is_null() => Expect::Null,
        other => anyhow::bail!("result {other:?} cannot be checked inside ZisK"),
    })
}

/// The runner's trap wording for a wasmi trap. wasmi has one code for a table index out
/// of bounds, which the spec words differently for `call_indirect` and table accesses.
fn trap_message(code: wasmi::TrapCode) -> &'static str {
    use wasmi::TrapCode as T;
    match code {
        T::UnreachableCodeReached => "unreachable",
        T::MemoryOutOfBounds => "out of bounds memory access",
        T::TableOutOfBounds => "undefined element|out of bounds table access",
        T::IndirectCallToNull => "uninitialized element",
        T::IntegerDivisionByZero => "integer divide by zero",
        T::IntegerOverflow => "integer overflow",
        T::BadConversionToInteger => "invalid conversion to integer",
        T::StackOverflow => "call stack exhausted",
        T::BadSignature => "indirect call type mismatch",
        T::OutOfFuel | T::GrowthOperationLimited => "resource limit",
    }
}
