//! Reading the input and writing the public output, on the zisk and riscv backends: the
//! `zisk` namespace's `input_len`, `read_input` (partial reads, reads past the end, a
//! destination outside memory) and `set_output` (words of the public output, an index
//! beyond it), and WASI `fd_read`.

use czisk_frontend::WasmTrap;
use czisk_runtime::TRAP_EXIT_BASE;
use czisk_zisk::{frame_input, run_rom, Failure, RunOptions, ZiskRom};

const MODULE: &str = r#"(module
  (import "zisk" "input_len" (func $input_len (result i64)))
  (import "zisk" "read_input" (func $read_input (param i32 i64 i32) (result i32)))
  (import "zisk" "set_output" (func $set_output (param i32 i32)))
  (memory 1)
  (global $mode (mut i32) (i32.const 0))
  (func (export "_start")
    ;; word 0: the input's length; word 1: bytes 2..6 of the input as read;
    ;; word 2: how many bytes a read of 16 from offset len - 3 got; word 3: that read's
    ;; first byte; word 4: a read from beyond the end.
    (call $set_output (i32.const 0) (i32.wrap_i64 (call $input_len)))
    (drop (call $read_input (i32.const 100) (i64.const 2) (i32.const 4)))
    (call $set_output (i32.const 1) (i32.load (i32.const 100)))
    (call $set_output (i32.const 2)
      (call $read_input (i32.const 200) (i64.sub (call $input_len) (i64.const 3)) (i32.const 16)))
    (call $set_output (i32.const 3) (i32.load8_u (i32.const 200)))
    (call $set_output (i32.const 4) (call $read_input (i32.const 300) (i64.const 1000000) (i32.const 8)))
    ;; The last input byte chooses a failure: 1 a destination past memory, 2 an output
    ;; index past the public output.
    (drop (call $read_input (i32.const 400) (i64.sub (call $input_len) (i64.const 1)) (i32.const 1)))
    (if (i32.eq (i32.load8_u (i32.const 400)) (i32.const 1))
      (then (drop (call $read_input (i32.const 65530) (i64.const 0) (i32.const 8)))))
    (if (i32.eq (i32.load8_u (i32.const 400)) (i32.const 2))
      (then (call $set_output (i32.const 64) (i32.const 7))))))"#;

fn compile(backend: &str) -> ZiskRom {
    let wasm = wat::parse_str(MODULE).unwrap();
    match backend {
        "zisk" => czisk_backend_zisk::compile_wasm(&wasm).unwrap().rom,
        _ => {
            let options = czisk_backend_riscv::RiscvOptions {
                zba_zbb: true,
                ..Default::default()
            };
            czisk_backend_riscv::compile_wasm(&wasm, &options)
                .unwrap()
                .rom
        }
    }
}

fn run(rom: &ZiskRom, input: &[u8]) -> (Vec<u8>, Option<Failure>) {
    let options = RunOptions {
        max_steps: 1_000_000,
        capture_console: false,
        profile_top: 0,
        window: None,
    };
    let execution = run_rom(rom, &frame_input(input).unwrap(), &options).unwrap();
    (execution.output, execution.failure)
}

fn words(output: &[u8]) -> Vec<u32> {
    let mut bytes = output.to_vec();
    bytes.resize(20, 0);
    bytes
        .chunks(4)
        .map(|w| u32::from_le_bytes(w.try_into().unwrap()))
        .collect()
}

#[test]
fn input_and_public_output_imports_work_on_zisk_and_riscv() {
    let input: Vec<u8> = (10u8..30).chain([0]).collect(); // 21 bytes, last byte 0
    for backend in ["zisk", "riscv"] {
        let rom = compile(backend);
        let (output, failure) = run(&rom, &input);
        assert_eq!(failure, None, "{backend}");
        let expected = vec![21, u32::from_le_bytes([12, 13, 14, 15]), 3, 28, 0];
        assert_eq!(words(&output), expected, "{backend}");

        let trap_code = |kind: WasmTrap| {
            TRAP_EXIT_BASE as i64 + WasmTrap::ALL.iter().position(|&t| t == kind).unwrap() as i64
        };
        let mut bad_destination = input.clone();
        *bad_destination.last_mut().unwrap() = 1;
        match run(&rom, &bad_destination).1 {
            Some(Failure::ExitCode { code, .. }) => {
                assert_eq!(code, trap_code(WasmTrap::MemoryOutOfBounds), "{backend}")
            }
            other => panic!("{backend}: expected an out-of-bounds trap, got {other:?}"),
        }
        let mut bad_index = input.clone();
        *bad_index.last_mut().unwrap() = 2;
        match run(&rom, &bad_index).1 {
            Some(Failure::ExitCode { code, .. }) => {
                assert_eq!(code, trap_code(WasmTrap::PublicOutputIndex), "{backend}")
            }
            other => panic!("{backend}: expected the output-index trap, got {other:?}"),
        }
    }
}

/// WASI `fd_read` (which copies each buffer's share in one go): buffers fill in order, a
/// short one ends the read, and the next read reports the end of the input.
const FD_READ: &str = r#"(module
  (import "wasi_snapshot_preview1" "fd_read" (func $fd_read (param i32 i32 i32 i32) (result i32)))
  (import "zisk" "set_output" (func $set_output (param i32 i32)))
  (memory 1)
  (func (export "_start")
    ;; iovecs at 0: (100, 4), (200, 0), (300, 10); nread at 50
    (i32.store (i32.const 0) (i32.const 100)) (i32.store (i32.const 4) (i32.const 4))
    (i32.store (i32.const 8) (i32.const 200)) (i32.store (i32.const 12) (i32.const 0))
    (i32.store (i32.const 16) (i32.const 300)) (i32.store (i32.const 20) (i32.const 10))
    (call $set_output (i32.const 0) (call $fd_read (i32.const 0) (i32.const 0) (i32.const 3) (i32.const 50)))
    (call $set_output (i32.const 1) (i32.load (i32.const 50)))
    (call $set_output (i32.const 2) (i32.load (i32.const 100)))
    (call $set_output (i32.const 3) (i32.load (i32.const 300)))
    (drop (call $fd_read (i32.const 0) (i32.const 0) (i32.const 3) (i32.const 50)))
    (call $set_output (i32.const 4) (i32.load (i32.const 50)))))"#;

#[test]
fn wasi_fd_read_fills_buffers_in_order_then_reports_the_end() {
    let wasm = wat::parse_str(FD_READ).unwrap();
    let options = czisk_backend_riscv::RiscvOptions {
        zba_zbb: true,
        ..Default::default()
    };
    let roms = [
        ("zisk", czisk_backend_zisk::compile_wasm(&wasm).unwrap().rom),
        (
            "riscv",
            czisk_backend_riscv::compile_wasm(&wasm, &options)
                .unwrap()
                .rom,
        ),
    ];
    for (backend, rom) in roms {
        let (output, failure) = run(&rom, b"abcdefg");
        assert_eq!(failure, None, "{backend}");
        let expected = vec![
            0,
            7,
            u32::from_le_bytes(*b"abcd"),
            u32::from_le_bytes(*b"efg\0"),
            0,
        ];
        assert_eq!(words(&output), expected, "{backend}");
    }
}
