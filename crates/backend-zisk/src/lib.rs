//! The direct backend: CLIF to ZisK instructions, without going through RISC-V.
//!
//! Pipeline per function (see DESIGN.md §2):
//! 1. Cranelift's mid-end (`Context::optimize`: egraph rewrites, GVN, LICM, alias analysis);
//!    then czisk-midend's passes (loop-invariant checks and computations moved out of loops,
//!    bounds checks widened and dropped), and `legalize`: 128-bit comparisons the mid-end formed split back
//!    into 64-bit ones;
//! 2. `lower`: instruction selection by the ISLE rules in `src/isle/lower.isle` onto
//!    virtual registers, blocks in reverse post-order with critical edges split;
//! 3. `regalloc`: regalloc2 over the 37 allocatable main-trace registers (r3..r39);
//! 4. `emit`: frames, moves, trap stubs, branch tables, jump folding;
//!
//! A function that can never be active twice (`calls.rs`) gets a frame at a fixed address,
//! so its spilled values are operands ZisK instructions read and write in place.
//!
//! and for the program, `link`: ZisK's BIOS, our `_start`, every function, preloaded RAM,
//! into a `ZiskRom`.

pub mod calls;
pub mod emit;
pub mod float;
pub mod inst;
pub mod legalize;
pub mod link;
pub mod lower;
pub mod machine;
pub mod packed;
pub mod regalloc;
pub mod timings;
mod varint;
pub mod ziskbin;

use std::collections::BTreeMap;

use cranelift_codegen::control::ControlPlane;
use cranelift_codegen::dominator_tree::DominatorTree;
use cranelift_codegen::flowgraph::ControlFlowGraph;
use cranelift_codegen::isa::{self, OwnedTargetIsa};
use cranelift_codegen::settings::{self, Configurable};
use cranelift_codegen::Context;
use czisk_frontend::{prepare_module_with, CompileError, LayoutConfig, Optimizations};
use czisk_runtime::program::{
    program_unit_sources, ProgramUnit, UnitSource, NS_BACKEND, TRAP_REPORTER,
};
use czisk_runtime::RuntimeError;
use thiserror::Error;
use zisk_core::zisk_rom::ZiskRom;

/// Where trap stubs report to.
pub const TRAP_REPORTER_KEY: (u32, u32) = (NS_BACKEND, TRAP_REPORTER);

pub struct ZiskProgram {
    /// The ROM (empty if only the ELF was asked for).
    pub rom: ZiskRom,
    /// The ziskbin ELF, if asked for ([`link::LinkOutput::Elf`]).
    pub elf: Option<Vec<u8>>,
    /// Start address of every function, by address.
    pub symbols: BTreeMap<u64, String>,
}

#[derive(Debug, Error)]
pub enum BackendError {
    #[error(transparent)]
    Frontend(#[from] CompileError),
    #[error(transparent)]
    Runtime(#[from] RuntimeError),
    #[error("optimizing {function}: {message}")]
    Optimize { function: String, message: String },
    #[error("lowering {function}: {error}")]
    Lower {
        function: String,
        error: lower::LowerError,
    },
    #[error("register allocation failed in {function}: {message}")]
    Regalloc { function: String, message: String },
    #[error("linking: {0}")]
    Link(String),
    #[error(
        "the static frames of the functions that are never active twice take {bytes} bytes \
         (the largest, {largest}'s, {largest_bytes}); at most {budget} fit at the top of \
         ZisK's stack region, which must keep {min_stack} bytes of stack above its limit"
    )]
    StaticFrames {
        bytes: u64,
        budget: u64,
        largest: String,
        largest_bytes: u64,
        min_stack: u64,
    },
}

/// Stack the static frames must leave between the stack's top and its limit: with less,
/// a function using the stack would trap with "call stack exhausted" at once (and frames
/// below the region's bottom would be unmapped).
pub const MIN_STACK_BYTES: u64 = 1 << 20;

