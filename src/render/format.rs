//! Display formatting, done in Rust (typst's `str(float)` has no separators, and money must be
//! exact): round half-up only here, at display time (C3).

use crate::error::Lang;
use crate::stats::Value;
use rust_decimal::{Decimal, RoundingStrategy};

/// 1234567.505 → "1,234,567.51" (half-up, two decimals, thousands separators).
pub fn money(d: Decimal) -> String {
    group(
        d.round_dp_with_strategy(2, RoundingStrategy::MidpointAwayFromZero),
        2,
    )
}

/// 0.12345 → "12.3%" (ratio × 100, one decimal, half-up).
pub fn percent(ratio: Decimal) -> String {
    let p = (ratio * Decimal::ONE_HUNDRED)
        .round_dp_with_strategy(1, RoundingStrategy::MidpointAwayFromZero);
    format!("{}%", group(p, 1))
}

/// A quantity: as many decimals as it has (trailing zeros dropped), with separators.
pub fn qty(d: Decimal) -> String {
    let n = d.normalize();
    group(n, n.scale())
}

fn group(d: Decimal, scale: u32) -> String {
    let s = format!("{:.*}", scale as usize, d.abs());
    let (int, frac) = s.split_once('.').map_or((s.as_str(), ""), |(i, f)| (i, f));
    let mut out = String::with_capacity(s.len() + int.len() / 3 + 1);
    if d.is_sign_negative() && !d.is_zero() {
        out.push('-');
    }
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push('.');
        out.push_str(frac);
    }
    out
}

/// How a table cell reads on paper.
pub fn value(v: &Value, lang: Lang) -> String {
    match v {
        Value::Empty => String::new(),
        Value::Text(s) => s.clone(),
        Value::Money(d) => money(*d),
        Value::Int(i) => group(Decimal::from(*i), 0),
        Value::Qty(d) => qty(*d),
        Value::Ratio(r) => percent(*r),
        Value::Date(d) => d.format("%Y-%m-%d").to_string(),
        Value::NotApplicable => "—".into(),
        Value::Missing(sheet) => match lang {
            Lang::Zh => format!("—, 缺少数据: {sheet}"),
            Lang::En => format!("—, missing: {sheet}"),
        },
    }
}

/// A table caption numbered by section (DOMAIN §5.4: 表4-3 style), the same in the PDF and the
/// workbook so a clerk can refer to either.
pub fn caption(section: usize, table: usize, title: &str, lang: Lang) -> String {
    match lang {
        Lang::Zh => format!("表{section}-{table} {title}"),
        Lang::En => format!("Table {section}-{table} {title}"),
    }
}

/// 2024-03-05 → 2024年03月05日 (DOMAIN §5.4 filled date).
pub fn date_zh(d: chrono::NaiveDate) -> String {
    d.format("%Y年%m月%d日").to_string()
}

/// Display width in terminal/Excel columns: CJK and full-width characters count two.
pub fn width(s: &str) -> usize {
    s.chars()
        .map(|c| {
            if (c as u32) >= 0x1100 && !matches!(c as u32, 0x2010..=0x206F) {
                2
            } else {
                1
            }
        })
        .sum()
}

#[cfg(test)]
mod tests {
    use super::*;
    use rust_decimal_macros::dec;

    #[test]
    fn money_rounds_half_up_with_separators() {
        assert_eq!(money(dec!(1234567.505)), "1,234,567.51");
        assert_eq!(money(dec!(-1234.5)), "-1,234.50");
        assert_eq!(money(dec!(0.004)), "0.00");
        assert_eq!(money(dec!(-0.004)), "0.00");
        assert_eq!(money(dec!(999)), "999.00");
        assert_eq!(money(dec!(1000)), "1,000.00");
    }

    #[test]
    fn percent_and_qty() {
        assert_eq!(percent(dec!(0.12345)), "12.3%");
        assert_eq!(percent(dec!(0.00049)), "0.0%");
        assert_eq!(percent(dec!(-0.0125)), "-1.3%");
        assert_eq!(percent(dec!(12.5)), "1,250.0%");
        assert_eq!(qty(dec!(1500.500)), "1,500.5");
        assert_eq!(value(&Value::NotApplicable, Lang::Zh), "—");
    }
}
