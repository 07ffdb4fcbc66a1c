#!/usr/bin/env python3
"""czisk's compile time and peak memory against wasmtime's Cranelift, side by side.

For each module, runs `czisk build` on one thread (and on all threads) and a wasmtime
compile of the same module (Python bindings, Cranelift at opt level speed, parallel
compilation off), in turn A B A B ... after a warm-up, and prints the medians of each
process's wall time and peak resident memory (its own, from wait4), with the ratios
czisk/wasmtime pair by pair; and wasmtime's compile alone (the Module constructor, timed
inside the process: without the interpreter's start and the import), with czisk's whole
process against it. The machine's other work shows in the wall times; quote the
ratios of one run.

  scripts/compile-vs-wasmtime.py [--runs N] [--czisk BINARY] [MODULE.wasm ...]

wasmtime is a measurement here, not a dependency of czisk: the script installs the
`wasmtime` package (pinned) into target/wasmtime-venv when it cannot import it.
"""

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time

WASMTIME_VERSION = "50.0.1"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# (name, path from the repository root, import modules to stub)
MODULES = [
    ("eth_block", "guests/out/wasm/eth_block.wasm", []),
    ("regex", "../shared/sightglass/regex.wasm", ["bench"]),
    ("sqlite3", "../shared/sightglass/sqlite3.wasm", ["bench"]),
    ("rust-json", "../shared/sightglass/rust-json.wasm", ["bench"]),
    ("tinygo-json", "../shared/sightglass/tinygo-json.wasm", ["bench"]),
    ("go_json", "guests/out/go/go_json.wasm", []),
]

# Prints the seconds of the compile alone (the Module constructor), without the Python
# interpreter's start and wasmtime's import (about 0.2 s here) that the process's time has.
WASMTIME_COMPILE = """
import sys, time, wasmtime
config = wasmtime.Config()
config.cranelift_opt_level = "speed"
config.parallel_compilation = False
engine = wasmtime.Engine(config)
wasm = open(sys.argv[1], "rb").read()
start = time.perf_counter()
wasmtime.Module(engine, wasm)
print(time.perf_counter() - start)
"""


def wasmtime_python():
    """A Python that imports wasmtime: this one, or a venv made for it."""
    try:
        import wasmtime  # noqa: F401

        return sys.executable
    except ImportError:
        pass
    venv = os.path.join(ROOT, "target", "wasmtime-venv")
    python = os.path.join(venv, "bin", "python")
    if not os.path.exists(python):
        subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    subprocess.run(
        [python, "-m", "pip", "install", "--quiet", f"wasmtime=={WASMTIME_VERSION}"],
        check=True,
    )
    return python


def run(argv):
    """Wall seconds, peak resident MiB (from wait4) and standard output of one process."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        start = time.monotonic()
        proc = subprocess.Popen(argv, stdout=out, stderr=err)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if proc.returncode != 0:
            raise RuntimeError(f"{argv[0]} failed: {err.read().decode(errors='replace').strip()}")
        return wall, usage.ru_maxrss / 1024.0, out.read().decode()


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--czisk", default=None,
                        help="the czisk binary (default: the one to install, target/dist/czisk, "
                             "made with cargo build --profile dist)")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1,
                        help="the parallel czisk column's threads")
    parser.add_argument("modules", nargs="*", help="modules (default: the big ones)")
    args = parser.parse_args()
    os.chdir(ROOT)
    if args.czisk is None:
        # Not target/release/czisk: `cargo test` links that one with the tests' features
        # (the IR verifier, SSA validation), and the release profile has no LTO.
        subprocess.run(["cargo", "build", "--profile", "dist", "--quiet", "--bin", "czisk"],
                       check=True)
        args.czisk = os.path.join(ROOT, "target", "dist", "czisk")
    python = wasmtime_python()
    modules = MODULES
    if args.modules:
        modules = [(os.path.basename(m).removesuffix(".wasm"), m, ["bench"]) for m in args.modules]
    out = os.path.join(tempfile.mkdtemp(prefix="czisk-vs-wasmtime-"), "out.elf")
    print(f"| module | czisk 1 thread s | wasmtime s | ratio (wall) | wasmtime compile alone s "
          f"| ratio to it | czisk MiB | wasmtime MiB | ratio (memory) "
          f"| czisk {args.threads} threads s | 1 thread / {args.threads} threads |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for name, path, stub in modules:
        if not os.path.exists(path):
            print(f"| {name} | not found: {path} |")
            continue
        stubs = [a for m in stub for a in ("--stub-imports", m)]
        czisk = [args.czisk, "build", path, "-o", out, *stubs]
        commands = {
            "one": czisk + ["--threads", "1"],
            "many": czisk + ["--threads", str(args.threads)],
            "wasmtime": [python, "-c", WASMTIME_COMPILE, path],
        }
        for argv in commands.values():
            run(argv)  # warm-up
        figures = {key: [] for key in commands}
        for _ in range(args.runs):
            for key, argv in commands.items():
                figures[key].append(run(argv))
        med = {k: (statistics.median(f[0] for f in v), statistics.median(f[1] for f in v))
               for k, v in figures.items()}
        one, wasmtime = figures["one"], figures["wasmtime"]
        wall_ratio = statistics.median(a[0] / b[0] for a, b in zip(one, wasmtime))
        compile_alone = statistics.median(float(b[2]) for b in wasmtime)
        alone_ratio = statistics.median(a[0] / float(b[2]) for a, b in zip(one, wasmtime))
        mem_ratio = statistics.median(a[1] / b[1] for a, b in zip(one, wasmtime))
        speedup = statistics.median(a[0] / b[0] for a, b in zip(one, figures["many"]))
        print(f"| {name} | {med['one'][0]:.2f} | {med['wasmtime'][0]:.2f} | {wall_ratio:.2f} "
              f"| {compile_alone:.2f} | {alone_ratio:.2f} "
              f"| {med['one'][1]:.0f} | {med['wasmtime'][1]:.0f} | {mem_ratio:.2f} "
              f"| {med['many'][0]:.2f} | {speedup:.2f} |", flush=True)


if __name__ == "__main__":
    main()
