//! Forms: a [`FormSpec`] and records → PDF (through `templates/form.typ`) or an Excel entry
//! template (rust_xlsxwriter). Blank and filled forms come from the same definition.

use super::pdf::Engine;
use super::xlsx::{looks_like_formula, new_workbook};
use crate::error::{Error, Lang, Result};
use crate::forms::{FormSpec, Kind};
use chrono::NaiveDate;
use rust_xlsxwriter::{DataValidation, Format, FormatAlign, FormatBorder, XlsxError};
use std::collections::HashMap;
use typst_layout::PagedDocument;

fn xe(e: XlsxError) -> Error {
    Error::Render(format!("xlsx: {e}"))
}

/// The PDF of a form: one record per page (or pages); no records = the blank form. `date` is the
/// document date (typst's today()), never the clock.
pub fn pdf(
    engine: &Engine,
    spec: &FormSpec,
    records: &[serde_json::Value],
    company: &str,
    lang: Lang,
    date: NaiveDate,
    tagged: bool,
) -> Result<Vec<u8>> {
    let doc = document(engine, spec, records, company, lang, date)?;
    engine.pdf(&doc, &format!("kebiao-form-{}", spec.id), tagged)
}

/// A batch of filled forms laid out, each record's pages numbered 第 x 页 共 y 页 within the record.
///
/// Page numbers are the only thing on a form that needs to know where typst broke the pages, and
/// asking typst (introspection) makes it lay the whole batch out at least twice. So the first
/// layout gives each page body of a record (one, or two when the fill table starts a fresh page)
/// its own page with a fixed footer (one pass); the record markers in the result tell each
/// record's real page count and the count its footers assumed, and only when some record ran
/// over is the batch laid out again with the true counts (footers do not move the body, so the
/// pages stay put).
pub fn document(
    engine: &Engine,
    spec: &FormSpec,
    records: &[serde_json::Value],
    company: &str,
    lang: Lang,
    date: NaiveDate,
) -> Result<PagedDocument> {
    // A form's boxes hold a few lines: a 100,000-character cell would run to hundreds of pages.
    let clipped: Vec<serde_json::Value> = records.iter().map(clip_strings).collect();
    let n = clipped.len().max(1); // no records: the blank form, one empty record
    let mut data = crate::forms::render_data(spec, &clipped, company, lang);
    drop(clipped);
    let compile = |data: &serde_json::Value| -> Result<PagedDocument> {
        let bytes = serde_json::to_vec(data).map_err(|e| Error::Render(format!("json: {e}")))?;
        engine.compile(
            "form.typ",
            HashMap::from([("/data.json".to_string(), bytes)]),
            date,
        )
    };
    set_pages(&mut data, vec![None; n]);
    let doc = compile(&data)?;
    let counts = record_page_counts(&doc, n);
    let assumed = record_assumed_pages(&doc, n);
    let doc = if counts
        .iter()
        .zip(&assumed)
        .all(|(c, a)| c.is_some() && c == a)
    {
        doc
    } else {
        drop(doc);
        set_pages(&mut data, counts);
        compile(&data)?
    };
    // typst's memo cache keeps each batch's layouts for several later compiles (Engine::compile
    // evicts what went unused for 8 of them): with 200 pages a batch that is most of the memory,
    // and no later batch reuses a record's layout. Keep only what the last compile touched, so a
    // run of 10,000 forms holds about one batch per thread, not nine.
    typst::comemo::evict(1);
    Ok(doc)
}

/// `pages` of the form data: each record's page count, `null` = as many as its page bodies.
fn set_pages(data: &mut serde_json::Value, counts: Vec<Option<usize>>) {
    if let Some(obj) = data.as_object_mut() {
        obj.insert("pages".into(), serde_json::json!(counts));
    }
}

/// Each record's page count, from its start and end markers (`kf-s<i>`, `kf-e<i>` in form.typ).
fn record_page_counts(doc: &PagedDocument, n: usize) -> Vec<Option<usize>> {
    (0..n)
        .map(|i| {
            let s = super::pdf::label_page(doc, &format!("kf-s{i}"))?;
            let e = super::pdf::label_page(doc, &format!("kf-e{i}"))?;
            (e >= s).then(|| e - s + 1)
        })
        .collect()
}

/// The page count each record's footers assumed (the value of its start marker `kf-s<i>`).
fn record_assumed_pages(doc: &PagedDocument, n: usize) -> Vec<Option<usize>> {
    (0..n)
        .map(|i| {
            super::pdf::label_int(doc, &format!("kf-s{i}")).and_then(|v| usize::try_from(v).ok())
        })
        .collect()
}

