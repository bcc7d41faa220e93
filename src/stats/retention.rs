//! Retention, loyalty, conversion, satisfaction (DOMAIN §2.2, M12–M24).
//!
//! The customer state is computed (C10) from the order history as of a date, never read blindly
//! from 客户状态: the column is shown beside it and disagreements are listed for the clerk. Grades
//! come from the grading family's recomputed runs (M07), so 保有率 per grade needs no snapshot.

use super::grading::{self, Directory, GradeRun, Window, UNGRADED};
use super::{growth, missing_table, ratio, Column, Ctx, Kind, Month, Table, Value};
use crate::error::Msg;
use crate::model::{Customer, Interaction, Return, SaleLine};
use chrono::{Duration, NaiveDate};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

use super::{HashMap, HashSet};

/// C10 customer state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum State {
    Potential,
    Intention,
    Active,
    Lost,
}

impl State {
    pub const ALL: [State; 4] = [
        State::Potential,
        State::Intention,
        State::Active,
        State::Lost,
    ];
    pub fn zh(self) -> &'static str {
        match self {
            State::Potential => "潜在客户",
            State::Intention => "意向客户",
            State::Active => "成交客户",
            State::Lost => "流失客户",
        }
    }
    pub fn en(self) -> &'static str {
        match self {
            State::Potential => "Potential",
            State::Intention => "Intention",
            State::Active => "Active",
            State::Lost => "Lost",
        }
    }
}

/// The state the 客户状态 column claims (ingest normalises aliases; the match is lenient anyway).
pub fn column_state(status: Option<&str>) -> Option<State> {
    let s = status?.trim();
    // The four values ingest normalises to first: this runs for every customer at every date a
    // table asks about.
    match s {
        "成交客户" => return Some(State::Active),
        "潜在客户" => return Some(State::Potential),
        "意向客户" => return Some(State::Intention),
        "流失客户" => return Some(State::Lost),
        _ => {}
    }
    if s.contains("流失") || s.contains("停止合作") || s.contains("终止合作") {
        Some(State::Lost)
    } else if s.contains("意向") {
        Some(State::Intention)
    } else if s.contains("潜在") {
        Some(State::Potential)
    } else if s.contains("成交")
        || s.contains("合作中")
        || s.contains("老客户")
        || s.contains("正式")
    {
        Some(State::Active)
    } else {
        None
    }
}

/// Non-cancelled order dates per customer key (C6).
pub fn order_dates(lines: &[SaleLine]) -> HashMap<String, Vec<NaiveDate>> {
    let mut m: HashMap<String, Vec<NaiveDate>> = HashMap::default();
    for l in lines.iter().filter(|l| !l.cancelled) {
        let k = super::grading::line_key(l);
        match m.get_mut(k) {
            Some(v) => v.push(l.order_date),
            None => {
                m.insert(k.to_owned(), vec![l.order_date]);
            }
        }
    }
    for v in m.values_mut() {
        v.sort();
    }
    m
}

/// C10 as of date `d`: 流失 if the column says so or the last order is ≤ d − churn_days; 成交 with
/// an order in (d − churn_days, d]; with no order by `d`, 潜在/意向 from the column (blank = 潜在).
pub fn state_at(status: Option<&str>, dates: &[NaiveDate], d: NaiveDate, churn_days: i64) -> State {
    state_from_last(
        status,
        dates.iter().filter(|x| **x <= d).max(),
        d,
        churn_days,
    )
}

/// [`state_at`] given the last order on or before `d` (the book finds it by binary search).
fn state_from_last(
    status: Option<&str>,
    last: Option<&NaiveDate>,
    d: NaiveDate,
    churn_days: i64,
) -> State {
    let col = column_state(status);
    if col == Some(State::Lost) {
        return State::Lost;
    }
    match last {
        None => {
            if col == Some(State::Intention) {
                State::Intention
            } else {
                State::Potential
            }
        }
        Some(last) => {
            // A churn_days too large for the calendar means "never lost by age" (no panic).
            let cutoff = Duration::try_days(churn_days).and_then(|x| d.checked_sub_signed(x));
            if cutoff.is_none_or(|c| *last > c) {
                State::Active
            } else {
                State::Lost
            }
        }
    }
}

/// M13/M14 保有率 and 流失率 from a base and the retained count; "—" on an empty base.
pub fn retention_rates(base: usize, retained: usize) -> (Value, Value) {
    let b = Decimal::from(base as u64);
    let r = Decimal::from(retained as u64);
    (ratio(r, b), ratio(b - r, b))
}

/// M15: (buyers, repeat buyers, rate) from per-customer distinct order counts.
pub fn repeat_rate(freqs: impl IntoIterator<Item = i64>) -> (i64, i64, Value) {
    let (mut buyers, mut repeat) = (0i64, 0i64);
    for f in freqs {
        if f >= 1 {
            buyers += 1;
        }
        if f >= 2 {
            repeat += 1;
        }
    }
    (
        buyers,
        repeat,
        ratio(Decimal::from(repeat), Decimal::from(buyers)),
    )
}

/// M21 level of a loyalty score.
pub fn loyalty_level(score: Decimal) -> &'static str {
    if score >= Decimal::from(70) {
        "高"
    } else if score >= Decimal::from(40) {
        "中"
    } else {
        "低"
    }
}

/// M21: the mean of the available 0–100 components; fewer than 2 → None ("数据不足").
pub fn loyalty_score(components: &[Decimal]) -> Option<Decimal> {
    (components.len() >= 2).then(|| {
        components.iter().copied().sum::<Decimal>() / Decimal::from(components.len() as u64)
    })
}

/// Everything the tables need about each customer at two dates.
pub struct Book<'a> {
    dir: std::sync::Arc<Directory<'a>>,
    ids: std::sync::Arc<BTreeSet<String>>,
    orders: std::sync::Arc<HashMap<String, Vec<NaiveDate>>>,
    churn: i64,
    /// 客户名称 (as [`crate::ingest::header::name_key`] folds it) → the first customer key of that
    /// name, built on the first 介绍人 typed as a name: scanning every customer per referral grew
    /// with customers × new customers.
    by_name: std::sync::OnceLock<HashMap<String, String>>,
}

impl<'a> Book<'a> {
    fn new(ctx: &'a Ctx) -> Book<'a> {
        Book {
            dir: ctx.directory(),
            ids: ctx.customers(),
            orders: ctx.order_dates(),
            churn: ctx.cfg.churn_days,
            by_name: std::sync::OnceLock::new(),
        }
    }
    fn status(&self, id: &str) -> Option<&'a str> {
        self.dir.get(id).and_then(|c| c.status.as_deref())
    }
    fn dates(&self, id: &str) -> &[NaiveDate] {
        self.orders.get(id).map(Vec::as_slice).unwrap_or(&[])
    }
    fn state(&self, id: &str, d: NaiveDate) -> State {
        let ds = self.dates(id); // sorted by order_dates
        let last = ds[..ds.partition_point(|x| *x <= d)].last();
        state_from_last(self.status(id), last, d, self.churn)
    }
    /// [`Book::state`] at two dates, the customer looked up once.
    fn states(&self, id: &str, d1: NaiveDate, d2: NaiveDate) -> (State, State) {
        let ds = self.dates(id);
        let status = self.status(id);
        let at = |d: NaiveDate| {
            let last = ds[..ds.partition_point(|x| *x <= d)].last();
            state_from_last(status, last, d, self.churn)
        };
        (at(d1), at(d2))
    }
    fn first_order(&self, id: &str) -> Option<NaiveDate> {
        self.dates(id).first().copied()
    }
    fn last_order(&self, id: &str, d: NaiveDate) -> Option<NaiveDate> {
        let ds = self.dates(id);
        ds[..ds.partition_point(|x| *x <= d)].last().copied()
    }
    /// A 介绍人 as typed (客户编号 or 名称) → the customer key; unknown text is kept as typed.
    fn resolve(&self, r: &str) -> String {
        let r = r.trim();
        if self.dir.get(r).is_some() {
            return r.to_string();
        }
        let by_name = self.by_name.get_or_init(|| {
            let mut m = HashMap::default();
            // In key order, the first customer of a name wins (as a scan in order would find it).
            for id in self.ids.iter() {
                if let Some(c) = self.dir.get(id) {
                    m.entry(crate::ingest::header::name_key(&c.name))
                        .or_insert_with(|| id.clone());
                }
            }
            m
        });
        by_name
            .get(&crate::ingest::header::name_key(r))
            .cloned()
            .unwrap_or_else(|| r.to_string())
    }
}