/// Places the static frames of `sizes` (name and bytes, in order) downwards from the top of
/// ZisK's stack region: their bases, and the stack's top below them. Fails when they leave
/// less than [`MIN_STACK_BYTES`] of stack above `stack_limit`.
pub fn place_static_frames(
    sizes: &[(&str, u64)],
    stack_limit: u64,
) -> Result<(Vec<u64>, u64), BackendError> {
    let budget = (link::STACK_REGION_TOP - stack_limit).saturating_sub(MIN_STACK_BYTES + 32);
    let mut top = link::STACK_REGION_TOP;
    let mut bases = Vec::with_capacity(sizes.len());
    let mut bytes = 0u64;
    for &(_, size) in sizes {
        let size = size.next_multiple_of(8);
        bytes += size;
        top = top.wrapping_sub(size);
        bases.push(top);
    }
    if bytes > budget {
        let (largest, largest_bytes) = sizes
            .iter()
            .max_by_key(|(_, size)| *size)
            .map(|&(name, size)| (name.to_string(), size))
            .unwrap_or_default();
        return Err(BackendError::StaticFrames {
            bytes,
            budget,
            largest,
            largest_bytes,
            min_stack: MIN_STACK_BYTES,
        });
    }
    let stack_top = (top - 16) & !15;
    assert!(stack_top >= stack_limit + MIN_STACK_BYTES);
    Ok((bases, stack_top))
}

/// The ISA whose flags drive Cranelift's (target-independent) mid-end.
fn optimizer_isa() -> OwnedTargetIsa {
    optimizer_isa_at("speed")
}

/// [`optimizer_isa`] at Cranelift's `opt_level` `level` ("none" leaves the mid-end out but
/// for its cleanups: unreachable code, constant block parameters).
fn optimizer_isa_at(level: &str) -> OwnedTargetIsa {
    let mut flags = settings::builder();
    flags.set("opt_level", level).expect("known setting");
    // As wasmtime does: the IR verifier checks Cranelift itself, between its passes; the
    // tests' builds (feature validate-ssa) keep it.
    if !cfg!(feature = "validate-ssa") {
        flags
            .set("enable_verifier", "false")
            .expect("known setting");
    }
    isa::lookup_by_name("riscv64")
        .expect("riscv64 is built in")
        .finish(settings::Flags::new(flags))
        .expect("valid settings")
}

/// A function lowered and allocated, waiting for its frame's address.
struct Allocated {
    key: (u32, u32),
    name: String,
    trap_func_index: u32,
    vcode: lower::VCode,
    regalloc: regalloc2::Output,
    frame: emit::Frame,
}

fn allocate_unit(
    isa: &dyn isa::TargetIsa,
    unit: ProgramUnit,
    static_frame: bool,
    // The module's access limits, for removing redundant bounds checks (none for the float
    // routines, which come from a module of their own).
    limit_shape: Option<&czisk_frontend::LimitShape>,
) -> Result<Allocated, BackendError> {
    allocate_unit_timed(
        isa,
        unit,
        static_frame,
        limit_shape,
        &Optimizations::ALL,
        &mut timings::FunctionTimes::default(),
    )
}

