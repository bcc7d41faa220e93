//! Complaints family (DOMAIN §2.6 M67–M75, R10): the content of 投诉处理分析表 — counts by 类型,
//! 产品, 区域, 客户等级, 渠道 and 责任部门; the 48h response rate; handling time against the target;
//! 结案率 and backlog; 退(换)货 and 索赔 summaries; open complaints by priority with routing; and the
//! complaints whose customer row was not updated (R10).
//!
//! Times are calendar hours (M68: business hours are not used). "Open at the end of the month" is
//! judged at the first instant of the next month, so a complaint closed at 23:59 on the last day
//! is closed.

use super::receivables::{CustomerIndex, SHEET_CUSTOMERS, SHEET_RETURNS, SHEET_SALES};
use super::sales::NO_REGION;
use super::{missing_table, ratio, Column, Ctx, Kind, Month, Table, Value};
use crate::error::Msg;
use crate::model::{Complaint, Return};
use chrono::{Days, NaiveDateTime};
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;

pub const SHEET_COMPLAINTS: &str = "投诉记录";
pub const SHEET_AFTER_SALES: &str = "售后服务";
pub const SHEET_CALLS: &str = "呼叫记录";

/// Label of a blank dimension value.
pub const NOT_GIVEN: &str = "未注明";
/// Label of a customer the grade map does not know.
pub const NO_GRADE: &str = "未分级";

/// The first instant after the month: everything strictly before it happened "by month end".
pub fn month_end_instant(month: Month) -> NaiveDateTime {
    month
        .next()
        .first_day()
        .and_hms_opt(0, 0, 0)
        .unwrap_or_default()
}

/// Closed by `at`: a 结案时间 before it, or — with no 结案时间 — a typed 状态 of 已结案.
pub fn closed_by(c: &Complaint, at: NaiveDateTime) -> bool {
    match c.closed_at {
        Some(t) => t < at,
        None => c.status.as_deref().is_some_and(|s| s.contains("结案")),
    }
}

/// Received before `at` and not closed by then.
pub fn open_at(c: &Complaint, at: NaiveDateTime) -> bool {
    c.received_at < at && !closed_by(c, at)
}

pub fn is_major(c: &Complaint) -> bool {
    c.severity.as_deref().is_some_and(|s| s.contains("重大"))
}

/// Calendar hours from `from` to `to` (may be negative on a typing error).
pub fn hours_between(from: NaiveDateTime, to: NaiveDateTime) -> Decimal {
    Decimal::from((to - from).num_seconds()) / Decimal::from(3600)
}

/// Hours shown to one decimal; the raw value is kept for means and medians.
fn hours_value(h: Decimal) -> Value {
    Value::Qty(h.round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero))
}

/// The complaints received in `month`.
pub fn received_in(cs: &[Complaint], month: Month) -> Vec<&Complaint> {
    cs.iter()
        .filter(|c| month.contains(c.received_at.date()))
        .collect()
}

/// M68 outcome of one complaint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Response {
    /// Initial plan within the limit.
    Met,
    /// Answered later than the limit.
    Late,
    /// Not answered and already older than the limit at the period end: 未达标.
    Unanswered,
    /// Not answered but younger than the limit at the period end: left out.
    Pending,
    /// Answered before it was received (a typing error): left out and noted.
    Invalid,
}

/// M68: response_h = 初步方案反馈时间 − 受理时间; 达标 if ≤ `limit_hours`. An unanswered complaint
/// older than the limit at `period_end` is 未达标; a younger one is left out.
pub fn response(c: &Complaint, period_end: NaiveDateTime, limit_hours: i64) -> Response {
    let limit = Decimal::from(limit_hours);
    match c.response_at {
        Some(r) if r < c.received_at => Response::Invalid,
        Some(r) if hours_between(c.received_at, r) <= limit => Response::Met,
        Some(_) => Response::Late,
        None if hours_between(c.received_at, period_end) > limit => Response::Unanswered,
        None => Response::Pending,
    }
}

/// M68 counts: (counted, met). The rate is met / counted, "—" when nothing counts.
pub fn response_counts(cs: &[&Complaint], period_end: NaiveDateTime, limit: i64) -> (i64, i64) {
    let rs: Vec<Response> = cs.iter().map(|c| response(c, period_end, limit)).collect();
    let met = rs.iter().filter(|r| **r == Response::Met).count() as i64;
    let missed = rs
        .iter()
        .filter(|r| matches!(r, Response::Late | Response::Unanswered))
        .count() as i64;
    (met + missed, met)
}

pub fn mean(xs: &[Decimal]) -> Option<Decimal> {
    (!xs.is_empty()).then(|| xs.iter().copied().sum::<Decimal>() / Decimal::from(xs.len()))
}

pub fn median(xs: &[Decimal]) -> Option<Decimal> {
    let mut v = xs.to_vec();
    v.sort();
    let n = v.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(v[n / 2]),
        _ => Some((v[n / 2 - 1] + v[n / 2]) / Decimal::from(2)),
    }
}

/// M69 handle_h of the complaints closed in `month` (negative durations are typing errors, left out).
pub fn handling_hours(cs: &[Complaint], month: Month) -> Vec<Decimal> {
    cs.iter()
        .filter_map(|c| {
            let closed = c.closed_at.filter(|t| month.contains(t.date()))?;
            Some(hours_between(c.received_at, closed)).filter(|h| *h >= Decimal::ZERO)
        })
        .collect()
}

/// M70 结案率 = received in p and closed by the end of p / received in p.
pub fn closure_rate(received: &[&Complaint], end: NaiveDateTime) -> Value {
    let closed = received.iter().filter(|c| closed_by(c, end)).count();
    ratio(Decimal::from(closed), Decimal::from(received.len()))
}

/// M73 rank of a value grade: A > B > C > D > 未分级.
fn grade_rank(g: &str) -> usize {
    ["A", "B", "C", "D"]
        .iter()
        .position(|x| *x == g)
        .unwrap_or(4)
}

/// M73 order: grade A > B > C > D > 未分级, then 重大 before 一般, then oldest first.
pub fn priority_sort(list: &mut [(&Complaint, String)]) {
    list.sort_by(|(a, ga), (b, gb)| {
        grade_rank(ga)
            .cmp(&grade_rank(gb))
            .then(is_major(b).cmp(&is_major(a)))
            .then(a.received_at.cmp(&b.received_at))
            .then(a.complaint_no.cmp(&b.complaint_no))
    });
}

/// M73 routing (S4): 重大 → 客户服务部经理, 一般 → 主管.
pub fn routing(c: &Complaint) -> &'static str {
    if is_major(c) {
        "客户服务部经理"
    } else {
        "主管"
    }
}

fn text_or(s: &Option<String>, default: &str) -> String {
    s.as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .unwrap_or(default)
        .to_string()
}

