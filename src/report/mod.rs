//! The report pack as data: which sections, in which order, with which tables and charts
//! (DOMAIN §4.1–§4.3). Pure: records and settings in, a [`Pack`] out. Renderers draw it.

mod summary;

use crate::config::Config;
use crate::error::{Lang, Msg, Problem, Severity};
use crate::model::Dataset;
use crate::par::Job;
use crate::render::chart::{ChartSource, ChartSpec};
use crate::stats::{catalogue, Column, Ctx, Kind, Month, Table, Value};
use chrono::NaiveDate;
use std::collections::HashMap;

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

/// A section of §4.1: its sheet, title, the tables it shows (by id), and its charts.
struct Def {
    sheet: &'static str,
    zh: &'static str,
    en: &'static str,
    tables: &'static [&'static str],
    charts: &'static [(&'static str, Chart)],
}

#[derive(Clone, Copy)]
enum Chart {
    /// table id, category key, value key
    Rows(&'static str, &'static str),
    /// bucket columns of the totals row
    Totals(&'static [&'static str]),
}

const SECTIONS: &[Def] = &[
    Def {
        sheet: "02客户结构",
        zh: "客户结构与分布",
        en: "Customer structure",
        tables: &[
            "customer-status",
            "status-mismatch",
            "new-counts",
            "new-customers",
        ],
        charts: &[],
    },
    Def {
        sheet: "03客户分级",
        zh: "客户分级",
        en: "Customer grading",
        tables: &[
            "grading",
            "grade-migration",
            "concentration",
            "key-customers",
            "grading-ranked",
        ],
        charts: &[("grading", Chart::Rows("grade", "count"))],
    },
    Def {
        sheet: "04销售实绩",
        zh: "销售实绩",
        en: "Sales performance",
        tables: &[
            "sales-by-region",
            "monthly-sales",
            "sales-performance",
            "sales-by-group",
            "top-three",
            "ranking",
            "salesperson-orders",
            "sales-by-category",
            "sales-by-industry",
            "salesperson-ytd",
            "customer-ytd",
            "gross-profit",
            "expense-breakdown",
            "product-mix",
            "seasonality",
        ],
        charts: &[
            ("sales-by-region", Chart::Rows("region", "net_sales")),
            ("monthly-sales", Chart::Rows("month", "net_sales")),
        ],
    },
    Def {
        sheet: "05退货作废",
        zh: "退货 · 作废 · 优惠",
        en: "Returns, cancellations, rebates",
        tables: &[
            "returns-by-reason",
            "returns-summary",
            "returns-by-product",
            "return-clawback",
        ],
        charts: &[],
    },
    Def {
        sheet: "06货款回收",
        zh: "货款回收与应收",
        en: "Collections and receivables",
        tables: &[
            "receivables",
            "collections",
            "receivables-by-staff",
            "ageing",
            "overdue",
            "notes-receivable",
        ],
        charts: &[(
            "ageing",
            Chart::Totals(&["b0", "b1", "b2", "b3", "b4", "b5"]),
        )],
    },
    Def {
        sheet: "07信用风险",
        zh: "信用与危险客户",
        en: "Credit and dangerous customers",
        tables: &[
            "credit-grades",
            "over-limit",
            "danger-customers",
            "credit-ratings",
        ],
        charts: &[],
    },
    Def {
        sheet: "08客户跟进",
        zh: "客户维护与跟进",
        en: "Customer follow-up",
        tables: &[
            "followup-stats",
            "followup-overdue",
            "followup-contacts",
            "hospitality",
            "hospitality-budget",
        ],
        charts: &[],
    },
    Def {
        sheet: "09投诉分析",
        zh: "投诉与服务",
        en: "Complaints and service",
        tables: &[
            "complaints-summary",
            "complaint-response",
            "complaint-response-missed",
            "complaint-handling",
            "complaint-backlog",
            "complaint-priority",
            "complaints-by-type",
            "complaints-by-product",
            "complaints-by-region",
            "complaints-by-grade",
            "complaints-by-channel",
            "complaints-by-dept",
            "complaint-resolutions",
            "claims",
            "complaint-status-sync",
            "after-sales",
            "call-centre",
            "calls-by-type",
        ],
        charts: &[("complaints-by-type", Chart::Rows("type", "count"))],
    },
    Def {
        sheet: "10保有流失",
        zh: "保有 · 流失 · 转化 · 满意",
        en: "Retention, churn, conversion, satisfaction",
        tables: &[
            "retention",
            "lost-ab",
            "lost-customers",
            "repurchase",
            "conversion",
            "conversion-by-activity",
            "conversion-needs",
            "referrals",
            "loyalty",
            "activity-response",
            "satisfaction",
            "satisfaction-items",
        ],
        charts: &[],
    },
    Def {
        sheet: "11大客户",
        zh: "大客户",
        en: "Key accounts",
        tables: &["big-customers"],
        charts: &[],
    },
];

