//! The load contract on a small canonical workbook written here with rust_xlsxwriter (the sample
//! generator is built elsewhere at the same time, so nothing depends on data/sample/).

use kebiao::config::Config;
use kebiao::error::Severity;
use kebiao::model::{load, Dataset};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;
use std::path::Path;

mod common;
use common::*;

fn load_one(p: &Path, cfg: &Config) -> Dataset {
    load(&[p.to_path_buf()], None, cfg).expect("readable")
}

fn count(ds: &Dataset, table: &str) -> (usize, usize, usize) {
    let c = ds
        .counts
        .iter()
        .find(|c| c.table == table)
        .unwrap_or_else(|| panic!("no count for {table}"));
    assert_eq!(
        c.accepted + c.rejected,
        c.data_rows,
        "{table}: accepted + rejected = data rows"
    );
    (c.data_rows, c.accepted, c.rejected)
}

fn has(ds: &Dataset, cell: &str, sev: Severity, zh_part: &str) -> bool {
    ds.problems
        .iter()
        .any(|p| p.location.cell == cell && p.severity == sev && p.problem.zh.contains(zh_part))
}

#[test]
fn canonical_workbook_loads_every_table() {
    let dir = tempfile::tempdir().unwrap();
    let p = canonical(dir.path());
    let ds = load_one(&p, &Config::default());
    let dump = || {
        ds.problems
            .iter()
            .map(|p| p.line(kebiao::error::Lang::Zh))
            .collect::<Vec<_>>()
            .join("\n")
    };

    // T01: the title row is skipped, the header is row 3.
    let custs = ds.customers.as_ref().unwrap();
    assert_eq!(count(&ds, "客户信息表"), (4, 4, 0));
    let c1 = &custs[0];
    assert_eq!(c1.customer_id, "C001");
    assert_eq!(c1.customer_type.as_deref(), Some("企业客户"));
    assert_eq!(
        c1.phone.as_deref(),
        Some("13800000000"),
        "phone stored as a number comes back whole"
    );
    assert_eq!(c1.status.as_deref(), Some("成交客户"));
    assert_eq!(c1.credit_limit, Some(dec!(200000)));
    assert_eq!(c1.credit_days, Some(60));
    assert_eq!(c1.key_account, Some(true));
    assert_eq!(
        c1.created_date,
        chrono::NaiveDate::from_ymd_opt(2023, 5, 15)
    );
    assert_eq!(c1.origin.row, 4);
    assert_eq!(custs[1].credit_days, Some(30));
    assert_eq!(
        custs[1].created_date,
        chrono::NaiveDate::from_ymd_opt(2023, 6, 1)
    );
    assert_eq!(custs[2].status.as_deref(), Some("其他"));
    assert!(has(&ds, "F6", Severity::Coerced, "黑名单"), "{}", dump());
    assert_eq!(
        custs[3].customer_id, "缺编号公司",
        "the name stands in for a missing id"
    );

    // T05.
    assert_eq!(count(&ds, "销售明细"), (6, 3, 3), "{}", dump());
    let sales = ds.sales.as_ref().unwrap();
    let so2 = sales
        .iter()
        .find(|l| l.order_no.as_deref() == Some("SO2"))
        .unwrap();
    assert_eq!(
        so2.customer_id.as_deref(),
        Some("C002"),
        "filled from T01 by name key"
    );
    assert_eq!(so2.amount, dec!(10400), "amount = qty × price when blank");
    let so6 = sales
        .iter()
        .find(|l| l.order_no.as_deref() == Some("SO6"))
        .unwrap();
    assert!(so6.cancelled);
    assert!(
        has(&ds, "D4", Severity::Rejected, "客户不在客户信息表中"),
        "{}",
        dump()
    );
    assert!(has(&ds, "B5", Severity::Rejected, "订货日期"), "{}", dump());
    assert!(has(&ds, "J6", Severity::Rejected, "n/a"), "{}", dump());
    assert!(has(&ds, "A8", Severity::Notice, "合计"), "{}", dump());
    assert!(
        has(&ds, "C7", Severity::Notice, "作废"),
        "cancelled with ship date: {}",
        dump()
    );

    // T06: negative flipped with a warning; 换货 flagged; over-return noticed.
    assert_eq!(count(&ds, "退货记录"), (3, 3, 0));
    let rets = ds.returns.as_ref().unwrap();
    assert_eq!((rets[0].qty, rets[0].amount), (dec!(2), dec!(10400)));
    assert!(has(&ds, "F2", Severity::Coerced, "负数"), "{}", dump());
    assert!(rets[1].exchange && !rets[0].exchange);
    assert!(
        has(&ds, "F4", Severity::Notice, "大于原订单数量"),
        "{}",
        dump()
    );

    // T07: by name; note without due date noticed.
    let recs = ds.receipts.as_ref().unwrap();
    assert_eq!(count(&ds, "收款记录"), (2, 2, 0));
    assert_eq!(recs[0].customer_id.as_deref(), Some("C001"));
    assert_eq!(recs[0].amount, dec!(50000.00));
    assert!(has(&ds, "F3", Severity::Notice, "票据到期日"), "{}", dump());

    // T08: 联系方式 holding method words is 方式 (§3.0.8); missing 我方人员 rejects.
    assert_eq!(count(&ds, "客户互动记录"), (3, 2, 1));
    let ints = ds.interactions.as_ref().unwrap();
    assert_eq!(ints[0].method.as_deref(), Some("拜访"));
    assert_eq!(ints[1].contact_time.format("%H:%M").to_string(), "10:30");

    // T09: status derived, satisfaction words, type keyword.
    let cs = ds.complaints.as_ref().unwrap();
    assert_eq!(cs[0].status.as_deref(), Some("已结案"));
    assert_eq!(cs[0].satisfaction, Some(3));
    assert_eq!(cs[1].status.as_deref(), Some("待处理"));
    assert_eq!(cs[1].complaint_type.as_deref(), Some("服务"));

    // T10: (万元) header.
    let sv = ds.credit_surveys.as_ref().unwrap();
    assert_eq!(sv[0].capital, Some(dec!(2000000)));
    assert_eq!(sv[0].credit_score, Some(82));

    // T03 / T04 / T02.
    assert_eq!(
        ds.salespeople.as_ref().unwrap()[1].status.as_deref(),
        Some("离职")
    );
    let tg = ds.targets.as_ref().unwrap();
    assert_eq!(
        (tg[0].period.as_str(), tg[0].target_sales),
        ("2024-03", dec!(300000))
    );
    assert_eq!(tg[1].period, "2024");
    assert_eq!(ds.products.as_ref().unwrap()[0].unit_cost, Some(dec!(3900)));

    // Unknown 业务员 (赵六 on a rejected row does not count; 王五 in T01 does).
    assert!(
        ds.problems
            .iter()
            .any(|p| p.raw == "王五" && p.problem.zh.contains("业务员不在")),
        "{}",
        dump()
    );

    // Recognition report.
    let r = ds.sheets.iter().find(|s| s.sheet == "客户信息表").unwrap();
    assert_eq!(r.table.as_deref(), Some("客户信息表"));
    assert_eq!(r.header_row, Some(3));
    assert_eq!(ds.sheets.len(), 10);
}

