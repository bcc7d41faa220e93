//! The report pack as data: which sections, in which order, with which tables and charts
//! (DOMAIN §4). Pure: records and settings in, a [`Pack`] out. Renderers draw it.

use crate::config::Config;
use crate::error::{Msg, Severity};
use crate::model::Dataset;
use crate::render::chart::ChartSpec;
use crate::stats::{sales, Column, Kind, Month, Table, Value};
use chrono::NaiveDate;

#[derive(Debug, Clone)]
pub struct Pack {
    pub month: Month,
    /// The report date: the first day of M+1 (R01: generated on or after day 1 of M+1). typst's
    /// today() is this date, never the wall clock.
    pub report_date: NaiveDate,
    pub company: String,
    pub department: String,
    pub sections: Vec<Section>,
}

#[derive(Debug, Clone)]
pub struct Section {
    /// Sheet name in the workbook (DOMAIN §4.1), e.g. `04销售实绩`.
    pub sheet: String,
    pub title: Msg,
    pub blocks: Vec<Block>,
}

#[derive(Debug, Clone)]
pub enum Block {
    Table(Table),
    Chart(ChartSpec),
    Text(Msg),
    /// "本月无数据 / 缺少数据: Txx": the section is still printed so the pack keeps its shape.
    Missing(Msg),
}

impl Section {
    pub fn tables(&self) -> impl Iterator<Item = &Table> {
        self.blocks.iter().filter_map(|b| match b {
            Block::Table(t) => Some(t),
            _ => None,
        })
    }
}

/// Build the month's pack.
pub fn build(ds: &Dataset, month: Month, cfg: &Config) -> Pack {
    let mut sections = Vec::new();
    sections.push(sales_section(ds, month));
    sections.push(problems_section(ds));
    Pack {
        month,
        report_date: month.next().first_day(),
        company: cfg.company_name.clone(),
        department: cfg.department.clone(),
        sections,
    }
}

fn missing(sheet: &str) -> Block {
    Block::Missing(Msg::new(
        format!("本月无数据 / 缺少数据: {sheet}"),
        format!("No data / missing sheet: {sheet}"),
    ))
}

fn sales_section(ds: &Dataset, month: Month) -> Section {
    let title = Msg::new(
        "销售实绩 · 各区域实销额",
        "Sales performance · net sales by region",
    );
    let sheet = "04销售实绩".to_string();
    let Some(lines) = &ds.sales else {
        return Section {
            sheet,
            title,
            blocks: vec![missing("销售明细 (T05)")],
        };
    };
    let entries = sales::net_entries(
        lines,
        ds.returns.as_deref().unwrap_or(&[]),
        ds.customers.as_deref().unwrap_or(&[]),
    );
    let table = sales::sales_by_region(&entries, month);
    let mut blocks = Vec::new();
    if ds.returns.is_none() {
        blocks.push(Block::Text(Msg::new(
            "未提供退货记录 (T06): 实销额未扣除退货。",
            "No returns sheet (T06): net sales are not reduced by returns.",
        )));
    }
    let chart = ChartSpec {
        id: "sales-by-region".into(),
        title: Msg::new(
            format!("{} 各区域实销额", month.zh()),
            format!("Net sales by region, {month}"),
        ),
        table: 0,
        category_col: 0,
        value_col: 1,
    };
    blocks.insert(0, Block::Table(table));
    blocks.push(Block::Chart(chart));
    Section {
        sheet,
        title,
        blocks,
    }
}

/// 数据问题: every ingestion and integrity problem with file, sheet, cell and reason.
pub fn problems_table(ds: &Dataset) -> Table {
    let sev = |s: Severity| match s {
        Severity::Rejected => Msg::new("已剔除", "rejected"),
        Severity::Coerced => Msg::new("已修正", "coerced"),
        Severity::Notice => Msg::new("提示", "notice"),
    };
    let rows = ds
        .problems
        .iter()
        .map(|p| {
            vec![
                Value::Text(p.location.file.clone()),
                Value::Text(p.location.sheet.clone()),
                Value::Text(p.location.cell.clone()),
                Value::Text(p.table.clone()),
                Value::Text(p.raw.clone()),
                Value::Text(p.problem.zh.clone()),
                Value::Text(p.action.zh.clone()),
                Value::Text(sev(p.severity).zh),
            ]
        })
        .collect();
    Table {
        id: "problems".into(),
        title: Msg::new("数据问题", "Data problems"),
        columns: vec![
            Column::new("file", "文件", "File", Kind::Text),
            Column::new("sheet", "工作表", "Sheet", Kind::Text),
            Column::new("cell", "单元格", "Cell", Kind::Text),
            Column::new("table", "表", "Table", Kind::Text),
            Column::new("raw", "原值", "Raw value", Kind::Text),
            Column::new("problem", "问题", "Problem", Kind::Text),
            Column::new("action", "处理", "Action", Kind::Text),
            Column::new("severity", "类别", "Kind", Kind::Text),
        ],
        rows,
        totals: None,
        notes: vec![],
    }
}

fn problems_section(ds: &Dataset) -> Section {
    let mut blocks = Vec::new();
    let counts: Vec<Vec<Value>> = ds
        .counts
        .iter()
        .map(|c| {
            vec![
                Value::Text(c.table.clone()),
                Value::Int(c.data_rows as i64),
                Value::Int(c.accepted as i64),
                Value::Int(c.rejected as i64),
            ]
        })
        .collect();
    blocks.push(Block::Table(Table {
        id: "row-counts".into(),
        title: Msg::new("各表行数核对", "Rows per table"),
        columns: vec![
            Column::new("table", "表", "Table", Kind::Text),
            Column::new("data_rows", "数据行", "Data rows", Kind::Int),
            Column::new("accepted", "已采用", "Accepted", Kind::Int),
            Column::new("rejected", "已剔除", "Rejected", Kind::Int),
        ],
        rows: counts,
        totals: None,
        notes: vec![Msg::new(
            "数据行 = 已采用 + 已剔除",
            "data rows = accepted + rejected",
        )],
    }));
    if ds.problems.is_empty() {
        blocks.push(Block::Text(Msg::new(
            "没有发现数据问题。",
            "No data problems found.",
        )));
    } else {
        blocks.push(Block::Table(problems_table(ds)));
    }
    Section {
        sheet: "13数据问题".into(),
        title: Msg::new("数据问题", "Data problems"),
        blocks,
    }
}
