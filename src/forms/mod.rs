//! Forms as data: the 171 catalogue forms of DOMAIN §1, one YAML file each under
//! `templates/forms/`, embedded in the binary and validated on load.
//!
//! The same [`FormSpec`] drives the blank PDF, the Excel entry template and the filled PDF. The
//! typst layout engine (`templates/form.typ`) reads [`render_data`]'s JSON as `/data.json`.

mod builtin;
pub mod spec;

pub use spec::{
    Column, Field, Footer, FormSpec, Kind, OptionAmount, Paper, RowLabel, Rows, RowsWord, Section,
    SpecError, Status, TableSpec, GRID,
};

/// File names and texts of the built-in definitions, sorted by file name.
///
/// The list lives in `builtin.rs`; a test checks it equals the directory listing, so a new
/// YAML file cannot be forgotten.
pub fn builtin_files() -> &'static [(&'static str, &'static str)] {
    builtin::FILES
}

/// The built-in catalogue, parsed and validated, in file-name order.
///
/// # Errors
/// The first definition that does not load (a bug in a shipped file; the test suite loads all).
pub fn try_catalogue() -> Result<Vec<FormSpec>, SpecError> {
    builtin_files()
        .iter()
        .map(|(name, text)| FormSpec::from_yaml(name, text))
        .collect()
}

/// The built-in catalogue. A shipped definition that fails to load is left out rather than
/// stopping the program; `tests/forms_spec.rs` guarantees all of them load.
pub fn catalogue() -> Vec<FormSpec> {
    builtin_files()
        .iter()
        .filter_map(|(name, text)| FormSpec::from_yaml(name, text).ok())
        .collect()
}

/// One built-in form by id.
pub fn find(id: &str) -> Option<FormSpec> {
    let name = format!("{id}.yaml");
    builtin_files()
        .iter()
        .find(|(n, _)| *n == name)
        .and_then(|(n, text)| FormSpec::from_yaml(n, text).ok())
}

/// The `/data.json` the typst layout engine reads: `{"form", "records", "company", "lang"}`.
/// Each record also carries `_em` (see [`with_width_estimates`]).
/// A blank form is one empty record. Values in records are already-formatted strings (money
/// "¥1,234.50", dates "2023年05月15日"); a choice is the chosen option, a multi a list of them,
/// a table a list of row objects keyed by column key (or lists of cell strings).
pub fn render_data(
    form: &FormSpec,
    records: &[serde_json::Value],
    company: &str,
    lang: crate::error::Lang,
) -> serde_json::Value {
    render_data_for(form, records, company, None, lang)
}

/// As [`render_data`], with the configured department: the seed's placeholder “(客户服务部)”
/// in a label or section title (调查分析报告表 三、) prints as that department (DOMAIN §5.4).
pub fn render_data_for(
    form: &FormSpec,
    records: &[serde_json::Value],
    company: &str,
    department: Option<&str>,
    lang: crate::error::Lang,
) -> serde_json::Value {
    let records = if records.is_empty() {
        vec![serde_json::json!({})]
    } else {
        records.iter().map(with_width_estimates).collect()
    };
    let mut data = serde_json::json!({
        "form": form,
        "records": records,
        "company": company,
        "lang": lang,
    });
    if let (Some(d), Some(obj)) = (
        department.filter(|d| !d.trim().is_empty()),
        data.as_object_mut(),
    ) {
        obj.insert(
            "department".into(),
            serde_json::Value::String(d.to_string()),
        );
    }
    data
}

/// The key of a record's width estimates in `/data.json` (read by `templates/form.typ`).
pub const WIDTH_KEY: &str = "_em";

/// A record with `_em`: for each top-level string or number, `[whole, widest run]`, upper bounds of
/// the printed width in em of the whole text and of its widest unbroken run (the text between
/// spaces and Han characters, which are break opportunities).
///
/// The layout engine needs these for every value of every record (does it fit its cell on one
/// line, so the record is as tall as the blank form and need not be measured; does a long run
/// need break points), and working them out in typst (regex matches per value) was a quarter of
/// the time of a filled batch. Only an upper bound matters: a value reported too wide is measured
/// by typst, never printed differently.
pub fn with_width_estimates(rec: &serde_json::Value) -> serde_json::Value {
    let serde_json::Value::Object(map) = rec else {
        return rec.clone();
    };
    let mut est = serde_json::Map::new();
    for (k, v) in map {
        match v {
            serde_json::Value::String(s) => {
                let (whole, run) = est_em(s);
                est.insert(k.clone(), serde_json::json!([whole, run]));
            }
            serde_json::Value::Number(n) => {
                // typst prints a number its own way (str()): every character taken as wide,
                // with two to spare for a longer form.
                let w = round_up((n.to_string().chars().count() as f64 + 2.0) * 1.1);
                est.insert(k.clone(), serde_json::json!([w, w]));
            }
            _ => {}
        }
    }
    let mut out = map.clone();
    out.insert(WIDTH_KEY.into(), serde_json::Value::Object(est));
    serde_json::Value::Object(out)
}

