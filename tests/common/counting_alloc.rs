//! The counting global allocator of the tests, the benches and `examples/embedded.rs`: the
//! system allocator plus, per thread, the bytes held, their peak and the allocation calls.
//!
//! Counting per thread keeps the test harness's other threads (and other tests running in
//! parallel) out of a measurement: what a thread sees is what it allocated and freed. A
//! user declares it, then reads [`now`] around the code measured:
//!
//! ```ignore
//! #[global_allocator]
//! static GLOBAL: counting_alloc::Counting = counting_alloc::Counting;
//! ```
//!
//! Included with `#[path]` by `examples/embedded.rs` (so it depends on `std` only) and as
//! `common::counting_alloc` by the tests and `benches/compare/`.

use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;

thread_local! {
    // `const` and no destructor: using them allocates nothing, so the allocator may.
    static CURRENT: Cell<isize> = const { Cell::new(0) };
    static PEAK: Cell<isize> = const { Cell::new(0) };
    static CALLS: Cell<usize> = const { Cell::new(0) };
}

/// Delegates to the system allocator and counts, for the calling thread.
pub struct Counting;

/// `bytes` more held (negative: fewer); `call`: one more allocation call. Ignored while a
/// thread's locals are being destroyed.
fn count(bytes: isize, call: bool) {
    let _ = CURRENT.try_with(|c| {
        let now = c.get() + bytes;
        c.set(now);
        let _ = PEAK.try_with(|p| p.set(p.get().max(now)));
    });
    if call {
        let _ = CALLS.try_with(|c| c.set(c.get() + 1));
    }
}

fn signed(n: usize) -> isize {
    isize::try_from(n).expect("an allocation is at most isize::MAX bytes")
}

// SAFETY: every call is forwarded unchanged to `System`; only thread-local counters (which
// do not allocate) are updated.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        count(signed(layout.size()), true);
        unsafe { System.alloc(layout) }
    }
    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        count(signed(layout.size()), true);
        unsafe { System.alloc_zeroed(layout) }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        count(-signed(layout.size()), false);
        unsafe { System.dealloc(ptr, layout) }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Counted as the new block allocated before the old one is freed, as a moving
        // realloc does, so the peak includes both.
        count(signed(new_size), true);
        count(-signed(layout.size()), false);
        unsafe { System.realloc(ptr, layout, new_size) }
    }
}

/// What the calling thread's heap use looks like now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Heap {
    /// Bytes allocated and not freed by this thread (0 if it freed more than it allocated).
    pub current: usize,
    /// The most bytes held at once since the last [`reset_peak`].
    pub peak: usize,
    /// Allocation calls (alloc, alloc_zeroed, realloc) so far.
    pub calls: usize,
}

/// The calling thread's counters now.
pub fn now() -> Heap {
    let unsigned = |n: isize| usize::try_from(n).unwrap_or(0);
    Heap {
        current: unsigned(live()),
        peak: unsigned(PEAK.with(Cell::get)),
        calls: CALLS.with(Cell::get),
    }
}

/// Bytes allocated minus bytes freed by the calling thread, signed (a thread may free what
/// another allocated).
pub fn live() -> isize {
    CURRENT.with(Cell::get)
}

/// Starts a new peak measurement from the current level.
pub fn reset_peak() {
    PEAK.with(|p| p.set(live()));
}

/// The peak heap growth on the calling thread while `f` runs.
pub fn peak_during(f: impl FnOnce()) -> usize {
    let base = live();
    reset_peak();
    f();
    usize::try_from(PEAK.with(Cell::get) - base).expect("the peak is at least the start")
}
