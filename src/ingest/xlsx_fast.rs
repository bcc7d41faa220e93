//! A direct reader for the cells of an xlsx worksheet, used before calamine's streaming reader
//! because it is several times faster on the large sheets of a year's sales lines: the sheet XML
//! is inflated once, cut at `</row>` boundaries into chunks, and the chunks are parsed on all the
//! cores (calamine reads a sheet on one thread through a general XML tokenizer).
//!
//! It must give exactly the cells calamine gives (`xlsx_sheet_rows`), so it accepts only the
//! XML it understands for sure and says `None` for anything else — a comment, CDATA, a namespace
//! prefix, an unknown cell type, a malformed number or attribute, a broken zip entry — and the
//! caller then reads that sheet with calamine. The values are built as calamine's own
//! `DataRef`s (the same date-format detection, epoch flag, error spelling) and converted by the
//! same `from_data_ref`. Several rules below are ported from calamine 0.38 (MIT, © Johann
//! Tuffe): `detect_custom_number_format`, `builtin_format_by_id`, `unescape_xml`.
//! tests/xlsx_fast.rs compares both readers cell for cell on every xlsx in the repository.

use super::{from_data_ref, into_rows, Cell, RowSink, SheetRow};
use crate::ingest::Text;
use std::io::{Cursor, Read};
use std::sync::{Condvar, Mutex};

/// Which cells of a number format are dates (calamine's `CellFormat`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Fmt {
    Other,
    DateTime,
    TimeDelta,
}

/// What every sheet of the workbook needs: the shared strings and the date kind of each cell
/// format, read as calamine reads them.
pub struct BookCtx {
    strings: Vec<String>,
    formats: Vec<Fmt>,
    is_1904: bool,
    /// Zip entry names as calamine looks them up (lower-cased, `\` → `/`) → entry index.
    names: std::collections::HashMap<String, usize>,
}

type Zip<'a> = zip::ZipArchive<Cursor<&'a [u8]>>;

impl BookCtx {
    /// `None` when anything in the workbook's shared parts is outside what this reader
    /// understands for sure: every sheet is then read by calamine.
    pub fn new(bytes: &[u8], is_1904: bool, palette: &[calamine::Style]) -> Option<BookCtx> {
        let mut z = zip::ZipArchive::new(Cursor::new(bytes)).ok()?;
        let mut names = std::collections::HashMap::with_capacity(z.len());
        for i in 0..z.len() {
            let n = z.name_for_index(i)?.ok()?;
            // As calamine's zip path cache: the last entry of a name wins.
            names.insert(n.replace('\\', "/").to_ascii_lowercase(), i);
        }
        let mut ctx = BookCtx {
            strings: Vec::new(),
            formats: Vec::new(),
            is_1904,
            names,
        };
        // calamine finds the workbook through _rels/.rels; the sheet parts (open.rs `xlsx_parts`)
        // assume xl/workbook.xml, so anything else is left to calamine.
        let rels = ctx.text(&mut z, "_rels/.rels")??;
        let mut target: Option<Vec<u8>> = None;
        for a in super::tags(&rels, "<Relationship ") {
            let a = a.trim_end_matches('/').as_bytes();
            let ty = raw_attr(a, b"Type")?;
            if ty.is_some_and(|t| t.ends_with(b"/relationships/officeDocument")) {
                target = raw_attr(a, b"Target")?.map(<[u8]>::to_vec);
            }
        }
        let t = target?;
        let t = t.as_slice();
        let t = t.strip_prefix(b"/").unwrap_or(t);
        if !t.eq_ignore_ascii_case(b"xl/workbook.xml") {
            return None;
        }
        let mine = match ctx.text(&mut z, "xl/styles.xml")? {
            Some(styles) => formats(styles.as_bytes())?,
            None => Vec::new(),
        };
        if !same_as_palette(&mine, palette) {
            return None;
        }
        ctx.formats = mine.into_iter().map(|(f, _)| f).collect();
        if let Some(sst) = ctx.text(&mut z, "xl/sharedStrings.xml")? {
            ctx.strings = shared_strings(sst.as_bytes())?;
        }
        Some(ctx)
    }

    /// The zip entry calamine opens for `path`.
    fn index(&self, z: &mut Zip<'_>, path: &str) -> Option<usize> {
        match self.names.get(&path.to_ascii_lowercase()) {
            Some(i) => Some(*i),
            None => z.index_for_name(path),
        }
    }

    /// `Some(None)`: the part does not exist; `None`: it exists but cannot be read as UTF-8.
    fn text(&self, z: &mut Zip<'_>, path: &str) -> Option<Option<String>> {
        let Some(i) = self.index(z, path) else {
            return Some(None);
        };
        let mut f = z.by_index(i).ok()?;
        let mut v = Vec::new();
        f.read_to_end(&mut v).ok()?;
        let s = String::from_utf8(v).ok()?;
        if !plain_utf8_decl(s.as_bytes()) {
            return None;
        }
        Some(Some(s))
    }
}

/// No BOM other than UTF-8's and no declared encoding other than UTF-8.
fn plain_utf8_decl(x: &[u8]) -> bool {
    let x = x.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(x);
    if !x.starts_with(b"<?xml") {
        return true;
    }
    let Some(end) = memchr::memmem::find(x, b"?>") else {
        return false;
    };
    match raw_attr(&x[5..end], b"encoding") {
        Some(Some(e)) => e.eq_ignore_ascii_case(b"utf-8"),
        Some(None) => true,
        None => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Tokens

/// `memchr` for a byte that is usually a few places away (the end of a tag name, an attribute
/// value, a cell's number): the first bytes are looked at one by one, which costs less than
/// setting up the vectorised search; only a longer run is handed to `memchr`.
#[inline]
fn near(needle: u8, hay: &[u8]) -> Option<usize> {
    const SHORT: usize = 24;
    let head = &hay[..hay.len().min(SHORT)];
    if let Some(i) = head.iter().position(|&b| b == needle) {
        return Some(i);
    }
    if hay.len() <= SHORT {
        return None;
    }
    memchr::memchr(needle, &hay[SHORT..]).map(|i| i + SHORT)
}

fn is_ws(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\r' | b'\n')
}

/// One tag at `<`: its name, its attribute text, whether it closes (`</x>`) or is empty
/// (`<x/>`), and the offset just past its `>`.
struct Tag<'a> {
    close: bool,
    empty: bool,
    name: &'a [u8],
    attrs: &'a [u8],
    end: usize,
}

/// Parse the tag starting at `x[p] == b'<'`. `None` for a comment, CDATA, processing
/// instruction, a namespace prefix, or a tag cut off by the end of `x`.
fn tag(x: &[u8], p: usize) -> Option<Tag<'_>> {
    let s = p + 1;
    let first = *x.get(s)?;
    if first == b'/' {
        let gt = near(b'>', &x[s..])? + s;
        let name = &x[s + 1..gt];
        if name.is_empty() || !name.iter().all(|b| b.is_ascii_alphanumeric()) {
            return None;
        }
        return Some(Tag {
            close: true,
            empty: false,
            name,
            attrs: &[],
            end: gt + 1,
        });
    }
    let mut i = s;
    while i < x.len() && x[i].is_ascii_alphanumeric() {
        i += 1;
    }
    let name = &x[s..i];
    if name.is_empty() {
        return None;
    }
    let astart = i;
    // Attributes: a `>` inside a quoted value does not end the tag.
    let mut quote = 0u8;
    while i < x.len() {
        let b = x[i];
        if b == b'<' {
            // Not even inside a quoted value: such a tag is left to calamine.
            return None;
        }
        if quote != 0 {
            if b == quote {
                quote = 0;
            }
        } else if b == b'"' || b == b'\'' {
            quote = b;
        } else if b == b'>' {
            break;
        }
        i += 1;
    }
    if i >= x.len() {
        return None;
    }
    let mut attrs = &x[astart..i];
    // The name ends at whitespace, or at the `/` of a bare `<c/>`; quick-xml reads `<c/r="A1">`
    // or `<c:v>` as another name.
    if let Some(&b) = attrs.first() {
        if !is_ws(b) && attrs != b"/" {
            return None;
        }
    }
    let empty = attrs.last() == Some(&b'/');
    if empty {
        attrs = &attrs[..attrs.len() - 1];
    }
    Some(Tag {
        close: false,
        empty,
        name,
        attrs,
        end: i + 1,
    })
}

