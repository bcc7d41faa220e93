//! Find the tables in a sheet: which table it is (sheet name keywords, header-alias score, or
//! the mapping file), where the header is (top 10 rows, merged two-row headers), which column is
//! which field, and which rows are data (blank, 合计 and footer rows are dropped and logged).

use super::cell::Cell;
use super::header::{normalise_header, Unit};
use super::mapping::{Mapping, TableMap};
use super::normalise::{Ctx, DateOrder};
use super::open::{Sheet, SheetRow, Visibility};
use super::schema::{alias_index, fields, table_by_sheet_name, TableId, Ty, ALL, CONTACT_METHOD};
use super::SheetReport;
use crate::error::{Location, Msg, Problem, Severity};

/// A mapped column of a table.
#[derive(Debug, Clone)]
pub struct Column {
    /// 0-based sheet column.
    pub col: u32,
    /// The header as the clerk wrote it ("parent/child" for a two-row header).
    pub header: String,
    /// Index into `schema::fields(table)`.
    pub field: usize,
    pub unit: Option<Unit>,
}

/// One data row: 1-based sheet row, one cell per mapped column (same order as `columns`).
#[derive(Debug, Clone)]
pub struct RawRow {
    pub row: u32,
    pub cells: Vec<Cell>,
}

/// A table found in a sheet, before typing (DESIGN §3).
#[derive(Debug, Clone)]
pub struct RawTable {
    pub file: String,
    pub sheet: String,
    pub table: TableId,
    /// 1-based row of the (last) header row.
    pub header_row: u32,
    pub columns: Vec<Column>,
    /// Field index → position in `columns`.
    pub field_col: Vec<Option<usize>>,
    pub rows: Vec<RawRow>,
    pub ctx: Ctx,
    /// The sheet also feeds another table (e.g. customers taken from a sales export): repeated
    /// rows of the same customer are expected there.
    pub shared_sheet: bool,
}

impl RawTable {
    pub fn col_of(&self, key: &str) -> Option<usize> {
        let fi = super::schema::field_index(self.table, key)?;
        self.field_col.get(fi).copied().flatten()
    }
}

/// What `find_tables` produced for one sheet.
#[derive(Debug, Default)]
pub struct Found {
    pub tables: Vec<RawTable>,
    pub reports: Vec<SheetReport>,
    pub problems: Vec<Problem>,
}

/// Excel column letters for a 0-based column.
pub fn col_letters(mut c: u32) -> String {
    let mut s = Vec::new();
    loop {
        s.push(b'A' + (c % 26) as u8);
        if c < 26 {
            break;
        }
        c = c / 26 - 1;
    }
    s.reverse();
    String::from_utf8(s).unwrap_or_default()
}

/// A1 reference from a 0-based column and a 1-based row.
pub fn a1(col0: u32, row1: u32) -> String {
    format!("{}{}", col_letters(col0), row1)
}

const HEADER_SCAN_ROWS: usize = 10;

/// No header is longer than this (the longest alias is under 20 characters). A longer cell in the
/// top rows (a pasted note, a 100,000-character cell) is not a header and is not normalised.
pub const MAX_HEADER_CHARS: usize = 64;

fn header_text(c: &Cell) -> Option<&str> {
    match c {
        Cell::Text(s)
            if !s.trim().is_empty()
                && (s.len() <= MAX_HEADER_CHARS || s.chars().nth(MAX_HEADER_CHARS).is_none()) =>
        {
            Some(s.as_str())
        }
        _ => None,
    }
}

/// A header cell as written and its normalised form, normalised once per sheet (the lookups try
/// every table against every candidate row).
#[derive(Debug, Clone)]
struct Label {
    col: u32,
    text: String,
    norm: super::header::NormHeader,
}

impl Label {
    fn new(col: u32, text: String) -> Label {
        let norm = normalise_header(&text);
        Label { col, text, norm }
    }
}

/// Look a header up: the mapping's own names first, then the built-in aliases. Returns the
/// field and the match quality (see `AliasIndex::lookup_q`; a mapping entry counts as 3).
fn lookup_q(table: TableId, key: &str, map: Option<&TableMap>) -> Option<(usize, u8)> {
    if let Some(m) = map {
        if let Some((_, fi)) = m.columns.iter().find(|(k, _)| k == key) {
            return Some((*fi, 3));
        }
    }
    alias_index(table).lookup_q(key)
}

fn lookup(table: TableId, key: &str, map: Option<&TableMap>) -> Option<(usize, bool)> {
    lookup_q(table, key, map).map(|(i, q)| (i, q >= 1))
}

