//! One cell as ingest sees it, whatever the file format: calamine's `Data`, a CSV field, an HTML
//! `<td>` or a SpreadsheetML `<Data>` all become a [`Cell`].

use chrono::NaiveDateTime;

#[derive(Debug, Clone, PartialEq, Default)]
pub enum Cell {
    #[default]
    Empty,
    Text(Text),
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

/// Bytes of text a [`Text`] holds in place. With its length and the variant's tag that fills
/// the 24 bytes a `String` takes, so a [`Cell`] stays 32 bytes.
pub const INLINE: usize = 22;

/// The text of a cell. Most cells of a clerk's book are short (codes, names, units, states):
/// those are kept in the cell itself, which saves a heap allocation per cell when the book is
/// read (millions of them at a million sales lines), and its freeing after typing. Longer text
/// lives on the heap as before. Reads as a `&str` (it derefs to one).
#[derive(Clone)]
pub struct Text(Repr);

#[derive(Clone)]
enum Repr {
    /// `buf[..len]` is the whole text, valid UTF-8 (it is only ever copied from a `&str`).
    Inline {
        len: u8,
        buf: [u8; INLINE],
    },
    Heap(Box<str>),
}

impl Text {
    #[inline]
    pub fn as_str(&self) -> &str {
        match &self.0 {
            Repr::Inline { len, buf } => {
                let b = &buf[..usize::from(*len)];
                // SAFETY: `buf[..len]` holds the bytes of a `&str` copied whole (see `From<&str>`,
                // the only place an inline text is made), so it is valid UTF-8.
                unsafe { std::str::from_utf8_unchecked(b) }
            }
            Repr::Heap(s) => s,
        }
    }

