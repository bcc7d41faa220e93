//! The workbook's data sheets: the accepted input rows, one sheet per table, so a clerk can check
//! any figure with a pivot table.
//!
//! At 100,000 input rows these sheets are a quarter of a gigabyte of sheet XML, the largest piece
//! of the pack after loading. rust_xlsxwriter keeps each cell in a map, formats it with `write!`
//! and spools the rows through a temporary file before deflating the part on one thread. Here the
//! rows are written as XML straight from each record's `Serialize` impl (no JSON value, no key
//! string per cell), in pieces of a few thousand rows that are deflated each on its own, on
//! whichever thread takes the piece; a sheet's part is then its head and tail as rust_xlsxwriter
//! writes them (column widths and formats, panes, filter, print setup) around the pieces, one
//! deflate stream whose blocks end on byte boundaries (as pigz joins its pieces). The XML is
//! byte for byte what rust_xlsxwriter writes for the same cells: the tests compare the two.

use super::book_zip::{Stream, ZipOut};
use super::format;
use super::xlsx::PackBook;
use super::xlsx::{
    clip_for_cell, col_name, finish_sheet, looks_like_formula, xe, Styles, DATE, MONEY,
};
use crate::error::{Error, Result};
use crate::ingest::schema::{self, TableId};
use crate::model::Dataset;
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{ExcelDateTime, Format, FormatAlign, Workbook, Worksheet};
use serde::ser::{self, Impossible, Serialize};
use std::io::Write;
use std::path::Path;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Condvar, Mutex};

/// Excel's last row is 1,048,576: a table with more accepted rows than fit under the header row
/// (a CSV export or a year of monthly workbooks can hold more) continues on further sheets,
/// 数据_销售明细_2 and so on, rather than failing the whole workbook.
pub const ROWS_PER_SHEET: usize = 1_048_575;

/// Rows written and deflated as one piece: small enough that the sales sheet of a 100,000-line
/// book makes several pieces (both threads share it) and a piece's XML stays a few tens of MB;
/// large enough that restarting deflate's window at each piece costs nothing measurable.
const ROWS_PER_PIECE: usize = 16_384;

/// The records of one data sheet, whatever their type.
trait Records: Sync {
    fn count(&self) -> usize;
    /// The first record's field names, in declaration order.
    fn keys(&self) -> Result<Vec<&'static str>>;
    /// Records `from..to` as sheet rows `from + 1 ..` (row 0 is the header).
    fn write(&self, from: usize, to: usize, origin_col: u16, w: &mut Writer<'_>) -> Result<()>;
}

impl<T: Serialize + Sync> Records for &[T] {
    fn count(&self) -> usize {
        self.len()
    }

    fn keys(&self) -> Result<Vec<&'static str>> {
        let mut keys = KeyList(Vec::new());
        if let Some(first) = self.first() {
            first.serialize(&mut keys).map_err(SerError::into_error)?;
        }
        Ok(keys.0)
    }

    fn write(&self, from: usize, to: usize, origin_col: u16, w: &mut Writer<'_>) -> Result<()> {
        for (i, rec) in self[from..to].iter().enumerate() {
            let row = (from + i) as u32 + 1;
            rec.serialize(&mut RowSer {
                w,
                row,
                col: 0,
                origin_col,
            })
            .map_err(SerError::into_error)?;
            w.cells.end_row(row)?;
        }
        Ok(())
    }
}

/// One data sheet to write: its name, its table and its records.
struct Sheet<'a> {
    name: String,
    table: TableId,
    records: Box<dyn Records + 'a>,
}

impl Sheet<'_> {
    /// The record fields that get a column of their own (`origin` has three at the end).
    fn fields(&self) -> Result<Vec<&'static str>> {
        let mut keys = self.records.keys()?;
        keys.retain(|k| *k != "origin");
        Ok(keys)
    }

    /// The header row: each field's label, then 来源 (none for an empty table).
    fn labels(&self) -> Result<Vec<String>> {
        if self.records.count() == 0 {
            return Ok(Vec::new());
        }
        Ok(labels(self.table, &self.fields()?))
    }

    fn stand_in(&self) -> Result<StandIn> {
        Ok(StandIn {
            name: self.name.clone(),
            filter: filter_of(self.records.count(), &self.labels()?),
        })
    }
}

