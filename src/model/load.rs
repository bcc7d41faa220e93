//! `load`: inputs → [`Dataset`]. Reads every file (ingest), turns each table's rows into typed
//! records, links lines to customers (C5), detects net 金额 (M37), and runs the cross-table
//! checks of §3.2. `accepted + rejected == data_rows` for every table.

use super::row::Row;
use super::*;
use crate::config::Config;
use crate::error::{Location, Msg, Problem, Result, Severity};
use crate::ingest::header::name_key;
use crate::ingest::table::a1;
use crate::ingest::{self, Mapping, RawTable, TableId};
use rust_decimal::Decimal;
use std::collections::HashMap;
use std::path::{Path, PathBuf};

/// Read the clerk's files into a [`Dataset`].
///
/// # Errors
/// A file cannot be read at all (missing, encrypted, not a spreadsheet), or the mapping file is
/// invalid. A bad row never makes an error: it becomes a [`Problem`].
pub fn load(inputs: &[PathBuf], map: Option<&Path>, cfg: &Config) -> Result<Dataset> {
    let mapping = map.map(Mapping::load).transpose()?;
    let ing = ingest::read_inputs(inputs, mapping.as_ref())?;
    Ok(build(ing, cfg))
}

/// [`load`] without the cross-table checks of §3.2: the dataset holds the reading and typing
/// problems only, and the checks' findings (`Checks::run`) go after them. The pack runs the checks
/// beside other work.
///
/// # Errors
/// As [`load`].
pub fn load_unchecked(
    inputs: &[PathBuf],
    map: Option<&Path>,
    cfg: &Config,
) -> Result<(Dataset, super::integrity::Checks)> {
    let mapping = map.map(Mapping::load).transpose()?;
    let ing = ingest::read_inputs(inputs, mapping.as_ref())?;
    Ok(build_unchecked(ing, cfg, SALES_CHUNK))
}

/// Cells of a record that identify its customer, for problems raised after typing.
#[derive(Debug, Clone, Default)]
struct CustRef {
    /// 0-based column of the customer id (or name) cell; the row is the record's origin row.
    col: u32,
}

impl CustRef {
    fn cell(&self, o: &Origin) -> String {
        a1(self.col, o.row)
    }
}

/// One table's records while it is being built.
struct Built<T> {
    recs: Vec<(T, CustRef)>,
    data_rows: usize,
    rejected: usize,
    found: bool,
}

impl<T> Built<T> {
    fn count(&self, t: TableId) -> TableCount {
        TableCount {
            table: t.zh().to_string(),
            data_rows: self.data_rows,
            accepted: self.recs.len(),
            rejected: self.rejected,
        }
    }
    fn into_option(self) -> Option<Vec<T>> {
        self.found
            .then(|| self.recs.into_iter().map(|(r, _)| r).collect())
    }
}

fn build_table<T>(
    raws: &[RawTable],
    id: TableId,
    probs: &mut Vec<Problem>,
    mut f: impl FnMut(&mut Row) -> Option<T>,
) -> Built<T> {
    let mut b = Built {
        recs: Vec::new(),
        data_rows: 0,
        rejected: 0,
        found: false,
    };
    // Room for every row at once: grown one push at a time, the records of 100,000 lines were
    // copied over and over into fresh pages (a tenth of the load's CPU).
    b.recs.reserve_exact(
        raws.iter()
            .filter(|t| t.table == id)
            .map(|t| t.rows.len())
            .sum(),
    );
    for t in raws.iter().filter(|t| t.table == id) {
        b.found = true;
        if table_head(t, id, probs, &mut b) {
            type_rows(t, &t.rows, probs, &mut f, &mut b);
        }
    }
    b
}

/// What comes before one table's rows: a sheet that lacks a required column gets one problem
/// and every row rejected (`false`: do not type its rows); otherwise the leading-zeros check of
/// its id columns, whose problems come before those of the rows.
fn table_head<T>(t: &RawTable, id: TableId, probs: &mut Vec<Problem>, b: &mut Built<T>) -> bool {
    let missing = missing_columns(t, id);
    if !missing.is_empty() {
        // No row of this sheet can be valid: one problem for the sheet, every row rejected.
        let n = t.rows.len();
        b.data_rows += n;
        b.rejected += n;
        let cell = t
            .columns
            .first()
            .map(|c| a1(c.col, t.header_row))
            .unwrap_or_default();
        probs.push(Problem {
            location: Location::new(&t.file, &t.sheet, cell),
            table: id.zh().to_string(),
            raw: String::new(),
            problem: Msg::new(
                format!("缺少必需的列: {}", missing.join("、")),
                format!(
                    "required columns missing: {}",
                    missing.join(", ").replace(" 或 ", " or ")
                ),
            ),
            action: Msg::new(
                format!("本表 {n} 行全部未计入;请补上这些列,或用 --map 指明哪一列是它们"),
                format!("all {n} rows left out; add the columns, or name them with --map"),
            ),
            severity: Severity::Rejected,
        });
        return false;
    }
    lost_leading_zeros(t, probs);
    true
}

/// The required columns (groups, as "A 或 B") a table lacks.
fn missing_columns(t: &RawTable, id: TableId) -> Vec<String> {
    let fs = crate::ingest::schema::fields(id);
    let header = |k: &str| {
        fs.iter()
            .find(|f| f.key == k)
            .map(|f| f.header)
            .unwrap_or("")
    };
    crate::ingest::schema::required_groups(id)
        .iter()
        .filter(|g| g.iter().all(|k| t.col_of(k).is_none()))
        .map(|g| g.iter().map(|k| header(k)).collect::<Vec<_>>().join(" 或 "))
        .collect()
}

/// Type some rows of one table (all of them, or one chunk) into `b`, in row order.
fn type_rows<T>(
    t: &RawTable,
    rows: &[crate::ingest::RawRow],
    probs: &mut Vec<Problem>,
    f: &mut impl FnMut(&mut Row) -> Option<T>,
    b: &mut Built<T>,
) {
    let memo = super::row::FieldMemo::new(t);
    for r in rows {
        b.data_rows += 1;
        let mut row = Row::new(t, r, probs, &memo);
        let rec = f(&mut row);
        let key = if row.cell("customer_id").is_some_and(|c| !c.is_blank()) {
            "customer_id"
        } else {
            "customer_name"
        };
        let cref = CustRef {
            col: row.col_of(key),
        };
        match rec {
            Some(rec) if !row.reject => b.recs.push((rec, cref)),
            _ => b.rejected += 1,
        }
    }
}

/// From this many sales rows on, their cells are freed on a thread of their own after typing.
const FREE_BESIDE: usize = 100_000;

