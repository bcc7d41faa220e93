//! Receivables family (DOMAIN §2.5 M39, M55, M64, M65): accounts receivable per customer at month
//! end, collection (客户货款回收分析表), ageing with FIFO allocation (应收账款账龄分析表), the 逾期 list,
//! customers over their credit limit, and the notes held (应收票据余额).
//!
//! Everything is built from one ledger per customer: a flat list of dated items (期初应收, shipments,
//! returns, receipts). Every figure of every table is a sum over those items, so 期末 = 期初 + 实销 −
//! 实收 and Σ ageing buckets = 期末应收 hold by construction (and are tested).
//!
//! Dates (C2): shipments use the 发货日期, falling back to the 订货日期 (the tables say how many lines
//! did); returns the 退货日期; receipts the 收款日期. Notes (期票, 汇票) count as received at face value
//! on the day they are received, so they are not in AR; the ones still held are listed separately.

use super::grading::Keys;
use super::{missing_table, Column, Ctx, Kind, Month, Table, Value};
use crate::error::Msg;
use crate::model::{Customer, Dataset, Receipt, SaleLine};
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::BTreeMap;

use super::HashMap;

/// Canonical sheet names, as shown in "—, 缺少数据: <sheet>".
pub const SHEET_CUSTOMERS: &str = "客户信息表";
pub const SHEET_SALES: &str = "销售明细";
pub const SHEET_RETURNS: &str = "退货记录";
pub const SHEET_RECEIPTS: &str = "收款记录";

/// Salesperson label when neither the customer nor anything else names one.
pub const NO_STAFF: &str = "未指定";

/// Customer identity (C5): match on 客户编号, else on the 客户名称 of a T01 customer.
pub struct CustomerIndex<'a> {
    by_id: HashMap<&'a str, &'a Customer>,
    by_name: HashMap<&'a str, &'a Customer>,
}

impl<'a> CustomerIndex<'a> {
    pub fn new(customers: &'a [Customer]) -> Self {
        let mut by_id = HashMap::default();
        let mut by_name = HashMap::default();
        for c in customers {
            // The first row wins on a duplicate id: ingest lists duplicates as a data problem (§3.2).
            by_id.entry(c.customer_id.trim()).or_insert(c);
            by_name.entry(c.name.trim()).or_insert(c);
            if let Some(s) = c.short_name.as_deref() {
                by_name.entry(s.trim()).or_insert(c);
            }
        }
        CustomerIndex { by_id, by_name }
    }

    /// The key a record belongs to: its 客户编号 when that names a T01 customer, else the T01
    /// customer of that name, else whatever identifies it (an unmatched customer keeps its own row
    /// rather than vanishing). The sales entries carry the name when the id is blank, so an "id"
    /// that is a T01 name resolves too.
    pub fn key(&self, id: Option<&str>, name: Option<&str>) -> String {
        self.key_ref(id, name).to_string()
    }

    /// [`CustomerIndex::key`] borrowed, for loops over every line that only look the key up.
    pub fn key_ref<'s>(&'s self, id: Option<&'s str>, name: Option<&'s str>) -> &'s str {
        self.resolve(id, name)
    }

    /// [`CustomerIndex::key_ref`] for keys that outlive the index (a T01 key borrows from T01,
    /// any other from the record).
    fn resolve<'s>(&self, id: Option<&'s str>, name: Option<&'s str>) -> &'s str
    where
        'a: 's,
    {
        let id = id.map(str::trim).filter(|s| !s.is_empty());
        let name = name.map(str::trim).filter(|s| !s.is_empty());
        if let Some(c) = id.and_then(|i| self.by_id.get(i)) {
            return c.customer_id.trim();
        }
        if let Some(c) = name.or(id).and_then(|n| self.by_name.get(n)) {
            return c.customer_id.trim();
        }
        id.or(name).unwrap_or_default()
    }

    pub fn get(&self, key: &str) -> Option<&'a Customer> {
        self.by_id.get(key).copied()
    }

    /// [`CustomerIndex::key_ref`] of every sales line, resolved through the lines' customer
    /// numbers ([`Keys`]): a line whose 客户编号 names a T01 customer resolves to it whatever its
    /// 名称, so that is looked up once per customer number, not once per line; only the other
    /// lines (no 客户编号, or one T01 does not have) are resolved one by one.
    pub fn line_keys(&self, lines: &'a [SaleLine], keys: &Keys) -> LineKeys<'a> {
        let mut out = LineKeys::default();
        let mut number: HashMap<&'a str, u32> = HashMap::default();
        let mut add = |k: &'a str, out: &mut LineKeys<'a>| -> u32 {
            *number.entry(k).or_insert_with(|| {
                out.keys.push(k);
                (out.keys.len() - 1) as u32
            })
        };
        // Per customer number: the T01 customer its key names as a 客户编号, if any.
        let by_number: Vec<Option<u32>> = (0..keys.customers() as u32)
            .map(|n| {
                let id = keys.name(n)?.trim();
                let c = self.by_id.get(id).filter(|_| !id.is_empty())?;
                Some(add(c.customer_id.trim(), &mut out))
            })
            .collect();
        out.of_line = lines
            .iter()
            .zip(keys.line_customers())
            .map(|(l, &n)| {
                // The line's key is its 客户编号 (line_key): the T01 customer by that number.
                let known = l
                    .customer_id
                    .as_ref()
                    .and(by_number.get(n as usize).copied().flatten());
                match known {
                    Some(k) => k,
                    None => add(
                        self.resolve(l.customer_id.as_deref(), l.customer_name.as_deref()),
                        &mut out,
                    ),
                }
            })
            .collect();
        out
    }

    /// [`CustomerIndex::line_keys`] resolving every line by itself (no [`Keys`] at hand).
    pub fn line_keys_plain(&self, lines: &'a [SaleLine]) -> LineKeys<'a> {
        let mut out = LineKeys::default();
        let mut number: HashMap<&'a str, u32> = HashMap::default();
        out.of_line = lines
            .iter()
            .map(|l| {
                let k = self.resolve(l.customer_id.as_deref(), l.customer_name.as_deref());
                *number.entry(k).or_insert_with(|| {
                    out.keys.push(k);
                    (out.keys.len() - 1) as u32
                })
            })
            .collect();
        out
    }

    /// 客户名称 of a key, or the key itself for a customer not in T01.
    pub fn name(&self, key: &str) -> String {
        self.get(key)
            .map_or_else(|| key.to_string(), |c| c.name.clone())
    }

    /// The customer's 负责人 (C4), or [`NO_STAFF`].
    pub fn owner(&self, key: &str) -> String {
        self.get(key)
            .and_then(|c| c.owner.clone())
            .unwrap_or_else(|| NO_STAFF.into())
    }
}

/// The customer key ([`CustomerIndex::key_ref`]) of every sales line, numbered: built once per
/// run ([`super::Ctx::line_keys`]) for the loops over every line that gather by customer (the
/// ledgers, the first orders), which spent their time hashing and comparing the lines' keys.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct LineKeys<'a> {
    /// The distinct keys, by number.
    pub keys: Vec<&'a str>,
    /// Per sales line, in sheet order: its key's number.
    pub of_line: Vec<u32>,
}

impl<'a> LineKeys<'a> {
    /// The key of line `i`.
    pub fn of(&self, i: usize) -> Option<&'a str> {
        let n = *self.of_line.get(i)?;
        self.keys.get(n as usize).copied()
    }
}

/// What moved a receivable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum ArKind {
    Opening,
    Shipment,
    Return,
    Receipt,
}

/// One dated item of a customer's ledger. `amount` is as entered (a shipment's net amount, a
/// return's or receipt's positive amount); [`ArItem::signed`] gives its effect on AR.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ArItem {
    pub date: NaiveDate,
    pub kind: ArKind,
    pub amount: Decimal,
}

impl ArItem {
    pub fn new(date: NaiveDate, kind: ArKind, amount: Decimal) -> Self {
        ArItem { date, kind, amount }
    }
    pub fn signed(&self) -> Decimal {
        match self.kind {
            ArKind::Opening | ArKind::Shipment => self.amount,
            ArKind::Return | ArKind::Receipt => -self.amount,
        }
    }
}

/// One customer's ledger.
#[derive(Debug, Clone, PartialEq)]
pub struct Ledger {
    pub key: String,
    pub name: String,
    pub owner: String,
    /// 信用期 in days: the customer's own, else `credit.default_days`.
    pub credit_days: i64,
    pub items: Vec<ArItem>,
}

