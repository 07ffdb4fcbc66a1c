//! `czisk-dev float-ops`: what one floating-point operation costs, in ZisK steps, on each path.
//!
//! ZisK has no float hardware, so every float operation is a routine. For each operation a
//! module runs it N times in a loop on operands read from mutable globals (so nothing
//! folds) and folds the result into a global; a second module runs the same loop with
//! the operation replaced by a global read of the result's type. The difference divided
//! by N is the operation's cost, written to `bench/float_ops.md`, beside the same operations
//! compiled natively for ZisK (`guests/float_ops`).

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use czisk_zisk::{frame_input, run_rom, RunOptions};

use crate::backend::{compile, load_elf, Backend};

const ITERATIONS: u64 = 1000;

#[derive(clap::Args)]
pub struct FloatOpsArgs {
    /// Where the table is written.
    #[arg(long, default_value = "bench/float_ops.md")]
    out: PathBuf,
    /// The backends to measure (repeatable); default: zisk, riscv and wasm2zisk.
    #[arg(long, value_enum)]
    backend: Vec<Backend>,
    /// The natively compiled comparison guest (`guests/float_ops`, built by scripts/build-guests.sh).
    #[arg(
        long,
        default_value = "guests/out/native-rv64ima-zba-zbb/float_ops.elf"
    )]
    native: PathBuf,
    /// Leave out the native column.
    #[arg(long)]
    no_native: bool,
}

/// An operation: its name, operand types, result type, and the wasm instruction(s) that
/// take the operands (pushed in order) and leave the result.
struct FloatOp {
    name: &'static str,
    operands: &'static [&'static str],
    result: &'static str,
    code: &'static str,
}

const fn op(
    name: &'static str,
    operands: &'static [&'static str],
    result: &'static str,
    code: &'static str,
) -> FloatOp {
    FloatOp {
        name,
        operands,
        result,
        code,
    }
}

const OPS: &[FloatOp] = &[
    op("f32.add", &["f32", "f32"], "f32", "f32.add"),
    op("f32.sub", &["f32", "f32"], "f32", "f32.sub"),
    op("f32.mul", &["f32", "f32"], "f32", "f32.mul"),
    op("f32.div", &["f32", "f32"], "f32", "f32.div"),
    op("f32.sqrt", &["f32"], "f32", "f32.sqrt"),
    op("f32.min", &["f32", "f32"], "f32", "f32.min"),
    op("f32.max", &["f32", "f32"], "f32", "f32.max"),
    op("f32.eq", &["f32", "f32"], "i32", "f32.eq"),
    op("f32.lt", &["f32", "f32"], "i32", "f32.lt"),
    op("f32.nearest", &["f32"], "f32", "f32.nearest"),
    op("f32.floor", &["f32"], "f32", "f32.floor"),
    op("f32.neg", &["f32"], "f32", "f32.neg"),
    op("f32.copysign", &["f32", "f32"], "f32", "f32.copysign"),
    op("f64.add", &["f64", "f64"], "f64", "f64.add"),
    op("f64.sub", &["f64", "f64"], "f64", "f64.sub"),
    op("f64.mul", &["f64", "f64"], "f64", "f64.mul"),
    op("f64.div", &["f64", "f64"], "f64", "f64.div"),
    op("f64.sqrt", &["f64"], "f64", "f64.sqrt"),
    op("f64.min", &["f64", "f64"], "f64", "f64.min"),
    op("f64.max", &["f64", "f64"], "f64", "f64.max"),
    op("f64.eq", &["f64", "f64"], "i32", "f64.eq"),
    op("f64.lt", &["f64", "f64"], "i32", "f64.lt"),
    op("f64.nearest", &["f64"], "f64", "f64.nearest"),
    op("f64.floor", &["f64"], "f64", "f64.floor"),
    op("f64.neg", &["f64"], "f64", "f64.neg"),
    op("f64.copysign", &["f64", "f64"], "f64", "f64.copysign"),
    op("f64.promote_f32", &["f32"], "f64", "f64.promote_f32"),
    op("f32.demote_f64", &["f64"], "f32", "f32.demote_f64"),
    op("f64.convert_i32_s", &["i32"], "f64", "f64.convert_i32_s"),
    op("f64.convert_i64_u", &["i64"], "f64", "f64.convert_i64_u"),
    op("f32.convert_i32_s", &["i32"], "f32", "f32.convert_i32_s"),
    op("i32.trunc_f64_s", &["f64"], "i32", "i32.trunc_f64_s"),
    op("i64.trunc_f64_u", &["f64"], "i64", "i64.trunc_f64_u"),
    op(
        "i32.trunc_sat_f32_s",
        &["f32"],
        "i32",
        "i32.trunc_sat_f32_s",
    ),
    op(
        "i64.trunc_sat_f64_s",
        &["f64"],
        "i64",
        "i64.trunc_sat_f64_s",
    ),
];

