//! The ZisK machine environment: where a module's state lives in ZisK's RAM.
//!
//! ZisK has a fixed memory map and runs one guest, so every piece of wasm state sits at an
//! absolute address known at compile time: code reaches it with constant addresses (which
//! ZisK folds into instructions), and no context pointer is threaded through calls.
//!
//! Inside the window of general-purpose RAM the layout is, in order: the memory-size word,
//! the access limits (see [`MEMORY_LIMITS`]), the runtime's state words, the globals (8 bytes each), each table (its size word and its
//! entries, 8 bytes each), and linear memory at a 64 KiB boundary up to the window's end.

use crate::error::CompileError;

pub const WASM_PAGE: u64 = 0x1_0000;

/// Bytes reserved for the runtime's own state (czisk-runtime's `RUNTIME_STATE_BYTES`).
pub const RUNTIME_STATE_BYTES: u64 = 1280;

/// How many access limits follow the memory-size word: word `r - 1` holds, for an access
/// of reach `r` (offset plus width), how many indices start an access that fits, that is
/// `max(size + 1 - r, 0)`. A bounds check is then one unsigned compare of the index with a
/// word ZisK reads as an operand; `memory.grow` rewrites them. Reaches past these compute
/// their limit from the size.
pub const MEMORY_LIMITS: u64 = 512;

/// Table capacity when the module sets no maximum; `table.grow` beyond a table's capacity
/// fails (returns -1), as the spec allows.
pub const DEFAULT_TABLE_CAPACITY: u64 = 1 << 16;

/// The RAM window a module may use, and the native stack's lower bound.
#[derive(Debug, Clone)]
pub struct LayoutConfig {
    pub ram_start: u64,
    pub ram_end: u64,
    /// Calls trap with stack overflow when the stack pointer is below this at function entry.
    pub stack_limit: u64,
}

impl LayoutConfig {
    /// ZisK (zisk-core mem.rs): general-purpose RAM from 0xa043_0000 up to the RAM ZisK's own
    /// libraries use (0xbffc_0000); the native stack grows down from 0xa040_0000 to
    /// 0xa000_0000 with unmapped memory below. The limit keeps 256 KiB in reserve so that no
    /// prologue reaches the unmapped guard before its function's check runs.
    pub fn zisk() -> LayoutConfig {
        LayoutConfig {
            ram_start: 0xa043_0000,
            ram_end: 0xbffc_0000,
            stack_limit: 0xa004_0000,
        }
    }
}

#[derive(Debug, Clone)]
pub struct TableLayout {
    /// u64 word: the current number of entries.
    pub size_addr: u64,
    pub entries_addr: u64,
    pub capacity: u64,
}

/// A segment's length word (0 once dropped) and where its contents live.
#[derive(Debug, Clone)]
pub struct SegmentLayout {
    pub len_addr: u64,
    /// Bytes of a passive data segment, or 8-byte entries of a passive element segment.
    pub contents_addr: u64,
}

/// The addresses chosen for one module.
#[derive(Debug, Clone)]
pub struct MachineLayout {
    /// u64 word: the current linear-memory size in bytes.
    pub memory_size_addr: u64,
    /// [`MEMORY_LIMITS`] u64 words: the access limit of each reach from 1.
    pub memory_limits_addr: u64,
    pub runtime_state_addr: u64,
    pub globals_addr: u64,
    pub tables: Vec<TableLayout>,
    pub data_segments: Vec<SegmentLayout>,
    pub elem_segments: Vec<SegmentLayout>,
    pub memory_base: u64,
    /// The most pages linear memory can have here (the declared maximum, or what fits).
    pub memory_max_pages: u64,
    pub stack_limit: u64,
}

impl MachineLayout {
    /// The address of the access limit for reach `reach` (1..=[`MEMORY_LIMITS`]).
    pub fn memory_limit_addr(&self, reach: u64) -> u64 {
        debug_assert!((1..=MEMORY_LIMITS).contains(&reach));
        self.memory_limits_addr + 8 * (reach - 1)
    }

    pub fn global_addr(&self, index: u32) -> u64 {
        self.globals_addr + 8 * index as u64
    }

    /// The access limits of a memory of `bytes` bytes, as preloaded RAM.
    pub(crate) fn memory_limits_bytes(bytes: u64) -> Vec<u8> {
        (0..MEMORY_LIMITS)
            .flat_map(|i| bytes.saturating_sub(i).to_le_bytes())
            .collect()
    }

    pub(crate) fn plan(
        config: &LayoutConfig,
        globals: usize,
        tables: &[(u64, Option<u64>)],
        memory: Option<(u64, Option<u64>)>,
        passive_data_sizes: &[Option<u64>],
        passive_elem_sizes: &[Option<u64>],
    ) -> Result<MachineLayout, CompileError> {
        let mut at = config.ram_start;
        let memory_size_addr = at;
        at += 8;
        let memory_limits_addr = at;
        at += 8 * MEMORY_LIMITS;
        let runtime_state_addr = at;
        at += RUNTIME_STATE_BYTES;
        let globals_addr = at;
        at += 8 * globals as u64;
        let mut table_layouts = Vec::new();
        for (i, &(initial, maximum)) in tables.iter().enumerate() {
            let capacity = maximum
                .unwrap_or(DEFAULT_TABLE_CAPACITY.max(initial))
                .min(1 << 24);
            if initial > capacity {
                return Err(CompileError::TooLarge(format!(
                    "table {i} has {initial} entries"
                )));
            }
            let size_addr = at;
            at += 8;
            table_layouts.push(TableLayout {
                size_addr,
                entries_addr: at,
                capacity,
            });
            at += 8 * capacity;
        }
        // Segments: a length word each; passive ones also keep their contents here.
        let mut segments = |sizes: &[Option<u64>], unit: u64| -> Vec<SegmentLayout> {
            sizes
                .iter()
                .map(|size| {
                    let len_addr = at;
                    at += 8;
                    let contents_addr = at;
                    at = (at + size.unwrap_or(0) * unit).next_multiple_of(8);
                    SegmentLayout {
                        len_addr,
                        contents_addr,
                    }
                })
                .collect()
        };
        let data_segments = segments(passive_data_sizes, 1);
        let elem_segments = segments(passive_elem_sizes, 8);
        let memory_base = at.next_multiple_of(WASM_PAGE);
        if memory_base >= config.ram_end {
            return Err(CompileError::TooLarge(
                "tables and globals fill the RAM window".into(),
            ));
        }
        let fits = (config.ram_end - memory_base) / WASM_PAGE;
        let memory_max_pages = match memory {
            None => 0,
            Some((initial, maximum)) => {
                if initial > fits {
                    return Err(CompileError::TooLarge(format!(
                        "linear memory starts with {initial} pages; ZisK's RAM holds {fits}"
                    )));
                }
                maximum.unwrap_or(fits).min(fits)
            }
        };
        Ok(MachineLayout {
            memory_size_addr,
            memory_limits_addr,
            runtime_state_addr,
            globals_addr,
            tables: table_layouts,
            data_segments,
            elem_segments,
            memory_base,
            memory_max_pages,
            stack_limit: config.stack_limit,
        })
    }
}
