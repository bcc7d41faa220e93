//! Salesperson statistics (DOMAIN §2.4, M31–M58; the items of §1.A.8 and §1.A.9).
//!
//! Attribution follows C4 everywhere: the line's 业务员, else the customer's 负责人, and for a 通信
//! order with neither, the salesperson whose 负责区域 is the customer's 区域; whatever is left is
//! the "未指定" row, so every per-salesperson column reconciles to the company figure. 实销额 is
//! always summed from `ctx.entries`; the line-level items (订货, 折扣, 作废, 优惠) and the 退货 items
//! are summed from the records with the same attribution, so the M37 chain holds per person.

use super::grading::{line_key, return_cid, CostEntry, Costs, Directory, Keys, Window};
use super::sales::{deduction_date, NetEntry, NO_REGION};
use super::{add_to, growth, missing_table, ratio, Column, Ctx, Kind, Month, Table, Value};
use crate::config::Config;
use crate::error::Msg;
use crate::model::{Dataset, Receipt, Return, SaleLine, Salesperson, Target};
use chrono::NaiveDate;
use rust_decimal::{Decimal, RoundingStrategy};
use std::collections::{BTreeMap, BTreeSet};

use super::{HashMap, HashSet};
use std::sync::Arc;

/// The row of everything no salesperson can be found for (C4).
pub const UNASSIGNED: &str = "未指定";
const NO_GROUP: &str = "未分组";

// ───────────────────────────── classification rules ─────────────────────────────

/// M32 订货方式.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Channel {
    /// 推销: taken 访问时.
    Visit,
    /// 通信: 来电或信件.
    Remote,
    /// 未注明.
    Unknown,
}

/// M32 value map: 推销/拜访/访问/上门 → 推销; 电话/来电/信件/来函/传真/邮件/网络/微信/通信 → 通信.
pub fn channel(v: Option<&str>) -> Channel {
    let Some(s) = v.map(str::trim).filter(|s| !s.is_empty()) else {
        return Channel::Unknown;
    };
    const VISIT: [&str; 4] = ["推销", "拜访", "访问", "上门"];
    const REMOTE: [&str; 9] = [
        "电话", "来电", "信件", "来函", "传真", "邮件", "网络", "微信", "通信",
    ];
    if VISIT.iter().any(|k| s.contains(k)) {
        Channel::Visit
    } else if REMOTE.iter().any(|k| s.contains(k)) {
        Channel::Remote
    } else {
        Channel::Unknown
    }
}

/// M33 return reasons, in the seed's column order.
pub const REASONS: [&str; 4] = ["误期", "业务", "品质", "其他"];

/// M33: the typed 退货原因类别 when it is one of the four; otherwise the keyword map on 退货原因
/// with precedence 品质 > 误期 > 业务 > 其他 (blank or unmatched → 其他).
pub fn return_reason(cat: Option<&str>, text: Option<&str>) -> &'static str {
    if let Some(c) = cat.map(str::trim) {
        if let Some(r) = REASONS.iter().find(|r| **r == c) {
            return r;
        }
    }
    let t = text.unwrap_or_default();
    const QUALITY: [&str; 10] = [
        "品质",
        "质量",
        "次品",
        "不合格",
        "破损",
        "损坏",
        "瑕疵",
        "变质",
        "过期",
        "故障",
    ];
    const LATE: [&str; 9] = [
        "误期",
        "逾期",
        "延期",
        "延迟",
        "晚到",
        "送货晚",
        "未按期",
        "提前送",
        "交期",
    ];
    const BUSINESS: [&str; 11] = [
        "业务",
        "供货不及时",
        "缺货",
        "断货",
        "少发",
        "漏发",
        "错发",
        "发错",
        "规格不符",
        "型号不符",
        "单据错误",
    ];
    let hit = |ks: &[&str]| ks.iter().any(|k| t.contains(k));
    if hit(&QUALITY) {
        "品质"
    } else if hit(&LATE) {
        "误期"
    } else if hit(&BUSINESS) {
        "业务"
    } else {
        "其他"
    }
}

/// M34: 状态 values that mean 作废 (ingest maps them to `cancelled`; kept for raw text too).
pub fn is_cancel_word(s: &str) -> bool {
    matches!(s.trim(), "作废" | "取消" | "已取消" | "撤单")
}

/// M40 note methods.
pub fn is_note_method(m: Option<&str>) -> bool {
    m.is_some_and(|m| {
        ["期票", "商业承兑汇票", "银行承兑汇票", "远期支票"]
            .iter()
            .any(|k| m.contains(k))
    })
}

/// M40: P/L = face × r × (60 − term_days) / 365, rounded half-up to 0.01; `loss_only` keeps losses.
pub fn note_pl(face: Decimal, rate: Decimal, term_days: i64, loss_only: bool) -> Decimal {
    let pl = (face * rate * Decimal::from(60 - term_days) / Decimal::from(365))
        .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
    if loss_only && pl > Decimal::ZERO {
        Decimal::ZERO
    } else {
        pl
    }
}

/// M56 profit variance: (销售额变动影响, 边际贡献率变动影响, 费用变动影响, ΔP).
pub fn profit_variance(
    s0: Decimal,
    m0: Decimal,
    e0: Decimal,
    s1: Decimal,
    m1: Decimal,
    e1: Decimal,
) -> (Decimal, Decimal, Decimal, Decimal) {
    let sales = (s1 - s0) * m0;
    let margin = s1 * (m1 - m0);
    let expense = -(e1 - e0);
    (sales, margin, expense, sales + margin + expense)
}

/// M52 按月平均法: `years` rows of 12 monthly amounts → 12 indices (ratios; they sum to 12).
/// None with fewer than 2 years or a zero grand mean ("数据不足").
pub fn seasonal_index(years: &[[Decimal; 12]]) -> Option<[Decimal; 12]> {
    if years.len() < 2 {
        return None;
    }
    let y = Decimal::from(years.len() as u64);
    let grand: Decimal = years
        .iter()
        .flat_map(|r| r.iter())
        .copied()
        .sum::<Decimal>()
        / (Decimal::from(12) * y);
    if grand.is_zero() {
        return None;
    }
    let mut out = [Decimal::ZERO; 12];
    for (m, o) in out.iter_mut().enumerate() {
        let mean = years.iter().map(|r| r[m]).sum::<Decimal>() / y;
        *o = mean / grand;
    }
    Some(out)
}

/// M53 ABC class (PROPOSED): A while the cumulative share including the item is ≤ 80%, B up to
/// 95%, C the rest.
pub fn abc_class(cum_share: Decimal) -> &'static str {
    if cum_share <= Decimal::new(80, 2) {
        "A"
    } else if cum_share <= Decimal::new(95, 2) {
        "B"
    } else {
        "C"
    }
}

/// M51 绩效等级 from the completion ratio.
pub fn perf_band(completion: Decimal, cfg: &Config) -> &'static str {
    let pct = completion * Decimal::from(100);
    let b = &cfg.perf_bands;
    if pct >= Decimal::from(b.excellent) {
        "优"
    } else if pct >= Decimal::from(b.good) {
        "良"
    } else if pct >= Decimal::from(b.fair) {
        "中"
    } else {
        "差"
    }
}

// ───────────────────────────── attribution ─────────────────────────────

/// One salesperson row.
#[derive(Debug, Clone, PartialEq)]
pub struct Person {
    /// The canonical key: 工号, or the name when T03 has no 工号, or the text as typed.
    pub key: String,
    pub staff_id: Option<String>,
    pub name: String,
    pub group: Option<String>,
    pub region: Option<String>,
    pub left: bool,
}

/// Sort key of a 组别 name: its leading number (一组 < 二组 < 十组, 2组 < 10组), then the text, so
/// groups read in their natural order rather than by code point (一, 三, 二).
pub fn group_key(g: &str) -> (u32, String) {
    let ascii: String = g.chars().take_while(char::is_ascii_digit).collect();
    if let Ok(n) = ascii.parse::<u32>() {
        return (n, g.to_string());
    }
    // Chinese numerals up to 99: 十 = 10, 十二 = 12, 二十 = 20, 二十三 = 23.
    let digit = |c: char| {
        "零一二三四五六七八九"
            .chars()
            .position(|d| d == c)
            .map(|i| i as u32)
    };
    let (mut tens, mut ones, mut seen) = (0u32, None::<u32>, false);
    for c in g.chars() {
        if let Some(d) = digit(c) {
            ones = Some(d);
        } else if c == '十' {
            tens = ones.take().unwrap_or(1) * 10;
        } else {
            break;
        }
        seen = true;
    }
    let n = if seen {
        tens + ones.unwrap_or(0)
    } else {
        u32::MAX
    };
    (n, g.to_string())
}

/// T03 plus the C4 rules.
pub struct Roster<'a> {
    pub people: Vec<Person>,
    index: HashMap<String, usize>,
    dir: Arc<Directory<'a>>,
    /// (date, customer) of staffless 通信 lines whose customer has no 负责人 (C4 territory rule).
    remote_orphans: HashSet<(NaiveDate, &'a str)>,
    /// Order lines by 订单编号, to give a return the staff and unit of what it returns. Built
    /// once with the roster: half the family's tables and three months of 摘要 KPIs look it up.
    orders: HashMap<&'a str, Vec<&'a SaleLine>>,
    /// First-ever non-cancelled order date per customer key (C9).
    first: HashMap<&'a str, NaiveDate>,
}

impl<'a> Roster<'a> {
    pub fn new(ds: &'a Dataset) -> Roster<'a> {
        Roster::with_directory(ds, Arc::new(Directory::new(ds)))
    }

    /// [`Roster::new`] sharing a directory already built.
    pub fn with_directory(ds: &'a Dataset, dir: Arc<Directory<'a>>) -> Roster<'a> {
        Roster::with_keys(ds, dir, None)
    }

    /// [`Roster::with_directory`] with the lines' customer numbers at hand (`Ctx::roster`): the
    /// first orders (C9) are then found per number, not by hashing every line's key.
    pub fn with_keys(ds: &'a Dataset, dir: Arc<Directory<'a>>, keys: Option<&Keys>) -> Roster<'a> {
        let mut people = Vec::new();
        let mut index = HashMap::default();
        for s in ds.salespeople.iter().flatten() {
            let Salesperson {
                staff_id,
                name,
                group,
                region,
                status,
                ..
            } = s;
            let key = if staff_id.trim().is_empty() {
                name.clone()
            } else {
                staff_id.clone()
            };
            if index.contains_key(&key) {
                continue;
            }
            let i = people.len();
            people.push(Person {
                key: key.clone(),
                staff_id: (!staff_id.trim().is_empty()).then(|| staff_id.clone()),
                name: name.clone(),
                group: group.clone(),
                region: region.clone(),
                left: status.as_deref().is_some_and(|s| s.contains("离职")),
            });
            index.insert(key, i);
            if !name.is_empty() {
                index.entry(name.clone()).or_insert(i);
            }
        }
        let mut remote_orphans = HashSet::default();
        for l in ds.sales.iter().flatten().filter(|l| !l.cancelled) {
            let cid = line_key(l);
            if l.staff.is_none()
                && dir.owner_ref(cid).is_none()
                && channel(l.order_channel.as_deref()) == Channel::Remote
            {
                remote_orphans.insert((l.order_date, cid));
            }
        }
        let lines = ds.sales.as_deref().unwrap_or(&[]);
        Roster {
            people,
            index,
            dir,
            remote_orphans,
            orders: orders_index(lines, keys.map_or(0, Keys::orders)),
            first: match keys {
                Some(k) => first_orders_by_number(lines, k),
                None => first_orders(lines),
            },
        }
    }

    /// A customer key's first-ever non-cancelled 订货日期 (C9).
    pub fn first_order(&self, cid: &str) -> Option<NaiveDate> {
        self.first.get(cid).copied()
    }

    /// The T01 directory the roster resolves 负责人 through.
    pub fn directory(&self) -> &Directory<'a> {
        &self.dir
    }

    /// The canonical key of a typed 业务员 (工号 or 姓名); unknown text is kept as typed.
    pub fn resolve(&self, s: Option<&str>) -> String {
        self.resolve_ref(s).to_owned()
    }

    /// [`Roster::resolve`] borrowed, for the loops that sum per salesperson.
    pub fn resolve_ref<'s>(&'s self, s: Option<&'s str>) -> &'s str {
        match s.map(str::trim).filter(|s| !s.is_empty()) {
            None => UNASSIGNED,
            Some(t) => self
                .index
                .get(t)
                .map_or(t, |i| self.people[*i].key.as_str()),
        }
    }

    /// The salesperson whose 负责区域 is `region`, when exactly one is.
    fn territory(&self, region: &str) -> Option<&str> {
        let mut it = self
            .people
            .iter()
            .filter(|p| !p.left && p.region.as_deref() == Some(region));
        match (it.next(), it.next()) {
            (Some(p), None) => Some(p.key.as_str()),
            _ => None,
        }
    }

    /// C4 for an order line.
    pub fn line_staff(&self, l: &SaleLine) -> String {
        self.line_staff_ref(l).to_owned()
    }

    /// [`Roster::line_staff`] borrowed, for the loops that sum per salesperson.
    pub fn line_staff_ref<'s>(&'s self, l: &'s SaleLine) -> &'s str {
        let cid = line_key(l);
        // The 负责人 is looked up only for a line without 业务员 (`or` looked it up for every line).
        if let Some(s) = l.staff.as_deref().or_else(|| self.dir.owner_ref(cid)) {
            return self.resolve_ref(Some(s));
        }
        if channel(l.order_channel.as_deref()) == Channel::Remote {
            let region = l
                .region
                .as_deref()
                .or_else(|| self.dir.get(cid).and_then(|c| c.region.as_deref()))
                .unwrap_or(NO_REGION);
            if let Some(t) = self.territory(region) {
                return t;
            }
        }
        UNASSIGNED
    }

    /// C4 for a 实销额 entry (its staff is already line → 负责人; the territory rule is applied
    /// to the entries of staffless 通信 lines, so entries and lines agree). A staffless sale entry
    /// is matched to its line by (订货日期, 客户): the entry does not carry the 订货方式.
    pub fn entry_staff(&self, e: &NetEntry) -> String {
        self.entry_staff_ref(e).to_owned()
    }

    /// [`Roster::entry_staff`] borrowed.
    pub fn entry_staff_ref<'s>(&'s self, e: &'s NetEntry) -> &'s str {
        self.attributed(
            e.staff.as_deref(),
            e.date,
            &e.customer_id,
            &e.region,
            e.amount >= Decimal::ZERO,
        )
    }

    /// C4 for a cost entry, the same way as the matching 实销额 entry.
    pub fn cost_staff(&self, e: &CostEntry) -> String {
        self.cost_staff_ref(e).to_owned()
    }

    /// [`Roster::cost_staff`] borrowed.
    pub fn cost_staff_ref<'s>(&'s self, e: &'s CostEntry) -> &'s str {
        self.attributed(
            e.staff.as_deref(),
            e.date,
            &e.customer_id,
            &e.region,
            !e.is_return,
        )
    }

    fn attributed<'s>(
        &'s self,
        staff: Option<&'s str>,
        date: NaiveDate,
        cid: &str,
        region: &str,
        is_sale: bool,
    ) -> &'s str {
        if staff.is_some() {
            return self.resolve_ref(staff);
        }
        if is_sale && self.remote_orphans.contains(&(date, cid)) {
            if let Some(t) = self.territory(region) {
                return t;
            }
        }
        UNASSIGNED
    }

    /// C4 for a receipt: its 业务员, else the customer's 负责人.
    pub fn receipt_staff(&self, r: &Receipt) -> String {
        self.receipt_staff_ref(r).to_owned()
    }

    /// [`Roster::receipt_staff`] borrowed.
    pub fn receipt_staff_ref<'s>(&'s self, r: &'s Receipt) -> &'s str {
        let cid = r
            .customer_id
            .as_deref()
            .or(r.customer_name.as_deref())
            .unwrap_or_default();
        self.resolve_ref(r.staff.as_deref().or_else(|| self.dir.owner_ref(cid)))
    }

    pub fn person(&self, key: &str) -> Option<&Person> {
        self.index.get(key).map(|i| &self.people[*i])
    }

    pub fn group_of(&self, key: &str) -> String {
        self.person(key)
            .and_then(|p| p.group.clone())
            .unwrap_or_else(|| NO_GROUP.into())
    }

    /// Row order: 组别, then 工号; unknown names after T03, 未指定 last.
    /// [`Roster::order`] of `keys` plus every salesperson still employed, so a person with no
    /// figures this period still has a row.
    pub fn order_with_staff<'k>(&self, keys: impl IntoIterator<Item = &'k String>) -> Vec<String> {
        let active = self
            .people
            .iter()
            .filter(|p| !p.left)
            .map(|p| p.key.clone());
        self.order(keys.into_iter().cloned().chain(active))
    }

    pub fn order(&self, keys: impl IntoIterator<Item = String>) -> Vec<String> {
        let mut v: Vec<String> = keys
            .into_iter()
            .collect::<BTreeSet<_>>()
            .into_iter()
            .collect();
        v.sort_by_key(|k| {
            let (known, group) = match self.person(k) {
                Some(p) => (0, group_key(p.group.as_deref().unwrap_or_default())),
                None if k == UNASSIGNED => (2, group_key("")),
                None => (1, group_key("")),
            };
            (known, group, k.clone())
        });
        v
    }

    /// (组别, 工号, 姓名) cells of a row.
    pub fn cells(&self, key: &str) -> [Value; 3] {
        match self.person(key) {
            Some(p) => [
                Value::Text(p.group.clone().unwrap_or_default()),
                p.staff_id.clone().map_or(Value::Empty, Value::Text),
                Value::Text(p.name.clone()),
            ],
            None => [Value::Empty, Value::Empty, Value::Text(key.to_string())],
        }
    }
}

pub fn receipt_cid(r: &Receipt) -> String {
    receipt_key(r).to_owned()
}

/// [`receipt_cid`] borrowed.
pub fn receipt_key(r: &Receipt) -> &str {
    r.customer_id
        .as_deref()
        .or(r.customer_name.as_deref())
        .unwrap_or_default()
}

/// Return attribution exactly as the 实销额 entries do it: the original line's 业务员, else the
/// return's, else the customer's 负责人.
pub fn return_staff(r: &Return, orig: Option<&SaleLine>, roster: &Roster) -> String {
    return_staff_ref(r, orig, roster).to_owned()
}

/// [`return_staff`] borrowed.
pub fn return_staff_ref<'s>(
    r: &'s Return,
    orig: Option<&'s SaleLine>,
    roster: &'s Roster,
) -> &'s str {
    let cid = r
        .customer_id
        .as_deref()
        .or(r.customer_name.as_deref())
        .unwrap_or_default();
    roster.resolve_ref(
        orig.and_then(|l| l.staff.as_deref())
            .or(r.staff.as_deref())
            .or(roster.dir.owner_ref(cid)),
    )
}

/// The line a return returns (same product first, else the order's first line).
pub fn original_line<'l>(
    r: &Return,
    by_order: &HashMap<&str, Vec<&'l SaleLine>>,
) -> Option<&'l SaleLine> {
    let ls = by_order.get(r.orig_order_no.as_deref()?)?;
    ls.iter()
        .find(|l| r.product_id.is_some() && l.product_id == r.product_id)
        .or_else(|| ls.first())
        .copied()
}

/// Lines by 订单编号; `orders` is how many there are likely to be (the map is sized once instead
/// of growing through a million lines).
fn orders_index(lines: &[SaleLine], orders: usize) -> HashMap<&str, Vec<&SaleLine>> {
    let mut m: HashMap<&str, Vec<&SaleLine>> =
        HashMap::with_capacity_and_hasher(orders, Default::default());
    // Each run of an order's lines is looked up once and appended whole (sheet order kept).
    for (no, run) in super::order_runs(lines) {
        m.entry(no).or_default().extend(run);
    }
    m
}

/// Quantity that is only summed within one 单位 (C8).
#[derive(Debug, Clone, Default)]
pub struct QtyAcc {
    pub qty: Decimal,
    units: BTreeSet<String>,
}

impl QtyAcc {
    pub fn add(&mut self, qty: Decimal, unit: Option<&str>) {
        self.qty += qty;
        if let Some(u) = unit.map(str::trim).filter(|u| !u.is_empty()) {
            self.units.insert(u.to_string());
        }
    }
    pub fn merge(&mut self, o: &QtyAcc) {
        self.qty += o.qty;
        self.units.extend(o.units.iter().cloned());
    }
    /// Blank when units are mixed.
    pub fn value(&self) -> Value {
        if self.units.len() > 1 {
            Value::Empty
        } else {
            Value::Qty(self.qty)
        }
    }
    pub fn mixed(&self) -> bool {
        self.units.len() > 1
    }
}

// ───────────────────────────── targets (M49) ─────────────────────────────

#[derive(Clone, Copy)]
enum Period {
    Month(Month),
    Year(i32),
}

fn period_of(t: &Target) -> Option<Period> {
    let p = t.period.trim();
    if p.len() == 4 {
        p.parse().ok().map(Period::Year)
    } else {
        p.parse::<Month>().ok().map(Period::Month)
    }
}

/// M49 月标准销售额 for the target rows `rows` (one salesperson or group): the monthly row of the
/// month; with no monthly row in that year, the annual row / 12.
pub fn month_target(rows: &[&Target], month: Month) -> Option<Decimal> {
    month_target_of(rows.iter().map(|t| (period_of(t), *t)), month)
}

/// [`month_target`] of rows whose 期间 is already parsed ([`parsed_targets_by_staff`]): the
/// tables ask for every salesperson's target of every month, and parsing each row's period each
/// time was a tenth of the family's work.
fn month_target_of<'t>(
    rows: impl IntoIterator<Item = (Option<Period>, &'t Target)>,
    month: Month,
) -> Option<Decimal> {
    let mut monthly_in_year = false;
    let mut this = None;
    let mut annual = None;
    for (period, t) in rows {
        match period {
            Some(Period::Month(m)) if m.year == month.year => {
                monthly_in_year = true;
                if m == month {
                    let v = t.std_monthly_sales.unwrap_or(t.target_sales);
                    this = Some(this.unwrap_or(Decimal::ZERO) + v);
                }
            }
            Some(Period::Year(y)) if y == month.year => {
                annual = Some(annual.unwrap_or(Decimal::ZERO) + t.target_sales);
            }
            _ => {}
        }
    }
    if monthly_in_year {
        this
    } else {
        annual.map(|a| a / Decimal::from(12))
    }
}

/// Target rows per salesperson key.
fn targets_by_staff<'t>(
    targets: &'t [Target],
    roster: &Roster,
) -> BTreeMap<String, Vec<&'t Target>> {
    let mut m: BTreeMap<String, Vec<&Target>> = BTreeMap::new();
    for t in targets.iter().filter(|t| t.staff.is_some()) {
        m.entry(roster.resolve(t.staff.as_deref()))
            .or_default()
            .push(t);
    }
    m
}

/// [`targets_by_staff`] with each row's 期间 parsed once.
fn parsed_targets_by_staff<'t>(
    targets: &'t [Target],
    roster: &Roster,
) -> BTreeMap<String, Vec<(Option<Period>, &'t Target)>> {
    targets_by_staff(targets, roster)
        .into_iter()
        .map(|(k, rows)| (k, rows.into_iter().map(|t| (period_of(t), t)).collect()))
        .collect()
}

