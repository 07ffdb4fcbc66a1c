//! A ROM as ZisK assembly text (`.zisk`, syntax of zisk-asm's `ziskasm.md`).
//!
//! The listing is for people: every instruction in address order in the assembly syntax
//! (zisk-core's `ZiskInst::to_zisk_asm`), a label at each address a symbol names (a wasm
//! function, a runtime routine) and a comment with the address. Jump offsets stay
//! pc-relative numbers, as the syntax allows. Data sections are summarized, not dumped.
//! ROMs carry their own BIOS below `ROM_ADDR`, which the assembler would synthesize
//! itself, so the listing documents a ROM rather than being re-assembled as is.

use std::collections::BTreeMap;
use std::fmt::Write;

use zisk_core::{ZiskRom, ROM_ADDR};

/// Renders `rom`; `symbols` maps instruction addresses to names shown as labels.
pub fn rom_to_asm(rom: &ZiskRom, title: &str, symbols: &BTreeMap<u64, String>) -> String {
    let mut text = String::new();
    let _ = writeln!(text, "; {title}");
    let _ = writeln!(text, "; {} instructions", rom.insts.len());
    for (kind, sections) in [
        ("read-only", &rom.ro_data_64),
        ("read-write", &rom.rw_data_64),
    ] {
        for section in sections {
            let _ = writeln!(
                text,
                "; {kind} data at {:#010x}: {} bytes",
                section.addr,
                section.data.len() * 8
            );
        }
    }
    let mut region = None;
    for (&pc, builder) in &rom.insts {
        let here = if pc >= ROM_ADDR {
            "program (from ROM_ADDR)"
        } else {
            "BIOS (below ROM_ADDR)"
        };
        if region != Some(here) {
            region = Some(here);
            let _ = writeln!(text, "\n; {here}");
        }
        if let Some(name) = symbols.get(&pc) {
            let _ = writeln!(text, "\n{}:", label(name));
        }
        let inst = &builder.i;
        let mut line = inst.to_zisk_asm();
        if inst.store_pc {
            // `to_zisk_asm` has no syntax for storing the return address; the assembler
            // writes such an instruction as the `call` pseudo-instruction.
            line += " ; stores pc + j2 (call)";
        }
        let _ = writeln!(text, "\t{line:<60} ; {pc:#010x}");
    }
    text
}

/// A symbol as an assembly label: identifiers start with a letter and hold
/// letters, digits and underscores.
fn label(name: &str) -> String {
    let mut label: String = name
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    if !label.starts_with(|c: char| c.is_ascii_alphabetic()) {
        label.insert_str(0, "f_");
    }
    label
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_identifiers() {
        assert_eq!(label("wasm::fib"), "wasm__fib");
        assert_eq!(label("0start"), "f_0start");
    }
}