/// The family's KPIs for the 摘要 (§4.1), as (中文, English, value): customers by computed state
/// (C10), 保有率/流失率 for A+B and overall (M13/M14), 复购率 T12M (M15), 潜在客户转化率 (M22).
pub fn kpis(ctx: &Ctx) -> Vec<(&'static str, &'static str, Value)> {
    let no_sales = || Value::Missing("销售明细".into());
    let no_customers = || Value::Missing("客户信息表".into());
    let mut out = Vec::new();
    let book = Book::new(ctx);
    let end = ctx.month.last_day();
    // Every customer's state at the month end, found once (not once per state counted).
    let mut by_state: BTreeMap<State, i64> = BTreeMap::new();
    if !(ctx.ds.sales.is_none() && ctx.ds.customers.is_none()) {
        for id in book.ids.iter() {
            *by_state.entry(book.state(id, end)).or_default() += 1;
        }
    }
    for (st, zh, en) in [
        (State::Active, "成交客户数", "Active customers"),
        (State::Lost, "流失客户数", "Lost customers"),
        (State::Potential, "潜在客户数", "Potential customers"),
        (State::Intention, "意向客户数", "Intention customers"),
    ] {
        let v = if ctx.ds.sales.is_none() && ctx.ds.customers.is_none() {
            no_customers()
        } else {
            Value::Int(by_state.get(&st).copied().unwrap_or(0))
        };
        out.push((zh, en, v));
    }
    if ctx.ds.sales.is_none() {
        for (zh, en) in [
            ("A/B 类客户保有率", "A/B retention"),
            ("A/B 类客户流失率", "A/B churn"),
            ("客户保有率", "Retention"),
            ("客户流失率", "Churn"),
            ("复购率 (近12个月)", "Repeat-purchase rate (T12M)"),
        ] {
            out.push((zh, en, no_sales()));
        }
    } else {
        let prev = ctx.grade_run(ctx.month.prev());
        let counts = retention_counts(&book, &prev, end);
        let sum = |keep: &dyn Fn(&str) -> bool| {
            counts
                .iter()
                .filter(|(g, _)| keep(g))
                .fold((0, 0), |a, (_, v)| (a.0 + v.0, a.1 + v.1))
        };
        let (ab_b, ab_r) = sum(&|g| matches!(g, "A" | "B"));
        let (all_b, all_r) = sum(&|_| true);
        let (ab_keep, ab_churn) = retention_rates(ab_b, ab_r);
        let (keep, churn) = retention_rates(all_b, all_r);
        out.push(("A/B 类客户保有率", "A/B retention", ab_keep));
        out.push(("A/B 类客户流失率", "A/B churn", ab_churn));
        out.push(("客户保有率", "Retention", keep));
        out.push(("客户流失率", "Churn", churn));
        let (_, _, rate) = repeat_rate(ctx.frequencies(Window::t12m(ctx.month)).values().copied());
        out.push(("复购率 (近12个月)", "Repeat-purchase rate (T12M)", rate));
    }
    let conv = if ctx.ds.customers.is_none() {
        no_customers()
    } else {
        let t = conversion_in(&book, ctx.month)
            .values()
            .fold((0i64, 0i64), |a, v| (a.0 + v.0 + v.1, a.1 + v.2));
        ratio(Decimal::from(t.1), Decimal::from(t.0))
    };
    out.push(("潜在客户转化率", "Prospect conversion rate", conv));
    out
}

/// The family's tables for the report month.
pub fn tables(ctx: &Ctx) -> Vec<Table> {
    let mut out = Vec::new();
    if ctx.ds.sales.is_none() && ctx.ds.customers.is_none() {
        out.push(missing_table(
            "customer-status",
            Msg::new("客户状态统计", "Customer states"),
            "客户信息表",
        ));
    } else {
        let book = Book::new(ctx);
        out.push(status_table(ctx, &book));
        out.push(mismatch_table(ctx, &book));
        out.push(new_counts_table(ctx, &book));
        out.push(new_customers_table(ctx, &book));
    }
    if ctx.ds.sales.is_none() {
        for (id, zh, en) in [
            ("retention", "客户保有率与流失率", "Retention and churn"),
            (
                "lost-customers",
                "本月流失客户",
                "Customers lost this month",
            ),
            (
                "lost-ab",
                "客户流失原因分析表 (A/B 类)",
                "Lost A/B customers",
            ),
            ("repurchase", "客户复购率", "Repeat-purchase rate"),
            ("loyalty", "客户忠诚度分析", "Loyalty"),
        ] {
            out.push(missing_table(id, Msg::new(zh, en), "销售明细"));
        }
    } else {
        let book = Book::new(ctx);
        let prev = ctx.grade_run(ctx.month.prev());
        let year_end = ctx.grade_run(Month::new(ctx.month.year - 1, 12).unwrap_or(ctx.month));
        out.push(retention_table(ctx, &book, &prev, &year_end));
        // Every customer's last contact, gathered once for both lists.
        let last_contact = last_contacts(
            ctx.ds.customers.as_deref().unwrap_or(&[]),
            ctx.ds.interactions.as_deref().unwrap_or(&[]),
        );
        out.push(lost_table(ctx, &book, &prev, false, &last_contact));
        out.push(lost_table(ctx, &book, &prev, true, &last_contact));
        out.push(repurchase_table(ctx));
        out.push(loyalty_table(ctx));
    }
    if ctx.ds.customers.is_none() {
        for (id, zh, en) in [
            ("conversion", "潜在客户转化分析", "Prospect conversion"),
            (
                "conversion-by-activity",
                "潜在客户转化分析 (按来源活动)",
                "Prospect conversion by activity",
            ),
            ("conversion-needs", "潜在客户需求分析", "Prospect needs"),
            ("referrals", "转介绍率", "Referral rate"),
        ] {
            out.push(missing_table(id, Msg::new(zh, en), "客户信息表"));
        }
    } else {
        let book = Book::new(ctx);
        out.push(conversion_table(ctx, &book));
        out.push(conversion_activity_table(ctx, &book));
        out.push(needs_table(ctx, &book));
        out.push(referral_table(ctx, &book));
    }
    // M19/M20/M23 (T12) and M18 (T13) are in satisfaction.rs.
    out
}

fn status_table(ctx: &Ctx, book: &Book) -> Table {
    let end = ctx.month.last_day();
    let mut computed: BTreeMap<State, i64> = BTreeMap::new();
    let mut column: BTreeMap<State, i64> = BTreeMap::new();
    let mut blank = 0i64;
    for id in book.ids.iter() {
        *computed.entry(book.state(id, end)).or_default() += 1;
        match column_state(book.status(id)) {
            Some(s) => *column.entry(s).or_default() += 1,
            None => blank += 1,
        }
    }
    let rows: Vec<Vec<Value>> = State::ALL
        .iter()
        .map(|s| {
            let c = computed.get(s).copied().unwrap_or(0);
            let t = column.get(s).copied().unwrap_or(0);
            vec![
                Value::Text(s.zh().into()),
                Value::Int(c),
                ratio(Decimal::from(c), Decimal::from(book.ids.len() as u64)),
                Value::Int(t),
                Value::Int(c - t),
            ]
        })
        .collect();
    let total_c: i64 = computed.values().sum();
    let total_t: i64 = column.values().sum();
    let mut notes = vec![Msg::new(
        format!(
            "计算状态截至 {end}: 成交 = 近 {} 天内有订货; 流失 = 客户状态为流失客户或最后订货已满 {} 天; 无订货者按客户状态记为潜在/意向 (空白 = 潜在)",
            ctx.cfg.churn_days, ctx.cfg.churn_days
        ),
        format!(
            "Computed as of {end}: active = an order in the last {} days; lost = status 流失客户 or last order ≥ {} days ago; customers without orders follow 客户状态 (blank = potential)",
            ctx.cfg.churn_days, ctx.cfg.churn_days
        ),
    )];
    if blank > 0 {
        notes.push(Msg::new(
            format!("{blank} 户客户状态为空或不在客户信息表中"),
            format!("{blank} customers have no 客户状态 or are not in T01"),
        ));
    }
    Table {
        id: "customer-status".into(),
        title: Msg::new(
            format!("{} 客户状态统计", ctx.month.zh()),
            format!("Customer states, {}", ctx.month),
        ),
        columns: vec![
            Column::new("state", "客户状态", "State", Kind::Text),
            Column::new("computed", "计算户数", "Computed", Kind::Int),
            Column::new("share", "占比", "Share", Kind::Percent),
            Column::new(
                "recorded",
                "客户信息表户数",
                "As recorded in T01",
                Kind::Int,
            ),
            Column::new("diff", "差异", "Difference", Kind::Int),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Int(total_c),
            ratio(Decimal::from(total_c), Decimal::from(book.ids.len() as u64)),
            Value::Int(total_t),
            Value::Int(total_c - total_t),
        ]),
        notes,
    }
}

/// C10: rows whose 客户状态 disagrees with the computed state, for the clerk to update.
fn mismatch_table(ctx: &Ctx, book: &Book) -> Table {
    let end = ctx.month.last_day();
    let mut rows = Vec::new();
    for id in book.ids.iter() {
        let Some(col) = column_state(book.status(id)) else {
            continue;
        };
        let s = book.state(id, end);
        if s != col {
            rows.push(vec![
                Value::Text(id.clone()),
                Value::Text(book.dir.name(id)),
                Value::Text(book.status(id).unwrap_or_default().into()),
                Value::Text(s.zh().into()),
                book.last_order(id, end).map_or(Value::Empty, Value::Date),
                book.dir.owner(id).map_or(Value::Empty, Value::Text),
            ]);
        }
    }
    Table {
        id: "status-mismatch".into(),
        title: Msg::new(
            format!("{} 客户状态待更新名单", ctx.month.zh()),
            format!("Customers whose recorded state disagrees, {}", ctx.month),
        ),
        columns: vec![
            Column::new("customer_id", "客户编号", "Customer ID", Kind::Text),
            Column::new("name", "客户名称", "Customer", Kind::Text),
            Column::new("recorded", "客户信息表状态", "Recorded state", Kind::Text),
            Column::new("computed", "计算状态", "Computed state", Kind::Text),
            Column::new("last_order", "最后订货日期", "Last order", Kind::Date),
            Column::new("owner", "负责人", "Owner", Kind::Text),
        ],
        rows,
        totals: None,
        notes: vec![Msg::new(
            "请核对并更新客户信息表中的客户状态",
            "Please check and update 客户状态 in T01",
        )],
    }
}

/// M24 counts for a month: (new customers by C9, new prospects by 首次接触时间).
pub fn new_counts(ctx: &Ctx, month: Month) -> (i64, i64) {
    let book = Book::new(ctx);
    new_counts_in(&book, ctx, month)
}

