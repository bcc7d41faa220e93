//! `kebiao pack`: the library path on a small synthetic dataset (values known by construction),
//! and the binary on the bundled sample.

use calamine::{Data, Reader, Xlsx};
use kebiao::config::Config;
use kebiao::error::Lang;
use kebiao::model::{Customer, Dataset, Return, SaleLine, TableCount};
use kebiao::render::pdf::{page_texts, Engine};
use kebiao::report;
use kebiao::stats::Month;
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::io::Cursor;

fn d(s: &str) -> chrono::NaiveDate {
    s.parse().unwrap()
}

/// Synthetic: three regions, a return, a cancelled line, a discount; 2024-03 vs 2024-02 vs 2023-03.
pub fn synthetic() -> Dataset {
    let cust = |id: &str, name: &str, region: &str| Customer {
        customer_id: id.into(),
        name: name.into(),
        region: Some(region.into()),
        ..Default::default()
    };
    let line = |no: &str, date: &str, c: &str, amt: Decimal| SaleLine {
        order_no: Some(no.into()),
        order_date: d(date),
        customer_id: Some(c.into()),
        qty: dec!(1),
        amount: amt,
        ..Default::default()
    };
    let mut discounted = line("SO3", "2024-03-09", "C2", dec!(5000.005));
    discounted.discount = dec!(100);
    let mut cancelled = line("SO4", "2024-03-10", "C3", dec!(999));
    cancelled.cancelled = true;
    let sales = vec![
        line("SO1", "2024-03-01", "C1", dec!(12345.67)),
        line("SO2", "2024-02-15", "C1", dec!(10000)),
        discounted,
        cancelled,
        line("SO5", "2023-03-20", "C3", dec!(800)),
        line("SO6", "2024-03-30", "C3", dec!(1200.10)),
    ];
    let returns = vec![Return {
        return_date: d("2024-03-05"),
        orig_order_no: Some("SO2".into()),
        customer_id: Some("C1".into()),
        qty: dec!(1),
        amount: dec!(345.67),
        ..Default::default()
    }];
    Dataset {
        customers: Some(vec![
            cust("C1", "杭州甲有限公司", "华东"),
            cust("C2", "广州乙有限公司", "华南"),
            cust("C3", "哈尔滨丙有限公司", "东北"),
        ]),
        counts: vec![TableCount {
            table: "销售明细".into(),
            data_rows: 6,
            accepted: 6,
            rejected: 0,
        }],
        sales: Some(sales),
        returns: Some(returns),
        ..Default::default()
    }
}

fn march() -> Month {
    "2024-03".parse().unwrap()
}

#[test]
fn pack_pdf_and_xlsx_agree_with_the_data() {
    let ds = synthetic();
    let cfg = Config::default();
    let engine = Engine::new(None, &[]).unwrap();
    let arts = kebiao::cmd::pack::produce(&ds, march(), &cfg, Lang::Zh, &engine).unwrap();
    assert_eq!(
        arts[0].name.to_str().unwrap(),
        "2024-03/月度客户管理报告_2024-03.pdf"
    );
    assert!(arts[0].bytes.starts_with(b"%PDF"));
    if let Ok(dir) = std::env::var("KEBIAO_KEEP") {
        for a in &arts {
            std::fs::write(
                format!("{dir}/{}", a.name.file_name().unwrap().to_str().unwrap()),
                &a.bytes,
            )
            .unwrap();
        }
    }

    // PDF text, read from the typst document itself.
    let pack = report::build(&ds, march(), &cfg, Lang::Zh);
    let (_, doc) = kebiao::render::pack::pdf(&engine, &pack, Lang::Zh, &cfg).unwrap();
    let text = page_texts(&doc).join("\n");
    // 华东: 12,345.67 − 345.67 (return of a Feb order) = 12,000.00; 华南 4,900.005 → 4,900.01 (half-up)
    // 东北: 1,200.10 (the cancelled 999 is out). Total 18,100.105 → 18,100.11.
    for s in [
        "华东",
        "华南",
        "东北",
        "12,000.00",
        "4,900.01",
        "1,200.10",
        "18,100.11",
        "月度客户管理报告",
        "2024年03月",
        "编制人员",
        "批准日期",
    ] {
        assert!(text.contains(s), "PDF lacks {s}:\n{text}");
    }
    assert!(text.contains("第 1 页"), "{text}");
    // Sheets the synthetic data lacks are said to be missing, never shown as zero.
    assert!(text.contains("缺少数据: 投诉记录"), "{text}");

    // XLSX values, read back with calamine.
    let mut xl: Xlsx<_> = Xlsx::new(Cursor::new(arts[1].bytes.clone())).unwrap();
    let names = xl.sheet_names();
    assert_eq!(
        names,
        vec![
            "00封面",
            "01摘要",
            "02客户结构",
            "03客户分级",
            "04销售实绩",
            "05退货作废",
            "06货款回收",
            "07信用风险",
            "08客户跟进",
            "09投诉分析",
            "10保有流失",
            "11大客户",
            "12改进措施",
            "13数据问题",
            "14季度复盘",
            "附提交情况",
            "数据_客户信息表",
            "数据_销售明细",
            "数据_退货记录"
        ],
        "every §4.1 section is present whatever the inputs hold; March adds the quarterly review"
    );
    let data = xl.worksheet_range("数据_销售明细").unwrap();
    assert_eq!(data.get((0, 0)), Some(&Data::String("订单号".into())));
    assert_eq!(data.height(), 7, "header + six accepted lines");
    let r = xl.worksheet_range("04销售实绩").unwrap();
    let rows: Vec<Vec<Data>> = r.rows().map(|r| r.to_vec()).collect();
    let find = |name: &str| {
        rows.iter()
            .find(|r| r.first() == Some(&Data::String(name.into())))
            .unwrap()
            .clone()
    };
    assert_eq!(find("华东")[1], Data::Float(12000.0));
    assert_eq!(find("华南")[1], Data::Float(4900.01));
    assert_eq!(find("东北")[3], Data::Float(800.0));
    let total = find("合计");
    assert_eq!(
        total[1],
        Data::Float(18100.11),
        "the cached result of the SUM formula"
    );
    let formulas = xl.worksheet_formula("04销售实绩").unwrap();
    assert!(
        formulas.rows().flatten().any(|f| f.starts_with("SUM(B")),
        "totals are formulas"
    );
}

