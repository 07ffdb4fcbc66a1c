//! The benchmark guests (built by scripts/build-guests.sh, as the README's test command
//! does) print, through every path that can run them, what the same computation gives on
//! the host.

use std::path::PathBuf;
use std::process::Command;

use sha2::{Digest, Sha256};
use sha3::Keccak256;

fn artifact(variant: &str, file: &str) -> PathBuf {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../guests/out")
        .join(variant)
        .join(file);
    assert!(
        path.exists(),
        "{} is missing: run scripts/build-guests.sh first (scripts/test.sh does)",
        path.display()
    );
    path
}

fn console_of(path: &PathBuf, backend: &str) -> String {
    let output = Command::new(env!("CARGO_BIN_EXE_czisk"))
        .args(["run", "--json", "--backend", backend])
        .arg(path)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}: {}",
        path.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    let console = report["console"].as_str().unwrap().to_string();
    // What a guest prints is also its public output (the first 256 bytes of stdout).
    let published: String = console
        .bytes()
        .take(256)
        .map(|b| format!("{b:02x}"))
        .collect();
    assert_eq!(
        report["output_hex"].as_str().unwrap(),
        published,
        "{}",
        path.display()
    );
    console
}

fn expected(guest: &str) -> String {
    match guest {
        "fibonacci" => {
            let (mut a, mut b) = (1u64, 1u64);
            for _ in 1..1_000_000 {
                (a, b) = (b, a.wrapping_add(b));
            }
            format!("n:1000000 {b}\n")
        }
        "iter_sha" | "iter_sha_precompile" => {
            let mut s = [0u8; 32];
            for _ in 0..10_000 {
                s = Sha256::digest(s).into();
            }
            format!("n:10000 {s:?}\n")
        }
        "iter_keccak" | "iter_keccak_precompile" => {
            let mut s = [0u8; 32];
            for _ in 0..10_000 {
                s = Keccak256::digest(s).into();
            }
            format!("n:10000 {s:?}\n")
        }
        _ => unreachable!(),
    }
}

#[test]
fn guests_give_their_known_output_through_every_backend() {
    for backend in ["zisk", "riscv", "riscv-ima", "wasm2zisk"] {
        for guest in ["fibonacci", "iter_sha", "iter_keccak"] {
            let console = console_of(&artifact("wasm", &format!("{guest}.wasm")), backend);
            assert_eq!(console, expected(guest), "{guest} on {backend}");
        }
    }
}

#[test]
fn native_builds_give_the_same_output() {
    let skipped = std::fs::read_to_string(artifact("", "SKIPPED")).unwrap();
    for variant in ["native-rv64ima", "native-rv64ima-zba-zbb"] {
        if let Some(line) = skipped
            .lines()
            .find(|l| l.starts_with(&format!("{variant}:")))
        {
            eprintln!("{line} (not checked)");
            continue;
        }
        for guest in [
            "fibonacci",
            "iter_sha",
            "iter_keccak",
            "iter_sha_precompile",
            "iter_keccak_precompile",
        ] {
            assert_eq!(
                console_of(&artifact(variant, &format!("{guest}.elf")), "riscv"),
                expected(guest),
                "{guest} {variant}"
            );
        }
    }
}

/// The precompile guests (zisk-guest: the `zisk` import namespace) give the software
/// guests' digests on the direct backend; the other paths refuse them by name.
#[test]
fn precompile_guests_run_on_zisk_and_are_refused_elsewhere() {
    for guest in ["iter_sha_precompile", "iter_keccak_precompile"] {
        let path = artifact("wasm", &format!("{guest}.wasm"));
        assert_eq!(
            console_of(&path, "zisk"),
            expected(guest),
            "{guest} on zisk"
        );
        for backend in ["riscv", "riscv-ima"] {
            let output = Command::new(env!("CARGO_BIN_EXE_czisk"))
                .args(["run", "--backend", backend])
                .arg(&path)
                .output()
                .unwrap();
            let stderr = String::from_utf8_lossy(&output.stderr);
            assert_eq!(
                output.status.code(),
                Some(1),
                "{guest} on {backend}: {stderr}"
            );
            assert!(
                stderr.contains("cannot run ZisK precompile imports (zisk::"),
                "{guest} on {backend}: {stderr}"
            );
        }
    }
}

/// Steps and cost are deterministic: these bounds (current figures plus a little) make a
/// regression of the direct backend fail CI. Tighten them when the backend improves.
#[test]
fn zisk_backend_steps_and_cost_stay_within_bounds() {
    let bounds = [
        ("fibonacci", 1_135_000u64, 383_000_000u64),
        ("iter_sha", 21_100_000, 2_560_000_000),
        ("iter_keccak", 33_100_000, 4_400_000_000),
        ("iter_sha_precompile", 1_420_000, 600_000_000),
        ("iter_keccak_precompile", 1_260_000, 880_000_000),
    ];
    for (guest, max_steps, max_cost) in bounds {
        let path = artifact("wasm", &format!("{guest}.wasm"));
        let output = Command::new(env!("CARGO_BIN_EXE_czisk"))
            .args(["run", "--json", "--backend", "zisk"])
            .arg(&path)
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "{guest}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
        let report: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
        let steps = report["steps"].as_u64().unwrap();
        let cost = report["cost"]["total"].as_u64().unwrap();
        assert!(
            steps <= max_steps,
            "{guest}: {steps} steps on zisk, bound {max_steps}"
        );
        assert!(
            cost <= max_cost,
            "{guest}: cost {cost} on zisk, bound {max_cost}"
        );
    }
}