// ───────────────────────────── per-salesperson month figures ─────────────────────────────

/// Everything one salesperson's row shows for one month.
#[derive(Debug, Clone, Default)]
pub struct Figures {
    pub new_customers: BTreeSet<String>,
    pub new_qty: QtyAcc,
    pub new_amt: Decimal,
    pub chan_qty: BTreeMap<Channel, QtyAcc>,
    pub chan_amt: BTreeMap<Channel, Decimal>,
    /// M36 订货累计额 (all lines, cancelled included).
    pub ordered: Decimal,
    pub discount: Decimal,
    pub rebate: Decimal,
    pub void_qty: QtyAcc,
    pub void_amt: Decimal,
    /// Cancelled lines with a 发货日期 (a data error: should be a return).
    pub void_shipped: Decimal,
    pub ret_qty: BTreeMap<&'static str, QtyAcc>,
    pub ret_amt: BTreeMap<&'static str, Decimal>,
    /// M37, from the entries.
    pub net: Decimal,
    pub collected: Decimal,
}

impl Figures {
    pub fn returns(&self) -> Decimal {
        self.ret_amt.values().copied().sum()
    }
}

/// First-ever non-cancelled order date per customer (C9).
fn first_orders(lines: &[SaleLine]) -> HashMap<&str, NaiveDate> {
    let mut m: HashMap<&str, NaiveDate> = HashMap::default();
    for l in lines.iter().filter(|l| !l.cancelled) {
        let e = m.entry(line_key(l)).or_insert(l.order_date);
        if l.order_date < *e {
            *e = l.order_date;
        }
    }
    m
}

/// [`first_orders`] through the lines' customer numbers: the earliest date per number (and a
/// line that carries its key), keyed once per customer.
fn first_orders_by_number<'l>(lines: &'l [SaleLine], keys: &Keys) -> HashMap<&'l str, NaiveDate> {
    let mut first: Vec<Option<(NaiveDate, usize)>> = vec![None; keys.customers()];
    for (i, (l, &n)) in lines.iter().zip(keys.line_customers()).enumerate() {
        if l.cancelled {
            continue;
        }
        match first.get_mut(n as usize) {
            Some(Some((d, _))) => {
                if l.order_date < *d {
                    *d = l.order_date;
                }
            }
            Some(slot) => *slot = Some((l.order_date, i)),
            None => {}
        }
    }
    first
        .into_iter()
        .flatten()
        .filter_map(|(d, i)| Some((line_key(lines.get(i)?), d)))
        .collect()
}

/// The month's figures per salesperson key (M31–M38).
pub fn month_figures(ctx: &Ctx, roster: &Roster, w: Window) -> BTreeMap<String, Figures> {
    let (ds, closed) = (ctx.ds, &ctx.cfg.closed_periods);
    let first = &roster.first;
    // Gathered under borrowed keys (no String and no string-ordered lookup per line), each
    // salesperson's figures added in the same order; sorted into the BTreeMap at the end.
    let mut out: HashMap<&str, Figures> = HashMap::default();
    for l in ctx.lines_in(w) {
        let f = out.entry(roster.line_staff_ref(l)).or_default();
        f.ordered += l.amount;
        if l.cancelled {
            if l.ship_date.is_some() {
                f.void_shipped += l.amount;
            } else {
                f.void_qty.add(l.qty, l.unit.as_deref());
                f.void_amt += l.amount;
            }
            continue;
        }
        f.discount += l.discount;
        f.rebate += l.rebate;
        let cid = line_key(l);
        if first.get(cid).is_some_and(|d| w.contains(*d)) {
            if !f.new_customers.contains(cid) {
                f.new_customers.insert(cid.to_owned());
            }
            f.new_qty.add(l.qty, l.unit.as_deref());
            f.new_amt += l.amount;
        } else {
            let c = channel(l.order_channel.as_deref());
            f.chan_qty
                .entry(c)
                .or_default()
                .add(l.qty, l.unit.as_deref());
            *f.chan_amt.entry(c).or_default() += l.amount;
        }
    }
    let by_order = &roster.orders;
    for r in ds
        .returns
        .iter()
        .flatten()
        .filter(|r| !r.exchange && w.contains(deduction_date(r.return_date, closed)))
    {
        let orig = original_line(r, by_order);
        let f = out.entry(return_staff_ref(r, orig, roster)).or_default();
        let reason = return_reason(r.reason_cat.as_deref(), r.reason_text.as_deref());
        let unit = orig.and_then(|l| l.unit.as_deref());
        f.ret_qty.entry(reason).or_default().add(r.qty, unit);
        *f.ret_amt.entry(reason).or_default() += r.amount;
    }
    for e in ctx.entries_in(w) {
        out.entry(roster.entry_staff_ref(e)).or_default().net += e.amount;
    }
    for r in ds
        .receipts
        .iter()
        .flatten()
        .filter(|r| w.contains(r.receipt_date))
    {
        out.entry(roster.receipt_staff_ref(r))
            .or_default()
            .collected += r.amount;
    }
    out.into_iter().map(|(k, v)| (k.to_owned(), v)).collect()
}

/// Σ 实销额 per salesperson key over `w`.
pub fn net_by_staff(entries: &[NetEntry], roster: &Roster, w: Window) -> BTreeMap<String, Decimal> {
    net_by_staff_of(entries.iter().filter(|e| w.contains(e.date)), roster)
}

/// [`net_by_staff`] of the entries already cut to a window ([`Ctx::entries_in`]).
pub fn net_by_staff_of<'a: 'e, 'e>(
    entries: impl IntoIterator<Item = &'e NetEntry<'a>>,
    roster: &Roster,
) -> BTreeMap<String, Decimal> {
    // Summed under borrowed keys in a hash map (each key's entries add in the same order as in
    // a BTreeMap, so the sums are the same to the last digit of scale).
    let mut m: HashMap<&str, Decimal> = HashMap::default();
    for e in entries {
        *m.entry(roster.entry_staff_ref(e)).or_default() += e.amount;
    }
    super::grading::owned_keys(m)
}

/// Σ 实收 per salesperson key over `w`.
pub fn collected_by_staff(ds: &Dataset, roster: &Roster, w: Window) -> BTreeMap<String, Decimal> {
    let mut m = BTreeMap::new();
    for r in ds
        .receipts
        .iter()
        .flatten()
        .filter(|r| w.contains(r.receipt_date))
    {
        add_to(&mut m, roster.receipt_staff_ref(r), r.amount);
    }
    m
}

/// True for the 方式 values that are a visit (拜访, 节假日走访, 上门, 访问); calls and messages are not.
pub fn is_visit(method: Option<&str>) -> bool {
    method.is_some_and(|m| {
        ["拜访", "走访", "上门", "访问"]
            .iter()
            .any(|k| m.contains(k))
    })
}

/// M28 拜访客户数量: per salesperson key, the distinct customers visited in `w` (T08).
pub fn visited_customers(
    ds: &Dataset,
    roster: &Roster,
    w: Window,
) -> BTreeMap<String, BTreeSet<String>> {
    let mut m: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for i in ds.interactions.iter().flatten() {
        if !w.contains(i.contact_time.date()) || !is_visit(i.method.as_deref()) {
            continue;
        }
        if let Some(c) = i.customer_id.clone().or_else(|| i.customer_name.clone()) {
            m.entry(roster.resolve(Some(&i.staff)))
                .or_default()
                .insert(c);
        }
    }
    m
}

// ───────────────────────────── AR and notes (M39, M40) ─────────────────────────────

/// True when the sales sheet has no 发货日期 at all: shipments then use the 订货日期 (C2).
fn ship_by_order_date(lines: &[SaleLine]) -> bool {
    !lines.iter().any(|l| l.ship_date.is_some())
}

fn ship_date(l: &SaleLine, by_order: bool) -> Option<NaiveDate> {
    if by_order {
        Some(l.order_date)
    } else {
        l.ship_date
    }
}

/// One promissory note's M40 figures.
#[derive(Debug, Clone, PartialEq)]
pub struct NotePl {
    pub receipt_date: NaiveDate,
    pub staff: String,
    pub base: NaiveDate,
    pub term_days: i64,
    pub pl: Decimal,
}

/// M40 for every note receipt with a 到期日. Base date: the linked order's 发货日期; else the oldest
/// unpaid shipment of the customer (FIFO against earlier receipts); else the 收款日期.
pub fn note_pls(ds: &Dataset, cfg: &Config, roster: &Roster) -> Vec<NotePl> {
    note_pls_with(ds, cfg, roster, None)
}

/// [`note_pls`] with the lines' customer numbers at hand ([`super::Ctx::keys`]). Only the
/// customers of note receipts that fall back to the FIFO base need their shipments, so only
/// theirs are gathered (gathering every customer's, from every line, was most of the work), and
/// with the numbers a line is checked without hashing its key.
pub fn note_pls_with(
    ds: &Dataset,
    cfg: &Config,
    roster: &Roster,
    keys: Option<&Keys>,
) -> Vec<NotePl> {
    let lines = ds.sales.as_deref().unwrap_or(&[]);
    let by_order_date = ship_by_order_date(lines);
    let idx = &roster.orders;
    let mut receipts: Vec<&Receipt> = ds.receipts.iter().flatten().collect();
    receipts.sort_by_key(|r| r.receipt_date);
    // Each note receipt with a 到期日: its due date and the linked order's 发货日期, if any.
    let notes: Vec<Option<(NaiveDate, Option<NaiveDate>)>> = receipts
        .iter()
        .map(|r| {
            let (true, Some(due)) = (is_note_method(r.method.as_deref()), r.note_due_date) else {
                return None;
            };
            let linked = r
                .applied_order_no
                .as_deref()
                .and_then(|no| idx.get(no))
                .and_then(|ls| ls.iter().filter_map(|l| ship_date(l, by_order_date)).min());
            Some((due, linked))
        })
        .collect();
    // The customers whose shipments the FIFO base reads.
    let fifo: HashSet<&str> = receipts
        .iter()
        .zip(&notes)
        .filter(|(_, n)| matches!(n, Some((_, None))))
        .map(|(r, _)| receipt_key(r))
        .collect();
    // Keyed borrowed: no String per line or receipt.
    let mut shipments: HashMap<&str, Vec<(NaiveDate, Decimal)>> = HashMap::default();
    if !fifo.is_empty() {
        for c in ds.customers.iter().flatten() {
            if let (Some(v), Some(dt)) = (c.opening_ar, c.opening_ar_date) {
                if fifo.contains(c.customer_id.as_str()) {
                    shipments
                        .entry(c.customer_id.as_str())
                        .or_default()
                        .push((dt, v));
                }
            }
        }
        // Per customer number, whether its shipments are read (None: no numbers, look keys up).
        let wanted: Option<(Vec<bool>, &[u32])> = keys.map(|k| {
            let mut w = vec![false; k.customers()];
            for n in k.numbers_of(fifo.iter().copied()) {
                if let Some(x) = w.get_mut(n as usize) {
                    *x = true;
                }
            }
            (w, k.line_customers())
        });
        // A customer's lines mostly follow each other (an order's lines): each run of one key's
        // shipments is gathered apart and added to its list with one lookup, in line order.
        let mut run: Option<&str> = None;
        let mut buf: Vec<(NaiveDate, Decimal)> = Vec::new();
        for (i, l) in lines.iter().enumerate() {
            if l.cancelled {
                continue;
            }
            let keep = match &wanted {
                Some((w, of_line)) => of_line
                    .get(i)
                    .and_then(|n| w.get(*n as usize))
                    .copied()
                    .unwrap_or(false),
                None => fifo.contains(line_key(l)),
            };
            if !keep {
                continue;
            }
            if let Some(sd) = ship_date(l, by_order_date) {
                let k = line_key(l);
                if run != Some(k) {
                    if let Some(r) = run {
                        shipments.entry(r).or_default().append(&mut buf);
                    }
                    run = Some(k);
                }
                buf.push((sd, l.amount - l.discount - l.rebate));
            }
        }
        if let Some(r) = run {
            shipments.entry(r).or_default().append(&mut buf);
        }
        for v in shipments.values_mut() {
            v.sort();
        }
    }
    let mut paid: HashMap<&str, Decimal> = HashMap::default();
    let mut out = Vec::new();
    let loss_only = cfg.note_pl_mode == "loss_only";
    for (r, note) in receipts.into_iter().zip(notes) {
        let cid = receipt_key(r);
        let paid_so_far = paid.entry(cid).or_default();
        let paid_before = *paid_so_far;
        *paid_so_far += r.amount;
        let Some((due, linked)) = note else {
            continue;
        };
        let fifo = || {
            let mut cum = Decimal::ZERO;
            shipments.get(cid)?.iter().find_map(|(dt, v)| {
                cum += *v;
                (cum > paid_before).then_some(*dt)
            })
        };
        let base = linked.or_else(fifo).unwrap_or(r.receipt_date);
        let term = (due - base).num_days();
        out.push(NotePl {
            receipt_date: r.receipt_date,
            staff: roster.receipt_staff(r),
            base,
            term_days: term,
            pl: note_pl(r.amount, cfg.note_interest_rate, term, loss_only),
        });
    }
    out
}

// ───────────────────────────── tables ─────────────────────────────

fn month_w(m: Month) -> Window {
    Window::months(m, m)
}

fn money_or_empty(v: Option<Decimal>) -> Value {
    v.map_or(Value::Empty, Value::Money)
}

fn ratio_opt(n: Decimal, d: Option<Decimal>) -> Value {
    d.map_or(Value::NotApplicable, |d| ratio(n, d))
}

fn sum_opt<'x>(it: impl Iterator<Item = &'x Option<Decimal>>) -> Option<Decimal> {
    it.fold(None, |a, v| match (a, v) {
        (None, None) => None,
        (a, v) => Some(a.unwrap_or_default() + v.unwrap_or_default()),
    })
}

/// Completion of a totals row: Σ actual of the rows that have a target / Σ of those targets, so
/// a row without a target neither inflates nor dilutes it. "—" when no row has a target.
fn covered_ratio(pairs: impl IntoIterator<Item = (Decimal, Option<Decimal>)>) -> Value {
    let (mut a, mut t) = (Decimal::ZERO, None);
    for (x, y) in pairs {
        if let Some(y) = y {
            a += x;
            t = Some(t.unwrap_or(Decimal::ZERO) + y);
        }
    }
    ratio_opt(a, t)
}

fn staff_cols() -> Vec<Column> {
    vec![
        Column::new("group", "组别", "Group", Kind::Text),
        Column::new("staff_id", "工号", "Staff ID", Kind::Text),
        Column::new("name", "姓名", "Name", Kind::Text),
    ]
}

fn total_lead() -> Vec<Value> {
    vec![Value::Text("合计".into()), Value::Empty, Value::Empty]
}

/// The family's tables, in reading order: (id, 中文, English). A test keeps it equal to what
/// [`tables`] builds, so the missing-sheet pack has the same shape as the full one.
pub const TABLES: [(&str, &str, &str); 22] = [
    (
        "sales-performance",
        "月度销售实绩统计表",
        "Monthly sales performance",
    ),
    (
        "salesperson-orders",
        "新客户与固定客户订货",
        "Orders by customer type",
    ),
    (
        "returns-by-reason",
        "销货退回 (按原因)",
        "Returns by reason",
    ),
    (
        "collections",
        "货款回收与应收",
        "Collections and receivables",
    ),
    (
        "gross-profit",
        "个人销售毛利统计表",
        "Gross profit by salesperson",
    ),
    ("sales-by-group", "月度组别销售实绩统计表", "Sales by group"),
    ("ranking", "业绩名次", "Ranking"),
    ("top-three", "业绩名次公布表 (前三名)", "Top three"),
    ("ranking-ytd", "累计业绩名次", "Year-to-date ranking"),
    (
        "monthly-sales",
        "实际销售总额与累计比较",
        "Net sales by month, YTD",
    ),
    (
        "salesperson-ytd",
        "个人每月业绩累计比较表",
        "Salesperson YTD",
    ),
    (
        "customer-ytd",
        "客户业绩统计与累计比较表",
        "Customer month and YTD",
    ),
    ("sales-by-category", "各种类销售额", "Net sales by category"),
    (
        "sales-by-industry",
        "各业种销售总额增长一览表",
        "Sales growth by industry",
    ),
    (
        "category-growth",
        "产品销售额增长一览表",
        "Growth by category",
    ),
    ("product-mix", "产品构成分析表", "Product mix"),
    ("profit-variance", "销售总利润增减分析表", "Profit variance"),
    ("seasonality", "销售额季节变动指数计算表", "Seasonal index"),
    (
        "seasonality-quarterly",
        "销售额季节变动指数 (季度)",
        "Quarterly seasonal index",
    ),
    (
        "customer-yearly-sales",
        "历年客户营业额统计表",
        "Customer sales by year",
    ),
    (
        "return-clawback",
        "跨月退货与奖金追回清单",
        "Cross-month returns",
    ),
    (
        "annual-appraisal",
        "年度业务绩效及费用考核表",
        "Annual performance and expense appraisal",
    ),
];

/// The family's tables for the report month, in reading order.
pub fn tables(ctx: &Ctx) -> Vec<Table> {
    if ctx.ds.sales.is_none() {
        return TABLES
            .iter()
            .map(|(id, zh, en)| missing_table(id, Msg::new(*zh, *en), "销售明细"))
            .collect();
    }
    let roster = ctx.roster();
    let costs = ctx.costs();
    let figs = month_figures(ctx, &roster, month_w(ctx.month));
    let targets = ctx.ds.targets.as_deref().unwrap_or(&[]);
    let tmap = parsed_targets_by_staff(targets, &roster);
    let keys = figs.keys();
    let order = roster.order_with_staff(keys);
    let target_of = |k: &str, m: Month| -> Option<Decimal> {
        // No 销售目标 sheet: no target, so completion is "—" (never 0).
        ctx.ds.targets.as_ref()?;
        tmap.get(k)
            .and_then(|rows| month_target_of(rows.iter().copied(), m))
    };
    let ranking = rank(ctx, &order, &figs, &target_of);
    let notes = note_pls_with(ctx.ds, ctx.cfg, &roster, Some(ctx.keys()));
    vec![
        performance_table(ctx, &roster, &order, &figs, &target_of, &ranking),
        orders_table(ctx, &roster, &order, &figs),
        returns_table(ctx, &roster, &order, &figs),
        collections_table(ctx, &roster, &order, &notes),
        gross_profit_table(ctx, &roster, &order, &figs, &costs, &notes),
        group_table(ctx, &roster, &order, &figs, &target_of),
        ranking_table(ctx, &roster, &ranking, None),
        ranking_table(ctx, &roster, &ranking, Some(3)),
        ranking_table_as(
            ctx,
            &roster,
            &rank_ytd(ctx, &roster, &order, &target_of),
            None,
            true,
        ),
        monthly_sales_table(ctx, &roster, &order, &target_of),
        salesperson_ytd_table(ctx, &roster, &order, &target_of),
        customer_ytd_table(ctx),
        category_table(ctx),
        industry_table(ctx),
        category_growth_table(ctx),
        product_mix_table(ctx, &costs),
        profit_variance_table(ctx, &costs),
        seasonality_table(ctx),
        seasonality_quarterly_table(ctx),
        customer_years_table(ctx),
        clawback_table(ctx, &roster),
        annual_appraisal_table(ctx, &roster, &order, &target_of, &costs, &notes),
    ]
}

/// 年度业务绩效及费用考核表 (§1 #92; M43–M45, M49, M51, M54) for the year to the report month:
/// 实销额, 目标 and 完成率, 实收款, 年末应收 (by the customers' 负责人), 开发费用 and 其他费用,
/// 费用率, 个人销售毛利, 期票利息损益, 个人销售净利润, 年度名次.
fn annual_appraisal_table(
    ctx: &Ctx,
    roster: &Roster,
    order: &[String],
    target_of: &dyn Fn(&str, Month) -> Option<Decimal>,
    costs: &Costs,
    notes_pl: &[NotePl],
) -> Table {
    let w = Window::ytd(ctx.month);
    let (ranked, by_target) = rank_ytd(ctx, roster, order, target_of);
    let place: HashMap<&str, usize> = ranked
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key.as_str(), i + 1))
        .collect();
    let net = ctx.net_by_staff(w);
    let got = collected_by_staff(ctx.ds, roster, w);
    let mut cost: BTreeMap<String, Decimal> = BTreeMap::new();
    for e in ctx.costs_in(w) {
        add_to(&mut cost, roster.cost_staff_ref(e), e.cost);
    }
    let mut pl: BTreeMap<String, Decimal> = BTreeMap::new();
    for n in notes_pl.iter().filter(|n| w.contains(n.receipt_date)) {
        *pl.entry(n.staff.clone()).or_default() += n.pl;
    }
    let exp = ctx
        .ds
        .expenses
        .is_some()
        .then(|| super::expenses::dev_other(ctx.ds, roster, w));
    let mut ar: BTreeMap<String, Decimal> = BTreeMap::new();
    let ledgers = ctx.ledgers();
    for l in ledgers.by_customer.values() {
        *ar.entry(roster.resolve(Some(&l.owner))).or_default() +=
            super::receivables::balance(&l.items, w.to);
    }
    let months: Vec<Month> = (1..=ctx.month.month)
        .filter_map(|i| Month::new(ctx.month.year, i))
        .collect();
    let g = |m: &BTreeMap<String, Decimal>, k: &str| m.get(k).copied().unwrap_or_default();
    let miss = |s: &str| Value::Missing(s.into());
    let row = |lead: Vec<Value>,
               net: Decimal,
               target: Option<Decimal>,
               got: Decimal,
               ar: Decimal,
               cost: Decimal,
               e: Option<(Decimal, Decimal)>,
               pl: Decimal,
               place: Value| {
        let mut r = lead;
        r.push(Value::Money(net));
        r.push(if ctx.ds.targets.is_some() {
            money_or_empty(target)
        } else {
            miss("销售目标")
        });
        r.push(if ctx.ds.targets.is_some() {
            ratio_opt(net, target)
        } else {
            miss("销售目标")
        });
        let rec = |v: Value| {
            if ctx.ds.receipts.is_some() {
                v
            } else {
                miss("收款记录")
            }
        };
        r.push(rec(Value::Money(got)));
        r.push(rec(Value::Money(ar)));
        match e {
            Some((d, o)) => {
                r.push(Value::Money(d));
                r.push(Value::Money(o));
                r.push(ratio(d + o, net));
            }
            None => r.extend([
                miss(super::expenses::SHEET),
                miss(super::expenses::SHEET),
                miss(super::expenses::SHEET),
            ]),
        }
        let gross = match (costs.any_cost, e) {
            (true, Some((d, o))) => Value::Money(net - cost - d - o),
            (false, _) => miss("成本"),
            (_, None) => miss(super::expenses::SHEET),
        };
        let note = rec(Value::Money(pl));
        let net_profit = match (&gross, &note) {
            (Value::Money(a), Value::Money(b)) => Value::Money(*a + *b),
            (Value::Money(_), other) => other.clone(),
            (a, _) => a.clone(),
        };
        r.extend([gross, note, net_profit, place]);
        r
    };
    let mut keys: BTreeSet<String> = order.iter().cloned().collect();
    keys.extend(exp.iter().flat_map(|e| e.keys().cloned()));
    let keys = roster.order(keys);
    let rows = keys
        .iter()
        .map(|k| {
            let target = months
                .iter()
                .try_fold(Decimal::ZERO, |a, m| target_of(k, *m).map(|t| a + t));
            row(
                roster.cells(k).into(),
                g(&net, k),
                target,
                g(&got, k),
                g(&ar, k),
                g(&cost, k),
                exp.as_ref().map(|e| e.get(k).copied().unwrap_or_default()),
                g(&pl, k),
                place
                    .get(k.as_str())
                    .map_or(Value::Empty, |p| Value::Int(*p as i64)),
            )
        })
        .collect();
    let sum = |m: &BTreeMap<String, Decimal>| m.values().copied().sum::<Decimal>();
    let company_target: Option<Decimal> = keys
        .iter()
        .filter(|k| *k != UNASSIGNED)
        .map(|k| {
            months
                .iter()
                .try_fold(Decimal::ZERO, |a, m| target_of(k, *m).map(|t| a + t))
        })
        .sum();
    let totals = row(
        total_lead(),
        sum(&net),
        company_target,
        sum(&got),
        sum(&ar),
        sum(&cost),
        exp.as_ref().map(|e| {
            e.values().fold((Decimal::ZERO, Decimal::ZERO), |a, v| {
                (a.0 + v.0, a.1 + v.1)
            })
        }),
        sum(&pl),
        Value::Empty,
    );
    let mut columns = staff_cols();
    columns.extend([
        Column::new("net_sales", "年度实销额", "Net sales", Kind::Money),
        Column::new("target", "年度目标", "Target", Kind::Money),
        Column::new("completion", "完成率", "Completion", Kind::Percent),
        Column::new("collected", "实收款", "Collected", Kind::Money),
        Column::new("ar", "年末应收", "Receivables at end", Kind::Money),
        Column::new(
            "dev_expense",
            "开发费用",
            "Development expenses",
            Kind::Money,
        ),
        Column::new("other_expense", "其他费用", "Other expenses", Kind::Money),
        Column::new("expense_rate", "费用率", "Expense rate", Kind::Percent),
        Column::new("gross_profit", "个人销售毛利", "Gross profit", Kind::Money),
        Column::new("note_pl", "期票利息损益", "Note P/L", Kind::Money),
        Column::new("net_profit", "个人销售净利润", "Net profit", Kind::Money),
        Column::new("rank", "年度名次", "Rank", Kind::Int),
    ]);
    Table {
        id: "annual-appraisal".into(),
        title: Msg::new(
            format!("{}年 年度业务绩效及费用考核表 (1月至{}月)", ctx.month.year, ctx.month.month),
            format!("Annual performance and expense appraisal, {} Jan–{}", ctx.month.year, ctx.month),
        ),
        columns,
        rows,
        totals: Some(totals),
        notes: vec![Msg::new(
            format!(
                "名次按{}排列 (M51); 年末应收按客户负责人归属; 费用率 = (开发费用 + 其他费用) / 实销额; 毛利 = 实销额 − 边际成本 − 开发费用 − 其他费用; 净利润 = 毛利 + 期票利息损益",
                if by_target { "累计目标完成率" } else { "累计实销额" }
            ),
            format!(
                "Ranked by {} (M51); receivables by the customers' owner; expense rate = expenses / net sales; gross profit = net sales − marginal cost − expenses; net profit adds the note P/L",
                if by_target { "cumulative target completion" } else { "cumulative net sales" }
            ),
        )],
    }
}

