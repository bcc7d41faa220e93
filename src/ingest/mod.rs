//! Reading clerks' workbooks: sniff bytes, open, find tables and headers, normalise cells.
//!
//! ```text
//! path ──expand──▶ files ──open::read_book (sniffed)──▶ Book{sheets}
//!      ──table::find_tables──▶ RawTable{columns, rows} + SheetReport + Problems
//! ```
//! `model::load` turns RawTables into typed records with the `normalise` functions.

pub mod cell;
pub mod csv;
pub mod header;
pub mod mapping;
pub mod markup;
pub mod normalise;
pub mod open;
pub mod schema;
pub mod table;

pub use cell::{Cell, Text};
pub use mapping::Mapping;
pub use schema::TableId;
pub use table::{RawRow, RawTable};

use crate::error::{Error, Msg, Problem, Result};
use serde::Serialize;
use std::path::{Path, PathBuf};

/// What ingest made of one sheet, for `kebiao check` to print.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SheetReport {
    pub file: String,
    pub sheet: String,
    /// Canonical table name when recognised.
    pub table: Option<String>,
    /// Why the sheet (or this table of it) was not read.
    pub skipped: Option<Msg>,
    /// 1-based header row (the lower one of a two-row header).
    pub header_row: Option<u32>,
    /// (header as written, canonical header)
    pub mapped: Vec<(String, String)>,
    /// Headers not read (unknown or duplicate).
    pub ignored: Vec<String>,
    /// Data rows found under the header (before typing).
    pub data_rows: usize,
}

const EXTENSIONS: [&str; 5] = ["xlsx", "xls", "xlsb", "ods", "csv"];

/// Files to read: each input file as given, and for a directory every spreadsheet in it
/// (sorted by name, Office lock files `~$…` skipped).
///
/// # Errors
/// An input does not exist or a directory cannot be listed.
pub fn expand_inputs(inputs: &[PathBuf]) -> Result<Vec<PathBuf>> {
    let mut out = Vec::new();
    for p in inputs {
        let meta = std::fs::metadata(p).map_err(|e| Error::Unreadable {
            path: p.clone(),
            msg: format!("找不到或无法访问 ({e})"),
        })?;
        if meta.is_dir() {
            let mut found: Vec<PathBuf> = std::fs::read_dir(p)
                .map_err(|e| Error::Unreadable {
                    path: p.clone(),
                    msg: format!("无法列出目录 ({e})"),
                })?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|f| f.is_file())
                .filter(|f| {
                    let name = f
                        .file_name()
                        .map(|n| n.to_string_lossy().into_owned())
                        .unwrap_or_default();
                    let ext = f
                        .extension()
                        .map(|e| e.to_string_lossy().to_ascii_lowercase())
                        .unwrap_or_default();
                    !name.starts_with("~$")
                        && !name.starts_with('.')
                        && EXTENSIONS.contains(&ext.as_str())
                })
                .collect();
            found.sort();
            out.extend(found);
        } else {
            out.push(p.clone());
        }
    }
    Ok(out)
}

/// File name as shown to the clerk in problems (`销售明细.xlsx`).
pub fn display_name(p: &Path) -> String {
    p.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| p.display().to_string())
}

/// A file whose name says one format and whose bytes say another is read by its bytes; the clerk
/// is told what it really is (an "xls" that is a web page, an "xlsx" that is really xls ...).
fn kind_notice(path: &Path, name: &str, kind: open::Kind) -> Option<Problem> {
    use open::Kind;
    let ext = path
        .extension()
        .map(|e| e.to_string_lossy().to_ascii_lowercase())
        .unwrap_or_default();
    let expected: &[&str] = match kind {
        Kind::Xlsx => &["xlsx", "xlsm"],
        Kind::Xlsb => &["xlsb"],
        Kind::Xls => &["xls"],
        Kind::Ods => &["ods"],
        Kind::Csv => &["csv", "txt", "tsv"],
        Kind::Html => &["html", "htm"],
        Kind::SpreadsheetMl => &["xml"],
        Kind::EncryptedOoxml | Kind::Other(_) => return None,
    };
    if expected.contains(&ext.as_str()) {
        return None;
    }
    let what = kind.label();
    Some(Problem {
        location: crate::error::Location::new(name, "", ""),
        table: String::new(),
        raw: String::new(),
        problem: Msg::new(
            format!("文件名是 .{ext},内容实为 {what} 格式"),
            format!("the file is named .{ext} but is really {what}"),
        ),
        action: Msg::new("已按实际格式读取", "read as what it really is"),
        severity: crate::error::Severity::Notice,
    })
}

