//! `czisk run`'s reports: text on stderr, or one JSON object.

use czisk::{Program, Report};
use serde_json::json;

/// A stream as JSON text, and base64 of its bytes beside it when they are not UTF-8.
fn stream_fields(report: &mut serde_json::Value, name: &str, bytes: &[u8]) {
    use base64::Engine;
    report[name] = String::from_utf8_lossy(bytes).into();
    if std::str::from_utf8(bytes).is_err() {
        report[format!("{name}_base64")] = base64::engine::general_purpose::STANDARD
            .encode(bytes)
            .into();
    }
}

pub fn json(program: &Program, report: &Report) -> serde_json::Value {
    let cost = &report.cost;
    let mut value = json!({
        "backend": program.path(),
        "status": if report.failure().is_none() { "ok" } else { "failed" },
        "failure": report.failure().map(|f| f.to_string()),
        "steps": report.steps,
        "cost": {
            "total": cost.total,
            "main": cost.main,
            "opcodes": cost.opcodes,
            "precompiles": cost.precompiles,
            "memory": cost.memory,
            "base": cost.base,
            "per_opcode": cost.per_opcode,
            "memory_by_region": cost.memory_by_region,
            "memory_by_width": cost.memory_by_width,
        },
        "window": report.window.as_ref().map(|w| json!({
            "steps": w.steps,
            "cost": {
                "total": w.total,
                "main": w.main,
                "opcodes": w.opcodes,
                "precompiles": w.precompiles,
                "memory": w.memory,
            },
        })),
        "output_hex": hex::encode(&report.output),
        "messages": String::from_utf8_lossy(&report.streams.messages),
        "rom_instructions": program.rom_size(),
        "compile_ms": program.compile_ms(),
    });
    stream_fields(&mut value, "stdout", &report.streams.stdout);
    stream_fields(&mut value, "stderr", &report.streams.stderr);
    stream_fields(&mut value, "console", &report.streams.console);
    value
}

pub fn print_text(program: &Program, report: &Report, full: bool) {
    let cost = &report.cost;
    eprintln!("steps: {}", report.steps);
    eprintln!(
        "cost:  {} (cost model version {})",
        cost.total, cost.version
    );
    if let Some(w) = &report.window {
        eprintln!(
            "window (bench.start to bench.end): {} steps, cost {}",
            w.steps, w.total
        );
    }
    if full {
        eprintln!("  main:        {:>16}", cost.main);
        eprintln!("  opcodes:     {:>16}", cost.opcodes);
        eprintln!("  precompiles: {:>16}", cost.precompiles);
        eprintln!("  memory:      {:>16}", cost.memory);
        eprintln!("  base:        {:>16}", cost.base);
        eprintln!(
            "  rom instructions: {}, compile time: {:.1} ms",
            program.rom_size(),
            program.compile_ms()
        );
        eprintln!("  {:<24} {:>14} {:>16}", "opcode", "count", "cost");
        for op in &cost.per_opcode {
            eprintln!("  {:<24} {:>14} {:>16}", op.opcode, op.count, op.cost);
        }
        for (title, rows) in [
            ("memory by region", &cost.memory_by_region),
            ("memory by width", &cost.memory_by_width),
        ] {
            eprintln!("  {:<54} {:>14} {:>16}", title, "count", "cost");
            for row in rows {
                eprintln!("  {:<54} {:>14} {:>16}", row.kind, row.count, row.cost);
            }
        }
        if !report.output.is_empty() {
            eprintln!("public output: {}", hex::encode(&report.output));
        }
    }
}
