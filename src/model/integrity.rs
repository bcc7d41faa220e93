//! Cross-table integrity checks (DOMAIN §3.2). Nothing is changed here: every finding is a
//! Notice in 数据问题 for the clerk to look at. No wall clock: "in the future" means later than
//! the rest of the data.

use super::{Dataset, Origin};
use crate::error::{Location, Msg, Problem, Severity};
use crate::ingest::table::a1;
use crate::ingest::{schema::fields, RawTable, TableId};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::HashMap;

/// std's maps with foldhash's hasher: the checks below key every sales line, and SipHash was
/// most of their time. Nothing iterates these maps, so the seed never shows in the output.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;
type FastSet<K> = std::collections::HashSet<K, foldhash::fast::RandomState>;

/// Column of a field in the sheet a record came from, for A1 references.
struct Cols(HashMap<(String, String, TableId, &'static str), u32>);

impl Cols {
    fn new(raws: &[RawTable]) -> Cols {
        let mut m = HashMap::new();
        for t in raws {
            let fs = fields(t.table);
            for c in &t.columns {
                m.insert(
                    (t.file.clone(), t.sheet.clone(), t.table, fs[c.field].key),
                    c.col,
                );
            }
        }
        Cols(m)
    }
    fn loc(&self, o: &Origin, t: TableId, key: &'static str) -> Location {
        let col = self
            .0
            .get(&(o.file.clone(), o.sheet.clone(), t, key))
            .copied()
            .unwrap_or(0);
        Location::new(&o.file, &o.sheet, a1(col, o.row))
    }
}

fn push(ds_probs: &mut Vec<Problem>, loc: Location, t: TableId, raw: String, p: Msg, a: Msg) {
    ds_probs.push(Problem {
        location: loc,
        table: t.zh().to_string(),
        raw,
        problem: p,
        action: a,
        severity: Severity::Notice,
    });
}

fn look() -> Msg {
    Msg::new("请核对", "please check")
}

pub fn check(ds: &mut Dataset, raws: &[RawTable]) {
    let found = Checks::new(raws).run(ds);
    ds.problems.extend(found);
}

/// The checks, ready to run on the typed records: all they need of the raw tables is the column
/// each field came from (for the cell of a finding). They change nothing in the dataset, so the
/// pack runs them beside writing the records into the workbook.
pub struct Checks(Cols);

impl Checks {
    pub fn new(raws: &[RawTable]) -> Checks {
        Checks(Cols::new(raws))
    }

    /// The findings, in the order they go after the dataset's own problems.
    pub fn run(&self, ds: &Dataset) -> Vec<Problem> {
        run_checks(ds, &self.0)
    }
}

fn run_checks(ds: &Dataset, cols: &Cols) -> Vec<Problem> {
    // The checks read the dataset only and each lists its own findings, so they run as jobs on
    // the machine's cores (the heaviest first) and their lists are joined in this fixed order:
    // duplicate customers, salespeople, sales lines, returns, dates.
    let (d, c) = (ds, cols);
    let jobs: Vec<crate::par::Job<'_, (usize, Vec<Problem>)>> = vec![
        Box::new(move || (2, sales_lines(d, c))),
        Box::new(move || (4, dates(d, c))),
        Box::new(move || (1, salespeople(d, c))),
        Box::new(move || (3, returns(d, c))),
        Box::new(move || (0, duplicate_customers(d, c))),
    ];
    let mut found = crate::par::run_jobs(jobs);
    found.sort_by_key(|(i, _)| *i);
    found.into_iter().flat_map(|(_, out)| out).collect()
}

/// Duplicate 客户编号.
fn duplicate_customers(ds: &Dataset, cols: &Cols) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    if let Some(cs) = &ds.customers {
        let mut seen: FastMap<&str, &Origin> = FastMap::default();
        for c in cs {
            if let Some(first) = seen.insert(&c.customer_id, &c.origin) {
                push(
                    &mut out,
                    cols.loc(&c.origin, TableId::Customers, "customer_id"),
                    TableId::Customers,
                    c.customer_id.clone(),
                    Msg::new(
                        format!("客户编号重复(第一次出现在第 {} 行)", first.row),
                        format!("duplicate customer id (first on row {})", first.row),
                    ),
                    Msg::new("两条都已读入,请合并", "both kept; merge them"),
                );
                seen.insert(&c.customer_id, first);
            }
        }
    }
    out
}