/// The raw text of a simple element whose start tag `t` ends at `p` (`<name …>text</name>`, or
/// nothing for `<name/>`) and the offset past its end tag; `None` when any markup comes before
/// the end tag.
fn element_text<'x>(x: &'x [u8], p: usize, t: &Tag<'_>, name: &[u8]) -> Option<(&'x [u8], usize)> {
    if t.empty {
        return Some((&[], p));
    }
    let end = near(b'<', &x[p..])? + p;
    let ct = tag(x, end)?;
    if !(ct.close && ct.name == name) {
        return None;
    }
    Some((&x[p..end], ct.end))
}

/// Iterate `key="value"` pairs as calamine's raw attribute iterator does; an `Err` item on
/// anything malformed.
fn attrs(a: &[u8]) -> Attrs<'_> {
    Attrs { a, i: 0 }
}

struct Attrs<'a> {
    a: &'a [u8],
    i: usize,
}

impl<'a> Iterator for Attrs<'a> {
    type Item = Result<(&'a [u8], &'a [u8]), ()>;

    fn next(&mut self) -> Option<Self::Item> {
        let a = self.a;
        let mut i = self.i;
        while i < a.len() && is_ws(a[i]) {
            i += 1;
        }
        if i >= a.len() {
            self.i = i;
            return None;
        }
        // After an error the iterator ends.
        self.i = a.len();
        let ks = i;
        while i < a.len() && a[i] != b'=' && !is_ws(a[i]) {
            i += 1;
        }
        let key = &a[ks..i];
        while i < a.len() && is_ws(a[i]) {
            i += 1;
        }
        if key.is_empty() || a.get(i) != Some(&b'=') {
            return Some(Err(()));
        }
        i += 1;
        while i < a.len() && is_ws(a[i]) {
            i += 1;
        }
        let Some(&q) = a.get(i) else {
            return Some(Err(()));
        };
        if q != b'"' && q != b'\'' {
            return Some(Err(()));
        }
        i += 1;
        let vs = i;
        let Some(ve) = near(q, &a[vs..]).map(|e| e + vs) else {
            return Some(Err(()));
        };
        i = ve + 1;
        if i < a.len() && !is_ws(a[i]) {
            return Some(Err(()));
        }
        self.i = i;
        Some(Ok((key, &a[vs..ve])))
    }
}

/// One attribute's raw value: `Some(None)` absent, `None` malformed or given twice.
fn raw_attr<'a>(a: &'a [u8], key: &[u8]) -> Option<Option<&'a [u8]>> {
    let mut found = None;
    for kv in attrs(a) {
        let (k, v) = kv.ok()?;
        if k == key {
            if found.is_some() {
                return None;
            }
            found = Some(v);
        }
    }
    Some(found)
}

/// Decode XML character data as quick-xml + calamine do: entities (the five predefined ones and
/// character references) and XML 1.0 line ends (`\r\n` and `\r` → `\n`). `None` on an entity
/// quick-xml would reject or any markup inside.
fn decode_text(raw: &[u8], out: &mut String) -> Option<()> {
    let s = std::str::from_utf8(raw).ok()?;
    let b = s.as_bytes();
    let mut from = 0;
    while let Some(off) = memchr::memchr3(b'&', b'\r', b'<', &b[from..]) {
        let i = from + off;
        out.push_str(&s[from..i]);
        match b[i] {
            b'\r' => {
                out.push('\n');
                from = if b.get(i + 1) == Some(&b'\n') {
                    i + 2
                } else {
                    i + 1
                };
            }
            b'&' => {
                let semi = memchr::memchr(b';', &b[i + 1..(i + 12).min(b.len())])? + i + 1;
                let name = &s[i + 1..semi];
                match name {
                    "lt" => out.push('<'),
                    "gt" => out.push('>'),
                    "amp" => out.push('&'),
                    "apos" => out.push('\''),
                    "quot" => out.push('"'),
                    _ => {
                        let num = name.strip_prefix('#')?;
                        let (digits, radix) = match num.strip_prefix('x') {
                            Some(h) => (h, 16),
                            None => (num, 10),
                        };
                        if digits.is_empty() || !digits.bytes().all(|d| d.is_ascii_hexdigit()) {
                            return None;
                        }
                        let code = u32::from_str_radix(digits, radix).ok()?;
                        if code == 0 {
                            return None;
                        }
                        out.push(char::from_u32(code)?);
                    }
                }
                from = semi + 1;
            }
            _ => return None,
        }
    }
    out.push_str(&s[from..]);
    Some(())
}

/// Excel's `_xHHHH_` escapes (calamine `utils::unescape_xml`).
fn unescape_xml(original: &str) -> std::borrow::Cow<'_, str> {
    const LEN: usize = 7;
    fn parse(s: &str, index: usize) -> Option<u16> {
        let b = s.as_bytes().get(index..index + LEN)?;
        if b[0] != b'_' || b[1] != b'x' || b[6] != b'_' {
            return None;
        }
        let hex = &b[2..6];
        if !hex.iter().all(u8::is_ascii_hexdigit) {
            return None;
        }
        u16::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()
    }
    fn find(s: &str, mut start: usize) -> Option<(usize, u16)> {
        while let Some(off) = s[start..].find('_') {
            let index = start + off;
            if let Some(u) = parse(s, index) {
                return Some((index, u));
            }
            start = index + 1;
        }
        None
    }
    let Some((mut index, mut unit)) = find(original, 0) else {
        return std::borrow::Cow::Borrowed(original);
    };
    let mut out = String::with_capacity(original.len());
    let mut copied = 0;
    loop {
        out.push_str(&original[copied..index]);
        index += LEN;
        match unit {
            0xD800..=0xDBFF => match parse(original, index) {
                Some(low @ 0xDC00..=0xDFFF) => {
                    let cp =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(cp).unwrap_or(char::REPLACEMENT_CHARACTER));
                    index += LEN;
                }
                _ => out.push(char::REPLACEMENT_CHARACTER),
            },
            0xDC00..=0xDFFF => out.push(char::REPLACEMENT_CHARACTER),
            _ => out.push(char::from_u32(u32::from(unit)).unwrap_or(char::REPLACEMENT_CHARACTER)),
        }
        copied = index;
        match find(original, index) {
            Some(next) => (index, unit) = next,
            None => break,
        }
    }
    out.push_str(&original[copied..]);
    std::borrow::Cow::Owned(out)
}

/// Skip whitespace; `None` if other text stands between tags (calamine ignores it, but it may
/// hold entities quick-xml rejects, so such XML is left to calamine).
fn skip_ws(x: &[u8], mut p: usize) -> Option<usize> {
    while p < x.len() && x[p] != b'<' {
        if !is_ws(x[p]) {
            return None;
        }
        p += 1;
    }
    Some(p)
}

/// Plain decimal digits without a sign or leading zero, as a u32 that cannot overflow.
fn digits(v: &[u8]) -> Option<u32> {
    if v.is_empty() || v.len() > 9 || (v[0] == b'0' && v.len() > 1) {
        return None;
    }
    let mut n: u32 = 0;
    for &b in v {
        if !b.is_ascii_digit() {
            return None;
        }
        n = n * 10 + u32::from(b - b'0');
    }
    Some(n)
}

/// `B12` → (11, 1), within Excel's grid.
fn cell_ref(v: &[u8]) -> Option<(u32, u32)> {
    // One pass over the letters (at most three), read as they are counted.
    let mut col: u32 = 0;
    let mut letters = 0;
    while let Some(&b) = v.get(letters) {
        if !b.is_ascii_alphabetic() {
            break;
        }
        if letters == 3 {
            return None;
        }
        col = col * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1;
        letters += 1;
    }
    if letters == 0 {
        return None;
    }
    let row = digits(&v[letters..])?;
    if row == 0 || row > 1_048_576 || col > 16_384 {
        return None;
    }
    Some((row - 1, col - 1))
}

