//! The guests' heap under WebAssembly: the same bump allocator ZisK's native guests get.
//!
//! A native ZisK guest allocates with ziskos's default `BumpPointerAlloc`: align, bump,
//! never free, `realloc` = allocate and copy. Under `wasm32-wasip1` std would use
//! wasi-libc's dlmalloc instead, whose bookkeeping (malloc, free, realloc's splitting and
//! coalescing) is about a tenth of eth_block's proving cost. The comparison between the
//! paths is about the compilers, so the wasm guests run the native guests' algorithm.
//!
//! Memory comes only from `memory.grow`, never from below its end: wasi-libc's own malloc
//! (used by libc internals) takes the space after `__heap_base`, and pages fresh from
//! `memory.grow` are zero, so `alloc_zeroed` needs no fill, as natively.

use core::alloc::{GlobalAlloc, Layout};
use core::arch::wasm32;
use core::cell::Cell;

const PAGE: usize = 65_536;
/// Memory grows at least this many pages at a time: each `memory.grow` is a few thousand
/// steps, and pages no one touches cost nothing to prove.
const GROWTH_PAGES: usize = 64;

struct BumpHeap {
    /// The next free byte, and the end of the pages this allocator grew.
    next: Cell<usize>,
    end: Cell<usize>,
}

// SAFETY: the guests are single-threaded (wasm32-wasip1 without threads).
unsafe impl Sync for BumpHeap {}

#[global_allocator]
static HEAP: BumpHeap = BumpHeap {
    next: Cell::new(0),
    end: Cell::new(0),
};

impl BumpHeap {
    /// Grows memory for at least `size` bytes at alignment `align`; false when memory is full.
    fn grow(&self, size: usize, align: usize) -> bool {
        let Some(bytes) = size.checked_add(align) else {
            return false;
        };
        let pages = bytes.div_ceil(PAGE).max(GROWTH_PAGES);
        let old_pages = wasm32::memory_grow(0, pages);
        if old_pages == usize::MAX {
            return false;
        }
        let start = old_pages * PAGE;
        // Someone else (libc's malloc) grew memory since: continue in the new pages.
        if start != self.end.get() {
            self.next.set(start);
        }
        self.end.set(start + pages * PAGE);
        true
    }
}

unsafe impl GlobalAlloc for BumpHeap {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        let align = layout.align();
        loop {
            let start = (self.next.get() + (align - 1)) & !(align - 1);
            if let Some(end) = start.checked_add(layout.size()) {
                if end <= self.end.get() && self.end.get() != 0 {
                    self.next.set(end);
                    return start as *mut u8;
                }
            }
            if !self.grow(layout.size(), align) {
                return core::ptr::null_mut();
            }
        }
    }

    unsafe fn dealloc(&self, _ptr: *mut u8, _layout: Layout) {
        // Never frees, as the native guests' allocator.
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // Every byte handed out comes from fresh pages of memory.grow, never reused: zero.
        unsafe { self.alloc(layout) }
    }
}
