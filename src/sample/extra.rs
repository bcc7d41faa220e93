//! The optional tables T11–T15: 费用, 满意度调查, 活动参与, 售后服务, 呼叫记录. Each has its own
//! PRNG stream (so adding rows here never changes the other sheets), is built in memory (all are
//! proportional to customers × months) and written sorted by date.

use super::book::{Book, Cell, Cell::*, T11, T12, T13, T14, T15};
use super::plan::{money, phone, Kind, Pay, Plan};
use super::rng::Rng;
use super::stream::Facts;
use super::tables::at;
use super::vocab::SOURCE_ACTIVITIES;
use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, Weekday};
use rust_decimal::Decimal;
use rust_xlsxwriter::XlsxError;

/// A weekday in [lo, hi] (a weekend day moves to the Friday before when that is still in range).
fn weekday(rng: &mut Rng, lo: NaiveDate, hi: NaiveDate) -> NaiveDate {
    if hi <= lo {
        return lo;
    }
    let d = lo + Duration::days(rng.range(0, (hi - lo).num_days()));
    let back = match d.weekday() {
        Weekday::Sat => 1,
        Weekday::Sun => 2,
        _ => 0,
    };
    if d - Duration::days(back) >= lo {
        d - Duration::days(back)
    } else {
        d
    }
}

/// Is salesperson `s` employed on `d`?
fn on_staff(plan: &Plan, s: usize, d: NaiveDate) -> bool {
    let st = &plan.staff[s];
    st.join <= d && st.leave.is_none_or(|l| l >= d)
}

/// How pleased a customer is, 0–1: good payers who keep buying are happier (a hidden trait that
/// drives the survey, after-sales and loyalty figures consistently).
fn mood(plan: &Plan, facts: &Facts, c: usize, rng: &mut Rng) -> f64 {
    let cust = &plan.customers[c];
    let churned = facts.last_order[c].is_some_and(|d| (plan.cal.end() - d).num_days() >= 180);
    let base = match cust.pay {
        Pay::Good { .. } => 0.72,
        Pay::Bad { .. } => 0.35,
        _ => 0.55,
    };
    let b = base + 0.05 * cust.freq.min(3.0) - if churned { 0.25 } else { 0.0 };
    (b + 0.25 * (rng.unit() - 0.5)).clamp(0.02, 0.98)
}

/// A 1–5 answer around `mood`.
fn score(rng: &mut Rng, mood: f64) -> i64 {
    let x = mood * 4.0 + 1.0 + rng.normal() * 0.7;
    (x.round() as i64).clamp(1, 5)
}

struct ExpenseRow {
    date: NaiveDate,
    seq: usize,
    staff: usize,
    cust: Option<usize>,
    cat: &'static str,
    amount: Decimal,
    note: &'static str,
}

