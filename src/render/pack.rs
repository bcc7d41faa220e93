//! The pack as a typst document: [`Pack`] → RenderModel JSON (`/data.json`) + chart SVGs →
//! `templates/report.typ` → PDF bytes. Values are formatted here, in Rust; typst only places text.

use super::chart;
use super::format;
use super::pdf::Engine;
use crate::config::Config;
use crate::error::{Lang, Result};
use crate::report::{Block, Pack};
use crate::stats::{Kind, Table};
use chrono::Datelike;
use serde_json::{json, Value as J};
use std::collections::HashMap;

/// The data typst receives, and the in-memory files it may read.
pub fn model(pack: &Pack, lang: Lang, cfg: &Config) -> (J, HashMap<String, Vec<u8>>) {
    let mut files = HashMap::new();
    let zh = lang == Lang::Zh;
    let due = pack
        .month
        .next()
        .first_day()
        .with_day0(cfg.report.due_day.saturating_sub(1))
        .unwrap_or(pack.report_date);
    let mut sections = Vec::new();
    for (si, s) in pack.sections.iter().enumerate() {
        let num = si + 1;
        let tables: Vec<&Table> = s.tables().collect();
        let mut blocks = Vec::new();
        let mut tno = 0;
        for b in &s.blocks {
            match b {
                Block::Table(t) => {
                    tno += 1;
                    let caption = format::caption(num, tno, t.title.get(lang), lang);
                    blocks.push(table_json(
                        t,
                        lang,
                        Some(caption),
                        cfg.report.print_rows,
                        cfg.fonts.families.is_empty(),
                    ));
                }
                Block::Chart(c) => {
                    let Some(t) = tables.iter().find(|t| t.id == c.table) else {
                        continue;
                    };
                    let Some(r) = c.resolve(t, lang) else {
                        continue;
                    };
                    let money = match &c.source {
                        chart::ChartSource::Rows { value, .. } => t
                            .columns
                            .iter()
                            .any(|col| col.key == *value && col.kind == Kind::Money),
                        chart::ChartSource::TotalsAcross { .. } => true,
                    };
                    let file = format!("/charts/{si}-{}.svg", c.id);
                    files.insert(
                        file.clone(),
                        chart::bar_svg(c.title.get(lang), &r.labels, &r.values, money),
                    );
                    blocks.push(
                        json!({"type": "chart", "file": file, "caption": J::Null, "width-pct": 95}),
                    );
                }
                Block::Text(m) => blocks.push(json!({"type": "text", "text": m.get(lang)})),
                Block::Missing(m) => blocks.push(json!({"type": "missing", "text": m.get(lang)})),
            }
        }
        sections.push(json!({"title": format!("{num}  {}", s.title.get(lang)), "blocks": blocks}));
    }
    let (title, period_label) = if zh {
        ("月度客户管理报告", "报告期")
    } else {
        ("Monthly Customer Management Report", "Period")
    };
    let period = if zh {
        pack.month.zh()
    } else {
        pack.month.to_string()
    };
    let cover: Vec<[String; 2]> = if zh {
        vec![
            ["公司".into(), pack.company.clone()],
            ["报告期".into(), pack.month.zh()],
            ["编制部门".into(), pack.department.clone()],
            ["报告日期".into(), format::date_zh(pack.report_date)],
            [
                "提交截止".into(),
                format!(
                    "{} (每月{}日前提交上月报告)",
                    format::date_zh(due),
                    cfg.report.due_day
                ),
            ],
        ]
    } else {
        vec![
            ["Company".into(), pack.company.clone()],
            ["Period".into(), pack.month.to_string()],
            ["Prepared by".into(), pack.department.clone()],
            ["Report date".into(), pack.report_date.to_string()],
            ["Due".into(), due.to_string()],
        ]
    };
    let signoff: Vec<&str> = if zh {
        vec![
            "编制人员",
            "审核人员",
            "批准人员",
            "编制日期",
            "审核日期",
            "批准日期",
        ]
    } else {
        vec![
            "Prepared by",
            "Reviewed by",
            "Approved by",
            "Date",
            "Date",
            "Date",
        ]
    };
    let data = json!({
        "lang": if zh { "zh" } else { "en" },
        "fonts": cfg.fonts.families,
        "title": title,
        "company": pack.company,
        "period": period,
        "labels": {
            "period": period_label,
            "contents": if zh { "目  录" } else { "Contents" },
            "page-of": if zh { ["第 ", " 页  共 ", " 页"] } else { ["Page ", " of ", ""] },
        },
        "cover": cover,
        "signoff": signoff,
        "sections": sections,
    });
    (data, files)
}