/// A number as Excel writes it; anything else (spaces, `inf`, a leading `+` ...) is left to
/// calamine, whose float parser agrees with Rust's on this grammar (both round correctly).
fn number(vs: &str) -> Option<f64> {
    let v = vs.as_bytes();
    let mut i = usize::from(v.first() == Some(&b'-'));
    let int = v[i..].iter().take_while(|b| b.is_ascii_digit()).count();
    if int == 0 {
        return None;
    }
    i += int;
    if v.get(i) == Some(&b'.') {
        let frac = v[i + 1..].iter().take_while(|b| b.is_ascii_digit()).count();
        if frac == 0 {
            return None;
        }
        i += 1 + frac;
    }
    if matches!(v.get(i), Some(b'e' | b'E')) {
        i += 1;
        if matches!(v.get(i), Some(b'+' | b'-')) {
            i += 1;
        }
        let exp = v[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        if exp == 0 {
            return None;
        }
        i += exp;
    }
    if i != v.len() {
        return None;
    }
    vs.parse::<f64>().ok()
}

// ---------------------------------------------------------------------------------------------
// Styles and shared strings

/// calamine `formats::detect_custom_number_format`.
fn detect_custom_number_format(format: &str) -> Fmt {
    let mut escaped = false;
    let mut is_quote = false;
    let mut brackets = 0u8;
    let mut prev = ' ';
    let mut hms = false;
    let mut ap = false;
    for s in format.chars() {
        match (s, escaped, is_quote, ap, brackets) {
            (_, true, ..) => escaped = false,
            ('_' | '\\' | '*', ..) => escaped = true,
            ('"', _, true, _, _) => is_quote = false,
            (_, _, true, _, _) => (),
            ('"', _, _, _, _) => is_quote = true,
            (';', ..) => return Fmt::Other,
            ('[', ..) => brackets += 1,
            (']', .., 1) if hms => return Fmt::TimeDelta,
            (']', ..) => brackets = brackets.saturating_sub(1),
            ('a' | 'A', _, _, false, 0) => ap = true,
            ('p' | 'm' | '/' | 'P' | 'M', _, _, true, 0) => return Fmt::DateTime,
            ('d' | 'm' | 'h' | 'y' | 's' | 'D' | 'M' | 'H' | 'Y' | 'S', _, _, false, 0) => {
                return Fmt::DateTime
            }
            _ => {
                if hms && s.eq_ignore_ascii_case(&prev) {
                } else {
                    hms = prev == '[' && matches!(s, 'm' | 'h' | 's' | 'M' | 'H' | 'S');
                }
            }
        }
        prev = s;
    }
    Fmt::Other
}

/// calamine `formats::builtin_format_by_id`.
fn builtin_format_by_id(id: &[u8]) -> Fmt {
    match id {
        b"14" | b"15" | b"16" | b"17" | b"18" | b"19" | b"20" | b"21" | b"22" | b"45" | b"47" => {
            Fmt::DateTime
        }
        b"27" | b"28" | b"29" | b"30" | b"31" | b"32" | b"33" | b"34" | b"35" | b"36" | b"50"
        | b"51" | b"52" | b"53" | b"54" | b"55" | b"56" | b"57" | b"58" => Fmt::DateTime,
        b"46" => Fmt::TimeDelta,
        _ => Fmt::Other,
    }
}

/// The tags of a stretch of XML in order; `None` on a comment, CDATA, a namespace prefix or
/// anything `tag` does not parse.
fn all_tags(x: &[u8]) -> Option<Vec<Tag<'_>>> {
    let mut out = Vec::new();
    let mut p = 0;
    while let Some(off) = memchr::memchr(b'<', &x[p..]) {
        let t = tag(x, p + off)?;
        p = t.end;
        out.push(t);
    }
    Some(out)
}

/// An xf's `numFmtId` as written and its custom format code, to check against calamine's
/// own reading of the styles (its style palette).
struct XfFormat {
    id: Vec<u8>,
    code: Option<String>,
}

/// calamine `formats::builtin_format_code_by_id`.
fn builtin_format_code_by_id(id: u32) -> Option<&'static str> {
    Some(match id {
        0 => "General",
        1 => "0",
        2 => "0.00",
        3 => "#,##0",
        4 => "#,##0.00",
        9 => "0%",
        10 => "0.00%",
        11 => "0.00E+00",
        12 => "# ?/?",
        13 => "# ??/??",
        14 => "mm-dd-yy",
        15 => "d-mmm-yy",
        16 => "d-mmm",
        17 => "mmm-yy",
        18 => "h:mm AM/PM",
        19 => "h:mm:ss AM/PM",
        20 => "h:mm",
        21 => "h:mm:ss",
        22 => "m/d/yy h:mm",
        37 => "#,##0 ;(#,##0)",
        38 => "#,##0 ;[Red](#,##0)",
        39 => "#,##0.00;(#,##0.00)",
        40 => "#,##0.00;[Red](#,##0.00)",
        41 => "_(* #,##0_);_(* (#,##0);_(* \"-\"_);_(@_)",
        42 => "_($* #,##0_);_($* (#,##0);_($* \"-\"_);_(@_)",
        43 => "_(* #,##0.00_);_(* (#,##0.00);_(* \"-\"??_);_(@_)",
        44 => "_($* #,##0.00_);_($* (#,##0.00);_($* \"-\"??_);_(@_)",
        45 => "mm:ss",
        46 => "[h]:mm:ss",
        47 => "mmss.0",
        48 => "##0.0E+0",
        49 => "@",
        _ => return None,
    })
}

/// Whether the cell formats read here are calamine's, xf by xf: same count, and for each the
/// same number format id and code in calamine's style palette (which calamine builds in the
/// same pass as its date kinds). This catches any structure the section reader above takes
/// differently from calamine's event loop.
fn same_as_palette(mine: &[(Fmt, Option<XfFormat>)], palette: &[calamine::Style]) -> bool {
    if mine.len() != palette.len() {
        return false;
    }
    mine.iter().zip(palette).all(|((_, xf), st)| {
        let theirs = st.number_format.as_ref();
        match (xf, theirs) {
            (None, None) => true,
            (Some(xf), None) => !xf.id.iter().all(u8::is_ascii_digit) || xf.id.is_empty(),
            (None, Some(_)) => false,
            (Some(xf), Some(nf)) => {
                let Some(id) = std::str::from_utf8(&xf.id)
                    .ok()
                    .filter(|s| {
                        !s.is_empty() && s.len() <= 9 && s.bytes().all(|b| b.is_ascii_digit())
                    })
                    .and_then(|s| s.parse::<u32>().ok())
                else {
                    return false;
                };
                let code = xf
                    .code
                    .clone()
                    .or_else(|| builtin_format_code_by_id(id).map(str::to_string))
                    .unwrap_or_else(|| "General".to_string());
                nf.format_id == Some(id) && nf.format_code == code
            }
        }
    })
}

/// The date kind of each cell format (`cellXfs`), as calamine's `read_styles` builds it. Only
/// the `numFmts` and `cellXfs` sections matter (calamine has already parsed the rest when it
/// opened the workbook); they are taken in document order, as calamine meets them.
fn formats(x: &[u8]) -> Option<Vec<(Fmt, Option<XfFormat>)>> {
    if memchr::memmem::find(x, b"<!").is_some()
        || memchr::memmem::find(x, b":numFmts").is_some()
        || memchr::memmem::find(x, b":cellXfs").is_some()
        || memchr::memmem::find(x, b":numFmt ").is_some()
        || memchr::memmem::find(x, b":xf ").is_some()
    {
        return None;
    }
    let mut numfmts: std::collections::HashMap<&[u8], String> = Default::default();
    let mut out = Vec::new();
    let mut p = 0;
    loop {
        let nf = memchr::memmem::find(&x[p..], b"<numFmts");
        let cx = memchr::memmem::find(&x[p..], b"<cellXfs");
        let (at, is_nf) = match (nf, cx) {
            (None, None) => return Some(out),
            (Some(a), Some(b)) => (p + a.min(b), a < b),
            (Some(a), None) => (p + a, true),
            (None, Some(b)) => (p + b, false),
        };
        let t = tag(x, at)?;
        let name: &[u8] = if is_nf { b"numFmts" } else { b"cellXfs" };
        if t.name != name || t.empty {
            // `<cellXfs/>`, `<numFmtsX ...>`: rare enough to leave to calamine.
            return None;
        }
        let close: &[u8] = if is_nf { b"</numFmts>" } else { b"</cellXfs>" };
        let end = memchr::memmem::find(&x[t.end..], close)? + t.end;
        let tags = all_tags(&x[t.end..end])?;
        let mut k = 0;
        while k < tags.len() {
            let n = &tags[k];
            k += 1;
            if n.close {
                continue;
            }
            if is_nf && n.name == b"numFmt" {
                if let (Some(id), Some(code)) = (
                    raw_attr(n.attrs, b"numFmtId")?,
                    raw_attr(n.attrs, b"formatCode")?,
                ) {
                    if code.iter().any(|b| matches!(b, b'\r' | b'\n' | b'\t')) {
                        // Attribute values treat whitespace differently from text.
                        return None;
                    }
                    let mut s = String::new();
                    decode_text(code, &mut s)?;
                    numfmts.insert(id, s);
                }
            } else if !is_nf && n.name == b"xf" {
                out.push(match raw_attr(n.attrs, b"numFmtId")? {
                    None => (Fmt::Other, None),
                    Some(id) => {
                        let fmt = match numfmts.get(id) {
                            Some(f) => detect_custom_number_format(f),
                            None => builtin_format_by_id(id),
                        };
                        let code = numfmts.get(id).cloned();
                        (
                            fmt,
                            Some(XfFormat {
                                id: id.to_vec(),
                                code,
                            }),
                        )
                    }
                });
                // calamine reads an xf's children up to the first `</xf>`: an `<xf>` among
                // them is swallowed, not counted.
                if !n.empty {
                    while k < tags.len() && !(tags[k].close && tags[k].name == b"xf") {
                        k += 1;
                    }
                    if k == tags.len() {
                        return None;
                    }
                    k += 1;
                }
            }
        }
        p = end + close.len();
    }
}

