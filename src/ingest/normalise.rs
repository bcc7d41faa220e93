//! One pure function per type of the DOMAIN §3 vocabulary (text, id, date, datetime, month,
//! money, qty, int, bool, enum). Each takes a [`Cell`] and returns the typed value, `Ok(None)` for
//! a blank cell, or [`Bad`] with a clerk-facing reason. No I/O, no clock, no allocation on the
//! common path beyond the value returned.

use super::cell::{fmt_float, Cell};
use crate::error::{clip, Msg};
use chrono::{Datelike, NaiveDate, NaiveDateTime, NaiveTime, Timelike};
use rust_decimal::prelude::FromPrimitive;
use rust_decimal::Decimal;
use std::borrow::Cow;
use std::str::FromStr;

/// Why a value could not be read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Bad(pub Msg);

fn bad(zh: impl Into<String>, en: impl Into<String>) -> Bad {
    Bad(Msg::new(zh, en))
}

/// How to read an ambiguous `1/2/2024`: month first (US exports) or day first. Unset: neither
/// is guessed and such a date is rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum DateOrder {
    #[default]
    YearFirst,
    MonthFirst,
    DayFirst,
}

/// Per-sheet reading context.
#[derive(Debug, Clone, Copy, Default)]
pub struct Ctx {
    /// The workbook counts serials from 1904-01-01 (old Mac Excel).
    pub is_1904: bool,
    pub date_order: DateOrder,
}

/// True when NFKC would change something we care about: full-width ASCII, the ideographic
/// space, or other compatibility forms. Checked first so plain text is not copied.
fn needs_nfkc(s: &str) -> bool {
    // Every such character is written in UTF-8 with a lead byte E2 (U+2460–24FF), E3 (U+3000)
    // or EF (U+FF01–FF5E, U+FFE0–FFEE): text without those bytes (ASCII codes, most Chinese
    // text) is answered without decoding it.
    if !s.bytes().any(|b| matches!(b, 0xE2 | 0xE3 | 0xEF)) {
        return false;
    }
    s.chars().any(|c| {
        ('\u{FF01}'..='\u{FF5E}').contains(&c)
            || c == '\u{3000}'
            || ('\u{2460}'..='\u{24FF}').contains(&c)
            || ('\u{FFE0}'..='\u{FFEE}').contains(&c)
    })
}

/// NFKC only when needed (full-width digits and punctuation to half-width).
pub fn nfkc(s: &str) -> Cow<'_, str> {
    if needs_nfkc(s) {
        use unicode_normalization::UnicodeNormalization;
        Cow::Owned(s.nfkc().collect())
    } else {
        Cow::Borrowed(s)
    }
}

/// Errors and uncached formulas are never read as values.
#[inline]
fn check_special(c: &Cell) -> Result<(), Bad> {
    match c {
        Cell::Error(_) | Cell::NoCache => special(c),
        _ => Ok(()),
    }
}

/// The problem of an error value or an uncached formula (kept out of line: every read of a
/// cell asks, hardly any cell is one).
#[cold]
#[inline(never)]
fn special(c: &Cell) -> Result<(), Bad> {
    match c {
        Cell::Error(e) => {
            let e = clip(e);
            Err(bad(
                format!("单元格是错误值 {e}"),
                format!("the cell holds the error value {e}"),
            ))
        }
        Cell::NoCache => Err(bad(
            "公式没有保存计算结果(请在 Excel 中打开、计算并保存)",
            "formula without a saved result (open, recalculate and save it in Excel)",
        )),
        _ => Ok(()),
    }
}

/// Free text: trimmed; numbers written without a spurious `.0`; booleans as 是/否.
pub fn text(c: &Cell) -> Result<Option<String>, Bad> {
    check_special(c)?;
    Ok(match c {
        Cell::Empty => None,
        Cell::Text(s) => {
            let t = s.trim();
            if t.is_empty() {
                None
            } else {
                Some(t.to_string())
            }
        }
        Cell::Float(f) => Some(fmt_float(*f)),
        Cell::Int(i) => Some(i.to_string()),
        Cell::Bool(b) => Some(if *b { "是" } else { "否" }.to_string()),
        Cell::DateTime(_) | Cell::Duration(_) => Some(c.raw()),
        Cell::Error(_) | Cell::NoCache => None,
    })
}

fn looks_scientific(s: &str) -> bool {
    let b = s.as_bytes();
    let Some(e) = b.iter().position(|&x| x == b'e' || x == b'E') else {
        return false;
    };
    let (m, x) = (&s[..e], &s[e + 1..]);
    let x = x.strip_prefix('+').unwrap_or(x);
    !m.is_empty()
        && m.bytes().all(|c| c.is_ascii_digit() || c == b'.')
        && m.bytes().next().is_some_and(|c| c.is_ascii_digit())
        && !x.is_empty()
        && x.bytes().all(|c| c.is_ascii_digit())
}

/// An identifier (客户编号, 订单号, phone number ...): always text, leading zeros kept, full-width
/// folded. A number of 15 or more digits has lost digits in Excel (a double holds 15–17
/// significant digits) and is reported as damaged, never repaired.
pub fn id(c: &Cell) -> Result<Option<String>, Bad> {
    check_special(c)?;
    match c {
        Cell::Float(f) => {
            if !f.is_finite() {
                return Err(bad(
                    "编号不是有效数字",
                    "the identifier is not a valid number",
                ));
            }
            if f.abs() >= 1e15 {
                return Err(damaged(&fmt_float(*f)));
            }
            Ok(Some(fmt_float(*f)))
        }
        Cell::Int(i) => {
            if i.unsigned_abs() >= 1_000_000_000_000_000 {
                return Err(damaged(&i.to_string()));
            }
            Ok(Some(i.to_string()))
        }
        Cell::Text(s) => {
            let t = nfkc(s.trim()).trim().to_string();
            if t.is_empty() {
                return Ok(None);
            }
            if looks_scientific(&t) {
                return Err(damaged(&t));
            }
            Ok(Some(t))
        }
        other => text(other),
    }
}

fn damaged(raw: &str) -> Bad {
    let raw = clip(raw);
    bad(
        format!("编号 {raw} 已被 Excel 存成数字,后几位已丢失,无法恢复(请把该列设为文本后重新录入)"),
        format!("identifier {raw} was stored as a number by Excel and has lost its last digits; it cannot be recovered (format the column as text and re-enter it)"),
    )
}

