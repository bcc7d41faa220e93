//! Customer value and grading (DOMAIN §2.1, M01–M11).
//!
//! One grading run = contract amount (M01), profit (M02) and frequency (M03) per customer over the
//! grading window, the 40/40/20 value score (M04), then A/B/C/D by quota (M05) or by thresholds
//! (M06). The previous period's grades are *recomputed* with the same run as of that date (M07),
//! so nothing needs to be stored between months. Every 实销额 figure is summed from `ctx.entries`,
//! so the grade mix reconciles to the company total.
//!
//! The small helpers other families need (windows, customer directory, cost entries, `rh`) live
//! here too, because grading is the first family that needs them.

use super::retention::{self, State};
use super::sales::NetEntry;
use super::{missing_table, ratio, Column, Ctx, Kind, Month, Table, Value};
use crate::config::{Config, Weights};
use crate::error::Msg;
use crate::model::{Customer, Dataset, Product, Return, SaleLine};
use chrono::NaiveDate;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeMap, BTreeSet};

use super::{HashMap, HashSet};

/// The grade of a customer outside the graded population (C_i = 0 in the window).
pub const UNGRADED: &str = "未分级";
pub const GRADES: [&str; 4] = ["A", "B", "C", "D"];

// ───────────────────────────── shared helpers ─────────────────────────────

/// `rh(x)`: round half-up to an integer (DOMAIN §2 notation).
pub fn rh(x: Decimal) -> i64 {
    x.round_dp_with_strategy(0, RoundingStrategy::MidpointAwayFromZero)
        .to_i64()
        .unwrap_or(0)
}

/// An inclusive date range.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Window {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

impl Window {
    // Inlined across the crate's codegen units: every family filters whole histories with it.
    #[inline]
    pub fn contains(&self, d: NaiveDate) -> bool {
        self.from <= d && d <= self.to
    }
    pub fn months(first: Month, last: Month) -> Window {
        Window {
            from: first.first_day(),
            to: last.last_day(),
        }
    }
    /// T12M: the 12 complete calendar months ending with `month` (C1).
    pub fn t12m(month: Month) -> Window {
        Window::months(month.plus(-11), month)
    }
    /// January to `month` of its year.
    pub fn ytd(month: Month) -> Window {
        Window::months(Month::new(month.year, 1).unwrap_or(month), month)
    }
    /// The calendar quarter holding `month`.
    pub fn quarter(month: Month) -> Window {
        let first = Month::new(month.year, (month.month - 1) / 3 * 3 + 1).unwrap_or(month);
        Window::months(first, first.plus(2))
    }
}

/// The grading window ending with `month` (`grading.window`: T12M, month, quarter, year).
pub fn grading_window(month: Month, kind: &str) -> Window {
    match kind.to_ascii_lowercase().as_str() {
        "month" => Window::months(month, month),
        "quarter" => Window::quarter(month),
        "year" => Window::ytd(month),
        _ => Window::t12m(month),
    }
}

/// The customer key of a line, exactly as [`super::sales::net_entries`] builds it, so every figure
/// keyed by customer joins the 实销额 entries.
pub fn line_cid(l: &SaleLine) -> String {
    l.customer_id
        .clone()
        .or_else(|| l.customer_name.clone())
        .unwrap_or_default()
}

/// [`line_cid`] borrowed: for the hot loops that only look a customer up (no allocation per line).
pub fn line_key(l: &SaleLine) -> &str {
    l.customer_id
        .as_deref()
        .or(l.customer_name.as_deref())
        .unwrap_or_default()
}

pub fn return_cid(r: &Return) -> String {
    r.customer_id
        .clone()
        .or_else(|| r.customer_name.clone())
        .unwrap_or_default()
}

/// [`return_cid`] borrowed.
pub fn return_key(r: &Return) -> &str {
    r.customer_id
        .as_deref()
        .or(r.customer_name.as_deref())
        .unwrap_or_default()
}

/// T01 lookups by customer key.
pub struct Directory<'a> {
    pub by_id: HashMap<&'a str, &'a Customer>,
    /// Names seen on sales lines for customers missing from T01.
    pub line_names: HashMap<String, String>,
}

impl<'a> Directory<'a> {
    /// T01's customers by 客户编号.
    fn by_id(ds: &'a Dataset) -> HashMap<&'a str, &'a Customer> {
        ds.customers
            .iter()
            .flatten()
            .map(|c| (c.customer_id.as_str(), c))
            .collect()
    }

    pub fn new(ds: &'a Dataset) -> Directory<'a> {
        let by_id = Self::by_id(ds);
        let mut line_names: HashMap<String, String> = HashMap::default();
        for l in ds.sales.iter().flatten() {
            if let Some(n) = &l.customer_name {
                // Looked up borrowed first: most lines are of a customer already seen.
                if !line_names.contains_key(line_key(l)) {
                    line_names.insert(line_cid(l), n.clone());
                }
            }
        }
        Directory { by_id, line_names }
    }
    /// [`Directory::new`] through the lines' customer numbers ([`Keys`]): whether a key already
    /// has its name is a flag per number, not a hash of every line's key.
    pub fn with_keys(ds: &'a Dataset, keys: &Keys) -> Directory<'a> {
        let by_id = Self::by_id(ds);
        let mut line_names: HashMap<String, String> = HashMap::default();
        let mut named = vec![false; keys.customers()];
        for (l, &n) in ds.sales.iter().flatten().zip(keys.line_customers()) {
            if let Some(name) = &l.customer_name {
                // The first line of a key that carries a name gives it, as in `new`.
                if let Some(done) = named.get_mut(n as usize).filter(|d| !**d) {
                    *done = true;
                    line_names.insert(line_cid(l), name.clone());
                }
            }
        }
        Directory { by_id, line_names }
    }
    pub fn get(&self, id: &str) -> Option<&'a Customer> {
        self.by_id.get(id).copied()
    }
    pub fn name(&self, id: &str) -> String {
        self.get(id)
            .map(|c| c.name.clone())
            .or_else(|| self.line_names.get(id).cloned())
            .unwrap_or_else(|| id.to_string())
    }
    pub fn owner(&self, id: &str) -> Option<String> {
        self.owner_ref(id).map(str::to_owned)
    }

    /// [`Directory::owner`] borrowed.
    pub fn owner_ref(&self, id: &str) -> Option<&'a str> {
        self.get(id).and_then(|c| c.owner.as_deref())
    }
}

/// Every customer key known to the run: T01 plus any customer that only appears on sales lines.
pub fn all_customers(ds: &Dataset) -> BTreeSet<String> {
    let mut s: BTreeSet<String> = ds
        .customers
        .iter()
        .flatten()
        .map(|c| c.customer_id.clone())
        .collect();
    // The lines' keys borrowed and deduplicated first: one String per customer, not per line.
    let from_lines: HashSet<&str> = ds.sales.iter().flatten().map(line_key).collect();
    s.extend(from_lines.into_iter().map(str::to_owned));
    s
}

/// One signed contribution to 边际成本 (M42), attributed exactly like the matching [`NetEntry`]:
/// order lines on the 订货日期, returns (negative) on the 退货日期.
/// Its keys borrow from the records, as the [`NetEntry`]'s do.
#[derive(Debug, Clone, PartialEq)]
pub struct CostEntry<'a> {
    pub date: NaiveDate,
    pub customer_id: &'a str,
    /// Region as in the 实销额 entry (C7), for the C4 territory rule.
    pub region: &'a str,
    /// true for the (negative) cost taken back by a return.
    pub is_return: bool,
    pub staff: Option<&'a str>,
    pub category: Option<&'a str>,
    pub cost: Decimal,
}

/// The cost side of the books (M02, M42).
#[derive(Debug, Clone, Default)]
pub struct Costs<'a> {
    pub entries: Vec<CostEntry<'a>>,
    /// false when no line and no product has a cost: profit then falls back to 实销额 (M02).
    pub any_cost: bool,
    /// Lines whose cost was imputed from the average 边际贡献率 of the costed lines.
    pub imputed: usize,
}

