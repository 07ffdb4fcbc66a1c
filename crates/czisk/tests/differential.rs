//! Differential testing against a reference interpreter: random integer programs (typed
//! expression trees over every i32/i64 operator and the wide-arithmetic ones, selects, ifs, loads, division that may
//! trap) run on wasmi and, compiled by the direct backend, on ZisK's emulator; the printed
//! results, or the trap, must agree. The generator is seeded, so a failure
//! names a reproducible module.

use czisk_frontend::WasmTrap;
use czisk_zisk::{frame_input, run_rom, Failure, RunOptions, ZiskRom};

/// splitmix64: a small, seeded source of choices.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
    fn constant(&mut self, bits: u32) -> String {
        let interesting: [i64; 10] = [
            0,
            1,
            -1,
            2,
            7,
            31,
            63,
            i32::MIN as i64,
            i32::MAX as i64,
            i64::MIN,
        ];
        let v = if self.below(2) == 0 {
            interesting[self.below(interesting.len())]
        } else {
            self.next() as i64
        };
        if bits == 32 {
            format!("(i32.const {})", v as i32)
        } else {
            format!("(i64.const {v})")
        }
    }
}

#[derive(Clone, Copy, PartialEq)]
enum Ty {
    I32,
    I64,
}

fn expr(r: &mut Rng, ty: Ty, depth: u32) -> String {
    let (t, other) = match ty {
        Ty::I32 => ("i32", Ty::I64),
        Ty::I64 => ("i64", Ty::I32),
    };
    if depth == 0 || r.below(6) == 0 {
        return match (ty, r.below(3)) {
            (Ty::I32, 0) => "(local.get $a)".into(),
            (Ty::I32, 1) => "(local.get $b)".into(),
            (Ty::I64, 0) => "(local.get $c)".into(),
            (Ty::I64, 1) => "(local.get $d)".into(),
            _ => r.constant(if ty == Ty::I32 { 32 } else { 64 }),
        };
    }
    let d = depth - 1;
    match r.below(13) {
        // Wide arithmetic: one half of a 128-bit product, sum or difference.
        12 if ty == Ty::I64 => {
            let half = r.pick(&["$low", "$high"]);
            if r.below(2) == 0 {
                let op = r.pick(&["mul_wide_u", "mul_wide_s"]);
                format!(
                    "(call {half} (i64.{op} {} {}))",
                    expr(r, ty, d),
                    expr(r, ty, d)
                )
            } else {
                let op = r.pick(&["add128", "sub128"]);
                let operands: Vec<String> = (0..4).map(|_| expr(r, ty, d)).collect();
                format!("(call {half} (i64.{op} {}))", operands.join(" "))
            }
        }
        0..=3 => {
            let op = r.pick(&[
                "add", "sub", "mul", "and", "or", "xor", "shl", "shr_s", "shr_u", "rotl", "rotr",
            ]);
            format!("({t}.{op} {} {})", expr(r, ty, d), expr(r, ty, d))
        }
        4 => {
            let op = r.pick(&["div_s", "div_u", "rem_s", "rem_u"]);
            // Mostly a divisor that cannot be zero; sometimes one that may be (a trap).
            let divisor = if r.below(8) == 0 {
                expr(r, ty, d)
            } else {
                format!("({t}.or {} ({t}.const 1))", expr(r, ty, d))
            };
            format!("({t}.{op} {} {divisor})", expr(r, ty, d))
        }
        5 => {
            let unary = match ty {
                Ty::I32 => r.pick(&["clz", "ctz", "popcnt", "extend8_s", "extend16_s"]),
                Ty::I64 => r.pick(&[
                    "clz",
                    "ctz",
                    "popcnt",
                    "extend8_s",
                    "extend16_s",
                    "extend32_s",
                ]),
            };
            format!("({t}.{unary} {})", expr(r, ty, d))
        }
        6 => {
            // A comparison (i32), converted to the type wanted.
            let cmp_ty = if r.below(2) == 0 { Ty::I32 } else { Ty::I64 };
            let ct = if cmp_ty == Ty::I32 { "i32" } else { "i64" };
            let op = r.pick(&[
                "eq", "ne", "lt_s", "lt_u", "gt_s", "gt_u", "le_s", "le_u", "ge_s", "ge_u",
            ]);
            let c = if r.below(6) == 0 {
                format!("({ct}.eqz {})", expr(r, cmp_ty, d))
            } else {
                format!("({ct}.{op} {} {})", expr(r, cmp_ty, d), expr(r, cmp_ty, d))
            };
            if ty == Ty::I32 {
                c
            } else {
                format!("(i64.extend_i32_u {c})")
            }
        }
        7 => match ty {
            Ty::I32 => format!("(i32.wrap_i64 {})", expr(r, other, d)),
            Ty::I64 => format!(
                "(i64.extend_i32_{} {})",
                r.pick(&["s", "u"]),
                expr(r, other, d)
            ),
        },
        8 => format!(
            "(select {} {} {})",
            expr(r, ty, d),
            expr(r, ty, d),
            expr(r, Ty::I32, d)
        ),
        9 => format!(
            "(if (result {t}) {} (then {}) (else {}))",
            expr(r, Ty::I32, d),
            expr(r, ty, d),
            expr(r, ty, d)
        ),
        10 => {
            let load = match ty {
                Ty::I32 => r.pick(&[
                    "i32.load",
                    "i32.load8_s",
                    "i32.load8_u",
                    "i32.load16_s",
                    "i32.load16_u",
                ]),
                Ty::I64 => r.pick(&[
                    "i64.load",
                    "i64.load8_s",
                    "i64.load16_u",
                    "i64.load32_s",
                    "i64.load32_u",
                ]),
            };
            format!(
                "({load} offset=8192 (i32.and {} (i32.const 0xf8)))",
                expr(r, Ty::I32, d)
            )
        }
        _ => format!(
            "(call $id{} {})",
            if ty == Ty::I32 { 32 } else { 64 },
            expr(r, ty, d)
        ),
    }
}

