//! Credit family (DOMAIN §2.5 M59–M63, M66): credit score from the latest 客户信用调查表, 信用等级,
//! 付款方式选择, 赊销限额, 是否担保, the grade distribution, and 危险客户 with their flags D1–D6.
//!
//! Every rule here is PROPOSED by DOMAIN (the seed prints only blank cells); the grade bands, limit
//! factors, default 信用期 and danger thresholds come from `cfg`, the point table is M59's.

use super::complaints::{month_end_instant, open_at};
use super::receivables::{
    self, ageing, balance, over_limit, CustomerIndex, Ledger, Ledgers, LimitSource,
    SHEET_CUSTOMERS, SHEET_RECEIPTS, SHEET_SALES,
};
use super::{missing_table, ratio, Column, Ctx, Kind, Month, Table, Value};
use crate::config::Config;
use crate::error::Msg;
use crate::model::CreditSurvey;
use chrono::{Days, NaiveDate};
use rust_decimal::Decimal;
use std::collections::{BTreeMap, BTreeSet};

use super::HashMap;

pub const SHEET_SURVEYS: &str = "信用调查";
pub const SHEET_INTERACTIONS: &str = "客户互动记录";
pub const SHEET_COMPLAINTS: &str = "投诉记录";

/// 信用等级 of a customer that cannot be rated (M59: ≥ 4 survey items missing, or no data at all).
pub const UNRATED: &str = "未评定";

/// M59 point tables per enumerated survey item: the configured tables (`credit.points`), each
/// item falling back to the DOMAIN default when kebiao.yaml does not name it.
pub type Points = BTreeMap<String, BTreeMap<String, i64>>;

pub fn points_table(cfg: &Config) -> Points {
    let mut p = crate::config::Credit::default().points;
    for (item, answers) in &cfg.credit.points {
        p.insert(item.clone(), answers.clone());
    }
    p
}

/// Points of an enumerated answer; an unknown or blank answer is missing (资料不全).
fn lookup(points: &Points, item: &str, answer: Option<&str>) -> Option<i64> {
    points.get(item)?.get(answer?.trim()).copied()
}

/// 资本额(元): ≥5,000,000 10 · ≥1,000,000 8 · ≥500,000 6 · ≥100,000 4 · >0 2 (0 scores 0).
pub fn capital_points(capital: Decimal) -> i64 {
    const BANDS: [(i64, i64); 4] = [(5_000_000, 10), (1_000_000, 8), (500_000, 6), (100_000, 4)];
    BANDS
        .iter()
        .find(|(min, _)| capital >= Decimal::from(*min))
        .map_or(if capital > Decimal::ZERO { 2 } else { 0 }, |(_, p)| *p)
}

/// 往来年限 in whole years: ≥5 10 · ≥3 8 · ≥1 5 · <1 2.
pub fn years_points(years: u32) -> i64 {
    match years {
        5.. => 10,
        3..=4 => 8,
        1..=2 => 5,
        0 => 2,
    }
}

/// The 付款记录 item (T12M from data), the one item not taken from the survey.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PaymentRecord {
    /// No AR older than 90 days at any month end of T12M: 5.
    Clean,
    /// Some AR older than 90 days: 0.
    Late,
    /// The customer never bought: 3.
    NoHistory,
    /// The sales or receipts sheet is missing: 0, noted.
    Unknown,
}

/// Age beyond which AR spoils the 付款记录 item (M59).
pub const RECORD_MAX_AGE_DAYS: i64 = 90;

/// M59's 付款记录 from a customer's ledger: at each of the 12 month ends of T12M, is any open
/// amount older than 90 days?
pub fn payment_record(items: &[receivables::ArItem], month: Month) -> PaymentRecord {
    let end = month.last_day();
    if !items
        .iter()
        .any(|i| i.date <= end && i.kind != receivables::ArKind::Receipt)
    {
        return PaymentRecord::NoHistory;
    }
    let late = if items.is_sorted_by_key(|i| i.date) {
        late_at_a_month_end(items, month)
    } else {
        (0..12).any(|k| {
            let at = month.plus(-k).last_day();
            ageing(items, at, i64::MAX)
                .oldest_days
                .is_some_and(|d| d > RECORD_MAX_AGE_DAYS)
        })
    };
    if late {
        PaymentRecord::Late
    } else {
        PaymentRecord::Clean
    }
}

/// [`payment_record`]'s question for a ledger sorted by date, in one pass instead of an ageing per
/// month end: under FIFO the oldest open amount at a date is the first shipment whose running
/// total exceeds the credit received by then, and both only grow with the date, so one pointer
/// walks the shipments once for all twelve month ends.
fn late_at_a_month_end(items: &[receivables::ArItem], month: Month) -> bool {
    let (mut credit, mut debited) = (Decimal::ZERO, Decimal::ZERO);
    // (date, running total of debits up to and including it)
    let mut debits: Vec<(NaiveDate, Decimal)> = Vec::new();
    let (mut next, mut oldest) = (0, 0);
    for k in (0..12).rev() {
        let at = month.plus(-k).last_day();
        while let Some(i) = items.get(next).filter(|i| i.date <= at) {
            let s = i.signed();
            if s < Decimal::ZERO {
                credit -= s;
            } else if s > Decimal::ZERO {
                debited += s;
                debits.push((i.date, debited));
            }
            next += 1;
        }
        while debits
            .get(oldest)
            .is_some_and(|(_, total)| *total <= credit)
        {
            oldest += 1;
        }
        if debits
            .get(oldest)
            .is_some_and(|(d, _)| (at - *d).num_days() > RECORD_MAX_AGE_DAYS)
        {
            return true;
        }
    }
    false
}

/// One scored item: its label and its points, None when missing.
pub type Item = (&'static str, Option<i64>);

/// M59 result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Score {
    pub points: i64,
    pub items: Vec<Item>,
    /// Survey items that were blank or unreadable (资料不全); 付款记录 is not a survey item.
    pub missing: Vec<&'static str>,
}

impl Score {
    /// M59: "If ≥ 4 survey items are missing, the grade is 未评定".
    pub fn rated(&self) -> bool {
        self.missing.len() < 4
    }
}

/// M59 信用评分 of one survey. Personal items (性格, 嗜好 …) are not scored.
pub fn score(s: &CreditSurvey, record: PaymentRecord, points: &Points) -> Score {
    let years = s.first_trade_date.map(|first| {
        // A first trade after the survey date is a typing error; it counts as < 1 year.
        s.survey_date.years_since(first).unwrap_or(0)
    });
    let survey_items: Vec<Item> = vec![
        (
            "付款态度",
            lookup(points, "付款态度", s.pay_attitude.as_deref()),
        ),
        (
            "银行信用",
            lookup(points, "银行信用", s.bank_credit.as_deref()),
        ),
        (
            "同业者评价",
            lookup(points, "同业者评价", s.peer_rating.as_deref()),
        ),
        (
            "近邻评价",
            lookup(points, "近邻评价", s.neighbour_rating.as_deref()),
        ),
        (
            "账务体系",
            lookup(points, "账务体系", s.bookkeeping.as_deref()),
        ),
        ("资本额", s.capital.map(capital_points)),
        ("往来年限", years.map(years_points)),
        (
            "业务趋势",
            lookup(points, "业务趋势", s.business_trend.as_deref()),
        ),
        ("场所", lookup(points, "场所", s.premises_area.as_deref())),
        (
            "场所产权",
            lookup(points, "场所产权", s.premises_tenure.as_deref()),
        ),
    ];
    let missing = survey_items
        .iter()
        .filter(|(_, p)| p.is_none())
        .map(|(k, _)| *k)
        .collect();
    let mut items = survey_items;
    items.push((
        "付款记录",
        match record {
            PaymentRecord::Clean => Some(5),
            PaymentRecord::Late => Some(0),
            PaymentRecord::NoHistory => Some(3),
            PaymentRecord::Unknown => None,
        },
    ));
    Score {
        points: items.iter().filter_map(|(_, p)| *p).sum(),
        items,
        missing,
    }
}

/// M60 信用等级: the highest band of `bands` whose lower bound the score reaches.
pub fn grade_of(points: i64, bands: &BTreeMap<String, i64>) -> String {
    let mut b: Vec<(&String, &i64)> = bands.iter().collect();
    b.sort_by(|x, y| y.1.cmp(x.1));
    b.into_iter()
        .find(|(_, min)| points >= **min)
        .map_or_else(|| UNRATED.to_string(), |(g, _)| g.clone())
}

/// M61 付款方式选择.
pub fn payment_terms(grade: &str) -> &'static str {
    match grade {
        "AAA" | "AA" => "赊销 月结60天",
        "A" => "赊销 月结30天",
        "B" => "赊销 月结30天(须担保) 或 款到发货",
        "C" => "现款现货 / 款到发货",
        _ => "—",
    }
}

