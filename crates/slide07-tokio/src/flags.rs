//! Slide 7's one flag of its own, `--runtime`: which of tokio's runtimes runs the event loop.

/// Parsed and listed in `--help` together with the flags every slide shares.
#[derive(Debug, clap::Args)]
pub struct RuntimeFlag {
    /// current-thread: one thread runs every task, like asyncio's event loop;
    /// multi-thread: one thread per CPU shares them
    #[arg(long, value_enum, default_value_t = Runtime::CurrentThread)]
    pub runtime: Runtime,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Runtime {
    CurrentThread,
    MultiThread,
}
