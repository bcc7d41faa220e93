//! Criterion benches of the pure statistics: each family, all monthly tables, and the pack model
//! (with its 3-month KPIs), on generated datasets of 10k and 100k sales lines. Reading the workbook
//! is not measured (benches/ingest.rs does that).
//!
//! Run: `cargo bench --bench stats` (`LINES=10000` or `LINES=10000,1000000` to choose the sizes;
//! criterion's filter works too: `cargo bench --bench stats -- grading`, and `-- --quick`). The generated workbooks
//! are kept under the target directory, so only the first run pays for `kebiao sample`.

use criterion::{criterion_group, criterion_main, Criterion};
use kebiao::config::Config;
use kebiao::model::Dataset;
use kebiao::stats::{self, catalogue, Ctx, Month};
use std::hint::black_box;
use std::path::PathBuf;
use std::time::Duration;

/// The sample workbook of `lines` sales lines (customers = lines / 20, at least 300, 24 months,
/// fixed seed), generated once into the target directory and reused.
fn workbook(lines: u64) -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("stats-bench");
    let path = dir.join(format!("sample-{lines}.xlsx"));
    if !path.exists() {
        std::fs::create_dir_all(&dir).expect("bench data folder");
        let params = kebiao::sample::Params {
            customers: (lines as usize / 20).max(300),
            months: 24,
            seed: 7,
            lines,
            abbr: "BENCH".into(),
        };
        // Written under a temporary name first: an interrupted bench leaves no half workbook.
        let part = dir.join(format!("sample-{lines}.xlsx.part"));
        let file = std::fs::File::create(&part).expect("create bench workbook");
        kebiao::sample::generate(&params, &dir, std::io::BufWriter::new(file)).expect("generate");
        std::fs::rename(&part, &path).expect("rename bench workbook");
    }
    path
}

fn sizes() -> Vec<u64> {
    std::env::var("LINES")
        .unwrap_or_else(|_| "10000,100000".into())
        .split(',')
        .filter_map(|s| s.trim().parse().ok())
        .collect()
}

fn label(lines: u64) -> String {
    if lines % 1000 == 0 {
        format!("{}k", lines / 1000)
    } else {
        lines.to_string()
    }
}

fn bench_stats(c: &mut Criterion) {
    let cfg = Config::default();
    for lines in sizes() {
        let ds: Dataset = kebiao::model::load(&[workbook(lines)], None, &cfg).expect("load");
        let month: Month =
            kebiao::cmd::pack::latest_complete_month(&ds).expect("sample has sales lines");
        let ctx = Ctx::new(&ds, month, &cfg);
        let size = label(lines);
        let mut g = c.benchmark_group(format!("stats-{size}"));
        // A 100k-line pack model takes seconds per call: ten samples are enough to see changes.
        g.sample_size(10)
            .warm_up_time(Duration::from_millis(500))
            .measurement_time(Duration::from_secs(if lines > 20_000 { 20 } else { 5 }));
        g.bench_function("ctx (net entries)", |b| {
            b.iter(|| Ctx::new(black_box(&ds), month, &cfg))
        });
        g.bench_function("sales-by-region", |b| {
            b.iter(|| stats::sales::sales_by_region(black_box(&ctx.entries), month))
        });
        let families: [(&str, fn(&Ctx) -> Vec<stats::Table>); 6] = [
            ("grading", stats::grading::tables),
            ("retention", stats::retention::tables),
            ("salespeople", stats::salespeople::tables),
            ("receivables", stats::receivables::tables),
            ("credit", stats::credit::tables),
            ("followup", stats::followup::tables),
        ];
        for (name, f) in families {
            g.bench_function(name, |b| b.iter(|| f(black_box(&ctx))));
        }
        let grades = stats::grading::grades(&ctx);
        g.bench_function("complaints", |b| {
            b.iter(|| stats::complaints::tables(black_box(&ctx), &grades))
        });
        g.bench_function("all monthly tables", |b| {
            b.iter(|| catalogue::all(black_box(&ctx)))
        });
        g.bench_function("pack model", |b| {
            b.iter(|| kebiao::report::build(black_box(&ds), month, &cfg, kebiao::error::Lang::Zh))
        });
        g.finish();
    }
}

criterion_group!(benches, bench_stats);
criterion_main!(benches);