const RESULTS: usize = 8;

/// Values live at once in a register-pressure body: more than ZisK's 37 allocatable
/// registers, so some are spilled (and, in a static frame, used from memory in place).
const PRESSURE: usize = 48;

fn program(seed: u64) -> String {
    let mut r = Rng(seed);
    let body = if seed % 3 == 0 {
        // Many values computed first and all combined at the end.
        let mut body = String::new();
        for k in 0..PRESSURE {
            body += &format!("(local.set $t{k} {})\n    ", expr(&mut r, Ty::I64, 2));
        }
        let mut sum = "(local.get $t0)".to_string();
        for k in 1..PRESSURE {
            let op = r.pick(&["add", "xor", "sub", "mul", "rotl", "and", "or"]);
            sum = format!("(i64.{op} {sum} (local.get $t{k}))");
        }
        body + &sum
    } else if seed % 3 == 1 {
        // A counted loop (0 to 15 trips) updating an accumulator: loop counters, block
        // arguments, values computed on the loop's back edge.
        let count = expr(&mut r, Ty::I32, 3);
        let init = expr(&mut r, Ty::I64, 3);
        let step = expr(&mut r, Ty::I64, 3);
        let op = r.pick(&["add", "xor", "mul", "sub"]);
        format!(
            "(local.set $n (i32.and {count} (i32.const 15)))
    (local.set $t0 {init})
    (block $done (loop $next
      (br_if $done (i32.eqz (local.get $n)))
      (local.set $t0 (i64.{op} (i64.rotl (local.get $t0) (i64.const 7)) {step}))
      (local.set $n (i32.sub (local.get $n) (i32.const 1)))
      (br $next)))
    (local.get $t0)"
        )
    } else {
        expr(&mut r, Ty::I64, 6)
    };
    let locals: String = (0..PRESSURE)
        .map(|k| format!(" (local $t{k} i64)"))
        .collect::<String>()
        + " (local $n i32)";
    let data: String = (0..256)
        .map(|_| format!("\\{:02x}", r.next() as u8))
        .collect();
    let mut calls = Vec::new();
    for _ in 0..RESULTS {
        let (a, b) = (r.constant(32), r.constant(32));
        let (c, d) = (r.constant(64), r.constant(64));
        calls.push(format!("(call $f {a} {b} {c} {d})"));
    }
    let f = format!(
        "(data (i32.const 8192) \"{data}\")
  (func $id32 (param i32) (result i32) (local.get 0))
  (func $id64 (param i64) (result i64) (local.get 0))
  (func $low (param i64 i64) (result i64) (local.get 0))
  (func $high (param i64 i64) (result i64) (local.get 1))
  (func $f (param $a i32) (param $b i32) (param $c i64) (param $d i64) (result i64){locals}
    {body})"
    );
    printing_module(&f, &calls)
}