/// Build the month's pack. Every §4.1 section is present whatever the inputs hold; a section
/// whose sheets are missing says so instead of showing zeros.
pub fn build(ds: &Dataset, month: Month, cfg: &Config, lang: Lang) -> Pack {
    build_with(ds, &[], month, cfg, lang)
}

/// [`build`] for a dataset whose cross-table checks ran apart (`model::load_unchecked`): their
/// findings `later` go into 数据问题 after the dataset's own problems, as [`crate::model::load`]
/// would have put them.
pub fn build_with(ds: &Dataset, later: &[Problem], month: Month, cfg: &Config, lang: Lang) -> Pack {
    let ctx = crate::timing::timed("  entries", || Ctx::new(ds, month, cfg));
    // The KPIs of every month the 摘要 and the quarterly review show, each once, computed in the
    // same threads as the families.
    let mut kpi_months: Vec<Month> = summary::kpi_months(month).to_vec();
    if month.month % 3 == 0 {
        kpi_months.extend(quarter_months(month));
    }
    kpi_months.sort();
    kpi_months.dedup();
    let ctx_ref = &ctx;
    let kpi_jobs: Vec<Job<(Month, summary::Kpis)>> = kpi_months
        .iter()
        .map(|&m| -> Job<(Month, summary::Kpis)> {
            Box::new(move || {
                crate::timing::timed(&format!("  kpis {m}"), || {
                    (m, summary::kpis_of(&ctx_ref.at(m)))
                })
            })
        })
        .collect();
    let (tables, kpis_by_month) = catalogue::all_and(&ctx, kpi_jobs);
    let kpis_by_month: HashMap<Month, summary::Kpis> = kpis_by_month.into_iter().collect();
    let mut by_id: HashMap<String, Table> = HashMap::new();
    for t in tables {
        by_id.entry(t.id.clone()).or_insert(t);
    }
    let kpis = summary::kpi_table(&ctx, &kpis_by_month, lang);
    let mut sections = vec![Section {
        sheet: "01摘要".into(),
        title: Msg::new("摘要", "Summary"),
        blocks: {
            let mut b: Vec<Block> = summary::commentary(&kpis, &by_id)
                .into_iter()
                .map(Block::Text)
                .collect();
            b.push(Block::Table(kpis.clone()));
            b
        },
    }];
    // How many more sections show each table: the last one takes it instead of a copy (at 1M
    // lines the per-customer tables hold hundreds of thousands of strings to copy and free),
    // unless the quarterly review or the annual section after these shows it too.
    let mut uses_left: HashMap<&str, usize> = HashMap::new();
    for id in SECTIONS.iter().flat_map(|d| d.tables) {
        *uses_left.entry(id).or_default() += 1;
    }
    for id in LATER_TABLES {
        uses_left.remove(id);
    }
    for def in SECTIONS {
        let mut blocks = Vec::new();
        for id in def.tables {
            let last = uses_left.get_mut(id).is_some_and(|n| {
                *n -= 1;
                *n == 0
            });
            let t = if last {
                match by_id.remove(*id) {
                    Some(t) => t,
                    None => continue,
                }
            } else {
                match by_id.get(*id) {
                    Some(t) => t.clone(),
                    None => continue,
                }
            };
            let title = t.title.clone();
            blocks.push(Block::Table(t));
            // A chart goes right under the table it draws.
            for (table, chart) in def.charts.iter().filter(|(table, _)| table == id) {
                let source = match chart {
                    Chart::Rows(c, v) => ChartSource::Rows {
                        category: c.to_string(),
                        value: v.to_string(),
                    },
                    Chart::Totals(cols) => ChartSource::TotalsAcross {
                        columns: cols.iter().map(|s| s.to_string()).collect(),
                    },
                };
                blocks.push(Block::Chart(ChartSpec {
                    id: table.to_string(),
                    title: title.clone(),
                    table: table.to_string(),
                    source,
                }));
            }
        }
        if blocks.is_empty() {
            blocks.push(Block::Missing(Msg::new("本月无数据", "No data this month")));
        }
        sections.push(Section {
            sheet: def.sheet.into(),
            title: Msg::new(def.zh, def.en),
            blocks,
        });
    }
    sections.push(improvement_section(&kpis, cfg));
    if month.month % 3 == 0 {
        sections.push(quarterly_section(&ctx, &kpis_by_month, &by_id));
    }
    if month.month == 12 {
        sections.push(annual_section(month, &by_id));
    }
    sections.push(problems_section(ds, later, lang));
    sections.push(submissions_section(month, cfg, lang));
    // Keep the §4.1 order (08 follow-up sits between 07 and 09 when present).
    sections.sort_by(|a, b| a.sheet.cmp(&b.sheet));
    Pack {
        month,
        report_date: month.next().first_day(),
        company: cfg.company_name.clone(),
        department: cfg.department.clone(),
        sections,
    }
}

