//! `kebiao check <INPUT>... [--map FILE] [--problems FILE.xlsx]`: read the inputs, say what was
//! recognised, count rows per table, list every problem. Writes nothing else.
//! Exit 0 clean, 1 problems (any rejected or coerced value), 2 could not read.

use crate::cli::{CheckArgs, Cli};
use crate::config::Config;
use crate::error::{Lang, Problem, Severity};
use crate::ingest::schema::fields;
use crate::ingest::TableId;
use crate::model::{self, Dataset};
use crate::output::{write_all, Artifact};
use std::fmt::Write as _;
use std::path::Path;

pub fn run(cli: &Cli, args: &CheckArgs) -> anyhow::Result<u8> {
    let cfg = Config::load(cli.config.as_deref())?;
    let ds = model::load(&args.inputs, args.map.as_deref(), &cfg)?;
    print!("{}", report(&ds, cli.lang));
    if let Some(path) = &args.problems {
        let bytes = problems_xlsx(&ds.problems, cli.lang)?;
        let dir = path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .unwrap_or(Path::new("."));
        let name = path
            .file_name()
            .map(Into::into)
            .unwrap_or_else(|| "数据问题.xlsx".into());
        write_all(dir, &[Artifact { name, bytes }])?;
    }
    // Nothing recognised in any input (an empty file, a sheet of unknown headers, a text file in
    // an unknown encoding) is not a clean check: nothing was checked, and the clerk must act.
    if ds.counts.is_empty() {
        return Ok(1);
    }
    Ok(exit_code(&ds.problems))
}

/// `file › sheet › cell: problem — action`, with the texts clipped: a message that quotes a
/// 100,000-character cell must not flood the terminal (the cell is named; the clerk can look).
pub fn problem_line(p: &Problem, lang: Lang) -> String {
    format!(
        "{}: {} — {}",
        p.location,
        crate::error::clip(p.problem.get(lang)),
        crate::error::clip(p.action.get(lang))
    )
}

/// 1 when any value was rejected or changed; notices alone leave the run clean.
pub fn exit_code(problems: &[Problem]) -> u8 {
    u8::from(problems.iter().any(|p| p.severity != Severity::Notice))
}

fn t(lang: Lang, zh: &'static str, en: &'static str) -> &'static str {
    match lang {
        Lang::Zh => zh,
        Lang::En => en,
    }
}

/// Pad to a display width, counting CJK characters as two columns so the counts line up.
fn pad(s: &str, width: usize) -> String {
    let w: usize = s.chars().map(|c| if c >= '\u{1100}' { 2 } else { 1 }).sum();
    format!("{s}{}", " ".repeat(width.saturating_sub(w)))
}

