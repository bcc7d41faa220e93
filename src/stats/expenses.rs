//! Expenses from T11 费用 (DOMAIN §2.3 M29–M30, §2.4 M43, M54). T11 itself is a PROPOSED table
//! (see `ingest::schema::T11`); its categories are S4 第7条's.
//!
//! An expense is booked to its 业务员, else to its customer's 负责人, else to 未指定 (C4 read for
//! expenses). A blank category counts as 其他.

use super::grading::{self, Directory, Window};
use super::salespeople::{Roster, UNASSIGNED};
use super::{missing_table, ratio, Column, Ctx, Kind, Table, Value};
use crate::error::Msg;
use crate::model::{Dataset, Expense};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

use super::HashMap;

/// Canonical sheet name, as shown in "—, 缺少数据: <sheet>".
pub const SHEET: &str = "费用";

/// M43 开发费用 categories (S4 第7条).
pub const DEV: [&str; 5] = ["薪水", "津贴", "机车保险", "油料", "差旅费"];
/// M43 其他费用 categories (S4 第7条 交际, 赠送; 活动 and 其他 PROPOSED, §6).
pub const OTHER: [&str; 4] = ["交际", "赠送", "活动", "其他"];
/// M29 客户关系管理费用: 交际, 赠送, 活动 (招待 and 礼品 are mapped to 交际 and 赠送 by ingest).
pub const CRM: [&str; 3] = ["交际", "赠送", "活动"];

/// The category an expense counts under: its own when it is one of S4's, else 其他.
pub fn category(e: &Expense) -> &'static str {
    let c = e.category.as_deref().unwrap_or("其他");
    DEV.iter()
        .chain(OTHER.iter())
        .find(|x| **x == c)
        .copied()
        .unwrap_or("其他")
}

/// Is this category 开发费用 (true) or 其他费用 (false)? (M43)
pub fn is_dev(cat: &str) -> bool {
    DEV.contains(&cat)
}

/// The customer key of an expense, when it names one.
fn cid(e: &Expense) -> Option<String> {
    e.customer_id.clone().or_else(|| e.customer_name.clone())
}

/// Who an expense is booked to: 业务员, else the customer's 负责人, else 未指定.
pub fn staff_of(e: &Expense, roster: &Roster, dir: &Directory) -> String {
    staff_of_ref(e, roster, dir).to_owned()
}

/// [`staff_of`] borrowed, for the loops that sum per salesperson.
fn staff_of_ref<'s>(e: &'s Expense, roster: &'s Roster, dir: &Directory<'s>) -> &'s str {
    if e.staff.is_some() {
        return roster.resolve_ref(e.staff.as_deref());
    }
    let cid = e.customer_id.as_deref().or(e.customer_name.as_deref());
    match cid.and_then(|c| dir.owner_ref(c)) {
        Some(o) => roster.resolve_ref(Some(o)),
        None => UNASSIGNED,
    }
}

/// Σ amount per salesperson key and category in `w`.
pub fn by_staff_category(
    ds: &Dataset,
    roster: &Roster,
    w: Window,
) -> BTreeMap<String, BTreeMap<&'static str, Decimal>> {
    // The roster's directory (the same T01 and lines): building one here scanned every sales
    // line again on each call. Summed under borrowed keys, sorted once at the end.
    let dir = roster.directory();
    let mut m: HashMap<&str, BTreeMap<&'static str, Decimal>> = HashMap::default();
    for e in ds
        .expenses
        .iter()
        .flatten()
        .filter(|e| w.contains(e.expense_date))
    {
        *m.entry(staff_of_ref(e, roster, dir))
            .or_default()
            .entry(category(e))
            .or_default() += e.amount;
    }
    super::grading::owned_keys(m)
}

