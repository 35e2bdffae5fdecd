//! The memory allocator's settings. The binary and the benchmarks use mimalloc (faster than the
//! system allocator on many threads' small strings). By default it keeps freed memory for a
//! second, commits its arenas eagerly and uses transparent huge pages, which together raised a
//! build's peak RSS by half (180 MB instead of 120 MB at 1,000 notes) without making it faster.

use libmimalloc_sys::{mi_option_set, mi_option_t};

// Positions in mimalloc 3's `mi_option_e` (mimalloc.h); the crate names only older ones.
const ARENA_EAGER_COMMIT: mi_option_t = 4;
const PURGE_DELAY: mi_option_t = 15;

/// Milliseconds freed memory is kept before it goes back to the system. Measured on builds of
/// 1,000 and 10,000 notes: at 0 every free is a system call (10% of the CPU time in `madvise`,
/// page faults and TLB flushes); at 10 the build is 8% faster (10,000 notes: 13.5 -> 12.4 s)
/// for 1% more peak RSS; at mimalloc's default of 1,000 the peak at 1,000 notes is 35% higher.
const KEEP_FREED_MS: std::ffi::c_long = 10;

/// Return freed memory to the system soon and commit arena memory only as it is used.
/// (Transparent huge pages are off at compile time: mimalloc's `no_thp` feature.) Call first
/// thing in `main`.
pub fn return_memory_early() {
    // SAFETY: mi_option_set only stores an integer in mimalloc's option table.
    unsafe {
        mi_option_set(ARENA_EAGER_COMMIT, 0);
        mi_option_set(PURGE_DELAY, KEEP_FREED_MS);
    }
}
