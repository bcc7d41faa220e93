//! The form definition types (`templates/forms/<id>.yaml` → [`FormSpec`]), the YAML loader and
//! the validation pass for what serde cannot check.
//!
//! This is the only file of `forms` that knows YAML: serde_yaml is frozen upstream (DESIGN §4),
//! so a swap touches one file. Everything else sees typed, validated, normalised specs.
//!
//! Layout model: a form is a title, a header line, then sections stacked into one ruled grid of
//! 12 columns. A grid row is a list of fields; a field is a grey label cell plus a white value
//! cell (`span` columns in all, `label_span` of them for the label). A table section is a
//! repeating table with its own columns. After loading, every span is resolved, so the typst
//! layout engine (templates/form.typ) never has to guess.

use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use std::fmt;

/// Columns of the form grid. Twelve divides into halves, thirds and quarters.
pub const GRID: u8 = 12;

/// Most rows a repeating table may ask for: more than this is a typo, not a form.
const MAX_TABLE_ROWS: u16 = 200;

/// One form of the catalogue (DOMAIN §1), validated and with every span resolved.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FormSpec {
    /// snake_case English id from DOMAIN §1; equals the file name.
    pub id: String,
    /// Title in Simplified Chinese.
    pub title: String,
    /// Title as the seed prints it in Traditional script (S0, S4), kept for matching clerk input.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_hant: Option<String>,
    /// English title, for `--lang en` and the catalogue listing.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title_en: Option<String>,
    /// Product area (客户信息, 客户调查 …), DOMAIN §1.1–§1.15.
    pub area: String,
    /// How much of the layout the seeds give (DOMAIN §0.2).
    #[serde(default)]
    pub status: Status,
    /// Where the seeds name the form ("S4 第二章 第三节 四").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seeds: Option<String>,
    /// Book variant ("1客户信用调查表" → 1), DOMAIN §5.4.
    #[serde(default = "one")]
    pub variant: u32,
    /// Template version, printed in the page footer (R03).
    #[serde(default = "one")]
    pub version: u32,
    #[serde(default)]
    pub paper: Paper,
    /// Input table (DOMAIN §3) whose records fill this form: `customers`, `credit_surveys` …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// 用途 line (S3 style), for the 填写说明 sheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub purpose: Option<String>,
    /// The small line under the title. Omitted → `编号:____ 填表日期:____年__月__日` (§5.4);
    /// `[]` → no line.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub header: Option<Vec<Field>>,
    pub sections: Vec<Section>,
    /// A printed note under the grid (说明: …).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    #[serde(default)]
    pub footer: Footer,
}

fn one() -> u32 {
    1
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Given,
    Partial,
    Derived,
    #[default]
    Proposed,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub enum Paper {
    #[default]
    #[serde(rename = "a4-portrait")]
    A4Portrait,
    #[serde(rename = "a4-landscape")]
    A4Landscape,
}

/// A block of the form: a heading row (optional) and either grid rows or one repeating table.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Section {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub rows: Vec<Vec<Field>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub table: Option<TableSpec>,
}

/// What a field's blank looks like, and what value it takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Kind {
    /// A plain blank.
    #[default]
    Text,
    /// `____年__月__日`.
    Date,
    /// `____年__月__日 __时__分`.
    Datetime,
    /// `____年__月`.
    Month,
    /// `__月~__月` (旺季/淡季); `key` is the first month, `key_to` the last.
    MonthRange,
    /// `________元`.
    Money,
    /// A number with an optional unit (`__人`, `__辆`, `m²`, `%`).
    Number,
    /// `□a □b □c`, one chosen.
    Choice,
    /// `□a □b □c`, several chosen.
    Multi,
    /// `□是 □否` (or two other words given as options).
    Bool,
    /// Several ruled writing lines (`lines: N`).
    Textarea,
    /// `□有(____元) □无`: options of which some carry their own blank (`amounts`).
    OptionAmount,
    /// A grey caption cell with no blank (a row-group label such as 接洽人员).
    Label,
}

