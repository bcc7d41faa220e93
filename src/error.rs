//! Errors and data problems.
//!
//! Two kinds of trouble, kept apart on purpose:
//! - [`Problem`]: something wrong with one cell or row of the clerk's data. The run goes on; the
//!   row is rejected or the value coerced, and the problem is listed in 数据问题 (exit code 1).
//! - [`Error`]: the run cannot go on (unreadable file, bad config, usage). Exit code 2.

use serde::Serialize;
use std::fmt;
use std::path::PathBuf;

/// Output language of clerk-facing words. Chinese first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, clap::ValueEnum)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    Zh,
    En,
}

/// A clerk-facing message in both languages.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Msg {
    pub zh: String,
    pub en: String,
}

impl Msg {
    pub fn new(zh: impl Into<String>, en: impl Into<String>) -> Self {
        Msg {
            zh: zh.into(),
            en: en.into(),
        }
    }
    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::Zh => &self.zh,
            Lang::En => &self.en,
        }
    }
}

/// Where a problem is: file › sheet › cell. `cell` is A1 form ("D14"); a whole-row problem names
/// the row's first cell column of the offending field, a whole-sheet problem leaves it empty.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Default)]
pub struct Location {
    pub file: String,
    pub sheet: String,
    pub cell: String,
}

impl Location {
    pub fn new(file: impl Into<String>, sheet: impl Into<String>, cell: impl Into<String>) -> Self {
        Location {
            file: file.into(),
            sheet: sheet.into(),
            cell: cell.into(),
        }
    }
}

impl fmt::Display for Location {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file)?;
        if !self.sheet.is_empty() {
            write!(f, " › {}", self.sheet)?;
        }
        if !self.cell.is_empty() {
            write!(f, " › {}", self.cell)?;
        }
        Ok(())
    }
}

/// What happened to the row or value a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// The whole row was left out of the figures.
    Rejected,
    /// The value was changed (and the change is counted), the row kept.
    Coerced,
    /// Nothing was changed; the clerk should look (unknown column, hidden sheet, integrity check).
    Notice,
}

/// One line of the 数据问题 list: 文件, 工作表, 单元格, 表, 原值, 问题, 处理.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    pub location: Location,
    /// Canonical table name (客户信息表, 销售明细 …), empty when the problem is about a whole file.
    pub table: String,
    /// The raw value as the clerk typed it (truncated to a sane length).
    pub raw: String,
    pub problem: Msg,
    pub action: Msg,
    pub severity: Severity,
}

impl Problem {
    /// `file › sheet › D14: 问题 — 处理`
    pub fn line(&self, lang: Lang) -> String {
        format!(
            "{}: {} — {}",
            self.location,
            self.problem.get(lang),
            self.action.get(lang)
        )
    }
}

/// A failure that stops the run. Every variant names what the clerk must look at.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    #[error("{path}: {msg}")]
    Unreadable { path: PathBuf, msg: String },
    #[error("{path}: 文件有密码保护,无法读取 (password protected) — 提示: 在 Excel 中打开并另存为无密码的 .xlsx")]
    Encrypted { path: PathBuf },
    #[error("配置错误 (config): {0}")]
    Config(String),
    #[error("没有可用的数据 (no usable data): {0}")]
    NoData(String),
    #[error("排版失败 (typst): {0}")]
    Render(String),
    #[error("写入失败 (write) {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("{0}")]
    Usage(String),
}

pub type Result<T, E = Error> = std::result::Result<T, E>;

/// Truncate a raw value for display in a problem list: a 100,000-character cell must not make
/// the 数据问题 sheet unreadable.
pub fn clip(raw: &str) -> String {
    const MAX: usize = 200;
    if raw.chars().count() <= MAX {
        raw.to_string()
    } else {
        let mut s: String = raw.chars().take(MAX).collect();
        s.push('…');
        s
    }
}
