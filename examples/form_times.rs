//! Where the time of `kebiao forms fill` goes: data loading, record JSON, typst compile (eval +
//! layout) and PDF export, per batch. `cargo run --release --example form_times -- DIR FORM [BATCH] [N]`.

use kebiao::config::Config;
use kebiao::error::Lang;
use kebiao::render::pdf::Engine;
use std::collections::HashMap;
use std::time::Instant;

fn main() {
    let mut args = std::env::args().skip(1);
    let dir = args.next().expect("DIR");
    let id = args.next().unwrap_or_else(|| "customer_data_card".into());
    let batch: usize = args.next().and_then(|s| s.parse().ok()).unwrap_or(200);
    let limit: usize = args
        .next()
        .and_then(|s| s.parse().ok())
        .unwrap_or(usize::MAX);
    let cfg = Config::load(None).expect("default config");
    let t = Instant::now();
    let ds = kebiao::model::load(&[dir.into()], None, &cfg).expect("loads");
    eprintln!("load            {:>8.3} s", t.elapsed().as_secs_f64());
    let spec = kebiao::forms::find(&id).expect("form id");
    let t = Instant::now();
    let records = kebiao::cmd::forms::records_for(&spec, &ds, &[], false).expect("records");
    let records: Vec<_> = records.into_iter().take(limit).collect();
    eprintln!(
        "records_for     {:>8.3} s ({} records)",
        t.elapsed().as_secs_f64(),
        records.len()
    );
    // KEBIAO_TEMPLATES=DIR: try a changed form.typ without rebuilding.
    let over = std::env::var_os("KEBIAO_TEMPLATES").map(std::path::PathBuf::from);
    let engine = Engine::new(over.as_deref(), &[]).expect("engine");
    let date = chrono::NaiveDate::from_ymd_opt(2026, 10, 31).expect("date");
    let (mut tj, mut tc, mut tp, mut pages) = (0.0, 0.0, 0.0, 0);
    for chunk in records.chunks(batch) {
        let t = Instant::now();
        let mut data = kebiao::forms::render_data(&spec, chunk, "示例公司", Lang::Zh);
        // As `render::form::document`'s first pass: each record as many pages as its bodies, with
        // fixed footers (without `pages` every footer would ask typst where it is).
        if let Some(obj) = data.as_object_mut() {
            obj.insert("pages".into(), serde_json::json!(vec![(); chunk.len()]));
        }
        let files = HashMap::from([(
            "/data.json".to_string(),
            serde_json::to_vec(&data).expect("json"),
        )]);
        tj += t.elapsed().as_secs_f64();
        let t = Instant::now();
        let doc = engine.compile("form.typ", files, date).expect("compiles");
        tc += t.elapsed().as_secs_f64();
        pages += doc.pages().len();
        // KEBIAO_DUMP=1: print each page's text (to check page numbering).
        if std::env::var_os("KEBIAO_DUMP").is_some() {
            for (i, t) in kebiao::render::pdf::page_texts(&doc).iter().enumerate() {
                println!("page {}: {t}", i + 1);
            }
        }
        let t = Instant::now();
        let pdf = engine.pdf(&doc, "x", false).expect("pdf");
        tp += t.elapsed().as_secs_f64();
        std::hint::black_box(pdf);
    }
    eprintln!("json            {tj:>8.3} s");
    eprintln!("typst compile   {tc:>8.3} s ({pages} pages)");
    eprintln!("pdf export      {tp:>8.3} s");
}