#[test]
fn unknown_customer_with_auto_create_makes_a_stub() {
    let dir = tempfile::tempdir().unwrap();
    let p = canonical(dir.path());
    let cfg = Config {
        auto_create_customers: true,
        ..Config::default()
    };
    let ds = load_one(&p, &cfg);
    assert_eq!(count(&ds, "销售明细"), (6, 4, 2));
    assert!(ds
        .customers
        .as_ref()
        .unwrap()
        .iter()
        .any(|c| c.customer_id == "C999"));
    assert!(ds
        .problems
        .iter()
        .any(|p| p.severity == Severity::Notice && p.action.zh.contains("自动建立")));
}

#[test]
fn net_amounts_are_detected_and_made_gross() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("net.xlsx");
    let mut sales = vec![vec![
        S("订单号"),
        S("订货日期"),
        S("客户编号"),
        S("数量"),
        S("单价"),
        S("折扣"),
        S("金额"),
    ]];
    for i in 0..10 {
        let disc = if i % 2 == 0 { 100.0 } else { 0.0 };
        sales.push(vec![
            S("SO"),
            S("2024-03-05"),
            S("C1"),
            N(2.0),
            N(500.0),
            N(disc),
            N(1000.0 - disc),
        ]);
    }
    write(
        &p,
        &[
            (
                "客户",
                vec![vec![S("客户编号"), S("客户名称")], vec![S("C1"), S("甲")]],
            ),
            ("销售明细", sales),
        ],
    );
    let ds = load_one(&p, &Config::default());
    let lines = ds.sales.as_ref().unwrap();
    assert_eq!(lines.len(), 10);
    assert!(
        lines.iter().all(|l| l.amount == dec!(1000)),
        "gross = net + discount"
    );
    assert_eq!(lines[0].discount, dec!(100));
    let total: Decimal = lines.iter().map(|l| l.amount - l.discount).sum();
    assert_eq!(total, dec!(9500));
    assert!(ds.problems.iter().any(|p| p.problem.zh.contains("净额")));
}

