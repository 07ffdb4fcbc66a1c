//! ZisK's precompiles for guest programs, with one API on both ways into ZisK:
//! - compiled to wasm32, through the `zisk` import namespace that cranelift-zisk's direct
//!   backend turns into ZisK's precompile instructions (see the repository's
//!   `docs/zisk-namespace.md`);
//! - compiled natively for ZisK (riscv64, `target_os = "none"`), through `ziskos`.
//!
//! `keccak_f` and `sha256_compress` are the raw permutation and compression; `Keccak256`
//! and `Sha256` are hashers built on them. `blake2b_round`, `blake2s_f` and `blake3_f` are
//! the BLAKE compressions' rounds; `poseidon2`, `poseidon1` and `poseidon2_koalabear` ZisK's
//! Poseidon permutations. `secp256k1_add`/`_dbl` and `arith256`/`_mod` are
//! the curve and 256-bit arithmetic precompiles (`add256` an addition with carries);
//! `secp256k1_recover` and `secp256k1_verify` are ECDSA on them.
#![no_std]

mod io;
pub use io::{input_len, read_input, set_output};

mod secp256k1;
pub use secp256k1::{from_be_bytes, secp256k1_recover, secp256k1_verify, to_be_bytes};

#[cfg(target_arch = "wasm32")]
mod raw {
    #[link(wasm_import_module = "zisk")]
    extern "C" {
        /// Keccak-f[1600] on 25 little-endian lanes at `state` (8-byte aligned).
        pub fn keccakf(state: *mut u64);
        /// SHA-256 compression of the 64-byte block at `block` into the eight words at
        /// `state` (both 8-byte aligned).
        pub fn sha256f(state: *mut u32, block: *const u8);
        pub fn secp256k1_add(p1: *mut u64, p2: *const u64);
        pub fn secp256k1_dbl(p: *mut u64);
        pub fn arith256(a: *const u64, b: *const u64, c: *const u64, dl: *mut u64, dh: *mut u64);
        pub fn arith256_mod(
            a: *const u64,
            b: *const u64,
            c: *const u64,
            m: *const u64,
            d: *mut u64,
        );
        pub fn arith384_mod(
            a: *const u64,
            b: *const u64,
            c: *const u64,
            m: *const u64,
            d: *mut u64,
        );
        pub fn add256(a: *const u64, b: *const u64, cin: u32, c: *mut u64) -> u32;
        pub fn secp256r1_add(p1: *mut u64, p2: *const u64);
        pub fn secp256r1_dbl(p: *mut u64);
        pub fn bn254_curve_add(p1: *mut u64, p2: *const u64);
        pub fn bn254_curve_dbl(p: *mut u64);
        pub fn bn254_complex_add(f1: *mut u64, f2: *const u64);
        pub fn bn254_complex_sub(f1: *mut u64, f2: *const u64);
        pub fn bn254_complex_mul(f1: *mut u64, f2: *const u64);
        pub fn bls12_381_curve_add(p1: *mut u64, p2: *const u64);
        pub fn bls12_381_curve_dbl(p: *mut u64);
        pub fn bls12_381_complex_add(f1: *mut u64, f2: *const u64);
        pub fn bls12_381_complex_sub(f1: *mut u64, f2: *const u64);
        pub fn bls12_381_complex_mul(f1: *mut u64, f2: *const u64);
        pub fn blake2b_round(round: u32, state: *mut u64, input: *const u64);
        pub fn blake2sf(state: *mut u32, input: *const u8);
        pub fn blake3f(state: *mut u32, input: *const u8);
        pub fn poseidon2(state: *mut u64);
        pub fn poseidon1(state: *mut u64);
        pub fn poseidon2_koalabear(state: *mut u32);
        pub fn ed25519_add(p1: *mut u64, p2: *const u64);
        pub fn babyjubjub_add(p1: *mut u64, p2: *const u64);
    }
}

mod curves;
pub use curves::*;

/// A secp256k1 point in affine coordinates, as ZisK's precompiles hold it: x then y, each
/// four little-endian 64-bit words.
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Point256 {
    pub x: [u64; 4],
    pub y: [u64; 4],
}

/// A 256-bit number: four little-endian 64-bit words.
pub type U256 = [u64; 4];

