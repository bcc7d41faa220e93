//! Two "xls" files that are not binary workbooks: an HTML table saved with an .xls name (web
//! exports, WPS "网页格式") and an Excel 2003 XML Spreadsheet (SpreadsheetML). Both are read with
//! a small tolerant tag scanner: no DTDs, no scripts, just tables.

use super::cell::Cell;
use super::open::{Sheet, SheetRow, Visibility};

/// One markup token.
#[derive(Debug)]
enum Tok<'a> {
    /// Local name lowercased (namespace prefix dropped), the raw attribute text, self-closing.
    Open(String, &'a str, bool),
    Close(String),
    Text(&'a str),
}

fn local_lower(name: &str) -> String {
    let n = name.rsplit(':').next().unwrap_or(name);
    n.to_ascii_lowercase()
}

/// Scan tags and text. Comments, `<!DOCTYPE>`, `<?xml?>`, `<script>` and `<style>` are skipped.
fn tokens(s: &str) -> Vec<Tok<'_>> {
    let mut out = Vec::new();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'<' {
            if s[i..].starts_with("<!--") {
                i = s[i..].find("-->").map(|p| i + p + 3).unwrap_or(b.len());
                continue;
            }
            if s[i..].starts_with("<!") || s[i..].starts_with("<?") {
                i = s[i..].find('>').map(|p| i + p + 1).unwrap_or(b.len());
                continue;
            }
            let Some(end) = s[i..].find('>').map(|p| i + p) else {
                break;
            };
            let inner = &s[i + 1..end];
            i = end + 1;
            if let Some(name) = inner.strip_prefix('/') {
                out.push(Tok::Close(local_lower(name.trim())));
                continue;
            }
            let self_closing = inner.ends_with('/');
            let inner = inner.trim_end_matches('/');
            let (name, attrs) = match inner.find(|c: char| c.is_whitespace()) {
                Some(p) => (&inner[..p], &inner[p..]),
                None => (inner, ""),
            };
            let lname = local_lower(name);
            if lname == "script" || lname == "style" {
                let close = format!("</{lname}");
                let lower_rest = s[i..].to_ascii_lowercase();
                i = lower_rest.find(&close).map(|p| i + p).unwrap_or(b.len());
                continue;
            }
            out.push(Tok::Open(lname, attrs, self_closing));
        } else {
            let end = s[i..].find('<').map(|p| i + p).unwrap_or(b.len());
            out.push(Tok::Text(&s[i..end]));
            i = end;
        }
    }
    out
}

/// The value of attribute `name` (local name, case-insensitive), entity-decoded.
pub(crate) fn attr(attrs: &str, name: &str) -> Option<String> {
    let lower = attrs.to_ascii_lowercase();
    let mut from = 0;
    while let Some(p) = lower[from..].find(name) {
        let start = from + p;
        from = start + name.len();
        let before_ok = start == 0
            || matches!(
                lower.as_bytes()[start - 1],
                b' ' | b'\t' | b'\n' | b'\r' | b':'
            );
        let rest = lower[start + name.len()..].trim_start();
        if !before_ok || !rest.starts_with('=') {
            continue;
        }
        let off = attrs.len() - rest.len() + 1;
        let v = attrs[off..].trim_start();
        let val = if let Some(q) = v.strip_prefix('"') {
            q.split('"').next().unwrap_or("")
        } else if let Some(q) = v.strip_prefix('\'') {
            q.split('\'').next().unwrap_or("")
        } else {
            v.split(|c: char| c.is_whitespace()).next().unwrap_or("")
        };
        return Some(decode_entities(val));
    }
    None
}