/// The data sheets of the accepted input rows, for every table present, in workbook order, at
/// most `per_sheet` records a sheet (an empty table still gets its sheet).
fn sheets(ds: &Dataset, per_sheet: usize) -> Vec<Sheet<'_>> {
    let mut out: Vec<Sheet<'_>> = Vec::new();
    macro_rules! add {
        ($field:ident, $name:literal, $table:expr) => {
            if let Some(rows) = &ds.$field {
                let parts: Vec<_> = if rows.is_empty() {
                    vec![&rows[..]]
                } else {
                    rows.chunks(per_sheet.max(1)).collect()
                };
                for (k, part) in parts.into_iter().enumerate() {
                    out.push(Sheet {
                        name: if k == 0 {
                            format!("数据_{}", $name)
                        } else {
                            format!("数据_{}_{}", $name, k + 1)
                        },
                        table: $table,
                        records: Box::new(part),
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

/// The header row of a sheet with these record fields: each field's label, then 来源.
fn labels(table: TableId, keys: &[&'static str]) -> Vec<String> {
    keys.iter()
        .map(|k| match field_label(table, k) {
            "" => k.to_string(),
            l => l.to_string(),
        })
        .chain(["来源文件", "来源工作表", "来源行"].map(String::from))
        .collect()
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
    let digits = |r: std::ops::Range<usize>| {
        b[r].iter().try_fold(0u32, |n, c| {
            c.is_ascii_digit().then(|| n * 10 + u32::from(c - b'0'))
        })
    };
    match (digits(0..4), digits(5..7), digits(8..10)) {
        (Some(y), Some(m), Some(d)) => chrono::NaiveDate::from_ymd_opt(y as i32, m, d),
        // Not all digits: whatever chrono makes of it.
        _ => chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d").ok(),
    }
}

/// The f64 that `Decimal::to_f64` gives for `s`, a decimal as `Decimal` prints it (an optional
/// `-`, digits, an optional `.` and digits; at most 28 digits), without building the `Decimal`:
/// every amount of a million lines arrives here as text (`Decimal` serializes as a string).
/// The arithmetic is `Decimal::as_f64`'s (rust_decimal 1.43), step for step, so the cell holds
/// the same double; any other text is `None` and goes through `Decimal`'s parser.
fn decimal_text_f64(s: &str) -> Option<f64> {
    let (neg, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s),
    };
    let (int, frac) = match body.split_once('.') {
        Some((i, f)) => (i, f),
        None => (body, ""),
    };
    if int.is_empty() || (body.len() > int.len() && frac.is_empty()) || int.len() + frac.len() > 28
    {
        return None;
    }
    let mut m: u128 = 0;
    for b in int.bytes().chain(frac.bytes()) {
        if !b.is_ascii_digit() {
            return None;
        }
        m = m * 10 + u128::from(b - b'0');
    }
    let scale = frac.len() as u32;
    if scale == 0 {
        let i = m as i128;
        return Some((if neg { -i } else { i }) as f64);
    }
    let precision = 10_u128.pow(scale);
    let frac_f64 = ((m % precision) as f64) / (precision as f64);
    let integral = (m / precision) as f64;
    let v = if frac_f64 == 0.0 {
        integral
    } else {
        let round_to = 10f64.powi(scale as i32);
        ((integral + frac_f64) * round_to).round() / round_to
    };
    Some(if neg { -v } else { v })
}

/// How a data-sheet cell is shown. A column takes the style of its first value as its column
/// format (it shows on the column's empty cells too); every cell also carries its own.
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
    /// Text that a spreadsheet could take for a formula, quote-prefixed.
    quoted: Format,
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
            date: cell
                .clone()
                .set_num_format(DATE)
                .set_align(FormatAlign::Center),
            quoted: cell.set_quote_prefix(),
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

    /// In the order [`register_formats`] numbers them: format `k` of this list is cell format
    /// (`s=`) `k + 1` in every workbook that holds data sheets (0 is the default format).
    fn all(&self) -> [&Format; 7] {
        [
            &self.header,
            &self.text,
            &self.money,
            &self.qty,
            &self.int,
            &self.date,
            &self.quoted,
        ]
    }
}

/// The cell format number (`s=`) of a style, as [`DataStyles::all`] orders the formats.
fn xf(style: DataStyle) -> u32 {
    match style {
        DataStyle::Text => 2,
        DataStyle::Money => 3,
        DataStyle::Qty => 4,
        DataStyle::Int => 5,
        DataStyle::Date => 6,
    }
}
/// The cell format number of quote-prefixed text (a formula look-alike).
const XF_QUOTED: u32 = 7;

/// Number every cell format the data sheets use in the workbook's shared format table, in a
/// fixed order, before any data sheet is written: every workbook that holds data sheets (the
/// pack's, and the one a sheet's head and tail come from) then has the same numbers, the ones
/// [`xf`] gives. A constant-memory sheet numbers a format when it writes a row with a cell in
/// it; here each format is met once on a sheet that is thrown away. Formats are numbered when a
/// row is written out, so a last blank row pushes the others out.
fn register_formats(wb: &mut Workbook) -> Result<()> {
    let st = DataStyles::new();
    let mut ws = wb.new_worksheet_with_constant_memory().map_err(xe)?;
    let formats = st.all();
    for (r, f) in formats.iter().enumerate() {
        ws.write_blank(r as u32, 0, f).map_err(xe)?;
    }
    ws.write_number(formats.len() as u32, 0, 0.0).map_err(xe)?;
    Ok(())
}

/// Where a data sheet's cells go: the sheet XML ([`XmlRows`]), or (in the tests) a
/// rust_xlsxwriter sheet that the XML is compared with.
trait Cells {
    fn number(&mut self, row: u32, col: u16, v: f64, style: DataStyle) -> Result<()>;
    /// Non-empty text, already cut to the cell limit; `quoted` when it looks like a formula.
    fn text(&mut self, row: u32, col: u16, s: &str, quoted: bool) -> Result<()>;
    /// Cells written while `on` belong after the row's other cells (the 来源 columns come last,
    /// though `origin` is declared mid-record).
    fn defer(&mut self, on: bool);
    fn end_row(&mut self, row: u32) -> Result<()>;
}

/// What the rows of a sheet (or of a piece of one) tell the sheet's head: the style of each
/// column's first value and the width each column needs.
#[derive(Default)]
struct Columns {
    styles: Vec<Option<DataStyle>>,
    widths: Vec<usize>,
}

impl Columns {
    fn see(&mut self, col: u16, style: DataStyle) {
        let c = col as usize;
        if self.styles.len() <= c {
            self.styles.resize(c + 1, None);
        }
        self.styles[c].get_or_insert(style);
    }

    fn widen(&mut self, col: u16, w: usize) {
        let c = col as usize;
        if self.widths.len() <= c {
            self.widths.resize(c + 1, 0);
        }
        self.widths[c] = self.widths[c].max(w);
    }

    /// Widen `col` for text `s` (at most 40 wide, plus a margin). A character takes no more
    /// columns than its UTF-8 bytes (a double-width one takes three or four bytes), so text whose
    /// byte length already fits is not measured: most cells of a long column are not.
    fn widen_to_text(&mut self, col: u16, s: &str) {
        let fits = self
            .widths
            .get(col as usize)
            .is_some_and(|&w| s.len().min(40) + 2 <= w);
        if !fits {
            self.widen(col, format::width(s).min(40) + 2);
        }
    }

    /// `later`'s findings after this one's (the rows of `later` come after).
    fn merge(&mut self, later: &Columns) {
        for (c, s) in later.styles.iter().enumerate() {
            if let Some(s) = s {
                self.see(c as u16, *s);
            }
        }
        for (c, &w) in later.widths.iter().enumerate() {
            self.widen(c as u16, w);
        }
    }
}

/// Cells of one record after another: the rules of what a value becomes, shared by every sink.
struct Writer<'c> {
    cells: &'c mut dyn Cells,
    cols: Columns,
}

impl Writer<'_> {
    fn number(&mut self, row: u32, col: u16, v: f64, style: DataStyle) -> Result<()> {
        self.cols.see(col, style);
        if v.is_finite() {
            self.cells.number(row, col, v, style)?;
        }
        Ok(())
    }

    /// Text from the clerk's data: cut to the cell limit, quote-prefixed when a spreadsheet could
    /// take it for a formula; empty text is no cell.
    fn text(&mut self, row: u32, col: u16, s: &str) -> Result<()> {
        self.cols.see(col, DataStyle::Text);
        let s = clip_for_cell(s);
        if !s.is_empty() {
            self.cells.text(row, col, &s, looks_like_formula(&s))?;
        }
        Ok(())
    }

    fn date(&mut self, row: u32, col: u16, d: chrono::NaiveDate) -> Result<()> {
        let serial = match excel_serial(d) {
            Some(n) => n,
            // Before 1900-03-01 Excel's serials are off by its 1900 leap-year bug: rust_xlsxwriter
            // knows the rule (and refuses dates before 1900).
            None => ExcelDateTime::parse_from_str(&d.to_string())
                .map_err(xe)?
                .to_excel(),
        };
        self.number(row, col, serial, DataStyle::Date)
    }
}

/// Excel's serial day number of `d` (1900 date system), for dates from 1900-03-01 on.
fn excel_serial(d: chrono::NaiveDate) -> Option<f64> {
    use chrono::Datelike;
    // Days from 0001-01-01 (day 1) of 1899-12-30, serial 0, and of 1900-03-01, serial 61: fixed
    // numbers rather than two dates built for every cell (a test checks them against chrono).
    const EPOCH_CE: i32 = 693_594;
    const FROM_CE: i32 = 693_655;
    let n = d.num_days_from_ce();
    (n >= FROM_CE).then(|| f64::from(n - EPOCH_CE))
}

/// Sheet rows as the XML rust_xlsxwriter writes for them in a constant-memory sheet: a `<row>`
/// per row with cells, each cell with its reference and format, strings inline. The XML goes
/// to the deflater a block at a time, while the block is still in the cache.
struct XmlRows {
    out: Vec<u8>,
    z: Deflater,
    /// The deferred cells of the current row.
    tail: Vec<u8>,
    deferred: bool,
    /// The row whose `<row>` is open.
    open: Option<u32>,
    /// Its number as printed (every cell's reference ends with it): `digits[at..]`.
    digits: [u8; 10],
    at: usize,
    /// Column letters by column.
    names: Vec<String>,
}

impl XmlRows {
    fn new() -> XmlRows {
        XmlRows {
            out: Vec::with_capacity(XML_BLOCK + 64 * 1024),
            z: Deflater::new(),
            tail: Vec::new(),
            deferred: false,
            open: None,
            digits: [0; 10],
            at: 10,
            names: Vec::new(),
        }
    }

    /// `<row r="7">`, unless that row is open already.
    fn open_row(&mut self, row: u32) {
        if self.open != Some(row) {
            self.at = print_u32(&mut self.digits, row + 1);
            self.out.extend_from_slice(b"<row r=\"");
            self.out.extend_from_slice(&self.digits[self.at..]);
            self.out.extend_from_slice(b"\">");
            self.open = Some(row);
        }
    }

    /// Start a cell: `<c r="B7" s="2"` (the row opened first if need be).
    fn start(&mut self, row: u32, col: u16, xf: u32) {
        self.open_row(row);
        let c = col as usize;
        while self.names.len() <= c {
            self.names.push(col_name(self.names.len() as u16));
        }
        let buf = if self.deferred {
            &mut self.tail
        } else {
            &mut self.out
        };
        buf.extend_from_slice(b"<c r=\"");
        buf.extend_from_slice(self.names[c].as_bytes());
        buf.extend_from_slice(&self.digits[self.at..]);
        buf.extend_from_slice(b"\" s=\"");
        push_u32(buf, xf);
        buf.push(b'"');
    }

    fn buf(&mut self) -> &mut Vec<u8> {
        if self.deferred {
            &mut self.tail
        } else {
            &mut self.out
        }
    }
}

impl Cells for XmlRows {
    fn number(&mut self, row: u32, col: u16, v: f64, style: DataStyle) -> Result<()> {
        self.start(row, col, xf(style));
        let buf = self.buf();
        buf.extend_from_slice(b"><v>");
        push_f64(buf, v);
        buf.extend_from_slice(b"</v></c>");
        Ok(())
    }

    fn text(&mut self, row: u32, col: u16, s: &str, quoted: bool) -> Result<()> {
        self.start(
            row,
            col,
            if quoted {
                XF_QUOTED
            } else {
                xf(DataStyle::Text)
            },
        );
        let buf = self.buf();
        buf.extend_from_slice(b" t=\"inlineStr\"><is><t");
        if s.starts_with(['\t', '\n', ' ']) || s.ends_with(['\t', '\n', ' ']) {
            buf.extend_from_slice(b" xml:space=\"preserve\"");
        }
        buf.push(b'>');
        push_escaped(buf, s);
        buf.extend_from_slice(b"</t></is></c>");
        Ok(())
    }

    fn defer(&mut self, on: bool) {
        self.deferred = on;
    }

    fn end_row(&mut self, row: u32) -> Result<()> {
        if !self.tail.is_empty() {
            // Already open, unless the deferred cells are the row's only ones.
            self.open_row(row);
        }
        if self.open == Some(row) {
            self.out.append(&mut self.tail);
            self.out.extend_from_slice(b"</row>");
        }
        self.open = None;
        self.deferred = false;
        if self.out.len() >= XML_BLOCK {
            self.z.feed(&self.out, flate2::FlushCompress::None)?;
            self.out.clear();
        }
        Ok(())
    }
}

/// How much sheet XML is deflated at a time.
const XML_BLOCK: usize = 256 * 1024;

fn push_u32(buf: &mut Vec<u8>, n: u32) {
    let mut digits = [0u8; 10];
    let at = print_u32(&mut digits, n);
    buf.extend_from_slice(&digits[at..]);
}

/// `n` in decimal at the end of `digits`; returns where it starts.
fn print_u32(digits: &mut [u8; 10], mut n: u32) -> usize {
    let mut i = digits.len();
    loop {
        i -= 1;
        digits[i] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    i
}

/// A number as rust_xlsxwriter writes it (Rust's `Display` for f64: shortest round-trip digits,
/// never an exponent); whole numbers, the most common, without the float formatter.
fn push_f64(buf: &mut Vec<u8>, v: f64) {
    if v.fract() == 0.0 && v.abs() < 4e9 && !(v == 0.0 && v.is_sign_negative()) {
        if v < 0.0 {
            buf.push(b'-');
        }
        push_u32(buf, v.abs() as u32);
    } else {
        // Writing to a Vec cannot fail.
        let _ = write!(buf, "{v}");
    }
}

/// Text as cell XML, as rust_xlsxwriter escapes it: a literal `_xHHHH_` gets its underscore
/// escaped (`_x005F_xHHHH_`, else Excel would read it as an escape), then `&`, `<`, `>` become
/// entities and control characters (other than tab and line feed) and U+FFFE/U+FFFF become
/// `_xHHHH_`.
fn push_escaped(buf: &mut Vec<u8>, s: &str) {
    let b = s.as_bytes();
    let mut run = 0;
    let mut i = 0;
    while i < b.len() {
        let c = b[i];
        let rep: Option<&[u8]> = match c {
            b'&' => Some(b"&amp;"),
            b'<' => Some(b"&lt;"),
            b'>' => Some(b"&gt;"),
            b'_' if escape_sequence_at(b, i) => {
                // The literal underscore itself, then the rest of the sequence as it is.
                Some(b"_x005F_")
            }
            0x00..=0x08 | 0x0B..=0x1F => None,
            0xEF if b.get(i + 1) == Some(&0xBF) && matches!(b.get(i + 2), Some(0xBE | 0xBF)) => {
                None
            }
            _ => {
                i += 1;
                continue;
            }
        };
        buf.extend_from_slice(&b[run..i]);
        match rep {
            Some(r) => {
                buf.extend_from_slice(r);
                i += 1;
            }
            None if c == 0xEF => {
                buf.extend_from_slice(if b[i + 2] == 0xBE {
                    b"_xFFFE_"
                } else {
                    b"_xFFFF_"
                });
                i += 3;
            }
            None => {
                const HEX: &[u8; 16] = b"0123456789ABCDEF";
                buf.extend_from_slice(b"_x00");
                buf.push(HEX[(c >> 4) as usize]);
                buf.push(HEX[(c & 15) as usize]);
                buf.push(b'_');
                i += 1;
            }
        }
        run = i;
    }
    buf.extend_from_slice(&b[run..]);
}

/// `_xHHHH_` (four hex digits) starts at `i`.
fn escape_sequence_at(b: &[u8], i: usize) -> bool {
    b.len() >= i + 7
        && b[i + 1] == b'x'
        && b[i + 2..i + 6].iter().all(u8::is_ascii_hexdigit)
        && b[i + 6] == b'_'
}

/// One piece of a sheet, written and deflated: a run of deflate blocks that ends on a byte
/// boundary and is not the stream's last, so pieces join by concatenation.
struct Piece {
    z: Deflated,
    cols: Columns,
}

/// Which rows of which sheet a piece holds.
struct PieceSpec {
    sheet: usize,
    from: usize,
    to: usize,
}

impl Piece {
    fn write(sheet: &Sheet<'_>, origin_col: u16, from: usize, to: usize) -> Result<Piece> {
        let mut xml = XmlRows::new();
        let cols = {
            let mut w = Writer {
                cells: &mut xml,
                cols: Columns::default(),
            };
            sheet.records.write(from, to, origin_col, &mut w)?;
            w.cols
        };
        xml.z.feed(&xml.out, flate2::FlushCompress::Sync)?;
        Ok(Piece {
            z: xml.z.done,
            cols,
        })
    }
}

/// The data sheets' deflate level. Measured on the sales sheet of a 100,000-line book (109 MB
/// of XML, zlib-rs): level 3 0.39 s and 12.6 MB, level 2 0.28 s and 13.6 MB, level 1 0.16 s but
/// 17.9 MB. Deflate is most of the data sheets' time, and they are most of the workbook's bytes:
/// level 2 takes a quarter off that time for 8% more bytes (the report sheets use it too, see
/// `xlsx::new_workbook`).
const LEVEL: u32 = 2;

/// Part of a deflate stream (raw, no zlib header) with the CRC-32 and length of what went in.
struct Deflated {
    out: Vec<u8>,
    crc: crc32fast::Hasher,
    len: u64,
}

/// A deflater and what it has written (the deflater's tables are dropped once a part is done).
struct Deflater {
    z: flate2::Compress,
    done: Deflated,
}

impl Deflater {
    fn new() -> Deflater {
        Deflater {
            z: flate2::Compress::new(flate2::Compression::new(LEVEL), false),
            done: Deflated {
                out: Vec::new(),
                crc: crc32fast::Hasher::new(),
                len: 0,
            },
        }
    }

    /// Deflate `data`. `Sync` ends the output on a byte boundary with an empty stored block (so
    /// more blocks, from another deflater, can follow); `Finish` ends the stream.
    fn feed(&mut self, data: &[u8], flush: flate2::FlushCompress) -> Result<()> {
        use flate2::{FlushCompress, Status};
        let done = &mut self.done;
        done.crc.update(data);
        done.len += data.len() as u64;
        let start = self.z.total_in();
        loop {
            if done.out.capacity() - done.out.len() < 16 * 1024 {
                done.out.reserve(done.out.capacity().max(64 * 1024));
            }
            let read = (self.z.total_in() - start) as usize;
            let status = self
                .z
                .compress_vec(&data[read..], &mut done.out, flush)
                .map_err(|e| Error::Render(format!("deflate: {e}")))?;
            let consumed = (self.z.total_in() - start) as usize == data.len();
            // A flush is complete when it left room in the output; the last one says so itself.
            let finished = match flush {
                FlushCompress::Finish => status == Status::StreamEnd,
                FlushCompress::None => consumed,
                _ => consumed && done.out.len() < done.out.capacity(),
            };
            if finished {
                return Ok(());
            }
        }
    }

    /// `data` deflated on its own, ending the stream when `last`.
    fn whole(data: &[u8], last: bool) -> Result<Deflated> {
        let mut d = Deflater::new();
        let flush = if last {
            flate2::FlushCompress::Finish
        } else {
            flate2::FlushCompress::Sync
        };
        d.feed(data, flush)?;
        Ok(d.done)
    }
}

/// The part of the second sheet of a workbook: the sheet that [`frame`] writes after an empty
/// first one (so that its sheet XML is a non-first sheet's, as in the pack workbook).
const PART_IN_ZIP: &str = "xl/worksheets/sheet2.xml";

/// The head and tail of a data sheet as rust_xlsxwriter writes them: the sheet with its header
/// row (or empty, for an empty table) and everything the rows decide (column widths and
/// formats), frozen header, autofilter and print setup, without the data rows.
fn frame(sheet: &Sheet<'_>, labels: &[String], cols: &Columns) -> Result<Vec<u8>> {
    let mut wb = super::xlsx::new_workbook();
    register_formats(&mut wb)?;
    wb.add_worksheet();
    let mut ws = wb.new_worksheet_with_constant_memory().map_err(xe)?;
    ws.set_name(&sheet.name).map_err(xe)?;
    head(&mut ws, labels)?;
    settings(&mut ws, sheet.records.count(), labels, cols)?;
    wb.push_worksheet(ws);
    let zip = wb.save_to_buffer().map_err(xe)?;
    let ze = |e: zip::result::ZipError| Error::Render(format!("xlsx zip: {e}"));
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).map_err(ze)?;
    let mut part = z.by_name(PART_IN_ZIP).map_err(ze)?;
    let mut xml = Vec::new();
    std::io::Read::read_to_end(&mut part, &mut xml)
        .map_err(|e| Error::Render(format!("xlsx zip: {e}")))?;
    Ok(xml)
}

/// The header row (none for an empty table).
fn head(ws: &mut Worksheet, labels: &[String]) -> Result<()> {
    let st = DataStyles::new();
    for (c, l) in labels.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, l, &st.header)
            .map_err(xe)?;
    }
    Ok(())
}

/// The last row and column of a sheet's autofilter: the header and every record.
fn filter_of(records: usize, labels: &[String]) -> Option<(u32, u16)> {
    (records > 0).then(|| (records as u32, labels.len() as u16 - 1))
}

/// What the rows decide of a sheet, and the settings every data sheet has: column formats (the
/// style of each column's first value) and widths (the label's or the longest text's, to 40),
/// the header row frozen, filtered and repeated on each printed page, A4 landscape.
fn settings(ws: &mut Worksheet, records: usize, labels: &[String], cols: &Columns) -> Result<()> {
    let Some(filter) = filter_of(records, labels) else {
        return finish_sheet(ws, &[], true);
    };
    let st = DataStyles::new();
    for (c, s) in cols.styles.iter().enumerate() {
        if let Some(s) = s {
            ws.set_column_format(c as u16, st.of(*s)).map_err(xe)?;
        }
    }
    let fields = labels.len() - 3;
    let widths: Vec<usize> = labels
        .iter()
        .enumerate()
        .map(|(c, l)| {
            let own = if c < fields { format::width(l) + 2 } else { 12 };
            own.max(cols.widths.get(c).copied().unwrap_or(0))
        })
        .collect();
    ws.set_freeze_panes(1, 0).map_err(xe)?;
    ws.autofilter(0, 0, filter.0, filter.1).map_err(xe)?;
    ws.set_repeat_rows(0, 0).map_err(xe)?;
    finish_sheet(ws, &widths, true)
}

/// The sheet XML of `frame` with the rows' dimension: `<dimension ref="A1:Z1"/>` of the header
/// alone becomes the header and `records` rows.
fn with_dimension(frame: &[u8], records: usize, labels: &[String]) -> Result<Vec<u8>> {
    let open = b"<dimension ref=\"";
    let bad = || Error::Render("数据工作表 (data sheet): unexpected sheet XML".into());
    let at = memchr::memmem::find(frame, open).ok_or_else(bad)? + open.len();
    let end = at + memchr::memchr(b'"', &frame[at..]).ok_or_else(bad)?;
    let last = labels.len().saturating_sub(1) as u16;
    let mut out = Vec::with_capacity(frame.len() + 16);
    out.extend_from_slice(&frame[..at]);
    out.extend_from_slice(format!("A1:{}{}", col_name(last), records + 1).as_bytes());
    out.extend_from_slice(&frame[end..]);
    Ok(out)
}

/// The data sheets of the accepted input rows, so a clerk can check any figure with a pivot
/// table. Their rows are written and deflated in pieces by [`DataSheets::work`] on as many
/// threads as call it; the thread that writes a sheet's last piece puts the sheet together
/// ([`DataSheetPart`]), and [`DataSheets::write_workbook`] streams each sheet into the pack
/// workbook's file as soon as it is together, while later sheets are still being written.
/// They need only the records, so they are written beside the statistics and the PDF.
pub struct DataSheets<'a> {
    /// In workbook order.
    sheets: Vec<Sheet<'a>>,
    /// Each sheet's written part, once its last piece is written; `ready` tells the writer.
    parts: Mutex<Vec<Option<Result<DataSheetPart>>>>,
    ready: Condvar,
    /// How many pieces of each sheet are not written yet.
    left: Vec<AtomicUsize>,
    /// Pieces in workbook order, a sheet's in row order; every sheet has at least one.
    specs: Vec<PieceSpec>,
    pieces: Vec<Mutex<Option<Result<Piece>>>>,
    /// Sheets in the order they are written and stored in the zip: the most rows first (the
    /// longest job first; the last pieces to be written are then small ones), ties in workbook
    /// order.
    file_order: Vec<usize>,
    /// Indices into `specs`: each sheet's pieces in row order, the sheets in `file_order`, so
    /// sheets are put together (and can be stored) one after another.
    order: Vec<usize>,
    next: AtomicUsize,
    /// Threads inside [`DataSheets::work`].
    active: AtomicUsize,
    /// No more pieces are to be started: a thread panicked while writing one (its sheet will
    /// never be put together), or the workbook could not be written.
    stop: AtomicBool,
}

