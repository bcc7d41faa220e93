//! `kebiao report <TABLE>`: one statistics table on its own, so a clerk can answer one question
//! without the pack. `--format json` gives raw values (exact decimals as strings), not display text.

use crate::cli::{Cli, Format, ReportArgs};
use crate::config::Config;
use crate::error::{Error, Lang, Severity};
use crate::output::{self, Artifact};
use crate::render::{self, format, pdf::Engine};
use crate::report::{Block, Pack, Section};
use crate::stats::{catalogue, Ctx, Month, Table};
use std::io::Write;
use std::path::PathBuf;

pub fn run(cli: &Cli, args: &ReportArgs) -> anyhow::Result<u8> {
    let cfg = Config::load(cli.config.as_deref())?;
    if args.list {
        // The list comes from running the families on no data, so it can never drift from
        // what `report` computes.
        let empty = crate::model::Dataset::default();
        let ctx = Ctx::new(&empty, Month::new(2000, 1).expect("valid"), &cfg);
        for t in catalogue::all(&ctx) {
            let title = t
                .title
                .get(cli.lang)
                .replace("2000年01月", "")
                .replace(", 2000-01", "")
                .replace("2000-01", "");
            println!("{:<28} {}", t.id, title.trim());
        }
        return Ok(0);
    }
    let id = args.table.as_deref().unwrap_or_default();
    let inputs = if args.input.inputs.is_empty() {
        vec![PathBuf::from(super::pack::DEFAULT_INPUT)]
    } else {
        args.input.inputs.clone()
    };
    let ds = crate::model::load(&inputs, args.input.map.as_deref(), &cfg)?;
    let month = match &args.month {
        Some(m) => m.parse::<Month>().map_err(Error::Usage)?,
        None => super::pack::latest_complete_month(&ds).ok_or_else(|| {
            Error::NoData("无法确定报告月份; 请用 --month YYYY-MM 指定 (give --month)".into())
        })?,
    };
    let ctx = Ctx::new(&ds, month, &cfg);
    let table = catalogue::one(&ctx, id).ok_or_else(|| {
        Error::Usage(format!(
            "未知的统计表 {id:?}; 用 kebiao report --list 查看 (unknown table; see --list)"
        ))
    })?;
    let bytes = match args.format {
        Format::Text => text(&table, cli.lang).into_bytes(),
        Format::Csv => csv(&table, cli.lang).into_bytes(),
        Format::Json => {
            serde_json::to_vec_pretty(&serde_json::json!({"month": month, "table": table}))?
        }
        Format::Xlsx | Format::Pdf => {
            let pack = Pack {
                month,
                report_date: month.next().first_day(),
                company: cfg.company_name.clone(),
                department: cfg.department.clone(),
                sections: vec![Section {
                    sheet: "01".into(),
                    title: table.title.clone(),
                    blocks: vec![Block::Table(table.clone())],
                }],
            };
            if args.format == Format::Xlsx {
                render::xlsx::pack(&pack, cli.lang, None)?
            } else {
                let engine = Engine::new(cli.templates.as_deref(), &cfg.fonts.files)?;
                render::pack::pdf(&engine, &pack, cli.lang, &cfg)?.0
            }
        }
    };
    let ext = match args.format {
        Format::Text => "txt",
        Format::Csv => "csv",
        Format::Json => "json",
        Format::Xlsx => "xlsx",
        Format::Pdf => "pdf",
    };
    match (&args.out, args.format) {
        (Some(path), _) => {
            let dir = path.parent().map(PathBuf::from).unwrap_or_default();
            let name = path
                .file_name()
                .ok_or_else(|| Error::Usage(format!("--out {}: 不是文件名", path.display())))?;
            output::write_all(
                &dir,
                &[Artifact {
                    name: name.into(),
                    bytes,
                }],
            )?;
        }
        (None, Format::Text | Format::Csv | Format::Json) => std::io::stdout().write_all(&bytes)?,
        (None, _) => {
            let written = output::write_all(
                std::path::Path::new("output"),
                &[Artifact {
                    name: format!("{month}/{id}.{ext}").into(),
                    bytes,
                }],
            )?;
            for p in written {
                eprintln!("已写入 (written): {}", p.display());
            }
        }
    }
    Ok(
        if ds.problems.iter().any(|p| p.severity != Severity::Notice) {
            1
        } else {
            0
        },
    )
}

/// Aligned plain text, CJK counted double width.
pub fn text(t: &Table, lang: Lang) -> String {
    let mut rows: Vec<Vec<String>> = vec![t
        .columns
        .iter()
        .map(|c| c.label.get(lang).to_string())
        .collect()];
    rows.extend(
        t.rows
            .iter()
            .map(|r| r.iter().map(|v| format::value(v, lang)).collect()),
    );
    if let Some(tot) = &t.totals {
        rows.push(tot.iter().map(|v| format::value(v, lang)).collect());
    }
    let n = t.columns.len();
    let widths: Vec<usize> = (0..n)
        .map(|c| rows.iter().map(|r| format::width(&r[c])).max().unwrap_or(0))
        .collect();
    let mut out = format!("{}\n", t.title.get(lang));
    for r in &rows {
        let mut line = String::new();
        for (c, cell) in r.iter().enumerate() {
            let pad = widths[c] - format::width(cell);
            if t.columns[c].kind == crate::stats::Kind::Text {
                line.push_str(cell);
                line.push_str(&" ".repeat(pad));
            } else {
                line.push_str(&" ".repeat(pad));
                line.push_str(cell);
            }
            line.push_str("  ");
        }
        out.push_str(line.trim_end());
        out.push('\n');
    }
    for note in &t.notes {
        out.push_str(note.get(lang));
        out.push('\n');
    }
    out
}

/// CSV with plain numbers and display text; a cell that a spreadsheet would run as a formula is prefixed with '.
pub fn csv(t: &Table, lang: Lang) -> String {
    let mut w = csv::Writer::from_writer(Vec::new());
    let neutral = |s: String| {
        if render::xlsx::looks_like_formula(&s) {
            format!("'{s}")
        } else {
            s
        }
    };
    let _ = w.write_record(t.columns.iter().map(|c| c.label.get(lang)));
    for r in t.rows.iter().chain(t.totals.iter()) {
        let _ = w.write_record(r.iter().map(|v| {
            match v {
                // Plain numbers, so a spreadsheet opening the CSV reads them as numbers.
                crate::stats::Value::Money(d) => d
                    .round_dp_with_strategy(2, rust_decimal::RoundingStrategy::MidpointAwayFromZero)
                    .to_string(),
                crate::stats::Value::Int(i) => i.to_string(),
                crate::stats::Value::Qty(d) => d.normalize().to_string(),
                _ => neutral(format::value(v, lang)),
            }
        }));
    }
    String::from_utf8(w.into_inner().unwrap_or_default()).unwrap_or_default()
}