fn new_counts_in(book: &Book, ctx: &Ctx, month: Month) -> (i64, i64) {
    let new = book
        .ids
        .iter()
        .filter(|id| book.first_order(id).is_some_and(|d| month.contains(d)))
        .count() as i64;
    let prospects = ctx
        .ds
        .customers
        .iter()
        .flatten()
        .filter(|c| c.first_contact_date.is_some_and(|d| month.contains(d)))
        .count() as i64;
    (new, prospects)
}

fn new_counts_table(ctx: &Ctx, book: &Book) -> Table {
    let months = [ctx.month, ctx.month.prev(), ctx.month.year_ago()];
    let counts: Vec<(i64, i64)> = months
        .iter()
        .map(|m| new_counts_in(book, ctx, *m))
        .collect();
    let prospects = |v: i64| {
        if ctx.ds.customers.is_some() {
            Value::Int(v)
        } else {
            Value::Missing("客户信息表".into())
        }
    };
    let rows = vec![
        vec![
            Value::Text("新客户数".into()),
            Value::Int(counts[0].0),
            Value::Int(counts[1].0),
            Value::Int(counts[2].0),
            growth(Decimal::from(counts[0].0), Decimal::from(counts[1].0)),
            growth(Decimal::from(counts[0].0), Decimal::from(counts[2].0)),
        ],
        vec![
            Value::Text("新增潜在客户".into()),
            prospects(counts[0].1),
            prospects(counts[1].1),
            prospects(counts[2].1),
            growth(Decimal::from(counts[0].1), Decimal::from(counts[1].1)),
            growth(Decimal::from(counts[0].1), Decimal::from(counts[2].1)),
        ],
    ];
    Table {
        id: "new-counts".into(),
        title: Msg::new(
            format!("{} 新客户与新增潜在客户", ctx.month.zh()),
            format!("New customers and new prospects, {}", ctx.month),
        ),
        columns: vec![
            Column::new("item", "项目", "Item", Kind::Text),
            Column::new("this", "本月", "This month", Kind::Int),
            Column::new("prev", "上月", "Previous month", Kind::Int),
            Column::new("year_ago", "上年同月", "Same month last year", Kind::Int),
            Column::new("mom", "环比", "MoM", Kind::Percent),
            Column::new("yoy", "同比", "YoY", Kind::Percent),
        ],
        rows,
        totals: None,
        notes: vec![Msg::new(
            "新客户: 首次(未作废)订货日期在本期; 新增潜在客户: 首次接触时间在本期",
            "New customer: first non-cancelled order in the period; new prospect: first contact in the period",
        )],
    }
}

fn new_customers_table(ctx: &Ctx, book: &Book) -> Table {
    let net = ctx.net_by_customer(Window::months(ctx.month, ctx.month));
    let mut rows = Vec::new();
    let mut total = Decimal::ZERO;
    for id in book.ids.iter() {
        let Some(first) = book.first_order(id).filter(|d| ctx.month.contains(*d)) else {
            continue;
        };
        let n = net.get(id).copied().unwrap_or_default();
        total += n;
        let c = book.dir.get(id);
        rows.push(vec![
            Value::Text(id.clone()),
            Value::Text(book.dir.name(id)),
            Value::Date(first),
            Value::Money(n),
            c.and_then(|c| c.source.clone())
                .map_or(Value::Empty, Value::Text),
            c.and_then(|c| c.owner.clone())
                .map_or(Value::Empty, Value::Text),
        ]);
    }
    let count = rows.len();
    Table {
        id: "new-customers".into(),
        title: Msg::new(
            format!("{} 新增客户名单", ctx.month.zh()),
            format!("New customers, {}", ctx.month),
        ),
        columns: vec![
            Column::new("customer_id", "客户编号", "Customer ID", Kind::Text),
            Column::new("name", "客户名称", "Customer", Kind::Text),
            Column::new("first_order", "首次订货日期", "First order", Kind::Date),
            Column::new("net_sales", "本月实销额", "Net sales (month)", Kind::Money),
            Column::new("source", "客户来源", "Source", Kind::Text),
            Column::new("owner", "负责人", "Owner", Kind::Text),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Text(format!("{count} 户")),
            Value::Empty,
            Value::Money(total),
            Value::Empty,
            Value::Empty,
        ]),
        notes: vec![],
    }
}

/// Base and retained counts per grade between two dates (M13).
fn retention_counts(
    book: &Book,
    base_run: &GradeRun,
    end: NaiveDate,
) -> BTreeMap<&'static str, (usize, usize)> {
    let start = base_run.window.to;
    let mut m: BTreeMap<&'static str, (usize, usize)> = BTreeMap::new();
    for (id, g) in &base_run.grade {
        let (at_start, at_end) = book.states(id, start, end);
        if at_start == State::Lost {
            continue;
        }
        let e = m.entry(g).or_default();
        e.0 += 1;
        if at_end != State::Lost {
            e.1 += 1;
        }
    }
    m
}

fn retention_table(ctx: &Ctx, book: &Book, prev: &GradeRun, year_end: &GradeRun) -> Table {
    let end = ctx.month.last_day();
    let month = retention_counts(book, prev, end);
    let ytd = retention_counts(book, year_end, end);
    let get = |m: &BTreeMap<&str, (usize, usize)>, g: &str| m.get(g).copied().unwrap_or((0, 0));
    let row = |label: String, (b, r): (usize, usize), (yb, yr): (usize, usize)| {
        let (keep, churn) = retention_rates(b, r);
        let (ykeep, ychurn) = retention_rates(yb, yr);
        vec![
            Value::Text(label),
            Value::Int(b as i64),
            Value::Int(r as i64),
            Value::Int((b - r) as i64),
            keep,
            churn,
            Value::Int(yb as i64),
            Value::Int(yr as i64),
            Value::Int((yb - yr) as i64),
            ykeep,
            ychurn,
        ]
    };
    let rows = grading::GRADES
        .iter()
        .map(|g| row(g.to_string(), get(&month, g), get(&ytd, g)))
        .collect();
    let sum =
        |m: &BTreeMap<&str, (usize, usize)>| m.values().fold((0, 0), |a, v| (a.0 + v.0, a.1 + v.1));
    Table {
        id: "retention".into(),
        title: Msg::new(
            format!("{} 客户保有率与流失率 (按等级)", ctx.month.zh()),
            format!("Retention and churn by grade, {}", ctx.month),
        ),
        columns: vec![
            Column::new("grade", "等级", "Grade", Kind::Text),
            Column::new("base", "月初基数", "Base (start of month)", Kind::Int),
            Column::new("retained", "月末保有", "Retained", Kind::Int),
            Column::new("lost", "本月流失", "Lost", Kind::Int),
            Column::new("retention", "保有率", "Retention", Kind::Percent),
            Column::new("churn", "流失率", "Churn", Kind::Percent),
            Column::new("base_ytd", "年初基数", "Base (start of year)", Kind::Int),
            Column::new("retained_ytd", "年内保有", "Retained YTD", Kind::Int),
            Column::new("lost_ytd", "年内流失", "Lost YTD", Kind::Int),
            Column::new("retention_ytd", "年累计保有率", "Retention YTD", Kind::Percent),
            Column::new("churn_ytd", "年累计流失率", "Churn YTD", Kind::Percent),
        ],
        rows,
        totals: Some(row("合计".into(), sum(&month), sum(&ytd))),
        notes: vec![
            Msg::new(
                format!(
                    "基数 = 上期末 ({} / {}) 按相同规则重算为该等级且未流失的客户; A、B 类为重点关注",
                    prev.window.to, year_end.window.to
                ),
                format!(
                    "Base = customers of the grade at the previous period end ({} / {}), recomputed, not lost then; A and B are the ones to watch",
                    prev.window.to, year_end.window.to
                ),
            ),
        ],
    }
}

/// Newly lost customers of the month (M12); with `ab_only`, the 客户流失原因分析表 for A/B (M14).
fn lost_table(
    ctx: &Ctx,
    book: &Book,
    prev: &GradeRun,
    ab_only: bool,
    last_contact: &HashMap<&str, NaiveDate>,
) -> Table {
    let start = prev.window.to;
    let end = ctx.month.last_day();
    let mut rows = Vec::new();
    for id in book.ids.iter() {
        let g = prev.grade_of(id);
        if ab_only && !matches!(g, "A" | "B") {
            continue;
        }
        let (at_start, at_end) = book.states(id, start, end);
        if at_start == State::Lost || at_end != State::Lost {
            continue;
        }
        rows.push(vec![
            Value::Text(id.clone()),
            Value::Text(book.dir.name(id)),
            Value::Text(g.into()),
            book.last_order(id, end).map_or(Value::Empty, Value::Date),
            book.dir.owner(id).map_or(Value::Empty, Value::Text),
            last_contact
                .get(id.as_str())
                .copied()
                .map_or(Value::Empty, Value::Date),
            Value::Empty,
        ]);
    }
    rows.sort_by_key(|r| match &r[2] {
        Value::Text(g) if g == UNGRADED => 9,
        Value::Text(g) => grading::GRADES.iter().position(|x| x == g).unwrap_or(8),
        _ => 9,
    });
    let (id, zh, en) = if ab_only {
        (
            "lost-ab",
            format!("{} 客户流失原因分析表 (A/B 类)", ctx.month.zh()),
            format!("Lost A/B customers, {}", ctx.month),
        )
    } else {
        (
            "lost-customers",
            format!("{} 本月流失客户", ctx.month.zh()),
            format!("Customers lost this month, {}", ctx.month),
        )
    };
    Table {
        id: id.into(),
        title: Msg::new(zh, en),
        columns: vec![
            Column::new("customer_id", "客户编号", "Customer ID", Kind::Text),
            Column::new("name", "客户名称", "Customer", Kind::Text),
            Column::new("grade", "上期等级", "Previous grade", Kind::Text),
            Column::new("last_order", "最后订货日期", "Last order", Kind::Date),
            Column::new("owner", "负责人", "Owner", Kind::Text),
            Column::new("last_contact", "最后联系日期", "Last contact", Kind::Date),
            Column::new("reason", "流失原因", "Reason", Kind::Text),
        ],
        rows,
        totals: None,
        notes: vec![Msg::new(
            "流失原因由负责人填写: 员工跳槽 / 客户“叛变投敌” / 市场波动 / 细节的疏忽 / 其他",
            "Reason to be filled in by the owner: staff left / went to a competitor / market change / neglect / other",
        )],
    }
}