/// 费用: per salesperson and month, 薪水, 津贴, 油料 and 差旅费 (开发费用) and 交际, 赠送, 活动
/// and 其他 (其他费用) on their customers; 机车保险 once a year in the month they joined.
pub fn expenses(plan: &Plan, seed: u64, book: &mut Book) -> Result<(), XlsxError> {
    let mut rng = Rng::stream(seed, "expenses");
    let cal = plan.cal;
    let mut own: Vec<Vec<usize>> = vec![Vec::new(); plan.staff.len()];
    for (c, cust) in plan.customers.iter().enumerate() {
        if let Some(v) = own.get_mut(cust.owner) {
            v.push(c);
        }
    }
    let mut rows: Vec<ExpenseRow> = Vec::new();
    for (s, st) in plan.staff.iter().enumerate() {
        let salary = 3_500.0 + 500.0 * rng.range(0, 5) as f64;
        for i in 0..cal.months {
            let (lo, hi) = (cal.month_start(i), cal.month_end(i));
            if !on_staff(plan, s, hi) && !on_staff(plan, s, lo) {
                continue;
            }
            let push = |rows: &mut Vec<ExpenseRow>,
                        date: NaiveDate,
                        cust: Option<usize>,
                        cat: &'static str,
                        amount: f64,
                        note: &'static str| {
                rows.push(ExpenseRow {
                    date,
                    seq: rows.len(),
                    staff: s,
                    cust,
                    cat,
                    amount: money(amount),
                    note,
                });
            };
            let payday = hi.min(st.leave.unwrap_or(hi));
            push(&mut rows, payday, None, "薪水", salary, "月度工资");
            push(
                &mut rows,
                payday,
                None,
                "津贴",
                (200 + 50 * rng.range(0, 10)) as f64,
                "通讯及餐补",
            );
            let fuel_n = rng.range(1, 3);
            for _ in 0..fuel_n {
                let d = weekday(&mut rng, lo, payday);
                push(
                    &mut rows,
                    d,
                    None,
                    "油料",
                    150.0 + 350.0 * rng.unit(),
                    "加油",
                );
            }
            if st.join.month() == lo.month() && st.join < lo {
                push(
                    &mut rows,
                    lo,
                    None,
                    "机车保险",
                    1_800.0 + 900.0 * rng.unit(),
                    "车辆年度保险",
                );
            }
            let mine = &own[s];
            for _ in 0..rng.range(0, 2) {
                let d = weekday(&mut rng, lo, payday);
                let c = (!mine.is_empty()).then(|| mine[rng.below(mine.len() as u64) as usize]);
                push(
                    &mut rows,
                    d,
                    c,
                    "差旅费",
                    300.0 + 1_700.0 * rng.unit(),
                    "拜访客户差旅",
                );
            }
            for _ in 0..rng.range(0, 3) {
                let d = weekday(&mut rng, lo, payday);
                let c = (!mine.is_empty()).then(|| mine[rng.below(mine.len() as u64) as usize]);
                // Entertainment is written the way clerks do: 招待 / 宴请 map to 交际.
                let cat = rng.pick(&["交际", "交际", "招待费"]);
                let cat: &'static str = if cat == "招待费" {
                    "招待费"
                } else {
                    "交际"
                };
                push(
                    &mut rows,
                    d,
                    c,
                    cat,
                    200.0 + 2_300.0 * rng.unit(),
                    "客户招待",
                );
            }
            // Gifts before 春节 (January) and 中秋 (September).
            if matches!(lo.month(), 1 | 9) {
                for _ in 0..rng.range(1, 3) {
                    if mine.is_empty() {
                        break;
                    }
                    let c = mine[rng.below(mine.len() as u64) as usize];
                    let d = weekday(&mut rng, lo, payday);
                    push(
                        &mut rows,
                        d,
                        Some(c),
                        "礼品",
                        300.0 + 700.0 * rng.unit(),
                        "节日礼品",
                    );
                }
            }
            if matches!(lo.month(), 3 | 5 | 9 | 12) && rng.chance(0.5) {
                let d = weekday(&mut rng, lo, payday);
                push(
                    &mut rows,
                    d,
                    None,
                    "活动",
                    500.0 + 1_500.0 * rng.unit(),
                    "订货会/答谢会分摊",
                );
            }
            if rng.chance(0.3) {
                let d = weekday(&mut rng, lo, payday);
                push(
                    &mut rows,
                    d,
                    None,
                    "其他",
                    50.0 + 250.0 * rng.unit(),
                    "办公用品",
                );
            }
        }
    }
    rows.sort_by_key(|r| (r.date, r.seq));
    for r in &rows {
        let cust = r.cust.map(|c| &plan.customers[c]);
        // About one in six entries names the salesperson by 工号 instead of name.
        let staff = &plan.staff[r.staff];
        book.row(
            T11,
            &[
                Date(r.date),
                Text(if r.seq % 6 == 0 {
                    &staff.id
                } else {
                    &staff.name
                }),
                Cell::opt_text(cust.map(|c| c.id.as_str())),
                Cell::opt_text(cust.map(|c| c.name.as_str())),
                Text(r.cat),
                Money(r.amount),
                Text(r.note),
            ],
        )?;
    }
    Ok(())
}

