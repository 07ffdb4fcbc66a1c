//! Differential testing through `czisk-dev fuzz`: wasm-smith modules run on wasmi and inside
//! ZisK (zisk and riscv backends) must agree on every result, trap, global and on memory.

use std::path::Path;
use std::process::Command;

fn czisk_fuzz(args: &[&str]) -> (bool, String) {
    let output = Command::new(env!("CARGO_BIN_EXE_czisk-dev"))
        .arg("fuzz")
        .args(args)
        .output()
        .expect("czisk runs");
    let text = String::from_utf8_lossy(&output.stdout).into_owned()
        + &String::from_utf8_lossy(&output.stderr);
    (output.status.success(), text)
}

/// Runs seeds 0..count (`extra` arguments first) and checks the summary: every module
/// tried, none mismatching, nearly all of them compared.
fn batch_agrees(extra: &[&str], count: &str, summary_prefix: &str) {
    let mut args = extra.to_vec();
    args.extend(["--seed", "0", "--count", count]);
    let (ok, text) = czisk_fuzz(&args);
    assert!(ok, "{text}");
    let summary = text
        .lines()
        .find(|l| l.starts_with(summary_prefix))
        .expect("a summary line");
    assert!(
        summary.contains(&format!("{summary_prefix}{count} modules tried")),
        "{summary}"
    );
    assert!(summary.contains(" 0 mismatching"), "{summary}");
    // Nearly every seed must give a module that was actually compared.
    let checked: u64 = summary
        .split(", ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    assert!(
        checked * 10 >= count.parse::<u64>().unwrap() * 9,
        "{summary}"
    );
}

#[test]
fn a_fixed_batch_of_random_modules_agrees_with_wasmi() {
    // CZISK_FUZZ_COUNT=n runs a longer batch.
    let count = std::env::var("CZISK_FUZZ_COUNT").unwrap_or_else(|_| "300".into());
    batch_agrees(&[], &count, "fuzz: ");
}

/// The configuration aimed at the riskiest passes (`czisk-dev fuzz --aimed`): overlapping data
/// segments with zero bytes, small memories with accesses at the bound, many functions and
/// indirect calls.
#[test]
fn an_aimed_batch_of_random_modules_agrees_with_wasmi() {
    // CZISK_FUZZ_AIMED_COUNT=n runs a longer batch.
    let count = std::env::var("CZISK_FUZZ_AIMED_COUNT").unwrap_or_else(|_| "100".into());
    batch_agrees(&["--aimed"], &count, "fuzz (aimed): ");
}

#[test]
fn every_saved_mismatch_stays_fixed() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/fuzz");
    let mut modules: Vec<String> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|e| e == "wasm"))
        .map(|p| p.display().to_string())
        .collect();
    modules.sort();
    assert!(!modules.is_empty(), "no saved modules in {}", dir.display());
    let mut args = vec!["-v"];
    for m in &modules {
        args.extend(["--module", m.as_str()]);
    }
    let (ok, text) = czisk_fuzz(&args);
    assert!(ok, "{text}");
    assert!(
        text.contains(&format!(
            "fuzz: {} modules tried, {} checked",
            modules.len(),
            modules.len()
        )),
        "{text}"
    );
}
