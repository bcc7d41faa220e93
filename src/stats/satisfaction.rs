//! Satisfaction and activity response (DOMAIN §2.2 M18–M20, M23), from T12 满意度调查 and
//! T13 活动参与. All PROPOSED: S2 and S3 name the analyses only.

use super::grading::{self, Window};
use super::{missing_table, ratio, Column, Ctx, Kind, Month, Table, Value};
use crate::error::Msg;
use crate::model::{Activity, SatisfactionSurvey, SURVEY_ITEMS};
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;

pub const SHEET: &str = "满意度调查";
pub const SHEET_ACTIVITIES: &str = "活动参与";

/// M23 of a set of response overalls: (responses, mean 满意度, 满意率 = share with overall ≥ 4.0).
/// Both are "—" with no response.
pub fn summary(overalls: &[Decimal]) -> (i64, Value, Value) {
    let n = Decimal::from(overalls.len() as u64);
    let sum: Decimal = overalls.iter().copied().sum();
    let happy = overalls.iter().filter(|v| **v >= Decimal::from(4)).count();
    let mean = match ratio(sum, n) {
        Value::Ratio(v) => {
            Value::Qty(v.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero))
        }
        other => other,
    };
    (
        overalls.len() as i64,
        mean,
        ratio(Decimal::from(happy as u64), n),
    )
}

fn survey_cid(s: &SatisfactionSurvey) -> String {
    s.customer_id
        .clone()
        .or_else(|| s.customer_name.clone())
        .unwrap_or_default()
}

fn activity_cid(a: &Activity) -> String {
    a.customer_id
        .clone()
        .or_else(|| a.customer_name.clone())
        .unwrap_or_default()
}

/// M19/M20: the latest survey of year `y` per customer that answers the item: (价格敏感度,
/// 质量事故宽容度), each 1–5. Later rows of the same day win (input order).
pub fn latest_sensitivity_tolerance(
    surveys: &[SatisfactionSurvey],
    w: Window,
) -> BTreeMap<String, (Option<i64>, Option<i64>)> {
    let mut best: BTreeMap<String, ((NaiveDate, i64), (NaiveDate, i64))> = BTreeMap::new();
    let mut out: BTreeMap<String, (Option<i64>, Option<i64>)> = BTreeMap::new();
    let floor = (NaiveDate::MIN, 0);
    for s in surveys.iter().filter(|s| w.contains(s.survey_date)) {
        let k = survey_cid(s);
        let b = best.entry(k.clone()).or_insert((floor, floor));
        let o = out.entry(k).or_default();
        if let Some(v) = s.price_sensitivity {
            if s.survey_date >= b.0 .0 {
                b.0 = (s.survey_date, v);
                o.0 = Some(v);
            }
        }
        if let Some(v) = s.tolerance {
            if s.survey_date >= b.1 .0 {
                b.1 = (s.survey_date, v);
                o.1 = Some(v);
            }
        }
    }
    out.retain(|_, v| v.0.is_some() || v.1.is_some());
    out
}

/// M18 per customer in `w`: (invited, responded among the invited). Customers never invited are
/// absent (their response rate is blank, not 0).
pub fn response_counts(acts: &[Activity], w: Window) -> BTreeMap<String, (i64, i64)> {
    let mut m: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for a in acts
        .iter()
        .filter(|a| a.invited && w.contains(a.activity_date))
    {
        let e = m.entry(activity_cid(a)).or_default();
        e.0 += 1;
        if a.responded {
            e.1 += 1;
        }
    }
    m
}

/// M18 活动响应度 = responded / invited; "—" when never invited.
pub fn response_rate(invited: i64, responded: i64) -> Value {
    ratio(Decimal::from(responded), Decimal::from(invited))
}

