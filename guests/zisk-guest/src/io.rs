//! The guest's input and public output: the `zisk` namespace's `input_len`, `read_input`
//! and `set_output` in wasm (docs/zisk-namespace.md), ziskos's input region and output
//! words natively. Under WASI the input is also stdin; these read it without a cursor.

#[cfg(target_arch = "wasm32")]
mod raw {
    #[link(wasm_import_module = "zisk")]
    extern "C" {
        pub fn input_len() -> u64;
        pub fn read_input(dst: *mut u8, offset: u64, len: u32) -> u32;
        pub fn set_output(index: u32, value: u32);
    }
}

/// The input's length in bytes.
pub fn input_len() -> usize {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: no arguments; the import only reads the input region.
    return unsafe { raw::input_len() } as usize;
    #[cfg(target_os = "none")]
    return ziskos::io::read_slice().len();
}

/// Copies input bytes from `offset` into `dst`, as many as fit or as remain; returns how
/// many (0 once `offset` is at or past the end). On the direct backend one DMA copy.
pub fn read_input(dst: &mut [u8], offset: usize) -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        // A wasm slice is shorter than 4 GiB, so its length is a u32.
        // SAFETY: `dst` is valid for writes of `dst.len()` bytes; the import writes at
        // most that many.
        unsafe { raw::read_input(dst.as_mut_ptr(), offset as u64, dst.len() as u32) as usize }
    }
    #[cfg(target_os = "none")]
    {
        let input = ziskos::io::read_slice();
        let from = offset.min(input.len());
        let n = dst.len().min(input.len() - from);
        dst[..n].copy_from_slice(&input[from..from + n]);
        n
    }
}

/// Sets word `index` (0..64) of the 256-byte public output, which a proof commits to.
/// Panics beyond 64 words (the wasm import traps).
pub fn set_output(index: usize, value: u32) {
    assert!(index < 64, "the public output has 64 words");
    #[cfg(target_arch = "wasm32")]
    // SAFETY: any index below 64 and any value are valid.
    unsafe {
        raw::set_output(index as u32, value)
    };
    #[cfg(target_os = "none")]
    // SAFETY: the output words at ZisK's OUTPUT_ADDR are where ziskos writes them too.
    unsafe {
        let at = ziskos::ziskos_definitions::ziskos_config::OUTPUT_ADDR + 4 * index as u64;
        core::ptr::write_volatile(at as *mut u32, value)
    };
}
