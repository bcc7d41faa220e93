//! Work split into independent jobs on the machine's cores: the sheets of a workbook (ingest) and
//! the statistics families. Results always come back in job order, so no output depends on which
//! thread ran what. (The pack's data sheets share out their pieces themselves, see
//! `render::data_sheet`.) And the process's memory policy, which decides how much of the cores'
//! time goes to the kernel.

use std::sync::Mutex;

/// Threads for work that splits into independent jobs (the sheets of a workbook, the statistics
/// families): the machine's cores, at most 4, or `KEBIAO_THREADS` (1 runs everything on the
/// calling thread, for measurements).
pub fn threads() -> usize {
    if let Some(n) = std::env::var("KEBIAO_THREADS")
        .ok()
        .and_then(|v| v.trim().parse::<usize>().ok())
    {
        return n.max(1);
    }
    std::thread::available_parallelism().map_or(1, |n| n.get().min(4))
}

/// A piece of work for [`run_jobs`].
pub type Job<'s, R> = Box<dyn FnOnce() -> R + Send + 's>;

/// Run the jobs on up to [`threads`] threads, each thread taking the next job not yet started
/// (so list the long ones first), and return their results in the order of `jobs`: which thread
/// ran what never shows in the output. A job that panics panics the caller.
pub fn run_jobs<'s, R: Send>(jobs: Vec<Job<'s, R>>) -> Vec<R> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let n = threads().min(jobs.len());
    if n <= 1 {
        return jobs.into_iter().map(|j| j()).collect();
    }
    let slots: Vec<Mutex<Option<Job<'s, R>>>> =
        jobs.into_iter().map(|j| Mutex::new(Some(j))).collect();
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..n)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(slot) = slots.get(i) else { break };
                        let job = slot.lock().unwrap_or_else(|e| e.into_inner()).take();
                        if let Some(job) = job {
                            out.push((i, job()));
                        }
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().unwrap_or_else(|e| std::panic::resume_unwind(e)))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// mimalloc asks Linux for transparent huge pages on its memory, and each first touch of one
/// zeroes 2 MiB at once: memory that mimalloc hands back and takes again was zeroed over and
/// over (a pack of 100,000 lines spent ≈ 2 s of system CPU, a fifth of its time, most of it
/// clearing huge pages; without them ≈ 1.1 s and 60 MiB less peak memory). A failure changes
/// nothing but the speed, so it is ignored. Called first thing by the binary (and the
/// benchmarks, so that they measure what the binary spends).
#[cfg(target_os = "linux")]
pub fn no_transparent_huge_pages() {
    // SAFETY: prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) takes plain integers, touches no memory of
    // ours and only sets this process's huge-page policy.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, 1, 0, 0, 0);
    }
}

/// Elsewhere there is nothing to turn off.
#[cfg(not(target_os = "linux"))]
pub fn no_transparent_huge_pages() {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn run_jobs_returns_results_in_job_order_whichever_finishes_first() {
        // The first job is the slowest: on two threads the others finish before it.
        let jobs: Vec<Job<usize>> = (0..6usize)
            .map(|i| -> Job<usize> {
                Box::new(move || {
                    if i == 0 {
                        std::thread::sleep(std::time::Duration::from_millis(30));
                    }
                    i * 10
                })
            })
            .collect();
        assert_eq!(run_jobs(jobs), vec![0, 10, 20, 30, 40, 50]);
        assert!(run_jobs::<u8>(Vec::new()).is_empty());
    }
}
