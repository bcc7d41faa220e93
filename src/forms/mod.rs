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
        records.to_vec()
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