/// Distinct fields a header row's labels match: (count, summed match quality, required fields
/// among them). Quality breaks ties: canonical headers beat aliases beat contained words.
fn score_labels(table: TableId, labels: &[Label], map: Option<&TableMap>) -> (usize, usize, usize) {
    let fs = fields(table);
    let mut seen: Vec<usize> = Vec::new();
    let mut quality = 0;
    for l in labels {
        if let Some((fi, q)) = lookup_q(table, &l.norm.key, map) {
            if !seen.contains(&fi) {
                seen.push(fi);
                quality += usize::from(q);
            }
        }
    }
    let req = seen.iter().filter(|i| fs[**i].req).count();
    (seen.len(), quality, req)
}

/// A candidate header row: its own labels, and the two-row reading (joined "parent/child") when
/// the next row looks like a sub-header.
struct Cand {
    single: Vec<Label>,
    double: Option<Vec<Label>>,
}

impl Cand {
    /// The better reading for a table: the two-row one only when it matches strictly better
    /// (so a first data row of plain text is never eaten as a sub-header).
    fn pick(&self, table: TableId, map: Option<&TableMap>) -> ((usize, usize, usize), usize) {
        let s1 = score_labels(table, &self.single, map);
        match &self.double {
            Some(d) => {
                let s2 = score_labels(table, d, map);
                if s2 > s1 {
                    (s2, 2)
                } else {
                    (s1, 1)
                }
            }
            None => (s1, 1),
        }
    }

    fn labels(&self, used: usize) -> &[Label] {
        match (&self.double, used) {
            (Some(d), 2) => d,
            _ => &self.single,
        }
    }
}

/// Header readings of each of the top 10 rows.
fn candidate_labels(sheet: &Sheet) -> Vec<Cand> {
    (0..sheet.rows.len().min(HEADER_SCAN_ROWS))
        .map(|i| {
            let (single, double) = header_labels(sheet, i);
            Cand { single, double }
        })
        .collect()
}

/// §3.0.2: the first of the top 10 rows that matches ≥ `min` known headers; (row, rows used).
fn find_header(
    cands: &[Cand],
    table: TableId,
    map: Option<&TableMap>,
    min: usize,
) -> Option<(usize, usize)> {
    cands.iter().enumerate().find_map(|(i, c)| {
        let (sc, used) = c.pick(table, map);
        (sc.0 >= min).then_some((i, used))
    })
}

/// The best table by header score (≥ 3 matched columns), for a sheet whose name says nothing.
fn best_by_headers(cands: &[Cand], mapping: Option<&Mapping>) -> Option<(TableId, (usize, usize))> {
    type Best = ((usize, usize, usize), TableId, usize, usize);
    let mut best: Option<Best> = None;
    for t in ALL {
        let m = mapping.and_then(|m| m.for_table(t));
        for (i, c) in cands.iter().enumerate() {
            let (sc, used) = c.pick(t, m);
            if sc.0 >= 3 && best.is_none_or(|(b, _, _, _)| sc > b) {
                best = Some((sc, t, i, used));
            }
        }
    }
    best.map(|(_, t, i, used)| (t, (i, used)))
}

fn merge_at(sheet: &Sheet, r: u32, c: u32) -> Option<(u32, u32, u32, u32)> {
    sheet
        .merges
        .iter()
        .copied()
        .find(|m| m.0 <= r && r <= m.2 && m.1 <= c && c <= m.3)
}

fn looks_like_data(c: &Cell) -> bool {
    match c {
        Cell::Text(s) => {
            let t = s.trim();
            super::normalise::parse_decimal_text(t).is_ok()
                || super::normalise::date(c, Ctx::default())
                    .ok()
                    .flatten()
                    .is_some()
        }
        Cell::Empty => false,
        _ => true,
    }
}

/// Headers per column: the row's own labels, and the merged two-row reading when the next row
/// looks like a sub-header.
fn header_labels(sheet: &Sheet, hi: usize) -> (Vec<Label>, Option<Vec<Label>>) {
    let h = &sheet.rows[hi];
    let single: Vec<Label> = h
        .cells
        .iter()
        .filter_map(|(c, v)| header_text(v).map(|t| Label::new(*c, t.trim().to_string())))
        .collect();
    let Some(n) = sheet.rows.get(hi + 1) else {
        return (single, None);
    };
    if n.row != h.row + 1 || n.cells.is_empty() {
        return (single, None);
    }
    // Every cell of a sub-header row is text, none reads as a number or date.
    if n.cells
        .iter()
        .any(|(_, v)| header_text(v).is_none() || looks_like_data(v))
    {
        return (single, None);
    }
    // Parent of column c: the header cell itself, or the merge (or, without merge information,
    // the nearest group header to the left that also has children) covering it.
    let parent_of = |c: u32| -> Option<String> {
        if let Some(t) = h.get(c).and_then(header_text) {
            return Some(t.trim().to_string());
        }
        if let Some(m) = merge_at(sheet, h.row, c) {
            if m.1 < c {
                return h
                    .get(m.1)
                    .and_then(header_text)
                    .map(|t| t.trim().to_string());
            }
        }
        if sheet.merges.is_empty() {
            let left = h.cells.iter().rev().find(|(pc, _)| *pc < c)?;
            if n.get(left.0).is_some() {
                return header_text(&left.1).map(|t| t.trim().to_string());
            }
        }
        None
    };
    // A sub-header has a child under a spanning parent, and leaves some single headers alone.
    let child_under_span = n.cells.iter().any(|(c, _)| {
        h.get(*c).and_then(header_text).is_none() && parent_of(*c).is_some()
            || merge_at(sheet, h.row, *c).is_some_and(|m| m.3 > m.1 && m.2 == h.row)
    });
    let some_single_alone = h.cells.iter().any(|(c, _)| n.get(*c).is_none());
    if !child_under_span || !some_single_alone {
        return (single, None);
    }
    let mut cols: Vec<u32> = h
        .cells
        .iter()
        .map(|(c, _)| *c)
        .chain(n.cells.iter().map(|(c, _)| *c))
        .collect();
    cols.sort_unstable();
    cols.dedup();
    let mut out = Vec::new();
    for c in cols {
        let child = n.get(c).and_then(header_text).map(|t| t.trim().to_string());
        let parent = parent_of(c);
        let label = match (parent, child) {
            (Some(p), Some(ch)) => format!("{p}/{ch}"),
            (Some(p), None) => p,
            (None, Some(ch)) => ch,
            (None, None) => continue,
        };
        out.push(Label::new(c, label));
    }
    (single, Some(out))
}

