//! What a process may hold open: every connection is a file descriptor.

/// Raises this process's soft limit on open files to its hard limit, and gives the limit it has
/// now. Each request in flight holds a socket, which is a file: the usual soft limit (1024 on
/// Linux, 256 on macOS) would fail requests past it with "Too many open files". Raising the soft
/// limit up to the hard one needs no privilege; if even that fails, the process runs within the
/// limit it has, and a request that hits it says what to do.
pub fn raise_open_file_limit() -> u64 {
    rlimit::increase_nofile_limit(u64::MAX)
        .or_else(|_| rlimit::getrlimit(rlimit::Resource::NOFILE).map(|(soft, _hard)| soft))
        // Not even readable: assume the usual soft limit.
        .unwrap_or(1024)
}
