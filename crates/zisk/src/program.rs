//! Guest programs and inputs in the formats ZisK's own tools use.

use thiserror::Error;
use zisk_core::{ZiskRom, MAX_INPUT_SIZE};

/// Largest guest input (stdin) that fits the ZisK input region: the region less its first
/// word (the free input), the length word, and the alignment padding.
pub const MAX_GUEST_INPUT: usize = (MAX_INPUT_SIZE - 24) as usize;

#[derive(Debug, Error)]
pub enum InputError {
    #[error("input is {len} bytes; the ZisK input region holds at most {MAX_GUEST_INPUT}")]
    TooLarge { len: usize },
}

/// Lays out a guest's input the way the emulator's input region expects it: an 8-byte
/// little-endian length, the bytes, zero padding to a multiple of 8. This is the layout
/// both ZisK's wasm transpiler (`fd_read` on stdin) and `ziskos` read.
pub fn frame_input(input: &[u8]) -> Result<Vec<u8>, InputError> {
    if input.len() > MAX_GUEST_INPUT {
        return Err(InputError::TooLarge { len: input.len() });
    }
    let mut framed = Vec::with_capacity(8 + input.len() + 7);
    framed.extend_from_slice(&(input.len() as u64).to_le_bytes());
    framed.extend_from_slice(input);
    framed.resize(framed.len().next_multiple_of(8), 0);
    Ok(framed)
}

/// Loads a program exactly as `ziskemu -e` and `cargo-zisk` do (`program2rom`): a RISC-V
/// ELF, a ziskbin ELF or a WebAssembly module (through ZisK's own wasm transpiler).
/// Returns the ROM and what the loader printed (it reports warnings about an ELF on stdout,
/// which is kept clear for the guest's console).
pub fn load_program(bytes: &[u8]) -> Result<(ZiskRom, String), String> {
    let load = || {
        crate::contain_panics(|| {
            zisk_transpiler_common::program2rom(bytes).map_err(|e| e.to_string())
        })
        .unwrap_or_else(|panic| Err(format!("ZisK's loader failed: {panic}")))
    };
    let (rom, messages) = crate::console::captured_stdout(load)
        .map_err(|e| format!("capturing the loader's messages: {e}"))?;
    Ok((rom?, String::from_utf8_lossy(&messages).into_owned()))
}

/// The ROM as a ziskbin ELF, the container ZisK's loader accepts for prebuilt ROMs.
pub fn rom_to_ziskbin(rom: &ZiskRom) -> Vec<u8> {
    zisk_core::ziskbin::rom_to_elf(rom)
}

/// ZisK's own WebAssembly transpiler (`wasm2zisk`), unchanged.
pub fn wasm2zisk(wasm: &[u8]) -> Result<ZiskRom, String> {
    crate::contain_panics(|| zisk_transpiler_wasm::wasm2rom(wasm).map_err(|e| e.to_string()))
        .unwrap_or_else(|panic| Err(format!("wasm2zisk failed: {panic}")))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_with_length_and_padding() {
        let framed = frame_input(b"abc").unwrap();
        assert_eq!(framed.len(), 16);
        assert_eq!(&framed[..8], &3u64.to_le_bytes());
        assert_eq!(&framed[8..11], b"abc");
        assert!(framed[11..].iter().all(|&b| b == 0));
        assert_eq!(frame_input(b"").unwrap(), 0u64.to_le_bytes().to_vec());
    }
}