/// The latest of T08 接触时间 and T01 最后跟进时间, per customer.
/// Keyed by borrowed ids: an owned id per interaction was most of its time.
pub fn last_contacts<'a>(
    customers: &'a [Customer],
    interactions: &'a [Interaction],
) -> HashMap<&'a str, NaiveDate> {
    let mut m: HashMap<&'a str, NaiveDate> = HashMap::default();
    let mut put = |id: &'a str, d: NaiveDate| {
        let e = m.entry(id).or_insert(d);
        if d > *e {
            *e = d;
        }
    };
    for c in customers {
        if let Some(d) = c.last_followup_date {
            put(c.customer_id.as_str(), d);
        }
    }
    for i in interactions {
        if let Some(id) = i.customer_id.as_deref().or(i.customer_name.as_deref()) {
            put(id, i.contact_time.date());
        }
    }
    m
}

/// The calendar quarter up to the end of `month`: a quarter still running is compared with the
/// same stretch last year, not with a whole quarter.
fn qtd(month: Month) -> Window {
    Window {
        from: Window::quarter(month).from,
        to: month.last_day(),
    }
}

fn repurchase_table(ctx: &Ctx) -> Table {
    let rate = |w: Window| repeat_rate(ctx.frequencies(w).values().copied());
    let windows = [
        (
            "近12个月",
            Window::t12m(ctx.month),
            Window::t12m(ctx.month.year_ago()),
        ),
        ("本季度至今", qtd(ctx.month), qtd(ctx.month.year_ago())),
    ];
    let rows = windows
        .iter()
        .map(|(label, w, base)| {
            let (b, r, v) = rate(*w);
            let (_, _, v0) = rate(*base);
            let (pp, rel) = match (&v, &v0) {
                (Value::Ratio(a), Value::Ratio(z)) => (Value::Ratio(*a - *z), growth(*a, *z)),
                _ => (Value::NotApplicable, Value::NotApplicable),
            };
            vec![
                Value::Text(format!("{label} ({} 至 {})", w.from, w.to)),
                Value::Int(b),
                Value::Int(r),
                v,
                v0,
                pp,
                rel,
            ]
        })
        .collect();
    Table {
        id: "repurchase".into(),
        title: Msg::new(
            format!("{} 客户复购率", ctx.month.zh()),
            format!("Repeat-purchase rate, {}", ctx.month),
        ),
        columns: vec![
            Column::new("window", "期间", "Window", Kind::Text),
            Column::new("buyers", "购买客户数", "Buyers", Kind::Int),
            Column::new("repeat", "复购客户数", "Repeat buyers", Kind::Int),
            Column::new("rate", "复购率", "Repeat rate", Kind::Percent),
            Column::new("base_rate", "上年同期复购率", "Same period last year", Kind::Percent),
            Column::new("pp", "变动(百分点)", "Change (pp)", Kind::Percent),
            Column::new("relative", "相对变动", "Relative change", Kind::Percent),
        ],
        rows,
        totals: None,
        notes: vec![Msg::new(
            "复购客户: 期间内不同订单号 ≥ 2 的客户; 目标“提升复购率”可按相对变动或百分点两种口径对照",
            "Repeat buyer: ≥ 2 distinct orders in the window; a goal such as +20% can be read as relative change or percentage points",
        )],
    }
}

/// M16: an order is its 订单号, or its date when the line has none.
fn order_key(l: &SaleLine) -> std::borrow::Cow<'_, str> {
    match l.order_no.as_deref() {
        Some(no) => std::borrow::Cow::Borrowed(no),
        None => std::borrow::Cow::Owned(format!("date:{}", l.order_date)),
    }
}

/// M16 per customer for the orders in `w` other than its first-ever order: (count, qty if one
/// unit, amount net of returns linked to those orders).
pub fn repeat_purchases(
    lines: &[SaleLine],
    returns: &[Return],
    w: Window,
) -> BTreeMap<String, (i64, Option<Decimal>, Decimal)> {
    // The first-ever order key of each customer: earliest date, then smallest 订单号. Kept under
    // borrowed keys: this loop runs over every line of the history.
    let mut first: HashMap<&str, (NaiveDate, std::borrow::Cow<str>)> = HashMap::default();
    for l in lines.iter().filter(|l| !l.cancelled) {
        let k = (l.order_date, order_key(l));
        match first.get_mut(super::grading::line_key(l)) {
            Some(e) => {
                if k < *e {
                    *e = k;
                }
            }
            None => {
                first.insert(super::grading::line_key(l), k);
            }
        }
    }
    repeats_of(
        lines
            .iter()
            .filter(|l| !l.cancelled && w.contains(l.order_date))
            .map(|l| {
                let k = order_key(l);
                let is_first = first
                    .get(super::grading::line_key(l))
                    .is_some_and(|f| f.1 == k);
                (l, k, is_first)
            }),
        returns,
    )
}

/// [`repeat_purchases`] through the run's indexes: each customer's first order found by its
/// number ([`grading::Keys`]) instead of by hashing every line's id, the window's lines found by
/// date ([`Ctx::lines_in`]) instead of by reading the whole history again, and the orders counted
/// by their (customer, order) numbers instead of hashing their keys per line.
pub fn repeat_purchases_in(
    ctx: &Ctx,
    w: Window,
) -> BTreeMap<String, (i64, Option<Decimal>, Decimal)> {
    let lines = ctx.ds.sales.as_deref().unwrap_or(&[]);
    // The (customer, order) numbers tell orders apart as their keys do unless a 订单号 is spelled
    // like the key of an order without one ("date:…", [`order_key`]): then the keys, as M16 says.
    if lines.iter().any(|l| {
        l.order_no
            .as_deref()
            .is_some_and(|no| no.starts_with("date:"))
    }) {
        return repeat_purchases(lines, returns_of(ctx), w);
    }
    let keys = ctx.keys();
    let (cust, order) = (keys.line_customers(), keys.line_orders());
    // Per customer number: the date and line of its first-ever order (earliest date, then
    // smallest order key). Lines of one order have one key: only another order's is compared.
    let mut first: Vec<Option<(NaiveDate, usize)>> = vec![None; keys.customers()];
    for (i, l) in lines.iter().enumerate() {
        if l.cancelled {
            continue;
        }
        let Some(slot) = cust.get(i).and_then(|c| first.get_mut(*c as usize)) else {
            continue;
        };
        match slot {
            None => *slot = Some((l.order_date, i)),
            Some((d, f)) => {
                let earlier = l.order_date < *d
                    || (l.order_date == *d
                        && order.get(i) != order.get(*f)
                        && lines.get(*f).is_some_and(|fl| order_key(l) < order_key(fl)));
                if earlier {
                    *slot = Some((l.order_date, i));
                }
            }
        }
    }
    #[derive(Default)]
    struct Acc<'l> {
        orders: i64,
        qty: Decimal,
        /// The first line's 单位, and whether another line had a different one.
        unit: Option<Option<&'l str>>,
        units: bool,
        amount: Decimal,
    }
    let returns = returns_of(ctx);
    let returned: HashSet<&str> = returns
        .iter()
        .filter(|r| !r.exchange)
        .filter_map(|r| r.orig_order_no.as_deref())
        .collect();
    let mut repeat_orders: HashMap<&str, u32> = HashMap::default();
    let mut acc: Vec<Option<Acc>> = (0..keys.customers()).map(|_| None).collect();
    let mut seen = vec![false; keys.orders()];
    for i in ctx.line_dates().within(w) {
        let Some(l) = lines.get(i).filter(|l| !l.cancelled) else {
            continue;
        };
        let (Some(&c), Some(&o)) = (cust.get(i), order.get(i)) else {
            continue;
        };
        let is_first = first
            .get(c as usize)
            .copied()
            .flatten()
            .is_some_and(|(_, f)| order.get(f) == Some(&o));
        if is_first {
            continue;
        }
        if let Some(no) = l.order_no.as_deref().filter(|no| returned.contains(no)) {
            repeat_orders.insert(no, c);
        }
        let Some(a) = acc.get_mut(c as usize) else {
            continue;
        };
        let a = a.get_or_insert_with(Acc::default);
        if let Some(s) = seen.get_mut(o as usize) {
            if !*s {
                *s = true;
                a.orders += 1;
            }
        }
        a.qty += l.qty;
        match a.unit {
            None => a.unit = Some(l.unit.as_deref()),
            Some(u) => a.units |= u != l.unit.as_deref(),
        }
        a.amount += l.amount - l.discount - l.rebate;
    }
    for r in returns.iter().filter(|r| !r.exchange) {
        let Some(no) = &r.orig_order_no else { continue };
        if let Some(c) = repeat_orders.get(no.as_str()) {
            if let Some(Some(a)) = acc.get_mut(*c as usize) {
                a.amount -= r.amount;
                a.qty -= r.qty;
            }
        }
    }
    keys.sorted()
        .iter()
        .filter_map(|&n| {
            let a = acc.get(n as usize)?.as_ref()?;
            let qty = (!a.units).then_some(a.qty);
            Some((keys.name(n)?.to_owned(), (a.orders, qty, a.amount)))
        })
        .collect()
}