impl<'a> Costs<'a> {
    pub fn sum(&self, w: Window, keep: impl Fn(&CostEntry<'a>) -> bool) -> Decimal {
        self.entries
            .iter()
            .filter(|e| w.contains(e.date) && keep(e))
            .map(|e| e.cost)
            .sum()
    }
}

/// Build the cost entries. Cost of a line: its 成本, else 单位成本 × 数量, else the product's
/// 边际成本 × 数量; a line with none of them gets net × (1 − average 边际贡献率 of costed lines),
/// as M02 says. A return takes back the unit cost of the line it returns.
pub fn cost_entries<'a>(
    lines: &'a [SaleLine],
    returns: &'a [Return],
    products: &[Product],
    customers: &'a [Customer],
) -> Costs<'a> {
    let prod: HashMap<&str, Decimal> = products
        .iter()
        .filter_map(|p| p.unit_cost.map(|c| (p.product_id.as_str(), c)))
        .collect();
    // Borrowed: the owner and region are cloned once per entry, not once per customer as well.
    let owner: HashMap<&str, Option<&'a str>> = customers
        .iter()
        .map(|c| (c.customer_id.as_str(), c.owner.as_deref()))
        .collect();
    let owner_of = |id: &str| owner.get(id).copied().flatten();
    let region: HashMap<&str, Option<&'a str>> = customers
        .iter()
        .map(|c| (c.customer_id.as_str(), c.region.as_deref()))
        .collect();
    let region_of = |line: Option<&'a SaleLine>, id: &str| -> &'a str {
        line.and_then(|l| l.region.as_deref())
            .or_else(|| region.get(id).copied().flatten())
            .unwrap_or(super::sales::NO_REGION)
    };
    let unit_cost = |l: &SaleLine| -> Option<Decimal> {
        if let Some(c) = l.cost {
            return (!l.qty.is_zero()).then(|| c / l.qty);
        }
        l.unit_cost
            .or_else(|| l.product_id.as_deref().and_then(|p| prod.get(p)).copied())
    };
    let line_cost =
        |l: &SaleLine| -> Option<Decimal> { l.cost.or_else(|| unit_cost(l).map(|u| u * l.qty)) };
    // Each live line with its cost, computed once (a unit cost × 数量 is a Decimal product).
    let live: Vec<(&'a SaleLine, Option<Decimal>)> = lines
        .iter()
        .filter(|l| !l.cancelled)
        .map(|l| (l, line_cost(l)))
        .collect();
    let (mut net_c, mut cost_c) = (Decimal::ZERO, Decimal::ZERO);
    for (l, c) in &live {
        if let Some(c) = c {
            net_c += l.amount - l.discount - l.rebate;
            cost_c += *c;
        }
    }
    let any_cost = live.iter().any(|(_, c)| c.is_some());
    if !any_cost {
        return Costs::default();
    }
    // Average 边际贡献率 of the costed lines; a costed total of 0 sales imputes cost = net.
    let rate = if net_c.is_zero() {
        Decimal::ZERO
    } else {
        (net_c - cost_c) / net_c
    };
    let mut out = Costs {
        any_cost,
        entries: Vec::with_capacity(live.len() + returns.len()),
        ..Default::default()
    };
    let by_order = super::sales::returned_orders(lines, returns);
    for (l, line_cost) in live {
        let cid = line_key(l);
        let cost = match line_cost {
            Some(c) => c,
            None => {
                out.imputed += 1;
                held((l.amount - l.discount - l.rebate) * (Decimal::ONE - rate))
            }
        };
        out.entries.push(CostEntry {
            date: l.order_date,
            region: region_of(Some(l), cid),
            is_return: false,
            staff: l.staff.as_deref().or_else(|| owner_of(cid)),
            category: l.category.as_deref(),
            customer_id: cid,
            cost,
        });
    }
    for r in returns.iter().filter(|r| !r.exchange) {
        let cid = return_key(r);
        let orig = r
            .orig_order_no
            .as_deref()
            .and_then(|no| by_order.get(no))
            .and_then(|ls| {
                ls.iter()
                    .find(|l| r.product_id.is_some() && l.product_id == r.product_id)
                    .or_else(|| ls.first())
                    .copied()
            });
        let unit = orig
            .and_then(unit_cost)
            .or_else(|| r.product_id.as_deref().and_then(|p| prod.get(p)).copied());
        let cost = match unit {
            Some(u) => -held(u * r.qty),
            None => -held(r.amount * (Decimal::ONE - rate)),
        };
        out.entries.push(CostEntry {
            date: r.return_date,
            region: region_of(orig, cid),
            is_return: true,
            staff: orig
                .and_then(|l| l.staff.as_deref())
                .or_else(|| r.staff.as_deref())
                .or_else(|| owner_of(cid)),
            category: r
                .category
                .as_deref()
                .or_else(|| orig.and_then(|l| l.category.as_deref())),
            customer_id: cid,
            cost,
        });
    }
    out
}

/// A cost derived by division (an imputed rate, a unit cost from a line total) has no exact
/// decimal; it is held to 6 places so that sums are exact and do not depend on their order.
fn held(x: Decimal) -> Decimal {
    x.round_dp_with_strategy(6, RoundingStrategy::MidpointAwayFromZero)
}

/// The run's cost entries.
pub fn costs_of(ds: &Dataset) -> Costs<'_> {
    cost_entries(
        ds.sales.as_deref().unwrap_or(&[]),
        ds.returns.as_deref().unwrap_or(&[]),
        ds.products.as_deref().unwrap_or(&[]),
        ds.customers.as_deref().unwrap_or(&[]),
    )
}

/// Σ 实销额 of the entries in `w`, per customer.
pub fn net_by_customer(entries: &[NetEntry], w: Window) -> BTreeMap<String, Decimal> {
    net_by_customer_of(entries.iter().filter(|e| w.contains(e.date)))
}

/// [`net_by_customer`] of entries already cut to a window ([`Ctx::entries_in`]).
pub fn net_by_customer_of<'a: 'e, 'e>(
    entries: impl IntoIterator<Item = &'e NetEntry<'a>>,
) -> BTreeMap<String, Decimal> {
    let mut m: HashMap<&str, Decimal> = HashMap::default();
    for e in entries {
        *m.entry(&e.customer_id).or_default() += e.amount;
    }
    owned_keys(m)
}

/// A map accumulated under borrowed keys in a hash map (one hash per line, no allocation), handed
/// on sorted with owned keys (one allocation per customer). A BTreeMap<String> in the line loop
/// spent most of its time comparing customer ids.
pub fn owned_keys<V>(m: HashMap<&str, V>) -> BTreeMap<String, V> {
    m.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

// ───────────────────────────── M01–M06 ─────────────────────────────

/// M01 客户合同额 per customer over `w`: Σ 数量×单价 (the gross 金额) of non-cancelled lines; a line
/// that carries a 合同号 and 合同额 counts its contract once instead.
pub fn contract_amounts(lines: &[SaleLine], w: Window) -> BTreeMap<String, Decimal> {
    contract_amounts_of(lines.iter().filter(|l| w.contains(l.order_date)))
}

/// [`contract_amounts`] of the lines already cut to a window ([`Ctx::lines_in`]; cancelled lines
/// are skipped here).
pub fn contract_amounts_of<'l>(
    lines: impl IntoIterator<Item = &'l SaleLine>,
) -> BTreeMap<String, Decimal> {
    let mut m: HashMap<&str, Decimal> = HashMap::default();
    let mut seen: HashSet<(&str, &str)> = HashSet::default();
    for l in lines.into_iter().filter(|l| !l.cancelled) {
        let cid = line_key(l);
        let add = match (&l.contract_no, l.contract_amount) {
            (Some(no), Some(amt)) => {
                if seen.insert((cid, no.as_str())) {
                    amt
                } else {
                    Decimal::ZERO
                }
            }
            _ => l.amount,
        };
        *m.entry(cid).or_default() += add;
    }
    owned_keys(m)
}

/// M03 消费频次: distinct 订单号 of non-cancelled lines in `w`; a line without 订单号 counts its
/// order date instead.
pub fn frequencies(lines: &[SaleLine], w: Window) -> BTreeMap<String, i64> {
    frequencies_of(lines.iter().filter(|l| w.contains(l.order_date)))
}

/// [`frequencies`] of the lines already cut to a window ([`Ctx::lines_in`]; cancelled lines are
/// skipped here).
pub fn frequencies_of<'l>(lines: impl IntoIterator<Item = &'l SaleLine>) -> BTreeMap<String, i64> {
    // An order is its 订单号, or its date when the line has none. One set of (customer, order)
    // with borrowed keys: no allocation per line, and none per customer (this runs for several
    // months of every pack).
    let mut orders: HashSet<(&str, Option<&str>, Option<NaiveDate>)> = HashSet::default();
    for l in lines.into_iter().filter(|l| !l.cancelled) {
        let key = match &l.order_no {
            Some(no) => (line_key(l), Some(no.as_str()), None),
            None => (line_key(l), None, Some(l.order_date)),
        };
        orders.insert(key);
    }
    let mut n: HashMap<&str, i64> = HashMap::default();
    for (c, _, _) in orders {
        *n.entry(c).or_default() += 1;
    }
    owned_keys(n)
}

/// Customer and order keys numbered once per run ([`Ctx::keys`]): the grading window's sums
/// (合同额, 实销额, 消费频次) are taken for several months of every pack, and hashing each line's
/// customer id (and order) again for every window was a fifth of the statistics' work. With the
/// numbers, a window's sums index vectors; each customer's figures still add in line order.
pub struct Keys {
    /// Every customer key of the lines and the 实销额 entries, by number.
    names: Vec<String>,
    /// The numbers in the order of their keys (a `BTreeMap<String, _>`'s order).
    sorted: Vec<u32>,
    /// Per sales line: its customer's number ([`line_key`]).
    line_cust: Vec<u32>,
    /// Per sales line: the number of its (customer, order) — 订单号, else the 订货日期 (M03).
    line_order: Vec<u32>,
    orders: usize,
    /// Per 实销额 entry: its customer's number.
    entry_cust: Vec<u32>,
}