/// Sales rows per typing job: small enough that the two cores end together (the last chunk
/// is the most either waits for the other), large enough that a job costs nothing to hand out.
const SALES_CHUNK: usize = 16_384;

/// The sales tables typed in chunks of `chunk` rows, as jobs for [`crate::par::run_jobs`]:
/// each job gives its part of the records, problems and counts; concatenated in job order they
/// are exactly what [`build_table`] gives for the same tables.
fn sales_jobs<'s, R: 's>(
    sales_raws: &'s [RawTable],
    chunk: usize,
    wrap: impl Fn(Built<SaleLine>, Vec<Problem>) -> R + Copy + Send + 's,
) -> Vec<crate::par::Job<'s, R>> {
    let mut jobs: Vec<crate::par::Job<'s, R>> = Vec::new();
    for t in sales_raws.iter().filter(|t| t.table == TableId::Sales) {
        // A sheet whose rows cannot be typed at all is one job (its problem and its count).
        let n = if missing_columns(t, TableId::Sales).is_empty() {
            t.rows.len()
        } else {
            0
        };
        let mut from = 0;
        loop {
            let to = n.min(from + chunk.max(1));
            let first = from == 0;
            jobs.push(Box::new(move || {
                let mut b = Built {
                    recs: Vec::with_capacity(to - from),
                    data_rows: 0,
                    rejected: 0,
                    found: true,
                };
                let mut probs = Vec::new();
                // The sheet's own checks (and problems) go with its first chunk.
                if first && !table_head(t, TableId::Sales, &mut probs, &mut b) {
                    return wrap(b, probs);
                }
                type_rows(t, &t.rows[from..to], &mut probs, &mut sale, &mut b);
                wrap(b, probs)
            }));
            if to >= n {
                break;
            }
            from = to;
        }
    }
    jobs
}

/// [`build_table`], then free the tables' cells: after typing only their column maps are used,
/// and freeing each table's cells as soon as it is typed keeps the peak memory of a large input
/// near one copy of the data instead of cells and records side by side.
fn type_and_free<T>(
    raws: &mut [RawTable],
    id: TableId,
    probs: &mut Vec<Problem>,
    f: impl FnMut(&mut Row) -> Option<T>,
) -> Built<T> {
    let b = build_table(raws, id, probs, f);
    for t in raws.iter_mut().filter(|t| t.table == id) {
        t.rows = Vec::new();
    }
    b
}

/// An identifier column written mostly as text with leading zeros ("001616528") where some
/// cells are numbers ("1616528"): Excel dropped those zeros, and the ids no longer match. Listed,
/// not repaired: the true width is a guess (corpus: 朝阳医院2018销售, 社保卡号).
fn lost_leading_zeros(t: &RawTable, probs: &mut Vec<Problem>) {
    let fs = crate::ingest::schema::fields(t.table);
    for (ci, col) in t.columns.iter().enumerate() {
        if !matches!(fs[col.field].ty, crate::ingest::schema::Ty::Id) {
            continue;
        }
        let mut zero_led = 0usize;
        let mut width: HashMap<usize, usize> = HashMap::new();
        let mut texts = 0usize;
        for r in &t.rows {
            if let crate::ingest::Cell::Text(s) = &r.cells[ci] {
                let s = s.trim();
                texts += 1;
                if s.len() > 1 && s.starts_with('0') && s.bytes().all(|b| b.is_ascii_digit()) {
                    zero_led += 1;
                    *width.entry(s.len()).or_default() += 1;
                }
            }
        }
        if texts == 0 || zero_led * 2 < texts {
            continue;
        }
        let Some((&w, _)) = width.iter().max_by_key(|(l, n)| (**n, **l)) else {
            continue;
        };
        for r in &t.rows {
            let digits = match &r.cells[ci] {
                crate::ingest::Cell::Float(f) if f.fract() == 0.0 && *f >= 0.0 && *f < 1e15 => {
                    format!("{}", *f as i64)
                }
                crate::ingest::Cell::Int(i) if *i >= 0 => i.to_string(),
                _ => continue,
            };
            if digits.len() < w {
                probs.push(Problem {
                    location: Location::new(&t.file, &t.sheet, a1(col.col, r.row)),
                    table: t.table.zh().to_string(),
                    raw: digits.clone(),
                    problem: Msg::new(
                        format!("{}存成了数字,前导零可能已丢失(同列其他编号为 {w} 位)", fs[col.field].header),
                        format!("{} stored as a number; its leading zeros may be lost (others in the column have {w} digits)", fs[col.field].key),
                    ),
                    action: Msg::new("按原样读入,未补零;请把该列设为文本后重新录入", "read as is, not padded; format the column as text and re-enter it"),
                    severity: Severity::Notice,
                });
            }
        }
    }
}

/// 客户编号 or 客户名称 must be there (● one of them).
fn customer_pair(row: &mut Row) -> (Option<String>, Option<String>) {
    let id = row.id("customer_id");
    let name = row.text("customer_name");
    if id.is_none() && name.is_none() {
        row.reject_for(
            "customer_id",
            Msg::new(
                "缺少客户编号和客户名称",
                "neither customer id nor customer name is given",
            ),
        );
    }
    (id, name)
}

fn notice(loc: Location, table: &str, raw: String, p: Msg, a: Msg) -> Problem {
    Problem {
        location: loc,
        table: table.to_string(),
        raw,
        problem: p,
        action: a,
        severity: Severity::Notice,
    }
}

fn customer(row: &mut Row) -> Option<Customer> {
    let id = row.id("customer_id");
    let name = row.text("name");
    if id.is_none() && name.is_none() {
        row.reject_for(
            "name",
            Msg::new(
                "缺少客户编号和客户名称",
                "neither customer id nor name is given",
            ),
        );
        return None;
    }
    // One of the two stands in for the other when missing (reported once for the table).
    let name = name.or_else(|| id.clone()).unwrap_or_default();
    let c = Customer {
        customer_id: id.unwrap_or_default(),
        name,
        short_name: row.text("short_name"),
        customer_type: row.enumv("customer_type"),
        industry: row.text("industry"),
        ownership: row.enumv("ownership"),
        region: row.text("region"),
        province: row.text("province"),
        city: row.text("city"),
        address: row.text("address"),
        contact_name: row.text("contact_name"),
        contact_title: row.text("contact_title"),
        phone: row.id("phone"),
        email: row.text("email"),
        status: row.enumv("status"),
        owner: row.text("owner"),
        co_owner: row.text("co_owner"),
        first_contact_date: row.date("first_contact_date"),
        last_followup_date: row.date("last_followup_date"),
        source: row.enumv("source"),
        referrer: row.text("referrer"),
        source_activity: row.text("source_activity"),
        needs: row.text("needs"),
        channel: row.enumv("channel"),
        key_account: row.boolean("key_account"),
        manual_grade: row.enumv("manual_grade"),
        credit_grade: row.enumv("credit_grade"),
        credit_limit: row.money("credit_limit"),
        credit_days: row.int("credit_days"),
        payment_terms: row.enumv("payment_terms"),
        opening_ar: row.money("opening_ar"),
        opening_ar_date: row.date("opening_ar_date"),
        created_date: row.date("created_date"),
        remark: row.text("remark"),
        origin: row.origin(),
    };
    // Fields read for completeness (so their bad values are reported) but not stored yet.
    let _ = (row.id("im"), row.boolean("guaranteed"));
    if c.opening_ar.is_some_and(|v| !v.is_zero()) && c.opening_ar_date.is_none() {
        row.problem(
            "opening_ar_date",
            Severity::Notice,
            Msg::new(
                "有期初应收但没有期初日期",
                "opening receivable without its date",
            ),
            Msg::new("请补填期初日期", "fill in the opening date"),
        );
    }
    Some(c)
}

