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

use std::fs::File;
use std::io::{Read, Write};
use std::os::fd::{FromRawFd, OwnedFd};
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

/// Where a live console's bytes go: this process's own stdout and stderr (fd 1 is the
/// emulator's pipe while it runs).
pub struct LiveConsole<'a> {
    pub stdout: &'a mut File,
    pub stderr: &'a mut File,
}

/// Runs `f` with the emulator's stderr silenced and the bytes the guest stores to the UART
/// handed to `sink` as they come (from a reader thread, through a pipe on fd 1); returns
/// them all as well.
pub(crate) fn with_live_console<T>(
    sink: &mut (dyn FnMut(&[u8], &mut LiveConsole) + Send),
    f: impl FnOnce() -> T,
) -> std::io::Result<(T, Vec<u8>)> {
    let _guard = lock();
    std::io::stdout().flush()?;
    std::io::stderr().flush()?;
    let mut stdout = File::from(dup(1)?);
    let mut stderr = File::from(dup(2)?);
    let (read_end, write_end) = pipe()?;
    let _silenced = gag::Gag::stderr()?;
    let saved = dup(1)?;
    redirect(&write_end, 1)?;
    drop(write_end);
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || {
            let mut pipe = File::from(read_end);
            let mut decoder = UartDecoder::default();
            let mut all = Vec::new();
            let mut buffer = vec![0u8; 1 << 16];
            loop {
                let n = match pipe.read(&mut buffer) {
                    Ok(0) | Err(_) => break,
                    Ok(n) => n,
                };
                let bytes = decoder.feed(&buffer[..n]);
                sink(
                    &bytes,
                    &mut LiveConsole {
                        stdout: &mut stdout,
                        stderr: &mut stderr,
                    },
                );
                all.extend_from_slice(&bytes);
            }
            if let Some(lead) = decoder.finish() {
                sink(
                    &[lead],
                    &mut LiveConsole {
                        stdout: &mut stdout,
                        stderr: &mut stderr,
                    },
                );
                all.push(lead);
            }
            all
        });
        let result = f();
        let flushed = std::io::stdout().flush();
        // Restoring fd 1 closes the pipe's last write end: the reader sees its end.
        let restored = redirect(&saved, 1);
        let all = reader.join().expect("the console reader does not panic");
        flushed?;
        restored?;
        Ok((result, all))
    })
}

fn dup(fd: i32) -> std::io::Result<OwnedFd> {
    // SAFETY: dup returns a new descriptor we own, or -1.
    let new = unsafe { libc::dup(fd) };
    if new < 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `new` is a fresh descriptor nothing else owns.
    Ok(unsafe { OwnedFd::from_raw_fd(new) })
}

fn pipe() -> std::io::Result<(OwnedFd, OwnedFd)> {
    let mut fds = [0i32; 2];
    // SAFETY: pipe writes two descriptors into the array, or fails.
    if unsafe { libc::pipe(fds.as_mut_ptr()) } != 0 {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: both are fresh descriptors nothing else owns.
    Ok(unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) })
}

/// Makes `target` a copy of `fd`.
fn redirect(fd: &OwnedFd, target: i32) -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    // SAFETY: dup2 on two valid descriptors.
    if unsafe { libc::dup2(fd.as_raw_fd(), target) } < 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(())
}

/// UART bytes back from ziskemu's printing, cut anywhere: a UART byte of 0x80 or more arrives as the two
/// bytes of its UTF-8 encoding (lead 0xc2 or 0xc3), which a read may split.
#[derive(Default)]
struct UartDecoder {
    lead: Option<u8>,
}

impl UartDecoder {
    fn feed(&mut self, printed: &[u8]) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(printed.len());
        for &b in printed {
            match self.lead.take() {
                Some(lead) if b & 0xc0 == 0x80 => bytes.push(((lead & 0x1f) << 6) | (b & 0x3f)),
                Some(lead) => {
                    bytes.push(lead);
                    self.push(b, &mut bytes);
                }
                None => self.push(b, &mut bytes),
            }
        }
        bytes
    }

    /// A lead byte left at the end (not from the UART, which always sends both) as it is.
    fn finish(&mut self) -> Option<u8> {
        self.lead.take()
    }

    fn push(&mut self, b: u8, bytes: &mut Vec<u8>) {
        if b == 0xc2 || b == 0xc3 {
            self.lead = Some(b);
        } else {
            bytes.push(b);
        }
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
    let mut decoder = UartDecoder::default();
    let mut bytes = decoder.feed(&printed);
    bytes.extend(decoder.finish());
    bytes
}

#[cfg(test)]
mod tests {
    #[test]
    fn uart_bytes_undo_the_char_printing() {
        let bytes: Vec<u8> = (0..=255).collect();
        let printed: String = bytes.iter().map(|&b| b as char).collect();
        assert_eq!(super::uart_bytes(printed.clone().into_bytes()), bytes);
        // Not from the UART: kept.
        assert_eq!(super::uart_bytes("€".as_bytes().to_vec()), "€".as_bytes());
        assert_eq!(super::uart_bytes(vec![b'a', 0xc3]), [b'a', 0xc3]);
        // Streamed, cut at every point: the same bytes.
        let printed = printed.into_bytes();
        for cut in 0..printed.len() {
            let mut decoder = super::UartDecoder::default();
            let mut got = decoder.feed(&printed[..cut]);
            got.extend(decoder.feed(&printed[cut..]));
            assert_eq!(got, bytes, "cut at {cut}");
        }
    }
}
