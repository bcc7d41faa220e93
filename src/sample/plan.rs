//! The cast of the sample: the calendar, salespeople, products and customers with the hidden
//! behaviour (size, when they buy, how they pay) that drives every generated row. All of this is
//! small (proportional to customers and months, never to sales lines) and held in memory.

use super::rng::{norm_quantile, Rng};
use super::vocab::*;
use chrono::{Datelike, Duration, NaiveDate};
use rust_decimal::Decimal;

/// The sample's fixed last month: data run through 2026-10-31 inclusive. Fixed, never the wall
/// clock, so the same arguments always give the same bytes.
pub const LAST_YEAR: i32 = 2026;
pub const LAST_MONTH: u32 = 10;

/// Lognormal spread of customer value. With σ = 1.45 the top 20% of buying customers make about
/// three quarters of sales (measured over the committed sample: see tests/sample.rs).
const VALUE_SIGMA: f64 = 1.6;
/// Share of a customer's value that comes from buying more often (the rest: bigger lines).
const FREQ_EXP: f64 = 0.6;

#[derive(Debug, Clone, Copy)]
pub struct Calendar {
    pub months: usize,
    first_y: i32,
    first_m: u32,
}

impl Calendar {
    pub fn new(months: usize) -> Self {
        let months = months.max(1);
        let last = LAST_YEAR * 12 + LAST_MONTH as i32 - 1;
        let first = last - (months as i32 - 1);
        Calendar {
            months,
            first_y: first.div_euclid(12),
            first_m: first.rem_euclid(12) as u32 + 1,
        }
    }

    /// (year, month) of month index i (0 = first month of the data).
    pub fn ym(&self, i: usize) -> (i32, u32) {
        let k = self.first_y * 12 + self.first_m as i32 - 1 + i as i32;
        (k.div_euclid(12), k.rem_euclid(12) as u32 + 1)
    }

    pub fn month_start(&self, i: usize) -> NaiveDate {
        let (y, m) = self.ym(i);
        NaiveDate::from_ymd_opt(y, m, 1).unwrap_or(NaiveDate::MIN)
    }

    pub fn month_end(&self, i: usize) -> NaiveDate {
        let (y, m) = self.ym(i + 1);
        NaiveDate::from_ymd_opt(y, m, 1)
            .and_then(|d| d.pred_opt())
            .unwrap_or(NaiveDate::MAX)
    }

    pub fn days_in(&self, i: usize) -> i64 {
        (self.month_end(i) - self.month_start(i)).num_days() + 1
    }

    pub fn start(&self) -> NaiveDate {
        self.month_start(0)
    }

    pub fn end(&self) -> NaiveDate {
        self.month_end(self.months - 1)
    }

    /// Month index of a date inside the data period.
    pub fn index_of(&self, d: NaiveDate) -> Option<usize> {
        let k = (d.year() - self.first_y) * 12 + d.month() as i32 - self.first_m as i32;
        (k >= 0 && (k as usize) < self.months).then_some(k as usize)
    }

    /// "YYYYMM" for document numbers.
    pub fn tag(&self, i: usize) -> String {
        let (y, m) = self.ym(i);
        format!("{y}{m:02}")
    }
}

/// Relative monthly demand: a trough at 春节 (February) and a peak before year end.
pub fn season(month: u32) -> f64 {
    const S: [f64; 12] = [
        0.85, 0.50, 0.95, 1.00, 1.05, 1.10, 0.95, 0.90, 1.10, 1.10, 1.25, 1.35,
    ];
    S[(month.clamp(1, 12) - 1) as usize]
}

pub struct Staff {
    pub id: String,
    pub name: String,
    pub group: &'static str,
    pub region: usize,
    pub role: &'static str,
    pub join: NaiveDate,
    pub leave: Option<NaiveDate>,
}

