//! Statistics: pure functions from typed records and a period to [`Table`]s. One file per family
//! of DOMAIN §2. No clock, no file, no setting they were not handed.

pub mod catalogue;
pub mod complaints;
pub mod credit;
pub mod expenses;
pub mod followup;
pub mod grading;
pub mod period;
pub mod receivables;
pub mod retention;
pub mod sales;
pub mod salespeople;
pub mod satisfaction;
pub mod service;

use crate::error::Msg;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

pub use period::Month;

/// The statistics' hash maps: std's, with foldhash's hasher. Every family keys its sums by
/// customer, order or salesperson ids, and std's SipHash spent more time hashing those short
/// strings than the sums took. The seed is random per process as with std's, and no output
/// depends on a map's order (tables are sorted or go through BTreeMaps).
pub type HashMap<K, V> = std::collections::HashMap<K, V, foldhash::fast::RandomState>;
/// [`HashMap`]'s set.
pub type HashSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

use crate::config::Config;
use crate::model::Dataset;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Arc, Mutex, OnceLock};

/// Everything a statistic may look at: the records, the report month, the settings, and the
/// 实销额 entries (built once, shared by every family).
///
/// The expensive intermediate results several families need (the cost entries, the grading run of
/// a month, the receivable ledgers, the customer directory) are computed on first use and shared: a pack asks for the
/// grading run of the report month from five places and for three months of 摘要 KPIs, and
/// recomputing it each time was most of the statistics time at 100,000 lines. [`Ctx::at`] moves to
/// another month and keeps every cache, so the 摘要's last-month and year-ago columns reuse it too.
pub struct Ctx<'a> {
    pub ds: &'a Dataset,
    pub month: Month,
    pub cfg: &'a Config,
    pub entries: Arc<Vec<sales::NetEntry<'a>>>,
    cache: Arc<Cache<'a>>,
}

/// Month-independent results, grading runs and credit assessments by month, frequencies by
/// window. Shared by the threads that run the families side by side ([`catalogue::all`]): a result
/// is computed by the first thread that asks and waited for by any other (`OnceLock`), never
/// computed twice. No initialiser asks for a result that asks for it in turn, so no thread waits
/// on itself.
#[derive(Default)]
struct Cache<'a> {
    directory: OnceLock<Arc<grading::Directory<'a>>>,
    costs: OnceLock<Arc<grading::Costs<'a>>>,
    ledgers: OnceLock<Arc<receivables::Ledgers>>,
    roster: OnceLock<Arc<salespeople::Roster<'a>>>,
    customers: OnceLock<Arc<BTreeSet<String>>>,
    order_dates: OnceLock<Arc<HashMap<String, Vec<NaiveDate>>>>,
    runs: PerMonth<grading::GradeRun>,
    frequencies: PerMonth<BTreeMap<String, i64>, grading::Window>,
    net_by_customer: PerMonth<BTreeMap<String, Decimal>, grading::Window>,
    net_by_staff: PerMonth<BTreeMap<String, Decimal>, grading::Window>,
    assessments: PerMonth<BTreeMap<String, credit::Assessment<'a>>>,
    dangers: PerMonth<Vec<credit::Danger>>,
    ageings: PerMonth<Vec<receivables::Ageing>>,
    customer_index: OnceLock<Arc<receivables::CustomerIndex<'a>>>,
    line_keys: OnceLock<receivables::LineKeys<'a>>,
    first_orders: OnceLock<Arc<HashMap<String, NaiveDate>>>,
    keys: OnceLock<grading::Keys>,
    /// Per cost entry ([`Ctx::costs`]): its customer's number in [`Ctx::keys`].
    cost_customers: OnceLock<Vec<u32>>,
    /// M01 合同额, M03 消费频次 and 实销额 per customer number, by window (the grading runs' inputs;
    /// [`Ctx::contract_amounts`], [`Ctx::frequencies`] and [`Ctx::net_by_customer`] are these
    /// keyed by the customers' keys).
    contract_by_number: PerMonth<Vec<Option<Decimal>>, grading::Window>,
    frequencies_by_number: PerMonth<Vec<Option<i64>>, grading::Window>,
    net_by_number: PerMonth<Vec<Option<Decimal>>, grading::Window>,
    entry_dates: OnceLock<Dates>,
    line_dates: OnceLock<Dates>,
    cost_dates: OnceLock<Dates>,
}

/// The dates of a list of records, side by side (4 bytes a record). Finding a month's or a
/// window's records by scanning the records themselves read the whole history from memory for
/// every window (a 销售明细 line is some 480 bytes, an entry 120), and the families ask for dozens of
/// windows; scanning the dates reads 4 bytes a record and touches only the records that match.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Dates(Vec<NaiveDate>);

impl Dates {
    pub fn new(dates: impl IntoIterator<Item = NaiveDate>) -> Dates {
        Dates(dates.into_iter().collect())
    }

    /// The positions of the records dated within `w`, ascending: the records a filter on
    /// `w.contains(date)` keeps, in the order it keeps them (sums over them add in the same order,
    /// so every Decimal comes out with the same scale).
    pub fn within(&self, w: grading::Window) -> impl Iterator<Item = usize> + '_ {
        self.0
            .iter()
            .enumerate()
            .filter(move |(_, d)| w.contains(**d))
            .map(|(i, _)| i)
    }
}

/// Results computed once per month (or other period), by whichever thread asks first.
type PerMonth<T, K = Month> = Mutex<HashMap<K, Arc<OnceLock<Arc<T>>>>>;

/// The result for `m` from `memo`, computing it with `f` if no thread has (a second thread asking
/// for the same month waits for the first instead of computing it again).
fn per_month<T, K: std::hash::Hash + Eq>(
    memo: &PerMonth<T, K>,
    m: K,
    f: impl FnOnce() -> T,
) -> Arc<T> {
    let slot = Arc::clone(
        memo.lock()
            .unwrap_or_else(|e| e.into_inner())
            .entry(m)
            .or_default(),
    );
    Arc::clone(slot.get_or_init(|| Arc::new(f())))
}

