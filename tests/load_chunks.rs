//! Typing the sales lines in chunks (model/load.rs `sales_jobs`) must give exactly what typing
//! them in one piece gives: the same records in the same order, the same counts, and the same
//! 数据问题 list (file, sheet, cell, reason, order), whatever the chunk size.

mod common;

use common::{write, D, E, N, S};
use kebiao::config::Config;
use kebiao::model::load::build_chunked;
use std::path::PathBuf;

/// A workbook with every kind of row the sales typing meets: good lines, a text date that is
/// not a date, an unknown customer, a quantity that is not a number, identical lines (double
/// entry), a date far later than the rest, and two further sales sheets, one of them without
/// the required 订货日期 column (all its rows rejected with one problem).
fn book(dir: &std::path::Path) -> PathBuf {
    let p = dir.join("明细.xlsx");
    let header = vec![
        S("订单号"),
        S("订货日期"),
        S("客户编号"),
        S("产品名称"),
        S("数量"),
        S("单价"),
        S("金额"),
    ];
    let ids = ["C001", "C002", "C003", "C004", "C005"];
    let mut customers = vec![vec![S("客户编号"), S("客户名称")]];
    for (i, id) in ids.iter().enumerate() {
        customers.push(vec![S(id), S(["甲", "乙", "丙", "丁", "戊"][i])]);
    }
    // A duplicate customer id.
    customers.push(vec![S("C003"), S("丙二")]);
    let orders: Vec<String> = (0..60).map(|i| format!("SO{:04}", i / 2)).collect();
    let mut sales = vec![header.clone()];
    for i in 0..60usize {
        let day = (i % 28) as u8 + 1;
        let mut row = vec![
            S(&orders[i]),
            D(2024, 3, day),
            S(ids[i % ids.len()]),
            S(["螺栓", "螺母", "垫片"][i % 3]),
            N((i % 7) as f64 + 1.0),
            N(12.5),
            N(((i % 7) as f64 + 1.0) * 12.5),
        ];
        match i % 10 {
            3 => row[1] = S("2024-13-45"),
            5 => row[2] = S("NOSUCH"),
            7 => row[4] = S("abc"),
            _ => {}
        }
        if i == 41 {
            row[1] = D(2042, 3, 5);
        }
        sales.push(row.clone());
        if i % 13 == 0 {
            // The same line again: possible double entry.
            sales.push(row);
        }
    }
    let mut sales2 = vec![header.clone()];
    for i in 0..9usize {
        sales2.push(vec![
            S(&orders[i]),
            D(2024, 4, (i + 1) as u8),
            S(ids[(i + 2) % ids.len()]),
            S("螺栓"),
            N(2.0),
            E,
            if i == 4 { E } else { N(25.0) },
        ]);
    }
    let mut sales3 = vec![vec![S("订单号"), S("客户编号"), S("数量"), S("金额")]];
    for i in 0..4usize {
        sales3.push(vec![S(&orders[i]), S(ids[i]), N(1.0), N(10.0)]);
    }
    write(
        &p,
        &[
            ("客户信息表", customers),
            ("销售明细", sales),
            ("销售明细2", sales2),
            ("销售明细3", sales3),
        ],
    );
    p
}

#[test]
fn chunked_sales_typing_equals_one_piece() {
    let dir = tempfile::tempdir().unwrap();
    let p = book(dir.path());
    let cfg = Config::default();
    let typed = |chunk: usize| {
        let ing = kebiao::ingest::read_inputs(std::slice::from_ref(&p), None).unwrap();
        build_chunked(ing, &cfg, chunk)
    };
    let whole = typed(usize::MAX);
    // The book is what the test says it is: lines kept, lines rejected, problems listed.
    let sales = whole.sales.as_ref().unwrap();
    assert!(sales.len() > 40, "{} lines kept", sales.len());
    let count = whole.counts.iter().find(|c| c.table == "销售明细").unwrap();
    assert_eq!(count.data_rows, 65 + 9 + 4);
    assert!(count.rejected >= 4 + 6 * 3, "{count:?}");
    let reasons: Vec<String> = whole
        .problems
        .iter()
        .map(|p| p.problem.zh.clone())
        .collect();
    for want in [
        "客户不在客户信息表中",
        "缺少必需的列",
        "可能重复录入",
        "客户编号重复",
    ] {
        assert!(
            reasons.iter().any(|r| r.contains(want)),
            "no problem “{want}” in {reasons:?}"
        );
    }
    let expect = format!("{whole:?}");
    for chunk in [1, 2, 7, 16, 64] {
        let got = format!("{:?}", typed(chunk));
        assert!(got == expect, "chunks of {chunk} rows type differently");
    }
}

/// The pack loads without the cross-table checks and runs them beside the data sheets: their
/// findings, put after the dataset's own problems, must be exactly the list `load` makes, and
/// the pack's 数据问题 section the same.
#[test]
fn checks_run_apart_give_the_problems_load_gives() {
    let dir = tempfile::tempdir().unwrap();
    let p = book(dir.path());
    let cfg = Config::default();
    let inputs = std::slice::from_ref(&p);
    let checked = kebiao::model::load(inputs, None, &cfg).unwrap();
    let (unchecked, checks) = kebiao::model::load_unchecked(inputs, None, &cfg).unwrap();
    let later = checks.run(&unchecked);
    // The book has findings of the checks (a duplicate customer id, double entries).
    assert!(
        later.iter().any(|p| p.problem.zh.contains("客户编号重复")),
        "{later:?}"
    );
    let mut joined = unchecked.problems.clone();
    joined.extend(later.iter().cloned());
    assert_eq!(joined, checked.problems);

    let month: kebiao::stats::Month = "2024-03".parse().unwrap();
    let lang = kebiao::error::Lang::Zh;
    let section = |pack: kebiao::report::Pack| {
        let s = pack.sections.into_iter().find(|s| s.sheet == "13数据问题");
        format!("{s:?}")
    };
    let whole = section(kebiao::report::build(&checked, month, &cfg, lang));
    assert!(whole.contains("客户编号重复"));
    let apart = section(kebiao::report::build_with(
        &unchecked, &later, month, &cfg, lang,
    ));
    assert_eq!(apart, whole);
}
