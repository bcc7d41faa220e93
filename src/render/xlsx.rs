//! Tables → worksheets with rust_xlsxwriter; `save_to_buffer` → bytes. Numbers are real numbers
//! with 元/％ formats, totals are formulas *with* cached results (viewers that do not recalculate
//! still show them), text is always text (quote-prefixed when it could be taken for a formula).

use super::chart::ChartCells;
use super::format;
use crate::error::{Error, Lang, Result};
use crate::ingest::schema::{self, TableId};
use crate::model::Dataset;
use crate::report::{Block, Pack};
use crate::stats::{Kind, Table, Value};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Chart, ChartType, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula,
    Workbook, Worksheet, XlsxError,
};

const MONEY: &str = "¥#,##0.00;[Red]-¥#,##0.00";
const PERCENT: &str = "0.0%";
const DATE: &str = "yyyy-mm-dd";

fn xe(e: XlsxError) -> Error {
    Error::Render(format!("xlsx: {e}"))
}

/// A fixed creation date: the same input gives the same bytes.
pub fn new_workbook() -> Workbook {
    let mut wb = Workbook::new();
    let created = ExcelDateTime::from_ymd(2024, 1, 1).expect("valid constant date");
    wb.set_properties(
        &DocProperties::new()
            .set_creation_datetime(&created)
            .set_author("kebiao"),
    );
    // Deflate level 3 instead of 6: on a pack with 100,000 input rows in its data sheets the
    // compression was the largest single cost of the workbook. Measured at 100k lines: level 6
    // ≈ 6.3 s cpu, level 3 ≈ 4.1 s and a 24 MB file, level 1 ≈ 3.3 s but a 34 MB file.
    wb.set_zip_compression_level(3);
    wb
}

struct Styles {
    title: Format,
    header: Format,
    text: Format,
    money: Format,
    percent: Format,
    int: Format,
    qty: Format,
    date: Format,
    na: Format,
    total_text: Format,
    total_money: Format,
    total_int: Format,
    note: Format,
}

impl Styles {
    fn new() -> Styles {
        let cell = Format::new()
            .set_border(FormatBorder::Thin)
            .set_font_size(10.5);
        let total = cell.clone().set_bold().set_background_color("F2F2F2");
        Styles {
            title: Format::new().set_bold().set_font_size(14),
            header: cell
                .clone()
                .set_bold()
                .set_background_color("D9D9D9")
                .set_align(FormatAlign::Center)
                .set_text_wrap(),
            text: cell.clone(),
            money: cell.clone().set_num_format(MONEY),
            percent: cell.clone().set_num_format(PERCENT),
            int: cell.clone().set_num_format("#,##0"),
            qty: cell.clone().set_num_format("#,##0.###"),
            date: cell
                .clone()
                .set_num_format(DATE)
                .set_align(FormatAlign::Center),
            na: cell.clone().set_align(FormatAlign::Center),
            total_text: total.clone(),
            total_money: total.clone().set_num_format(MONEY),
            total_int: total.set_num_format("#,##0"),
            note: Format::new().set_font_size(9).set_font_color("595959"),
        }
    }
}

/// Text that a spreadsheet could read as a formula or a command when edited: = + - @, tab, CR.
pub fn looks_like_formula(s: &str) -> bool {
    matches!(
        s.chars().next(),
        Some('=' | '+' | '-' | '@' | '\t' | '\r' | '\n')
    )
}

/// Excel holds at most 32,767 characters in a cell (rust_xlsxwriter refuses more); a clerk's
/// 100,000-character cell must not stop the pack, so longer text is cut and ends with "…".
pub const EXCEL_MAX_CHARS: usize = 32_767;

/// `s`, cut to what a cell can hold.
pub fn clip_for_cell(s: &str) -> std::borrow::Cow<'_, str> {
    // Byte length bounds the char count from above: most text needs no counting.
    if s.len() <= EXCEL_MAX_CHARS || s.chars().count() <= EXCEL_MAX_CHARS {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut t: String = s.chars().take(EXCEL_MAX_CHARS - 1).collect();
    t.push('…');
    std::borrow::Cow::Owned(t)
}

/// Write text that may come from the clerk's data: always a string cell, cut to the cell limit,
/// and quote-prefixed (in `f`'s style otherwise) when a spreadsheet could take it for a formula.
///
/// # Errors
/// rust_xlsxwriter refuses the cell (a row or column beyond the sheet).
pub fn put_text(ws: &mut Worksheet, row: u32, col: u16, s: &str, f: &Format) -> Result<()> {
    let s = clip_for_cell(s);
    if looks_like_formula(&s) {
        ws.write_string_with_format(row, col, &*s, &f.clone().set_quote_prefix())
            .map_err(xe)?;
    } else {
        ws.write_string_with_format(row, col, &*s, f).map_err(xe)?;
    }
    Ok(())
}

