//! One cell as ingest sees it, whatever the file format: calamine's `Data`, a CSV field, an HTML
//! `<td>` or a SpreadsheetML `<Data>` all become a [`Cell`].

use chrono::NaiveDateTime;

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    #[default]
    Empty,
    Text(String),
    Float(f64),
    Int(i64),
    Bool(bool),
    /// A date-formatted number, already converted with the workbook's epoch (1900 or 1904).
    DateTime(NaiveDateTime),
    /// A duration-formatted number (days), e.g. `[h]:mm:ss`.
    Duration(f64),
    /// An error value such as `#N/A`, kept as its text.
    Error(String),
    /// A formula cell whose file holds no cached result (written by a tool that does not
    /// calculate). Never read as 0: it is reported.
    NoCache,
}

impl Cell {
    /// Blank for the purposes of "is this row empty": empty, or text of only whitespace.
    pub fn is_blank(&self) -> bool {
        match self {
            Cell::Empty => true,
            // Stops at the first visible character (trim would also scan from the end).
            Cell::Text(s) => s.chars().all(char::is_whitespace),
            _ => false,
        }
    }

    /// The cell as the clerk would read it, for the 原值 column of a problem.
    pub fn raw(&self) -> String {
        match self {
            Cell::Empty => String::new(),
            Cell::Text(s) => crate::error::clip(s),
            Cell::Float(f) => fmt_float(*f),
            Cell::Int(i) => i.to_string(),
            Cell::Bool(b) => if *b { "TRUE" } else { "FALSE" }.to_string(),
            Cell::DateTime(d) => {
                if d.time() == chrono::NaiveTime::MIN {
                    d.date().format("%Y-%m-%d").to_string()
                } else {
                    d.format("%Y-%m-%d %H:%M:%S").to_string()
                }
            }
            Cell::Duration(d) => format!("{d}"),
            Cell::Error(e) => e.clone(),
            Cell::NoCache => "=…".to_string(),
        }
    }

    pub fn as_text(&self) -> Option<&str> {
        match self {
            Cell::Text(s) => Some(s.as_str()),
            _ => None,
        }
    }
}

/// Shortest decimal text that reads back as the same f64 (Rust's `Display` guarantees that),
/// without an exponent for ordinary magnitudes.
pub fn fmt_float(f: f64) -> String {
    if f.is_finite() && f.fract() == 0.0 && f.abs() < 1e15 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Convert calamine's cell to ours. Dates use the workbook's own epoch flag (calamine carries it).
pub fn from_data(d: &calamine::Data) -> Cell {
    use calamine::Data;
    match d {
        Data::Empty => Cell::Empty,
        Data::String(s) => Cell::Text(s.clone()),
        Data::Float(f) => Cell::Float(*f),
        Data::Int(i) => Cell::Int(*i),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => excel_dt(dt),
        Data::DateTimeIso(s) => Cell::Text(s.clone()),
        Data::DurationIso(s) => Cell::Text(s.clone()),
        Data::Error(e) => Cell::Error(error_text(e)),
    }
}

/// Convert a streamed cell, taking its string instead of copying it (an inline string is already
/// owned; only a shared string is copied out of the shared-string table).
pub fn from_data_ref(d: calamine::DataRef<'_>) -> Cell {
    use calamine::DataRef;
    match d {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(s),
        DataRef::SharedString(s) => Cell::Text(s.to_string()),
        DataRef::Float(f) => Cell::Float(f),
        DataRef::Int(i) => Cell::Int(i),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(dt) => excel_dt(&dt),
        DataRef::DateTimeIso(s) => Cell::Text(s),
        DataRef::DurationIso(s) => Cell::Text(s),
        DataRef::Error(e) => Cell::Error(error_text(&e)),
    }
}

fn error_text(e: &calamine::CellErrorType) -> String {
    // calamine's Display gives the Excel spelling (#N/A, #DIV/0! ...).
    e.to_string()
}

fn excel_dt(dt: &calamine::ExcelDateTime) -> Cell {
    if dt.is_duration() {
        return Cell::Duration(dt.as_f64());
    }
    // to_ymd_hms_milli applies the workbook's epoch (1900 or 1904) itself.
    let (y, mo, d, h, mi, s, ms) = dt.to_ymd_hms_milli();
    chrono::NaiveDate::from_ymd_opt(i32::from(y), u32::from(mo), u32::from(d))
        .and_then(|date| {
            date.and_hms_milli_opt(u32::from(h), u32::from(mi), u32::from(s), u32::from(ms))
        })
        .map(Cell::DateTime)
        .unwrap_or(Cell::Float(dt.as_f64()))
}
