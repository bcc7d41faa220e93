//! Loading T11–T15 (费用, 满意度调查, 活动参与, 售后服务, 呼叫记录): good rows become records with
//! the right values, bad rows become problems naming their cell, and accepted + rejected equals
//! the data rows of each sheet.

mod common;

use common::{write, D, E, N, S};
use kebiao::config::Config;
use kebiao::error::Severity;
use kebiao::model::{load, Dataset};
use rust_decimal::Decimal;
use rust_decimal_macros::dec;

fn dataset() -> Dataset {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("客户管理.xlsx");
    write(
        &p,
        &[
            (
                "客户信息表",
                vec![
                    vec![S("客户编号"), S("客户名称"), S("负责人")],
                    vec![S("ABC2024001"), S("上海甲有限公司"), S("张三")],
                    vec![S("ABC2024002"), S("杭州乙有限公司"), S("李四")],
                ],
            ),
            (
                "费用",
                vec![
                    vec![
                        S("费用日期"),
                        S("业务员"),
                        S("客户编号"),
                        S("费用类别"),
                        S("金额"),
                        S("说明"),
                    ],
                    vec![
                        D(2024, 3, 1),
                        S("张三"),
                        E,
                        S("差旅费"),
                        N(300.0),
                        S("出差"),
                    ],
                    // 招待 is 交际 (M29); a 万元 header is not used here.
                    vec![
                        D(2024, 3, 2),
                        S("张三"),
                        S("ABC2024001"),
                        S("招待费"),
                        S("¥1,200.50"),
                        E,
                    ],
                    // No date: rejected at A4.
                    vec![E, S("李四"), E, S("油料"), N(80.0), E],
                    // Amount not a number: rejected.
                    vec![D(2024, 3, 4), S("李四"), E, S("油料"), S("八十"), E],
                    // Unknown category → 其他, coerced; unknown customer kept with a notice.
                    vec![
                        D(2024, 3, 5),
                        S("李四"),
                        S("ZZZ9999001"),
                        S("彩票"),
                        N(10.0),
                        E,
                    ],
                ],
            ),
            (
                "满意度调查",
                vec![
                    vec![
                        S("调查日期"),
                        S("客户编号"),
                        S("产品质量"),
                        S("价格"),
                        S("服务态度"),
                        S("总体满意度"),
                        S("价格敏感度"),
                        S("质量事故宽容度"),
                        S("再次购买意愿"),
                    ],
                    vec![
                        D(2024, 3, 18),
                        S("ABC2024001"),
                        N(4.0),
                        N(5.0),
                        N(3.0),
                        E,
                        N(3.0),
                        N(4.0),
                        S("愿意"),
                    ],
                    vec![
                        D(2024, 3, 19),
                        S("ABC2024002"),
                        S("满意"),
                        E,
                        E,
                        S("非常满意"),
                        E,
                        E,
                        S("是"),
                    ],
                    // Score out of range: coerced blank (D4); the row stays.
                    vec![
                        D(2024, 3, 20),
                        S("ABC2024002"),
                        N(7.0),
                        E,
                        E,
                        N(2.0),
                        E,
                        E,
                        E,
                    ],
                    // Customer not in T01: rejected (C5).
                    vec![
                        D(2024, 3, 21),
                        S("ABC2099999"),
                        N(4.0),
                        E,
                        E,
                        N(4.0),
                        E,
                        E,
                        E,
                    ],
                ],
            ),
            (
                "活动参与",
                vec![
                    vec![
                        S("活动名称"),
                        S("活动日期"),
                        S("客户编号"),
                        S("是否邀请"),
                        S("是否响应"),
                    ],
                    vec![
                        S("2024客户联谊会"),
                        D(2024, 4, 12),
                        S("ABC2024001"),
                        S("是"),
                        S("报名"),
                    ],
                    vec![
                        S("2024客户联谊会"),
                        D(2024, 4, 12),
                        S("ABC2024002"),
                        E,
                        S("未参加"),
                    ],
                    vec![
                        S("2024客户联谊会"),
                        D(2024, 4, 12),
                        S("ABC2024002"),
                        S("否"),
                        S("出席"),
                    ],
                    // Neither yes nor no: rejected at E5.
                    vec![
                        S("2024客户联谊会"),
                        D(2024, 4, 12),
                        S("ABC2024001"),
                        S("是"),
                        S("也许"),
                    ],
                    // No response at all: rejected.
                    vec![S("2024订货会"), D(2024, 5, 12), S("ABC2024001"), S("是"), E],
                ],
            ),
            (
                "售后服务",
                vec![
                    vec![
                        S("服务单号"),
                        S("登记日期"),
                        S("客户编号"),
                        S("服务类型"),
                        S("完成日期"),
                        S("是否保修期内"),
                        S("费用"),
                        S("满意度"),
                    ],
                    vec![
                        S("FW2024030007"),
                        S("2024-03-05 10:00"),
                        S("ABC2024001"),
                        S("维修"),
                        S("2024-03-06 16:00"),
                        S("是"),
                        N(0.0),
                        N(5.0),
                    ],
                    // Completed before registered: completion blanked (E3), the row stays.
                    vec![
                        S("FW2024030008"),
                        S("2024-03-07 10:00"),
                        S("ABC2024002"),
                        S("报修"),
                        S("2024-03-06 16:00"),
                        S("否"),
                        N(380.0),
                        E,
                    ],
                    // No 服务单号: rejected.
                    vec![
                        E,
                        S("2024-03-08 10:00"),
                        S("ABC2024002"),
                        S("保养"),
                        E,
                        E,
                        E,
                        E,
                    ],
                ],
            ),
            (
                "呼叫记录",
                vec![
                    vec![
                        S("日期时间"),
                        S("呼入/呼出"),
                        S("号码"),
                        S("客户编号"),
                        S("座席员"),
                        S("业务类型"),
                        S("是否接通"),
                        S("通话时长(秒)"),
                        S("质检得分"),
                    ],
                    vec![
                        S("2024-03-05 09:12"),
                        S("呼入"),
                        S("0571-88888888"),
                        S("ABC2024001"),
                        S("A07"),
                        S("咨询"),
                        S("是"),
                        N(185.0),
                        N(88.0),
                    ],
                    // mm:ss talk time; no customer (optional in T15).
                    vec![
                        S("2024-03-05 10:00"),
                        S("外呼"),
                        S("13800000000"),
                        E,
                        S("A07"),
                        S("回访"),
                        S("是"),
                        S("3:05"),
                        E,
                    ],
                    // Talk time nonsense: coerced blank (H4); QA score 120 out of range (I4).
                    vec![
                        S("2024-03-05 11:00"),
                        S("呼出"),
                        E,
                        E,
                        S("A01"),
                        S("催收"),
                        S("否"),
                        S("很久"),
                        N(120.0),
                    ],
                    // No agent: rejected.
                    vec![S("2024-03-05 12:00"), S("呼入"), E, E, E, E, E, N(20.0), E],
                ],
            ),
        ],
    );
    load(&[p], None, &Config::default()).unwrap()
}