/// floor_to_1000 of M62; a negative amount gives no credit at all.
pub fn floor_1000(x: Decimal) -> Decimal {
    if x <= Decimal::ZERO {
        return Decimal::ZERO;
    }
    let k = Decimal::from(1000);
    (x / k).floor() * k
}

/// M62 赊销限额 = floor_to_1000(月均采购额 × 信用期天数 / 30 × 系数).
pub fn credit_limit(monthly: Decimal, credit_days: i64, factor: Decimal) -> Decimal {
    floor_1000(monthly * Decimal::from(credit_days) / Decimal::from(30) * factor)
}

/// M62 月均采购额 of an existing customer: T12M 实销额 / 12, or / months since the first order
/// when the history is shorter.
pub fn monthly_avg_existing(t12m_sales: Decimal, months_of_history: i64) -> Decimal {
    t12m_sales / Decimal::from(months_of_history.clamp(1, 12))
}

/// M62 月均采购额 of a new customer from the survey's 旺季 span and amounts; the mean of the two
/// amounts when the span is unknown. None when an amount is missing.
pub fn monthly_avg_new(
    peak: Option<Decimal>,
    off: Option<Decimal>,
    from: Option<i64>,
    to: Option<i64>,
) -> Option<Decimal> {
    let (peak, off) = (peak?, off?);
    let months = |m: Option<i64>| m.filter(|m| (1..=12).contains(m));
    Some(match (months(from), months(to)) {
        (Some(f), Some(t)) => {
            // The span may wrap the year end (11月~2月 = 4 months).
            let n = (t - f).rem_euclid(12) + 1;
            (peak * Decimal::from(n) + off * Decimal::from(12 - n)) / Decimal::from(12)
        }
        _ => (peak + off) / Decimal::from(2),
    })
}

/// M63 是否担保: 是 for grade B, a manual limit above the computed one, or a blank 资本额.
pub fn needs_guarantee(
    grade: &str,
    manual: Option<Decimal>,
    computed: Option<Decimal>,
    capital: Option<Decimal>,
) -> bool {
    grade == "B" || matches!((manual, computed), (Some(m), Some(c)) if m > c) || capital.is_none()
}

/// Where a customer's grade came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum GradeSource {
    /// Scored from the latest 信用调查 (M59/M60).
    Survey,
    /// Typed in 客户信息表 (no survey).
    Sheet,
    None,
}

/// One customer's credit assessment at the report month.
#[derive(Debug, Clone, PartialEq)]
pub struct Assessment<'a> {
    pub key: String,
    pub name: String,
    pub owner: String,
    pub survey: Option<&'a CreditSurvey>,
    pub score: Option<Score>,
    pub grade: String,
    pub source: GradeSource,
    pub credit_days: i64,
    pub monthly_avg: Option<Decimal>,
    pub computed_limit: Option<Decimal>,
    pub manual_limit: Option<Decimal>,
    pub guarantee: Option<bool>,
    /// Survey older than 12 months at month end: due for re-rating (PROPOSED, §4.1 section 7).
    pub stale: bool,
    pub remarks: Vec<String>,
}

impl Assessment<'_> {
    /// The limit in force: a manual value in 客户信息表 wins (M62).
    pub fn limit(&self) -> Option<(Decimal, LimitSource)> {
        self.manual_limit
            .map(|m| (m, LimitSource::Manual))
            .or(self.computed_limit.map(|c| (c, LimitSource::Computed)))
    }
}

/// First order date and T12M 实销额 per customer key, from the first orders and the shared
/// 实销额 entries: customers whose first order is after the month are not in it.
fn purchase_history(ctx: &Ctx, idx: &CustomerIndex) -> HashMap<String, (NaiveDate, Decimal)> {
    let end = ctx.month.last_day();
    let start = ctx.month.plus(-11).first_day();
    let first = ctx.first_orders();
    let mut out: HashMap<&str, (NaiveDate, Decimal)> = first
        .iter()
        .filter(|(_, d)| **d <= end)
        .map(|(k, d)| (k.as_str(), (*d, Decimal::ZERO)))
        .collect();
    // [start, end] is the T12M window: its 实销额 per entry customer is shared with the grading.
    // When every customer key gathers the entries of one entry customer only (the usual case),
    // its sum is that customer's, added in the same order (0 + x is x to the last digit of
    // scale). Otherwise the entries are summed under the resolved keys one by one.
    let w = super::grading::Window {
        from: start,
        to: end,
    };
    let net = ctx.net_by_customer(w);
    let mut raw_of: HashMap<&str, &str> = HashMap::default();
    let one_to_one = net
        .keys()
        .all(|raw| raw_of.insert(idx.key_ref(Some(raw), None), raw).is_none());
    if one_to_one {
        for (raw, v) in net.iter() {
            if let Some(h) = out.get_mut(idx.key_ref(Some(raw), None)) {
                h.1 += *v;
            }
        }
    } else {
        for e in ctx.entries_in(w) {
            if let Some(h) = out.get_mut(idx.key_ref(Some(&e.customer_id), None)) {
                h.1 += e.amount;
            }
        }
    }
    out.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Months from `first`'s month to `month`, both counted.
fn months_since(first: NaiveDate, month: Month) -> i64 {
    let f = Month::of(first);
    i64::from(month.year - f.year) * 12 + i64::from(month.month) - i64::from(f.month) + 1
}

/// M59–M63 for every customer of 客户信息表 and every surveyed customer.
pub fn assess<'a>(ctx: &Ctx<'a>, l: &Ledgers) -> BTreeMap<String, Assessment<'a>> {
    let customers = ctx.ds.customers.as_deref().unwrap_or(&[]);
    let idx = ctx.customer_index();
    let end = ctx.month.last_day();
    let history = purchase_history(ctx, &idx);
    let ar_known = ctx.ds.sales.is_some() && ctx.ds.receipts.is_some();
    let points = points_table(ctx.cfg);

    let mut latest: BTreeMap<String, &CreditSurvey> = BTreeMap::new();
    for s in ctx.ds.credit_surveys.as_deref().unwrap_or(&[]) {
        if s.survey_date > end {
            continue;
        }
        let key = idx.key(s.customer_id.as_deref(), s.customer_name.as_deref());
        let e = latest.entry(key).or_insert(s);
        // Later survey wins; on the same day the later row (a correction) wins.
        if s.survey_date >= e.survey_date {
            *e = s;
        }
    }
    let keys: BTreeSet<String> = customers
        .iter()
        .map(|c| c.customer_id.trim().to_string())
        .chain(latest.keys().cloned())
        .collect();

    // In key order (the keys come sorted): collected into the map at once, not inserted one by one.
    let mut out: Vec<(String, Assessment<'a>)> = Vec::with_capacity(keys.len());
    // The ledgers come in key order as the keys do: walked alongside, not looked up by string.
    let mut ledgers = l.by_customer.iter().peekable();
    for key in keys {
        let cust = idx.get(&key);
        while ledgers
            .peek()
            .is_some_and(|(k, _)| k.as_str() < key.as_str())
        {
            ledgers.next();
        }
        let ledger: Option<&Ledger> = ledgers
            .peek()
            .filter(|(k, _)| k.as_str() == key.as_str())
            .map(|(_, v)| *v);
        let credit_days = cust
            .and_then(|c| c.credit_days)
            .unwrap_or(ctx.cfg.credit.default_days);
        let survey = latest.get(&key).copied();
        let mut remarks = Vec::new();
        let (score, grade, source) = match survey {
            Some(s) => {
                let record = if !ar_known {
                    PaymentRecord::Unknown
                } else {
                    ledger.map_or(PaymentRecord::NoHistory, |led| {
                        payment_record(&led.items, ctx.month)
                    })
                };
                let sc = score(s, record, &points);
                if !sc.missing.is_empty() {
                    remarks.push(format!("资料不全: {}", sc.missing.join("、")));
                }
                if record == PaymentRecord::Unknown {
                    remarks.push("付款记录未评分 (缺少销售明细或收款记录)".into());
                }
                let grade = if sc.rated() {
                    grade_of(sc.points, &ctx.cfg.credit.grade_bands)
                } else {
                    UNRATED.to_string()
                };
                (Some(sc), grade, GradeSource::Survey)
            }
            None => match cust.and_then(|c| c.credit_grade.clone()) {
                Some(g) => (None, g, GradeSource::Sheet),
                None => (None, UNRATED.to_string(), GradeSource::None),
            },
        };
        let monthly_avg = match history.get(&key) {
            Some((first, t12m)) => {
                Some(monthly_avg_existing(*t12m, months_since(*first, ctx.month)))
            }
            None => {
                let m = survey.and_then(|s| {
                    monthly_avg_new(
                        s.peak_monthly_amt,
                        s.off_monthly_amt,
                        s.peak_from,
                        s.peak_to,
                    )
                });
                if m.is_some() {
                    remarks.push("新客户: 月均采购额按旺季/淡季金额估算".into());
                }
                m
            }
        };
        let computed_limit = ctx
            .cfg
            .credit
            .limit_factor
            .get(&grade)
            .zip(monthly_avg)
            .map(|(f, m)| credit_limit(m, credit_days, *f));
        let manual_limit = cust.and_then(|c| c.credit_limit);
        let guarantee = survey
            .filter(|_| grade != UNRATED)
            .map(|s| needs_guarantee(&grade, manual_limit, computed_limit, s.capital));
        let stale = survey.is_some_and(|s| {
            s.survey_date
                .checked_add_months(chrono::Months::new(12))
                .is_some_and(|due| due < end)
        });
        if stale {
            remarks.push("调查已超过12个月, 需重新评定".into());
        }
        out.push((
            key.clone(),
            Assessment {
                name: idx.name(&key),
                owner: idx.owner(&key),
                survey,
                score,
                grade,
                source,
                credit_days,
                monthly_avg,
                computed_limit,
                manual_limit,
                guarantee,
                stale,
                remarks,
                key,
            },
        ));
    }
    out.into_iter().collect()
}