fn product(row: &mut Row) -> Option<Product> {
    let id = row.id("product_id");
    let id = row.require("product_id", id);
    let name = row.text("product_name");
    let name = row.require("product_name", name);
    Some(Product {
        product_id: id?,
        product_name: name?,
        category: row.text("category"),
        unit: row.text("unit"),
        std_price: row.money("std_price"),
        unit_cost: row.money("unit_cost"),
        origin: row.origin(),
    })
}

fn salesperson(row: &mut Row) -> Option<Salesperson> {
    let staff_id = row.id("staff_id");
    let name = row.text("name");
    let name = row.require("name", name)?;
    Some(Salesperson {
        staff_id: staff_id.unwrap_or_default(),
        name,
        group: row.text("group"),
        region: row.text("region"),
        dept: row.enumv("dept"),
        role: row.text("role"),
        status: row.enumv("status").or(Some("在职".into())),
        join_date: row.date("join_date"),
        leave_date: row.date("leave_date"),
        origin: row.origin(),
    })
}

fn target(row: &mut Row) -> Option<Target> {
    let period = row.period("period");
    let period = row.require("period", period);
    let staff = row.text("staff");
    let group = row.text("group");
    if staff.is_none() && group.is_none() {
        row.reject_for(
            "staff",
            Msg::new("缺少业务员或组别", "neither salesperson nor group is given"),
        );
    }
    let ts = row.money("target_sales");
    let ts = row.require("target_sales", ts);
    Some(Target {
        period: period?,
        staff,
        group,
        target_sales: ts?,
        std_monthly_sales: row.money("std_monthly_sales"),
        target_collection: row.money("target_collection"),
        origin: row.origin(),
    })
}

fn sale(row: &mut Row) -> Option<SaleLine> {
    let order_date = row.date("order_date");
    let order_date = row.require("order_date", order_date);
    let (customer_id, customer_name) = customer_pair(row);
    let qty = row.qty("qty");
    let qty = row.require("qty", qty);
    let unit_price = row.money("unit_price");
    let amount = row.money("amount");
    let amount = match (amount, qty, unit_price) {
        (Some(a), _, _) => Some(a),
        // 金额 may be left out when 数量×单价 gives it (§3.1 T05).
        (None, Some(q), Some(p)) => match q.checked_mul(p) {
            Some(a) => Some(a),
            None => {
                row.reject_for(
                    "amount",
                    Msg::new("数量×单价 过大", "quantity × price is too large"),
                );
                None
            }
        },
        (None, _, _) => {
            if !row.failed_on("amount") {
                row.reject_for(
                    "amount",
                    Msg::new(
                        "缺少金额,也没有单价可计算",
                        "no amount, and no unit price to compute it",
                    ),
                );
            }
            None
        }
    };
    let status = row.enumv("status");
    let cancelled = status.as_deref() == Some("作废");
    let line = SaleLine {
        order_no: row.id("order_no"),
        order_date: order_date?,
        ship_date: row.date("ship_date"),
        requested_date: row.date("requested_date"),
        customer_id,
        customer_name,
        staff: row.text("staff"),
        product_id: row.id("product_id"),
        product_name: row.text("product_name"),
        category: row.text("category"),
        qty: qty?,
        unit: row.text("unit"),
        unit_price,
        amount: amount?,
        discount: row.money("discount").unwrap_or_default(),
        rebate: row.money("rebate").unwrap_or_default(),
        unit_cost: row.money("unit_cost"),
        cost: row.money("cost"),
        order_channel: row.enumv("order_channel"),
        region: row.text("region"),
        cancelled,
        contract_no: row.id("contract_no"),
        contract_amount: row.money("contract_amount"),
        origin: row.origin(),
    };
    if line.qty <= Decimal::ZERO {
        row.problem(
            "qty",
            Severity::Notice,
            Msg::new("数量不大于 0", "quantity is not above 0"),
            Msg::new(
                "按原值计入;退货请记入退货记录",
                "kept as typed; record returns in the returns table",
            ),
        );
    }
    Some(line)
}

fn ret(row: &mut Row) -> Option<Return> {
    let date = row.date("return_date");
    let date = row.require("return_date", date);
    let (customer_id, customer_name) = customer_pair(row);
    let qty = row.qty("qty");
    let qty = row.require("qty", qty);
    let amount = row.money("amount");
    let amount = row.require("amount", amount);
    let flip = |row: &mut Row, key: &'static str, v: Option<Decimal>| -> Option<Decimal> {
        let v = v?;
        if v < Decimal::ZERO {
            row.problem(
                key,
                Severity::Coerced,
                Msg::new("退货数量/金额为负数", "negative return quantity or amount"),
                Msg::new("已改为正数", "made positive"),
            );
            Some(-v)
        } else {
            Some(v)
        }
    };
    let qty = flip(row, "qty", qty);
    let amount = flip(row, "amount", amount);
    let kind = row.enumv("kind");
    Some(Return {
        return_no: row.id("return_no"),
        return_date: date?,
        orig_order_no: row.id("orig_order_no"),
        customer_id,
        customer_name,
        staff: row.text("staff"),
        product_id: row.id("product_id"),
        product_name: row.text("product_name"),
        category: row.text("category"),
        qty: qty?,
        amount: amount?,
        reason_cat: row.enumv("reason_cat"),
        reason_text: row.text("reason_text"),
        exchange: kind.as_deref() == Some("换货"),
        origin: row.origin(),
    })
}

