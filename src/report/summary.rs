//! 01摘要: the KPI table (this month vs last month vs same month last year vs goal) and the short
//! generated commentary of what changed most.

use crate::error::{Lang, Msg};
use crate::render::format;
use crate::stats::{
    complaints, credit, grading, growth, receivables, retention, sales, salespeople, Column, Ctx,
    Kind, Month, Table, Value,
};
use rust_decimal::Decimal;
use std::collections::HashMap;

const SALES_SHEET: &str = "销售明细";

/// One month's KPIs: (中文名, English name, value), in the 摘要's order.
pub type Kpis = Vec<(&'static str, &'static str, Value)>;

/// The 摘要 KPIs (DOMAIN §4.1 #1) for one month, each from its family.
pub fn kpis_of(ctx: &Ctx) -> Kpis {
    let (ds, month) = (ctx.ds, ctx.month);
    let net = if ds.sales.is_some() {
        Value::Money(sales::net_sales(&ctx.entries, month))
    } else {
        Value::Missing(SALES_SHEET.into())
    };
    let new_customers = if ds.sales.is_some() {
        Value::Int(retention::new_counts(&ctx, month).0)
    } else {
        Value::Missing(SALES_SHEET.into())
    };
    let [complaints_n, on_time, handle_h] = complaints::kpis(ctx, month);
    let mut out = retention::kpis(ctx);
    // Customer counts by state first (C10), then money, then the rest.
    let rates: Vec<_> = out.split_off(
        out.iter()
            .position(|(zh, _, _)| !zh.ends_with("客户数"))
            .unwrap_or(out.len()),
    );
    out.extend([
        ("新客户数", "New customers", new_customers),
        ("实销额 (元)", "Net sales", net),
        (
            "目标完成率",
            "Target completion",
            salespeople::target_completion(ctx, month),
        ),
        (
            "实收款 (元)",
            "Collections",
            receivables::received_total(ds, month),
        ),
        (
            "应收余额 (元)",
            "Receivables",
            receivables::ar_total_of(ds, &ctx.ledgers(), month),
        ),
    ]);
    out.extend(grading::kpis(ctx));
    out.extend(rates);
    out.extend([
        ("投诉数", "Complaints", complaints_n),
        ("48小时反馈达标率", "48h response rate", on_time),
        ("平均处理时长 (小时)", "Mean handling hours", handle_h),
        (
            "危险客户数",
            "Dangerous customers",
            credit::danger_count(ctx),
        ),
    ]);
    out
}

fn num(v: &Value) -> Option<Decimal> {
    match v {
        Value::Money(d) | Value::Qty(d) | Value::Ratio(d) => Some(*d),
        Value::Int(i) => Some(Decimal::from(*i)),
        _ => None,
    }
}

/// The months whose KPIs the 摘要 compares: this month, last month, the same month a year ago.
pub fn kpi_months(month: Month) -> [Month; 3] {
    [month, month.prev(), month.year_ago()]
}

/// The KPI table of the 摘要, from [`kpis_of`] of each of [`kpi_months`] (computed by the caller,
/// side by side with the statistics families).
pub fn kpi_table(ctx: &Ctx, by_month: &HashMap<Month, Kpis>, lang: Lang) -> Table {
    let (month, cfg) = (ctx.month, ctx.cfg);
    let of = |m: Month| {
        by_month
            .get(&m)
            .cloned()
            .unwrap_or_else(|| kpis_of(&ctx.at(m)))
    };
    let [this, prev, ago] = kpi_months(month).map(of);
    let goals: HashMap<&str, String> = [
        ("目标完成率", "≥ 100%".to_string()),
        ("48小时反馈达标率", "100%".to_string()),
        (
            "平均处理时长 (小时)",
            format!("≤ {}", cfg.complaint.target_handle_hours),
        ),
    ]
    .into_iter()
    .collect();
    let change = |a: &Value, b: &Value| match (a, b) {
        // The growth of a rate means little (the three rates stand side by side); growth is for amounts and counts.
        (Value::Ratio(_), _) => Value::Empty,
        _ => match (num(a), num(b)) {
            (Some(x), Some(y)) => growth(x, y),
            _ => Value::NotApplicable,
        },
    };
    let rows = this
        .iter()
        .zip(&prev)
        .zip(&ago)
        .map(|(((zh, en, a), (_, _, p)), (_, _, y))| {
            vec![
                Value::Text(match lang {
                    Lang::Zh => zh.to_string(),
                    Lang::En => en.to_string(),
                }),
                a.clone(),
                p.clone(),
                y.clone(),
                change(a, p),
                change(a, y),
                goals
                    .get(zh)
                    .map_or(Value::Empty, |g| Value::Text(g.clone())),
            ]
        })
        .collect();
    Table {
        id: "kpi".into(),
        title: Msg::new(
            format!("{} 主要指标", month.zh()),
            format!("Key figures, {month}"),
        ),
        columns: vec![
            Column::new("kpi", "指标", "KPI", Kind::Text),
            Column::new("this", "本月", "This month", Kind::Money),
            Column::new("prev", "上月", "Last month", Kind::Money),
            Column::new("year_ago", "上年同月", "Same month last year", Kind::Money),
            Column::new("mom", "环比", "MoM", Kind::Percent),
            Column::new("yoy", "同比", "YoY", Kind::Percent),
            Column::new("goal", "目标", "Goal", Kind::Text),
        ],
        rows,
        totals: None,
        notes: vec![Msg::new(
            "“—”表示无可比数据或缺少数据表。",
            "“—” means no comparable data or a missing sheet.",
        )],
    }
}