/// Text of a `<t>` run: trimmed unless `xml:space="preserve"`, then Excel's `_xHHHH_` escapes.
fn t_text(attrs: &[u8], raw: &[u8], out: &mut String) -> Option<()> {
    let preserve = raw_attr(attrs, b"xml:space")? == Some(b"preserve");
    let mut v = String::with_capacity(raw.len());
    decode_text(raw, &mut v)?;
    if preserve {
        out.push_str(&unescape_xml(&v));
    } else {
        out.push_str(&unescape_xml(v.trim_matches([' ', '\t', '\r', '\n'])));
    }
    Some(())
}

/// A rich or plain string (`<si>` or `<is>`) from just after its start tag: the concatenation of
/// its `<t>` runs outside phonetic `<rPh>` runs, as calamine's `read_string`. Returns the string
/// and the offset past the closing tag.
fn rich_string(x: &[u8], mut p: usize, close: &[u8]) -> Option<(String, usize)> {
    let mut out = String::new();
    let mut phonetic = false;
    // Open elements inside: quick-xml fails when a close tag finds none open anywhere, so a
    // close tag beyond this run's own opens is left to calamine.
    let mut depth = 0usize;
    loop {
        let lt = memchr::memchr(b'<', &x[p..])? + p;
        // Text outside `<t>` is ignored by calamine; keep it to what decodes cleanly.
        if lt > p {
            let mut scratch = String::new();
            decode_text(&x[p..lt], &mut scratch)?;
        }
        let t = tag(x, lt)?;
        p = t.end;
        if t.close {
            if t.name == close {
                return Some((out, p));
            }
            depth = depth.checked_sub(1)?;
            if t.name == b"rPh" {
                phonetic = false;
            }
            continue;
        }
        if !t.empty && (t.name != b"t" || phonetic) {
            depth += 1;
        }
        if t.name == b"rPh" {
            phonetic = !t.empty;
        } else if t.name == b"t" && !phonetic {
            let (body, next) = element_text(x, p, &t, b"t")?;
            t_text(t.attrs, body, &mut out)?;
            p = next;
        } else if t.name == close {
            // A nested element of the same name (even `<is/>`, whose end calamine takes for
            // the string's own) would confuse the closing match.
            return None;
        }
    }
}

/// The offset of the first `<`, `&`, `\r` or `_` in `x`. Eight bytes at a time: a cell's text
/// is short, so memchr's set-up would cost more than the scan, and a byte loop is slower.
#[inline]
fn first_markup(x: &[u8]) -> Option<usize> {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGH: u64 = 0x8080_8080_8080_8080;
    // The bytes of `w` equal to `c` get their high bit set; a byte above the first such one
    // may be set wrongly (the borrow), never one below, so the lowest set bit is exact.
    let eq = |w: u64, c: u8| {
        let t = w ^ (ONES * u64::from(c));
        t.wrapping_sub(ONES) & !t & HIGH
    };
    let mut i = 0;
    while let Some(chunk) = x.get(i..i + 8) {
        let mut b = [0u8; 8];
        b.copy_from_slice(chunk);
        let w = u64::from_le_bytes(b);
        let m = eq(w, b'<') | eq(w, b'&') | eq(w, b'\r') | eq(w, b'_');
        if m != 0 {
            return Some(i + (m.trailing_zeros() / 8) as usize);
        }
        i += 8;
    }
    x[i..]
        .iter()
        .position(|&b| matches!(b, b'<' | b'&' | b'\r' | b'_'))
        .map(|p| p + i)
}

/// The common `<is><t>text</t></is>` whose text needs no decoding, trimming or unescaping,
/// cut straight out (from just after `<is>`; the offset past `</is>`).
fn plain_is(xs: &str, p: usize) -> Option<(&str, usize)> {
    let x = xs.as_bytes();
    let rest = x.get(p..)?;
    let body = rest.strip_prefix(b"<t>")?;
    // The text ends at the first `<`; an `&`, `\r` or `_` before it needs decoding.
    let lt = first_markup(body)?;
    if body[lt] != b'<' {
        return None;
    }
    let text = &body[..lt];
    if !body[lt..].starts_with(b"</t></is>") {
        return None;
    }
    if text.is_empty() || is_ws(text[0]) || is_ws(text[text.len() - 1]) {
        return None;
    }
    // Between `<t>` and `<`, so on character boundaries of the already checked sheet text.
    let s = xs.get(p + 3..p + 3 + lt)?;
    Some((s, p + 3 + lt + 9))
}

/// The shared-string table, as calamine's `read_shared_strings`.
fn shared_strings(x: &[u8]) -> Option<Vec<String>> {
    let start = memchr::memmem::find(x, b"<sst")?;
    if memchr::memmem::find(&x[..start], b"<!").is_some() {
        return None;
    }
    let t = tag(x, start)?;
    if t.name != b"sst" {
        return None;
    }
    if t.empty {
        return Some(Vec::new());
    }
    let mut p = t.end;
    let mut out = Vec::new();
    loop {
        p = skip_ws(x, p)?;
        let t = tag(x, p)?;
        p = t.end;
        if t.close && t.name == b"sst" {
            return Some(out);
        }
        if t.close || t.name != b"si" {
            return None;
        }
        if t.empty {
            out.push(String::new());
            continue;
        }
        let (s, e) = rich_string(x, p, b"si")?;
        out.push(s);
        p = e;
    }
}

// ---------------------------------------------------------------------------------------------
// Sheet chunks

/// The rows of one chunk, as a `RowSink` over its cells in stream order would hold them.
struct ChunkRows {
    rows: Vec<SheetRow>,
    ordered: bool,
    n: usize,
    /// The XML from `</sheetData>` on (only in the chunk that holds it), for the merges scan.
    tail: Option<Vec<u8>>,
}

/// The cells of one chunk. A chunk starts at a `<row` (or, the first, at the top of the part)
/// and ends after a `</row>` (or, the last, at the end of the part). `None`: leave the sheet
/// to calamine.
fn parse_chunk(x: &[u8], first: bool, ctx: &BookCtx) -> Option<ChunkRows> {
    // quick-xml hands calamine text as UTF-8 and fails on anything else, even in attributes
    // calamine ignores.
    // Also kept as text, so the strings of cells are cut out of it without checking them again.
    let xs = std::str::from_utf8(x).ok()?;
    let mut p = 0;
    if first {
        let empty;
        (p, empty) = prefix(x)?;
        if empty {
            // No cells: calamine stops at once. No `</sheetData>` either, so no merges (as
            // open.rs `scan_merges` finds none).
            if memchr::memmem::find(&x[p..], b"sheetData>").is_some() {
                return None;
            }
            return Some(ChunkRows {
                rows: Vec::new(),
                ordered: true,
                n: 0,
                tail: Some(Vec::new()),
            });
        }
    }
    let mut sink = RowSink::new();
    // Room for the rows of a typical chunk at once (growing by doubling from nothing copied
    // the list into fresh pages again and again); not more, as a large block that is mostly
    // unused still costs whole huge pages.
    sink.rows.reserve(x.len() / 512);
    let mut row_index: u32 = 0;
    let mut col_index: u32 = 0;
    // A later chunk does not know the row before it: a row without `r` there is calamine's.
    let mut know_row = first;
    let mut in_row = false;
    let mut text = String::new();
    loop {
        p = skip_ws(x, p)?;
        if p >= x.len() {
            if in_row {
                return None;
            }
            return Some(ChunkRows {
                ordered: sink.ordered,
                n: sink.n,
                rows: sink.rows,
                tail: None,
            });
        }
        // Most of a sheet is cells in the plain `<c r=".." s=".." t="..">` shape: read those
        // without the general tag and attribute scanners (anything else takes the general way).
        let fast = if in_row { c_start(x, p) } else { None };
        let (cattrs, empty) = if let Some((a, empty, end)) = fast {
            p = end;
            (a, empty)
        } else {
            let t = tag(x, p)?;
            p = t.end;
            if t.close {
                match t.name {
                    b"row" if in_row => {
                        in_row = false;
                        row_index = row_index.checked_add(1)?;
                        col_index = 0;
                    }
                    b"sheetData" if !in_row => {
                        let start = p - t.name.len() - 3;
                        return Some(ChunkRows {
                            ordered: sink.ordered,
                            n: sink.n,
                            rows: sink.rows,
                            tail: Some(x[start..].to_vec()),
                        });
                    }
                    _ => return None,
                }
                continue;
            }
            match t.name {
                b"row" if !in_row => {
                    match raw_attr(t.attrs, b"r")? {
                        Some(r) => {
                            row_index = digits(r)?.checked_sub(1)?;
                            know_row = true;
                        }
                        None if know_row => {}
                        None => return None,
                    }
                    if t.empty {
                        row_index = row_index.checked_add(1)?;
                        col_index = 0;
                    } else {
                        in_row = true;
                    }
                    continue;
                }
                b"c" if in_row => (c_attrs(t.attrs)?, t.empty),
                _ => return None,
            }
        };
        let cell;
        (cell, p) = cell_rest(xs, p, empty, cattrs, ctx, &mut text)?;
        let pos = match cattrs[0] {
            Some(r) => {
                let rc = cell_ref(r)?;
                col_index = rc.1;
                rc
            }
            None => (row_index, col_index),
        };
        col_index = col_index.checked_add(1)?;
        if !cell.is_blank() {
            sink.push(pos.0, pos.1, cell);
        }
    }
}