fn receipt(row: &mut Row) -> Option<Receipt> {
    let date = row.date("receipt_date");
    let date = row.require("receipt_date", date);
    let (customer_id, customer_name) = customer_pair(row);
    let amount = row.money("amount");
    let amount = row.require("amount", amount);
    let method = row.enumv("method");
    let note_due_date = row.date("note_due_date");
    if method
        .as_deref()
        .is_some_and(|m| m.contains("汇票") || m == "期票" || m == "远期支票")
        && note_due_date.is_none()
    {
        row.problem(
            "note_due_date",
            Severity::Notice,
            Msg::new(
                "票据收款没有票据到期日",
                "receipt by note without its due date",
            ),
            Msg::new("请补填票据到期日", "fill in the note's due date"),
        );
    }
    Some(Receipt {
        receipt_no: row.id("receipt_no"),
        receipt_date: date?,
        customer_id,
        customer_name,
        staff: row.text("staff"),
        amount: amount?,
        method: method.or(Some("银行转账".into())),
        note_due_date,
        note_status: row.enumv("note_status"),
        applied_order_no: row.id("applied_order_no"),
        origin: row.origin(),
    })
}

fn interaction(row: &mut Row) -> Option<Interaction> {
    let t = row.datetime("contact_time");
    let t = row.require("contact_time", t);
    let (customer_id, customer_name) = customer_pair(row);
    let staff = row.text("staff");
    let staff = row.require("staff", staff);
    let rec = Interaction {
        contact_time: t?,
        entry_time: row.datetime("entry_time"),
        customer_id,
        customer_name,
        staff: staff?,
        method: row.enumv("method"),
        counterpart: row.text("counterpart"),
        decision_maker: row.boolean("decision_maker"),
        purpose: row.text("purpose"),
        content: row.text("content"),
        result: row.text("result"),
        next_date: row.date("next_date"),
        expense: row.money("expense"),
        credit_alert: row.boolean("credit_alert"),
        origin: row.origin(),
    };
    Some(rec)
}

fn complaint(row: &mut Row) -> Option<Complaint> {
    let no = row.id("complaint_no");
    let no = row.require("complaint_no", no);
    let at = row.datetime("received_at");
    let at = row.require("received_at", at);
    let (customer_id, customer_name) = customer_pair(row);
    let response_at = row.datetime("response_at");
    let closed_at = row.datetime("closed_at");
    let status = row.enumv("status").or_else(|| {
        Some(
            if closed_at.is_some() {
                "已结案"
            } else if response_at.is_some() {
                "处理中"
            } else {
                "待处理"
            }
            .to_string(),
        )
    });
    Some(Complaint {
        complaint_no: no?,
        received_at: at?,
        channel: row.enumv("channel"),
        customer_id,
        customer_name,
        product: row.text("product"),
        complaint_type: row.enumv("complaint_type"),
        content: row.text("content"),
        demand: row.text("demand"),
        severity: row.enumv("severity").or(Some("一般".into())),
        receiver: row.text("receiver"),
        handler: row.text("handler"),
        dept: row.text("dept"),
        response_at,
        closed_at,
        resolution: row.enumv("resolution"),
        compensation: row.money("compensation"),
        claim_amount: row.money("claim_amount"),
        claim_approved: row.money("claim_approved"),
        satisfaction: row.score5("satisfaction"),
        status,
        dispute: row.boolean("dispute"),
        origin: row.origin(),
    })
}

fn credit_survey(row: &mut Row) -> Option<CreditSurvey> {
    let d = row.date("survey_date");
    let d = row.require("survey_date", d);
    let (customer_id, customer_name) = customer_pair(row);
    let surveyor = row.text("surveyor");
    let surveyor = row.require("surveyor", surveyor);
    let month = |row: &mut Row, key: &'static str| -> Option<i64> {
        let v = row.int(key)?;
        if (1..=12).contains(&v) {
            Some(v)
        } else {
            row.problem(
                key,
                Severity::Coerced,
                Msg::new(
                    format!("月份 {v} 不在 1–12 之间"),
                    format!("month {v} is not 1–12"),
                ),
                Msg::new("已留空", "left blank"),
            );
            None
        }
    };
    let peak_from = month(row, "peak_from");
    let peak_to = month(row, "peak_to");
    Some(CreditSurvey {
        survey_date: d?,
        customer_id,
        customer_name,
        surveyor,
        founded_date: row.date("founded_date"),
        first_trade_date: row.date("first_trade_date"),
        legal_form: row.enumv("legal_form"),
        bank: row.text("bank"),
        bank_credit: row.enumv("bank_credit"),
        bookkeeping: row.enumv("bookkeeping"),
        peer_rating: row.enumv("peer_rating"),
        neighbour_rating: row.enumv("neighbour_rating"),
        org_type: row.enumv("org_type"),
        capital: row.money("capital"),
        pay_attitude: row.enumv("pay_attitude"),
        premises_area: row.enumv("premises_area"),
        premises_tenure: row.enumv("premises_tenure"),
        business_trend: row.enumv("business_trend"),
        peak_from,
        peak_to,
        peak_monthly_amt: row.money("peak_monthly_amt"),
        off_monthly_amt: row.money("off_monthly_amt"),
        credit_score: row.int("credit_score"),
        credit_grade: row.enumv("credit_grade"),
        credit_limit: row.money("credit_limit"),
        note: row.text("note"),
        origin: row.origin(),
    })
}

/// T11 费用 (PROPOSED table). A negative amount is kept (a refund or a reversal) and listed.
fn expense(row: &mut Row) -> Option<Expense> {
    let d = row.date("expense_date");
    let d = row.require("expense_date", d);
    let amount = row.money("amount");
    let amount = row.require("amount", amount);
    let category = row.enumv("category");
    if amount.is_some_and(|a| a < Decimal::ZERO) {
        row.problem(
            "amount",
            Severity::Notice,
            Msg::new("费用金额为负数", "negative expense amount"),
            Msg::new("按原值计入(冲销)", "kept as typed (a reversal)"),
        );
    }
    Some(Expense {
        expense_date: d?,
        staff: row.text("staff"),
        customer_id: row.id("customer_id"),
        customer_name: row.text("customer_name"),
        category,
        amount: amount?,
        note: row.text("note"),
        origin: row.origin(),
    })
}

/// The mean of the answered items, for a blank 总体满意度 (M23); None when nothing is answered.
pub fn mean_of_items(items: &[Option<i64>]) -> Option<Decimal> {
    let answered: Vec<i64> = items.iter().flatten().copied().collect();
    if answered.is_empty() {
        return None;
    }
    Some(Decimal::from(answered.iter().sum::<i64>()) / Decimal::from(answered.len() as i64))
}

