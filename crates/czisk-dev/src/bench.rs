//! `czisk-dev bench`: every benchmark guest on every path, side by side, same binary and input.
//!
//! Paths are the compiler backends (each compiling `guests/out/wasm/NAME.wasm`) and the
//! native RISC-V builds (`guests/out/native-*/NAME.elf`, loaded as ZisK loads them). The
//! guests are built by `scripts/build-guests.sh`, which records variants it cannot build
//! here in `guests/out/SKIPPED`; those paths are reported as skipped with that reason.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Instant;

use anyhow::{bail, Context, Result};
use czisk_zisk::{frame_input, run_rom, RunOptions};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::backend::{self, Backend, Compiled};

/// A benchmark guest: its name, and the file holding its input, if it reads one.
struct BenchGuest {
    name: &'static str,
    input: Option<&'static str>,
}

const GUESTS: &[BenchGuest] = &[
    BenchGuest {
        name: "fibonacci",
        input: None,
    },
    BenchGuest {
        name: "iter_sha",
        input: None,
    },
    BenchGuest {
        name: "iter_keccak",
        input: None,
    },
    // Floating point: a conversion, a multiply, an add and a compare per iteration.
    BenchGuest {
        name: "float_loop",
        input: None,
    },
    // The same hashes on ZisK's precompiles, through zisk-guest (the `zisk` namespace in
    // wasm, ziskos natively); the RISC-V and wasm2zisk paths cannot run them.
    BenchGuest {
        name: "iter_sha_precompile",
        input: None,
    },
    BenchGuest {
        name: "iter_keccak_precompile",
        input: None,
    },
    // Ethereum mainnet block 18,884,864 executed with revm and checked against its state
    // root (the primary benchmark; input layout in docs/eth-block-input-layout.md).
    BenchGuest {
        name: "eth_block",
        input: Some(ETH_BLOCK_INPUT),
    },
    // The same block with Keccak-256 (the tries, hashing and the KECCAK256 opcode) and
    // sender recovery on ZisK's precompiles.
    BenchGuest {
        name: "eth_block_precompile",
        input: Some(ETH_BLOCK_INPUT),
    },
];

/// The block's witness, from the shared data beside the checkout.
pub const ETH_BLOCK_INPUT: &str = "../shared/data/eth_block/18884864.bin";

/// The native builds, in the order of the tables; the last is the reference for ratios.
const NATIVE_PATHS: &[&str] = &["native-rv64ima", "native-rv64ima-zba-zbb"];
const REFERENCE_PATH: &str = "native-rv64ima-zba-zbb";

#[derive(clap::Args)]
pub struct BenchArgs {
    /// Only these guests (comma-separated); default all.
    #[arg(long, value_delimiter = ',')]
    guests: Vec<String>,
    /// Only these paths (comma-separated backend or native build names); default all.
    #[arg(long, value_delimiter = ',')]
    paths: Vec<String>,
    /// The built guests (the output of scripts/build-guests.sh).
    #[arg(long, default_value = "guests/out")]
    guests_dir: PathBuf,
    /// Where bench/results.md and bench/results.json are written.
    #[arg(long, default_value = "bench")]
    out_dir: PathBuf,
    /// Do not run scripts/build-guests.sh first.
    #[arg(long)]
    no_build: bool,
    /// Fail a run after this many steps.
    #[arg(long, default_value_t = 20_000_000_000)]
    max_steps: u64,
    /// Run a benchmark suite instead of the guests: `sightglass` (see sightglass.rs).
    #[arg(long, value_parser = ["sightglass"])]
    suite: Option<String>,
    /// The Sightglass benchmarks (MANIFEST.tsv, modules, inputs, expected outputs).
    #[arg(long, default_value = "../shared/sightglass")]
    sightglass_dir: PathBuf,
    /// With --suite: only these benchmarks (comma-separated); default every one under 2e9
    /// wasm instructions.
    #[arg(long, value_delimiter = ',')]
    benchmarks: Vec<String>,
    /// Skip the compile table (bench/compile.md: compile time and memory on big modules).
    #[arg(long, conflicts_with = "compile_only")]
    no_compile: bool,
    /// Only the compile table.
    #[arg(long)]
    compile_only: bool,
}