/// Every string of a record cut to what can be printed ([`super::pack::MAX_PRINT_CHARS`]).
fn clip_strings(v: &serde_json::Value) -> serde_json::Value {
    use serde_json::Value as J;
    match v {
        J::String(s) => J::String(super::pack::clip_print(s.clone())),
        J::Array(a) => J::Array(a.iter().map(clip_strings).collect()),
        J::Object(o) => J::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), clip_strings(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// One entry column of a template: the key a filled value lands in, its header, its kind, its
/// options (a drop-down), and its hint.
struct EntryCol<'a> {
    header: &'a str,
    kind: Kind,
    options: Vec<String>,
    hint: Option<&'a str>,
    example: Option<&'a str>,
}

fn entry_columns(spec: &FormSpec) -> Vec<EntryCol<'_>> {
    let mut cols: Vec<EntryCol> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for f in spec.sections.iter().flat_map(|s| s.rows.iter().flatten()) {
        if f.kind == Kind::Label || f.label.is_empty() || !seen.insert(f.label.as_str()) {
            continue;
        }
        let options = match f.kind {
            Kind::Bool if f.options.is_empty() => vec!["是".to_string(), "否".to_string()],
            Kind::OptionAmount => f
                .amounts
                .iter()
                .map(|a| a.option.clone())
                .chain(f.options.iter().cloned())
                .collect(),
            _ => f.options.clone(),
        };
        cols.push(EntryCol {
            header: &f.label,
            kind: f.kind,
            options,
            hint: f.hint.as_deref(),
            example: f.example.as_deref(),
        });
    }
    cols
}

/// The sheet name a filled template must carry so `check` and `pack` recognise it as its input
/// table (DOMAIN §3.0.1 keywords), or the form's title when it feeds no table.
fn sheet_name(spec: &FormSpec) -> String {
    let canonical = match spec.source.as_deref() {
        Some("customers") => "客户信息表",
        Some("sales_lines") | Some("sales") => "销售明细",
        Some("returns") => "退货记录",
        Some("receipts") => "收款记录",
        Some("interactions") => "客户互动记录",
        Some("complaints") => "投诉记录",
        Some("credit_surveys") => "信用调查",
        Some("salespeople") => "业务员",
        Some("targets") => "销售目标",
        Some("products") => "产品",
        _ => "",
    };
    let name = if canonical.is_empty() {
        spec.title.as_str()
    } else {
        canonical
    };
    // Excel sheet names: at most 31 characters, none of []:*?/\
    name.chars()
        .filter(|c| !"[]:*?/\\".contains(*c))
        .take(31)
        .collect()
}

