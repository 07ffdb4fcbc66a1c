//! `czisk-dev bench`'s compile table: how long `czisk build` takes on big modules and how
//! much memory it needs, on one thread and on all of them, and that both give the same
//! ELF. Each compile is a child process (`czisk build --json`), so its peak memory is its
//! own; the figures are the medians of a few runs.
//!
//! For the comparison with wasmtime's Cranelift on the same modules, see
//! `scripts/compile-vs-wasmtime.py`.

use std::path::{Path, PathBuf};

use anyhow::{bail, Context, Result};
use serde::{Deserialize, Serialize};

/// A big module to compile: where it is (relative to the repository root) and the import
/// modules to stub (Sightglass's `bench` timing markers).
struct BigModule {
    name: &'static str,
    what: &'static str,
    path: &'static str,
    stub: &'static [&'static str],
}

const MODULES: &[BigModule] = &[
    BigModule {
        name: "eth_block",
        what: "Rust (revm), ours",
        path: "guests/out/wasm/eth_block.wasm",
        stub: &[],
    },
    BigModule {
        name: "regex",
        what: "Rust regex (Sightglass)",
        path: "../shared/sightglass/regex.wasm",
        stub: &["bench"],
    },
    BigModule {
        name: "sqlite3",
        what: "C, SQLite (Sightglass)",
        path: "../shared/sightglass/sqlite3.wasm",
        stub: &["bench"],
    },
    BigModule {
        name: "rust-json",
        what: "Rust serde_json (Sightglass)",
        path: "../shared/sightglass/rust-json.wasm",
        stub: &["bench"],
    },
    BigModule {
        name: "tinygo-json",
        what: "TinyGo (Sightglass)",
        path: "../shared/sightglass/tinygo-json.wasm",
        stub: &["bench"],
    },
    BigModule {
        name: "go_json",
        what: "Go wasip1, ours (guests/go)",
        path: "guests/out/go/go_json.wasm",
        stub: &[],
    },
];

/// Runs of each compile (the median is reported).
const RUNS: usize = 3;

/// One module compiled with one number of threads.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct CompileRecord {
    pub module: String,
    pub wasm_bytes: u64,
    pub threads: usize,
    /// "ok", "failed: <why>" or "skipped: <why>".
    pub status: String,
    /// Median wall time of the whole `czisk build` (seconds).
    pub seconds: Option<f64>,
    /// Median peak resident memory (MiB).
    pub peak_mib: Option<f64>,
    pub functions: Option<usize>,
    pub elf_sha256: Option<String>,
    /// The slowest phases of the single-threaded compile (name, seconds).
    #[serde(default)]
    pub phases: Vec<(String, f64)>,
}

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(|a, b| a.total_cmp(b));
    v[v.len() / 2]
}

/// The user's `czisk` command, whose `build` these figures are about: `CZISK` if set, else
/// the `czisk` beside this program (cargo builds both into the same target directory).
pub fn czisk_exe() -> Result<PathBuf> {
    if let Some(path) = std::env::var_os("CZISK") {
        return Ok(path.into());
    }
    let exe = std::env::current_exe()?.with_file_name("czisk");
    if !exe.is_file() {
        bail!(
            "{} not found: build it (cargo build --release --bin czisk) or set CZISK",
            exe.display()
        );
    }
    Ok(exe)
}

fn compile_once(
    module: &BigModule,
    threads: usize,
) -> Result<(f64, f64, serde_json::Value, Vec<u8>)> {
    let out = std::env::temp_dir().join(format!(
        "czisk-compile-bench-{}-{}.elf",
        std::process::id(),
        module.name
    ));
    let mut command = std::process::Command::new(czisk_exe()?);
    command
        .args(["build", "--json", "--threads", &threads.to_string()])
        .arg(module.path)
        .arg("-o")
        .arg(&out);
    for m in module.stub {
        command.args(["--stub-imports", m]);
    }
    let started = std::time::Instant::now();
    let output = command.output().context("running czisk build")?;
    let seconds = started.elapsed().as_secs_f64();
    if !output.status.success() {
        bail!("{}", String::from_utf8_lossy(&output.stderr).trim());
    }
    let report: serde_json::Value = serde_json::from_slice(&output.stdout)?;
    let peak = report["peak_rss_bytes"].as_f64().unwrap_or(0.0) / (1024.0 * 1024.0);
    let elf = std::fs::read(&out)?;
    let _ = std::fs::remove_file(&out);
    Ok((seconds, peak, report, elf))
}

