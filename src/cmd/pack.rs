//! `kebiao pack`: the month's 月度客户管理报告 as a PDF to sign and a workbook to work in.

use crate::cli::{Cli, PackArgs};
use crate::config::Config;
use crate::error::{Error, Lang, Problem, Severity};
use crate::model::integrity::Checks;
use crate::model::Dataset;
use crate::output::{self, Artifact};
use crate::render::{self, pdf::Engine};
use crate::report;
use crate::stats::Month;
use crate::timing::timed;
use chrono::Datelike;
use std::path::PathBuf;

/// Where `pack` looks when no `--input` is given: the bundled sample.
pub const DEFAULT_INPUT: &str = "data/sample";

pub fn run(cli: &Cli, args: &PackArgs) -> anyhow::Result<u8> {
    let started = std::time::SystemTime::now();
    let cfg = Config::load(cli.config.as_deref())?;
    let progress = Progress::new(cli.lang);
    progress.step("读取输入文件", "reading inputs");
    let inputs = if args.input.inputs.is_empty() {
        vec![PathBuf::from(DEFAULT_INPUT)]
    } else {
        args.input.inputs.clone()
    };
    // The cross-table checks run later, beside the workbook's data sheets.
    let (ds, checks) = timed("load", || {
        crate::model::load_unchecked(&inputs, args.input.map.as_deref(), &cfg)
    })?;
    let month = match &args.month {
        Some(m) => m.parse::<Month>().map_err(Error::Usage)?,
        None => latest_complete_month(&ds).ok_or_else(|| {
            Error::NoData(format!(
                "{} 中没有可用的销售明细, 无法确定报告月份; 请用 kebiao check 查看识别结果, 或用 --month YYYY-MM 指定 (no sales lines in the inputs: see kebiao check, or give --month)",
                input_names(&inputs)
            ))
        })?,
    };
    let engine = Engine::new(cli.templates.as_deref(), &cfg.fonts.files)?;
    progress.step(
        &format!("计算并排版 {} 报告", month.zh()),
        &format!("computing and typesetting {month}"),
    );
    // The month's PDF and workbook are swapped in as one set (never a new PDF beside an old
    // workbook), and the set's folder also cleans up after an earlier run that was killed. The
    // workbook is written into it while its last data sheets are still being made.
    let mut set = output::SetWriter::begin(&args.out, month.to_string().as_ref(), started)?;
    let (pdf, later) = set.stream(&names(month).1, |xlsx, path| {
        produce_checking(
            &ds,
            Some(&checks),
            month,
            &cfg,
            cli.lang,
            &engine,
            (xlsx, path),
        )
    })?;
    progress.step("写入文件", "writing files");
    set.add(&names(month).0, &pdf)?;
    drop(pdf);
    let rows: usize = ds.counts.iter().map(|c| c.accepted).sum();
    let mut ds = ds;
    let mut problems = std::mem::take(&mut ds.problems);
    problems.extend(later);
    // Freeing the records of a million lines takes a few tenths of a second on one core: done
    // beside the commit, not after.
    let mut written = std::thread::scope(|s| {
        s.spawn(move || drop(ds));
        timed("write", || set.commit())
    })?;
    // Listed as before the workbook was streamed: the PDF first.
    written.sort_by_key(|p| p.extension() != Some("pdf".as_ref()));
    progress.done();
    eprintln!(
        "{}",
        match cli.lang {
            Lang::Zh => format!(
                "{} 报告: 采用 {rows} 行数据, {} 个数据问题",
                month.zh(),
                problems.len()
            ),
            Lang::En => format!(
                "{month} pack: {rows} rows used, {} data problems",
                problems.len()
            ),
        }
    );
    for p in &written {
        eprintln!("已写入 (written): {}", p.display());
    }
    let rejected = problems
        .iter()
        .filter(|p| p.severity != Severity::Notice)
        .count();
    list_problems(&problems, cli.lang);
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

/// The inputs as the clerk named them, for a message about all of them.
fn input_names(inputs: &[PathBuf]) -> String {
    inputs
        .iter()
        .map(|p| p.display().to_string())
        .collect::<Vec<_>>()
        .join(", ")
}

/// At most this many problems are listed on stderr; all of them are in the 13数据问题 sheet.
const MAX_LISTED: usize = 50;

/// Each problem (file › sheet › cell: what — done) on stderr, as README promises, so a clerk
/// running `pack` sees which cells to fix without opening the workbook; a long list is cut.
fn list_problems(problems: &[Problem], lang: Lang) {
    for p in problems.iter().take(MAX_LISTED) {
        let tag = match (p.severity, lang) {
            (Severity::Rejected, Lang::Zh) => "[拒绝]",
            (Severity::Rejected, Lang::En) => "[rejected]",
            (Severity::Coerced, Lang::Zh) => "[修正]",
            (Severity::Coerced, Lang::En) => "[changed]",
            (Severity::Notice, Lang::Zh) => "[提示]",
            (Severity::Notice, Lang::En) => "[notice]",
        };
        eprintln!("  {tag} {}", super::check::problem_line(p, lang));
    }
    if problems.len() > MAX_LISTED {
        let rest = problems.len() - MAX_LISTED;
        eprintln!(
            "{}",
            match lang {
                Lang::Zh => format!("  …… 另有 {rest} 条, 见 13数据问题 工作表"),
                Lang::En => format!("  … {rest} more in the 13数据问题 sheet"),
            }
        );
    }
}

/// The names of the month's PDF and workbook in the month's folder.
fn names(month: Month) -> (PathBuf, PathBuf) {
    let base = format!("月度客户管理报告_{month}");
    (format!("{base}.pdf").into(), format!("{base}.xlsx").into())
}

/// The pack's files, as bytes: nothing is written here.
pub fn produce(
    ds: &Dataset,
    month: Month,
    cfg: &Config,
    lang: Lang,
    engine: &Engine,
) -> crate::error::Result<Vec<Artifact>> {
    let mut xlsx = Vec::new();
    let (pdf, _) = produce_checking(
        ds,
        None,
        month,
        cfg,
        lang,
        engine,
        (&mut xlsx, std::path::Path::new("")),
    )?;
    let (p, x) = names(month);
    let folder = PathBuf::from(month.to_string());
    Ok(vec![
        Artifact {
            name: folder.join(p),
            bytes: pdf,
        },
        Artifact {
            name: folder.join(x),
            bytes: xlsx,
        },
    ])
}

/// The pack's PDF (returned) and workbook (written into `xlsx`, the file at its path), for a
/// dataset loaded with or without its cross-table checks (`model::load_unchecked`): without,
/// `checks` run first on the statistics' thread, while the other thread starts on the data
/// sheets, and their findings (returned) join 数据问题.
fn produce_checking(
    ds: &Dataset,
    checks: Option<&Checks>,
    month: Month,
    cfg: &Config,
    lang: Lang,
    engine: &Engine,
    (xlsx, xlsx_path): (&mut (dyn std::io::Write + Send), &std::path::Path),
) -> crate::error::Result<(Vec<u8>, Vec<Problem>)> {
    let mut wb = render::xlsx::new_workbook();
    let sheets = if cfg.privacy.omit_data_sheets {
        None
    } else {
        Some(render::data_sheet::DataSheets::plan(&mut wb, ds)?)
    };
    let write_sheets = || {
        if let Some(s) = &sheets {
            s.work();
        }
    };
    // Four pieces of work on a 2-core machine. The workbook's data sheets (written and deflated
    // in pieces) need only the records: one thread starts on them at once, while the other makes
    // the statistics, then the PDF, and then joins in on the pieces not yet started. The
    // workbook's report sheets need only the statistics and are written beside the PDF; that
    // thread then writes the workbook's file, each data sheet as soon as it is together.
    let stand_ins = match &sheets {
        Some(s) => s.stand_ins()?,
        None => Vec::new(),
    };
    // Outside the scope, so that a thread started in it can borrow the statistics (and the checks'
    // findings, which the statistics' 数据问题 section borrows).
    let statistics = std::sync::OnceLock::new();
    let later = std::sync::OnceLock::new();
    let (book, pdf) = std::thread::scope(|s| {
        let data = s.spawn(|| timed("workbook data sheets", write_sheets));
        let found = later.get_or_init(|| match checks {
            Some(c) => timed("integrity", || c.run(ds)),
            None => Vec::new(),
        });
        let pack = statistics.get_or_init(|| {
            timed("statistics", || {
                report::build_with(ds, found, month, cfg, lang)
            })
        });
        let sheets = &sheets;
        let book = s.spawn(move || {
            let book = timed("workbook report sheets", || {
                render::xlsx::pack_book(wb, pack, lang, &stand_ins)
            })?;
            timed("workbook file", || match sheets {
                Some(sheets) => sheets.write_workbook(book, xlsx, xlsx_path),
                None => xlsx
                    .write_all(&book.into_bytes()?)
                    .map_err(|source| Error::Write {
                        path: xlsx_path.to_path_buf(),
                        source,
                    }),
            })
        });
        let pdf = timed("pdf", || render::pack::pdf(engine, pack, lang, cfg));
        timed("data sheets after the pdf", write_sheets);
        data.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        let book = book.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
        (book, pdf)
    });
    let (pdf, _) = pdf?;
    book?;
    Ok((pdf, later.into_inner().unwrap_or_default()))
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

/// Progress on stderr for long runs, only when stderr is a terminal (a script's log stays clean).
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    lang: Lang,
}

impl Progress {
    fn new(lang: Lang) -> Progress {
        use std::io::IsTerminal;
        let bar = std::io::stderr().is_terminal().then(|| {
            let b = indicatif::ProgressBar::new_spinner();
            b.enable_steady_tick(std::time::Duration::from_millis(120));
            b
        });
        Progress { bar, lang }
    }
    fn step(&self, zh: &str, en: &str) {
        if let Some(b) = &self.bar {
            b.set_message(match self.lang {
                Lang::Zh => zh.to_string(),
                Lang::En => en.to_string(),
            });
        }
    }
    fn done(&self) {
        if let Some(b) = &self.bar {
            b.finish_and_clear();
        }
    }
}