fn returns_of<'a>(ctx: &Ctx<'a>) -> &'a [Return] {
    ctx.ds.returns.as_deref().unwrap_or(&[])
}

/// M16 from a window's non-cancelled lines in sheet order, each with its order key and whether
/// that order is its customer's first-ever one.
fn repeats_of<'l>(
    window: impl Iterator<Item = (&'l SaleLine, std::borrow::Cow<'l, str>, bool)>,
    returns: &[Return],
) -> BTreeMap<String, (i64, Option<Decimal>, Decimal)> {
    // Per customer under borrowed keys: the distinct orders and units are only counted, so
    // hash sets of borrowed keys count them without an allocation per line.
    #[derive(Default)]
    struct Acc<'l> {
        orders: HashSet<std::borrow::Cow<'l, str>>,
        qty: Decimal,
        units: HashSet<Option<&'l str>>,
        amount: Decimal,
    }
    let mut acc: HashMap<&str, Acc> = HashMap::default();
    // Only orders some return names are looked up again: the others are not recorded (a lookup
    // in the small set of returned orders costs less than growing a map of every order).
    let returned: HashSet<&str> = returns
        .iter()
        .filter(|r| !r.exchange)
        .filter_map(|r| r.orig_order_no.as_deref())
        .collect();
    let mut repeat_orders: HashMap<&str, &str> = HashMap::default();
    for (l, k, is_first) in window {
        let cid = super::grading::line_key(l);
        if is_first {
            continue;
        }
        if let Some(no) = l.order_no.as_deref().filter(|no| returned.contains(no)) {
            repeat_orders.insert(no, cid);
        }
        let a = acc.entry(cid).or_default();
        a.orders.insert(k);
        a.qty += l.qty;
        a.units.insert(l.unit.as_deref());
        a.amount += l.amount - l.discount - l.rebate;
    }
    for r in returns.iter().filter(|r| !r.exchange) {
        let Some(no) = &r.orig_order_no else { continue };
        if let Some(cid) = repeat_orders.get(no.as_str()) {
            if let Some(a) = acc.get_mut(cid) {
                a.amount -= r.amount;
                a.qty -= r.qty;
            }
        }
    }
    acc.into_iter()
        .map(|(k, a)| {
            let qty = (a.units.len() <= 1).then_some(a.qty);
            (k.to_owned(), (a.orders.len() as i64, qty, a.amount))
        })
        .collect()
}

/// M16–M21 loyalty for the report year to date, from the components the inputs allow: repeat
/// count, amount and (single-unit) quantity (M16), referrals (M17), activity response (M18),
/// price insensitivity (M19) and tolerance (M20).
fn loyalty_table(ctx: &Ctx) -> Table {
    let w = Window::ytd(ctx.month);
    let dir = ctx.directory();
    let book = Book::new(ctx);
    let rp = repeat_purchases_in(ctx, w);
    let has_referrer_data = ctx
        .ds
        .customers
        .iter()
        .flatten()
        .any(|c| c.referrer.is_some());
    let referrals = has_referrer_data.then(|| referral_counts(&book, w).2);
    let responses = ctx
        .ds
        .activities
        .as_deref()
        .map(|a| super::satisfaction::response_counts(a, w));
    let sens = ctx
        .ds
        .satisfaction
        .as_deref()
        .map(|s| super::satisfaction::latest_sensitivity_tolerance(s, w));
    let hundred = Decimal::from(100);
    let max_n = rp.values().map(|v| v.0).max().unwrap_or(0);
    let max_q = rp.values().filter_map(|v| v.1).max().unwrap_or_default();
    let max_a = rp.values().map(|v| v.2).max().unwrap_or_default();
    let max_r = referrals
        .as_ref()
        .and_then(|r| r.values().copied().max())
        .unwrap_or(0);
    // Everyone with a component: repeat buyers, referrers, invited customers, surveyed customers.
    let mut ids: BTreeSet<String> = rp.keys().cloned().collect();
    ids.extend(referrals.iter().flat_map(|r| r.keys().cloned()));
    ids.extend(responses.iter().flat_map(|r| r.keys().cloned()));
    ids.extend(sens.iter().flat_map(|r| r.keys().cloned()));
    let mut rows = Vec::new();
    for id in &ids {
        let (n, q, a) = rp.get(id).cloned().unwrap_or((0, None, Decimal::ZERO));
        let mut comps = Vec::new();
        if max_n > 0 {
            comps.push(Decimal::from(n) * hundred / Decimal::from(max_n));
        }
        if max_a > Decimal::ZERO {
            comps.push(a * hundred / max_a);
        }
        if let (Some(q), true) = (q, max_q > Decimal::ZERO) {
            comps.push(q * hundred / max_q);
        }
        let refs = referrals.as_ref().map(|r| r.get(id).copied().unwrap_or(0));
        if let (Some(r), true) = (refs, max_r > 0) {
            comps.push(Decimal::from(r) * hundred / Decimal::from(max_r));
        }
        let resp = responses.as_ref().and_then(|r| r.get(id).copied());
        let rate = resp.map(|(i, r)| super::satisfaction::response_rate(i, r));
        if let Some(Value::Ratio(r)) = &rate {
            comps.push(*r * hundred);
        }
        let (ps, tol) = sens
            .as_ref()
            .and_then(|s| s.get(id).copied())
            .unwrap_or((None, None));
        if let Some(s) = ps {
            comps.push(Decimal::from(5 - s) * hundred / Decimal::from(4));
        }
        if let Some(s) = tol {
            comps.push(Decimal::from(s - 1) * hundred / Decimal::from(4));
        }
        let score = loyalty_score(&comps);
        rows.push(vec![
            Value::Text(id.clone()),
            Value::Text(dir.name(id)),
            Value::Int(n),
            q.map_or(Value::Empty, Value::Qty),
            Value::Money(a),
            refs.map_or(Value::Empty, Value::Int),
            rate.unwrap_or(Value::Empty),
            ps.map_or(Value::Empty, Value::Int),
            tol.map_or(Value::Empty, Value::Int),
            score.map_or(Value::Text("数据不足".into()), |s| {
                Value::Qty(s.round_dp(1))
            }),
            score.map_or(Value::Empty, |s| Value::Text(loyalty_level(s).into())),
        ]);
    }
    let mut lacking: Vec<(&str, &str)> = Vec::new();
    if referrals.is_none() {
        lacking.push(("转介绍 (介绍人)", "referrals (介绍人)"));
    }
    if responses.is_none() {
        lacking.push(("活动响应 (活动参与)", "activity response (活动参与)"));
    }
    if sens.is_none() {
        lacking.push((
            "价格敏感度与质量宽容度 (满意度调查)",
            "price sensitivity and tolerance (满意度调查)",
        ));
    }
    let mut notes = vec![Msg::new(
        "再次购买 = 年内除首次订货外的订单; 评分 = 各项的平均: 次数、金额、单一单位时的数量、转介绍数 与最大值之比 ×100, 活动响应度 ×100, 价格不敏感度 (5 − s)/4 ×100, 质量宽容度 (s − 1)/4 ×100; 少于两项为数据不足; 高 ≥ 70, 中 40–70, 低 < 40",
        "Repeat = orders in the year other than the first-ever order; score = mean of: count, amount, single-unit quantity and referrals scaled to the maximum ×100, response rate ×100, price insensitivity (5 − s)/4 ×100, tolerance (s − 1)/4 ×100; fewer than two components = 数据不足; high ≥ 70, medium 40–70, low < 40",
    )];
    if !lacking.is_empty() {
        notes.push(Msg::new(
            format!(
                "缺少数据, 未计入: {}",
                lacking.iter().map(|l| l.0).collect::<Vec<_>>().join("、")
            ),
            format!(
                "Missing, left out: {}",
                lacking.iter().map(|l| l.1).collect::<Vec<_>>().join(", ")
            ),
        ));
    }
    Table {
        id: "loyalty".into(),
        title: Msg::new(
            format!(
                "{}年 客户忠诚度分析 (截至 {})",
                ctx.month.year,
                ctx.month.zh()
            ),
            format!("Loyalty, {} to {}", ctx.month.year, ctx.month),
        ),
        columns: vec![
            Column::new("customer_id", "客户编号", "Customer ID", Kind::Text),
            Column::new("name", "客户名称", "Customer", Kind::Text),
            Column::new("repeat_count", "再次购买次数", "Repeat orders", Kind::Int),
            Column::new("repeat_qty", "再次购买数量", "Repeat quantity", Kind::Qty),
            Column::new(
                "repeat_amount",
                "再次购买金额",
                "Repeat amount",
                Kind::Money,
            ),
            Column::new("referrals", "转介绍数", "Referrals", Kind::Int),
            Column::new("response", "活动响应度", "Activity response", Kind::Percent),
            Column::new(
                "price_sensitivity",
                "价格敏感度",
                "Price sensitivity",
                Kind::Int,
            ),
            Column::new("tolerance", "质量事故宽容度", "Tolerance", Kind::Int),
            Column::new("score", "忠诚度评分", "Loyalty score", Kind::Qty),
            Column::new("level", "忠诚度", "Level", Kind::Text),
        ],
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Empty,
            Value::Int(rp.values().map(|v| v.0).sum()),
            Value::Empty,
            Value::Money(rp.values().map(|v| v.2).sum()),
            referrals
                .as_ref()
                .map_or(Value::Empty, |r| Value::Int(r.values().sum())),
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
        ]),
        rows,
        notes,
    }
}

