//! Typed records, one struct per input table of DOMAIN §3, and the [`Dataset`] a run works on.
//!
//! `load` (load.rs) reads the inputs through `ingest` (which hands over
//! [`crate::ingest::RawTable`]s), types every row with the `ingest::normalise` functions through
//! [`row::Row`], links lines to customers (C5), detects net 金额 (M37), and runs the §3.2 checks
//! (integrity.rs). Every rejected or coerced value becomes a [`Problem`];
//! `accepted + rejected == data_rows` for every table.

pub mod integrity;
pub mod load;
pub mod row;

pub use crate::ingest::SheetReport;
pub use load::{load, load_unchecked};

use crate::error::Problem;
use chrono::{NaiveDate, NaiveDateTime};
use rust_decimal::Decimal;
use serde::Serialize;

/// Where a record came from, so any figure can be traced back to a cell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Default)]
pub struct Origin {
    pub file: String,
    pub sheet: String,
    /// 1-based worksheet row.
    pub row: u32,
}

/// The result of turning one table into records.
#[derive(Debug, Clone, Default)]
pub struct Parsed<T> {
    pub records: Vec<T>,
    pub problems: Vec<Problem>,
    /// Data rows seen (after dropping blank and 合计 rows, which are logged as problems).
    pub data_rows: usize,
    /// Rows left out of the figures; `records.len() + rejected == data_rows`.
    pub rejected: usize,
}

/// T01 客户信息表.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Customer {
    pub customer_id: String,
    pub name: String,
    pub short_name: Option<String>,
    pub customer_type: Option<String>,
    pub industry: Option<String>,
    pub ownership: Option<String>,
    pub region: Option<String>,
    pub province: Option<String>,
    pub city: Option<String>,
    pub address: Option<String>,
    pub contact_name: Option<String>,
    pub contact_title: Option<String>,
    pub phone: Option<String>,
    pub email: Option<String>,
    pub status: Option<String>,
    pub owner: Option<String>,
    pub co_owner: Option<String>,
    pub first_contact_date: Option<NaiveDate>,
    pub last_followup_date: Option<NaiveDate>,
    pub source: Option<String>,
    /// 介绍人 (a 客户编号 or 名称, M17) and 来源活动 (M22).
    pub referrer: Option<String>,
    pub source_activity: Option<String>,
    /// 客户需求 (M22 needs analysis).
    pub needs: Option<String>,
    pub channel: Option<String>,
    pub key_account: Option<bool>,
    pub manual_grade: Option<String>,
    pub credit_grade: Option<String>,
    pub credit_limit: Option<Decimal>,
    pub credit_days: Option<i64>,
    pub payment_terms: Option<String>,
    pub opening_ar: Option<Decimal>,
    pub opening_ar_date: Option<NaiveDate>,
    pub created_date: Option<NaiveDate>,
    pub remark: Option<String>,
    pub origin: Origin,
}

/// T02 产品.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Product {
    pub product_id: String,
    pub product_name: String,
    pub category: Option<String>,
    pub unit: Option<String>,
    pub std_price: Option<Decimal>,
    pub unit_cost: Option<Decimal>,
    pub origin: Origin,
}

/// T03 业务员.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Salesperson {
    pub staff_id: String,
    pub name: String,
    pub group: Option<String>,
    pub region: Option<String>,
    pub dept: Option<String>,
    pub role: Option<String>,
    /// 在职 / 离职.
    pub status: Option<String>,
    pub join_date: Option<NaiveDate>,
    pub leave_date: Option<NaiveDate>,
    pub origin: Origin,
}

/// T04 销售目标. `period` is "YYYY-MM" or "YYYY".
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Target {
    pub period: String,
    pub staff: Option<String>,
    pub group: Option<String>,
    pub target_sales: Decimal,
    pub std_monthly_sales: Option<Decimal>,
    pub target_collection: Option<Decimal>,
    pub origin: Origin,
}

/// T05 销售明细, one order line. `amount` is the gross line amount (数量×单价 before 折扣); when the
/// sheet's 金额 was detected as net (M37), ingest has already added the 折扣 back.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SaleLine {
    pub order_no: Option<String>,
    pub order_date: NaiveDate,
    pub ship_date: Option<NaiveDate>,
    pub requested_date: Option<NaiveDate>,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub staff: Option<String>,
    pub product_id: Option<String>,
    pub product_name: Option<String>,
    pub category: Option<String>,
    pub qty: Decimal,
    pub unit: Option<String>,
    pub unit_price: Option<Decimal>,
    pub amount: Decimal,
    pub discount: Decimal,
    pub rebate: Decimal,
    pub unit_cost: Option<Decimal>,
    pub cost: Option<Decimal>,
    /// 推销 / 通信 / None (未注明).
    pub order_channel: Option<String>,
    pub region: Option<String>,
    pub cancelled: bool,
    pub contract_no: Option<String>,
    pub contract_amount: Option<Decimal>,
    pub origin: Origin,
}

