//! Sales family (DOMAIN §2.4): 实销额 (M37) and its breakdowns (M46–M48).
//!
//! Every breakdown is a group-by over one flat list of [`NetEntry`]s: each non-cancelled order
//! line contributes +(gross − 折扣 − 优惠) on its 订货日期, each 退货 (not 换货) contributes −金额 on
//! its 退货日期 with the region, category and salesperson of the line it returns. Because every
//! table sums the same entries, every breakdown reconciles to the same total by construction.

use super::{growth, ratio, Column, Kind, Month, Table, Value};
use crate::error::Msg;
use crate::model::{Customer, Return, SaleLine};
use chrono::NaiveDate;
use rust_decimal::Decimal;
use std::collections::BTreeMap;

use super::HashMap;

/// Region of a line with neither a line region nor a customer region (C7).
pub const NO_REGION: &str = "未分区域";

/// One signed contribution to 实销额. Its keys borrow from the records (or are constants): at
/// 1,000,000 lines, four owned strings per entry were four million allocations to build, copy
/// and free on every run, for keys that are only ever compared and looked up.
#[derive(Debug, Clone, PartialEq)]
pub struct NetEntry<'a> {
    pub date: NaiveDate,
    pub customer_id: &'a str,
    pub region: &'a str,
    pub category: Option<&'a str>,
    pub staff: Option<&'a str>,
    /// Positive for sales, negative for returns.
    pub amount: Decimal,
    /// A return (dated by 退货日期, or moved past a closed period, M41).
    pub is_return: bool,
}

/// M41: the date a return is deducted on. A return dated in an open month is deducted on its
/// 退货日期; one dated in a month listed in `closed_periods` ("YYYY-MM") moves to the first day of
/// the next month that is not closed.
pub fn deduction_date(d: NaiveDate, closed: &[String]) -> NaiveDate {
    if closed.is_empty() {
        return d;
    }
    let is_closed = |m: Month| closed.iter().any(|c| c.trim() == m.to_string());
    let mut m = Month::of(d);
    if !is_closed(m) {
        return d;
    }
    // Bounded: a list of closed months cannot be longer than itself.
    for _ in 0..=closed.len() {
        m = m.next();
        if !is_closed(m) {
            return m.first_day();
        }
    }
    m.first_day()
}

/// M41 applied to the 实销额 entries: returns dated in a closed month move to the next open one.
pub fn apply_closed_periods(entries: &mut [NetEntry<'_>], closed: &[String]) {
    shift_returns(
        entries
            .iter_mut()
            .filter(|e| e.is_return)
            .map(|e| &mut e.date),
        closed,
    );
}

/// M41 on any list of return dates: the 实销额 entries and the cost entries of the same returns
/// move together, so a month's 毛利 (实销额 − 成本) takes the return's revenue and its cost back
/// in the same month.
pub fn shift_returns<'d>(dates: impl Iterator<Item = &'d mut NaiveDate>, closed: &[String]) {
    if closed.is_empty() {
        return;
    }
    for d in dates {
        *d = deduction_date(*d, closed);
    }
}

/// Fewest lines worth a thread of their own in [`net_entries`].
const PARALLEL_CHUNK: usize = 20_000;