#[test]
fn gross_amounts_are_left_alone() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("gross.xlsx");
    let mut sales = vec![vec![
        S("订货日期"),
        S("客户编号"),
        S("数量"),
        S("单价"),
        S("折扣"),
        S("金额"),
    ]];
    for _ in 0..10 {
        sales.push(vec![
            S("2024-03-05"),
            S("C1"),
            N(2.0),
            N(500.0),
            N(100.0),
            N(1000.0),
        ]);
    }
    write(
        &p,
        &[
            (
                "客户信息",
                vec![vec![S("客户编号"), S("客户名称")], vec![S("C1"), S("甲")]],
            ),
            ("销售", sales),
        ],
    );
    let ds = load_one(&p, &Config::default());
    assert!(ds
        .sales
        .as_ref()
        .unwrap()
        .iter()
        .all(|l| l.amount == dec!(1000)));
    assert!(!ds.problems.iter().any(|p| p.problem.zh.contains("净额")));
}

#[test]
fn directory_input_reads_spreadsheets_sorted_and_skips_lock_files() {
    let dir = tempfile::tempdir().unwrap();
    canonical(dir.path());
    std::fs::write(dir.path().join("~$客户资料.xlsx"), b"lock").unwrap();
    std::fs::write(dir.path().join("readme.txt"), b"hello").unwrap();
    let ds = load(&[dir.path().to_path_buf()], None, &Config::default()).unwrap();
    assert_eq!(ds.customers.as_ref().unwrap().len(), 4);
    assert!(ds.expenses_absent());
}

trait Absent {
    fn expenses_absent(&self) -> bool;
}
impl Absent for Dataset {
    fn expenses_absent(&self) -> bool {
        // Tables not in the inputs stay None, never an empty Some.
        let empty = Dataset::default();
        empty.sales.is_none() && self.sales.is_some()
    }
}

#[test]
fn unreadable_files_are_errors_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("报表.xlsx");
    std::fs::write(&p, b"%PDF-1.4 not a workbook").unwrap();
    let err = load(std::slice::from_ref(&p), None, &Config::default()).unwrap_err();
    let msg = err.to_string();
    assert!(msg.contains("报表.xlsx") && msg.contains("PDF"), "{msg}");
    let missing = dir.path().join("nope.xlsx");
    assert!(load(&[missing], None, &Config::default()).is_err());
}

#[test]
fn integrity_checks_across_tables() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("integrity.xlsx");
    let mut sales = vec![vec![
        S("订单号"),
        S("订货日期"),
        S("客户编号"),
        S("产品编号"),
        S("数量"),
        S("金额"),
    ]];
    for d in 1..=28 {
        let date = format!("2024-03-{d:02}");
        sales.push(vec![
            S("SO1"),
            S(Box::leak(date.into_boxed_str())),
            S("C1"),
            S("P1"),
            N(1.0),
            N(100.0),
        ]);
    }
    // Row 30: an exact repeat of row 29 (double entry); row 31: 2042 typed for 2024; row 32: 1989.
    sales.push(vec![
        S("SO1"),
        S("2024-03-28"),
        S("C1"),
        S("P1"),
        N(1.0),
        N(100.0),
    ]);
    sales.push(vec![
        S("SO2"),
        S("2042-03-05"),
        S("C1"),
        S("P1"),
        N(1.0),
        N(100.0),
    ]);
    sales.push(vec![
        S("SO3"),
        S("1989-12-31"),
        S("C1"),
        S("P1"),
        N(1.0),
        N(100.0),
    ]);
    write(
        &p,
        &[
            (
                "客户信息",
                vec![
                    vec![S("客户编号"), S("客户名称")],
                    vec![S("C1"), S("甲")],
                    vec![S("C1"), S("甲分公司")],
                ],
            ),
            ("销售明细", sales),
            (
                "退货记录",
                vec![
                    vec![
                        S("退货日期"),
                        S("原订单号"),
                        S("客户编号"),
                        S("退货数量"),
                        S("退货金额"),
                    ],
                    vec![S("2024-03-29"), S("SO404"), S("C1"), N(1.0), N(100.0)],
                ],
            ),
        ],
    );
    let ds = load_one(&p, &Config::default());
    let lines: Vec<String> = ds
        .problems
        .iter()
        .map(|p| p.line(kebiao::error::Lang::Zh))
        .collect();
    let has_line = |s: &str| lines.iter().any(|l| l.contains(s));
    assert!(
        has_line("客户信息 › A3: 客户编号重复(第一次出现在第 2 行)"),
        "{lines:#?}"
    );
    assert!(has_line("销售明细 › A30: 与第 29 行完全相同"), "{lines:#?}");
    assert!(
        has_line("销售明细 › B31: 日期远晚于数据中的其他日期(其余最晚为 2024-03-29)"),
        "{lines:#?}"
    );
    assert!(has_line("销售明细 › B32: 日期早于 1990 年"), "{lines:#?}");
    assert!(
        has_line("退货记录 › B2: 原订单号在销售明细中找不到"),
        "{lines:#?}"
    );
    // Integrity findings change nothing: they are notices, every row is kept.
    assert_eq!(count(&ds, "销售明细"), (31, 31, 0));
    assert!(
        ds.problems.iter().all(|p| p.severity == Severity::Notice),
        "{lines:#?}"
    );
}