/// What the pack workbook itself holds of a data sheet: its name, and the last row and column
/// of its autofilter (`None` for an empty table), which the workbook names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StandIn {
    pub name: String,
    pub filter: Option<(u32, u16)>,
}

impl StandIn {
    /// Give `ws` (an empty sheet of the pack workbook standing in for the data sheet) the
    /// sheet's name, autofilter and repeated header row.
    ///
    /// # Errors
    /// rust_xlsxwriter refuses the name or range.
    pub fn apply(&self, ws: &mut Worksheet) -> Result<()> {
        ws.set_name(&self.name).map_err(xe)?;
        if let Some((last_row, last_col)) = self.filter {
            ws.autofilter(0, 0, last_row, last_col).map_err(xe)?;
            ws.set_repeat_rows(0, 0).map_err(xe)?;
        }
        Ok(())
    }
}

/// One data sheet, written: what its place in the pack workbook needs (its name, the range of
/// its autofilter, which the workbook names) and its sheet part, one deflate stream in pieces.
pub struct DataSheetPart {
    pub stand_in: StandIn,
    parts: Vec<Deflated>,
    crc: u32,
    len: u64,
}

impl DataSheetPart {
    /// Put a sheet together from its written pieces, in order.
    fn assemble(sheet: &Sheet<'_>, pieces: Vec<Piece>) -> Result<DataSheetPart> {
        let records = sheet.records.count();
        let labels = sheet.labels()?;
        let mut cols = Columns::default();
        for p in &pieces {
            cols.merge(&p.cols);
        }
        let frame = frame(sheet, &labels, &cols)?;
        // The sheet's deflate stream: the head, each piece, the tail (or the whole empty sheet).
        let mut parts: Vec<Deflated> = Vec::with_capacity(pieces.len() + 2);
        if records == 0 {
            parts.push(Deflater::whole(&frame, true)?);
        } else {
            let xml = with_dimension(&frame, records, &labels)?;
            let split = memchr::memmem::find(&xml, b"</sheetData>").ok_or_else(|| {
                Error::Render("数据工作表 (data sheet): no sheetData in the sheet XML".into())
            })?;
            let (front, back) = xml.split_at(split);
            parts.push(Deflater::whole(front, false)?);
            parts.extend(pieces.into_iter().map(|p| p.z));
            parts.push(Deflater::whole(back, true)?);
        }
        let mut crc = crc32fast::Hasher::new();
        let mut len = 0;
        for p in &parts {
            crc.combine(&p.crc);
            len += p.len;
        }
        Ok(DataSheetPart {
            stand_in: sheet.stand_in()?,
            parts,
            crc: crc.finalize(),
            len,
        })
    }