fn measure(module: &BigModule, threads: usize) -> CompileRecord {
    use sha2::{Digest, Sha256};
    let mut record = CompileRecord {
        module: module.name.into(),
        wasm_bytes: std::fs::metadata(module.path).map(|m| m.len()).unwrap_or(0),
        threads,
        status: "ok".into(),
        seconds: None,
        peak_mib: None,
        functions: None,
        elf_sha256: None,
        phases: Vec::new(),
    };
    if !Path::new(module.path).exists() {
        record.status = format!("skipped: {} not found", module.path);
        return record;
    }
    let (mut seconds, mut peaks) = (Vec::new(), Vec::new());
    for _ in 0..RUNS {
        match compile_once(module, threads) {
            Err(e) => {
                record.status = format!("failed: {e:#}");
                return record;
            }
            Ok((s, peak, report, elf)) => {
                seconds.push(s);
                peaks.push(peak);
                record.functions = report["functions"].as_u64().map(|n| n as usize);
                record.elf_sha256 = Some(hex::encode(Sha256::digest(&elf)));
                let mut phases: Vec<(String, f64)> = report["phases"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    // The function stage is the sum of its phases, listed after it.
                    .filter(|p| p["name"].as_str() != Some("compile functions"))
                    .filter_map(|p| Some((p["name"].as_str()?.to_string(), p["seconds"].as_f64()?)))
                    .collect();
                phases.sort_by(|a, b| b.1.total_cmp(&a.1));
                phases.truncate(4);
                record.phases = phases;
            }
        }
    }
    record.seconds = Some(median(seconds));
    record.peak_mib = Some(median(peaks));
    record
}

/// Measures every big module on one thread and on `threads`; writes
/// `OUT/compile.{md,json}`. Fails when the thread counts give different ELFs.
pub fn compile_bench(out_dir: &Path, threads: usize) -> Result<Vec<CompileRecord>> {
    let mut records = Vec::new();
    for module in MODULES {
        for t in [1, threads] {
            eprint!("compile {} on {t} thread(s) ... ", module.name);
            let record = measure(module, t);
            match (record.seconds, record.peak_mib) {
                (Some(s), Some(m)) => eprintln!("{s:.2} s, {m:.0} MiB"),
                _ => eprintln!("{}", record.status),
            }
            records.push(record);
        }
    }
    let mut differ = Vec::new();
    for module in MODULES {
        let sums: Vec<&Option<String>> = records
            .iter()
            .filter(|r| r.module == module.name && r.status == "ok")
            .map(|r| &r.elf_sha256)
            .collect();
        if sums.windows(2).any(|w| w[0] != w[1]) {
            differ.push(module.name);
        }
    }
    std::fs::create_dir_all(out_dir)?;
    let json: PathBuf = out_dir.join("compile.json");
    std::fs::write(&json, serde_json::to_string_pretty(&records)? + "\n")?;
    let md = out_dir.join("compile.md");
    std::fs::write(&md, render(&records, threads))?;
    eprintln!("wrote {} and {}", md.display(), json.display());
    if !differ.is_empty() {
        bail!(
            "the ELF depends on the number of threads: {}",
            differ.join(", ")
        );
    }
    Ok(records)
}

fn render(records: &[CompileRecord], threads: usize) -> String {
    let mut md = format!(
        "# Compile time and memory\n\nWritten by `czisk-dev bench`: `czisk build` (the zisk backend, \
         whole process, median of {RUNS} runs) on big modules, on one thread and on {threads}; \
         the ELF is the same for both (checked). Sightglass modules have their `bench` imports \
         stubbed (`--stub-imports bench`). The slowest phases are those of `czisk build \
         --timings` on one thread. The machine's other work shows in the wall times: compare \
         rows of one run. wasmtime's Cranelift on the same modules: \
         `scripts/compile-vs-wasmtime.py`.\n\n\
         | module | source | wasm KB | functions | 1 thread s | 1 thread MiB | {threads} threads s | \
         {threads} threads MiB | slowest phases (1 thread) |\n|---|---|---:|---:|---:|---:|---:|---:|---|\n"
    );
    for module in MODULES {
        let find = |t: usize| {
            records
                .iter()
                .find(|r| r.module == module.name && r.threads == t)
        };
        let Some(one) = find(1) else { continue };
        let cell = |r: Option<&CompileRecord>, f: fn(&CompileRecord) -> Option<f64>, p: usize| {
            r.and_then(f)
                .map(|v| format!("{v:.p$}"))
                .unwrap_or_else(|| r.map(|r| r.status.clone()).unwrap_or_default())
        };
        let many = find(threads).filter(|_| threads != 1);
        let phases = one
            .phases
            .iter()
            .map(|(n, s)| format!("{n} {s:.2}"))
            .collect::<Vec<_>>()
            .join(", ");
        md += &format!(
            "| {} | {} | {} | {} | {} | {} | {} | {} | {} |\n",
            module.name,
            module.what,
            one.wasm_bytes / 1024,
            one.functions.map(|n| n.to_string()).unwrap_or_default(),
            cell(Some(one), |r| r.seconds, 2),
            cell(Some(one), |r| r.peak_mib, 0),
            cell(many, |r| r.seconds, 2),
            cell(many, |r| r.peak_mib, 0),
            phases
        );
    }
    md
}