/// T06 退货记录. Quantities and amounts are stored positive.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Return {
    pub return_no: Option<String>,
    pub return_date: NaiveDate,
    pub orig_order_no: Option<String>,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub staff: Option<String>,
    pub product_id: Option<String>,
    pub product_name: Option<String>,
    pub category: Option<String>,
    pub qty: Decimal,
    pub amount: Decimal,
    /// 误期 / 业务 / 品质 / 其他, as typed (mapping by keyword is a statistic, M33).
    pub reason_cat: Option<String>,
    pub reason_text: Option<String>,
    /// true for 换货 (an exchange is not deducted from 实销额).
    pub exchange: bool,
    pub origin: Origin,
}

/// T07 收款记录.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Receipt {
    pub receipt_no: Option<String>,
    pub receipt_date: NaiveDate,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub staff: Option<String>,
    pub amount: Decimal,
    pub method: Option<String>,
    pub note_due_date: Option<NaiveDate>,
    pub note_status: Option<String>,
    pub applied_order_no: Option<String>,
    pub origin: Origin,
}

/// T08 客户互动记录.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Interaction {
    pub contact_time: NaiveDateTime,
    pub entry_time: Option<NaiveDateTime>,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub staff: String,
    pub method: Option<String>,
    pub counterpart: Option<String>,
    pub decision_maker: Option<bool>,
    pub purpose: Option<String>,
    pub content: Option<String>,
    pub result: Option<String>,
    pub next_date: Option<NaiveDate>,
    pub expense: Option<Decimal>,
    pub credit_alert: Option<bool>,
    pub origin: Origin,
}

/// T09 投诉记录.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Complaint {
    pub complaint_no: String,
    pub received_at: NaiveDateTime,
    pub channel: Option<String>,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub product: Option<String>,
    pub complaint_type: Option<String>,
    pub content: Option<String>,
    pub demand: Option<String>,
    /// 一般 / 重大.
    pub severity: Option<String>,
    pub receiver: Option<String>,
    pub handler: Option<String>,
    pub dept: Option<String>,
    pub response_at: Option<NaiveDateTime>,
    pub closed_at: Option<NaiveDateTime>,
    pub resolution: Option<String>,
    pub compensation: Option<Decimal>,
    pub claim_amount: Option<Decimal>,
    pub claim_approved: Option<Decimal>,
    pub satisfaction: Option<i64>,
    pub status: Option<String>,
    pub dispute: Option<bool>,
    pub origin: Origin,
}

/// T10 信用调查 (the scored items of 客户信用调查表).
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct CreditSurvey {
    pub survey_date: NaiveDate,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub surveyor: Option<String>,
    pub founded_date: Option<NaiveDate>,
    pub first_trade_date: Option<NaiveDate>,
    pub legal_form: Option<String>,
    pub bank: Option<String>,
    pub bank_credit: Option<String>,
    pub bookkeeping: Option<String>,
    pub peer_rating: Option<String>,
    pub neighbour_rating: Option<String>,
    pub org_type: Option<String>,
    pub capital: Option<Decimal>,
    pub pay_attitude: Option<String>,
    pub premises_area: Option<String>,
    pub premises_tenure: Option<String>,
    pub business_trend: Option<String>,
    pub peak_from: Option<i64>,
    pub peak_to: Option<i64>,
    pub peak_monthly_amt: Option<Decimal>,
    pub off_monthly_amt: Option<Decimal>,
    pub credit_score: Option<i64>,
    pub credit_grade: Option<String>,
    pub credit_limit: Option<Decimal>,
    pub note: Option<String>,
    pub origin: Origin,
}

/// T11 费用 (PROPOSED table, see `ingest::schema::T11`). `category` is one of S4 第7条's
/// categories (薪水 津贴 机车保险 油料 差旅费 / 交际 赠送 活动 其他), or None when blank.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Expense {
    pub expense_date: NaiveDate,
    pub staff: Option<String>,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub category: Option<String>,
    pub amount: Decimal,
    pub note: Option<String>,
    pub origin: Origin,
}