/// 12 问题与改进措施: every KPI that missed its goal, with blanks for the data department.
fn improvement_section(kpis: &Table, _cfg: &Config) -> Section {
    let missed = summary::missed_goals(kpis);
    let mut rows: Vec<Vec<Value>> = missed
        .into_iter()
        .map(|(name, goal, actual)| {
            vec![
                Value::Text(name),
                Value::Text(goal),
                actual,
                Value::Empty,
                Value::Empty,
                Value::Empty,
                Value::Empty,
            ]
        })
        .collect();
    // Blank lines to write in, as on a printed form.
    for _ in 0..3 {
        rows.push(vec![Value::Empty; 7]);
    }
    let t = Table {
        id: "improvements".into(),
        title: Msg::new(
            "未达标指标与改进措施",
            "Missed goals and improvement measures",
        ),
        columns: vec![
            Column::new("kpi", "指标", "KPI", Kind::Text),
            Column::new("goal", "目标", "Goal", Kind::Text),
            Column::new("actual", "本月实际", "Actual", Kind::Text),
            Column::new("reason", "未达标原因", "Reason", Kind::Text),
            Column::new("measure", "改进措施", "Measure", Kind::Text),
            Column::new("owner", "责任人", "Owner", Kind::Text),
            Column::new("deadline", "期限", "Deadline", Kind::Text),
        ],
        rows,
        totals: None,
        notes: vec![Msg::new(
            "由数据部门填写未达标原因、改进措施、责任人和期限。",
            "The data department fills in reasons, measures, owners and deadlines.",
        )],
    };
    Section {
        sheet: "12改进措施".into(),
        title: Msg::new("问题与改进措施", "Issues and improvements"),
        blocks: vec![Block::Table(t)],
    }
}

/// The three months of the quarter that ends with `month`.
fn quarter_months(month: Month) -> [Month; 3] {
    [month.plus(-2), month.plus(-1), month]
}