#[test]
fn pack_is_byte_identical_across_runs() {
    let ds = synthetic();
    let cfg = Config::default();
    let engine = Engine::new(None, &[]).unwrap();
    let a = kebiao::cmd::pack::produce(&ds, march(), &cfg, Lang::Zh, &engine).unwrap();
    let b = kebiao::cmd::pack::produce(&ds, march(), &cfg, Lang::Zh, &engine).unwrap();
    assert_eq!(a[0].bytes, b[0].bytes, "PDF");
    assert_eq!(a[1].bytes, b[1].bytes, "XLSX");
}

#[test]
fn english_pack() {
    let mut ds = synthetic();
    ds.problems.push(kebiao::error::Problem {
        location: kebiao::error::Location::new("销售.xlsx", "销售明细", "E7"),
        table: "销售明细".into(),
        raw: "n/a".into(),
        problem: kebiao::error::Msg::new("金额不是数字", "amount is not a number"),
        action: kebiao::error::Msg::new("整行未计入", "row left out"),
        severity: kebiao::error::Severity::Rejected,
    });
    let cfg = Config::default();
    let engine = Engine::new(None, &[]).unwrap();
    let pack = report::build(&ds, march(), &cfg, Lang::En);
    let (_, doc) = kebiao::render::pack::pdf(&engine, &pack, Lang::En, &cfg).unwrap();
    let text = page_texts(&doc).join("\n");
    assert!(text.contains("Net sales by region"), "{text}");
    assert!(text.contains("Page 1 of"), "{text}");
    assert!(
        text.contains("amount is not a number") && text.contains("E7"),
        "{text}"
    );
    assert!(!text.contains("金额不是数字"), "{text}");
}

#[test]
fn quarterly_and_annual_add_ons_only_in_their_months() {
    let ds = synthetic();
    let cfg = Config::default();
    let sheets = |m: &str| -> Vec<String> {
        report::build(&ds, m.parse().unwrap(), &cfg, Lang::Zh)
            .sections
            .iter()
            .map(|s| s.sheet.clone())
            .collect()
    };
    assert!(!sheets("2024-02").iter().any(|s| s.starts_with("14")));
    assert!(sheets("2024-03").contains(&"14季度复盘".to_string()));
    let dec = sheets("2023-12");
    assert!(dec.contains(&"14季度复盘".to_string()) && dec.contains(&"15年度报告".to_string()));
}

#[test]
fn pdf_prints_at_most_report_print_rows_and_says_where_the_rest_are() {
    // 华东, 华南, 东北 and the total: with print_rows = 2 the region table shows two regions and
    // the note; the workbook keeps every row.
    let ds = synthetic();
    let mut cfg = Config::default();
    cfg.report.print_rows = 2;
    let engine = Engine::new(None, &[]).unwrap();
    let pack = report::build(&ds, march(), &cfg, Lang::Zh);
    let (_, doc) = kebiao::render::pack::pdf(&engine, &pack, Lang::Zh, &cfg).unwrap();
    let text = page_texts(&doc).join("\n");
    assert!(
        text.contains("共 3 行, 此处列出前 2 行 (合计为全部行之和), 全部见 Excel 工作簿。"),
        "{text}"
    );
    let arts = kebiao::cmd::pack::produce(&ds, march(), &cfg, Lang::Zh, &engine).unwrap();
    let mut wb: Xlsx<_> = Xlsx::new(Cursor::new(arts[1].bytes.clone())).unwrap();
    let sheet = wb.worksheet_range("04销售实绩").unwrap();
    let cells: Vec<String> = sheet.rows().flatten().map(|c| c.to_string()).collect();
    for r in ["华东", "华南", "东北"] {
        assert!(cells.iter().any(|c| c == r), "workbook lacks {r}");
    }
}
