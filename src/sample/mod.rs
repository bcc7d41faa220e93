//! The deterministic sample-data generator (`kebiao sample`).
//!
//! One workbook, 客户管理数据.xlsx, with the canonical sheets of DOMAIN §3 (T01–T15) and their
//! canonical Chinese headers, for a fictitious trading company. Data run through the fixed month
//! 2026-10 and start `months` months earlier; no wall clock is read anywhere. The same
//! [`Params`] give byte-identical files: our own PRNG ([`rng`]), independent streams per table,
//! and a fixed workbook creation time.
//!
//! ```text
//! plan (customers, staff, products, hidden behaviour)            small, in memory
//!   └─ stream: month by month → 销售明细 + 退货记录 + 收款记录    constant memory, written as made
//!        └─ Facts (first/last order, sales per customer) → 互动, 投诉, 信用调查, 客户信息表 …
//! ```

pub mod book;
pub mod extra;
pub mod plan;
pub mod rng;
pub mod stream;
pub mod tables;
pub mod vocab;

use book::{Book, SHEETS};
use std::path::Path;

/// The file the generator writes inside the output directory.
pub const FILE_NAME: &str = "客户管理数据.xlsx";

#[derive(Debug, Clone)]
pub struct Params {
    pub customers: usize,
    pub months: usize,
    pub seed: u64,
    /// Total 销售明细 rows; exactly this many are written.
    pub lines: u64,
    /// R05 prefix of 客户编号 (config `company_abbr`).
    pub abbr: String,
}

impl Params {
    /// Default total lines: one per customer per month (7,200 for 300 customers × 24 months).
    pub fn default_lines(customers: usize, months: usize) -> u64 {
        (customers as u64).saturating_mul(months as u64)
    }
}

/// Rows written per sheet, in workbook order.
#[derive(Debug, Clone)]
pub struct Summary {
    pub rows: Vec<(&'static str, u64)>,
}

impl Summary {
    /// "客户信息表 300 行, 产品 30 行, …"
    pub fn line(&self) -> String {
        self.rows
            .iter()
            .map(|(name, n)| format!("{name} {n} 行"))
            .collect::<Vec<_>>()
            .join(",")
    }
}

/// Generate the workbook into `out`. Worksheet temp files go to `tmpdir` (the output directory),
/// and the zip is streamed, so memory stays flat however many lines are asked for.
///
/// # Errors
/// The xlsx writer fails (temp files cannot be created in `tmpdir`, `out` cannot be written, or a
/// sheet exceeds Excel's 1,048,576-row limit).
pub fn generate<W: std::io::Write + Send>(
    params: &Params,
    tmpdir: &Path,
    out: W,
) -> Result<Summary, rust_xlsxwriter::XlsxError> {
    let plan = plan::build(
        params.seed,
        params.customers,
        params.months,
        params.lines,
        &params.abbr,
    );
    let mut book = Book::new(tmpdir)?;
    let facts = stream::generate(&plan, params.seed, &mut book)?;
    let last_contact = tables::interactions(&plan, &facts, params.seed, &mut book)?;
    tables::complaints(&plan, &facts, params.seed, &mut book)?;
    let grades = tables::credit_surveys(&plan, &facts, params.seed, &mut book)?;
    tables::customers(
        &plan,
        &facts,
        &last_contact,
        &grades,
        params.seed,
        &mut book,
    )?;
    tables::products(&plan, &mut book)?;
    tables::staff(&plan, &mut book)?;
    tables::targets(&plan, &mut book)?;
    extra::expenses(&plan, params.seed, &mut book)?;
    extra::satisfaction(&plan, &facts, params.seed, &mut book)?;
    extra::activities(&plan, &facts, params.seed, &mut book)?;
    extra::after_sales(&plan, &facts, params.seed, &mut book)?;
    extra::calls(&plan, &facts, params.seed, &mut book)?;
    let counts = book.counts();
    book.finish(out)?;
    let rows = SHEETS
        .iter()
        .zip(counts)
        .map(|(s, n)| (s.name, n))
        .collect();
    Ok(Summary { rows })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn params(seed: u64) -> Params {
        Params {
            customers: 40,
            months: 13,
            seed,
            lines: 500,
            abbr: "ABC".into(),
        }
    }

    #[test]
    fn library_output_is_repeatable_and_counts_match() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = Vec::new();
        let mut b = Vec::new();
        let sa = generate(&params(3), dir.path(), &mut a).unwrap();
        generate(&params(3), dir.path(), &mut b).unwrap();
        assert!(a == b, "same params, different bytes");
        let mut c = Vec::new();
        generate(&params(4), dir.path(), &mut c).unwrap();
        assert!(a != c);
        assert_eq!(sa.rows.len(), 15);
        assert_eq!(sa.rows[14].0, "呼叫记录");
        assert!(sa.rows[10..].iter().all(|(_, n)| *n > 0), "{:?}", sa.rows);
        assert_eq!(sa.rows[0], ("客户信息表", 40));
        assert_eq!(sa.rows[4], ("销售明细", 500));
        assert!(sa.line().starts_with("客户信息表 40 行,产品 30 行"));
        // Worksheet temp files are unnamed and gone.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }
}
