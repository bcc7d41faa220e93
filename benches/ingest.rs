//! Throughput of `model::load` against calamine alone on a generated 销售明细 workbook.
//! Run: `cargo bench --bench ingest` (ROWS=200000 to change the size). Not a timed test.

use calamine::Reader;
use rust_xlsxwriter::Workbook;
use std::time::Instant;

fn main() {
    let rows: u32 = std::env::var("ROWS")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(100_000);
    let dir = tempfile::tempdir().expect("tempdir");
    let p = dir.path().join("bench.xlsx");
    let mut wb = Workbook::new();
    {
        let ws = wb.add_worksheet();
        ws.set_name("客户信息").expect("name");
        ws.write_row(0, 0, ["客户编号", "客户名称", "区域"])
            .expect("w");
        for i in 0..500u32 {
            ws.write_row(
                i + 1,
                0,
                [
                    format!("C{i:04}"),
                    format!("客户{i}有限公司"),
                    "华东".to_string(),
                ],
            )
            .expect("w");
        }
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("销售明细").expect("name");
        ws.write_row(
            0,
            0,
            [
                "订单号",
                "订货日期",
                "客户编号",
                "业务员",
                "产品编号",
                "数量",
                "单价",
                "金额",
                "状态",
            ],
        )
        .expect("w");
        for i in 0..rows {
            let r = i + 1;
            ws.write_string(r, 0, format!("SO{i:07}")).expect("w");
            ws.write_string(r, 1, format!("2024-{:02}-{:02}", i % 12 + 1, i % 28 + 1))
                .expect("w");
            ws.write_string(r, 2, format!("C{:04}", i % 500))
                .expect("w");
            ws.write_string(r, 3, "张三").expect("w");
            ws.write_string(r, 4, format!("P{:03}", i % 50)).expect("w");
            ws.write_number(r, 5, f64::from(i % 10 + 1)).expect("w");
            ws.write_number(r, 6, 12.5).expect("w");
            ws.write_number(r, 7, f64::from(i % 10 + 1) * 12.5)
                .expect("w");
            ws.write_string(r, 8, "正常").expect("w");
        }
    }
    wb.save(&p).expect("save");

    let t = Instant::now();
    let mut x: calamine::Xlsx<_> = calamine::open_workbook(&p).expect("open");
    let mut cells = 0usize;
    for name in x.sheet_names() {
        let r = x.worksheet_range(&name).expect("range");
        cells += r.used_cells().count();
    }
    let cal = t.elapsed();
    let t = Instant::now();
    let ds = kebiao::model::load(
        std::slice::from_ref(&p),
        None,
        &kebiao::config::Config::default(),
    )
    .expect("load");
    let ours = t.elapsed();
    let t = Instant::now();
    let bytes = std::fs::read(&p).expect("read");
    let book = kebiao::ingest::open::read_book(&p, &bytes).expect("book");
    let open_t = t.elapsed();
    let t = Instant::now();
    let ing = kebiao::ingest::read_inputs(std::slice::from_ref(&p), None).expect("ingest");
    let ing_t = t.elapsed();
    let t = Instant::now();
    let _ = kebiao::model::load::build(ing, &kebiao::config::Config::default());
    let build_t = t.elapsed();
    println!(
        "stages: open (sparse cells) {:.3}s, open+find tables {:.3}s, typing+linking+checks {:.3}s ({} sheets)",
        open_t.as_secs_f64(),
        ing_t.as_secs_f64(),
        build_t.as_secs_f64(),
        book.sheets.len()
    );
    println!(
        "rows {rows}, cells {cells}: calamine worksheet_range {:.3}s, kebiao load {:.3}s ({:.1}×), sales {}",
        cal.as_secs_f64(),
        ours.as_secs_f64(),
        ours.as_secs_f64() / cal.as_secs_f64(),
        ds.sales.map(|s| s.len()).unwrap_or(0)
    );
}