/// `(low, high)` halves of `a * b + c`.
pub fn arith256(a: &U256, b: &U256, c: &U256) -> (U256, U256) {
    let (mut dl, mut dh) = ([0u64; 4], [0u64; 4]);
    #[cfg(target_arch = "wasm32")]
    // SAFETY: valid, 8-byte aligned 256-bit numbers.
    unsafe {
        raw::arith256(
            a.as_ptr(),
            b.as_ptr(),
            c.as_ptr(),
            dl.as_mut_ptr(),
            dh.as_mut_ptr(),
        )
    };
    #[cfg(target_os = "none")]
    ziskos::syscalls::syscall_arith256(&mut ziskos::syscalls::SyscallArith256Params {
        a,
        b,
        c,
        dl: &mut dl,
        dh: &mut dh,
    });
    (dl, dh)
}

/// `a + b + carry_in`: the low 256 bits and the carry out.
pub fn add256(a: &U256, b: &U256, carry_in: bool) -> (U256, bool) {
    let mut c = [0u64; 4];
    #[cfg(target_arch = "wasm32")]
    // SAFETY: valid, 8-byte aligned 256-bit numbers.
    let carry = unsafe { raw::add256(a.as_ptr(), b.as_ptr(), carry_in as u32, c.as_mut_ptr()) };
    #[cfg(target_os = "none")]
    let carry = ziskos::syscalls::syscall_add256(&mut ziskos::syscalls::SyscallAdd256Params {
        a,
        b,
        cin: carry_in as u64,
        c: &mut c,
    });
    (c, carry != 0)
}

/// A 384-bit number: six little-endian 64-bit words.
pub type U384 = [u64; 6];

