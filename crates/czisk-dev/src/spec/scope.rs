//! Which files of the spec suite are in scope (WebAssembly 2.0 without SIMD) and why the
//! others are not. The suite is the amalgamated 3.0 one: in-scope files may still hold a
//! module using a later feature; such modules are skipped one by one, with the validator's
//! reason (see `driver::in_scope_features`).

/// Why `stem` (a file name without `.wast`) is out of scope, or None if it is in scope.
pub fn out_of_scope(stem: &str) -> Option<&'static str> {
    const GC_AND_TYPED_REFERENCES: &[&str] = &[
        "array",
        "array_copy",
        "array_fill",
        "array_init_data",
        "array_init_elem",
        "array_new_data",
        "array_new_elem",
        "binary-gc",
        "br_on_cast",
        "br_on_cast_fail",
        "br_on_non_null",
        "br_on_null",
        "call_ref",
        "extern",
        "i31",
        "local_init",
        "ref",
        "ref_as_non_null",
        "ref_cast",
        "ref_eq",
        "ref_test",
        "return_call_ref",
        "struct",
        "table-sub",
        "type-canon",
        "type-equivalence",
        "type-rec",
        "type-subtyping",
    ];
    if stem.starts_with("simd_") {
        return Some("SIMD (excluded from the scope)");
    }
    if stem.contains("relaxed") {
        return Some("relaxed SIMD (WebAssembly 3.0)");
    }
    if stem.ends_with("64") && stem != "i64" && stem != "f64"
        || stem.starts_with("memory64")
        || stem == "table_copy_mixed"
    {
        return Some("memory64 / table64 (WebAssembly 3.0)");
    }
    // The multi-memory proposal's copies of 2.0 files carry a number: `load0`, `imports3`.
    const MULTI_MEMORY_BASES: &[&str] = &[
        "address",
        "align",
        "binary",
        "data",
        "data_drop",
        "exports",
        "float_exprs",
        "float_memory",
        "imports",
        "linking",
        "load",
        "memory_copy",
        "memory_fill",
        "memory_init",
        "memory_size",
        "memory_trap",
        "start",
        "store",
        "traps",
    ];
    let base = stem.trim_end_matches(|c: char| c.is_ascii_digit());
    if stem == "memory-multi" || base != stem && MULTI_MEMORY_BASES.contains(&base) {
        return Some(
            "multi-memory (WebAssembly 3.0; the numbered files are that proposal's tests)",
        );
    }
    if GC_AND_TYPED_REFERENCES.contains(&stem) {
        return Some("GC and typed function references (WebAssembly 3.0)");
    }
    match stem {
        "return_call" | "return_call_indirect" => Some("tail calls (WebAssembly 3.0)"),
        "tag" | "throw" | "throw_ref" | "try_table" => Some("exception handling (WebAssembly 3.0)"),
        "instance" => Some("module definitions and instances (a WebAssembly 3.0 script feature)"),
        "annotations" => Some("custom annotations (a text-format proposal beyond 2.0)"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::out_of_scope;

    #[test]
    fn scope_keeps_the_2_0_files_and_names_each_exclusion() {
        for stem in [
            "i32",
            "i64",
            "f32",
            "f64",
            "f64_cmp",
            "f32_bitwise",
            "float_exprs",
            "load",
            "conversions",
            "memory_copy",
            "table_grow",
            "call_indirect",
            "binary-leb128",
        ] {
            assert_eq!(out_of_scope(stem), None, "{stem}");
        }
        for stem in [
            "simd_lane",
            "memory64",
            "load64",
            "address0",
            "imports3",
            "struct",
            "return_call",
            "try_table",
            "i16x8_relaxed_q15mulr_s",
        ] {
            assert!(out_of_scope(stem).is_some(), "{stem}");
        }
    }
}
