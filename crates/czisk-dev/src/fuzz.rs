//! `czisk-dev fuzz`: differential testing. wasm-smith makes random modules within the scope
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
        // The module as compared: `f32.demote_f64` and `f64.promote_f32` results made
        // deterministic (see `canonicalize_conversion_nans`); the one saved is the original.
        let compared = canonicalize_conversion_nans(&wasm).unwrap_or_else(|_| wasm.clone());
        let instance = match reference_script(&compared) {
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

/// `wasm` with every `f32.demote_f64` and `f64.promote_f32` followed by a call to a
/// function added at the end that checks and canonicalizes a NaN result.
///
/// wasm-smith's `canonicalize_nans` makes the NaNs of arithmetic deterministic but leaves
/// these two conversions out, and by the spec their result for a non-canonical NaN input
/// is any arithmetic NaN (quiet bit set, sign and payload free): wasmi keeps the input's
/// sign and payload on x86 while RISC-V's `fcvt` gives the canonical NaN, and a module
/// that reinterprets such a NaN (seed 21751: a demoted NaN stored in a global, read back
/// through `i32.reinterpret_f32`) gets different integers on each, both correct. After the
/// rewrite a NaN result is the positive canonical NaN on every engine, an allowed
/// refinement; the added function first traps (`unreachable`) on a NaN without the quiet
/// bit, which no correct engine produces, so a conversion giving one is still caught.
/// Modules without these conversions come back unchanged.
pub fn canonicalize_conversion_nans(wasm: &[u8]) -> Result<Vec<u8>> {
    use wasmparser::{Operator, Parser, Payload, TypeRef};
    let mut types = 0u32;
    let mut imported_funcs = 0u32;
    let mut defined_funcs = 0u32;
    // Each body's range and the (position, f64?) of the calls to insert after conversions.
    let mut bodies: Vec<(std::ops::Range<usize>, Vec<(usize, bool)>)> = Vec::new();
    for payload in Parser::new(0).parse_all(wasm) {
        match payload? {
            Payload::TypeSection(reader) => {
                for group in reader {
                    types += group?.types().len() as u32;
                }
            }
            Payload::ImportSection(reader) => {
                for import in reader.into_imports() {
                    if matches!(import?.ty, TypeRef::Func(_) | TypeRef::FuncExact(_)) {
                        imported_funcs += 1;
                    }
                }
            }
            Payload::FunctionSection(reader) => defined_funcs = reader.count(),
            Payload::CodeSectionEntry(body) => {
                let mut ops = body.get_operators_reader()?;
                let mut inserts = Vec::new();
                while !ops.eof() {
                    let op = ops.read()?;
                    match op {
                        Operator::F32DemoteF64 => inserts.push((ops.original_position(), false)),
                        Operator::F64PromoteF32 => inserts.push((ops.original_position(), true)),
                        _ => {}
                    }
                }
                bodies.push((body.range(), inserts));
            }
            _ => {}
        }
    }
    if bodies.iter().all(|(_, inserts)| inserts.is_empty()) {
        return Ok(wasm.to_vec());
    }
    let (canon32, canon64) = (
        imported_funcs + defined_funcs,
        imported_funcs + defined_funcs + 1,
    );
    // (param f32) (result f32): x if x == x; else unreachable unless quiet, then the
    // canonical NaN. And the same for f64.
    let mut helper32 = vec![0x00, 0x20, 0, 0x20, 0, 0x5b, 0x04, 0x7d, 0x20, 0, 0x05];
    helper32.extend([0x20, 0, 0xbc, 0x41, 0x80, 0x80, 0x80, 0x02, 0x71, 0x45]);
    helper32.extend([
        0x04, 0x40, 0x00, 0x0b, 0x43, 0x00, 0x00, 0xc0, 0x7f, 0x0b, 0x0b,
    ]);
    let mut helper64 = vec![0x00, 0x20, 0, 0x20, 0, 0x61, 0x04, 0x7c, 0x20, 0, 0x05];
    helper64.extend([
        0x20, 0, 0xbd, 0x42, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x04,
    ]);
    helper64.extend([0x83, 0x50, 0x04, 0x40, 0x00, 0x0b, 0x44]);
    helper64.extend(0x7ff8_0000_0000_0000u64.to_le_bytes());
    helper64.extend([0x0b, 0x0b]);

    let mut out = wasm[..8].to_vec();
    let mut at = 8;
    let section = |out: &mut Vec<u8>, id: u8, payload: &[u8]| {
        out.push(id);
        write_leb(out, payload.len() as u64);
        out.extend_from_slice(payload);
    };
    let with_count = |payload: &[u8], extra: u64, tail: &[u8]| -> Result<Vec<u8>> {
        let mut p = 0;
        let count = read_leb(payload, &mut p).context("section count")?;
        let mut new = Vec::new();
        write_leb(&mut new, count + extra);
        new.extend_from_slice(&payload[p..]);
        new.extend_from_slice(tail);
        Ok(new)
    };
    while at < wasm.len() {
        let id = wasm[at];
        at += 1;
        let size = read_leb(wasm, &mut at).context("section size")? as usize;
        let payload = wasm.get(at..at + size).context("section bounds")?;
        match id {
            1 => {
                let tail = [0x60, 1, 0x7d, 1, 0x7d, 0x60, 1, 0x7c, 1, 0x7c];
                section(&mut out, 1, &with_count(payload, 2, &tail)?);
            }
            3 => {
                let mut tail = Vec::new();
                write_leb(&mut tail, types as u64);
                write_leb(&mut tail, types as u64 + 1);
                section(&mut out, 3, &with_count(payload, 2, &tail)?);
            }
            10 => {
                let mut new = Vec::new();
                write_leb(&mut new, bodies.len() as u64 + 2);
                for (range, inserts) in &bodies {
                    let mut body = Vec::new();
                    let mut from = range.start;
                    for &(pos, is_f64) in inserts {
                        body.extend_from_slice(&wasm[from..pos]);
                        body.push(0x10);
                        write_leb(&mut body, if is_f64 { canon64 } else { canon32 } as u64);
                        from = pos;
                    }
                    body.extend_from_slice(&wasm[from..range.end]);
                    write_leb(&mut new, body.len() as u64);
                    new.extend(body);
                }
                for helper in [&helper32, &helper64] {
                    write_leb(&mut new, helper.len() as u64);
                    new.extend_from_slice(helper);
                }
                section(&mut out, 10, &new);
            }
            _ => section(&mut out, id, payload),
        }
        at += size;
    }
    Ok(out)
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

#[cfg(test)]
mod tests {
    use super::*;

    /// A demoted non-canonical NaN kept in an exported global and reinterpreted (as in
    /// seed 21751), a promoted one reinterpreted, and two conversions of ordinary values.
    const CONVERSIONS: &str = r#"(module
      (global $src64 (mut f64) (f64.const -nan:0xfffffff000000))
      (global $src32 (mut f32) (f32.const nan:0x600001))
      (global (export "g") (mut f32) (f32.const 0))
      (global (export "h") (mut i32) (i32.const 0))
      (func (export "a") (result i32 i64 f32 f64)
        (global.set 2 (f32.demote_f64 (global.get $src64)))
        (global.set 3 (i32.reinterpret_f32 (global.get 2)))
        (global.get 3)
        (i64.reinterpret_f64 (f64.promote_f32 (global.get $src32)))
        (f32.demote_f64 (f64.const 1.1))
        (f64.promote_f32 (f32.const 1.1))))"#;

    fn invoke_results(instance: &Instance) -> &Vec<Expect> {
        instance
            .steps
            .iter()
            .find_map(|s| match (&s.action, &s.check) {
                (Action::Invoke { .. }, Check::Return(e)) => Some(e),
                _ => None,
            })
            .expect("the invoke of a")
    }

    fn failures(instance: &Instance, backend: Backend) -> Vec<String> {
        spec::run_instance(instance, backend, MAX_STEPS)
            .into_iter()
            .filter(|o| o.verdict == Verdict::Fail)
            .map(|o| format!("line {} {}: {}", o.line, o.command, o.detail))
            .collect()
    }

    #[test]
    fn modules_without_conversions_are_unchanged() {
        let wasm =
            wat::parse_str("(module (func (export \"f\") (result f32) (f32.const nan:0x1)))")
                .unwrap();
        assert_eq!(canonicalize_conversion_nans(&wasm).unwrap(), wasm);
    }

    #[test]
    fn conversion_nans_become_canonical_and_ordinary_values_stay() {
        let wasm = wat::parse_str(CONVERSIONS).unwrap();
        // On wasmi the NaNs keep their payloads: the reinterpreted bits are one engine's
        // choice among those the spec allows.
        let original = reference_script(&wasm).unwrap();
        let results = invoke_results(&original);
        assert_eq!(results[0], Expect::I32(0xffff_ffff));
        assert_ne!(results[1], Expect::I64(0x7ff8_0000_0000_0000));
        let rewritten = canonicalize_conversion_nans(&wasm).unwrap();
        wasmparser::validate(&rewritten).unwrap();
        let instance = reference_script(&rewritten).unwrap();
        let results = invoke_results(&instance);
        assert_eq!(results[0], Expect::I32(0x7fc0_0000));
        assert_eq!(results[1], Expect::I64(0x7ff8_0000_0000_0000));
        assert_eq!(
            results[2],
            Expect::F32(FloatExpect::Bits(1.1f32.to_bits() as u64))
        );
        assert_eq!(
            results[3],
            Expect::F64(FloatExpect::Bits((1.1f32 as f64).to_bits()))
        );
        for backend in [Backend::Zisk, Backend::Riscv] {
            assert_eq!(
                failures(&instance, backend),
                Vec::<String>::new(),
                "{backend:?}"
            );
        }
    }

    /// The rewrite tolerates nothing: a wrong conversion result, or the NaN bits another
    /// engine would have reinterpreted without it, still fail.
    #[test]
    fn a_wrong_result_is_still_caught() {
        let wasm = canonicalize_conversion_nans(&wat::parse_str(CONVERSIONS).unwrap()).unwrap();
        let instance = reference_script(&wasm).unwrap();
        let tamper = |index: usize, wrong: Expect| {
            let mut bad = instance.clone();
            for step in &mut bad.steps {
                if let (Action::Invoke { .. }, Check::Return(e)) = (&step.action, &mut step.check) {
                    e[index] = wrong;
                    break;
                }
            }
            bad
        };
        let wrong_value = tamper(
            2,
            Expect::F32(FloatExpect::Bits(1.1f32.to_bits() as u64 ^ 1)),
        );
        let payload_kept = tamper(0, Expect::I32(0xffff_ffff));
        for backend in [Backend::Zisk, Backend::Riscv] {
            assert!(!failures(&wrong_value, backend).is_empty(), "{backend:?}");
            assert!(!failures(&payload_kept, backend).is_empty(), "{backend:?}");
        }
    }

    /// The added functions on their own (called here through an index the rewrite gives
    /// them): ordinary values and quiet NaNs pass (NaNs canonical), signaling NaNs trap.
    #[test]
    fn the_added_functions_canonicalize_quiet_nans_and_trap_on_signaling_ones() {
        let wasm = wat::parse_str(
            r#"(module
              (func (param f64) (result f32 f64)
                (f32.demote_f64 (local.get 0)) (f64.promote_f32 (f32.const 0)))
              (func (export "c32") (param i32) (result i32)
                (i32.reinterpret_f32 (call 3 (f32.reinterpret_i32 (local.get 0)))))
              (func (export "c64") (param i64) (result i64)
                (i64.reinterpret_f64 (call 4 (f64.reinterpret_i64 (local.get 0))))))"#,
        )
        .unwrap();
        let wasm = canonicalize_conversion_nans(&wasm).unwrap();
        wasmparser::validate(&wasm).unwrap();
        let engine = wasmi::Engine::default();
        let module = wasmi::Module::new(&engine, &wasm[..]).unwrap();
        let mut store = wasmi::Store::new(&engine, ());
        let instance = wasmi::Linker::<()>::new(&engine)
            .instantiate_and_start(&mut store, &module)
            .unwrap();
        let c32 = instance.get_typed_func::<i32, i32>(&store, "c32").unwrap();
        let c64 = instance.get_typed_func::<i64, i64>(&store, "c64").unwrap();
        for (input, output) in [
            (0x3f80_0000u32, Some(0x3f80_0000u32)),
            (0xff80_0000, Some(0xff80_0000)),
            (0xffff_ffff, Some(0x7fc0_0000)),
            (0x7fc0_0001, Some(0x7fc0_0000)),
            (0x7fa0_0000, None),
        ] {
            let got = c32.call(&mut store, input as i32).ok().map(|v| v as u32);
            assert_eq!(got, output, "{input:#x}");
        }
        for (input, output) in [
            (0x3ff0_0000_0000_0000u64, Some(0x3ff0_0000_0000_0000u64)),
            (0xfff8_0000_0000_0001, Some(0x7ff8_0000_0000_0000)),
            (0x7ff4_0000_0000_0000, None),
        ] {
            let got = c64.call(&mut store, input as i64).ok().map(|v| v as u64);
            assert_eq!(got, output, "{input:#x}");
        }
    }

    /// Seed 21751 (`czisk-dev fuzz --aimed`): func 1 demotes `-nan:0xfffffff000000` into
    /// global 2 (export "12"), func 2 reinterprets it into global 5 (export "15").
    #[test]
    fn seed_21751_is_rewritten_into_a_valid_module() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fuzz");
        let wasm = std::fs::read(dir.join("seed-21751.wasm")).unwrap();
        let rewritten = canonicalize_conversion_nans(&wasm).unwrap();
        assert_ne!(rewritten, wasm);
        wasmparser::validate(&rewritten).unwrap();
    }
}
