//! Output for the guests, identical on every path, and their input.
//!
//! Under `wasm32-wasip1` a guest prints with std (`fd_write` on stdout). Natively on ZisK
//! (`riscv64` bare metal) the same `println!` writes each byte to the UART console and the
//! first 256 bytes into the public output, exactly as the WASI runtimes do with stdout, so
//! every path commits the same public output for the same program.
#![cfg_attr(target_os = "none", no_std)]

#[cfg(not(target_os = "none"))]
pub use std::{print, println};

#[cfg(target_os = "none")]
pub use native::*;

#[cfg(target_os = "none")]
mod native {
    use core::fmt::{self, Write};

    const UART_ADDR: usize = 0xa040_0200;
    const OUTPUT_ADDR: usize = 0xa041_0000;
    /// What the WASI runtimes mirror of stdout into the public output.
    const PUBLIC_OUTPUT_BYTES: usize = 256;

    static mut PUBLISHED: usize = 0;

    pub struct Stdout;

    impl Write for Stdout {
        fn write_str(&mut self, s: &str) -> fmt::Result {
            for &byte in s.as_bytes() {
                // SAFETY: fixed ZisK addresses (zisk-core mem.rs); single-threaded guest.
                unsafe {
                    core::ptr::write_volatile(UART_ADDR as *mut u8, byte);
                    if PUBLISHED < PUBLIC_OUTPUT_BYTES {
                        core::ptr::write_volatile((OUTPUT_ADDR + PUBLISHED) as *mut u8, byte);
                        PUBLISHED += 1;
                    }
                }
            }
            Ok(())
        }
    }

    #[doc(hidden)]
    pub fn _print(args: fmt::Arguments) {
        let _ = Stdout.write_fmt(args);
    }

    #[macro_export]
    macro_rules! print {
        ($($arg:tt)*) => {{
            $crate::_print(format_args!($($arg)*));
        }};
    }

    #[macro_export]
    macro_rules! println {
        ($($arg:tt)*) => {{
            $crate::_print(format_args!($($arg)*));
            $crate::_print(format_args!("\n"));
        }};
    }

    /// A panic prints its message and ends the run with a non-zero exit code.
    #[panic_handler]
    fn panic(info: &core::panic::PanicInfo) -> ! {
        let _ = writeln!(Stdout, "guest panicked: {info}");
        // SAFETY: ZisK's exit system call (a7 = 93, code in a0) does not return.
        unsafe { core::arch::asm!("li a7, 93", "li a0, 101", "ecall", options(noreturn)) }
    }
}

#[cfg(target_family = "wasm")]
mod bump_heap;

/// The guest's input: stdin under WASI (read to the end), the ZisK input natively.
#[cfg(not(target_os = "none"))]
pub fn input() -> std::vec::Vec<u8> {
    use std::io::Read;
    let mut bytes = std::vec::Vec::new();
    std::io::stdin()
        .read_to_end(&mut bytes)
        .expect("reading the input from stdin");
    bytes
}

/// The guest's input: stdin under WASI (read to the end), the ZisK input natively.
#[cfg(target_os = "none")]
pub fn input() -> &'static [u8] {
    ziskos::io::read_slice()
}

/// Applies `hash` `n` times to its own 32-byte output, starting from zeros, and prints
/// `n:<n> <the last output>`, the line the iterated-hash guests print.
pub fn print_hash_chain(n: u64, hash: impl Fn(&[u8; 32]) -> [u8; 32]) {
    let mut state = [0u8; 32];
    for _ in 0..n {
        state = hash(&state);
    }
    println!("n:{} {:?}", n, state);
}