/// M43 per salesperson key: (开发费用, 其他费用) in `w`.
pub fn dev_other(ds: &Dataset, roster: &Roster, w: Window) -> BTreeMap<String, (Decimal, Decimal)> {
    by_staff_category(ds, roster, w)
        .into_iter()
        .map(|(k, cats)| {
            let dev = cats
                .iter()
                .filter(|(c, _)| is_dev(c))
                .map(|(_, v)| *v)
                .sum();
            let other = cats
                .iter()
                .filter(|(c, _)| !is_dev(c))
                .map(|(_, v)| *v)
                .sum();
            (k, (dev, other))
        })
        .collect()
}

/// Σ expenses in `w` (M56's E).
pub fn total(ds: &Dataset, w: Window) -> Decimal {
    ds.expenses
        .iter()
        .flatten()
        .filter(|e| w.contains(e.expense_date))
        .map(|e| e.amount)
        .sum()
}

/// M29 ratio: CRM expenses / 边际贡献 (or / 实销额 when no cost data); "—" on a zero base.
pub fn crm_ratio(crm: Decimal, base: Decimal) -> Value {
    ratio(crm, base)
}

/// The family's tables for the report month.
pub fn tables(ctx: &Ctx) -> Vec<Table> {
    let m = ctx.month;
    let ytd_title = |zh: &str, en: &str| {
        Msg::new(
            format!("{}年 {zh} (1月至{}月)", m.year, m.month),
            format!("{en}, {} Jan–{m}", m.year),
        )
    };
    let month_title =
        |zh: &str, en: &str| Msg::new(format!("{} {zh}", m.zh()), format!("{en}, {m}"));
    if ctx.ds.expenses.is_none() {
        return vec![
            missing_table(
                "expense-breakdown",
                month_title("销售管理费用分解表", "Sales expense breakdown"),
                SHEET,
            ),
            missing_table(
                "expense-breakdown-ytd",
                ytd_title("销售管理费用分解表", "Sales expense breakdown"),
                SHEET,
            ),
            missing_table(
                "hospitality",
                month_title("客户接待/招待费用", "Hospitality expenses"),
                SHEET,
            ),
            missing_table(
                "hospitality-budget",
                month_title("客户接待费用预算执行", "Hospitality budget"),
                SHEET,
            ),
            missing_table(
                "crm-expense-ratio",
                ytd_title(
                    "客户关系管理费用支出收益比",
                    "Customer-relationship expense ratio",
                ),
                SHEET,
            ),
        ];
    }
    let roster = ctx.roster();
    vec![
        breakdown_table(
            ctx,
            &roster,
            Window::months(m, m),
            "expense-breakdown",
            month_title("销售管理费用分解表", "Sales expense breakdown"),
        ),
        breakdown_table(
            ctx,
            &roster,
            Window::ytd(m),
            "expense-breakdown-ytd",
            ytd_title("销售管理费用分解表", "Sales expense breakdown"),
        ),
        hospitality_table(ctx, &roster),
        hospitality_budget_table(ctx),
        crm_ratio_table(ctx),
    ]
}

