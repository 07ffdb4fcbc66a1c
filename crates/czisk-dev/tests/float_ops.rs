//! `czisk-dev float-ops` (the table of bench/float_ops.md) on the zisk backend, beside the
//! native build of the same operations.

use std::path::PathBuf;
use std::process::Command;

/// `czisk-dev float-ops` on the zisk backend meets issue 15's per-operation targets (deterministic
/// step counts), with the native column beside it.
#[test]
fn float_ops_table_meets_the_per_operation_targets() {
    let native = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../guests/out/native-rv64ima-zba-zbb/float_ops.elf");
    assert!(
        native.exists(),
        "{} is missing: run scripts/build-guests.sh first (scripts/test.sh does)",
        native.display()
    );
    let out = std::env::temp_dir().join(format!("czisk-float-ops-{}.md", std::process::id()));
    let status = Command::new(env!("CARGO_BIN_EXE_czisk-dev"))
        .args(["float-ops", "--backend", "zisk", "--out"])
        .arg(&out)
        .current_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let md = std::fs::read_to_string(&out).unwrap();
    let _ = std::fs::remove_file(&out);
    let steps_table = md.split("## Total cost").next().unwrap();
    let mut rows = 0;
    for line in steps_table.lines().filter(|l| l.starts_with("| `")) {
        let cells: Vec<&str> = line.split('|').map(str::trim).collect();
        let op = cells[1].trim_matches('`');
        let zisk: f64 = cells[2].parse().unwrap_or_else(|_| panic!("{line}"));
        let native: f64 = cells[3].parse().unwrap_or_else(|_| panic!("{line}"));
        assert!(native > 0.0, "{line}");
        let limit = match op.split_once('.').unwrap().1 {
            "add" | "sub" | "mul" => 60.0,
            "div" | "sqrt" => 150.0,
            "eq" | "lt" => 12.0,
            "nearest" | "floor" => 30.0,
            "min" | "max" => 25.0,
            "neg" | "copysign" => 5.0,
            _ => 40.0, // conversions, promote, demote
        };
        assert!(zisk <= limit, "{op}: {zisk} steps on zisk, target {limit}");
        rows += 1;
    }
    assert_eq!(rows, 35, "{steps_table}");
}
