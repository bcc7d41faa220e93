//! The smaller tables: 客户互动记录, 投诉记录, 信用调查 (all proportional to customers × months,
//! built in memory and sorted by date), then 客户信息表, 产品, 业务员 and 销售目标.

use super::book::{Book, Cell, Cell::*, T01, T02, T03, T04, T08, T09, T10};
use super::plan::{money, Kind, Pay, Plan};
use super::rng::Rng;
use super::stream::{order_staff, Facts};
use super::vocab::*;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use rust_decimal::Decimal;
use rust_xlsxwriter::XlsxError;

/// A date at h:m (clamped to a valid time).
pub(super) fn at(d: NaiveDate, h: i64, m: i64) -> NaiveDateTime {
    d.and_time(
        NaiveTime::from_hms_opt(h.clamp(0, 23) as u32, m.clamp(0, 59) as u32, 0)
            .unwrap_or(NaiveTime::MIN),
    )
}

/// A working-day date in [lo, hi] (weekends are mostly moved to the Friday before).
fn work_day(rng: &mut Rng, lo: NaiveDate, hi: NaiveDate) -> NaiveDate {
    if hi <= lo {
        return lo;
    }
    let d = lo + Duration::days(rng.range(0, (hi - lo).num_days()));
    let back = match d.weekday() {
        Weekday::Sat => 1,
        Weekday::Sun => 2,
        _ => 0,
    };
    if back > 0 && rng.chance(0.85) && d - Duration::days(back) >= lo {
        d - Duration::days(back)
    } else {
        d
    }
}

fn end_of_data(plan: &Plan) -> NaiveDateTime {
    at(plan.cal.end(), 23, 59)
}

/// Has this buyer stopped ordering for more than 180 days (C10 / M12)?
fn churned(plan: &Plan, facts: &Facts, c: usize) -> bool {
    facts.last_order[c].is_some_and(|d| (plan.cal.end() - d).num_days() >= 180)
}

struct Contact {
    when: NaiveDateTime,
    seq: usize,
    cust: usize,
    staff: usize,
    method: &'static str,
    entry: NaiveDateTime,
    alert: Option<&'static str>,
    churn_call: bool,
}

