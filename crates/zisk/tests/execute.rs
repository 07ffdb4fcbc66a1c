//! Running hand-written ZisK assembly on the emulator: each way a run can end.

use czisk_zisk::{frame_input, run_rom, Failure, RunOptions, ZiskRom};

fn assemble(source: &str) -> ZiskRom {
    let program = ziskasm::parser::parse_program(source, "test.zisk").expect("parses");
    ziskasm::assemble(&program).expect("assembles")
}

fn run(source: &str, options: &RunOptions) -> czisk_zisk::Execution {
    run_rom(&assemble(source), &frame_input(b"").unwrap(), options).expect("runs")
}

const NO_CAPTURE: RunOptions = RunOptions {
    max_steps: 1_000_000,
    capture_console: false,
    profile_top: 0,
    window: None,
};

#[test]
fn a_normal_end_reports_output_steps_and_opcode_costs() {
    let execution = run(
        "main:\n\
         \tcopyb(0, 7) -> r5\n\
         \tadd(r5, 35) -> r6\n\
         \tcopyb(0, r6) -> [0xa0410000]\n\
         \tret\n",
        &NO_CAPTURE,
    );
    execution.check().unwrap();
    assert_eq!(
        execution.output,
        vec![42],
        "the public output holds what the guest stored"
    );
    assert!(execution.steps >= 4);
    assert_eq!(execution.cost.steps, execution.steps);
    assert_eq!(execution.cost.main, execution.steps * 62);
    let add = execution
        .cost
        .per_opcode
        .iter()
        .find(|op| op.opcode == "add")
        .expect("add counted");
    assert!(add.count >= 1);
}

#[test]
fn an_access_to_unmapped_memory_is_a_memory_fault_not_a_panic() {
    let execution = run(
        "main:\n\tcopyb(0, [0x9c000000]) -> r5\n\tret\n",
        &NO_CAPTURE,
    );
    match execution.failure {
        Some(Failure::MemoryFault {
            step,
            pc,
            ref message,
        }) => {
            assert!(step > 0);
            assert!(
                pc >= zisk_core::ROM_ADDR,
                "pc {pc:#x} is the faulting program instruction"
            );
            assert!(message.contains("9c000000"), "{message}");
        }
        ref other => panic!("expected a memory fault, got {other:?}"),
    }
}

#[test]
fn an_endless_loop_stops_at_the_step_limit() {
    let options = RunOptions {
        max_steps: 5_000,
        capture_console: false,
        profile_top: 0,
        window: None,
    };
    let execution = run("main:\n\tflag(0, 0), j(0, 0)\n", &options);
    assert!(
        matches!(
            execution.failure,
            Some(Failure::StepLimit {
                max_steps: 5_000,
                ..
            })
        ),
        "{:?}",
        execution.failure
    );
    assert_eq!(execution.steps, 5_000);
}

/// A loop storing to RAM and the UART, for the measurement-window tests.
const LOOP: &str = "main:\n\
     \tcopyb(0, 0) -> r5\n\
     \tadd(r5, 1) -> r5\n\
     \tcopyb(0, r5) -> [0xa0100000]\n\
     \tltu(r5, 300), j(-8)\n\
     \tcopyb(0, 65) -> [0xa0400200]\n\
     \tret\n";

#[test]
fn stepping_the_emulator_ourselves_gives_emu_runs_figures() {
    let rom = assemble(LOOP);
    let input = frame_input(b"").unwrap();
    let by_run = run_rom(&rom, &input, &NO_CAPTURE).unwrap();
    // A window whose ends are never reached: our own loop, no window.
    let stepped = RunOptions {
        window: Some((u64::MAX, u64::MAX - 1)),
        ..NO_CAPTURE
    };
    let by_steps = run_rom(&rom, &input, &stepped).unwrap();
    by_run.check().unwrap();
    by_steps.check().unwrap();
    assert!(by_steps.window.is_none());
    assert_eq!(by_run.steps, by_steps.steps);
    assert_eq!(by_run.cost.total, by_steps.cost.total);
    assert_eq!(by_run.cost.memory, by_steps.cost.memory);
    assert_eq!(by_run.cost.per_opcode, by_steps.cost.per_opcode);
    assert_eq!(by_run.cost.memory_by_width, by_steps.cost.memory_by_width);
    assert_eq!(by_run.output, by_steps.output);
}

#[test]
fn a_window_measures_from_its_first_end_to_its_second() {
    let rom = assemble(LOOP);
    let input = frame_input(b"").unwrap();
    // The ROM's instruction addresses in order: the window from the loop's first
    // instruction (its add) to the UART store after its three instructions.
    let pcs: Vec<u64> = rom.insts.keys().copied().collect();
    let full = run_rom(&rom, &input, &NO_CAPTURE).unwrap();
    let op = |k: usize| pcs.get(k).map(|pc| rom.insts[pc].i.op_str);
    let k = (0..pcs.len())
        .find(|&k| op(k) == Some("add") && op(k + 2) == Some("ltu"))
        .expect("the loop");
    let (loop_pc, after) = (pcs[k], pcs[k + 3]);
    let options = RunOptions {
        window: Some((loop_pc, after)),
        ..NO_CAPTURE
    };
    let measured = run_rom(&rom, &input, &options).unwrap();
    let window = measured.window.expect("both ends reached");
    // 300 iterations of three instructions.
    assert_eq!(window.steps, 900);
    assert_eq!(window.main, 900 * 62);
    assert!(window.total > window.main && window.total < full.cost.total);
    assert_eq!(measured.steps, full.steps);
}
