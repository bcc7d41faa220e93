//! The workbook's data sheets: the accepted input rows, one sheet per table, so a clerk can check
//! any figure with a pivot table. Each record is written straight from its `Serialize` impl into
//! the sheet's cells (no JSON value, no key string per cell), with number formats taken from
//! column formats rather than a `Format` per cell: at 100,000 input rows these sheets are the
//! longest piece of the pack after loading.

use super::format;
use super::xlsx::{clip_for_cell, finish_sheet, looks_like_formula, xe, Styles, DATE, MONEY};
use crate::error::{Error, Result};
use crate::ingest::schema::{self, TableId};
use crate::model::Dataset;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};
use serde::ser::{self, Impossible, Serialize};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// Excel's last row is 1,048,576: a table with more accepted rows than fit under the header row
/// (a CSV export or a year of monthly workbooks can hold more) continues on further sheets,
/// 数据_销售明细_2 and so on, rather than failing the whole workbook.
pub const ROWS_PER_SHEET: usize = 1_048_575;

type SheetWriter<'a> = Box<dyn FnOnce(&mut Worksheet) -> Result<Option<(u32, u16)>> + Send + 'a>;

/// One data sheet to write: its name, how many records it holds, and the writer.
struct Job<'a> {
    name: String,
    rows: usize,
    write: SheetWriter<'a>,
}

/// The data sheets of the accepted input rows, for every table present, in workbook order, at
/// most `per_sheet` records a sheet (an empty table still gets its sheet).
fn jobs(ds: &Dataset, per_sheet: usize) -> Vec<Job<'_>> {
    let mut out: Vec<Job<'_>> = Vec::new();
    macro_rules! add {
        ($field:ident, $name:literal, $table:expr) => {
            if let Some(rows) = &ds.$field {
                let parts: Vec<_> = if rows.is_empty() {
                    vec![&rows[..]]
                } else {
                    rows.chunks(per_sheet.max(1)).collect()
                };
                for (k, part) in parts.into_iter().enumerate() {
                    out.push(Job {
                        name: if k == 0 {
                            format!("数据_{}", $name)
                        } else {
                            format!("数据_{}_{}", $name, k + 1)
                        },
                        rows: part.len(),
                        write: Box::new(move |ws: &mut Worksheet| data_sheet(ws, $table, part)),
                    });
                }
            }
        };
    }
    add!(customers, "客户信息表", TableId::Customers);
    add!(sales, "销售明细", TableId::Sales);
    add!(returns, "退货记录", TableId::Returns);
    add!(receipts, "收款记录", TableId::Receipts);
    add!(complaints, "投诉记录", TableId::Complaints);
    add!(credit_surveys, "信用调查", TableId::CreditSurveys);
    add!(interactions, "客户互动记录", TableId::Interactions);
    add!(salespeople, "业务员", TableId::Salespeople);
    add!(targets, "销售目标", TableId::Targets);
    add!(products, "产品", TableId::Products);
    add!(expenses, "费用", TableId::Expenses);
    add!(satisfaction, "满意度调查", TableId::Satisfaction);
    add!(activities, "活动参与", TableId::Activities);
    add!(after_sales, "售后服务", TableId::AfterSales);
    add!(calls, "呼叫记录", TableId::Calls);
    out
}

/// The column header of a record field on its data sheet: the canonical Chinese header of the
/// input table (DOMAIN §3, as ingest knows it), so the data sheets read like the clerk's own sheets.
/// A few record fields are derived rather than read as such and are named here.
fn field_label(table: TableId, key: &str) -> &'static str {
    if let Some(f) = schema::fields(table).iter().find(|f| f.key == key) {
        return f.header;
    }
    match key {
        "name" => "名称",
        "cancelled" => "作废",
        "exchange" => "换货",
        "complaint_type" => "投诉类型",
        "customer_name" => "客户名称",
        "overall_derived" => "总体满意度取分项平均",
        _ => "",
    }
}

/// Money fields of the records: written as numbers with the 元 format.
fn is_money_field(key: &str) -> bool {
    matches!(
        key,
        "amount"
            | "discount"
            | "rebate"
            | "unit_price"
            | "unit_cost"
            | "cost"
            | "std_price"
            | "credit_limit"
            | "opening_ar"
            | "capital"
            | "compensation"
            | "claim_amount"
            | "claim_approved"
            | "expense"
            | "target_sales"
            | "std_monthly_sales"
            | "target_collection"
            | "peak_monthly_amt"
            | "off_monthly_amt"
            | "contract_amount"
            | "fee"
    )
}