/// At most this many characters of one cell go on paper: a 100,000-character cell would be
/// hundreds of pages of one table row. The workbook keeps the text (up to Excel's cell limit).
pub const MAX_PRINT_CHARS: usize = 300;

/// A cell's text as printed: cut to [`MAX_PRINT_CHARS`], ending with "…" when cut.
pub fn clip_print(s: String) -> String {
    if s.len() <= MAX_PRINT_CHARS || s.chars().count() <= MAX_PRINT_CHARS {
        return s;
    }
    let mut t: String = s.chars().take(MAX_PRINT_CHARS - 1).collect();
    t.push('…');
    t
}

/// At most `print_rows` rows of one table go on paper (`report.print_rows`); the rest are in the
/// workbook (a 10,000-row problem list helps nobody in print). At least one row is always shown.
///
/// `bundled_fonts`: the values print in the bundled CJK face (no company font configured), so
/// kebiao can tell which rows print on one line (see [`one_line_rows`]).
fn table_json(
    t: &Table,
    lang: Lang,
    caption: Option<String>,
    print_rows: usize,
    bundled_fonts: bool,
) -> J {
    let shown = t.rows.len().min(print_rows.max(1));
    let cell = |v: &crate::stats::Value| clip_print(format::value(v, lang));
    // Each column gets a share of the line in proportion to its widest cell (capped, so one long
    // remark cannot squeeze the numbers); long text wraps inside its cell. A table too wide for
    // a portrait page goes on a landscape page (DOMAIN §4: wide tables are landscape pages).
    let shares: Vec<usize> = t
        .columns
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let widest = t.rows[..shown]
                .iter()
                .chain(t.totals.iter())
                .map(|r| format::width(&cell(&r[i])))
                .chain(std::iter::once(format::width(c.label.get(lang)).min(12)))
                .max()
                .unwrap_or(4);
            widest.clamp(4, 28) + 3
        })
        .collect();
    let total: usize = shares.iter().sum();
    let landscape = total > 96;
    let small = total > 140;
    let cols: Vec<J> = t
        .columns
        .iter()
        .zip(&shares)
        .map(|(c, share)| {
            let align = match c.kind {
                Kind::Text => "left",
                Kind::Date => "center",
                _ => "right",
            };
            json!({"label": c.label.get(lang), "align": align, "width": format!("{share}fr")})
        })
        .collect();
    let rows: Vec<Vec<String>> = t.rows[..shown]
        .iter()
        .map(|r| r.iter().map(cell).collect())
        .collect();
    let mut notes: Vec<String> = t.notes.iter().map(|n| n.get(lang).to_string()).collect();
    if shown < t.rows.len() {
        // The 合计 row sums every row, not only the printed ones: say so, or the page looks wrong.
        let (zh_total, en_total) = if t.totals.is_some() {
            (" (合计为全部行之和)", " (the total is over all rows)")
        } else {
            ("", "")
        };
        notes.push(match lang {
            Lang::Zh => format!(
                "共 {} 行, 此处列出前 {shown} 行{zh_total}, 全部见 Excel 工作簿。",
                t.rows.len()
            ),
            Lang::En => format!(
                "{} rows; the first {shown} are printed{en_total}, all are in the workbook.",
                t.rows.len()
            ),
        });
    }
    let one_line = if bundled_fonts {
        one_line_rows(&rows, &shares, landscape, small)
    } else {
        Vec::new()
    };
    json!({
        "type": "table",
        "caption": caption,
        "columns": cols,
        "one-line": one_line,
        "rows": rows,
        "totals": t.totals.as_ref().map(|r| r.iter().map(cell).collect::<Vec<_>>()),
        "notes": notes,
        "landscape": landscape,
        "small": small,
    })
}

