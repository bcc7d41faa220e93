//! Charts: one spec, drawn as SVG for the PDF (typst renders its <text> with the bundled fonts, so
//! Chinese labels stay selectable) and as a native chart in the workbook.

use crate::error::Msg;
use crate::stats::{Table, Value};
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

/// A bar chart over a table of the same section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartSpec {
    pub id: String,
    pub title: Msg,
    /// Id of the table (in the same section) the chart draws.
    pub table: String,
    pub source: ChartSource,
}

#[derive(Debug, Clone, PartialEq, Serialize)]
pub enum ChartSource {
    /// One bar per row (totals excluded): label from one column, value from another.
    Rows { category: String, value: String },
    /// One bar per column of the totals row (e.g. ageing buckets), labelled by the column headers.
    TotalsAcross { columns: Vec<String> },
}

/// What a chart shows, resolved against its table: (labels, values, and for the workbook the
/// zero-based (row, col) cells of the categories and values relative to the table's first data row).
pub struct Resolved {
    pub labels: Vec<String>,
    pub values: Vec<Decimal>,
    pub cells: ChartCells,
}

pub enum ChartCells {
    /// Category column and value column, over every data row.
    Columns {
        category: usize,
        value: usize,
        rows: usize,
    },
    /// Header cells (categories) and totals-row cells (values), over a column range.
    TotalsRow { first: usize, last: usize },
}

fn number(v: &Value) -> Option<Decimal> {
    match v {
        Value::Money(d) | Value::Qty(d) => Some(*d),
        Value::Int(i) => Some(Decimal::from(*i)),
        _ => None,
    }
}

impl ChartSpec {
    pub fn resolve(&self, t: &Table, lang: crate::error::Lang) -> Option<Resolved> {
        let col = |k: &str| t.columns.iter().position(|c| c.key == k);
        match &self.source {
            ChartSource::Rows { category, value } => {
                let (c, v) = (col(category)?, col(value)?);
                if t.rows.is_empty() || t.rows.iter().any(|r| number(&r[v]).is_none()) {
                    return None;
                }
                Some(Resolved {
                    labels: t
                        .rows
                        .iter()
                        .map(|r| super::format::value(&r[c], lang))
                        .collect(),
                    values: t
                        .rows
                        .iter()
                        .map(|r| number(&r[v]).unwrap_or_default())
                        .collect(),
                    cells: ChartCells::Columns {
                        category: c,
                        value: v,
                        rows: t.rows.len(),
                    },
                })
            }
            ChartSource::TotalsAcross { columns } => {
                let idx: Vec<usize> = columns.iter().filter_map(|k| col(k)).collect();
                let (first, last) = (*idx.first()?, *idx.last()?);
                // The workbook chart reads a contiguous range; the columns must be adjacent.
                if last - first + 1 != idx.len() {
                    return None;
                }
                let totals = t.totals.as_ref()?;
                Some(Resolved {
                    labels: idx
                        .iter()
                        .map(|i| t.columns[*i].label.get(lang).to_string())
                        .collect(),
                    values: idx
                        .iter()
                        .map(|i| number(&totals[*i]).unwrap_or_default())
                        .collect(),
                    cells: ChartCells::TotalsRow { first, last },
                })
            }
        }
    }
}

/// A horizontal bar chart. `labels` and `values` are parallel. Labels are escaped: they are
/// customer data.
pub fn bar_svg(title: &str, labels: &[String], values: &[Decimal], money: bool) -> Vec<u8> {
    let n = labels.len().max(1);
    let (w, row_h, top, left, right) = (640.0_f64, 24.0_f64, 36.0_f64, 130.0_f64, 120.0_f64);
    let h = top + row_h * n as f64 + 14.0;
    let vals: Vec<f64> = values.iter().map(|v| v.to_f64().unwrap_or(0.0)).collect();
    let max = vals
        .iter()
        .cloned()
        .fold(0.0_f64, |a, b| a.max(b.abs()))
        .max(1e-9);
    let plot = w - left - right;
    let mut s = format!(
        r##"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="Noto Sans CJK SC" font-size="12">"##
    );
    s.push_str(&format!(
        r##"<text x="{}" y="20" text-anchor="middle" font-size="14" font-weight="bold">{}</text>"##,
        w / 2.0,
        esc(title)
    ));
    s.push_str(&format!(
        r##"<line x1="{left}" y1="{top}" x2="{left}" y2="{}" stroke="#555" stroke-width="1"/>"##,
        h - 10.0
    ));
    for (i, (label, v)) in labels.iter().zip(&vals).enumerate() {
        let y = top + row_h * i as f64;
        let bw = (v.abs() / max * plot).max(0.0);
        let color = if *v < 0.0 { "#c0504d" } else { "#4f81bd" };
        let shown: String = label.chars().take(12).collect();
        s.push_str(&format!(
            r##"<text x="{}" y="{}" text-anchor="end">{}</text>"##,
            left - 6.0,
            y + row_h * 0.62,
            esc(&shown)
        ));
        s.push_str(&format!(
            r##"<rect x="{left}" y="{}" width="{bw:.2}" height="{}" fill="{color}"/>"##,
            y + 4.0,
            row_h - 8.0
        ));
        let text = if money {
            super::format::money(values[i])
        } else {
            super::format::qty(values[i])
        };
        s.push_str(&format!(
            r##"<text x="{:.2}" y="{}">{}</text>"##,
            left + bw + 4.0,
            y + row_h * 0.62,
            esc(&text)
        ));
    }
    s.push_str("</svg>");
    s.into_bytes()
}

fn esc(s: &str) -> String {
    let mut o = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '<' => o.push_str("&lt;"),
            '>' => o.push_str("&gt;"),
            '&' => o.push_str("&amp;"),
            '"' => o.push_str("&quot;"),
            '\'' => o.push_str("&apos;"),
            // Control characters are not allowed in XML 1.0.
            c if (c as u32) < 0x20 && !matches!(c, '\t' | '\n' | '\r') => o.push(' '),
            c => o.push(c),
        }
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn labels_are_escaped() {
        let svg = String::from_utf8(bar_svg("t", &["<a&b>".into()], &[dec!(1)], true)).unwrap();
        assert!(svg.contains("&lt;a&amp;b&gt;"));
        assert!(!svg.contains("<a&b>"));
    }
}
