//! The optimizations by name, for switching them off one at a time (`--no-opt`).

use crate::{Backend, Error, Optimizations};

/// One switchable optimization: its name, what it does, and the backends that run it.
#[derive(Debug)]
pub struct OptimizationInfo {
    /// The name `--no-opt` and [`crate::Options::disable_optimizations`] take.
    pub name: &'static str,
    /// What it does, in a line.
    pub description: &'static str,
    /// The backends whose code it changes (switching it off elsewhere does nothing).
    pub backends: &'static [Backend],
    switch: fn(&mut Optimizations) -> &mut bool,
}

impl OptimizationInfo {
    /// Whether `set` has this optimization on.
    pub fn is_on(&self, set: &Optimizations) -> bool {
        let mut set = *set;
        *(self.switch)(&mut set)
    }
}

const CRANELIFT: &[Backend] = &[Backend::Zisk, Backend::Riscv, Backend::RiscvIma];
const DIRECT: &[Backend] = &[Backend::Zisk];

/// Every optimization that can be switched off, in pipeline order. Each is sound alone:
/// switching any set of them off changes the code, never what the program does.
pub const OPTIMIZATIONS: &[OptimizationInfo] = &[
    OptimizationInfo {
        name: "mid-end",
        description:
            "Cranelift's mid-end: egraph rewrites, GVN, LICM, constant folding, alias analysis",
        backends: CRANELIFT,
        switch: |o| &mut o.mid_end,
    },
    OptimizationInfo {
        name: "bounds-merging",
        description: "a block's bounds checks of one index merged into its first (zisk: also across blocks)",
        backends: CRANELIFT,
        switch: |o| &mut o.bounds_merging,
    },
    OptimizationInfo {
        name: "checked-offsets",
        description:
            "an access at x + k after a checked access at x shares x's check (on zisk, across blocks too)",
        backends: CRANELIFT,
        switch: |o| &mut o.checked_offsets,
    },
    OptimizationInfo {
        name: "loop-invariants",
        description: "loop-invariant bounds checks and computations moved before the loop",
        backends: DIRECT,
        switch: |o| &mut o.loop_invariants,
    },
    OptimizationInfo {
        name: "redundant-checks",
        description: "bounds checks dominated by a check of the same index dropped",
        backends: DIRECT,
        switch: |o| &mut o.redundant_checks,
    },
    OptimizationInfo {
        name: "sibling-checks",
        description: "a block's bounds checks of x + k1, x + k2, ... made one check",
        backends: DIRECT,
        switch: |o| &mut o.sibling_checks,
    },
    OptimizationInfo {
        name: "low32",
        description:
            "i32 values read only in their low half not sign-extended (add for add_w, plain loads)",
        backends: DIRECT,
        switch: |o| &mut o.low32,
    },
    OptimizationInfo {
        name: "zext-addresses",
        description: "i32 memory and table indices held zero-extended or as a 64-bit sum",
        backends: DIRECT,
        switch: |o| &mut o.zext_addresses,
    },
    OptimizationInfo {
        name: "value-ranges",
        description: "i32 adds that operand ranges (narrow loads, checked indices) keep from wrapping as 64-bit adds",
        backends: DIRECT,
        switch: |o| &mut o.value_ranges,
    },
    OptimizationInfo {
        name: "compare64",
        description: "i32 compares, min and max of sign-extended values with the 64-bit opcodes",
        backends: DIRECT,
        switch: |o| &mut o.compare64,
    },
    OptimizationInfo {
        name: "static-frames",
        description:
            "frames of functions never active twice at fixed addresses, spills as memory operands",
        backends: DIRECT,
        switch: |o| &mut o.static_frames,
    },
    OptimizationInfo {
        name: "memmove-chunks",
        description: "overlapping memory.copy moved in disjoint chunks rather than byte by byte",
        backends: CRANELIFT,
        switch: |o| &mut o.memmove_chunks,
    },
    OptimizationInfo {
        name: "null-test-in-stub",
        description: "call_indirect's null test made by the signature check's trap stub",
        backends: DIRECT,
        switch: |o| &mut o.null_test_in_signature_stub,
    },
];

/// The name that switches every optimization off at once.
pub const ALL: &str = "all";

/// The optimization named `name`.
pub fn optimization(name: &str) -> Option<&'static OptimizationInfo> {
    OPTIMIZATIONS.iter().find(|o| o.name == name)
}

/// Switches off the optimizations named in `names` (comma-separated, e.g.
/// `loop-invariants,low32`; `all` for every one) in `set`.
pub(crate) fn disable(set: &mut Optimizations, names: &str) -> Result<(), Error> {
    for name in names.split(',').map(str::trim).filter(|n| !n.is_empty()) {
        if name == ALL {
            *set = Optimizations::NONE;
            continue;
        }
        let info = optimization(name).ok_or_else(|| Error::UnknownOptimization {
            name: name.to_string(),
            known: OPTIMIZATIONS.iter().map(|o| o.name).chain([ALL]).collect(),
        })?;
        *(info.switch)(set) = false;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each name switches off its own optimization and no other; the table has every field.
    #[test]
    fn each_name_switches_off_one_optimization() {
        for info in OPTIMIZATIONS {
            let mut set = Optimizations::ALL;
            disable(&mut set, info.name).unwrap();
            for other in OPTIMIZATIONS {
                assert_eq!(other.is_on(&set), other.name != info.name, "{}", info.name);
            }
        }
        let mut set = Optimizations::ALL;
        for info in OPTIMIZATIONS {
            disable(&mut set, info.name).unwrap();
        }
        assert_eq!(set, Optimizations::NONE, "a field without a name");
    }

    #[test]
    fn an_unknown_name_is_an_error_listing_the_known_ones() {
        let error = disable(&mut Optimizations::ALL, "low32,licm").unwrap_err();
        let message = error.to_string();
        assert!(message.contains("'licm'"), "{message}");
        for info in OPTIMIZATIONS {
            assert!(message.contains(info.name), "{message}");
        }
        assert!(matches!(error, Error::UnknownOptimization { .. }));
    }
}
