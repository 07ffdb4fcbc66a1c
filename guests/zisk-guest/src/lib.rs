//! ZisK's precompiles for guest programs, with one API on both ways into ZisK:
//! - compiled to wasm32, through the `zisk` import namespace that cranelift-zisk's direct
//!   backend turns into ZisK's precompile instructions (see the repository's
//!   `docs/zisk-namespace.md`);
//! - compiled natively for ZisK (riscv64, `target_os = "none"`), through `ziskos`.
//!
//! `keccak_f` and `sha256_compress` are the raw permutation and compression; `Keccak256`
//! and `Sha256` are hashers built on them.
#![no_std]

#[cfg(target_arch = "wasm32")]
mod raw {
    #[link(wasm_import_module = "zisk")]
    extern "C" {
        /// Keccak-f[1600] on 25 little-endian lanes at `state` (8-byte aligned).
        pub fn keccakf(state: *mut u64);
        /// SHA-256 compression of the 64-byte block at `block` into the eight words at
        /// `state` (both 8-byte aligned).
        pub fn sha256f(state: *mut u32, block: *const u8);
    }
}

#[cfg(not(any(target_arch = "wasm32", target_os = "none")))]
compile_error!("zisk-guest is for wasm32 guests and native ZisK guests");

/// Keccak-f[1600] on `state`.
pub fn keccak_f(state: &mut [u64; 25]) {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: a valid, 8-byte aligned state of 25 lanes.
    unsafe {
        raw::keccakf(state.as_mut_ptr())
    };
    #[cfg(target_os = "none")]
    // SAFETY: as above; ziskos's syscall reads and writes the 25 lanes in place.
    unsafe {
        ziskos::syscalls::syscall_keccak_f(state)
    };
}

/// The SHA-256 state: eight words, 8-byte aligned as the precompile requires.
#[repr(C, align(8))]
#[derive(Clone, Copy)]
pub struct Sha256State(pub [u32; 8]);

/// A 64-byte block, 8-byte aligned as the precompile requires.
#[repr(C, align(8))]
#[derive(Clone, Copy)]
pub struct Block64(pub [u8; 64]);

/// One SHA-256 compression of `block` into `state`.
pub fn sha256_compress(state: &mut Sha256State, block: &Block64) {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: both aligned and of the sizes the import reads and writes.
    unsafe {
        raw::sha256f(state.0.as_mut_ptr(), block.0.as_ptr())
    };
    #[cfg(target_os = "none")]
    // SAFETY: the same layout ziskos's own SHA-256 passes (the words and the block
    // reinterpreted as 64-bit words).
    unsafe {
        ziskos::syscalls::syscall_sha256_f(
            &mut *(state.0.as_mut_ptr() as *mut [u64; 4]),
            &*(block.0.as_ptr() as *const [u64; 8]),
        )
    };
}

/// Keccak-256 (the Ethereum variant: padding 0x01). Input is absorbed straight into the
/// state (whole little-endian lanes where it can), with no buffer to copy through.
pub struct Keccak256 {
    state: [u64; 25],
    /// Bytes of the current block absorbed so far.
    filled: usize,
}

impl Default for Keccak256 {
    fn default() -> Self {
        Self::new()
    }
}

impl Keccak256 {
    const RATE: usize = 136;

    pub fn new() -> Self {
        Keccak256 { state: [0; 25], filled: 0 }
    }

    fn xor_byte(&mut self, at: usize, byte: u8) {
        self.state[at / 8] ^= (byte as u64) << (8 * (at % 8));
    }

    pub fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            if self.filled % 8 == 0 && data.len() >= 8 {
                let lane = u64::from_le_bytes(data[..8].try_into().unwrap());
                self.state[self.filled / 8] ^= lane;
                self.filled += 8;
                data = &data[8..];
            } else {
                self.xor_byte(self.filled, data[0]);
                self.filled += 1;
                data = &data[1..];
            }
            if self.filled == Self::RATE {
                keccak_f(&mut self.state);
                self.filled = 0;
            }
        }
    }

    pub fn finalize(mut self) -> [u8; 32] {
        self.xor_byte(self.filled, 0x01);
        self.xor_byte(Self::RATE - 1, 0x80);
        keccak_f(&mut self.state);
        let mut out = [0u8; 32];
        for (chunk, lane) in out.chunks_exact_mut(8).zip(self.state) {
            chunk.copy_from_slice(&lane.to_le_bytes());
        }
        out
    }

    pub fn digest(data: &[u8]) -> [u8; 32] {
        let mut h = Self::new();
        h.update(data);
        h.finalize()
    }
}

/// SHA-256.
pub struct Sha256 {
    state: Sha256State,
    block: Block64,
    filled: usize,
    length: u64,
}

impl Default for Sha256 {
    fn default() -> Self {
        Self::new()
    }
}

impl Sha256 {
    const INIT: [u32; 8] =
        [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

    pub fn new() -> Self {
        Sha256 { state: Sha256State(Self::INIT), block: Block64([0; 64]), filled: 0, length: 0 }
    }

    pub fn update(&mut self, mut data: &[u8]) {
        self.length += data.len() as u64;
        while !data.is_empty() {
            let take = (64 - self.filled).min(data.len());
            self.block.0[self.filled..self.filled + take].copy_from_slice(&data[..take]);
            self.filled += take;
            data = &data[take..];
            if self.filled == 64 {
                sha256_compress(&mut self.state, &self.block);
                self.filled = 0;
            }
        }
    }

    pub fn finalize(mut self) -> [u8; 32] {
        let bits = self.length * 8;
        self.block.0[self.filled] = 0x80;
        self.block.0[self.filled + 1..].fill(0);
        if self.filled + 1 > 56 {
            sha256_compress(&mut self.state, &self.block);
            self.block.0 = [0; 64];
        }
        self.block.0[56..].copy_from_slice(&bits.to_be_bytes());
        sha256_compress(&mut self.state, &self.block);
        let mut out = [0u8; 32];
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.state.0) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }

    pub fn digest(data: &[u8]) -> [u8; 32] {
        let mut h = Self::new();
        h.update(data);
        h.finalize()
    }
}