impl Kind {
    fn has_options(self) -> bool {
        matches!(
            self,
            Kind::Choice | Kind::Multi | Kind::Bool | Kind::OptionAmount
        )
    }
}

/// An option that carries its own blank: 保险 □有(____元), 产权 □自有 面积____m².
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct OptionAmount {
    pub option: String,
    pub key: String,
}

/// One labelled blank of the grid (or of the header line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Field {
    #[serde(default)]
    pub label: String,
    /// Record key that fills it; a canonical key of DOMAIN §3 where one corresponds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default)]
    pub kind: Kind,
    /// Grid columns of label + value. Resolved on load.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub span: Option<u8>,
    /// Grid columns of the label. Resolved on load (0 for a field without a label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub label_span: Option<u8>,
    /// Rows the field covers (a group label over sub-rows).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rowspan: Option<u8>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
    /// Options that carry their own blank (kind option_amount).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub amounts: Vec<OptionAmount>,
    /// Word printed before an option's blank (面积); none → the blank sits in parentheses.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_label: Option<String>,
    /// Unit after the blank: 元, 人, 辆, m², %, 天 …
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub unit: Option<String>,
    /// Writing lines of a textarea.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lines: Option<u8>,
    /// Second key of a month range (the last month).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key_to: Option<String>,
    /// 字段说明 (S3), for the 填写说明 sheet; not printed on the form.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// 示例内容 (S3), for the 填写说明 sheet.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub example: Option<String>,
}

/// A repeating table: 交易品种 rows, register lines, statistics rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TableSpec {
    /// Record key holding the list of rows (each row an object by column key, or a list).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    pub columns: Vec<Column>,
    /// A number, or `fill` (as many as fit on the page, at least `min_rows`).
    /// Omitted → the count of `row_labels`, or `fill` when there are none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rows: Option<Rows>,
    /// Smallest row count of a `fill` table (DOMAIN §5.4: 交易品种 at least 5).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_rows: Option<u16>,
    /// Pre-printed row labels: each fills the first column, or the first N columns when a list
    /// (a `~` in the list leaves that column blank for writing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub row_labels: Vec<RowLabel>,
    /// Label of a totals row printed last (合计).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub total: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum RowLabel {
    One(String),
    Many(Vec<Option<String>>),
}