/// Order of a dimension's rows: the option list first (in its order), then the rest by count,
/// 未注明 / 未分级 last.
fn ordered<'a>(
    counts: &'a BTreeMap<String, (i64, i64)>,
    preferred: &[&str],
) -> Vec<(&'a String, &'a (i64, i64))> {
    let mut v: Vec<_> = counts.iter().collect();
    let rank = |k: &str| match preferred.iter().position(|p| *p == k) {
        Some(i) => (0, i),
        None if k == NOT_GIVEN || k == NO_GRADE || k == NO_REGION => (2, 0),
        None => (1, 0),
    };
    v.sort_by(|(ka, a), (kb, b)| rank(ka).cmp(&rank(kb)).then(b.0.cmp(&a.0)).then(ka.cmp(kb)));
    v
}

/// M67: count (and 重大 count) of `cs` by a dimension.
pub fn count_by(
    cs: &[&Complaint],
    key: impl Fn(&Complaint) -> String,
) -> BTreeMap<String, (i64, i64)> {
    let mut m: BTreeMap<String, (i64, i64)> = BTreeMap::new();
    for c in cs {
        let e = m.entry(key(c)).or_default();
        e.0 += 1;
        e.1 += i64::from(is_major(c));
    }
    m
}

fn dimension_table(
    id: &str,
    (zh, en): (&str, &str),
    month: Month,
    counts: &BTreeMap<String, (i64, i64)>,
    preferred: &[&str],
) -> Table {
    let total: i64 = counts.values().map(|c| c.0).sum();
    let major: i64 = counts.values().map(|c| c.1).sum();
    let rows = ordered(counts, preferred)
        .into_iter()
        .map(|(k, (n, m))| {
            vec![
                Value::Text(k.clone()),
                Value::Int(*n),
                ratio(Decimal::from(*n), Decimal::from(total)),
                Value::Int(*m),
            ]
        })
        .collect();
    Table {
        id: id.into(),
        title: Msg::new(
            format!("{} 投诉量 — 按{zh}", month.zh()),
            format!("Complaints by {en}, {month}"),
        ),
        columns: vec![
            Column::new("key", zh, en, Kind::Text),
            Column::new("count", "投诉数", "Complaints", Kind::Int),
            Column::new("share", "占比", "Share", Kind::Percent),
            Column::new("major", "其中重大", "Of which major", Kind::Int),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Int(total),
            ratio(Decimal::from(total), Decimal::from(total)),
            Value::Int(major),
        ]),
        notes: vec![],
    }
}

/// Customers 成交(活跃) at `month` end (C10): an order in (d − churn_days, d].
fn active_customers(ctx: &Ctx) -> Option<usize> {
    let sales = ctx.ds.sales.as_deref()?;
    let end = ctx.month.last_day();
    let days = u64::try_from(ctx.cfg.churn_days).unwrap_or(0);
    let from = end.checked_sub_days(Days::new(days)).unwrap_or(end);
    // The lines' keys as [`Ctx::customer_index`] resolves them, numbered once per run
    // ([`Ctx::line_keys`]): the distinct numbers of the window's lines are its distinct customers.
    let keys = ctx.line_keys();
    let mut seen = vec![false; keys.keys.len()];
    let mut n = 0;
    for i in ctx
        .line_dates()
        .within(super::grading::Window { from, to: end })
    {
        let Some(l) = sales.get(i) else { continue };
        if l.cancelled || l.order_date <= from {
            continue;
        }
        if let Some(s) = keys.of_line.get(i).and_then(|k| seen.get_mut(*k as usize)) {
            if !*s {
                *s = true;
                n += 1;
            }
        }
    }
    Some(n)
}

fn summary_table(ctx: &Ctx, cs: &[Complaint]) -> Table {
    let month = ctx.month;
    let end = month_end_instant(month);
    let rec = received_in(cs, month);
    let n = rec.len() as i64;
    let major = rec.iter().filter(|c| is_major(c)).count() as i64;
    let (counted, met) = response_counts(&rec, end, ctx.cfg.complaint.response_hours);
    let hours = handling_hours(cs, month);
    let backlog = cs.iter().filter(|c| open_at(c, end)).count() as i64;
    let (active, rate) = match active_customers(ctx) {
        Some(a) => (
            Value::Int(a as i64),
            ratio(Decimal::from(n), Decimal::from(a)),
        ),
        None => (
            Value::Missing(SHEET_SALES.into()),
            Value::Missing(SHEET_SALES.into()),
        ),
    };
    Table {
        id: "complaints-summary".into(),
        title: Msg::new(
            format!("{} 投诉处理分析 — 总览", month.zh()),
            format!("Complaint handling overview, {month}"),
        ),
        columns: vec![
            Column::new("received", "本月受理", "Received", Kind::Int),
            Column::new("major", "其中重大", "Of which major", Kind::Int),
            Column::new("active", "活跃客户数", "Active customers", Kind::Int),
            Column::new("rate", "投诉率", "Complaint rate", Kind::Percent),
            Column::new("response_rate", "48小时反馈达标率", "48h response rate", Kind::Percent),
            Column::new("mean_hours", "平均处理时长(小时)", "Mean handling hours", Kind::Qty),
            Column::new("closure_rate", "结案率", "Closure rate", Kind::Percent),
            Column::new("backlog", "月末积压", "Open at month end", Kind::Int),
        ],
        rows: vec![vec![
            Value::Int(n),
            Value::Int(major),
            active,
            rate,
            ratio(Decimal::from(met), Decimal::from(counted)),
            mean(&hours).map_or(Value::NotApplicable, hours_value),
            closure_rate(&rec, end),
            Value::Int(backlog),
        ]],
        totals: None,
        notes: vec![Msg::new(
            format!(
                "投诉率 = 本月投诉 / 活跃客户 (近 {} 天有订货); 时长按自然小时计",
                ctx.cfg.churn_days
            ),
            format!(
                "Complaint rate = complaints / active customers (ordered in the last {} days); durations in calendar hours",
                ctx.cfg.churn_days
            ),
        )],
    }
}

fn customer_label(idx: &CustomerIndex, c: &Complaint) -> (String, String) {
    let key = idx.key(c.customer_id.as_deref(), c.customer_name.as_deref());
    let name = idx.name(&key);
    (key, name)
}