fn count(ds: &Dataset, table: &str) -> (usize, usize, usize) {
    let c = ds
        .counts
        .iter()
        .find(|c| c.table == table)
        .unwrap_or_else(|| panic!("no count for {table}: {:?}", ds.counts));
    assert_eq!(
        c.accepted + c.rejected,
        c.data_rows,
        "{table} conserves rows"
    );
    (c.data_rows, c.accepted, c.rejected)
}

/// The problems of one sheet at one cell.
fn at(ds: &Dataset, sheet: &str, cell: &str) -> Vec<(Severity, String)> {
    ds.problems
        .iter()
        .filter(|p| p.location.sheet == sheet && p.location.cell == cell)
        .map(|p| (p.severity, p.problem.zh.clone()))
        .collect()
}

#[test]
fn expenses_load_with_categories_and_problems() {
    let ds = dataset();
    assert_eq!(count(&ds, "费用"), (5, 3, 2));
    let e = ds.expenses.as_ref().unwrap();
    assert_eq!(e[0].amount, dec!(300));
    assert_eq!(e[0].category.as_deref(), Some("差旅费"));
    assert_eq!(e[1].category.as_deref(), Some("交际"), "招待 → 交际");
    assert_eq!(e[1].amount, dec!(1200.50));
    assert_eq!(
        e[1].customer_name.as_deref(),
        Some("上海甲有限公司"),
        "C5 fills the name"
    );
    assert_eq!(e[2].category.as_deref(), Some("其他"));
    assert!(at(&ds, "费用", "A4")
        .iter()
        .any(|p| p.0 == Severity::Rejected));
    assert!(at(&ds, "费用", "E5")
        .iter()
        .any(|p| p.0 == Severity::Rejected));
    assert!(at(&ds, "费用", "D6")
        .iter()
        .any(|p| p.0 == Severity::Coerced));
    assert!(at(&ds, "费用", "C6")
        .iter()
        .any(|p| p.0 == Severity::Notice));
}