impl RowLabel {
    /// The pre-printed cells, `None` where the column is left blank.
    pub fn cells(&self) -> Vec<Option<&str>> {
        match self {
            RowLabel::One(s) => vec![Some(s.as_str())],
            RowLabel::Many(v) => v.iter().map(Option::as_deref).collect(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Rows {
    Count(u16),
    Word(RowsWord),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RowsWord {
    Fill,
}

/// A table column: a plain string is a text column with that label.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(from = "ColumnDef")]
pub struct Column {
    pub label: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
    #[serde(default)]
    pub kind: Kind,
    /// Relative width (1 = an ordinary column).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub width: Option<f32>,
    /// Upper header cell shared by consecutive columns (销货退回 over 误期/业务/品质/其他).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub group: Option<String>,
    /// Allowed values of a choice/multi/bool column (the Excel drop-down; a blank PDF leaves the
    /// cell empty, as a printed register does).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub options: Vec<String>,
}

#[derive(Deserialize)]
#[serde(untagged)]
enum ColumnDef {
    Label(String),
    Full(ColumnFull),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ColumnFull {
    label: String,
    #[serde(default)]
    key: Option<String>,
    #[serde(default)]
    kind: Kind,
    #[serde(default)]
    width: Option<f32>,
    #[serde(default)]
    group: Option<String>,
    #[serde(default)]
    options: Vec<String>,
}

impl From<ColumnDef> for Column {
    fn from(d: ColumnDef) -> Self {
        match d {
            ColumnDef::Label(label) => Column {
                label,
                key: None,
                kind: Kind::Text,
                width: None,
                group: None,
                options: Vec::new(),
            },
            ColumnDef::Full(f) => Column {
                label: f.label,
                key: f.key,
                kind: f.kind,
                width: f.width,
                group: f.group,
                options: f.options,
            },
        }
    }
}

/// The bottom of the form (DOMAIN §5.2, §5.3).
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Footer {
    /// Form-specific signature line (`总经理:____ 经理:____ 调查人:____`). Omitted → the
    /// generic `填表人:____ 审核:____ 日期:____年__月__日` unless `signoff`; `[]` → none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signatures: Option<Vec<String>>,
    /// The 编制/审核/批准 2×3 grid (§5.2).
    #[serde(default)]
    pub signoff: bool,
}

/// A definition that cannot be used: which file, where, which field, what is wrong.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpecError {
    /// File name (`credit_survey.yaml`).
    pub file: String,
    /// 1-based line, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    /// Path of the field inside the form (`sections[2].rows[0][1] 资本额`).
    pub field: String,
    pub message: String,
}

impl fmt::Display for SpecError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if let Some(l) = self.line {
            write!(f, ":{l}")?;
            if let Some(c) = self.column {
                write!(f, ":{c}")?;
            }
        }
        if !self.field.is_empty() {
            write!(f, ": {}", self.field)?;
        }
        write!(f, ": {}", self.message)
    }
}

impl std::error::Error for SpecError {}

impl From<SpecError> for crate::error::Error {
    fn from(e: SpecError) -> Self {
        crate::error::Error::Config(format!("表单定义错误 (form definition) {e}"))
    }
}

impl FormSpec {
    /// Parse and validate one definition. `name` is the file name (`credit_survey.yaml`); the
    /// form's `id` must equal it without the extension.
    ///
    /// # Errors
    /// A [`SpecError`] naming the file, the line (from serde_yaml, or found by searching the text
    /// for the offending label or key) and the field.
    pub fn from_yaml(name: &str, text: &str) -> Result<FormSpec, SpecError> {
        let mut spec: FormSpec = serde_yaml::from_str(text).map_err(|e| {
            let loc = e.location();
            SpecError {
                file: name.to_string(),
                line: loc.as_ref().map(|l| l.line()),
                column: loc.as_ref().map(|l| l.column()),
                field: String::new(),
                message: e.to_string(),
            }
        })?;
        let mut v = Validator {
            name,
            text,
            errors: Vec::new(),
        };
        v.form(&mut spec);
        match v.errors.into_iter().next() {
            Some(e) => Err(e),
            None => Ok(spec),
        }
    }

    /// Every record key the form reads, in print order (grid fields, header, table keys).
    pub fn keys(&self) -> Vec<&str> {
        let mut out = Vec::new();
        let header = self.header.iter().flatten();
        let fields = self
            .sections
            .iter()
            .flat_map(|s| s.rows.iter().flatten())
            .chain(header);
        for f in fields {
            out.extend(f.key.as_deref());
            out.extend(f.key_to.as_deref());
            out.extend(f.amounts.iter().map(|a| a.key.as_str()));
        }
        for s in &self.sections {
            if let Some(t) = &s.table {
                out.extend(t.key.as_deref());
            }
        }
        out
    }

    /// All grid fields (not the header, not tables).
    pub fn fields(&self) -> impl Iterator<Item = &Field> {
        self.sections.iter().flat_map(|s| s.rows.iter().flatten())
    }

    /// The signature roles printed at the bottom, after resolving the generic default.
    pub fn signature_roles(&self) -> Vec<String> {
        match &self.footer.signatures {
            Some(v) => v.clone(),
            None if self.footer.signoff => Vec::new(),
            None => vec!["填表人".into(), "审核".into(), "日期".into()],
        }
    }
}

/// Default label width in grid columns for a label of `n` characters (10.5 pt CJK ≈ 3.7 mm per
/// character; a portrait grid column is 14 mm).
fn default_label_span(label: &str) -> u8 {
    match label.chars().count() {
        0 => 0,
        1..=6 => 2,
        7..=10 => 3,
        _ => 4,
    }
}

struct Validator<'a> {
    name: &'a str,
    text: &'a str,
    errors: Vec<SpecError>,
}

impl Validator<'_> {
    fn err(&mut self, field: String, needle: Option<&str>, message: String) {
        let line = needle.and_then(|n| find_line(self.text, n));
        self.errors.push(SpecError {
            file: self.name.to_string(),
            line,
            column: None,
            field,
            message,
        });
    }

    fn form(&mut self, spec: &mut FormSpec) {
        let stem = self.name.strip_suffix(".yaml").unwrap_or(self.name);
        if spec.id != stem {
            let id = spec.id.clone();
            self.err(
                "id".into(),
                Some("id:"),
                format!("id `{id}` must equal the file name `{stem}`"),
            );
        }
        if spec.id.is_empty()
            || !spec
                .id
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            let id = spec.id.clone();
            self.err(
                "id".into(),
                Some("id:"),
                format!("id `{id}` must be snake_case ASCII"),
            );
        }
        if spec.title.trim().is_empty() {
            self.err("title".into(), Some("title:"), "title is empty".into());
        }
        if spec.sections.is_empty() {
            self.err(
                "sections".into(),
                Some("sections:"),
                "a form needs at least one section".into(),
            );
        }
        if spec.header.is_none() {
            spec.header = Some(vec![
                Field::plain("编号", Kind::Text),
                Field::plain("填表日期", Kind::Date),
            ]);
        }
        let mut keys: BTreeMap<String, String> = BTreeMap::new();
        if let Some(header) = spec.header.as_mut() {
            for (i, f) in header.iter_mut().enumerate() {
                let path = format!("header[{i}] {}", f.label);
                self.field_common(f, &path, &mut keys);
            }
        }
        for (si, sec) in spec.sections.iter_mut().enumerate() {
            let sp = match &sec.title {
                Some(t) => format!("sections[{si}] {t}"),
                None => format!("sections[{si}]"),
            };
            match (sec.rows.is_empty(), sec.table.is_some()) {
                (true, false) => {
                    self.err(
                        sp.clone(),
                        sec.title.as_deref(),
                        "a section needs `rows` or a `table`".into(),
                    );
                    continue;
                }
                (false, true) => self.err(
                    sp.clone(),
                    sec.title.as_deref(),
                    "a section has either `rows` or a `table`, not both".into(),
                ),
                _ => {}
            }
            self.grid(&mut sec.rows, &sp, &mut keys);
            if let Some(t) = sec.table.as_mut() {
                self.table(t, &sp, &mut keys);
            }
        }
        if let Some(sigs) = &spec.footer.signatures {
            let mut seen = Vec::new();
            for s in sigs {
                if s.trim().is_empty() || seen.contains(&s) {
                    self.err(
                        "footer.signatures".into(),
                        Some("signatures:"),
                        format!("signature role `{s}` is empty or repeated"),
                    );
                }
                seen.push(s);
            }
        }
    }