/// All ledgers plus what the notes under the tables must say.
#[derive(Debug, Clone, Default)]
pub struct Ledgers {
    pub by_customer: BTreeMap<String, Ledger>,
    /// Shipment lines without a 发货日期, dated by their 订货日期 instead (C2).
    pub order_date_fallback: usize,
    /// Items dated before their customer's 期初日期, left out because the opening balance holds them.
    pub before_opening: usize,
    /// Notes with 票据状态 拒付: still counted as received, as M38/M39 say; the clerk is told.
    pub dishonoured_notes: usize,
}

/// A receipt by promissory note or draft (M40's list of methods).
pub fn is_note(r: &Receipt) -> bool {
    r.method.as_deref().is_some_and(|m| {
        ["期票", "汇票", "远期支票", "承兑"]
            .iter()
            .any(|k| m.contains(k))
    })
}

/// Build every customer's ledger from the accepted records. Missing sheets give no items.
pub fn ledgers(ds: &Dataset, default_credit_days: i64) -> Ledgers {
    let idx = CustomerIndex::new(ds.customers.as_deref().unwrap_or(&[]));
    let lines = idx.line_keys_plain(ds.sales.as_deref().unwrap_or(&[]));
    ledgers_by_keys(ds, &idx, &lines, default_credit_days)
}

/// [`ledgers`] with the T01 index built and the lines' keys resolved ([`super::Ctx::line_keys`]).
pub fn ledgers_by_keys<'d>(
    ds: &'d Dataset,
    idx: &CustomerIndex<'d>,
    line_keys: &LineKeys<'d>,
    default_credit_days: i64,
) -> Ledgers {
    let customers = ds.customers.as_deref().unwrap_or(&[]);
    let mut out = Ledgers::default();
    // The lines' items gathered by key number (no hash per line), the others under borrowed keys
    // (one hash per item, no String per item); then sorted into the BTreeMap once per customer.
    // Each key's list sized once for its lines (a u32 per line to count, where growing the lists
    // line by line copied them over and over).
    let mut counts = vec![0usize; line_keys.keys.len()];
    for &n in &line_keys.of_line {
        if let Some(c) = counts.get_mut(n as usize) {
            *c += 1;
        }
    }
    let mut lists: Vec<(&str, Vec<ArItem>)> = line_keys
        .keys
        .iter()
        .zip(counts)
        .map(|(k, c)| (*k, Vec::with_capacity(c)))
        .collect();
    let mut items: HashMap<&str, usize> = line_keys
        .keys
        .iter()
        .enumerate()
        .map(|(n, k)| (*k, n))
        .collect();

    for (l, &n) in ds
        .sales
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .zip(&line_keys.of_line)
    {
        if l.cancelled {
            continue; // C6
        }
        let date = l.ship_date.unwrap_or_else(|| {
            out.order_date_fallback += 1;
            l.order_date
        });
        let net = l.amount - l.discount - l.rebate;
        if let Some((_, list)) = lists.get_mut(n as usize) {
            list.push(ArItem::new(date, ArKind::Shipment, net));
        }
    }
    fn list_of<'m, 'k>(
        items: &mut HashMap<&'k str, usize>,
        lists: &'m mut Vec<(&'k str, Vec<ArItem>)>,
        key: &'k str,
    ) -> &'m mut Vec<ArItem> {
        let n = list_no(items, lists, key);
        &mut lists[n].1
    }
    fn list_no<'k>(
        items: &mut HashMap<&'k str, usize>,
        lists: &mut Vec<(&'k str, Vec<ArItem>)>,
        key: &'k str,
    ) -> usize {
        *items.entry(key).or_insert_with(|| {
            lists.push((key, Vec::new()));
            lists.len() - 1
        })
    }
    // A return's or receipt's list. A 客户编号 that names a T01 customer resolves to it whatever
    // the 名称 says, so its list is remembered under the 客户编号 as typed: the next record of that
    // customer finds it with one lookup instead of resolving the key and looking its list up.
    let mut by_id: HashMap<&'d str, usize> = HashMap::default();
    let mut list_for = |items: &mut HashMap<&'d str, usize>,
                        lists: &mut Vec<(&'d str, Vec<ArItem>)>,
                        id: Option<&'d str>,
                        name: Option<&'d str>|
     -> usize {
        if let Some(n) = id.and_then(|i| by_id.get(i)) {
            return *n;
        }
        let n = list_no(items, lists, idx.resolve(id, name));
        if let Some(i) = id.filter(|i| !i.trim().is_empty() && idx.get(i.trim()).is_some()) {
            by_id.insert(i, n);
        }
        n
    };
    // 换货 is not deducted from 实销额, so it does not reduce AR either.
    for r in ds
        .returns
        .as_deref()
        .unwrap_or(&[])
        .iter()
        .filter(|r| !r.exchange)
    {
        let n = list_for(
            &mut items,
            &mut lists,
            r.customer_id.as_deref(),
            r.customer_name.as_deref(),
        );
        lists[n]
            .1
            .push(ArItem::new(r.return_date, ArKind::Return, r.amount));
    }
    for r in ds.receipts.as_deref().unwrap_or(&[]) {
        if r.note_status.as_deref().is_some_and(|s| s.contains("拒付")) && is_note(r) {
            out.dishonoured_notes += 1;
        }
        let n = list_for(
            &mut items,
            &mut lists,
            r.customer_id.as_deref(),
            r.customer_name.as_deref(),
        );
        lists[n]
            .1
            .push(ArItem::new(r.receipt_date, ArKind::Receipt, r.amount));
    }
    for c in customers {
        let list = list_of(&mut items, &mut lists, c.customer_id.trim());
        let Some(opening) = c.opening_ar.filter(|a| !a.is_zero()) else {
            continue;
        };
        let date = match c.opening_ar_date {
            Some(d) => {
                // The opening balance at 期初日期 already holds everything dated before it.
                let before = list.iter().filter(|i| i.date < d).count();
                out.before_opening += before;
                list.retain(|i| i.date >= d);
                d
            }
            // No 期初日期 (ingest requires one): the balance predates every movement.
            None => list.iter().map(|i| i.date).min().unwrap_or(NaiveDate::MIN),
        };
        list.push(ArItem::new(date, ArKind::Opening, opening));
    }

    for (key, mut list) in lists {
        if list.is_empty() {
            continue;
        }
        // Stable order: by date, openings first on a day, then input order.
        list.sort_by(|a, b| {
            a.date
                .cmp(&b.date)
                .then((b.kind == ArKind::Opening).cmp(&(a.kind == ArKind::Opening)))
        });
        let credit_days = idx
            .get(key)
            .and_then(|c| c.credit_days)
            .unwrap_or(default_credit_days);
        out.by_customer.insert(
            key.to_owned(),
            Ledger {
                name: idx.name(key),
                owner: idx.owner(key),
                credit_days,
                items: list,
                key: key.to_owned(),
            },
        );
    }
    out
}

/// AR at the end of `date` (M39): Σ of every item dated on or before it.
pub fn balance(items: &[ArItem], date: NaiveDate) -> Decimal {
    items
        .iter()
        .filter(|i| i.date <= date)
        .map(ArItem::signed)
        .sum()
}

/// One customer's month (客户货款回收分析表 row). `closing = opening + shipped − returns − received`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct MonthFigures {
    /// AR brought forward: items before the month, plus an opening balance dated inside it.
    pub opening: Decimal,
    /// Net amount (after 折扣 and 优惠) of lines shipped in the month.
    pub shipped: Decimal,
    pub returns: Decimal,
    pub received: Decimal,
    pub closing: Decimal,
}

impl MonthFigures {
    /// 本期实销 (shipped basis) = shipments − returns.
    pub fn net_sales(&self) -> Decimal {
        self.shipped - self.returns
    }
    pub fn add(&mut self, o: &MonthFigures) {
        self.opening += o.opening;
        self.shipped += o.shipped;
        self.returns += o.returns;
        self.received += o.received;
        self.closing += o.closing;
    }
    pub fn is_zero(&self) -> bool {
        [
            self.opening,
            self.shipped,
            self.returns,
            self.received,
            self.closing,
        ]
        .iter()
        .all(Decimal::is_zero)
    }
}

