//! `kebiao pack` on the bundled sample, checked against an independent sum of data/sample read
//! directly with calamine (not through kebiao's ingest), as the foundation issue asks.

use assert_cmd::Command;
use calamine::{open_workbook, Data, DataType, Reader, Xlsx};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeMap, HashMap};
use std::path::Path;

const SAMPLE: &str = "data/sample/客户管理数据.xlsx";

fn dec(v: &Data) -> Decimal {
    match v {
        Data::Float(f) => Decimal::from_f64(*f).unwrap().round_dp(6),
        Data::Int(i) => Decimal::from(*i),
        Data::String(s) if !s.trim().is_empty() => s.trim().parse().unwrap(),
        _ => Decimal::ZERO,
    }
}

fn text(v: &Data) -> String {
    match v {
        Data::String(s) => s.trim().to_string(),
        Data::Empty => String::new(),
        other => other.to_string(),
    }
}

fn month_of(v: &Data) -> String {
    v.as_date()
        .map(|d| d.format("%Y-%m").to_string())
        .unwrap_or_else(|| text(v).chars().take(7).collect())
}

/// Rows of a sheet as header → value maps (the sample's header is its first row).
fn sheet(name: &str) -> Vec<HashMap<String, Data>> {
    let mut wb: Xlsx<_> = open_workbook(SAMPLE).unwrap();
    let r = wb.worksheet_range(name).unwrap();
    let mut rows = r.rows();
    let header: Vec<String> = rows.next().unwrap().iter().map(text).collect();
    rows.map(|row| header.iter().cloned().zip(row.iter().cloned()).collect())
        .collect()
}

/// 实销额 by region for `month`, computed independently: non-cancelled lines' 金额 − 折扣额 − 优惠额
/// by 订货日期, minus 退货 (not 换货) by 退货日期 in the region of the returned order's customer/line.
fn independent_region_sums(month: &str) -> BTreeMap<String, Decimal> {
    let region: HashMap<String, String> = sheet("客户信息表")
        .iter()
        .map(|r| (text(&r["客户编号"]), text(&r["区域"])))
        .collect();
    let lines = sheet("销售明细");
    let line_region = |r: &HashMap<String, Data>| {
        let own = r.get("区域").map(text).unwrap_or_default();
        if own.is_empty() {
            region
                .get(&text(&r["客户编号"]))
                .cloned()
                .unwrap_or_else(|| "未分区域".into())
        } else {
            own
        }
    };
    let mut order_region: HashMap<String, String> = HashMap::new();
    let mut sums: BTreeMap<String, Decimal> = BTreeMap::new();
    for r in &lines {
        order_region
            .entry(text(&r["订单号"]))
            .or_insert_with(|| line_region(r));
        let cancelled = matches!(
            text(&r["状态"]).as_str(),
            "作废" | "取消" | "已取消" | "撤单"
        );
        if cancelled || month_of(&r["订货日期"]) != month {
            continue;
        }
        let net = dec(&r["金额"]) - dec(&r["折扣额"]) - dec(&r["优惠额"]);
        *sums.entry(line_region(r)).or_default() += net;
    }
    for r in sheet("退货记录") {
        if text(&r["退/换"]) == "换货" || month_of(&r["退货日期"]) != month {
            continue;
        }
        let reg = order_region
            .get(&text(&r["原订单号"]))
            .cloned()
            .or_else(|| region.get(&text(&r["客户编号"])).cloned())
            .unwrap_or_else(|| "未分区域".into());
        *sums.entry(reg).or_default() -= dec(&r["退货金额"]);
    }
    sums
}

fn cents(d: Decimal) -> Decimal {
    d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
}

#[test]
fn pack_on_the_sample_matches_an_independent_sum_and_is_repeatable() {
    assert!(
        Path::new(SAMPLE).exists(),
        "the sample workbook is committed"
    );
    let out = tempfile::tempdir().unwrap();
    let run = |dir: &Path| {
        let a = Command::cargo_bin("kebiao")
            .unwrap()
            .args(["pack", "--out"])
            .arg(dir)
            .assert();
        let code = a.get_output().status.code();
        assert!(matches!(code, Some(0) | Some(1)), "{:?}", a.get_output());
    };
    run(out.path());
    let month_dir = std::fs::read_dir(out.path())
        .unwrap()
        .next()
        .unwrap()
        .unwrap();
    let month = month_dir.file_name().to_str().unwrap().to_string();
    let xlsx = month_dir
        .path()
        .join(format!("月度客户管理报告_{month}.xlsx"));
    let pdf = month_dir
        .path()
        .join(format!("月度客户管理报告_{month}.pdf"));
    assert!(pdf.exists());

    let mut wb: Xlsx<_> = open_workbook(&xlsx).unwrap();
    let r = wb.worksheet_range("04销售实绩").unwrap();
    let expected = independent_region_sums(&month);
    assert!(
        expected.len() >= 7,
        "seven regions in the sample: {expected:?}"
    );
    let mut total = Decimal::ZERO;
    for (reg, amount) in &expected {
        let row = r
            .rows()
            .find(|row| text(&row[0]) == *reg)
            .unwrap_or_else(|| panic!("{reg} missing"));
        assert_eq!(cents(dec(&row[1])), cents(*amount), "{reg}");
        total += amount;
    }
    let tot = r.rows().find(|row| text(&row[0]) == "合计").unwrap();
    assert_eq!(cents(dec(&tot[1])), cents(total));

    // Same input, same bytes.
    let again = tempfile::tempdir().unwrap();
    run(again.path());
    let p2 = again.path().join(&month);
    assert_eq!(
        std::fs::read(&xlsx).unwrap(),
        std::fs::read(p2.join(xlsx.file_name().unwrap())).unwrap()
    );
    assert_eq!(
        std::fs::read(&pdf).unwrap(),
        std::fs::read(p2.join(pdf.file_name().unwrap())).unwrap()
    );
}