/// A module with `functions` whose `_start` prints each of the i64 `results` expressions
/// as 16 hex digits, in one `fd_write`.
fn printing_module(functions: &str, results: &[String]) -> String {
    let mut calls = String::new();
    for (k, result) in results.iter().enumerate() {
        calls += &format!("    (call $hex {result} (i32.const {}))\n", 1024 + 16 * k);
    }
    format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  (memory (export "memory") 1)
  {functions}
  (func $hex (param $v i64) (param $at i32)
    (local $i i32) (local $digit i32)
    (local.set $i (i32.const 15))
    (loop $next
      (local.set $digit (i32.wrap_i64 (i64.and (local.get $v) (i64.const 15))))
      (i32.store8 (i32.add (local.get $at) (local.get $i))
        (i32.add (local.get $digit) (select (i32.const 87) (i32.const 48) (i32.gt_u (local.get $digit) (i32.const 9)))))
      (local.set $v (i64.shr_u (local.get $v) (i64.const 4)))
      (br_if $next (i32.ge_s (local.tee $i (i32.sub (local.get $i) (i32.const 1))) (i32.const 0)))))
  (func (export "_start")
{calls}    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const {len}))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))
"#,
        len = 16 * results.len()
    )
}

#[derive(Debug, PartialEq)]
enum Outcome {
    Printed(String),
    Trap(&'static str),
}

fn on_wasmi(wasm: &[u8]) -> Outcome {
    use wasmi::{Caller, Engine, Extern, Linker, Module, Store};
    let mut config = wasmi::Config::default();
    config.wasm_wide_arithmetic(true);
    let engine = Engine::new(&config);
    let module = Module::new(&engine, wasm).unwrap();
    let mut store = Store::new(&engine, Vec::<u8>::new());
    let mut linker = Linker::<Vec<u8>>::new(&engine);
    linker
        .func_wrap(
            "wasi_snapshot_preview1",
            "fd_write",
            |mut caller: Caller<'_, Vec<u8>>, _fd: i32, iov: i32, _n: i32, _written: i32| -> i32 {
                let Some(Extern::Memory(memory)) = caller.get_export("memory") else {
                    panic!("no memory")
                };
                let data = memory.data(&caller);
                let word = |at: i32| {
                    u32::from_le_bytes(data[at as usize..at as usize + 4].try_into().unwrap())
                        as usize
                };
                let (ptr, len) = (word(iov), word(iov + 4));
                let bytes = data[ptr..ptr + len].to_vec();
                caller.data_mut().extend(bytes);
                0
            },
        )
        .unwrap();
    let instance = linker.instantiate_and_start(&mut store, &module).unwrap();
    let start = instance.get_typed_func::<(), ()>(&store, "_start").unwrap();
    match start.call(&mut store, ()) {
        Ok(()) => Outcome::Printed(String::from_utf8(store.data().clone()).unwrap()),
        Err(e) => {
            let code = e
                .as_trap_code()
                .unwrap_or_else(|| panic!("wasmi failed without a trap: {e}"));
            Outcome::Trap(match code {
                wasmi::TrapCode::IntegerDivisionByZero => "integer divide by zero",
                wasmi::TrapCode::IntegerOverflow => "integer overflow",
                other => panic!("unexpected trap {other:?}"),
            })
        }
    }
}

fn on_zisk(rom: &ZiskRom) -> Outcome {
    let options = RunOptions {
        max_steps: 10_000_000,
        capture_console: false,
        profile_top: 0,
        window: None,
    };
    let execution = run_rom(rom, &frame_input(b"").unwrap(), &options).unwrap();
    match execution.failure {
        None => Outcome::Printed(String::from_utf8(execution.output).unwrap()),
        Some(Failure::ExitCode { code, .. }) if code >= czisk_runtime::TRAP_EXIT_BASE as i64 => {
            let kind = (code - czisk_runtime::TRAP_EXIT_BASE as i64) as usize;
            Outcome::Trap(WasmTrap::ALL[kind].message())
        }
        Some(other) => panic!("unexpected failure {other:?}"),
    }
}