fn allocate_unit_timed(
    isa: &dyn isa::TargetIsa,
    unit: ProgramUnit,
    static_frame: bool,
    limit_shape: Option<&czisk_frontend::LimitShape>,
    opts: &Optimizations,
    times: &mut timings::FunctionTimes,
) -> Result<Allocated, BackendError> {
    use timings::timed;
    let mut ctx = Context::for_function(unit.func);
    timed(&mut times.optimize, || {
        ctx.optimize(isa, &mut ControlPlane::default())
    })
    .map_err(|e| BackendError::Optimize {
        function: unit.name.clone(),
        message: format!("{e:?}"),
    })?;
    let flow = timed(&mut times.passes, || {
        // Cranelift's mid-end leaves the CFG and dominator tree of the function it
        // optimized (it recomputes them after the egraph pass; none of its cleanups at
        // opt level none keeps them current).
        let flow = if isa.flags().opt_level() == settings::OptLevel::None {
            czisk_midend::Flow::of(&ctx.func)
        } else {
            czisk_midend::Flow {
                cfg: std::mem::replace(&mut ctx.cfg, ControlFlowGraph::new()),
                domtree: std::mem::replace(&mut ctx.domtree, DominatorTree::new()),
            }
        };
        let flow = czisk_midend::run_passes(&mut ctx.func, flow, limit_shape, opts);
        legalize::split_i128_compares(&mut ctx.func);
        flow
    });
    // For working on the backend: CZISK_DUMP_CLIF=part prints the optimized CLIF of every
    // function whose name contains `part`.
    if let Some(part) = std::env::var_os("CZISK_DUMP_CLIF") {
        if unit.name.contains(&*part.to_string_lossy()) {
            eprintln!("; {}\n{}", unit.name, ctx.func.display());
        }
    }
    let vcode = timed(&mut times.lower, || {
        lower::lower_function_with(&ctx.func, &flow.domtree, static_frame, limit_shape, opts)
    })
    .map_err(|error| BackendError::Lower {
        function: unit.name.clone(),
        error,
    })?;
    let regalloc = timed(&mut times.regalloc, || {
        if unit.key.0 == czisk_runtime::softfloat::NS_FLOAT {
            regalloc::allocate_low(&vcode, ROUTINE_LAST_REG)
        } else {
            regalloc::allocate(&vcode)
        }
    });
    let regalloc = regalloc.map_err(|e| BackendError::Regalloc {
        function: unit.name.clone(),
        message: format!("{e:?}"),
    })?;
    // A static frame's address is assigned once every frame's size is known.
    let base = if static_frame {
        emit::FrameBase::Static(0)
    } else {
        emit::FrameBase::Stack
    };
    let frame = timed(&mut times.frame_and_emit, || {
        emit::frame_layout(&ctx.func, &vcode, &regalloc, base)
    });
    Ok(Allocated {
        key: unit.key,
        name: unit.name,
        trap_func_index: unit.trap_func_index,
        vcode,
        regalloc,
        frame,
    })
}

/// The float routines are allocated in r3..=ROUTINE_LAST_REG: a value live across a call
/// to one can stay in a register above.
const ROUTINE_LAST_REG: u8 = 17;

/// The registers a call to the float routine `(NS_FLOAT, index)` may overwrite: those its
/// allocated code writes (all caller-saved ones if it calls anything). The routines are
/// the same for every program, so each is compiled once per process for this; the program's
/// own copy gets the same allocation (`compile_wasm` checks).
pub fn routine_clobbers(index: u32) -> regalloc2::PRegSet {
    use std::collections::HashMap;
    use std::sync::{Mutex, OnceLock};
    static SETS: OnceLock<Mutex<HashMap<u32, regalloc2::PRegSet>>> = OnceLock::new();
    let sets = SETS.get_or_init(Default::default);
    if let Some(set) = sets.lock().unwrap().get(&index) {
        return *set;
    }
    let isa = optimizer_isa();
    let a = allocate_unit(
        &*isa,
        czisk_runtime::softfloat::routine_unit(index),
        true,
        None,
    )
    .expect("the float routines compile");
    let set = written_registers(&a);
    sets.lock().unwrap().insert(index, set);
    set
}

/// The caller-saved registers an allocated leaf function writes (all of them if it is no
/// leaf).
fn written_registers(a: &Allocated) -> regalloc2::PRegSet {
    let all = machine::caller_saved();
    let leaf = a.vcode.insts.iter().all(|i| {
        !matches!(
            i,
            inst::MInst::Call { .. } | inst::MInst::MemMove { .. } | inst::MInst::Promote { .. }
        )
    });
    if !leaf {
        return all;
    }
    let mut set = regalloc2::PRegSet::empty();
    let mut add = |alloc: regalloc2::Allocation| {
        if let Some(p) = alloc.as_reg() {
            if all.contains(p) {
                set.add(p);
            }
        }
    };
    for &alloc in &a.regalloc.allocs {
        add(alloc);
    }
    for (_, edit) in &a.regalloc.edits {
        let regalloc2::Edit::Move { from, to } = edit;
        add(*from);
        add(*to);
    }
    set
}

/// The float routines a lowered function calls.
fn float_calls(a: &Allocated) -> Vec<u32> {
    a.vcode
        .insts
        .iter()
        .filter_map(|i| match i {
            inst::MInst::Call {
                target: inst::CallTarget::Direct((ns, index)),
                ..
            } if *ns == czisk_runtime::softfloat::NS_FLOAT => Some(*index),
            _ => None,
        })
        .collect()
}

