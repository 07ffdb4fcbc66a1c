//! `czisk float-ops`: what one floating-point operation costs, in ZisK steps, on each path.
//!
//! ZisK has no float hardware, so every float operation is a routine. For each operation a
//! module runs it N times in a loop on operands read from mutable globals (so nothing
//! folds) and folds the result into a global; a second module runs the same loop with
//! the operation replaced by a global read of the result's type. The difference divided
//! by N is the operation's cost, written to `bench/float_ops.md`.

use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use czisk_zisk::{run_rom, RunOptions};

use crate::backend::{compile, Backend};

const ITERATIONS: u64 = 1000;

#[derive(clap::Args)]
pub struct FloatOpsArgs {
    /// Where the table is written.
    #[arg(long, default_value = "bench/float_ops.md")]
    out: PathBuf,
    /// The backends to measure (repeatable); default: zisk, riscv and wasm2zisk.
    #[arg(long, value_enum)]
    backend: Vec<Backend>,
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

fn steps(backend: Backend, wat: &str) -> Result<u64> {
    let wasm = wat::parse_str(wat).context("the measuring module")?;
    let compiled = compile(backend, &wasm)?;
    let execution = run_rom(
        &compiled.rom,
        &[],
        &RunOptions {
            capture_console: true,
            ..RunOptions::default()
        },
    )?;
    execution.check()?;
    Ok(execution.steps)
}

pub fn float_ops(args: &FloatOpsArgs) -> Result<ExitCode> {
    let backends = if args.backend.is_empty() {
        vec![Backend::Zisk, Backend::Riscv, Backend::Wasm2zisk]
    } else {
        args.backend.clone()
    };
    let mut md = String::from("# Steps per floating-point operation\n\n");
    let _ = writeln!(
        md,
        "Written by `czisk float-ops`. Each figure is (steps of a {ITERATIONS}-iteration loop doing the operation \
         - steps of the same loop reading a global instead) / {ITERATIONS}, on ordinary normal operands \
         (1234.5678 and -0.0314159; integers -123456789 and 1234567890123). NaNs, infinities and \
         zeros take shorter paths. `n/a`: the path cannot compile the operation.\n"
    );
    md.push_str("| operation |");
    for b in &backends {
        let _ = write!(md, " {} |", b.name());
    }
    md.push_str("\n|---|");
    for _ in &backends {
        md.push_str("---:|");
    }
    md.push('\n');
    for op in OPS {
        let _ = write!(md, "| `{}` |", op.name);
        for &backend in &backends {
            let cell = match (
                steps(backend, &module(op, true)),
                steps(backend, &module(op, false)),
            ) {
                (Ok(with), Ok(without)) => {
                    format!("{:.0}", (with as f64 - without as f64) / ITERATIONS as f64)
                }
                (Err(e), _) | (_, Err(e)) => {
                    eprintln!("{} on {}: {e:#}", op.name, backend.name());
                    "n/a".to_string()
                }
            };
            let _ = write!(md, " {cell} |");
        }
        md.push('\n');
        eprintln!("float-ops: {} done", op.name);
    }
    std::fs::write(&args.out, &md)
        .with_context(|| format!("cannot write '{}'", args.out.display()))?;
    print!("{md}");
    Ok(ExitCode::SUCCESS)
}