/// 客户开发人员个人销售实绩统计表 (§1.A.8), one per salesperson with activity or in T03: the
/// seed's items as rows (推销/通信 and the four return reasons as sub-rows), columns 数量 · 金额 ·
/// 备注, then the 第5条 collection items and 拜访客户数量. Not part of [`tables`]: the filled
/// form is printed per person.
pub fn performance_cards(ctx: &Ctx) -> Vec<Table> {
    let Some(_) = ctx.ds.sales.as_ref() else {
        return vec![missing_table(
            "performance-card",
            Msg::new(
                "客户开发人员个人销售实绩统计表",
                "Salesperson performance card",
            ),
            "销售明细",
        )];
    };
    let roster = ctx.roster();
    let w = month_w(ctx.month);
    let figs = month_figures(ctx, &roster, w);
    let visits = visited_customers(ctx.ds, &roster, w);
    // 本月应收货款: the receivables family's ledgers, summed by the customer's 负责人, so the card
    // agrees with its receivables-by-staff table.
    let mut ar: BTreeMap<String, Decimal> = BTreeMap::new();
    for led in ctx.ledgers().by_customer.values() {
        *ar.entry(roster.resolve(Some(&led.owner))).or_default() +=
            super::receivables::balance(&led.items, ctx.month.last_day());
    }
    let notes = note_pls(ctx.ds, ctx.cfg, &roster);
    let keys = figs.keys();
    let empty = Figures::default();
    let has_receipts = ctx.ds.receipts.is_some();
    roster
        .order_with_staff(keys)
        .into_iter()
        .map(|k| {
            let f = figs.get(&k).unwrap_or(&empty);
            let item = |name: &str, q: Value, a: Value, note: &str| {
                vec![Value::Text(name.into()), q, a, Value::Text(note.into())]
            };
            let chan = |c: Channel| {
                (
                    f.chan_qty
                        .get(&c)
                        .map_or(Value::Qty(Decimal::ZERO), QtyAcc::value),
                    Value::Money(f.chan_amt.get(&c).copied().unwrap_or_default()),
                )
            };
            let money_item = |name: &str, v: Decimal, note: &str| {
                item(name, Value::Empty, Value::Money(v), note)
            };
            let receipts_item = |name: &str, v: Decimal, note: &str| {
                if has_receipts {
                    money_item(name, v, note)
                } else {
                    item(name, Value::Empty, Value::Missing("收款记录".into()), note)
                }
            };
            let mut rows = vec![item(
                "新客户订货数量",
                f.new_qty.value(),
                Value::Money(f.new_amt),
                &format!("新客户 {} 户", f.new_customers.len()),
            )];
            let (q, a) = chan(Channel::Visit);
            rows.push(item("固定客户订货 · 推销订货", q, a, "访问时接受的订货"));
            let (q, a) = chan(Channel::Remote);
            rows.push(item("固定客户订货 · 通信订货", q, a, "来电或信件订货"));
            let (q, a) = chan(Channel::Unknown);
            rows.push(item("固定客户订货 · 未注明方式", q, a, ""));
            for (reason, note) in REASONS.iter().zip([
                "未按客户指定日期送货",
                "供货不及时等",
                "产品质量问题",
                "订货太多或滞销",
            ]) {
                rows.push(item(
                    &format!("销货退回 · {reason}"),
                    f.ret_qty
                        .get(reason)
                        .map_or(Value::Qty(Decimal::ZERO), QtyAcc::value),
                    Value::Money(f.ret_amt.get(reason).copied().unwrap_or_default()),
                    note,
                ));
            }
            rows.push(item(
                "销货作废",
                f.void_qty.value(),
                Value::Money(f.void_amt),
                "开单后未送货即取消",
            ));
            rows.push(money_item("销货优惠款额", f.rebate, "佣金、返利"));
            rows.push(money_item("折扣额", f.discount, ""));
            rows.push(money_item("订货累计额", f.ordered, "含作废"));
            rows.push(money_item(
                "实销额",
                f.net,
                "订货累计额扣除退货、折扣、作废和优惠",
            ));
            rows.push(receipts_item("本月实收款额(含期票)", f.collected, ""));
            rows.push(receipts_item(
                "本月应收货款(含截至本月底应收未收款)",
                ar.get(&k).copied().unwrap_or_default(),
                "",
            ));
            rows.push(receipts_item(
                "期票利息损益",
                notes
                    .iter()
                    .filter(|n| n.staff == k && ctx.month.contains(n.receipt_date))
                    .map(|n| n.pl)
                    .sum(),
                "以发货起60日为计算期",
            ));
            rows.push(item(
                "拜访客户数量",
                if ctx.ds.interactions.is_some() {
                    Value::Qty(Decimal::from(visits.get(&k).map_or(0, |s| s.len() as u64)))
                } else {
                    Value::Missing("客户互动记录".into())
                },
                Value::Empty,
                "",
            ));
            let name = roster.person(&k).map_or(k.clone(), |p| p.name.clone());
            Table {
                id: format!("performance-card-{k}"),
                title: Msg::new(
                    format!("{} 客户开发人员个人销售实绩统计表 · {name}", ctx.month.zh()),
                    format!("Salesperson performance, {} · {name}", ctx.month),
                ),
                columns: vec![
                    Column::new("item", "统计项目", "Item", Kind::Text),
                    Column::new("qty", "数量", "Quantity", Kind::Qty),
                    Column::new("amount", "金额", "Amount", Kind::Money),
                    Column::new("note", "备注", "Note", Kind::Text),
                ],
                rows,
                totals: None,
                notes: vec![],
            }
        })
        .collect()
}

/// The records that fill the 客户开发人员个人销售实绩统计表 form
/// (`templates/forms/salesperson_sales_performance.yaml`), one per salesperson: `staff`,
/// `period`, `sales_items` (its ten rows: 数量 `qty`, 金额 `amount`, 备注 `remark`),
/// `collection_items` (the three 第5条 rows), `visit_count` and `bonus_clawback`. Values are
/// display strings (¥1,234.50), as the form engine prints nested rows as given.
pub fn performance_records(ctx: &Ctx) -> Vec<serde_json::Value> {
    use crate::error::Lang;
    use crate::render::format;
    use serde_json::json;
    if ctx.ds.sales.is_none() {
        return vec![];
    }
    let show = |v: &Value| match v {
        Value::Money(d) => format!("¥{}", format::money(*d)),
        other => format::value(other, Lang::Zh),
    };
    let roster = ctx.roster();
    // 绩效奖金追回 (第6条, M41): cross-month returns × bonus_rate, per salesperson.
    let mut clawback: BTreeMap<String, Decimal> = BTreeMap::new();
    if let Some(rate) = ctx.cfg.bonus_rate {
        let idx = &roster.orders;
        for r in ctx.ds.returns.iter().flatten().filter(|r| {
            !r.exchange
                && ctx
                    .month
                    .contains(deduction_date(r.return_date, &ctx.cfg.closed_periods))
        }) {
            let orig = original_line(r, &idx);
            if orig.is_some_and(|o| Month::of(o.order_date) < ctx.month) {
                *clawback.entry(return_staff(r, orig, &roster)).or_default() += (r.amount * rate)
                    .round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero);
            }
        }
    }
    performance_cards(ctx)
        .into_iter()
        .filter_map(|card| {
            let key = card.id.strip_prefix("performance-card-")?.to_string();
            let row = |label: &str| {
                card.rows
                    .iter()
                    .find(|r| r.first() == Some(&Value::Text(label.into())))
                    .cloned()
                    .unwrap_or_else(|| vec![Value::Empty; 4])
            };
            let item = |label: &str| {
                let r = row(label);
                json!({"qty": show(&r[1]), "amount": show(&r[2]), "remark": show(&r[3])})
            };
            let money = |label: &str| {
                let r = row(label);
                json!({"amount": show(&r[2]), "remark": show(&r[3])})
            };
            let mut sales: Vec<serde_json::Value> = [
                "新客户订货数量",
                "固定客户订货 · 推销订货",
                "固定客户订货 · 通信订货",
            ]
            .iter()
            .map(|l| item(l))
            .collect();
            sales.extend(REASONS.iter().map(|r| item(&format!("销货退回 · {r}"))));
            sales.extend(
                ["销货作废", "销货优惠款额", "实销额"]
                    .iter()
                    .map(|l| item(l)),
            );
            let name = roster.person(&key).map_or(key.clone(), |p| p.name.clone());
            Some(json!({
                "staff": name,
                "staff_id": key,
                "period": ctx.month.zh(),
                "sales_items": sales,
                "collection_items": [
                    money("本月实收款额(含期票)"),
                    money("本月应收货款(含截至本月底应收未收款)"),
                    money("期票利息损益"),
                ],
                "visit_count": show(&row("拜访客户数量")[1]),
                "bonus_clawback": ctx.cfg.bonus_rate.map_or(String::new(), |_| {
                    show(&Value::Money(clawback.get(&key).copied().unwrap_or_default()))
                }),
            }))
        })
        .collect()
}

/// The records that fill the 个人销售毛利统计表 form
/// (`templates/forms/salesperson_gross_profit.yaml`), one per row of `gross-profit`: `staff`,
/// `period`, `profit_items` (边际成本, 开发费用, 其他费用: 金额 `amount`, 备注 `remark`),
/// `net_sales`, `gross_profit`, `note_pl`, `net_profit`, as display strings. What the inputs
/// cannot give (expenses without a 费用 sheet) reads "—, 缺少数据: …", never 0.
pub fn gross_profit_records(ctx: &Ctx) -> Vec<serde_json::Value> {
    use crate::error::Lang;
    use crate::render::format;
    use serde_json::json;
    if ctx.ds.sales.is_none() {
        return vec![];
    }
    let roster = ctx.roster();
    let figs = month_figures(ctx, &roster, month_w(ctx.month));
    let keys = figs.keys();
    let order = roster.order_with_staff(keys);
    let t = gross_profit_table(
        ctx,
        &roster,
        &order,
        &figs,
        &ctx.costs(),
        &note_pls(ctx.ds, ctx.cfg, &roster),
    );
    let show = |v: &Value| match v {
        Value::Money(d) => format!("¥{}", format::money(*d)),
        other => format::value(other, Lang::Zh),
    };
    let at = |key: &str| t.columns.iter().position(|c| c.key == key);
    let cell = |r: &[Value], key: &str| {
        at(key)
            .and_then(|i| r.get(i))
            .cloned()
            .unwrap_or(Value::Empty)
    };
    t.rows
        .iter()
        .map(|r| {
            let text = |v: Value| match v {
                Value::Text(s) => s,
                _ => String::new(),
            };
            json!({
                "staff": text(cell(r, "name")),
                "staff_id": text(cell(r, "staff_id")),
                "period": ctx.month.zh(),
                "profit_items": [
                    {"amount": show(&cell(r, "marginal_cost")), "remark": ""},
                    {"amount": show(&cell(r, "dev_expense")), "remark": ""},
                    {"amount": show(&cell(r, "other_expense")), "remark": ""},
                ],
                "net_sales": show(&cell(r, "net_sales")),
                "gross_profit": show(&cell(r, "gross_profit")),
                "note_pl": show(&cell(r, "note_pl")),
                "net_profit": show(&cell(r, "net_profit")),
            })
        })
        .collect()
}

/// M49 company-wide 目标完成率 for `month`: 实销额 / the company target, which is a T04 row with
/// neither 业务员 nor 组别, else the salespeople's targets when every one has a target, else the
/// groups' targets when every group has one (a partial sum is never a company target: "—").
pub fn target_completion(ctx: &Ctx, month: Month) -> Value {
    let Some(targets) = ctx.ds.targets.as_deref() else {
        return Value::Missing("销售目标".into());
    };
    if ctx.ds.sales.is_none() {
        return Value::Missing("销售明细".into());
    }
    let roster = ctx.roster();
    let tmap = parsed_targets_by_staff(targets, &roster);
    let target_of = |k: &str, m: Month| -> Option<Decimal> {
        tmap.get(k)
            .and_then(|rows| month_target_of(rows.iter().copied(), m))
    };
    let figs = month_figures(ctx, &roster, month_w(month));
    let keys = figs.keys();
    let order = roster.order_with_staff(keys);
    ratio_opt(
        ctx.net_sales(month),
        company_target(ctx, &roster, &order, &target_of, month),
    )
}

/// One ranked salesperson (M51).
#[derive(Debug, Clone)]
pub struct Ranked {
    pub key: String,
    pub net: Decimal,
    pub target: Option<Decimal>,
    pub collected: Decimal,
}

/// M51: by 目标完成率 when every ranked salesperson has a (non-zero) target, else by 实销额; ties
/// by 实销额 desc → 实收款 desc → 工号 asc. The 未指定 row is not ranked.
pub fn rank_people(mut v: Vec<Ranked>) -> (Vec<Ranked>, bool) {
    let by_target = !v.is_empty()
        && v.iter()
            .all(|r| r.target.is_some_and(|t| t > Decimal::ZERO));
    v.sort_by(|a, b| {
        let key = |r: &Ranked| {
            if by_target {
                r.target.map(|t| r.net / t).unwrap_or_default()
            } else {
                r.net
            }
        };
        key(b)
            .cmp(&key(a))
            .then(b.net.cmp(&a.net))
            .then(b.collected.cmp(&a.collected))
            .then(a.key.cmp(&b.key))
    });
    (v, by_target)
}

fn rank(
    ctx: &Ctx,
    order: &[String],
    figs: &BTreeMap<String, Figures>,
    target_of: &dyn Fn(&str, Month) -> Option<Decimal>,
) -> (Vec<Ranked>, bool) {
    let v = order
        .iter()
        .filter(|k| *k != UNASSIGNED)
        .map(|k| {
            let f = figs.get(k).cloned().unwrap_or_default();
            Ranked {
                key: k.clone(),
                net: f.net,
                target: target_of(k, ctx.month),
                collected: f.collected,
            }
        })
        .collect();
    rank_people(v)
}

fn performance_table(
    ctx: &Ctx,
    roster: &Roster,
    order: &[String],
    figs: &BTreeMap<String, Figures>,
    target_of: &dyn Fn(&str, Month) -> Option<Decimal>,
    ranking: &(Vec<Ranked>, bool),
) -> Table {
    let empty = Figures::default();
    // 拜访客户数量 (S4 第3条, M28): distinct customers each salesperson visited this month.
    let visits = visited_customers(ctx.ds, roster, month_w(ctx.month));
    let visit_cell = |k: &str| {
        if ctx.ds.interactions.is_some() {
            Value::Int(visits.get(k).map_or(0, |s| s.len() as i64))
        } else {
            Value::Missing("客户互动记录".into())
        }
    };
    let pos: HashMap<&str, i64> = ranking
        .0
        .iter()
        .enumerate()
        .map(|(i, r)| (r.key.as_str(), i as i64 + 1))
        .collect();
    let has_receipts = ctx.ds.receipts.is_some();
    let collected = |v: Decimal| {
        if has_receipts {
            Value::Money(v)
        } else {
            Value::Missing("收款记录".into())
        }
    };
    let mut rows = Vec::new();
    for k in order {
        let f = figs.get(k).unwrap_or(&empty);
        let t = target_of(k, ctx.month);
        let mut r: Vec<Value> = roster.cells(k).into();
        r.extend([
            Value::Money(f.ordered),
            Value::Money(f.returns()),
            Value::Money(f.discount),
            // C6 takes every cancelled line out of 实销额, shipped or not.
            Value::Money(f.void_amt + f.void_shipped),
            Value::Money(f.rebate),
            Value::Money(f.net),
            money_or_empty(t),
            ratio_opt(f.net, t),
            collected(f.collected),
            visit_cell(k),
            pos.get(k.as_str()).map_or(Value::Empty, |p| Value::Int(*p)),
        ]);
        rows.push(r);
    }
    let sum = |g: &dyn Fn(&Figures) -> Decimal| figs.values().map(g).sum::<Decimal>();
    let net_total = sum(&|f| f.net);
    let t_total = sum_opt(
        order
            .iter()
            .map(|k| target_of(k, ctx.month))
            .collect::<Vec<_>>()
            .iter(),
    );
    let mut totals = total_lead();
    totals.extend([
        Value::Money(sum(&|f| f.ordered)),
        Value::Money(sum(&|f| f.returns())),
        Value::Money(sum(&|f| f.discount)),
        Value::Money(sum(&|f| f.void_amt + f.void_shipped)),
        Value::Money(sum(&|f| f.rebate)),
        Value::Money(net_total),
        money_or_empty(t_total),
        covered_ratio(order.iter().map(|k| {
            (
                figs.get(k).map_or(Decimal::ZERO, |f| f.net),
                target_of(k, ctx.month),
            )
        })),
        collected(sum(&|f| f.collected)),
        if ctx.ds.interactions.is_some() {
            Value::Int(
                order
                    .iter()
                    .map(|k| visits.get(k).map_or(0, |s| s.len() as i64))
                    .sum(),
            )
        } else {
            Value::Missing("客户互动记录".into())
        },
        Value::Empty,
    ]);
    let mut notes = vec![Msg::new(
        "实销额 = 订货累计额 − 退货额 − 折扣额 − 作废额 − 优惠额; 业务员按 销售明细业务员 → 客户负责人 → (通信订货) 区域负责业务员 归属, 无法归属者列入“未指定”",
        "Net sales = orders − returns − discounts − cancellations − rebates; salesperson = line 业务员 → customer 负责人 → (remote orders) territory salesperson, else 未指定",
    )];
    let shipped_void: Decimal = sum(&|f| f.void_shipped);
    if !shipped_void.is_zero() {
        notes.push(Msg::new(
            format!("作废额中有 {shipped_void} 元为已发货的作废订单, 应作退货处理 (数据问题), 请核对; 退货作废表的作废额不含此项"),
            format!("{shipped_void} yuan of the cancellations were already shipped and should be returns (a data problem); the returns table leaves them out of 作废"),
        ));
    }
    let with_target = order
        .iter()
        .filter(|k| *k != UNASSIGNED && target_of(k, ctx.month).is_some())
        .count();
    let ranked = order.iter().filter(|k| *k != UNASSIGNED).count();
    if with_target > 0 && with_target < ranked {
        notes.push(Msg::new(
            format!("{with_target}/{ranked} 名业务员有本月目标; 合计完成率只按有目标者计算"),
            format!("{with_target} of {ranked} salespeople have a target this month; the total completion covers only them"),
        ));
    }
    if ctx.ds.targets.is_none() {
        notes.push(Msg::new(
            "缺少数据: 销售目标, 完成率显示为 —",
            "Missing: 销售目标; completion shown as —",
        ));
    }
    notes.push(if ranking.1 {
        Msg::new("名次按目标完成率排列", "Ranked by target completion")
    } else {
        Msg::new(
            "名次按实销额排列 (并非所有业务员都有目标)",
            "Ranked by net sales (not every salesperson has a target)",
        )
    });
    let mut columns = staff_cols();
    columns.extend([
        Column::new("ordered", "订货累计额", "Orders (gross)", Kind::Money),
        Column::new("returns", "退货额", "Returns", Kind::Money),
        Column::new("discount", "折扣额", "Discounts", Kind::Money),
        Column::new("void", "作废额", "Cancelled", Kind::Money),
        Column::new("rebate", "优惠额", "Rebates", Kind::Money),
        Column::new("net_sales", "实销额", "Net sales", Kind::Money),
        Column::new("target", "月标准销售额", "Monthly target", Kind::Money),
        Column::new("completion", "目标完成率", "Completion", Kind::Percent),
        Column::new("collected", "实收款", "Collected", Kind::Money),
        Column::new("visited", "拜访客户数", "Customers visited", Kind::Int),
        Column::new("rank", "名次", "Rank", Kind::Int),
    ]);
    Table {
        id: "sales-performance".into(),
        title: Msg::new(
            format!("{} 月度销售实绩统计表", ctx.month.zh()),
            format!("Monthly sales performance, {}", ctx.month),
        ),
        columns,
        rows,
        totals: Some(totals),
        notes,
    }
}