/// The family's tables for the report month.
pub fn tables(ctx: &Ctx) -> Vec<Table> {
    let m = ctx.month;
    let mut out = Vec::new();
    let sat_title = Msg::new(
        format!("{} 客户满意度分析", m.zh()),
        format!("Customer satisfaction, {m}"),
    );
    let items_title = Msg::new(
        format!("{}年 满意度分项评分 (1月至{}月)", m.year, m.month),
        format!("Satisfaction by item, {} Jan–{m}", m.year),
    );
    match ctx.ds.satisfaction.as_deref() {
        Some(s) => {
            out.push(satisfaction_table(ctx, s, sat_title));
            out.push(items_table(m, s, items_title));
        }
        None => {
            out.push(missing_table("satisfaction", sat_title, SHEET));
            out.push(missing_table("satisfaction-items", items_title, SHEET));
        }
    }
    let act_title = Msg::new(
        format!("{}年 活动响应度 (1月至{}月)", m.year, m.month),
        format!("Activity response, {} Jan–{m}", m.year),
    );
    match ctx.ds.activities.as_deref() {
        Some(a) => out.push(activity_table(m, a, act_title)),
        None => out.push(missing_table(
            "activity-response",
            act_title,
            SHEET_ACTIVITIES,
        )),
    }
    out
}

/// M23 by grade: this month and the year to date; and the complaint-handling satisfaction of
/// T09 (客户满意度 of complaints closed in the period), which M23 names as the other source.
fn satisfaction_table(ctx: &Ctx, surveys: &[SatisfactionSurvey], title: Msg) -> Table {
    let m = ctx.month;
    let grades = grading::grades(ctx);
    let (wm, wy) = (Window::months(m, m), Window::ytd(m));
    let order = ["A", "B", "C", "D", "未分级"];
    let mut by: BTreeMap<&str, (Vec<Decimal>, Vec<Decimal>)> = BTreeMap::new();
    for s in surveys {
        let Some(o) = s.overall else { continue };
        let g = grades
            .get(&survey_cid(s))
            .and_then(|g| order.iter().find(|x| **x == g.as_str()).copied())
            .unwrap_or("未分级");
        let e = by.entry(g).or_default();
        if wm.contains(s.survey_date) {
            e.0.push(o);
        }
        if wy.contains(s.survey_date) {
            e.1.push(o);
        }
    }
    let row = |label: &str, month: &[Decimal], ytd: &[Decimal]| {
        let (n1, a1, r1) = summary(month);
        let (n2, a2, r2) = summary(ytd);
        vec![
            Value::Text(label.into()),
            Value::Int(n1),
            a1,
            r1,
            Value::Int(n2),
            a2,
            r2,
        ]
    };
    let mut rows = Vec::new();
    for g in order {
        // A grade with no response this year has no row (older surveys are outside both columns).
        let Some((a, b)) = by.get(g).filter(|(a, b)| !a.is_empty() || !b.is_empty()) else {
            continue;
        };
        let label = if g == "未分级" {
            g.to_string()
        } else {
            format!("{g} 类")
        };
        rows.push(row(&label, a, b));
    }
    let all_m: Vec<Decimal> = by.values().flat_map(|v| v.0.iter().copied()).collect();
    let all_y: Vec<Decimal> = by.values().flat_map(|v| v.1.iter().copied()).collect();
    // T09's 客户满意度 (complaint handling), for complaints closed in the period.
    if let Some(cs) = ctx.ds.complaints.as_deref() {
        let pick = |w: Window| -> Vec<Decimal> {
            cs.iter()
                .filter(|c| c.closed_at.is_some_and(|t| w.contains(t.date())))
                .filter_map(|c| c.satisfaction.map(Decimal::from))
                .collect()
        };
        rows.push(row("投诉处理回访 (投诉记录)", &pick(wm), &pick(wy)));
    }
    let derived = surveys
        .iter()
        .filter(|s| s.overall_derived && wy.contains(s.survey_date))
        .count();
    Table {
        id: "satisfaction".into(),
        title,
        columns: vec![
            Column::new("grade", "客户等级", "Grade", Kind::Text),
            Column::new("responses", "本月回收份数", "Responses (month)", Kind::Int),
            Column::new("mean", "本月满意度", "Mean (month)", Kind::Qty),
            Column::new("rate", "本月满意率", "Satisfied (month)", Kind::Percent),
            Column::new("responses_ytd", "本年份数", "Responses (YTD)", Kind::Int),
            Column::new("mean_ytd", "本年满意度", "Mean (YTD)", Kind::Qty),
            Column::new("rate_ytd", "本年满意率", "Satisfied (YTD)", Kind::Percent),
        ],
        rows,
        totals: Some(row("合计 (满意度调查)", &all_m, &all_y)),
        notes: vec![Msg::new(
            format!("满意度 = 各份总体满意度 (1–5) 的平均; 总体满意度空白时取已答分项的平均 (本年 {derived} 份); 满意率 = 总体满意度 ≥ 4.0 的份数占比; 等级按报告月的客户分级"),
            format!("Satisfaction = mean of the responses' overall score (1–5); a blank overall is the mean of the answered items ({derived} this year); satisfied = share of responses with overall ≥ 4.0; grades as of the report month"),
        )],
    }
}