/// 满意度调查: about one returned questionnaire per buying customer and year, scored around the
/// customer's hidden mood; a fifth leave 总体满意度 blank (M23 then takes the mean of the items).
pub fn satisfaction(
    plan: &Plan,
    facts: &Facts,
    seed: u64,
    book: &mut Book,
) -> Result<(), XlsxError> {
    let mut rng = Rng::stream(seed, "satisfaction");
    let cal = plan.cal;
    let mut rows: Vec<(NaiveDate, usize, Vec<Cell<'static>>)> = Vec::new();
    let mut moods = Vec::with_capacity(plan.customers.len());
    for c in 0..plan.customers.len() {
        moods.push(mood(plan, facts, c, &mut rng));
    }
    for (c, cust) in plan.customers.iter().enumerate() {
        let (Some(first), Some(last)) = (facts.first_order[c], facts.last_order[c]) else {
            continue;
        };
        let mut y = first.year();
        while y <= cal.end().year() {
            let lo = NaiveDate::from_ymd_opt(y, 1, 1)
                .unwrap_or(first)
                .max(first + Duration::days(20));
            let hi = NaiveDate::from_ymd_opt(y, 12, 31)
                .unwrap_or(last)
                .min(last + Duration::days(60))
                .min(cal.end());
            y += 1;
            if hi <= lo || !rng.chance(0.55 + 0.1 * cust.freq.min(2.0)) {
                continue;
            }
            let d = weekday(&mut rng, lo, hi);
            let m = moods[c];
            let items: Vec<i64> = (0..7).map(|_| score(&mut rng, m)).collect();
            // Not every item is answered: 投诉处理 and 售后服务 only by customers who used them.
            let answered = |k: usize, rng: &mut Rng| k < 5 || rng.chance(0.5);
            let mut cells: Vec<Cell<'static>> = vec![
                Date(d),
                Own(cust.id.clone()),
                Own(cust.name.clone()),
                Text(rng.pick_w(&[("电话", 0.5), ("问卷", 0.25), ("上门", 0.15), ("网络", 0.1)])),
            ];
            for (k, v) in items.iter().enumerate() {
                cells.push(if answered(k, &mut rng) {
                    Int(*v)
                } else {
                    Blank
                });
            }
            let overall = score(&mut rng, m);
            cells.push(if rng.chance(0.8) {
                // Some clerks type the answer as words.
                if rng.chance(0.15) {
                    Text(
                        ["非常不满意", "不满意", "一般", "满意", "非常满意"]
                            [(overall - 1) as usize],
                    )
                } else {
                    Int(overall)
                }
            } else {
                Blank
            });
            let sens = (5 - ((m * 3.0 + rng.unit() * 2.0) as i64)).clamp(1, 5);
            cells.push(Int(sens));
            cells.push(Int(score(&mut rng, m)));
            let rebuy = if m > 0.6 {
                "是"
            } else if m > 0.4 {
                rng.pick(&["是", "不确定"])
            } else {
                rng.pick(&["否", "不确定"])
            };
            cells.push(Text(rebuy));
            cells.push(Text(if m > 0.65 {
                "是"
            } else {
                rng.pick(&["否", "不确定"])
            }));
            cells.push(if m < 0.4 {
                Text(rng.pick(&["交货期需更稳定", "价格偏高", "希望加快响应", "包装需改进"]))
            } else {
                Blank
            });
            rows.push((d, rows.len(), cells));
        }
    }
    rows.sort_by_key(|r| (r.0, r.1));
    for (_, _, cells) in &rows {
        book.row(T12, cells)?;
    }
    Ok(())
}

/// 活动参与: four activities a year (the names T01's 来源活动 uses). Buyers and prospects on
/// file are invited; whoever was found at an activity attended it; a few come uninvited.
pub fn activities(plan: &Plan, facts: &Facts, seed: u64, book: &mut Book) -> Result<(), XlsxError> {
    let mut rng = Rng::stream(seed, "activities");
    let cal = plan.cal;
    let month_of = |name: &str| match name {
        "春季订货会" => 3,
        "新品发布会" => 5,
        "秋季订货会" => 9,
        _ => 12,
    };
    let mut events: Vec<(NaiveDate, String)> = Vec::new();
    for y in cal.start().year()..=cal.end().year() {
        for name in SOURCE_ACTIVITIES {
            let Some(first) = NaiveDate::from_ymd_opt(y, month_of(name), 1) else {
                continue;
            };
            let d = weekday(
                &mut rng,
                first + Duration::days(8),
                first + Duration::days(24),
            );
            if d >= cal.start() && d <= cal.end() {
                events.push((d, format!("{y}{name}")));
            }
        }
    }
    events.sort();
    for (d, name) in &events {
        for (c, cust) in plan.customers.iter().enumerate() {
            let found_here = cust.source_activity.as_deref() == Some(name.as_str());
            if cust.created > *d && !found_here {
                continue;
            }
            let active = facts.last_order[c].is_none_or(|l| (*d - l).num_days() < 200);
            let (invite_p, resp_p) = match cust.kind {
                Kind::Buyer => (0.55, 0.35 + 0.12 * cust.freq.min(3.0)),
                Kind::Prospect => (0.45, 0.3),
                Kind::Lead => (0.15, 0.15),
            };
            let invited = found_here || (active && rng.chance(invite_p));
            let responded = found_here || (invited && rng.chance(resp_p.min(0.9)));
            let walk_in = !invited && rng.chance(0.01);
            if !invited && !walk_in {
                continue;
            }
            // 报名 / 参加 / 出席 are written as clerks write them; they all mean 是.
            let resp = if responded || walk_in {
                rng.pick(&["是", "是", "参加", "出席", "报名"])
            } else {
                rng.pick(&["否", "否", "未参加"])
            };
            book.row(
                T13,
                &[
                    Own(name.clone()),
                    Date(*d),
                    Text(&cust.id),
                    Text(&cust.name),
                    Text(if invited { "是" } else { "否" }),
                    Text(resp),
                ],
            )?;
        }
    }
    Ok(())
}