/// Stage timings for profiling: with `KEBIAO_TIMES=1` in the environment each `lap` prints the
/// wall time and the CPU time (from /proc, Linux only) since the previous lap to stderr. CPU time
/// is what to compare on a shared machine. Off by default, so output stays byte-identical.
pub struct Laps {
    on: bool,
    t: std::time::Instant,
    cpu: f64,
}

/// CPU seconds (user + system) used by this process so far; 0 where /proc is not available.
fn cpu_seconds() -> f64 {
    crate::timing::cpu_seconds_in("/proc/self/stat")
}

impl Laps {
    pub fn new() -> Laps {
        let on = crate::timing::on();
        Laps {
            on,
            t: std::time::Instant::now(),
            cpu: if on { cpu_seconds() } else { 0.0 },
        }
    }

    pub fn lap(&mut self, what: &str) {
        if self.on {
            let cpu = cpu_seconds();
            eprintln!(
                "[time] {what}: wall {:.3}s, cpu {:.2}s",
                self.t.elapsed().as_secs_f64(),
                cpu - self.cpu
            );
            self.t = std::time::Instant::now();
            self.cpu = cpu;
        }
    }
}

impl Default for Laps {
    fn default() -> Self {
        Laps::new()
    }
}

/// Everything read from the inputs, before typing.
#[derive(Debug, Default)]
pub struct Ingested {
    pub tables: Vec<RawTable>,
    pub reports: Vec<SheetReport>,
    pub problems: Vec<Problem>,
}

/// Read every input and find its tables.
///
/// # Errors
/// A file cannot be read at all (missing, encrypted, not a spreadsheet, broken container).
pub fn read_inputs(inputs: &[PathBuf], mapping: Option<&Mapping>) -> Result<Ingested> {
    let files = expand_inputs(inputs)?;
    let mut found = table::Found::default();
    let mut laps = Laps::new();
    for path in &files {
        let bytes = std::fs::read(path).map_err(|e| Error::Unreadable {
            path: path.clone(),
            msg: format!("无法读取 ({e})"),
        })?;
        // A reader bug on a malformed file must not take the run down: a panic inside the
        // third-party parsers becomes "cannot read this file".
        let book = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            open::read_book(path, &bytes)
        }))
        .unwrap_or_else(|_| {
            Err(Error::Unreadable {
                path: path.clone(),
                msg: "文件已损坏,读取时出错 (the file is damaged; the reader failed)".into(),
            })
        })?;
        laps.lap("open (parse cells)");
        drop(bytes);
        let name = display_name(path);
        if let Some(p) = kind_notice(path, &name, book.kind) {
            found.problems.push(p);
        }
        // Each sheet's tables are found on their own (find_tables only appends to what it is
        // given), so the sheets are jobs on the machine's cores, largest first; what they find is
        // put back in workbook order.
        let mut sheets: Vec<(usize, open::Sheet)> = book.sheets.into_iter().enumerate().collect();
        sheets.sort_by_key(|(i, s)| (std::cmp::Reverse(s.rows.len()), *i));
        let jobs: Vec<crate::par::Job<'_, (usize, table::Found)>> = sheets
            .into_iter()
            .map(
                |(i, mut sheet)| -> crate::par::Job<'_, (usize, table::Found)> {
                    let name = &name;
                    Box::new(move || {
                        let mut f = table::Found::default();
                        table::find_tables(name, &mut sheet, mapping, &mut f);
                        (i, f)
                    })
                },
            )
            .collect();
        let mut per_sheet = crate::par::run_jobs(jobs);
        per_sheet.sort_by_key(|(i, _)| *i);
        for (_, f) in per_sheet {
            found.tables.extend(f.tables);
            found.reports.extend(f.reports);
            found.problems.extend(f.problems);
        }
        laps.lap("find tables");
    }
    Ok(Ingested {
        tables: found.tables,
        reports: found.reports,
        problems: found.problems,
    })
}