/// Operand values: ordinary normal numbers (the common case; special values take the
/// routines' early exits and cost less).
fn operand_value(ty: &str, index: usize) -> &'static str {
    match (ty, index) {
        ("f32", 0) | ("f64", 0) => "1234.5678",
        ("f32", _) | ("f64", _) => "-0.0314159",
        ("i32", _) => "-123456789",
        _ => "1234567890123",
    }
}

/// The loop; `body` leaves one value of type `result` on the stack.
fn module(op: &FloatOp, measured: bool) -> String {
    let mut m = String::from("(module\n");
    for (i, ty) in op.operands.iter().enumerate() {
        let _ = writeln!(
            m,
            "  (global $in{i} (mut {ty}) ({ty}.const {}))",
            operand_value(ty, i)
        );
    }
    let _ = writeln!(m, "  (global $same (mut {0}) ({0}.const 0))", op.result);
    m.push_str("  (global $sink (mut i64) (i64.const 0))\n");
    m.push_str("  (func (export \"_start\") (local $i i32)\n    (loop $l\n");
    let body = if measured {
        let loads: Vec<String> = (0..op.operands.len())
            .map(|i| format!("(global.get $in{i})"))
            .collect();
        format!("{} ({})", loads.join(" "), op.code)
    } else {
        "(global.get $same)".to_string()
    };
    let as_i64 = match op.result {
        "f32" => "(i32.reinterpret_f32) (i64.extend_i32_u)",
        "f64" => "(i64.reinterpret_f64)",
        "i32" => "(i64.extend_i32_u)",
        _ => "",
    };
    let _ = writeln!(
        m,
        "      (global.set $sink (i64.xor (global.get $sink) {body} {as_i64}))"
    );
    let _ = writeln!(
        m,
        "      (br_if $l (i32.lt_u (local.tee $i (i32.add (local.get $i) (i32.const 1))) (i32.const {ITERATIONS})))"
    );
    m.push_str("    )\n  )\n)\n");
    m
}

/// Steps and total cost of one run.
#[derive(Clone, Copy)]
struct Measure {
    steps: f64,
    cost: f64,
}

impl std::ops::Sub for Measure {
    type Output = Measure;
    fn sub(self, other: Measure) -> Measure {
        Measure {
            steps: self.steps - other.steps,
            cost: self.cost - other.cost,
        }
    }
}

impl Measure {
    fn per(self, n: u64) -> Measure {
        Measure {
            steps: self.steps / n as f64,
            cost: self.cost / n as f64,
        }
    }
}

fn run(rom: &czisk_zisk::ZiskRom, input: &[u8]) -> Result<Measure> {
    let execution = run_rom(
        rom,
        &frame_input(input)?,
        &RunOptions {
            capture_console: true,
            ..RunOptions::default()
        },
    )?;
    execution.check()?;
    Ok(Measure {
        steps: execution.steps as f64,
        cost: execution.cost.total as f64,
    })
}

fn measure_wasm(backend: Backend, op: &FloatOp) -> Result<Measure> {
    let mut runs = [true, false].into_iter().map(|measured| {
        let wasm = wat::parse_str(module(op, measured)).context("the measuring module")?;
        run(&compile(backend, &wasm)?.rom, &[])
    });
    let with = runs.next().unwrap()?;
    let without = runs.next().unwrap()?;
    Ok((with - without).per(ITERATIONS))
}

/// The native guest (`guests/float_ops`): the operation's loop at N and 2N iterations, less
/// the baseline loop's, so the program around the loop cancels out.
fn measure_native(rom: &czisk_zisk::ZiskRom, op: &FloatOp) -> Result<Measure> {
    let loop_of = |name: &str| -> Result<Measure> {
        let once = run(rom, format!("{name} {ITERATIONS}").as_bytes())?;
        let twice = run(rom, format!("{name} {}", 2 * ITERATIONS).as_bytes())?;
        Ok(twice - once)
    };
    let with = loop_of(op.name)?;
    let without = loop_of(&format!("same.{}", op.result))?;
    Ok((with - without).per(ITERATIONS))
}