/// 客户互动记录. Returns each customer's latest contact date (for T01 最后跟进时间).
pub fn interactions(
    plan: &Plan,
    facts: &Facts,
    seed: u64,
    book: &mut Book,
) -> Result<Vec<Option<NaiveDate>>, XlsxError> {
    let mut rng = Rng::stream(seed, "interactions");
    let cal = plan.cal;
    let (start, end) = (cal.start(), cal.end());
    let mut all: Vec<Contact> = Vec::new();
    for (c, cust) in plan.customers.iter().enumerate() {
        let lo = cust.created.max(start);
        let (hi, per_month) = match cust.kind {
            Kind::Lead => (end, 0.08),
            Kind::Prospect => (end, 0.4),
            Kind::Buyer => {
                let hi = facts.last_order[c].map_or(end, |d| (d + Duration::days(45)).min(end));
                (hi, (0.25 + 0.2 * cust.freq).min(2.5))
            }
        };
        if hi < lo {
            continue;
        }
        let months = ((hi - lo).num_days() as f64 / 30.4).max(0.5);
        let count = (months * per_month * (0.7 + 0.6 * rng.unit()))
            .round()
            .max(1.0) as usize;
        let mut dates: Vec<NaiveDate> = (0..count).map(|_| work_day(&mut rng, lo, hi)).collect();
        // A churned customer gets one late call trying to win it back (挽留).
        let churn_call = cust.kind == Kind::Buyer && churned(plan, facts, c) && rng.chance(0.6);
        if churn_call {
            dates.push(work_day(&mut rng, hi, end));
        }
        // Credit warnings for customers who stopped paying: a visit in the last 90 days (M66 D5).
        let bad = matches!(cust.pay, Pay::Bad { .. }) && cust.kind == Kind::Buyer;
        if bad {
            dates.push(work_day(
                &mut rng,
                end - Duration::days(80),
                end - Duration::days(10),
            ));
        }
        let n_dates = dates.len();
        for (k, d) in dates.into_iter().enumerate() {
            let when = at(
                d,
                rng.range(9, 17),
                rng.pick(&[0, 10, 15, 20, 30, 40, 45, 50]),
            );
            let mut staff = order_staff(plan, c, d);
            if let Some(co) = cust.co_owner {
                if rng.chance(0.25) && plan.staff[co].leave.is_none_or(|l| l >= d) {
                    staff = co;
                }
            }
            // R07: most entries within 24 hours; about one in eight late.
            let entry = if rng.chance(0.88) {
                when + Duration::minutes(rng.range(20, 23 * 60))
            } else {
                when + Duration::minutes(rng.range(25 * 60, 96 * 60))
            };
            let entry = entry.min(end_of_data(plan)).max(when);
            let is_alert = bad && k + 1 == n_dates;
            all.push(Contact {
                when,
                seq: all.len(),
                cust: c,
                staff,
                method: if is_alert {
                    "拜访"
                } else {
                    rng.pick_w(INTERACTION_METHODS)
                },
                entry,
                alert: is_alert.then(|| rng.pick(CREDIT_ALERTS)),
                churn_call: churn_call && k + 1 == n_dates,
            });
        }
    }
    all.sort_by_key(|x| (x.when, x.seq));
    let mut last = vec![None; plan.customers.len()];
    for x in &all {
        let cust = &plan.customers[x.cust];
        last[x.cust] = Some(x.when.date());
        let (counterpart, title) = if rng.chance(0.8) {
            (cust.contact.clone(), cust.contact_title)
        } else {
            (
                super::plan::person_name(&mut rng).0,
                rng.pick_w(CONTACT_TITLES),
            )
        };
        let decision = match title {
            "总经理" | "副总经理" | "老板" => Some("是"),
            _ if rng.chance(0.8) => Some("否"),
            _ => None,
        };
        let (purpose, result) = if x.churn_call {
            ("挽留回访", "客户暂无需求")
        } else if x.alert.is_some() {
            ("催收货款", "承诺月底前付款")
        } else if cust.kind == Kind::Lead {
            (
                "了解需求",
                rng.pick(&["客户暂无需求", "待报价", "约定下次面谈"]),
            )
        } else {
            (rng.pick(PURPOSES), rng.pick(RESULTS))
        };
        let costly = matches!(x.method, "拜访" | "节假日走访" | "接待来访" | "活动");
        let expense = (costly && rng.chance(0.6)).then(|| Decimal::from(rng.range(5, 150) * 10));
        let next = rng
            .chance(0.6)
            .then(|| x.when.date() + Duration::days(rng.range(7, 45)));
        book.row(
            T08,
            &[
                DateTime(x.when),
                DateTime(x.entry),
                Text(&cust.id),
                Text(&cust.name),
                Text(&plan.staff[x.staff].name),
                Text(x.method),
                Own(counterpart),
                Text(title),
                Cell::opt_text(decision),
                Text(purpose),
                Text(rng.pick(CONTENTS)),
                if rng.chance(0.7) {
                    Text(rng.pick(FEEDBACKS))
                } else {
                    Blank
                },
                Text(result),
                if rng.chance(0.15) {
                    Text(rng.pick(COMMITMENTS))
                } else {
                    Blank
                },
                Cell::opt_date(next),
                expense.map_or(Blank, Money),
                Text(if x.alert.is_some() { "是" } else { "否" }),
                Cell::opt_text(x.alert),
            ],
        )?;
    }
    Ok(last)
}

struct Complaint {
    received: NaiveDateTime,
    seq: usize,
    cust: usize,
    kind: &'static str,
}