/// How to compile: the threads that compile functions, and whether to record timings.
#[derive(Clone, Debug)]
pub struct CompileOptions {
    /// Threads compiling functions in parallel (1: on the calling thread). The output is
    /// the same whatever the number.
    pub threads: usize,
    /// Record each stage's time and peak memory ([`timings::Timings`]).
    pub timings: bool,
    /// What to make: a ROM to execute, a ROM to list, or the ELF alone (see
    /// [`link::LinkOutput`]); the same ROM whichever.
    pub output: link::LinkOutput,
    /// The optimizations to run (the float routines always get all of them: the registers
    /// a call to one clobbers are fixed, see [`routine_clobbers`]).
    pub optimizations: Optimizations,
}

impl Default for CompileOptions {
    fn default() -> CompileOptions {
        CompileOptions {
            threads: 1,
            timings: false,
            output: link::LinkOutput::Execute,
            optimizations: Optimizations::ALL,
        }
    }
}

/// Compiles a wasm module to a ZisK ROM.
pub fn compile_wasm(wasm: &[u8]) -> Result<ZiskProgram, BackendError> {
    compile_wasm_with(wasm, &CompileOptions::default()).map(|(program, _)| program)
}

/// Where the static frames go: placed downwards from the top of ZisK's stack region in the
/// order the functions are compiled (see [`place_static_frames`], which this does one frame
/// at a time).
struct StaticFrames {
    top: u64,
    bytes: u64,
    /// The largest frame (the last of equal ones), for the error.
    largest: Option<(String, u64)>,
}

impl StaticFrames {
    fn new() -> StaticFrames {
        StaticFrames {
            top: link::STACK_REGION_TOP,
            bytes: 0,
            largest: None,
        }
    }

    fn place(&mut self, a: &mut Allocated) {
        if !matches!(a.frame.base, emit::FrameBase::Static(_)) {
            return;
        }
        let size = a.frame.size as u64;
        if self.largest.as_ref().is_none_or(|(_, l)| size >= *l) {
            self.largest = Some((a.name.clone(), size));
        }
        let size = size.next_multiple_of(8);
        self.bytes += size;
        self.top = self.top.wrapping_sub(size);
        a.frame.base = emit::FrameBase::Static(self.top);
    }

    /// The stack's top below the frames, or the error [`place_static_frames`] gives.
    fn stack_top(self, stack_limit: u64) -> Result<u64, BackendError> {
        let budget = (link::STACK_REGION_TOP - stack_limit).saturating_sub(MIN_STACK_BYTES + 32);
        if self.bytes > budget {
            let (largest, largest_bytes) = self.largest.unwrap_or_default();
            return Err(BackendError::StaticFrames {
                bytes: self.bytes,
                budget,
                largest,
                largest_bytes,
                min_stack: MIN_STACK_BYTES,
            });
        }
        let stack_top = (self.top - 16) & !15;
        assert!(stack_top >= stack_limit + MIN_STACK_BYTES);
        Ok(stack_top)
    }
}

/// A function to compile: its CLIF, or the defined wasm function to translate (with the
/// call summary its body gave, which the translation is checked against).
enum Body {
    Clif(Box<cranelift_codegen::ir::Function>),
    Translate(usize, calls::CallSummary),
}

struct Unit {
    key: (u32, u32),
    name: String,
    trap_func_index: u32,
    body: Body,
}

/// Translates (if need be) and allocates one unit.
fn allocate_one(
    isa: &dyn isa::TargetIsa,
    translator: Option<&czisk_frontend::ModuleTranslator>,
    (unit, static_frame, shape): (Unit, bool, Option<&czisk_frontend::LimitShape>),
    opts: &Optimizations,
) -> Result<(Allocated, timings::FunctionTimes), BackendError> {
    let mut t = timings::FunctionTimes::default();
    let func = match unit.body {
        Body::Clif(func) => *func,
        Body::Translate(i, expected) => {
            let translator = translator.expect("a translator for the module's functions");
            let func = timings::timed(&mut t.translate, || translator.translate(i))?;
            expected.assert_covers(&calls::summarize(unit.key, &func));
            func
        }
    };
    let unit = ProgramUnit {
        key: unit.key,
        name: unit.name,
        func,
        trap_func_index: unit.trap_func_index,
    };
    allocate_unit_timed(isa, unit, static_frame, shape, opts, &mut t).map(|a| (a, t))
}