pub struct Product {
    pub id: String,
    pub name: &'static str,
    pub category: &'static str,
    pub spec: &'static str,
    pub unit: &'static str,
    pub price: Decimal,
    pub cost: Decimal,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// 潜在客户: a lead, no orders.
    Lead,
    /// 意向客户: talking, no orders yet.
    Prospect,
    /// Buys from `first` to `last` (month indices). A customer whose `last` is more than 180 days
    /// before the end has churned.
    Buyer,
}

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Pay {
    /// Settles everything shipped `lag` months earlier, in full.
    Good { lag: usize },
    /// Pays only part of what is due each month, so a tail of older debt builds up.
    Slow { lag: usize, frac: f64 },
    /// Pays like a good customer until month `stop`, then (almost) stops: the overdue cases.
    Bad { lag: usize, stop: usize },
}

pub struct Customer {
    pub id: String,
    pub name: String,
    pub short: String,
    pub person: bool,
    pub industry: &'static str,
    pub ownership: &'static str,
    pub region: usize,
    pub province: &'static str,
    pub city: &'static str,
    pub address: String,
    pub contact: String,
    pub contact_title: &'static str,
    pub phone: String,
    pub email: String,
    pub im: Option<String>,
    pub needs: &'static str,
    pub first_contact: NaiveDate,
    pub created: NaiveDate,
    pub owner: usize,
    pub co_owner: Option<usize>,
    pub source: &'static str,
    pub referrer: Option<usize>,
    pub source_activity: Option<String>,
    pub channel: &'static str,
    pub kind: Kind,
    /// First and last month index with demand (Buyer only).
    pub first: usize,
    pub last: usize,
    /// Relative order frequency (lines per month ∝ this).
    pub freq: f64,
    /// Typical line amount in 元 (products and quantities are picked to land near it).
    pub line_amt: f64,
    /// Products this customer usually buys.
    pub favs: Vec<usize>,
    /// The customer's negotiated price level against the list price.
    pub price_factor: f64,
    pub pay: Pay,
    /// Share of receipts paid by note (期票 / 承兑汇票).
    pub note_share: f64,
    pub credit_days: i64,
    pub payment_terms: &'static str,
    pub opening_ar: Option<Decimal>,
}

impl Customer {
    pub fn buys_in(&self, i: usize) -> bool {
        self.kind == Kind::Buyer && self.first <= i && i <= self.last
    }
}

pub struct Plan {
    pub cal: Calendar,
    pub staff: Vec<Staff>,
    pub products: Vec<Product>,
    pub customers: Vec<Customer>,
    /// Sales lines per month (sums to the requested total).
    pub lines_per_month: Vec<u64>,
}

pub fn person_name(rng: &mut Rng) -> (String, &'static str) {
    let (sur, py, _) = SURNAMES[rng.weighted(&SURNAMES.iter().map(|s| s.2).collect::<Vec<_>>())];
    let mut name = sur.to_string();
    name.push_str(rng.pick(GIVEN));
    if rng.chance(0.7) {
        name.push_str(rng.pick(GIVEN));
    }
    (name, py)
}

fn unique_person(rng: &mut Rng, taken: &mut std::collections::BTreeSet<String>) -> String {
    loop {
        let (n, _) = person_name(rng);
        if taken.insert(n.clone()) {
            return n;
        }
    }
}

pub fn phone(rng: &mut Rng) -> String {
    let prefix = rng.pick(&[
        "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "155",
        "158", "159", "177", "180", "186", "187", "188", "189",
    ]);
    format!("{prefix}{:08}", rng.below(100_000_000))
}

/// Money from a float: rounded to 0.01 through integer fen so the Decimal is exact.
pub fn money(x: f64) -> Decimal {
    let fen = (x * 100.0).round();
    let fen = if fen.is_finite() {
        fen.clamp(0.0, 9.0e15) as i64
    } else {
        0
    };
    Decimal::new(fen, 2)
}