/// Excel serial → date. Serial 60 is Excel's phantom 1900-02-29; below it the 1900 system is
/// off by one (Lotus bug), so days are counted from 1899-12-31 there.
fn serial_to_datetime(serial: f64, is_1904: bool) -> Option<NaiveDateTime> {
    if !serial.is_finite() || !(0.0..2_958_466.0).contains(&serial) {
        return None;
    }
    let base = NaiveDate::from_ymd_opt(1899, 12, 30)?.and_time(NaiveTime::MIN);
    // Excel 1904-based workbooks shift serials by 1462 days (corpus: date_1904.xlsx).
    let mut days = serial;
    if is_1904 {
        days += 1462.0;
    } else if days < 60.0 {
        days += 1.0;
    }
    let ms = (days * 86_400_000.0).round() as i64;
    base.checked_add_signed(chrono::Duration::milliseconds(ms))
}

fn ymd(y: i64, m: i64, d: i64) -> Option<NaiveDate> {
    if !(1000..=9999).contains(&y) {
        return None;
    }
    NaiveDate::from_ymd_opt(y as i32, u32::try_from(m).ok()?, u32::try_from(d).ok()?)
}

/// A number typed into a date column: 20230515 or an Excel serial.
fn number_to_datetime(f: f64, ctx: Ctx) -> Option<NaiveDateTime> {
    if f.fract() == 0.0 && (10_000_101.0..=99_991_231.0).contains(&f) {
        let n = f as i64;
        return ymd(n / 10_000, n / 100 % 100, n % 100).map(|d| d.and_time(NaiveTime::MIN));
    }
    if (1.0..2_958_466.0).contains(&f) {
        return serial_to_datetime(f, ctx.is_1904);
    }
    None
}

/// Strip a weekday written after a date: `2018-01-01 星期五`, `(周一)`, `礼拜三`. The weekday is
/// not checked (corpus: 朝阳医院2018销售 has wrong weekdays); the date is what counts.
fn strip_weekday(s: &str) -> &str {
    let mut t = s.trim_end();
    for close in [")", "）"] {
        if let Some(x) = t.strip_suffix(close) {
            if let Some(p) = x.rfind(['(', '（']) {
                let inner = &x[p..];
                if inner.contains("星期") || inner.contains('周') || inner.contains("礼拜") {
                    t = x[..p].trim_end();
                }
            }
        }
    }
    for w in ["星期", "礼拜", "周"] {
        if let Some(p) = t.rfind(w) {
            let tail = &t[p + w.len()..];
            if tail.chars().count() == 1
                && "一二三四五六日天".contains(tail)
                && (p == 0
                    || t[..p].ends_with([' ', '\t', '日'])
                    || t[..p].ends_with(|c: char| c.is_ascii_digit()))
            {
                t = t[..p].trim_end();
                break;
            }
        }
    }
    t
}

/// Parse the date part of a text: 2023-05-15, 2023/5/15, 2023.5.15, 2023年5月15日, 20230515,
/// and with a [`DateOrder`] 5/15/2023 or 15/5/2023.
fn parse_date_part(s: &str, order: DateOrder) -> Option<NaiveDate> {
    let s = s.trim();
    if s.len() == 8 && s.bytes().all(|b| b.is_ascii_digit()) {
        let n: i64 = s.parse().ok()?;
        return ymd(n / 10_000, n / 100 % 100, n % 100);
    }
    let mut parts = [0i64; 3];
    let mut lens = [0usize; 3];
    let mut k = 0usize;
    let mut in_num = false;
    for ch in s.chars() {
        if let Some(d) = ch.to_digit(10) {
            if !in_num {
                if k >= 3 {
                    return None;
                }
                in_num = true;
                k += 1;
            }
            let i = k - 1;
            lens[i] += 1;
            if lens[i] > 4 {
                return None;
            }
            parts[i] = parts[i] * 10 + i64::from(d);
        } else {
            in_num = false;
            if !matches!(ch, '-' | '/' | '.' | '年' | '月' | '日' | '号' | ' ') {
                return None;
            }
        }
    }
    if k != 3 {
        return None;
    }
    if lens[0] == 4 {
        return ymd(parts[0], parts[1], parts[2]);
    }
    if lens[2] == 4 && lens[0] <= 2 && lens[1] <= 2 {
        return match order {
            DateOrder::MonthFirst => ymd(parts[2], parts[0], parts[1]),
            DateOrder::DayFirst => ymd(parts[2], parts[1], parts[0]),
            DateOrder::YearFirst => None,
        };
    }
    None
}

/// Parse a time: 14:30, 14:30:05, 14:30:05.123, 14时30分, 14点30分, 14点.
fn parse_time(s: &str) -> Option<NaiveTime> {
    let s = s.trim();
    if s.is_empty() {
        return Some(NaiveTime::MIN);
    }
    let (s, pm) = if let Some(x) = s.strip_prefix("下午") {
        (x, true)
    } else if let Some(x) = s.strip_prefix("上午") {
        (x, false)
    } else {
        (s, false)
    };
    let mut nums = [0u32; 3];
    let mut k = 0usize;
    let mut in_num = false;
    let mut frac = false;
    for ch in s.chars() {
        if frac {
            if ch.is_ascii_digit() {
                continue;
            }
            return None;
        }
        if let Some(d) = ch.to_digit(10) {
            if !in_num {
                if k >= 3 {
                    return None;
                }
                in_num = true;
                k += 1;
            }
            nums[k - 1] = nums[k - 1].checked_mul(10)?.checked_add(d)?;
        } else {
            in_num = false;
            match ch {
                ':' | '时' | '点' | '分' | '秒' => {}
                '.' if k == 3 => frac = true,
                _ => return None,
            }
        }
    }
    if k == 0 {
        return None;
    }
    let mut h = nums[0];
    if pm && h < 12 {
        h += 12;
    }
    NaiveTime::from_hms_opt(h, nums[1], nums[2])
}