#[test]
fn random_integer_programs_agree_with_wasmi() {
    // CZISK_DIFF_SEEDS=n runs more programs (the default keeps the test suite quick).
    let seeds: u64 = std::env::var("CZISK_DIFF_SEEDS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(120);
    let mut traps = 0;
    for seed in 0..seeds {
        let text = program(seed);
        let wasm = wat::parse_str(&text).unwrap();
        let expected = on_wasmi(&wasm);
        if matches!(expected, Outcome::Trap(_)) {
            traps += 1;
        }
        let zisk = czisk_backend_zisk::compile_wasm(&wasm)
            .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"));
        assert_eq!(on_zisk(&zisk.rom), expected, "seed {seed} on zisk:\n{text}");
    }
    // The generator reaches both outcomes.
    assert!(
        traps > 0 && traps < seeds / 2,
        "{traps} of {seeds} programs trapped"
    );
}

/// The same programs with every i32 that the low-half analysis lets skip its sign
/// extension given a garbage high half (`lower::with_low32_poisoned`): a lowering rule
/// that reads the high half of a value the analysis says nobody reads it of gives a wrong
/// result here.
#[test]
fn random_integer_programs_agree_with_wasmi_with_low_halves_poisoned() {
    for seed in 0..120 {
        let text = program(seed);
        let wasm = wat::parse_str(&text).unwrap();
        let expected = on_wasmi(&wasm);
        let zisk = czisk_backend_zisk::lower::with_low32_poisoned(|| {
            czisk_backend_zisk::compile_wasm(&wasm)
        })
        .unwrap_or_else(|e| panic!("seed {seed}: {e}\n{text}"));
        assert_eq!(
            on_zisk(&zisk.rom),
            expected,
            "seed {seed} on zisk, poisoned:\n{text}"
        );
    }
}

/// LLVM compares two-word (u128, U256 limb) values as `select (hi_a == hi_b) (lo_a cc lo_b)
/// (hi_a cc hi_b)`; Cranelift's mid-end makes that an `icmp.i128` of concatenated halves
/// (or of an extension, when a high word is zero or the low word's sign), which the
/// backend's legalize pass splits back. Every condition and operand shape, on words whose
/// high halves are often equal, must agree with wasmi.
#[test]
fn two_word_comparisons_agree_with_wasmi() {
    let conditions = [
        ("lt_u", "lt_u"),
        ("le_u", "le_u"),
        ("gt_u", "gt_u"),
        ("ge_u", "ge_u"),
        ("lt_s", "lt_u"),
        ("le_s", "le_u"),
        ("gt_s", "gt_u"),
        ("ge_s", "ge_u"),
    ];
    // The high word of b: its own parameter, zero (uextend) or the sign of b's low word (sextend).
    let b_high = [
        "(local.get $bh)",
        "(i64.const 0)",
        "(i64.shr_s (local.get $bl) (i64.const 63))",
    ];
    let mut functions = String::new();
    let mut names = Vec::new();
    for (k, (high, low)) in conditions.iter().enumerate() {
        for (shape, bh) in b_high.iter().enumerate() {
            let name = format!("$cmp{k}_{shape}");
            functions += &format!(
                "(func {name} (param $al i64) (param $ah i64) (param $bl i64) (param $bh i64) (result i64)
    (i64.extend_i32_u (select (i64.{low} (local.get $al) (local.get $bl)) (i64.{high} (local.get $ah) {bh})
      (i64.eq (local.get $ah) {bh}))))\n  "
            );
            names.push(name);
        }
    }
    let words = [0i64, 1, -1, 2, i64::MIN, i64::MAX, 0x1234_5678];
    let mut results = Vec::new();
    let mut r = Rng(7);
    // 16 results of 16 digits fill the 256-byte public output the comparison reads.
    for _ in 0..16 {
        let pick = |r: &mut Rng| words[r.below(words.len())];
        let (al, ah, bl) = (pick(&mut r), pick(&mut r), pick(&mut r));
        // Often equal high words, so the low words decide.
        let bh = if r.below(2) == 0 { ah } else { pick(&mut r) };
        // All conditions and shapes of one operand tuple, as the bits of one result.
        let mut bits = "(i64.const 0)".to_string();
        for (bit, name) in names.iter().enumerate() {
            bits = format!(
                "(i64.or {bits} (i64.shl (call {name} (i64.const {al}) (i64.const {ah}) (i64.const {bl}) (i64.const {bh})) (i64.const {bit})))"
            );
        }
        results.push(bits);
    }
    let text = printing_module(&functions, &results);
    let wasm = wat::parse_str(&text).unwrap();
    let zisk = czisk_backend_zisk::compile_wasm(&wasm).unwrap_or_else(|e| panic!("{e}\n{text}"));
    assert_eq!(on_zisk(&zisk.rom), on_wasmi(&wasm), "{text}");
}
