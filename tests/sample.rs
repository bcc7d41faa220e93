//! `kebiao sample`: drive the binary, read the workbook back with calamine, and check what the
//! report pack relies on: canonical sheets and headers, types, referential integrity, the 80/20
//! shape, arithmetic, the calendar, and byte-for-byte determinism.

use assert_cmd::Command;
use calamine::{open_workbook, Data, DataType, Range, Reader, Xlsx};
use chrono::{Duration, NaiveDate, NaiveDateTime};
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

const FILE: &str = "客户管理数据.xlsx";

/// The canonical 中文表头 of DOMAIN §3.1, written out here independently of the generator.
const EXPECTED: &[(&str, &[&str])] = &[
    (
        "客户信息表",
        &[
            "客户编号",
            "客户名称",
            "客户简称",
            "客户类型",
            "所属行业",
            "企业性质",
            "区域",
            "省份",
            "城市",
            "地址",
            "联系人",
            "联系人职务",
            "联系方式",
            "邮箱",
            "微信/QQ",
            "客户需求",
            "首次接触时间",
            "客户状态",
            "负责人",
            "第二联系人",
            "最后跟进时间",
            "客户来源",
            "介绍人",
            "来源活动",
            "渠道类型",
            "大客户",
            "客户等级",
            "信用等级",
            "赊销限额",
            "信用期(天)",
            "付款方式",
            "是否担保",
            "期初应收",
            "期初日期",
            "建档日期",
            "备注",
        ],
    ),
    (
        "产品",
        &[
            "产品编号",
            "产品名称",
            "产品种类",
            "规格型号",
            "单位",
            "标准单价",
            "边际成本",
        ],
    ),
    (
        "业务员",
        &[
            "工号",
            "姓名",
            "组别",
            "负责区域",
            "部门",
            "岗位",
            "在职状态",
            "入职日期",
            "离职日期",
        ],
    ),
    (
        "销售目标",
        &["期间", "工号", "目标销售额", "月标准销售额", "收款目标"],
    ),
    (
        "销售明细",
        &[
            "订单号",
            "订货日期",
            "发货日期",
            "客户指定送货日期",
            "客户编号",
            "客户名称",
            "业务员",
            "产品编号",
            "产品名称",
            "产品种类",
            "数量",
            "单位",
            "单价",
            "金额",
            "折扣额",
            "优惠额",
            "订货方式",
            "状态",
        ],
    ),
    (
        "退货记录",
        &[
            "退货单号",
            "退货日期",
            "原订单号",
            "客户编号",
            "客户名称",
            "业务员",
            "产品编号",
            "产品名称",
            "产品种类",
            "退货数量",
            "退货金额",
            "退货原因类别",
            "退货原因",
            "退/换",
        ],
    ),
    (
        "收款记录",
        &[
            "收款单号",
            "收款日期",
            "客户编号",
            "客户名称",
            "业务员",
            "收款金额",
            "收款方式",
            "票据到期日",
            "票据状态",
            "对应订单号",
        ],
    ),
    (
        "客户互动记录",
        &[
            "接触时间",
            "录入时间",
            "客户编号",
            "客户名称",
            "我方人员",
            "方式",
            "对方联系人",
            "职务",
            "是否决策人",
            "目的",
            "内容",
            "客户反馈",
            "结果",
            "承诺事项",
            "下次跟进日期",
            "费用",
            "信用异动",
            "异动原因",
        ],
    ),
    (
        "投诉记录",
        &[
            "投诉编号",
            "受理时间",
            "投诉渠道",
            "客户编号",
            "客户名称",
            "产品",
            "批号",
            "投诉类型",
            "投诉内容",
            "客户要求",
            "紧急程度",
            "受理人",
            "处理人",
            "责任部门",
            "初步方案反馈时间",
            "结案时间",
            "处理措施",
            "赔偿金额",
            "索赔金额",
            "核定金额",
            "客户满意度",
            "状态",
            "纠纷/诉讼",
        ],
    ),
    (
        "信用调查",
        &[
            "调查日期",
            "客户编号",
            "客户名称",
            "调查人",
            "创业日期",
            "开始交易日期",
            "经营方式",
            "经营地点",
            "往来银行",
            "银行信用",
            "账务体系",
            "同业者评价",
            "近邻评价",
            "经营组织",
            "资本额(元)",
            "付款态度",
            "营业执照登记号码",
            "汽车自有",
            "汽车租用",
            "场所",
            "场所产权",
            "面积(m²)",
            "装饰",
            "保险",
            "保险金额",
            "业务",
            "旺季起月",
            "旺季止月",
            "旺季每月金额",
            "淡季每月金额",
            "备注",
        ],
    ),
    (
        "费用",
        &[
            "费用日期",
            "业务员",
            "客户编号",
            "客户名称",
            "费用类别",
            "金额",
            "说明",
        ],
    ),
    (
        "满意度调查",
        &[
            "调查日期",
            "客户编号",
            "客户名称",
            "调查方式",
            "产品质量",
            "价格",
            "交货及时性",
            "服务态度",
            "响应速度",
            "投诉处理",
            "售后服务",
            "总体满意度",
            "价格敏感度",
            "质量事故宽容度",
            "再次购买意愿",
            "推荐意愿",
            "意见建议",
        ],
    ),
    (
        "活动参与",
        &[
            "活动名称",
            "活动日期",
            "客户编号",
            "客户名称",
            "是否邀请",
            "是否响应",
        ],
    ),
    (
        "售后服务",
        &[
            "服务单号",
            "登记日期",
            "客户编号",
            "客户名称",
            "产品",
            "型号",
            "服务类型",
            "问题描述",
            "服务人员",
            "完成日期",
            "是否保修期内",
            "费用",
            "满意度",
        ],
    ),
    (
        "呼叫记录",
        &[
            "日期时间",
            "呼入/呼出",
            "号码",
            "客户编号",
            "客户名称",
            "座席员",
            "业务类型",
            "是否接通",
            "通话时长(秒)",
            "质检得分",
        ],
    ),
];