    /// Checks every field shares: kind-specific attributes, options, unique keys.
    fn field_common(&mut self, f: &mut Field, path: &str, keys: &mut BTreeMap<String, String>) {
        let needle = if f.label.is_empty() {
            f.key.clone()
        } else {
            Some(f.label.clone())
        };
        let needle = needle.as_deref();
        if f.kind == Kind::Bool && f.options.is_empty() {
            f.options = vec!["是".into(), "否".into()];
        }
        if f.kind.has_options() {
            if f.options.is_empty() {
                self.err(
                    path.into(),
                    needle,
                    format!("kind {:?} needs a non-empty `options` list", f.kind),
                );
            }
            let mut seen: Vec<&str> = Vec::new();
            for o in &f.options {
                if o.trim().is_empty() || seen.contains(&o.as_str()) {
                    self.errors.push(SpecError {
                        file: self.name.into(),
                        line: needle.and_then(|n| find_line(self.text, n)),
                        column: None,
                        field: path.into(),
                        message: format!("option `{o}` is empty or repeated"),
                    });
                }
                seen.push(o);
            }
        } else if !f.options.is_empty() {
            self.err(
                path.into(),
                needle,
                format!("`options` given but kind is {:?}", f.kind),
            );
        }
        if f.kind == Kind::OptionAmount {
            if f.amounts.is_empty() {
                self.err(
                    path.into(),
                    needle,
                    "kind option_amount needs `amounts` (which option carries a blank)".into(),
                );
            }
            for a in &f.amounts {
                if !f.options.contains(&a.option) {
                    self.errors.push(SpecError {
                        file: self.name.into(),
                        line: needle.and_then(|n| find_line(self.text, n)),
                        column: None,
                        field: path.into(),
                        message: format!("amount option `{}` is not one of the options", a.option),
                    });
                }
            }
        } else if !f.amounts.is_empty() || f.amount_label.is_some() {
            self.err(
                path.into(),
                needle,
                "`amounts`/`amount_label` only fit kind option_amount".into(),
            );
        }
        match (f.kind, f.lines) {
            (Kind::Textarea, None) => f.lines = Some(3),
            (Kind::Textarea, Some(n)) if n == 0 || n > 40 => self.err(
                path.into(),
                needle,
                format!("textarea `lines` must be 1–40, not {n}"),
            ),
            (Kind::Textarea, Some(_)) => {}
            (k, Some(_)) => self.err(
                path.into(),
                needle,
                format!("`lines` only fits kind textarea, not {k:?}"),
            ),
            _ => {}
        }
        if f.key_to.is_some() && f.kind != Kind::MonthRange {
            self.err(
                path.into(),
                needle,
                "`key_to` only fits kind month_range".into(),
            );
        }
        if f.unit.is_some() && !matches!(f.kind, Kind::Money | Kind::Number | Kind::OptionAmount) {
            self.err(
                path.into(),
                needle,
                format!(
                    "`unit` only fits money, number or option_amount, not {:?}",
                    f.kind
                ),
            );
        }
        if f.kind == Kind::Money && f.unit.is_none() {
            f.unit = Some("元".into());
        }
        if f.kind == Kind::Label {
            if f.label.trim().is_empty() {
                self.err(path.into(), needle, "a label cell needs a `label`".into());
            }
            if f.key.is_some() {
                self.err(
                    path.into(),
                    needle,
                    "a label cell is never filled: drop its `key`".into(),
                );
            }
        }
        let all_keys: Vec<String> = f
            .key
            .iter()
            .chain(f.key_to.iter())
            .chain(f.amounts.iter().map(|a| &a.key))
            .cloned()
            .collect();
        for k in all_keys {
            self.key(&k, path, keys);
        }
    }