struct Service {
    at: NaiveDateTime,
    seq: usize,
    cust: usize,
    kind: &'static str,
}

const ENGINEERS: &[&str] = &["马建军", "黄志强", "许文涛", "韩立新"];

/// 售后服务: installation, repair, maintenance, consultation and exchange orders from buying
/// customers; a few recent ones still open.
pub fn after_sales(
    plan: &Plan,
    facts: &Facts,
    seed: u64,
    book: &mut Book,
) -> Result<(), XlsxError> {
    let mut rng = Rng::stream(seed, "after_sales");
    let cal = plan.cal;
    let end = at(cal.end(), 23, 59);
    let mut all: Vec<Service> = Vec::new();
    for (c, cust) in plan.customers.iter().enumerate() {
        let (Some(first), Some(last)) = (facts.first_order[c], facts.last_order[c]) else {
            continue;
        };
        let p = (0.03 * (1.0 + 0.5 * cust.freq)).min(0.35);
        for i in 0..cal.months {
            if !rng.chance(p) {
                continue;
            }
            let lo = cal.month_start(i).max(first + Duration::days(2));
            let hi = cal
                .month_end(i)
                .min(last + Duration::days(90))
                .min(cal.end());
            if hi < lo {
                continue;
            }
            let d = weekday(&mut rng, lo, hi);
            let kind = rng.pick_w(&[
                ("维修", 0.42),
                ("安装", 0.18),
                ("保养", 0.17),
                ("咨询", 0.15),
                ("退换", 0.08),
            ]);
            all.push(Service {
                at: at(d, rng.range(8, 17), rng.range(0, 59)),
                seq: all.len(),
                cust: c,
                kind,
            });
        }
    }
    all.sort_by_key(|s| (s.at, s.seq));
    let mut serial = (0i32, 0u32, 0usize);
    let mut moods = Rng::stream(seed, "after_sales_mood");
    for s in &all {
        let cust = &plan.customers[s.cust];
        let d = s.at.date();
        if (d.year(), d.month()) != (serial.0, serial.1) {
            serial = (d.year(), d.month(), 0);
        }
        serial.2 += 1;
        let no = format!("FW{}{:02}{:04}", d.year(), d.month(), serial.2);
        let product = &plan.products[cust.favs[rng.below(cust.favs.len() as u64) as usize]];
        let hours = match s.kind {
            "咨询" => rng.range(1, 8),
            "安装" | "保养" => rng.range(4, 72),
            _ => rng.range(6, 120),
        };
        let done = s.at + Duration::hours(hours) + Duration::minutes(rng.range(0, 59));
        let completed = (done <= end && rng.chance(0.96)).then_some(done);
        let in_warranty = match s.kind {
            "咨询" => None,
            _ => Some(rng.chance(0.65)),
        };
        let fee = match (s.kind, in_warranty) {
            ("维修", Some(false)) => Some(money(150.0 + 1_350.0 * rng.unit())),
            ("保养", Some(false)) => Some(money(200.0 + 300.0 * rng.unit())),
            (_, Some(_)) => Some(Decimal::ZERO),
            _ => None,
        };
        let m = mood(plan, facts, s.cust, &mut moods);
        let sat = completed.map(|_| score(&mut rng, (m + 0.1).min(0.98)));
        let issue = match s.kind {
            "维修" => rng.pick(&[
                "设备无法启动",
                "运行异响",
                "漏水",
                "控制面板失灵",
                "压力不稳",
            ]),
            "安装" => "新设备安装调试",
            "保养" => "定期保养",
            "咨询" => rng.pick(&["使用方法咨询", "备件型号咨询", "保修政策咨询"]),
            _ => rng.pick(&["到货破损换货", "型号不符退换"]),
        };
        book.row(
            T14,
            &[
                Own(no),
                DateTime(s.at),
                Text(&cust.id),
                Text(&cust.name),
                Text(product.name),
                Text(product.spec),
                Text(s.kind),
                Text(issue),
                Text(rng.pick(ENGINEERS)),
                Cell::opt_dt(completed),
                match in_warranty {
                    Some(true) => Text("是"),
                    Some(false) => Text("否"),
                    None => Blank,
                },
                fee.map_or(Blank, Money),
                sat.map_or(Blank, Int),
            ],
        )?;
    }
    Ok(())
}