/// A record's date field as serialised (`2024-03-05`), without running chrono's format parser on
/// every text cell of a 100,000-row sheet (only strings of that exact shape are tried).
fn iso_date(s: &str) -> Option<chrono::NaiveDate> {
    let b = s.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' || !b[0].is_ascii_digit() {
        return None;
    }
    chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()
}

/// How a data-sheet cell is shown. A column takes the style of its first value as its column
/// format, and every later cell of that style is written without a format of its own: a cell
/// format makes rust_xlsxwriter hash the whole `Format` for every cell, which was most of the
/// workbook's time with 100,000 input rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum DataStyle {
    Text,
    Money,
    Qty,
    Int,
    Date,
}

/// Data-sheet formats: no borders (a column format shows on the column's empty cells too, down
/// to the last row of the sheet), the report's font size and number formats.
struct DataStyles {
    header: Format,
    text: Format,
    money: Format,
    qty: Format,
    int: Format,
    date: Format,
}

impl DataStyles {
    fn new() -> DataStyles {
        let cell = Format::new().set_font_size(10.5);
        DataStyles {
            header: Styles::new().header,
            text: cell.clone(),
            money: cell.clone().set_num_format(MONEY),
            qty: cell.clone().set_num_format("#,##0.###"),
            int: cell.clone().set_num_format("#,##0"),
            date: cell.set_num_format(DATE).set_align(FormatAlign::Center),
        }
    }

    fn of(&self, s: DataStyle) -> &Format {
        match s {
            DataStyle::Text => &self.text,
            DataStyle::Money => &self.money,
            DataStyle::Qty => &self.qty,
            DataStyle::Int => &self.int,
            DataStyle::Date => &self.date,
        }
    }
}

/// One data sheet being written: the column styles fixed so far.
struct DataWriter<'w> {
    ws: &'w mut Worksheet,
    st: DataStyles,
    cols: Vec<Option<DataStyle>>,
}

impl DataWriter<'_> {
    /// The explicit format a cell of `style` in `col` needs: none when the column has that style.
    fn format(&mut self, col: u16, style: DataStyle) -> Result<Option<Format>> {
        let c = col as usize;
        if self.cols.len() <= c {
            self.cols.resize(c + 1, None);
        }
        match self.cols[c] {
            Some(s) if s == style => Ok(None),
            Some(_) => Ok(Some(self.st.of(style).clone())),
            None => {
                self.ws
                    .set_column_format(col, self.st.of(style))
                    .map_err(xe)?;
                self.cols[c] = Some(style);
                Ok(None)
            }
        }
    }

    fn number(&mut self, row: u32, col: u16, v: f64, style: DataStyle) -> Result<()> {
        match self.format(col, style)? {
            None => self.ws.write_number(row, col, v),
            Some(f) => self.ws.write_number_with_format(row, col, v, &f),
        }
        .map_err(xe)?;
        Ok(())
    }

    /// Text from the clerk's data: cut to the cell limit, quote-prefixed when a spreadsheet could
    /// take it for a formula (as [`put_text`]).
    fn text(&mut self, row: u32, col: u16, s: &str) -> Result<()> {
        let s = clip_for_cell(s);
        let explicit = self.format(col, DataStyle::Text)?;
        if looks_like_formula(&s) {
            let f = explicit.unwrap_or_else(|| self.st.text.clone());
            self.ws
                .write_string_with_format(row, col, &*s, &f.set_quote_prefix())
                .map_err(xe)?;
        } else {
            match explicit {
                None => self.ws.write_string(row, col, &*s),
                Some(f) => self.ws.write_string_with_format(row, col, &*s, &f),
            }
            .map_err(xe)?;
        }
        Ok(())
    }

    fn date(&mut self, row: u32, col: u16, d: chrono::NaiveDate) -> Result<()> {
        match excel_serial(d) {
            Some(n) => self.number(row, col, n, DataStyle::Date),
            // Before 1900-03-01 Excel's serials are off by its 1900 leap-year bug: rust_xlsxwriter
            // knows the rule.
            None => {
                let f = self.format(col, DataStyle::Date)?;
                let dt = ExcelDateTime::parse_from_str(&d.to_string()).map_err(xe)?;
                self.ws
                    .write_datetime_with_format(row, col, &dt, f.as_ref().unwrap_or(&self.st.date))
                    .map_err(xe)?;
                Ok(())
            }
        }
    }
}

/// Excel's serial day number of `d` (1900 date system), for dates from 1900-03-01 on.
fn excel_serial(d: chrono::NaiveDate) -> Option<f64> {
    let from = chrono::NaiveDate::from_ymd_opt(1900, 3, 1)?;
    let epoch = chrono::NaiveDate::from_ymd_opt(1899, 12, 30)?;
    (d >= from).then(|| (d - epoch).num_days() as f64)
}

