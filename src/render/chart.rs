//! Charts: one spec, drawn as SVG for the PDF (typst renders its <text> with the bundled fonts, so
//! Chinese labels stay selectable) and as a native chart in the workbook.

use crate::error::Msg;
use rust_decimal::prelude::ToPrimitive;
use rust_decimal::Decimal;
use serde::Serialize;

/// A bar chart over the rows of a table in the same section.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ChartSpec {
    pub id: String,
    pub title: Msg,
    /// Index of the table within its section whose rows the chart shows (totals excluded).
    pub table: usize,
    /// Column holding the category labels.
    pub category_col: usize,
    /// Column holding the values.
    pub value_col: usize,
}

/// A horizontal bar chart. `labels` and `values` are parallel. Labels are escaped: they are
/// customer data.
pub fn bar_svg(title: &str, labels: &[String], values: &[Decimal]) -> Vec<u8> {
    let n = labels.len().max(1);
    let (w, row_h, top, left, right) = (640.0_f64, 26.0_f64, 36.0_f64, 110.0_f64, 120.0_f64);
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
        s.push_str(&format!(
            r##"<text x="{}" y="{}" text-anchor="end">{}</text>"##,
            left - 6.0,
            y + row_h * 0.62,
            esc(label)
        ));
        s.push_str(&format!(
            r##"<rect x="{left}" y="{}" width="{bw:.2}" height="{}" fill="{color}"/>"##,
            y + 4.0,
            row_h - 8.0
        ));
        s.push_str(&format!(
            r##"<text x="{:.2}" y="{}">{}</text>"##,
            left + bw + 4.0,
            y + row_h * 0.62,
            esc(&super::format::money(values[i]))
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
        let svg = String::from_utf8(bar_svg("t", &["<a&b>".into()], &[dec!(1)])).unwrap();
        assert!(svg.contains("&lt;a&amp;b&gt;"));
        assert!(!svg.contains("<a&b>"));
    }
}
