//! The `zisk` import namespace against host implementations on fixed vectors: each import
//! runs ZisK's precompile on a state in linear memory and must give what `keccak` and
//! `sha2` compute on the host; bad pointers trap with the right trap.

use czisk_frontend::WasmTrap;
use czisk_zisk::{frame_input, run_rom, Failure, RunOptions};

/// Fixed, non-trivial bytes.
fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(37).wrapping_add(seed) ^ 0x5a)
        .collect()
}

fn wat_bytes(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("\\{b:02x}")).collect()
}

/// Runs `body` (with `$out` the address of the bytes to print and `$len` their count)
/// and returns the public output, or the trap.
fn run(imports: &str, data: &str, body: &str, len: usize) -> Result<Vec<u8>, WasmTrap> {
    let text = format!(
        r#"(module
  (import "wasi_snapshot_preview1" "fd_write" (func $fd_write (param i32 i32 i32 i32) (result i32)))
  {imports}
  (memory 1)
  {data}
  (func (export "_start")
    {body}
    (i32.store (i32.const 0) (i32.const 1024))
    (i32.store (i32.const 4) (i32.const {len}))
    (drop (call $fd_write (i32.const 1) (i32.const 0) (i32.const 1) (i32.const 8)))))"#
    );
    let wasm = wat::parse_str(&text).unwrap();
    let program = czisk_backend_zisk::compile_wasm(&wasm).unwrap();
    let options = RunOptions {
        max_steps: 1_000_000,
        capture_console: false,
        profile_top: 0,
        window: None,
    };
    let execution = run_rom(&program.rom, &frame_input(b"").unwrap(), &options).unwrap();
    match execution.failure {
        None => Ok(execution.output),
        Some(Failure::ExitCode { code, .. }) => {
            Err(WasmTrap::ALL[(code - czisk_runtime::TRAP_EXIT_BASE as i64) as usize])
        }
        Some(other) => panic!("{other:?}"),
    }
}

fn trimmed(mut bytes: Vec<u8>) -> Vec<u8> {
    while bytes.last() == Some(&0) {
        bytes.pop();
    }
    bytes
}

const KECCAK: &str = r#"(import "zisk" "keccakf" (func $keccakf (param i32)))"#;
const SHA256: &str = r#"(import "zisk" "sha256f" (func $sha256f (param i32 i32)))"#;

