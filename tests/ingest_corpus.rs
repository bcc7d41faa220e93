//! Every file of the shared corpus (copied to tests/fixtures/corpus/ with its MANIFEST origin
//! lines) and what ingest makes of it: a table, a clear error, or a named problem.

use chrono::NaiveDate;
use kebiao::config::Config;
use kebiao::error::{Error, Severity};
use kebiao::ingest::normalise::{self, Ctx};
use kebiao::ingest::open::{read_book, Book, Kind};
use kebiao::ingest::Cell;
use kebiao::model::{load, Dataset};
use rust_decimal_macros::dec;
use std::path::{Path, PathBuf};

fn fx(rel: &str) -> PathBuf {
    Path::new("tests/fixtures/corpus").join(rel)
}

fn book(rel: &str) -> Book {
    let p = fx(rel);
    read_book(&p, &std::fs::read(&p).unwrap()).unwrap()
}

fn load_with_map(rel: &str, yaml: &str) -> Dataset {
    let dir = tempfile::tempdir().unwrap();
    let map = dir.path().join("map.yaml");
    std::fs::write(&map, yaml).unwrap();
    load(&[fx(rel)], Some(&map), &Config::default()).unwrap()
}

fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, dd).unwrap()
}

#[test]
fn any_sheets_hidden_very_hidden_and_chart_are_skipped_and_reported() {
    let ds = load(&[fx("calamine/any_sheets.xlsx")], None, &Config::default()).unwrap();
    let why: Vec<(&str, &str)> = ds
        .sheets
        .iter()
        .map(|s| {
            (
                s.sheet.as_str(),
                s.skipped.as_ref().map(|m| m.zh.as_str()).unwrap_or(""),
            )
        })
        .collect();
    assert_eq!(why[1], ("Hidden", "隐藏的工作表,已跳过"));
    assert_eq!(why[2], ("VeryHidden", "隐藏的工作表,已跳过"));
    assert_eq!(why[3], ("Chart", "图表工作表,已跳过"));
    assert!(
        why[0].1.contains("没有可识别的表头"),
        "numbers without a header are not a table"
    );
    assert!(ds
        .problems
        .iter()
        .any(|p| p.location.sheet == "VeryHidden" && p.problem.zh == "工作表被深度隐藏"));
    assert!(ds.counts.is_empty() && ds.sales.is_none() && ds.customers.is_none());
}

#[test]
fn biff5_title_row_above_the_header_read_through_a_mapping() {
    let ds = load_with_map(
        "calamine/biff5-rich-text-string.xls",
        "tables:\n  salespeople:\n    sheet: Sheet1\n    columns:\n      No.: staff_id\n      Surname in full.: name\n      Profession, Trade, or other description.: role\n",
    );
    let r = &ds.sheets[0];
    assert_eq!(
        r.header_row,
        Some(3),
        "the electoral-division title is row 1"
    );
    let sp = ds.salespeople.as_ref().unwrap();
    assert_eq!(
        (sp[0].staff_id.as_str(), sp[0].name.as_str()),
        ("1788", "McNally")
    );
    assert_eq!(sp[0].role.as_deref(), Some("Cape Police"));
    let c = &ds.counts[0];
    assert_eq!(c.accepted + c.rejected, c.data_rows);
    assert_eq!(
        c.data_rows, 13,
        "16 used rows: title, blank, header, 13 voters; {:?}",
        ds.counts
    );
}

#[test]
fn dates_in_xlsx_xlsb_ods_and_the_1904_system() {
    for (rel, is_1904) in [
        ("calamine/date.xlsx", false),
        ("calamine/date_1904.xlsx", true),
        ("calamine/date.xlsb", false),
    ] {
        let b = book(rel);
        let s = &b.sheets[0];
        assert_eq!(s.is_1904, is_1904, "{rel}");
        let a1 = s.rows[0].get(0).unwrap();
        assert_eq!(
            normalise::date(
                a1,
                Ctx {
                    is_1904,
                    ..Ctx::default()
                }
            ),
            Ok(Some(d(2021, 1, 1))),
            "{rel}"
        );
        assert_eq!(
            normalise::date(s.rows[1].get(0).unwrap(), Ctx::default()),
            Ok(Some(d(2021, 1, 2))),
            "{rel}"
        );
        assert!(
            matches!(s.rows[2].get(0), Some(Cell::Duration(_))),
            "{rel}: a duration is not a date"
        );
        assert!(normalise::date(s.rows[2].get(0).unwrap(), Ctx::default()).is_err());
    }
    let b = book("calamine/date.ods");
    assert_eq!(b.kind, Kind::Ods);
    let s = &b.sheets[0];
    assert_eq!(
        normalise::date(s.rows[0].get(0).unwrap(), Ctx::default()),
        Ok(Some(d(2021, 1, 1)))
    );
    assert_eq!(
        normalise::datetime(s.rows[1].get(0).unwrap(), Ctx::default()),
        Ok(Some(d(2021, 1, 1).and_hms_opt(10, 10, 10).unwrap()))
    );
    assert!(
        normalise::date(s.rows[2].get(0).unwrap(), Ctx::default()).is_err(),
        "PT10H10M10S is a duration"
    );
}

