//! `kebiao forms list | blank | fill`: the form catalogue as blank PDFs to print, Excel entry
//! templates to fill, and filled forms from the clerk's data (one record per page).

use crate::cli::{Cli, FormFormat, FormsCommand};
use crate::config::Config;
use crate::error::{Error, Lang};
use crate::forms::{FormSpec, Kind};
use crate::model::Dataset;
use crate::output::{self, Artifact};
use crate::render::{self, format, pdf::Engine};
use chrono::NaiveDate;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

/// The document date of blank forms: printed forms carry 年 月 日 blanks, so the date only sets
/// PDF metadata; fixed, so the same command gives the same bytes.
const BLANK_DATE: (i32, u32, u32) = (2024, 1, 1);

pub fn run(cli: &Cli, cmd: &FormsCommand) -> anyhow::Result<u8> {
    let catalogue = load_catalogue(cli.templates.as_deref())?;
    match cmd {
        FormsCommand::List { area, json } => {
            let forms: Vec<&FormSpec> = catalogue
                .iter()
                .filter(|f| area.as_deref().is_none_or(|a| f.area.contains(a)))
                .collect();
            if *json {
                let list: Vec<_> = forms
                    .iter()
                    .map(|f| serde_json::json!({"id": f.id, "title": f.title, "title_en": f.title_en, "area": f.area, "source": f.source}))
                    .collect();
                println!("{}", serde_json::to_string_pretty(&list)?);
            } else {
                for f in &forms {
                    let title = match cli.lang {
                        Lang::En => f.title_en.as_deref().unwrap_or(&f.title),
                        Lang::Zh => &f.title,
                    };
                    println!("{:<40} {:<8} {title}", f.id, f.area);
                }
                eprintln!("共 {} 种表单 ({} forms)", forms.len(), forms.len());
            }
            Ok(0)
        }
        FormsCommand::Blank {
            ids,
            all,
            format,
            out,
        } => {
            let chosen = choose(&catalogue, ids, *all)?;
            let cfg = Config::load(cli.config.as_deref())?;
            let engine = Engine::new(cli.templates.as_deref(), &cfg.fonts.files)?;
            let date = NaiveDate::from_ymd_opt(BLANK_DATE.0, BLANK_DATE.1, BLANK_DATE.2)
                .expect("valid constant");
            let mut arts = Vec::new();
            for spec in chosen {
                let (bytes, ext) = match format {
                    FormFormat::Pdf => (
                        render::form::pdf(
                            &engine,
                            spec,
                            &[],
                            &cfg.company_name,
                            cli.lang,
                            date,
                            true,
                        )?,
                        "pdf",
                    ),
                    FormFormat::Xlsx => (render::form::entry_template(spec)?, "xlsx"),
                };
                arts.push(Artifact {
                    name: format!("{}_{}.{ext}", spec.id, spec.title).into(),
                    bytes,
                });
            }
            let n = arts.len();
            output::write_all(out, &arts)?;
            eprintln!("已写入 {n} 个文件到 {} (written)", out.display());
            Ok(0)
        }
        FormsCommand::Fill {
            id,
            input,
            filters,
            out,
            batch,
        } => {
            let spec = catalogue.iter().find(|f| f.id == *id).ok_or_else(|| {
                Error::Usage(format!(
                    "未知的表单 {id:?}; 用 kebiao forms list 查看 (unknown form)"
                ))
            })?;
            let cfg = Config::load(cli.config.as_deref())?;
            let inputs = if input.inputs.is_empty() {
                vec![PathBuf::from(super::pack::DEFAULT_INPUT)]
            } else {
                input.inputs.clone()
            };
            let ds = crate::model::load(&inputs, input.map.as_deref(), &cfg)?;
            let filters = parse_filters(filters)?;
            // The salesperson statistics forms (§1.A.8, §1.A.9) are one card per salesperson for the
            // latest complete month, computed by the statistics, not one per input row.
            let records = match spec.id.as_str() {
                "salesperson_sales_performance" | "salesperson_gross_profit" => {
                    let month = super::pack::latest_complete_month(&ds).ok_or_else(|| {
                        Error::NoData("没有销售明细, 无法确定月份 (no sales lines)".into())
                    })?;
                    let ctx = crate::stats::Ctx::new(&ds, month, &cfg);
                    let all = if spec.id == "salesperson_gross_profit" {
                        crate::stats::salespeople::gross_profit_records(&ctx)
                    } else {
                        crate::stats::salespeople::performance_records(&ctx)
                    };
                    all.into_iter()
                        .filter(|r| {
                            filters
                                .iter()
                                .all(|(k, v)| r.get(k).and_then(|x| x.as_str()) == Some(v.as_str()))
                        })
                        .collect()
                }
                _ => records_for(spec, &ds, &filters, cfg.privacy.mask)?,
            };
            if records.is_empty() {
                return Err(Error::NoData(format!(
                    "{}: 没有符合条件的记录 (no matching records)",
                    spec.title
                ))
                .into());
            }
            let engine = Engine::new(cli.templates.as_deref(), &cfg.fonts.files)?;
            let date = ds
                .sales
                .as_ref()
                .and_then(|s| s.iter().map(|l| l.order_date).max())
                .unwrap_or_else(|| {
                    NaiveDate::from_ymd_opt(BLANK_DATE.0, BLANK_DATE.1, BLANK_DATE.2)
                        .expect("valid constant")
                });
            let had_problems = ds
                .problems
                .iter()
                .any(|p| p.severity != crate::error::Severity::Notice);
            // The records carry all a form prints: the workbook's tables need not stay in memory
            // while thousands of forms are typeset.
            drop(ds);
            let batch = (*batch).max(1);
            let chunks: Vec<&[serde_json::Value]> = records.chunks(batch).collect();
            let n_pdfs = chunks.len();
            let name_of = |i: usize| -> PathBuf {
                if n_pdfs == 1 {
                    format!("{}_{}_已填.pdf", spec.id, spec.title).into()
                } else {
                    format!("{}_{}_已填_{:03}.pdf", spec.id, spec.title, i + 1).into()
                }
            };
            let mut staging = output::Staging::new(out);
            fill_batches(
                &chunks,
                |i, chunk| {
                    // Big batches: untagged PDFs are ~7× smaller (DESIGN §5), and a form batch is for printing.
                    render::form::pdf(
                        &engine,
                        spec,
                        chunk,
                        &cfg.company_name,
                        cli.lang,
                        date,
                        n_pdfs == 1,
                    )
                    .map(|bytes| (i, bytes))
                },
                |i, bytes| staging.add(&name_of(i), &bytes),
            )?;
            staging.commit()?;
            eprintln!(
                "已填写 {} 份 {}, {} 个 PDF → {} (filled)",
                records.len(),
                spec.title,
                n_pdfs,
                out.display()
            );
            Ok(if had_problems { 1 } else { 0 })
        }
    }
}