    /// Whether the text is kept in the cell (no heap allocation).
    pub fn is_inline(&self) -> bool {
        matches!(self.0, Repr::Inline { .. })
    }
}

impl From<&str> for Text {
    #[inline]
    fn from(s: &str) -> Text {
        let b = s.as_bytes();
        if b.len() <= INLINE {
            let mut buf = [0u8; INLINE];
            buf[..b.len()].copy_from_slice(b);
            // Fits: b.len() <= INLINE < 256.
            Text(Repr::Inline {
                len: b.len() as u8,
                buf,
            })
        } else {
            Text(Repr::Heap(Box::from(s)))
        }
    }
}

impl From<String> for Text {
    #[inline]
    fn from(s: String) -> Text {
        if s.len() <= INLINE {
            Text::from(s.as_str())
        } else {
            Text(Repr::Heap(s.into_boxed_str()))
        }
    }
}

impl From<Text> for String {
    fn from(t: Text) -> String {
        match t.0 {
            Repr::Inline { .. } => t.as_str().to_string(),
            Repr::Heap(s) => s.into_string(),
        }
    }
}

impl Default for Text {
    fn default() -> Text {
        Text::from("")
    }
}

impl std::ops::Deref for Text {
    type Target = str;
    #[inline]
    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Text {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl std::borrow::Borrow<str> for Text {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

/// Equal when the texts are: where a text is kept does not matter.
impl PartialEq for Text {
    #[inline]
    fn eq(&self, other: &Text) -> bool {
        self.as_str() == other.as_str()
    }
}

impl Eq for Text {}

impl PartialEq<str> for Text {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Text {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

/// As the `String` it replaces, so a cell's debug form is unchanged.
impl std::fmt::Debug for Text {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        std::fmt::Debug::fmt(self.as_str(), f)
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
        Data::String(s) => Cell::Text(Text::from(s.as_str())),
        Data::Float(f) => Cell::Float(*f),
        Data::Int(i) => Cell::Int(*i),
        Data::Bool(b) => Cell::Bool(*b),
        Data::DateTime(dt) => excel_dt(dt),
        Data::DateTimeIso(s) => Cell::Text(Text::from(s.as_str())),
        Data::DurationIso(s) => Cell::Text(Text::from(s.as_str())),
        Data::Error(e) => Cell::Error(error_text(e)),
    }
}

/// Convert a streamed cell, taking its string instead of copying it (an inline string is already
/// owned; only a shared string is copied out of the shared-string table). A short string is
/// kept in the cell either way.
pub fn from_data_ref(d: calamine::DataRef<'_>) -> Cell {
    use calamine::DataRef;
    match d {
        DataRef::Empty => Cell::Empty,
        DataRef::String(s) => Cell::Text(Text::from(s)),
        DataRef::SharedString(s) => Cell::Text(Text::from(s)),
        DataRef::Float(f) => Cell::Float(f),
        DataRef::Int(i) => Cell::Int(i),
        DataRef::Bool(b) => Cell::Bool(b),
        DataRef::DateTime(dt) => excel_dt(&dt),
        DataRef::DateTimeIso(s) => Cell::Text(Text::from(s)),
        DataRef::DurationIso(s) => Cell::Text(Text::from(s)),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cell_stays_as_small_as_with_a_string() {
        assert_eq!(std::mem::size_of::<Text>(), 24);
        assert_eq!(std::mem::size_of::<Cell>(), 32);
    }

    #[test]
    fn text_is_kept_inline_up_to_its_length_boundary() {
        let at = "x".repeat(INLINE);
        let over = "x".repeat(INLINE + 1);
        for (s, inline) in [
            ("", true),
            ("C001", true),
            (&at[..], true),
            (&over[..], false),
        ] {
            let t = Text::from(s);
            assert_eq!(t.is_inline(), inline, "{s:?}");
            assert_eq!(t.as_str(), s);
            assert_eq!(t.len(), s.len());
            let u = Text::from(s.to_string());
            assert_eq!(u.is_inline(), inline, "{s:?}");
            assert_eq!(&*u, s);
            assert_eq!(String::from(u), s);
        }
    }

    #[test]
    fn multibyte_text_at_the_boundary() {
        // 7 CJK characters are 21 bytes, with one ASCII byte 22: inline; one more byte goes
        // to the heap, whole characters either way.
        let seven = "柳州协力精密机";
        assert_eq!(seven.len(), 21);
        let at = format!("a{seven}");
        let over = format!("ab{seven}");
        let eight = format!("{seven}械");
        assert!(Text::from(seven).is_inline());
        assert!(Text::from(at.as_str()).is_inline());
        assert!(!Text::from(over.as_str()).is_inline());
        assert!(!Text::from(eight.as_str()).is_inline());
        for s in [seven, &at[..], &over[..], &eight[..]] {
            let t = Text::from(s);
            assert_eq!(t.as_str(), s);
            assert_eq!(t.chars().count(), s.chars().count());
            assert_eq!(t.chars().last(), s.chars().last());
            assert_eq!(format!("{t:?}"), format!("{s:?}"));
        }
        // A 4-byte character ending exactly on the boundary.
        let emoji = format!("{}😀", "y".repeat(INLINE - 4));
        let t = Text::from(emoji.as_str());
        assert!(t.is_inline());
        assert_eq!(t.as_str(), emoji);
    }

    #[test]
    fn texts_compare_by_content_and_cells_read_them_as_before() {
        let long = "客户管理数据客户管理数据".to_string();
        assert_eq!(Text::from(long.as_str()), Text::from(long.clone()));
        assert_ne!(Text::from("a"), Text::from("b"));
        assert_eq!(Text::from("C001"), "C001");
        assert_eq!(format!("{:?}", Cell::Text("SO&1".into())), "Text(\"SO&1\")");
        assert!(Cell::Text("  \u{3000} ".into()).is_blank());
        assert!(!Cell::Text(" x ".into()).is_blank());
        assert_eq!(Cell::Text(long.as_str().into()).raw(), long);
        assert_eq!(Cell::Text("é".into()).as_text(), Some("é"));
        assert_eq!(Cell::Text(Text::default()), Cell::Text("".into()));
    }
}
