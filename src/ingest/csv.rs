//! CSV/TSV text: UTF-8 (with or without BOM), UTF-16 with BOM (Excel's "Unicode text"), else
//! GB18030 (a superset of GBK and GB2312; DESIGN §4: never decode as GB2312).

use super::cell::Cell;
use super::open::{Sheet, SheetRow, Visibility};
use std::borrow::Cow;

/// Decode text bytes to UTF-8.
pub fn decode(bytes: &[u8]) -> Cow<'_, str> {
    if let Some(b) = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF][..]) {
        return String::from_utf8_lossy(b);
    }
    if bytes.starts_with(&[0xFF, 0xFE]) {
        let (s, _, _) = encoding_rs::UTF_16LE.decode(bytes);
        return Cow::Owned(s.trim_start_matches('\u{feff}').to_string());
    }
    if bytes.starts_with(&[0xFE, 0xFF]) {
        let (s, _, _) = encoding_rs::UTF_16BE.decode(bytes);
        return Cow::Owned(s.trim_start_matches('\u{feff}').to_string());
    }
    match std::str::from_utf8(bytes) {
        Ok(s) => Cow::Borrowed(s),
        Err(_) => {
            let (s, _, _) = encoding_rs::GB18030.decode(bytes);
            Cow::Owned(s.into_owned())
        }
    }
}

/// The delimiter that occurs most often outside quotes in the first lines.
fn sniff_delimiter(text: &str) -> u8 {
    let mut counts = [0usize; 3];
    let mut in_q = false;
    let mut lines = 0;
    for ch in text.chars() {
        match ch {
            '"' => in_q = !in_q,
            ',' if !in_q => counts[0] += 1,
            '\t' if !in_q => counts[1] += 1,
            ';' if !in_q => counts[2] += 1,
            '\n' if !in_q => {
                lines += 1;
                if lines >= 20 {
                    break;
                }
            }
            _ => {}
        }
    }
    let best = (0..3).max_by_key(|&i| (counts[i], 3 - i)).unwrap_or(0);
    [b',', b'\t', b';'][best]
}

/// One CSV file is one sheet, named after the file. Every field is text; the normalisers read
/// numbers and dates from text. Quoted fields may hold line breaks.
pub fn read_csv(bytes: &[u8], name: &str) -> Sheet {
    let text = decode(bytes);
    let delim = sniff_delimiter(&text);
    let mut rdr = csv::ReaderBuilder::new()
        .has_headers(false)
        .flexible(true)
        .delimiter(delim)
        .from_reader(text.as_bytes());
    let mut rows = Vec::new();
    let mut record = csv::StringRecord::new();
    let mut r: u32 = 0;
    loop {
        match rdr.read_record(&mut record) {
            Ok(true) => {
                let cells: Vec<(u32, Cell)> = record
                    .iter()
                    .enumerate()
                    .filter(|(_, f)| !f.trim().is_empty())
                    .map(|(c, f)| (c as u32, Cell::Text(f.into())))
                    .collect();
                if !cells.is_empty() {
                    rows.push(SheetRow { row: r, cells });
                }
                r += 1;
            }
            Ok(false) => break,
            // A malformed line (e.g. a stray quote) ends the readable part; what was read is kept.
            Err(_) => break,
        }
    }
    Sheet {
        name: name.to_string(),
        visibility: Visibility::Visible,
        chart: false,
        rows,
        merges: Vec::new(),
        is_1904: false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gbk_and_utf8_and_quoted_newlines() {
        let (gbk, _, _) = encoding_rs::GBK.encode("客户编号,客户名称\nC001,\"上海某某\n科技\"\n");
        let s = read_csv(&gbk, "t");
        assert_eq!(s.rows.len(), 2);
        assert_eq!(s.rows[0].cells[1].1, Cell::Text("客户名称".into()));
        assert_eq!(s.rows[1].cells[1].1, Cell::Text("上海某某\n科技".into()));
        let s = read_csv("\u{feff}a\tb\n1\t2\n".as_bytes(), "t");
        assert_eq!(s.rows[1].cells[1].1, Cell::Text("2".into()));
    }
}
