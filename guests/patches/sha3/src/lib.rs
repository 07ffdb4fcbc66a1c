//! `sha3` for ZisK guests: `Keccak224/256/384/512` and `Sha3_224/256/384/512` with the
//! `digest` 0.10 API of crates.io's `sha3`, their permutation on ZisK's `keccak-f`
//! precompile (through `zisk-guest`). A guest gets them in every dependency that names
//! `sha3` with
//!
//! ```toml
//! [patch.crates-io]
//! sha3 = { path = "…/guests/patches/sha3" }
//! ```
//!
//! The extendable-output functions (SHAKE, cSHAKE, TurboSHAKE) are not provided: a
//! dependency that uses them does not compile against this crate.
#![no_std]

use core::fmt;
use core::marker::PhantomData;

pub use digest::{self, Digest};
use digest::block_buffer::Eager;
use digest::core_api::{
    AlgorithmName, Block, BlockSizeUser, Buffer, BufferKindUser, CoreWrapper, FixedOutputCore,
    OutputSizeUser, Reset, UpdateCore,
};
use digest::typenum::{U104, U136, U144, U28, U32, U48, U64, U72};
use digest::{HashMarker, Output};
use zisk_guest::keccak_f;

/// The sponge: 25 lanes, absorbing a whole block (the rate, `RATE` bytes) at a time; the
/// marker `V` names the hash (its rate, output size and padding, see `variants!`).
pub struct KeccakCore<V> {
    state: [u64; 25],
    _variant: PhantomData<V>,
}

impl<V> Clone for KeccakCore<V> {
    fn clone(&self) -> Self {
        KeccakCore {
            state: self.state,
            _variant: PhantomData,
        }
    }
}

impl<V> Default for KeccakCore<V> {
    fn default() -> Self {
        KeccakCore {
            state: [0; 25],
            _variant: PhantomData,
        }
    }
}

impl<V> KeccakCore<V> {
    fn absorb(&mut self, block: &[u8]) {
        for (lane, bytes) in self.state.iter_mut().zip(block.chunks_exact(8)) {
            *lane ^= u64::from_le_bytes(bytes.try_into().unwrap());
        }
        keccak_f(&mut self.state);
    }

    /// Pads the buffered tail (`pad` first, 0x80 last in the block), absorbs it and
    /// writes the first `out.len()` bytes of the state.
    fn finish(&mut self, tail: &mut [u8], pos: usize, pad: u8, out: &mut [u8]) {
        tail[pos] ^= pad;
        let last = tail.len() - 1;
        tail[last] ^= 0x80;
        self.absorb(tail);
        for (chunk, lane) in out.chunks_mut(8).zip(self.state) {
            chunk.copy_from_slice(&lane.to_le_bytes()[..chunk.len()]);
        }
    }
}

impl<V> HashMarker for KeccakCore<V> {}

impl<V> Reset for KeccakCore<V> {
    fn reset(&mut self) {
        self.state = [0; 25];
    }
}

macro_rules! variants {
    ($($(#[$doc:meta])* $name:ident, $marker:ident, $rate:ty, $output:ty, $pad:expr;)*) => {$(
        #[doc(hidden)]
        #[derive(Clone)]
        pub struct $marker;

        impl BlockSizeUser for KeccakCore<$marker> {
            type BlockSize = $rate;
        }

        impl BufferKindUser for KeccakCore<$marker> {
            type BufferKind = Eager;
        }

        impl OutputSizeUser for KeccakCore<$marker> {
            type OutputSize = $output;
        }

        impl UpdateCore for KeccakCore<$marker> {
            fn update_blocks(&mut self, blocks: &[Block<Self>]) {
                for block in blocks {
                    self.absorb(block);
                }
            }
        }

        impl FixedOutputCore for KeccakCore<$marker> {
            fn finalize_fixed_core(&mut self, buffer: &mut Buffer<Self>, out: &mut Output<Self>) {
                let pos = buffer.get_pos();
                let mut tail = buffer.pad_with_zeros().clone();
                self.finish(&mut tail, pos, $pad, out);
            }
        }

        impl AlgorithmName for KeccakCore<$marker> {
            fn write_alg_name(f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(stringify!($name))
            }
        }

        impl fmt::Debug for KeccakCore<$marker> {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(concat!(stringify!($name), "Core { … }"))
            }
        }

        $(#[$doc])*
        pub type $name = CoreWrapper<KeccakCore<$marker>>;
    )*};
}

variants! {
    /// Keccak-224 (the original padding).
    Keccak224, Keccak224Variant, U144, U28, 0x01;
    /// Keccak-256, as Ethereum uses it.
    Keccak256, Keccak256Variant, U136, U32, 0x01;
    /// Keccak-384.
    Keccak384, Keccak384Variant, U104, U48, 0x01;
    /// Keccak-512.
    Keccak512, Keccak512Variant, U72, U64, 0x01;
    /// SHA3-224 (FIPS 202).
    Sha3_224, Sha3_224Variant, U144, U28, 0x06;
    /// SHA3-256.
    Sha3_256, Sha3_256Variant, U136, U32, 0x06;
    /// SHA3-384.
    Sha3_384, Sha3_384Variant, U104, U48, 0x06;
    /// SHA3-512.
    Sha3_512, Sha3_512Variant, U72, U64, 0x06;
}
