//! Time the pack's PDF (typst layout, then PDF export) on a workbook, for finding where the
//! PDF's time goes. Usage:
//! cargo run --release --example pdf_times -- FILE.xlsx YYYY-MM [REPEATS] [TEMPLATES_DIR]
//! A templates folder (as `--templates`) lets a template change be timed without a rebuild.
use kebiao::config::Config;
use kebiao::error::Lang;
use std::time::Instant;

#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let cfg = Config::default();
    let ds = kebiao::model::load(&[args[1].clone().into()], None, &cfg).expect("load");
    let month = args[2].parse().expect("month");
    let reps: usize = args.get(3).map_or(3, |s| s.parse().expect("repeats"));
    let templates = args.get(4).map(std::path::PathBuf::from);
    let pack = kebiao::report::build(&ds, month, &cfg, Lang::Zh);
    let engine = kebiao::render::pdf::Engine::new(templates.as_deref(), &[]).expect("engine");
    for _ in 0..reps {
        // Each run starts from an empty memo cache, as the first PDF of a process does.
        typst::comemo::evict(0);
        let (t, cpu) = (Instant::now(), process_cpu());
        let (data, mut files) = kebiao::render::pack::model(&pack, Lang::Zh, &cfg);
        files.insert("/data.json".into(), serde_json::to_vec(&data).unwrap());
        let doc = engine
            .compile("report.typ", files, pack.report_date)
            .expect("compile");
        let (t1, cpu1) = (Instant::now(), process_cpu());
        let bytes = engine.pdf(&doc, "x", true).expect("pdf");
        eprintln!(
            "{} pages, {} bytes: layout {:.2}s wall {:.2}s cpu, export {:.2}s wall {:.2}s cpu",
            doc.pages().len(),
            bytes.len(),
            (t1 - t).as_secs_f64(),
            cpu1 - cpu,
            t1.elapsed().as_secs_f64(),
            process_cpu() - cpu1
        );
    }
}

fn process_cpu() -> f64 {
    kebiao::timing::cpu_seconds_in("/proc/self/stat")
}
