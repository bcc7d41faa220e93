//! Statistics: pure functions from typed records and a period to [`Table`]s. One file per family
//! of DOMAIN §2. No clock, no file, no setting they were not handed.

pub mod catalogue;
pub mod complaints;
pub mod credit;
pub mod expenses;
pub mod followup;
pub mod grading;
pub mod period;
pub mod receivables;
pub mod retention;
pub mod sales;
pub mod salespeople;
pub mod satisfaction;
pub mod service;

use crate::error::Msg;
use chrono::NaiveDate;
use rust_decimal::Decimal;
use serde::Serialize;

pub use period::Month;

use crate::config::Config;
use crate::model::Dataset;

/// Everything a statistic may look at: the records, the report month, the settings, and the
/// 实销额 entries (built once, shared by every family).
pub struct Ctx<'a> {
    pub ds: &'a Dataset,
    pub month: Month,
    pub cfg: &'a Config,
    pub entries: Vec<sales::NetEntry>,
}

impl<'a> Ctx<'a> {
    pub fn new(ds: &'a Dataset, month: Month, cfg: &'a Config) -> Ctx<'a> {
        let mut entries = sales::net_entries(
            ds.sales.as_deref().unwrap_or(&[]),
            ds.returns.as_deref().unwrap_or(&[]),
            ds.customers.as_deref().unwrap_or(&[]),
        );
        sales::apply_closed_periods(&mut entries, &cfg.closed_periods);
        Ctx {
            ds,
            month,
            cfg,
            entries,
        }
    }
}

/// A table shown when the sheet a statistic needs is missing: "—, 缺少数据: <sheet>", never 0.
pub fn missing_table(id: &str, title: Msg, sheet: &str) -> Table {
    Table {
        id: id.into(),
        title,
        columns: vec![Column::new("status", "状态", "Status", Kind::Text)],
        rows: vec![vec![Value::Missing(sheet.into())]],
        totals: None,
        notes: vec![],
    }
}

/// How a column's values are shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Kind {
    Text,
    /// 元, two decimals, thousands separators.
    Money,
    Int,
    Qty,
    /// A ratio shown ×100 with one decimal and %.
    Percent,
    Date,
}

/// One cell of a statistics table. Raw values, never display strings: renderers format them.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", content = "value", rename_all = "lowercase")]
pub enum Value {
    Empty,
    Text(String),
    Money(Decimal),
    Int(i64),
    Qty(Decimal),
    /// A ratio (0.125 = 12.5%). A zero or missing denominator is [`Value::NotApplicable`].
    Ratio(Decimal),
    Date(NaiveDate),
    /// "—": the ratio has no denominator (C3).
    #[serde(rename = "na")]
    NotApplicable,
    /// "—, 缺少数据: <sheet>": the input sheet the figure needs is missing.
    Missing(String),
}

impl Value {
    pub fn money(&self) -> Option<Decimal> {
        match self {
            Value::Money(d) => Some(*d),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Column {
    pub key: String,
    pub label: Msg,
    pub kind: Kind,
}

impl Column {
    pub fn new(key: &str, zh: &str, en: &str, kind: Kind) -> Self {
        Column {
            key: key.into(),
            label: Msg::new(zh, en),
            kind,
        }
    }
}

/// What every renderer draws.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Table {
    /// Stable id, e.g. `sales-by-region`.
    pub id: String,
    pub title: Msg,
    pub columns: Vec<Column>,
    pub rows: Vec<Vec<Value>>,
    /// The 合计 row, when the table has one.
    pub totals: Option<Vec<Value>>,
    /// Footnotes: how a figure was computed, what was missing.
    pub notes: Vec<Msg>,
}

/// `numerator / denominator`, or "—" when the denominator is zero (C3).
pub fn ratio(numerator: Decimal, denominator: Decimal) -> Value {
    if denominator.is_zero() {
        Value::NotApplicable
    } else {
        Value::Ratio(numerator / denominator)
    }
}

/// Growth (this − base) / base; a zero base is "—" (M48 shows it as 新增 where a label fits).
pub fn growth(this: Decimal, base: Decimal) -> Value {
    if base.is_zero() {
        Value::NotApplicable
    } else {
        Value::Ratio((this - base) / base)
    }
}