fn run_sample(dir: &Path, extra: &[&str]) -> String {
    let out = Command::cargo_bin("kebiao")
        .unwrap()
        .arg("sample")
        .arg("--out")
        .arg(dir)
        .args(extra)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "stderr: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

/// One sheet read back: header → column index, and the data rows.
struct Sheet {
    cols: HashMap<String, usize>,
    headers: Vec<String>,
    rows: Vec<Vec<Data>>,
}

impl Sheet {
    fn from_range(r: &Range<Data>) -> Sheet {
        let mut rows = r.rows();
        let headers: Vec<String> = rows
            .next()
            .map(|h| h.iter().map(|c| c.to_string()).collect())
            .unwrap_or_default();
        let cols = headers
            .iter()
            .enumerate()
            .map(|(i, h)| (h.clone(), i))
            .collect();
        Sheet {
            cols,
            headers,
            rows: rows.map(|r| r.to_vec()).collect(),
        }
    }
    fn cell<'a>(&self, row: &'a [Data], col: &str) -> &'a Data {
        let i = *self
            .cols
            .get(col)
            .unwrap_or_else(|| panic!("no column {col}"));
        row.get(i).unwrap_or(&Data::Empty)
    }
    fn text(&self, row: &[Data], col: &str) -> String {
        match self.cell(row, col) {
            Data::String(s) => s.clone(),
            Data::Empty => String::new(),
            other => panic!("{col}: expected text, got {other:?}"),
        }
    }
    fn num(&self, row: &[Data], col: &str) -> f64 {
        match self.cell(row, col) {
            Data::Float(f) => *f,
            Data::Int(i) => *i as f64,
            Data::Empty => 0.0,
            other => panic!("{col}: expected number, got {other:?}"),
        }
    }
    fn datetime(&self, row: &[Data], col: &str) -> Option<NaiveDateTime> {
        match self.cell(row, col) {
            Data::Empty => None,
            c => {
                let dt = c
                    .get_datetime()
                    .unwrap_or_else(|| panic!("{col}: expected a date cell, got {c:?}"));
                let serial = dt.as_f64();
                let epoch = NaiveDate::from_ymd_opt(1899, 12, 30)
                    .unwrap()
                    .and_hms_opt(0, 0, 0)
                    .unwrap();
                Some(epoch + Duration::seconds((serial * 86_400.0).round() as i64))
            }
        }
    }
    fn date(&self, row: &[Data], col: &str) -> Option<NaiveDate> {
        self.datetime(row, col).map(|d| d.date())
    }
}