pub fn decode_entities(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(p) = rest.find('&') {
        out.push_str(&rest[..p]);
        rest = &rest[p..];
        // Search bytes: ';' is ASCII, so its index is a char boundary even after CJK text.
        let Some(semi) = rest.as_bytes()[..rest.len().min(12)]
            .iter()
            .position(|&b| b == b';')
        else {
            out.push('&');
            rest = &rest[1..];
            continue;
        };
        let ent = &rest[1..semi];
        let ch = match ent {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "quot" => Some('"'),
            "apos" => Some('\''),
            "nbsp" => Some(' '),
            _ if ent.starts_with("#x") || ent.starts_with("#X") => {
                u32::from_str_radix(&ent[2..], 16)
                    .ok()
                    .and_then(char::from_u32)
            }
            _ if ent.starts_with('#') => ent[1..].parse().ok().and_then(char::from_u32),
            _ => None,
        };
        match ch {
            Some(c) => {
                out.push(c);
                rest = &rest[semi + 1..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

fn push_cell(rows: &mut Vec<SheetRow>, r: u32, c: u32, cell: Cell) {
    if cell.is_blank() {
        return;
    }
    match rows.last_mut() {
        Some(last) if last.row == r => last.cells.push((c, cell)),
        _ => rows.push(SheetRow {
            row: r,
            cells: vec![(c, cell)],
        }),
    }
}

/// Every `<table>` of an HTML page becomes a sheet. All values are text (the normalisers read
/// numbers and dates from text); colspan/rowspan are honoured as merges.
pub fn read_html(text: &str, default_name: &str) -> Vec<Sheet> {
    let toks = tokens(text);
    let mut sheets = Vec::new();
    let mut title: Option<String> = None;
    let mut in_title = false;
    let mut depth = 0usize;
    let mut rows: Vec<SheetRow> = Vec::new();
    let mut merges = Vec::new();
    let mut r: i64 = -1;
    let mut c: u32 = 0;
    let mut cell_text: Option<String> = None;
    let mut span = (1u32, 1u32);
    // Cells covered by a rowspan from a row above: (row, col).
    let mut covered: std::collections::HashSet<(u32, u32)> = Default::default();
    for t in toks {
        match t {
            Tok::Open(n, _, _) if n == "title" => in_title = true,
            Tok::Close(n) if n == "title" => in_title = false,
            Tok::Text(s) if in_title => {
                let v = decode_entities(s).trim().to_string();
                if !v.is_empty() {
                    title = Some(v);
                }
            }
            Tok::Open(n, _, _) if n == "table" => {
                depth += 1;
                if depth == 1 {
                    rows = Vec::new();
                    merges = Vec::new();
                    covered.clear();
                    r = -1;
                }
            }
            Tok::Close(n) if n == "table" => {
                if depth == 1 {
                    let k = sheets.len() + 1;
                    let base = title.clone().unwrap_or_else(|| default_name.to_string());
                    let name = if k == 1 {
                        base
                    } else {
                        format!("{base} ({k})")
                    };
                    sheets.push(Sheet {
                        name,
                        visibility: Visibility::Visible,
                        chart: false,
                        rows: std::mem::take(&mut rows),
                        merges: std::mem::take(&mut merges),
                        is_1904: false,
                    });
                }
                depth = depth.saturating_sub(1);
            }
            Tok::Open(n, _, _) if n == "tr" && depth == 1 => {
                r += 1;
                c = 0;
            }
            Tok::Open(n, attrs, sc) if (n == "td" || n == "th") && depth == 1 => {
                if r < 0 {
                    r = 0;
                }
                let rr = r as u32;
                while covered.contains(&(rr, c)) {
                    c += 1;
                }
                let cs = attr(attrs, "colspan")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(1u32)
                    .clamp(1, 1000);
                let rs = attr(attrs, "rowspan")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(1u32)
                    .clamp(1, 100_000);
                span = (cs, rs);
                cell_text = Some(String::new());
                if sc {
                    cell_text = None;
                    c += cs;
                }
            }
            Tok::Open(n, _, _) if n == "br" => {
                if let Some(t) = cell_text.as_mut() {
                    t.push('\n');
                }
            }
            Tok::Text(s) => {
                if let Some(t) = cell_text.as_mut() {
                    t.push_str(&decode_entities(s));
                }
            }
            Tok::Close(n) if (n == "td" || n == "th") && depth == 1 => {
                if let Some(t) = cell_text.take() {
                    let rr = r.max(0) as u32;
                    let v: String = t.split_whitespace().collect::<Vec<_>>().join(" ");
                    push_cell(&mut rows, rr, c, Cell::Text(v.into()));
                    let (cs, rs) = span;
                    if cs > 1 || rs > 1 {
                        merges.push((rr, c, rr + rs - 1, c + cs - 1));
                        for dr in 0..rs {
                            for dc in 0..cs {
                                if dr > 0 {
                                    covered.insert((rr + dr, c + dc));
                                }
                            }
                        }
                    }
                    c += cs;
                }
            }
            _ => {}
        }
    }
    sheets
}

/// Excel's last row and column (1-based): indices and spans of a SpreadsheetML file are clamped to
/// them, so a broken file cannot overflow the row and column arithmetic.
const MAX_ROWS: i64 = 1_048_576;
const MAX_COLS: u32 = 16_384;

/// Excel 2003 XML Spreadsheet: `<Worksheet ss:Name>` / `<Row ss:Index>` / `<Cell ss:Index
/// ss:MergeAcross ss:MergeDown>` / `<Data ss:Type>`.
pub fn read_spreadsheetml(text: &str) -> Vec<Sheet> {
    let toks = tokens(text);
    let mut sheets: Vec<Sheet> = Vec::new();
    let mut cur: Option<Sheet> = None;
    let mut r: i64 = -1;
    let mut c: u32 = 0;
    let mut data_ty: Option<String> = None;
    let mut data_text = String::new();
    let mut in_visible = false;
    // A formula cell's <Data> is its cached value; a formula with no <Data> has none.
    let mut formula_pending = false;
    for t in toks {
        match t {
            Tok::Open(n, attrs, _) if n == "worksheet" => {
                cur = Some(Sheet {
                    name: attr(attrs, "name")
                        .unwrap_or_else(|| format!("Sheet{}", sheets.len() + 1)),
                    visibility: Visibility::Visible,
                    chart: false,
                    rows: Vec::new(),
                    merges: Vec::new(),
                    is_1904: false,
                });
                r = -1;
            }
            Tok::Close(n) if n == "worksheet" => {
                if let Some(s) = cur.take() {
                    sheets.push(s);
                }
            }
            Tok::Open(n, attrs, sc) if n == "row" => {
                r = match attr(attrs, "index").and_then(|v| v.trim().parse::<i64>().ok()) {
                    // Past Excel's last row the file is broken; clamping keeps the u32 row
                    // arithmetic below from overflowing (found by fuzz/workbook).
                    Some(i) if i >= 1 => i.min(MAX_ROWS) - 1,
                    _ => r + 1,
                };
                c = 0;
                let _ = sc;
            }
            Tok::Open(n, attrs, sc) if n == "cell" => {
                if r < 0 {
                    r = 0;
                }
                if let Some(i) = attr(attrs, "index").and_then(|v| v.trim().parse::<u32>().ok()) {
                    if i >= 1 {
                        c = i.min(MAX_COLS) - 1;
                    }
                }
                let across: u32 = attr(attrs, "mergeacross")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0u32)
                    .min(MAX_COLS);
                let down: u32 = attr(attrs, "mergedown")
                    .and_then(|v| v.trim().parse().ok())
                    .unwrap_or(0u32)
                    .min(MAX_ROWS as u32);
                if let Some(s) = cur.as_mut() {
                    if across > 0 || down > 0 {
                        s.merges.push((r as u32, c, r as u32 + down, c + across));
                    }
                }
                let has_formula = attr(attrs, "formula").is_some();
                if sc {
                    if has_formula {
                        if let Some(s) = cur.as_mut() {
                            push_cell(&mut s.rows, r as u32, c, Cell::NoCache);
                        }
                    }
                    c += 1 + across;
                } else {
                    formula_pending = has_formula;
                    // Remember the span so the column advances past it at </Cell>.
                    data_ty = None;
                    data_text.clear();
                    c += across;
                }
            }
            Tok::Open(n, attrs, _) if n == "data" => {
                formula_pending = false;
                data_ty = Some(attr(attrs, "type").unwrap_or_else(|| "String".into()));
                data_text.clear();
            }
            Tok::Text(s) if data_ty.is_some() => data_text.push_str(&decode_entities(s)),
            Tok::Close(n) if n == "cell" => {
                // A <Data> with no <Row>/<Cell> open before it (a broken file) belongs to row 0,
                // not to row -1 read as u32::MAX (found by fuzz/workbook).
                let r = r.max(0);
                if let (Some(ty), Some(s)) = (data_ty.take(), cur.as_mut()) {
                    // The column of this cell is c - across (advanced above); find it back.
                    let cell = match ty.to_ascii_lowercase().as_str() {
                        "number" => data_text
                            .trim()
                            .parse::<f64>()
                            .map(Cell::Float)
                            .unwrap_or_else(|_| Cell::Text(data_text.as_str().into())),
                        "boolean" => Cell::Bool(data_text.trim() == "1"),
                        "error" => Cell::Error(data_text.trim().to_string()),
                        // DateTime "2024-03-05T00:00:00.000" is read by the date normaliser.
                        _ => Cell::Text(data_text.as_str().into()),
                    };
                    let col = last_cell_col(c, &s.merges, r as u32);
                    push_cell(&mut s.rows, r as u32, col, cell);
                } else if formula_pending {
                    if let Some(s) = cur.as_mut() {
                        let col = last_cell_col(c, &s.merges, r as u32);
                        push_cell(&mut s.rows, r as u32, col, Cell::NoCache);
                    }
                }
                formula_pending = false;
                c += 1;
            }
            Tok::Open(n, _, _) if n == "visible" => in_visible = true,
            Tok::Close(n) if n == "visible" => in_visible = false,
            Tok::Text(s) if in_visible => {
                if let Some(sh) = cur.as_mut() {
                    match s.trim() {
                        "SheetHidden" => sh.visibility = Visibility::Hidden,
                        "SheetVeryHidden" => sh.visibility = Visibility::VeryHidden,
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    sheets
}

/// After `ss:MergeAcross="n"` the running column was advanced by n before the value arrived;
/// the value belongs to the merge's first column.
fn last_cell_col(c: u32, merges: &[(u32, u32, u32, u32)], r: u32) -> u32 {
    for m in merges.iter().rev() {
        if m.0 == r && m.3 == c && m.1 < c {
            return m.1;
        }
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_table_with_spans_and_entities() {
        let html = "<html><head><title>销售明细</title><style>td{}</style></head><body><table>\
            <tr><th colspan=2>标题</th></tr>\
            <tr><td>订单号</td><td>金额</td></tr>\
            <tr><td>SO&amp;1</td><td>1,234</td></tr></table></body></html>";
        let s = read_html(html, "x");
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].name, "销售明细");
        assert_eq!(s[0].rows.len(), 3);
        assert_eq!(s[0].rows[2].cells[0], (0, Cell::Text("SO&1".into())));
        assert_eq!(s[0].rows[2].cells[1], (1, Cell::Text("1,234".into())));
        assert_eq!(s[0].merges, vec![(0, 0, 0, 1)]);
    }

    #[test]
    fn spreadsheetml_data_outside_a_row_and_huge_indices() {
        // Found by fuzz/workbook: a <Data> before any <Row> was put on row u32::MAX, and
        // ss:Index/MergeAcross past Excel's limits overflowed the column arithmetic.
        let xml = r#"<Workbook><Worksheet ss:Name="a"><Data ss:Type="Number">5</Data></Cell>
<Table><Row ss:Index="99999999999"><Cell ss:Index="4294967295" ss:MergeAcross="4294967295" ss:MergeDown="4294967295"><Data ss:Type="String">x</Data></Cell><Cell><Data ss:Type="String">y</Data></Cell></Row>
<Row><Cell><Data ss:Type="String">z</Data></Cell></Row></Table></Worksheet></Workbook>"#;
        let s = read_spreadsheetml(xml);
        assert_eq!(s.len(), 1);
        let rows: Vec<u32> = s[0].rows.iter().map(|r| r.row).collect();
        assert_eq!(rows, vec![0, 1_048_575, 1_048_576]);
        assert_eq!(s[0].rows[0].cells, vec![(0, Cell::Float(5.0))]);
        assert_eq!(s[0].rows[1].cells[0], (16_383, Cell::Text("x".into())));
        assert_eq!(s[0].merges, vec![(1_048_575, 16_383, 2_097_151, 32_767)]);
    }

    #[test]
    fn spreadsheetml_cells_index_and_merge() {
        let xml = r#"<?xml version="1.0"?><Workbook xmlns="urn:schemas-microsoft-com:office:spreadsheet" xmlns:ss="urn:schemas-microsoft-com:office:spreadsheet">
<Worksheet ss:Name="客户"><Table>
<Row><Cell ss:MergeAcross="1"><Data ss:Type="String">客户表</Data></Cell></Row>
<Row><Cell><Data ss:Type="String">客户编号</Data></Cell><Cell ss:Index="3"><Data ss:Type="Number">12.5</Data></Cell></Row>
</Table></Worksheet></Workbook>"#;
        let s = read_spreadsheetml(xml);
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].name, "客户");
        assert_eq!(s[0].rows[0].cells, vec![(0, Cell::Text("客户表".into()))]);
        assert_eq!(
            s[0].rows[1].cells,
            vec![(0, Cell::Text("客户编号".into())), (2, Cell::Float(12.5))]
        );
        assert_eq!(s[0].merges, vec![(0, 0, 0, 1)]);
    }
}
