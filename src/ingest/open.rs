//! Open a file by what its bytes are, not by its name (DESIGN §4: `open_workbook_auto` trusts the
//! extension). zip → xlsx / xlsb / ods; CFB → xls, or an encrypted OOXML; `<` → HTML or
//! SpreadsheetML; anything else → CSV/TSV text.

use super::cell::{from_data, from_data_ref, Cell};
#[path = "ods_scan.rs"]
mod ods_scan;
#[path = "xls_scan.rs"]
mod xls_scan;
#[path = "xlsx_fast.rs"]
mod xlsx_fast;
use super::markup;
use crate::error::{Error, Result};
use calamine::{Reader, SheetType, SheetVisible};
use std::io::Cursor;
use std::path::Path;

/// What the bytes are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Xlsx,
    Xlsb,
    Ods,
    Xls,
    /// An OOXML workbook encrypted with a password: a CFB container with `EncryptedPackage`.
    EncryptedOoxml,
    Html,
    SpreadsheetMl,
    Csv,
    /// Some other binary (PDF, image, an unknown zip ...).
    Other(&'static str),
}

impl Kind {
    pub fn label(self) -> &'static str {
        match self {
            Kind::Xlsx => "xlsx",
            Kind::Xlsb => "xlsb",
            Kind::Ods => "ods",
            Kind::Xls => "xls",
            Kind::EncryptedOoxml => "encrypted xlsx",
            Kind::Html => "HTML",
            Kind::SpreadsheetMl => "SpreadsheetML 2003 XML",
            Kind::Csv => "csv",
            Kind::Other(s) => s,
        }
    }
}

/// Position of the first `needle` in `hay`.
fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    memchr::memmem::find(hay, needle)
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    find(hay, needle).is_some()
}

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(|u| u.to_le_bytes()).collect()
}

/// Decide what a file is from its first bytes (and, for containers, the names inside).
pub fn sniff(bytes: &[u8]) -> Kind {
    if bytes.starts_with(b"PK\x03\x04") || bytes.starts_with(b"PK\x05\x06") {
        // Zip entry names are stored uncompressed in the local and central headers.
        if contains(bytes, b"xl/workbook.bin") {
            return Kind::Xlsb;
        }
        if contains(bytes, b"xl/workbook.xml") || contains(bytes, b"xl/_rels") {
            return Kind::Xlsx;
        }
        if contains(bytes, b"application/vnd.oasis.opendocument.spreadsheet")
            || contains(bytes, b"content.xml")
        {
            return Kind::Ods;
        }
        if contains(bytes, b"word/document.xml") {
            return Kind::Other("Word document (docx)");
        }
        return Kind::Other("zip archive");
    }
    if bytes.starts_with(&[0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1]) {
        if contains(bytes, &utf16("EncryptedPackage")) {
            return Kind::EncryptedOoxml;
        }
        if contains(bytes, &utf16("WordDocument")) {
            return Kind::Other("Word 97-2003 document (doc)");
        }
        return Kind::Xls;
    }
    if bytes.starts_with(b"%PDF") {
        return Kind::Other("PDF");
    }
    if bytes.starts_with(&[0x89, b'P', b'N', b'G']) || bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
        return Kind::Other("image");
    }
    let text_start = bytes.strip_prefix(&[0xEF, 0xBB, 0xBF][..]).unwrap_or(bytes);
    let head = &text_start[..text_start.len().min(4096)];
    let trimmed: &[u8] = {
        let p = head
            .iter()
            .position(|b| !b.is_ascii_whitespace())
            .unwrap_or(head.len());
        &head[p..]
    };
    if trimmed.starts_with(b"<") {
        let lower: Vec<u8> = text_start[..text_start.len().min(65536)]
            .iter()
            .map(|b| b.to_ascii_lowercase())
            .collect();
        if contains(&lower, b"urn:schemas-microsoft-com:office:spreadsheet")
            && contains(&lower, b"<workbook")
        {
            return Kind::SpreadsheetMl;
        }
        return Kind::Html;
    }
    if trimmed.starts_with(b"MIME-Version") {
        return Kind::Other("web archive (mht)");
    }
    if bytes.iter().take(8192).filter(|&&b| b == 0).count() > 8 {
        return Kind::Other("binary file");
    }
    Kind::Csv
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Visibility {
    Visible,
    Hidden,
    VeryHidden,
}

/// A non-empty row: 0-based row index and its non-empty cells, sorted by column.
#[derive(Debug, Clone, PartialEq)]
pub struct SheetRow {
    pub row: u32,
    pub cells: Vec<(u32, Cell)>,
}

impl SheetRow {
    pub fn get(&self, col: u32) -> Option<&Cell> {
        self.cells
            .binary_search_by_key(&col, |(c, _)| *c)
            .ok()
            .map(|i| &self.cells[i].1)
    }

    /// Move a cell out (leaving it empty), so a table can own the values without a copy.
    pub fn take(&mut self, col: u32) -> Cell {
        match self.cells.binary_search_by_key(&col, |(c, _)| *c) {
            Ok(i) => std::mem::take(&mut self.cells[i].1),
            Err(_) => Cell::Empty,
        }
    }
}

/// One sheet, stored sparsely: a stray cell at XFD1048576 costs one entry, not a dense grid.
#[derive(Debug, Clone)]
pub struct Sheet {
    pub name: String,
    pub visibility: Visibility,
    pub chart: bool,
    pub rows: Vec<SheetRow>,
    /// Merged regions, 0-based inclusive (first row, first col, last row, last col).
    pub merges: Vec<(u32, u32, u32, u32)>,
    pub is_1904: bool,
}

/// A whole input file.
#[derive(Debug)]
pub struct Book {
    pub kind: Kind,
    pub sheets: Vec<Sheet>,
}

fn unreadable(path: &Path, zh: &str, en: impl std::fmt::Display) -> Error {
    Error::Unreadable {
        path: path.to_path_buf(),
        msg: format!("{zh} ({en})"),
    }
}

/// Builds sparse rows straight from a reader's cells. Readers give cells in row-major order, so a
/// cell is appended to the current row without an intermediate list of triples (which doubled
/// the memory of a large sheet and moved every cell twice); any cell out of order makes `finish`
/// sort once.
#[derive(Default)]
struct RowSink {
    rows: Vec<SheetRow>,
    ordered: bool,
    n: usize,
}