/// T12 满意度调查. A blank 总体满意度 is the mean of the answered items (M23); a row with
/// neither is kept (its other answers count) but has no overall, and is listed.
fn satisfaction(row: &mut Row) -> Option<SatisfactionSurvey> {
    let d = row.date("survey_date");
    let d = row.require("survey_date", d);
    let (customer_id, customer_name) = customer_pair(row);
    let items = [
        row.survey5("q_quality"),
        row.survey5("q_price"),
        row.survey5("q_delivery"),
        row.survey5("q_attitude"),
        row.survey5("q_response"),
        row.survey5("q_complaint"),
        row.survey5("q_aftersales"),
    ];
    let typed = row.survey5("overall").map(Decimal::from);
    let derived = if typed.is_none() {
        mean_of_items(&items)
    } else {
        None
    };
    if typed.is_none() && derived.is_none() && !row.reject {
        row.problem(
            "overall",
            Severity::Notice,
            Msg::new(
                "没有总体满意度,也没有任何分项评分",
                "no overall satisfaction and no item answered",
            ),
            Msg::new("不计入满意度", "left out of the satisfaction figures"),
        );
    }
    Some(SatisfactionSurvey {
        survey_date: d?,
        customer_id,
        customer_name,
        method: row.enumv("method"),
        q_quality: items[0],
        q_price: items[1],
        q_delivery: items[2],
        q_attitude: items[3],
        q_response: items[4],
        q_complaint: items[5],
        q_aftersales: items[6],
        overall_derived: derived.is_some(),
        overall: typed.or(derived),
        price_sensitivity: row.survey5("price_sensitivity"),
        tolerance: row.survey5("tolerance"),
        rebuy: row.enumv("rebuy"),
        recommend: row.enumv("recommend"),
        comments: row.text("comments"),
        origin: row.origin(),
    })
}

/// 是否响应 (T13): 是/否 and the other bool words, plus 报名/参加/出席 → 是 (§3.1) and their
/// negations (未报名, 未参加, 缺席 …) → 否.
pub fn response_word(s: &str) -> Option<bool> {
    let t = s.trim();
    const NO: [&str; 9] = [
        "未报名",
        "未参加",
        "未出席",
        "没参加",
        "没来",
        "缺席",
        "拒绝",
        "未响应",
        "不参加",
    ];
    const YES: [&str; 6] = ["报名", "参加", "出席", "到场", "响应", "已参加"];
    if NO.iter().any(|w| t.contains(w)) {
        return Some(false);
    }
    if YES.iter().any(|w| t.contains(w)) {
        return Some(true);
    }
    None
}

fn activity(row: &mut Row) -> Option<Activity> {
    let name = row.text("activity");
    let name = row.require("activity", name);
    let d = row.date("activity_date");
    let d = row.require("activity_date", d);
    let (customer_id, customer_name) = customer_pair(row);
    let invited = row.boolean("invited").unwrap_or(true);
    let raw = row.cell("responded").cloned();
    let responded = match raw {
        Some(crate::ingest::Cell::Text(ref s)) if response_word(s).is_some() => response_word(s),
        Some(ref c) => match crate::ingest::normalise::boolean(c) {
            Ok(v) => v,
            Err(_) => {
                row.reject_for(
                    "responded",
                    Msg::new(
                        format!("是否响应“{}”不是 是/否/报名/参加/出席", c.raw()),
                        format!("responded “{}” is not yes/no/registered/attended", c.raw()),
                    ),
                );
                None
            }
        },
        None => None,
    };
    let responded = row.require("responded", responded);
    Some(Activity {
        activity: name?,
        activity_date: d?,
        customer_id,
        customer_name,
        invited,
        responded: responded?,
        origin: row.origin(),
    })
}

fn after_sale(row: &mut Row) -> Option<AfterSale> {
    let no = row.id("service_no");
    let no = row.require("service_no", no);
    let at = row.datetime("registered_at");
    let at = row.require("registered_at", at);
    let (customer_id, customer_name) = customer_pair(row);
    let mut completed_at = row.datetime("completed_at");
    if let (Some(a), Some(c)) = (at, completed_at) {
        if c < a {
            row.problem(
                "completed_at",
                Severity::Coerced,
                Msg::new("完成日期早于登记日期", "completed before it was registered"),
                Msg::new("完成日期已留空", "completion left blank"),
            );
            completed_at = None;
        }
    }
    Some(AfterSale {
        service_no: no?,
        registered_at: at?,
        customer_id,
        customer_name,
        product: row.text("product"),
        model: row.text("model"),
        service_type: row.enumv("service_type"),
        issue: row.text("issue"),
        staff: row.text("staff"),
        completed_at,
        in_warranty: row.boolean("in_warranty"),
        fee: row.money("fee"),
        satisfaction: row.score5("satisfaction"),
        origin: row.origin(),
    })
}

fn call(row: &mut Row) -> Option<Call> {
    let t = row.datetime("call_time");
    let t = row.require("call_time", t);
    let dir = row.enumv("direction");
    let dir = row.require("direction", dir);
    let agent = row.text("agent");
    let agent = row.require("agent", agent);
    let qa = row.int("qa_score");
    let qa = match qa {
        Some(v) if !(0..=100).contains(&v) => {
            row.problem(
                "qa_score",
                Severity::Coerced,
                Msg::new(
                    format!("质检得分 {v} 不在 0–100 之间"),
                    format!("QA score {v} is not 0–100"),
                ),
                Msg::new("已留空", "left blank"),
            );
            None
        }
        v => v,
    };
    Some(Call {
        call_time: t?,
        direction: dir?,
        number: row.id("number"),
        customer_id: row.id("customer_id"),
        customer_name: row.text("customer_name"),
        agent: agent?,
        call_type: row.enumv("call_type"),
        connected: row.boolean("connected"),
        duration_s: row.seconds("duration_s"),
        qa_score: qa,
        origin: row.origin(),
    })
}

