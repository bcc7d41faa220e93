//! Tables → worksheets with rust_xlsxwriter; `save_to_buffer` → bytes. Numbers are real numbers
//! with 元/％ formats, totals are formulas *with* cached results (viewers that do not recalculate
//! still show them), text is always text (quote-prefixed when it could be taken for a formula).

use super::chart::ChartCells;
use super::data_sheet::StandIn;
use super::format;
use crate::error::{Error, Lang, Result};
use crate::model::Dataset;
use crate::report::{Block, Pack};
use crate::stats::{Kind, Table, Value};
use rust_decimal::prelude::ToPrimitive;
use rust_xlsxwriter::{
    Chart, ChartType, DocProperties, ExcelDateTime, Format, FormatAlign, FormatBorder, Formula,
    Workbook, Worksheet, XlsxError,
};

pub(crate) const MONEY: &str = "¥#,##0.00;[Red]-¥#,##0.00";
const PERCENT: &str = "0.0%";
pub(crate) const DATE: &str = "yyyy-mm-dd";

pub(crate) fn xe(e: XlsxError) -> Error {
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
    // Deflate level 2 instead of 6, as the data sheets (data_sheet.rs `LEVEL`): compression
    // was the largest single cost of the workbook. Measured at 100k lines (session 3, data
    // sheets still in this zip): level 6 ≈ 6.3 s cpu, level 3 ≈ 4.1 s and a 24 MB file, level 1
    // ≈ 3.3 s but a 34 MB file. At 1,000,000 lines the report sheets alone hold ≈ 90 MB of XML,
    // and level 3 (zlib's "medium" strategy) took 0.38 s of CPU where level 2 takes about half.
    wb.set_zip_compression_level(2);
    wb
}

pub(crate) struct Styles {
    title: Format,
    pub(crate) header: Format,
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
    pub(crate) fn new() -> Styles {
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

/// Excel holds at most 32,767 characters in a cell, counted in UTF-16 units (a character beyond
/// the Basic Multilingual Plane, such as an emoji or 𠮷, counts twice; rust_xlsxwriter refuses
/// more); a clerk's 100,000-character cell must not stop the pack, so longer text is cut and
/// ends with "…".
pub const EXCEL_MAX_CHARS: usize = 32_767;

/// `s`, cut to what a cell can hold.
pub fn clip_for_cell(s: &str) -> std::borrow::Cow<'_, str> {
    // Byte length bounds the UTF-16 length from above: most text needs no counting.
    if s.len() <= EXCEL_MAX_CHARS || s.encode_utf16().count() <= EXCEL_MAX_CHARS {
        return std::borrow::Cow::Borrowed(s);
    }
    let mut units = 0;
    let mut t: String = s
        .chars()
        .take_while(|c| {
            units += c.len_utf16();
            units < EXCEL_MAX_CHARS
        })
        .collect();
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

pub(crate) fn col_name(col: u16) -> String {
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
            widen_for(&mut widths[c], v, lang);
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

/// Widen a column for value `v` as shown (at most 60 wide, plus a margin). Text is measured
/// as it is, and only when its UTF-8 length (never less than its width) could widen the column:
/// the per-customer tables of a large month have tens of thousands of rows.
fn widen_for(width: &mut usize, v: &Value, lang: Lang) {
    let w = match v {
        Value::Text(s) if s.len().min(60) + 2 <= *width => return,
        Value::Text(s) => format::width(s),
        _ => format::width(&format::value(v, lang)),
    };
    *width = (*width).max(w.min(60) + 2);
}

pub(crate) fn finish_sheet(ws: &mut Worksheet, widths: &[usize], wide: bool) -> Result<()> {
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
    match data {
        Some(ds) => {
            let sheets = super::data_sheet::DataSheets::plan(&mut wb, ds)?;
            let book = pack_book(wb, pack, lang, &sheets.stand_ins()?)?;
            let mut out = Vec::new();
            sheets.write_workbook(book, &mut out, std::path::Path::new(""))?;
            Ok(out)
        }
        None => pack_book(wb, pack, lang, &[])?.into_bytes(),
    }
}

/// The pack workbook without its data sheets' rows: the report sheets, then an empty sheet
/// standing in for each data sheet (none when the confidentiality setting leaves them out).
/// [`super::data_sheet::DataSheets::write_workbook`] puts the data sheets in.
pub struct PackBook {
    pub(crate) bytes: Vec<u8>,
    /// The part number of the first stand-in (`xl/worksheets/sheetN.xml`).
    pub(crate) first: usize,
    pub(crate) stand_ins: Vec<StandIn>,
}

impl PackBook {
    /// The workbook as it is, for a pack without data sheets (the stand-ins are its last sheets,
    /// so there must be none).
    ///
    /// # Errors
    /// The book has stand-ins, which only [`super::data_sheet::DataSheets::write_workbook`]
    /// fills.
    pub fn into_bytes(self) -> Result<Vec<u8>> {
        if !self.stand_ins.is_empty() {
            return Err(Error::Render(
                "数据工作表未写入 (the data sheets were not written into the workbook)".into(),
            ));
        }
        Ok(self.bytes)
    }
}

/// The report sheets of the pack workbook, with stand-ins for the data sheets planned on `wb`
/// (see [`super::data_sheet::DataSheets`]). It needs only the statistics, so it is written while
/// the data sheets are.
///
/// # Errors
/// rust_xlsxwriter refuses a cell or cannot assemble the file.
pub fn pack_book(mut wb: Workbook, pack: &Pack, lang: Lang, data: &[StandIn]) -> Result<PackBook> {
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
        for name in data.iter().map(|p| &p.name) {
            let url = rust_xlsxwriter::Url::new(format!("internal:'{name}'!A1")).set_text(name);
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
    // Each data sheet is written and deflated on its own (see `DataSheets`): an empty sheet
    // stands in for it here, and its part replaces the stand-in's in the zip.
    let first = wb.worksheets().len() + 1;
    for p in data {
        p.apply(wb.add_worksheet())?;
    }
    Ok(PackBook {
        bytes: wb.save_to_buffer().map_err(xe)?,
        first,
        stand_ins: data.to_vec(),
    })
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
