//! The command line: clap derive. One variant per subcommand; each lives in `cmd/<name>.rs`.

use crate::error::Lang;
use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

#[derive(Debug, Parser)]
#[command(
    name = "kebiao",
    version,
    about = "客表 — 月度客户管理报告与客户管理表单 (customer-management report packs and forms)"
)]
pub struct Cli {
    /// 配置文件 kebiao.yaml (optional; built-in defaults otherwise)
    #[arg(long, global = true, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// 输出语言 (output language)
    #[arg(long, global = true, value_enum, default_value_t = Lang::Zh)]
    pub lang: Lang,
    /// 模板目录: files here override the built-in templates one by one
    #[arg(long, global = true, value_name = "DIR")]
    pub templates: Option<PathBuf>,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// 生成演示数据 (generate a realistic sample workbook)
    Sample(SampleArgs),
    /// 生成月度客户管理报告 PDF + Excel (the monthly report pack)
    Pack(PackArgs),
    /// 检查输入文件,列出数据问题 (check input files; writes nothing else)
    Check(CheckArgs),
    /// 单张统计表 (one statistics table on its own; --list shows them)
    Report(ReportArgs),
    /// 表单目录: 空白表、Excel 录入模板、按数据填好的表 (the form catalogue)
    #[command(subcommand)]
    Forms(FormsCommand),
    /// 模板: 导出内置模板以便公司修改 (export the built-in templates)
    #[command(subcommand)]
    Templates(TemplatesCommand),
}

#[derive(Debug, Subcommand)]
pub enum FormsCommand {
    /// 列出表单
    List {
        /// 只列出此类 (e.g. 信用)
        #[arg(long)]
        area: Option<String>,
        /// JSON 输出
        #[arg(long)]
        json: bool,
    },
    /// 空白表 (PDF 手写, 或 Excel 录入模板)
    Blank {
        /// 表单编号 (see `forms list`)
        #[arg(value_name = "ID", required_unless_present = "all")]
        ids: Vec<String>,
        /// 全部表单
        #[arg(long)]
        all: bool,
        #[arg(long, value_enum, default_value_t = FormFormat::Pdf)]
        format: FormFormat,
        #[arg(long, default_value = "output/forms")]
        out: PathBuf,
    },
    /// 按数据填表, 每条记录一页
    Fill {
        #[arg(value_name = "ID")]
        id: String,
        #[command(flatten)]
        input: InputArgs,
        /// 只填符合条件的记录, e.g. --where region=华东 (repeatable; all must hold)
        #[arg(long = "where", value_name = "FIELD=VALUE")]
        filters: Vec<String>,
        #[arg(long, default_value = "output/forms")]
        out: PathBuf,
        /// 每个 PDF 最多页数 (记录数)
        // 200: typst's memory grows with the pages of one document (≈ 450 MiB for 2 threads at
        // 200 cards, ≈ 200 MiB at 50); the time per card hardly depends on the batch (README).
        #[arg(long, default_value_t = 200)]
        batch: usize,
    },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum FormFormat {
    Pdf,
    Xlsx,
}

#[derive(Debug, Subcommand)]
pub enum TemplatesCommand {
    /// 把内置的表单定义 (YAML) 和 typst 模板写到 DIR, 作为公司模板的起点
    Export { dir: PathBuf },
}

/// Inputs shared by every command that reads the clerk's workbooks.
#[derive(Debug, Args, Clone)]
pub struct InputArgs {
    /// 输入文件 (xlsx xls xlsb ods csv); default: data/sample/
    #[arg(long = "input", short = 'i', value_name = "FILE")]
    pub inputs: Vec<PathBuf>,
    /// 列映射文件 (YAML) for columns the built-in aliases do not know
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
}

#[derive(Debug, Args)]
pub struct SampleArgs {
    /// 输出目录
    #[arg(long, default_value = "data/sample")]
    pub out: PathBuf,
    /// 客户数
    #[arg(long, default_value_t = 300)]
    pub customers: usize,
    /// 月数: data end on the fixed month 2026-10 and start this many months earlier (24 gives a
    /// same-month-last-year for every month of the final year)
    #[arg(long, default_value_t = 24)]
    pub months: u32,
    /// 随机种子: the same seed gives the same bytes
    #[arg(long, default_value_t = 20240601)]
    pub seed: u64,
    /// 销售明细行数 (default: customers × months, e.g. 7,200; up to 1,048,575)
    #[arg(long)]
    pub lines: Option<usize>,
}

#[derive(Debug, Args)]
pub struct PackArgs {
    /// 报告月份 YYYY-MM (default: the latest complete month in the data)
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
    /// 输出目录 (the pack goes to <DIR>/<YYYY-MM>/)
    #[arg(long, default_value = "output")]
    pub out: PathBuf,
}

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// 输入文件
    #[arg(required = true, value_name = "INPUT")]
    pub inputs: Vec<PathBuf>,
    /// 列映射文件 (YAML)
    #[arg(long, value_name = "FILE")]
    pub map: Option<PathBuf>,
    /// 把数据问题写入此 Excel 文件
    #[arg(long, value_name = "FILE.xlsx")]
    pub problems: Option<PathBuf>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Csv,
    Json,
    Xlsx,
    Pdf,
}

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// 表编号, e.g. sales-by-region (see --list)
    #[arg(required_unless_present = "list")]
    pub table: Option<String>,
    /// 列出所有统计表
    #[arg(long)]
    pub list: bool,
    /// 报告月份 YYYY-MM (default: the latest complete month in the data)
    #[arg(long, value_name = "YYYY-MM")]
    pub month: Option<String>,
    #[command(flatten)]
    pub input: InputArgs,
    /// 输出格式
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// 输出文件 (default: stdout for text/csv/json, output/<YYYY-MM>/<table>.<ext> for xlsx/pdf)
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
}