/// 合计 / 小计 / 总计 rows at the bottom or between groups.
fn is_total_row(row: &SheetRow) -> bool {
    row.cells
        .iter()
        .any(|(_, c)| c.as_text().is_some_and(is_total_label))
}

/// A short label starting 合计/小计/总计/本页合计/累计/共计/Total, spaces ignored ("合 计").
/// Checked on every text cell of every row, so the first character is tested before anything
/// is copied.
fn is_total_label(s: &str) -> bool {
    let t = s.trim_start();
    let Some(first) = t.chars().next() else {
        return false;
    };
    if !matches!(first, '合' | '小' | '总' | '本' | '累' | '共' | 't' | 'T') {
        return false;
    }
    let squeezed: String = t
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '\u{3000}')
        .take(9)
        .collect();
    squeezed.chars().count() <= 8
        && ["合计", "小计", "总计", "总合计", "本页合计", "累计", "共计"]
            .iter()
            .any(|k| squeezed.starts_with(k))
        || squeezed.to_ascii_lowercase().starts_with("total") && squeezed.len() <= 8
}

/// Sign-off and note lines under a table (制表人: …, 注: …), a single text cell.
fn is_footer_row(row: &SheetRow) -> bool {
    if row.cells.len() > 3 {
        return false;
    }
    row.cells.iter().all(|(_, c)| {
        c.as_text().is_some_and(|s| {
            let t = s.trim();
            [
                "制表",
                "审核",
                "填表",
                "编制",
                "批准",
                "注:",
                "注：",
                "说明:",
                "说明：",
                "备注:",
                "备注：",
                "经办",
                "复核",
            ]
            .iter()
            .any(|k| t.starts_with(k))
        })
    })
}

fn notice(
    file: &str,
    sheet: &str,
    cell: String,
    table: &str,
    raw: String,
    p: Msg,
    a: Msg,
) -> Problem {
    Problem {
        location: Location::new(file, sheet, cell),
        table: table.to_string(),
        raw,
        problem: p,
        action: a,
        severity: Severity::Notice,
    }
}

/// Is a 联系方式 column of T08 really 方式 (values are method words)? §3.0.8.
fn holds_method_words(sheet: &Sheet, from: usize, col: u32) -> bool {
    let mut n = 0;
    let mut hits = 0;
    for r in sheet.rows.iter().skip(from).take(30) {
        if let Some(t) = r.get(col).and_then(|c| c.as_text()) {
            n += 1;
            let t = t.trim();
            if CONTACT_METHOD.values.contains(&t)
                || CONTACT_METHOD.aliases.iter().any(|(a, _)| *a == t)
            {
                hits += 1;
            }
        }
    }
    n > 0 && hits * 2 > n
}

/// Sheets with this many data rows have them read on two threads.
const PARALLEL_ROWS: usize = 50_000;