fn split_date_time(s: &str) -> (&str, &str) {
    // ISO 8601 from ODS: 2021-01-01T10:10:10
    if let Some(p) = s.find('T') {
        if p >= 8 && s[..p].bytes().all(|b| b.is_ascii_digit() || b == b'-') {
            return (&s[..p], &s[p + 1..]);
        }
    }
    let t = s.trim();
    // "2023年5月15日 14时30分" or "2023-05-15 14:30"
    if let Some(p) = t.find([' ', '\t']) {
        return (&t[..p], t[p..].trim());
    }
    if let Some(p) = t.find('日') {
        let after = &t[p + '日'.len_utf8()..];
        if !after.is_empty() {
            return (&t[..p + '日'.len_utf8()], after);
        }
    }
    (t, "")
}

fn not_a_date(raw: &str) -> Bad {
    let raw = clip(raw);
    bad(
        format!("“{raw}”不是可识别的日期"),
        format!("“{raw}” is not a date kebiao can read"),
    )
}

/// `date` and `datetime` share this: a full timestamp.
pub fn datetime(c: &Cell, ctx: Ctx) -> Result<Option<NaiveDateTime>, Bad> {
    check_special(c)?;
    match c {
        Cell::Empty => Ok(None),
        Cell::DateTime(d) => Ok(Some(*d)),
        Cell::Float(f) => number_to_datetime(*f, ctx)
            .map(Some)
            .ok_or_else(|| not_a_date(&fmt_float(*f))),
        Cell::Int(i) => number_to_datetime(*i as f64, ctx)
            .map(Some)
            .ok_or_else(|| not_a_date(&i.to_string())),
        Cell::Text(s) => {
            let t = nfkc(s.trim());
            let t = t.trim();
            if t.is_empty() {
                return Ok(None);
            }
            let t = strip_weekday(t);
            let (dp, tp) = split_date_time(t);
            let tp = strip_weekday(tp);
            let date = parse_date_part(dp, ctx.date_order).ok_or_else(|| not_a_date(s.trim()))?;
            let time = parse_time(tp).ok_or_else(|| not_a_date(s.trim()))?;
            Ok(Some(date.and_time(time)))
        }
        Cell::Bool(_) | Cell::Duration(_) => Err(not_a_date(&c.raw())),
        Cell::Error(_) | Cell::NoCache => Ok(None),
    }
}

pub fn date(c: &Cell, ctx: Ctx) -> Result<Option<NaiveDate>, Bad> {
    Ok(datetime(c, ctx)?.map(|d| d.date()))
}

/// `YYYY-MM`. Accepts 2024-01, 2024年1月, 202401, 2024/1, 2024.1, or a full date.
pub fn month(c: &Cell, ctx: Ctx) -> Result<Option<String>, Bad> {
    check_special(c)?;
    let not_month = |raw: &str| {
        let raw = clip(raw);
        bad(
            format!("“{raw}”不是可识别的月份(应为 2024-01)"),
            format!("“{raw}” is not a month (expected 2024-01)"),
        )
    };
    let from_ym = |y: i64, m: i64| -> Option<String> {
        ((1000..=9999).contains(&y) && (1..=12).contains(&m)).then(|| format!("{y:04}-{m:02}"))
    };
    match c {
        Cell::Empty => Ok(None),
        Cell::DateTime(d) => Ok(Some(format!("{:04}-{:02}", d.year(), d.month()))),
        Cell::Float(_) | Cell::Int(_) => {
            let f = match c {
                Cell::Float(f) => *f,
                Cell::Int(i) => *i as f64,
                _ => 0.0,
            };
            if f.fract() == 0.0 && (100_001.0..=999_912.0).contains(&f) {
                let n = f as i64;
                if let Some(m) = from_ym(n / 100, n % 100) {
                    return Ok(Some(m));
                }
            }
            match number_to_datetime(f, ctx) {
                Some(d) => Ok(Some(format!("{:04}-{:02}", d.year(), d.month()))),
                None => Err(not_month(&c.raw())),
            }
        }
        Cell::Text(s) => {
            let t = nfkc(s.trim());
            let t = t.trim();
            if t.is_empty() {
                return Ok(None);
            }
            if t.len() == 6 && t.bytes().all(|b| b.is_ascii_digit()) {
                let n: i64 = t.parse().unwrap_or(0);
                return from_ym(n / 100, n % 100)
                    .map(Some)
                    .ok_or_else(|| not_month(t));
            }
            let mut nums: Vec<(i64, usize)> = Vec::with_capacity(3);
            let mut cur: Option<(i64, usize)> = None;
            for ch in t.chars() {
                if let Some(d) = ch.to_digit(10) {
                    let (v, l) = cur.unwrap_or((0, 0));
                    if l >= 4 {
                        return Err(not_month(t));
                    }
                    cur = Some((v * 10 + i64::from(d), l + 1));
                } else {
                    if let Some(x) = cur.take() {
                        nums.push(x);
                    }
                    if !matches!(ch, '-' | '/' | '.' | '年' | '月' | '份' | ' ' | '日' | '号')
                    {
                        return Err(not_month(t));
                    }
                }
            }
            if let Some(x) = cur.take() {
                nums.push(x);
            }
            match nums.as_slice() {
                [(y, 4), (m, _)] | [(y, 4), (m, _), _] => {
                    from_ym(*y, *m).map(Some).ok_or_else(|| not_month(t))
                }
                _ => Err(not_month(t)),
            }
        }
        _ => Err(not_month(&c.raw())),
    }
}

/// 期间 of T04: a month, or a year `YYYY` / `2024年` / `2024年度`.
pub fn period(c: &Cell, ctx: Ctx) -> Result<Option<String>, Bad> {
    let year = match c {
        Cell::Int(i) if (1000..=9999).contains(i) => Some(*i),
        Cell::Float(f) if f.fract() == 0.0 && (1000.0..=9999.0).contains(f) => Some(*f as i64),
        Cell::Text(s) => {
            let t = nfkc(s.trim());
            let t = t.trim().trim_end_matches('度').trim_end_matches('年');
            (t.len() == 4 && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse().ok())
                .flatten()
        }
        _ => None,
    };
    match year {
        Some(y) => Ok(Some(format!("{y:04}"))),
        None => month(c, ctx),
    }
}

const CAPITAL_NUMERALS: &str = "零壹贰叁肆伍陆柒捌玖拾佰仟萬億圆整角分";