const AGENTS: &[&str] = &["A01", "A02", "A03", "A05", "A07"];

/// 呼叫记录: inbound calls from customers (咨询, 订货, 报修, 投诉 …) and outbound calls by the
/// agents (回访, 满意度调查, 营销, 催款, 通知). Some talk times are typed as mm:ss.
pub fn calls(plan: &Plan, facts: &Facts, seed: u64, book: &mut Book) -> Result<(), XlsxError> {
    let mut rng = Rng::stream(seed, "calls");
    let cal = plan.cal;
    let mut all: Vec<(NaiveDateTime, usize, Option<usize>, bool)> = Vec::new();
    for (c, cust) in plan.customers.iter().enumerate() {
        let per_month = match cust.kind {
            Kind::Buyer => 0.25 + 0.1 * cust.freq.min(4.0),
            Kind::Prospect => 0.15,
            Kind::Lead => 0.05,
        };
        for i in 0..cal.months {
            let lo = cal.month_start(i).max(cust.created);
            let hi = cal.month_end(i);
            if hi < lo {
                continue;
            }
            let bought = facts.last_order[c].is_some_and(|l| l + Duration::days(120) >= lo);
            let n = (per_month * if bought { 1.0 } else { 0.4 } * (0.5 + rng.unit()) + rng.unit())
                as usize;
            for _ in 0..n {
                let d = weekday(&mut rng, lo, hi);
                let t = at(d, rng.range(8, 18), rng.range(0, 59));
                let inbound = rng.chance(0.6);
                all.push((t, all.len(), Some(c), inbound));
            }
        }
    }
    // Calls from numbers not on file.
    for i in 0..cal.months {
        for _ in 0..rng.range(2, 6) {
            let d = weekday(&mut rng, cal.month_start(i), cal.month_end(i));
            all.push((
                at(d, rng.range(8, 18), rng.range(0, 59)),
                all.len(),
                None,
                true,
            ));
        }
    }
    all.sort_by_key(|x| (x.0, x.1));
    for (t, _, cust, inbound) in &all {
        let cust = cust.map(|c| (&plan.customers[c], c));
        let call_type = if *inbound {
            rng.pick_w(&[
                ("咨询", 0.3),
                ("订货", 0.2),
                ("查询", 0.18),
                ("报修", 0.14),
                ("投诉", 0.08),
                ("建议", 0.1),
            ])
        } else {
            let late = cust.is_some_and(|(c, _)| matches!(c.pay, Pay::Bad { .. }));
            if late && rng.chance(0.5) {
                "催款"
            } else {
                rng.pick_w(&[
                    ("回访", 0.4),
                    ("满意度调查", 0.2),
                    ("营销", 0.25),
                    ("通知", 0.15),
                ])
            }
        };
        let connected = *inbound || rng.chance(0.78);
        let secs = connected.then(|| (60.0 * rng.lognormal(0.6) + 20.0).min(1_800.0) as i64);
        let duration = match secs {
            // One in eight is typed as mm:ss (T15 accepts it).
            Some(s) if rng.chance(0.125) => Own(format!("{}:{:02}", s / 60, s % 60)),
            Some(s) => Int(s),
            None => Blank,
        };
        let qa = (connected && rng.chance(0.35)).then(|| rng.range(62, 100));
        let number = match cust {
            Some((c, _)) if rng.chance(0.85) => c.phone.clone(),
            _ => phone(&mut rng),
        };
        book.row(
            T15,
            &[
                DateTime(*t),
                Text(if *inbound { "呼入" } else { "呼出" }),
                Own(number),
                Cell::opt_text(cust.map(|(c, _)| c.id.as_str())),
                Cell::opt_text(cust.map(|(c, _)| c.name.as_str())),
                Text(rng.pick(AGENTS)),
                Text(call_type),
                Text(if connected { "是" } else { "否" }),
                duration,
                qa.map_or(Blank, Int),
            ],
        )?;
    }
    Ok(())
}