impl Keys {
    pub fn new(lines: &[SaleLine], entries: &[NetEntry]) -> Keys {
        let mut index: HashMap<&str, u32> = HashMap::default();
        let mut names: Vec<String> = Vec::new();
        // The keys borrow from the records, which outlive the map.
        fn number<'k>(
            index: &mut HashMap<&'k str, u32>,
            names: &mut Vec<String>,
            k: &'k str,
        ) -> u32 {
            match index.get(k) {
                Some(n) => *n,
                None => {
                    let n = names.len() as u32;
                    names.push(k.to_owned());
                    index.insert(k, n);
                    n
                }
            }
        }
        // An order's lines follow each other: a line of the previous line's customer takes its
        // number after one comparison instead of a hash and a lookup.
        let mut prev: Option<(&str, u32)> = None;
        let line_cust: Vec<u32> = lines
            .iter()
            .map(|l| {
                let k = line_key(l);
                let n = match prev {
                    Some((p, n)) if p == k => n,
                    _ => number(&mut index, &mut names, k),
                };
                prev = Some((k, n));
                n
            })
            .collect();
        // The 实销额 entries start with the live lines' own, in sheet order, their keys borrowed
        // from the lines (sales::net_entries): an entry whose key is its line's key at the same
        // address takes the line's number without a hash (the same address and length is the
        // same text, so a misaligned entry can only fall back to the lookup, never mismatch).
        let mut live = lines
            .iter()
            .zip(&line_cust)
            .filter(|(l, _)| !l.cancelled)
            .peekable();
        let entry_cust: Vec<u32> = entries
            .iter()
            .map(|e| {
                if let Some((l, n)) = live.peek() {
                    let k = line_key(l);
                    if k.as_ptr() == e.customer_id.as_ptr() && k.len() == e.customer_id.len() {
                        let n = **n;
                        live.next();
                        return n;
                    }
                }
                number(&mut index, &mut names, e.customer_id)
            })
            .collect();
        let mut order_ix: HashMap<(u32, Option<&str>, Option<NaiveDate>), u32> = HashMap::default();
        // Likewise a line of the previous line's order.
        let mut prev_order = None;
        let line_order = lines
            .iter()
            .zip(&line_cust)
            .map(|(l, c)| {
                let key = match &l.order_no {
                    Some(no) => (*c, Some(no.as_str()), None),
                    None => (*c, None, Some(l.order_date)),
                };
                let n = match prev_order {
                    Some((p, n)) if p == key => n,
                    _ => {
                        let next = order_ix.len() as u32;
                        *order_ix.entry(key).or_insert(next)
                    }
                };
                prev_order = Some((key, n));
                n
            })
            .collect();
        let mut sorted: Vec<u32> = (0..names.len() as u32).collect();
        sorted.sort_by(|a, b| names[*a as usize].cmp(&names[*b as usize]));
        Keys {
            names,
            sorted,
            line_cust,
            line_order,
            orders: order_ix.len(),
            entry_cust,
        }
    }

    /// How many (customer, order) pairs the lines have (M03's orders).
    pub fn orders(&self) -> usize {
        self.orders
    }

    /// How many customer keys there are (numbers run from 0).
    pub fn customers(&self) -> usize {
        self.names.len()
    }

    /// Per sales line, in sheet order: its customer's number ([`line_key`]).
    pub fn line_customers(&self) -> &[u32] {
        &self.line_cust
    }

    /// The numbers of `keys` (customer keys as the lines and entries spell them), in their
    /// order; a key no line or entry has gets `u32::MAX`, which indexes nothing. For lists keyed
    /// like the lines (the cost entries), numbered once and then summed by number per window.
    pub fn numbers_of<'k>(&self, keys: impl Iterator<Item = &'k str>) -> Vec<u32> {
        let index: HashMap<&str, u32> = self
            .names
            .iter()
            .enumerate()
            .map(|(n, k)| (k.as_str(), n as u32))
            .collect();
        keys.map(|k| index.get(k).copied().unwrap_or(u32::MAX))
            .collect()
    }

    /// Per sales line, in sheet order: the number of its (customer, order) — 订单号, else the
    /// 订货日期 — below [`Keys::orders`].
    pub fn line_orders(&self) -> &[u32] {
        &self.line_order
    }

    /// Every customer number, in the order of their keys.
    pub fn sorted(&self) -> &[u32] {
        &self.sorted
    }

    /// The customer key of number `n` (as [`line_key`] spells it).
    pub fn name(&self, n: u32) -> Option<&str> {
        self.names.get(n as usize).map(String::as_str)
    }

    /// Per 实销额 entry, in list order: its customer's number.
    pub fn entry_customers(&self) -> &[u32] {
        &self.entry_cust
    }

    /// The customers with a figure, in key order.
    pub fn collect<V: Copy>(&self, acc: &[Option<V>]) -> BTreeMap<String, V> {
        self.sorted
            .iter()
            .filter_map(|&n| {
                let v = acc.get(n as usize).copied().flatten()?;
                Some((self.names.get(n as usize)?.clone(), v))
            })
            .collect()
    }

    /// [`frequencies`] of the lines at positions `at` (ascending, [`super::Dates::within`]).
    pub fn frequencies(
        &self,
        lines: &[SaleLine],
        at: impl Iterator<Item = usize>,
    ) -> BTreeMap<String, i64> {
        self.collect(&self.frequencies_by_number(lines, at))
    }

    /// [`Keys::frequencies`] by customer number (`None`: no order in the window).
    pub fn frequencies_by_number(
        &self,
        lines: &[SaleLine],
        at: impl Iterator<Item = usize>,
    ) -> Vec<Option<i64>> {
        let mut seen = vec![false; self.orders];
        let mut n: Vec<Option<i64>> = vec![None; self.names.len()];
        for i in at {
            let (Some(l), Some(&o), Some(&c)) =
                (lines.get(i), self.line_order.get(i), self.line_cust.get(i))
            else {
                continue;
            };
            if l.cancelled {
                continue;
            }
            if let Some(s) = seen.get_mut(o as usize).filter(|s| !**s) {
                *s = true;
                if let Some(x) = n.get_mut(c as usize) {
                    *x = Some(x.unwrap_or(0) + 1);
                }
            }
        }
        n
    }

    /// [`contract_amounts`] of the lines at positions `at` (ascending).
    pub fn contract_amounts(
        &self,
        lines: &[SaleLine],
        at: impl Iterator<Item = usize>,
    ) -> BTreeMap<String, Decimal> {
        self.collect(&self.contract_amounts_by_number(lines, at))
    }

    /// [`Keys::contract_amounts`] by customer number.
    pub fn contract_amounts_by_number(
        &self,
        lines: &[SaleLine],
        at: impl Iterator<Item = usize>,
    ) -> Vec<Option<Decimal>> {
        let mut m: Vec<Option<Decimal>> = vec![None; self.names.len()];
        let mut seen: HashSet<(u32, &str)> = HashSet::default();
        for i in at {
            let (Some(l), Some(&c)) = (lines.get(i), self.line_cust.get(i)) else {
                continue;
            };
            if l.cancelled {
                continue;
            }
            let add = match (&l.contract_no, l.contract_amount) {
                (Some(no), Some(amt)) => {
                    if seen.insert((c, no.as_str())) {
                        amt
                    } else {
                        Decimal::ZERO
                    }
                }
                _ => l.amount,
            };
            if let Some(x) = m.get_mut(c as usize) {
                *x.get_or_insert(Decimal::ZERO) += add;
            }
        }
        m
    }

    /// [`net_by_customer`] of the entries at positions `at` (ascending).
    pub fn net_by_customer(
        &self,
        entries: &[NetEntry],
        at: impl Iterator<Item = usize>,
    ) -> BTreeMap<String, Decimal> {
        self.collect(&self.net_by_number(entries, at))
    }

    /// [`Keys::net_by_customer`] by customer number.
    pub fn net_by_number(
        &self,
        entries: &[NetEntry],
        at: impl Iterator<Item = usize>,
    ) -> Vec<Option<Decimal>> {
        let mut m: Vec<Option<Decimal>> = vec![None; self.names.len()];
        for i in at {
            let (Some(e), Some(&c)) = (entries.get(i), self.entry_cust.get(i)) else {
                continue;
            };
            if let Some(x) = m.get_mut(c as usize) {
                *x.get_or_insert(Decimal::ZERO) += e.amount;
            }
        }
        m
    }
}

/// One graded customer.
#[derive(Debug, Clone, PartialEq)]
pub struct Scored {
    pub id: String,
    pub contract: Decimal,
    pub profit: Decimal,
    pub freq: i64,
    pub score: Decimal,
}

/// M04: V_i = w_c·C_i/max C + w_p·P_i/max P + w_f·F_i/max F (a term is 0 when its max ≤ 0), then
/// sorted for M05: V desc, C desc, 客户编号 asc. Input: (id, C, profit, F).
pub fn value_scores(items: &[(String, Decimal, Decimal, i64)], w: &Weights) -> Vec<Scored> {
    let max_c = items.iter().map(|i| i.1).max().unwrap_or_default();
    let max_p = items.iter().map(|i| i.2).max().unwrap_or_default();
    let max_f = items.iter().map(|i| i.3).max().unwrap_or_default();
    let term = |weight: u32, x: Decimal, max: Decimal| {
        if max <= Decimal::ZERO {
            Decimal::ZERO
        } else {
            Decimal::from(weight) * x / max
        }
    };
    let mut out: Vec<Scored> = items
        .iter()
        .map(|(id, c, p, f)| Scored {
            id: id.clone(),
            contract: *c,
            profit: *p,
            freq: *f,
            score: term(w.contract, *c, max_c)
                + term(w.profit, *p, max_p)
                + term(w.frequency, Decimal::from(*f), Decimal::from(max_f)),
        })
        .collect();
    out.sort_by(|a, b| {
        b.score
            .cmp(&a.score)
            .then(b.contract.cmp(&a.contract))
            .then(a.id.cmp(&b.id))
    });
    out
}