impl<'a> Ctx<'a> {
    pub fn new(ds: &'a Dataset, month: Month, cfg: &'a Config) -> Ctx<'a> {
        let mut entries = sales::net_entries(
            ds.sales.as_deref().unwrap_or(&[]),
            ds.returns.as_deref().unwrap_or(&[]),
            ds.customers.as_deref().unwrap_or(&[]),
        );
        sales::apply_closed_periods(&mut entries, &cfg.closed_periods);
        Ctx {
            ds,
            month,
            cfg,
            entries: Arc::new(entries),
            cache: Arc::default(),
        }
    }

    /// The same records and settings as of another month, sharing every cached result.
    pub fn at(&self, month: Month) -> Ctx<'a> {
        Ctx {
            ds: self.ds,
            month,
            cfg: self.cfg,
            entries: Arc::clone(&self.entries),
            cache: Arc::clone(&self.cache),
        }
    }

    /// T01 lookups by customer key, built once.
    pub fn directory(&self) -> Arc<grading::Directory<'a>> {
        Arc::clone(
            self.cache
                .directory
                .get_or_init(|| Arc::new(grading::Directory::with_keys(self.ds, self.keys()))),
        )
    }

    /// T03 with the C4 rules, the order index and first orders (salespeople, expenses), built once.
    pub fn roster(&self) -> Arc<salespeople::Roster<'a>> {
        Arc::clone(self.cache.roster.get_or_init(|| {
            Arc::new(salespeople::Roster::with_keys(
                self.ds,
                self.directory(),
                Some(self.keys()),
            ))
        }))
    }

    /// Every customer key of T01 and the sales lines ([`grading::all_customers`]), built once.
    pub fn customers(&self) -> Arc<BTreeSet<String>> {
        Arc::clone(self.cache.customers.get_or_init(|| {
            // T01's keys and the lines' ([`grading::all_customers`]), the lines' through
            // their numbers: one flag per line instead of one hash.
            let keys = self.keys();
            let mut on_line = vec![false; keys.customers()];
            for &n in keys.line_customers() {
                if let Some(x) = on_line.get_mut(n as usize) {
                    *x = true;
                }
            }
            let mut s: BTreeSet<String> = self
                .ds
                .customers
                .iter()
                .flatten()
                .map(|c| c.customer_id.clone())
                .collect();
            for (n, on) in on_line.into_iter().enumerate() {
                if let Some(k) = keys.name(n as u32).filter(|_| on) {
                    if !s.contains(k) {
                        s.insert(k.to_owned());
                    }
                }
            }
            Arc::new(s)
        }))
    }

    /// Sorted order dates per customer key ([`retention::order_dates`]), built once.
    pub fn order_dates(&self) -> Arc<HashMap<String, Vec<NaiveDate>>> {
        Arc::clone(self.cache.order_dates.get_or_init(|| {
            // By customer number, then keyed once per customer.
            let keys = self.keys();
            let lines = self.ds.sales.as_deref().unwrap_or(&[]);
            let mut by: Vec<Vec<NaiveDate>> = vec![Vec::new(); keys.customers()];
            for (l, &n) in lines.iter().zip(keys.line_customers()) {
                if l.cancelled {
                    continue;
                }
                if let Some(v) = by.get_mut(n as usize) {
                    v.push(l.order_date);
                }
            }
            Arc::new(
                by.into_iter()
                    .enumerate()
                    .filter(|(_, v)| !v.is_empty())
                    .filter_map(|(n, mut v)| {
                        v.sort();
                        Some((keys.name(n as u32)?.to_owned(), v))
                    })
                    .collect(),
            )
        }))
    }

    /// Cost entries of every line and return (M02), returns dated like the 实销额 entries (M41),
    /// built once.
    pub fn costs(&self) -> Arc<grading::Costs<'a>> {
        Arc::clone(self.costs_ref())
    }

    fn costs_ref(&self) -> &Arc<grading::Costs<'a>> {
        self.cache.costs.get_or_init(|| {
            let mut c = grading::costs_of(self.ds);
            sales::shift_returns(
                c.entries
                    .iter_mut()
                    .filter(|e| e.is_return)
                    .map(|e| &mut e.date),
                &self.cfg.closed_periods,
            );
            Arc::new(c)
        })
    }

    /// The 实销额 entries dated within `w`, in list order ([`Dates::within`]).
    pub fn entries_in(
        &self,
        w: grading::Window,
    ) -> impl Iterator<Item = &sales::NetEntry<'a>> + '_ {
        let entries: &[sales::NetEntry<'a>] = &self.entries;
        self.entry_dates()
            .within(w)
            .filter_map(move |i| entries.get(i))
    }

    /// [`Ctx::entries_in`], each entry with its customer's number in [`Ctx::keys`] (for loops
    /// that look something up per customer: once per number instead of once per entry).
    pub fn numbered_entries_in(
        &self,
        w: grading::Window,
    ) -> impl Iterator<Item = (&sales::NetEntry<'a>, u32)> + '_ {
        let entries: &[sales::NetEntry<'a>] = &self.entries;
        let numbers = self.keys().entry_customers();
        self.entry_dates().within(w).filter_map(move |i| {
            Some((entries.get(i)?, numbers.get(i).copied().unwrap_or(u32::MAX)))
        })
    }

    /// [`Ctx::costs_in`], each cost entry with its customer's number in [`Ctx::keys`]
    /// (`u32::MAX` for a customer no line or entry has).
    pub fn numbered_costs_in(
        &self,
        w: grading::Window,
    ) -> impl Iterator<Item = (&grading::CostEntry<'a>, u32)> + '_ {
        let entries: &[grading::CostEntry<'a>] = &self.costs_ref().entries;
        let numbers = self.cost_customers();
        self.cost_dates().within(w).filter_map(move |i| {
            Some((entries.get(i)?, numbers.get(i).copied().unwrap_or(u32::MAX)))
        })
    }

    fn entry_dates(&self) -> &Dates {
        self.cache
            .entry_dates
            .get_or_init(|| Dates::new(self.entries.iter().map(|e| e.date)))
    }

    fn line_dates(&self) -> &Dates {
        let lines = self.ds.sales.as_deref().unwrap_or(&[]);
        self.cache
            .line_dates
            .get_or_init(|| Dates::new(lines.iter().map(|l| l.order_date)))
    }

    /// Customer and order keys numbered once ([`grading::Keys`]).
    pub fn keys(&self) -> &grading::Keys {
        self.cache.keys.get_or_init(|| {
            grading::Keys::new(self.ds.sales.as_deref().unwrap_or(&[]), &self.entries)
        })
    }

    /// M01 合同额 per customer over `w` ([`grading::contract_amounts`]).
    pub fn contract_amounts(&self, w: grading::Window) -> BTreeMap<String, Decimal> {
        self.keys().collect(&self.contract_by_number(w))
    }

    /// [`Ctx::contract_amounts`] by customer number ([`Ctx::keys`]), summed once per window.
    fn contract_by_number(&self, w: grading::Window) -> Arc<Vec<Option<Decimal>>> {
        per_month(&self.cache.contract_by_number, w, || {
            self.keys().contract_amounts_by_number(
                self.ds.sales.as_deref().unwrap_or(&[]),
                self.line_dates().within(w),
            )
        })
    }

    /// [`Ctx::frequencies`] by customer number, counted once per window.
    fn frequencies_by_number(&self, w: grading::Window) -> Arc<Vec<Option<i64>>> {
        per_month(&self.cache.frequencies_by_number, w, || {
            self.keys().frequencies_by_number(
                self.ds.sales.as_deref().unwrap_or(&[]),
                self.line_dates().within(w),
            )
        })
    }

    /// [`Ctx::net_by_customer`] by customer number ([`Ctx::keys`]), summed once per window.
    pub fn net_by_number(&self, w: grading::Window) -> Arc<Vec<Option<Decimal>>> {
        per_month(&self.cache.net_by_number, w, || {
            self.keys()
                .net_by_number(&self.entries, self.entry_dates().within(w))
        })
    }

    /// 边际贡献 per customer over `w`: the 实销额 per customer ([`Ctx::net_by_customer`]) less
    /// each cost entry of `w` in list order, a customer with costs but no 实销额 starting from 0
    /// (what adding the negated costs into a copy of the 实销额 map gives, key by key).
    pub fn margin_by_customer(&self, w: grading::Window) -> BTreeMap<String, Decimal> {
        let keys = self.keys();
        let entries: &[grading::CostEntry<'a>] = &self.costs_ref().entries;
        let numbers = self.cost_customers();
        let mut margin: Vec<Option<Decimal>> = (*self.net_by_number(w)).clone();
        // Cost entries of a customer no line or entry has (none, as the entries are built):
        // added by key after the others, each key's in list order all the same.
        let mut unnumbered = Vec::new();
        for i in self.cost_dates().within(w) {
            let Some(e) = entries.get(i) else { continue };
            match numbers.get(i).and_then(|n| margin.get_mut(*n as usize)) {
                Some(x) => *x.get_or_insert(Decimal::ZERO) += -e.cost,
                None => unnumbered.push(e),
            }
        }
        let mut out = keys.collect(&margin);
        for e in unnumbered {
            add_to(&mut out, e.customer_id, -e.cost);
        }
        out
    }

    /// Per cost entry ([`Ctx::costs`]): its customer's number in [`Ctx::keys`], numbered once.
    fn cost_customers(&self) -> &[u32] {
        let entries: &[grading::CostEntry<'a>] = &self.costs_ref().entries;
        self.cache.cost_customers.get_or_init(|| {
            self.keys()
                .numbers_of(entries.iter().map(|e| e.customer_id))
        })
    }

    /// Σ 边际成本 of the cost entries in `w` per customer number, each customer's entries added in
    /// list order (as a map keyed by the customers' keys adds them).
    fn cost_by_number(&self, w: grading::Window) -> Vec<Decimal> {
        let keys = self.keys();
        let entries: &[grading::CostEntry<'a>] = &self.costs_ref().entries;
        let numbers = self.cost_customers();
        let mut out = vec![Decimal::ZERO; keys.customers()];
        for i in self.cost_dates().within(w) {
            let (Some(e), Some(&n)) = (entries.get(i), numbers.get(i)) else {
                continue;
            };
            if let Some(x) = out.get_mut(n as usize) {
                *x += e.cost;
            }
        }
        out
    }

    /// The 实销额 entries of month `m`, in list order.
    pub fn entries_of(&self, m: Month) -> impl Iterator<Item = &sales::NetEntry<'a>> + '_ {
        self.entries_in(grading::Window::months(m, m))
    }

    /// M37 实销额 of month `m` ([`sales::net_sales`] through the date index).
    pub fn net_sales(&self, m: Month) -> Decimal {
        self.entries_of(m).map(|e| e.amount).sum()
    }

    /// Every 销售明细 line (cancelled ones too) with an 订货日期 within `w`, in sheet order.
    pub fn lines_in(
        &self,
        w: grading::Window,
    ) -> impl Iterator<Item = &'a crate::model::SaleLine> + '_ {
        let lines: &'a [crate::model::SaleLine] = self.ds.sales.as_deref().unwrap_or(&[]);
        self.line_dates()
            .within(w)
            .filter_map(move |i| lines.get(i))
    }

    /// The cost entries ([`Ctx::costs`]) dated within `w`, in list order.
    pub fn costs_in(
        &self,
        w: grading::Window,
    ) -> impl Iterator<Item = &grading::CostEntry<'a>> + '_ {
        let entries: &[grading::CostEntry<'a>] = &self.costs_ref().entries;
        self.cost_dates()
            .within(w)
            .filter_map(move |i| entries.get(i))
    }

    fn cost_dates(&self) -> &Dates {
        let costs = self.costs_ref();
        self.cache
            .cost_dates
            .get_or_init(|| Dates::new(costs.entries.iter().map(|e| e.date)))
    }

    /// The receivable ledgers of every customer (month-independent: each family cuts them at its
    /// own month end), built once.
    pub fn ledgers(&self) -> Arc<receivables::Ledgers> {
        Arc::clone(self.cache.ledgers.get_or_init(|| {
            Arc::new(receivables::ledgers_by_keys(
                self.ds,
                &self.customer_index(),
                self.line_keys(),
                self.cfg.credit.default_days,
            ))
        }))
    }

    /// The grading run as of the end of `as_of`, computed once per month.
    pub fn grade_run(&self, as_of: Month) -> Arc<grading::GradeRun> {
        per_month(&self.cache.runs, as_of, || {
            let w = grading::grading_window(as_of, &self.cfg.grading.window);
            grading::grade_run_by_number(
                self.cfg,
                as_of,
                w,
                self.keys(),
                &self.contract_by_number(w),
                &self.net_by_number(w),
                &self.cost_by_number(w),
                self.costs_ref().any_cost,
                &self.frequencies_by_number(w),
            )
        })
    }

    /// M03 消费频次 per customer over `w` ([`grading::frequencies`]), counted once per window: the
    /// grading runs and retention's 复购率 ask for the same twelve months.
    pub fn frequencies(&self, w: grading::Window) -> Arc<BTreeMap<String, i64>> {
        per_month(&self.cache.frequencies, w, || {
            self.keys().collect(&self.frequencies_by_number(w))
        })
    }

    /// 实销额 per customer over `w` ([`grading::net_by_customer`]), summed once per window: the
    /// grading run, its tables and the 摘要 ask for the same months and twelve-month windows.
    pub fn net_by_customer(&self, w: grading::Window) -> Arc<BTreeMap<String, Decimal>> {
        per_month(&self.cache.net_by_customer, w, || {
            self.keys().collect(&self.net_by_number(w))
        })
    }

    /// 实销额 per salesperson key over `w` ([`salespeople::net_by_staff`], C4 through
    /// [`Ctx::roster`]), summed once per window: the ranking, the year-to-date tables, the
    /// appraisal and the expense ratios ask for the same months and years.
    pub fn net_by_staff(&self, w: grading::Window) -> Arc<BTreeMap<String, Decimal>> {
        per_month(&self.cache.net_by_staff, w, || {
            salespeople::net_by_staff_of(self.entries_in(w), &self.roster())
        })
    }

    /// M59–M63 for every customer at this month ([`credit::assess`]), computed once per month:
    /// the credit tables, the receivables' limits and the 摘要's 危险客户数 all start from it.
    pub fn assessments(&self) -> Arc<BTreeMap<String, credit::Assessment<'a>>> {
        per_month(&self.cache.assessments, self.month, || {
            credit::assess(self, &self.ledgers())
        })
    }

    /// M66 危险客户 at this month ([`credit::dangers`]), listed once per month: the credit tables
    /// and the 摘要's 危险客户数 of the same month ask for the same list.
    pub fn dangers(&self) -> Arc<Vec<credit::Danger>> {
        per_month(&self.cache.dangers, self.month, || {
            let l = self.ledgers();
            credit::dangers_with(self, &l, &self.assessments(), Some(&self.ageings()))
        })
    }

    /// M64 ageing of every ledger ([`Ctx::ledgers`], in their order) at the end of this month
    /// ([`receivables::ageings`]), computed once per month: the danger flags, the ageing and
    /// overdue tables age the same ledgers at the same date.
    pub fn ageings(&self) -> Arc<Vec<receivables::Ageing>> {
        per_month(&self.cache.ageings, self.month, || {
            receivables::ageings(&self.ledgers(), self.month.last_day())
        })
    }

    /// T01 lookups by 客户编号 and 名称 ([`receivables::CustomerIndex`]), built once.
    pub fn customer_index(&self) -> Arc<receivables::CustomerIndex<'a>> {
        Arc::clone(self.cache.customer_index.get_or_init(|| {
            Arc::new(receivables::CustomerIndex::new(
                self.ds.customers.as_deref().unwrap_or(&[]),
            ))
        }))
    }

    /// Every sales line's customer key as [`Ctx::customer_index`] resolves it
    /// ([`receivables::CustomerIndex::line_keys`]), built once.
    pub fn line_keys(&self) -> &receivables::LineKeys<'a> {
        self.cache.line_keys.get_or_init(|| {
            self.customer_index()
                .line_keys(self.ds.sales.as_deref().unwrap_or(&[]), self.keys())
        })
    }

    /// The first non-cancelled 订货日期 of every customer, keyed as [`Ctx::customer_index`]
    /// resolves the lines, built once (credit's 月均采购额 asks for it in every month it scores).
    pub fn first_orders(&self) -> Arc<HashMap<String, NaiveDate>> {
        Arc::clone(self.cache.first_orders.get_or_init(|| {
            let keys = self.line_keys();
            let mut first: Vec<Option<NaiveDate>> = vec![None; keys.keys.len()];
            for (l, &n) in self
                .ds
                .sales
                .as_deref()
                .unwrap_or(&[])
                .iter()
                .zip(&keys.of_line)
            {
                if l.cancelled {
                    continue;
                }
                if let Some(e) = first.get_mut(n as usize) {
                    *e = Some(e.map_or(l.order_date, |d| d.min(l.order_date)));
                }
            }
            Arc::new(
                keys.keys
                    .iter()
                    .zip(first)
                    .filter_map(|(k, d)| Some(((*k).to_owned(), d?)))
                    .collect(),
            )
        }))
    }
}

/// Each run of consecutive lines of one 订单号, in sheet order (lines without one are left out):
/// an order's lines mostly follow each other, so an index keyed by order takes a run with one
/// lookup instead of hashing line by line. An order whose lines are apart gives several runs.
pub fn order_runs(
    lines: &[crate::model::SaleLine],
) -> impl Iterator<Item = (&str, &[crate::model::SaleLine])> {
    let mut i = 0;
    std::iter::from_fn(move || {
        while let Some(l) = lines.get(i) {
            let start = i;
            i += 1;
            let Some(no) = l.order_no.as_deref() else {
                continue;
            };
            while lines
                .get(i)
                .is_some_and(|l| l.order_no.as_deref() == Some(no))
            {
                i += 1;
            }
            return Some((no, &lines[start..i]));
        }
        None
    })
}

/// `m[k] += v` without allocating the key when it is already there (most lines of a month fall
/// on a customer or region seen before).
pub fn add_to<V: std::ops::AddAssign + Default>(
    m: &mut std::collections::BTreeMap<String, V>,
    k: &str,
    v: V,
) {
    match m.get_mut(k) {
        Some(x) => *x += v,
        None => {
            let mut x = V::default();
            x += v;
            m.insert(k.to_owned(), x);
        }
    }
}

/// A table shown when the sheet a statistic needs is missing: "—, 缺少数据: <sheet>", never 0.
pub fn missing_table(id: &str, title: Msg, sheet: &str) -> Table {
    Table {
        id: id.into(),
        title,
        columns: vec![Column::new("status", "状态", "Status", Kind::Text)],
        rows: vec![vec![Value::Missing(sheet.into())]],
        totals: None,
        notes: vec![],
    }
}

/// How a column's values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Text,
    /// 元, two decimals, thousands separators.
    Money,
    Int,
    Qty,
    /// A ratio shown ×100 with one decimal and %.
    Percent,
    Date,
}

/// One cell of a statistics table. Raw values, never display strings: renderers format them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum Value {
    Empty,
    Text(String),
    Money(Decimal),
    Int(i64),
    Qty(Decimal),
    /// A ratio (0.125 = 12.5%). A zero or missing denominator is [`Value::NotApplicable`].
    Ratio(Decimal),
    Date(NaiveDate),
    /// "—": the ratio has no denominator (C3).
    #[serde(rename = "na")]
    NotApplicable,
    /// "—, 缺少数据: <sheet>": the input sheet the figure needs is missing.
    Missing(String),
}

impl Value {
    pub fn money(&self) -> Option<Decimal> {
        match self {
            Value::Money(d) => Some(*d),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub key: String,
    pub label: Msg,
    pub kind: Kind,
}

impl Column {
    pub fn new(key: &str, zh: &str, en: &str, kind: Kind) -> Self {
        Column {
            key: key.into(),
            label: Msg::new(zh, en),
            kind,
        }
    }
}

/// What every renderer draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Stable id, e.g. `sales-by-region`.
    pub id: String,
    pub title: Msg,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    /// The 合计 row, when the table has one.
    pub totals: Option<Vec<Value>>,
    /// Footnotes: how a figure was computed, what was missing.
    pub notes: Vec<Msg>,
}

/// `numerator / denominator`, or "—" when the denominator is zero (C3).
pub fn ratio(numerator: Decimal, denominator: Decimal) -> Value {
    if denominator.is_zero() {
        Value::NotApplicable
    } else {
        Value::Ratio(numerator / denominator)
    }
}

/// Growth (this − base) / base; a zero base is "—" (M48 shows it as 新增 where a label fits).
pub fn growth(this: Decimal, base: Decimal) -> Value {
    if base.is_zero() {
        Value::NotApplicable
    } else {
        Value::Ratio((this - base) / base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Customer, Receipt, Return, SaleLine};
    use grading::Window;
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    /// Lines on both sides of every edge of March 2024 (and a leap day), out of date order, with
    /// amounts of different scales so that a sum added in another order could show a different
    /// scale; a cancelled line and a return inside the month.
    /// Runs of one 订单号 end at another number or a line without one; an order whose lines are
    /// apart gives a run for each part; lines without a number are in none.
    #[test]
    fn order_runs_follow_the_sheet() {
        let l = |no: Option<&str>| SaleLine {
            order_no: no.map(String::from),
            ..Default::default()
        };
        let lines = [
            l(None),
            l(Some("A")),
            l(Some("A")),
            l(None),
            l(Some("A")),
            l(Some("B")),
            l(Some("B")),
            l(Some("A")),
            l(None),
        ];
        let runs: Vec<(&str, usize, usize)> = order_runs(&lines)
            .map(|(no, run)| {
                let start = (run.as_ptr() as usize - lines.as_ptr() as usize)
                    / std::mem::size_of::<SaleLine>();
                (no, start, run.len())
            })
            .collect();
        assert_eq!(runs, [("A", 1, 2), ("A", 4, 1), ("B", 5, 2), ("A", 7, 1)]);
        assert_eq!(order_runs(&[]).count(), 0);
        assert_eq!(order_runs(&[l(None), l(None)]).count(), 0);
    }

    fn dataset() -> Dataset {
        let line = |date: &str, cust: &str, amount: Decimal, cancelled: bool| SaleLine {
            order_no: Some(format!("SO-{date}-{cust}")),
            order_date: d(date),
            customer_id: Some(cust.into()),
            staff: Some(if cust == "C1" { "S1" } else { "S2" }.into()),
            qty: dec!(1),
            amount,
            cost: Some(amount / dec!(2)),
            cancelled,
            ..Default::default()
        };
        Dataset {
            customers: Some(vec![Customer {
                customer_id: "C1".into(),
                name: "甲公司".into(),
                ..Default::default()
            }]),
            sales: Some(vec![
                line("2024-03-31", "C1", dec!(1.50), false),
                line("2024-02-29", "C1", dec!(7), false),
                line("2024-03-01", "C2", dec!(-1.5), false),
                line("2024-04-01", "C1", dec!(9.125), false),
                line("2024-03-15", "C1", dec!(-1.50), false),
                line("2024-03-16", "C2", dec!(100), true),
                line("2023-03-31", "C2", dec!(3), false),
                line("2024-03-20", "C1", dec!(2), false),
            ]),
            returns: Some(vec![Return {
                return_date: d("2024-03-10"),
                orig_order_no: Some("SO-2024-02-29-C1".into()),
                customer_id: Some("C1".into()),
                qty: dec!(1),
                amount: dec!(0.25),
                ..Default::default()
            }]),
            ..Default::default()
        }
    }

    /// Every window the families ask for, and windows cut at each edge date.
    fn windows() -> Vec<Window> {
        let m: Month = "2024-03".parse().unwrap();
        let mut w = vec![
            Window::months(m, m),
            Window::months(m.prev(), m.prev()),
            Window::months(m.next(), m.next()),
            Window::t12m(m),
            Window::ytd(m),
            Window::quarter(m),
            Window::months(m.year_ago(), m.year_ago()),
        ];
        for (from, to) in [
            ("2024-02-29", "2024-02-29"),
            ("2024-03-01", "2024-03-31"),
            ("2024-03-02", "2024-03-30"),
            ("2024-03-31", "2024-04-01"),
            ("2024-04-02", "2024-04-01"),
        ] {
            w.push(Window {
                from: d(from),
                to: d(to),
            });
        }
        w
    }

    /// Edge data for the indexes keyed by customer number: T01 ids with spaces around them, a
    /// customer known by 名称 only (and by 简称), an unknown customer under two names, lines with a
    /// blank or missing key, a customer only in the returns, one with lines in the grading window
    /// but none in the month, costs on some lines only, note receipts that fall back to the FIFO
    /// base (one keyed by name), and cancelled lines.
    pub(crate) fn edge_dataset() -> Dataset {
        let line = |no: &str, date: &str, id: Option<&str>, name: Option<&str>, amount: Decimal| {
            SaleLine {
                order_no: Some(no.into()),
                order_date: d(date),
                ship_date: Some(d(date)),
                customer_id: id.map(Into::into),
                customer_name: name.map(Into::into),
                qty: dec!(2),
                amount,
                cost: (amount > dec!(50)).then(|| amount * dec!(0.6)),
                category: Some(
                    if amount > dec!(50) {
                        "甲类"
                    } else {
                        "乙类"
                    }
                    .into(),
                ),
                ..Default::default()
            }
        };
        let mut cancelled = line("SO-9", "2024-03-05", Some("C1"), None, dec!(999));
        cancelled.cancelled = true;
        let cust = |id: &str, name: &str, short: Option<&str>| Customer {
            customer_id: id.into(),
            name: name.into(),
            short_name: short.map(Into::into),
            industry: Some(format!("{name}业")),
            opening_ar: Some(dec!(10.5)),
            opening_ar_date: Some(d("2023-01-01")),
            ..Default::default()
        };
        let receipt = |date: &str, id: Option<&str>, name: Option<&str>, amount: Decimal| Receipt {
            receipt_date: d(date),
            customer_id: id.map(Into::into),
            customer_name: name.map(Into::into),
            amount,
            method: Some("银行承兑汇票".into()),
            note_due_date: Some(d("2024-06-30")),
            ..Default::default()
        };
        Dataset {
            customers: Some(vec![
                cust(" C1", "甲公司", Some("甲")),
                cust("C2 ", "乙公司", None),
                cust("C3", "丙公司", None),
            ]),
            sales: Some(vec![
                line(
                    "SO-1",
                    "2023-11-20",
                    Some("C1"),
                    Some("甲公司"),
                    dec!(100.10),
                ),
                line("SO-2", "2024-03-02", Some("C1"), None, dec!(20)),
                line("SO-3", "2024-03-03", None, Some("甲公司"), dec!(30.5)),
                line("SO-4", "2024-03-04", Some("X9"), Some("甲"), dec!(70)),
                line("SO-5", "2024-03-05", Some("X9"), Some("某某"), dec!(5.25)),
                line("SO-6", "2024-03-06", None, None, dec!(8)),
                line("SO-7", "2024-03-07", Some("  "), Some("乙公司"), dec!(60)),
                line("SO-8", "2024-03-08", Some("C2"), None, dec!(1.5)),
                cancelled,
                line("SO-10", "2023-12-01", Some("C3"), None, dec!(300)),
                line("SO-11", "2024-03-09", Some("C2 "), None, dec!(75)),
            ]),
            returns: Some(vec![
                Return {
                    return_date: d("2024-03-10"),
                    orig_order_no: Some("SO-1".into()),
                    customer_id: Some("C1".into()),
                    qty: dec!(1),
                    amount: dec!(50.05),
                    ..Default::default()
                },
                Return {
                    return_date: d("2024-03-11"),
                    customer_id: Some("R7".into()),
                    qty: dec!(1),
                    amount: dec!(4),
                    ..Default::default()
                },
            ]),
            receipts: Some(vec![
                receipt("2024-03-12", Some("C1"), None, dec!(40)),
                receipt("2024-03-13", None, Some("X9"), dec!(3)),
                receipt("2024-03-14", Some("C3"), None, dec!(100)),
                receipt("2024-03-15", Some("R7"), None, dec!(1)),
            ]),
            ..Default::default()
        }
    }

    #[test]
    fn line_keys_by_number_resolve_every_line_as_key_ref_does() {
        let ds = edge_dataset();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let idx = ctx.customer_index();
        let lines = ds.sales.as_deref().unwrap();
        let want: Vec<&str> = lines
            .iter()
            .map(|l| idx.key_ref(l.customer_id.as_deref(), l.customer_name.as_deref()))
            .collect();
        let keyed = ctx.line_keys();
        let plain = idx.line_keys_plain(lines);
        for (i, w) in want.iter().enumerate() {
            assert_eq!(keyed.of(i), Some(*w), "line {i}");
            assert_eq!(plain.of(i), Some(*w), "line {i}");
        }
        // The hand-resolved keys: a spaced T01 id, 名称, 简称, an unknown id under two names, blanks.
        assert_eq!(
            want,
            vec!["C1", "C1", "C1", "C1", "X9", "", "C2", "C2", "C1", "C3", "C2"]
        );
        assert_eq!(keyed.of(lines.len()), None);
    }

    #[test]
    fn the_keyed_ledgers_and_first_orders_equal_the_string_keyed_ones() {
        let ds = edge_dataset();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let days = cfg.credit.default_days;
        let want = receivables::ledgers(&ds, days);
        let got = ctx.ledgers();
        assert_eq!(
            format!("{:?}", got.by_customer),
            format!("{:?}", want.by_customer)
        );
        assert_eq!(
            (
                got.order_date_fallback,
                got.before_opening,
                got.dishonoured_notes
            ),
            (
                want.order_date_fallback,
                want.before_opening,
                want.dishonoured_notes
            )
        );
        // R7 only in the returns and receipts, X9 not in T01: each has its own ledger.
        let keys: Vec<&str> = got.by_customer.keys().map(String::as_str).collect();
        assert_eq!(keys, vec!["", "C1", "C2", "C3", "R7", "X9"]);
        assert_eq!(got.by_customer["C1"].items.len(), 7); // opening, 4 lines, a return, a receipt

        let idx = ctx.customer_index();
        let mut first: BTreeMap<String, NaiveDate> = BTreeMap::new();
        for l in ds.sales.as_deref().unwrap().iter().filter(|l| !l.cancelled) {
            let k = idx.key(l.customer_id.as_deref(), l.customer_name.as_deref());
            let e = first.entry(k).or_insert(l.order_date);
            *e = (*e).min(l.order_date);
        }
        let got: BTreeMap<String, NaiveDate> = ctx
            .first_orders()
            .iter()
            .map(|(k, v)| (k.clone(), *v))
            .collect();
        assert_eq!(got, first);
        assert_eq!(got["C1"], d("2023-11-20"));
        assert!(!got.contains_key("R7"));
    }

    #[test]
    fn the_keyed_grade_runs_and_margins_equal_the_string_keyed_ones() {
        let ds = edge_dataset();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let costs = ctx.costs();
        for m in [
            "2023-11", "2023-12", "2024-02", "2024-03", "2024-04", "2025-03",
        ] {
            let m: Month = m.parse().unwrap();
            let want = grading::grade_run(&ds, &cfg, &ctx.entries, &costs, m);
            assert_eq!(
                format!("{:?}", ctx.grade_run(m)),
                format!("{want:?}"),
                "{m}"
            );
        }
        // Every entry (the lines' and the returns') numbered as its key: by address or by lookup.
        let keys = ctx.keys();
        assert_eq!(keys.entry_customers().len(), ctx.entries.len());
        for (e, n) in ctx.entries.iter().zip(keys.entry_customers()) {
            assert_eq!(keys.name(*n), Some(e.customer_id));
        }
        // X9 (unknown to T01) and the blank key are graded; R7 (returns only) is not.
        let run = ctx.grade_run("2024-03".parse().unwrap());
        let graded: Vec<&str> = run.ranked.iter().map(|s| s.id.as_str()).collect();
        assert!(graded.contains(&"X9") && graded.contains(&"") && !graded.contains(&"R7"));
        for w in windows() {
            let mut want: BTreeMap<String, Decimal> = (*ctx.net_by_customer(w)).clone();
            for e in costs.entries.iter().filter(|e| w.contains(e.date)) {
                add_to(&mut want, e.customer_id, -e.cost);
            }
            let show = |m: &BTreeMap<String, Decimal>| format!("{m:?}");
            assert_eq!(show(&ctx.margin_by_customer(w)), show(&want), "{w:?}");
        }
        let march = Window::months("2024-03".parse().unwrap(), "2024-03".parse().unwrap());
        let margin = ctx.margin_by_customer(march);
        // C3 has lines in the grading window but none in March: no margin in March.
        assert!(!margin.contains_key("C3"));
        // R7: a return of 4 imputed at the average margin rate, taken back from 0.
        assert!(margin["R7"] < Decimal::ZERO);
    }

    #[test]
    fn the_keyed_directory_customers_and_order_dates_equal_the_string_keyed_ones() {
        let ds = edge_dataset();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let by_key = grading::Directory::new(&ds);
        let by_number = ctx.directory();
        let sorted = |m: &HashMap<String, String>| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<BTreeMap<_, _>>()
        };
        assert_eq!(sorted(&by_number.line_names), sorted(&by_key.line_names));
        // The first name a key's lines carry: 甲 for X9 (not 某某), none for the blank key of SO-6.
        assert_eq!(by_number.line_names["X9"], "甲");
        assert!(!by_number.line_names.contains_key(""));
        assert_eq!(by_number.line_names["  "], "乙公司");
        assert_eq!(*ctx.customers(), grading::all_customers(&ds));
        assert!(ctx.customers().contains("  ") && ctx.customers().contains(" C1"));
        let sorted = |m: &HashMap<String, Vec<NaiveDate>>| {
            m.iter()
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect::<BTreeMap<_, _>>()
        };
        let want = retention::order_dates(ds.sales.as_deref().unwrap());
        assert_eq!(sorted(&ctx.order_dates()), sorted(&want));
        assert_eq!(
            ctx.order_dates()["C1"],
            vec![d("2023-11-20"), d("2024-03-02")]
        );
        let roster = ctx.roster();
        let plain = salespeople::Roster::new(&ds);
        for k in ["C1", "C2", "C2 ", "C3", "X9", "", "  ", "甲公司", "R7"] {
            assert_eq!(roster.first_order(k), plain.first_order(k), "{k:?}");
        }
        assert_eq!(roster.first_order("C1"), Some(d("2023-11-20")));
        assert_eq!(roster.first_order("R7"), None);
    }

    #[test]
    fn note_pls_by_number_equal_note_pls_by_key() {
        let ds = edge_dataset();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let roster = ctx.roster();
        let by_key = salespeople::note_pls(&ds, &cfg, &roster);
        let by_number = salespeople::note_pls_with(&ds, &cfg, &roster, Some(ctx.keys()));
        assert_eq!(by_key, by_number);
        assert_eq!(by_key.len(), 4);
        // FIFO bases: C1's 期初 is keyed " C1" in T01, so C1's first shipment is SO-1; X9 (a
        // receipt by 名称 only) has the key "X9" of its lines; C3's 期初 comes first; R7 has no
        // shipment at all (the 收款日期).
        let bases: Vec<NaiveDate> = by_key.iter().map(|n| n.base).collect();
        assert_eq!(
            bases,
            vec![
                d("2023-11-20"),
                d("2024-03-04"),
                d("2023-01-01"),
                d("2024-03-15")
            ]
        );
    }

    #[test]
    fn numbered_entries_and_costs_are_the_window_s_with_their_keys_numbers() {
        let ds = edge_dataset();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let keys = ctx.keys();
        for w in windows() {
            let plain: Vec<&sales::NetEntry> = ctx.entries_in(w).collect();
            let numbered: Vec<(&sales::NetEntry, u32)> = ctx.numbered_entries_in(w).collect();
            assert_eq!(numbered.iter().map(|x| x.0).collect::<Vec<_>>(), plain);
            for (e, n) in &numbered {
                assert_eq!(keys.name(*n), Some(e.customer_id), "{w:?}");
            }
            let plain: Vec<&grading::CostEntry> = ctx.costs_in(w).collect();
            let numbered: Vec<(&grading::CostEntry, u32)> = ctx.numbered_costs_in(w).collect();
            assert_eq!(numbered.iter().map(|x| x.0).collect::<Vec<_>>(), plain);
            for (c, n) in &numbered {
                assert_eq!(keys.name(*n), Some(c.customer_id), "{w:?}");
            }
        }
        // R7's return (only in the returns) is numbered like the lines' customers.
        let march = Window::months("2024-03".parse().unwrap(), "2024-03".parse().unwrap());
        assert!(ctx
            .numbered_costs_in(march)
            .any(|(c, n)| c.customer_id == "R7" && keys.name(n) == Some("R7")));
    }

    #[test]
    fn dates_within_are_the_positions_a_filter_keeps_in_order() {
        let dates = [
            "2024-03-31",
            "2024-02-29",
            "2024-03-01",
            "2024-04-01",
            "2024-03-01",
        ]
        .map(d);
        let idx = Dates::new(dates);
        for w in windows() {
            let want: Vec<usize> = (0..dates.len()).filter(|i| w.contains(dates[*i])).collect();
            assert_eq!(idx.within(w).collect::<Vec<_>>(), want, "{w:?}");
        }
        let march = Window::months("2024-03".parse().unwrap(), "2024-03".parse().unwrap());
        assert_eq!(idx.within(march).collect::<Vec<_>>(), vec![0, 2, 4]);
        assert_eq!(Dates::default().within(march).count(), 0);
    }

    #[test]
    fn the_ctx_slices_equal_the_filters_they_replace() {
        let ds = dataset();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let lines = ds.sales.as_deref().unwrap();
        let costs = ctx.costs();
        for w in windows() {
            let e: Vec<&sales::NetEntry> =
                ctx.entries.iter().filter(|e| w.contains(e.date)).collect();
            assert_eq!(ctx.entries_in(w).collect::<Vec<_>>(), e, "{w:?}");
            let l: Vec<&SaleLine> = lines.iter().filter(|l| w.contains(l.order_date)).collect();
            assert_eq!(ctx.lines_in(w).collect::<Vec<_>>(), l, "{w:?}");
            let c: Vec<&grading::CostEntry> = costs
                .entries
                .iter()
                .filter(|c| w.contains(c.date))
                .collect();
            assert_eq!(ctx.costs_in(w).collect::<Vec<_>>(), c, "{w:?}");
            // The shared sums: the same values with the same scale as the filters' sums.
            let show = |m: &BTreeMap<String, Decimal>| format!("{m:?}");
            assert_eq!(
                show(&ctx.net_by_customer(w)),
                show(&grading::net_by_customer(&ctx.entries, w)),
                "{w:?}"
            );
            assert_eq!(
                show(&ctx.contract_amounts(w)),
                show(&grading::contract_amounts(lines, w)),
                "{w:?}"
            );
            assert_eq!(
                format!("{:?}", ctx.frequencies(w)),
                format!("{:?}", grading::frequencies(lines, w)),
                "{w:?}"
            );
            assert_eq!(
                show(&ctx.net_by_staff(w)),
                show(&salespeople::net_by_staff(&ctx.entries, &ctx.roster(), w)),
                "{w:?}"
            );
        }
        for m in ["2024-02", "2024-03", "2024-04", "2023-03", "2024-05"] {
            let m: Month = m.parse().unwrap();
            assert_eq!(
                ctx.net_sales(m).to_string(),
                sales::net_sales(&ctx.entries, m).to_string(),
                "{m}"
            );
        }
        // March: 1.50 − 1.5 − 1.50 + 2 − 0.25 (the return), the cancelled line left out.
        let march: Month = "2024-03".parse().unwrap();
        assert_eq!(ctx.net_sales(march), dec!(0.25));
        assert_eq!(ctx.entries_of(march).count(), 5);
    }
}