/// 投诉记录: 48-hour responses both met and missed (M68), some still open (M70).
pub fn complaints(plan: &Plan, facts: &Facts, seed: u64, book: &mut Book) -> Result<(), XlsxError> {
    let mut rng = Rng::stream(seed, "complaints");
    let cal = plan.cal;
    let end = end_of_data(plan);
    let mut all = Vec::new();
    for (c, cust) in plan.customers.iter().enumerate() {
        let (Some(first), Some(last)) = (facts.first_order[c], facts.last_order[c]) else {
            continue;
        };
        let p = (0.018 * (1.0 + 0.4 * cust.freq)).min(0.3);
        for i in 0..cal.months {
            if !rng.chance(p) {
                continue;
            }
            let lo = (cal.month_start(i)).max(first + Duration::days(3));
            let hi = cal
                .month_end(i)
                .min(last + Duration::days(40))
                .min(cal.end());
            if hi < lo {
                continue;
            }
            let d = lo + Duration::days(rng.range(0, (hi - lo).num_days()));
            all.push(Complaint {
                received: at(d, rng.range(8, 19), rng.range(0, 59)),
                seq: all.len(),
                cust: c,
                kind: rng.pick_w(COMPLAINT_TYPES),
            });
        }
    }
    all.sort_by_key(|x| (x.received, x.seq));
    let mut serial_month = (0u32, 0u32, 0usize);
    let mut disputes = 0;
    for x in &all {
        let cust = &plan.customers[x.cust];
        let d = x.received.date();
        if (d.year() as u32, d.month()) != (serial_month.0, serial_month.1) {
            serial_month = (d.year() as u32, d.month(), 0);
        }
        serial_month.2 += 1;
        let no = format!("TS{}{:02}{:04}", d.year(), d.month(), serial_month.2);
        let texts = COMPLAINT_TEXT
            .iter()
            .find(|t| t.0 == x.kind)
            .map_or(COMPLAINT_TEXT[0].1, |t| t.1);
        let (content, demand, dept) = rng.pick(texts);
        let severe = rng.chance(if x.kind == "质量" { 0.22 } else { 0.08 });
        let age_h = (end - x.received).num_hours();
        // Response: most within 48h, some late, a few none yet (recent ones more often).
        let r = rng.unit();
        let recent = age_h < 24 * 14;
        let response_h = if r < 0.03 {
            Some(48 * 60) // exactly on the limit: still 达标
        } else if r < (if recent { 0.55 } else { 0.75 }) {
            Some(rng.range(60, 47 * 60))
        } else if r < (if recent { 0.75 } else { 0.95 }) {
            Some(rng.range(49 * 60, 160 * 60))
        } else {
            None
        };
        let response = response_h
            .map(|m| x.received + Duration::minutes(m))
            .filter(|t| *t <= end);
        let closed = response
            .filter(|_| rng.chance(0.88))
            .map(|t| t + Duration::minutes(rng.range(2 * 60, 200 * 60)))
            .filter(|t| *t <= end);
        let status = match (response, closed) {
            (_, Some(_)) => "已结案",
            (Some(_), None) => "处理中",
            _ => "待处理",
        };
        let resolution = closed.map(|_| match (x.kind, demand) {
            ("质量", "换货") => "换货",
            ("质量", "退货") => "退货",
            ("质量", "维修") => "维修",
            ("质量", "赔偿") => "赔偿",
            ("价格", _) | ("其他", _) => rng.pick(&["解释", "其他"]),
            _ => rng.pick(&["道歉", "解释"]),
        });
        let compensation =
            (resolution == Some("赔偿")).then(|| Decimal::from(rng.range(2, 200) * 100));
        let claim = (x.kind == "质量" && severe).then(|| Decimal::from(rng.range(50, 800) * 100));
        let approved = claim.and_then(|c| {
            closed.map(|_| (c * Decimal::from(rng.range(40, 100)) / Decimal::from(100)).round_dp(0))
        });
        let late = response_h.is_none_or(|m| m > 48 * 60);
        let satisfaction = closed.map(|_| {
            if late {
                rng.pick_w(&[(1i64, 0.25), (2, 0.3), (3, 0.3), (4, 0.15)])
            } else {
                rng.pick_w(&[(3i64, 0.2), (4, 0.45), (5, 0.35)])
            }
        });
        // Two open claims are in dispute (M66 D6).
        let dispute = claim.is_some() && closed.is_none() && disputes < 2;
        if dispute {
            disputes += 1;
        }
        let product = &plan.products[cust.favs[rng.below(cust.favs.len() as u64) as usize]];
        let batch = (x.kind == "质量").then(|| {
            let b = d - Duration::days(rng.range(5, 40));
            format!(
                "B{:02}{:02}{:02}-{:02}",
                b.year() % 100,
                b.month(),
                b.day(),
                rng.range(1, 12)
            )
        });
        let receiver = rng.pick(SERVICE_STAFF);
        let handler = if severe {
            "郑凯".to_string()
        } else {
            plan.staff[order_staff(plan, x.cust, d)].name.clone()
        };
        book.row(
            T09,
            &[
                Own(no),
                DateTime(x.received),
                Text(rng.pick_w(COMPLAINT_CHANNELS)),
                Text(&cust.id),
                Text(&cust.name),
                Text(product.name),
                batch.map_or(Blank, Own),
                Text(x.kind),
                Text(content),
                Text(demand),
                Text(if severe { "重大" } else { "一般" }),
                Text(receiver),
                Own(handler),
                Text(dept),
                Cell::opt_dt(response),
                Cell::opt_dt(closed),
                Cell::opt_text(resolution),
                compensation.map_or(Blank, Money),
                claim.map_or(Blank, Money),
                approved.map_or(Blank, Money),
                satisfaction.map_or(Blank, Int),
                // Clerks often leave 状态 blank; it is then derived (T09).
                if rng.chance(0.8) { Text(status) } else { Blank },
                Text(if dispute { "是" } else { "否" }),
            ],
        )?;
    }
    Ok(())
}