/// §4.2 季度复盘 (March, June, September, December): the quarter's months side by side with the
/// quarter total, and 实销额 by region against the previous quarter and the same quarter last year.
fn quarterly_section(
    ctx: &Ctx,
    kpis: &HashMap<Month, summary::Kpis>,
    by_id: &HashMap<String, Table>,
) -> Section {
    let month = ctx.month;
    let q_months = quarter_months(month);
    let quarter = (month.month - 1) / 3 + 1;
    let label = format!("{}年第{}季度", month.year, quarter);
    let per_month: Vec<Vec<(&str, &str, Value)>> = q_months
        .iter()
        .map(|m| {
            kpis.get(m)
                .cloned()
                .unwrap_or_else(|| summary::kpis_of(&ctx.at(*m)))
        })
        .collect();
    let addable = |v: &Value| matches!(v, Value::Money(_) | Value::Int(_));
    let mut rows = Vec::new();
    for (k, (zh, _, _)) in per_month[0].iter().enumerate() {
        let vals: Vec<Value> = per_month.iter().map(|m| m[k].2.clone()).collect();
        // Only flows add up over a quarter; stocks (customer counts, balances) and rates do not.
        let flow = ["新客户数", "实销额 (元)", "实收款 (元)", "投诉数"].contains(zh);
        let total = if flow && vals.iter().all(addable) {
            match &vals[0] {
                Value::Money(_) => Value::Money(vals.iter().filter_map(Value::money).sum()),
                _ => Value::Int(
                    vals.iter()
                        .map(|v| if let Value::Int(i) = v { *i } else { 0 })
                        .sum(),
                ),
            }
        } else {
            Value::Empty
        };
        let mut row = vec![Value::Text(zh.to_string())];
        row.extend(vals);
        row.push(total);
        rows.push(row);
    }
    let months_table = Table {
        id: "quarter-kpi".into(),
        title: Msg::new(
            format!("{label} 主要指标 (按月)"),
            format!("Quarter {quarter} {} key figures by month", month.year),
        ),
        columns: vec![
            Column::new("kpi", "指标", "KPI", Kind::Text),
            Column::new(
                "m1",
                &q_months[0].zh(),
                &q_months[0].to_string(),
                Kind::Money,
            ),
            Column::new(
                "m2",
                &q_months[1].zh(),
                &q_months[1].to_string(),
                Kind::Money,
            ),
            Column::new(
                "m3",
                &q_months[2].zh(),
                &q_months[2].to_string(),
                Kind::Money,
            ),
            Column::new("quarter", "本季度合计", "Quarter total", Kind::Money),
        ],
        rows,
        totals: None,
        notes: vec![Msg::new(
            "比率与余额不跨月相加, 季度合计留空。",
            "Rates and balances are not added across months.",
        )],
    };
    // 实销额 by region: this quarter, previous quarter, same quarter last year.
    let q_sum = |last: Month| {
        let mut m: std::collections::BTreeMap<String, rust_decimal::Decimal> = Default::default();
        for k in 0..3 {
            for (r, v) in crate::stats::sales::sum_by(&ctx.entries, last.plus(-k), |e| e.region) {
                *m.entry(r.to_owned()).or_default() += v;
            }
        }
        m
    };
    let (this, prev, ago) = (q_sum(month), q_sum(month.plus(-3)), q_sum(month.plus(-12)));
    let mut regions: Vec<&String> = this.keys().chain(prev.keys()).chain(ago.keys()).collect();
    regions.sort();
    regions.dedup();
    let get = |m: &std::collections::BTreeMap<String, rust_decimal::Decimal>, r: &str| {
        m.get(r).copied().unwrap_or_default()
    };
    let total = |m: &std::collections::BTreeMap<String, rust_decimal::Decimal>| {
        m.values().copied().sum::<rust_decimal::Decimal>()
    };
    let row = |name: String, a, p, y| {
        vec![
            Value::Text(name),
            Value::Money(a),
            Value::Money(p),
            Value::Money(y),
            crate::stats::growth(a, p),
            crate::stats::growth(a, y),
        ]
    };
    let region_table = Table {
        id: "quarter-regions".into(),
        title: Msg::new(
            format!("{label} 各区域实销额"),
            format!("Quarter {quarter} {} net sales by region", month.year),
        ),
        columns: vec![
            Column::new("region", "区域", "Region", Kind::Text),
            Column::new("quarter", "本季度", "This quarter", Kind::Money),
            Column::new("prev", "上季度", "Previous quarter", Kind::Money),
            Column::new(
                "year_ago",
                "上年同季",
                "Same quarter last year",
                Kind::Money,
            ),
            Column::new("qoq", "环比", "QoQ", Kind::Percent),
            Column::new("yoy", "同比", "YoY", Kind::Percent),
        ],
        rows: regions
            .iter()
            .map(|r| row(r.to_string(), get(&this, r), get(&prev, r), get(&ago, r)))
            .collect(),
        totals: Some(row("合计".into(), total(&this), total(&prev), total(&ago))),
        notes: vec![],
    };
    Section {
        sheet: "14季度复盘".into(),
        title: Msg::new(
            format!("季度复盘 · {label}"),
            format!("Quarterly review, Q{quarter} {}", month.year),
        ),
        blocks: [Block::Table(months_table), Block::Table(region_table)]
            .into_iter()
            .chain(by_id.get(LATER_TABLES[0]).cloned().map(Block::Table))
            .collect(),
    }
}

/// §4.3 annual add-on (December): the year's tables, and a blank 下一年客户管理部工作目标 sheet (S2).
/// The tables of the annual section, in its order.
const ANNUAL_TABLES: [&str; 11] = [
    "annual-appraisal",
    "expense-breakdown-ytd",
    "ranking-ytd",
    "crm-expense-ratio",
    "customer-yearly-sales",
    "profit-variance",
    "product-mix",
    "category-growth",
    "seasonality",
    "sales-by-industry",
    "loyalty",
];