/// Item means for the year to date (M23 "mean of answered items", item by item).
fn items_table(m: Month, surveys: &[SatisfactionSurvey], title: Msg) -> Table {
    let w = Window::ytd(m);
    let in_w: Vec<&SatisfactionSurvey> = surveys
        .iter()
        .filter(|s| w.contains(s.survey_date))
        .collect();
    let rows = SURVEY_ITEMS
        .iter()
        .enumerate()
        .map(|(i, name)| {
            let vals: Vec<Decimal> = in_w
                .iter()
                .filter_map(|s| s.items()[i].map(Decimal::from))
                .collect();
            let (n, mean, rate) = summary(&vals);
            vec![Value::Text((*name).into()), Value::Int(n), mean, rate]
        })
        .collect();
    Table {
        id: "satisfaction-items".into(),
        title,
        columns: vec![
            Column::new("item", "评价项目", "Item", Kind::Text),
            Column::new("answered", "作答份数", "Answers", Kind::Int),
            Column::new("mean", "平均分", "Mean", Kind::Qty),
            Column::new("rate", "满意率(≥4分)", "Satisfied (≥4)", Kind::Percent),
        ],
        rows,
        totals: None,
        notes: vec![],
    }
}

/// M18 by activity for the year to date: invited, responded, response rate.
fn activity_table(m: Month, acts: &[Activity], title: Msg) -> Table {
    let w = Window::ytd(m);
    let mut by: BTreeMap<(NaiveDate, String), (i64, i64)> = BTreeMap::new();
    for a in acts
        .iter()
        .filter(|a| a.invited && w.contains(a.activity_date))
    {
        let e = by.entry((a.activity_date, a.activity.clone())).or_default();
        e.0 += 1;
        if a.responded {
            e.1 += 1;
        }
    }
    let uninvited = acts
        .iter()
        .filter(|a| !a.invited && a.responded && w.contains(a.activity_date))
        .count();
    let row = |lead: Vec<Value>, (i, r): (i64, i64)| {
        let mut v = lead;
        v.extend([Value::Int(i), Value::Int(r), response_rate(i, r)]);
        v
    };
    let rows = by
        .iter()
        .map(|((d, name), v)| row(vec![Value::Date(*d), Value::Text(name.clone())], *v))
        .collect();
    let t = by.values().fold((0, 0), |a, v| (a.0 + v.0, a.1 + v.1));
    let customers = response_counts(acts, w);
    Table {
        id: "activity-response".into(),
        title,
        columns: vec![
            Column::new("date", "活动日期", "Date", Kind::Date),
            Column::new("activity", "活动名称", "Activity", Kind::Text),
            Column::new("invited", "邀请客户数", "Invited", Kind::Int),
            Column::new("responded", "响应客户数", "Responded", Kind::Int),
            Column::new("rate", "响应度", "Response rate", Kind::Percent),
        ],
        rows,
        totals: Some(row(vec![Value::Text("合计".into()), Value::Empty], t)),
        notes: vec![Msg::new(
            format!("响应度 = 响应 / 邀请 (M18); 本年受邀客户 {} 家; 未受邀而参加的 {uninvited} 人次不计入", customers.len()),
            format!("Response rate = responded / invited (M18); {} customers invited this year; {uninvited} attendances without an invitation are not counted", customers.len()),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::Dataset;
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// M23: responses 5, 4, 3.5 (a derived mean) and 2 → mean 3.63, 满意率 2/4 = 50.0%.
    #[test]
    fn m23_mean_and_satisfied_share() {
        let (n, mean, rate) = summary(&[dec!(5), dec!(4), dec!(3.5), dec!(2)]);
        assert_eq!(n, 4);
        assert_eq!(mean, Value::Qty(dec!(3.63)));
        assert_eq!(rate, Value::Ratio(dec!(0.5)));
        assert_eq!(
            summary(&[]),
            (0, Value::NotApplicable, Value::NotApplicable)
        );
        // A blank overall is the mean of the answered items (load.rs): 4, 5, 3 → 4.
        assert_eq!(
            crate::model::load::mean_of_items(&[Some(4), None, Some(5), Some(3)]),
            Some(dec!(4))
        );
        assert_eq!(crate::model::load::mean_of_items(&[None, None]), None);
    }

    fn survey(
        cid: &str,
        date: &str,
        overall: Decimal,
        ps: Option<i64>,
        tol: Option<i64>,
    ) -> SatisfactionSurvey {
        SatisfactionSurvey {
            survey_date: d(date),
            customer_id: Some(cid.into()),
            overall: Some(overall),
            price_sensitivity: ps,
            tolerance: tol,
            ..Default::default()
        }
    }

    /// M19/M20: the latest survey in the year answering each item.
    #[test]
    fn m19_m20_latest_in_year() {
        let s = [
            survey("C1", "2024-02-01", dec!(4), Some(2), Some(4)),
            survey("C1", "2024-06-01", dec!(4), Some(5), None),
            survey("C1", "2023-12-01", dec!(4), Some(1), Some(1)),
            survey("C2", "2024-03-01", dec!(4), None, None),
        ];
        let m: Month = "2024-12".parse().unwrap();
        let r = latest_sensitivity_tolerance(&s, Window::ytd(m));
        assert_eq!(r["C1"], (Some(5), Some(4)));
        assert!(!r.contains_key("C2"));
    }

    /// M18: 3 invitations, 2 responses → 66.7%; never invited → absent (blank, not 0).
    #[test]
    fn m18_response_rate() {
        let act = |cid: &str, name: &str, inv: bool, resp: bool| Activity {
            activity: name.into(),
            activity_date: d("2024-04-12"),
            customer_id: Some(cid.into()),
            invited: inv,
            responded: resp,
            ..Default::default()
        };
        let a = [
            act("C1", "联谊会", true, true),
            act("C1", "订货会", true, false),
            act("C1", "培训", true, true),
            act("C2", "联谊会", false, true),
        ];
        let m: Month = "2024-12".parse().unwrap();
        let r = response_counts(&a, Window::ytd(m));
        assert_eq!(r["C1"], (3, 2));
        assert!(!r.contains_key("C2"));
        assert_eq!(
            response_rate(3, 2),
            Value::Ratio(Decimal::from(2) / Decimal::from(3))
        );
        assert_eq!(response_rate(0, 0), Value::NotApplicable);
        let t = activity_table(m, &a, Msg::new("", ""));
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.totals.unwrap()[2], Value::Int(3));
    }

    #[test]
    fn satisfaction_table_by_grade_and_missing() {
        let ds = Dataset {
            satisfaction: Some(vec![
                survey("C1", "2024-03-10", dec!(5), None, None),
                survey("C2", "2024-03-11", dec!(3), None, None),
                survey("C2", "2024-01-11", dec!(4), None, None),
            ]),
            ..Default::default()
        };
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let ts = tables(&ctx);
        let t = &ts[0];
        let tot = t.totals.as_ref().unwrap();
        assert_eq!(tot[1], Value::Int(2));
        assert_eq!(tot[2], Value::Qty(dec!(4)));
        assert_eq!(tot[3], Value::Ratio(dec!(0.5)));
        assert_eq!(tot[4], Value::Int(3));
        assert_eq!(tot[6], Value::Ratio(Decimal::from(2) / Decimal::from(3)));
        // No activity sheet: missing, never 0.
        assert_eq!(ts[2].rows[0][0], Value::Missing(SHEET_ACTIVITIES.into()));
        let none = Dataset::default();
        let ctx = Ctx::new(&none, "2024-03".parse().unwrap(), &cfg);
        assert!(tables(&ctx)
            .iter()
            .all(|t| matches!(t.rows[0][0], Value::Missing(_))));
    }
}