/// Functions a worker may be ahead of the emission, per thread: bounds the VCode alive.
const WINDOW_PER_THREAD: usize = 8;

/// Compiles `units` in order: each is allocated (on `threads` worker threads, in any
/// order), then, in the units' order, checked, given its static frame and emitted, and
/// appended to `functions`. The output is the same whatever the number of threads.
#[allow(clippy::too_many_arguments)]
fn compile_units(
    isa: &dyn isa::TargetIsa,
    threads: usize,
    translator: Option<&czisk_frontend::ModuleTranslator>,
    units: Vec<(Unit, bool, Option<&czisk_frontend::LimitShape>)>,
    opts: &Optimizations,
    frames: &mut StaticFrames,
    functions: &mut Vec<link::LinkedFunction>,
    times: &mut timings::FunctionTimes,
    mut check: impl FnMut(&Allocated) -> Result<(), BackendError>,
) -> Result<(), BackendError> {
    let mut finish = |result: Result<(Allocated, timings::FunctionTimes), BackendError>| {
        let (mut a, t) = result?;
        times.add(&t);
        check(&a)?;
        frames.place(&mut a);
        let start = std::time::Instant::now();
        let emitted = emit::emit_function(&mut a.vcode, &a.regalloc, a.frame, a.trap_func_index);
        // Kept until the link: packed.
        let emitted = link::PackedFunction::from(emitted);
        times.frame_and_emit += start.elapsed();
        functions.push(link::LinkedFunction {
            key: a.key,
            name: a.name,
            emitted,
        });
        Ok::<(), BackendError>(())
    };
    if threads <= 1 || units.len() <= 1 {
        for unit in units {
            finish(allocate_one(isa, translator, unit, opts))?;
        }
        return Ok(());
    }
    use std::sync::{Condvar, Mutex};
    // A worker's panic is handed to the emitter, which goes on unwinding with it.
    type Done = std::thread::Result<Result<(Allocated, timings::FunctionTimes), BackendError>>;
    struct Shared<U> {
        /// The units not yet taken, in order (taken from the front).
        pending: std::collections::VecDeque<U>,
        /// The index of the next unit to take.
        next: usize,
        /// The index of the next unit to emit (workers stay within a window of it).
        emitted: usize,
        done: std::collections::BTreeMap<usize, Done>,
        stop: bool,
    }
    let total = units.len();
    let window = WINDOW_PER_THREAD * threads;
    let shared = Mutex::new(Shared {
        pending: units.into(),
        next: 0,
        emitted: 0,
        done: Default::default(),
        stop: false,
    });
    // Workers wait for room in the window; the emitter waits for the next result.
    let (room, ready) = (Condvar::new(), Condvar::new());
    std::thread::scope(|scope| -> Result<(), BackendError> {
        for _ in 0..threads {
            scope.spawn(|| loop {
                let (i, unit) = {
                    let mut s = shared.lock().unwrap();
                    loop {
                        if s.stop || s.pending.is_empty() {
                            return;
                        }
                        if s.next < s.emitted + window {
                            break;
                        }
                        s = room.wait(s).unwrap();
                    }
                    let unit = s.pending.pop_front().expect("a pending unit");
                    s.next += 1;
                    (s.next - 1, unit)
                };
                let result = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                    allocate_one(isa, translator, unit, opts)
                }));
                shared.lock().unwrap().done.insert(i, result);
                ready.notify_all();
            });
        }
        let mut outcome = Ok(());
        for i in 0..total {
            let result = {
                let mut s = shared.lock().unwrap();
                loop {
                    if let Some(result) = s.done.remove(&i) {
                        s.emitted = i + 1;
                        break result;
                    }
                    s = ready.wait(s).unwrap();
                }
            };
            room.notify_all();
            let result = match result {
                Ok(result) => result,
                Err(panic) => {
                    shared.lock().unwrap().stop = true;
                    room.notify_all();
                    std::panic::resume_unwind(panic);
                }
            };
            if let Err(e) = finish(result) {
                outcome = Err(e);
                break;
            }
        }
        shared.lock().unwrap().stop = true;
        room.notify_all();
        outcome
    })
}