/// 业务员 / 负责人 not in T03 (each name listed once per table).
fn salespeople(ds: &Dataset, cols: &Cols) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    if let Some(sp) = &ds.salespeople {
        let known: FastSet<&str> = sp
            .iter()
            .flat_map(|s| [s.name.as_str(), s.staff_id.as_str()])
            .filter(|s| !s.is_empty())
            .collect();
        let mut reported: FastSet<(TableId, String)> = FastSet::default();
        let mut staff_check = |name: Option<&'_ str>,
                               o: &Origin,
                               t: TableId,
                               key: &'static str,
                               out: &mut Vec<Problem>| {
            if let Some(n) = name {
                if !known.contains(n) && reported.insert((t, n.to_string())) {
                    push(out, cols.loc(o, t, key), t, n.to_string(),
                        Msg::new("业务员不在业务员表中", "salesperson is not in the salespeople table"),
                        Msg::new("已计入;请在业务员表中补充或更正姓名(同名只列一次)", "kept; add or correct the name in the salespeople table (listed once per name)"));
                }
            }
        };
        for c in ds.customers.iter().flatten() {
            staff_check(
                c.owner.as_deref(),
                &c.origin,
                TableId::Customers,
                "owner",
                &mut out,
            );
        }
        for l in ds.sales.iter().flatten() {
            staff_check(
                l.staff.as_deref(),
                &l.origin,
                TableId::Sales,
                "staff",
                &mut out,
            );
        }
        for r in ds.returns.iter().flatten() {
            staff_check(
                r.staff.as_deref(),
                &r.origin,
                TableId::Returns,
                "staff",
                &mut out,
            );
        }
        for r in ds.receipts.iter().flatten() {
            staff_check(
                r.staff.as_deref(),
                &r.origin,
                TableId::Receipts,
                "staff",
                &mut out,
            );
        }
        // T11 费用's 业务员 is who the expense is booked to (M43/M54): the same check.
        for e in ds.expenses.iter().flatten() {
            staff_check(
                e.staff.as_deref(),
                &e.origin,
                TableId::Expenses,
                "staff",
                &mut out,
            );
        }
        for i in ds.interactions.iter().flatten() {
            staff_check(
                Some(i.staff.as_str()),
                &i.origin,
                TableId::Interactions,
                "staff",
                &mut out,
            );
        }
    }
    out
}

/// Cancelled lines with a ship date, and identical lines (possible double entry).
fn sales_lines(ds: &Dataset, cols: &Cols) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    if let Some(sales) = &ds.sales {
        // A cancelled line with a 发货日期 should have been a return (M34).
        for l in sales
            .iter()
            .filter(|l| l.cancelled && l.ship_date.is_some())
        {
            push(
                &mut out,
                cols.loc(&l.origin, TableId::Sales, "ship_date"),
                TableId::Sales,
                l.ship_date.map(|d| d.to_string()).unwrap_or_default(),
                Msg::new(
                    "作废的订单行有发货日期(已发货的应作退货处理)",
                    "cancelled line has a ship date (a shipped line should be a return)",
                ),
                Msg::new("按作废计入;请核对", "counted as cancelled; please check"),
            );
        }
        // Duplicate 订单号 + 产品 with identical values: possible double entry.
        // Keyed by borrowed fields (no per-line string built): 100,000 lines made this pass
        // a tenth of `check`'s time when the key was formatted text.
        type LineKey<'a> = (
            Option<&'a str>,
            Option<&'a str>,
            Option<&'a str>,
            NaiveDate,
            Option<&'a str>,
            Decimal,
            Decimal,
            Option<Decimal>,
            bool,
        );
        let lines: Vec<&super::SaleLine> = sales.iter().filter(|l| l.order_no.is_some()).collect();
        let key = |i: usize| -> LineKey<'_> {
            let l = lines[i];
            (
                l.order_no.as_deref(),
                l.product_id.as_deref(),
                l.product_name.as_deref(),
                l.order_date,
                l.customer_id.as_deref(),
                l.qty,
                l.amount,
                l.unit_price,
                l.cancelled,
            )
        };
        for (i, first) in repeats(lines.len(), key) {
            let (l, first) = (lines[i], &lines[first].origin);
            push(
                &mut out,
                cols.loc(&l.origin, TableId::Sales, "order_no"),
                TableId::Sales,
                l.order_no.clone().unwrap_or_default(),
                Msg::new(
                    format!("与第 {} 行完全相同(订单号+产品),可能重复录入", first.row),
                    format!(
                        "identical to row {} (order no + product): possible double entry",
                        first.row
                    ),
                ),
                Msg::new("两行都已计入;请核对", "both counted; please check"),
            );
        }
    }
    out
}