/// M54 销售管理费用分解: salesperson × category, 开发费用 / 其他费用 subtotals, 合计, 实销额 and
/// 费用率 = 合计 / 实销额. The 合计 column sums to Σ expenses of the window (reconciliation).
fn breakdown_table(ctx: &Ctx, roster: &Roster, w: Window, id: &str, title: Msg) -> Table {
    let cats = by_staff_category(ctx.ds, roster, w);
    let net = ctx.net_by_staff(w);
    let keys = cats.keys();
    let order = roster.order_with_staff(keys);
    let has_sales = ctx.ds.sales.is_some();
    let row = |lead: Vec<Value>, c: &BTreeMap<&'static str, Decimal>, net: Decimal| {
        let g = |k: &str| c.get(k).copied().unwrap_or_default();
        let mut r = lead;
        let dev: Decimal = DEV.iter().map(|k| g(k)).sum();
        let other: Decimal = OTHER.iter().map(|k| g(k)).sum();
        r.extend(DEV.iter().map(|k| Value::Money(g(k))));
        r.push(Value::Money(dev));
        r.extend(OTHER.iter().map(|k| Value::Money(g(k))));
        r.push(Value::Money(other));
        r.push(Value::Money(dev + other));
        if has_sales {
            r.push(Value::Money(net));
            r.push(ratio(dev + other, net));
        } else {
            r.push(Value::Missing("销售明细".into()));
            r.push(Value::Missing("销售明细".into()));
        }
        r
    };
    let empty = BTreeMap::new();
    let rows = order
        .iter()
        .map(|k| {
            row(
                roster.cells(k).into(),
                cats.get(k).unwrap_or(&empty),
                net.get(k).copied().unwrap_or_default(),
            )
        })
        .collect();
    let mut all: BTreeMap<&'static str, Decimal> = BTreeMap::new();
    for c in cats.values() {
        for (k, v) in c {
            *all.entry(k).or_default() += *v;
        }
    }
    let mut lead = vec![Value::Text("合计".into()), Value::Empty, Value::Empty];
    lead.truncate(3);
    let totals = row(lead, &all, net.values().copied().sum());
    let mut columns = vec![
        Column::new("group", "组别", "Group", Kind::Text),
        Column::new("staff_id", "工号", "Staff ID", Kind::Text),
        Column::new("name", "姓名", "Name", Kind::Text),
    ];
    let en = |c: &str| match c {
        "薪水" => "Salary",
        "津贴" => "Allowance",
        "机车保险" => "Vehicle insurance",
        "油料" => "Fuel",
        "差旅费" => "Travel",
        "交际" => "Entertainment",
        "赠送" => "Gifts",
        "活动" => "Events",
        _ => "Other",
    };
    for c in DEV {
        columns.push(Column::new(c, c, en(c), Kind::Money));
    }
    columns.push(Column::new(
        "dev_total",
        "开发费用小计",
        "Development subtotal",
        Kind::Money,
    ));
    for c in OTHER {
        columns.push(Column::new(c, c, en(c), Kind::Money));
    }
    columns.push(Column::new(
        "other_total",
        "其他费用小计",
        "Other subtotal",
        Kind::Money,
    ));
    columns.push(Column::new("total", "费用合计", "Total", Kind::Money));
    columns.push(Column::new("net_sales", "实销额", "Net sales", Kind::Money));
    columns.push(Column::new(
        "expense_rate",
        "费用率",
        "Expense rate",
        Kind::Percent,
    ));
    Table {
        id: id.into(),
        title,
        columns,
        rows,
        totals: Some(totals),
        notes: vec![Msg::new(
            "开发费用 = 薪水 + 津贴 + 机车保险 + 油料 + 差旅费; 其他费用 = 交际 + 赠送 + 活动 + 其他 (S4 第7条); 费用率 = 费用合计 / 实销额. 费用记在业务员名下, 未填业务员时记在客户负责人名下",
            "Development = salary, allowance, vehicle insurance, fuel, travel; other = entertainment, gifts, events, other (S4 art. 7); expense rate = total / net sales. Booked to the expense's salesperson, else the customer's owner",
        )],
    }
}