/// The data sheets of the accepted input rows, so a clerk can check any figure with a pivot
/// table. Each sheet is written and compressed on its own, in a workbook of its own
/// ([`DataSheetPart`]), by [`DataSheets::work`] on as many threads as call it; the pack workbook
/// then takes each sheet's compressed part as it is ([`super::xlsx::pack_with`]). rust_xlsxwriter
/// deflates a workbook's parts one after another on one thread, and the data sheets are most of
/// the pack workbook's bytes: this way their compression runs on both cores, beside the
/// statistics and the PDF. They need only the records.
pub struct DataSheets<'a> {
    /// In workbook order.
    slots: Vec<Mutex<Slot<'a>>>,
    /// Indices into `slots`, the sheet with the most rows first (the longest job first).
    order: Vec<usize>,
    next: AtomicUsize,
}

enum Slot<'a> {
    Todo(String, SheetWriter<'a>),
    Done(Result<DataSheetPart>),
    /// Between being taken and done.
    Busy,
}

/// One data sheet, written: what its place in the pack workbook needs (its name, the range of
/// its autofilter, which the workbook names) and its sheet part, deflated, inside the zip of a
/// workbook of its own where it is the second sheet (the first, empty, takes the selection, as
/// the cover does in the pack). Both workbooks number the data sheets' cell formats the same way
/// ([`register_formats`]), so the part is what the pack workbook would have written.
pub struct DataSheetPart {
    pub name: String,
    /// The last row and column of the autofilter; `None` for an empty table (no header either).
    pub filter: Option<(u32, u16)>,
    pub zip: Vec<u8>,
}

/// The name of the data sheet's part inside [`DataSheetPart::zip`].
pub const PART_IN_ZIP: &str = "xl/worksheets/sheet2.xml";

impl DataSheetPart {
    fn write(name: String, write: SheetWriter<'_>) -> Result<DataSheetPart> {
        let mut wb = super::xlsx::new_workbook();
        register_formats(&mut wb)?;
        wb.add_worksheet();
        let mut ws = wb.new_worksheet_with_constant_memory().map_err(xe)?;
        ws.set_name(&name).map_err(xe)?;
        let filter = write(&mut ws)?;
        wb.push_worksheet(ws);
        Ok(DataSheetPart {
            name,
            filter,
            zip: wb.save_to_buffer().map_err(xe)?,
        })
    }

    /// Give `ws` (an empty sheet of the pack workbook standing in for this one) what the
    /// workbook itself records of the sheet: its autofilter and repeated header row, which
    /// become defined names.
    ///
    /// # Errors
    /// rust_xlsxwriter refuses the range.
    pub fn stand_in(&self, ws: &mut Worksheet) -> Result<()> {
        ws.set_name(&self.name).map_err(xe)?;
        if let Some((last_row, last_col)) = self.filter {
            ws.autofilter(0, 0, last_row, last_col).map_err(xe)?;
            ws.set_repeat_rows(0, 0).map_err(xe)?;
        }
        Ok(())
    }
}