/// T12 满意度调查, one returned questionnaire. Scores are 1–5. `overall` is the typed 总体满意度,
/// or, when blank, the mean of the answered items (M23); `overall_derived` says which.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct SatisfactionSurvey {
    pub survey_date: NaiveDate,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub method: Option<String>,
    /// 产品质量, 价格, 交货及时性, 服务态度, 响应速度, 投诉处理, 售后服务 (None = not answered);
    /// [`SatisfactionSurvey::items`] gives them in that order.
    pub q_quality: Option<i64>,
    pub q_price: Option<i64>,
    pub q_delivery: Option<i64>,
    pub q_attitude: Option<i64>,
    pub q_response: Option<i64>,
    pub q_complaint: Option<i64>,
    pub q_aftersales: Option<i64>,
    pub overall: Option<Decimal>,
    pub overall_derived: bool,
    pub price_sensitivity: Option<i64>,
    pub tolerance: Option<i64>,
    /// 是 / 否 / 不确定.
    pub rebuy: Option<String>,
    pub recommend: Option<String>,
    pub comments: Option<String>,
    pub origin: Origin,
}

impl SatisfactionSurvey {
    /// The seven item answers in the order of [`SURVEY_ITEMS`].
    pub fn items(&self) -> [Option<i64>; 7] {
        [
            self.q_quality,
            self.q_price,
            self.q_delivery,
            self.q_attitude,
            self.q_response,
            self.q_complaint,
            self.q_aftersales,
        ]
    }
}

/// The seven T12 item names, in the order of [`SatisfactionSurvey::items`].
pub const SURVEY_ITEMS: [&str; 7] = [
    "产品质量",
    "价格",
    "交货及时性",
    "服务态度",
    "响应速度",
    "投诉处理",
    "售后服务",
];

/// T13 活动参与: one customer's invitation to (and response to) one activity.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Activity {
    pub activity: String,
    pub activity_date: NaiveDate,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    /// Blank means 是 (§3.1 default).
    pub invited: bool,
    pub responded: bool,
    pub origin: Origin,
}

/// T14 售后服务.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct AfterSale {
    pub service_no: String,
    pub registered_at: NaiveDateTime,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub product: Option<String>,
    pub model: Option<String>,
    /// 安装 / 维修 / 保养 / 咨询 / 退换 (其他 when unmatched).
    pub service_type: Option<String>,
    pub issue: Option<String>,
    pub staff: Option<String>,
    pub completed_at: Option<NaiveDateTime>,
    pub in_warranty: Option<bool>,
    pub fee: Option<Decimal>,
    pub satisfaction: Option<i64>,
    pub origin: Origin,
}

/// T15 呼叫记录.
#[derive(Debug, Clone, PartialEq, Serialize, Default)]
pub struct Call {
    pub call_time: NaiveDateTime,
    /// 呼入 / 呼出 (其他 when unmatched).
    pub direction: String,
    pub number: Option<String>,
    pub customer_id: Option<String>,
    pub customer_name: Option<String>,
    pub agent: String,
    pub call_type: Option<String>,
    pub connected: Option<bool>,
    pub duration_s: Option<i64>,
    pub qa_score: Option<i64>,
    pub origin: Origin,
}

/// Every table of a run. `None` means the sheet was not among the inputs: statistics that need it
/// show "—, 缺少数据: <sheet>", never 0.
#[derive(Debug, Clone, Default)]
pub struct Dataset {
    pub customers: Option<Vec<Customer>>,
    pub products: Option<Vec<Product>>,
    pub salespeople: Option<Vec<Salesperson>>,
    pub targets: Option<Vec<Target>>,
    pub sales: Option<Vec<SaleLine>>,
    pub returns: Option<Vec<Return>>,
    pub receipts: Option<Vec<Receipt>>,
    pub interactions: Option<Vec<Interaction>>,
    pub complaints: Option<Vec<Complaint>>,
    pub credit_surveys: Option<Vec<CreditSurvey>>,
    pub expenses: Option<Vec<Expense>>,
    pub satisfaction: Option<Vec<SatisfactionSurvey>>,
    pub activities: Option<Vec<Activity>>,
    pub after_sales: Option<Vec<AfterSale>>,
    pub calls: Option<Vec<Call>>,
    /// Every ingestion and integrity problem, in input order.
    pub problems: Vec<Problem>,
    /// Per table: data rows, accepted, rejected (for the check summary and the reconciliation test).
    pub counts: Vec<TableCount>,
    /// What ingest recognised in each sheet (file, sheet → table or skipped and why, header row,
    /// mapped and ignored columns), for `kebiao check`.
    pub sheets: Vec<SheetReport>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TableCount {
    /// Canonical table name, e.g. 销售明细.
    pub table: String,
    pub data_rows: usize,
    pub accepted: usize,
    pub rejected: usize,
}
