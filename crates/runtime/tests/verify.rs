//! Every runtime function is well-formed CLIF, and bad imports are refused by name.

use cranelift_codegen::ir::{types, AbiParam, Signature, Type, UserExternalName};
use cranelift_codegen::isa::CallConv;
use cranelift_codegen::settings;
use czisk_runtime::{import_function, RuntimeEnv, RuntimeError};

fn env() -> RuntimeEnv {
    RuntimeEnv {
        call_conv: CallConv::SystemV,
        memory_base: 0xa100_0000,
        memory_size_addr: 0xa043_0000,
        state_addr: 0xa043_0040,
        exit: UserExternalName::new(1, 0),
        putc: UserExternalName::new(1, 1),
        memmove_chunks: true,
    }
}

fn sig(params: &[Type], results: &[Type]) -> Signature {
    let mut s = Signature::new(CallConv::SystemV);
    s.params.extend(params.iter().map(|&t| AbiParam::new(t)));
    s.returns.extend(results.iter().map(|&t| AbiParam::new(t)));
    s
}

#[test]
fn every_wasi_function_verifies() {
    use types::{I32, I64};
    let cases: &[(&str, &[Type], &[Type])] = &[
        ("fd_write", &[I32, I32, I32, I32], &[I32]),
        ("fd_read", &[I32, I32, I32, I32], &[I32]),
        ("poll_oneoff", &[I32, I32, I32, I32], &[I32]),
        ("proc_exit", &[I32], &[]),
        ("args_sizes_get", &[I32, I32], &[I32]),
        ("args_get", &[I32, I32], &[I32]),
        ("environ_sizes_get", &[I32, I32], &[I32]),
        ("environ_get", &[I32, I32], &[I32]),
        ("random_get", &[I32, I32], &[I32]),
        ("fd_fdstat_get", &[I32, I32], &[I32]),
        ("fd_filestat_get", &[I32, I32], &[I32]),
        ("fd_prestat_get", &[I32, I32], &[I32]),
        ("fd_prestat_dir_name", &[I32, I32, I32], &[I32]),
        ("clock_time_get", &[I32, I64, I32], &[I32]),
        ("fd_seek", &[I32, I64, I32, I32], &[I32]),
        ("fd_close", &[I32], &[I32]),
        ("sched_yield", &[], &[I32]),
        ("fd_tell", &[I32, I32], &[I32]),
        ("fd_fdstat_set_flags", &[I32, I32], &[I32]),
        ("fd_pread", &[I32, I32, I32, I64, I32], &[I32]),
        ("fd_readdir", &[I32, I32, I32, I64, I32], &[I32]),
        ("path_filestat_get", &[I32, I32, I32, I32, I32], &[I32]),
        // Outside the implemented set: links, answers ENOSYS.
        ("sock_accept", &[I32, I32, I32], &[I32]),
        (
            "path_open",
            &[I32, I32, I32, I32, I32, I64, I64, I32, I32],
            &[I32],
        ),
    ];
    let flags = settings::Flags::new(settings::builder());
    for (i, (field, params, results)) in cases.iter().enumerate() {
        let f = import_function(
            "wasi_snapshot_preview1",
            field,
            &sig(params, results),
            UserExternalName::new(0, i as u32),
            &env(),
        )
        .unwrap_or_else(|e| panic!("{field}: {e}"));
        cranelift_codegen::verify_function(&f, &flags)
            .unwrap_or_else(|e| panic!("{field} does not verify:\n{e}\n{}", f.display()));
    }
}

#[test]
fn bench_start_and_end_verify_and_nothing_else_is_in_bench() {
    let flags = settings::Flags::new(settings::builder());
    for field in ["start", "end"] {
        let f = import_function(
            "bench",
            field,
            &sig(&[], &[]),
            UserExternalName::new(0, 0),
            &env(),
        )
        .unwrap();
        cranelift_codegen::verify_function(&f, &flags).unwrap();
    }
    let err = import_function(
        "bench",
        "lap",
        &sig(&[], &[]),
        UserExternalName::new(0, 0),
        &env(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("start, end"), "{err}");
    let err = import_function(
        "bench",
        "start",
        &sig(&[types::I32], &[]),
        UserExternalName::new(0, 0),
        &env(),
    )
    .unwrap_err();
    assert!(matches!(err, RuntimeError::Signature { .. }), "{err}");
}

#[test]
fn a_wrong_signature_names_the_import() {
    let err = import_function(
        "wasi_snapshot_preview1",
        "fd_write",
        &sig(&[types::I32], &[types::I32]),
        UserExternalName::new(0, 0),
        &env(),
    )
    .unwrap_err();
    assert!(
        matches!(&err, RuntimeError::Signature { field, .. } if field == "fd_write"),
        "{err}"
    );
    // An unknown WASI function must still return an errno.
    let err = import_function(
        "wasi_snapshot_preview1",
        "path_open",
        &sig(&[types::I32], &[]),
        UserExternalName::new(0, 0),
        &env(),
    )
    .unwrap_err();
    assert!(err.to_string().contains("path_open"), "{err}");
}

#[test]
fn an_unknown_module_is_refused_by_name() {
    let err = import_function(
        "env",
        "memcpy",
        &sig(&[], &[]),
        UserExternalName::new(0, 0),
        &env(),
    )
    .unwrap_err();
    assert_eq!(
        err,
        RuntimeError::UnknownModule {
            module: "env".into(),
            field: "memcpy".into()
        }
    );
    assert!(err.to_string().contains("'env'"));
}
