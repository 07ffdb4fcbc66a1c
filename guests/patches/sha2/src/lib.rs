//! `sha2` for ZisK guests: `Sha256` and `Sha224` with the `digest` 0.10 API of crates.io's
//! `sha2`, their compression function on ZisK's `sha256-f` precompile (through
//! `zisk-guest`). A guest gets them in every dependency that names `sha2` with
//!
//! ```toml
//! [patch.crates-io]
//! sha2 = { path = "…/guests/patches/sha2" }
//! ```
//!
//! The SHA-512 family has no precompile and is not provided: a dependency that uses it
//! does not compile against this crate.
#![no_std]

use core::fmt;

pub use digest::{self, Digest};
use digest::block_buffer::Eager;
use digest::core_api::{
    AlgorithmName, Block, BlockSizeUser, Buffer, BufferKindUser, CoreWrapper, FixedOutputCore,
    OutputSizeUser, Reset, UpdateCore,
};
use digest::typenum::{U28, U32, U64};
use digest::{HashMarker, Output};
use zisk_guest::{sha256_compress, Block64, Sha256State};

/// The initial states (FIPS 180-4 §5.3.2 and §5.3.3).
const SHA256_INIT: [u32; 8] = [
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab,
    0x5be0cd19,
];
const SHA224_INIT: [u32; 8] = [
    0xc1059ed8, 0x367cd507, 0x3070dd17, 0xf70e5939, 0xffc00b31, 0x68581511, 0x64f98fa7,
    0xbefa4fa4,
];

/// The block-level state both hashes share; `OutputSize` says how much of it is output.
#[derive(Clone)]
pub struct Sha256VarCore<OutputSize> {
    state: Sha256State,
    blocks: u64,
    _output: core::marker::PhantomData<OutputSize>,
}

/// Which initial state an output size starts from.
pub trait Variant {
    const INIT: [u32; 8];
    const NAME: &'static str;
}

impl Variant for U32 {
    const INIT: [u32; 8] = SHA256_INIT;
    const NAME: &'static str = "Sha256";
}

impl Variant for U28 {
    const INIT: [u32; 8] = SHA224_INIT;
    const NAME: &'static str = "Sha224";
}

impl<N: Variant> Default for Sha256VarCore<N> {
    fn default() -> Self {
        Sha256VarCore {
            state: Sha256State(N::INIT),
            blocks: 0,
            _output: core::marker::PhantomData,
        }
    }
}

impl<N> HashMarker for Sha256VarCore<N> {}

impl<N> BlockSizeUser for Sha256VarCore<N> {
    type BlockSize = U64;
}

impl<N> BufferKindUser for Sha256VarCore<N> {
    type BufferKind = Eager;
}

impl<N: digest::generic_array::ArrayLength<u8> + 'static> OutputSizeUser for Sha256VarCore<N> {
    type OutputSize = N;
}

impl<N> Sha256VarCore<N> {
    fn compress(&mut self, block: &Block<Self>) {
        // The precompile needs the block 8-byte aligned, which a byte array is not.
        let mut aligned = Block64([0; 64]);
        aligned.0.copy_from_slice(block);
        sha256_compress(&mut self.state, &aligned);
    }
}

impl<N> UpdateCore for Sha256VarCore<N> {
    fn update_blocks(&mut self, blocks: &[Block<Self>]) {
        self.blocks += blocks.len() as u64;
        for block in blocks {
            self.compress(block);
        }
    }
}

impl<N: Variant + digest::generic_array::ArrayLength<u8> + 'static> FixedOutputCore
    for Sha256VarCore<N>
{
    fn finalize_fixed_core(&mut self, buffer: &mut Buffer<Self>, out: &mut Output<Self>) {
        let bits = (self.blocks * 64 + buffer.get_pos() as u64) * 8;
        buffer.len64_padding_be(bits, |block| self.compress(block));
        let digest = self.state.digest_bytes();
        out.copy_from_slice(&digest[..N::USIZE]);
    }
}

impl<N: Variant> Reset for Sha256VarCore<N> {
    fn reset(&mut self) {
        *self = Self::default();
    }
}

impl<N: Variant> AlgorithmName for Sha256VarCore<N> {
    fn write_alg_name(f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(N::NAME)
    }
}

impl<N: Variant> fmt::Debug for Sha256VarCore<N> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(N::NAME)?;
        f.write_str("Core { … }")
    }
}

/// SHA-256.
pub type Sha256 = CoreWrapper<Sha256VarCore<U32>>;
/// SHA-224.
pub type Sha224 = CoreWrapper<Sha256VarCore<U28>>;
