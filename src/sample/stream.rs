//! 销售明细, 退货记录 and 收款记录, generated month by month and written as they are made. Only
//! one month of orders is held at a time; returns wait in a small queue until their date comes;
//! receivables are tracked per customer and month (never per line), so memory does not grow with
//! the number of lines.

use super::book::{Book, Cell, Cell::*, T05, T06, T07};
use super::plan::{money, pay_lag, staff_for, Kind, Pay, Plan};
use super::rng::Rng;
use super::vocab::RETURN_REASONS;
use chrono::{Datelike, Duration, NaiveDate, Weekday};
use rust_decimal::Decimal;
use rust_xlsxwriter::XlsxError;
use std::cmp::Reverse;
use std::collections::BinaryHeap;

/// What the later tables (interactions, complaints, surveys, T01) need to know about the sales.
pub struct Facts {
    pub first_order: Vec<Option<NaiveDate>>,
    pub last_order: Vec<Option<NaiveDate>>,
    /// Σ 金额 of non-cancelled lines per customer over the whole period.
    pub sales: Vec<Decimal>,
    /// Customers who had a note refused (拒付).
    pub refused: Vec<bool>,
    /// Open receivable at the end of the data per customer.
    pub ar_end: Vec<Decimal>,
}

#[derive(PartialEq, Eq, PartialOrd, Ord)]
struct PendingReturn {
    date: NaiveDate,
    seq: u64,
    cust: usize,
    staff: Option<usize>,
    product: usize,
    qty: i64,
    unit_price: Decimal,
    orig_order: String,
    late: bool,
}

struct Account {
    /// Net amount (金额 − 折扣 − 优惠) shipped per month.
    shipped: Vec<Decimal>,
    /// The last order shipped per month, for 对应订单号.
    last_order: Vec<Option<String>>,
    billed: Decimal,
    returned: Decimal,
    paid: Decimal,
}

/// An order day in the month: weekdays are about three times as likely as weekends.
fn order_day(rng: &mut Rng, first: NaiveDate, days: i64) -> i64 {
    let mut d = rng.range(0, days - 1);
    let wd = (first + Duration::days(d)).weekday();
    if matches!(wd, Weekday::Sat | Weekday::Sun) && rng.chance(0.7) {
        d = rng.range(0, days - 1);
    }
    d
}

/// The salesperson who takes a customer's order on a date: the 负责人 while employed, otherwise
/// the first colleague of the region (the clerk has not yet updated T01, see M27).
pub fn order_staff(plan: &Plan, c: usize, on: NaiveDate) -> usize {
    let cust = &plan.customers[c];
    let owner = &plan.staff[cust.owner];
    if owner.leave.is_none_or(|l| l >= on) {
        return cust.owner;
    }
    staff_for(&plan.staff, cust.region, on)[0]
}