fn write_text(ws: &mut Worksheet, row: u32, col: u16, s: &str, st: &Styles) -> Result<()> {
    put_text(ws, row, col, s, &st.text)
}

fn write_value(
    ws: &mut Worksheet,
    row: u32,
    col: u16,
    v: &Value,
    lang: Lang,
    st: &Styles,
) -> Result<()> {
    let num = |d: &rust_decimal::Decimal| d.to_f64().unwrap_or(0.0);
    match v {
        Value::Empty => {
            ws.write_blank(row, col, &st.text).map_err(xe)?;
        }
        Value::Text(s) => write_text(ws, row, col, s, st)?,
        Value::Money(d) => {
            // Round to the cent before handing Excel a float, so the cell shows the exact figure.
            let r =
                d.round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero);
            ws.write_number_with_format(row, col, num(&r), &st.money)
                .map_err(xe)?;
        }
        Value::Int(i) => {
            ws.write_number_with_format(row, col, *i as f64, &st.int)
                .map_err(xe)?;
        }
        Value::Qty(d) => {
            ws.write_number_with_format(row, col, num(d), &st.qty)
                .map_err(xe)?;
        }
        Value::Ratio(r) => {
            ws.write_number_with_format(row, col, num(r), &st.percent)
                .map_err(xe)?;
        }
        Value::Date(d) => {
            let dt = ExcelDateTime::parse_from_str(&d.to_string()).map_err(xe)?;
            ws.write_datetime_with_format(row, col, &dt, &st.date)
                .map_err(xe)?;
        }
        Value::NotApplicable | Value::Missing(_) => {
            ws.write_string_with_format(row, col, format::value(v, lang), &st.na)
                .map_err(xe)?;
        }
    }
    Ok(())
}

fn col_name(col: u16) -> String {
    let mut n = col as u32 + 1;
    let mut s = Vec::new();
    while n > 0 {
        let r = ((n - 1) % 26) as u8;
        s.push(b'A' + r);
        n = (n - 1) / 26;
    }
    s.reverse();
    String::from_utf8(s).expect("ASCII")
}

/// Where a table landed on its sheet.
#[derive(Debug, Clone, Copy)]
pub struct Placed {
    pub header_row: u32,
    pub first_data_row: u32,
    pub last_data_row: Option<u32>,
    pub next_row: u32,
}

/// Write a table at `row`: caption, header, rows, totals (SUM formulas with cached results for
/// money and count columns; other totals as values), notes. Tracks column widths in `widths`.
pub fn write_table(
    ws: &mut Worksheet,
    mut row: u32,
    t: &Table,
    caption: Option<&str>,
    lang: Lang,
    widths: &mut Vec<usize>,
) -> Result<Placed> {
    let st = Styles::new();
    if let Some(c) = caption {
        ws.write_string_with_format(row, 0, c, &st.title)
            .map_err(xe)?;
        row += 1;
    }
    if widths.len() < t.columns.len() {
        widths.resize(t.columns.len(), 6);
    }
    let header_row = row;
    for (c, col) in t.columns.iter().enumerate() {
        let label = col.label.get(lang);
        ws.write_string_with_format(row, c as u16, label, &st.header)
            .map_err(xe)?;
        widths[c] = widths[c].max(format::width(label) + 2);
    }
    row += 1;
    let first = row;
    for r in &t.rows {
        for (c, v) in r.iter().enumerate() {
            write_value(ws, row, c as u16, v, lang, &st)?;
            widths[c] = widths[c].max(format::width(&format::value(v, lang)).min(60) + 2);
        }
        row += 1;
    }
    let last = (row > first).then(|| row - 1);
    if let Some(tot) = &t.totals {
        for (c, v) in tot.iter().enumerate() {
            let summable = matches!(t.columns[c].kind, Kind::Money | Kind::Int);
            match (v, last, summable) {
                (Value::Money(d), Some(l), true) => {
                    let r = d.round_dp_with_strategy(
                        2,
                        rust_decimal::RoundingStrategy::MidpointAwayFromZero,
                    );
                    let f = Formula::new(format!(
                        "=SUM({c}{}:{c}{})",
                        first + 1,
                        l + 1,
                        c = col_name(c as u16)
                    ))
                    .set_result(r.to_string());
                    ws.write_formula_with_format(row, c as u16, f, &st.total_money)
                        .map_err(xe)?;
                }
                (Value::Int(i), Some(l), true) => {
                    let f = Formula::new(format!(
                        "=SUM({c}{}:{c}{})",
                        first + 1,
                        l + 1,
                        c = col_name(c as u16)
                    ))
                    .set_result(i.to_string());
                    ws.write_formula_with_format(row, c as u16, f, &st.total_int)
                        .map_err(xe)?;
                }
                (Value::Text(s), _, _) => put_text(ws, row, c as u16, s, &st.total_text)?,
                _ => write_value(ws, row, c as u16, v, lang, &st)?,
            }
        }
        row += 1;
    }
    for n in &t.notes {
        put_text(ws, row, 0, n.get(lang), &st.note)?;
        row += 1;
    }
    Ok(Placed {
        header_row,
        first_data_row: first,
        last_data_row: last,
        next_row: row + 1,
    })
}