/// M22 conversion by 客户来源: denominator = no order before the period, not recorded lost,
/// first contacted before the period end (or never recorded); numerator = first order in the period.
pub fn conversion_rows(ctx: &Ctx, month: Month) -> BTreeMap<String, (i64, i64, i64)> {
    let book = Book::new(ctx);
    conversion_in(&book, month)
}

fn conversion_in(book: &Book, month: Month) -> BTreeMap<String, (i64, i64, i64)> {
    conversion_by(book, month, |c| {
        Some(
            c.and_then(|c| c.source.clone())
                .unwrap_or_else(|| "未注明".into()),
        )
    })
}

/// The M22 base of `month`: (customer, first contacted in the month, converted in the month).
fn conversion_base<'b>(book: &'b Book, month: Month) -> Vec<(&'b String, bool, bool)> {
    let (start, end) = (month.first_day(), month.last_day());
    let mut out = Vec::new();
    for id in book.ids.iter() {
        let first = book.first_order(id);
        if first.is_some_and(|d| d < start) {
            continue;
        }
        if column_state(book.status(id)) == Some(State::Lost) {
            continue;
        }
        let contact = book.dir.get(id).and_then(|c| c.first_contact_date);
        if contact.is_some_and(|d| d > end) {
            continue;
        }
        let converted = first.is_some_and(|d| d <= end);
        out.push((id, contact.is_some_and(|d| d >= start), converted));
    }
    out
}

/// M22 grouped by `key` (客户来源, 来源活动 …); a customer whose key is None is left out.
fn conversion_by(
    book: &Book,
    month: Month,
    key: impl Fn(Option<&Customer>) -> Option<String>,
) -> BTreeMap<String, (i64, i64, i64)> {
    let mut m: BTreeMap<String, (i64, i64, i64)> = BTreeMap::new();
    for (id, added, converted) in conversion_base(book, month) {
        let Some(k) = key(book.dir.get(id)) else {
            continue;
        };
        let e = m.entry(k).or_default();
        if added {
            e.1 += 1;
        } else {
            e.0 += 1;
        }
        if converted {
            e.2 += 1;
        }
    }
    m
}

fn conversion_table(ctx: &Ctx, book: &Book) -> Table {
    conversion_table_of(
        "conversion",
        Msg::new(
            format!("{} 潜在客户转化分析 (按客户来源)", ctx.month.zh()),
            format!("Prospect conversion by source, {}", ctx.month),
        ),
        ("source", "客户来源", "Source"),
        &conversion_in(book, ctx.month),
        Msg::new(
            "基数 = 期初无订货且未流失的潜在/意向客户 + 本期首次接触的客户; 成交 = 首次订货在本期",
            "Base = prospects with no order before the period and not lost, plus customers first contacted in it; converted = first order in the period",
        ),
    )
}

/// M22 by 来源活动 (客户信息表): "市场活动及准客户的转化情况".
fn conversion_activity_table(ctx: &Ctx, book: &Book) -> Table {
    let m = conversion_by(book, ctx.month, |c| {
        c.and_then(|c| c.source_activity.clone())
    });
    let with_activity = ctx
        .ds
        .customers
        .iter()
        .flatten()
        .filter(|c| c.source_activity.is_some())
        .count();
    conversion_table_of(
        "conversion-by-activity",
        Msg::new(
            format!("{} 潜在客户转化分析 (按来源活动)", ctx.month.zh()),
            format!("Prospect conversion by activity, {}", ctx.month),
        ),
        ("activity", "来源活动", "Activity"),
        &m,
        Msg::new(
            format!("只列填了来源活动的客户 (客户信息表中共 {with_activity} 家); 基数与成交的定义同上表"),
            format!("Only customers with a 来源活动 ({with_activity} in the customer sheet); base and conversion as above"),
        ),
    )
}

fn conversion_table_of(
    id: &str,
    title: Msg,
    key: (&str, &str, &str),
    m: &BTreeMap<String, (i64, i64, i64)>,
    note: Msg,
) -> Table {
    let row = |label: String, (a, b, c): (i64, i64, i64)| {
        vec![
            Value::Text(label),
            Value::Int(a),
            Value::Int(b),
            Value::Int(a + b),
            Value::Int(c),
            ratio(Decimal::from(c), Decimal::from(a + b)),
        ]
    };
    let rows = m.iter().map(|(k, v)| row(k.clone(), *v)).collect();
    let t = m
        .values()
        .fold((0, 0, 0), |s, v| (s.0 + v.0, s.1 + v.1, s.2 + v.2));
    Table {
        id: id.into(),
        title,
        columns: vec![
            Column::new(key.0, key.1, key.2, Kind::Text),
            Column::new("open", "期初潜在/意向", "Prospects at start", Kind::Int),
            Column::new("added", "本期新增接触", "New contacts", Kind::Int),
            Column::new("base", "转化基数", "Base", Kind::Int),
            Column::new("converted", "本期成交", "Converted", Kind::Int),
            Column::new("rate", "转化率", "Conversion rate", Kind::Percent),
        ],
        rows,
        totals: Some(row("合计".into(), t)),
        notes: vec![note],
    }
}

/// M22 needs analysis: the 客户需求 text of the month's base, converted first.
fn needs_table(ctx: &Ctx, book: &Book) -> Table {
    let mut rows: Vec<(bool, Vec<Value>)> = Vec::new();
    for (id, _, converted) in conversion_base(book, ctx.month) {
        let Some(c) = book.dir.get(id) else { continue };
        let Some(needs) = c.needs.clone() else {
            continue;
        };
        rows.push((
            !converted,
            vec![
                Value::Text(id.clone()),
                Value::Text(c.name.clone()),
                Value::Text(if converted { "已成交" } else { "未成交" }.into()),
                c.source.clone().map_or(Value::Empty, Value::Text),
                c.source_activity.clone().map_or(Value::Empty, Value::Text),
                Value::Text(needs),
            ],
        ));
    }
    // Stable: converted first, then by 客户编号 (the base is in id order already).
    rows.sort_by_key(|r| r.0);
    Table {
        id: "conversion-needs".into(),
        title: Msg::new(
            format!("{} 潜在客户需求分析", ctx.month.zh()),
            format!("Prospect needs, {}", ctx.month),
        ),
        columns: vec![
            Column::new("customer_id", "客户编号", "Customer ID", Kind::Text),
            Column::new("name", "客户名称", "Customer", Kind::Text),
            Column::new("result", "本期结果", "Result", Kind::Text),
            Column::new("source", "客户来源", "Source", Kind::Text),
            Column::new("activity", "来源活动", "Activity", Kind::Text),
            Column::new("needs", "客户需求", "Needs", Kind::Text),
        ],
        rows: rows.into_iter().map(|r| r.1).collect(),
        totals: None,
        notes: vec![Msg::new(
            "转化基数中填了客户需求的客户 (M22 需求分析)",
            "Customers of the conversion base that have a 客户需求 text (M22 needs analysis)",
        )],
    }
}

/// M17 转介绍率 = new customers (C9) whose 客户来源 is 转介绍 / all new customers: the month and the
/// year to date; and the customers who referred new customers this year (介绍人).
pub fn referral_counts(book: &Book, w: Window) -> (i64, i64, BTreeMap<String, i64>) {
    let (mut new, mut referred) = (0i64, 0i64);
    let mut by: BTreeMap<String, i64> = BTreeMap::new();
    for id in book.ids.iter() {
        if !book.first_order(id).is_some_and(|d| w.contains(d)) {
            continue;
        }
        new += 1;
        let c = book.dir.get(id);
        if c.and_then(|c| c.source.as_deref()) == Some("转介绍") {
            referred += 1;
        }
        if let Some(r) = c.and_then(|c| c.referrer.as_deref()) {
            *by.entry(book.resolve(r)).or_default() += 1;
        }
    }
    (new, referred, by)
}