    fn key(&mut self, k: &str, path: &str, keys: &mut BTreeMap<String, String>) {
        if k.is_empty()
            || !k
                .chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        {
            self.err(
                path.into(),
                Some(k),
                format!("key `{k}` must be snake_case ASCII"),
            );
        }
        if let Some(first) = keys.get(k) {
            let first = first.clone();
            // The second occurrence is the offending one: point at its line.
            let line = find_nth_line(self.text, &format!("key: {k}"), 2)
                .or_else(|| find_line(self.text, k));
            self.errors.push(SpecError {
                file: self.name.into(),
                line,
                column: None,
                field: path.into(),
                message: format!("duplicate key `{k}` (first used at {first})"),
            });
        } else {
            keys.insert(k.to_string(), path.to_string());
        }
    }

    /// Resolve spans row by row, tracking columns held by rowspans from rows above.
    fn grid(&mut self, rows: &mut [Vec<Field>], sp: &str, keys: &mut BTreeMap<String, String>) {
        // held[r] = grid columns already taken in row r by rowspans started above.
        let mut held: Vec<u8> = vec![0; rows.len()];
        for (ri, row) in rows.iter_mut().enumerate() {
            let rp = format!("{sp}.rows[{ri}]");
            if row.is_empty() {
                self.err(rp, None, "an empty row".into());
                continue;
            }
            for (ci, f) in row.iter_mut().enumerate() {
                let path = format!("{rp}[{ci}] {}", f.label);
                self.field_common(f, &path, keys);
            }
            let free = GRID.saturating_sub(held[ri]);
            let fixed: u32 = row.iter().filter_map(|f| f.span).map(u32::from).sum();
            let open = row.iter().filter(|f| f.span.is_none()).count() as u32;
            let first_label = row.first().map(|f| f.label.clone()).unwrap_or_default();
            if fixed + open > u32::from(free) {
                self.err(
                    rp.clone(),
                    Some(&first_label),
                    format!(
                        "row needs {} grid columns but only {free} of {GRID} are free",
                        fixed + open
                    ),
                );
                continue;
            }
            let rest = u32::from(free) - fixed;
            // Fields without a span share what is left; the last one takes the remainder.
            if let Some(each) = rest.checked_div(open) {
                let mut extra = rest % open;
                for f in row.iter_mut().rev().filter(|f| f.span.is_none()) {
                    let add = if extra > 0 {
                        extra -= 1;
                        1
                    } else {
                        0
                    };
                    f.span = Some((each + add) as u8);
                }
            } else if rest > 0 {
                // A row that does not reach the right edge would leave a hole in the ruled grid:
                // the last field stretches.
                if let Some(last) = row.last_mut() {
                    last.span = last.span.map(|s| s + rest as u8);
                }
            }
            for (ci, f) in row.iter_mut().enumerate() {
                let path = format!("{rp}[{ci}] {}", f.label);
                let span = f.span.unwrap_or(0);
                if span == 0 {
                    self.err(
                        path.clone(),
                        Some(&f.label),
                        "span must be at least 1".into(),
                    );
                    continue;
                }
                let wants_value = f.kind != Kind::Label;
                let ls = match (f.kind, f.label_span) {
                    (Kind::Label, _) => span,
                    (_, Some(ls)) => ls,
                    (_, None) => {
                        let d = default_label_span(&f.label);
                        // Keep at least one column for the blank.
                        d.min(span.saturating_sub(1))
                    }
                };
                if wants_value && ls >= span {
                    self.err(
                        path.clone(),
                        Some(&f.label),
                        format!("label_span {ls} leaves no room for the blank in span {span}"),
                    );
                }
                if wants_value && ls == 0 && !f.label.is_empty() {
                    self.err(
                        path.clone(),
                        Some(&f.label),
                        format!("span {span} is too narrow for a label and a blank"),
                    );
                }
                f.label_span = Some(ls);
                if let Some(rs) = f.rowspan {
                    if rs == 0 || ri + usize::from(rs) > held.len() {
                        self.err(
                            path,
                            Some(&f.label),
                            format!("rowspan {rs} runs past the section's last row"),
                        );
                        continue;
                    }
                    for h in held.iter_mut().skip(ri + 1).take(usize::from(rs) - 1) {
                        *h += span;
                    }
                }
            }
        }
    }