pub fn month_figures(items: &[ArItem], month: Month) -> MonthFigures {
    let mut f = MonthFigures::default();
    for i in items.iter().filter(|i| i.date <= month.last_day()) {
        if i.date < month.first_day() || i.kind == ArKind::Opening {
            f.opening += i.signed();
            continue;
        }
        match i.kind {
            ArKind::Shipment => f.shipped += i.amount,
            ArKind::Return => f.returns += i.amount,
            ArKind::Receipt => f.received += i.amount,
            ArKind::Opening => {}
        }
    }
    f.closing = balance(items, month.last_day());
    f
}

/// M55 回收率 = 本期实收 / (期初应收 + 本期实销). A zero base is "—" (C3); so is a negative one
/// (a customer in credit), where a rate would mean nothing.
pub fn collection_rate(received: Decimal, opening: Decimal, net_sales: Decimal) -> Value {
    let base = opening + net_sales;
    if base <= Decimal::ZERO {
        Value::NotApplicable
    } else {
        Value::Ratio(received / base)
    }
}

/// M55 平均收款天数 = 期末应收 / 本期实销 × days in the period, rounded half-up to whole days.
/// "—" when nothing was sold or the customer is in credit. A Qty, not an Int: day counts of
/// customers do not add up, and the xlsx renderer writes Int totals as SUM formulas.
pub fn collection_days(closing: Decimal, net_sales: Decimal, days: i64) -> Value {
    if net_sales <= Decimal::ZERO || closing < Decimal::ZERO {
        return Value::NotApplicable;
    }
    Value::Qty(
        (closing / net_sales * Decimal::from(days))
            .round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero),
    )
}

/// Ageing buckets of M64, by days since the 发货日期: upper bounds (inclusive) and labels.
pub const BUCKETS: [(i64, &str, &str); 6] = [
    (30, "0–30天", "0–30 days"),
    (60, "31–60天", "31–60 days"),
    (90, "61–90天", "61–90 days"),
    (180, "91–180天", "91–180 days"),
    (365, "181–365天", "181–365 days"),
    (i64::MAX, ">365天", ">365 days"),
];

pub fn bucket_of(age_days: i64) -> usize {
    BUCKETS
        .iter()
        .position(|(max, _, _)| age_days <= *max)
        .unwrap_or(BUCKETS.len() - 1)
}

/// M64: receipts and returns (and any negative line) allocated FIFO to the oldest debits.
/// Returns the still-open debits (date, remaining amount) and the credit left unapplied.
pub fn fifo_open(items: &[ArItem], at: NaiveDate) -> (Vec<(NaiveDate, Decimal)>, Decimal) {
    let mut open = Vec::new();
    let credit = for_each_open(items, at, |d, a| open.push((d, a)));
    (open, credit)
}

/// [`fifo_open`] without the list: `f` gets each open (date, amount) in FIFO order, the unapplied
/// credit is returned. The ageing of every customer at a month end asks for it several times a
/// pack (ageing tables, overdue list, danger flags of each month scored).
fn for_each_open(
    items: &[ArItem],
    at: NaiveDate,
    mut f: impl FnMut(NaiveDate, Decimal),
) -> Decimal {
    // A ledger's items are sorted by date ([`ledgers`]): the items up to `at` are a prefix and its
    // debits are already in FIFO order (no copy, no sort). This runs for every customer at up to 12
    // month ends.
    if items.is_sorted_by_key(|i| i.date) {
        let items = &items[..items.partition_point(|i| i.date <= at)];
        let mut credit: Decimal = items
            .iter()
            .map(ArItem::signed)
            .filter(|s| *s < Decimal::ZERO)
            .map(|s| -s)
            .sum();
        for i in items {
            let amount = i.signed();
            if amount > Decimal::ZERO {
                let take = amount.min(credit);
                credit -= take;
                if amount > take {
                    f(i.date, amount - take);
                }
            }
        }
        return credit;
    }
    let (open, credit) = fifo_open_any_order(items, at);
    for (d, a) in open {
        f(d, a);
    }
    credit
}

/// [`fifo_open`] for items in any order: the debits up to `at` copied and sorted by date.
fn fifo_open_any_order(items: &[ArItem], at: NaiveDate) -> (Vec<(NaiveDate, Decimal)>, Decimal) {
    let mut credit: Decimal = items
        .iter()
        .filter(|i| i.date <= at && i.signed() < Decimal::ZERO)
        .map(|i| -i.signed())
        .sum();
    let mut debits: Vec<(NaiveDate, Decimal)> = items
        .iter()
        .filter(|i| i.date <= at && i.signed() > Decimal::ZERO)
        .map(|i| (i.date, i.signed()))
        .collect();
    debits.sort_by_key(|(d, _)| *d); // stable: same-day debits keep ledger order
    let mut open = Vec::new();
    for (date, amount) in debits {
        let take = amount.min(credit);
        credit -= take;
        if amount > take {
            open.push((date, amount - take));
        }
    }
    (open, credit)
}

/// A customer's ageing at a date.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Ageing {
    pub buckets: [Decimal; 6],
    /// Credit not yet applied to any shipment (预收 / 贷方余额), shown as a negative column so that
    /// Σ buckets − unapplied = AR.
    pub unapplied: Decimal,
    /// Open amount older than the customer's 信用期.
    pub overdue: Decimal,
    /// Age in days of the oldest open amount.
    pub oldest_days: Option<i64>,
    /// Days past the 信用期 of the oldest overdue amount.
    pub max_overdue_days: Option<i64>,
}

impl Ageing {
    pub fn total(&self) -> Decimal {
        self.buckets.iter().copied().sum::<Decimal>() - self.unapplied
    }
    pub fn add(&mut self, o: &Ageing) {
        for (a, b) in self.buckets.iter_mut().zip(o.buckets) {
            *a += b;
        }
        self.unapplied += o.unapplied;
        self.overdue += o.overdue;
        self.oldest_days = self.oldest_days.max(o.oldest_days);
        self.max_overdue_days = self.max_overdue_days.max(o.max_overdue_days);
    }
}

/// M64 ageing of one ledger at `at`; 逾期 = age > `credit_days`.
pub fn ageing(items: &[ArItem], at: NaiveDate, credit_days: i64) -> Ageing {
    let mut a = Ageing::default();
    a.unapplied = for_each_open(items, at, |date, amount| {
        let age = (at - date).num_days();
        a.buckets[bucket_of(age)] += amount;
        a.oldest_days = a.oldest_days.max(Some(age));
        if age > credit_days {
            a.overdue += amount;
            a.max_overdue_days = a.max_overdue_days.max(Some(age - credit_days));
        }
    });
    a
}

/// [`ageing`] of every ledger at `at`, in the ledgers' order ([`super::Ctx::ageings`] shares
/// them: the danger flags, the ageing and the overdue tables all age the same ledgers at the
/// same month end).
pub fn ageings(l: &Ledgers, at: NaiveDate) -> Vec<Ageing> {
    l.by_customer
        .values()
        .map(|led| ageing(&led.items, at, led.credit_days))
        .collect()
}

/// The ageings of `l` at `at`: `ages` when they are those ([`ageings`], one per ledger), else
/// computed here.
pub(crate) fn ages_of<'x>(
    l: &Ledgers,
    at: NaiveDate,
    ages: Option<&'x [Ageing]>,
) -> std::borrow::Cow<'x, [Ageing]> {
    match ages.filter(|a| a.len() == l.by_customer.len()) {
        Some(a) => std::borrow::Cow::Borrowed(a),
        None => std::borrow::Cow::Owned(ageings(l, at)),
    }
}

/// Notes still held at `at` (应收票据余额, M39): received by then and 票据状态 未到期; a note with a
/// blank status counts as held while its 到期日 is after `at`.
pub fn notes_held(receipts: &[Receipt], at: NaiveDate) -> Vec<&Receipt> {
    receipts
        .iter()
        .filter(|r| is_note(r) && r.receipt_date <= at)
        .filter(|r| match r.note_status.as_deref().map(str::trim) {
            Some("") | None => r.note_due_date.is_some_and(|d| d > at),
            Some(s) => s.contains("未到期"),
        })
        .collect()
}

/// M65 超限额: AR − limit when positive and a limit exists.
pub fn over_limit(ar: Decimal, limit: Option<Decimal>) -> Option<Decimal> {
    limit.map(|l| ar - l).filter(|x| *x > Decimal::ZERO)
}

fn int_or_empty(x: Option<i64>) -> Value {
    x.map_or(Value::Empty, Value::Int)
}

