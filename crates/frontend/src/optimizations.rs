//! Which of czisk's optimizations a compile runs.
//!
//! Every optimization here is sound on its own and can be turned off alone, so that a
//! suspected miscompile can be bisected to one of them (`czisk run --no-opt ...`). They
//! live in several crates (this one, the runtime, both backends); the switches travel with
//! the module ([`crate::TranslatedModule::optimizations`]) so each crate reads its own.
//! Turning one off changes the code, never what the program does.

/// One switch per optimization; [`Default`] turns all of them on.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Optimizations {
    /// Cranelift's mid-end (`Context::optimize` at opt level `speed`: egraph rewrites, GVN,
    /// LICM, constant folding, alias analysis); off, opt level `none` (both Cranelift
    /// backends).
    pub mid_end: bool,
    /// A block's first bounds check of an index widened to cover the later accesses from
    /// that index in the block, which then need none (`translate/bounds.rs`); on the zisk
    /// backend also across blocks, to what every later path checks (`czisk-midend`'s
    /// `widen_to_anticipated_checks`).
    pub bounds_merging: bool,
    /// An access at `x + k` after a checked access at `x` in the same block treated as
    /// `x`'s at offset `k`, so it shares `x`'s check and base (`translate/memory.rs`); on
    /// the zisk backend, across blocks too (`czisk-midend`'s `redundant_checks`).
    pub checked_offsets: bool,
    /// Loop-invariant checks and computations moved into the preheader
    /// (`czisk-midend`'s `loop_invariants`; the zisk backend).
    pub loop_invariants: bool,
    /// Bounds checks dominated by a check of the same index for at least their reach
    /// dropped (`czisk-midend`'s `redundant_checks`; the zisk backend).
    pub redundant_checks: bool,
    /// A block's checks of sibling indices `x + k1`, `x + k2`, ... (constants of either sign)
    /// made one check of `x + min k` (`czisk-midend`'s `sibling_checks`; the zisk backend).
    pub sibling_checks: bool,
    /// i32 values whose users read only their low half skip sign extension: `add` for
    /// `add_w`, plain i32 loads (the zisk backend's `lower/low32.rs`).
    pub low32: bool,
    /// i32 values that are only memory or table indices held zero-extended or as a 64-bit sum
    /// (`zext_ok_values` in the zisk backend's `lower/low32.rs`).
    pub zext_addresses: bool,
    /// i32 adds that the ranges of their operands (constants, narrow loads, indices a bounds
    /// check passed) keep from wrapping made with the 64-bit `add`, and address sums with a
    /// non-negative addend held as 64-bit sums (the zisk backend's `lower/ranges.rs`).
    pub value_ranges: bool,
    /// i32 compares, min and max of sign-extended operands made with the 64-bit opcodes,
    /// which ZisK proves at no operation cost for small operands (the zisk backend).
    pub compare64: bool,
    /// Frames of functions that are never active twice at fixed addresses, with spilled
    /// values as memory operands (the zisk backend's `calls.rs`).
    pub static_frames: bool,
    /// The runtime's `memmove` moves overlapping ranges at least 8 bytes apart in disjoint
    /// chunks (one DMA copy each on the zisk backend) rather than byte by byte.
    pub memmove_chunks: bool,
    /// call_indirect's null test left to the signature test's trap stub, which tells a
    /// null entry (signature id 0) from a mismatch (the zisk backend's `lower/indirect.rs`).
    pub null_test_in_signature_stub: bool,
}

impl Optimizations {
    /// Every optimization on: what czisk compiles with unless told otherwise.
    pub const ALL: Optimizations = Optimizations {
        mid_end: true,
        bounds_merging: true,
        checked_offsets: true,
        loop_invariants: true,
        redundant_checks: true,
        sibling_checks: true,
        low32: true,
        zext_addresses: true,
        value_ranges: true,
        compare64: true,
        static_frames: true,
        memmove_chunks: true,
        null_test_in_signature_stub: true,
    };

    /// Every optimization off.
    pub const NONE: Optimizations = Optimizations {
        mid_end: false,
        bounds_merging: false,
        checked_offsets: false,
        loop_invariants: false,
        redundant_checks: false,
        sibling_checks: false,
        low32: false,
        zext_addresses: false,
        value_ranges: false,
        compare64: false,
        static_frames: false,
        memmove_chunks: false,
        null_test_in_signature_stub: false,
    };
}

impl Default for Optimizations {
    fn default() -> Optimizations {
        Optimizations::ALL
    }
}
