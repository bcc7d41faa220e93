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
    no_transparent_huge_pages();
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

/// mimalloc asks Linux for transparent huge pages on its memory, and each first touch of one
/// zeroes 2 MiB at once: memory that mimalloc hands back and takes again was zeroed over and
/// over (a pack of 100,000 lines spent ≈ 2 s of system CPU, a fifth of its time, most of it
/// clearing huge pages; without them ≈ 1.1 s and 60 MiB less peak memory). A failure changes
/// nothing but the speed, so it is ignored.
#[cfg(target_os = "linux")]
fn no_transparent_huge_pages() {
    // SAFETY: prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) takes plain integers, touches no memory of
    // ours and only sets this process's huge-page policy.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

#[cfg(not(target_os = "linux"))]
fn no_transparent_huge_pages() {}
