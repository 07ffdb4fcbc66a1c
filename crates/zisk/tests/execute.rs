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