#[test]
fn keccakf_matches_the_host() {
    let state = pattern(200, 3);
    let data = format!(r#"(data (i32.const 1024) "{}")"#, wat_bytes(&state));
    let output = run(
        KECCAK,
        &data,
        "(call $keccakf (i32.const 1024)) (call $keccakf (i32.const 1024))",
        200,
    )
    .unwrap();
    let mut lanes: [u64; 25] =
        std::array::from_fn(|i| u64::from_le_bytes(state[8 * i..8 * i + 8].try_into().unwrap()));
    keccak::f1600(&mut lanes);
    keccak::f1600(&mut lanes);
    let expected: Vec<u8> = lanes.iter().flat_map(|l| l.to_le_bytes()).collect();
    assert_eq!(output, trimmed(expected));
}

/// A direct call is translated in place; through a table the import's own function runs:
/// same result, same traps.
#[test]
fn keccakf_through_a_table_matches_the_direct_call() {
    let state = pattern(200, 5);
    let data = format!(
        r#"(data (i32.const 1024) "{}")
  (type $lanes (func (param i32)))
  (table 1 funcref)
  (elem (i32.const 0) $keccakf)"#,
        wat_bytes(&state)
    );
    let direct = run(KECCAK, &data, "(call $keccakf (i32.const 1024))", 200).unwrap();
    let indirect = run(
        KECCAK,
        &data,
        "(call_indirect (type $lanes) (i32.const 1024) (i32.const 0))",
        200,
    )
    .unwrap();
    let mut lanes: [u64; 25] =
        std::array::from_fn(|i| u64::from_le_bytes(state[8 * i..8 * i + 8].try_into().unwrap()));
    keccak::f1600(&mut lanes);
    let expected: Vec<u8> = lanes.iter().flat_map(|l| l.to_le_bytes()).collect();
    assert_eq!(direct, trimmed(expected));
    assert_eq!(indirect, direct);
    for (ptr, trap) in [
        (1028, WasmTrap::UnalignedPrecompileArgument),
        (65400, WasmTrap::MemoryOutOfBounds),
    ] {
        let body = format!("(call_indirect (type $lanes) (i32.const {ptr}) (i32.const 0))");
        assert_eq!(run(KECCAK, &data, &body, 8), Err(trap), "pointer {ptr}");
    }
}

#[test]
fn sha256f_matches_the_host() {
    let state = pattern(32, 11);
    let block = pattern(64, 29);
    let data = format!(
        r#"(data (i32.const 1024) "{}") (data (i32.const 2048) "{}")"#,
        wat_bytes(&state),
        wat_bytes(&block)
    );
    let output = run(
        SHA256,
        &data,
        "(call $sha256f (i32.const 1024) (i32.const 2048))",
        32,
    )
    .unwrap();
    // The state is eight little-endian words in memory, the block 64 message bytes.
    let mut words: [u32; 8] =
        std::array::from_fn(|i| u32::from_le_bytes(state[4 * i..4 * i + 4].try_into().unwrap()));
    sha2::compress256(
        &mut words,
        &[*sha2::digest::generic_array::GenericArray::from_slice(
            &block,
        )],
    );
    let expected: Vec<u8> = words.iter().flat_map(|w| w.to_le_bytes()).collect();
    assert_eq!(output, trimmed(expected));
}

#[test]
fn bad_pointers_trap() {
    let misaligned = run(KECCAK, "", "(call $keccakf (i32.const 1028))", 8);
    assert_eq!(misaligned, Err(WasmTrap::UnalignedPrecompileArgument));
    let outside = run(KECCAK, "", "(call $keccakf (i32.const 65400))", 8);
    assert_eq!(outside, Err(WasmTrap::MemoryOutOfBounds));
    let block_misaligned = run(
        SHA256,
        "",
        "(call $sha256f (i32.const 1024) (i32.const 2052))",
        8,
    );
    assert_eq!(block_misaligned, Err(WasmTrap::UnalignedPrecompileArgument));
    let block_outside = run(
        SHA256,
        "",
        "(call $sha256f (i32.const 1024) (i32.const 65480))",
        8,
    );
    assert_eq!(block_outside, Err(WasmTrap::MemoryOutOfBounds));
}

/// A C guest compiled by clang reaches the namespace through `zisk.h`: Keccak-f of the
/// zero state, lane 0 checked against its known value (the guest exits 0 only on a match).
#[test]
fn a_c_guest_uses_zisk_h() {
    let dir = std::env::temp_dir().join(format!("czisk-c-guest-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let include =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests/zisk-guest/include");
    let build_and_run = |lane0: &str| {
        let source = dir.join("keccak.c");
        std::fs::write(
            &source,
            format!(
                r#"#include "zisk.h"
__attribute__((import_module("wasi_snapshot_preview1"), import_name("proc_exit"))) void proc_exit(int);
_Alignas(8) static uint64_t state[25];
__attribute__((export_name("_start"))) void start(void) {{
  zisk_keccakf(state);
  proc_exit(state[0] == {lane0}ULL ? 0 : 1);
}}"#
            ),
        )
        .unwrap();
        let wasm = dir.join("keccak.wasm");
        let clang = std::process::Command::new("clang")
            .args([
                "--target=wasm32",
                "-O2",
                "-nostdlib",
                "-Wl,--no-entry",
                "-Wl,--allow-undefined",
                "-I",
            ])
            .arg(&include)
            .arg("-o")
            .arg(&wasm)
            .arg(&source)
            .output()
            .expect("clang is installed by scripts/setup.sh");
        assert!(
            clang.status.success(),
            "{}",
            String::from_utf8_lossy(&clang.stderr)
        );
        std::process::Command::new(env!("CARGO_BIN_EXE_czisk"))
            .arg("run")
            .arg(&wasm)
            .output()
            .unwrap()
    };
    let right = build_and_run("0xf1258f7940e1dde7");
    assert!(
        right.status.success(),
        "{}",
        String::from_utf8_lossy(&right.stderr)
    );
    let wrong = build_and_run("0x1");
    assert_eq!(
        wrong.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&wrong.stderr)
    );
}

/// 256-bit numbers as ZisK's arithmetic precompiles hold them: four little-endian 64-bit
/// words, little-endian bytes in memory.
fn to_big(bytes: &[u8]) -> num_bigint::BigUint {
    num_bigint::BigUint::from_bytes_le(bytes)
}

fn to_bytes(n: &num_bigint::BigUint, len: usize) -> Vec<u8> {
    let mut bytes = n.to_bytes_le();
    bytes.resize(len, 0);
    bytes
}

const ARITH: &str = r#"(import "zisk" "arith256" (func $arith256 (param i32 i32 i32 i32 i32)))
  (import "zisk" "arith256_mod" (func $arith256_mod (param i32 i32 i32 i32 i32)))"#;

#[test]
fn arith256_and_arith256_mod_match_the_host() {
    let (a, b, c) = (pattern(32, 1), pattern(32, 77), pattern(32, 200));
    let mut m = pattern(32, 5);
    m[31] |= 0x80; // a modulus of full width
    let data = format!(
        r#"(data (i32.const 2048) "{}") (data (i32.const 2080) "{}") (data (i32.const 2112) "{}") (data (i32.const 2144) "{}")"#,
        wat_bytes(&a),
        wat_bytes(&b),
        wat_bytes(&c),
        wat_bytes(&m)
    );
    // dl, dh = a * b + c at 1024, 1056; d = (a * b + c) mod m at 1088.
    let body = "(call $arith256 (i32.const 2048) (i32.const 2080) (i32.const 2112) (i32.const 1024) (i32.const 1056))
        (call $arith256_mod (i32.const 2048) (i32.const 2080) (i32.const 2112) (i32.const 2144) (i32.const 1088))";
    let output = run(ARITH, &data, body, 96).unwrap();
    let full = to_big(&a) * to_big(&b) + to_big(&c);
    let mut expected = to_bytes(&full, 64);
    expected.extend(to_bytes(&(full % to_big(&m)), 32));
    assert_eq!(output, trimmed(expected));
}

const SECP: &str = r#"(import "zisk" "secp256k1_add" (func $secp256k1_add (param i32 i32)))
  (import "zisk" "secp256k1_dbl" (func $secp256k1_dbl (param i32)))"#;

/// A point as the precompiles hold it: x then y, each four little-endian 64-bit words.
fn point_bytes(p: &k256::AffinePoint) -> Vec<u8> {
    use k256::elliptic_curve::sec1::ToEncodedPoint;
    let encoded = p.to_encoded_point(false);
    let mut bytes: Vec<u8> = encoded.x().unwrap().iter().rev().copied().collect();
    bytes.extend(encoded.y().unwrap().iter().rev());
    bytes
}

#[test]
fn secp256k1_add_and_dbl_match_the_host() {
    use k256::{ProjectivePoint, Scalar};
    let p = (ProjectivePoint::GENERATOR * Scalar::from(123_456_789u64)).to_affine();
    let q = (ProjectivePoint::GENERATOR * Scalar::from(987_654_321u64)).to_affine();
    let data = format!(
        r#"(data (i32.const 1024) "{}") (data (i32.const 2048) "{}") (data (i32.const 1088) "{}")"#,
        wat_bytes(&point_bytes(&p)),
        wat_bytes(&point_bytes(&q)),
        wat_bytes(&point_bytes(&q))
    );
    // 1024: p + q; 1088: 2q.
    let body = "(call $secp256k1_add (i32.const 1024) (i32.const 2048)) (call $secp256k1_dbl (i32.const 1088))";
    let output = run(SECP, &data, body, 128).unwrap();
    let sum = (ProjectivePoint::from(p) + ProjectivePoint::from(q)).to_affine();
    let double = ProjectivePoint::from(q).double().to_affine();
    let mut expected = point_bytes(&sum);
    expected.extend(point_bytes(&double));
    assert_eq!(output, trimmed(expected));
}

#[test]
fn the_new_precompiles_check_their_pointers() {
    let misaligned = run(SECP, "", "(call $secp256k1_dbl (i32.const 1030))", 8);
    assert_eq!(misaligned, Err(WasmTrap::UnalignedPrecompileArgument));
    let outside = run(
        ARITH,
        "",
        "(call $arith256 (i32.const 1024) (i32.const 1024) (i32.const 1024) (i32.const 1024) (i32.const 65512))",
        8,
    );
    assert_eq!(outside, Err(WasmTrap::MemoryOutOfBounds));
    for &(name, params, result) in NEWER_PRECOMPILES {
        pointers_are_checked(name, params, result);
    }
}

/// A parameter of an import under test: a pointer to this many bytes, or a value (0 here).
#[derive(Clone, Copy)]
enum Arg {
    Ptr(u32),
    Value,
}

/// The later imports: name, parameters, whether they return an i32.
const NEWER_PRECOMPILES: &[(&str, &[Arg], bool)] = &[
    (
        "add256",
        &[Arg::Ptr(32), Arg::Ptr(32), Arg::Value, Arg::Ptr(32)],
        true,
    ),
    (
        "blake2b_round",
        &[Arg::Value, Arg::Ptr(128), Arg::Ptr(128)],
        false,
    ),
    ("blake2sf", &[Arg::Ptr(64), Arg::Ptr(64)], false),
    ("blake3f", &[Arg::Ptr(64), Arg::Ptr(64)], false),
    ("poseidon2", &[Arg::Ptr(128)], false),
    ("poseidon1", &[Arg::Ptr(128)], false),
    ("poseidon2_koalabear", &[Arg::Ptr(64)], false),
    ("ed25519_add", &[Arg::Ptr(64), Arg::Ptr(64)], false),
    ("babyjubjub_add", &[Arg::Ptr(64), Arg::Ptr(64)], false),
];

/// Each pointer of import `name` in turn: misaligned, it traps as such; its range ending 8
/// bytes past linear memory, out of bounds; ending at the end of memory, the call runs (on
/// zeros). The other pointers are 1024, the values 0.
fn pointers_are_checked(name: &str, params: &[Arg], result: bool) {
    let types = vec!["i32"; params.len()].join(" ");
    let results = if result { "(result i32)" } else { "" };
    let import = format!(r#"(import "zisk" "{name}" (func $f (param {types}) {results}))"#);
    for (i, param) in params.iter().enumerate() {
        let Arg::Ptr(bytes) = *param else { continue };
        let end = 65536 - bytes;
        for (ptr, expected) in [
            (1028, Err(WasmTrap::UnalignedPrecompileArgument)),
            (end + 8, Err(WasmTrap::MemoryOutOfBounds)),
            (end, Ok(())),
        ] {
            let args: String = params
                .iter()
                .enumerate()
                .map(|(j, p)| match (j == i, p) {
                    (true, _) => format!("(i32.const {ptr}) "),
                    (false, Arg::Ptr(_)) => "(i32.const 1024) ".into(),
                    (false, Arg::Value) => "(i32.const 0) ".into(),
                })
                .collect();
            let call = format!("(call $f {args})");
            let body = if result {
                format!("(drop {call})")
            } else {
                call
            };
            let outcome = run(&import, "", &body, 8).map(|_| ());
            assert_eq!(outcome, expected, "{name}, parameter {i} = {ptr}");
        }
    }
}

/// Little-endian bytes of a field element's value, `len` bytes.
fn field_bytes<F: ark_ff::PrimeField>(x: &F, len: usize) -> Vec<u8> {
    use ark_ff::BigInteger;
    let mut bytes = x.into_bigint().to_bytes_le();
    bytes.resize(len, 0);
    bytes
}

fn affine_bytes<P>(p: &ark_ec::short_weierstrass::Affine<P>, coordinate: usize) -> Vec<u8>
where
    P: ark_ec::short_weierstrass::SWCurveConfig,
    P::BaseField: ark_ff::PrimeField,
{
    [field_bytes(&p.x, coordinate), field_bytes(&p.y, coordinate)].concat()
}

/// `{curve}_add` and `{curve}_dbl` (`coordinate` bytes per coordinate) against ark's group
/// law: p + q over p, and 2q over a copy of q.
fn curve_precompiles_match_ark<P>(add: &str, dbl: &str, coordinate: usize)
where
    P: ark_ec::short_weierstrass::SWCurveConfig,
    P::BaseField: ark_ff::PrimeField,
{
    use ark_ec::{AffineRepr, CurveGroup};
    let g = ark_ec::short_weierstrass::Affine::<P>::generator();
    let p = (g * P::ScalarField::from(123_456_789u64)).into_affine();
    let q = (g * P::ScalarField::from(987_654_321u64)).into_affine();
    let size = 2 * coordinate;
    let imports = format!(
        r#"(import "zisk" "{add}" (func $add (param i32 i32))) (import "zisk" "{dbl}" (func $dbl (param i32)))"#
    );
    let data = format!(
        r#"(data (i32.const 1024) "{}") (data (i32.const {}) "{}") (data (i32.const 2048) "{}")"#,
        wat_bytes(&affine_bytes(&p, coordinate)),
        1024 + size,
        wat_bytes(&affine_bytes(&q, coordinate)),
        wat_bytes(&affine_bytes(&q, coordinate)),
    );
    let body = format!(
        "(call $add (i32.const 1024) (i32.const 2048)) (call $dbl (i32.const {}))",
        1024 + size
    );
    let output = run(&imports, &data, &body, 2 * size).unwrap();
    let mut expected = affine_bytes(&(p + q).into_affine(), coordinate);
    expected.extend(affine_bytes(&(q + q).into_affine(), coordinate));
    assert_eq!(output, trimmed(expected), "{add}, {dbl}");
}

#[test]
fn secp256r1_bn254_and_bls12_381_curves_match_ark() {
    curve_precompiles_match_ark::<ark_secp256r1::Config>("secp256r1_add", "secp256r1_dbl", 32);
    curve_precompiles_match_ark::<ark_bn254::g1::Config>("bn254_curve_add", "bn254_curve_dbl", 32);
    curve_precompiles_match_ark::<ark_bls12_381::g1::Config>(
        "bls12_381_curve_add",
        "bls12_381_curve_dbl",
        48,
    );
}

/// `{prefix}_complex_{add,sub,mul}` (elements c0 + c1·u of Fp², u² = -1) against ark's
/// arithmetic in the same field, each operation writing over its first operand.
fn complex_precompiles_match_ark<P: ark_ff::Fp2Config>(prefix: &str, coordinate: usize)
where
    P::Fp: ark_ff::PrimeField,
{
    use ark_ff::PrimeField;
    let element = |seed: u8| {
        ark_ff::Fp2::<P>::new(
            P::Fp::from_le_bytes_mod_order(&pattern(coordinate, seed)),
            P::Fp::from_le_bytes_mod_order(&pattern(coordinate, seed.wrapping_mul(7))),
        )
    };
    let bytes = |x: &ark_ff::Fp2<P>| {
        [
            field_bytes(&x.c0, coordinate),
            field_bytes(&x.c1, coordinate),
        ]
        .concat()
    };
    let (a, b) = (element(3), element(41));
    for (op, expected) in [("add", a + b), ("sub", a - b), ("mul", a * b)] {
        let imports =
            format!(r#"(import "zisk" "{prefix}_complex_{op}" (func $op (param i32 i32)))"#);
        let data = format!(
            r#"(data (i32.const 1024) "{}") (data (i32.const 2048) "{}")"#,
            wat_bytes(&bytes(&a)),
            wat_bytes(&bytes(&b))
        );
        let output = run(
            &imports,
            &data,
            "(call $op (i32.const 1024) (i32.const 2048))",
            2 * coordinate,
        )
        .unwrap();
        assert_eq!(output, trimmed(bytes(&expected)), "{prefix}_complex_{op}");
    }
}

#[test]
fn bn254_and_bls12_381_complex_arithmetic_matches_ark() {
    complex_precompiles_match_ark::<ark_bn254::Fq2Config>("bn254", 32);
    complex_precompiles_match_ark::<ark_bls12_381::Fq2Config>("bls12_381", 48);
}

#[test]
fn arith384_mod_matches_the_host() {
    let (a, b, c) = (pattern(48, 9), pattern(48, 90), pattern(48, 180));
    let mut m = pattern(48, 15);
    m[47] |= 0x80;
    let data = format!(
        r#"(data (i32.const 2048) "{}") (data (i32.const 2096) "{}") (data (i32.const 2144) "{}") (data (i32.const 2192) "{}")"#,
        wat_bytes(&a),
        wat_bytes(&b),
        wat_bytes(&c),
        wat_bytes(&m)
    );
    let imports =
        r#"(import "zisk" "arith384_mod" (func $arith384_mod (param i32 i32 i32 i32 i32)))"#;
    let body = "(call $arith384_mod (i32.const 2048) (i32.const 2096) (i32.const 2144) (i32.const 2192) (i32.const 1024))";
    let output = run(imports, &data, body, 48).unwrap();
    let expected = (to_big(&a) * to_big(&b) + to_big(&c)) % to_big(&m);
    assert_eq!(output, trimmed(to_bytes(&expected, 48)));
}

const ADD256: &str =
    r#"(import "zisk" "add256" (func $add256 (param i32 i32 i32 i32) (result i32)))"#;

/// `add256` against num-bigint: a sum that carries out (carry in 1), one that does not
/// (carry in 0), and all ones plus a number and a carry in of 5 (counting as 1)
/// through a table, so through the import's own function. Each sum's carry out is stored
/// after the sums.
#[test]
fn add256_matches_the_host() {
    let (mut a, mut b, mut small) = (pattern(32, 11), pattern(32, 99), pattern(32, 42));
    a[31] |= 0x80;
    b[31] |= 0x80;
    small[31] = 0;
    small[30] = 0;
    let ones = [0xffu8; 32];
    let data = format!(
        r#"(data (i32.const 2048) "{}") (data (i32.const 2080) "{}") (data (i32.const 2112) "{}")
  (data (i32.const 2144) "{}") (data (i32.const 2176) "\05")
  (type $add (func (param i32 i32 i32 i32) (result i32)))
  (table 1 funcref)
  (elem (i32.const 0) $add256)"#,
        wat_bytes(&a),
        wat_bytes(&b),
        wat_bytes(&small),
        wat_bytes(&ones)
    );
    let body = "(i32.store (i32.const 1120) (call $add256 (i32.const 2048) (i32.const 2080) (i32.const 1) (i32.const 1024)))
        (i32.store (i32.const 1124) (call $add256 (i32.const 2048) (i32.const 2112) (i32.const 0) (i32.const 1056)))
        (i32.store (i32.const 1128) (call_indirect (type $add) (i32.const 2144) (i32.const 2112) (i32.load (i32.const 2176)) (i32.const 1088) (i32.const 0)))";
    let output = run(ADD256, &data, body, 108).unwrap();
    let modulus = num_bigint::BigUint::from(1u8) << 256;
    let (mut sums, mut carries) = (Vec::new(), Vec::new());
    for (x, y, carry_in) in [(&a[..], &b[..], 1u32), (&a, &small, 0), (&ones, &small, 1)] {
        let sum = to_big(x) + to_big(y) + carry_in;
        carries.extend(u32::from(sum >= modulus).to_le_bytes());
        sums.extend(to_bytes(&(sum % &modulus), 32));
    }
    assert_eq!(carries, [1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0]);
    sums.extend(carries);
    assert_eq!(output, trimmed(sums));
}

/// A twisted Edwards point as the precompiles hold it: x then y, 32 bytes each.
fn edwards_bytes<F: ark_ff::PrimeField>(x: &F, y: &F) -> Vec<u8> {
    [field_bytes(x, 32), field_bytes(y, 32)].concat()
}

/// `name` (a twisted Edwards addition) on points given as coordinates: p + q over p at 1024,
/// q + q with both pointers at q's copy at 1088 (the law is complete), and the identity
/// (0, 1) + p at 1152; `expected` are the three results.
fn edwards_addition_matches<F: ark_ff::PrimeField>(
    name: &str,
    p: (F, F),
    q: (F, F),
    expected: [(F, F); 3],
) {
    let bytes = |(x, y): (F, F)| edwards_bytes(&x, &y);
    let identity = (F::zero(), F::one());
    let data = format!(
        r#"(data (i32.const 1024) "{}") (data (i32.const 1088) "{}") (data (i32.const 1152) "{}") (data (i32.const 2048) "{}") (data (i32.const 2112) "{}")"#,
        wat_bytes(&bytes(p)),
        wat_bytes(&bytes(q)),
        wat_bytes(&bytes(identity)),
        wat_bytes(&bytes(q)),
        wat_bytes(&bytes(p)),
    );
    let imports = format!(r#"(import "zisk" "{name}" (func $add (param i32 i32)))"#);
    let body = "(call $add (i32.const 1024) (i32.const 2048)) (call $add (i32.const 1088) (i32.const 1088))
        (call $add (i32.const 1152) (i32.const 2112))";
    let output = run(&imports, &data, body, 192).unwrap();
    let expected: Vec<u8> = expected.into_iter().flat_map(bytes).collect();
    assert_eq!(output, trimmed(expected), "{name}");
}

/// ed25519_add against ark-ed25519 (the same curve equation, affine coordinates).
#[test]
fn ed25519_add_matches_ark() {
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ed25519::{EdwardsAffine, Fr};
    let g = EdwardsAffine::generator();
    let p = (g * Fr::from(123_456_789u64)).into_affine();
    let q = (g * Fr::from(987_654_321u64)).into_affine();
    let xy = |a: EdwardsAffine| (a.x, a.y);
    let sum = [(p + q).into_affine(), (q + q).into_affine(), p];
    edwards_addition_matches("ed25519_add", xy(p), xy(q), sum.map(xy));
}

/// babyjubjub_add against ark-ed-on-bn254, whose curve is the same one rescaled: ark's
/// `x'² + y² = 1 + (168696/168700)·x'²·y²` is circomlib's `168700·x² + y² = 1 + 168696·x²·y²`
/// with `x' = √168700 · x`, an isomorphism of the two groups.
#[test]
fn babyjubjub_add_matches_ark() {
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ed_on_bn254::{EdwardsAffine, Fq, Fr};
    use ark_ff::Field;
    let scale = Fq::from(168_700u64).sqrt().expect("168700 is a square");
    let circom = |a: EdwardsAffine| (a.x / scale, a.y);
    let g = EdwardsAffine::generator();
    let p = (g * Fr::from(123_456_789u64)).into_affine();
    let q = (g * Fr::from(987_654_321u64)).into_affine();
    // The points are on circomlib's curve.
    for (x, y) in [circom(p), circom(q)] {
        let (a, d) = (Fq::from(168_700u64), Fq::from(168_696u64));
        assert_eq!(a * x * x + y * y, Fq::ONE + d * x * x * y * y);
    }
    let sum = [(p + q).into_affine(), (q + q).into_affine(), p];
    edwards_addition_matches("babyjubjub_add", circom(p), circom(q), sum.map(circom));
}

/// Little-endian 32-bit words of `bytes`, as 64-byte blocks' words.
fn words32(bytes: &[u8]) -> Vec<u32> {
    bytes
        .chunks_exact(4)
        .map(|w| u32::from_le_bytes(w.try_into().unwrap()))
        .collect()
}

fn words64(bytes: &[u8]) -> Vec<u64> {
    bytes
        .chunks_exact(8)
        .map(|w| u64::from_le_bytes(w.try_into().unwrap()))
        .collect()
}

fn bytes32(words: &[u32]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

fn bytes64(words: &[u64]) -> Vec<u8> {
    words.iter().flat_map(|w| w.to_le_bytes()).collect()
}

/// `message` zero-padded to one block of `len` bytes.
fn padded(message: &[u8], len: usize) -> Vec<u8> {
    let mut block = message.to_vec();
    block.resize(len, 0);
    block
}

/// The first 32-bit words of SHA-256's initial state: BLAKE2s's and BLAKE3's IV.
const IV32: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

/// Runs `body` on the working vector at 1024 and the message block at 2048 (and a byte 10
/// at 4096), returning the vector afterwards.
fn permuted(imports: &str, vector: &[u8], block: &[u8], body: &str) -> Result<Vec<u8>, WasmTrap> {
    let data = format!(
        r#"(data (i32.const 1024) "{}") (data (i32.const 2048) "{}") (data (i32.const 4096) "\0a")"#,
        wat_bytes(vector),
        wat_bytes(block)
    );
    run(imports, &data, body, vector.len())
}

/// blake2sf is BLAKE2s's ten rounds: with the compression's set-up and feed-forward around
/// it (RFC 7693), a one-block message hashes as the `blake2` crate's BLAKE2s-256.
#[test]
fn blake2sf_makes_blake2s() {
    use blake2::Digest;
    let message = pattern(50, 7);
    // h = IV ^ parameter block (32-byte digest, no key, fanout and depth 1).
    let mut h = IV32;
    h[0] ^= 0x0101_0020;
    let mut v = [h, IV32].concat();
    v[12] ^= message.len() as u32;
    v[14] = !v[14]; // the last block
    let imports = r#"(import "zisk" "blake2sf" (func $blake2sf (param i32 i32)))"#;
    let body = "(call $blake2sf (i32.const 1024) (i32.const 2048))";
    let output = permuted(imports, &bytes32(&v), &padded(&message, 64), body).unwrap();
    let v = words32(&padded(&output, 64));
    let digest: Vec<u32> = (0..8).map(|i| h[i] ^ v[i] ^ v[i + 8]).collect();
    assert_eq!(
        bytes32(&digest),
        blake2::Blake2s256::digest(&message).to_vec()
    );
}

/// blake3f is BLAKE3's seven rounds: from the root compression's vector of a one-block
/// message, the feed-forward gives the `blake3` crate's first 64 output bytes.
#[test]
fn blake3f_makes_blake3() {
    let message = pattern(45, 9);
    const CHUNK_START_END_ROOT: u32 = 1 | 2 | 8;
    let mut v = [IV32, IV32].concat();
    v[12] = 0; // the counter, low and high words
    v[13] = 0;
    v[14] = message.len() as u32;
    v[15] = CHUNK_START_END_ROOT;
    let imports = r#"(import "zisk" "blake3f" (func $blake3f (param i32 i32)))"#;
    let body = "(call $blake3f (i32.const 1024) (i32.const 2048))";
    let output = permuted(imports, &bytes32(&v), &padded(&message, 64), body).unwrap();
    let v = words32(&padded(&output, 64));
    let mut out: Vec<u32> = (0..8).map(|i| v[i] ^ v[i + 8]).collect();
    out.extend((0..8).map(|i| v[i + 8] ^ IV32[i]));
    let mut expected = [0u8; 64];
    let mut hasher = blake3::Hasher::new();
    hasher.update(&message);
    hasher.finalize_xof().fill(&mut expected);
    assert_eq!(bytes32(&out), expected);
}

const BLAKE2B: &str = r#"(import "zisk" "blake2b_round" (func $round (param i32 i32 i32)))
  (type $round (func (param i32 i32 i32)))
  (table 1 funcref)
  (elem (i32.const 0) $round)"#;

/// Twelve blake2b_round calls, rounds 0..9 then 0 and 1, are BLAKE2b's compression: with its
/// set-up and feed-forward, a one-block message hashes as the `blake2` crate's BLAKE2b-512.
/// The rounds as constants (one instruction each), computed (a dispatch on the round), and
/// through a table; a round of 10 traps.
#[test]
fn blake2b_round_makes_blake2b() {
    use blake2::Digest;
    const IV64: [u64; 8] = [
        0x6a09e667f3bcc908,
        0xbb67ae8584caa73b,
        0x3c6ef372fe94f82b,
        0xa54ff53a5f1d36f1,
        0x510e527fade682d1,
        0x9b05688c2b3e6c1f,
        0x1f83d9abfb41bd6b,
        0x5be0cd19137e2179,
    ];
    let message = pattern(100, 13);
    let mut h = IV64;
    h[0] ^= 0x0101_0040; // 64-byte digest, no key
    let mut v = [h, IV64].concat();
    v[12] ^= message.len() as u64;
    v[14] = !v[14];
    let expected = blake2::Blake2b512::digest(&message).to_vec();
    let (vector, block) = (bytes64(&v), padded(&message, 128));
    let digest = |output: Vec<u8>| {
        let v = words64(&padded(&output, 128));
        bytes64(&(0..8).map(|i| h[i] ^ v[i] ^ v[i + 8]).collect::<Vec<_>>())
    };
    let constant: String = (0..12)
        .map(|r| {
            format!(
                "(call $round (i32.const {}) (i32.const 1024) (i32.const 2048))",
                r % 10
            )
        })
        .collect();
    let computed = |call: &str| {
        format!(
            "(local $r i32)
            (loop $next
              {call}
              (local.set $r (i32.add (local.get $r) (i32.const 1)))
              (br_if $next (i32.lt_u (local.get $r) (i32.const 12))))"
        )
    };
    let round = "(i32.rem_u (local.get $r) (i32.const 10)) (i32.const 1024) (i32.const 2048)";
    for body in [
        constant,
        computed(&format!("(call $round {round})")),
        computed(&format!(
            "(call_indirect (type $round) {round} (i32.const 0))"
        )),
    ] {
        let output = permuted(BLAKE2B, &vector, &block, &body).unwrap();
        assert_eq!(digest(output), expected, "{body}");
    }
    // Round 10: a constant, a computed one (the byte at 4096), through the table.
    for body in [
        "(call $round (i32.const 10) (i32.const 1024) (i32.const 2048))",
        "(call $round (i32.load8_u (i32.const 4096)) (i32.const 1024) (i32.const 2048))",
        "(call_indirect (type $round) (i32.const 10) (i32.const 1024) (i32.const 2048) (i32.const 0))",
    ] {
        let outcome = permuted(BLAKE2B, &vector, &block, body);
        assert_eq!(outcome, Err(WasmTrap::PrecompileArgumentOutOfRange), "{body}");
    }
}

/// poseidon2 and poseidon1 permute sixteen Goldilocks elements in place. No crate but
/// ZisK's own (pil2-proofman's `fields`) has these instances' constants, so the expected
/// values come from the functions ZisK's emulator itself runs: this checks the import's
/// plumbing (layout, in place, the right instruction), not the permutations.
#[test]
fn poseidon2_and_poseidon1_match_zisks_functions() {
    use proofman_fields::{
        poseidon1_hash, poseidon2_hash, Goldilocks, Poseidon1_16, Poseidon2_16, PrimeField64,
    };
    const P: u64 = 0xffff_ffff_0000_0001;
    let input: [u64; 16] = std::array::from_fn(|i| {
        u64::from_le_bytes(pattern(8, 17 * i as u8).try_into().unwrap()) % P
    });
    let field = input.map(Goldilocks::new);
    let canonical = |x: [Goldilocks; 16]| x.map(|e| e.as_canonical_u64());
    for (name, expected) in [
        (
            "poseidon2",
            canonical(poseidon2_hash::<Goldilocks, Poseidon2_16, 16>(&field)),
        ),
        (
            "poseidon1",
            canonical(poseidon1_hash::<Goldilocks, Poseidon1_16, 16>(&field)),
        ),
    ] {
        let imports = format!(r#"(import "zisk" "{name}" (func $p (param i32)))"#);
        let data = format!(
            r#"(data (i32.const 1024) "{}")"#,
            wat_bytes(&bytes64(&input))
        );
        let output = run(&imports, &data, "(call $p (i32.const 1024))", 128).unwrap();
        assert_eq!(output, trimmed(bytes64(&expected)), "{name}");
    }
}

/// poseidon2_koalabear permutes sixteen KoalaBear elements held in Montgomery form
/// (x·2^32 mod p). Plonky3's current KoalaBear Poseidon2 has another internal matrix, so
/// the permutation's expected values come from ZisK's helper crate (what its emulator
/// runs); the Montgomery form in and out is computed here.
#[test]
fn poseidon2_koalabear_matches_zisks_function() {
    use zisk_precomp_helpers::POSEIDON2_KOALABEAR;
    const P: u64 = 0x7f00_0001;
    let montgomery = |x: u32| ((u64::from(x) << 32) % P) as u32;
    let input: [u32; 16] = std::array::from_fn(|i| {
        (u32::from_le_bytes(pattern(4, 29 * i as u8).try_into().unwrap()) as u64 % P) as u32
    });
    let mut expected = input;
    POSEIDON2_KOALABEAR.permute(&mut expected);
    let imports = r#"(import "zisk" "poseidon2_koalabear" (func $p (param i32)))"#;
    let data = format!(
        r#"(data (i32.const 1024) "{}")"#,
        wat_bytes(&bytes32(&input.map(montgomery)))
    );
    let output = run(imports, &data, "(call $p (i32.const 1024))", 64).unwrap();
    assert_eq!(output, trimmed(bytes32(&expected.map(montgomery))));
}

/// An element that is not below p (the memory form's lanes are what the instruction reads)
/// traps with "precompile argument out of range", called directly or through a table;
/// ZisK's emulator would stop the run (the instruction has no proof). p - 1 in every lane
/// is taken.
#[test]
fn poseidon2_koalabear_traps_on_an_element_not_below_p() {
    use zisk_precomp_helpers::POSEIDON2_KOALABEAR;
    const P: u32 = 0x7f00_0001;
    let imports = r#"(import "zisk" "poseidon2_koalabear" (func $p (param i32)))"#;
    let table = r#"(type $state (func (param i32)))
  (table 1 funcref)
  (elem (i32.const 0) $p)"#;
    for (lane, value) in [(0, P), (15, u32::MAX), (6, P + 1), (9, 0x8000_0000)] {
        let mut input = [1u32; 16];
        input[lane] = value;
        let data = format!(
            r#"(data (i32.const 1024) "{}") {table}"#,
            wat_bytes(&bytes32(&input))
        );
        for body in [
            "(call $p (i32.const 1024))",
            "(call_indirect (type $state) (i32.const 1024) (i32.const 0))",
        ] {
            assert_eq!(
                run(imports, &data, body, 64),
                Err(WasmTrap::PrecompileArgumentOutOfRange),
                "lane {lane} = {value:#x}: {body}"
            );
        }
    }
    let input = [P - 1; 16];
    let mut expected: Vec<u64> = words64(&bytes32(&input));
    POSEIDON2_KOALABEAR.permute_words(&mut expected).unwrap();
    let data = format!(
        r#"(data (i32.const 1024) "{}") {table}"#,
        wat_bytes(&bytes32(&input))
    );
    for body in [
        "(call $p (i32.const 1024))",
        "(call_indirect (type $state) (i32.const 1024) (i32.const 0))",
    ] {
        assert_eq!(
            run(imports, &data, body, 64),
            Ok(trimmed(bytes64(&expected))),
            "{body}"
        );
    }
}

/// One record of the ecdsa_vectors guest's input and the line it must print.
struct EcdsaVector {
    prehash: [u8; 32],
    r: [u8; 32],
    s: [u8; 32],
    odd_y: bool,
    key: [u8; 64],
    recovered: Option<[u8; 64]>,
    verifies: bool,
}

fn uncompressed(key: &k256::ecdsa::VerifyingKey) -> [u8; 64] {
    key.to_encoded_point(false).as_bytes()[1..]
        .try_into()
        .unwrap()
}

/// Vectors made with k256: valid signatures (low and high s), the other parity, a key that
/// did not sign, and out-of-range or off-curve r and s.
fn ecdsa_vectors() -> Vec<EcdsaVector> {
    use k256::ecdsa::{RecoveryId, Signature, SigningKey, VerifyingKey};
    use num_bigint::BigUint;
    let order: [u8; 32] =
        hex::decode("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
            .unwrap()
            .try_into()
            .unwrap();
    let mut vectors = Vec::new();
    let mut previous_key = [0u8; 64];
    for i in 1..=8u8 {
        let signer = SigningKey::from_slice(&pattern(32, i)).unwrap();
        let key = uncompressed(signer.verifying_key());
        let prehash: [u8; 32] = pattern(32, 100 + i).try_into().unwrap();
        let (signature, recid) = signer.sign_prehash_recoverable(&prehash).unwrap();
        let r: [u8; 32] = signature.r().to_bytes().into();
        let s: [u8; 32] = signature.s().to_bytes().into();
        let odd_y = recid.is_y_odd();
        let valid = |odd_y, s, recovered, verifies| EcdsaVector {
            prehash,
            r,
            s,
            odd_y,
            key,
            recovered,
            verifies,
        };
        vectors.push(valid(odd_y, s, Some(key), true));
        // The other parity recovers another key (k256 says which); ECDSA verification does
        // not see the parity, so the signature is valid for that key too.
        let other = VerifyingKey::recover_from_prehash(
            &prehash,
            &signature,
            RecoveryId::new(!odd_y, false),
        )
        .map(|k| uncompressed(&k))
        .unwrap();
        assert_ne!(other, key);
        vectors.push(EcdsaVector {
            key: other,
            ..valid(!odd_y, s, Some(other), true)
        });
        // (r, n - s) with the other parity is the same signature's twin: same key, and valid.
        let high_s = BigUint::from_bytes_be(&order) - BigUint::from_bytes_be(&s);
        let mut high_s_bytes = [0u8; 32];
        let be = high_s.to_bytes_be();
        high_s_bytes[32 - be.len()..].copy_from_slice(&be);
        vectors.push(valid(!odd_y, high_s_bytes, Some(key), true));
        // A key that did not sign.
        if i > 1 {
            vectors.push(EcdsaVector {
                key: previous_key,
                ..valid(odd_y, s, Some(key), false)
            });
        }
        previous_key = key;
        if i == 1 {
            // r = 0, s = 0, r = n, s = n: out of range.
            for (r, s) in [([0u8; 32], s), (r, [0u8; 32]), (order, s), (r, order)] {
                vectors.push(EcdsaVector {
                    r,
                    s,
                    ..valid(odd_y, s, None, false)
                });
            }
            // An r that is no curve point's x (x³ + 7 is not a square mod p); k256 agrees.
            let mut off_curve = r;
            loop {
                off_curve[31] = off_curve[31].wrapping_add(1);
                let candidate = Signature::from_scalars(off_curve, s).unwrap();
                if VerifyingKey::recover_from_prehash(
                    &prehash,
                    &candidate,
                    RecoveryId::new(false, false),
                )
                .is_err()
                {
                    break;
                }
            }
            vectors.push(EcdsaVector {
                r: off_curve,
                ..valid(false, s, None, false)
            });
        }
    }
    vectors
}

/// zisk-guest's secp256k1_recover and secp256k1_verify (on the curve and arith256_mod
/// precompiles) agree with k256 on every vector, through the direct backend.
#[test]
fn zisk_guest_ecdsa_matches_k256() {
    let vectors = ecdsa_vectors();
    let mut input = Vec::new();
    let mut expected = String::new();
    for v in &vectors {
        input.extend_from_slice(&v.prehash);
        input.extend_from_slice(&v.r);
        input.extend_from_slice(&v.s);
        input.push(v.odd_y as u8);
        input.extend_from_slice(&v.key);
        expected += &match v.recovered {
            Some(key) => hex::encode(key),
            None => "none".into(),
        };
        expected += &format!(" {}\n", v.verifies as u8);
    }
    assert_eq!(
        report_of("ecdsa_vectors", &input)["console"]
            .as_str()
            .unwrap(),
        expected
    );
}

/// zisk-guest's Keccak256 and Sha256 (one pass and streamed in two parts) agree with sha3
/// and sha2 on every length from 0 to 300 bytes: every padding case, one to three blocks.
#[test]
fn zisk_guest_hashers_match_sha3_and_sha2() {
    use sha2::Digest;
    let input = pattern(300, 41);
    let mut expected = String::new();
    for len in 0..=input.len() {
        let data = &input[..len];
        let keccak = hex::encode(sha3::Keccak256::digest(data));
        let sha = hex::encode(sha2::Sha256::digest(data));
        expected += &format!("{keccak} {keccak} {sha} {sha}\n");
    }
    let report = report_of("hash_vectors", &input);
    assert_eq!(report["console"].as_str().unwrap(), expected);
    // zisk-guest's read_input and set_output: the Keccak-256 of the input it read.
    let output = hex::decode(report["output_hex"].as_str().unwrap()).unwrap();
    assert_eq!(output[..32], sha3::Keccak256::digest(&input)[..]);
}

/// The `czisk run --json` report of test guest `name` (guests/out/wasm) run on the direct
/// backend with `input`.
fn report_of(name: &str, input: &[u8]) -> serde_json::Value {
    let guest = std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join(format!("../../guests/out/wasm/{name}.wasm"));
    assert!(
        guest.exists(),
        "{}: run scripts/build-guests.sh",
        guest.display()
    );
    let input_file = std::env::temp_dir().join(format!("czisk-{name}-{}.bin", std::process::id()));
    std::fs::write(&input_file, input).unwrap();
    // Through the czisk binary: the console is the emulator's stdout, which only a child
    // process can capture under the test harness.
    let output = std::process::Command::new(env!("CARGO_BIN_EXE_czisk"))
        .args(["run", "--json", "--backend", "zisk", "--input"])
        .arg(&input_file)
        .arg(&guest)
        .output()
        .unwrap();
    std::fs::remove_file(&input_file).unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).unwrap()
}