/// Text width of a portrait and a landscape A4 page between the template's 20 mm side margins,
/// in pt.
const TEXT_WIDTH_PT: (f64, f64) = (170.0 * 72.0 / 25.4, 257.0 * 72.0 / 25.4);
/// The template's cell inset on each side (`inset: (x: 4pt, …)`), in pt.
const CELL_INSET_PT: f64 = 4.0;

/// For each printed row of a table, whether every cell of it surely prints on one line: then the
/// template gives the row the height of one line instead of an automatic height, and typst lays
/// its cells out once instead of measuring them first (an automatic row is laid out twice; this
/// halved the PDF's layout time). The columns are fractions of the text width in proportion to
/// `shares` (as the template sets them), so a cell's width is known; a text fits when an upper
/// bound of its printed width at the table's text size is inside it, or when it cannot wrap.
/// A row keeps its automatic height when any cell may wrap or holds a line break, when a
/// character is missing from the CJK face (a fallback face may be taller), or when every cell
/// is empty (an empty row is only as tall as its insets). Only an upper bound matters: a row
/// wrongly left automatic is laid out as before, never printed differently.
fn one_line_rows(
    rows: &[Vec<String>],
    shares: &[usize],
    landscape: bool,
    small: bool,
) -> Vec<bool> {
    let width = if landscape {
        TEXT_WIDTH_PT.1
    } else {
        TEXT_WIDTH_PT.0
    };
    let size = if small { 8.5 } else { 10.5 };
    let total: usize = shares.iter().sum::<usize>().max(1);
    // Half a point to spare against rounding in typst's fraction arithmetic.
    let inner: Vec<f64> = shares
        .iter()
        .map(|s| width * *s as f64 / total as f64 - 2.0 * CELL_INSET_PT - 0.5)
        .collect();
    let fits = |s: &str, room: f64| match printed_em(s) {
        Some(em) => em * size <= room || unbreakable(s),
        None => false,
    };
    rows.iter()
        .map(|r| {
            r.iter().any(|s| !s.is_empty()) && r.iter().zip(&inner).all(|(s, room)| fits(s, *room))
        })
        .collect()
}

/// An upper bound in em of the printed width of `s` in the bundled CJK face: the filled forms'
/// bound ([`crate::forms::printed_width_em`]), so both ask one question one way. `None` when a
/// character may print from another face (missing from the CJK face: its line may be taller)
/// or breaks the line (a control character).
fn printed_em(s: &str) -> Option<f64> {
    for c in s.chars() {
        if c.is_control() || matches!(c, '\u{2028}' | '\u{2029}') {
            return None;
        }
        super::pdf::cjk_advance(c)?;
    }
    Some(crate::forms::printed_width_em(s))
}

