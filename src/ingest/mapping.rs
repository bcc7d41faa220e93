//! `--map FILE`: the clerk's own column names for a table, and optionally which sheet is which
//! table. Ingest's own YAML format, parsed here (the only serde_yaml use outside config.rs).
//!
//! ```yaml
//! date_order: mdy            # optional: how to read 11/8/2016 (mdy or dmy)
//! tables:
//!   sales_lines:             # table key, Chinese name (销售明细) or T05
//!     sheet: Orders          # optional: this sheet is this table
//!     columns:
//!       Order Date: order_date   # user column: field key or Chinese header (订货日期)
//!       Sales: amount
//!   customers:
//!     sheet: Orders          # the same sheet may also feed the customer table
//!     columns:
//!       Customer ID: customer_id
//!       Customer Name: name
//! ```

use super::header::normalise_header;
use super::normalise::DateOrder;
use super::schema::{fields, TableId};
use crate::error::{Error, Result};
use serde::Deserialize;
use std::collections::BTreeMap;
use std::path::Path;

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawMap {
    #[serde(default)]
    date_order: Option<String>,
    #[serde(default)]
    tables: BTreeMap<String, RawTableMap>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct RawTableMap {
    #[serde(default)]
    sheet: Option<String>,
    #[serde(default)]
    file: Option<String>,
    #[serde(default)]
    columns: BTreeMap<String, String>,
    #[serde(default)]
    date_order: Option<String>,
}

#[derive(Debug, Clone)]
pub struct TableMap {
    pub table: TableId,
    /// Normalised sheet name this table is read from, if given.
    pub sheet: Option<String>,
    /// File name (not path) the sheet is in, if given.
    pub file: Option<String>,
    /// (normalised user header, field index)
    pub columns: Vec<(String, usize)>,
    pub date_order: Option<DateOrder>,
}

#[derive(Debug, Clone, Default)]
pub struct Mapping {
    pub tables: Vec<TableMap>,
    pub date_order: Option<DateOrder>,
}

fn parse_order(s: &str) -> std::result::Result<DateOrder, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "mdy" | "m/d/y" | "month_first" => Ok(DateOrder::MonthFirst),
        "dmy" | "d/m/y" | "day_first" => Ok(DateOrder::DayFirst),
        "ymd" | "y/m/d" => Ok(DateOrder::YearFirst),
        other => Err(format!(
            "date_order 只能是 mdy / dmy / ymd, 实为 {other:?} (date_order must be mdy, dmy or ymd)"
        )),
    }
}

impl Mapping {
    /// # Errors
    /// The file cannot be read, is not YAML, or names a table or field kebiao does not know.
    pub fn load(path: &Path) -> Result<Mapping> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
        Self::from_yaml(&text).map_err(|e| Error::Config(format!("{}: {e}", path.display())))
    }

    pub fn from_yaml(text: &str) -> std::result::Result<Mapping, String> {
        let raw: RawMap = serde_yaml::from_str(text).map_err(|e| e.to_string())?;
        let date_order = raw.date_order.as_deref().map(parse_order).transpose()?;
        let mut tables = Vec::new();
        for (tname, tm) in raw.tables {
            let table = TableId::parse(&tname).ok_or_else(|| {
                format!(
                    "未知的表 {tname:?} (unknown table; use e.g. customers, sales_lines, 销售明细)"
                )
            })?;
            let fs = fields(table);
            let mut columns = Vec::new();
            for (user, target) in tm.columns {
                let tkey = normalise_header(&target).key;
                let idx = fs
                    .iter()
                    .position(|f| f.key == target.trim() || normalise_header(f.header).key == tkey)
                    .ok_or_else(|| {
                        let known: Vec<&str> = fs.iter().map(|f| f.key).collect();
                        format!(
                            "表 {tname}: 未知字段 {target:?} (unknown field; known: {})",
                            known.join(", ")
                        )
                    })?;
                columns.push((normalise_header(&user).key, idx));
            }
            tables.push(TableMap {
                table,
                sheet: tm.sheet.map(|s| normalise_header(&s).key),
                file: tm.file,
                columns,
                date_order: tm.date_order.as_deref().map(parse_order).transpose()?,
            });
        }
        Ok(Mapping { tables, date_order })
    }

    /// Entries that name this sheet explicitly.
    pub fn for_sheet(&self, file: &str, sheet: &str) -> Vec<&TableMap> {
        let s = normalise_header(sheet).key;
        self.tables
            .iter()
            .filter(|t| t.sheet.as_deref() == Some(s.as_str()))
            .filter(|t| t.file.as_deref().is_none_or(|f| f == file))
            .collect()
    }

    /// Column names for a table that apply to any sheet of it (no `sheet:` given).
    pub fn for_table(&self, table: TableId) -> Option<&TableMap> {
        self.tables
            .iter()
            .find(|t| t.table == table && t.sheet.is_none())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_tables_columns_and_orders() {
        let m = Mapping::from_yaml(
            "date_order: mdy\ntables:\n  sales:\n    sheet: Orders\n    columns:\n      Order Date: order_date\n      Sales: 金额\n",
        )
        .unwrap();
        assert_eq!(m.date_order, Some(DateOrder::MonthFirst));
        let t = &m.tables[0];
        assert_eq!(t.table, TableId::Sales);
        assert_eq!(t.sheet.as_deref(), Some("orders"));
        assert!(t.columns.contains(&("orderdate".into(), 1)));
        assert_eq!(m.for_sheet("x.xlsx", "ORDERS").len(), 1);
    }

    #[test]
    fn unknown_field_or_table_is_an_error() {
        let e =
            Mapping::from_yaml("tables:\n  sales:\n    columns:\n      X: nosuch\n").unwrap_err();
        assert!(e.contains("nosuch"), "{e}");
        let e = Mapping::from_yaml("tables:\n  nosuch: {}\n").unwrap_err();
        assert!(e.contains("nosuch"), "{e}");
    }
}
