//! Reading guest programs and inputs from disk, with one clear error for each bad case.

use std::path::Path;

use crate::Error;

/// What a guest file holds, from its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum GuestFormat {
    /// A WebAssembly module: compiled by the chosen backend.
    Wasm,
    /// A RISC-V ELF or a ziskbin ELF: loaded as ZisK's own tools load it.
    Elf,
}

pub(crate) struct Guest {
    pub bytes: Vec<u8>,
    pub format: GuestFormat,
}

/// Validates a module under any proposal wasmparser knows; whether a backend supports what
/// the module uses is the backend's to say.
pub(crate) fn validate(wasm: &[u8]) -> Result<(), wasmparser::BinaryReaderError> {
    wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
        .validate_all(wasm)
        .map(|_| ())
}

/// Reads a guest and tells its format (WebAssembly text is converted to a binary module).
/// A wasm module is validated where it is compiled (`backend::compile_checked`).
pub(crate) fn read_guest(path: &Path) -> Result<Guest, Error> {
    let mut bytes = std::fs::read(path).map_err(|e| Error::io("read", path, e))?;
    let format = if bytes.starts_with(b"\0asm") {
        GuestFormat::Wasm
    } else if bytes.starts_with(b"\x7fELF") {
        GuestFormat::Elf
    } else if bytes.is_empty() {
        return Err(Error::BadWasm(format!(
            "'{}' is empty, not a WebAssembly module",
            path.display()
        )));
    } else if path.extension().is_some_and(|e| e == "wat" || e == "wast") {
        bytes = parse_text(path, &bytes)?;
        GuestFormat::Wasm
    } else {
        return Err(Error::BadWasm(format!(
            "'{}' is not a WebAssembly module (no \\0asm header) nor an ELF",
            path.display()
        )));
    };
    Ok(Guest { bytes, format })
}

/// The WebAssembly text format, for hand-written guests (feature `wat`).
#[cfg(feature = "wat")]
fn parse_text(path: &Path, text: &[u8]) -> Result<Vec<u8>, Error> {
    wat::parse_bytes(text)
        .map(|wasm| wasm.into_owned())
        .map_err(|e| {
            Error::BadWasm(format!(
                "'{}' is not valid WebAssembly text: {e}",
                path.display()
            ))
        })
}

#[cfg(not(feature = "wat"))]
fn parse_text(path: &Path, _text: &[u8]) -> Result<Vec<u8>, Error> {
    Err(Error::BadWasm(format!(
        "'{}' is WebAssembly text: this czisk reads binary modules (convert it with \
         `wasm-tools parse` or `wat2wasm`, or build czisk with `--features wat`)",
        path.display()
    )))
}

/// Reads an input file (the guest's stdin), checking it fits the ZisK input region.
pub fn read_input(path: &Path) -> Result<Vec<u8>, Error> {
    let len = std::fs::metadata(path)
        .map_err(|e| Error::io("read input", path, e))?
        .len();
    let max = crate::Limits::INPUT_BYTES;
    if len > max as u64 {
        return Err(Error::LimitExceeded(format!(
            "input '{}' is {len} bytes; the ZisK input region holds at most {max}",
            path.display()
        )));
    }
    std::fs::read(path).map_err(|e| Error::io("read input", path, e))
}