#[test]
fn error_cells_are_reported_never_read_as_values() {
    let b = book("calamine/errors.xlsx");
    let errs: Vec<String> = b.sheets[0]
        .rows
        .iter()
        .map(|r| match r.get(0) {
            Some(Cell::Error(e)) => e.clone(),
            other => panic!("{other:?}"),
        })
        .collect();
    assert_eq!(
        errs,
        ["#DIV/0!", "#NAME?", "#VALUE!", "#NULL!", "#REF!", "#NUM!", "#N/A"]
    );
    for r in &b.sheets[0].rows {
        let e = normalise::money(r.get(0).unwrap()).unwrap_err();
        assert!(e.0.zh.contains("错误值"), "{e:?}");
    }
}

#[test]
fn government_xls_with_hidden_sheets_and_offset_ranges() {
    let ds = load(
        &[fx("calamine/gh548_incorrect_sst_unique_count.xls")],
        None,
        &Config::default(),
    )
    .unwrap();
    assert_eq!(ds.sheets.len(), 7);
    let hidden: Vec<&str> = ds
        .sheets
        .iter()
        .filter(|s| s.skipped.as_ref().is_some_and(|m| m.zh.contains("隐藏")))
        .map(|s| s.sheet.as_str())
        .collect();
    assert_eq!(hidden, ["System Mapping", "Acute Trust Mapping"]);
    assert!(
        ds.counts.is_empty(),
        "English A&E statistics are no customer table"
    );
    let b = book("calamine/gh548_incorrect_sst_unique_count.xls");
    assert!(
        b.sheets
            .iter()
            .any(|s| s.rows.first().is_some_and(|r| r.cells[0].0 >= 1)),
        "a range starting at column B"
    );
}

#[test]
fn header_row_below_notes_and_blank_rows() {
    let ds = load_with_map(
        "calamine/header-row.xlsx",
        "tables:\n  products:\n    sheet: Sheet1\n    columns:\n      Column A: product_id\n      Column B: product_name\n      Column C: std_price\n",
    );
    assert_eq!(ds.sheets[0].header_row, Some(9));
    let p = &ds.products.as_ref().unwrap()[0];
    assert_eq!(
        (p.product_id.as_str(), p.product_name.as_str(), p.std_price),
        ("1", "2", Some(dec!(3)))
    );
    assert_eq!(p.origin.row, 10);
    assert!(ds
        .problems
        .iter()
        .any(|p| p.raw == "Columns" && p.problem.zh == "未识别列"));
}

#[test]
fn merged_regions_in_xls_and_xlsx() {
    let b = book("calamine/merge_cells.xls");
    assert_eq!(
        b.sheets[0].merges,
        vec![(0, 0, 0, 1), (1, 0, 3, 0), (1, 1, 3, 3)]
    );
    let b = book("calamine/merged_range.xlsx");
    assert_eq!(b.sheets[0].merges.len(), 9);
    assert_eq!(b.sheets[1].merges.len(), 6);
}

#[test]
fn password_protected_xlsx_is_a_clear_error() {
    let err = load(
        &[fx("calamine/pass_protected.xlsx")],
        None,
        &Config::default(),
    )
    .unwrap_err();
    assert!(matches!(err, Error::Encrypted { .. }), "{err}");
    let msg = err.to_string();
    assert!(
        msg.contains("pass_protected.xlsx") && msg.contains("密码") && msg.contains("另存为"),
        "{msg}"
    );
    assert_eq!(
        kebiao::ingest::open::sniff(&std::fs::read(fx("calamine/pass_protected.xlsx")).unwrap()),
        Kind::EncryptedOoxml
    );
}

#[test]
fn rich_text_comes_back_as_plain_text() {
    let b = book("calamine/richtext-namespaced.xlsx");
    let r = &b.sheets[0].rows[0];
    assert_eq!(
        r.get(0),
        Some(&Cell::Text("inline string\nLine 2\nLine 3".into()))
    );
    assert_eq!(
        r.get(7),
        Some(&Cell::Text("shared string\nLine 2\nLine 3".into()))
    );
}