/// Each customer's 赊销限额 in force and where it comes from (used by receivables M65).
pub fn limits_in_force(ctx: &Ctx) -> BTreeMap<String, (Decimal, LimitSource)> {
    ctx.assessments()
        .iter()
        .filter_map(|(k, a)| a.limit().map(|x| (k.clone(), x)))
        .collect()
}

/// Grade rows in reading order: the configured bands best first, then 未评定, then any other label
/// typed in 客户信息表.
fn grade_order(cfg: &Config, seen: impl Iterator<Item = String>) -> Vec<String> {
    let mut bands: Vec<(&String, &i64)> = cfg.credit.grade_bands.iter().collect();
    bands.sort_by(|x, y| y.1.cmp(x.1));
    let mut out: Vec<String> = bands.into_iter().map(|(g, _)| g.clone()).collect();
    out.push(UNRATED.into());
    let extra: BTreeSet<String> = seen.filter(|g| !out.contains(g)).collect();
    out.extend(extra);
    out
}

/// 信用等级 distribution: customers, share, AR per grade.
pub fn grade_table(ctx: &Ctx, a: &BTreeMap<String, Assessment>, l: &Ledgers) -> Table {
    let end = ctx.month.last_day();
    let order = grade_order(ctx.cfg, a.values().map(|x| x.grade.clone()));
    let n_all = a.len() as i64;
    let mut rows = Vec::new();
    let (mut t_n, mut t_sv, mut t_ar) = (0i64, 0i64, Decimal::ZERO);
    for g in order {
        let in_grade: Vec<&Assessment> = a.values().filter(|x| x.grade == g).collect();
        let n = in_grade.len() as i64;
        let by_survey = in_grade
            .iter()
            .filter(|x| x.source == GradeSource::Survey)
            .count() as i64;
        let ar: Decimal = in_grade
            .iter()
            .filter_map(|x| l.by_customer.get(&x.key))
            .map(|led| balance(&led.items, end))
            .sum();
        t_n += n;
        t_sv += by_survey;
        t_ar += ar;
        rows.push(vec![
            Value::Text(g),
            Value::Int(n),
            ratio(Decimal::from(n), Decimal::from(n_all)),
            Value::Int(by_survey),
            Value::Money(ar),
        ]);
    }
    let mut notes = vec![Msg::new(
        "信用等级按最近一次信用调查评分 (M59/M60); 无调查的客户取客户信息表的信用等级; 资料缺 4 项及以上为未评定",
        "Credit grade from the latest credit survey (M59/M60); customers without one take the grade typed in the customer sheet; 4 or more missing items → unrated",
    )];
    if ctx.ds.credit_surveys.is_none() {
        notes.push(Msg::new(
            format!("缺少数据: {SHEET_SURVEYS}"),
            format!("Missing {SHEET_SURVEYS}"),
        ));
    }
    Table {
        id: "credit-grades".into(),
        title: Msg::new(
            format!("{} 客户信用等级分布", ctx.month.zh()),
            format!("Credit grade distribution, {}", ctx.month),
        ),
        columns: vec![
            Column::new("grade", "信用等级", "Credit grade", Kind::Text),
            Column::new("customers", "客户数", "Customers", Kind::Int),
            Column::new("share", "占比", "Share", Kind::Percent),
            Column::new("by_survey", "其中按调查评定", "Rated by survey", Kind::Int),
            Column::new("ar", "应收余额", "AR", Kind::Money),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Int(t_n),
            ratio(Decimal::from(t_n), Decimal::from(n_all)),
            Value::Int(t_sv),
            Value::Money(t_ar),
        ]),
        notes,
    }
}

/// 客户信用等级一览表: one row per customer with a survey or a typed grade.
pub fn ratings_table(ctx: &Ctx, a: &BTreeMap<String, Assessment>) -> Table {
    let rows = a
        .values()
        .filter(|x| x.source != GradeSource::None)
        .map(|x| {
            let mut remarks = x.remarks.clone();
            if x.manual_limit.is_some() {
                remarks.insert(0, "采用客户信息表限额".into());
            }
            vec![
                Value::Text(x.name.clone()),
                x.survey
                    .map_or(Value::Empty, |s| Value::Date(s.survey_date)),
                x.score
                    .as_ref()
                    .map_or(Value::Empty, |s| Value::Int(s.points)),
                Value::Text(x.grade.clone()),
                Value::Text(payment_terms(&x.grade).into()),
                Value::Int(x.credit_days),
                x.monthly_avg.map_or(Value::Empty, Value::Money),
                x.computed_limit.map_or(Value::Empty, Value::Money),
                x.limit().map_or(Value::Empty, |(l, _)| Value::Money(l)),
                x.guarantee.map_or(Value::Empty, |g| {
                    Value::Text(if g { "是" } else { "否" }.into())
                }),
                Value::Text(remarks.join("; ")),
            ]
        })
        .collect();
    let mut notes = vec![Msg::new(
        "赊销限额 = 月均采购额 × 信用期天数 / 30 × 系数, 取整到千元 (M62); 客户信息表中的限额优先; 担保: B 级、手工限额高于计算限额或资本额空白 (M63)",
        "Credit limit = monthly purchases × credit days / 30 × factor, floored to 1,000 (M62); a limit typed in the customer sheet wins; guarantee for grade B, a manual limit above the computed one, or blank capital (M63)",
    )];
    if ctx.ds.credit_surveys.is_none() {
        notes.push(Msg::new(
            format!("缺少数据: {SHEET_SURVEYS}, 仅列客户信息表中的信用等级"),
            format!("Missing {SHEET_SURVEYS}: only the grades typed in the customer sheet"),
        ));
    }
    Table {
        id: "credit-ratings".into(),
        title: Msg::new(
            format!("{} 客户信用等级一览表", ctx.month.zh()),
            format!("Customer credit ratings, {}", ctx.month),
        ),
        columns: vec![
            Column::new("customer", "客户名称", "Customer", Kind::Text),
            Column::new("survey_date", "调查日期", "Survey date", Kind::Date),
            Column::new("score", "信用评分", "Score", Kind::Int),
            Column::new("grade", "信用等级", "Grade", Kind::Text),
            Column::new("terms", "付款方式", "Payment terms", Kind::Text),
            Column::new("credit_days", "信用期(天)", "Credit days", Kind::Int),
            Column::new("monthly", "月均采购额", "Monthly purchases", Kind::Money),
            Column::new("computed", "计算限额", "Computed limit", Kind::Money),
            Column::new("limit", "采用限额", "Limit in force", Kind::Money),
            Column::new("guarantee", "是否担保", "Guarantee", Kind::Text),
            Column::new("remark", "备注", "Remarks", Kind::Text),
        ],
        rows,
        totals: None,
        notes,
    }
}

/// Labels of the M66 flags.
pub const FLAGS: [(&str, &str); 6] = [
    ("D1 逾期", "D1 overdue"),
    ("D2 超限额", "D2 over limit"),
    ("D3 信用差", "D3 poor credit"),
    ("D4 票据拒付", "D4 note dishonoured"),
    ("D5 信用异动", "D5 credit alert"),
    ("D6 纠纷", "D6 dispute"),
];

/// A 危险客户 (M66).
#[derive(Debug, Clone, PartialEq)]
pub struct Danger {
    pub key: String,
    pub name: String,
    pub owner: String,
    pub ar: Decimal,
    pub oldest_days: Option<i64>,
    pub flags: [bool; 6],
    /// Why each raised flag was raised, in flag order.
    pub reasons: Vec<String>,
    pub high: bool,
}