/// Texts that never wrap, however narrow the cell (they run over its edge instead): codes of
/// ASCII letters and digits, numbers as the report prints them (-1,234.50, 12.5%) and ISO
/// dates. Unicode's line-breaking rules (UAX #14, which typst follows) give no break
/// opportunity inside a run of letters and digits (LB28, LB23, LB25), nor inside a number with
/// its separators, sign and percent sign (LB25), nor around the hyphens of a date (HY × NU);
/// hyphenation is off (the report is not justified).
fn unbreakable(s: &str) -> bool {
    let b = s.as_bytes();
    let code = !b.is_empty() && b.iter().all(|c| c.is_ascii_alphanumeric());
    let digits = s.strip_prefix('-').unwrap_or(s);
    let digits = digits.strip_suffix('%').unwrap_or(digits);
    let number = digits.starts_with(|c: char| c.is_ascii_digit())
        && digits.ends_with(|c: char| c.is_ascii_digit())
        && digits
            .bytes()
            .all(|c| c.is_ascii_digit() || c == b',' || c == b'.');
    let date = b.len() == 10
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            _ => c.is_ascii_digit(),
        });
    code || number || date
}

/// The PDF of a pack.
///
/// # Errors
/// typst reports an error in a template (a company override, most likely); the message names
/// the template file and line.
pub fn pdf(
    engine: &Engine,
    pack: &Pack,
    lang: Lang,
    cfg: &Config,
) -> Result<(Vec<u8>, typst_layout::PagedDocument)> {
    let (data, mut files) = model(pack, lang, cfg);
    files.insert(
        "/data.json".into(),
        serde_json::to_vec(&data).expect("JSON of plain values"),
    );
    let doc = engine.compile("report.typ", files, pack.report_date)?;
    let bytes = engine.pdf(&doc, &format!("kebiao-pack-{}", pack.month), true)?;
    Ok((bytes, doc))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::Msg;
    use crate::stats::{Column, Value};
    use chrono::NaiveDate;
    use rust_decimal::Decimal;

    #[test]
    fn codes_numbers_and_dates_never_wrap() {
        for s in [
            "SLSM2016002",
            "S001",
            "-1,234,567.50",
            "12.5%",
            "-0.3%",
            "2026-01-02",
            "7",
        ] {
            assert!(unbreakable(s), "{s}");
        }
        for s in [
            "", "一组", "A-B", "12 34", "2026-1-2", "1,2,", ",5", "-", "%", "12.5%%",
        ] {
            assert!(!unbreakable(s), "{s}");
        }
    }

    #[test]
    fn rows_that_may_wrap_keep_their_automatic_height() {
        let shares = [14, 31, 17];
        let row = |a: &str, b: &str, c: &str| vec![a.to_string(), b.to_string(), c.to_string()];
        let rows = [
            row("SLSM2016002", "厦门金鼎实业有限责任公司", "1,234.50"),
            // 30 Han characters: wider than a 31/62 share of the portrait text width.
            row("S1", &"华".repeat(30), "1.00"),
            row("S2", "第一行\n第二行", "1.00"),
            row("", "", ""),
            // A code far wider than its column runs over its edge: still one line.
            row(&"X".repeat(40), "名称", "2026-01-02"),
            // Missing from the CJK face: a fallback face may be taller.
            row("S3", "\u{1F600}", "1.00"),
        ];
        assert_eq!(
            one_line_rows(&rows, &shares, false, false),
            [true, false, false, false, true, false]
        );
        // On a landscape page at the small size the 30 characters fit.
        assert!(one_line_rows(&rows[1..2], &shares, true, true)[0]);
    }

    fn text(s: &str) -> Value {
        Value::Text(s.into())
    }

    /// Tables whose rows straddle the one-line limit: names of 1 to 40 Han characters, Latin
    /// names with spaces, codes, money, dates; one wide table (landscape, small text).
    fn straddling_tables() -> Vec<Table> {
        let col = |k: &str, kind| Column::new(k, k, k, kind);
        let mut narrow = Table {
            id: "t1".into(),
            title: Msg::new("t1", "t1"),
            columns: vec![
                col("编号", Kind::Text),
                col("名称", Kind::Text),
                col("金额", Kind::Money),
                col("日期", Kind::Date),
                col("比率", Kind::Percent),
            ],
            rows: Vec::new(),
            totals: None,
            notes: Vec::new(),
        };
        for k in 1..=40 {
            let latin = "Trading Co Ltd ".repeat(k / 6 + 1);
            narrow.rows.push(vec![
                text(&format!("SLSM2026{k:03}")),
                text(&if k % 3 == 0 { latin } else { "华".repeat(k) }),
                Value::Money(Decimal::new(123_456_789 * k as i64, 2)),
                Value::Date(NaiveDate::from_ymd_opt(2026, 1, k as u32 % 28 + 1).unwrap()),
                Value::Ratio(Decimal::new(k as i64, 3)),
            ]);
        }
        narrow.totals = Some(vec![
            text("合计"),
            Value::Empty,
            Value::Money(Decimal::new(999_999_999, 2)),
            Value::Empty,
            Value::Empty,
        ]);
        let mut wide = Table {
            id: "t2".into(),
            title: Msg::new("t2", "t2"),
            columns: (0..16)
                .map(|i| {
                    col(
                        &format!("列{i}"),
                        if i % 2 == 0 { Kind::Text } else { Kind::Money },
                    )
                })
                .collect(),
            rows: Vec::new(),
            totals: None,
            notes: Vec::new(),
        };
        for k in 1..=30 {
            wide.rows.push(
                (0..16)
                    .map(|i| {
                        if i % 2 == 0 {
                            text(&"客户".repeat(k % 9 + 1))
                        } else {
                            Value::Money(Decimal::new(10_i64.pow((k % 12) as u32), 2))
                        }
                    })
                    .collect(),
            );
        }
        vec![narrow, wide]
    }

    /// The PDF of the tables as the pack's template draws them, with or without kebiao's
    /// one-line marks.
    fn tables_pdf(tables: &[Table], marks: bool) -> Vec<u8> {
        let blocks: Vec<J> = tables
            .iter()
            .map(|t| {
                let mut b = table_json(t, Lang::Zh, Some(t.id.clone()), 100, true);
                if !marks {
                    b.as_object_mut().unwrap().remove("one-line");
                }
                b
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("t.typ"),
            r#"#import "lib.typ": *
#let d = json("/data.json")
#show: setup.with(lang: "zh", fonts: ())
#set page(paper: "a4", margin: (x: 20mm, top: 22mm, bottom: 20mm))
#for b in d.blocks {
  let body = if b.small { set text(size: 8.5pt); data-table(b) } else { data-table(b) }
  if b.landscape { page(flipped: true, body) } else { body }
}
"#,
        )
        .unwrap();
        let e = Engine::new(Some(dir.path()), &[]).unwrap();
        let files = HashMap::from([(
            "/data.json".to_string(),
            serde_json::to_vec(&json!({ "blocks": blocks })).unwrap(),
        )]);
        let doc = e
            .compile(
                "t.typ",
                files,
                NaiveDate::from_ymd_opt(2026, 11, 1).unwrap(),
            )
            .unwrap();
        e.pdf(&doc, "t", false).unwrap()
    }

    #[test]
    fn one_line_rows_print_exactly_as_automatic_rows() {
        let tables = straddling_tables();
        let marks: Vec<J> = tables
            .iter()
            .map(|t| table_json(t, Lang::Zh, None, 100, true)["one-line"].clone())
            .collect();
        // Both kinds of row in both tables, and the wide one on a landscape page.
        for m in &marks {
            let m = m.as_array().unwrap();
            assert!(m.iter().any(|x| x == true) && m.iter().any(|x| x == false));
        }
        assert_eq!(
            table_json(&tables[1], Lang::Zh, None, 100, true)["landscape"],
            true
        );
        // A row marked one-line that wrapped would be shorter than its automatic height, and
        // every later row and page would move.
        assert!(tables_pdf(&tables, true) == tables_pdf(&tables, false));
        // Company fonts: no marks (their widths and line heights are not known here).
        assert_eq!(
            table_json(&tables[0], Lang::Zh, None, 100, false)["one-line"],
            json!([])
        );
    }
}
