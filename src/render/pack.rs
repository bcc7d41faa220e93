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
                    blocks.push(table_json(t, lang, Some(caption), cfg.report.print_rows));
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
fn table_json(t: &Table, lang: Lang, caption: Option<String>, print_rows: usize) -> J {
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
    json!({
        "type": "table",
        "caption": caption,
        "columns": cols,
        "rows": rows,
        "totals": t.totals.as_ref().map(|r| r.iter().map(cell).collect::<Vec<_>>()),
        "notes": notes,
        "landscape": landscape,
        "small": small,
    })
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
