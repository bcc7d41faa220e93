//! `kebiao check` end to end: what it prints, its exit codes, and the --problems workbook.

use assert_cmd::Command;
use calamine::{Data, Reader};

mod common;
use common::*;

fn kebiao() -> Command {
    Command::cargo_bin("kebiao").unwrap()
}

#[test]
fn clean_file_exits_0_and_says_what_it_read() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("客户.xlsx");
    write(
        &p,
        &[(
            "客户信息表",
            vec![
                vec![S("客户编号"), S("客户名称"), S("区域")],
                vec![S("C001"), S("甲公司"), S("华东")],
                vec![S("C002"), S("乙公司"), S("华北")],
            ],
        )],
    );
    let out = kebiao().arg("check").arg(&p).output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("客户.xlsx › 客户信息表 → 客户信息表, 表头第 1 行, 数据 2 行"),
        "{text}"
    );
    assert!(
        text.contains("已识别列 (3): 客户编号, 客户名称, 区域"),
        "{text}"
    );
    assert!(
        text.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>()
                == ["客户信息表", "数据行", "2", "接受", "2", "拒绝", "0"]),
        "{text}"
    );
    assert!(text.contains("汇总: 0 个问题"), "{text}");
}

#[test]
fn problems_exit_1_with_cells_and_write_the_problem_workbook() {
    let dir = tempfile::tempdir().unwrap();
    let p = canonical(dir.path());
    let xlsx = dir.path().join("out").join("数据问题.xlsx");
    let out = kebiao()
        .arg("check")
        .arg(&p)
        .arg("--problems")
        .arg(&xlsx)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{text}");
    assert!(
        text.contains("[拒绝] 客户资料.xlsx › 销售明细 › D4: 客户不在客户信息表中 — 整行未计入"),
        "{text}"
    );
    let words = |name: &str| -> Vec<String> {
        text.lines()
            .find(|l| l.trim_start().starts_with(name) && l.contains("数据行"))
            .map(|l| l.split_whitespace().map(String::from).collect())
            .unwrap_or_default()
    };
    assert_eq!(
        words("销售明细"),
        ["销售明细", "数据行", "6", "接受", "3", "拒绝", "3"],
        "{text}"
    );
    assert!(
        text.contains("拒绝 4 行"),
        "3 sales + 1 interaction: {text}"
    );
    // Nothing else is written next to the input.
    let mut names: Vec<String> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    names.sort();
    assert_eq!(names, ["out", "客户资料.xlsx"]);
    // The problem workbook has the seven columns and one row per problem.
    let mut wb: calamine::Xlsx<_> = calamine::open_workbook(&xlsx).unwrap();
    let r = wb.worksheet_range("数据问题").unwrap();
    let head: Vec<String> = r
        .rows()
        .next()
        .unwrap()
        .iter()
        .map(|c| c.to_string())
        .collect();
    assert_eq!(
        head,
        ["文件", "工作表", "单元格", "表", "原值", "问题", "处理"]
    );
    let listed = text.lines().filter(|l| l.starts_with("  [")).count();
    assert_eq!(r.height() - 1, listed);
    assert!(r.rows().any(
        |row| row[2] == Data::String("D4".into()) && row[3] == Data::String("销售明细".into())
    ));
}

#[test]
fn english_output() {
    let dir = tempfile::tempdir().unwrap();
    let p = canonical(dir.path());
    let out = kebiao()
        .args(["--lang", "en", "check"])
        .arg(&p)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1));
    assert!(
        text.contains("customer is not in the customer table — row left out"),
        "{text}"
    );
    assert!(text.contains("Summary:"), "{text}");
    assert!(text.contains("订货日期→order_date"), "{text}");
}

#[test]
fn unreadable_exits_2_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("加密.xlsx");
    std::fs::copy("tests/fixtures/corpus/calamine/pass_protected.xlsx", &p).unwrap();
    let out = kebiao().arg("check").arg(&p).output().unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2));
    assert!(err.contains("加密.xlsx") && err.contains("密码"), "{err}");
}