impl RowSink {
    fn new() -> RowSink {
        RowSink {
            rows: Vec::new(),
            ordered: true,
            n: 0,
        }
    }

    fn push(&mut self, r: u32, c: u32, v: Cell) {
        self.n += 1;
        match self.rows.last_mut() {
            Some(last) if last.row == r => {
                if last.cells.last().is_some_and(|(pc, _)| *pc >= c) {
                    self.ordered = false;
                }
                last.cells.push((c, v));
            }
            last => {
                let (prev_row, prev_len) = last.map_or((None, 4), |l| (Some(l.row), l.cells.len()));
                if prev_row.is_some_and(|p| p > r) {
                    self.ordered = false;
                }
                // The previous row's width is the best guess for this one's.
                let cap = prev_len;
                let mut cells = Vec::with_capacity(cap);
                cells.push((c, v));
                self.rows.push(SheetRow { row: r, cells });
            }
        }
    }

    fn finish(self) -> Vec<SheetRow> {
        if self.ordered {
            return self.rows;
        }
        let mut cells: Vec<(u32, u32, Cell)> = Vec::with_capacity(self.n);
        for row in self.rows {
            cells.extend(row.cells.into_iter().map(|(c, v)| (row.row, c, v)));
        }
        into_rows(cells)
    }
}

/// Group (row, col, cell) triples into sorted sparse rows (a later cell at the same position
/// replaces an earlier one, as in a spreadsheet).
fn into_rows(mut cells: Vec<(u32, u32, Cell)>) -> Vec<SheetRow> {
    if !cells
        .windows(2)
        .all(|w| (w[0].0, w[0].1) <= (w[1].0, w[1].1))
    {
        // Stable, so the last of duplicate positions stays last.
        cells.sort_by_key(|(r, c, _)| (*r, *c));
    }
    let mut rows: Vec<SheetRow> = Vec::new();
    for (r, c, v) in cells {
        match rows.last_mut() {
            Some(last) if last.row == r => {
                if last.cells.last().is_some_and(|(pc, _)| *pc == c) {
                    if let Some(prev) = last.cells.last_mut() {
                        prev.1 = v;
                    }
                } else {
                    last.cells.push((c, v));
                }
            }
            _ => rows.push(SheetRow {
                row: r,
                cells: vec![(c, v)],
            }),
        }
    }
    rows
}

fn range_rows(range: &calamine::Range<calamine::Data>) -> Vec<SheetRow> {
    let mut sink = RowSink::new();
    let (r0, c0) = range.start().unwrap_or((0, 0));
    for (r, c, d) in range.used_cells() {
        let cell = from_data(d);
        if !cell.is_blank() {
            sink.push(r0 + r as u32, c0 + c as u32, cell);
        }
    }
    sink.finish()
}

fn vis(v: SheetVisible) -> Visibility {
    match v {
        SheetVisible::Visible => Visibility::Visible,
        SheetVisible::Hidden => Visibility::Hidden,
        SheetVisible::VeryHidden => Visibility::VeryHidden,
    }
}

fn dims(d: &calamine::Dimensions) -> (u32, u32, u32, u32) {
    (d.start.0, d.start.1, d.end.0, d.end.1)
}

/// Read the file at `path` (already read into `bytes`).
///
/// # Errors
/// The file is encrypted, is not a workbook, or its container is broken; the message names the
/// file and says what it really is.
pub fn read_book(path: &Path, bytes: &[u8]) -> Result<Book> {
    // Zero bytes would sniff as CSV and read as an empty sheet; the clerk should hear that the
    // file itself is empty (a failed download or copy), and nothing can be checked.
    if bytes.is_empty() {
        return Err(unreadable(
            path,
            "文件为空 (0 字节)",
            "the file is empty (0 bytes)",
        ));
    }
    let kind = sniff(bytes);
    let stem = path
        .file_stem()
        .map(|s| s.to_string_lossy().into_owned())
        .unwrap_or_else(|| "Sheet1".into());
    let sheets = match kind {
        Kind::EncryptedOoxml => {
            return Err(Error::Encrypted {
                path: path.to_path_buf(),
            })
        }
        Kind::Other(what) => {
            return Err(unreadable(
                path,
                &format!("不是电子表格,而是 {what}"),
                format!("not a spreadsheet: {what}"),
            ))
        }
        Kind::Xlsx => read_xlsx(path, bytes)?,
        Kind::Xlsb => read_xlsb(path, bytes)?,
        Kind::Xls => read_xls(path, bytes)?,
        Kind::Ods => read_ods(path, bytes)?,
        Kind::Html => {
            let text = super::csv::decode(bytes);
            let sheets = markup::read_html(&text, &stem);
            if sheets.is_empty() {
                return Err(unreadable(
                    path,
                    "这是网页 (HTML) 文件,里面没有表格",
                    "an HTML page with no table in it",
                ));
            }
            sheets
        }
        Kind::SpreadsheetMl => {
            let text = super::csv::decode(bytes);
            markup::read_spreadsheetml(&text)
        }
        Kind::Csv => vec![super::csv::read_csv(bytes, &stem)],
    };
    Ok(Book { kind, sheets })
}

type XlsxBook<'a> = calamine::Xlsx<Cursor<&'a [u8]>>;

fn open_xlsx<'a>(path: &Path, bytes: &'a [u8]) -> Result<XlsxBook<'a>> {
    calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsxError::Password => Error::Encrypted {
            path: path.to_path_buf(),
        },
        e => unreadable(path, "xlsx 文件已损坏,无法打开", e),
    })
}

/// One worksheet to read: its index in the workbook, name, and zip part (for the merges scan).
struct Job {
    idx: usize,
    name: String,
    part: Option<String>,
}

/// What reading one worksheet gave: its rows and merged regions.
type JobOut = (usize, Result<(Vec<SheetRow>, Vec<Merge>)>);

type Merge = (u32, u32, u32, u32);