/// M30 接待/招待费用: 交际, 赠送 and 活动 of the month by salesperson, with the customers they were
/// spent on. The budget comparison is [`hospitality_budget_table`].
fn hospitality_table(ctx: &Ctx, roster: &Roster) -> Table {
    let w = Window::months(ctx.month, ctx.month);
    let dir = ctx.directory();
    let mut by: BTreeMap<String, ([Decimal; 3], BTreeSet<String>, usize)> = BTreeMap::new();
    for e in ctx
        .ds
        .expenses
        .iter()
        .flatten()
        .filter(|e| w.contains(e.expense_date))
    {
        let cat = category(e);
        let Some(i) = CRM.iter().position(|c| *c == cat) else {
            continue;
        };
        let k = staff_of(e, roster, &dir);
        let a = by.entry(k).or_default();
        a.0[i] += e.amount;
        a.2 += 1;
        if let Some(c) = cid(e) {
            a.1.insert(c);
        }
    }
    let order = roster.order(by.keys().cloned());
    let row = |lead: Vec<Value>, v: &[Decimal; 3], custs: usize, n: usize| {
        let mut r = lead;
        r.extend(v.iter().map(|x| Value::Money(*x)));
        r.push(Value::Money(v.iter().copied().sum()));
        r.push(Value::Int(n as i64));
        r.push(Value::Int(custs as i64));
        r
    };
    let rows = order
        .iter()
        .filter_map(|k| {
            by.get(k)
                .map(|a| row(roster.cells(k).into(), &a.0, a.1.len(), a.2))
        })
        .collect();
    let mut sum = [Decimal::ZERO; 3];
    let mut custs: BTreeSet<&String> = BTreeSet::new();
    let mut n = 0;
    for a in by.values() {
        for (s, v) in sum.iter_mut().zip(a.0) {
            *s += v;
        }
        custs.extend(a.1.iter());
        n += a.2;
    }
    let totals = row(
        vec![Value::Text("合计".into()), Value::Empty, Value::Empty],
        &sum,
        custs.len(),
        n,
    );
    Table {
        id: "hospitality".into(),
        title: Msg::new(
            format!("{} 客户接待/招待费用", ctx.month.zh()),
            format!("Hospitality expenses, {}", ctx.month),
        ),
        columns: vec![
            Column::new("group", "组别", "Group", Kind::Text),
            Column::new("staff_id", "工号", "Staff ID", Kind::Text),
            Column::new("name", "姓名", "Name", Kind::Text),
            Column::new("entertain", "交际(招待)", "Entertainment", Kind::Money),
            Column::new("gifts", "赠送(礼品)", "Gifts", Kind::Money),
            Column::new("events", "活动", "Events", Kind::Money),
            Column::new("total", "合计", "Total", Kind::Money),
            Column::new("count", "笔数", "Entries", Kind::Int),
            Column::new("customers", "涉及客户数", "Customers", Kind::Int),
        ],
        rows,
        totals: Some(totals),
        notes: vec![Msg::new(
            "来源: 费用表的交际、赠送、活动类 (招待记作交际, 礼品记作赠送); 互动记录中的拜访费用不再重复计入",
            "From the expense sheet's entertainment, gifts and events categories; visit costs on the interaction sheet are not added again",
        )],
    }
}

/// Σ 接待/招待费用 (交际, 赠送, 活动: M30's categories) in `w`.
fn hospitality_total(ctx: &Ctx, w: Window) -> Decimal {
    ctx.ds
        .expenses
        .iter()
        .flatten()
        .filter(|e| w.contains(e.expense_date) && CRM.contains(&category(e)))
        .map(|e| e.amount)
        .sum()
}

/// M30 "compared with the budget if one is configured": the month and the year to date against
/// `hospitality_budget` (a monthly figure; the year-to-date budget is it × the months elapsed).
/// Without a budget the spending shows and the budget columns are "—", never a comparison with 0.
fn hospitality_budget_table(ctx: &Ctx) -> Table {
    let m = ctx.month;
    let title = Msg::new(
        format!("{} 客户接待费用预算执行", m.zh()),
        format!("Hospitality budget, {m}"),
    );
    let columns = vec![
        Column::new("period", "期间", "Period", Kind::Text),
        Column::new("budget", "预算", "Budget", Kind::Money),
        Column::new("actual", "实际", "Actual", Kind::Money),
        Column::new(
            "variance",
            "超支(+)/结余(−)",
            "Over (+) / under (−)",
            Kind::Money,
        ),
        Column::new("used", "预算执行率", "Budget used", Kind::Percent),
    ];
    // Without a budget the actual spending still shows; what needs a budget is "—" (C3).
    let budget = ctx.cfg.hospitality_budget;
    let row = |label: String, budget: Option<Decimal>, actual: Decimal| {
        let or_na = |v: Option<Value>| v.unwrap_or(Value::NotApplicable);
        vec![
            Value::Text(label),
            or_na(budget.map(Value::Money)),
            Value::Money(actual),
            or_na(budget.map(|b| Value::Money(actual - b))),
            or_na(budget.map(|b| ratio(actual, b))),
        ]
    };
    let month_actual = hospitality_total(ctx, Window::months(m, m));
    let ytd_actual = hospitality_total(ctx, Window::ytd(m));
    Table {
        id: "hospitality-budget".into(),
        title,
        columns,
        rows: vec![
            row(m.zh(), budget, month_actual),
            row(
                format!("{}年1-{}月累计", m.year, m.month),
                budget.map(|b| b * Decimal::from(m.month)),
                ytd_actual,
            ),
        ],
        totals: None,
        notes: vec![if budget.is_some() {
            Msg::new(
                "预算为 kebiao.yaml 的 hospitality_budget (每月); 累计预算 = 月预算 × 已过月数; 实际 = 费用表中交际、赠送、活动类",
                "Budget is hospitality_budget in kebiao.yaml (monthly); year-to-date budget = monthly × months elapsed; actual = entertainment, gifts and events on the expense sheet",
            )
        } else {
            Msg::new(
                "未设置接待费用预算 (kebiao.yaml: hospitality_budget), 预算相关各栏为 “—”",
                "No hospitality budget is set (kebiao.yaml: hospitality_budget): the budget columns show “—”",
            )
        }],
    }
}

