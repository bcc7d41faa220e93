//! `kebiao report`: any single table on its own, in every format, agreeing with the pack.

use assert_cmd::Command;
use calamine::{open_workbook, Data, Reader, Xlsx};
use std::collections::BTreeSet;

fn kebiao() -> Command {
    Command::cargo_bin("kebiao").unwrap()
}

#[test]
fn list_has_unique_ids_covering_the_families() {
    let out = kebiao().args(["report", "--list"]).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let ids: Vec<&str> = text
        .lines()
        .map(|l| l.split_whitespace().next().unwrap())
        .collect();
    let unique: BTreeSet<&str> = ids.iter().copied().collect();
    assert_eq!(ids.len(), unique.len(), "duplicate table ids: {text}");
    for id in [
        "sales-by-region",
        "grading",
        "credit-grades",
        "ageing",
        "complaints-summary",
        "danger-customers",
        "followup-stats",
    ] {
        assert!(unique.contains(id), "{id} missing from --list");
    }
}

#[test]
fn json_is_raw_values_and_reconciles_with_the_text_total() {
    let out = kebiao()
        .args([
            "report",
            "sales-by-region",
            "--month",
            "2026-10",
            "--format",
            "json",
        ])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["month"]["year"], 2026);
    let rows = v["table"]["rows"].as_array().unwrap();
    // Money is an exact decimal string, not a display string.
    let sum: rust_decimal::Decimal = rows
        .iter()
        .map(|r| {
            r[1]["value"]
                .as_str()
                .unwrap()
                .parse::<rust_decimal::Decimal>()
                .unwrap()
        })
        .sum();
    let total: rust_decimal::Decimal = v["table"]["totals"][1]["value"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    assert_eq!(sum, total);
    assert_eq!(rows[0][1]["type"], "money");

    let text = kebiao()
        .args(["report", "sales-by-region", "--month", "2026-10"])
        .output()
        .unwrap();
    let text = String::from_utf8(text.stdout).unwrap();
    let shown = rust_decimal::Decimal::from(total)
        .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
    let mut grouped = String::new();
    let s = format!("{shown:.2}");
    let (int, frac) = s.split_once('.').unwrap();
    for (i, c) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            grouped.push(',');
        }
        grouped.push(c);
    }
    assert!(text.contains(&format!("{grouped}.{frac}")), "{text}");
}

#[test]
fn csv_xlsx_and_pdf_outputs() {
    let dir = tempfile::tempdir().unwrap();
    let csv = dir.path().join("r.csv");
    kebiao()
        .args([
            "report", "ageing", "--month", "2026-10", "--format", "csv", "--out",
        ])
        .arg(&csv)
        .assert()
        .success();
    let text = std::fs::read_to_string(&csv).unwrap();
    assert!(text.lines().next().unwrap().contains("应收余额"), "{text}");

    let xlsx = dir.path().join("r.xlsx");
    kebiao()
        .args([
            "report", "grading", "--month", "2026-10", "--format", "xlsx", "--out",
        ])
        .arg(&xlsx)
        .assert()
        .success();
    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let r = wb.worksheet_range(&wb.sheet_names()[1].clone()).unwrap();
    assert!(
        r.rows()
            .any(|row| row.first() == Some(&Data::String("A".into()))),
        "grade A row"
    );

    let pdf = dir.path().join("r.pdf");
    kebiao()
        .args([
            "report",
            "danger-customers",
            "--month",
            "2026-10",
            "--format",
            "pdf",
            "--out",
        ])
        .arg(&pdf)
        .assert()
        .success();
    assert!(std::fs::read(&pdf).unwrap().starts_with(b"%PDF"));
}

#[test]
fn unknown_table_and_bad_month_are_usage_errors() {
    let out = kebiao().args(["report", "no-such-table"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--list"));
    let out = kebiao()
        .args(["report", "grading", "--month", "2026-13"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn missing_sheet_is_shown_as_missing_not_zero() {
    // A workbook with sales but no complaints: the complaint tables say which sheet is missing.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("只有销售.xlsx");
    let mut wb = rust_xlsxwriter::Workbook::new();
    let ws = wb.add_worksheet();
    ws.set_name("销售明细").unwrap();
    for (c, h) in ["订单号", "订货日期", "客户名称", "数量", "金额", "区域"]
        .iter()
        .enumerate()
    {
        ws.write_string(0, c as u16, *h).unwrap();
    }
    ws.write_string(1, 0, "SO1").unwrap();
    ws.write_string(1, 1, "2024-03-05").unwrap();
    ws.write_string(1, 2, "甲公司").unwrap();
    ws.write_number(1, 3, 2).unwrap();
    ws.write_number(1, 4, 100).unwrap();
    ws.write_string(1, 5, "华东").unwrap();
    wb.save(&path).unwrap();
    let out = kebiao()
        .args([
            "report",
            "complaints-summary",
            "--month",
            "2024-03",
            "--input",
        ])
        .arg(&path)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.contains("缺少数据: 投诉记录"),
        "{text}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(!text.contains(" 0 "), "{text}");
}

fn json_report(id: &str, month: &str) -> serde_json::Value {
    let out = kebiao()
        .args(["report", id, "--month", month, "--format", "json"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{id}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// The tables that need T11–T15 show figures on the sample, never "缺少数据".
#[test]
fn optional_sheet_tables_have_figures_on_the_sample() {
    for id in [
        "expense-breakdown",
        "expense-breakdown-ytd",
        "hospitality",
        "crm-expense-ratio",
        "annual-appraisal",
        "gross-profit",
        "profit-variance",
        "satisfaction",
        "satisfaction-items",
        "activity-response",
        "loyalty",
        "conversion-by-activity",
        "referrals",
        "after-sales",
        "call-centre",
        "calls-by-type",
    ] {
        let v = json_report(id, "2026-09");
        let rows = v["table"]["rows"].as_array().unwrap();
        assert!(!rows.is_empty(), "{id} has no rows");
        for r in rows {
            for c in r.as_array().unwrap() {
                assert_ne!(c["type"], "missing", "{id}: {r}");
            }
        }
    }
}

/// M54 on the sample: the 费用合计 column sums to Σ 金额 of the 费用 sheet's rows of the month, read
/// independently with calamine.
#[test]
fn expense_breakdown_reconciles_with_the_expense_sheet() {
    let v = json_report("expense-breakdown", "2026-10");
    let cols: Vec<&str> = v["table"]["columns"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["key"].as_str().unwrap())
        .collect();
    let ti = cols.iter().position(|k| *k == "total").unwrap();
    let dec = |x: &serde_json::Value| -> rust_decimal::Decimal {
        x["value"].as_str().unwrap().parse().unwrap()
    };
    let sum: rust_decimal::Decimal = v["table"]["rows"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| dec(&r[ti]))
        .sum();
    assert_eq!(sum, dec(&v["table"]["totals"][ti]));
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/data/sample/客户管理数据.xlsx");
    let mut wb: Xlsx<_> = open_workbook(path).unwrap();
    let r = wb.worksheet_range("费用").unwrap();
    let mut cents: i64 = 0;
    for row in r.rows().skip(1) {
        let Data::DateTime(d) = &row[0] else {
            panic!("费用日期 is a date: {:?}", row[0])
        };
        let d = d.as_datetime().unwrap().date();
        if d.format("%Y-%m").to_string() == "2026-10" {
            let Data::Float(a) = row[5] else {
                panic!("金额 is a number")
            };
            cents += (a * 100.0).round() as i64;
        }
    }
    assert!(cents > 0);
    assert_eq!(sum, rust_decimal::Decimal::new(cents, 2));
}