/// The credit grade a survey's answers would earn, for T01's 信用等级 column (a rough reading of
/// M59–M60: good payers AA/AAA, slow ones A/B, bad ones B/C).
fn rough_grade(pay: Pay, rng: &mut Rng) -> &'static str {
    match pay {
        Pay::Good { .. } => rng.pick_w(&[("AAA", 0.25), ("AA", 0.5), ("A", 0.25)]),
        Pay::Slow { .. } => rng.pick_w(&[("A", 0.5), ("B", 0.5)]),
        Pay::Bad { .. } => rng.pick_w(&[("B", 0.4), ("C", 0.6)]),
    }
}

/// 信用调查 for a subset of customers. Returns per customer the rough credit grade (if surveyed).
pub fn credit_surveys(
    plan: &Plan,
    facts: &Facts,
    seed: u64,
    book: &mut Book,
) -> Result<Vec<Option<&'static str>>, XlsxError> {
    let mut rng = Rng::stream(seed, "credit");
    let cal = plan.cal;
    let (start, end) = (cal.start(), cal.end());
    // Big buyers are always surveyed; others by chance.
    let mut by_sales: Vec<usize> = (0..plan.customers.len()).collect();
    by_sales.sort_by(|&a, &b| facts.sales[b].cmp(&facts.sales[a]).then(a.cmp(&b)));
    let top = (plan.customers.len() as f64 * 0.25).ceil() as usize;
    let mut rows: Vec<(NaiveDate, usize, usize)> = Vec::new();
    let mut grades = vec![None; plan.customers.len()];
    for (rank, &c) in by_sales.iter().enumerate() {
        let cust = &plan.customers[c];
        let bad = matches!(cust.pay, Pay::Bad { .. }) && cust.kind == Kind::Buyer;
        let pick = match cust.kind {
            Kind::Lead => false,
            Kind::Prospect => rng.chance(0.3),
            Kind::Buyer => rank < top || bad || rng.chance(0.15),
        };
        if !pick {
            continue;
        }
        let lo = cust.created.max(start);
        if lo > end {
            continue;
        }
        let d = work_day(&mut rng, lo, end);
        rows.push((d, rows.len(), c));
        // A fifth are re-surveyed later; the latest survey counts (M59).
        if rng.chance(0.2) && d + Duration::days(200) < end {
            rows.push((
                work_day(&mut rng, d + Duration::days(180), end),
                rows.len(),
                c,
            ));
        }
        grades[c] = Some(rough_grade(cust.pay, &mut rng));
    }
    rows.sort();
    let mut incomplete = 0;
    for &(d, _, c) in &rows {
        let cust = &plan.customers[c];
        let pay = cust.pay;
        let good = matches!(pay, Pay::Good { .. });
        let bad = matches!(pay, Pay::Bad { .. });
        let attitude = if bad {
            rng.pick_w(&[("迟延", 0.4), ("为难", 0.35), ("嗜欠尾款", 0.25)])
        } else if good {
            rng.pick_w(&[("爽快", 0.55), ("普通", 0.35), ("尚可", 0.1)])
        } else {
            rng.pick_w(&[("普通", 0.3), ("尚可", 0.4), ("迟延", 0.3)])
        };
        let five = |rng: &mut Rng, good: bool| {
            if good {
                rng.pick_w(&[("很好", 0.3), ("好", 0.5), ("普通", 0.2)])
            } else {
                rng.pick_w(&[("好", 0.2), ("普通", 0.45), ("差", 0.25), ("很差", 0.1)])
            }
        };
        // Two surveys came back with many blanks, so the product must say 未评定 (M59).
        let sparse = incomplete < 2 && !good && rng.chance(0.3);
        if sparse {
            incomplete += 1;
        }
        let keep = |x: Cell<'static>| if sparse { Blank } else { x };
        let founded = cust.created - Duration::days(rng.range(365, 365 * 20));
        // Customers on file before the data started have traded since about their 建档日期.
        let first_trade = if cust.created < start {
            Some(cust.created + Duration::days(rng.range(0, 60)))
        } else {
            facts.first_order[c].filter(|f| *f <= d)
        };
        let capital = money((20.0 * rng.lognormal(1.3)).round() * 10_000.0);
        let org = match cust.ownership {
            "国有企业" => "国有企业",
            "合资" => "合资企业",
            "个人经营" | "合伙店铺" => "个人经营",
            _ => "股份企业",
        };
        let monthly: f64 = facts.sales[c].try_into().unwrap_or(0.0);
        let monthly = monthly / cal.months as f64;
        let peak_from = rng.pick(&[3i64, 9, 10]);
        let insured = rng.chance(0.6);
        let bank_ok = !bad && (good || rng.chance(0.5));
        let license = {
            const ALNUM: &[u8] = b"0123456789ABCDEFGHJKLMNPQRTUWXY";
            let mut s = String::from("91");
            for _ in 0..16 {
                s.push(ALNUM[rng.below(ALNUM.len() as u64) as usize] as char);
            }
            s
        };
        book.row(
            T10,
            &[
                Date(d),
                Text(&cust.id),
                Text(&cust.name),
                Text(&plan.staff[order_staff(plan, c, d)].name),
                Date(founded),
                Cell::opt_date(first_trade),
                Text(if cust.person {
                    "独资"
                } else {
                    rng.pick(&["独资", "合伙", "其他"])
                }),
                Text(rng.pick_w(&[("市场", 0.5), ("住宅", 0.1), ("郊外", 0.4)])),
                Own(format!(
                    "{}{}支行",
                    rng.pick(BANKS),
                    cust.city.trim_end_matches('市')
                )),
                keep(Text(five(&mut rng, bank_ok))),
                keep(Text(if rng.chance(0.8) {
                    "完备"
                } else {
                    "不完备"
                })),
                keep(Text(five(&mut rng, good))),
                keep(Text(five(&mut rng, !bad))),
                Text(org),
                keep(Money(capital)),
                Text(attitude),
                Own(license),
                Int(rng.range(0, 8)),
                Int(rng.range(0, 3)),
                keep(Text(rng.pick_w(&[
                    ("处于繁华区", 0.2),
                    ("一般商业区", 0.55),
                    ("偏僻地区", 0.25),
                ]))),
                keep(Text(if rng.chance(0.4) { "自有" } else { "租用" })),
                Int(rng.range(5, 500) * 10),
                Text(rng.pick(&["精装", "普通", "普通", "差"])),
                Text(if insured { "是" } else { "否" }),
                if insured {
                    Money(Decimal::from(rng.range(10, 500) * 10_000))
                } else {
                    Blank
                },
                keep(Text(if bad {
                    rng.pick(&["衰退", "不定"])
                } else {
                    rng.pick_w(&[("兴隆", 0.15), ("成长", 0.35), ("稳定", 0.4), ("不定", 0.1)])
                })),
                Int(peak_from),
                Int((peak_from + 2).min(12)),
                Money(money((monthly * 0.013).round() * 100.0)),
                Money(money((monthly * 0.008).round() * 100.0)),
                if sparse {
                    Text("资料不全,待补充")
                } else {
                    Blank
                },
            ],
        )?;
    }
    Ok(grades)
}

