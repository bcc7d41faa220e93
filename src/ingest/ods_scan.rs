//! One streamed pass over an .ods `content.xml`, before calamine reads it, for what calamine 0.38
//! does not give: merged regions (`table:number-rows-spanned` / `number-columns-spanned`), formula
//! cells saved without a result (`table:formula` with no `office:value-type`), and the size of the
//! dense grid calamine is about to build, so that a tiny file whose last row is repeated a million
//! times with a value far to the right is refused by name instead of costing gigabytes.
//!
//! Memory is bounded: one XML event at a time, and per table only the merges and uncached-formula
//! positions (each capped).

use quick_xml::events::{BytesStart, Event};
use std::io::{BufReader, Cursor};

/// calamine's own limits (ods.rs): total rows are capped at this, columns per row likewise.
const MAX_ROWS: u64 = 1_048_576;
const MAX_COLUMNS: u64 = 16_384;
/// At most this many merges and uncached formulas are kept per table (a clerk's sheet has tens).
const MAX_KEPT: usize = 100_000;

/// What the scan found in one `<table:table>`.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct OdsTable {
    pub name: String,
    /// 0-based inclusive (first row, first col, last row, last col).
    pub merges: Vec<(u32, u32, u32, u32)>,
    /// Formula cells with no cached value, 0-based (row, col), in document order.
    pub no_cache: Vec<(u32, u32)>,
    /// The non-empty cells, repeats expanded as calamine does; `written` counts cell elements
    /// (repeats not expanded): what the file really carries.
    pub extent: super::Extent,
    /// Non-empty cells with repeats expanded (what a dense grid of `used` would really hold).
    pub filled: u64,
}

impl OdsTable {
    fn fill(&mut self, r: u64, c: u64, rows: u64, cols: u64) {
        if rows == 0 || cols == 0 {
            return;
        }
        self.extent.add(r, c, rows, cols);
        self.filled = self.filled.saturating_add(rows.saturating_mul(cols));
    }
}

/// The cells of a `rows` × `cols` block from (r, c), row by row, but no more than a list already
/// holding `kept` entries may still take (MAX_KEPT): a repeat of a million rows neither loops a
/// million times nor grows the list past its cap.
fn capped_cells(
    r: u64,
    c: u64,
    rows: u64,
    cols: u64,
    kept: usize,
) -> impl Iterator<Item = (u64, u64)> {
    let left = MAX_KEPT.saturating_sub(kept);
    (0..rows)
        .flat_map(move |i| (0..cols).map(move |j| (r + i, c + j)))
        .take(left)
}

fn attr_u64(e: &BytesStart<'_>, key: &str) -> Option<u64> {
    let a = e.try_get_attribute(key).ok().flatten()?;
    a.value.trim().parse().ok()
}

/// The attributes of a cell that matter here, read in one pass over its attributes.
#[derive(Default)]
struct CellAttrs {
    repeat: Option<u64>,
    rows_spanned: Option<u64>,
    cols_spanned: Option<u64>,
    valued: bool,
    formula: bool,
}

fn cell_attrs(e: &BytesStart<'_>) -> CellAttrs {
    let mut a = CellAttrs::default();
    let num = |v: &str| v.trim().parse::<u64>().ok();
    for at in e.attributes().with_checks(false).flatten() {
        match at.key.as_ref() {
            "table:number-columns-repeated" => a.repeat = num(&at.value),
            "table:number-rows-spanned" => a.rows_spanned = num(&at.value),
            "table:number-columns-spanned" => a.cols_spanned = num(&at.value),
            // calamine reads a value from any of these; a cell with none of them (and no
            // formula) is empty to it, whatever text it holds.
            "office:value-type"
            | "office:value"
            | "office:string-value"
            | "office:date-value"
            | "office:time-value"
            | "office:boolean-value" => a.valued = true,
            "table:formula" => a.formula = true,
            _ => {}
        }
    }
    a
}