struct Workbook {
    names: Vec<String>,
    sheets: BTreeMap<String, Sheet>,
}

impl Workbook {
    fn open(path: &Path) -> Workbook {
        let mut wb: Xlsx<_> = open_workbook(path).unwrap();
        let names = wb.sheet_names().to_vec();
        let mut sheets = BTreeMap::new();
        for n in &names {
            let r = wb.worksheet_range(n).unwrap();
            sheets.insert(n.clone(), Sheet::from_range(&r));
        }
        Workbook { names, sheets }
    }
    fn get(&self, name: &str) -> &Sheet {
        &self.sheets[name]
    }
}

/// The default sample, generated once per test run.
fn default_sample() -> &'static (PathBuf, String, Workbook) {
    static CELL: OnceLock<(PathBuf, String, Workbook)> = OnceLock::new();
    CELL.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap().keep();
        let stdout = run_sample(&dir, &[]);
        let path = dir.join(FILE);
        let wb = Workbook::open(&path);
        (path, stdout, wb)
    })
}

fn end() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 10, 31).unwrap()
}

#[test]
fn same_arguments_give_identical_bytes() {
    let a = tempfile::tempdir().unwrap();
    let b = tempfile::tempdir().unwrap();
    run_sample(
        a.path(),
        &["--customers", "60", "--months", "14", "--seed", "9"],
    );
    run_sample(
        b.path(),
        &["--customers", "60", "--months", "14", "--seed", "9"],
    );
    let x = std::fs::read(a.path().join(FILE)).unwrap();
    let y = std::fs::read(b.path().join(FILE)).unwrap();
    assert!(x == y, "two runs with the same arguments differ");
    run_sample(
        b.path(),
        &["--customers", "60", "--months", "14", "--seed", "10"],
    );
    let z = std::fs::read(b.path().join(FILE)).unwrap();
    assert!(x != z, "a different seed must give different data");
    // Only the workbook is left in the directory: no temp files.
    let names: Vec<_> = std::fs::read_dir(b.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(names.len(), 1, "{names:?}");
}

#[test]
fn committed_sample_is_what_the_default_command_writes() {
    let (path, _, _) = default_sample();
    let committed = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("data/sample")
        .join(FILE);
    let fresh = std::fs::read(path).unwrap();
    let old = std::fs::read(&committed).unwrap();
    assert!(
        fresh == old,
        "data/sample/{FILE} is stale: rerun `kebiao sample` (see data/sample/README.md)"
    );
}

#[test]
fn every_sheet_with_canonical_headers_and_the_summary_line() {
    let (_, stdout, wb) = default_sample();
    let expected_names: Vec<&str> = EXPECTED.iter().map(|e| e.0).collect();
    assert_eq!(wb.names, expected_names);
    for (name, headers) in EXPECTED {
        assert_eq!(&wb.get(name).headers, headers, "headers of {name}");
    }
    assert!(stdout.starts_with("已生成 "), "{stdout}");
    assert!(stdout.contains("客户信息表 300 行"), "{stdout}");
    assert!(stdout.contains("销售明细 7200 行"), "{stdout}");
    assert_eq!(wb.get("客户信息表").rows.len(), 300);
    assert_eq!(
        wb.get("销售明细").rows.len(),
        7200,
        "default lines = customers × months"
    );
    let s = wb.get("业务员").rows.len();
    assert!((12..=20).contains(&s), "{s} salespeople");
    let p = wb.get("产品").rows.len();
    assert!((20..=40).contains(&p), "{p} products");
}

#[test]
fn types_ids_and_phones_are_text_dates_are_dates() {
    let (_, _, wb) = default_sample();
    let t01 = wb.get("客户信息表");
    let mut regions = BTreeSet::new();
    for r in &t01.rows {
        let id = t01.text(r, "客户编号");
        // R05: abbr + 建档 year + 3-digit serial.
        assert_eq!(id.len(), 11, "{id}");
        assert!(id.starts_with("SLSM"), "{id}");
        assert!(id[4..].bytes().all(|b| b.is_ascii_digit()), "{id}");
        let year: i32 = id[4..8].parse().unwrap();
        let created = t01.date(r, "建档日期").expect("建档日期");
        assert_eq!(year, chrono::Datelike::year(&created), "{id}: year of 建档");
        let phone = t01.text(r, "联系方式");
        assert!(phone.len() == 11 && phone.starts_with('1'), "{phone}");
        regions.insert(t01.text(r, "区域"));
        if t01.text(r, "客户名称").ends_with("公司") {
            assert_eq!(t01.text(r, "客户类型"), "企业客户");
        }
    }
    let all: BTreeSet<String> = ["华东", "华南", "华北", "华中", "西南", "西北", "东北"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    assert_eq!(regions, all);
    let t05 = wb.get("销售明细");
    let r = &t05.rows[0];
    assert!(matches!(t05.cell(r, "订货日期"), Data::DateTime(_)));
    assert!(matches!(t05.cell(r, "金额"), Data::Float(_)));
    assert!(matches!(t05.cell(r, "订单号"), Data::String(_)));
    let t08 = wb.get("客户互动记录");
    let dt = t08.datetime(&t08.rows[0], "接触时间").unwrap();
    assert!(
        chrono::Timelike::hour(&dt) >= 8,
        "contact times carry a time of day: {dt}"
    );
}

#[test]
fn every_customer_and_original_order_exists() {
    let (_, _, wb) = default_sample();
    let t01 = wb.get("客户信息表");
    let ids: BTreeSet<String> = t01.rows.iter().map(|r| t01.text(r, "客户编号")).collect();
    assert_eq!(ids.len(), 300, "客户编号 unique");
    let staff: BTreeSet<String> = {
        let t03 = wb.get("业务员");
        t03.rows.iter().map(|r| t03.text(r, "姓名")).collect()
    };
    for sheet in [
        "销售明细",
        "退货记录",
        "收款记录",
        "客户互动记录",
        "投诉记录",
        "信用调查",
        "满意度调查",
        "活动参与",
        "售后服务",
    ] {
        let s = wb.get(sheet);
        for r in &s.rows {
            let id = s.text(r, "客户编号");
            assert!(ids.contains(&id), "{sheet}: unknown customer {id}");
        }
    }
    for (sheet, col) in [
        ("销售明细", "业务员"),
        ("收款记录", "业务员"),
        ("客户互动记录", "我方人员"),
        ("客户信息表", "负责人"),
    ] {
        let s = wb.get(sheet);
        for r in &s.rows {
            let name = s.text(r, col);
            assert!(
                name.is_empty() || staff.contains(&name),
                "{sheet}.{col}: {name} not in 业务员"
            );
        }
    }
    // Returns point at a real earlier line of the same customer and product, qty ≤ original.
    let t05 = wb.get("销售明细");
    let mut lines: HashMap<(String, String), (String, f64, NaiveDate)> = HashMap::new();
    for r in &t05.rows {
        let key = (t05.text(r, "订单号"), t05.text(r, "产品编号"));
        let qty = t05.num(r, "数量");
        let value = (
            t05.text(r, "客户编号"),
            qty,
            t05.date(r, "订货日期").unwrap(),
        );
        // §3.2: a repeated 订单号 + 产品 reads as double entry, so each product once per order.
        assert!(lines.insert(key.clone(), value).is_none(), "{key:?} twice");
    }
    let orders: BTreeSet<String> = t05.rows.iter().map(|r| t05.text(r, "订单号")).collect();
    let t06 = wb.get("退货记录");
    assert!(t06.rows.len() > 50);
    for r in &t06.rows {
        let key = (t06.text(r, "原订单号"), t06.text(r, "产品编号"));
        let (cust, qty, date) = lines
            .get(&key)
            .unwrap_or_else(|| panic!("return for unknown line {key:?}"));
        assert_eq!(&t06.text(r, "客户编号"), cust);
        assert!(t06.num(r, "退货数量") <= *qty && t06.num(r, "退货数量") > 0.0);
        assert!(t06.date(r, "退货日期").unwrap() > *date);
    }
    let t07 = wb.get("收款记录");
    for r in &t07.rows {
        let applied = t07.text(r, "对应订单号");
        assert!(
            applied.is_empty() || orders.contains(&applied),
            "receipt applied to unknown {applied}"
        );
    }
}

/// Top-20% share of Σ 金额 (non-cancelled) among customers with sales, as in M08.
fn top20_share(amounts: &BTreeMap<String, f64>) -> f64 {
    let mut v: Vec<f64> = amounts.values().copied().filter(|a| *a > 0.0).collect();
    v.sort_by(|a, b| b.partial_cmp(a).unwrap());
    let k = ((v.len() as f64 * 0.2).round() as usize).max(1);
    v[..k].iter().sum::<f64>() / v.iter().sum::<f64>()
}

#[test]
fn top_fifth_of_customers_make_70_to_85_percent_of_sales() {
    let (_, _, wb) = default_sample();
    let t05 = wb.get("销售明细");
    let mut all = BTreeMap::new();
    let mut last12 = BTreeMap::new();
    let from = NaiveDate::from_ymd_opt(2025, 11, 1).unwrap();
    for r in &t05.rows {
        if t05.text(r, "状态") == "作废" {
            continue;
        }
        let a = t05.num(r, "金额");
        let c = t05.text(r, "客户编号");
        *all.entry(c.clone()).or_insert(0.0) += a;
        if t05.date(r, "订货日期").unwrap() >= from {
            *last12.entry(c).or_insert(0.0) += a;
        }
    }
    let s = top20_share(&all);
    assert!(
        (0.70..=0.85).contains(&s),
        "whole period top-20% share {s:.3}"
    );
    let s12 = top20_share(&last12);
    eprintln!("top-20% share: whole period {s:.3}, T12M {s12:.3}");
    assert!((0.70..=0.85).contains(&s12), "T12M top-20% share {s12:.3}");
}

/// The 80/20 shape does not depend on luck: other seeds land in the band too.
#[test]
fn concentration_holds_for_other_seeds() {
    for seed in ["1", "42", "777"] {
        let dir = tempfile::tempdir().unwrap();
        run_sample(dir.path(), &["--seed", seed]);
        let wb = Workbook::open(&dir.path().join(FILE));
        let t05 = wb.get("销售明细");
        let mut all = BTreeMap::new();
        for r in &t05.rows {
            if t05.text(r, "状态") != "作废" {
                *all.entry(t05.text(r, "客户编号")).or_insert(0.0) += t05.num(r, "金额");
            }
        }
        let s = top20_share(&all);
        eprintln!("seed {seed}: top-20% share {s:.3}");
        assert!(
            (0.70..=0.85).contains(&s),
            "seed {seed}: top-20% share {s:.3}"
        );
    }
}

#[test]
fn amounts_are_quantity_times_price_and_cancelled_lines_unshipped() {
    let (_, _, wb) = default_sample();
    let t05 = wb.get("销售明细");
    let mut cancelled = 0;
    let mut discounted = 0;
    let mut rebated = 0;
    let mut units = BTreeSet::new();
    for r in &t05.rows {
        let q = t05.num(r, "数量");
        let p = t05.num(r, "单价");
        let a = t05.num(r, "金额");
        assert!(q > 0.0 && p > 0.0);
        assert!((q * p - a).abs() < 0.005, "金额 {a} ≠ {q} × {p}");
        let d = t05.num(r, "折扣额");
        assert!(d < a);
        discounted += usize::from(d > 0.0);
        rebated += usize::from(t05.num(r, "优惠额") > 0.0);
        units.insert(t05.text(r, "单位"));
        let order = t05.date(r, "订货日期").unwrap();
        if let Some(ship) = t05.date(r, "发货日期") {
            assert!(ship > order && ship <= end());
        }
        if t05.text(r, "状态") == "作废" {
            cancelled += 1;
            assert!(
                t05.date(r, "发货日期").is_none(),
                "a cancelled line has no 发货日期"
            );
        } else {
            assert_eq!(t05.text(r, "状态"), "正常");
        }
    }
    let n = t05.rows.len();
    assert!(
        cancelled * 100 >= n / 2 && cancelled * 100 <= n * 3,
        "{cancelled} cancelled of {n}"
    );
    // 折扣 on fewer than 90% of lines is what keeps 金额 read as gross (M37).
    assert!(discounted > n / 10 && discounted < n / 3, "{discounted}");
    assert!(rebated > n / 50, "{rebated}");
    let want: BTreeSet<String> = ["吨", "件", "箱"].iter().map(|s| s.to_string()).collect();
    assert_eq!(units, want);
}

#[test]
fn calendar_seasonality_churn_and_leads() {
    let (_, _, wb) = default_sample();
    let t05 = wb.get("销售明细");
    let mut by_month: BTreeMap<(i32, u32), f64> = BTreeMap::new();
    let mut last_order: BTreeMap<String, NaiveDate> = BTreeMap::new();
    let mut orders_per_no: BTreeMap<String, usize> = BTreeMap::new();
    for r in &t05.rows {
        let d = t05.date(r, "订货日期").unwrap();
        use chrono::Datelike;
        *by_month.entry((d.year(), d.month())).or_insert(0.0) += t05.num(r, "金额");
        let c = t05.text(r, "客户编号");
        let e = last_order.entry(c).or_insert(d);
        *e = (*e).max(d);
        *orders_per_no.entry(t05.text(r, "订单号")).or_insert(0) += 1;
    }
    assert_eq!(by_month.len(), 24);
    assert_eq!(by_month.keys().next(), Some(&(2024, 11)));
    assert_eq!(by_month.keys().last(), Some(&(2026, 10)));
    let max_date = t05
        .rows
        .iter()
        .filter_map(|r| t05.date(r, "订货日期"))
        .max()
        .unwrap();
    assert_eq!(max_date, end(), "orders on the last day of the data");
    // The 春节 trough and the year-end peak.
    assert!(
        by_month[&(2025, 2)] < 0.7 * by_month[&(2025, 12)],
        "{by_month:?}"
    );
    // Several lines per order on average.
    let avg = t05.rows.len() as f64 / orders_per_no.len() as f64;
    eprintln!("{avg:.2} lines per order, {} orders", orders_per_no.len());
    assert!(avg > 2.2 && avg < 4.0, "{avg} lines per order");
    // Churn: buyers whose last order is more than 180 days old.
    let churned = last_order
        .values()
        .filter(|d| (end() - **d).num_days() > 180)
        .count();
    assert!(churned >= 15, "{churned} churned");
    // Leads and prospects without orders.
    let t01 = wb.get("客户信息表");
    let no_orders: Vec<String> = t01
        .rows
        .iter()
        .filter(|r| !last_order.contains_key(&t01.text(r, "客户编号")))
        .map(|r| t01.text(r, "客户状态"))
        .collect();
    assert!(no_orders.iter().filter(|s| *s == "潜在客户").count() >= 10);
    assert!(no_orders.iter().filter(|s| *s == "意向客户").count() >= 10);
    assert!(
        no_orders.iter().all(|s| s == "潜在客户" || s == "意向客户"),
        "{no_orders:?}"
    );
    assert!(
        t01.rows
            .iter()
            .filter(|r| t01.text(r, "客户状态") == "流失客户")
            .count()
            >= 10
    );
    // Opening balances are dated the first day of the data.
    let mut with_opening = 0;
    for r in &t01.rows {
        if t01.num(r, "期初应收") > 0.0 {
            with_opening += 1;
            assert_eq!(
                t01.date(r, "期初日期"),
                NaiveDate::from_ymd_opt(2024, 11, 1)
            );
        }
    }
    assert!(with_opening > 100, "{with_opening}");
    // Two salespeople have left and still own customers.
    let t03 = wb.get("业务员");
    let gone: BTreeSet<String> = t03
        .rows
        .iter()
        .filter(|r| t03.text(r, "在职状态") == "离职")
        .map(|r| t03.text(r, "姓名"))
        .collect();
    assert_eq!(gone.len(), 2);
    assert!(t01
        .rows
        .iter()
        .any(|r| gone.contains(&t01.text(r, "负责人"))));
}

/// FIFO ageing as in M64: receipts and returns pay the oldest shipments first.
#[test]
fn receivables_leave_customers_overdue_beyond_90_and_180_days() {
    let (_, _, wb) = default_sample();
    let t01 = wb.get("客户信息表");
    let t05 = wb.get("销售明细");
    let t06 = wb.get("退货记录");
    let t07 = wb.get("收款记录");
    let mut debits: BTreeMap<String, Vec<(NaiveDate, f64)>> = BTreeMap::new();
    let mut credits: BTreeMap<String, f64> = BTreeMap::new();
    for r in &t01.rows {
        let o = t01.num(r, "期初应收");
        if o > 0.0 {
            debits
                .entry(t01.text(r, "客户编号"))
                .or_default()
                .push((t01.date(r, "期初日期").unwrap(), o));
        }
    }
    for r in &t05.rows {
        if let Some(ship) = t05.date(r, "发货日期") {
            let net = t05.num(r, "金额") - t05.num(r, "折扣额") - t05.num(r, "优惠额");
            debits
                .entry(t05.text(r, "客户编号"))
                .or_default()
                .push((ship, net));
        }
    }
    for r in &t06.rows {
        if t06.text(r, "退/换") == "退货" {
            *credits.entry(t06.text(r, "客户编号")).or_default() += t06.num(r, "退货金额");
        }
    }
    let mut refused = 0;
    for r in &t07.rows {
        *credits.entry(t07.text(r, "客户编号")).or_default() += t07.num(r, "收款金额");
        let method = t07.text(r, "收款方式");
        if ["期票", "银行承兑汇票", "商业承兑汇票"].contains(&method.as_str()) {
            assert!(
                t07.date(r, "票据到期日").is_some(),
                "a note has a 票据到期日"
            );
        }
        refused += usize::from(t07.text(r, "票据状态") == "拒付");
    }
    assert!((1..=2).contains(&refused), "{refused} refused notes");
    let mut oldest_ages = Vec::new();
    for (c, mut d) in debits {
        d.sort_by_key(|x| x.0);
        let mut credit = credits.get(&c).copied().unwrap_or(0.0);
        for (date, amt) in d {
            if credit >= amt - 0.01 {
                credit -= amt;
            } else {
                oldest_ages.push((end() - date).num_days());
                break;
            }
        }
    }
    oldest_ages.sort_unstable();
    eprintln!("oldest unpaid shipment per customer with a balance (days): {oldest_ages:?}");
    let over180 = oldest_ages.iter().filter(|a| **a > 180).count();
    let over90 = oldest_ages
        .iter()
        .filter(|a| **a > 90 && **a <= 180)
        .count();
    assert!(over180 >= 2, "{oldest_ages:?}");
    assert!(over90 >= 2, "{oldest_ages:?}");
    // Most customers with a balance are current (≤ 90 days).
    let current = oldest_ages.iter().filter(|a| **a <= 90).count();
    assert!(
        current > oldest_ages.len() / 2,
        "{current} of {}",
        oldest_ages.len()
    );
}

#[test]
fn complaints_hit_and_miss_48h_interactions_mostly_within_24h() {
    let (_, _, wb) = default_sample();
    let t09 = wb.get("投诉记录");
    let (mut met, mut missed, mut open) = (0, 0, 0);
    let mut types = BTreeSet::new();
    for r in &t09.rows {
        let received = t09.datetime(r, "受理时间").unwrap();
        types.insert(t09.text(r, "投诉类型"));
        match t09.datetime(r, "初步方案反馈时间") {
            Some(t) if (t - received).num_minutes() <= 48 * 60 => met += 1,
            Some(_) => missed += 1,
            None => open += 1,
        }
        if let Some(c) = t09.datetime(r, "结案时间") {
            assert!(c > received);
        }
    }
    assert!(
        met > missed && missed >= 10 && open >= 2,
        "met {met} missed {missed} open {open}"
    );
    assert_eq!(types.len(), 5, "{types:?}");
    let t08 = wb.get("客户互动记录");
    let (mut on_time, mut late) = (0, 0);
    for r in &t08.rows {
        let contact = t08.datetime(r, "接触时间").unwrap();
        let entry = t08.datetime(r, "录入时间").unwrap();
        assert!(entry >= contact);
        if (entry - contact).num_minutes() <= 24 * 60 {
            on_time += 1;
        } else {
            late += 1;
        }
    }
    let share = on_time as f64 / (on_time + late) as f64;
    assert!((0.8..0.95).contains(&share), "{share}");
    // Four return reasons and some exchanges.
    let t06 = wb.get("退货记录");
    let cats: BTreeSet<String> = t06
        .rows
        .iter()
        .map(|r| t06.text(r, "退货原因类别"))
        .filter(|s| !s.is_empty())
        .collect();
    assert_eq!(cats.len(), 4, "{cats:?}");
    assert!(t06.rows.iter().any(|r| t06.text(r, "退/换") == "换货"));
    // Credit surveys carry the scored items.
    let t10 = wb.get("信用调查");
    assert!(t10.rows.len() >= 60);
    let full = t10
        .rows
        .iter()
        .filter(|r| !t10.text(r, "付款态度").is_empty() && !t10.text(r, "银行信用").is_empty())
        .count();
    assert!(full * 10 >= t10.rows.len() * 9);
}

#[test]
fn small_runs_and_bad_arguments() {
    let dir = tempfile::tempdir().unwrap();
    let out = run_sample(
        dir.path(),
        &["--customers", "3", "--months", "1", "--lines", "20"],
    );
    assert!(out.contains("销售明细 20 行"), "{out}");
    let wb = Workbook::open(&dir.path().join(FILE));
    let t05 = wb.get("销售明细");
    assert_eq!(t05.rows.len(), 20);
    assert!(
        t05.rows
            .iter()
            .all(|r| t05.date(r, "订货日期").unwrap()
                >= NaiveDate::from_ymd_opt(2026, 10, 1).unwrap())
    );
    for bad in [
        ["--months", "0"],
        ["--customers", "0"],
        ["--lines", "2000000"],
    ] {
        Command::cargo_bin("kebiao")
            .unwrap()
            .arg("sample")
            .arg("--out")
            .arg(dir.path())
            .args(bad)
            .assert()
            .code(2);
    }
}

/// T11–T15: expenses are booked to salespeople of T03 (by 姓名 or 工号), the sheets hold the
/// variants the model must read (招待费 → 交际, 报名/出席 → 是, mm:ss talk times, blank 总体满意度).
#[test]
fn optional_sheets_hold_what_the_statistics_need() {
    let (_, _, wb) = default_sample();
    let t03 = wb.get("业务员");
    let staff: BTreeSet<String> = t03
        .rows
        .iter()
        .flat_map(|r| [t03.text(r, "姓名"), t03.text(r, "工号")])
        .collect();
    let t11 = wb.get("费用");
    assert!(t11.rows.len() > 1_000, "{}", t11.rows.len());
    let cats: BTreeSet<String> = t11.rows.iter().map(|r| t11.text(r, "费用类别")).collect();
    for c in [
        "薪水",
        "津贴",
        "油料",
        "差旅费",
        "交际",
        "招待费",
        "礼品",
        "活动",
    ] {
        assert!(cats.contains(c), "{c} in {cats:?}");
    }
    for r in &t11.rows {
        assert!(staff.contains(&t11.text(r, "业务员")));
        assert!(t11.num(r, "金额") > 0.0);
    }
    let t12 = wb.get("满意度调查");
    let blank = t12
        .rows
        .iter()
        .filter(|r| matches!(t12.cell(r, "总体满意度"), Data::Empty))
        .count();
    assert!(
        blank * 10 > t12.rows.len() && blank * 3 < t12.rows.len(),
        "{blank}"
    );
    let t13 = wb.get("活动参与");
    let words: BTreeSet<String> = t13.rows.iter().map(|r| t13.text(r, "是否响应")).collect();
    assert!(words.contains("报名") && words.contains("出席") && words.contains("否"));
    let t15 = wb.get("呼叫记录");
    let mmss = t15
        .rows
        .iter()
        .filter(|r| matches!(t15.cell(r, "通话时长(秒)"), Data::String(s) if s.contains(':')))
        .count();
    assert!(mmss > 50, "{mmss}");
    assert!(t15.rows.iter().any(|r| t15.text(r, "呼入/呼出") == "呼出"));
}
