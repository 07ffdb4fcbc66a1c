//! `czisk build` encodes the program's instructions itself as it links
//! (`czisk_backend_zisk::ziskbin`); on real programs that is byte for byte zisk-core's own
//! encoding of the same ROM (`ZiskInstBuilder`, then `rom_to_elf`).

use std::path::Path;

use czisk_backend_zisk::link::LinkOutput;
use czisk_backend_zisk::{compile_wasm_with, CompileOptions};

fn compile(wasm: &[u8], output: LinkOutput) -> czisk_backend_zisk::ZiskProgram {
    let options = CompileOptions {
        threads: 2,
        output,
        ..CompileOptions::default()
    };
    compile_wasm_with(wasm, &options).unwrap().0
}

#[test]
fn the_streamed_elf_is_zisk_cores_encoding_of_the_rom() {
    let out = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../guests/out");
    // Rust (with floats and precompiles), C, Go and AssemblyScript: every kind of
    // instruction the backend emits.
    let modules = [
        "wasm/eth_block.wasm",
        "wasm/eth_block_precompile.wasm",
        "wasm/float_ops.wasm",
        "wasm/wasi_files_c.wasm",
        "wasm/wasi_files_go.wasm",
        "wasm/wasi_streams_as.wasm",
        "go/go_json.wasm",
    ];
    for module in modules {
        let path = out.join(module);
        let wasm = std::fs::read(&path).unwrap_or_else(|e| {
            panic!(
                "{}: {e} (scripts/build-guests.sh builds it)",
                path.display()
            )
        });
        let rom = compile(&wasm, LinkOutput::Rom);
        let reference = czisk_zisk::rom_to_ziskbin(&rom.rom);
        let streamed = compile(&wasm, LinkOutput::Elf).elf.expect("an ELF");
        assert!(
            rom.rom.insts.len() > 5_000,
            "{module}: {} instructions",
            rom.rom.insts.len()
        );
        assert!(streamed == reference, "{module}: the streamed ELF differs");
    }
}