/// A cell's `r`, `s` and `t` attribute values, each when given.
type CellAttrs<'a> = [Option<&'a [u8]>; 3];

/// A cell's `r`, `s` and `t` attributes as the general scanner reads them; `None` (the sheet
/// goes to calamine) on a malformed attribute or one of these given twice.
fn c_attrs(a: &[u8]) -> Option<CellAttrs<'_>> {
    let mut out = [None; 3];
    for kv in attrs(a) {
        let (k, v) = kv.ok()?;
        put_attr(&mut out, k, v)?;
    }
    Some(out)
}

/// Keep attribute `k="v"` of a cell if it is `r`, `s` or `t` (others are ignored); `None` when
/// it was already given.
#[inline]
fn put_attr<'a>(out: &mut CellAttrs<'a>, k: &[u8], v: &'a [u8]) -> Option<()> {
    let slot = match k {
        b"r" => &mut out[0],
        b"s" => &mut out[1],
        b"t" => &mut out[2],
        _ => return Some(()),
    };
    if slot.is_some() {
        return None;
    }
    *slot = Some(v);
    Some(())
}

/// The start tag of a cell at `x[p]` in the plain shape Excel and rust_xlsxwriter write:
/// `<c`, then ` key="value"` pairs (key of ASCII letters, value without `<` or `"`), then `>`
/// or `/>`. Gives what `tag` + `c_attrs` give for it — the `r`, `s`, `t` values, whether it is
/// empty, the offset past it — and `None` for any other shape (a repeated key too), which the
/// general scanners then read (and judge).
#[inline]
fn c_start(x: &[u8], p: usize) -> Option<(CellAttrs<'_>, bool, usize)> {
    if x.get(p..p + 3)? != b"<c " {
        return None;
    }
    let mut out: CellAttrs<'_> = [None; 3];
    let mut i = p + 3;
    loop {
        let ks = i;
        while x.get(i)?.is_ascii_alphabetic() {
            i += 1;
        }
        if i == ks || x.get(i..i + 2)? != b"=\"" {
            return None;
        }
        let key = &x[ks..i];
        let vs = i + 2;
        let ve = near(b'"', &x[vs..])? + vs;
        let v = &x[vs..ve];
        if v.contains(&b'<') {
            return None;
        }
        put_attr(&mut out, key, v)?;
        i = ve + 1;
        match x.get(i)? {
            b' ' => i += 1,
            b'>' => return Some((out, false, i + 1)),
            b'/' if x.get(i + 1) == Some(&b'>') => return Some((out, true, i + 2)),
            _ => return None,
        }
    }
}

/// What follows a cell's start tag (ending at `p`): the cell's value and the offset past its
/// `</c>`. The common bodies — `<is><t>plain text</t></is></c>` and `<v>number</v></c>` — are
/// read directly; anything else goes through `cell_body`.
fn cell_rest(
    xs: &str,
    p: usize,
    empty: bool,
    [_, s, ty]: CellAttrs<'_>,
    ctx: &BookCtx,
    text: &mut String,
) -> Option<(Cell, usize)> {
    if empty {
        return Some((Cell::Empty, p));
    }
    let x = xs.as_bytes();
    let rest = &x[p..];
    if rest.starts_with(b"<is>") {
        if let Some((t, e)) = plain_is(xs, p + 4) {
            if x.get(e..e + 4) == Some(b"</c>") {
                return Some((Cell::Text(Text::from(t)), e + 4));
            }
        }
    } else if let Some(body) = rest.strip_prefix(b"<v>") {
        if let Some(lt) = near(b'<', body) {
            if body[lt..].starts_with(b"</v></c>") {
                // Between `<v>` and `<`: on character boundaries of the checked sheet text.
                let v = v_value(xs.get(p + 3..p + 3 + lt)?, s, ty, ctx)?;
                return Some((v, p + 3 + lt + 8));
            }
        }
    }
    let mut value: Option<Cell> = None;
    let mut formula = false;
    let p = cell_body(xs, p, s, ty, ctx, &mut value, &mut formula, text)?;
    let mut cell = value.unwrap_or(Cell::Empty);
    if formula && cell == Cell::Empty {
        cell = Cell::NoCache;
    }
    Some((cell, p))
}

/// The part of the sheet before the cells: checks what calamine checks there (a readable
/// `<dimension ref>`) and returns the offset past `<sheetData>` and whether it is `<sheetData/>`.
fn prefix(x: &[u8]) -> Option<(usize, bool)> {
    let sd = memchr::memmem::find(x, b"<sheetData")?;
    let head = &x[..sd];
    if !plain_utf8_decl(head) {
        return None;
    }
    let mut p = usize::from(head.starts_with(b"\xEF\xBB\xBF")) * 3;
    if head[p..].starts_with(b"<?xml") {
        p = memchr::memmem::find(&head[p..], b"?>")? + p + 2;
    }
    // calamine's reader tokenizes everything before the cells (and fails on a broken tag), so
    // every tag here must parse, and the text between them decode.
    let mut scratch = String::new();
    let mut depth = 0usize;
    loop {
        let lt = memchr::memchr(b'<', &head[p..]).map(|o| o + p);
        let end = lt.unwrap_or(head.len());
        if end > p {
            scratch.clear();
            decode_text(&head[p..end], &mut scratch)?;
        }
        let Some(lt) = lt else { break };
        let t = tag(head, lt)?;
        if t.close {
            depth = depth.checked_sub(1)?;
        } else if !t.empty {
            depth += 1;
        }
        if !t.close && t.name == b"dimension" {
            // calamine fails on a `dimension` it cannot read; only the plain form is taken.
            plain_range(raw_attr(t.attrs, b"ref")??)?;
        }
        p = t.end;
    }
    let t = tag(x, sd)?;
    if t.name != b"sheetData" {
        return None;
    }
    Some((t.end, t.empty))
}

/// `Some` when `r` is a range calamine reads: `A1` or `A1:C9`, the second corner not above or
/// left of the first.
fn plain_range(r: &[u8]) -> Option<()> {
    let mut parts = r.split(|b| *b == b':');
    let a = cell_ref(parts.next()?)?;
    if let Some(b) = parts.next() {
        let b = cell_ref(b)?;
        if b.0 < a.0 || b.1 < a.1 {
            return None;
        }
    }
    parts.next().is_none().then_some(())
}