/// `(a * b + c) mod m` through the import of that name, or ziskos's syscall natively.
macro_rules! modular_arith {
    ($(#[$doc:meta])* $name:ident, $ty:ty, $syscall:ident, $params:ident) => {
        $(#[$doc])*
        pub fn $name(a: &$ty, b: &$ty, c: &$ty, m: &$ty) -> $ty {
            let mut d = <$ty>::default();
            #[cfg(target_arch = "wasm32")]
            // SAFETY: valid, 8-byte aligned numbers of the width the import reads.
            unsafe {
                raw::$name(a.as_ptr(), b.as_ptr(), c.as_ptr(), m.as_ptr(), d.as_mut_ptr())
            };
            #[cfg(target_os = "none")]
            ziskos::syscalls::$syscall(&mut ziskos::syscalls::$params {
                a,
                b,
                c,
                module: m,
                d: &mut d,
            });
            d
        }
    };
}

modular_arith!(/// `(a * b + c) mod m`.
    arith256_mod, U256, syscall_arith256_mod, SyscallArith256ModParams);
modular_arith!(/// `(a * b + c) mod m` on 384-bit numbers.
    arith384_mod, U384, syscall_arith384_mod, SyscallArith384ModParams);

#[cfg(not(any(target_arch = "wasm32", target_os = "none")))]
compile_error!("zisk-guest is for wasm32 guests and native ZisK guests");
#[cfg(all(target_os = "none", not(feature = "native")))]
compile_error!("zisk-guest on native ZisK needs its `native` feature (the ziskos syscalls)");

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

impl Sha256State {
    /// The digest: every word big-endian.
    pub fn digest_bytes(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        // Where there is a byte-reverse instruction (ZisK's `rev8`, reached from wasm and
        // with Zbb), two words at a time as one 64-bit value, its bytes reversed and its
        // halves swapped: two instructions per pair instead of two per word.
        #[cfg(any(target_arch = "wasm32", target_feature = "zbb"))]
        for (chunk, pair) in out.chunks_exact_mut(8).zip(self.0.chunks_exact(2)) {
            let both = u64::from(pair[0]) | u64::from(pair[1]) << 32;
            chunk.copy_from_slice(&both.swap_bytes().rotate_left(32).to_le_bytes());
        }
        // Plain rv64ima swaps bytes with shifts and masks: a 32-bit word takes fewer.
        #[cfg(not(any(target_arch = "wasm32", target_feature = "zbb")))]
        for (chunk, word) in out.chunks_exact_mut(4).zip(self.0) {
            chunk.copy_from_slice(&word.to_be_bytes());
        }
        out
    }
}

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

/// One round of BLAKE2b's compression on the working vector `state`, with the message
/// block `input` in the order of row `round` (0..9) of the message schedule; a compression
/// is rounds 0..9, 0, 1. Any other round traps (panics natively).
pub fn blake2b_round(round: u32, state: &mut [u64; 16], input: &[u64; 16]) {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: both 8-byte aligned and of the sizes the import reads and writes.
    unsafe {
        raw::blake2b_round(round, state.as_mut_ptr(), input.as_ptr())
    };
    #[cfg(target_os = "none")]
    ziskos::syscalls::syscall_blake2b_round(round as u64, state, input);
}

/// BLAKE2s's and BLAKE3's working vector: sixteen 32-bit words, 8-byte aligned as the
/// precompiles require.
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Blake32Vector(pub [u32; 16]);

/// The compression's rounds on a 32-bit working vector, through the import of that name or
/// ziskos's syscall natively (on the same memory reinterpreted as 64-bit words).
macro_rules! blake32_rounds {
    ($(#[$doc:meta])* $name:ident, $import:ident, $syscall:ident) => {
        $(#[$doc])*
        pub fn $name(state: &mut Blake32Vector, input: &Block64) {
            #[cfg(target_arch = "wasm32")]
            // SAFETY: both 8-byte aligned and of the sizes the import reads and writes.
            unsafe {
                raw::$import(state.0.as_mut_ptr(), input.0.as_ptr())
            };
            #[cfg(target_os = "none")]
            // SAFETY: both 8-byte aligned, 64 bytes: eight little-endian 64-bit words each,
            // two of our words in each.
            unsafe {
                ziskos::syscalls::$syscall(
                    &mut *(state.0.as_mut_ptr() as *mut [u64; 8]),
                    &*(input.0.as_ptr() as *const [u64; 8]),
                )
            };
        }
    };
}

blake32_rounds!(
    /// BLAKE2s's ten rounds on `state` with the message block `input` (the compression
    /// without its set-up and feed-forward).
    blake2s_f, blake2sf, syscall_blake2sf);
blake32_rounds!(
    /// BLAKE3's seven rounds on `state` with the message block `input` (the compression
    /// without its set-up and output).
    blake3_f, blake3f, syscall_blake3f);

/// ZisK's Poseidon2 permutation over Goldilocks (p = 2^64 - 2^32 + 1), width 16, on
/// `state` (elements below p).
pub fn poseidon2(state: &mut [u64; 16]) {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: a valid, 8-byte aligned state of 16 elements.
    unsafe {
        raw::poseidon2(state.as_mut_ptr())
    };
    #[cfg(target_os = "none")]
    // SAFETY: as above; ziskos's syscall permutes the 16 words in place.
    unsafe {
        ziskos::syscalls::syscall_poseidon2(state)
    };
}

/// ZisK's Poseidon permutation over Goldilocks, width 16, on `state` (elements below p).
pub fn poseidon1(state: &mut [u64; 16]) {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: as in `poseidon2`.
    unsafe {
        raw::poseidon1(state.as_mut_ptr())
    };
    #[cfg(target_os = "none")]
    // SAFETY: as in `poseidon2`.
    unsafe {
        ziskos::syscalls::syscall_poseidon1(state)
    };
}

/// Sixteen KoalaBear elements (p = 2^31 - 2^24 + 1) in Montgomery form, `x·2^32 mod p` (as
/// Plonky3 holds them), each below p; 8-byte aligned as the precompile requires.
#[repr(C, align(8))]
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct KoalaBear16(pub [u32; 16]);

/// ZisK's Poseidon2 permutation over KoalaBear, width 16, on `state`.
pub fn poseidon2_koalabear(state: &mut KoalaBear16) {
    #[cfg(target_arch = "wasm32")]
    // SAFETY: a valid, 8-byte aligned state of 16 elements.
    unsafe {
        raw::poseidon2_koalabear(state.0.as_mut_ptr())
    };
    #[cfg(target_os = "none")]
    // SAFETY: 8-byte aligned, 64 bytes: the eight little-endian 64-bit words, two elements
    // each, that ziskos's syscall permutes in place.
    unsafe {
        ziskos::syscalls::syscall_poseidon2_koalabear(state.0.as_mut_ptr() as *mut [u64; 8])
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
        Keccak256 {
            state: [0; 25],
            filled: 0,
        }
    }

    fn xor_byte(&mut self, at: usize, byte: u8) {
        self.state[at / 8] ^= (byte as u64) << (8 * (at % 8));
    }

    pub fn update(&mut self, mut data: &[u8]) {
        while !data.is_empty() {
            // Lane-aligned: every whole lane up to the end of the block in one tight loop.
            let lanes = if self.filled % 8 == 0 {
                ((Self::RATE - self.filled) / 8).min(data.len() / 8)
            } else {
                0
            };
            if lanes > 0 {
                let first = self.filled / 8;
                let (whole, rest) = data.split_at(lanes * 8);
                for (lane, bytes) in self.state[first..first + lanes]
                    .iter_mut()
                    .zip(whole.chunks_exact(8))
                {
                    *lane ^= u64::from_le_bytes(bytes.try_into().unwrap());
                }
                self.filled += lanes * 8;
                data = rest;
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

    /// The hash of `data` in one pass: the state stays a local array (no hasher moved
    /// around), whole blocks and lanes are absorbed directly, the padding is one lane.
    pub fn digest(data: &[u8]) -> [u8; 32] {
        let mut state = [0u64; 25];
        let mut blocks = data.chunks_exact(Self::RATE);
        for block in &mut blocks {
            for (lane, bytes) in state.iter_mut().zip(block.chunks_exact(8)) {
                *lane ^= u64::from_le_bytes(bytes.try_into().unwrap());
            }
            keccak_f(&mut state);
        }
        // A message shorter than a block meets a state of zeros: its lanes are written,
        // not xored in (the loads of zeros a compiler does not always see through).
        let fresh = data.len() < Self::RATE;
        let put = move |lane: &mut u64, word: u64| {
            if fresh {
                *lane = word
            } else {
                *lane ^= word
            }
        };
        let tail = blocks.remainder();
        let mut lanes = tail.chunks_exact(8);
        for (lane, bytes) in state.iter_mut().zip(&mut lanes) {
            put(lane, u64::from_le_bytes(bytes.try_into().unwrap()));
        }
        // The last partial lane with the first padding byte after it (a tail is < 136 bytes,
        // so the lane is inside the rate).
        let rest = lanes.remainder();
        let mut last = [0u8; 8];
        last[..rest.len()].copy_from_slice(rest);
        last[rest.len()] = 0x01;
        let last_lane = tail.len() / 8;
        put(&mut state[last_lane], u64::from_le_bytes(last));
        // The final padding bit, at the end of the rate: a lane of its own unless the
        // message's last lane is that one.
        const FINAL_LANE: usize = Keccak256::RATE / 8 - 1;
        const FINAL_BIT: u64 = 0x80 << 56;
        if last_lane == FINAL_LANE {
            state[FINAL_LANE] ^= FINAL_BIT;
        } else {
            put(&mut state[FINAL_LANE], FINAL_BIT);
        }
        keccak_f(&mut state);
        let mut out = [0u8; 32];
        for (chunk, lane) in out.chunks_exact_mut(8).zip(&state[..4]) {
            chunk.copy_from_slice(&lane.to_le_bytes());
        }
        out
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
    const INIT: [u32; 8] = [
        0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
        0x5be0cd19,
    ];

    pub fn new() -> Self {
        Sha256 {
            state: Sha256State(Self::INIT),
            block: Block64([0; 64]),
            filled: 0,
            length: 0,
        }
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
        self.state.digest_bytes()
    }

    /// The hash of `data` in one pass, the state and block kept local.
    pub fn digest(data: &[u8]) -> [u8; 32] {
        let mut state = Sha256State(Self::INIT);
        let mut blocks = data.chunks_exact(64);
        for block in &mut blocks {
            sha256_compress(&mut state, &Block64(block.try_into().unwrap()));
        }
        let tail = blocks.remainder();
        let mut block = Block64([0; 64]);
        block.0[..tail.len()].copy_from_slice(tail);
        block.0[tail.len()] = 0x80;
        if tail.len() >= 56 {
            sha256_compress(&mut state, &block);
            block.0 = [0; 64];
        }
        block.0[56..].copy_from_slice(&(data.len() as u64 * 8).to_be_bytes());
        sha256_compress(&mut state, &block);
        state.digest_bytes()
    }
}