/// M05 cumulative cut-offs (k_A, k_AB, k_ABC) for a population of `n` and quota percentages.
pub fn quota_cutoffs(n: usize, quota: &BTreeMap<String, u32>) -> (usize, usize, usize) {
    let q = |g: &str| Decimal::from(quota.get(g).copied().unwrap_or(0));
    let nn = Decimal::from(n as u64);
    let hundred = Decimal::from(100);
    let cut = |pct: Decimal| rh(pct * nn / hundred).max(0) as usize;
    let ka = n.min(cut(q("A")).max(1));
    let kab = n.min(cut(q("A") + q("B")).max(ka));
    let kabc = n.min(cut(q("A") + q("B") + q("C")).max(kab));
    (ka, kab, kabc)
}

/// M05 grade of each rank position (0-based) in a ranked population of `n`.
pub fn quota_grades(n: usize, quota: &BTreeMap<String, u32>) -> Vec<&'static str> {
    let (ka, kab, kabc) = quota_cutoffs(n, quota);
    (1..=n)
        .map(|r| {
            if r <= ka {
                "A"
            } else if r <= kab {
                "B"
            } else if r <= kabc {
                "C"
            } else {
                "D"
            }
        })
        .collect()
}

/// M06 grade by 合同额 thresholds (C_i > 0).
pub fn threshold_grade(c: Decimal, t: &BTreeMap<String, Decimal>) -> &'static str {
    let at_least = |g: &str| t.get(g).is_some_and(|x| c >= *x);
    if at_least("A") {
        "A"
    } else if at_least("B") {
        "B"
    } else if at_least("C") {
        "C"
    } else {
        "D"
    }
}

/// M06 suggested threshold: the minimum C_i among customers graded X, rounded down to 1,000 元.
pub fn suggest_threshold(min_contract: Decimal) -> Decimal {
    let k = Decimal::from(1000);
    (min_contract / k).floor() * k
}

/// One full grading run as of the end of `as_of`.
#[derive(Debug, Clone)]
pub struct GradeRun {
    pub as_of: Month,
    pub window: Window,
    /// The graded population in rank order.
    pub ranked: Vec<Scored>,
    pub grade: BTreeMap<String, &'static str>,
    /// Σ profit over the graded population (M02 denominator).
    pub profit_total: Decimal,
    /// No cost anywhere: profit is 实销额 (M02).
    pub profit_is_sales: bool,
    pub threshold_mode: bool,
}

impl GradeRun {
    pub fn grade_of(&self, id: &str) -> &'static str {
        self.grade.get(id).copied().unwrap_or(UNGRADED)
    }
}

pub fn grade_run(
    ds: &Dataset,
    cfg: &Config,
    entries: &[NetEntry],
    costs: &Costs,
    as_of: Month,
) -> GradeRun {
    let w = grading_window(as_of, &cfg.grading.window);
    let freq = frequencies(ds.sales.as_deref().unwrap_or(&[]), w);
    grade_run_with(ds, cfg, entries, costs, as_of, &freq)
}

/// [`grade_run`] with the window's M03 frequencies already counted ([`Ctx::frequencies`] shares
/// them with retention's 复购率, which asks for the same twelve months).
pub fn grade_run_with(
    ds: &Dataset,
    cfg: &Config,
    entries: &[NetEntry],
    costs: &Costs,
    as_of: Month,
    freq: &BTreeMap<String, i64>,
) -> GradeRun {
    let w = grading_window(as_of, &cfg.grading.window);
    let lines = ds.sales.as_deref().unwrap_or(&[]);
    grade_run_of(
        cfg,
        as_of,
        w,
        &contract_amounts(lines, w),
        &net_by_customer(entries, w),
        costs.entries.iter().filter(|e| w.contains(e.date)),
        costs.any_cost,
        freq,
    )
}

/// [`grade_run_with`] from the window's figures: 合同额, 实销额 and cost entries of `w` per
/// customer ([`Ctx::grade_run`] takes them from its date indexes and shared sums).
#[allow(clippy::too_many_arguments)]
pub fn grade_run_of<'a: 'c, 'c>(
    cfg: &Config,
    as_of: Month,
    w: Window,
    contract: &BTreeMap<String, Decimal>,
    net: &BTreeMap<String, Decimal>,
    costs_in_w: impl IntoIterator<Item = &'c CostEntry<'a>>,
    any_cost: bool,
    freq: &BTreeMap<String, i64>,
) -> GradeRun {
    let mut cost: HashMap<&str, Decimal> = HashMap::default();
    for e in costs_in_w {
        *cost.entry(&e.customer_id).or_default() += e.cost;
    }
    let items: Vec<(String, Decimal, Decimal, i64)> = contract
        .iter()
        .filter(|(_, c)| **c > Decimal::ZERO)
        .map(|(id, c)| {
            let n = net.get(id).copied().unwrap_or_default();
            let profit = n - cost.get(id.as_str()).copied().unwrap_or_default();
            (
                id.clone(),
                *c,
                profit,
                freq.get(id).copied().unwrap_or_default(),
            )
        })
        .collect();
    grade_items(cfg, as_of, w, &items, any_cost)
}

/// [`grade_run_of`] from the window's figures by customer number ([`Keys`]): 合同额, 实销额,
/// 边际成本 (Σ of the window's cost entries, in list order) and 消费频次. What [`Ctx::grade_run`]
/// runs: looking each graded customer up in three maps keyed by strings, and summing the cost
/// entries in a map keyed by strings, was most of a run's time.
#[allow(clippy::too_many_arguments)]
pub fn grade_run_by_number(
    cfg: &Config,
    as_of: Month,
    w: Window,
    keys: &Keys,
    contract: &[Option<Decimal>],
    net: &[Option<Decimal>],
    cost: &[Decimal],
    any_cost: bool,
    freq: &[Option<i64>],
) -> GradeRun {
    let items: Vec<(String, Decimal, Decimal, i64)> = keys
        .sorted
        .iter()
        .filter_map(|&n| {
            let i = n as usize;
            let c = contract.get(i).copied().flatten()?;
            if c <= Decimal::ZERO {
                return None;
            }
            let n_net = net.get(i).copied().flatten().unwrap_or_default();
            let profit = n_net - cost.get(i).copied().unwrap_or_default();
            Some((
                keys.names.get(i)?.clone(),
                c,
                profit,
                freq.get(i).copied().flatten().unwrap_or_default(),
            ))
        })
        .collect();
    grade_items(cfg, as_of, w, &items, any_cost)
}

/// M04–M06 over the graded population (id, 合同额, profit, 消费频次) in key order.
fn grade_items(
    cfg: &Config,
    as_of: Month,
    w: Window,
    items: &[(String, Decimal, Decimal, i64)],
    any_cost: bool,
) -> GradeRun {
    let ranked = value_scores(items, &cfg.grading.weights);
    let threshold_mode = cfg.grading.thresholds.is_some();
    let grade = match &cfg.grading.thresholds {
        Some(t) => ranked
            .iter()
            .map(|s| (s.id.clone(), threshold_grade(s.contract, t)))
            .collect(),
        None => ranked
            .iter()
            .zip(quota_grades(ranked.len(), &cfg.grading.quota))
            .map(|(s, g)| (s.id.clone(), g))
            .collect(),
    };
    GradeRun {
        as_of,
        window: w,
        profit_total: ranked.iter().map(|s| s.profit).sum(),
        ranked,
        grade,
        profit_is_sales: !any_cost,
        threshold_mode,
    }
}

/// The current grade of every graded customer (A..D) for the report month; other families use it
/// (retention by grade, complaint priority). Customers not in the map are 未分级.
pub fn grades(ctx: &Ctx) -> BTreeMap<String, String> {
    ctx.grade_run(ctx.month)
        .grade
        .iter()
        .map(|(k, v)| (k.clone(), v.to_string()))
        .collect()
}

// ───────────────────────────── M08/M09 ─────────────────────────────

/// The 80/20 figures of M08 over one list of amounts.
#[derive(Debug, Clone, PartialEq)]
pub struct Pareto {
    /// Items with a positive amount.
    pub n: usize,
    /// k = max(1, rh(0.2n)).
    pub k: usize,
    /// Σ top k / Σ positive.
    pub top_share: Decimal,
    /// Smallest number of top items whose cumulative share ≥ 80%.
    pub m: usize,
}

/// M08: None when nothing is positive (the shares would have no denominator).
pub fn pareto(values: &[Decimal]) -> Option<Pareto> {
    let mut v: Vec<Decimal> = values
        .iter()
        .copied()
        .filter(|x| *x > Decimal::ZERO)
        .collect();
    v.sort_by(|a, b| b.cmp(a));
    let n = v.len();
    let total: Decimal = v.iter().copied().sum();
    if n == 0 || total.is_zero() {
        return None;
    }
    let k = (rh(Decimal::from(n as u64) * Decimal::new(2, 1)).max(1) as usize).min(n);
    let top: Decimal = v[..k].iter().copied().sum();
    let target = total * Decimal::new(8, 1);
    let mut cum = Decimal::ZERO;
    let mut m = n;
    for (i, x) in v.iter().enumerate() {
        cum += *x;
        if cum >= target {
            m = i + 1;
            break;
        }
    }
    Some(Pareto {
        n,
        k,
        top_share: top / total,
        m,
    })
}

// ───────────────────────────── tables ─────────────────────────────

fn grade_rank(g: &str) -> usize {
    GRADES.iter().position(|x| *x == g).unwrap_or(GRADES.len())
}