/// Read worksheets from the shared queue until it is empty. Each reader thread has its own
/// calamine workbook over the same bytes (a workbook reads one sheet at a time), and its own zip
/// handle for the merges scan.
fn xlsx_worker<'a>(
    path: &Path,
    bytes: &'a [u8],
    jobs: &[Job],
    next: &std::sync::atomic::AtomicUsize,
    mut wb: Option<XlsxBook<'a>>,
) -> Vec<JobOut> {
    let mut out = Vec::new();
    let mut zip = zip::ZipArchive::new(Cursor::new(bytes)).ok();
    loop {
        let i = next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let Some(job) = jobs.get(i) else { break };
        if wb.is_none() {
            match open_xlsx(path, bytes) {
                Ok(w) => wb = Some(w),
                Err(e) => {
                    out.push((job.idx, Err(e)));
                    continue;
                }
            }
        }
        let Some(book) = wb.as_mut() else { break };
        let rows = xlsx_sheet_rows(path, book, &job.name);
        let res = rows.map(|rows| {
            let merges = match (zip.as_mut(), job.part.as_deref()) {
                (Some(z), Some(part)) => scan_merges(z, part),
                _ => None,
            };
            let merges = merges.unwrap_or_else(|| {
                book.merge_cells_by_sheet_name(&job.name)
                    .map(|ms| ms.iter().map(dims).collect())
                    .unwrap_or_default()
            });
            (rows, merges)
        });
        out.push((job.idx, res));
    }
    out
}

/// The cells of one worksheet, streamed (no dense grid).
fn xlsx_sheet_rows(path: &Path, wb: &mut XlsxBook<'_>, name: &str) -> Result<Vec<SheetRow>> {
    let mut sink = RowSink::new();
    let mut rdr = wb
        .worksheet_cells_reader(name)
        .map_err(|e| unreadable(path, &format!("工作表“{name}”无法读取"), e))?;
    // One pass gives the cached value and whether the cell holds a formula, so a formula saved
    // without its result is reported instead of being read as empty or 0.
    loop {
        match rdr.next_cell_with_formula_metadata() {
            Ok(Some(rec)) => {
                let mut cell = from_data_ref(rec.value);
                if rec.formula.is_some() && cell == Cell::Empty {
                    cell = Cell::NoCache;
                }
                if !cell.is_blank() {
                    sink.push(rec.pos.0, rec.pos.1, cell);
                }
            }
            Ok(None) => break,
            Err(e) => return Err(unreadable(path, &format!("工作表“{name}”已损坏"), e)),
        }
    }
    Ok(sink.finish())
}

/// Read an xlsx. The visible worksheets are read in parallel, largest first, on up to
/// [`crate::par::threads`] threads; the result is the same whatever the thread count (sheets are put
/// back in workbook order, and the first error in workbook order is the one returned).
fn read_xlsx(path: &Path, bytes: &[u8]) -> Result<Vec<Sheet>> {
    let mut wb = open_xlsx(path, bytes)?;
    let is_1904 = wb.has_1904_epoch();
    let meta: Vec<calamine::Sheet> = wb.sheets_metadata().to_vec();
    let mut parts = zip::ZipArchive::new(Cursor::new(bytes))
        .ok()
        .and_then(|mut z| xlsx_parts(&mut z).map(|p| (z, p)));
    let mut out = Vec::with_capacity(meta.len());
    let mut jobs: Vec<(u64, Job)> = Vec::new();
    for (idx, m) in meta.iter().enumerate() {
        let sheet = Sheet {
            name: m.name.clone(),
            visibility: vis(m.visible),
            chart: m.typ != SheetType::WorkSheet,
            rows: Vec::new(),
            merges: Vec::new(),
            is_1904,
        };
        if !sheet.chart && sheet.visibility == Visibility::Visible {
            let part = parts.as_ref().and_then(|(_, p)| p.get(&m.name)).cloned();
            let size = match (parts.as_mut(), &part) {
                (Some((z, _)), Some(p)) => part_size(z, p),
                _ => 0,
            };
            jobs.push((
                size,
                Job {
                    idx,
                    name: m.name.clone(),
                    part,
                },
            ));
        }
        out.push(sheet);
    }
    drop(parts);
    // Largest first, so the big sheet starts at once and the small ones fill in around it.
    jobs.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.idx.cmp(&b.1.idx)));
    let jobs: Vec<Job> = jobs.into_iter().map(|(_, j)| j).collect();
    // The direct reader first (xlsx_fast.rs); what it leaves is read by calamine below.
    let palette = style_palette(&mut wb, &meta);
    let (mut done, jobs) = fast_sheets(bytes, is_1904, &palette, jobs);
    let threads = crate::par::threads().min(jobs.len()).max(1);
    let next = std::sync::atomic::AtomicUsize::new(0);
    let mut results: Vec<JobOut> = if threads == 1 {
        xlsx_worker(path, bytes, &jobs, &next, Some(wb))
    } else {
        std::thread::scope(|s| {
            let helpers: Vec<_> = (1..threads)
                .map(|_| s.spawn(|| xlsx_worker(path, bytes, &jobs, &next, None)))
                .collect();
            let mut all = xlsx_worker(path, bytes, &jobs, &next, Some(wb));
            for h in helpers {
                match h.join() {
                    Ok(r) => all.extend(r),
                    // A reader bug on a malformed file must not take the run down.
                    Err(_) => all.push((
                        usize::MAX,
                        Err(unreadable(
                            path,
                            "文件已损坏,读取时出错",
                            "the file is damaged; the reader failed",
                        )),
                    )),
                }
            }
            all
        })
    };
    results.append(&mut done);
    results.sort_by_key(|(idx, _)| *idx);
    for (idx, res) in results {
        let (rows, merges) = res?;
        if let Some(sheet) = out.get_mut(idx) {
            sheet.rows = rows;
            sheet.merges = merges;
        }
    }
    Ok(out)
}

/// Read what sheets the direct reader can (all of them, usually) and return the jobs it left
/// to calamine. `KEBIAO_XLSX_FAST=0` turns it off (for measuring against calamine).
fn fast_sheets(
    bytes: &[u8],
    is_1904: bool,
    palette: &Option<Vec<calamine::Style>>,
    jobs: Vec<Job>,
) -> (Vec<JobOut>, Vec<Job>) {
    if std::env::var("KEBIAO_XLSX_FAST").is_ok_and(|v| v.trim() == "0") {
        return (Vec::new(), jobs);
    }
    let Some(palette) = palette else {
        return (Vec::new(), jobs);
    };
    let Some(ctx) = xlsx_fast::BookCtx::new(bytes, is_1904, palette) else {
        return (Vec::new(), jobs);
    };
    let fast: Vec<xlsx_fast::SheetJob> = jobs
        .iter()
        .filter_map(|j| {
            j.part.as_ref().map(|p| xlsx_fast::SheetJob {
                idx: j.idx,
                part: p.clone(),
            })
        })
        .collect();
    let mut got: std::collections::HashMap<usize, (Vec<SheetRow>, Vec<u8>)> =
        xlsx_fast::read_sheets(bytes, &ctx, &fast, crate::par::threads())
            .into_iter()
            .zip(&fast)
            .filter_map(|(r, j)| r.map(|r| (j.idx, r)))
            .collect();
    let mut done = Vec::new();
    let mut rest = Vec::new();
    for j in jobs {
        match got.remove(&j.idx) {
            Some((rows, tail)) => done.push((j.idx, Ok((rows, merges_in_tail(&tail))))),
            None => rest.push(j),
        }
    }
    (done, rest)
}