#[test]
fn excel_tables_are_read_as_plain_ranges() {
    let b = book("calamine/temperature-table.xlsx");
    assert_eq!(b.sheets.len(), 2);
    assert_eq!(b.sheets[0].rows[1].get(1), Some(&Cell::Float(22.2222)));
    assert_eq!(
        normalise::money(b.sheets[0].rows[1].get(1).unwrap()),
        Ok(Some(dec!(22.2222)))
    );
}

#[test]
fn whitespace_does_not_depend_on_calamine_trimming() {
    let b = book("calamine/whitespace_trim.xlsx");
    for s in &b.sheets {
        let h = s.rows[2].get(0).and_then(Cell::as_text).unwrap();
        assert_eq!(kebiao::ingest::header::normalise_header(h).key, "日期时间");
        assert_eq!(
            normalise::text(s.rows[1].get(1).unwrap()),
            Ok(Some("line1\nline2".into()))
        );
    }
    let shared = &b.sheets[1];
    assert_eq!(
        normalise::text(shared.rows[0].get(1).unwrap()),
        Ok(Some("preserved value".into()))
    );
}

#[test]
fn ragged_rows_and_empty_sheets() {
    let b = book("other/xlrd_ragged.xls");
    let lens: Vec<usize> = b.sheets[0].rows.iter().map(|r| r.cells.len()).collect();
    assert_eq!(lens, [3, 2, 1, 4, 2]);
    let ds = load(&[fx("other/xlrd_ragged.xls")], None, &Config::default()).unwrap();
    let skipped: Vec<&str> = ds
        .sheets
        .iter()
        .map(|s| s.skipped.as_ref().map(|m| m.zh.as_str()).unwrap_or(""))
        .collect();
    assert_eq!(skipped[1], "空工作表");
    assert_eq!(skipped[2], "空工作表");
}

#[test]
fn pharmacy_sales_without_a_mapping_lack_the_customer_column() {
    let ds = load(
        &[fx("zh/朝阳医院2018销售_cy2018.xlsx")],
        None,
        &Config::default(),
    )
    .unwrap();
    let c = &ds.counts[0];
    assert_eq!(c.table, "销售明细", "recognised by its headers");
    assert_eq!((c.data_rows, c.accepted, c.rejected), (6577, 0, 6577));
    let sheet_level: Vec<_> = ds
        .problems
        .iter()
        .filter(|p| p.severity == Severity::Rejected)
        .collect();
    assert_eq!(sheet_level.len(), 1, "one problem for the sheet, not 6577");
    assert_eq!(
        sheet_level[0].problem.zh,
        "缺少必需的列: 客户编号 或 客户名称"
    );
    assert_eq!(sheet_level[0].location.cell, "A1");
    // 购药时间 is known as the order date without any mapping.
    assert!(ds.sheets[0]
        .mapped
        .contains(&("购药时间".into(), "订货日期".into())));
}

#[test]
fn pharmacy_sales_with_a_mapping() {
    let ds = load_with_map(
        "zh/朝阳医院2018销售_cy2018.xlsx",
        "tables:\n  sales_lines:\n    columns:\n      购药时间: order_date\n      社保卡号: customer_id\n      商品编码: product_id\n",
    );
    let c = &ds.counts[0];
    assert_eq!((c.data_rows, c.accepted, c.rejected), (6577, 6552, 25));
    let sales = ds.sales.as_ref().unwrap();
    // Text dates with a (wrong) weekday: the date counts, the weekday is ignored.
    assert_eq!(sales[0].order_date, d(2018, 1, 1));
    assert_eq!(
        sales[0].customer_id.as_deref(),
        Some("001616528"),
        "leading zeros kept"
    );
    // 2018-02-29 does not exist: those rows are rejected with their cell named.
    let feb29: Vec<_> = ds
        .problems
        .iter()
        .filter(|p| p.raw.starts_with("2018-02-29"))
        .collect();
    assert_eq!(feb29.len(), 23);
    assert!(feb29
        .iter()
        .all(|p| p.severity == Severity::Rejected && p.location.cell.starts_with('A')));
    // 社保卡号 stored as numbers lost their leading zeros: named, never padded.
    let lost = ds
        .problems
        .iter()
        .filter(|p| p.problem.zh.contains("前导零"))
        .count();
    assert_eq!(lost, 16);
    assert!(sales
        .iter()
        .any(|l| l.customer_id.as_deref() == Some("11616528")));
    // Negative quantities are returns typed into the sales sheet: kept and noticed.
    assert!(ds
        .problems
        .iter()
        .any(|p| p.problem.zh.contains("数量不大于 0")));
    assert!(ds
        .problems
        .iter()
        .any(|p| p.problem.zh.contains("没有客户信息表")));
}