/// M66 危险等级: 高 if D4, or D1 with an age beyond `high_days`, or ≥ 3 flags; else 中.
pub fn is_high(flags: &[bool; 6], oldest_days: Option<i64>, high_days: i64) -> bool {
    flags[3]
        || (flags[0] && oldest_days.is_some_and(|d| d > high_days))
        || flags.iter().filter(|f| **f).count() >= 3
}

/// M66 sort: 高 first, then AR descending (then by customer, for a stable list).
pub fn sort_dangers(list: &mut [Danger]) {
    list.sort_by(|a, b| {
        b.high
            .cmp(&a.high)
            .then(b.ar.cmp(&a.ar))
            .then(a.key.cmp(&b.key))
    });
}

/// M66 over every customer: flags D1–D6 and the reasons. Flags whose sheet is missing are not
/// raised (the table's notes say which).
pub fn dangers(ctx: &Ctx, l: &Ledgers, a: &BTreeMap<String, Assessment>) -> Vec<Danger> {
    dangers_with(ctx, l, a, None)
}

/// [`dangers`] with the ledgers' ageings at the month end ([`receivables::ageings`]) when known.
pub fn dangers_with(
    ctx: &Ctx,
    l: &Ledgers,
    a: &BTreeMap<String, Assessment>,
    ages: Option<&[receivables::Ageing]>,
) -> Vec<Danger> {
    let cfg = ctx.cfg;
    let idx = ctx.customer_index();
    let end = ctx.month.last_day();
    let ar_known = ctx.ds.sales.is_some() && ctx.ds.receipts.is_some();
    let mut reasons: BTreeMap<String, [Option<String>; 6]> = BTreeMap::new();
    let mut raise = |key: String, flag: usize, why: String| {
        let r = reasons.entry(key).or_default();
        if r[flag].is_none() {
            r[flag] = Some(why);
        }
    };

    // D1, D2 from AR. D1's margin over the 信用期 is `danger.overdue_days` − `credit.default_days`
    // (90 − 60 = the +30 days of M66), so a customer on default terms is flagged past 90 days.
    let margin = cfg.danger.overdue_days - cfg.credit.default_days;
    // Every ledger's ageing at the month end, once (the flags below and the list's AR columns).
    let ages = (ar_known || ages.is_some()).then(|| receivables::ages_of(l, end, ages));
    let age_of: HashMap<&str, &receivables::Ageing> = ages
        .iter()
        .flat_map(|a| l.by_customer.keys().map(String::as_str).zip(a.iter()))
        .collect();
    if let (true, Some(ages)) = (ar_known, &ages) {
        // The assessments are in key order as the ledgers are: walked alongside, not looked up.
        let mut assessed = a.iter().peekable();
        for ((key, led), ag) in l.by_customer.iter().zip(ages.iter()) {
            while assessed
                .peek()
                .is_some_and(|(k, _)| k.as_str() < key.as_str())
            {
                assessed.next();
            }
            let this = assessed
                .peek()
                .filter(|(k, _)| k.as_str() == key.as_str())
                .map(|(_, x)| *x);
            let limit_days = led.credit_days + margin;
            if let Some(age) = ag.oldest_days.filter(|d| *d > limit_days) {
                raise(
                    led.key.clone(),
                    0,
                    format!("D1 账龄 {age} 天 > {limit_days} 天"),
                );
            }
            let limit = this.and_then(Assessment::limit).map(|x| x.0);
            if let (Some(over), Some(lim)) = (over_limit(ag.total(), limit), limit) {
                raise(
                    led.key.clone(),
                    1,
                    format!("D2 超限额 {:.2} (限额 {:.2})", over, lim),
                );
            }
        }
    }
    // D3 from the grade and the survey answers.
    for x in a.values() {
        let mut why = Vec::new();
        if x.grade == "C" {
            why.push("信用等级 C".to_string());
        }
        if let Some(s) = x.survey {
            if let Some(p) = s
                .pay_attitude
                .as_deref()
                .filter(|p| matches!(p.trim(), "为难" | "嗜欠尾款"))
            {
                why.push(format!("付款态度 {p}"));
            }
            if let Some(b) = s
                .bank_credit
                .as_deref()
                .filter(|b| matches!(b.trim(), "差" | "很差"))
            {
                why.push(format!("银行信用 {b}"));
            }
        }
        if !why.is_empty() {
            raise(x.key.clone(), 2, format!("D3 {}", why.join("、")));
        }
    }
    // D4: a note dishonoured in T12M.
    let t12m_start = ctx.month.plus(-11).first_day();
    for r in ctx.ds.receipts.as_deref().unwrap_or(&[]) {
        // Cheapest test first: this runs over every receipt for each month the pack scores.
        if (t12m_start..=end).contains(&r.receipt_date)
            && r.note_status.as_deref().is_some_and(|s| s.contains("拒付"))
            && receivables::is_note(r)
        {
            let key = idx.key(r.customer_id.as_deref(), r.customer_name.as_deref());
            let what = match r
                .receipt_no
                .as_deref()
                .map(str::trim)
                .filter(|x| !x.is_empty())
            {
                Some(no) => format!("D4 票据拒付 {no} ({})", r.receipt_date),
                None => format!("D4 票据拒付 ({})", r.receipt_date),
            };
            raise(key, 3, what);
        }
    }
    // D5: 信用异动 = 是 in the last 90 days.
    let d5_from = end.checked_sub_days(Days::new(90)).unwrap_or(end);
    for i in ctx.ds.interactions.as_deref().unwrap_or(&[]) {
        let day = i.contact_time.date();
        if i.credit_alert == Some(true) && day > d5_from && day <= end {
            let key = idx.key(i.customer_id.as_deref(), i.customer_name.as_deref());
            raise(key, 4, format!("D5 {day} 信用异动 ({})", i.staff));
        }
    }
    // D6: an open 索赔, or a 纠纷/诉讼.
    let end_at = month_end_instant(ctx.month);
    for c in ctx.ds.complaints.as_deref().unwrap_or(&[]) {
        if c.received_at >= end_at {
            continue;
        }
        let open_claim = c.claim_amount.is_some_and(|x| x > Decimal::ZERO) && open_at(c, end_at);
        // The 纠纷/诉讼 column mixes both: litigation stays a danger after the case is closed.
        if c.dispute == Some(true) || open_claim {
            let key = idx.key(c.customer_id.as_deref(), c.customer_name.as_deref());
            let what = if c.dispute == Some(true) {
                "纠纷/诉讼"
            } else {
                "未结索赔"
            };
            raise(key, 5, format!("D6 {what} {}", c.complaint_no));
        }
    }

    let mut out: Vec<Danger> = reasons
        .into_iter()
        .map(|(key, r)| {
            let flags = [0, 1, 2, 3, 4, 5].map(|i| r[i].is_some());
            let (ar, oldest) = l
                .by_customer
                .get(&key)
                .map_or((Decimal::ZERO, None), |led| {
                    let ag = match age_of.get(key.as_str()) {
                        Some(ag) => (*ag).clone(),
                        None => ageing(&led.items, end, led.credit_days),
                    };
                    (ag.total(), ag.oldest_days)
                });
            Danger {
                name: idx.name(&key),
                owner: idx.owner(&key),
                ar,
                oldest_days: oldest,
                high: is_high(&flags, oldest, cfg.danger.high_overdue_days),
                flags,
                reasons: r.into_iter().flatten().collect(),
                key,
            }
        })
        .collect();
    sort_dangers(&mut out);
    out
}