/// calamine's style palette (one entry per cell format, read in the same pass as its date
/// kinds), which the direct reader checks its own reading of styles.xml against. It is only
/// reachable through a sheet reader; `None` when there is no worksheet to open one on.
fn style_palette(wb: &mut XlsxBook<'_>, meta: &[calamine::Sheet]) -> Option<Vec<calamine::Style>> {
    let name = &meta.iter().find(|m| m.typ == SheetType::WorkSheet)?.name;
    let rdr = wb.worksheet_cells_reader(name).ok()?;
    Some(rdr.styles().to_vec())
}

/// For tests (tests/xlsx_fast.rs): every worksheet of an xlsx read by the direct reader
/// (`None`: it left the sheet to calamine) and by calamine, with their merged regions.
#[doc(hidden)]
#[allow(clippy::type_complexity)]
pub fn xlsx_both_readers(
    path: &Path,
    bytes: &[u8],
) -> Result<
    Vec<(
        String,
        Option<(Vec<SheetRow>, Vec<(u32, u32, u32, u32)>)>,
        Result<(Vec<SheetRow>, Vec<(u32, u32, u32, u32)>)>,
    )>,
> {
    let mut wb = open_xlsx(path, bytes)?;
    let is_1904 = wb.has_1904_epoch();
    let meta: Vec<calamine::Sheet> = wb.sheets_metadata().to_vec();
    let parts = zip::ZipArchive::new(Cursor::new(bytes))
        .ok()
        .and_then(|mut z| xlsx_parts(&mut z));
    let palette = style_palette(&mut wb, &meta);
    let ctx = palette
        .as_ref()
        .and_then(|p| xlsx_fast::BookCtx::new(bytes, is_1904, p));
    let sheets: Vec<&calamine::Sheet> = meta
        .iter()
        .filter(|m| m.typ == SheetType::WorkSheet)
        .collect();
    let jobs: Vec<xlsx_fast::SheetJob> = sheets
        .iter()
        .enumerate()
        .filter_map(|(idx, m)| {
            let part = parts.as_ref()?.get(&m.name)?.clone();
            Some(xlsx_fast::SheetJob { idx, part })
        })
        .collect();
    // Three threads whatever the machine, so the tests always run the shared queue.
    let mut fast: std::collections::HashMap<usize, (Vec<SheetRow>, Vec<u8>)> = match &ctx {
        Some(c) => xlsx_fast::read_sheets(bytes, c, &jobs, 3)
            .into_iter()
            .zip(&jobs)
            .filter_map(|(r, j)| r.map(|r| (j.idx, r)))
            .collect(),
        None => Default::default(),
    };
    let mut out = Vec::new();
    for (idx, m) in sheets.into_iter().enumerate() {
        let part = parts.as_ref().and_then(|p| p.get(&m.name));
        let fast = fast
            .remove(&idx)
            .map(|(rows, tail)| (rows, merges_in_tail(&tail)));
        let slow = xlsx_sheet_rows(path, &mut wb, &m.name).map(|rows| {
            let merges = zip::ZipArchive::new(Cursor::new(bytes))
                .ok()
                .and_then(|mut z| part.and_then(|p| scan_merges(&mut z, p)))
                .unwrap_or_default();
            (rows, merges)
        });
        out.push((m.name.clone(), fast, slow));
    }
    Ok(out)
}

/// `A1` → (0-based row, 0-based col).
fn parse_a1(s: &str) -> Option<(u32, u32)> {
    let s = s.trim().trim_start_matches('$');
    let letters = s.bytes().take_while(u8::is_ascii_alphabetic).count();
    if letters == 0 || letters > 3 {
        return None;
    }
    let mut col: u32 = 0;
    for b in s[..letters].bytes() {
        col = col * 26 + u32::from(b.to_ascii_uppercase() - b'A' + 1);
    }
    let row: u32 = s[letters..].trim_start_matches('$').parse().ok()?;
    Some((row.checked_sub(1)?, col - 1))
}

type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

/// Index of a zip entry, matched case-insensitively and with either slash (as Excel does).
fn zip_index(z: &mut Zip<'_>, name: &str) -> Option<usize> {
    (0..z.len()).find(|i| {
        z.name_for_index(*i).and_then(Result::ok).is_some_and(|n| {
            n.replace('\\', "/")
                .trim_start_matches('/')
                .eq_ignore_ascii_case(name)
        })
    })
}

/// Compressed size of a zip part: how much work reading it is.
fn part_size(z: &mut Zip<'_>, name: &str) -> u64 {
    zip_index(z, name)
        .and_then(|i| z.by_index_raw(i).ok().map(|f| f.compressed_size()))
        .unwrap_or(0)
}

fn zip_text(z: &mut Zip<'_>, name: &str) -> Option<String> {
    use std::io::Read;
    let idx = zip_index(z, name)?;
    let mut f = z.by_index(idx).ok()?;
    let mut s = String::new();
    f.read_to_string(&mut s).ok()?;
    Some(s)
}

/// `<tag attrs>` → the attribute text of every such element.
fn tags(xml: &str, tag: &str) -> Vec<String> {
    let mut v = Vec::new();
    let mut from = 0;
    while let Some(p) = xml[from..].find(tag) {
        let start = from + p + tag.len();
        let end = xml[start..]
            .find('>')
            .map(|e| start + e)
            .unwrap_or(xml.len());
        v.push(xml[start..end].to_string());
        from = end;
    }
    v
}