/// The whole check report as text.
pub fn report(ds: &Dataset, lang: Lang) -> String {
    let mut s = String::new();
    let _ = writeln!(s, "{}", t(lang, "识别结果:", "Recognised:"));
    for r in &ds.sheets {
        let target = match (&r.table, &r.skipped) {
            (Some(tb), None) => tb.clone(),
            (Some(tb), Some(why)) => format!("{tb} — {}", why.get(lang)),
            (None, Some(why)) => format!("{} — {}", t(lang, "跳过", "skipped"), why.get(lang)),
            (None, None) => "?".into(),
        };
        let _ = write!(s, "  {} › {} → {}", r.file, r.sheet, target);
        if let (Some(h), None) = (r.header_row, &r.skipped) {
            let _ = write!(
                s,
                "{}",
                match lang {
                    Lang::Zh => format!(", 表头第 {h} 行, 数据 {} 行", r.data_rows),
                    Lang::En => format!(", header row {h}, {} data rows", r.data_rows),
                }
            );
        }
        let _ = writeln!(s);
        if !r.mapped.is_empty() {
            let table = r.table.as_deref().and_then(TableId::parse);
            let cols: Vec<String> = r
                .mapped
                .iter()
                .map(|(h, f)| {
                    // In English, name the field by its key (order_date), not its Chinese header.
                    let target = match (lang, table) {
                        (Lang::En, Some(t)) => fields(t)
                            .iter()
                            .find(|fd| fd.header == f)
                            .map(|fd| fd.key.to_string())
                            .unwrap_or_else(|| f.clone()),
                        _ => f.clone(),
                    };
                    if *h == target {
                        h.clone()
                    } else {
                        format!("{h}→{target}")
                    }
                })
                .collect();
            let _ = writeln!(
                s,
                "      {} ({}): {}",
                t(lang, "已识别列", "columns read"),
                cols.len(),
                cols.join(", ")
            );
        }
        if !r.ignored.is_empty() {
            let _ = writeln!(
                s,
                "      {} ({}): {}",
                t(lang, "未读取列", "columns ignored"),
                r.ignored.len(),
                r.ignored.join(", ")
            );
        }
    }
    let _ = writeln!(s);
    let _ = writeln!(s, "{}", t(lang, "行数:", "Rows:"));
    if ds.counts.is_empty() {
        let _ = writeln!(
            s,
            "  {}",
            t(lang, "没有找到任何可用的表", "no usable table found")
        );
        let _ = writeln!(
            s,
            "  {}",
            t(
                lang,
                "提示: 检查文件是否为空、工作表名称和表头是否为常用的列名 (如 订单号、订货日期、金额); 列名不同时用 --map 指明",
                "Hint: check that the file is not empty and that its sheet and column names are the usual ones (订单号, 订货日期, 金额 ...); use --map for other names"
            )
        );
    }
    for c in &ds.counts {
        let _ = writeln!(
            s,
            "  {} {} {:>7}  {} {:>7}  {} {:>6}",
            pad(&c.table, 12),
            t(lang, "数据行", "rows"),
            c.data_rows,
            t(lang, "接受", "accepted"),
            c.accepted,
            t(lang, "拒绝", "rejected"),
            c.rejected
        );
    }
    let _ = writeln!(s);
    if !ds.problems.is_empty() {
        let _ = writeln!(s, "{}", t(lang, "数据问题:", "Problems:"));
        for p in &ds.problems {
            let tag = match p.severity {
                Severity::Rejected => t(lang, "[拒绝]", "[rejected]"),
                Severity::Coerced => t(lang, "[修正]", "[changed]"),
                Severity::Notice => t(lang, "[提示]", "[notice]"),
            };
            let raw = if p.raw.is_empty() {
                String::new()
            } else {
                format!(
                    " ({}: {})",
                    t(lang, "原值", "value"),
                    crate::error::clip(&p.raw).replace('\n', " ")
                )
            };
            let _ = writeln!(s, "  {tag} {}{raw}", problem_line(p, lang));
        }
        let _ = writeln!(s);
    }
    let n = |sev| ds.problems.iter().filter(|p| p.severity == sev).count();
    // Rows rejected come from the table counts: one problem (a missing column) can reject a
    // whole sheet, so counting problems would understate it.
    let rows_rejected: usize = ds.counts.iter().map(|c| c.rejected).sum();
    let (rj, co, no) = (
        n(Severity::Rejected),
        n(Severity::Coerced),
        n(Severity::Notice),
    );
    let _ = writeln!(
        s,
        "{}",
        match lang {
            Lang::Zh => format!(
                "汇总: {} 个问题 — 拒绝 {rows_rejected} 行, 修正 {co} 个值, 提示 {no} 条",
                rj + co + no
            ),
            Lang::En => format!(
                "Summary: {} problems — {rows_rejected} rows rejected, {co} values changed, {no} notices",
                rj + co + no
            ),
        }
    );
    if rj + co > 0 {
        let _ = writeln!(
            s,
            "{}",
            t(
                lang,
                "提示: 在原表中改正上面列出的单元格后重新运行 kebiao check。",
                "Hint: correct the cells listed above in your workbook and run kebiao check again."
            )
        );
    }
    s
}

/// 数据问题 as an xlsx: 文件, 工作表, 单元格, 表, 原值, 问题, 处理.
///
/// # Errors
/// rust_xlsxwriter fails to build the workbook (it should not for text cells).
pub fn problems_xlsx(problems: &[Problem], lang: Lang) -> anyhow::Result<Vec<u8>> {
    use rust_xlsxwriter::{DocProperties, ExcelDateTime, Format, Workbook};
    let mut wb = Workbook::new();
    // A fixed creation date makes two runs give identical bytes (DESIGN §7).
    let props = DocProperties::new().set_creation_datetime(&ExcelDateTime::from_ymd(2000, 1, 1)?);
    wb.set_properties(&props);
    let ws = wb.add_worksheet();
    ws.set_name(t(lang, "数据问题", "Data problems"))?;
    let bold = Format::new().set_bold();
    let heads = match lang {
        Lang::Zh => ["文件", "工作表", "单元格", "表", "原值", "问题", "处理"],
        Lang::En => [
            "File", "Sheet", "Cell", "Table", "Value", "Problem", "Action",
        ],
    };
    for (c, h) in heads.iter().enumerate() {
        ws.write_string_with_format(0, c as u16, *h, &bold)?;
    }
    // The raw values are the clerk's text: quote-prefixed when formula-like, cut to a cell.
    let plain = Format::new();
    for (i, p) in problems.iter().enumerate() {
        let r = i as u32 + 1;
        for (c, s) in [
            p.location.file.as_str(),
            &p.location.sheet,
            &p.location.cell,
            &p.table,
            &p.raw,
            p.problem.get(lang),
            p.action.get(lang),
        ]
        .into_iter()
        .enumerate()
        {
            crate::render::xlsx::put_text(ws, r, c as u16, s, &plain)?;
        }
    }
    for (c, w) in [24.0, 16.0, 8.0, 12.0, 20.0, 50.0, 30.0].iter().enumerate() {
        ws.set_column_width(c as u16, *w)?;
    }
    ws.set_freeze_panes(1, 0)?;
    Ok(wb.save_to_buffer()?)
}
