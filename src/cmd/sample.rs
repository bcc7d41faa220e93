//! `kebiao sample`: write the demo workbook <DIR>/客户管理数据.xlsx (see [`crate::sample`]).

use crate::cli::{Cli, SampleArgs};
use crate::config::Config;
use crate::output::write_streamed;
use crate::sample::{generate, Params, FILE_NAME};
use anyhow::{bail, Context};
use std::path::Path;

/// Excel's row limit, less the header row.
const MAX_LINES: usize = 1_048_575;

pub fn run(cli: &Cli, args: &SampleArgs) -> anyhow::Result<u8> {
    if args.customers == 0 || args.customers > 100_000 {
        bail!(
            "--customers 应在 1 到 100000 之间 (must be 1..=100000), 实际 {}",
            args.customers
        );
    }
    if args.months == 0 || args.months > 240 {
        bail!(
            "--months 应在 1 到 240 之间 (must be 1..=240), 实际 {}",
            args.months
        );
    }
    let months = args.months as usize;
    // Interactions and receipts grow with customers × months (about ½ row each); beyond two
    // million they would overflow a sheet's 1,048,576 rows.
    if args.customers.saturating_mul(months) > 2_000_000 {
        bail!(
            "--customers × --months 不能超过 2000000 (too many customer-months): {} × {months}",
            args.customers
        );
    }
    // The default (customers × months) is capped at the sheet limit; an explicit --lines is not.
    let lines = args
        .lines
        .unwrap_or_else(|| (Params::default_lines(args.customers, months) as usize).min(MAX_LINES));
    if lines > MAX_LINES {
        bail!("--lines 超过 Excel 单表上限 {MAX_LINES} 行 (exceeds the sheet row limit): {lines}");
    }
    let config = Config::load(cli.config.as_deref()).context("读取配置 (reading config)")?;
    let params = Params {
        customers: args.customers,
        months,
        seed: args.seed,
        lines: lines as u64,
        abbr: config.company_abbr.clone(),
    };
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("无法创建输出目录 (cannot create) {}", args.out.display()))?;
    // Streamed into a temp file beside the target and renamed into place (output.rs), so even a
    // million lines never sit in memory and a failed run leaves the previous file untouched.
    let mut summary = None;
    let path = write_streamed(&args.out, Path::new(FILE_NAME), |file| {
        let out = std::io::BufWriter::with_capacity(1 << 20, file);
        let s = generate(&params, &args.out, out).map_err(std::io::Error::other)?;
        summary = Some(s);
        Ok(())
    })
    .context("生成演示数据 (generating the sample)")?;
    let summary = summary.context("生成演示数据 (generating the sample)")?;
    println!("已生成 {}:{}", path.display(), summary.line());
    Ok(0)
}