/// Sheet name → its zip part (`xl/worksheets/sheet1.xml`), from workbook.xml and its rels.
fn xlsx_parts(z: &mut Zip<'_>) -> Option<std::collections::HashMap<String, String>> {
    let wb = zip_text(z, "xl/workbook.xml")?;
    let rels = zip_text(z, "xl/_rels/workbook.xml.rels")?;
    let mut targets = std::collections::HashMap::new();
    for a in tags(&rels, "Relationship ") {
        if let (Some(id), Some(t)) = (markup::attr(&a, "id"), markup::attr(&a, "target")) {
            targets.insert(id, t);
        }
    }
    let mut out = std::collections::HashMap::new();
    for a in tags(&wb, "<sheet ").into_iter().chain(tags(&wb, ":sheet ")) {
        let (Some(name), Some(id)) = (markup::attr(&a, "name"), markup::attr(&a, "id")) else {
            continue;
        };
        let Some(t) = targets.get(&id) else { continue };
        let path = match t.strip_prefix('/') {
            Some(abs) => abs.to_string(),
            None => format!("xl/{t}"),
        };
        out.insert(name, path);
    }
    Some(out)
}

/// Merged regions of one worksheet, found by streaming its decompressed XML and keeping only
/// what follows `</sheetData>` (calamine's own call parses the whole sheet XML a second time,
/// which doubled the time to open a large sheet; reading the part into one string cost a copy
/// of the whole sheet). `None` → fall back to calamine.
fn scan_merges(z: &mut Zip<'_>, part: &str) -> Option<Vec<Merge>> {
    use std::io::Read;
    const END: &[u8] = b"</sheetData>";
    let idx = zip_index(z, part)?;
    let mut f = z.by_index(idx).ok()?;
    let mut buf = vec![0u8; 1 << 16];
    // The last bytes of the previous chunk, in case the end tag straddles two chunks.
    let mut carry: Vec<u8> = Vec::new();
    let mut tail: Option<Vec<u8>> = None;
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            break;
        }
        let chunk = &buf[..n];
        if let Some(t) = tail.as_mut() {
            t.extend_from_slice(chunk);
            continue;
        }
        let mut seam = std::mem::take(&mut carry);
        seam.extend_from_slice(&chunk[..chunk.len().min(END.len() - 1)]);
        if let Some(p) = find(&seam, END) {
            let mut t = seam[p..].to_vec();
            t.extend_from_slice(&chunk[chunk.len().min(END.len() - 1)..]);
            tail = Some(t);
        } else if let Some(p) = find(chunk, END) {
            tail = Some(chunk[p..].to_vec());
        } else {
            carry = chunk[chunk.len().saturating_sub(END.len() - 1)..].to_vec();
        }
    }
    let Some(tail) = tail else {
        return Some(Vec::new());
    };
    Some(merges_in_tail(&tail))
}

/// The merged regions in the XML from `</sheetData>` on.
fn merges_in_tail(tail: &[u8]) -> Vec<Merge> {
    let xml = String::from_utf8_lossy(tail);
    let mut merges = Vec::new();
    for m in tags(&xml, "mergeCell ") {
        let Some(r) = markup::attr(&m, "ref") else {
            continue;
        };
        let (a, b) = r.split_once(':').unwrap_or((r.as_str(), r.as_str()));
        if let (Some(s), Some(e)) = (parse_a1(a), parse_a1(b)) {
            merges.push((s.0, s.1, e.0, e.1));
        }
    }
    merges
}

/// One BIFF12 record header from `r`: its type and length (both variable-length, MS-XLSB 2.1.4).
fn xlsb_header(r: &mut impl std::io::Read) -> Option<(u16, u64)> {
    let mut b = [0u8; 1];
    let mut byte = |r: &mut dyn std::io::Read| -> Option<u8> {
        r.read_exact(&mut b).ok()?;
        Some(b[0])
    };
    let t0 = byte(r)?;
    let typ = if t0 & 0x80 != 0 {
        u16::from(t0 & 0x7F) | (u16::from(byte(r)? & 0x7F) << 7)
    } else {
        u16::from(t0)
    };
    let mut len: u64 = 0;
    for i in 0..4 {
        let x = byte(r)?;
        len |= u64::from(x & 0x7F) << (7 * i);
        if x & 0x80 == 0 {
            break;
        }
    }
    Some((typ, len))
}

fn le_u32(b: &[u8], i: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(i..i + 4)?.try_into().ok()?))
}

/// XLWideString at `b[i..]`: (text, bytes used).
fn wide_string(b: &[u8], i: usize) -> Option<(String, usize)> {
    let n = le_u32(b, i)?;
    if n == u32::MAX {
        return Some((String::new(), 4));
    }
    let n = n as usize;
    let units: Vec<u16> = b
        .get(i + 4..i + 4 + n.checked_mul(2)?)?
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    Some((String::from_utf16_lossy(&units), 4 + 2 * n))
}

/// Sheet name → its zip part (`xl/worksheets/sheet1.bin`), from workbook.bin's BrtBundleSh
/// records and the workbook's rels.
fn xlsb_parts(z: &mut Zip<'_>) -> Option<std::collections::HashMap<String, String>> {
    use std::io::Read;
    let rels = zip_text(z, "xl/_rels/workbook.bin.rels")?;
    let mut targets = std::collections::HashMap::new();
    for a in tags(&rels, "Relationship ") {
        if let (Some(id), Some(t)) = (markup::attr(&a, "id"), markup::attr(&a, "target")) {
            targets.insert(id, t);
        }
    }
    let idx = zip_index(z, "xl/workbook.bin")?;
    let mut f = std::io::BufReader::new(z.by_index(idx).ok()?);
    let mut out = std::collections::HashMap::new();
    while let Some((typ, len)) = xlsb_header(&mut f) {
        // The sheet list is near the top; a record this long is not part of a workbook.bin.
        if len > 1 << 20 {
            return None;
        }
        let mut rec = vec![0u8; len as usize];
        f.read_exact(&mut rec).ok()?;
        match typ {
            // BrtBundleSh: state, tab id, relationship id, name.
            0x009C => {
                let Some((id, used)) = wide_string(&rec, 8) else {
                    continue;
                };
                let Some((name, _)) = wide_string(&rec, 8 + used) else {
                    continue;
                };
                if let Some(t) = targets.get(&id) {
                    let path = match t.strip_prefix('/') {
                        Some(abs) => abs.to_string(),
                        None => format!("xl/{t}"),
                    };
                    out.insert(name, path);
                }
            }
            // BrtEndBundleShs: no sheets after it.
            0x0090 => break,
            _ => {}
        }
    }
    Some(out)
}