    /// The part as the zip entry `name` of `zip`.
    fn add_to(&self, zip: &mut ZipOut<'_>, name: &str) -> Result<()> {
        let pieces: Vec<&[u8]> = self.parts.iter().map(|p| &p.out[..]).collect();
        zip.add_deflated(
            name,
            &Stream {
                pieces: &pieces,
                crc: self.crc,
                len: self.len,
            },
        )
    }

    /// The sheet XML, inflated again (for the tests).
    #[cfg(test)]
    fn xml(&self) -> Vec<u8> {
        let joined: Vec<u8> = self.parts.iter().flat_map(|p| p.out.clone()).collect();
        let mut xml = Vec::new();
        std::io::Read::read_to_end(
            &mut flate2::read::DeflateDecoder::new(&joined[..]),
            &mut xml,
        )
        .unwrap();
        assert_eq!(xml.len() as u64, self.len);
        let mut crc = crc32fast::Hasher::new();
        crc.update(&xml);
        assert_eq!(crc.finalize(), self.crc);
        xml
    }
}

impl<'a> DataSheets<'a> {
    /// The data sheets of `ds`, to be written. `wb` (the pack workbook) numbers the data sheets'
    /// cell formats first, as [`xf`] expects (see [`register_formats`]).
    ///
    /// # Errors
    /// rust_xlsxwriter refuses the formats.
    pub fn plan(wb: &mut Workbook, ds: &'a Dataset) -> Result<DataSheets<'a>> {
        Self::plan_with(wb, sheets(ds, ROWS_PER_SHEET), ROWS_PER_PIECE)
    }

    fn plan_with(
        wb: &mut Workbook,
        sheets: Vec<Sheet<'a>>,
        per_piece: usize,
    ) -> Result<DataSheets<'a>> {
        register_formats(wb)?;
        let mut specs = Vec::new();
        let mut left = Vec::new();
        let mut first_piece = Vec::new();
        for (k, s) in sheets.iter().enumerate() {
            let n = s.records.count();
            let before = specs.len();
            first_piece.push(before);
            let mut from = 0;
            loop {
                let to = (from + per_piece.max(1)).min(n);
                specs.push(PieceSpec { sheet: k, from, to });
                from = to;
                if from >= n {
                    break;
                }
            }
            left.push(AtomicUsize::new(specs.len() - before));
        }
        let mut file_order: Vec<usize> = (0..sheets.len()).collect();
        file_order.sort_by_key(|&k| std::cmp::Reverse(sheets[k].records.count()));
        let order = file_order
            .iter()
            .flat_map(|&k| first_piece[k]..first_piece[k] + left[k].load(Ordering::Relaxed))
            .collect();
        Ok(DataSheets {
            parts: Mutex::new(sheets.iter().map(|_| None).collect()),
            ready: Condvar::new(),
            left,
            pieces: specs.iter().map(|_| Mutex::new(None)).collect(),
            sheets,
            specs,
            file_order,
            order,
            next: AtomicUsize::new(0),
            active: AtomicUsize::new(0),
            stop: AtomicBool::new(false),
        })
    }