fn attr_string(e: &BytesStart<'_>, key: &str) -> Option<String> {
    let a = e.try_get_attribute(key).ok().flatten()?;
    let v = quick_xml::escape::unescape(&a.value).ok()?.into_owned();
    Some(v)
}

/// Scan `content.xml` of the .ods in `bytes`. `None` when the zip or the XML cannot be read this
/// way (calamine then reports the damage itself).
pub fn scan(bytes: &[u8]) -> Option<Vec<OdsTable>> {
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
    let f = zip.by_name("content.xml").ok()?;
    scan_xml(BufReader::with_capacity(1 << 16, f))
}

pub fn scan_xml<R: std::io::BufRead>(src: R) -> Option<Vec<OdsTable>> {
    let mut rdr = quick_xml::Reader::from_reader(src);
    rdr.config_mut().check_end_names = false;
    let mut buf = Vec::with_capacity(4096);
    let mut out: Vec<OdsTable> = Vec::new();
    // Depth of nested <table:table> (a table inside a cell is part of that cell, as in calamine).
    let mut depth = 0usize;
    let mut t = OdsTable::default();
    let (mut r, mut c, mut row_rep) = (0u64, 0u64, 1u64);
    loop {
        let ev = rdr.read_event_into(&mut buf).ok()?;
        let (e, empty) = match &ev {
            Event::Start(e) => (Some(e), false),
            Event::Empty(e) => (Some(e), true),
            _ => (None, false),
        };
        if let Some(e) = e {
            match e.name().as_ref() {
                "table:table" => {
                    depth += 1;
                    if depth == 1 && !empty {
                        t = OdsTable {
                            name: attr_string(e, "table:name").unwrap_or_default(),
                            ..OdsTable::default()
                        };
                        r = 0;
                    }
                }
                "table:table-row" if depth == 1 => {
                    let rep = attr_u64(e, "table:number-rows-repeated").unwrap_or(1);
                    // calamine caps the total rows at MAX_ROWS.
                    row_rep = rep.min(MAX_ROWS.saturating_sub(r));
                    c = 0;
                    if empty {
                        r += row_rep;
                    }
                }
                name @ ("table:table-cell" | "table:covered-table-cell") if depth == 1 => {
                    let at = cell_attrs(e);
                    let rep = at.repeat.unwrap_or(1);
                    let cols = rep.min(MAX_COLUMNS.saturating_sub(c));
                    let (valued, formula) = (at.valued, at.formula);
                    if name == "table:table-cell" {
                        let rs = at.rows_spanned.unwrap_or(1).max(1);
                        let cs = at.cols_spanned.unwrap_or(1).max(1);
                        if rs > 1 || cs > 1 {
                            // Every merge of a repeated cell is kept, up to MAX_KEPT; a span
                            // past the sheet's edge ends at the edge.
                            for (r0, c0) in capped_cells(r, c, row_rep, cols, t.merges.len()) {
                                let r1 = r0.saturating_add(rs - 1).min(MAX_ROWS - 1);
                                let c1 = c0.saturating_add(cs - 1).min(MAX_COLUMNS - 1);
                                if let (Ok(a), Ok(b), Ok(x), Ok(y)) = (
                                    u32::try_from(r0),
                                    u32::try_from(c0),
                                    u32::try_from(r1),
                                    u32::try_from(c1),
                                ) {
                                    t.merges.push((a, b, x, y));
                                }
                            }
                        }
                    }
                    if formula && !valued {
                        for (r0, c0) in capped_cells(r, c, row_rep, cols, t.no_cache.len()) {
                            if let (Ok(a), Ok(b)) = (u32::try_from(r0), u32::try_from(c0)) {
                                t.no_cache.push((a, b));
                            }
                        }
                    }
                    if valued || formula {
                        t.fill(r, c, row_rep, cols);
                    }
                    c += cols;
                }
                _ => {}
            }
            buf.clear();
            continue;
        }
        match ev {
            Event::End(ref e) => match e.name().as_ref() {
                "table:table" => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        out.push(std::mem::take(&mut t));
                    }
                }
                "table:table-row" if depth == 1 => {
                    r += row_rep;
                    row_rep = 1;
                }
                _ => {}
            },
            Event::Eof => break,
            _ => {}
        }
        buf.clear();
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scan_str(body: &str) -> Vec<OdsTable> {
        let xml = format!(
            "<office:document-content><office:body><office:spreadsheet>{body}</office:spreadsheet></office:body></office:document-content>"
        );
        scan_xml(xml.as_bytes()).unwrap()
    }

    #[test]
    fn merges_formulas_and_size() {
        let t = scan_str(
            "<table:table table:name=\"销售\">\
             <table:table-row><table:table-cell office:value-type=\"string\"><text:p>区域</text:p></table:table-cell><table:table-cell office:value-type=\"float\" office:value=\"1\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"2\"><table:table-cell table:number-rows-spanned=\"2\" office:value-type=\"string\"><text:p>华东</text:p></table:table-cell><table:table-cell table:formula=\"of:=1+1\"/></table:table-row>\
             <table:table-row><table:covered-table-cell/><table:table-cell table:number-columns-repeated=\"3\"/><table:table-cell office:value-type=\"string\"><text:p>x</text:p></table:table-cell><table:table-cell><text:p>no value type</text:p></table:table-cell></table:table-row>\
             <table:table-row table:number-rows-repeated=\"1048000\"><table:table-cell table:number-columns-repeated=\"1024\"/></table:table-row>\
             </table:table>",
        );
        assert_eq!(t.len(), 1);
        let t = &t[0];
        assert_eq!(t.name, "销售");
        assert_eq!(t.merges, vec![(1, 0, 2, 0), (2, 0, 3, 0)]);
        assert_eq!(t.no_cache, vec![(1, 1), (2, 1)]);
        // A trailing run of empty rows does not count, nor does text without a value type (calamine
        // reads F4 as empty).
        assert_eq!(t.extent.used, Some((0, 0, 3, 4)));
        assert_eq!(t.extent.dense(), 20);
        assert_eq!(t.extent.far, Some((3, 4)));
    }

    /// Hostile attributes (zero or enormous spans and repeats) neither panic nor run long.
    #[test]
    fn hostile_attributes_are_bounded() {
        let t = std::time::Instant::now();
        let cells: String = (0..50)
            .map(|_| "<table:table-cell table:number-columns-repeated=\"99999\" table:number-rows-spanned=\"18446744073709551615\" table:number-columns-spanned=\"0\" table:formula=\"of:=1\"/>")
            .collect();
        let t2 = scan_str(&format!(
            "<table:table table:name=\"S\"><table:table-row table:number-rows-repeated=\"99999999\">{cells}</table:table-row></table:table>"
        ));
        assert_eq!(t2[0].merges.len(), MAX_KEPT);
        assert_eq!(t2[0].no_cache.len(), MAX_KEPT);
        assert_eq!(
            t2[0].extent.used,
            Some((0, 0, MAX_ROWS - 1, MAX_COLUMNS - 1))
        );
        assert!(t.elapsed().as_secs() < 5);
    }

    #[test]
    fn a_repeated_row_far_out_is_measured() {
        let t = scan_str(
            "<table:table table:name=\"S\">\
             <table:table-row><table:table-cell office:value-type=\"float\" office:value=\"1\"/></table:table-row>\
             <table:table-row table:number-rows-repeated=\"1000000\"><table:table-cell table:number-columns-repeated=\"16000\"/><table:table-cell office:value-type=\"float\" office:value=\"2\"/></table:table-row>\
             </table:table>",
        );
        assert_eq!(t[0].extent.used, Some((0, 0, 1_000_000, 16_000)));
        assert_eq!(t[0].extent.written, 2);
        assert_eq!(t[0].filled, 1_000_001);
        assert_eq!(t[0].extent.far, Some((1_000_000, 16_000)));
    }
}