/// The items among `0..n` whose key equals an earlier item's, in order, each with the first
/// item of that key. Only the keys' hashes are kept (a table of whole keys for a million sales
/// lines cost more than the rest of the checks): an equal hash is confirmed by comparing the
/// two keys, and two different keys with the same hash send the whole list to the exact way.
fn repeats<K: std::hash::Hash + Eq>(n: usize, key: impl Fn(usize) -> K) -> Vec<(usize, usize)> {
    use std::collections::hash_map::Entry;
    use std::hash::BuildHasher;
    let state = foldhash::fast::RandomState::default();
    let mut first: FastMap<u64, usize> = FastMap::with_capacity_and_hasher(n, Default::default());
    let mut out = Vec::new();
    for i in 0..n {
        let k = key(i);
        match first.entry(state.hash_one(&k)) {
            Entry::Vacant(e) => {
                e.insert(i);
            }
            Entry::Occupied(e) => {
                let j = *e.get();
                if key(j) != k {
                    return repeats_exact(n, key);
                }
                out.push((i, j));
            }
        }
    }
    out
}

/// `repeats` keeping the whole keys.
fn repeats_exact<K: std::hash::Hash + Eq>(
    n: usize,
    key: impl Fn(usize) -> K,
) -> Vec<(usize, usize)> {
    let mut seen: FastMap<K, usize> = FastMap::with_capacity_and_hasher(n, Default::default());
    let mut out = Vec::new();
    for i in 0..n {
        let k = key(i);
        match seen.get(&k) {
            Some(&j) => out.push((i, j)),
            None => {
                seen.insert(k, i);
            }
        }
    }
    out
}

/// Returns without their order, or with more than was ordered.
fn returns(ds: &Dataset, cols: &Cols) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    if let (Some(rets), Some(sales)) = (&ds.returns, &ds.sales) {
        // Only the orders some return names are collected (a list per order of a million lines
        // was most of this check's time); an order no line has stays empty, as if absent.
        let mut by_order: FastMap<&str, Vec<&super::SaleLine>> = rets
            .iter()
            .filter_map(|r| r.orig_order_no.as_deref())
            .map(|o| (o, Vec::new()))
            .collect();
        for l in sales {
            if let Some(v) = l.order_no.as_deref().and_then(|o| by_order.get_mut(o)) {
                v.push(l);
            }
        }
        for r in rets {
            let Some(o) = &r.orig_order_no else { continue };
            match by_order.get(o.as_str()).filter(|v| !v.is_empty()) {
                None => push(
                    &mut out,
                    cols.loc(&r.origin, TableId::Returns, "orig_order_no"),
                    TableId::Returns,
                    o.clone(),
                    Msg::new(
                        "原订单号在销售明细中找不到",
                        "the original order is not in the sales lines",
                    ),
                    Msg::new(
                        "退货已计入;请核对订单号",
                        "return counted; check the order number",
                    ),
                ),
                Some(lines) => {
                    let same_product =
                        |l: &&&super::SaleLine| match (&r.product_id, &r.product_name) {
                            (Some(p), _) => l.product_id.as_ref() == Some(p),
                            (None, Some(n)) => l.product_name.as_ref() == Some(n),
                            (None, None) => true,
                        };
                    let ordered: Decimal = lines
                        .iter()
                        .filter(same_product)
                        .fold(Decimal::ZERO, |a, l| {
                            a.checked_add(l.qty).unwrap_or(Decimal::MAX)
                        });
                    if r.qty > ordered {
                        push(
                            &mut out,
                            cols.loc(&r.origin, TableId::Returns, "qty"),
                            TableId::Returns,
                            r.qty.to_string(),
                            Msg::new(
                                format!("退货数量大于原订单数量 {ordered}"),
                                format!("returned quantity exceeds the {ordered} ordered"),
                            ),
                            look(),
                        );
                    }
                }
            }
        }
    }
    out
}