/// Merged regions of one .xlsb sheet: the BrtMergeCell records after its cells (calamine 0.38
/// reads none). The cell records are skipped unread; memory is one small record at a time.
fn scan_xlsb_merges(z: &mut Zip<'_>, part: &str) -> Option<Vec<Merge>> {
    use std::io::Read;
    let idx = zip_index(z, part)?;
    let mut f = std::io::BufReader::with_capacity(1 << 16, z.by_index(idx).ok()?);
    let mut merges = Vec::new();
    while let Some((typ, len)) = xlsb_header(&mut f) {
        match typ {
            // BrtMergeCell: first row, last row, first col, last col (u32 each).
            0x00B0 if len >= 16 => {
                let mut rec = [0u8; 16];
                f.read_exact(&mut rec).ok()?;
                std::io::copy(&mut (&mut f).take(len - 16), &mut std::io::sink()).ok()?;
                let v = |i| le_u32(&rec, i);
                if let (Some(r0), Some(r1), Some(c0), Some(c1)) = (v(0), v(4), v(8), v(12)) {
                    if r0 <= r1 && c0 <= c1 {
                        merges.push((r0, c0, r1, c1));
                    }
                }
                // A clerk's sheet has tens; past this the file is not a clerk's sheet.
                if merges.len() >= 100_000 {
                    break;
                }
            }
            // BrtEndMergeCells, BrtEndSheet: nothing more to find.
            0x00B2 | 0x0082 => break,
            _ => {
                std::io::copy(&mut (&mut f).take(len), &mut std::io::sink()).ok()?;
            }
        }
    }
    Some(merges)
}

fn read_xlsb(path: &Path, bytes: &[u8]) -> Result<Vec<Sheet>> {
    let mut wb = calamine::Xlsb::new(Cursor::new(bytes))
        .map_err(|e| unreadable(path, "xlsb 文件已损坏,无法打开", e))?;
    let is_1904 = wb.has_1904_epoch();
    let meta: Vec<calamine::Sheet> = wb.sheets_metadata().to_vec();
    // Merged regions come from our own pass over each sheet part (calamine has none for xlsb).
    let mut parts = zip::ZipArchive::new(Cursor::new(bytes))
        .ok()
        .and_then(|mut z| xlsb_parts(&mut z).map(|p| (z, p)));
    let mut out = Vec::with_capacity(meta.len());
    for m in meta {
        let chart = m.typ != SheetType::WorkSheet;
        let mut sheet = Sheet {
            name: m.name.clone(),
            visibility: vis(m.visible),
            chart,
            rows: Vec::new(),
            merges: Vec::new(),
            is_1904,
        };
        if !chart && sheet.visibility == Visibility::Visible {
            let mut sink = RowSink::new();
            let mut rdr = wb
                .worksheet_cells_reader(&m.name)
                .map_err(|e| unreadable(path, &format!("工作表“{}”无法读取", m.name), e))?;
            loop {
                match rdr.next_cell() {
                    Ok(Some(c)) => {
                        let (r, col) = c.get_position();
                        let cell = from_data_ref(c.get_value().clone());
                        if !cell.is_blank() {
                            sink.push(r, col, cell);
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        return Err(unreadable(path, &format!("工作表“{}”已损坏", m.name), e))
                    }
                }
            }
            sheet.rows = sink.finish();
            if let Some((z, p)) = parts.as_mut() {
                if let Some(part) = p.get(&m.name).cloned() {
                    sheet.merges = scan_xlsb_merges(z, &part).unwrap_or_default();
                }
            }
        }
        out.push(sheet);
    }
    Ok(out)
}

/// Refuse an .xls whose sheets would make calamine reserve or build an oversized grid (see
/// [`xls_scan`]); calamine does both inside `Xls::new`, so this runs first.
fn xls_guard(path: &Path, bytes: &[u8]) -> Result<()> {
    if xls_scan::fat_loops(bytes) {
        return Err(unreadable(
            path,
            "xls 文件已损坏 (扇区链首尾相接), 无法打开;请在 Excel 中打开并另存为 .xlsx",
            "the .xls file is damaged (a sector chain loops back on itself); open it in Excel and save as .xlsx",
        ));
    }
    let Some(stream) = xls_scan::workbook_stream(bytes) else {
        return Ok(());
    };
    for s in xls_scan::scan_stream(&stream) {
        if let Some(claim) = &s.bad_dimensions {
            return Err(unreadable(
                path,
                &format!(
                    "工作表“{}”的尺寸记录 (DIMENSIONS) 声称的范围超出 .xls 能容纳的 65536 行 × 256 列,文件已损坏;请在 Excel 中打开并另存为 .xlsx",
                    s.name
                ),
                format!(
                    "sheet '{}': its DIMENSIONS record claims {claim}, more than a .xls can hold; the file is damaged (open it in Excel and save as .xlsx)",
                    s.name
                ),
            ));
        }
        s.extent.check(path, &s.name)?;
    }
    Ok(())
}

/// Formula cells of `range` that hold no value: in a .xls, a formula whose result is "a string,
/// in the STRING record next" with no STRING record. (A result stored as a blank string reads as
/// blank: that is how Excel stores `=""`, and xlwt's placeholder looks the same.)
fn xls_no_cache(
    formulas: &calamine::Range<String>,
    range: &calamine::Range<calamine::Data>,
) -> Vec<(u32, u32)> {
    let Some((r0, c0)) = formulas.start() else {
        return Vec::new();
    };
    formulas
        .used_cells()
        .filter(|(_, _, f)| !f.is_empty())
        .map(|(r, c, _)| (r0 + r as u32, c0 + c as u32))
        .filter(|&pos| matches!(range.get_value(pos), None | Some(calamine::Data::Empty)))
        .collect()
}

fn read_xls(path: &Path, bytes: &[u8]) -> Result<Vec<Sheet>> {
    xls_guard(path, bytes)?;
    let mut wb = calamine::Xls::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsError::Password => Error::Encrypted {
            path: path.to_path_buf(),
        },
        e => unreadable(path, "xls 文件已损坏,无法打开", e),
    })?;
    let is_1904 = wb.has_1904_epoch();
    let meta: Vec<calamine::Sheet> = wb.sheets_metadata().to_vec();
    let mut out = Vec::with_capacity(meta.len());
    for m in meta {
        let chart = m.typ != SheetType::WorkSheet;
        let mut sheet = Sheet {
            name: m.name.clone(),
            visibility: vis(m.visible),
            chart,
            rows: Vec::new(),
            merges: Vec::new(),
            is_1904,
        };
        if !chart && sheet.visibility == Visibility::Visible {
            let range = wb
                .worksheet_range(&m.name)
                .map_err(|e| unreadable(path, &format!("工作表“{}”无法读取", m.name), e))?;
            // The formulas were parsed by `Xls::new` already; this is a copy of their grid.
            let no_cache = wb
                .worksheet_formula(&m.name)
                .map(|f| xls_no_cache(&f, &range))
                .unwrap_or_default();
            sheet.rows = mark_no_cache(range_rows(&range), &no_cache);
            if let Ok(ms) = wb.merge_cells_by_sheet_name(&m.name) {
                sheet.merges = ms.iter().map(dims).collect();
            }
        }
        out.push(sheet);
    }
    Ok(out)
}