/// KPIs that missed their goal: (name, goal, actual).
pub fn missed_goals(kpis: &Table) -> Vec<(String, String, Value)> {
    let mut out = Vec::new();
    for r in &kpis.rows {
        let (Value::Text(name), Value::Text(goal)) = (&r[0], &r[6]) else {
            continue;
        };
        let Some(actual) = num(&r[1]) else { continue };
        let missed = if let Some(limit) = goal.strip_prefix("≤ ") {
            limit.parse::<Decimal>().is_ok_and(|l| actual > l)
        } else if goal.ends_with('%') {
            let g: Decimal = goal
                .trim_start_matches("≥ ")
                .trim_end_matches('%')
                .parse()
                .unwrap_or(Decimal::ONE_HUNDRED);
            actual * Decimal::ONE_HUNDRED < g
        } else {
            false
        };
        if missed {
            out.push((name.clone(), goal.clone(), r[1].clone()));
        }
    }
    out
}

/// Three sentences on what moved most, then the month's red flags, each from the tables.
pub fn commentary(kpis: &Table, tables: &HashMap<String, Table>) -> Vec<Msg> {
    let mut moves: Vec<(Decimal, String, String)> = kpis
        .rows
        .iter()
        .filter_map(|r| match (&r[0], &r[4]) {
            (Value::Text(n), Value::Ratio(g)) => Some((g.abs(), n.clone(), format::percent(*g))),
            _ => None,
        })
        .collect();
    moves.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let mut out: Vec<Msg> = moves
        .iter()
        .take(3)
        .map(|(_, name, pct)| {
            let dir = if pct.starts_with('-') {
                "下降"
            } else {
                "上升"
            };
            Msg::new(
                format!("{name} 环比{dir} {}。", pct.trim_start_matches('-')),
                format!("{name}: {pct} month on month."),
            )
        })
        .collect();
    let count = |id: &str| {
        tables.get(id).map(|t| {
            t.rows
                .iter()
                .filter(|r| !matches!(r.first(), Some(Value::Missing(_))))
                .count()
        })
    };
    if let Some(n) = count("lost-ab").filter(|n| *n > 0) {
        out.push(Msg::new(
            format!("本月流失 A/B 类客户 {n} 户, 见“客户流失原因分析表”。"),
            format!("{n} A/B customers lost this month."),
        ));
    }
    if let Some(n) = count("danger-customers").filter(|n| *n > 0) {
        out.push(Msg::new(
            format!("危险客户 {n} 户, 见“危险客户统计表”。"),
            format!("{n} dangerous customers."),
        ));
    }
    if let Some(n) = count("overdue").filter(|n| *n > 0) {
        out.push(Msg::new(
            format!("逾期应收涉及 {n} 户客户。"),
            format!("{n} customers with overdue receivables."),
        ));
    }
    if let Some(n) = count("complaint-response-missed").filter(|n| *n > 0) {
        out.push(Msg::new(
            format!("{n} 件投诉未在48小时内反馈初步方案。"),
            format!("{n} complaints missed the 48-hour response."),
        ));
    }
    out
}