/// Build the entries from the accepted records. `customers` gives region and 负责人 fallbacks (C4, C7).
pub fn net_entries<'a>(
    lines: &'a [SaleLine],
    returns: &'a [Return],
    customers: &'a [Customer],
) -> Vec<NetEntry<'a>> {
    let by_id: HashMap<&str, &Customer> = customers
        .iter()
        .map(|c| (c.customer_id.as_str(), c))
        .collect();
    let cust_region = |id: &str| by_id.get(id).and_then(|c| c.region.as_deref());
    let cust_owner = |id: &str| by_id.get(id).and_then(|c| c.owner.as_deref());
    let id_of = |id: &'a Option<String>, name: &'a Option<String>| -> &'a str {
        id.as_deref().or(name.as_deref()).unwrap_or_default()
    };

    let line_entry = |l: &'a SaleLine| -> Option<NetEntry<'a>> {
        if l.cancelled {
            return None; // C6: cancelled lines are in no metric but M34/M36.
        }
        let cid = id_of(&l.customer_id, &l.customer_name);
        Some(NetEntry {
            date: l.order_date,
            region: l
                .region
                .as_deref()
                .or_else(|| cust_region(cid))
                .unwrap_or(NO_REGION),
            category: l.category.as_deref(),
            staff: l.staff.as_deref().or_else(|| cust_owner(cid)),
            amount: l.amount - l.discount - l.rebate,
            customer_id: cid,
            is_return: false,
        })
    };
    // The lines' entries in consecutive chunks on the machine's cores, joined in line order: every
    // family waits for the entries, so this is the one stretch of the statistics that no other
    // work runs beside.
    let chunk = lines
        .len()
        .div_ceil(crate::par::threads().max(1))
        .max(PARALLEL_CHUNK);
    let mut out = Vec::with_capacity(lines.len() + returns.len());
    if lines.len() <= chunk {
        out.extend(lines.iter().filter_map(line_entry));
    } else {
        let jobs: Vec<crate::par::Job<Vec<NetEntry<'a>>>> = lines
            .chunks(chunk)
            .map(|c| -> crate::par::Job<Vec<NetEntry<'a>>> {
                let line_entry = &line_entry;
                Box::new(move || {
                    let mut part = Vec::with_capacity(c.len());
                    part.extend(c.iter().filter_map(line_entry));
                    part
                })
            })
            .collect();
        for part in crate::par::run_jobs(jobs) {
            out.extend(part);
        }
    }
    // Lines by order number, to give a return the region/category/staff of what it returns.
    let by_order = returned_orders(lines, returns);
    for r in returns.iter().filter(|r| !r.exchange) {
        let cid = id_of(&r.customer_id, &r.customer_name);
        let orig = r
            .orig_order_no
            .as_deref()
            .and_then(|no| by_order.get(no))
            .and_then(|ls| {
                // Prefer the line of the same product; else the order's first line.
                ls.iter()
                    .find(|l| r.product_id.is_some() && l.product_id == r.product_id)
                    .or_else(|| ls.first())
                    .copied()
            });
        out.push(NetEntry {
            date: r.return_date,
            region: orig
                .and_then(|l| l.region.as_deref())
                .or_else(|| cust_region(cid))
                .unwrap_or(NO_REGION),
            category: r
                .category
                .as_deref()
                .or_else(|| orig.and_then(|l| l.category.as_deref())),
            staff: orig
                .and_then(|l| l.staff.as_deref())
                .or_else(|| r.staff.as_deref())
                .or_else(|| cust_owner(cid)),
            amount: -r.amount,
            customer_id: cid,
            is_return: true,
        });
    }
    out
}

/// The lines (cancelled ones too, in sheet order) of every 订单号 that a 退货 (not 换货) names as
/// its 原订单号: all a return looks up. Indexing every order of the history cost a hash entry and a
/// list per order, when only the returned ones are ever asked for.
pub fn returned_orders<'l>(
    lines: &'l [SaleLine],
    returns: &[Return],
) -> HashMap<&'l str, Vec<&'l SaleLine>> {
    let wanted: super::HashSet<&str> = returns
        .iter()
        .filter(|r| !r.exchange)
        .filter_map(|r| r.orig_order_no.as_deref())
        .collect();
    let mut by_order: HashMap<&str, Vec<&SaleLine>> = HashMap::default();
    if wanted.is_empty() {
        return by_order;
    }
    // Each run of an order's lines is looked up once and appended whole (sheet order kept).
    for (no, run) in super::order_runs(lines) {
        if wanted.contains(no) {
            by_order.entry(no).or_default().extend(run);
        }
    }
    by_order
}

