//! Time of the pure statistics (every monthly table, and the whole pack model) on generated data,
//! separate from reading the workbook. Run: `cargo bench --bench stats` (LINES=1000000 CUSTOMERS=50000
//! to change the size). Prints timings; not a timed test.

use kebiao::config::Config;
use kebiao::stats::{catalogue, Ctx, Month};
use std::time::Instant;

fn main() {
    let env = |k: &str, d: u64| {
        std::env::var(k)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(d)
    };
    let lines = env("LINES", 100_000);
    let customers = env("CUSTOMERS", 5_000) as usize;
    let dir = tempfile::tempdir().expect("tempdir");
    let path = dir.path().join("bench.xlsx");
    let params = kebiao::sample::Params {
        customers,
        months: 24,
        seed: 7,
        lines,
        abbr: "BENCH".into(),
    };
    let file = std::fs::File::create(&path).expect("create");
    kebiao::sample::generate(&params, dir.path(), std::io::BufWriter::new(file)).expect("generate");
    let cfg = Config::default();
    let t = Instant::now();
    let ds = kebiao::model::load(&[path], None, &cfg).expect("load");
    let load = t.elapsed();
    let month: Month = "2026-10".parse().expect("month");
    let mut best_tables = f64::MAX;
    let mut best_pack = f64::MAX;
    let mut n_tables = 0;
    for _ in 0..3 {
        let t = Instant::now();
        let ctx = Ctx::new(&ds, month, &cfg);
        n_tables = catalogue::all(&ctx).len();
        best_tables = best_tables.min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        let pack = kebiao::report::build(&ds, month, &cfg, kebiao::error::Lang::Zh);
        std::hint::black_box(&pack);
        best_pack = best_pack.min(t.elapsed().as_secs_f64());
    }
    println!(
        "lines={lines} customers={customers}: load {:.2}s; all {n_tables} monthly tables {:.3}s; pack model (with 3-month KPIs) {:.3}s",
        load.as_secs_f64(),
        best_tables,
        best_pack
    );
}