/// A sheet's dense grid may cost this many cells before the guard asks whether it is mostly air.
const DENSE_FREE: u64 = 2_000_000;
/// A dense grid bigger than this many times the cells the file really writes is refused.
const DENSE_RATIO: u64 = 50;
/// Refused whatever the file writes: values, formulas and a copy come to ~90 bytes a cell in
/// calamine, so this is ~5 GB (calamine itself stops at 100 million).
const DENSE_MAX: u64 = 60_000_000;

/// `A1` name of a 0-based cell (columns past XFD and rows past u32 still get a name).
fn a1(r: u64, c: u64) -> String {
    let mut col = String::new();
    let mut n = c + 1;
    while n > 0 {
        let d = ((n - 1) % 26) as u8;
        col.insert(0, char::from(b'A' + d));
        n = (n - 1) / 26;
    }
    format!("{col}{}", r + 1)
}

/// Where a sheet's cells lie, as the .xls and .ods scans find them before calamine reads the file:
/// the box calamine's dense grid will cover, the cells the file really writes, and the cell that
/// last pushed the box out (named in the refusal).
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Extent {
    /// 0-based inclusive (first row, first col, last row, last col).
    pub used: Option<(u64, u64, u64, u64)>,
    /// Cells or cell elements as written (an .ods repeat is one).
    pub written: u64,
    pub far: Option<(u64, u64)>,
}

impl Extent {
    /// Cells of the dense grid calamine builds for this box.
    pub fn dense(&self) -> u64 {
        self.used.map_or(0, |(r0, c0, r1, c1)| {
            (r1 - r0 + 1).saturating_mul(c1 - c0 + 1)
        })
    }

    /// One written cell, or one element covering `rows` × `cols` cells from (r, c).
    pub fn add(&mut self, r: u64, c: u64, rows: u64, cols: u64) {
        if rows == 0 || cols == 0 {
            return;
        }
        let (r1, c1) = (r + rows - 1, c + cols - 1);
        let grows = match self.used {
            None => {
                self.used = Some((r, c, r1, c1));
                true
            }
            Some((ur0, uc0, ur1, uc1)) => {
                self.used = Some((ur0.min(r), uc0.min(c), ur1.max(r1), uc1.max(c1)));
                r1 > ur1 || c1 > uc1
            }
        };
        if grows {
            self.far = Some((r1, c1));
        }
        self.written += 1;
    }

    /// Refuse the sheet when its dense grid would be far larger than what the file writes.
    fn check(&self, path: &Path, sheet: &str) -> Result<()> {
        match self.used {
            Some(used) if refuse_dense(self.dense(), self.written) => Err(too_sparse(
                path,
                sheet,
                used,
                self.far,
                self.dense(),
                self.written,
            )),
            _ => Ok(()),
        }
    }
}

/// The error for a sheet whose claimed area would make a dense grid of `dense` cells while the
/// file writes only `written` non-empty cells.
fn too_sparse(
    path: &Path,
    sheet: &str,
    used: (u64, u64, u64, u64),
    far: Option<(u64, u64)>,
    dense: u64,
    written: u64,
) -> Error {
    let area = format!("{}:{}", a1(used.0, used.1), a1(used.2, used.3));
    let far = far
        .map(|(r, c)| a1(r, c))
        .unwrap_or_else(|| a1(used.2, used.3));
    let mem = approx_memory(dense);
    unreadable(
        path,
        &format!(
            "工作表“{sheet}”的已用区域 {area} 有 {dense} 个单元格,而文件里只写了 {written} 个有内容的单元格;\
             读入需要约 {mem} 内存,已拒绝。请删除远处的单元格 {far}(或重复到很远的行/列)后另存再试"
        ),
        format!(
            "sheet '{sheet}': its used area {area} is {dense} cells but the file writes only {written} \
             non-empty cells; reading it would take about {mem}, so it is refused. Delete the far-away \
             cell {far} (or the rows/columns repeated out to it) and save again"
        ),
    )
}

/// What calamine's dense grid of `dense` cells costs: a value (32 bytes), a formula slot (24)
/// and the copy `worksheet_range` hands out (32), rounded for a clerk.
fn approx_memory(dense: u64) -> String {
    let bytes = dense.saturating_mul(88);
    if bytes >= 1 << 30 {
        format!("{} GB", bytes >> 30)
    } else {
        format!("{} MB", (bytes >> 20).max(1))
    }
}

/// Whether a dense grid of `dense` cells for `written` written cells is refused.
fn refuse_dense(dense: u64, written: u64) -> bool {
    dense > DENSE_MAX || (dense > DENSE_FREE && dense > written.saturating_mul(DENSE_RATIO))
}

/// Put [`Cell::NoCache`] at each of `at` that holds no value (a formula saved without its
/// result): never left blank, never read as 0.
fn mark_no_cache(rows: Vec<SheetRow>, at: &[(u32, u32)]) -> Vec<SheetRow> {
    if at.is_empty() {
        return rows;
    }
    let n: usize = rows.iter().map(|r| r.cells.len()).sum();
    let mut cells: Vec<(u32, u32, Cell)> = Vec::with_capacity(n + at.len());
    // First, so that a real value at the same place (stable sort, later wins) is kept.
    cells.extend(at.iter().map(|&(r, c)| (r, c, Cell::NoCache)));
    for row in rows {
        cells.extend(row.cells.into_iter().map(|(c, v)| (row.row, c, v)));
    }
    into_rows(cells)
}