fn staff_plan(rng: &mut Rng, n_customers: usize, cal: &Calendar) -> Vec<Staff> {
    let n = (n_customers as f64 / 20.0).round().clamp(12.0, 20.0) as usize;
    let shares: Vec<f64> = REGIONS.iter().map(|r| r.share).collect();
    // Staff joined before the data start (a few years earlier for long runs).
    let first_year = i64::from(cal.start().year());
    let mut taken = std::collections::BTreeSet::new();
    let mut staff = Vec::with_capacity(n);
    for i in 0..n {
        // Every region gets one salesperson; the rest follow the regions' share of customers.
        let region = if i < REGIONS.len() {
            i
        } else {
            rng.weighted(&shares)
        };
        let join = NaiveDate::from_ymd_opt(
            rng.range((first_year - 10).min(2014), first_year.min(2023)) as i32,
            rng.range(1, 12) as u32,
            1,
        )
        .unwrap_or(NaiveDate::MIN);
        staff.push(Staff {
            id: format!("S{:03}", i + 1),
            name: unique_person(rng, &mut taken),
            group: GROUPS[i % GROUPS.len()],
            region,
            role: if i < GROUPS.len() {
                "区域经理"
            } else {
                rng.pick(&ROLES[..3])
            },
            join,
            leave: None,
        });
    }
    // Two salespeople leave during the last months; their customers stay assigned to them (M27
    // lists them as 待重新指派). Pick people whose region has a colleague to take the orders over.
    let mut left = 0;
    for i in (GROUPS.len()..n).rev() {
        if left == 2 {
            break;
        }
        let colleagues = staff
            .iter()
            .filter(|s| s.region == staff[i].region && s.leave.is_none())
            .count();
        if colleagues >= 2 {
            let m = cal.months.saturating_sub(if left == 0 { 4 } else { 2 });
            let day = if left == 0 {
                cal.month_end(m)
            } else {
                cal.month_start(m) + Duration::days(14)
            };
            staff[i].leave = Some(day);
            left += 1;
        }
    }
    // One newcomer joined during the data period.
    if let Some(s) = staff.last_mut() {
        if s.leave.is_none() {
            s.join = cal.month_start(cal.months / 3);
        }
    }
    staff
}

fn product_plan() -> Vec<Product> {
    let mut out = Vec::new();
    for (cat, items) in CATALOGUE {
        for (name, spec, unit, price) in *items {
            // Unit cost (边际成本) between 68% and 84% of list price, fixed per product.
            let margin_pct = 68 + (out.len() as i64 * 7) % 17;
            let price = Decimal::from(*price);
            let cost = (price * Decimal::from(margin_pct) / Decimal::from(100)).round_dp(2);
            out.push(Product {
                id: format!("P{:03}", out.len() + 1),
                name,
                category: cat,
                spec,
                unit,
                price,
                cost,
            });
        }
    }
    out
}

/// Staff who can serve a region on a date (still employed), preferring the region's own people.
pub fn staff_for(staff: &[Staff], region: usize, on: NaiveDate) -> Vec<usize> {
    let active = |s: &Staff| s.leave.is_none_or(|l| l >= on) && s.join <= on;
    let mut v: Vec<usize> = (0..staff.len())
        .filter(|&i| staff[i].region == region && active(&staff[i]))
        .collect();
    if v.is_empty() {
        v = (0..staff.len()).filter(|&i| active(&staff[i])).collect();
    }
    if v.is_empty() {
        v = (0..staff.len()).collect();
    }
    v
}