/// Lay out the batches on as many threads as there are cores (at most [`MAX_THREADS`]), handing
/// each finished PDF to `write` on this thread as soon as it is done. A batch's document is
/// dropped once its PDF is made and the PDF once written, so memory is bounded by the threads ×
/// the batch size, not by the number of records. The bytes of each batch do not depend on which
/// thread made it, so output is the same run to run.
///
/// # Errors
/// The first failure reported (a batch or a write); the other threads then stop taking batches.
fn fill_batches<'a>(
    chunks: &[&'a [serde_json::Value]],
    render: impl Fn(usize, &'a [serde_json::Value]) -> Result<(usize, Vec<u8>), Error> + Sync,
    mut write: impl FnMut(usize, Vec<u8>) -> Result<(), Error>,
) -> Result<(), Error> {
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .clamp(1, MAX_THREADS)
        .min(chunks.len().max(1));
    if threads <= 1 {
        for (i, chunk) in chunks.iter().enumerate() {
            let (i, bytes) = render(i, chunk)?;
            write(i, bytes)?;
        }
        return Ok(());
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    // A bounded channel: a worker waits while the writer is behind, so finished PDFs never pile up.
    let (tx, rx) = std::sync::mpsc::sync_channel::<Result<(usize, Vec<u8>), Error>>(threads);
    std::thread::scope(|scope| {
        for _ in 0..threads {
            let tx = tx.clone();
            let (next, stop, render) = (&next, &stop, &render);
            scope.spawn(move || loop {
                if stop.load(Ordering::Relaxed) {
                    break;
                }
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(chunk) = chunks.get(i) else { break };
                let result = render(i, chunk);
                if result.is_err() {
                    stop.store(true, Ordering::Relaxed);
                }
                if tx.send(result).is_err() {
                    break;
                }
            });
        }
        drop(tx);
        let mut first_err: Option<Error> = None;
        for result in rx {
            match result.and_then(|(i, bytes)| write(i, bytes)) {
                Ok(()) => {}
                Err(e) => {
                    stop.store(true, Ordering::Relaxed);
                    first_err.get_or_insert(e);
                }
            }
        }
        first_err.map_or(Ok(()), Err)
    })
}

/// Threads for filling forms: typst uses one core per document; more threads than cores only
/// add memory.
const MAX_THREADS: usize = 4;

fn choose<'a>(
    catalogue: &'a [FormSpec],
    ids: &[String],
    all: bool,
) -> Result<Vec<&'a FormSpec>, Error> {
    if all {
        return Ok(catalogue.iter().collect());
    }
    ids.iter()
        .map(|id| {
            catalogue.iter().find(|f| f.id == *id).ok_or_else(|| {
                Error::Usage(format!(
                    "未知的表单 {id:?}; 用 kebiao forms list 查看 (unknown form)"
                ))
            })
        })
        .collect()
}