/// A column of the tables: a backend compiling the wasm modules, or the native guest.
enum Column {
    Wasm(Backend),
    Native(czisk_zisk::ZiskRom),
}

impl Column {
    fn name(&self) -> &'static str {
        match self {
            Column::Wasm(backend) => backend.name(),
            Column::Native(_) => NATIVE_PATH,
        }
    }

    fn measure(&self, op: &FloatOp) -> Result<Measure> {
        match self {
            Column::Wasm(backend) => measure_wasm(*backend, op),
            Column::Native(rom) => measure_native(rom, op),
        }
    }
}

const NATIVE_PATH: &str = "native-rv64ima-zba-zbb";

fn table(
    title: &str,
    columns: &[Column],
    rows: &[Vec<Option<Measure>>],
    cell: fn(Measure) -> String,
) -> String {
    let mut md = format!("## {title}\n\n| operation |");
    for column in columns {
        let _ = write!(md, " {} |", column.name());
    }
    md.push_str("\n|---|");
    for _ in columns {
        md.push_str("---:|");
    }
    md.push('\n');
    for (op, row) in OPS.iter().zip(rows) {
        let _ = write!(md, "| `{}` |", op.name);
        for measure in row {
            let text = measure.map_or_else(|| "n/a".to_string(), cell);
            let _ = write!(md, " {text} |");
        }
        md.push('\n');
    }
    md.push('\n');
    md
}

pub fn float_ops(args: &FloatOpsArgs) -> Result<ExitCode> {
    let backends = if args.backend.is_empty() {
        vec![Backend::Zisk, Backend::Riscv, Backend::Wasm2zisk]
    } else {
        args.backend.clone()
    };
    let mut columns: Vec<Column> = backends.into_iter().map(Column::Wasm).collect();
    if !args.no_native {
        let elf = std::fs::read(&args.native).with_context(|| {
            format!(
                "cannot read the native guest '{}' (build it with scripts/build-guests.sh, or pass --no-native)",
                args.native.display()
            )
        })?;
        columns.push(Column::Native(load_elf(&elf)?.rom));
    }
    let mut rows = Vec::new();
    for op in OPS {
        let row = columns
            .iter()
            .map(|column| match column.measure(op) {
                Ok(measure) => Some(measure),
                Err(e) => {
                    eprintln!("{} on {}: {e:#}", op.name, column.name());
                    None
                }
            })
            .collect::<Vec<_>>();
        rows.push(row);
        eprintln!("float-ops: {} done", op.name);
    }
    let mut md = String::from("# Cost of one floating-point operation\n\n");
    let _ = writeln!(
        md,
        "Written by `czisk-dev float-ops`. For the wasm paths each figure is (a {ITERATIONS}-iteration loop doing the \
         operation - the same loop reading a global instead) / {ITERATIONS}, on ordinary normal operands \
         (1234.5678 and -0.0314159; integers -123456789 and 1234567890123). NaNs, infinities and \
         zeros take shorter paths. `n/a`: the path cannot compile the operation.\n\n\
         `{NATIVE_PATH}` is the same operations in Rust (`guests/float_ops`) compiled natively for ZisK with \
         Zba and Zbb: compiler-builtins' soft-float, libm's sqrt, floor and rint, Rust's `min`/`max` \
         (which, unlike wasm's, need not propagate NaN or order zeros), the unchecked conversion for \
         wasm's trapping truncations and `as` for the saturating ones. Its figure is the loop at \
         {} iterations less the loop at {ITERATIONS}, less the same for a loop that reads a value \
         through `black_box` instead, over {ITERATIONS}.\n",
        2 * ITERATIONS
    );
    md.push_str(&table("Steps per operation", &columns, &rows, |m| {
        format!("{:.0}", m.steps)
    }));
    md.push_str(&table(
        "Total cost per operation (ziskemu's cost model)",
        &columns,
        &rows,
        |m| format!("{:.0}", m.cost),
    ));
    std::fs::write(&args.out, &md)
        .with_context(|| format!("cannot write '{}'", args.out.display()))?;
    print!("{md}");
    Ok(ExitCode::SUCCESS)
}