/// An upper bound in em of the printed width of `s` in the bundled CJK face ([`est_em`]'s whole).
pub fn printed_width_em(s: &str) -> f64 {
    est_em(s).0
}

/// Whether `c` is a Han ideograph printed 1 em wide in Noto Sans CJK (the unified ideographs and
/// their extensions and compatibility blocks). Other Han characters (radicals, 〇 々) count as
/// wide characters (1.1 em) and as part of a run: a larger estimate, never a smaller one.
fn is_han(c: char) -> bool {
    matches!(c as u32,
        0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F | 0x30000..=0x323AF)
}

/// Upper bounds in em of the width of `s` and of its widest unbroken run: a Han character is
/// 1 em; any other character its advance in the CJK face the values print in, with 5% and
/// 0.02 em to spare for kerning, or 1.1 em when that face lacks it (no glyph of the fallback
/// faces is wider). Counted per character, which is at least the count of clusters typst prints.
/// (With 1.1 em for every letter, as the layout engine assumed, an ID like SLSM2023039 never
/// fitted a two-column cell, and every 客户信用调查表 measured its first page again.)
fn est_em(s: &str) -> (f64, f64) {
    let em = |c: char| {
        if is_han(c) {
            1.0
        } else {
            crate::render::pdf::cjk_advance(c).map_or(1.1, |a| (a * 1.05 + 0.02).min(1.1))
        }
    };
    let (mut whole, mut run, mut widest) = (0.0f64, 0.0f64, 0.0f64);
    for c in s.chars() {
        let w = em(c);
        whole += w;
        if c.is_whitespace() || is_han(c) {
            run = 0.0;
        } else {
            run += w;
            widest = widest.max(run);
        }
    }
    (round_up(whole), round_up(widest))
}

/// Rounded up to 1/100 em: JSON carries a short decimal and the bound stays an upper bound (less
/// 1e-9 so that float noise in 4 × 1.1 does not round 4.4 up to 4.41; never -0).
fn round_up(x: f64) -> f64 {
    ((x * 100.0 - 1e-9).ceil() / 100.0).max(0.0)
}

#[cfg(test)]
mod width_tests {
    use super::*;

    #[test]
    fn estimates_bound_han_digits_and_runs() {
        // 南宁市 (3 Han) + 251 (3 digits) + 号 (Han): 4 em and three digits; the widest run is
        // "251". A digit of Noto Sans CJK is about 0.55 em: with the margin, under 0.65.
        let (w, r) = est_em("南宁市251号");
        assert!(w > 4.0 + 3.0 * 0.5 && w < 4.0 + 3.0 * 0.65, "{w}");
        assert!(
            r > 3.0 * 0.5 && r < 3.0 * 0.65 && (w - 4.0 - r).abs() < 0.011,
            "{r}"
        );
        // An e-mail address is one unbroken run: every character counts in the run.
        let (w, r) = est_em("ab@x.cn");
        assert!(w == r && w > 7.0 * 0.3 && w < 7.0 * 1.1, "{w}");
        // A space breaks the run: the widest run is one of the two letter pairs.
        let (w, r) = est_em("AB CD");
        assert!(r < w / 2.0 && r > 0.8, "{w} {r}");
        // The IDs of the sample (SLSM2023039) fit a two-column cell of a form (7 em).
        assert!(est_em("SLSM2023039").0 < 7.0);
        let rec = with_width_estimates(&serde_json::json!({"name": "甲乙", "n": 35, "b": true}));
        // A number: (2 characters + 2) × 1.1 em, for whole and run; a bool has none.
        assert_eq!(
            rec["_em"],
            serde_json::json!({"name": [2.0, 0.0], "n": [4.4, 4.4]})
        );
        assert_eq!(rec["n"], 35);
    }
}