fn read_ods(path: &Path, bytes: &[u8]) -> Result<Vec<Sheet>> {
    // Before calamine, which builds every table's dense grid while opening the file.
    let scanned = ods_scan::scan(bytes).unwrap_or_default();
    for t in &scanned {
        t.extent.check(path, &t.name)?;
    }
    let mut wb = calamine::Ods::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::OdsError::Password => Error::Encrypted {
            path: path.to_path_buf(),
        },
        e => unreadable(path, "ods 文件已损坏,无法打开", e),
    })?;
    let meta: Vec<calamine::Sheet> = wb.sheets_metadata().to_vec();
    let mut out = Vec::with_capacity(meta.len());
    for m in meta {
        let mut sheet = Sheet {
            name: m.name.clone(),
            visibility: vis(m.visible),
            chart: false,
            rows: Vec::new(),
            merges: Vec::new(),
            is_1904: false,
        };
        if sheet.visibility == Visibility::Visible {
            let range = wb
                .worksheet_range(&m.name)
                .map_err(|e| unreadable(path, &format!("工作表“{}”无法读取", m.name), e))?;
            let rows = range_rows(&range);
            drop(range);
            match scanned.iter().find(|t| t.name == m.name) {
                Some(t) => {
                    sheet.rows = mark_no_cache(rows, &t.no_cache);
                    sheet.merges = t.merges.clone();
                }
                None => sheet.rows = rows,
            }
        }
        out.push(sheet);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a1_refs() {
        assert_eq!(parse_a1("A1"), Some((0, 0)));
        assert_eq!(parse_a1("$B$3"), Some((2, 1)));
        assert_eq!(parse_a1("XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(parse_a1("A0"), None);
    }

    #[test]
    fn an_empty_file_says_so() {
        match read_book(Path::new("空.xlsx"), b"") {
            Err(Error::Unreadable { msg, .. }) => assert!(msg.contains("文件为空"), "{msg}"),
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn rows_from_cells_in_any_order() {
        let t = |s: &str| Cell::Text(s.into());
        let mut sink = RowSink::new();
        sink.push(0, 0, t("a"));
        sink.push(0, 2, t("c"));
        sink.push(2, 1, t("e"));
        assert!(sink.ordered);
        let rows = sink.finish();
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[1].row, 2);
        assert_eq!(rows[0].get(2), Some(&t("c")));
        let mut sink = RowSink::new();
        sink.push(3, 1, t("late"));
        sink.push(1, 4, t("x"));
        sink.push(1, 0, t("w"));
        sink.push(3, 1, t("later"));
        assert!(!sink.ordered);
        let rows = sink.finish();
        let got: Vec<(u32, Vec<u32>)> = rows
            .iter()
            .map(|r| (r.row, r.cells.iter().map(|c| c.0).collect()))
            .collect();
        assert_eq!(got, vec![(1, vec![0, 4]), (3, vec![1])]);
        // A later cell at the same place replaces the earlier one.
        assert_eq!(rows[1].get(1), Some(&t("later")));
    }

    #[test]
    fn merges_found_after_sheet_data_across_chunks() {
        use std::io::Write;
        // Stored (not compressed), so the reads come in 64 KiB chunks and the end tag can be
        // placed across the seam between the first two.
        let mut xml =
            String::from("<worksheet><sheetData><row r=\"1\"><c r=\"A1\"><v>1</v></c></row>");
        while xml.len() < 65536 - 5 {
            xml.push(' ');
        }
        xml.push_str("</sheetData><mergeCells count=\"2\"><mergeCell ref=\"A1:C1\"/><mergeCell ref=\"B2:B5\"/></mergeCells></worksheet>");
        let mut buf = Vec::new();
        {
            let mut w = zip::ZipWriter::new(Cursor::new(&mut buf));
            let opts = zip::write::SimpleFileOptions::default()
                .compression_method(zip::CompressionMethod::Stored);
            w.start_file("xl/worksheets/sheet1.xml", opts).unwrap();
            w.write_all(xml.as_bytes()).unwrap();
            w.finish().unwrap();
        }
        let mut z = zip::ZipArchive::new(Cursor::new(&buf[..])).unwrap();
        assert_eq!(
            scan_merges(&mut z, "xl/worksheets/sheet1.xml"),
            Some(vec![(0, 0, 0, 2), (1, 1, 4, 1)])
        );
        // A sheet without merges has none; a missing part falls back (None).
        assert_eq!(scan_merges(&mut z, "xl/worksheets/sheet9.xml"), None);
    }

    /// The compound-file reader of the .xls guard finds the same sheets, and the same cell box,
    /// as calamine on real files (a BIFF5 and a BIFF8 one, with and without a mini stream).
    #[test]
    fn xls_scan_agrees_with_calamine() {
        for f in [
            "tests/fixtures/corpus/calamine/merge_cells.xls",
            "tests/fixtures/corpus/calamine/biff5-rich-text-string.xls",
            "tests/fixtures/synthetic/xls_merged_formula.xls",
        ] {
            let bytes = std::fs::read(f).unwrap();
            let stream = xls_scan::workbook_stream(&bytes).expect(f);
            let scanned = xls_scan::scan_stream(&stream);
            let mut wb = calamine::Xls::new(Cursor::new(&bytes[..])).unwrap();
            let names: Vec<String> = wb.sheet_names();
            assert_eq!(
                scanned.iter().map(|s| s.name.clone()).collect::<Vec<_>>(),
                names,
                "{f}"
            );
            for s in &scanned {
                let r = wb.worksheet_range(&s.name).unwrap();
                let (Some(a), Some(b)) = (r.start(), r.end()) else {
                    assert_eq!(s.extent.used, None, "{f}");
                    continue;
                };
                let want = (a.0 as u64, a.1 as u64, b.0 as u64, b.1 as u64);
                assert_eq!(s.extent.used, Some(want), "{f} {}", s.name);
            }
        }
    }

    #[test]
    fn sniff_by_content() {
        assert_eq!(sniff(b"\xEF\xBB\xBFa,b\n1,2\n"), Kind::Csv);
        assert_eq!(sniff(b"  <html><table></table>"), Kind::Html);
        assert_eq!(
            sniff(b"<?xml version=\"1.0\"?><Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">"),
            Kind::SpreadsheetMl
        );
        assert_eq!(sniff(b"%PDF-1.4"), Kind::Other("PDF"));
        let mut cfb = vec![0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1];
        cfb.extend(utf16("EncryptedPackage"));
        assert_eq!(sniff(&cfb), Kind::EncryptedOoxml);
    }
}