fn days_in(month: Month) -> i64 {
    (month.last_day() - month.first_day()).num_days() + 1
}

/// The notes every AR table carries: how dates were taken and what was left out.
fn ledger_notes(ctx: &Ctx, l: &Ledgers) -> Vec<Msg> {
    let mut notes = vec![Msg::new(
        "应收 = 期初应收 + 发货净额(扣折扣、优惠) − 退货 − 收款(含期票); 按发货日期归属; 金额单位: 元",
        "AR = opening + net shipments (after discounts and rebates) − returns − receipts (notes included); by ship date; amounts in yuan",
    )];
    if l.order_date_fallback > 0 {
        notes.push(Msg::new(
            format!(
                "{} 行销售明细无发货日期, 按订货日期计",
                l.order_date_fallback
            ),
            format!(
                "{} sales lines have no ship date; their order date was used",
                l.order_date_fallback
            ),
        ));
    }
    if l.before_opening > 0 {
        notes.push(Msg::new(
            format!(
                "{} 笔业务早于客户的期初日期, 已含在期初应收中, 不重复计算",
                l.before_opening
            ),
            format!(
                "{} items predate their customer's opening-balance date and are held in the opening balance",
                l.before_opening
            ),
        ));
    }
    if l.dishonoured_notes > 0 {
        notes.push(Msg::new(
            format!(
                "{} 张票据拒付, 仍按已收款计 (M38), 请核对并补录冲回",
                l.dishonoured_notes
            ),
            format!(
                "{} notes were dishonoured; they still count as received (M38): check and book the reversal",
                l.dishonoured_notes
            ),
        ));
    }
    if ctx.ds.customers.is_none() {
        notes.push(Msg::new(
            format!(
                "缺少数据: {SHEET_CUSTOMERS}, 无期初应收, 信用期按默认 {} 天",
                ctx.cfg.credit.default_days
            ),
            format!(
                "Missing {SHEET_CUSTOMERS}: no opening balances; credit period {} days by default",
                ctx.cfg.credit.default_days
            ),
        ));
    }
    if ctx.ds.returns.is_none() {
        notes.push(Msg::new(
            format!("缺少数据: {SHEET_RETURNS}, 未扣退货"),
            format!("Missing {SHEET_RETURNS}: no returns deducted"),
        ));
    }
    notes
}

/// The sheet whose absence makes AR unknowable, if any: without sales or receipts any AR figure
/// would be wrong, so it is shown as missing rather than computed.
fn missing_sheet(ds: &Dataset) -> Option<&'static str> {
    if ds.sales.is_none() {
        Some(SHEET_SALES)
    } else if ds.receipts.is_none() {
        Some(SHEET_RECEIPTS)
    } else {
        None
    }
}

fn collection_columns(first: Vec<Column>) -> Vec<Column> {
    let mut cols = first;
    cols.extend([
        Column::new("opening", "期初应收", "Opening AR", Kind::Money),
        Column::new(
            "net_sales",
            "本月实销(发货)",
            "Net sales shipped",
            Kind::Money,
        ),
        Column::new("received", "本月实收", "Received", Kind::Money),
        Column::new("closing", "期末应收", "Closing AR", Kind::Money),
        Column::new("rate", "回收率", "Collection rate", Kind::Percent),
        Column::new("days", "平均收款天数", "Avg. collection days", Kind::Qty),
    ]);
    cols
}

fn collection_cells(f: &MonthFigures, days: i64) -> Vec<Value> {
    vec![
        Value::Money(f.opening),
        Value::Money(f.net_sales()),
        Value::Money(f.received),
        Value::Money(f.closing),
        collection_rate(f.received, f.opening, f.net_sales()),
        collection_days(f.closing, f.net_sales(), days),
    ]
}

/// 客户货款回收分析表 (M39, M55): one row per customer with any balance or movement.
pub fn collection_table(l: &Ledgers, month: Month, notes: Vec<Msg>) -> Table {
    let days = days_in(month);
    let mut total = MonthFigures::default();
    let mut rows = Vec::new();
    for led in l.by_customer.values() {
        let f = month_figures(&led.items, month);
        if f.is_zero() {
            continue;
        }
        total.add(&f);
        let mut row = vec![
            Value::Text(led.name.clone()),
            Value::Text(led.owner.clone()),
        ];
        row.extend(collection_cells(&f, days));
        rows.push(row);
    }
    let mut totals = vec![Value::Text("合计".into()), Value::Empty];
    totals.extend(collection_cells(&total, days));
    let mut notes = notes;
    notes.push(Msg::new(
        "本月实销(发货) = 本月发货净额 − 本月退货; 回收率 = 本月实收 / (期初应收 + 本月实销); 平均收款天数 = 期末应收 / 本月实销 × 本月天数",
        "Net sales shipped = net shipments − returns; collection rate = received / (opening + net sales); avg. days = closing / net sales × days in month",
    ));
    Table {
        id: "receivables".into(),
        title: Msg::new(
            format!("{} 客户货款回收分析表", month.zh()),
            format!("Customer collection analysis, {month}"),
        ),
        columns: collection_columns(vec![
            Column::new("customer", "客户名称", "Customer", Kind::Text),
            Column::new("staff", "业务员", "Salesperson", Kind::Text),
        ]),
        rows,
        totals: Some(totals),
        notes,
    }
}

/// M39/M55 per salesperson (the customer's 负责人).
pub fn collection_by_staff_table(l: &Ledgers, month: Month, notes: Vec<Msg>) -> Table {
    let days = days_in(month);
    let mut by_staff: BTreeMap<&str, MonthFigures> = BTreeMap::new();
    for led in l.by_customer.values() {
        let f = month_figures(&led.items, month);
        if !f.is_zero() {
            by_staff.entry(led.owner.as_str()).or_default().add(&f);
        }
    }
    let mut total = MonthFigures::default();
    let mut rows = Vec::new();
    // 未指定 goes last: it is a gap to fill, not a person.
    let mut staff: Vec<_> = by_staff.into_iter().collect();
    staff.sort_by_key(|(s, _)| (*s == NO_STAFF, s.to_string()));
    for (s, f) in staff {
        total.add(&f);
        let mut row = vec![Value::Text(s.to_string())];
        row.extend(collection_cells(&f, days));
        rows.push(row);
    }
    let mut totals = vec![Value::Text("合计".into())];
    totals.extend(collection_cells(&total, days));
    let mut notes = notes;
    notes.push(Msg::new(
        "应收按客户负责人归属",
        "AR is attributed to the customer's account owner",
    ));
    Table {
        id: "receivables-by-staff".into(),
        title: Msg::new(
            format!("{} 业务员货款回收", month.zh()),
            format!("Collection by salesperson, {month}"),
        ),
        columns: collection_columns(vec![Column::new(
            "staff",
            "业务员",
            "Salesperson",
            Kind::Text,
        )]),
        rows,
        totals: Some(totals),
        notes,
    }
}

fn ageing_cells(a: &Ageing) -> Vec<Value> {
    let mut v = vec![Value::Money(a.total())];
    v.extend(a.buckets.iter().map(|b| Value::Money(*b)));
    v.push(Value::Money(-a.unapplied));
    v
}

/// 应收账款账龄分析表 (M64): one row per customer with AR or unapplied credit at month end. The
/// 逾期 and 超限额 figures have their own lists ([`overdue_table`], [`over_limit_table`]), so the
/// printed table stays ten columns wide.
pub fn ageing_table(l: &Ledgers, month: Month, notes: Vec<Msg>) -> Table {
    ageing_table_with(l, None, month, notes)
}