fn orders_table(
    ctx: &Ctx,
    roster: &Roster,
    order: &[String],
    figs: &BTreeMap<String, Figures>,
) -> Table {
    let empty = Figures::default();
    let chans = [Channel::Visit, Channel::Remote, Channel::Unknown];
    let mut tot = Figures::default();
    let mut mixed = false;
    let mut rows = Vec::new();
    let row_of = |f: &Figures, lead: Vec<Value>, count: i64| {
        let mut r = lead;
        r.push(Value::Int(count));
        r.push(f.new_qty.value());
        r.push(Value::Money(f.new_amt));
        for c in chans {
            r.push(
                f.chan_qty
                    .get(&c)
                    .map_or(Value::Qty(Decimal::ZERO), QtyAcc::value),
            );
            r.push(Value::Money(
                f.chan_amt.get(&c).copied().unwrap_or_default(),
            ));
        }
        r.push(Value::Money(f.chan_amt.values().copied().sum()));
        r
    };
    let mut count_total = 0i64;
    for k in order {
        let f = figs.get(k).unwrap_or(&empty);
        mixed |= f.new_qty.mixed() || f.chan_qty.values().any(QtyAcc::mixed);
        tot.new_qty.merge(&f.new_qty);
        tot.new_amt += f.new_amt;
        for c in chans {
            if let Some(q) = f.chan_qty.get(&c) {
                tot.chan_qty.entry(c).or_default().merge(q);
            }
            *tot.chan_amt.entry(c).or_default() += f.chan_amt.get(&c).copied().unwrap_or_default();
        }
        let n = f.new_customers.len() as i64;
        count_total += n;
        rows.push(row_of(f, roster.cells(k).into(), n));
    }
    let totals = row_of(&tot, total_lead(), count_total);
    let mut columns = staff_cols();
    columns.extend([
        Column::new("new_customers", "新客户数", "New customers", Kind::Int),
        Column::new("new_qty", "新客户订货数量", "New-customer qty", Kind::Qty),
        Column::new(
            "new_amt",
            "新客户订货金额",
            "New-customer amount",
            Kind::Money,
        ),
        Column::new("visit_qty", "推销订货数量", "Visit-order qty", Kind::Qty),
        Column::new(
            "visit_amt",
            "推销订货金额",
            "Visit-order amount",
            Kind::Money,
        ),
        Column::new("remote_qty", "通信订货数量", "Remote-order qty", Kind::Qty),
        Column::new(
            "remote_amt",
            "通信订货金额",
            "Remote-order amount",
            Kind::Money,
        ),
        Column::new("unknown_qty", "未注明数量", "Unspecified qty", Kind::Qty),
        Column::new(
            "unknown_amt",
            "未注明金额",
            "Unspecified amount",
            Kind::Money,
        ),
        Column::new(
            "regular_amt",
            "固定客户订货金额",
            "Regular-customer amount",
            Kind::Money,
        ),
    ]);
    let mut notes = vec![Msg::new(
        "新客户: 首次订货在本月; 固定客户订货 = 推销 (访问时) + 通信 (来电或信件) + 未注明; 金额为折扣前订货额, 不含作废",
        "New customer: first order this month; regular-customer orders = visit + remote + unspecified; amounts are gross, cancelled lines excluded",
    )];
    if mixed || tot.new_qty.mixed() || tot.chan_qty.values().any(QtyAcc::mixed) {
        notes.push(Msg::new(
            "计量单位不一致的数量不予合计, 显示为空",
            "Quantities in mixed units are not summed and are left blank",
        ));
    }
    Table {
        id: "salesperson-orders".into(),
        title: Msg::new(
            format!("{} 新客户与固定客户订货统计", ctx.month.zh()),
            format!("New and regular customer orders, {}", ctx.month),
        ),
        columns,
        rows,
        totals: Some(totals),
        notes,
    }
}

fn returns_table(
    ctx: &Ctx,
    roster: &Roster,
    order: &[String],
    figs: &BTreeMap<String, Figures>,
) -> Table {
    let empty = Figures::default();
    let mut tot = Figures::default();
    let row_of = |f: &Figures, lead: Vec<Value>| {
        let mut r = lead;
        let mut all = QtyAcc::default();
        for reason in REASONS {
            let q = f.ret_qty.get(reason).cloned().unwrap_or_default();
            all.merge(&q);
            r.push(q.value());
            r.push(Value::Money(
                f.ret_amt.get(reason).copied().unwrap_or_default(),
            ));
        }
        r.push(all.value());
        r.push(Value::Money(f.returns()));
        r.push(f.void_qty.value());
        r.push(Value::Money(f.void_amt));
        r.push(Value::Money(f.rebate));
        r
    };
    let mut rows = Vec::new();
    for k in order {
        let f = figs.get(k).unwrap_or(&empty);
        for reason in REASONS {
            if let Some(q) = f.ret_qty.get(reason) {
                tot.ret_qty.entry(reason).or_default().merge(q);
            }
            *tot.ret_amt.entry(reason).or_default() +=
                f.ret_amt.get(reason).copied().unwrap_or_default();
        }
        tot.void_qty.merge(&f.void_qty);
        tot.void_amt += f.void_amt;
        tot.rebate += f.rebate;
        rows.push(row_of(f, roster.cells(k).into()));
    }
    let totals = row_of(&tot, total_lead());
    let mut columns = staff_cols();
    for (reason, en) in REASONS.iter().zip(["Late", "Business", "Quality", "Other"]) {
        columns.push(Column::new(
            &format!("{en}_qty").to_lowercase(),
            &format!("{reason}数量"),
            &format!("{en} qty"),
            Kind::Qty,
        ));
        columns.push(Column::new(
            &format!("{en}_amt").to_lowercase(),
            &format!("{reason}金额"),
            &format!("{en} amount"),
            Kind::Money,
        ));
    }
    columns.extend([
        Column::new("ret_qty", "退货数量合计", "Returned qty", Kind::Qty),
        Column::new("ret_amt", "退货金额合计", "Returned amount", Kind::Money),
        Column::new("void_qty", "作废数量", "Cancelled qty", Kind::Qty),
        Column::new("void_amt", "作废金额", "Cancelled amount", Kind::Money),
        Column::new(
            "rebate",
            "优惠(佣金)额",
            "Rebates / commission",
            Kind::Money,
        ),
    ]);
    // Suggested 误期: blank reason, and the original line's 发货日期 differs from the customer's date.
    let idx = &roster.orders;
    let w = month_w(ctx.month);
    let suspects: Vec<String> = ctx
        .ds
        .returns
        .iter()
        .flatten()
        .filter(|r| {
            !r.exchange && w.contains(deduction_date(r.return_date, &ctx.cfg.closed_periods))
        })
        .filter(|r| {
            r.reason_cat.is_none() && r.reason_text.as_deref().is_none_or(|t| t.trim().is_empty())
        })
        .filter(|r| {
            original_line(r, &idx).is_some_and(
                |l| matches!((l.ship_date, l.requested_date), (Some(s), Some(q)) if s != q),
            )
        })
        .map(|r| {
            r.return_no
                .clone()
                .unwrap_or_else(|| format!("{} {}", r.return_date, return_cid(r)))
        })
        .collect();
    let mut notes = vec![Msg::new(
        "退货按退货日期归属, 换货不计; 原因按退货原因类别, 否则按关键词 (品质 > 误期 > 业务 > 其他); 作废仅计未发货的作废订单",
        "Returns by return date, exchanges excluded; reason from 退货原因类别, else keywords (quality > late > business > other); cancellations count unshipped cancelled lines only",
    )];
    if !suspects.is_empty() {
        notes.push(Msg::new(
            format!("以下退货未填原因且发货日期与客户指定日期不符, 建议归为误期: {}", suspects.join("、")),
            format!("Returns with no reason whose ship date differs from the requested date (suggest 误期): {}", suspects.join(", ")),
        ));
    }
    if ctx.ds.returns.is_none() {
        notes.push(Msg::new("缺少数据: 退货记录", "Missing: 退货记录"));
    }
    Table {
        id: "returns-by-reason".into(),
        title: Msg::new(
            format!("{} 销货退回、作废与优惠", ctx.month.zh()),
            format!(
                "Returns by reason, cancellations and rebates, {}",
                ctx.month
            ),
        ),
        columns,
        rows,
        totals: Some(totals),
        notes,
    }
}

/// 收款实绩 per salesperson (第5条, M38/M50/M40): 实收款 of the month against last month and the
/// same month last year, notes held and the note interest P/L. The balances (M39 应收, M55 回收率)
/// are the receivables family's `receivables-by-staff`, by the customer's 负责人, so the pack has
/// one AR figure per salesperson.
fn collections_table(ctx: &Ctx, roster: &Roster, order: &[String], notes_pl: &[NotePl]) -> Table {
    let mut columns = staff_cols();
    columns.extend([
        Column::new("collected", "本月实收款", "Collected", Kind::Money),
        Column::new("prev", "上月实收款", "Previous month", Kind::Money),
        Column::new(
            "year_ago",
            "上年同月实收款",
            "Same month last year",
            Kind::Money,
        ),
        Column::new("mom", "环比增长", "MoM growth", Kind::Percent),
        Column::new("yoy", "同比增长", "YoY growth", Kind::Percent),
        Column::new("notes_held", "应收票据余额", "Notes held", Kind::Money),
        Column::new("note_pl", "期票利息损益", "Note interest P/L", Kind::Money),
    ]);
    let title = Msg::new(
        format!("{} 收款实绩 (按业务员)", ctx.month.zh()),
        format!("Collections by salesperson, {}", ctx.month),
    );
    if ctx.ds.receipts.is_none() {
        return missing_table("collections", title, "收款记录");
    }
    let m = ctx.month;
    let cur = collected_by_staff(ctx.ds, roster, month_w(m));
    let prev = collected_by_staff(ctx.ds, roster, month_w(m.prev()));
    let ago = collected_by_staff(ctx.ds, roster, month_w(m.year_ago()));
    let held: BTreeMap<String, Decimal> = ctx
        .ds
        .receipts
        .iter()
        .flatten()
        .filter(|r| {
            is_note_method(r.method.as_deref())
                && r.receipt_date <= m.last_day()
                && r.note_status
                    .as_deref()
                    .is_some_and(|s| s.contains("未到期"))
        })
        .fold(BTreeMap::new(), |mut acc, r| {
            add_to(&mut acc, roster.receipt_staff_ref(r), r.amount);
            acc
        });
    let mut pl: BTreeMap<String, Decimal> = BTreeMap::new();
    for n in notes_pl.iter().filter(|n| m.contains(n.receipt_date)) {
        *pl.entry(n.staff.clone()).or_default() += n.pl;
    }
    let cols = [&cur, &prev, &ago, &held, &pl];
    let mut keys: BTreeSet<String> = order.iter().cloned().collect();
    for x in cols {
        keys.extend(x.keys().cloned());
    }
    let keys = roster.order(keys);
    let row = |lead: Vec<Value>, v: [Decimal; 5]| {
        let [c, p, y, h, l] = v;
        let mut r = lead;
        r.extend([
            Value::Money(c),
            Value::Money(p),
            Value::Money(y),
            growth(c, p),
            growth(c, y),
            Value::Money(h),
            Value::Money(l),
        ]);
        r
    };
    let rows = keys
        .iter()
        .map(|k| {
            row(
                roster.cells(k).into(),
                cols.map(|x| x.get(k).copied().unwrap_or_default()),
            )
        })
        .collect();
    let totals = row(
        total_lead(),
        cols.map(|x| x.values().copied().sum::<Decimal>()),
    );
    let rate = ctx.cfg.note_interest_rate * Decimal::from(100);
    let loss_only = ctx.cfg.note_pl_mode == "loss_only";
    let notes = vec![
        Msg::new(
            "实收款按收款日期归属到收款单的业务员 (空白则为客户负责人); 期票/汇票按面值于收到日计入, 未到期票据另列应收票据余额; 应收余额与回收率见“货款回收”按负责人汇总表",
            "Collections by receipt date, credited to the receipt's salesperson (else the customer's owner); notes count at face value when received, notes not yet due are shown separately; AR and recovery are in the receivables-by-owner table",
        ),
        Msg::new(
            format!(
                "期票利息损益 = 面值 × {rate}% × (60 − 发货至到期天数) / 365, 以发货起60日为计算期{}",
                if loss_only { "; 只计损失" } else { "" }
            ),
            format!(
                "Note P/L = face × {rate}% × (60 − days from shipment to maturity) / 365{}",
                if loss_only { "; losses only" } else { "" }
            ),
        ),
    ];
    Table {
        id: "collections".into(),
        title,
        columns,
        rows,
        totals: Some(totals),
        notes,
    }
}

fn gross_profit_table(
    ctx: &Ctx,
    roster: &Roster,
    order: &[String],
    figs: &BTreeMap<String, Figures>,
    costs: &Costs,
    notes_pl: &[NotePl],
) -> Table {
    let w = month_w(ctx.month);
    let mut cost: BTreeMap<String, Decimal> = BTreeMap::new();
    for e in ctx.costs_in(w) {
        add_to(&mut cost, roster.cost_staff_ref(e), e.cost);
    }
    let mut pl: BTreeMap<String, Decimal> = BTreeMap::new();
    for n in notes_pl
        .iter()
        .filter(|n| ctx.month.contains(n.receipt_date))
    {
        *pl.entry(n.staff.clone()).or_default() += n.pl;
    }
    // M43 from T11 费用 when the sheet is there; "—, 缺少数据: 费用" otherwise, never 0.
    let exp = ctx
        .ds
        .expenses
        .is_some()
        .then(|| super::expenses::dev_other(ctx.ds, roster, w));
    let missing_exp = Value::Missing(super::expenses::SHEET.into());
    let row =
        |lead: Vec<Value>, net: Decimal, c: Decimal, p: Decimal, e: Option<(Decimal, Decimal)>| {
            let mut r = lead;
            if costs.any_cost {
                r.extend([
                    Value::Money(net),
                    Value::Money(c),
                    Value::Money(net - c),
                    ratio(net - c, net),
                ]);
            } else {
                let m = Value::Missing("成本".into());
                r.extend([Value::Money(net), m.clone(), m.clone(), m]);
            }
            // M44 毛利 = 实销额 − 边际成本 − 开发费用 − 其他费用; M45 净利润 = 毛利 + 期票利息损益.
            let gross = match (costs.any_cost, e) {
                (true, Some((d, o))) => Value::Money(net - c - d - o),
                (false, _) => Value::Missing("成本".into()),
                (_, None) => missing_exp.clone(),
            };
            let note_pl = if ctx.ds.receipts.is_some() {
                Value::Money(p)
            } else {
                Value::Missing("收款记录".into())
            };
            let net_profit = match (&gross, &note_pl) {
                (Value::Money(g), Value::Money(p)) => Value::Money(*g + *p),
                (Value::Money(_), other) => other.clone(),
                (g, _) => g.clone(),
            };
            r.extend([
                e.map_or_else(|| missing_exp.clone(), |(d, _)| Value::Money(d)),
                e.map_or_else(|| missing_exp.clone(), |(_, o)| Value::Money(o)),
                gross,
                note_pl,
                net_profit,
            ]);
            r
        };
    let empty = Figures::default();
    let mut keys: BTreeSet<String> = order.iter().cloned().collect();
    keys.extend(cost.keys().chain(pl.keys()).cloned());
    keys.extend(exp.iter().flat_map(|e| e.keys().cloned()));
    let keys = roster.order(keys);
    let g = |m: &BTreeMap<String, Decimal>, k: &str| m.get(k).copied().unwrap_or_default();
    let e_of = |k: &str| exp.as_ref().map(|e| e.get(k).copied().unwrap_or_default());
    let rows = keys
        .iter()
        .map(|k| {
            row(
                roster.cells(k).into(),
                figs.get(k).unwrap_or(&empty).net,
                g(&cost, k),
                g(&pl, k),
                e_of(k),
            )
        })
        .collect();
    let net_total: Decimal = figs.values().map(|f| f.net).sum();
    let totals = row(
        total_lead(),
        net_total,
        cost.values().copied().sum(),
        pl.values().copied().sum(),
        exp.as_ref().map(|e| {
            e.values().fold((Decimal::ZERO, Decimal::ZERO), |a, v| {
                (a.0 + v.0, a.1 + v.1)
            })
        }),
    );
    let mut columns = staff_cols();
    columns.extend([
        Column::new("net_sales", "实销额", "Net sales", Kind::Money),
        Column::new(
            "marginal_cost",
            "边际成本总额",
            "Marginal cost",
            Kind::Money,
        ),
        Column::new("contribution", "边际贡献", "Contribution", Kind::Money),
        Column::new(
            "contribution_rate",
            "边际贡献率",
            "Contribution rate",
            Kind::Percent,
        ),
        Column::new(
            "dev_expense",
            "开发费用",
            "Development expenses",
            Kind::Money,
        ),
        Column::new("other_expense", "其他费用", "Other expenses", Kind::Money),
        Column::new("gross_profit", "个人销售毛利", "Gross profit", Kind::Money),
        Column::new("note_pl", "期票利息损益", "Note P/L", Kind::Money),
        Column::new("net_profit", "个人销售净利润", "Net profit", Kind::Money),
    ]);
    let mut notes = vec![if exp.is_some() {
        Msg::new(
            "个人销售毛利 = 实销额 − 边际成本总额 − 开发费用 − 其他费用 (S4 第7条); 净利润 = 毛利 + 期票利息损益 (第8条); 开发费用 = 薪水、津贴、机车保险、油料、差旅费, 其他费用 = 交际、赠送、活动、其他 (费用表)",
            "Gross profit = net sales − marginal cost − development and other expenses (S4 art. 7); net profit adds the note P/L (art. 8); development = salary, allowance, vehicle insurance, fuel, travel; other = entertainment, gifts, events, other (expense sheet)",
        )
    } else {
        Msg::new(
            "个人销售毛利 = 实销额 − 边际成本总额 − 开发费用 − 其他费用; 净利润 = 毛利 + 期票利息损益. 缺少费用表, 毛利与净利润未计算, 先列边际贡献 = 实销额 − 边际成本",
            "Gross profit = net sales − marginal cost − development and other expenses; net profit adds the note P/L. No expense sheet: gross and net profit are not computed; contribution = net sales − marginal cost is shown",
        )
    }];
    if costs.imputed > 0 {
        notes.push(Msg::new(
            format!("{} 行销售无成本, 按有成本各行的平均边际贡献率估算", costs.imputed),
            format!("{} lines without cost were costed at the average contribution rate of costed lines", costs.imputed),
        ));
    }
    Table {
        id: "gross-profit".into(),
        title: Msg::new(
            format!("{} 个人销售毛利统计表", ctx.month.zh()),
            format!("Gross profit by salesperson, {}", ctx.month),
        ),
        columns,
        rows,
        totals: Some(totals),
        notes,
    }
}

fn group_table(
    ctx: &Ctx,
    roster: &Roster,
    order: &[String],
    figs: &BTreeMap<String, Figures>,
    target_of: &dyn Fn(&str, Month) -> Option<Decimal>,
) -> Table {
    struct G {
        people: i64,
        net: Decimal,
        target: Option<Decimal>,
        collected: Decimal,
    }
    let mut groups: BTreeMap<String, G> = BTreeMap::new();
    for k in order {
        let gname = if k == UNASSIGNED {
            UNASSIGNED.to_string()
        } else {
            roster.group_of(k)
        };
        let f = figs.get(k).cloned().unwrap_or_default();
        let t = target_of(k, ctx.month);
        let g = groups.entry(gname).or_insert(G {
            people: 0,
            net: Decimal::ZERO,
            target: None,
            collected: Decimal::ZERO,
        });
        if k != UNASSIGNED {
            g.people += 1;
        }
        g.net += f.net;
        g.collected += f.collected;
        if k != UNASSIGNED {
            g.target = match (g.people == 1, g.target, t) {
                (true, _, t) => t,
                (false, Some(a), Some(b)) => Some(a + b),
                // A member without a target leaves the group without one (no partial sums).
                _ => None,
            };
        }
    }
    // A group-level target row (T04 组别 without 业务员) replaces the sum of its members' targets.
    if let Some(ts) = ctx.ds.targets.as_deref() {
        let mut by_group: BTreeMap<String, Vec<&Target>> = BTreeMap::new();
        for t in ts.iter().filter(|t| t.staff.is_none()) {
            if let Some(g) = &t.group {
                by_group.entry(g.clone()).or_default().push(t);
            }
        }
        for (gname, rows) in by_group {
            if let (Some(g), Some(v)) = (groups.get_mut(&gname), month_target(&rows, ctx.month)) {
                g.target = Some(v);
            }
        }
    }
    let mut names: Vec<&String> = groups.keys().collect();
    names.sort_by_key(|n| {
        (
            n.as_str() == UNASSIGNED,
            n.as_str() == NO_GROUP,
            group_key(n),
        )
    });
    let rows = names
        .iter()
        .map(|n| {
            let g = &groups[*n];
            vec![
                Value::Text(n.to_string()),
                Value::Int(g.people),
                Value::Money(g.net),
                money_or_empty(g.target),
                ratio_opt(g.net, g.target),
                Value::Money(g.collected),
            ]
        })
        .collect();
    let net: Decimal = groups.values().map(|g| g.net).sum();
    let t = sum_opt(groups.values().map(|g| g.target).collect::<Vec<_>>().iter());
    Table {
        id: "sales-by-group".into(),
        title: Msg::new(
            format!("{} 月度组别销售实绩统计表", ctx.month.zh()),
            format!("Sales by group, {}", ctx.month),
        ),
        columns: vec![
            Column::new("group", "组别", "Group", Kind::Text),
            Column::new("people", "人数", "Salespeople", Kind::Int),
            Column::new("net_sales", "实销额", "Net sales", Kind::Money),
            Column::new("target", "月标准销售额", "Target", Kind::Money),
            Column::new("completion", "目标完成率", "Completion", Kind::Percent),
            Column::new("collected", "实收款", "Collected", Kind::Money),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Int(groups.values().map(|g| g.people).sum()),
            Value::Money(net),
            money_or_empty(t),
            covered_ratio(groups.values().map(|g| (g.net, g.target))),
            Value::Money(groups.values().map(|g| g.collected).sum()),
        ]),
        notes: vec![],
    }
}

/// M51 for the year to date (the annual bonus ranking in December): YTD 实销额, the cumulative
/// target when every month so far has one, YTD 实收款.
fn rank_ytd(
    ctx: &Ctx,
    roster: &Roster,
    order: &[String],
    target_of: &dyn Fn(&str, Month) -> Option<Decimal>,
) -> (Vec<Ranked>, bool) {
    let w = Window::ytd(ctx.month);
    let net = ctx.net_by_staff(w);
    let got = collected_by_staff(ctx.ds, roster, w);
    let months: Vec<Month> = (1..=ctx.month.month)
        .filter_map(|i| Month::new(ctx.month.year, i))
        .collect();
    let v = order
        .iter()
        .filter(|k| *k != UNASSIGNED)
        .map(|k| Ranked {
            key: k.clone(),
            net: net.get(k).copied().unwrap_or_default(),
            target: months
                .iter()
                .try_fold(Decimal::ZERO, |a, m| target_of(k, *m).map(|t| a + t)),
            collected: got.get(k).copied().unwrap_or_default(),
        })
        .collect();
    rank_people(v)
}