    fn table(&mut self, t: &mut TableSpec, sp: &str, keys: &mut BTreeMap<String, String>) {
        let tp = format!("{sp}.table");
        if t.columns.is_empty() {
            self.err(tp.clone(), Some("columns:"), "a table needs columns".into());
        }
        if let Some(k) = t.key.clone() {
            self.key(&k, &tp, keys);
        }
        let mut col_keys: Vec<&str> = Vec::new();
        for (i, c) in t.columns.iter().enumerate() {
            if c.label.trim().is_empty() {
                self.err(
                    format!("{tp}.columns[{i}]"),
                    None,
                    "empty column label".into(),
                );
            }
            if let Some(k) = c.key.as_deref() {
                if col_keys.contains(&k) {
                    self.err(
                        format!("{tp}.columns[{i}] {}", c.label),
                        Some(k),
                        format!("duplicate column key `{k}`"),
                    );
                }
                col_keys.push(k);
            }
            let needs_options = matches!(c.kind, Kind::Choice | Kind::Multi);
            if needs_options && c.options.is_empty() {
                self.err(
                    format!("{tp}.columns[{i}] {}", c.label),
                    Some(&c.label),
                    format!("a {:?} column needs a non-empty `options` list", c.kind),
                );
            }
            if !c.kind.has_options() && !c.options.is_empty() {
                self.err(
                    format!("{tp}.columns[{i}] {}", c.label),
                    Some(&c.label),
                    format!("`options` given but the column kind is {:?}", c.kind),
                );
            }
            if matches!(c.width, Some(w) if !(w > 0.0 && w <= 20.0)) {
                self.err(
                    format!("{tp}.columns[{i}] {}", c.label),
                    Some(&c.label),
                    "column width must be in (0, 20]".into(),
                );
            }
        }
        for (i, rl) in t.row_labels.iter().enumerate() {
            let cells = rl.cells();
            let printed = cells.iter().flatten().count();
            // A row must keep at least one column to write in.
            let free = t.columns.len().saturating_sub(printed);
            if printed == 0 || cells.len() > t.columns.len() || free == 0 {
                self.err(
                    format!("{tp}.row_labels[{i}]"),
                    cells.iter().flatten().next().copied(),
                    format!(
                        "a row label prints {printed} of {} cells; it must print at least 1, \
                         leave one column free and not exceed {} columns",
                        cells.len(),
                        t.columns.len()
                    ),
                );
            }
        }
        match t.rows {
            Some(Rows::Count(0)) => self.err(
                tp.clone(),
                Some("rows:"),
                "a table with 0 rows prints nothing".into(),
            ),
            Some(Rows::Count(n)) if n > MAX_TABLE_ROWS => self.err(
                tp.clone(),
                Some("rows:"),
                format!("{n} rows is more than {MAX_TABLE_ROWS}"),
            ),
            Some(Rows::Count(n))
                if !t.row_labels.is_empty() && usize::from(n) < t.row_labels.len() =>
            {
                self.err(
                    tp.clone(),
                    Some("rows:"),
                    format!("{n} rows cannot hold {} row labels", t.row_labels.len()),
                )
            }
            None if !t.row_labels.is_empty() => {
                t.rows = Some(Rows::Count(t.row_labels.len() as u16));
            }
            None => t.rows = Some(Rows::Word(RowsWord::Fill)),
            _ => {}
        }
        if t.rows == Some(Rows::Word(RowsWord::Fill)) && t.min_rows.is_none() {
            t.min_rows = Some(5);
        }
        if t.min_rows == Some(0) {
            self.err(tp, Some("min_rows:"), "min_rows must be at least 1".into());
        }
    }
}