/// The children of a `<c>` up to its `</c>`: the value (last `<v>` or `<is>` wins) and whether
/// a formula is there. Returns the offset past `</c>`.
#[allow(clippy::too_many_arguments)]
fn cell_body(
    xs: &str,
    mut p: usize,
    s: Option<&[u8]>,
    ty: Option<&[u8]>,
    ctx: &BookCtx,
    value: &mut Option<Cell>,
    formula: &mut bool,
    text: &mut String,
) -> Option<usize> {
    let x = xs.as_bytes();
    loop {
        p = skip_ws(x, p)?;
        let t = tag(x, p)?;
        p = t.end;
        if t.close {
            if t.name == b"c" {
                return Some(p);
            }
            return None;
        }
        match t.name {
            b"f" => {
                let (body, next) = element_text(x, p, &t, b"f")?;
                p = next;
                // calamine decodes the formula text (and fails on a bad entity).
                text.clear();
                decode_text(body, text)?;
                let get = |k: &[u8]| raw_attr(t.attrs, k);
                if get(b"t")? == Some(b"shared") {
                    // calamine requires a numeric `si` and a readable `ref`.
                    let si = get(b"si")??;
                    if si.is_empty() || si.len() > 9 || !si.iter().all(u8::is_ascii_digit) {
                        return None;
                    }
                    if let Some(r) = get(b"ref")? {
                        plain_range(r)?;
                    }
                }
                *formula = true;
            }
            b"v" => {
                let (body, next) = element_text(x, p, &t, b"v")?;
                let body = xs.get(p..p + body.len())?;
                p = next;
                *value = Some(v_value(body, s, ty, ctx)?);
            }
            b"is" => {
                let s = if t.empty {
                    Text::default()
                } else if let Some((s, e)) = plain_is(xs, p) {
                    p = e;
                    Text::from(s)
                } else {
                    let (s, e) = rich_string(x, p, b"is")?;
                    p = e;
                    Text::from(s)
                };
                *value = Some(Cell::Text(s));
            }
            _ => return None,
        }
    }
}

/// The value of a `<v>`, as calamine's `read_v` + `from_data_ref`.
fn v_value(vs: &str, s: Option<&[u8]>, ty: Option<&[u8]>, ctx: &BookCtx) -> Option<Cell> {
    use calamine::{DataRef, ExcelDateTime, ExcelDateTimeType};
    let v = vs.as_bytes();
    // calamine ignores an inline string's `<v>` (but its reader still fails on a broken
    // entity there), and an empty `<v>` of the plain types.
    if matches!(ty, Some(b"inlineStr" | b"is")) {
        decode_text(v, &mut String::new())?;
        return Some(Cell::Empty);
    }
    if v.is_empty() && matches!(ty, None | Some(b"n" | b"s" | b"b" | b"e")) {
        return Some(Cell::Empty);
    }
    let d = match ty {
        Some(b"s") => {
            let i = digits(v)?;
            DataRef::SharedString(ctx.strings.get(i as usize)?)
        }
        Some(b"b") => match v {
            b"0" => DataRef::Bool(false),
            b"1" => DataRef::Bool(true),
            _ => return None,
        },
        Some(b"e") => {
            if v.contains(&b'&') {
                return None;
            }
            DataRef::Error(vs.parse().ok()?)
        }
        Some(b"str") => {
            let mut t = String::with_capacity(v.len());
            decode_text(v, &mut t)?;
            DataRef::String(unescape_xml(&t).into_owned())
        }
        Some(b"d") => {
            let mut t = String::with_capacity(v.len());
            decode_text(v, &mut t)?;
            DataRef::DateTimeIso(t)
        }
        None | Some(b"n") => {
            let n = number(vs)?;
            let fmt = match s {
                Some(s) => ctx.formats.get(digits(s)? as usize).copied(),
                None => Some(Fmt::Other),
            };
            match fmt {
                Some(Fmt::DateTime) => return Some(date_cell(n, ctx.is_1904)),
                Some(Fmt::TimeDelta) => DataRef::DateTime(ExcelDateTime::new(
                    n,
                    ExcelDateTimeType::TimeDelta,
                    ctx.is_1904,
                )),
                _ => DataRef::Float(n),
            }
        }
        _ => return None,
    };
    Some(from_data_ref(d))
}

/// A date-formatted number as `from_data_ref` converts it. Dates repeat (a sheet of a million
/// orders holds a few thousand days), and calamine's calendar arithmetic runs per cell, so each
/// thread remembers recent ones by the number's bits and the workbook's epoch.
fn date_cell(n: f64, is_1904: bool) -> Cell {
    use calamine::{DataRef, ExcelDateTime, ExcelDateTimeType};
    let convert = || {
        from_data_ref(DataRef::DateTime(ExcelDateTime::new(
            n,
            ExcelDateTimeType::DateTime,
            is_1904,
        )))
    };
    if n.is_nan() {
        return convert();
    }
    let bits = n.to_bits();
    let slot = (bits.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> (64 - DATE_MEMO_BITS)) as usize;
    let known = DATE_MEMO.with(|m| {
        let m = m.borrow();
        let (k, e, c) = &m[slot];
        (*k == bits && *e == is_1904).then(|| c.clone())
    });
    if let Some(c) = known {
        return c;
    }
    let c = convert();
    DATE_MEMO.with(|m| m.borrow_mut()[slot] = (bits, is_1904, c.clone()));
    c
}

/// log2 of the entries of [`date_cell`]'s memo.
const DATE_MEMO_BITS: u32 = 10;

thread_local! {
    /// (bits of the number, 1904 epoch, its cell); the bits of a NaN, which no `<v>` reads as,
    /// mark an empty entry.
    static DATE_MEMO: std::cell::RefCell<Vec<(u64, bool, Cell)>> =
        std::cell::RefCell::new(vec![(u64::MAX, false, Cell::Empty); 1 << DATE_MEMO_BITS]);
}

/// Put a sheet's chunks back together exactly as one `RowSink` over the whole stream would.
fn assemble(mut chunks: Vec<ChunkRows>) -> Vec<SheetRow> {
    let mut ordered = true;
    let mut last: Option<u32> = None;
    for c in &chunks {
        ordered &= c.ordered;
        if let (Some(l), Some(f)) = (last, c.rows.first()) {
            ordered &= l < f.row;
        }
        if let Some(r) = c.rows.last() {
            last = Some(r.row);
        }
    }
    if ordered {
        if chunks.len() == 1 {
            return chunks.pop().map(|c| c.rows).unwrap_or_default();
        }
        let mut rows = Vec::with_capacity(chunks.iter().map(|c| c.rows.len()).sum());
        for c in chunks {
            rows.extend(c.rows);
        }
        return rows;
    }
    let n = chunks.iter().map(|c| c.n).sum();
    let mut cells: Vec<(u32, u32, Cell)> = Vec::with_capacity(n);
    for c in chunks {
        for row in c.rows {
            cells.extend(row.cells.into_iter().map(|(c, v)| (row.row, c, v)));
        }
    }
    into_rows(cells)
}

// ---------------------------------------------------------------------------------------------
// Inflating and the thread pool

/// Target size of a chunk of sheet XML: big enough that handing it over costs nothing, small
/// enough that both cores share even a single large sheet.
const CHUNK: usize = 2 << 20;

/// Chunks waiting beyond this many per thread make the inflating thread parse one itself,
/// which bounds the memory held in inflated XML.
const BACKLOG: usize = 3;