/// Dates before 1990, or later than the rest of the data (a typed 2042 for 2024).
fn dates(ds: &Dataset, cols: &Cols) -> Vec<Problem> {
    let mut out: Vec<Problem> = Vec::new();
    let mut events: Vec<(NaiveDate, &Origin, TableId, &'static str)> = Vec::new();
    for l in ds.sales.iter().flatten() {
        events.push((l.order_date, &l.origin, TableId::Sales, "order_date"));
        if let Some(d) = l.ship_date {
            events.push((d, &l.origin, TableId::Sales, "ship_date"));
        }
    }
    for r in ds.returns.iter().flatten() {
        events.push((r.return_date, &r.origin, TableId::Returns, "return_date"));
    }
    for r in ds.receipts.iter().flatten() {
        events.push((r.receipt_date, &r.origin, TableId::Receipts, "receipt_date"));
    }
    for i in ds.interactions.iter().flatten() {
        events.push((
            i.contact_time.date(),
            &i.origin,
            TableId::Interactions,
            "contact_time",
        ));
    }
    for c in ds.complaints.iter().flatten() {
        events.push((
            c.received_at.date(),
            &c.origin,
            TableId::Complaints,
            "received_at",
        ));
    }
    for s in ds.credit_surveys.iter().flatten() {
        events.push((
            s.survey_date,
            &s.origin,
            TableId::CreditSurveys,
            "survey_date",
        ));
    }
    for e in ds.expenses.iter().flatten() {
        events.push((e.expense_date, &e.origin, TableId::Expenses, "expense_date"));
    }
    for s in ds.satisfaction.iter().flatten() {
        events.push((
            s.survey_date,
            &s.origin,
            TableId::Satisfaction,
            "survey_date",
        ));
    }
    for a in ds.activities.iter().flatten() {
        events.push((
            a.activity_date,
            &a.origin,
            TableId::Activities,
            "activity_date",
        ));
    }
    for a in ds.after_sales.iter().flatten() {
        events.push((
            a.registered_at.date(),
            &a.origin,
            TableId::AfterSales,
            "registered_at",
        ));
    }
    for c in ds.calls.iter().flatten() {
        events.push((c.call_time.date(), &c.origin, TableId::Calls, "call_time"));
    }
    for c in ds.customers.iter().flatten() {
        for (d, k) in [
            (c.created_date, "created_date"),
            (c.first_contact_date, "first_contact_date"),
            (c.last_followup_date, "last_followup_date"),
        ] {
            if let Some(d) = d {
                events.push((d, &c.origin, TableId::Customers, k));
            }
        }
    }
    let floor = NaiveDate::from_ymd_opt(1990, 1, 1).unwrap_or_default();
    if let Some(end) = data_end(events.iter().map(|e| e.0).collect()) {
        for (d, o, t, k) in &events {
            if *d < floor {
                push(
                    &mut out,
                    cols.loc(o, *t, k),
                    *t,
                    d.to_string(),
                    Msg::new("日期早于 1990 年", "date before 1990"),
                    Msg::new("已计入;请核对", "kept; please check"),
                );
            } else if *d > end {
                push(&mut out, cols.loc(o, *t, k), *t, d.to_string(),
                    Msg::new(format!("日期远晚于数据中的其他日期(其余最晚为 {end}),疑似录入错误"), format!("date far later than the rest of the data (latest otherwise {end}): probably mistyped")),
                    Msg::new("已计入;请核对", "kept; please check"));
            }
        }
    }
    out
}

/// The latest date that belongs with the rest: the top dates are outliers when a gap of more
/// than 92 days separates them (at most 1% of the dates, at least one) from the others.
pub fn data_end(mut v: Vec<NaiveDate>) -> Option<NaiveDate> {
    let n = v.len();
    if n == 0 {
        return None;
    }
    let max_out = (n / 100).max(1);
    // Only the top `max_out + 1` dates are looked at: they are put in their sorted places
    // (selection, then a sort of that tail) instead of sorting a million dates.
    let lo = n - 1 - max_out.min(n - 1);
    v.select_nth_unstable(lo);
    v[lo..].sort_unstable();
    let mut end = v[n - 1];
    for k in 0..max_out.min(n - 1) {
        let i = n - 1 - k;
        if (v[i] - v[i - 1]).num_days() > 92 {
            end = v[i - 1];
        }
    }
    Some(end)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Repeated keys by hash: each repeat with the first of its key, in order; and the same when
    /// every key has the same hash (the exact way then takes over).
    #[test]
    fn repeats_by_hash_are_the_exact_repeats() {
        let keys = [3, 1, 3, 7, 1, 3, 9, 7, 2];
        let want = vec![(2, 0), (4, 1), (5, 0), (7, 3)];
        assert_eq!(repeats(keys.len(), |i| keys[i]), want);
        assert_eq!(repeats_exact(keys.len(), |i| keys[i]), want);
        #[derive(PartialEq, Eq)]
        struct Clash(u32);
        impl std::hash::Hash for Clash {
            fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
                h.write_u8(0);
            }
        }
        assert_eq!(repeats(keys.len(), |i| Clash(keys[i])), want);
        assert_eq!(repeats(0, |i| keys[i]), vec![]);
    }

    /// `data_end` looks only at the top dates (selection); it must agree with reading them off
    /// a fully sorted list, whatever the order and the ties.
    #[test]
    fn data_end_equals_the_sorted_reading() {
        fn sorted_end(mut v: Vec<NaiveDate>) -> Option<NaiveDate> {
            v.sort_unstable();
            let n = v.len();
            if n == 0 {
                return None;
            }
            let mut end = v[n - 1];
            for k in 0..(n / 100).max(1).min(n - 1) {
                let i = n - 1 - k;
                if (v[i] - v[i - 1]).num_days() > 92 {
                    end = v[i - 1];
                }
            }
            Some(end)
        }
        let base = NaiveDate::from_ymd_opt(2024, 1, 1).unwrap();
        // A small deterministic generator: lengths 0..=700, dates spread over ~3 years with
        // a few far outliers, so both the gap rule and ties are exercised.
        let mut x: u64 = 0x2545_f491_4f6c_dd1d;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for n in (0..=700).step_by(7) {
            let v: Vec<NaiveDate> = (0..n)
                .map(|_| {
                    let r = next();
                    let days = if r % 50 == 0 {
                        4000 + r % 3000
                    } else {
                        r % 1000
                    };
                    base + chrono::Days::new(days)
                })
                .collect();
            assert_eq!(data_end(v.clone()), sorted_end(v), "n = {n}");
        }
    }

    #[test]
    fn data_end_ignores_a_mistyped_year() {
        let d = |y, m, dd| NaiveDate::from_ymd_opt(y, m, dd).unwrap();
        let mut v: Vec<NaiveDate> = (1..=28).map(|i| d(2024, 3, i)).collect();
        v.push(d(2042, 3, 5));
        assert_eq!(data_end(v.clone()), Some(d(2024, 3, 28)));
        v.pop();
        assert_eq!(data_end(v), Some(d(2024, 3, 28)));
    }
}