/// M37: on a sheet with a 折扣 column, if on ≥ 90% of lines 金额 = 数量×单价 − 折扣 (±0.01),
/// 金额 is net; gross = 金额 + 折扣 is stored so the discount is not deducted twice.
fn net_amount_sheets(
    raws: &[RawTable],
    sales: &mut [(SaleLine, CustRef)],
    probs: &mut Vec<Problem>,
) {
    let tol = Decimal::new(1, 2);
    for t in raws.iter().filter(|t| t.table == TableId::Sales) {
        if t.col_of("discount").is_none()
            || t.col_of("unit_price").is_none()
            || t.col_of("amount").is_none()
        {
            continue;
        }
        let same = |l: &SaleLine| l.origin.file == t.file && l.origin.sheet == t.sheet;
        let mut n = 0usize;
        let mut net = 0usize;
        let mut any_discount = false;
        for (l, _) in sales.iter().filter(|(l, _)| same(l)) {
            let Some(p) = l.unit_price else { continue };
            n += 1;
            if !l.discount.is_zero() {
                any_discount = true;
            }
            let diff = l
                .qty
                .checked_mul(p)
                .and_then(|g| g.checked_sub(l.discount))
                .and_then(|n| n.checked_sub(l.amount));
            if diff.is_some_and(|d| d.abs() <= tol) {
                net += 1;
            }
        }
        if n == 0 || !any_discount || net * 10 < n * 9 {
            continue;
        }
        for (l, _) in sales.iter_mut().filter(|(l, _)| same(l)) {
            l.amount = l.amount.checked_add(l.discount).unwrap_or(l.amount);
        }
        probs.push(notice(
            Location::new(&t.file, &t.sheet, ""),
            TableId::Sales.zh(),
            String::new(),
            Msg::new(
                format!("金额是扣除折扣后的净额({net}/{n} 行 金额 = 数量×单价 − 折扣)"),
                format!(
                    "金额 is net of discount ({net} of {n} lines: amount = qty × price − discount)"
                ),
            ),
            Msg::new(
                "按 金额 + 折扣 作为订货额,折扣不重复扣减",
                "gross = amount + discount, so the discount is not deducted twice",
            ),
        ));
    }
}

/// C5: fill each line's customer from T01, by id or by the normalised name key. A line whose
/// customer is not in T01 is rejected (or, with `auto_create_customers`, a stub is created).
#[allow(clippy::too_many_arguments)]
fn link_customers<T>(
    table: TableId,
    b: &mut Built<T>,
    get: impl Fn(&mut T) -> (&mut Option<String>, &mut Option<String>, &Origin),
    customers: &mut Option<Vec<Customer>>,
    idx: &mut CustIndex,
    cfg: &Config,
    probs: &mut Vec<Problem>,
) {
    let Some(custs) = customers.as_mut() else {
        if let Some((first, _)) = b.recs.first_mut() {
            let (_, _, o) = get(first);
            probs.push(notice(
                Location::new(&o.file, &o.sheet, ""),
                table.zh(),
                String::new(),
                Msg::new(
                    "没有客户信息表,无法核对客户",
                    "no customer table, so customers cannot be checked",
                ),
                Msg::new("按原样计入", "kept as typed"),
            ));
        }
        return;
    };
    // Filtered in place: moving every kept record into a second list copied a million sales
    // lines (hundreds of MB) into fresh pages, most of the linking time.
    let mut rejected = 0usize;
    b.recs.retain_mut(|(rec, cref)| {
        let cref = &*cref;
        let (id, name, origin) = get(rec);
        // The quoted value and the cell name are only built for a line that has a problem (most
        // lines link cleanly; building them for every line was a tenth of the linking time).
        let raw_of = |id: &Option<String>, name: &Option<String>| {
            crate::error::clip(id.as_deref().or(name.as_deref()).unwrap_or(""))
        };
        let found = match (id.as_ref(), name.as_ref()) {
            (Some(i), _) => idx.by_id.get(i.as_str()).copied(),
            (None, Some(n)) => match idx.by_name.get(&name_key(n)) {
                Some(Some(i)) => Some(*i),
                Some(None) => {
                    probs.push(Problem {
                        location: Location::new(&origin.file, &origin.sheet, cref.cell(origin)),
                        table: table.zh().into(),
                        raw: raw_of(id, name),
                        problem: Msg::new(
                            "客户名称对应多个客户编号,无法确定是哪一个",
                            "this customer name matches several customer ids",
                        ),
                        action: Msg::new(
                            "整行未计入;请填写客户编号",
                            "row left out; fill in the customer id",
                        ),
                        severity: Severity::Rejected,
                    });
                    rejected += 1;
                    return false;
                }
                None => None,
            },
            (None, None) => None,
        };
        match found {
            Some(ci) => {
                let c = &custs[ci];
                if id.is_none() {
                    *id = Some(c.customer_id.clone());
                }
                if name.is_none() {
                    *name = Some(c.name.clone());
                }
                true
            }
            None if cfg.auto_create_customers => {
                let raw = raw_of(id, name);
                let cid = id.clone().or_else(|| name.clone()).unwrap_or_default();
                let cname = name.clone().or_else(|| id.clone()).unwrap_or_default();
                *id = Some(cid.clone());
                probs.push(Problem {
                    location: Location::new(&origin.file, &origin.sheet, cref.cell(origin)),
                    table: table.zh().into(),
                    raw,
                    problem: Msg::new(
                        "客户不在客户信息表中",
                        "customer is not in the customer table",
                    ),
                    action: Msg::new(
                        "已自动建立客户(auto_create_customers)",
                        "customer created automatically (auto_create_customers)",
                    ),
                    severity: Severity::Notice,
                });
                let ci = custs.len();
                custs.push(Customer {
                    customer_id: cid.clone(),
                    name: cname.clone(),
                    origin: origin.clone(),
                    ..Default::default()
                });
                idx.by_id.insert(cid, ci);
                idx.by_name.entry(name_key(&cname)).or_insert(Some(ci));
                true
            }
            // A row that names no customer in a table where the customer is optional (T11
            // 费用, T15 呼叫记录): nothing to link.
            None if id.is_none() && name.is_none() => true,
            // §3.2 names T05–T09; a credit survey of a prospect not yet in T01 is kept, and so is
            // an expense or a call whose customer is optional anyway.
            None if matches!(
                table,
                TableId::CreditSurveys | TableId::Expenses | TableId::Calls
            ) =>
            {
                probs.push(notice(
                    Location::new(&origin.file, &origin.sheet, cref.cell(origin)),
                    table.zh(),
                    raw_of(id, name),
                    Msg::new(
                        "客户不在客户信息表中",
                        "customer is not in the customer table",
                    ),
                    Msg::new(
                        "已计入;请在客户信息表中建档",
                        "kept; add the customer to the customer table",
                    ),
                ));
                true
            }
            None => {
                probs.push(Problem {
                    location: Location::new(&origin.file, &origin.sheet, cref.cell(origin)),
                    table: table.zh().into(),
                    raw: raw_of(id, name),
                    problem: Msg::new(
                        "客户不在客户信息表中",
                        "customer is not in the customer table",
                    ),
                    action: Msg::new(
                        "整行未计入;请先在客户信息表中建档",
                        "row left out; add the customer to the customer table first",
                    ),
                    severity: Severity::Rejected,
                });
                rejected += 1;
                false
            }
        }
    });
    b.rejected += rejected;
}

/// std's map with foldhash's hasher: linking looks up every line's customer id, and SipHash was
/// most of that. Nothing iterates these maps, so the hasher's seed never shows in the output.
type FastMap<K, V> = HashMap<K, V, foldhash::fast::RandomState>;