/// Read up to `want` more bytes of `r` into `buf` after its first `*len`, growing `buf` only
/// when it has no room (its bytes are initialised already, so nothing is zeroed before a read);
/// as `take(want).read_to_end` on a buffer of `*len` bytes: the count read, which is 0 only at
/// the end of `r`.
fn fill(
    r: &mut impl Read,
    buf: &mut Vec<u8>,
    len: &mut usize,
    want: usize,
) -> std::io::Result<usize> {
    let end = *len + want;
    if buf.len() < end {
        buf.resize(end, 0);
    }
    let start = *len;
    while *len < end {
        match r.read(&mut buf[*len..end]) {
            Ok(0) => break,
            Ok(n) => *len += n,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(*len - start)
}

/// One sheet to read: the caller's index and its zip part.
pub struct SheetJob {
    pub idx: usize,
    pub part: String,
}

struct Task {
    job: usize,
    seq: usize,
    first: bool,
    /// A chunk buffer: the chunk is `data[..len]`, the rest is room kept initialised (see
    /// [`Pool::buffer`]).
    data: Vec<u8>,
    len: usize,
}

/// Size of a chunk buffer: a chunk and the start of the next one.
const BUFFER: usize = CHUNK + (CHUNK >> 2);

#[derive(Default)]
struct JobState {
    chunks: Vec<Option<ChunkRows>>,
    /// Set once the whole part is inflated and cut.
    total: Option<usize>,
    failed: bool,
}

struct Pool<'c> {
    ctx: &'c BookCtx,
    state: Mutex<PoolState>,
    cv: Condvar,
    threads: usize,
}

struct PoolState {
    queue: std::collections::VecDeque<Task>,
    next_job: usize,
    inflating: usize,
    jobs: Vec<JobState>,
    /// Chunk buffers given back after parsing, reused so the inflated XML does not fault in
    /// fresh pages for every chunk.
    free: Vec<Vec<u8>>,
}

impl Pool<'_> {
    fn lock(&self) -> std::sync::MutexGuard<'_, PoolState> {
        // A panic elsewhere poisons the lock; the state is still consistent enough to finish.
        self.state
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    fn parse(&self, t: Task) {
        let failed = self.lock().jobs.get(t.job).is_none_or(|j| j.failed);
        // A bug here on some odd file must cost only the speed: that sheet goes to calamine.
        let out = if failed {
            None
        } else {
            std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                parse_chunk(t.data.get(..t.len)?, t.first, self.ctx)
            }))
            .ok()
            .flatten()
        };
        let data = t.data;
        let mut st = self.lock();
        // Enough to keep every buffer in flight: the queue, one per parsing thread, and two per
        // inflating thread (a dropped buffer means a fresh one faulted in later).
        if st.free.len() < self.threads * (BACKLOG + 3) + 2 {
            st.free.push(data);
        }
        if let Some(j) = st.jobs.get_mut(t.job) {
            match out {
                Some(c) => {
                    if j.chunks.len() <= t.seq {
                        j.chunks.resize_with(t.seq + 1, || None);
                    }
                    j.chunks[t.seq] = Some(c);
                }
                None => j.failed = true,
            }
        }
    }

    /// A chunk buffer of at least [`BUFFER`] bytes, all initialised: the inflater reads into
    /// it in place. (`read_to_end` into a cleared buffer zeroed its room again before every
    /// read: the whole inflated sheet once more.)
    fn buffer(&self) -> Vec<u8> {
        self.lock().free.pop().unwrap_or_else(|| vec![0; BUFFER])
    }

    fn give(&self, t: Task) {
        let mut st = self.lock();
        if st.queue.len() >= self.threads * BACKLOG {
            drop(st);
            self.parse(t);
        } else {
            st.queue.push_back(t);
            drop(st);
            self.cv.notify_one();
        }
    }

    /// Inflate one sheet part and hand its chunks out.
    fn inflate(&self, z: &mut Zip<'_>, job: usize, part: &str) {
        let ok = (|| -> Option<usize> {
            let i = self.ctx.index(z, part)?;
            let mut f = z.by_index(i).ok()?;
            let mut seq = 0;
            let mut cur: Vec<u8> = self.buffer();
            let mut len = 0;
            loop {
                if self.lock().jobs.get(job).is_none_or(|j| j.failed) {
                    return None;
                }
                // Up to a buffer's worth (a chunk's worth more when a full buffer held no row
                // end), as far as the part goes.
                let want = BUFFER - len.min(CHUNK);
                let n = fill(&mut f, &mut cur, &mut len, want).ok()?;
                if n == 0 {
                    self.give(Task {
                        job,
                        seq,
                        first: seq == 0,
                        data: cur,
                        len,
                    });
                    return Some(seq + 1);
                }
                if len >= CHUNK {
                    if let Some(cut) = memchr::memmem::rfind(&cur[..len], b"</row>") {
                        let cut = cut + 6;
                        let mut rest = self.buffer();
                        let left = len - cut;
                        if rest.len() < left {
                            rest.resize(left, 0);
                        }
                        rest[..left].copy_from_slice(&cur[cut..len]);
                        let data = std::mem::replace(&mut cur, rest);
                        self.give(Task {
                            job,
                            seq,
                            first: seq == 0,
                            data,
                            len: cut,
                        });
                        len = left;
                        seq += 1;
                    }
                }
            }
        })();
        let mut st = self.lock();
        if let Some(j) = st.jobs.get_mut(job) {
            match ok {
                Some(n) => j.total = Some(n),
                None => j.failed = true,
            }
        }
    }

    fn work(&self, bytes: &[u8], jobs: &[SheetJob]) {
        let mut zip: Option<Zip<'_>> = None;
        let mut st = self.lock();
        loop {
            if let Some(t) = st.queue.pop_front() {
                drop(st);
                self.parse(t);
                st = self.lock();
                continue;
            }
            if st.next_job < jobs.len() {
                let j = st.next_job;
                st.next_job += 1;
                st.inflating += 1;
                drop(st);
                if zip.is_none() {
                    zip = zip::ZipArchive::new(Cursor::new(bytes)).ok();
                }
                match zip.as_mut() {
                    Some(z) => self.inflate(z, j, &jobs[j].part),
                    None => {
                        if let Some(js) = self.lock().jobs.get_mut(j) {
                            js.failed = true;
                        }
                    }
                }
                st = self.lock();
                st.inflating -= 1;
                self.cv.notify_all();
                continue;
            }
            if st.inflating == 0 {
                break;
            }
            st = self
                .cv
                .wait(st)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        drop(st);
        self.cv.notify_all();
    }
}