/// The built-in catalogue, with a company's templates folder laid over it: `forms/<id>.yaml` there
/// replaces the built-in form of that id, or adds a new one.
///
/// # Errors
/// A company definition that does not load: the message names the file, line and field.
pub fn load_catalogue(dir: Option<&Path>) -> Result<Vec<FormSpec>, Error> {
    let mut by_id: BTreeMap<String, FormSpec> = crate::forms::catalogue()
        .into_iter()
        .map(|f| (f.id.clone(), f))
        .collect();
    if let Some(dir) = dir {
        let forms_dir = dir.join("forms");
        if let Ok(entries) = std::fs::read_dir(&forms_dir) {
            let mut files: Vec<PathBuf> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|e| e == "yaml" || e == "yml"))
                .collect();
            files.sort();
            for path in files {
                let name = path
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_string();
                let text = std::fs::read_to_string(&path)
                    .map_err(|e| Error::Config(format!("{}: {e}", path.display())))?;
                let spec = FormSpec::from_yaml(&name, &text)
                    .map_err(|e| Error::Config(format!("{} ({})", e, forms_dir.display())))?;
                by_id.insert(spec.id.clone(), spec);
            }
        }
    }
    Ok(by_id.into_values().collect())
}

fn parse_filters(filters: &[String]) -> Result<Vec<(String, String)>, Error> {
    filters
        .iter()
        .map(|f| {
            f.split_once('=')
                .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
                .ok_or_else(|| Error::Usage(format!("--where {f:?}: 应为 字段=值 (FIELD=VALUE)")))
        })
        .collect()
}

/// 138****1234: the middle of a phone, ID or account number hidden (客户资料保密制度).
pub fn mask(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let n = chars.len();
    if n < 7 {
        return "*".repeat(n);
    }
    let (head, tail) = if n >= 11 { (3, 4) } else { (2, 2) };
    chars[..head]
        .iter()
        .chain(std::iter::repeat_n(&'*', n - head - tail))
        .chain(chars[n - tail..].iter())
        .collect()
}

const MASKED_KEYS: &[&str] = &[
    "phone",
    "id_no",
    "id_number",
    "bank_account",
    "account_no",
    "license_no",
    "im",
];

