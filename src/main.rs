//! The `fascia` command.

fn main() -> std::process::ExitCode {
    fascia::cli::run()
}

/// jemalloc: a build allocates and frees many small strings on every thread,
/// where it spends about a sixth less CPU than the system allocator
/// (`scripts/bench.sh`).
#[cfg(not(target_env = "msvc"))]
#[global_allocator]
static GLOBAL: tikv_jemallocator::Jemalloc = tikv_jemallocator::Jemalloc;