pub fn generate(plan: &Plan, seed: u64, book: &mut Book) -> Result<Facts, XlsxError> {
    let cal = plan.cal;
    let n = plan.customers.len();
    let mut rng = Rng::stream(seed, "sales");
    let mut rrng = Rng::stream(seed, "returns");
    let mut krng = Rng::stream(seed, "receipts");
    let end = cal.end();
    let mut facts = Facts {
        first_order: vec![None; n],
        last_order: vec![None; n],
        sales: vec![Decimal::ZERO; n],
        refused: vec![false; n],
        ar_end: vec![Decimal::ZERO; n],
    };
    let mut acct: Vec<Account> = (0..n)
        .map(|_| Account {
            shipped: vec![Decimal::ZERO; cal.months],
            last_order: vec![None; cal.months],
            billed: Decimal::ZERO,
            returned: Decimal::ZERO,
            paid: Decimal::ZERO,
        })
        .collect();
    let mut pending: BinaryHeap<Reverse<PendingReturn>> = BinaryHeap::new();
    let mut return_seq = 0u64;
    let mut refused_count = 0;

    for i in 0..cal.months {
        let first = cal.month_start(i);
        let days = cal.days_in(i);
        let tag = cal.tag(i);
        let (year_i, _) = cal.ym(i);
        let years_in = f64::from(year_i - cal.ym(0).0);

        // 1. Orders this month: each order goes to an active buyer drawn by frequency and has 1–6
        //    lines, until the month's line budget is used up (the last order takes the remainder).
        let active: Vec<usize> = (0..n).filter(|&c| plan.customers[c].buys_in(i)).collect();
        let mut cum = Vec::with_capacity(active.len());
        let mut total = 0.0;
        for &c in &active {
            total += plan.customers[c].freq;
            cum.push(total);
        }
        let mut orders: Vec<(i64, usize, usize, u32)> = Vec::new(); // (day, seq, customer, lines)
        let mut left = if active.is_empty() {
            0
        } else {
            plan.lines_per_month[i]
        };
        while left > 0 {
            let x = rng.unit() * total;
            let k = cum.partition_point(|&v| v <= x).min(active.len() - 1);
            let size = u64::from(rng.pick_w(&[
                (1u32, 0.22),
                (2, 0.24),
                (3, 0.2),
                (4, 0.15),
                (5, 0.11),
                (6, 0.08),
            ]))
            .min(left);
            left -= size;
            let day = order_day(&mut rng, first, days);
            orders.push((day, orders.len(), active[k], size as u32));
        }
        // The data must reach the last days of the final month (the report month has fresh orders).
        if i + 1 == cal.months {
            if let Some(o) = orders.first_mut() {
                o.0 = days - 1;
            }
            if let Some(o) = orders.get_mut(1) {
                o.0 = days - 2;
            }
        }
        orders.sort_by_key(|o| (o.0, o.1));

        // 3. Write the lines.
        for (serial, &(day, _, c, size)) in orders.iter().enumerate() {
            let cust = &plan.customers[c];
            let order_no = format!("SO{tag}{:04}", serial + 1);
            let date = first + Duration::days(day);
            let channel = rng.pick_w(&[(Some("推销"), 0.55), (Some("通信"), 0.35), (None, 0.10)]);
            let mut staff = Some(order_staff(plan, c, date));
            if let Some(co) = cust.co_owner {
                if rng.chance(0.1) && plan.staff[co].leave.is_none_or(|l| l >= date) {
                    staff = Some(co);
                }
            }
            if channel == Some("通信") && rng.chance(0.08) {
                staff = None; // C4: a 通信 order without 业务员 goes to the territory's salesperson
            }
            let requested = rng
                .chance(0.35)
                .then(|| date + Duration::days(rng.range(3, 10)));
            let mut ship = date + Duration::days(rng.range(1, 6));
            let mut late = false;
            if let Some(req) = requested {
                if rng.chance(0.12) {
                    ship = req + Duration::days(rng.range(1, 5));
                    late = true;
                } else if ship > req {
                    ship = req;
                }
            }
            let ship = (ship <= end).then_some(ship);
            facts.first_order[c].get_or_insert(date);
            facts.last_order[c] = Some(date);
            let staff_name = staff.map(|s| plan.staff[s].name.as_str());
            // Each product at most once per order: a repeated 订单号 + 产品 reads as double entry (§3.2).
            let mut used: Vec<usize> = Vec::with_capacity(size as usize);
            for _ in 0..size {
                let mut p = usize::MAX;
                for _ in 0..8 {
                    let q = if rng.chance(0.8) {
                        cust.favs[rng.below(cust.favs.len() as u64) as usize]
                    } else {
                        rng.below(plan.products.len() as u64) as usize
                    };
                    if !used.contains(&q) {
                        p = q;
                        break;
                    }
                }
                if p == usize::MAX {
                    let from = rng.below(plan.products.len() as u64) as usize;
                    p = (0..plan.products.len())
                        .map(|k| (from + k) % plan.products.len())
                        .find(|q| !used.contains(q))
                        .unwrap_or(from);
                }
                used.push(p);
                let prod = &plan.products[p];
                let list: f64 = prod.price.try_into().unwrap_or(0.0);
                // Yearly list-price increase of 3%, and the customer's negotiated level.
                let unit_price = money(list * cust.price_factor * (1.0 + 0.03 * years_in));
                let up: f64 = unit_price.try_into().unwrap_or(1.0);
                let qty = ((cust.line_amt * rng.lognormal(0.45)) / up.max(0.01))
                    .round()
                    .clamp(1.0, 1.0e6) as i64;
                let amount = unit_price * Decimal::from(qty);
                let discount = if rng.chance(0.2) {
                    (amount * Decimal::from(rng.range(1, 5)) / Decimal::from(100)).round_dp(2)
                } else {
                    Decimal::ZERO
                };
                let rebate = if rng.chance(0.08) {
                    (amount * Decimal::from(rng.range(5, 20)) / Decimal::from(1000)).round_dp(2)
                } else {
                    Decimal::ZERO
                };
                let cancelled = rng.chance(0.015);
                let line_ship = if cancelled { None } else { ship };
                book.row(
                    T05,
                    &[
                        Text(&order_no),
                        Date(date),
                        Cell::opt_date(line_ship),
                        Cell::opt_date(requested),
                        Text(&cust.id),
                        Text(&cust.name),
                        Cell::opt_text(staff_name),
                        Text(&prod.id),
                        Text(prod.name),
                        Text(prod.category),
                        Int(qty),
                        Text(prod.unit),
                        Money(unit_price),
                        Money(amount),
                        Cell::money_or_blank(discount),
                        Cell::money_or_blank(rebate),
                        Cell::opt_text(channel),
                        Text(if cancelled { "作废" } else { "正常" }),
                    ],
                )?;
                if cancelled {
                    continue;
                }
                facts.sales[c] += amount;
                if let Some(sd) = line_ship {
                    if let Some(k) = cal.index_of(sd) {
                        acct[c].shipped[k] += amount - discount - rebate;
                        acct[c].last_order[k] = Some(order_no.clone());
                    }
                    if rrng.chance(0.025) {
                        let rd = sd + Duration::days(rrng.range(3, 45));
                        if rd <= end {
                            let rq = if qty >= 2 && rrng.chance(0.8) {
                                rrng.range(1, (qty / 2).max(1))
                            } else {
                                qty
                            };
                            return_seq += 1;
                            pending.push(Reverse(PendingReturn {
                                date: rd,
                                seq: return_seq,
                                cust: c,
                                staff,
                                product: p,
                                qty: rq,
                                unit_price,
                                orig_order: order_no.clone(),
                                late,
                            }));
                        }
                    }
                }
            }
        }

        // 4. Returns dated this month (their original lines are all written by now).
        let month_end = cal.month_end(i);
        let mut serial = 0;
        while pending.peek().is_some_and(|r| r.0.date <= month_end) {
            let Some(Reverse(r)) = pending.pop() else {
                break;
            };
            serial += 1;
            let cust = &plan.customers[r.cust];
            let prod = &plan.products[r.product];
            let cat = if r.late && rrng.chance(0.7) {
                "误期"
            } else {
                rrng.pick_w(&[
                    ("品质", 0.45),
                    ("业务", 0.28),
                    ("其他", 0.22),
                    ("误期", 0.05),
                ])
            };
            let texts = RETURN_REASONS
                .iter()
                .find(|x| x.0 == cat)
                .map_or(&["其他"][..], |x| x.1);
            let text = rrng.pick(texts);
            let exchange = rrng.chance(if cat == "品质" { 0.35 } else { 0.05 });
            let amount = r.unit_price * Decimal::from(r.qty);
            // Clerks fill the category on most rows; the rest rely on the reason text (M33).
            let show_cat = rrng.chance(0.7);
            book.row(
                T06,
                &[
                    Own(format!("TH{tag}{serial:04}")),
                    Date(r.date),
                    Text(&r.orig_order),
                    Text(&cust.id),
                    Text(&cust.name),
                    Cell::opt_text(r.staff.map(|s| plan.staff[s].name.as_str())),
                    Text(&prod.id),
                    Text(prod.name),
                    Text(prod.category),
                    Int(r.qty),
                    Money(amount),
                    if show_cat { Text(cat) } else { Blank },
                    Text(text),
                    Text(if exchange { "换货" } else { "退货" }),
                ],
            )?;
            if !exchange {
                acct[r.cust].returned += amount;
            }
        }

        // 5. Receipts: each customer settles what fell due under its payment habit.
        // (date, seq, customer, amount, method, 票据到期日, 票据状态, 对应订单号)
        type Row = (
            NaiveDate,
            usize,
            usize,
            Decimal,
            &'static str,
            Option<NaiveDate>,
            Option<&'static str>,
            Option<String>,
        );
        let mut receipts: Vec<Row> = Vec::new();
        #[allow(clippy::needless_range_loop)] // c indexes customers, accounts and facts alike
        for c in 0..n {
            let cust = &plan.customers[c];
            if cust.kind != Kind::Buyer {
                continue;
            }
            let lag = pay_lag(cust.pay);
            if i >= lag {
                let s = acct[c].shipped[i - lag];
                acct[c].billed += s;
            }
            let opening = cust.opening_ar.unwrap_or(Decimal::ZERO);
            let due = opening + acct[c].billed - acct[c].returned - acct[c].paid;
            if due <= Decimal::ZERO {
                continue;
            }
            let duef: f64 = due.try_into().unwrap_or(0.0);
            let pay = match cust.pay {
                Pay::Good { .. } => due,
                Pay::Slow { frac, .. } => {
                    if duef < 1000.0 {
                        due
                    } else {
                        money(duef * frac)
                    }
                }
                Pay::Bad { stop, .. } => {
                    if i < stop {
                        due
                    } else if krng.chance(0.1) {
                        money(duef * 0.05)
                    } else {
                        Decimal::ZERO
                    }
                }
            };
            if pay <= Decimal::ZERO {
                continue;
            }
            let last_day = cal.days_in(i).min(28) - 1;
            let mut parts = vec![pay];
            if duef > 200_000.0 && krng.chance(0.3) {
                let a = money(duef * 0.6);
                parts = vec![a, pay - a];
            }
            // The trouble starts with a bounced note: the first receipt from three months before
            // a bad payer stops paying is a 商业承兑汇票 that is refused (M66 D4). Two at most.
            let refuse = matches!(cust.pay, Pay::Bad { stop, .. } if i + 3 >= stop)
                && !facts.refused[c]
                && refused_count < 2
                && first + Duration::days(28 + 90) <= end;
            for (pi, part) in parts.into_iter().enumerate() {
                if part <= Decimal::ZERO {
                    continue;
                }
                let date = first + Duration::days(krng.range(3, last_day));
                let date = date.min(end);
                let partf: f64 = part.try_into().unwrap_or(0.0);
                let (method, due_date, status) = if refuse && pi == 0 {
                    refused_count += 1;
                    facts.refused[c] = true;
                    (
                        "商业承兑汇票",
                        Some(date + Duration::days(90)),
                        Some("拒付"),
                    )
                } else if krng.chance(cust.note_share) {
                    let m = krng.pick_w(&[
                        ("银行承兑汇票", 0.55),
                        ("商业承兑汇票", 0.30),
                        ("期票", 0.15),
                    ]);
                    let dd = date
                        + Duration::days(if m == "银行承兑汇票" && krng.chance(0.6) {
                            180
                        } else {
                            90
                        });
                    let st = if krng.chance(0.12) {
                        "已贴现"
                    } else if dd <= end {
                        "已兑付"
                    } else {
                        "未到期"
                    };
                    (m, Some(dd), Some(st))
                } else {
                    let m = if partf < 50_000.0 {
                        krng.pick_w(&[("银行转账", 0.84), ("现金", 0.08), ("支票", 0.08)])
                    } else {
                        krng.pick_w(&[("银行转账", 0.93), ("支票", 0.07)])
                    };
                    (m, None, None)
                };
                let applied = if krng.chance(0.3) && i >= lag {
                    acct[c].last_order[i - lag].clone()
                } else {
                    None
                };
                receipts.push((
                    date,
                    receipts.len(),
                    c,
                    part,
                    method,
                    due_date,
                    status,
                    applied,
                ));
            }
            acct[c].paid += pay;
        }
        receipts.sort_by_key(|r| (r.0, r.1));
        for (serial, (date, _, c, amount, method, due_date, status, applied)) in
            receipts.iter().enumerate()
        {
            let cust = &plan.customers[*c];
            let staff = order_staff(plan, *c, *date);
            book.row(
                T07,
                &[
                    Own(format!("SK{tag}{:04}", serial + 1)),
                    Date(*date),
                    Text(&cust.id),
                    Text(&cust.name),
                    Text(&plan.staff[staff].name),
                    Money(*amount),
                    Text(method),
                    Cell::opt_date(*due_date),
                    Cell::opt_text(*status),
                    Cell::opt_text(applied.as_deref()),
                ],
            )?;
        }
    }

    // Receivable left at the end: opening + everything shipped − returns − receipts.
    for (c, a) in acct.iter().enumerate() {
        let shipped: Decimal = a.shipped.iter().sum();
        facts.ar_end[c] =
            plan.customers[c].opening_ar.unwrap_or(Decimal::ZERO) + shipped - a.returned - a.paid;
    }
    Ok(facts)
}