/// M68: the rate and the list of misses.
fn response_tables(ctx: &Ctx, cs: &[Complaint], idx: &CustomerIndex) -> Vec<Table> {
    let month = ctx.month;
    let end = month_end_instant(month);
    let limit = ctx.cfg.complaint.response_hours;
    let rec = received_in(cs, month);
    let outcomes: Vec<(&Complaint, Response)> =
        rec.iter().map(|c| (*c, response(c, end, limit))).collect();
    let count = |r: Response| outcomes.iter().filter(|(_, x)| *x == r).count() as i64;
    let (met, late, unanswered, pending, invalid) = (
        count(Response::Met),
        count(Response::Late),
        count(Response::Unanswered),
        count(Response::Pending),
        count(Response::Invalid),
    );
    let counted = met + late + unanswered;
    let mut notes = vec![Msg::new(
        format!("反馈用时 = 初步方案反馈时间 − 受理时间 (自然小时); ≤ {limit} 小时为达标; 月末仍未反馈且已超过 {limit} 小时计为未达标, 未满 {limit} 小时的不计 ({pending} 件)"),
        format!("Response time = first plan − received (calendar hours); ≤ {limit}h meets the rule; unanswered and older than {limit}h at month end misses it; younger unanswered ones are left out ({pending})"),
    )];
    if invalid > 0 {
        notes.push(Msg::new(
            format!("{invalid} 件反馈时间早于受理时间, 未计入, 请核对"),
            format!("{invalid} complaints were answered before they were received: left out, please check"),
        ));
    }
    let rate = Table {
        id: "complaint-response".into(),
        title: Msg::new(
            format!("{} 48小时初步方案反馈达标率", month.zh()),
            format!("{limit}h first-response rate, {month}"),
        ),
        columns: vec![
            Column::new("counted", "应计件数", "Counted", Kind::Int),
            Column::new("met", "达标", "Met", Kind::Int),
            Column::new("late", "超时反馈", "Answered late", Kind::Int),
            Column::new("unanswered", "超时未反馈", "Unanswered, overdue", Kind::Int),
            Column::new("rate", "达标率", "Rate", Kind::Percent),
        ],
        rows: vec![vec![
            Value::Int(counted),
            Value::Int(met),
            Value::Int(late),
            Value::Int(unanswered),
            ratio(Decimal::from(met), Decimal::from(counted)),
        ]],
        totals: None,
        notes,
    };
    let mut missed: Vec<&(&Complaint, Response)> = outcomes
        .iter()
        .filter(|(_, r)| matches!(r, Response::Late | Response::Unanswered))
        .collect();
    missed.sort_by_key(|(c, _)| (c.received_at, c.complaint_no.clone()));
    let rows = missed
        .iter()
        .map(|(c, r)| {
            let (_, name) = customer_label(idx, c);
            let (resp, hours) = match (r, c.response_at) {
                (Response::Late, Some(t)) => (
                    Value::Text(t.format("%Y-%m-%d %H:%M").to_string()),
                    hours_value(hours_between(c.received_at, t)),
                ),
                _ => (
                    Value::Text("未反馈".into()),
                    hours_value(hours_between(c.received_at, end)),
                ),
            };
            vec![
                Value::Text(c.complaint_no.clone()),
                Value::Text(name),
                Value::Text(c.received_at.format("%Y-%m-%d %H:%M").to_string()),
                resp,
                hours,
                Value::Text(text_or(&c.handler, "")),
            ]
        })
        .collect();
    let list = Table {
        id: "complaint-response-missed".into(),
        title: Msg::new(
            format!("{} 未在{limit}小时内反馈的投诉", month.zh()),
            format!("Complaints not answered within {limit}h, {month}"),
        ),
        columns: vec![
            Column::new("no", "投诉编号", "Complaint no.", Kind::Text),
            Column::new("customer", "客户名称", "Customer", Kind::Text),
            Column::new("received", "受理时间", "Received", Kind::Text),
            Column::new("response", "反馈时间", "Answered", Kind::Text),
            Column::new("hours", "用时(小时)", "Hours", Kind::Qty),
            Column::new("handler", "处理人", "Handler", Kind::Text),
        ],
        rows,
        totals: None,
        notes: vec![Msg::new(
            "未反馈的用时计至月末",
            "For unanswered complaints the hours run to month end",
        )],
    };
    vec![rate, list]
}

/// M69 mean and median handling hours against the target.
fn handling_table(ctx: &Ctx, cs: &[Complaint]) -> Table {
    let month = ctx.month;
    let hours = handling_hours(cs, month);
    let target = Decimal::from(ctx.cfg.complaint.target_handle_hours);
    let m = mean(&hours);
    Table {
        id: "complaint-handling".into(),
        title: Msg::new(
            format!("{} 投诉处理时长", month.zh()),
            format!("Complaint handling time, {month}"),
        ),
        columns: vec![
            Column::new("closed", "本月结案件数", "Closed this month", Kind::Int),
            Column::new("mean", "平均时长(小时)", "Mean hours", Kind::Qty),
            Column::new("median", "中位数(小时)", "Median hours", Kind::Qty),
            Column::new("target", "目标(小时)", "Target hours", Kind::Qty),
            Column::new(
                "verdict",
                "平均时长是否达标",
                "Mean within target",
                Kind::Text,
            ),
        ],
        rows: vec![vec![
            Value::Int(hours.len() as i64),
            m.map_or(Value::NotApplicable, hours_value),
            median(&hours).map_or(Value::NotApplicable, hours_value),
            Value::Qty(target),
            m.map_or(Value::NotApplicable, |m| {
                Value::Text(if m <= target { "达标" } else { "未达标" }.into())
            }),
        ]],
        totals: None,
        notes: vec![Msg::new(
            "处理时长 = 结案时间 − 受理时间, 按本月结案的投诉计算 (M69)",
            "Handling time = closed − received, over the complaints closed this month (M69)",
        )],
    }
}

/// M70 积压: open complaints at month end, oldest first.
fn backlog_table(ctx: &Ctx, cs: &[Complaint], idx: &CustomerIndex) -> Table {
    let month = ctx.month;
    let end = month_end_instant(month);
    let mut open: Vec<&Complaint> = cs.iter().filter(|c| open_at(c, end)).collect();
    open.sort_by_key(|c| (c.received_at, c.complaint_no.clone()));
    let rows = open
        .iter()
        .map(|c| {
            let (_, name) = customer_label(idx, c);
            vec![
                Value::Text(c.complaint_no.clone()),
                Value::Text(name),
                Value::Text(text_or(&c.complaint_type, NOT_GIVEN)),
                Value::Text(text_or(&c.severity, "一般")),
                Value::Date(c.received_at.date()),
                Value::Int((end - c.received_at).num_days()),
                Value::Text(status_at(c, end)),
                Value::Text(text_or(&c.handler, "")),
            ]
        })
        .collect();
    let rec = received_in(cs, month);
    let closed = rec.iter().filter(|c| closed_by(c, end)).count() as i64;
    Table {
        id: "complaint-backlog".into(),
        title: Msg::new(
            format!("{} 结案率与积压投诉", month.zh()),
            format!("Closure and open complaints, {month}"),
        ),
        columns: vec![
            Column::new("no", "投诉编号", "Complaint no.", Kind::Text),
            Column::new("customer", "客户名称", "Customer", Kind::Text),
            Column::new("type", "投诉类型", "Type", Kind::Text),
            Column::new("severity", "紧急程度", "Severity", Kind::Text),
            Column::new("received", "受理日期", "Received", Kind::Date),
            Column::new("age", "积压天数", "Days open", Kind::Int),
            Column::new("status", "状态", "Status", Kind::Text),
            Column::new("handler", "处理人", "Handler", Kind::Text),
        ],
        rows,
        totals: None,
        notes: vec![Msg::new(
            format!(
                "本月受理 {} 件, 月末前结案 {closed} 件, 结案率 {}; 月末未结案 {} 件, 按受理时间由早到晚列出",
                rec.len(),
                pct(closed, rec.len() as i64),
                open.len()
            ),
            format!(
                "{} received this month, {closed} closed by month end (closure rate {}); {} open at month end, oldest first",
                rec.len(),
                pct(closed, rec.len() as i64),
                open.len()
            ),
        )],
    }
}