/// The family tables the sections after [`SECTIONS`] show again (the quarterly review and the
/// annual section): the sections take copies of them, never the tables themselves.
const LATER_TABLES: [&str; 12] = [
    "seasonality-quarterly",
    ANNUAL_TABLES[0],
    ANNUAL_TABLES[1],
    ANNUAL_TABLES[2],
    ANNUAL_TABLES[3],
    ANNUAL_TABLES[4],
    ANNUAL_TABLES[5],
    ANNUAL_TABLES[6],
    ANNUAL_TABLES[7],
    ANNUAL_TABLES[8],
    ANNUAL_TABLES[9],
    ANNUAL_TABLES[10],
];

fn annual_section(month: Month, by_id: &HashMap<String, Table>) -> Section {
    let mut blocks: Vec<Block> = ANNUAL_TABLES
        .iter()
        .filter_map(|id| by_id.get(*id).cloned().map(Block::Table))
        .collect();
    let blank = |n: usize| (0..n).map(|_| vec![Value::Empty; 4]).collect::<Vec<_>>();
    blocks.push(Block::Table(Table {
        id: "next-year-goals".into(),
        title: Msg::new(
            format!("{}年客户管理部工作目标", month.year + 1),
            format!("Customer management goals for {}", month.year + 1),
        ),
        columns: vec![
            Column::new("item", "项目", "Item", Kind::Text),
            Column::new("quantified", "量化目标", "Quantified goal", Kind::Text),
            Column::new(
                "qualitative",
                "质化指标",
                "Qualitative indicator",
                Kind::Text,
            ),
            Column::new("resources", "所需资源", "Resources needed", Kind::Text),
        ],
        rows: blank(6),
        totals: None,
        notes: vec![Msg::new(
            "每年12月制定下一年工作目标 (S2)。",
            "Drafted every December (S2).",
        )],
    }));
    Section {
        sheet: "15年度报告".into(),
        title: Msg::new(
            format!("{}年度报告", month.year),
            format!("Annual report {}", month.year),
        ),
        blocks,
    }
}

/// 附 各部门提交情况 (R01): what each department hands in, and by when.
fn submissions_section(month: Month, cfg: &Config, lang: Lang) -> Section {
    let due =
        month.next().first_day() + chrono::Duration::days(i64::from(cfg.report.due_day.max(1)) - 1);
    let given = cfg.report.submitted.get(&month.to_string());
    let row = |dept: &str, what: &str| {
        let on = given.and_then(|g| g.get(dept)).copied();
        vec![
            Value::Text(dept.into()),
            Value::Text(what.into()),
            Value::Date(due),
            on.map_or(Value::Empty, Value::Date),
            // R01: due day inclusive, no weekend or holiday shifting.
            match on {
                None => Value::Empty,
                Some(d) => Value::Text(
                    match (d <= due, lang) {
                        (true, Lang::Zh) => "按时",
                        (true, Lang::En) => "On time",
                        (false, Lang::Zh) => "逾期",
                        (false, Lang::En) => "Late",
                    }
                    .into(),
                ),
            },
        ]
    };
    // The two submissions S3 names, then any other department the clerk listed.
    const NAMED: [(&str, &str); 2] = [
        ("销售部门", "客户跟进统计表"),
        ("客服部门", "投诉处理分析表"),
    ];
    let mut rows: Vec<Vec<Value>> = NAMED.iter().map(|(d, w)| row(d, w)).collect();
    for dept in given.into_iter().flat_map(|g| g.keys()) {
        if !NAMED.iter().any(|(d, _)| d == dept) {
            rows.push(row(dept, ""));
        }
    }
    let t = Table {
        id: "submissions".into(),
        title: Msg::new("各部门提交情况", "Department submissions"),
        columns: vec![
            Column::new("dept", "部门", "Department", Kind::Text),
            Column::new("what", "提交内容", "Submission", Kind::Text),
            Column::new("due", "截止日期", "Due", Kind::Date),
            Column::new("submitted", "提交日期", "Submitted on", Kind::Date),
            Column::new("status", "按时/逾期", "On time / late", Kind::Text),
        ],
        rows,
        totals: None,
        notes: vec![Msg::new(
            format!(
                "每月{}日前(含)提交上月数据; 提交日期晚于截止日期为逾期。提交日期取自 kebiao.yaml 的 report.submitted。",
                cfg.report.due_day
            ),
            format!(
                "Due by day {} of the next month, inclusive. Submission dates come from report.submitted in kebiao.yaml.",
                cfg.report.due_day
            ),
        )],
    };
    Section {
        sheet: "附提交情况".into(),
        title: Msg::new("附: 各部门提交情况", "Annex: department submissions"),
        blocks: vec![Block::Table(t)],
    }
}