/// Read the given sheets (largest first is best) on `threads` threads. For each job: its rows
/// and the XML from `</sheetData>` on (for the merges), or `None` when calamine must read it.
pub fn read_sheets(
    bytes: &[u8],
    ctx: &BookCtx,
    jobs: &[SheetJob],
    threads: usize,
) -> Vec<Option<(Vec<SheetRow>, Vec<u8>)>> {
    let threads = threads.max(1);
    let pool = Pool {
        ctx,
        state: Mutex::new(PoolState {
            queue: Default::default(),
            next_job: 0,
            inflating: 0,
            jobs: (0..jobs.len()).map(|_| JobState::default()).collect(),
            free: Vec::new(),
        }),
        cv: Condvar::new(),
        threads,
    };
    if threads == 1 {
        pool.work(bytes, jobs);
    } else {
        std::thread::scope(|s| {
            for _ in 1..threads {
                s.spawn(|| pool.work(bytes, jobs));
            }
            pool.work(bytes, jobs);
        });
    }
    let st = pool
        .state
        .into_inner()
        .unwrap_or_else(std::sync::PoisonError::into_inner);
    st.jobs
        .into_iter()
        .map(|j| {
            if j.failed {
                return None;
            }
            let total = j.total?;
            if j.chunks.len() != total {
                return None;
            }
            let mut chunks: Vec<ChunkRows> = j.chunks.into_iter().collect::<Option<_>>()?;
            // Exactly the last chunk holds `</sheetData>`.
            let (last, rest) = chunks.split_last_mut()?;
            if rest.iter().any(|c| c.tail.is_some()) {
                return None;
            }
            let tail = last.tail.take()?;
            Some((assemble(chunks), tail))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn near_finds_what_memchr_finds() {
        let hay: Vec<u8> = (0..80u8).map(|i| b'a' + i % 26).collect();
        for len in 0..hay.len() {
            for needle in [b'a', b'e', b'y', b'z', b'<'] {
                assert_eq!(
                    near(needle, &hay[..len]),
                    memchr::memchr(needle, &hay[..len]),
                    "{len} {needle}"
                );
                assert_eq!(
                    near(needle, &hay[len..]),
                    memchr::memchr(needle, &hay[len..])
                );
            }
        }
    }

    #[test]
    fn plain_cell_start_tags_read_as_the_general_scanner() {
        for x in [
            &b"<c r=\"B2\" s=\"3\" t=\"inlineStr\"><is>"[..],
            b"<c r=\"B2\"/>",
            b"<c s=\"1\" r=\"C9\" x=\"a>b\">",
            b"<c r=\"A1\" cm=\"1\" t=\"n\">",
        ] {
            let (a, empty, end) = c_start(x, 0).expect("plain shape");
            let t = tag(x, 0).unwrap();
            assert_eq!((a, empty, end), (c_attrs(t.attrs).unwrap(), t.empty, t.end));
        }
        // Other shapes are left to the general scanners.
        for x in [
            &b"<c  r=\"A1\">"[..],
            b"<c r='A1'>",
            b"<c r=\"A1\"s=\"1\">",
            b"<c r=\"A1\" r=\"A2\">",
            b"<c r=\"A<1\">",
            b"<c r = \"A1\">",
            b"<c x:r=\"A1\">",
            b"<cc r=\"A1\">",
            b"<c r=\"A1\" />",
            b"<c r=\"A1\"",
        ] {
            assert!(c_start(x, 0).is_none(), "{}", String::from_utf8_lossy(x));
        }
    }

    #[test]
    fn numbers_only_in_the_plain_grammar() {
        assert_eq!(number("-12.5E+3"), Some(-12500.0));
        assert_eq!(number("0.1"), Some(0.1));
        for bad in [
            &b""[..],
            b"+1",
            b".5",
            b"5.",
            b"1e",
            b" 1",
            b"inf",
            b"NaN",
            b"1,5",
            b"--1",
        ] {
            let bad = std::str::from_utf8(bad).unwrap();
            assert_eq!(number(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn text_decoding_as_quick_xml() {
        let mut s = String::new();
        decode_text(b"a&amp;b&#x4E2D;&#25991;\r\nx\ry", &mut s).unwrap();
        assert_eq!(s, "a&b\u{4E2D}\u{6587}\nx\ny");
        for bad in [
            &b"&nbsp;"[..],
            b"&#0;",
            b"&#xD800;",
            b"&#X41;",
            b"& b",
            b"a<b",
        ] {
            assert!(decode_text(bad, &mut String::new()).is_none());
        }
        assert_eq!(unescape_xml("a_x000D_b_x005F_x0041_"), "a\rb_x0041_");
    }

    #[test]
    fn date_formats_as_calamine() {
        assert_eq!(detect_custom_number_format("yyyy-mm-dd"), Fmt::DateTime);
        assert_eq!(detect_custom_number_format("[h]:mm:ss"), Fmt::TimeDelta);
        assert_eq!(detect_custom_number_format("#,##0.00"), Fmt::Other);
        assert_eq!(detect_custom_number_format("\"Y: \"0.00"), Fmt::Other);
        assert_eq!(builtin_format_by_id(b"14"), Fmt::DateTime);
        assert_eq!(builtin_format_by_id(b"46"), Fmt::TimeDelta);
        assert_eq!(builtin_format_by_id(b"4"), Fmt::Other);
    }

    #[test]
    fn attributes_and_tags() {
        let v: Vec<_> = attrs(b" r = \"A1\" t='s' ").collect();
        assert_eq!(
            v,
            vec![Ok((&b"r"[..], &b"A1"[..])), Ok((&b"t"[..], &b"s"[..]))]
        );
        assert!(attrs(b" r=A1").any(|x| x.is_err()));
        assert!(
            raw_attr(b" r=\"1\" r=\"2\"", b"r").is_none(),
            "twice: calamine's choice"
        );
        let t = tag(b"<c r=\"a>b\"/>", 0).unwrap();
        assert!(t.empty && t.name == b"c" && t.end == 12);
        assert!(tag(b"<x:c>", 0).is_none() && tag(b"<!-- -->", 0).is_none());
        assert_eq!(cell_ref(b"XFD1048576"), Some((1_048_575, 16_383)));
        assert_eq!(cell_ref(b"A0"), None);
        assert_eq!(cell_ref(b"XFE1"), None);
    }

    /// The remembered date cells are the converted ones, for dates met again, dates sharing
    /// an entry (5,000 over 1,024), both epochs, times of day and numbers out of range.
    #[test]
    fn remembered_dates_are_converted_dates() {
        use calamine::{DataRef, ExcelDateTime, ExcelDateTimeType};
        let direct = |n: f64, e: bool| {
            from_data_ref(DataRef::DateTime(ExcelDateTime::new(
                n,
                ExcelDateTimeType::DateTime,
                e,
            )))
        };
        let mut ns: Vec<f64> = (40_000..45_000).map(f64::from).collect();
        ns.extend([
            0.0,
            0.5,
            59.0,
            60.0,
            61.0,
            45_597.75,
            -1.0,
            1e12,
            2_958_465.999_99,
        ]);
        ns.extend([f64::INFINITY, f64::NAN]);
        for round in 0..3 {
            for &n in &ns {
                for e in [false, true] {
                    let (got, want) = (date_cell(n, e), direct(n, e));
                    assert_eq!(format!("{got:?}"), format!("{want:?}"), "{n} {e} {round}");
                }
            }
            ns.reverse();
        }
        assert_eq!(date_cell(45_597.0, false), direct(45_597.0, false));
        assert_ne!(date_cell(45_597.0, true), date_cell(45_597.0, false));
    }

    /// The word-wise search finds what a byte loop finds, at every offset and length, among
    /// ASCII, Chinese text and bytes that differ from the markup by one bit.
    #[test]
    fn first_markup_as_a_byte_loop() {
        let naive = |x: &[u8]| {
            x.iter()
                .position(|&b| matches!(b, b'<' | b'&' | b'\r' | b'_'))
        };
        let filler: Vec<u8> = "ab柳州=;>%^'~\n\t"
            .bytes()
            .chain([0x80, 0xFF, 0x3D, 0x5E, 0xBC])
            .collect();
        for len in 0..40 {
            for at in 0..=len {
                for m in [b'<', b'&', b'\r', b'_'] {
                    let mut x: Vec<u8> = (0..len)
                        .map(|i| filler[(i * 7 + len) % filler.len()])
                        .collect();
                    if at < len {
                        x[at] = m;
                        // A second mark later must not move the answer.
                        if at + 3 < len {
                            x[at + 3] = b'<';
                        }
                    }
                    assert_eq!(first_markup(&x), naive(&x), "{x:?}");
                }
            }
        }
        assert_eq!(first_markup(b"SO2024110001</t></is>"), Some(12));
        assert_eq!(
            first_markup("柳州协力精密机械有限公司</t>".as_bytes()),
            Some(36)
        );
        assert_eq!(first_markup(b"a_b<"), Some(1));
        assert_eq!(first_markup(b"plain"), None);
    }

    /// `fill` reads as `take(want).read_to_end` appends, through short reads and interruptions,
    /// into a buffer with room, one without, and at the end of the input.
    #[test]
    fn fill_reads_as_read_to_end() {
        struct Drip<'a>(&'a [u8], usize);
        impl Read for Drip<'_> {
            fn read(&mut self, out: &mut [u8]) -> std::io::Result<usize> {
                self.1 += 1;
                if self.1.is_multiple_of(3) {
                    return Err(std::io::ErrorKind::Interrupted.into());
                }
                let n = out.len().min(self.0.len()).min(7);
                out[..n].copy_from_slice(&self.0[..n]);
                self.0 = &self.0[n..];
                Ok(n)
            }
        }
        let src: Vec<u8> = (0..100u8).collect();
        for (room, want) in [(64, 30), (10, 30), (0, 200), (200, 0)] {
            let mut got = vec![9u8; room];
            let mut len = 5;
            if got.len() < len {
                got.resize(len, 9);
            }
            let mut r = Drip(&src, 0);
            let mut seen = Vec::new();
            loop {
                let n = fill(&mut r, &mut got, &mut len, want).unwrap();
                let mut want_buf = vec![9u8; 5];
                let m = (&mut Drip(&src[seen.len()..], 1))
                    .take(want as u64)
                    .read_to_end(&mut want_buf)
                    .unwrap();
                assert_eq!(n, m, "room {room} want {want}");
                seen.extend_from_slice(&got[len - n..len]);
                if n == 0 {
                    break;
                }
            }
            if want > 0 {
                assert_eq!(seen, src, "room {room} want {want}");
            }
        }
    }

    /// The one-pass reading of a reference answers as counting the letters first did, on
    /// every string of up to five characters over letters, digits and a few others.
    #[test]
    fn cell_refs_as_the_two_pass_reading() {
        fn two_pass(v: &[u8]) -> Option<(u32, u32)> {
            let letters = v.iter().take_while(|b| b.is_ascii_alphabetic()).count();
            if letters == 0 || letters > 3 {
                return None;
            }
            let mut col: u32 = 0;
            for &b in &v[..letters] {
                col = col * 26 + u32::from(b.to_ascii_uppercase() - b'A') + 1;
            }
            let row = digits(&v[letters..])?;
            if row == 0 || row > 1_048_576 || col > 16_384 {
                return None;
            }
            Some((row - 1, col - 1))
        }
        let alphabet = b"AaZz019$ ";
        let mut v = Vec::new();
        let mut n = 0;
        for len in 0..=5u32 {
            for mut i in 0..alphabet.len().pow(len) {
                v.clear();
                for _ in 0..len {
                    v.push(alphabet[i % alphabet.len()]);
                    i /= alphabet.len();
                }
                assert_eq!(
                    cell_ref(&v),
                    two_pass(&v),
                    "{:?}",
                    String::from_utf8_lossy(&v)
                );
                n += usize::from(two_pass(&v).is_some());
            }
        }
        assert!(n > 900, "{n}");
        for r in [
            "XFD1048576",
            "XFD1048577",
            "AAAA1",
            "ABC123456",
            "B12",
            "b12",
            "A1:B2",
        ] {
            assert_eq!(cell_ref(r.as_bytes()), two_pass(r.as_bytes()), "{r}");
        }
    }
}
