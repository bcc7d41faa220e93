//! Time each statistics family on a workbook (finding where the time goes). Usage:
//! cargo run --release --example family_times -- FILE.xlsx YYYY-MM
use kebiao::config::Config;
use kebiao::stats::*;
use std::time::Instant;

// The binary's allocator (src/main.rs), so the times are the ones `kebiao` gets.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    kebiao::par::no_transparent_huge_pages();
    let args: Vec<String> = std::env::args().collect();
    let cfg = Config::default();
    let t = Instant::now();
    let ds = kebiao::model::load(&[args[1].clone().into()], None, &cfg).expect("load");
    eprintln!("load {:.2}s", t.elapsed().as_secs_f64());
    let month: Month = args[2].parse().expect("month");
    // KEBIAO_DUMP=FILE: write every table of the month and the whole pack model ({:?}, which
    // shows each Decimal with its scale) instead of timing, to compare two builds byte for byte.
    if let Ok(path) = std::env::var("KEBIAO_DUMP") {
        let tables = catalogue::all(&Ctx::new(&ds, month, &cfg));
        let pack = kebiao::report::build(&ds, month, &cfg, kebiao::error::Lang::Zh);
        std::fs::write(path, format!("{tables:#?}\n{pack:#?}\n")).expect("write dump");
        return;
    }
    // KEBIAO_ONLY=build: only `report::build`, five times (for a profiler: nothing else runs
    // after the load).
    if std::env::var("KEBIAO_ONLY").is_ok_and(|v| v == "build") {
        time_builds(5, &ds, month, &cfg);
        return;
    }
    let t = Instant::now();
    let ctx = Ctx::new(&ds, month, &cfg);
    eprintln!("ctx {:.2}s", t.elapsed().as_secs_f64());
    macro_rules! time {
        ($name:literal, $e:expr) => {{
            let t = Instant::now();
            let n = $e.len();
            eprintln!(
                "{:<12} {:>3} tables {:.2}s",
                $name,
                n,
                t.elapsed().as_secs_f64()
            );
        }};
    }
    time!("grading", grading::tables(&ctx));
    time!("retention", retention::tables(&ctx));
    time!("salespeople", salespeople::tables(&ctx));
    time!("receivables", receivables::tables(&ctx));
    time!("credit", credit::tables(&ctx));
    time!("followup", followup::tables(&ctx));
    let g = grading::grades(&ctx);
    time!("complaints", complaints::tables(&ctx, &g));
    // Every family's tables of the month (`catalogue::all`, what `cargo bench --bench stats` calls
    // "all monthly tables"), without the 摘要's KPIs of three months.
    for _ in 0..3 {
        let (t, cpu) = (Instant::now(), process_cpu());
        let _ = catalogue::all(&Ctx::new(&ds, month, &cfg));
        eprintln!(
            "all monthly tables {:.2}s wall, {:.2}s cpu",
            t.elapsed().as_secs_f64(),
            process_cpu() - cpu
        );
    }
    // The whole pack model (every family and the 摘要 KPIs, on `kebiao::par::threads()`
    // threads) three times: the best wall time and the process CPU of each run.
    time_builds(3, &ds, month, &cfg);
}

/// `report::build` `n` times, each run's wall time and process CPU.
fn time_builds(n: usize, ds: &kebiao::model::Dataset, month: Month, cfg: &Config) {
    for _ in 0..n {
        let (t, cpu) = (Instant::now(), process_cpu());
        let _ = kebiao::report::build(ds, month, cfg, kebiao::error::Lang::Zh);
        eprintln!(
            "report::build {:.2}s wall, {:.2}s cpu",
            t.elapsed().as_secs_f64(),
            process_cpu() - cpu
        );
    }
}

fn process_cpu() -> f64 {
    kebiao::timing::cpu_seconds_in("/proc/self/stat")
}