pub fn build(seed: u64, n_customers: usize, months: usize, total_lines: u64, abbr: &str) -> Plan {
    let cal = Calendar::new(months);
    let mut rng = Rng::stream(seed, "plan");
    let staff = staff_plan(&mut rng, n_customers, &cal);
    let products = product_plan();
    let n = n_customers.max(1);

    // Kinds: a few leads and prospects without orders, most buyers. Some buyers are new during
    // the period, some churn (stop buying more than 180 days before the end).
    let mut order: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut order);
    let n_lead = if n >= 10 {
        (n as f64 * 0.08).round() as usize
    } else {
        0
    };
    let n_prospect = if n >= 10 {
        (n as f64 * 0.07).round() as usize
    } else {
        0
    };
    let n_churn = if n >= 10 && cal.months >= 9 {
        (n as f64 * 0.10).round() as usize
    } else {
        0
    };
    let n_new = if n >= 5 && cal.months >= 2 {
        (n as f64 * 0.15).round() as usize
    } else {
        0
    };
    let n_bad = if n >= 10 {
        ((n as f64 * 0.02).round() as usize).max(2)
    } else {
        0
    };
    let mut role = vec![0u8; n]; // 0 old buyer, 1 lead, 2 prospect, 3 churn, 4 new, 5 bad payer
    let mut k = 0;
    for (r, cnt) in [
        (1u8, n_lead),
        (2, n_prospect),
        (3, n_churn),
        (4, n_new),
        (5, n_bad),
    ] {
        for _ in 0..cnt {
            if k < n {
                role[order[k]] = r;
                k += 1;
            }
        }
    }

    // Value: lognormal quantiles in a random order, so the shape of the distribution (and thus the
    // 80/20 concentration) is the same for every seed; only who is big changes.
    let mut ranks: Vec<usize> = (0..n).collect();
    rng.shuffle(&mut ranks);
    // Bad payers are mid-sized or bigger customers who keep buying after they stop paying: a tiny
    // one would simply owe nothing. Swap each into the upper half (the value shape is unchanged).
    for c in 0..n {
        if role[c] == 5 && ranks[c] < n / 2 {
            let upper: Vec<usize> = (0..n)
                .filter(|&o| role[o] != 5 && ranks[o] >= n / 2 && ranks[o] < n * 19 / 20)
                .collect();
            if !upper.is_empty() {
                let o = upper[rng.below(upper.len() as u64) as usize];
                ranks.swap(c, o);
            }
        }
    }
    let value = |c: usize| {
        let q = (ranks[c] as f64 + 0.5) / n as f64;
        super::rng::exp(VALUE_SIGMA * norm_quantile(q))
    };

    let region_shares: Vec<f64> = REGIONS.iter().map(|r| r.share).collect();
    let industry_shares: Vec<f64> = INDUSTRIES.iter().map(|x| x.2).collect();
    let suffix_shares: Vec<f64> = SUFFIXES.iter().map(|x| x.2).collect();
    let mut names = std::collections::BTreeSet::new();
    let mut customers = Vec::with_capacity(n);
    let start = cal.start();
    let end = cal.end();
    #[allow(clippy::needless_range_loop)] // c indexes role and ranks (via `value`) alike
    for c in 0..n {
        let region = rng.weighted(&region_shares);
        let reg = &REGIONS[region];
        let (province, cities) = reg.provinces[rng.below(reg.provinces.len() as u64) as usize];
        let city = rng.pick(cities);
        let city_short = city.trim_end_matches('市');
        let person = rng.chance(0.05);
        let (name, short, industry, ownership, domain) = loop {
            if person {
                let (p, py) = person_name(&mut rng);
                if names.insert(p.clone()) {
                    break (
                        p.clone(),
                        p,
                        "其他",
                        "个人经营",
                        format!("{py}{}", rng.range(10, 99)),
                    );
                }
                continue;
            }
            let (trade, py) = rng.pick(TRADE_NAMES);
            let (industry, words, _) = INDUSTRIES[rng.weighted(&industry_shares)];
            let word = rng.pick(words);
            let (suffix, ownership, _) = SUFFIXES[rng.weighted(&suffix_shares)];
            let name = format!("{city_short}{trade}{word}{suffix}");
            if names.insert(name.clone()) {
                break (
                    name,
                    format!("{trade}{word}"),
                    industry,
                    ownership,
                    py.to_string(),
                );
            }
        };
        let (contact, cpy) = person_name(&mut rng);
        // A private customer is their own contact.
        let contact = if person { name.clone() } else { contact };
        let contact_title = if person {
            "老板"
        } else {
            rng.pick_w(CONTACT_TITLES)
        };
        let email = if person {
            format!("{domain}@163.com")
        } else {
            format!("{cpy}{}@{domain}.com.cn", rng.range(1, 99))
        };
        let address = format!(
            "{city}{}{}{}号",
            rng.pick(DISTRICTS),
            rng.pick(ROADS),
            rng.range(1, 999)
        );

        let r = role[c];
        let kind = match r {
            1 => Kind::Lead,
            2 => Kind::Prospect,
            _ => Kind::Buyer,
        };
        let last_idx = cal.months - 1;
        let (first, last) = match r {
            3 => {
                // Last order month at least 7 months before the end, so the last order is > 180 days old.
                let hi = last_idx.saturating_sub(7);
                let lo = 2.min(hi);
                (0, rng.range(lo as i64, hi as i64) as usize)
            }
            4 => (rng.range(1, last_idx as i64) as usize, last_idx),
            _ => (0, last_idx),
        };
        // Dates: old customers were on file before the data starts; new ones shortly before
        // their first order; leads and prospects during the last year.
        let created = match (kind, r) {
            (Kind::Buyer, 4) => cal.month_start(first) - Duration::days(rng.range(5, 60)),
            (Kind::Buyer, _) => {
                NaiveDate::from_ymd_opt(
                    rng.range((start.year() as i64 - 8).min(2016), start.year() as i64 - 1) as i32,
                    1,
                    1,
                )
                .unwrap_or(start)
                    + Duration::days(rng.range(0, 364))
            }
            _ => end - Duration::days(rng.range(10, 360.min((end - start).num_days()).max(11))),
        };
        let first_contact = created - Duration::days(rng.range(0, 45));

        let owners = staff_for(&staff, region, created.max(start));
        let owner = owners[rng.below(owners.len() as u64) as usize];
        let value = value(c);
        let freq = super::rng::exp(FREQ_EXP * super::rng::ln(value));
        let line_amt = 9_000.0 * super::rng::exp((1.0 - FREQ_EXP) * super::rng::ln(value));
        let co_owner = if value > 2.0 || rng.chance(0.15) {
            let others: Vec<usize> = (0..staff.len()).filter(|&s| s != owner).collect();
            (!others.is_empty()).then(|| others[rng.below(others.len() as u64) as usize])
        } else {
            None
        };

        // Favourite products: those whose list price is not far above a typical line.
        let affordable: Vec<usize> = (0..products.len())
            .filter(|&p| {
                let price: f64 = products[p].price.try_into().unwrap_or(f64::MAX);
                price <= line_amt * 0.8
            })
            .collect();
        let pool = if affordable.len() >= 3 {
            affordable
        } else {
            (0..products.len()).collect()
        };
        let mut favs = Vec::new();
        let want = rng.range(2, 6) as usize;
        // Most customers buy within one or two categories.
        let home_cat = products[pool[rng.below(pool.len() as u64) as usize]].category;
        for _ in 0..want * 3 {
            if favs.len() >= want {
                break;
            }
            let p = pool[rng.below(pool.len() as u64) as usize];
            if !favs.contains(&p) && (products[p].category == home_cat || rng.chance(0.3)) {
                favs.push(p);
            }
        }
        if favs.is_empty() {
            favs.push(pool[0]);
        }

        let pay = match r {
            5 => Pay::Bad { lag: 1, stop: 0 }, // stop month set below
            _ if rng.chance(0.2) => Pay::Slow {
                lag: rng.range(1, 2) as usize,
                frac: 0.55 + rng.unit() * 0.3,
            },
            _ => Pay::Good {
                lag: rng.pick_w(&[(0usize, 0.1), (1, 0.55), (2, 0.35)]),
            },
        };
        let (credit_days, payment_terms) = match pay {
            Pay::Good { lag: 0 } => (0, rng.pick(&["现款现货", "款到发货"])),
            Pay::Good { lag: 1 } => (30, "月结30天"),
            Pay::Slow { .. } if rng.chance(0.3) => (60, "期票/承兑"),
            _ => (60, "月结60天"),
        };
        let note_share = if rng.chance(0.2) {
            0.4 + rng.unit() * 0.5
        } else {
            rng.unit() * 0.08
        };
        // Opening balances are sized once the monthly line budget is known (below).
        let opening_ar = (kind == Kind::Buyer
            && first == 0
            && created < start
            && !matches!(pay, Pay::Good { lag: 0 }))
        .then_some(Decimal::ZERO);

        let source = rng.pick_w(CUSTOMER_SOURCES);
        customers.push(Customer {
            id: String::new(),
            name,
            short,
            person,
            industry,
            ownership,
            region,
            province,
            city,
            address,
            contact,
            contact_title,
            phone: phone(&mut rng),
            email,
            im: rng
                .chance(0.4)
                .then(|| format!("wx{}", rng.range(10_000_000, 99_999_999))),
            needs: rng.pick(NEEDS),
            first_contact,
            created,
            owner,
            co_owner,
            source,
            referrer: None,
            source_activity: None,
            channel: if person {
                "直销"
            } else {
                rng.pick_w(CHANNELS)
            },
            kind,
            first,
            last,
            freq,
            line_amt,
            favs,
            price_factor: 0.95 + rng.unit() * 0.07,
            pay,
            note_share,
            credit_days,
            payment_terms,
            opening_ar,
        });
    }

    // Bad payers stop paying 9, 5, 9, 5 … months before the end: > 180 and > 90 days overdue.
    let mut nth = 0;
    for c in customers.iter_mut() {
        if let Pay::Bad { lag, .. } = c.pay {
            let back = if nth % 2 == 0 { 9 } else { 5 };
            c.pay = Pay::Bad {
                lag,
                stop: cal.months.saturating_sub(back),
            };
            nth += 1;
        }
    }
    // Referrals point at a buyer already on file at the time; activity sources name an activity
    // of the year the customer was found.
    let mut buyers_by_date: Vec<(NaiveDate, usize)> = (0..customers.len())
        .filter(|&r| customers[r].kind == Kind::Buyer)
        .map(|r| (customers[r].created, r))
        .collect();
    buyers_by_date.sort();
    #[allow(clippy::needless_range_loop)] // customers[c] is read and written in the same pass
    for c in 0..customers.len() {
        if customers[c].source == "转介绍" {
            let before = buyers_by_date.partition_point(|x| x.0 < customers[c].created);
            if before > 0 {
                customers[c].referrer = Some(buyers_by_date[rng.below(before as u64) as usize].1);
            }
        }
        if customers[c].source == "市场活动" || customers[c].source == "展会" {
            let event = if customers[c].source == "展会" {
                rng.pick(&["工业博览会", "五金机电展", "包装材料展"])
            } else {
                rng.pick(SOURCE_ACTIVITIES)
            };
            customers[c].source_activity = Some(format!("{}{event}", customers[c].created.year()));
        }
    }

    // 客户编号 per R05: abbr + year of 建档 + 3-digit serial per year (4 digits past 999), given
    // in 建档 order so the serials read like a real register.
    let mut by_created: Vec<usize> = (0..customers.len()).collect();
    by_created.sort_by_key(|&c| (customers[c].created, c));
    let mut serial: std::collections::BTreeMap<i32, u32> = Default::default();
    for c in by_created {
        let y = customers[c].created.year();
        let s = serial.entry(y).or_insert(0);
        *s += 1;
        customers[c].id = format!("{abbr}{y}{:03}", *s);
    }

    let lines_per_month = allocate_lines(&cal, &customers, total_lines);

    // 期初应收: what was still unpaid at the start, about (lag + ½) months of the customer's
    // expected sales in the first month, so the first receipts clear it like any other debt.
    let freq0: f64 = customers
        .iter()
        .filter(|c| c.buys_in(0))
        .map(|c| c.freq)
        .sum();
    let lines0 = lines_per_month.first().copied().unwrap_or(0) as f64;
    for c in customers.iter_mut() {
        if c.opening_ar.is_some() && freq0 > 0.0 {
            let monthly = lines0 * c.freq / freq0 * c.line_amt;
            let months_owed = pay_lag(c.pay) as f64 + 0.5;
            let amount = money(monthly * months_owed * (0.6 + 0.6 * rng.unit()));
            c.opening_ar = (amount > Decimal::ZERO).then_some(amount);
        }
    }
    Plan {
        cal,
        staff,
        products,
        customers,
        lines_per_month,
    }
}