/// 危险客户统计表 (M66). The flags share one column ("D1 D4") so the table fits a portrait page;
/// the reasons column says what raised each.
pub fn danger_table(ctx: &Ctx, list: &[Danger]) -> Table {
    let columns = vec![
        Column::new("customer", "客户名称", "Customer", Kind::Text),
        Column::new("staff", "业务员", "Salesperson", Kind::Text),
        Column::new("ar", "应收余额", "AR", Kind::Money),
        Column::new("oldest", "最长账龄(天)", "Oldest (days)", Kind::Int),
        Column::new("level", "危险等级", "Danger level", Kind::Text),
        Column::new("flags", "标志", "Flags", Kind::Text),
        Column::new("reasons", "原因", "Reasons", Kind::Text),
    ];
    let rows = list
        .iter()
        .map(|d| {
            let flags: Vec<&str> = FLAGS
                .iter()
                .zip(d.flags)
                .filter(|(_, on)| *on)
                .map(|((zh, _), _)| zh.split(' ').next().unwrap_or(zh))
                .collect();
            vec![
                Value::Text(d.name.clone()),
                Value::Text(d.owner.clone()),
                Value::Money(d.ar),
                d.oldest_days.map_or(Value::Empty, Value::Int),
                Value::Text(if d.high { "高" } else { "中" }.into()),
                Value::Text(flags.join(" ")),
                Value::Text(d.reasons.join("; ")),
            ]
        })
        .collect();
    let high = list.iter().filter(|d| d.high).count();
    let totals = vec![
        Value::Text(format!("合计 {} 户", list.len())),
        Value::Empty,
        Value::Money(list.iter().map(|d| d.ar).sum()),
        Value::Empty,
        Value::Text(format!("高 {high} / 中 {}", list.len() - high)),
        Value::Empty,
        Value::Empty,
    ];
    let counts: Vec<String> = FLAGS
        .iter()
        .enumerate()
        .map(|(i, (zh, _))| format!("{zh} {}", list.iter().filter(|d| d.flags[i]).count()))
        .collect();
    let mut notes = vec![Msg::new(
        format!(
            "危险等级: 票据拒付、账龄超过 {} 天的逾期或 3 项以上标志为高, 其余为中; 按等级、应收余额排序",
            ctx.cfg.danger.high_overdue_days
        ),
        format!(
            "Level 高 (high): a dishonoured note, overdue past {} days, or 3+ flags; else 中 (medium); sorted by level then AR",
            ctx.cfg.danger.high_overdue_days
        ),
    )];
    notes.push(Msg::new(
        format!("各标志户数: {}", counts.join(", ")),
        format!("Customers per flag: {}", counts.join(", ")),
    ));
    let ds = ctx.ds;
    let unevaluated: Vec<(&str, &str)> = [
        (ds.sales.is_none(), "D1 D2", SHEET_SALES),
        (ds.receipts.is_none(), "D1 D2 D4", SHEET_RECEIPTS),
        (
            ds.credit_surveys.is_none() && ds.customers.is_none(),
            "D3",
            SHEET_SURVEYS,
        ),
        (ds.interactions.is_none(), "D5", SHEET_INTERACTIONS),
        (ds.complaints.is_none(), "D6", SHEET_COMPLAINTS),
    ]
    .into_iter()
    .filter(|(missing, _, _)| *missing)
    .map(|(_, f, s)| (f, s))
    .collect();
    for (f, s) in unevaluated {
        notes.push(Msg::new(
            format!("{f} 未评估: 缺少数据: {s}"),
            format!("{f} not evaluated: missing {s}"),
        ));
    }
    Table {
        id: "danger-customers".into(),
        title: Msg::new(
            format!("{} 危险客户统计表", ctx.month.zh()),
            format!("Dangerous customers, {}", ctx.month),
        ),
        columns,
        rows,
        totals: Some(totals),
        notes,
    }
}

/// KPI of the 摘要 (§4.1): 危险客户数 (M66) at the report month.
pub fn danger_count(ctx: &Ctx) -> Value {
    if ctx.ds.customers.is_none() && ctx.ds.credit_surveys.is_none() {
        return Value::Missing(SHEET_CUSTOMERS.into());
    }
    Value::Int(ctx.dangers().len() as i64)
}