/// A percentage for a note, one decimal, or "—".
fn pct(n: i64, d: i64) -> String {
    if d == 0 {
        return "—".into();
    }
    let p = (Decimal::from(n) * Decimal::from(100) / Decimal::from(d))
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    format!("{p:.1}%")
}

/// Status at `at`, derived from the times (T09: 结案时间 → 已结案; 反馈时间 → 处理中; else 待处理);
/// a typed status is used only when neither time is filled.
pub fn status_at(c: &Complaint, at: NaiveDateTime) -> String {
    if closed_by(c, at) {
        return "已结案".into();
    }
    match (c.closed_at, c.response_at) {
        (_, Some(r)) if r < at => "处理中".into(),
        (None, None) => text_or(&c.status, "待处理"),
        _ => "待处理".into(),
    }
}

/// M73 open complaints by priority, with routing.
fn priority_table(
    ctx: &Ctx,
    cs: &[Complaint],
    idx: &CustomerIndex,
    grades: &BTreeMap<String, String>,
) -> Table {
    let month = ctx.month;
    let end = month_end_instant(month);
    let mut open: Vec<(&Complaint, String)> = cs
        .iter()
        .filter(|c| open_at(c, end))
        .map(|c| {
            let (key, _) = customer_label(idx, c);
            (
                c,
                grades.get(&key).cloned().unwrap_or_else(|| NO_GRADE.into()),
            )
        })
        .collect();
    priority_sort(&mut open);
    let rows = open
        .iter()
        .enumerate()
        .map(|(i, (c, g))| {
            let (_, name) = customer_label(idx, c);
            vec![
                Value::Int(i as i64 + 1),
                Value::Text(c.complaint_no.clone()),
                Value::Text(name),
                Value::Text(g.clone()),
                Value::Text(if is_major(c) { "重大" } else { "一般" }.into()),
                Value::Date(c.received_at.date()),
                Value::Int((end - c.received_at).num_days()),
                Value::Text(routing(c).into()),
                Value::Text(text_or(&c.handler, "")),
            ]
        })
        .collect();
    Table {
        id: "complaint-priority".into(),
        title: Msg::new(
            format!("{} 未结投诉处理优先级", month.zh()),
            format!("Open complaints by priority, {month}"),
        ),
        columns: vec![
            Column::new("rank", "序号", "No.", Kind::Int),
            Column::new("no", "投诉编号", "Complaint no.", Kind::Text),
            Column::new("customer", "客户名称", "Customer", Kind::Text),
            Column::new("grade", "客户等级", "Grade", Kind::Text),
            Column::new("severity", "紧急程度", "Severity", Kind::Text),
            Column::new("received", "受理日期", "Received", Kind::Date),
            Column::new("age", "积压天数", "Days open", Kind::Int),
            Column::new("route", "负责处理", "Routed to", Kind::Text),
            Column::new("handler", "处理人", "Handler", Kind::Text),
        ],
        rows,
        totals: None,
        notes: vec![Msg::new(
            "排序: 客户等级 A > B > C > D > 未分级, 重大先于一般, 受理早者先; 重大投诉由客户服务部经理处理, 一般投诉由主管处理",
            "Order: grade A > B > C > D > ungraded, major before ordinary, oldest first; major complaints go to the customer-service manager, others to the supervisor",
        )],
    }
}

/// M72 索赔 by customer and status: claims received this month or still open at month end.
fn claims_table(ctx: &Ctx, cs: &[Complaint], idx: &CustomerIndex) -> Table {
    let month = ctx.month;
    let end = month_end_instant(month);
    let mut groups: BTreeMap<(String, String), (i64, Decimal, Decimal)> = BTreeMap::new();
    for c in cs {
        if c.claim_amount.is_none() && c.claim_approved.is_none() {
            continue;
        }
        if !(month.contains(c.received_at.date()) || open_at(c, end)) || c.received_at >= end {
            continue;
        }
        let (_, name) = customer_label(idx, c);
        let e = groups.entry((name, status_at(c, end))).or_default();
        e.0 += 1;
        e.1 += c.claim_amount.unwrap_or_default();
        e.2 += c.claim_approved.unwrap_or_default();
    }
    let (mut n, mut a, mut b) = (0i64, Decimal::ZERO, Decimal::ZERO);
    let rows = groups
        .into_iter()
        .map(|((name, status), (k, claim, approved))| {
            n += k;
            a += claim;
            b += approved;
            vec![
                Value::Text(name),
                Value::Text(status),
                Value::Int(k),
                Value::Money(claim),
                Value::Money(approved),
            ]
        })
        .collect();
    Table {
        id: "claims".into(),
        title: Msg::new(
            format!("{} 客户索赔一览表", month.zh()),
            format!("Customer claims, {month}"),
        ),
        columns: vec![
            Column::new("customer", "客户名称", "Customer", Kind::Text),
            Column::new("status", "状态", "Status", Kind::Text),
            Column::new("count", "件数", "Claims", Kind::Int),
            Column::new("claim", "索赔金额", "Claimed", Kind::Money),
            Column::new("approved", "核定金额", "Approved", Kind::Money),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Empty,
            Value::Int(n),
            Value::Money(a),
            Value::Money(b),
        ]),
        notes: vec![Msg::new(
            "含本月受理的索赔及月末仍未结案的索赔",
            "Claims received this month and claims still open at month end",
        )],
    }
}

/// One M67 breakdown: table id, (zh, en) label, counts, option-list order.
type Dimension<'a> = (
    &'a str,
    (&'a str, &'a str),
    BTreeMap<String, (i64, i64)>,
    &'a [&'a str],
);

/// M71 by one key over the month's returns: (退货 count, qty, amount, 换货 count, qty, amount).
type ReturnSums = (i64, Decimal, Decimal, i64, Decimal, Decimal);

pub fn returns_by(
    rs: &[Return],
    month: Month,
    key: impl Fn(&Return) -> String,
) -> BTreeMap<String, ReturnSums> {
    let mut m: BTreeMap<String, ReturnSums> = BTreeMap::new();
    for r in rs.iter().filter(|r| month.contains(r.return_date)) {
        let e = m.entry(key(r)).or_default();
        if r.exchange {
            e.3 += 1;
            e.4 += r.qty;
            e.5 += r.amount;
        } else {
            e.0 += 1;
            e.1 += r.qty;
            e.2 += r.amount;
        }
    }
    m
}