fn ranking_table(
    ctx: &Ctx,
    roster: &Roster,
    ranking: &(Vec<Ranked>, bool),
    top: Option<usize>,
) -> Table {
    ranking_table_as(ctx, roster, ranking, top, false)
}

fn ranking_table_as(
    ctx: &Ctx,
    roster: &Roster,
    ranking: &(Vec<Ranked>, bool),
    top: Option<usize>,
    ytd: bool,
) -> Table {
    let rows = ranking
        .0
        .iter()
        .take(top.unwrap_or(usize::MAX))
        .enumerate()
        .map(|(i, r)| {
            let mut row = vec![Value::Int(i as i64 + 1)];
            row.extend(roster.cells(&r.key));
            let band = r
                .target
                .filter(|t| *t > Decimal::ZERO)
                .map(|t| perf_band(r.net / t, ctx.cfg));
            row.extend([
                Value::Money(r.net),
                money_or_empty(r.target),
                ratio_opt(r.net, r.target),
                if ctx.ds.receipts.is_some() {
                    Value::Money(r.collected)
                } else {
                    Value::Missing("收款记录".into())
                },
                band.map_or(Value::Empty, |b| Value::Text(b.into())),
            ]);
            row
        })
        .collect();
    let mut columns = vec![Column::new("rank", "名次", "Rank", Kind::Int)];
    columns.extend(staff_cols());
    columns.extend([
        Column::new("net_sales", "实销额", "Net sales", Kind::Money),
        if ytd {
            Column::new("target", "累计目标", "YTD target", Kind::Money)
        } else {
            Column::new("target", "月标准销售额", "Target", Kind::Money)
        },
        Column::new("completion", "目标完成率", "Completion", Kind::Percent),
        Column::new("collected", "实收款", "Collected", Kind::Money),
        Column::new("band", "绩效等级", "Band", Kind::Text),
    ]);
    let b = &ctx.cfg.perf_bands;
    let (id, zh, en) = match top {
        _ if ytd => (
            "ranking-ytd",
            format!(
                "{}年 累计业绩名次 (1月至{}月; 12月即年度奖金排名)",
                ctx.month.year, ctx.month.month
            ),
            format!("Year-to-date ranking, {} Jan–{}", ctx.month.year, ctx.month),
        ),
        Some(_) => (
            "top-three",
            format!("{} 业绩名次公布表 (前三名)", ctx.month.zh()),
            format!("Top three, {}", ctx.month),
        ),
        None => (
            "ranking",
            format!("{} 业绩名次", ctx.month.zh()),
            format!("Ranking, {}", ctx.month),
        ),
    };
    Table {
        id: id.into(),
        title: Msg::new(zh, en),
        columns,
        rows,
        totals: None,
        notes: vec![
            if ranking.1 {
                Msg::new(
                    "按目标完成率排名; 同率按实销额、实收款、工号",
                    "Ranked by completion; ties by net sales, collections, staff id",
                )
            } else {
                Msg::new("按实销额排名 (并非所有业务员都有目标); 同额按实收款、工号", "Ranked by net sales (not everyone has a target); ties by collections, staff id")
            },
            Msg::new(
                format!(
                    "绩效等级: 优 ≥ {}%, 良 ≥ {}%, 中 ≥ {}%, 差 < {}%",
                    b.excellent, b.good, b.fair, b.fair
                ),
                format!(
                    "Bands: excellent ≥ {}%, good ≥ {}%, fair ≥ {}%, poor < {}%",
                    b.excellent, b.good, b.fair, b.fair
                ),
            ),
        ],
    }
}

/// Company target of a month: Σ of the salespeople's targets, else Σ of group targets, else a row
/// Σ of the targets of `keys` (未指定 aside), only when every one of them has a target: a partial
/// sum would make the completion rate look better or worse than it is.
fn complete_targets(
    keys: &[String],
    target_of: &dyn Fn(&str, Month) -> Option<Decimal>,
    m: Month,
) -> Option<Decimal> {
    let mut total = None;
    for k in keys.iter().filter(|k| *k != UNASSIGNED) {
        total = Some(total.unwrap_or(Decimal::ZERO) + target_of(k, m)?);
    }
    total
}

/// Company target of a month: a T04 row with neither 业务员 nor 组别; else the salespeople's
/// targets when every salesperson has one; else the groups' targets when every group has one.
fn company_target(
    ctx: &Ctx,
    roster: &Roster,
    order: &[String],
    target_of: &dyn Fn(&str, Month) -> Option<Decimal>,
    m: Month,
) -> Option<Decimal> {
    let ts = ctx.ds.targets.as_deref()?;
    let company: Vec<&Target> = ts
        .iter()
        .filter(|t| t.staff.is_none() && t.group.is_none())
        .collect();
    if let Some(t) = month_target(&company, m) {
        return Some(t);
    }
    if let Some(t) = complete_targets(order, target_of, m) {
        return Some(t);
    }
    let mut by: BTreeMap<String, Vec<&Target>> = BTreeMap::new();
    for t in ts.iter().filter(|t| t.staff.is_none()) {
        if let Some(g) = &t.group {
            by.entry(g.clone()).or_default().push(t);
        }
    }
    let groups: BTreeSet<String> = order
        .iter()
        .filter(|k| *k != UNASSIGNED)
        .map(|k| roster.group_of(k))
        .collect();
    let mut total = None;
    for g in &groups {
        total = Some(total.unwrap_or(Decimal::ZERO) + month_target(by.get(g)?, m)?);
    }
    total
}

/// M46 实际销售总额 by month and M57 累计比较, company level, January to the report month.
fn monthly_sales_table(
    ctx: &Ctx,
    roster: &Roster,
    order: &[String],
    target_of: &dyn Fn(&str, Month) -> Option<Decimal>,
) -> Table {
    let m = ctx.month;
    let mut rows = Vec::new();
    let (mut ytd, mut ytd0) = (Decimal::ZERO, Decimal::ZERO);
    let mut ytd_t: Option<Decimal> = None;
    for i in 1..=m.month {
        let mm = Month::new(m.year, i).unwrap_or(m);
        let s = ctx.net_sales(mm);
        let s0 = ctx.net_sales(mm.year_ago());
        let t = company_target(ctx, roster, order, target_of, mm);
        ytd += s;
        ytd0 += s0;
        if let Some(t) = t {
            ytd_t = Some(ytd_t.unwrap_or_default() + t);
        }
        rows.push(vec![
            Value::Text(mm.zh()),
            Value::Money(s),
            Value::Money(s0),
            growth(s, s0),
            money_or_empty(t),
            ratio_opt(s, t),
            Value::Money(ytd),
            money_or_empty(ytd_t),
            ratio_opt(ytd, ytd_t),
            Value::Money(ytd0),
            growth(ytd, ytd0),
        ]);
    }
    let year_t = sum_opt(
        (1..=m.month)
            .map(|i| {
                company_target(
                    ctx,
                    roster,
                    order,
                    target_of,
                    Month::new(m.year, i).unwrap_or(m),
                )
            })
            .collect::<Vec<_>>()
            .iter(),
    );
    Table {
        id: "monthly-sales".into(),
        title: Msg::new(
            format!("{}年 实际销售总额与累计比较 (至 {})", m.year, m.zh()),
            format!("Net sales by month and year to date, {} to {}", m.year, m),
        ),
        columns: vec![
            Column::new("month", "月份", "Month", Kind::Text),
            Column::new("net_sales", "实销额", "Net sales", Kind::Money),
            Column::new("year_ago", "上年同月", "Same month last year", Kind::Money),
            Column::new("yoy", "同比增长", "YoY growth", Kind::Percent),
            Column::new("target", "月标准销售额", "Target", Kind::Money),
            Column::new("completion", "完成率", "Completion", Kind::Percent),
            Column::new("ytd", "累计实销额", "YTD net sales", Kind::Money),
            Column::new("ytd_target", "累计目标", "YTD target", Kind::Money),
            Column::new(
                "ytd_completion",
                "累计完成率",
                "YTD completion",
                Kind::Percent,
            ),
            Column::new("ytd_year_ago", "上年同期累计", "YTD last year", Kind::Money),
            Column::new("ytd_growth", "累计增长率", "YTD growth", Kind::Percent),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Money(ytd),
            Value::Money(ytd0),
            growth(ytd, ytd0),
            money_or_empty(year_t),
            ratio_opt(ytd, year_t),
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
            Value::Empty,
        ]),
        notes: vec![],
    }
}

/// M57 个人每月业绩累计比较表: per salesperson, 实销额 of each month of the year to the report
/// month, the cumulative figure, 累计目标, 累计完成率, 上年同期累计 and 累计增长率.
fn salesperson_ytd_table(
    ctx: &Ctx,
    roster: &Roster,
    order: &[String],
    target_of: &dyn Fn(&str, Month) -> Option<Decimal>,
) -> Table {
    let m = ctx.month;
    let months: Vec<Month> = (1..=m.month)
        .filter_map(|i| Month::new(m.year, i))
        .collect();
    let monthly: Vec<Arc<BTreeMap<String, Decimal>>> = months
        .iter()
        .map(|mm| ctx.net_by_staff(month_w(*mm)))
        .collect();
    let ytd = ctx.net_by_staff(Window::ytd(m));
    let ytd0 = ctx.net_by_staff(Window::ytd(m.year_ago()));
    let mut keys: BTreeSet<String> = order.iter().cloned().collect();
    keys.extend(ytd.keys().chain(ytd0.keys()).cloned());
    let keys = roster.order(keys);
    let g = |mm: &BTreeMap<String, Decimal>, k: &str| mm.get(k).copied().unwrap_or_default();
    let cum_t = |k: &str| {
        sum_opt(
            months
                .iter()
                .map(|mm| target_of(k, *mm))
                .collect::<Vec<_>>()
                .iter(),
        )
    };
    let row = |lead: Vec<Value>, per: Vec<Decimal>, s: Decimal, t: Option<Decimal>, s0: Decimal| {
        let mut r = lead;
        r.extend(per.into_iter().map(Value::Money));
        r.extend([
            Value::Money(s),
            money_or_empty(t),
            ratio_opt(s, t),
            Value::Money(s0),
            growth(s, s0),
        ]);
        r
    };
    let rows = keys
        .iter()
        .map(|k| {
            row(
                roster.cells(k).into(),
                monthly.iter().map(|x| g(x, k)).collect(),
                g(&ytd, k),
                cum_t(k),
                g(&ytd0, k),
            )
        })
        .collect();
    let s: Decimal = ytd.values().copied().sum();
    let t = sum_opt(keys.iter().map(|k| cum_t(k)).collect::<Vec<_>>().iter());
    let s0: Decimal = ytd0.values().copied().sum();
    let mut columns = staff_cols();
    for mm in &months {
        columns.push(Column::new(
            &format!("m{:02}", mm.month),
            &format!("{}月", mm.month),
            &mm.to_string(),
            Kind::Money,
        ));
    }
    columns.extend([
        Column::new("ytd", "本年累计实销额", "YTD net sales", Kind::Money),
        Column::new("ytd_target", "累计目标", "YTD target", Kind::Money),
        Column::new(
            "ytd_completion",
            "累计完成率",
            "YTD completion",
            Kind::Percent,
        ),
        Column::new("ytd_year_ago", "上年同期累计", "YTD last year", Kind::Money),
        Column::new("ytd_growth", "累计增长率", "YTD growth", Kind::Percent),
    ]);
    let completion_at = 3 + months.len() + 2;
    Table {
        id: "salesperson-ytd".into(),
        title: Msg::new(
            format!("{}年 个人每月业绩累计比较表 (1月至{}月)", m.year, m.month),
            format!("Salesperson monthly and year-to-date, {} Jan–{}", m.year, m),
        ),
        columns,
        rows,
        totals: Some({
            let per = monthly.iter().map(|x| x.values().copied().sum()).collect();
            let mut r = row(total_lead(), per, s, t, s0);
            r[completion_at] = covered_ratio(keys.iter().map(|k| (g(&ytd, k), cum_t(k))));
            r
        }),
        notes: vec![],
    }
}

/// 客户业绩统计比较表 / 客户业绩累计比较表 (M48, M57 per customer): the month against the same
/// month last year, and the year to date against the same period last year.
fn customer_ytd_table(ctx: &Ctx) -> Table {
    let m = ctx.month;
    let dir = ctx.directory();
    // Σ 实销额 per customer of each window through the customer numbers, summed once per window
    // and shared with the grading and the 摘要 (what `sum_window` by customer gives, key for key).
    let cols = [
        ctx.net_by_customer(month_w(m)),
        ctx.net_by_customer(month_w(m.year_ago())),
        ctx.net_by_customer(Window::ytd(m)),
        ctx.net_by_customer(Window::ytd(m.year_ago())),
    ];
    let mut ids: BTreeSet<&String> = BTreeSet::new();
    for c in &cols {
        ids.extend(c.keys());
    }
    let row = |lead: Vec<Value>, v: [Decimal; 4]| {
        let mut r = lead;
        r.extend([
            Value::Money(v[0]),
            Value::Money(v[1]),
            growth_label(v[0], v[1]),
            Value::Money(v[2]),
            Value::Money(v[3]),
            growth_label(v[2], v[3]),
        ]);
        r
    };
    let rows = ids
        .iter()
        .map(|id| {
            row(
                vec![Value::Text(id.to_string()), Value::Text(dir.name(id))],
                cols.each_ref()
                    .map(|c| c.get(*id).copied().unwrap_or_default()),
            )
        })
        .collect();
    Table {
        id: "customer-ytd".into(),
        title: Msg::new(
            format!("{} 客户业绩统计与累计比较表", m.zh()),
            format!("Customer net sales, month and year to date, {m}"),
        ),
        columns: vec![
            Column::new("customer_id", "客户编号", "Customer ID", Kind::Text),
            Column::new("name", "客户名称", "Customer", Kind::Text),
            Column::new("net_sales", "本月实销额", "Net sales", Kind::Money),
            Column::new("year_ago", "上年同月", "Same month last year", Kind::Money),
            Column::new("yoy", "同比增长", "YoY growth", Kind::Percent),
            Column::new("ytd", "本年累计", "YTD", Kind::Money),
            Column::new("ytd_year_ago", "上年同期累计", "YTD last year", Kind::Money),
            Column::new("ytd_growth", "累计增长率", "YTD growth", Kind::Percent),
        ],
        rows,
        totals: Some(row(
            vec![Value::Text("合计".into()), Value::Empty],
            cols.each_ref().map(|c| c.values().copied().sum()),
        )),
        notes: vec![],
    }
}

const NO_CATEGORY: &str = "未分类";

fn sum_window<'a>(
    ctx: &Ctx<'a>,
    w: Window,
    key: impl Fn(&NetEntry<'a>) -> &'a str,
) -> BTreeMap<String, Decimal> {
    // Summed under borrowed keys: one allocation per key, not per line.
    let mut m: HashMap<&str, Decimal> = HashMap::default();
    for e in ctx.entries_in(w) {
        *m.entry(key(e)).or_default() += e.amount;
    }
    super::grading::owned_keys(m)
}

/// The customer key of an entry (a fn, not a closure: a closure cannot say that the key it returns
/// borrows from its argument). The tables sum by customer through [`Ctx::net_by_customer`]; the
/// tests check it against this string-keyed sum.
#[cfg(test)]
fn customer_of<'a>(e: &NetEntry<'a>) -> &'a str {
    e.customer_id
}

/// The 产品种类 of an entry, [`NO_CATEGORY`] when blank.
fn category_of<'a>(e: &NetEntry<'a>) -> &'a str {
    e.category.unwrap_or(NO_CATEGORY)
}

/// M47/M48 by 产品种类: month, previous month, same month last year, 环比, 同比, share.
fn category_table(ctx: &Ctx) -> Table {
    let key = category_of;
    let m = ctx.month;
    let this = sum_window(ctx, month_w(m), key);
    let prev = sum_window(ctx, month_w(m.prev()), key);
    let ago = sum_window(ctx, month_w(m.year_ago()), key);
    let mut cats: BTreeSet<&String> = this.keys().chain(prev.keys()).chain(ago.keys()).collect();
    let no_cat = cats.take(&NO_CATEGORY.to_string());
    let total = |x: &BTreeMap<String, Decimal>| x.values().copied().sum::<Decimal>();
    let (t1, tp, ta) = (total(&this), total(&prev), total(&ago));
    let g = |x: &BTreeMap<String, Decimal>, k: &str| x.get(k).copied().unwrap_or_default();
    let row = |name: &str, a: Decimal, p: Decimal, y: Decimal| {
        vec![
            Value::Text(name.into()),
            Value::Money(a),
            Value::Money(p),
            Value::Money(y),
            growth(a, p),
            growth_label(a, y),
            ratio(a, t1),
        ]
    };
    let mut rows: Vec<Vec<Value>> = cats
        .iter()
        .map(|c| row(c, g(&this, c), g(&prev, c), g(&ago, c)))
        .collect();
    if no_cat.is_some() {
        rows.push(row(
            NO_CATEGORY,
            g(&this, NO_CATEGORY),
            g(&prev, NO_CATEGORY),
            g(&ago, NO_CATEGORY),
        ));
    }
    Table {
        id: "sales-by-category".into(),
        title: Msg::new(
            format!("{} 各种类实销额", m.zh()),
            format!("Net sales by product category, {m}"),
        ),
        columns: vec![
            Column::new("category", "产品种类", "Category", Kind::Text),
            Column::new("net_sales", "本月实销额", "Net sales", Kind::Money),
            Column::new("prev_month", "上月实销额", "Previous month", Kind::Money),
            Column::new("year_ago", "上年同月", "Same month last year", Kind::Money),
            Column::new("mom", "环比增长", "MoM growth", Kind::Percent),
            Column::new("yoy", "同比增长", "YoY growth", Kind::Percent),
            Column::new("share", "占比", "Share", Kind::Percent),
        ],
        rows,
        totals: Some(row("合计", t1, tp, ta)),
        notes: vec![Msg::new(
            "退货随原订货行的种类冲减; 上年同期为 0 者标为“新增”",
            "Returns follow the category of the returned line; a zero base is shown as 新增",
        )],
    }
}

/// M48: a zero base is "新增" (with a non-zero current figure), else the growth ratio.
fn growth_label(this: Decimal, base: Decimal) -> Value {
    if base.is_zero() && !this.is_zero() {
        Value::Text("新增".into())
    } else {
        growth(this, base)
    }
}

/// M48 各业种销售总额增长一览表: by the customer's 所属行业, month and YTD, 同比 and 环比.
fn industry_table<'a>(ctx: &Ctx<'a>) -> Table {
    let dir = ctx.directory();
    let industry = |id: &str| -> &'a str {
        dir.get(id)
            .and_then(|c| c.industry.as_deref())
            .unwrap_or("未注明")
    };
    // Each customer's 业种 looked up once, not once per entry of each of five windows.
    let keys = ctx.keys();
    let by_number: Vec<&'a str> = (0..keys.customers() as u32)
        .map(|n| keys.name(n).map_or("未注明", industry))
        .collect();
    let of_entry = keys.entry_customers();
    let sum = |w: Window| -> BTreeMap<String, Decimal> {
        let mut m: HashMap<&str, Decimal> = HashMap::default();
        for i in ctx.entry_dates().within(w) {
            let Some(e) = ctx.entries.get(i) else {
                continue;
            };
            let k = of_entry
                .get(i)
                .and_then(|n| by_number.get(*n as usize))
                .copied()
                .unwrap_or_else(|| industry(e.customer_id));
            *m.entry(k).or_default() += e.amount;
        }
        super::grading::owned_keys(m)
    };
    let m = ctx.month;
    let a = sum(month_w(m));
    let p = sum(month_w(m.prev()));
    let y = sum(month_w(m.year_ago()));
    let ya = sum(Window::ytd(m));
    let yy = sum(Window::ytd(m.year_ago()));
    let mut names: BTreeSet<&String> = BTreeSet::new();
    for x in [&a, &p, &y, &ya, &yy] {
        names.extend(x.keys());
    }
    let g = |x: &BTreeMap<String, Decimal>, k: &str| x.get(k).copied().unwrap_or_default();
    let row = |name: &str, v: [Decimal; 5]| {
        vec![
            Value::Text(name.into()),
            Value::Money(v[0]),
            Value::Money(v[1]),
            growth_label(v[0], v[1]),
            Value::Money(v[2]),
            growth_label(v[0], v[2]),
            Value::Money(v[3]),
            Value::Money(v[4]),
            growth_label(v[3], v[4]),
        ]
    };
    let rows = names
        .iter()
        .map(|n| row(n, [g(&a, n), g(&p, n), g(&y, n), g(&ya, n), g(&yy, n)]))
        .collect();
    let s = |x: &BTreeMap<String, Decimal>| x.values().copied().sum::<Decimal>();
    Table {
        id: "sales-by-industry".into(),
        title: Msg::new(
            format!("{} 各业种销售总额增长一览表", m.zh()),
            format!("Sales growth by industry, {m}"),
        ),
        columns: vec![
            Column::new("industry", "业种(所属行业)", "Industry", Kind::Text),
            Column::new("net_sales", "本月实销额", "Net sales", Kind::Money),
            Column::new("prev_month", "上月", "Previous month", Kind::Money),
            Column::new("mom", "环比", "MoM", Kind::Percent),
            Column::new("year_ago", "上年同月", "Same month last year", Kind::Money),
            Column::new("yoy", "同比", "YoY", Kind::Percent),
            Column::new("ytd", "本年累计", "YTD", Kind::Money),
            Column::new("ytd_year_ago", "上年同期累计", "YTD last year", Kind::Money),
            Column::new("ytd_yoy", "累计同比", "YTD YoY", Kind::Percent),
        ],
        rows,
        totals: Some(row("合计", [s(&a), s(&p), s(&y), s(&ya), s(&yy)])),
        notes: vec![],
    }
}