/// One guest on one path.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BenchRecord {
    pub guest: String,
    pub path: String,
    /// "ok", "failed: <why>" or "skipped: <why>".
    pub status: String,
    pub steps: Option<u64>,
    pub cost_total: Option<u64>,
    pub rom_instructions: Option<usize>,
    pub compile_ms: Option<f64>,
    /// Peak resident memory of a `czisk build` of this guest on this path (MiB).
    #[serde(default)]
    pub compile_peak_mib: Option<f64>,
    /// SHA-256 of the public output.
    pub output_sha256: Option<String>,
}

fn all_paths() -> Vec<String> {
    Backend::ALL
        .iter()
        .map(|b| b.name().to_string())
        .chain(NATIVE_PATHS.iter().map(|p| p.to_string()))
        .collect()
}

pub fn bench(args: &BenchArgs) -> Result<ExitCode> {
    if args.suite.is_some() {
        return crate::sightglass::run_suite(&crate::sightglass::SuiteArgs {
            dir: &args.sightglass_dir,
            benchmarks: &args.benchmarks,
            paths: &args.paths,
            out_dir: &args.out_dir,
            max_steps: args.max_steps,
        });
    }
    let paths: Vec<String> = if args.paths.is_empty() {
        all_paths()
    } else {
        args.paths.clone()
    };
    for path in &paths {
        if !all_paths().contains(path) {
            bail!("unknown path '{path}' (known: {})", all_paths().join(", "));
        }
    }
    let guests: Vec<&BenchGuest> = GUESTS
        .iter()
        .filter(|g| args.guests.is_empty() || args.guests.iter().any(|n| n == g.name))
        .collect();
    for name in &args.guests {
        if !GUESTS.iter().any(|g| g.name == name) {
            bail!("unknown guest '{name}'");
        }
    }
    if !args.no_build {
        build_guests()?;
    }
    if args.compile_only {
        crate::compile_bench::compile_bench(&args.out_dir, crate::backend::default_threads())?;
        return Ok(ExitCode::SUCCESS);
    }
    let skipped = read_skipped(&args.guests_dir);

    let total = guests.len() * paths.len();
    let mut fresh = Vec::new();
    for guest in &guests {
        for path in &paths {
            eprint!(
                "[{}/{total}] {} on {path} ... ",
                fresh.len() + 1,
                guest.name
            );
            std::io::stderr().flush().ok();
            let started = Instant::now();
            let record = bench_one(guest, path, &args.guests_dir, &skipped, args.max_steps);
            match record.steps {
                Some(steps) => eprintln!(
                    "{}: {:.3} M steps, {:.3} G cost ({:.1} s)",
                    record.status,
                    steps as f64 / 1e6,
                    record.cost_total.unwrap_or(0) as f64 / 1e9,
                    started.elapsed().as_secs_f64()
                ),
                None => eprintln!("{}", record.status),
            }
            fresh.push(record);
        }
    }

    let records = merge_with_previous(&args.out_dir, fresh);
    std::fs::create_dir_all(&args.out_dir)?;
    let json_path = args.out_dir.join("results.json");
    std::fs::write(&json_path, serde_json::to_string_pretty(&records)? + "\n")?;
    let md_path = args.out_dir.join("results.md");
    std::fs::write(&md_path, render_markdown(&records))?;
    eprintln!("wrote {} and {}", md_path.display(), json_path.display());
    if !args.no_compile {
        crate::compile_bench::compile_bench(&args.out_dir, crate::backend::default_threads())?;
    }
    let mismatches = output_mismatches(&records);
    if !mismatches.is_empty() {
        eprintln!(
            "error: outputs differ: {}",
            mismatches
                .iter()
                .map(|(g, p)| format!("{g} on {p}"))
                .collect::<Vec<_>>()
                .join(", ")
        );
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

fn build_guests() -> Result<()> {
    let script = Path::new("scripts/build-guests.sh");
    if !script.exists() {
        bail!(
            "{} not found: run czisk-dev bench from the repository root, or pass --no-build",
            script.display()
        );
    }
    eprintln!("building guests (scripts/build-guests.sh) ...");
    let status = std::process::Command::new("bash")
        .arg(script)
        .status()
        .context("running scripts/build-guests.sh")?;
    if !status.success() {
        bail!("scripts/build-guests.sh failed ({status})");
    }
    Ok(())
}

/// `guests/out/SKIPPED`: one `variant: reason` line per variant that could not be built.
fn read_skipped(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read_to_string(dir.join("SKIPPED"))
        .unwrap_or_default()
        .lines()
        .filter_map(|line| line.split_once(':'))
        .map(|(variant, reason)| (variant.trim().to_string(), reason.trim().to_string()))
        .collect()
}

fn bench_one(
    guest: &BenchGuest,
    path: &str,
    guests_dir: &Path,
    skipped: &BTreeMap<String, String>,
    max_steps: u64,
) -> BenchRecord {
    let mut record = BenchRecord {
        guest: guest.name.into(),
        path: path.into(),
        status: String::new(),
        steps: None,
        cost_total: None,
        rom_instructions: None,
        compile_ms: None,
        compile_peak_mib: None,
        output_sha256: None,
    };
    let backend = Backend::ALL.iter().copied().find(|b| b.name() == path);
    let (variant, artifact) = match backend {
        Some(_) => (
            "wasm",
            guests_dir.join("wasm").join(format!("{}.wasm", guest.name)),
        ),
        None => (
            path,
            guests_dir.join(path).join(format!("{}.elf", guest.name)),
        ),
    };
    if let Some(reason) = skipped.get(variant) {
        record.status = format!("skipped: {reason}");
        return record;
    }
    let result = (|| -> Result<(Compiled, czisk_zisk::Execution)> {
        let bytes = std::fs::read(&artifact).with_context(|| {
            format!(
                "{} not built (run scripts/build-guests.sh)",
                artifact.display()
            )
        })?;
        let compiled = match backend {
            Some(backend) => backend::compile(backend, &bytes)?,
            None => backend::load_elf(&bytes)?,
        };
        let input = match guest.input {
            Some(file) => std::fs::read(file).with_context(|| format!("reading input {file}"))?,
            None => Vec::new(),
        };
        let options = RunOptions {
            max_steps,
            capture_console: true,
            profile_top: 0,
            window: None,
        };
        let execution = run_rom(&compiled.rom, &frame_input(&input)?, &options)?;
        Ok((compiled, execution))
    })();
    match result {
        Err(error) => record.status = format!("failed: {error:#}"),
        Ok((compiled, execution)) => {
            record.status = match &execution.failure {
                None => "ok".into(),
                Some(failure) => format!("failed: {failure}"),
            };
            record.steps = Some(execution.steps);
            record.cost_total = Some(execution.cost.total);
            record.rom_instructions = Some(compiled.rom.insts.len());
            record.compile_ms = Some(compiled.compile_ms);
            if let Some(backend) = backend {
                record.compile_peak_mib = compile_peak_mib(backend, &artifact);
            }
            record.output_sha256 = Some(hex::encode(Sha256::digest(&execution.output)));
        }
    }
    record
}

/// Keeps earlier records of (guest, path) pairs this run did not measure.
fn merge_with_previous(out_dir: &Path, fresh: Vec<BenchRecord>) -> Vec<BenchRecord> {
    let previous: Vec<BenchRecord> = std::fs::read_to_string(out_dir.join("results.json"))
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    let mut records: Vec<BenchRecord> = previous
        .into_iter()
        .filter(|old| {
            !fresh
                .iter()
                .any(|new| new.guest == old.guest && new.path == old.path)
        })
        .collect();
    records.extend(fresh);
    let guest_rank = |g: &str| {
        GUESTS
            .iter()
            .position(|x| x.name == g)
            .unwrap_or(usize::MAX)
    };
    let path_rank = |p: &str| {
        all_paths()
            .iter()
            .position(|x| x == p)
            .unwrap_or(usize::MAX)
    };
    records.sort_by_key(|r| (guest_rank(&r.guest), path_rank(&r.path)));
    records
}

/// (guest, path) pairs whose successful output differs from the most common one for that guest.
fn output_mismatches(records: &[BenchRecord]) -> Vec<(String, String)> {
    let mut mismatches = Vec::new();
    let mut by_guest: BTreeMap<&str, Vec<&BenchRecord>> = BTreeMap::new();
    for r in records.iter().filter(|r| r.status == "ok") {
        by_guest.entry(&r.guest).or_default().push(r);
    }
    for (guest, runs) in by_guest {
        let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
        for r in &runs {
            *counts
                .entry(r.output_sha256.as_deref().unwrap_or(""))
                .or_default() += 1;
        }
        let majority = counts
            .iter()
            .max_by_key(|(_, n)| **n)
            .map(|(d, _)| *d)
            .unwrap_or("");
        for r in runs {
            if r.output_sha256.as_deref().unwrap_or("") != majority {
                mismatches.push((guest.to_string(), r.path.clone()));
            }
        }
    }
    mismatches
}

/// The peak resident memory of compiling `artifact` alone, in a `czisk build` child that
/// reports its own high-water mark.
fn compile_peak_mib(backend: Backend, artifact: &Path) -> Option<f64> {
    let out = std::env::temp_dir().join(format!(
        "czisk-bench-{}-{}.elf",
        std::process::id(),
        backend.name()
    ));
    let output = std::process::Command::new(crate::compile_bench::czisk_exe().ok()?)
        .args(["build", "--peak-memory", "--backend", backend.name()])
        .arg(artifact)
        .arg("-o")
        .arg(&out)
        .output()
        .ok()?;
    let _ = std::fs::remove_file(&out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    let kib: f64 = stderr
        .lines()
        .find_map(|l| l.strip_prefix("peak memory: "))?
        .trim_end_matches(" kB")
        .parse()
        .ok()?;
    output.status.success().then_some(kib / 1024.0)
}

fn render_markdown(records: &[BenchRecord]) -> String {
    let paths: Vec<String> = all_paths()
        .into_iter()
        .filter(|p| records.iter().any(|r| &r.path == p))
        .collect();
    let mut guests: Vec<&str> = Vec::new();
    for r in records {
        if !guests.contains(&r.guest.as_str()) {
            guests.push(&r.guest);
        }
    }
    let find = |g: &str, p: &str| records.iter().find(|r| r.guest == g && r.path == p);
    let mismatches = output_mismatches(records);
    let mut notes: Vec<String> = Vec::new();

    let mut md = String::from(
        "# Benchmark results\n\nWritten by `czisk-dev bench`: every guest on every path, run on ZisK's \
         emulator (ziskemu, cost model of its statistics). `≠` marks an output that differs from \
         the other paths for the same guest. Raw records: `results.json`.\n",
    );
    let mut table = |title: &str, cell: &dyn Fn(&BenchRecord) -> Option<String>| {
        md += &format!(
            "\n## {title}\n\n| guest | {} |\n|---|{}\n",
            paths.join(" | "),
            "---:|".repeat(paths.len())
        );
        for g in &guests {
            md += &format!("| {g} |");
            for p in &paths {
                let text = match find(g, p) {
                    None => "".to_string(),
                    Some(r) if r.status == "ok" => {
                        let flag = if mismatches.iter().any(|(mg, mp)| mg == g && mp == p) {
                            " ≠"
                        } else {
                            ""
                        };
                        cell(r).map(|c| c + flag).unwrap_or_default()
                    }
                    Some(r) => {
                        let note = format!("{g} on {p}: {}", r.status);
                        if !notes.contains(&note) {
                            notes.push(note);
                        }
                        r.status.split(':').next().unwrap_or("").to_string()
                    }
                };
                md += &format!(" {text} |");
            }
            md += "\n";
        }
    };
    table("Steps (millions)", &|r| {
        r.steps.map(|s| format!("{:.3}", s as f64 / 1e6))
    });
    table("Total cost (billions)", &|r| {
        r.cost_total.map(|c| format!("{:.3}", c as f64 / 1e9))
    });
    let ratio = |r: &BenchRecord, f: fn(&BenchRecord) -> Option<u64>| -> Option<String> {
        let reference = find(&r.guest, REFERENCE_PATH)
            .filter(|x| x.status == "ok")
            .and_then(f)?;
        Some(format!("{:.2}", f(r)? as f64 / reference as f64))
    };
    table(&format!("Steps relative to {REFERENCE_PATH}"), &|r| {
        ratio(r, |x| x.steps)
    });
    table(&format!("Cost relative to {REFERENCE_PATH}"), &|r| {
        ratio(r, |x| x.cost_total)
    });
    table("ROM instructions", &|r| {
        r.rom_instructions.map(|n| n.to_string())
    });
    table("Compile or load time (ms)", &|r| {
        r.compile_ms.map(|ms| format!("{ms:.0}"))
    });
    table("Compiler peak memory (MiB, `czisk build`)", &|r| {
        r.compile_peak_mib.map(|m| format!("{m:.0}"))
    });
    if !notes.is_empty() {
        md += "\n## Not run\n\n";
        for note in notes {
            md += &format!("- {note}\n");
        }
    }
    md
}
