//! `KEBIAO_TIMES=1`: stage and phase timings on stderr, for finding where a slow run spends its
//! time (ingest stages, the pack's phases, each statistics family). Never part of an output file,
//! and nothing at all is measured when the switch is off.

/// Whether `KEBIAO_TIMES=1` is set.
pub fn on() -> bool {
    std::env::var_os("KEBIAO_TIMES").is_some_and(|v| v == "1")
}

/// CPU seconds (user + system) from a /proc stat file: `/proc/self/stat` for the process,
/// `/proc/thread-self/stat` for the calling thread; 0 where it cannot be read. Ticks are the
/// kernel's USER_HZ, 100 on Linux.
pub fn cpu_seconds_in(stat_path: &str) -> f64 {
    let Ok(stat) = std::fs::read_to_string(stat_path) else {
        return 0.0;
    };
    // Fields after the parenthesised command name; utime and stime are the 12th and 13th.
    let Some(rest) = stat.rsplit_once(')').map(|(_, r)| r) else {
        return 0.0;
    };
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks = |i: usize| f.get(i).and_then(|v| v.parse::<f64>().ok()).unwrap_or(0.0);
    (ticks(11) + ticks(12)) / 100.0
}

/// Run one phase; when timings are on, print its wall time and the CPU time of the calling thread
/// (the PDF and the workbook run on two threads at once, so process CPU would count both).
pub fn timed<T>(phase: &str, f: impl FnOnce() -> T) -> T {
    if !on() {
        return f();
    }
    // When each phase ends, from the start of the first: phases on other threads overlap.
    static FIRST: std::sync::OnceLock<std::time::Instant> = std::sync::OnceLock::new();
    let cpu = || cpu_seconds_in("/proc/thread-self/stat");
    let (t, c0) = (std::time::Instant::now(), cpu());
    let first = *FIRST.get_or_init(|| t);
    let out = f();
    eprintln!(
        "[time] {phase}: wall {:.3}s, cpu {:.2}s (this thread), ends at {:.3}s",
        t.elapsed().as_secs_f64(),
        cpu() - c0,
        first.elapsed().as_secs_f64()
    );
    out
}