/// M29 客户关系管理费用支出收益比 for the year to date: CRM expenses / 边际贡献 (实销额 when there
/// is no cost data), by the customer's grade where the expense names a customer.
fn crm_ratio_table(ctx: &Ctx) -> Table {
    let w = Window::ytd(ctx.month);
    let title = Msg::new(
        format!(
            "{}年 客户关系管理费用支出收益比 (1月至{}月)",
            ctx.month.year, ctx.month.month
        ),
        format!(
            "Customer-relationship expense ratio, {} Jan–{}",
            ctx.month.year, ctx.month
        ),
    );
    if ctx.ds.sales.is_none() {
        return missing_table("crm-expense-ratio", title, "销售明细");
    }
    let grades = grading::grades(ctx);
    let costs = ctx.costs();
    const UNGRADED: &str = "未分级";
    const NO_CUST: &str = "未指明客户";
    // Borrowed and hashed: the YTD entries and cost entries each look their customer's grade up.
    let by_customer: super::HashMap<&str, &str> = grades
        .iter()
        .map(|(k, g)| (k.as_str(), g.as_str()))
        .collect();
    let grade_of = |c: &str| -> &str { by_customer.get(c).copied().unwrap_or(UNGRADED) };
    let mut crm: BTreeMap<String, Decimal> = BTreeMap::new();
    for e in ctx
        .ds
        .expenses
        .iter()
        .flatten()
        .filter(|e| w.contains(e.expense_date) && CRM.contains(&category(e)))
    {
        let g = cid(e).map_or_else(|| NO_CUST.to_string(), |c| grade_of(&c).to_string());
        *crm.entry(g).or_default() += e.amount;
    }
    // Each customer number's grade looked up once, not once per entry (a number's key is the
    // entries' customer key, [`grading::Keys`]).
    let keys = ctx.keys();
    let by_number: Vec<&str> = (0..keys.customers() as u32)
        .map(|n| keys.name(n).map_or(UNGRADED, grade_of))
        .collect();
    let grade_n = |n: u32, c: &str| -> &str {
        by_number
            .get(n as usize)
            .copied()
            .unwrap_or_else(|| grade_of(c))
    };
    let mut base: BTreeMap<&str, Decimal> = BTreeMap::new();
    for (e, n) in ctx.numbered_entries_in(w) {
        *base.entry(grade_n(n, e.customer_id)).or_default() += e.amount;
    }
    if costs.any_cost {
        for (c, n) in ctx.numbered_costs_in(w) {
            *base.entry(grade_n(n, c.customer_id)).or_default() -= c.cost;
        }
    }
    let order = ["A", "B", "C", "D", UNGRADED, NO_CUST];
    let row = |label: &str, e: Decimal, b: Option<Decimal>| {
        vec![
            Value::Text(label.into()),
            Value::Money(e),
            b.map_or(Value::Empty, Value::Money),
            b.map_or(Value::Empty, |b| crm_ratio(e, b)),
        ]
    };
    let rows: Vec<Vec<Value>> = order
        .iter()
        .filter(|g| crm.contains_key(**g) || base.contains_key(**g))
        .map(|g| {
            let e = crm.get(*g).copied().unwrap_or_default();
            let b = (*g != NO_CUST).then(|| base.get(*g).copied().unwrap_or_default());
            row(g, e, b)
        })
        .collect();
    let te: Decimal = crm.values().copied().sum();
    let tb: Decimal = base.values().copied().sum();
    let basis = if costs.any_cost {
        ("边际贡献", "Contribution")
    } else {
        ("实销额", "Net sales")
    };
    Table {
        id: "crm-expense-ratio".into(),
        title,
        columns: vec![
            Column::new("grade", "客户等级", "Grade", Kind::Text),
            Column::new("crm_expense", "客户关系管理费用", "CRM expenses", Kind::Money),
            Column::new("base", basis.0, basis.1, Kind::Money),
            Column::new("ratio", "支出收益比", "Expense ratio", Kind::Percent),
        ],
        rows,
        totals: Some(row("合计", te, Some(tb))),
        notes: vec![Msg::new(
            format!(
                "客户关系管理费用 = 交际 + 赠送 + 活动 (招待记作交际, 礼品记作赠送); 比率 = 费用 / {}{}; 等级按报告月的客户分级",
                basis.0,
                if costs.any_cost { "" } else { " (无成本数据, 以实销额代替)" }
            ),
            format!(
                "CRM expenses = entertainment + gifts + events; ratio = expenses / {}; grades as of the report month",
                basis.1
            ),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::{SaleLine, Salesperson};
    use crate::stats::Month;
    use chrono::NaiveDate;
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }
    fn exp(date: &str, staff: &str, cat: &str, amount: Decimal) -> Expense {
        Expense {
            expense_date: d(date),
            staff: (!staff.is_empty()).then(|| staff.to_string()),
            category: (!cat.is_empty()).then(|| cat.to_string()),
            amount,
            ..Default::default()
        }
    }
    fn ds() -> Dataset {
        Dataset {
            salespeople: Some(vec![
                Salesperson {
                    staff_id: "S01".into(),
                    name: "张三".into(),
                    ..Default::default()
                },
                Salesperson {
                    staff_id: "S02".into(),
                    name: "李四".into(),
                    ..Default::default()
                },
            ]),
            sales: Some(vec![SaleLine {
                order_date: d("2024-03-05"),
                customer_id: Some("C1".into()),
                staff: Some("张三".into()),
                qty: dec!(1),
                amount: dec!(10000),
                ..Default::default()
            }]),
            expenses: Some(vec![
                exp("2024-03-01", "张三", "差旅费", dec!(300)),
                exp("2024-03-02", "张三", "交际", dec!(200)),
                exp("2024-03-03", "S02", "油料", dec!(150.50)),
                exp("2024-03-04", "李四", "", dec!(49.50)),
                exp("2024-02-28", "张三", "薪水", dec!(5000)),
            ]),
            ..Default::default()
        }
    }

    #[test]
    fn m43_dev_and_other_per_salesperson() {
        let ds = ds();
        let roster = Roster::new(&ds);
        let m: Month = "2024-03".parse().unwrap();
        let r = dev_other(&ds, &roster, Window::months(m, m));
        assert_eq!(r["S01"], (dec!(300), dec!(200)));
        // 工号 and 姓名 resolve to one person; a blank category is 其他.
        assert_eq!(r["S02"], (dec!(150.50), dec!(49.50)));
        let ytd = dev_other(&ds, &roster, Window::ytd(m));
        assert_eq!(ytd["S01"], (dec!(5300), dec!(200)));
    }

    /// M54: the matrix's 合计 column sums to Σ expenses of the month, and 费用率 = 合计 / 实销额.
    #[test]
    fn m54_breakdown_reconciles_to_total_expenses() {
        let ds = ds();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let ts = tables(&ctx);
        let t = ts.iter().find(|t| t.id == "expense-breakdown").unwrap();
        let col = |k: &str| t.columns.iter().position(|c| c.key == k).unwrap();
        let sum: Decimal = t.rows.iter().filter_map(|r| r[col("total")].money()).sum();
        assert_eq!(sum, dec!(700));
        let m: Month = "2024-03".parse().unwrap();
        assert_eq!(sum, total(&ds, Window::months(m, m)));
        let tot = t.totals.as_ref().unwrap();
        assert_eq!(tot[col("total")], Value::Money(dec!(700)));
        assert_eq!(tot[col("dev_total")], Value::Money(dec!(450.50)));
        assert_eq!(tot[col("other_total")], Value::Money(dec!(249.50)));
        let s01 = t
            .rows
            .iter()
            .find(|r| r[1] == Value::Text("S01".into()))
            .unwrap();
        assert_eq!(s01[col("expense_rate")], Value::Ratio(dec!(0.05)));
        // 李四 sold nothing: 费用率 has no denominator.
        let s02 = t
            .rows
            .iter()
            .find(|r| r[1] == Value::Text("S02".into()))
            .unwrap();
        assert_eq!(s02[col("expense_rate")], Value::NotApplicable);
    }

    /// M29 with no cost data divides by 实销额: 交际 200 / 10,000 = 2.0%.
    #[test]
    fn m29_ratio_falls_back_to_net_sales() {
        let ds = ds();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let t = crm_ratio_table(&ctx);
        let tot = t.totals.unwrap();
        assert_eq!(tot[1], Value::Money(dec!(200)));
        assert_eq!(tot[2], Value::Money(dec!(10000)));
        assert_eq!(tot[3], Value::Ratio(dec!(0.02)));
        assert_eq!(crm_ratio(dec!(1), Decimal::ZERO), Value::NotApplicable);
    }

    #[test]
    fn m30_hospitality_counts_only_crm_categories() {
        let ds = ds();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let roster = Roster::new(&ds);
        let t = hospitality_table(&ctx, &roster);
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.totals.unwrap()[6], Value::Money(dec!(200)));
    }

    /// M30 against `hospitality_budget` 150 a month: March spends 200 (交际) → 超支 50, 133.3%;
    /// January–March: budget 450, actual 300 (a February 赠送 of 100; February's 薪水 is not
    /// hospitality) → 结余 150, 2/3 used. Without the key the table says no budget is set.
    #[test]
    fn m30_budget_month_and_year_to_date() {
        let mut ds = ds();
        if let Some(e) = ds.expenses.as_mut() {
            e.push(exp("2024-02-10", "张三", "赠送", dec!(100)));
        }
        let mut cfg = Config::default();
        let at = |cfg: &Config| {
            let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), cfg);
            hospitality_budget_table(&ctx)
        };
        let unset = at(&cfg);
        assert_eq!(
            unset.rows[0][1..],
            [
                Value::NotApplicable,
                Value::Money(dec!(200)),
                Value::NotApplicable,
                Value::NotApplicable
            ]
        );
        assert!(unset.notes[0].zh.contains("hospitality_budget"));
        cfg.hospitality_budget = Some(dec!(150));
        let t = at(&cfg);
        let money = |r: usize| -> Vec<Value> { t.rows[r][1..4].to_vec() };
        assert_eq!(
            money(0),
            vec![
                Value::Money(dec!(150)),
                Value::Money(dec!(200)),
                Value::Money(dec!(50))
            ]
        );
        assert_eq!(t.rows[0][4], Value::Ratio(dec!(200) / dec!(150)));
        assert_eq!(
            money(1),
            vec![
                Value::Money(dec!(450)),
                Value::Money(dec!(300)),
                Value::Money(dec!(-150))
            ]
        );
        assert_eq!(t.rows[1][4], Value::Ratio(dec!(300) / dec!(450)));
    }

    #[test]
    fn missing_sheet_is_missing_not_zero() {
        let ds = Dataset::default();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        for t in tables(&ctx) {
            assert_eq!(t.rows[0][0], Value::Missing(SHEET.into()), "{}", t.id);
        }
    }
}