/// The family's KPIs for the 摘要 (§4.1), as (中文, English, value) like the summary's own:
/// A+B share of the month's 实销额 (M07) and the top-20% customer share (M08).
pub fn kpis(ctx: &Ctx) -> Vec<(&'static str, &'static str, Value)> {
    let (ab, top) = if ctx.ds.sales.is_none() {
        let m = Value::Missing("销售明细".into());
        (m.clone(), m)
    } else {
        let run = ctx.grade_run(ctx.month);
        let net = ctx.net_by_customer(Window::months(ctx.month, ctx.month));
        let total: Decimal = net.values().copied().sum();
        let ab: Decimal = net
            .iter()
            .filter(|(id, _)| matches!(run.grade_of(id), "A" | "B"))
            .map(|(_, v)| *v)
            .sum();
        let v: Vec<Decimal> = net.values().copied().collect();
        (
            ratio(ab, total),
            pareto(&v).map_or(Value::NotApplicable, |p| Value::Ratio(p.top_share)),
        )
    };
    vec![
        ("A+B 类客户实销额占比", "A+B share of net sales", ab),
        ("前20%客户实销额占比", "Top-20% customers' share", top),
    ]
}

/// The family's tables for the report month, in reading order.
pub fn tables(ctx: &Ctx) -> Vec<Table> {
    if ctx.ds.sales.is_none() {
        return [
            ("grading", "客户分级表", "Customer grades"),
            ("grading-ranked", "客户等级分类表", "Ranked customer value"),
            ("grade-migration", "客户等级异动表", "Grade migration"),
            ("concentration", "80/20 集中度", "80/20 concentration"),
            ("key-customers", "重点客户统计表", "Key customers"),
            ("big-customers", "大客户名单", "Key accounts"),
        ]
        .iter()
        .map(|(id, zh, en)| missing_table(id, Msg::new(*zh, *en), "销售明细"))
        .collect();
    }
    let costs = ctx.costs();
    let cur = ctx.grade_run(ctx.month);
    let prev = ctx.grade_run(ctx.month.prev());
    let dir = ctx.directory();
    vec![
        grade_mix_table(ctx, &cur),
        ranked_table(ctx, &cur, &prev, &dir),
        migration_table(ctx, &cur, &prev),
        concentration_table(ctx, &costs),
        key_customers_table(ctx, &cur, &dir),
        big_customers_table(ctx, &cur, &dir),
    ]
}

fn profit_note(run: &GradeRun) -> Option<Msg> {
    run.profit_is_sales.then(|| {
        Msg::new(
            "利润数据缺失,以实销额代替",
            "No cost data: profit is taken as net sales",
        )
    })
}

fn window_note(run: &GradeRun) -> Msg {
    Msg::new(
        format!("分级期间: {} 至 {}", run.window.from, run.window.to),
        format!("Grading window: {} to {}", run.window.from, run.window.to),
    )
}

/// M05–M07 grade mix: count, % of the graded population, lowest 合同额 and suggested threshold,
/// 实销额 of the month and of the window with their shares. The 未分级 row makes the 实销额 columns
/// reconcile to the company total.
fn grade_mix_table(ctx: &Ctx, run: &GradeRun) -> Table {
    let month_w = Window::months(ctx.month, ctx.month);
    let net_m = ctx.net_by_customer(month_w);
    let net_w = ctx.net_by_customer(run.window);
    let all = ctx.customers();
    let tot_m: Decimal = net_m.values().copied().sum();
    let tot_w: Decimal = net_w.values().copied().sum();
    let n = run.ranked.len();
    let mut rows = Vec::new();
    let mut total_count = 0i64;
    let mut suggested = Vec::new();
    // Each ranked customer's grade, looked up once (not once per grade and column).
    let graded: Vec<(&Scored, &str)> = run
        .ranked
        .iter()
        .map(|s| (s, run.grade_of(&s.id)))
        .collect();
    for g in GRADES.iter().copied().chain([UNGRADED]) {
        let members: Vec<&String> = if g == UNGRADED {
            let mut v: BTreeSet<&String> = all
                .iter()
                .filter(|id| !run.grade.contains_key(*id))
                .collect();
            // Customers with sales entries but no line (e.g. return only) are 未分级 as well.
            v.extend(
                net_m
                    .keys()
                    .chain(net_w.keys())
                    .filter(|id| !run.grade.contains_key(*id)),
            );
            v.into_iter().collect()
        } else {
            graded
                .iter()
                .filter(|(_, sg)| *sg == g)
                .map(|(s, _)| &s.id)
                .collect()
        };
        let count = members.len() as i64;
        total_count += count;
        let sm: Decimal = members
            .iter()
            .filter_map(|id| net_m.get(*id))
            .copied()
            .sum();
        let sw: Decimal = members
            .iter()
            .filter_map(|id| net_w.get(*id))
            .copied()
            .sum();
        let min_c = graded
            .iter()
            .filter(|(_, sg)| g != UNGRADED && *sg == g)
            .map(|(s, _)| s.contract)
            .min();
        // D is "everything else": it has no lower bound of its own.
        let threshold = if g == UNGRADED || g == "D" {
            Value::Empty
        } else if let Some(t) = &ctx.cfg.grading.thresholds {
            t.get(g).map_or(Value::Empty, |x| Value::Money(*x))
        } else {
            min_c.map_or(Value::Empty, |c| {
                let s = suggest_threshold(c);
                suggested.push(format!("{g} ≥ {s}"));
                Value::Money(s)
            })
        };
        rows.push(vec![
            Value::Text(g.to_string()),
            Value::Int(count),
            if g == UNGRADED {
                Value::Empty
            } else {
                ratio(Decimal::from(count), Decimal::from(n as u64))
            },
            min_c.map_or(Value::Empty, Value::Money),
            threshold,
            Value::Money(sm),
            ratio(sm, tot_m),
            Value::Money(sw),
            ratio(sw, tot_w),
        ]);
    }
    let mut notes = vec![
        window_note(run),
        if run.threshold_mode {
            Msg::new(
                "分级方式: 按合同额门槛 (grading.thresholds)",
                "Grading by 合同额 thresholds (grading.thresholds)",
            )
        } else {
            let q = &ctx.cfg.grading.quota;
            let p = |g: &str| q.get(g).copied().unwrap_or(0);
            Msg::new(
                format!(
                    "分级方式: 按比例 A {}% / B {}% / C {}% / D {}%; 得分 = 合同额 {} + 利润 {} + 频次 {}",
                    p("A"), p("B"), p("C"), p("D"),
                    ctx.cfg.grading.weights.contract, ctx.cfg.grading.weights.profit, ctx.cfg.grading.weights.frequency
                ),
                format!(
                    "Quota grading A {}% / B {}% / C {}% / D {}%; score = contract {} + profit {} + frequency {}",
                    p("A"), p("B"), p("C"), p("D"),
                    ctx.cfg.grading.weights.contract, ctx.cfg.grading.weights.profit, ctx.cfg.grading.weights.frequency
                ),
            )
        },
    ];
    if !run.threshold_mode && !suggested.is_empty() {
        notes.push(Msg::new(
            format!("建议合同额门槛 (元, 取各级最低合同额向下取整到千元): {}", suggested.join(", ")),
            format!("Suggested 合同额 thresholds (yuan, lowest contract per grade rounded down to 1,000): {}", suggested.join(", ")),
        ));
    }
    if run.threshold_mode && n > 0 {
        let ab = run
            .ranked
            .iter()
            .filter(|s| matches!(run.grade_of(&s.id), "A" | "B"))
            .count();
        let share = Decimal::from(ab as u64) / Decimal::from(n as u64);
        notes.push(Msg::new(
            format!(
                "A+B 类占分级客户 {:.1}% (S2: 应约为 20%)",
                share * Decimal::from(100)
            ),
            format!(
                "A+B are {:.1}% of graded customers (S2: about 20%)",
                share * Decimal::from(100)
            ),
        ));
        if share < Decimal::new(15, 2) || share > Decimal::new(25, 2) {
            notes.push(Msg::new(
                format!("注意: A+B 类占 {:.1}%, 超出 15%–25% 范围, 建议重新校准门槛", share * Decimal::from(100)),
                format!("Warning: A+B are {:.1}% of graded customers, outside 15–25%; recalibrate the thresholds", share * Decimal::from(100)),
            ));
        }
    }
    notes.extend(profit_note(run));
    Table {
        id: "grading".into(),
        title: Msg::new(
            format!("{} 客户分级表", ctx.month.zh()),
            format!("Customer grades, {}", ctx.month),
        ),
        columns: vec![
            Column::new("grade", "等级", "Grade", Kind::Text),
            Column::new("count", "客户数", "Customers", Kind::Int),
            Column::new("pct", "占分级客户", "Share of graded", Kind::Percent),
            Column::new("min_contract", "最低合同额", "Lowest contract", Kind::Money),
            Column::new("threshold", "合同额门槛", "Contract threshold", Kind::Money),
            Column::new("net_sales", "本月实销额", "Net sales (month)", Kind::Money),
            Column::new("net_share", "本月占比", "Share (month)", Kind::Percent),
            Column::new(
                "net_sales_window",
                "期间实销额",
                "Net sales (window)",
                Kind::Money,
            ),
            Column::new(
                "net_share_window",
                "期间占比",
                "Share (window)",
                Kind::Percent,
            ),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Int(total_count),
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Money(tot_m),
            ratio(tot_m, tot_m),
            Value::Money(tot_w),
            ratio(tot_w, tot_w),
        ]),
        notes,
    }
}

