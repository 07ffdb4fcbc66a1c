//! Generates the CLIF extractors (`clif_lower.isle`) with cranelift-codegen-meta and compiles
//! them, with our prelude, ZisK instructions (inst.isle), lowering-context terms (context.isle)
//! and lowering rules (lower.isle), into Rust with cranelift-isle.
use std::path::PathBuf;

fn main() {
    let out = PathBuf::from(std::env::var("OUT_DIR").unwrap());
    let generated = out.join("isle");
    std::fs::create_dir_all(&generated).unwrap();
    cranelift_codegen_meta::generate_isle(&generated).expect("generating clif_lower.isle");
    let src = PathBuf::from("src/isle");
    let inputs = [
        src.join("prelude.isle"),
        generated.join("clif_lower.isle"),
        src.join("inst.isle"),
        src.join("context.isle"),
        src.join("lower.isle"),
    ];
    for input in &inputs[..] {
        println!("cargo:rerun-if-changed={}", input.display());
    }
    let options = cranelift_isle::codegen::CodegenOptions {
        exclude_global_allow_pragmas: true,
        ..Default::default()
    };
    match cranelift_isle::compile::from_files(&inputs, &options) {
        Ok(code) => std::fs::write(out.join("isle_lower.rs"), code).unwrap(),
        Err(errors) => panic!("ISLE compilation failed:\n{errors}"),
    }
}