impl Field {
    /// A field with a label and a kind, everything else default.
    pub fn plain(label: &str, kind: Kind) -> Field {
        Field {
            label: label.to_string(),
            key: None,
            kind,
            span: None,
            label_span: None,
            rowspan: None,
            options: Vec::new(),
            amounts: Vec::new(),
            amount_label: None,
            unit: None,
            lines: None,
            key_to: None,
            hint: None,
            example: None,
        }
    }
}

/// 1-based line of the first line containing `needle`.
fn find_line(text: &str, needle: &str) -> Option<usize> {
    find_nth_line(text, needle, 1)
}

fn find_nth_line(text: &str, needle: &str, nth: usize) -> Option<usize> {
    if needle.is_empty() {
        return None;
    }
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.contains(needle))
        .nth(nth.saturating_sub(1))
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    const GOOD: &str = r#"
id: demo
title: 演示表
area: 客户信息
sections:
  - title: 基本
    rows:
      - [{label: 客户名称, key: name, span: 8}, {label: 编号, key: customer_id}]
      - [{label: 经营方式, key: legal_form, kind: choice, options: [独资, 合伙, 其他]}]
      - [{label: 接洽人员, kind: label, span: 2, rowspan: 2}, {label: 法人代表, key: a}, {label: 年龄, key: b}]
      - [{label: 负责人, key: c}, {label: 年龄, key: d}]
  - title: 明细
    table: {key: lines, columns: [品种, {label: 金额, key: amount, kind: money}], rows: fill}
