//! Why a module cannot be compiled. Every message names what it is about.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum CompileError {
    /// The bytes are not a valid WebAssembly module.
    #[error("invalid WebAssembly: {0}")]
    Invalid(String),
    /// Valid WebAssembly using a feature outside WebAssembly 2.0 without SIMD.
    #[error("unsupported feature in {location}: {message}")]
    UnsupportedFeature { location: String, message: String },
    /// Imports of something other than a function, or from an unknown module.
    #[error("unsupported import {module}::{field}: {why}")]
    UnsupportedImport {
        module: String,
        field: String,
        why: String,
    },
    /// More than the ZisK machine can hold (memory, tables).
    #[error("the module does not fit ZisK's memory: {0}")]
    TooLarge(String),
    /// The module is in scope, but this compiler does not handle it yet.
    #[error("not yet supported in {location}: {what}")]
    NotYetSupported { location: String, what: String },
}

impl From<wasmparser::BinaryReaderError> for CompileError {
    fn from(e: wasmparser::BinaryReaderError) -> Self {
        CompileError::Invalid(e.to_string())
    }
}