/// M71 by reason category: counts and amounts. Quantities are not summed across products (C8:
/// units may differ); see the table by product.
fn returns_reason_table(month: Month, rs: &[Return]) -> Table {
    let m = returns_by(rs, month, |r| text_or(&r.reason_cat, NOT_GIVEN));
    let counts: BTreeMap<String, (i64, i64)> =
        m.iter().map(|(k, v)| (k.clone(), (v.0 + v.3, 0))).collect();
    let mut tot: ReturnSums = Default::default();
    let rows = ordered(&counts, &["误期", "业务", "品质", "其他"])
        .into_iter()
        .map(|(k, _)| {
            let v = m[k];
            tot.0 += v.0;
            tot.2 += v.2;
            tot.3 += v.3;
            tot.5 += v.5;
            vec![
                Value::Text(k.clone()),
                Value::Int(v.0),
                Value::Money(v.2),
                Value::Int(v.3),
                Value::Money(v.5),
            ]
        })
        .collect();
    Table {
        id: "returns-summary".into(),
        title: Msg::new(
            format!("{} 退(换)货汇总 — 按原因", month.zh()),
            format!("Returns and exchanges by reason, {month}"),
        ),
        columns: vec![
            Column::new("reason", "原因类别", "Reason", Kind::Text),
            Column::new("returns", "退货笔数", "Returns", Kind::Int),
            Column::new("return_amount", "退货金额", "Returned amount", Kind::Money),
            Column::new("exchanges", "换货笔数", "Exchanges", Kind::Int),
            Column::new("exchange_amount", "换货金额", "Exchanged amount", Kind::Money),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Int(tot.0),
            Value::Money(tot.2),
            Value::Int(tot.3),
            Value::Money(tot.5),
        ]),
        notes: vec![Msg::new(
            "按退货日期归属; 退货金额从实销额中扣除, 换货不扣; 数量见按产品汇总 (不同单位不相加)",
            "By return date; returns are deducted from net sales, exchanges are not; quantities are in the table by product (units are not mixed)",
        )],
    }
}

fn returns_product_table(month: Month, rs: &[Return]) -> Table {
    let m = returns_by(rs, month, |r| {
        text_or(
            &r.product_name.clone().or_else(|| r.product_id.clone()),
            NOT_GIVEN,
        )
    });
    let counts: BTreeMap<String, (i64, i64)> =
        m.iter().map(|(k, v)| (k.clone(), (v.0 + v.3, 0))).collect();
    let mut tot: ReturnSums = Default::default();
    let rows = ordered(&counts, &[])
        .into_iter()
        .map(|(k, _)| {
            let v = m[k];
            tot.0 += v.0;
            tot.2 += v.2;
            tot.3 += v.3;
            tot.5 += v.5;
            vec![
                Value::Text(k.clone()),
                Value::Int(v.0),
                Value::Qty(v.1),
                Value::Money(v.2),
                Value::Int(v.3),
                Value::Qty(v.4),
                Value::Money(v.5),
            ]
        })
        .collect();
    Table {
        id: "returns-by-product".into(),
        title: Msg::new(
            format!("{} 退(换)货汇总 — 按产品", month.zh()),
            format!("Returns and exchanges by product, {month}"),
        ),
        columns: vec![
            Column::new("product", "产品", "Product", Kind::Text),
            Column::new("returns", "退货笔数", "Returns", Kind::Int),
            Column::new("return_qty", "退货数量", "Returned qty", Kind::Qty),
            Column::new("return_amount", "退货金额", "Returned amount", Kind::Money),
            Column::new("exchanges", "换货笔数", "Exchanges", Kind::Int),
            Column::new("exchange_qty", "换货数量", "Exchanged qty", Kind::Qty),
            Column::new(
                "exchange_amount",
                "换货金额",
                "Exchanged amount",
                Kind::Money,
            ),
        ],
        rows,
        // Quantities of different products are not added (C8): their totals stay blank.
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Int(tot.0),
            Value::Empty,
            Value::Money(tot.2),
            Value::Int(tot.3),
            Value::Empty,
            Value::Money(tot.5),
        ]),
        notes: vec![],
    }
}

/// M71 from T09: complaints received this month by 处理措施.
fn resolutions_table(month: Month, cs: &[Complaint]) -> Table {
    let rec = received_in(cs, month);
    let mut m: BTreeMap<String, (i64, Decimal)> = BTreeMap::new();
    for c in &rec {
        let e = m.entry(text_or(&c.resolution, NOT_GIVEN)).or_default();
        e.0 += 1;
        e.1 += c.compensation.unwrap_or_default();
    }
    let counts: BTreeMap<String, (i64, i64)> =
        m.iter().map(|(k, v)| (k.clone(), (v.0, 0))).collect();
    let rows = ordered(
        &counts,
        &["退货", "换货", "维修", "赔偿", "道歉", "解释", "其他"],
    )
    .into_iter()
    .map(|(k, _)| {
        let v = m[k];
        vec![Value::Text(k.clone()), Value::Int(v.0), Value::Money(v.1)]
    })
    .collect();
    Table {
        id: "complaint-resolutions".into(),
        title: Msg::new(
            format!("{} 投诉处理措施", month.zh()),
            format!("Complaint resolutions, {month}"),
        ),
        columns: vec![
            Column::new("resolution", "处理措施", "Resolution", Kind::Text),
            Column::new("count", "件数", "Complaints", Kind::Int),
            Column::new("compensation", "赔偿金额", "Compensation", Kind::Money),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Int(m.values().map(|v| v.0).sum()),
            Value::Money(m.values().map(|v| v.1).sum()),
        ]),
        notes: vec![],
    }
}

/// R10: complaints received this month whose customer's 最后跟进时间 is earlier than the 受理时间
/// (the customer row was not updated), or who are not in 客户信息表 at all.
fn status_sync_table(ctx: &Ctx, cs: &[Complaint], idx: &CustomerIndex) -> Table {
    let month = ctx.month;
    let title = Msg::new(
        format!("{} 投诉未同步客户状态清单", month.zh()),
        format!("Complaints not synced to the customer sheet, {month}"),
    );
    if ctx.ds.customers.is_none() {
        return missing_table("complaint-status-sync", title, SHEET_CUSTOMERS);
    }
    let mut rows = Vec::new();
    let mut rec = received_in(cs, month);
    rec.sort_by_key(|c| (c.received_at, c.complaint_no.clone()));
    for c in rec {
        let (key, name) = customer_label(idx, c);
        let (last, why) = match idx.get(&key) {
            None => (Value::Empty, "客户不在客户信息表"),
            Some(cu) => match cu.last_followup_date {
                None => (Value::Empty, "最后跟进时间空白"),
                Some(d) if d < c.received_at.date() => (Value::Date(d), "最后跟进时间早于受理时间"),
                Some(_) => continue,
            },
        };
        rows.push(vec![
            Value::Text(c.complaint_no.clone()),
            Value::Text(name),
            Value::Date(c.received_at.date()),
            last,
            Value::Text(why.into()),
        ]);
    }
    Table {
        id: "complaint-status-sync".into(),
        title,
        columns: vec![
            Column::new("no", "投诉编号", "Complaint no.", Kind::Text),
            Column::new("customer", "客户名称", "Customer", Kind::Text),
            Column::new("received", "受理日期", "Received", Kind::Date),
            Column::new("last_followup", "最后跟进时间", "Last follow-up", Kind::Date),
            Column::new("why", "说明", "Why", Kind::Text),
        ],
        rows,
        totals: None,
        notes: vec![Msg::new(
            "处理投诉时须同步更新客户信息表中的客户状态 (S3); 请更新以上客户的最后跟进时间",
            "Handling a complaint must update the customer's row (S3): update the last follow-up of these customers",
        )],
    }
}