/// 客户等级分类表 / 客户价值评估表: the full ranked list (M01–M05).
fn ranked_table(ctx: &Ctx, run: &GradeRun, prev: &GradeRun, dir: &Directory) -> Table {
    let share = |p: Decimal| {
        if run.profit_total > Decimal::ZERO {
            Value::Ratio(p / run.profit_total)
        } else {
            Value::NotApplicable
        }
    };
    let rows = run
        .ranked
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let manual = dir.get(&s.id).and_then(|c| c.manual_grade.clone());
            vec![
                Value::Int(i as i64 + 1),
                Value::Text(s.id.clone()),
                Value::Text(dir.name(&s.id)),
                Value::Money(s.contract),
                Value::Money(s.profit),
                share(s.profit),
                Value::Int(s.freq),
                Value::Qty(s.score.round_dp(3)),
                Value::Text(run.grade_of(&s.id).into()),
                Value::Text(prev.grade_of(&s.id).into()),
                manual.map_or(Value::Empty, Value::Text),
            ]
        })
        .collect();
    let mut notes = vec![
        window_note(run),
        Msg::new(
            "排序: 综合得分降序, 同分按合同额降序, 再按客户编号升序; 手工等级仅供对照, 不改变计算等级",
            "Order: score desc, then contract desc, then customer id asc; the manual grade is shown for comparison only",
        ),
    ];
    if run.profit_total <= Decimal::ZERO && !run.ranked.is_empty() {
        notes.push(Msg::new(
            "利润合计 ≤ 0, 利润贡献率显示为 —",
            "Total profit ≤ 0: profit share shown as —",
        ));
    }
    notes.extend(profit_note(run));
    Table {
        id: "grading-ranked".into(),
        title: Msg::new(
            format!("{} 客户等级分类表 (客户价值评估)", ctx.month.zh()),
            format!("Ranked customer value, {}", ctx.month),
        ),
        columns: vec![
            Column::new("rank", "名次", "Rank", Kind::Int),
            Column::new("customer_id", "客户编号", "Customer ID", Kind::Text),
            Column::new("name", "客户名称", "Customer", Kind::Text),
            Column::new("contract", "合同额", "Contract amount", Kind::Money),
            Column::new("profit", "利润", "Profit", Kind::Money),
            Column::new("profit_share", "利润贡献率", "Profit share", Kind::Percent),
            Column::new("frequency", "消费频次", "Orders", Kind::Int),
            Column::new("score", "综合得分", "Value score", Kind::Qty),
            Column::new("grade", "等级", "Grade", Kind::Text),
            Column::new("prev_grade", "上期等级", "Previous grade", Kind::Text),
            Column::new("manual_grade", "手工等级", "Manual grade", Kind::Text),
        ],
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Empty,
            Value::Empty,
            Value::Money(run.ranked.iter().map(|s| s.contract).sum()),
            Value::Money(run.profit_total),
            Value::Empty,
            Value::Int(run.ranked.iter().map(|s| s.freq).sum()),
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
        ]),
        rows,
        notes,
    }
}

const NEW_IN: &str = "新进";
const LOST: &str = "流失";

/// M07 migration state of a customer at the end of `run.as_of`: 流失 wins over a grade (a lost
/// customer can still have contract amount inside a 12-month window).
fn migration_state(
    run: &GradeRun,
    id: &str,
    state: State,
    first_order: Option<NaiveDate>,
    as_prev: bool,
) -> &'static str {
    if as_prev && first_order.is_none_or(|d| d > run.window.to) {
        return NEW_IN;
    }
    if state == State::Lost {
        return LOST;
    }
    run.grade_of(id)
}

/// The customers that enter the migration matrix and their (previous, current) states.
pub fn migrations(
    ctx: &Ctx,
    cur: &GradeRun,
    prev: &GradeRun,
) -> Vec<(String, &'static str, &'static str)> {
    let dir = ctx.directory();
    let orders = ctx.order_dates();
    let mut out = Vec::new();
    for id in ctx.customers().iter() {
        let status = dir.get(id).and_then(|c| c.status.as_deref());
        let dates = orders.get(id).map(Vec::as_slice).unwrap_or(&[]);
        let first = dates.iter().min().copied();
        let s_prev = retention::state_at(status, dates, prev.window.to, ctx.cfg.churn_days);
        let s_cur = retention::state_at(status, dates, cur.window.to, ctx.cfg.churn_days);
        // Customers with no order by the report month end (潜在/意向, or recorded lost without
        // ever ordering) were never graded: they stay out of the matrix.
        if first.is_none_or(|d| d > cur.window.to) {
            continue;
        }
        let p = migration_state(prev, id, s_prev, first, true);
        let c = migration_state(cur, id, s_cur, first, false);
        out.push((id.clone(), p, c));
    }
    out
}

fn migration_table(ctx: &Ctx, cur: &GradeRun, prev: &GradeRun) -> Table {
    let rows_l = ["A", "B", "C", "D", UNGRADED, LOST, NEW_IN];
    let cols_l = ["A", "B", "C", "D", UNGRADED, LOST];
    let moves = migrations(ctx, cur, prev);
    let mut m: HashMap<(&str, &str), i64> = HashMap::default();
    for (_, p, c) in &moves {
        *m.entry((p, c)).or_default() += 1;
    }
    let cell = |p: &str, c: &str| m.get(&(p, c)).copied().unwrap_or(0);
    let rows: Vec<Vec<Value>> = rows_l
        .iter()
        .map(|p| {
            let mut r = vec![Value::Text(p.to_string())];
            r.extend(cols_l.iter().map(|c| Value::Int(cell(p, c))));
            r.push(Value::Int(cols_l.iter().map(|c| cell(p, c)).sum()));
            r
        })
        .collect();
    let mut totals = vec![Value::Text("合计".into())];
    totals.extend(
        cols_l
            .iter()
            .map(|c| Value::Int(rows_l.iter().map(|p| cell(p, c)).sum())),
    );
    totals.push(Value::Int(moves.len() as i64));
    let changed = moves.iter().filter(|(_, p, c)| p != c).count();
    let up = moves
        .iter()
        .filter(|(_, p, c)| grade_rank(p) < 4 && grade_rank(c) < 4 && grade_rank(c) < grade_rank(p))
        .count();
    let down = moves
        .iter()
        .filter(|(_, p, c)| grade_rank(p) < 4 && grade_rank(c) < 4 && grade_rank(c) > grade_rank(p))
        .count();
    let mut columns = vec![Column::new(
        "prev",
        "上期 \\ 本期",
        "Previous \\ current",
        Kind::Text,
    )];
    columns.extend(
        cols_l
            .iter()
            .map(|c| Column::new(c, c, &en_state(c), Kind::Int)),
    );
    columns.push(Column::new("total", "合计", "Total", Kind::Int));
    Table {
        id: "grade-migration".into(),
        title: Msg::new(
            format!("{} 客户等级异动表 (上期末 {} → 本期末)", ctx.month.zh(), ctx.month.prev().zh()),
            format!("Grade migration, {} → {}", ctx.month.prev(), ctx.month),
        ),
        columns,
        rows,
        totals: Some(totals),
        notes: vec![
            Msg::new(
                format!("异动客户 {changed} 户, 其中升级 {up} 户, 降级 {down} 户; 上期等级按相同规则重算"),
                format!("{changed} customers changed state ({up} up, {down} down); previous grades recomputed with the same rules"),
            ),
            Msg::new(
                format!("流失: 客户状态为流失客户, 或最后订货距期末 ≥ {} 天; 新进: 本期首次订货", ctx.cfg.churn_days),
                format!("Lost: status 流失客户 or last order ≥ {} days before period end; new: first order in this period", ctx.cfg.churn_days),
            ),
        ],
    }
}

fn en_state(s: &str) -> String {
    match s {
        UNGRADED => "Ungraded".into(),
        LOST => "Lost".into(),
        NEW_IN => "New".into(),
        g => g.into(),
    }
}