/// [`ageing_table`] with the ledgers' ageings at the month end ([`ageings`]) when known.
pub fn ageing_table_with(
    l: &Ledgers,
    ages: Option<&[Ageing]>,
    month: Month,
    notes: Vec<Msg>,
) -> Table {
    let at = month.last_day();
    let ages = ages_of(l, at, ages);
    let mut columns = vec![
        Column::new("customer", "客户名称", "Customer", Kind::Text),
        Column::new("staff", "业务员", "Salesperson", Kind::Text),
        Column::new("ar", "应收余额", "AR", Kind::Money),
    ];
    for (i, (_, zh, en)) in BUCKETS.iter().enumerate() {
        columns.push(Column::new(&format!("b{i}"), zh, en, Kind::Money));
    }
    columns.push(Column::new(
        "unapplied",
        "预收/未核销",
        "Unapplied credit",
        Kind::Money,
    ));
    let mut total = Ageing::default();
    let mut rows = Vec::new();
    for (led, a) in l.by_customer.values().zip(ages.iter()) {
        if a.total().is_zero() && a.unapplied.is_zero() {
            continue;
        }
        total.add(a);
        let mut row = vec![
            Value::Text(led.name.clone()),
            Value::Text(led.owner.clone()),
        ];
        row.extend(ageing_cells(a));
        rows.push(row);
    }
    let mut totals = vec![Value::Text("合计".into()), Value::Empty];
    totals.extend(ageing_cells(&total));
    let mut notes = notes;
    notes.push(Msg::new(
        "账龄按发货日期计至月末; 收款与退货按先进先出冲销最早的发货; 逾期 = 账龄超过客户信用期; 应收余额 = 各账龄段合计 − 预收",
        "Age from ship date to month end; receipts and returns settle the oldest shipments first (FIFO); overdue = older than the customer's credit days; AR = Σ buckets − unapplied credit",
    ));
    Table {
        id: "ageing".into(),
        title: Msg::new(
            format!("{} 应收账款账龄分析表", month.zh()),
            format!("AR ageing, {month}"),
        ),
        columns,
        rows,
        totals: Some(totals),
        notes,
    }
}

/// The 逾期 list: customers with an overdue amount, longest overdue first.
pub fn overdue_table(l: &Ledgers, month: Month) -> Table {
    overdue_table_with(l, None, month)
}

/// [`overdue_table`] with the ledgers' ageings at the month end ([`ageings`]) when known.
pub fn overdue_table_with(l: &Ledgers, ages: Option<&[Ageing]>, month: Month) -> Table {
    let at = month.last_day();
    let ages = ages_of(l, at, ages);
    let mut list: Vec<(&Ledger, &Ageing)> = l
        .by_customer
        .values()
        .zip(ages.iter())
        .filter(|(_, a)| a.overdue > Decimal::ZERO)
        .collect();
    list.sort_by(|(la, a), (lb, b)| {
        b.max_overdue_days
            .cmp(&a.max_overdue_days)
            .then(b.overdue.cmp(&a.overdue))
            .then(la.key.cmp(&lb.key))
    });
    let (mut t_ar, mut t_over) = (Decimal::ZERO, Decimal::ZERO);
    let rows = list
        .iter()
        .map(|(led, a)| {
            t_ar += a.total();
            t_over += a.overdue;
            vec![
                Value::Text(led.name.clone()),
                Value::Text(led.owner.clone()),
                Value::Money(a.total()),
                Value::Money(a.overdue),
                Value::Int(led.credit_days),
                int_or_empty(a.max_overdue_days),
            ]
        })
        .collect();
    Table {
        id: "overdue".into(),
        title: Msg::new(
            format!("{} 逾期应收清单", month.zh()),
            format!("Overdue receivables, {month}"),
        ),
        columns: vec![
            Column::new("customer", "客户名称", "Customer", Kind::Text),
            Column::new("staff", "业务员", "Salesperson", Kind::Text),
            Column::new("ar", "应收余额", "AR", Kind::Money),
            Column::new("overdue", "逾期金额", "Overdue", Kind::Money),
            Column::new("credit_days", "信用期(天)", "Credit days", Kind::Int),
            Column::new("max_overdue", "最长逾期天数", "Max days overdue", Kind::Int),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Empty,
            Value::Money(t_ar),
            Value::Money(t_over),
            Value::Empty,
            Value::Empty,
        ]),
        notes: vec![],
    }
}

/// Where a customer's limit in force comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LimitSource {
    /// 赊销限额 typed in 客户信息表: a manual value wins (M62).
    Manual,
    /// Computed by M62 from the latest credit survey.
    Computed,
}

/// M65 customers over their limit, largest excess first.
pub fn over_limit_table(
    l: &Ledgers,
    month: Month,
    limits: &BTreeMap<String, (Decimal, LimitSource)>,
) -> Table {
    let at = month.last_day();
    let mut list: Vec<(&Ledger, Decimal, Decimal, LimitSource, Decimal)> = l
        .by_customer
        .values()
        .filter_map(|led| {
            let (limit, src) = *limits.get(&led.key)?;
            let ar = balance(&led.items, at);
            let over = over_limit(ar, Some(limit))?;
            Some((led, ar, limit, src, over))
        })
        .collect();
    list.sort_by(|a, b| b.4.cmp(&a.4).then(a.0.key.cmp(&b.0.key)));
    let mut total = Decimal::ZERO;
    let rows = list
        .iter()
        .map(|(led, ar, limit, src, over)| {
            total += *over;
            vec![
                Value::Text(led.name.clone()),
                Value::Text(led.owner.clone()),
                Value::Money(*ar),
                Value::Money(*limit),
                Value::Text(match src {
                    LimitSource::Manual => "客户信息表".into(),
                    LimitSource::Computed => "信用评定计算".into(),
                }),
                Value::Money(*over),
            ]
        })
        .collect();
    Table {
        id: "over-limit".into(),
        title: Msg::new(
            format!("{} 超限额客户", month.zh()),
            format!("Customers over credit limit, {month}"),
        ),
        columns: vec![
            Column::new("customer", "客户名称", "Customer", Kind::Text),
            Column::new("staff", "业务员", "Salesperson", Kind::Text),
            Column::new("ar", "应收余额", "AR", Kind::Money),
            Column::new("limit", "赊销限额", "Credit limit", Kind::Money),
            Column::new("limit_source", "限额来源", "Limit source", Kind::Text),
            Column::new("over_limit", "超限额", "Over limit", Kind::Money),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Money(total),
        ]),
        notes: vec![Msg::new(
            "超限额 = 应收余额 − 赊销限额 (M65); 客户信息表中的限额优先, 否则用信用评定计算的限额",
            "Over limit = AR − credit limit (M65); the limit in the customer sheet wins, else the computed one",
        )],
    }
}

/// 应收票据余额 (M39): notes held at month end, not part of AR.
pub fn notes_table(ctx: &Ctx) -> Table {
    let title = Msg::new(
        format!("{} 应收票据余额", ctx.month.zh()),
        format!("Notes receivable held, {}", ctx.month),
    );
    let Some(receipts) = ctx.ds.receipts.as_deref() else {
        return missing_table("notes-receivable", title, SHEET_RECEIPTS);
    };
    let idx = ctx.customer_index();
    let mut held = notes_held(receipts, ctx.month.last_day());
    held.sort_by_key(|r| (r.note_due_date, r.receipt_date));
    let mut total = Decimal::ZERO;
    let rows = held
        .iter()
        .map(|r| {
            total += r.amount;
            let key = idx.key(r.customer_id.as_deref(), r.customer_name.as_deref());
            vec![
                Value::Text(idx.name(&key)),
                Value::Text(r.receipt_no.clone().unwrap_or_default()),
                Value::Text(r.method.clone().unwrap_or_default()),
                Value::Date(r.receipt_date),
                r.note_due_date.map_or(Value::Empty, Value::Date),
                Value::Money(r.amount),
            ]
        })
        .collect();
    Table {
        id: "notes-receivable".into(),
        title,
        columns: vec![
            Column::new("customer", "客户名称", "Customer", Kind::Text),
            Column::new("receipt_no", "收款单号", "Receipt no.", Kind::Text),
            Column::new("method", "收款方式", "Method", Kind::Text),
            Column::new("received", "收票日期", "Received", Kind::Date),
            Column::new("due", "票据到期日", "Due", Kind::Date),
            Column::new("amount", "票面金额", "Face amount", Kind::Money),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Money(total),
        ]),
        notes: vec![Msg::new(
            "期票按收到日计入实收, 不在应收余额中; 此处列出月末仍持有 (未到期) 的票据",
            "Notes count as received on receipt and are not in AR; listed here are those still held (not yet due) at month end",
        )],
    }
}

/// KPI of the 摘要 (§4.1): 应收余额 (M39) at the end of `month`, or Missing when AR is unknowable.
pub fn ar_total(ds: &Dataset, default_credit_days: i64, month: Month) -> Value {
    if let Some(sheet) = missing_sheet(ds) {
        return Value::Missing(sheet.into());
    }
    ar_total_of(ds, &ledgers(ds, default_credit_days), month)
}

