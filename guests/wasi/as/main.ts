// A stock AssemblyScript program for WASI (through @assemblyscript/wasi-shim): arguments,
// environment, both streams; run by crates/cli/tests/wasi_programs.rs.
const args = process.argv;
console.log("argc=" + args.length.toString());
for (let i = 0; i < args.length; i++) console.log("arg=" + args[i]);
console.log("GREETING=" + (process.env.has("GREETING") ? process.env.get("GREETING") : "(none)"));
let sum: i64 = 0;
for (let i: i64 = 1; i <= 1000; i++) sum += i * i;
console.log("sum=" + sum.toString());
console.log("stdout: été ✓");
// (The shim's console.error writes to stdout.)
process.stderr.write("stderr: ünïcödé ✓\n");