/// The Excel entry template of a form: one column per field, a drop-down for every option list,
/// date and money formats, frozen header, widths that fit Chinese labels, A4 print setup, each
/// repeating table as its own sheet, and a 填写说明 sheet (字段名称 | 字段说明 | 示例内容, after a 用途 line).
pub fn entry_template(spec: &FormSpec) -> Result<Vec<u8>> {
    const ROWS: u32 = 1000; // validated entry rows
    let mut wb = new_workbook();
    let header = Format::new()
        .set_bold()
        .set_border(FormatBorder::Thin)
        .set_background_color("D9D9D9")
        .set_align(FormatAlign::Center)
        .set_text_wrap();
    let date = Format::new().set_num_format("yyyy-mm-dd");
    let datetime = Format::new().set_num_format("yyyy-mm-dd hh:mm");
    let money = Format::new().set_num_format("#,##0.00");
    let text = Format::new().set_num_format("@");
    let cols = entry_columns(spec);
    {
        let ws = wb.add_worksheet();
        ws.set_name(sheet_name(spec)).map_err(xe)?;
        for (c, col) in cols.iter().enumerate() {
            let c16 = c as u16;
            ws.write_string_with_format(0, c16, col.header, &header)
                .map_err(xe)?;
            let width = (super::format::width(col.header) + 4).max(10) as f64;
            let fmt = match col.kind {
                Kind::Date => &date,
                Kind::Datetime => &datetime,
                Kind::Money => &money,
                Kind::Number => &Format::new(),
                _ => &text, // identifiers and phone numbers stay text: leading zeros survive
            };
            ws.set_column_width(c16, width).map_err(xe)?;
            ws.set_column_format(c16, fmt).map_err(xe)?;
            if !col.options.is_empty() {
                let list: Vec<&str> = col.options.iter().map(String::as_str).collect();
                let joined: usize = list.iter().map(|s| s.chars().count() + 1).sum();
                // Excel's inline list is limited to 255 characters; longer lists stay free text.
                if joined <= 255 {
                    let v = DataValidation::new()
                        .allow_list_strings(&list)
                        .map_err(xe)?;
                    // Several choices go in one cell ("a、b"), so a multi list only suggests.
                    let v = if col.kind == Kind::Multi {
                        v.show_error_message(false)
                    } else {
                        v
                    };
                    ws.add_data_validation(1, c16, ROWS, c16, &v).map_err(xe)?;
                }
            }
        }
        ws.set_freeze_panes(1, 0).map_err(xe)?;
        ws.set_paper_size(9);
        if cols.len() > 8 {
            ws.set_landscape();
        }
        ws.set_print_fit_to_pages(1, 0);
        ws.set_repeat_rows(0, 0).map_err(xe)?;
    }
    for (ti, t) in spec
        .sections
        .iter()
        .filter_map(|s| s.table.as_ref().map(|t| (s, t)))
        .enumerate()
    {
        let (section, table) = t;
        let ws = wb.add_worksheet();
        let title = section
            .title
            .clone()
            .unwrap_or_else(|| format!("明细{}", ti + 1));
        let name: String = title
            .chars()
            .filter(|c| !"[]:*?/\\".contains(*c))
            .take(28)
            .collect();
        ws.set_name(&name).map_err(xe)?;
        for (c, col) in table.columns.iter().enumerate() {
            let label = match &col.group {
                Some(g) => format!("{g}/{}", col.label),
                None => col.label.clone(),
            };
            ws.write_string_with_format(0, c as u16, &label, &header)
                .map_err(xe)?;
            ws.set_column_width(c as u16, (super::format::width(&label) + 4).max(10) as f64)
                .map_err(xe)?;
            match col.kind {
                Kind::Money => {
                    ws.set_column_format(c as u16, &money).map_err(xe)?;
                }
                Kind::Date => {
                    ws.set_column_format(c as u16, &date).map_err(xe)?;
                }
                _ => {}
            }
        }
        for (r, label) in table.row_labels.iter().enumerate() {
            for (c, cell) in label.cells().iter().enumerate() {
                if let Some(s) = cell {
                    let f = if looks_like_formula(s) {
                        Format::new().set_quote_prefix()
                    } else {
                        Format::new()
                    };
                    ws.write_string_with_format(r as u32 + 1, c as u16, *s, &f)
                        .map_err(xe)?;
                }
            }
        }
        ws.set_freeze_panes(1, 0).map_err(xe)?;
        ws.set_paper_size(9);
        ws.set_print_fit_to_pages(1, 0);
    }
    {
        let ws = wb.add_worksheet();
        ws.set_name("填写说明").map_err(xe)?;
        let bold = Format::new().set_bold();
        ws.write_string_with_format(0, 0, &spec.title, &bold)
            .map_err(xe)?;
        let purpose = spec
            .purpose
            .clone()
            .unwrap_or_else(|| format!("用途: 登记{}。每行一条记录, 表头请勿修改。", spec.title));
        let purpose = if purpose.starts_with("用途") {
            purpose
        } else {
            format!("用途: {purpose}")
        };
        ws.write_string(1, 0, &purpose).map_err(xe)?;
        for (c, h) in ["字段名称", "字段说明", "示例内容"].iter().enumerate() {
            ws.write_string_with_format(3, c as u16, *h, &header)
                .map_err(xe)?;
        }
        for (i, col) in cols.iter().enumerate() {
            let r = 4 + i as u32;
            ws.write_string(r, 0, col.header).map_err(xe)?;
            let mut hint = col
                .hint
                .map(str::to_string)
                .unwrap_or_else(|| match col.kind {
                    Kind::Date => "日期, 如 2024-03-05".into(),
                    Kind::Datetime => "日期时间, 如 2024-03-05 14:30".into(),
                    Kind::Money => "金额(元), 只填数字".into(),
                    Kind::Number => "数字".into(),
                    _ => String::new(),
                });
            if !col.options.is_empty() {
                if !hint.is_empty() {
                    hint.push_str("; ");
                }
                hint.push_str(&format!("可选: {}", col.options.join(" / ")));
            }
            ws.write_string(r, 1, &hint).map_err(xe)?;
            if let Some(e) = col.example {
                let f = if looks_like_formula(e) {
                    Format::new().set_quote_prefix()
                } else {
                    Format::new()
                };
                ws.write_string_with_format(r, 2, e, &f).map_err(xe)?;
            }
        }
        ws.set_column_width(0, 18).map_err(xe)?;
        ws.set_column_width(1, 50).map_err(xe)?;
        ws.set_column_width(2, 30).map_err(xe)?;
    }
    wb.save_to_buffer().map_err(xe)
}