/// Σ of the entries in `month`, grouped by `key`.
pub fn sum_by<'a, K: Ord>(
    entries: &[NetEntry<'a>],
    month: Month,
    key: impl Fn(&NetEntry<'a>) -> K,
) -> BTreeMap<K, Decimal> {
    let mut m = BTreeMap::new();
    for e in entries.iter().filter(|e| month.contains(e.date)) {
        *m.entry(key(e)).or_insert(Decimal::ZERO) += e.amount;
    }
    m
}

/// M37 实销额 of a month, company-wide.
pub fn net_sales(entries: &[NetEntry], month: Month) -> Decimal {
    entries
        .iter()
        .filter(|e| month.contains(e.date))
        .map(|e| e.amount)
        .sum()
}

/// The latest month with any sales entry.
pub fn last_month(entries: &[NetEntry]) -> Option<Month> {
    entries.iter().map(|e| e.date).max().map(Month::of)
}

/// The usual order of China's seven sales regions; others follow by name, 未分区域 last.
fn region_rank(r: &str) -> (usize, &str) {
    const ORDER: [&str; 7] = ["华东", "华南", "华北", "华中", "西南", "西北", "东北"];
    match ORDER.iter().position(|x| *x == r) {
        Some(i) => (i, r),
        None if r == NO_REGION => (usize::MAX, r),
        None => (ORDER.len(), r),
    }
}

/// M47 sales by region, with 上月, 上年同月, 环比, 同比 (M48) and 占比: the first pack's table.
pub fn sales_by_region(entries: &[NetEntry], month: Month) -> Table {
    let this = sum_by(entries, month, |e| e.region);
    let prev = sum_by(entries, month.prev(), |e| e.region);
    let ago = sum_by(entries, month.year_ago(), |e| e.region);
    let mut regions: Vec<&str> = this
        .keys()
        .chain(prev.keys())
        .chain(ago.keys())
        .copied()
        .collect();
    regions.sort_by(|a, b| region_rank(a).cmp(&region_rank(b)));
    regions.dedup();

    let total = |m: &BTreeMap<&str, Decimal>| m.values().copied().sum::<Decimal>();
    let (t_this, t_prev, t_ago) = (total(&this), total(&prev), total(&ago));
    let get = |m: &BTreeMap<&str, Decimal>, r: &str| m.get(r).copied().unwrap_or_default();
    let row = |name: String, a: Decimal, p: Decimal, y: Decimal| {
        vec![
            Value::Text(name),
            Value::Money(a),
            Value::Money(p),
            Value::Money(y),
            growth(a, p),
            growth(a, y),
            ratio(a, t_this),
        ]
    };
    let rows = regions
        .iter()
        .map(|r| row(r.to_string(), get(&this, r), get(&prev, r), get(&ago, r)))
        .collect();
    let mut notes = vec![Msg::new(
        "实销额 = 订货额 − 退货 − 折扣 − 作废 − 优惠 (按订货日期/退货日期归属); 金额单位: 元",
        "Net sales = orders − returns − discounts − cancellations − rebates (by order / return date); amounts in yuan",
    )];
    if t_ago.is_zero() {
        notes.push(Msg::new(
            "上年同月无数据, 同比显示为 —",
            "No data for the same month last year: YoY shown as —",
        ));
    }
    Table {
        id: "sales-by-region".into(),
        title: Msg::new(
            format!("{} 各区域实销额", month.zh()),
            format!("Net sales by region, {month}"),
        ),
        columns: vec![
            Column::new("region", "区域", "Region", Kind::Text),
            Column::new("net_sales", "本月实销额", "Net sales", Kind::Money),
            Column::new("prev_month", "上月实销额", "Previous month", Kind::Money),
            Column::new("year_ago", "上年同月", "Same month last year", Kind::Money),
            Column::new("mom", "环比增长", "MoM growth", Kind::Percent),
            Column::new("yoy", "同比增长", "YoY growth", Kind::Percent),
            Column::new("share", "占比", "Share", Kind::Percent),
        ],
        rows,
        totals: Some(row("合计".into(), t_this, t_prev, t_ago)),
        notes,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn line(no: &str, date: &str, cust: &str, amount: Decimal) -> SaleLine {
        SaleLine {
            order_no: Some(no.into()),
            order_date: d(date),
            customer_id: Some(cust.into()),
            qty: dec!(1),
            amount,
            ..Default::default()
        }
    }

    fn customer(id: &str, region: &str) -> Customer {
        Customer {
            customer_id: id.into(),
            name: id.into(),
            region: Some(region.into()),
            ..Default::default()
        }
    }

    /// DOMAIN M37 worked test: orders 10,000 (including 1,000 later cancelled), 折扣 200, 优惠 300,
    /// and a return of 500 this month on last month's order → 实销额 = 8,000.
    #[test]
    fn m37_worked_case() {
        let mut a = line("SO1", "2024-03-05", "C1", dec!(6000));
        a.discount = dec!(200);
        let mut b = line("SO2", "2024-03-06", "C1", dec!(3000));
        b.rebate = dec!(300);
        let mut c = line("SO3", "2024-03-07", "C1", dec!(1000));
        c.cancelled = true;
        let old = line("SO0", "2024-02-10", "C1", dec!(700));
        let ret = Return {
            return_date: d("2024-03-12"),
            orig_order_no: Some("SO0".into()),
            customer_id: Some("C1".into()),
            qty: dec!(1),
            amount: dec!(500),
            ..Default::default()
        };
        let (lines, rets, custs) = ([a, b, c, old], [ret], [customer("C1", "华东")]);
        let e = net_entries(&lines, &rets, &custs);
        assert_eq!(net_sales(&e, "2024-03".parse().unwrap()), dec!(8000));
        assert_eq!(net_sales(&e, "2024-02".parse().unwrap()), dec!(700));
    }

    #[test]
    fn exchange_is_not_deducted_and_returns_follow_the_original_line_region() {
        let mut l = line("SO1", "2024-02-01", "C1", dec!(1000));
        l.region = Some("西南".into());
        let r = |exchange| Return {
            return_date: d("2024-03-02"),
            orig_order_no: Some("SO1".into()),
            customer_id: Some("C1".into()),
            amount: dec!(100),
            exchange,
            ..Default::default()
        };
        let (lines, rets, custs) = ([l], [r(false), r(true)], [customer("C1", "华东")]);
        let e = net_entries(&lines, &rets, &custs);
        let m = sum_by(&e, "2024-03".parse().unwrap(), |e| e.region);
        assert_eq!(m.get("西南"), Some(&dec!(-100)));
        assert_eq!(m.get("华东"), None);
    }

    #[test]
    fn region_table_growth_share_and_totals() {
        let lines = vec![
            line("A", "2024-03-01", "C1", dec!(600)),
            line("B", "2024-03-02", "C2", dec!(400)),
            line("C", "2024-02-02", "C1", dec!(500)),
            line("D", "2023-03-02", "C2", dec!(200)),
        ];
        let custs = vec![
            customer("C1", "华东"),
            customer("C2", "华南"),
            customer("C3", "东北"),
        ];
        let mut no_region = line("E", "2024-03-03", "C9", dec!(0.005));
        no_region.customer_id = Some("C9".into());
        let mut all = lines.clone();
        all.push(no_region);
        let t = sales_by_region(&net_entries(&all, &[], &custs), "2024-03".parse().unwrap());
        assert_eq!(t.rows.len(), 3);
        assert_eq!(t.rows[0][0], Value::Text("华东".into()));
        assert_eq!(t.rows[0][4], Value::Ratio(dec!(0.2))); // 600 vs 500
        assert_eq!(t.rows[0][5], Value::NotApplicable); // no 2023-03 for 华东
        assert_eq!(t.rows[1][5], Value::Ratio(dec!(1))); // 400 vs 200
        assert_eq!(t.rows[2][0], Value::Text(NO_REGION.into()));
        let totals = t.totals.unwrap();
        assert_eq!(totals[1], Value::Money(dec!(1000.005)));
        let sum: Decimal = t.rows.iter().filter_map(|r| r[1].money()).sum();
        assert_eq!(sum, dec!(1000.005), "regions reconcile to the total");
    }

    #[test]
    fn returned_orders_hold_exactly_the_lines_of_returned_orders() {
        let mut lines = vec![
            line("SO1", "2024-03-01", "C1", dec!(10)),
            line("SO2", "2024-03-02", "C1", dec!(20)),
            line("SO1", "2024-03-03", "C1", dec!(30)),
            line("SO3", "2024-03-04", "C2", dec!(40)),
            line("SO1", "2024-03-05", "C1", dec!(50)),
            line("SO1", "2024-03-05", "C1", dec!(60)),
            line("", "2024-03-05", "C1", dec!(70)),
            line("SO1", "2024-03-06", "C1", dec!(80)),
        ];
        lines[2].cancelled = true;
        lines[6].order_no = None;
        let ret = |no: &str, exchange: bool| Return {
            orig_order_no: Some(no.into()),
            return_date: d("2024-03-20"),
            exchange,
            ..Default::default()
        };
        // SO3 is only exchanged: an exchange looks nothing up.
        let by = returned_orders(
            &lines,
            &[ret("SO1", false), ret("SO3", true), ret("SO9", false)],
        );
        assert_eq!(by.len(), 1);
        let so1: Vec<Decimal> = by["SO1"].iter().map(|l| l.amount).collect();
        // Sheet order, the cancelled line too, a run of SO1 and the line after a blank 订单号.
        assert_eq!(so1, vec![dec!(10), dec!(30), dec!(50), dec!(60), dec!(80)]);
        assert!(returned_orders(&lines, &[]).is_empty());
    }

    #[test]
    fn entries_of_a_large_book_keep_line_order_across_chunks() {
        // More lines than one chunk: the chunks run side by side and join in line order.
        let n = PARALLEL_CHUNK * 2 + 7;
        let lines: Vec<SaleLine> = (0..n)
            .map(|i| {
                let mut l = line(
                    &format!("SO{i}"),
                    if i % 2 == 0 {
                        "2024-03-01"
                    } else {
                        "2024-02-01"
                    },
                    &format!("C{}", i % 13),
                    Decimal::from(i as i64),
                );
                l.cancelled = i % 5 == 0;
                l
            })
            .collect();
        let custs = [customer("C1", "华东")];
        let e = net_entries(&lines, &[], &custs);
        let want: Vec<Decimal> = (0..n)
            .filter(|i| i % 5 != 0)
            .map(|i| Decimal::from(i as i64))
            .collect();
        assert_eq!(e.iter().map(|e| e.amount).collect::<Vec<_>>(), want);
        assert!(e
            .iter()
            .all(|e| (e.customer_id == "C1") == (e.region == "华东")));
    }
}
