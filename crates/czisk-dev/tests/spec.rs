//! The WebAssembly spec suite through `czisk-dev spec`: every in-scope assertion passes on the
//! zisk and riscv backends, and the runner itself notices wrong results and wrong traps.

use std::path::PathBuf;
use std::process::{Command, Output};

fn czisk_spec(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_czisk-dev"))
        .arg("spec")
        .args(args)
        .output()
        .expect("czisk runs")
}

/// (passed, failed, skipped) from the summary line of `backend`.
fn totals(stdout: &str, backend: &str) -> (u64, u64, u64) {
    let prefix = format!("{backend}: ");
    let line = stdout
        .lines()
        .find(|l| l.starts_with(&prefix))
        .unwrap_or_else(|| panic!("no summary for {backend}:\n{stdout}"));
    let numbers: Vec<u64> = line[prefix.len()..]
        .split(|c: char| !c.is_ascii_digit())
        .filter(|s| !s.is_empty())
        .map(|s| s.parse().unwrap())
        .collect();
    // "P of T in-scope assertions passed, F failed, S skipped"
    (numbers[0], numbers[2], numbers[3])
}

#[test]
fn every_in_scope_assertion_passes_on_zisk_and_riscv() {
    let output = czisk_spec(&["--backend", "zisk", "--backend", "riscv", "--check"]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "czisk-dev spec failed:\n{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let recorded = recorded_totals();
    for backend in ["zisk", "riscv"] {
        let (passed, failed, skipped) = totals(&stdout, backend);
        assert_eq!(failed, 0, "{stdout}");
        // Exactly the totals tests/spec/results.md records: a runner that silently skipped
        // files or commands, or counted a command as skipped that it should run, differs.
        let expected = recorded
            .iter()
            .find(|(b, _)| b == backend)
            .unwrap_or_else(|| panic!("no {backend} row in tests/spec/results.md"))
            .1;
        assert_eq!(
            (passed, failed, skipped),
            expected,
            "{backend}: (passed, failed, skipped) against tests/spec/results.md:\n{stdout}"
        );
    }
}

/// The rows of the totals table of tests/spec/results.md: backend, (passed, failed,
/// skipped).
fn recorded_totals() -> Vec<(String, (u64, u64, u64))> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../tests/spec/results.md");
    let text = std::fs::read_to_string(path).expect("tests/spec/results.md");
    let table = text
        .split("## Totals")
        .nth(1)
        .expect("a totals section in results.md");
    let rows: Vec<(String, (u64, u64, u64))> = table
        .lines()
        .skip_while(|l| !l.starts_with("| backend"))
        .skip(2)
        .take_while(|l| l.starts_with('|'))
        .map(|l| {
            let cells: Vec<&str> = l.split('|').map(str::trim).collect();
            // | backend | passed | failed | pass rate | skipped |
            let number = |i: usize| cells[i].parse::<u64>().unwrap_or_else(|_| panic!("{l}"));
            (cells[1].to_string(), (number(2), number(3), number(5)))
        })
        .collect();
    assert!(rows.len() >= 2, "totals table of results.md: {rows:?}");
    rows
}

#[test]
fn the_recorded_totals_are_read() {
    let recorded = recorded_totals();
    let zisk = recorded.iter().find(|(b, _)| b == "zisk").unwrap().1;
    assert!(zisk.0 > 25_000 && zisk.2 > 0, "{recorded:?}");
}

/// A script whose expectations are partly wrong: the runner must fail exactly those.
const SELF_CHECK: &str = r#"
(module
  (memory 1)
  (global $g (mut i32) (i32.const 0))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "div") (param i32 i32) (result i32) (i32.div_s (local.get 0) (local.get 1)))
  (func (export "nan") (result f32) (f32.reinterpret_i32 (i32.const 0x7fc00001)))
  (func (export "bump") (global.set $g (i32.add (global.get $g) (i32.const 1))))
  (func (export "count") (result i32) (global.get $g))
  (func (export "two") (result i32 i64) (i32.const 2) (i64.const -2))
)
(assert_return (invoke "add" (i32.const 2) (i32.const 3)) (i32.const 5))
(assert_return (invoke "add" (i32.const 2) (i32.const 3)) (i32.const 6))
(assert_trap (invoke "div" (i32.const 1) (i32.const 0)) "integer divide by zero")
(assert_trap (invoke "div" (i32.const 1) (i32.const 1)) "integer divide by zero")
(assert_trap (invoke "div" (i32.const 0x80000000) (i32.const -1)) "integer divide by zero")
(assert_return (invoke "nan") (f32.const nan:arithmetic))
(assert_return (invoke "nan") (f32.const nan:canonical))
(invoke "bump")
(invoke "bump")
(assert_return (invoke "count") (i32.const 2))
(assert_return (invoke "two") (i32.const 2) (i64.const -2))
(assert_return (invoke "two") (i32.const 2) (i64.const 2))
(assert_return (invoke "count") (i32.const 2))
(assert_invalid (module (func (result i32) (i64.const 0))) "type mismatch")
(assert_invalid (module (func (result i32) (i32.const 0))) "type mismatch")
(assert_malformed (module binary "\00asm\01\00\00\00\01") "unexpected end")
"#;

#[test]
fn the_runner_fails_wrong_results_wrong_traps_and_accepted_invalid_modules() {
    let dir = std::env::temp_dir().join(format!("czisk-spec-self-check-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("self_check.wast"), SELF_CHECK).unwrap();
    let suite: PathBuf = dir.clone();
    let output = czisk_spec(&[
        "--suite",
        suite.to_str().unwrap(),
        "--backend",
        "zisk",
        "--verbose",
    ]);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    // Failing lines (1-based in SELF_CHECK): the wrong sum, the division that does not
    // trap, the overflow reported as a division by zero, the non-canonical NaN, the second
    // result, and the valid module under assert_invalid.
    let failing: Vec<u32> = stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("line "))
        .map(|l| l.split_whitespace().next().unwrap().parse().unwrap())
        .collect();
    assert_eq!(failing, vec![13, 15, 16, 18, 23, 26], "{stdout}");
    // The module and 16 commands; the two bumps are plain invocations that must complete,
    // and the last count shows the replay kept their effect past the failures.
    let (passed, failed, skipped) = totals(&stdout, "zisk");
    assert_eq!((passed, failed, skipped), (11, 6, 0), "{stdout}");
    let _ = std::fs::remove_dir_all(&dir);
}