/// 客户信息表, from the plan and what the other tables turned out to be.
pub fn customers(
    plan: &Plan,
    facts: &Facts,
    last_contact: &[Option<NaiveDate>],
    grades: &[Option<&'static str>],
    seed: u64,
    book: &mut Book,
) -> Result<(), XlsxError> {
    let mut rng = Rng::stream(seed, "customers");
    let cal = plan.cal;
    let mut by_sales: Vec<usize> = (0..plan.customers.len()).collect();
    by_sales.sort_by(|&a, &b| facts.sales[b].cmp(&facts.sales[a]).then(a.cmp(&b)));
    let key_n = (plan.customers.len() as f64 * 0.05).round().max(1.0) as usize;
    let mut key = vec![false; plan.customers.len()];
    for &c in by_sales.iter().take(key_n) {
        key[c] = facts.sales[c] > Decimal::ZERO;
    }
    // 客户等级 as the clerk last typed it: roughly the 5/15/30/50 pyramid by sales, a step off for
    // some (grades go stale), blank for many. The product shows it beside its own grade (M05).
    let buyers = by_sales
        .iter()
        .filter(|&&c| facts.sales[c] > Decimal::ZERO)
        .count()
        .max(1);
    let mut manual = vec![None; plan.customers.len()];
    for (rank, &c) in by_sales.iter().enumerate() {
        if facts.sales[c] <= Decimal::ZERO || !rng.chance(0.6) {
            continue;
        }
        let q = rank as f64 / buyers as f64;
        let mut g: i64 = if q < 0.05 {
            0
        } else if q < 0.2 {
            1
        } else if q < 0.5 {
            2
        } else {
            3
        };
        if rng.chance(0.2) {
            g = (g + rng.pick(&[-1, 1])).clamp(0, 3);
        }
        manual[c] = Some(["A", "B", "C", "D"][g as usize]);
    }
    // The register is kept in 客户编号 order.
    let mut order: Vec<usize> = (0..plan.customers.len()).collect();
    order.sort_by(|&a, &b| plan.customers[a].id.cmp(&plan.customers[b].id));
    for c in order {
        let cust = &plan.customers[c];
        let status = match cust.kind {
            Kind::Lead => "潜在客户",
            Kind::Prospect => "意向客户",
            Kind::Buyer if facts.first_order[c].is_none() => "意向客户",
            // Most lost customers were marked by the clerk; some were not (C10 flags them).
            Kind::Buyer if churned(plan, facts, c) => {
                if rng.chance(0.7) {
                    "流失客户"
                } else {
                    "成交客户"
                }
            }
            Kind::Buyer => {
                if rng.chance(0.03) {
                    "合作中"
                } else {
                    "成交客户"
                }
            }
        };
        // Most rows carry the latest follow-up; some were not kept up to date (M26, R10).
        let followup = match last_contact[c] {
            Some(d) if rng.chance(0.85) => Some(d),
            Some(d) => Some(d - Duration::days(rng.range(20, 120))).filter(|x| *x >= cust.created),
            None => None,
        };
        let grade = grades[c];
        let monthly: f64 = facts.sales[c].try_into().unwrap_or(0.0);
        let monthly = monthly / cal.months as f64;
        let factor = match grade {
            Some("AAA") => 1.2,
            Some("AA") => 1.0,
            Some("A") => 0.8,
            Some("B") => 0.5,
            _ => 0.0,
        };
        let limit = grade.map(|_| {
            let raw = monthly * (cust.credit_days.max(30) as f64) / 30.0 * factor;
            money((raw / 1000.0).floor() * 1000.0)
        });
        let remark = if cust.kind == Kind::Buyer && churned(plan, facts, c) && rng.chance(0.5) {
            Some(rng.pick(&["已转向竞争对手", "客户业务收缩", "价格原因停止合作"]))
        } else if matches!(cust.pay, Pay::Bad { .. }) && cust.kind == Kind::Buyer {
            Some("回款困难,注意风险")
        } else {
            None
        };
        let referrer = cust.referrer.map(|r| plan.customers[r].id.as_str());
        book.row(
            T01,
            &[
                Text(&cust.id),
                Text(&cust.name),
                Text(&cust.short),
                Text(if cust.person {
                    "个人客户"
                } else {
                    "企业客户"
                }),
                Text(cust.industry),
                Text(cust.ownership),
                Text(REGIONS[cust.region].name),
                Text(cust.province),
                Text(cust.city),
                Text(&cust.address),
                Text(&cust.contact),
                Text(cust.contact_title),
                Text(&cust.phone),
                Text(&cust.email),
                Cell::opt_text(cust.im.as_deref()),
                Text(cust.needs),
                Date(cust.first_contact),
                Text(status),
                Text(&plan.staff[cust.owner].name),
                Cell::opt_text(cust.co_owner.map(|s| plan.staff[s].name.as_str())),
                Cell::opt_date(followup),
                Text(cust.source),
                Cell::opt_text(referrer),
                Cell::opt_text(cust.source_activity.as_deref()),
                Text(cust.channel),
                Text(if key[c] { "是" } else { "否" }),
                Cell::opt_text(manual[c]),
                Cell::opt_text(grade),
                limit.map_or(Blank, Money),
                if cust.kind == Kind::Buyer {
                    Int(cust.credit_days)
                } else {
                    Blank
                },
                if cust.kind == Kind::Buyer {
                    Text(cust.payment_terms)
                } else {
                    Blank
                },
                grade.map_or(Blank, |g| Text(if g == "B" { "是" } else { "否" })),
                cust.opening_ar.map_or(Blank, Money),
                if cust.opening_ar.is_some() {
                    Date(cal.start())
                } else {
                    Blank
                },
                Date(cust.created),
                Cell::opt_text(remark),
            ],
        )?;
    }
    Ok(())
}

pub fn products(plan: &Plan, book: &mut Book) -> Result<(), XlsxError> {
    for p in &plan.products {
        book.row(
            T02,
            &[
                Text(&p.id),
                Text(p.name),
                Text(p.category),
                Text(p.spec),
                Text(p.unit),
                Money(p.price),
                Money(p.cost),
            ],
        )?;
    }
    Ok(())
}

pub fn staff(plan: &Plan, book: &mut Book) -> Result<(), XlsxError> {
    for s in &plan.staff {
        book.row(
            T03,
            &[
                Text(&s.id),
                Text(&s.name),
                Text(s.group),
                Text(REGIONS[s.region].name),
                Text("销售部"),
                Text(s.role),
                Text(if s.leave.is_some() {
                    "离职"
                } else {
                    "在职"
                }),
                Date(s.join),
                Cell::opt_date(s.leave),
            ],
        )?;
    }
    Ok(())
}

/// 销售目标: per salesperson and month, about 8% above what their customers are expected to buy.
pub fn targets(plan: &Plan, book: &mut Book) -> Result<(), XlsxError> {
    let cal = plan.cal;
    let round10k = |x: f64| money((x / 10_000.0).round().max(5.0) * 10_000.0);
    // expected[s][i]: what salesperson s's customers should buy in month i, from the plan.
    let mut expected = vec![vec![0.0f64; cal.months]; plan.staff.len()];
    for i in 0..cal.months {
        let active_freq: f64 = plan
            .customers
            .iter()
            .filter(|c| c.buys_in(i))
            .map(|c| c.freq)
            .sum();
        if active_freq <= 0.0 {
            continue;
        }
        let lines = plan.lines_per_month[i] as f64;
        for c in plan.customers.iter().filter(|c| c.buys_in(i)) {
            if let Some(e) = expected.get_mut(c.owner) {
                e[i] += lines * c.freq / active_freq * c.line_amt;
            }
        }
    }
    for i in 0..cal.months {
        let (y, m) = cal.ym(i);
        for (s, st) in plan.staff.iter().enumerate() {
            let employed =
                st.join <= cal.month_end(i) && st.leave.is_none_or(|l| l >= cal.month_start(i));
            if !employed {
                continue;
            }
            let e = expected[s][i];
            let standard = expected[s].iter().sum::<f64>() / cal.months as f64;
            book.row(
                T04,
                &[
                    Own(format!("{y}-{m:02}")),
                    Text(&st.id),
                    Money(round10k(e * 1.08)),
                    Money(round10k(standard)),
                    Money(round10k(e * 1.08 * 0.92)),
                ],
            )?;
        }
    }
    Ok(())
}