/// KPIs of the 摘要 (§4.1) for `month`: 投诉数 (M67), 48h 达标率 (M68), 平均处理时长 in hours
/// (M69). Missing when the complaints sheet is.
pub fn kpis(ctx: &Ctx, month: Month) -> [Value; 3] {
    let Some(cs) = ctx.ds.complaints.as_deref() else {
        return std::array::from_fn(|_| Value::Missing(SHEET_COMPLAINTS.into()));
    };
    let rec = received_in(cs, month);
    let (counted, met) = response_counts(
        &rec,
        month_end_instant(month),
        ctx.cfg.complaint.response_hours,
    );
    [
        Value::Int(rec.len() as i64),
        ratio(Decimal::from(met), Decimal::from(counted)),
        mean(&handling_hours(cs, month)).map_or(Value::NotApplicable, hours_value),
    ]
}

/// The family's tables for the report month. `grades` maps 客户编号 → value grade (A–D), as the
/// grading family computed it; customers not in it are 未分级.
pub fn tables(ctx: &Ctx, grades: &BTreeMap<String, String>) -> Vec<Table> {
    let month = ctx.month;
    let idx = ctx.customer_index();
    let mut out = Vec::new();
    let missing = |id: &str, zh: &str, en: &str, sheet: &str| {
        missing_table(
            id,
            Msg::new(format!("{} {zh}", month.zh()), format!("{en}, {month}")),
            sheet,
        )
    };
    match ctx.ds.complaints.as_deref() {
        None => {
            for (id, zh, en) in [
                (
                    "complaints-summary",
                    "投诉处理分析 — 总览",
                    "Complaint handling overview",
                ),
                (
                    "complaints-by-type",
                    "投诉量 — 按类型",
                    "Complaints by type",
                ),
                (
                    "complaints-by-product",
                    "投诉量 — 按产品",
                    "Complaints by product",
                ),
                (
                    "complaints-by-region",
                    "投诉量 — 按区域",
                    "Complaints by region",
                ),
                (
                    "complaints-by-grade",
                    "投诉量 — 按客户等级",
                    "Complaints by grade",
                ),
                (
                    "complaints-by-channel",
                    "投诉量 — 按渠道",
                    "Complaints by channel",
                ),
                (
                    "complaints-by-dept",
                    "投诉量 — 按责任部门",
                    "Complaints by department",
                ),
                (
                    "complaint-response",
                    "48小时初步方案反馈达标率",
                    "48h first-response rate",
                ),
                (
                    "complaint-response-missed",
                    "未在48小时内反馈的投诉",
                    "Complaints not answered within 48h",
                ),
                (
                    "complaint-handling",
                    "投诉处理时长",
                    "Complaint handling time",
                ),
                (
                    "complaint-backlog",
                    "结案率与积压投诉",
                    "Closure and open complaints",
                ),
                (
                    "complaint-priority",
                    "未结投诉处理优先级",
                    "Open complaints by priority",
                ),
                ("claims", "客户索赔一览表", "Customer claims"),
            ] {
                out.push(missing(id, zh, en, SHEET_COMPLAINTS));
            }
        }
        Some(cs) => {
            let rec = received_in(cs, month);
            let key = |c: &Complaint| customer_label(&idx, c).0;
            let dims: [Dimension; 6] = [
                (
                    "complaints-by-type",
                    ("类型", "type"),
                    count_by(&rec, |c| text_or(&c.complaint_type, NOT_GIVEN)),
                    &["质量", "服务", "交货", "价格", "其他"],
                ),
                (
                    "complaints-by-product",
                    ("产品", "product"),
                    count_by(&rec, |c| text_or(&c.product, NOT_GIVEN)),
                    &[],
                ),
                (
                    "complaints-by-region",
                    ("区域", "region"),
                    count_by(&rec, |c| {
                        idx.get(&key(c))
                            .and_then(|cu| cu.region.clone())
                            .unwrap_or_else(|| NO_REGION.into())
                    }),
                    &["华东", "华南", "华北", "华中", "西南", "西北", "东北"],
                ),
                (
                    "complaints-by-grade",
                    ("客户等级", "customer grade"),
                    count_by(&rec, |c| {
                        grades
                            .get(&key(c))
                            .cloned()
                            .unwrap_or_else(|| NO_GRADE.into())
                    }),
                    &["A", "B", "C", "D"],
                ),
                (
                    "complaints-by-channel",
                    ("渠道", "channel"),
                    count_by(&rec, |c| text_or(&c.channel, NOT_GIVEN)),
                    &["电话", "来访", "信函", "邮件", "网络", "其他"],
                ),
                (
                    "complaints-by-dept",
                    ("责任部门", "department"),
                    count_by(&rec, |c| text_or(&c.dept, NOT_GIVEN)),
                    &[],
                ),
            ];
            out.push(summary_table(ctx, cs));
            for (id, label, counts, pref) in dims {
                out.push(dimension_table(id, label, month, &counts, pref));
            }
            out.extend(response_tables(ctx, cs, &idx));
            out.push(handling_table(ctx, cs));
            out.push(backlog_table(ctx, cs, &idx));
            out.push(priority_table(ctx, cs, &idx, grades));
            out.push(claims_table(ctx, cs, &idx));
        }
    }
    match ctx.ds.returns.as_deref() {
        Some(rs) => {
            out.push(returns_reason_table(month, rs));
            out.push(returns_product_table(month, rs));
        }
        None => {
            out.push(missing(
                "returns-summary",
                "退(换)货汇总 — 按原因",
                "Returns and exchanges by reason",
                SHEET_RETURNS,
            ));
            out.push(missing(
                "returns-by-product",
                "退(换)货汇总 — 按产品",
                "Returns and exchanges by product",
                SHEET_RETURNS,
            ));
        }
    }
    match ctx.ds.complaints.as_deref() {
        Some(cs) => {
            out.push(resolutions_table(month, cs));
            out.push(status_sync_table(ctx, cs, &idx));
        }
        None => {
            out.push(missing(
                "complaint-resolutions",
                "投诉处理措施",
                "Complaint resolutions",
                SHEET_COMPLAINTS,
            ));
            out.push(missing(
                "complaint-status-sync",
                "投诉未同步客户状态清单",
                "Complaints not synced to the customer sheet",
                SHEET_COMPLAINTS,
            ));
        }
    }
    // M74/M75 (T14 售后服务, T15 呼叫记录) are in service.rs; they belong to section 09.
    out.extend(super::service::tables(ctx));
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::{Customer, Dataset, SaleLine};
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    fn t(s: &str) -> NaiveDateTime {
        NaiveDateTime::parse_from_str(s, "%Y-%m-%d %H:%M").unwrap()
    }
    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }
    fn c(no: &str, received: &str) -> Complaint {
        Complaint {
            complaint_no: no.into(),
            received_at: t(received),
            customer_id: Some("C1".into()),
            ..Default::default()
        }
    }

    /// DOMAIN M68 test: received 2024-03-01 09:00, responded 2024-03-03 10:00 → 49h → 未达标.
    #[test]
    fn m68_worked_case_49h_is_missed() {
        let mut x = c("T1", "2024-03-01 09:00");
        x.response_at = Some(t("2024-03-03 10:00"));
        let end = month_end_instant(m("2024-03"));
        assert_eq!(
            hours_between(x.received_at, t("2024-03-03 10:00")),
            dec!(49)
        );
        assert_eq!(response(&x, end, 48), Response::Late);
        x.response_at = Some(t("2024-03-03 09:00")); // exactly 48h: 达标
        assert_eq!(response(&x, end, 48), Response::Met);
    }

    #[test]
    fn m68_unanswered_older_than_48h_misses_younger_is_left_out() {
        let end = month_end_instant(m("2024-03"));
        let old = c("T1", "2024-03-20 09:00");
        let young = c("T2", "2024-03-30 09:00"); // 39h before month end
        let mut met = c("T3", "2024-03-05 09:00");
        met.response_at = Some(t("2024-03-05 18:00"));
        let mut bad = c("T4", "2024-03-05 09:00");
        bad.response_at = Some(t("2024-03-04 18:00"));
        assert_eq!(response(&old, end, 48), Response::Unanswered);
        assert_eq!(response(&young, end, 48), Response::Pending);
        assert_eq!(response(&bad, end, 48), Response::Invalid);
        let all = [&old, &young, &met, &bad];
        assert_eq!(response_counts(&all, end, 48), (2, 1)); // 50%
        assert_eq!(response_counts(&[&young], end, 48), (0, 0)); // rate "—"
    }

    #[test]
    fn m69_mean_median_and_only_closed_this_month() {
        let mut a = c("T1", "2024-03-01 00:00");
        a.closed_at = Some(t("2024-03-01 10:00")); // 10h
        let mut b = c("T2", "2024-03-02 00:00");
        b.closed_at = Some(t("2024-03-03 06:00")); // 30h
        let mut d = c("T3", "2024-02-28 00:00");
        d.closed_at = Some(t("2024-03-02 02:00")); // 74h, received last month, closed this one
        let mut e = c("T4", "2024-03-30 00:00");
        e.closed_at = Some(t("2024-04-01 00:00")); // closed next month
        let cs = vec![a, b, d, e];
        let h = handling_hours(&cs, m("2024-03"));
        assert_eq!(h, vec![dec!(10), dec!(30), dec!(74)]);
        assert_eq!(mean(&h), Some(dec!(38)));
        assert_eq!(median(&h), Some(dec!(30)));
        assert_eq!(median(&[dec!(10), dec!(30)]), Some(dec!(20)));
        assert_eq!(mean(&[]), None);
    }

    #[test]
    fn m70_closure_rate_and_open_at_month_end() {
        let end = month_end_instant(m("2024-03"));
        let mut a = c("T1", "2024-03-01 09:00");
        a.closed_at = Some(t("2024-03-31 23:59"));
        let mut b = c("T2", "2024-03-02 09:00");
        b.closed_at = Some(t("2024-04-01 00:00")); // closed after month end: open at end
        let mut typed = c("T3", "2024-03-03 09:00");
        typed.status = Some("已结案".into()); // no 结案时间 but typed closed
        let d = c("T4", "2024-03-04 09:00");
        let rec = vec![&a, &b, &typed, &d];
        assert_eq!(closure_rate(&rec, end), Value::Ratio(dec!(0.5)));
        assert!(!open_at(&a, end) && open_at(&b, end) && !open_at(&typed, end) && open_at(&d, end));
        assert_eq!(closure_rate(&[], end), Value::NotApplicable);
    }

    #[test]
    fn m73_priority_order_and_routing() {
        let mut x1 = c("A-general-old", "2024-03-01 09:00");
        x1.severity = Some("一般".into());
        let mut x2 = c("A-major-new", "2024-03-10 09:00");
        x2.severity = Some("重大".into());
        let x3 = c("B-old", "2024-02-01 09:00");
        let x4 = c("none", "2024-01-01 09:00");
        let x5 = c("A-general-new", "2024-03-05 09:00");
        let mut list = vec![
            (&x4, NO_GRADE.to_string()),
            (&x3, "B".to_string()),
            (&x5, "A".to_string()),
            (&x1, "A".to_string()),
            (&x2, "A".to_string()),
        ];
        priority_sort(&mut list);
        let order: Vec<&str> = list.iter().map(|(c, _)| c.complaint_no.as_str()).collect();
        assert_eq!(
            order,
            vec![
                "A-major-new",
                "A-general-old",
                "A-general-new",
                "B-old",
                "none"
            ]
        );
        assert_eq!(routing(&x2), "客户服务部经理");
        assert_eq!(routing(&x1), "主管");
    }

    fn dataset() -> Dataset {
        let mut a = c("T1", "2024-03-01 09:00");
        a.complaint_type = Some("质量".into());
        a.severity = Some("重大".into());
        a.response_at = Some(t("2024-03-03 10:00"));
        a.closed_at = Some(t("2024-03-04 09:00"));
        a.claim_amount = Some(dec!(1000));
        a.claim_approved = Some(dec!(600));
        let mut b = c("T2", "2024-03-10 09:00");
        b.customer_id = Some("C2".into());
        b.complaint_type = Some("服务".into());
        b.response_at = Some(t("2024-03-10 12:00"));
        let mut old = c("T0", "2024-02-10 09:00");
        old.customer_id = Some("C2".into());
        old.claim_amount = Some(dec!(300));
        let mut cust1 = Customer {
            customer_id: "C1".into(),
            name: "甲公司".into(),
            region: Some("华南".into()),
            last_followup_date: NaiveDate::from_ymd_opt(2024, 3, 5),
            ..Default::default()
        };
        let cust2 = Customer {
            customer_id: "C2".into(),
            name: "乙公司".into(),
            last_followup_date: NaiveDate::from_ymd_opt(2024, 3, 1),
            ..Default::default()
        };
        cust1.owner = Some("张三".into());
        let line = |cust: &str, date: &str| SaleLine {
            order_date: date.parse().unwrap(),
            customer_id: Some(cust.into()),
            qty: dec!(1),
            amount: dec!(100),
            ..Default::default()
        };
        Dataset {
            customers: Some(vec![cust1, cust2]),
            complaints: Some(vec![a, b, old]),
            sales: Some(vec![line("C1", "2024-03-01"), line("C2", "2023-01-01")]),
            returns: Some(vec![
                Return {
                    return_date: "2024-03-12".parse().unwrap(),
                    customer_id: Some("C1".into()),
                    product_name: Some("阀门".into()),
                    qty: dec!(2),
                    amount: dec!(40),
                    reason_cat: Some("品质".into()),
                    ..Default::default()
                },
                Return {
                    return_date: "2024-03-13".parse().unwrap(),
                    customer_id: Some("C1".into()),
                    product_name: Some("阀门".into()),
                    qty: dec!(1),
                    amount: dec!(20),
                    reason_cat: Some("品质".into()),
                    exchange: true,
                    ..Default::default()
                },
                Return {
                    return_date: "2024-03-14".parse().unwrap(),
                    customer_id: Some("C1".into()),
                    product_name: Some("管件".into()),
                    qty: dec!(5),
                    amount: dec!(10),
                    ..Default::default()
                },
            ]),
            ..Default::default()
        }
    }

    fn find<'a>(ts: &'a [Table], id: &str) -> &'a Table {
        ts.iter()
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("no table {id}"))
    }

    #[test]
    fn tables_end_to_end() {
        let ds = dataset();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let grades: BTreeMap<String, String> = [("C1".to_string(), "A".to_string())].into();
        let ts = tables(&ctx, &grades);

        let s = find(&ts, "complaints-summary");
        assert_eq!(s.rows[0][0], Value::Int(2));
        assert_eq!(s.rows[0][1], Value::Int(1));
        assert_eq!(
            s.rows[0][2],
            Value::Int(1),
            "only C1 ordered within 180 days"
        );
        assert_eq!(s.rows[0][3], Value::Ratio(dec!(2)));
        assert_eq!(s.rows[0][4], Value::Ratio(dec!(0.5))); // T1 49h late, T2 3h met
        assert_eq!(s.rows[0][5], Value::Qty(dec!(72))); // T1 closed after 72h
        assert_eq!(s.rows[0][6], Value::Ratio(dec!(0.5)));
        assert_eq!(s.rows[0][7], Value::Int(2)); // T2 and last month's T0

        let g = find(&ts, "complaints-by-grade");
        assert_eq!(g.rows[0][0], Value::Text("A".into()));
        assert_eq!(g.rows[1][0], Value::Text(NO_GRADE.into()));
        let r = find(&ts, "complaints-by-region");
        assert_eq!(r.rows[0][0], Value::Text("华南".into()));
        assert_eq!(r.rows[1][0], Value::Text(NO_REGION.into()));
        for id in [
            "complaints-by-type",
            "complaints-by-product",
            "complaints-by-channel",
            "complaints-by-dept",
        ] {
            let t = find(&ts, id);
            let n: i64 = t
                .rows
                .iter()
                .map(|r| match r[1] {
                    Value::Int(n) => n,
                    _ => 0,
                })
                .sum();
            assert_eq!(n, 2, "{id} counts every complaint once");
            assert_eq!(t.totals.as_ref().unwrap()[1], Value::Int(2));
        }

        let h = find(&ts, "complaint-handling");
        assert_eq!(h.rows[0][4], Value::Text("未达标".into())); // 72h > 24h

        let p = find(&ts, "complaint-priority");
        assert_eq!(p.rows.len(), 2);
        assert_eq!(
            p.rows[0][1],
            Value::Text("T0".into()),
            "both 未分级 一般: oldest first"
        );

        let cl = find(&ts, "claims");
        assert_eq!(cl.rows.len(), 2);
        assert_eq!(cl.totals.as_ref().unwrap()[3], Value::Money(dec!(1300)));
        assert_eq!(cl.totals.as_ref().unwrap()[4], Value::Money(dec!(600)));

        let sync = find(&ts, "complaint-status-sync");
        // T1 (03-01) is before C1's 03-05 follow-up: fine. T2 (03-10) after C2's 03-01: listed.
        assert_eq!(sync.rows.len(), 1);
        assert_eq!(sync.rows[0][0], Value::Text("T2".into()));

        assert_eq!(
            kpis(&ctx, m("2024-03")),
            [Value::Int(2), Value::Ratio(dec!(0.5)), Value::Qty(dec!(72))]
        );
        assert_eq!(kpis(&ctx, m("2024-02"))[0], Value::Int(1));
        assert_eq!(kpis(&ctx, m("2024-02"))[2], Value::NotApplicable);

        let after = find(&ts, "after-sales");
        assert_eq!(after.rows[0][0], Value::Missing(SHEET_AFTER_SALES.into()));
        assert_eq!(
            find(&ts, "call-centre").rows[0][0],
            Value::Missing(SHEET_CALLS.into())
        );
    }

    /// Σ 退货金额 by reason and by product = the returns deducted from this month's 实销额.
    #[test]
    fn m71_returns_reconcile_with_net_sales_entries() {
        let ds = dataset();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let ts = tables(&ctx, &BTreeMap::new());
        let deducted: Decimal = -ctx
            .entries
            .iter()
            .filter(|e| m("2024-03").contains(e.date) && e.amount < Decimal::ZERO)
            .map(|e| e.amount)
            .sum::<Decimal>();
        assert_eq!(deducted, dec!(50));
        let by_reason = find(&ts, "returns-summary");
        assert_eq!(
            by_reason.totals.as_ref().unwrap()[2],
            Value::Money(deducted)
        );
        assert_eq!(by_reason.rows[0][0], Value::Text("品质".into()));
        assert_eq!(by_reason.rows[0][3], Value::Int(1)); // the exchange
        assert_eq!(by_reason.rows[1][0], Value::Text(NOT_GIVEN.into()));
        let by_product = find(&ts, "returns-by-product");
        assert_eq!(
            by_product.totals.as_ref().unwrap()[3],
            Value::Money(deducted)
        );
        assert_eq!(by_product.totals.as_ref().unwrap()[2], Value::Empty, "C8");
        let valve = by_product
            .rows
            .iter()
            .find(|r| r[0] == Value::Text("阀门".into()))
            .unwrap();
        assert_eq!(valve[2], Value::Qty(dec!(2)));
        assert_eq!(valve[5], Value::Qty(dec!(1)));
    }

    #[test]
    fn missing_complaints_sheet_is_missing_everywhere() {
        let mut ds = dataset();
        ds.complaints = None;
        ds.returns = None;
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let ts = tables(&ctx, &BTreeMap::new());
        assert!(ts.len() >= 19);
        for t in &ts {
            assert!(matches!(t.rows[0][0], Value::Missing(_)), "{}", t.id);
        }
        let ids: std::collections::BTreeSet<&str> = ts.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(ids.len(), ts.len(), "ids are unique");
    }
}