fn not_a_number(raw: &str) -> Bad {
    let raw = clip(raw);
    bad(
        format!("“{raw}”不是数字"),
        format!("“{raw}” is not a number"),
    )
}

fn f64_to_decimal(f: f64) -> Option<Decimal> {
    if !f.is_finite() {
        return None;
    }
    // A whole number (most quantities and many amounts) converts exactly without the general
    // base-2 conversion.
    if f.fract() == 0.0 && f.abs() < 9.0e15 {
        return Some(Decimal::from(f as i64));
    }
    // from_f64 rounds to the shortest decimal that the double stands for (0.1 → 0.1, not
    // 0.1000000000000000055…), which is what the clerk typed.
    from_f64(f).map(|d| d.normalize())
}

/// `Decimal::from_f64`, step for step (rust_decimal 1.x `from_f64` with excess bits removed,
/// then `base2_to_decimal`), on one 128-bit integer instead of three 32-bit words: the same
/// decimal at a fraction of the cost (it ran once per money cell, ≈ 1,800 instructions each).
/// A result of zero is left to the library (it keeps the sign of a zero).
fn from_f64(n: f64) -> Option<Decimal> {
    const LIMIT: u128 = 1 << 96;
    let raw = n.to_bits();
    let positive = (raw >> 63) == 0;
    let biased = ((raw >> 52) & 0x7FF) as i32;
    let mantissa = raw & 0x000F_FFFF_FFFF_FFFF;
    if !n.is_finite() || (biased == 0 && mantissa == 0) {
        return Decimal::from_f64(n);
    }
    let mut e2 = biased - 1023;
    let mut bits = u128::from(mantissa);
    if biased == 0 {
        e2 += 1;
    } else {
        bits |= 1 << 52;
    }
    e2 -= 52;
    let mut e5 = -e2;
    let mut e10 = e2;
    while e5 > 0 {
        if bits & 1 == 0 {
            // Halvings in a row, all at once.
            let k = (bits.trailing_zeros() as i32).min(e5);
            e10 += k;
            e5 -= k;
            bits >>= k;
        } else {
            e5 -= 1;
            let t = bits * 5;
            if t < LIMIT {
                bits = t;
            } else {
                // The library halves, dropping the low bit, when five times would not fit.
                e10 += 1;
                bits >>= 1;
            }
        }
    }
    while e5 < 0 {
        if bits & (1 << 95) == 0 {
            e10 -= 1;
            e5 += 1;
            bits <<= 1;
        } else if e10 * 2 > -e5 {
            return None;
        } else {
            e5 += 1;
            bits /= 5;
        }
    }
    while e10 > 0 {
        let t = bits * 10;
        if t >= LIMIT {
            return None;
        }
        bits = t;
        e10 -= 1;
    }
    while e10 < -(Decimal::MAX_SCALE as i32) {
        let rem = div10(&mut bits);
        e10 += 1;
        if bits == 0 {
            e10 = 0;
        } else if rem >= 5 {
            bits += 1;
        }
    }
    // Down to the precision a double guarantees (the mantissa below 2^52), rounding each
    // digit dropped half up as the library does.
    while e10 < 0 && bits >= 1 << 52 {
        let rem = div10(&mut bits);
        e10 += 1;
        if rem >= 5 {
            bits += 1;
        }
    }
    while e10 < 0 {
        let mut q = bits;
        if div10(&mut q) != 0 {
            break;
        }
        bits = q;
        e10 += 1;
    }
    if bits == 0 {
        return Decimal::from_f64(n);
    }
    // Below 2^96 and a scale of at most 28 by the steps above (checked all the same: the
    // library's constructor panics beyond).
    let scale = u32::try_from(-e10).ok()?;
    if scale > Decimal::MAX_SCALE {
        return Decimal::from_f64(n);
    }
    Some(Decimal::from_parts(
        bits as u32,
        (bits >> 32) as u32,
        (bits >> 64) as u32,
        !positive,
        scale,
    ))
}

/// `x /= 10` for `x` below 2^96, by two 64-bit divisions (a 128-bit one is a library call);
/// returns the remainder.
#[inline]
fn div10(x: &mut u128) -> u32 {
    let hi = (*x >> 32) as u64;
    let lo = (*x as u64) & 0xFFFF_FFFF;
    let (qh, rh) = (hi / 10, hi % 10);
    let low = (rh << 32) | lo;
    let (ql, rl) = (low / 10, low % 10);
    *x = (u128::from(qh) << 32) | u128::from(ql);
    rl as u32
}

/// Parse a decimal typed as text: `¥1,234.00`, `￥1，234`, `1234元`, `(1,234.00)` (negative),
/// `1.2万`, `3亿`, `-5`, `1.5E+3`. Capital numerals (壹贰叁) are refused, not guessed.
pub fn parse_decimal_text(s: &str) -> Result<Decimal, Bad> {
    let n = nfkc(s.trim());
    let mut t: &str = n.trim();
    if t.is_empty() {
        return Err(not_a_number(s));
    }
    if t.chars().any(|c| CAPITAL_NUMERALS.contains(c)) && !t.chars().any(|c| c.is_ascii_digit()) {
        let raw = clip(s.trim());
        return Err(bad(
            format!("“{raw}”是大写金额,请改为数字"),
            format!("“{raw}” is written in capital numerals; type it as digits"),
        ));
    }
    let mut neg = false;
    if let Some(x) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        neg = true;
        t = x.trim();
    }
    if let Some(x) = t.strip_prefix('-') {
        neg = !neg;
        t = x.trim();
    } else if let Some(x) = t.strip_prefix('+') {
        t = x.trim();
    }
    for p in ["¥", "RMB", "CNY", "人民币", "$"] {
        if let Some(x) = t.strip_prefix(p) {
            t = x.trim();
        }
    }
    if let Some(x) = t.strip_prefix('-') {
        neg = !neg;
        t = x.trim();
    }
    if let Some(x) = t.strip_prefix('(').and_then(|x| x.strip_suffix(')')) {
        neg = !neg;
        t = x.trim();
    }
    let mut mult = Decimal::ONE;
    for (suffix, m) in [
        ("万元", 10_000i64),
        ("亿元", 100_000_000),
        ("元", 1),
        ("万", 10_000),
        ("亿", 100_000_000),
        ("RMB", 1),
        ("CNY", 1),
    ] {
        if let Some(x) = t.strip_suffix(suffix) {
            t = x.trim();
            mult = Decimal::from(m);
            break;
        }
    }
    if t.is_empty() {
        return Err(not_a_number(s.trim()));
    }
    let mut buf = String::with_capacity(t.len());
    for ch in t.chars() {
        match ch {
            ',' | ' ' | '\'' => {}
            '0'..='9' | '.' | 'e' | 'E' | '+' | '-' => buf.push(ch),
            _ => return Err(not_a_number(s.trim())),
        }
    }
    let d = if buf.contains(['e', 'E']) {
        Decimal::from_scientific(&buf).map_err(|_| not_a_number(s.trim()))?
    } else {
        Decimal::from_str(&buf).map_err(|_| not_a_number(s.trim()))?
    };
    let d = d.checked_mul(mult).ok_or_else(|| not_a_number(s.trim()))?;
    Ok(if neg { -d } else { d })
}