#[derive(Default)]
struct CustIndex {
    by_id: FastMap<String, usize>,
    /// name key → customer index, `None` when two customers share the key.
    by_name: FastMap<String, Option<usize>>,
}

/// What the first typing job gives: every table but the sales lines, the customer index, and
/// where the sales problems go among the others.
struct Rest {
    customers: Built<Customer>,
    idx: CustIndex,
    products: Built<Product>,
    salespeople: Built<Salesperson>,
    targets: Built<Target>,
    sales_at: usize,
    returns: Built<Return>,
    receipts: Built<Receipt>,
    interactions: Built<Interaction>,
    complaints: Built<Complaint>,
    surveys: Built<CreditSurvey>,
    expenses: Built<Expense>,
    satisfactions: Built<SatisfactionSurvey>,
    activities: Built<Activity>,
    after_sales: Built<AfterSale>,
    calls: Built<Call>,
}

/// A typing job's result.
enum Part {
    Rest(Box<Rest>),
    Sales(Built<SaleLine>, Vec<Problem>),
}

/// Type every table but the sales lines, in the order their problems are listed.
fn type_rest(raws: &mut [RawTable], p: &mut Vec<Problem>) -> Rest {
    let mut customers = type_and_free(raws, TableId::Customers, p, customer);
    // T01 without 客户编号: the name stands in as the id, so lines can still link by name.
    let mut named_only = 0usize;
    for (c, _) in customers.recs.iter_mut() {
        if c.customer_id.is_empty() {
            c.customer_id = c.name.clone();
            named_only += 1;
        }
    }
    let id_only = raws
        .iter()
        .filter(|t| t.table == TableId::Customers && t.col_of("name").is_none())
        .count();
    if id_only > 0 {
        p.push(notice(
            Location::default(),
            TableId::Customers.zh(),
            String::new(),
            Msg::new(
                "客户表没有客户名称列",
                "the customer table has no customer-name column",
            ),
            Msg::new("以客户编号代替名称", "the id is shown as the name"),
        ));
    }
    if named_only > 0 {
        p.push(notice(
            Location::default(),
            TableId::Customers.zh(),
            String::new(),
            Msg::new(
                format!("{named_only} 个客户没有客户编号"),
                format!("{named_only} customers have no customer id"),
            ),
            Msg::new("以客户名称代替编号", "the name is used as the id"),
        ));
    }
    // A customer table taken from a sales export repeats each customer on every line: merge.
    for t in raws
        .iter()
        .filter(|t| t.table == TableId::Customers && t.shared_sheet)
    {
        let mut seen: HashMap<String, ()> = HashMap::new();
        let before = customers.recs.len();
        customers.recs.retain(|(c, _)| {
            if c.origin.file != t.file || c.origin.sheet != t.sheet {
                return true;
            }
            seen.insert(c.customer_id.clone(), ()).is_none()
        });
        let merged = before - customers.recs.len();
        if merged > 0 {
            customers.data_rows -= merged;
            p.push(notice(
                Location::new(&t.file, &t.sheet, ""),
                TableId::Customers.zh(),
                String::new(),
                Msg::new(format!("客户信息取自明细表,{merged} 行是已有客户的重复行"), format!("customers taken from a line-level sheet; {merged} rows repeat a customer already read")),
                Msg::new("已合并为每个客户一条", "merged into one record per customer"),
            ));
        }
    }
    let mut idx = CustIndex::default();
    for (i, (c, _)) in customers.recs.iter().enumerate() {
        idx.by_id.entry(c.customer_id.clone()).or_insert(i);
        idx.by_name
            .entry(name_key(&c.name))
            .and_modify(|e| {
                if e.is_some_and(|j| customers.recs[j].0.customer_id != c.customer_id) {
                    *e = None;
                }
            })
            .or_insert(Some(i));
    }
    let products = type_and_free(raws, TableId::Products, p, product);
    let salespeople = type_and_free(raws, TableId::Salespeople, p, salesperson);
    let targets = type_and_free(raws, TableId::Targets, p, target);
    // Where the sales problems go: after those of the tables typed before them.
    let sales_at = p.len();
    let returns = type_and_free(raws, TableId::Returns, p, ret);
    let receipts = type_and_free(raws, TableId::Receipts, p, receipt);
    let interactions = type_and_free(raws, TableId::Interactions, p, interaction);
    let complaints = type_and_free(raws, TableId::Complaints, p, complaint);
    let surveys = type_and_free(raws, TableId::CreditSurveys, p, credit_survey);
    let expenses = type_and_free(raws, TableId::Expenses, p, expense);
    let satisfactions = type_and_free(raws, TableId::Satisfaction, p, satisfaction);
    let activities = type_and_free(raws, TableId::Activities, p, activity);
    let after_sales = type_and_free(raws, TableId::AfterSales, p, after_sale);
    let calls = type_and_free(raws, TableId::Calls, p, call);
    Rest {
        customers,
        idx,
        products,
        salespeople,
        targets,
        sales_at,
        returns,
        receipts,
        interactions,
        complaints,
        surveys,
        expenses,
        satisfactions,
        activities,
        after_sales,
        calls,
    }
}

/// Typed dataset from ingested tables.
pub fn build(ing: ingest::Ingested, cfg: &Config) -> Dataset {
    build_chunked(ing, cfg, SALES_CHUNK)
}

/// [`build`] with the sales lines typed in chunks of `chunk` rows (tests compare chunk sizes).
#[doc(hidden)]
pub fn build_chunked(ing: ingest::Ingested, cfg: &Config, chunk: usize) -> Dataset {
    let (mut ds, checks) = build_unchecked(ing, cfg, chunk);
    let mut laps = ingest::Laps::new();
    let found = checks.run(&ds);
    ds.problems.extend(found);
    laps.lap("integrity");
    ds
}