/// The family's tables for the report month, in reading order.
pub fn tables(ctx: &Ctx) -> Vec<Table> {
    let ds = ctx.ds;
    let month = ctx.month;
    if ds.customers.is_none() && ds.credit_surveys.is_none() {
        let m = |id: &str, zh: &str, en: &str| {
            missing_table(
                id,
                Msg::new(format!("{} {zh}", month.zh()), format!("{en}, {month}")),
                SHEET_CUSTOMERS,
            )
        };
        return vec![
            m(
                "credit-grades",
                "客户信用等级分布",
                "Credit grade distribution",
            ),
            m(
                "credit-ratings",
                "客户信用等级一览表",
                "Customer credit ratings",
            ),
            m("danger-customers", "危险客户统计表", "Dangerous customers"),
        ];
    }
    let l = ctx.ledgers();
    let a = ctx.assessments();
    let d = ctx.dangers();
    vec![
        grade_table(ctx, &a, &l),
        ratings_table(ctx, &a),
        danger_table(ctx, &d),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Complaint, Customer, Dataset, Interaction, Receipt, SaleLine};
    use rust_decimal_macros::dec;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn pts() -> Points {
        points_table(&Config::default())
    }

    /// The M59 worked case, answer by answer.
    fn worked_survey() -> CreditSurvey {
        CreditSurvey {
            survey_date: d("2024-02-20"),
            customer_id: Some("C1".into()),
            pay_attitude: Some("爽快".into()),
            bank_credit: Some("好".into()),
            peer_rating: Some("好".into()),
            neighbour_rating: Some("普通".into()),
            bookkeeping: Some("完备".into()),
            capital: Some(dec!(2000000)),
            first_trade_date: Some(d("2020-02-01")), // 4 years
            business_trend: Some("成长".into()),
            premises_area: Some("一般商业区".into()),
            premises_tenure: Some("租用".into()),
            ..Default::default()
        }
    }

    #[test]
    fn m59_worked_case_is_82_and_m60_aa() {
        let s = score(&worked_survey(), PaymentRecord::Clean, &pts());
        // 20+12+8+3+5+8+8+8+3+2+5
        assert_eq!(s.points, 82);
        assert!(s.missing.is_empty());
        let cfg = Config::default();
        assert_eq!(grade_of(s.points, &cfg.credit.grade_bands), "AA");
        assert_eq!(payment_terms("AA"), "赊销 月结60天");
    }

    /// The DOMAIN defaults this family relies on (§3.3).
    #[test]
    fn config_defaults_are_the_domain_defaults() {
        let c = Config::default();
        assert_eq!(c.credit.default_days, 60);
        let f = &c.credit.limit_factor;
        assert_eq!(
            [f["AAA"], f["AA"], f["A"], f["B"], f["C"]],
            [dec!(1.2), dec!(1.0), dec!(0.8), dec!(0.5), dec!(0)]
        );
        let b = &c.credit.grade_bands;
        assert_eq!(
            [b["AAA"], b["AA"], b["A"], b["B"], b["C"]],
            [90, 80, 70, 60, 0]
        );
        assert_eq!(
            (c.danger.overdue_days, c.danger.high_overdue_days),
            (90, 180)
        );
        assert_eq!(
            c.danger.overdue_days - c.credit.default_days,
            30,
            "D1 = 信用期 + 30"
        );
        assert_eq!(c.complaint.response_hours, 48);
        assert_eq!(c.complaint.target_handle_hours, 24);
    }

    #[test]
    fn configured_points_replace_one_item_and_keep_the_rest() {
        let cfg =
            Config::from_yaml("credit:\n  points:\n    付款态度: {爽快: 10, 普通: 8}\n").unwrap();
        let p = points_table(&cfg);
        let sc = score(&worked_survey(), PaymentRecord::Clean, &p);
        assert_eq!(sc.points, 82 - 20 + 10);
        assert_eq!(p["银行信用"]["好"], 12, "other items keep their defaults");
    }

    #[test]
    fn m60_band_edges() {
        let b = Config::default().credit.grade_bands;
        assert_eq!(grade_of(100, &b), "AAA");
        assert_eq!(grade_of(90, &b), "AAA");
        assert_eq!(grade_of(89, &b), "AA");
        assert_eq!(grade_of(70, &b), "A");
        assert_eq!(grade_of(60, &b), "B");
        assert_eq!(grade_of(59, &b), "C");
        assert_eq!(grade_of(0, &b), "C");
    }

    #[test]
    fn m59_missing_items_score_zero_and_four_make_unrated() {
        let mut s = worked_survey();
        s.neighbour_rating = None;
        s.capital = None;
        s.premises_area = Some("不知道".into()); // unreadable counts as missing
        let sc = score(&s, PaymentRecord::NoHistory, &pts());
        assert_eq!(sc.points, 82 - 3 - 8 - 3 - 5 + 3);
        assert_eq!(sc.missing, vec!["近邻评价", "资本额", "场所"]);
        assert!(sc.rated());
        s.bookkeeping = None;
        let sc = score(&s, PaymentRecord::Clean, &pts());
        assert_eq!(sc.missing.len(), 4);
        assert!(!sc.rated());
        // 付款记录 Unknown is not a survey item: it does not count towards the four.
        let sc = score(&worked_survey(), PaymentRecord::Unknown, &pts());
        assert_eq!(sc.points, 77);
        assert!(sc.missing.is_empty());
    }

    #[test]
    fn point_bands_for_capital_and_years() {
        assert_eq!(capital_points(dec!(5000000)), 10);
        assert_eq!(capital_points(dec!(4999999.99)), 8);
        assert_eq!(capital_points(dec!(500000)), 6);
        assert_eq!(capital_points(dec!(100000)), 4);
        assert_eq!(capital_points(dec!(1)), 2);
        assert_eq!(capital_points(dec!(0)), 0);
        assert_eq!(years_points(0), 2);
        assert_eq!(years_points(1), 5);
        assert_eq!(years_points(3), 8);
        assert_eq!(years_points(5), 10);
    }

    #[test]
    fn m62_worked_case_200000() {
        // AA, T12M 实销额 1,200,000 → 100,000 × 60/30 × 1.0 = 200,000.
        let monthly = monthly_avg_existing(dec!(1200000), 24);
        assert_eq!(monthly, dec!(100000));
        let f = Config::default().credit.limit_factor["AA"];
        assert_eq!(credit_limit(monthly, 60, f), dec!(200000));
        // Floors to 1,000; a short history divides by its months.
        assert_eq!(credit_limit(dec!(12345), 30, dec!(0.8)), dec!(9000));
        assert_eq!(monthly_avg_existing(dec!(30000), 3), dec!(10000));
        assert_eq!(floor_1000(dec!(-5)), dec!(0));
        assert_eq!(credit_limit(dec!(100000), 60, dec!(0)), dec!(0)); // C
    }

    #[test]
    fn m62_new_customer_from_peak_and_off_season() {
        // 旺季 9~12 (4 months) at 150,000, 淡季 60,000: (600,000 + 480,000) / 12 = 90,000.
        assert_eq!(
            monthly_avg_new(Some(dec!(150000)), Some(dec!(60000)), Some(9), Some(12)),
            Some(dec!(90000))
        );
        // Wrapping span 11~2 = 4 months, same result.
        assert_eq!(
            monthly_avg_new(Some(dec!(150000)), Some(dec!(60000)), Some(11), Some(2)),
            Some(dec!(90000))
        );
        // Unknown span: the mean.
        assert_eq!(
            monthly_avg_new(Some(dec!(150000)), Some(dec!(60000)), None, Some(2)),
            Some(dec!(105000))
        );
        assert_eq!(monthly_avg_new(None, Some(dec!(1)), Some(1), Some(2)), None);
    }

    #[test]
    fn m63_guarantee_rules() {
        assert!(needs_guarantee("B", None, Some(dec!(1)), Some(dec!(1))));
        assert!(needs_guarantee(
            "AA",
            Some(dec!(300000)),
            Some(dec!(200000)),
            Some(dec!(1))
        ));
        assert!(needs_guarantee("AA", None, Some(dec!(200000)), None));
        assert!(!needs_guarantee(
            "AA",
            Some(dec!(100000)),
            Some(dec!(200000)),
            Some(dec!(1))
        ));
        assert!(!needs_guarantee("A", None, None, Some(dec!(1))));
    }

    #[test]
    fn m66_level_rules() {
        let f = |i: &[usize]| {
            let mut x = [false; 6];
            for k in i {
                x[*k] = true;
            }
            x
        };
        assert!(is_high(&f(&[3]), None, 180), "D4 alone is 高");
        assert!(is_high(&f(&[0]), Some(181), 180));
        assert!(!is_high(&f(&[0]), Some(180), 180));
        assert!(is_high(&f(&[1, 2, 4]), None, 180), "three flags");
        assert!(!is_high(&f(&[1, 2]), None, 180));
    }

    fn line(cust: &str, date: &str, amount: Decimal) -> SaleLine {
        SaleLine {
            order_date: d(date),
            ship_date: Some(d(date)),
            customer_id: Some(cust.into()),
            qty: dec!(1),
            amount,
            ..Default::default()
        }
    }

    fn customer(id: &str) -> Customer {
        Customer {
            customer_id: id.into(),
            name: format!("{id}公司"),
            ..Default::default()
        }
    }

    /// A small book of customers, each dangerous for one reason (or none).
    fn danger_dataset() -> Dataset {
        let mut c3 = customer("C3");
        c3.credit_limit = Some(dec!(1000));
        let mut poor = worked_survey();
        poor.customer_id = Some("C4".into());
        poor.pay_attitude = Some("嗜欠尾款".into());
        Dataset {
            customers: Some(vec![
                customer("C1"),
                customer("C2"),
                c3,
                customer("C4"),
                customer("C5"),
                customer("C6"),
                customer("C7"),
            ]),
            sales: Some(vec![
                line("C1", "2024-03-01", dec!(100)),  // young AR: not dangerous
                line("C2", "2023-09-01", dec!(5000)), // 212 days: D1, high
                line("C3", "2024-03-10", dec!(3000)), // over its 1,000 limit: D2
                line("C7", "2023-12-20", dec!(800)),  // 102 days: D1, medium
            ]),
            receipts: Some(vec![Receipt {
                receipt_no: Some("SK9".into()),
                receipt_date: d("2024-01-15"),
                customer_id: Some("C5".into()),
                amount: dec!(200),
                method: Some("商业承兑汇票".into()),
                note_status: Some("拒付".into()),
                ..Default::default()
            }]),
            credit_surveys: Some(vec![poor]),
            interactions: Some(vec![Interaction {
                contact_time: d("2024-03-05").and_hms_opt(10, 0, 0).unwrap(),
                customer_id: Some("C6".into()),
                staff: "李四".into(),
                credit_alert: Some(true),
                ..Default::default()
            }]),
            complaints: Some(vec![Complaint {
                complaint_no: "TS1".into(),
                received_at: d("2024-02-01").and_hms_opt(9, 0, 0).unwrap(),
                customer_id: Some("C6".into()),
                claim_amount: Some(dec!(500)),
                ..Default::default()
            }]),
            ..Default::default()
        }
    }

    #[test]
    fn purchase_history_sums_t12m_under_resolved_keys_either_way() {
        // C1's lines: one by id, one by its T01 name only (its entries carry "C1公司", which the
        // index resolves to C1: two entry customers under one key, summed entry by entry); C2 one
        // to one (its shared per-customer sum). Amounts of mixed scale; one line a year too old.
        let mut by_name = line("C1", "2024-02-10", dec!(2.5));
        by_name.customer_id = None;
        by_name.customer_name = Some("C1公司".into());
        let ds = Dataset {
            customers: Some(vec![customer("C1"), customer("C2")]),
            sales: Some(vec![
                line("C1", "2023-04-01", dec!(1.25)),
                by_name,
                line("C1", "2023-03-31", dec!(1000)),
                line("C2", "2024-03-31", dec!(-0.50)),
                line("C2", "2023-05-01", dec!(3)),
            ]),
            ..Default::default()
        };
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let h = purchase_history(&ctx, &ctx.customer_index());
        assert_eq!(h["C1"], (d("2023-03-31"), dec!(3.75)));
        assert_eq!(h["C2"].1.to_string(), "2.50");
        assert_eq!(h.len(), 2);
        // Only C2: one to one, the shared sum, with the scale of the entry-by-entry sum.
        let ds2 = Dataset {
            sales: Some(ds.sales.as_ref().unwrap()[3..].to_vec()),
            ..ds.clone()
        };
        let ctx2 = Ctx::new(&ds2, "2024-03".parse().unwrap(), &cfg);
        let h2 = purchase_history(&ctx2, &ctx2.customer_index());
        assert_eq!(h2["C2"].1.to_string(), "2.50");
        assert_eq!(h2.len(), 1);
    }

    #[test]
    fn m66_flags_levels_and_sort_order() {
        let ds = danger_dataset();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let l = receivables::ledgers(&ds, 60);
        let a = assess(&ctx, &l);
        let list = dangers(&ctx, &l, &a);
        let keys: Vec<&str> = list.iter().map(|d| d.key.as_str()).collect();
        // 高: C2 (AR 5,000, D1 > 180 days) and C5 (D4, AR −200 after a note it paid); then 中 by AR, ties by id.
        assert_eq!(keys, vec!["C2", "C5", "C3", "C7", "C4", "C6"]);
        let by = |k: &str| list.iter().find(|d| d.key == k).unwrap();
        assert_eq!(by("C2").flags, [true, false, false, false, false, false]);
        assert!(by("C2").high);
        assert!(by("C5").flags[3] && by("C5").high);
        assert!(by("C3").flags[1] && !by("C3").high);
        assert!(
            by("C7").flags[0] && !by("C7").high,
            "102 days: D1 but not > 180"
        );
        assert_eq!(by("C6").flags, [false, false, false, false, true, true]);
        assert!(by("C4").flags[2]);
        assert!(by("C4").reasons[0].contains("嗜欠尾款"));
        assert!(
            by("C3").reasons[0].contains("2000"),
            "{:?}",
            by("C3").reasons
        );
        let t = danger_table(&ctx, &list);
        assert_eq!(t.rows.len(), 6);
        assert_eq!(danger_count(&ctx), Value::Int(6));
        // The list shared through the Ctx (the credit tables and the 摘要) is this one, and a
        // month later it is that month's own list, not the cached one.
        assert_eq!(*ctx.dangers(), list);
        let later = ctx.at("2024-09".parse().unwrap());
        let a9 = assess(&later, &l);
        assert_eq!(*later.dangers(), dangers(&later, &l, &a9));
        assert_ne!(*later.dangers(), list);
        assert_eq!(t.rows[0][4], Value::Text("高".into()));
        assert_eq!(t.rows[4][5], Value::Text("D3".into())); // C4
        assert_eq!(t.rows[5][5], Value::Text("D5 D6".into())); // C6
        assert!(t.notes[1].zh.contains("D1 逾期 2"), "{}", t.notes[1].zh);
        assert_eq!(t.totals.as_ref().unwrap()[2], Value::Money(dec!(8600)));
    }

    #[test]
    fn assess_uses_history_and_manual_limit_wins() {
        let mut ds = danger_dataset();
        // C1 bought 1,200,000 over the 12 months; survey gives AA (82).
        let mut s = worked_survey();
        s.survey_date = d("2024-03-01");
        ds.credit_surveys = Some(vec![s]);
        let mut sales = vec![];
        for m in 1..=12 {
            let date = format!("2023-{m:02}-10");
            let mut l = line("C1", &date, dec!(100000));
            l.ship_date = Some(d(&date));
            sales.push(l);
        }
        // Paid up every month so no AR ever ages past 90 days.
        let receipts: Vec<Receipt> = (1..=12)
            .map(|m| Receipt {
                receipt_date: d(&format!("2023-{m:02}-20")),
                customer_id: Some("C1".into()),
                amount: dec!(100000),
                ..Default::default()
            })
            .collect();
        ds.sales = Some(sales);
        ds.receipts = Some(receipts);
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2023-12".parse().unwrap(), &cfg);
        let l = receivables::ledgers(&ds, 60);
        // The survey is dated after 2023-12: not used; C1 has no typed grade → unrated.
        let a = assess(&ctx, &l);
        assert_eq!(a["C1"].grade, UNRATED);
        assert_eq!(a["C1"].computed_limit, None);

        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let a = assess(&ctx, &l);
        let c1 = &a["C1"];
        // T12M 2023-04..2024-03 holds 9 months of 100,000; history since 2023-01 is ≥ 12 months.
        assert_eq!(c1.monthly_avg, Some(dec!(75000)));
        assert_eq!(c1.score.as_ref().unwrap().points, 82);
        assert_eq!(c1.grade, "AA");
        assert_eq!(c1.computed_limit, Some(dec!(150000)));
        assert_eq!(c1.guarantee, Some(false));
        assert_eq!(c1.limit(), Some((dec!(150000), LimitSource::Computed)));
        // A typed limit wins and, being above the computed one, asks for a guarantee.
        let mut custs = ds.customers.clone().unwrap();
        custs[0].credit_limit = Some(dec!(300000));
        ds.customers = Some(custs);
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let a = assess(&ctx, &l);
        assert_eq!(a["C1"].limit(), Some((dec!(300000), LimitSource::Manual)));
        assert_eq!(a["C1"].guarantee, Some(true));
    }

    #[test]
    fn payment_record_looks_back_twelve_month_ends() {
        use receivables::{ArItem, ArKind};
        let items = vec![
            ArItem::new(d("2023-06-01"), ArKind::Shipment, dec!(100)),
            ArItem::new(d("2023-10-01"), ArKind::Receipt, dec!(100)),
        ];
        // At 2023-09-30 the June shipment was 121 days old: late within T12M of 2024-03.
        assert_eq!(
            payment_record(&items, "2024-03".parse().unwrap()),
            PaymentRecord::Late
        );
        // T12M of 2024-10 starts 2023-11: by then it was paid.
        assert_eq!(
            payment_record(&items, "2024-10".parse().unwrap()),
            PaymentRecord::Clean
        );
        assert_eq!(
            payment_record(&[], "2024-10".parse().unwrap()),
            PaymentRecord::NoHistory
        );
    }

    #[test]
    fn grade_distribution_totals_and_missing_sheets() {
        let ds = danger_dataset();
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, "2024-03".parse().unwrap(), &cfg);
        let ts = tables(&ctx);
        let g = &ts[0];
        assert_eq!(g.id, "credit-grades");
        let names: Vec<&Value> = g.rows.iter().map(|r| &r[0]).collect();
        assert_eq!(names[0], &Value::Text("AAA".into()));
        assert_eq!(names[5], &Value::Text(UNRATED.into()));
        let n: i64 = g
            .rows
            .iter()
            .map(|r| match r[1] {
                Value::Int(n) => n,
                _ => 0,
            })
            .sum();
        assert_eq!(n, 7);
        assert_eq!(g.totals.as_ref().unwrap()[1], Value::Int(7));
        // C4's survey (嗜欠尾款 0 instead of 20, no purchase history 3 instead of 5) scores 60 → B.
        let b = g
            .rows
            .iter()
            .find(|r| r[0] == Value::Text("B".into()))
            .unwrap();
        assert_eq!(b[1], Value::Int(1));

        let empty = Dataset::default();
        let ctx = Ctx::new(&empty, "2024-03".parse().unwrap(), &cfg);
        let ts = tables(&ctx);
        assert!(ts
            .iter()
            .all(|t| t.rows == vec![vec![Value::Missing(SHEET_CUSTOMERS.into())]]));
    }
}

