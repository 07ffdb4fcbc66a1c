//! The emulator's standard streams.
//!
//! ziskemu prints every byte the guest stores to the UART address straight to the
//! process's standard output (`print!` inside `zisk_core::Mem::write`), and reports a
//! failed run on standard error (`eprintln!` in `Emu::run`); there is no hook for either.
//! While the emulator runs we silence fd 2 (failures are returned as values instead) and,
//! to hand the console back to the caller, redirect fd 1 to a temporary file. Redirection
//! is process-wide, so runs are serialized by a mutex.
//!
//! Note: under libtest's in-process output capture (`cargo test` without `--nocapture`)
//! `print!` never reaches fd 1, so a capture made there comes back empty. Tests that
//! check a console go through the `czisk` binary, as a user does.

use std::io::{Read, Write};
use std::sync::Mutex;

static STREAM_REDIRECT: Mutex<()> = Mutex::new(());

/// Runs `f` with the emulator's stderr chatter silenced; with `capture`, also returns every
/// byte the guest wrote to the UART meanwhile (otherwise ziskemu's stdout streams as usual).
pub(crate) fn with_emulator_streams<T>(
    capture: bool,
    f: impl FnOnce() -> T,
) -> std::io::Result<(T, Vec<u8>)> {
    let _guard = lock();
    std::io::stderr().flush()?;
    let _silenced = gag::Gag::stderr()?;
    if capture {
        let (result, printed) = capture_stdout(f)?;
        Ok((result, uart_bytes(printed)))
    } else {
        Ok((f(), Vec::new()))
    }
}

/// Runs `f` and returns what it printed on stdout instead of printing it.
pub(crate) fn captured_stdout<T>(f: impl FnOnce() -> T) -> std::io::Result<(T, Vec<u8>)> {
    let _guard = lock();
    capture_stdout(f)
}

fn lock() -> std::sync::MutexGuard<'static, ()> {
    STREAM_REDIRECT
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Runs `f` with fd 1 redirected to a temporary file; returns what was written.
fn capture_stdout<T>(f: impl FnOnce() -> T) -> std::io::Result<(T, Vec<u8>)> {
    std::io::stdout().flush()?;
    let mut redirect = gag::BufferRedirect::stdout()?;
    let result = f();
    std::io::stdout().flush()?;
    let mut bytes = Vec::new();
    redirect.read_to_end(&mut bytes)?;
    Ok((result, bytes))
}

/// The bytes the guest stored to the UART, from what ziskemu printed: it prints each byte
/// as the char of that code point (`print!("{}", byte as char)`), so a byte >= 0x80 arrives
/// UTF-8 encoded. Anything else in the capture (no char above U+00FF can come from the
/// UART) is kept as it is.
pub(crate) fn uart_bytes(printed: Vec<u8>) -> Vec<u8> {
    match String::from_utf8(printed) {
        Ok(text) if text.chars().all(|c| (c as u32) < 0x100) => {
            text.chars().map(|c| c as u32 as u8).collect()
        }
        Ok(text) => text.into_bytes(),
        Err(e) => e.into_bytes(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn uart_bytes_undo_the_char_printing() {
        let bytes: Vec<u8> = (0..=255).collect();
        let printed: String = bytes.iter().map(|&b| b as char).collect();
        assert_eq!(super::uart_bytes(printed.into_bytes()), bytes);
        // Not from the UART: kept.
        assert_eq!(super::uart_bytes("€".as_bytes().to_vec()), "€".as_bytes());
    }
}