pub fn pay_lag(p: Pay) -> usize {
    match p {
        Pay::Good { lag } | Pay::Slow { lag, .. } | Pay::Bad { lag, .. } => lag,
    }
}

/// Demand weight of month i: buyers active that month × seasonality × 8% yearly growth.
pub fn month_weight(cal: &Calendar, customers: &[Customer], i: usize) -> f64 {
    let (_, m) = cal.ym(i);
    let growth = 1.0 + 0.08 * (i as f64 / 12.0);
    let active: f64 = customers
        .iter()
        .filter(|c| c.buys_in(i))
        .map(|c| c.freq)
        .sum();
    active * season(m) * growth
}

/// Split the requested total of lines over the months (largest remainder), so the total is exact.
fn allocate_lines(cal: &Calendar, customers: &[Customer], total: u64) -> Vec<u64> {
    let w: Vec<f64> = (0..cal.months)
        .map(|i| month_weight(cal, customers, i))
        .collect();
    let sum: f64 = w.iter().sum();
    if sum <= 0.0 {
        return vec![0; cal.months];
    }
    let exact: Vec<f64> = w.iter().map(|x| x / sum * total as f64).collect();
    let mut out: Vec<u64> = exact.iter().map(|x| x.floor() as u64).collect();
    let mut rest = total.saturating_sub(out.iter().sum());
    let mut order: Vec<usize> = (0..cal.months).collect();
    order.sort_by(|&a, &b| {
        let fa = exact[a] - exact[a].floor();
        let fb = exact[b] - exact[b].floor();
        fb.partial_cmp(&fa)
            .unwrap_or(std::cmp::Ordering::Equal)
            .then(a.cmp(&b))
    });
    for &i in order.iter().cycle().take(cal.months * 2) {
        if rest == 0 {
            break;
        }
        out[i] += 1;
        rest -= 1;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calendar_ends_on_the_fixed_month() {
        let cal = Calendar::new(24);
        assert_eq!(cal.start(), NaiveDate::from_ymd_opt(2024, 11, 1).unwrap());
        assert_eq!(cal.end(), NaiveDate::from_ymd_opt(2026, 10, 31).unwrap());
        assert_eq!(
            cal.month_end(3),
            NaiveDate::from_ymd_opt(2025, 2, 28).unwrap()
        );
        assert_eq!(
            cal.index_of(NaiveDate::from_ymd_opt(2025, 10, 9).unwrap()),
            Some(11)
        );
        assert_eq!(
            cal.index_of(NaiveDate::from_ymd_opt(2026, 11, 1).unwrap()),
            None
        );
        assert_eq!(cal.tag(0), "202411");
        let one = Calendar::new(1);
        assert_eq!(one.start(), NaiveDate::from_ymd_opt(2026, 10, 1).unwrap());
    }

    #[test]
    fn plan_has_exact_line_total_and_r05_ids() {
        let p = build(7, 300, 24, 7_200, "SLSM");
        assert_eq!(p.lines_per_month.iter().sum::<u64>(), 7_200);
        assert_eq!(p.staff.len(), 15);
        assert_eq!(p.staff.iter().filter(|s| s.leave.is_some()).count(), 2);
        let mut ids: Vec<&str> = p.customers.iter().map(|c| c.id.as_str()).collect();
        for id in &ids {
            assert!(id.starts_with("SLSM") && id.len() == 11, "{id}");
            assert!(id[4..].bytes().all(|b| b.is_ascii_digit()), "{id}");
        }
        ids.sort();
        ids.dedup();
        assert_eq!(ids.len(), 300, "客户编号 unique");
        // February (trough) gets fewer lines than December (peak) of the same year.
        let cal = p.cal;
        let feb = (0..24).find(|&i| cal.ym(i) == (2025, 2)).unwrap();
        let dec = (0..24).find(|&i| cal.ym(i) == (2025, 12)).unwrap();
        assert!(p.lines_per_month[feb] * 2 < p.lines_per_month[dec]);
    }

    #[test]
    fn money_is_exact_fen() {
        assert_eq!(money(1234.566).to_string(), "1234.57");
        assert_eq!(money(f64::NAN), Decimal::ZERO);
    }
}