/// Messy generated books through all three families: nothing panics, and the reconciliations hold
/// for every customer and month.
#[cfg(test)]
mod messy {
    use super::super::{complaints, receivables as rc};
    use super::*;
    use crate::model::{Complaint, Customer, Dataset, Interaction, Receipt, Return, SaleLine};
    use rust_decimal_macros::dec;

    /// A tiny linear congruential generator: repeatable without a crate.
    struct Lcg(u64);
    impl Lcg {
        fn next(&mut self, n: u64) -> u64 {
            self.0 = self
                .0
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (self.0 >> 33) % n.max(1)
        }
        fn date(&mut self) -> NaiveDate {
            NaiveDate::from_ymd_opt(2022, 1, 1)
                .unwrap()
                .checked_add_days(Days::new(self.next(1300)))
                .unwrap()
        }
        fn money(&mut self) -> Decimal {
            Decimal::new(self.next(2_000_000) as i64 - 100_000, 2)
        }
        fn pick(&mut self, xs: &[&str]) -> Option<String> {
            let i = self.next(xs.len() as u64 + 1) as usize;
            xs.get(i).map(|s| s.to_string())
        }
        fn cust(&mut self) -> (Option<String>, Option<String>) {
            let k = self.next(12);
            match self.next(4) {
                0 => (None, Some(format!("客户{k}"))),
                _ => (Some(format!("C{k}")), None),
            }
        }
    }