/// `money` and `qty`: exact decimals, never f64 arithmetic.
pub fn decimal(c: &Cell) -> Result<Option<Decimal>, Bad> {
    check_special(c)?;
    match c {
        Cell::Empty => Ok(None),
        Cell::Float(f) => f64_to_decimal(*f)
            .map(Some)
            .ok_or_else(|| not_a_number(&fmt_float(*f))),
        Cell::Int(i) => Ok(Some(Decimal::from(*i))),
        Cell::Text(s) => {
            if s.trim().is_empty() {
                return Ok(None);
            }
            parse_decimal_text(s).map(Some)
        }
        Cell::Bool(_) | Cell::DateTime(_) | Cell::Duration(_) => Err(not_a_number(&c.raw())),
        Cell::Error(_) | Cell::NoCache => Ok(None),
    }
}

pub fn money(c: &Cell) -> Result<Option<Decimal>, Bad> {
    decimal(c)
}

pub fn qty(c: &Cell) -> Result<Option<Decimal>, Bad> {
    decimal(c)
}

/// A duration in whole seconds (T15 通话时长): a number of seconds, `mm:ss`, `h:mm:ss`,
/// `3分05秒` / `185秒`, or an Excel time or duration cell (its time of day, as Excel stored it).
pub fn seconds(c: &Cell) -> Result<Option<i64>, Bad> {
    check_special(c)?;
    let not_dur = |raw: &str| {
        let raw = clip(raw);
        bad(
            format!("“{raw}”不是时长(秒数或 分:秒)"),
            format!("“{raw}” is not a duration (seconds or mm:ss)"),
        )
    };
    let nonneg = |v: i64, raw: &str| {
        if v < 0 {
            Err(not_dur(raw))
        } else {
            Ok(Some(v))
        }
    };
    match c {
        Cell::Duration(days) if days.is_finite() && *days >= 0.0 && *days < 1e6 => {
            Ok(Some((days * 86_400.0).round() as i64))
        }
        // An Excel time typed as 0:03:05 arrives as a date-time on the epoch day.
        Cell::DateTime(t) if t.date().year() <= 1904 => {
            Ok(Some(i64::from(t.time().num_seconds_from_midnight())))
        }
        Cell::Text(s) => {
            let t = nfkc(s.trim()).to_string();
            let t = t.trim();
            if t.is_empty() {
                return Ok(None);
            }
            if t.contains(':') {
                let parts: Vec<&str> = t.split(':').collect();
                let nums: Option<Vec<i64>> = parts
                    .iter()
                    .map(|p| p.trim().parse::<i64>().ok().filter(|v| *v >= 0))
                    .collect();
                let nums = nums.ok_or_else(|| not_dur(t))?;
                let secs = match nums.as_slice() {
                    [m, s] if *s < 60 => m.checked_mul(60).and_then(|x| x.checked_add(*s)),
                    [h, m, s] if *m < 60 && *s < 60 => {
                        h.checked_mul(3600).and_then(|x| x.checked_add(m * 60 + s))
                    }
                    _ => None,
                };
                return secs.map(Some).ok_or_else(|| not_dur(t));
            }
            if let Some(rest) = t.strip_suffix('秒') {
                let (m, s) = match rest.split_once('分') {
                    Some((m, s)) => (m.trim(), s.trim()),
                    None => ("0", rest.trim()),
                };
                let m = m.parse::<i64>().map_err(|_| not_dur(t))?;
                let s = if s.is_empty() {
                    0
                } else {
                    s.parse::<i64>().map_err(|_| not_dur(t))?
                };
                return m
                    .checked_mul(60)
                    .and_then(|x| x.checked_add(s))
                    .map_or_else(|| Err(not_dur(t)), |v| nonneg(v, t));
            }
            if let Some(m) = t.strip_suffix("分钟").or_else(|| t.strip_suffix('分')) {
                let m = m.trim().parse::<i64>().map_err(|_| not_dur(t))?;
                return m
                    .checked_mul(60)
                    .map_or_else(|| Err(not_dur(t)), |v| nonneg(v, t));
            }
            match int(c) {
                Ok(Some(v)) => nonneg(v, t),
                Ok(None) => Ok(None),
                Err(_) => Err(not_dur(t)),
            }
        }
        other => match int(other)? {
            Some(v) => nonneg(v, &other.raw()),
            None => Ok(None),
        },
    }
}

/// An integer; `60天` and `60.0` are read as 60.
pub fn int(c: &Cell) -> Result<Option<i64>, Bad> {
    let not_int = |raw: &str| {
        let raw = clip(raw);
        bad(
            format!("“{raw}”不是整数"),
            format!("“{raw}” is not a whole number"),
        )
    };
    let c2;
    let c = match c {
        Cell::Text(s) => {
            let t = s.trim();
            let t = t
                .strip_suffix('天')
                .or_else(|| t.strip_suffix('日'))
                .or_else(|| t.strip_suffix('个'))
                .or_else(|| t.strip_suffix('人'))
                .or_else(|| t.strip_suffix('分'))
                .unwrap_or(t);
            c2 = Cell::Text(t.into());
            &c2
        }
        other => other,
    };
    match decimal(c)? {
        None => Ok(None),
        Some(d) => {
            if d.fract().is_zero() {
                i64::try_from(d).map(Some).map_err(|_| not_int(&c.raw()))
            } else {
                Err(not_int(&c.raw()))
            }
        }
    }
}