    /// What the pack workbook holds of each data sheet, in workbook order: known before any
    /// sheet is written, so the workbook's own sheets can be written meanwhile.
    ///
    /// # Errors
    /// A record is not a struct of plain fields.
    pub fn stand_ins(&self) -> Result<Vec<StandIn>> {
        self.sheets.iter().map(Sheet::stand_in).collect()
    }

    /// Write pieces until none is left to start. Any number of threads may call this at once:
    /// each piece is written by one of them, and the workbook is the same whichever it was.
    pub fn work(&self) {
        let _busy = Busy::enter(self);
        while !self.stop.load(Ordering::Acquire) {
            let i = self.next.fetch_add(1, Ordering::Relaxed);
            let Some(&k) = self.order.get(i) else {
                return;
            };
            let spec = &self.specs[k];
            let sheet = &self.sheets[spec.sheet];
            let piece = sheet
                .fields()
                .and_then(|fields| Piece::write(sheet, fields.len() as u16, spec.from, spec.to));
            *lock(&self.pieces[k]) = Some(piece);
            // The thread that writes a sheet's last piece puts the sheet together.
            if self.left[spec.sheet].fetch_sub(1, Ordering::AcqRel) == 1 {
                let part = self.assemble(spec.sheet);
                lock(&self.parts)[spec.sheet] = Some(part);
                self.ready.notify_all();
            }
        }
    }

    /// Sheet `k` from its pieces, all written.
    fn assemble(&self, k: usize) -> Result<DataSheetPart> {
        let mut own = Vec::new();
        for (spec, slot) in self.specs.iter().zip(&self.pieces) {
            if spec.sheet == k {
                own.push(lock(slot).take().unwrap_or_else(unwritten)?);
            }
        }
        DataSheetPart::assemble(&self.sheets[k], own)
    }

    /// Sheet `k`'s part: at once if it is together, else once the threads writing pieces have
    /// put it together (written here if no thread is writing pieces).
    fn take(&self, k: usize) -> Result<DataSheetPart> {
        let mut parts = lock(&self.parts);
        loop {
            if let Some(part) = parts[k].take() {
                return part;
            }
            if self.stop.load(Ordering::Acquire) {
                return unwritten();
            }
            // `active` changes under the lock of `parts` (see `Busy`): no wake-up is missed.
            if self.active.load(Ordering::Acquire) == 0 {
                if self.next.load(Ordering::Relaxed) >= self.order.len() {
                    return unwritten();
                }
                drop(parts);
                self.work();
                parts = lock(&self.parts);
                continue;
            }
            parts = self.ready.wait(parts).unwrap_or_else(|e| e.into_inner());
        }
    }

    /// The pack workbook into `out` (the file at `path`): `book`'s own parts as they are, then
    /// each data sheet in place of its stand-in, stored as soon as it is together (any pieces
    /// not yet started are written here if no other thread is writing them).
    ///
    /// # Errors
    /// The sheets are not the ones the book's stand-ins stand for, a record has a shape the
    /// sheets do not write, the workbook would pass 4 GB, or `out` fails; the other threads
    /// then start no more pieces.
    pub fn write_workbook(&self, book: PackBook, out: &mut dyn Write, path: &Path) -> Result<()> {
        let written = self.stream(book, out, path);
        if written.is_err() {
            self.stop.store(true, Ordering::Release);
        }
        written
    }

    fn stream(&self, book: PackBook, out: &mut dyn Write, path: &Path) -> Result<()> {
        if book.stand_ins != self.stand_ins()? {
            return Err(Error::Render(
                "数据工作表与工作簿不符 (the data sheets are not those the workbook stands in for)"
                    .into(),
            ));
        }
        let first = book.first;
        let name = |k: usize| format!("xl/worksheets/sheet{}.xml", first + k);
        let stand_in = |n: &[u8]| {
            std::str::from_utf8(n)
                .ok()
                .and_then(|n| n.strip_prefix("xl/worksheets/sheet"))
                .and_then(|n| n.strip_suffix(".xml"))
                .and_then(|n| n.parse::<usize>().ok())
                .and_then(|n| n.checked_sub(first))
                .is_some_and(|k| k < self.sheets.len())
        };
        let mut zip = ZipOut::new(out, path);
        zip.copy_entries(&book.bytes, stand_in)?;
        drop(book);
        for &k in &self.file_order {
            // Stored, then freed, one sheet at a time.
            self.take(k)?.add_to(&mut zip, &name(k))?;
        }
        zip.finish()
    }