#[test]
fn mapping_feeds_an_english_sales_export() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("superstore.xlsx");
    write(
        &p,
        &[(
            "Orders",
            vec![
                vec![
                    S("Row ID"),
                    S("Order ID"),
                    S("Order Date"),
                    S("Ship Date"),
                    S("Customer ID"),
                    S("Customer Name"),
                    S("Region"),
                    S("Product ID"),
                    S("Product Name"),
                    S("Sales"),
                    S("Quantity"),
                    S("Discount"),
                    S("Profit"),
                ],
                vec![
                    N(1.0),
                    S("CA-2016-152156"),
                    D(2016, 11, 8),
                    D(2016, 11, 11),
                    S("CG-12520"),
                    S("Claire Gute"),
                    S("South"),
                    S("FUR-BO-10001798"),
                    S("Bush Somerset Collection Bookcase"),
                    N(261.96),
                    N(2.0),
                    N(0.0),
                    N(41.9136),
                ],
                vec![
                    N(2.0),
                    S("CA-2016-152156"),
                    S("11/8/2016"),
                    S("11/11/2016"),
                    S("CG-12520"),
                    S("Claire Gute"),
                    S("South"),
                    S("FUR-CH-10000454"),
                    S("Hon Deluxe Fabric Chairs"),
                    N(731.94),
                    N(3.0),
                    N(0.0),
                    N(219.582),
                ],
                vec![
                    N(3.0),
                    S("CA-2016-138688"),
                    D(2016, 6, 12),
                    D(2016, 6, 16),
                    S("DV-13045"),
                    S("Darrin Van Huff"),
                    S("West"),
                    S("OFF-LA-10000240"),
                    S("Self-Adhesive Address Labels"),
                    N(14.62),
                    N(2.0),
                    N(0.0),
                    N(6.8714),
                ],
            ],
        )],
    );
    let map = dir.path().join("map.yaml");
    std::fs::write(
        &map,
        "\
date_order: mdy
tables:
  sales_lines:
    sheet: Orders
    columns:
      Order ID: order_no
      Order Date: order_date
      Ship Date: ship_date
      Customer ID: customer_id
      Customer Name: customer_name
      Region: region
      Product ID: product_id
      Product Name: product_name
      Sales: amount
      Quantity: qty
  customers:
    sheet: Orders
    columns:
      Customer ID: customer_id
      Customer Name: name
      Region: region
",
    )
    .unwrap();
    let ds = kebiao::model::load(
        std::slice::from_ref(&p),
        Some(&map),
        &kebiao::config::Config::default(),
    )
    .unwrap();
    let sales = ds.sales.as_ref().unwrap();
    assert_eq!(sales.len(), 3, "{:#?}", ds.problems);
    assert_eq!(
        sales[1].order_date,
        chrono::NaiveDate::from_ymd_opt(2016, 11, 8).unwrap()
    );
    assert_eq!(sales[1].amount, rust_decimal_macros::dec!(731.94));
    assert_eq!(sales[0].customer_name.as_deref(), Some("Claire Gute"));
    let custs = ds.customers.as_ref().unwrap();
    assert_eq!(custs.len(), 2, "one customer per id");
    assert_eq!(
        (custs[1].customer_id.as_str(), custs[1].name.as_str()),
        ("DV-13045", "Darrin Van Huff")
    );
    let c = ds.counts.iter().find(|c| c.table == "客户信息表").unwrap();
    assert_eq!((c.data_rows, c.accepted, c.rejected), (2, 2, 0));
    // Unmapped columns are named, not silently dropped.
    assert!(ds
        .problems
        .iter()
        .any(|p| p.raw == "Profit" && p.problem.zh == "未识别列"));
    // And the command line agrees.
    let out = kebiao()
        .arg("check")
        .arg(&p)
        .arg("--map")
        .arg(&map)
        .output()
        .unwrap();
    let text = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(0), "{text}");
    assert!(
        text.contains("superstore.xlsx › Orders → 销售明细"),
        "{text}"
    );
    assert!(text.contains("Order Date→订货日期"), "{text}");
}