fn build_unchecked(
    ing: ingest::Ingested,
    cfg: &Config,
    chunk: usize,
) -> (Dataset, super::integrity::Checks) {
    let ingest::Ingested {
        tables: raws,
        reports,
        mut problems,
    } = ing;
    let mut laps = ingest::Laps::new();
    let (mut sales_raws, rest): (Vec<RawTable>, Vec<RawTable>) =
        raws.into_iter().partition(|t| t.table == TableId::Sales);
    let mut raws = rest;
    let p = &mut problems;
    // The sales lines are most of the rows: they are typed in chunks (jobs after the first) while
    // the other tables are typed in order (the first job), on the machine's cores. The chunks'
    // records and problems are put back together in job order, and the sales problems where
    // sequential typing put them (after 销售目标's), so the output does not depend on the threads.
    let mut rest_out: Option<Rest> = None;
    let mut sales_parts: Vec<(Built<SaleLine>, Vec<Problem>)> = Vec::new();
    {
        let raws = &mut raws;
        let mut jobs: Vec<crate::par::Job<'_, Part>> =
            vec![Box::new(move || Part::Rest(Box::new(type_rest(raws, p))))];
        jobs.extend(sales_jobs(&sales_raws, chunk, Part::Sales));
        for part in crate::par::run_jobs(jobs) {
            match part {
                Part::Rest(r) => rest_out = Some(*r),
                Part::Sales(b, pr) => sales_parts.push((b, pr)),
            }
        }
    }
    let p = &mut problems;
    // run_jobs returns every job's result, so the first job's is there (typing here again would
    // give the same tables).
    let Rest {
        customers,
        mut idx,
        products,
        salespeople,
        targets,
        sales_at,
        mut returns,
        mut receipts,
        mut interactions,
        mut complaints,
        mut surveys,
        mut expenses,
        mut satisfactions,
        mut activities,
        mut after_sales,
        mut calls,
    } = rest_out.unwrap_or_else(|| type_rest(&mut raws, p));
    let mut sales = Built {
        recs: Vec::with_capacity(sales_parts.iter().map(|(b, _)| b.recs.len()).sum()),
        data_rows: 0,
        rejected: 0,
        found: false,
    };
    let mut sp = Vec::new();
    for (b, pr) in sales_parts {
        sales.recs.extend(b.recs);
        sales.data_rows += b.data_rows;
        sales.rejected += b.rejected;
        sales.found |= b.found;
        sp.extend(pr);
    }
    net_amount_sheets(&sales_raws, &mut sales.recs, &mut sp);
    // Typed: only the column maps are used from here on. Freeing a million lines' cells (and
    // their strings) takes a while; it is done beside the rest of the load, not before it.
    let typed: Vec<Vec<crate::ingest::RawRow>> = sales_raws
        .iter_mut()
        .map(|t| std::mem::take(&mut t.rows))
        .collect();
    if typed.iter().map(Vec::len).sum::<usize>() >= FREE_BESIDE {
        // Nothing waits for it: memory is given back as it goes, and at exit it no longer matters.
        let spawned = std::thread::Builder::new()
            .name("free-cells".into())
            .spawn(move || drop(typed));
        // Without a thread (the system refused one) the cells are freed here instead.
        drop(spawned);
    } else {
        drop(typed);
    }
    p.splice(sales_at..sales_at, sp);
    raws.extend(sales_raws);
    laps.lap("typing");

    let customers_found = customers.found;
    let cust_count = customers.count(TableId::Customers);
    let mut cust_vec = customers.into_option();
    link_customers(
        TableId::Sales,
        &mut sales,
        |r| (&mut r.customer_id, &mut r.customer_name, &r.origin),
        &mut cust_vec,
        &mut idx,
        cfg,
        p,
    );
    link_customers(
        TableId::Returns,
        &mut returns,
        |r| (&mut r.customer_id, &mut r.customer_name, &r.origin),
        &mut cust_vec,
        &mut idx,
        cfg,
        p,
    );
    link_customers(
        TableId::Receipts,
        &mut receipts,
        |r| (&mut r.customer_id, &mut r.customer_name, &r.origin),
        &mut cust_vec,
        &mut idx,
        cfg,
        p,
    );
    link_customers(
        TableId::Interactions,
        &mut interactions,
        |r| (&mut r.customer_id, &mut r.customer_name, &r.origin),
        &mut cust_vec,
        &mut idx,
        cfg,
        p,
    );
    link_customers(
        TableId::Complaints,
        &mut complaints,
        |r| (&mut r.customer_id, &mut r.customer_name, &r.origin),
        &mut cust_vec,
        &mut idx,
        cfg,
        p,
    );
    link_customers(
        TableId::CreditSurveys,
        &mut surveys,
        |r| (&mut r.customer_id, &mut r.customer_name, &r.origin),
        &mut cust_vec,
        &mut idx,
        cfg,
        p,
    );
    link_customers(
        TableId::Expenses,
        &mut expenses,
        |r| (&mut r.customer_id, &mut r.customer_name, &r.origin),
        &mut cust_vec,
        &mut idx,
        cfg,
        p,
    );
    link_customers(
        TableId::Satisfaction,
        &mut satisfactions,
        |r| (&mut r.customer_id, &mut r.customer_name, &r.origin),
        &mut cust_vec,
        &mut idx,
        cfg,
        p,
    );
    link_customers(
        TableId::Activities,
        &mut activities,
        |r| (&mut r.customer_id, &mut r.customer_name, &r.origin),
        &mut cust_vec,
        &mut idx,
        cfg,
        p,
    );
    link_customers(
        TableId::AfterSales,
        &mut after_sales,
        |r| (&mut r.customer_id, &mut r.customer_name, &r.origin),
        &mut cust_vec,
        &mut idx,
        cfg,
        p,
    );
    link_customers(
        TableId::Calls,
        &mut calls,
        |r| (&mut r.customer_id, &mut r.customer_name, &r.origin),
        &mut cust_vec,
        &mut idx,
        cfg,
        p,
    );

    laps.lap("linking");
    let mut counts = Vec::new();
    if customers_found {
        counts.push(cust_count);
    }
    macro_rules! count {
        ($b:expr, $t:expr) => {
            if $b.found {
                counts.push($b.count($t));
            }
        };
    }
    count!(products, TableId::Products);
    count!(salespeople, TableId::Salespeople);
    count!(targets, TableId::Targets);
    count!(sales, TableId::Sales);
    count!(returns, TableId::Returns);
    count!(receipts, TableId::Receipts);
    count!(interactions, TableId::Interactions);
    count!(complaints, TableId::Complaints);
    count!(surveys, TableId::CreditSurveys);
    count!(expenses, TableId::Expenses);
    count!(satisfactions, TableId::Satisfaction);
    count!(activities, TableId::Activities);
    count!(after_sales, TableId::AfterSales);
    count!(calls, TableId::Calls);

    let ds = Dataset {
        customers: cust_vec,
        products: products.into_option(),
        salespeople: salespeople.into_option(),
        targets: targets.into_option(),
        sales: sales.into_option(),
        returns: returns.into_option(),
        receipts: receipts.into_option(),
        interactions: interactions.into_option(),
        complaints: complaints.into_option(),
        credit_surveys: surveys.into_option(),
        expenses: expenses.into_option(),
        satisfaction: satisfactions.into_option(),
        activities: activities.into_option(),
        after_sales: after_sales.into_option(),
        calls: calls.into_option(),
        problems,
        counts,
        sheets: reports,
    };
    (ds, super::integrity::Checks::new(&raws))
}