/// Compiles a wasm module to a ZisK ROM, with `options`; the timings are empty unless
/// asked for.
pub fn compile_wasm_with(
    wasm: &[u8],
    options: &CompileOptions,
) -> Result<(ZiskProgram, timings::Timings), BackendError> {
    let mut rec = timings::Recorder::new(options.timings);
    let threads = options.threads.max(1);
    // For the first translation (a parallel map); the functions are compiled by
    // `compile_units`' own threads.
    let pool = if threads > 1 {
        Some(
            rayon::ThreadPoolBuilder::new()
                .num_threads(threads)
                .build()
                .map_err(|e| BackendError::Link(format!("cannot start threads: {e}")))?,
        )
    } else {
        None
    };
    let (mut module, translator) = rec.stage("read and validate", || {
        prepare_module_with(wasm, &LayoutConfig::zisk(), options.optimizations)
    })?;
    // The call graph from the bodies' calls (read in parallel); each function is translated
    // when it is compiled, so that one function's CLIF is alive at a time per thread.
    let units = rec.stage("call graph", || -> Result<_, BackendError> {
        let sources = program_unit_sources(&mut module, translator.len())?;
        let summarize = |source: UnitSource| -> Result<(calls::CallSummary, Unit), BackendError> {
            Ok(match source {
                UnitSource::Ready(u) => (
                    calls::summarize(u.key, &u.func),
                    Unit {
                        key: u.key,
                        name: u.name,
                        trap_func_index: u.trap_func_index,
                        body: Body::Clif(Box::new(u.func)),
                    },
                ),
                UnitSource::Defined {
                    key,
                    name,
                    trap_func_index,
                    defined,
                } => {
                    let summary = calls::from_wasm(key, translator.calls(defined)?);
                    (
                        summary.clone(),
                        Unit {
                            key,
                            name,
                            trap_func_index,
                            body: Body::Translate(defined, summary),
                        },
                    )
                }
            })
        };
        let results: Vec<Result<_, BackendError>> = match &pool {
            Some(pool) => {
                use rayon::prelude::*;
                pool.install(|| sources.into_par_iter().map(summarize).collect())
            }
            None => sources.into_iter().map(summarize).collect(),
        };
        let mut summaries = Vec::with_capacity(results.len());
        let mut units = Vec::with_capacity(results.len());
        for result in results {
            let (summary, unit) = result?;
            summaries.push(summary);
            units.push(unit);
        }
        Ok((calls::reentrant(&summaries), units))
    })?;
    let (reentrant, units) = units;
    let limit_shape = module.limit_shape;
    let opts = options.optimizations;
    let isa = optimizer_isa_at(if opts.mid_end { "speed" } else { "none" });
    // The float routines are compiled as always (see `CompileOptions::optimizations`).
    let routine_isa = optimizer_isa();
    let num_units = units.len();
    let mut times = timings::FunctionTimes::default();
    let mut frames = StaticFrames::new();
    let mut functions = Vec::with_capacity(num_units);
    let mut wanted: Vec<u32> = Vec::new();
    rec.stage("compile functions", || -> Result<(), BackendError> {
        let units: Vec<_> = units
            .into_iter()
            .map(|unit| {
                let static_frame = opts.static_frames && !reentrant.contains(&unit.key);
                (unit, static_frame, Some(&limit_shape))
            })
            .collect();
        compile_units(
            &*isa,
            threads,
            Some(&translator),
            units,
            &opts,
            &mut frames,
            &mut functions,
            &mut times,
            |a| {
                wanted.extend(float_calls(a));
                Ok(())
            },
        )
    })?;
    // The float routines the program calls, and those they call, once each. They never
    // call back into the program, so none of them can be active twice.
    rec.stage("float routines", || -> Result<(), BackendError> {
        let mut routines = std::collections::BTreeSet::new();
        while let Some(index) = wanted.pop() {
            if routines.insert(index) {
                let unit = czisk_runtime::softfloat::routine_unit(index);
                let unit = Unit {
                    key: unit.key,
                    name: unit.name,
                    trap_func_index: unit.trap_func_index,
                    body: Body::Clif(Box::new(unit.func)),
                };
                let mut found = Vec::new();
                compile_units(
                    &*routine_isa,
                    1,
                    None,
                    vec![(unit, true, None)],
                    &Optimizations::ALL,
                    &mut frames,
                    &mut functions,
                    &mut times,
                    |a| {
                        // Its callers were allocated assuming these clobbers.
                        assert_eq!(
                            written_registers(a),
                            routine_clobbers(index),
                            "float routine {} allocated differently",
                            a.name
                        );
                        found = float_calls(a);
                        Ok(())
                    },
                )?;
                wanted.extend(found);
            }
        }
        Ok(())
    })?;
    rec.add_function_phases(&times);
    rec.timings.functions = functions.len();
    rec.timings.threads = threads;
    // Static frames sit at the top of ZisK's stack region; the stack starts below them.
    let stack_top = frames.stack_top(module.layout.stack_limit)?;
    let linked = rec
        .stage("link", || {
            link::link(functions, &module.data, stack_top, options.output)
        })
        .map_err(BackendError::Link)?;
    Ok((
        ZiskProgram {
            rom: linked.rom,
            elf: linked.elf,
            symbols: linked.symbols,
        },
        rec.timings,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A module of many functions (more than the threads' window): calls forwards and backwards, a
    /// recursive pair (stack frames), float routines, a table, memory and data.
    fn many_functions_module() -> Vec<u8> {
        let mut wat = String::from(
            "(module (memory 1) (data (i32.const 64) \"czisk\") (table 4 funcref)\n\
             (elem (i32.const 0) $f0 $f1 $f2 $f3) (type $t (func (param i64) (result i64)))\n\
             (func $even (param i64) (result i64) (if (result i64) (i64.eqz (local.get 0))\n\
               (then (i64.const 1)) (else (call $odd (i64.sub (local.get 0) (i64.const 1))))))\n\
             (func $odd (param i64) (result i64) (if (result i64) (i64.eqz (local.get 0))\n\
               (then (i64.const 0)) (else (call $even (i64.sub (local.get 0) (i64.const 1))))))\n",
        );
        let n = 150;
        for i in 0..n {
            let next = (i + 1) % n;
            wat += &format!(
                "(func $f{i} (param i64) (result i64) (local f64)\n\
                   (local.set 1 (f64.mul (f64.convert_i64_s (local.get 0)) (f64.const 1.5)))\n\
                   (i64.store (i32.const {addr}) (i64.add (local.get 0) (i64.const {i})))\n\
                   (if (result i64) (i64.gt_u (local.get 0) (i64.const {i}))\n\
                     (then (i64.add (i64.trunc_f64_s (local.get 1)) (call $even (local.get 0))))\n\
                     (else (call_indirect (type $t) (i64.add (local.get 0) (i64.const 1))\n\
                       (i32.wrap_i64 (i64.and (local.get 0) (i64.const 3)))))))\n\
                 (func $g{i} (export \"g{i}\") (result i64) (call $f{next} (i64.const {i})))\n",
                addr = 128 + 8 * i
            );
        }
        wat += "(func (export \"_start\") (drop (call $g0))))";
        wat::parse_str(&wat).unwrap()
    }

    /// The output is the same whatever the number of threads, and the ELF encoded as the
    /// program is linked is zisk-core's encoding of the whole ROM.
    #[test]
    fn same_rom_bytes_whatever_the_threads_and_the_streamed_elf() {
        let wasm = many_functions_module();
        let compile = |threads, output| {
            let options = CompileOptions {
                threads,
                timings: false,
                output,
                ..CompileOptions::default()
            };
            compile_wasm_with(&wasm, &options).unwrap().0
        };
        let reference = compile(1, link::LinkOutput::Rom);
        let elf = czisk_zisk::rom_to_ziskbin(&reference.rom);
        assert!(
            reference.rom.insts.len() > 3000,
            "{}",
            reference.rom.insts.len()
        );
        for threads in [1, 2, 3] {
            let rom = compile(threads, link::LinkOutput::Rom);
            assert_eq!(
                czisk_zisk::rom_to_ziskbin(&rom.rom),
                elf,
                "{threads} threads"
            );
            assert_eq!(rom.symbols, reference.symbols, "{threads} threads");
            let streamed = compile(threads, link::LinkOutput::Elf);
            assert!(
                streamed.elf.as_ref() == Some(&elf),
                "streamed, {threads} threads"
            );
        }
        let executable = compile(2, link::LinkOutput::Execute);
        assert_eq!(czisk_zisk::rom_to_ziskbin(&executable.rom), elf);
    }

    /// Static frames are laid out below the stack region's top: up to the budget they
    /// leave [`MIN_STACK_BYTES`] of stack above the limit; beyond it, a compile error
    /// names their size instead of a stack that every call finds exhausted.
    #[test]
    fn static_frames_leave_the_stack_its_minimum_or_are_refused() {
        let limit = LayoutConfig::zisk().stack_limit;
        let budget = link::STACK_REGION_TOP - limit - MIN_STACK_BYTES - 32;
        let (bases, stack_top) = place_static_frames(&[("a", budget - 8), ("b", 8)], limit)
            .expect("frames within the budget are placed");
        assert_eq!(
            bases,
            [
                link::STACK_REGION_TOP - (budget - 8),
                link::STACK_REGION_TOP - budget
            ]
        );
        assert!(
            stack_top >= limit + MIN_STACK_BYTES,
            "stack top {stack_top:#x}"
        );
        assert!(stack_top < bases[1]);
        let error = place_static_frames(&[("a", budget - 8), ("big", 16)], limit)
            .expect_err("frames beyond the budget are refused")
            .to_string();
        for part in [&(budget + 8).to_string(), "a's", &budget.to_string()] {
            assert!(error.contains(part), "{part} in: {error}");
        }
    }

    /// The callers of a function keep values in the callee-saved registers across their
    /// call, so its frame saves every callee-saved register that its allocation uses or one
    /// of its instructions clobbers (a float routine's clobber set is the registers its
    /// allocation writes, `routine_clobbers`).
    #[test]
    fn frames_save_every_callee_saved_register_their_instructions_clobber() {
        use regalloc2::Function as _;
        let wasm = wat::parse_str(
            r#"(module
  (func $fadd (export "fadd") (param f64 f64) (result f64) (f64.add (local.get 0) (local.get 1)))
  (func $fsqrt (export "fsqrt") (param f32) (result f64)
    (f64.promote_f32 (f32.sqrt (local.get 0))))
  (func $iadd (export "iadd") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1))))"#,
        )
        .unwrap();
        let mut module = czisk_frontend::translate_module(&wasm, &LayoutConfig::zisk()).unwrap();
        let units = czisk_runtime::program::program_units(&mut module).unwrap();
        let isa = optimizer_isa();
        let mut checked = 0;
        for unit in units {
            if !["fadd", "fsqrt", "iadd"].contains(&unit.name.as_str()) {
                continue;
            }
            let name = unit.name.clone();
            for static_frame in [true, false] {
                let unit = ProgramUnit {
                    key: unit.key,
                    name: unit.name.clone(),
                    trap_func_index: unit.trap_func_index,
                    func: unit.func.clone(),
                };
                let a = allocate_unit(&*isa, unit, static_frame, None).unwrap();
                let clobbered: std::collections::BTreeSet<u8> = (0..a.vcode.insts.len())
                    .flat_map(|i| a.vcode.inst_clobbers(regalloc2::Inst::new(i)))
                    .map(|p| p.hw_enc() as u8)
                    .filter(|&n| machine::is_callee_saved(n))
                    .collect();
                let saved = a.frame.saved_registers();
                assert!(
                    clobbered.iter().all(|n| saved.contains(n)),
                    "{name}: clobbers callee-saved {clobbered:?}, saves {saved:?}"
                );
            }
            checked += 1;
        }
        assert_eq!(checked, 3);
    }
}