    /// The written sheets in workbook order (any pieces not yet written are written here), or
    /// the first error in that order.
    #[cfg(test)]
    fn finish(self) -> Result<Vec<DataSheetPart>> {
        self.work();
        self.parts
            .into_inner()
            .unwrap_or_else(|e| e.into_inner())
            .into_iter()
            // `work` above took every piece, and a sheet is missing only inside `work`.
            .map(|m| m.unwrap_or_else(unwritten))
            .collect()
    }

    #[cfg(test)]
    fn reverse_order(&mut self) {
        self.order.reverse();
    }
}

/// A thread inside [`DataSheets::work`], counted in `active` while it is; one that leaves by a
/// panic stops the others starting pieces, and the writer waiting for its sheet gives up.
struct Busy<'s, 'a>(&'s DataSheets<'a>);

impl<'s, 'a> Busy<'s, 'a> {
    fn enter(sheets: &'s DataSheets<'a>) -> Busy<'s, 'a> {
        let _parts = lock(&sheets.parts);
        sheets.active.fetch_add(1, Ordering::AcqRel);
        Busy(sheets)
    }
}

impl Drop for Busy<'_, '_> {
    fn drop(&mut self) {
        let s = self.0;
        if std::thread::panicking() {
            s.stop.store(true, Ordering::Release);
        }
        let parts = lock(&s.parts);
        s.active.fetch_sub(1, Ordering::AcqRel);
        drop(parts);
        s.ready.notify_all();
    }
}

fn unwritten<T>() -> Result<T> {
    Err(Error::Render(
        "数据工作表未写完 (a data sheet was left unwritten)".into(),
    ))
}

/// A slot's lock; a panic on another thread while it held the lock leaves the slot as it was
/// (that panic reaches the caller through the thread's join).
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
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
struct RowSer<'a, 'c> {
    w: &'a mut Writer<'c>,
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
            self.w.cells.defer(true);
            let r = v.serialize(OriginSer {
                w: self.w,
                row: self.row,
                col: self.origin_col,
            });
            self.w.cells.defer(false);
            return r;
        }
        let col = self.col;
        self.col += 1;
        v.serialize(CellSer {
            w: self.w,
            key,
            row: self.row,
            col,
            widen: true,
        })
    }
    fn end(self) -> SerResult {
        Ok(())
    }
}

/// One field's value into one cell, shown as the old JSON route showed it: 是/否 for a flag,
/// money and quantities as numbers, `YYYY-MM-DD` text as a date, other text as text.
struct CellSer<'a, 'c> {
    w: &'a mut Writer<'c>,
    key: &'static str,
    row: u32,
    col: u16,
    /// Whether text widens the column (the 来源 columns keep their width).
    widen: bool,
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
            decimal_text_f64(s).or_else(|| {
                s.parse::<rust_decimal::Decimal>()
                    .ok()
                    .map(|d| d.to_f64().unwrap_or(0.0))
            })
        } else {
            None
        };
        let (row, col) = (self.row, self.col);
        if let Some(v) = parsed {
            let style = if qty {
                DataStyle::Qty
            } else {
                DataStyle::Money
            };
            self.w.number(row, col, v, style)
        } else if let Some(d) = iso_date(s) {
            self.w.date(row, col, d)
        } else {
            if self.widen {
                self.w.cols.widen_to_text(col, s);
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
    /// Dates and amounts arrive as `Display` values: printed on the stack, not into a `String`
    /// per cell (serde's default).
    fn collect_str<V: ?Sized + std::fmt::Display>(self, v: &V) -> SerResult {
        let mut buf = StackText::default();
        if std::fmt::Write::write_fmt(&mut buf, format_args!("{v}")).is_ok() {
            if let Some(s) = buf.as_str() {
                return self.text(s);
            }
        }
        self.text(&v.to_string())
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

/// Short text printed on the stack; a longer one does not fit (and is printed into a `String`).
struct StackText {
    buf: [u8; 64],
    len: usize,
}

impl Default for StackText {
    fn default() -> StackText {
        StackText {
            buf: [0; 64],
            len: 0,
        }
    }
}

impl StackText {
    fn as_str(&self) -> Option<&str> {
        std::str::from_utf8(&self.buf[..self.len]).ok()
    }
}

impl std::fmt::Write for StackText {
    fn write_str(&mut self, s: &str) -> std::fmt::Result {
        let end = self.len + s.len();
        let dst = self.buf.get_mut(self.len..end).ok_or(std::fmt::Error)?;
        dst.copy_from_slice(s.as_bytes());
        self.len = end;
        Ok(())
    }
}

/// A record's `origin` into the 来源 columns: file and sheet as text, the row as a number.
struct OriginSer<'a, 'c> {
    w: &'a mut Writer<'c>,
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
        v.serialize(CellSer {
            w: self.w,
            key,
            row: self.row,
            col,
            widen: false,
        })
    }
    fn end(self) -> SerResult {
        Ok(())
    }
}

/// The cells of a sheet written by rust_xlsxwriter, one call per cell with the cell's format:
/// the reference the XML of [`XmlRows`] is compared with.
#[cfg(test)]
struct SheetCells<'w> {
    ws: &'w mut Worksheet,
    st: DataStyles,
}

#[cfg(test)]
impl Cells for SheetCells<'_> {
    fn number(&mut self, row: u32, col: u16, v: f64, style: DataStyle) -> Result<()> {
        self.ws
            .write_number_with_format(row, col, v, self.st.of(style))
            .map_err(xe)?;
        Ok(())
    }
    fn text(&mut self, row: u32, col: u16, s: &str, quoted: bool) -> Result<()> {
        let f = if quoted {
            &self.st.quoted
        } else {
            &self.st.text
        };
        self.ws
            .write_string_with_format(row, col, s, f)
            .map_err(xe)?;
        Ok(())
    }
    fn defer(&mut self, _: bool) {}
    fn end_row(&mut self, _: u32) -> Result<()> {
        Ok(())
    }
}

/// `sheet` written whole by rust_xlsxwriter on `ws` (a constant-memory sheet).
#[cfg(test)]
fn reference_sheet(ws: &mut Worksheet, sheet: &Sheet<'_>) -> Result<()> {
    let keys: Vec<_> = sheet
        .records
        .keys()?
        .into_iter()
        .filter(|k| *k != "origin")
        .collect();
    let n = sheet.records.count();
    let labels = if n == 0 {
        Vec::new()
    } else {
        labels(sheet.table, &keys)
    };
    head(ws, &labels)?;
    let mut cells = SheetCells {
        ws,
        st: DataStyles::new(),
    };
    let cols = {
        let mut w = Writer {
            cells: &mut cells,
            cols: Columns::default(),
        };
        sheet.records.write(0, n, keys.len() as u16, &mut w)?;
        w.cols
    };
    settings(cells.ws, n, &labels, &cols)
}

#[cfg(test)]
mod tests {
    use super::*;
    use calamine::{Data, Reader, Xlsx};
    use rust_decimal::Decimal;
    use rust_decimal_macros::dec;

    #[derive(serde::Serialize)]
    struct Rec {
        customer_name: String,
        amount: Decimal,
        qty: Option<Decimal>,
        order_date: chrono::NaiveDate,
        cancelled: bool,
        note: Option<String>,
        origin: crate::model::Origin,
        count: u64,
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