/// A table's data rows from a stretch of the sheet: the rows with values in the mapped columns
/// (taken out of the sheet when `take`, copied otherwise), and the problems of the rows left out
/// (total, footer, values only in unknown columns), both in sheet order.
fn data_rows(
    data: &mut [SheetRow],
    columns: &[Column],
    take: bool,
    file: &str,
    sheet: &str,
    tname: &str,
) -> (Vec<RawRow>, Vec<Problem>) {
    let mut rows: Vec<RawRow> = Vec::with_capacity(data.len());
    let mut problems: Vec<Problem> = Vec::new();
    // Sheet column → the first table column reading it, so that taking a row's cells is one
    // walk over them instead of a search per column (a later table column of the same sheet
    // column finds the cell already taken, empty, as it did with a search).
    let mut slot: Vec<Option<usize>> = Vec::new();
    if take {
        let width = columns
            .iter()
            .map(|c| c.col as usize + 1)
            .max()
            .unwrap_or(0);
        slot = vec![None; width];
        for (i, c) in columns.iter().enumerate() {
            let s = &mut slot[c.col as usize];
            if s.is_none() {
                *s = Some(i);
            }
        }
    }
    for r in data.iter_mut() {
        let row1 = r.row + 1;
        // A row left out of the table, noted at its first cell.
        let left_out = |r: &SheetRow, raw: String, problem: Msg, action: Msg| {
            let first = r.cells.first().map(|(c, _)| *c).unwrap_or(0);
            notice(file, sheet, a1(first, row1), tname, raw, problem, action)
        };
        if is_total_row(r) {
            let label = r.cells.iter().filter_map(|(_, c)| c.as_text()).next();
            problems.push(left_out(
                r,
                crate::error::clip(label.unwrap_or("")),
                Msg::new("合计/小计行", "total or subtotal row"),
                Msg::new(
                    "未计入(由 kebiao 重新计算)",
                    "left out (kebiao computes totals itself)",
                ),
            ));
            continue;
        }
        if is_footer_row(r) {
            problems.push(left_out(
                r,
                r.cells.first().map(|(_, c)| c.raw()).unwrap_or_default(),
                Msg::new("表尾说明或签字行", "note or sign-off line under the table"),
                Msg::new("未计入", "left out"),
            ));
            continue;
        }
        // The walk gives what a search per column gives when the row's columns ascend, as every
        // reader writes them (a search in an unordered row finds what it finds: kept as it was).
        let ascending = || r.cells.windows(2).all(|w| w[0].0 < w[1].0);
        let cells: Vec<Cell> = if take && !ascending() {
            columns.iter().map(|c| r.take(c.col)).collect()
        } else if take {
            let mut cells = vec![Cell::Empty; columns.len()];
            for (c, v) in r.cells.iter_mut() {
                if let Some(&Some(i)) = slot.get(*c as usize) {
                    cells[i] = std::mem::take(v);
                }
            }
            cells
        } else {
            columns
                .iter()
                .map(|c| r.get(c.col).cloned().unwrap_or_default())
                .collect()
        };
        let blank = cells.iter().all(Cell::is_blank);
        if blank && r.cells.iter().any(|(_, c)| !c.is_blank()) {
            problems.push(left_out(
                r,
                r.cells[0].1.raw(),
                Msg::new(
                    "该行只在未识别的列中有内容",
                    "this row has values only in unknown columns",
                ),
                Msg::new("未计入", "left out"),
            ));
        }
        if take {
            // The row's cells now live in the table: free the sheet's emptied copy at once, so
            // a large sheet is not held twice (40 bytes a cell) until the sheet is dropped.
            r.cells = Vec::new();
        }
        if blank {
            continue;
        }
        rows.push(RawRow { row: row1, cells });
    }
    (rows, problems)
}

