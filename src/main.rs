//! kebiao: parse args → run → print the error chain → exit code (0 done, 1 done with data
//! problems, 2 could not run).

use clap::Parser;
use kebiao::cli::Cli;
use std::process::ExitCode;

// mimalloc instead of glibc's malloc: statistics and ingest make millions of small allocations
// (strings of ids, map nodes), and at 1,000,000 lines glibc's free-list upkeep (unlink_chunk,
// malloc_consolidate) was a fifth of the pack's CPU time.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> ExitCode {
    kebiao::par::no_transparent_huge_pages();
    let cli = Cli::parse();
    match kebiao::cmd::run(&cli) {
        Ok(code) => ExitCode::from(code),
        Err(err) => {
            eprintln!("错误 (error): {err}");
            for cause in err.chain().skip(1) {
                eprintln!("  原因 (caused by): {cause}");
            }
            ExitCode::from(2)
        }
    }
}
