//! A slice of the Sightglass suite through `czisk-dev bench --suite sightglass`, as CI can
//! afford it (the whole suite is `czisk-dev bench --suite sightglass`, bench/sightglass.md):
//! stock modules that read their input files from the pre-opened ".", import bench.start /
//! bench.end, and must print their expected stdout unmodified.

use std::path::Path;
use std::process::Command;

#[test]
fn a_slice_of_sightglass_prints_its_expected_output_with_a_measured_window() {
    let repo = Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
    let out = std::env::temp_dir().join(format!("czisk-sightglass-{}", std::process::id()));
    // noop (empty window), ackermann (two input files), bz2 (path_filestat_get),
    // rust-protobuf (a 1 MB input sized with fd_filestat_get), hashset (its timing line),
    // libsodium utils3 (bench.start alone: no window).
    let benchmarks = "noop,shootout-ackermann,bz2,rust-protobuf,hashset,libsodium-sodium_utils3";
    for paths in ["zisk", "riscv"] {
        let benchmarks = if paths == "zisk" {
            benchmarks
        } else {
            "noop,shootout-ackermann"
        };
        let output = Command::new(env!("CARGO_BIN_EXE_czisk-dev"))
            .current_dir(&repo)
            .args([
                "bench",
                "--suite",
                "sightglass",
                "--no-build",
                "--paths",
                paths,
            ])
            .args(["--benchmarks", benchmarks, "--out-dir"])
            .arg(out.join(paths))
            .output()
            .expect("czisk runs");
        let log = String::from_utf8_lossy(&output.stderr);
        let records: Vec<serde_json::Value> = serde_json::from_str(
            &std::fs::read_to_string(out.join(paths).join("sightglass.json")).unwrap(),
        )
        .unwrap();
        assert_eq!(records.len(), benchmarks.split(',').count(), "{log}");
        let record = |name: &str| {
            records
                .iter()
                .find(|r| r["benchmark"] == name)
                .unwrap_or_else(|| panic!("{name} in {log}"))
        };
        for r in &records {
            assert_eq!(r["status"], "ok", "{paths}: {r}\n{log}");
        }
        assert!(output.status.success(), "{log}");
        let window = |name: &str| record(name)["window_steps"].as_u64();
        assert!(
            window("noop").unwrap() < 10,
            "{paths}: {:?}",
            window("noop")
        );
        let ackermann = window("shootout-ackermann").unwrap();
        let total = record("shootout-ackermann")["steps"].as_u64().unwrap();
        assert!(
            ackermann > 1_000_000 && ackermann < total,
            "{paths}: {ackermann} of {total}"
        );
        if paths == "zisk" {
            assert_eq!(window("libsodium-sodium_utils3"), None);
            assert_eq!(record("rust-protobuf")["stderr_matches"], true);
        }
        let table = std::fs::read_to_string(out.join(paths).join("sightglass.md")).unwrap();
        assert!(table.contains("| shootout-ackermann |"), "{table}");
    }
    let _ = std::fs::remove_dir_all(&out);
}