/// 是/否, Y/N, √/×, 1/0, 有/无, TRUE/FALSE, 对/错.
pub fn boolean(c: &Cell) -> Result<Option<bool>, Bad> {
    check_special(c)?;
    let not_bool = |raw: &str| {
        let raw = clip(raw);
        bad(
            format!("“{raw}”不是 是/否"),
            format!("“{raw}” is not yes/no"),
        )
    };
    match c {
        Cell::Empty => Ok(None),
        Cell::Bool(b) => Ok(Some(*b)),
        Cell::Int(1) => Ok(Some(true)),
        Cell::Int(0) => Ok(Some(false)),
        Cell::Float(f) if *f == 1.0 => Ok(Some(true)),
        Cell::Float(f) if *f == 0.0 => Ok(Some(false)),
        Cell::Text(s) => {
            let t = nfkc(s.trim());
            let t = t.trim();
            if t.is_empty() {
                return Ok(None);
            }
            let l = t.to_ascii_lowercase();
            match l.as_str() {
                "是" | "y" | "yes" | "√" | "✓" | "✔" | "1" | "有" | "true" | "对" | "t"
                | "是的" => Ok(Some(true)),
                "否" | "n" | "no" | "×" | "x" | "✗" | "✘" | "0" | "无" | "false" | "错" | "f"
                | "不是" | "没有" => Ok(Some(false)),
                _ => Err(not_bool(t)),
            }
        }
        other => Err(not_bool(&other.raw())),
    }
}

/// An option list (DOMAIN §6): canonical values, value aliases, and what an unmatched value
/// becomes (usually 其他).
#[derive(Debug)]
pub struct EnumDef {
    pub values: &'static [&'static str],
    /// (alias, canonical value)
    pub aliases: &'static [(&'static str, &'static str)],
    /// Value used when nothing matches; the change is reported as coerced.
    pub fallback: &'static str,
}