/// M08/M09: 80/20 on 实销额 and 边际贡献, for customers and product categories, for the month and T12M.
fn concentration_table(ctx: &Ctx, costs: &Costs) -> Table {
    let mut rows = Vec::new();
    let windows = [
        (Window::months(ctx.month, ctx.month), "本月", "month"),
        (Window::t12m(ctx.month), "近12个月", "T12M"),
    ];
    type Key = for<'e> fn(&'e NetEntry) -> &'e str;
    type CKey = for<'e> fn(&'e CostEntry) -> &'e str;
    let dims: [(&str, &str, Key, CKey); 2] = [
        ("客户", "Customers", |e| &e.customer_id, |e| &e.customer_id),
        (
            "产品种类",
            "Product categories",
            |e| e.category.as_deref().unwrap_or("未分类"),
            |e| e.category.as_deref().unwrap_or("未分类"),
        ),
    ];
    for (dim_zh, _dim_en, key, ckey) in dims {
        for (w, wz, _we) in &windows {
            let net: BTreeMap<String, Decimal> = if dim_zh == "客户" {
                // The same sums, in the same order, as the grading's (shared per window).
                (*ctx.net_by_customer(*w)).clone()
            } else {
                let mut net = BTreeMap::new();
                for e in ctx.entries_in(*w) {
                    super::add_to(&mut net, key(e), e.amount);
                }
                net
            };
            let margin = if dim_zh == "客户" {
                // By customer number ([`Ctx::margin_by_customer`]): the same sums without a
                // string-keyed lookup per cost entry.
                ctx.margin_by_customer(*w)
            } else {
                let mut margin = net.clone();
                for e in ctx.costs_in(*w) {
                    super::add_to(&mut margin, ckey(e), -e.cost);
                }
                margin
            };
            let mut measures = vec![("实销额", net)];
            if costs.any_cost {
                measures.push(("边际贡献", margin));
            }
            for (mz, vals) in measures {
                let v: Vec<Decimal> = vals.values().copied().collect();
                let p = pareto(&v);
                let row = match p {
                    Some(p) => vec![
                        Value::Text(dim_zh.into()),
                        Value::Text(mz.into()),
                        Value::Text((*wz).into()),
                        Value::Int(p.n as i64),
                        Value::Int(p.k as i64),
                        Value::Ratio(p.top_share),
                        Value::Int(p.m as i64),
                        ratio(Decimal::from(p.m as u64), Decimal::from(p.n as u64)),
                    ],
                    None => vec![
                        Value::Text(dim_zh.into()),
                        Value::Text(mz.into()),
                        Value::Text((*wz).into()),
                        Value::Int(0),
                        Value::Int(0),
                        Value::NotApplicable,
                        Value::Int(0),
                        Value::NotApplicable,
                    ],
                };
                rows.push(row);
            }
        }
    }
    let mut notes = vec![Msg::new(
        "前20%个数 k = max(1, 四舍五入(0.2n)); 帕累托个数 m = 累计占比首次 ≥ 80% 的最少个数; 只计金额为正的对象",
        "k = max(1, round(0.2n)); m = fewest top items reaching 80% cumulative share; only positive amounts count",
    )];
    if !costs.any_cost {
        notes.push(Msg::new(
            "无成本数据, 未计算边际贡献集中度",
            "No cost data: contribution concentration not computed",
        ));
    }
    Table {
        id: "concentration".into(),
        title: Msg::new(
            format!("{} 80/20 客户与产品集中度", ctx.month.zh()),
            format!("80/20 concentration, {}", ctx.month),
        ),
        columns: vec![
            Column::new("dimension", "对象", "Dimension", Kind::Text),
            Column::new("measure", "口径", "Measure", Kind::Text),
            Column::new("period", "期间", "Period", Kind::Text),
            Column::new("n", "个数", "Count", Kind::Int),
            Column::new("k", "前20%个数", "Top 20% count", Kind::Int),
            Column::new("top_share", "前20%占比", "Top 20% share", Kind::Percent),
            Column::new("m", "占80%所需个数", "Count for 80%", Kind::Int),
            Column::new("m_share", "所需个数占比", "Share of count", Kind::Percent),
        ],
        rows,
        totals: None,
        notes,
    }
}

/// M10 重点客户: the grades in `key_customer_grades` (default A ∪ B).
fn key_customers_table(ctx: &Ctx, run: &GradeRun, dir: &Directory) -> Table {
    let keys: BTreeSet<&str> = ctx
        .cfg
        .key_customer_grades
        .iter()
        .map(String::as_str)
        .collect();
    let month_w = Window::months(ctx.month, ctx.month);
    let net_m = ctx.net_by_customer(month_w);
    let net_w = ctx.net_by_customer(run.window);
    let mut rows = Vec::new();
    let (mut tm, mut tw) = (Decimal::ZERO, Decimal::ZERO);
    for (i, s) in run.ranked.iter().enumerate() {
        let g = run.grade_of(&s.id);
        if !keys.contains(g) {
            continue;
        }
        let m = net_m.get(&s.id).copied().unwrap_or_default();
        let w = net_w.get(&s.id).copied().unwrap_or_default();
        tm += m;
        tw += w;
        let c = dir.get(&s.id);
        rows.push(vec![
            Value::Int(i as i64 + 1),
            Value::Text(s.id.clone()),
            Value::Text(dir.name(&s.id)),
            Value::Text(g.into()),
            Value::Qty(s.score.round_dp(3)),
            Value::Money(m),
            Value::Money(w),
            c.and_then(|c| c.owner.clone())
                .map_or(Value::Empty, Value::Text),
            c.and_then(|c| c.co_owner.clone())
                .map_or(Value::Empty, Value::Text),
        ]);
    }
    let count = rows.len();
    Table {
        id: "key-customers".into(),
        title: Msg::new(
            format!("{} 重点客户统计表", ctx.month.zh()),
            format!("Key customers, {}", ctx.month),
        ),
        columns: vec![
            Column::new("rank", "名次", "Rank", Kind::Int),
            Column::new("customer_id", "客户编号", "Customer ID", Kind::Text),
            Column::new("name", "客户名称", "Customer", Kind::Text),
            Column::new("grade", "等级", "Grade", Kind::Text),
            Column::new("score", "综合得分", "Value score", Kind::Qty),
            Column::new("net_sales", "本月实销额", "Net sales (month)", Kind::Money),
            Column::new(
                "net_sales_window",
                "期间实销额",
                "Net sales (window)",
                Kind::Money,
            ),
            Column::new("owner", "负责人", "Owner", Kind::Text),
            Column::new("co_owner", "第二联系人", "Second contact", Kind::Text),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Empty,
            Value::Text(format!("{count} 户")),
            Value::Empty,
            Value::Empty,
            Value::Money(tm),
            Value::Money(tw),
            Value::Empty,
            Value::Empty,
        ]),
        notes: vec![Msg::new(
            format!(
                "重点客户 = {} 类客户",
                ctx.cfg.key_customer_grades.join("、")
            ),
            format!(
                "Key customers = grades {}",
                ctx.cfg.key_customer_grades.join(", ")
            ),
        )],
    }
}

/// M11 大客户: flagged 大客户 = 是 in T01; with no flag anywhere, grade A.
pub fn big_customer_ids(ds: &Dataset, run: &GradeRun) -> (Vec<String>, bool) {
    let flagged: Vec<String> = ds
        .customers
        .iter()
        .flatten()
        .filter(|c| c.key_account == Some(true))
        .map(|c| c.customer_id.clone())
        .collect();
    if flagged.is_empty() {
        let a = run
            .ranked
            .iter()
            .filter(|s| run.grade_of(&s.id) == "A")
            .map(|s| s.id.clone())
            .collect();
        (a, false)
    } else {
        (flagged, true)
    }
}