/// The records of the form's input table as the JSON the layout engine reads: every field by its
/// key, money as ¥1,234.50, dates as 2023年05月15日, booleans as 是/否.
pub fn records_for(
    spec: &FormSpec,
    ds: &Dataset,
    filters: &[(String, String)],
    mask_private: bool,
) -> Result<Vec<serde_json::Value>, Error> {
    fn to_values<T: serde::Serialize>(rows: &Option<Vec<T>>) -> Option<Vec<serde_json::Value>> {
        rows.as_ref().map(|v| {
            v.iter()
                .filter_map(|r| serde_json::to_value(r).ok())
                .collect()
        })
    }
    let source = spec.source.as_deref().unwrap_or_default();
    let raw = match source {
        "customers" => to_values(&ds.customers),
        "sales_lines" | "sales" => to_values(&ds.sales),
        "returns" => to_values(&ds.returns),
        "receipts" => to_values(&ds.receipts),
        "interactions" => to_values(&ds.interactions),
        "complaints" => to_values(&ds.complaints),
        "credit_surveys" => to_values(&ds.credit_surveys),
        "salespeople" => to_values(&ds.salespeople),
        "targets" => to_values(&ds.targets),
        "products" => to_values(&ds.products),
        "" => {
            return Err(Error::Usage(format!(
                "{} 不对应任何输入表, 只能打印空白表 (this form has no data source)",
                spec.id
            )))
        }
        other => {
            return Err(Error::Usage(format!(
                "{}: 数据源 {other} 尚不支持 (source not supported)",
                spec.id
            )))
        }
    }
    .ok_or_else(|| {
        Error::NoData(format!(
            "{}: 输入中没有 {source} 表 (missing input table)",
            spec.title
        ))
    })?;
    let kinds: BTreeMap<&str, Kind> = spec
        .fields()
        .chain(spec.header.iter().flatten())
        .filter_map(|f| f.key.as_deref().map(|k| (k, f.kind)))
        .collect();
    // A survey, complaint or visit names its customer; the form also prints the customer's own
    // details (名称, 地址, 电话 …) from 客户信息表, where the record itself has none.
    let customers: BTreeMap<String, serde_json::Map<String, serde_json::Value>> = ds
        .customers
        .iter()
        .flatten()
        .filter_map(|c| match serde_json::to_value(c) {
            Ok(serde_json::Value::Object(m)) => Some((c.customer_id.clone(), m)),
            _ => None,
        })
        .collect();
    let mut out = Vec::new();
    for rec in raw {
        let serde_json::Value::Object(mut map) = rec else {
            continue;
        };
        if source != "customers" {
            let id = map
                .get("customer_id")
                .and_then(|v| v.as_str())
                .map(str::to_string);
            if let Some(cust) = id.and_then(|id| customers.get(&id)) {
                for (k, v) in cust {
                    if k != "origin" && map.get(k).is_none_or(|x| x.is_null()) {
                        map.insert(k.clone(), v.clone());
                    }
                }
            }
        }
        let keep = filters.iter().all(|(k, v)| {
            map.get(k)
                .is_some_and(|x| x.as_str().map_or(x.to_string() == *v, |s| s == v))
        });
        if !keep {
            continue;
        }
        let mut o = serde_json::Map::new();
        for (k, v) in map {
            let kind = kinds.get(k.as_str()).copied().unwrap_or(Kind::Text);
            let s = match (&v, kind) {
                (serde_json::Value::Null, _) => continue,
                (serde_json::Value::Bool(b), _) => {
                    serde_json::Value::String(if *b { "是" } else { "否" }.into())
                }
                (serde_json::Value::String(s), Kind::Money) => {
                    match s.parse::<rust_decimal::Decimal>() {
                        Ok(d) => serde_json::Value::String(format!("¥{}", format::money(d))),
                        Err(_) => v.clone(),
                    }
                }
                (serde_json::Value::String(s), Kind::Date | Kind::Datetime | Kind::Month) => {
                    match NaiveDate::parse_from_str(s.get(..10).unwrap_or(s), "%Y-%m-%d") {
                        Ok(d) => serde_json::Value::String(format::date_zh(d)),
                        Err(_) => v.clone(),
                    }
                }
                (serde_json::Value::String(s), _)
                    if mask_private && MASKED_KEYS.contains(&k.as_str()) =>
                {
                    serde_json::Value::String(mask(s))
                }
                _ => v.clone(),
            };
            o.insert(k, s);
        }
        out.push(serde_json::Value::Object(o));
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masking_keeps_head_and_tail() {
        assert_eq!(mask("13812341234"), "138****1234");
        assert_eq!(mask("0571-8888888"), "057*****8888");
        assert_eq!(mask("12345"), "*****");
    }
}