fn finish_sheet(ws: &mut Worksheet, widths: &[usize], wide: bool) -> Result<()> {
    for (c, w) in widths.iter().enumerate() {
        ws.set_column_width(c as u16, (*w).clamp(6, 60) as f64)
            .map_err(xe)?;
    }
    ws.set_paper_size(9); // A4
    if wide {
        ws.set_landscape();
    }
    ws.set_print_fit_to_pages(1, 0);
    Ok(())
}

/// The pack workbook: a cover sheet, one sheet per section, charts as native Excel charts.
///
/// # Errors
/// rust_xlsxwriter refuses a value (e.g. a sheet name); the message says which.
pub fn pack(pack: &Pack, lang: Lang, data: Option<&Dataset>) -> Result<Vec<u8>> {
    let mut wb = new_workbook();
    let sheets = match data {
        Some(ds) => data_sheets(&mut wb, ds)?,
        None => Vec::new(),
    };
    pack_with(wb, pack, lang, sheets)
}

/// [`pack`] with the data sheets written beforehand by [`data_sheets`] on `wb` (none when the
/// confidentiality setting leaves them out): the report sheets first, then the data sheets.
///
/// # Errors
/// rust_xlsxwriter refuses a cell or cannot assemble the file.
pub fn pack_with(
    mut wb: Workbook,
    pack: &Pack,
    lang: Lang,
    data: Vec<Worksheet>,
) -> Result<Vec<u8>> {
    let zh = lang == Lang::Zh;
    {
        let st = Styles::new();
        let ws = wb.add_worksheet();
        ws.set_name("00封面").map_err(xe)?;
        ws.write_string_with_format(
            0,
            0,
            if zh {
                "月度客户管理报告"
            } else {
                "Monthly Customer Management Report"
            },
            &st.title,
        )
        .map_err(xe)?;
        let rows = [
            (if zh { "公司" } else { "Company" }, pack.company.clone()),
            (
                if zh { "报告期" } else { "Period" },
                if zh {
                    pack.month.zh()
                } else {
                    pack.month.to_string()
                },
            ),
            (
                if zh { "编制部门" } else { "Prepared by" },
                pack.department.clone(),
            ),
            (
                if zh { "报告日期" } else { "Report date" },
                pack.report_date.to_string(),
            ),
        ];
        for (i, (k, v)) in rows.iter().enumerate() {
            ws.write_string_with_format(2 + i as u32, 0, *k, &st.header)
                .map_err(xe)?;
            write_text(ws, 2 + i as u32, 1, v, &st)?;
        }
        let sign = if zh {
            [
                "编制人员",
                "审核人员",
                "批准人员",
                "编制日期",
                "审核日期",
                "批准日期",
            ]
        } else {
            [
                "Prepared by",
                "Reviewed by",
                "Approved by",
                "Date",
                "Date",
                "Date",
            ]
        };
        for (i, s) in sign.iter().enumerate() {
            let (r, c) = (8 + (i / 3) as u32 * 2, (i % 3) as u16);
            ws.write_string_with_format(r, c, format!("{s}:"), &st.text)
                .map_err(xe)?;
            ws.write_blank(r + 1, c, &st.text).map_err(xe)?;
        }
        // 目录: a link to every sheet of the workbook.
        ws.write_string_with_format(13, 0, if zh { "目录" } else { "Contents" }, &st.title)
            .map_err(xe)?;
        let mut r = 14;
        for s in &pack.sections {
            let url = rust_xlsxwriter::Url::new(format!("internal:'{}'!A1", s.sheet))
                .set_text(format!("{}  {}", s.sheet, s.title.get(lang)));
            ws.write_url(r, 0, url).map_err(xe)?;
            r += 1;
        }
        for name in data.iter().map(|ws| ws.name()) {
            let url = rust_xlsxwriter::Url::new(format!("internal:'{name}'!A1")).set_text(&name);
            ws.write_url(r, 0, url).map_err(xe)?;
            r += 1;
        }
        ws.set_column_width(0, 16).map_err(xe)?;
        ws.set_column_width(1, 40).map_err(xe)?;
        ws.set_column_width(2, 16).map_err(xe)?;
        finish_sheet(ws, &[], false)?;
    }
    for (si, s) in pack.sections.iter().enumerate() {
        let ws = wb.add_worksheet();
        ws.set_name(&s.sheet).map_err(xe)?;
        let st = Styles::new();
        ws.write_string_with_format(0, 0, s.title.get(lang), &st.title)
            .map_err(xe)?;
        let mut row = 2;
        let mut widths = Vec::new();
        let mut placed = Vec::new();
        let mut charts = Vec::new();
        let mut tno = 0;
        for b in &s.blocks {
            match b {
                Block::Table(t) => {
                    tno += 1;
                    let caption = format::caption(si + 1, tno, t.title.get(lang), lang);
                    let p = write_table(ws, row, t, Some(&caption), lang, &mut widths)?;
                    if placed.is_empty() {
                        ws.set_freeze_panes(p.header_row + 1, 0).map_err(xe)?;
                        ws.set_repeat_rows(p.header_row, p.header_row).map_err(xe)?;
                        if let Some(l) = p.last_data_row {
                            ws.autofilter(
                                p.header_row,
                                0,
                                l,
                                t.columns.len().saturating_sub(1) as u16,
                            )
                            .map_err(xe)?;
                        }
                    }
                    row = p.next_row;
                    placed.push((t, p));
                }
                Block::Text(m) | Block::Missing(m) => {
                    put_text(ws, row, 0, m.get(lang), &Format::new())?;
                    row += 2;
                }
                Block::Chart(c) => charts.push(c),
            }
        }
        let cols = widths.len();
        for c in charts {
            let Some((t, p)) = placed.iter().find(|(t, _)| t.id == c.table) else {
                continue;
            };
            let Some(r) = c.resolve(t, lang) else {
                continue;
            };
            let name = s.sheet.as_str();
            let mut chart = Chart::new(ChartType::Bar);
            match r.cells {
                ChartCells::Columns {
                    category,
                    value,
                    rows,
                } => {
                    let last = p.first_data_row + rows as u32 - 1;
                    chart
                        .add_series()
                        .set_categories((
                            name,
                            p.first_data_row,
                            category as u16,
                            last,
                            category as u16,
                        ))
                        .set_values((name, p.first_data_row, value as u16, last, value as u16))
                        .set_name(t.columns[value].label.get(lang));
                }
                ChartCells::TotalsRow { first, last } => {
                    let Some(totals_row) = p.last_data_row.map(|l| l + 1) else {
                        continue;
                    };
                    chart
                        .add_series()
                        .set_categories((
                            name,
                            p.header_row,
                            first as u16,
                            p.header_row,
                            last as u16,
                        ))
                        .set_values((name, totals_row, first as u16, totals_row, last as u16));
                }
            }
            chart.title().set_name(c.title.get(lang));
            chart.legend().set_hidden();
            chart.set_width(640).set_height(360);
            ws.insert_chart(row, 0, &chart).map_err(xe)?;
            row += 20;
        }
        finish_sheet(ws, &widths, cols > 6)?;
    }
    for ws in data {
        wb.push_worksheet(ws);
    }
    wb.save_to_buffer().map_err(xe)
}

