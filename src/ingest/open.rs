//! Open a file by what its bytes are, not by its name (DESIGN §4: `open_workbook_auto` trusts the
//! extension). zip → xlsx / xlsb / ods; CFB → xls, or an encrypted OOXML; `<` → HTML or
//! SpreadsheetML; anything else → CSV/TSV text.

use super::cell::{from_data, from_data_ref, Cell};
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

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    if needle.is_empty() || hay.len() < needle.len() {
        return false;
    }
    let first = needle[0];
    let mut i = 0;
    while i + needle.len() <= hay.len() {
        match hay[i..=hay.len() - needle.len()]
            .iter()
            .position(|&b| b == first)
        {
            None => return false,
            Some(p) => {
                i += p;
                if &hay[i..i + needle.len()] == needle {
                    return true;
                }
                i += 1;
            }
        }
    }
    false
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

/// Group (row, col, cell) triples into sorted sparse rows.
fn into_rows(mut cells: Vec<(u32, u32, Cell)>) -> Vec<SheetRow> {
    if !cells
        .windows(2)
        .all(|w| (w[0].0, w[0].1) <= (w[1].0, w[1].1))
    {
        cells.sort_by_key(|(r, c, _)| (*r, *c));
    }
    let mut rows: Vec<SheetRow> = Vec::new();
    for (r, c, v) in cells {
        match rows.last_mut() {
            Some(last) if last.row == r => last.cells.push((c, v)),
            _ => rows.push(SheetRow {
                row: r,
                cells: vec![(c, v)],
            }),
        }
    }
    rows
}

fn range_rows(range: &calamine::Range<calamine::Data>) -> Vec<SheetRow> {
    let mut cells = Vec::new();
    for (r, c, d) in range.used_cells() {
        let cell = from_data(d);
        if !cell.is_blank() {
            let (r0, c0) = range.start().unwrap_or((0, 0));
            cells.push((r0 + r as u32, c0 + c as u32, cell));
        }
    }
    into_rows(cells)
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

fn read_xlsx(path: &Path, bytes: &[u8]) -> Result<Vec<Sheet>> {
    let mut wb = calamine::Xlsx::new(Cursor::new(bytes)).map_err(|e| match e {
        calamine::XlsxError::Password => Error::Encrypted {
            path: path.to_path_buf(),
        },
        e => unreadable(path, "xlsx 文件已损坏,无法打开", e),
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
        if chart || sheet.visibility != Visibility::Visible {
            out.push(sheet);
            continue;
        }
        let mut cells = Vec::new();
        {
            let mut rdr = wb
                .worksheet_cells_reader(&m.name)
                .map_err(|e| unreadable(path, &format!("工作表“{}”无法读取", m.name), e))?;
            // One pass gives the cached value and whether the cell holds a formula, so a formula
            // saved without its result is reported instead of being read as empty or 0.
            loop {
                match rdr.next_cell_with_formula_metadata() {
                    Ok(Some(rec)) => {
                        let mut cell = from_data_ref(&rec.value);
                        if rec.formula.is_some() && cell == Cell::Empty {
                            cell = Cell::NoCache;
                        }
                        if !cell.is_blank() {
                            cells.push((rec.pos.0, rec.pos.1, cell));
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        return Err(unreadable(path, &format!("工作表“{}”已损坏", m.name), e))
                    }
                }
            }
        }
        sheet.rows = into_rows(cells);
        if let Ok(ms) = wb.merge_cells_by_sheet_name(&m.name) {
            sheet.merges = ms.iter().map(dims).collect();
        }
        out.push(sheet);
    }
    Ok(out)
}

fn read_xlsb(path: &Path, bytes: &[u8]) -> Result<Vec<Sheet>> {
    let mut wb = calamine::Xlsb::new(Cursor::new(bytes))
        .map_err(|e| unreadable(path, "xlsb 文件已损坏,无法打开", e))?;
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
            let mut cells = Vec::new();
            let mut rdr = wb
                .worksheet_cells_reader(&m.name)
                .map_err(|e| unreadable(path, &format!("工作表“{}”无法读取", m.name), e))?;
            loop {
                match rdr.next_cell() {
                    Ok(Some(c)) => {
                        let cell = from_data_ref(c.get_value());
                        if !cell.is_blank() {
                            let (r, col) = c.get_position();
                            cells.push((r, col, cell));
                        }
                    }
                    Ok(None) => break,
                    Err(e) => {
                        return Err(unreadable(path, &format!("工作表“{}”已损坏", m.name), e))
                    }
                }
            }
            sheet.rows = into_rows(cells);
        }
        out.push(sheet);
    }
    Ok(out)
}

fn read_xls(path: &Path, bytes: &[u8]) -> Result<Vec<Sheet>> {
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
            sheet.rows = range_rows(&range);
            if let Ok(ms) = wb.merge_cells_by_sheet_name(&m.name) {
                sheet.merges = ms.iter().map(dims).collect();
            }
        }
        out.push(sheet);
    }
    Ok(out)
}

fn read_ods(path: &Path, bytes: &[u8]) -> Result<Vec<Sheet>> {
    let mut wb = calamine::Ods::new(Cursor::new(bytes))
        .map_err(|e| unreadable(path, "ods 文件已损坏,无法打开", e))?;
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
            sheet.rows = range_rows(&range);
        }
        out.push(sheet);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

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