fn big_customers_table(ctx: &Ctx, run: &GradeRun, dir: &Directory) -> Table {
    let (ids, flagged) = big_customer_ids(ctx.ds, run);
    let net_m = ctx.net_by_customer(Window::months(ctx.month, ctx.month));
    let net_w = ctx.net_by_customer(run.window);
    let (mut tm, mut tw) = (Decimal::ZERO, Decimal::ZERO);
    let rows: Vec<Vec<Value>> = ids
        .iter()
        .map(|id| {
            let m = net_m.get(id).copied().unwrap_or_default();
            let w = net_w.get(id).copied().unwrap_or_default();
            tm += m;
            tw += w;
            vec![
                Value::Text(id.clone()),
                Value::Text(dir.name(id)),
                Value::Text(run.grade_of(id).into()),
                Value::Money(m),
                Value::Money(w),
                dir.owner(id).map_or(Value::Empty, Value::Text),
            ]
        })
        .collect();
    Table {
        id: "big-customers".into(),
        title: Msg::new(
            format!("{} 大客户名单", ctx.month.zh()),
            format!("Key accounts, {}", ctx.month),
        ),
        columns: vec![
            Column::new("customer_id", "客户编号", "Customer ID", Kind::Text),
            Column::new("name", "客户名称", "Customer", Kind::Text),
            Column::new("grade", "等级", "Grade", Kind::Text),
            Column::new("net_sales", "本月实销额", "Net sales (month)", Kind::Money),
            Column::new(
                "net_sales_window",
                "期间实销额",
                "Net sales (window)",
                Kind::Money,
            ),
            Column::new("owner", "负责人", "Owner", Kind::Text),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Empty,
            Value::Empty,
            Value::Money(tm),
            Value::Money(tw),
            Value::Empty,
        ]),
        notes: vec![if flagged {
            Msg::new(
                "大客户 = 客户信息表中标记为大客户者",
                "Key accounts = customers flagged 大客户 in T01",
            )
        } else {
            Msg::new(
                "客户信息表未标记大客户, 以 A 类客户代替",
                "No customer is flagged 大客户 in T01: grade A customers are used",
            )
        }],
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::model::Customer;
    use rust_decimal_macros::dec;

    pub fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    pub fn line(no: &str, date: &str, cust: &str, amount: Decimal) -> SaleLine {
        SaleLine {
            order_no: Some(no.into()),
            order_date: d(date),
            customer_id: Some(cust.into()),
            qty: dec!(1),
            amount,
            ..Default::default()
        }
    }

    pub fn customer(id: &str) -> Customer {
        Customer {
            customer_id: id.into(),
            name: format!("{id}公司"),
            ..Default::default()
        }
    }

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    /// DOMAIN M04 worked test.
    #[test]
    fn m04_worked_case() {
        let items = vec![
            ("C1".to_string(), dec!(1000000), dec!(200000), 2),
            ("C2".to_string(), dec!(500000), dec!(300000), 4),
            ("C3".to_string(), dec!(100000), dec!(-50000), 1),
        ];
        let s = value_scores(&items, &Weights::default());
        let ids: Vec<&str> = s.iter().map(|x| x.id.as_str()).collect();
        assert_eq!(ids, ["C2", "C1", "C3"], "ranks 2, 1, 3");
        assert_eq!(s[0].score.round_dp(3), dec!(80.000));
        assert_eq!(s[1].score.round_dp(3), dec!(76.667));
        assert_eq!(s[2].score.round_dp(3), dec!(2.333));
    }

    /// DOMAIN M05 worked test: n → (A, B, C, D).
    #[test]
    fn m05_quota_counts() {
        let q = Config::default().grading.quota;
        for (n, want) in [
            (1, [1, 0, 0, 0]),
            (5, [1, 0, 2, 2]),
            (10, [1, 1, 3, 5]),
            (12, [1, 1, 4, 6]),
            (37, [2, 5, 12, 18]),
            (100, [5, 15, 30, 50]),
        ] {
            let g = quota_grades(n, &q);
            let got: Vec<usize> = GRADES
                .iter()
                .map(|x| g.iter().filter(|y| *y == x).count())
                .collect();
            assert_eq!(got, want, "n = {n}");
        }
        assert!(quota_grades(0, &q).is_empty());
    }

    #[test]
    fn m05_ties_break_by_contract_then_id() {
        let w = Weights {
            contract: 0,
            profit: 0,
            frequency: 100,
        };
        let items = vec![
            ("B".to_string(), dec!(100), dec!(0), 1),
            ("A".to_string(), dec!(100), dec!(0), 1),
            ("C".to_string(), dec!(200), dec!(0), 1),
        ];
        let ids: Vec<String> = value_scores(&items, &w).into_iter().map(|s| s.id).collect();
        assert_eq!(ids, ["C", "A", "B"]);
    }

    #[test]
    fn m06_thresholds_and_suggestion() {
        let t: BTreeMap<String, Decimal> =
            [("A", dec!(500000)), ("B", dec!(100000)), ("C", dec!(20000))]
                .into_iter()
                .map(|(k, v)| (k.to_string(), v))
                .collect();
        assert_eq!(threshold_grade(dec!(500000), &t), "A");
        assert_eq!(threshold_grade(dec!(499999.99), &t), "B");
        assert_eq!(threshold_grade(dec!(20000), &t), "C");
        assert_eq!(threshold_grade(dec!(1), &t), "D");
        assert_eq!(suggest_threshold(dec!(123456.78)), dec!(123000));
        assert_eq!(suggest_threshold(dec!(999)), dec!(0));
    }

    /// DOMAIN M08 worked test: top-20% share 70.0% and m = 3 (30%).
    #[test]
    fn m08_worked_case() {
        let v: Vec<Decimal> = [500, 200, 100, 60, 50, 40, 20, 15, 10, 5]
            .into_iter()
            .map(Decimal::from)
            .collect();
        let p = pareto(&v).unwrap();
        assert_eq!(p.n, 10);
        assert_eq!(p.k, 2);
        assert_eq!(p.top_share, dec!(0.7));
        assert_eq!(p.m, 3);
        assert_eq!(
            pareto(&[dec!(0), dec!(-5)]),
            None,
            "nothing positive → no ratio"
        );
    }

    #[test]
    fn m01_m03_contract_once_and_frequency_by_order() {
        let mut a = line("SO1", "2024-03-01", "C1", dec!(100));
        a.contract_no = Some("HT1".into());
        a.contract_amount = Some(dec!(5000));
        let mut b = line("SO1", "2024-03-01", "C1", dec!(200));
        b.contract_no = Some("HT1".into());
        b.contract_amount = Some(dec!(5000));
        let c = line("SO2", "2024-03-02", "C1", dec!(300));
        let mut x = line("SO3", "2024-03-03", "C1", dec!(999));
        x.cancelled = true;
        let mut nodate = line("", "2024-03-04", "C2", dec!(10));
        nodate.order_no = None;
        let w = Window::months(m("2024-03"), m("2024-03"));
        let lines = [a, b, c, x, nodate.clone(), nodate];
        let ca = contract_amounts(&lines, w);
        assert_eq!(ca["C1"], dec!(5300));
        let f = frequencies(&lines, w);
        assert_eq!(f["C1"], 2);
        assert_eq!(f["C2"], 1, "no 订单号: distinct dates");
    }

    #[test]
    fn m02_costs_impute_average_margin_for_uncosted_lines() {
        let mut a = line("SO1", "2024-03-01", "C1", dec!(1000));
        a.cost = Some(dec!(600)); // margin 40%
        let b = line("SO2", "2024-03-01", "C2", dec!(500)); // no cost → 500 × 60%
        let lines = [a, b];
        let c = cost_entries(&lines, &[], &[], &[]);
        assert!(c.any_cost);
        assert_eq!(c.imputed, 1);
        let w = Window::months(m("2024-03"), m("2024-03"));
        assert_eq!(c.sum(w, |e| e.customer_id == "C2"), dec!(300));
        let uncosted = [line("SO3", "2024-03-01", "C1", dec!(5))];
        let none = cost_entries(&uncosted, &[], &[], &[]);
        assert!(!none.any_cost);
    }

    fn dataset(lines: Vec<SaleLine>, customers: Vec<Customer>) -> Dataset {
        Dataset {
            sales: Some(lines),
            customers: Some(customers),
            returns: Some(vec![]),
            ..Default::default()
        }
    }

    #[test]
    fn grade_mix_reconciles_to_month_net_sales_and_shows_profit_note() {
        let mut lines = Vec::new();
        let mut custs = Vec::new();
        for i in 0..10 {
            let id = format!("C{i:02}");
            lines.push(line(
                &format!("S{i}"),
                "2024-03-10",
                &id,
                Decimal::from(100 * (i + 1)),
            ));
            custs.push(customer(&id));
        }
        custs.push(customer("P01")); // never ordered: 未分级
        let ds = dataset(lines, custs);
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let g = grades(&ctx);
        assert_eq!(g.len(), 10);
        assert_eq!(g["C09"], "A");
        assert_eq!(g["C08"], "B");
        assert_eq!(g["C00"], "D");
        let ts = tables(&ctx);
        let mix = ts.iter().find(|t| t.id == "grading").unwrap();
        let sum: Decimal = mix.rows.iter().filter_map(|r| r[5].money()).sum();
        assert_eq!(sum, dec!(5500));
        assert_eq!(mix.totals.as_ref().unwrap()[5], Value::Money(dec!(5500)));
        assert_eq!(mix.rows[4][1], Value::Int(1), "P01 is 未分级");
        assert_eq!(mix.rows[0][6], Value::Ratio(dec!(1000) / dec!(5500)));
        assert!(mix.notes.iter().any(|n| n.zh.contains("利润数据缺失")));
        let ids: Vec<&str> = ts.iter().map(|t| t.id.as_str()).collect();
        assert_eq!(
            ids,
            [
                "grading",
                "grading-ranked",
                "grade-migration",
                "concentration",
                "key-customers",
                "big-customers"
            ]
        );
        let key = ts.iter().find(|t| t.id == "key-customers").unwrap();
        assert_eq!(key.rows.len(), 2, "A ∪ B");
        let big = ts.iter().find(|t| t.id == "big-customers").unwrap();
        assert_eq!(big.rows.len(), 1, "no flag → grade A");
        let k = kpis(&ctx);
        assert_eq!(k[0].2, Value::Ratio(dec!(1900) / dec!(5500)), "A+B share");
        assert_eq!(k[1].2, Value::Ratio(dec!(1900) / dec!(5500)), "top 2 of 10");
    }

    #[test]
    fn migration_counts_new_and_moves() {
        // C1 ordered in February and March; C2 only in March (新进).
        let lines = vec![
            line("S1", "2024-02-10", "C1", dec!(100)),
            line("S2", "2024-03-10", "C1", dec!(100)),
            line("S3", "2024-03-11", "C2", dec!(5000)),
        ];
        let ds = dataset(lines, vec![customer("C1"), customer("C2")]);
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let costs = costs_of(&ds);
        let cur = grade_run(&ds, &cfg, &ctx.entries, &costs, ctx.month);
        let prev = grade_run(&ds, &cfg, &ctx.entries, &costs, ctx.month.prev());
        let mv = migrations(&ctx, &cur, &prev);
        assert!(mv.contains(&("C1".to_string(), "A", "D")), "{mv:?}");
        assert!(mv.contains(&("C2".to_string(), NEW_IN, "A")), "{mv:?}");
        let t = migration_table(&ctx, &cur, &prev);
        assert_eq!(t.totals.unwrap()[7], Value::Int(2));

        // The shared run of Ctx is the same run, computed once per month and kept across `at`.
        let shared = ctx.grade_run(ctx.month.prev());
        assert_eq!(shared.grade, prev.grade);
        assert_eq!(shared.ranked, prev.ranked);
        let feb = ctx.at(ctx.month.prev());
        assert!(std::sync::Arc::ptr_eq(&shared, &feb.grade_run(feb.month)));
        assert_eq!(ctx.grade_run(ctx.month).grade, cur.grade);
    }

    #[test]
    fn missing_sales_sheet_is_missing_not_zero() {
        let ds = Dataset::default();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let ts = tables(&ctx);
        assert_eq!(ts.len(), 6);
        assert!(ts
            .iter()
            .all(|t| t.rows[0][0] == Value::Missing("销售明细".into())));
        assert!(grades(&ctx).is_empty());
        assert!(kpis(&ctx)
            .iter()
            .all(|k| k.2 == Value::Missing("销售明细".into())));
    }

    #[test]
    fn window_kinds() {
        let w = grading_window(m("2024-03"), "T12M");
        assert_eq!((w.from, w.to), (d("2023-04-01"), d("2024-03-31")));
        let q = grading_window(m("2024-05"), "quarter");
        assert_eq!((q.from, q.to), (d("2024-04-01"), d("2024-06-30")));
        let y = grading_window(m("2024-05"), "year");
        assert_eq!(y.from, d("2024-01-01"));
    }
}