fn referral_table(ctx: &Ctx, book: &Book) -> Table {
    let m = ctx.month;
    let row = |label: String, (n, r, _): (i64, i64, BTreeMap<String, i64>)| {
        vec![
            Value::Text(label),
            Value::Int(n),
            Value::Int(r),
            ratio(Decimal::from(r), Decimal::from(n)),
        ]
    };
    let ytd = referral_counts(book, Window::ytd(m));
    let top: Vec<String> = {
        let mut v: Vec<(&String, &i64)> = ytd.2.iter().collect();
        v.sort_by(|a, b| b.1.cmp(a.1).then(a.0.cmp(b.0)));
        v.iter()
            .take(5)
            .map(|(k, n)| format!("{} {n}", book.dir.name(k)))
            .collect()
    };
    let rows = vec![
        row(m.zh(), referral_counts(book, Window::months(m, m))),
        row(format!("{}年1月至{}月", m.year, m.month), ytd),
    ];
    Table {
        id: "referrals".into(),
        title: Msg::new(format!("{} 转介绍率", m.zh()), format!("Referral rate, {m}")),
        columns: vec![
            Column::new("period", "期间", "Period", Kind::Text),
            Column::new("new", "新客户数", "New customers", Kind::Int),
            Column::new("referred", "其中转介绍", "Referred", Kind::Int),
            Column::new("rate", "转介绍率", "Referral rate", Kind::Percent),
        ],
        rows,
        totals: None,
        notes: vec![Msg::new(
            format!(
                "新客户 = 首次订货在本期 (C9); 转介绍 = 客户来源为转介绍. 本年介绍新客户最多的: {}",
                if top.is_empty() { "无".to_string() } else { top.join("、") }
            ),
            format!(
                "New = first order in the period (C9); referred = 客户来源 转介绍. Top referrers this year: {}",
                if top.is_empty() { "none".to_string() } else { top.join(", ") }
            ),
        )],
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::model::Dataset;
    use crate::stats::grading::tests::{customer, d, line};
    use rust_decimal_macros::dec;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    #[test]
    fn c10_states() {
        let dd = d("2024-03-31");
        let dates = [d("2023-10-03")]; // 180 days before 2024-03-31 is 2023-10-03
        assert_eq!(state_at(None, &[], dd, 180), State::Potential);
        assert_eq!(state_at(Some("意向客户"), &[], dd, 180), State::Intention);
        assert_eq!(state_at(Some("成交客户"), &[], dd, 180), State::Potential);
        assert_eq!(
            state_at(None, &dates, dd, 180),
            State::Lost,
            "last order = d − 180 → lost"
        );
        assert_eq!(state_at(None, &[d("2023-10-04")], dd, 180), State::Active);
        assert_eq!(
            state_at(Some("流失客户"), &[d("2024-03-30")], dd, 180),
            State::Lost
        );
        assert_eq!(
            state_at(None, &dates, dd, i64::MAX),
            State::Active,
            "no overflow panic"
        );
        // Orders after the date do not count.
        assert_eq!(
            state_at(None, &[d("2024-04-02")], dd, 180),
            State::Potential
        );
    }

    /// DOMAIN M13 worked test: 10 A-customers at the start, 1 lost during the month.
    #[test]
    fn m13_worked_case() {
        assert_eq!(
            retention_rates(10, 9),
            (Value::Ratio(dec!(0.9)), Value::Ratio(dec!(0.1)))
        );
        assert_eq!(
            retention_rates(0, 0),
            (Value::NotApplicable, Value::NotApplicable)
        );
    }

    /// The same case end to end: threshold grading puts all ten in A; C09's last order is 179 days
    /// before the end of February, so it is lost by the end of March.
    #[test]
    fn m13_end_to_end_and_lost_ab_list() {
        let mut lines = Vec::new();
        let mut custs = Vec::new();
        for i in 0..10 {
            let id = format!("C{i:02}");
            let date = if i == 9 { "2023-09-03" } else { "2024-02-10" };
            lines.push(line(&format!("S{i}"), date, &id, dec!(1000)));
            let mut c = customer(&id);
            c.owner = Some("张三".into());
            custs.push(c);
        }
        let ds = Dataset {
            sales: Some(lines),
            customers: Some(custs),
            ..Default::default()
        };
        let mut cfg = Config::default();
        cfg.grading.thresholds = Some(
            [("A", dec!(1)), ("B", dec!(1)), ("C", dec!(1))]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect(),
        );
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let ts = tables(&ctx);
        let r = ts.iter().find(|t| t.id == "retention").unwrap();
        assert_eq!(r.rows[0][1], Value::Int(10));
        assert_eq!(r.rows[0][2], Value::Int(9));
        assert_eq!(r.rows[0][4], Value::Ratio(dec!(0.9)));
        assert_eq!(r.rows[0][5], Value::Ratio(dec!(0.1)));
        assert_eq!(r.rows[1][4], Value::NotApplicable, "no B base → —");
        let lost = ts.iter().find(|t| t.id == "lost-ab").unwrap();
        assert_eq!(lost.rows.len(), 1);
        assert_eq!(lost.rows[0][0], Value::Text("C09".into()));
        assert_eq!(lost.rows[0][3], Value::Date(d("2023-09-03")));
        let k = kpis(&ctx);
        let get = |zh: &str| k.iter().find(|x| x.0 == zh).unwrap().2.clone();
        assert_eq!(get("A/B 类客户保有率"), Value::Ratio(dec!(0.9)));
        assert_eq!(get("客户流失率"), Value::Ratio(dec!(0.1)));
        assert_eq!(get("成交客户数"), Value::Int(9));
        assert_eq!(get("流失客户数"), Value::Int(1));
        assert_eq!(get("复购率 (近12个月)"), Value::Ratio(dec!(0)));
        assert!(
            ts.iter().all(|t| t.id != "satisfaction"),
            "M23 is in satisfaction.rs"
        );
    }

    #[test]
    fn status_counts_and_mismatch() {
        let mut a = customer("C1");
        a.status = Some("潜在客户".into()); // has a March order: computed 成交
        let mut b = customer("C2");
        b.status = Some("意向客户".into());
        let c = customer("C3"); // blank, no orders → 潜在
        let ds = Dataset {
            sales: Some(vec![line("S1", "2024-03-05", "C1", dec!(10))]),
            customers: Some(vec![a, b, c]),
            ..Default::default()
        };
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let ts = tables(&ctx);
        let st = ts.iter().find(|t| t.id == "customer-status").unwrap();
        assert_eq!(st.rows[0][1], Value::Int(1)); // 潜在 computed: C3
        assert_eq!(st.rows[1][1], Value::Int(1)); // 意向: C2
        assert_eq!(st.rows[2][1], Value::Int(1)); // 成交: C1
        assert_eq!(st.rows[0][3], Value::Int(1)); // recorded 潜在: C1
        let mm = ts.iter().find(|t| t.id == "status-mismatch").unwrap();
        assert_eq!(mm.rows.len(), 1);
        assert_eq!(mm.rows[0][3], Value::Text("成交客户".into()));
        let nc = ts.iter().find(|t| t.id == "new-counts").unwrap();
        assert_eq!(nc.rows[0][1], Value::Int(1));
        assert_eq!(nc.rows[0][4], Value::NotApplicable, "0 last month → —");
    }

    #[test]
    fn m15_repeat_rate() {
        assert_eq!(repeat_rate([1, 2, 3, 1]), (4, 2, Value::Ratio(dec!(0.5))));
        assert_eq!(repeat_rate([]), (0, 0, Value::NotApplicable));
    }

    #[test]
    fn m22_conversion() {
        let mut old = customer("P1"); // prospect since 2023, converts in March
        old.first_contact_date = Some(d("2023-11-01"));
        old.source = Some("展会".into());
        let mut fresh = customer("P2"); // contacted in March, no order
        fresh.first_contact_date = Some(d("2024-03-15"));
        fresh.source = Some("展会".into());
        let mut later = customer("P3"); // contacted in April: out
        later.first_contact_date = Some(d("2024-04-02"));
        let mut gone = customer("P4");
        gone.status = Some("流失客户".into());
        let regular = customer("C1"); // ordered before March: out
        let ds = Dataset {
            sales: Some(vec![
                line("S1", "2024-03-05", "P1", dec!(10)),
                line("S0", "2024-01-05", "C1", dec!(10)),
                line("S2", "2024-03-06", "C1", dec!(10)),
                line("S3", "2024-03-07", "X9", dec!(10)), // not in T01, no contact date
            ]),
            customers: Some(vec![old, fresh, later, gone, regular]),
            ..Default::default()
        };
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let rows = conversion_rows(&ctx, ctx.month);
        assert_eq!(rows["展会"], (1, 1, 1));
        assert_eq!(rows["未注明"], (1, 0, 1), "X9 counts in both");
        let t = tables(&ctx)
            .into_iter()
            .find(|t| t.id == "conversion")
            .unwrap();
        assert_eq!(t.totals.unwrap()[5], Value::Ratio(dec!(2) / dec!(3)));
    }

    #[test]
    fn m16_m21_repeat_purchases_and_loyalty() {
        let mut r = Return {
            return_date: d("2024-03-20"),
            orig_order_no: Some("S2".into()),
            customer_id: Some("C1".into()),
            qty: dec!(1),
            amount: dec!(50),
            ..Default::default()
        };
        let lines = vec![
            line("S1", "2024-01-05", "C1", dec!(100)), // first-ever: excluded
            line("S2", "2024-02-05", "C1", dec!(200)),
            line("S3", "2024-03-05", "C1", dec!(300)),
            line("S4", "2024-03-05", "C2", dec!(300)), // only order: no repeat
        ];
        let w = Window::ytd(m("2024-03"));
        let rp = repeat_purchases(&lines, std::slice::from_ref(&r), w);
        assert_eq!(rp["C1"], (2, Some(dec!(1)), dec!(450)));
        assert!(!rp.contains_key("C2"));
        r.exchange = true;
        assert_eq!(repeat_purchases(&lines, &[r], w)["C1"].2, dec!(500));
        assert_eq!(
            loyalty_score(&[dec!(100)]),
            None,
            "fewer than 2 components → 数据不足"
        );
        assert_eq!(loyalty_score(&[dec!(100), dec!(40)]), Some(dec!(70)));
        assert_eq!(loyalty_level(dec!(70)), "高");
        assert_eq!(loyalty_level(dec!(39.9)), "低");
    }

    /// The indexed M16 equals the one that scans the records, on edge data: a customer known
    /// only by name, one with a blank id, lines without 订单号 (their date is the order), a
    /// cancelled first order, two first orders on one day, several units, returns of a first
    /// and of a repeat order, and windows cut at every edge.
    #[test]
    fn repeat_purchases_through_the_indexes_equal_the_scan() {
        let mut lines = vec![
            line("S1", "2024-01-05", "C1", dec!(100)),
            line("S2", "2024-02-05", "C1", dec!(200.50)),
            line("S3", "2024-03-05", "C1", dec!(300)),
            line("S0", "2023-12-31", "C1", dec!(7)),
            line("S4", "2024-03-05", "C2", dec!(300)),
            line("S9", "2024-03-05", "C2", dec!(1.5)),
            line("S5", "2024-03-31", "C2", dec!(-2)),
        ];
        lines[3].cancelled = true; // C1's earliest order does not count
        let mut by_name = line("S6", "2024-02-29", "", dec!(10));
        by_name.customer_id = None;
        by_name.customer_name = Some("乙公司".into());
        let mut blank = line("S7", "2024-03-01", "", dec!(4));
        blank.customer_id = Some(String::new());
        let mut no_order = line("", "2024-03-02", "C3", dec!(5));
        no_order.order_no = None;
        let mut no_order2 = no_order.clone();
        no_order2.order_date = d("2024-04-01");
        let mut kg = line("S8", "2024-03-15", "C1", dec!(9.125));
        kg.unit = Some("kg".into());
        lines.extend([by_name.clone(), blank, no_order, no_order2, kg]);
        let mut by_name2 = by_name;
        by_name2.order_no = Some("S10".into());
        by_name2.order_date = d("2024-03-31");
        lines.push(by_name2);
        // C4: its order S30 runs over two days; S11, listed after it on its first day, is the
        // first order (smaller key on the same day); a line of S11 after the window's start.
        lines.extend([
            line("S30", "2024-01-10", "C4", dec!(1)),
            line("S30", "2024-03-01", "C4", dec!(2.5)),
            line("S11", "2024-01-10", "C4", dec!(4)),
            line("S11", "2024-03-03", "C4", dec!(8)),
            // S1 again under another customer: another order.
            line("S1", "2024-03-04", "C5", dec!(16)),
            line("S31", "2024-03-05", "C5", dec!(32)),
        ]);
        let ret = |no: &str, amount: Decimal| Return {
            return_date: d("2024-03-20"),
            orig_order_no: Some(no.into()),
            customer_id: Some("C1".into()),
            qty: dec!(1),
            amount,
            ..Default::default()
        };
        let ds = Dataset {
            sales: Some(lines.clone()),
            returns: Some(vec![
                ret("S2", dec!(50)),
                ret("S1", dec!(3)),
                ret("S10", dec!(1)),
            ]),
            customers: Some(vec![customer("C1")]),
            ..Default::default()
        };
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let returns = ds.returns.as_deref().unwrap();
        let mut windows = vec![
            Window::ytd(m("2024-03")),
            Window::months(m("2024-03"), m("2024-03")),
            Window::months(m("2023-12"), m("2024-04")),
            Window::t12m(m("2024-03")),
        ];
        windows.push(Window {
            from: d("2024-02-29"),
            to: d("2024-03-02"),
        });
        for w in windows {
            let scan = repeat_purchases(&lines, returns, w);
            assert_eq!(
                format!("{:?}", repeat_purchases_in(&ctx, w)),
                format!("{scan:?}"),
                "{w:?}"
            );
        }
        let ytd = repeat_purchases_in(&ctx, Window::ytd(m("2024-03")));
        // C4: S30 only (both days), S11 being its first order.
        assert_eq!(ytd["C4"], (1, Some(dec!(2)), dec!(3.5)));
        assert_eq!(ytd["C5"], (1, Some(dec!(1)), dec!(32)));
        // C1: S2, S3, S8 (S1 is its first order): 200.50 + 300 + 9.125 − 50; two units.
        assert_eq!(ytd["C1"], (3, None, dec!(459.625)));
        // 乙公司 (by name): S10 less its return (the return's own 客户编号 does not matter).
        assert_eq!(ytd["乙公司"], (1, Some(dec!(0)), dec!(9)));
        assert!(!ytd.contains_key("C3"), "one order by date only");

        // A 订单号 spelled like C3's date key: the same order as M16's keys go, as the scan has it.
        let mut lines = lines;
        lines.push(line("date:2024-03-02", "2024-03-09", "C3", dec!(64)));
        let twin = Dataset {
            sales: Some(lines.clone()),
            returns: ds.returns.clone(),
            customers: ds.customers.clone(),
            ..Default::default()
        };
        let ctx = Ctx::new(&twin, m("2024-03"), &cfg);
        for w in [Window::ytd(m("2024-03")), Window::t12m(m("2024-04"))] {
            let scan = repeat_purchases(&lines, returns, w);
            assert_eq!(
                format!("{:?}", repeat_purchases_in(&ctx, w)),
                format!("{scan:?}"),
                "{w:?}"
            );
        }
    }

    /// M17's 介绍人 typed as a name resolves to the customer of that name (legal form and bracket
    /// width aside); the first customer key of a name wins; unknown text is kept as typed.
    #[test]
    fn referrer_typed_as_a_name_resolves_to_its_customer() {
        let mut c1 = customer("C1");
        c1.name = "上海某某(集团)科技有限公司".into();
        let mut c9 = customer("C9");
        c9.name = "上海某某（集团）科技".into(); // same name, later key: C1 wins
        let mut c2 = customer("C2");
        c2.referrer = Some("上海某某（集团）科技股份有限公司".into());
        let mut c3 = customer("C3");
        c3.referrer = Some("不认识的公司".into());
        let ds = Dataset {
            customers: Some(vec![c1, c9, c2, c3]),
            sales: Some(vec![
                line("SO2", "2024-03-05", "C2", dec!(100)),
                line("SO3", "2024-03-06", "C3", dec!(100)),
            ]),
            ..Default::default()
        };
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let book = Book::new(&ctx);
        let (new, _, by) = referral_counts(&book, Window::months(ctx.month, ctx.month));
        assert_eq!(new, 2);
        let by: Vec<(&str, i64)> = by.iter().map(|(k, v)| (k.as_str(), *v)).collect();
        assert_eq!(by, vec![("C1", 1), ("不认识的公司", 1)]);
    }

    /// M17, M18–M21 and M22 by activity together. C1 (first order 2023-12) reorders twice in
    /// 2024 (100 + 300), referred C2, answered 1 of 2 invitations, and rated price sensitivity 2
    /// and tolerance 4: components 100 (count), 100 (amount), 100 (qty), 100 (referrals), 50
    /// (response), 75 ((5 − 2)/4), 75 ((4 − 1)/4) → 600/7 = 85.7, 高.
    #[test]
    fn loyalty_referrals_and_conversion_by_activity() {
        use crate::model::{Activity, SatisfactionSurvey};
        let mut c2 = customer("C2");
        c2.source = Some("转介绍".into());
        c2.referrer = Some("C1".into());
        c2.source_activity = Some("2024春季订货会".into());
        let mut c3 = customer("C3");
        c3.source_activity = Some("2024春季订货会".into());
        c3.first_contact_date = Some(d("2024-03-02"));
        c3.needs = Some("月需求10吨".into());
        let act = |cid: &str, name: &str, resp: bool| Activity {
            activity: name.into(),
            activity_date: d("2024-03-10"),
            customer_id: Some(cid.into()),
            invited: true,
            responded: resp,
            ..Default::default()
        };
        let ds = Dataset {
            customers: Some(vec![customer("C1"), c2, c3]),
            sales: Some(vec![
                line("S0", "2023-12-01", "C1", dec!(50)),
                line("S1", "2024-02-01", "C1", dec!(100)),
                line("S2", "2024-03-01", "C1", dec!(300)),
                line("S3", "2024-03-05", "C2", dec!(80)),
            ]),
            activities: Some(vec![
                act("C1", "联谊会", true),
                act("C1", "订货会", false),
                act("C2", "联谊会", false),
            ]),
            satisfaction: Some(vec![SatisfactionSurvey {
                survey_date: d("2024-02-20"),
                customer_id: Some("C1".into()),
                price_sensitivity: Some(2),
                tolerance: Some(4),
                ..Default::default()
            }]),
            ..Default::default()
        };
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let ts = tables(&ctx);
        let find = |id: &str| ts.iter().find(|t| t.id == id).unwrap();
        let loyalty = find("loyalty");
        let col = |k: &str| loyalty.columns.iter().position(|c| c.key == k).unwrap();
        let c1 = &loyalty.rows[0];
        assert_eq!(c1[0], Value::Text("C1".into()));
        assert_eq!(c1[col("repeat_count")], Value::Int(2));
        assert_eq!(c1[col("referrals")], Value::Int(1));
        assert_eq!(c1[col("response")], Value::Ratio(dec!(0.5)));
        assert_eq!(c1[col("price_sensitivity")], Value::Int(2));
        assert_eq!(c1[col("score")], Value::Qty(dec!(85.7)));
        assert_eq!(c1[col("level")], Value::Text("高".into()));
        let c2 = &loyalty.rows[1];
        assert_eq!(c2[0], Value::Text("C2".into()));
        assert_eq!(c2[col("score")], Value::Qty(dec!(0)));
        assert_eq!(c2[col("level")], Value::Text("低".into()));
        assert!(
            loyalty.notes.len() == 1,
            "nothing lacking: {:?}",
            loyalty.notes
        );

        let by_act = find("conversion-by-activity");
        assert_eq!(by_act.rows.len(), 1);
        // C2 open (no contact date, first order in March), C3 added in March, not converted.
        assert_eq!(
            by_act.rows[0][1..],
            [
                Value::Int(1),
                Value::Int(1),
                Value::Int(2),
                Value::Int(1),
                Value::Ratio(dec!(0.5))
            ]
        );
        let needs = find("conversion-needs");
        assert_eq!(needs.rows.len(), 1);
        assert_eq!(needs.rows[0][2], Value::Text("未成交".into()));
        let refs = find("referrals");
        assert_eq!(
            refs.rows[0][1..],
            [Value::Int(1), Value::Int(1), Value::Ratio(dec!(1))]
        );
    }

    #[test]
    fn missing_sheets() {
        let ds = Dataset::default();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let ts = tables(&ctx);
        assert!(
            ts.iter().all(|t| matches!(t.rows[0][0], Value::Missing(_))),
            "{ts:#?}"
        );
    }
}