/// M53 产品构成 by 产品种类, year to date: 实销额, share, cumulative share, 边际贡献, rate, ABC.
fn product_mix_table(ctx: &Ctx, costs: &Costs) -> Table {
    let w = Window::ytd(ctx.month);
    let net = sum_window(ctx, w, category_of);
    let mut cost: BTreeMap<String, Decimal> = BTreeMap::new();
    for e in ctx.costs_in(w) {
        add_to(&mut cost, e.category.unwrap_or(NO_CATEGORY), e.cost);
    }
    let total: Decimal = net.values().copied().sum();
    let contrib_total: Decimal = net
        .iter()
        .map(|(k, v)| *v - cost.get(k).copied().unwrap_or_default())
        .sum();
    let mut items: Vec<(&String, Decimal)> = net.iter().map(|(k, v)| (k, *v)).collect();
    items.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(b.0)));
    let mut cum = Decimal::ZERO;
    let mut rows = Vec::new();
    for (k, v) in items {
        cum += v;
        let cum_share = if total.is_zero() {
            None
        } else {
            Some(cum / total)
        };
        let c = v - cost.get(k).copied().unwrap_or_default();
        let (cv, cr, cs) = if costs.any_cost {
            (Value::Money(c), ratio(c, v), ratio(c, contrib_total))
        } else {
            let m = Value::Missing("成本".into());
            (m.clone(), m.clone(), m)
        };
        rows.push(vec![
            Value::Text(k.clone()),
            Value::Money(v),
            ratio(v, total),
            cum_share.map_or(Value::NotApplicable, Value::Ratio),
            cv,
            cr,
            cs,
            cum_share.map_or(Value::Empty, |s| Value::Text(abc_class(s).into())),
        ]);
    }
    Table {
        id: "product-mix".into(),
        title: Msg::new(
            format!(
                "{}年 产品构成分析表 (1月至{}月, 按产品种类)",
                ctx.month.year, ctx.month.month
            ),
            format!(
                "Product mix by category, {} Jan–{}",
                ctx.month.year, ctx.month
            ),
        ),
        columns: vec![
            Column::new("category", "产品种类", "Category", Kind::Text),
            Column::new("net_sales", "实销额", "Net sales", Kind::Money),
            Column::new("share", "占比", "Share", Kind::Percent),
            Column::new("cum_share", "累计占比", "Cumulative share", Kind::Percent),
            Column::new("contribution", "边际贡献", "Contribution", Kind::Money),
            Column::new(
                "contribution_rate",
                "边际贡献率",
                "Contribution rate",
                Kind::Percent,
            ),
            Column::new(
                "contribution_share",
                "贡献占比",
                "Contribution share",
                Kind::Percent,
            ),
            Column::new("abc", "ABC 类", "ABC class", Kind::Text),
        ],
        rows,
        totals: Some(vec![
            Value::Text("合计".into()),
            Value::Money(total),
            ratio(total, total),
            Value::Empty,
            if costs.any_cost {
                Value::Money(contrib_total)
            } else {
                Value::Missing("成本".into())
            },
            if costs.any_cost {
                ratio(contrib_total, total)
            } else {
                Value::Missing("成本".into())
            },
            Value::Empty,
            Value::Empty,
        ]),
        notes: vec![Msg::new(
            "ABC: 累计占比 ≤ 80% 为 A, ≤ 95% 为 B, 其余为 C",
            "ABC: cumulative share ≤ 80% A, ≤ 95% B, rest C",
        )],
    }
}

/// M56 year to date against the same period last year. Expenses are not in the data yet, so the
/// expense effect and ΔP are shown as missing and the contribution effects are given.
fn profit_variance_table(ctx: &Ctx, costs: &Costs) -> Table {
    let title = Msg::new(
        format!(
            "{}年 销售总利润增减分析表 (1月至{}月, 对上年同期)",
            ctx.month.year, ctx.month.month
        ),
        format!(
            "Profit variance, {} Jan–{} vs last year",
            ctx.month.year, ctx.month
        ),
    );
    if !costs.any_cost {
        return missing_table("profit-variance", title, "成本");
    }
    let w1 = Window::ytd(ctx.month);
    let w0 = Window::ytd(ctx.month.year_ago());
    let s = |w: Window| ctx.entries_in(w).map(|e| e.amount).sum::<Decimal>();
    let c = |w: Window| ctx.costs_in(w).map(|e| e.cost).sum::<Decimal>();
    let (s0, s1) = (s(w0), s(w1));
    let (c0, c1) = (c(w0), c(w1));
    let rate = |s: Decimal, c: Decimal| if s.is_zero() { None } else { Some((s - c) / s) };
    let (m0, m1) = (rate(s0, c0), rate(s1, c1));
    // E from T11 费用 when the sheet is there (M56); "—, 缺少数据: 费用" otherwise.
    let e = ctx.ds.expenses.is_some().then(|| {
        (
            super::expenses::total(ctx.ds, w0),
            super::expenses::total(ctx.ds, w1),
        )
    });
    let missing = Value::Missing(super::expenses::SHEET.into());
    let mut rows = vec![
        vec![
            Value::Text("实销额 S".into()),
            Value::Money(s0),
            Value::Money(s1),
            Value::Money(s1 - s0),
        ],
        vec![
            Value::Text("边际贡献率 m".into()),
            m0.map_or(Value::NotApplicable, Value::Ratio),
            m1.map_or(Value::NotApplicable, Value::Ratio),
            match (m0, m1) {
                (Some(a), Some(b)) => Value::Ratio(b - a),
                _ => Value::NotApplicable,
            },
        ],
        vec![
            Value::Text("边际贡献".into()),
            Value::Money(s0 - c0),
            Value::Money(s1 - c1),
            Value::Money(s1 - c1 - s0 + c0),
        ],
        match e {
            Some((e0, e1)) => vec![
                Value::Text("费用 E".into()),
                Value::Money(e0),
                Value::Money(e1),
                Value::Money(e1 - e0),
            ],
            None => vec![
                Value::Text("费用 E".into()),
                missing.clone(),
                missing.clone(),
                missing.clone(),
            ],
        },
        vec![
            Value::Text("利润 P = 边际贡献 − 费用".into()),
            e.map_or_else(|| missing.clone(), |(e0, _)| Value::Money(s0 - c0 - e0)),
            e.map_or_else(|| missing.clone(), |(_, e1)| Value::Money(s1 - c1 - e1)),
            e.map_or_else(
                || missing.clone(),
                |(e0, e1)| Value::Money((s1 - c1 - e1) - (s0 - c0 - e0)),
            ),
        ],
    ];
    let (e0, e1) = e.unwrap_or_default();
    let (se, me, ee, dp) = match (m0, m1) {
        (Some(m0), Some(m1)) => {
            let (a, b, c, d) = profit_variance(s0, m0, e0, s1, m1, e1);
            (
                Value::Money(a),
                Value::Money(b),
                Value::Money(c),
                Value::Money(d),
            )
        }
        _ => (
            Value::NotApplicable,
            Value::NotApplicable,
            Value::NotApplicable,
            Value::NotApplicable,
        ),
    };
    let (ee, dp) = if e.is_some() {
        (ee, dp)
    } else {
        (missing.clone(), missing)
    };
    rows.push(vec![
        Value::Text("销售额变动影响 (S1−S0)·m0".into()),
        Value::Empty,
        Value::Empty,
        se,
    ]);
    rows.push(vec![
        Value::Text("边际贡献率变动影响 S1·(m1−m0)".into()),
        Value::Empty,
        Value::Empty,
        me,
    ]);
    rows.push(vec![
        Value::Text("费用变动影响 −(E1−E0)".into()),
        Value::Empty,
        Value::Empty,
        ee,
    ]);
    rows.push(vec![
        Value::Text("利润变动 ΔP".into()),
        Value::Empty,
        Value::Empty,
        dp,
    ]);
    Table {
        id: "profit-variance".into(),
        title,
        columns: vec![
            Column::new("item", "项目", "Item", Kind::Text),
            Column::new("base", "上年同期", "Last year", Kind::Money),
            Column::new("this", "本期", "This year", Kind::Money),
            Column::new("change", "增减 / 影响", "Change / effect", Kind::Money),
        ],
        rows,
        totals: None,
        notes: vec![if e.is_some() {
            Msg::new(
                "利润 P = 边际贡献 − 费用 (费用表全部类别); ΔP = 销售额变动影响 + 边际贡献率变动影响 + 费用变动影响",
                "Profit = contribution − expenses (all categories of the expense sheet); ΔP = sales effect + contribution-rate effect + expense effect",
            )
        } else {
            Msg::new(
                "利润 P = 边际贡献 − 费用; 缺少费用表, 费用影响与利润变动未计算",
                "Profit = contribution − expenses; no expense sheet, so the expense effect and ΔP are not computed",
            )
        }],
    }
}

/// The complete calendar years usable for M52 up to `month`: December ≤ `month`, and the data
/// begins by January of that year. The last three at most.
fn complete_years(entries: &[NetEntry], month: Month) -> Vec<i32> {
    let Some(first) = entries.iter().map(|e| e.date).min() else {
        return vec![];
    };
    let first = Month::of(first);
    let last_full = if month.month == 12 {
        month.year
    } else {
        month.year - 1
    };
    let first_full = if first.month == 1 {
        first.year
    } else {
        first.year + 1
    };
    let years: Vec<i32> = (first_full..=last_full).collect();
    years[years.len().saturating_sub(3)..].to_vec()
}

fn seasonality_table(ctx: &Ctx) -> Table {
    let years = complete_years(&ctx.entries, ctx.month);
    let data: Vec<[Decimal; 12]> = years
        .iter()
        .map(|y| {
            let mut r = [Decimal::ZERO; 12];
            for (i, v) in r.iter_mut().enumerate() {
                *v = ctx.net_sales(Month::new(*y, i as u32 + 1).unwrap_or(ctx.month));
            }
            r
        })
        .collect();
    let mut columns = vec![Column::new("month", "月份", "Month", Kind::Text)];
    for y in &years {
        columns.push(Column::new(
            &format!("y{y}"),
            &format!("{y}年"),
            &y.to_string(),
            Kind::Money,
        ));
    }
    columns.extend([
        Column::new("mean", "同月平均", "Monthly mean", Kind::Money),
        Column::new("index", "季节指数", "Seasonal index", Kind::Percent),
    ]);
    let title = Msg::new(
        "销售额季节变动指数计算表 (按月平均法)",
        "Seasonal index of net sales (monthly averages)",
    );
    let Some(idx) = seasonal_index(&data) else {
        return Table {
            id: "seasonality".into(),
            title,
            columns: vec![Column::new("status", "状态", "Status", Kind::Text)],
            rows: vec![vec![Value::Text("数据不足(需至少两个完整年度)".into())]],
            totals: None,
            notes: vec![Msg::new(
                format!("可用完整年度: {} 个", years.len()),
                format!("Complete calendar years available: {}", years.len()),
            )],
        };
    };
    let yn = Decimal::from(years.len() as u64);
    let mut rows = Vec::new();
    for m in 0..12 {
        let mut r = vec![Value::Text(format!("{}月", m + 1))];
        r.extend(data.iter().map(|d| Value::Money(d[m])));
        r.push(Value::Money(
            data.iter().map(|d| d[m]).sum::<Decimal>() / yn,
        ));
        r.push(Value::Ratio(idx[m]));
        rows.push(r);
    }
    // Quarterly variant (Σ 400%): quarter means over the grand quarterly mean.
    let q: Vec<Decimal> = (0..4)
        .map(|i| idx[i * 3..i * 3 + 3].iter().copied().sum::<Decimal>() / Decimal::from(3))
        .collect();
    let mut totals = vec![Value::Text("合计".into())];
    totals.extend(data.iter().map(|d| Value::Money(d.iter().copied().sum())));
    // A column of means has no meaningful sum; the indices sum to 1200% by construction.
    totals.push(Value::Empty);
    totals.push(Value::Ratio(
        idx.iter().copied().sum::<Decimal>().round_dp(6),
    ));
    Table {
        id: "seasonality".into(),
        title,
        columns,
        rows,
        totals: Some(totals),
        notes: vec![
            Msg::new(
                format!("季节指数 = 同月平均 / 全期月平均; 各月合计 1200%. 季度指数: 一季度 {:.1}%, 二季度 {:.1}%, 三季度 {:.1}%, 四季度 {:.1}% (合计 400%)",
                    q[0] * Decimal::from(100), q[1] * Decimal::from(100), q[2] * Decimal::from(100), q[3] * Decimal::from(100)),
                format!("Index = monthly mean / overall monthly mean; months sum to 1200%. Quarterly: Q1 {:.1}%, Q2 {:.1}%, Q3 {:.1}%, Q4 {:.1}% (sum 400%)",
                    q[0] * Decimal::from(100), q[1] * Decimal::from(100), q[2] * Decimal::from(100), q[3] * Decimal::from(100)),
            ),
        ],
    }
}

/// M52 quarterly variant (季度季节指数, Σ 400%) for the §4.2 quarterly review.
fn seasonality_quarterly_table(ctx: &Ctx) -> Table {
    let years = complete_years(&ctx.entries, ctx.month);
    let data: Vec<[Decimal; 12]> = years
        .iter()
        .map(|y| {
            let mut r = [Decimal::ZERO; 12];
            for (i, v) in r.iter_mut().enumerate() {
                *v = ctx.net_sales(Month::new(*y, i as u32 + 1).unwrap_or(ctx.month));
            }
            r
        })
        .collect();
    let title = Msg::new(
        "销售额季节变动指数 (季度, 按季平均法)",
        "Quarterly seasonal index of net sales",
    );
    let Some(idx) = seasonal_index(&data) else {
        return Table {
            id: "seasonality-quarterly".into(),
            title,
            columns: vec![Column::new("status", "状态", "Status", Kind::Text)],
            rows: vec![vec![Value::Text("数据不足(需至少两个完整年度)".into())]],
            totals: None,
            notes: vec![],
        };
    };
    let three = Decimal::from(3);
    let yn = Decimal::from(years.len() as u64);
    let q_of = |d: &[Decimal; 12], q: usize| d[q * 3..q * 3 + 3].iter().copied().sum::<Decimal>();
    let mut columns = vec![Column::new("quarter", "季度", "Quarter", Kind::Text)];
    for y in &years {
        columns.push(Column::new(
            &format!("y{y}"),
            &format!("{y}年"),
            &y.to_string(),
            Kind::Money,
        ));
    }
    columns.extend([
        Column::new("mean", "同季平均", "Quarterly mean", Kind::Money),
        Column::new("index", "季节指数", "Seasonal index", Kind::Percent),
    ]);
    let mut rows = Vec::new();
    for q in 0..4 {
        let mut r = vec![Value::Text(
            ["一季度", "二季度", "三季度", "四季度"][q].into(),
        )];
        r.extend(data.iter().map(|d| Value::Money(q_of(d, q))));
        r.push(Value::Money(
            data.iter().map(|d| q_of(d, q)).sum::<Decimal>() / yn,
        ));
        // Quarter mean / grand quarterly mean = the mean of its three monthly indices.
        r.push(Value::Ratio(
            idx[q * 3..q * 3 + 3].iter().copied().sum::<Decimal>() / three,
        ));
        rows.push(r);
    }
    let mut totals = vec![Value::Text("合计".into())];
    totals.extend(data.iter().map(|d| Value::Money(d.iter().copied().sum())));
    totals.push(Value::Empty);
    totals.push(Value::Ratio(
        (idx.iter().copied().sum::<Decimal>() / three).round_dp(6),
    ));
    Table {
        id: "seasonality-quarterly".into(),
        title,
        columns,
        rows,
        totals: Some(totals),
        notes: vec![Msg::new(
            "各季指数合计 400%",
            "The quarterly indices sum to 400%",
        )],
    }
}

/// M48 产品销售额增长一览表: 实销额 by 产品种类, year to date against the same period last year
/// (同比), with the month's 环比 beside it.
fn category_growth_table(ctx: &Ctx) -> Table {
    let key = category_of;
    let m = ctx.month;
    let cols = [
        sum_window(ctx, Window::ytd(m), key),
        sum_window(ctx, Window::ytd(m.year_ago()), key),
        sum_window(ctx, month_w(m), key),
        sum_window(ctx, month_w(m.prev()), key),
    ];
    let mut cats: BTreeSet<&String> = BTreeSet::new();
    for c in &cols {
        cats.extend(c.keys());
    }
    let row = |name: &str, v: [Decimal; 4]| {
        vec![
            Value::Text(name.into()),
            Value::Money(v[0]),
            Value::Money(v[1]),
            growth_label(v[0], v[1]),
            Value::Money(v[2]),
            Value::Money(v[3]),
            growth_label(v[2], v[3]),
        ]
    };
    let rows = cats
        .iter()
        .map(|c| {
            row(
                c,
                cols.each_ref()
                    .map(|x| x.get(*c).copied().unwrap_or_default()),
            )
        })
        .collect();
    Table {
        id: "category-growth".into(),
        title: Msg::new(
            format!(
                "{}年 产品销售额增长一览表 (1月至{}月, 按产品种类)",
                m.year, m.month
            ),
            format!("Net sales growth by category, {} Jan–{}", m.year, m),
        ),
        columns: vec![
            Column::new("category", "产品种类", "Category", Kind::Text),
            Column::new("ytd", "本年累计", "YTD", Kind::Money),
            Column::new("ytd_year_ago", "上年同期累计", "YTD last year", Kind::Money),
            Column::new("yoy", "同比增长", "YoY growth", Kind::Percent),
            Column::new("net_sales", "本月实销额", "Net sales (month)", Kind::Money),
            Column::new("prev_month", "上月", "Previous month", Kind::Money),
            Column::new("mom", "环比增长", "MoM growth", Kind::Percent),
        ],
        rows,
        totals: Some(row(
            "合计",
            cols.each_ref().map(|x| x.values().copied().sum()),
        )),
        notes: vec![Msg::new(
            "上年同期为 0 者标为“新增”",
            "A zero base is shown as 新增",
        )],
    }
}

/// M58 历年客户营业额: per customer and calendar year (up to five, the report year to date), with
/// the growth of the last year over the one before.
/// Σ 实销额 per customer and year of `years` (ascending, the last one the report year, summed to
/// the report month), the customers with an entry in those years in key order.
fn years_by_customer(ctx: &Ctx, years: &[i32]) -> BTreeMap<String, BTreeMap<i32, Decimal>> {
    let m = ctx.month;
    let sums: Vec<(i32, std::sync::Arc<Vec<Option<Decimal>>>)> = years
        .iter()
        .filter_map(|&y| {
            let last = if y == m.year { m } else { Month::new(y, 12)? };
            Some((
                y,
                ctx.net_by_number(Window::months(Month::new(y, 1)?, last)),
            ))
        })
        .collect();
    let keys = ctx.keys();
    keys.sorted()
        .iter()
        .filter_map(|&n| {
            let v: BTreeMap<i32, Decimal> = sums
                .iter()
                .filter_map(|(y, s)| Some((*y, s.get(n as usize).copied().flatten()?)))
                .collect();
            (!v.is_empty()).then(|| Some((keys.name(n)?.to_owned(), v)))?
        })
        .collect()
}

fn customer_years_table(ctx: &Ctx) -> Table {
    let dir = ctx.directory();
    let m = ctx.month;
    let first = ctx
        .entries
        .iter()
        .map(|e| e.date)
        .min()
        .map(|d| Month::of(d).year)
        .unwrap_or(m.year);
    let years: Vec<i32> = (first.max(m.year - 4)..=m.year).collect();
    // The entries of those years up to the report month, summed per customer number and year
    // (each year's window once, [`Ctx::net_by_number`]: the report year's is the year to date the
    // other tables sum too), then keyed once per customer: what summing the entries from January
    // of the first year under their keys gives, customer by customer and year by year.
    let by = years_by_customer(ctx, &years);
    let mut columns = vec![
        Column::new("customer_id", "客户编号", "Customer ID", Kind::Text),
        Column::new("name", "客户名称", "Customer", Kind::Text),
    ];
    for y in &years {
        let zh = if *y == m.year {
            format!("{y}年(至{}月)", m.month)
        } else {
            format!("{y}年")
        };
        columns.push(Column::new(
            &format!("y{y}"),
            &zh,
            &y.to_string(),
            Kind::Money,
        ));
    }
    // Growth compares whole years: the last complete year (the report year only in December)
    // with the one before; a year to date against a full year would read as a fall.
    let last_full = if m.month == 12 { m.year } else { m.year - 1 };
    columns.push(Column::new(
        "yoy",
        &format!("{last_full}年同比增长"),
        &format!("Growth {last_full}"),
        Kind::Percent,
    ));
    let row = |lead: Vec<Value>, v: &BTreeMap<i32, Decimal>| {
        let mut r = lead;
        r.extend(
            years
                .iter()
                .map(|y| Value::Money(v.get(y).copied().unwrap_or_default())),
        );
        r.push(
            if years.contains(&last_full) && years.contains(&(last_full - 1)) {
                growth_label(
                    v.get(&last_full).copied().unwrap_or_default(),
                    v.get(&(last_full - 1)).copied().unwrap_or_default(),
                )
            } else {
                Value::NotApplicable
            },
        );
        r
    };
    let mut tot: BTreeMap<i32, Decimal> = BTreeMap::new();
    let rows = by
        .iter()
        .map(|(id, v)| {
            for (y, a) in v {
                *tot.entry(*y).or_default() += a;
            }
            row(vec![Value::Text(id.clone()), Value::Text(dir.name(id))], v)
        })
        .collect();
    Table {
        id: "customer-yearly-sales".into(),
        title: Msg::new("历年客户营业额统计表", "Customer net sales by year"),
        columns,
        rows,
        totals: Some(row(vec![Value::Text("合计".into()), Value::Empty], &tot)),
        notes: vec![Msg::new(
            format!(
                "{}年为截至 {} 的累计; 同比增长比较最近一个完整年度 ({last_full}年) 与其上一年",
                m.year,
                m.zh()
            ),
            format!(
                "{} is year to date to {m}; growth compares the last complete year ({last_full}) with the year before",
                m.year
            ),
        )],
    }
}