    fn book(seed: u64) -> Dataset {
        let mut g = Lcg(seed);
        let customers = (0..10)
            .map(|k| Customer {
                customer_id: format!("C{k}"),
                name: format!("客户{k}"),
                owner: g.pick(&["张三", "李四"]),
                region: g.pick(&["华东", "西北"]),
                credit_days: (g.next(3) == 0).then(|| g.next(120) as i64),
                credit_limit: (g.next(3) == 0).then(|| g.money()),
                credit_grade: g.pick(&["AA", "C", "X"]),
                opening_ar: (g.next(2) == 0).then(|| g.money()),
                opening_ar_date: (g.next(4) != 0).then(|| g.date()),
                last_followup_date: (g.next(2) == 0).then(|| g.date()),
                ..Default::default()
            })
            .collect();
        let sales = (0..300)
            .map(|i| {
                let (customer_id, customer_name) = g.cust();
                let order_date = g.date();
                SaleLine {
                    order_no: Some(format!("SO{i}")),
                    order_date,
                    ship_date: (g.next(4) != 0).then(|| g.date()),
                    customer_id,
                    customer_name,
                    qty: dec!(1),
                    amount: g.money(),
                    discount: Decimal::new(g.next(5000) as i64, 2),
                    rebate: Decimal::new(g.next(100) as i64, 0),
                    cancelled: g.next(10) == 0,
                    ..Default::default()
                }
            })
            .collect();
        let returns = (0..40)
            .map(|i| {
                let (customer_id, customer_name) = g.cust();
                Return {
                    return_date: g.date(),
                    orig_order_no: Some(format!("SO{}", g.next(300))),
                    customer_id,
                    customer_name,
                    product_name: g.pick(&["阀门", "管件"]),
                    qty: Decimal::from(g.next(5)),
                    amount: Decimal::new(g.next(100_000) as i64, 2),
                    reason_cat: g.pick(&["品质", "误期", "奇怪"]),
                    exchange: i % 5 == 0,
                    ..Default::default()
                }
            })
            .collect();
        let receipts = (0..150)
            .map(|_| {
                let (customer_id, customer_name) = g.cust();
                Receipt {
                    receipt_date: g.date(),
                    customer_id,
                    customer_name,
                    amount: g.money(),
                    method: g.pick(&["银行转账", "商业承兑汇票", "期票"]),
                    note_due_date: (g.next(2) == 0).then(|| g.date()),
                    note_status: g.pick(&["未到期", "已兑付", "拒付"]),
                    ..Default::default()
                }
            })
            .collect();
        let at = |g: &mut Lcg| {
            g.date()
                .and_hms_opt(g.next(24) as u32, g.next(60) as u32, 0)
                .unwrap()
        };
        let complaints = (0..60)
            .map(|i| {
                let (customer_id, customer_name) = g.cust();
                let received_at = at(&mut g);
                Complaint {
                    complaint_no: format!("TS{i}"),
                    received_at,
                    customer_id,
                    customer_name,
                    complaint_type: g.pick(&["质量", "服务", "怪"]),
                    severity: g.pick(&["一般", "重大"]),
                    response_at: (g.next(3) != 0).then(|| at(&mut g)),
                    closed_at: (g.next(2) == 0).then(|| at(&mut g)),
                    claim_amount: (g.next(4) == 0).then(|| g.money()),
                    status: g.pick(&["已结案", "处理中"]),
                    dispute: (g.next(8) == 0).then_some(true),
                    resolution: g.pick(&["退货", "赔偿"]),
                    compensation: (g.next(3) == 0).then(|| g.money()),
                    ..Default::default()
                }
            })
            .collect();
        let answers = [
            "很好",
            "好",
            "普通",
            "差",
            "爽快",
            "嗜欠尾款",
            "完备",
            "自有",
            "成长",
        ];
        let surveys = (0..15)
            .map(|_| {
                let (customer_id, customer_name) = g.cust();
                CreditSurvey {
                    survey_date: g.date(),
                    customer_id,
                    customer_name,
                    pay_attitude: g.pick(&answers),
                    bank_credit: g.pick(&answers),
                    peer_rating: g.pick(&answers),
                    neighbour_rating: g.pick(&answers),
                    bookkeeping: g.pick(&answers),
                    capital: (g.next(3) != 0).then(|| g.money()),
                    first_trade_date: (g.next(3) != 0).then(|| g.date()),
                    business_trend: g.pick(&answers),
                    premises_area: g.pick(&["一般商业区", "偏僻地区"]),
                    premises_tenure: g.pick(&answers),
                    peak_from: Some(g.next(14) as i64),
                    peak_to: Some(g.next(14) as i64),
                    peak_monthly_amt: (g.next(2) == 0).then(|| g.money()),
                    off_monthly_amt: (g.next(2) == 0).then(|| g.money()),
                    ..Default::default()
                }
            })
            .collect();
        let interactions = (0..30)
            .map(|_| {
                let (customer_id, customer_name) = g.cust();
                Interaction {
                    contact_time: at(&mut g),
                    customer_id,
                    customer_name,
                    staff: "张三".into(),
                    credit_alert: (g.next(3) == 0).then_some(true),
                    ..Default::default()
                }
            })
            .collect();
        Dataset {
            customers: Some(customers),
            sales: Some(sales),
            returns: Some(returns),
            receipts: Some(receipts),
            complaints: Some(complaints),
            credit_surveys: Some(surveys),
            interactions: Some(interactions),
            ..Default::default()
        }
    }

    pub(crate) fn sums_match(t: &Table) {
        let Some(tot) = &t.totals else { return };
        for (i, col) in t.columns.iter().enumerate() {
            match (col.kind, &tot[i]) {
                (Kind::Money, Value::Money(x)) => {
                    let s: Decimal = t.rows.iter().filter_map(|r| r[i].money()).sum();
                    assert_eq!(*x, s, "{} column {}", t.id, col.key);
                }
                (Kind::Int, Value::Int(x)) => {
                    let s: i64 = t
                        .rows
                        .iter()
                        .map(|r| match r[i] {
                            Value::Int(n) => n,
                            _ => 0,
                        })
                        .sum();
                    assert_eq!(*x, s, "{} column {}", t.id, col.key);
                }
                _ => {}
            }
        }
    }

    #[test]
    fn messy_books_never_panic_and_reconcile() {
        let cfg = Config::default();
        for seed in 1..=8 {
            let ds = book(seed);
            for mon in ["2022-01", "2023-06", "2024-12", "2025-07"] {
                let month: Month = mon.parse().unwrap();
                let ctx = Ctx::new(&ds, month, &cfg);
                let r = rc::tables(&ctx);
                let c = tables(&ctx);
                let grades = [("C1".to_string(), "A".to_string())].into();
                let k = complaints::tables(&ctx, &grades);
                assert_eq!(r.len() + c.len(), 9);
                assert!(k.len() >= 19);

                // The xlsx writes Money and Int totals as SUM formulas over the rows: each
                // such total must be exactly Σ of its column, or Excel would show another figure.
                for t in r.iter().chain(&c).chain(&k) {
                    sums_match(t);
                }
                // Collection: closing = opening + net − received, per row and in total.
                let col = &r[0];
                for row in col.rows.iter().chain(col.totals.iter()) {
                    let v: Vec<Decimal> = row[2..=5].iter().map(|x| x.money().unwrap()).collect();
                    assert_eq!(v[3], v[0] + v[1] - v[2], "seed {seed} {mon}");
                }
                // Ageing: Σ buckets − unapplied = AR per row, and total AR = collection closing.
                let age = &r[2];
                for row in age.rows.iter().chain(age.totals.iter()) {
                    let b: Decimal = row[3..=9].iter().filter_map(Value::money).sum();
                    assert_eq!(row[2], Value::Money(b), "seed {seed} {mon}");
                }
                assert_eq!(
                    age.totals.as_ref().unwrap()[2],
                    col.totals.as_ref().unwrap()[5],
                    "seed {seed} {mon}"
                );
                assert_eq!(
                    rc::ar_total(&ds, 60, month),
                    col.totals.as_ref().unwrap()[5]
                );
                // Complaint breakdowns each count every complaint of the month once.
                let n = &k[0].rows[0][0];
                for t in &k[1..=6] {
                    assert_eq!(&t.totals.as_ref().unwrap()[1], n, "{} seed {seed}", t.id);
                }
                // Danger list: 高 before 中, then AR descending.
                let d = &c[2];
                let keyed: Vec<(bool, Decimal)> = d
                    .rows
                    .iter()
                    .map(|r| (r[4] == Value::Text("高".into()), r[2].money().unwrap()))
                    .collect();
                assert!(keyed
                    .windows(2)
                    .all(|w| (w[0].0, w[0].1) >= (w[1].0, w[1].1)));
            }
        }
    }

    #[test]
    fn the_one_pass_payment_record_agrees_with_an_ageing_per_month_end() {
        use receivables::{ArItem, ArKind::*};
        let d = |y, m, day| NaiveDate::from_ymd_opt(y, m, day).unwrap();
        let month = Month::new(2026, 10).unwrap();
        let per_month_end = |items: &[ArItem]| {
            (0..12).any(|k| {
                ageing(items, month.plus(-k).last_day(), i64::MAX)
                    .oldest_days
                    .is_some_and(|x| x > RECORD_MAX_AGE_DAYS)
            })
        };
        // Paid on time; paid late then caught up; a prepayment that covers the first shipment but
        // leaves 100 of the second open from June; a negative receipt; an old balance cleared only
        // after the window; nothing but receipts.
        let ledgers: Vec<Vec<ArItem>> = vec![
            vec![
                ArItem::new(d(2025, 12, 1), Shipment, dec!(100)),
                ArItem::new(d(2026, 1, 15), Receipt, dec!(100)),
            ],
            vec![
                ArItem::new(d(2025, 11, 1), Shipment, dec!(100)),
                ArItem::new(d(2026, 3, 1), Receipt, dec!(60)),
                ArItem::new(d(2026, 4, 1), Receipt, dec!(40)),
            ],
            vec![
                ArItem::new(d(2025, 1, 1), Receipt, dec!(500)),
                ArItem::new(d(2026, 2, 1), Shipment, dec!(300)),
                ArItem::new(d(2026, 6, 1), Shipment, dec!(300)),
            ],
            vec![
                ArItem::new(d(2026, 1, 1), Opening, dec!(50)),
                ArItem::new(d(2026, 1, 1), Shipment, dec!(50)),
                ArItem::new(d(2026, 2, 1), Receipt, dec!(-10)),
                ArItem::new(d(2026, 2, 2), Receipt, dec!(100)),
                ArItem::new(d(2026, 9, 30), Receipt, dec!(10)),
            ],
            vec![
                ArItem::new(d(2024, 5, 1), Shipment, dec!(80)),
                ArItem::new(d(2026, 12, 1), Receipt, dec!(80)),
            ],
            vec![ArItem::new(d(2026, 5, 1), Receipt, dec!(80))],
        ];
        let got: Vec<bool> = ledgers
            .iter()
            .map(|l| late_at_a_month_end(l, month))
            .collect();
        let want: Vec<bool> = ledgers.iter().map(|l| per_month_end(l)).collect();
        assert_eq!(got, want);
        assert_eq!(got, [false, true, true, true, true, false]);
    }
}
