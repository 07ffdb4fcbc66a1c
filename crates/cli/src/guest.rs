//! Reading guest programs and inputs from disk, with one clear error for each bad case.

use std::path::Path;

use anyhow::{bail, Context, Result};

/// What a guest file holds, from its magic bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GuestFormat {
    /// A WebAssembly module: compiled by the chosen backend.
    Wasm,
    /// A RISC-V ELF or a ziskbin ELF: loaded as ZisK's own tools load it.
    Elf,
}

pub struct Guest {
    pub bytes: Vec<u8>,
    pub format: GuestFormat,
}

/// Reads a guest and checks it is a well-formed program of a known format. A wasm module is
/// fully validated here (WebAssembly 2.0 and the standard extensions), so a malformed or
/// truncated module is reported the same way whatever the backend.
pub fn read_guest(path: &Path) -> Result<Guest> {
    let mut bytes =
        std::fs::read(path).with_context(|| format!("cannot read '{}'", path.display()))?;
    let format = if bytes.starts_with(b"\0asm") {
        GuestFormat::Wasm
    } else if bytes.starts_with(b"\x7fELF") {
        GuestFormat::Elf
    } else if bytes.is_empty() {
        bail!("'{}' is empty, not a WebAssembly module", path.display());
    } else if path.extension().is_some_and(|e| e == "wat" || e == "wast") {
        // The WebAssembly text format, for hand-written guests and tests.
        bytes = wat::parse_bytes(&bytes)
            .map_err(|e| {
                anyhow::anyhow!("'{}' is not valid WebAssembly text: {e}", path.display())
            })?
            .into_owned();
        GuestFormat::Wasm
    } else {
        bail!(
            "'{}' is not a WebAssembly module (no \\0asm header) nor an ELF",
            path.display()
        );
    };
    if format == GuestFormat::Wasm {
        // Valid under any proposal wasmparser knows; whether a backend supports what the
        // module uses is the backend's to say.
        wasmparser::Validator::new_with_features(wasmparser::WasmFeatures::all())
            .validate_all(&bytes)
            .map_err(|e| {
                anyhow::anyhow!(
                    "'{}' is not a valid WebAssembly module: {e}",
                    path.display()
                )
            })?;
    }
    Ok(Guest { bytes, format })
}

/// Reads an input file (the guest's stdin), checking it fits the ZisK input region.
pub fn read_stdin(path: Option<&Path>) -> Result<Vec<u8>> {
    let raw = match path {
        Some(path) => {
            let len = std::fs::metadata(path)
                .with_context(|| format!("cannot read input '{}'", path.display()))?
                .len();
            if len > czisk_zisk::program::MAX_GUEST_INPUT as u64 {
                bail!(
                    "input '{}' is {len} bytes; the ZisK input region holds at most {}",
                    path.display(),
                    czisk_zisk::program::MAX_GUEST_INPUT
                );
            }
            std::fs::read(path)
                .with_context(|| format!("cannot read input '{}'", path.display()))?
        }
        None => Vec::new(),
    };
    Ok(raw)
}