/// M41 跨月退货 and 奖金追回清单: returns in the month of an earlier month's order.
fn clawback_table(ctx: &Ctx, roster: &Roster) -> Table {
    let idx = &roster.orders;
    let w = month_w(ctx.month);
    let dir = ctx.directory();
    let mut rows = Vec::new();
    let (mut amt, mut bonus) = (Decimal::ZERO, Decimal::ZERO);
    for r in ctx.ds.returns.iter().flatten().filter(|r| {
        !r.exchange && w.contains(deduction_date(r.return_date, &ctx.cfg.closed_periods))
    }) {
        let orig = original_line(r, &idx);
        let Some(o) = orig.filter(|o| Month::of(o.order_date) < ctx.month) else {
            continue;
        };
        let s = return_staff(r, orig, roster);
        let b = ctx.cfg.bonus_rate.map(|rate| {
            (r.amount * rate).round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero)
        });
        amt += r.amount;
        bonus += b.unwrap_or_default();
        let cid = return_cid(r);
        let mut row: Vec<Value> = roster.cells(&s).into();
        row.extend([
            Value::Text(dir.name(&cid)),
            Value::Text(r.orig_order_no.clone().unwrap_or_default()),
            Value::Text(Month::of(o.order_date).zh()),
            Value::Date(r.return_date),
            Value::Text(Month::of(deduction_date(r.return_date, &ctx.cfg.closed_periods)).zh()),
            Value::Qty(r.qty),
            Value::Money(r.amount),
            money_or_empty(b),
        ]);
        rows.push(row);
    }
    let mut columns = staff_cols();
    columns.extend([
        Column::new("customer", "客户名称", "Customer", Kind::Text),
        Column::new("order_no", "原订单号", "Original order", Kind::Text),
        Column::new("order_month", "原订货月份", "Order month", Kind::Text),
        Column::new("return_date", "退货日期", "Return date", Kind::Date),
        Column::new("deducted_in", "扣减月份", "Deducted in", Kind::Text),
        Column::new("qty", "退回数量", "Returned qty", Kind::Qty),
        Column::new("amount", "退回金额", "Returned amount", Kind::Money),
        Column::new("bonus", "追回奖金", "Bonus to recover", Kind::Money),
    ]);
    let mut totals = total_lead();
    totals.extend([
        Value::Empty,
        Value::Empty,
        Value::Empty,
        Value::Empty,
        Value::Empty,
        Value::Empty,
        Value::Money(amt),
        if ctx.cfg.bonus_rate.is_some() {
            Value::Money(bonus)
        } else {
            Value::Empty
        },
    ]);
    Table {
        id: "return-clawback".into(),
        title: Msg::new(
            format!("{} 跨月退货与奖金追回清单", ctx.month.zh()),
            format!("Cross-month returns and bonus recovery, {}", ctx.month),
        ),
        columns,
        rows,
        totals: Some(totals),
        notes: {
            let mut n = vec![if ctx.cfg.bonus_rate.is_some() {
                Msg::new(
                    "追回奖金 = 退回金额 × bonus_rate",
                    "Bonus to recover = returned amount × bonus_rate",
                )
            } else {
                Msg::new(
                    "未设置 bonus_rate, 追回奖金留空 (制度未给出奖金公式)",
                    "bonus_rate is not set: the bonus column is blank (no formula in the seeds)",
                )
            }];
            if !ctx.cfg.closed_periods.is_empty() {
                n.push(Msg::new(
                    format!("已结账月份 ({}) 的退货顺延到下一个未结账月份扣减 (第6条 “本月份(或下月份)”)", ctx.cfg.closed_periods.join("、")),
                    format!("Returns dated in a closed month ({}) are deducted in the next open month (art. 6)", ctx.cfg.closed_periods.join(", ")),
                ));
            }
            n
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Customer, Return, Salesperson};
    use crate::stats::grading::tests::{customer, d, line};
    use rust_decimal_macros::dec;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    /// The per-customer sums by customer number equal the sums under the entries' keys on edge
    /// data (spaced and blank keys, a customer by 名称 only, one only in the returns, one with
    /// lines in earlier months but none in the report month), value and scale.
    #[test]
    fn customer_sums_by_number_equal_the_string_keyed_sums() {
        let ds = crate::stats::tests::edge_dataset();
        let cfg = Config::default();
        for month in ["2024-03", "2024-02", "2023-12", "2025-02", "2028-01"] {
            let ctx = Ctx::new(&ds, m(month), &cfg);
            let mo = ctx.month;
            for w in [
                month_w(mo),
                month_w(mo.year_ago()),
                Window::ytd(mo),
                Window::ytd(mo.year_ago()),
            ] {
                assert_eq!(
                    format!("{:?}", ctx.net_by_customer(w)),
                    format!("{:?}", sum_window(&ctx, w, customer_of)),
                    "{month} {w:?}"
                );
            }
            // What customer_years_table summed before: every entry from January of the first
            // year to the report month under its key, by year.
            let years: Vec<i32> = (2023.max(mo.year - 4)..=mo.year).collect();
            let mut want: BTreeMap<String, BTreeMap<i32, Decimal>> = BTreeMap::new();
            let jan = Month::new(years[0], 1).unwrap();
            for e in ctx.entries_in(Window::months(jan, mo)) {
                *want
                    .entry(e.customer_id.to_owned())
                    .or_default()
                    .entry(Month::of(e.date).year)
                    .or_default() += e.amount;
            }
            let got = years_by_customer(&ctx, &years);
            assert_eq!(format!("{got:?}"), format!("{want:?}"), "{month}");
            if month == "2024-03" {
                // C1's 2023 line less its return in 2024; R7 (returns only) takes its return.
                assert_eq!(got["C1"][&2023], dec!(100.10));
                assert_eq!(got["R7"][&2024], dec!(-4));
                assert!(!got.contains_key(" C1"));
            }
        }
    }

    /// The run-by-run order index holds each order's lines in sheet order, as indexing line by
    /// line does: orders interrupted by others, lines without 订单号 between and at the ends.
    #[test]
    fn orders_index_by_runs_equals_line_by_line() {
        let mut lines = vec![
            line("A", "2024-03-01", "C1", dec!(1)),
            line("A", "2024-03-01", "C1", dec!(2)),
            line("B", "2024-03-02", "C2", dec!(3)),
            line("A", "2024-03-03", "C1", dec!(4)),
            line("", "2024-03-03", "C1", dec!(5)),
            line("C", "2024-03-04", "C3", dec!(6)),
            line("C", "2024-03-04", "C3", dec!(7)),
            line("B", "2024-03-05", "C2", dec!(8)),
            line("B", "2024-03-05", "C2", dec!(9)),
        ];
        lines[4].order_no = None;
        lines.insert(0, lines[4].clone());
        lines.push(lines[0].clone());
        for n in 0..=lines.len() {
            let part = &lines[..n];
            let mut want: HashMap<&str, Vec<&SaleLine>> = HashMap::default();
            for l in part {
                if let Some(no) = l.order_no.as_deref() {
                    want.entry(no).or_default().push(l);
                }
            }
            let got = orders_index(part, 2);
            let amounts = |m: &HashMap<&str, Vec<&SaleLine>>| {
                m.iter()
                    .map(|(k, v)| (k.to_string(), v.iter().map(|l| l.amount).collect()))
                    .collect::<BTreeMap<String, Vec<Decimal>>>()
            };
            assert_eq!(amounts(&got), amounts(&want), "{n} lines");
        }
        let all = orders_index(&lines, 0);
        assert_eq!(
            all["A"].iter().map(|l| l.amount).collect::<Vec<_>>(),
            vec![dec!(1), dec!(2), dec!(4)]
        );
        assert_eq!(all.len(), 3);
    }

    /// The FIFO base gathers a customer's shipments across runs interrupted by other customers'
    /// lines, sorted by date, against the receipts before the note (of any method).
    #[test]
    fn note_fifo_bases_gather_a_customers_runs_in_date_order() {
        let lines = vec![
            line("S1", "2024-01-03", "A", dec!(10)),
            line("S1", "2024-01-03", "A", dec!(0.00)),
            line("S2", "2024-01-01", "B", dec!(5)),
            line("S3", "2024-01-01", "A", dec!(20)),
            line("S4", "2024-01-02", "A", dec!(30)),
        ];
        let receipt = |date: &str, amount: Decimal, note: bool| crate::model::Receipt {
            receipt_date: d(date),
            customer_id: Some("A".into()),
            amount,
            method: Some(
                if note {
                    "银行承兑汇票"
                } else {
                    "银行转账"
                }
                .into(),
            ),
            note_due_date: note.then(|| d("2024-05-01")),
            ..Default::default()
        };
        let ds = Dataset {
            sales: Some(lines),
            receipts: Some(vec![
                receipt("2024-02-01", dec!(25), false),
                receipt("2024-02-05", dec!(5), true),
                receipt("2024-02-06", dec!(25), false),
                receipt("2024-02-07", dec!(1), true),
                receipt("2024-02-08", dec!(100), true),
            ]),
            ..Default::default()
        };
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, m("2024-02"), &cfg);
        let roster = ctx.roster();
        let plain = note_pls(&ds, &cfg, &roster);
        assert_eq!(plain, note_pls_with(&ds, &cfg, &roster, Some(ctx.keys())));
        // Paid before each note: 25, 55, 56; A's shipments add up to 20, 50, 60 by date.
        let bases: Vec<NaiveDate> = plain.iter().map(|n| n.base).collect();
        assert_eq!(
            bases,
            vec![d("2024-01-02"), d("2024-01-03"), d("2024-01-03")]
        );
        assert_eq!(plain[0].term_days, 120);
    }

    fn person(id: &str, name: &str, group: &str, region: &str) -> Salesperson {
        Salesperson {
            staff_id: id.into(),
            name: name.into(),
            group: Some(group.into()),
            region: Some(region.into()),
            ..Default::default()
        }
    }

    fn find<'t>(ts: &'t [Table], id: &str) -> &'t Table {
        ts.iter()
            .find(|t| t.id == id)
            .unwrap_or_else(|| panic!("no table {id}"))
    }

    fn col(t: &Table, key: &str) -> usize {
        t.columns.iter().position(|c| c.key == key).unwrap()
    }

    /// DOMAIN M40 worked test: face 100,000, shipped 2024-01-10, maturing 2024-04-09 → −493.15.
    #[test]
    fn m40_worked_case() {
        assert_eq!(note_pl(dec!(100000), dec!(0.06), 90, false), dec!(-493.15));
        assert_eq!(
            note_pl(dec!(100000), dec!(0.06), 30, true),
            dec!(0),
            "loss_only drops gains"
        );
        assert_eq!(note_pl(dec!(100000), dec!(0.06), 30, false), dec!(493.15));
        let mut l = line("SO1", "2024-01-05", "C1", dec!(100000));
        l.ship_date = Some(d("2024-01-10"));
        let r = Receipt {
            receipt_date: d("2024-02-01"),
            customer_id: Some("C1".into()),
            amount: dec!(100000),
            method: Some("商业承兑汇票".into()),
            note_due_date: Some(d("2024-04-09")),
            note_status: Some("未到期".into()),
            ..Default::default()
        };
        let ds = Dataset {
            sales: Some(vec![l]),
            receipts: Some(vec![r]),
            customers: Some(vec![customer("C1")]),
            ..Default::default()
        };
        let cfg = Config::default();
        let roster = Roster::new(&ds);
        let pls = note_pls(&ds, &cfg, &roster);
        assert_eq!(pls.len(), 1);
        assert_eq!(pls[0].base, d("2024-01-10"), "FIFO: oldest unpaid shipment");
        assert_eq!(pls[0].term_days, 90);
        assert_eq!(pls[0].pl, dec!(-493.15));
        let ctx = Ctx::new(&ds, m("2024-02"), &cfg);
        let ts = tables(&ctx);
        let c = find(&ts, "collections");
        let tot = c.totals.as_ref().unwrap();
        assert_eq!(tot[col(c, "note_pl")], Value::Money(dec!(-493.15)));
        assert_eq!(tot[col(c, "notes_held")], Value::Money(dec!(100000)));
        assert_eq!(tot[col(c, "collected")], Value::Money(dec!(100000)));
        assert_eq!(
            tot[col(c, "mom")],
            Value::NotApplicable,
            "nothing collected in January"
        );
    }

    /// DOMAIN M52 worked test: every month 100 except December 200, two years → G = 108.33,
    /// January 92.31%, December 184.62%.
    #[test]
    fn m52_worked_case() {
        let mut y = [dec!(100); 12];
        y[11] = dec!(200);
        let idx = seasonal_index(&[y, y]).unwrap();
        assert_eq!((idx[0] * dec!(100)).round_dp(2), dec!(92.31));
        assert_eq!((idx[11] * dec!(100)).round_dp(2), dec!(184.62));
        assert_eq!(idx.iter().copied().sum::<Decimal>().round_dp(6), dec!(12));
        assert_eq!(seasonal_index(&[y]), None, "one year → 数据不足");
    }

    #[test]
    fn m52_table_needs_two_complete_years() {
        let mut lines = Vec::new();
        for mo in 1..=12 {
            lines.push(line(
                &format!("A{mo}"),
                &format!("2022-{mo:02}-05"),
                "C1",
                dec!(100),
            ));
            lines.push(line(
                &format!("B{mo}"),
                &format!("2023-{mo:02}-05"),
                "C1",
                if mo == 12 { dec!(200) } else { dec!(100) },
            ));
        }
        lines.last_mut().unwrap().amount = dec!(200);
        let ds = Dataset {
            sales: Some(lines.clone()),
            ..Default::default()
        };
        let cfg = Config::default();
        let t = seasonality_table(&Ctx::new(&ds, m("2023-11"), &cfg));
        assert_eq!(
            t.rows[0][0],
            Value::Text("数据不足(需至少两个完整年度)".into())
        );
        let t = seasonality_table(&Ctx::new(&ds, m("2024-01"), &cfg));
        assert_eq!(t.rows.len(), 12);
        let q = seasonality_quarterly_table(&Ctx::new(&ds, m("2024-01"), &cfg));
        assert_eq!(q.rows.len(), 4);
        // Q4: (300 + 400) / 2 = 350 over the quarterly mean 2500 / 8.
        let qi = q.rows[3].len() - 1;
        assert_eq!(
            (match &q.rows[3][qi] {
                Value::Ratio(r) => *r,
                _ => panic!(),
            })
            .round_dp(6),
            (dec!(350) / (dec!(2500) / dec!(8))).round_dp(6)
        );
        assert_eq!(q.totals.unwrap()[qi], Value::Ratio(dec!(4)));
        let last = t.rows[11].len() - 1;
        // Dec: (100 + 200) / 2 = 150 over G = (1200 + 1300) / 24.
        assert_eq!(
            t.rows[11][last],
            Value::Ratio(dec!(150) / (dec!(2500) / dec!(24)))
        );
    }

    /// DOMAIN M56 worked test: effects +60, −60, −20; ΔP = −20.
    #[test]
    fn m56_worked_case() {
        let (a, b, c, dp) = profit_variance(
            dec!(1000),
            dec!(0.30),
            dec!(100),
            dec!(1200),
            dec!(0.25),
            dec!(120),
        );
        assert_eq!((a, b, c, dp), (dec!(60), dec!(-60), dec!(-20), dec!(-20)));
    }

    #[test]
    fn m33_reason_map_and_precedence() {
        assert_eq!(return_reason(None, Some("包装破损, 且送货晚")), "品质");
        assert_eq!(return_reason(None, Some("送货晚导致缺货")), "误期");
        assert_eq!(return_reason(None, Some("仓库错发型号")), "业务");
        assert_eq!(return_reason(None, Some("客户订多了")), "其他");
        assert_eq!(return_reason(None, None), "其他");
        assert_eq!(
            return_reason(Some("业务"), Some("质量问题")),
            "业务",
            "typed category wins"
        );
        assert_eq!(return_reason(Some("别的"), Some("质量问题")), "品质");
    }

    #[test]
    fn m32_channel_map() {
        assert_eq!(channel(Some("上门拜访")), Channel::Visit);
        assert_eq!(channel(Some("微信")), Channel::Remote);
        assert_eq!(channel(Some("传真")), Channel::Remote);
        assert_eq!(channel(Some("  ")), Channel::Unknown);
        assert_eq!(channel(None), Channel::Unknown);
        assert!(is_cancel_word("撤单"));
    }

    #[test]
    fn m49_targets_monthly_rows_win_over_annual() {
        let t = |p: &str, v: Decimal| Target {
            period: p.into(),
            staff: Some("S1".into()),
            target_sales: v,
            ..Default::default()
        };
        let annual = t("2024", dec!(1200000));
        assert_eq!(month_target(&[&annual], m("2024-03")), Some(dec!(100000)));
        let march = t("2024-03", dec!(90000));
        assert_eq!(
            month_target(&[&annual, &march], m("2024-03")),
            Some(dec!(90000))
        );
        assert_eq!(
            month_target(&[&annual, &march], m("2024-04")),
            None,
            "monthly rows exist for 2024"
        );
        assert_eq!(month_target(&[&annual], m("2025-01")), None);
    }

    #[test]
    fn m51_ranking_and_tie_breaks() {
        let r = |k: &str, net: Decimal, t: Option<Decimal>, c: Decimal| Ranked {
            key: k.into(),
            net,
            target: t,
            collected: c,
        };
        let (v, by_target) = rank_people(vec![
            r("S3", dec!(100), Some(dec!(100)), dec!(0)),
            r("S1", dec!(200), Some(dec!(100)), dec!(0)),
            r("S2", dec!(100), Some(dec!(100)), dec!(0)),
            r("S4", dec!(100), Some(dec!(100)), dec!(50)),
        ]);
        assert!(by_target);
        let keys: Vec<&str> = v.iter().map(|x| x.key.as_str()).collect();
        assert_eq!(keys, ["S1", "S4", "S2", "S3"]);
        let (v, by_target) = rank_people(vec![
            r("S1", dec!(100), Some(dec!(50)), dec!(0)),
            r("S2", dec!(300), None, dec!(0)),
        ]);
        assert!(!by_target, "one has no target → by 实销额");
        assert_eq!(v[0].key, "S2");
        let cfg = Config::default();
        assert_eq!(perf_band(dec!(1.2), &cfg), "优");
        assert_eq!(perf_band(dec!(0.9999), &cfg), "中");
        assert_eq!(perf_band(dec!(0.5), &cfg), "差");
    }

    /// Per-salesperson 实销额 sums to the company total, 未指定 included; the 通信 territory rule
    /// and the M37 chain hold per row; mixed units are not summed.
    #[test]
    fn reconciliation_and_m37_chain_per_salesperson() {
        let mut c1 = customer("C1");
        c1.owner = Some("张三".into());
        c1.region = Some("华东".into());
        let mut c2 = customer("C2");
        c2.region = Some("华南".into()); // no 负责人
        let c3 = customer("C3"); // no 负责人, no region
        let mut a = line("SO1", "2024-03-01", "C1", dec!(1000)); // → 张三 (负责人)
        a.discount = dec!(50);
        a.unit = Some("吨".into());
        let mut b = line("SO2", "2024-03-02", "C2", dec!(800)); // 通信, → 华南 territory: S2
        b.order_channel = Some("电话".into());
        b.unit = Some("件".into());
        let mut c = line("SO3", "2024-03-03", "C3", dec!(300)); // 未指定
        c.rebate = dec!(30);
        let mut v = line("SO4", "2024-03-04", "C1", dec!(200)); // cancelled, unshipped
        v.cancelled = true;
        let mut x = line("SO5", "2024-03-05", "C1", dec!(400));
        x.staff = Some("S2".into()); // by 工号
        let old = line("SO0", "2024-02-01", "C1", dec!(500));
        // C2 ordered in January, so March is a 固定客户 (通信) order.
        let jan = line("SOJ", "2024-01-10", "C2", dec!(100));
        let ret = Return {
            return_date: d("2024-03-10"),
            orig_order_no: Some("SO0".into()),
            customer_id: Some("C1".into()),
            qty: dec!(1),
            amount: dec!(100),
            reason_text: Some("质量问题".into()),
            ..Default::default()
        };
        let ds = Dataset {
            sales: Some(vec![a, b, c, v, x, old, jan]),
            returns: Some(vec![ret]),
            customers: Some(vec![c1, c2, c3]),
            salespeople: Some(vec![
                person("S1", "张三", "一组", "华东"),
                person("S2", "李四", "二组", "华南"),
            ]),
            ..Default::default()
        };
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let company = ctx.net_sales(ctx.month);
        assert_eq!(
            company,
            dec!(1000) - dec!(50) + dec!(800) + dec!(300) - dec!(30) + dec!(400) - dec!(100)
        );
        let ts = tables(&ctx);
        let p = find(&ts, "sales-performance");
        let net = col(p, "net_sales");
        let sum: Decimal = p.rows.iter().filter_map(|r| r[net].money()).sum();
        assert_eq!(sum, company);
        assert_eq!(p.totals.as_ref().unwrap()[net], Value::Money(company));
        let names: Vec<&Value> = p.rows.iter().map(|r| &r[2]).collect();
        assert_eq!(
            names,
            [
                &Value::Text("张三".into()),
                &Value::Text("李四".into()),
                &Value::Text(UNASSIGNED.into())
            ]
        );
        assert_eq!(
            p.rows[0][net],
            Value::Money(dec!(850)),
            "张三: 1000 − 50 − 100 return"
        );
        assert_eq!(
            p.rows[1][net],
            Value::Money(dec!(1200)),
            "李四: 通信 territory 800 + 400"
        );
        assert_eq!(p.rows[2][net], Value::Money(dec!(270)));
        for r in &p.rows {
            let g = |k: &str| r[col(p, k)].money().unwrap();
            assert_eq!(
                g("ordered") - g("returns") - g("discount") - g("void") - g("rebate"),
                g("net_sales")
            );
        }
        assert_eq!(p.rows[0][col(p, "void")], Value::Money(dec!(200)));
        assert_eq!(
            p.rows[0][col(p, "completion")],
            Value::NotApplicable,
            "no targets → —"
        );
        assert_eq!(
            p.rows[0][col(p, "collected")],
            Value::Missing("收款记录".into())
        );
        let r = find(&ts, "returns-by-reason");
        assert_eq!(r.rows[0][col(r, "quality_amt")], Value::Money(dec!(100)));
        let o = find(&ts, "salesperson-orders");
        assert_eq!(o.rows[1][col(o, "remote_amt")], Value::Money(dec!(800)));
        // 吨 and 件 never add up: the totals cell is blank.
        let ot = o.totals.as_ref().unwrap();
        assert_eq!(ot[col(o, "visit_qty")], Value::Qty(dec!(0)));
        let g = find(&ts, "sales-by-group");
        let gs: Decimal = g.rows.iter().filter_map(|r| r[2].money()).sum();
        assert_eq!(gs, company);
        let top = find(&ts, "top-three");
        assert_eq!(top.rows.len(), 2, "未指定 is not ranked");
        assert_eq!(top.rows[0][3], Value::Text("李四".into()));
        let gp = find(&ts, "gross-profit");
        assert_eq!(
            gp.rows[0][col(gp, "marginal_cost")],
            Value::Missing("成本".into())
        );
        // No cost data: 毛利 cannot be computed whatever the expenses.
        assert_eq!(
            gp.rows[0][col(gp, "gross_profit")],
            Value::Missing("成本".into())
        );
        assert_eq!(
            gp.rows[0][col(gp, "dev_expense")],
            Value::Missing("费用".into())
        );
        let cat = find(&ts, "sales-by-category");
        assert_eq!(cat.totals.as_ref().unwrap()[1], Value::Money(company));
        let ms = find(&ts, "monthly-sales");
        assert_eq!(ms.rows.len(), 3);
        assert_eq!(
            ms.rows[2][6],
            Value::Money(company + dec!(600)),
            "YTD includes February"
        );
        let cb = find(&ts, "return-clawback");
        assert_eq!(cb.rows.len(), 1);
        assert_eq!(
            cb.rows[0][col(cb, "bonus")],
            Value::Empty,
            "bonus_rate unset"
        );
    }

    /// The territory rule gives a staffless 通信 line's cost to the same salesperson as its
    /// 实销额, so 边际贡献 per person is sales minus *its own* cost.
    #[test]
    fn cost_follows_the_same_attribution_as_sales() {
        let mut c = customer("C1");
        c.region = Some("华南".into());
        let mut l = line("SO1", "2024-03-02", "C1", dec!(800));
        l.order_channel = Some("来电".into());
        l.cost = Some(dec!(500));
        let ds = Dataset {
            sales: Some(vec![line("SO0", "2024-01-02", "C1", dec!(1)), l]),
            customers: Some(vec![c]),
            salespeople: Some(vec![person("S2", "李四", "二组", "华南")]),
            ..Default::default()
        };
        let cfg = Config::default();
        let ts = tables(&Ctx::new(&ds, m("2024-03"), &cfg));
        let gp = find(&ts, "gross-profit");
        assert_eq!(gp.rows.len(), 1, "{:?}", gp.rows);
        let recs = gross_profit_records(&Ctx::new(&ds, m("2024-03"), &cfg));
        assert_eq!(recs[0]["staff"], "李四");
        assert_eq!(recs[0]["profit_items"][0]["amount"], "¥500.00");
        assert_eq!(recs[0]["net_sales"], "¥800.00");
        assert_eq!(recs[0]["gross_profit"], "—, 缺少数据: 费用");
        assert_eq!(gp.rows[0][2], Value::Text("李四".into()));
        assert_eq!(
            gp.rows[0][col(gp, "marginal_cost")],
            Value::Money(dec!(500))
        );
        assert_eq!(gp.rows[0][col(gp, "contribution")], Value::Money(dec!(300)));
    }

    /// M41: with 2024-03 closed, a return dated 2024-03-12 on a February order is deducted in
    /// April: April's 实销额 and 销货退回 carry it, March's do not, and April's 追回清单 lists it.
    #[test]
    fn m41_closed_period_moves_returns_to_the_next_open_month() {
        assert_eq!(
            crate::stats::sales::deduction_date(d("2024-03-12"), &["2024-03".into()]),
            d("2024-04-01")
        );
        assert_eq!(
            crate::stats::sales::deduction_date(
                d("2024-03-12"),
                &["2024-03".into(), "2024-04".into()]
            ),
            d("2024-05-01")
        );
        assert_eq!(
            crate::stats::sales::deduction_date(d("2024-03-12"), &["2024-02".into()]),
            d("2024-03-12")
        );
        let mut l = line("SO1", "2024-02-10", "C1", dec!(1000));
        l.staff = Some("李四".into());
        // Unit cost 600: the return takes 600 of cost back, in the month it is deducted in.
        l.cost = Some(dec!(600));
        let ds = Dataset {
            sales: Some(vec![l]),
            customers: Some(vec![customer("C1")]),
            salespeople: Some(vec![person("S2", "李四", "二组", "华南")]),
            returns: Some(vec![Return {
                return_date: d("2024-03-12"),
                orig_order_no: Some("SO1".into()),
                customer_id: Some("C1".into()),
                qty: dec!(1),
                amount: dec!(200),
                ..Default::default()
            }]),
            ..Default::default()
        };
        let mut cfg = Config::default();
        cfg.closed_periods = vec!["2024-03".into()];
        cfg.bonus_rate = Some(dec!(0.05));
        let net = |m: &str| {
            let ctx = Ctx::new(&ds, m.parse().unwrap(), &cfg);
            let ts = tables(&ctx);
            let sp = find(&ts, "sales-performance").clone();
            let cb = find(&ts, "return-clawback").clone();
            let gp = find(&ts, "gross-profit").clone();
            (sp, cb, gp)
        };
        let (mar, mar_cb, mar_gp) = net("2024-03");
        let (apr, apr_cb, apr_gp) = net("2024-04");
        // The cost entry of the return moves with its revenue (M41 on both sides of 毛利).
        let cost = |gp: &Table| gp.totals.as_ref().unwrap()[col(gp, "marginal_cost")].clone();
        assert_eq!(cost(&mar_gp), Value::Money(dec!(0)));
        assert_eq!(cost(&apr_gp), Value::Money(dec!(-600)));
        let net_col = col(&mar, "net_sales");
        assert_eq!(mar.totals.as_ref().unwrap()[net_col], Value::Money(dec!(0)));
        assert_eq!(
            apr.totals.as_ref().unwrap()[net_col],
            Value::Money(dec!(-200))
        );
        assert!(mar_cb.rows.is_empty());
        assert_eq!(apr_cb.rows.len(), 1);
        assert_eq!(
            apr_cb.rows[0][col(&apr_cb, "deducted_in")],
            Value::Text("2024年04月".into())
        );
        assert_eq!(
            apr_cb.rows[0][col(&apr_cb, "bonus")],
            Value::Money(dec!(10))
        );
    }

    /// M44/M45 with T11: 毛利 = 实销额 800 − 边际成本 500 − 开发费用 120 − 其他费用 30 = 150; with
    /// no note receipts the P/L is 0, so 净利润 = 150. M56 takes E from T11 too, and the annual
    /// appraisal shows the same figures for the year.
    #[test]
    fn m44_m45_m56_with_expenses() {
        let mut c = customer("C1");
        c.region = Some("华南".into());
        let mut l = line("SO1", "2024-03-02", "C1", dec!(800));
        l.staff = Some("李四".into());
        l.cost = Some(dec!(500));
        let mut l0 = line("SO0", "2023-03-02", "C1", dec!(1000));
        l0.staff = Some("李四".into());
        l0.cost = Some(dec!(700));
        let e = |date: &str, cat: &str, amt: Decimal| crate::model::Expense {
            expense_date: NaiveDate::parse_from_str(date, "%Y-%m-%d").unwrap(),
            staff: Some("S2".into()),
            category: Some(cat.into()),
            amount: amt,
            ..Default::default()
        };
        let ds = Dataset {
            sales: Some(vec![l0, l]),
            customers: Some(vec![c]),
            salespeople: Some(vec![person("S2", "李四", "二组", "华南")]),
            receipts: Some(vec![]),
            expenses: Some(vec![
                e("2024-03-05", "差旅费", dec!(120)),
                e("2024-03-06", "交际", dec!(30)),
                e("2023-03-06", "交际", dec!(100)),
            ]),
            ..Default::default()
        };
        let cfg = Config::default();
        let ts = tables(&Ctx::new(&ds, m("2024-03"), &cfg));
        let gp = find(&ts, "gross-profit");
        let r = &gp.rows[0];
        assert_eq!(r[col(gp, "dev_expense")], Value::Money(dec!(120)));
        assert_eq!(r[col(gp, "other_expense")], Value::Money(dec!(30)));
        assert_eq!(r[col(gp, "gross_profit")], Value::Money(dec!(150)));
        assert_eq!(r[col(gp, "net_profit")], Value::Money(dec!(150)));
        // M56 YTD vs last year: S 1000 → 800, m 30% → 37.5%, E 100 → 150.
        let pv = find(&ts, "profit-variance");
        let eff = |label: &str| {
            pv.rows
                .iter()
                .find(|r| matches!(&r[0], Value::Text(t) if t.starts_with(label)))
                .unwrap()[3]
                .clone()
        };
        assert_eq!(eff("费用 E"), Value::Money(dec!(50)));
        assert_eq!(eff("费用变动影响"), Value::Money(dec!(-50)));
        // P0 = 300 − 100 = 200, P1 = 300 − 150 = 150 → ΔP = −50.
        assert_eq!(eff("利润变动"), Value::Money(dec!(-50)));
        assert_eq!(eff("利润 P"), Value::Money(dec!(-50)));
        let ap = find(&ts, "annual-appraisal");
        let a = &ap.rows[0];
        assert_eq!(a[col(ap, "net_sales")], Value::Money(dec!(800)));
        assert_eq!(a[col(ap, "gross_profit")], Value::Money(dec!(150)));
        assert_eq!(a[col(ap, "expense_rate")], Value::Ratio(dec!(0.1875)));
        assert_eq!(a[col(ap, "rank")], Value::Int(1));
        assert_eq!(a[col(ap, "target")], Value::Missing("销售目标".into()));
    }

    /// Three years of generated data through all three families: nothing panics, and every
    /// table that breaks down 实销额 reconciles to the company total.
    #[test]
    fn generated_data_reconciles_across_families() {
        let mut seed: u64 = 42;
        let mut rnd = |n: u64| {
            seed = seed
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            (seed >> 33) % n
        };
        let regions = ["华东", "华南", "华北"];
        let mut custs = Vec::new();
        for i in 0..60 {
            let mut c = customer(&format!("C{i:03}"));
            c.region = Some(regions[i % 3].into());
            c.owner = (i % 4 != 0).then(|| format!("S{}", i % 5));
            c.industry = Some(["制造业", "零售业"][i % 2].into());
            c.status = Some(["成交客户", "潜在客户", "流失客户", "意向客户"][i % 4].into());
            c.first_contact_date = Some(d("2022-01-01") + chrono::Duration::days((i * 17) as i64));
            custs.push(c);
        }
        let mut lines = Vec::new();
        let mut returns = Vec::new();
        let mut receipts = Vec::new();
        for k in 0..900u64 {
            let date = d("2022-01-01") + chrono::Duration::days(rnd(3 * 365) as i64);
            let cid = format!("C{:03}", rnd(50));
            let mut l = line(
                &format!("SO{k}"),
                &date.to_string(),
                &cid,
                Decimal::from(100 + rnd(5000)),
            );
            l.discount = Decimal::from(rnd(3) * 10);
            l.rebate = Decimal::from(rnd(2) * 5);
            l.staff = (rnd(3) == 0).then(|| format!("S{}", rnd(6)));
            l.order_channel =
                [None, Some("电话".to_string()), Some("拜访".to_string())][rnd(3) as usize].clone();
            l.category = Some(["原材料", "成品", "配件"][rnd(3) as usize].into());
            l.cancelled = rnd(20) == 0;
            l.ship_date = Some(date + chrono::Duration::days(rnd(5) as i64));
            l.cost = (rnd(2) == 0).then(|| l.amount * dec!(0.6));
            if rnd(15) == 0 {
                returns.push(Return {
                    return_date: date + chrono::Duration::days(10 + rnd(40) as i64),
                    orig_order_no: l.order_no.clone(),
                    customer_id: Some(cid.clone()),
                    qty: dec!(1),
                    amount: Decimal::from(50 + rnd(100)),
                    reason_text: Some(["破损", "送货晚", "缺货", ""][rnd(4) as usize].into()),
                    ..Default::default()
                });
            }
            if rnd(3) == 0 {
                receipts.push(Receipt {
                    receipt_date: date + chrono::Duration::days(rnd(90) as i64),
                    customer_id: Some(cid),
                    amount: l.amount,
                    method: Some(["银行转账", "银行承兑汇票"][rnd(2) as usize].into()),
                    note_due_date: Some(date + chrono::Duration::days(30 + rnd(120) as i64)),
                    note_status: Some("未到期".into()),
                    ..Default::default()
                });
            }
            lines.push(l);
        }
        let people: Vec<Salesperson> = (0..5)
            .map(|i| {
                person(
                    &format!("S{i}"),
                    &format!("业务员{i}"),
                    ["一组", "二组"][i % 2],
                    regions[i % 3],
                )
            })
            .collect();
        let targets = vec![Target {
            period: "2024".into(),
            staff: Some("S1".into()),
            target_sales: dec!(600000),
            ..Default::default()
        }];
        let ds = Dataset {
            sales: Some(lines),
            returns: Some(returns),
            receipts: Some(receipts),
            customers: Some(custs),
            salespeople: Some(people),
            targets: Some(targets),
            ..Default::default()
        };
        let cfg = Config::default();
        for month in ["2022-01", "2023-06", "2024-03", "2024-12", "2025-02"] {
            let ctx = Ctx::new(&ds, m(month), &cfg);
            let company = ctx.net_sales(ctx.month);
            let mut ts = tables(&ctx);
            let ids: Vec<&str> = ts.iter().map(|t| t.id.as_str()).collect();
            let want: Vec<&str> = TABLES.iter().map(|t| t.0).collect();
            assert_eq!(ids, want);
            ts.extend(super::super::grading::tables(&ctx));
            ts.extend(super::super::retention::tables(&ctx));
            for (id, key) in [
                ("sales-performance", "net_sales"),
                ("gross-profit", "net_sales"),
                ("sales-by-group", "net_sales"),
                ("sales-by-category", "net_sales"),
                ("sales-by-industry", "net_sales"),
                ("grading", "net_sales"),
                ("customer-ytd", "net_sales"),
                ("category-growth", "net_sales"),
                ("salesperson-ytd", &format!("m{:02}", ctx.month.month)),
            ] {
                let t = find(&ts, id);
                let c = col(t, key);
                let sum: Decimal = t.rows.iter().filter_map(|r| r[c].money()).sum();
                assert_eq!(sum, company, "{id} in {month}");
                assert_eq!(
                    t.totals.as_ref().unwrap()[c],
                    Value::Money(company),
                    "{id} total in {month}"
                );
            }
            // Every Money/Int totals cell is the Σ of its rows (the workbook writes SUM formulas).
            for t in &ts {
                let Some(tot) = &t.totals else { continue };
                for (c, col) in t.columns.iter().enumerate() {
                    match (&tot[c], col.kind) {
                        (Value::Money(x), Kind::Money) => {
                            let s: Decimal = t.rows.iter().filter_map(|r| r[c].money()).sum();
                            assert_eq!(s, *x, "{} / {} in {month}", t.id, col.key);
                        }
                        (Value::Int(x), Kind::Int) => {
                            let s: i64 = t
                                .rows
                                .iter()
                                .map(|r| if let Value::Int(i) = r[c] { i } else { 0 })
                                .sum();
                            assert_eq!(s, *x, "{} / {} in {month}", t.id, col.key);
                        }
                        _ => {}
                    }
                }
                for r in &t.rows {
                    assert_eq!(r.len(), t.columns.len(), "{} row width", t.id);
                }
                assert_eq!(tot.len(), t.columns.len(), "{} totals width", t.id);
            }
            // The M37 chain holds per salesperson.
            let p = find(&ts, "sales-performance");
            for r in &p.rows {
                let g = |k: &str| r[col(p, k)].money().unwrap();
                assert_eq!(
                    g("ordered") - g("returns") - g("discount") - g("void") - g("rebate"),
                    g("net_sales")
                );
            }
        }
    }

    /// A partial set of targets never becomes a group or company target, and the totals
    /// completion covers only the salespeople that have one.
    #[test]
    fn partial_targets_are_not_summed_into_wholes() {
        let mut a = line("SO1", "2024-03-01", "C1", dec!(600));
        a.staff = Some("S1".into());
        let mut b = line("SO2", "2024-03-01", "C1", dec!(400));
        b.staff = Some("S2".into());
        let tgt = |who: &str, v: Decimal| Target {
            period: "2024-03".into(),
            staff: Some(who.into()),
            target_sales: v,
            ..Default::default()
        };
        let mut ds = Dataset {
            sales: Some(vec![a, b]),
            salespeople: Some(vec![
                person("S1", "张三", "一组", "华东"),
                person("S2", "李四", "一组", "华南"),
            ]),
            targets: Some(vec![tgt("张三", dec!(500))]),
            ..Default::default()
        };
        let cfg = Config::default();
        let ts = tables(&Ctx::new(&ds, m("2024-03"), &cfg));
        let p = find(&ts, "sales-performance");
        assert_eq!(
            p.rows[0][col(p, "completion")],
            Value::Ratio(dec!(1.2)),
            "target matched by 姓名"
        );
        assert_eq!(
            p.totals.as_ref().unwrap()[col(p, "completion")],
            Value::Ratio(dec!(1.2))
        );
        let g = find(&ts, "sales-by-group");
        assert_eq!(
            g.rows[0][3],
            Value::Empty,
            "一组 has a member without a target"
        );
        let ms = find(&ts, "monthly-sales");
        assert_eq!(ms.rows[2][4], Value::Empty);
        assert_eq!(
            find(&ts, "ranking").rows[0][3],
            Value::Text("张三".into()),
            "by 实销额"
        );
        ds.targets = Some(vec![tgt("S1", dec!(500)), tgt("S2", dec!(200))]);
        let ts = tables(&Ctx::new(&ds, m("2024-03"), &cfg));
        assert_eq!(
            find(&ts, "sales-by-group").rows[0][3],
            Value::Money(dec!(700))
        );
        assert_eq!(
            find(&ts, "monthly-sales").rows[2][5],
            Value::Ratio(dec!(1000) / dec!(700))
        );
        let r = find(&ts, "ranking");
        assert_eq!(r.rows[0][3], Value::Text("李四".into()), "200% beats 120%");
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        assert_eq!(
            target_completion(&ctx, ctx.month),
            Value::Ratio(dec!(1000) / dec!(700))
        );
        ds.targets = Some(vec![tgt("S1", dec!(500))]);
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        assert_eq!(
            target_completion(&ctx, ctx.month),
            Value::NotApplicable,
            "partial → —"
        );
        let mut company = tgt("S1", dec!(2000));
        company.staff = None;
        company.period = "2024".into();
        ds.targets = Some(vec![tgt("S1", dec!(500)), company]);
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        assert_eq!(
            target_completion(&ctx, ctx.month),
            Value::Ratio(dec!(1000) / (dec!(2000) / dec!(12))),
            "a company row wins"
        );
        ds.targets = None;
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        assert_eq!(
            target_completion(&ctx, ctx.month),
            Value::Missing("销售目标".into())
        );
        assert_eq!(r.rows[0][8], Value::Text("优".into()));
        // Year to date: January and February have no target rows, so no cumulative target.
        let y = find(&ts, "ranking-ytd");
        assert_eq!(y.rows[0][3], Value::Text("张三".into()), "by YTD 实销额");
        assert_eq!(y.rows[0][5], Value::Empty);
    }

    #[test]
    fn visits_and_performance_card() {
        use crate::model::Interaction;
        let visit = |staff: &str, cust: &str, method: &str, day: &str| Interaction {
            contact_time: d(day).and_hms_opt(10, 0, 0).unwrap(),
            customer_id: Some(cust.into()),
            staff: staff.into(),
            method: Some(method.into()),
            ..Default::default()
        };
        let mut l = line("SO1", "2024-03-02", "C1", dec!(800));
        l.staff = Some("张三".into());
        let ds = Dataset {
            sales: Some(vec![l]),
            salespeople: Some(vec![person("S1", "张三", "一组", "华东")]),
            interactions: Some(vec![
                visit("张三", "C1", "拜访", "2024-03-03"),
                visit("S1", "C1", "节假日走访", "2024-03-09"), // same customer again
                visit("张三", "C2", "上门拜访", "2024-03-10"),
                visit("张三", "C3", "电话", "2024-03-10"), // a call is not a visit
                visit("张三", "C4", "拜访", "2024-02-28"), // last month
            ]),
            ..Default::default()
        };
        let cfg = Config::default();
        let ctx = Ctx::new(&ds, m("2024-03"), &cfg);
        let p = find(&tables(&ctx), "sales-performance").clone();
        assert_eq!(p.rows[0][col(&p, "visited")], Value::Int(2));
        let cards = performance_cards(&ctx);
        assert_eq!(cards.len(), 1);
        let c = &cards[0];
        assert_eq!(c.id, "performance-card-S1");
        let row = |name: &str| {
            c.rows
                .iter()
                .find(|r| r[0] == Value::Text(name.into()))
                .unwrap()
                .clone()
        };
        assert_eq!(row("实销额")[2], Value::Money(dec!(800)));
        assert_eq!(row("新客户订货数量")[3], Value::Text("新客户 1 户".into()));
        assert_eq!(row("拜访客户数量")[1], Value::Qty(dec!(2)));
        assert_eq!(
            row("本月实收款额(含期票)")[2],
            Value::Missing("收款记录".into())
        );
        let recs = performance_records(&ctx);
        assert_eq!(recs.len(), 1);
        assert_eq!(recs[0]["staff"], "张三");
        assert_eq!(recs[0]["sales_items"].as_array().unwrap().len(), 10);
        assert_eq!(recs[0]["sales_items"][9]["amount"], "¥800.00");
        assert_eq!(recs[0]["collection_items"].as_array().unwrap().len(), 3);
        assert_eq!(recs[0]["visit_count"], "2");
        assert_eq!(recs[0]["bonus_clawback"], "", "bonus_rate unset");
    }

    #[test]
    fn groups_sort_by_their_number() {
        let mut v = vec![
            "三组",
            "十组",
            "一组",
            "二组",
            "十二组",
            "二十三组",
            "未分组",
            "2组",
            "10组",
        ];
        v.sort_by_key(|g| group_key(g));
        assert_eq!(
            v,
            [
                "一组",
                "2组",
                "二组",
                "三组",
                "10组",
                "十组",
                "十二组",
                "二十三组",
                "未分组"
            ]
        );
    }

    #[test]
    fn mixed_units_are_blank() {
        let mut q = QtyAcc::default();
        q.add(dec!(2), Some("吨"));
        assert_eq!(q.value(), Value::Qty(dec!(2)));
        q.add(dec!(3), Some("件"));
        assert_eq!(q.value(), Value::Empty);
    }

    #[test]
    fn card_receivables_follow_the_receivables_ledgers() {
        let mut c = Customer {
            opening_ar: Some(dec!(5000)),
            opening_ar_date: Some(d("2024-01-01")),
            ..customer("C1")
        };
        c.owner = Some("S1".into());
        let mut before = line("SO0", "2023-12-20", "C1", dec!(999)); // inside the opening balance
        before.ship_date = Some(d("2023-12-21"));
        let mut l = line("SO1", "2024-02-01", "C1", dec!(3000));
        l.ship_date = Some(d("2024-02-03"));
        let mut unshipped = line("SO2", "2024-02-05", "C1", dec!(700));
        unshipped.ship_date = None;
        let r = Receipt {
            receipt_date: d("2024-02-20"),
            customer_id: Some("C1".into()),
            amount: dec!(4000),
            ..Default::default()
        };
        let ds = Dataset {
            sales: Some(vec![before, l, unshipped]),
            receipts: Some(vec![r]),
            customers: Some(vec![c]),
            salespeople: Some(vec![person("S1", "张三", "一组", "华东")]),
            ..Default::default()
        };
        let cfg = Config::default();
        let ar_of = |month: &str| {
            let cards = performance_cards(&Ctx::new(&ds, m(month), &cfg));
            let card = cards
                .iter()
                .find(|c| c.id == "performance-card-S1")
                .unwrap();
            card.rows
                .iter()
                .find(|r| r[0] == Value::Text("本月应收货款(含截至本月底应收未收款)".into()))
                .unwrap()[2]
                .clone()
        };
        // 5,000 opening + 3,000 shipped + 700 (the receivables family dates a line without 发货日期
        // by its 订货日期) − 4,000 received; the December line is inside the opening balance.
        assert_eq!(ar_of("2024-02"), Value::Money(dec!(4700)));
        assert_eq!(ar_of("2024-01"), Value::Money(dec!(5000)));
    }

    #[test]
    fn missing_sheets_are_missing() {
        let ds = Dataset::default();
        let cfg = Config::default();
        let ts = tables(&Ctx::new(&ds, m("2024-03"), &cfg));
        assert_eq!(ts.len(), TABLES.len());
        assert!(ts
            .iter()
            .all(|t| t.rows[0][0] == Value::Missing("销售明细".into())));
    }

    #[test]
    fn m58_customer_years_and_m48_new_label() {
        let ds = Dataset {
            sales: Some(vec![
                line("A", "2023-05-01", "C1", dec!(100)),
                line("B", "2024-02-01", "C1", dec!(150)),
                line("C", "2024-02-01", "C2", dec!(80)),
            ]),
            ..Default::default()
        };
        let cfg = Config::default();
        let early = customer_years_table(&Ctx::new(&ds, m("2024-03"), &cfg));
        assert_eq!(
            early.rows[0][4],
            Value::NotApplicable,
            "no complete pair of years yet"
        );
        let ctx = Ctx::new(&ds, m("2024-12"), &cfg);
        let t = customer_years_table(&ctx);
        assert_eq!(t.rows[0][2], Value::Money(dec!(100)));
        assert_eq!(t.rows[0][3], Value::Money(dec!(150)));
        assert_eq!(t.rows[0][4], Value::Ratio(dec!(0.5)));
        assert_eq!(t.rows[1][4], Value::Text("新增".into()));
        assert_eq!(t.totals.unwrap()[3], Value::Money(dec!(230)));
    }
}