/// 数据问题: every ingestion and integrity problem with file, sheet, cell and reason.
pub fn problems_table(ds: &Dataset, lang: Lang) -> Table {
    problems_table_of(&ds.problems, &[], lang)
}

fn problems_table_of(problems: &[Problem], later: &[Problem], lang: Lang) -> Table {
    let sev = |s: Severity| match s {
        Severity::Rejected => Msg::new("已剔除", "rejected"),
        Severity::Coerced => Msg::new("已修正", "coerced"),
        Severity::Notice => Msg::new("提示", "notice"),
    };
    let rows = problems
        .iter()
        .chain(later)
        .map(|p| {
            vec![
                Value::Text(p.location.file.clone()),
                Value::Text(p.location.sheet.clone()),
                Value::Text(p.location.cell.clone()),
                Value::Text(p.table.clone()),
                Value::Text(crate::error::clip(&p.raw)),
                // Messages may quote the raw value in full (a 100,000-character cell).
                Value::Text(crate::error::clip(p.problem.get(lang))),
                Value::Text(crate::error::clip(p.action.get(lang))),
                Value::Text(sev(p.severity).get(lang).to_string()),
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

fn problems_section(ds: &Dataset, later: &[Problem], lang: Lang) -> Section {
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
    if ds.problems.is_empty() && later.is_empty() {
        blocks.push(Block::Text(Msg::new(
            "没有发现数据问题。",
            "No data problems found.",
        )));
    } else {
        blocks.push(Block::Table(problems_table_of(&ds.problems, later, lang)));
    }
    Section {
        sheet: "13数据问题".into(),
        title: Msg::new("数据问题", "Data problems"),
        blocks,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn submissions(yaml: &str, month: &str) -> Vec<Vec<Value>> {
        let cfg = Config::from_yaml(yaml).expect("valid config");
        let s = submissions_section(month.parse().expect("month"), &cfg, Lang::Zh);
        match &s.blocks[..] {
            [Block::Table(t)] => t.rows.clone(),
            other => panic!("one table expected, got {other:?}"),
        }
    }

    fn date(s: &str) -> Value {
        Value::Date(s.parse().expect("date"))
    }

    #[test]
    fn r01_submissions_on_the_due_day_are_on_time_and_later_ones_late() {
        let yaml = "report:\n  submitted:\n    \"2026-10\": {销售部门: 2026-11-05, 客服部门: 2026-11-06, 财务部: 2026-11-01}\n";
        let rows = submissions(yaml, "2026-10");
        let got: Vec<(Value, Value, Value, Value)> = rows
            .into_iter()
            .map(|r| (r[0].clone(), r[2].clone(), r[3].clone(), r[4].clone()))
            .collect();
        let t = |s: &str| Value::Text(s.into());
        assert_eq!(
            got,
            vec![
                // Due day 5 of the next month, inclusive.
                (
                    t("销售部门"),
                    date("2026-11-05"),
                    date("2026-11-05"),
                    t("按时")
                ),
                (
                    t("客服部门"),
                    date("2026-11-05"),
                    date("2026-11-06"),
                    t("逾期")
                ),
                (
                    t("财务部"),
                    date("2026-11-05"),
                    date("2026-11-01"),
                    t("按时")
                ),
            ]
        );
        // Another month's pack has no dates: blank, not 逾期.
        let rows = submissions(yaml, "2026-09");
        assert_eq!(rows.len(), 2);
        assert!(rows
            .iter()
            .all(|r| r[3] == Value::Empty && r[4] == Value::Empty));
    }

    #[test]
    fn a_submission_month_that_is_not_yyyy_mm_is_refused() {
        let err =
            Config::from_yaml("report:\n  submitted:\n    \"十月\": {销售部门: 2026-11-05}\n")
                .expect_err("bad month key");
        assert!(
            err.contains("report.submitted") && err.contains("十月"),
            "{err}"
        );
    }
}
