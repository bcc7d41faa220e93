//! `kebiao sample`: write the demo workbook <DIR>/客户管理数据.xlsx (see [`crate::sample`]).

use crate::cli::{Cli, SampleArgs};
use crate::config::Config;
use crate::output::{write_all, Artifact};
use crate::sample::{generate, Params, FILE_NAME};
use anyhow::{bail, Context};

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
    let lines = args
        .lines
        .unwrap_or_else(|| Params::default_lines(args.customers, months) as usize);
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
    let (bytes, summary) =
        generate(&params, &args.out).context("生成演示数据 (generating the sample)")?;
    let written = write_all(
        &args.out,
        &[Artifact {
            name: FILE_NAME.into(),
            bytes,
        }],
    )?;
    let path = written
        .first()
        .map_or_else(|| args.out.join(FILE_NAME), Clone::clone);
    println!("已生成 {}:{}", path.display(), summary.line());
    Ok(0)
}