#[test]
fn satisfaction_overall_blank_is_the_mean_of_items() {
    let ds = dataset();
    assert_eq!(count(&ds, "满意度调查"), (4, 3, 1));
    let s = ds.satisfaction.as_ref().unwrap();
    // (4 + 5 + 3) / 3 = 4, derived.
    assert_eq!(s[0].overall, Some(dec!(4)));
    assert!(s[0].overall_derived);
    assert_eq!(s[0].price_sensitivity, Some(3));
    assert_eq!(s[0].tolerance, Some(4));
    assert_eq!(s[0].rebuy.as_deref(), Some("是"));
    // Words: 满意 = 4 on the T12 scale, 非常满意 = 5.
    assert_eq!(s[1].q_quality, Some(4));
    assert_eq!(s[1].overall, Some(Decimal::from(5)));
    assert!(!s[1].overall_derived);
    assert_eq!(s[2].q_quality, None);
    assert!(at(&ds, "满意度调查", "C4")
        .iter()
        .any(|p| p.0 == Severity::Coerced));
    assert!(at(&ds, "满意度调查", "B5")
        .iter()
        .any(|p| p.0 == Severity::Rejected));
}

#[test]
fn activities_read_response_words() {
    let ds = dataset();
    assert_eq!(count(&ds, "活动参与"), (5, 3, 2));
    let a = ds.activities.as_ref().unwrap();
    assert!(a[0].invited && a[0].responded, "报名 → 是");
    assert!(a[1].invited, "blank 是否邀请 → 是");
    assert!(!a[1].responded, "未参加 → 否");
    assert!(!a[2].invited && a[2].responded, "出席 → 是");
    assert!(at(&ds, "活动参与", "E5")
        .iter()
        .any(|p| p.0 == Severity::Rejected));
    assert!(at(&ds, "活动参与", "E6")
        .iter()
        .any(|p| p.0 == Severity::Rejected));
}

#[test]
fn after_sales_and_calls() {
    let ds = dataset();
    assert_eq!(count(&ds, "售后服务"), (3, 2, 1));
    let a = ds.after_sales.as_ref().unwrap();
    assert_eq!(a[0].service_type.as_deref(), Some("维修"));
    assert!(a[0].completed_at.is_some());
    assert_eq!(a[1].service_type.as_deref(), Some("维修"), "报修 → 维修");
    assert_eq!(a[1].completed_at, None);
    assert_eq!(a[1].fee, Some(dec!(380)));
    assert!(at(&ds, "售后服务", "E3")
        .iter()
        .any(|p| p.0 == Severity::Coerced));
    assert!(at(&ds, "售后服务", "A4")
        .iter()
        .any(|p| p.0 == Severity::Rejected));

    assert_eq!(count(&ds, "呼叫记录"), (4, 3, 1));
    let c = ds.calls.as_ref().unwrap();
    assert_eq!(c[0].duration_s, Some(185));
    assert_eq!(c[0].customer_name.as_deref(), Some("上海甲有限公司"));
    assert_eq!(c[1].direction, "呼出", "外呼 → 呼出");
    assert_eq!(c[1].duration_s, Some(185), "3:05 = 185 s");
    assert_eq!(c[1].customer_id, None);
    assert_eq!(c[2].call_type.as_deref(), Some("催款"));
    assert_eq!(c[2].duration_s, None);
    assert_eq!(c[2].qa_score, None);
    assert!(at(&ds, "呼叫记录", "H4")
        .iter()
        .any(|p| p.0 == Severity::Coerced));
    assert!(at(&ds, "呼叫记录", "I4")
        .iter()
        .any(|p| p.0 == Severity::Coerced));
    assert!(at(&ds, "呼叫记录", "E5")
        .iter()
        .any(|p| p.0 == Severity::Rejected));
}

/// Without the optional sheets the dataset says None (not an empty list), so the statistics
/// print "缺少数据".
#[test]
fn missing_optional_sheets_are_none() {
    let dir = tempfile::tempdir().unwrap();
    let p = common::canonical(dir.path());
    let ds = load(&[p], None, &Config::default()).unwrap();
    assert!(ds.expenses.is_none() && ds.satisfaction.is_none() && ds.activities.is_none());
    assert!(ds.after_sales.is_none() && ds.calls.is_none());
}