/// Outcome of an enum match.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnumValue {
    /// Matched exactly, by alias or by keyword.
    Matched(&'static str),
    /// Nothing matched: the fallback value, with the raw text for the warning.
    Fallback(&'static str, String),
}

/// Exact, then alias, then keyword (the longest value or alias contained in the text).
pub fn enumv(c: &Cell, def: &EnumDef) -> Result<Option<EnumValue>, Bad> {
    // A text cell is read where it is (`text` would copy it only to compare it).
    let t: Cow<'_, str> = match c {
        Cell::Text(s) => match s.trim() {
            "" => return Ok(None),
            t => Cow::Borrowed(t),
        },
        _ => match text(c)? {
            Some(t) => Cow::Owned(t),
            None => return Ok(None),
        },
    };
    let n = nfkc(&t);
    let s: &str = n.trim();
    if let Some(v) = def.values.iter().find(|v| **v == s) {
        return Ok(Some(EnumValue::Matched(v)));
    }
    let sl = s.to_ascii_lowercase();
    if let Some((_, v)) = def
        .aliases
        .iter()
        .find(|(a, _)| *a == s || a.eq_ignore_ascii_case(&sl))
    {
        return Ok(Some(EnumValue::Matched(v)));
    }
    let mut best: Option<(usize, &'static str)> = None;
    for v in def.values {
        if s.contains(v) && best.is_none_or(|(l, _)| v.len() > l) {
            best = Some((v.len(), v));
        }
    }
    for (a, v) in def.aliases {
        if s.contains(a) && best.is_none_or(|(l, _)| a.len() > l) {
            best = Some((a.len(), v));
        }
    }
    Ok(Some(match best {
        Some((_, v)) => EnumValue::Matched(v),
        // The raw text only goes into the message: clipped like every quoted value.
        None => EnumValue::Fallback(def.fallback, clip(&t)),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The byte test before decoding changes no answer: every character from U+2400 to
    /// U+33FF and from U+FE00 to U+FFFF (the lead bytes E2, E3, EF and their neighbours), in
    /// ASCII and Chinese text.
    #[test]
    fn needs_nfkc_answers_as_the_character_scan() {
        let scan = |s: &str| {
            s.chars().any(|c| {
                ('\u{FF01}'..='\u{FF5E}').contains(&c)
                    || c == '\u{3000}'
                    || ('\u{2460}'..='\u{24FF}').contains(&c)
                    || ('\u{FFE0}'..='\u{FFEE}').contains(&c)
            })
        };
        let mut hits = 0;
        for c in ('\u{1FFF}'..='\u{33FF}').chain('\u{FE00}'..='\u{FFFF}') {
            for s in [format!("{c}"), format!("C00{c}1"), format!("客户{c}名称")] {
                assert_eq!(needs_nfkc(&s), scan(&s), "{:?}", c);
                hits += usize::from(scan(&s));
            }
        }
        assert_eq!(hits, 3 * (0x5E + 1 + 0xA0 + 0xF));
        for s in [
            "",
            "SO2024110001",
            "柳州协力精密机械有限公司",
            "€100",
            "１２３",
            "a　b",
        ] {
            assert_eq!(needs_nfkc(s), scan(s), "{s}");
        }
    }

    /// The 128-bit conversion gives the library's decimal bit for bit (Decimal's `==` would
    /// take 1.0 for 1.00): prices and amounts in cents, whole numbers, every magnitude and
    /// random doubles of any bit pattern.
    #[test]
    fn f64_conversion_is_the_librarys() {
        let check = |f: f64| {
            let want = Decimal::from_f64(f).map(|d| d.serialize());
            assert_eq!(
                from_f64(f).map(|d| d.serialize()),
                want,
                "{f:e} {:#x}",
                f.to_bits()
            );
        };
        for i in -20_000i32..20_000 {
            check(f64::from(i) / 100.0);
            check(f64::from(i) * 1.37);
            check(f64::from(i) / 3.0);
        }
        for f in [
            0.1,
            0.1 + 0.2,
            1e-7,
            123_456_789.123,
            9.1e15 + 0.5,
            2f64.powi(52) + 0.5,
            2f64.powi(53),
            1e20,
            7.9e28,
            7.922_816_251_426_434e28,
            1e29,
            1e-28,
            1.5e-28,
            5e-29,
            1e-300,
            f64::MIN_POSITIVE,
            f64::MIN_POSITIVE / 3.0,
            f64::MAX,
            -0.0,
            0.0,
        ] {
            check(f);
            check(-f);
        }
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..60_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            let f = f64::from_bits(x);
            if f.is_finite() {
                check(f);
            }
            // Magnitudes money has: a random mantissa with an exponent of 2^-20 to 2^60.
            let e = 1023 - 20 + (x >> 52) % 80;
            check(f64::from_bits((x & 0x800F_FFFF_FFFF_FFFF) | (e << 52)));
        }
        assert_eq!(f64_to_decimal(12.35), Some(Decimal::new(1235, 2)));
        assert_eq!(f64_to_decimal(f64::NAN), None);
        for v in [
            0u128,
            9,
            10,
            99,
            (1 << 96) - 1,
            u128::from(u64::MAX) << 31 | 7,
            1 << 52,
        ] {
            let mut q = v;
            let r = div10(&mut q);
            assert_eq!((q, u128::from(r)), (v / 10, v % 10), "{v}");
        }
    }
    use rust_decimal_macros::dec;

    fn t(s: &str) -> Cell {
        Cell::Text(s.into())
    }
    fn d(y: i32, m: u32, dd: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, dd).unwrap()
    }
    const C: Ctx = Ctx {
        is_1904: false,
        date_order: DateOrder::YearFirst,
    };

    #[test]
    fn dates_in_every_clerk_spelling() {
        for s in [
            "2023-05-15",
            "2023/5/15",
            "2023.5.15",
            "2023.05.15",
            "2023年5月15日",
            "20230515",
            "２０２３年５月１５日",
            "2023-05-15 星期一",
            "2023年5月15日(周一)",
            "2023-05-15T00:00:00",
        ] {
            assert_eq!(date(&t(s), C), Ok(Some(d(2023, 5, 15))), "{s}");
        }
        // The corpus file's weekday is wrong (2018-01-01 was a Monday); the date still counts.
        assert_eq!(date(&t("2018-01-01 星期五"), C), Ok(Some(d(2018, 1, 1))));
        assert_eq!(date(&Cell::Float(45061.0), C), Ok(Some(d(2023, 5, 15))));
        assert_eq!(date(&Cell::Int(20230515), C), Ok(Some(d(2023, 5, 15))));
        assert!(date(&t("2023-02-30"), C).is_err());
        assert!(date(&t("n/a"), C).is_err());
        assert!(
            date(&t("5/15/2023"), C).is_err(),
            "ambiguous order is not guessed"
        );
        let us = Ctx {
            date_order: DateOrder::MonthFirst,
            ..C
        };
        assert_eq!(date(&t("11/8/2016"), us), Ok(Some(d(2016, 11, 8))));
        assert_eq!(date(&Cell::Empty, C), Ok(None));
    }

    #[test]
    fn the_1904_date_system() {
        let mac = Ctx { is_1904: true, ..C };
        // 2021-01-01 is serial 44197 in the 1900 system and 42735 in the 1904 system.
        assert_eq!(date(&Cell::Float(44197.0), C), Ok(Some(d(2021, 1, 1))));
        assert_eq!(date(&Cell::Float(42735.0), mac), Ok(Some(d(2021, 1, 1))));
    }

    #[test]
    fn datetimes() {
        let want = d(2024, 3, 1).and_hms_opt(15, 0, 0).unwrap();
        for s in [
            "2024-03-01 15:00",
            "2024-03-01 15:00:00",
            "2024/3/1 15时00分",
            "2024年3月1日15时",
            "2024年3月1日 下午3点",
        ] {
            assert_eq!(datetime(&t(s), C), Ok(Some(want)), "{s}");
        }
        assert_eq!(
            datetime(&Cell::Float(45352.625), C),
            Ok(Some(want)),
            "serial with a time fraction"
        );
    }

    #[test]
    fn months_and_periods() {
        for s in [
            "2024-01",
            "2024年1月",
            "202401",
            "2024/1",
            "2024.01",
            "2024-01-31",
        ] {
            assert_eq!(month(&t(s), C), Ok(Some("2024-01".into())), "{s}");
        }
        assert_eq!(month(&Cell::Int(202401), C), Ok(Some("2024-01".into())));
        assert!(month(&t("2024-13"), C).is_err());
        assert_eq!(period(&t("2024年"), C), Ok(Some("2024".into())));
        assert_eq!(period(&Cell::Int(2024), C), Ok(Some("2024".into())));
        assert_eq!(period(&t("2024-03"), C), Ok(Some("2024-03".into())));
    }

    #[test]
    fn money_in_every_clerk_spelling() {
        assert_eq!(money(&t("¥1,234.00")), Ok(Some(dec!(1234.00))));
        assert_eq!(money(&t("￥1，234")), Ok(Some(dec!(1234))));
        assert_eq!(money(&t("1234元")), Ok(Some(dec!(1234))));
        assert_eq!(money(&t("(1,234.00)")), Ok(Some(dec!(-1234.00))));
        assert_eq!(money(&t("-¥5")), Ok(Some(dec!(-5))));
        assert_eq!(money(&t("1.2万")), Ok(Some(dec!(12000))));
        assert_eq!(money(&t("3亿")), Ok(Some(dec!(300000000))));
        assert_eq!(money(&t("１２３４．５")), Ok(Some(dec!(1234.5))));
        assert_eq!(money(&t("1.5E+3")), Ok(Some(dec!(1500))));
        assert_eq!(money(&Cell::Float(0.1)), Ok(Some(dec!(0.1))));
        assert_eq!(money(&Cell::Float(52000.0)), Ok(Some(dec!(52000))));
        assert!(money(&t("壹万贰仟元整")).is_err());
        assert!(money(&t("n/a")).is_err());
        assert!(money(&Cell::Error("#N/A".into())).is_err());
        assert!(
            money(&Cell::NoCache).is_err(),
            "an uncached formula is never 0"
        );
    }

    #[test]
    fn messages_quote_a_clipped_value() {
        let big = "壹".repeat(100_000);
        let huge = "x".repeat(100_000);
        fn short<T: std::fmt::Debug>(r: Result<Option<T>, Bad>) {
            let m = match r {
                Err(Bad(m)) => m,
                other => panic!("expected an error, got {other:?}"),
            };
            assert!(m.zh.chars().count() < 400, "{} chars", m.zh.chars().count());
            assert!(m.en.chars().count() < 400, "{} chars", m.en.chars().count());
        }
        short(money(&t(&big)));
        short(money(&t(&huge)));
        short(date(&t(&huge), C));
        short(month(&t(&huge), C));
        short(int(&t(&huge)));
        short(boolean(&t(&huge)));
        short(id(&t(&format!("1.1E+{}", "1".repeat(100_000)))));
        short(money(&Cell::Error(huge.clone())));
        static D: EnumDef = EnumDef {
            values: &["甲"],
            aliases: &[],
            fallback: "其他",
        };
        match enumv(&t(&huge), &D) {
            Ok(Some(EnumValue::Fallback(_, raw))) => assert!(raw.chars().count() <= 201),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn whole_floats_convert_exactly() {
        assert_eq!(money(&Cell::Float(-0.0)), Ok(Some(dec!(0))));
        assert_eq!(
            money(&Cell::Float(8.0e15)),
            Ok(Some(dec!(8000000000000000)))
        );
        assert_eq!(
            money(&Cell::Float(1e20)),
            Ok(Some(dec!(100000000000000000000)))
        );
        assert_eq!(money(&Cell::Float(12.5)), Ok(Some(dec!(12.5))));
    }

    #[test]
    fn ids_stay_text_and_damage_is_reported() {
        assert_eq!(
            id(&Cell::Float(13800000000.0)),
            Ok(Some("13800000000".into()))
        );
        assert_eq!(id(&t(" 00123 ")), Ok(Some("00123".into())));
        assert_eq!(id(&t("ＡＢＣ００１")), Ok(Some("ABC001".into())));
        assert!(id(&Cell::Float(1.1e17)).is_err());
        assert!(id(&t("1.1E+17")).is_err());
        assert!(id(&t("1.10101E+17")).is_err());
        assert_eq!(id(&t("E12")), Ok(Some("E12".into())));
        assert_eq!(id(&t("2E3A")), Ok(Some("2E3A".into())));
    }

    /// T15 通话时长: seconds, mm:ss, h:mm:ss, 3分5秒, Excel durations and times.
    #[test]
    fn durations_in_seconds() {
        assert_eq!(seconds(&Cell::Int(185)), Ok(Some(185)));
        assert_eq!(seconds(&t("3:05")), Ok(Some(185)));
        assert_eq!(seconds(&t("1:02:03")), Ok(Some(3723)));
        assert_eq!(seconds(&t("3分5秒")), Ok(Some(185)));
        assert_eq!(seconds(&t("40秒")), Ok(Some(40)));
        assert_eq!(seconds(&t("2分钟")), Ok(Some(120)));
        assert_eq!(seconds(&t("185")), Ok(Some(185)));
        assert_eq!(seconds(&Cell::Duration(185.0 / 86_400.0)), Ok(Some(185)));
        assert_eq!(seconds(&Cell::Empty), Ok(None));
        assert!(seconds(&t("3:75")).is_err());
        assert!(seconds(&t("很久")).is_err());
        assert!(seconds(&Cell::Int(-5)).is_err());
        assert!(seconds(&t("999999999999999999:00")).is_err(), "no overflow");
    }

    #[test]
    fn ints_and_bools() {
        assert_eq!(int(&t("60天")), Ok(Some(60)));
        assert_eq!(int(&Cell::Float(60.0)), Ok(Some(60)));
        assert!(int(&Cell::Float(60.5)).is_err());
        for (s, b) in [
            ("是", true),
            ("√", true),
            ("Y", true),
            ("有", true),
            ("否", false),
            ("×", false),
            ("无", false),
            ("FALSE", false),
        ] {
            assert_eq!(boolean(&t(s)), Ok(Some(b)), "{s}");
        }
        assert_eq!(boolean(&Cell::Int(1)), Ok(Some(true)));
        assert!(boolean(&t("也许")).is_err());
    }

    #[test]
    fn enums_exact_alias_keyword_fallback() {
        static D: EnumDef = EnumDef {
            values: &["潜在客户", "意向客户", "成交客户", "流失客户"],
            aliases: &[
                ("潜在", "潜在客户"),
                ("合作中", "成交客户"),
                ("已流失", "流失客户"),
            ],
            fallback: "其他",
        };
        assert_eq!(
            enumv(&t("意向客户"), &D),
            Ok(Some(EnumValue::Matched("意向客户")))
        );
        assert_eq!(
            enumv(&t("合作中"), &D),
            Ok(Some(EnumValue::Matched("成交客户")))
        );
        assert_eq!(
            enumv(&t("客户已流失(2023)"), &D),
            Ok(Some(EnumValue::Matched("流失客户")))
        );
        assert_eq!(
            enumv(&t("黑名单"), &D),
            Ok(Some(EnumValue::Fallback("其他", "黑名单".into())))
        );
        // A text cell read in place: blank, padded, full-width padded, and a fallback quoted
        // trimmed; other cells as their text.
        assert_eq!(enumv(&t(" \u{3000} "), &D), Ok(None));
        assert_eq!(enumv(&t(""), &D), Ok(None));
        assert_eq!(
            enumv(&t("  意向客户 "), &D),
            Ok(Some(EnumValue::Matched("意向客户")))
        );
        assert_eq!(
            enumv(&t("\u{3000}合作中\u{3000}"), &D),
            Ok(Some(EnumValue::Matched("成交客户")))
        );
        assert_eq!(
            enumv(&t(" 黑名单 "), &D),
            Ok(Some(EnumValue::Fallback("其他", "黑名单".into())))
        );
        assert_eq!(
            enumv(&Cell::Int(7), &D),
            Ok(Some(EnumValue::Fallback("其他", "7".into())))
        );
        assert_eq!(enumv(&Cell::Empty, &D), Ok(None));
        assert!(enumv(&Cell::NoCache, &D).is_err());
    }
}