    fn sheet_of<'a, T: Serialize + Sync>(name: &str, records: &'a [T]) -> Sheet<'a> {
        Sheet {
            name: name.into(),
            table: TableId::Sales,
            records: Box::new(records),
        }
    }

    /// The sheets written in pieces of `per_piece` rows.
    fn written(sheets: Vec<Sheet<'_>>, per_piece: usize) -> Result<Vec<DataSheetPart>> {
        let mut wb = super::super::xlsx::new_workbook();
        DataSheets::plan_with(&mut wb, sheets, per_piece)?.finish()
    }

    /// The part named `name` of a zip, decompressed (the zip reader checks the CRC).
    fn unzip(zip: &[u8], name: &str) -> Vec<u8> {
        use std::io::Read;
        let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
        let mut f = z.by_name(name).unwrap();
        let mut v = Vec::new();
        f.read_to_end(&mut v).unwrap();
        v
    }

    /// The sheet XML rust_xlsxwriter writes for `sheet`.
    fn reference_xml(sheet: &Sheet<'_>) -> Vec<u8> {
        let mut wb = super::super::xlsx::new_workbook();
        register_formats(&mut wb).unwrap();
        wb.add_worksheet();
        let mut ws = wb.new_worksheet_with_constant_memory().unwrap();
        ws.set_name(&sheet.name).unwrap();
        reference_sheet(&mut ws, sheet).unwrap();
        wb.push_worksheet(ws);
        unzip(&wb.save_to_buffer().unwrap(), PART_IN_ZIP)
    }

    /// `wb` with a cover sheet and a stand-in for each of `sheets`, the sheets streamed in.
    fn into_workbook(mut wb: Workbook, sheets: &DataSheets<'_>) -> Vec<u8> {
        let stand_ins = sheets.stand_ins().unwrap();
        wb.add_worksheet().set_name("封面").unwrap();
        for s in &stand_ins {
            s.apply(wb.add_worksheet()).unwrap();
        }
        let book = PackBook {
            bytes: wb.save_to_buffer().unwrap(),
            first: 2,
            stand_ins,
        };
        let mut out = Vec::new();
        sheets
            .write_workbook(book, &mut out, Path::new("t.xlsx"))
            .unwrap();
        out
    }

    /// A one-sheet workbook holding `records` as the pack writes them, read back by calamine.
    fn read_back(records: &[Rec]) -> Vec<Vec<Data>> {
        let mut wb = super::super::xlsx::new_workbook();
        let sheets = DataSheets::plan_with(&mut wb, vec![sheet_of("数据", records)], 1).unwrap();
        let bytes = into_workbook(wb, &sheets);
        let mut x: Xlsx<_> = Xlsx::new(std::io::Cursor::new(bytes)).unwrap();
        let range = x.worksheet_range("数据").unwrap();
        range.rows().map(|r| r.to_vec()).collect()
    }

    /// Each field lands in its column as the JSON route wrote it: money a number, a date a
    /// date, a flag 是/否, a blank optional nothing, text (a formula look-alike too) as text,
    /// `origin` in the three 来源 columns after the fields.
    #[test]
    fn records_are_written_field_by_field() {
        let rows = read_back(&[rec("华东公司", None), rec("=1+1", Some("备注"))]);
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
        let bad = [Bad {
            tags: vec!["x".into()],
        }];
        let e = written(vec![sheet_of("数据", &bad)], 10).err().unwrap();
        assert!(e.to_string().contains("a list"), "{e}");
    }

    /// Records whose text, numbers and dates exercise every rule of the cell XML.
    fn awkward() -> Vec<Rec> {
        let texts = [
            "a&b<c>d \"q\" 'a'",
            "\u{1}ctl\r\nline\u{1f}\u{b}",
            "_x0041_ _x00zz_ _x12 __x005F_x0000_ _x",
            " lead",
            "trail\t",
            "\nboth\n",
            "\u{FFFE}x\u{FFFF}\u{FFFD}（全角）！",
            "=SUM(1)",
            "-3",
            "@x",
            "",
            "emoji 😀 and 𠮷",
        ];
        let long = "长".repeat(40_000);
        let amounts = [
            dec!(0),
            dec!(-0.00),
            dec!(-12.34),
            dec!(1000000000000),
            dec!(12345678901.23),
            dec!(0.1),
            dec!(4294967295),
            dec!(4294967296.5),
            dec!(-4294967295),
        ];
        let dates = [
            (1900, 1, 15),
            (1900, 2, 28),
            (1900, 3, 1),
            (2024, 2, 29),
            (9999, 12, 31),
        ];
        let mut out = Vec::new();
        for i in 0..40usize {
            let mut r = rec(
                texts[i % texts.len()],
                (i % 3 == 0).then_some(texts[(i + 5) % texts.len()]),
            );
            if i == 17 {
                r.customer_name = long.clone();
            }
            if i == 23 {
                // 20,000 characters but 40,000 UTF-16 units: cut to what Excel holds.
                r.customer_name = "😀".repeat(20_000);
            }
            r.amount = amounts[i % amounts.len()];
            r.qty = (i % 2 == 0).then(|| amounts[(i + 1) % amounts.len()]);
            let (y, m, d) = dates[i % dates.len()];
            r.order_date = chrono::NaiveDate::from_ymd_opt(y, m, d).unwrap();
            r.cancelled = i % 4 == 0;
            r.count = [0, 7, 4_000_000_001, 123_456_789_012_345_678][i % 4];
            r.origin.file = if i == 9 {
                String::new()
            } else {
                format!("簿{i}.xlsx")
            };
            out.push(r);
        }
        out
    }

    /// The sheet XML written in pieces is byte for byte rust_xlsxwriter's for the same cells:
    /// escapes, whitespace, numbers, dates before 1900-03-01, formula look-alikes, cut text,
    /// empty text, column formats and widths, the dimension; in one piece or many.
    #[test]
    fn sheet_xml_is_rust_xlsxwriters() {
        let recs = awkward();
        let expected = reference_xml(&sheet_of("数据", &recs));
        assert!(expected.len() > 40_000, "{}", expected.len());
        for per_piece in [1, 3, 7, 40, 1000] {
            let parts = written(vec![sheet_of("数据", &recs)], per_piece).unwrap();
            let got = parts[0].xml();
            if got != expected {
                let at = got
                    .iter()
                    .zip(&expected)
                    .position(|(a, b)| a != b)
                    .unwrap_or(0);
                panic!(
                    "pieces of {per_piece}: differs at byte {at}:\n got {}\nwant {}",
                    String::from_utf8_lossy(&got[at.saturating_sub(80)..(at + 80).min(got.len())]),
                    String::from_utf8_lossy(
                        &expected[at.saturating_sub(80)..(at + 80).min(expected.len())]
                    )
                );
            }
            assert_eq!(parts[0].stand_in.filter, Some((40, 9)));
        }
        // An empty table: the sheet as rust_xlsxwriter writes it, no header.
        let none: [Rec; 0] = [];
        let parts = written(vec![sheet_of("空", &none)], 5).unwrap();
        assert_eq!(parts[0].xml(), reference_xml(&sheet_of("空", &none)));
        assert_eq!(parts[0].stand_in.filter, None);
    }

    /// The quick reading of a printed amount gives `Decimal::to_f64`'s double, bit for bit, on
    /// every scale, sign and size a `Decimal` prints; other text is left to `Decimal`.
    #[test]
    fn printed_amounts_read_as_decimal_reads_them() {
        use rust_decimal::Decimal;
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        let mut checked = 0;
        for i in 0..200_000u32 {
            let hi = if i % 7 == 0 { (next() >> 40) as u32 } else { 0 };
            let mid = if i % 3 == 0 { next() as u32 } else { 0 };
            let lo = next() as u32 >> (i % 32);
            let d = Decimal::from_parts(lo, mid, hi, i % 2 == 1, i % 29);
            let text = d.to_string();
            let want = d.to_f64().unwrap_or(0.0);
            if let Some(got) = decimal_text_f64(&text) {
                assert_eq!(got.to_bits(), want.to_bits(), "{text}");
                checked += 1;
            }
        }
        assert!(checked > 190_000, "only {checked} read quickly");
        for (t, want) in [
            ("-0.00", Some(-0.0f64)),
            ("-0", Some(0.0)),
            ("12.50", Some(12.5)),
        ] {
            assert_eq!(
                decimal_text_f64(t).map(f64::to_bits),
                want.map(f64::to_bits),
                "{t}"
            );
        }
        for t in [
            "",
            "-",
            ".5",
            "5.",
            "1e3",
            "1_000",
            "+1",
            "1.2.3",
            "１２",
            " 1",
            "12345678901234567890123456789",
        ] {
            assert_eq!(decimal_text_f64(t), None, "{t}");
        }
    }

    /// The day numbers `excel_serial` counts from are 1899-12-30 and 1900-03-01.
    #[test]
    fn excel_serials_count_from_excels_epoch() {
        use chrono::NaiveDate;
        let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
        assert_eq!(excel_serial(day(1900, 3, 1)), Some(61.0));
        assert_eq!(excel_serial(day(1900, 2, 28)), None);
        assert_eq!(excel_serial(day(2024, 11, 1)), Some(45597.0));
        for d in [
            day(1900, 3, 1),
            day(1999, 12, 31),
            day(2026, 10, 31),
            day(9999, 12, 31),
        ] {
            let by_dates = (d - day(1899, 12, 30)).num_days() as f64;
            assert_eq!(excel_serial(d), Some(by_dates));
        }
    }

    /// Numbers print as Rust's `Display` prints them (what rust_xlsxwriter writes).
    #[test]
    fn numbers_print_as_display_does() {
        let mut vals = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.5,
            1e15,
            1e16,
            1e21,
            4e9,
            4e9 - 1.0,
            -4e9 + 1.0,
        ];
        vals.extend((0..2000).map(|i| (i as f64 - 1000.0) * 1234.567_f64.powi(i % 5)));
        vals.extend((0..200).map(|i| 2f64.powi(i - 100)));
        for v in vals {
            let mut b = Vec::new();
            push_f64(&mut b, v);
            assert_eq!(String::from_utf8(b).unwrap(), v.to_string(), "{v:e}");
        }
    }

    fn sample() -> Dataset {
        let cfg = crate::config::Config::default();
        crate::model::load(&["data/sample/客户管理数据.xlsx".into()], None, &cfg).unwrap()
    }

    /// Every sheet of the bundled sample, written in pieces, is rust_xlsxwriter's sheet.
    #[test]
    fn the_sample_sheets_are_rust_xlsxwriters() {
        let ds = sample();
        let parts = written(sheets(&ds, ROWS_PER_SHEET), 97).unwrap();
        let all = sheets(&ds, ROWS_PER_SHEET);
        assert_eq!(parts.len(), all.len());
        assert!(all.len() >= 10);
        for (p, s) in parts.iter().zip(&all) {
            assert!(p.xml() == reference_xml(s), "{} differs", s.name);
        }
    }

    /// A workbook of a cover sheet and `ds`'s data sheets as the pack makes it: each sheet
    /// written in pieces (in the given order of pieces), streamed in.
    fn book(ds: &Dataset, reverse: bool, per_sheet: usize) -> Vec<u8> {
        let mut wb = super::super::xlsx::new_workbook();
        let mut sheets = DataSheets::plan_with(&mut wb, sheets(ds, per_sheet), 50).unwrap();
        if reverse {
            sheets.reverse_order();
        }
        into_workbook(wb, &sheets)
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

    /// The streamed workbook holds exactly the parts rust_xlsxwriter writes when the data sheets
    /// are sheets of the pack workbook itself, written cell by cell: same sheet XML, same
    /// workbook-level names. Only the order of the zip's entries differs: the book's own parts
    /// first, in their order (`[Content_Types].xml` leading, where file-type sniffers look),
    /// then the data sheets, the one with the most rows first.
    #[test]
    fn streamed_sheets_are_what_one_workbook_would_hold() {
        let ds = sample();
        let mut wb = super::super::xlsx::new_workbook();
        register_formats(&mut wb).unwrap();
        wb.add_worksheet().set_name("封面").unwrap();
        for sheet in sheets(&ds, ROWS_PER_SHEET) {
            let mut ws = wb.new_worksheet_with_constant_memory().unwrap();
            ws.set_name(&sheet.name).unwrap();
            reference_sheet(&mut ws, &sheet).unwrap();
            wb.push_worksheet(ws);
        }
        let whole = wb.save_to_buffer().unwrap();
        let streamed = book(&ds, false, ROWS_PER_SHEET);
        let (mut a, b) = (parts_of(&whole), parts_of(&streamed));
        let data = |n: &str| {
            n.strip_prefix("xl/worksheets/sheet")
                .and_then(|n| n.strip_suffix(".xml"))
                .and_then(|n| n.parse::<usize>().ok())
                .is_some_and(|n| n >= 2)
        };
        let own: Vec<&String> = a.iter().map(|p| &p.0).filter(|n| !data(n)).collect();
        assert_eq!(own[0], "[Content_Types].xml");
        let count = own.len();
        assert_eq!(own, b.iter().map(|p| &p.0).take(count).collect::<Vec<_>>());
        let rows = |n: &str| {
            let xml = &b.iter().find(|p| p.0 == n).unwrap().1;
            memchr::memmem::find_iter(xml, b"<row ").count()
        };
        let later: Vec<usize> = b[count..].iter().map(|p| rows(&p.0)).collect();
        assert!(
            later.len() >= 10 && later.windows(2).all(|w| w[0] >= w[1]),
            "{later:?}"
        );
        let mut b = b;
        a.sort();
        b.sort();
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

    /// Pieces written in any order (as two threads write them) make the same workbook.
    #[test]
    fn the_order_pieces_are_written_in_does_not_change_the_workbook() {
        let ds = sample();
        assert!(book(&ds, false, ROWS_PER_SHEET) == book(&ds, true, ROWS_PER_SHEET));
    }

    /// The pack's way: two threads write pieces while a third streams the workbook, storing
    /// each sheet as soon as it is together; the file is byte for byte the one written on one
    /// thread.
    #[test]
    fn streaming_beside_the_writing_threads_makes_the_same_file() {
        let ds = sample();
        let one = book(&ds, false, ROWS_PER_SHEET);
        for _ in 0..3 {
            let mut wb = super::super::xlsx::new_workbook();
            let sheets = DataSheets::plan_with(&mut wb, sheets(&ds, ROWS_PER_SHEET), 7).unwrap();
            let streamed = std::thread::scope(|s| {
                let writer = s.spawn(|| into_workbook(wb, &sheets));
                s.spawn(|| sheets.work());
                sheets.work();
                writer.join().unwrap()
            });
            // Pieces of 7 rows instead of 50: the same deflated XML would not be expected, so
            // compare the parts.
            assert_eq!(parts_of(&streamed), parts_of(&one));
        }
    }

    /// A record whose serialisation panics (a bug) on its `n`th row.
    struct Bomb(usize);

    impl Serialize for Bomb {
        fn serialize<S: ser::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            use ser::SerializeStruct;
            assert!(self.0 != 40, "a bug in a record");
            let mut st = s.serialize_struct("Bomb", 1)?;
            st.serialize_field("customer_name", "客户")?;
            st.end()
        }
    }

    /// A thread that panics while writing a piece stops the others, and the writer waiting for
    /// that sheet returns an error instead of waiting for ever; the panic reaches the caller.
    #[test]
    fn a_panic_in_a_piece_ends_the_workbook_with_an_error() {
        let bombs: Vec<Bomb> = (0..100).map(Bomb).collect();
        let mut wb = super::super::xlsx::new_workbook();
        let sheets = DataSheets::plan_with(&mut wb, vec![sheet_of("数据", &bombs)], 10).unwrap();
        let stand_ins = sheets.stand_ins().unwrap();
        wb.add_worksheet().set_name("封面").unwrap();
        stand_ins[0].apply(wb.add_worksheet()).unwrap();
        let book = PackBook {
            bytes: wb.save_to_buffer().unwrap(),
            first: 2,
            stand_ins,
        };
        let (written, worker_panicked) = std::thread::scope(|s| {
            let worker = s.spawn(|| sheets.work());
            let mut out = Vec::new();
            // The writer writes pieces itself when no other thread is (yet) writing them: then
            // the panic is its own.
            let written = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                sheets.write_workbook(book, &mut out, Path::new("t.xlsx"))
            }));
            (written, worker.join().is_err())
        });
        match written {
            Ok(w) => assert!(w.is_err() && worker_panicked),
            Err(_) => assert!(sheets.stop.load(Ordering::Acquire)),
        }
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