/// Find every table in a sheet.
pub fn find_tables(file: &str, sheet: &mut Sheet, mapping: Option<&Mapping>, out: &mut Found) {
    let report = |table: Option<String>, skipped: Option<Msg>| SheetReport {
        file: file.to_string(),
        sheet: sheet.name.clone(),
        table,
        skipped,
        header_row: None,
        mapped: Vec::new(),
        ignored: Vec::new(),
        data_rows: 0,
    };
    if sheet.chart {
        out.reports.push(report(
            None,
            Some(Msg::new("图表工作表,已跳过", "chart sheet, skipped")),
        ));
        out.problems.push(notice(
            file,
            &sheet.name,
            String::new(),
            "",
            String::new(),
            Msg::new("图表工作表", "chart sheet"),
            Msg::new("已跳过", "skipped"),
        ));
        return;
    }
    if sheet.visibility != Visibility::Visible {
        let very = sheet.visibility == Visibility::VeryHidden;
        out.reports.push(report(
            None,
            Some(Msg::new("隐藏的工作表,已跳过", "hidden sheet, skipped")),
        ));
        out.problems.push(notice(
            file,
            &sheet.name,
            String::new(),
            "",
            String::new(),
            Msg::new(
                if very {
                    "工作表被深度隐藏"
                } else {
                    "工作表被隐藏"
                },
                if very {
                    "very hidden sheet"
                } else {
                    "hidden sheet"
                },
            ),
            Msg::new(
                "已跳过;如需读取请在 Excel 中取消隐藏",
                "skipped; unhide it in Excel to have it read",
            ),
        ));
        return;
    }
    if sheet.rows.is_empty() {
        out.reports
            .push(report(None, Some(Msg::new("空工作表", "empty sheet"))));
        return;
    }
    // Which tables, and where their headers are.
    let mut targets: Vec<(TableId, Option<&TableMap>, (usize, usize))> = Vec::new();
    let explicit = mapping
        .map(|m| m.for_sheet(file, &sheet.name))
        .unwrap_or_default();
    let cands = candidate_labels(sheet);
    if !explicit.is_empty() {
        for tm in &explicit {
            // Two known headers are needed, or every one the mapping names if it names fewer.
            let min = tm.columns.len().clamp(1, 2);
            match find_header(&cands, tm.table, Some(tm), min) {
                Some(hi) => targets.push((tm.table, Some(*tm), hi)),
                None => {
                    out.reports.push(report(Some(tm.table.zh().into()), Some(Msg::new(
                        "映射文件指定了此工作表,但前10行中找不到映射的表头",
                        "the mapping file names this sheet, but its headers are not in the top 10 rows"))));
                    out.problems.push(notice(
                        file,
                        &sheet.name,
                        String::new(),
                        tm.table.zh(),
                        String::new(),
                        Msg::new(
                            "找不到映射文件中的表头",
                            "headers from the mapping file not found",
                        ),
                        Msg::new("已跳过此工作表", "sheet skipped"),
                    ));
                }
            }
        }
        if targets.is_empty() {
            return;
        }
    } else {
        let by_name = table_by_sheet_name(&sheet.name);
        let mut chosen = None;
        if let Some(t) = by_name {
            let m = mapping.and_then(|m| m.for_table(t));
            if let Some(hi) = find_header(&cands, t, m, 2) {
                chosen = Some((t, m, hi));
            }
        }
        if chosen.is_none() {
            if let Some((t, hi)) = best_by_headers(&cands, mapping) {
                chosen = Some((t, mapping.and_then(|m| m.for_table(t)), hi));
            }
        }
        match chosen {
            Some(c) => targets.push(c),
            None => {
                out.reports.push(report(by_name.map(|t| t.zh().to_string()), Some(Msg::new(
                    "前10行中没有可识别的表头(至少需要认出3列,或工作表名称指明表后2列)",
                    "no recognisable header in the top 10 rows (3 known columns needed, or 2 when the sheet name says which table)"))));
                out.problems.push(notice(
                    file,
                    &sheet.name,
                    String::new(),
                    "",
                    String::new(),
                    Msg::new("工作表未识别", "sheet not recognised"),
                    Msg::new(
                        "已跳过;可用 --map 指定列名",
                        "skipped; name its columns with --map",
                    ),
                ));
                return;
            }
        }
    }
    let shared = targets.len() > 1;
    let n_targets = targets.len();
    for (ti, (table, tmap, hi)) in targets.into_iter().enumerate() {
        // The last table read from this sheet takes the cells instead of copying them.
        let take = ti + 1 == n_targets;
        let tname = table.zh();
        let fs = fields(table);
        let mut rep = report(Some(tname.to_string()), None);
        if !table.is_loaded() {
            rep.skipped = Some(Msg::new(
                "kebiao 暂不读取此表",
                "kebiao does not read this table yet",
            ));
            rep.header_row = Some(sheet.rows[hi.0].row + 1);
            out.reports.push(rep);
            out.problems.push(notice(
                file,
                &sheet.name,
                String::new(),
                tname,
                String::new(),
                Msg::new(
                    format!("识别为{tname},暂不使用"),
                    format!("recognised as {}, not used yet", table.key()),
                ),
                Msg::new("已跳过", "skipped"),
            ));
            continue;
        }
        let (hi, used) = hi;
        let labels = cands[hi].labels(used).to_vec();
        let last_header = &sheet.rows[hi + used - 1];
        let header_row1 = last_header.row + 1;
        let data_from = hi + used;
        // Map columns. On a clash the exact match wins; otherwise the first column keeps it.
        let mut columns: Vec<(Column, bool)> = Vec::new();
        let mut ignored: Vec<(u32, String, Msg)> = Vec::new();
        for Label {
            col: c,
            text: label,
            norm: nh,
        } in &labels
        {
            let mut hit = lookup(table, &nh.key, tmap);
            if table == TableId::Interactions {
                if let Some((fi, _)) = hit {
                    if fs[fi].key == "phone" && holds_method_words(sheet, data_from, *c) {
                        hit = fs.iter().position(|f| f.key == "method").map(|i| (i, true));
                    }
                }
            }
            let Some((fi, exact)) = hit else {
                ignored.push((*c, label.clone(), Msg::new("未识别列", "unknown column")));
                continue;
            };
            if let Some(pos) = columns.iter().position(|(col, _)| col.field == fi) {
                if exact && !columns[pos].1 {
                    let (old, _) = columns.remove(pos);
                    ignored.push((
                        old.col,
                        old.header,
                        Msg::new(
                            format!("与“{label}”重复,都像是{}", fs[fi].header),
                            format!("duplicates “{label}” ({})", fs[fi].key),
                        ),
                    ));
                } else {
                    ignored.push((
                        *c,
                        label.clone(),
                        Msg::new(
                            format!("重复列,{}已取自“{}”", fs[fi].header, columns[pos].0.header),
                            format!(
                                "duplicate column; {} is taken from “{}”",
                                fs[fi].key, columns[pos].0.header
                            ),
                        ),
                    ));
                    continue;
                }
            }
            columns.push((
                Column {
                    col: *c,
                    header: label.clone(),
                    field: fi,
                    unit: nh.unit,
                },
                exact,
            ));
        }
        let mut columns: Vec<Column> = columns.into_iter().map(|(c, _)| c).collect();
        columns.sort_by_key(|c| c.col);
        for (c, label, why) in &ignored {
            out.problems.push(notice(
                file,
                &sheet.name,
                a1(*c, header_row1),
                tname,
                label.clone(),
                why.clone(),
                Msg::new("此列未读取", "column not read"),
            ));
        }
        let mut field_col = vec![None; fs.len()];
        for (i, c) in columns.iter().enumerate() {
            field_col[c.field] = Some(i);
        }
        // Data rows.
        let from = data_from.min(sheet.rows.len());
        let data = &mut sheet.rows[from..];
        let sheet_name = sheet.name.as_str();
        let cut = |d: &mut [SheetRow]| data_rows(d, &columns, take, file, sheet_name, tname);
        // A large sheet's rows are cut in two halves read side by side (each row on its own
        // gives its record and its problem; the halves are joined back in order).
        let (mut rows, probs) = if data.len() >= PARALLEL_ROWS && crate::par::threads() > 1 {
            let (a, b) = data.split_at_mut(data.len() / 2);
            let (ra, rb) = std::thread::scope(|s| {
                let first = s.spawn(|| cut(a));
                let second = cut(b);
                (first.join(), second)
            });
            match ra {
                Ok((mut rows, mut probs)) => {
                    rows.extend(rb.0);
                    probs.extend(rb.1);
                    (rows, probs)
                }
                Err(e) => std::panic::resume_unwind(e),
            }
        } else {
            cut(data)
        };
        out.problems.extend(probs);
        // Merged category cells (a 区域 or 客户 cell merged over several lines) fill down.
        let first_data_row0 = header_row1; // 0-based index of the first data row
        for m in &sheet.merges {
            if m.2 <= m.0 || m.0 < first_data_row0 {
                continue;
            }
            for (ci, col) in columns.iter().enumerate() {
                if col.col != m.1 || !fs[col.field].ty.fills_down() {
                    continue;
                }
                // Rows are sorted: find the merge's first line, then walk its span.
                let start = rows.partition_point(|rr| rr.row < m.0 + 1);
                let Some(top) = rows
                    .get(start)
                    .filter(|rr| rr.row == m.0 + 1)
                    .map(|rr| rr.cells[ci].clone())
                else {
                    continue;
                };
                for rr in rows[start..].iter_mut().take_while(|rr| rr.row <= m.2 + 1) {
                    if rr.cells[ci].is_blank() {
                        rr.cells[ci] = top.clone();
                    }
                }
            }
        }
        let date_order = tmap
            .and_then(|t| t.date_order)
            .or_else(|| mapping.and_then(|m| m.date_order))
            .unwrap_or(DateOrder::YearFirst);
        rep.header_row = Some(header_row1);
        rep.mapped = columns
            .iter()
            .map(|c| (c.header.clone(), fs[c.field].header.to_string()))
            .collect();
        rep.ignored = ignored.iter().map(|(_, l, _)| l.clone()).collect();
        rep.data_rows = rows.len();
        out.reports.push(rep);
        let _ = Ty::Text;
        out.tables.push(RawTable {
            file: file.to_string(),
            sheet: sheet.name.clone(),
            table,
            header_row: header_row1,
            columns,
            field_col,
            rows,
            ctx: Ctx {
                is_1904: sheet.is_1904,
                date_order,
            },
            shared_sheet: shared,
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(r: u32, cells: &[(u32, &str)]) -> SheetRow {
        SheetRow {
            row: r,
            cells: cells
                .iter()
                .map(|(c, s)| (*c, Cell::Text((*s).into())))
                .collect(),
        }
    }

    fn sheet(name: &str, rows: Vec<SheetRow>, merges: Vec<(u32, u32, u32, u32)>) -> Sheet {
        Sheet {
            name: name.into(),
            visibility: Visibility::Visible,
            chart: false,
            rows,
            merges,
            is_1904: false,
        }
    }

    /// A large sheet's rows, read in two halves side by side, give the rows and problems that
    /// reading them in one pass gives, in order.
    #[test]
    fn a_large_sheet_read_in_halves_is_read_as_in_one_pass() {
        let mut rows = vec![row(
            0,
            &[(0, "客户编号"), (1, "客户名称"), (2, "区域"), (5, "杂项")],
        )];
        for r in 1..=(PARALLEL_ROWS as u32 + 1_001) {
            let id = format!("C{r:06}");
            let name = format!("客户{r}");
            rows.push(match r % 997 {
                0 => row(r, &[(0, "合 计"), (2, "100")]),
                1 => row(r, &[(5, "只有杂项")]),
                2 => row(r, &[(0, "制表人: 张三")]),
                3 => row(r, &[(0, "  ")]),
                _ => row(r, &[(0, id.as_str()), (1, name.as_str()), (5, "x")]),
            });
        }
        let mut s = sheet("客户信息", rows, vec![]);
        let mut whole = s.rows[1..].to_vec();
        let mut f = Found::default();
        find_tables("big.xlsx", &mut s, None, &mut f);
        let t = &f.tables[0];
        let (want_rows, want_probs) = data_rows(
            &mut whole,
            &t.columns,
            true,
            "big.xlsx",
            "客户信息",
            TableId::Customers.zh(),
        );
        assert_eq!(t.rows.len(), want_rows.len());
        assert!(t.rows.len() > PARALLEL_ROWS - 1_000);
        for (a, b) in t.rows.iter().zip(&want_rows) {
            assert_eq!((a.row, &a.cells), (b.row, &b.cells));
        }
        // The data rows' problems come last, after none of the header's.
        let got = &f.problems[f.problems.len() - want_probs.len()..];
        assert_eq!(format!("{got:?}"), format!("{want_probs:?}"));
        assert!(want_probs.len() > 150, "{}", want_probs.len());
    }

    /// Taking a row's cells by one walk over them gives what a search per table column gives,
    /// for rows with cells outside the table, blank cells, a sheet column read by two table
    /// columns and a row whose cells are out of order.
    #[test]
    fn taking_cells_by_walking_the_row_is_taking_them_by_column() {
        let cols = |spec: &[u32]| -> Vec<Column> {
            spec.iter()
                .enumerate()
                .map(|(i, &col)| Column {
                    col,
                    field: i,
                    header: format!("h{i}"),
                    unit: None,
                })
                .collect()
        };
        let mut unordered = row(9, &[(4, "d"), (0, "a"), (2, "b")]);
        unordered.cells.push((2, Cell::Float(7.0)));
        let rows = vec![
            row(1, &[(0, "C001"), (1, "甲"), (2, "x"), (7, "远")]),
            row(2, &[(1, "乙"), (3, "  ")]),
            row(3, &[(5, "只在别处")]),
            row(4, &[(2, "仅此"), (40, "很远")]),
            unordered,
        ];
        for spec in [&[0u32, 2, 1][..], &[2, 0, 2, 7], &[3, 5], &[0, 4, 2]] {
            let columns = cols(spec);
            let mut walked = rows.clone();
            let (got, got_p) = data_rows(&mut walked, &columns, true, "f", "s", "t");
            let mut searched = rows.clone();
            let mut want = Vec::new();
            for r in searched.iter_mut() {
                let cells: Vec<Cell> = columns.iter().map(|c| r.take(c.col)).collect();
                if !cells.iter().all(Cell::is_blank) {
                    want.push((r.row + 1, cells));
                }
            }
            let got: Vec<(u32, Vec<Cell>)> = got.into_iter().map(|r| (r.row, r.cells)).collect();
            assert_eq!(got, want, "{spec:?}");
            // Copying instead of taking reads the same cells (a column read twice is copied
            // twice, so only without one).
            if spec.iter().enumerate().any(|(i, c)| spec[..i].contains(c)) {
                continue;
            }
            let (copied, copied_p) = data_rows(&mut rows.clone(), &columns, false, "f", "s", "t");
            let copied: Vec<(u32, Vec<Cell>)> =
                copied.into_iter().map(|r| (r.row, r.cells)).collect();
            assert_eq!(copied, got, "{spec:?}");
            assert_eq!(format!("{got_p:?}"), format!("{copied_p:?}"));
        }
    }

    #[test]
    fn a_plain_text_first_data_row_is_not_a_sub_header() {
        // No merge information (CSV), an unlabelled column, and a first data row of text only.
        let mut s = sheet(
            "客户信息",
            vec![
                row(0, &[(0, "客户编号"), (1, "客户名称"), (3, "区域")]),
                row(1, &[(0, "C001"), (1, "甲公司"), (2, "老客户")]),
                row(2, &[(0, "C002"), (1, "乙公司"), (3, "华北")]),
            ],
            vec![],
        );
        let mut f = Found::default();
        find_tables("t.csv", &mut s, None, &mut f);
        let t = &f.tables[0];
        assert_eq!(t.header_row, 1);
        assert_eq!(t.rows.len(), 2);
        assert_eq!(t.rows[0].cells[0], Cell::Text("C001".into()));
    }

    #[test]
    fn a_huge_cell_in_the_header_rows_is_not_a_header() {
        let big = "客户名称".repeat(25_000);
        let mut s = sheet(
            "客户信息",
            vec![
                row(0, &[(0, big.as_str())]),
                row(1, &[(0, "客户编号"), (1, "客户名称"), (2, big.as_str())]),
                row(2, &[(0, "C001"), (1, "甲公司")]),
            ],
            vec![],
        );
        let t = std::time::Instant::now();
        let mut f = Found::default();
        find_tables("t.xlsx", &mut s, None, &mut f);
        assert!(t.elapsed().as_secs() < 5, "{:?}", t.elapsed());
        assert_eq!(f.tables.len(), 1);
        assert_eq!(f.tables[0].header_row, 2);
        assert_eq!(f.tables[0].rows.len(), 1);
        // Not read as a column, and not quoted in full anywhere.
        assert_eq!(f.tables[0].columns.len(), 2);
        assert!(f
            .problems
            .iter()
            .all(|p| p.raw.chars().count() <= 201 && p.problem.zh.chars().count() < 400));
    }

    #[test]
    fn a_huge_total_label_is_clipped() {
        let big = format!("合计{}", "x".repeat(100_000));
        let mut s = sheet(
            "客户信息",
            vec![
                row(0, &[(0, "客户编号"), (1, "客户名称")]),
                row(1, &[(0, "C001"), (1, "甲公司")]),
                row(2, &[(0, "合计"), (1, big.as_str())]),
            ],
            vec![],
        );
        let mut f = Found::default();
        find_tables("t.xlsx", &mut s, None, &mut f);
        assert_eq!(f.tables[0].rows.len(), 1);
        assert!(f.problems.iter().all(|p| p.raw.chars().count() <= 201));
    }

    #[test]
    fn total_labels() {
        for t in [
            "合计",
            "合 计",
            "小计:",
            "总计",
            "本页合计",
            "Total",
            "合计（元）",
        ] {
            assert!(is_total_label(t), "{t}");
        }
        for t in [
            "合同号",
            "小王",
            "总经理办公室",
            "total amount due this month",
            "客户合计表述很长的备注",
        ] {
            assert!(!is_total_label(t), "{t}");
        }
    }

    #[test]
    fn a1_names() {
        assert_eq!(a1(0, 1), "A1");
        assert_eq!(a1(25, 3), "Z3");
        assert_eq!(a1(26, 14), "AA14");
        assert_eq!(a1(16383, 1), "XFD1");
    }

    #[test]
    fn title_row_two_row_header_total_row() {
        let s = sheet(
            "Sheet1",
            vec![
                row(0, &[(0, "2024年3月销售明细")]),
                row(
                    2,
                    &[
                        (0, "订单号"),
                        (1, "日期"),
                        (2, "客户名称"),
                        (3, "销售"),
                        (5, "备注"),
                    ],
                ),
                row(3, &[(3, "数量"), (4, "金额(万元)")]),
                row(
                    4,
                    &[
                        (0, "SO1"),
                        (1, "2024-03-01"),
                        (2, "甲公司"),
                        (3, "2"),
                        (4, "1.5"),
                    ],
                ),
                row(5, &[(0, "合计"), (3, "2"), (4, "1.5")]),
            ],
            vec![(0, 0, 0, 5), (2, 3, 2, 4), (2, 0, 3, 0)],
        );
        let mut f = Found::default();
        let mut s = s;
        find_tables("t.xlsx", &mut s, None, &mut f);
        assert_eq!(f.tables.len(), 1, "{:?}", f.reports);
        let t = &f.tables[0];
        assert_eq!(t.table, TableId::Sales);
        assert_eq!(t.header_row, 4);
        let hs: Vec<&str> = t.columns.iter().map(|c| c.header.as_str()).collect();
        assert_eq!(
            hs,
            ["订单号", "日期", "客户名称", "销售/数量", "销售/金额(万元)"]
        );
        assert_eq!(t.columns[4].unit, Some(Unit::WanYuan));
        assert_eq!(t.rows.len(), 1);
        assert_eq!(t.rows[0].row, 5);
        assert!(f
            .problems
            .iter()
            .any(|p| p.location.cell == "A6" && p.problem.zh.contains("合计")));
        assert!(f
            .problems
            .iter()
            .any(|p| p.raw == "备注" && p.problem.zh == "未识别列"));
    }

    #[test]
    fn hidden_and_unknown_sheets_are_reported() {
        let mut s = sheet(
            "Hidden",
            vec![row(0, &[(0, "客户编号"), (1, "客户名称")])],
            vec![],
        );
        s.visibility = Visibility::Hidden;
        let mut f = Found::default();
        find_tables("t.xlsx", &mut s, None, &mut f);
        assert!(f.tables.is_empty());
        assert!(f.reports[0].skipped.is_some());
        let mut s = sheet("Notes", vec![row(0, &[(0, "hello")])], vec![]);
        find_tables("t.xlsx", &mut s, None, &mut f);
        assert_eq!(f.reports.len(), 2);
        assert!(f.tables.is_empty());
    }
}