/// [`ar_total`] from ledgers already built (the pack builds them once).
pub fn ar_total_of(ds: &Dataset, l: &Ledgers, month: Month) -> Value {
    if let Some(sheet) = missing_sheet(ds) {
        return Value::Missing(sheet.into());
    }
    Value::Money(
        l.by_customer
            .values()
            .map(|led| balance(&led.items, month.last_day()))
            .sum(),
    )
}

/// KPI of the 摘要 (§4.1): 实收款 (M38) of `month`, every method, notes at face value.
pub fn received_total(ds: &Dataset, month: Month) -> Value {
    match ds.receipts.as_deref() {
        None => Value::Missing(SHEET_RECEIPTS.into()),
        Some(rs) => Value::Money(
            rs.iter()
                .filter(|r| month.contains(r.receipt_date))
                .map(|r| r.amount)
                .sum(),
        ),
    }
}

/// The family's tables for the report month, in the order a clerk reads them.
pub fn tables(ctx: &Ctx) -> Vec<Table> {
    let month = ctx.month;
    if let Some(sheet) = missing_sheet(ctx.ds) {
        let m = |id: &str, zh: &str, en: &str| {
            missing_table(
                id,
                Msg::new(format!("{} {zh}", month.zh()), format!("{en}, {month}")),
                sheet,
            )
        };
        return vec![
            m(
                "receivables",
                "客户货款回收分析表",
                "Customer collection analysis",
            ),
            m(
                "receivables-by-staff",
                "业务员货款回收",
                "Collection by salesperson",
            ),
            m("ageing", "应收账款账龄分析表", "AR ageing"),
            m("overdue", "逾期应收清单", "Overdue receivables"),
            m("over-limit", "超限额客户", "Customers over credit limit"),
            notes_table(ctx),
        ];
    }
    let l = ctx.ledgers();
    let notes = ledger_notes(ctx, &l);
    let limits = super::credit::limits_in_force(ctx);
    let ages = ctx.ageings();
    vec![
        collection_table(&l, month, notes.clone()),
        collection_by_staff_table(&l, month, notes.clone()),
        ageing_table_with(&l, Some(&ages), month, notes),
        overdue_table_with(&l, Some(&ages), month),
        over_limit_table(&l, month, &limits),
        notes_table(ctx),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Return, SaleLine};
    use rust_decimal_macros::dec;

    /// Receipts and returns land in the ledger their own (客户编号, 名称) resolves to, however
    /// often a 客户编号 comes back: a T01 id with another customer's name (the id wins), a spaced
    /// T01 id, an id T01 lacks with a T01 name (the name decides, record by record), no id.
    #[test]
    fn receipts_and_returns_go_to_the_ledger_each_one_resolves_to() {
        let mut ds = crate::stats::tests::edge_dataset();
        let receipt = |date: &str, id: Option<&str>, name: Option<&str>, amount: Decimal| {
            crate::model::Receipt {
                receipt_date: d(date),
                customer_id: id.map(Into::into),
                customer_name: name.map(Into::into),
                amount,
                ..Default::default()
            }
        };
        let more = [
            receipt("2024-03-16", Some("C1"), Some("乙公司"), dec!(1)),
            receipt("2024-03-17", Some("C9"), Some("甲公司"), dec!(2)),
            receipt("2024-03-18", Some("C9"), Some("乙公司"), dec!(4)),
            receipt("2024-03-19", Some(" C2 "), Some("甲公司"), dec!(8)),
            receipt("2024-03-20", Some("C9"), None, dec!(16)),
            receipt("2024-03-21", Some("C1"), None, dec!(32)),
            receipt("2024-03-22", None, Some("乙公司"), dec!(64)),
        ];
        ds.receipts.as_mut().unwrap().extend(more);
        let mut ret = ds.returns.as_ref().unwrap()[0].clone();
        ret.customer_id = Some("C9".into());
        ret.customer_name = Some("丙公司".into());
        ds.returns.as_mut().unwrap().push(ret);
        let idx = CustomerIndex::new(ds.customers.as_deref().unwrap());
        let l = ledgers(&ds, 60);
        let mut want: BTreeMap<String, Vec<(NaiveDate, ArKind, Decimal)>> = BTreeMap::new();
        for r in ds.returns.iter().flatten().filter(|r| !r.exchange) {
            let k = idx.key(r.customer_id.as_deref(), r.customer_name.as_deref());
            want.entry(k)
                .or_default()
                .push((r.return_date, ArKind::Return, r.amount));
        }
        for r in ds.receipts.iter().flatten() {
            let k = idx.key(r.customer_id.as_deref(), r.customer_name.as_deref());
            want.entry(k)
                .or_default()
                .push((r.receipt_date, ArKind::Receipt, r.amount));
        }
        for (k, v) in &mut want {
            v.sort_by_key(|x| x.0);
            let got: Vec<(NaiveDate, ArKind, Decimal)> = l.by_customer[k]
                .items
                .iter()
                .filter(|i| matches!(i.kind, ArKind::Return | ArKind::Receipt))
                .map(|i| (i.date, i.kind, i.amount))
                .collect();
            assert_eq!(&got, v, "{k}");
        }
        let amounts = |k: &str| -> Vec<Decimal> {
            l.by_customer[k]
                .items
                .iter()
                .filter(|i| i.kind == ArKind::Receipt)
                .map(|i| i.amount)
                .collect()
        };
        assert_eq!(amounts("C1"), vec![dec!(40), dec!(1), dec!(2), dec!(32)]);
        assert_eq!(amounts("C2"), vec![dec!(4), dec!(8), dec!(64)]);
        assert_eq!(amounts("C9"), vec![dec!(16)]);
        // The return under C9 with 丙公司's name is C3's.
        assert!(l.by_customer["C3"]
            .items
            .iter()
            .any(|i| i.kind == ArKind::Return && i.amount == dec!(50.05)));
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }
    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }
    fn ship(id: &str, order: &str, ship: Option<&str>, amount: Decimal) -> SaleLine {
        SaleLine {
            order_no: Some(format!("SO-{order}")),
            order_date: d(order),
            ship_date: ship.map(d),
            customer_id: Some(id.into()),
            qty: dec!(1),
            amount,
            ..Default::default()
        }
    }
    fn receipt(id: &str, date: &str, amount: Decimal) -> Receipt {
        Receipt {
            receipt_date: d(date),
            customer_id: Some(id.into()),
            amount,
            ..Default::default()
        }
    }
    fn ret(id: &str, date: &str, amount: Decimal) -> Return {
        Return {
            return_date: d(date),
            customer_id: Some(id.into()),
            qty: dec!(1),
            amount,
            ..Default::default()
        }
    }
    fn cust(id: &str, opening: Option<(Decimal, &str)>) -> Customer {
        Customer {
            customer_id: id.into(),
            name: format!("{id}公司"),
            owner: Some("张三".into()),
            opening_ar: opening.map(|o| o.0),
            opening_ar_date: opening.map(|o| d(o.1)),
            ..Default::default()
        }
    }
    fn dataset() -> Dataset {
        let mut a = ship("C1", "2024-01-05", Some("2024-01-10"), dec!(10000));
        a.discount = dec!(200);
        a.rebate = dec!(300);
        let mut cancelled = ship("C1", "2024-03-01", Some("2024-03-02"), dec!(999));
        cancelled.cancelled = true;
        Dataset {
            customers: Some(vec![
                cust("C1", Some((dec!(5000), "2024-01-01"))),
                cust("C2", None),
            ]),
            sales: Some(vec![
                a,
                ship("C1", "2024-02-20", Some("2024-03-03"), dec!(4000)),
                ship("C1", "2024-03-10", None, dec!(1000)),
                ship("C2", "2024-03-11", Some("2024-03-12"), dec!(2000)),
                // Before C1's opening date: already in the opening balance.
                ship("C1", "2023-12-01", Some("2023-12-02"), dec!(777)),
                cancelled,
            ]),
            returns: Some(vec![ret("C1", "2024-03-15", dec!(500)), {
                let mut x = ret("C1", "2024-03-16", dec!(50));
                x.exchange = true;
                x
            }]),
            receipts: Some(vec![
                receipt("C1", "2024-02-01", dec!(6000)),
                receipt("C1", "2024-03-20", dec!(3000)),
                receipt("C2", "2024-04-02", dec!(2000)), // after the report month
            ]),
            ..Default::default()
        }
    }

    /// Receivables = opening + sales − returns − receipts, per customer (M39).
    #[test]
    fn m39_ar_per_customer_reconciles() {
        let ds = dataset();
        let l = ledgers(&ds, 60);
        assert_eq!(l.order_date_fallback, 1);
        assert_eq!(l.before_opening, 1);
        let c1 = &l.by_customer["C1"];
        // 5000 + (10000−200−300) + 4000 + 1000 − 500 − 6000 − 3000 = 10,000
        assert_eq!(balance(&c1.items, d("2024-03-31")), dec!(10000));
        let f = month_figures(&c1.items, m("2024-03"));
        assert_eq!(f.opening, dec!(8500)); // 5000 + 9500 − 6000
        assert_eq!(f.shipped, dec!(5000));
        assert_eq!(f.returns, dec!(500));
        assert_eq!(f.received, dec!(3000));
        assert_eq!(f.closing, f.opening + f.shipped - f.returns - f.received);
        let c2 = month_figures(&l.by_customer["C2"].items, m("2024-03"));
        assert_eq!(c2.closing, dec!(2000), "April receipt is not in March AR");
        // Every month of the year reconciles, not only the report month.
        for mo in 1..=6 {
            let mon = Month::new(2024, mo).unwrap();
            for led in l.by_customer.values() {
                let f = month_figures(&led.items, mon);
                assert_eq!(f.closing, f.opening + f.net_sales() - f.received, "{mon}");
                let prev = month_figures(&led.items, mon.prev());
                assert_eq!(f.opening, prev.closing + opening_inside(&led.items, mon));
            }
        }
    }

    fn opening_inside(items: &[ArItem], mon: Month) -> Decimal {
        items
            .iter()
            .filter(|i| i.kind == ArKind::Opening && mon.contains(i.date))
            .map(|i| i.amount)
            .sum()
    }

    #[test]
    fn m55_rate_and_days_and_zero_base() {
        // 3000 / (8500 + 4500) = 23.08%; 10000 / 4500 × 31 = 68.9 → 69 days.
        assert_eq!(
            collection_rate(dec!(3000), dec!(8500), dec!(4500)),
            Value::Ratio(dec!(3000) / dec!(13000))
        );
        assert_eq!(
            collection_days(dec!(10000), dec!(4500), 31),
            Value::Qty(dec!(69))
        );
        assert_eq!(
            collection_rate(dec!(100), dec!(0), dec!(0)),
            Value::NotApplicable
        );
        assert_eq!(
            collection_days(dec!(100), dec!(0), 31),
            Value::NotApplicable
        );
        assert_eq!(
            collection_days(dec!(-5), dec!(100), 31),
            Value::NotApplicable
        );
    }

    #[test]
    fn collection_table_totals_are_the_sum_of_rows() {
        let ds = dataset();
        let l = ledgers(&ds, 60);
        let t = collection_table(&l, m("2024-03"), vec![]);
        assert_eq!(t.rows.len(), 2);
        let tot = t.totals.as_ref().unwrap();
        for col in 2..=5 {
            let s: Decimal = t.rows.iter().filter_map(|r| r[col].money()).sum();
            assert_eq!(tot[col], Value::Money(s), "column {col}");
        }
        assert_eq!(tot[5], Value::Money(dec!(12000)));
        let by_staff = collection_by_staff_table(&l, m("2024-03"), vec![]);
        assert_eq!(by_staff.totals.as_ref().unwrap()[4], tot[5]);
        assert_eq!(by_staff.rows.len(), 1);
        assert_eq!(by_staff.rows[0][4], Value::Money(dec!(12000)));
    }

    #[test]
    fn fifo_settles_oldest_first_and_buckets_sum_to_ar() {
        let items = vec![
            ArItem::new(d("2023-01-15"), ArKind::Shipment, dec!(100)),
            ArItem::new(d("2023-12-01"), ArKind::Shipment, dec!(200)),
            ArItem::new(d("2024-02-10"), ArKind::Shipment, dec!(300)),
            ArItem::new(d("2024-03-25"), ArKind::Shipment, dec!(400)),
            ArItem::new(d("2024-03-01"), ArKind::Receipt, dec!(150)),
            ArItem::new(d("2024-03-05"), ArKind::Return, dec!(50)),
        ];
        let at = d("2024-03-31");
        let (open, left) = fifo_open(&items, at);
        // 200 of credit: clears the 2023-01 shipment and 100 of the 2023-12 one.
        assert_eq!(
            open,
            vec![
                (d("2023-12-01"), dec!(100)),
                (d("2024-02-10"), dec!(300)),
                (d("2024-03-25"), dec!(400)),
            ]
        );
        assert_eq!(left, dec!(0));
        let a = ageing(&items, at, 60);
        assert_eq!(a.buckets[0], dec!(400)); // 6 days
        assert_eq!(a.buckets[1], dec!(300)); // 50 days
        assert_eq!(a.buckets[3], dec!(100)); // 2023-12-01 → 2024-03-31 = 121 days → 91–180
        assert_eq!(a.total(), balance(&items, at));
        assert_eq!(a.overdue, dec!(100));
        assert_eq!(a.oldest_days, Some(121));
        assert_eq!(a.max_overdue_days, Some(61));
    }

    #[test]
    fn bucket_edges() {
        assert_eq!(bucket_of(0), 0);
        assert_eq!(bucket_of(30), 0);
        assert_eq!(bucket_of(31), 1);
        assert_eq!(bucket_of(90), 2);
        assert_eq!(bucket_of(91), 3);
        assert_eq!(bucket_of(180), 3);
        assert_eq!(bucket_of(181), 4);
        assert_eq!(bucket_of(365), 4);
        assert_eq!(bucket_of(366), 5);
    }

    #[test]
    fn overpayment_is_unapplied_credit_and_still_reconciles() {
        let items = vec![
            ArItem::new(d("2024-03-01"), ArKind::Shipment, dec!(100)),
            ArItem::new(d("2024-03-02"), ArKind::Receipt, dec!(250)),
        ];
        let a = ageing(&items, d("2024-03-31"), 60);
        assert_eq!(a.unapplied, dec!(150));
        assert_eq!(a.total(), dec!(-150));
        assert_eq!(a.total(), balance(&items, d("2024-03-31")));
        assert_eq!(a.oldest_days, None);
    }

    /// The shared ageings ([`ageings`], [`super::super::Ctx::ageings`]) are each ledger's own,
    /// in ledger order, and the tables made from them equal the tables that age each ledger;
    /// ageings that are not one per ledger are not used.
    #[test]
    fn shared_ageings_give_the_same_tables() {
        let ds = dataset();
        let cfg = crate::config::Config::default();
        for month in ["2024-01", "2024-03", "2025-06"] {
            let month = m(month);
            let ctx = crate::stats::Ctx::new(&ds, month, &cfg);
            let l = ctx.ledgers();
            let ages = ctx.ageings();
            assert_eq!(ages.len(), l.by_customer.len());
            for (led, a) in l.by_customer.values().zip(ages.iter()) {
                assert_eq!(*a, ageing(&led.items, month.last_day(), led.credit_days));
            }
            assert_eq!(
                ageing_table_with(&l, Some(&ages), month, vec![]),
                ageing_table(&l, month, vec![])
            );
            assert_eq!(
                overdue_table_with(&l, Some(&ages), month),
                overdue_table(&l, month)
            );
            assert_eq!(
                overdue_table_with(&l, Some(&ages[1..]), month),
                overdue_table(&l, month)
            );
        }
    }

    #[test]
    fn ageing_table_buckets_sum_to_total_ar_and_overdue_and_over_limit_lists() {
        let ds = dataset();
        let l = ledgers(&ds, 60);
        let t = ageing_table(&l, m("2024-03"), vec![]);
        let tot = t.totals.as_ref().unwrap();
        assert_eq!(tot[2], Value::Money(dec!(12000)));
        for r in t.rows.iter().chain([tot]) {
            let buckets: Decimal = r[3..=9].iter().filter_map(Value::money).sum();
            assert_eq!(r[2], Value::Money(buckets), "Σ buckets − unapplied = AR");
        }
        // Receipts of 9,000 and a return of 500 clear the 5,000 opening and 4,500 of the January
        // shipment → 5,000 left from 2024-01-10 (81 days, 61–90) and 5,000 shipped in March.
        let c1 = &t.rows[0];
        assert_eq!(c1[0], Value::Text("C1公司".into()));
        assert_eq!(c1[5], Value::Money(dec!(5000)));
        assert_eq!(c1[3], Value::Money(dec!(5000)));

        let o = overdue_table(&l, m("2024-03"));
        assert_eq!(o.rows.len(), 1);
        assert_eq!(
            o.rows[0][3],
            Value::Money(dec!(5000)),
            "81 days > 60 credit days"
        );
        assert_eq!(o.rows[0][5], Value::Int(21));

        let limits: BTreeMap<String, (Decimal, LimitSource)> =
            [("C1".to_string(), (dec!(8000), LimitSource::Manual))].into();
        let ol = over_limit_table(&l, m("2024-03"), &limits);
        assert_eq!(ol.rows.len(), 1, "C2 has no limit: not listed");
        assert_eq!(ol.rows[0][5], Value::Money(dec!(2000))); // 10,000 − 8,000
        assert_eq!(ol.rows[0][4], Value::Text("客户信息表".into()));
    }

    #[test]
    fn notes_held_by_status_and_due_date() {
        let note = |status: Option<&str>, due: &str, date: &str| Receipt {
            receipt_date: d(date),
            method: Some("商业承兑汇票".into()),
            note_status: status.map(Into::into),
            note_due_date: Some(d(due)),
            amount: dec!(100),
            ..Default::default()
        };
        let rs = vec![
            note(Some("未到期"), "2024-06-01", "2024-03-05"),
            note(Some("已兑付"), "2024-03-20", "2024-01-05"),
            note(None, "2024-05-01", "2024-03-06"),
            note(None, "2024-03-15", "2024-02-06"),
            note(Some("未到期"), "2024-07-01", "2024-04-02"), // received after month end
            receipt("C1", "2024-03-01", dec!(100)),           // bank transfer
        ];
        assert_eq!(notes_held(&rs, d("2024-03-31")).len(), 2);
    }

    #[test]
    fn missing_receipts_sheet_is_missing_not_zero() {
        let mut ds = dataset();
        ds.receipts = None;
        let cfg = crate::config::Config::default();
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let ts = tables(&ctx);
        assert_eq!(ts[0].id, "receivables");
        assert_eq!(
            ts[0].rows,
            vec![vec![Value::Missing(SHEET_RECEIPTS.into())]]
        );
        assert!(ts
            .iter()
            .all(|t| t.rows[0][0] == Value::Missing(SHEET_RECEIPTS.into())));
    }

    /// With every line shipped on its order date, Σ 本月实销(发货) = the month's 实销额 (M37) from
    /// the shared entries: the two bases differ only by the date they use.
    #[test]
    fn shipped_net_sales_reconcile_with_net_sales_entries() {
        let mut ds = dataset();
        if let Some(ls) = ds.sales.as_mut() {
            for l in ls.iter_mut() {
                l.ship_date = Some(l.order_date);
            }
        }
        let cfg = crate::config::Config::default();
        for mon in ["2023-12", "2024-01", "2024-02", "2024-03"] {
            let ctx = Ctx::new(&ds, m(mon), &cfg);
            let t = &tables(&ctx)[0];
            assert_eq!(
                t.totals.as_ref().unwrap()[3],
                Value::Money(
                    super::super::sales::net_sales(&ctx.entries, m(mon)) - before_opening(&ds, mon)
                ),
                "{mon}"
            );
        }
    }

    /// 实销额 of lines dated before their customer's 期初日期 (held in the opening balance instead).
    fn before_opening(ds: &Dataset, mon: &str) -> Decimal {
        ds.sales
            .iter()
            .flatten()
            .filter(|l| {
                !l.cancelled && m(mon).contains(l.order_date) && l.order_date < d("2024-01-01")
            })
            .filter(|l| l.customer_id.as_deref() == Some("C1"))
            .map(|l| l.amount - l.discount - l.rebate)
            .sum()
    }

    /// The over-limit table takes the M62 limit computed from a survey when 客户信息表 has none.
    #[test]
    fn computed_limit_flows_into_over_limit() {
        let ds = Dataset {
            customers: Some(vec![cust("C1", None)]),
            sales: Some(
                ["2024-01-10", "2024-02-10", "2024-03-10"]
                    .iter()
                    .map(|day| ship("C1", day, Some(day), dec!(30000)))
                    .collect(),
            ),
            receipts: Some(vec![]),
            credit_surveys: Some(vec![crate::model::CreditSurvey {
                survey_date: d("2024-03-01"),
                customer_id: Some("C1".into()),
                pay_attitude: Some("爽快".into()),
                bank_credit: Some("好".into()),
                peer_rating: Some("好".into()),
                neighbour_rating: Some("普通".into()),
                bookkeeping: Some("完备".into()),
                capital: Some(dec!(2000000)),
                first_trade_date: Some(d("2020-02-01")),
                business_trend: Some("成长".into()),
                premises_area: Some("一般商业区".into()),
                premises_tenure: Some("租用".into()),
                ..Default::default()
            }]),
            ..Default::default()
        };
        let cfg = crate::config::Config::default();
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let ts = tables(&ctx);
        let ids: Vec<&str> = ts.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "receivables",
                "receivables-by-staff",
                "ageing",
                "overdue",
                "over-limit",
                "notes-receivable"
            ]
        );
        // AA (82); 3 months of history → 月均 30,000 → limit 30,000 × 60/30 × 1.0 = 60,000.
        let over = &ts[4];
        assert_eq!(over.rows.len(), 1);
        assert_eq!(over.rows[0][3], Value::Money(dec!(60000)));
        assert_eq!(over.rows[0][4], Value::Text("信用评定计算".into()));
        assert_eq!(over.rows[0][5], Value::Money(dec!(30000)));
        // Jan 10 → Mar 31 is 81 days: overdue against 60 credit days.
        assert_eq!(ts[3].rows[0][3], Value::Money(dec!(30000)));
    }

    #[test]
    fn summary_kpis() {
        let ds = dataset();
        assert_eq!(ar_total(&ds, 60, m("2024-03")), Value::Money(dec!(12000)));
        assert_eq!(received_total(&ds, m("2024-03")), Value::Money(dec!(3000)));
        let mut no_sales = ds.clone();
        no_sales.sales = None;
        assert_eq!(
            ar_total(&no_sales, 60, m("2024-03")),
            Value::Missing(SHEET_SALES.into())
        );
    }

    #[test]
    fn name_only_records_match_the_customer() {
        let mut ds = dataset();
        if let Some(rs) = ds.receipts.as_mut() {
            rs.push(Receipt {
                receipt_date: d("2024-03-21"),
                customer_name: Some("C2公司".into()),
                amount: dec!(500),
                ..Default::default()
            });
        }
        let l = ledgers(&ds, 60);
        assert_eq!(
            balance(&l.by_customer["C2"].items, d("2024-03-31")),
            dec!(1500)
        );
    }

    #[test]
    fn fifo_on_a_sorted_ledger_is_the_same_as_in_any_order() {
        let d = |m, day| NaiveDate::from_ymd_opt(2026, m, day).unwrap();
        use ArKind::*;
        // Same-day debits, a negative shipment (a credit), a negative receipt (a debit), an
        // opening, and items after the cut.
        let items = vec![
            ArItem::new(d(1, 5), Opening, dec!(100)),
            ArItem::new(d(1, 5), Shipment, dec!(50)),
            ArItem::new(d(1, 5), Shipment, dec!(30)),
            ArItem::new(d(2, 1), Receipt, dec!(120)),
            ArItem::new(d(2, 3), Shipment, dec!(-10)),
            ArItem::new(d(2, 9), Receipt, dec!(-5)),
            ArItem::new(d(3, 1), Return, dec!(20)),
            ArItem::new(d(3, 2), Shipment, dec!(70)),
            ArItem::new(d(4, 1), Receipt, dec!(500)),
        ];
        for at in [
            d(1, 4),
            d(1, 5),
            d(2, 1),
            d(2, 9),
            d(3, 1),
            d(3, 31),
            d(4, 1),
        ] {
            assert_eq!(
                fifo_open(&items, at),
                fifo_open_any_order(&items, at),
                "{at}"
            );
        }
        assert_eq!(
            fifo_open(&items, d(3, 31)),
            // Debits 100 + 50 + 30 + 5 + 70 against credits 120 + 10 + 20: the 30 shipped on
            // 1-05 is the oldest still open.
            (
                vec![(d(1, 5), dec!(30)), (d(2, 9), dec!(5)), (d(3, 2), dec!(70))],
                dec!(0)
            )
        );
    }
}
