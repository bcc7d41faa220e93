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

pub use cell::Cell;
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
    for path in &files {
        let bytes = std::fs::read(path).map_err(|e| Error::Unreadable {
            path: path.clone(),
            msg: format!("无法读取 ({e})"),
        })?;
        let book = open::read_book(path, &bytes)?;
        drop(bytes);
        let name = display_name(path);
        for sheet in &book.sheets {
            table::find_tables(&name, sheet, mapping, &mut found);
        }
    }
    Ok(Ingested {
        tables: found.tables,
        reports: found.reports,
        problems: found.problems,
    })
}
