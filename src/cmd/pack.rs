//! `kebiao pack`: the month's 月度客户管理报告 as a PDF to sign and a workbook to work in.

use crate::cli::{Cli, PackArgs};
use crate::config::Config;
use crate::error::{Error, Lang, Severity};
use crate::model::Dataset;
use crate::output::{self, Artifact};
use crate::render::{self, pdf::Engine};
use crate::report;
use crate::stats::Month;
use chrono::Datelike;
use std::path::PathBuf;

/// Where `pack` looks when no `--input` is given: the bundled sample.
pub const DEFAULT_INPUT: &str = "data/sample";

pub fn run(cli: &Cli, args: &PackArgs) -> anyhow::Result<u8> {
    let cfg = Config::load(cli.config.as_deref())?;
    let inputs = if args.input.inputs.is_empty() {
        vec![PathBuf::from(DEFAULT_INPUT)]
    } else {
        args.input.inputs.clone()
    };
    let ds = crate::model::load(&inputs, args.input.map.as_deref(), &cfg)?;
    let month = match &args.month {
        Some(m) => m.parse::<Month>().map_err(Error::Usage)?,
        None => latest_complete_month(&ds).ok_or_else(|| {
            Error::NoData("输入中没有可用的销售明细, 无法确定报告月份; 请用 --month YYYY-MM 指定 (no sales lines: give --month)".into())
        })?,
    };
    let engine = Engine::new(cli.templates.as_deref(), &cfg.fonts.files)?;
    let artifacts = produce(&ds, month, &cfg, cli.lang, &engine)?;
    let written = output::write_all(&args.out, &artifacts)?;
    for p in &written {
        eprintln!("已写入 (written): {}", p.display());
    }
    let rejected = ds
        .problems
        .iter()
        .filter(|p| p.severity != Severity::Notice)
        .count();
    if rejected > 0 {
        eprintln!(
            "{}",
            match cli.lang {
                Lang::Zh => format!("有 {rejected} 条数据问题, 见工作簿的 13数据问题 工作表。"),
                Lang::En => format!("{rejected} data problems: see the 13数据问题 sheet."),
            }
        );
        return Ok(1);
    }
    Ok(0)
}

/// The pack's files, as bytes: nothing is written here.
pub fn produce(
    ds: &Dataset,
    month: Month,
    cfg: &Config,
    lang: Lang,
    engine: &Engine,
) -> crate::error::Result<Vec<Artifact>> {
    let pack = report::build(ds, month, cfg);
    let (pdf, _) = render::pack::pdf(engine, &pack, lang, cfg)?;
    let data = (!cfg.privacy.omit_data_sheets).then_some(ds);
    let xlsx = render::xlsx::pack(&pack, lang, data)?;
    let base = format!("{month}/月度客户管理报告_{month}");
    Ok(vec![
        Artifact {
            name: format!("{base}.pdf").into(),
            bytes: pdf,
        },
        Artifact {
            name: format!("{base}.xlsx").into(),
            bytes: xlsx,
        },
    ])
}

/// The latest complete month in the data: the month of the latest order date when that date is
/// within the month's last week (the month was still being worked in to its end), otherwise the
/// month before (an export taken mid-month holds an incomplete month).
pub fn latest_complete_month(ds: &Dataset) -> Option<Month> {
    let entries = ds.sales.as_ref()?;
    let last = entries.iter().map(|l| l.order_date).max()?;
    let m = Month::of(last);
    if last.day() + 7 > m.last_day().day() {
        Some(m)
    } else {
        Some(m.prev())
    }
}