type SheetWriter<'a> = Box<dyn Fn(&mut Worksheet) -> Result<()> + 'a>;

/// The data sheets of the accepted input rows: (sheet name, writer), for every table present.
fn data_sheet_names(ds: &Dataset) -> Vec<(String, SheetWriter<'_>)> {
    let mut out: Vec<(String, SheetWriter<'_>)> = Vec::new();
    macro_rules! add {
        ($field:ident, $name:literal, $table:expr) => {
            if let Some(rows) = &ds.$field {
                out.push((
                    format!("数据_{}", $name),
                    Box::new(move |ws: &mut Worksheet| data_sheet(ws, $table, rows)),
                ));
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_lookalikes_are_detected() {
        for s in ["=HYPERLINK(\"x\")", "+1", "-1", "@SUM(1)", "\tx", "\rx"] {
            assert!(looks_like_formula(s), "{s:?}");
        }
        assert!(!looks_like_formula("华东"));
        assert_eq!(col_name(0), "A");
        assert_eq!(col_name(26), "AA");
    }
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
/// table: one constant-memory worksheet per table present, not yet in any workbook. They need
/// only the records, so `pack` writes them while the statistics run and hands them to
/// [`pack_with`]; `wb` only lends its temporary-file and format settings.
///
/// # Errors
/// A temporary file for a sheet cannot be made, or rust_xlsxwriter refuses a cell.
pub fn data_sheets(wb: &mut Workbook, ds: &Dataset) -> Result<Vec<Worksheet>> {
    let mut out = Vec::new();
    for (name, write) in data_sheet_names(ds) {
        // Rows are written in order, so each sheet streams to disk: a million input rows must
        // not need gigabytes of memory.
        let mut ws = wb.new_worksheet_with_constant_memory().map_err(xe)?;
        ws.set_name(&name).map_err(xe)?;
        write(&mut ws)?;
        out.push(ws);
    }
    Ok(out)
}

/// One data sheet. Columns come from the record's fields (in declaration order); `origin`
/// becomes 来源 file/sheet/row.
pub fn data_sheet<T: serde::Serialize>(
    ws: &mut Worksheet,
    table: TableId,
    records: &[T],
) -> Result<()> {
    let mut w = DataWriter {
        ws,
        st: DataStyles::new(),
        cols: Vec::new(),
    };
    let label = |k: &str| match field_label(table, k) {
        "" => k.to_string(),
        l => l.to_string(),
    };
    let mut keys: Vec<String> = Vec::new();
    let mut widths: Vec<usize> = Vec::new();
    for (i, rec) in records.iter().enumerate() {
        let serde_json::Value::Object(map) =
            serde_json::to_value(rec).map_err(|e| Error::Render(e.to_string()))?
        else {
            continue;
        };
        if i == 0 {
            keys = map.keys().filter(|k| *k != "origin").cloned().collect();
            let origin = ["来源文件", "来源工作表", "来源行"];
            let labels = keys
                .iter()
                .map(|k| label(k))
                .chain(origin.map(String::from));
            for (c, l) in labels.enumerate() {
                w.ws.write_string_with_format(0, c as u16, &l, &w.st.header)
                    .map_err(xe)?;
                widths.push(if c < keys.len() {
                    format::width(&l) + 2
                } else {
                    12
                });
            }
        }
        let row = i as u32 + 1;
        for (c, k) in keys.iter().enumerate() {
            let col = c as u16;
            match map.get(k) {
                None | Some(serde_json::Value::Null) => {}
                Some(serde_json::Value::Bool(b)) => {
                    w.text(row, col, if *b { "是" } else { "否" })?
                }
                Some(serde_json::Value::Number(n)) => {
                    w.number(row, col, n.as_f64().unwrap_or(0.0), DataStyle::Int)?
                }
                Some(serde_json::Value::String(s)) => {
                    // 总体满意度 derived as a mean of items is a decimal score, written as a number.
                    let qty = k == "qty" || k == "overall";
                    let parsed = if is_money_field(k) || qty {
                        s.parse::<rust_decimal::Decimal>().ok()
                    } else {
                        None
                    };
                    if let Some(d) = parsed {
                        let style = if qty {
                            DataStyle::Qty
                        } else {
                            DataStyle::Money
                        };
                        w.number(row, col, d.to_f64().unwrap_or(0.0), style)?;
                    } else if let Some(d) = iso_date(s) {
                        w.date(row, col, d)?;
                    } else {
                        w.text(row, col, s)?;
                        if let Some(wd) = widths.get_mut(c) {
                            *wd = (*wd).max(format::width(s).min(40) + 2);
                        }
                    }
                }
                Some(other) => w.text(row, col, &other.to_string())?,
            }
        }
        if let Some(o) = map.get("origin") {
            let get = |k: &str| o.get(k).cloned().unwrap_or_default();
            let n = keys.len() as u16;
            w.text(row, n, get("file").as_str().unwrap_or_default())?;
            w.text(row, n + 1, get("sheet").as_str().unwrap_or_default())?;
            w.number(
                row,
                n + 2,
                get("row").as_f64().unwrap_or(0.0),
                DataStyle::Int,
            )?;
        }
    }
    let ws = w.ws;
    if !keys.is_empty() {
        ws.set_freeze_panes(1, 0).map_err(xe)?;
        ws.autofilter(0, 0, records.len() as u32, (keys.len() + 2) as u16)
            .map_err(xe)?;
        ws.set_repeat_rows(0, 0).map_err(xe)?;
    }
    finish_sheet(ws, &widths, true)
}