impl<'a> DataSheets<'a> {
    /// The data sheets of `ds`, to be written. `wb` (the pack workbook) numbers the data sheets'
    /// cell formats first, as each sheet's own workbook does (see [`register_formats`]).
    ///
    /// # Errors
    /// A temporary file for a sheet cannot be made.
    pub fn plan(wb: &mut Workbook, ds: &'a Dataset) -> Result<DataSheets<'a>> {
        Self::plan_with(wb, ds, ROWS_PER_SHEET)
    }

    fn plan_with(wb: &mut Workbook, ds: &'a Dataset, per_sheet: usize) -> Result<DataSheets<'a>> {
        register_formats(wb)?;
        let mut slots = Vec::new();
        let mut rows = Vec::new();
        for job in jobs(ds, per_sheet) {
            rows.push(job.rows);
            slots.push(Mutex::new(Slot::Todo(job.name, job.write)));
        }
        let mut order: Vec<usize> = (0..slots.len()).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(rows[i]));
        Ok(DataSheets {
            slots,
            order,
            next: AtomicUsize::new(0),
        })
    }

    /// Write sheets until none is left to start. Any number of threads may call this at once:
    /// each sheet is written by one of them, and the workbook is the same whichever it was.
    pub fn work(&self) {
        loop {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(&slot) = self.order.get(i) else {
                return;
            };
            let mut guard = lock(&self.slots[slot]);
            if let Slot::Todo(name, write) = std::mem::replace(&mut *guard, Slot::Busy) {
                *guard = Slot::Done(DataSheetPart::write(name, write));
            }
        }
    }

    /// The written sheets in workbook order (any not yet written are written here), or the
    /// first sheet's error in that order.
    ///
    /// # Errors
    /// rust_xlsxwriter refused a cell.
    pub fn finish(self) -> Result<Vec<DataSheetPart>> {
        self.work();
        self.slots
            .into_iter()
            .map(
                |m| match m.into_inner().unwrap_or_else(|e| e.into_inner()) {
                    Slot::Done(r) => r,
                    // `work` above took every sheet, and a sheet is busy only inside `work`.
                    Slot::Todo(..) | Slot::Busy => Err(Error::Render(
                        "数据工作表未写完 (a data sheet was left unwritten)".into(),
                    )),
                },
            )
            .collect()
    }

    #[cfg(test)]
    fn reverse_order(&mut self) {
        self.order.reverse();
    }
}

/// A slot's lock; a panic on another thread while it held the lock leaves the slot as it was
/// (that panic reaches the caller through the thread's join).
fn lock<'m, 'a>(m: &'m Mutex<Slot<'a>>) -> std::sync::MutexGuard<'m, Slot<'a>> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Number every cell format the data sheets use in the workbook's shared format table, in a
/// fixed order, before any data sheet is written. A constant-memory sheet numbers a format when
/// it first writes a cell with it; sheets written side by side would meet the formats in a
/// different order from run to run, and the workbook's bytes would differ (tests/pack.rs caught
/// that). Here each format is met once on a sheet that is thrown away: later sheets find them
/// all numbered. Formats are numbered when a row is written out, so a last blank row pushes the
/// others out.
fn register_formats(wb: &mut Workbook) -> Result<()> {
    let st = DataStyles::new();
    let quoted = st.text.clone().set_quote_prefix();
    let mut ws = wb.new_worksheet_with_constant_memory().map_err(xe)?;
    let formats = [
        &st.header, &st.text, &st.money, &st.qty, &st.int, &st.date, &quoted,
    ];
    for (r, f) in formats.iter().enumerate() {
        ws.write_blank(r as u32, 0, f).map_err(xe)?;
    }
    ws.write_number(formats.len() as u32, 0, 0.0).map_err(xe)?;
    Ok(())
}

/// All data sheets of `ds` on the calling thread, in workbook order.
///
/// # Errors
/// As [`DataSheets::plan`] and [`DataSheets::finish`].
pub fn data_sheets(wb: &mut Workbook, ds: &Dataset) -> Result<Vec<DataSheetPart>> {
    DataSheets::plan(wb, ds)?.finish()
}

/// One data sheet. Columns come from the record's fields (in declaration order); `origin`
/// becomes 来源 file/sheet/row after them. Returns the last row and column of the autofilter
/// (`None` when there are no records).
pub fn data_sheet<T: Serialize>(
    ws: &mut Worksheet,
    table: TableId,
    records: &[T],
) -> Result<Option<(u32, u16)>> {
    let mut w = DataWriter {
        ws,
        st: DataStyles::new(),
        cols: Vec::new(),
    };
    let Some(first) = records.first() else {
        return finish_sheet(w.ws, &[], true).map(|()| None);
    };
    // The columns: the first record's field names, learnt without writing anything.
    let mut keys = KeyList(Vec::new());
    first.serialize(&mut keys).map_err(SerError::into_error)?;
    let keys: Vec<&'static str> = keys.0.into_iter().filter(|k| *k != "origin").collect();
    let label = |k: &str| match field_label(table, k) {
        "" => k.to_string(),
        l => l.to_string(),
    };
    let origin = ["来源文件", "来源工作表", "来源行"];
    let labels: Vec<String> = keys
        .iter()
        .map(|k| label(k))
        .chain(origin.map(String::from))
        .collect();
    let mut widths: Vec<usize> = Vec::with_capacity(labels.len());
    for (c, l) in labels.iter().enumerate() {
        w.ws.write_string_with_format(0, c as u16, l, &w.st.header)
            .map_err(xe)?;
        widths.push(if c < keys.len() {
            format::width(l) + 2
        } else {
            12
        });
    }
    let origin_col = keys.len() as u16;
    for (i, rec) in records.iter().enumerate() {
        let mut row = RowSer {
            w: &mut w,
            widths: &mut widths,
            row: i as u32 + 1,
            col: 0,
            origin_col,
        };
        rec.serialize(&mut row).map_err(SerError::into_error)?;
    }
    let ws = w.ws;
    ws.set_freeze_panes(1, 0).map_err(xe)?;
    let filter = (records.len() as u32, origin_col + 2);
    ws.autofilter(0, 0, filter.0, filter.1).map_err(xe)?;
    ws.set_repeat_rows(0, 0).map_err(xe)?;
    finish_sheet(ws, &widths, true)?;
    Ok(Some(filter))
}

/// Why writing a record failed: the sheet refused a cell, or the record has a field shape the
/// data sheets do not write (a list or a map: no input table has one).
#[derive(Debug)]
enum SerError {
    Write(Error),
    Shape(String),
}

impl SerError {
    fn into_error(self) -> Error {
        match self {
            SerError::Write(e) => e,
            SerError::Shape(m) => Error::Render(format!("数据工作表 (data sheet): {m}")),
        }
    }
}

impl std::fmt::Display for SerError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            SerError::Write(e) => write!(f, "{e}"),
            SerError::Shape(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for SerError {}

impl ser::Error for SerError {
    fn custom<M: std::fmt::Display>(msg: M) -> Self {
        SerError::Shape(msg.to_string())
    }
}

type SerResult = std::result::Result<(), SerError>;

fn shape(what: &str) -> SerError {
    SerError::Shape(format!("a record field that is {what} cannot be written"))
}

/// The serde methods a record (a struct of plain fields) never reaches: each is an error naming
/// the shape, so a new record type with a list field fails a test instead of writing nonsense.
/// `$structs` is what a struct value becomes (the record's and origin's serializers take one).
macro_rules! unsupported {
    ($structs:ty) => {
        type Ok = ();
        type Error = SerError;
        type SerializeSeq = Impossible<(), SerError>;
        type SerializeTuple = Impossible<(), SerError>;
        type SerializeTupleStruct = Impossible<(), SerError>;
        type SerializeTupleVariant = Impossible<(), SerError>;
        type SerializeMap = Impossible<(), SerError>;
        type SerializeStruct = $structs;
        type SerializeStructVariant = Impossible<(), SerError>;
        fn serialize_bytes(self, _: &[u8]) -> SerResult {
            Err(shape("bytes"))
        }
        fn serialize_seq(
            self,
            _: Option<usize>,
        ) -> std::result::Result<Self::SerializeSeq, SerError> {
            Err(shape("a list"))
        }
        fn serialize_tuple(self, _: usize) -> std::result::Result<Self::SerializeTuple, SerError> {
            Err(shape("a tuple"))
        }
        fn serialize_tuple_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> std::result::Result<Self::SerializeTupleStruct, SerError> {
            Err(shape("a tuple struct"))
        }
        fn serialize_tuple_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> std::result::Result<Self::SerializeTupleVariant, SerError> {
            Err(shape("a tuple variant"))
        }
        fn serialize_map(
            self,
            _: Option<usize>,
        ) -> std::result::Result<Self::SerializeMap, SerError> {
            Err(shape("a map"))
        }
        fn serialize_struct_variant(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: usize,
        ) -> std::result::Result<Self::SerializeStructVariant, SerError> {
            Err(shape("a struct variant"))
        }
        fn serialize_newtype_variant<V: ?Sized + Serialize>(
            self,
            _: &'static str,
            _: u32,
            _: &'static str,
            _: &V,
        ) -> SerResult {
            Err(shape("a newtype variant"))
        }
    };
}

/// Numbers, forwarded to one writer method as f64 (what a cell holds).
macro_rules! numbers {
    ($num:ident) => {
        numbers!(@each $num; serialize_i8: i8, serialize_i16: i16, serialize_i32: i32,
            serialize_i64: i64, serialize_u8: u8, serialize_u16: u16, serialize_u32: u32,
            serialize_u64: u64, serialize_f32: f32, serialize_f64: f64);
    };
    (@each $num:ident; $($f:ident: $t:ty),*) => {
        $(
            fn $f(self, v: $t) -> SerResult {
                self.$num(v as f64)
            }
        )*
    };
}

/// A serializer that takes only a struct (a record, or a record's `origin`): its associated
/// types, and an error for every other shape.
macro_rules! struct_only {
    () => {
        unsupported!(Self);
        numbers!(reject_number);
        fn serialize_bool(self, _: bool) -> SerResult {
            Err(not_a_struct())
        }
        fn serialize_char(self, _: char) -> SerResult {
            Err(not_a_struct())
        }
        fn serialize_str(self, _: &str) -> SerResult {
            Err(not_a_struct())
        }
        fn serialize_none(self) -> SerResult {
            Err(not_a_struct())
        }
        fn serialize_some<V: ?Sized + Serialize>(self, v: &V) -> SerResult {
            v.serialize(self)
        }
        fn serialize_unit(self) -> SerResult {
            Err(not_a_struct())
        }
        fn serialize_unit_struct(self, _: &'static str) -> SerResult {
            Err(not_a_struct())
        }
        fn serialize_unit_variant(self, _: &'static str, _: u32, _: &'static str) -> SerResult {
            Err(not_a_struct())
        }
        fn serialize_newtype_struct<V: ?Sized + Serialize>(
            self,
            _: &'static str,
            v: &V,
        ) -> SerResult {
            v.serialize(self)
        }
        fn serialize_struct(
            self,
            _: &'static str,
            _: usize,
        ) -> std::result::Result<Self::SerializeStruct, SerError> {
            Ok(self)
        }
    };
}

fn not_a_struct() -> SerError {
    shape("a plain value where a record (a struct) was expected")
}

/// `numbers!(reject_number)` in [`struct_only`]: a number where a struct was expected.
trait RejectNumber: Sized {
    fn reject_number(self, _: f64) -> SerResult {
        Err(not_a_struct())
    }
}

impl<T> RejectNumber for T {}

/// The first record's field names.
struct KeyList(Vec<&'static str>);

impl ser::Serializer for &mut KeyList {
    struct_only!();
}

impl ser::SerializeStruct for &mut KeyList {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<V: ?Sized + Serialize>(&mut self, key: &'static str, _: &V) -> SerResult {
        self.0.push(key);
        Ok(())
    }
    fn end(self) -> SerResult {
        Ok(())
    }
}

/// One record written as one row: each field into the next column, `origin` into the three
/// 来源 columns.
struct RowSer<'a, 'w> {
    w: &'a mut DataWriter<'w>,
    widths: &'a mut Vec<usize>,
    row: u32,
    col: u16,
    origin_col: u16,
}

impl ser::Serializer for &mut RowSer<'_, '_> {
    struct_only!();
}

impl ser::SerializeStruct for &mut RowSer<'_, '_> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<V: ?Sized + Serialize>(&mut self, key: &'static str, v: &V) -> SerResult {
        if key == "origin" {
            return v.serialize(OriginSer {
                w: self.w,
                row: self.row,
                col: self.origin_col,
            });
        }
        let col = self.col;
        self.col += 1;
        v.serialize(CellSer {
            w: self.w,
            widths: self.widths,
            key,
            row: self.row,
            col,
        })
    }
    fn end(self) -> SerResult {
        Ok(())
    }
}

/// One field's value into one cell, shown as the old JSON route showed it: 是/否 for a flag,
/// money and quantities as numbers, `YYYY-MM-DD` text as a date, other text as text.
struct CellSer<'a, 'w> {
    w: &'a mut DataWriter<'w>,
    widths: &'a mut Vec<usize>,
    key: &'static str,
    row: u32,
    col: u16,
}

impl CellSer<'_, '_> {
    fn number(self, v: f64) -> SerResult {
        self.w
            .number(self.row, self.col, v, DataStyle::Int)
            .map_err(SerError::Write)
    }

    fn text(self, s: &str) -> SerResult {
        // 总体满意度 derived as a mean of items is a decimal score, written as a number.
        let qty = self.key == "qty" || self.key == "overall";
        let parsed = if is_money_field(self.key) || qty {
            s.parse::<rust_decimal::Decimal>().ok()
        } else {
            None
        };
        let (row, col) = (self.row, self.col);
        if let Some(d) = parsed {
            let style = if qty {
                DataStyle::Qty
            } else {
                DataStyle::Money
            };
            self.w.number(row, col, d.to_f64().unwrap_or(0.0), style)
        } else if let Some(d) = iso_date(s) {
            self.w.date(row, col, d)
        } else {
            if let Some(wd) = self.widths.get_mut(col as usize) {
                *wd = (*wd).max(format::width(s).min(40) + 2);
            }
            self.w.text(row, col, s)
        }
        .map_err(SerError::Write)
    }
}

impl ser::Serializer for CellSer<'_, '_> {
    unsupported!(Impossible<(), SerError>);
    numbers!(number);
    fn serialize_bool(self, v: bool) -> SerResult {
        let (row, col) = (self.row, self.col);
        self.w
            .text(row, col, if v { "是" } else { "否" })
            .map_err(SerError::Write)
    }
    fn serialize_char(self, v: char) -> SerResult {
        self.text(v.encode_utf8(&mut [0; 4]))
    }
    fn serialize_str(self, v: &str) -> SerResult {
        self.text(v)
    }
    fn serialize_none(self) -> SerResult {
        Ok(())
    }
    fn serialize_some<V: ?Sized + Serialize>(self, v: &V) -> SerResult {
        v.serialize(self)
    }
    fn serialize_unit(self) -> SerResult {
        Ok(())
    }
    fn serialize_unit_struct(self, _: &'static str) -> SerResult {
        Ok(())
    }
    fn serialize_unit_variant(self, _: &'static str, _: u32, variant: &'static str) -> SerResult {
        self.text(variant)
    }
    fn serialize_newtype_struct<V: ?Sized + Serialize>(self, _: &'static str, v: &V) -> SerResult {
        v.serialize(self)
    }
    fn serialize_struct(
        self,
        _: &'static str,
        _: usize,
    ) -> std::result::Result<Self::SerializeStruct, SerError> {
        Err(shape("a nested struct other than origin"))
    }
}

/// A record's `origin` into the 来源 columns: file and sheet as text, the row as a number.
struct OriginSer<'a, 'w> {
    w: &'a mut DataWriter<'w>,
    row: u32,
    col: u16,
}

impl ser::Serializer for OriginSer<'_, '_> {
    struct_only!();
}

impl ser::SerializeStruct for OriginSer<'_, '_> {
    type Ok = ();
    type Error = SerError;
    fn serialize_field<V: ?Sized + Serialize>(&mut self, key: &'static str, v: &V) -> SerResult {
        let col = match key {
            "file" => self.col,
            "sheet" => self.col + 1,
            "row" => self.col + 2,
            _ => return Ok(()),
        };
        let mut widths = Vec::new();
        v.serialize(CellSer {
            w: self.w,
            widths: &mut widths,
            key,
            row: self.row,
            col,
        })
    }
    fn end(self) -> SerResult {
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use rust_decimal_macros::dec;

    #[derive(serde::Serialize)]
    struct Rec {
        customer_name: String,
        amount: rust_decimal::Decimal,
        qty: Option<rust_decimal::Decimal>,
        order_date: chrono::NaiveDate,
        cancelled: bool,
        note: Option<String>,
        origin: crate::model::Origin,
        count: u32,
    }

    fn rec(name: &str, note: Option<&str>) -> Rec {
        Rec {
            customer_name: name.into(),
            amount: dec!(1234.5),
            qty: None,
            order_date: chrono::NaiveDate::from_ymd_opt(2024, 3, 5).unwrap(),
            cancelled: true,
            note: note.map(String::from),
            origin: crate::model::Origin {
                file: "客户.xlsx".into(),
                sheet: "销售".into(),
                row: 7,
            },
            count: 3,
        }
    }

    fn sheet(records: &[Rec]) -> Vec<Vec<Data>> {
        let mut wb = Workbook::new();
        let mut ws = wb.new_worksheet_with_constant_memory().unwrap();
        ws.set_name("数据").unwrap();
        data_sheet(&mut ws, TableId::Sales, records).unwrap();
        wb.push_worksheet(ws);
        let bytes = wb.save_to_buffer().unwrap();
        let mut x: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = x.worksheet_range("数据").unwrap();
        range.rows().map(|r| r.to_vec()).collect()
    }

    /// Each field lands in its column as the JSON route wrote it: money a number, a date a
    /// date, a flag 是/否, a blank optional nothing, text (a formula look-alike too) as text,
    /// `origin` in the three 来源 columns after the fields.
    #[test]
    fn records_are_written_field_by_field() {
        let rows = sheet(&[rec("华东公司", None), rec("=1+1", Some("备注"))]);
        let s = |v: &str| Data::String(v.into());
        assert_eq!(rows[0][0], s("客户名称"));
        // Seven fields, then 来源 (origin sits mid-struct but its columns come last).
        assert_eq!(rows[0][7..], [s("来源文件"), s("来源工作表"), s("来源行")]);
        let r = &rows[1];
        assert_eq!(r[0], s("华东公司"));
        assert_eq!(r[1], Data::Float(1234.5));
        assert_eq!(r[2], Data::Empty);
        assert!(
            matches!(&r[3], Data::DateTime(d) if d.as_f64() == 45356.0),
            "{:?}",
            r[3]
        );
        assert_eq!(r[4], s("是"));
        assert_eq!(r[5], Data::Empty);
        assert_eq!(r[6], Data::Float(3.0));
        assert_eq!(r[7..], [s("客户.xlsx"), s("销售"), Data::Float(7.0)]);
        // Text stays text: a value that looks like a formula is not one.
        assert_eq!(rows[2][0], s("=1+1"));
        assert_eq!(rows[2][5], s("备注"));
    }

    /// A record with a list field is refused by name, not written as something else.
    #[test]
    fn a_list_field_is_an_error() {
        #[derive(serde::Serialize)]
        struct Bad {
            tags: Vec<String>,
        }
        let mut wb = Workbook::new();
        let mut ws = wb.new_worksheet_with_constant_memory().unwrap();
        let e = data_sheet(
            &mut ws,
            TableId::Sales,
            &[Bad {
                tags: vec!["x".into()],
            }],
        )
        .unwrap_err();
        assert!(e.to_string().contains("a list"), "{e}");
    }

    fn sample() -> Dataset {
        let cfg = crate::config::Config::default();
        crate::model::load(&["data/sample/客户管理数据.xlsx".into()], None, &cfg).unwrap()
    }

    /// A workbook of a cover sheet and `ds`'s data sheets as the pack makes it: each sheet
    /// written in a workbook of its own (in the given order of sheets), spliced in.
    fn book(ds: &Dataset, reverse: bool, per_sheet: usize) -> Vec<u8> {
        let mut wb = super::super::xlsx::new_workbook();
        let mut sheets = DataSheets::plan_with(&mut wb, ds, per_sheet).unwrap();
        if reverse {
            sheets.reverse_order();
        }
        let parts = sheets.finish().unwrap();
        wb.add_worksheet().set_name("封面").unwrap();
        for p in &parts {
            p.stand_in(wb.add_worksheet()).unwrap();
        }
        let bytes = wb.save_to_buffer().unwrap();
        super::super::xlsx::splice_parts(&bytes, 2, &parts).unwrap()
    }

    /// Every part of a zip, decompressed, by name.
    fn parts_of(bytes: &[u8]) -> Vec<(String, Vec<u8>)> {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(bytes)).unwrap();
        (0..z.len())
            .map(|i| {
                let mut f = z.by_index(i).unwrap();
                let mut v = Vec::new();
                f.read_to_end(&mut v).unwrap();
                (f.name().unwrap().to_string(), v)
            })
            .collect()
    }

    /// The spliced workbook holds exactly the parts rust_xlsxwriter writes when the data sheets
    /// are sheets of the pack workbook itself (the way they were written before): same sheet
    /// XML (cell formats numbered alike, not selected), same workbook-level names.
    #[test]
    fn spliced_sheets_are_what_one_workbook_would_hold() {
        let ds = sample();
        let mut wb = super::super::xlsx::new_workbook();
        register_formats(&mut wb).unwrap();
        wb.add_worksheet().set_name("封面").unwrap();
        for job in jobs(&ds, ROWS_PER_SHEET) {
            let mut ws = wb.new_worksheet_with_constant_memory().unwrap();
            ws.set_name(&job.name).unwrap();
            (job.write)(&mut ws).unwrap();
            wb.push_worksheet(ws);
        }
        let whole = wb.save_to_buffer().unwrap();
        let spliced = book(&ds, false, ROWS_PER_SHEET);
        let (a, b) = (parts_of(&whole), parts_of(&spliced));
        assert_eq!(
            a.iter().map(|p| &p.0).collect::<Vec<_>>(),
            b.iter().map(|p| &p.0).collect::<Vec<_>>()
        );
        for (x, y) in a.iter().zip(&b) {
            assert!(x.1 == y.1, "{} differs", x.0);
        }
        assert!(a
            .iter()
            .any(|p| p.0 == "xl/worksheets/sheet3.xml" && p.1.len() > 100_000));
    }

    /// Sheets written in any order (as two threads write them) make the same workbook: the
    /// cell formats are numbered before any sheet is written.
    #[test]
    fn the_order_sheets_are_written_in_does_not_change_the_workbook() {
        let ds = sample();
        assert!(book(&ds, false, ROWS_PER_SHEET) == book(&ds, true, ROWS_PER_SHEET));
    }

    /// More rows than a sheet holds continue on 数据_销售明细_2 …, each with its header, none lost.
    #[test]
    fn a_table_longer_than_a_sheet_continues_on_the_next() {
        let ds = sample();
        let lines = ds.sales.as_ref().unwrap().len();
        let per = lines / 3 + 1;
        let bytes = book(&ds, false, per);
        let mut x: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let names = x.sheet_names();
        let parts: Vec<&String> = names
            .iter()
            .filter(|n| n.starts_with("数据_销售明细"))
            .collect();
        assert_eq!(
            parts,
            ["数据_销售明细", "数据_销售明细_2", "数据_销售明细_3"]
        );
        let mut total = 0;
        for p in parts {
            let r = x.worksheet_range(p).unwrap();
            assert_eq!(r.get((0, 0)), Some(&Data::String("订单号".into())), "{p}");
            total += r.height() - 1;
        }
        assert_eq!(total, lines);
        // Sheets stay in workbook order: the sales parts right after the customers.
        assert_eq!(names[1], "数据_客户信息表");
        assert_eq!(names[2], "数据_销售明细");
    }
}
