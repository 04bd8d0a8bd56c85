//! Allocator tuning for the long-running server.
//!
//! glibc raises its mmap threshold each time a large mmapped block is freed, so after the
//! first few publications the big, short-lived buffers (a source's snapshot, parsed push
//! bodies) come from the heap arenas instead, and their memory stays in the process once
//! freed: the resident size then carries a spare copy of the largest snapshots. Pinning the
//! threshold at glibc's default (128 KiB) keeps every large block on mmap, so freeing it gives
//! the memory back at once. Small allocations are untouched.

/// The size from which blocks are mapped and unmapped on their own (glibc's default).
const MMAP_THRESHOLD: i32 = 128 * 1024;

/// Applies the tuning; call once at start-up, before the runtime's threads exist.
pub fn tune() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // SAFETY: mallopt only sets an allocator parameter; no memory is touched.
        let accepted = unsafe { libc::mallopt(libc::M_MMAP_THRESHOLD, MMAP_THRESHOLD) };
        if accepted != 1 {
            tracing::debug!("malloc refused the mmap threshold");
        }
    }
}