"#;

    #[test]
    fn spans_resolve_to_the_grid() {
        let s = FormSpec::from_yaml("demo.yaml", GOOD).expect("valid");
        let rows = &s.sections[0].rows;
        assert_eq!(rows[0][0].span, Some(8));
        assert_eq!(rows[0][1].span, Some(4));
        assert_eq!(rows[1][0].span, Some(12));
        // Row 2: the group label holds 2 columns; the two fields share 10.
        assert_eq!(rows[2][1].span, Some(5));
        assert_eq!(rows[2][2].span, Some(5));
        // Row 3 sits beside the rowspan: 10 free columns.
        assert_eq!(rows[3][0].span.unwrap() + rows[3][1].span.unwrap(), 10);
        assert_eq!(rows[0][0].label_span, Some(2));
        let t = s.sections[1].table.as_ref().unwrap();
        assert_eq!(t.rows, Some(Rows::Word(RowsWord::Fill)));
        assert_eq!(t.min_rows, Some(5));
        assert_eq!(t.columns[1].kind, Kind::Money);
        // Default header line (§5.4).
        let h = s.header.as_ref().unwrap();
        assert_eq!(h[0].label, "编号");
        assert_eq!(h[1].kind, Kind::Date);
    }

    fn bad(text: &str) -> SpecError {
        FormSpec::from_yaml("demo.yaml", text).expect_err("must be rejected")
    }

    #[test]
    fn unknown_kind_names_line() {
        let t = GOOD.replace("kind: choice", "kind: chioce");
        let e = bad(&t);
        assert_eq!(e.file, "demo.yaml");
        assert_eq!(e.line, Some(9), "{e}");
        assert!(e.message.contains("chioce"), "{e}");
    }

    #[test]
    fn unknown_field_rejected() {
        let e = bad(&GOOD.replace("span: 8}", "span: 8, colour: red}"));
        assert!(e.message.contains("colour"), "{e}");
        assert_eq!(e.line, Some(8));
    }

    #[test]
    fn span_overflow() {
        let e = bad(&GOOD.replace("span: 8}", "span: 12}"));
        assert!(e.message.contains("grid columns"), "{e}");
        assert_eq!(e.line, Some(8), "{e}");
        assert!(e.field.contains("rows[0]"), "{e}");
    }

    #[test]
    fn duplicate_key() {
        let e = bad(&GOOD.replace("key: d}", "key: name}"));
        assert!(e.message.contains("duplicate key `name`"), "{e}");
        assert_eq!(e.line, Some(11), "{e}");
    }

    #[test]
    fn empty_options() {
        let e = bad(&GOOD.replace("options: [独资, 合伙, 其他]", "options: []"));
        assert!(e.message.contains("options"), "{e}");
        assert_eq!(e.line, Some(9));
    }

    #[test]
    fn zero_rows_table() {
        let e = bad(&GOOD.replace("rows: fill", "rows: 0"));
        assert!(e.message.contains("0 rows"), "{e}");
    }

    #[test]
    fn id_must_match_file() {
        let e = FormSpec::from_yaml("other.yaml", GOOD).expect_err("id mismatch");
        assert!(e.message.contains("file name"), "{e}");
        assert_eq!(e.line, Some(2));
    }

    #[test]
    fn rowspan_past_end() {
        let e = bad(&GOOD.replace("rowspan: 2", "rowspan: 3"));
        assert!(e.message.contains("rowspan"), "{e}");
    }

    #[test]
    fn textarea_and_bool_defaults() {
        let t = GOOD.replace(
            "- [{label: 经营方式",
            "- [{label: 备注, key: remark, kind: textarea}]\n      - [{label: 担保, key: g, kind: bool}]\n      - [{label: 经营方式",
        );
        let s = FormSpec::from_yaml("demo.yaml", &t).expect("valid");
        let f: Vec<&Field> = s.fields().collect();
        assert_eq!(f[2].lines, Some(3));
        assert_eq!(f[3].options, vec!["是", "否"]);
    }
}
